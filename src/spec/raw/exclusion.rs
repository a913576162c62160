//! Serde mirror of a table's `exclude:` section (exclusion constraints).

use std::collections::BTreeMap;

use serde::Deserialize;

use super::{Nulls, Order, ParameterValue, Shorthand};

/// `{ using: gist, elements: [{ column: room, operator: "=" }, ...], include: [...],
/// where: ..., with: {...}, deferrable: ..., initially_deferred: ..., comment: ... }`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The index access method; PostgreSQL's default is `btree`.
    pub using: Option<String>,
    pub elements: Vec<ExclusionElement>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(rename = "where")]
    pub predicate: Option<String>,
    /// Storage parameters of the backing index: `with: { fillfactor: 70 }`.
    #[serde(default)]
    pub with: BTreeMap<String, ParameterValue>,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    pub renamed_from: Option<String>,
    pub comment: Option<String>,
}

impl Shorthand for Exclusion {
    const EXPECTING: &'static str = "an exclusion constraint map";
}

/// `{ column: room, operator: "=" }` or `{ expression: ..., operator: "&&" }`, with the
/// key options of an index key.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExclusionElement {
    pub column: Option<String>,
    pub expression: Option<String>,
    pub operator: String,
    pub order: Option<Order>,
    pub nulls: Option<Nulls>,
    pub opclass: Option<String>,
    pub collation: Option<String>,
}
