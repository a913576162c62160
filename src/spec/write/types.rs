//! The `domains:` and `composite_types:` sections.

use super::{check_node, format_qualified, text, Node};
use crate::model::{Attribute, Domain, PrivilegeObject, Schema};

/// The two sections, each left out when empty.
pub(super) fn sections(schema: &Schema) -> Vec<(String, Node)> {
    let mut sections = Vec::new();
    if !schema.domains.is_empty() {
        let entries = schema
            .domains
            .values()
            .map(|domain| (format_qualified(&domain.name), domain_node(domain, schema)));
        sections.push(("domains".to_owned(), Node::Section(entries.collect())));
    }
    if !schema.composite_types.is_empty() {
        let entries = schema.composite_types.values().map(|composite| {
            let mut fields = Vec::new();
            if let Some(comment) = &composite.comment {
                fields.push(("comment".to_owned(), text(comment)));
            }
            let attributes = composite
                .attributes
                .iter()
                .map(|attribute| (attribute.name.clone(), attribute_node(attribute)));
            fields.push(("attributes".to_owned(), Node::Section(attributes.collect())));
            let object = PrivilegeObject::Type(composite.name.clone());
            fields.extend(super::privileges::grants(schema, &object));
            fields.extend(super::privileges::owner(schema, &object));
            (format_qualified(&composite.name), Node::Section(fields))
        });
        sections.push((
            "composite_types".to_owned(),
            Node::Section(entries.collect()),
        ));
    }
    sections
}

/// The base type alone when nothing else must be said.
fn domain_node(domain: &Domain, schema: &Schema) -> Node {
    let mut entries = Vec::new();
    if domain.not_null {
        entries.push(("nullable".to_owned(), Node::Bool(false)));
    }
    if let Some(default) = &domain.default {
        entries.push(("default".to_owned(), text(default.as_str())));
    }
    if let Some(collation) = &domain.collation {
        entries.push(("collation".to_owned(), text(collation)));
    }
    if let Some(comment) = &domain.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    if !domain.checks.is_empty() {
        let checks = domain
            .checks
            .values()
            .map(|check| (check.name.clone(), check_node(check)));
        entries.push(("checks".to_owned(), Node::Section(checks.collect())));
    }
    let object = PrivilegeObject::Type(domain.name.clone());
    entries.extend(super::privileges::grants(schema, &object));
    entries.extend(super::privileges::owner(schema, &object));
    if entries.is_empty() {
        return text(&domain.base_type);
    }
    entries.insert(0, ("type".to_owned(), text(&domain.base_type)));
    Node::Section(entries)
}

fn attribute_node(attribute: &Attribute) -> Node {
    let mut entries = Vec::new();
    if let Some(collation) = &attribute.collation {
        entries.push(("collation".to_owned(), text(collation)));
    }
    if let Some(comment) = &attribute.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    if entries.is_empty() {
        return text(&attribute.data_type);
    }
    entries.insert(0, ("type".to_owned(), text(&attribute.data_type)));
    Node::Map(entries)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    #[test]
    fn domains_and_composite_types_round_trip() {
        let text = r#"
enums:
  mood: [sad, ok]
domains:
  billing.amount:
    type: numeric(10,2)
    nullable: false
    default: "0"
    collation: C
    comment: money
    checks:
      amount_positive: VALUE >= 0
  price: { type: billing.amount, checks: { price_small: VALUE < 100 } }
  feeling: mood
composite_types:
  line:
    comment: a line
    attributes:
      item: { type: text, collation: C, comment: what }
      cost: price
      "Odd Name": integer[]
  empty: {}
tables:
  invoices:
    columns:
      lines: line[]
      f: feeling
"#;
        let path = Path::new("schema.yaml");
        let loaded = crate::spec::parse(text, path).expect("the example loads");
        let price = &loaded.schema.domains[&crate::model::QualifiedName::new("public", "price")];
        assert_eq!(
            price.default.as_ref().map(|default| default.as_str()),
            Some("0"),
            "a domain over a domain starts from its default"
        );
        let written = crate::spec::write(&loaded.schema);
        let again = crate::spec::parse(&written, path).expect("the written file loads");
        assert_eq!(again.schema, loaded.schema, "{written}");
    }
}
