//! Serde mirror of the `range_types:` section.

use serde::Deserialize;

use super::Shorthand;

/// A subtype, or `{ subtype: float8, subtype_opclass: ..., collation: ..., canonical: ...,
/// subtype_diff: ..., multirange: ..., comment: ..., grants: ..., renamed_from: ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RangeType {
    pub subtype: String,
    pub subtype_opclass: Option<String>,
    pub collation: Option<String>,
    pub canonical: Option<String>,
    pub subtype_diff: Option<String>,
    /// `MULTIRANGE_TYPE_NAME`: `name` (in the range's schema) or `schema.name`.
    pub multirange: Option<String>,
    pub comment: Option<String>,
    pub grants: Option<Vec<super::Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
    /// The range type's old name (same schema): `ALTER TYPE ... RENAME TO`.
    pub renamed_from: Option<String>,
}

impl Shorthand for RangeType {
    const EXPECTING: &'static str = "a subtype or a range type map";

    fn from_text(text: &str) -> Option<Self> {
        Some(RangeType {
            subtype: text.to_owned(),
            ..RangeType::default()
        })
    }
}
