//! Lowering of views and materialized views.

use super::*;

impl Lowering<'_> {
    pub(super) fn views(
        &mut self,
        views: raw::Ordered<raw::View>,
        drafts: &BTreeMap<QualifiedName, TableDraft>,
        schema: &mut Schema,
    ) -> Result<()> {
        let mut declared = Vec::new();
        for (key, mut raw_view) in views.0 {
            let at = YamlPath::default().key("views").key(&key);
            let name = self.qualified(&key, &at)?;
            self.grants(
                PrivilegeObject::Table(name.clone()),
                raw_view.grants.take(),
                &at,
            )?;
            let owner = raw_view.owner.take();
            self.owner(PrivilegeObject::Table(name.clone()), owner, &at)?;
            if drafts.contains_key(&name) || schema.views.contains_key(&name) {
                return Err(self.error(&at, format!("relation {name} is already declared")));
            }
            let query = raw_view.query.trim().trim_end_matches(';');
            let definition = self.fragment(Fragment::Query, query, &at, "query")?;
            let holder = Table::new(name.clone());
            let mut indexes = NameMap::new();
            if let Some(raw_indexes) = raw_view.indexes {
                if !raw_view.materialized {
                    return Err(self.error(&at, "only a materialized view can have indexes"));
                }
                for (index_idx, (index_name, raw_index)) in raw_indexes.0.into_iter().enumerate() {
                    let index_at = entry_path(&at.key("indexes"), index_name.as_deref(), index_idx);
                    let index = self.index(&holder, false, index_name, raw_index, &index_at)?;
                    self.record(
                        ObjectRef::Index(name.clone(), index.name.clone()),
                        &index_at,
                    );
                    indexes.insert(index.name.clone(), index);
                }
            }
            let options = ViewOptions {
                security_barrier: raw_view.security_barrier,
                security_invoker: raw_view.security_invoker,
                check_option: raw_view
                    .check_option
                    .map(|check_option| match check_option {
                        raw::CheckOption::Local => CheckOption::Local,
                        raw::CheckOption::Cascaded => CheckOption::Cascaded,
                    }),
            };
            if raw_view.materialized && !options.is_default() {
                return Err(self.error(
                    &at,
                    "security_barrier, security_invoker and check_option are options of a plain view, not of a materialized view",
                ));
            }
            self.record(ObjectRef::View(name.clone()), &at);
            for column in raw_view.column_comments.keys() {
                self.identifier(column, &at.key("column_comments"))?;
            }
            let column_comments = raw_view.column_comments;
            let triggers = raw_view.triggers.unwrap_or_default();
            let triggers = self.triggers(&name, None, triggers, &at)?;
            if raw_view.materialized && !triggers.is_empty() {
                return Err(self.error(&at, "a materialized view cannot have triggers"));
            }
            schema.schemas.insert(name.schema.clone());
            declared.push(name.clone());
            schema.views.insert(
                name.clone(),
                View {
                    name,
                    definition,
                    materialized: raw_view.materialized,
                    options,
                    indexes,
                    comment: raw_view.comment,
                    column_comments,
                    depends_on: BTreeSet::new(),
                    triggers,
                },
            );
        }
        // The file does not say what a query reads; names of declared relations among its
        // words are a good enough guess to create views in a working order.
        let relations: Vec<QualifiedName> = drafts
            .keys()
            .cloned()
            .chain(declared.iter().cloned())
            .collect();
        for view in schema.views.values_mut() {
            let words = crate::references::words(view.definition.as_str());
            view.depends_on = relations
                .iter()
                .filter(|relation| **relation != view.name && words.contains(&relation.name))
                .cloned()
                .collect();
        }
        Ok(())
    }
}
