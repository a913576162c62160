//! autogen's session-level advisory lock: one run that writes at a time, on a connection
//! of its own, which also looks at what a run's statements wait for.

use std::time::{Duration, Instant};

use tokio_postgres::Client;

use super::connect;
use crate::error::{Error, Result};

/// The session-level advisory lock every run that writes takes: "autogen" in ASCII.
pub const LOCK_KEY: i64 = 0x0061_7574_6f67_656e;
const LOCK_POLL: Duration = Duration::from_millis(100);

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

impl Lock {
    /// What the session `pid` is waiting for, as a clause for a report: the lock it wants,
    /// on which relation, and who holds it. `None` when it waits for nothing (or the
    /// catalog cannot say).
    pub async fn waiting(&self, pid: i32) -> Option<String> {
        let row = self
            .client
            .query_opt(
                "SELECT l.relation::pg_catalog.regclass::text, l.mode, \
                 pg_catalog.pg_blocking_pids(l.pid) \
                 FROM pg_catalog.pg_locks l WHERE l.pid = $1 AND NOT l.granted LIMIT 1",
                &[&pid],
            )
            .await
            .ok()??;
        let relation: Option<String> = row.get(0);
        let mode: String = row.get(1);
        let pids: Vec<i32> = row.get(2);
        let holders = match pids.as_slice() {
            [] => "sessions that have gone since".to_string(),
            [pid] => format!("pid {pid}"),
            pids => format!(
                "pids {}",
                pids.iter()
                    .map(i32::to_string)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        };
        Some(match relation {
            Some(relation) => format!("it waited for {mode} on {relation}, held by {holders}"),
            None => format!("it waited for the transactions of {holders} to end"),
        })
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
