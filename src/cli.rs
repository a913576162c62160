//! The command line: clap structs (what the user typed) → a validated `Command`.
//!
//! The only module that knows clap. Exit codes: 0 success, 1 differences found (where
//! asked), 2 error.

use std::path::PathBuf;

use clap::{Parser, Subcommand};

use crate::source::Source;

#[derive(Debug, Parser)]
#[command(
    name = "autogen",
    version,
    about = "Autogenerate reviewed, reversible PostgreSQL migrations from schema.yaml",
    after_help = "Exit codes: 0 success, 1 differences found (diff --exit-code), 2 error."
)]
struct Args {
    #[command(subcommand)]
    command: RawCommand,
}

#[derive(Debug, Subcommand)]
enum RawCommand {
    /// Print the SQL that turns FROM into TO (nothing when they match).
    Diff {
        /// Current schema: a postgres:// URL or a schema YAML file.
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        from: String,
        /// Desired schema: a postgres:// URL or a schema YAML file.
        #[arg(long)]
        to: String,
        /// Exit with 1 when there are changes.
        #[arg(long)]
        exit_code: bool,
        /// Print the downgrade (TO back into FROM) instead of the upgrade.
        #[arg(long)]
        reverse: bool,
    },
    /// Write a live database's schema as schema YAML.
    Inspect {
        #[arg(long, env = "DATABASE_URL", hide_env_values = true)]
        database_url: String,
        /// Output file (default: stdout).
        #[arg(short, long)]
        output: Option<PathBuf>,
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
    },
    Inspect {
        database_url: String,
        output: Option<PathBuf>,
    },
}

/// Parses the process arguments; prints help or a usage error and exits like clap does
/// (usage errors exit with 2, matching autogen's error code).
pub fn parse() -> Command {
    match Args::parse().command {
        RawCommand::Diff {
            from,
            to,
            exit_code,
            reverse,
        } => Command::Diff {
            from: Source::parse(&from),
            to: Source::parse(&to),
            exit_code,
            reverse,
        },
        RawCommand::Inspect {
            database_url,
            output,
        } => Command::Inspect {
            database_url,
            output,
        },
    }
}
