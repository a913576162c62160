//! Serde mirror of the `functions:` section (functions and procedures).

use serde::Deserialize;

use super::Grant;

/// A function or procedure (`procedure: true`); `lower::functions` checks the fields.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Function {
    pub name: String,
    pub schema: Option<String>,
    #[serde(default)]
    pub procedure: bool,
    #[serde(default)]
    pub arguments: Vec<FunctionArgument>,
    /// A type, or `setof <type>`.
    pub returns: Option<String>,
    /// `RETURNS TABLE (...)` columns, instead of `returns`.
    pub returns_table: Option<Vec<FunctionColumn>>,
    pub language: String,
    /// Source text for the language handler, rendered inside a dollar quote.
    pub body: Option<String>,
    /// A SQL-standard body: `RETURN <expression>` or `BEGIN ATOMIC ... END`.
    pub sql_body: Option<String>,
    pub volatility: Option<Volatility>,
    #[serde(default)]
    pub strict: bool,
    pub security: Option<Security>,
    #[serde(default)]
    pub leakproof: bool,
    pub parallel: Option<ParallelSafety>,
    pub cost: Option<f64>,
    pub rows: Option<f64>,
    /// `SET` options: setting name → value as `SHOW` prints it.
    pub set: Option<yaml_serde::Mapping>,
    pub comment: Option<String>,
    pub grants: Option<Vec<Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionArgument {
    pub name: Option<String>,
    #[serde(rename = "type")]
    pub data_type: String,
    pub mode: Option<ArgumentMode>,
    pub default: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FunctionColumn {
    pub name: String,
    #[serde(rename = "type")]
    pub data_type: String,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArgumentMode {
    In,
    Out,
    Inout,
    Variadic,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Volatility {
    Immutable,
    Stable,
    Volatile,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Security {
    Invoker,
    Definer,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParallelSafety {
    Safe,
    Restricted,
    Unsafe,
}
