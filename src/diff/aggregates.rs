//! Aggregates in the diff: created, dropped, replaced in place where `CREATE OR REPLACE
//! AGGREGATE` allows it (`Aggregate::replaceable_by`), else dropped and created again; a
//! comment changes in place. An aggregate whose support function is dropped and created
//! again goes and comes back with it. Pure; no SQL text.

use std::collections::BTreeSet;

use super::Change;
use crate::model::{Aggregate, FunctionName, ObjectRef, QualifiedName, Schema};
use crate::references::words;
use crate::syntax::types::names_type;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AggregateChange {
    /// `CREATE AGGREGATE a (...) (...)`, then its comment.
    Create(Aggregate),
    /// `DROP AGGREGATE a (...)`
    Drop(Aggregate),
    /// `CREATE OR REPLACE AGGREGATE a (...) (...)` and, if it changes, the comment.
    Replace {
        from: Box<Aggregate>,
        to: Box<Aggregate>,
    },
}

impl AggregateChange {
    pub fn inverse(&self) -> AggregateChange {
        match self.clone() {
            AggregateChange::Create(aggregate) => AggregateChange::Drop(aggregate),
            AggregateChange::Drop(aggregate) => AggregateChange::Create(aggregate),
            AggregateChange::Replace { from, to } => {
                AggregateChange::Replace { from: to, to: from }
            }
        }
    }

    pub fn object(&self) -> ObjectRef {
        ObjectRef::Aggregate(match self {
            AggregateChange::Create(aggregate) | AggregateChange::Drop(aggregate) => {
                aggregate.name.clone()
            }
            AggregateChange::Replace { to, .. } => to.name.clone(),
        })
    }

    pub fn verb(&self) -> &'static str {
        match self {
            AggregateChange::Create(_) => "created",
            AggregateChange::Drop(_) => "dropped",
            AggregateChange::Replace { .. } => "altered",
        }
    }
}

pub(super) fn diff_aggregates(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    for (name, wanted) in &desired.aggregates {
        match current.aggregates.get(name) {
            None => changes.push(Change::Aggregate(AggregateChange::Create(wanted.clone()))),
            Some(existing) if existing == wanted => {}
            Some(existing) if existing.replaceable_by(wanted) => {
                changes.push(Change::Aggregate(AggregateChange::Replace {
                    from: Box::new(existing.clone()),
                    to: Box::new(wanted.clone()),
                }));
            }
            Some(existing) => {
                changes.push(Change::Aggregate(AggregateChange::Drop(existing.clone())));
                changes.push(Change::Aggregate(AggregateChange::Create(wanted.clone())));
            }
        }
    }
    for (name, existing) in &current.aggregates {
        if !desired.aggregates.contains_key(name) {
            changes.push(Change::Aggregate(AggregateChange::Drop(existing.clone())));
        }
    }
}

/// PostgreSQL refuses to drop a function an aggregate calls: aggregates of `before` whose
/// support function `changes` drop and create again (a return type or argument name
/// changes) are dropped before and created again after, as `after` has them.
pub(super) fn recreate_over_recreated_functions(
    before: &Schema,
    after: &Schema,
    changes: &mut Vec<Change>,
) {
    let recreated: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::AlterFunction { from, to, .. } if !from.replaceable_by(to) => {
                Some(QualifiedName::new(&from.name.schema, &from.name.name))
            }
            _ => None,
        })
        .collect();
    if recreated.is_empty() {
        return;
    }
    recreate_where(before, after, changes, |aggregate| {
        aggregate
            .support_functions()
            .any(|function| recreated.contains(function))
    });
}

/// PostgreSQL cannot drop the old version of a rebuilt type, or a range type dropped and
/// created again, while an aggregate takes it as argument or state, and an aggregate
/// created before would take the old one: aggregates of `before` over such a type are
/// dropped before and created again after, as `after` has them.
pub(super) fn recreate_over_rebuilt_types(
    before: &Schema,
    after: &Schema,
    changes: &mut Vec<Change>,
) {
    let mut rebuilt: Vec<QualifiedName> = super::types::rebuilt_types(changes)
        .into_iter()
        .map(|(_, name)| name.clone())
        .collect();
    let created: BTreeSet<&QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Range(super::RangeChange::Create(range)) => Some(&range.name),
            _ => None,
        })
        .collect();
    for change in changes.iter() {
        if let Change::Range(super::RangeChange::Drop(range)) = change {
            if created.contains(&range.name) {
                rebuilt.extend([range.name.clone(), range.multirange_name()]);
            }
        }
    }
    recreate_where(before, after, changes, |aggregate| {
        aggregate
            .types()
            .any(|data_type| rebuilt.iter().any(|name| names_type(data_type, name)))
    });
}

/// Aggregates of `before` for which `needed` holds and that `changes` do not already drop
/// are dropped, then created again as `after` has them (in place of any replacement).
fn recreate_where(
    before: &Schema,
    after: &Schema,
    changes: &mut Vec<Change>,
    needed: impl Fn(&Aggregate) -> bool,
) {
    let dropped: BTreeSet<FunctionName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Aggregate(AggregateChange::Drop(aggregate)) => Some(aggregate.name.clone()),
            _ => None,
        })
        .collect();
    for aggregate in before.aggregates.values() {
        if !needed(aggregate) || dropped.contains(&aggregate.name) {
            continue;
        }
        changes.retain(|change| {
            !matches!(change, Change::Aggregate(AggregateChange::Replace { from, .. }) if from.name == aggregate.name)
        });
        changes.push(Change::Aggregate(AggregateChange::Drop(aggregate.clone())));
        if let Some(kept) = after.aggregates.get(&aggregate.name) {
            changes.push(Change::Aggregate(AggregateChange::Create(kept.clone())));
        }
    }
}

/// Views of `before` that call an aggregate `changes` drop and create again: PostgreSQL
/// refuses to drop an aggregate a view uses, so they are rebuilt around it.
pub(super) fn views_calling_recreated_aggregates(
    before: &Schema,
    changes: &[Change],
) -> BTreeSet<QualifiedName> {
    let dropped: BTreeSet<String> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Aggregate(AggregateChange::Drop(aggregate)) => {
                Some(aggregate.name.name.clone())
            }
            _ => None,
        })
        .collect();
    if dropped.is_empty() {
        return BTreeSet::new();
    }
    before
        .views
        .values()
        .filter(|view| !words(view.definition.as_str()).is_disjoint(&dropped))
        .map(|view| view.name.clone())
        .collect()
}

#[cfg(test)]
mod tests {
    fn replayed(sql: &str) -> crate::model::Schema {
        let mut interpreter = crate::ddl::Interpreter::new();
        interpreter
            .run(sql, std::path::Path::new("test.sql"))
            .expect("the SQL replays");
        crate::normalize::normalize(interpreter.schema())
    }

    /// PostgreSQL refuses to drop a type an aggregate takes: one over an enum rebuilt under
    /// it, or over a range type dropped and created again, is dropped before and created
    /// after, both ways.
    #[test]
    fn aggregates_over_a_rebuilt_type_are_recreated_around_it() {
        let schema = |values: &str, collation: &str| {
            replayed(&format!(
                "CREATE TYPE mood AS ENUM ({values});
                 CREATE AGGREGATE best(mood) (SFUNC = enum_larger, STYPE = mood);
                 CREATE TYPE words AS RANGE (subtype = text, collation = \"{collation}\");
                 CREATE AGGREGATE widest(words) (SFUNC = range_merge, STYPE = words);"
            ))
        };
        let current = schema("'sad', 'ok', 'happy'", "C");
        let desired = schema("'sad', 'happy'", "POSIX");
        let migration = crate::generate(&current, &desired);
        let up = migration.up.to_text();
        let position = |text: &str| up.find(text).unwrap_or_else(|| panic!("{text} in:\n{up}"));
        assert!(
            position("DROP AGGREGATE public.best(mood);") < position("RENAME TO mood__autogen_old")
        );
        assert!(
            position("DROP TYPE public.mood__autogen_old;")
                < position("CREATE AGGREGATE public.best(mood)")
        );
        assert!(
            position("DROP AGGREGATE public.widest(words);") < position("DROP TYPE public.words;")
        );
        assert!(
            position("CREATE TYPE public.words")
                < position("CREATE AGGREGATE public.widest(words)")
        );
        let down = migration.down.to_text();
        assert!(
            down.contains("DROP AGGREGATE public.widest(words);"),
            "{down}"
        );
        assert!(crate::diff::refuse_blocked_rebuilds(&migration, &current, &desired).is_ok());
    }
}
