//! Issue 11's privileges end to end: `inspect --with-privileges` writes a file that diffs
//! empty against its database (collations, extension versions, aggregates and range types too),
//! `managed_roles` revokes what the file does not grant, other
//! roles' privileges are left alone and reported, and a grant to a missing role is an error
//! at the file's line. The roles are cluster-wide: `autogen_test_*`, created when missing
//! and never dropped (concurrent runs share them).

use std::process::Command;

use autogen::diff::PrivilegeScope;
use autogen::source::{self, Source};

use crate::scratch::ScratchDb;

fn autogen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
}

const ROLES: &str = "\
DO $$ BEGIN CREATE ROLE autogen_test_reader NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE autogen_test_writer NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
DO $$ BEGIN CREATE ROLE autogen_test_owner NOLOGIN;
  EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;";

const SETUP: &str = "\
CREATE SCHEMA app;
CREATE EXTENSION pg_trgm VERSION '1.5';
CREATE COLLATION app.german (provider = icu, locale = 'de-DE');
COMMENT ON COLLATION app.german IS 'phone book';
ALTER COLLATION app.german OWNER TO autogen_test_owner;
CREATE TYPE app.mood AS ENUM ('ok');
CREATE DOMAIN app.positive AS integer CHECK (VALUE > 0);
CREATE TABLE app.items (id serial PRIMARY KEY, name text COLLATE app.german, price app.positive);
CREATE VIEW app.names AS SELECT id, name FROM app.items;
CREATE SEQUENCE app.tickets;
CREATE FUNCTION app.total() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM app.items';
CREATE PROCEDURE app.reset() LANGUAGE sql AS 'DELETE FROM app.items';
GRANT USAGE ON SCHEMA app TO autogen_test_reader;
GRANT SELECT ON ALL TABLES IN SCHEMA app TO autogen_test_reader;
GRANT INSERT, UPDATE (name) ON app.items TO autogen_test_writer WITH GRANT OPTION;
GRANT USAGE ON SEQUENCE app.items_id_seq, app.tickets TO autogen_test_writer;
REVOKE EXECUTE ON FUNCTION app.total() FROM PUBLIC;
GRANT EXECUTE ON PROCEDURE app.reset() TO autogen_test_writer;
REVOKE USAGE ON TYPE app.mood FROM PUBLIC;
GRANT USAGE ON DOMAIN app.positive TO autogen_test_writer;
CREATE TYPE app.span AS RANGE (subtype = integer);
GRANT USAGE ON TYPE app.span TO autogen_test_writer WITH GRANT OPTION;
CREATE AGGREGATE app.biggest(integer) (SFUNC = int4larger, STYPE = integer);
REVOKE EXECUTE ON FUNCTION app.biggest(integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.biggest(integer) TO autogen_test_reader;
ALTER DEFAULT PRIVILEGES FOR ROLE autogen_test_owner IN SCHEMA app
  GRANT SELECT ON TABLES TO autogen_test_reader;";

#[tokio::test]
async fn inspect_with_privileges_diffs_empty_against_its_database() {
    let database = ScratchDb::create("autogen_privileges").await;
    let client = database.client().await;
    client.batch_execute(ROLES).await.expect("roles exist");
    client.batch_execute(SETUP).await.expect("setup applies");
    let yaml = crate::inspected::inspect_with_diffs_empty(&database, &["--with-privileges"]);
    for expected in [
        "grants: [{ to: autogen_test_reader, privileges: [USAGE] }]",
        "with_grant_option: true",
        "sequence: { grants: [{ to: autogen_test_writer, privileges: [USAGE] }] }",
        "grants: [{ to: PUBLIC, privileges: [] }]",
        "for_role: autogen_test_owner",
        "app.german: { provider: icu, locale: de-DE, comment: phone book, owner: autogen_test_owner }",
        "pg_trgm: { schema: public, version: \"1.5\" }",
        "grants: [{ to: autogen_test_writer, privileges: [USAGE], with_grant_option: true }]",
        "grants: [{ to: PUBLIC, privileges: [] }, { to: autogen_test_reader, privileges: [EXECUTE] }]",
    ] {
        assert!(yaml.contains(expected), "{expected} in:\n{yaml}");
    }
    // Without the flag the file says nothing of privileges, and they are reported.
    let inspect = autogen()
        .args(["inspect", "--database-url", &database.url])
        .output()
        .expect("autogen runs");
    let stdout = String::from_utf8_lossy(&inspect.stdout);
    let stderr = String::from_utf8_lossy(&inspect.stderr);
    assert!(!stdout.contains("grants"), "{stdout}");
    assert!(
        stderr.contains("privileges granted to autogen_test_reader on"),
        "{stderr}"
    );
}

#[tokio::test]
async fn managed_roles_lose_what_the_file_does_not_grant_and_others_keep_theirs() {
    let database = ScratchDb::create("autogen_privileges").await;
    let client = database.client().await;
    client.batch_execute(ROLES).await.expect("roles exist");
    client
        .batch_execute(
            "CREATE TABLE notes (id integer);
             GRANT SELECT, INSERT ON notes TO autogen_test_reader;
             GRANT SELECT ON notes TO autogen_test_writer;
             CREATE TYPE span AS RANGE (subtype = integer);
             GRANT USAGE ON TYPE span TO autogen_test_reader;
             CREATE AGGREGATE biggest(integer) (SFUNC = int4larger, STYPE = integer);
             GRANT EXECUTE ON FUNCTION biggest(integer) TO autogen_test_reader;",
        )
        .await
        .expect("setup applies");
    let path = std::env::temp_dir().join(format!("autogen-managed-{}.yaml", database.name));
    std::fs::write(
        &path,
        "tables:\n  notes:\n    columns:\n      id: integer\n\
         range_types:\n  span: integer\n\
         aggregates:\n  - { name: biggest, arguments: [{ type: integer }], sfunc: int4larger, stype: integer }\n",
    )
    .expect("temp file");
    let here = Source::Database(database.url.clone());
    let file = Source::SchemaFile(path.clone());
    let managed = PrivilegeScope::of_roles(&["autogen_test_reader".to_string()]);
    let (current, desired) = source::read_pair(&here, &file, &managed)
        .await
        .expect("reads both");
    std::fs::remove_file(&path).ok();
    let up = autogen::generate(&current, &desired).up.to_text();
    assert_eq!(
        up,
        "REVOKE SELECT, INSERT ON TABLE public.notes FROM autogen_test_reader;\n\
         REVOKE EXECUTE ON ROUTINE public.biggest(integer) FROM autogen_test_reader;\n\
         REVOKE USAGE ON TYPE public.span FROM autogen_test_reader;\n"
    );
    let reported: Vec<String> = current
        .unmanaged
        .iter()
        .map(|object| format!("{} {}", object.kind, object.name))
        .collect();
    assert_eq!(
        reported,
        ["privileges granted to autogen_test_writer on 1 object(s)"]
    );
}

/// `autogen diff` from a new scratch database to `yaml`: its exit code and standard error.
async fn diff_to_schema_file(stem: &str, yaml: &str) -> (Option<i32>, String) {
    let database = ScratchDb::create("autogen_privileges").await;
    let path = std::env::temp_dir().join(format!("{stem}-{}.yaml", database.name));
    std::fs::write(&path, yaml).expect("temp file");
    let diff = autogen()
        .args(["diff", "--from", &database.url, "--to"])
        .arg(&path)
        .output()
        .expect("autogen runs");
    std::fs::remove_file(&path).ok();
    let stderr = String::from_utf8_lossy(&diff.stderr).into_owned();
    (diff.status.code(), stderr)
}

#[tokio::test]
async fn an_owner_that_is_a_missing_role_is_an_error_at_its_line() {
    // The error names the kind `ALTER ... OWNER TO` would, not the privilege key's `table`.
    for (yaml, at) in [
        (
            "views:\n  v:\n    query: SELECT 1 AS one\n    owner: autogen_no_such_owner\n",
            ":4:5: owner of view v",
        ),
        (
            "views:\n  m:\n    query: SELECT 1 AS one\n    materialized: true\n    \
             owner: autogen_no_such_owner\n",
            ":5:5: owner of materialized view m",
        ),
        (
            "sequences:\n  s:\n    type: bigint\n    owner: autogen_no_such_owner\n",
            ":4:5: owner of sequence s",
        ),
    ] {
        let (code, stderr) = diff_to_schema_file("autogen-owner", yaml).await;
        assert_eq!(code, Some(2), "{stderr}");
        assert!(
            stderr.contains(at) && stderr.contains("role \"autogen_no_such_owner\" does not exist"),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn a_grant_to_a_missing_role_is_an_error_at_its_line() {
    let (code, stderr) = diff_to_schema_file(
        "autogen-grant",
        "tables:\n  notes:\n    columns:\n      id: integer\n    grants:\n      \
         - to: autogen_no_such_role\n        privileges: [SELECT]\n",
    )
    .await;
    assert_eq!(code, Some(2), "{stderr}");
    assert!(
        stderr.contains(":6:7: privileges of autogen_no_such_role on table notes")
            && stderr.contains("role \"autogen_no_such_role\" does not exist"),
        "{stderr}"
    );
}
