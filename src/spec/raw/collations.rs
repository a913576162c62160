//! Serde mirror of the `collations:` section.

use serde::Deserialize;

use super::Shorthand;

/// `{ provider: icu, locale: de-DE, deterministic: false, comment: ... }`, or for libc
/// `{ locale: C }` / `{ lc_collate: C, lc_ctype: en_US.utf8 }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Collation {
    pub provider: Option<CollationProvider>,
    pub locale: Option<String>,
    pub lc_collate: Option<String>,
    pub lc_ctype: Option<String>,
    pub deterministic: Option<bool>,
    pub comment: Option<String>,
    /// The role that owns it (`ALTER COLLATION ... OWNER TO`).
    pub owner: Option<String>,
    /// The collation's old name (same schema): `ALTER COLLATION ... RENAME TO`.
    pub renamed_from: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CollationProvider {
    Libc,
    Icu,
}

impl Shorthand for Collation {
    const EXPECTING: &'static str = "a collation map";
}
