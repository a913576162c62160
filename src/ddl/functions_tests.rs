use super::*;
use crate::model::{FunctionBody, FunctionName, Returns};

fn replay(sql: &str) -> Schema {
    let mut interpreter = Interpreter::new();
    interpreter
        .run(sql, Path::new("test.sql"))
        .unwrap_or_else(|error| panic!("{error}"));
    crate::normalize::normalize(interpreter.schema())
}

fn key(name: &str, types: &[&str]) -> FunctionName {
    FunctionName {
        schema: "public".to_string(),
        name: name.to_string(),
        argument_types: types.iter().map(|name| name.to_string()).collect(),
    }
}

#[test]
fn hand_written_functions_read_back_as_the_catalog_holds_them() {
    let schema = replay(
        "CREATE FUNCTION f(a int, b varchar(10) = 'x', OUT c numeric(4,2)) AS $$ SELECT 1, 2.0 $$\n\
           LANGUAGE SQL STABLE RETURNS NULL ON NULL INPUT COST 100 SET search_path = public, \"My S\";\n\
         CREATE FUNCTION f(double precision) RETURNS SETOF text LANGUAGE plpgsql ROWS 5 AS 'BEGIN END';\n\
         CREATE FUNCTION g() RETURNS TABLE(id int, name text) LANGUAGE sql BEGIN ATOMIC SELECT 1, 'a'; END;\n\
         COMMENT ON FUNCTION f(integer, character varying) IS 'kept';\n\
         CREATE OR REPLACE FUNCTION f(a int, b varchar(10) = 'y', OUT c numeric) AS $$ SELECT 2, 2.0 $$ LANGUAGE sql;\n\
         ALTER FUNCTION f(double precision) RENAME TO h;\n\
         ALTER FUNCTION h SECURITY DEFINER PARALLEL SAFE SET work_mem TO '64MB';\n\
         ALTER FUNCTION h(float8) RESET work_mem;\n",
    );
    let f = &schema.functions[&key("f", &["integer", "character varying"])];
    assert_eq!(f.comment.as_deref(), Some("kept"));
    assert_eq!(f.body, FunctionBody::Source(" SELECT 2, 2.0 ".to_string()));
    assert!(!f.strict, "CREATE OR REPLACE resets what it does not say");
    assert_eq!(
        f.returns,
        Some(Returns::Type {
            setof: false,
            data_type: "numeric".to_string()
        })
    );
    let h = &schema.functions[&key("h", &["double precision"])];
    assert!(h.security_definer);
    assert!(h.config.is_empty());
    assert_eq!(h.rows.as_deref(), Some("5"));
    let g = &schema.functions[&key("g", &[])];
    assert!(matches!(g.returns, Some(Returns::Table(ref columns)) if columns.len() == 2));
    assert!(matches!(g.body, FunctionBody::Sql(ref body) if body.starts_with("BEGIN ATOMIC")));
}

#[test]
fn settings_are_stored_as_proconfig_spells_them() {
    let schema = replay(
        "CREATE FUNCTION f() RETURNS int LANGUAGE sql SET search_path = public, \"My S\" \
           SET TimeZone TO 'UTC' AS 'SELECT 1';",
    );
    let f = &schema.functions[&key("f", &[])];
    assert_eq!(
        f.config,
        [
            ("search_path".to_string(), "public, \"My S\"".to_string()),
            ("TimeZone".to_string(), "UTC".to_string())
        ]
    );
}

#[test]
fn drops_name_one_overload_or_a_unique_name() {
    let schema = replay(
        "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
         CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
         CREATE PROCEDURE p() LANGUAGE sql AS 'SELECT 1';\n\
         DROP FUNCTION f(integer);\n\
         DROP PROCEDURE IF EXISTS p, q;\n",
    );
    let names: Vec<String> = schema.functions.keys().map(ToString::to_string).collect();
    assert_eq!(names, ["f(text)"]);
    let mut interpreter = Interpreter::new();
    let error = interpreter
        .run(
            "CREATE FUNCTION f(int) RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
             CREATE FUNCTION f(text) RETURNS int LANGUAGE sql AS 'SELECT 1';\n\
             DROP FUNCTION f;",
            Path::new("test.sql"),
        )
        .expect_err("an ambiguous name");
    assert!(error.to_string().contains("not unique"), "{error}");
    let error = interpreter
        .run(
            "CREATE OR REPLACE FUNCTION f(int) RETURNS bigint LANGUAGE sql AS 'SELECT 1';",
            Path::new("test.sql"),
        )
        .expect_err("a new return type");
    assert!(error.to_string().contains("cannot replace"), "{error}");
}
