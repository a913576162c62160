//! The names a new object must avoid: PostgreSQL keeps relation names unique per schema
//! (`pg_class`) and constraint names unique per table.

use std::collections::BTreeSet;

use super::{QualifiedName, Schema, Table};

impl Schema {
    /// Names of the relations of one schema: tables, views, sequences, composite types, and
    /// the indexes of keys, exclusion constraints and plain indexes.
    pub fn relation_names(&self, namespace: &str) -> BTreeSet<String> {
        let in_namespace = |name: &&QualifiedName| name.schema == namespace;
        let mut names: BTreeSet<String> = self
            .tables
            .keys()
            .chain(self.views.keys())
            .chain(self.sequences.keys())
            .chain(self.composite_types.keys())
            .filter(in_namespace)
            .map(|name| name.name.clone())
            .collect();
        for table in self
            .tables
            .values()
            .filter(|table| in_namespace(&&table.name))
        {
            names.extend(table.indexes.keys().cloned());
            names.extend(table.uniques.keys().cloned());
            names.extend(table.exclusions.keys().cloned());
            names.extend(table.primary_key.iter().map(|key| key.name.clone()));
        }
        names
    }
}

impl Table {
    /// Names of the table's constraints.
    pub fn constraint_names(&self) -> BTreeSet<String> {
        self.primary_key
            .iter()
            .map(|key| key.name.clone())
            .chain(self.uniques.keys().cloned())
            .chain(self.foreign_keys.keys().cloned())
            .chain(self.checks.keys().cloned())
            .chain(self.exclusions.keys().cloned())
            .collect()
    }
}
