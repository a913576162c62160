//! Range types through the binary: `inspect` writes every option so that `diff` is empty,
//! and a range type that must be rebuilt while a column uses it is refused, naming the
//! column.

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

/// Range types and aggregates are managed (issue 10): one built on an enum that must be
/// rebuilt is named as what blocks the rebuild, not refused as an unmanaged dependent.
#[tokio::test]
async fn an_enum_rebuilt_under_a_range_type_and_an_aggregate_names_them() {
    let database = ScratchDb::create("autogen_ranges_on_enum").await;
    database
        .client()
        .await
        .batch_execute(
            "CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
             CREATE TYPE mood_range AS RANGE (subtype = mood);
             CREATE AGGREGATE best_mood(mood) (SFUNC = enum_larger, STYPE = mood);
             CREATE TABLE person (id integer PRIMARY KEY, mood mood);",
        )
        .await
        .expect("setup applies");
    let yaml = crate::inspected::inspect_diffs_empty(&database);
    let changed = yaml.replace("[sad, ok, happy]", "[sad, happy]");
    assert_ne!(changed, yaml, "the enum's values in:\n{yaml}");
    let yaml_path = std::env::temp_dir().join(format!("autogen-ranges-{}.yaml", database.name));
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
        stderr.contains("enum mood must be rebuilt, but range type mood_range, aggregate best_mood(mood) are built on it"),
        "{stderr}"
    );
    assert!(!stderr.contains("which the migration"), "{stderr}");
}
