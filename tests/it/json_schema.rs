//! `schema/autogen.schema.json`, the JSON Schema editors validate schema files with, accepts
//! every schema file the project ships and every file `inspect` writes, and rejects broken
//! ones the loader rejects too.

use std::path::{Path, PathBuf};

use jsonschema::Validator;
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn validator() -> Validator {
    let text = std::fs::read_to_string(root().join("schema/autogen.schema.json"))
        .expect("the JSON Schema");
    let schema: Value = serde_json::from_str(&text).expect("valid JSON");
    jsonschema::meta::validate(&schema).expect("a valid draft 2020-12 schema");
    jsonschema::validator_for(&schema).expect("compiles")
}

/// The schema's complaints about a YAML text, one line each: where, then what.
fn violations(validator: &Validator, yaml: &str) -> Vec<String> {
    let document: yaml_serde::Value = yaml_serde::from_str(yaml).expect("valid YAML");
    let instance = serde_json::to_value(document).expect("YAML as JSON");
    validator
        .iter_errors(&instance)
        .map(|error| format!("{}: {error}", error.instance_path()))
        .collect()
}

/// The example, every fixture's schema files and the hostile inputs (well-formed, hostile in
/// their values).
fn shipped_schema_files() -> Vec<PathBuf> {
    let mut files = vec![root().join("schema/schema.yaml")];
    let cases = std::fs::read_dir(root().join("fixtures/cases")).expect("fixtures/cases");
    for case in cases.filter_map(|entry| entry.ok().map(|entry| entry.path())) {
        for name in ["desired.yaml", "current.yaml"] {
            files.push(case.join(name));
        }
    }
    let hostile = std::fs::read_dir(root().join("fixtures/hostile")).expect("fixtures/hostile");
    files.extend(hostile.filter_map(|entry| entry.ok().map(|entry| entry.path())));
    files.retain(|path| path.is_file() && path.extension().is_some_and(|ext| ext == "yaml"));
    files.sort();
    files
}

#[test]
fn json_schema_accepts_every_shipped_schema_file_and_what_inspect_writes() {
    let validator = validator();
    let files = shipped_schema_files();
    assert!(files.len() > 100, "found only {} files", files.len());
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).expect("reads");
        let mut documents = vec![("file", text.clone())];
        // Hostile files are well-formed but refused when their values are checked.
        if let Ok(loaded) = autogen::spec::parse(&text, path) {
            documents.push(("written back", autogen::spec::write(&loaded.schema)));
        }
        for (what, yaml) in &documents {
            for violation in violations(&validator, yaml) {
                failures.push(format!("{} ({what}): {violation}", path.display()));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn json_schema_rejects_broken_files_the_loader_rejects() {
    let validator = validator();
    let broken = [
        ("an unknown section", "tabels: {}"),
        (
            "a misspelt column key",
            "tables:\n  t:\n    columns:\n      id: { type: integer, nulable: false }",
        ),
        (
            "a primary key that is a number",
            "tables:\n  t:\n    columns: { id: integer }\n    primary_key: 5",
        ),
        (
            "an unknown identity",
            "tables:\n  t:\n    columns:\n      id: { type: integer, identity: sometimes }",
        ),
        (
            "an index key with both a column and an expression",
            "tables:\n  t:\n    columns: { a: text }\n    indexes:\n      i: { columns: [{ column: a, expression: lower(a) }] }",
        ),
        (
            "a trigger with an unknown timing",
            "tables:\n  t:\n    triggers:\n      g: { timing: during, events: [insert], function: f }",
        ),
        (
            "a function without a language",
            "functions:\n  - { name: f, returns: integer, body: select 1 }",
        ),
        ("a table that is a list", "tables: [t]"),
        (
            "a misspelt schema option",
            "schemas:\n  reporting: { coment: Read-only copies }",
        ),
        (
            "a statistics target out of range",
            "tables:\n  t:\n    columns:\n      a: { type: text, statistics: 20000 }",
        ),
        (
            "an unknown compression method",
            "tables:\n  t:\n    columns:\n      a: { type: text, compression: zstd }",
        ),
        (
            "an exclusion element without an operator",
            "tables:\n  t:\n    columns: { a: int4range }\n    exclude:\n      t_a_excl: { using: gist, elements: [{ column: a }] }",
        ),
        (
            "an exclusion constraint without elements",
            "tables:\n  t:\n    columns: { a: int4range }\n    exclude:\n      t_a_excl: { using: gist, elements: [] }",
        ),
        (
            "a partition key with two strategies",
            "tables:\n  t:\n    columns: { a: integer }\n    partition_by: { range: [a], hash: [a] }",
        ),
        (
            "a partition without bounds",
            "tables:\n  p:\n    columns: { a: integer }\n    partition_by: { list: [a] }\n  c:\n    partition_of: { parent: p }",
        ),
        (
            "a check with no_inherit as a word",
            "tables:\n  t:\n    columns: { a: integer }\n    checks:\n      t_a_check: { expression: a > 0, no_inherit: sometimes }",
        ),
        (
            "a grant to no role",
            "tables:\n  t:\n    columns: { a: text }\n    grants: [{ to: [], privileges: [SELECT] }]",
        ),
        (
            "a table grant of a function's privilege",
            "tables:\n  t:\n    columns: { a: text }\n    grants: [{ to: reader, privileges: [select, EXECUTE] }]",
        ),
        (
            "a table grant naming columns (column privileges go on the column)",
            "tables:\n  t:\n    columns: { a: text }\n    grants: [{ to: reader, privileges: [SELECT], columns: [a] }]",
        ),
        (
            "default privileges on schemas limited to a schema",
            "default_privileges:\n  - { for_role: owner, in_schema: public, on: schemas, grants: [{ to: reader, privileges: [USAGE] }] }",
        ),
    ];
    for (what, yaml) in broken {
        assert!(
            autogen::spec::parse(yaml, Path::new("broken.yaml")).is_err(),
            "the loader accepts {what}"
        );
        assert!(
            !violations(&validator, yaml).is_empty(),
            "the JSON Schema accepts {what}"
        );
    }
    let misspelt = "tables:\n  t:\n    columns:\n      id: { type: integer, nulable: false }";
    assert_eq!(
        violations(&validator, misspelt),
        ["/tables/t/columns/id: {\"nulable\":false,\"type\":\"integer\"} is not valid under any of the schemas listed in the 'anyOf' keyword"]
    );
}
