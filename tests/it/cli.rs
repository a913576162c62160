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
        stderr.starts_with("error: cannot connect to postgres://app:***@127.0.0.1:1/nowhere"),
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
