//! `ALTER TABLE t ADD CONSTRAINT n {PRIMARY KEY | UNIQUE} USING INDEX i`: a unique index
//! (built concurrently) becomes the key, renamed to the constraint's name, as the server
//! does it; online revisions add keys this way.

use super::*;

impl Interpreter {
    /// Interprets the action when it adds a key using an index (`None` otherwise, the
    /// cursor left where it was).
    pub(super) fn add_key_using_index(
        &mut self,
        cursor: &mut Cursor<'_>,
        table_name: &QualifiedName,
    ) -> Option<Outcome> {
        let mut probe = cursor.clone();
        let name = probe
            .eat_keyword("CONSTRAINT")
            .then(|| probe.identifier().ok())
            .flatten();
        let primary = if probe.eat_keywords(&["PRIMARY", "KEY"]) {
            true
        } else if probe.eat_keyword("UNIQUE") {
            false
        } else {
            return None;
        };
        if !probe.eat_keywords(&["USING", "INDEX"]) {
            return None;
        }
        *cursor = probe;
        Some(self.adopt_index(cursor, table_name, name, primary))
    }

    fn adopt_index(
        &mut self,
        cursor: &mut Cursor<'_>,
        table_name: &QualifiedName,
        name: Option<String>,
        primary: bool,
    ) -> Outcome {
        let index_name = cursor.identifier()?;
        let deferrable = clauses::deferrable(cursor)?;
        let table = self.table_mut(table_name)?;
        let index = table
            .indexes
            .remove(&index_name)
            .ok_or_else(|| format!("index \"{index_name}\" of {table_name} does not exist"))?;
        let plain_columns: Option<Vec<String>> = index
            .keys
            .iter()
            .map(|key| match (&key.target, &key.opclass, &key.collation) {
                (IndexTarget::Column(column), None, None) if !key.descending => {
                    Some(column.clone())
                }
                _ => None,
            })
            .collect();
        let columns = match plain_columns {
            Some(columns)
                if index.unique && index.method == "btree" && index.predicate.is_none() =>
            {
                columns
            }
            _ => {
                return Err(format!(
                    "index \"{index_name}\" cannot make a key: it must be a unique b-tree index \
                     on plain columns in default order"
                ))
            }
        };
        let name = name.unwrap_or(index_name);
        let kind = match primary {
            true => ConstraintKind::PrimaryKey {
                columns,
                include: index.include.clone(),
            },
            false => ConstraintKind::Unique {
                columns,
                include: index.include.clone(),
                nulls_not_distinct: index.nulls_not_distinct,
            },
        };
        self.add_constraint(
            table_name,
            TableConstraint {
                name: Some(name),
                kind,
                deferrable,
                valid: true,
            },
        )
    }
}
