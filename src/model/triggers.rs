//! Triggers, policies and row-level security: objects that belong to one table (or, for
//! INSTEAD OF triggers, one view) and go with it when it is dropped.

use super::{Deferrable, Expr, QualifiedName};

/// `CREATE [CONSTRAINT] TRIGGER name timing events ON relation ... EXECUTE FUNCTION f(args)`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Trigger {
    pub name: String,
    pub timing: TriggerTiming,
    pub events: TriggerEvents,
    /// `UPDATE OF a, b`: the columns whose update fires it (empty: any update).
    pub update_columns: Vec<String>,
    /// `FOR EACH ROW`; otherwise `FOR EACH STATEMENT`.
    pub for_each_row: bool,
    /// `WHEN (condition)`, without the parentheses.
    pub condition: Option<Expr>,
    /// `REFERENCING OLD TABLE AS name`
    pub old_table: Option<String>,
    /// `REFERENCING NEW TABLE AS name`
    pub new_table: Option<String>,
    /// `CREATE CONSTRAINT TRIGGER`, with its deferrability.
    pub constraint: Option<Deferrable>,
    pub function: QualifiedName,
    /// The arguments, as the strings the function receives in `TG_ARGV`.
    pub arguments: Vec<String>,
    pub enabled: TriggerEnabled,
    pub comment: Option<String>,
}

impl Trigger {
    /// Whether `other` differs from this trigger at most in what `ALTER TABLE ... ENABLE /
    /// DISABLE TRIGGER` and `COMMENT ON TRIGGER` change in place.
    pub fn same_definition_as(&self, other: &Trigger) -> bool {
        let in_place = |trigger: &Trigger| Trigger {
            enabled: TriggerEnabled::Origin,
            comment: None,
            ..trigger.clone()
        };
        in_place(self) == in_place(other)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TriggerTiming {
    Before,
    After,
    InsteadOf,
}

impl TriggerTiming {
    pub fn as_sql(self) -> &'static str {
        match self {
            TriggerTiming::Before => "BEFORE",
            TriggerTiming::After => "AFTER",
            TriggerTiming::InsteadOf => "INSTEAD OF",
        }
    }
}

/// The statements that fire a trigger (at least one).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TriggerEvents {
    pub insert: bool,
    pub update: bool,
    pub delete: bool,
    pub truncate: bool,
}

impl TriggerEvents {
    /// The events in `pg_get_triggerdef`'s order, as SQL keywords.
    pub fn keywords(self) -> Vec<&'static str> {
        [
            (self.insert, "INSERT"),
            (self.delete, "DELETE"),
            (self.update, "UPDATE"),
            (self.truncate, "TRUNCATE"),
        ]
        .into_iter()
        .filter_map(|(set, keyword)| set.then_some(keyword))
        .collect()
    }

    /// Sets the event named by `keyword` (any case); false for an unknown word.
    pub fn set(&mut self, keyword: &str) -> bool {
        match keyword.to_ascii_uppercase().as_str() {
            "INSERT" => self.insert = true,
            "UPDATE" => self.update = true,
            "DELETE" => self.delete = true,
            "TRUNCATE" => self.truncate = true,
            _ => return false,
        }
        true
    }
}

/// `pg_trigger.tgenabled`: when `session_replication_role` lets the trigger fire.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum TriggerEnabled {
    /// `ENABLE TRIGGER`: fires in origin and local mode (the default).
    #[default]
    Origin,
    /// `ENABLE REPLICA TRIGGER`
    Replica,
    /// `ENABLE ALWAYS TRIGGER`
    Always,
    /// `DISABLE TRIGGER`
    Disabled,
}

impl TriggerEnabled {
    /// The `ALTER TABLE` action that sets this state, before `TRIGGER name`.
    pub fn as_sql(self) -> &'static str {
        match self {
            TriggerEnabled::Origin => "ENABLE",
            TriggerEnabled::Replica => "ENABLE REPLICA",
            TriggerEnabled::Always => "ENABLE ALWAYS",
            TriggerEnabled::Disabled => "DISABLE",
        }
    }
}

/// `CREATE POLICY name ON table AS kind FOR command TO roles USING (...) WITH CHECK (...)`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policy {
    pub name: String,
    /// `AS PERMISSIVE` (the default); otherwise `AS RESTRICTIVE`.
    pub permissive: bool,
    pub command: PolicyCommand,
    /// Role names, sorted and distinct; `public` stands for `PUBLIC` (no role has that name).
    pub roles: Vec<String>,
    pub using: Option<Expr>,
    pub with_check: Option<Expr>,
    pub comment: Option<String>,
}

impl Policy {
    /// Whether `ALTER POLICY` can turn this policy into `other`: only its roles and
    /// expressions may change (and its comment, with `COMMENT ON`). An expression can be
    /// replaced but not removed, so one that appears or goes needs a new policy (either
    /// way, since the inverse must be alterable too).
    pub fn alterable_into(&self, other: &Policy) -> bool {
        self.name == other.name
            && self.permissive == other.permissive
            && self.command == other.command
            && self.using.is_some() == other.using.is_some()
            && self.with_check.is_some() == other.with_check.is_some()
    }
}

/// The role list PostgreSQL stores for `TO roles`: sorted, each once, and only `public`
/// when it is empty or names `public` (the server ignores the other roles then).
pub fn policy_roles(roles: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut roles: Vec<String> = roles.into_iter().collect();
    if roles.is_empty() || roles.iter().any(|role| role == "public") {
        return vec!["public".to_string()];
    }
    roles.sort();
    roles.dedup();
    roles
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum PolicyCommand {
    #[default]
    All,
    Select,
    Insert,
    Update,
    Delete,
}

impl PolicyCommand {
    pub fn as_sql(self) -> &'static str {
        match self {
            PolicyCommand::All => "ALL",
            PolicyCommand::Select => "SELECT",
            PolicyCommand::Insert => "INSERT",
            PolicyCommand::Update => "UPDATE",
            PolicyCommand::Delete => "DELETE",
        }
    }

    /// The command named by `word` (any case).
    pub fn from_word(word: &str) -> Option<PolicyCommand> {
        [
            PolicyCommand::All,
            PolicyCommand::Select,
            PolicyCommand::Insert,
            PolicyCommand::Update,
            PolicyCommand::Delete,
        ]
        .into_iter()
        .find(|command| command.as_sql().eq_ignore_ascii_case(word))
    }
}

/// `ALTER TABLE t ENABLE ROW LEVEL SECURITY` and `FORCE ROW LEVEL SECURITY` (which
/// subjects the table's owner to the policies too).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowSecurity {
    pub enabled: bool,
    pub forced: bool,
}
