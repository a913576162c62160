//! Untrusted input (issue 9): `check` runs on pull requests, so schema files, revisions and
//! autogen.toml may be hostile. Each case runs the binary without a database and under a
//! deadline, and expects exit 2 with a one-line error naming the file, and nothing written.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

static SANDBOX_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Long enough for a loaded machine, far shorter than the hang or the minutes of parsing
/// these inputs used to cause.
const DEADLINE: Duration = Duration::from_secs(5);

const REVISION_UP: &str = "migrations/20261124160000_first.up.sql";
const REVISION_DOWN: &str = "migrations/20261124160000_first.down.sql";
const REVISION_HEADER: &str = "-- autogen revision 20261124160000\n-- parent: none\n\
                               -- message: first\n-- created: 2026-11-24T16:00:00Z\n\
                               -- hazards: none\n\n";

/// A project directory without a database (removed on drop): autogen.toml, an empty
/// `schema/schema.yaml` and `migrations/`.
struct Sandbox {
    directory: PathBuf,
}

impl Sandbox {
    fn new() -> Sandbox {
        let directory = std::env::temp_dir().join(format!(
            "autogen-limits-{}-{}",
            std::process::id(),
            SANDBOX_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&directory);
        std::fs::create_dir_all(directory.join("schema")).expect("schema/");
        std::fs::create_dir_all(directory.join("migrations")).expect("migrations/");
        let sandbox = Sandbox { directory };
        sandbox.write(
            "autogen.toml",
            "database_url_env = \"AUTOGEN_TEST_UNSET_URL\"\n",
        );
        sandbox.write("schema/schema.yaml", "tables: {}\n");
        sandbox
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.directory.join(relative)
    }

    fn write(&self, relative: &str, contents: impl AsRef<[u8]>) {
        std::fs::write(self.path(relative), contents).expect("writes a project file");
    }

    fn replace_with_fifo(&self, relative: &str) {
        let _ = std::fs::remove_file(self.path(relative));
        let made = Command::new("mkfifo")
            .arg(self.path(relative))
            .status()
            .expect("mkfifo runs");
        assert!(made.success());
    }

    fn run(&self, args: &[&str]) -> Run {
        self.run_with_env(args, &[])
    }

    /// Runs the binary in the project, killing it at `DEADLINE`.
    fn run_with_env(&self, args: &[&str], env: &[(&str, &str)]) -> Run {
        let mut command = Command::new(env!("CARGO_BIN_EXE_autogen"));
        command
            .args(args)
            .current_dir(&self.directory)
            .env_remove("DATABASE_URL")
            .env_remove("AUTOGEN_MAX_FILE_SIZE")
            .env("AUTOGEN_NOW", "2026-11-24T17:00:00Z")
            .envs(env.iter().copied())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let started = Instant::now();
        let mut child = command.spawn().expect("autogen starts");
        while child.try_wait().expect("waits").is_none() {
            if started.elapsed() > DEADLINE {
                let _ = child.kill();
                let _ = child.wait();
                panic!("autogen {args:?} did not finish within {DEADLINE:?}");
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        child.wait_with_output().expect("collects output").into()
    }

    /// Every path under the project with its size, to show that a run wrote nothing.
    fn listing(&self) -> BTreeSet<(PathBuf, u64)> {
        fn walk(directory: &Path, listing: &mut BTreeSet<(PathBuf, u64)>) {
            for entry in std::fs::read_dir(directory).expect("lists").flatten() {
                let metadata = entry.path().symlink_metadata().expect("metadata");
                listing.insert((entry.path(), metadata.len()));
                if metadata.is_dir() {
                    walk(&entry.path(), listing);
                }
            }
        }
        let mut listing = BTreeSet::new();
        walk(&self.directory, &mut listing);
        listing
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.directory);
    }
}

#[derive(Debug)]
struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl From<Output> for Run {
    fn from(output: Output) -> Run {
        Run {
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    }
}

/// Exit 2 (not a panic's 101, nor a signal) with the one-line error `error: {expected}`
/// (after any `note:` lines), and nothing in the project changed.
fn assert_refused(sandbox: &Sandbox, args: &[&str], env: &[(&str, &str)], expected: &str) {
    let before = sandbox.listing();
    let run = sandbox.run_with_env(args, env);
    assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
    let not_notes: Vec<&str> = run
        .stderr
        .lines()
        .filter(|line| !line.starts_with("note: "))
        .collect();
    let error_line = format!("error: {expected}");
    assert_eq!(not_notes, [error_line.as_str()], "{args:?}: {run:?}");
    assert_eq!(run.stdout, "", "{args:?}: {run:?}");
    assert_eq!(sandbox.listing(), before, "{args:?} wrote files");
}

const CHECK: &[&str] = &["check"];
const MIGRATE: &[&str] = &["migrate", "-m", "x"];

fn write_revision(sandbox: &Sandbox, up_body: &str) {
    sandbox.write(REVISION_UP, format!("{REVISION_HEADER}{up_body}"));
    sandbox.write(REVISION_DOWN, REVISION_HEADER);
}

#[cfg(unix)]
#[test]
fn fifos_are_refused_without_being_opened() {
    let sandbox = Sandbox::new();
    sandbox.write("empty.yaml", "tables: {}\n");
    sandbox.replace_with_fifo("pipe.yaml");
    let fifo = "pipe.yaml: is a FIFO, not a regular file";
    let to_fifo = ["diff", "--from", "empty.yaml", "--to", "pipe.yaml"];
    assert_refused(&sandbox, &to_fifo, &[], fifo);
    let from_fifo = ["diff", "--from", "pipe.yaml", "--to", "empty.yaml"];
    assert_refused(&sandbox, &from_fifo, &[], fifo);
    let config_fifo = ["check", "--config", "pipe.yaml"];
    assert_refused(&sandbox, &config_fifo, &[], fifo);

    sandbox.replace_with_fifo("schema/schema.yaml");
    let schema_fifo = "schema/schema.yaml: is a FIFO, not a regular file";
    assert_refused(&sandbox, CHECK, &[], schema_fifo);
    assert_refused(&sandbox, MIGRATE, &[], schema_fifo);

    std::fs::remove_file(sandbox.path("schema/schema.yaml")).expect("removes the FIFO");
    sandbox.write("schema/schema.yaml", "tables: {}\n");
    write_revision(&sandbox, "");
    sandbox.replace_with_fifo(REVISION_UP);
    let revision_fifo = format!("{REVISION_UP}: is a FIFO, not a regular file");
    assert_refused(&sandbox, CHECK, &[], &revision_fifo);
}

#[cfg(unix)]
#[test]
fn devices_and_directories_are_refused() {
    let sandbox = Sandbox::new();
    sandbox.write("empty.yaml", "tables: {}\n");
    for device in ["/dev/zero", "/dev/urandom"] {
        let args = ["diff", "--from", "empty.yaml", "--to", device];
        let expected = format!("{device}: is a device, not a regular file");
        assert_refused(&sandbox, &args, &[], &expected);
    }
    // A symlink is followed to what it names.
    std::fs::remove_file(sandbox.path("schema/schema.yaml")).expect("removes the schema");
    std::os::unix::fs::symlink("/dev/zero", sandbox.path("schema/schema.yaml")).expect("links");
    let device = "schema/schema.yaml: is a device, not a regular file";
    assert_refused(&sandbox, CHECK, &[], device);

    std::fs::remove_file(sandbox.path("schema/schema.yaml")).expect("removes the link");
    std::fs::create_dir(sandbox.path("schema/schema.yaml")).expect("a directory");
    let directory = "schema/schema.yaml: is a directory, not a regular file";
    assert_refused(&sandbox, CHECK, &[], directory);
    assert_refused(&sandbox, MIGRATE, &[], directory);

    std::fs::remove_dir(sandbox.path("schema/schema.yaml")).expect("removes the directory");
    sandbox.write("schema/schema.yaml", "tables: {}\n");
    write_revision(&sandbox, "");
    std::fs::remove_file(sandbox.path(REVISION_UP)).expect("removes the up file");
    std::fs::create_dir(sandbox.path(REVISION_UP)).expect("a directory");
    let expected = format!("{REVISION_UP}: is a directory, not a regular file");
    assert_refused(&sandbox, CHECK, &[], &expected);
}

#[test]
fn files_over_the_size_cap_are_refused() {
    let sandbox = Sandbox::new();
    let padding = format!("# {}\n", "x".repeat(2000));
    sandbox.write("schema/schema.yaml", format!("{padding}tables: {{}}\n"));
    let small_cap = [("AUTOGEN_MAX_FILE_SIZE", "1K")];
    let expected = "schema/schema.yaml: is larger than the 1024-byte limit for input files \
                    ($AUTOGEN_MAX_FILE_SIZE raises it)";
    assert_refused(&sandbox, CHECK, &small_cap, expected);
    let run = sandbox.run_with_env(CHECK, &[("AUTOGEN_MAX_FILE_SIZE", "4K")]);
    assert_eq!(run.code, Some(0), "{run:?}");

    sandbox.write("schema/schema.yaml", "tables: {}\n");
    write_revision(&sandbox, &format!("{padding}SELECT 1;\n"));
    let expected = format!(
        "{REVISION_UP}: is larger than the 1024-byte limit for input files \
         ($AUTOGEN_MAX_FILE_SIZE raises it)"
    );
    assert_refused(&sandbox, CHECK, &small_cap, &expected);
    let nonsense = [("AUTOGEN_MAX_FILE_SIZE", "lots")];
    let expected = "$AUTOGEN_MAX_FILE_SIZE must be a positive number of bytes, optionally \
                    followed by K, M or G (KiB, MiB, GiB), such as 128M; it is \"lots\"";
    assert_refused(&sandbox, CHECK, &nonsense, expected);
}

#[test]
fn deeply_nested_yaml_is_refused_where_it_passes_the_limit() {
    let sandbox = Sandbox::new();
    sandbox.write("schema/schema.yaml", "[".repeat(2 << 20));
    let expected = "schema/schema.yaml:1:129: nested more than 128 levels deep";
    assert_refused(&sandbox, CHECK, &[], expected);
    assert_refused(&sandbox, MIGRATE, &[], expected);

    sandbox.write(
        "schema/schema.yaml",
        format!("tables: {}", "{a: ".repeat(50_000)),
    );
    let expected = "schema/schema.yaml:1:517: nested more than 128 levels deep";
    assert_refused(&sandbox, CHECK, &[], expected);

    let block: String = (0..1000)
        .map(|depth| format!("{}key{depth}:\n", " ".repeat(depth + 1)))
        .collect();
    sandbox.write("schema/schema.yaml", format!("tables:\n{block}"));
    let expected = "schema/schema.yaml:129:129: nested more than 128 levels deep";
    assert_refused(&sandbox, CHECK, &[], expected);
}

#[test]
fn deeply_nested_sql_is_refused_where_it_passes_the_limit() {
    let sandbox = Sandbox::new();
    let parentheses = format!(
        "CREATE TABLE t (\n  a int CHECK ({}a > 0{})\n);\n",
        "(".repeat(100_000),
        ")".repeat(100_000)
    );
    sandbox.write("schema.sql", &parentheses);
    sandbox.write("empty.yaml", "tables: {}\n");
    let args = ["diff", "--from", "empty.yaml", "--to", "schema.sql"];
    let expected = "schema.sql:2:142: nested more than 128 levels deep";
    assert_refused(&sandbox, &args, &[], expected);

    write_revision(&sandbox, &parentheses);
    let expected = format!("{REVISION_UP}:8:142: nested more than 128 levels deep");
    assert_refused(&sandbox, CHECK, &[], &expected);
    assert_refused(&sandbox, MIGRATE, &[], &expected);
}

/// Lines of `text` that start with `--` but are not a whole comment to sqlparser's
/// tokenizer (PostgreSQL's rules for `--`).
fn lines_escaping_their_comment(text: &str) -> Vec<String> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .expect("tokenizes");
    let comment_lines: BTreeSet<u64> = tokens
        .iter()
        .filter(|token| {
            matches!(
                token.token,
                Token::Whitespace(Whitespace::SingleLineComment { .. })
            ) && token.span.start.column == 1
        })
        .map(|token| token.span.start.line)
        .collect();
    text.lines()
        .enumerate()
        .filter(|(line_idx, line)| {
            line.starts_with("--") && !comment_lines.contains(&(*line_idx as u64 + 1))
        })
        .map(|(_, line)| line.to_string())
        .collect()
}

#[test]
fn hostile_names_and_messages_stay_inside_their_comments() {
    // The same two revisions, once with control characters in the messages (`migrate`
    // already turns their line breaks into spaces). Schema files cannot name a column with a
    // line break (see fixtures/hostile), so the name arrives as a database would hold it.
    let files = |message: &str| -> Vec<String> {
        let sandbox = Sandbox::new();
        let table = |extra: &str| {
            format!("tables:\n  students:\n    columns:\n      id: {{ type: bigint }}\n{extra}")
        };
        sandbox.write("schema/schema.yaml", table("      evil: { type: text }\n"));
        let first = sandbox.run(&["migrate", "-m", message]);
        assert_eq!(first.code, Some(0), "{first:?}");
        sandbox.write("schema/schema.yaml", table(""));
        let second = sandbox.run(&["migrate", "-m", message, "--allow-destructive"]);
        assert_eq!(second.code, Some(0), "{second:?}");
        // The files read back: headers, checksums and replay.
        let check = sandbox.run(&["check"]);
        assert_eq!(check.code, Some(0), "{check:?}");
        let mut names: Vec<PathBuf> = std::fs::read_dir(sandbox.path("migrations"))
            .expect("lists")
            .map(|entry| entry.expect("entry").path())
            .collect();
        names.sort();
        names
            .iter()
            .map(|path| std::fs::read_to_string(path).expect("reads"))
            .collect()
    };
    let hostile = files("drop\nDROP TABLE students;\r-- \u{1b}[2J");
    let benign = files("drop DROP TABLE students; -- [2J");
    assert_eq!(hostile.len(), 4);
    let count = |text: &str| {
        autogen::syntax::statements::split_statements(text, Path::new("x.sql"))
            .expect("splits")
            .len()
    };
    for (hostile_text, benign_text) in hostile.iter().zip(&benign) {
        assert!(
            lines_escaping_their_comment(hostile_text).is_empty(),
            "{hostile_text}"
        );
        assert!(
            hostile_text.contains("-- message: drop DROP TABLE students; -- \\u{1b}[2J\n"),
            "{hostile_text}"
        );
        assert_eq!(count(hostile_text), count(benign_text), "{hostile_text}");
    }

    let table_with = |column: &str| {
        let name = autogen::model::QualifiedName::new("public", "students");
        let mut table = autogen::model::Table::new(name.clone());
        table
            .columns
            .push(autogen::model::Column::new(column, "text"));
        let mut schema = autogen::model::Schema::default();
        schema.schemas.insert("public".to_string());
        schema.tables.insert(name, table);
        schema
    };
    let dropping = |column: &str| {
        let mut current = table_with("id");
        current.tables.values_mut().for_each(|table| {
            table
                .columns
                .push(autogen::model::Column::new(column, "text"))
        });
        autogen::generate(&current, &table_with("id")).up.to_text()
    };
    let hostile_up = dropping("evil\nDROP TABLE students; --");
    let benign_up = dropping("evil DROP TABLE students; --");
    assert!(
        lines_escaping_their_comment(&hostile_up).is_empty(),
        "{hostile_up}"
    );
    assert_eq!(count(&hostile_up), count(&benign_up), "{hostile_up}");
    let destructive =
        "-- DESTRUCTIVE: drops column students.evil\\nDROP TABLE students; -- and all its values\n";
    assert!(hostile_up.contains(destructive), "{hostile_up}");
}
