//! Lowering of the `domains:` and `composite_types:` sections: names resolved, fragments
//! guarded, and every type they name known (built-in, or an enum, domain or composite type
//! of the file).

use super::*;
use crate::model::{Attribute, CompositeType, Domain};

impl Lowering<'_> {
    /// Adds the file's domains and composite types to `schema`, and where each was declared
    /// to `type_paths` (which holds the enums), for clashes in the type namespace.
    pub(super) fn types(
        &mut self,
        domains: raw::Ordered<raw::Domain>,
        composite_types: raw::Ordered<raw::CompositeType>,
        type_paths: &mut BTreeMap<QualifiedName, YamlPath>,
        schema: &mut Schema,
    ) -> Result<()> {
        let mut declared = Vec::new();
        let domain_paths = domains.0.iter().map(|(key, _)| ("domains", key));
        let composite_paths = composite_types
            .0
            .iter()
            .map(|(key, _)| ("composite_types", key));
        for (section, key) in domain_paths.chain(composite_paths) {
            let at = YamlPath::default().key(section).key(key);
            let name = self.qualified(key, &at)?;
            if let Some(first) = type_paths.get(&name) {
                let message = format!("type {name} is already declared at {first}");
                return Err(self.error(&at, message));
            }
            type_paths.insert(name.clone(), at.clone());
            declared.push(name);
        }
        let types = TypeContext {
            enums: type_paths.keys().cloned().collect(),
            any_type: !schema.extensions.is_empty(),
        };
        let mut names = declared.into_iter();
        for ((key, mut raw_domain), name) in domains.0.into_iter().zip(names.by_ref()) {
            let at = YamlPath::default().key("domains").key(&key);
            let grants = raw_domain.grants.take();
            self.grants(PrivilegeObject::Type(name.clone()), grants, &at)?;
            let owner = raw_domain.owner.take();
            self.owner(PrivilegeObject::Type(name.clone()), owner, &at)?;
            if let Some(old_name) = raw_domain.renamed_from.take() {
                self.identifier(&old_name, &at.key("renamed_from"))?;
                self.directives
                    .domain_renames
                    .insert(name.clone(), old_name);
            }
            let domain = self.domain(name, raw_domain, &at, &types)?;
            self.record(ObjectRef::Domain(domain.name.clone()), &at);
            schema.schemas.insert(domain.name.schema.clone());
            schema.domains.insert(domain.name.clone(), domain);
        }
        inherit_defaults(&mut schema.domains, &types.enums);
        for ((key, mut raw_type), name) in composite_types.0.into_iter().zip(names) {
            let at = YamlPath::default().key("composite_types").key(&key);
            let grants = raw_type.grants.take();
            self.grants(PrivilegeObject::Type(name.clone()), grants, &at)?;
            let owner = raw_type.owner.take();
            self.owner(PrivilegeObject::Type(name.clone()), owner, &at)?;
            let composite = self.composite_type(name, raw_type, &at, &types)?;
            self.record(ObjectRef::CompositeType(composite.name.clone()), &at);
            schema.schemas.insert(composite.name.schema.clone());
            schema
                .composite_types
                .insert(composite.name.clone(), composite);
        }
        Ok(())
    }

    fn type_reference(&self, text: &str, at: &YamlPath, types: &TypeContext) -> Result<String> {
        let data_type = self.fragment(Fragment::TypeName, text, at, "type")?;
        let data_type = data_type.as_str();
        if !types.any_type && !is_known_type(data_type, &types.enums) {
            return Err(self.error(at, format!("unknown type \"{data_type}\"")));
        }
        Ok(data_type.to_owned())
    }

    fn type_collation(&self, collation: Option<String>, at: &YamlPath) -> Result<Option<String>> {
        match collation {
            Some(collation) if collation.trim().is_empty() => {
                Err(self.error(at, "collation is empty"))
            }
            collation => Ok(collation),
        }
    }

    fn domain(
        &self,
        name: QualifiedName,
        raw_domain: raw::Domain,
        at: &YamlPath,
        types: &TypeContext,
    ) -> Result<Domain> {
        let base_type = self.type_reference(&raw_domain.base_type, at, types)?;
        if crate::syntax::types::names_type(
            &crate::syntax::types::canonical_type(&base_type, &types.enums),
            &name,
        ) {
            return Err(self.error(at, format!("domain {name} cannot be built on itself")));
        }
        let mut checks = BTreeMap::new();
        for (check_name, raw_check) in raw_domain.checks.unwrap_or_default().0 {
            let check_at = at.key("checks").key(&check_name);
            self.identifier(&check_name, &check_at)?;
            if raw_check.renamed_from.is_some() {
                let message = "renamed_from is not supported on a domain check";
                return Err(self.error(&check_at.key("renamed_from"), message));
            }
            if raw_check.no_inherit {
                let message = "a domain check has no children to pass on to";
                return Err(self.error(&check_at.key("no_inherit"), message));
            }
            let expression = self.fragment(
                Fragment::Expression,
                &raw_check.expression,
                &check_at,
                "expression",
            )?;
            let check = CheckConstraint {
                name: check_name.clone(),
                expression,
                valid: raw_check.valid.unwrap_or(true),
                comment: raw_check.comment,
                no_inherit: false,
            };
            checks.insert(check_name, check);
        }
        Ok(Domain {
            name,
            base_type,
            collation: self.type_collation(raw_domain.collation, at)?,
            default: self.expression(raw_domain.default, at, "default")?,
            not_null: !raw_domain.nullable.unwrap_or(true),
            checks,
            comment: raw_domain.comment,
        })
    }

    fn composite_type(
        &self,
        name: QualifiedName,
        raw_type: raw::CompositeType,
        at: &YamlPath,
        types: &TypeContext,
    ) -> Result<CompositeType> {
        let mut attributes = Vec::new();
        for (attribute_name, raw_attribute) in raw_type.attributes.unwrap_or_default().0 {
            let attribute_at = at.key("attributes").key(&attribute_name);
            self.identifier(&attribute_name, &attribute_at)?;
            if attributes.len() == MAX_COLUMNS {
                let message = format!("types can have at most {MAX_COLUMNS} attributes");
                return Err(self.error(&attribute_at, message));
            }
            let data_type = self.type_reference(&raw_attribute.data_type, &attribute_at, types)?;
            if crate::syntax::types::names_type(
                &crate::syntax::types::canonical_type(&data_type, &types.enums),
                &name,
            ) {
                let message = format!("type {name} cannot contain itself");
                return Err(self.error(&attribute_at, message));
            }
            attributes.push(Attribute {
                name: attribute_name,
                data_type,
                collation: self.type_collation(raw_attribute.collation, &attribute_at)?,
                comment: raw_attribute.comment,
            });
        }
        Ok(CompositeType {
            name,
            attributes,
            comment: raw_type.comment,
        })
    }
}

/// PostgreSQL copies a base domain's default into a domain built on it that declares none;
/// so does loading, so that a file compares equal to what the server reads back.
fn inherit_defaults(
    domains: &mut BTreeMap<QualifiedName, Domain>,
    type_names: &BTreeSet<QualifiedName>,
) {
    // One pass per level of nesting; a domain cannot be built on itself, so this ends.
    for _ in 0..domains.len() {
        let inherited: Vec<(QualifiedName, Expr)> = domains
            .values()
            .filter(|domain| domain.default.is_none())
            .filter_map(|domain| {
                let base_type = crate::syntax::types::canonical_type(&domain.base_type, type_names);
                let base = domains.values().find(|base| {
                    base.name != domain.name
                        && base_type == crate::syntax::quote::type_name(&base.name)
                })?;
                Some((domain.name.clone(), base.default.clone()?))
            })
            .collect();
        if inherited.is_empty() {
            return;
        }
        for (name, default) in inherited {
            if let Some(domain) = domains.get_mut(&name) {
                domain.default = Some(default);
            }
        }
    }
}
