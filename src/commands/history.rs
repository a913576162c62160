//! `autogen history`: the chain of revisions, who applied each and when, and the audit
//! history.

use std::collections::HashMap;

use crate::config::Config;
use crate::error::Result;
use crate::migrations;
use crate::output::{noteln, outln};
use crate::runner::{self, Direction};

use super::report_problems;

pub(super) async fn history(config: &Config, url: Option<&str>) -> Result<u8> {
    let (chain, mut problems) = migrations::read_chain_leniently(&config.migrations)?;
    let (applied, entries, current, partial) = match url {
        Some(url) => {
            let client = runner::connect(url).await?;
            let applied = runner::read_applied(&client).await?;
            let (current, applied_problems) = runner::position_and_problems(&chain, &applied);
            problems.extend(applied_problems);
            let partial = runner::read_partial(&client)
                .await
                .unwrap_or_else(|problem| {
                    problems.push(problem);
                    None
                });
            let entries = runner::read_history(&client).await?;
            (applied, entries, current, partial)
        }
        None => (Vec::new(), Vec::new(), None, None),
    };
    report_problems(&problems)?;
    let applied: HashMap<&str, &runner::Applied> = applied
        .iter()
        .map(|row| (row.revision.as_str(), row))
        .collect();
    if chain.revisions.is_empty() {
        outln!("no revisions in {} yet", config.migrations.display())?;
    }
    for (index, revision) in chain.revisions.iter().enumerate().rev() {
        let mut marks = Vec::new();
        if index + 1 == chain.revisions.len() {
            marks.push("head");
        }
        if url.is_some() && current == Some(index) {
            marks.push("current");
        }
        let marks = if marks.is_empty() {
            String::new()
        } else {
            format!(" ({})", marks.join(", "))
        };
        outln!(
            "{} -> {}{marks}, {}",
            revision.parent().unwrap_or("<base>"),
            revision.id,
            revision.message()
        )?;
        if let Some(partial) = partial.as_ref().filter(|p| p.revision == revision.id) {
            let n_steps = runner::Transition::new(revision, partial.direction)
                .map(|transition| transition.steps.len())
                .unwrap_or_default();
            let (done, verb) = match partial.direction {
                Direction::Upgrade => ("applied", "upgrade"),
                Direction::Downgrade => ("reverted", "downgrade"),
            };
            outln!(
                "    {} of {n_steps} steps {done} by an interrupted {verb}, which `autogen {verb}` \
                 resumes",
                partial.n_done
            )?;
        }
        if url.is_some() {
            match applied.get(revision.id.as_str()) {
                Some(row) => outln!(
                    "    applied {} by {} in {} ms",
                    row.applied_at,
                    row.applied_by,
                    row.duration_ms
                )?,
                None => outln!("    pending")?,
            }
        }
    }
    match url {
        None => noteln!("note: no database configured; showing the files only")?,
        Some(_) if entries.is_empty() => outln!("\nno upgrades or downgrades recorded yet")?,
        Some(_) => {
            outln!("\naudit history (autogen.history), oldest first:")?;
            for entry in &entries {
                let duration = entry
                    .duration_ms
                    .map(|ms| format!(" in {ms} ms"))
                    .unwrap_or_default();
                outln!(
                    "  {}  {:<9} {}  by {}{duration}",
                    entry.at,
                    entry.direction,
                    entry.revision.as_deref().unwrap_or("-"),
                    entry.by_user
                )?;
            }
        }
    }
    Ok(0)
}
