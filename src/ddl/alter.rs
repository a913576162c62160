//! The interpreter's ALTER and RENAME statements: what each does to the model, as the
//! server would do it to its catalog.

use super::*;

impl Interpreter {
    pub(super) fn alter_sequence(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let name = self.relation_reference(cursor)?;
        if !self.sequences.contains_key(&name) {
            return match if_exists {
                true => Ok(()),
                false => Err(format!("sequence {name} does not exist")),
            };
        }
        self.alter_sequence_named(cursor, name)
    }

    /// `ALTER SEQUENCE` (or `ALTER TABLE`, which PostgreSQL accepts too) on an existing one.
    pub(super) fn alter_sequence_named(
        &mut self,
        cursor: &mut Cursor<'_>,
        name: QualifiedName,
    ) -> Outcome {
        let Some(mut sequence) = self.sequences.get(&name).cloned() else {
            return Err(format!("sequence {name} does not exist"));
        };
        if cursor.eat_keywords(&["RENAME", "TO"]) {
            let new_name = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
            cursor.expect_end()?;
            if self.relation_exists(&new_name) {
                return Err(format!("relation {new_name} already exists"));
            }
            self.journal_sequence(&name);
            self.journal_sequence(&new_name);
            self.note(|journal| journal.renames_sequence = true);
            self.sequences.remove(&name);
            sequence.name = new_name.clone();
            self.sequences.insert(new_name.clone(), sequence);
            self.move_privileges_and_owner(
                PrivilegeObject::Sequence(name.clone()),
                PrivilegeObject::Sequence(new_name.clone()),
            );
            // A default holds the sequence's oid: it reads back with the new name.
            let new_default = Expr::new(format!(
                "nextval({}::regclass)",
                quote::literal(&quote::type_name(&new_name))
            ));
            for table in self.all_tables_mut().values_mut() {
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
            self.owner_to(cursor, PrivilegeObject::Sequence(name))?;
            return cursor.expect_end();
        }
        self.sequence_options(cursor, &mut sequence)?;
        self.journal_sequence(&name);
        self.sequences.insert(name, sequence);
        Ok(())
    }

    pub(super) fn alter_table(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let only = cursor.eat_keyword("ONLY");
        let name = self.relation_reference(cursor)?;
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
            self.table_action(cursor, &name, only)?;
            if !cursor.eat(&Token::Comma) {
                break;
            }
        }
        cursor.expect_end()
    }

    pub(super) fn rename_in_table(
        &mut self,
        cursor: &mut Cursor<'_>,
        name: &QualifiedName,
    ) -> Outcome {
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

    /// One action of ALTER TABLE; `only` (`ALTER TABLE ONLY`) keeps it from the children
    /// of a partitioned table or inheritance parent where PostgreSQL allows that.
    pub(super) fn table_action(
        &mut self,
        cursor: &mut Cursor<'_>,
        name: &QualifiedName,
        only: bool,
    ) -> Outcome {
        if cursor.eat_keyword("ADD") {
            let column_follows = cursor.eat_keyword("COLUMN");
            if !column_follows {
                if let Some(outcome) = self.add_key_using_index(cursor, name) {
                    return outcome;
                }
            }
            if !column_follows && starts_table_constraint(cursor) {
                let constraint = table_constraint(cursor)?;
                self.add_constraint(name, constraint)?;
                return match only {
                    true => Ok(()),
                    false => self.sync_inherited_indexes(name),
                };
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
            return self.column_added(name, &column_name);
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
            if only {
                self.leave_column_to_children(name, &column)?;
            }
            return self.drop_column(name, &column);
        }
        if cursor.eat_keywords(&["VALIDATE", "CONSTRAINT"]) {
            let constraint = cursor.identifier()?;
            let table = self.table_mut(name)?;
            let valid = if let Some(check) = table.checks.get_mut(&constraint) {
                &mut check.valid
            } else if let Some(foreign_key) = table.foreign_keys.get_mut(&constraint) {
                &mut foreign_key.valid
            } else {
                return Err(format!(
                    "constraint {constraint} of relation {name} is not a foreign key or check constraint"
                ));
            };
            *valid = true;
            return Ok(());
        }
        if cursor.eat_keyword("ALTER") {
            cursor.eat_keyword("COLUMN");
            let column = cursor.identifier()?;
            return self.alter_column_and_children(cursor, name, &column, only);
        }
        if cursor.is_keywords(&["OWNER", "TO"]) {
            return self.owner_to(cursor, PrivilegeObject::Table(name.clone()));
        }
        if cursor.is_one_of(&["SET", "RESET"]) && cursor.peek_nth(1) == Some(&Token::LParen) {
            let reset = cursor.eat_keyword("RESET");
            cursor.eat_keyword("SET");
            let parameters = &mut self.table_mut(name)?.storage_parameters;
            match reset {
                true => {
                    for parameter in cursor.identifier_list()? {
                        parameters.remove(&parameter);
                    }
                }
                false => parameters.extend(clauses::storage_parameters(cursor)?),
            }
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
        if let Some(outcome) = self.table_security_action(cursor, name) {
            return outcome;
        }
        if let Some(outcome) = self.hierarchy_action(cursor, name) {
            return outcome;
        }
        Err(format!(
            "ALTER TABLE {} is not an action autogen can interpret offline",
            cursor.found()
        ))
    }

    pub(super) fn alter_column(
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
            column.identity_options = None;
        } else if cursor.eat_keyword("ADD") {
            column.identity = Some(identity_kind(cursor)?);
            cursor.expect_keywords(&["AS", "IDENTITY"])?;
            column.set_identity_options(identity_options(cursor)?);
            column.nullable = false;
        } else if cursor.eat_keywords(&["SET", "STATISTICS"]) {
            let target = cursor.integer()?;
            column.statistics = (target != -1)
                .then(|| i32::try_from(target))
                .transpose()
                .map_err(|_| format!("statistics target {target} is out of range"))?;
        } else if cursor.eat_keywords(&["SET", "COMPRESSION"]) {
            column.compression = compression(cursor)?;
        } else if cursor.is_keywords(&["SET", "STORAGE"]) {
            return Err(not_modelled("column storage settings (SET STORAGE)"));
        } else if (cursor.is_keyword("SET") || cursor.is_keyword("RESET"))
            && cursor.peek_nth(1) == Some(&Token::LParen)
        {
            return Err(not_modelled("column options (SET (n_distinct = ...))"));
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
                    let mut options = column.identity_options().clone();
                    sequence_option(cursor, &mut options)?;
                    column.set_identity_options(options);
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

    pub(super) fn rename_table(&mut self, old: &QualifiedName, new: QualifiedName) -> Outcome {
        self.touch_all();
        if self.relation_exists(&new) {
            return Err(format!("relation {new} already exists"));
        }
        let tables = self.all_tables_mut();
        let mut table = tables
            .remove(old)
            .ok_or_else(|| format!("table {old} does not exist"))?;
        table.name = new.clone();
        tables.insert(new.clone(), table);
        self.note(|journal| {
            let renames = &mut journal.renames.table_renames;
            renames.insert(new.clone(), old.name.clone());
        });
        self.move_privileges_and_owner(
            PrivilegeObject::Table(old.clone()),
            PrivilegeObject::Table(new.clone()),
        );
        for sequence in self.all_sequences_mut().values_mut() {
            if let Some((table, _)) = &mut sequence.owned_by {
                if table == old {
                    *table = new.clone();
                }
            }
        }
        crate::renames::follow_table_rename(self.schema.rest_mut(), old, &new);
        self.table_renamed(old, &new);
        Ok(())
    }

    pub(super) fn rename_column(
        &mut self,
        table_name: &QualifiedName,
        old: &str,
        new: &str,
    ) -> Outcome {
        self.touch_all();
        let table = self.table_mut(table_name)?;
        if table.column(new).is_some() {
            return Err(format!("column {new} of {table_name} already exists"));
        }
        if table.column(old).is_none() {
            return Err(format!("column {old} of {table_name} does not exist"));
        }
        crate::renames::rename_column_within(table, old, new);
        let renamed = (table_name.clone(), new.to_string());
        self.note(|journal| {
            let renames = &mut journal.renames.column_renames;
            renames.insert(renamed, old.to_string());
        });
        self.all_tables_mut();
        crate::renames::follow_column_rename(self.schema.rest_mut(), table_name, old, new);
        self.move_privileges_and_owner(
            PrivilegeObject::Column(table_name.clone(), old.to_string()),
            PrivilegeObject::Column(table_name.clone(), new.to_string()),
        );
        for sequence in self.all_sequences_mut().values_mut() {
            if let Some((table, column)) = &mut sequence.owned_by {
                if table == table_name && column == old {
                    *column = new.to_string();
                }
            }
        }
        self.column_renamed(table_name, old, new)
    }

    /// Renames a constraint; a key's index shares its name, so it is renamed too (and the
    /// other way round for `ALTER INDEX ... RENAME`).
    pub(super) fn rename_constraint(
        &mut self,
        table_name: &QualifiedName,
        old: &str,
        new: &str,
    ) -> Outcome {
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
        } else if let Some(mut exclusion) = table.exclusions.remove(old) {
            exclusion.name = new.to_string();
            table.exclusions.insert(new.to_string(), exclusion);
        } else {
            return Err(format!(
                "constraint {old} of relation {table_name} does not exist"
            ));
        }
        self.note(|journal| {
            let renames = &mut journal.renames.constraint_renames;
            renames.insert((table_name.clone(), new.to_string()), old.to_string());
        });
        Ok(())
    }

    pub(super) fn alter_index(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        self.touch_all();
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let name = self.relation_reference(cursor)?;
        if cursor.eat_keywords(&["ATTACH", "PARTITION"]) {
            return self.attach_index(&name, cursor);
        }
        let setting = match (cursor.eat_keyword("SET"), cursor.eat_keyword("RESET")) {
            (true, _) => Some(
                clauses::storage_parameters(cursor)?
                    .into_iter()
                    .map(|(parameter, value)| (parameter, Some(value)))
                    .collect::<Vec<_>>(),
            ),
            (_, true) => Some(
                cursor
                    .identifier_list()?
                    .into_iter()
                    .map(|parameter| (parameter, None))
                    .collect(),
            ),
            _ => None,
        };
        let new = match setting {
            Some(_) => String::new(),
            None => {
                cursor.expect_keywords(&["RENAME", "TO"])?;
                cursor.identifier()?
            }
        };
        cursor.expect_end()?;
        let Some(owner) = self.index_owner(&name) else {
            return match if_exists {
                true => Ok(()),
                false => Err(format!("index {name} does not exist")),
            };
        };
        if let Some(parameters) = setting {
            self.journal_table(&owner);
            let exclusion_parameters = self
                .schema
                .tables_mut()
                .get_mut(&owner)
                .and_then(|table| table.exclusions.get_mut(&name.name))
                .map(|exclusion| &mut exclusion.storage_parameters);
            let index_parameters = match exclusion_parameters {
                Some(parameters) => parameters,
                None => {
                    &mut self
                        .index_mut(&owner, &name.name)
                        .ok_or_else(|| not_modelled("storage parameters of a key's index"))?
                        .storage_parameters
                }
            };
            for (parameter, value) in parameters {
                match value {
                    Some(value) => index_parameters.insert(parameter, value),
                    None => index_parameters.remove(&parameter),
                };
            }
            return Ok(());
        }
        if let Some(view) = self.schema.view_mut(&owner) {
            if let Some(mut index) = view.indexes.remove(&name.name) {
                index.name = new.clone();
                view.indexes.insert(new, index);
            }
            return Ok(());
        }
        if self.rename_inherited_index(&owner, &name.name, &new) {
            return Ok(());
        }
        let table = self.table_mut(&owner)?;
        match table.indexes.remove(&name.name) {
            Some(mut index) => {
                index.name = new.clone();
                table.indexes.insert(new.clone(), index);
                self.note(|journal| {
                    let renames = &mut journal.renames.index_renames;
                    renames.insert((owner, new), name.name);
                });
                Ok(())
            }
            None => self.rename_constraint(&owner, &name.name, &new),
        }
    }

    /// An index of a table or materialized view that backs no constraint.
    pub(super) fn index_mut(&mut self, owner: &QualifiedName, index: &str) -> Option<&mut Index> {
        self.journal_table(owner);
        let indexes = match self.schema.tables.contains_key(owner) {
            true => &mut self.schema.tables_mut().get_mut(owner)?.indexes,
            false => &mut self.schema.view_mut(owner)?.indexes,
        };
        indexes.get_mut(index)
    }

    pub(super) fn alter_view(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        cursor.eat_keywords(&["IF", "EXISTS"]);
        let name = self.relation_reference(cursor)?;
        self.alter_view_named(cursor, name)
    }

    pub(super) fn alter_view_named(
        &mut self,
        cursor: &mut Cursor<'_>,
        name: QualifiedName,
    ) -> Outcome {
        self.touch_all();
        if cursor.is_keywords(&["OWNER", "TO"]) {
            self.owner_to(cursor, PrivilegeObject::Table(name))?;
            return cursor.expect_end();
        }
        if cursor.is_keyword("SET") || cursor.is_keyword("RESET") {
            let view = self
                .schema
                .rest_mut()
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
            .rest_mut()
            .views
            .remove(&name)
            .ok_or_else(|| format!("view {name} does not exist"))?;
        view.name = new.clone();
        self.schema.rest_mut().views.insert(new.clone(), view);
        self.move_privileges_and_owner(PrivilegeObject::Table(name), PrivilegeObject::Table(new));
        Ok(())
    }

    pub(super) fn alter_type(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = self.type_reference_name(cursor)?;
        if cursor.is_keywords(&["OWNER", "TO"]) {
            self.owner_to(cursor, PrivilegeObject::Type(name))?;
            return cursor.expect_end();
        }
        if self.schema.composite_types.contains_key(&name) {
            return self.alter_composite(&name, cursor);
        }
        if self.schema.ranges.contains_key(&name) || self.is_multirange(&name) {
            return self.alter_range(&name, cursor);
        }
        let Some(enumeration) = self.schema.rest_mut().enums.get_mut(&name) else {
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
            self.note(|journal| {
                let renames = &mut journal.renames.enum_value_renames;
                renames.insert((name.clone(), new.clone()), old.clone());
            });
            self.all_tables_mut();
            crate::renames::follow_label_rename(self.schema.rest_mut(), &name, &old, &new);
            return Ok(());
        }
        cursor.expect_keywords(&["RENAME", "TO"])?;
        let new = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
        cursor.expect_end()?;
        if self.schema.enums.contains_key(&new) {
            return Err(format!("type {new} already exists"));
        }
        if let Some(mut enumeration) = self.schema.rest_mut().enums.remove(&name) {
            enumeration.name = new.clone();
            self.schema
                .rest_mut()
                .enums
                .insert(new.clone(), enumeration);
            self.note(|journal| {
                let renames = &mut journal.renames.enum_renames;
                renames.insert(new.clone(), name.name.clone());
            });
            self.move_privileges_and_owner(
                PrivilegeObject::Type(name.clone()),
                PrivilegeObject::Type(new.clone()),
            );
        }
        self.follow_type_rename(&name, &new);
        Ok(())
    }
}
