//! Stage 7, running revisions: autogen's bookkeeping tables, the advisory lock (`lock`),
//! and applying or undoing revisions step by step (`execute`), or printing what that
//! would send (`script`).
//!
//! Async database IO. Everything autogen keeps lives in the schema `autogen`, which the
//! catalog never introspects. Never decides which revisions to run; `commands` does.

mod execute;
mod lock;
mod script;

pub use execute::{dry_run, run, Event, Settings, Transition};
pub use lock::{Lock, LOCK_KEY};
pub use script::script;

use tokio_postgres::Client;

use crate::db;
use crate::error::{Error, Result};
use crate::migrations::{short_checksum, Chain, Revision};

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
);
CREATE TABLE IF NOT EXISTS autogen.autogen_step (
    revision text NOT NULL,
    direction text NOT NULL CHECK (direction IN ('upgrade', 'downgrade')),
    step integer NOT NULL,
    checksum text NOT NULL,
    completed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (revision, direction, step)
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

/// Whether all of autogen's bookkeeping tables exist (a database set up before
/// `autogen_step` existed gets it from `ensure_tables`).
pub async fn tables_exist(client: &Client) -> Result<bool> {
    exist(
        client,
        &[
            "autogen.autogen_version",
            "autogen.history",
            "autogen.autogen_step",
        ],
    )
    .await
}

/// Whether every table of `tables` exists.
async fn exist(client: &Client, tables: &[&str]) -> Result<bool> {
    let row = client
        .query_one(
            "SELECT pg_catalog.bool_and(pg_catalog.to_regclass(t) IS NOT NULL) \
             FROM pg_catalog.unnest($1::text[]) t",
            &[&tables],
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
    if !exist(client, &["autogen.autogen_version"]).await? {
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
    if !exist(client, &["autogen.history"]).await? {
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

/// A revision whose steps an interrupted run began but did not finish
/// (`autogen.autogen_step`); its own row in `autogen_version` changes with its last step.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Partial {
    pub revision: String,
    pub direction: Direction,
    /// Its first `n_done` steps completed.
    pub n_done: usize,
    /// The revision's checksum when those steps ran.
    pub checksum: String,
}

/// The revision an interrupted run left partly applied, if any; never creates the table.
/// Rows no run of autogen leaves (two revisions, a gap in the steps, two checksums) are
/// refused, naming what is wrong.
pub async fn read_partial(client: &Client) -> Result<Option<Partial>> {
    if !exist(client, &["autogen.autogen_step"]).await? {
        return Ok(None);
    }
    let rows = client
        .query(
            "SELECT revision, direction, count(*), max(step)::bigint, \
             count(DISTINCT checksum), min(checksum) FROM autogen.autogen_step \
             GROUP BY revision, direction ORDER BY revision, direction",
            &[],
        )
        .await
        .map_err(|source| Error::database("cannot read autogen.autogen_step", source))?;
    let inconsistent = |what: String| {
        Error::Workflow(format!(
            "autogen.autogen_step {what}, which no run of autogen leaves\n  hint: someone \
             edited autogen's tables; compare the database with `autogen check` and correct \
             autogen.autogen_step by hand"
        ))
    };
    let [row] = rows.as_slice() else {
        return match rows.len() {
            0 => Ok(None),
            _ => Err(inconsistent(format!(
                "records unfinished steps of {} revisions ({})",
                rows.len(),
                rows.iter()
                    .map(|row| row.get::<_, String>(0))
                    .collect::<Vec<_>>()
                    .join(", ")
            ))),
        };
    };
    let revision: String = row.get(0);
    let direction = match row.get::<_, String>(1).as_str() {
        "upgrade" => Direction::Upgrade,
        _ => Direction::Downgrade,
    };
    let (n_rows, last, n_checksums): (i64, i64, i64) = (row.get(2), row.get(3), row.get(4));
    if n_rows != last || n_checksums != 1 {
        return Err(inconsistent(format!(
            "records steps of revision {revision} with a gap or more than one checksum"
        )));
    }
    Ok(Some(Partial {
        revision,
        direction,
        n_done: usize::try_from(n_rows).unwrap_or(usize::MAX),
        checksum: row.get(5),
    }))
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

/// Which way a revision runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

impl Direction {
    pub fn word(self) -> &'static str {
        match self {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
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
