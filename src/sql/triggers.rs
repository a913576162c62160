//! Rendering of triggers, policies and row-level security: `CREATE TRIGGER`, `CREATE
//! POLICY`, their `ALTER`, `DROP` and `COMMENT ON` forms.

use super::comment_on;
use crate::diff::{PolicyChange, TriggerChange};
use crate::model::{Deferrable, Policy, QualifiedName, RowSecurity, Trigger, TriggerEnabled};
use crate::syntax::quote::{ident, ident_list, literal, qualified};

pub(super) fn trigger_statements(change: &TriggerChange) -> Vec<String> {
    match change {
        TriggerChange::Create { relation, trigger } => {
            let mut statements = vec![create_trigger(relation, trigger)];
            if trigger.enabled != TriggerEnabled::Origin {
                statements.push(alter_enabled(relation, trigger));
            }
            if let Some(comment) = &trigger.comment {
                statements.push(comment_on_trigger(relation, trigger, Some(comment)));
            }
            statements
        }
        TriggerChange::Drop { relation, trigger } => vec![format!(
            "DROP TRIGGER {} ON {}",
            ident(&trigger.name),
            qualified(relation)
        )],
        TriggerChange::Alter { relation, from, to } => {
            let mut statements = Vec::new();
            if from.enabled != to.enabled {
                statements.push(alter_enabled(relation, to));
            }
            if from.comment != to.comment {
                statements.push(comment_on_trigger(relation, to, to.comment.as_deref()));
            }
            statements
        }
    }
}

/// `CREATE [CONSTRAINT] TRIGGER`, in `pg_get_triggerdef`'s clause order.
pub fn create_trigger(relation: &QualifiedName, trigger: &Trigger) -> String {
    let mut events = Vec::new();
    for keyword in trigger.events.keywords() {
        events.push(match keyword {
            "UPDATE" if !trigger.update_columns.is_empty() => {
                format!("UPDATE OF {}", ident_list(&trigger.update_columns))
            }
            _ => keyword.to_string(),
        });
    }
    let mut sql = format!(
        "CREATE {}TRIGGER {} {} {} ON {}",
        if trigger.constraint.is_some() {
            "CONSTRAINT "
        } else {
            ""
        },
        ident(&trigger.name),
        trigger.timing.as_sql(),
        events.join(" OR "),
        qualified(relation)
    );
    match trigger.constraint {
        Some(Deferrable::NotDeferrable) => sql.push_str(" NOT DEFERRABLE INITIALLY IMMEDIATE"),
        Some(Deferrable::Immediate) => sql.push_str(" DEFERRABLE INITIALLY IMMEDIATE"),
        Some(Deferrable::Deferred) => sql.push_str(" DEFERRABLE INITIALLY DEFERRED"),
        None => {}
    }
    if trigger.old_table.is_some() || trigger.new_table.is_some() {
        sql.push_str(" REFERENCING");
        if let Some(old_table) = &trigger.old_table {
            sql.push_str(&format!(" OLD TABLE AS {}", ident(old_table)));
        }
        if let Some(new_table) = &trigger.new_table {
            sql.push_str(&format!(" NEW TABLE AS {}", ident(new_table)));
        }
    }
    let level = if trigger.for_each_row {
        "ROW"
    } else {
        "STATEMENT"
    };
    sql.push_str(&format!(" FOR EACH {level}"));
    if let Some(condition) = &trigger.condition {
        sql.push_str(&format!(" WHEN ({})", condition.as_str()));
    }
    let arguments: Vec<String> = trigger
        .arguments
        .iter()
        .map(|argument| literal(argument))
        .collect();
    sql.push_str(&format!(
        " EXECUTE FUNCTION {}({})",
        qualified(&trigger.function),
        arguments.join(", ")
    ));
    sql
}

fn alter_enabled(relation: &QualifiedName, trigger: &Trigger) -> String {
    format!(
        "ALTER TABLE {} {} TRIGGER {}",
        qualified(relation),
        trigger.enabled.as_sql(),
        ident(&trigger.name)
    )
}

fn comment_on_trigger(
    relation: &QualifiedName,
    trigger: &Trigger,
    comment: Option<&str>,
) -> String {
    let target = format!("{} ON {}", ident(&trigger.name), qualified(relation));
    comment_on("TRIGGER", &target, comment)
}

pub(super) fn policy_statements(change: &PolicyChange) -> Vec<String> {
    match change {
        PolicyChange::Create { table, policy } => {
            let mut statements = vec![create_policy(table, policy)];
            if let Some(comment) = &policy.comment {
                statements.push(comment_on_policy(table, policy, Some(comment)));
            }
            statements
        }
        PolicyChange::Drop { table, policy } => vec![format!(
            "DROP POLICY {} ON {}",
            ident(&policy.name),
            qualified(table)
        )],
        PolicyChange::Alter { table, from, to } => {
            let mut statements = Vec::new();
            let mut clauses = String::new();
            if from.roles != to.roles {
                clauses.push_str(&format!(" TO {}", roles(&to.roles)));
            }
            // `Policy::alterable_into` keeps an expression from being added or removed here.
            if let (true, Some(using)) = (from.using != to.using, &to.using) {
                clauses.push_str(&format!(" USING ({})", using.as_str()));
            }
            if let (true, Some(with_check)) = (from.with_check != to.with_check, &to.with_check) {
                clauses.push_str(&format!(" WITH CHECK ({})", with_check.as_str()));
            }
            if !clauses.is_empty() {
                statements.push(format!(
                    "ALTER POLICY {} ON {}{clauses}",
                    ident(&to.name),
                    qualified(table)
                ));
            }
            if from.comment != to.comment {
                statements.push(comment_on_policy(table, to, to.comment.as_deref()));
            }
            statements
        }
        PolicyChange::RowSecurity { table, from, to } => row_security(table, *from, *to),
    }
}

/// `ALTER TABLE` statements that turn row-level security `from` into `to`.
pub fn row_security(table: &QualifiedName, from: RowSecurity, to: RowSecurity) -> Vec<String> {
    let mut statements = Vec::new();
    if from.enabled != to.enabled {
        let verb = if to.enabled { "ENABLE" } else { "DISABLE" };
        statements.push(format!(
            "ALTER TABLE {} {verb} ROW LEVEL SECURITY",
            qualified(table)
        ));
    }
    if from.forced != to.forced {
        let verb = if to.forced { "FORCE" } else { "NO FORCE" };
        statements.push(format!(
            "ALTER TABLE {} {verb} ROW LEVEL SECURITY",
            qualified(table)
        ));
    }
    statements
}

pub fn create_policy(table: &QualifiedName, policy: &Policy) -> String {
    let mut sql = format!(
        "CREATE POLICY {} ON {}",
        ident(&policy.name),
        qualified(table)
    );
    if !policy.permissive {
        sql.push_str(" AS RESTRICTIVE");
    }
    sql.push_str(&format!(
        " FOR {} TO {}",
        policy.command.as_sql(),
        roles(&policy.roles)
    ));
    if let Some(using) = &policy.using {
        sql.push_str(&format!(" USING ({})", using.as_str()));
    }
    if let Some(with_check) = &policy.with_check {
        sql.push_str(&format!(" WITH CHECK ({})", with_check.as_str()));
    }
    sql
}

fn comment_on_policy(table: &QualifiedName, policy: &Policy, comment: Option<&str>) -> String {
    let target = format!("{} ON {}", ident(&policy.name), qualified(table));
    comment_on("POLICY", &target, comment)
}

/// `PUBLIC`, `CURRENT_USER`, ... (names PostgreSQL reserves, so no role has them) or quoted
/// role names.
fn roles(roles: &[String]) -> String {
    let names: Vec<String> = roles
        .iter()
        .map(|role| match role.as_str() {
            "public" | "current_user" | "current_role" | "session_user" => role.to_uppercase(),
            role => ident(role),
        })
        .collect();
    names.join(", ")
}

#[cfg(test)]
mod tests {
    use super::roles;

    #[test]
    fn reserved_role_names_are_keywords_and_others_quoted() {
        let listed = ["public", "current_user", "app user", "session_user"].map(String::from);
        assert_eq!(
            roles(&listed),
            "PUBLIC, CURRENT_USER, \"app user\", SESSION_USER"
        );
    }
}
