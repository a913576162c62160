//! `autogen lint [REVISION...]`: the hazards of each statement of revision files as they
//! are written, for CI to gate hand-written and edited revisions. Exit 1 when a hazard is
//! neither allowed nor accepted in its file's header.

use std::collections::BTreeSet;

use serde::Serialize;

use crate::cli::Format;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::guard::printable;
use crate::lint::{self, Allowed, Verdict};
use crate::migrations;
use crate::output::{self, errln, Stream};
use crate::runner::Direction;

use super::count;

/// What `lint --format json` prints.
#[derive(Serialize)]
struct LintJson {
    version: u32,
    /// Revisions analysed.
    revisions: usize,
    statements: Vec<StatementJson>,
    /// Hazards neither allowed nor accepted: the exit code is 1 when this is not 0.
    not_allowed: usize,
    unknown: usize,
    /// Statements of other files that could not be replayed (`path:line: message`).
    unreplayed: Vec<String>,
}

#[derive(Serialize)]
struct StatementJson {
    revision: String,
    message: String,
    /// `upgrade` (the `.up.sql` file) or `downgrade`.
    direction: &'static str,
    file: String,
    line: usize,
    /// The statement's first line.
    statement: String,
    /// Why the statement could not be analysed; absent when it was.
    #[serde(skip_serializing_if = "Option::is_none")]
    unknown: Option<String>,
    hazards: Vec<LintHazardJson>,
}

#[derive(Serialize)]
struct LintHazardJson {
    /// The hazard kind's name, as `allow_hazards` spells it: `scan`, `data-loss`, ...
    kind: &'static str,
    text: String,
    /// `allowed` (by autogen.toml or a flag), `accepted` (by the file's header) or
    /// `not_allowed`.
    status: &'static str,
}

pub(super) fn lint(
    config: &Config,
    targets: &[String],
    allowed: &Allowed,
    format: Format,
) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let positions: BTreeSet<usize> = match targets.is_empty() {
        true => (0..chain.revisions.len()).collect(),
        false => targets
            .iter()
            .map(|target| {
                chain.resolve(target)?.ok_or_else(|| {
                    Error::Usage(format!(
                        "{target} is not a revision (base is the empty start of the chain)"
                    ))
                })
            })
            .collect::<Result<_>>()?,
    };
    let analysis = lint::analyse(&chain, |position, _| positions.contains(&position))?;
    if format == Format::Text {
        for note in &analysis.unreplayed {
            errln!("note: not replayed, so later files are analysed without it: {note}")?;
        }
    }
    let mut statements = Vec::new();
    for file in &analysis.files {
        let revision = &chain.revisions[file.position];
        for finding in &file.findings {
            let (unknown, hazards) = match &finding.verdict {
                Verdict::Unknown(reason) => (Some(printable(reason)), Vec::new()),
                Verdict::Hazards(hazards) => (None, hazards.clone()),
            };
            let hazards = hazards
                .iter()
                .map(|hazard| {
                    let kind = hazard.kind();
                    let status = if allowed.allows(kind, &BTreeSet::new()) {
                        "allowed"
                    } else if allowed.allows(kind, &file.accepted) {
                        "accepted"
                    } else {
                        "not_allowed"
                    };
                    LintHazardJson {
                        kind: kind.name(),
                        text: printable(&hazard.to_string()),
                        status,
                    }
                })
                .collect();
            statements.push(StatementJson {
                revision: revision.id.clone(),
                message: printable(revision.message()),
                direction: match file.direction {
                    Direction::Upgrade => "upgrade",
                    Direction::Downgrade => "downgrade",
                },
                file: file.path.display().to_string(),
                line: finding.line,
                statement: finding.statement.clone(),
                unknown,
                hazards,
            });
        }
    }
    let not_allowed = statements
        .iter()
        .flat_map(|statement| &statement.hazards)
        .filter(|hazard| hazard.status == "not_allowed")
        .count();
    let document = LintJson {
        version: 1,
        revisions: analysis
            .files
            .iter()
            .filter(|file| file.direction == Direction::Upgrade)
            .count(),
        unknown: statements
            .iter()
            .filter(|statement| statement.unknown.is_some())
            .count(),
        statements,
        not_allowed,
        unreplayed: analysis.unreplayed.clone(),
    };
    match format {
        Format::Json => output::json(&document)?,
        Format::Text => output::write(Stream::Stdout, &text(&document))?,
    }
    Ok(match not_allowed {
        0 => 0,
        _ => 1,
    })
}

/// The findings for people: each revision, then each statement with its hazards.
fn text(document: &LintJson) -> String {
    let mut text = String::new();
    let mut last_revision = None;
    for statement in &document.statements {
        if last_revision != Some(&statement.revision) {
            if last_revision.is_some() {
                text.push('\n');
            }
            text.push_str(&format!("{} {}\n", statement.revision, statement.message));
            last_revision = Some(&statement.revision);
        }
        text.push_str(&format!(
            "  {}:{}: {}\n",
            statement.file, statement.line, statement.statement
        ));
        if let Some(reason) = &statement.unknown {
            text.push_str(&format!("    unknown: {reason}\n"));
        } else if statement.hazards.is_empty() {
            text.push_str("    no hazards\n");
        }
        for hazard in &statement.hazards {
            let verdict = match hazard.status {
                "accepted" => " (accepted in the file's header)",
                "not_allowed" => " NOT ALLOWED",
                _ => "",
            };
            text.push_str(&format!("    {}: {}{verdict}\n", hazard.kind, hazard.text));
        }
    }
    if !text.is_empty() {
        text.push('\n');
    }
    text.push_str(&format!(
        "lint: {}, {}: {} not allowed, {} unknown\n",
        count(document.revisions, "revision"),
        count(document.statements.len(), "statement"),
        count(document.not_allowed, "hazard"),
        document.unknown
    ));
    text
}
