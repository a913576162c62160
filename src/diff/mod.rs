//! Stage 4, diff: `(current, desired)` → `Vec<Change>`.
//!
//! Pure and order-free: it says what differs, never how to order it (that is `plan`) and
//! never how to spell it (that is `sql`). Both inputs must already be normalized alike.

mod aggregates;
mod change;
mod collations;
mod dependents;
mod describe;
mod functions;
mod hazards;
mod owners;
mod partitions;
mod privileges;
mod ranges;
mod recreated_users;
mod rename;
mod serials;
mod standalone;
mod tables;
mod triggers;
mod type_change;
mod types;
mod views;

use std::collections::BTreeSet;

pub use aggregates::AggregateChange;
pub use change::{
    removes_or_moves_values, Change, ColumnHints, ColumnUse, PolicyChange, PrivilegeChange,
    RenameTiming, TriggerChange, ValidatedConstraint,
};
pub use collations::CollationChange;
pub use dependents::unmanaged_casualties;
pub use functions::{blocked_function_drops, function_users_of, FunctionPlacement};
pub use hazards::{Hazard, HazardKind, LockMode};
pub use owners::OwnerChange;
pub use partitions::PartitionChange;
pub use privileges::{
    grantee_name, leave_privileges_out, scope as scope_privileges, table_sequences, PrivilegeScope,
};
pub use ranges::RangeChange;
pub use rename::suggestions as rename_suggestions;
pub use rename::RenameChange;
pub use types::{needs_domain_rebuild, rebuilt_types, refuse_blocked_rebuilds, TypeChange};
pub use views::reordered_alias_lists;

use crate::dependencies::Graph;
use crate::model::{
    storage_type, Column, Constraint, Enum, ObjectRef, QualifiedName, Schema, Sequence,
};
use crate::references::{index_expressions_mention, index_mentions, mentions, string_literals};

pub fn diff(current: &Schema, desired: &Schema) -> Vec<Change> {
    let (renamed_current, mut changes) = rename::apply(current, desired);
    let unfolded_current = serials::unfold_adopted(&renamed_current, desired);
    let unfolded_desired = serials::unfold_adopted(desired, &renamed_current);
    let current = unfolded_current.as_ref().unwrap_or(&renamed_current);
    let desired = unfolded_desired.as_ref().unwrap_or(desired);

    for schema in desired.schemas.difference(&current.schemas) {
        changes.push(Change::CreateSchema(schema.clone()));
    }
    for schema in current.schemas.difference(&desired.schemas) {
        changes.push(Change::DropSchema(schema.clone()));
    }
    // A dropped schema's comment is removed first, so the way back puts it back.
    let commented: BTreeSet<&String> = current
        .schema_comments
        .keys()
        .chain(desired.schema_comments.keys())
        .collect();
    for schema in commented {
        let (from, to) = (
            current.schema_comments.get(schema),
            desired.schema_comments.get(schema),
        );
        if from != to {
            changes.push(Change::CommentOnSchema {
                schema: schema.clone(),
                from: from.cloned(),
                to: to.cloned(),
            });
        }
    }

    for (name, extension) in &desired.extensions {
        match current.extensions.get(name) {
            None => changes.push(Change::CreateExtension(extension.clone())),
            // Versions are compared only where both sides know one: a file pins it, a
            // catalog reads it; a replay without VERSION cannot know it.
            Some(installed)
                if installed.version.is_some()
                    && extension.version.is_some()
                    && installed.version != extension.version =>
            {
                changes.push(Change::UpdateExtension {
                    name: name.clone(),
                    from: installed.version.clone(),
                    to: extension.version.clone(),
                });
            }
            Some(_) => {}
        }
    }
    for (name, extension) in &current.extensions {
        if !desired.extensions.contains_key(name) {
            changes.push(Change::DropExtension(extension.clone()));
        }
    }

    for (name, desired_enum) in &desired.enums {
        match current.enums.get(name) {
            None => changes.push(Change::CreateEnum(desired_enum.clone())),
            Some(current_enum) if current_enum.values != desired_enum.values => {
                changes.push(Change::AlterEnum {
                    from: current_enum.clone(),
                    to: desired_enum.clone(),
                    columns: columns_of_enum(current, current_enum),
                    columns_after: columns_of_enum(desired, desired_enum),
                    new_value_used: false,
                });
            }
            Some(_) => {}
        }
    }
    for (name, current_enum) in &current.enums {
        if !desired.enums.contains_key(name) {
            changes.push(Change::DropEnum(current_enum.clone()));
        }
    }

    collations::diff_collations(current, desired, &mut changes);
    ranges::diff_ranges(current, desired, &mut changes);
    types::diff_types(current, desired, &mut changes);

    let rebuilt = partitions::rebuild_repartitioned(current, desired, &mut changes);
    let first_table_change = changes.len();
    for desired_table in partitions::parents_first(desired) {
        let name = &desired_table.name;
        match current.tables.get(name) {
            _ if rebuilt.contains(name) => {}
            None => changes.push(Change::CreateTable(desired_table.clone())),
            Some(current_table) => partitions::diff_member(
                current,
                desired,
                current_table,
                desired_table,
                &desired.directives,
                &mut changes,
            ),
        }
    }
    for change in &mut changes[first_table_change..] {
        if let Change::DropColumn {
            table,
            column,
            only,
            ..
        } = change
        {
            *only = partitions::drops_only(current, desired, table, &column.name);
        }
    }
    for (name, current_table) in &current.tables {
        if !desired.tables.contains_key(name) && !rebuilt.contains(name) {
            changes.push(Change::DropTable(current_table.clone()));
        }
    }

    type_change::classify_user_types(current, desired, &mut changes);
    diff_sequences(current, desired, &mut changes);
    views::diff_views(current, desired, &mut changes);
    functions::diff_functions(current, desired, &mut changes);
    aggregates::diff_aggregates(current, desired, &mut changes);
    // The largest structure of a diff: built once, for both questions.
    let graph = Graph::of(current);
    rebuild_dependents(current, desired, &graph, &mut changes);
    dependents::rebuild_foreign_keys_of_rebuilt_keys(current, desired, &graph, &mut changes);
    hazards::mark_checked_domains(current, desired, &mut changes);
    changes
}

/// Adds what PostgreSQL cannot keep across `changes` (which turn `before` into `after`):
/// views over a retyped column's table, checks and index expressions over the column,
/// routines over a rebuilt type or calling a dropped aggregate, what calls a routine dropped
/// and created again (`recreated_users`, views), and range
/// types and aggregates over a rebuilt type, are dropped before and created again after;
/// privileges are granted and revoked to match `after`. Call it for each direction: the
/// way back may rebuild what the way there only extends (an enum value added, then
/// removed). `graph` is `before`'s.
pub fn rebuild_dependents(
    before: &Schema,
    after: &Schema,
    graph: &Graph,
    changes: &mut Vec<Change>,
) {
    views::expand_unreplaceable(changes);
    functions::recreate_over_rebuilt_types(before, after, graph, changes);
    ranges::recreate_over_rebuilt_types(before, after, changes);
    aggregates::recreate_over_rebuilt_types(before, after, changes);
    aggregates::recreate_over_recreated_functions(before, after, changes);
    // A column whose generation changes is dropped and added again: what reads it is
    // rebuilt as over a retyped one.
    let regenerated = regenerated_columns(changes);
    let mut retyped = retyped_columns(changes);
    retyped.extend(regenerated.iter().cloned());
    // PostgreSQL refuses to drop a relation a view reads, or a column it reads, or to
    // change that column's type, or to drop a key a view needs (`GROUP BY` its primary key).
    let mut roots: BTreeSet<ObjectRef> = retyped
        .iter()
        .map(|(table, _)| ObjectRef::Table(table.clone()))
        .collect();
    roots.extend(changes.iter().filter_map(|change| match change {
        Change::DropColumn { table, .. } => Some(ObjectRef::Table(table.clone())),
        Change::DropTable(table) => Some(ObjectRef::Table(table.name.clone())),
        Change::DropView(view) => Some(ObjectRef::View(view.name.clone())),
        Change::DropPrimaryKey { table, primary_key } => Some(ObjectRef::Constraint(
            table.clone(),
            primary_key.name.clone(),
        )),
        Change::DropUnique { table, unique } => {
            Some(ObjectRef::Constraint(table.clone(), unique.name.clone()))
        }
        _ => None,
    }));
    let mut read_columns = retyped.clone();
    read_columns.extend(changes.iter().filter_map(|change| match change {
        Change::DropColumn { table, column, .. } => Some((table.clone(), column.name.clone())),
        _ => None,
    }));
    functions::recreate_functions_reading_columns(before, after, &read_columns, changes);
    functions::recreate_over_dropped_aggregates(before, after, graph, changes);
    functions::recreate_callers_of_dropped_routines(before, after, graph, changes);
    // Whatever calls a routine the changes drop (or drop and create again) goes first and,
    // kept, comes back after: views below, the others here.
    let dropped_routines = functions::dropped_routines(changes);
    recreated_users::recreate_users(before, after, graph, &dropped_routines, changes);
    // A view reading an attribute a composite type drops or retypes, through a column of
    // that type or a function returning it, is rebuilt around the change.
    for change in changes.iter() {
        let Change::Type(type_change) = change else {
            continue;
        };
        if let Some(composite) = type_change.reshaped_composite() {
            let root = ObjectRef::CompositeType(composite.clone());
            let reached = graph.dependents_of(&BTreeSet::from([root.clone()]));
            roots.extend(reached.into_iter().filter_map(|object| match object {
                ObjectRef::Column(table, _) => Some(ObjectRef::Table(table)),
                _ => None,
            }));
            roots.insert(root);
        }
    }
    roots.extend(
        aggregates::views_calling_recreated_aggregates(before, changes)
            .into_iter()
            .map(ObjectRef::View),
    );
    roots.extend(dropped_routines.iter().cloned());
    dependents::rebuild_views_over(before, after, graph, &roots, changes);
    // PostgreSQL records the views a SQL-standard body reads: such a routine is dropped
    // before a view rebuilt above and created again after, and so are what calls it in turn,
    // until no more routines join.
    let mut recreated = dropped_routines;
    loop {
        functions::recreate_functions_reading_dropped_views(before, after, changes);
        functions::recreate_callers_of_dropped_routines(before, after, graph, changes);
        let now = functions::dropped_routines(changes);
        let joined: BTreeSet<ObjectRef> = now.difference(&recreated).cloned().collect();
        if joined.is_empty() {
            break;
        }
        recreated_users::recreate_users(before, after, graph, &joined, changes);
        dependents::rebuild_views_over(before, after, graph, &joined, changes);
        recreated = now;
    }
    rebuild_expressions_over_retyped_columns(before, after, &retyped, &regenerated, changes);
    triggers::detach(before, after, &retyped, changes);
    // Per direction: the way back adds the values the way there removes.
    mark_new_enum_values_in_use(changes, &changed_view_queries(before, after));
    privileges::reconcile(before, after, changes);
    owners::reconcile(before, after, changes);
}

/// Queries of the views the migration creates or replaces.
fn changed_view_queries(current: &Schema, desired: &Schema) -> Vec<String> {
    desired
        .views
        .values()
        .filter(|view| {
            !current
                .views
                .get(&view.name)
                .is_some_and(|current_view| current_view.same_relation_as(view))
        })
        .map(|view| view.definition.as_str().to_string())
        .collect()
}

/// Columns given a new generation expression, which `ALTER COLUMN` renders as dropping the
/// column and adding it again (PostgreSQL 15 cannot change one in place).
fn regenerated_columns(changes: &[Change]) -> BTreeSet<(QualifiedName, String)> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::AlterColumn {
                table, from, to, ..
            } if to.generated.is_some() && from.generated != to.generated => {
                Some((table.clone(), from.name.clone()))
            }
            _ => None,
        })
        .collect()
}

/// Columns whose stored type changes: an altered type or collation, or an enum rebuilt
/// under them.
fn retyped_columns(changes: &[Change]) -> BTreeSet<(QualifiedName, String)> {
    let mut retyped = BTreeSet::new();
    for change in changes {
        match change {
            Change::AlterColumn {
                table, from, to, ..
            } if storage_type(&from.data_type) != storage_type(&to.data_type)
                || from.collation != to.collation =>
            {
                retyped.insert((table.clone(), from.name.clone()));
            }
            Change::AlterEnum {
                from,
                to,
                columns,
                new_value_used,
                ..
            } if removes_or_moves_values(from, to) => {
                retyped.extend(
                    columns.iter().map(|column_use| {
                        (column_use.table.clone(), column_use.column.name.clone())
                    }),
                );
            }
            Change::Type(type_change) => retyped.extend(type_change.retyped_columns()),
            _ => {}
        }
    }
    retyped
}

/// PostgreSQL re-reads the checks and the expressions of indexes and exclusion constraints
/// over a retyped column with their stored constants, which keep the old type (`status =
/// 'a'::status__autogen_old`) and then fail or pin it, and it refuses to retype a column a
/// generated column reads. Unchanged
/// ones are dropped before the change and created after it (a generated column is computed
/// again, with the indexes and checks on it); ones that change anyway already are.
fn rebuild_expressions_over_retyped_columns(
    before: &Schema,
    after: &Schema,
    retyped: &BTreeSet<(QualifiedName, String)>,
    regenerated: &BTreeSet<(QualifiedName, String)>,
    changes: &mut Vec<Change>,
) {
    let already_dropped: BTreeSet<ObjectRef> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropCheck { table, check } => {
                Some(ObjectRef::Constraint(table.clone(), check.name.clone()))
            }
            Change::DropIndex { table, index } => {
                Some(ObjectRef::Index(table.clone(), index.name.clone()))
            }
            Change::DropExclusion { table, exclusion } => {
                Some(ObjectRef::Constraint(table.clone(), exclusion.name.clone()))
            }
            Change::DropColumn { table, column, .. } => {
                Some(ObjectRef::Column(table.clone(), column.name.clone()))
            }
            _ => None,
        })
        .collect();
    let retyped_tables: BTreeSet<&QualifiedName> = retyped.iter().map(|(table, _)| table).collect();
    for table_name in retyped_tables {
        let (Some(current_table), Some(desired_table)) =
            (before.tables.get(table_name), after.tables.get(table_name))
        else {
            continue;
        };
        let dropped = |object: ObjectRef| already_dropped.contains(&object);
        let columns: Vec<&String> = retyped
            .iter()
            .filter(|(table, _)| table == table_name)
            .map(|(_, column)| column)
            .collect();
        // A column generated from a retyped one, and still generated, is added again as
        // desired: its own `ALTER COLUMN` would still meet the refusal.
        let reads_retyped = |column: &Column| {
            column.generated.as_ref().is_some_and(|expression| {
                columns
                    .iter()
                    .any(|retyped| mentions(expression.as_str(), retyped))
            })
        };
        let readers: Vec<(&Column, &Column)> = current_table
            .columns
            .iter()
            .filter_map(|column| {
                let desired = desired_table.column(&column.name)?;
                (column.generated.is_some()
                    && desired.generated.is_some()
                    && (reads_retyped(column) || reads_retyped(desired))
                    && !dropped(ObjectRef::Column(table_name.clone(), column.name.clone())))
                .then_some((column, desired))
            })
            .collect();
        // Besides those, a column whose generation changes is dropped and added again.
        let generated: Vec<&str> = readers
            .iter()
            .map(|(column, _)| column.name.as_str())
            .chain(
                regenerated
                    .iter()
                    .filter(|(table, _)| table == table_name)
                    .map(|(_, column)| column.as_str()),
            )
            .collect();
        for check in current_table.checks.values() {
            let unchanged = desired_table
                .checks
                .get(&check.name)
                .is_some_and(|desired| desired.same_definition(check))
                && !dropped(ObjectRef::Constraint(
                    table_name.clone(),
                    check.name.clone(),
                ));
            let reads = |column: &str| mentions(check.expression.as_str(), column);
            if unchanged
                && (columns.iter().any(|column| reads(column))
                    || generated.iter().any(|column| reads(column)))
            {
                changes.extend(Change::recreate_check(table_name, check));
            }
        }
        for index in current_table.indexes.values() {
            let unchanged = desired_table.indexes.get(&index.name) == Some(index)
                && !dropped(ObjectRef::Index(table_name.clone(), index.name.clone()));
            if unchanged
                && (columns
                    .iter()
                    .any(|column| index_expressions_mention(index, column))
                    || generated.iter().any(|column| index_mentions(index, column)))
            {
                changes.extend(Change::recreate_index(table_name, index));
            }
        }
        for exclusion in current_table.exclusions.values() {
            let unchanged = desired_table
                .exclusions
                .get(&exclusion.name)
                .is_some_and(|desired| desired.same_definition(exclusion))
                && !dropped(ObjectRef::Constraint(
                    table_name.clone(),
                    exclusion.name.clone(),
                ));
            let index = exclusion.index();
            if unchanged
                && (columns
                    .iter()
                    .any(|column| index_expressions_mention(&index, column))
                    || generated
                        .iter()
                        .any(|column| index_mentions(&index, column)))
            {
                changes.extend(Change::recreate_exclusion(table_name, exclusion));
            }
        }
        order_around_retypes(changes, table_name, reads_retyped);
        for (column, desired) in readers {
            changes.retain(|change| {
                !matches!(change, Change::AlterColumn { table, from, .. }
                    if table == table_name && from.name == column.name)
            });
            changes.push(Change::DropColumn {
                table: table_name.clone(),
                column: column.clone(),
                backfill: None,
                checked_domain: false,
                only: false,
                left_by_parent: false,
            });
            changes.push(Change::AddColumn {
                table: table_name.clone(),
                column: desired.clone(),
                backfill: None,
                checked_domain: false,
            });
        }
    }
}

/// A column that stops being generated from a retyped column (`DROP EXPRESSION`) does so
/// before the retype, and one that starts being generated from it after: its `ALTER COLUMN`
/// moves before the table's first or after its last.
fn order_around_retypes(
    changes: &mut Vec<Change>,
    table_name: &QualifiedName,
    reads_retyped: impl Fn(&Column) -> bool,
) {
    let of_table = |change: &Change| matches!(change, Change::AlterColumn { table, .. } if table == table_name);
    let moves: Vec<(String, bool)> = changes
        .iter()
        .filter_map(|change| match change {
            Change::AlterColumn {
                table, from, to, ..
            } if table == table_name => {
                let first = to.generated.is_none() && reads_retyped(from);
                let last = from.generated.is_none() && reads_retyped(to);
                (first || last).then(|| (from.name.clone(), first))
            }
            _ => None,
        })
        .collect();
    for (column, first) in moves {
        let Some(at) = changes.iter().position(|change| {
            matches!(change, Change::AlterColumn { table, from, .. }
                if table == table_name && from.name == column)
        }) else {
            continue;
        };
        let change = changes.remove(at);
        let to = if first {
            changes.iter().position(of_table).unwrap_or(at)
        } else {
            changes
                .iter()
                .rposition(of_table)
                .map_or(at, |last| last + 1)
        };
        changes.insert(to, change);
    }
}

/// Sequences are created without an owner and owned once the column exists; dropped ones
/// are disowned first, so dropping the owning column never takes them along. A comment
/// changes on its own (`COMMENT ON SEQUENCE`).
fn diff_sequences(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    let unowned = |sequence: &Sequence| Sequence {
        owned_by: None,
        ..sequence.clone()
    };
    let options = |sequence: &Sequence| Sequence {
        comment: None,
        ..unowned(sequence)
    };
    for (name, wanted) in &desired.sequences {
        let existing = current.sequences.get(name);
        match existing {
            None => changes.push(Change::CreateSequence(unowned(wanted))),
            Some(existing) => {
                if options(existing) != options(wanted) {
                    changes.push(Change::AlterSequence {
                        from: options(existing),
                        to: options(wanted),
                    });
                }
                if existing.comment != wanted.comment {
                    changes.push(Change::CommentOnSequence {
                        sequence: name.clone(),
                        from: existing.comment.clone(),
                        to: wanted.comment.clone(),
                    });
                }
            }
        }
        let old_owner = existing.and_then(|existing| existing.owned_by.clone());
        if old_owner != wanted.owned_by {
            if old_owner.is_some() {
                changes.push(Change::OwnSequence {
                    sequence: name.clone(),
                    from: old_owner,
                    to: None,
                });
            }
            if wanted.owned_by.is_some() {
                changes.push(Change::OwnSequence {
                    sequence: name.clone(),
                    from: None,
                    to: wanted.owned_by.clone(),
                });
            }
        }
    }
    for (name, existing) in &current.sequences {
        if desired.sequences.contains_key(name) {
            continue;
        }
        if existing.owned_by.is_some() {
            changes.push(Change::OwnSequence {
                sequence: name.clone(),
                from: existing.owned_by.clone(),
                to: None,
            });
        }
        changes.push(Change::DropSequence(unowned(existing)));
    }
}

/// Flags enum changes whose new values other changes of the migration (or the views it
/// creates, `view_queries`) use: a default, a backfill, a check, ... holding the value as a
/// string literal.
fn mark_new_enum_values_in_use(changes: &mut [Change], view_queries: &[String]) {
    let literals: BTreeSet<String> = changes
        .iter()
        .flat_map(expression_texts)
        .chain(view_queries.iter().cloned())
        .flat_map(|text| string_literals(&text))
        .collect();
    for change in changes.iter_mut() {
        if let Change::AlterEnum {
            from,
            to,
            new_value_used,
            ..
        } = change
        {
            *new_value_used = to
                .values
                .iter()
                .filter(|value| !from.values.contains(value))
                .any(|value| literals.contains(value));
        }
    }
}

/// The SQL expressions a change writes into the database.
fn expression_texts(change: &Change) -> Vec<String> {
    let column_texts = |column: &crate::model::Column| {
        [&column.default, &column.generated]
            .into_iter()
            .flatten()
            .map(|expr| expr.as_str().to_string())
            .collect::<Vec<_>>()
    };
    match change {
        Change::AddColumn {
            column, backfill, ..
        } => {
            let mut texts = column_texts(column);
            texts.extend(backfill.iter().map(|expr| expr.as_str().to_string()));
            texts
        }
        Change::AlterColumn { to, hints, .. } => {
            let mut texts = column_texts(to);
            texts.extend(
                [&hints.backfill, &hints.using]
                    .into_iter()
                    .flatten()
                    .map(|expr| expr.as_str().to_string()),
            );
            texts
        }
        Change::CreateTable(table) => {
            let mut texts: Vec<String> = table.columns.iter().flat_map(column_texts).collect();
            texts.extend(
                table
                    .checks
                    .values()
                    .map(|check| check.expression.0.clone()),
            );
            texts.extend(
                table
                    .indexes
                    .values()
                    .filter_map(|index| index.predicate.as_ref().map(|expr| expr.0.clone())),
            );
            texts
        }
        Change::AddCheck { check, .. } => vec![check.expression.0.clone()],
        Change::Trigger(TriggerChange::Create { trigger, .. }) => trigger
            .condition
            .iter()
            .map(|expr| expr.0.clone())
            .collect(),
        Change::Policy(PolicyChange::Create { policy, .. })
        | Change::Policy(PolicyChange::Alter { to: policy, .. }) => {
            [&policy.using, &policy.with_check]
                .into_iter()
                .flatten()
                .map(|expr| expr.0.clone())
                .collect()
        }
        Change::Type(type_change) => type_change.expression_texts(),
        Change::CreateIndex { index, .. } => {
            index.predicate.iter().map(|expr| expr.0.clone()).collect()
        }
        // PostgreSQL parses argument defaults and a SQL-standard body when it creates the
        // routine (`check_function_bodies` spares only other bodies).
        Change::CreateFunction { function, .. } | Change::AlterFunction { to: function, .. } => {
            let mut texts: Vec<String> = function
                .arguments
                .iter()
                .filter_map(|argument| argument.default.as_ref())
                .map(|expr| expr.0.clone())
                .collect();
            if let crate::model::FunctionBody::Sql(body) = &function.body {
                texts.push(body.clone());
            }
            texts
        }
        _ => Vec::new(),
    }
}

/// Columns whose type is the enum or an array of it; a child's inherited columns change
/// with their parent's.
fn columns_of_enum(schema: &Schema, enum_type: &Enum) -> Vec<ColumnUse> {
    let type_name = crate::syntax::quote::type_name(&enum_type.name);
    let array_name = format!("{type_name}[]");
    schema
        .tables
        .values()
        .flat_map(|table| {
            table
                .columns
                .iter()
                .filter(|column| column.data_type == type_name || column.data_type == array_name)
                .filter(|column| !partitions::is_inherited(schema, table, &column.name))
                .map(|column| ColumnUse {
                    table: table.name.clone(),
                    column: column.clone(),
                })
        })
        .collect()
}
