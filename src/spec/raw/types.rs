//! Serde mirror of the `domains:` and `composite_types:` sections.

use serde::Deserialize;

use super::{Check, Ordered, Shorthand};

/// A base type name, or `{ type: integer, default: ..., nullable: false, collation: ...,
/// checks: { name: expression }, comment: ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Domain {
    #[serde(rename = "type")]
    pub base_type: String,
    /// Any scalar; yaml_serde hands `0` and `false` to a `String` as their text.
    pub default: Option<String>,
    pub nullable: Option<bool>,
    pub collation: Option<String>,
    /// Checks by name; the expression reads the value as `VALUE`.
    pub checks: Option<Ordered<Check>>,
    pub comment: Option<String>,
    pub grants: Option<Vec<super::Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
    /// The domain's old name (same schema): `ALTER DOMAIN ... RENAME TO`.
    pub renamed_from: Option<String>,
}

impl Shorthand for Domain {
    const EXPECTING: &'static str = "a type name or a domain map";

    fn from_text(text: &str) -> Option<Self> {
        Some(Domain {
            base_type: text.to_owned(),
            ..Domain::default()
        })
    }
}

/// `{ attributes: { name: type, ... }, comment: ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CompositeType {
    pub attributes: Option<Ordered<Attribute>>,
    pub comment: Option<String>,
    pub grants: Option<Vec<super::Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
}

impl Shorthand for CompositeType {
    const EXPECTING: &'static str = "a composite type map";
}

/// A type name, or `{ type: text, collation: C, comment: ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Attribute {
    #[serde(rename = "type")]
    pub data_type: String,
    pub collation: Option<String>,
    pub comment: Option<String>,
}

impl Shorthand for Attribute {
    const EXPECTING: &'static str = "a type name or an attribute map";

    fn from_text(text: &str) -> Option<Self> {
        Some(Attribute {
            data_type: text.to_owned(),
            ..Attribute::default()
        })
    }
}
