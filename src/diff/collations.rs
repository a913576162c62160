//! Collations in the diff: created, dropped, or dropped and created again when their
//! definition changes (PostgreSQL alters only a collation's name, owner and version); a
//! comment changes in place. Pure; no SQL text.

use super::Change;
use crate::model::{Collation, ObjectRef, QualifiedName, Schema};
use crate::syntax::names::parse_qualified;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CollationChange {
    /// `CREATE COLLATION c (...)`, then its comment.
    Create(Collation),
    /// `DROP COLLATION c`
    Drop(Collation),
    /// `COMMENT ON COLLATION c IS ...`
    Comment {
        name: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
}

impl CollationChange {
    pub fn inverse(&self) -> CollationChange {
        match self.clone() {
            CollationChange::Create(collation) => CollationChange::Drop(collation),
            CollationChange::Drop(collation) => CollationChange::Create(collation),
            CollationChange::Comment { name, from, to } => CollationChange::Comment {
                name,
                from: to,
                to: from,
            },
        }
    }

    pub fn object(&self) -> ObjectRef {
        ObjectRef::Collation(match self {
            CollationChange::Create(collation) | CollationChange::Drop(collation) => {
                collation.name.clone()
            }
            CollationChange::Comment { name, .. } => name.clone(),
        })
    }

    pub fn verb(&self) -> &'static str {
        match self {
            CollationChange::Create(_) => "created",
            CollationChange::Drop(_) => "dropped",
            CollationChange::Comment { .. } => "changed comment of",
        }
    }
}

pub(super) fn diff_collations(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    for (name, wanted) in &desired.collations {
        match current.collations.get(name) {
            Some(existing) if existing == wanted => {}
            Some(existing) if existing.same_definition_as(wanted) => {
                changes.push(Change::Collation(CollationChange::Comment {
                    name: name.clone(),
                    from: existing.comment.clone(),
                    to: wanted.comment.clone(),
                }));
            }
            existing => {
                if let Some(existing) = existing {
                    changes.push(Change::Collation(CollationChange::Drop(existing.clone())));
                }
                changes.push(Change::Collation(CollationChange::Create(wanted.clone())));
            }
        }
    }
    for (name, existing) in &current.collations {
        if !desired.collations.contains_key(name) {
            changes.push(Change::Collation(CollationChange::Drop(existing.clone())));
        }
    }
}

/// Collations among `changes` (applied to `before`) dropped and created again while a
/// column, attribute, domain, range type or index key of `before` uses them, which PostgreSQL refuses
/// to drop: each entry names the collation and its users.
pub(super) fn blocked_rebuilds(changes: &[Change], before: &Schema) -> Vec<String> {
    let rebuilt = changes.iter().filter_map(|change| match change {
        Change::Collation(CollationChange::Drop(collation)) => Some(&collation.name),
        _ => None,
    });
    let mut blocked = Vec::new();
    for name in rebuilt {
        let uses = |collation: &Option<String>| {
            collation
                .as_deref()
                .and_then(|text| parse_qualified(text).ok())
                .is_some_and(|used| used == *name)
        };
        let mut users: Vec<String> = Vec::new();
        for table in before.tables.values() {
            users.extend(
                table
                    .columns
                    .iter()
                    .filter(|column| uses(&column.collation))
                    .map(|column| format!("column {}.{}", table.name, column.name)),
            );
            users.extend(
                table
                    .indexes
                    .values()
                    .filter(|index| index.keys.iter().any(|key| uses(&key.collation)))
                    .map(|index| format!("index {}", index.name)),
            );
        }
        users.extend(
            before
                .domains
                .values()
                .filter(|domain| uses(&domain.collation))
                .map(|domain| format!("domain {}", domain.name)),
        );
        users.extend(
            before
                .ranges
                .values()
                .filter(|range| uses(&range.collation))
                .map(|range| format!("range type {}", range.name)),
        );
        users.extend(before.composite_types.values().flat_map(|composite| {
            composite
                .attributes
                .iter()
                .filter(|attribute| uses(&attribute.collation))
                .map(move |attribute| format!("attribute {}.{}", composite.name, attribute.name))
        }));
        let created_again = changes.iter().any(|change| {
            matches!(change, Change::Collation(CollationChange::Create(collation)) if &collation.name == name)
        });
        if !users.is_empty() && created_again {
            blocked.push(format!(
                "collation {name} must be dropped and created again, but {} use{} it",
                users.join(", "),
                if users.len() == 1 { "s" } else { "" }
            ));
        }
    }
    blocked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CollationLocale, Column, Table};

    fn schema(locale: &str, used: bool) -> Schema {
        let name = QualifiedName::new("public", "german");
        let collation = Collation {
            name: name.clone(),
            locale: CollationLocale::Icu {
                locale: locale.to_string(),
            },
            deterministic: true,
            comment: None,
        };
        let mut table = Table::new(QualifiedName::new("public", "people"));
        let mut column = Column::new("name", "text");
        column.collation = used.then(|| "german".to_string());
        table.columns.push(column);
        let mut schema = Schema::default();
        schema.collations.insert(name, collation);
        schema.tables.insert(table.name.clone(), table);
        schema
    }

    #[test]
    fn a_changed_collation_is_rebuilt_unless_something_uses_it() {
        let unused = crate::generate(&schema("de-DE", false), &schema("de-AT", false));
        assert_eq!(
            unused.up.to_text(),
            "DROP COLLATION public.german;\n\
             CREATE COLLATION public.german (PROVIDER = icu, LOCALE = 'de-AT');\n"
        );
        let with_range = |locale: &str| {
            let mut schema = schema(locale, false);
            let range = crate::model::RangeType {
                name: QualifiedName::new("public", "names"),
                subtype: "text".to_string(),
                subtype_opclass: None,
                collation: Some("german".to_string()),
                canonical: None,
                subtype_diff: None,
                multirange: None,
                comment: None,
            };
            schema.ranges.insert(range.name.clone(), range);
            schema
        };
        let (current, desired) = (with_range("de-DE"), with_range("de-AT"));
        let ranged = crate::generate(&current, &desired);
        let error =
            crate::diff::refuse_blocked_rebuilds(&ranged, &current, &desired).expect_err("refused");
        assert!(
            error.to_string().contains(
                "collation german must be dropped and created again, but range type names uses it"
            ),
            "{error}"
        );
        let (current, desired) = (schema("de-DE", true), schema("de-AT", true));
        let used = crate::generate(&current, &desired);
        let error =
            crate::diff::refuse_blocked_rebuilds(&used, &current, &desired).expect_err("refused");
        assert!(
            error
                .to_string()
                .contains("collation german must be dropped and created again, but column people.name uses it"),
            "{error}"
        );
    }
}
