//! `CREATE TYPE ... AS RANGE`, `DROP TYPE` and `COMMENT ON TYPE` of range types. Names are
//! quoted; the subtype was checked when it was read.

use super::quote::{ident, literal, qualified};
use crate::diff::RangeChange;
use crate::model::{QualifiedName, RangeType};

pub(super) fn statements(change: &RangeChange) -> Vec<String> {
    match change {
        RangeChange::Create(range) => {
            let mut statements = vec![create(range)];
            if let Some(comment) = &range.comment {
                statements.push(comment_on(&range.name, Some(comment)));
            }
            statements
        }
        RangeChange::Drop(range) => vec![format!("DROP TYPE {}", qualified(&range.name))],
        RangeChange::Comment { name, to, .. } => vec![comment_on(name, to.as_deref())],
    }
}

fn create(range: &RangeType) -> String {
    let mut options = vec![format!("SUBTYPE = {}", range.subtype)];
    if let Some(opclass) = &range.subtype_opclass {
        options.push(format!("SUBTYPE_OPCLASS = {}", dotted(opclass)));
    }
    if let Some(collation) = &range.collation {
        options.push(format!("COLLATION = {}", dotted(collation)));
    }
    if let Some(canonical) = &range.canonical {
        options.push(format!("CANONICAL = {}", qualified(canonical)));
    }
    if let Some(subtype_diff) = &range.subtype_diff {
        options.push(format!("SUBTYPE_DIFF = {}", qualified(subtype_diff)));
    }
    if let Some(multirange) = &range.multirange {
        options.push(format!("MULTIRANGE_TYPE_NAME = {}", qualified(multirange)));
    }
    format!(
        "CREATE TYPE {} AS RANGE ({})",
        qualified(&range.name),
        options.join(", ")
    )
}

/// An operator class or collation the model holds as `name` or `schema.name`.
fn dotted(name: &str) -> String {
    match name.split_once('.') {
        Some((schema, name)) => qualified(&QualifiedName::new(schema, name)),
        None => ident(name),
    }
}

fn comment_on(name: &QualifiedName, comment: Option<&str>) -> String {
    let text = comment.map_or_else(|| "NULL".to_string(), literal);
    format!("COMMENT ON TYPE {} IS {text}", qualified(name))
}
