//! `autogen edit`: a revision's two files in the user's editor (`$VISUAL`, else `$EDITOR`).

use std::process::Command;

use crate::config::Config;
use crate::error::{Error, Result};
use crate::migrations;
use crate::output::{noteln, outln};

pub(super) fn edit(config: &Config, target: Option<&str>) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let Some(index) = chain.resolve(target.unwrap_or("head"))? else {
        return Err(Error::Usage(format!(
            "there is no revision to edit: {} is at base\n  hint: `autogen revision -m \
             MESSAGE` writes an empty one",
            config.migrations.display()
        )));
    };
    let revision = &chain.revisions[index];
    let editor = ["VISUAL", "EDITOR"]
        .into_iter()
        .find_map(|variable| std::env::var(variable).ok())
        .filter(|editor| !editor.trim().is_empty())
        .ok_or_else(|| {
            Error::Usage(
                "no editor: set $VISUAL or $EDITOR\n  hint: EDITOR=vi autogen edit".to_string(),
            )
        })?;
    // `code --wait` and the like: the program, then its own arguments, as git splits them.
    let mut words = editor.split_whitespace();
    let program = words.next().unwrap_or_default();
    let status = Command::new(program)
        .args(words)
        .arg(&revision.up_path)
        .arg(&revision.down_path)
        .status()
        .map_err(|source| Error::Usage(format!("cannot start the editor {program}: {source}")))?;
    if !status.success() {
        return Err(Error::Workflow(format!(
            "the editor {program} failed ({status}); the files are as it left them"
        )));
    }
    // A header broken by the edit is reported now, not by the next command.
    let edited = migrations::read_chain(&config.migrations)?;
    let checksum_changed = edited
        .position(&revision.id)
        .is_some_and(|position| edited.revisions[position].checksum != revision.checksum);
    if !checksum_changed {
        outln!("{} {}: unchanged", revision.id, revision.message())?;
        return Ok(0);
    }
    outln!("edited {} {}", revision.id, revision.message())?;
    noteln!(
        "note: a database that already applied {} will refuse the edited files\n  hint: \
         `autogen repair` shows what the edit changes there and records it",
        revision.id
    )?;
    Ok(0)
}
