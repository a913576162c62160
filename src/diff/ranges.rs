//! Range types in the diff: created, dropped, or dropped and created again when their
//! definition changes (PostgreSQL alters only a range type's name, owner, schema and
//! comment), refused while anything uses the type; a comment changes in place. Pure; no SQL.

use super::Change;
use crate::model::{QualifiedName, RangeType, Schema};
use crate::syntax::types::names_type;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RangeChange {
    /// `CREATE TYPE r AS RANGE (...)`, then its comment.
    Create(RangeType),
    /// `DROP TYPE r` (its multirange type goes with it).
    Drop(RangeType),
    /// `COMMENT ON TYPE r IS ...`
    Comment {
        name: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
}

impl RangeChange {
    pub fn inverse(&self) -> RangeChange {
        match self.clone() {
            RangeChange::Create(range) => RangeChange::Drop(range),
            RangeChange::Drop(range) => RangeChange::Create(range),
            RangeChange::Comment { name, from, to } => RangeChange::Comment {
                name,
                from: to,
                to: from,
            },
        }
    }

    pub fn object(&self) -> crate::model::ObjectRef {
        crate::model::ObjectRef::Range(match self {
            RangeChange::Create(range) | RangeChange::Drop(range) => range.name.clone(),
            RangeChange::Comment { name, .. } => name.clone(),
        })
    }

    pub fn verb(&self) -> &'static str {
        match self {
            RangeChange::Create(_) => "created",
            RangeChange::Drop(_) => "dropped",
            RangeChange::Comment { .. } => "changed comment of",
        }
    }
}

pub(super) fn diff_ranges(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    for (name, wanted) in &desired.ranges {
        match current.ranges.get(name) {
            Some(existing) if existing == wanted => {}
            Some(existing) if existing.same_definition_as(wanted) => {
                changes.push(Change::Range(RangeChange::Comment {
                    name: name.clone(),
                    from: existing.comment.clone(),
                    to: wanted.comment.clone(),
                }));
            }
            existing => {
                if let Some(existing) = existing {
                    changes.push(Change::Range(RangeChange::Drop(existing.clone())));
                }
                changes.push(Change::Range(RangeChange::Create(wanted.clone())));
            }
        }
    }
    for (name, existing) in &current.ranges {
        if !desired.ranges.contains_key(name) {
            changes.push(Change::Range(RangeChange::Drop(existing.clone())));
        }
    }
}

/// PostgreSQL cannot drop the old version of a rebuilt type while a range type is built on
/// it, and a range created before the rebuild would take the old one: range types of
/// `before` over a type `changes` rebuild are dropped before and created again after, as
/// `after` has them (a comment change is then part of the creation). What uses the range
/// type in turn refuses the plan (`blocked_rebuilds`), but aggregates, which are recreated
/// around it too (`aggregates::recreate_over_rebuilt_types`).
pub(super) fn recreate_over_rebuilt_types(
    before: &Schema,
    after: &Schema,
    changes: &mut Vec<Change>,
) {
    let rebuilt: Vec<QualifiedName> = super::types::rebuilt_types(changes)
        .into_iter()
        .map(|(_, name)| name.clone())
        .collect();
    let dropped: Vec<QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Range(RangeChange::Drop(range)) => Some(range.name.clone()),
            _ => None,
        })
        .collect();
    for range in before.ranges.values() {
        let over_rebuilt = rebuilt.iter().any(|name| names_type(&range.subtype, name));
        if !over_rebuilt || dropped.contains(&range.name) {
            continue;
        }
        changes.retain(|change| {
            !matches!(change, Change::Range(RangeChange::Comment { name, .. }) if *name == range.name)
        });
        changes.push(Change::Range(RangeChange::Drop(range.clone())));
        if let Some(kept) = after.ranges.get(&range.name) {
            changes.push(Change::Range(RangeChange::Create(kept.clone())));
        }
    }
}

/// Range types among `changes` (applied to `before`) dropped and created again while a
/// column, attribute, domain, function or aggregate of `before` uses them or their
/// multirange, which PostgreSQL refuses to drop: each entry names the type and its users.
pub(super) fn blocked_rebuilds(changes: &[Change], before: &Schema) -> Vec<String> {
    let created_again = |name: &QualifiedName| {
        changes.iter().any(|change| {
            matches!(change, Change::Range(RangeChange::Create(range)) if range.name == *name)
        })
    };
    let mut blocked = Vec::new();
    for change in changes {
        let Change::Range(RangeChange::Drop(range)) = change else {
            continue;
        };
        if !created_again(&range.name) {
            continue;
        }
        let multirange = range.multirange_name();
        let uses = |type_text: &str| {
            names_type(type_text, &range.name) || names_type(type_text, &multirange)
        };
        let mut users: Vec<String> = Vec::new();
        for table in before.tables.values() {
            let columns = table
                .columns
                .iter()
                .filter(|column| uses(&column.data_type));
            users.extend(columns.map(|column| format!("column {}.{}", table.name, column.name)));
        }
        let domains = before.domains.values();
        users.extend(
            domains
                .filter(|domain| uses(&domain.base_type))
                .map(|domain| format!("domain {}", domain.name)),
        );
        users.extend(before.composite_types.values().flat_map(|composite| {
            composite
                .attributes
                .iter()
                .filter(|attribute| uses(&attribute.data_type))
                .map(move |attribute| format!("attribute {}.{}", composite.name, attribute.name))
        }));
        users.extend(
            before
                .functions
                .values()
                .filter(|function| {
                    function
                        .arguments
                        .iter()
                        .any(|argument| uses(&argument.data_type))
                })
                .map(|function| format!("function {}", function.name)),
        );
        if !users.is_empty() {
            blocked.push(format!(
                "range type {} must be dropped and created again, but {} use{} it",
                range.name,
                users.join(", "),
                if users.len() == 1 { "s" } else { "" }
            ));
        }
    }
    blocked
}
