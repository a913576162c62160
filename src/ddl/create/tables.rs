//! The interpreter's CREATE TABLE: a table's columns with their options and its
//! constraints, also as `ALTER TABLE ... ADD COLUMN` and `ADD CONSTRAINT` read them.

use super::*;

impl Interpreter {
    pub(in crate::ddl) fn create_table(
        &mut self,
        cursor: &mut Cursor<'_>,
        unlogged: bool,
    ) -> Outcome {
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
    pub(in crate::ddl) fn add_table_constraints(
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
    pub(in crate::ddl) fn add_column(
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

    pub(in crate::ddl) fn add_constraint(
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
                let referenced_table = self.resolve(&referenced_table, |name| {
                    self.schema.tables.contains_key(name)
                })?;
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
}

/// A column definition's options after its type (or `WITH OPTIONS`): NOT NULL, DEFAULT,
/// COLLATE, identity, generation, and the constraints it declares, which are returned.
pub(in crate::ddl) fn column_options(
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
