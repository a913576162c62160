//! `CREATE COLLATION`, `DROP COLLATION` and `COMMENT ON COLLATION`.

use super::quote::{literal, qualified};
use crate::diff::CollationChange;
use crate::model::{Collation, CollationLocale, QualifiedName};

pub(super) fn statements(change: &CollationChange) -> Vec<String> {
    match change {
        CollationChange::Create(collation) => {
            let mut statements = vec![create(collation)];
            if let Some(comment) = &collation.comment {
                statements.push(comment_on(&collation.name, Some(comment)));
            }
            statements
        }
        CollationChange::Drop(collation) => {
            vec![format!("DROP COLLATION {}", qualified(&collation.name))]
        }
        CollationChange::Comment { name, to, .. } => vec![comment_on(name, to.as_deref())],
    }
}

fn create(collation: &Collation) -> String {
    let mut options = match &collation.locale {
        CollationLocale::Libc {
            lc_collate,
            lc_ctype,
        } => vec![
            "PROVIDER = libc".to_string(),
            format!("LC_COLLATE = {}", literal(lc_collate)),
            format!("LC_CTYPE = {}", literal(lc_ctype)),
        ],
        CollationLocale::Icu { locale } => vec![
            "PROVIDER = icu".to_string(),
            format!("LOCALE = {}", literal(locale)),
        ],
    };
    if !collation.deterministic {
        options.push("DETERMINISTIC = false".to_string());
    }
    format!(
        "CREATE COLLATION {} ({})",
        qualified(&collation.name),
        options.join(", ")
    )
}

fn comment_on(name: &QualifiedName, comment: Option<&str>) -> String {
    let text = comment.map_or_else(|| "NULL".to_string(), literal);
    format!("COMMENT ON COLLATION {} IS {text}", qualified(name))
}
