//! `autogen check`: the schema file, the revisions and the database compared three ways.

use std::io::IsTerminal;

use crate::config::Config;
use crate::drift;
use crate::error::{Error, Result};
use crate::migrations;
use crate::output::{self, errln, outln, Stream};
use crate::runner;
use crate::schema_diff::Colour;

use super::{
    count, managed_schemas, read_database_and_file, read_migrations_and_file, replays,
    report::Report, report_unmanaged, Position,
};

/// Compares the three sources of truth: the schema file, the state the revisions produce
/// (replayed offline) and, when one is configured, the database. Each disagreement has its
/// own cause and fix: a missing revision, pending revisions, or drift (a hand-made change).
pub(super) async fn check(config: &Config, url: Option<&str>) -> Result<u8> {
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
