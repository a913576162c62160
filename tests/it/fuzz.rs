//! Fuzzing on stable Rust: proptest mutates real schema files, SQL and revisions (and feeds
//! random text) to every parser of untrusted input, which must answer with an error, never a
//! panic, a hang or a stack overflow.
//!
//! CI runs a bounded budget (`PROPTEST_CASES`, default 256 per target); a longer run is
//! `PROPTEST_CASES=100000 cargo test --release --test it fuzz`; proptest shrinks a crash to
//! a small input, which then becomes a unit test beside the parser it crashed.

use std::path::{Path, PathBuf};

use proptest::prelude::*;

/// Seed inputs: the bundled example, every fixture's schema files and the revisions.
fn seeds(extensions: &[&str]) -> Vec<String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut paths: Vec<PathBuf> = ["schema", "migrations", "fixtures/cases", "fixtures/errors"]
        .iter()
        .flat_map(|directory| walk(&root.join(directory)))
        .filter(|path| {
            path.extension()
                .and_then(|extension| extension.to_str())
                .is_some_and(|extension| extensions.contains(&extension))
        })
        .collect();
    paths.sort();
    paths
        .iter()
        .filter_map(|path| std::fs::read_to_string(path).ok())
        .collect()
}

fn walk(directory: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(directory) else {
        return Vec::new();
    };
    entries
        .flatten()
        .flat_map(|entry| match entry.path().is_dir() {
            true => walk(&entry.path()),
            false => vec![entry.path()],
        })
        .collect()
}

/// Bytes that matter to YAML and SQL lexers, so mutations reach their edge cases.
const INTERESTING: &[&str] = &[
    "(",
    ")",
    "[",
    "]",
    "{",
    "}",
    ";",
    ":",
    ",",
    "'",
    "\"",
    "$$",
    "$a$",
    "--",
    "/*",
    "*/",
    "\\",
    "\n",
    "\r",
    "\t",
    "\0",
    "-",
    "? ",
    "&a ",
    "*a",
    "!!str ",
    "|",
    ">",
    "#",
    "E'",
    "U&'",
    "::",
    "\u{202e}",
    "é",
    "0",
    "-1",
    "99999999999999999999",
    "NULL",
    "CREATE",
    "TABLE",
    "ALTER",
    "DROP",
    "CHECK",
    "DEFAULT",
    "REFERENCES",
    "RENAME",
    "TO",
    "tables:",
    "columns:",
    "  ",
];

/// One edit at a relative position: insert, delete or replace a span.
#[derive(Debug, Clone)]
enum Mutation {
    Insert(f64, usize),
    Delete(f64, usize),
    Replace(f64, usize, usize),
    Duplicate(f64, usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let position = 0.0..1.0f64;
    prop_oneof![
        (position.clone(), 0..INTERESTING.len())
            .prop_map(|(at, piece)| Mutation::Insert(at, piece)),
        (position.clone(), 1..64usize).prop_map(|(at, length)| Mutation::Delete(at, length)),
        (position.clone(), 1..8usize, 0..INTERESTING.len())
            .prop_map(|(at, length, piece)| Mutation::Replace(at, length, piece)),
        (position, 1..256usize).prop_map(|(at, length)| Mutation::Duplicate(at, length)),
    ]
}

/// The nearest char boundary at or before `at` (a fraction of the text).
fn boundary(text: &str, at: f64) -> usize {
    let mut index = ((text.len() as f64) * at) as usize;
    while index > 0 && !text.is_char_boundary(index) {
        index -= 1;
    }
    index.min(text.len())
}

fn end_of(text: &str, start: usize, length: usize) -> usize {
    let mut end = (start + length).min(text.len());
    while end < text.len() && !text.is_char_boundary(end) {
        end += 1;
    }
    end
}

fn mutate(seed: &str, mutations: &[Mutation]) -> String {
    let mut text = seed.to_string();
    for mutation in mutations {
        match *mutation {
            Mutation::Insert(at, piece) => {
                let index = boundary(&text, at);
                text.insert_str(index, INTERESTING[piece]);
            }
            Mutation::Delete(at, length) => {
                let start = boundary(&text, at);
                let end = end_of(&text, start, length);
                text.replace_range(start..end, "");
            }
            Mutation::Replace(at, length, piece) => {
                let start = boundary(&text, at);
                let end = end_of(&text, start, length);
                text.replace_range(start..end, INTERESTING[piece]);
            }
            Mutation::Duplicate(at, length) => {
                let start = boundary(&text, at);
                let end = end_of(&text, start, length);
                let span = text[start..end].to_string();
                text.insert_str(end, &span);
            }
        }
    }
    text
}

/// A mutated seed, or (one time in eight) random text.
fn input(seeds: Vec<String>) -> impl Strategy<Value = String> {
    let count = seeds.len();
    prop_oneof![
        7 => (0..count, prop::collection::vec(mutation(), 1..8))
            .prop_map(move |(seed, mutations)| mutate(&seeds[seed], &mutations)),
        1 => ".{0,400}",
    ]
}

fn load_yaml(text: &str) {
    let _ = autogen::spec::parse(text, Path::new("fuzz.yaml"));
}

fn replay_sql(text: &str) {
    let mut interpreter = autogen::ddl::Interpreter::new();
    let _ = interpreter.run(text, Path::new("fuzz.sql"));
    let _ = interpreter.schema();
}

fn read_revision(text: &str) {
    let path = Path::new("migrations/20261124160000_fuzz.up.sql");
    let _ = autogen::migrations::Header::parse(text, path);
    let _ = autogen::syntax::statements::split_statements(text, path);
}

fn compare_expressions(text: &str) {
    for kind in [
        autogen::guard::Fragment::Expression,
        autogen::guard::Fragment::Query,
        autogen::guard::Fragment::TypeName,
        autogen::guard::Fragment::OperatorClass,
    ] {
        let _ = autogen::guard::fragment(kind, text);
    }
    let _ = autogen::equivalence::expression_key(text);
    let _ = autogen::equivalence::query_key(text);
}

proptest! {
    #[test]
    fn fuzz_schema_yaml(text in input(seeds(&["yaml"]))) {
        load_yaml(&text);
    }

    #[test]
    fn fuzz_sql_interpreter(text in input(seeds(&["sql"]))) {
        replay_sql(&text);
    }

    #[test]
    fn fuzz_revision_files(text in input(seeds(&["sql"]))) {
        read_revision(&text);
    }

    #[test]
    fn fuzz_expressions(text in input(seeds(&["sql"])).prop_map(|text| text.chars().take(300).collect::<String>())) {
        compare_expressions(&text);
    }
}
