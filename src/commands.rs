//! Runs one `Command` through the pipeline and emits its output.
//!
//! Returns the exit code for success paths (0, or 1 for "differences found"); errors go
//! back to `main`, which prints them once. The revision workflow (init, migrate, upgrade,
//! downgrade, current, history, show, stamp, check) decides here which revisions run;
//! `migrations` reads and writes the files and `runner` talks to the database.

use std::collections::{BTreeSet, HashMap};
use std::io::IsTerminal;
use std::path::Path;
use std::time::Duration;

use crate::catalog::{self, SchemaScope};
use crate::cli::{Action, Command, Project, RunMode};
use crate::config::{self, Config, DatabaseSetting};
use crate::diff::Change;
use crate::drift::{self, Drift};
use crate::error::{Error, Result};
use crate::lockfile::ProjectLock;
use crate::migrations::{self, Chain, Header, NewRevision, Revision};
use crate::model::Schema;
use crate::output::{self, errln, outln, Stream};
use crate::runner::{self, Direction, Lock, Step};
use crate::schema_diff::{self, Colour};
use crate::source::{self, Source};
use crate::{db, fs, normalize, spec};

pub async fn run(command: Command) -> Result<u8> {
    match command {
        Command::Diff {
            from,
            to,
            exit_code,
            reverse,
            with_privileges,
        } => {
            let privileges = crate::diff::PrivilegeScope {
                all_roles: with_privileges,
                ..Default::default()
            };
            let (current, desired) = source::read_pair(&from, &to, &privileges).await?;
            report_unmanaged(&[&current, &desired])?;
            let migration = crate::generate(&current, &desired);
            refuse_unmanaged_casualties(&migration, &current)?;
            crate::diff::refuse_blocked_rebuilds(&migration, &current, &desired)?;
            report_rename_suggestions(&migration.changes)?;
            let script = if reverse {
                migration.down
            } else {
                migration.up
            };
            output::write(Stream::Stdout, &script.to_text())?;
            Ok(if exit_code && !script.is_empty() {
                1
            } else {
                0
            })
        }
        Command::Inspect {
            database_url,
            output,
            with_privileges,
        } => {
            let client = db::connect(&database_url).await?;
            let mut schema = normalize::normalize(catalog::read(&client, &SchemaScope::All).await?);
            if !with_privileges {
                crate::diff::leave_privileges_out(&mut schema);
            }
            report_unmanaged(&[&schema])?;
            let yaml = spec::write(&schema);
            match output {
                Some(path) => fs::write_output(&path, yaml.as_bytes())?,
                None => output::write(Stream::Stdout, &yaml)?,
            }
            Ok(0)
        }
        Command::Init {
            config,
            database_url,
            from_db,
        } => init(config.as_deref(), database_url, from_db).await,
        Command::Project { project, action } => run_action(&project, action).await,
    }
}

async fn run_action(project: &Project, action: Action) -> Result<u8> {
    let config = Config::load(project.config.as_deref())?;
    let database_url = || config.database_url(project.database_url.as_deref());
    match action {
        Action::Migrate {
            message,
            allow_destructive,
            accept_drift,
        } => {
            let options = MigrateOptions {
                allow_destructive,
                accept_drift,
            };
            migrate(&config, database_url().ok().as_deref(), &message, &options).await
        }
        Action::Upgrade {
            target,
            mode,
            lock_timeout,
        } => {
            let run = Run {
                direction: Direction::Upgrade,
                target,
                mode,
                lock_timeout,
            };
            move_database(&config, &database_url()?, &run).await
        }
        Action::Downgrade {
            target,
            mode,
            lock_timeout,
        } => {
            let run = Run {
                direction: Direction::Downgrade,
                target,
                mode,
                lock_timeout,
            };
            move_database(&config, &database_url()?, &run).await
        }
        Action::Current => current(&config, &database_url()?).await,
        Action::History => {
            // History works from the files alone; the database adds who applied what.
            let url = match &config.database {
                DatabaseSetting::Env(_) if project.database_url.is_none() => database_url().ok(),
                _ => Some(database_url()?),
            };
            history(&config, url.as_deref()).await
        }
        Action::Show { revision } => show(&config, &revision),
        Action::Stamp {
            revision,
            lock_timeout,
        } => stamp(&config, &database_url()?, &revision, lock_timeout).await,
        Action::Repair { yes, lock_timeout } => {
            repair(&config, &database_url()?, yes, lock_timeout).await
        }
        Action::Check => check(&config, database_url().ok().as_deref()).await,
    }
}

/// The chain on disk and where the database is in it, read without the lock.
struct Position {
    chain: Chain,
    /// Index of the last applied revision; `None` at base.
    current: Option<usize>,
}

impl Position {
    async fn read(config: &Config, client: &tokio_postgres::Client) -> Result<Position> {
        let chain = migrations::read_chain(&config.migrations)?;
        let applied = runner::read_applied(client).await?;
        let current = runner::current_position(&chain, &applied)?;
        Ok(Position { chain, current })
    }

    /// `read` for commands that only look: problems come back beside the position.
    async fn read_leniently(
        config: &Config,
        client: &tokio_postgres::Client,
    ) -> Result<(Position, Vec<Error>)> {
        let (chain, mut problems) = migrations::read_chain_leniently(&config.migrations)?;
        let applied = runner::read_applied(client).await?;
        let (current, applied_problems) = runner::position_and_problems(&chain, &applied);
        problems.extend(applied_problems);
        Ok((Position { chain, current }, problems))
    }

    fn n_applied(&self) -> usize {
        self.current.map_or(0, |position| position + 1)
    }

    fn pending(&self) -> &[Revision] {
        &self.chain.revisions[self.n_applied()..]
    }

    fn at_head(&self) -> bool {
        self.pending().is_empty()
    }

    /// The id of the last applied revision, or `base`.
    fn describe_id(&self) -> String {
        match self.current {
            Some(position) => self.chain.revisions[position].id.clone(),
            None => "base".to_string(),
        }
    }

    /// `20261124170000 (head)`, `20261124160000 (1 pending)` or `base`.
    fn describe(&self) -> String {
        let name = self.describe_id();
        match self.pending().len() {
            0 if self.chain.revisions.is_empty() => format!("{name} (no revisions yet)"),
            0 => format!("{name} (head)"),
            n_pending => format!("{name} ({n_pending} pending)"),
        }
    }
}

fn one_line(message: &str) -> String {
    message.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// How `migrate` treats data loss and drift.
struct MigrateOptions {
    allow_destructive: bool,
    accept_drift: bool,
}

/// The message of the revision `migrate --accept-drift` writes for hand-made changes.
const ACCEPTED_DRIFT_MESSAGE: &str = "accept drift (hand-made changes found in the database)";

/// What a new revision is generated from.
struct Start {
    chain: Chain,
    current: Schema,
    desired: Schema,
    /// Hand-made changes in the database, made a revision of their own (--accept-drift).
    accepted_drift: Option<crate::Migration>,
}

/// With a database, the new revision is the difference between it (at head, without drift)
/// and the schema file; without one, between the state `migrations/` produces and the
/// schema file. Holds the project lock while it reads the chain and writes.
async fn migrate(
    config: &Config,
    url: Option<&str>,
    message: &str,
    options: &MigrateOptions,
) -> Result<u8> {
    let message = one_line(message);
    if message.is_empty() {
        return Err(Error::Usage(
            "the message is empty\n  hint: say what the revision does: \
             autogen migrate -m \"add vaccination status\""
                .into(),
        ));
    }
    // Read first, so a missing directory gets read_chain's hint rather than a lock error.
    migrations::read_chain(&config.migrations)?;
    let _project_lock = ProjectLock::acquire(&config.migrations)?;
    let start = match url {
        Some(url) => migrate_start_on(config, url, options).await?,
        None => {
            let chain = migrations::read_chain(&config.migrations)?;
            errln!(
                "note: no database configured; comparing {} with the state the revisions in {} \
                 produce",
                config.schema.display(),
                config.migrations.display()
            )?;
            let (current, desired) = read_migrations_and_file(config, None).await?;
            Start {
                chain,
                current,
                desired,
                accepted_drift: None,
            }
        }
    };
    report_unmanaged(&[&start.current, &start.desired])?;
    let migration = crate::generate(&start.current, &start.desired);
    refuse_unmanaged_casualties(&migration, &start.current)?;
    crate::diff::refuse_blocked_rebuilds(&migration, &start.current, &start.desired)?;
    if migration.changes.is_empty() && start.accepted_drift.is_none() {
        let compared_with = match url {
            Some(_) => "the database".to_string(),
            None => format!(
                "the state the revisions in {} produce",
                config.migrations.display()
            ),
        };
        outln!(
            "no changes: {} matches {compared_with}; no revision written",
            config.schema.display()
        )?;
        return Ok(0);
    }
    report_rename_suggestions(&migration.changes)?;
    let losses: Vec<String> = start
        .accepted_drift
        .iter()
        .chain([&migration])
        .flat_map(|migration| &migration.changes)
        .filter_map(Change::data_loss)
        .collect();
    if !losses.is_empty() && !options.allow_destructive {
        return Err(Error::Workflow(format!(
            "not written: this revision would destroy data:\n{}\n  hint: check {} (an \
             undeclared rename is a drop and an add); if the loss is intended, run again with \
             --allow-destructive",
            losses
                .iter()
                .map(|loss| format!("  {loss}"))
                .collect::<Vec<_>>()
                .join("\n"),
            config.schema.display()
        )));
    }
    let mut parent = start.chain.head().map(|head| head.id.clone());
    if let (Some(accepted), Some(url)) = (&start.accepted_drift, url) {
        let revision = write_revision(
            &config.migrations,
            parent,
            ACCEPTED_DRIFT_MESSAGE.to_string(),
            accepted,
        )?;
        for change in &accepted.changes {
            outln!("Accepted drift: {}", change.summary())?;
        }
        outln!("Generated {}", revision.up_path.display())?;
        outln!("Generated {}", revision.down_path.display())?;
        let stamped = stamp_written(&config.migrations, url, &revision.id).await;
        if stamped.is_err() {
            let _ = errln!(
                "the drift revision was written but not recorded in the database; once the \
                 problem is fixed, run `autogen stamp {}`, then migrate again",
                revision.id
            );
        }
        stamped?;
        outln!(
            "stamped {} as applied in the database (its changes are already there)",
            revision.id
        )?;
        if migration.changes.is_empty() {
            outln!(
                "no further changes: {} matches the database",
                config.schema.display()
            )?;
            return Ok(0);
        }
        parent = Some(revision.id);
    }
    let revision = write_revision(&config.migrations, parent, message, &migration)?;
    for change in &migration.changes {
        outln!("Detected {}", change.summary())?;
    }
    for hazard in hazards(&migration.changes) {
        outln!("Hazard: {hazard}")?;
    }
    outln!("Generated {}", revision.up_path.display())?;
    outln!("Generated {}", revision.down_path.display())?;
    Ok(0)
}

/// `migrate`'s starting point on a database: it must be at head and free of drift (unless
/// drift is accepted). The current side is the database, read over the same schemas
/// `check` reads, so the two never disagree about what is missing.
async fn migrate_start_on(config: &Config, url: &str, options: &MigrateOptions) -> Result<Start> {
    let client = runner::connect(url).await?;
    let position = Position::read(config, &client).await?;
    if !position.at_head() {
        let head = position
            .chain
            .head()
            .map_or("base", |head| head.id.as_str());
        return Err(Error::Workflow(format!(
            "the database is at {} but the latest revision is {head}: run `autogen \
             upgrade` first\n  hint: a new revision is the difference between the \
             latest revision and {}, so the database must have every revision applied",
            position.describe_id(),
            config.schema.display()
        )));
    }
    let (replayed_head, desired) = match read_migrations_and_file(config, Some(url)).await {
        Ok(pair) => pair,
        Err(error @ Error::Replay { .. }) if replays(&error, &config.migrations) => {
            errln!(
                "note: {} cannot be replayed offline, so drift cannot be checked; comparing \
                 the database with {}:\n{error}",
                config.migrations.display(),
                config.schema.display()
            )?;
            let (current, desired) = read_database_and_file(config, url).await?;
            return Ok(Start {
                chain: position.chain,
                current,
                desired,
                accepted_drift: None,
            });
        }
        Err(error) => return Err(error),
    };
    let drift = drift::read(
        &client,
        url,
        &position.chain.revisions,
        &config.migrations,
        &managed_schemas(config, &[&desired, &replayed_head]),
        &config.privilege_scope(),
    )
    .await?;
    let accepted = drift.accept();
    let accepted_drift = match (accepted.changes.is_empty(), options.accept_drift) {
        (true, _) => None,
        (false, true) => Some(accepted),
        (false, false) => {
            let mut report = Report::default();
            report.drift(
                &drift,
                &config.migrations.display().to_string(),
                &position.describe_id(),
                Colour::for_stream(false),
            );
            return Err(Error::Workflow(format!(
                "the database has changes no revision made; no revision written\n{}  hint: \
                 undo them (the SQL above), or run again with --accept-drift to write them \
                 as a revision of their own, recorded as applied here, before the revision \
                 for {}",
                report.text,
                config.schema.display()
            )));
        }
    };
    Ok(Start {
        chain: position.chain,
        current: drift.database,
        desired,
        accepted_drift,
    })
}

/// Writes `migration` as the revision after `parent`, with an id from the clock.
fn write_revision(
    directory: &Path,
    parent: Option<String>,
    message: String,
    migration: &crate::Migration,
) -> Result<NewRevision> {
    let (id, created) = migrations::next_id(migrations::now()?, parent.as_deref())?;
    let header = Header {
        revision: id,
        parent,
        message,
        created: migrations::format_created(created)?,
        hazards: hazards(&migration.changes),
    };
    let revision = NewRevision::new(
        directory,
        &header,
        hazards(&migration.down_changes),
        &migration.up.to_text(),
        &migration.down.to_text(),
    );
    revision.write()?;
    Ok(revision)
}

/// The schemas a database is read over, beyond `public`: those of `schemas` and those
/// autogen.toml lists.
fn managed_schemas(config: &Config, schemas: &[&Schema]) -> Vec<String> {
    schemas
        .iter()
        .flat_map(|schema| schema.schemas.iter())
        .chain(config.schemas.iter().flatten())
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect()
}

/// A plan never destroys an object autogen does not manage as a side effect.
fn refuse_unmanaged_casualties(migration: &crate::Migration, current: &Schema) -> Result<()> {
    let casualties = migration.unmanaged_casualties(current);
    if casualties.is_empty() {
        return Ok(());
    }
    Err(Error::Plan {
        object: "not written".to_string(),
        message: format!(
            "the migration would drop objects that other objects need:\n{}\n  \
             hint: keep the table, view or function as it is in this revision, or drop \
             the objects that need it by hand first and recreate them after upgrading",
            casualties
                .iter()
                .map(|casualty| format!("  {casualty}"))
                .collect::<Vec<_>>()
                .join("\n")
        ),
    })
}

/// Every hazard of `changes`, deduplicated, strongest kind first.
fn hazards(changes: &[Change]) -> Vec<String> {
    changes
        .iter()
        .flat_map(Change::hazards)
        .collect::<BTreeSet<_>>()
        .into_iter()
        .map(|hazard| hazard.to_string())
        .collect()
}

/// The database and the schema file, normalized, over the project's managed schemas: the
/// file's schemas and `public`, plus those autogen.toml lists.
async fn read_database_and_file(config: &Config, url: &str) -> Result<(Schema, Schema)> {
    let database = Source::Database(url.to_string());
    let schema_file = Source::SchemaFile(config.schema.clone());
    let extra_schemas = config.schemas.clone().unwrap_or_default();
    source::read_pair_in(
        &database,
        &schema_file,
        &extra_schemas,
        &config.privilege_scope(),
    )
    .await
}

/// The state the project's revisions produce (replayed offline) and the schema file,
/// canonicalized on the server of `url` when there is one.
/// Whether `error` is a revision in `migrations` that cannot be replayed.
fn replays(error: &Error, migrations: &Path) -> bool {
    matches!(error, Error::Replay { path, .. } if path.starts_with(migrations))
}

async fn read_migrations_and_file(config: &Config, url: Option<&str>) -> Result<(Schema, Schema)> {
    let replayed = Source::Migrations(config.migrations.clone());
    let schema_file = Source::SchemaFile(config.schema.clone());
    let extra_schemas = config.schemas.clone().unwrap_or_default();
    let privileges = config.privilege_scope();
    source::read_pair_on(&replayed, &schema_file, &extra_schemas, url, &privileges).await
}

/// What `upgrade` or `downgrade` was asked to do.
struct Run {
    direction: Direction,
    target: Option<String>,
    mode: RunMode,
    lock_timeout: Duration,
}

impl Run {
    fn verb(&self) -> &'static str {
        match self.direction {
            Direction::Upgrade => "upgrade",
            Direction::Downgrade => "downgrade",
        }
    }
}

async fn move_database(config: &Config, url: &str, run: &Run) -> Result<u8> {
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

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
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

async fn current(config: &Config, url: &str) -> Result<u8> {
    let client = runner::connect(url).await?;
    let (position, problems) = Position::read_leniently(config, &client).await?;
    report_problems(&problems)?;
    let message = position
        .current
        .map(|index| format!(" {}", position.chain.revisions[index].message()))
        .unwrap_or_default();
    let status = match position.pending().len() {
        _ if position.chain.revisions.is_empty() => {
            format!("no revisions in {} yet", config.migrations.display())
        }
        0 => "head".to_string(),
        n_pending => format!(
            "{} pending: run `autogen upgrade`",
            count(n_pending, "revision")
        ),
    };
    outln!("{}{message} ({status})", position.describe_id())?;
    Ok(0)
}

async fn history(config: &Config, url: Option<&str>) -> Result<u8> {
    let (chain, mut problems) = migrations::read_chain_leniently(&config.migrations)?;
    let (applied, entries, current) = match url {
        Some(url) => {
            let client = runner::connect(url).await?;
            let applied = runner::read_applied(&client).await?;
            let (current, applied_problems) = runner::position_and_problems(&chain, &applied);
            problems.extend(applied_problems);
            (applied, runner::read_history(&client).await?, current)
        }
        None => (Vec::new(), Vec::new(), None),
    };
    report_problems(&problems)?;
    let applied: HashMap<&str, &runner::Applied> = applied
        .iter()
        .map(|row| (row.revision.as_str(), row))
        .collect();
    if chain.revisions.is_empty() {
        outln!("no revisions in {} yet", config.migrations.display())?;
    }
    for (index, revision) in chain.revisions.iter().enumerate().rev() {
        let mut marks = Vec::new();
        if index + 1 == chain.revisions.len() {
            marks.push("head");
        }
        if url.is_some() && current == Some(index) {
            marks.push("current");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        outln!(
            "{} -> {}{marks}, {}",
            revision.parent().unwrap_or("<base>"),
            revision.id,
            revision.message()
        )?;
        if url.is_some() {
            match applied.get(revision.id.as_str()) {
                Some(row) => outln!(
                    "    applied {} by {} in {} ms",
                    row.applied_at,
                    row.applied_by,
                    row.duration_ms
                )?,
                None => outln!("    pending")?,
            }
        }
    }
    match url {
        None => errln!("note: no database configured; showing the files only")?,
        Some(_) if entries.is_empty() => outln!("\nno upgrades or downgrades recorded yet")?,
        Some(_) => {
            outln!("\naudit history (autogen.history), oldest first:")?;
            for entry in &entries {
                let duration = entry
                    .duration_ms
                    .map(|ms| format!(" in {ms} ms"))
                    .unwrap_or_default();
                outln!(
                    "  {}  {:<9} {}  by {}{duration}",
                    entry.at,
                    entry.direction,
                    entry.revision.as_deref().unwrap_or("-"),
                    entry.by_user
                )?;
            }
        }
    }
    Ok(0)
}

fn show(config: &Config, target: &str) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let Some(index) = chain.resolve(target)? else {
        return Err(Error::Usage(format!(
            "{target} is not a revision (base is the empty start of the chain)"
        )));
    };
    let revision = &chain.revisions[index];
    let mut text = format!(
        "==> {} <==\n{}",
        revision.up_path.display(),
        revision.up_text
    );
    if !text.ends_with('\n') {
        text.push('\n');
    }
    text.push_str(&format!(
        "\n==> {} <==\n{}",
        revision.down_path.display(),
        revision.down_text
    ));
    if !text.ends_with('\n') {
        text.push('\n');
    }
    output::write(Stream::Stdout, &text)?;
    Ok(0)
}

async fn stamp(config: &Config, url: &str, target: &str, lock_timeout: Duration) -> Result<u8> {
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

/// Compares the three sources of truth: the schema file, the state the revisions produce
/// (replayed offline) and, when one is configured, the database. Each disagreement has its
/// own cause and fix: a missing revision, pending revisions, or drift (a hand-made change).
async fn check(config: &Config, url: Option<&str>) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let schema = config.schema.display().to_string();
    let migrations_dir = config.migrations.display().to_string();
    // With a database, its server canonicalizes both files, so the comparison is exact.
    let (replayed_head, desired) = match read_migrations_and_file(config, url).await {
        Ok(pair) => pair,
        // Only the revisions fall back; a schema file that cannot be read is the error.
        Err(error @ Error::Replay { .. })
            if url.is_some() && replays(&error, &config.migrations) =>
        {
            errln!(
                "note: {migrations_dir} cannot be replayed offline, so only the database is \
                 compared with {schema}:\n{error}"
            )?;
            return check_database_only(config, url.unwrap_or_default()).await;
        }
        Err(error) => return Err(error),
    };
    report_unmanaged(&[&replayed_head, &desired])?;
    let colour = Colour::for_stream(std::io::stdout().is_terminal());
    let mut report = Report::default();

    let missing = crate::generate(&replayed_head, &desired);
    if !missing.changes.is_empty() {
        report.section(
            &format!(
                "missing revision: {schema} differs from the state the revisions in \
                 {migrations_dir} produce"
            ),
            &missing.changes,
            &missing,
            "hint: write the revision with `autogen migrate -m MESSAGE`; it would contain:",
        );
        report.schemas(
            &replayed_head,
            &desired,
            &format!("{migrations_dir} (head)"),
            &schema,
            colour,
        );
    }

    let Some(url) = url else {
        if report.is_empty() {
            outln!(
                "ok: {schema} matches the state the revisions in {migrations_dir} produce ({}, \
                 replayed offline; no database configured)",
                count(chain.revisions.len(), "revision")
            )?;
            return Ok(0);
        }
        output::write(Stream::Stdout, &report.text)?;
        return Ok(1);
    };

    let client = runner::connect(url).await?;
    let position = Position::read(config, &client).await?;
    report.pending(&position);

    let drift = drift::read(
        &client,
        url,
        &chain.revisions[..position.n_applied()],
        &config.migrations,
        &managed_schemas(config, &[&desired, &replayed_head]),
        &config.privilege_scope(),
    )
    .await?;
    report_unmanaged(&[&drift.database])?;
    report.drift(&drift, &migrations_dir, &position.describe_id(), colour);
    if report.is_empty() {
        outln!(
            "ok: the database is at {} and matches {schema} and {migrations_dir}",
            position.describe()
        )?;
        return Ok(0);
    }
    output::write(Stream::Stdout, &report.text)?;
    Ok(1)
}

/// `check` when the revisions cannot be replayed: the database against the schema file.
async fn check_database_only(config: &Config, url: &str) -> Result<u8> {
    let client = runner::connect(url).await?;
    let position = Position::read(config, &client).await?;
    let (current, desired) = read_database_and_file(config, url).await?;
    report_unmanaged(&[&current, &desired])?;
    let migration = crate::generate(&current, &desired);
    let schema = config.schema.display();
    if position.at_head() && migration.changes.is_empty() {
        outln!(
            "ok: the database is at {} and matches {schema}",
            position.describe()
        )?;
        return Ok(0);
    }
    let mut report = Report::default();
    report.pending(&position);
    if !migration.changes.is_empty() {
        report.section(
            &format!("the database differs from {schema}"),
            &migration.changes,
            &migration,
            &format!("SQL that would bring the database in line with {schema}:"),
        );
    }
    output::write(Stream::Stdout, &report.text)?;
    Ok(1)
}

/// The text `check` prints: sections separated by blank lines.
#[derive(Default)]
struct Report {
    text: String,
}

impl Report {
    fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    fn push(&mut self, section: &str) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
        self.text.push_str(section);
    }

    /// The revisions the database has yet to apply, if any.
    fn pending(&mut self, position: &Position) {
        let pending = position.pending();
        if pending.is_empty() {
            return;
        }
        let mut text = format!(
            "pending: the database is at {}: {} pending (run `autogen upgrade`):\n",
            position.describe_id(),
            count(pending.len(), "revision")
        );
        for revision in pending {
            text.push_str(&format!("  {} {}\n", revision.id, revision.message()));
        }
        self.push(&text);
    }

    /// Drift: the database against the state its applied revisions (up to `at`) produce.
    fn drift(&mut self, drift: &Drift, migrations_dir: &str, at: &str, colour: Colour) {
        let undo = drift.undo();
        if undo.changes.is_empty() {
            return;
        }
        self.section(
            &format!(
                "drift: the database differs from the state its applied revisions produce \
                 ({migrations_dir} at {at}); it was changed outside autogen"
            ),
            &undo.changes.iter().map(Change::inverse).collect::<Vec<_>>(),
            &undo,
            "hint: undo the hand-made change, or make it a revision; this SQL would undo it:",
        );
        self.schemas(
            &drift.database,
            &drift.expected,
            "database",
            &format!("{migrations_dir} at {at}"),
            colour,
        );
    }

    /// A disagreement: its headline, what changed, and the SQL under `sql_intro`.
    fn section(
        &mut self,
        headline: &str,
        changes: &[Change],
        migration: &crate::Migration,
        sql_intro: &str,
    ) {
        let mut text = format!("{headline}:\n");
        for change in changes {
            text.push_str(&format!("  {}\n", change.summary()));
        }
        text.push_str(&format!("{sql_intro}\n"));
        for line in migration.up.to_text().lines() {
            match line.is_empty() {
                true => text.push('\n'),
                false => text.push_str(&format!("  {line}\n")),
            }
        }
        self.push(&text);
    }

    /// The two schemas as YAML, compared line by line.
    fn schemas(
        &mut self,
        old: &Schema,
        new: &Schema,
        old_label: &str,
        new_label: &str,
        colour: Colour,
    ) {
        if let Some(diff) = schema_diff::render(old, new, old_label, new_label, colour) {
            self.text.push_str("as schema YAML:\n");
            self.text.push_str(&diff);
        }
    }
}

const STARTER_SCHEMA: &str = "\
# The schema you want, declared. After editing it, run
#   autogen migrate -m \"what changed\"   (writes a revision to review)
#   autogen upgrade                     (applies it)
# Every key is described under \"schema.yaml reference\" in autogen's README. An example:
#
# tables:
#   students:
#     columns:
#       id: { type: bigint, identity: always }
#       full_name: { type: text, nullable: false }
#       email: text
#     primary_key: [id]
tables: {}
";

async fn init(
    config_path: Option<&Path>,
    database_url: Option<String>,
    from_db: Option<String>,
) -> Result<u8> {
    let config_path = config_path.unwrap_or(Path::new(config::FILE_NAME));
    let root = config_path.parent().unwrap_or(Path::new(""));
    let schema_path = root.join(config::DEFAULT_SCHEMA);
    let migrations_path = root.join(config::DEFAULT_MIGRATIONS);
    for path in [config_path, schema_path.as_path()] {
        if path.exists() {
            return Err(Error::Usage(format!(
                "{} already exists; init never overwrites a file\n  hint: this looks like an \
                 autogen project already; `autogen current` shows where its database is",
                path.display()
            )));
        }
    }
    let has_revisions = std::fs::read_dir(&migrations_path)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .any(|entry| entry.file_name().to_string_lossy().ends_with(".sql"))
        })
        .unwrap_or(false);
    if has_revisions {
        return Err(Error::Usage(format!(
            "{} already holds SQL files; init never overwrites a project",
            migrations_path.display()
        )));
    }
    let database = match database_url.as_ref().or(from_db.as_ref()) {
        Some(url) => recorded_database(url)?,
        None => DatabaseSetting::Env(config::DEFAULT_DATABASE_URL_ENV.to_string()),
    };

    let adopted = match &from_db {
        Some(url) => Some(read_existing(url).await?),
        None => None,
    };
    let schema_text = match &adopted {
        Some(schema) => format!(
            "# The desired schema, first written by `autogen init --from-db` from the database.\n{}",
            spec::write(schema)
        ),
        None => STARTER_SCHEMA.to_string(),
    };
    create_dir(&migrations_path)?;
    if let Some(schema_directory) = schema_path.parent() {
        create_dir(schema_directory)?;
    }
    fs::write_atomically(&schema_path, schema_text.as_bytes())?;
    fs::write_atomically(config_path, config::starter_text(&database).as_bytes())?;
    let database_note = match &database {
        DatabaseSetting::Url(url) => format!("database {}", db::parse(url)?.describe()),
        DatabaseSetting::Env(variable) => format!("database from ${variable}"),
    };
    outln!("created {} ({database_note})", config_path.display())?;
    outln!("created {}", schema_path.display())?;
    outln!("created {}/", migrations_path.display())?;

    let (Some(url), Some(schema)) = (&from_db, &adopted) else {
        outln!(
            "next: declare tables in {}, then run `autogen migrate -m \"initial schema\"`",
            schema_path.display()
        )?;
        return Ok(0);
    };
    let empty = Schema {
        schemas: schema
            .schemas
            .iter()
            .filter(|name| *name == "public")
            .cloned()
            .collect(),
        ..Schema::default()
    };
    let migration = crate::generate(&empty, schema);
    if migration.changes.is_empty() {
        outln!("the database is empty: no first revision written")?;
        return Ok(0);
    }
    let revision = write_revision(
        &migrations_path,
        None,
        "initial schema".to_string(),
        &migration,
    )?;
    outln!("created {}", revision.up_path.display())?;
    outln!("created {}", revision.down_path.display())?;
    if let Err(error) = stamp_written(&migrations_path, url, &revision.id).await {
        // The run's own error outranks a note that cannot be printed.
        let _ = errln!(
            "the first revision was written but not recorded in the database; once the \
             problem is fixed, run `autogen stamp {}`",
            revision.id
        );
        return Err(error);
    }
    outln!(
        "stamped {} as applied in {} (it already matches)",
        revision.id,
        db::parse(url)?.describe()
    )?;
    Ok(0)
}

/// What `init` records for `url`: the connection string itself, or, when it holds a
/// password, the variable to hold it (autogen.toml belongs in version control).
fn recorded_database(url: &str) -> Result<DatabaseSetting> {
    if !db::parse(url)?.has_password() {
        return Ok(DatabaseSetting::Url(url.to_string()));
    }
    let variable = config::DEFAULT_DATABASE_URL_ENV;
    errln!(
        "note: the connection string holds a password, so autogen.toml reads it from \
         ${variable} instead of recording it\n  hint: export {variable}='...' with that \
         connection string, password included, before running autogen (from your CI's \
         secrets, or a shell profile kept out of version control)"
    )?;
    Ok(DatabaseSetting::Env(variable.to_string()))
}

/// The schema of a database being adopted; refuses one autogen already manages.
async fn read_existing(url: &str) -> Result<Schema> {
    let client = runner::connect(url).await?;
    if !runner::read_applied(&client).await?.is_empty() {
        return Err(Error::Workflow(format!(
            "{} already has revisions recorded in autogen.autogen_version\n  hint: check out \
             the project that manages it instead of adopting it again",
            db::parse(url)?.describe()
        )));
    }
    let mut schema = normalize::normalize(catalog::read(&client, &SchemaScope::All).await?);
    crate::diff::leave_privileges_out(&mut schema);
    report_unmanaged(&[&schema])?;
    Ok(schema)
}

/// Records a revision just written as applied without running it, for a database that
/// already has its changes (an adopted database's first revision, accepted drift).
async fn stamp_written(migrations_path: &Path, url: &str, revision_id: &str) -> Result<()> {
    let chain = migrations::read_chain(migrations_path)?;
    let revisions: Vec<&Revision> = chain
        .revisions
        .iter()
        .filter(|revision| revision.id == revision_id)
        .collect();
    let mut client = runner::connect(url).await?;
    let lock = Lock::acquire(url, Duration::from_secs(30)).await?;
    let result = async {
        runner::ensure_tables(&client).await?;
        runner::stamp(&mut client, &revisions).await
    }
    .await;
    let released = lock.release().await;
    result?;
    released
}

fn create_dir(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(path).map_err(|source| Error::io(path, source))
}

/// What `current` and `history` found wrong: shown, since those commands exist to look at
/// the state the errors of other commands talk about.
fn report_problems(problems: &[Error]) -> Result<()> {
    for problem in problems {
        errln!("warning: {problem}")?;
    }
    Ok(())
}

/// Shows the applied revisions whose files were edited and what the edits change; with
/// `yes`, records their checksums as they are now.
async fn repair(config: &Config, url: &str, yes: bool, lock_timeout: Duration) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let mut client = runner::connect(url).await?;
    let lock = Lock::acquire(url, lock_timeout).await?;
    let result = repair_locked(config, &mut client, url, &chain, yes).await;
    let released = lock.release().await;
    let code = result?;
    released?;
    Ok(code)
}

async fn repair_locked(
    config: &Config,
    client: &mut tokio_postgres::Client,
    url: &str,
    chain: &Chain,
    yes: bool,
) -> Result<u8> {
    let applied = runner::read_applied(client).await?;
    let mut edited: Vec<&Revision> = Vec::new();
    let mut text = String::new();
    let mut n_missing = 0;
    for row in &applied {
        let Some(position) = chain.position(&row.revision) else {
            n_missing += 1;
            errln!(
                "warning: revision {} is applied but its files are missing; repair cannot \
                 record them\n  hint: restore {}_*.up.sql and .down.sql from version control",
                row.revision,
                row.revision
            )?;
            continue;
        };
        let revision = &chain.revisions[position];
        if revision.checksum != row.checksum {
            text.push_str(&format!(
                "edited: {} {} (applied on {} by {}): recorded checksum {}, the files now have \
                 {}\n  {}\n  {}\n",
                revision.id,
                revision.message(),
                row.applied_at,
                row.applied_by,
                &row.checksum,
                &revision.checksum,
                revision.up_path.display(),
                revision.down_path.display()
            ));
            edited.push(revision);
        }
    }
    if edited.is_empty() {
        if n_missing > 0 {
            return Err(Error::Workflow(format!(
                "nothing repaired: {} without files",
                count(n_missing, "applied revision")
            )));
        }
        outln!("nothing to repair: every applied revision matches its recorded checksum")?;
        return Ok(0);
    }
    // The file contents at apply time are not kept, so what an edit changes is shown as its
    // effect: the database against the state the applied revisions, as edited, produce.
    let (position, _) = runner::position_and_problems(chain, &applied);
    let n_applied = position.map_or(0, |position| position + 1);
    let at = position.map_or("base".to_string(), |position| {
        chain.revisions[position].id.clone()
    });
    let migrations_dir = config.migrations.display().to_string();
    match drift::read(
        client,
        url,
        &chain.revisions[..n_applied],
        &config.migrations,
        &managed_schemas(config, &[]),
        &config.privilege_scope(),
    )
    .await
    {
        Ok(drift) if drift.undo().changes.is_empty() => text.push_str(&format!(
            "the edited revisions still produce this database's schema ({migrations_dir} at \
             {at})\n"
        )),
        Ok(drift) => {
            let mut report = Report::default();
            report.drift(
                &drift,
                &migrations_dir,
                &at,
                Colour::for_stream(std::io::stdout().is_terminal()),
            );
            text.push_str(&format!(
                "the edited revisions no longer produce this database's schema; after the \
                 repair `autogen check` reports the difference as drift:\n{}",
                report.text
            ));
        }
        Err(error) => text.push_str(&format!(
            "what the edits change to the schema is unknown: the revisions cannot be replayed \
             offline:\n{error}\n"
        )),
    }
    output::write(Stream::Stdout, &text)?;
    if !yes {
        return Err(Error::Usage(format!(
            "nothing recorded: {} edited after being applied\n  hint: review the edits \
             above, then run `autogen repair --yes` to record the files as they are now",
            count(edited.len(), "revision")
        )));
    }
    runner::record_checksums(client, &edited).await?;
    for revision in &edited {
        outln!(
            "recorded the new checksum of {} {}",
            revision.id,
            revision.message()
        )?;
    }
    Ok(0)
}

/// A drop and an add that look like a rename get a hint; autogen never guesses renames.
fn report_rename_suggestions(changes: &[Change]) -> Result<()> {
    for suggestion in crate::diff::rename_suggestions(changes) {
        errln!("hint: {suggestion}")?;
    }
    Ok(())
}

/// Objects autogen leaves alone are said out loud, never silently ignored.
fn report_unmanaged(schemas: &[&Schema]) -> Result<()> {
    let unmanaged: std::collections::BTreeSet<_> = schemas
        .iter()
        .flat_map(|schema| &schema.unmanaged)
        .collect();
    if unmanaged.is_empty() {
        return Ok(());
    }
    errln!(
        "note: {} object(s) that autogen does not manage were left alone:",
        unmanaged.len()
    )?;
    for object in unmanaged {
        errln!("  {} {}", object.kind, object.name)?;
    }
    Ok(())
}
