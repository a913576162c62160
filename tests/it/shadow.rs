//! Shadow databases left behind: a run killed with SIGKILL leaves its shadow, the next run
//! that builds one drops it; shadows still in use and databases autogen did not name stay.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio_postgres::Client;

use crate::scratch::{self, ScratchDb};

fn example_schema() -> String {
    format!("{}/schema/schema.yaml", env!("CARGO_MANIFEST_DIR"))
}

/// A `diff` against `url` that builds a shadow; must succeed.
fn diff_with_a_shadow(url: &str) {
    let output = Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(["diff", "--from", url, "--to", &example_schema()])
        .output()
        .expect("autogen runs");
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
}

async fn database_exists(admin: &Client, name: &str) -> bool {
    admin
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_database WHERE datname = $1)",
            &[&name],
        )
        .await
        .expect("pg_database query")
        .get(0)
}

/// Waits until no session matches `condition` (a predicate on pg_stat_activity with `$1`).
async fn wait_for_no_session(
    admin: &Client,
    condition: &str,
    value: &(dyn tokio_postgres::types::ToSql + Sync),
) {
    let query = format!("SELECT count(*) FROM pg_catalog.pg_stat_activity WHERE {condition}");
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let n_sessions: i64 = admin
            .query_one(&query, &[value])
            .await
            .expect("pg_stat_activity query")
            .get(0);
        if n_sessions == 0 {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "sessions where {condition} linger"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

/// The shadow name a session with this identity would give (see src/shadow.rs).
async fn shadow_name_of(session: &Client, counter: usize) -> (i32, String) {
    let row = session
        .query_one(
            "SELECT pg_catalog.pg_backend_pid(), \
             (extract(epoch FROM backend_start) * 1000000)::bigint \
             FROM pg_catalog.pg_stat_activity WHERE pid = pg_catalog.pg_backend_pid()",
            &[],
        )
        .await
        .expect("session identity");
    let (pid, start): (i32, i64) = (row.get(0), row.get(1));
    (pid, format!("autogen_shadow_{pid}_{start}_{counter}"))
}

#[tokio::test]
async fn a_shadow_left_by_kill_9_is_dropped_by_the_next_run() {
    let database = ScratchDb::create("autogen_kill").await;
    // Enough tables that the shadow build takes long enough to be caught.
    let mut schema = String::from("tables:\n");
    for table_idx in 0..300 {
        schema.push_str(&format!(
            "  t{table_idx}:\n    columns:\n      id: bigint\n      note: text\n    \
             primary_key: [id]\n"
        ));
    }
    let schema_path =
        std::env::temp_dir().join(format!("autogen-kill-{}.yaml", std::process::id()));
    std::fs::write(&schema_path, schema).expect("schema file");
    let application = format!("autogen_kill_{}", std::process::id());
    let url = format!("{}?application_name={application}", database.url);
    let mut child = Command::new(env!("CARGO_BIN_EXE_autogen"))
        .args(["diff", "--from", &url, "--to"])
        .arg(&schema_path)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("autogen starts");

    let admin = scratch::connect(&scratch::server_url()).await;
    let shadow = loop {
        let row = admin
            .query_opt(
                "SELECT datname::text FROM pg_catalog.pg_stat_activity \
                 WHERE application_name = $1 AND datname LIKE 'autogen\\_shadow\\_%' LIMIT 1",
                &[&application],
            )
            .await
            .expect("pg_stat_activity query");
        if let Some(row) = row {
            break row.get::<_, String>(0);
        }
        if child.try_wait().expect("child status").is_some() {
            std::fs::remove_file(&schema_path).ok();
            panic!("diff finished before its shadow was seen; the schema needs more tables");
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    };
    child.kill().expect("SIGKILL");
    child.wait().expect("the killed run is reaped");
    std::fs::remove_file(&schema_path).ok();
    wait_for_no_session(&admin, "application_name = $1", &application).await;
    assert!(
        database_exists(&admin, &shadow).await,
        "{shadow} was left behind"
    );

    diff_with_a_shadow(&database.url);
    assert!(
        !database_exists(&admin, &shadow).await,
        "{shadow} is still there"
    );
}

#[tokio::test]
async fn shadows_in_use_and_databases_autogen_did_not_name_are_kept() {
    let database = ScratchDb::create("autogen_kept").await;
    let server_url = scratch::server_url();
    let admin = scratch::connect(&server_url).await;

    let creator = scratch::connect(&server_url).await;
    let (_, live) = shadow_name_of(&creator, 900).await;
    let ended = scratch::connect(&server_url).await;
    let (ended_pid, connected) = shadow_name_of(&ended, 901).await;
    let (_, stale) = shadow_name_of(&ended, 902).await;
    let foreign = format!("autogen_shadow_{ended_pid}_903");
    // Created and connected to while their creator lives: other tests' runs clean up stale
    // shadows concurrently, and `connected` must never look stale.
    for name in [&live, &connected, &stale, &foreign] {
        admin
            .batch_execute(&format!("CREATE DATABASE \"{name}\" TEMPLATE template0"))
            .await
            .expect("creates a shadow-named database");
    }
    let user = scratch::connect(&scratch::with_database(&server_url, &connected)).await;
    drop(ended);
    wait_for_no_session(&admin, "pid = $1", &ended_pid).await;

    diff_with_a_shadow(&database.url);
    let kept = [
        database_exists(&admin, &live).await,
        database_exists(&admin, &connected).await,
        database_exists(&admin, &stale).await,
        database_exists(&admin, &foreign).await,
    ];
    drop(user);
    for name in [&live, &connected, &stale, &foreign] {
        admin
            .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
            .await
            .expect("drops the test's databases");
    }
    drop(creator);
    assert_eq!(
        kept,
        [true, true, false, true],
        "live creator, in use, stale, not autogen's name"
    );
}
