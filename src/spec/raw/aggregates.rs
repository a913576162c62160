//! Serde mirror of the `aggregates:` section.

use serde::Deserialize;

use super::{FunctionArgument, ParallelSafety};

/// An ordinary aggregate; `lower::aggregates` checks the fields. Option names are
/// `CREATE AGGREGATE`'s, in lower case.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregate {
    pub name: String,
    pub schema: Option<String>,
    #[serde(default)]
    pub arguments: Vec<FunctionArgument>,
    pub sfunc: String,
    pub stype: String,
    pub sspace: Option<i32>,
    pub finalfunc: Option<String>,
    #[serde(default)]
    pub finalfunc_extra: bool,
    pub finalfunc_modify: Option<FinalModify>,
    pub initcond: Option<String>,
    pub combinefunc: Option<String>,
    pub serialfunc: Option<String>,
    pub deserialfunc: Option<String>,
    pub msfunc: Option<String>,
    pub minvfunc: Option<String>,
    pub mstype: Option<String>,
    pub msspace: Option<i32>,
    pub mfinalfunc: Option<String>,
    #[serde(default)]
    pub mfinalfunc_extra: bool,
    pub mfinalfunc_modify: Option<FinalModify>,
    pub minitcond: Option<String>,
    pub sortop: Option<String>,
    pub parallel: Option<ParallelSafety>,
    pub comment: Option<String>,
    pub grants: Option<Vec<super::Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
    /// The aggregate's old name (same schema and arguments): `ALTER AGGREGATE ... RENAME TO`.
    pub renamed_from: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FinalModify {
    ReadOnly,
    Shareable,
    ReadWrite,
}
