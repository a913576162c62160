//! `autogen diff`: the SQL between any two schema sources.

use serde::Serialize;

use crate::cli::Format;
use crate::error::Result;
use crate::output::{self, Stream};
use crate::source::{self, Source};
use crate::sql::Direction;

use super::json::{self, ChangeJson, UnmanagedJson};
use super::{refuse_unmanaged_casualties, report_rename_suggestions, report_unmanaged};

/// What `diff --format json` prints.
#[derive(Serialize)]
struct DiffJson {
    version: u32,
    /// `upgrade` (FROM into TO), or `downgrade` with `--reverse`.
    direction: &'static str,
    changes: Vec<ChangeJson>,
    /// The whole script, as `--format text` prints it.
    sql: String,
    unmanaged: Vec<UnmanagedJson>,
    rename_suggestions: Vec<String>,
}

/// `autogen diff`: the SQL that turns one schema into another, from any two sources.
pub(super) async fn diff(
    from: &Source,
    to: &Source,
    exit_code: bool,
    reverse: bool,
    format: Format,
    with_privileges: bool,
    mode: crate::plan::Mode,
) -> Result<u8> {
    let privileges = crate::diff::PrivilegeScope {
        all_roles: with_privileges,
        ..Default::default()
    };
    let (current, desired) = source::read_pair(from, to, &privileges).await?;
    report_unmanaged(&[&current, &desired])?;
    let migration = crate::generate_in(&current, &desired, mode);
    refuse_unmanaged_casualties(&migration, &current)?;
    crate::diff::refuse_blocked_rebuilds(&migration, &current, &desired)?;
    report_rename_suggestions(&migration.changes)?;
    let (script, plan, direction) = if reverse {
        (&migration.down, &migration.down_plan, Direction::Downgrade)
    } else {
        (&migration.up, &migration.up_plan, Direction::Upgrade)
    };
    match format {
        Format::Text => output::write(Stream::Stdout, &script.to_psql_text())?,
        Format::Json => output::json(&DiffJson {
            version: json::VERSION,
            direction: match direction {
                Direction::Upgrade => "upgrade",
                Direction::Downgrade => "downgrade",
            },
            changes: json::changes(plan, direction),
            sql: script.to_psql_text(),
            unmanaged: json::unmanaged(&[&current, &desired]),
            rename_suggestions: crate::diff::rename_suggestions(&migration.changes),
        })?,
    }
    Ok(if exit_code && !script.is_empty() {
        1
    } else {
        0
    })
}
