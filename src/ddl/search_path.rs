//! `SET search_path`: where the interpreter creates and finds what a statement names
//! without a schema, as PostgreSQL does. An unqualified name is created in the first schema
//! of the path that exists (the cursor reads it so, `Cursor::in_schema`); an unqualified
//! reference to an existing relation or type is looked up along the path, in order.
//! `"$user"` is the role of `SET ROLE`; the name of the role running the script is unknown
//! offline, so without one it is skipped. Expression texts are kept as written.

use std::collections::BTreeSet;
use std::rc::Rc;

use sqlparser::tokenizer::Token;

use super::{not_modelled, Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::model::{FunctionName, QualifiedName};

/// The search path as set, `"$user"` included.
#[derive(Debug, Clone)]
pub(super) struct SearchPath {
    schemas: Vec<String>,
    /// The first schema of `schemas` that existed when last asked, so each statement does not
    /// allocate it again.
    creation: Rc<str>,
}

const USER: &str = "$user";

impl Default for SearchPath {
    /// PostgreSQL's default: `"$user", public`.
    fn default() -> SearchPath {
        SearchPath {
            schemas: vec![USER.to_string(), "public".to_string()],
            creation: Rc::from("public"),
        }
    }
}

impl Interpreter {
    /// The schemas of the search path that exist, in order.
    fn path_schemas(&self) -> impl Iterator<Item = &str> {
        self.search_path
            .schemas
            .iter()
            .filter_map(|schema| match schema.as_str() {
                USER => self.role.as_deref(),
                schema => Some(schema),
            })
            .filter(|schema| self.schema.schemas.contains(*schema))
    }

    /// The schema an unqualified name is created in: the first of the path that exists
    /// (`public` when none does, whose absence the statement then reports).
    pub(super) fn creation_schema(&mut self) -> Rc<str> {
        let first = self.path_schemas().next().unwrap_or("public");
        if *self.search_path.creation != *first {
            self.search_path.creation = Rc::from(first);
        }
        self.search_path.creation.clone()
    }

    /// `parts` (`name` or `schema.name`) as a reference to an existing object: an
    /// unqualified name is the first along the path for which `exists` holds, else in the
    /// creation schema (which the caller reports missing).
    pub(super) fn resolve(
        &self,
        parts: &[String],
        exists: impl Fn(&QualifiedName) -> bool,
    ) -> Outcome<QualifiedName> {
        match parts {
            [name] => Ok(self
                .path_schemas()
                .map(|schema| QualifiedName::new(schema, name.clone()))
                .find(|candidate| exists(candidate))
                .unwrap_or_else(|| QualifiedName::new(&*self.search_path.creation, name.clone()))),
            [schema, name] => Ok(QualifiedName::new(schema.clone(), name.clone())),
            _ => Err(format!("`{}` is not a schema.name", parts.join("."))),
        }
    }

    /// `parts` as a reference to an existing object of any kind.
    pub(super) fn existing(&self, parts: &[String]) -> Outcome<QualifiedName> {
        self.resolve(parts, |name| self.object_exists(name))
    }

    /// `a, b, c`, each an existing object's name.
    pub(super) fn existing_names(&self, cursor: &mut Cursor<'_>) -> Outcome<Vec<QualifiedName>> {
        let mut names = vec![self.existing(&cursor.dotted_name()?)?];
        while cursor.eat(&Token::Comma) {
            names.push(self.existing(&cursor.dotted_name()?)?);
        }
        Ok(names)
    }

    /// Whether a relation, type, routine or collation has this name.
    fn object_exists(&self, name: &QualifiedName) -> bool {
        self.relation_exists(name)
            || self.is_user_type(name)
            || self.schema.collations.contains_key(name)
            || self.routine_exists(name)
    }

    /// Whether a function, procedure or aggregate has this name (one range lookup each: an
    /// empty argument list sorts first among a name's overloads).
    fn routine_exists(&self, name: &QualifiedName) -> bool {
        let first = FunctionName {
            schema: name.schema.clone(),
            name: name.name.clone(),
            argument_types: Vec::new(),
        };
        let same_name = |key: &FunctionName| key.schema == name.schema && key.name == name.name;
        let functions = self.schema.functions.range(&first..).next();
        let aggregates = self.schema.aggregates.range(&first..).next();
        functions.is_some_and(|(key, _)| same_name(key))
            || aggregates.is_some_and(|(key, _)| same_name(key))
    }

    /// The routine a statement names next, its arguments aside.
    pub(super) fn routine_name(&self, cursor: &mut Cursor<'_>) -> Outcome<QualifiedName> {
        let parts = cursor.dotted_name()?;
        self.resolve(&parts, |name| self.routine_exists(name))
    }

    /// The collation a statement names next.
    pub(super) fn collation_reference(&self, cursor: &mut Cursor<'_>) -> Outcome<QualifiedName> {
        let parts = cursor.dotted_name()?;
        self.resolve(&parts, |name| self.schema.collations.contains_key(name))
    }

    /// The table, view, sequence or index a statement names next.
    pub(super) fn relation_reference(&self, cursor: &mut Cursor<'_>) -> Outcome<QualifiedName> {
        let parts = cursor.dotted_name()?;
        self.resolve(&parts, |name| self.relation_exists(name))
    }

    /// The enum, domain, composite, range or multirange type `parts` names, if it names one:
    /// `pg_catalog` is searched first unless the path lists it, so a built-in type's name
    /// finds the built-in type before a schema of the path listed ahead of it.
    pub(super) fn user_type(&self, parts: &[String]) -> Option<QualifiedName> {
        let [name] = parts else {
            let name = self.resolve(parts, |_| false).ok()?;
            return self.is_user_type(&name).then_some(name);
        };
        let schemas = &self.search_path.schemas;
        let searched = match crate::spec::types::is_known_type(name, &BTreeSet::new()) {
            true => schemas.iter().position(|schema| schema == "pg_catalog")?,
            false => schemas.len(),
        };
        schemas[..searched]
            .iter()
            .filter_map(|schema| match schema.as_str() {
                USER => self.role.as_deref(),
                schema => Some(schema),
            })
            .map(|schema| QualifiedName::new(schema, name.clone()))
            .find(|candidate| self.is_user_type(candidate))
    }

    /// The type a statement names next.
    pub(super) fn type_reference_name(&self, cursor: &mut Cursor<'_>) -> Outcome<QualifiedName> {
        let parts = cursor.dotted_name()?;
        self.resolve(&parts, |name| self.is_user_type(name))
    }

    /// `SET [SESSION] search_path {TO | =} schema, ...`, `... TO DEFAULT` or `RESET
    /// search_path`: whether the statement was one (the cursor left as it was if not).
    pub(super) fn set_search_path(&mut self, cursor: &mut Cursor<'_>) -> Outcome<bool> {
        if cursor.is_keywords(&["RESET", "SEARCH_PATH"]) {
            cursor.rest()?;
            self.search_path.schemas = SearchPath::default().schemas;
            return Ok(true);
        }
        if cursor.is_keywords(&["SET", "LOCAL", "SEARCH_PATH"]) {
            return Err(not_modelled(
                "SET LOCAL search_path (a path until the transaction ends)",
            ));
        }
        if !(cursor.eat_keywords(&["SET", "SEARCH_PATH"])
            || cursor.eat_keywords(&["SET", "SESSION", "SEARCH_PATH"]))
        {
            return Ok(false);
        }
        if !(cursor.eat(&Token::Eq) || cursor.eat_keyword("TO")) {
            return Err(format!("expected TO or =, found {}", cursor.found()));
        }
        if cursor.eat_keyword("DEFAULT") {
            cursor.expect_end()?;
            self.search_path.schemas = SearchPath::default().schemas;
            return Ok(true);
        }
        let mut schemas = Vec::new();
        loop {
            let schema = match cursor.peek() {
                Some(Token::SingleQuotedString(_)) => {
                    let schema = cursor.string()?;
                    crate::guard::name(&schema)?;
                    schema
                }
                _ => cursor.identifier()?,
            };
            // `SET search_path = ''` empties the path.
            if !schema.is_empty() {
                schemas.push(schema);
            }
            if !cursor.eat(&Token::Comma) {
                break;
            }
        }
        cursor.expect_end()?;
        self.search_path.schemas = schemas;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{replay, replay_error};
    use crate::model::QualifiedName;

    fn name(schema: &str, name: &str) -> QualifiedName {
        QualifiedName::new(schema, name)
    }

    #[test]
    fn unqualified_names_are_created_in_the_first_existing_schema_and_found_along_the_path() {
        let schema = replay(
            "CREATE TABLE users (id integer PRIMARY KEY);\n\
             SET search_path = missing, foo, public;\n\
             CREATE SCHEMA foo;\n\
             CREATE TYPE lang AS ENUM ('ja', 'en');\n\
             CREATE TABLE items (id serial PRIMARY KEY, lang lang, tags lang[], \
               user_id integer REFERENCES users);\n\
             CREATE INDEX items_lang ON items (lang);\n\
             ALTER TABLE users ADD COLUMN name text;\n\
             COMMENT ON TABLE users IS 'people';\n\
             CREATE SEQUENCE tickets OWNED BY items.id;\n\
             SET search_path TO DEFAULT;\n\
             CREATE TABLE notes (id integer);\n\
             SET SESSION search_path = 'foo', public;\n\
             DROP TABLE notes;\n\
             RESET search_path;\n\
             CREATE TABLE notes (id integer);\n",
        );
        let items = &schema.tables[&name("foo", "items")];
        let types: Vec<&str> = items.columns.iter().map(|c| c.data_type.as_str()).collect();
        assert_eq!(types, ["serial", "foo.lang", "foo.lang[]", "integer"]);
        assert!(items.indexes.contains_key("items_lang"));
        let key = items.foreign_keys.values().next().expect("a foreign key");
        assert_eq!(key.referenced_table, name("public", "users"));
        assert!(schema.enums.contains_key(&name("foo", "lang")));
        let users = &schema.tables[&name("public", "users")];
        assert!(users.column("name").is_some());
        assert_eq!(users.comment.as_deref(), Some("people"));
        assert!(schema.sequences.contains_key(&name("foo", "tickets")));
        assert!(schema.tables.contains_key(&name("public", "notes")));
        assert!(!schema.tables.contains_key(&name("foo", "notes")));
    }

    #[test]
    fn user_is_the_role_of_set_role() {
        let schema = replay(
            "CREATE SCHEMA app_owner;\n\
             SET ROLE app_owner;\n\
             CREATE TABLE mine (id integer);\n\
             RESET ROLE;\n\
             CREATE TABLE theirs (id integer);\n",
        );
        assert!(schema.tables.contains_key(&name("app_owner", "mine")));
        assert!(schema.tables.contains_key(&name("public", "theirs")));
        // pg_catalog comes first unless the path lists it.
        let schema = replay(
            "CREATE SCHEMA app;\n\
             SET search_path = app;\n\
             CREATE DOMAIN uuid AS text;\n\
             CREATE TABLE builtin (id uuid);\n\
             SET search_path = app, pg_catalog;\n\
             CREATE TABLE own (id uuid);\n",
        );
        let type_of = |table: &str| {
            schema.tables[&name("app", table)].columns[0]
                .data_type
                .clone()
        };
        assert_eq!(
            (type_of("builtin"), type_of("own")),
            ("uuid".into(), "app.uuid".into())
        );
        let error = replay_error("SET LOCAL search_path = foo;\n");
        assert!(error.contains("SET LOCAL search_path"), "{error}");
    }
}
