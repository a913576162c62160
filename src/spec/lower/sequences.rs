//! Lowering of sequences and the columns that own them.

use super::*;

impl Lowering<'_> {
    pub(super) fn sequences(
        &mut self,
        sequences: raw::Ordered<raw::StandaloneSequence>,
        drafts: &BTreeMap<QualifiedName, TableDraft>,
        schema: &mut Schema,
    ) -> Result<()> {
        for (key, mut raw_sequence) in sequences.0 {
            let at = YamlPath::default().key("sequences").key(&key);
            let name = self.qualified(&key, &at)?;
            let grants = raw_sequence.grants.take();
            self.grants(PrivilegeObject::Sequence(name.clone()), grants, &at)?;
            let owner = raw_sequence.owner.take();
            self.owner(PrivilegeObject::Sequence(name.clone()), owner, &at)?;
            if drafts.contains_key(&name)
                || schema.views.contains_key(&name)
                || schema.sequences.contains_key(&name)
            {
                return Err(self.error(&at, format!("relation {name} is already declared")));
            }
            let data_type = raw_sequence.data_type.as_deref().unwrap_or("bigint");
            let data_type = crate::syntax::types::canonical_type(data_type, &BTreeSet::new());
            if !matches!(data_type.as_str(), "smallint" | "integer" | "bigint") {
                return Err(self.error(
                    &at,
                    format!("a sequence is smallint, integer or bigint, not {data_type}"),
                ));
            }
            if raw_sequence.increment == Some(0) {
                return Err(self.error(&at, "sequence increment cannot be zero"));
            }
            let owned_by = match raw_sequence.owned_by {
                None => None,
                Some(text) => Some(self.sequence_owner(&text, drafts, &at.key("owned_by"))?),
            };
            self.record(ObjectRef::Sequence(name.clone()), &at);
            schema.schemas.insert(name.schema.clone());
            schema.sequences.insert(
                name.clone(),
                Sequence {
                    name,
                    data_type,
                    options: SequenceOptions {
                        start: raw_sequence.start,
                        increment: raw_sequence.increment,
                        min_value: raw_sequence.min,
                        max_value: raw_sequence.max,
                        cache: raw_sequence.cache,
                        cycle: raw_sequence.cycle,
                    },
                    owned_by,
                    comment: raw_sequence.comment,
                },
            );
        }
        Ok(())
    }

    /// `table.column` or `schema.table.column`, naming a declared column.
    pub(super) fn sequence_owner(
        &self,
        text: &str,
        drafts: &BTreeMap<QualifiedName, TableDraft>,
        at: &YamlPath,
    ) -> Result<(QualifiedName, String)> {
        let (table_text, column) = text
            .rsplit_once('.')
            .ok_or_else(|| self.error(at, format!("owned_by {text:?} is not table.column")))?;
        let table = self.qualified(table_text, at)?;
        let declared = drafts
            .get(&table)
            .is_some_and(|draft| draft.table.column(column).is_some());
        if !declared {
            return Err(self.error(
                at,
                format!("owned_by names column {column} of {table}, which is not declared"),
            ));
        }
        Ok((table, column.to_owned()))
    }
}
