//! `autogen upgrade` and `autogen downgrade`: one implementation, two directions; apply,
//! print (`--sql`) or try (`--dry-run`) the revisions between the database and a target.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cli::RunMode;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::lint::{self, Allowed};
use crate::lock_budget;
use crate::migrations::{self, Chain};
use crate::output::{self, errln, noteln, outln, Stream};
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

/// `url` is `None` only for `--sql` without a database configured.
pub(super) async fn move_database(config: &Config, url: Option<&str>, run: &Run) -> Result<u8> {
    // The files are checked before anything connects: a fork stops every command.
    let chain = migrations::read_chain(&config.migrations)?;
    let range = run
        .target
        .as_deref()
        .and_then(|target| target.split_once(':'));
    let url = match (url, range, run.mode) {
        (None, _, RunMode::PrintSql) | (_, Some(_), RunMode::PrintSql) => {
            return print_offline(chain, range, run)
        }
        (_, Some(_), _) => {
            return Err(Error::Usage(
                "a FROM:TO range only prints SQL\n  hint: add --sql, or name one revision"
                    .to_string(),
            ))
        }
        (Some(url), None, _) => url,
        (None, None, _) => {
            return Err(Error::Usage(
                "no database to run against\n  hint: set database_url in autogen.toml or \
                 $DATABASE_URL, or add --sql to print the SQL instead"
                    .to_string(),
            ))
        }
    };
    let mut client = runner::connect(url).await?;
    if run.mode == RunMode::PrintSql {
        let position = Position::read(config, &client).await?;
        let steps = steps(&position, run.direction, run.target.as_deref())?;
        if steps.is_empty() {
            noteln!(
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
    let steps = steps(&position, run.direction, run.target.as_deref())?;
    if steps.is_empty() {
        outln!(
            "nothing to {}: the database is at {}",
            run.verb(),
            position.describe()
        )?;
        return Ok(0);
    }
    refuse_hazards(&position, &steps, run)?;
    lock_budget::check(client, &steps, run.mode == RunMode::DryRun).await?;
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

/// `--sql` from the files alone: upgrades start at base, downgrades at head, unless a
/// FROM:TO range says where; the database's own position is never read.
fn print_offline(chain: Chain, range: Option<(&str, &str)>, run: &Run) -> Result<u8> {
    let (from, to) = match range {
        Some((from, to)) => (Some(from), Some(to)),
        None => (None, run.target.as_deref()),
    };
    let current = match (from, run.direction) {
        (Some(from), _) => chain.resolve(from)?,
        (None, Direction::Upgrade) => None,
        (None, Direction::Downgrade) => chain.revisions.len().checked_sub(1),
    };
    let position = Position { chain, current };
    let steps = steps(&position, run.direction, to)?;
    noteln!(
        "note: {}; the SQL starts from {}, as if the database were there",
        match range {
            Some(_) => "a FROM:TO range names where the database is",
            None => "no database configured",
        },
        position.describe_id()
    )?;
    if steps.is_empty() {
        noteln!("nothing to {}", run.verb())?;
        return Ok(0);
    }
    let with_tables = run.direction == Direction::Upgrade && position.current.is_none();
    output::write(Stream::Stdout, &runner::script(&steps, with_tables))?;
    Ok(0)
}

/// `+N` or `-N`: N revisions on from, or back from, where the database is.
fn relative(target: &str) -> Option<(Direction, usize)> {
    let direction = match target.as_bytes().first()? {
        b'+' => Direction::Upgrade,
        b'-' => Direction::Downgrade,
        _ => return None,
    };
    let n_revisions: usize = target[1..].parse().ok().filter(|n| *n > 0)?;
    Some((direction, n_revisions))
}

/// The revisions from `position` to `target`, in the order they run.
fn steps<'a>(
    position: &'a Position,
    direction: Direction,
    target: Option<&str>,
) -> Result<Vec<Step<'a>>> {
    let chain = &position.chain;
    let n_applied = position.n_applied();
    let n_target = match (direction, target) {
        (Direction::Upgrade, None) => chain.revisions.len(),
        (Direction::Downgrade, None) => n_applied.saturating_sub(1),
        (_, Some(target)) => match relative(target) {
            Some((Direction::Upgrade, n)) if direction == Direction::Upgrade => n_applied
                .checked_add(n)
                .filter(|n_target| *n_target <= chain.revisions.len())
                .ok_or_else(|| {
                    Error::Workflow(format!(
                        "the database is at {}: {target} goes past head",
                        position.describe()
                    ))
                })?,
            Some((Direction::Downgrade, n)) if direction == Direction::Downgrade => {
                n_applied.checked_sub(n).ok_or_else(|| {
                    Error::Workflow(format!(
                        "the database is at {} with {} applied: {target} goes past base",
                        position.describe_id(),
                        count(n_applied, "revision")
                    ))
                })?
            }
            Some(_) => {
                let (verb, other) = match direction {
                    Direction::Upgrade => ("upgrade", "downgrade -N"),
                    Direction::Downgrade => ("downgrade", "upgrade +N"),
                };
                return Err(Error::Usage(format!(
                    "{verb} {target} goes the wrong way\n  hint: `autogen {other}` moves N \
                     revisions the other way"
                )));
            }
            None => chain.resolve(target)?.map_or(0, |position| position + 1),
        },
    };
    let target_name = |n: usize| {
        n.checked_sub(1).map_or("base".to_string(), |position| {
            chain.revisions[position].id.clone()
        })
    };
    match direction {
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
