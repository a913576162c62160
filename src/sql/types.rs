//! SQL for domains and composite types (`TypeChange`).

use super::{check_body, collation_name, comment_on};
use crate::diff::{needs_domain_rebuild, ColumnUse, TypeChange};
use crate::model::{Attribute, CheckConstraint, CompositeType, Constraint, Domain, QualifiedName};
use crate::syntax::quote;
use quote::{ident, qualified};

pub(super) fn statements(change: &TypeChange) -> Vec<String> {
    match change {
        TypeChange::CreateDomain(domain) => create_domain(domain),
        TypeChange::DropDomain(domain) => vec![format!("DROP DOMAIN {}", qualified(&domain.name))],
        TypeChange::AlterDomain {
            from, to, columns, ..
        } if needs_domain_rebuild(from, to) => rebuild_domain(from, to, columns),
        TypeChange::AlterDomain { from, to, .. } => alter_domain(from, to),
        TypeChange::CreateComposite(composite) => create_composite(composite),
        TypeChange::DropComposite(composite) => {
            vec![format!("DROP TYPE {}", qualified(&composite.name))]
        }
        TypeChange::AlterComposite { from, to, in_use } => alter_composite(from, to, *in_use),
    }
}

fn create_domain(domain: &Domain) -> Vec<String> {
    let mut sql = format!(
        "CREATE DOMAIN {} AS {}",
        qualified(&domain.name),
        domain.base_type
    );
    if let Some(collation) = &domain.collation {
        sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    if let Some(default) = &domain.default {
        sql.push_str(&format!(" DEFAULT {}", default.as_str()));
    }
    if domain.not_null {
        sql.push_str(" NOT NULL");
    }
    // `CREATE DOMAIN` takes no NOT VALID check: those are added after it.
    let (valid, not_valid): (Vec<_>, Vec<_>) =
        domain.checks.values().partition(|check| check.valid);
    for check in valid {
        sql.push_str(&format!(
            " CONSTRAINT {} {}",
            ident(&check.name),
            check_body(check)
        ));
    }
    let mut statements = vec![sql];
    for check in not_valid {
        statements.push(format!(
            "ALTER DOMAIN {} ADD CONSTRAINT {} {}",
            qualified(&domain.name),
            ident(&check.name),
            check_body(check)
        ));
    }
    if let Some(comment) = &domain.comment {
        statements.push(comment_on(
            "DOMAIN",
            &qualified(&domain.name),
            Some(comment),
        ));
    }
    for check in domain.checks.values() {
        if let Some(comment) = &check.comment {
            statements.push(check_comment(domain, &check.name, Some(comment)));
        }
    }
    statements
}

/// `COMMENT ON CONSTRAINT n ON DOMAIN d IS ...`
fn check_comment(domain: &Domain, check: &str, comment: Option<&str>) -> String {
    let target = format!("{} ON DOMAIN {}", ident(check), qualified(&domain.name));
    comment_on("CONSTRAINT", &target, comment)
}

/// Whether check `to` keeps `from` in place: the same definition, and validated or still
/// not (PostgreSQL cannot make a check NOT VALID again: it is dropped and added so).
fn keeps(from: &CheckConstraint, to: &CheckConstraint) -> bool {
    from.same_definition(to) && (from.valid <= to.valid)
}

/// Checks and NOT NULL are relaxed before the default changes and tightened after it.
fn alter_domain(from: &Domain, to: &Domain) -> Vec<String> {
    let prefix = format!("ALTER DOMAIN {}", qualified(&to.name));
    let mut statements = Vec::new();
    for (name, check) in &from.checks {
        if !to.checks.get(name).is_some_and(|to| keeps(check, to)) {
            statements.push(format!("{prefix} DROP CONSTRAINT {}", ident(name)));
        }
    }
    if from.not_null && !to.not_null {
        statements.push(format!("{prefix} DROP NOT NULL"));
    }
    if from.default != to.default {
        statements.push(match &to.default {
            Some(default) => format!("{prefix} SET DEFAULT {}", default.as_str()),
            None => format!("{prefix} DROP DEFAULT"),
        });
    }
    if !from.not_null && to.not_null {
        statements.push(format!("{prefix} SET NOT NULL"));
    }
    for (name, check) in &to.checks {
        let kept = from.checks.get(name).filter(|from| keeps(from, check));
        match kept {
            None => statements.push(format!(
                "{prefix} ADD CONSTRAINT {} {}",
                ident(name),
                check_body(check)
            )),
            Some(kept) if !kept.valid && check.valid => {
                statements.push(format!("{prefix} VALIDATE CONSTRAINT {}", ident(name)));
            }
            Some(_) => {}
        }
        let comment_before = kept.and_then(|from| from.comment.as_ref());
        if check.comment.as_ref() != comment_before {
            statements.push(check_comment(to, name, check.comment.as_deref()));
        }
    }
    if from.comment != to.comment {
        statements.push(comment_on(
            "DOMAIN",
            &qualified(&to.name),
            to.comment.as_deref(),
        ));
    }
    statements
}

/// PostgreSQL cannot change a domain's base type or collation: the old domain is renamed
/// away, the new one created, the columns converted with a cast (each without its default
/// meanwhile, which would be cast too), and the old domain dropped.
fn rebuild_domain(from: &Domain, to: &Domain, columns: &[ColumnUse]) -> Vec<String> {
    let old_name = format!("{}__autogen_old", from.name.name);
    let mut statements = vec![format!(
        "ALTER DOMAIN {} RENAME TO {}",
        qualified(&from.name),
        ident(&old_name)
    )];
    statements.extend(create_domain(to));
    for column_use in columns {
        let table = qualified(&column_use.table);
        let column = ident(&column_use.column.name);
        let target = &column_use.column.data_type;
        let prefix = format!("ALTER TABLE {table} ALTER COLUMN {column}");
        if column_use.column.default.is_some() {
            statements.push(format!("{prefix} DROP DEFAULT"));
        }
        statements.push(format!("{prefix} TYPE {target} USING {column}::{target}"));
        if let Some(default) = &column_use.column.default {
            statements.push(format!("{prefix} SET DEFAULT {}", default.as_str()));
        }
    }
    statements.push(format!(
        "DROP DOMAIN {}",
        qualified(&QualifiedName::new(&from.name.schema, old_name))
    ));
    statements
}

fn attribute_definition(attribute: &Attribute) -> String {
    let mut sql = format!("{} {}", ident(&attribute.name), attribute.data_type);
    if let Some(collation) = &attribute.collation {
        sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    sql
}

fn attribute_comment(composite: &QualifiedName, attribute: &Attribute) -> String {
    comment_on(
        "COLUMN",
        &format!("{}.{}", qualified(composite), ident(&attribute.name)),
        attribute.comment.as_deref(),
    )
}

fn create_composite(composite: &CompositeType) -> Vec<String> {
    let attributes: Vec<String> = composite
        .attributes
        .iter()
        .map(attribute_definition)
        .collect();
    let body = match attributes.is_empty() {
        true => String::new(),
        false => format!("\n    {}\n", attributes.join(",\n    ")),
    };
    let mut statements = vec![format!(
        "CREATE TYPE {} AS ({body})",
        qualified(&composite.name)
    )];
    if let Some(comment) = &composite.comment {
        statements.push(comment_on(
            "TYPE",
            &qualified(&composite.name),
            Some(comment),
        ));
    }
    for attribute in &composite.attributes {
        if attribute.comment.is_some() {
            statements.push(attribute_comment(&composite.name, attribute));
        }
    }
    statements
}

/// Dropped attributes go first, then changed ones, then new ones (appended).
fn alter_composite(from: &CompositeType, to: &CompositeType, in_use: bool) -> Vec<String> {
    let prefix = format!("ALTER TYPE {}", qualified(&to.name));
    let mut statements = Vec::new();
    for attribute in &from.attributes {
        if to.attribute(&attribute.name).is_none() {
            statements.push(format!(
                "{prefix} DROP ATTRIBUTE {}",
                ident(&attribute.name)
            ));
        }
    }
    for attribute in &to.attributes {
        let Some(existing) = from.attribute(&attribute.name) else {
            continue;
        };
        let retyped =
            existing.data_type != attribute.data_type || existing.collation != attribute.collation;
        if retyped && in_use {
            statements.push(format!(
                "{prefix} DROP ATTRIBUTE {}",
                ident(&attribute.name)
            ));
            statements.push(format!(
                "{prefix} ADD ATTRIBUTE {}",
                attribute_definition(attribute)
            ));
        } else if retyped {
            let mut sql = format!(
                "{prefix} ALTER ATTRIBUTE {} TYPE {}",
                ident(&attribute.name),
                attribute.data_type
            );
            if let Some(collation) = &attribute.collation {
                sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
            }
            statements.push(sql);
        }
        // An attribute dropped and added again lost its comment.
        let comment_needed = match retyped && in_use {
            true => attribute.comment.is_some(),
            false => existing.comment != attribute.comment,
        };
        if comment_needed {
            statements.push(attribute_comment(&to.name, attribute));
        }
    }
    for attribute in &to.attributes {
        if from.attribute(&attribute.name).is_none() {
            statements.push(format!(
                "{prefix} ADD ATTRIBUTE {}",
                attribute_definition(attribute)
            ));
            if attribute.comment.is_some() {
                statements.push(attribute_comment(&to.name, attribute));
            }
        }
    }
    if from.comment != to.comment {
        statements.push(comment_on(
            "TYPE",
            &qualified(&to.name),
            to.comment.as_deref(),
        ));
    }
    statements
}
