//! Running revisions step by step: each in-transaction step in a transaction of its own,
//! committed with its bookkeeping row; each outside-transaction statement alone in no
//! transaction block, then recorded. An interrupted revision resumes at its first
//! unfinished step; its last step records the revision and clears its step rows.
//!
//! Every step runs under the project's `lock_timeout`; a step that timed out waiting for a
//! lock is rolled back and tried again after a pause, `lock_retries` times, then the run
//! stops naming the statement and what it waited for.

use std::future::Future;
use std::path::Path;
use std::time::{Duration, Instant};

use tokio_postgres::error::SqlState;
use tokio_postgres::{Client, GenericClient};

use super::{Direction, Lock, CREATE_TABLES, DELETE_VERSION, INSERT_HISTORY, INSERT_VERSION};
use crate::cursor::Cursor;
use crate::error::{Error, LockTimeout, Result};
use crate::migrations::Revision;
use crate::syntax::quote::ident;
use crate::syntax::statements::FileStatement;
use crate::syntax::steps::{split_steps, FileStep, Transaction};

const INSERT_STEP: &str = "INSERT INTO autogen.autogen_step (revision, direction, step, checksum) \
     VALUES ($1, $2, $3, $4)";
const DELETE_STEPS: &str =
    "DELETE FROM autogen.autogen_step WHERE revision = $1 AND direction = $2";
/// The first pause before a step is retried; each retry doubles it.
const FIRST_PAUSE: Duration = Duration::from_millis(500);

/// How steps wait for locks (`lock_timeout`, `lock_retries` in autogen.toml).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Settings {
    /// Zero waits without limit.
    pub lock_timeout: Duration,
    pub lock_retries: u32,
}

impl Settings {
    /// `lock_timeout` as PostgreSQL and a reader take it: `5s`, `1500ms`.
    pub fn describe_timeout(&self) -> String {
        let millis = self.lock_timeout.as_millis();
        match millis % 1000 {
            0 if millis > 0 => format!("{}s", millis / 1000),
            _ => format!("{millis}ms"),
        }
    }
}

/// One revision to run one way, its file split into steps in advance (so a file that
/// cannot be split stops the run before anything is applied).
pub struct Transition<'a> {
    pub revision: &'a Revision,
    pub direction: Direction,
    pub path: &'a Path,
    pub steps: Vec<FileStep>,
    /// Steps an interrupted run completed: this run starts after them.
    pub n_done: usize,
}

impl<'a> Transition<'a> {
    pub fn new(revision: &'a Revision, direction: Direction) -> Result<Transition<'a>> {
        let (path, text) = match direction {
            Direction::Upgrade => (&revision.up_path, &revision.up_text),
            Direction::Downgrade => (&revision.down_path, &revision.down_text),
        };
        Ok(Transition {
            revision,
            direction,
            path,
            steps: split_steps(text, path)?,
            n_done: 0,
        })
    }

    pub fn n_statements(&self) -> usize {
        self.steps.iter().map(|step| step.statements.len()).sum()
    }

    /// The steps this run executes, with their indexes in the file.
    pub fn remaining(&self) -> impl Iterator<Item = (usize, &FileStep)> {
        self.steps.iter().enumerate().skip(self.n_done)
    }

    /// The 1-based number of a statement in the whole file.
    fn statement_number(&self, step: usize, statement: usize) -> usize {
        let before: usize = self.steps[..step]
            .iter()
            .map(|step| step.statements.len())
            .sum();
        before + statement + 1
    }

    fn is_last(&self, step: usize) -> bool {
        step + 1 == self.steps.len()
    }
}

/// What a run reports as it goes.
pub enum Event<'e, 'a> {
    /// A step other than the last committed.
    StepDone {
        transition: &'e Transition<'a>,
        step: usize,
    },
    /// A step timed out waiting for a lock, was rolled back and runs again after `pause`.
    Retrying {
        transition: &'e Transition<'a>,
        step: usize,
        retry: u32,
        pause: Duration,
    },
    /// The INVALID index an interrupted `CREATE INDEX CONCURRENTLY` left was dropped.
    DroppedInvalidIndex { name: String },
    /// The revision's last step committed with its bookkeeping.
    Completed {
        transition: &'e Transition<'a>,
        elapsed: Duration,
    },
}

/// The run's connection and what it needs to report a lock wait.
struct Session<'r> {
    lock: &'r Lock,
    settings: Settings,
    pid: i32,
}

/// Runs the remaining steps of each transition; a failure rolls back its step only
/// (earlier steps and revisions stay applied, and the next run resumes). Before each step
/// `lock` must still be held, so a run whose lock session ended stops there.
pub async fn run(
    client: &mut Client,
    lock: &Lock,
    settings: Settings,
    transitions: &[Transition<'_>],
    mut on_event: impl FnMut(Event<'_, '_>),
) -> Result<()> {
    let pid: i32 = client
        .query_one("SELECT pg_catalog.pg_backend_pid()", &[])
        .await
        .map_err(|source| Error::database("cannot read the session's pid", source))?
        .get(0);
    let session = Session {
        lock,
        settings,
        pid,
    };
    for transition in transitions {
        let started = Instant::now();
        restore_settings(client, transition).await?;
        for (index, _) in transition.remaining() {
            let mut retry = 0;
            loop {
                lock.ensure_held().await?;
                let mut waited_for = None;
                let label = match transition.steps.len() {
                    1 => format!("applying {}", transition.path.display()),
                    n_steps => format!(
                        "applying {} (step {} of {n_steps})",
                        transition.path.display(),
                        index + 1
                    ),
                };
                let attempt = run_step(
                    client,
                    &session,
                    transition,
                    index,
                    started,
                    &mut waited_for,
                );
                match crate::progress::during(&label, attempt).await {
                    Ok(dropped) => {
                        if let Some(name) = dropped {
                            on_event(Event::DroppedInvalidIndex { name });
                        }
                        break;
                    }
                    Err(Error::Apply {
                        origin,
                        statement_number,
                        sql,
                        source,
                    }) if source.code() == Some(&SqlState::LOCK_NOT_AVAILABLE) => {
                        if retry == settings.lock_retries {
                            return Err(Error::LockTimeout(Box::new(LockTimeout {
                                origin,
                                statement_number,
                                sql,
                                lock_timeout: settings.describe_timeout(),
                                attempts: retry + 1,
                                waited_for,
                                verb: transition.direction.word(),
                                source,
                            })));
                        }
                        retry += 1;
                        let pause = FIRST_PAUSE * 2u32.saturating_pow(retry - 1);
                        on_event(Event::Retrying {
                            transition,
                            step: index,
                            retry,
                            pause,
                        });
                        tokio::time::sleep(pause).await;
                    }
                    Err(error) => return Err(error),
                }
            }
            if !transition.is_last(index) {
                on_event(Event::StepDone {
                    transition,
                    step: index,
                });
            }
        }
        on_event(Event::Completed {
            transition,
            elapsed: started.elapsed(),
        });
    }
    Ok(())
}

/// One attempt at one step. Returns the INVALID index it dropped before a concurrent
/// build, if any; `waited_for` says what a statement was waiting for when it ran long.
async fn run_step(
    client: &mut Client,
    session: &Session<'_>,
    transition: &Transition<'_>,
    index: usize,
    started: Instant,
    waited_for: &mut Option<String>,
) -> Result<Option<String>> {
    let step = &transition.steps[index];
    let timeout = session.settings.describe_timeout();
    let setting_error = |source| Error::database("cannot set lock_timeout", source);
    match step.transaction {
        Transaction::Inside => {
            let transaction = client
                .transaction()
                .await
                .map_err(|source| Error::database("cannot begin a transaction", source))?;
            let result = async {
                transaction
                    .execute(
                        "SELECT pg_catalog.set_config('lock_timeout', $1, true)",
                        &[&timeout],
                    )
                    .await
                    .map_err(setting_error)?;
                for (number, statement) in step.statements.iter().enumerate() {
                    let sent = transaction.query_typed(&statement.sql, &[]);
                    watched(session, sent, waited_for).await.map_err(|source| {
                        apply_error(transition, index, number, statement, source)
                    })?;
                }
                record(&transaction, transition, index, started).await
            }
            .await;
            match result {
                Ok(()) => transaction.commit().await.map_err(|source| {
                    Error::database(
                        format!("{}: cannot commit", transition.path.display()),
                        source,
                    )
                })?,
                Err(error) => {
                    // The step's own error outranks one from rolling it back.
                    let _ = transaction.rollback().await;
                    return Err(error);
                }
            }
            Ok(None)
        }
        Transaction::Outside => {
            client
                .execute(
                    "SELECT pg_catalog.set_config('lock_timeout', $1, false)",
                    &[&timeout],
                )
                .await
                .map_err(setting_error)?;
            let statement = &step.statements[0];
            let apply = |source| apply_error(transition, index, 0, statement, source);
            let dropped = match concurrent_index(&statement.sql) {
                Some((index_name, table)) => drop_invalid_index(client, &index_name, &table)
                    .await
                    .map_err(apply)?,
                None => None,
            };
            // No transaction block: the extended protocol runs the statement in an
            // implicit transaction of its own, which CREATE INDEX CONCURRENTLY accepts and a
            // DO block may COMMIT.
            let sent = client.query_typed(&statement.sql, &[]);
            watched(session, sent, waited_for).await.map_err(apply)?;
            let transaction = client
                .transaction()
                .await
                .map_err(|source| Error::database("cannot begin a transaction", source))?;
            record(&transaction, transition, index, started).await?;
            transaction.commit().await.map_err(|source| {
                Error::database("cannot record the step in autogen's tables", source)
            })?;
            Ok(dropped)
        }
    }
}

/// `future`, a statement being sent; past three quarters of `lock_timeout` it is still
/// running, so the lock connection notes what the run's session waits for, for the report
/// should the statement time out.
async fn watched<T>(
    session: &Session<'_>,
    future: impl Future<Output = Result<T, tokio_postgres::Error>>,
    waited_for: &mut Option<String>,
) -> Result<T, tokio_postgres::Error> {
    if session.settings.lock_timeout.is_zero() {
        return future.await;
    }
    let mut future = std::pin::pin!(future);
    tokio::select! {
        result = &mut future => result,
        () = tokio::time::sleep(session.settings.lock_timeout * 3 / 4) => {
            *waited_for = session.lock.waiting(session.pid).await;
            future.await
        }
    }
}

fn apply_error(
    transition: &Transition<'_>,
    step: usize,
    statement_index: usize,
    statement: &FileStatement,
    source: tokio_postgres::Error,
) -> Error {
    Error::Apply {
        origin: format!("{}:{}", transition.path.display(), statement.line),
        statement_number: transition.statement_number(step, statement_index),
        sql: statement.sql.clone(),
        source,
    }
}

/// The bookkeeping of a completed step: its row, or for the revision's last step the
/// revision's own row and history entry, its step rows cleared.
async fn record(
    transaction: &impl GenericClient,
    transition: &Transition<'_>,
    index: usize,
    started: Instant,
) -> Result<()> {
    let revision = transition.revision;
    let direction = transition.direction.word();
    let record_error =
        |source| Error::database("cannot record the revision in autogen's tables", source);
    if !transition.is_last(index) {
        let step = i32::try_from(index + 1).unwrap_or(i32::MAX);
        transaction
            .execute(
                INSERT_STEP,
                &[&revision.id, &direction, &step, &revision.checksum],
            )
            .await
            .map_err(record_error)?;
        return Ok(());
    }
    let duration_ms = i64::try_from(started.elapsed().as_millis()).unwrap_or(i64::MAX);
    if transition.steps.len() > 1 {
        transaction
            .execute(DELETE_STEPS, &[&revision.id, &direction])
            .await
            .map_err(record_error)?;
    }
    match transition.direction {
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
        .execute(INSERT_HISTORY, &[&revision.id, &direction, &duration_ms])
        .await
        .map_err(record_error)?;
    Ok(())
}

/// A resumed revision's session lacks what the `SET` statements of its completed steps
/// set (`check_function_bodies`, `search_path`): they run again first.
async fn restore_settings(client: &impl GenericClient, transition: &Transition<'_>) -> Result<()> {
    let completed = transition.steps[..transition.n_done]
        .iter()
        .enumerate()
        .flat_map(|(step, file_step)| {
            file_step
                .statements
                .iter()
                .enumerate()
                .map(move |(number, statement)| (step, number, statement))
        });
    for (step, number, statement) in completed {
        if is_session_setting(&statement.sql) {
            client
                .query_typed(&statement.sql, &[])
                .await
                .map_err(|source| apply_error(transition, step, number, statement, source))?;
        }
    }
    Ok(())
}

/// `SET name ...` for the session (not `SET LOCAL`, `SET CONSTRAINTS`, `SET TRANSACTION`).
fn is_session_setting(sql: &str) -> bool {
    let Ok(mut cursor) = Cursor::new(sql) else {
        return false;
    };
    cursor.eat_keyword("SET")
        && !cursor.is_one_of(&["LOCAL", "CONSTRAINTS", "TRANSACTION"])
        && !cursor.is_keywords(&["SESSION", "CHARACTERISTICS"])
}

/// The index name and table of `CREATE [UNIQUE] INDEX CONCURRENTLY name ON table`, the
/// table spelled for `to_regclass`; `None` for any other statement or an unnamed index.
fn concurrent_index(sql: &str) -> Option<(String, String)> {
    let mut cursor = Cursor::new(sql).ok()?;
    if !(cursor.eat_keyword("CREATE")
        && (cursor.eat_keywords(&["UNIQUE", "INDEX"]) || cursor.eat_keyword("INDEX"))
        && cursor.eat_keyword("CONCURRENTLY"))
    {
        return None;
    }
    cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
    if cursor.is_keyword("ON") {
        return None;
    }
    let name = cursor.identifier().ok()?;
    if !cursor.eat_keyword("ON") {
        return None;
    }
    cursor.eat_keyword("ONLY");
    let table = cursor.dotted_name().ok()?;
    let table = table.iter().map(|part| ident(part)).collect::<Vec<_>>();
    Some((name, table.join(".")))
}

/// Drops the INVALID index `name` on `table` that an interrupted concurrent build left
/// (the build cannot run again while it exists); a valid index is left alone.
async fn drop_invalid_index(
    client: &Client,
    name: &str,
    table: &str,
) -> Result<Option<String>, tokio_postgres::Error> {
    let invalid = client
        .query_opt(
            "SELECT pg_catalog.format('%I.%I', n.nspname, c.relname) \
             FROM pg_catalog.pg_index i \
             JOIN pg_catalog.pg_class c ON c.oid = i.indexrelid \
             JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace \
             WHERE NOT i.indisvalid AND c.relname = $1 \
             AND i.indrelid = pg_catalog.to_regclass($2)",
            &[&name, &table],
        )
        .await?;
    let Some(row) = invalid else {
        return Ok(None);
    };
    let qualified: String = row.get(0);
    client
        .query_typed(
            &format!("DROP INDEX CONCURRENTLY IF EXISTS {qualified}"),
            &[],
        )
        .await?;
    Ok(Some(qualified))
}

/// Runs the remaining in-transaction steps, bookkeeping included, in one transaction and
/// rolls it back. Outside-transaction steps cannot run inside it and are not run for real:
/// `on_skipped` hears of each.
pub async fn dry_run(
    client: &mut Client,
    settings: Settings,
    transitions: &[Transition<'_>],
    mut on_skipped: impl FnMut(&Transition<'_>, &FileStep),
) -> Result<()> {
    let transaction = client
        .transaction()
        .await
        .map_err(|source| Error::database("cannot begin a transaction", source))?;
    // The bookkeeping tables may not exist yet; creating them here is rolled back too.
    transaction
        .batch_execute(CREATE_TABLES)
        .await
        .map_err(|source| Error::database("cannot create autogen's bookkeeping tables", source))?;
    transaction
        .execute(
            "SELECT pg_catalog.set_config('lock_timeout', $1, true)",
            &[&settings.describe_timeout()],
        )
        .await
        .map_err(|source| Error::database("cannot set lock_timeout", source))?;
    for transition in transitions {
        let started = Instant::now();
        restore_settings(&transaction, transition).await?;
        for (index, step) in transition.remaining() {
            if step.transaction == Transaction::Outside {
                on_skipped(transition, step);
            } else {
                for (number, statement) in step.statements.iter().enumerate() {
                    transaction
                        .query_typed(&statement.sql, &[])
                        .await
                        .map_err(|source| {
                            apply_error(transition, index, number, statement, source)
                        })?;
                }
            }
            record(&transaction, transition, index, started).await?;
        }
    }
    transaction
        .rollback()
        .await
        .map_err(|source| Error::database("cannot roll back the dry run", source))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn concurrent_builds_are_recognised_with_their_table() {
        assert_eq!(
            concurrent_index("CREATE UNIQUE INDEX CONCURRENTLY \"Pets_idx\" ON app.pets (a)"),
            Some(("Pets_idx".to_string(), "app.pets".to_string()))
        );
        assert_eq!(
            concurrent_index("create index concurrently if not exists i on only \"T\" (a)"),
            Some(("i".to_string(), "\"T\"".to_string()))
        );
        assert_eq!(concurrent_index("CREATE INDEX CONCURRENTLY ON t (a)"), None);
        assert_eq!(concurrent_index("CREATE INDEX i ON t (a)"), None);
        assert_eq!(concurrent_index("DROP INDEX CONCURRENTLY i"), None);
    }

    #[test]
    fn only_session_settings_are_restored() {
        assert!(is_session_setting("SET check_function_bodies = off"));
        assert!(is_session_setting("set search_path TO app"));
        assert!(!is_session_setting("SET LOCAL statement_timeout = 0"));
        assert!(!is_session_setting("SET CONSTRAINTS ALL DEFERRED"));
        assert!(!is_session_setting("SELECT 1"));
    }
}
