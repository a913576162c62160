//! The interpreter's CREATE statements: schemas, extensions, enum types, indexes, views and
//! sequences; tables with their columns and constraints are in `tables`.

mod tables;

pub(super) use tables::column_options;

use super::*;

impl Interpreter {
    pub(super) fn create_schema(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let (name, owner) = owners::schema_name_and_owner(cursor)?;
        cursor.expect_end()?;
        guard::managed_schema(&name)?;
        self.declared(ObjectRef::Schema(name.clone()));
        if self.schema.rest_mut().schemas.insert(name.clone()) {
            self.forget_privileges_and_owner(PrivilegeObject::Schema(name.clone()));
            if let Some(owner) = owner {
                self.state_owner(PrivilegeObject::Schema(name), owner);
            }
        } else if !if_not_exists {
            return Err(format!("schema {name} already exists"));
        }
        Ok(())
    }

    pub(super) fn create_extension(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.identifier()?;
        cursor.eat_keyword("WITH");
        let mut schema = None;
        // Without VERSION, the server installs the default version, which a replay cannot
        // know: the extension matches any version then.
        let mut version = None;
        while !cursor.at_end() {
            if cursor.eat_keyword("SCHEMA") {
                schema = Some(cursor.identifier()?);
            } else if cursor.eat_keyword("VERSION") {
                version = Some(extension_version(cursor)?);
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
        self.schema.rest_mut().extensions.insert(
            name.clone(),
            Extension {
                name,
                schema,
                version,
            },
        );
        Ok(())
    }

    /// `ALTER EXTENSION name UPDATE [TO version]` after `EXTENSION`.
    pub(super) fn alter_extension(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.identifier()?;
        cursor.expect_keywords(&["UPDATE"])?;
        let version = match cursor.eat_keyword("TO") {
            true => Some(extension_version(cursor)?),
            // The default version, unknown offline.
            false => None,
        };
        cursor.expect_end()?;
        let extension = self
            .schema
            .rest_mut()
            .extensions
            .get_mut(&name)
            .ok_or_else(|| format!("extension {name} does not exist"))?;
        extension.version = version;
        Ok(())
    }

    pub(super) fn create_type(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.qualified_name()?;
        if !cursor.eat_keywords(&["AS", "ENUM"]) {
            if cursor.eat_keywords(&["AS", "RANGE"]) {
                return self.create_range(name, cursor);
            }
            return match cursor.eat_keyword("AS") && cursor.peek() == Some(&Token::LParen) {
                true => self.create_composite(name, cursor),
                false => Err(not_modelled("base types")),
            };
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
        if self.is_user_type(&name) {
            return Err(format!("type {name} already exists"));
        }
        self.declared(ObjectRef::Enum(name.clone()));
        self.forget_privileges_and_owner(PrivilegeObject::Type(name.clone()));
        self.schema.rest_mut().enums.insert(
            name.clone(),
            Enum {
                name,
                values,
                comment: None,
            },
        );
        Ok(())
    }

    pub(super) fn create_index(&mut self, cursor: &mut Cursor<'_>, unique: bool) -> Outcome {
        if cursor.eat_keyword("CONCURRENTLY") {
            self.note(|journal| journal.concurrently = true);
        }
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = match cursor.is_keyword("ON") {
            true => None,
            false => Some(cursor.identifier()?),
        };
        cursor.expect_keywords(&["ON"])?;
        let only = cursor.eat_keyword("ONLY");
        let table_name = self.relation_reference(cursor)?;
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
        let storage_parameters = match cursor.eat_keyword("WITH") {
            true => clauses::storage_parameters(cursor)?,
            false => BTreeMap::new(),
        };
        if cursor.is_keyword("TABLESPACE") {
            return Err(not_modelled("index tablespaces"));
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
            storage_parameters,
            comment: None,
        };
        if let Some(view) = self.schema.view_mut(&table_name) {
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
        match only {
            true => Ok(()),
            false => self.sync_inherited_indexes(&table_name),
        }
    }

    pub(super) fn create_view(
        &mut self,
        cursor: &mut Cursor<'_>,
        materialized: bool,
        or_replace: bool,
    ) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.qualified_name()?;
        // Only this relation's names change (a replaced view keeps its indexes).
        self.names.get_mut().changed.insert(name.clone());
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
        let words = crate::references::words(definition.as_str());
        // Looked up by name in each schema, not by scanning every relation per view.
        let schemas: BTreeSet<&str> = key_schemas(&self.schema.tables)
            .chain(key_schemas(&self.schema.views))
            .collect();
        let depends_on = schemas
            .into_iter()
            .flat_map(|schema| {
                words
                    .iter()
                    .map(move |word| QualifiedName::new(schema, word.clone()))
            })
            .filter(|relation| {
                *relation != name
                    && (self.schema.tables.contains_key(relation)
                        || self.schema.views.contains_key(relation))
            })
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
            // CREATE OR REPLACE keeps the view's triggers.
            triggers: replaced
                .as_ref()
                .map(|old| old.triggers.clone())
                .unwrap_or_default(),
            // CREATE OR REPLACE keeps the comments: the column names must stay.
            column_comments: replaced
                .as_ref()
                .map(|old| old.column_comments.clone())
                .unwrap_or_default(),
            comment: replaced.and_then(|old| old.comment),
            depends_on,
        };
        self.declared(ObjectRef::View(name.clone()));
        if !or_replace || !self.schema.views.contains_key(&name) {
            self.forget_privileges_and_owner(PrivilegeObject::Table(name.clone()));
        }
        self.schema.rest_mut().views.insert(name, view);
        Ok(())
    }

    pub(super) fn create_sequence(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.qualified_name()?;
        let mut sequence = Sequence {
            name: name.clone(),
            data_type: "bigint".to_string(),
            options: SequenceOptions::default(),
            owned_by: None,
            comment: None,
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
        self.journal_sequence(&name);
        self.forget_privileges_and_owner(PrivilegeObject::Sequence(name.clone()));
        self.sequences.insert(name, sequence);
        Ok(())
    }

    /// Applies the options of CREATE/ALTER SEQUENCE to `sequence`.
    pub(super) fn sequence_options(
        &self,
        cursor: &mut Cursor<'_>,
        sequence: &mut Sequence,
    ) -> Outcome {
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
                let new_type = crate::syntax::types::canonical_type(&type_name, &no_enums);
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
    pub(super) fn owner_column(&self, cursor: &mut Cursor<'_>) -> Outcome<ColumnRef> {
        let parts = cursor.dotted_name()?;
        let Some((column, table)) = parts
            .split_last()
            .filter(|(_, table)| (1..=2).contains(&table.len()))
        else {
            return Err("OWNED BY needs table.column".to_string());
        };
        let table = self.resolve(table, |name| self.schema.tables.contains_key(name))?;
        let column = column.clone();
        if self.table(&table)?.column(&column).is_none() {
            return Err(format!("column {column} of {table} does not exist"));
        }
        Ok((table, column))
    }
}

/// A version as `CREATE EXTENSION ... VERSION` and `ALTER EXTENSION ... UPDATE TO` take it:
/// a string or a word.
fn extension_version(cursor: &mut Cursor<'_>) -> Outcome<String> {
    let version = cursor.string().or_else(|_| cursor.identifier())?;
    crate::guard::name(&version)?;
    Ok(version)
}
