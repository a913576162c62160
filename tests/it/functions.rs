//! Functions through the binary: `inspect` writes them so that `diff` is empty, and a plan
//! that must drop for good a function something still calls is refused with the callers
//! named.

use std::process::Command;

use crate::scratch::ScratchDb;

fn autogen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
}

const SETUP: &str = "
CREATE SCHEMA ops;
CREATE FUNCTION rate() RETURNS integer LANGUAGE sql IMMUTABLE AS 'SELECT 2';
CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
CREATE FUNCTION ops.pair(a int, INOUT b text DEFAULT 'x', VARIADIC rest int[] DEFAULT '{}')
  LANGUAGE sql STABLE STRICT SECURITY DEFINER LEAKPROOF PARALLEL RESTRICTED COST 7
  SET search_path = ops, public SET DateStyle TO 'ISO, MDY'
  AS $body$ SELECT b || $$ $function$ $$ $body$;
CREATE PROCEDURE ops.log(msg text, OUT done boolean) LANGUAGE plpgsql AS $$ BEGIN done := true; END $$;
CREATE FUNCTION sum3(x int) RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT x + 3; END;
COMMENT ON FUNCTION rate() IS 'the rate';
CREATE TABLE prices (id int PRIMARY KEY, amount int CHECK (amount * rate() > 0));
CREATE TRIGGER prices_touch BEFORE UPDATE ON prices FOR EACH ROW EXECUTE FUNCTION touch();
INSERT INTO prices VALUES (1, 5);
";

#[tokio::test]
async fn inspected_functions_diff_empty_and_needed_ones_are_never_dropped() {
    let database = ScratchDb::create("autogen_functions").await;
    database
        .client()
        .await
        .batch_execute(SETUP)
        .await
        .expect("setup applies");
    let yaml = crate::inspected::inspect_diffs_empty(&database);
    let yaml_path = std::env::temp_dir().join(format!("autogen-functions-{}.yaml", database.name));
    let diff = |yaml: &str| {
        std::fs::write(&yaml_path, yaml).expect("writes the schema file");
        autogen()
            .args(["diff", "--exit-code", "--from", &database.url, "--to"])
            .arg(&yaml_path)
            .output()
            .expect("autogen runs")
    };
    // A new return type drops `rate()` and creates it again, with the kept check calling
    // it around it; leaving out `touch()` drops what a kept trigger calls.
    let changed = yaml.replace("returns: integer\n", "returns: bigint\n");
    let without_touch: String = {
        let start = changed.find("  - name: touch").expect("touch is written");
        let end = changed[start + 1..]
            .find("  - name:")
            .map_or(changed.len(), |end| start + 1 + end);
        format!("{}{}", &changed[..start], &changed[end..])
    };
    let refused = diff(&without_touch);
    std::fs::remove_file(&yaml_path).ok();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(
        refused.status.code(),
        Some(2),
        "{stderr}\nYAML:\n{without_touch}"
    );
    // A kept check calling `rate()`, dropped and created again, is too.
    assert!(!stderr.contains("prices_amount_check"), "{stderr}");
    assert!(
        stderr.contains("trigger prices_touch on table prices calls function touch()"),
        "{stderr}"
    );
    assert!(refused.stdout.is_empty(), "nothing is printed to run");
}

/// A view renaming a function's composite result columns (`FROM addrs() a(code, road)`)
/// binds them by position; a retyped attribute is dropped and added again last, so the view
/// created again would read `street` as `code`. The plan is refused, naming both.
#[tokio::test]
async fn an_alias_list_over_reordered_columns_is_refused() {
    let database = ScratchDb::create("autogen_alias_lists").await;
    database
        .client()
        .await
        .batch_execute(
            "CREATE TYPE addr AS (zip int, street text);
             CREATE FUNCTION addrs() RETURNS SETOF addr LANGUAGE sql STABLE
               AS $$ SELECT 1, 'main' $$;
             CREATE VIEW renamed AS SELECT a.code, a.road FROM addrs() a(code, road);",
        )
        .await
        .expect("setup applies");
    let yaml = "composite_types:
  addr:
    attributes:
      zip: text
      street: text
functions:
  - name: addrs
    returns: setof addr
    language: sql
    body: \" SELECT '1', 'main' \"
    volatility: stable
views:
  renamed: \"SELECT a.code, a.road FROM addrs() a(code, road)\"
";
    let yaml_path = std::env::temp_dir().join(format!("autogen-aliases-{}.yaml", database.name));
    std::fs::write(&yaml_path, yaml).expect("writes the schema file");
    let refused = autogen()
        .args(["diff", "--from", &database.url, "--to"])
        .arg(&yaml_path)
        .output()
        .expect("autogen runs");
    std::fs::remove_file(&yaml_path).ok();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains("view renamed renames the result columns of function addrs"),
        "{stderr}"
    );
    assert!(
        stderr.contains("they stand as (street, zip), not as declared (zip, street)"),
        "{stderr}"
    );
    assert_eq!(stderr.matches("view renamed").count(), 1, "{stderr}");
    assert!(refused.stdout.is_empty(), "nothing is printed to run");
}
