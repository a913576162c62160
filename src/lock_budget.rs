//! Whether each revision fits in the server's lock table, checked before `upgrade` or
//! `downgrade` changes anything.
//!
//! A revision runs in one transaction, which keeps a lock on every relation and object it
//! touches until it commits. The lock table is shared by the whole server and has room for
//! `max_locks_per_transaction × (max_connections + max_prepared_transactions)` locks; a
//! revision that needs more fails halfway with `out of shared memory` and is rolled back,
//! after minutes of work. The count here is an estimate from the statements' text (each
//! object a statement names, plus what creating a table or key adds): it errs on the high
//! side, and only a revision past the whole table's size is refused.

use std::collections::BTreeSet;

use sqlparser::tokenizer::Token;
use tokio_postgres::Client;

use crate::cursor::Cursor;
use crate::error::{Error, Result};
use crate::runner::Transition;

const SETTINGS_QUERY: &str = "SELECT \
     pg_catalog.current_setting('max_locks_per_transaction')::bigint, \
     pg_catalog.current_setting('max_connections')::bigint, \
     pg_catalog.current_setting('max_prepared_transactions')::bigint";

/// Words after which a statement names the object it locks.
const NAMING: &[&str] = &[
    "TABLE",
    "INDEX",
    "VIEW",
    "SEQUENCE",
    "REFERENCES",
    "ON",
    "OF",
    "INHERITS",
    "TYPE",
    "DOMAIN",
    "FUNCTION",
    "PROCEDURE",
    "TRIGGER",
    "POLICY",
    "CONSTRAINT",
    "COLLATION",
];

/// Words that create one more relation: a key's index, an implied sequence.
const IMPLYING: &[&str] = &[
    "PRIMARY",
    "UNIQUE",
    "EXCLUDE",
    "SERIAL",
    "BIGSERIAL",
    "SMALLSERIAL",
    "IDENTITY",
];

/// Words between a naming word and the name.
const BEFORE_NAMES: &[&str] = &["IF", "NOT", "EXISTS", "ONLY", "CONCURRENTLY"];

/// Words after a naming word that name no relation (`ON DELETE`, `COMMENT ON COLUMN`).
const NO_NAME: &[&str] = &["DELETE", "UPDATE", "COMMIT", "COLUMN", "SCHEMA", "DATABASE"];

/// Refuses, before anything runs, the first step whose transaction would need more locks
/// than the server's lock table holds. A dry run holds every step's locks in one
/// transaction, so there the steps count together.
pub async fn check(client: &Client, transitions: &[Transition<'_>], together: bool) -> Result<()> {
    let row = client
        .query_one(SETTINGS_QUERY, &[])
        .await
        .map_err(|source| Error::database("cannot read the server's lock settings", source))?;
    let (per_transaction, connections, prepared): (i64, i64, i64) =
        (row.get(0), row.get(1), row.get(2));
    let slots = (connections + prepared).max(1) as u64;
    let capacity = per_transaction.max(0) as u64 * slots;
    let mut needed = 0;
    let steps = transitions.iter().flat_map(|transition| {
        transition
            .remaining()
            .map(move |(_, step)| (transition.revision, step))
    });
    for (revision, step) in steps {
        let step_needs = estimate(step.statements.iter().map(|statement| &*statement.sql));
        needed = match together {
            true => needed + step_needs,
            false => step_needs,
        };
        if needed <= capacity {
            continue;
        }
        let what = match together {
            true => "the dry run's transaction (every revision up to and including".to_string(),
            false => "the transaction of revision".to_string(),
        };
        let closing = if together { ")" } else { "" };
        return Err(Error::Workflow(format!(
            "{what} {}{closing} needs about {needed} locks, more than the server's lock \
             table holds: max_locks_per_transaction ({per_transaction}) × (max_connections \
             ({connections}) + max_prepared_transactions ({prepared})) = {capacity}; nothing \
             was changed\n  hint: raise max_locks_per_transaction in postgresql.conf to at \
             least {} and restart the server, or split the revision into smaller ones",
            revision.id,
            (2 * needed).div_ceil(slots),
        )));
    }
    Ok(())
}

/// The locks one transaction running `statements` is likely to hold: each distinct object
/// named after a word like `TABLE`, `INDEX` or `REFERENCES`, plus two for each new table's
/// TOAST table and index, one for each key's index and one for each implied sequence.
pub fn estimate<'s>(statements: impl Iterator<Item = &'s str>) -> u64 {
    let mut objects: BTreeSet<String> = BTreeSet::new();
    let mut implied = 0;
    for sql in statements {
        let Ok(cursor) = Cursor::new(sql) else {
            continue;
        };
        let tokens: Vec<&Token> = cursor.remaining_tokens().collect();
        let first: Vec<String> = words(&tokens).take(3).collect();
        let first: Vec<&str> = first.iter().map(String::as_str).collect();
        // CREATE TABLE, or CREATE UNLOGGED (TEMPORARY, ...) TABLE.
        let creates_table = matches!(first[..], ["CREATE", "TABLE", ..] | ["CREATE", _, "TABLE"]);
        if creates_table {
            implied += 2;
        }
        implied += words(&tokens)
            .filter(|word| IMPLYING.contains(&word.as_str()))
            .count() as u64;
        for (token_idx, token) in tokens.iter().enumerate() {
            if keyword(token).is_some_and(|word| NAMING.contains(&word.as_str())) {
                objects.extend(names_after(&tokens[token_idx + 1..]));
            }
        }
    }
    objects.len() as u64 + implied
}

/// Upper-cased unquoted words, in order.
fn words<'t>(tokens: &'t [&Token]) -> impl Iterator<Item = String> + 't {
    tokens.iter().filter_map(|token| keyword(token))
}

fn keyword(token: &Token) -> Option<String> {
    match token {
        Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_ascii_uppercase()),
        _ => None,
    }
}

/// The dotted names at the start of `tokens` (a comma-separated list of them), after any
/// `IF NOT EXISTS`-like words.
fn names_after(tokens: &[&Token]) -> Vec<String> {
    let mut names = Vec::new();
    let mut rest = tokens;
    while let Some(word) = rest.first().and_then(|token| keyword(token)) {
        if NO_NAME.contains(&word.as_str()) {
            return names;
        }
        if !BEFORE_NAMES.contains(&word.as_str()) {
            break;
        }
        rest = &rest[1..];
    }
    loop {
        let mut parts = Vec::new();
        while let Some(Token::Word(word)) = rest.first() {
            let unquoted = word.quote_style.is_none();
            if unquoted && NAMING.contains(&word.value.to_ascii_uppercase().as_str()) {
                break;
            }
            parts.push(match unquoted {
                true => word.value.to_lowercase(),
                false => word.value.clone(),
            });
            rest = &rest[1..];
            match rest.first() {
                Some(Token::Period) => rest = &rest[1..],
                _ => break,
            }
        }
        if parts.is_empty() {
            return names;
        }
        names.push(parts.join("."));
        match rest.first() {
            Some(Token::Comma) => rest = &rest[1..],
            _ => return names,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::estimate;

    #[test]
    fn counts_each_object_once_and_what_creating_a_table_adds() {
        let statements = [
            "CREATE TABLE IF NOT EXISTS public.a (id serial PRIMARY KEY)",
            "CREATE TABLE b (id integer, a_id integer REFERENCES public.a (id))",
            "CREATE INDEX b_a_id_idx ON b (a_id)",
            "ALTER TABLE ONLY b ADD CONSTRAINT b_a_fkey FOREIGN KEY (a_id) REFERENCES a ON \
             DELETE CASCADE",
            "DROP TABLE c, \"D\"",
            "COMMENT ON TABLE b IS 'on delete'",
        ];
        // a, b, b_a_id_idx, b_a_fkey, c, D (a and public.a count apart: an overestimate),
        // two TOAST relations per new table, a's key and a's sequence.
        assert_eq!(estimate(statements.into_iter()), 7 + 4 + 2);
    }
}
