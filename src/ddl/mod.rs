//! Stage 1 without a server: a DDL interpreter that replays SQL (the `.up.sql` files of
//! `migrations/`, or a `schema.sql`) into the schema model, as the catalog would read it
//! back from a database those statements ran on.
//!
//! It reads every statement kind autogen emits and the common hand-written DDL for the
//! object kinds autogen models. A statement it cannot interpret is an error naming the
//! file, line and statement; nothing is skipped silently. Statements that cannot change
//! the model (data changes, session settings, ownership, privileges on what it does not
//! hold) are accepted as such.
//! `create`, `alter` and `drop` hold the statements, `clauses` their shared clauses,
//! `triggers` the statements of
//! triggers, policies and row-level security, `partitions` partitioning and inheritance,
//! `privileges` GRANT, REVOKE and default privileges, `search_path` where unqualified names
//! are created and found (`SET search_path`).

mod adopt_index;
mod aggregates;
mod alter;
mod children;
mod clauses;
mod collations;
mod comments;
mod create;
mod drop;
mod exclusion;
mod functions;
mod journal;
mod owners;
mod partition_bounds;
mod partition_indexes;
mod partitions;
mod privileges;
mod ranges;
mod search_path;
mod transition;
mod triggers;
mod types;

use std::cell::{RefCell, RefMut};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use sqlparser::tokenizer::Token;

use crate::cursor::Cursor;
use crate::error::{Error, Location, Result};
use crate::guard::{self, Fragment};
use crate::model::{
    CheckConstraint, CheckOption, Column, Compression, Deferrable, Directives, Enum,
    ExclusionConstraint, Expr, Extension, ForeignKey, Identity, Index, IndexKey, IndexTarget,
    MatchType, ObjectRef, PrimaryKey, PrivilegeObject, QualifiedName, ReferentialAction, Schema,
    Sequence, SequenceOptions, Table, UniqueConstraint, View, ViewOptions, MAX_COLUMNS,
};
use crate::references::nextval_sequence;
use crate::references::{index_mentions, mentions};
use crate::spec::{Loaded, SourceMap};
use crate::syntax::names::choose_name;
use crate::syntax::statements::for_each_statement;
use crate::syntax::{names, quote};
pub use clauses::expression_column_name;
use clauses::*;
pub use exclusion::exclusion_definition;
pub use journal::StatementEffect;
pub use partition_bounds::{check_bound, partition_bound, partition_key};
pub use triggers::trigger_definition;

type Outcome<T = ()> = std::result::Result<T, String>;

/// The schema a `.sql` schema file describes, and where it declares each object.
pub fn load(path: &Path) -> Result<Loaded> {
    let bytes = crate::fs::read_input(path)?;
    let text = String::from_utf8(bytes).map_err(|_| Error::Replay {
        path: path.to_path_buf(),
        line: 1,
        statement: String::new(),
        message: "the file is not UTF-8 text".to_string(),
    })?;
    let mut interpreter = Interpreter::new();
    interpreter.run(&text, path)?;
    drop(text);
    Ok(interpreter.into_loaded())
}

/// The schema that running `files` (each a path and its SQL text, such as the upgrades of
/// revisions), in order, on an empty database produces.
pub fn replay<'a>(files: impl IntoIterator<Item = (&'a Path, &'a str)>) -> Result<Schema> {
    let mut interpreter = Interpreter::new();
    for (path, text) in files {
        interpreter.run(text, path)?;
    }
    Ok(interpreter.into_schema())
}

/// Replays SQL files, in order, into one schema.
#[derive(Debug, Clone)]
pub struct Interpreter {
    schema: journal::Model,
    /// Every sequence but identity ones, including those `serial` created.
    sequences: BTreeMap<QualifiedName, Sequence>,
    /// Index and constraint names, for default names and existence checks in constant time.
    names: RefCell<NameRegistry>,
    /// Each table's children, so recursing to them never scans every table.
    children: RefCell<children::ChildIndex>,
    /// Where each object was first declared, to point server errors at a line.
    declarations: BTreeMap<ObjectRef, Location>,
    /// The line of the statement being interpreted.
    line: usize,
    /// What the statement being interpreted changed, while `interpret_statement` asks.
    journal: Option<journal::Journal>,
    /// What `rollback` undoes, since `savepoint`: each statement's journal and the rest of
    /// the schema before it, when the statement changed the rest.
    undo_log: Option<Vec<(journal::Journal, Option<Schema>)>>,
    /// What children take from their parents that the model leaves out.
    hierarchy: partitions::Hierarchy,
    /// The role of `SET ROLE`, which owns what is created next; `None` for the role running
    /// the script.
    role: Option<String>,
    /// Where unqualified names are created and looked up (`SET search_path`).
    search_path: search_path::SearchPath,
    /// `guard::fragment`'s verdict on each type name met so far: a schema spells few distinct
    /// types, thousands of times, and checking one means parsing it.
    checked_types: RefCell<HashMap<String, Outcome<String>>>,
}

/// Index, key and constraint names by schema, derived from the tables and materialized
/// views. Refreshed lazily: only the relations changed since the last lookup are read
/// again, so a replay stays linear in the size of the schema.
#[derive(Debug, Clone, Default)]
struct NameRegistry {
    /// (schema, index or key name) → the table or materialized view it belongs to.
    index_owners: HashMap<QualifiedName, QualifiedName>,
    /// (schema, constraint name) → how many tables have a constraint of that name.
    constraints: HashMap<QualifiedName, usize>,
    /// What each relation put into the two maps, to take it out when the relation changes.
    contributed: HashMap<QualifiedName, Contribution>,
    /// Relations changed since the last refresh.
    changed: BTreeSet<QualifiedName>,
    /// Set when a statement touched relations it did not name; everything is read again.
    stale: bool,
}

#[derive(Debug, Clone, Default)]
struct Contribution {
    indexes: Vec<QualifiedName>,
    constraints: Vec<QualifiedName>,
}

/// A table and one of its columns.
type ColumnRef = (QualifiedName, String);

impl Default for Interpreter {
    fn default() -> Self {
        Interpreter::new()
    }
}

impl Interpreter {
    /// An empty database: only `public`.
    pub fn new() -> Interpreter {
        let mut schema = Schema::default();
        schema.schemas.insert("public".to_string());
        Interpreter {
            schema: schema.into(),
            sequences: BTreeMap::new(),
            names: RefCell::new(NameRegistry::default()),
            children: RefCell::default(),
            declarations: BTreeMap::new(),
            line: 1,
            journal: None,
            undo_log: None,
            hierarchy: partitions::Hierarchy::default(),
            role: None,
            search_path: search_path::SearchPath::default(),
            checked_types: RefCell::default(),
        }
    }

    /// Runs every statement of `text`; the first one that cannot be interpreted stops it.
    pub fn run(&mut self, text: &str, path: &Path) -> Result<()> {
        for_each_statement(text, path, |statement| {
            self.line = statement.line;
            let sql = statement.sql;
            self.statement(Cursor::from_tokens(sql, statement.tokens))
                .map_err(|message| Error::Replay {
                    path: path.to_path_buf(),
                    line: statement.line,
                    statement: first_line(sql),
                    message,
                })
        })?;
        Ok(())
    }

    /// Where the statements so far declared each object.
    pub fn source_map(&self) -> SourceMap {
        SourceMap::new(self.declarations.clone())
    }

    /// Records the current statement as where `object` was declared, unless it was earlier.
    fn declared(&mut self, object: ObjectRef) {
        let location = Location {
            line: self.line,
            column: 1,
        };
        self.declarations.entry(object).or_insert(location);
    }

    /// The schema the statements so far produced, as the catalog would read it.
    pub fn schema(&self) -> Schema {
        self.read_back((*self.schema).clone())
    }

    /// `schema`, without copying the interpreter's.
    pub fn into_schema(mut self) -> Schema {
        let schema = std::mem::take(&mut self.schema).into_schema();
        self.read_back(schema)
    }

    /// `into_schema` and `source_map`.
    pub fn into_loaded(mut self) -> Loaded {
        let declarations = std::mem::take(&mut self.declarations);
        Loaded {
            schema: self.into_schema(),
            source_map: SourceMap::new(declarations),
        }
    }

    /// The interpreter's schema `schema` as the catalog would read it back.
    fn read_back(&self, mut schema: Schema) -> Schema {
        let identity = privileges::identity_sequences(&schema.tables).collect();
        // Children hold every column, as `pg_attribute` does; the model keeps what they
        // declare, and reports what it cannot, as the catalog does. Before `serial` folds,
        // so partitions compare with the parent's integer.
        crate::inheritance::keep_declared_columns(&mut schema, &self.hierarchy.inherited_only);
        // The tables are complete: no room to grow, since a diff holds two models at once.
        for table in schema.tables.values_mut() {
            table.columns.shrink_to_fit();
        }
        schema.sequences = fold_serials(
            &mut schema.tables,
            |name| self.sequences.get(name),
            &self.sequences,
        );
        self.existing_privileges(&mut schema, &identity);
        schema.keep_existing_owners();
        schema
    }

    fn statement(&mut self, cursor: Cursor<'_>) -> Outcome {
        self.children.get_mut().settle(&self.schema.tables);
        let mut cursor = cursor.in_schema(self.creation_schema());
        if cursor.eat_keyword("CREATE") {
            let or_replace = cursor.eat_keywords(&["OR", "REPLACE"]);
            if cursor.eat_keyword("SCHEMA") {
                self.create_schema(&mut cursor)
            } else if cursor.eat_keyword("EXTENSION") {
                self.create_extension(&mut cursor)
            } else if cursor.eat_keyword("COLLATION") {
                self.create_collation(&mut cursor)
            } else if cursor.eat_keyword("TYPE") {
                self.create_type(&mut cursor)
            } else if cursor.eat_keyword("DOMAIN") {
                self.create_domain(&mut cursor)
            } else if cursor.eat_keyword("TABLE") {
                self.create_table(&mut cursor, false)
            } else if cursor.eat_keywords(&["UNLOGGED", "TABLE"]) {
                self.create_table(&mut cursor, true)
            } else if cursor.eat_keywords(&["UNIQUE", "INDEX"]) {
                self.create_index(&mut cursor, true)
            } else if cursor.eat_keyword("INDEX") {
                self.create_index(&mut cursor, false)
            } else if cursor.eat_keyword("VIEW") {
                self.create_view(&mut cursor, false, or_replace)
            } else if cursor.eat_keywords(&["MATERIALIZED", "VIEW"]) {
                self.create_view(&mut cursor, true, or_replace)
            } else if cursor.eat_keyword("SEQUENCE") {
                self.create_sequence(&mut cursor)
            } else if cursor.eat_keyword("FUNCTION") {
                self.create_function(&mut cursor, or_replace, false)
            } else if cursor.eat_keyword("PROCEDURE") {
                self.create_function(&mut cursor, or_replace, true)
            } else if cursor.eat_keyword("AGGREGATE") {
                self.create_aggregate(&mut cursor, or_replace)
            } else if cursor.eat_keyword("TRIGGER") {
                self.create_trigger(&mut cursor, or_replace, false)
            } else if cursor.eat_keywords(&["CONSTRAINT", "TRIGGER"]) {
                self.create_trigger(&mut cursor, or_replace, true)
            } else if cursor.eat_keyword("POLICY") {
                self.create_policy(&mut cursor)
            } else {
                Err(unsupported(&cursor))
            }
        } else if cursor.eat_keyword("GRANT") {
            self.grant(&mut cursor)
        } else if cursor.eat_keyword("REVOKE") {
            self.revoke(&mut cursor)
        } else if cursor.eat_keyword("ALTER") {
            if cursor.eat_keywords(&["DEFAULT", "PRIVILEGES"]) {
                self.alter_default_privileges(&mut cursor)
            } else if cursor.eat_keyword("TABLE") {
                self.alter_table(&mut cursor)
            } else if cursor.eat_keyword("TYPE") {
                self.alter_type(&mut cursor)
            } else if cursor.eat_keyword("DOMAIN") {
                self.alter_domain(&mut cursor)
            } else if cursor.eat_keyword("INDEX") {
                self.alter_index(&mut cursor)
            } else if cursor.eat_keyword("VIEW") || cursor.eat_keywords(&["MATERIALIZED", "VIEW"]) {
                self.alter_view(&mut cursor)
            } else if cursor.eat_keyword("SEQUENCE") {
                self.alter_sequence(&mut cursor)
            } else if cursor.eat_keyword("FUNCTION")
                || cursor.eat_keyword("PROCEDURE")
                || cursor.eat_keyword("ROUTINE")
            {
                self.alter_function(&mut cursor)
            } else if cursor.eat_keyword("TRIGGER") {
                self.alter_trigger(&mut cursor)
            } else if cursor.eat_keyword("POLICY") {
                self.alter_policy(&mut cursor)
            } else if cursor.eat_keyword("EXTENSION") {
                self.alter_extension(&mut cursor)
            } else if cursor.eat_keyword("COLLATION") {
                self.alter_collation(&mut cursor)
            } else if cursor.eat_keyword("AGGREGATE") {
                self.alter_aggregate(&mut cursor)
            } else if cursor.eat_keyword("SCHEMA") {
                let schema = cursor.identifier()?;
                self.require_schema(&schema)?;
                if !cursor.is_keywords(&["OWNER", "TO"]) {
                    return Err(not_modelled("schema renames"));
                }
                self.owner_to(&mut cursor, PrivilegeObject::Schema(schema))?;
                cursor.expect_end()
            } else {
                Err(unsupported(&cursor))
            }
        } else if cursor.eat_keyword("DROP") {
            self.drop(&mut cursor)
        } else if cursor.eat_keywords(&["COMMENT", "ON"]) {
            self.comment(&mut cursor)
        } else if [
            "INSERT", "UPDATE", "DELETE", "SELECT", "WITH", "TRUNCATE", "VALUES", "COPY",
        ]
        .iter()
        .any(|keyword| cursor.is_keyword(keyword))
        {
            self.note(|journal| journal.unmodelled = Some("changes rows, not the schema"));
            Ok(())
        } else if cursor.is_keyword("DO") {
            // Procedural code the model cannot follow: only the batched backfill autogen
            // writes, which changes rows only.
            let table = crate::sql::backfilled_table(cursor.statement_text())
                .ok_or_else(|| not_modelled("DO blocks other than autogen's batched backfills"))?;
            self.table(&table)?;
            self.note(|journal| journal.unmodelled = Some("changes rows, not the schema"));
            Ok(())
        } else if let Some(role) = privileges::set_role(&mut cursor)? {
            self.role = role;
            Ok(())
        } else if self.set_search_path(&mut cursor)? {
            Ok(())
        } else if ["SET", "RESET"]
            .iter()
            .any(|keyword| cursor.is_keyword(keyword))
        {
            // A session setting.
            Ok(())
        } else if ["ANALYZE", "VACUUM", "REFRESH", "LOCK"]
            .iter()
            .any(|keyword| cursor.is_keyword(keyword))
        {
            self.note(|journal| journal.unmodelled = Some("maintenance is not part of the model"));
            Ok(())
        } else {
            Err(unsupported(&cursor))
        }
    }

    /// A column type as written, with a reference to a known enum, domain or composite type
    /// spelled as `format_type`
    /// does; `normalize` canonicalizes the built-in ones.
    fn type_text(&self, text: &str) -> Outcome<String> {
        let checked = self
            .checked_types
            .borrow_mut()
            .entry(text.to_string())
            .or_insert_with(|| {
                guard::fragment(Fragment::TypeName, text)
                    .map_err(|message| format!("type {message}"))
            })
            .clone()?;
        let collapsed = checked.split_whitespace().collect::<Vec<_>>().join(" ");
        let reference = type_reference_parts(&collapsed)
            .and_then(|(parts, arrays)| Some((self.user_type(&parts)?, arrays)));
        Ok(match reference {
            Some((name, arrays)) => format!("{}{arrays}", quote::type_name(&name)),
            None => collapsed,
        })
    }

    fn require_schema(&self, name: &str) -> Outcome {
        guard::managed_schema(name)?;
        match self.schema.schemas.contains(name) {
            true => Ok(()),
            false => Err(format!("schema {name} does not exist")),
        }
    }

    fn table(&self, name: &QualifiedName) -> Outcome<&Table> {
        self.schema
            .tables
            .get(name)
            .ok_or_else(|| format!("table {name} does not exist"))
    }

    fn table_mut(&mut self, name: &QualifiedName) -> Outcome<&mut Table> {
        self.journal_table(name);
        self.names.get_mut().changed.insert(name.clone());
        self.schema
            .tables_mut()
            .get_mut(name)
            .ok_or_else(|| format!("table {name} does not exist"))
    }

    /// The table or materialized view an index (or key constraint's index) belongs to.
    fn index_owner(&self, name: &QualifiedName) -> Option<QualifiedName> {
        self.names().index_owners.get(name).cloned()
    }

    /// Whether a table, view, sequence or index (including a key's) has this name.
    fn relation_exists(&self, name: &QualifiedName) -> bool {
        self.schema.tables.contains_key(name)
            || self.schema.views.contains_key(name)
            || self.sequences.contains_key(name)
            || self.index_owner(name).is_some()
    }

    /// Whether a table of `schema` has a constraint called `name`.
    fn constraint_name_taken(&self, schema: &str, name: &str) -> bool {
        self.names()
            .constraints
            .contains_key(&QualifiedName::new(schema, name))
    }

    /// Marks every relation as changed: for statements that reach beyond the relation
    /// they name (drops with their dependents, renames).
    fn touch_all(&mut self) {
        self.names.get_mut().stale = true;
    }

    /// The name registry, brought up to date.
    fn names(&self) -> RefMut<'_, NameRegistry> {
        let mut names = self.names.borrow_mut();
        let relations: Vec<QualifiedName> = match names.stale {
            true => {
                *names = NameRegistry::default();
                self.schema
                    .tables
                    .keys()
                    .chain(self.schema.views.keys())
                    .cloned()
                    .collect()
            }
            false => std::mem::take(&mut names.changed).into_iter().collect(),
        };
        for relation in relations {
            if let Some(old) = names.contributed.remove(&relation) {
                for index in old.indexes {
                    if names.index_owners.get(&index) == Some(&relation) {
                        names.index_owners.remove(&index);
                    }
                }
                for constraint in old.constraints {
                    if let Some(count) = names.constraints.get_mut(&constraint) {
                        *count -= 1;
                        if *count == 0 {
                            names.constraints.remove(&constraint);
                        }
                    }
                }
            }
            let in_schema =
                |name: &String| QualifiedName::new(relation.schema.clone(), name.clone());
            let contribution = match (
                self.schema.tables.get(&relation),
                self.schema.views.get(&relation),
            ) {
                (Some(table), _) => Contribution {
                    indexes: table
                        .indexes
                        .keys()
                        .chain(table.uniques.keys())
                        .chain(table.exclusions.keys())
                        .chain(table.primary_key.iter().map(|key| &key.name))
                        .chain(self.hierarchy.inherited_index_names(&relation))
                        .map(in_schema)
                        .collect(),
                    constraints: constraint_names(table).iter().map(in_schema).collect(),
                },
                (None, Some(view)) => Contribution {
                    indexes: view.indexes.keys().map(in_schema).collect(),
                    constraints: Vec::new(),
                },
                (None, None) => continue,
            };
            for index in &contribution.indexes {
                names.index_owners.insert(index.clone(), relation.clone());
            }
            for constraint in &contribution.constraints {
                *names.constraints.entry(constraint.clone()).or_default() += 1;
            }
            names.contributed.insert(relation, contribution);
        }
        names
    }

    /// PostgreSQL's `ChooseRelationName`: the default name, or with 1, 2, ... appended to
    /// the label until no relation in the schema has it (nor, for a key's index, any
    /// constraint).
    fn choose_relation_name(
        &self,
        schema: &str,
        (name1, name2): (&str, Option<&str>),
        label: &str,
        for_constraint: bool,
    ) -> String {
        let taken = |candidate: &str| {
            self.relation_exists(&QualifiedName::new(schema, candidate))
                || (for_constraint && self.constraint_name_taken(schema, candidate))
        };
        choose_name(
            taken,
            |label| names::make_object_name(name1, name2, label),
            label,
        )
    }
}

/// Folds the `serial` columns of `tables` back as the catalog reads them (`sequence` finds a
/// sequence by name), and returns the sequences of `candidates` no folded column owns.
fn fold_serials<'a>(
    tables: &mut BTreeMap<QualifiedName, Table>,
    sequence: impl Fn(&QualifiedName) -> Option<&'a Sequence>,
    candidates: &BTreeMap<QualifiedName, Sequence>,
) -> BTreeMap<QualifiedName, Sequence> {
    let mut folded = BTreeSet::new();
    for table in tables.values_mut() {
        for column in &mut table.columns {
            if let Some((serial, sequence_name)) = serial_type(&sequence, &table.name, column) {
                folded.insert(sequence_name);
                column.data_type = serial.to_string();
                column.default = None;
            }
        }
    }
    candidates
        .iter()
        .filter(|(name, _)| !folded.contains(*name))
        .map(|(name, sequence)| (name.clone(), sequence.clone()))
        .collect()
}

/// `serial` and friends: an integer column whose default is `nextval` of a sequence it
/// owns that still has the options `serial` gave it; with that sequence's name.
fn serial_type<'a>(
    sequence: &impl Fn(&QualifiedName) -> Option<&'a Sequence>,
    table: &QualifiedName,
    column: &Column,
) -> Option<(&'static str, QualifiedName)> {
    let default = column.default.as_ref()?;
    let sequence_name = nextval_sequence(default.as_str())?;
    let sequence = sequence(&sequence_name)?;
    let owned = sequence.owned_by.as_ref() == Some(&(table.clone(), column.name.clone()));
    let no_enums = BTreeSet::new();
    let column_type = crate::syntax::types::canonical_type(&column.data_type, &no_enums);
    let as_created = crate::syntax::types::canonical_type(&sequence.data_type, &no_enums)
        == column_type
        && sequence.options.without_defaults(&column_type).is_default()
        && sequence.comment.is_none();
    if !owned || !as_created || column.identity.is_some() {
        return None;
    }
    let serial = match column_type.as_str() {
        "integer" => "serial",
        "bigint" => "bigserial",
        "smallint" => "smallserial",
        _ => return None,
    };
    Some((serial, sequence_name))
}

/// The schemas `relations` has keys in, one range lookup each rather than a walk of every
/// key: names hold no NUL, so `schema\0` sorts right after every name of `schema`.
fn key_schemas<V>(relations: &BTreeMap<QualifiedName, V>) -> impl Iterator<Item = &str> {
    let mut next = relations.keys().next();
    std::iter::from_fn(move || {
        let schema = next?.schema.as_str();
        let after = QualifiedName::new(format!("{schema}\0"), "");
        next = relations.range(after..).next().map(|(key, _)| key);
        Some(schema)
    })
}

fn constraint_names(table: &Table) -> BTreeSet<String> {
    table
        .primary_key
        .iter()
        .map(|key| key.name.clone())
        .chain(table.uniques.keys().cloned())
        .chain(table.foreign_keys.keys().cloned())
        .chain(table.checks.keys().cloned())
        .chain(table.exclusions.keys().cloned())
        .collect()
}

fn not_modelled(what: &str) -> String {
    format!("{what} are not part of autogen's model, so they cannot be replayed offline")
}

fn unsupported(cursor: &Cursor<'_>) -> String {
    format!(
        "autogen cannot interpret this statement offline (at {})",
        cursor.found()
    )
}

/// The first line of a statement, cut at 100 characters, for messages.
pub fn first_line(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or_default();
    match line.chars().count() > 100 {
        true => format!("{}...", line.chars().take(100).collect::<String>()),
        false => line.to_string(),
    }
}

#[cfg(test)]
mod functions_tests;
#[cfg(test)]
mod owners_tests;
#[cfg(test)]
mod partitions_tests;
#[cfg(test)]
mod privileges_tests;
#[cfg(test)]
mod tests;
