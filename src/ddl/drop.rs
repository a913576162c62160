//! The interpreter's DROP statements and `ALTER TABLE ... DROP`: what each takes along, as
//! the server's dependency rules would (views over a dropped relation with CASCADE, a
//! partitioned table's partitions, owned sequences).

use super::*;

impl Interpreter {
    pub(super) fn drop_column(&mut self, table_name: &QualifiedName, column_name: &str) -> Outcome {
        self.touch_all();
        let table = self.table_mut(table_name)?;
        if table.column(column_name).is_none() {
            return Err(format!(
                "column {column_name} of {table_name} does not exist"
            ));
        }
        table.columns.retain(|column| column.name != column_name);
        let involves = |columns: &[String]| columns.iter().any(|column| column == column_name);
        // A key goes with its key or INCLUDE columns.
        if table
            .primary_key
            .as_ref()
            .is_some_and(|key| involves(&key.columns) || involves(&key.include))
        {
            table.primary_key = None;
        }
        table
            .uniques
            .retain(|_, unique| !involves(&unique.columns) && !involves(&unique.include));
        table.foreign_keys.retain(|_, key| !involves(&key.columns));
        table
            .checks
            .retain(|_, check| !mentions(check.expression.as_str(), column_name));
        table
            .indexes
            .retain(|_, index| !index_mentions(index, column_name));
        table
            .exclusions
            .retain(|_, exclusion| !index_mentions(&exclusion.index(), column_name));
        triggers::forget_column(table, column_name);
        for other in self.all_tables_mut().values_mut() {
            other.foreign_keys.retain(|_, key| {
                key.referenced_table != *table_name || !involves(&key.referenced_columns)
            });
        }
        let owner = (table_name.clone(), column_name.to_string());
        self.all_sequences_mut()
            .retain(|_, sequence| sequence.owned_by.as_ref() != Some(&owner));
        self.column_dropped(table_name, column_name)
    }

    pub(super) fn drop_constraint(
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
        } else if table.foreign_keys.remove(name).is_some()
            || table.checks.remove(name).is_some()
            || table.exclusions.remove(name).is_some()
        {
            None
        } else if if_exists {
            return Ok(());
        } else {
            return Err(format!(
                "constraint {name} of relation {table_name} does not exist"
            ));
        };
        if let (Some(columns), true) = (removed_key, cascade) {
            for other in self.all_tables_mut().values_mut() {
                other.foreign_keys.retain(|_, key| {
                    key.referenced_table != *table_name || key.referenced_columns != columns
                });
            }
        }
        self.prune_inherited_indexes(table_name);
        Ok(())
    }

    pub(super) fn drop(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        if cursor.eat_keyword("FUNCTION")
            || cursor.eat_keyword("PROCEDURE")
            || cursor.eat_keyword("ROUTINE")
        {
            return self.drop_functions(cursor);
        }
        if cursor.eat_keyword("COLLATION") {
            return self.drop_collations(cursor);
        }
        if cursor.eat_keyword("AGGREGATE") {
            return self.drop_aggregates(cursor);
        }
        self.touch_all();
        if let Some(outcome) = self.drop_attached(cursor) {
            return outcome;
        }
        let kind = if cursor.eat_keyword("TABLE") {
            "table"
        } else if cursor.eat_keyword("VIEW") {
            "view"
        } else if cursor.eat_keywords(&["MATERIALIZED", "VIEW"]) {
            "materialized view"
        } else if cursor.eat_keyword("INDEX") {
            if cursor.eat_keyword("CONCURRENTLY") {
                self.note(|journal| journal.concurrently = true);
            }
            "index"
        } else if cursor.eat_keyword("TYPE") {
            "type"
        } else if cursor.eat_keyword("DOMAIN") {
            "domain"
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
                        _ => self.schema.rest_mut().extensions.remove(name).is_some(),
                    }
                }
                _ => {
                    let name = self.existing(&parts)?;
                    match kind {
                        "table" => self.drop_table(&name, cascade)?,
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
                        "type" => {
                            let found = self.schema.rest_mut().enums.remove(&name).is_some()
                                || self
                                    .schema
                                    .rest_mut()
                                    .composite_types
                                    .remove(&name)
                                    .is_some()
                                || self.schema.rest_mut().domains.remove(&name).is_some()
                                || self.schema.rest_mut().ranges.remove(&name).is_some();
                            found && self.drop_columns_of_type(&name, cascade)?
                        }
                        "domain" => {
                            let found = self.schema.rest_mut().domains.remove(&name).is_some();
                            found && self.drop_columns_of_type(&name, cascade)?
                        }
                        _ => {
                            self.journal_sequence(&name);
                            self.sequences.remove(&name).is_some()
                        }
                    }
                }
            };
            if !found && !if_exists {
                return Err(format!("{kind} {} does not exist", parts.join(".")));
            }
        }
        Ok(())
    }

    /// The columns of a dropped type go with it under CASCADE; without, PostgreSQL refuses
    /// to drop a type a column uses. True when the drop may go on.
    fn drop_columns_of_type(&mut self, name: &QualifiedName, cascade: bool) -> Outcome<bool> {
        let users: Vec<(QualifiedName, String)> = self
            .schema
            .tables
            .values()
            .flat_map(|table| {
                table
                    .columns
                    .iter()
                    .filter(|column| crate::syntax::types::names_type(&column.data_type, name))
                    .map(|column| (table.name.clone(), column.name.clone()))
            })
            .collect();
        if let (Some((table, column)), false) = (users.first(), cascade) {
            return Err(format!(
                "cannot drop type {name}: column {table}.{column} uses it (CASCADE would drop \
                 the column too)"
            ));
        }
        for (table, column) in users {
            self.drop_column(&table, &column)?;
        }
        Ok(true)
    }

    pub(super) fn drop_schema(&mut self, name: &str, cascade: bool) -> bool {
        if !self.schema.rest_mut().schemas.remove(name) {
            return false;
        }
        self.schema.rest_mut().schema_comments.remove(name);
        if cascade {
            let outside = |qualified: &QualifiedName| qualified.schema != name;
            self.all_tables_mut().retain(|key, _| outside(key));
            self.schema.rest_mut().views.retain(|key, _| outside(key));
            self.schema.rest_mut().enums.retain(|key, _| outside(key));
            self.schema.rest_mut().domains.retain(|key, _| outside(key));
            self.schema
                .rest_mut()
                .composite_types
                .retain(|key, _| outside(key));
            self.schema.rest_mut().ranges.retain(|key, _| outside(key));
            self.all_sequences_mut().retain(|key, _| outside(key));
            for table in self.schema.tables_mut().values_mut() {
                table
                    .foreign_keys
                    .retain(|_, key| outside(&key.referenced_table));
            }
        }
        true
    }

    /// Drops a view, and with CASCADE the views that read it (transitively).
    pub(super) fn drop_relation_and_views(&mut self, name: &QualifiedName, cascade: bool) {
        self.schema.rest_mut().views.remove(name);
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

    pub(super) fn drop_table(&mut self, name: &QualifiedName, cascade: bool) -> Outcome<bool> {
        if !self.schema.tables.contains_key(name) {
            return Ok(false);
        }
        self.drop_children(name, cascade)?;
        self.journal_table(name);
        self.schema.tables_mut().remove(name);
        self.drop_relation_and_views(name, cascade);
        if cascade {
            for table in self.all_tables_mut().values_mut() {
                table
                    .foreign_keys
                    .retain(|_, key| key.referenced_table != *name);
            }
        }
        self.all_sequences_mut().retain(|_, sequence| {
            sequence
                .owned_by
                .as_ref()
                .is_none_or(|(table, _)| table != name)
        });
        Ok(true)
    }

    pub(super) fn drop_index(&mut self, name: &QualifiedName) -> bool {
        let Some(owner) = self.index_owner(name) else {
            return false;
        };
        // The name is free again for the next CREATE INDEX.
        self.names.get_mut().changed.insert(owner.clone());
        self.journal_table(&owner);
        if let Some(view) = self.schema.view_mut(&owner) {
            return view.indexes.remove(&name.name).is_some();
        }
        let dropped = self
            .schema
            .tables_mut()
            .get_mut(&owner)
            .is_some_and(|table| table.indexes.remove(&name.name).is_some());
        self.prune_inherited_indexes(&owner);
        dropped
    }
}
