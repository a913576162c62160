//! What must go around a change because something needs what it drops, replaces or
//! retypes, read from the dependency graph (`crate::dependencies`): views and foreign keys
//! are dropped before and created again after; objects autogen does not manage stop the
//! plan (`unmanaged_casualties`).

use std::collections::{BTreeMap, BTreeSet};

use super::{
    removes_or_moves_values, retyped_columns, AggregateChange, Change, RangeChange, TypeChange,
};
use crate::dependencies::Graph;
use crate::model::{Constraint, ObjectRef, QualifiedName, Schema};

/// Drops every view of `before` among `roots` or needing one of them (transitively, `graph`
/// is `before`'s) and creates its `after` form again, unless `changes` already drop it.
pub(super) fn rebuild_views_over(
    before: &Schema,
    after: &Schema,
    graph: &Graph,
    roots: &BTreeSet<ObjectRef>,
    changes: &mut Vec<Change>,
) {
    let already_dropped: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropView(view) => Some(view.name.clone()),
            _ => None,
        })
        .collect();
    let mut reached = graph.dependents_of(roots);
    reached.extend(roots.iter().cloned());
    for object in reached {
        let ObjectRef::View(name) = object else {
            continue;
        };
        let Some(view) = before.views.get(&name) else {
            continue;
        };
        if !already_dropped.contains(&name) {
            changes.retain(
                |change| !matches!(change, Change::ReplaceView { to, .. } if to.name == name),
            );
            changes.push(Change::DropView(view.clone()));
            if let Some(view) = after.views.get(&name) {
                changes.push(Change::CreateView(view.clone()));
            }
        }
    }
}

/// PostgreSQL refuses to drop a primary key, unique constraint or unique index that a
/// foreign key uses, so foreign keys onto a dropped key (its dependents in `current`'s
/// graph) are dropped before it and added back after.
pub(super) fn rebuild_foreign_keys_of_rebuilt_keys(
    current: &Schema,
    desired: &Schema,
    graph: &Graph,
    changes: &mut Vec<Change>,
) {
    let keys: BTreeSet<ObjectRef> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropPrimaryKey { table, primary_key } => Some(ObjectRef::Constraint(
                table.clone(),
                primary_key.name.clone(),
            )),
            Change::DropUnique { table, unique } => {
                Some(ObjectRef::Constraint(table.clone(), unique.name.clone()))
            }
            Change::DropIndex { table, index } if index.unique => {
                Some(ObjectRef::Index(table.clone(), index.name.clone()))
            }
            _ => None,
        })
        .collect();
    if keys.is_empty() {
        return;
    }
    let pinning = graph.dependents_of(&keys);
    let pins = |table: &QualifiedName, foreign_key: &str| {
        pinning.contains(&ObjectRef::Constraint(
            table.clone(),
            foreign_key.to_string(),
        ))
    };
    let already_dropped: BTreeSet<_> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropForeignKey { table, foreign_key } => {
                Some((table.clone(), foreign_key.name.clone()))
            }
            Change::DropTable(table) => Some((table.name.clone(), String::new())),
            _ => None,
        })
        .collect();
    // A table dropped in the same migration still pins the key until it goes; its keys
    // onto rebuilt keys are dropped first, and taken out of the table so that the
    // inverse (create table, then add the key) stays exact.
    let mut detached = Vec::new();
    for change in changes.iter_mut() {
        let Change::DropTable(table) = change else {
            continue;
        };
        let pinned: Vec<String> = table
            .foreign_keys
            .values()
            .filter(|foreign_key| {
                foreign_key.referenced_table != table.name && pins(&table.name, &foreign_key.name)
            })
            .map(|foreign_key| foreign_key.name.clone())
            .collect();
        for key_name in pinned {
            if let Some(foreign_key) = table.foreign_keys.remove(&key_name) {
                detached.push(Change::DropForeignKey {
                    table: table.name.clone(),
                    foreign_key,
                });
            }
        }
    }
    changes.extend(detached);

    let mut rebuilt = Vec::new();
    for (table_name, table) in &current.tables {
        let Some(desired_table) = desired.tables.get(table_name) else {
            continue;
        };
        for foreign_key in table.foreign_keys.values() {
            let key = (table_name.clone(), foreign_key.name.clone());
            if pins(table_name, &foreign_key.name)
                && !already_dropped.contains(&key)
                && desired_table
                    .foreign_keys
                    .get(&foreign_key.name)
                    .is_some_and(|desired| desired.same_definition(foreign_key))
            {
                rebuilt.extend(Change::recreate_foreign_key(table_name, foreign_key));
            }
        }
    }
    changes.extend(rebuilt);
}

/// Objects autogen does not manage that need what `changes` drop, recreate or retype
/// (directly or through what is rebuilt around them), in words: PostgreSQL would refuse the
/// change, or take them along unseen. `graph` is of the schema `changes` start from. An
/// automatic dependent (a rule or statistics object of a dropped table) goes with its object
/// as intended, unless the object comes back.
pub fn unmanaged_casualties(graph: &Graph, changes: &[Change]) -> Vec<String> {
    let created: BTreeSet<&QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::CreateTable(table) => Some(&table.name),
            Change::CreateView(view) => Some(&view.name),
            _ => None,
        })
        .collect();
    // Range types and aggregates a change drops and another creates again.
    let created_again: BTreeSet<ObjectRef> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Range(RangeChange::Create(range)) => Some(ObjectRef::Range(range.name.clone())),
            Change::Aggregate(AggregateChange::Create(aggregate)) => {
                Some(ObjectRef::Aggregate(aggregate.name.clone()))
            }
            _ => None,
        })
        .collect();
    let mut roots: BTreeMap<ObjectRef, &str> = BTreeMap::new();
    for (table, column) in retyped_columns(changes) {
        roots.insert(ObjectRef::Column(table, column), "changes the type of");
    }
    for change in changes {
        let (root, verb) = match change {
            Change::DropTable(table) => (ObjectRef::Table(table.name.clone()), "drops"),
            Change::DropView(view) => (ObjectRef::View(view.name.clone()), "drops"),
            Change::DropColumn { table, column, .. } => (
                ObjectRef::Column(table.clone(), column.name.clone()),
                "drops",
            ),
            Change::DropPrimaryKey { table, primary_key } => (
                ObjectRef::Constraint(table.clone(), primary_key.name.clone()),
                "drops",
            ),
            Change::DropUnique { table, unique } => (
                ObjectRef::Constraint(table.clone(), unique.name.clone()),
                "drops",
            ),
            Change::DropEnum(enum_type) => (ObjectRef::Enum(enum_type.name.clone()), "drops"),
            Change::AlterEnum { from, to, .. } if removes_or_moves_values(from, to) => {
                (ObjectRef::Enum(from.name.clone()), "rebuilds")
            }
            Change::Type(TypeChange::DropDomain(domain)) => {
                (ObjectRef::Domain(domain.name.clone()), "drops")
            }
            Change::Type(type_change @ TypeChange::AlterDomain { from, .. })
                if !type_change.retyped_columns().is_empty() =>
            {
                (ObjectRef::Domain(from.name.clone()), "rebuilds")
            }
            Change::Type(TypeChange::DropComposite(composite)) => {
                (ObjectRef::CompositeType(composite.name.clone()), "drops")
            }
            Change::Range(RangeChange::Drop(range)) => {
                let object = ObjectRef::Range(range.name.clone());
                let verb = match created_again.contains(&object) {
                    true => "drops and creates again",
                    false => "drops",
                };
                (object, verb)
            }
            Change::Aggregate(AggregateChange::Drop(aggregate)) => {
                let object = ObjectRef::Aggregate(aggregate.name.clone());
                let verb = match created_again.contains(&object) {
                    true => "drops and creates again",
                    false => "drops",
                };
                (object, verb)
            }
            _ => continue,
        };
        roots.entry(root).or_insert(verb);
    }
    let recreated = |object: &ObjectRef| match object {
        ObjectRef::Table(relation)
        | ObjectRef::View(relation)
        | ObjectRef::Column(relation, _)
        | ObjectRef::Constraint(relation, _)
        | ObjectRef::Index(relation, _) => created.contains(relation),
        other => created_again.contains(other),
    };
    // One line per dependent and root: the direct path if there is one, else the first.
    let mut problems: BTreeMap<(&str, &ObjectRef), String> = BTreeMap::new();
    for (root, verb) in &roots {
        let reached = graph.dependents_of(&[root.clone()].into());
        for object in std::iter::once(root).chain(&reached) {
            for dependent in graph.unmanaged_dependents(object) {
                if !dependent.automatic || recreated(object) {
                    let through = match object == root {
                        true => String::new(),
                        false => format!(" (through {object})"),
                    };
                    problems
                        .entry((dependent.description.as_str(), root))
                        .or_insert_with(|| {
                            format!(
                                "{} needs {root}{through}, which the migration {verb}",
                                dependent.description
                            )
                        });
                }
            }
        }
    }
    problems.into_values().collect()
}
