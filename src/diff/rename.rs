//! Declared renames (`renamed_from`), applied to a copy of the current schema before the
//! diff, so the rest of the diff compares objects under their new names.
//!
//! A hint whose old object is gone (the database already has the new name) does nothing, so
//! hints may stay in the file. Undeclared renames are never guessed: `suggestions` only
//! points at likely ones.

use super::change::{Change, RenameTiming};
use crate::model::{Expr, QualifiedName, Schema, Table};
use crate::renames::{rename_column_within, rename_type_in_expression};
use crate::syntax::quote;

/// Returns the current schema with every applicable rename done, and the rename changes.
pub fn apply(current: &Schema, desired: &Schema) -> (Schema, Vec<Change>) {
    let directives = &desired.directives;
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
        rename_type_references(&mut renamed, &old_name, new_name);
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
        rename_label_in_defaults(&mut renamed, enum_name, old_value, new_value);
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
        for table in renamed.tables.values_mut() {
            for foreign_key in table.foreign_keys.values_mut() {
                if foreign_key.referenced_table == old_name {
                    foreign_key.referenced_table = new_name.clone();
                }
            }
            let parents = table
                .partition_of
                .iter_mut()
                .map(|partition_of| &mut partition_of.parent)
                .chain(table.inherits.iter_mut());
            for parent in parents {
                if *parent == old_name {
                    *parent = new_name.clone();
                }
            }
        }
        changes.push(Change::RenameTable {
            from: old_name,
            to: new_name.clone(),
            timing,
        });
    }

    for ((table_name, new_column), old_column) in &directives.column_renames {
        let Some(table) = renamed.tables.get_mut(table_name) else {
            continue;
        };
        if table.column(new_column).is_some() || table.column(old_column).is_none() {
            continue;
        }
        rename_column_within(table, old_column, new_column);
        // PostgreSQL renames the column in every child too.
        let tree = crate::inheritance::descendants(&renamed, table_name);
        for other in renamed.tables.values_mut() {
            if tree.contains(&other.name) && other.name != *table_name {
                rename_column_within(other, old_column, new_column);
            }
            for foreign_key in other.foreign_keys.values_mut() {
                if &foreign_key.referenced_table == table_name {
                    rename_in_list(&mut foreign_key.referenced_columns, old_column, new_column);
                }
            }
        }
        changes.push(Change::RenameColumn {
            table: table_name.clone(),
            from: old_column.clone(),
            to: new_column.clone(),
            timing,
        });
    }

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
    (renamed, changes)
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
fn rename_type_references(schema: &mut Schema, old: &QualifiedName, new: &QualifiedName) {
    let old_type = quote::type_name(old);
    let new_type = quote::type_name(new);
    for table in schema.tables.values_mut() {
        for column in &mut table.columns {
            if column.data_type == old_type {
                column.data_type = new_type.clone();
            } else if column.data_type == format!("{old_type}[]") {
                column.data_type = format!("{new_type}[]");
            } else {
                continue;
            }
            if let Some(default) = &mut column.default {
                *default = rename_type_in_expression(default, &old.name, &new.name);
            }
        }
    }
}

/// After `ALTER TYPE ... RENAME VALUE`, defaults of the type's columns show the new label.
fn rename_label_in_defaults(schema: &mut Schema, enum_name: &QualifiedName, old: &str, new: &str) {
    let type_text = quote::type_name(enum_name);
    for table in schema.tables.values_mut() {
        for column in &mut table.columns {
            if column.data_type != type_text {
                continue;
            }
            if let Some(default) = &mut column.default {
                let old_literal = quote::literal(old);
                if default.as_str().starts_with(&old_literal) {
                    let rest = &default.as_str()[old_literal.len()..];
                    *default = Expr::new(format!("{}{rest}", quote::literal(new)));
                }
            }
        }
    }
}

fn rename_in_list(names: &mut [String], old: &str, new: &str) {
    for name in names.iter_mut().filter(|name| *name == old) {
        *name = new.to_string();
    }
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
