//! The YAML of partitioning and inheritance, under a table: `partition_by`, `partition_of`
//! and `inherits`. Names, keys and bounds are checked when lowering, so errors point at
//! their key.

use serde::Deserialize;

use super::{shorthand_list, IndexKey};

/// `{ range: [logdate] }`: one strategy with the key's columns, each a column name or a
/// key map (`{ expression: "lower(city)", collation: C, opclass: text_pattern_ops }`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionBy {
    #[serde(default, deserialize_with = "shorthand_list")]
    pub range: Vec<IndexKey>,
    #[serde(default, deserialize_with = "shorthand_list")]
    pub list: Vec<IndexKey>,
    #[serde(default, deserialize_with = "shorthand_list")]
    pub hash: Vec<IndexKey>,
}

/// `{ parent: measurement, bounds: "FOR VALUES FROM ('2006-02-01') TO ('2006-03-01')" }`;
/// `bounds` is `DEFAULT` or a `FOR VALUES` clause as `CREATE TABLE ... PARTITION OF` takes it.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartitionOf {
    pub parent: String,
    pub bounds: String,
}
