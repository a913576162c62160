//! `autogen migrate`: write the next revision, the difference between the schema file and
//! the database at head (or, without one, the state the revisions produce).

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cli::Format;
use crate::config::Config;
use crate::diff::{Hazard, HazardKind};
use crate::drift;
use crate::error::{Error, Result};
use crate::lint::Allowed;
use crate::lockfile::ProjectLock;
use crate::migrations::{self, Chain, NewRevision};
use crate::model::Schema;
use crate::output::{self, errln, noteln, outln};
use crate::runner;
use crate::schema_diff::Colour;
use crate::sql::{Direction, Script};

use super::json::{self, ChangeJson, UnmanagedJson};
use super::{
    hazards, managed_schemas, read_database_and_file, read_migrations_and_file,
    refuse_unmanaged_casualties, replays, report::Report, report_rename_suggestions,
    report_unmanaged, revision_message, stamp_written, write_revision, Position,
};

/// How `migrate` treats hazards and drift.
pub(super) struct MigrateOptions {
    pub(super) allowed: Allowed,
    pub(super) accept_drift: bool,
    pub(super) mode: crate::plan::Mode,
    pub(super) format: Format,
}

/// What `migrate --format json` prints.
#[derive(Serialize)]
struct MigrateJson {
    version: u32,
    /// `written`, or `no_changes` when the schema file already matches.
    status: &'static str,
    /// In the order they were written: an accepted drift revision comes first.
    revisions: Vec<RevisionJson>,
    unmanaged: Vec<UnmanagedJson>,
    rename_suggestions: Vec<String>,
}

#[derive(Serialize)]
struct RevisionJson {
    id: String,
    parent: Option<String>,
    message: String,
    up: String,
    down: String,
    /// Whether it was recorded as applied without running (`--accept-drift`'s revision).
    stamped: bool,
    /// The upgrade's hazards, as its header lists them.
    hazards: Vec<String>,
    changes: Vec<ChangeJson>,
}

impl RevisionJson {
    fn new(
        revision: &NewRevision,
        parent: Option<String>,
        message: &str,
        migration: &crate::Migration,
        stamped: bool,
    ) -> RevisionJson {
        RevisionJson {
            id: revision.id.clone(),
            parent,
            message: message.to_string(),
            up: revision.up_path.display().to_string(),
            down: revision.down_path.display().to_string(),
            stamped,
            hazards: hazards(&migration.up),
            changes: json::changes(&migration.up_plan, Direction::Upgrade),
        }
    }
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
pub(super) async fn migrate(
    config: &Config,
    url: Option<&str>,
    message: &str,
    options: &MigrateOptions,
) -> Result<u8> {
    let message = revision_message(message, "migrate")?;
    // Read first, so a missing directory gets read_chain's hint rather than a lock error.
    migrations::read_chain(&config.migrations)?;
    let _project_lock = ProjectLock::acquire(&config.migrations)?;
    let start = match url {
        Some(url) => migrate_start_on(config, url, options).await?,
        None => {
            let chain = migrations::read_chain(&config.migrations)?;
            noteln!(
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
    let migration = crate::generate_in(&start.current, &start.desired, options.mode);
    refuse_unmanaged_casualties(&migration, &start.current)?;
    crate::diff::refuse_blocked_rebuilds(&migration, &start.current, &start.desired)?;
    let text = options.format == Format::Text;
    let mut document = MigrateJson {
        version: json::VERSION,
        status: "written",
        revisions: Vec::new(),
        unmanaged: json::unmanaged(&[&start.current, &start.desired]),
        rename_suggestions: crate::diff::rename_suggestions(&migration.changes),
    };
    if migration.changes.is_empty() && start.accepted_drift.is_none() {
        if !text {
            document.status = "no_changes";
            output::json(&document)?;
            return Ok(0);
        }
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
    let scripts = start.accepted_drift.iter().chain([&migration]);
    refuse_hazards(
        scripts.map(|migration| &migration.up),
        &options.allowed,
        config,
    )?;
    let mut parent = start.chain.head().map(|head| head.id.clone());
    if let (Some(accepted), Some(url)) = (&start.accepted_drift, url) {
        let revision = write_revision(
            &config.migrations,
            parent.clone(),
            ACCEPTED_DRIFT_MESSAGE.to_string(),
            accepted,
            &options.allowed,
        )?;
        document.revisions.push(RevisionJson::new(
            &revision,
            parent,
            ACCEPTED_DRIFT_MESSAGE,
            accepted,
            true,
        ));
        if text {
            for change in &accepted.changes {
                outln!("Accepted drift: {}", change.summary())?;
            }
            outln!("Generated {}", revision.up_path.display())?;
            outln!("Generated {}", revision.down_path.display())?;
        }
        let stamped = stamp_written(&config.migrations, url, &revision.id).await;
        if stamped.is_err() {
            let _ = errln!(
                "the drift revision was written but not recorded in the database; once the \
                 problem is fixed, run `autogen stamp {}`, then migrate again",
                revision.id
            );
        }
        stamped?;
        if text {
            outln!(
                "stamped {} as applied in the database (its changes are already there)",
                revision.id
            )?;
        }
        if migration.changes.is_empty() {
            if !text {
                output::json(&document)?;
                return Ok(0);
            }
            outln!(
                "no further changes: {} matches the database",
                config.schema.display()
            )?;
            return Ok(0);
        }
        parent = Some(revision.id);
    }
    let revision = write_revision(
        &config.migrations,
        parent.clone(),
        message.clone(),
        &migration,
        &options.allowed,
    )?;
    if !text {
        document.revisions.push(RevisionJson::new(
            &revision, parent, &message, &migration, false,
        ));
        output::json(&document)?;
        return Ok(0);
    }
    for change in &migration.changes {
        outln!("Detected {}", change.summary())?;
    }
    for hazard in hazards(&migration.up) {
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
            noteln!(
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
                Colour::Never,
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

/// Refuses the scripts' statements with hazards neither autogen.toml nor the flags allow,
/// naming each with its hazards.
fn refuse_hazards<'a>(
    scripts: impl Iterator<Item = &'a Script>,
    allowed: &Allowed,
    config: &Config,
) -> Result<()> {
    let mut lines = Vec::new();
    let mut kinds = BTreeSet::new();
    for statement in scripts.flat_map(|script| &script.statements) {
        let refused: Vec<&Hazard> = statement
            .hazards
            .iter()
            .filter(|hazard| !allowed.allows(hazard.kind(), &BTreeSet::new()))
            .collect();
        if refused.is_empty() {
            continue;
        }
        lines.push(format!("  {}", crate::ddl::first_line(&statement.sql)));
        for hazard in refused {
            kinds.insert(hazard.kind());
            lines.push(format!("    {}: {hazard}", hazard.kind()));
        }
    }
    if lines.is_empty() {
        return Ok(());
    }
    let flags: Vec<String> = kinds
        .iter()
        .map(|kind| match kind {
            HazardKind::DataLoss => "--allow-destructive".to_string(),
            kind => format!("--allow-hazard {kind}"),
        })
        .collect();
    Err(Error::Workflow(format!(
        "not written: these statements have hazards that are not allowed (allow_hazards in \
         autogen.toml, every kind but data-loss when it is not set, and the flags):\n{}\n  hint: check {} (an undeclared rename is a drop and an add); if they are \
         intended, run again with {} (the revision's header then records them as accepted)",
        lines.join("\n"),
        config.schema.display(),
        flags.join(" ")
    )))
}
