//! Online revisions on a table that another connection keeps writing to: every write's
//! latency stays under the `lock_timeout` the migration's session sets, and a backfill
//! commits batch by batch. The runner is not used here: each step is applied as it would
//! apply it (in-transaction steps in a transaction, the others alone), with `lock_timeout`
//! set and a step that times out on a lock retried.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use autogen::plan::Mode;
use autogen::source::{self, Source};
use autogen::sql::Script;
use autogen::syntax::steps::Transaction;
use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use crate::scratch::ScratchDb;

const LOCK_TIMEOUT: Duration = Duration::from_millis(1000);
const N_ROWS: i32 = 50_000;

const DESIRED: &str = "\
tables:
  students:
    columns:
      id: integer
      email: text
      name: { type: text, nullable: false, backfill: \"'student ' || id\" }
      born: date
      department_id: integer
    primary_key: [id]
    unique:
      students_email_key: { columns: [email] }
    indexes:
      students_born_idx: { columns: [born] }
    foreign_keys:
      students_department_id_fkey:
        columns: [department_id]
        references: { table: departments }
    checks:
      students_born_check: \"born > date '1900-01-01'\"
  departments:
    columns:
      id: integer
    primary_key: [id]
";

/// Applies `script` step by step as the runner would, with `lock_timeout` on every step and
/// a step that fails on a lock retried; returns the number of retries.
async fn apply_in_steps(client: &mut Client, script: &Script) -> usize {
    let mut n_retries = 0;
    client
        .batch_execute(&format!(
            "SET lock_timeout = '{}ms'",
            LOCK_TIMEOUT.as_millis()
        ))
        .await
        .expect("SET lock_timeout");
    for (kind, statements) in script.steps() {
        loop {
            let outcome = match kind {
                Transaction::Inside => {
                    let transaction = client.transaction().await.expect("BEGIN");
                    let mut outcome = Ok(());
                    for statement in statements {
                        outcome = transaction.query_typed(&statement.sql, &[]).await.map(drop);
                        if outcome.is_err() {
                            break;
                        }
                    }
                    match outcome {
                        Ok(()) => transaction.commit().await,
                        Err(error) => Err(error),
                    }
                }
                Transaction::Outside => {
                    assert_eq!(statements.len(), 1, "one statement per outside step");
                    client.query_typed(&statements[0].sql, &[]).await.map(drop)
                }
            };
            match outcome {
                Ok(()) => break,
                Err(error) if error.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                    n_retries += 1;
                    assert!(n_retries < 50, "a step keeps timing out: {error}");
                    // An interrupted concurrent build leaves an INVALID index behind.
                    client
                        .batch_execute(
                            "DO $$ DECLARE index regclass; BEGIN \
                             FOR index IN SELECT indexrelid::regclass FROM pg_catalog.pg_index \
                             WHERE NOT indisvalid LOOP \
                             EXECUTE 'DROP INDEX CONCURRENTLY ' || index; END LOOP; END $$",
                        )
                        .await
                        .ok();
                }
                Err(error) => panic!(
                    "step failed: {error:?}\n{}",
                    statements
                        .iter()
                        .map(|statement| statement.sql.as_str())
                        .collect::<Vec<_>>()
                        .join(";\n")
                ),
            }
        }
    }
    n_retries
}

/// Inserts and updates rows until `stop`, returning each write's latency.
async fn write_until(client: Client, stop: Arc<AtomicBool>) -> Vec<Duration> {
    let mut latencies = Vec::new();
    let mut next_id = N_ROWS + 1;
    while !stop.load(Ordering::Relaxed) {
        let started = Instant::now();
        client
            .execute(
                "INSERT INTO public.students (id, email, name, born, department_id) \
                 VALUES ($1, 'new' || $1::integer || '@uni.example', 'new ' || $1::integer, date '2001-01-01', 1)",
                &[&next_id],
            )
            .await
            .expect("insert");
        latencies.push(started.elapsed());
        let started = Instant::now();
        client
            .execute(
                "UPDATE public.students SET born = born + 1 WHERE id = $1",
                &[&(next_id % N_ROWS + 1)],
            )
            .await
            .expect("update");
        latencies.push(started.elapsed());
        next_id += 1;
    }
    latencies
}

#[tokio::test]
async fn online_revision_never_blocks_a_writer_past_the_lock_timeout() {
    let db = ScratchDb::create("autogen_test_online").await;
    let mut client = db.client().await;
    client
        .batch_execute(&format!(
            "CREATE TABLE public.departments (id integer); \
             INSERT INTO public.departments SELECT generate_series(1, 5); \
             CREATE TABLE public.students (id integer, email text, name text, born date, \
             department_id integer); \
             INSERT INTO public.students SELECT n, 's' || n || '@uni.example', \
             CASE WHEN n % 2 = 0 THEN 'S' || n END, date '2000-01-01' + n % 3000, 1 + n % 5 \
             FROM generate_series(1, {N_ROWS}) AS n"
        ))
        .await
        .expect("table with rows");
    let desired_file = std::env::temp_dir().join(format!("{}_desired.yaml", db.name));
    std::fs::write(&desired_file, DESIRED).expect("write desired.yaml");
    let (current, desired) = source::read_pair(
        &Source::Database(db.url.clone()),
        &Source::SchemaFile(desired_file.clone()),
        &Default::default(),
    )
    .await
    .expect("both schemas");
    std::fs::remove_file(&desired_file).ok();
    let migration = autogen::generate_in(
        &current,
        &desired,
        Mode::Online {
            backfill_batch_size: 500,
        },
    );
    let n_outside = migration
        .up
        .steps()
        .iter()
        .filter(|(kind, _)| *kind == Transaction::Outside)
        .count();
    assert!(n_outside >= 4, "{}", migration.up.to_text());

    let stop = Arc::new(AtomicBool::new(false));
    let writer = tokio::spawn(write_until(db.client().await, stop.clone()));
    // Let the writer warm up, so the revision starts under load.
    tokio::time::sleep(Duration::from_millis(200)).await;
    let started = Instant::now();
    let n_retries = apply_in_steps(&mut client, &migration.up).await;
    let migration_time = started.elapsed();
    stop.store(true, Ordering::Relaxed);
    let latencies = writer.await.expect("the writer");

    let leftover = source::read_pair(
        &Source::Database(db.url.clone()),
        &Source::SchemaFile({
            std::fs::write(&desired_file, DESIRED).expect("write desired.yaml");
            desired_file.clone()
        }),
        &Default::default(),
    )
    .await
    .map(|(after, desired)| autogen::generate(&after, &desired));
    std::fs::remove_file(&desired_file).ok();
    let leftover = leftover.expect("both schemas");
    assert!(leftover.up.is_empty(), "{}", leftover.up.to_text());

    let slowest = latencies.iter().max().copied().unwrap_or_default();
    eprintln!(
        "online revision: {} steps ({n_outside} outside a transaction) in {migration_time:?}, \
         {n_retries} retries; writer: {} writes, slowest {slowest:?} (lock_timeout {LOCK_TIMEOUT:?})",
        migration.up.steps().len(),
        latencies.len(),
    );
    assert!(latencies.len() > 20, "the writer barely ran");
    assert!(
        slowest < LOCK_TIMEOUT,
        "a write waited {slowest:?}, longer than lock_timeout {LOCK_TIMEOUT:?}"
    );
}

/// The backfill's `DO` block, run outside a transaction, commits after every batch: the
/// rows it filled carry one transaction id per batch.
#[tokio::test]
async fn a_backfill_commits_each_batch() {
    let db = ScratchDb::create("autogen_test_online").await;
    let mut client = db.client().await;
    client
        .batch_execute(
            "CREATE TABLE public.t (id integer PRIMARY KEY, label text); \
             INSERT INTO public.t SELECT n, NULL FROM generate_series(1, 25) AS n",
        )
        .await
        .expect("table with rows");
    let current = autogen::normalize::normalize(
        autogen::catalog::read(&client, &autogen::catalog::SchemaScope::All)
            .await
            .expect("introspection"),
    );
    let mut desired = current.clone();
    let table = autogen::model::QualifiedName::new("public", "t");
    if let Some(column) = desired.tables.get_mut(&table).and_then(|table| {
        table
            .columns
            .iter_mut()
            .find(|column| column.name == "label")
    }) {
        column.nullable = false;
    }
    desired.directives.backfills.insert(
        (table.clone(), "label".into()),
        autogen::model::Expr::new("'row ' || id"),
    );
    let migration = autogen::generate_in(
        &current,
        &desired,
        Mode::Online {
            backfill_batch_size: 10,
        },
    );
    assert!(
        migration.up.to_text().contains("DO $backfill$"),
        "{}",
        migration.up.to_text()
    );
    autogen::apply::apply(&mut client, &migration.up, "up")
        .await
        .expect("the online revision");
    let row = client
        .query_one(
            "SELECT count(DISTINCT xmin::text), count(*) FILTER (WHERE label = 'row ' || id) \
             FROM public.t",
            &[],
        )
        .await
        .expect("transaction ids");
    let (n_transactions, n_filled): (i64, i64) = (row.get(0), row.get(1));
    assert_eq!(n_filled, 25);
    assert_eq!(
        n_transactions, 3,
        "25 rows in batches of 10 commit three times"
    );
}
