//! What the user typed for a revision (`head`, `base`, an id, a unique prefix of one, or a
//! file name) resolved to its place in the chain.

use super::{Chain, DOWN_SUFFIX, UP_SUFFIX};
use crate::error::{Error, Result};

impl Chain {
    /// Resolves `head`, `base` (`None`), a revision id, a file name without its suffix, or
    /// a prefix of exactly one id or file name (Alembic's partial revision ids); a prefix
    /// of several is an error that lists them.
    pub fn resolve(&self, target: &str) -> Result<Option<usize>> {
        match target {
            "base" => return Ok(None),
            "head" => return Ok(self.revisions.len().checked_sub(1)),
            _ => {}
        }
        let target = target
            .trim_end_matches(UP_SUFFIX)
            .trim_end_matches(DOWN_SUFFIX);
        if let Some(position) = self
            .revisions
            .iter()
            .position(|revision| revision.id == target || revision.name == target)
        {
            return Ok(Some(position));
        }
        let candidates: Vec<usize> = (0..self.revisions.len())
            .filter(|&position| {
                let revision = &self.revisions[position];
                !target.is_empty()
                    && (revision.id.starts_with(target) || revision.name.starts_with(target))
            })
            .collect();
        match candidates.as_slice() {
            [position] => Ok(Some(*position)),
            [] => Err(Error::Usage(format!(
                "unknown revision {target}\n  hint: `autogen history` lists the revisions in \
                 {}; `head` and `base` name the ends",
                self.directory.display()
            ))),
            _ => Err(Error::Usage(format!(
                "revision {target} is ambiguous; it is the start of:\n{}\n  hint: type more of \
                 the id",
                candidates
                    .iter()
                    .map(|&position| {
                        let revision = &self.revisions[position];
                        format!("  {} {}", revision.id, revision.message())
                    })
                    .collect::<Vec<_>>()
                    .join("\n")
            ))),
        }
    }
}
