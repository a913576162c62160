//! The dependency graph of one schema: which objects need which (STYLE §10, "Dependencies
//! are data").
//!
//! Built from the model, so offline and live schemas get the same edges: a table holds its
//! columns, a column needs its enum, domain or composite type, an index, check, exclusion
//! constraint, key or generated column needs the columns it names, a foreign key needs the
//! key it references, a view the relations it reads, a routine the types of its signature,
//! and whatever calls a routine by name (a view, default, generated column, check, index,
//! trigger, policy or SQL-standard body) needs it. A live schema adds what only
//! `pg_depend` knows (`Schema::dependents`): a view that needs a primary key, and objects
//! autogen does not manage. `diff` asks it what a dropped, replaced or retyped object takes
//! along; `Migration::unmanaged_casualties` which unmanaged objects would go. Pure.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    Function, FunctionBody, Index, IndexTarget, ObjectRef, Returns, Schema, Table,
    UnmanagedDependent,
};
use crate::references::words;
use crate::syntax::quote;

pub struct Graph<'a> {
    /// Referenced object → the objects that need it directly.
    dependents: BTreeMap<ObjectRef, BTreeSet<ObjectRef>>,
    /// Routine → the columns whose default calls it. Nothing needs a default, so these are
    /// leaves that `dependents_of` does not walk through (a column's indexes stay).
    defaults: BTreeMap<ObjectRef, BTreeSet<ObjectRef>>,
    unmanaged: &'a BTreeMap<ObjectRef, BTreeSet<UnmanagedDependent>>,
}

impl<'a> Graph<'a> {
    pub fn of(schema: &'a Schema) -> Graph<'a> {
        let mut graph = Graph {
            dependents: schema.dependents.managed.clone(),
            defaults: BTreeMap::new(),
            unmanaged: &schema.dependents.unmanaged,
        };
        let types = user_types(schema);
        let routines = Routines::of(schema, &types, &mut graph);
        for table in schema.tables.values() {
            graph.add_table(table, &types, &routines);
        }
        for view in schema.views.values() {
            let this = ObjectRef::View(view.name.clone());
            graph.add_callers(
                &routines,
                &routines.called_in(view.definition.as_str()),
                &this,
            );
            for trigger in view.triggers.values() {
                let trigger_ref = ObjectRef::Trigger(view.name.clone(), trigger.name.clone());
                graph.add_trigger(&routines, trigger, trigger_ref);
            }
            for relation in &view.depends_on {
                let referenced = match schema.views.contains_key(relation) {
                    true => ObjectRef::View(relation.clone()),
                    false => ObjectRef::Table(relation.clone()),
                };
                graph.add(referenced, ObjectRef::View(view.name.clone()));
            }
        }
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

    /// The columns whose default calls one of `routines`.
    pub fn defaults_calling(&self, routines: &BTreeSet<ObjectRef>) -> BTreeSet<ObjectRef> {
        routines
            .iter()
            .flat_map(|routine| self.defaults.get(routine).into_iter().flatten())
            .cloned()
            .collect()
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

    /// `callee` (a routine's bare name, from `called`) is needed by `dependent`: every
    /// overload of the name, since which one a call picks the model does not say.
    fn add_callers(
        &mut self,
        routines: &Routines,
        called: &BTreeSet<String>,
        dependent: &ObjectRef,
    ) {
        for callee in called {
            for routine in routines.by_name.get(callee).into_iter().flatten() {
                if routine != dependent {
                    self.add(routine.clone(), dependent.clone());
                }
            }
        }
    }

    fn add_trigger(
        &mut self,
        routines: &Routines,
        trigger: &crate::model::Trigger,
        this: ObjectRef,
    ) {
        let mut called = trigger
            .condition
            .as_ref()
            .map(|condition| routines.called_in(condition.as_str()))
            .unwrap_or_default();
        called.insert(trigger.function.name.clone());
        self.add_callers(routines, &called, &this);
    }

    fn add_table(
        &mut self,
        table: &Table,
        types: &BTreeMap<String, ObjectRef>,
        routines: &Routines,
    ) {
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
        // What an expression names, columns and routines: one tokenization per expression,
        // whatever the width.
        let mut calls: Vec<(ObjectRef, BTreeSet<String>)> = Vec::new();
        let mut default_calls: Vec<(ObjectRef, BTreeSet<String>)> = Vec::new();
        let mut named = |text: &str, user: ObjectRef| -> Vec<String> {
            let words = words(text);
            if !routines.by_name.is_empty() {
                calls.push((user, routines.called_among(&words)));
            }
            table
                .columns
                .iter()
                .filter(|column| words.contains(&column.name))
                .map(|column| column.name.clone())
                .collect()
        };
        for each in table.columns.iter() {
            if let Some(expression) = &each.generated {
                for used in named(expression.as_str(), column(&each.name)) {
                    self.add(column(&used), column(&each.name));
                }
            }
            if let Some(default) = &each.default {
                default_calls.push((column(&each.name), routines.called_in(default.as_str())));
            }
        }
        for check in table.checks.values() {
            for used in named(check.expression.as_str(), constraint(&check.name)) {
                self.add(column(&used), constraint(&check.name));
            }
        }
        let mut index_columns = |index: &Index, user: ObjectRef| -> BTreeSet<String> {
            let mut used: BTreeSet<String> = index.include.iter().cloned().collect();
            for key in &index.keys {
                match &key.target {
                    IndexTarget::Column(name) => {
                        used.insert(name.clone());
                    }
                    IndexTarget::Expression(expression) => {
                        used.extend(named(expression.as_str(), user.clone()))
                    }
                }
            }
            if let Some(predicate) = &index.predicate {
                used.extend(named(predicate.as_str(), user));
            }
            used
        };
        for index in table.indexes.values() {
            let this = ObjectRef::Index(name.clone(), index.name.clone());
            for used in index_columns(index, this.clone()) {
                self.add(column(&used), this.clone());
            }
        }
        for exclusion in table.exclusions.values() {
            let this = constraint(&exclusion.name);
            for used in index_columns(&exclusion.index(), this.clone()) {
                self.add(column(&used), this.clone());
            }
        }
        for (user, called) in calls {
            self.add_callers(routines, &called, &user);
        }
        for (user, called) in default_calls {
            for routine in called.iter().flat_map(|callee| &routines.by_name[callee]) {
                self.defaults
                    .entry(routine.clone())
                    .or_default()
                    .insert(user.clone());
            }
        }
        for trigger in table.triggers.values() {
            let this = ObjectRef::Trigger(name.clone(), trigger.name.clone());
            self.add_trigger(routines, trigger, this);
        }
        for policy in table.policies.values() {
            let this = ObjectRef::Policy(name.clone(), policy.name.clone());
            for expression in [&policy.using, &policy.with_check].into_iter().flatten() {
                let called = routines.called_in(expression.as_str());
                self.add_callers(routines, &called, &this);
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

/// The routines of a schema by bare name, as a call names them.
struct Routines {
    by_name: BTreeMap<String, Vec<ObjectRef>>,
}

impl Routines {
    /// Also adds each routine's edges: the types of its signature, and the routines its
    /// SQL-standard body calls (PostgreSQL records those; another body is opaque).
    fn of(schema: &Schema, types: &BTreeMap<String, ObjectRef>, graph: &mut Graph) -> Routines {
        let mut by_name: BTreeMap<String, Vec<ObjectRef>> = BTreeMap::new();
        for function in schema.functions.values() {
            let this = ObjectRef::Function(function.name.clone());
            by_name
                .entry(function.name.name.clone())
                .or_default()
                .push(this.clone());
            for data_type in signature_types(function) {
                if let Some(user_type) = types.get(data_type.trim_end_matches("[]")) {
                    graph.add(user_type.clone(), this.clone());
                }
            }
        }
        let routines = Routines { by_name };
        for function in schema.functions.values() {
            if let FunctionBody::Sql(body) = &function.body {
                let this = ObjectRef::Function(function.name.clone());
                graph.add_callers(&routines, &routines.called_in(body), &this);
            }
        }
        routines
    }

    /// The routine names `text` uses (one tokenization).
    fn called_in(&self, text: &str) -> BTreeSet<String> {
        match self.by_name.is_empty() {
            true => BTreeSet::new(),
            false => self.called_among(&words(text)),
        }
    }

    /// An expression has few words, a schema may have many routines: looked up by word.
    fn called_among(&self, words: &BTreeSet<String>) -> BTreeSet<String> {
        words
            .iter()
            .filter(|word| self.by_name.contains_key(*word))
            .cloned()
            .collect()
    }
}

/// The types of a routine's arguments and result, as `format_type` spells them.
pub fn signature_types(function: &Function) -> impl Iterator<Item = &str> {
    let result: Vec<&str> = match &function.returns {
        Some(Returns::Type { data_type, .. }) => vec![data_type.as_str()],
        Some(Returns::Table(columns)) => columns
            .iter()
            .map(|(_, data_type)| data_type.as_str())
            .collect(),
        None => Vec::new(),
    };
    function
        .arguments
        .iter()
        .map(|argument| argument.data_type.as_str())
        .chain(result)
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
    fn a_type_reaches_the_routines_over_it_and_what_calls_them() {
        let schema = schema(
            "CREATE TYPE mood AS ENUM ('a', 'b');
             CREATE FUNCTION label(m mood) RETURNS text LANGUAGE sql AS $$ SELECT m::text $$;
             CREATE FUNCTION shout() RETURNS text LANGUAGE sql RETURN upper(label('a'));
             CREATE FUNCTION other() RETURNS text LANGUAGE sql AS $$ SELECT 'x' $$;
             CREATE TABLE t (id integer, m mood, note text DEFAULT shout(),
                             CONSTRAINT t_label CHECK (label(m) <> ''));
             CREATE INDEX t_other ON t ((other()));
             CREATE VIEW v AS SELECT shout() AS s;",
        );
        let graph = Graph::of(&schema);
        let routine = |name: &str| {
            let found = schema.functions.keys().find(|key| key.name == name);
            ObjectRef::Function(found.expect("the routine").clone())
        };
        let reached = graph.dependents_of(&[ObjectRef::Enum(name("mood"))].into());
        assert!(reached.contains(&routine("label")));
        assert!(reached.contains(&routine("shout")));
        assert!(reached.contains(&ObjectRef::Constraint(name("t"), "t_label".into())));
        assert!(reached.contains(&ObjectRef::View(name("v"))));
        assert!(!reached.contains(&routine("other")));
        assert!(!reached.contains(&ObjectRef::Index(name("t"), "t_other".into())));
        // A default is a leaf: the column's own dependents are not reached through it.
        let column = ObjectRef::Column(name("t"), "note".into());
        assert!(!reached.contains(&column));
        assert_eq!(graph.defaults_calling(&reached), BTreeSet::from([column]));
    }
}
