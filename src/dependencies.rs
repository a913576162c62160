//! The dependency graph of one schema: which objects need which (STYLE §10, "Dependencies
//! are data").
//!
//! Built from the model, so offline and live schemas get the same edges: a table holds its
//! columns, a column needs its enum, domain or composite type, an index, check, exclusion
//! constraint, key or generated column needs the columns it names, a foreign key needs the
//! key it references, a view the relations it reads. A live schema adds what only
//! `pg_depend` knows (`Schema::dependents`): a view that needs a primary key, and objects
//! autogen does not manage. `diff` asks it what a dropped, replaced or retyped object takes
//! along; `Migration::unmanaged_casualties` which unmanaged objects would go. Pure.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Index, IndexTarget, ObjectRef, Returns, Schema, Table, UnmanagedDependent};
use crate::references::words;
use crate::syntax::quote;

pub struct Graph<'a> {
    /// Referenced object → the objects that need it directly.
    dependents: BTreeMap<ObjectRef, BTreeSet<ObjectRef>>,
    unmanaged: &'a BTreeMap<ObjectRef, BTreeSet<UnmanagedDependent>>,
}

impl<'a> Graph<'a> {
    pub fn of(schema: &'a Schema) -> Graph<'a> {
        let mut graph = Graph {
            dependents: schema.dependents.managed.clone(),
            unmanaged: &schema.dependents.unmanaged,
        };
        let types = user_types(schema);
        for table in schema.tables.values() {
            graph.add_table(table, &types);
        }
        for view in schema.views.values() {
            for relation in &view.depends_on {
                // A live view that reads an attribute of a composite type depends on it.
                let referenced = if schema.views.contains_key(relation) {
                    ObjectRef::View(relation.clone())
                } else if schema.composite_types.contains_key(relation) {
                    ObjectRef::CompositeType(relation.clone())
                } else {
                    ObjectRef::Table(relation.clone())
                };
                graph.add(referenced, ObjectRef::View(view.name.clone()));
            }
        }
        graph.add_views_over_returned_row_types(schema);
        graph.add_foreign_keys(schema);
        graph
    }

    /// Every object that needs one of `roots`, directly or through others; roots left out.
    pub fn dependents_of(&self, roots: &BTreeSet<ObjectRef>) -> BTreeSet<ObjectRef> {
        let mut reached = BTreeSet::new();
        let mut pending: Vec<&ObjectRef> = roots.iter().collect();
        while let Some(object) = pending.pop() {
            for dependent in self.dependents.get(object).into_iter().flatten() {
                if !roots.contains(dependent) && reached.insert(dependent.clone()) {
                    pending.push(dependent);
                }
            }
        }
        reached
    }

    /// The objects autogen does not manage that need `object` directly.
    pub fn unmanaged_dependents(
        &self,
        object: &ObjectRef,
    ) -> impl Iterator<Item = &'a UnmanagedDependent> {
        self.unmanaged.get(object).into_iter().flatten()
    }

    fn add(&mut self, referenced: ObjectRef, dependent: ObjectRef) {
        self.dependents
            .entry(referenced)
            .or_default()
            .insert(dependent);
    }

    fn add_table(&mut self, table: &Table, types: &BTreeMap<String, ObjectRef>) {
        let name = &table.name;
        let column = |column: &str| ObjectRef::Column(name.clone(), column.to_string());
        let constraint =
            |constraint: &str| ObjectRef::Constraint(name.clone(), constraint.to_string());
        for each in &table.columns {
            self.add(ObjectRef::Table(name.clone()), column(&each.name));
            let element = each.data_type.trim_end_matches("[]");
            if let Some(user_type) = types.get(element) {
                self.add(user_type.clone(), column(&each.name));
            }
        }
        // What an expression names: one tokenization per expression, whatever the width.
        let named = |text: &str| -> Vec<String> {
            let words = words(text);
            table
                .columns
                .iter()
                .filter(|column| words.contains(&column.name))
                .map(|column| column.name.clone())
                .collect()
        };
        for each in table.columns.iter() {
            if let Some(expression) = &each.generated {
                for used in named(expression.as_str()) {
                    self.add(column(&used), column(&each.name));
                }
            }
        }
        for check in table.checks.values() {
            for used in named(check.expression.as_str()) {
                self.add(column(&used), constraint(&check.name));
            }
        }
        let index_columns = |index: &Index| -> BTreeSet<String> {
            let mut used: BTreeSet<String> = index.include.iter().cloned().collect();
            for key in &index.keys {
                match &key.target {
                    IndexTarget::Column(name) => {
                        used.insert(name.clone());
                    }
                    IndexTarget::Expression(expression) => used.extend(named(expression.as_str())),
                }
            }
            if let Some(predicate) = &index.predicate {
                used.extend(named(predicate.as_str()));
            }
            used
        };
        for index in table.indexes.values() {
            for used in index_columns(index) {
                self.add(
                    column(&used),
                    ObjectRef::Index(name.clone(), index.name.clone()),
                );
            }
        }
        for exclusion in table.exclusions.values() {
            for used in index_columns(&exclusion.index()) {
                self.add(column(&used), constraint(&exclusion.name));
            }
        }
        // A key needs its INCLUDE columns as much as its key columns.
        let keys = table
            .primary_key
            .iter()
            .map(|key| (&key.name, [&key.columns[..], &key.include[..]].concat()))
            .chain(table.uniques.values().map(|key| {
                let columns = [&key.columns[..], &key.include[..]].concat();
                (&key.name, columns)
            }))
            .chain(
                table
                    .foreign_keys
                    .values()
                    .map(|key| (&key.name, key.columns.clone())),
            );
        for (key, columns) in keys {
            for used in &columns {
                self.add(column(used), constraint(key));
            }
        }
    }

    /// A view reading a function that returns a row type (`RETURNS SETOF items`) needs the
    /// columns of that table, view or composite type it reads, as `pg_depend` records; the
    /// query names only the function.
    fn add_views_over_returned_row_types(&mut self, schema: &Schema) {
        let row_types: BTreeMap<String, ObjectRef> = schema
            .tables
            .keys()
            .map(|name| (name, ObjectRef::Table(name.clone())))
            .chain(
                schema
                    .views
                    .keys()
                    .map(|name| (name, ObjectRef::View(name.clone()))),
            )
            .chain(
                schema
                    .composite_types
                    .keys()
                    .map(|name| (name, ObjectRef::CompositeType(name.clone()))),
            )
            .map(|(name, object)| (quote::type_name(name), object))
            .collect();
        let mut returned: BTreeMap<&str, Vec<&ObjectRef>> = BTreeMap::new();
        for function in schema.functions.values() {
            if let Some(Returns::Type { data_type, .. }) = &function.returns {
                if let Some(row_type) = row_types.get(data_type.as_str()) {
                    returned
                        .entry(&function.name.name)
                        .or_default()
                        .push(row_type);
                }
            }
        }
        if returned.is_empty() {
            return;
        }
        for view in schema.views.values() {
            let dependent = ObjectRef::View(view.name.clone());
            let words = words(view.definition.as_str());
            for (function, row_types) in &returned {
                if !words.contains(*function) {
                    continue;
                }
                for row_type in row_types {
                    if **row_type != dependent {
                        self.add((*row_type).clone(), dependent.clone());
                    }
                }
            }
        }
    }

    /// A foreign key needs every key of the referenced table over its referenced columns
    /// (which one PostgreSQL picked, `conindid`, the model does not say), and the columns
    /// it references.
    fn add_foreign_keys(&mut self, schema: &Schema) {
        for table in schema.tables.values() {
            for foreign_key in table.foreign_keys.values() {
                let dependent = ObjectRef::Constraint(table.name.clone(), foreign_key.name.clone());
                let referenced_name = &foreign_key.referenced_table;
                let Some(referenced) = schema.tables.get(referenced_name) else {
                    continue;
                };
                let wanted: BTreeSet<&String> = foreign_key.referenced_columns.iter().collect();
                let same = |columns: &[String]| columns.iter().collect::<BTreeSet<_>>() == wanted;
                let mut keys: Vec<ObjectRef> = referenced
                    .primary_key
                    .iter()
                    .filter(|key| same(&key.columns))
                    .map(|key| ObjectRef::Constraint(referenced_name.clone(), key.name.clone()))
                    .collect();
                keys.extend(
                    referenced
                        .uniques
                        .values()
                        .filter(|key| same(&key.columns))
                        .map(|key| {
                            ObjectRef::Constraint(referenced_name.clone(), key.name.clone())
                        }),
                );
                keys.extend(
                    referenced
                        .indexes
                        .values()
                        .filter(|index| index.unique && index.predicate.is_none())
                        .filter(|index| {
                            index.keys.len() == wanted.len()
                                && index.keys.iter().all(|key| {
                                    matches!(&key.target, IndexTarget::Column(name) if wanted.contains(name))
                                })
                        })
                        .map(|index| ObjectRef::Index(referenced_name.clone(), index.name.clone())),
                );
                keys.extend(
                    wanted.iter().map(|column| {
                        ObjectRef::Column(referenced_name.clone(), (*column).clone())
                    }),
                );
                for key in keys {
                    self.add(key, dependent.clone());
                }
            }
        }
    }
}

/// A column's type text (as `format_type` spells it, array brackets removed) → the enum,
/// domain or composite type it names.
fn user_types(schema: &Schema) -> BTreeMap<String, ObjectRef> {
    let enums = schema
        .enums
        .keys()
        .map(|name| (quote::type_name(name), ObjectRef::Enum(name.clone())));
    let domains = schema
        .domains
        .keys()
        .map(|name| (quote::type_name(name), ObjectRef::Domain(name.clone())));
    let composites = schema.composite_types.keys().map(|name| {
        (
            quote::type_name(name),
            ObjectRef::CompositeType(name.clone()),
        )
    });
    enums.chain(domains).chain(composites).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;

    fn schema(sql: &str) -> Schema {
        crate::ddl::replay([(Path::new("t.sql"), sql)]).expect("the SQL replays")
    }

    fn name(object: &str) -> crate::model::QualifiedName {
        crate::model::QualifiedName::new("public", object)
    }

    #[test]
    fn a_type_reaches_the_whole_chain_above_it() {
        let schema = schema(
            "CREATE TYPE mood AS ENUM ('a', 'b');
             CREATE TABLE t (id integer PRIMARY KEY, m mood, score integer,
                             happy boolean GENERATED ALWAYS AS (m = 'a') STORED,
                             CHECK (m <> 'b' OR score > 0));
             CREATE INDEX t_happy ON t (happy);
             CREATE TABLE u (id integer REFERENCES t (id));
             CREATE VIEW v AS SELECT id FROM t;
             CREATE VIEW w AS SELECT id FROM v;",
        );
        let graph = Graph::of(&schema);
        let column = |table: &str, column: &str| ObjectRef::Column(name(table), column.into());
        let reached = graph.dependents_of(&[ObjectRef::Enum(name("mood"))].into());
        assert!(reached.contains(&column("t", "m")));
        assert!(reached.contains(&column("t", "happy")));
        assert!(reached.contains(&ObjectRef::Constraint(name("t"), "t_check".into())));
        assert!(reached.contains(&ObjectRef::Index(name("t"), "t_happy".into())));
        assert!(!reached.contains(&column("t", "score")));

        let reached = graph.dependents_of(&[ObjectRef::Table(name("t"))].into());
        assert!(reached.contains(&ObjectRef::View(name("w"))));
        assert!(reached.contains(&ObjectRef::Constraint(name("u"), "u_id_fkey".into())));

        let reached =
            graph.dependents_of(&[ObjectRef::Constraint(name("t"), "t_pkey".into())].into());
        assert_eq!(
            reached,
            [ObjectRef::Constraint(name("u"), "u_id_fkey".into())].into()
        );
    }

    #[test]
    fn a_view_over_a_function_returning_a_row_type_needs_that_table() {
        let schema = schema(
            "CREATE TABLE items (id integer PRIMARY KEY, name text);
             CREATE TYPE pair AS (a integer, b text);
             CREATE FUNCTION cheap() RETURNS SETOF items LANGUAGE sql AS $$ SELECT * FROM items $$;
             CREATE FUNCTION one() RETURNS pair LANGUAGE sql AS $$ SELECT 1, 'x' $$;
             CREATE VIEW v AS SELECT id, name FROM cheap();
             CREATE VIEW w AS SELECT (one()).a;",
        );
        let graph = Graph::of(&schema);
        let reached = graph.dependents_of(&[ObjectRef::Table(name("items"))].into());
        assert!(reached.contains(&ObjectRef::View(name("v"))));
        assert!(!reached.contains(&ObjectRef::View(name("w"))));
        let reached = graph.dependents_of(&[ObjectRef::CompositeType(name("pair"))].into());
        assert_eq!(reached, [ObjectRef::View(name("w"))].into());
    }
}
