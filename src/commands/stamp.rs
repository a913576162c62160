//! `autogen stamp`: record revisions as applied without running them.

use std::time::Duration;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::migrations::{self, Revision};
use crate::output::outln;
use crate::runner::{self, Lock};

use super::Position;

pub(super) async fn stamp(
    config: &Config,
    url: &str,
    target: &str,
    lock_timeout: Duration,
) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let n_target = chain.resolve(target)?.map_or(0, |position| position + 1);
    let mut client = runner::connect(url).await?;
    let lock = Lock::acquire(url, lock_timeout).await?;
    let result = stamp_locked(config, &mut client, n_target).await;
    let released = lock.release().await;
    let code = result?;
    released?;
    Ok(code)
}

async fn stamp_locked(
    config: &Config,
    client: &mut tokio_postgres::Client,
    n_target: usize,
) -> Result<u8> {
    runner::ensure_tables(client).await?;
    let position = Position::read(config, client).await?;
    let n_applied = position.n_applied();
    if n_target < n_applied {
        let target = n_target.checked_sub(1).map_or("base".to_string(), |index| {
            position.chain.revisions[index].id.clone()
        });
        return Err(Error::Workflow(format!(
            "the database is at {}, past {target}; stamp only records revisions as applied\n  \
             hint: `autogen downgrade {target}` undoes the later revisions",
            position.describe_id()
        )));
    }
    let revisions: Vec<&Revision> = position.chain.revisions[n_applied..n_target]
        .iter()
        .collect();
    if revisions.is_empty() {
        outln!(
            "nothing to stamp: the database is at {}",
            position.describe()
        )?;
        return Ok(0);
    }
    runner::stamp(client, &revisions).await?;
    for revision in &revisions {
        outln!(
            "stamped {} {} (recorded as applied; nothing ran)",
            revision.id,
            revision.message()
        )?;
    }
    let position = Position::read(config, client).await?;
    outln!("the database is at {}", position.describe())?;
    Ok(0)
}
