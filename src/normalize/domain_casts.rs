//! Rule: a column of a domain type cast to the domain's base type is the column. PostgreSQL
//! resolves an operator or function on a domain value by its base type and prints that
//! coercion back (`amount < 10` reads `(amount)::integer < 10` in a policy, check, index
//! predicate, generated column, ...); the offline replay and a schema file keep the text as
//! written. Removing the cast gives every side the same text, and the server adds it again
//! to what autogen writes.

use std::collections::BTreeMap;

use crate::cursor::Cursor;
use crate::model::{Domain, Expr, QualifiedName, Table};
use crate::renames::map_expressions;
use crate::syntax::quote;

/// Domains nest at most this deep here; deeper chains are left as they are.
const MAX_DOMAIN_DEPTH: usize = 16;

/// Removes from `table`'s expressions the casts of its domain-typed columns to their base
/// types (the base of the innermost domain, without modifiers).
pub(super) fn remove(table: &mut Table, domains: &BTreeMap<QualifiedName, Domain>) {
    let by_type: BTreeMap<String, &Domain> = domains
        .values()
        .map(|domain| (quote::type_name(&domain.name), domain))
        .collect();
    let casts: Vec<(String, Vec<String>)> = table
        .columns
        .iter()
        .filter_map(|column| {
            let domain = by_type.get(&column.data_type)?;
            Some((column.name.clone(), base_type_names(domain, &by_type)))
        })
        .collect();
    if casts.is_empty() {
        return;
    }
    map_expressions(table, |expression| without_casts(expression, &casts));
}

/// The names a cast to the domain's base type may print: the innermost base type without
/// modifiers, and `text` for a character type (whose operators are text's).
fn base_type_names(domain: &Domain, by_type: &BTreeMap<String, &Domain>) -> Vec<String> {
    let mut base = domain.base_type.as_str();
    for _ in 0..MAX_DOMAIN_DEPTH {
        match by_type.get(base) {
            Some(inner) => base = inner.base_type.as_str(),
            None => break,
        }
    }
    if base.contains('[') {
        return Vec::new();
    }
    let name = base.split('(').next().unwrap_or(base).trim().to_string();
    let mut names = vec![name.clone()];
    if matches!(name.as_str(), "character varying" | "character") {
        names.push("text".to_string());
    }
    names
}

fn without_casts(expression: &Expr, casts: &[(String, Vec<String>)]) -> Expr {
    let mut text = expression.as_str().to_string();
    for (column, type_names) in casts {
        for type_name in type_names {
            let words: Vec<&str> = type_name.split_whitespace().collect();
            let Ok(cursor) = Cursor::new(&text) else {
                return expression.clone();
            };
            let spans = cursor.column_cast_spans(column, &words);
            let mut rewritten = text.clone();
            for ((start, end), (word_start, word_end)) in spans.into_iter().rev() {
                let word = text[word_start..word_end].to_string();
                rewritten.replace_range(start..end, &word);
            }
            text = rewritten;
        }
    }
    Expr::new(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Column;

    fn domain(name: &str, base: &str) -> (QualifiedName, Domain) {
        let name = QualifiedName::new("public", name);
        let domain = Domain {
            name: name.clone(),
            base_type: base.to_string(),
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment: None,
        };
        (name, domain)
    }

    #[test]
    fn casts_of_domain_columns_to_their_base_type_are_removed() {
        let domains = BTreeMap::from([
            domain("positive", "integer"),
            domain("small", "positive"),
            domain("code", "character varying(20)"),
            domain("price", "numeric(10,2)"),
        ]);
        let mut table = Table::new(QualifiedName::new("public", "items"));
        for (column, data_type) in [
            ("amount", "positive"),
            ("size", "small"),
            ("c", "code"),
            ("p", "price"),
            ("plain", "integer"),
        ] {
            table.columns.push(Column::new(column, data_type));
        }
        let cases = [
            ("(amount)::integer < 10", "amount < 10"),
            (
                "((amount)::integer > 2) AND ((p)::numeric > 1.5) AND ((size)::integer > 3)",
                "(amount > 2) AND (p > 1.5) AND (size > 3)",
            ),
            ("lower((c)::text) = 'a'::text", "lower(c) = 'a'::text"),
            ("(plain)::integer < 10", "(plain)::integer < 10"),
            ("f(amount)::integer < 10", "f(amount)::integer < 10"),
            ("(amount)::bigint < 10", "(amount)::bigint < 10"),
            ("amount::integer[] IS NULL", "amount::integer[] IS NULL"),
        ];
        for (written, expected) in cases {
            let mut table = table.clone();
            let mut generated = Column::new("g", "boolean");
            generated.generated = Some(Expr::new(written));
            table.columns.push(generated);
            remove(&mut table, &domains);
            let generated = table
                .column("g")
                .and_then(|column| column.generated.as_ref());
            assert_eq!(generated.map(Expr::as_str), Some(expected), "{written}");
        }
    }
}
