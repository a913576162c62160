//! Runs one `Command` through the pipeline and emits its output, one file per command.
//!
//! Returns the exit code for success paths (0, or 1 for "differences found"); errors go
//! back to `main`, which prints them once. The revision workflow (init, migrate, upgrade,
//! downgrade, current, history, show, stamp, repair, check) decides here which revisions
//! run; `migrations` reads and writes the files and `runner` talks to the database. This
//! file holds what several commands share: where the database is in the chain, writing a
//! revision, and the notes every command prints alike.

mod check;
mod current;
mod diff;
mod edit;
mod heads;
mod history;
mod init;
mod inspect;
mod json;
mod lint;
mod migrate;
mod rebase;
mod repair;
mod report;
mod revision;
mod sarif;
mod show;
mod stamp;
mod upgrade;

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use crate::cli::{Action, Command, Project, RunMode};
use crate::config::{Config, DatabaseSetting};
use crate::diff::{Change, Hazard};
use crate::error::{Error, Result};
use crate::lint::Allowed;
use crate::migrations::{self, Chain, Header, NewRevision, Revision};
use crate::model::Schema;
use crate::output::{self, noteln, Stream};
use crate::runner::{self, Direction, Lock};
use crate::source::{self, Source};

pub async fn run(command: Command) -> Result<u8> {
    match command {
        Command::Diff {
            from,
            to,
            exit_code,
            reverse,
            format,
            with_privileges,
            online,
        } => {
            let mode = match online {
                true => crate::plan::Mode::Online {
                    backfill_batch_size: crate::config::DEFAULT_BACKFILL_BATCH_SIZE,
                },
                false => crate::plan::Mode::Transactional,
            };
            diff::diff(
                &from,
                &to,
                exit_code,
                reverse,
                format,
                with_privileges,
                mode,
            )
            .await
        }
        Command::Inspect {
            database_url,
            output,
            with_privileges,
        } => inspect::inspect(&database_url, output.as_deref(), with_privileges).await,
        Command::Init {
            config,
            database_url,
            from_db,
        } => init::init(config.as_deref(), database_url, from_db).await,
        Command::Project { project, action } => run_action(&project, action).await,
        Command::Print(text) => output::write(Stream::Stdout, &text).map(|()| 0),
        Command::SchemaJson => output::write(Stream::Stdout, crate::spec::JSON_SCHEMA).map(|()| 0),
    }
}

async fn run_action(project: &Project, action: Action) -> Result<u8> {
    let config = Config::load(project.config.as_deref())?;
    let database_url = || config.database_url(project.database_url.as_deref());
    match action {
        Action::Migrate {
            message,
            allow,
            accept_drift,
            online,
            format,
        } => {
            let options = migrate::MigrateOptions {
                allowed: Allowed::new(&config.allow_hazards, &allow),
                accept_drift,
                mode: config.plan_mode(online),
                format,
            };
            migrate::migrate(&config, database_url().ok().as_deref(), &message, &options).await
        }
        Action::Upgrade {
            target,
            mode,
            lock_timeout,
            allow,
        } => {
            let run = upgrade::Run {
                direction: Direction::Upgrade,
                target,
                mode,
                lock_timeout,
                allowed: Allowed::new(&config.allow_hazards, &allow),
                settings: runner::Settings {
                    lock_timeout: config.lock_timeout,
                    lock_retries: config.lock_retries,
                },
            };
            let url = match mode {
                RunMode::PrintSql => database_url().ok(),
                _ => Some(database_url()?),
            };
            upgrade::move_database(&config, url.as_deref(), &run).await
        }
        Action::Downgrade {
            target,
            mode,
            lock_timeout,
            allow,
        } => {
            let run = upgrade::Run {
                direction: Direction::Downgrade,
                target,
                mode,
                lock_timeout,
                allowed: Allowed::new(&config.allow_hazards, &allow),
                settings: runner::Settings {
                    lock_timeout: config.lock_timeout,
                    lock_retries: config.lock_retries,
                },
            };
            let url = match mode {
                RunMode::PrintSql => database_url().ok(),
                _ => Some(database_url()?),
            };
            upgrade::move_database(&config, url.as_deref(), &run).await
        }
        Action::Current => current::current(&config, &database_url()?).await,
        Action::History => {
            // History works from the files alone; the database adds who applied what.
            let url = match &config.database {
                DatabaseSetting::Env(_) if project.database_url.is_none() => database_url().ok(),
                _ => Some(database_url()?),
            };
            history::history(&config, url.as_deref()).await
        }
        Action::Heads => heads::heads(&config),
        Action::Revision { message } => revision::revision(&config, &message),
        Action::Edit { revision } => edit::edit(&config, revision.as_deref()),
        Action::Rebase => rebase::rebase(&config),
        Action::Show { revision } => show::show(&config, &revision),
        Action::Stamp {
            revision,
            lock_timeout,
        } => stamp::stamp(&config, &database_url()?, &revision, lock_timeout).await,
        Action::Repair { yes, lock_timeout } => {
            repair::repair(&config, &database_url()?, yes, lock_timeout).await
        }
        Action::Check { format } => {
            check::check(&config, database_url().ok().as_deref(), format).await
        }
        Action::Lint {
            revisions,
            allow,
            format,
        } => lint::lint(
            &config,
            &revisions,
            &Allowed::new(&config.allow_hazards, &allow),
            format,
        ),
    }
}

/// The chain on disk and where the database is in it, read without the lock.
struct Position {
    chain: Chain,
    /// Index of the last applied revision; `None` at base.
    current: Option<usize>,
    /// The revision an interrupted run left partly applied or partly reverted.
    partial: Option<runner::Partial>,
}

impl Position {
    async fn read(config: &Config, client: &tokio_postgres::Client) -> Result<Position> {
        let chain = migrations::read_chain(&config.migrations)?;
        let applied = runner::read_applied(client).await?;
        let current = runner::current_position(&chain, &applied)?;
        let partial = runner::read_partial(client).await?;
        Ok(Position {
            chain,
            current,
            partial,
        })
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
        let partial = runner::read_partial(client)
            .await
            .unwrap_or_else(|problem| {
                problems.push(problem);
                None
            });
        Ok((
            Position {
                chain,
                current,
                partial,
            },
            problems,
        ))
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

    /// `20261124170000 (head)`, `20261124160000 (1 pending)` or `base`, with the revision
    /// an interrupted run left partly applied:
    /// `20261124160000 (1 pending; 20261124170000: 2 of 4 steps applied)`.
    fn describe(&self) -> String {
        let name = self.describe_id();
        let partial = self
            .describe_partial()
            .map(|partial| format!("; {partial}"))
            .unwrap_or_default();
        match self.pending().len() {
            0 if self.chain.revisions.is_empty() => format!("{name} (no revisions yet{partial})"),
            0 => format!("{name} (head{partial})"),
            n_pending => format!("{name} ({n_pending} pending{partial})"),
        }
    }

    /// `20261124170000: 2 of 4 steps applied` (or `reverted`), when a revision is part way.
    fn describe_partial(&self) -> Option<String> {
        let partial = self.partial.as_ref()?;
        let n_steps = self.chain.position(&partial.revision).and_then(|position| {
            let revision = &self.chain.revisions[position];
            let transition = runner::Transition::new(revision, partial.direction).ok()?;
            Some(transition.steps.len())
        });
        let steps = match n_steps {
            Some(n_steps) => format!("{} of {}", partial.n_done, count(n_steps, "step")),
            None => count(partial.n_done, "step"),
        };
        let done = match partial.direction {
            Direction::Upgrade => "applied",
            Direction::Downgrade => "reverted",
        };
        Some(format!("{}: {steps} {done}", partial.revision))
    }
}

/// A revision's message on one line; refused when empty, since it also names the files.
fn revision_message(message: &str, command: &str) -> Result<String> {
    let message = message.split_whitespace().collect::<Vec<_>>().join(" ");
    if message.is_empty() {
        return Err(Error::Usage(format!(
            "the message is empty\n  hint: say what the revision does: autogen {command} -m \
             \"add vaccination status\""
        )));
    }
    Ok(message)
}

/// Writes `migration` as the revision after `parent`, with an id from the clock. Each
/// header accepts the kinds of hazards of its file that the project does not allow: the
/// up file's were allowed by the command's flags (`migrate` refuses the others), the down
/// file's come with undoing the revision.
fn write_revision(
    directory: &Path,
    parent: Option<String>,
    message: String,
    migration: &crate::Migration,
    allowed: &Allowed,
) -> Result<NewRevision> {
    let (id, created) = migrations::next_id(migrations::now()?, parent.as_deref())?;
    let up_hazards = script_hazards(&migration.up);
    let down_hazards = script_hazards(&migration.down);
    let header = Header {
        revision: id,
        parent,
        message,
        created: migrations::format_created(created)?,
        hazards: hazards(&migration.up),
        steps: migration.up.steps_summary(),
        accepted: allowed.beyond_project(&up_hazards),
    };
    let down_header = Header {
        hazards: hazards(&migration.down),
        steps: migration.down.steps_summary(),
        accepted: allowed.beyond_project(&down_hazards),
        ..header.clone()
    };
    let revision = NewRevision::new(
        directory,
        &header,
        &down_header,
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
/// What a script's statements do to a running application (the forms it uses decide it).
fn script_hazards(script: &crate::sql::Script) -> Vec<Hazard> {
    script
        .statements
        .iter()
        .flat_map(|statement| statement.hazards.iter().cloned())
        .collect()
}

fn hazards(script: &crate::sql::Script) -> Vec<String> {
    script_hazards(script)
        .into_iter()
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

/// Whether `error` is a revision in `migrations` that cannot be replayed.
fn replays(error: &Error, migrations: &Path) -> bool {
    matches!(error, Error::Replay { path, .. } if path.starts_with(migrations))
}

/// The state the project's revisions produce (replayed offline) and the schema file,
/// canonicalized on the server of `url` when there is one.
async fn read_migrations_and_file(config: &Config, url: Option<&str>) -> Result<(Schema, Schema)> {
    let replayed = Source::Migrations(config.migrations.clone());
    let schema_file = Source::SchemaFile(config.schema.clone());
    let extra_schemas = config.schemas.clone().unwrap_or_default();
    let privileges = config.privilege_scope();
    source::read_pair_on(&replayed, &schema_file, &extra_schemas, url, &privileges).await
}

fn count(n: usize, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
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

/// What `current` and `history` found wrong: shown, since those commands exist to look at
/// the state the errors of other commands talk about.
fn report_problems(problems: &[Error]) -> Result<()> {
    for problem in problems {
        noteln!("warning: {problem}")?;
    }
    Ok(())
}

/// A drop and an add that look like a rename get a hint; autogen never guesses renames.
fn report_rename_suggestions(changes: &[Change]) -> Result<()> {
    for suggestion in crate::diff::rename_suggestions(changes) {
        noteln!("hint: {suggestion}")?;
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
    noteln!(
        "note: {} object(s) that autogen does not manage were left alone:",
        unmanaged.len()
    )?;
    for object in unmanaged {
        noteln!("  {} {}", object.kind, object.name)?;
    }
    Ok(())
}
