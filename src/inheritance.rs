//! What a partition or inheritance child takes from its parents, and so what the model
//! leaves out of it: one implementation of PostgreSQL's rules, shared by the catalog and the
//! interpreter (which both hold every column a child has, as `pg_attribute` does, and keep
//! what the child declares), the schema file's lowering and the diff (which need the
//! columns a child really has).
//!
//! Pure; no SQL is run or rendered here.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    storage_type, CheckConstraint, Column, Expr, ForeignKey, QualifiedName, Schema, Table,
    UnmanagedObject,
};
use crate::syntax::names::make_object_name;
use crate::syntax::quote;

/// Every column `table` has in the database: for a partition its parent's, as the
/// partition holds them; for an inheritance child its parents' (in their order) merged
/// with its own, new ones last, as PostgreSQL orders them.
pub fn effective_columns(schema: &Schema, table: &Table) -> Vec<Column> {
    effective_columns_within(schema, table, &mut BTreeSet::new())
}

fn effective_columns_within(
    schema: &Schema,
    table: &Table,
    visiting: &mut BTreeSet<QualifiedName>,
) -> Vec<Column> {
    // A cycle is refused where schemas are read; here it only ends the walk.
    if !visiting.insert(table.name.clone()) {
        return table.columns.clone();
    }
    let own_key = own_key_columns(table);
    let mut columns: Vec<Column> = Vec::new();
    for parent_name in table.parents() {
        let Some(parent) = schema.tables.get(parent_name) else {
            continue;
        };
        for parent_column in effective_columns_within(schema, parent, visiting) {
            if columns
                .iter()
                .any(|column| column.name == parent_column.name)
            {
                continue;
            }
            let declared = table.column(&parent_column.name).cloned();
            columns.push(match (declared, &table.partition_of) {
                (Some(declared), _) => declared,
                (None, Some(_)) => expected_partition_column(parent_name, &parent_column, &own_key),
                (None, None) => inherited_column(&parent_column),
            });
        }
    }
    for column in &table.columns {
        if !columns.iter().any(|known| known.name == column.name) {
            columns.push(column.clone());
        }
    }
    visiting.remove(&table.name);
    columns
}

/// The tables that name `parent` as partition parent or inheritance parent.
pub fn children_of<'s>(schema: &'s Schema, parent: &QualifiedName) -> Vec<&'s Table> {
    schema
        .tables
        .values()
        .filter(|table| table.parents().contains(&parent))
        .collect()
}

/// `parent` and every table below it, parents before children.
pub fn descendants(schema: &Schema, parent: &QualifiedName) -> Vec<QualifiedName> {
    let mut found = vec![parent.clone()];
    let mut next = 0;
    while let Some(name) = found.get(next).cloned() {
        next += 1;
        for child in children_of(schema, &name) {
            if !found.contains(&child.name) {
                found.push(child.name.clone());
            }
        }
    }
    found
}

/// Keeps in each child table only the columns it declares, given every column the server
/// holds for it: a partition's columns that differ from what it takes from its parent, an
/// inheritance child's columns but the `inherited_only` ones (not `attislocal`). An
/// inheritance child's attributes of its own on a column it only inherits (a default or NOT
/// NULL set with `ALTER TABLE ONLY`), which the model cannot hold, are reported unmanaged.
pub fn keep_declared_columns(
    schema: &mut Schema,
    inherited_only: &BTreeSet<(QualifiedName, String)>,
) {
    // Only parents' columns are compared, and copying every table's would double the
    // model at the moment it is largest.
    let parent_names: BTreeSet<&QualifiedName> =
        schema.tables.values().flat_map(Table::parents).collect();
    let full: BTreeMap<QualifiedName, Vec<Column>> = parent_names
        .into_iter()
        .filter_map(|name| Some((name.clone(), schema.tables.get(name)?.columns.clone())))
        .collect();
    let mut undeclarable = Vec::new();
    for table in schema.tables.values_mut() {
        let own_key = own_key_columns(table);
        let parents: Vec<QualifiedName> = table.parents().into_iter().cloned().collect();
        let of_parent = |name: &str| {
            parents.iter().find_map(|parent| {
                let column = full
                    .get(parent)?
                    .iter()
                    .find(|column| column.name == name)?;
                Some((parent, column))
            })
        };
        let table_name = table.name.clone();
        let is_partition = table.partition_of.is_some();
        table
            .columns
            .retain(|column| match of_parent(&column.name) {
                None => true,
                Some((parent, parent_column)) if is_partition => {
                    *column != expected_partition_column(parent, parent_column, &own_key)
                }
                Some((_, parent_column)) => {
                    let key = (table_name.clone(), column.name.clone());
                    if !inherited_only.contains(&key) {
                        return true;
                    }
                    if *column != inherited_column(parent_column) {
                        undeclarable.push(key);
                    }
                    false
                }
            });
    }
    for (table, column) in undeclarable {
        schema.unmanaged.push(UnmanagedObject {
            kind: "inherited column attributes".to_string(),
            name: format!("{column} on {}.{}", table.schema, table.name),
            attached_to: Some(table),
        });
    }
    schema.unmanaged.sort();
}

/// The checks the children of `parent` get: its own but NO INHERIT ones, and those of its
/// own parents. (A child's own check of the same name is merged with the parent's.)
pub fn checks_for_children(schema: &Schema, parent: &QualifiedName) -> Vec<CheckConstraint> {
    let Some(table) = schema.tables.get(parent) else {
        return Vec::new();
    };
    let mut checks: Vec<CheckConstraint> = table
        .checks
        .values()
        .filter(|check| !check.no_inherit)
        .cloned()
        .collect();
    for grandparent in table.parents() {
        for check in checks_for_children(schema, grandparent) {
            if !checks.iter().any(|known| known.name == check.name) {
                checks.push(check);
            }
        }
    }
    checks
}

/// The foreign keys the partitions of `parent` get, under their names: its own and those
/// of its ancestors. (Inheritance children get none.)
pub fn foreign_keys_for_partitions(schema: &Schema, parent: &QualifiedName) -> Vec<ForeignKey> {
    let Some(table) = schema.tables.get(parent) else {
        return Vec::new();
    };
    let mut foreign_keys: Vec<ForeignKey> = table.foreign_keys.values().cloned().collect();
    if let Some(partition_of) = &table.partition_of {
        foreign_keys.extend(foreign_keys_for_partitions(schema, &partition_of.parent));
    }
    foreign_keys
}

/// The columns of a table's own primary key, which PostgreSQL makes NOT NULL on it.
fn own_key_columns(table: &Table) -> Vec<String> {
    table
        .primary_key
        .as_ref()
        .map(|key| key.columns.clone())
        .unwrap_or_default()
}

/// What a partition's column is when it sets nothing itself: its parent's, without a
/// comment (comments belong to one relation) or identity (PostgreSQL 15 keeps identity on
/// the partitioned table), `serial` as the integer and `nextval` default it is, and NOT NULL
/// where the partition's own primary key needs it.
pub fn expected_partition_column(
    parent: &QualifiedName,
    parent_column: &Column,
    own_key: &[String],
) -> Column {
    let mut column = Column {
        comment: None,
        identity: None,
        identity_options: None,
        nullable: parent_column.nullable && !own_key.contains(&parent_column.name),
        ..parent_column.clone()
    };
    let storage = storage_type(&parent_column.data_type);
    if storage != parent_column.data_type {
        let sequence = QualifiedName::new(
            parent.schema.clone(),
            make_object_name(&parent.name, Some(&parent_column.name), "seq"),
        );
        column.default = Some(Expr::new(format!(
            "nextval({}::regclass)",
            quote::literal(&quote::type_name(&sequence))
        )));
        column.data_type = storage.to_string();
    }
    column
}

/// An inheritance child's inherited column as PostgreSQL copies it: the parent's, without
/// the comment.
fn inherited_column(parent_column: &Column) -> Column {
    Column {
        comment: None,
        ..parent_column.clone()
    }
}
