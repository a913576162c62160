//! Lowering of triggers, policies and row-level security: words checked against what
//! PostgreSQL accepts, columns against the table, expressions through `guard`.

use super::{Lowering, YamlPath};
use crate::error::Result;
use crate::guard::Fragment;
use crate::model::{
    policy_roles, Deferrable, NameMap, ObjectRef, Policy, PolicyCommand, QualifiedName,
    RowSecurity, Table, Trigger, TriggerEnabled, TriggerEvents, TriggerTiming,
};
use crate::spec::raw;
use crate::syntax::names::parse_qualified;

/// Role words PostgreSQL reserves; they are kept in lower case and written as keywords.
const ROLE_KEYWORDS: [&str; 4] = ["public", "current_user", "current_role", "session_user"];

impl Lowering<'_> {
    /// The triggers of `relation`; `table` is `None` for a view, whose columns the file
    /// does not list.
    pub(super) fn triggers(
        &mut self,
        relation: &QualifiedName,
        table: Option<&Table>,
        triggers: raw::Ordered<raw::Trigger>,
        at: &YamlPath,
    ) -> Result<NameMap<Trigger>> {
        let mut lowered = NameMap::new();
        for (name, raw_trigger) in triggers.0 {
            let at = at.key("triggers").key(&name);
            self.identifier(&name, &at)?;
            if let Some(old_name) = &raw_trigger.renamed_from {
                self.identifier(old_name, &at.key("renamed_from"))?;
                let key = (relation.clone(), name.clone());
                self.directives
                    .trigger_renames
                    .insert(key, old_name.clone());
            }
            let trigger = self.trigger(name.clone(), table, raw_trigger, &at)?;
            self.record(ObjectRef::Trigger(relation.clone(), name.clone()), &at);
            lowered.insert(name, trigger);
        }
        Ok(lowered)
    }

    fn trigger(
        &self,
        name: String,
        table: Option<&Table>,
        raw_trigger: raw::Trigger,
        at: &YamlPath,
    ) -> Result<Trigger> {
        let timing = match raw_trigger.timing.as_str() {
            "before" => TriggerTiming::Before,
            "after" => TriggerTiming::After,
            "instead_of" => TriggerTiming::InsteadOf,
            other => {
                let message = format!("timing is before, after or instead_of, not {other:?}");
                return Err(self.error(&at.key("timing"), message));
            }
        };
        let mut events = TriggerEvents::default();
        for (event_idx, event) in raw_trigger.events.iter().enumerate() {
            let known = ["insert", "update", "delete", "truncate"].contains(&event.as_str());
            if !known || !events.set(event) {
                let message = format!("event is insert, update, delete or truncate, not {event:?}");
                return Err(self.error(&at.key("events").index(event_idx), message));
            }
            if raw_trigger.events[..event_idx].contains(event) {
                let message = format!("event {event:?} is listed twice");
                return Err(self.error(&at.key("events").index(event_idx), message));
            }
        }
        if events == TriggerEvents::default() {
            return Err(self.error(&at.key("events"), "a trigger needs at least one event"));
        }
        let for_each_row = match raw_trigger.for_each.as_deref() {
            None | Some("statement") => false,
            Some("row") => true,
            Some(other) => {
                let message = format!("for_each is row or statement, not {other:?}");
                return Err(self.error(&at.key("for_each"), message));
            }
        };
        let update_columns = raw_trigger.update_of.unwrap_or_default();
        if !update_columns.is_empty() && !events.update {
            return Err(self.error(&at.key("update_of"), "update_of needs the update event"));
        }
        if let Some(table) = table {
            for (column_idx, column) in update_columns.iter().enumerate() {
                if table.column(column).is_none() {
                    let message = format!("unknown column \"{column}\"");
                    return Err(self.error(&at.key("update_of").index(column_idx), message));
                }
            }
        }
        let rule_broken = match timing {
            TriggerTiming::InsteadOf if table.is_some() => {
                Some("INSTEAD OF triggers belong to views, not tables")
            }
            TriggerTiming::InsteadOf if !for_each_row => {
                Some("INSTEAD OF triggers must be for_each: row")
            }
            TriggerTiming::InsteadOf if raw_trigger.when.is_some() => {
                Some("INSTEAD OF triggers cannot have a when condition")
            }
            TriggerTiming::InsteadOf if !update_columns.is_empty() => {
                Some("INSTEAD OF triggers cannot have update_of columns")
            }
            _ if events.truncate && for_each_row => {
                Some("truncate triggers must be for_each: statement")
            }
            TriggerTiming::Before | TriggerTiming::InsteadOf
                if raw_trigger.old_table.is_some() || raw_trigger.new_table.is_some() =>
            {
                Some("old_table and new_table need timing: after")
            }
            _ if raw_trigger.constraint && (timing != TriggerTiming::After || !for_each_row) => {
                Some("constraint triggers must be timing: after and for_each: row")
            }
            _ if !raw_trigger.constraint
                && (raw_trigger.deferrable.is_some()
                    || raw_trigger.initially_deferred.is_some()) =>
            {
                Some("deferrable and initially_deferred need constraint: true")
            }
            _ => None,
        };
        if let Some(message) = rule_broken {
            return Err(self.error(at, message));
        }
        let enabled = match raw_trigger.enabled.as_deref() {
            None | Some("true") => TriggerEnabled::Origin,
            Some("false") => TriggerEnabled::Disabled,
            Some("replica") => TriggerEnabled::Replica,
            Some("always") => TriggerEnabled::Always,
            Some(other) => {
                let message = format!("enabled is true, false, replica or always, not {other:?}");
                return Err(self.error(&at.key("enabled"), message));
            }
        };
        if table.is_none() && enabled != TriggerEnabled::Origin {
            let message = "a view's triggers cannot be disabled (ALTER TABLE does not take views)";
            return Err(self.error(&at.key("enabled"), message));
        }
        let condition = raw_trigger
            .when
            .map(|when| self.fragment(Fragment::Expression, &when, at, "when"))
            .transpose()?;
        let function = parse_qualified(&raw_trigger.function)
            .map_err(|message| self.error(&at.key("function"), message))?;
        self.identifier(&function.schema, &at.key("function"))?;
        self.identifier(&function.name, &at.key("function"))?;
        for (slot, key) in [
            (&raw_trigger.old_table, "old_table"),
            (&raw_trigger.new_table, "new_table"),
        ] {
            if let Some(name) = slot {
                self.identifier(name, &at.key(key))?;
            }
        }
        let constraint = raw_trigger.constraint.then(|| {
            match (
                raw_trigger.deferrable.unwrap_or(false)
                    || raw_trigger.initially_deferred == Some(true),
                raw_trigger.initially_deferred.unwrap_or(false),
            ) {
                (false, _) => Deferrable::NotDeferrable,
                (true, false) => Deferrable::Immediate,
                (true, true) => Deferrable::Deferred,
            }
        });
        Ok(Trigger {
            name,
            timing,
            events,
            update_columns,
            for_each_row,
            condition,
            old_table: raw_trigger.old_table,
            new_table: raw_trigger.new_table,
            constraint,
            function,
            arguments: raw_trigger.arguments.unwrap_or_default(),
            enabled,
            comment: raw_trigger.comment,
        })
    }

    pub(super) fn policies(
        &mut self,
        table: &QualifiedName,
        policies: raw::Ordered<raw::Policy>,
        at: &YamlPath,
    ) -> Result<NameMap<Policy>> {
        let mut lowered = NameMap::new();
        for (name, raw_policy) in policies.0 {
            let at = at.key("policies").key(&name);
            self.identifier(&name, &at)?;
            if let Some(old_name) = &raw_policy.renamed_from {
                self.identifier(old_name, &at.key("renamed_from"))?;
                let key = (table.clone(), name.clone());
                self.directives.policy_renames.insert(key, old_name.clone());
            }
            let policy = self.policy(name.clone(), raw_policy, &at)?;
            self.record(ObjectRef::Policy(table.clone(), name.clone()), &at);
            lowered.insert(name, policy);
        }
        Ok(lowered)
    }

    fn policy(&self, name: String, raw_policy: raw::Policy, at: &YamlPath) -> Result<Policy> {
        let command = match raw_policy.command.as_deref() {
            None => PolicyCommand::All,
            Some(word) => match PolicyCommand::from_word(word) {
                Some(command) if word.chars().all(|c| c.is_ascii_lowercase()) => command,
                _ => {
                    let message =
                        format!("command is all, select, insert, update or delete, not {word:?}");
                    return Err(self.error(&at.key("command"), message));
                }
            },
        };
        let mut roles = Vec::new();
        for (role_idx, role) in raw_policy.roles.unwrap_or_default().into_iter().enumerate() {
            let role_at = at.key("roles").index(role_idx);
            self.identifier(&role, &role_at)?;
            let folded = role.to_ascii_lowercase();
            roles.push(match ROLE_KEYWORDS.contains(&folded.as_str()) {
                true => folded,
                false => role,
            });
        }
        let using = self.expression(raw_policy.using, at, "using")?;
        let with_check = self.expression(raw_policy.with_check, at, "with_check")?;
        let misplaced = match command {
            PolicyCommand::Select | PolicyCommand::Delete if with_check.is_some() => {
                Some(("with_check", "a select or delete policy has no with_check"))
            }
            PolicyCommand::Insert if using.is_some() => {
                Some(("using", "an insert policy has only with_check, no using"))
            }
            _ => None,
        };
        if let Some((key, message)) = misplaced {
            return Err(self.error(&at.key(key), message));
        }
        Ok(Policy {
            name,
            permissive: !raw_policy.restrictive,
            command,
            roles: policy_roles(roles),
            using,
            with_check,
            comment: raw_policy.comment,
        })
    }

    pub(super) fn row_security(&self, raw: Option<raw::RowLevelSecurity>) -> RowSecurity {
        raw.map(|raw| RowSecurity {
            enabled: raw.enabled,
            forced: raw.forced,
        })
        .unwrap_or_default()
    }
}
