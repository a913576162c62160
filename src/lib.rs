//! autogen: Alembic-style autogenerate for PostgreSQL.
//!
//! Modules are listed in pipeline order: load (`spec`) → introspect (`catalog`) → `normalize`
//! → `diff` → `plan` → render (`sql`) → emit. See ARCHITECTURE.md for the map and invariants.

// Printing goes through `output`, which reports write errors instead of panicking.
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod cursor;
pub mod error;
pub mod function_aliases;
pub mod guard;
pub mod inheritance;
pub mod model;
pub mod references;
pub mod renames;
pub mod syntax;

pub mod catalog;
pub mod ddl;
pub mod dependencies;
pub mod diff;
pub mod equivalence;
pub mod normalize;
pub mod plan;
pub mod spec;
pub mod sql;

pub mod apply;
pub mod cli;
pub mod commands;
pub mod config;
pub mod db;
pub mod drift;
pub mod fs;
pub mod lint;
pub mod lock_budget;
pub mod lockfile;
pub mod migrations;
pub mod output;
pub mod progress;
pub mod runner;
pub mod schema_diff;
pub mod shadow;
pub mod source;

use diff::Change;
use model::Schema;
use sql::{Direction, Script};

/// A generated migration: what changed, and the scripts that apply and undo it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Migration {
    pub changes: Vec<Change>,
    /// The changes of the way back: each change inverted, plus what must be rebuilt around
    /// them in that direction.
    pub down_changes: Vec<Change>,
    /// The steps `up` and `down` render, in order and form.
    pub up_plan: plan::Plan,
    pub down_plan: plan::Plan,
    pub up: Script,
    pub down: Script,
    /// Why either script cannot drop a function it drops (see
    /// `diff::blocked_function_drops`), or create a view whose alias list would bind other
    /// columns (`diff::reordered_alias_lists`); reported with the unmanaged casualties.
    pub blocked_function_drops: Vec<String>,
}

impl Migration {
    /// Objects autogen does not manage (rules, exclusion constraints, ...) that either script
    /// would destroy as a side effect: they belong to a table or view it drops and creates
    /// again (each entry names the object and the relation), or that call a function it
    /// drops; and kept objects that call a function it must drop and create again.
    pub fn unmanaged_casualties(&self, current: &Schema) -> Vec<String> {
        let rebuilt = |changes: &[Change]| -> std::collections::BTreeSet<model::QualifiedName> {
            let dropped: std::collections::BTreeSet<_> = changes
                .iter()
                .filter_map(|change| match change {
                    Change::DropTable(table) => Some(table.name.clone()),
                    Change::DropView(view) => Some(view.name.clone()),
                    _ => None,
                })
                .collect();
            changes
                .iter()
                .filter_map(|change| match change {
                    Change::CreateTable(table) => Some(table.name.clone()),
                    Change::CreateView(view) => Some(view.name.clone()),
                    _ => None,
                })
                .filter(|name| dropped.contains(name))
                .collect()
        };
        let mut relations = rebuilt(&self.changes);
        relations.extend(rebuilt(&self.down_changes));
        let unmanaged = current.unmanaged.iter().filter_map(|object| {
            let relation = object.attached_to.as_ref()?;
            relations.contains(relation).then(|| {
                format!(
                    "{} {} would be lost: the migration drops and recreates {relation}",
                    object.kind, object.name
                )
            })
        });
        // Only unmanaged objects can be casualties: without any, no graph to build.
        let mut dependents = Vec::new();
        if !current.dependents.unmanaged.is_empty() {
            let graph = dependencies::Graph::of(current);
            dependents = diff::unmanaged_casualties(&graph, &self.changes);
            dependents.extend(diff::unmanaged_casualties(&graph, &self.down_changes));
            dependents.sort();
            dependents.dedup();
        }
        unmanaged
            .chain(dependents)
            .chain(self.blocked_function_drops.iter().cloned())
            .collect()
    }
}

/// Runs diff → plan → render in both directions, in one transaction where PostgreSQL
/// allows it. Pure.
pub fn generate(current: &Schema, desired: &Schema) -> Migration {
    generate_in(current, desired, plan::Mode::Transactional)
}

/// `generate` with the plan's `mode` (online forms or not). Pure.
pub fn generate_in(current: &Schema, desired: &Schema, mode: plan::Mode) -> Migration {
    let changes = diff::diff(current, desired);
    let mut down_changes: Vec<Change> = changes.iter().map(Change::inverse).collect();
    diff::rebuild_dependents(
        desired,
        current,
        &dependencies::Graph::of(desired),
        &mut down_changes,
    );
    let up_plan = plan::build_between(&changes, mode, current, desired);
    let down_plan = plan::build_between(&down_changes, mode, desired, current);
    let up = sql::render(&up_plan, Direction::Upgrade);
    let down = sql::render(&down_plan, Direction::Downgrade);
    let mut blocked_function_drops = diff::blocked_function_drops(
        current,
        &diff::function_users_of(current, desired),
        &changes,
    );
    blocked_function_drops.extend(diff::blocked_function_drops(
        desired,
        &diff::function_users_of(desired, current),
        &down_changes,
    ));
    blocked_function_drops.extend(diff::reordered_alias_lists(
        current,
        desired,
        [&changes, &down_changes],
    ));
    // The way there and the way back often meet the same caller: named once.
    let mut named = std::collections::BTreeSet::new();
    blocked_function_drops.retain(|problem| named.insert(problem.clone()));
    Migration {
        changes,
        down_changes,
        up_plan,
        down_plan,
        up,
        down,
        blocked_function_drops,
    }
}
