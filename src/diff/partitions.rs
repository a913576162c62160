//! Partitioning and inheritance in the diff: a table joining or leaving a parent
//! (`ATTACH` / `DETACH PARTITION`, `INHERIT` / `NO INHERIT`) keeps its rows, a changed
//! partition key rebuilds the table, and a child's own column attributes are compared with
//! what its parents' changes already give it (PostgreSQL recurses those).
//!
//! A table changes its place in a hierarchy in three steps: it leaves (what it had from the
//! parent becomes its own: `standalone_form`), changes as a plain table into what it must be
//! to join, and joins (what matches the new parent's becomes the parent's). The middle step
//! is the ordinary table diff, so the way back is its inverse. Pure; no SQL text.

use std::collections::{BTreeMap, BTreeSet};

use super::standalone::{adopt_matching, standalone_form};
use super::tables::diff_table;
use super::{Change, Hazard, LockMode};
use crate::inheritance::{checks_for_children, effective_columns, expected_partition_column};
use crate::model::Constraint;
use crate::model::{
    storage_type, Column, Directives, IndexTarget, ObjectRef, PartitionBound, PartitionOf,
    QualifiedName, Schema, Table,
};
use crate::references::mentions;

/// A change to a table's place in a partition tree or inheritance hierarchy. (The column
/// variant is large, briefly, like `Change::AlterColumn`.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionChange {
    /// `ALTER TABLE parent ATTACH PARTITION t FOR VALUES ...`
    Attach {
        table: QualifiedName,
        partition_of: PartitionOf,
    },
    /// `ALTER TABLE parent DETACH PARTITION t`
    Detach {
        table: QualifiedName,
        partition_of: PartitionOf,
    },
    /// `ALTER TABLE t INHERIT parent`
    Inherit {
        table: QualifiedName,
        parent: QualifiedName,
    },
    /// `ALTER TABLE t NO INHERIT parent`
    NoInherit {
        table: QualifiedName,
        parent: QualifiedName,
    },
    /// `ALTER TABLE t ALTER COLUMN c ...` for what a child sets itself on a column its
    /// parent's change reaches first: `reached` is the child's column once the parent's
    /// change recursed to it, `reached_back` once the parent's change back did (from `to`);
    /// `None` where the column is not there.
    AlterInheritedColumn {
        table: QualifiedName,
        from: Column,
        to: Column,
        reached: Option<Column>,
        reached_back: Option<Column>,
    },
}

impl PartitionChange {
    pub fn inverse(&self) -> PartitionChange {
        match self.clone() {
            PartitionChange::Attach {
                table,
                partition_of,
            } => PartitionChange::Detach {
                table,
                partition_of,
            },
            PartitionChange::Detach {
                table,
                partition_of,
            } => PartitionChange::Attach {
                table,
                partition_of,
            },
            PartitionChange::Inherit { table, parent } => {
                PartitionChange::NoInherit { table, parent }
            }
            PartitionChange::NoInherit { table, parent } => {
                PartitionChange::Inherit { table, parent }
            }
            PartitionChange::AlterInheritedColumn {
                table,
                from,
                to,
                reached,
                reached_back,
            } => PartitionChange::AlterInheritedColumn {
                table,
                from: to,
                to: from,
                reached: reached_back,
                reached_back: reached,
            },
        }
    }

    pub fn table(&self) -> &QualifiedName {
        match self {
            PartitionChange::Attach { table, .. }
            | PartitionChange::Detach { table, .. }
            | PartitionChange::Inherit { table, .. }
            | PartitionChange::NoInherit { table, .. }
            | PartitionChange::AlterInheritedColumn { table, .. } => table,
        }
    }

    /// The parent the change attaches to or detaches from.
    pub fn parent(&self) -> Option<&QualifiedName> {
        match self {
            PartitionChange::Attach { partition_of, .. }
            | PartitionChange::Detach { partition_of, .. } => Some(&partition_of.parent),
            PartitionChange::Inherit { parent, .. } | PartitionChange::NoInherit { parent, .. } => {
                Some(parent)
            }
            PartitionChange::AlterInheritedColumn { .. } => None,
        }
    }

    pub fn object(&self) -> ObjectRef {
        match self {
            PartitionChange::AlterInheritedColumn { table, to, .. } => {
                ObjectRef::Column(table.clone(), to.name.clone())
            }
            other => ObjectRef::Table(other.table().clone()),
        }
    }

    pub fn summary(&self) -> String {
        let object = self.object();
        match self {
            PartitionChange::Attach { partition_of, .. } => {
                format!("attached {object} to {}", partition_of.parent)
            }
            PartitionChange::Detach { partition_of, .. } => {
                format!("detached {object} from {}", partition_of.parent)
            }
            PartitionChange::Inherit { parent, .. } => format!("{object} now inherits {parent}"),
            PartitionChange::NoInherit { parent, .. } => {
                format!("{object} no longer inherits {parent}")
            }
            PartitionChange::AlterInheritedColumn { .. } => format!("altered {object}"),
        }
    }
}

impl PartitionChange {
    /// The locks and scans of the change (see `Change::hazards`).
    pub(super) fn hazards(&self, hazards: &mut Vec<Hazard>) {
        let lock = |lock: LockMode, table: String| Hazard::Lock { lock, table };
        match self {
            PartitionChange::Attach {
                table,
                partition_of,
            } => {
                hazards.push(lock(LockMode::AccessExclusive, table.to_string()));
                hazards.push(lock(
                    LockMode::ShareUpdateExclusive,
                    partition_of.parent.to_string(),
                ));
                hazards.push(Hazard::FullTableScan(format!(
                    "{table}, to check its rows against the bound, unless a CHECK constraint \
                     implies it"
                )));
                if may_take_default_rows(&partition_of.bound) {
                    hazards.push(Hazard::FullTableScan(format!(
                        "the default partition of {}, if any",
                        partition_of.parent
                    )));
                }
            }
            PartitionChange::Detach {
                table,
                partition_of,
            } => hazards.push(lock(
                LockMode::AccessExclusive,
                format!("{table} and {}", partition_of.parent),
            )),
            // The parent: SHARE UPDATE EXCLUSIVE to gain a child, ACCESS SHARE (no hazard)
            // to lose one (checked against `pg_locks`).
            PartitionChange::Inherit { table, parent } => {
                hazards.push(lock(LockMode::AccessExclusive, table.to_string()));
                hazards.push(lock(LockMode::ShareUpdateExclusive, parent.to_string()));
            }
            PartitionChange::NoInherit { table, .. } => {
                hazards.push(lock(LockMode::AccessExclusive, table.to_string()))
            }
            PartitionChange::AlterInheritedColumn {
                table, to, reached, ..
            } => {
                if reached.as_ref().is_some_and(|reached| reached != to) {
                    hazards.push(lock(LockMode::AccessExclusive, table.to_string()));
                }
                if reached
                    .as_ref()
                    .is_some_and(|reached| reached.nullable && !to.nullable)
                {
                    hazards.push(Hazard::FullTableScan(table.to_string()));
                }
            }
        }
    }
}

/// `CREATE TABLE ... PARTITION OF` locks the parent, and scans its default partition for
/// rows the new bound takes.
pub(super) fn partition_created(partition_of: &PartitionOf, hazards: &mut Vec<Hazard>) {
    hazards.push(Hazard::Lock {
        lock: LockMode::AccessExclusive,
        table: partition_of.parent.to_string(),
    });
    if may_take_default_rows(&partition_of.bound) {
        hazards.push(Hazard::FullTableScan(format!(
            "the default partition of {}, if any",
            partition_of.parent
        )));
    }
}

/// Whether the parent may have a default partition holding rows the bound takes: not for
/// the default partition itself, nor under a hash-partitioned parent, which has none.
fn may_take_default_rows(bound: &PartitionBound) -> bool {
    !matches!(bound, PartitionBound::Default | PartitionBound::Hash { .. })
}

/// Desired tables, parents before their children, so that a child's changes come after
/// the changes of its parents that PostgreSQL recurses to it.
pub(super) fn parents_first(schema: &Schema) -> Vec<&Table> {
    let mut ordered: Vec<&Table> = Vec::new();
    let mut placed: BTreeSet<&QualifiedName> = BTreeSet::new();
    fn place<'s>(
        table: &'s Table,
        schema: &'s Schema,
        placed: &mut BTreeSet<&'s QualifiedName>,
        ordered: &mut Vec<&'s Table>,
    ) {
        if !placed.insert(&table.name) {
            return;
        }
        for parent in table.parents() {
            if let Some(parent) = schema.tables.get(parent) {
                place(parent, schema, placed, ordered);
            }
        }
        ordered.push(table);
    }
    for table in schema.tables.values() {
        place(table, schema, &mut placed, &mut ordered);
    }
    ordered
}

/// Tables whose partition key changes cannot be altered: they are dropped and created
/// again with everything below them. Returns the names so handled.
pub(super) fn rebuild_repartitioned(
    current: &Schema,
    desired: &Schema,
    changes: &mut Vec<Change>,
) -> BTreeSet<QualifiedName> {
    let mut rebuilt = BTreeSet::new();
    for (name, desired_table) in &desired.tables {
        let Some(current_table) = current.tables.get(name) else {
            continue;
        };
        let inheritance_unreachable = joins_by_inherit(current_table, desired_table)
            && !inherit_reaches(desired, desired_table)
            && !fits_parents(desired, current_table, desired_table);
        if current_table.partition_by == desired_table.partition_by
            && !inheritance_unreachable
            && !key_retyped(current, current_table, desired, desired_table)
        {
            continue;
        }
        for below in crate::inheritance::descendants(current, name) {
            rebuilt.insert(below);
        }
    }
    for name in &rebuilt {
        if let Some(table) = current.tables.get(name) {
            changes.push(Change::DropTable(table.clone()));
        }
        if let Some(table) = desired.tables.get(name) {
            changes.push(Change::CreateTable(table.clone()));
        }
    }
    rebuilt
}

/// Whether a column the partition key reads changes its stored type or collation, which
/// PostgreSQL refuses in place (`ALTER COLUMN ... TYPE` on a key column, or on a parent
/// whose partition keys it).
fn key_retyped(current: &Schema, current_table: &Table, desired: &Schema, table: &Table) -> bool {
    let Some(key) = &current_table.partition_by else {
        return false;
    };
    let before = effective_columns(current, current_table);
    let after = effective_columns(desired, table);
    before.iter().any(|column| {
        let read = key
            .columns
            .iter()
            .any(|key_column| match &key_column.target {
                IndexTarget::Column(name) => *name == column.name,
                IndexTarget::Expression(expression) => mentions(expression.as_str(), &column.name),
            });
        read && after.iter().any(|new| {
            new.name == column.name
                && (storage_type(&new.data_type) != storage_type(&column.data_type)
                    || new.collation != column.collation)
        })
    })
}

/// Whether the table gains inheritance parents it did not have.
fn joins_by_inherit(current: &Table, desired: &Table) -> bool {
    desired
        .inherits
        .iter()
        .any(|parent| !current.inherits.contains(parent))
}

/// `INHERIT` leaves every column and check the table had as its own, so it reaches a child
/// only when the file declares all of them on it too.
fn inherit_reaches(desired: &Schema, table: &Table) -> bool {
    let standalone = standalone_form(desired, table);
    standalone.columns == table.columns && standalone.checks == table.checks
}

/// Whether the table already has what `INHERIT` needs of each parent it joins (PostgreSQL
/// refuses it otherwise): every column the parent passes on, of the same type and collation
/// and generated alike, NOT NULL where the parent's is, and every check it passes on, under
/// its name and with its definition. Those become inherited as they are, which the diff
/// reads as the child not declaring them (`own_checks`), so the rows stay.
fn fits_parents(desired: &Schema, current: &Table, desired_table: &Table) -> bool {
    let joined = desired_table
        .inherits
        .iter()
        .filter(|parent| !current.inherits.contains(parent));
    joined.into_iter().all(|parent| {
        let Some(parent_table) = desired.tables.get(parent) else {
            return false;
        };
        let columns_fit = effective_columns(desired, parent_table)
            .iter()
            .all(|wanted| {
                current.column(&wanted.name).is_some_and(|column| {
                    column.data_type == wanted.data_type
                        && column.collation == wanted.collation
                        && column.generated == wanted.generated
                        && (!column.nullable || wanted.nullable)
                })
            });
        columns_fit
            && checks_for_children(desired, parent).iter().all(|wanted| {
                current
                    .checks
                    .get(&wanted.name)
                    .is_some_and(|check| check.same_definition(wanted) && !check.no_inherit)
            })
    })
}

/// An inheritance child without the checks it holds as its parents pass them on: PostgreSQL
/// merges a child's own check into the inherited one of its name (`INHERIT` does, and
/// `ADD CONSTRAINT` on the child), and cannot make it inherited only again.
fn own_checks(schema: &Schema, table: Table) -> Table {
    let mut table = table;
    for parent in table.inherits.clone() {
        for inherited in checks_for_children(schema, &parent) {
            if table
                .checks
                .get(&inherited.name)
                .is_some_and(|check| check.same_definition(&inherited))
            {
                table.checks.remove(&inherited.name);
            }
        }
    }
    table
}

/// The changes of one table found in both schemas.
pub(super) fn diff_member(
    current: &Schema,
    desired: &Schema,
    current_table: &Table,
    desired_table: &Table,
    directives: &Directives,
    changes: &mut Vec<Change>,
) {
    let same_place = current_table.partition_of == desired_table.partition_of
        && current_table.inherits == desired_table.inherits;
    if same_place {
        if current_table.parents().is_empty() {
            diff_table(current_table, desired_table, directives, changes);
            return;
        }
        let without_columns = |table: &Table| Table {
            columns: Vec::new(),
            ..table.clone()
        };
        diff_table(
            &own_checks(current, without_columns(current_table)),
            &own_checks(desired, without_columns(desired_table)),
            directives,
            changes,
        );
        changes.extend(child_column_changes(
            current,
            desired,
            current_table,
            desired_table,
        ));
        return;
    }
    let name = &desired_table.name;
    let mut leaving = current_table.clone();
    if let Some(partition_of) = &current_table.partition_of {
        changes.push(Change::Partition(PartitionChange::Detach {
            table: name.clone(),
            partition_of: partition_of.clone(),
        }));
        leaving = standalone_form(current, current_table);
    }
    for parent in &current_table.inherits {
        if !desired_table.inherits.contains(parent) {
            changes.push(Change::Partition(PartitionChange::NoInherit {
                table: name.clone(),
                parent: parent.clone(),
            }));
        }
    }
    if !current_table.inherits.is_empty() {
        leaving = standalone_form(current, current_table);
    }
    let joining = match desired_table.parents().is_empty() {
        true => desired_table.clone(),
        false => adopt_matching(
            standalone_form(desired, desired_table),
            desired_table,
            &leaving,
        ),
    };
    diff_table(&leaving, &joining, directives, changes);
    if let Some(partition_of) = &desired_table.partition_of {
        changes.push(Change::Partition(PartitionChange::Attach {
            table: name.clone(),
            partition_of: partition_of.clone(),
        }));
    }
    for parent in &desired_table.inherits {
        if !current_table.inherits.contains(parent) {
            changes.push(Change::Partition(PartitionChange::Inherit {
                table: name.clone(),
                parent: parent.clone(),
            }));
        }
    }
}

/// A child's columns, compared with what its parents' changes give it: PostgreSQL
/// recurses type, default, NOT NULL and generation changes and added and dropped columns to
/// every child, so only what the child sets itself, or declares on its own, is left.
fn child_column_changes(
    current: &Schema,
    desired: &Schema,
    current_table: &Table,
    desired_table: &Table,
) -> Vec<Change> {
    let table = &desired_table.name;
    let current_columns = effective_columns(current, current_table);
    let desired_columns = effective_columns(desired, desired_table);
    let current_inherited = parent_columns(current, current_table);
    let desired_inherited = parent_columns(desired, desired_table);
    let is_partition = desired_table.partition_of.is_some();
    // An inheritance child's own declaration keeps a column its parent drops.
    let declared = |table: &Table, name: &str| !is_partition && table.column(name).is_some();
    let find = |columns: &[Column], name: &str| columns.iter().find(|c| c.name == name).cloned();
    let mut changes = Vec::new();
    for to in &desired_columns {
        let from = find(&current_columns, &to.name);
        let parent_before = current_inherited.get(&to.name);
        let parent_after = desired_inherited.get(&to.name);
        let left_to_child = parent_after.is_none()
            && parent_before
                .is_some_and(|(parent, _)| drops_only(current, desired, parent, &to.name));
        if parent_before.is_none() && parent_after.is_none() || left_to_child {
            changes.extend(own_column_change(table, from.as_ref(), to));
            continue;
        }
        let reached = reach(
            parent_before,
            parent_after,
            from.as_ref(),
            declared(current_table, &to.name),
            is_partition,
        );
        let reached_back = reach(
            parent_after,
            parent_before,
            Some(to),
            declared(desired_table, &to.name),
            is_partition,
        );
        let Some(reached_column) = &reached else {
            changes.push(Change::AddColumn {
                table: table.clone(),
                column: to.clone(),
                backfill: None,
                checked_domain: false,
            });
            continue;
        };
        let back_differs = from.is_some() && reached_back.as_ref() != from.as_ref();
        if reached_column != to || back_differs {
            changes.push(Change::Partition(PartitionChange::AlterInheritedColumn {
                table: table.clone(),
                from: from.unwrap_or_else(|| reached_column.clone()),
                to: to.clone(),
                reached,
                reached_back,
            }));
        }
    }
    for from in &current_columns {
        if find(&desired_columns, &from.name).is_some() {
            continue;
        }
        let parent_drops = current_inherited.get(&from.name).filter(|_| {
            !desired_inherited.contains_key(&from.name) && !declared(current_table, &from.name)
        });
        let left_by_parent = parent_drops
            .is_some_and(|(parent, _)| drops_only(current, desired, parent, &from.name));
        if parent_drops.is_none() || left_by_parent {
            changes.push(Change::DropColumn {
                table: table.clone(),
                column: from.clone(),
                backfill: None,
                checked_domain: false,
                only: false,
                left_by_parent,
            });
        }
    }
    changes
}

/// Whether `parent` drops its own `column` with `ALTER TABLE ONLY`, which leaves the column
/// to its inheritance children as their own, values and all (a plain drop takes it from a
/// child that only inherits it): so where the file still declares it on a child that stays.
pub(super) fn drops_only(
    current: &Schema,
    desired: &Schema,
    parent: &QualifiedName,
    column: &str,
) -> bool {
    let declared_before = current
        .tables
        .get(parent)
        .is_some_and(|table| table.column(column).is_some());
    let kept = desired.tables.get(parent).is_some_and(|table| {
        effective_columns(desired, table)
            .iter()
            .any(|c| c.name == column)
    });
    declared_before
        && !kept
        && current.tables.values().any(|child| {
            child.inherits.contains(parent)
                && desired.tables.get(&child.name).is_some_and(|stays| {
                    stays.inherits == child.inherits && stays.column(column).is_some()
                })
        })
}

/// A column no parent has: the ordinary add or alter.
fn own_column_change(table: &QualifiedName, from: Option<&Column>, to: &Column) -> Option<Change> {
    match from {
        None => Some(Change::AddColumn {
            table: table.clone(),
            column: to.clone(),
            backfill: None,
            checked_domain: false,
        }),
        Some(from) if from != to => Some(Change::AlterColumn {
            table: table.clone(),
            from: from.clone(),
            to: to.clone(),
            hints: Default::default(),
            inverse_hints: Default::default(),
        }),
        Some(_) => None,
    }
}

/// A child's column once its parent's column went from `parent_from` to `parent_to` (each
/// `None` where the parent lacks it), starting from `own`: gone with the parent's unless
/// the child declares it, a fresh copy of a column the parent gains (an inheritance child's
/// own one merges), else `own` with what moved on the parent.
fn reach(
    parent_from: Option<&(QualifiedName, Column)>,
    parent_to: Option<&(QualifiedName, Column)>,
    own: Option<&Column>,
    own_declared: bool,
    is_partition: bool,
) -> Option<Column> {
    match (parent_from, parent_to, own) {
        (_, None, own) => own.filter(|_| own_declared).cloned(),
        (Some((_, before)), Some((_, after)), Some(own)) => Some(recursed(before, after, own)),
        (_, Some(_), Some(own)) if own_declared => Some(own.clone()),
        (_, Some((parent, after)), _) if is_partition => {
            Some(expected_partition_column(parent, after, &[]))
        }
        (_, Some((_, after)), _) => Some(Column {
            comment: None,
            ..after.clone()
        }),
    }
}

/// Whether `table` has `column` from a parent, which then decides its type.
pub(super) fn is_inherited(schema: &Schema, table: &Table, column: &str) -> bool {
    !table.parents().is_empty() && parent_columns(schema, table).contains_key(column)
}

/// The columns a child takes from its parents, by name, with the parent each comes from.
fn parent_columns(schema: &Schema, table: &Table) -> BTreeMap<String, (QualifiedName, Column)> {
    let mut columns = BTreeMap::new();
    for parent in table.parents() {
        let Some(parent_table) = schema.tables.get(parent) else {
            continue;
        };
        for column in effective_columns(schema, parent_table) {
            columns
                .entry(column.name.clone())
                .or_insert((parent.clone(), column));
        }
    }
    columns
}

/// A child's column once a parent's column change from `before` to `after` has recursed
/// to it: what moved on the parent moves on the child, the rest stays the child's.
fn recursed(before: &Column, after: &Column, own: &Column) -> Column {
    let mut column = own.clone();
    if before.data_type != after.data_type || before.collation != after.collation {
        column.data_type = crate::model::storage_type(&after.data_type).to_string();
        column.collation = after.collation.clone();
    }
    if before.default != after.default {
        column.default = after.default.clone();
    }
    if before.nullable != after.nullable {
        column.nullable = after.nullable;
    }
    if before.generated != after.generated {
        column.generated = after.generated.clone();
    }
    column
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(sql: &str) -> Schema {
        crate::ddl::replay([(std::path::Path::new("t.sql"), sql)]).expect("the SQL replays")
    }

    #[test]
    fn a_table_joins_with_inherit_only_where_postgres_accepts_it() {
        let parent = "CREATE TABLE vehicles (id integer NOT NULL, name text,
                          CONSTRAINT vehicles_name_check CHECK (name <> ''));";
        let check = "CONSTRAINT vehicles_name_check CHECK (name <> '')";
        let current = replay(&format!(
            "{parent}
             CREATE TABLE fits (id integer NOT NULL, name text, x integer, {check});
             CREATE TABLE other_type (id bigint NOT NULL, name text, x integer, {check});
             CREATE TABLE nullable (id integer, name text, x integer, {check});
             CREATE TABLE no_check (id integer NOT NULL, name text, x integer);"
        ));
        let desired = replay(&format!(
            "{parent}
             CREATE TABLE fits (x integer) INHERITS (vehicles);
             CREATE TABLE other_type (x integer) INHERITS (vehicles);
             CREATE TABLE nullable (x integer) INHERITS (vehicles);
             CREATE TABLE no_check (x integer) INHERITS (vehicles);"
        ));
        let changes = super::super::diff(&current, &desired);
        let rebuilt: BTreeSet<&str> = changes
            .iter()
            .filter_map(|change| match change {
                Change::DropTable(table) => Some(table.name.name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(
            rebuilt,
            BTreeSet::from(["no_check", "nullable", "other_type"])
        );
        assert!(changes.iter().any(|change| matches!(change,
            Change::Partition(PartitionChange::Inherit { table, .. }) if table.name == "fits")));
        // Once joined, nothing is left to change.
        let joined = replay(&format!(
            "{parent}
             CREATE TABLE fits (id integer NOT NULL, name text, x integer, {check});
             ALTER TABLE fits INHERIT vehicles;"
        ));
        let only_fits = |schema: &Schema| {
            let mut schema = schema.clone();
            schema
                .tables
                .retain(|name, _| ["fits", "vehicles"].contains(&name.name.as_str()));
            schema
        };
        assert!(super::super::diff(&joined, &only_fits(&desired)).is_empty());
    }
}
