//! Collations (`CREATE COLLATION`): plain data, like the rest of the model.

use super::{QualifiedName, Schema};
use crate::syntax::names::parse_qualified;
use crate::syntax::quote;

/// `CREATE COLLATION name (PROVIDER = ..., LOCALE | LC_COLLATE, LC_CTYPE, DETERMINISTIC)`.
/// The library version PostgreSQL records (`collversion`) belongs to the server's ICU or C
/// library, not to the schema, and is not compared.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Collation {
    pub name: QualifiedName,
    pub locale: CollationLocale,
    /// `DETERMINISTIC = false`: strings that compare equal need not be byte-wise equal
    /// (ICU only).
    pub deterministic: bool,
    pub comment: Option<String>,
}

impl Collation {
    /// Whether `other` differs from this collation at most in its comment, which `COMMENT
    /// ON COLLATION` changes in place; anything else needs a new collation.
    pub fn same_definition_as(&self, other: &Collation) -> bool {
        self.name == other.name
            && self.locale == other.locale
            && self.deterministic == other.deterministic
    }
}

/// Which library sorts, and by which locale.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollationLocale {
    /// `PROVIDER = libc`: the C library's `LC_COLLATE` and `LC_CTYPE`.
    Libc {
        lc_collate: String,
        lc_ctype: String,
    },
    /// `PROVIDER = icu`: an ICU locale or language tag.
    Icu { locale: String },
}

impl Schema {
    /// After `ALTER COLLATION old RENAME TO new`: what uses the collation holds its oid, so
    /// columns, index keys, domains and attributes read back under the new name (the
    /// offline replay and the diff's declared renames both follow it here).
    pub fn follow_collation_rename(&mut self, old: &QualifiedName, new: &QualifiedName) {
        // The catalog names a collation bare in `public` (on the search path), else qualified.
        let reference = match new.schema.as_str() {
            "public" => quote::ident(&new.name),
            schema => format!("{}.{}", quote::ident(schema), quote::ident(&new.name)),
        };
        let follow = |collation: &mut Option<String>| {
            let names_it = collation
                .as_deref()
                .and_then(|text| parse_qualified(text).ok())
                .is_some_and(|used| used == *old);
            if names_it {
                *collation = Some(reference.clone());
            }
        };
        for table in self.tables.values_mut() {
            table
                .columns
                .iter_mut()
                .for_each(|column| follow(&mut column.collation));
            for index in table.indexes.values_mut() {
                index
                    .keys
                    .iter_mut()
                    .for_each(|key| follow(&mut key.collation));
            }
        }
        self.domains
            .values_mut()
            .for_each(|domain| follow(&mut domain.collation));
        for composite in self.composite_types.values_mut() {
            for attribute in &mut composite.attributes {
                follow(&mut attribute.collation);
            }
        }
    }
}
