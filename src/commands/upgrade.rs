//! `autogen upgrade` and `autogen downgrade`: one implementation, two directions; apply,
//! print (`--sql`) or try (`--dry-run`) the revisions between the database and a target.

use std::collections::BTreeSet;
use std::time::Duration;

use crate::cli::RunMode;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::lint::{self, Allowed};
use crate::migrations::{self, Chain};
use crate::output::{self, errln, noteln, outln, Stream};
use crate::runner::{self, Direction, Event, Lock, Transition};
use crate::syntax::steps::Transaction;

use super::{count, Position};

/// What `upgrade` or `downgrade` was asked to do.
pub(super) struct Run {
    pub(super) direction: Direction,
    pub(super) target: Option<String>,
    pub(super) mode: RunMode,
    pub(super) lock_timeout: Duration,
    pub(super) allowed: Allowed,
    /// How each step waits for the locks its statements take.
    pub(super) settings: runner::Settings,
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
        let transitions = transitions(&position, run.direction, run.target.as_deref())?;
        if transitions.is_empty() {
            noteln!(
                "nothing to {}: the database is at {}",
                run.verb(),
                position.describe()
            )?;
            return Ok(0);
        }
        refuse_hazards(&position, &transitions, run)?;
        let with_tables = !runner::tables_exist(&client).await?;
        output::write(Stream::Stdout, &runner::script(&transitions, with_tables))?;
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
    let transitions = transitions(&position, run.direction, run.target.as_deref())?;
    if transitions.is_empty() {
        outln!(
            "nothing to {}: the database is at {}",
            run.verb(),
            position.describe()
        )?;
        return Ok(0);
    }
    refuse_hazards(&position, &transitions, run)?;
    if run.mode == RunMode::DryRun {
        let mut skipped = Vec::new();
        let result = runner::dry_run(client, run.settings, &transitions, |transition, step| {
            if let Some(statement) = step.statements.first() {
                skipped.push(format!(
                    "{}:{}: {}",
                    transition.path.display(),
                    statement.line,
                    crate::ddl::first_line(&statement.sql)
                ));
            }
        })
        .await;
        if let Err(error) = result {
            // The run's own error outranks a note that cannot be printed.
            let _ = errln!("dry run failed; everything was rolled back");
            if !skipped.is_empty() {
                let _ = errln!(
                    "note: the dry run skipped {} before it, which a later statement may need",
                    count(skipped.len(), "outside-transaction step")
                );
            }
            return Err(error);
        }
        for transition in &transitions {
            outln!(
                "ok: {} {} {} ({})",
                run.verb(),
                transition.revision.id,
                transition.revision.message(),
                count(transition.n_statements(), "statement")
            )?;
        }
        for skipped in &skipped {
            outln!("skipped (runs outside a transaction, so not in a dry run): {skipped}")?;
        }
        outln!(
            "dry run: {} ran cleanly; everything was rolled back, nothing was applied",
            count(transitions.len(), "revision")
        )?;
        return Ok(0);
    }
    let verb_past = match run.direction {
        Direction::Upgrade => "applied",
        Direction::Downgrade => "reverted",
    };
    let mut n_done = 0;
    // Steps of the revision being run that are done, this run's and an earlier one's.
    let mut steps_done = transitions.first().map_or(0, |step| step.n_done);
    // A progress line that cannot be printed does not stop the run halfway: the remaining
    // revisions still apply, and the write error is returned at the end.
    let mut printed = Ok(());
    let result = runner::run(client, lock, run.settings, &transitions, |event| {
        let line = match event {
            Event::StepDone { transition, step } => {
                steps_done = step + 1;
                let file_step = &transition.steps[step];
                outln!(
                    "{verb_past} {} step {} of {} ({}, {})",
                    transition.revision.id,
                    step + 1,
                    transition.steps.len(),
                    match file_step.transaction {
                        Transaction::Inside => "in a transaction",
                        Transaction::Outside => "outside a transaction",
                    },
                    count(file_step.statements.len(), "statement")
                )
            }
            Event::Retrying {
                transition,
                step,
                retry,
                pause,
            } => noteln!(
                "note: step {} of {} of {} waited longer than lock_timeout ({}) for a lock; \
                 retry {retry} of {} in {} ms",
                step + 1,
                transition.steps.len(),
                transition.revision.id,
                run.settings.describe_timeout(),
                run.settings.lock_retries,
                pause.as_millis()
            ),
            Event::DroppedInvalidIndex { name } => noteln!(
                "note: dropped the INVALID index {} an interrupted concurrent build left, to \
                 build it again",
                crate::guard::printable(&name)
            ),
            Event::Completed { transition, .. } => {
                n_done += 1;
                steps_done = transitions.get(n_done).map_or(0, |next| next.n_done);
                let in_steps = match transition.steps.len() {
                    1 => String::new(),
                    n_steps => format!(" in {n_steps} steps"),
                };
                let resumed = match transition.n_done {
                    0 => String::new(),
                    n => format!(", resumed at step {}", n + 1),
                };
                outln!(
                    "{verb_past} {} {} ({}{in_steps}{resumed})",
                    transition.revision.id,
                    transition.revision.message(),
                    count(transition.n_statements(), "statement")
                )
            }
        };
        printed = std::mem::replace(&mut printed, Ok(())).and(line);
    })
    .await;
    if let Err(error) = result {
        let failed = &transitions[n_done];
        let now_at = match (run.direction, n_done) {
            (_, 0) => position.describe_id(),
            (Direction::Upgrade, _) => transitions[n_done - 1].revision.id.clone(),
            (Direction::Downgrade, _) => failed.revision.id.clone(),
        };
        let part_way = match steps_done {
            0 => String::new(),
            _ => format!(
                " ({}: {steps_done} of {} {verb_past}; `autogen {}` resumes at step {})",
                failed.revision.id,
                count(failed.steps.len(), "step"),
                run.verb(),
                steps_done + 1
            ),
        };
        if let Error::LockLost(_) = error {
            let _ = errln!(
                "stopped before {} {}: {} of {} done; the database is at {now_at}{part_way}\n  \
                 hint: run `autogen {}` again to continue",
                run.verb(),
                failed.revision.id,
                n_done,
                count(transitions.len(), "revision"),
                run.verb()
            );
            return Err(error);
        }
        let what = match failed.steps.len() {
            1 => format!("{} of {}", run.verb(), failed.revision.id),
            n_steps => format!(
                "step {} of {n_steps} of {} {}",
                steps_done + 1,
                run.verb(),
                failed.revision.id
            ),
        };
        let undone = match failed.steps.get(steps_done).map(|step| step.transaction) {
            Some(Transaction::Outside) => {
                "failed outside a transaction (a concurrent index build it interrupted is \
                 dropped when the step runs again)"
            }
            _ => "failed and was rolled back",
        };
        // The run's own error outranks a note that cannot be printed.
        let _ = errln!("{what} {undone}; the database is at {now_at}{part_way}");
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
    let position = Position {
        chain,
        current,
        partial: None,
    };
    let transitions = transitions(&position, run.direction, to)?;
    noteln!(
        "note: {}; the SQL starts from {}, as if the database were there",
        match range {
            Some(_) => "a FROM:TO range names where the database is",
            None => "no database configured",
        },
        position.describe_id()
    )?;
    if transitions.is_empty() {
        noteln!("nothing to {}", run.verb())?;
        return Ok(0);
    }
    let with_tables = run.direction == Direction::Upgrade && position.current.is_none();
    output::write(Stream::Stdout, &runner::script(&transitions, with_tables))?;
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

/// The revisions from `position` to `target`, in the order they run; the first resumes
/// where an interrupted run stopped.
fn transitions<'a>(
    position: &'a Position,
    direction: Direction,
    target: Option<&str>,
) -> Result<Vec<Transition<'a>>> {
    let mut transitions = revisions(position, direction, target)?;
    let Some(partial) = &position.partial else {
        return Ok(transitions);
    };
    let (verb, undo) = match partial.direction {
        Direction::Upgrade => ("upgrade", "applied"),
        Direction::Downgrade => ("downgrade", "reverted"),
    };
    let first = transitions.first_mut().filter(|first| {
        first.revision.id == partial.revision && first.direction == partial.direction
    });
    let Some(first) = first else {
        return Err(Error::Workflow(format!(
            "an interrupted {verb} left revision {} part way: {} {undo}\n  hint: finish it \
             first with `autogen {verb} {}`{}",
            partial.revision,
            count(partial.n_done, "step"),
            match partial.direction {
                Direction::Upgrade => partial.revision.clone(),
                Direction::Downgrade => position
                    .chain
                    .position(&partial.revision)
                    .and_then(|index| index.checked_sub(1))
                    .map_or("base".to_string(), |index| {
                        position.chain.revisions[index].id.clone()
                    }),
            },
            match direction == partial.direction {
                true => "",
                false => ", then go the other way",
            }
        )));
    };
    if first.revision.checksum != partial.checksum || partial.n_done >= first.steps.len() {
        return Err(Error::Revision {
            path: first.path.to_path_buf(),
            message: format!(
                "revision {} changed since an interrupted {verb} ran its first {}: its checksum \
                 is {} but {} was recorded\n  hint: restore the files as they were (`git \
                 checkout`), let autogen finish the revision, and make further changes in a new \
                 revision",
                first.revision.id,
                count(partial.n_done, "step"),
                crate::migrations::short_checksum(&first.revision.checksum),
                crate::migrations::short_checksum(&partial.checksum)
            ),
        });
    }
    first.n_done = partial.n_done;
    Ok(transitions)
}

/// The revisions from `position` to `target`, in the order they run.
fn revisions<'a>(
    position: &'a Position,
    direction: Direction,
    target: Option<&str>,
) -> Result<Vec<Transition<'a>>> {
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
            .map(|revision| Transition::new(revision, Direction::Upgrade))
            .collect(),
        Direction::Downgrade => chain.revisions[n_target..n_applied]
            .iter()
            .rev()
            .map(|revision| Transition::new(revision, Direction::Downgrade))
            .collect(),
    }
}

/// Refuses, before anything runs, when a file `transitions` would run has hazards that neither
/// the project nor the flags allow and its header does not accept (`lint`'s analysis).
fn refuse_hazards(position: &Position, transitions: &[Transition<'_>], run: &Run) -> Result<()> {
    let positions: BTreeSet<usize> = transitions
        .iter()
        .filter_map(|transition| position.chain.position(&transition.revision.id))
        .collect();
    let analysis = lint::analyse(&position.chain, |index, direction| {
        direction == run.direction && positions.contains(&index)
    })?;
    match lint::refusal(&analysis.files, &run.allowed) {
        Some(error) => Err(error),
        None => Ok(()),
    }
}
