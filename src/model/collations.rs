//! Collations (`CREATE COLLATION`): plain data, like the rest of the model.

use super::QualifiedName;

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
