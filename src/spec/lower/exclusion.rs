//! Lowering of a table's exclusion constraints (`exclude:`).

use super::*;
use crate::model::{ExclusionConstraint, ExclusionElement};

impl Lowering<'_> {
    pub(super) fn exclusions(
        &mut self,
        draft: &mut TableDraft,
        raw_exclusions: raw::Keyed<raw::Exclusion>,
    ) -> Result<()> {
        let section = draft.at.key("exclude");
        for (exclusion_idx, (name, raw_exclusion)) in raw_exclusions.0.into_iter().enumerate() {
            let at = entry_path(&section, name.as_deref(), exclusion_idx);
            let exclusion = self.exclusion(&draft.table, name, raw_exclusion, &at)?;
            self.claim_constraint(draft, &exclusion.name, &at)?;
            // The backing index takes the constraint's name.
            draft.relation_names.push((exclusion.name.clone(), at));
            draft
                .table
                .exclusions
                .insert(exclusion.name.clone(), exclusion);
        }
        Ok(())
    }

    fn exclusion(
        &mut self,
        table: &Table,
        name: Option<String>,
        raw_exclusion: raw::Exclusion,
        at: &YamlPath,
    ) -> Result<ExclusionConstraint> {
        if raw_exclusion.elements.is_empty() {
            return Err(self.error(at, "an exclusion constraint needs at least one element"));
        }
        let mut elements = Vec::new();
        for (element_idx, raw_element) in raw_exclusion.elements.into_iter().enumerate() {
            let element_at = at.key("elements").index(element_idx);
            let operator = guard::operator(&raw_element.operator)
                .map_err(|message| self.error(&element_at, format!("operator {message}")))?;
            let raw_key = raw::IndexKey {
                column: raw_element.column,
                expression: raw_element.expression,
                order: raw_element.order,
                nulls: raw_element.nulls,
                opclass: raw_element.opclass,
                collation: raw_element.collation,
            };
            let key = self.index_key(table, true, raw_key, &element_at)?;
            elements.push(ExclusionElement { key, operator });
        }
        for column in &raw_exclusion.include {
            if table.column(column).is_none() {
                return Err(self.error(at, format!("unknown column \"{column}\" in include")));
            }
        }
        let name = match name {
            Some(name) => self.identifier(&name, at).map(|()| name)?,
            None => {
                let mut columns = Vec::new();
                for element in &elements {
                    match &element.key.target {
                        IndexTarget::Column(column) => columns.push(column.clone()),
                        IndexTarget::Expression(_) => {
                            let message = "an exclusion constraint on expressions needs a name";
                            return Err(self.error(at, message));
                        }
                    }
                }
                columns.extend(raw_exclusion.include.iter().cloned());
                names::exclusion_name(&table.name.name, &columns)
            }
        };
        let method = match raw_exclusion.using.as_deref().map(str::trim) {
            None => "btree".to_owned(),
            Some("") => return Err(self.error(at, "exclusion constraint access method is empty")),
            Some(method) => method.to_owned(),
        };
        let deferrable = self.deferrable(
            raw_exclusion.deferrable,
            raw_exclusion.initially_deferred,
            at,
        )?;
        self.constraint_renamed(&table.name, &name, raw_exclusion.renamed_from, at)?;
        Ok(ExclusionConstraint {
            name,
            method,
            elements,
            include: raw_exclusion.include,
            predicate: self.expression(raw_exclusion.predicate, at, "where")?,
            storage_parameters: self.storage_parameters(raw_exclusion.with, at)?,
            deferrable,
            comment: raw_exclusion.comment,
        })
    }
}
