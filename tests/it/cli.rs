//! The binary as a user runs it: exit codes, stdout/stderr split, error messages.

use std::process::Command;

use crate::scratch::ScratchDb;

fn autogen() -> Command {
    Command::new(env!("CARGO_BIN_EXE_autogen"))
}

fn example_schema() -> String {
    format!("{}/schema/schema.yaml", env!("CARGO_MANIFEST_DIR"))
}

#[tokio::test]
async fn diff_builds_the_example_then_prints_nothing_then_empties_it() {
    let database = ScratchDb::create("autogen_cli").await;
    let up = autogen()
        .args(["diff", "--from", &database.url, "--to", &example_schema()])
        .output()
        .expect("autogen runs");
    assert_eq!(
        up.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    let script = String::from_utf8_lossy(&up.stdout).to_string();
    assert!(script.contains("CREATE TABLE public.students"), "{script}");
    database
        .client()
        .await
        .batch_execute(&script)
        .await
        .expect("the script applies");

    let again = autogen()
        .args([
            "diff",
            "--exit-code",
            "--from",
            &database.url,
            "--to",
            &example_schema(),
        ])
        .output()
        .expect("autogen runs");
    assert_eq!(
        again.stdout,
        b"",
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );
    assert_eq!(again.status.code(), Some(0));

    let empty_file =
        std::env::temp_dir().join(format!("autogen-empty-{}.yaml", std::process::id()));
    std::fs::write(&empty_file, "tables: {}\n").expect("temp file");
    let down = autogen()
        .args(["diff", "--exit-code", "--from", &database.url, "--to"])
        .arg(&empty_file)
        .output()
        .expect("autogen runs");
    std::fs::remove_file(&empty_file).ok();
    assert_eq!(down.status.code(), Some(1));
    let down_script = String::from_utf8_lossy(&down.stdout).to_string();
    assert!(
        down_script.contains("DROP TABLE public.students"),
        "{down_script}"
    );
    let client = database.client().await;
    client
        .batch_execute(&down_script)
        .await
        .expect("the drop script applies");
    let remaining = client
        .query_one(
            "SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n \
             ON n.oid = c.relnamespace WHERE n.nspname = 'public'",
            &[],
        )
        .await
        .expect("count query");
    assert_eq!(remaining.get::<_, i64>(0), 0);
}

#[test]
fn unreachable_database_is_a_one_line_error_with_exit_2_and_no_password() {
    let output = autogen()
        .args([
            "diff",
            "--from",
            "postgres://app:hunter2@127.0.0.1:1/nowhere",
            "--to",
            &example_schema(),
        ])
        .output()
        .expect("autogen runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.starts_with("error: cannot connect to app@127.0.0.1:1/nowhere: "),
        "{stderr}"
    );
    assert!(!stderr.contains("hunter2"), "{stderr}");
    assert!(output.stdout.is_empty());
}

#[test]
fn a_missing_schema_file_is_an_error_naming_it() {
    let output = autogen()
        .args(["diff", "--from", "nope.yaml", "--to", "also-nope.yaml"])
        .output()
        .expect("autogen runs");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("nope.yaml"), "{stderr}");
}

#[tokio::test]
async fn the_same_inputs_give_byte_identical_scripts() {
    let database = ScratchDb::create("autogen_cli").await;
    let run = || {
        autogen()
            .args(["diff", "--from", &database.url, "--to", &example_schema()])
            .output()
            .expect("autogen runs")
            .stdout
    };
    let first = run();
    assert!(!first.is_empty());
    assert_eq!(first, run());
    assert_eq!(first, run());
}

#[tokio::test]
async fn inspect_writes_yaml_that_diffs_empty_against_its_database() {
    let database = ScratchDb::create("autogen_cli").await;
    let fixture = format!(
        "{}/fixtures/cases/index-variety/current.sql",
        env!("CARGO_MANIFEST_DIR")
    );
    let setup = std::fs::read_to_string(fixture).expect("fixture");
    let client = database.client().await;
    client.batch_execute(&setup).await.expect("setup applies");
    client
        .batch_execute(
            "CREATE TYPE \"Mood\" AS ENUM ('a', 'b'); \
             CREATE TABLE \"Odd\" (id serial PRIMARY KEY, m \"Mood\" DEFAULT 'a', \
             at timestamptz(3) NOT NULL DEFAULT now(), CHECK (id > 0)); \
             CREATE INDEX odd_expr_idx ON \"Odd\" ((id * 2)) WHERE m = 'b'",
        )
        .await
        .expect("more setup applies");
    crate::inspected::inspect_diffs_empty(&database);
}

#[tokio::test]
async fn an_expression_the_server_rejects_is_reported_at_its_line() {
    let database = ScratchDb::create("autogen_cli").await;
    let example = std::fs::read_to_string(example_schema()).expect("example schema");
    let broken = example.replace("\"gpa between 0 and 4\"", "\"gpa between 0 and fourty(2)\"");
    let check_line = broken
        .lines()
        .position(|line| line.contains("students_gpa_check"))
        .map(|line_idx| line_idx + 1)
        .expect("the example has the check");
    let path = std::env::temp_dir().join(format!("autogen-bad-check-{}.yaml", database.name));
    std::fs::write(&path, broken).expect("temp file");
    let output = autogen()
        .args(["diff", "--from", &database.url, "--to"])
        .arg(&path)
        .output()
        .expect("autogen runs");
    std::fs::remove_file(&path).ok();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(&format!(
            ":{check_line}:7: constraint students_gpa_check on students"
        )),
        "{stderr}"
    );
    assert!(stderr.contains("fourty"), "{stderr}");
    assert!(output.stdout.is_empty());
}

/// A gist exclusion constraint on an integer needs btree_gist; the error at the constraint's
/// line says so.
#[tokio::test]
async fn a_gist_exclusion_without_btree_gist_names_the_extension() {
    let database = ScratchDb::create("autogen_cli").await;
    let schema = "tables:\n  bookings:\n    columns: { room: integer, during: tstzrange }\n    \
                  exclude:\n      bookings_no_overlap:\n        using: gist\n        \
                  elements: [{ column: room, operator: \"=\" }, { column: during, operator: \"&&\" }]\n";
    let path = std::env::temp_dir().join(format!("autogen-no-btree-gist-{}.yaml", database.name));
    std::fs::write(&path, schema).expect("temp file");
    let output = autogen()
        .args(["diff", "--from", &database.url, "--to"])
        .arg(&path)
        .output()
        .expect("autogen runs");
    std::fs::remove_file(&path).ok();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(
        stderr.contains(":5:7: constraint bookings_no_overlap on bookings"),
        "{stderr}"
    );
    assert!(stderr.contains("btree_gist extension"), "{stderr}");
}

/// A desired schema written as SQL: built on a database through the shadow round trip, and
/// compared offline with a migrations directory.
#[tokio::test]
async fn sql_schema_files_are_read_like_yaml_ones() {
    let directory = std::env::temp_dir().join(format!("autogen-cli-sql-{}", std::process::id()));
    std::fs::create_dir_all(&directory).expect("temporary directory");
    let schema_sql = directory.join("schema.sql");
    std::fs::write(
        &schema_sql,
        "CREATE TABLE Courses (\n  id int PRIMARY KEY,\n  title text NOT NULL CHECK (title <> ''),\n  \
         starts date DEFAULT current_date\n);\nCREATE INDEX ON courses (lower(title));\n",
    )
    .expect("writes schema.sql");
    let schema_sql = schema_sql.to_string_lossy().to_string();

    let database = ScratchDb::create("autogen_cli").await;
    let up = autogen()
        .args(["diff", "--from", &database.url, "--to", &schema_sql])
        .output()
        .expect("autogen runs");
    let script = String::from_utf8_lossy(&up.stdout).to_string();
    assert_eq!(
        up.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&up.stderr)
    );
    assert!(
        script.contains("CONSTRAINT courses_title_check CHECK (title <> ''::text)")
            && script
                .contains("CREATE INDEX courses_lower_idx ON public.courses ((lower(title)));"),
        "{script}"
    );
    database
        .client()
        .await
        .batch_execute(&script)
        .await
        .expect("the script applies");
    let again = autogen()
        .args([
            "diff",
            "--exit-code",
            "--from",
            &database.url,
            "--to",
            &schema_sql,
        ])
        .output()
        .expect("autogen runs");
    assert_eq!(
        again.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&again.stdout)
    );

    // Offline: the repository's revisions, concatenated, are the example as SQL.
    let root = env!("CARGO_MANIFEST_DIR");
    let mut revisions: Vec<_> = std::fs::read_dir(format!("{root}/migrations"))
        .expect("migrations/")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.to_string_lossy().ends_with(".up.sql"))
        .collect();
    revisions.sort();
    let mut university = String::new();
    for path in &revisions {
        university.push_str(&std::fs::read_to_string(path).expect("reads a revision"));
        university.push('\n');
    }
    let university_sql = directory.join("university.sql");
    std::fs::write(&university_sql, &university).expect("writes university.sql");
    let offline = |to: &std::path::Path| {
        autogen()
            .args([
                "diff",
                "--exit-code",
                "--from",
                &format!("{root}/migrations"),
                "--to",
            ])
            .arg(to)
            .env_remove("DATABASE_URL")
            .output()
            .expect("autogen runs")
    };
    let same = offline(&university_sql);
    assert_eq!(
        same.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&same.stdout)
    );
    std::fs::write(
        &university_sql,
        format!("{university}ALTER TABLE students ADD COLUMN advisor text;\n"),
    )
    .expect("writes university.sql");
    let ahead = offline(&university_sql);
    assert_eq!(ahead.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&ahead.stdout),
        "-- runs in one transaction: psql --single-transaction -f FILE\n\
         -- hazards: ACCESS EXCLUSIVE lock: students\n\
         ALTER TABLE public.students ADD COLUMN advisor text;\n"
    );
    let _ = std::fs::remove_dir_all(&directory);
}

/// The README's main-job command on a fresh copy of the example, with no database at all.
#[test]
fn the_main_job_runs_on_the_example_without_a_database() {
    let root = env!("CARGO_MANIFEST_DIR");
    let directory = std::env::temp_dir().join(format!("autogen-main-job-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&directory);
    for sub in ["schema", "migrations"] {
        std::fs::create_dir_all(directory.join(sub)).expect("project directories");
        for entry in std::fs::read_dir(format!("{root}/{sub}")).expect("example directory") {
            let path = entry.expect("entry").path();
            std::fs::copy(
                &path,
                directory.join(sub).join(path.file_name().expect("name")),
            )
            .expect("copies the example");
        }
    }
    std::fs::copy(
        format!("{root}/autogen.toml"),
        directory.join("autogen.toml"),
    )
    .expect("copies autogen.toml");
    let run = |args: &[&str]| {
        autogen()
            .args(args)
            .current_dir(&directory)
            .env_remove("DATABASE_URL")
            .env("AUTOGEN_NOW", "2026-11-25T09:00:00Z")
            .output()
            .expect("autogen runs")
    };
    let unchanged = run(&["migrate", "-m", "my change"]);
    assert_eq!(unchanged.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&unchanged.stdout).starts_with("no changes"));

    let schema_path = directory.join("schema/schema.yaml");
    let schema = std::fs::read_to_string(&schema_path).expect("schema.yaml");
    let edited = schema.replacen(
        "      vaccination_due:",
        "      advisor: text\n      vaccination_due:",
        1,
    );
    assert_ne!(schema, edited, "the example has students.vaccination_due");
    std::fs::write(&schema_path, edited).expect("edits schema.yaml");
    let written = run(&["migrate", "-m", "add advisor"]);
    assert_eq!(
        written.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&written.stderr)
    );
    let up =
        std::fs::read_to_string(directory.join("migrations/20261125090000_add_advisor.up.sql"))
            .expect("the new revision");
    assert!(
        up.contains("-- parent: 20261124180000\n")
            && up.ends_with("ALTER TABLE public.students ADD COLUMN advisor text;\n"),
        "{up}"
    );
    let check = run(&["check"]);
    assert_eq!(
        check.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let _ = std::fs::remove_dir_all(&directory);
}

#[test]
fn lock_timeouts_must_be_finite_seconds_up_to_a_day() {
    let missing_config = std::env::temp_dir().join("autogen-no-such-project/autogen.toml");
    for (command, value) in [
        ("upgrade", "nan"),
        ("upgrade", "inf"),
        ("downgrade", "-1"),
        ("upgrade", "1e300"),
        ("stamp", "86400.5"),
        ("upgrade", "soon"),
    ] {
        let mut args = vec![command];
        if command == "stamp" {
            args.push("head");
        }
        let output = autogen()
            .args(&args)
            .arg(format!("--lock-timeout={value}"))
            .arg("--config")
            .arg(&missing_config)
            .output()
            .expect("autogen runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{value}: {stderr}");
        assert!(
            stderr.starts_with(&format!(
                "error: invalid value '{value}' for '--lock-timeout <SECONDS>': "
            )),
            "{value}: {stderr}"
        );
    }
    for value in ["0", "0.5", "86400"] {
        let output = autogen()
            .args(["upgrade", "--lock-timeout", value, "--config"])
            .arg(&missing_config)
            .output()
            .expect("autogen runs");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            stderr.contains("autogen.toml not found"),
            "{value}: {stderr}"
        );
    }
}
