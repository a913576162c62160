//! Stage 1 without a server: a DDL interpreter that replays SQL (the `.up.sql` files of
//! `migrations/`, or a `schema.sql`) into the schema model, as the catalog would read it
//! back from a database those statements ran on.
//!
//! It reads every statement kind autogen emits and the common hand-written DDL for the
//! object kinds autogen models. A statement it cannot interpret is an error naming the
//! file, line and statement; nothing is skipped silently. Statements that cannot change
//! the model (data changes, session settings, privileges, ownership) are accepted as such.

use std::cell::{RefCell, RefMut};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;

use sqlparser::tokenizer::Token;

use crate::cursor::Cursor;
use crate::error::{Error, Location, Result};
use crate::guard::{self, Fragment};
use crate::migrations::{self, Revision};
use crate::model::{
    CheckConstraint, CheckOption, Column, Deferrable, Enum, Expr, Extension, ForeignKey, Identity,
    Index, IndexKey, IndexTarget, MatchType, ObjectRef, PrimaryKey, QualifiedName,
    ReferentialAction, Schema, Sequence, SequenceOptions, Table, UniqueConstraint, View,
    ViewOptions, MAX_COLUMNS,
};
use crate::references::{index_mentions, mentions};
use crate::spec::{names, Loaded, SourceMap};
use crate::sql::quote;

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
    Ok(Loaded {
        schema: interpreter.schema(),
        source_map: interpreter.source_map(),
    })
}

/// The schema that applying `revisions` (their upgrades, in order) to an empty database
/// produces.
pub fn replay(revisions: &[Revision]) -> Result<Schema> {
    let mut interpreter = Interpreter::new();
    for revision in revisions {
        interpreter.run(&revision.up_text, &revision.up_path)?;
    }
    Ok(interpreter.schema())
}

/// Replays SQL files, in order, into one schema.
#[derive(Debug, Clone)]
pub struct Interpreter {
    schema: Schema,
    /// Every sequence but identity ones, including those `serial` created.
    sequences: BTreeMap<QualifiedName, Sequence>,
    /// Index and constraint names, for default names and existence checks in constant time.
    names: RefCell<NameRegistry>,
    /// Where each object was first declared, to point server errors at a line.
    declarations: BTreeMap<ObjectRef, Location>,
    /// The line of the statement being interpreted.
    line: usize,
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
            schema,
            sequences: BTreeMap::new(),
            names: RefCell::new(NameRegistry::default()),
            declarations: BTreeMap::new(),
            line: 1,
        }
    }

    /// Runs every statement of `text`; the first one that cannot be interpreted stops it.
    pub fn run(&mut self, text: &str, path: &Path) -> Result<()> {
        for statement in migrations::split_statements(text, path)? {
            self.line = statement.line;
            self.statement(&statement.sql)
                .map_err(|message| Error::Replay {
                    path: path.to_path_buf(),
                    line: statement.line,
                    statement: first_line(&statement.sql),
                    message,
                })?;
        }
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
        let mut schema = self.schema.clone();
        for table in schema.tables.values_mut() {
            for column in &mut table.columns {
                if let Some(serial) = self.serial_type(&table.name, column) {
                    column.data_type = serial.to_string();
                    column.default = None;
                }
            }
        }
        let folded: BTreeSet<&QualifiedName> = self
            .schema
            .tables
            .values()
            .flat_map(|table| {
                table.columns.iter().filter_map(|column| {
                    self.serial_type(&table.name, column)?;
                    self.sequences
                        .get_key_value(&nextval_sequence(column.default.as_ref()?.as_str())?)
                        .map(|(name, _)| name)
                })
            })
            .collect();
        schema.sequences = self
            .sequences
            .iter()
            .filter(|(name, _)| !folded.contains(name))
            .map(|(name, sequence)| (name.clone(), sequence.clone()))
            .collect();
        schema
    }

    /// `serial` and friends: an integer column whose default is `nextval` of a sequence it
    /// owns that still has the options `serial` gave it.
    fn serial_type(&self, table: &QualifiedName, column: &Column) -> Option<&'static str> {
        let default = column.default.as_ref()?;
        let sequence_name = nextval_sequence(default.as_str())?;
        let sequence = self.sequences.get(&sequence_name)?;
        let owned = sequence.owned_by.as_ref() == Some(&(table.clone(), column.name.clone()));
        let no_enums = BTreeSet::new();
        let column_type = crate::normalize::canonical_type(&column.data_type, &no_enums);
        let as_created = crate::normalize::canonical_type(&sequence.data_type, &no_enums)
            == column_type
            && sequence.options.without_defaults(&column_type).is_default();
        if !owned || !as_created || column.identity.is_some() {
            return None;
        }
        match column_type.as_str() {
            "integer" => Some("serial"),
            "bigint" => Some("bigserial"),
            "smallint" => Some("smallserial"),
            _ => None,
        }
    }

    fn statement(&mut self, sql: &str) -> Outcome {
        let mut cursor = Cursor::new(sql)?;
        if cursor.eat_keyword("CREATE") {
            let or_replace = cursor.eat_keywords(&["OR", "REPLACE"]);
            if cursor.eat_keyword("SCHEMA") {
                self.create_schema(&mut cursor)
            } else if cursor.eat_keyword("EXTENSION") {
                self.create_extension(&mut cursor)
            } else if cursor.eat_keyword("TYPE") {
                self.create_type(&mut cursor)
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
            } else {
                Err(unsupported(&cursor))
            }
        } else if cursor.eat_keyword("ALTER") {
            if cursor.eat_keyword("TABLE") {
                self.alter_table(&mut cursor)
            } else if cursor.eat_keyword("TYPE") {
                self.alter_type(&mut cursor)
            } else if cursor.eat_keyword("INDEX") {
                self.alter_index(&mut cursor)
            } else if cursor.eat_keyword("VIEW") || cursor.eat_keywords(&["MATERIALIZED", "VIEW"]) {
                self.alter_view(&mut cursor)
            } else if cursor.eat_keyword("SEQUENCE") {
                self.alter_sequence(&mut cursor)
            } else if cursor.eat_keyword("SCHEMA") {
                let schema = cursor.identifier()?;
                self.require_schema(&schema)?;
                match cursor.is_keywords(&["OWNER", "TO"]) {
                    true => Ok(()),
                    false => Err(not_modelled("schema renames")),
                }
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
            // Changes rows, not the schema.
            Ok(())
        } else if [
            "SET", "RESET", "GRANT", "REVOKE", "ANALYZE", "VACUUM", "REFRESH", "LOCK",
        ]
        .iter()
        .any(|keyword| cursor.is_keyword(keyword))
        {
            // Session settings, privileges and maintenance: not part of the model.
            Ok(())
        } else {
            Err(unsupported(&cursor))
        }
    }

    fn create_schema(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.identifier()?;
        cursor.expect_end()?;
        guard::managed_schema(&name)?;
        self.declared(ObjectRef::Schema(name.clone()));
        if !self.schema.schemas.insert(name.clone()) && !if_not_exists {
            return Err(format!("schema {name} already exists"));
        }
        Ok(())
    }

    fn create_extension(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.identifier()?;
        cursor.eat_keyword("WITH");
        let mut schema = None;
        while !cursor.at_end() {
            if cursor.eat_keyword("SCHEMA") {
                schema = Some(cursor.identifier()?);
            } else if cursor.eat_keyword("VERSION") {
                // The model does not hold versions; the catalog does not read them either.
                cursor.string().or_else(|_| cursor.identifier())?;
            } else if !cursor.eat_keyword("CASCADE") {
                return Err(format!("unexpected {}", cursor.found()));
            }
        }
        if self.schema.extensions.contains_key(&name) {
            return match if_not_exists {
                true => Ok(()),
                false => Err(format!("extension {name} already exists")),
            };
        }
        self.schema
            .extensions
            .insert(name.clone(), Extension { name, schema });
        Ok(())
    }

    fn create_type(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.qualified_name()?;
        if !cursor.eat_keywords(&["AS", "ENUM"]) {
            return Err(not_modelled("types other than enums"));
        }
        let mut values = Vec::new();
        cursor.expect(&Token::LParen)?;
        if !cursor.eat(&Token::RParen) {
            loop {
                values.push(cursor.string()?);
                if !cursor.eat(&Token::Comma) {
                    break;
                }
            }
            cursor.expect(&Token::RParen)?;
        }
        cursor.expect_end()?;
        self.require_schema(&name.schema)?;
        if self.schema.enums.contains_key(&name) {
            return Err(format!("type {name} already exists"));
        }
        self.declared(ObjectRef::Enum(name.clone()));
        self.schema.enums.insert(
            name.clone(),
            Enum {
                name,
                values,
                comment: None,
            },
        );
        Ok(())
    }

    fn create_table(&mut self, cursor: &mut Cursor<'_>, unlogged: bool) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.qualified_name()?;
        let elements = cursor.parenthesized_elements_or_empty()?;
        if !cursor.at_end() {
            return Err(not_modelled(
                "table options (INHERITS, PARTITION BY, WITH, TABLESPACE, ...)",
            ));
        }
        self.require_schema(&name.schema)?;
        if self.relation_exists(&name) {
            return match if_not_exists {
                true => Ok(()),
                false => Err(format!("relation {name} already exists")),
            };
        }
        self.declared(ObjectRef::Table(name.clone()));
        self.schema.tables.insert(
            name.clone(),
            Table {
                unlogged,
                ..Table::new(name.clone())
            },
        );
        let mut constraints = Vec::new();
        for mut element in elements {
            if starts_table_constraint(&element) {
                constraints.push(table_constraint(&mut element)?);
                element.expect_end()?;
            } else {
                if element.is_keyword("LIKE") {
                    return Err(not_modelled("CREATE TABLE ... (LIKE ...)"));
                }
                let column_constraints = self.add_column(&name, &mut element)?;
                constraints.extend(column_constraints);
            }
        }
        // The primary key first: a foreign key to the same table may rely on it.
        constraints
            .sort_by_key(|constraint| !matches!(constraint.kind, ConstraintKind::PrimaryKey(_)));
        // Like PostgreSQL, a key that repeats an earlier one (same columns, NULLS and
        // deferrability) is not created again; an unnamed earlier one takes its name.
        let mut kept: Vec<TableConstraint> = Vec::new();
        for constraint in constraints {
            let earlier = kept.iter_mut().find(|earlier| {
                key_columns(earlier).is_some()
                    && key_columns(earlier) == key_columns(&constraint)
                    && earlier.deferrable == constraint.deferrable
            });
            match earlier {
                Some(earlier) => {
                    if earlier.name.is_none() {
                        earlier.name = constraint.name;
                    }
                }
                None => kept.push(constraint),
            }
        }
        let constraints = kept;
        for constraint in constraints {
            self.add_constraint(&name, constraint)?;
        }
        Ok(())
    }

    /// Reads a column definition and adds the column; returns its constraints (keys,
    /// references, checks), which the caller adds once every column exists.
    fn add_column(
        &mut self,
        table_name: &QualifiedName,
        cursor: &mut Cursor<'_>,
    ) -> Outcome<Vec<TableConstraint>> {
        let name = cursor.identifier()?;
        self.declared(ObjectRef::Column(table_name.clone(), name.clone()));
        let type_text = cursor.text_until(|cursor| cursor.is_one_of(COLUMN_OPTION_WORDS))?;
        let mut data_type = self.type_text(&type_text)?;
        let mut column = Column::new(name.clone(), data_type.clone());
        let mut constraints = Vec::new();
        let serial = matches!(
            data_type.to_ascii_lowercase().as_str(),
            "serial" | "serial4" | "bigserial" | "serial8" | "smallserial" | "serial2"
        );
        if serial {
            data_type = match data_type.to_ascii_lowercase().as_str() {
                "bigserial" | "serial8" => "bigint",
                "smallserial" | "serial2" => "smallint",
                _ => "integer",
            }
            .to_string();
            column.data_type = data_type.clone();
            column.nullable = false;
            let sequence = self.choose_relation_name(
                &table_name.schema,
                (&table_name.name, Some(&name)),
                "seq",
                false,
            );
            let sequence_name = QualifiedName::new(table_name.schema.clone(), sequence);
            column.default = Some(Expr::new(format!(
                "nextval({}::regclass)",
                quote::literal(&quote::qualified(&sequence_name))
            )));
            self.sequences.insert(
                sequence_name.clone(),
                Sequence {
                    name: sequence_name,
                    data_type: data_type.clone(),
                    options: SequenceOptions::default(),
                    owned_by: Some((table_name.clone(), name.clone())),
                },
            );
        }
        while !cursor.at_end() {
            let constraint_name = match cursor.eat_keyword("CONSTRAINT") {
                true => Some(cursor.identifier()?),
                false => None,
            };
            if cursor.eat_keywords(&["NOT", "NULL"]) {
                column.nullable = false;
            } else if cursor.eat_keyword("NULL") {
                column.nullable = true;
            } else if cursor.eat_keyword("DEFAULT") {
                column.default = stored_default(default_expression(cursor)?, &column.data_type);
            } else if cursor.eat_keyword("COLLATE") {
                column.collation = Some(cursor.dotted_name()?.join("."));
            } else if cursor.eat_keywords(&["GENERATED", "ALWAYS", "AS", "IDENTITY"]) {
                column.identity = Some(Identity::Always);
                column.identity_options = identity_options(cursor)?;
                column.nullable = false;
            } else if cursor.eat_keywords(&["GENERATED", "BY", "DEFAULT", "AS", "IDENTITY"]) {
                column.identity = Some(Identity::ByDefault);
                column.identity_options = identity_options(cursor)?;
                column.nullable = false;
            } else if cursor.eat_keywords(&["GENERATED", "ALWAYS", "AS"]) {
                column.generated = Some(expression(cursor.parenthesized_text()?)?);
                cursor.expect_keywords(&["STORED"])?;
            } else {
                let kind = if cursor.eat_keywords(&["PRIMARY", "KEY"]) {
                    ConstraintKind::PrimaryKey(vec![name.clone()])
                } else if cursor.eat_keyword("UNIQUE") {
                    ConstraintKind::Unique {
                        columns: vec![name.clone()],
                        nulls_not_distinct: nulls_distinctness(cursor)?,
                    }
                } else if cursor.eat_keyword("CHECK") {
                    check_kind(cursor)?
                } else if cursor.eat_keyword("REFERENCES") {
                    references(cursor, vec![name.clone()])?
                } else {
                    return Err(format!("unexpected {} in column {name}", cursor.found()));
                };
                let deferrable = deferrable(cursor)?;
                constraints.push(TableConstraint {
                    name: constraint_name,
                    kind,
                    deferrable,
                });
            }
        }
        let table = self.table_mut(table_name)?;
        if table.column(&name).is_some() {
            return Err(format!("column {name} of {table_name} already exists"));
        }
        if table.columns.len() == MAX_COLUMNS {
            return Err(format!("tables can have at most {MAX_COLUMNS} columns"));
        }
        table.columns.push(column);
        Ok(constraints)
    }

    fn add_constraint(
        &mut self,
        table_name: &QualifiedName,
        constraint: TableConstraint,
    ) -> Outcome {
        let TableConstraint {
            name,
            kind,
            deferrable,
        } = constraint;
        let table = self.table(table_name)?.clone();
        // PostgreSQL avoids every constraint name of the schema, not only the table's.
        let taken = |candidate: &str| self.constraint_name_taken(&table_name.schema, candidate);
        let name = match (name, &kind) {
            (Some(name), _) => name,
            (None, ConstraintKind::PrimaryKey(_)) => self.choose_relation_name(
                &table_name.schema,
                (&table_name.name, None),
                "pkey",
                true,
            ),
            (None, ConstraintKind::Unique { columns, .. }) => self.choose_relation_name(
                &table_name.schema,
                (&table_name.name, Some(&columns.join("_"))),
                "key",
                true,
            ),
            (None, ConstraintKind::ForeignKey { columns, .. }) => choose_name(
                taken,
                |label| names::make_object_name(&table_name.name, Some(&columns.join("_")), label),
                "fkey",
            ),
            (None, ConstraintKind::Check(expression)) => {
                let referenced: Vec<&Column> = table
                    .columns
                    .iter()
                    .filter(|column| mentions(expression.as_str(), &column.name))
                    .collect();
                let column = match referenced.as_slice() {
                    [only] => Some(only.name.clone()),
                    _ => None,
                };
                choose_name(
                    taken,
                    |label| names::make_object_name(&table_name.name, column.as_deref(), label),
                    "check",
                )
            }
        };
        self.declared(ObjectRef::Constraint(table_name.clone(), name.clone()));
        // Given names need only be unique within the table.
        if constraint_names(&table).contains(&name) {
            return Err(format!("constraint {name} of {table_name} already exists"));
        }
        let known_columns = |columns: &[String]| -> Outcome {
            match columns.iter().find(|column| table.column(column).is_none()) {
                Some(missing) => Err(format!("column {missing} of {table_name} does not exist")),
                None => Ok(()),
            }
        };
        match kind {
            ConstraintKind::PrimaryKey(columns) => {
                known_columns(&columns)?;
                let table = self.table_mut(table_name)?;
                if table.primary_key.is_some() {
                    return Err(format!("{table_name} already has a primary key"));
                }
                for column in &mut table.columns {
                    if columns.contains(&column.name) {
                        column.nullable = false;
                    }
                }
                table.primary_key = Some(PrimaryKey {
                    name,
                    columns,
                    deferrable,
                });
            }
            ConstraintKind::Unique {
                columns,
                nulls_not_distinct,
            } => {
                known_columns(&columns)?;
                self.table_mut(table_name)?.uniques.insert(
                    name.clone(),
                    UniqueConstraint {
                        name,
                        columns,
                        nulls_not_distinct,
                        deferrable,
                    },
                );
            }
            ConstraintKind::ForeignKey {
                columns,
                referenced_table,
                referenced_columns,
                on_delete,
                on_update,
                match_type,
            } => {
                known_columns(&columns)?;
                let target = self.table(&referenced_table)?;
                let referenced_columns = match referenced_columns {
                    Some(columns) => columns,
                    None => target
                        .primary_key
                        .as_ref()
                        .map(|key| key.columns.clone())
                        .ok_or_else(|| {
                            format!(
                                "there is no primary key for referenced table {referenced_table}"
                            )
                        })?,
                };
                if let Some(missing) = referenced_columns
                    .iter()
                    .find(|column| target.column(column).is_none())
                {
                    return Err(format!(
                        "column {missing} of {referenced_table} does not exist"
                    ));
                }
                self.table_mut(table_name)?.foreign_keys.insert(
                    name.clone(),
                    ForeignKey {
                        name,
                        columns,
                        referenced_table,
                        referenced_columns,
                        on_delete,
                        on_update,
                        deferrable,
                        match_type,
                    },
                );
            }
            ConstraintKind::Check(expression) => {
                self.table_mut(table_name)?
                    .checks
                    .insert(name.clone(), CheckConstraint { name, expression });
            }
        }
        Ok(())
    }

    fn create_index(&mut self, cursor: &mut Cursor<'_>, unique: bool) -> Outcome {
        cursor.eat_keyword("CONCURRENTLY");
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = match cursor.is_keyword("ON") {
            true => None,
            false => Some(cursor.identifier()?),
        };
        cursor.expect_keywords(&["ON"])?;
        cursor.eat_keyword("ONLY");
        let table_name = cursor.qualified_name()?;
        let method = match cursor.eat_keyword("USING") {
            true => cursor.identifier()?,
            false => "btree".to_string(),
        };
        let mut keys = Vec::new();
        for mut element in cursor.parenthesized_elements()? {
            keys.push(index_key(&mut element)?);
        }
        let include = match cursor.eat_keyword("INCLUDE") {
            true => cursor.identifier_list()?,
            false => Vec::new(),
        };
        let nulls_not_distinct = nulls_distinctness(cursor)?;
        if cursor.is_keyword("WITH") || cursor.is_keyword("TABLESPACE") {
            return Err(not_modelled("index storage parameters and tablespaces"));
        }
        let predicate = match cursor.eat_keyword("WHERE") {
            true => Some(expression(cursor.rest()?)?),
            false => None,
        };
        cursor.expect_end()?;
        let name = match name {
            Some(name) => name,
            None => {
                let mut columns: Vec<String> = keys
                    .iter()
                    .map(|key: &IndexKey| match &key.target {
                        IndexTarget::Column(column) => column.clone(),
                        IndexTarget::Expression(expression) => expression_column_name(expression),
                    })
                    .collect();
                columns.extend(include.iter().cloned());
                self.choose_relation_name(
                    &table_name.schema,
                    (&table_name.name, Some(&columns.join("_"))),
                    "idx",
                    false,
                )
            }
        };
        let index_name = QualifiedName::new(table_name.schema.clone(), name.clone());
        if self.relation_exists(&index_name) {
            return match if_not_exists {
                true => Ok(()),
                false => Err(format!("relation {index_name} already exists")),
            };
        }
        self.declared(ObjectRef::Index(table_name.clone(), name.clone()));
        let index = Index {
            name: name.clone(),
            unique,
            method,
            keys,
            include,
            predicate,
            nulls_not_distinct,
        };
        if let Some(view) = self.schema.views.get_mut(&table_name) {
            self.names.get_mut().changed.insert(table_name.clone());
            if !view.materialized {
                return Err(format!(
                    "{table_name} is a view; only materialized views have indexes"
                ));
            }
            view.indexes.insert(name, index);
            return Ok(());
        }
        self.table_mut(&table_name)?.indexes.insert(name, index);
        Ok(())
    }

    fn create_view(
        &mut self,
        cursor: &mut Cursor<'_>,
        materialized: bool,
        or_replace: bool,
    ) -> Outcome {
        self.touch_all();
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.qualified_name()?;
        if cursor.peek() == Some(&Token::LParen) {
            return Err(not_modelled("view column lists"));
        }
        let mut options = ViewOptions::default();
        if cursor.eat_keyword("WITH") {
            if materialized {
                return Err(not_modelled("materialized view storage parameters"));
            }
            set_view_options(cursor, &mut options)?;
        }
        cursor.expect_keywords(&["AS"])?;
        let mut definition = cursor.rest()?;
        for suffix in ["WITH NO DATA", "WITH DATA"] {
            if definition.to_ascii_uppercase().ends_with(suffix) {
                definition.truncate(definition.len() - suffix.len());
                definition = definition.trim_end().to_string();
            }
        }
        if let (query, Some(check_option)) = trailing_check_option(&definition) {
            if materialized {
                return Err("a materialized view has no check option".to_string());
            }
            options.check_option = Some(check_option);
            definition = query.to_string();
        }
        self.require_schema(&name.schema)?;
        let exists = self.relation_exists(&name);
        if exists && if_not_exists {
            return Ok(());
        }
        let replaced = match self.schema.views.get(&name) {
            Some(old) if or_replace && old.materialized == materialized => Some(old.clone()),
            _ if exists => return Err(format!("relation {name} already exists")),
            _ => None,
        };
        let definition = guard::fragment(Fragment::Query, &definition)
            .map(Expr::new)
            .map_err(|message| format!("view query {message}"))?;
        let words = query_words(definition.as_str());
        let depends_on = self
            .schema
            .tables
            .keys()
            .chain(self.schema.views.keys())
            .filter(|relation| **relation != name && words.contains(&relation.name))
            .cloned()
            .collect();
        let view = View {
            name: name.clone(),
            definition,
            materialized,
            // CREATE OR REPLACE replaces the options too.
            options,
            indexes: replaced
                .as_ref()
                .map(|old| old.indexes.clone())
                .unwrap_or_default(),
            comment: replaced.and_then(|old| old.comment),
            depends_on,
        };
        self.declared(ObjectRef::View(name.clone()));
        self.schema.views.insert(name, view);
        Ok(())
    }

    fn create_sequence(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.qualified_name()?;
        let mut sequence = Sequence {
            name: name.clone(),
            data_type: "bigint".to_string(),
            options: SequenceOptions::default(),
            owned_by: None,
        };
        self.sequence_options(cursor, &mut sequence)?;
        self.require_schema(&name.schema)?;
        if self.relation_exists(&name) {
            return match if_not_exists {
                true => Ok(()),
                false => Err(format!("relation {name} already exists")),
            };
        }
        self.declared(ObjectRef::Sequence(name.clone()));
        self.sequences.insert(name, sequence);
        Ok(())
    }

    /// Applies the options of CREATE/ALTER SEQUENCE to `sequence`.
    fn sequence_options(&self, cursor: &mut Cursor<'_>, sequence: &mut Sequence) -> Outcome {
        while !cursor.at_end() {
            if cursor.eat_keywords(&["OWNED", "BY"]) {
                sequence.owned_by = match cursor.eat_keyword("NONE") {
                    true => None,
                    false => Some(self.owner_column(cursor)?),
                };
            } else if cursor.eat_keyword("AS") {
                // A sequence's type is one word: smallint, integer, bigint or an alias.
                let type_name = cursor.identifier()?;
                let no_enums = BTreeSet::new();
                let new_type = crate::normalize::canonical_type(&type_name, &no_enums);
                // Bounds that were the old type's defaults become the new type's.
                let old_defaults = SequenceOptions {
                    increment: sequence.options.increment,
                    ..SequenceOptions::default()
                }
                .effective(&sequence.data_type);
                if sequence.options.max_value == Some(old_defaults.3) {
                    sequence.options.max_value = None;
                }
                if sequence.options.min_value == Some(old_defaults.2) {
                    sequence.options.min_value = None;
                }
                sequence.data_type = new_type;
            } else if cursor.eat_keyword("RESTART") {
                cursor.eat_keyword("WITH");
                if matches!(cursor.peek(), Some(Token::Number(..) | Token::Minus)) {
                    cursor.integer()?;
                }
            } else {
                sequence_option(cursor, &mut sequence.options)?;
            }
        }
        Ok(())
    }

    /// `table.column` or `schema.table.column`, naming an existing column.
    fn owner_column(&self, cursor: &mut Cursor<'_>) -> Outcome<ColumnRef> {
        let parts = cursor.dotted_name()?;
        let (table, column) = match parts.as_slice() {
            [table, column] => (QualifiedName::new("public", table.clone()), column.clone()),
            [schema, table, column] => (
                QualifiedName::new(schema.clone(), table.clone()),
                column.clone(),
            ),
            _ => return Err("OWNED BY needs table.column".to_string()),
        };
        if self.table(&table)?.column(&column).is_none() {
            return Err(format!("column {column} of {table} does not exist"));
        }
        Ok((table, column))
    }

    fn alter_sequence(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let name = cursor.qualified_name()?;
        if !self.sequences.contains_key(&name) {
            return match if_exists {
                true => Ok(()),
                false => Err(format!("sequence {name} does not exist")),
            };
        }
        self.alter_sequence_named(cursor, name)
    }

    /// `ALTER SEQUENCE` (or `ALTER TABLE`, which PostgreSQL accepts too) on an existing one.
    fn alter_sequence_named(&mut self, cursor: &mut Cursor<'_>, name: QualifiedName) -> Outcome {
        let Some(mut sequence) = self.sequences.get(&name).cloned() else {
            return Err(format!("sequence {name} does not exist"));
        };
        if cursor.eat_keywords(&["RENAME", "TO"]) {
            let new_name = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
            cursor.expect_end()?;
            if self.relation_exists(&new_name) {
                return Err(format!("relation {new_name} already exists"));
            }
            self.sequences.remove(&name);
            sequence.name = new_name.clone();
            self.sequences.insert(new_name.clone(), sequence);
            // A default holds the sequence's oid: it reads back with the new name.
            let new_default = Expr::new(format!(
                "nextval({}::regclass)",
                quote::literal(&quote::type_name(&new_name))
            ));
            for table in self.schema.tables.values_mut() {
                for column in &mut table.columns {
                    let calls_it = column
                        .default
                        .as_ref()
                        .and_then(|default| nextval_sequence(default.as_str()))
                        == Some(name.clone());
                    if calls_it {
                        column.default = Some(new_default.clone());
                    }
                }
            }
            return Ok(());
        }
        if cursor.is_keywords(&["OWNER", "TO"]) {
            return Ok(());
        }
        self.sequence_options(cursor, &mut sequence)?;
        self.sequences.insert(name, sequence);
        Ok(())
    }

    fn alter_table(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        cursor.eat_keyword("ONLY");
        let name = cursor.qualified_name()?;
        if !self.schema.tables.contains_key(&name) {
            if self.schema.views.contains_key(&name) {
                return self.alter_view_named(cursor, name);
            }
            if self.sequences.contains_key(&name) {
                return self.alter_sequence_named(cursor, name);
            }
            return match if_exists {
                true => Ok(()),
                false => Err(format!("table {name} does not exist")),
            };
        }
        if cursor.eat_keyword("RENAME") {
            return self.rename_in_table(cursor, &name);
        }
        loop {
            self.table_action(cursor, &name)?;
            if !cursor.eat(&Token::Comma) {
                break;
            }
        }
        cursor.expect_end()
    }

    fn rename_in_table(&mut self, cursor: &mut Cursor<'_>, name: &QualifiedName) -> Outcome {
        if cursor.eat_keyword("TO") {
            let new_name = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
            cursor.expect_end()?;
            return self.rename_table(name, new_name);
        }
        if cursor.eat_keyword("CONSTRAINT") {
            let old = cursor.identifier()?;
            cursor.expect_keywords(&["TO"])?;
            let new = cursor.identifier()?;
            cursor.expect_end()?;
            return self.rename_constraint(name, &old, &new);
        }
        cursor.eat_keyword("COLUMN");
        let old = cursor.identifier()?;
        cursor.expect_keywords(&["TO"])?;
        let new = cursor.identifier()?;
        cursor.expect_end()?;
        self.rename_column(name, &old, &new)
    }

    fn table_action(&mut self, cursor: &mut Cursor<'_>, name: &QualifiedName) -> Outcome {
        if cursor.eat_keyword("ADD") {
            let column_follows = cursor.eat_keyword("COLUMN");
            if !column_follows && starts_table_constraint(cursor) {
                let constraint = table_constraint(cursor)?;
                if cursor.is_keywords(&["NOT", "VALID"]) {
                    return Err(not_modelled("NOT VALID constraints"));
                }
                return self.add_constraint(name, constraint);
            }
            let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
            let mut definition = cursor.until_comma()?;
            let column_name = definition.clone_identifier()?;
            if if_not_exists && self.table(name)?.column(&column_name).is_some() {
                return Ok(());
            }
            let constraints = self.add_column(name, &mut definition)?;
            for constraint in constraints {
                self.add_constraint(name, constraint)?;
            }
            return Ok(());
        }
        if cursor.eat_keyword("DROP") {
            if cursor.eat_keyword("CONSTRAINT") {
                let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
                let constraint = cursor.identifier()?;
                let cascade = drop_behaviour(cursor);
                return self.drop_constraint(name, &constraint, if_exists, cascade);
            }
            cursor.eat_keyword("COLUMN");
            let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
            let column = cursor.identifier()?;
            drop_behaviour(cursor);
            if if_exists && self.table(name)?.column(&column).is_none() {
                return Ok(());
            }
            return self.drop_column(name, &column);
        }
        if cursor.eat_keyword("ALTER") {
            cursor.eat_keyword("COLUMN");
            let column = cursor.identifier()?;
            return self.alter_column(cursor, name, &column);
        }
        if cursor.is_keywords(&["OWNER", "TO"]) {
            cursor.until_comma()?;
            return Ok(());
        }
        if cursor.eat_keywords(&["SET", "LOGGED"]) {
            self.table_mut(name)?.unlogged = false;
            return Ok(());
        }
        if cursor.eat_keywords(&["SET", "UNLOGGED"]) {
            self.table_mut(name)?.unlogged = true;
            return Ok(());
        }
        Err(format!(
            "ALTER TABLE {} is not an action autogen can interpret offline",
            cursor.found()
        ))
    }

    fn alter_column(
        &mut self,
        cursor: &mut Cursor<'_>,
        table_name: &QualifiedName,
        column_name: &str,
    ) -> Outcome {
        let mut column = self
            .table(table_name)?
            .column(column_name)
            .cloned()
            .ok_or_else(|| format!("column {column_name} of {table_name} does not exist"))?;
        if cursor.eat_keyword("TYPE") || cursor.eat_keywords(&["SET", "DATA", "TYPE"]) {
            let type_text = cursor.text_until(|cursor| {
                cursor.is_one_of(&["COLLATE", "USING"]) || cursor.peek() == Some(&Token::Comma)
            })?;
            column.data_type = self.type_text(&type_text)?;
            column.collation = match cursor.eat_keyword("COLLATE") {
                true => Some(cursor.dotted_name()?.join(".")),
                false => None,
            };
            if cursor.eat_keyword("USING") {
                cursor.text_until(|cursor| cursor.peek() == Some(&Token::Comma))?;
            }
        } else if cursor.eat_keywords(&["SET", "DEFAULT"]) {
            let default =
                expression(cursor.text_until(|cursor| cursor.peek() == Some(&Token::Comma))?)?;
            column.default = stored_default(default, &column.data_type);
        } else if cursor.eat_keywords(&["DROP", "DEFAULT"]) {
            column.default = None;
        } else if cursor.eat_keywords(&["SET", "NOT", "NULL"]) {
            column.nullable = false;
        } else if cursor.eat_keywords(&["DROP", "NOT", "NULL"]) {
            column.nullable = true;
        } else if cursor.eat_keywords(&["DROP", "EXPRESSION"]) {
            cursor.eat_keywords(&["IF", "EXISTS"]);
            column.generated = None;
        } else if cursor.eat_keywords(&["DROP", "IDENTITY"]) {
            cursor.eat_keywords(&["IF", "EXISTS"]);
            column.identity = None;
            column.identity_options = SequenceOptions::default();
        } else if cursor.eat_keyword("ADD") {
            column.identity = Some(identity_kind(cursor)?);
            cursor.expect_keywords(&["AS", "IDENTITY"])?;
            column.identity_options = identity_options(cursor)?;
            column.nullable = false;
        } else if cursor.is_keywords(&["SET", "STATISTICS"])
            || cursor.is_keywords(&["SET", "STORAGE"])
            || cursor.is_keywords(&["SET", "COMPRESSION"])
        {
            // Planner and storage settings: not part of the model (nor read by the catalog).
            cursor.until_comma()?;
        } else if cursor.is_keyword("SET") || cursor.is_keyword("RESTART") {
            if column.identity.is_none() {
                return Err(format!(
                    "column {column_name} of {table_name} is not an identity column"
                ));
            }
            while cursor.is_keyword("SET") || cursor.is_keyword("RESTART") {
                if cursor.eat_keywords(&["SET", "GENERATED"]) {
                    column.identity = Some(identity_kind(cursor)?);
                } else if cursor.eat_keyword("RESTART") {
                    cursor.eat_keyword("WITH");
                    if matches!(cursor.peek(), Some(Token::Number(..) | Token::Minus)) {
                        cursor.integer()?;
                    }
                } else {
                    cursor.expect_keywords(&["SET"])?;
                    sequence_option(cursor, &mut column.identity_options)?;
                }
            }
        } else {
            return Err(format!(
                "ALTER COLUMN ... {} is not an action autogen can interpret offline",
                cursor.found()
            ));
        }
        let table = self.table_mut(table_name)?;
        if let Some(slot) = table
            .columns
            .iter_mut()
            .find(|slot| slot.name == column_name)
        {
            *slot = column;
        }
        Ok(())
    }

    fn drop_column(&mut self, table_name: &QualifiedName, column_name: &str) -> Outcome {
        self.touch_all();
        let table = self.table_mut(table_name)?;
        if table.column(column_name).is_none() {
            return Err(format!(
                "column {column_name} of {table_name} does not exist"
            ));
        }
        table.columns.retain(|column| column.name != column_name);
        let involves = |columns: &[String]| columns.iter().any(|column| column == column_name);
        if table
            .primary_key
            .as_ref()
            .is_some_and(|key| involves(&key.columns))
        {
            table.primary_key = None;
        }
        table.uniques.retain(|_, unique| !involves(&unique.columns));
        table.foreign_keys.retain(|_, key| !involves(&key.columns));
        table
            .checks
            .retain(|_, check| !mentions(check.expression.as_str(), column_name));
        table
            .indexes
            .retain(|_, index| !index_mentions(index, column_name));
        for other in self.schema.tables.values_mut() {
            other.foreign_keys.retain(|_, key| {
                key.referenced_table != *table_name || !involves(&key.referenced_columns)
            });
        }
        let owner = (table_name.clone(), column_name.to_string());
        self.sequences
            .retain(|_, sequence| sequence.owned_by.as_ref() != Some(&owner));
        Ok(())
    }

    fn drop_constraint(
        &mut self,
        table_name: &QualifiedName,
        name: &str,
        if_exists: bool,
        cascade: bool,
    ) -> Outcome {
        self.touch_all();
        let table = self.table_mut(table_name)?;
        let removed_key = if table
            .primary_key
            .as_ref()
            .is_some_and(|key| key.name == name)
        {
            table.primary_key.take().map(|key| key.columns)
        } else if let Some(unique) = table.uniques.remove(name) {
            Some(unique.columns)
        } else if table.foreign_keys.remove(name).is_some() || table.checks.remove(name).is_some() {
            None
        } else if if_exists {
            return Ok(());
        } else {
            return Err(format!(
                "constraint {name} of relation {table_name} does not exist"
            ));
        };
        if let (Some(columns), true) = (removed_key, cascade) {
            for other in self.schema.tables.values_mut() {
                other.foreign_keys.retain(|_, key| {
                    key.referenced_table != *table_name || key.referenced_columns != columns
                });
            }
        }
        Ok(())
    }

    fn rename_table(&mut self, old: &QualifiedName, new: QualifiedName) -> Outcome {
        self.touch_all();
        if self.relation_exists(&new) {
            return Err(format!("relation {new} already exists"));
        }
        let mut table = self
            .schema
            .tables
            .remove(old)
            .ok_or_else(|| format!("table {old} does not exist"))?;
        table.name = new.clone();
        self.schema.tables.insert(new.clone(), table);
        for other in self.schema.tables.values_mut() {
            for key in other.foreign_keys.values_mut() {
                if key.referenced_table == *old {
                    key.referenced_table = new.clone();
                }
            }
        }
        for sequence in self.sequences.values_mut() {
            if let Some((table, _)) = &mut sequence.owned_by {
                if table == old {
                    *table = new.clone();
                }
            }
        }
        // A view holds the table's oid: its query reads back with the new name.
        for view in self.schema.views.values_mut() {
            if view.depends_on.remove(old) {
                view.depends_on.insert(new.clone());
                view.definition = rename_in_expression(&view.definition, &old.name, &new.name);
            }
        }
        Ok(())
    }

    fn rename_column(&mut self, table_name: &QualifiedName, old: &str, new: &str) -> Outcome {
        self.touch_all();
        let table = self.table_mut(table_name)?;
        if table.column(new).is_some() {
            return Err(format!("column {new} of {table_name} already exists"));
        }
        let rename = |columns: &mut Vec<String>| {
            for column in columns.iter_mut() {
                if column == old {
                    *column = new.to_string();
                }
            }
        };
        let column = table
            .columns
            .iter_mut()
            .find(|column| column.name == old)
            .ok_or_else(|| format!("column {old} of {table_name} does not exist"))?;
        column.name = new.to_string();
        map_expressions(table, |expression| {
            rename_in_expression(expression, old, new)
        });
        if let Some(key) = &mut table.primary_key {
            rename(&mut key.columns);
        }
        for unique in table.uniques.values_mut() {
            rename(&mut unique.columns);
        }
        for key in table.foreign_keys.values_mut() {
            rename(&mut key.columns);
        }
        for index in table.indexes.values_mut() {
            rename(&mut index.include);
            for key in &mut index.keys {
                if matches!(&key.target, IndexTarget::Column(column) if column == old) {
                    key.target = IndexTarget::Column(new.to_string());
                }
            }
        }
        for other in self.schema.tables.values_mut() {
            for key in other.foreign_keys.values_mut() {
                if key.referenced_table == *table_name {
                    rename(&mut key.referenced_columns);
                }
            }
        }
        for sequence in self.sequences.values_mut() {
            if let Some((table, column)) = &mut sequence.owned_by {
                if table == table_name && column == old {
                    *column = new.to_string();
                }
            }
        }
        Ok(())
    }

    /// Renames a constraint; a key's index shares its name, so it is renamed too (and the
    /// other way round for `ALTER INDEX ... RENAME`).
    fn rename_constraint(&mut self, table_name: &QualifiedName, old: &str, new: &str) -> Outcome {
        let table = self.table_mut(table_name)?;
        if let Some(key) = table.primary_key.as_mut().filter(|key| key.name == old) {
            key.name = new.to_string();
        } else if let Some(mut unique) = table.uniques.remove(old) {
            unique.name = new.to_string();
            table.uniques.insert(new.to_string(), unique);
        } else if let Some(mut key) = table.foreign_keys.remove(old) {
            key.name = new.to_string();
            table.foreign_keys.insert(new.to_string(), key);
        } else if let Some(mut check) = table.checks.remove(old) {
            check.name = new.to_string();
            table.checks.insert(new.to_string(), check);
        } else {
            return Err(format!(
                "constraint {old} of relation {table_name} does not exist"
            ));
        }
        Ok(())
    }

    fn alter_index(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        self.touch_all();
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let name = cursor.qualified_name()?;
        cursor.expect_keywords(&["RENAME", "TO"])?;
        let new = cursor.identifier()?;
        cursor.expect_end()?;
        let Some(owner) = self.index_owner(&name) else {
            return match if_exists {
                true => Ok(()),
                false => Err(format!("index {name} does not exist")),
            };
        };
        if let Some(view) = self.schema.views.get_mut(&owner) {
            if let Some(mut index) = view.indexes.remove(&name.name) {
                index.name = new.clone();
                view.indexes.insert(new, index);
            }
            return Ok(());
        }
        let table = self.table_mut(&owner)?;
        match table.indexes.remove(&name.name) {
            Some(mut index) => {
                index.name = new.clone();
                table.indexes.insert(new, index);
                Ok(())
            }
            None => self.rename_constraint(&owner, &name.name, &new),
        }
    }

    fn alter_view(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        cursor.eat_keywords(&["IF", "EXISTS"]);
        let name = cursor.qualified_name()?;
        self.alter_view_named(cursor, name)
    }

    fn alter_view_named(&mut self, cursor: &mut Cursor<'_>, name: QualifiedName) -> Outcome {
        self.touch_all();
        if cursor.is_keywords(&["OWNER", "TO"]) {
            return Ok(());
        }
        if cursor.is_keyword("SET") || cursor.is_keyword("RESET") {
            let view = self
                .schema
                .views
                .get_mut(&name)
                .ok_or_else(|| format!("view {name} does not exist"))?;
            if view.materialized {
                return Err(not_modelled("materialized view storage parameters"));
            }
            if cursor.eat_keyword("SET") {
                set_view_options(cursor, &mut view.options)?;
            } else {
                cursor.expect_keywords(&["RESET"])?;
                for option in cursor.identifier_list()? {
                    view.options.reset(&option)?;
                }
            }
            return cursor.expect_end();
        }
        cursor.expect_keywords(&["RENAME", "TO"])?;
        let new = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
        cursor.expect_end()?;
        if self.relation_exists(&new) {
            return Err(format!("relation {new} already exists"));
        }
        let mut view = self
            .schema
            .views
            .remove(&name)
            .ok_or_else(|| format!("view {name} does not exist"))?;
        view.name = new.clone();
        self.schema.views.insert(new, view);
        Ok(())
    }

    fn alter_type(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.qualified_name()?;
        if cursor.is_keywords(&["OWNER", "TO"]) {
            return Ok(());
        }
        let Some(enumeration) = self.schema.enums.get_mut(&name) else {
            return Err(format!("type {name} does not exist"));
        };
        if cursor.eat_keywords(&["ADD", "VALUE"]) {
            let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
            let value = cursor.string()?;
            let position = if cursor.eat_keyword("BEFORE") {
                let anchor = cursor.string()?;
                Some(position_of(&enumeration.values, &anchor, &name)?)
            } else if cursor.eat_keyword("AFTER") {
                let anchor = cursor.string()?;
                Some(position_of(&enumeration.values, &anchor, &name)? + 1)
            } else {
                None
            };
            cursor.expect_end()?;
            if enumeration.values.contains(&value) {
                return match if_not_exists {
                    true => Ok(()),
                    false => Err(format!("enum label {value:?} already exists in {name}")),
                };
            }
            let position = position.unwrap_or(enumeration.values.len());
            enumeration.values.insert(position, value);
            return Ok(());
        }
        if cursor.eat_keywords(&["RENAME", "VALUE"]) {
            let old = cursor.string()?;
            cursor.expect_keywords(&["TO"])?;
            let new = cursor.string()?;
            cursor.expect_end()?;
            let position = position_of(&enumeration.values, &old, &name)?;
            enumeration.values[position] = new.clone();
            // Stored expressions hold the value, not its text: they read back with the new
            // label. The label is rewritten in every expression of a table using the type.
            for table in self.schema.tables.values_mut() {
                let uses_type = table.columns.iter().any(|column| {
                    type_reference(&column.data_type)
                        .is_some_and(|(referenced, _)| referenced == name)
                });
                if uses_type {
                    map_expressions(table, |expression| replace_literal(expression, &old, &new));
                }
            }
            return Ok(());
        }
        cursor.expect_keywords(&["RENAME", "TO"])?;
        let new = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
        cursor.expect_end()?;
        if self.schema.enums.contains_key(&new) {
            return Err(format!("type {new} already exists"));
        }
        if let Some(mut enumeration) = self.schema.enums.remove(&name) {
            enumeration.name = new.clone();
            self.schema.enums.insert(new.clone(), enumeration);
        }
        for table in self.schema.tables.values_mut() {
            for column in &mut table.columns {
                if let Some((referenced, arrays)) = type_reference(&column.data_type) {
                    if referenced == name {
                        column.data_type = format!("{}{arrays}", quote::type_name(&new));
                    }
                }
            }
            // Casts to the type (`'x'::old_name`) read back under its new name.
            map_expressions(table, |expression| {
                rename_type_in_expression(expression, &name.name, &new.name)
            });
        }
        Ok(())
    }

    fn drop(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        self.touch_all();
        let kind = if cursor.eat_keyword("TABLE") {
            "table"
        } else if cursor.eat_keyword("VIEW") {
            "view"
        } else if cursor.eat_keywords(&["MATERIALIZED", "VIEW"]) {
            "materialized view"
        } else if cursor.eat_keyword("INDEX") {
            cursor.eat_keyword("CONCURRENTLY");
            "index"
        } else if cursor.eat_keyword("TYPE") {
            "type"
        } else if cursor.eat_keyword("SCHEMA") {
            "schema"
        } else if cursor.eat_keyword("EXTENSION") {
            "extension"
        } else if cursor.eat_keyword("SEQUENCE") {
            "sequence"
        } else {
            return Err(unsupported(cursor));
        };
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let mut names = vec![cursor.dotted_name()?];
        while cursor.eat(&Token::Comma) {
            names.push(cursor.dotted_name()?);
        }
        let cascade = drop_behaviour(cursor);
        cursor.expect_end()?;
        for parts in names {
            let found = match kind {
                "schema" | "extension" => {
                    let [name] = parts.as_slice() else {
                        return Err(format!("`{}` is not a {kind} name", parts.join(".")));
                    };
                    match kind {
                        "schema" => self.drop_schema(name, cascade),
                        _ => self.schema.extensions.remove(name).is_some(),
                    }
                }
                _ => {
                    let name = qualified(&parts)?;
                    match kind {
                        "table" => self.drop_table(&name, cascade),
                        "view" | "materialized view" => {
                            let materialized = kind == "materialized view";
                            let matches = self
                                .schema
                                .views
                                .get(&name)
                                .is_some_and(|view| view.materialized == materialized);
                            if matches {
                                self.drop_relation_and_views(&name, cascade);
                            }
                            matches
                        }
                        "index" => self.drop_index(&name),
                        "type" => self.schema.enums.remove(&name).is_some(),
                        _ => self.sequences.remove(&name).is_some(),
                    }
                }
            };
            if !found && !if_exists {
                return Err(format!("{kind} {} does not exist", parts.join(".")));
            }
        }
        Ok(())
    }

    fn drop_schema(&mut self, name: &str, cascade: bool) -> bool {
        if !self.schema.schemas.remove(name) {
            return false;
        }
        if cascade {
            let outside = |qualified: &QualifiedName| qualified.schema != name;
            self.schema.tables.retain(|key, _| outside(key));
            self.schema.views.retain(|key, _| outside(key));
            self.schema.enums.retain(|key, _| outside(key));
            self.sequences.retain(|key, _| outside(key));
            for table in self.schema.tables.values_mut() {
                table
                    .foreign_keys
                    .retain(|_, key| outside(&key.referenced_table));
            }
        }
        true
    }

    /// Drops a view, and with CASCADE the views that read it (transitively).
    fn drop_relation_and_views(&mut self, name: &QualifiedName, cascade: bool) {
        self.schema.views.remove(name);
        if !cascade {
            return;
        }
        let dependents: Vec<QualifiedName> = self
            .schema
            .views
            .values()
            .filter(|view| view.depends_on.contains(name))
            .map(|view| view.name.clone())
            .collect();
        for dependent in dependents {
            self.drop_relation_and_views(&dependent, true);
        }
    }

    fn drop_table(&mut self, name: &QualifiedName, cascade: bool) -> bool {
        if self.schema.tables.remove(name).is_none() {
            return false;
        }
        self.drop_relation_and_views(name, cascade);
        if cascade {
            for table in self.schema.tables.values_mut() {
                table
                    .foreign_keys
                    .retain(|_, key| key.referenced_table != *name);
            }
        }
        self.sequences.retain(|_, sequence| {
            sequence
                .owned_by
                .as_ref()
                .is_none_or(|(table, _)| table != name)
        });
        true
    }

    fn drop_index(&mut self, name: &QualifiedName) -> bool {
        let Some(owner) = self.index_owner(name) else {
            return false;
        };
        // The name is free again for the next CREATE INDEX.
        self.names.get_mut().changed.insert(owner.clone());
        if let Some(view) = self.schema.views.get_mut(&owner) {
            return view.indexes.remove(&name.name).is_some();
        }
        self.schema
            .tables
            .get_mut(&owner)
            .is_some_and(|table| table.indexes.remove(&name.name).is_some())
    }

    fn comment(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let kind = if cursor.eat_keyword("TABLE") {
            "table"
        } else if cursor.eat_keyword("COLUMN") {
            "column"
        } else if cursor.eat_keyword("TYPE") {
            "type"
        } else if cursor.eat_keyword("VIEW") || cursor.eat_keywords(&["MATERIALIZED", "VIEW"]) {
            "view"
        } else {
            // Comments on kinds whose comment the model does not hold (indexes, constraints,
            // schemas, ...): the catalog does not read them either.
            cursor.rest()?;
            return Ok(());
        };
        let parts = cursor.dotted_name()?;
        cursor.expect_keywords(&["IS"])?;
        let text = match cursor.eat_keyword("NULL") {
            true => None,
            false => Some(cursor.string()?),
        };
        cursor.expect_end()?;
        let text = text.filter(|text| !text.is_empty());
        match kind {
            "table" => self.table_mut(&qualified(&parts)?)?.comment = text,
            "type" => {
                let name = qualified(&parts)?;
                self.schema
                    .enums
                    .get_mut(&name)
                    .ok_or_else(|| format!("type {name} does not exist"))?
                    .comment = text;
            }
            "view" => {
                let name = qualified(&parts)?;
                self.schema
                    .views
                    .get_mut(&name)
                    .ok_or_else(|| format!("view {name} does not exist"))?
                    .comment = text;
            }
            _ => {
                let (table_parts, column) = parts.split_at(parts.len().saturating_sub(1));
                let table_name = qualified(table_parts)?;
                let table = self.table_mut(&table_name)?;
                let column_name = column.first().cloned().unwrap_or_default();
                table
                    .columns
                    .iter_mut()
                    .find(|slot| slot.name == column_name)
                    .ok_or_else(|| format!("column {column_name} of {table_name} does not exist"))?
                    .comment = text;
            }
        }
        Ok(())
    }

    /// A column type as written, with a reference to a known enum spelled as `format_type`
    /// does; `normalize` canonicalizes the built-in ones.
    fn type_text(&self, text: &str) -> Outcome<String> {
        let checked = guard::fragment(Fragment::TypeName, text)
            .map_err(|message| format!("type {message}"))?;
        let collapsed = checked.split_whitespace().collect::<Vec<_>>().join(" ");
        Ok(match type_reference(&collapsed) {
            Some((name, arrays)) if self.schema.enums.contains_key(&name) => {
                format!("{}{arrays}", quote::type_name(&name))
            }
            _ => collapsed,
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
        self.names.get_mut().changed.insert(name.clone());
        self.schema
            .tables
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
                        .chain(table.primary_key.iter().map(|key| &key.name))
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

/// Words that end a column's type in a column definition.
const COLUMN_OPTION_WORDS: &[&str] = &[
    "CONSTRAINT",
    "NOT",
    "NULL",
    "DEFAULT",
    "CHECK",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "GENERATED",
    "COLLATE",
    "DEFERRABLE",
    "INITIALLY",
];

#[derive(Debug)]
struct TableConstraint {
    name: Option<String>,
    kind: ConstraintKind,
    deferrable: Deferrable,
}

#[derive(Debug)]
enum ConstraintKind {
    PrimaryKey(Vec<String>),
    Unique {
        columns: Vec<String>,
        nulls_not_distinct: bool,
    },
    ForeignKey {
        columns: Vec<String>,
        referenced_table: QualifiedName,
        referenced_columns: Option<Vec<String>>,
        on_delete: ReferentialAction,
        on_update: ReferentialAction,
        match_type: MatchType,
    },
    Check(Expr),
}

/// The columns and NULLS NOT DISTINCT of a primary key or unique constraint.
fn key_columns(constraint: &TableConstraint) -> Option<(&[String], bool)> {
    match &constraint.kind {
        ConstraintKind::PrimaryKey(columns) => Some((columns, false)),
        ConstraintKind::Unique {
            columns,
            nulls_not_distinct,
        } => Some((columns, *nulls_not_distinct)),
        _ => None,
    }
}

fn starts_table_constraint(cursor: &Cursor<'_>) -> bool {
    cursor.is_one_of(&[
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "FOREIGN",
        "CHECK",
        "EXCLUDE",
    ])
}

/// `[CONSTRAINT name] PRIMARY KEY (...) | UNIQUE (...) | FOREIGN KEY (...) REFERENCES ... |
/// CHECK (...)`, with its deferrability.
fn table_constraint(cursor: &mut Cursor<'_>) -> Outcome<TableConstraint> {
    let name = match cursor.eat_keyword("CONSTRAINT") {
        true => Some(cursor.identifier()?),
        false => None,
    };
    let kind = if cursor.eat_keywords(&["PRIMARY", "KEY"]) {
        let columns = cursor.identifier_list()?;
        ConstraintKind::PrimaryKey(columns)
    } else if cursor.eat_keyword("UNIQUE") {
        let nulls_not_distinct = nulls_distinctness(cursor)?;
        ConstraintKind::Unique {
            columns: cursor.identifier_list()?,
            nulls_not_distinct,
        }
    } else if cursor.eat_keywords(&["FOREIGN", "KEY"]) {
        let columns = cursor.identifier_list()?;
        cursor.expect_keywords(&["REFERENCES"])?;
        references(cursor, columns)?
    } else if cursor.eat_keyword("CHECK") {
        check_kind(cursor)?
    } else if cursor.is_keyword("EXCLUDE") {
        return Err(not_modelled("exclusion constraints"));
    } else {
        return Err(format!("expected a constraint, found {}", cursor.found()));
    };
    if cursor.is_one_of(&["INCLUDE", "USING", "WITH"]) {
        return Err(not_modelled(
            "constraint index options (INCLUDE, USING INDEX TABLESPACE, WITH)",
        ));
    }
    let deferrable = deferrable(cursor)?;
    Ok(TableConstraint {
        name,
        kind,
        deferrable,
    })
}

/// Text the cursor cut out of a statement, checked like every expression from a file.
fn expression(text: String) -> Outcome<Expr> {
    guard::fragment(Fragment::Expression, &text)
        .map(Expr::new)
        .map_err(|message| format!("expression {message}"))
}

fn check_kind(cursor: &mut Cursor<'_>) -> Outcome<ConstraintKind> {
    let expression = expression(cursor.parenthesized_text()?)?;
    if cursor.is_keywords(&["NO", "INHERIT"]) {
        return Err(not_modelled("NO INHERIT check constraints"));
    }
    Ok(ConstraintKind::Check(expression))
}

/// `REFERENCES table [(columns)] [MATCH SIMPLE | FULL] [ON DELETE action] [ON UPDATE action]`
fn references(cursor: &mut Cursor<'_>, columns: Vec<String>) -> Outcome<ConstraintKind> {
    let referenced_table = cursor.qualified_name()?;
    let referenced_columns = match cursor.peek() == Some(&Token::LParen) {
        true => Some(cursor.identifier_list()?),
        false => None,
    };
    let mut on_delete = ReferentialAction::NoAction;
    let mut on_update = ReferentialAction::NoAction;
    let mut match_type = MatchType::Simple;
    loop {
        if cursor.eat_keywords(&["MATCH", "SIMPLE"]) {
            match_type = MatchType::Simple;
        } else if cursor.eat_keywords(&["MATCH", "FULL"]) {
            match_type = MatchType::Full;
        } else if cursor.is_keyword("MATCH") {
            return Err("MATCH PARTIAL is not implemented in PostgreSQL".to_string());
        } else if cursor.eat_keywords(&["ON", "DELETE"]) {
            on_delete = referential_action(cursor)?;
        } else if cursor.eat_keywords(&["ON", "UPDATE"]) {
            on_update = referential_action(cursor)?;
        } else {
            break;
        }
    }
    Ok(ConstraintKind::ForeignKey {
        columns,
        referenced_table,
        referenced_columns,
        on_delete,
        on_update,
        match_type,
    })
}

/// `(name [= value], ...)` of `CREATE VIEW ... WITH` or `ALTER VIEW ... SET`.
fn set_view_options(cursor: &mut Cursor<'_>, options: &mut ViewOptions) -> Outcome {
    for mut element in cursor.parenthesized_elements()? {
        let name = element.identifier()?;
        let value = match element.eat(&Token::Eq) {
            true => Some(match element.peek() {
                Some(Token::Number(..)) => element.integer()?.to_string(),
                Some(Token::SingleQuotedString(_)) => element.string()?,
                _ => element.identifier()?,
            }),
            false => None,
        };
        element.expect_end()?;
        options.set(&name, value.as_deref())?;
    }
    Ok(())
}

/// A view's query ending in `WITH [CASCADED | LOCAL] CHECK OPTION` (pg_dump's spelling of
/// the option): the query without it, and the option (`CASCADED` unless `LOCAL` is said).
fn trailing_check_option(definition: &str) -> (&str, Option<CheckOption>) {
    let last_words: Vec<String> = definition
        .split_whitespace()
        .rev()
        .take(4)
        .map(str::to_ascii_uppercase)
        .collect();
    let last_words: Vec<&str> = last_words.iter().map(String::as_str).collect();
    let (n_words, check_option) = match last_words.as_slice() {
        ["OPTION", "CHECK", "LOCAL", "WITH"] => (4, CheckOption::Local),
        ["OPTION", "CHECK", "CASCADED", "WITH"] => (4, CheckOption::Cascaded),
        ["OPTION", "CHECK", "WITH", ..] => (3, CheckOption::Cascaded),
        _ => return (definition, None),
    };
    let mut query = definition.trim_end();
    for _ in 0..n_words {
        query = query[..query.rfind(char::is_whitespace).unwrap_or(0)].trim_end();
    }
    (query, Some(check_option))
}

fn referential_action(cursor: &mut Cursor<'_>) -> Outcome<ReferentialAction> {
    let action = if cursor.eat_keywords(&["NO", "ACTION"]) {
        ReferentialAction::NoAction
    } else if cursor.eat_keyword("RESTRICT") {
        ReferentialAction::Restrict
    } else if cursor.eat_keyword("CASCADE") {
        ReferentialAction::Cascade
    } else if cursor.eat_keywords(&["SET", "NULL"]) {
        ReferentialAction::SetNull
    } else if cursor.eat_keywords(&["SET", "DEFAULT"]) {
        ReferentialAction::SetDefault
    } else {
        return Err(format!(
            "expected a referential action, found {}",
            cursor.found()
        ));
    };
    if cursor.peek() == Some(&Token::LParen) {
        return Err(not_modelled("SET NULL / SET DEFAULT with a column list"));
    }
    Ok(action)
}

fn deferrable(cursor: &mut Cursor<'_>) -> Outcome<Deferrable> {
    let mut deferrable = false;
    let mut deferred = false;
    loop {
        if cursor.eat_keywords(&["NOT", "DEFERRABLE"]) {
            deferrable = false;
        } else if cursor.eat_keyword("DEFERRABLE") {
            deferrable = true;
        } else if cursor.eat_keywords(&["INITIALLY", "DEFERRED"]) {
            deferred = true;
            deferrable = true;
        } else if cursor.eat_keywords(&["INITIALLY", "IMMEDIATE"]) {
            deferred = false;
        } else {
            break;
        }
    }
    Ok(match (deferrable, deferred) {
        (false, _) => Deferrable::NotDeferrable,
        (true, false) => Deferrable::Immediate,
        (true, true) => Deferrable::Deferred,
    })
}

/// `NULLS [NOT] DISTINCT`; true for NOT DISTINCT.
fn nulls_distinctness(cursor: &mut Cursor<'_>) -> Outcome<bool> {
    if cursor.eat_keywords(&["NULLS", "NOT", "DISTINCT"]) {
        return Ok(true);
    }
    cursor.eat_keywords(&["NULLS", "DISTINCT"]);
    Ok(false)
}

/// A column default's text; `NULL` and `NULL::type` included (see `stored_default`).
fn default_expression(cursor: &mut Cursor<'_>) -> Outcome<Expr> {
    let start = cursor.mark();
    if cursor.eat_keyword("NULL") {
        if cursor.eat(&Token::DoubleColon) {
            cursor.text_until(|cursor| cursor.is_one_of(COLUMN_OPTION_WORDS))?;
        }
        return expression(cursor.text_since(start));
    }
    let text = cursor.text_until(|cursor| {
        cursor.is_keywords(&["NOT", "NULL"])
            || cursor.is_one_of(&COLUMN_OPTION_WORDS[2..])
            || cursor.is_keyword("CONSTRAINT")
    })?;
    expression(text)
}

/// The default PostgreSQL stores: none for a NULL constant it can store as is (it would
/// change nothing); a NULL that needs a length or precision coercion (`varchar(100)`,
/// `numeric(5,2)`) is stored, as `NULL::character varying` and the like.
fn stored_default(expression: Expr, column_type: &str) -> Option<Expr> {
    let text = expression.as_str();
    let upper = text.to_ascii_uppercase();
    let no_enums = BTreeSet::new();
    let column_type = crate::normalize::canonical_type(column_type, &no_enums);
    let coerced = column_type.contains('(');
    let is_unstored_null = !coerced
        && (upper == "NULL"
            || upper.starts_with("NULL::")
                && crate::normalize::canonical_type(&text["NULL::".len()..], &no_enums)
                    == column_type);
    (!is_unstored_null).then_some(expression)
}

fn identity_kind(cursor: &mut Cursor<'_>) -> Outcome<Identity> {
    cursor.eat_keyword("GENERATED");
    if cursor.eat_keyword("ALWAYS") {
        Ok(Identity::Always)
    } else if cursor.eat_keywords(&["BY", "DEFAULT"]) {
        Ok(Identity::ByDefault)
    } else {
        Err(format!(
            "expected ALWAYS or BY DEFAULT, found {}",
            cursor.found()
        ))
    }
}

/// `[( sequence options )]` after `AS IDENTITY`.
fn identity_options(cursor: &mut Cursor<'_>) -> Outcome<SequenceOptions> {
    let mut options = SequenceOptions::default();
    if cursor.eat(&Token::LParen) {
        while !cursor.eat(&Token::RParen) {
            sequence_option(cursor, &mut options)?;
        }
    }
    Ok(options)
}

/// One sequence option, as in `CREATE SEQUENCE` or `ALTER COLUMN ... SET`.
fn sequence_option(cursor: &mut Cursor<'_>, options: &mut SequenceOptions) -> Outcome {
    if cursor.eat_keyword("START") {
        cursor.eat_keyword("WITH");
        options.start = Some(cursor.integer()?);
    } else if cursor.eat_keyword("INCREMENT") {
        cursor.eat_keyword("BY");
        let increment = cursor.integer()?;
        if increment == 0 {
            return Err("INCREMENT must not be zero".to_string());
        }
        options.increment = Some(increment);
    } else if cursor.eat_keyword("MINVALUE") {
        options.min_value = Some(cursor.integer()?);
    } else if cursor.eat_keywords(&["NO", "MINVALUE"]) {
        options.min_value = None;
    } else if cursor.eat_keyword("MAXVALUE") {
        options.max_value = Some(cursor.integer()?);
    } else if cursor.eat_keywords(&["NO", "MAXVALUE"]) {
        options.max_value = None;
    } else if cursor.eat_keyword("CACHE") {
        options.cache = Some(cursor.integer()?);
    } else if cursor.eat_keywords(&["NO", "CYCLE"]) {
        options.cycle = false;
    } else if cursor.eat_keyword("CYCLE") {
        options.cycle = true;
    } else if cursor.eat_keywords(&["SEQUENCE", "NAME"]) {
        cursor.dotted_name()?;
    } else {
        return Err(format!("unexpected {} in sequence options", cursor.found()));
    }
    Ok(())
}

/// One element of an index's key list: a column or an expression, with its collation,
/// operator class, order and NULLS placement.
fn index_key(cursor: &mut Cursor<'_>) -> Outcome<IndexKey> {
    let target = if cursor.peek() == Some(&Token::LParen) {
        IndexTarget::Expression(expression(cursor.parenthesized_text()?)?)
    } else if is_function_call(cursor) {
        let start = cursor.mark();
        cursor.dotted_name()?;
        cursor.parenthesized_text()?;
        IndexTarget::Expression(expression(cursor.text_since(start))?)
    } else {
        IndexTarget::Column(cursor.identifier()?)
    };
    let mut key = IndexKey {
        target,
        collation: None,
        opclass: None,
        descending: false,
        nulls_first: false,
    };
    if cursor.eat_keyword("COLLATE") {
        key.collation = Some(cursor.dotted_name()?.join("."));
    }
    if matches!(cursor.peek(), Some(Token::Word(_))) && !cursor.is_one_of(&["ASC", "DESC", "NULLS"])
    {
        let parts = cursor.dotted_name()?;
        key.opclass = Some(
            parts
                .iter()
                .map(|part| quote::ident(part))
                .collect::<Vec<_>>()
                .join("."),
        );
        if cursor.peek() == Some(&Token::LParen) {
            return Err(not_modelled("operator class parameters"));
        }
    }
    if cursor.eat_keyword("DESC") {
        key.descending = true;
    } else {
        cursor.eat_keyword("ASC");
    }
    key.nulls_first = key.descending;
    if cursor.eat_keywords(&["NULLS", "FIRST"]) {
        key.nulls_first = true;
    } else if cursor.eat_keywords(&["NULLS", "LAST"]) {
        key.nulls_first = false;
    }
    cursor.expect_end()?;
    Ok(key)
}

/// `name(`, `schema.name(`: an index key written as a bare function call.
fn is_function_call(cursor: &Cursor<'_>) -> bool {
    let mut n = 0;
    loop {
        match (cursor.peek_nth(n), cursor.peek_nth(n + 1)) {
            (Some(Token::Word(_)), Some(Token::LParen)) => return true,
            (Some(Token::Word(_)), Some(Token::Period)) => n += 2,
            _ => return false,
        }
    }
}

/// PostgreSQL's `FigureIndexColname`: a function call's name, or `expr`.
fn expression_column_name(expression: &Expr) -> String {
    let text = expression.as_str();
    let Ok(mut cursor) = Cursor::new(text) else {
        return "expr".to_string();
    };
    if !is_function_call(&cursor) {
        return "expr".to_string();
    }
    cursor
        .dotted_name()
        .ok()
        .and_then(|parts| parts.last().cloned())
        .unwrap_or_else(|| "expr".to_string())
}

fn drop_behaviour(cursor: &mut Cursor<'_>) -> bool {
    let cascade = cursor.eat_keyword("CASCADE");
    cursor.eat_keyword("RESTRICT");
    cascade
}

fn qualified(parts: &[String]) -> Outcome<QualifiedName> {
    match parts {
        [name] => Ok(QualifiedName::new("public", name.clone())),
        [schema, name] => Ok(QualifiedName::new(schema.clone(), name.clone())),
        _ => Err(format!("`{}` is not a schema.name", parts.join("."))),
    }
}

fn position_of(values: &[String], label: &str, name: &QualifiedName) -> Outcome<usize> {
    values
        .iter()
        .position(|value| value == label)
        .ok_or_else(|| format!("{label:?} is not an existing enum label of {name}"))
}

/// A type written as a (possibly qualified) name with array brackets: the name, and the
/// brackets as `[]` per dimension.
fn type_reference(text: &str) -> Option<(QualifiedName, String)> {
    let mut cursor = Cursor::new(text).ok()?;
    let name = cursor.qualified_name().ok()?;
    let mut dimensions = 0;
    while cursor.eat(&Token::LBracket) {
        if matches!(cursor.peek(), Some(Token::Number(..))) {
            cursor.integer().ok()?;
        }
        cursor.eat(&Token::RBracket).then_some(())?;
        dimensions += 1;
    }
    cursor.at_end().then(|| (name, "[]".repeat(dimensions)))
}

/// Whether an expression refers to `column` (as an identifier, not a function name).
/// Byte ranges of the identifiers naming `column` in `expression`.
fn identifier_spans(expression: &str, column: &str) -> Option<Vec<(usize, usize)>> {
    let cursor = Cursor::new(expression).ok()?;
    Some(cursor.identifier_spans(column))
}

fn rename_in_expression(expression: &Expr, old: &str, new: &str) -> Expr {
    let text = expression.as_str();
    let Some(spans) = identifier_spans(text, old) else {
        return expression.clone();
    };
    let mut renamed = text.to_string();
    for (start, end) in spans.into_iter().rev() {
        renamed.replace_range(start..end, &quote::ident(new));
    }
    Expr::new(renamed)
}

/// `expression` with the casts to type `old` written as casts to `new`.
fn rename_type_in_expression(expression: &Expr, old: &str, new: &str) -> Expr {
    let text = expression.as_str();
    let Ok(cursor) = Cursor::new(text) else {
        return expression.clone();
    };
    let mut renamed = text.to_string();
    for (start, end) in cursor.type_spans(old).into_iter().rev() {
        renamed.replace_range(start..end, &quote::ident(new));
    }
    Expr::new(renamed)
}

/// Rewrites every expression a table stores: defaults, generated columns, checks, and the
/// expressions and predicates of its indexes.
fn map_expressions(table: &mut Table, rewrite: impl Fn(&Expr) -> Expr) {
    for column in &mut table.columns {
        column.default = column.default.as_ref().map(&rewrite);
        column.generated = column.generated.as_ref().map(&rewrite);
    }
    for check in table.checks.values_mut() {
        check.expression = rewrite(&check.expression);
    }
    for index in table.indexes.values_mut() {
        index.predicate = index.predicate.as_ref().map(&rewrite);
        for key in &mut index.keys {
            if let IndexTarget::Expression(expression) = &key.target {
                key.target = IndexTarget::Expression(rewrite(expression));
            }
        }
    }
}

/// `expression` with every string literal `'old'` written `'new'`.
fn replace_literal(expression: &Expr, old: &str, new: &str) -> Expr {
    let text = expression.as_str();
    let Ok(cursor) = Cursor::new(text) else {
        return expression.clone();
    };
    let mut replaced = text.to_string();
    for (start, end) in cursor.literal_spans(old).into_iter().rev() {
        replaced.replace_range(start..end, &quote::literal(new));
    }
    Expr::new(replaced)
}

/// The sequence in `nextval('name'::regclass)` or `nextval('name')`.
fn nextval_sequence(default: &str) -> Option<QualifiedName> {
    let inner = default.strip_prefix("nextval(")?.strip_suffix(')')?;
    let inner = inner.strip_suffix("::regclass").unwrap_or(inner);
    let literal = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    Cursor::new(literal).ok()?.qualified_name().ok()
}

/// Unquoted identifier words of a query, folded, for guessing what it reads.
fn query_words(query: &str) -> BTreeSet<String> {
    let Ok(cursor) = Cursor::new(query) else {
        return BTreeSet::new();
    };
    cursor
        .remaining_tokens()
        .filter_map(|token| match token {
            Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_lowercase()),
            Token::Word(word) => Some(word.value.clone()),
            _ => None,
        })
        .collect()
}

fn constraint_names(table: &Table) -> BTreeSet<String> {
    table
        .primary_key
        .iter()
        .map(|key| key.name.clone())
        .chain(table.uniques.keys().cloned())
        .chain(table.foreign_keys.keys().cloned())
        .chain(table.checks.keys().cloned())
        .collect()
}

/// PostgreSQL's name choice: `make(label)`, then `make(label1)`, ... until one is free.
fn choose_name(taken: impl Fn(&str) -> bool, make: impl Fn(&str) -> String, label: &str) -> String {
    let mut pass = 0;
    loop {
        let modified = match pass {
            0 => label.to_string(),
            _ => format!("{label}{pass}"),
        };
        let candidate = make(&modified);
        if !taken(&candidate) {
            return candidate;
        }
        pass += 1;
    }
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

fn first_line(sql: &str) -> String {
    let line = sql.lines().next().unwrap_or_default();
    match line.chars().count() > 100 {
        true => format!("{}...", line.chars().take(100).collect::<String>()),
        false => line.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(sql: &str) -> Schema {
        let mut interpreter = Interpreter::new();
        interpreter
            .run(sql, Path::new("test.sql"))
            .unwrap_or_else(|error| panic!("{error}"));
        crate::normalize::normalize(interpreter.schema())
    }

    fn replay_error(sql: &str) -> String {
        let mut interpreter = Interpreter::new();
        match interpreter.run(sql, Path::new("test.sql")) {
            Ok(()) => panic!("expected an error for {sql}"),
            Err(error) => error.to_string(),
        }
    }

    fn table<'a>(schema: &'a Schema, name: &str) -> &'a Table {
        &schema.tables[&QualifiedName::new("public", name)]
    }

    #[test]
    fn pg_dump_style_input_reads_back_as_serial_and_named_constraints() {
        let schema = replay(
            "SET statement_timeout = 0;\n\
             SELECT pg_catalog.set_config('search_path', '', false);\n\
             CREATE TABLE public.items (id integer NOT NULL, name character varying(20), price numeric);\n\
             ALTER TABLE public.items OWNER TO app;\n\
             CREATE SEQUENCE public.items_id_seq AS integer START WITH 1 INCREMENT BY 1 NO MINVALUE NO MAXVALUE CACHE 1;\n\
             ALTER SEQUENCE public.items_id_seq OWNED BY public.items.id;\n\
             ALTER TABLE ONLY public.items ALTER COLUMN id SET DEFAULT nextval('public.items_id_seq'::regclass);\n\
             ALTER TABLE ONLY public.items ADD CONSTRAINT items_pkey PRIMARY KEY (id);\n\
             ALTER TABLE public.items ADD CHECK (price > 0), ADD UNIQUE (name);\n\
             GRANT SELECT ON public.items TO reader;\n",
        );
        let items = table(&schema, "items");
        let id = items.column("id").expect("id");
        assert_eq!(
            (id.data_type.as_str(), id.default.as_ref()),
            ("serial", None)
        );
        assert_eq!(
            items.column("name").map(|c| c.data_type.as_str()),
            Some("character varying(20)")
        );
        assert_eq!(
            items.primary_key.as_ref().map(|key| key.name.as_str()),
            Some("items_pkey")
        );
        assert_eq!(
            items.checks.keys().collect::<Vec<_>>(),
            ["items_price_check"]
        );
        assert_eq!(items.uniques.keys().collect::<Vec<_>>(), ["items_name_key"]);
        assert!(schema.unmanaged.is_empty());
    }

    #[test]
    fn pg_dump_style_attributes_of_tables_keys_and_views_are_kept() {
        let schema = replay(
            "CREATE UNLOGGED TABLE public.u (id integer NOT NULL, x integer);\n\
             CREATE TABLE public.f (a integer, b integer);\n\
             CREATE VIEW public.v WITH (security_invoker='on', security_barrier='false') AS\n SELECT u.id\n   FROM public.u;\n\
             CREATE VIEW public.v2 AS\n SELECT u.id,\n    u.x\n   FROM public.u\n  WITH CASCADED CHECK OPTION;\n\
             ALTER TABLE ONLY public.u ADD CONSTRAINT u_pkey PRIMARY KEY (id, x) DEFERRABLE;\n\
             CREATE UNIQUE INDEX u_x_idx ON public.u USING btree (x, id);\n\
             ALTER TABLE ONLY public.f\n    ADD CONSTRAINT f_a_b_fkey FOREIGN KEY (a, b) REFERENCES public.u(x, id) MATCH FULL;\n\
             ALTER VIEW public.v2 SET (security_barrier);\n",
        );
        let u = table(&schema, "u");
        assert!(u.unlogged);
        assert_eq!(
            u.primary_key.as_ref().map(|key| key.deferrable),
            Some(Deferrable::Immediate)
        );
        assert_eq!(
            table(&schema, "f").foreign_keys["f_a_b_fkey"].match_type,
            MatchType::Full
        );
        let view = |name: &str| schema.views[&QualifiedName::new("public", name)].clone();
        let expected = ViewOptions {
            security_invoker: true,
            ..ViewOptions::default()
        };
        assert_eq!(view("v").options, expected);
        let expected = ViewOptions {
            security_barrier: true,
            check_option: Some(CheckOption::Cascaded),
            ..ViewOptions::default()
        };
        assert_eq!(view("v2").options, expected);
        assert!(view("v2").definition.as_str().ends_with("FROM public.u"));
        assert!(
            replay_error("CREATE TABLE t (a int REFERENCES t (a) MATCH PARTIAL);")
                .contains("MATCH PARTIAL is not implemented")
        );
    }

    #[test]
    fn sequences_are_modelled_unless_serial_implies_them() {
        let schema = replay(
            "CREATE SEQUENCE tickets START 1000 INCREMENT BY 10;\n\
             CREATE TABLE t (id serial, n bigint DEFAULT nextval('tickets'), o int);\n\
             CREATE SEQUENCE owned AS integer OWNED BY t.o;\n\
             ALTER SEQUENCE tickets AS integer CACHE 5;\n",
        );
        assert_eq!(
            table(&schema, "t")
                .column("id")
                .map(|c| c.data_type.as_str()),
            Some("serial")
        );
        let names: Vec<&str> = schema
            .sequences
            .keys()
            .map(|name| name.name.as_str())
            .collect();
        assert_eq!(names, ["owned", "tickets"]);
        let tickets = &schema.sequences[&QualifiedName::new("public", "tickets")];
        assert_eq!(tickets.data_type, "integer");
        assert_eq!(
            (
                tickets.options.start,
                tickets.options.increment,
                tickets.options.cache
            ),
            (Some(1000), Some(10), Some(5))
        );
        let owned = &schema.sequences[&QualifiedName::new("public", "owned")];
        assert_eq!(
            owned.owned_by,
            Some((QualifiedName::new("public", "t"), "o".to_string()))
        );
        let without_owner = replay(
            "CREATE TABLE t (o int);\nCREATE SEQUENCE s OWNED BY t.o;\nALTER TABLE t DROP COLUMN o;\n",
        );
        assert!(
            without_owner.sequences.is_empty(),
            "dropped with its owning column"
        );
    }

    #[test]
    fn default_names_follow_postgresql() {
        let schema = replay(
            "CREATE TABLE t (a int, b int, CHECK (a < b), CHECK (a > 0), UNIQUE (a), UNIQUE (a));\n\
             CREATE INDEX ON t (a, b);\nCREATE INDEX ON t (lower(a::text));\nCREATE INDEX ON t ((a + b));\n\
             CREATE INDEX ON t (a, b);\n",
        );
        let t = table(&schema, "t");
        assert_eq!(
            t.checks.keys().collect::<Vec<_>>(),
            ["t_a_check", "t_check"]
        );
        // Checked against PostgreSQL 15: the repeated UNIQUE (a) is created once.
        assert_eq!(t.uniques.keys().collect::<Vec<_>>(), ["t_a_key"]);
        assert_eq!(
            t.indexes.keys().collect::<Vec<_>>(),
            ["t_a_b_idx", "t_a_b_idx1", "t_expr_idx", "t_lower_idx"]
        );
    }

    #[test]
    fn renames_follow_through_keys_and_expressions() {
        let schema = replay(
            "CREATE TABLE parent (id int PRIMARY KEY);\n\
             CREATE TABLE child (id int, parent_id int REFERENCES parent, CHECK (parent_id > 0));\n\
             CREATE INDEX child_parent_idx ON child (parent_id) WHERE parent_id IS NOT NULL;\n\
             ALTER TABLE child RENAME COLUMN parent_id TO owner_id;\n\
             ALTER TABLE parent RENAME TO owner;\n\
             ALTER TABLE owner RENAME COLUMN id TO owner_key;\n",
        );
        let child = table(&schema, "child");
        let key = &child.foreign_keys["child_parent_id_fkey"];
        assert_eq!(key.columns, ["owner_id"]);
        assert_eq!(key.referenced_table, QualifiedName::new("public", "owner"));
        assert_eq!(key.referenced_columns, ["owner_key"]);
        assert_eq!(
            child.checks["child_parent_id_check"].expression.as_str(),
            "owner_id > 0"
        );
        assert_eq!(
            child.indexes["child_parent_idx"]
                .predicate
                .as_ref()
                .map(Expr::as_str),
            Some("owner_id IS NOT NULL")
        );
    }

    #[test]
    fn renames_reach_what_postgresql_stores_by_oid_and_nothing_else() {
        let schema = replay(
            "CREATE TYPE mood AS ENUM ('sad', 'ok');\n\
             CREATE TABLE t (date date DEFAULT '2020-01-01'::date, m mood, CHECK (m <> 'sad'));\n\
             CREATE INDEX t_m_idx ON t (m) WHERE m = 'sad';\n\
             CREATE SEQUENCE s;\nALTER TABLE t ADD COLUMN n bigint DEFAULT nextval('s');\n\
             CREATE VIEW v AS SELECT date FROM t;\n\
             ALTER TABLE t RENAME COLUMN date TO day;\n\
             ALTER TYPE mood RENAME VALUE 'sad' TO 'blue';\n\
             ALTER SEQUENCE s RENAME TO s2;\n\
             ALTER TABLE t RENAME TO u;\n",
        );
        let u = table(&schema, "u");
        let default = |name: &str| {
            u.column(name)
                .and_then(|c| c.default.as_ref())
                .map(Expr::as_str)
        };
        assert_eq!(default("day"), Some("'2020-01-01'::date"));
        assert_eq!(default("n"), Some("nextval('s2'::regclass)"));
        assert_eq!(u.checks["t_m_check"].expression.as_str(), "m <> 'blue'");
        assert_eq!(
            u.indexes["t_m_idx"].predicate.as_ref().map(Expr::as_str),
            Some("m = 'blue'")
        );
        let view = &schema.views[&QualifiedName::new("public", "v")];
        assert!(view.depends_on.contains(&QualifiedName::new("public", "u")));
    }

    #[test]
    fn keys_merge_indexes_avoid_only_relations_and_drops_cascade_to_views() {
        // Each expectation was checked against PostgreSQL 15.
        let schema = replay(
            "CREATE TABLE t (a int UNIQUE, CONSTRAINT named UNIQUE (a), CONSTRAINT t_a_idx CHECK (a > 0));\n\
             CREATE INDEX ON t (a);\nCREATE SEQUENCE s;\nALTER TABLE s OWNER TO app;\n\
             CREATE VIEW v AS SELECT a FROM t;\nCREATE VIEW w AS SELECT a FROM v;\n\
             CREATE TABLE other (b int);\nDROP TABLE t CASCADE;\n",
        );
        assert!(schema.views.is_empty(), "views reading t go with it");
        let schema = replay(
            "CREATE TABLE t (a int UNIQUE, CONSTRAINT named UNIQUE (a), CONSTRAINT t_a_idx CHECK (a > 0));\n\
             CREATE INDEX ON t (a);\n",
        );
        let t = table(&schema, "t");
        assert_eq!(t.uniques.keys().collect::<Vec<_>>(), ["named"]);
        assert_eq!(t.indexes.keys().collect::<Vec<_>>(), ["t_a_idx"]);
        let message = replay_error("CREATE TABLE t (a int, CHECK (a > 0) whatever);");
        assert!(message.contains("unexpected `whatever`"), "{message}");
    }

    #[test]
    fn dropping_a_column_drops_what_depends_on_it() {
        let schema = replay(
            "CREATE TABLE t (a int, b int UNIQUE, CHECK (a < b));\nCREATE INDEX ON t (a) WHERE b > 0;\n\
             ALTER TABLE t DROP COLUMN b;\n",
        );
        let t = table(&schema, "t");
        assert!(t.uniques.is_empty() && t.checks.is_empty() && t.indexes.is_empty());
    }

    #[test]
    fn what_cannot_be_replayed_is_an_error_with_file_line_and_statement() {
        let message = replay_error(
            "CREATE TABLE t (a int);\n\nCREATE FUNCTION f() RETURNS int LANGUAGE sql AS $$ SELECT 1; $$;\n",
        );
        assert!(
            message.starts_with("test.sql:3: autogen cannot interpret"),
            "{message}"
        );
        assert!(
            message.contains("statement: CREATE FUNCTION f()"),
            "{message}"
        );
        assert!(message.contains("hint: connect a database"), "{message}");
        let message = replay_error("ALTER TABLE missing ADD COLUMN a int;");
        assert!(
            message.contains("table missing does not exist"),
            "{message}"
        );
        let message = replay_error(
            "CREATE TABLE t (a int);\nALTER TABLE t ADD CONSTRAINT c CHECK (a > 0) NOT VALID;",
        );
        assert!(
            message.contains("NOT VALID constraints are not part of autogen's model"),
            "{message}"
        );
    }
}
