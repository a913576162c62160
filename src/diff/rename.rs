//! Declared renames (`renamed_from`), applied to a copy of the current schema before the
//! diff, so the rest of the diff compares objects under their new names.
//!
//! A hint whose old object is gone (the database already has the new name) does nothing, so
//! hints may stay in the file. Undeclared renames are never guessed: `suggestions` only
//! points at likely ones.

use std::borrow::Cow;

use super::change::{Change, RenameTiming};
use crate::model::{default_multirange, FunctionName, ObjectRef, QualifiedName, Schema, Table};
use crate::renames::{
    follow_column_rename, follow_label_rename, follow_table_rename, follow_type_rename,
    rename_column_within,
};

/// `ALTER ... RENAME TO` of the kinds whose renames need no more than the new name:
/// triggers, policies, domains, collations, aggregates and range types.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenameChange {
    /// `ALTER TRIGGER a ON t RENAME TO b`
    Trigger {
        relation: QualifiedName,
        from: String,
        to: String,
        timing: RenameTiming,
    },
    /// `ALTER POLICY a ON t RENAME TO b`
    Policy {
        table: QualifiedName,
        from: String,
        to: String,
        timing: RenameTiming,
    },
    /// `ALTER DOMAIN a RENAME TO b`
    Domain {
        from: QualifiedName,
        to: QualifiedName,
        timing: RenameTiming,
    },
    /// `ALTER COLLATION a RENAME TO b`
    Collation {
        from: QualifiedName,
        to: QualifiedName,
        timing: RenameTiming,
    },
    /// `ALTER AGGREGATE a(args) RENAME TO b` (same schema and arguments).
    Aggregate {
        from: FunctionName,
        to: FunctionName,
        timing: RenameTiming,
    },
    /// `ALTER TYPE a RENAME TO b` of a range type, which keeps its multirange type's name;
    /// `multirange` renames that too (from, to) when the other side names it otherwise.
    Range {
        from: QualifiedName,
        to: QualifiedName,
        multirange: Option<(QualifiedName, QualifiedName)>,
        timing: RenameTiming,
    },
}

impl RenameChange {
    /// The rename back, undone after the other changes of its direction (or first).
    pub fn inverse(&self) -> RenameChange {
        match self.clone() {
            RenameChange::Trigger {
                relation,
                from,
                to,
                timing,
            } => RenameChange::Trigger {
                relation,
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            RenameChange::Policy {
                table,
                from,
                to,
                timing,
            } => RenameChange::Policy {
                table,
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            RenameChange::Domain { from, to, timing } => RenameChange::Domain {
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            RenameChange::Collation { from, to, timing } => RenameChange::Collation {
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            RenameChange::Aggregate { from, to, timing } => RenameChange::Aggregate {
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            RenameChange::Range {
                from,
                to,
                multirange,
                timing,
            } => RenameChange::Range {
                from: to,
                to: from,
                multirange: multirange.map(|(from, to)| (to, from)),
                timing: timing.flipped(),
            },
        }
    }

    pub fn timing(&self) -> RenameTiming {
        match self {
            RenameChange::Trigger { timing, .. }
            | RenameChange::Policy { timing, .. }
            | RenameChange::Domain { timing, .. }
            | RenameChange::Collation { timing, .. }
            | RenameChange::Aggregate { timing, .. }
            | RenameChange::Range { timing, .. } => *timing,
        }
    }

    /// `renamed trigger a on t to b`.
    pub fn summary(&self) -> String {
        match self {
            RenameChange::Trigger {
                relation, from, to, ..
            } => format!("renamed trigger {from} on {relation} to {to}"),
            RenameChange::Policy {
                table, from, to, ..
            } => format!("renamed policy {from} on {table} to {to}"),
            RenameChange::Domain { from, to, .. } => format!("renamed domain {from} to {to}"),
            RenameChange::Collation { from, to, .. } => {
                format!("renamed collation {from} to {to}")
            }
            RenameChange::Aggregate { from, to, .. } => {
                format!("renamed aggregate {from} to {}", to.name)
            }
            RenameChange::Range { from, to, .. } => format!("renamed range type {from} to {to}"),
        }
    }

    /// The object under its new name.
    pub fn object(&self) -> ObjectRef {
        match self {
            RenameChange::Trigger { relation, to, .. } => {
                ObjectRef::Trigger(relation.clone(), to.clone())
            }
            RenameChange::Policy { table, to, .. } => ObjectRef::Policy(table.clone(), to.clone()),
            RenameChange::Domain { to, .. } => ObjectRef::Domain(to.clone()),
            RenameChange::Collation { to, .. } => ObjectRef::Collation(to.clone()),
            RenameChange::Aggregate { to, .. } => ObjectRef::Aggregate(to.clone()),
            RenameChange::Range { to, .. } => ObjectRef::Range(to.clone()),
        }
    }
}

/// Returns the current schema with every applicable rename done (itself, not a copy, when
/// `desired` declares no rename), and the rename changes.
pub fn apply<'a>(current: &'a Schema, desired: &Schema) -> (Cow<'a, Schema>, Vec<Change>) {
    let directives = &desired.directives;
    if !directives.declares_renames() {
        return (Cow::Borrowed(current), Vec::new());
    }
    let mut renamed = current.clone();
    let mut changes = Vec::new();
    let timing = RenameTiming::BeforeOtherChanges;

    for (new_name, old_enum) in &directives.enum_renames {
        let old_name = QualifiedName::new(&new_name.schema, old_enum);
        if renamed.enums.contains_key(new_name) {
            continue;
        }
        let Some(mut enum_type) = renamed.enums.remove(&old_name) else {
            continue;
        };
        enum_type.name = new_name.clone();
        renamed.enums.insert(new_name.clone(), enum_type);
        follow_type_rename(&mut renamed, &old_name, new_name);
        changes.push(Change::RenameEnum {
            from: old_name,
            to: new_name.clone(),
            timing,
        });
    }

    for ((enum_name, new_value), old_value) in &directives.enum_value_renames {
        let Some(enum_type) = renamed.enums.get_mut(enum_name) else {
            continue;
        };
        if enum_type.values.contains(new_value) {
            continue;
        }
        let Some(slot) = enum_type
            .values
            .iter_mut()
            .find(|value| *value == old_value)
        else {
            continue;
        };
        *slot = new_value.clone();
        follow_label_rename(&mut renamed, enum_name, old_value, new_value);
        changes.push(Change::RenameEnumValue {
            enum_name: enum_name.clone(),
            from: old_value.clone(),
            to: new_value.clone(),
            timing,
        });
    }

    for (new_name, old_table) in &directives.table_renames {
        let old_name = QualifiedName::new(&new_name.schema, old_table);
        if renamed.tables.contains_key(new_name) {
            continue;
        }
        let Some(mut table) = renamed.tables.remove(&old_name) else {
            continue;
        };
        table.name = new_name.clone();
        renamed.tables.insert(new_name.clone(), table);
        follow_table_rename(&mut renamed, &old_name, new_name);
        changes.push(Change::RenameTable {
            from: old_name,
            to: new_name.clone(),
            timing,
        });
    }

    for ((table_name, new_column), old_column) in &directives.column_renames {
        let Some(table) = renamed.tables.get(table_name) else {
            continue;
        };
        if table.column(new_column).is_some() || table.column(old_column).is_none() {
            continue;
        }
        // PostgreSQL renames the column in every child too.
        let tree = crate::inheritance::descendants(&renamed, table_name);
        for member in &tree {
            if let Some(table) = renamed.tables.get_mut(member) {
                rename_column_within(table, old_column, new_column);
            }
            follow_column_rename(&mut renamed, member, old_column, new_column);
        }
        changes.push(Change::RenameColumn {
            table: table_name.clone(),
            from: old_column.clone(),
            to: new_column.clone(),
            timing,
        });
    }

    apply_object_renames(&mut renamed, desired, &mut changes);

    for ((table_name, new_constraint), old_constraint) in &directives.constraint_renames {
        let Some(table) = renamed.tables.get_mut(table_name) else {
            continue;
        };
        if rename_constraint_within(table, old_constraint, new_constraint) {
            changes.push(Change::RenameConstraint {
                table: table_name.clone(),
                from: old_constraint.clone(),
                to: new_constraint.clone(),
                timing,
            });
        }
    }

    for ((table_name, new_index), old_index) in &directives.index_renames {
        let Some(table) = renamed.tables.get_mut(table_name) else {
            continue;
        };
        if table.indexes.contains_key(new_index) {
            continue;
        }
        if let Some(mut index) = table.indexes.remove(old_index) {
            index.name = new_index.clone();
            table.indexes.insert(new_index.clone(), index);
            changes.push(Change::RenameIndex {
                table: table_name.clone(),
                from: old_index.clone(),
                to: new_index.clone(),
                timing,
            });
        }
    }
    (Cow::Owned(renamed), changes)
}

/// Hints for drops and adds that look like undeclared renames: a table dropped and one
/// created with the same columns, or a column dropped and one added with the same type.
pub fn suggestions(changes: &[Change]) -> Vec<String> {
    let mut hints = Vec::new();
    for change in changes {
        match change {
            Change::DropTable(dropped) => {
                for created in changes.iter().filter_map(|change| match change {
                    Change::CreateTable(created) => Some(created),
                    _ => None,
                }) {
                    if same_columns(dropped, created) {
                        hints.push(format!(
                            "table {} looks like a rename of {}: add `renamed_from: {}` to it to keep its rows",
                            created.name, dropped.name, dropped.name.name
                        ));
                    }
                }
            }
            Change::DropColumn {
                table,
                column: dropped,
                ..
            } => {
                for change in changes {
                    if let Change::AddColumn {
                        table: added_table,
                        column: added,
                        ..
                    } = change
                    {
                        if added_table == table && added.data_type == dropped.data_type {
                            hints.push(format!(
                                "column {table}.{} looks like a rename of {}: add `renamed_from: {}` to it to keep its values",
                                added.name, dropped.name, dropped.name
                            ));
                        }
                    }
                }
            }
            _ => {}
        }
    }
    hints
}

fn same_columns(left: &Table, right: &Table) -> bool {
    let signature = |table: &Table| {
        let mut columns: Vec<(String, String)> = table
            .columns
            .iter()
            .map(|column| (column.name.clone(), column.data_type.clone()))
            .collect();
        columns.sort();
        columns
    };
    !left.columns.is_empty() && signature(left) == signature(right)
}

/// After `ALTER TYPE ... RENAME`, columns of the type (and their defaults) name it anew.
/// Declared renames of triggers, policies, domains, collations, aggregates and range types,
/// after the tables'.
fn apply_object_renames(renamed: &mut Schema, desired: &Schema, changes: &mut Vec<Change>) {
    let directives = &desired.directives;
    let timing = RenameTiming::BeforeOtherChanges;
    for ((relation, new_trigger), old_trigger) in &directives.trigger_renames {
        let triggers = match (
            renamed.tables.get_mut(relation),
            renamed.views.get_mut(relation),
        ) {
            (Some(table), _) => &mut table.triggers,
            (None, Some(view)) => &mut view.triggers,
            (None, None) => continue,
        };
        if triggers.contains_key(new_trigger) {
            continue;
        }
        if let Some(mut trigger) = triggers.remove(old_trigger) {
            trigger.name = new_trigger.clone();
            triggers.insert(new_trigger.clone(), trigger);
            changes.push(Change::Rename(RenameChange::Trigger {
                relation: relation.clone(),
                from: old_trigger.clone(),
                to: new_trigger.clone(),
                timing,
            }));
        }
    }
    for ((table_name, new_policy), old_policy) in &directives.policy_renames {
        let Some(table) = renamed.tables.get_mut(table_name) else {
            continue;
        };
        if table.policies.contains_key(new_policy) {
            continue;
        }
        if let Some(mut policy) = table.policies.remove(old_policy) {
            policy.name = new_policy.clone();
            table.policies.insert(new_policy.clone(), policy);
            changes.push(Change::Rename(RenameChange::Policy {
                table: table_name.clone(),
                from: old_policy.clone(),
                to: new_policy.clone(),
                timing,
            }));
        }
    }
    for (new_name, old_domain) in &directives.domain_renames {
        let old_name = QualifiedName::new(&new_name.schema, old_domain);
        if renamed.domains.contains_key(new_name) {
            continue;
        }
        let Some(mut domain) = renamed.domains.remove(&old_name) else {
            continue;
        };
        domain.name = new_name.clone();
        renamed.domains.insert(new_name.clone(), domain);
        follow_type_rename(renamed, &old_name, new_name);
        changes.push(Change::Rename(RenameChange::Domain {
            from: old_name,
            to: new_name.clone(),
            timing,
        }));
    }
    for (new_name, old_collation) in &directives.collation_renames {
        let old_name = QualifiedName::new(&new_name.schema, old_collation);
        if renamed.collations.contains_key(new_name) {
            continue;
        }
        let Some(mut collation) = renamed.collations.remove(&old_name) else {
            continue;
        };
        collation.name = new_name.clone();
        renamed.collations.insert(new_name.clone(), collation);
        renamed.follow_collation_rename(&old_name, new_name);
        changes.push(Change::Rename(RenameChange::Collation {
            from: old_name,
            to: new_name.clone(),
            timing,
        }));
    }
    // Types first: an aggregate is keyed by its argument types, under their new names.
    for (new_name, old_range) in &directives.range_renames {
        if let Some(change) = rename_range(renamed, desired, new_name, old_range) {
            changes.push(Change::Rename(change));
        }
    }
    for (new_key, old_aggregate) in &directives.aggregate_renames {
        let old_key = FunctionName {
            name: old_aggregate.clone(),
            ..new_key.clone()
        };
        let taken = |key: &FunctionName| {
            renamed.aggregates.contains_key(key) || renamed.functions.contains_key(key)
        };
        if taken(new_key) {
            continue;
        }
        let Some(mut aggregate) = renamed.aggregates.remove(&old_key) else {
            continue;
        };
        aggregate.name = new_key.clone();
        renamed.aggregates.insert(new_key.clone(), aggregate);
        changes.push(Change::Rename(RenameChange::Aggregate {
            from: old_key,
            to: new_key.clone(),
            timing,
        }));
    }
}

/// Renames range type `old_name` to `new_name` in `renamed`. PostgreSQL keeps the multirange
/// type's name, so it is renamed too when `desired` names it otherwise in the same schema
/// and the name is free. A range "renamed" to its own name has only its multirange renamed
/// (the interpreter journals `ALTER TYPE multirange RENAME TO` so).
fn rename_range(
    renamed: &mut Schema,
    desired: &Schema,
    new_name: &QualifiedName,
    old_range: &str,
) -> Option<RenameChange> {
    let old_name = QualifiedName::new(&new_name.schema, old_range);
    if old_name != *new_name && renamed.ranges.contains_key(new_name) {
        return None;
    }
    let mut range = renamed.ranges.remove(&old_name)?;
    let kept = range.multirange_name();
    let wanted = desired
        .ranges
        .get(new_name)
        .map_or_else(|| kept.clone(), |range| range.multirange_name());
    let type_taken = |name: &QualifiedName| {
        renamed.enums.contains_key(name)
            || renamed.domains.contains_key(name)
            || renamed.composite_types.contains_key(name)
            || renamed.ranges.contains_key(name)
            || renamed
                .ranges
                .values()
                .any(|range| range.multirange_name() == *name)
            || renamed.tables.contains_key(name)
            || renamed.views.contains_key(name)
    };
    let multirange = (wanted != kept && wanted.schema == kept.schema && !type_taken(&wanted))
        .then(|| (kept.clone(), wanted.clone()));
    if old_name == *new_name && multirange.is_none() {
        renamed.ranges.insert(old_name, range);
        return None;
    }
    let multirange_name = multirange.as_ref().map_or(kept, |(_, to)| to.clone());
    range.name = new_name.clone();
    range.multirange =
        Some(multirange_name.clone()).filter(|name| *name != default_multirange(new_name));
    renamed.ranges.insert(new_name.clone(), range);
    follow_type_rename(renamed, &old_name, new_name);
    if let Some((from, to)) = &multirange {
        follow_type_rename(renamed, from, to);
    }
    Some(RenameChange::Range {
        from: old_name,
        to: new_name.clone(),
        multirange,
        timing: RenameTiming::BeforeOtherChanges,
    })
}

fn rename_constraint_within(table: &mut Table, old: &str, new: &str) -> bool {
    let taken = table
        .primary_key
        .as_ref()
        .is_some_and(|key| key.name == new)
        || table.uniques.contains_key(new)
        || table.foreign_keys.contains_key(new)
        || table.checks.contains_key(new)
        || table.exclusions.contains_key(new);
    if taken {
        return false;
    }
    if let Some(primary_key) = table.primary_key.as_mut().filter(|key| key.name == old) {
        primary_key.name = new.to_string();
        return true;
    }
    if let Some(mut unique) = table.uniques.remove(old) {
        unique.name = new.to_string();
        table.uniques.insert(new.to_string(), unique);
        return true;
    }
    if let Some(mut foreign_key) = table.foreign_keys.remove(old) {
        foreign_key.name = new.to_string();
        table.foreign_keys.insert(new.to_string(), foreign_key);
        return true;
    }
    if let Some(mut check) = table.checks.remove(old) {
        check.name = new.to_string();
        table.checks.insert(new.to_string(), check);
        return true;
    }
    if let Some(mut exclusion) = table.exclusions.remove(old) {
        exclusion.name = new.to_string();
        table.exclusions.insert(new.to_string(), exclusion);
        return true;
    }
    false
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Expr;

    fn replayed(sql: &str) -> Schema {
        let mut interpreter = crate::ddl::Interpreter::new();
        interpreter
            .run(sql, std::path::Path::new("test.sql"))
            .expect("the SQL replays");
        interpreter.schema()
    }

    /// What reads a renamed table and column reads it by oid: with the query PostgreSQL
    /// prints after the renames, the view stays; with its output column renamed too, it is
    /// rebuilt as any changed view.
    #[test]
    fn views_follow_declared_renames() {
        let current = replayed(
            "CREATE TABLE t (id integer, a integer);
             CREATE VIEW v AS SELECT t.id, t.a FROM t WHERE t.a > 0;",
        );
        let desired_with = |query: &str| {
            let mut desired = replayed(&format!(
                "CREATE TABLE u (id integer, b integer); CREATE VIEW v AS {query};"
            ));
            let directives = &mut desired.directives;
            let u = QualifiedName::new("public", "u");
            directives.table_renames.insert(u.clone(), "t".to_string());
            directives
                .column_renames
                .insert((u, "b".to_string()), "a".to_string());
            desired
        };
        let kept = desired_with("SELECT u.id, u.b AS a FROM u WHERE u.b > 0");
        let (renamed, _) = apply(&current, &kept);
        let view = &renamed.views[&QualifiedName::new("public", "v")];
        assert_eq!(
            view.definition,
            Expr::new("SELECT u.id, u.b AS a FROM u WHERE u.b > 0")
        );
        let changes = crate::diff::diff(&current, &kept);
        assert!(
            changes.iter().all(|change| matches!(
                change,
                Change::RenameTable { .. } | Change::RenameColumn { .. }
            )),
            "{changes:?}"
        );
        let output_renamed = desired_with("SELECT u.id, u.b FROM u WHERE u.b > 0");
        let changes = crate::diff::diff(&current, &output_renamed);
        assert!(
            changes
                .iter()
                .any(|change| matches!(change, Change::CreateView(view) if view.name.name == "v")),
            "{changes:?}"
        );
    }

    /// PostgreSQL holds routines by the oids of their types: after a declared type rename
    /// the offline interpreter (`ALTER TYPE ... RENAME TO`) and the diff both read the
    /// functions and aggregates over it, their keys and grants under the new name, so the
    /// plan is the rename alone.
    #[test]
    fn routines_follow_declared_type_renames() {
        let setup = "CREATE TYPE mood AS ENUM ('sad', 'happy');
             CREATE FUNCTION cheer(m mood DEFAULT 'sad'::mood) RETURNS SETOF mood[]
               LANGUAGE sql RETURN ARRAY[m, 'happy'::mood];
             GRANT EXECUTE ON FUNCTION cheer(mood) TO reader;
             CREATE AGGREGATE happiest(mood) (SFUNC = enum_larger, STYPE = mood);";
        let current = replayed(setup);
        let mut desired = replayed(&format!("{setup} ALTER TYPE mood RENAME TO feeling;"));
        let feeling = QualifiedName::new("public", "feeling");
        let key = |name: &str| FunctionName {
            schema: "public".to_string(),
            name: name.to_string(),
            argument_types: vec!["feeling".to_string()],
        };
        let cheer = &desired.functions[&key("cheer")];
        assert_eq!(
            cheer.body,
            crate::model::FunctionBody::Sql("RETURN ARRAY[m, 'happy'::feeling]".to_string())
        );
        assert!(desired.aggregates.contains_key(&key("happiest")));
        assert!(desired
            .privileges
            .contains_key(&crate::model::PrivilegeObject::Function(key("cheer"))));
        desired
            .directives
            .enum_renames
            .insert(feeling, "mood".to_string());
        let migration = crate::generate(&current, &desired);
        assert_eq!(
            migration.up.to_text(),
            "ALTER TYPE public.mood RENAME TO feeling;\n"
        );
        assert_eq!(
            migration.down.to_text(),
            "ALTER TYPE public.feeling RENAME TO mood;\n"
        );
    }
}
