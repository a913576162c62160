//! Revisions divided into steps by marker lines, as a user writes them by hand: each step
//! commits on its own, an interrupted revision (process killed, concurrent build
//! cancelled) resumes at its first unfinished step, lock_timeout retries and then names
//! the blocker, downgrades run the same way, and wrong markers are refused at their line.

use std::process::{Child, Stdio};
use std::time::Duration;

use tokio_postgres::Client;

use crate::project::{Project, Run, FIRST, SECOND};

const PETS: &str = "CREATE TABLE public.pets (id bigint PRIMARY KEY, name text);\n\
                    INSERT INTO public.pets SELECT i, 'pet ' || i FROM generate_series(1, 50) i;\n\
                    CREATE TABLE public.owners (id bigint PRIMARY KEY);\n";
const PETS_DOWN: &str = "DROP TABLE public.owners;\nDROP TABLE public.pets;\n";

/// Three steps: a column in a transaction, its index built concurrently, a column of
/// another table in a transaction (which a test can block by locking `owners`).
const STEPS_UP: &str = "-- autogen:step in-transaction\n\
                        ALTER TABLE public.pets ADD COLUMN nick text;\n\
                        -- autogen:step outside-transaction\n\
                        CREATE INDEX CONCURRENTLY pets_nick_idx ON public.pets (nick);\n\
                        -- autogen:step in-transaction\n\
                        ALTER TABLE public.owners ADD COLUMN since date;\n";
const STEPS_DOWN: &str = "ALTER TABLE public.owners DROP COLUMN since;\n\
                          -- autogen:step outside-transaction\n\
                          DROP INDEX CONCURRENTLY public.pets_nick_idx;\n\
                          -- autogen:step in-transaction\n\
                          ALTER TABLE public.pets DROP COLUMN nick;\n";
const SECOND_UP: &str = "migrations/20261124170000_nick.up.sql";

/// Writes a revision's two files with autogen's header; `id` is `yyyymmddHHMMSS`.
fn write_revision(project: &Project, id: &str, parent: Option<&str>, up: &str, down: &str) {
    let slug = if parent.is_some() { "nick" } else { "pets" };
    let created = format!(
        "{}-{}-{}T{}:{}:{}Z",
        &id[0..4],
        &id[4..6],
        &id[6..8],
        &id[8..10],
        &id[10..12],
        &id[12..14]
    );
    let header = format!(
        "-- autogen revision {id}\n-- parent: {}\n-- message: {slug}\n-- created: {created}\n",
        parent.unwrap_or("none")
    );
    project.write(
        &format!("migrations/{id}_{slug}.up.sql"),
        &format!("{header}\n{up}"),
    );
    project.write(
        &format!("migrations/{id}_{slug}.down.sql"),
        &format!("{header}-- accepted hazards: data-loss\n\n{down}"),
    );
}

/// A project at its first revision (pets and owners), with the three-step revision
/// pending and `settings` added to autogen.toml.
async fn project_with_steps(settings: &str) -> Project {
    let project = Project::new().await;
    let toml = std::fs::read_to_string(project.path("autogen.toml")).expect("autogen.toml");
    project.write("autogen.toml", &format!("{toml}\n{settings}\n"));
    write_revision(&project, "20261124160000", None, PETS, PETS_DOWN);
    let first = project.run(FIRST, &["upgrade"]);
    assert_eq!(first.code, Some(0), "{first:?}");
    write_revision(
        &project,
        "20261124170000",
        Some("20261124160000"),
        STEPS_UP,
        STEPS_DOWN,
    );
    project
}

fn spawn(project: &Project, args: &[&str]) -> Child {
    project
        .command(SECOND, args)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("autogen starts")
}

/// The pid of autogen's session once it waits for a lock in a statement starting with
/// `statement`.
async fn waiting_backend(observer: &Client, statement: &str) -> i32 {
    for _ in 0..400 {
        let row = observer
            .query_opt(
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() \
                 AND application_name = 'autogen' AND wait_event_type = 'Lock' \
                 AND query LIKE $1",
                &[&format!("{statement}%")],
            )
            .await
            .expect("reads pg_stat_activity");
        if let Some(row) = row {
            return row.get(0);
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("autogen never waited in `{statement}`");
}

async fn strings(client: &Client, query: &str) -> Vec<String> {
    client
        .query(query, &[])
        .await
        .unwrap_or_else(|error| panic!("{query}: {error}"))
        .iter()
        .map(|row| row.get(0))
        .collect()
}

async fn versions(client: &Client) -> Vec<String> {
    strings(
        client,
        "SELECT revision FROM autogen.autogen_version ORDER BY revision",
    )
    .await
}

async fn step_rows(client: &Client) -> Vec<String> {
    strings(
        client,
        "SELECT format('%s %s %s', revision, direction, step) FROM autogen.autogen_step \
         ORDER BY step",
    )
    .await
}

async fn index_validity(client: &Client) -> Vec<String> {
    strings(
        client,
        "SELECT i.indisvalid::text FROM pg_index i \
         WHERE i.indexrelid = to_regclass('public.pets_nick_idx')",
    )
    .await
}

#[tokio::test]
async fn a_run_killed_between_steps_resumes_at_its_first_unfinished_step() {
    let project = project_with_steps("lock_timeout = \"60s\"").await;
    let client = project.database.client().await;
    let holder = project.database.client().await;
    holder
        .batch_execute("BEGIN; LOCK TABLE public.owners IN ACCESS SHARE MODE")
        .await
        .expect("locks owners");
    let mut child = spawn(&project, &["upgrade"]);
    waiting_backend(&client, "ALTER TABLE public.owners").await;
    assert_eq!(
        step_rows(&client).await,
        vec!["20261124170000 upgrade 1", "20261124170000 upgrade 2"]
    );
    child.kill().expect("kills autogen");
    let _ = child.wait();
    // The killed process's session would wait on until the lock is released.
    client
        .execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity \
             WHERE datname = current_database() AND application_name = 'autogen'",
            &[],
        )
        .await
        .expect("ends the orphaned sessions");
    holder.batch_execute("COMMIT").await.expect("commits");

    let current = project.run(SECOND, &["current"]);
    assert_eq!(
        current.stdout,
        "20261124160000 pets (1 revision pending: run `autogen upgrade`; 20261124170000: \
         2 of 3 steps applied)\n",
        "{current:?}"
    );
    let history = project.run(SECOND, &["history"]);
    assert!(
        history.stdout.contains(
            "20261124160000 -> 20261124170000 (head), nick\n    2 of 3 steps applied by an \
             interrupted upgrade, which `autogen upgrade` resumes\n    pending\n"
        ),
        "{history:?}"
    );

    let check = project.run(SECOND, &["check"]);
    assert!(
        check.stdout.contains(
            "  20261124170000 nick\n  part way: 20261124170000: 2 of 3 steps applied by an \
             interrupted upgrade, which `autogen upgrade` resumes\n"
        ),
        "{check:?}"
    );

    // An edit to a revision part way through is refused; undone, the run resumes.
    let original = std::fs::read_to_string(project.path(SECOND_UP)).expect("reads");
    project.write(SECOND_UP, &format!("{original}-- an afterthought\n"));
    let refused = project.run(SECOND, &["upgrade"]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    assert!(
        refused.stderr.contains(
            "revision 20261124170000 changed since an interrupted upgrade ran its first 2 steps"
        ),
        "{refused:?}"
    );
    project.write(SECOND_UP, &original);

    let resumed = project.run(SECOND, &["upgrade"]);
    assert_eq!(resumed.code, Some(0), "{resumed:?}");
    assert_eq!(
        resumed.stdout,
        "applied 20261124170000 nick (3 statements in 3 steps, resumed at step 3)\n\
         the database is at 20261124170000 (head)\n"
    );
    assert_eq!(
        versions(&client).await,
        vec!["20261124160000", "20261124170000"]
    );
    assert!(step_rows(&client).await.is_empty());
    assert_eq!(index_validity(&client).await, vec!["true"]);
    let check = project.run(SECOND, &["current"]);
    assert_eq!(check.stdout, "20261124170000 nick (head)\n", "{check:?}");
}

#[tokio::test]
async fn an_interrupted_concurrent_build_leaves_an_invalid_index_the_next_run_drops() {
    let project = project_with_steps("lock_timeout = \"60s\"").await;
    let client = project.database.client().await;
    // An open snapshot: CREATE INDEX CONCURRENTLY waits for it before it can finish.
    let reader = project.database.client().await;
    reader
        .batch_execute("BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM public.owners")
        .await
        .expect("holds a snapshot");
    let child = spawn(&project, &["upgrade"]);
    let pid = waiting_backend(&client, "CREATE INDEX CONCURRENTLY").await;
    client
        .execute("SELECT pg_cancel_backend($1)", &[&pid])
        .await
        .expect("cancels the build");
    let cancelled: Run = child.wait_with_output().expect("autogen ends").into();
    assert_eq!(cancelled.code, Some(2), "{cancelled:?}");
    assert!(
        cancelled.stderr.contains(
            "step 2 of 3 of upgrade 20261124170000 failed outside a transaction (a concurrent \
             index build it interrupted is dropped when the step runs again); the database \
             is at 20261124160000 (20261124170000: 1 of 3 steps applied; `autogen upgrade` \
             resumes at step 2)\n"
        ),
        "{cancelled:?}"
    );
    assert!(
        cancelled
            .stderr
            .contains("canceling statement due to user request (SQLSTATE 57014)"),
        "{cancelled:?}"
    );
    assert_eq!(index_validity(&client).await, vec!["false"]);
    reader.batch_execute("COMMIT").await.expect("commits");

    let resumed = project.run(SECOND, &["upgrade"]);
    assert_eq!(resumed.code, Some(0), "{resumed:?}");
    assert!(
        resumed.stderr.contains(
            "note: dropped the INVALID index public.pets_nick_idx an interrupted concurrent \
             build left, to build it again\n"
        ),
        "{resumed:?}"
    );
    assert!(
        resumed
            .stdout
            .contains("applied 20261124170000 nick (3 statements in 3 steps, resumed at step 2)\n"),
        "{resumed:?}"
    );
    assert_eq!(index_validity(&client).await, vec!["true"]);
    assert!(step_rows(&client).await.is_empty());
}

#[tokio::test]
async fn lock_timeout_retries_then_names_the_blocker_and_downgrades_run_in_steps() {
    let project = project_with_steps("lock_timeout = \"200ms\"\nlock_retries = 2").await;
    let client = project.database.client().await;
    let holder = project.database.client().await;
    let holder_pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .await
        .expect("pid")
        .get(0);
    holder
        .batch_execute("BEGIN; LOCK TABLE public.pets IN ACCESS SHARE MODE")
        .await
        .expect("locks pets");
    let refused = project.run(SECOND, &["upgrade"]);
    assert_eq!(refused.code, Some(2), "{refused:?}");
    for retry in ["retry 1 of 2 in 500 ms\n", "retry 2 of 2 in 1000 ms\n"] {
        assert!(
            refused.stderr.contains(&format!(
                "note: step 1 of 3 of 20261124170000 waited longer than lock_timeout (200ms) for \
                 a lock; {retry}"
            )),
            "{refused:?}"
        );
    }
    assert!(
        refused.stderr.contains(&format!(
            "error: {SECOND_UP}:7: statement 1 waited longer than lock_timeout (200ms) for a \
             lock, on each of 3 attempts: canceling statement due to lock timeout (SQLSTATE \
             55P03)\n  ALTER TABLE public.pets ADD COLUMN nick text\n  it waited for \
             AccessExclusiveLock on pets, held by pid {holder_pid}\n"
        )),
        "{refused:?}"
    );
    assert_eq!(versions(&client).await, vec!["20261124160000"]);
    assert!(step_rows(&client).await.is_empty());
    holder.batch_execute("COMMIT").await.expect("commits");
    let applied = project.run(SECOND, &["upgrade"]);
    assert_eq!(
        applied.stdout,
        "applied 20261124170000 step 1 of 3 (in a transaction, 1 statement)\n\
         applied 20261124170000 step 2 of 3 (outside a transaction, 1 statement)\n\
         applied 20261124170000 nick (3 statements in 3 steps)\n\
         the database is at 20261124170000 (head)\n",
        "{applied:?}"
    );

    // The way back: the outside-transaction step prints bare, between committed steps; a
    // dry run skips it; the run reverts step by step.
    let sql = project.run(SECOND, &["downgrade", "--sql"]);
    assert!(
        sql.stdout.contains(
            "INSERT INTO autogen.autogen_step (revision, direction, step, checksum) VALUES \
             ('20261124170000', 'downgrade', 1, "
        ) && sql.stdout.contains(
            "COMMIT;\n\n-- autogen:step outside-transaction\nDROP INDEX CONCURRENTLY \
             public.pets_nick_idx;\n\nINSERT INTO autogen.autogen_step"
        ) && sql.stdout.contains(
            "BEGIN;\n\n-- autogen:step in-transaction\nALTER TABLE public.pets DROP COLUMN \
             nick;\n\nDELETE FROM autogen.autogen_step WHERE revision = '20261124170000' AND \
             direction = 'downgrade';\nDELETE FROM autogen.autogen_version"
        ),
        "{sql:?}"
    );
    let dry = project.run(SECOND, &["downgrade", "--dry-run"]);
    assert_eq!(dry.code, Some(0), "{dry:?}");
    assert!(
        dry.stdout.contains(&format!(
            "skipped (runs outside a transaction, so not in a dry run): \
             {}:9: DROP INDEX CONCURRENTLY public.pets_nick_idx\n",
            SECOND_UP.replace(".up.", ".down.")
        )),
        "{dry:?}"
    );
    assert_eq!(index_validity(&client).await, vec!["true"]);
    let reverted = project.run(SECOND, &["downgrade"]);
    assert_eq!(
        reverted.stdout,
        "reverted 20261124170000 step 1 of 3 (in a transaction, 1 statement)\n\
         reverted 20261124170000 step 2 of 3 (outside a transaction, 1 statement)\n\
         reverted 20261124170000 nick (3 statements in 3 steps)\n\
         the database is at 20261124160000 (1 pending)\n",
        "{reverted:?}"
    );
    assert_eq!(versions(&client).await, vec!["20261124160000"]);
    assert!(index_validity(&client).await.is_empty());
    assert!(step_rows(&client).await.is_empty());
}

#[tokio::test]
async fn wrong_markers_are_refused_at_their_line_before_anything_runs() {
    let project = Project::new().await;
    write_revision(&project, "20261124160000", None, PETS, PETS_DOWN);
    let up = "migrations/20261124160000_pets.up.sql";
    let cases = [
        (
            format!("{PETS}-- autogen:step outside-transactoin\nSELECT 1;\n"),
            format!("{up}:9:1: unknown marker `-- autogen:step outside-transactoin`"),
        ),
        (
            format!("-- autogen:step outside-transaction\n{PETS}"),
            format!(
                "{up}:6:1: an outside-transaction step holds exactly one statement, this one \
                 has 3"
            ),
        ),
    ];
    for (body, expected) in cases {
        write_revision(&project, "20261124160000", None, &body, PETS_DOWN);
        for args in [&["upgrade"][..], &["upgrade", "--sql"], &["lint"]] {
            let refused = project.run(FIRST, args);
            assert_eq!(refused.code, Some(2), "{args:?}: {refused:?}");
            assert!(
                refused.stderr.starts_with(&format!("error: {expected}")),
                "{args:?}: {refused:?}"
            );
        }
    }
    let client = project.database.client().await;
    let tables = strings(
        &client,
        "SELECT tablename::text FROM pg_tables WHERE schemaname = 'public'",
    )
    .await;
    assert!(tables.is_empty(), "{tables:?}");
}

#[tokio::test]
async fn a_database_set_up_before_steps_gets_the_step_table_on_its_next_upgrade() {
    let project = project_with_steps("").await;
    let client = project.database.client().await;
    client
        .batch_execute("DROP TABLE autogen.autogen_step")
        .await
        .expect("drops the step table, as a database set up by an older autogen lacks it");
    let current = project.run(SECOND, &["current"]);
    assert_eq!(
        current.stdout, "20261124160000 pets (1 revision pending: run `autogen upgrade`)\n",
        "{current:?}"
    );
    let sql = project.run(SECOND, &["upgrade", "--sql"]);
    assert!(
        sql.stdout
            .contains("CREATE TABLE IF NOT EXISTS autogen.autogen_step (")
            && sql.stdout.contains("-- upgrade 20261124170000: "),
        "{sql:?}"
    );
    let dry = project.run(SECOND, &["upgrade", "--dry-run"]);
    assert_eq!(dry.code, Some(0), "{dry:?}");
    let applied = project.run(SECOND, &["upgrade"]);
    assert_eq!(applied.code, Some(0), "{applied:?}");
    assert_eq!(
        versions(&client).await,
        vec!["20261124160000", "20261124170000"]
    );
    assert!(step_rows(&client).await.is_empty());
}

#[tokio::test]
async fn a_do_block_that_commits_between_batches_runs_outside_a_transaction() {
    let project = Project::new().await;
    write_revision(&project, "20261124160000", None, PETS, PETS_DOWN);
    // COMMIT inside DO fails with "invalid transaction termination" in a transaction block.
    let backfill = "-- autogen:step in-transaction\n\
                    ALTER TABLE public.pets ADD COLUMN nick text;\n\
                    -- autogen:step outside-transaction\n\
                    DO $$\n\
                    BEGIN\n\
                    \x20 FOR batch IN 0..4 LOOP\n\
                    \x20   UPDATE public.pets SET nick = upper(name)\n\
                    \x20   WHERE id > batch * 10 AND id <= (batch + 1) * 10 AND nick IS NULL;\n\
                    \x20   COMMIT;\n\
                    \x20 END LOOP;\n\
                    END\n\
                    $$;\n";
    write_revision(
        &project,
        "20261124170000",
        Some("20261124160000"),
        backfill,
        "ALTER TABLE public.pets DROP COLUMN nick;\n",
    );
    let applied = project.run(SECOND, &["upgrade"]);
    assert_eq!(applied.code, Some(0), "{applied:?}");
    let client = project.database.client().await;
    let filled = strings(
        &client,
        "SELECT count(*)::text FROM public.pets WHERE nick = upper(name)",
    )
    .await;
    assert_eq!(filled, vec!["50"]);
    assert_eq!(
        versions(&client).await,
        vec!["20261124160000", "20261124170000"]
    );
}
