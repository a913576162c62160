//! The interpreter's CREATE statements: schemas, extensions, enum types, tables with their
//! columns and constraints, indexes, views and sequences.

use super::*;

impl Interpreter {
    pub(super) fn create_schema(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.identifier()?;
        cursor.expect_end()?;
        guard::managed_schema(&name)?;
        self.declared(ObjectRef::Schema(name.clone()));
        if self.schema.rest_mut().schemas.insert(name.clone()) {
            self.forget_privileges_and_owner(PrivilegeObject::Schema(name));
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

    pub(super) fn create_table(&mut self, cursor: &mut Cursor<'_>, unlogged: bool) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.qualified_name()?;
        if cursor.eat_keywords(&["PARTITION", "OF"]) {
            return self.create_partition(cursor, name, if_not_exists, unlogged);
        }
        let elements = cursor.parenthesized_elements_or_empty()?;
        let inherits = match cursor.eat_keyword("INHERITS") {
            true => partition_bounds::qualified_list(cursor)?,
            false => Vec::new(),
        };
        let (partition_by, storage_parameters) = partition_bounds::table_options(cursor)?;
        self.require_schema(&name.schema)?;
        if self.relation_exists(&name) {
            return match if_not_exists {
                true => Ok(()),
                false => Err(format!("relation {name} already exists")),
            };
        }
        self.declared(ObjectRef::Table(name.clone()));
        self.journal_table(&name);
        self.forget_privileges_and_owner(PrivilegeObject::Table(name.clone()));
        self.schema.tables_mut().insert(
            name.clone(),
            Table {
                unlogged,
                storage_parameters,
                partition_by,
                ..Table::new(name.clone())
            },
        );
        let mut constraints = Vec::new();
        for mut element in elements {
            if starts_table_constraint(&element) {
                // The new table has no rows: PostgreSQL takes NOT VALID as valid here.
                constraints.push(TableConstraint {
                    valid: true,
                    ..table_constraint(&mut element)?
                });
                element.expect_end()?;
            } else {
                if element.is_keyword("LIKE") {
                    return Err(not_modelled("CREATE TABLE ... (LIKE ...)"));
                }
                let column_constraints = self.add_column(&name, &mut element)?;
                constraints.extend(column_constraints);
            }
        }
        self.inherit_from(&name, inherits)?;
        self.add_table_constraints(&name, constraints)
    }

    /// Adds the constraints of a CREATE TABLE once its columns exist.
    pub(super) fn add_table_constraints(
        &mut self,
        name: &QualifiedName,
        mut constraints: Vec<TableConstraint>,
    ) -> Outcome {
        // The primary key first: a foreign key to the same table may rely on it.
        constraints.sort_by_key(|constraint| {
            !matches!(constraint.kind, ConstraintKind::PrimaryKey { .. })
        });
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
        for constraint in kept {
            self.add_constraint(name, constraint)?;
        }
        Ok(())
    }

    /// Reads a column definition and adds the column; returns its constraints (keys,
    /// references, checks), which the caller adds once every column exists.
    pub(super) fn add_column(
        &mut self,
        table_name: &QualifiedName,
        cursor: &mut Cursor<'_>,
    ) -> Outcome<Vec<TableConstraint>> {
        let name = cursor.identifier()?;
        self.declared(ObjectRef::Column(table_name.clone(), name.clone()));
        let type_text = cursor.text_until(|cursor| cursor.is_one_of(COLUMN_OPTION_WORDS))?;
        let mut data_type = self.type_text(&type_text)?;
        let mut column = Column::new(name.clone(), data_type.clone());
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
            // As the catalog prints it (a `regclass` on the search path), for when the column
            // does not read back as `serial` (the sequence gets options or a comment).
            column.default = Some(Expr::new(format!(
                "nextval({}::regclass)",
                quote::literal(&quote::type_name(&sequence_name))
            )));
            self.journal_sequence(&sequence_name);
            self.forget_privileges_and_owner(PrivilegeObject::Sequence(sequence_name.clone()));
            self.sequences.insert(
                sequence_name.clone(),
                Sequence {
                    name: sequence_name,
                    data_type: data_type.clone(),
                    options: SequenceOptions::default(),
                    owned_by: Some((table_name.clone(), name.clone())),
                    comment: None,
                },
            );
        }
        let constraints = column_options(cursor, &mut column)?;
        let column_object = PrivilegeObject::Column(table_name.clone(), name.clone());
        let table = self.table_mut(table_name)?;
        if table.column(&name).is_some() {
            return Err(format!("column {name} of {table_name} already exists"));
        }
        if table.columns.len() == MAX_COLUMNS {
            return Err(format!("tables can have at most {MAX_COLUMNS} columns"));
        }
        table.columns.push(column);
        self.forget_privileges_and_owner(column_object);
        Ok(constraints)
    }

    pub(super) fn add_constraint(
        &mut self,
        table_name: &QualifiedName,
        constraint: TableConstraint,
    ) -> Outcome {
        let TableConstraint {
            name,
            kind,
            deferrable,
            valid,
        } = constraint;
        if !valid
            && !matches!(
                kind,
                ConstraintKind::Check { .. } | ConstraintKind::ForeignKey { .. }
            )
        {
            return Err("only check and foreign key constraints can be NOT VALID".to_string());
        }
        let table = self.table(table_name)?.clone();
        // PostgreSQL avoids every constraint name of the schema, not only the table's.
        let taken = |candidate: &str| self.constraint_name_taken(&table_name.schema, candidate);
        let name = match (name, &kind) {
            (Some(name), _) => name,
            (None, ConstraintKind::PrimaryKey { .. }) => self.choose_relation_name(
                &table_name.schema,
                (&table_name.name, None),
                "pkey",
                true,
            ),
            // Like an index's, the name lists the INCLUDE columns too.
            (
                None,
                ConstraintKind::Unique {
                    columns, include, ..
                },
            ) => self.choose_relation_name(
                &table_name.schema,
                (
                    &table_name.name,
                    Some(&[&columns[..], include].concat().join("_")),
                ),
                "key",
                true,
            ),
            (None, ConstraintKind::ForeignKey { columns, .. }) => choose_name(
                taken,
                |label| names::make_object_name(&table_name.name, Some(&columns.join("_")), label),
                "fkey",
            ),
            (None, ConstraintKind::Exclusion(exclusion)) => self.choose_relation_name(
                &table_name.schema,
                (
                    &table_name.name,
                    Some(&exclusion::name_columns(exclusion).join("_")),
                ),
                "excl",
                true,
            ),
            (None, ConstraintKind::Check { expression, .. }) => {
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
            ConstraintKind::PrimaryKey { columns, include } => {
                known_columns(&columns)?;
                known_columns(&include)?;
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
                    include,
                    deferrable,
                    comment: None,
                });
            }
            ConstraintKind::Unique {
                columns,
                include,
                nulls_not_distinct,
            } => {
                known_columns(&columns)?;
                known_columns(&include)?;
                self.table_mut(table_name)?.uniques.insert(
                    name.clone(),
                    UniqueConstraint {
                        name,
                        columns,
                        include,
                        nulls_not_distinct,
                        deferrable,
                        comment: None,
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
                        valid,
                        comment: None,
                    },
                );
            }
            ConstraintKind::Check {
                expression,
                no_inherit,
            } => {
                let check = CheckConstraint {
                    name: name.clone(),
                    expression,
                    no_inherit,
                    valid,
                    comment: None,
                };
                self.table_mut(table_name)?.checks.insert(name, check);
            }
            ConstraintKind::Exclusion(exclusion) => {
                let columns: Vec<String> = exclusion
                    .index()
                    .keys
                    .iter()
                    .filter_map(|key| match &key.target {
                        IndexTarget::Column(column) => Some(column.clone()),
                        IndexTarget::Expression(_) => None,
                    })
                    .chain(exclusion.include.iter().cloned())
                    .collect();
                known_columns(&columns)?;
                // The backing index takes the same name, in the schema's relation namespace.
                let index_name = QualifiedName::new(table_name.schema.clone(), name.clone());
                if self.relation_exists(&index_name) {
                    return Err(format!("relation {index_name} already exists"));
                }
                self.table_mut(table_name)?.exclusions.insert(
                    name.clone(),
                    ExclusionConstraint {
                        name,
                        deferrable,
                        ..exclusion
                    },
                );
            }
        }
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
}

/// A column definition's options after its type (or `WITH OPTIONS`): NOT NULL, DEFAULT,
/// COLLATE, identity, generation, and the constraints it declares, which are returned.
pub(super) fn column_options(
    cursor: &mut Cursor<'_>,
    column: &mut Column,
) -> Outcome<Vec<TableConstraint>> {
    let mut constraints = Vec::new();
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
        } else if cursor.eat_keyword("COMPRESSION") {
            column.compression = compression(cursor)?;
        } else if cursor.is_keyword("STORAGE") {
            return Err(not_modelled("column storage settings (STORAGE)"));
        } else if cursor.eat_keywords(&["GENERATED", "ALWAYS", "AS", "IDENTITY"]) {
            column.identity = Some(Identity::Always);
            column.set_identity_options(identity_options(cursor)?);
            column.nullable = false;
        } else if cursor.eat_keywords(&["GENERATED", "BY", "DEFAULT", "AS", "IDENTITY"]) {
            column.identity = Some(Identity::ByDefault);
            column.set_identity_options(identity_options(cursor)?);
            column.nullable = false;
        } else if cursor.eat_keywords(&["GENERATED", "ALWAYS", "AS"]) {
            column.generated = Some(expression(cursor.parenthesized_text()?)?);
            cursor.expect_keywords(&["STORED"])?;
        } else {
            let kind = if cursor.eat_keywords(&["PRIMARY", "KEY"]) {
                ConstraintKind::PrimaryKey {
                    columns: vec![column.name.clone()],
                    include: Vec::new(),
                }
            } else if cursor.eat_keyword("UNIQUE") {
                ConstraintKind::Unique {
                    columns: vec![column.name.clone()],
                    include: Vec::new(),
                    nulls_not_distinct: nulls_distinctness(cursor)?,
                }
            } else if cursor.eat_keyword("CHECK") {
                check_kind(cursor)?
            } else if cursor.eat_keyword("REFERENCES") {
                references(cursor, vec![column.name.clone()])?
            } else {
                return Err(format!(
                    "unexpected {} in column {}",
                    cursor.found(),
                    column.name
                ));
            };
            let deferrable = deferrable(cursor)?;
            constraints.push(TableConstraint {
                name: constraint_name,
                kind,
                deferrable,
                valid: true,
            });
        }
    }
    Ok(constraints)
}

/// A version as `CREATE EXTENSION ... VERSION` and `ALTER EXTENSION ... UPDATE TO` take it:
/// a string or a word.
fn extension_version(cursor: &mut Cursor<'_>) -> Outcome<String> {
    let version = cursor.string().or_else(|_| cursor.identifier())?;
    crate::guard::name(&version)?;
    Ok(version)
}
