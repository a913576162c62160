//! Storage parameters (`WITH (fillfactor = 70)`, `ALTER INDEX ... SET/RESET`).

use std::collections::BTreeMap;

use crate::syntax::quote::{ident, literal};

/// ` WITH (name = value, ...)`, or nothing without parameters.
pub fn with_clause(parameters: &BTreeMap<String, String>) -> String {
    if parameters.is_empty() {
        return String::new();
    }
    format!(" WITH ({})", settings(parameters.iter()))
}

/// `ALTER {kind} name SET (...)` for parameters set or changed, `RESET (...)` for those
/// removed; `name` is already quoted.
pub fn alter(
    kind: &str,
    name: &str,
    from: &BTreeMap<String, String>,
    to: &BTreeMap<String, String>,
) -> Vec<String> {
    let mut statements = Vec::new();
    let removed: Vec<String> = from
        .keys()
        .filter(|name| !to.contains_key(*name))
        .map(|name| ident(name))
        .collect();
    if !removed.is_empty() {
        statements.push(format!(
            "ALTER {kind} {name} RESET ({})",
            removed.join(", ")
        ));
    }
    let set: Vec<(&String, &String)> = to
        .iter()
        .filter(|(name, value)| from.get(*name) != Some(*value))
        .collect();
    if !set.is_empty() {
        statements.push(format!(
            "ALTER {kind} {name} SET ({})",
            settings(set.into_iter())
        ));
    }
    statements
}

/// Names are plain words (`spec` checks them, the catalog folds them); a value is bare when
/// it is a number or a plain word, and a string literal otherwise.
fn settings<'a>(parameters: impl Iterator<Item = (&'a String, &'a String)>) -> String {
    parameters
        .map(|(name, value)| {
            let is_number = !value.is_empty()
                && value.chars().all(|c| c.is_ascii_digit() || c == '.')
                && value.chars().filter(|c| *c == '.').count() <= 1
                && !value.starts_with('.')
                && !value.ends_with('.');
            let is_word = value.starts_with(|c: char| c.is_ascii_lowercase())
                && value
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
            let value = if is_number || is_word {
                value.clone()
            } else {
                literal(value)
            };
            format!("{} = {value}", ident(name))
        })
        .collect::<Vec<_>>()
        .join(", ")
}
