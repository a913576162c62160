//! Hazard labels checked against what PostgreSQL really does: a column type change labelled
//! a table rewrite must change the table's `relfilenode`, one labelled without must keep it,
//! and a change not labelled as data loss must bring every value back on the way down; the
//! lock each statement of the fixtures is labelled with is the one `pg_locks` shows.

use std::collections::{BTreeMap, BTreeSet};

use autogen::catalog::{self, SchemaScope};
use autogen::diff::{Hazard, LockMode};
use autogen::model::{QualifiedName, Schema};
use autogen::normalize::normalize;
use autogen::syntax::steps::Transaction;
use tokio_postgres::{Client, GenericClient};

use crate::scratch::ScratchDb;

/// (old type, new type, a value of the old type) in `format_type` spelling.
const TYPE_CHANGES: &[(&str, &str, &str)] = &[
    ("character varying(10)", "character varying(20)", "'abc'"),
    ("character varying(20)", "character varying(10)", "'abc'"),
    ("character varying(10)", "text", "'abc'"),
    ("text", "character varying", "'abc'"),
    ("text", "character varying(5)", "'abc'"),
    ("numeric(3,2)", "numeric(4,2)", "1.25"),
    ("numeric(3,2)", "numeric", "1.25"),
    ("numeric(3,2)", "numeric(5,3)", "1.25"),
    ("numeric(5,2)", "numeric(4,2)", "1.25"),
    ("numeric", "numeric(10,2)", "1.25"),
    ("integer", "bigint", "7"),
    ("bigint", "integer", "7"),
    ("integer", "numeric(12,2)", "7"),
    ("integer", "text", "7"),
    ("real", "double precision", "0.5"),
    (
        "timestamp(3) without time zone",
        "timestamp(6) without time zone",
        "'2026-01-02 03:04:05.678'",
    ),
    (
        "timestamp without time zone",
        "timestamp(3) without time zone",
        "'2026-01-02 03:04:05.678'",
    ),
    (
        "timestamp without time zone",
        "timestamp with time zone",
        "'2026-01-02 03:04:05'",
    ),
    (
        "time(2) without time zone",
        "time(4) without time zone",
        "'03:04:05.12'",
    ),
    ("interval(2)", "interval(4)", "'1.25 seconds'"),
    ("bit varying(5)", "bit varying(8)", "B'101'"),
    ("bit varying(5)", "bit varying", "B'101'"),
    ("character(5)", "character(8)", "'ab'"),
    ("cidr", "inet", "'10.0.0.0/8'"),
    ("xml", "text", "'<a/>'"),
    ("character varying(5)[]", "character varying(8)[]", "'{ab}'"),
];

async fn read(client: &Client) -> Schema {
    normalize(
        catalog::read(client, &SchemaScope::All)
            .await
            .expect("introspection"),
    )
}

async fn relfilenode(client: &Client) -> u32 {
    client
        .query_one(
            "SELECT relfilenode FROM pg_catalog.pg_class WHERE oid = 'public.t'::regclass",
            &[],
        )
        .await
        .expect("pg_class query")
        .get(0)
}

async fn value_text(client: &Client) -> String {
    client
        .query_one("SELECT c::text FROM public.t", &[])
        .await
        .expect("the row")
        .get(0)
}

#[tokio::test]
async fn type_change_labels_match_what_the_server_does() {
    let db = ScratchDb::create("autogen_test_hazards").await;
    let mut client = db.client().await;
    // Not UTC, where PostgreSQL skips the timestamp → timestamptz rewrite.
    client
        .batch_execute("SET TimeZone = 'America/New_York'")
        .await
        .expect("SET TimeZone");
    let table = QualifiedName::new("public", "t");
    let mut wrong = Vec::new();
    for (from, to, value) in TYPE_CHANGES {
        client
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS public.t; CREATE TABLE public.t (c {from}); \
                 INSERT INTO public.t VALUES ({value})"
            ))
            .await
            .unwrap_or_else(|error| panic!("{from} with {value}: {error}"));
        let current = read(&client).await;
        let mut desired = current.clone();
        let column = desired
            .tables
            .get_mut(&table)
            .and_then(|table| table.columns.first_mut())
            .expect("column c");
        assert_eq!(column.data_type, *from, "spelling of the old type");
        column.data_type = (*to).to_string();
        let migration = autogen::generate(&current, &desired);
        let hazards: Vec<Hazard> = migration
            .changes
            .iter()
            .flat_map(|change| change.hazards())
            .collect();
        let labelled_rewrite = hazards
            .iter()
            .any(|hazard| matches!(hazard, Hazard::TableRewrite(_)));
        let labelled_loss = hazards
            .iter()
            .any(|hazard| matches!(hazard, Hazard::DataLoss(_)));

        let before = relfilenode(&client).await;
        let original = value_text(&client).await;
        let applied = autogen::apply::apply(&mut client, &migration.up, "up").await;
        if let Err(error) = applied {
            // Only a change labelled as data loss may fail on the value.
            if !labelled_loss {
                wrong.push(format!(
                    "{from} → {to}: not labelled data loss, failed: {error}"
                ));
            }
            continue;
        }
        let rewritten = relfilenode(&client).await != before;
        if rewritten != labelled_rewrite {
            wrong.push(format!(
                "{from} → {to}: labelled rewrite {labelled_rewrite}, the server rewrote {rewritten}"
            ));
        }
        if !labelled_loss {
            let restored = autogen::apply::apply(&mut client, &migration.down, "down").await;
            let round_trip = match restored {
                Ok(()) => value_text(&client).await,
                Err(error) => format!("down failed: {error}"),
            };
            if round_trip != original {
                wrong.push(format!(
                    "{from} → {to}: not labelled data loss, {original} came back as {round_trip}"
                ));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// (old type, new type, a value of the old type) where the types are enums or domains.
const USER_TYPE_CHANGES: &[(&str, &str, &str)] = &[
    ("mood", "wider_mood", "'ok'"),
    ("wider_mood", "mood", "'glad'"),
    ("amount", "big_amount", "7"),
    ("big_amount", "amount", "3000000000"),
    ("amount", "bigint", "7"),
];

/// A column moving between enums or domains is labelled by what the types hold: a label or
/// a value the new type lacks is data loss (and the change fails on it); otherwise every value
/// comes back on the way down.
#[tokio::test]
async fn user_type_change_labels_match_what_the_server_does() {
    let db = ScratchDb::create("autogen_test_hazards").await;
    let mut client = db.client().await;
    client
        .batch_execute(
            "CREATE TYPE public.mood AS ENUM ('sad', 'ok'); \
             CREATE TYPE public.wider_mood AS ENUM ('sad', 'ok', 'glad'); \
             CREATE DOMAIN public.amount AS integer; \
             CREATE DOMAIN public.big_amount AS bigint",
        )
        .await
        .expect("types");
    let table = QualifiedName::new("public", "t");
    let mut wrong = Vec::new();
    for (from, to, value) in USER_TYPE_CHANGES {
        client
            .batch_execute(&format!(
                "DROP TABLE IF EXISTS public.t; CREATE TABLE public.t (c {from}); \
                 INSERT INTO public.t VALUES ({value})"
            ))
            .await
            .unwrap_or_else(|error| panic!("{from} with {value}: {error}"));
        let current = read(&client).await;
        let mut desired = current.clone();
        let column = desired
            .tables
            .get_mut(&table)
            .and_then(|table| table.columns.first_mut())
            .expect("column c");
        column.data_type = (*to).to_string();
        let migration = autogen::generate(&current, &desired);
        let labelled_loss = migration
            .changes
            .iter()
            .flat_map(|change| change.hazards())
            .any(|hazard| matches!(hazard, Hazard::DataLoss(_)));
        let original = value_text(&client).await;
        let applied = autogen::apply::apply(&mut client, &migration.up, "up").await;
        match (labelled_loss, applied) {
            (true, Ok(())) => wrong.push(format!(
                "{from} → {to}: labelled data loss, but {original} fits"
            )),
            (true, Err(_)) => {}
            (false, Err(error)) => wrong.push(format!(
                "{from} → {to}: not labelled data loss, failed: {error}"
            )),
            (false, Ok(())) => {
                let restored = autogen::apply::apply(&mut client, &migration.down, "down").await;
                let round_trip = match restored {
                    Ok(()) => value_text(&client).await,
                    Err(error) => format!("down failed: {error}"),
                };
                if round_trip != original {
                    wrong.push(format!(
                        "{from} → {to}: not labelled data loss, {original} came back as {round_trip}"
                    ));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `pg_locks` modes, weakest first.
const LOCK_MODES: &[&str] = &[
    "AccessShareLock",
    "RowShareLock",
    "RowExclusiveLock",
    "ShareUpdateExclusiveLock",
    "ShareLock",
    "ShareRowExclusiveLock",
    "ExclusiveLock",
    "AccessExclusiveLock",
];

fn strength(mode: &str) -> usize {
    LOCK_MODES
        .iter()
        .position(|known| *known == mode)
        .unwrap_or_else(|| panic!("unknown lock mode {mode}"))
}

fn pg_locks_mode(lock: LockMode) -> &'static str {
    match lock {
        LockMode::AccessExclusive => "AccessExclusiveLock",
        LockMode::Share => "ShareLock",
        LockMode::ShareRowExclusive => "ShareRowExclusiveLock",
        LockMode::ShareUpdateExclusive => "ShareUpdateExclusiveLock",
    }
}

/// The relation locks session `pid` holds, as (relation, mode), read by `observer` (the
/// session itself names the relations its transaction created). A relation is named as
/// `names` (read before the statements) has it, so one the statements dropped or renamed
/// keeps the name its label uses; otherwise as `regclass` prints it now.
async fn locks_of(
    observer: &impl GenericClient,
    pid: i32,
    names: &BTreeMap<u32, String>,
) -> BTreeSet<(String, String)> {
    observer
        .query(
            "SELECT relation, relation::regclass::text, mode FROM pg_catalog.pg_locks \
             WHERE pid = $1 AND locktype = 'relation' AND granted",
            &[&pid],
        )
        .await
        .expect("pg_locks")
        .iter()
        .map(|row| {
            let oid: u32 = row.get(0);
            let name = names.get(&oid).cloned().unwrap_or_else(|| row.get(1));
            (name, row.get(2))
        })
        .collect()
}

/// Every relation's oid and name as `regclass` prints it.
async fn relation_names(client: &impl GenericClient) -> BTreeMap<u32, String> {
    client
        .query(
            "SELECT oid, oid::regclass::text FROM pg_catalog.pg_class",
            &[],
        )
        .await
        .expect("pg_class")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

/// Each table's file and how many of its rows the running transaction did not write.
async fn table_files(client: &impl GenericClient) -> BTreeMap<String, u32> {
    client
        .query(
            "SELECT oid::regclass::text, relfilenode FROM pg_catalog.pg_class \
             WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace",
            &[],
        )
        .await
        .expect("pg_class")
        .iter()
        .map(|row| (row.get(0), row.get(1)))
        .collect()
}

/// True when every row of `table` was written by the running transaction (an `UPDATE` of
/// the whole table: each row written again, though the file stays).
async fn every_row_written(client: &impl GenericClient, table: &str) -> bool {
    let sql = format!(
        "SELECT count(*) FILTER (WHERE xmin::text <> pg_catalog.txid_current()::text) = 0 \
         FROM {table}"
    );
    client
        .query_one(&sql, &[])
        .await
        .map(|row| row.get(0))
        .unwrap_or(false)
}

/// What is wrong with `hazards` given the locks a statement newly took and all it holds.
fn check_lock_labels(
    statement: &str,
    hazards: &[Hazard],
    held: &BTreeSet<(String, String)>,
    taken: &BTreeSet<(String, String)>,
    wrong: &mut Vec<String>,
) {
    for hazard in hazards {
        let Hazard::Lock { lock, table } = hazard else {
            continue;
        };
        let label = pg_locks_mode(*lock);
        for table in table.split(" and ") {
            if !held.contains(&(table.to_string(), label.to_string())) {
                wrong.push(format!(
                    "{statement}: labelled {label} on {table}, holds {:?}",
                    held.iter()
                        .filter(|(name, _)| name == table)
                        .collect::<Vec<_>>()
                ));
            }
            let stronger: Vec<&String> = taken
                .iter()
                .filter(|(name, mode)| name == table && strength(mode) > strength(label))
                .map(|(_, mode)| mode)
                .collect();
            if !stronger.is_empty() {
                wrong.push(format!(
                    "{statement}: labelled {label} on {table}, took {stronger:?}"
                ));
            }
        }
    }
}

/// Runs one outside-transaction statement while another session holds a write lock on
/// the labelled table, so the statement waits holding its own lock, and reads that lock.
async fn observe_outside(
    db: &ScratchDb,
    client: &Client,
    observer: &Client,
    statement: &autogen::sql::Statement,
    wrong: &mut Vec<String>,
) {
    let labelled_table = statement.hazards.iter().find_map(|hazard| match hazard {
        Hazard::Lock { table, .. } => Some(table.clone()),
        _ => None,
    });
    let Some(table) = labelled_table else {
        client
            .batch_execute(&statement.sql)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", statement.sql));
        return;
    };
    let mut blocker = db.client().await;
    let blocking = blocker.transaction().await.expect("BEGIN");
    blocking
        .batch_execute(&format!("LOCK TABLE {table} IN ROW EXCLUSIVE MODE"))
        .await
        .expect("the blocker's lock");
    let pid: i32 = client
        .query_one("SELECT pg_catalog.pg_backend_pid()", &[])
        .await
        .expect("pid")
        .get(0);
    let running = client.batch_execute(&statement.sql);
    // Locks are read only once the statement waits: read before, they could predate its start.
    let observe = async {
        let mut held = None;
        for _ in 0..1500 {
            let waiting: bool = observer
                .query_one(
                    "SELECT wait_event_type = 'Lock' FROM pg_catalog.pg_stat_activity \
                     WHERE pid = $1",
                    &[&pid],
                )
                .await
                .expect("pg_stat_activity")
                .get::<_, Option<bool>>(0)
                .unwrap_or(false);
            if waiting {
                held = Some(locks_of(observer, pid, &BTreeMap::new()).await);
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        blocking.commit().await.expect("COMMIT the blocker");
        held
    };
    let (outcome, held) = tokio::join!(running, observe);
    outcome.unwrap_or_else(|error| panic!("{}: {error}", statement.sql));
    let held = held.unwrap_or_else(|| {
        panic!(
            "{}: never waited for the blocker within 30 s, so its locks were not seen",
            statement.sql
        )
    });
    check_lock_labels(&statement.sql, &statement.hazards, &held, &held, wrong);
}

/// Every lock label of the cases' upgrades is the lock the server takes (`pg_locks`), and
/// every rewrite label is a table written again: a new `relfilenode`, or (a backfill's
/// `UPDATE`) every row a new version; a change without the label keeps the files.
#[tokio::test]
async fn lock_and_rewrite_labels_of_the_fixtures_match_what_the_server_does() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
    let mut wrong = Vec::new();
    let mut cases: Vec<String> = std::fs::read_dir(&root)
        .expect("fixtures/cases")
        .map(|entry| {
            entry
                .expect("a case")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|case| root.join(case).join("current.sql").exists())
        .collect();
    cases.sort();
    assert!(cases.len() > 50, "only {} cases found", cases.len());
    for case in &cases {
        let case_dir = root.join(case);
        let db = ScratchDb::create("autogen_test_hazards").await;
        let mut client = db.client().await;
        let observer = db.client().await;
        // A case's roles (cluster-wide) come from its setup.sql, as in the fixture runner.
        if let Ok(setup_sql) = std::fs::read_to_string(case_dir.join("setup.sql")) {
            client.batch_execute(&setup_sql).await.expect("setup.sql");
        }
        let current_sql = std::fs::read_to_string(case_dir.join("current.sql"))
            .unwrap_or_else(|error| panic!("{case}: current.sql: {error}"));
        client
            .batch_execute(&current_sql)
            .await
            .expect("current.sql");
        let (current, desired) = autogen::source::read_pair(
            &autogen::source::Source::Database(db.url.clone()),
            &autogen::source::Source::SchemaFile(case_dir.join("desired.yaml")),
            &Default::default(),
        )
        .await
        .expect("both schemas");
        let mode = match case_dir.join("autogen.toml").exists() {
            true => autogen::config::Config::load(Some(&case_dir.join("autogen.toml")))
                .expect("the case's autogen.toml")
                .plan_mode(false),
            false => autogen::plan::Mode::Transactional,
        };
        let migration = autogen::generate_in(&current, &desired, mode);
        let pid: i32 = client
            .query_one("SELECT pg_catalog.pg_backend_pid()", &[])
            .await
            .expect("pid")
            .get(0);
        for (kind, statements) in migration.up.steps() {
            if kind == Transaction::Outside {
                for statement in statements {
                    observe_outside(&db, &client, &observer, statement, &mut wrong).await;
                }
                continue;
            }
            let transaction = client.transaction().await.expect("BEGIN");
            let mut group: Option<Group> = None;
            for statement in statements {
                if !statement.hazards.is_empty() {
                    if let Some(group) = group.take() {
                        check_group(&transaction, pid, group, &mut wrong).await;
                    }
                    let names = relation_names(&transaction).await;
                    group = Some(Group {
                        hazards: statement.hazards.clone(),
                        files: table_files(&transaction).await,
                        locks: locks_of(&transaction, pid, &names).await,
                        names,
                        what: format!("{case}: {}", statement.sql),
                    });
                }
                transaction
                    .batch_execute(&statement.sql)
                    .await
                    .unwrap_or_else(|error| panic!("{case}: {}: {error}", statement.sql));
            }
            if let Some(group) = group.take() {
                check_group(&transaction, pid, group, &mut wrong).await;
            }
            transaction.commit().await.expect("COMMIT");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The statements one set of labels covers (a change's statements in one step), with the
/// state before them.
struct Group {
    hazards: Vec<Hazard>,
    files: BTreeMap<String, u32>,
    locks: BTreeSet<(String, String)>,
    /// Relation names before the group ran.
    names: BTreeMap<u32, String>,
    what: String,
}

/// The lock and rewrite labels of one group, once its statements ran.
async fn check_group(
    transaction: &tokio_postgres::Transaction<'_>,
    pid: i32,
    group: Group,
    wrong: &mut Vec<String>,
) {
    let held = locks_of(transaction, pid, &group.names).await;
    let taken = held.difference(&group.locks).cloned().collect();
    check_lock_labels(&group.what, &group.hazards, &held, &taken, wrong);
    let after = table_files(transaction).await;
    for (table, file) in &group.files {
        let labelled = group
            .hazards
            .iter()
            .any(|hazard| matches!(hazard, Hazard::TableRewrite(name) if name == table));
        let new_file = after.get(table).is_some_and(|after| after != file);
        let rewritten = new_file || (labelled && every_row_written(transaction, table).await);
        if labelled != rewritten {
            wrong.push(format!(
                "{}: labelled rewrite of {table} {labelled}, written again {rewritten}",
                group.what
            ));
        }
    }
}
