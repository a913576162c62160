//! `collations:` of a schema file → `model::Collation`s: an ICU collation names a locale, a
//! libc one `LC_COLLATE` and `LC_CTYPE` (`locale` sets both), as `CREATE COLLATION` does.

use super::{Lowering, YamlPath};
use crate::error::Result;
use crate::model::{Collation, CollationLocale, ObjectRef, PrivilegeObject, Schema};
use crate::spec::raw;

impl Lowering<'_> {
    pub(super) fn collations(
        &mut self,
        collations: raw::Ordered<raw::Collation>,
        schema: &mut Schema,
    ) -> Result<()> {
        for (key, raw_collation) in collations.0 {
            let at = YamlPath::default().key("collations").key(&key);
            let name = self.qualified(&key, &at)?;
            if schema.collations.contains_key(&name) {
                return Err(self.error(&at, format!("collation {name} is declared twice")));
            }
            let locale_text = |field: &str, value: &Option<String>| -> Result<Option<String>> {
                if let Some(text) = value {
                    self.identifier(text, &at.key(field))?;
                }
                Ok(value.clone())
            };
            let locale = locale_text("locale", &raw_collation.locale)?;
            let lc_collate = locale_text("lc_collate", &raw_collation.lc_collate)?;
            let lc_ctype = locale_text("lc_ctype", &raw_collation.lc_ctype)?;
            let provider = raw_collation
                .provider
                .unwrap_or(raw::CollationProvider::Libc);
            let locale = match provider {
                raw::CollationProvider::Icu => {
                    if lc_collate.is_some() || lc_ctype.is_some() {
                        let message = "an ICU collation takes locale, not lc_collate or lc_ctype";
                        return Err(self.error(&at, message));
                    }
                    let locale =
                        locale.ok_or_else(|| self.error(&at, "an ICU collation needs a locale"))?;
                    CollationLocale::Icu { locale }
                }
                raw::CollationProvider::Libc => {
                    match (lc_collate.or(locale.clone()), lc_ctype.or(locale)) {
                        (Some(lc_collate), Some(lc_ctype)) => CollationLocale::Libc {
                            lc_collate,
                            lc_ctype,
                        },
                        _ => {
                            let message =
                                "a libc collation needs locale, or lc_collate and lc_ctype";
                            return Err(self.error(&at, message));
                        }
                    }
                }
            };
            let deterministic = raw_collation.deterministic.unwrap_or(true);
            if !deterministic && provider == raw::CollationProvider::Libc {
                let message = "only an ICU collation can be nondeterministic";
                return Err(self.error(&at.key("deterministic"), message));
            }
            if let Some(old_name) = raw_collation.renamed_from {
                self.identifier(&old_name, &at.key("renamed_from"))?;
                self.directives
                    .collation_renames
                    .insert(name.clone(), old_name);
            }
            self.record(ObjectRef::Collation(name.clone()), &at);
            self.owner(
                PrivilegeObject::Collation(name.clone()),
                raw_collation.owner,
                &at,
            )?;
            schema.schemas.insert(name.schema.clone());
            schema.collations.insert(
                name.clone(),
                Collation {
                    name,
                    locale,
                    deterministic,
                    comment: raw_collation.comment,
                },
            );
        }
        Ok(())
    }
}
