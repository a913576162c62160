//! `check --format sarif`: the findings as a SARIF 2.1.0 log, so code hosts annotate the pull
//! request. One result per change (at the line of the schema file that declares its object,
//! when it does) and per pending revision (at its file).

use std::path::{Path, PathBuf};

use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use serde::Serialize;

use crate::config::Config;
use crate::diff::Change;
use crate::error::{Location, Result};
use crate::model::ObjectRef;
use crate::source;
use crate::spec::SourceMap;

use super::check::Findings;

const SCHEMA_URI: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// What a path may not hold unescaped in a URI reference (RFC 3986), besides controls.
const URI_ESCAPED: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b']')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// The rules, in the order `ruleIndex` counts them.
const RULES: [Rule; 4] = [
    Rule {
        id: "missing-revision",
        name: "MissingRevision",
        short: "The schema file differs from the state the revisions produce",
        help: "Write the revision with `autogen migrate -m MESSAGE` and commit it.",
        level: "error",
    },
    Rule {
        id: "pending-revision",
        name: "PendingRevision",
        short: "The database has revisions yet to apply",
        help: "Run `autogen upgrade`.",
        level: "warning",
    },
    Rule {
        id: "drift",
        name: "Drift",
        short: "The database was changed outside autogen",
        help: "Undo the hand-made change, or make it a revision with \
               `autogen migrate --accept-drift`.",
        level: "error",
    },
    Rule {
        id: "database-differs",
        name: "DatabaseDiffers",
        short: "The database differs from the schema file",
        help: "The revisions cannot be replayed offline, so the database was compared with \
               the schema file directly; write a revision or upgrade the database.",
        level: "error",
    },
];

struct Rule {
    id: &'static str,
    name: &'static str,
    short: &'static str,
    help: &'static str,
    level: &'static str,
}

#[derive(Serialize)]
pub(super) struct Log {
    #[serde(rename = "$schema")]
    schema: &'static str,
    version: &'static str,
    runs: [Run; 1],
}

#[derive(Serialize)]
struct Run {
    tool: Tool,
    results: Vec<SarifResult>,
}

#[derive(Serialize)]
struct Tool {
    driver: Driver,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Driver {
    name: &'static str,
    version: &'static str,
    rules: Vec<ReportingDescriptor>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ReportingDescriptor {
    id: &'static str,
    name: &'static str,
    short_description: Message,
    help: Message,
    default_configuration: Configuration,
}

#[derive(Serialize)]
struct Configuration {
    level: &'static str,
}

#[derive(Serialize)]
struct Message {
    text: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifResult {
    rule_id: &'static str,
    rule_index: usize,
    level: &'static str,
    message: Message,
    locations: Vec<SarifLocation>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct SarifLocation {
    physical_location: PhysicalLocation,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PhysicalLocation {
    artifact_location: ArtifactLocation,
    #[serde(skip_serializing_if = "Option::is_none")]
    region: Option<Region>,
}

#[derive(Serialize)]
struct ArtifactLocation {
    uri: String,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct Region {
    start_line: usize,
    start_column: usize,
}

/// The SARIF log of `findings`.
pub(super) fn document(config: &Config, findings: &Findings) -> Result<Log> {
    let source_map = source::load_schema_file(&config.schema)?.source_map;
    let in_schema_file = |change: &Change, rule_index: usize, text: String| SarifResult {
        rule_id: RULES[rule_index].id,
        rule_index,
        level: RULES[rule_index].level,
        message: Message { text },
        locations: vec![location(
            &config.schema,
            declared_at(&source_map, &change.object()),
        )],
    };
    let mut results = Vec::new();
    if let Some(missing) = &findings.missing {
        results.extend(missing.migration.changes.iter().map(|change| {
            let text = format!(
                "{}: {} differs from the state the revisions in {} produce; write the \
                 revision with `autogen migrate -m MESSAGE`",
                change.summary(),
                config.schema.display(),
                config.migrations.display()
            );
            in_schema_file(change, 0, text)
        }));
    }
    if let Some(position) = &findings.position {
        results.extend(position.pending().iter().map(|revision| SarifResult {
            rule_id: RULES[1].id,
            rule_index: 1,
            level: RULES[1].level,
            message: Message {
                text: format!(
                    "revision {} ({}) is not applied to the database, which is at {}; run \
                     `autogen upgrade`",
                    revision.id,
                    revision.message(),
                    position.describe_id()
                ),
            },
            locations: vec![location(
                &revision.up_path,
                Some(Location { line: 1, column: 1 }),
            )],
        }));
    }
    if let Some(drift) = &findings.drift {
        results.extend(drift.accept().changes.iter().map(|change| {
            let text = format!(
                "{} in the database, outside autogen: no revision made it; undo it, or make \
                 it a revision with `autogen migrate --accept-drift`",
                change.summary()
            );
            in_schema_file(change, 2, text)
        }));
    }
    if let Some(migration) = &findings.database_differs {
        results.extend(migration.changes.iter().map(|change| {
            let text = format!(
                "{}: the database differs from {}",
                change.summary(),
                config.schema.display()
            );
            in_schema_file(change, 3, text)
        }));
    }
    Ok(Log {
        schema: SCHEMA_URI,
        version: "2.1.0",
        runs: [Run {
            tool: Tool {
                driver: Driver {
                    name: "autogen",
                    version: env!("CARGO_PKG_VERSION"),
                    rules: RULES
                        .iter()
                        .map(|rule| ReportingDescriptor {
                            id: rule.id,
                            name: rule.name,
                            short_description: Message {
                                text: rule.short.to_string(),
                            },
                            help: Message {
                                text: rule.help.to_string(),
                            },
                            default_configuration: Configuration { level: rule.level },
                        })
                        .collect(),
                },
            },
            results,
        }],
    })
}

/// Where the schema file declares `object`, or the table or view it belongs to.
fn declared_at(source_map: &SourceMap, object: &ObjectRef) -> Option<Location> {
    let relation = match object {
        ObjectRef::Column(relation, _)
        | ObjectRef::Constraint(relation, _)
        | ObjectRef::Index(relation, _)
        | ObjectRef::Trigger(relation, _)
        | ObjectRef::Policy(relation, _) => Some(relation),
        _ => None,
    };
    source_map.locate(object).or_else(|| {
        let relation = relation?;
        source_map
            .locate(&ObjectRef::Table(relation.clone()))
            .or_else(|| source_map.locate(&ObjectRef::View(relation.clone())))
    })
}

fn location(path: &Path, at: Option<Location>) -> SarifLocation {
    SarifLocation {
        physical_location: PhysicalLocation {
            artifact_location: ArtifactLocation { uri: uri(path) },
            region: at.map(|at| Region {
                start_line: at.line,
                start_column: at.column.max(1),
            }),
        },
    }
}

/// `path` as a URI reference: relative to the working directory (where code hosts run
/// `check`, at the repository's root) with `/` separators, or a `file://` URI.
fn uri(path: &Path) -> String {
    let relative: PathBuf = std::env::current_dir()
        .ok()
        .and_then(|directory| path.strip_prefix(directory).ok().map(Path::to_path_buf))
        .unwrap_or_else(|| path.to_path_buf());
    let relative = relative.strip_prefix(".").unwrap_or(&relative);
    let text = relative
        .components()
        .filter(|component| !matches!(component, std::path::Component::RootDir))
        .map(|component| component.as_os_str().to_string_lossy().to_string())
        .collect::<Vec<_>>()
        .join("/");
    let encoded = utf8_percent_encode(&text, URI_ESCAPED).to_string();
    match relative.is_absolute() {
        true => format!("file:///{encoded}"),
        false => encoded,
    }
}
