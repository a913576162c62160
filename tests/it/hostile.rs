//! Hostile schema files (`fixtures/hostile/`), run as an attacker's pull request would be:
//! `diff`, `check` and `migrate` against a scratch database holding canaries.
//!
//! Each file's first line says what it must get: `expect: error <text>` (exit 2, a located
//! first line containing <text>, no file written) or `expect: accepted <query>` (the text is
//! kept as data: the revision applies and <query> is true). After every case the canaries
//! must be intact: a table in an unmanaged schema, a role, and no file from `COPY TO PROGRAM`.
//! Special files (FIFOs, devices, huge and deeply nested files) are added by code.

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::scratch::{self, ScratchDb};

/// What a case must get.
enum Expect {
    Error(String),
    Accepted(String),
}

/// Writes the schema file (or puts a special file in its place).
type Setup = Box<dyn Fn(&Path)>;

struct Case {
    name: String,
    /// File name inside the project's `schema/` directory.
    schema_file: String,
    expect: Expect,
    setup: Setup,
}

struct Run {
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Display for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.code, self.stdout, self.stderr
        )
    }
}

/// Generous for a debug build on a loaded machine; a hang or a minutes-long parse still fails.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(30);

/// Runs the binary in `directory`; a run that outlives the timeout is killed and reported.
fn run(directory: &Path, args: &[&str]) -> Run {
    let mut child = Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(args)
        .current_dir(directory)
        .env_remove("DATABASE_URL")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("autogen starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let mut stderr = child.stderr.take().expect("piped stderr");
    let readers = (
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stdout.read_to_string(&mut text);
            text
        }),
        std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        }),
    );
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for autogen") {
            break Some(status);
        }
        if started.elapsed() > COMMAND_TIMEOUT {
            let _ = child.kill();
            let _ = child.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let stdout = readers.0.join().unwrap_or_default();
    let mut stderr = readers.1.join().unwrap_or_default();
    if status.is_none() {
        stderr.push_str(&format!("\n(killed after {COMMAND_TIMEOUT:?})"));
    }
    Run {
        code: status.and_then(|status| status.code()),
        stdout,
        stderr,
    }
}

/// A unique path whose existence proves that `COPY ... TO PROGRAM` ran.
fn marker_path() -> PathBuf {
    std::env::temp_dir().join(format!("autogen-hostile-pwned-{}", std::process::id()))
}

fn fixture_cases() -> Vec<Case> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/hostile");
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/hostile exists")
        .map(|entry| entry.expect("a directory entry").path())
        .collect();
    paths.sort();
    paths
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("a hostile case is UTF-8");
            let first_line = text.lines().next().unwrap_or_default();
            let expectation = first_line
                .trim_start_matches(['#', '-', ' '])
                .strip_prefix("expect: ")
                .unwrap_or_else(|| panic!("{}: first line must be `expect: ...`", path.display()));
            let expect = match expectation.split_once(' ') {
                Some(("error", text)) => Expect::Error(text.to_string()),
                Some(("accepted", query)) => Expect::Accepted(query.to_string()),
                None if expectation == "error" => Expect::Error(String::new()),
                _ => panic!("{}: unknown expectation {expectation:?}", path.display()),
            };
            let extension = path.extension().and_then(|e| e.to_str()).unwrap_or("yaml");
            let contents = text.replace("@MARKER@", &marker_path().display().to_string());
            Case {
                name: path
                    .file_stem()
                    .expect("a name")
                    .to_string_lossy()
                    .to_string(),
                schema_file: format!("schema.{extension}"),
                expect,
                setup: Box::new(move |target| {
                    std::fs::write(target, &contents).expect("writes the schema file")
                }),
            }
        })
        .collect()
}

/// Files no parser should ever be handed whole: they must fail fast, never hang or exhaust
/// memory.
fn special_file_cases() -> Vec<Case> {
    let error = |text: &str| Expect::Error(text.to_string());
    let symlink_to = |target: &'static str| -> Setup {
        Box::new(move |path| std::os::unix::fs::symlink(target, path).expect("symlink"))
    };
    let nested = |depth: usize, open: &'static str, close: &'static str| -> Setup {
        Box::new(move |path| {
            let text = format!("tables: {}{}\n", open.repeat(depth), close.repeat(depth));
            std::fs::write(path, text).expect("writes the nested file")
        })
    };
    let cases: Vec<(&str, &str, Expect, Setup)> = vec![
        (
            "file-fifo",
            "schema.yaml",
            error("not a regular file"),
            Box::new(|path| {
                let made = Command::new("mkfifo").arg(path).status().expect("mkfifo");
                assert!(made.success(), "mkfifo failed");
            }),
        ),
        (
            "file-dev-zero",
            "schema.yaml",
            error("not a regular file"),
            symlink_to("/dev/zero"),
        ),
        (
            "file-dev-urandom",
            "schema.sql",
            error("not a regular file"),
            symlink_to("/dev/urandom"),
        ),
        (
            "file-nested-flow-sequences",
            "schema.yaml",
            error("nest"),
            nested(1_000_000, "[", "]"),
        ),
        (
            "file-nested-flow-mappings",
            "schema.yaml",
            error("nest"),
            nested(100_000, "{a: ", "}"),
        ),
        (
            "file-nested-block-mappings",
            "schema.yaml",
            error(""),
            Box::new(|path| {
                let text: String = (0..5_000)
                    .map(|depth| format!("{}k{depth}:\n", " ".repeat(depth)))
                    .collect();
                std::fs::write(path, text).expect("writes the nested file")
            }),
        ),
        (
            "file-nested-parentheses-sql",
            "schema.sql",
            error("nest"),
            Box::new(|path| {
                let depth = 100_000;
                let text = format!(
                    "CREATE TABLE t (a integer CHECK ({}a > 0{}));\n",
                    "(".repeat(depth),
                    ")".repeat(depth)
                );
                std::fs::write(path, text).expect("writes the nested file")
            }),
        ),
    ];
    cases
        .into_iter()
        .map(|(name, schema_file, expect, setup)| Case {
            name: name.to_string(),
            schema_file: schema_file.to_string(),
            expect,
            setup,
        })
        .collect()
}

/// The state an attacker would want to change, set up in each case's database.
const CANARIES: &str = "\
CREATE SCHEMA other;
CREATE TABLE other.t (a integer);
INSERT INTO other.t VALUES (1);
CREATE TABLE other.canary (id integer);
INSERT INTO other.canary VALUES (42);";

const CANARIES_INTACT: &str = "\
SELECT (SELECT count(*) FROM other.t) = 1
   AND (SELECT id FROM other.canary) = 42
   AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = 'autogen_pwned')";

/// Runs one case; returns what went wrong, if anything.
async fn check_case(case: &Case, canary_role: &str) -> Result<(), String> {
    let database = ScratchDb::create("autogen_hostile").await;
    let client = database.client().await;
    client
        .batch_execute(CANARIES)
        .await
        .map_err(|error| format!("cannot set up canaries: {error}"))?;
    let directory = std::env::temp_dir().join(format!(
        "autogen-hostile-{}-{}",
        std::process::id(),
        database.name
    ));
    let _ = std::fs::remove_dir_all(&directory);
    std::fs::create_dir_all(directory.join("schema")).expect("schema/");
    std::fs::create_dir_all(directory.join("migrations")).expect("migrations/");
    let schema_path = format!("schema/{}", case.schema_file);
    std::fs::write(
        directory.join("autogen.toml"),
        format!(
            "database_url = \"{}\"\nschema = \"{schema_path}\"\nmigrations = \"migrations\"\n",
            database.url
        ),
    )
    .expect("writes autogen.toml");
    (case.setup)(&directory.join(&schema_path));
    let outcome = match &case.expect {
        Expect::Error(text) => expect_errors(&directory, &schema_path, &database.url, text),
        Expect::Accepted(query) => expect_accepted(&directory, &schema_path, &client, query).await,
    };
    let _ = std::fs::remove_dir_all(&directory);
    outcome?;
    let intact: bool = client
        .query_one(CANARIES_INTACT, &[])
        .await
        .map_err(|error| format!("a canary is gone: {error}"))?
        .get(0);
    if !intact {
        return Err("a canary table lost rows or a role was created".to_string());
    }
    if marker_path().exists() {
        return Err("COPY ... TO PROGRAM ran on the server".to_string());
    }
    let role_alive = client
        .query_opt(
            "SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1",
            &[&canary_role],
        )
        .await
        .map_err(|error| error.to_string())?;
    if role_alive.is_none() {
        return Err(format!("the canary role {canary_role} was dropped"));
    }
    Ok(())
}

fn expect_errors(directory: &Path, schema_path: &str, url: &str, text: &str) -> Result<(), String> {
    let runs = [
        vec!["diff", "--from", url, "--to", schema_path],
        vec!["check"],
        vec!["migrate", "-m", "hostile"],
    ];
    for args in runs {
        let run = run(directory, &args);
        let first_line = run.stderr.lines().next().unwrap_or_default();
        let first_line = first_line.strip_prefix("error: ").unwrap_or(first_line);
        let located = first_line.starts_with(&format!("{schema_path}:"))
            && first_line[schema_path.len() + 1..]
                .split(':')
                .next()
                .is_some_and(|line| line.parse::<usize>().is_ok());
        let path_named = first_line.contains(schema_path);
        if run.code != Some(2)
            || !run.stderr.contains(text)
            || !(located || (path_named && text.contains("regular file")))
            || run.stderr.contains("panicked")
        {
            return Err(format!(
                "`autogen {}` must exit 2 with a located error containing {text:?}\n{run}",
                args.join(" ")
            ));
        }
    }
    let written: Vec<_> = std::fs::read_dir(directory.join("migrations"))
        .expect("migrations/")
        .collect();
    match written.is_empty() {
        true => Ok(()),
        false => Err(format!("files were written: {written:?}")),
    }
}

async fn expect_accepted(
    directory: &Path,
    schema_path: &str,
    client: &tokio_postgres::Client,
    query: &str,
) -> Result<(), String> {
    for args in [
        vec!["migrate", "-m", "hostile"],
        vec!["upgrade"],
        vec!["check"],
    ] {
        let run = run(directory, &args);
        if run.code != Some(0) {
            return Err(format!(
                "`autogen {}` must succeed for {schema_path}\n{run}",
                args.join(" ")
            ));
        }
    }
    let kept: bool = client
        .query_one(query, &[])
        .await
        .map_err(|error| format!("{query}: {error}"))?
        .get(0);
    match kept {
        true => Ok(()),
        false => Err(format!("the text was not kept as data: {query} is false")),
    }
}

#[tokio::test(flavor = "current_thread")]
async fn hostile_schema_files_never_run_sql_nor_write_files() {
    let admin = scratch::connect(&scratch::server_url()).await;
    let canary_role = format!("autogen_canary_{}", std::process::id());
    admin
        .batch_execute(&format!("CREATE ROLE {canary_role} NOLOGIN"))
        .await
        .expect("creates the canary role");
    let _ = std::fs::remove_file(marker_path());
    let filter = std::env::var("FIXTURE").unwrap_or_default();
    let cases: Vec<Case> = fixture_cases()
        .into_iter()
        .chain(special_file_cases())
        .filter(|case| case.name.contains(&filter))
        .collect();
    let mut failures = Vec::new();
    for case in &cases {
        if let Err(failure) = check_case(case, &canary_role).await {
            failures.push(format!("{}: {failure}", case.name));
        }
    }
    admin
        .batch_execute(&format!("DROP ROLE {canary_role}"))
        .await
        .expect("drops the canary role");
    assert!(
        failures.is_empty(),
        "{} of {} hostile cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
    assert!(
        filter.is_empty() || !cases.is_empty(),
        "FIXTURE matched no case"
    );
    if filter.is_empty() {
        assert!(
            cases.len() >= 60,
            "the hostile corpus shrank to {}",
            cases.len()
        );
    }
}
