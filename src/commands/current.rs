//! `autogen current`: the revision the database is at.

use crate::config::Config;
use crate::error::Result;
use crate::output::outln;
use crate::runner;

use super::{count, report_problems, Position};

pub(super) async fn current(config: &Config, url: &str) -> Result<u8> {
    let client = runner::connect(url).await?;
    let (position, problems) = Position::read_leniently(config, &client).await?;
    report_problems(&problems)?;
    let message = position
        .current
        .map(|index| format!(" {}", position.chain.revisions[index].message()))
        .unwrap_or_default();
    let status = match position.pending().len() {
        _ if position.chain.revisions.is_empty() => {
            format!("no revisions in {} yet", config.migrations.display())
        }
        0 => "head".to_string(),
        n_pending => format!(
            "{} pending: run `autogen upgrade`",
            count(n_pending, "revision")
        ),
    };
    let partial = position
        .describe_partial()
        .map(|partial| format!("; {partial}"))
        .unwrap_or_default();
    outln!("{}{message} ({status}{partial})", position.describe_id())?;
    Ok(0)
}
