//! Triggers, policies and row-level security in the diff: their `Change`s, how they are
//! matched, and how they leave and rejoin the tables and views they belong to.
//!
//! A created or dropped relation carries none of them: `detach` turns them into changes of
//! their own, so they are created once every table, view and function they use exists, and
//! dropped before anything they use changes. Pure; no SQL text.

use std::collections::{BTreeMap, BTreeSet};

use super::Change;
use crate::model::{NameMap, Policy, QualifiedName, RowSecurity, Schema, Table, Trigger, View};
use crate::references::mentions;

/// A change to one trigger of a table or view. (`Alter` is large, briefly, like
/// `Change::AlterColumn`.)
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TriggerChange {
    /// `CREATE TRIGGER n ... ON r`, then its enabled state and comment when not defaults.
    Create {
        relation: QualifiedName,
        trigger: Trigger,
    },
    /// `DROP TRIGGER n ON r`
    Drop {
        relation: QualifiedName,
        trigger: Trigger,
    },
    /// `ALTER TABLE r ENABLE/DISABLE TRIGGER n`, `COMMENT ON TRIGGER n ON r IS ...`
    Alter {
        relation: QualifiedName,
        from: Trigger,
        to: Trigger,
    },
}

/// A change to one policy of a table, or to the row-level security switches that make the
/// policies apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PolicyChange {
    /// `CREATE POLICY n ON t ...`, then its comment.
    Create {
        table: QualifiedName,
        policy: Policy,
    },
    /// `DROP POLICY n ON t`
    Drop {
        table: QualifiedName,
        policy: Policy,
    },
    /// `ALTER POLICY n ON t TO ... USING (...) WITH CHECK (...)`, `COMMENT ON POLICY`.
    Alter {
        table: QualifiedName,
        from: Policy,
        to: Policy,
    },
    /// `ALTER TABLE t ENABLE/DISABLE ROW LEVEL SECURITY`, `[NO] FORCE ROW LEVEL SECURITY`.
    RowSecurity {
        table: QualifiedName,
        from: RowSecurity,
        to: RowSecurity,
    },
}

impl TriggerChange {
    pub fn inverse(&self) -> TriggerChange {
        match self.clone() {
            TriggerChange::Create { relation, trigger } => {
                TriggerChange::Drop { relation, trigger }
            }
            TriggerChange::Drop { relation, trigger } => {
                TriggerChange::Create { relation, trigger }
            }
            TriggerChange::Alter { relation, from, to } => TriggerChange::Alter {
                relation,
                from: to,
                to: from,
            },
        }
    }

    pub fn relation(&self) -> &QualifiedName {
        match self {
            TriggerChange::Create { relation, .. }
            | TriggerChange::Drop { relation, .. }
            | TriggerChange::Alter { relation, .. } => relation,
        }
    }

    /// The trigger as the change leaves it (as it was, for a drop).
    pub fn trigger(&self) -> &Trigger {
        match self {
            TriggerChange::Create { trigger, .. } | TriggerChange::Drop { trigger, .. } => trigger,
            TriggerChange::Alter { to, .. } => to,
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            TriggerChange::Create { .. } => "created",
            TriggerChange::Drop { .. } => "dropped",
            TriggerChange::Alter { .. } => "altered",
        }
    }
}

impl PolicyChange {
    pub fn inverse(&self) -> PolicyChange {
        match self.clone() {
            PolicyChange::Create { table, policy } => PolicyChange::Drop { table, policy },
            PolicyChange::Drop { table, policy } => PolicyChange::Create { table, policy },
            PolicyChange::Alter { table, from, to } => PolicyChange::Alter {
                table,
                from: to,
                to: from,
            },
            PolicyChange::RowSecurity { table, from, to } => PolicyChange::RowSecurity {
                table,
                from: to,
                to: from,
            },
        }
    }

    pub fn table(&self) -> &QualifiedName {
        match self {
            PolicyChange::Create { table, .. }
            | PolicyChange::Drop { table, .. }
            | PolicyChange::Alter { table, .. }
            | PolicyChange::RowSecurity { table, .. } => table,
        }
    }

    /// The policy's name; `None` for the row-level security switches.
    pub fn policy_name(&self) -> Option<&str> {
        match self {
            PolicyChange::Create { policy, .. } | PolicyChange::Drop { policy, .. } => {
                Some(&policy.name)
            }
            PolicyChange::Alter { to, .. } => Some(&to.name),
            PolicyChange::RowSecurity { .. } => None,
        }
    }

    pub fn summary(&self) -> String {
        match self {
            PolicyChange::Create { .. } => format!("created {}", self.object()),
            PolicyChange::Drop { .. } => format!("dropped {}", self.object()),
            PolicyChange::Alter { .. } => format!("altered {}", self.object()),
            PolicyChange::RowSecurity { table, to, .. } => format!(
                "row-level security of table {table} now {}{}",
                if to.enabled { "enabled" } else { "disabled" },
                if to.forced { ", forced" } else { "" }
            ),
        }
    }

    pub fn object(&self) -> crate::model::ObjectRef {
        match self.policy_name() {
            Some(name) => crate::model::ObjectRef::Policy(self.table().clone(), name.to_string()),
            None => crate::model::ObjectRef::Table(self.table().clone()),
        }
    }
}

/// Trigger, policy and row-level security changes of a table the migration keeps.
pub(super) fn diff_table(current: &Table, desired: &Table, changes: &mut Vec<Change>) {
    diff_triggers(&desired.name, &current.triggers, &desired.triggers, changes);
    let table = &desired.name;
    for (name, policy) in &current.policies {
        match desired.policies.get(name) {
            Some(wanted) if wanted == policy => {}
            Some(wanted) if policy.alterable_into(wanted) => {
                changes.push(Change::Policy(PolicyChange::Alter {
                    table: table.clone(),
                    from: policy.clone(),
                    to: wanted.clone(),
                }));
            }
            _ => changes.push(Change::Policy(PolicyChange::Drop {
                table: table.clone(),
                policy: policy.clone(),
            })),
        }
    }
    for (name, policy) in &desired.policies {
        let kept = current
            .policies
            .get(name)
            .is_some_and(|existing| existing.alterable_into(policy));
        if !kept {
            changes.push(Change::Policy(PolicyChange::Create {
                table: table.clone(),
                policy: policy.clone(),
            }));
        }
    }
    if current.row_security != desired.row_security {
        changes.push(Change::Policy(PolicyChange::RowSecurity {
            table: table.clone(),
            from: current.row_security,
            to: desired.row_security,
        }));
    }
}

/// Trigger changes of a view the migration keeps.
pub(super) fn diff_view(current: &View, desired: &View, changes: &mut Vec<Change>) {
    diff_triggers(&desired.name, &current.triggers, &desired.triggers, changes);
}

/// Triggers matched by name: enabled state and comment change in place, anything else
/// drops and creates the trigger.
fn diff_triggers(
    relation: &QualifiedName,
    current: &NameMap<Trigger>,
    desired: &NameMap<Trigger>,
    changes: &mut Vec<Change>,
) {
    for (name, trigger) in current {
        match desired.get(name) {
            Some(wanted) if wanted == trigger => {}
            Some(wanted) if trigger.same_definition_as(wanted) => {
                changes.push(Change::Trigger(TriggerChange::Alter {
                    relation: relation.clone(),
                    from: trigger.clone(),
                    to: wanted.clone(),
                }));
            }
            _ => changes.push(Change::Trigger(TriggerChange::Drop {
                relation: relation.clone(),
                trigger: trigger.clone(),
            })),
        }
    }
    for (name, trigger) in desired {
        let kept = current
            .get(name)
            .is_some_and(|existing| existing.same_definition_as(trigger));
        if !kept {
            changes.push(Change::Trigger(TriggerChange::Create {
                relation: relation.clone(),
                trigger: trigger.clone(),
            }));
        }
    }
}

/// Which relation and object a trigger or policy change is about: `(relation, name, is_trigger)`.
type AttachedKey = (QualifiedName, String, bool);

fn key_of(change: &Change) -> Option<(AttachedKey, &'static str)> {
    match change {
        Change::Trigger(trigger_change) => Some((
            (
                trigger_change.relation().clone(),
                trigger_change.trigger().name.clone(),
                true,
            ),
            trigger_change.verb(),
        )),
        Change::Policy(policy_change) => {
            let name = policy_change.policy_name()?.to_string();
            let verb = match policy_change {
                PolicyChange::Create { .. } => "created",
                PolicyChange::Drop { .. } => "dropped",
                _ => "altered",
            };
            Some(((policy_change.table().clone(), name, false), verb))
        }
        _ => None,
    }
}

/// Takes the triggers and policies out of the tables and views `changes` create or drop and
/// makes each a change of its own (replacing whatever the per-relation diff said about a
/// relation that is dropped and created again); then drops before and creates after the
/// kept triggers and policies over a column that is retyped (`retyped`) or dropped, which
/// PostgreSQL refuses to change under them (those calling a dropped routine are the graph's,
/// `recreated_users`). Objects already taken out are left as they are, so this runs once per
/// direction.
pub(super) fn detach(
    before: &Schema,
    after: &Schema,
    retyped: &BTreeSet<(QualifiedName, String)>,
    changes: &mut Vec<Change>,
) {
    let mut detached = Vec::new();
    let mut relations = BTreeSet::new();
    for change in changes.iter_mut() {
        let (relation, triggers, policies, create) = match change {
            Change::CreateTable(table) => (
                &table.name,
                &mut table.triggers,
                Some(&mut table.policies),
                true,
            ),
            Change::DropTable(table) => (
                &table.name,
                &mut table.triggers,
                Some(&mut table.policies),
                false,
            ),
            Change::CreateView(view) => (&view.name, &mut view.triggers, None, true),
            Change::DropView(view) => (&view.name, &mut view.triggers, None, false),
            _ => continue,
        };
        let policies = policies.map(std::mem::take).unwrap_or_default();
        let triggers = std::mem::take(triggers);
        if triggers.is_empty() && policies.is_empty() {
            continue;
        }
        relations.insert(relation.clone());
        for trigger in triggers.into_values() {
            let relation = relation.clone();
            detached.push(Change::Trigger(match create {
                true => TriggerChange::Create { relation, trigger },
                false => TriggerChange::Drop { relation, trigger },
            }));
        }
        for policy in policies.into_values() {
            let table = relation.clone();
            detached.push(Change::Policy(match create {
                true => PolicyChange::Create { table, policy },
                false => PolicyChange::Drop { table, policy },
            }));
        }
    }
    changes.retain(|change| {
        !key_of(change).is_some_and(|((relation, ..), _)| relations.contains(&relation))
    });
    changes.extend(detached);
    rebuild_over_columns(before, after, retyped, changes);
}

/// PostgreSQL refuses to retype or drop a column that a trigger (`UPDATE OF`, `WHEN`) or a
/// policy expression uses, or a relation a policy's subquery reads; those kept are dropped
/// before and created after.
fn rebuild_over_columns(
    before: &Schema,
    after: &Schema,
    retyped: &BTreeSet<(QualifiedName, String)>,
    changes: &mut Vec<Change>,
) {
    let mut columns = retyped.clone();
    columns.extend(changes.iter().filter_map(|change| match change {
        Change::DropColumn { table, column, .. } => Some((table.clone(), column.name.clone())),
        _ => None,
    }));
    // Tables and views dropped (or dropped and created again) that a policy's subquery of
    // another table may read, which PostgreSQL refuses to drop under it.
    let relations: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropTable(table) => Some(table.name.clone()),
            Change::DropView(view) => Some(view.name.clone()),
            _ => None,
        })
        .collect();
    if columns.is_empty() && relations.is_empty() {
        return;
    }
    let verbs: BTreeMap<AttachedKey, Vec<&'static str>> =
        changes
            .iter()
            .filter_map(key_of)
            .fold(BTreeMap::new(), |mut verbs, (key, verb)| {
                verbs.entry(key).or_default().push(verb);
                verbs
            });
    let dropped = |key: &AttachedKey| {
        verbs
            .get(key)
            .is_some_and(|verbs| verbs.contains(&"dropped"))
    };
    let mut rebuilt: BTreeSet<AttachedKey> = BTreeSet::new();
    let mut added = Vec::new();
    for (table_name, table) in &before.tables {
        let desired = after.tables.get(table_name);
        for trigger in table.triggers.values() {
            let key = (table_name.clone(), trigger.name.clone(), true);
            let condition = trigger
                .condition
                .as_ref()
                .map(|condition| condition.as_str());
            let uses = columns.iter().any(|(table, column)| {
                table == table_name
                    && (trigger.update_columns.contains(column)
                        || condition.is_some_and(|condition| mentions(condition, column)))
            });
            if !uses || dropped(&key) || !rebuilt.insert(key) {
                continue;
            }
            added.push(Change::Trigger(TriggerChange::Drop {
                relation: table_name.clone(),
                trigger: trigger.clone(),
            }));
            if let Some(wanted) = desired.and_then(|table| table.triggers.get(&trigger.name)) {
                added.push(Change::Trigger(TriggerChange::Create {
                    relation: table_name.clone(),
                    trigger: wanted.clone(),
                }));
            }
        }
        for policy in table.policies.values() {
            let key = (table_name.clone(), policy.name.clone(), false);
            // A policy's subquery may read the column of another table (named in it).
            let uses = [&policy.using, &policy.with_check]
                .into_iter()
                .flatten()
                .map(|expression| expression.as_str())
                .any(|expression| {
                    columns.iter().any(|(table, column)| {
                        mentions(expression, column)
                            && (table == table_name || mentions(expression, &table.name))
                    }) || relations.iter().any(|relation| {
                        relation != table_name && mentions(expression, &relation.name)
                    })
                });
            if !uses || dropped(&key) || !rebuilt.insert(key) {
                continue;
            }
            added.push(Change::Policy(PolicyChange::Drop {
                table: table_name.clone(),
                policy: policy.clone(),
            }));
            if let Some(wanted) = desired.and_then(|table| table.policies.get(&policy.name)) {
                added.push(Change::Policy(PolicyChange::Create {
                    table: table_name.clone(),
                    policy: wanted.clone(),
                }));
            }
        }
    }
    // What the per-relation diff said about a rebuilt object (an in-place change) is
    // replaced by the rebuild, which creates it in its desired form.
    changes.retain(|change| !key_of(change).is_some_and(|(key, _)| rebuilt.contains(&key)));
    changes.extend(added);
}
