//! Stage 7, running revisions: autogen's bookkeeping tables, the advisory lock, and
//! applying or undoing revisions one transaction each.
//!
//! Async database IO. Everything autogen keeps lives in the schema `autogen`, which the
//! catalog never introspects. Never decides which revisions to run; `commands` does.

use std::path::Path;
use std::time::{Duration, Instant};

use tokio_postgres::{Client, GenericClient};

use crate::db;
use crate::error::{Error, Result};
use crate::migrations::{short_checksum, Chain, Revision};
use crate::syntax::quote::{comment_text, literal};
use crate::syntax::statements::{split_statements, FileStatement};

/// The session-level advisory lock every run that writes takes: "autogen" in ASCII.
pub const LOCK_KEY: i64 = 0x0061_7574_6f67_656e;
const LOCK_POLL: Duration = Duration::from_millis(100);

const CREATE_TABLES: &str = "\
CREATE SCHEMA IF NOT EXISTS autogen;
CREATE TABLE IF NOT EXISTS autogen.autogen_version (
    revision text PRIMARY KEY,
    parent text,
    message text,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now(),
    applied_by text NOT NULL DEFAULT current_user,
    duration_ms bigint NOT NULL
);
CREATE TABLE IF NOT EXISTS autogen.history (
    id bigserial PRIMARY KEY,
    revision text,
    direction text CHECK (direction IN ('upgrade', 'downgrade', 'stamp')),
    at timestamptz DEFAULT now(),
    by_user text DEFAULT current_user,
    duration_ms bigint
)";

const INSERT_VERSION: &str = "INSERT INTO autogen.autogen_version \
     (revision, parent, message, checksum, duration_ms) VALUES ($1, $2, $3, $4, $5)";
const DELETE_VERSION: &str = "DELETE FROM autogen.autogen_version WHERE revision = $1";
const INSERT_HISTORY: &str =
    "INSERT INTO autogen.history (revision, direction, duration_ms) VALUES ($1, $2, $3)";

/// A row of `autogen.autogen_version`; times as UTC text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Applied {
    pub revision: String,
    pub checksum: String,
    pub applied_at: String,
    pub applied_by: String,
    pub duration_ms: i64,
}

/// A row of `autogen.history`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HistoryEntry {
    pub revision: Option<String>,
    pub direction: String,
    pub at: String,
    pub by_user: String,
    pub duration_ms: Option<i64>,
}

/// Connects as `application_name = autogen`, so other sessions can see who holds the lock.
pub async fn connect(url: &str) -> Result<Client> {
    let mut conninfo = db::parse(url)?;
    conninfo.config.application_name("autogen");
    conninfo.connect().await
}

/// Whether autogen's bookkeeping tables exist.
pub async fn tables_exist(client: &Client) -> Result<bool> {
    let row = client
        .query_one(
            "SELECT pg_catalog.to_regclass('autogen.autogen_version') IS NOT NULL \
             AND pg_catalog.to_regclass('autogen.history') IS NOT NULL",
            &[],
        )
        .await
        .map_err(|source| Error::database("cannot look for autogen's tables", source))?;
    Ok(row.get(0))
}

/// Creates autogen's schema and tables when missing; call it under the lock.
pub async fn ensure_tables(client: &Client) -> Result<()> {
    client
        .batch_execute(CREATE_TABLES)
        .await
        .map_err(|source| Error::database("cannot create autogen's bookkeeping tables", source))
}

/// The applied revisions; none when autogen's tables do not exist yet (never creates them).
pub async fn read_applied(client: &Client) -> Result<Vec<Applied>> {
    if !tables_exist(client).await? {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            "SELECT revision, checksum, \
             to_char(applied_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
             applied_by, duration_ms FROM autogen.autogen_version ORDER BY applied_at, revision",
            &[],
        )
        .await
        .map_err(|source| Error::database("cannot read autogen.autogen_version", source))?;
    Ok(rows
        .iter()
        .map(|row| Applied {
            revision: row.get(0),
            checksum: row.get(1),
            applied_at: row.get(2),
            applied_by: row.get(3),
            duration_ms: row.get(4),
        })
        .collect())
}

/// The audit history, oldest first; empty when autogen's tables do not exist yet.
pub async fn read_history(client: &Client) -> Result<Vec<HistoryEntry>> {
    if !tables_exist(client).await? {
        return Ok(Vec::new());
    }
    let rows = client
        .query(
            // Coalesced: the history is plain rows anyone may edit; reading it never panics.
            "SELECT revision, coalesce(direction, ''), \
             to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), \
             coalesce(by_user, ''), duration_ms FROM autogen.history ORDER BY id",
            &[],
        )
        .await
        .map_err(|source| Error::database("cannot read autogen.history", source))?;
    Ok(rows
        .iter()
        .map(|row| HistoryEntry {
            revision: row.get(0),
            direction: row.get(1),
            at: row.get::<_, Option<String>>(2).unwrap_or_default(),
            by_user: row.get(3),
            duration_ms: row.get(4),
        })
        .collect())
}

/// Where the database is in `chain`: the position of its last applied revision (`None` at
/// base). Refuses applied revisions whose files were edited or are missing, and applied
/// sets with a gap.
pub fn current_position(chain: &Chain, applied: &[Applied]) -> Result<Option<usize>> {
    let (position, problems) = position_and_problems(chain, applied);
    match problems.into_iter().next() {
        Some(problem) => Err(problem),
        None => Ok(position),
    }
}

/// `current_position` for commands that only look: the last applied revision that has
/// files, and every problem `current_position` would refuse.
pub fn position_and_problems(chain: &Chain, applied: &[Applied]) -> (Option<usize>, Vec<Error>) {
    let mut problems = Vec::new();
    let mut positions = Vec::new();
    for row in applied {
        let Some(position) = chain.position(&row.revision) else {
            problems.push(Error::Revision {
                path: chain.directory.clone(),
                message: format!(
                    "revision {} is applied to the database (on {} by {}) but its files are \
                     missing\n  hint: restore {}_*.up.sql and .down.sql from version control; \
                     autogen cannot go past a revision it has no files for",
                    row.revision, row.applied_at, row.applied_by, row.revision
                ),
            });
            continue;
        };
        let revision = &chain.revisions[position];
        if revision.checksum != row.checksum {
            problems.push(Error::Revision {
                path: revision.up_path.clone(),
                message: format!(
                    "revision {} was edited after it was applied (on {} by {}): its checksum is \
                     {} but {} was recorded\n  hint: undo the edit (`git checkout -- {} {}`); \
                     to change the schema further, edit the schema file and run `autogen \
                     migrate`; if the edit is deliberate, `autogen repair` shows what it \
                     changes and records it",
                    revision.id,
                    row.applied_at,
                    row.applied_by,
                    short_checksum(&revision.checksum),
                    short_checksum(&row.checksum),
                    revision.up_path.display(),
                    revision.down_path.display()
                ),
            });
        }
        positions.push(position);
    }
    positions.sort_unstable();
    for (expected, position) in positions.iter().enumerate() {
        if *position != expected {
            let gap = &chain.revisions[expected];
            problems.push(Error::Workflow(format!(
                "the database has revision {} applied but not {}, which comes before it\n  \
                 hint: the order of {} changed after revisions were applied; restore it from \
                 version control",
                chain.revisions[*position].id,
                gap.id,
                chain.directory.display()
            )));
            break;
        }
    }
    (positions.last().copied(), problems)
}

/// The session-level advisory lock, held on a connection of its own until released.
pub struct Lock {
    client: Client,
}

impl Lock {
    /// Polls `pg_try_advisory_lock` until it succeeds or `timeout` passes; the timeout
    /// error names the session holding the lock.
    pub async fn acquire(url: &str, timeout: Duration) -> Result<Lock> {
        let client = connect(url).await?;
        let deadline = Instant::now() + timeout;
        loop {
            let row = client
                .query_one("SELECT pg_catalog.pg_try_advisory_lock($1)", &[&LOCK_KEY])
                .await
                .map_err(|source| Error::database("cannot take autogen's advisory lock", source))?;
            if row.get::<_, bool>(0) {
                return Ok(Lock { client });
            }
            if Instant::now() >= deadline {
                return Err(Error::Workflow(
                    lock_timeout_message(&client, timeout).await,
                ));
            }
            tokio::time::sleep(LOCK_POLL).await;
        }
    }

    /// `Error::LockLost` when the lock's session has ended (terminated, or its connection
    /// dropped), so a run stops before its next revision instead of going on unlocked.
    pub async fn ensure_held(&self) -> Result<()> {
        let held = self
            .client
            .query_one(
                "SELECT EXISTS (SELECT FROM pg_catalog.pg_locks WHERE locktype = 'advisory' \
                 AND pid = pg_catalog.pg_backend_pid() AND granted AND objsubid = 1 \
                 AND classid::bigint = $1 AND objid::bigint = $2)",
                &[&(LOCK_KEY >> 32), &(LOCK_KEY & 0xffff_ffff)],
            )
            .await
            .map_err(|source| Error::LockLost(crate::error::describe_db_error(&source)))?;
        match held.get::<_, bool>(0) {
            true => Ok(()),
            false => Err(Error::LockLost(
                "its session is alive but no longer holds it".into(),
            )),
        }
    }

    /// Releases the lock; `Error::LockLost` when its session had already ended (the server
    /// released the lock with it).
    pub async fn release(self) -> Result<()> {
        let released = self
            .client
            .query_one("SELECT pg_catalog.pg_advisory_unlock($1)", &[&LOCK_KEY])
            .await;
        match released {
            Ok(_) => Ok(()),
            Err(source) if session_ended(&source) || self.client.is_closed() => Err(
                Error::LockLost("its session ended before the run did".into()),
            ),
            Err(source) => Err(Error::database(
                "cannot release autogen's advisory lock",
                source,
            )),
        }
    }
}

/// Whether `error` says the session is gone: the connection closed, or the server
/// terminated the backend (`pg_terminate_backend`).
fn session_ended(error: &tokio_postgres::Error) -> bool {
    error.is_closed() || error.code() == Some(&tokio_postgres::error::SqlState::ADMIN_SHUTDOWN)
}

async fn lock_timeout_message(client: &Client, timeout: Duration) -> String {
    // A bigint advisory key is stored as classid (high half), objid (low half), objsubid 1.
    let holder = client
        .query_opt(
            "SELECT a.pid, coalesce(a.usename::text, '?'), coalesce(a.application_name, ''), \
             coalesce(host(a.client_addr), 'local socket'), \
             coalesce(to_char(a.backend_start AT TIME ZONE 'UTC', \
             'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'), '?') \
             FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid \
             WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 \
             AND l.classid::bigint = $1 AND l.objid::bigint = $2 \
             AND l.database = (SELECT oid FROM pg_catalog.pg_database \
                               WHERE datname = pg_catalog.current_database()) \
             LIMIT 1",
            &[&(LOCK_KEY >> 32), &(LOCK_KEY & 0xffff_ffff)],
        )
        .await;
    let seconds = timeout.as_secs_f64();
    match holder {
        Ok(Some(row)) => {
            let pid: i32 = row.get(0);
            let user: String = row.get(1);
            let application: String = row.get(2);
            let client_addr: String = row.get(3);
            let since: String = row.get(4);
            format!(
                "another migration run holds autogen's lock on this database: pid {pid}, user \
                 {user}, application '{application}', client {client_addr}, connected since \
                 {since}; gave up after {seconds} s\n  hint: wait for it to finish and run \
                 again, or raise --lock-timeout; if that session is stuck, end it with \
                 SELECT pg_terminate_backend({pid})"
            )
        }
        _ => format!(
            "autogen's lock on this database was held by another session for {seconds} s \
             (it has gone since)\n  hint: run again"
        ),
    }
}

/// Which way a revision runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

impl Direction {
    fn word(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}

/// One revision to run, its file split into statements in advance (so a file that cannot
/// be split stops the run before anything is applied).
pub struct Step<'a> {
    pub revision: &'a Revision,
    pub direction: Direction,
    pub path: &'a Path,
    pub statements: Vec<FileStatement>,
}

impl<'a> Step<'a> {
    pub fn new(revision: &'a Revision, direction: Direction) -> Result<Step<'a>> {
        let (path, text) = match direction {
            Direction::Upgrade => (&revision.up_path, &revision.up_text),
            Direction::Downgrade => (&revision.down_path, &revision.down_text),
        };
        Ok(Step {
            revision,
            direction,
            path,
            statements: split_statements(text, path)?,
        })
    }

    fn file_text(&self) -> &str {
        match self.direction {
            Direction::Upgrade => &self.revision.up_text,
            Direction::Downgrade => &self.revision.down_text,
        }
    }
}

/// Runs one step inside `transaction`: its statements, then its bookkeeping row and its
/// history entry. Returns the time its statements took.
async fn run_step(transaction: &impl GenericClient, step: &Step<'_>) -> Result<Duration> {
    let started = Instant::now();
    for (statement_idx, statement) in step.statements.iter().enumerate() {
        // The extended protocol takes exactly one statement, so what the splitter showed the
        // reviewer as one statement can never run as two.
        transaction
            .query_typed(&statement.sql, &[])
            .await
            .map_err(|source| Error::Apply {
                origin: format!("{}:{}", step.path.display(), statement.line),
                statement_number: statement_idx + 1,
                sql: statement.sql.clone(),
                source,
            })?;
    }
    let elapsed = started.elapsed();
    let duration_ms = i64::try_from(elapsed.as_millis()).unwrap_or(i64::MAX);
    let revision = step.revision;
    let record_error =
        |source| Error::database("cannot record the revision in autogen's tables", source);
    match step.direction {
        Direction::Upgrade => transaction
            .execute(
                INSERT_VERSION,
                &[
                    &revision.id,
                    &revision.parent(),
                    &revision.message(),
                    &revision.checksum,
                    &duration_ms,
                ],
            )
            .await
            .map_err(record_error)?,
        Direction::Downgrade => transaction
            .execute(DELETE_VERSION, &[&revision.id])
            .await
            .map_err(record_error)?,
    };
    transaction
        .execute(
            INSERT_HISTORY,
            &[&revision.id, &step.direction.word(), &duration_ms],
        )
        .await
        .map_err(record_error)?;
    Ok(elapsed)
}

/// Runs each step in a transaction of its own and commits it; a failure rolls back that
/// step only (earlier ones stay applied). Before each step `lock` must still be held, so a
/// run whose lock session ended stops there. `on_applied` hears of each committed step.
pub async fn run(
    client: &mut Client,
    lock: &Lock,
    steps: &[Step<'_>],
    mut on_applied: impl FnMut(&Step<'_>, Duration),
) -> Result<()> {
    for step in steps {
        lock.ensure_held().await?;
        let transaction = client
            .transaction()
            .await
            .map_err(|source| Error::database("cannot begin a transaction", source))?;
        let label = format!("applying {}", step.path.display());
        let elapsed = crate::progress::during(&label, run_step(&transaction, step)).await?;
        transaction.commit().await.map_err(|source| {
            Error::database(format!("{}: cannot commit", step.path.display()), source)
        })?;
        on_applied(step, elapsed);
    }
    Ok(())
}

/// Runs every step, bookkeeping included, in one transaction and rolls it back.
pub async fn dry_run(client: &mut Client, steps: &[Step<'_>]) -> Result<()> {
    let transaction = client
        .transaction()
        .await
        .map_err(|source| Error::database("cannot begin a transaction", source))?;
    // The bookkeeping tables may not exist yet; creating them here is rolled back too.
    transaction
        .batch_execute(CREATE_TABLES)
        .await
        .map_err(|source| Error::database("cannot create autogen's bookkeeping tables", source))?;
    for step in steps {
        run_step(&transaction, step).await?;
    }
    transaction
        .rollback()
        .await
        .map_err(|source| Error::database("cannot roll back the dry run", source))
}

/// The SQL a run would send, as one script: each step's file between BEGIN and COMMIT,
/// with its bookkeeping statements. `with_tables` adds the bookkeeping tables' DDL.
pub fn script(steps: &[Step<'_>], with_tables: bool) -> String {
    let mut text = String::new();
    if with_tables {
        text.push_str("-- autogen's bookkeeping tables\n");
        text.push_str(CREATE_TABLES);
        text.push_str(";\n\n");
    }
    for step in steps {
        let revision = step.revision;
        let heading = format!(
            "{} {}: {}",
            step.direction.word(),
            revision.id,
            step.path.display()
        );
        text.push_str(&format!("-- {}\nBEGIN;\n\n", comment_text(&heading)));
        let body = step.file_text();
        text.push_str(body);
        if !body.ends_with('\n') {
            text.push('\n');
        }
        text.push('\n');
        match step.direction {
            Direction::Upgrade => text.push_str(&format!(
                "INSERT INTO autogen.autogen_version (revision, parent, message, checksum, \
                 duration_ms) VALUES ({}, {}, {}, {}, 0);\n",
                literal(&revision.id),
                revision.parent().map_or("NULL".to_string(), literal),
                literal(revision.message()),
                literal(&revision.checksum)
            )),
            Direction::Downgrade => text.push_str(&format!(
                "DELETE FROM autogen.autogen_version WHERE revision = {};\n",
                literal(&revision.id)
            )),
        }
        text.push_str(&format!(
            "INSERT INTO autogen.history (revision, direction, duration_ms) VALUES ({}, {}, 0);\n\
             COMMIT;\n\n",
            literal(&revision.id),
            literal(step.direction.word())
        ));
    }
    if text.ends_with("\n\n") {
        text.pop();
    }
    text
}

/// Records `revisions` as applied without running them, in one transaction.
pub async fn stamp(client: &mut Client, revisions: &[&Revision]) -> Result<()> {
    let transaction = client
        .transaction()
        .await
        .map_err(|source| Error::database("cannot begin a transaction", source))?;
    for revision in revisions {
        let zero: i64 = 0;
        let stamp_error =
            |source| Error::database(format!("cannot stamp revision {}", revision.id), source);
        transaction
            .execute(
                INSERT_VERSION,
                &[
                    &revision.id,
                    &revision.parent(),
                    &revision.message(),
                    &revision.checksum,
                    &zero,
                ],
            )
            .await
            .map_err(stamp_error)?;
        transaction
            .execute(INSERT_HISTORY, &[&revision.id, &"stamp", &zero])
            .await
            .map_err(stamp_error)?;
    }
    transaction
        .commit()
        .await
        .map_err(|source| Error::database("cannot commit the stamp", source))
}

/// Records the checksums of `revisions`' files as they are now, in one transaction: the
/// deliberate acceptance of applied revisions that were edited.
pub async fn record_checksums(client: &mut Client, revisions: &[&Revision]) -> Result<()> {
    let transaction = client
        .transaction()
        .await
        .map_err(|source| Error::database("cannot begin a transaction", source))?;
    for revision in revisions {
        transaction
            .execute(
                "UPDATE autogen.autogen_version SET checksum = $2 WHERE revision = $1",
                &[&revision.id, &revision.checksum],
            )
            .await
            .map_err(|source| {
                Error::database(
                    format!("cannot record the checksum of revision {}", revision.id),
                    source,
                )
            })?;
    }
    transaction
        .commit()
        .await
        .map_err(|source| Error::database("cannot commit the new checksums", source))
}
