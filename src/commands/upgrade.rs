//! `autogen upgrade` and `autogen downgrade`: one implementation, two directions; apply,
//! print (`--sql`) or try (`--dry-run`) the revisions between the database and a target.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cli::RunMode;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::lint::{self, Allowed};
use crate::migrations;
use crate::output::{self, errln, outln, Stream};
use crate::runner::{self, Direction, Lock, Step};

use super::{count, Position};

/// What `upgrade` or `downgrade` was asked to do.
pub(super) struct Run {
    pub(super) direction: Direction,
    pub(super) target: Option<String>,
    pub(super) mode: RunMode,
    pub(super) lock_timeout: Duration,
    pub(super) allowed: Allowed,
}

impl Run {
    fn verb(&self) -> &'static str {
        match self.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}

pub(super) async fn move_database(config: &Config, url: &str, run: &Run) -> Result<u8> {
    // The files are checked before anything connects: a fork stops every command.
    migrations::read_chain(&config.migrations)?;
    let mut client = runner::connect(url).await?;
    if run.mode == RunMode::PrintSql {
        let position = Position::read(config, &client).await?;
        let steps = steps(&position, run)?;
        if steps.is_empty() {
            errln!(
                "nothing to {}: the database is at {}",
                run.verb(),
                position.describe()
            )?;
            return Ok(0);
        }
        refuse_hazards(&position, &steps, run)?;
        let with_tables = !runner::tables_exist(&client).await?;
        output::write(Stream::Stdout, &runner::script(&steps, with_tables))?;
        return Ok(0);
    }
    let lock = Lock::acquire(url, run.lock_timeout).await?;
    let result = move_database_locked(config, &mut client, &lock, run).await;
    let released = lock.release().await;
    let code = result?;
    if let Err(error @ Error::LockLost(_)) = &released {
        // Every revision committed on the run's own connection; only the lock went early.
        return Err(Error::Workflow(format!(
            "{error}\n  note: the {} itself completed as reported above, but its last \
             revision may have run without the lock\n  hint: `autogen check` confirms the \
             state",
            run.verb()
        )));
    }
    released?;
    Ok(code)
}

/// Under the lock: the state is read again, since another run may have moved it.
async fn move_database_locked(
    config: &Config,
    client: &mut tokio_postgres::Client,
    lock: &Lock,
    run: &Run,
) -> Result<u8> {
    if run.mode == RunMode::Apply {
        runner::ensure_tables(client).await?;
    }
    let position = Position::read(config, client).await?;
    let steps = steps(&position, run)?;
    if steps.is_empty() {
        outln!(
            "nothing to {}: the database is at {}",
            run.verb(),
            position.describe()
        )?;
        return Ok(0);
    }
    refuse_hazards(&position, &steps, run)?;
    if run.mode == RunMode::DryRun {
        if let Err(error) = runner::dry_run(client, &steps).await {
            // The run's own error outranks a note that cannot be printed.
            let _ = errln!("dry run failed; everything was rolled back");
            return Err(error);
        }
        for step in &steps {
            outln!(
                "ok: {} {} {} ({})",
                run.verb(),
                step.revision.id,
                step.revision.message(),
                count(step.statements.len(), "statement")
            )?;
        }
        outln!(
            "dry run: {} ran cleanly; everything was rolled back, nothing was applied",
            count(steps.len(), "revision")
        )?;
        return Ok(0);
    }
    let verb_past = match run.direction {
        Direction::Upgrade => "applied",
        Direction::Downgrade => "reverted",
    };
    let mut n_done = 0;
    // A progress line that cannot be printed does not stop the run halfway: the remaining
    // revisions still apply, and the write error is returned at the end.
    let mut printed = Ok(());
    let result = runner::run(client, lock, &steps, |step, _elapsed| {
        n_done += 1;
        let line = outln!(
            "{verb_past} {} {} ({})",
            step.revision.id,
            step.revision.message(),
            count(step.statements.len(), "statement")
        );
        printed = std::mem::replace(&mut printed, Ok(())).and(line);
    })
    .await;
    if let Err(error) = result {
        let failed = &steps[n_done];
        let now_at = match (run.direction, n_done) {
            (_, 0) => position.describe_id(),
            (Direction::Upgrade, _) => steps[n_done - 1].revision.id.clone(),
            (Direction::Downgrade, _) => failed.revision.id.clone(),
        };
        if let Error::LockLost(_) = error {
            let _ = errln!(
                "stopped before {} {}: {} of {} done; the database is at {now_at}\n  hint: \
                 run `autogen {}` again to continue",
                run.verb(),
                failed.revision.id,
                n_done,
                count(steps.len(), "revision"),
                run.verb()
            );
            return Err(error);
        }
        // The run's own error outranks a note that cannot be printed.
        let _ = errln!(
            "{} of {} failed and was rolled back; the database is at {now_at}",
            run.verb(),
            failed.revision.id
        );
        return Err(error);
    }
    printed?;
    let position = Position::read(config, client).await?;
    outln!("the database is at {}", position.describe())?;
    Ok(0)
}

/// The revisions `run` goes through from `position`, in the order they run.
fn steps<'a>(position: &'a Position, run: &Run) -> Result<Vec<Step<'a>>> {
    let chain = &position.chain;
    let n_applied = position.n_applied();
    let n_target = match (run.direction, run.target.as_deref()) {
        (Direction::Upgrade, None) => chain.revisions.len(),
        (Direction::Downgrade, None) => n_applied.saturating_sub(1),
        (_, Some(target)) => chain.resolve(target)?.map_or(0, |position| position + 1),
    };
    let target_name = |n: usize| {
        n.checked_sub(1).map_or("base".to_string(), |position| {
            chain.revisions[position].id.clone()
        })
    };
    match run.direction {
        Direction::Upgrade if n_target < n_applied => Err(Error::Workflow(format!(
            "the database is at {}, past {}\n  hint: to go back, run `autogen downgrade {}`",
            position.describe_id(),
            target_name(n_target),
            target_name(n_target)
        ))),
        Direction::Downgrade if n_target > n_applied => Err(Error::Workflow(format!(
            "the database is at {}, before {}\n  hint: to go forward, run `autogen upgrade {}`",
            position.describe_id(),
            target_name(n_target),
            target_name(n_target)
        ))),
        Direction::Upgrade => chain.revisions[n_applied..n_target]
            .iter()
            .map(|revision| Step::new(revision, Direction::Upgrade))
            .collect(),
        Direction::Downgrade => chain.revisions[n_target..n_applied]
            .iter()
            .rev()
            .map(|revision| Step::new(revision, Direction::Downgrade))
            .collect(),
    }
}

/// Refuses, before anything runs, when a file `steps` would run has hazards that neither
/// the project nor the flags allow and its header does not accept (`lint`'s analysis).
fn refuse_hazards(position: &Position, steps: &[Step<'_>], run: &Run) -> Result<()> {
    let positions: BTreeSet<usize> = steps
        .iter()
        .filter_map(|step| position.chain.position(&step.revision.id))
        .collect();
    let analysis = lint::analyse(&position.chain, |index, direction| {
        direction == run.direction && positions.contains(&index)
    })?;
    match lint::refusal(&analysis.files, &run.allowed) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
