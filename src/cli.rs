//! The command line: clap structs (what the user typed) → a validated `Command`.
//!
//! The only module that knows clap. Exit codes: 0 success, 1 differences found (where
//! asked), 2 error.

use std::path::PathBuf;
use std::time::Duration;

use clap::{
    ArgAction, Args as ClapArgs, ColorChoice, CommandFactory, Parser, Subcommand, ValueEnum,
};

use crate::diff::HazardKind;
use crate::error::{Error, Result};
use crate::output::{self, errln, Stream, Verbosity};
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
    /// The project file (default: autogen.toml in this directory or the nearest parent that
    /// has one); its directory anchors the paths in it.
    #[arg(long, global = true, value_name = "PATH")]
    config: Option<PathBuf>,
    /// When to colour output: auto (on a terminal, unless NO_COLOR is set), always or never.
    #[arg(long, global = true, value_name = "WHEN", default_value = "auto")]
    color: ColorChoice,
    /// Print results and errors only: no notes, hints, warnings or progress lines.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Also print each catalog query with its row count and time on standard error; twice,
    /// the query's SQL too.
    #[arg(short, long, global = true, action = ArgAction::Count)]
    verbose: u8,
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
    #[command(flatten)]
    hazards: HazardArgs,
}

/// The hazards a revision may have beyond autogen.toml's `allow_hazards`.
#[derive(Debug, ClapArgs)]
struct HazardArgs {
    /// Allow a kind of hazard (repeatable): data-loss, rewrite, scan, access-exclusive-lock,
    /// share-lock, share-row-exclusive-lock, share-update-exclusive-lock.
    #[arg(long = "allow-hazard", value_name = "KIND", value_parser = HazardKind::parse)]
    allow_hazard: Vec<HazardKind>,
    /// Allow data loss: the same as --allow-hazard data-loss.
    #[arg(long)]
    allow_destructive: bool,
}

impl HazardArgs {
    fn kinds(&self) -> Vec<HazardKind> {
        let mut kinds = self.allow_hazard.clone();
        if self.allow_destructive {
            kinds.push(HazardKind::DataLoss);
        }
        kinds
    }
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
    #[command(
        override_usage = "autogen diff [--from <FROM>] --to <TO> [OPTIONS]\n       \
                                (--from defaults to $DATABASE_URL)"
    )]
    Diff {
        /// Current schema (default: $DATABASE_URL): a connection string (postgres:// URL or
        /// key=value), a schema file (.yaml, or .sql DDL), or a migrations directory (the
        /// state its revisions produce).
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        from: Option<String>,
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
        /// Print the SQL (text) or the changes with their hazards and SQL (json).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        /// Manage every role's privileges (GRANT/REVOKE); otherwise only those a schema
        /// file declares.
        #[arg(long)]
        with_privileges: bool,
        /// Online forms that keep a busy application running (concurrent index builds,
        /// constraints validated in a later step, batched backfills), in steps.
        #[arg(long)]
        online: bool,
    },
    /// Write a live database's schema as schema YAML.
    Inspect {
        /// The database to read: a postgres:// URL or a key=value connection string.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true, value_name = "URL")]
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
        #[command(flatten)]
        hazards: HazardArgs,
        /// When the database has hand-made changes (drift), first write them as a revision
        /// of their own, recorded as applied in this database, instead of refusing.
        #[arg(long)]
        accept_drift: bool,
        /// Write the revision in online forms (as `online = true` in autogen.toml).
        #[arg(long)]
        online: bool,
        /// Report the revisions written as text or as one JSON document.
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Apply pending revisions up to REVISION (default: head).
    Upgrade {
        /// A revision id or a unique start of one, a file name without .up.sql, `head`, or
        /// `+N` for the next N revisions; with --sql, FROM:TO prints that range without a
        /// database.
        #[arg(allow_negative_numbers = true)]
        revision: Option<String>,
        #[command(flatten)]
        run: RunArgs,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Undo revisions back to REVISION (default: one step; `base` undoes everything).
    Downgrade {
        /// A revision id or a unique start of one (it stays applied), a file name, `-N` to
        /// undo the last N revisions, or `base`; with --sql, FROM:TO prints that range
        /// without a database.
        #[arg(allow_negative_numbers = true)]
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
    /// Print the last revision of each branch of history (more than one after a fork).
    Heads,
    /// Write an empty revision (up and down files with their headers) after the latest, for
    /// hand-written SQL such as a data migration.
    Revision {
        /// What the revision does; also names its files.
        #[arg(short, long)]
        message: String,
    },
    /// Open a revision's up and down files in $VISUAL or $EDITOR.
    Edit {
        /// A revision id or a unique start of one, a file name, or `head` (the default).
        revision: Option<String>,
    },
    /// Undo a fork in the history: put the newer of two revisions with the same parent after
    /// the last revision of the other's branch (its `-- parent:` lines are rewritten).
    Rebase,
    /// Print a revision's up and down files.
    Show {
        /// A revision id, a file name without its suffix, `head` or `base`.
        revision: String,
    },
    /// Record revisions up to REVISION as applied without running them.
    Stamp {
        /// The last revision to record: an id or a unique start of one, a file name, or
        /// `head`.
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
    /// Print a shell's completion script: `autogen completions bash > ~/.local/share/bash-completion/completions/autogen`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff): `autogen man | man -l -`.
    Man {
        /// A command's own page, such as `upgrade` (default: the page of autogen itself).
        command: Option<String>,
    },
    /// Print the JSON Schema of schema.yaml, for editors (init writes it beside the file).
    SchemaJson,
    /// Exit 0 when the database is at the latest revision and matches schema.yaml,
    /// 1 (with the reasons) when not, 2 on error.
    Check {
        /// Report as text, one JSON document, or SARIF 2.1.0 (exit codes are the same).
        #[arg(long, value_enum, default_value = "text")]
        format: CheckFormat,
        #[command(flatten)]
        database: DatabaseArg,
    },
    /// Print each statement's hazards in revision files (default: every revision); exit 1
    /// when a hazard is neither allowed nor accepted in its file's header.
    Lint {
        /// Revision ids, or file names without their suffix.
        revisions: Vec<String>,
        #[command(flatten)]
        hazards: HazardArgs,
        /// Print the findings for people (text) or as one JSON document (json).
        #[arg(long, value_enum, default_value = "text")]
        format: Format,
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
        format: Format,
        with_privileges: bool,
        online: bool,
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
    /// Print text `cli` made from the command line's own definition (completions, man pages).
    Print(String),
    /// Print the JSON Schema of schema.yaml.
    SchemaJson,
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
        /// Hazard kinds allowed beyond autogen.toml's.
        allow: Vec<HazardKind>,
        accept_drift: bool,
        /// `--online`: online forms even where autogen.toml does not ask for them.
        online: bool,
        format: Format,
    },
    Upgrade {
        target: Option<String>,
        mode: RunMode,
        lock_timeout: Duration,
        allow: Vec<HazardKind>,
    },
    Downgrade {
        target: Option<String>,
        mode: RunMode,
        lock_timeout: Duration,
        allow: Vec<HazardKind>,
    },
    Current,
    History,
    Heads,
    Revision {
        message: String,
    },
    Edit {
        revision: Option<String>,
    },
    Rebase,
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
    Check {
        format: CheckFormat,
    },
    Lint {
        revisions: Vec<String>,
        allow: Vec<HazardKind>,
        format: Format,
    },
}

/// `--format` of `diff` and `migrate`: for people, or for programs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// For people (the default).
    Text,
    /// One JSON document (see "JSON output" in the README).
    Json,
}

/// `--format` of `check`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CheckFormat {
    /// For people (the default).
    Text,
    /// One JSON document (see "JSON output" in the README).
    Json,
    /// SARIF 2.1.0, for code hosts that annotate pull requests.
    Sarif,
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
    let args = Args::try_parse().unwrap_or_else(|error| {
        output::choose_colour(colour_from_arguments());
        exit_like_clap(&error)
    });
    output::choose_colour(anstream_choice(args.color));
    output::set_verbosity(match (args.quiet, args.verbose) {
        (true, _) => Verbosity::Quiet,
        (false, 0) => Verbosity::Normal,
        (false, 1) => Verbosity::Verbose,
        (false, _) => Verbosity::VeryVerbose,
    });
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
            format,
            with_privileges,
            online,
        } => Command::Diff {
            from: Source::parse(&from.ok_or_else(|| {
                Error::Usage(
                    "diff needs the current schema\n  hint: pass --from (a connection string, \
                     a schema file or a migrations directory), or set $DATABASE_URL"
                        .to_string(),
                )
            })?)?,
            to: Source::parse(&to)?,
            exit_code,
            reverse,
            format,
            with_privileges,
            online,
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
            hazards,
            accept_drift,
            online,
            format,
            database,
        } => Command::Project {
            project: project(Some(database)),
            action: Action::Migrate {
                message,
                allow: hazards.kinds(),
                accept_drift,
                online,
                format,
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
                allow: run.hazards.kinds(),
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
                allow: run.hazards.kinds(),
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
        RawCommand::Heads => Command::Project {
            project: project(None),
            action: Action::Heads,
        },
        RawCommand::Revision { message } => Command::Project {
            project: project(None),
            action: Action::Revision { message },
        },
        RawCommand::Edit { revision } => Command::Project {
            project: project(None),
            action: Action::Edit { revision },
        },
        RawCommand::Rebase => Command::Project {
            project: project(None),
            action: Action::Rebase,
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
        RawCommand::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Args::command(), "autogen", &mut script);
            Command::Print(String::from_utf8_lossy(&script).into_owned())
        }
        RawCommand::Man { command } => Command::Print(man_page(command.as_deref())?),
        RawCommand::SchemaJson => Command::SchemaJson,
        RawCommand::Check { format, database } => Command::Project {
            project: project(Some(database)),
            action: Action::Check { format },
        },
        RawCommand::Lint {
            revisions,
            hazards,
            format,
        } => Command::Project {
            project: project(None),
            action: Action::Lint {
                revisions,
                allow: hazards.kinds(),
                format,
            },
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
    let stream = match error.use_stderr() {
        true => Stream::Stderr,
        false => Stream::Stdout,
    };
    let rendered = error.render();
    let text = match output::colours(stream) {
        true => rendered.ansi().to_string(),
        false => rendered.to_string(),
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

/// The man page of autogen, or of one of its commands (`autogen-upgrade(1)`), as roff.
fn man_page(command: Option<&str>) -> Result<String> {
    let mut root = Args::command();
    // Built, so a command's page lists the global options too.
    root.build();
    let page = match command {
        None => root,
        Some(name) => root
            .find_subcommand(name)
            .map(|subcommand| {
                subcommand
                    .clone()
                    .display_name(format!("autogen-{name}"))
                    .bin_name(format!("autogen {name}"))
                    .version(env!("CARGO_PKG_VERSION"))
            })
            .ok_or_else(|| {
                Error::Usage(format!(
                    "no command {name}\n  hint: `autogen --help` lists the commands"
                ))
            })?,
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page)
        .render(&mut roff)
        .map_err(|source| Error::Output {
            stream: Stream::Stdout,
            source,
        })?;
    Ok(String::from_utf8_lossy(&roff).into_owned())
}

fn anstream_choice(choice: ColorChoice) -> output::ColorChoice {
    match choice {
        ColorChoice::Auto => output::ColorChoice::Auto,
        ColorChoice::Always => output::ColorChoice::Always,
        ColorChoice::Never => output::ColorChoice::Never,
    }
}

/// `--color` as typed, for help and usage errors, which clap reports before it hands back
/// the parsed arguments; the last one counts, as when parsing succeeds.
fn colour_from_arguments() -> output::ColorChoice {
    let arguments: Vec<String> = std::env::args().skip(1).collect();
    let mut choice = ColorChoice::Auto;
    for (index, argument) in arguments.iter().enumerate() {
        let value = match argument.strip_prefix("--color") {
            Some(rest) if rest.starts_with('=') => Some(&rest[1..]),
            Some("") => arguments.get(index + 1).map(String::as_str),
            _ => None,
        };
        if let Some(parsed) = value.and_then(|value| ColorChoice::from_str(value, true).ok()) {
            choice = parsed;
        }
    }
    anstream_choice(choice)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_argument_of_every_command_says_what_it_is() {
        let mut missing = Vec::new();
        let root = Args::command();
        let mut commands = vec![(String::from("autogen"), &root)];
        while let Some((path, command)) = commands.pop() {
            for argument in command.get_arguments() {
                let id = argument.get_id().as_str();
                if argument.get_help().is_none() && !matches!(id, "help" | "version") {
                    missing.push(format!("{path} {id}"));
                }
            }
            for subcommand in command.get_subcommands() {
                assert!(
                    subcommand.get_about().is_some(),
                    "{path} {}",
                    subcommand.get_name()
                );
                commands.push((format!("{path} {}", subcommand.get_name()), subcommand));
            }
        }
        assert!(missing.is_empty(), "arguments without help: {missing:?}");
    }
}
