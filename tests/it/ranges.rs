//! Range types through the binary: `inspect` writes every option so that `diff` is empty,
//! a range type over a rebuilt enum is rebuilt around it, and a range type that must be
//! rebuilt while a column uses it is refused, naming the column.

use std::process::Command;

use crate::scratch::ScratchDb;

fn autogen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
}

const SETUP: &str = "
CREATE SCHEMA spans;
CREATE FUNCTION spans.hours(a timestamp, b timestamp) RETURNS float8
  LANGUAGE sql IMMUTABLE AS 'SELECT extract(epoch FROM a - b) / 3600';
CREATE TYPE spans.shift AS RANGE (subtype = timestamp, subtype_diff = spans.hours,
  multirange_type_name = spans.rota);
CREATE TYPE word_range AS RANGE (subtype = text, collation = \"C\",
  subtype_opclass = text_pattern_ops);
CREATE TYPE plain_range AS RANGE (subtype = int2);
COMMENT ON TYPE plain_range IS 'small numbers';
CREATE TABLE staff (id integer PRIMARY KEY, working spans.shift, rota spans.rota, words word_range);
INSERT INTO staff VALUES (1, '[2024-01-01 09:00, 2024-01-01 17:00)', '{}', '[a,b)');
";

#[tokio::test]
async fn inspected_range_types_diff_empty_and_a_used_one_is_not_rebuilt() {
    let database = ScratchDb::create("autogen_ranges").await;
    database
        .client()
        .await
        .batch_execute(SETUP)
        .await
        .expect("setup applies");
    let yaml = crate::inspected::inspect_diffs_empty(&database);
    for expected in [
        "spans.shift: { subtype: timestamp without time zone, subtype_diff: spans.hours, multirange: rota }",
        "word_range: { subtype: text, subtype_opclass: text_pattern_ops, collation: C }",
        "plain_range: { subtype: smallint, comment: small numbers }",
        "rota: spans.rota",
    ] {
        assert!(yaml.contains(expected), "{expected} in:\n{yaml}");
    }
    let yaml_path = std::env::temp_dir().join(format!("autogen-ranges-{}.yaml", database.name));
    let changed = yaml.replace("collation: C }", "collation: POSIX }");
    std::fs::write(&yaml_path, &changed).expect("writes the schema file");
    let refused = autogen()
        .args(["diff", "--from", &database.url, "--to"])
        .arg(&yaml_path)
        .output()
        .expect("autogen runs");
    std::fs::remove_file(&yaml_path).ok();
    let stderr = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{stderr}\nYAML:\n{changed}");
    assert!(
        stderr.contains(
            "range type word_range must be dropped and created again, but column staff.words uses it"
        ),
        "{stderr}"
    );
}

/// `autogen diff` from `database` to the schema file `yaml`: its exit code, standard output
/// and standard error.
fn diff(
    database: &ScratchDb,
    yaml: &std::path::Path,
    flags: &[&str],
) -> (Option<i32>, String, String) {
    let output = autogen()
        .args(["diff", "--from", &database.url])
        .args(flags)
        .arg("--to")
        .arg(yaml)
        .output()
        .expect("autogen runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

const ON_MOOD: &str = "
CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
CREATE TYPE mood_range AS RANGE (subtype = mood);
CREATE AGGREGATE best_mood(mood) (SFUNC = enum_larger, STYPE = mood);
CREATE TABLE person (id integer PRIMARY KEY, mood mood);
INSERT INTO person VALUES (1, 'sad'), (2, 'happy');
";

/// Range types and aggregates are managed (issue 10): an enum rebuilt under them drops them
/// before the rebuild and creates them again after it, both ways, and the rows stay.
#[tokio::test]
async fn an_enum_rebuilt_under_a_range_type_and_an_aggregate_rebuilds_them_around_it() {
    let database = ScratchDb::create("autogen_ranges_on_enum").await;
    let client = database.client().await;
    client.batch_execute(ON_MOOD).await.expect("setup applies");
    let yaml = crate::inspected::inspect_diffs_empty(&database);
    let changed = yaml.replace("[sad, ok, happy]", "[sad, happy]");
    assert_ne!(changed, yaml, "the enum's values in:\n{yaml}");
    let directory = std::env::temp_dir();
    let (before_path, after_path) = (
        directory.join(format!("autogen-ranges-{}-before.yaml", database.name)),
        directory.join(format!("autogen-ranges-{}-after.yaml", database.name)),
    );
    std::fs::write(&before_path, &yaml).expect("writes the schema file");
    std::fs::write(&after_path, &changed).expect("writes the schema file");
    let (code, up, stderr) = diff(&database, &after_path, &[]);
    assert_eq!(code, Some(0), "{stderr}\nYAML:\n{changed}");
    for expected in [
        "DROP AGGREGATE public.best_mood(mood);\nDROP TYPE public.mood_range;",
        "DROP TYPE public.mood__autogen_old;\nCREATE TYPE public.mood_range AS RANGE (SUBTYPE = mood);",
    ] {
        assert!(up.contains(expected), "{expected} in:\n{up}");
    }
    client
        .batch_execute(&up)
        .await
        .expect("the upgrade applies");
    let (code, rest, stderr) = diff(&database, &after_path, &["--exit-code"]);
    assert_eq!(code, Some(0), "after the upgrade:\n{rest}{stderr}");
    let (code, down, stderr) = diff(&database, &before_path, &[]);
    assert_eq!(code, Some(0), "{stderr}");
    client
        .batch_execute(&down)
        .await
        .expect("the downgrade applies");
    let (code, rest, stderr) = diff(&database, &before_path, &["--exit-code"]);
    std::fs::remove_file(&before_path).ok();
    std::fs::remove_file(&after_path).ok();
    assert_eq!(code, Some(0), "after the downgrade:\n{rest}{stderr}");
    let best = client
        .query_one(
            "SELECT best_mood(mood)::text, count(*) FROM person WHERE mood <@ mood_range('sad', 'happy', '[]')",
            &[],
        )
        .await
        .expect("the aggregate and the range type work");
    assert_eq!(
        (best.get::<_, String>(0), best.get::<_, i64>(1)),
        ("happy".to_string(), 2)
    );
}

/// A range type over a rebuilt enum that a column uses cannot be dropped around the rebuild:
/// the plan is refused, naming the column.
#[tokio::test]
async fn an_enum_rebuilt_under_a_range_type_a_column_uses_is_refused() {
    let database = ScratchDb::create("autogen_ranges_on_enum_used").await;
    database
        .client()
        .await
        .batch_execute(&format!(
            "{ON_MOOD} CREATE TABLE visit (id integer PRIMARY KEY, moods mood_range);"
        ))
        .await
        .expect("setup applies");
    let yaml = crate::inspected::inspect_diffs_empty(&database);
    let changed = yaml.replace("[sad, ok, happy]", "[sad, happy]");
    let yaml_path = std::env::temp_dir().join(format!("autogen-ranges-{}.yaml", database.name));
    std::fs::write(&yaml_path, &changed).expect("writes the schema file");
    let (code, _, stderr) = diff(&database, &yaml_path, &[]);
    std::fs::remove_file(&yaml_path).ok();
    assert_eq!(code, Some(2), "{stderr}\nYAML:\n{changed}");
    assert!(
        stderr.contains(
            "range type mood_range must be dropped and created again, but column visit.moods uses it"
        ),
        "{stderr}"
    );
    assert!(!stderr.contains("which the migration"), "{stderr}");
}
