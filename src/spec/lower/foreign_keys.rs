//! Lowering of foreign keys: references resolved once every table is known, referenced
//! columns checked against a key, actions and deferrability.

use super::*;

impl Lowering<'_> {
    /// Foreign keys come last: they need every table's columns and keys.
    pub(super) fn foreign_keys(
        &mut self,
        drafts: &mut BTreeMap<QualifiedName, TableDraft>,
    ) -> Result<()> {
        let table_names: Vec<QualifiedName> = drafts.keys().cloned().collect();
        for table_name in table_names {
            let Some(draft) = drafts.get_mut(&table_name) else {
                continue;
            };
            let raw_keys = std::mem::take(&mut draft.foreign_keys.0);
            let foreign_keys_at = draft.at.key("foreign_keys");
            for (key_idx, (key_name, mut raw_key)) in raw_keys.into_iter().enumerate() {
                let at = entry_path(&foreign_keys_at, key_name.as_deref(), key_idx);
                let renamed_from = raw_key.renamed_from.take();
                let foreign_key = self.foreign_key(drafts, &table_name, key_name, raw_key, &at)?;
                self.constraint_renamed(&table_name, &foreign_key.name, renamed_from, &at)?;
                let Some(draft) = drafts.get_mut(&table_name) else {
                    continue;
                };
                self.claim_constraint(draft, &foreign_key.name, &at)?;
                self.record(
                    ObjectRef::Constraint(table_name.clone(), foreign_key.name.clone()),
                    &at,
                );
                draft
                    .table
                    .foreign_keys
                    .insert(foreign_key.name.clone(), foreign_key);
            }
        }
        Ok(())
    }

    pub(super) fn foreign_key(
        &self,
        drafts: &BTreeMap<QualifiedName, TableDraft>,
        table_name: &QualifiedName,
        name: Option<String>,
        raw_key: raw::ForeignKey,
        at: &YamlPath,
    ) -> Result<ForeignKey> {
        let Some(table) = drafts.get(table_name).map(|draft| &draft.table) else {
            return Err(self.error(at, format!("unknown table {table_name}")));
        };
        self.check_columns(table, &raw_key.columns, at, "foreign key")?;
        let referenced_name = self.qualified(
            &raw_key.references.table,
            &at.key("references").key("table"),
        )?;
        let Some(referenced) = drafts.get(&referenced_name).map(|draft| &draft.table) else {
            return Err(self.error(
                at,
                format!(
                    "foreign key references unknown table \"{}\"",
                    raw_key.references.table
                ),
            ));
        };
        let referenced_columns = match raw_key.references.columns {
            Some(columns) => {
                for column in &columns {
                    if referenced.column(column).is_none() {
                        return Err(self.error(
                            at,
                            format!(
                                "unknown column \"{column}\" in referenced table {referenced_name}"
                            ),
                        ));
                    }
                }
                columns
            }
            None => match &referenced.primary_key {
                Some(key) => key.columns.clone(),
                None => {
                    let message = format!("referenced table {referenced_name} has no primary key; list the referenced columns");
                    return Err(self.error(at, message));
                }
            },
        };
        if referenced_columns.len() != raw_key.columns.len() {
            let message = format!(
                "foreign key has {} column(s) but references {}",
                raw_key.columns.len(),
                referenced_columns.len()
            );
            return Err(self.error(at, message));
        }
        if !has_matching_key(referenced, &referenced_columns) {
            let message = format!(
                "referenced columns ({}) of {referenced_name} are not a non-deferrable primary or unique key",
                referenced_columns.join(", ")
            );
            return Err(self.error(at, message));
        }
        if referenced.unlogged && !table.unlogged {
            let message = format!(
                "a logged table cannot reference unlogged table {referenced_name}; make {} unlogged too",
                table.name
            );
            return Err(self.error(at, message));
        }
        let name = match name {
            Some(name) => self.identifier(&name, at).map(|()| name)?,
            None => names::foreign_key_name(&table.name.name, &raw_key.columns),
        };
        Ok(ForeignKey {
            name,
            columns: raw_key.columns,
            referenced_table: referenced_name,
            referenced_columns,
            on_delete: raw_key
                .on_delete
                .map_or(ReferentialAction::NoAction, action),
            on_update: raw_key
                .on_update
                .map_or(ReferentialAction::NoAction, action),
            deferrable: self.deferrable(raw_key.deferrable, raw_key.initially_deferred, at)?,
            match_type: match raw_key.match_type {
                None | Some(raw::MatchType::Simple) => MatchType::Simple,
                Some(raw::MatchType::Full) => MatchType::Full,
            },
            valid: raw_key.valid.unwrap_or(true),
            comment: raw_key.comment,
        })
    }

    /// `INITIALLY DEFERRED` implies `DEFERRABLE` in PostgreSQL; only an explicit
    /// `deferrable: false` contradicts it.
    pub(super) fn deferrable(
        &self,
        deferrable: Option<bool>,
        initially_deferred: Option<bool>,
        at: &YamlPath,
    ) -> Result<Deferrable> {
        match (deferrable, initially_deferred.unwrap_or(false)) {
            (Some(false), true) => Err(self.error(at, "initially_deferred needs deferrable: true")),
            (_, true) => Ok(Deferrable::Deferred),
            (Some(true), false) => Ok(Deferrable::Immediate),
            (_, false) => Ok(Deferrable::NotDeferrable),
        }
    }
}

/// PostgreSQL needs a non-deferrable unique index over exactly the referenced columns (in any
/// order): the primary key, a unique constraint, or a plain unique index.
fn has_matching_key(table: &Table, columns: &[String]) -> bool {
    let wanted: BTreeSet<&String> = columns.iter().collect();
    let same_set = |key_columns: &[String]| {
        key_columns.len() == wanted.len()
            && key_columns.iter().all(|column| wanted.contains(column))
    };
    table
        .primary_key
        .as_ref()
        .is_some_and(|key| key.deferrable == Deferrable::NotDeferrable && same_set(&key.columns))
        || table.uniques.values().any(|unique| {
            unique.deferrable == Deferrable::NotDeferrable && same_set(&unique.columns)
        })
        || table.indexes.values().any(|index| {
            let key_columns: Option<Vec<String>> = index
                .keys
                .iter()
                .map(|key| match &key.target {
                    IndexTarget::Column(column) => Some(column.clone()),
                    IndexTarget::Expression(_) => None,
                })
                .collect();
            index.unique
                && index.predicate.is_none()
                && key_columns.is_some_and(|key_columns| same_set(&key_columns))
        })
}

fn action(action: raw::ReferentialAction) -> ReferentialAction {
    match action {
        raw::ReferentialAction::NoAction => ReferentialAction::NoAction,
        raw::ReferentialAction::Restrict => ReferentialAction::Restrict,
        raw::ReferentialAction::Cascade => ReferentialAction::Cascade,
        raw::ReferentialAction::SetNull => ReferentialAction::SetNull,
        raw::ReferentialAction::SetDefault => ReferentialAction::SetDefault,
    }
}
