//! `grants:` entries and the `default_privileges:` section for `inspect`.
//!
//! Only grantees whose privileges differ from the object's default are written; one whose
//! default privileges were revoked is written with an empty list. Grantees holding the same
//! privileges share an entry.

use std::collections::BTreeMap;

use super::{text, Node};
use crate::model::{grantee_display, Acl, Grants, PrivilegeObject, Schema};

/// `("grants", [...])` for an object whose ACL is not its default.
pub(super) fn grants(schema: &Schema, object: &PrivilegeObject) -> Option<(String, Node)> {
    let acl = schema.privileges.get(object)?;
    Some(("grants".to_owned(), acl_node(object, acl)))
}

fn acl_node(object: &PrivilegeObject, acl: &Acl) -> Node {
    let default_acl = object.default_acl();
    let none = Grants::new();
    // (privileges, with grant option) → the grantees holding exactly those.
    let mut entries: BTreeMap<(Vec<String>, bool), Vec<String>> = BTreeMap::new();
    let grantees = acl.keys().chain(default_acl.keys());
    for grantee in grantees.collect::<std::collections::BTreeSet<_>>() {
        let held = acl.get(grantee).unwrap_or(&none);
        if default_acl.get(grantee).unwrap_or(&none) == held {
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
pub(super) fn default_privileges(schema: &Schema) -> Option<(String, Node)> {
    let entries: Vec<Vec<(String, Node)>> = schema
        .privileges
        .iter()
        .filter_map(|(object, acl)| {
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
            fields.push(("grants".to_owned(), acl_node(object, acl)));
            Some(fields)
        })
        .collect();
    (!entries.is_empty()).then(|| ("default_privileges".to_owned(), Node::Blocks(entries)))
}
