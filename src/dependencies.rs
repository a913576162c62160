//! The dependency graph of one schema: which objects need which (STYLE §10, "Dependencies
//! are data").
//!
//! Built from the model, so offline and live schemas get the same edges: a table holds its
//! columns, a column needs its enum, domain or composite type, an index, check, exclusion
//! constraint, key or generated column needs the columns it names, a foreign key needs the
//! key it references, a view the relations it reads, a routine the types of its signature,
//! and whatever calls a routine or aggregate by name (a view, default, generated column,
//! check, index, trigger, policy or SQL-standard body) needs it. A live schema adds what only
//! `pg_depend` knows (`Schema::dependents`): a view that needs a primary key, and objects
//! autogen does not manage. `diff` asks it what a dropped, replaced or retyped object takes
//! along; `Migration::unmanaged_casualties` which unmanaged objects would go. Pure.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    Expr, Function, FunctionBody, FunctionName, IndexKey, IndexTarget, ObjectRef, QualifiedName,
    Returns, Schema, Table, Trigger, UnmanagedDependent,
};
use crate::references::words;
use crate::syntax::quote;

pub struct Graph<'a> {
    /// Referenced object → the objects that need it directly (sorted, without repeats).
    dependents: BTreeMap<Node<'a>, Vec<Node<'a>>>,
    /// Routine → the columns whose default calls it. Nothing needs a default, so these are
    /// leaves that `dependents_of` does not walk through (a column's indexes stay).
    defaults: BTreeMap<Node<'a>, BTreeSet<Node<'a>>>,
    unmanaged: &'a BTreeMap<ObjectRef, BTreeSet<UnmanagedDependent>>,
}

/// An object of the graph, naming it with the schema's own strings: an `ObjectRef` per
/// edge would clone two or three strings, tens of megabytes at thousands of tables.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Node<'a> {
    Table(&'a QualifiedName),
    View(&'a QualifiedName),
    Column(&'a QualifiedName, &'a str),
    Constraint(&'a QualifiedName, &'a str),
    Index(&'a QualifiedName, &'a str),
    Enum(&'a QualifiedName),
    Domain(&'a QualifiedName),
    CompositeType(&'a QualifiedName),
    Function(&'a FunctionName),
    Aggregate(&'a FunctionName),
    Trigger(&'a QualifiedName, &'a str),
    Policy(&'a QualifiedName, &'a str),
    /// Any other kind, which only `pg_depend` (`Schema::dependents`) links.
    Other(&'a ObjectRef),
}

impl<'a> Node<'a> {
    /// The node of `object`; each object has exactly one, so nodes compare as objects do.
    fn of(object: &'a ObjectRef) -> Node<'a> {
        match object {
            ObjectRef::Table(name) => Node::Table(name),
            ObjectRef::View(name) => Node::View(name),
            ObjectRef::Column(table, column) => Node::Column(table, column),
            ObjectRef::Constraint(table, name) => Node::Constraint(table, name),
            ObjectRef::Index(table, name) => Node::Index(table, name),
            ObjectRef::Enum(name) => Node::Enum(name),
            ObjectRef::Domain(name) => Node::Domain(name),
            ObjectRef::CompositeType(name) => Node::CompositeType(name),
            ObjectRef::Function(name) => Node::Function(name),
            ObjectRef::Aggregate(name) => Node::Aggregate(name),
            ObjectRef::Trigger(relation, name) => Node::Trigger(relation, name),
            ObjectRef::Policy(table, name) => Node::Policy(table, name),
            other => Node::Other(other),
        }
    }

    fn object(self) -> ObjectRef {
        let owned = |table: &QualifiedName, name: &str| (table.clone(), name.to_string());
        match self {
            Node::Table(name) => ObjectRef::Table(name.clone()),
            Node::View(name) => ObjectRef::View(name.clone()),
            Node::Column(table, column) => {
                let (table, column) = owned(table, column);
                ObjectRef::Column(table, column)
            }
            Node::Constraint(table, name) => {
                let (table, name) = owned(table, name);
                ObjectRef::Constraint(table, name)
            }
            Node::Index(table, name) => {
                let (table, name) = owned(table, name);
                ObjectRef::Index(table, name)
            }
            Node::Enum(name) => ObjectRef::Enum(name.clone()),
            Node::Domain(name) => ObjectRef::Domain(name.clone()),
            Node::CompositeType(name) => ObjectRef::CompositeType(name.clone()),
            Node::Function(name) => ObjectRef::Function(name.clone()),
            Node::Aggregate(name) => ObjectRef::Aggregate(name.clone()),
            Node::Trigger(relation, name) => {
                let (relation, name) = owned(relation, name);
                ObjectRef::Trigger(relation, name)
            }
            Node::Policy(table, name) => {
                let (table, name) = owned(table, name);
                ObjectRef::Policy(table, name)
            }
            Node::Other(object) => object.clone(),
        }
    }
}

impl<'a> Graph<'a> {
    pub fn of(schema: &'a Schema) -> Graph<'a> {
        let mut graph = Graph {
            dependents: BTreeMap::new(),
            defaults: BTreeMap::new(),
            unmanaged: &schema.dependents.unmanaged,
        };
        for (referenced, dependents) in &schema.dependents.managed {
            for dependent in dependents {
                graph.add(Node::of(referenced), Node::of(dependent));
            }
        }
        let types = user_types(schema);
        let routines = Routines::of(schema, &types, &mut graph);
        for table in schema.tables.values() {
            graph.add_table(table, &types, &routines);
        }
        for view in schema.views.values() {
            let this = Node::View(&view.name);
            graph.add_callers(
                &routines,
                &routines.called_in(view.definition.as_str()),
                this,
            );
            for trigger in view.triggers.values() {
                graph.add_trigger(&routines, trigger, Node::Trigger(&view.name, &trigger.name));
            }
            for relation in &view.depends_on {
                // A live view that reads an attribute of a composite type depends on it.
                let referenced = if schema.views.contains_key(relation) {
                    Node::View(relation)
                } else if schema.composite_types.contains_key(relation) {
                    Node::CompositeType(relation)
                } else {
                    Node::Table(relation)
                };
                graph.add(referenced, Node::View(&view.name));
            }
        }
        graph.add_views_over_returned_row_types(schema);
        graph.add_foreign_keys(schema);
        for dependents in graph.dependents.values_mut() {
            dependents.sort_unstable();
            dependents.dedup();
            dependents.shrink_to_fit();
        }
        graph
    }

    /// Every object that needs one of `roots`, directly or through others; roots left out.
    pub fn dependents_of(&self, roots: &BTreeSet<ObjectRef>) -> BTreeSet<ObjectRef> {
        let roots: BTreeSet<Node<'_>> = roots.iter().map(Node::of).collect();
        let mut reached = BTreeSet::new();
        let mut pending: Vec<Node<'_>> = roots.iter().copied().collect();
        while let Some(object) = pending.pop() {
            for dependent in self.dependents.get(&object).into_iter().flatten() {
                if !roots.contains(dependent) && reached.insert(*dependent) {
                    pending.push(*dependent);
                }
            }
        }
        reached.into_iter().map(Node::object).collect()
    }

    /// The graph of `schema` plus the relations each routine reads: a table or view whose
    /// row type its signature names, or that its SQL-standard body names (PostgreSQL records
    /// both). Orders what a plan creates and drops (`plan::views_and_routines`); what `diff`
    /// rebuilds around a change does not follow these edges.
    pub fn with_routine_reads(schema: &'a Schema) -> Graph<'a> {
        let mut graph = Graph::of(schema);
        let relations: BTreeMap<&str, Vec<Node<'a>>> = {
            let mut by_name: BTreeMap<&str, Vec<Node<'a>>> = BTreeMap::new();
            let nodes =
                (schema.tables.keys().map(Node::Table)).chain(schema.views.keys().map(Node::View));
            for node in nodes {
                if let Node::Table(name) | Node::View(name) = node {
                    by_name.entry(&name.name).or_default().push(node);
                }
            }
            by_name
        };
        if relations.is_empty() {
            return graph;
        }
        let row_types: BTreeMap<String, Node<'a>> = relations
            .values()
            .flatten()
            .filter_map(|node| match node {
                Node::Table(name) | Node::View(name) => Some((quote::type_name(name), *node)),
                _ => None,
            })
            .collect();
        for function in schema.functions.values() {
            let this = Node::Function(&function.name);
            let mut read: BTreeSet<Node<'a>> = signature_types(function)
                .filter_map(|data_type| row_types.get(data_type.trim_end_matches("[]")))
                .copied()
                .collect();
            if let FunctionBody::Sql(body) = &function.body {
                read.extend(
                    words(body)
                        .iter()
                        .filter_map(|word| relations.get(word.as_str()))
                        .flatten()
                        .copied(),
                );
            }
            for relation in read {
                graph.add(relation, this);
            }
        }
        graph
    }

    /// For each of `objects`, the others among them it needs directly (indices into
    /// `objects`).
    pub fn needed_among(&self, objects: &[ObjectRef]) -> Vec<BTreeSet<usize>> {
        let index: BTreeMap<Node<'_>, usize> = objects
            .iter()
            .enumerate()
            .map(|(position, object)| (Node::of(object), position))
            .collect();
        let mut needed = vec![BTreeSet::new(); objects.len()];
        for (referenced, position) in &index {
            for dependent in self.dependents.get(referenced).into_iter().flatten() {
                if let Some(dependent) = index.get(dependent) {
                    if dependent != position {
                        needed[*dependent].insert(*position);
                    }
                }
            }
        }
        needed
    }

    /// The columns whose default calls one of `routines`.
    pub fn defaults_calling(&self, routines: &BTreeSet<ObjectRef>) -> BTreeSet<ObjectRef> {
        routines
            .iter()
            .flat_map(|routine| self.defaults.get(&Node::of(routine)).into_iter().flatten())
            .map(|column| column.object())
            .collect()
    }

    /// The objects autogen does not manage that need `object` directly.
    pub fn unmanaged_dependents(
        &self,
        object: &ObjectRef,
    ) -> impl Iterator<Item = &'a UnmanagedDependent> {
        self.unmanaged.get(object).into_iter().flatten()
    }

    fn add(&mut self, referenced: Node<'a>, dependent: Node<'a>) {
        self.dependents
            .entry(referenced)
            .or_default()
            .push(dependent);
    }

    /// `callee` (a routine's bare name, from `called`) is needed by `dependent`: every
    /// overload of the name, since which one a call picks the model does not say.
    fn add_callers(
        &mut self,
        routines: &Routines<'a>,
        called: &BTreeSet<&'a str>,
        dependent: Node<'a>,
    ) {
        for callee in called {
            for routine in routines.by_name.get(callee).into_iter().flatten() {
                if *routine != dependent {
                    self.add(*routine, dependent);
                }
            }
        }
    }

    fn add_trigger(&mut self, routines: &Routines<'a>, trigger: &'a Trigger, this: Node<'a>) {
        let mut called = trigger
            .condition
            .as_ref()
            .map(|condition| routines.called_in(condition.as_str()))
            .unwrap_or_default();
        called.extend(
            routines
                .by_name
                .get_key_value(trigger.function.name.as_str())
                .map(|(name, _)| *name),
        );
        self.add_callers(routines, &called, this);
    }

    fn add_table(
        &mut self,
        table: &'a Table,
        types: &BTreeMap<String, Node<'a>>,
        routines: &Routines<'a>,
    ) {
        let name = &table.name;
        let column = |column: &'a str| Node::Column(name, column);
        let constraint = |constraint: &'a str| Node::Constraint(name, constraint);
        for each in &table.columns {
            self.add(Node::Table(name), column(&each.name));
            let element = each.data_type.trim_end_matches("[]");
            if let Some(user_type) = types.get(element) {
                self.add(*user_type, column(&each.name));
            }
        }
        // What an expression names, columns and routines: one tokenization per expression,
        // whatever the width.
        let mut calls: Vec<(Node<'a>, BTreeSet<&'a str>)> = Vec::new();
        let mut named = |text: &str, user: Node<'a>| -> Vec<&'a str> {
            let words = words(text);
            if !routines.by_name.is_empty() {
                calls.push((user, routines.called_among(&words)));
            }
            table
                .columns
                .iter()
                .filter(|column| words.contains(&column.name))
                .map(|column| column.name.as_str())
                .collect()
        };
        for each in table.columns.iter() {
            if let Some(expression) = &each.generated {
                for used in named(expression.as_str(), column(&each.name)) {
                    self.add(column(used), column(&each.name));
                }
            }
            if let Some(default) = &each.default {
                for callee in routines.called_in(default.as_str()) {
                    for routine in &routines.by_name[callee] {
                        let users = self.defaults.entry(*routine).or_default();
                        users.insert(column(&each.name));
                    }
                }
            }
        }
        for check in table.checks.values() {
            for used in named(check.expression.as_str(), constraint(&check.name)) {
                self.add(column(used), constraint(&check.name));
            }
        }
        let mut index_columns = |keys: &mut dyn Iterator<Item = &'a IndexKey>,
                                 include: &'a [String],
                                 predicate: &Option<Expr>,
                                 user: Node<'a>|
         -> BTreeSet<&'a str> {
            let mut used: BTreeSet<&'a str> = include.iter().map(String::as_str).collect();
            for key in keys {
                match &key.target {
                    IndexTarget::Column(name) => {
                        used.insert(name);
                    }
                    IndexTarget::Expression(expression) => {
                        used.extend(named(expression.as_str(), user))
                    }
                }
            }
            if let Some(predicate) = predicate {
                used.extend(named(predicate.as_str(), user));
            }
            used
        };
        for index in table.indexes.values() {
            let this = Node::Index(name, &index.name);
            let used = index_columns(
                &mut index.keys.iter(),
                &index.include,
                &index.predicate,
                this,
            );
            for used in used {
                self.add(column(used), this);
            }
        }
        for exclusion in table.exclusions.values() {
            let mut keys = exclusion.elements.iter().map(|element| &element.key);
            let this = constraint(&exclusion.name);
            let used = index_columns(&mut keys, &exclusion.include, &exclusion.predicate, this);
            for used in used {
                self.add(column(used), this);
            }
        }
        for (user, called) in calls {
            self.add_callers(routines, &called, user);
        }
        for trigger in table.triggers.values() {
            self.add_trigger(routines, trigger, Node::Trigger(name, &trigger.name));
        }
        for policy in table.policies.values() {
            let this = Node::Policy(name, &policy.name);
            for expression in [&policy.using, &policy.with_check].into_iter().flatten() {
                let called = routines.called_in(expression.as_str());
                self.add_callers(routines, &called, this);
            }
        }
        // A key needs its INCLUDE columns as much as its key columns.
        let keys = table
            .primary_key
            .iter()
            .map(|key| (&key.name, key.columns.iter().chain(&key.include)))
            .map(|(key, columns)| (key, columns.collect::<Vec<_>>()))
            .chain(table.uniques.values().map(|key| {
                let columns = key.columns.iter().chain(&key.include).collect::<Vec<_>>();
                (&key.name, columns)
            }))
            .chain(
                table
                    .foreign_keys
                    .values()
                    .map(|key| (&key.name, key.columns.iter().collect())),
            );
        for (key, columns) in keys {
            for used in columns {
                self.add(column(used), constraint(key));
            }
        }
    }

    /// A view reading a function that returns a row type (`RETURNS SETOF items`) needs the
    /// columns of that table, view or composite type it reads, as `pg_depend` records; the
    /// query names only the function.
    fn add_views_over_returned_row_types(&mut self, schema: &'a Schema) {
        let returned_types: BTreeSet<&str> = schema
            .functions
            .values()
            .filter_map(|function| match &function.returns {
                Some(Returns::Type { data_type, .. }) => Some(data_type.as_str()),
                _ => None,
            })
            .collect();
        if returned_types.is_empty() {
            return;
        }
        let row_types: BTreeMap<String, Node<'a>> = (schema.tables.keys().map(Node::Table))
            .chain(schema.views.keys().map(Node::View))
            .chain(schema.composite_types.keys().map(Node::CompositeType))
            .filter_map(|node| {
                let (Node::Table(name) | Node::View(name) | Node::CompositeType(name)) = node
                else {
                    return None;
                };
                let spelled = quote::type_name(name);
                returned_types
                    .contains(spelled.as_str())
                    .then_some((spelled, node))
            })
            .collect();
        let mut returned: BTreeMap<&str, Vec<Node<'a>>> = BTreeMap::new();
        for function in schema.functions.values() {
            if let Some(Returns::Type { data_type, .. }) = &function.returns {
                if let Some(row_type) = row_types.get(data_type.as_str()) {
                    returned
                        .entry(&function.name.name)
                        .or_default()
                        .push(*row_type);
                }
            }
        }
        if returned.is_empty() {
            return;
        }
        for view in schema.views.values() {
            let dependent = Node::View(&view.name);
            let words = words(view.definition.as_str());
            for (function, row_types) in &returned {
                if !words.contains(*function) {
                    continue;
                }
                for row_type in row_types {
                    if *row_type != dependent {
                        self.add(*row_type, dependent);
                    }
                }
            }
        }
    }

    /// A foreign key needs every key of the referenced table over its referenced columns
    /// (which one PostgreSQL picked, `conindid`, the model does not say), and the columns
    /// it references.
    fn add_foreign_keys(&mut self, schema: &'a Schema) {
        for table in schema.tables.values() {
            for foreign_key in table.foreign_keys.values() {
                let dependent = Node::Constraint(&table.name, &foreign_key.name);
                let referenced_name = &foreign_key.referenced_table;
                let Some(referenced) = schema.tables.get(referenced_name) else {
                    continue;
                };
                let wanted: BTreeSet<&String> = foreign_key.referenced_columns.iter().collect();
                let same = |columns: &[String]| columns.iter().collect::<BTreeSet<_>>() == wanted;
                let mut keys: Vec<Node<'a>> = referenced
                    .primary_key
                    .iter()
                    .filter(|key| same(&key.columns))
                    .map(|key| Node::Constraint(referenced_name, &key.name))
                    .collect();
                keys.extend(
                    referenced
                        .uniques
                        .values()
                        .filter(|key| same(&key.columns))
                        .map(|key| Node::Constraint(referenced_name, &key.name)),
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
                        .map(|index| Node::Index(referenced_name, &index.name)),
                );
                keys.extend(
                    foreign_key
                        .referenced_columns
                        .iter()
                        .map(|column| Node::Column(referenced_name, column)),
                );
                for key in keys {
                    self.add(key, dependent);
                }
            }
        }
    }
}

/// The routines of a schema by bare name, as a call names them.
struct Routines<'a> {
    by_name: BTreeMap<&'a str, Vec<Node<'a>>>,
}

impl<'a> Routines<'a> {
    /// Also adds each routine's edges: the types of its signature, and the routines its
    /// SQL-standard body or an argument's default calls (PostgreSQL records those; another
    /// body is opaque).
    fn of(
        schema: &'a Schema,
        types: &BTreeMap<String, Node<'a>>,
        graph: &mut Graph<'a>,
    ) -> Routines<'a> {
        let mut by_name: BTreeMap<&'a str, Vec<Node<'a>>> = BTreeMap::new();
        for function in schema.functions.values() {
            let this = Node::Function(&function.name);
            by_name.entry(&function.name.name).or_default().push(this);
            for data_type in signature_types(function) {
                if let Some(user_type) = types.get(data_type.trim_end_matches("[]")) {
                    graph.add(*user_type, this);
                }
            }
        }
        // Called by name like a function; its support functions are `pg_depend`'s.
        for aggregate in schema.aggregates.values() {
            let this = Node::Aggregate(&aggregate.name);
            by_name.entry(&aggregate.name.name).or_default().push(this);
        }
        let routines = Routines { by_name };
        for function in schema.functions.values() {
            let this = Node::Function(&function.name);
            if let FunctionBody::Sql(body) = &function.body {
                graph.add_callers(&routines, &routines.called_in(body), this);
            }
            // PostgreSQL records the routines an argument's default calls, whatever the body.
            for default in function
                .arguments
                .iter()
                .filter_map(|argument| argument.default.as_ref())
            {
                graph.add_callers(&routines, &routines.called_in(default.as_str()), this);
            }
        }
        routines
    }

    /// The routine names `text` uses (one tokenization).
    fn called_in(&self, text: &str) -> BTreeSet<&'a str> {
        match self.by_name.is_empty() {
            true => BTreeSet::new(),
            false => self.called_among(&words(text)),
        }
    }

    /// An expression has few words, a schema may have many routines: looked up by word.
    fn called_among(&self, words: &BTreeSet<String>) -> BTreeSet<&'a str> {
        words
            .iter()
            .filter_map(|word| self.by_name.get_key_value(word.as_str()))
            .map(|(name, _)| *name)
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
fn user_types(schema: &Schema) -> BTreeMap<String, Node<'_>> {
    let enums = schema
        .enums
        .keys()
        .map(|name| (quote::type_name(name), Node::Enum(name)));
    let domains = schema
        .domains
        .keys()
        .map(|name| (quote::type_name(name), Node::Domain(name)));
    let composites = schema
        .composite_types
        .keys()
        .map(|name| (quote::type_name(name), Node::CompositeType(name)));
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

    #[test]
    fn a_sql_standard_body_calling_an_aggregate_needs_it() {
        let schema = schema(
            "CREATE TABLE items (qty integer);
             CREATE AGGREGATE total(integer) (SFUNC = int4pl, STYPE = integer);
             CREATE FUNCTION grand_total() RETURNS integer LANGUAGE sql
                 RETURN (SELECT total(qty) FROM items);
             CREATE FUNCTION opaque() RETURNS integer LANGUAGE sql
                 AS $$ SELECT total(qty) FROM items $$;
             CREATE VIEW v AS SELECT grand_total() AS g;",
        );
        let aggregate = schema.aggregates.keys().next().expect("the aggregate");
        let reached =
            Graph::of(&schema).dependents_of(&[ObjectRef::Aggregate(aggregate.clone())].into());
        let function = |bare: &str| {
            let key = schema.functions.keys().find(|key| key.name == bare);
            ObjectRef::Function(key.expect("the function").clone())
        };
        assert!(reached.contains(&function("grand_total")));
        assert!(reached.contains(&ObjectRef::View(name("v"))));
        assert!(!reached.contains(&function("opaque")));
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
        let one = schema.functions.keys().find(|key| key.name == "one");
        let one = ObjectRef::Function(one.expect("the function").clone());
        assert_eq!(reached, [ObjectRef::View(name("w")), one].into());
    }

    #[test]
    fn a_routine_needs_the_views_its_signature_and_sql_standard_body_read() {
        let schema = schema(
            "CREATE TABLE items (id integer PRIMARY KEY, price numeric);
             CREATE VIEW cheap AS SELECT id, price FROM items WHERE price < 20;
             CREATE FUNCTION cheap_rows() RETURNS SETOF cheap LANGUAGE sql AS $$ SELECT 1 $$;
             CREATE FUNCTION cheap_count() RETURNS bigint LANGUAGE sql
                 RETURN (SELECT count(*) FROM cheap);
             CREATE VIEW again AS SELECT id FROM cheap_rows();",
        );
        let function = |bare: &str| {
            let key = schema.functions.keys().find(|key| key.name == bare);
            ObjectRef::Function(key.expect("the function").clone())
        };
        let objects = [
            ObjectRef::View(name("again")),
            function("cheap_count"),
            function("cheap_rows"),
            ObjectRef::View(name("cheap")),
        ];
        let needed = Graph::with_routine_reads(&schema).needed_among(&objects);
        assert_eq!(needed, [[2, 3].into(), [3].into(), [3].into(), [].into()]);
        let without_reads = Graph::of(&schema).needed_among(&objects);
        assert_eq!(without_reads[1], [].into());
    }
}
