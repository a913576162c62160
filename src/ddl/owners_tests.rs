use super::tests::{replay, replay_error};
use crate::model::{FunctionName, PrivilegeObject, QualifiedName};

fn relation(name: &str) -> PrivilegeObject {
    PrivilegeObject::Table(QualifiedName::new("public", name))
}

#[test]
fn owners_follow_owner_to_renames_and_drops_as_the_catalog_would() {
    let schema = replay(
        "CREATE SCHEMA app;\n\
         CREATE TABLE t (id serial PRIMARY KEY);\n\
         CREATE VIEW v AS SELECT id FROM t;\n\
         CREATE SEQUENCE s;\n\
         CREATE TYPE mood AS ENUM ('ok');\n\
         CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';\n\
         ALTER SCHEMA app OWNER TO \"App Owner\";\n\
         ALTER TABLE t OWNER TO owner_a, ADD COLUMN note text;\n\
         ALTER TABLE t RENAME TO renamed;\n\
         ALTER TABLE v OWNER TO owner_b;\n\
         ALTER SEQUENCE s OWNER TO owner_a;\n\
         ALTER SEQUENCE s OWNER TO CURRENT_USER;\n\
         ALTER TYPE mood OWNER TO owner_b;\n\
         ALTER FUNCTION f(integer) OWNER TO owner_a;\n\
         DROP FUNCTION f(integer);\n\
         CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';\n\
         ALTER SCHEMA public OWNER TO pg_database_owner;\n",
    );
    let owner = |object: PrivilegeObject| schema.owners.get(&object).map(String::as_str);
    assert_eq!(
        owner(PrivilegeObject::Schema("app".into())),
        Some("App Owner")
    );
    assert_eq!(owner(relation("renamed")), Some("owner_a"));
    assert_eq!(owner(relation("t")), None);
    assert_eq!(owner(relation("v")), Some("owner_b"));
    let name = |name: &str| QualifiedName::new("public", name);
    assert_eq!(owner(PrivilegeObject::Type(name("mood"))), Some("owner_b"));
    // Back to the role running the script; a serial's sequence has its table's owner; a
    // function created again is the role's again; `public`'s usual owner is not kept.
    assert_eq!(schema.owners.len(), 4, "{:?}", schema.owners);
    let function = PrivilegeObject::Function(FunctionName {
        schema: "public".into(),
        name: "f".into(),
        argument_types: vec!["integer".into()],
    });
    assert!(schema.directives.declared_owners.contains(&function));
    assert!(schema
        .directives
        .declared_owners
        .contains(&PrivilegeObject::Sequence(name("s"))));
}

#[test]
fn a_sequence_owned_by_a_column_takes_no_owner_of_its_own() {
    let error = replay_error(
        "CREATE TABLE t (id serial);\n\
         ALTER SEQUENCE t_id_seq OWNER TO someone;\n",
    );
    assert!(error.contains("linked to a table"), "{error}");
    let error = replay_error("ALTER VIEW missing OWNER TO someone;\n");
    assert!(error.contains("relation missing does not exist"), "{error}");
}

#[test]
fn create_schema_authorization_states_the_owner() {
    let schema = replay(
        "CREATE SCHEMA app AUTHORIZATION \"App Owner\";\n\
         CREATE SCHEMA AUTHORIZATION reporter;\n\
         CREATE SCHEMA IF NOT EXISTS app AUTHORIZATION someone_else;\n\
         CREATE SCHEMA mine AUTHORIZATION CURRENT_USER;\n",
    );
    let owner = |name: &str| {
        schema
            .owners
            .get(&PrivilegeObject::Schema(name.into()))
            .map(String::as_str)
    };
    // A schema that already exists keeps its owner, as on the server.
    assert_eq!(owner("app"), Some("App Owner"));
    assert_eq!(owner("reporter"), Some("reporter"));
    assert_eq!(owner("mine"), None);
    for name in ["app", "reporter", "mine"] {
        assert!(schema
            .directives
            .declared_owners
            .contains(&PrivilegeObject::Schema(name.into())));
    }
    let error = replay_error("CREATE SCHEMA AUTHORIZATION CURRENT_USER;\n");
    assert!(error.contains("name the schema"), "{error}");
}

#[test]
fn owner_changes_name_views_materialized_views_and_sequences_by_their_kind() {
    let tables = "CREATE TABLE t (id integer);\n\
                  CREATE VIEW v AS SELECT id FROM t;\n\
                  CREATE MATERIALIZED VIEW m AS SELECT id FROM t;\n\
                  CREATE SEQUENCE s;\n";
    let current = replay(tables);
    let desired = replay(&format!(
        "{tables}ALTER VIEW v OWNER TO a;\n\
         ALTER MATERIALIZED VIEW m OWNER TO a;\n\
         ALTER SEQUENCE s OWNER TO a;\n"
    ));
    let migration = crate::generate(&current, &desired);
    let summaries = |changes: &[crate::diff::Change]| -> Vec<String> {
        changes.iter().map(|change| change.summary()).collect()
    };
    assert_eq!(
        summaries(&migration.changes),
        [
            "changed owner of materialized view m to a",
            "changed owner of view v to a",
            "changed owner of sequence s to a",
        ]
    );
    assert_eq!(
        summaries(&migration.down_changes),
        [
            "changed owner of materialized view m to the role running the migration",
            "changed owner of view v to the role running the migration",
            "changed owner of sequence s to the role running the migration",
        ]
    );
    let objects: Vec<String> = migration
        .changes
        .iter()
        .map(|change| change.object().to_string())
        .collect();
    assert_eq!(
        objects,
        [
            "owner of materialized view m",
            "owner of view v",
            "owner of sequence s"
        ]
    );
}

#[test]
fn collation_owners_follow_owner_to_renames_and_drops() {
    let schema = replay(
        "CREATE COLLATION kept (locale = 'C');\n\
         CREATE COLLATION renamed (locale = 'C');\n\
         CREATE COLLATION again (locale = 'C');\n\
         ALTER COLLATION kept OWNER TO owner_a;\n\
         ALTER COLLATION renamed OWNER TO owner_b;\n\
         ALTER COLLATION renamed RENAME TO moved;\n\
         ALTER COLLATION again OWNER TO owner_a;\n\
         DROP COLLATION again;\n\
         CREATE COLLATION again (locale = 'POSIX');\n",
    );
    let owner = |name: &str| {
        let object = PrivilegeObject::Collation(QualifiedName::new("public", name));
        schema.owners.get(&object).map(String::as_str)
    };
    assert_eq!(owner("kept"), Some("owner_a"));
    assert_eq!(owner("moved"), Some("owner_b"));
    assert_eq!(owner("again"), None);
    assert_eq!(schema.owners.len(), 2, "{:?}", schema.owners);
}
