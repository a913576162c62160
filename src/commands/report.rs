//! The text `check` prints, also used by `migrate` and `repair` to show drift.

use crate::diff::Change;
use crate::drift::Drift;
use crate::model::Schema;
use crate::schema_diff::{self, Colour};

use super::{count, Position};

/// The text `check` prints: sections separated by blank lines.
#[derive(Default)]
pub(super) struct Report {
    pub(super) text: String,
}

impl Report {
    pub(super) fn is_empty(&self) -> bool {
        self.text.is_empty()
    }

    pub(super) fn push(&mut self, section: &str) {
        if !self.text.is_empty() && !self.text.ends_with("\n\n") {
            self.text.push('\n');
        }
        self.text.push_str(section);
    }

    /// The revisions the database has yet to apply, if any.
    pub(super) fn pending(&mut self, position: &Position) {
        let pending = position.pending();
        let partial = position.describe_partial().map(|partial| {
            let verb = position
                .partial
                .as_ref()
                .map_or("upgrade", |partial| partial.direction.word());
            format!("{partial} by an interrupted {verb}, which `autogen {verb}` resumes")
        });
        if pending.is_empty() {
            if let Some(partial) = partial {
                self.push(&format!("part way: {partial}\n"));
            }
            return;
        }
        let mut text = format!(
            "pending: the database is at {}: {} pending (run `autogen upgrade`):\n",
            position.describe_id(),
            count(pending.len(), "revision")
        );
        for revision in pending {
            text.push_str(&format!("  {} {}\n", revision.id, revision.message()));
        }
        if let Some(partial) = partial {
            text.push_str(&format!("  part way: {partial}\n"));
        }
        self.push(&text);
    }

    /// Drift: the database against the state its applied revisions (up to `at`) produce.
    pub(super) fn drift(&mut self, drift: &Drift, migrations_dir: &str, at: &str, colour: Colour) {
        let undo = drift.undo();
        if undo.changes.is_empty() {
            return;
        }
        self.section(
            &format!(
                "drift: the database differs from the state its applied revisions produce \
                 ({migrations_dir} at {at}); it was changed outside autogen"
            ),
            &undo.changes.iter().map(Change::inverse).collect::<Vec<_>>(),
            &undo,
            "hint: undo the hand-made change, or make it a revision; this SQL would undo it:",
        );
        self.schemas(
            &drift.database,
            &drift.expected,
            "database",
            &format!("{migrations_dir} at {at}"),
            colour,
        );
    }

    /// A disagreement: its headline, what changed, and the SQL under `sql_intro`.
    pub(super) fn section(
        &mut self,
        headline: &str,
        changes: &[Change],
        migration: &crate::Migration,
        sql_intro: &str,
    ) {
        let mut text = format!("{headline}:\n");
        for change in changes {
            text.push_str(&format!("  {}\n", change.summary()));
        }
        text.push_str(&format!("{sql_intro}\n"));
        for line in migration.up.to_text().lines() {
            match line.is_empty() {
                true => text.push('\n'),
                false => text.push_str(&format!("  {line}\n")),
            }
        }
        self.push(&text);
    }

    /// The two schemas as YAML, compared line by line.
    pub(super) fn schemas(
        &mut self,
        old: &Schema,
        new: &Schema,
        old_label: &str,
        new_label: &str,
        colour: Colour,
    ) {
        if let Some(diff) = schema_diff::render(old, new, old_label, new_label, colour) {
            self.text.push_str("as schema YAML:\n");
            self.text.push_str(&diff);
        }
    }
}
