//! The YAML of triggers, policies and row-level security, under a table (or, for triggers,
//! a view). Words (timing, events, command, ...) are checked when lowering, so errors point
//! at their key.

use serde::Deserialize;

use super::Shorthand;

/// `{ timing: before, events: [insert, update], for_each: row, function: touch, ... }`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// `before`, `after` or `instead_of`.
    pub timing: String,
    /// `insert`, `update`, `delete`, `truncate`.
    pub events: Vec<String>,
    /// `UPDATE OF` columns.
    pub update_of: Option<Vec<String>>,
    /// `row` or `statement` (the default).
    pub for_each: Option<String>,
    /// The `WHEN` condition.
    pub when: Option<String>,
    /// `REFERENCING OLD TABLE AS ...`
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS ...`
    pub new_table: Option<String>,
    /// `CREATE CONSTRAINT TRIGGER`
    #[serde(default)]
    pub constraint: bool,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    /// `name` or `schema.name` of a function returning `trigger`.
    pub function: String,
    pub arguments: Option<Vec<String>>,
    /// `true` (the default), `false`, `replica` or `always`.
    pub enabled: Option<String>,
    pub comment: Option<String>,
    /// The trigger's old name: `ALTER TRIGGER ... RENAME TO`.
    pub renamed_from: Option<String>,
}

impl Shorthand for Trigger {
    const EXPECTING: &'static str = "a trigger map";
}

/// `{ command: select, roles: [app_user], using: "owner = current_user", ... }`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    /// `all` (the default), `select`, `insert`, `update` or `delete`.
    pub command: Option<String>,
    /// `AS RESTRICTIVE`; policies are permissive by default.
    #[serde(default)]
    pub restrictive: bool,
    /// Role names; `public` (the default) is every role.
    pub roles: Option<Vec<String>>,
    pub using: Option<String>,
    pub with_check: Option<String>,
    pub comment: Option<String>,
    /// The policy's old name: `ALTER POLICY ... RENAME TO`.
    pub renamed_from: Option<String>,
}

impl Shorthand for Policy {
    const EXPECTING: &'static str = "a policy map";
}

/// `{ enabled: true, forced: false }`
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RowLevelSecurity {
    #[serde(default)]
    pub enabled: bool,
    #[serde(default)]
    pub forced: bool,
}
