//! A table's `exclude:` section.

use super::{key_entries, parameters_node, push_comment, push_deferrable, text, texts, Node};
use crate::model::ExclusionConstraint;

/// `{ using: gist, elements: [...], ... }`; `using` is left out for PostgreSQL's `btree`.
pub(super) fn exclusion_node(exclusion: &ExclusionConstraint) -> Node {
    let mut entries = Vec::new();
    if exclusion.method != "btree" {
        entries.push(("using".to_owned(), text(&exclusion.method)));
    }
    let elements = exclusion.elements.iter().map(|element| {
        let mut fields = key_entries(&element.key);
        fields.insert(1, ("operator".to_owned(), text(&element.operator)));
        Node::Map(fields)
    });
    entries.push(("elements".to_owned(), Node::List(elements.collect())));
    if !exclusion.include.is_empty() {
        entries.push(("include".to_owned(), texts(&exclusion.include)));
    }
    if let Some(predicate) = &exclusion.predicate {
        entries.push(("where".to_owned(), text(predicate.as_str())));
    }
    if !exclusion.storage_parameters.is_empty() {
        entries.push((
            "with".to_owned(),
            parameters_node(&exclusion.storage_parameters),
        ));
    }
    push_deferrable(&mut entries, exclusion.deferrable);
    push_comment(&mut entries, &exclusion.comment);
    Node::Map(entries)
}
