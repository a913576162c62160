//! The command line: clap structs (what the user typed) → a validated `Command`.
//!
//! The only module that knows clap. Exit codes: 0 success, 1 differences found (where
//! asked), 2 error.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::time::Duration;

use clap::{Args as ClapArgs, Parser, Subcommand};

use crate::error::Result;
use crate::output::{self, errln, Stream};
use crate::schema_diff::Colour;
use crate::source::Source;

/// The longest `--lock-timeout`: a day is already far past any sensible wait.
const MAX_LOCK_TIMEOUT_SECONDS: f64 = 86_400.0;

#[derive(Debug, Parser)]
#[command(
    name = "autogen",
    version,
    about = "Autogenerate reviewed, reversible PostgreSQL migrations from schema.yaml",
    after_help = "Exit codes: 0 success, 1 differences found (diff --exit-code) or drift \
                  (check), 2 error.\n\nInput files larger than 64 MiB are refused; \
                  AUTOGEN_MAX_FILE_SIZE (bytes, or e.g. 128M) sets another limit."
)]
struct Args {
    /// The project file (default: ./autogen.toml); its directory anchors the paths in it.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: RawCommand,
}

/// The database a workflow command works on.
#[derive(Debug, ClapArgs)]
struct DatabaseArg {
    /// Overrides the database in autogen.toml.
    #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
    database_url: Option<String>,
}

/// How `upgrade`/`downgrade` run.
#[derive(Debug, ClapArgs)]
struct RunArgs {
    /// Print the SQL that would run (with autogen's bookkeeping); apply nothing.
    #[arg(long, conflicts_with = "dry_run")]
    sql: bool,
    /// Run everything inside one transaction, report success or the failing statement,
    /// then roll back.
    #[arg(long)]
    dry_run: bool,
    #[command(flatten)]
    lock: LockArg,
}

#[derive(Debug, ClapArgs)]
struct LockArg {
    /// How long to wait for another run's lock on the database (0 to 86400).
    #[arg(long, value_name = "SECONDS", default_value = "30", value_parser = lock_timeout)]
    lock_timeout: Duration,
}

/// Seconds, finite and within `0..=MAX_LOCK_TIMEOUT_SECONDS`; `nan`, `inf`, negative or
/// huge values are refused rather than read as no wait at all.
fn lock_timeout(text: &str) -> std::result::Result<Duration, String> {
    let seconds: f64 = text
        .trim()
        .parse()
        .map_err(|_| "expected a number of seconds".to_string())?;
    let out_of_range =
        || format!("expected a number of seconds from 0 to {MAX_LOCK_TIMEOUT_SECONDS}");
    if !(0.0..=MAX_LOCK_TIMEOUT_SECONDS).contains(&seconds) {
        return Err(out_of_range());
    }
    Duration::try_from_secs_f64(seconds).map_err(|_| out_of_range())
}

#[derive(Debug, Subcommand)]
enum RawCommand {
    /// Print the SQL that turns FROM into TO (nothing when they match).
    Diff {
        /// Current schema: a connection string (postgres:// URL or key=value), a schema
        /// file (.yaml, or .sql DDL), or a migrations directory (the state its revisions
        /// produce).
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        from: String,
        /// Desired schema: a connection string, a schema file (.yaml or .sql), or a
        /// migrations directory.
        #[arg(long)]
        to: String,
        /// Exit with 1 when there are changes.
        #[arg(long)]
        exit_code: bool,
        /// Print the downgrade (TO back into FROM) instead of the upgrade.
        #[arg(long)]
        reverse: bool,
        /// Manage every role's privileges (GRANT/REVOKE); otherwise only those a schema
        /// file declares.
        #[arg(long)]
        with_privileges: bool,
    },
    /// Write a live database's schema as schema YAML.
    Inspect {
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        database_url: String,
        /// Output file (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
        /// Write privileges (grants and default privileges) too.
        #[arg(long)]
        with_privileges: bool,
    },
    /// Create autogen.toml, schema/schema.yaml and migrations/ here.
    Init {
        /// Record this connection string in autogen.toml (default: read it from
        /// $DATABASE_URL); one holding a password is read from $DATABASE_URL instead.
        #[arg(long, value_name = "URL")]
        database_url: Option<String>,
        /// Adopt an existing database: write its schema as schema.yaml and a first
        /// revision that builds it, recorded as applied in that database.
        #[arg(long, value_name = "URL")]
        from_db: Option<String>,
    },
    /// Diff schema.yaml against the database and write one revision (up and down files).
    Migrate {
        /// What the revision does; also names its files.
        #[arg(short, long)]
        message: String,
        /// Write the revision even when it destroys data.
        #[arg(long)]
        allow_destructive: bool,
        /// When the database has hand-made changes (drift), first write them as a revision
        /// of their own, recorded as applied in this database, instead of refusing.
        #[arg(long)]
        accept_drift: bool,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Apply pending revisions up to REVISION (default: head).
    Upgrade {
        /// A revision id, a file name without .up.sql, or `head`.
        revision: Option<String>,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Undo revisions back to REVISION (default: one step; `base` undoes everything).
    Downgrade {
        /// A revision id (it stays applied), a file name, or `base`.
        revision: Option<String>,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Print the revision the database is at.
    Current {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// List the revisions, with who applied them and when, and the audit history.
    History {
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Print a revision's up and down files.
    Show {
        /// A revision id, a file name without its suffix, `head` or `base`.
        revision: String,
    },
    /// Record revisions up to REVISION as applied without running them.
    Stamp {
        revision: String,
        #[command(flatten)]
        lock: LockArg,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Show applied revisions whose files were edited, and with --yes record their
    /// checksums as they are now.
    Repair {
        /// Record the new checksums (without it, only show what changed and exit 2).
        #[arg(long)]
        yes: bool,
        #[command(flatten)]
        lock: LockArg,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Exit 0 when the database is at the latest revision and matches schema.yaml,
    /// 1 (with the reasons) when not, 2 on error.
    Check {
        #[command(flatten)]
        database: DatabaseArg,
    },
}

/// What to do, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    Diff {
        from: Source,
        to: Source,
        exit_code: bool,
        reverse: bool,
        with_privileges: bool,
    },
    Inspect {
        database_url: String,
        output: Option<PathBuf>,
        with_privileges: bool,
    },
    Init {
        config: Option<PathBuf>,
        database_url: Option<String>,
        from_db: Option<String>,
    },
    /// A command on an existing project.
    Project { project: Project, action: Action },
}

/// Where the project file is and which database overrides its setting.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Project {
    pub config: Option<PathBuf>,
    pub database_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    Migrate {
        message: String,
        allow_destructive: bool,
        accept_drift: bool,
    },
    Upgrade {
        target: Option<String>,
        mode: RunMode,
        lock_timeout: Duration,
    },
    Downgrade {
        target: Option<String>,
        mode: RunMode,
        lock_timeout: Duration,
    },
    Current,
    History,
    Show {
        revision: String,
    },
    Stamp {
        revision: String,
        lock_timeout: Duration,
    },
    Repair {
        yes: bool,
        lock_timeout: Duration,
    },
    Check,
}

/// Whether `upgrade`/`downgrade` apply, print the SQL, or try it and roll back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunMode {
    Apply,
    PrintSql,
    DryRun,
}

/// Parses the process arguments; prints help or a usage error and exits like clap does
/// (usage errors exit with 2, matching autogen's error code). A `--from`/`--to` that is
/// neither a file nor a usable connection string is an error for `main` to print.
pub fn parse() -> Result<Command> {
    let args = Args::try_parse().unwrap_or_else(|error| exit_like_clap(&error));
    let config = args.config;
    let project = |database: Option<DatabaseArg>| Project {
        config: config.clone(),
        database_url: database.and_then(|database| database.database_url),
    };
    Ok(match args.command {
        RawCommand::Diff {
            from,
            to,
            exit_code,
            reverse,
            with_privileges,
        } => Command::Diff {
            from: Source::parse(&from)?,
            to: Source::parse(&to)?,
            exit_code,
            reverse,
            with_privileges,
        },
        RawCommand::Inspect {
            database_url,
            output,
            with_privileges,
        } => Command::Inspect {
            database_url,
            output,
            with_privileges,
        },
        RawCommand::Init {
            database_url,
            from_db,
        } => Command::Init {
            config,
            database_url,
            from_db,
        },
        RawCommand::Migrate {
            message,
            allow_destructive,
            accept_drift,
            database,
        } => Command::Project {
            project: project(Some(database)),
            action: Action::Migrate {
                message,
                allow_destructive,
                accept_drift,
            },
        },
        RawCommand::Upgrade {
            revision,
            run,
            database,
        } => Command::Project {
            project: project(Some(database)),
            action: Action::Upgrade {
                target: revision,
                mode: run.mode(),
                lock_timeout: run.lock.lock_timeout,
            },
        },
        RawCommand::Downgrade {
            revision,
            run,
            database,
        } => Command::Project {
            project: project(Some(database)),
            action: Action::Downgrade {
                target: revision,
                mode: run.mode(),
                lock_timeout: run.lock.lock_timeout,
            },
        },
        RawCommand::Current { database } => Command::Project {
            project: project(Some(database)),
            action: Action::Current,
        },
        RawCommand::History { database } => Command::Project {
            project: project(Some(database)),
            action: Action::History,
        },
        RawCommand::Show { revision } => Command::Project {
            project: project(None),
            action: Action::Show { revision },
        },
        RawCommand::Stamp {
            revision,
            lock,
            database,
        } => Command::Project {
            project: project(Some(database)),
            action: Action::Stamp {
                revision,
                lock_timeout: lock.lock_timeout,
            },
        },
        RawCommand::Repair {
            yes,
            lock,
            database,
        } => Command::Project {
            project: project(Some(database)),
            action: Action::Repair {
                yes,
                lock_timeout: lock.lock_timeout,
            },
        },
        RawCommand::Check { database } => Command::Project {
            project: project(Some(database)),
            action: Action::Check,
        },
    })
}

impl RunArgs {
    fn mode(&self) -> RunMode {
        if self.sql {
            RunMode::PrintSql
        } else if self.dry_run {
            RunMode::DryRun
        } else {
            RunMode::Apply
        }
    }
}

/// What `clap::Error::exit` does, with the text going through `output`: help and version
/// exit 0, usage errors 2; an unwritable stream is exit 2, and a closed pipe changes
/// nothing (nobody reads the text, the code still stands).
fn exit_like_clap(error: &clap::Error) -> ! {
    let (stream, is_terminal) = match error.use_stderr() {
        true => (Stream::Stderr, std::io::stderr().is_terminal()),
        false => (Stream::Stdout, std::io::stdout().is_terminal()),
    };
    let rendered = error.render();
    let text = match Colour::for_stream(is_terminal) {
        Colour::Always => rendered.ansi().to_string(),
        Colour::Never => rendered.to_string(),
    };
    let code = match output::write(stream, &text) {
        Ok(()) => error.exit_code(),
        Err(write_error) if write_error.is_broken_pipe() => error.exit_code(),
        Err(write_error) => {
            // Nothing is left to report to when standard error fails; the code says it.
            let _ = errln!("error: {write_error}");
            2
        }
    };
    std::process::exit(code)
}
