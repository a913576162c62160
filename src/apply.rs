//! Stage 7, apply: run a rendered script against a database, step by step (one transaction
//! per in-transaction step), or pipelined without one into a scratch database.
//!
//! A failing statement is reported with its number and text. Each statement travels alone in
//! the extended protocol, which refuses a second one. Never decides what to run; it runs
//! exactly the script it is given.

use futures_util::future::join_all;
use tokio_postgres::{Client, GenericClient};

use crate::error::{Error, Result};
use crate::sql::{Script, Statement};
use crate::syntax::steps::Transaction;

/// Runs `script` step by step (`Script::steps`): each in-transaction step in a transaction
/// of its own, each outside-transaction statement alone without one; a script without step
/// markers runs in one transaction. `origin` names the script in errors.
pub async fn apply(client: &mut Client, script: &Script, origin: &str) -> Result<()> {
    let mut n_before = 0;
    for (kind, statements) in script.steps() {
        match kind {
            Transaction::Inside => {
                run_in_transaction(client, statements, n_before, origin).await?;
            }
            Transaction::Outside => {
                for (offset, statement) in statements.iter().enumerate() {
                    run(client, statement, n_before + offset, origin).await?;
                }
            }
        }
        n_before += statements.len();
    }
    Ok(())
}

async fn run_in_transaction(
    client: &mut Client,
    statements: &[Statement],
    n_before: usize,
    origin: &str,
) -> Result<()> {
    let transaction = client
        .transaction()
        .await
        .map_err(|source| Error::database(format!("{origin}: cannot begin"), source))?;
    for (offset, statement) in statements.iter().enumerate() {
        run(&transaction, statement, n_before + offset, origin).await?;
    }
    transaction
        .commit()
        .await
        .map_err(|source| Error::database(format!("{origin}: cannot commit"), source))
}

/// One statement per extended-protocol message: text from a schema file can never smuggle
/// a second statement past the one rendered here.
async fn run(
    client: &impl GenericClient,
    statement: &Statement,
    statement_idx: usize,
    origin: &str,
) -> Result<()> {
    client
        .query_typed(&statement.sql, &[])
        .await
        .map(drop)
        .map_err(|source| Error::Apply {
            origin: origin.to_string(),
            statement_number: statement_idx + 1,
            sql: statement.sql.clone(),
            source,
        })
}

/// Statements in flight at once when building a scratch database.
const PIPELINE_WINDOW: usize = 256;

/// Runs every statement of `script` outside any transaction, `PIPELINE_WINDOW` at a time
/// without waiting for each answer. For a scratch (shadow) database only: it is dropped
/// whatever happens, so atomicity buys nothing, while one transaction over thousands of
/// objects runs out of lock slots (`max_locks_per_transaction`) and a round trip per
/// statement dominates the time. The first failing statement is reported.
pub async fn build_scratch(client: &Client, script: &Script, origin: &str) -> Result<()> {
    for (window_idx, window) in script.statements.chunks(PIPELINE_WINDOW).enumerate() {
        let results = join_all(
            window
                .iter()
                .map(|statement| client.query_typed(&statement.sql, &[])),
        )
        .await;
        let failed = results
            .into_iter()
            .enumerate()
            .find_map(|(offset, result)| result.err().map(|source| (offset, source)));
        if let Some((offset, source)) = failed {
            let statement_idx = window_idx * PIPELINE_WINDOW + offset;
            return Err(Error::Apply {
                origin: origin.to_string(),
                statement_number: statement_idx + 1,
                sql: script.statements[statement_idx].sql.clone(),
                source,
            });
        }
    }
    Ok(())
}
