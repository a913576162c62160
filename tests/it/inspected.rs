//! `inspect` of a scratch database, then `diff` from the database to what it wrote: the
//! round trip every kind autogen manages must survive.

use std::process::Command;

use crate::scratch::ScratchDb;

fn autogen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
}

/// Writes `database` as schema YAML and asserts that diffing the database against it finds
/// nothing; returns the YAML.
pub fn inspect_diffs_empty(database: &ScratchDb) -> String {
    inspect_with_diffs_empty(database, &[])
}

/// `inspect_diffs_empty` with `flags` given to both `inspect` and `diff`
/// (`--with-privileges`).
pub fn inspect_with_diffs_empty(database: &ScratchDb, flags: &[&str]) -> String {
    let yaml_path = std::env::temp_dir().join(format!("autogen-inspect-{}.yaml", database.name));
    let inspect = autogen()
        .args(["inspect", "--database-url", &database.url])
        .args(flags)
        .arg("-o")
        .arg(&yaml_path)
        .output()
        .expect("autogen runs");
    assert_eq!(
        inspect.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&inspect.stderr)
    );
    let diff = autogen()
        .args(["diff", "--exit-code", "--from", &database.url])
        .args(flags)
        .arg("--to")
        .arg(&yaml_path)
        .output()
        .expect("autogen runs");
    let yaml = std::fs::read_to_string(&yaml_path).unwrap_or_default();
    std::fs::remove_file(&yaml_path).ok();
    assert_eq!(
        diff.status.code(),
        Some(0),
        "diff against inspected YAML not empty:\n{}\n{}\nYAML:\n{yaml}",
        String::from_utf8_lossy(&diff.stdout),
        String::from_utf8_lossy(&diff.stderr)
    );
    yaml
}
