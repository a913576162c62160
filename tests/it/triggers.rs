//! Issue 11 end to end through the binary: `inspect` of a database with triggers, policies
//! and row-level security writes a file that diffs empty against it, and a policy's role is
//! checked by the server, with the error at the file's line.

use std::process::Command;

use crate::scratch::ScratchDb;

fn autogen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
}

const SETUP: &str = "\
CREATE SCHEMA audit;
CREATE FUNCTION audit.log_rows() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NULL; END';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS 'BEGIN RETURN NEW; END';
CREATE TABLE documents (id integer PRIMARY KEY, owner name NOT NULL, body text);
CREATE VIEW bodies AS SELECT id, body FROM documents;
ALTER TABLE documents ENABLE ROW LEVEL SECURITY;
ALTER TABLE documents FORCE ROW LEVEL SECURITY;
CREATE TRIGGER documents_touch BEFORE UPDATE OF body ON documents FOR EACH ROW
  WHEN (old.body IS DISTINCT FROM new.body) EXECUTE FUNCTION touch('a', 'b''c');
CREATE TRIGGER documents_audit AFTER INSERT ON documents REFERENCING NEW TABLE AS inserted
  FOR EACH STATEMENT EXECUTE FUNCTION audit.log_rows();
CREATE CONSTRAINT TRIGGER documents_check AFTER UPDATE ON documents
  DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit.log_rows();
ALTER TABLE documents DISABLE TRIGGER documents_audit;
COMMENT ON TRIGGER documents_touch ON documents IS 'keeps it fresh';
CREATE TRIGGER bodies_insert INSTEAD OF INSERT ON bodies FOR EACH ROW EXECUTE FUNCTION touch();
CREATE POLICY documents_owner ON documents AS RESTRICTIVE FOR UPDATE TO pg_read_all_data
  USING (owner = current_user) WITH CHECK (body IS NOT NULL);
CREATE POLICY documents_insert ON documents FOR INSERT WITH CHECK (owner = current_user);
COMMENT ON POLICY documents_insert ON documents IS 'own rows only';";

#[tokio::test]
async fn inspect_of_triggers_and_policies_diffs_empty_against_its_database() {
    let database = ScratchDb::create("autogen_triggers").await;
    let client = database.client().await;
    client.batch_execute(SETUP).await.expect("setup applies");
    let yaml = crate::inspected::inspect_diffs_empty(&database);
    for expected in [
        "row_level_security: { enabled: true, forced: true }",
        "instead_of",
        "restrictive: true",
        "enabled: false",
        "initially_deferred: true",
    ] {
        assert!(yaml.contains(expected), "{expected} in:\n{yaml}");
    }
}

#[tokio::test]
async fn a_policy_role_is_checked_by_the_server_at_the_file_line() {
    let database = ScratchDb::create("autogen_triggers").await;
    let client = database.client().await;
    let role = format!("autogen_{}_reader", database.name);
    client
        .batch_execute(&format!("CREATE ROLE {role}"))
        .await
        .expect("creates a role");
    let schema = |roles: &str| {
        format!(
            "tables:\n  notes:\n    columns:\n      id: integer\n    policies:\n      \
             notes_read:\n        command: select\n        roles: [{roles}]\n        \
             using: id > 0\n"
        )
    };
    let path = std::env::temp_dir().join(format!("autogen-policy-{}.yaml", database.name));
    let diff = |text: String| {
        std::fs::write(&path, text).expect("temp file");
        autogen()
            .args(["diff", "--from", &database.url, "--to"])
            .arg(&path)
            .output()
            .expect("autogen runs")
    };
    let known = diff(schema(&role));
    let missing = diff(schema("autogen_no_such_role"));
    std::fs::remove_file(&path).ok();
    client
        .batch_execute(&format!("DROP ROLE {role}"))
        .await
        .expect("drops the role");
    let stdout = String::from_utf8_lossy(&known.stdout);
    assert_eq!(known.status.code(), Some(0), "{stdout}");
    assert!(
        stdout.contains(&format!("FOR SELECT TO {role} USING (id > 0)")),
        "{stdout}"
    );
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert_eq!(missing.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(":6:7: policy notes_read on notes")
            && stderr.contains("autogen_no_such_role"),
        "{stderr}"
    );
}
