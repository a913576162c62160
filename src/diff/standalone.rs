//! A child table as it stands outside its hierarchy: what `DETACH PARTITION` and `NO
//! INHERIT` leave, and what `ATTACH PARTITION` and `INHERIT` need. The diff compares a
//! table that changes its place through this form, so the change in between is an ordinary
//! table change and the way back is its inverse.

use crate::ddl::expression_column_name;
use crate::inheritance::{checks_for_children, effective_columns, foreign_keys_for_partitions};
use crate::model::{
    Index, IndexTarget, PrimaryKey, QualifiedName, Schema, Table, UniqueConstraint,
};
use crate::syntax::names::{choose_name, make_object_name};

/// The table outside its hierarchy. Every column is its own; so are the checks its parents
/// pass on and, for a partition, their foreign keys (under their names) and its copies of
/// their keys and indexes (under the partition's default names, as PostgreSQL chooses them).
pub(super) fn standalone_form(schema: &Schema, table: &Table) -> Table {
    let mut standalone = Table {
        columns: effective_columns(schema, table),
        partition_of: None,
        inherits: Vec::new(),
        ..table.clone()
    };
    for parent in table.parents() {
        for check in checks_for_children(schema, parent) {
            standalone.checks.entry(check.name.clone()).or_insert(check);
        }
    }
    let Some(partition_of) = &table.partition_of else {
        return standalone;
    };
    for foreign_key in foreign_keys_for_partitions(schema, &partition_of.parent) {
        standalone
            .foreign_keys
            .entry(foreign_key.name.clone())
            .or_insert(foreign_key);
    }
    let mut taken = schema.relation_names(&table.name.schema);
    let mut choose = |columns: Option<&str>, label: &str| {
        let name = choose_name(
            |candidate| taken.contains(candidate),
            |label| make_object_name(&table.name.name, columns, label),
            label,
        );
        taken.insert(name.clone());
        name
    };
    for object in keys_for_partitions(schema, &partition_of.parent) {
        match object {
            InheritedKey::PrimaryKey(key) if standalone.primary_key.is_none() => {
                let name = choose(None, "pkey");
                standalone.primary_key = Some(PrimaryKey { name, ..key });
            }
            InheritedKey::PrimaryKey(_) => {}
            InheritedKey::Unique(unique) => {
                let columns = [&unique.columns[..], &unique.include[..]].concat();
                let name = choose(Some(&columns.join("_")), "key");
                standalone
                    .uniques
                    .insert(name.clone(), UniqueConstraint { name, ..unique });
            }
            InheritedKey::Index(index) => {
                let mut columns: Vec<String> = index
                    .keys
                    .iter()
                    .map(|key| match &key.target {
                        IndexTarget::Column(column) => column.clone(),
                        IndexTarget::Expression(expression) => expression_column_name(expression),
                    })
                    .collect();
                columns.extend(index.include.iter().cloned());
                let name = choose(Some(&columns.join("_")), "idx");
                let index = Index {
                    name: name.clone(),
                    comment: None,
                    ..index
                };
                standalone.indexes.insert(name, index);
            }
        }
    }
    standalone
}

/// `joining` (what the table must have to join its parents), with the keys, indexes and
/// foreign keys it gets from them named as the table's own matching ones (`leaving`) already
/// are: `ATTACH PARTITION` adopts a matching index or foreign key whatever its name.
pub(super) fn adopt_matching(mut joining: Table, declared: &Table, leaving: &Table) -> Table {
    let inherited_indexes: Vec<Index> = joining
        .indexes
        .values()
        .filter(|index| !declared.indexes.contains_key(&index.name))
        .cloned()
        .collect();
    for index in inherited_indexes {
        let own = leaving
            .indexes
            .values()
            .find(|own| own.name != index.name && own.same_definition_as(&index));
        if let Some(own) = own {
            joining.indexes.remove(&index.name);
            joining.indexes.insert(own.name.clone(), own.clone());
        }
    }
    if let (Some(key), Some(own), None) = (
        &mut joining.primary_key,
        &leaving.primary_key,
        &declared.primary_key,
    ) {
        if key.columns == own.columns && key.deferrable == own.deferrable {
            key.name = own.name.clone();
        }
    }
    let inherited_keys: Vec<_> = joining
        .foreign_keys
        .values()
        .filter(|key| !declared.foreign_keys.contains_key(&key.name))
        .cloned()
        .collect();
    for key in inherited_keys {
        let own = leaving
            .foreign_keys
            .values()
            .find(|own| own.name != key.name && own.same_definition_as(&key));
        if let Some(own) = own {
            joining.foreign_keys.remove(&key.name);
            joining.foreign_keys.insert(own.name.clone(), own.clone());
        }
    }
    joining
}

enum InheritedKey {
    PrimaryKey(PrimaryKey),
    Unique(UniqueConstraint),
    Index(Index),
}

/// The keys and indexes partitions of `parent` get a copy of: its own and its ancestors'.
fn keys_for_partitions(schema: &Schema, parent: &QualifiedName) -> Vec<InheritedKey> {
    let Some(table) = schema.tables.get(parent) else {
        return Vec::new();
    };
    let mut keys: Vec<InheritedKey> = table
        .primary_key
        .iter()
        .cloned()
        .map(InheritedKey::PrimaryKey)
        .chain(table.uniques.values().cloned().map(InheritedKey::Unique))
        .chain(table.indexes.values().cloned().map(InheritedKey::Index))
        .collect();
    if let Some(partition_of) = &table.partition_of {
        keys.extend(keys_for_partitions(schema, &partition_of.parent));
    }
    keys
}
