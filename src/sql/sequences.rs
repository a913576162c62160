//! Sequence option changes, identity or standalone. PostgreSQL checks a sequence's current
//! value against new bounds even when it never handed one out, so raising the minimum (or
//! moving the start) of an unused sequence would fail: such a sequence is first moved to its
//! new start, by a `setval` that runs only while the sequence is unused (a used one keeps its
//! value, and PostgreSQL's own check applies).

use super::*;

/// The statements that bring a sequence from `from` to `to` options (each with the type in
/// force), where `sequence` is SQL for its `regclass` and `alter` spells the change: the
/// final options for `None`, or just the bounds `(min, max)` to widen them first, within
/// the range of `widened_type`.
pub(super) fn alter_options(
    sequence: &str,
    (from, from_type): (&SequenceOptions, &str),
    (to, to_type): (&SequenceOptions, &str),
    widened_type: &str,
    alter: impl Fn(Option<(i64, i64)>) -> String,
) -> Vec<String> {
    let (old_start, _, old_min, old_max, _) = from.effective(from_type);
    let (new_start, _, new_min, new_max, _) = to.effective(to_type);
    if old_start == new_start {
        return vec![alter(None)];
    }
    let move_if_unused = format!(
        "SELECT pg_catalog.setval(unused.sequence, {new_start}, false) \
         FROM (SELECT {sequence} AS sequence) AS unused \
         WHERE pg_catalog.pg_sequence_last_value(unused.sequence) IS NULL"
    );
    if (old_min..=old_max).contains(&new_start) {
        return vec![move_if_unused, alter(None)];
    }
    // The new start lies outside the old bounds: both ranges are allowed for a moment.
    let type_max = sequence_type_max(widened_type);
    let widened = (
        old_min.min(new_min).max(-type_max - 1),
        old_max.max(new_max).min(type_max),
    );
    vec![alter(Some(widened)), move_if_unused, alter(None)]
}

/// The type of the two whose values include the other's, for a sequence that must hold both
/// ranges for a moment.
pub(super) fn wider_type<'a>(from_type: &'a str, to_type: &'a str) -> &'a str {
    let rank = |data_type: &str| match storage_type(data_type) {
        "smallint" => 0,
        "integer" => 1,
        _ => 2,
    };
    match rank(to_type) > rank(from_type) {
        true => to_type,
        false => from_type,
    }
}
