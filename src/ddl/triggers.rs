//! The interpreter's statements for triggers, policies and row-level security: CREATE,
//! ALTER, DROP and COMMENT ON TRIGGER / POLICY, and `ALTER TABLE ... ENABLE / DISABLE
//! TRIGGER` and `... ROW LEVEL SECURITY`. `trigger_definition` also reads the catalog's
//! `pg_get_triggerdef`, so both sides read a trigger with one parser.

use super::*;
use crate::model::{
    policy_roles, NameMap, Policy, PolicyCommand, Trigger, TriggerEnabled, TriggerEvents,
    TriggerTiming,
};

/// Reads `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER ...` (as `pg_get_triggerdef` prints it,
/// or as written by hand) into the relation it is on and the trigger.
pub fn trigger_definition(text: &str) -> Outcome<(QualifiedName, Trigger)> {
    let mut cursor = Cursor::new(text)?;
    cursor.expect_keywords(&["CREATE"])?;
    cursor.eat_keywords(&["OR", "REPLACE"]);
    let constraint = cursor.eat_keyword("CONSTRAINT");
    cursor.expect_keywords(&["TRIGGER"])?;
    trigger_after_keyword(&mut cursor, constraint)
}

fn trigger_after_keyword(
    cursor: &mut Cursor<'_>,
    constraint: bool,
) -> Outcome<(QualifiedName, Trigger)> {
    let name = cursor.identifier()?;
    let timing = if cursor.eat_keyword("BEFORE") {
        TriggerTiming::Before
    } else if cursor.eat_keyword("AFTER") {
        TriggerTiming::After
    } else if cursor.eat_keywords(&["INSTEAD", "OF"]) {
        TriggerTiming::InsteadOf
    } else {
        return Err(format!(
            "expected BEFORE, AFTER or INSTEAD OF, found {}",
            cursor.found()
        ));
    };
    let mut events = TriggerEvents::default();
    let mut update_columns = Vec::new();
    loop {
        let word = cursor.identifier()?;
        if !events.set(&word) {
            return Err(format!("`{word}` is not a trigger event"));
        }
        if word == "update" && cursor.eat_keyword("OF") {
            update_columns.push(cursor.identifier()?);
            while cursor.eat(&Token::Comma) {
                update_columns.push(cursor.identifier()?);
            }
        }
        if !cursor.eat_keyword("OR") {
            break;
        }
    }
    cursor.expect_keywords(&["ON"])?;
    let relation = cursor.qualified_name()?;
    if cursor.is_keyword("FROM") {
        return Err(not_modelled(
            "constraint triggers on a referenced table (FROM)",
        ));
    }
    let deferrable = deferrable(cursor)?;
    let (mut old_table, mut new_table) = (None, None);
    if cursor.eat_keyword("REFERENCING") {
        loop {
            let slot = if cursor.eat_keyword("OLD") {
                &mut old_table
            } else if cursor.eat_keyword("NEW") {
                &mut new_table
            } else {
                break;
            };
            cursor.expect_keywords(&["TABLE"])?;
            cursor.eat_keyword("AS");
            *slot = Some(cursor.identifier()?);
        }
    }
    let mut for_each_row = false;
    if cursor.eat_keyword("FOR") {
        cursor.eat_keyword("EACH");
        for_each_row = match cursor.eat_keyword("ROW") {
            true => true,
            false => {
                cursor.expect_keywords(&["STATEMENT"])?;
                false
            }
        };
    }
    let condition = match cursor.eat_keyword("WHEN") {
        true => Some(expression(cursor.parenthesized_text()?)?),
        false => None,
    };
    cursor.expect_keywords(&["EXECUTE"])?;
    if !cursor.eat_keyword("FUNCTION") {
        cursor.expect_keywords(&["PROCEDURE"])?;
    }
    let function = cursor.qualified_name()?;
    let mut arguments = Vec::new();
    for mut argument in cursor.parenthesized_elements_or_empty()? {
        // PostgreSQL passes every argument as text: a literal's value, or a name or
        // number as written.
        let text = match argument.string() {
            Ok(text) => text,
            Err(_) => argument.rest()?,
        };
        argument.expect_end()?;
        arguments.push(text);
    }
    cursor.expect_end()?;
    if events == TriggerEvents::default() {
        return Err("a trigger needs at least one event".to_string());
    }
    let trigger = Trigger {
        name,
        timing,
        events,
        update_columns,
        for_each_row,
        condition,
        old_table,
        new_table,
        constraint: constraint.then_some(deferrable),
        function,
        arguments,
        enabled: TriggerEnabled::Origin,
        comment: None,
    };
    Ok((relation, trigger))
}

/// `CREATE POLICY` after its keyword.
fn policy_after_keyword(cursor: &mut Cursor<'_>) -> Outcome<(QualifiedName, Policy)> {
    let name = cursor.identifier()?;
    cursor.expect_keywords(&["ON"])?;
    let table = cursor.qualified_name()?;
    let mut permissive = true;
    if cursor.eat_keyword("AS") {
        permissive = cursor.eat_keyword("PERMISSIVE");
        if !permissive {
            cursor.expect_keywords(&["RESTRICTIVE"])?;
        }
    }
    let mut command = PolicyCommand::All;
    if cursor.eat_keyword("FOR") {
        let word = cursor.identifier()?;
        command = PolicyCommand::from_word(&word)
            .ok_or_else(|| format!("`{word}` is not a policy command"))?;
    }
    let mut policy = Policy {
        name,
        permissive,
        command,
        roles: policy_roles([]),
        using: None,
        with_check: None,
        comment: None,
    };
    policy_clauses(cursor, &mut policy)?;
    Ok((table, policy))
}

/// `[TO roles] [USING (...)] [WITH CHECK (...)]`, which CREATE and ALTER POLICY share.
fn policy_clauses(cursor: &mut Cursor<'_>, policy: &mut Policy) -> Outcome {
    if cursor.eat_keyword("TO") {
        let mut roles = vec![cursor.identifier()?];
        while cursor.eat(&Token::Comma) {
            roles.push(cursor.identifier()?);
        }
        policy.roles = policy_roles(roles);
    }
    if cursor.eat_keyword("USING") {
        policy.using = Some(expression(cursor.parenthesized_text()?)?);
    }
    if cursor.eat_keywords(&["WITH", "CHECK"]) {
        policy.with_check = Some(expression(cursor.parenthesized_text()?)?);
    }
    cursor.expect_end()
}

impl Interpreter {
    /// `CREATE [OR REPLACE] [CONSTRAINT] TRIGGER` after `TRIGGER`.
    pub(super) fn create_trigger(
        &mut self,
        cursor: &mut Cursor<'_>,
        or_replace: bool,
        constraint: bool,
    ) -> Outcome {
        let (relation, trigger) = trigger_after_keyword(cursor, constraint)?;
        let triggers = self.triggers_mut(&relation)?;
        if triggers.contains_key(&trigger.name) && !or_replace {
            return Err(format!(
                "trigger {} for relation {relation} already exists",
                trigger.name
            ));
        }
        let name = trigger.name.clone();
        triggers.insert(name.clone(), trigger);
        self.declared(ObjectRef::Trigger(relation, name));
        Ok(())
    }

    /// `CREATE POLICY` after `POLICY`.
    pub(super) fn create_policy(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let (table, policy) = policy_after_keyword(cursor)?;
        let policies = &mut self.table_mut(&table)?.policies;
        if policies.contains_key(&policy.name) {
            return Err(format!(
                "policy {} for table {table} already exists",
                policy.name
            ));
        }
        let name = policy.name.clone();
        policies.insert(name.clone(), policy);
        self.declared(ObjectRef::Policy(table, name));
        Ok(())
    }

    /// `ALTER TRIGGER name ON relation RENAME TO new` after `TRIGGER`.
    pub(super) fn alter_trigger(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.identifier()?;
        cursor.expect_keywords(&["ON"])?;
        let relation = self.relation_reference(cursor)?;
        cursor.expect_keywords(&["RENAME", "TO"])?;
        let new_name = cursor.identifier()?;
        cursor.expect_end()?;
        let triggers = self.triggers_mut(&relation)?;
        if triggers.contains_key(&new_name) {
            return Err(format!(
                "trigger {new_name} for relation {relation} already exists"
            ));
        }
        let mut trigger = triggers
            .remove(&name)
            .ok_or_else(|| format!("trigger {name} for relation {relation} does not exist"))?;
        trigger.name = new_name.clone();
        triggers.insert(new_name.clone(), trigger);
        self.note(|journal| {
            let renames = &mut journal.renames.trigger_renames;
            renames.insert((relation, new_name), name);
        });
        Ok(())
    }

    /// `ALTER POLICY name ON table RENAME TO new`, or its roles and expressions.
    pub(super) fn alter_policy(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.identifier()?;
        cursor.expect_keywords(&["ON"])?;
        let table = self.relation_reference(cursor)?;
        let policies = &mut self.table_mut(&table)?.policies;
        let missing = || format!("policy {name} for table {table} does not exist");
        if cursor.eat_keywords(&["RENAME", "TO"]) {
            let new_name = cursor.identifier()?;
            cursor.expect_end()?;
            if policies.contains_key(&new_name) {
                return Err(format!(
                    "policy {new_name} for table {table} already exists"
                ));
            }
            let mut policy = policies.remove(&name).ok_or_else(missing)?;
            policy.name = new_name.clone();
            policies.insert(new_name.clone(), policy);
            self.note(|journal| {
                let renames = &mut journal.renames.policy_renames;
                renames.insert((table, new_name), name);
            });
            return Ok(());
        }
        let policy = policies.get_mut(&name).ok_or_else(missing)?;
        policy_clauses(cursor, policy)
    }

    /// `DROP TRIGGER` or `DROP POLICY`, or `None` for another DROP.
    pub(super) fn drop_attached(&mut self, cursor: &mut Cursor<'_>) -> Option<Outcome> {
        let trigger = cursor.eat_keyword("TRIGGER");
        if !trigger && !cursor.eat_keyword("POLICY") {
            return None;
        }
        Some((|| {
            let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
            let name = cursor.identifier()?;
            cursor.expect_keywords(&["ON"])?;
            let relation = self.relation_reference(cursor)?;
            drop_behaviour(cursor);
            cursor.expect_end()?;
            // PostgreSQL skips IF EXISTS with a notice even when the relation is gone.
            let relation_exists = self.schema.tables.contains_key(&relation)
                || self.schema.views.contains_key(&relation);
            if if_exists && !relation_exists {
                return Ok(());
            }
            let removed = match trigger {
                true => self.triggers_mut(&relation)?.remove(&name).is_some(),
                false => self.table_mut(&relation)?.policies.remove(&name).is_some(),
            };
            let kind = if trigger { "trigger" } else { "policy" };
            match removed || if_exists {
                true => Ok(()),
                false => Err(format!(
                    "{kind} {name} for relation {relation} does not exist"
                )),
            }
        })())
    }

    /// `COMMENT ON TRIGGER / POLICY name ON relation IS ...`, or `None` for other kinds.
    pub(super) fn comment_on_attached(&mut self, cursor: &mut Cursor<'_>) -> Option<Outcome> {
        let trigger = cursor.eat_keyword("TRIGGER");
        if !trigger && !cursor.eat_keyword("POLICY") {
            return None;
        }
        Some((|| {
            let name = cursor.identifier()?;
            cursor.expect_keywords(&["ON"])?;
            let relation = self.relation_reference(cursor)?;
            cursor.expect_keywords(&["IS"])?;
            let text = match cursor.eat_keyword("NULL") {
                true => None,
                false => Some(cursor.string()?),
            };
            cursor.expect_end()?;
            let text = text.filter(|text| !text.is_empty());
            let missing = || format!("{name} for relation {relation} does not exist");
            match trigger {
                true => {
                    let slot = self.triggers_mut(&relation)?.get_mut(&name);
                    slot.ok_or_else(missing)?.comment = text;
                }
                false => {
                    let slot = self.table_mut(&relation)?.policies.get_mut(&name);
                    slot.ok_or_else(missing)?.comment = text;
                }
            }
            Ok(())
        })())
    }

    /// `ENABLE / DISABLE ... TRIGGER` and `... ROW LEVEL SECURITY` actions of `ALTER TABLE`,
    /// or `None` for other actions.
    pub(super) fn table_security_action(
        &mut self,
        cursor: &mut Cursor<'_>,
        name: &QualifiedName,
    ) -> Option<Outcome> {
        let state = if cursor.eat_keywords(&["ENABLE", "REPLICA"]) {
            TriggerEnabled::Replica
        } else if cursor.eat_keywords(&["ENABLE", "ALWAYS"]) {
            TriggerEnabled::Always
        } else if cursor.eat_keyword("ENABLE") {
            TriggerEnabled::Origin
        } else if cursor.eat_keyword("DISABLE") {
            TriggerEnabled::Disabled
        } else if cursor.eat_keywords(&["FORCE", "ROW", "LEVEL", "SECURITY"]) {
            return Some(
                self.table_mut(name)
                    .map(|table| table.row_security.forced = true),
            );
        } else if cursor.eat_keywords(&["NO", "FORCE", "ROW", "LEVEL", "SECURITY"]) {
            return Some(
                self.table_mut(name)
                    .map(|table| table.row_security.forced = false),
            );
        } else {
            return None;
        };
        Some((|| {
            let table = self.table_mut(name)?;
            if cursor.eat_keywords(&["ROW", "LEVEL", "SECURITY"]) {
                table.row_security.enabled = match state {
                    TriggerEnabled::Origin => true,
                    TriggerEnabled::Disabled => false,
                    _ => return Err("ROW LEVEL SECURITY is only enabled or disabled".to_string()),
                };
                return Ok(());
            }
            cursor.expect_keywords(&["TRIGGER"])?;
            // ALL and USER name every trigger the model holds (the internal ones that ALL
            // also reaches are not modelled).
            if cursor.eat_keyword("ALL") || cursor.eat_keyword("USER") {
                for trigger in table.triggers.values_mut() {
                    trigger.enabled = state;
                }
                return Ok(());
            }
            let trigger = cursor.identifier()?;
            table
                .triggers
                .get_mut(&trigger)
                .ok_or_else(|| format!("trigger {trigger} for table {name} does not exist"))?
                .enabled = state;
            Ok(())
        })())
    }

    /// The triggers of a table or view.
    fn triggers_mut(&mut self, relation: &QualifiedName) -> Outcome<&mut NameMap<Trigger>> {
        if self.schema.views.contains_key(relation) {
            return self
                .schema
                .rest_mut()
                .views
                .get_mut(relation)
                .map(|view| &mut view.triggers)
                .ok_or_else(|| format!("view {relation} does not exist"));
        }
        Ok(&mut self.table_mut(relation)?.triggers)
    }
}

/// A dropped column takes the triggers and policies that use it along (PostgreSQL asks for
/// CASCADE; autogen's own scripts drop them first).
pub(super) fn forget_column(table: &mut Table, column: &str) {
    table.triggers.retain(|_, trigger| {
        !trigger.update_columns.iter().any(|name| name == column)
            && !trigger
                .condition
                .as_ref()
                .is_some_and(|condition| mentions(condition.as_str(), column))
    });
    table.policies.retain(|_, policy| {
        ![&policy.using, &policy.with_check]
            .into_iter()
            .flatten()
            .any(|expression| mentions(expression.as_str(), column))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn replay(sql: &str) -> Result<Schema> {
        let mut interpreter = Interpreter::new();
        interpreter.run(sql, Path::new("test.sql"))?;
        Ok(interpreter.schema())
    }

    #[test]
    fn hand_written_trigger_and_policy_statements_replay() {
        let schema = replay(
            "CREATE TABLE t (id integer, a integer, b text);\n\
             CREATE TRIGGER tg BEFORE UPDATE OF a OR INSERT ON t FOR EACH ROW\n\
               WHEN (NEW.a > 0) EXECUTE PROCEDURE audit.f(1, 'two');\n\
             ALTER TRIGGER tg ON t RENAME TO tg2;\n\
             ALTER TABLE t ENABLE REPLICA TRIGGER tg2, FORCE ROW LEVEL SECURITY;\n\
             ALTER TABLE ONLY t ENABLE ROW LEVEL SECURITY;\n\
             CREATE POLICY p ON t AS RESTRICTIVE FOR SELECT TO app, PUBLIC USING (a > 0);\n\
             ALTER POLICY p ON t RENAME TO q;\n\
             ALTER POLICY q ON t TO app USING (a > 1);\n\
             COMMENT ON POLICY q ON t IS 'only positive';\n\
             ALTER TABLE t RENAME COLUMN a TO amount;\n\
             DROP TRIGGER IF EXISTS missing ON t;\n\
             DROP POLICY IF EXISTS missing ON gone;",
        )
        .unwrap_or_else(|error| panic!("{error}"));
        let table = &schema.tables[&QualifiedName::new("public", "t")];
        let trigger = &table.triggers["tg2"];
        assert_eq!(trigger.update_columns, ["amount"]);
        assert_eq!(
            trigger.condition.as_ref().map(Expr::as_str),
            Some("NEW.amount > 0")
        );
        assert_eq!(trigger.function, QualifiedName::new("audit", "f"));
        assert_eq!(trigger.arguments, ["1", "two"]);
        assert_eq!(trigger.enabled, TriggerEnabled::Replica);
        assert!(table.row_security.enabled && table.row_security.forced);
        let policy = &table.policies["q"];
        assert!(!policy.permissive);
        assert_eq!(policy.roles, ["app"]);
        assert_eq!(policy.using.as_ref().map(Expr::as_str), Some("amount > 1"));
        assert_eq!(policy.comment.as_deref(), Some("only positive"));

        let schema = replay(
            "CREATE TABLE t (id integer, a integer);\n\
             CREATE POLICY p ON t USING (a > 0);\n\
             ALTER TABLE t DROP COLUMN a CASCADE;",
        )
        .unwrap_or_else(|error| panic!("{error}"));
        assert!(schema.tables[&QualifiedName::new("public", "t")]
            .policies
            .is_empty());
    }

    #[test]
    fn policies_and_triggers_need_their_relation() {
        for sql in [
            "CREATE POLICY p ON missing USING (true);",
            "CREATE TRIGGER tg AFTER INSERT ON missing EXECUTE FUNCTION f();",
            "CREATE TABLE t (a integer); CREATE POLICY p ON t FOR UPSERT USING (true);",
            "CREATE TABLE t (a integer); DROP POLICY p ON t;",
        ] {
            assert!(replay(sql).is_err(), "{sql}");
        }
    }
}
