//! Partitioning and inheritance: the `PARTITION BY`, `PARTITION OF` and `INHERITS` clauses
//! of `CREATE TABLE`, and `ATTACH` / `DETACH PARTITION`, `INHERIT` / `NO INHERIT`.

use super::*;
use crate::diff::PartitionChange;
use crate::model::{PartitionKey, PartitionOf};

/// ` PARTITION BY RANGE (a, (expression) COLLATE "C" opclass)`, or nothing.
pub(super) fn partition_by_clause(key: Option<&PartitionKey>) -> String {
    let Some(key) = key else {
        return String::new();
    };
    let columns: Vec<String> = key
        .columns
        .iter()
        .map(|column| {
            let mut sql = match &column.target {
                IndexTarget::Column(name) => ident(name),
                IndexTarget::Expression(expression) => format!("({})", expression.as_str()),
            };
            if let Some(collation) = &column.collation {
                sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
            }
            if let Some(opclass) = &column.opclass {
                sql.push_str(&format!(" {opclass}"));
            }
            sql
        })
        .collect();
    format!(
        " PARTITION BY {} ({})",
        key.strategy.as_sql(),
        columns.join(", ")
    )
}

/// ` INHERITS (a, b)`, or nothing.
pub(super) fn inherits_clause(parents: &[QualifiedName]) -> String {
    match parents.is_empty() {
        true => String::new(),
        false => {
            let parents: Vec<String> = parents.iter().map(qualified).collect();
            format!(" INHERITS ({})", parents.join(", "))
        }
    }
}

/// `CREATE TABLE t PARTITION OF parent [(elements)] bound`: a partition's columns are its
/// parent's; `elements` are what it sets itself and its own constraints.
pub(super) fn create_partition(
    table: &QualifiedName,
    partition_of: &PartitionOf,
    elements: &[String],
) -> String {
    let body = match elements.is_empty() {
        true => String::new(),
        false => format!(" (\n    {}\n)", elements.join(",\n    ")),
    };
    format!(
        "CREATE TABLE {} PARTITION OF {}{body} {}",
        qualified(table),
        qualified(&partition_of.parent),
        partition_of.bound.to_sql()
    )
}

/// `name WITH OPTIONS DEFAULT ... [NOT NULL]`: a partition's own default (`NULL` for none,
/// where its parent has one) and NOT NULL on a column it inherits.
pub(super) fn column_options(column: &Column) -> String {
    let default = column
        .default
        .as_ref()
        .map_or("NULL", |default| default.as_str());
    let not_null = if column.nullable { "" } else { " NOT NULL" };
    format!(
        "{} WITH OPTIONS DEFAULT {default}{not_null}",
        ident(&column.name)
    )
}

pub(super) fn statements(change: &PartitionChange) -> Vec<String> {
    match change {
        PartitionChange::Attach {
            table,
            partition_of,
        } => vec![format!(
            "ALTER TABLE {} ATTACH PARTITION {} {}",
            qualified(&partition_of.parent),
            qualified(table),
            partition_of.bound.to_sql()
        )],
        PartitionChange::Detach {
            table,
            partition_of,
        } => vec![format!(
            "ALTER TABLE {} DETACH PARTITION {}",
            qualified(&partition_of.parent),
            qualified(table)
        )],
        PartitionChange::Inherit { table, parent } => vec![format!(
            "ALTER TABLE {} INHERIT {}",
            qualified(table),
            qualified(parent)
        )],
        PartitionChange::NoInherit { table, parent } => vec![format!(
            "ALTER TABLE {} NO INHERIT {}",
            qualified(table),
            qualified(parent)
        )],
        PartitionChange::AlterInheritedColumn {
            table, to, reached, ..
        } => match reached {
            Some(reached) if reached != to => {
                alter_column(table, reached, to, &ColumnHints::default())
            }
            _ => Vec::new(),
        },
    }
}
