//! Partition keys and bounds: `PARTITION BY` and `FOR VALUES` clauses as the interpreter,
//! the catalog (`pg_get_partkeydef`, `pg_get_expr(relpartbound)`) and the schema file read
//! them, and the rules PostgreSQL applies to a bound under its parent.

use super::*;
use crate::model::{PartitionBound, PartitionKey, PartitionKeyColumn, PartitionStrategy};

/// `RANGE (a, (expr))` as `pg_get_partkeydef` prints it and `PARTITION BY` takes it.
pub fn partition_key(text: &str) -> Outcome<PartitionKey> {
    let mut cursor = Cursor::new(text)?;
    let key = partition_by(&mut cursor)?;
    cursor.expect_end()?;
    Ok(key)
}

/// `FOR VALUES ...` or `DEFAULT`, as `pg_get_expr(relpartbound)` prints it and `PARTITION
/// OF` and `ATTACH PARTITION` take it; every value is checked as an expression.
pub fn partition_bound(text: &str) -> Outcome<PartitionBound> {
    let mut cursor = Cursor::new(text)?;
    let bound = bound(&mut cursor)?;
    cursor.expect_end()?;
    Ok(bound)
}

/// What may follow a CREATE TABLE's columns: `PARTITION BY`, then `WITH (...)`; anything
/// else (TABLESPACE, USING) is outside the model.
pub(super) fn table_options(
    cursor: &mut Cursor<'_>,
) -> Outcome<(Option<PartitionKey>, BTreeMap<String, String>)> {
    let partition_by = match cursor.eat_keywords(&["PARTITION", "BY"]) {
        true => Some(partition_by(cursor)?),
        false => None,
    };
    let storage_parameters = match cursor.eat_keyword("WITH") {
        true => clauses::storage_parameters(cursor)?,
        false => BTreeMap::new(),
    };
    if !cursor.at_end() {
        return Err(not_modelled("table options (TABLESPACE, USING, ...)"));
    }
    Ok((partition_by, storage_parameters))
}

/// The strategy and key after `PARTITION BY`.
pub(super) fn partition_by(cursor: &mut Cursor<'_>) -> Outcome<PartitionKey> {
    let strategy = if cursor.eat_keyword("RANGE") {
        PartitionStrategy::Range
    } else if cursor.eat_keyword("LIST") {
        PartitionStrategy::List
    } else if cursor.eat_keyword("HASH") {
        PartitionStrategy::Hash
    } else {
        return Err(format!(
            "expected RANGE, LIST or HASH, found {}",
            cursor.found()
        ));
    };
    let mut columns = Vec::new();
    for mut element in cursor.parenthesized_elements()? {
        columns.push(partition_key_column(&mut element)?);
    }
    if strategy == PartitionStrategy::List && columns.len() != 1 {
        return Err("a list partition key has exactly one column".to_string());
    }
    Ok(PartitionKey { strategy, columns })
}

fn partition_key_column(cursor: &mut Cursor<'_>) -> Outcome<PartitionKeyColumn> {
    let target = if cursor.peek() == Some(&Token::LParen) {
        IndexTarget::Expression(expression(cursor.parenthesized_text()?)?)
    } else if is_function_call(cursor) {
        let start = cursor.mark();
        cursor.dotted_name()?;
        cursor.parenthesized_text()?;
        IndexTarget::Expression(expression(cursor.text_since(start))?)
    } else {
        IndexTarget::Column(cursor.identifier()?)
    };
    let collation = match cursor.eat_keyword("COLLATE") {
        true => Some(cursor.dotted_name()?.join(".")),
        false => None,
    };
    let opclass = match cursor.at_end() {
        true => None,
        false => Some(
            cursor
                .dotted_name()?
                .iter()
                .map(|part| quote::ident(part))
                .collect::<Vec<_>>()
                .join("."),
        ),
    };
    cursor.expect_end()?;
    Ok(PartitionKeyColumn {
        target,
        collation,
        opclass,
    })
}

pub(super) fn bound(cursor: &mut Cursor<'_>) -> Outcome<PartitionBound> {
    if cursor.eat_keyword("DEFAULT") {
        return Ok(PartitionBound::Default);
    }
    cursor.expect_keywords(&["FOR", "VALUES"])?;
    if cursor.eat_keyword("FROM") {
        let from = bound_values(cursor)?;
        cursor.expect_keywords(&["TO"])?;
        let to = bound_values(cursor)?;
        if from.len() != to.len() {
            return Err("FROM and TO need as many values as the partition key has columns".into());
        }
        return Ok(PartitionBound::Range { from, to });
    }
    if cursor.eat_keyword("IN") {
        return Ok(PartitionBound::List(bound_values(cursor)?));
    }
    cursor.expect_keywords(&["WITH"])?;
    let (mut modulus, mut remainder) = (None, None);
    for mut element in cursor.parenthesized_elements()? {
        let word = element.identifier()?.to_ascii_lowercase();
        let value = u32::try_from(element.integer()?)
            .map_err(|_| format!("{word} must be a non-negative integer"))?;
        element.expect_end()?;
        let slot = match word.as_str() {
            "modulus" => &mut modulus,
            "remainder" => &mut remainder,
            _ => return Err(format!("unrecognized hash partition bound {word}")),
        };
        if slot.replace(value).is_some() {
            return Err(format!("{word} is given twice"));
        }
    }
    match (modulus, remainder) {
        (Some(modulus), Some(remainder)) if modulus > 0 && remainder < modulus => {
            Ok(PartitionBound::Hash { modulus, remainder })
        }
        (Some(_), Some(_)) => Err("the remainder must be less than a positive modulus".into()),
        _ => Err("a hash partition bound needs a modulus and a remainder".into()),
    }
}

/// `(value, ...)`: expressions, with MINVALUE and MAXVALUE spelled as the server prints them.
fn bound_values(cursor: &mut Cursor<'_>) -> Outcome<Vec<Expr>> {
    let mut values = Vec::new();
    for mut element in cursor.parenthesized_elements()? {
        let text = element.rest()?;
        let word = text.trim().to_ascii_uppercase();
        values.push(match word.as_str() {
            "MINVALUE" | "MAXVALUE" => Expr::new(word),
            _ => expression(text)?,
        });
    }
    Ok(values)
}

/// `(name, ...)` of `INHERITS`.
pub(super) fn qualified_list(cursor: &mut Cursor<'_>) -> Outcome<Vec<QualifiedName>> {
    let mut names = Vec::new();
    for mut element in cursor.parenthesized_elements()? {
        names.push(element.qualified_name()?);
        element.expect_end()?;
    }
    Ok(names)
}

/// Whether `bound` may bound a partition of `parent` (whose partitions are `siblings`),
/// as PostgreSQL checks it.
pub fn check_bound(
    parent_name: &QualifiedName,
    parent: &Table,
    bound: &PartitionBound,
    siblings: &[&Table],
) -> Outcome {
    let key = parent
        .partition_by
        .as_ref()
        .ok_or_else(|| format!("table {parent_name} is not partitioned"))?;
    match (bound.strategy(), bound) {
        (None, _) if key.strategy == PartitionStrategy::Hash => {
            return Err("a hash-partitioned table may not have a default partition".into())
        }
        (None, _) => {
            let has_default = siblings.iter().any(|sibling| {
                sibling
                    .partition_of
                    .as_ref()
                    .is_some_and(|of| of.bound == PartitionBound::Default)
            });
            if has_default {
                return Err(format!(
                    "table {parent_name} already has a default partition"
                ));
            }
        }
        (Some(strategy), _) if strategy != key.strategy => {
            return Err(format!(
                "a {} bound does not fit a table partitioned by {}",
                strategy.as_sql(),
                key.strategy.as_sql()
            ))
        }
        (_, PartitionBound::Range { from, .. }) if from.len() != key.columns.len() => {
            return Err(format!(
                "the bound needs one value per column of the partition key of {parent_name}"
            ))
        }
        _ => {}
    }
    Ok(())
}
