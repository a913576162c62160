//! `autogen heads`: the last revision of each branch of history; more than one means two
//! branches that each added a revision were merged (a fork), which `rebase` undoes.

use crate::config::Config;
use crate::error::Result;
use crate::migrations;
use crate::output::{noteln, outln};

use super::report_problems;

pub(super) fn heads(config: &Config) -> Result<u8> {
    let (heads, problems) = migrations::heads(&config.migrations)?;
    report_problems(&problems)?;
    if heads.is_empty() {
        outln!("no revisions in {} yet", config.migrations.display())?;
        return Ok(0);
    }
    for head in &heads {
        outln!("{} {} (head)", head.id, head.message())?;
    }
    if heads.len() > 1 {
        noteln!(
            "warning: {} heads: two branches of history each added revisions\n  hint: \
             `autogen rebase` puts the newer branch after the other",
            heads.len()
        )?;
    }
    Ok(0)
}
