//! `autogen check`: the schema file, the revisions and the database compared three ways,
//! reported as text, JSON or SARIF (`sarif.rs`). The comparison (`Findings`) is made once;
//! each format only prints it.

use serde::Serialize;

use crate::cli::CheckFormat;
use crate::config::Config;
use crate::db;
use crate::drift::{self, Drift};
use crate::error::{Error, Result};
use crate::migrations;
use crate::model::Schema;
use crate::output::{self, noteln, outln, Stream};
use crate::runner;
use crate::schema_diff::Colour;
use crate::sql::Direction;

use super::json::{self, ChangeJson, UnmanagedJson};
use super::{
    count, managed_schemas, read_database_and_file, read_migrations_and_file, replays,
    report::Report, report_unmanaged, sarif, Position,
};

/// What `check` compared, and each disagreement it found.
pub(super) struct Findings {
    /// `user@host:port/dbname` of the configured database, if any.
    pub(super) database: Option<String>,
    /// False when the revisions cannot be replayed offline: then only the database is
    /// compared with the schema file (`database_differs`).
    pub(super) replayed: bool,
    pub(super) n_revisions: usize,
    /// The latest revision in the directory.
    head: Option<String>,
    /// The schema file against the state the revisions produce, when they differ.
    pub(super) missing: Option<Missing>,
    /// Where the database is in the chain.
    pub(super) position: Option<Position>,
    /// The database against the state its applied revisions produce, when they differ.
    pub(super) drift: Option<Drift>,
    /// The database against the schema file, when the revisions cannot be replayed.
    pub(super) database_differs: Option<crate::Migration>,
    unmanaged: Vec<UnmanagedJson>,
}

/// The revision `migrate` would write: the replayed head, the schema file, and between them.
pub(super) struct Missing {
    replayed_head: Schema,
    desired: Schema,
    pub(super) migration: crate::Migration,
}

impl Findings {
    fn pending(&self) -> &[migrations::Revision] {
        self.position.as_ref().map_or(&[], Position::pending)
    }

    fn agree(&self) -> bool {
        self.missing.is_none()
            && self.pending().is_empty()
            && self
                .position
                .as_ref()
                .is_none_or(|position| position.partial.is_none())
            && self.drift.is_none()
            && self.database_differs.is_none()
    }
}

/// Compares the three sources of truth: the schema file, the state the revisions produce
/// (replayed offline) and, when one is configured, the database. Each disagreement has its
/// own cause and fix: a missing revision, pending revisions, or drift (a hand-made change).
pub(super) async fn check(config: &Config, url: Option<&str>, format: CheckFormat) -> Result<u8> {
    let findings = find(config, url).await?;
    match format {
        CheckFormat::Text => print_text(config, &findings)?,
        CheckFormat::Json => output::json(&CheckJson::new(config, &findings))?,
        CheckFormat::Sarif => output::json(&sarif::document(config, &findings)?)?,
    }
    Ok(u8::from(!findings.agree()))
}

async fn find(config: &Config, url: Option<&str>) -> Result<Findings> {
    let chain = migrations::read_chain(&config.migrations)?;
    let database = url
        .map(db::parse)
        .transpose()?
        .map(|conninfo| conninfo.describe());
    // With a database, its server canonicalizes both files, so the comparison is exact.
    let (replayed_head, desired) = match read_migrations_and_file(config, url).await {
        Ok(pair) => pair,
        // Only the revisions fall back; a schema file that cannot be read is the error.
        Err(error @ Error::Replay { .. })
            if url.is_some() && replays(&error, &config.migrations) =>
        {
            noteln!(
                "note: {} cannot be replayed offline, so only the database is compared with \
                 {}:\n{error}",
                config.migrations.display(),
                config.schema.display()
            )?;
            return find_database_only(config, url.unwrap_or_default(), database).await;
        }
        Err(error) => return Err(error),
    };
    report_unmanaged(&[&replayed_head, &desired])?;
    let mut unmanaged_in = vec![&replayed_head, &desired];
    let migration = crate::generate(&replayed_head, &desired);
    let mut findings = Findings {
        database,
        replayed: true,
        n_revisions: chain.revisions.len(),
        head: chain.head().map(|head| head.id.clone()),
        missing: None,
        position: None,
        drift: None,
        database_differs: None,
        unmanaged: Vec::new(),
    };
    let Some(url) = url else {
        findings.unmanaged = json::unmanaged(&unmanaged_in);
        findings.missing = missing(replayed_head, desired, migration);
        return Ok(findings);
    };
    let client = runner::connect(url).await?;
    let position = Position::read(config, &client).await?;
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
    unmanaged_in.push(&drift.database);
    findings.unmanaged = json::unmanaged(&unmanaged_in);
    findings.position = Some(position);
    findings.drift = (!drift.undo().changes.is_empty()).then_some(drift);
    findings.missing = missing(replayed_head, desired, migration);
    Ok(findings)
}

fn missing(replayed_head: Schema, desired: Schema, migration: crate::Migration) -> Option<Missing> {
    (!migration.changes.is_empty()).then_some(Missing {
        replayed_head,
        desired,
        migration,
    })
}

/// `check` when the revisions cannot be replayed: the database against the schema file.
async fn find_database_only(
    config: &Config,
    url: &str,
    database: Option<String>,
) -> Result<Findings> {
    let client = runner::connect(url).await?;
    let position = Position::read(config, &client).await?;
    let (current, desired) = read_database_and_file(config, url).await?;
    report_unmanaged(&[&current, &desired])?;
    let migration = crate::generate(&current, &desired);
    Ok(Findings {
        database,
        replayed: false,
        n_revisions: position.chain.revisions.len(),
        head: position.chain.head().map(|head| head.id.clone()),
        missing: None,
        position: Some(position),
        drift: None,
        database_differs: (!migration.changes.is_empty()).then_some(migration),
        unmanaged: json::unmanaged(&[&current, &desired]),
    })
}

fn print_text(config: &Config, findings: &Findings) -> Result<()> {
    let schema = config.schema.display().to_string();
    let migrations_dir = config.migrations.display().to_string();
    let colour = Colour::for_stream(Stream::Stdout);
    let mut report = Report::default();
    if let Some(missing) = &findings.missing {
        report.section(
            &format!(
                "missing revision: {schema} differs from the state the revisions in \
                 {migrations_dir} produce"
            ),
            &missing.migration.changes,
            &missing.migration,
            "hint: write the revision with `autogen migrate -m MESSAGE`; it would contain:",
        );
        report.schemas(
            &missing.replayed_head,
            &missing.desired,
            &format!("{migrations_dir} (head)"),
            &schema,
            colour,
        );
    }
    if let Some(position) = &findings.position {
        report.pending(position);
        if let Some(drift) = &findings.drift {
            report.drift(drift, &migrations_dir, &position.describe_id(), colour);
        }
    }
    if let Some(migration) = &findings.database_differs {
        report.section(
            &format!("the database differs from {schema}"),
            &migration.changes,
            migration,
            &format!("SQL that would bring the database in line with {schema}:"),
        );
    }
    if !report.is_empty() {
        return output::write(Stream::Stdout, &report.text);
    }
    match (&findings.position, findings.replayed) {
        (None, _) => outln!(
            "ok: {schema} matches the state the revisions in {migrations_dir} produce ({}, \
             replayed offline; no database configured)",
            count(findings.n_revisions, "revision")
        ),
        (Some(position), true) => outln!(
            "ok: the database is at {} and matches {schema} and {migrations_dir}",
            position.describe()
        ),
        (Some(position), false) => outln!(
            "ok: the database is at {} and matches {schema}",
            position.describe()
        ),
    }
}

/// What `check --format json` prints.
#[derive(Serialize)]
struct CheckJson {
    version: u32,
    /// Whether the three agree (exit code 0).
    ok: bool,
    schema_file: String,
    migrations: String,
    /// `user@host:port/dbname`, or null when no database is configured.
    database: Option<String>,
    /// False when the revisions cannot be replayed offline, so the database was compared
    /// with the schema file directly.
    revisions_replayed: bool,
    revisions: usize,
    /// The revision the database is at (`base` before the first); null without a database.
    current: Option<String>,
    head: Option<String>,
    disagreements: Vec<Disagreement>,
    unmanaged: Vec<UnmanagedJson>,
}

/// Two of the three sources that disagree, and how.
#[derive(Serialize)]
struct Disagreement {
    /// `missing_revision`, `pending`, `drift` or `database_differs`.
    kind: &'static str,
    /// The two that disagree, of `schema_file`, `migrations` and `database`.
    between: [&'static str; 2],
    /// The headline the text output prints.
    message: String,
    /// `pending`: the revisions the database has yet to apply, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    revisions: Vec<PendingJson>,
    /// What differs, each change as the SQL that makes it: the revision `migrate` would
    /// write, or for drift the hand-made changes.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    changes: Vec<ChangeJson>,
    /// The SQL that resolves it: the missing revision's upgrade, or the SQL that undoes
    /// drift, or that brings the database in line with the schema file.
    #[serde(skip_serializing_if = "Option::is_none")]
    sql: Option<String>,
}

#[derive(Serialize)]
struct PendingJson {
    id: String,
    message: String,
    up: String,
}

impl CheckJson {
    fn new(config: &Config, findings: &Findings) -> CheckJson {
        let schema = config.schema.display().to_string();
        let migrations_dir = config.migrations.display().to_string();
        let mut disagreements = Vec::new();
        if let Some(missing) = &findings.missing {
            disagreements.push(Disagreement {
                kind: "missing_revision",
                between: ["schema_file", "migrations"],
                message: format!(
                    "{schema} differs from the state the revisions in {migrations_dir} produce"
                ),
                revisions: Vec::new(),
                changes: json::changes(&missing.migration.up_plan, Direction::Upgrade),
                sql: Some(missing.migration.up.to_text()),
            });
        }
        if let (Some(position), false) = (&findings.position, findings.pending().is_empty()) {
            disagreements.push(Disagreement {
                kind: "pending",
                between: ["migrations", "database"],
                message: format!(
                    "the database is at {}: {} pending",
                    position.describe_id(),
                    count(findings.pending().len(), "revision")
                ),
                revisions: findings
                    .pending()
                    .iter()
                    .map(|revision| PendingJson {
                        id: revision.id.clone(),
                        message: revision.message().to_string(),
                        up: revision.up_path.display().to_string(),
                    })
                    .collect(),
                changes: Vec::new(),
                sql: None,
            });
        }
        if let (Some(drift), Some(position)) = (&findings.drift, &findings.position) {
            disagreements.push(Disagreement {
                kind: "drift",
                between: ["database", "migrations"],
                message: format!(
                    "the database differs from the state its applied revisions produce \
                     ({migrations_dir} at {}); it was changed outside autogen",
                    position.describe_id()
                ),
                revisions: Vec::new(),
                changes: json::changes(&drift.accept().up_plan, Direction::Upgrade),
                sql: Some(drift.undo().up.to_text()),
            });
        }
        if let Some(migration) = &findings.database_differs {
            disagreements.push(Disagreement {
                kind: "database_differs",
                between: ["database", "schema_file"],
                message: format!("the database differs from {schema}"),
                revisions: Vec::new(),
                changes: json::changes(&migration.up_plan, Direction::Upgrade),
                sql: Some(migration.up.to_text()),
            });
        }
        CheckJson {
            version: json::VERSION,
            ok: findings.agree(),
            schema_file: schema,
            migrations: migrations_dir,
            database: findings.database.clone(),
            revisions_replayed: findings.replayed,
            revisions: findings.n_revisions,
            current: findings.position.as_ref().map(Position::describe_id),
            head: findings.head.clone(),
            disagreements,
            unmanaged: findings.unmanaged.clone(),
        }
    }
}
