//! `autogen diff`: the SQL between any two schema sources.

use crate::error::Result;
use crate::output::{self, Stream};
use crate::source::{self, Source};

use super::{refuse_unmanaged_casualties, report_rename_suggestions, report_unmanaged};

/// `autogen diff`: the SQL that turns one schema into another, from any two sources.
pub(super) async fn diff(from: &Source, to: &Source, exit_code: bool, reverse: bool) -> Result<u8> {
    let (current, desired) = source::read_pair(from, to).await?;
    report_unmanaged(&[&current, &desired])?;
    let migration = crate::generate(&current, &desired);
    refuse_unmanaged_casualties(&migration, &current)?;
    crate::diff::refuse_blocked_rebuilds(&migration, &current, &desired)?;
    report_rename_suggestions(&migration.changes)?;
    let script = if reverse {
        migration.down
    } else {
        migration.up
    };
    output::write(Stream::Stdout, &script.to_text())?;
    Ok(if exit_code && !script.is_empty() {
        1
    } else {
        0
    })
}
