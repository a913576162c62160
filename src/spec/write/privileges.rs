//! `grants:` and `owner:` entries and the `default_privileges:` section for `inspect`.
//!
//! The grantees written are those whose privileges differ from the object's default (one
//! whose default privileges were revoked with an empty list) and those the schema's file
//! declared, so a file reads back with the same managed pairs. Grantees holding the same
//! privileges share an entry.

use std::collections::{BTreeMap, BTreeSet};

use super::{text, Node};
use crate::model::{grantee_display, Grants, PrivilegeObject, Schema};

/// `("grants", [...])` for an object whose ACL is not its default or that a file declared.
pub(super) fn grants(schema: &Schema, object: &PrivilegeObject) -> Option<(String, Node)> {
    let declared = declared_grantees(schema, object);
    if declared.is_empty() && !schema.privileges.contains_key(object) {
        return None;
    }
    Some(("grants".to_owned(), acl_node(schema, object, &declared)))
}

/// `("owner", role)` for an object whose owner is not the role that runs the DDL.
pub(super) fn owner(schema: &Schema, object: &PrivilegeObject) -> Option<(String, Node)> {
    let owner = schema.owners.get(object)?;
    Some(("owner".to_owned(), text(owner)))
}

fn declared_grantees<'a>(schema: &'a Schema, object: &PrivilegeObject) -> BTreeSet<&'a String> {
    schema
        .directives
        .declared_privileges
        .range((object.clone(), String::new())..)
        .take_while(|(declared, _)| declared == object)
        .map(|(_, grantee)| grantee)
        .collect()
}

fn acl_node(schema: &Schema, object: &PrivilegeObject, declared: &BTreeSet<&String>) -> Node {
    let acl = schema.acl(object);
    let default_acl = object.default_acl();
    let none = Grants::new();
    // (privileges, with grant option) → the grantees holding exactly those.
    let mut entries: BTreeMap<(Vec<String>, bool), Vec<String>> = BTreeMap::new();
    let grantees = acl
        .keys()
        .chain(default_acl.keys())
        .chain(declared.iter().copied());
    for grantee in grantees.collect::<BTreeSet<_>>() {
        let held = acl.get(grantee).unwrap_or(&none);
        if default_acl.get(grantee).unwrap_or(&none) == held && !declared.contains(grantee) {
            continue;
        }
        let words = |with_option: bool| -> Vec<String> {
            let chosen: Vec<_> = held
                .iter()
                .filter(|(_, option)| **option == with_option)
                .map(|(privilege, _)| *privilege)
                .collect();
            if chosen == object.privileges() && chosen.len() > 1 {
                return vec!["ALL".to_owned()];
            }
            chosen
                .iter()
                .map(|privilege| privilege.keyword().to_owned())
                .collect()
        };
        let name = grantee_display(grantee).to_owned();
        let (plain, optioned) = (words(false), words(true));
        if !optioned.is_empty() {
            entries
                .entry((optioned, true))
                .or_default()
                .push(name.clone());
        }
        if !plain.is_empty() || held.is_empty() {
            entries.entry((plain, false)).or_default().push(name);
        }
    }
    Node::List(
        entries
            .into_iter()
            .map(|((privileges, with_option), grantees)| {
                let to = match grantees.as_slice() {
                    [one] => text(one),
                    _ => Node::List(grantees.iter().map(|grantee| text(grantee)).collect()),
                };
                let mut fields = vec![
                    ("to".to_owned(), to),
                    (
                        "privileges".to_owned(),
                        Node::List(privileges.iter().map(|word| text(word)).collect()),
                    ),
                ];
                if with_option {
                    fields.push(("with_grant_option".to_owned(), Node::Bool(true)));
                }
                Node::Map(fields)
            })
            .collect(),
    )
}

/// The `default_privileges:` section, when there are any.
pub(super) fn default_privileges(file: &Schema) -> Option<(String, Node)> {
    let objects: BTreeSet<&PrivilegeObject> = file
        .privileges
        .keys()
        .chain(
            file.directives
                .declared_privileges
                .iter()
                .map(|(object, _)| object),
        )
        .collect();
    let entries: Vec<Vec<(String, Node)>> = objects
        .into_iter()
        .filter_map(|object| {
            let PrivilegeObject::Defaults {
                role,
                schema,
                objects,
            } = object
            else {
                return None;
            };
            let mut fields = vec![("for_role".to_owned(), text(role))];
            if let Some(schema) = schema {
                fields.push(("in_schema".to_owned(), text(schema)));
            }
            fields.push((
                "on".to_owned(),
                text(&objects.keyword().to_ascii_lowercase()),
            ));
            let declared = declared_grantees(file, object);
            fields.push(("grants".to_owned(), acl_node(file, object, &declared)));
            Some(fields)
        })
        .collect();
    (!entries.is_empty()).then(|| ("default_privileges".to_owned(), Node::Blocks(entries)))
}
