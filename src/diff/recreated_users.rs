//! What calls a routine the changes drop, or drop and create again (a signature that
//! `CREATE OR REPLACE` cannot change, a type rebuilt under it, a column its SQL-standard body
//! reads), read from the dependency graph: checks, indexes, exclusion constraints, triggers
//! (on tables and views) and policies are dropped before the routine goes and created again
//! once it is back, column defaults removed and set again; `plan` puts them around the
//! routine. Views are rebuilt with the others (`dependents::rebuild_views_over`). Pure; no
//! SQL.

use std::collections::BTreeSet;

use super::functions::has_routine_named;
use super::{Change, ColumnHints, ColumnUse, PolicyChange, TriggerChange, TypeChange};
use crate::dependencies::Graph;
use crate::model::{Column, Constraint, ObjectRef, QualifiedName, Schema};

/// Drops and creates again (as `after` has them) the users in `before` that `changes` keep
/// of those `routines` that `after` still has a routine of the name of; what `changes`
/// already drop is left to them. A generated column calling a routine is not rebuilt:
/// `blocked_function_drops` refuses the plan.
pub(super) fn recreate_users(
    before: &Schema,
    after: &Schema,
    graph: &Graph,
    routines: &BTreeSet<ObjectRef>,
    changes: &mut Vec<Change>,
) {
    // A routine dropped for good leaves its callers to the changes, or to the refusal
    // (`blocked_function_drops`); a call by name finds one created again, or an overload.
    let routines: BTreeSet<ObjectRef> = routines
        .iter()
        .filter(|routine| has_routine_named(after, routine))
        .cloned()
        .collect();
    let routines = &routines;
    let dropped = dropped_objects(changes);
    let kept = |table: &QualifiedName, object: ObjectRef| {
        !dropped.contains(&ObjectRef::Table(table.clone())) && !dropped.contains(&object)
    };
    let mut added = Vec::new();
    for user in graph.dependents_of(routines) {
        if let ObjectRef::Trigger(relation, name) = &user {
            if !kept(relation, user.clone()) || dropped.contains(&ObjectRef::View(relation.clone()))
            {
                continue;
            }
            let triggers = |schema: &Schema| {
                let on_table = schema.tables.get(relation).map(|table| &table.triggers);
                let on_view = schema.views.get(relation).map(|view| &view.triggers);
                on_table.or(on_view)?.get(name).cloned()
            };
            let (Some(trigger), Some(wanted)) = (triggers(before), triggers(after)) else {
                continue;
            };
            // An enabled state or comment that changes comes with the new trigger.
            changes.retain(|change| {
                !matches!(change, Change::Trigger(TriggerChange::Alter { relation: altered, to, .. })
                    if altered == relation && to.name == *name)
            });
            added.push(Change::Trigger(TriggerChange::Drop {
                relation: relation.clone(),
                trigger,
            }));
            added.push(Change::Trigger(TriggerChange::Create {
                relation: relation.clone(),
                trigger: wanted,
            }));
            continue;
        }
        let table_name = match &user {
            ObjectRef::Constraint(table, _)
            | ObjectRef::Index(table, _)
            | ObjectRef::Policy(table, _) => table,
            _ => continue,
        };
        let (Some(old), Some(new)) = (before.tables.get(table_name), after.tables.get(table_name))
        else {
            continue;
        };
        if !kept(table_name, user.clone()) {
            continue;
        }
        match &user {
            ObjectRef::Constraint(_, name) => {
                if let (Some(check), Some(wanted)) = (old.checks.get(name), new.checks.get(name)) {
                    if wanted.same_definition(check) {
                        added.extend(Change::recreate_check(table_name, check));
                    }
                }
                if let (Some(exclusion), Some(wanted)) =
                    (old.exclusions.get(name), new.exclusions.get(name))
                {
                    if wanted.same_definition(exclusion) {
                        added.extend(Change::recreate_exclusion(table_name, exclusion));
                    }
                }
            }
            ObjectRef::Index(_, name) => {
                if let Some(index) = old.indexes.get(name) {
                    if new.indexes.get(name) == Some(index) {
                        added.extend(Change::recreate_index(table_name, index));
                    }
                }
            }
            ObjectRef::Policy(_, name) => {
                let (Some(policy), Some(wanted)) = (old.policies.get(name), new.policies.get(name))
                else {
                    continue;
                };
                changes.retain(|change| {
                    !matches!(change, Change::Policy(PolicyChange::Alter { table, to, .. })
                        if table == table_name && to.name == *name)
                });
                added.push(Change::Policy(PolicyChange::Drop {
                    table: table_name.clone(),
                    policy: policy.clone(),
                }));
                added.push(Change::Policy(PolicyChange::Create {
                    table: table_name.clone(),
                    policy: wanted.clone(),
                }));
            }
            _ => {}
        }
    }
    for user in graph.defaults_calling(routines) {
        let ObjectRef::Column(table, name) = &user else {
            continue;
        };
        let old = before.tables.get(table).and_then(|old| old.column(name));
        let new = after.tables.get(table).and_then(|new| new.column(name));
        let (Some(old), Some(new)) = (old, new) else {
            continue;
        };
        // A default the changes set anyway (or already remove and set again) is theirs.
        let set_anyway = changes.iter().any(|change| {
            matches!(change, Change::AlterColumn { table: altered, from, to, .. }
                if altered == table && from.name == *name && from.default != to.default)
        });
        if !kept(table, user.clone()) || old.default != new.default || set_anyway {
            continue;
        }
        let bare = |column: &Column| Column {
            default: None,
            ..column.clone()
        };
        let set = |from: Column, to: Column| Change::AlterColumn {
            table: table.clone(),
            from,
            to,
            hints: ColumnHints::default(),
            inverse_hints: ColumnHints::default(),
        };
        added.push(set(old.clone(), bare(old)));
        added.push(set(bare(new), new.clone()));
        without_default_in_rebuilds(changes, table, name);
    }
    changes.extend(added);
}

/// A type rebuild converting `table.column` leaves its default alone: it is removed before
/// the routine it calls goes and set again once that is back.
fn without_default_in_rebuilds(changes: &mut [Change], table: &QualifiedName, column: &str) {
    let strip = |uses: &mut Vec<ColumnUse>| {
        for column_use in uses
            .iter_mut()
            .filter(|column_use| column_use.table == *table && column_use.column.name == column)
        {
            column_use.column.default = None;
        }
    };
    for change in changes {
        match change {
            Change::AlterEnum {
                columns,
                columns_after,
                ..
            }
            | Change::Type(TypeChange::AlterDomain {
                columns,
                columns_after,
                ..
            }) => {
                strip(columns);
                strip(columns_after);
            }
            _ => {}
        }
    }
}

/// What `changes` drop, as graph nodes.
fn dropped_objects(changes: &[Change]) -> BTreeSet<ObjectRef> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::DropTable(table) => Some(ObjectRef::Table(table.name.clone())),
            Change::DropColumn { table, column, .. } => {
                Some(ObjectRef::Column(table.clone(), column.name.clone()))
            }
            Change::DropCheck { table, check } => {
                Some(ObjectRef::Constraint(table.clone(), check.name.clone()))
            }
            Change::DropExclusion { table, exclusion } => {
                Some(ObjectRef::Constraint(table.clone(), exclusion.name.clone()))
            }
            Change::DropIndex { table, index } => {
                Some(ObjectRef::Index(table.clone(), index.name.clone()))
            }
            Change::Trigger(TriggerChange::Drop { relation, trigger }) => {
                Some(ObjectRef::Trigger(relation.clone(), trigger.name.clone()))
            }
            Change::Policy(PolicyChange::Drop { table, policy }) => {
                Some(ObjectRef::Policy(table.clone(), policy.name.clone()))
            }
            Change::DropView(view) => Some(ObjectRef::View(view.name.clone())),
            _ => None,
        })
        .collect()
}
