//! `autogen lint [REVISION...]`: the hazards of each statement of revision files as they
//! are written, for CI to gate hand-written and edited revisions. Exit 1 when a hazard is
//! neither allowed nor accepted in its file's header.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::guard::printable;
use crate::lint::{self, Allowed, Verdict};
use crate::migrations;
use crate::output::{self, errln, Stream};
use crate::runner::Direction;

use super::count;

pub(super) fn lint(config: &Config, targets: &[String], allowed: &Allowed) -> Result<u8> {
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
    for note in &analysis.unreplayed {
        errln!("note: not replayed, so later files are analysed without it: {note}")?;
    }
    let mut text = String::new();
    let (mut n_statements, mut n_refused, mut n_unknown) = (0, 0, 0);
    let mut last_position = None;
    for file in &analysis.files {
        if last_position != Some(file.position) {
            let revision = &chain.revisions[file.position];
            if last_position.is_some() {
                text.push('\n');
            }
            text.push_str(&format!(
                "{} {}\n",
                revision.id,
                printable(revision.message())
            ));
            last_position = Some(file.position);
        }
        for finding in &file.findings {
            n_statements += 1;
            text.push_str(&format!(
                "  {}:{}: {}\n",
                file.path.display(),
                finding.line,
                finding.statement
            ));
            match &finding.verdict {
                Verdict::Unknown(reason) => {
                    n_unknown += 1;
                    text.push_str(&format!("    unknown: {}\n", printable(reason)));
                }
                Verdict::Hazards(hazards) if hazards.is_empty() => {
                    text.push_str("    no hazards\n");
                }
                Verdict::Hazards(hazards) => {
                    for hazard in hazards {
                        let kind = hazard.kind();
                        let verdict = if allowed.allows(kind, &BTreeSet::new()) {
                            ""
                        } else if allowed.allows(kind, &file.accepted) {
                            " (accepted in the file's header)"
                        } else {
                            n_refused += 1;
                            " NOT ALLOWED"
                        };
                        text.push_str(&format!(
                            "    {kind}: {}{verdict}\n",
                            printable(&hazard.to_string())
                        ));
                    }
                }
            }
        }
    }
    if !text.is_empty() {
        text.push('\n');
    }
    let files = analysis
        .files
        .iter()
        .filter(|file| file.direction == Direction::Upgrade)
        .count();
    text.push_str(&format!(
        "lint: {}, {}: {} not allowed, {} unknown\n",
        count(files, "revision"),
        count(n_statements, "statement"),
        count(n_refused, "hazard"),
        n_unknown
    ));
    output::write(Stream::Stdout, &text)?;
    Ok(match n_refused {
        0 => 0,
        _ => 1,
    })
}
