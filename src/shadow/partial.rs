//! The parts of a changed table that still equal the catalog's. A revision usually changes a
//! table by a column, an index or a constraint: the rest of it is the database's canonical
//! text already, so the shadow builds the table's columns and keys and only the elements
//! that changed, and the others are taken from the database.
//!
//! Only where nothing the kept elements are printed from changed: the table keeps every
//! column it had with the same type and collation (an expression's canonical text depends
//! on the types of the columns it reads), and takes no part in inheritance or partitioning
//! (a parent's elements are its children's too).

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{NameMap, QualifiedName, Schema, Table};

/// The names of a table's elements that equal the database's, by kind. Primary keys and
/// unique constraints are always built: a foreign key onto the table needs them.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct SettledParts {
    checks: BTreeSet<String>,
    exclusions: BTreeSet<String>,
    indexes: BTreeSet<String>,
    foreign_keys: BTreeSet<String>,
    triggers: BTreeSet<String>,
    policies: BTreeSet<String>,
}

/// For each table of `desired` that differs from `database` but may be built in part, the
/// elements it need not build. Tables equal to the database's are not listed.
pub fn settled_parts(database: &Schema, desired: &Schema) -> BTreeMap<QualifiedName, SettledParts> {
    let parents: BTreeSet<&QualifiedName> = desired
        .tables
        .values()
        .chain(database.tables.values())
        .flat_map(Table::parents)
        .collect();
    let stands_alone = |table: &Table| {
        table.partition_by.is_none() && table.parents().is_empty() && !parents.contains(&table.name)
    };
    desired
        .tables
        .iter()
        .filter_map(|(name, table)| {
            let known = database.tables.get(name)?;
            let partial = known != table
                && stands_alone(table)
                && stands_alone(known)
                && same_column_types(known, table);
            partial.then(|| (name.clone(), parts(database, desired, known, table)))
        })
        .collect()
}

/// Every column `known` has is still there, with the same type and collation.
fn same_column_types(known: &Table, declared: &Table) -> bool {
    known.columns.iter().all(|column| {
        declared.column(&column.name).is_some_and(|declared| {
            declared.data_type == column.data_type && declared.collation == column.collation
        })
    })
}

/// A foreign key's target keeps what the key needs of it: its columns' types and its keys.
fn same_key_target(database: &Schema, desired: &Schema, target: &QualifiedName) -> bool {
    let (Some(known), Some(declared)) = (database.tables.get(target), desired.tables.get(target))
    else {
        return false;
    };
    let unique_indexes = |table: &Table| {
        table
            .indexes
            .values()
            .filter(|index| index.unique)
            .cloned()
            .collect::<Vec<_>>()
    };
    known == declared
        || (same_column_types(known, declared)
            && known.primary_key == declared.primary_key
            && known.uniques == declared.uniques
            && unique_indexes(known) == unique_indexes(declared))
}

fn parts(database: &Schema, desired: &Schema, known: &Table, declared: &Table) -> SettledParts {
    fn equal<T: PartialEq>(known: &NameMap<T>, declared: &NameMap<T>) -> BTreeSet<String> {
        declared
            .iter()
            .filter(|(name, element)| known.get(*name) == Some(*element))
            .map(|(name, _)| name.clone())
            .collect()
    }
    let mut foreign_keys = equal(&known.foreign_keys, &declared.foreign_keys);
    foreign_keys.retain(|name| {
        same_key_target(
            database,
            desired,
            &declared.foreign_keys[name].referenced_table,
        )
    });
    SettledParts {
        checks: equal(&known.checks, &declared.checks),
        exclusions: equal(&known.exclusions, &declared.exclusions),
        indexes: equal(&known.indexes, &declared.indexes),
        foreign_keys,
        triggers: equal(&known.triggers, &declared.triggers),
        policies: equal(&known.policies, &declared.policies),
    }
}

impl SettledParts {
    /// Whether a foreign key of the table is left to the database.
    pub fn has_foreign_key(&self, name: &str) -> bool {
        self.foreign_keys.contains(name)
    }

    /// `table` without the settled elements: what the shadow builds.
    pub fn remove_from(&self, table: &mut Table) {
        table.checks.retain(|name, _| !self.checks.contains(name));
        table
            .exclusions
            .retain(|name, _| !self.exclusions.contains(name));
        table.indexes.retain(|name, _| !self.indexes.contains(name));
        table
            .foreign_keys
            .retain(|name, _| !self.foreign_keys.contains(name));
        table
            .triggers
            .retain(|name, _| !self.triggers.contains(name));
        table
            .policies
            .retain(|name, _| !self.policies.contains(name));
    }

    /// Puts the settled elements back into `built`, in the database's text.
    pub fn restore(&self, known: &Table, built: &mut Table) {
        fn copy<T: Clone>(names: &BTreeSet<String>, known: &NameMap<T>, built: &mut NameMap<T>) {
            for name in names {
                if let Some(element) = known.get(name) {
                    built.insert(name.clone(), element.clone());
                }
            }
        }
        copy(&self.checks, &known.checks, &mut built.checks);
        copy(&self.exclusions, &known.exclusions, &mut built.exclusions);
        copy(&self.indexes, &known.indexes, &mut built.indexes);
        copy(
            &self.foreign_keys,
            &known.foreign_keys,
            &mut built.foreign_keys,
        );
        copy(&self.triggers, &known.triggers, &mut built.triggers);
        copy(&self.policies, &known.policies, &mut built.policies);
    }
}
