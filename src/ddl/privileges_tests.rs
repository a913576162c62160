use super::tests::{replay, replay_error};
use super::*;
use crate::model::{Acl, DefaultObjects, FunctionName, Grants, Privilege, CURRENT_USER, PUBLIC};

fn grants(entries: &[(Privilege, bool)]) -> Grants {
    entries.iter().copied().collect()
}

fn table(name: &str) -> PrivilegeObject {
    PrivilegeObject::Table(QualifiedName::new("public", name))
}

fn column(table: &str, name: &str) -> PrivilegeObject {
    PrivilegeObject::Column(QualifiedName::new("public", table), name.to_string())
}

#[test]
fn grants_and_revokes_read_back_as_the_catalog_would() {
    let schema = replay(
        "CREATE TABLE t (id serial, a int, b text);\n\
         CREATE VIEW v AS SELECT id FROM t;\n\
         CREATE FUNCTION f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';\n\
         GRANT ALL ON TABLE t, v TO app WITH GRANT OPTION;\n\
         REVOKE GRANT OPTION FOR DELETE ON t FROM app;\n\
         REVOKE TRUNCATE, TRIGGER ON t FROM app CASCADE;\n\
         GRANT SELECT (a, b), UPDATE (b) ON t TO \"Reader\", PUBLIC;\n\
         GRANT USAGE ON SEQUENCE t_id_seq TO app;\n\
         REVOKE ALL ON FUNCTION f FROM PUBLIC;\n\
         GRANT EXECUTE ON FUNCTION f(integer) TO app;\n\
         GRANT app TO someone;\n\
         GRANT CONNECT ON DATABASE postgres TO app;\n",
    );
    let all_but = |left_out: &[Privilege], option: bool| {
        table("t")
            .privileges()
            .iter()
            .filter(|privilege| !left_out.contains(privilege))
            .map(|privilege| (*privilege, option && *privilege != Privilege::Delete))
            .collect::<Grants>()
    };
    assert_eq!(
        schema.acl(&table("t")),
        Acl::from([(
            "app".to_string(),
            all_but(&[Privilege::Truncate, Privilege::Trigger], true)
        )])
    );
    assert_eq!(schema.acl(&table("v")).len(), 1);
    let readers = |privileges: &[(Privilege, bool)]| {
        Acl::from([
            ("Reader".to_string(), grants(privileges)),
            (PUBLIC.to_string(), grants(privileges)),
        ])
    };
    assert_eq!(
        schema.acl(&column("t", "a")),
        readers(&[(Privilege::Select, false)])
    );
    assert_eq!(
        schema.acl(&column("t", "b")),
        readers(&[(Privilege::Select, false), (Privilege::Update, false)])
    );
    let sequence = PrivilegeObject::Sequence(QualifiedName::new("public", "t_id_seq"));
    assert_eq!(
        schema.acl(&sequence),
        Acl::from([("app".to_string(), grants(&[(Privilege::Usage, false)]))])
    );
    let function = schema.functions.keys().next().expect("f").clone();
    assert_eq!(
        schema.acl(&PrivilegeObject::Function(function)),
        Acl::from([("app".to_string(), grants(&[(Privilege::Execute, false)]))])
    );
}

#[test]
fn a_table_level_revoke_takes_the_column_privileges_along() {
    let schema = replay(
        "CREATE TABLE t (a int, b int);\n\
         GRANT SELECT (a), UPDATE (a, b) ON t TO app;\n\
         REVOKE SELECT, UPDATE ON t FROM app;\n\
         GRANT UPDATE (b) ON t TO app;\n",
    );
    assert_eq!(schema.acl(&column("t", "a")), Acl::new());
    assert_eq!(
        schema.acl(&column("t", "b")),
        Acl::from([("app".to_string(), grants(&[(Privilege::Update, false)]))])
    );
}

#[test]
fn privileges_follow_renames_and_do_not_outlive_their_objects() {
    let schema = replay(
        "CREATE TABLE t (a int);\n\
         GRANT SELECT ON t TO app;\n\
         GRANT UPDATE (a) ON t TO app;\n\
         ALTER TABLE t RENAME TO u;\n\
         ALTER TABLE u RENAME COLUMN a TO b;\n\
         CREATE TABLE gone (a int);\n\
         GRANT SELECT ON gone TO app;\n\
         DROP TABLE gone;\n\
         CREATE TABLE gone (a int);\n\
         CREATE TABLE dropped (a int);\n\
         GRANT SELECT ON dropped TO app;\n\
         DROP TABLE dropped;\n",
    );
    let keys: Vec<&PrivilegeObject> = schema.privileges.keys().collect();
    assert_eq!(keys, [&table("u"), &column("u", "b")]);
}

#[test]
fn grants_on_all_tables_in_a_schema_include_views() {
    let schema = replay(
        "CREATE SCHEMA app;\n\
         CREATE TABLE app.t (a int);\n\
         CREATE VIEW app.v AS SELECT a FROM app.t;\n\
         CREATE TABLE public.other (a int);\n\
         GRANT SELECT ON ALL TABLES IN SCHEMA app TO reader;\n",
    );
    let names: Vec<String> = schema.privileges.keys().map(ToString::to_string).collect();
    assert_eq!(names, ["table app.t", "table app.v"]);
}

#[test]
fn default_privileges_of_a_named_role() {
    let schema = replay(
        "CREATE SCHEMA app;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE owner IN SCHEMA app GRANT SELECT ON TABLES TO reader;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE owner REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n",
    );
    let defaults = |schema: Option<&str>, objects| PrivilegeObject::Defaults {
        role: "owner".to_string(),
        schema: schema.map(str::to_string),
        objects,
    };
    assert_eq!(
        schema.acl(&defaults(Some("app"), DefaultObjects::Tables)),
        Acl::from([("reader".to_string(), grants(&[(Privilege::Select, false)]))])
    );
    assert_eq!(
        schema.acl(&defaults(None, DefaultObjects::Functions)),
        Acl::new()
    );
    let error = replay_error("CREATE TABLE t (a int);\nGRANT EXECUTE ON t TO app;");
    assert!(error.contains("invalid privilege type EXECUTE"), "{error}");
    let error = replay_error("GRANT SELECT ON missing TO app;");
    assert!(error.contains("does not exist"), "{error}");
}

#[test]
fn aggregates_and_range_types_have_privileges_of_their_own() {
    let schema = replay(
        "CREATE SCHEMA app;\n\
         CREATE FUNCTION app.f(x int) RETURNS int LANGUAGE sql AS 'SELECT x';\n\
         CREATE PROCEDURE app.p() LANGUAGE sql AS 'SELECT 1';\n\
         CREATE AGGREGATE app.total(integer) (SFUNC = int4pl, STYPE = integer);\n\
         CREATE AGGREGATE app.counted(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');\n\
         CREATE TYPE app.span AS RANGE (subtype = integer);\n\
         GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA app TO reader;\n\
         REVOKE EXECUTE ON FUNCTION app.total(int) FROM reader;\n\
         GRANT EXECUTE ON ROUTINE app.total(integer) TO writer;\n\
         ALTER AGGREGATE app.counted(*) RENAME TO tally;\n\
         GRANT USAGE ON TYPE app.span TO reader;\n\
         ALTER TYPE app.span RENAME TO steps;\n\
         CREATE AGGREGATE app.dropped(integer) (SFUNC = int4pl, STYPE = integer);\n\
         GRANT EXECUTE ON FUNCTION app.dropped(integer) TO reader;\n\
         DROP AGGREGATE app.dropped(integer);\n\
         CREATE AGGREGATE app.dropped(integer) (SFUNC = int4pl, STYPE = integer);\n",
    );
    let names: Vec<String> = schema.privileges.keys().map(ToString::to_string).collect();
    assert_eq!(
        names,
        [
            "function app.f(integer)",
            "function app.tally()",
            "function app.total(integer)",
            "type app.steps"
        ]
    );
    let total = schema
        .privileges
        .keys()
        .find(|object| object.to_string() == "function app.total(integer)")
        .expect("total");
    let expected = |role: &str| (role.to_string(), grants(&[(Privilege::Execute, false)]));
    assert_eq!(
        schema.acl(total),
        Acl::from([expected(PUBLIC), expected("writer")])
    );
    let error = replay_error(
        "CREATE TYPE span AS RANGE (subtype = integer);\nGRANT USAGE ON TYPE span_multirange TO reader;",
    );
    assert!(error.contains("multirange"), "{error}");
}

/// PostgreSQL finds a routine named without arguments when its name is unique among the
/// kind the statement names: `FUNCTION` and `ROUTINE` find aggregates, `PROCEDURE` does not.
#[test]
fn an_aggregate_named_without_arguments_is_granted_when_its_name_is_unique() {
    let aggregate = "CREATE AGGREGATE agg(integer) (SFUNC = int4pl, STYPE = integer);\n";
    let schema = replay(&format!(
        "{aggregate}GRANT EXECUTE ON FUNCTION agg TO reader;\nGRANT EXECUTE ON ROUTINE agg TO writer;\n"
    ));
    let key = crate::model::FunctionName {
        schema: "public".to_string(),
        name: "agg".to_string(),
        argument_types: vec!["integer".to_string()],
    };
    let acl = schema.acl(&PrivilegeObject::Function(key));
    for role in [PUBLIC, "reader", "writer"] {
        assert!(acl.contains_key(role), "{role} in {acl:?}");
    }
    for (statements, expected) in [
        (
            "GRANT EXECUTE ON PROCEDURE agg TO reader;",
            "could not find a procedure named agg",
        ),
        (
            "GRANT EXECUTE ON PROCEDURE agg(integer) TO reader;",
            "agg(integer) is not a procedure",
        ),
        (
            "CREATE FUNCTION agg(t text) RETURNS text LANGUAGE sql AS 'SELECT t';\n\
             GRANT EXECUTE ON FUNCTION agg TO reader;",
            "function name agg is not unique",
        ),
    ] {
        let error = replay_error(&format!("{aggregate}{statements}"));
        assert!(error.contains(expected), "{error}");
    }
}

#[test]
fn what_a_role_creates_after_set_role_is_its_own_with_its_default_privileges() {
    let schema = replay(
        "CREATE SCHEMA app;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE creator GRANT SELECT ON TABLES TO reader;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE creator IN SCHEMA app \
           GRANT INSERT ON TABLES TO writer WITH GRANT OPTION;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE creator REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE other GRANT SELECT ON TABLES TO other_reader;\n\
         SET ROLE creator;\n\
         CREATE TABLE app.t (id serial);\n\
         CREATE TABLE plain (id integer);\n\
         CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS 'SELECT 1';\n\
         RESET ROLE;\n\
         CREATE TABLE mine (id integer);\n\
         SET SESSION ROLE 'creator';\n\
         CREATE SEQUENCE s;\n\
         SET ROLE NONE;\n\
         SET role = creator;\n\
         SET role TO DEFAULT;\n\
         CREATE TABLE also_mine (id integer);\n\
         SET SESSION AUTHORIZATION creator;\n\
         CREATE TABLE authorized (id integer);\n\
         RESET SESSION AUTHORIZATION;\n",
    );
    let app_t = PrivilegeObject::Table(QualifiedName::new("app", "t"));
    let owner = |object: &PrivilegeObject| schema.owners.get(object).map(String::as_str);
    assert_eq!(
        schema.acl(&app_t),
        Acl::from([
            ("reader".to_string(), grants(&[(Privilege::Select, false)])),
            ("writer".to_string(), grants(&[(Privilege::Insert, true)])),
        ])
    );
    assert_eq!(
        schema.acl(&table("plain")),
        Acl::from([("reader".to_string(), grants(&[(Privilege::Select, false)]))])
    );
    let function = PrivilegeObject::Function(FunctionName {
        schema: "public".into(),
        name: "f".into(),
        argument_types: vec![],
    });
    assert_eq!(schema.acl(&function), Acl::new());
    assert_eq!(schema.acl(&table("mine")), Acl::new());
    for object in [&app_t, &table("plain"), &function, &table("authorized")] {
        assert_eq!(owner(object), Some("creator"), "{object}");
    }
    let sequence = PrivilegeObject::Sequence(QualifiedName::new("public", "s"));
    assert_eq!(owner(&sequence), Some("creator"));
    // The role running the script, and a serial's sequence, which has its table's owner.
    assert_eq!(owner(&table("mine")), None);
    assert_eq!(owner(&table("also_mine")), None);
    assert_eq!(schema.owners.len(), 5, "{:?}", schema.owners);
    let error = replay_error("SET LOCAL ROLE creator;\n");
    assert!(error.contains("SET LOCAL ROLE"), "{error}");
}

#[test]
fn the_running_roles_default_privileges_apply_to_what_it_creates() {
    let schema = replay(
        "CREATE SCHEMA app;\n\
         ALTER DEFAULT PRIVILEGES GRANT SELECT ON TABLES TO reader;\n\
         ALTER DEFAULT PRIVILEGES FOR ROLE CURRENT_USER IN SCHEMA app GRANT INSERT ON TABLES TO writer;\n\
         ALTER DEFAULT PRIVILEGES REVOKE EXECUTE ON FUNCTIONS FROM PUBLIC;\n\
         ALTER DEFAULT PRIVILEGES GRANT USAGE ON SEQUENCES TO reader;\n\
         SET ROLE creator;\n\
         ALTER DEFAULT PRIVILEGES GRANT DELETE ON TABLES TO reader;\n\
         CREATE TABLE by_creator (id integer);\n\
         RESET ROLE;\n\
         CREATE TABLE app.t (id serial);\n\
         CREATE FUNCTION f() RETURNS integer LANGUAGE sql AS 'SELECT 1';\n\
         CREATE SEQUENCE s;\n",
    );
    let defaults = |role: &str, objects| PrivilegeObject::Defaults {
        role: role.to_string(),
        schema: None,
        objects,
    };
    let reader = |privilege| Acl::from([("reader".to_string(), grants(&[(privilege, false)]))]);
    assert_eq!(
        schema.acl(&defaults(CURRENT_USER, DefaultObjects::Tables)),
        reader(Privilege::Select)
    );
    assert_eq!(
        schema.acl(&defaults("creator", DefaultObjects::Tables)),
        reader(Privilege::Delete)
    );
    assert_eq!(schema.acl(&table("by_creator")), reader(Privilege::Delete));
    assert_eq!(
        schema.acl(&PrivilegeObject::Table(QualifiedName::new("app", "t"))),
        Acl::from([
            ("reader".to_string(), grants(&[(Privilege::Select, false)])),
            ("writer".to_string(), grants(&[(Privilege::Insert, false)])),
        ])
    );
    let sequence = |name: &str| PrivilegeObject::Sequence(QualifiedName::new("public", name));
    assert_eq!(schema.acl(&sequence("s")), reader(Privilege::Usage));
    let function = PrivilegeObject::Function(FunctionName {
        schema: "public".into(),
        name: "f".into(),
        argument_types: vec![],
    });
    assert_eq!(schema.acl(&function), Acl::new());
}
