//! What an expression's text refers to, read from its tokens: the columns it names and the
//! string literals it holds.
//!
//! A leaf shared by the offline interpreter (a dropped column takes the checks and indexes
//! that name it along) and the diff (what must be rebuilt around a retyped column), so both
//! follow one rule. Pure.

use std::collections::BTreeSet;

use sqlparser::tokenizer::Token;

use crate::cursor::Cursor;
use crate::model::{Index, IndexTarget, QualifiedName};

/// Whether `expression` names `column` (as a column, not a function or a type).
pub fn mentions(expression: &str, column: &str) -> bool {
    Cursor::new(expression).is_ok_and(|cursor| !cursor.identifier_spans(column).is_empty())
}

/// Whether `index` uses `column` anywhere: a key, an expression, `INCLUDE` or its predicate.
pub fn index_mentions(index: &Index, column: &str) -> bool {
    index.include.iter().any(|name| name == column)
        || index
            .predicate
            .as_ref()
            .is_some_and(|predicate| mentions(predicate.as_str(), column))
        || index.keys.iter().any(|key| match &key.target {
            IndexTarget::Column(name) => name == column,
            IndexTarget::Expression(expression) => mentions(expression.as_str(), column),
        })
}

/// Whether `index` uses `column` inside an expression or its predicate, where a constant of
/// the column's old type may be stored; plain keys follow a type change by themselves.
pub fn index_expressions_mention(index: &Index, column: &str) -> bool {
    index
        .predicate
        .as_ref()
        .is_some_and(|predicate| mentions(predicate.as_str(), column))
        || index.keys.iter().any(|key| match &key.target {
            IndexTarget::Column(_) => false,
            IndexTarget::Expression(expression) => mentions(expression.as_str(), column),
        })
}

/// The sequence in `nextval('name'::regclass)` or `nextval('name')`.
pub fn nextval_sequence(default: &str) -> Option<QualifiedName> {
    let inner = default.strip_prefix("nextval(")?.strip_suffix(')')?;
    let inner = inner.strip_suffix("::regclass").unwrap_or(inner);
    let literal = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    Cursor::new(literal).ok()?.qualified_name().ok()
}

/// The values of the string literals in `expression` (`'enrolled'` gives `enrolled`).
pub fn string_literals(expression: &str) -> BTreeSet<String> {
    Cursor::new(expression)
        .map(|cursor| cursor.string_literals())
        .unwrap_or_default()
}

/// The names a text uses (identifier words; unquoted ones folded to lower case, as
/// PostgreSQL folds them), for guessing which relations and functions it reads.
pub fn words(text: &str) -> BTreeSet<String> {
    let Ok(cursor) = Cursor::new(text) else {
        return BTreeSet::new();
    };
    cursor
        .remaining_tokens()
        .filter_map(|token| match token {
            Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_lowercase()),
            Token::Word(word) => Some(word.value.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn columns_are_words_that_are_not_functions_or_types() {
        assert!(mentions("status = 'enrolled'", "status"));
        assert!(mentions("(\"Status\")::text <> ''", "Status"));
        assert!(!mentions("lower(name) = 'status'", "status"));
        assert!(!mentions("status(x) > 0", "status"));
        assert!(!mentions("x::status IS NULL", "status"));
    }

    #[test]
    fn literals_are_tokens_not_substrings() {
        let literals = string_literals("note = 'it''s ok' AND s = 'on_leave'::mood");
        assert!(literals.contains("on_leave"));
        assert!(literals.contains("it's ok"));
        assert!(!literals.contains("ok"));
    }
}
