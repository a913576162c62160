//! `range_types:` of a schema file → `model::RangeType`s: the subtype one type fragment,
//! operator class, collation and functions dotted names (functions resolved as
//! `model::support_function` does), the multirange's name in the range's schema unless
//! qualified.

use std::collections::BTreeMap;

use super::{Lowering, YamlPath};
use crate::error::Result;
use crate::guard::Fragment;
use crate::model::{
    default_multirange, support_function, ObjectRef, PrivilegeObject, QualifiedName, RangeType,
    Schema,
};
use crate::spec::raw;
use crate::syntax::types::split_qualified;

impl Lowering<'_> {
    /// Records each range type and its multirange type among the file's type names, which
    /// columns, attributes and domains may use.
    pub(super) fn range_names(
        &self,
        ranges: &raw::Ordered<raw::RangeType>,
        type_paths: &mut BTreeMap<QualifiedName, YamlPath>,
    ) -> Result<()> {
        for (key, raw_range) in &ranges.0 {
            let at = YamlPath::default().key("range_types").key(key);
            let name = self.qualified(key, &at)?;
            let multirange = self.multirange(&name, raw_range.multirange.as_deref(), &at)?;
            let multirange = multirange.unwrap_or_else(|| default_multirange(&name));
            for type_name in [name, multirange] {
                if let Some(first) = type_paths.insert(type_name.clone(), at.clone()) {
                    let message = format!("type {type_name} is already declared at {first}");
                    return Err(self.error(&at, message));
                }
            }
        }
        Ok(())
    }

    /// `multirange:`: a bare name is in the range's schema.
    fn multirange(
        &self,
        range: &QualifiedName,
        text: Option<&str>,
        at: &YamlPath,
    ) -> Result<Option<QualifiedName>> {
        let Some(text) = text else {
            return Ok(None);
        };
        let multirange = match split_qualified(text).as_slice() {
            [schema, name] => QualifiedName::new(schema, name),
            [name] => QualifiedName::new(&range.schema, name),
            _ => return Err(self.error(&at.key("multirange"), "multirange is [schema.]name")),
        };
        self.identifier(&multirange.schema, &at.key("multirange"))?;
        self.identifier(&multirange.name, &at.key("multirange"))?;
        Ok(Some(multirange).filter(|multirange| *multirange != default_multirange(range)))
    }

    pub(super) fn ranges(
        &mut self,
        ranges: raw::Ordered<raw::RangeType>,
        schema: &mut Schema,
    ) -> Result<()> {
        for (key, mut raw_range) in ranges.0 {
            let at = YamlPath::default().key("range_types").key(&key);
            let name = self.qualified(&key, &at)?;
            let grants = raw_range.grants.take();
            self.grants(PrivilegeObject::Type(name.clone()), grants, &at)?;
            let owner = raw_range.owner.take();
            self.owner(PrivilegeObject::Type(name.clone()), owner, &at)?;
            if let Some(old_name) = raw_range.renamed_from.take() {
                self.identifier(&old_name, &at.key("renamed_from"))?;
                let renames = &mut self.directives.range_renames;
                renames.insert(name.clone(), old_name);
            }
            let subtype = self.fragment(Fragment::TypeName, &raw_range.subtype, &at, "subtype")?;
            let dotted = |text: Option<String>, field: &str| -> Result<Option<Vec<String>>> {
                let Some(text) = text else {
                    return Ok(None);
                };
                let parts = split_qualified(&text);
                if parts.is_empty() || parts.len() > 2 {
                    return Err(self.error(&at.key(field), format!("{field} is [schema.]name")));
                }
                for part in &parts {
                    self.identifier(part, &at.key(field))?;
                }
                Ok(Some(parts))
            };
            let joined = |parts: Option<Vec<String>>| parts.map(|parts| parts.join("."));
            let function = |parts: Option<Vec<String>>| {
                parts.and_then(|parts| support_function(&parts, &schema.functions))
            };
            let multirange = self.multirange(&name, raw_range.multirange.as_deref(), &at)?;
            let range = RangeType {
                name: name.clone(),
                subtype: subtype.0,
                subtype_opclass: joined(dotted(raw_range.subtype_opclass, "subtype_opclass")?),
                collation: joined(dotted(raw_range.collation, "collation")?),
                canonical: function(dotted(raw_range.canonical, "canonical")?),
                subtype_diff: function(dotted(raw_range.subtype_diff, "subtype_diff")?),
                multirange,
                comment: raw_range.comment,
            };
            self.record(ObjectRef::Range(name.clone()), &at);
            schema.schemas.insert(name.schema.clone());
            schema.ranges.insert(name, range);
        }
        Ok(())
    }
}
