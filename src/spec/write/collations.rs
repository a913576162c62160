//! The `collations:` section: `locale` alone for a libc collation whose `LC_COLLATE` and
//! `LC_CTYPE` agree.

use super::{format_qualified, text, Node};
use crate::model::{Collation, CollationLocale, PrivilegeObject, Schema};

pub(super) fn section(schema: &Schema) -> Option<(String, Node)> {
    if schema.collations.is_empty() {
        return None;
    }
    let entries = schema
        .collations
        .values()
        .map(|collation| (format_qualified(&collation.name), node(schema, collation)));
    Some(("collations".to_owned(), Node::Section(entries.collect())))
}

fn node(schema: &Schema, collation: &Collation) -> Node {
    let mut fields = match &collation.locale {
        CollationLocale::Icu { locale } => vec![
            ("provider".to_owned(), text("icu")),
            ("locale".to_owned(), text(locale)),
        ],
        CollationLocale::Libc {
            lc_collate,
            lc_ctype,
        } if lc_collate == lc_ctype => vec![("locale".to_owned(), text(lc_collate))],
        CollationLocale::Libc {
            lc_collate,
            lc_ctype,
        } => vec![
            ("lc_collate".to_owned(), text(lc_collate)),
            ("lc_ctype".to_owned(), text(lc_ctype)),
        ],
    };
    if !collation.deterministic {
        fields.push(("deterministic".to_owned(), Node::Bool(false)));
    }
    if let Some(comment) = &collation.comment {
        fields.push(("comment".to_owned(), text(comment)));
    }
    let object = PrivilegeObject::Collation(collation.name.clone());
    fields.extend(super::privileges::owner(schema, &object));
    Node::Map(fields)
}
