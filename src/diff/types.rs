//! Domains and composite types: what differs (`TypeChange`), carried in `Change::Type`.
//!
//! A domain changes in place (`ALTER DOMAIN`) unless its base type or collation moves; then
//! it is rebuilt under its columns as an enum is (`needs_domain_rebuild`). A composite
//! type's attributes are matched by name, like a table's columns: order is not compared and
//! new attributes are appended.

use std::collections::BTreeSet;

use super::{Change, ColumnUse, Hazard, LockMode};
use crate::model::{
    CompositeType, Constraint, Domain, IndexTarget, ObjectRef, QualifiedName, Schema,
};
use crate::syntax::types::names_type;

// A migration holds a handful of these, briefly; boxing the domain rebuild adds only noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TypeChange {
    /// `CREATE DOMAIN d AS ...` with its checks and comment.
    CreateDomain(Domain),
    /// `DROP DOMAIN d`
    DropDomain(Domain),
    /// `ALTER DOMAIN d ...` for each facet that moved, or a rebuild of the domain (renamed
    /// away, created again, `columns` converted, old one dropped) when its base type or
    /// collation moves. `columns` are the columns of the domain that exist when the change
    /// runs; `columns_after` the same for the inverse.
    AlterDomain {
        from: Domain,
        to: Domain,
        columns: Vec<ColumnUse>,
        columns_after: Vec<ColumnUse>,
    },
    /// `CREATE TYPE t AS (...)` with its comments.
    CreateComposite(CompositeType),
    /// `DROP TYPE t`
    DropComposite(CompositeType),
    /// `ALTER TYPE t ADD/DROP/ALTER ATTRIBUTE ...`. PostgreSQL refuses to change the type of
    /// an attribute while a column, attribute or domain uses the type (`in_use`), so such an
    /// attribute is dropped and added again, losing its values.
    AlterComposite {
        from: CompositeType,
        to: CompositeType,
        in_use: bool,
    },
}

/// Whether a domain change needs the domain rebuilt: PostgreSQL cannot alter a domain's
/// base type or collation.
pub fn needs_domain_rebuild(from: &Domain, to: &Domain) -> bool {
    from.base_type != to.base_type || from.collation != to.collation
}

impl TypeChange {
    pub fn inverse(&self) -> TypeChange {
        match self.clone() {
            TypeChange::CreateDomain(domain) => TypeChange::DropDomain(domain),
            TypeChange::DropDomain(domain) => TypeChange::CreateDomain(domain),
            TypeChange::AlterDomain {
                from,
                to,
                columns,
                columns_after,
            } => TypeChange::AlterDomain {
                from: to,
                to: from,
                columns: columns_after,
                columns_after: columns,
            },
            TypeChange::CreateComposite(composite) => TypeChange::DropComposite(composite),
            TypeChange::DropComposite(composite) => TypeChange::CreateComposite(composite),
            TypeChange::AlterComposite { from, to, in_use } => TypeChange::AlterComposite {
                from: to,
                to: from,
                in_use,
            },
        }
    }

    pub fn data_loss(&self) -> Option<String> {
        if let TypeChange::AlterDomain {
            from, to, columns, ..
        } = self
        {
            let lossy = !super::type_change::classify(&from.base_type, &to.base_type).lossless;
            return (lossy && !columns.is_empty()).then(|| {
                format!(
                    "changes domain {} from {} to {} under its columns; values that do not fit \
                     are lost or make it fail",
                    from.name, from.base_type, to.base_type
                )
            });
        }
        let TypeChange::AlterComposite {
            from,
            to,
            in_use: true,
        } = self
        else {
            return None;
        };
        let lost = changed_attributes(from, to);
        (!lost.is_empty()).then(|| {
            format!(
                "drops attribute(s) {} of type {} and their values in the columns using it",
                lost.join(", "),
                from.name
            )
        })
    }

    pub fn hazards(&self, hazards: &mut Vec<Hazard>) {
        let TypeChange::AlterDomain {
            from, to, columns, ..
        } = self
        else {
            return;
        };
        let tables: BTreeSet<&QualifiedName> =
            columns.iter().map(|column_use| &column_use.table).collect();
        let rebuild = needs_domain_rebuild(from, to);
        // A check added NOT VALID reads no rows; one validated (added or later) reads them all.
        let validates = (!from.not_null && to.not_null)
            || to.checks.iter().any(|(name, check)| {
                check.valid
                    && !from
                        .checks
                        .get(name)
                        .is_some_and(|from| from.same_definition(check) && from.valid)
            });
        for table in tables {
            if rebuild {
                hazards.push(Hazard::Lock {
                    lock: LockMode::AccessExclusive,
                    table: table.to_string(),
                });
                hazards.push(Hazard::TableRewrite(table.to_string()));
            } else if validates {
                hazards.push(Hazard::FullTableScan(table.to_string()));
            }
        }
    }

    pub fn object(&self) -> ObjectRef {
        match self {
            TypeChange::CreateDomain(domain) | TypeChange::DropDomain(domain) => {
                ObjectRef::Domain(domain.name.clone())
            }
            TypeChange::AlterDomain { to, .. } => ObjectRef::Domain(to.name.clone()),
            TypeChange::CreateComposite(composite) | TypeChange::DropComposite(composite) => {
                ObjectRef::CompositeType(composite.name.clone())
            }
            TypeChange::AlterComposite { to, .. } => ObjectRef::CompositeType(to.name.clone()),
        }
    }

    pub fn verb(&self) -> &'static str {
        match self {
            TypeChange::CreateDomain(_) | TypeChange::CreateComposite(_) => "created",
            TypeChange::DropDomain(_) | TypeChange::DropComposite(_) => "dropped",
            TypeChange::AlterDomain { .. } | TypeChange::AlterComposite { .. } => "altered",
        }
    }

    /// The SQL expressions the change writes into the database (a domain's default and
    /// checks), which may use enum values the same migration adds.
    pub fn expression_texts(&self) -> Vec<String> {
        let domain = match self {
            TypeChange::CreateDomain(domain) | TypeChange::AlterDomain { to: domain, .. } => domain,
            _ => return Vec::new(),
        };
        domain
            .default
            .iter()
            .chain(domain.checks.values().map(|check| &check.expression))
            .map(|expression| expression.as_str().to_string())
            .collect()
    }

    /// The composite type whose attributes this change drops or retypes: PostgreSQL refuses
    /// while a view reads them.
    pub fn reshaped_composite(&self) -> Option<&QualifiedName> {
        match self {
            TypeChange::AlterComposite { from, to, .. } => {
                (!changed_attributes(from, to).is_empty()).then_some(&from.name)
            }
            _ => None,
        }
    }

    /// Columns whose stored type a rebuilt domain changes.
    pub fn retyped_columns(&self) -> Vec<(QualifiedName, String)> {
        match self {
            TypeChange::AlterDomain {
                from, to, columns, ..
            } if needs_domain_rebuild(from, to) => columns
                .iter()
                .map(|column_use| (column_use.table.clone(), column_use.column.name.clone()))
                .collect(),
            _ => Vec::new(),
        }
    }
}

/// Attributes of `from` that `to` drops or gives another type or collation.
fn changed_attributes<'a>(from: &'a CompositeType, to: &CompositeType) -> Vec<&'a str> {
    from.attributes
        .iter()
        .filter(|attribute| {
            to.attribute(&attribute.name).is_none_or(|kept| {
                kept.data_type != attribute.data_type || kept.collation != attribute.collation
            })
        })
        .map(|attribute| attribute.name.as_str())
        .collect()
}

/// A plan never rebuilds a type that a domain or composite type is built on, or a
/// collation or range type something uses, in either direction: PostgreSQL would refuse to
/// drop the old one, so the script is not written.
pub fn refuse_blocked_rebuilds(
    migration: &crate::Migration,
    current: &Schema,
    desired: &Schema,
) -> crate::error::Result<()> {
    let mut blocked = blocked_rebuilds(&migration.changes, current);
    blocked.extend(blocked_rebuilds(&migration.down_changes, desired));
    blocked.extend(super::collations::blocked_rebuilds(
        &migration.changes,
        current,
    ));
    blocked.extend(super::collations::blocked_rebuilds(
        &migration.down_changes,
        desired,
    ));
    blocked.extend(super::ranges::blocked_rebuilds(&migration.changes, current));
    blocked.extend(super::ranges::blocked_rebuilds(
        &migration.down_changes,
        desired,
    ));
    if blocked.is_empty() {
        return Ok(());
    }
    // The way there and the way back often block on the same object: named once.
    let mut named = BTreeSet::new();
    blocked.retain(|entry| named.insert(entry.clone()));
    let entries: Vec<String> = blocked.iter().map(|entry| format!("  {entry}")).collect();
    Err(crate::error::Error::Plan {
        object: "not written".to_string(),
        message: format!(
            "autogen cannot rebuild these types or collations in place:\n{}\n  hint: drop what \
             is built on them in a revision of their own, and create it again in the next",
            entries.join("\n")
        ),
    })
}

/// Types `changes` rebuild (rename away, create again, convert the columns, drop the old
/// one): an enum losing or reordering values, a domain moving to another base type or
/// collation. Each with its kind.
pub fn rebuilt_types(changes: &[Change]) -> Vec<(&'static str, &QualifiedName)> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::Type(TypeChange::AlterDomain { from, to, .. })
                if needs_domain_rebuild(from, to) =>
            {
                Some(("domain", &from.name))
            }
            Change::AlterEnum { from, to, .. } if super::removes_or_moves_values(from, to) => {
                Some(("enum", &from.name))
            }
            _ => None,
        })
        .collect()
}

/// Rebuilds among `changes` (applied to `before`) that PostgreSQL would refuse: a rebuilt
/// type cannot drop its old version while another domain or a composite type is built on
/// it (range types and aggregates are dropped and created again around it instead). Each
/// entry names the rebuilt type and what blocks it.
fn blocked_rebuilds(changes: &[Change], before: &Schema) -> Vec<String> {
    let mut blocked = Vec::new();
    for (kind, name) in rebuilt_types(changes) {
        let domains = before
            .domains
            .values()
            .filter(|domain| names_type(&domain.base_type, name))
            .map(|domain| format!("domain {}", domain.name));
        let composites = before
            .composite_types
            .values()
            .filter(|composite| {
                composite
                    .attributes
                    .iter()
                    .any(|attribute| names_type(&attribute.data_type, name))
            })
            .map(|composite| format!("type {}", composite.name));
        // PostgreSQL cannot change the type of a column in a partition key.
        let partition_keys = before.tables.values().flat_map(|table| {
            let key_columns = table.partition_by.iter().flat_map(|key| &key.columns);
            key_columns
                .filter_map(|key_column| match &key_column.target {
                    IndexTarget::Column(column) => table.column(column),
                    IndexTarget::Expression(_) => None,
                })
                .filter(|column| names_type(&column.data_type, name))
                .map(|column| format!("the partition key column {}.{}", table.name, column.name))
        });
        let dependents: Vec<String> = domains.chain(composites).chain(partition_keys).collect();
        if !dependents.is_empty() {
            blocked.push(format!(
                "{kind} {name} must be rebuilt, but {} {} built on it",
                dependents.join(", "),
                if dependents.len() == 1 { "is" } else { "are" }
            ));
        }
    }
    blocked
}

/// Domains and composite types of `desired` that `current` lacks, has differently, or has
/// in excess.
pub(super) fn diff_types(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    for (name, wanted) in &desired.domains {
        match current.domains.get(name) {
            None => changes.push(Change::Type(TypeChange::CreateDomain(wanted.clone()))),
            Some(existing) if existing != wanted => {
                changes.push(Change::Type(TypeChange::AlterDomain {
                    from: existing.clone(),
                    to: wanted.clone(),
                    columns: columns_of_type(desired, current, name),
                    columns_after: columns_of_type(current, desired, name),
                }));
            }
            Some(_) => {}
        }
    }
    for (name, existing) in &current.domains {
        if !desired.domains.contains_key(name) {
            changes.push(Change::Type(TypeChange::DropDomain(existing.clone())));
        }
    }
    for (name, wanted) in &desired.composite_types {
        match current.composite_types.get(name) {
            None => changes.push(Change::Type(TypeChange::CreateComposite(wanted.clone()))),
            Some(existing) if !same_composite(existing, wanted) => {
                changes.push(Change::Type(TypeChange::AlterComposite {
                    from: existing.clone(),
                    to: wanted.clone(),
                    in_use: is_used(current, desired, name),
                }));
            }
            Some(_) => {}
        }
    }
    for (name, existing) in &current.composite_types {
        if !desired.composite_types.contains_key(name) {
            changes.push(Change::Type(TypeChange::DropComposite(existing.clone())));
        }
    }
}

/// Attributes compared by name, as a table's columns are.
fn same_composite(current: &CompositeType, desired: &CompositeType) -> bool {
    current.comment == desired.comment
        && current.attributes.len() == desired.attributes.len()
        && desired
            .attributes
            .iter()
            .all(|attribute| current.attribute(&attribute.name) == Some(attribute))
}

/// Columns of `schema` of the type `name` (or arrays of it) that `existing` also has.
fn columns_of_type(schema: &Schema, existing: &Schema, name: &QualifiedName) -> Vec<ColumnUse> {
    schema
        .tables
        .values()
        .flat_map(|table| {
            table
                .columns
                .iter()
                .filter(|column| names_type(&column.data_type, name))
                .filter(|column| {
                    existing
                        .tables
                        .get(&table.name)
                        .is_some_and(|table| table.column(&column.name).is_some())
                })
                .map(|column| ColumnUse {
                    table: table.name.clone(),
                    column: column.clone(),
                })
        })
        .collect()
}

/// Whether a column, a composite type's attribute or a domain uses type `name` while a
/// change of it runs: after columns go away and change type, before new ones are added.
fn is_used(current: &Schema, desired: &Schema, name: &QualifiedName) -> bool {
    let columns = !columns_of_type(current, desired, name).is_empty()
        || !columns_of_type(desired, current, name).is_empty();
    let types_using = |schema: &Schema| {
        let attributes = schema.composite_types.values().flat_map(|composite| {
            composite
                .attributes
                .iter()
                .map(|attribute| &attribute.data_type)
        });
        let domains = schema.domains.values().map(|domain| &domain.base_type);
        attributes
            .chain(domains)
            .any(|type_text| names_type(type_text, name))
    };
    columns || types_using(current) || types_using(desired)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Attribute, CheckConstraint, Column, Expr};
    use std::collections::BTreeMap;

    #[test]
    fn inverse_of_inverse_is_identity() {
        let name = QualifiedName::new("public", "amount");
        let from = Domain {
            name: name.clone(),
            base_type: "integer".into(),
            collation: None,
            default: Some(Expr::new("1")),
            not_null: false,
            checks: BTreeMap::from([(
                "amount_check".to_string(),
                CheckConstraint {
                    name: "amount_check".into(),
                    expression: Expr::new("VALUE > 0"),
                    valid: true,
                    comment: None,
                    no_inherit: false,
                },
            )]),
            comment: None,
        };
        let to = Domain {
            base_type: "bigint".into(),
            ..from.clone()
        };
        let column_use = ColumnUse {
            table: QualifiedName::new("public", "orders"),
            column: Column::new("total", "amount"),
        };
        let composite = CompositeType {
            name: QualifiedName::new("public", "pair"),
            attributes: vec![Attribute {
                name: "a".into(),
                data_type: "integer".into(),
                collation: None,
                comment: None,
            }],
            comment: None,
        };
        let changes = [
            TypeChange::CreateDomain(from.clone()),
            TypeChange::AlterDomain {
                from,
                to,
                columns: vec![column_use],
                columns_after: Vec::new(),
            },
            TypeChange::AlterComposite {
                from: composite.clone(),
                to: CompositeType {
                    attributes: Vec::new(),
                    ..composite.clone()
                },
                in_use: true,
            },
            TypeChange::DropComposite(composite),
        ];
        for change in changes {
            assert_eq!(change.inverse().inverse(), change);
            assert_ne!(change.inverse(), change);
        }
    }

    #[test]
    fn an_enum_in_a_partition_key_is_not_rebuilt() {
        let replay = |sql: &str| {
            crate::ddl::replay([(std::path::Path::new("schema.sql"), sql)]).expect("replays")
        };
        let table = "CREATE TABLE pt (id integer, c color) PARTITION BY LIST (c);";
        let current = replay(&format!(
            "CREATE TYPE color AS ENUM ('red', 'green', 'blue'); {table}"
        ));
        let desired = replay(&format!(
            "CREATE TYPE color AS ENUM ('red', 'green'); {table}"
        ));
        let migration = crate::generate(&current, &desired);
        let refused = refuse_blocked_rebuilds(&migration, &current, &desired);
        let message = refused.expect_err("refused").to_string();
        assert!(
            message.contains("enum color must be rebuilt, but the partition key column pt.c"),
            "{message}"
        );
    }

    #[test]
    fn a_domain_under_another_domain_is_not_rebuilt() {
        let domain = |name: &str, base_type: &str| Domain {
            name: QualifiedName::new("public", name),
            base_type: base_type.into(),
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment: None,
        };
        let mut current = Schema::default();
        for (name, base_type) in [("amount", "integer"), ("price", "amount")] {
            current
                .domains
                .insert(QualifiedName::new("public", name), domain(name, base_type));
        }
        let mut desired = current.clone();
        desired.domains.insert(
            QualifiedName::new("public", "amount"),
            domain("amount", "bigint"),
        );
        let migration = crate::generate(&current, &desired);
        let refused = refuse_blocked_rebuilds(&migration, &current, &desired);
        let message = refused.map_err(|error| error.to_string()).unwrap_err();
        assert!(
            message.contains("domain amount must be rebuilt, but domain price is built on it"),
            "{message}"
        );
    }
}
