//! `autogen revision`: an empty revision after the latest, for SQL written by hand (a data
//! migration, a statement autogen does not generate).

use crate::config::Config;
use crate::error::Result;
use crate::lint::Allowed;
use crate::lockfile::ProjectLock;
use crate::migrations;
use crate::model::Schema;
use crate::output::outln;

use super::{revision_message, write_revision};

/// Writes the pair with headers and no statements; the offline replay reads a hand-written
/// data statement as having no effect on the schema, so `check` keeps working.
pub(super) fn revision(config: &Config, message: &str) -> Result<u8> {
    let message = revision_message(message, "revision")?;
    // Read first, so a missing directory gets read_chain's hint rather than a lock error.
    migrations::read_chain(&config.migrations)?;
    let _project_lock = ProjectLock::acquire(&config.migrations)?;
    let chain = migrations::read_chain(&config.migrations)?;
    let parent = chain.head().map(|head| head.id.clone());
    let nothing = crate::generate(&Schema::default(), &Schema::default());
    let allowed = Allowed::new(&config.allow_hazards, &[]);
    let revision = write_revision(&config.migrations, parent, message, &nothing, &allowed)?;
    outln!("Generated {}", revision.up_path.display())?;
    outln!("Generated {}", revision.down_path.display())?;
    outln!(
        "next: write the upgrade's statements in {} and the statements that undo them in {}, \
         then run `autogen upgrade`",
        revision.up_path.display(),
        revision.down_path.display()
    )?;
    Ok(0)
}
