//! `ALTER <kind> object OWNER TO role`.

use super::quote::{ident, qualified};
use crate::diff::OwnerChange;
use crate::model::{unrecorded_owner, OwnedKind, PrivilegeObject};

/// The statement giving the object its new owner; an unrecorded one is the role that runs
/// the migration (`CURRENT_USER`), or `pg_database_owner` for schema `public`.
pub(super) fn statement(change: &OwnerChange) -> String {
    let object = match &change.object {
        PrivilegeObject::Schema(name) => ident(name),
        PrivilegeObject::Function(name) => match change.kind {
            OwnedKind::Aggregate => super::aggregates::signature(name),
            _ => super::functions::signature(name),
        },
        PrivilegeObject::Table(name)
        | PrivilegeObject::Sequence(name)
        | PrivilegeObject::Type(name)
        | PrivilegeObject::Collation(name)
        | PrivilegeObject::Column(name, _) => qualified(name),
        PrivilegeObject::Defaults { role, .. } => ident(role),
    };
    let owner = match (change.to.as_deref(), unrecorded_owner(&change.object)) {
        (Some(owner), _) | (None, Some(owner)) => ident(owner),
        (None, None) => "CURRENT_USER".to_string(),
    };
    format!("ALTER {} {object} OWNER TO {owner}", change.kind.keyword())
}
