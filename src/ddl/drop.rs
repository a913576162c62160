//! The interpreter's DROP statements: what each takes along, as the server would (views
//! over a dropped relation with CASCADE, a partitioned table's partitions, owned sequences).

use super::*;

impl Interpreter {
    pub(super) fn drop(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        if cursor.eat_keyword("FUNCTION")
            || cursor.eat_keyword("PROCEDURE")
            || cursor.eat_keyword("ROUTINE")
        {
            return self.drop_functions(cursor);
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
            cursor.eat_keyword("CONCURRENTLY");
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
                        _ => self.schema.extensions.remove(name).is_some(),
                    }
                }
                _ => {
                    let name = qualified(&parts)?;
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
                            self.schema.enums.remove(&name).is_some()
                                || self.schema.composite_types.remove(&name).is_some()
                                || self.schema.domains.remove(&name).is_some()
                        }
                        "domain" => self.schema.domains.remove(&name).is_some(),
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

    pub(super) fn drop_schema(&mut self, name: &str, cascade: bool) -> bool {
        if !self.schema.schemas.remove(name) {
            return false;
        }
        if cascade {
            let outside = |qualified: &QualifiedName| qualified.schema != name;
            self.schema.tables.retain(|key, _| outside(key));
            self.schema.views.retain(|key, _| outside(key));
            self.schema.enums.retain(|key, _| outside(key));
            self.schema.domains.retain(|key, _| outside(key));
            self.schema.composite_types.retain(|key, _| outside(key));
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
    pub(super) fn drop_relation_and_views(&mut self, name: &QualifiedName, cascade: bool) {
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

    pub(super) fn drop_table(&mut self, name: &QualifiedName, cascade: bool) -> Outcome<bool> {
        if !self.schema.tables.contains_key(name) {
            return Ok(false);
        }
        self.drop_children(name, cascade)?;
        self.schema.tables.remove(name);
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
        Ok(true)
    }

    pub(super) fn drop_index(&mut self, name: &QualifiedName) -> bool {
        let Some(owner) = self.index_owner(name) else {
            return false;
        };
        // The name is free again for the next CREATE INDEX.
        self.names.get_mut().changed.insert(owner.clone());
        if let Some(view) = self.schema.views.get_mut(&owner) {
            return view.indexes.remove(&name.name).is_some();
        }
        let dropped = self
            .schema
            .tables
            .get_mut(&owner)
            .is_some_and(|table| table.indexes.remove(&name.name).is_some());
        self.prune_inherited_indexes(&owner);
        dropped
    }
}
