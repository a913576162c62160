//! Privileges: what each role may do with an object (`GRANT` / `REVOKE`), and what objects
//! created later receive (`ALTER DEFAULT PRIVILEGES`).
//!
//! They live apart from the objects, in `Schema::privileges`, keyed by `PrivilegeObject`; an
//! object missing there has PostgreSQL's default ACL (`acldefault`). An `Acl` never holds
//! the owner's own privileges, which the owner has implicitly, so a NULL `relacl` and the
//! same list spelled out compare equal.

use std::collections::BTreeMap;
use std::fmt;

use super::{FunctionName, QualifiedName, Schema};

/// The grantee `PUBLIC` (every role); no role may be named `public`.
pub const PUBLIC: &str = "public";

/// The `role` of `PrivilegeObject::Defaults` for the role that runs the script (autogen's
/// session role in a catalog read), spelled `CURRENT_USER`: `ALTER DEFAULT PRIVILEGES`
/// without `FOR ROLE` is for it, and a replay without a server cannot know its name.
pub const CURRENT_USER: &str = "current_user";

/// One privilege, in the order PostgreSQL lists them (`aclitem` letters `arwdDxtUCX`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Privilege {
    Select,
    Insert,
    Update,
    Delete,
    Truncate,
    References,
    Trigger,
    Usage,
    Create,
    Execute,
}

impl Privilege {
    pub const ALL: [Privilege; 10] = [
        Privilege::Select,
        Privilege::Insert,
        Privilege::Update,
        Privilege::Delete,
        Privilege::Truncate,
        Privilege::References,
        Privilege::Trigger,
        Privilege::Usage,
        Privilege::Create,
        Privilege::Execute,
    ];

    pub fn keyword(self) -> &'static str {
        match self {
            Privilege::Select => "SELECT",
            Privilege::Insert => "INSERT",
            Privilege::Update => "UPDATE",
            Privilege::Delete => "DELETE",
            Privilege::Truncate => "TRUNCATE",
            Privilege::References => "REFERENCES",
            Privilege::Trigger => "TRIGGER",
            Privilege::Usage => "USAGE",
            Privilege::Create => "CREATE",
            Privilege::Execute => "EXECUTE",
        }
    }

    /// The privilege named by `word` (any case), as `GRANT` and `aclexplode` spell it.
    pub fn from_keyword(word: &str) -> Option<Privilege> {
        Privilege::ALL
            .into_iter()
            .find(|privilege| privilege.keyword().eq_ignore_ascii_case(word))
    }
}

/// What `ALTER DEFAULT PRIVILEGES ... ON <objects>` applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DefaultObjects {
    Tables,
    Sequences,
    Functions,
    Types,
    Schemas,
}

impl DefaultObjects {
    pub const ALL: [DefaultObjects; 5] = [
        DefaultObjects::Tables,
        DefaultObjects::Sequences,
        DefaultObjects::Functions,
        DefaultObjects::Types,
        DefaultObjects::Schemas,
    ];

    /// The plural keyword of `ON TABLES`, ...
    pub fn keyword(self) -> &'static str {
        match self {
            DefaultObjects::Tables => "TABLES",
            DefaultObjects::Sequences => "SEQUENCES",
            DefaultObjects::Functions => "FUNCTIONS",
            DefaultObjects::Types => "TYPES",
            DefaultObjects::Schemas => "SCHEMAS",
        }
    }

    /// `pg_default_acl.defaclobjtype`.
    pub fn from_code(code: &str) -> Option<DefaultObjects> {
        Some(match code {
            "r" => DefaultObjects::Tables,
            "S" => DefaultObjects::Sequences,
            "f" => DefaultObjects::Functions,
            "T" => DefaultObjects::Types,
            "n" => DefaultObjects::Schemas,
            _ => return None,
        })
    }

    /// The kind of object the defaults apply to, to tell which privileges it has.
    fn object_kind(self) -> ObjectKind {
        match self {
            DefaultObjects::Tables => ObjectKind::Table,
            DefaultObjects::Sequences => ObjectKind::Sequence,
            DefaultObjects::Functions => ObjectKind::Function,
            DefaultObjects::Types => ObjectKind::Type,
            DefaultObjects::Schemas => ObjectKind::Schema,
        }
    }
}

/// What privileges are granted on (one object, or the defaults of a role), and what owners
/// are keyed by.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum PrivilegeObject {
    Schema(String),
    /// A table, view or materialized view (`GRANT ... ON TABLE`).
    Table(QualifiedName),
    /// One column of a table or view (`GRANT SELECT (c) ON t`).
    Column(QualifiedName, String),
    /// A sequence, standalone or implied by a `serial` or identity column.
    Sequence(QualifiedName),
    /// A function, procedure or aggregate (`GRANT ... ON ROUTINE` names them all).
    Function(FunctionName),
    /// An enum, domain, composite or range type (a multirange type has its range's ACL).
    Type(QualifiedName),
    /// A collation: it has an owner, and no privileges (PostgreSQL grants none on one).
    Collation(QualifiedName),
    /// `ALTER DEFAULT PRIVILEGES FOR ROLE role [IN SCHEMA schema] ... ON objects`: what
    /// objects `role` creates later receive (in `schema`, or anywhere when `None`).
    Defaults {
        role: String,
        schema: Option<String>,
        objects: DefaultObjects,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ObjectKind {
    Schema,
    Table,
    Column,
    Sequence,
    Function,
    Type,
    Collation,
}

/// Which privileges a grantee holds, each with whether it may grant it on
/// (`WITH GRANT OPTION`).
pub type Grants = BTreeMap<Privilege, bool>;

/// An object's privileges by grantee (a role name, or `PUBLIC`), the owner's left out.
/// A grantee never maps to an empty `Grants`.
pub type Acl = BTreeMap<String, Grants>;

impl PrivilegeObject {
    fn kind(&self) -> ObjectKind {
        match self {
            PrivilegeObject::Schema(_) => ObjectKind::Schema,
            PrivilegeObject::Table(_) => ObjectKind::Table,
            PrivilegeObject::Column(..) => ObjectKind::Column,
            PrivilegeObject::Sequence(_) => ObjectKind::Sequence,
            PrivilegeObject::Function(_) => ObjectKind::Function,
            PrivilegeObject::Type(_) => ObjectKind::Type,
            PrivilegeObject::Collation(_) => ObjectKind::Collation,
            PrivilegeObject::Defaults { objects, .. } => objects.object_kind(),
        }
    }

    /// The privileges this kind of object has: what `ALL` means, and all a grant may name.
    pub fn privileges(&self) -> &'static [Privilege] {
        use Privilege::*;
        match self.kind() {
            ObjectKind::Schema => &[Usage, Create],
            ObjectKind::Table => &[
                Select, Insert, Update, Delete, Truncate, References, Trigger,
            ],
            ObjectKind::Column => &[Select, Insert, Update, References],
            ObjectKind::Sequence => &[Select, Update, Usage],
            ObjectKind::Function => &[Execute],
            ObjectKind::Type => &[Usage],
            ObjectKind::Collation => &[],
        }
    }

    /// PostgreSQL's ACL for a new object of this kind (`acldefault`), owner left out: `PUBLIC`
    /// may execute functions and use types. Defaults for one schema only add to the global
    /// ones, so theirs is empty. Schema `public` is not new: every database starts with it,
    /// usable by `PUBLIC` (the ACL PostgreSQL 15's `template0` gives it).
    pub fn default_acl(&self) -> Acl {
        let public = |privilege: Privilege| {
            Acl::from([(PUBLIC.to_string(), Grants::from([(privilege, false)]))])
        };
        match self {
            PrivilegeObject::Defaults {
                schema: Some(_), ..
            } => return Acl::new(),
            PrivilegeObject::Schema(name) if name == PUBLIC => return public(Privilege::Usage),
            _ => {}
        }
        match self.kind() {
            ObjectKind::Function => public(Privilege::Execute),
            ObjectKind::Type => public(Privilege::Usage),
            _ => Acl::new(),
        }
    }

    /// The table or view the object belongs to, if any.
    pub fn relation(&self) -> Option<&QualifiedName> {
        match self {
            PrivilegeObject::Table(name) | PrivilegeObject::Column(name, _) => Some(name),
            _ => None,
        }
    }
}

/// For messages: `table students`, `column students.email`, `default privileges of role
/// app in schema public on tables`.
impl fmt::Display for PrivilegeObject {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PrivilegeObject::Schema(name) => write!(f, "schema {name}"),
            PrivilegeObject::Table(name) => write!(f, "table {name}"),
            PrivilegeObject::Column(table, column) => write!(f, "column {table}.{column}"),
            PrivilegeObject::Sequence(name) => write!(f, "sequence {name}"),
            PrivilegeObject::Function(name) => write!(f, "function {name}"),
            PrivilegeObject::Type(name) => write!(f, "type {name}"),
            PrivilegeObject::Collation(name) => write!(f, "collation {name}"),
            PrivilegeObject::Defaults {
                role,
                schema,
                objects,
            } => {
                write!(f, "default privileges of role {role}")?;
                if let Some(schema) = schema {
                    write!(f, " in schema {schema}")?;
                }
                write!(f, " on {}", objects.keyword().to_ascii_lowercase())
            }
        }
    }
}

/// A grantee as people read it: `PUBLIC`, or the role's name.
pub fn grantee_display(grantee: &str) -> &str {
    match grantee {
        PUBLIC => "PUBLIC",
        role => role,
    }
}

impl Schema {
    /// The object's ACL, its default when it has none of its own.
    pub fn acl(&self, object: &PrivilegeObject) -> Acl {
        self.privileges
            .get(object)
            .cloned()
            .unwrap_or_else(|| object.default_acl())
    }

    /// Sets the object's ACL; one equal to the default is not kept.
    pub fn set_acl(&mut self, object: PrivilegeObject, mut acl: Acl) {
        acl.retain(|_, grants| !grants.is_empty());
        if acl == object.default_acl() {
            self.privileges.remove(&object);
        } else {
            self.privileges.insert(object, acl);
        }
    }

    /// Whether the schema has `object`; `has_sequence` says which sequences exist (those
    /// `serial` and identity columns imply are not in `sequences`).
    pub fn has_object(
        &self,
        object: &PrivilegeObject,
        has_sequence: impl Fn(&QualifiedName) -> bool,
    ) -> bool {
        let relation =
            |name: &QualifiedName| self.tables.contains_key(name) || self.views.contains_key(name);
        match object {
            PrivilegeObject::Schema(name) => self.schemas.contains(name),
            PrivilegeObject::Table(name) => relation(name),
            PrivilegeObject::Column(table, column) => match self.tables.get(table) {
                Some(table) => table.column(column).is_some(),
                None => self.views.contains_key(table),
            },
            PrivilegeObject::Sequence(name) => has_sequence(name),
            PrivilegeObject::Function(name) => {
                self.functions.contains_key(name) || self.aggregates.contains_key(name)
            }
            PrivilegeObject::Type(name) => {
                self.enums.contains_key(name)
                    || self.domains.contains_key(name)
                    || self.composite_types.contains_key(name)
                    || self.ranges.contains_key(name)
            }
            PrivilegeObject::Collation(name) => self.collations.contains_key(name),
            PrivilegeObject::Defaults { .. } => true,
        }
    }
}
