//! `GRANT` and `REVOKE`, on objects and as `ALTER DEFAULT PRIVILEGES`.

use super::functions::signature;
use super::quote::{ident, qualified};
use crate::diff::PrivilegeChange;
use crate::model::{Privilege, PrivilegeObject, CURRENT_USER, PUBLIC};

/// Revokes first (whole privileges, then grant options), then grants (without, then with
/// the grant option).
pub(super) fn statements(change: &PrivilegeChange) -> Vec<String> {
    let pick = |list: &[(Privilege, bool)], flag: bool| -> Vec<Privilege> {
        list.iter()
            .filter(|(_, option)| *option == flag)
            .map(|(privilege, _)| *privilege)
            .collect()
    };
    let (revoked, granted) = (change.revoked(), change.granted());
    let grantee = grantee(&change.grantee);
    let mut statements = Vec::new();
    for (privileges, option_only) in [(pick(&revoked, false), false), (pick(&revoked, true), true)]
    {
        if privileges.is_empty() {
            continue;
        }
        let option = if option_only { "GRANT OPTION FOR " } else { "" };
        statements.push(format!(
            "{}REVOKE {option}{} FROM {grantee}",
            defaults_prefix(&change.object),
            on(&change.object, &privileges)
        ));
    }
    for (privileges, with_option) in [(pick(&granted, false), false), (pick(&granted, true), true)]
    {
        if privileges.is_empty() {
            continue;
        }
        let option = if with_option {
            " WITH GRANT OPTION"
        } else {
            ""
        };
        statements.push(format!(
            "{}GRANT {} TO {grantee}{option}",
            defaults_prefix(&change.object),
            on(&change.object, &privileges)
        ));
    }
    statements
}

fn grantee(grantee: &str) -> String {
    match grantee {
        PUBLIC => "PUBLIC".to_string(),
        role => ident(role),
    }
}

/// `ALTER DEFAULT PRIVILEGES FOR ROLE r [IN SCHEMA s] ` before the grant of a default.
fn defaults_prefix(object: &PrivilegeObject) -> String {
    let PrivilegeObject::Defaults { role, schema, .. } = object else {
        return String::new();
    };
    let role = match role.as_str() {
        CURRENT_USER => "CURRENT_USER".to_string(),
        role => ident(role),
    };
    let mut prefix = format!("ALTER DEFAULT PRIVILEGES FOR ROLE {role} ");
    if let Some(schema) = schema {
        prefix.push_str(&format!("IN SCHEMA {} ", ident(schema)));
    }
    prefix
}

/// `SELECT, INSERT ON TABLE t`, `SELECT (c) ON TABLE t`, `ALL ON TABLE t` (every privilege
/// of the kind), `EXECUTE ON FUNCTIONS`, ...
fn on(object: &PrivilegeObject, privileges: &[Privilege]) -> String {
    let column = match object {
        PrivilegeObject::Column(_, column) => format!(" ({})", ident(column)),
        _ => String::new(),
    };
    let list = match privileges == object.privileges() && privileges.len() > 1 {
        true => format!("ALL{column}"),
        false => privileges
            .iter()
            .map(|privilege| format!("{}{column}", privilege.keyword()))
            .collect::<Vec<_>>()
            .join(", "),
    };
    let target = match object {
        PrivilegeObject::Schema(name) => format!("SCHEMA {}", ident(name)),
        PrivilegeObject::Table(name) | PrivilegeObject::Column(name, _) => {
            format!("TABLE {}", qualified(name))
        }
        PrivilegeObject::Sequence(name) => format!("SEQUENCE {}", qualified(name)),
        // ROUTINE names functions and procedures alike.
        PrivilegeObject::Function(name) => format!("ROUTINE {}", signature(name)),
        PrivilegeObject::Type(name) => format!("TYPE {}", qualified(name)),
        PrivilegeObject::Collation(name) => format!("COLLATION {}", qualified(name)),
        PrivilegeObject::Defaults { objects, .. } => objects.keyword().to_string(),
    };
    format!("{list} ON {target}")
}
