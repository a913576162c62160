//! Owners: the role that owns an object (`ALTER ... OWNER TO`).
//!
//! `Schema::owners` holds an owner only where it is not the role that runs the DDL: what a
//! script creates belongs to that role, so a replay without a server and a catalog read
//! (which leaves out the role autogen connects as) agree. A schema file states some owners
//! (`Directives::declared_owners`); `diff::scope_owners` leaves the others as they are.
//! Owners are keyed like privileges. An index, a table's row type, a multirange type and a
//! sequence owned by a column (`serial`, identity, `OWNED BY`) have the owner of what they
//! belong to, so they have no key of their own (`Schema::owned_kind`).

use super::{PrivilegeObject, Schema, PUBLIC};

/// The owner of schema `public`, which every database starts with (PostgreSQL 15): it is
/// not created by the role that runs the DDL, so `Schema::owners` holds it only when it is
/// another role.
pub const PUBLIC_SCHEMA_OWNER: &str = "pg_database_owner";

/// The owner `object` has when `Schema::owners` holds none: `pg_database_owner` for schema
/// `public`, `None` (the role that runs the DDL) for everything else.
pub fn unrecorded_owner(object: &PrivilegeObject) -> Option<&'static str> {
    match object {
        PrivilegeObject::Schema(name) if name == PUBLIC => Some(PUBLIC_SCHEMA_OWNER),
        _ => None,
    }
}

/// What `ALTER <kind> ... OWNER TO` names.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum OwnedKind {
    Schema,
    Table,
    View,
    MaterializedView,
    Sequence,
    Function,
    Procedure,
    Aggregate,
    /// An enum, composite or range type.
    Type,
    Domain,
    Collation,
}

impl OwnedKind {
    pub fn keyword(self) -> &'static str {
        match self {
            OwnedKind::Schema => "SCHEMA",
            OwnedKind::Table => "TABLE",
            OwnedKind::View => "VIEW",
            OwnedKind::MaterializedView => "MATERIALIZED VIEW",
            OwnedKind::Sequence => "SEQUENCE",
            OwnedKind::Function => "FUNCTION",
            OwnedKind::Procedure => "PROCEDURE",
            OwnedKind::Aggregate => "AGGREGATE",
            OwnedKind::Type => "TYPE",
            OwnedKind::Domain => "DOMAIN",
            OwnedKind::Collation => "COLLATION",
        }
    }

    /// `object` named as an object of this kind, for people: `view public.v` where the
    /// privilege key says `table public.v`.
    pub fn describe(self, object: &PrivilegeObject) -> String {
        let name: &dyn std::fmt::Display = match object {
            PrivilegeObject::Schema(name) => name,
            PrivilegeObject::Table(name)
            | PrivilegeObject::Sequence(name)
            | PrivilegeObject::Type(name)
            | PrivilegeObject::Collation(name) => name,
            PrivilegeObject::Function(name) => name,
            PrivilegeObject::Column(..) | PrivilegeObject::Defaults { .. } => {
                return object.to_string()
            }
        };
        format!("{} {name}", self.keyword().to_ascii_lowercase())
    }
}

impl Schema {
    /// The kind of `object` here when it has an owner of its own; `None` when the schema
    /// lacks it or it has the owner of what it belongs to.
    pub fn owned_kind(&self, object: &PrivilegeObject) -> Option<OwnedKind> {
        match object {
            PrivilegeObject::Schema(name) => {
                self.schemas.contains(name).then_some(OwnedKind::Schema)
            }
            PrivilegeObject::Table(name) => match self.views.get(name) {
                Some(view) if view.materialized => Some(OwnedKind::MaterializedView),
                Some(_) => Some(OwnedKind::View),
                None => self.tables.contains_key(name).then_some(OwnedKind::Table),
            },
            PrivilegeObject::Sequence(name) => self
                .sequences
                .get(name)
                .filter(|sequence| sequence.owned_by.is_none())
                .map(|_| OwnedKind::Sequence),
            PrivilegeObject::Function(name) => match self.functions.get(name) {
                Some(function) if function.procedure => Some(OwnedKind::Procedure),
                Some(_) => Some(OwnedKind::Function),
                None => self
                    .aggregates
                    .contains_key(name)
                    .then_some(OwnedKind::Aggregate),
            },
            PrivilegeObject::Type(name) => {
                if self.domains.contains_key(name) {
                    Some(OwnedKind::Domain)
                } else if self.enums.contains_key(name)
                    || self.composite_types.contains_key(name)
                    || self.ranges.contains_key(name)
                {
                    Some(OwnedKind::Type)
                } else {
                    None
                }
            }
            PrivilegeObject::Collation(name) => self
                .collations
                .contains_key(name)
                .then_some(OwnedKind::Collation),
            PrivilegeObject::Column(..) | PrivilegeObject::Defaults { .. } => None,
        }
    }

    /// Sets (`Some`) or clears (`None`: the role that runs the DDL) the owner of `object`;
    /// its `unrecorded_owner` is not kept.
    pub fn set_owner(&mut self, object: PrivilegeObject, owner: Option<String>) {
        match owner.filter(|owner| Some(owner.as_str()) != unrecorded_owner(&object)) {
            Some(owner) => self.owners.insert(object, owner),
            None => self.owners.remove(&object),
        };
    }

    /// Keeps the owners of the objects that have one of their own here.
    pub fn keep_existing_owners(&mut self) {
        let owners = std::mem::take(&mut self.owners);
        self.owners = owners
            .into_iter()
            .filter(|(object, _)| self.owned_kind(object).is_some())
            .collect();
    }
}
