//! The interpreter's COMMENT ON statements: the comments the model holds, on the objects
//! that hold them.

use super::*;

impl Interpreter {
    pub(super) fn comment(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        if let Some(outcome) = self.comment_on_attached(cursor) {
            return outcome;
        }
        let kind = if cursor.eat_keyword("TABLE") {
            "table"
        } else if cursor.eat_keyword("COLUMN") {
            "column"
        } else if cursor.eat_keyword("TYPE") {
            "type"
        } else if cursor.eat_keyword("DOMAIN") {
            "domain"
        } else if cursor.eat_keyword("VIEW") || cursor.eat_keywords(&["MATERIALIZED", "VIEW"]) {
            "view"
        } else if cursor.eat_keyword("INDEX") {
            "index"
        } else if cursor.eat_keyword("SEQUENCE") {
            "sequence"
        } else if cursor.eat_keyword("SCHEMA") {
            "schema"
        } else if cursor.eat_keyword("CONSTRAINT") {
            return self.comment_on_constraint(cursor);
        } else if cursor.eat_keyword("FUNCTION")
            || cursor.eat_keyword("PROCEDURE")
            || cursor.eat_keyword("ROUTINE")
        {
            return self.comment_on_function(cursor);
        } else if cursor.eat_keyword("COLLATION") {
            return self.comment_on_collation(cursor);
        } else if cursor.eat_keyword("AGGREGATE") {
            return self.comment_on_aggregate(cursor);
        } else {
            // Comments on kinds whose comment the model does not hold (extensions, ...):
            // the catalog does not read them either.
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
            "table" => self.table_mut(&self.existing(&parts)?)?.comment = text,
            "index" => {
                let name = self.existing(&parts)?;
                let owner = self
                    .index_owner(&name)
                    .ok_or_else(|| format!("index {name} does not exist"))?;
                // The index of a key constraint holds no comment in the model.
                if let Some(index) = self.index_mut(&owner, &name.name) {
                    index.comment = text;
                }
            }
            "type" | "domain" => self.comment_on_type(&self.existing(&parts)?, text)?,
            "schema" => {
                let [name] = parts.as_slice() else {
                    return Err(format!("`{}` is not a schema name", parts.join(".")));
                };
                self.require_schema(name)?;
                match text {
                    Some(text) => self
                        .schema
                        .rest_mut()
                        .schema_comments
                        .insert(name.clone(), text),
                    None => self.schema.rest_mut().schema_comments.remove(name),
                };
            }
            "sequence" => {
                let name = self.existing(&parts)?;
                self.journal_sequence(&name);
                self.sequences
                    .get_mut(&name)
                    .ok_or_else(|| format!("sequence {name} does not exist"))?
                    .comment = text;
            }
            "view" => {
                let name = self.existing(&parts)?;
                self.schema
                    .rest_mut()
                    .views
                    .get_mut(&name)
                    .ok_or_else(|| format!("view {name} does not exist"))?
                    .comment = text;
            }
            _ => {
                let (table_parts, column) = parts.split_at(parts.len().saturating_sub(1));
                let table_name = self.existing(table_parts)?;
                let column_name = column.first().cloned().unwrap_or_default();
                if self.schema.composite_types.contains_key(&table_name) {
                    return self.comment_on_attribute(&table_name, &column_name, text);
                }
                // A view's columns come from its query, which the interpreter does not run:
                // the column is taken on trust, as the catalog reads it back.
                if let Some(view) = self.schema.view_mut(&table_name) {
                    match text {
                        Some(text) => view.column_comments.insert(column_name, text),
                        None => view.column_comments.remove(&column_name),
                    };
                    return Ok(());
                }
                let table = self.table_mut(&table_name)?;
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

    /// `COMMENT ON CONSTRAINT name ON [DOMAIN] target IS ...`
    fn comment_on_constraint(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.identifier()?;
        cursor.expect_keywords(&["ON"])?;
        let on_domain = cursor.eat_keyword("DOMAIN");
        let target = cursor.qualified_name()?;
        cursor.expect_keywords(&["IS"])?;
        let text = match cursor.eat_keyword("NULL") {
            true => None,
            false => Some(cursor.string()?),
        };
        cursor.expect_end()?;
        let text = text.filter(|text| !text.is_empty());
        let missing = || format!("constraint {name} of {target} does not exist");
        if on_domain {
            let domain = self
                .schema
                .rest_mut()
                .domains
                .get_mut(&target)
                .ok_or_else(|| format!("domain {target} does not exist"))?;
            domain.checks.get_mut(&name).ok_or_else(missing)?.comment = text;
            return Ok(());
        }
        let table = self.table_mut(&target)?;
        let comment = if let Some(key) = table.primary_key.as_mut().filter(|key| key.name == name) {
            &mut key.comment
        } else if let Some(unique) = table.uniques.get_mut(&name) {
            &mut unique.comment
        } else if let Some(key) = table.foreign_keys.get_mut(&name) {
            &mut key.comment
        } else if let Some(check) = table.checks.get_mut(&name) {
            &mut check.comment
        } else if let Some(exclusion) = table.exclusions.get_mut(&name) {
            &mut exclusion.comment
        } else {
            return Err(missing());
        };
        *comment = text;
        Ok(())
    }
}
