//! The `range_types:` section: the subtype alone when nothing else is set.

use super::aggregates::function_name;
use super::{format_qualified, text, Node};
use crate::model::{PrivilegeObject, QualifiedName, RangeType, Schema};
use crate::syntax::quote;

pub(super) fn section(schema: &Schema) -> Option<(String, Node)> {
    if schema.ranges.is_empty() {
        return None;
    }
    let entries = schema
        .ranges
        .values()
        .map(|range| (format_qualified(&range.name), node(range, schema)));
    Some(("range_types".to_owned(), Node::Section(entries.collect())))
}

fn node(range: &RangeType, schema: &Schema) -> Node {
    // A bare multirange name is in the range's schema.
    let multirange_name = |multirange: &QualifiedName| match multirange.schema == range.name.schema
    {
        true => quote::ident(&multirange.name),
        false => format!(
            "{}.{}",
            quote::ident(&multirange.schema),
            quote::ident(&multirange.name)
        ),
    };
    let mut fields = vec![("subtype".to_owned(), text(&range.subtype))];
    let names = [
        ("subtype_opclass", range.subtype_opclass.clone()),
        ("collation", range.collation.clone()),
        ("canonical", range.canonical.as_ref().map(function_name)),
        (
            "subtype_diff",
            range.subtype_diff.as_ref().map(function_name),
        ),
        ("multirange", range.multirange.as_ref().map(multirange_name)),
        ("comment", range.comment.clone()),
    ];
    for (key, value) in names {
        if let Some(value) = value {
            fields.push((key.to_owned(), text(&value)));
        }
    }
    let object = PrivilegeObject::Type(range.name.clone());
    fields.extend(super::privileges::grants(schema, &object));
    fields.extend(super::privileges::owner(schema, &object));
    if fields.len() == 1 {
        return text(&range.subtype);
    }
    Node::Map(fields)
}
