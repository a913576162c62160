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
        } else if cursor.eat_keyword("FUNCTION")
            || cursor.eat_keyword("PROCEDURE")
            || cursor.eat_keyword("ROUTINE")
        {
            return self.comment_on_function(cursor);
        } else if cursor.eat_keyword("COLLATION") {
            return self.comment_on_collation(cursor);
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
            "index" => {
                let name = qualified(&parts)?;
                let owner = self
                    .index_owner(&name)
                    .ok_or_else(|| format!("index {name} does not exist"))?;
                // The index of a key constraint holds no comment in the model.
                if let Some(index) = self.index_mut(&owner, &name.name) {
                    index.comment = text;
                }
            }
            "type" | "domain" => self.comment_on_type(&qualified(&parts)?, text)?,
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
                let column_name = column.first().cloned().unwrap_or_default();
                if self.schema.composite_types.contains_key(&table_name) {
                    return self.comment_on_attribute(&table_name, &column_name, text);
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
}
