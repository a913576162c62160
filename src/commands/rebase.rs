//! `autogen rebase`: a forked history put back in one line, the newer branch after the
//! older; works on the files alone.

use crate::config::Config;
use crate::error::Result;
use crate::migrations;
use crate::output::{noteln, outln};

pub(super) fn rebase(config: &Config) -> Result<u8> {
    let rebased = migrations::rebase(&config.migrations)?;
    let moved = &rebased.moved;
    outln!(
        "rebased {} {}: its parent was {}, now {}",
        moved.id,
        moved.message(),
        rebased.old_parent.as_deref().unwrap_or("none"),
        rebased.tip
    )?;
    outln!(
        "  {}\n  {}",
        moved.up_path.display(),
        moved.down_path.display()
    )?;
    outln!(
        "checksum {} (was {}); its statements are unchanged",
        migrations::short_checksum(&moved.checksum),
        migrations::short_checksum(&rebased.old_checksum)
    )?;
    noteln!(
        "note: run `autogen check`: the statements were written after {} and now run after \
         {}\n  hint: a database that already applied {} must downgrade it with the old files \
         before upgrading",
        rebased.old_parent.as_deref().unwrap_or("base"),
        rebased.tip,
        moved.id
    )?;
    if let Some(fork) = &rebased.remaining_fork {
        noteln!("warning: the history still forks; run `autogen rebase` again:\n{fork}")?;
    }
    Ok(0)
}
