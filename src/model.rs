//! The schema model every stage speaks: plain data, no IO, no SQL rendering.
//!
//! Both the desired schema (from `spec`) and the current one (from `catalog`) become a
//! `Schema`. Names are exact (case is never folded); expressions and types hold SQL text,
//! canonical once `normalize` (or the shadow-database round trip) has run. Source positions
//! live in `spec::SourceMap`, never here, so derived equality compares meaning only.

mod exclusion;
mod triggers;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

mod aggregates;
mod collations;
mod columns;
mod dependents;
mod functions;
mod name_map;
mod names;
mod owners;
mod partitions;
mod privileges;
mod ranges;
pub use aggregates::*;
pub use collations::*;
pub use columns::*;
pub use dependents::*;
pub use exclusion::*;
pub use functions::*;
pub use name_map::NameMap;
pub use owners::*;
pub use partitions::*;
pub use privileges::*;
pub use ranges::*;
pub use triggers::*;

/// A whole database schema within the managed namespaces.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Schema {
    /// Namespaces that exist (always includes `public` when it is managed).
    pub schemas: BTreeSet<String>,
    /// Comments on those namespaces, by name.
    pub schema_comments: BTreeMap<String, String>,
    pub extensions: BTreeMap<String, Extension>,
    pub collations: BTreeMap<QualifiedName, Collation>,
    pub enums: BTreeMap<QualifiedName, Enum>,
    pub domains: BTreeMap<QualifiedName, Domain>,
    pub composite_types: BTreeMap<QualifiedName, CompositeType>,
    pub ranges: BTreeMap<QualifiedName, RangeType>,
    pub tables: BTreeMap<QualifiedName, Table>,
    pub views: BTreeMap<QualifiedName, View>,
    /// Sequences other than the ones identity and `serial` columns imply.
    pub sequences: BTreeMap<QualifiedName, Sequence>,
    /// Functions and procedures, overloads apart.
    pub functions: BTreeMap<FunctionName, Function>,
    /// Ordinary aggregates, keyed like functions (they share `pg_proc`'s namespace).
    pub aggregates: BTreeMap<FunctionName, Aggregate>,
    /// Objects autogen does not manage (triggers, policies, ...) that call a function, by
    /// the function: dropping it would fail or take them along. Live databases only; never
    /// diffed.
    pub function_users: BTreeMap<FunctionName, Vec<String>>,
    /// Dependencies `pg_depend` shows beyond the model's fields. Live databases only; never
    /// diffed.
    pub dependents: Dependents,
    /// ACLs that differ from the object's default (see `model::privileges`).
    pub privileges: BTreeMap<PrivilegeObject, Acl>,
    /// Owners other than the role that runs the DDL (see `model::owners`).
    pub owners: BTreeMap<PrivilegeObject, String>,
    /// Objects found in the database that autogen does not model; never diffed, always reported.
    pub unmanaged: Vec<UnmanagedObject>,
    /// How to get from the old schema to this one where the state alone cannot say
    /// (renames, backfills, casts). Only a schema file has them; `diff` reads them.
    pub directives: Directives,
}

/// Migration hints from the schema file, keyed by the object they describe in its new form.
/// They are not schema state: a database never has them and they never cause a change.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Directives {
    /// New table name → the name it had (`renamed_from`).
    pub table_renames: BTreeMap<QualifiedName, String>,
    /// (table, new column name) → the column's old name.
    pub column_renames: BTreeMap<(QualifiedName, String), String>,
    /// (table, new constraint name) → the constraint's old name.
    pub constraint_renames: BTreeMap<(QualifiedName, String), String>,
    /// (table, new index name) → the index's old name.
    pub index_renames: BTreeMap<(QualifiedName, String), String>,
    /// New enum name → the name it had.
    pub enum_renames: BTreeMap<QualifiedName, String>,
    /// (enum, new label) → the label's old text.
    pub enum_value_renames: BTreeMap<(QualifiedName, String), String>,
    /// (table or view, new trigger name) → the trigger's old name.
    pub trigger_renames: BTreeMap<(QualifiedName, String), String>,
    /// (table, new policy name) → the policy's old name.
    pub policy_renames: BTreeMap<(QualifiedName, String), String>,
    /// New domain name → the name it had.
    pub domain_renames: BTreeMap<QualifiedName, String>,
    /// New collation name → the name it had.
    pub collation_renames: BTreeMap<QualifiedName, String>,
    /// New aggregate key (same schema and arguments) → the name it had.
    pub aggregate_renames: BTreeMap<FunctionName, String>,
    /// New range type name → the name it had.
    pub range_renames: BTreeMap<QualifiedName, String>,
    /// (table, column) → the expression that fills existing rows when the column is added
    /// or becomes NOT NULL.
    pub backfills: BTreeMap<(QualifiedName, String), Expr>,
    /// (table, column) → the `USING` expression for a change of the column's type.
    pub type_casts: BTreeMap<(QualifiedName, String), Expr>,
    /// (object, grantee) pairs whose privileges the file states, granting or revoking:
    /// those are managed even when the grantee is not in `managed_roles`.
    pub declared_privileges: BTreeSet<(PrivilegeObject, String)>,
    /// Objects whose owner the file states (`owner:`, `ALTER ... OWNER TO`): only those
    /// owners are managed, unless every one is (`--with-privileges`).
    pub declared_owners: BTreeSet<PrivilegeObject>,
}

impl Directives {
    /// Whether any `renamed_from` is declared. Destructured so a new rename kind cannot be
    /// left out: a forgotten one would be diffed as a drop and a create.
    pub fn declares_renames(&self) -> bool {
        let Directives {
            table_renames,
            column_renames,
            constraint_renames,
            index_renames,
            enum_renames,
            enum_value_renames,
            trigger_renames,
            policy_renames,
            domain_renames,
            collation_renames,
            aggregate_renames,
            range_renames,
            backfills: _,
            type_casts: _,
            declared_privileges: _,
            declared_owners: _,
        } = self;
        !(table_renames.is_empty()
            && column_renames.is_empty()
            && constraint_renames.is_empty()
            && index_renames.is_empty()
            && enum_renames.is_empty()
            && enum_value_renames.is_empty()
            && trigger_renames.is_empty()
            && policy_renames.is_empty()
            && domain_renames.is_empty()
            && collation_renames.is_empty()
            && aggregate_renames.is_empty()
            && range_renames.is_empty())
    }
}

/// `schema.name`; `schema` is `public` when the user wrote no schema.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct QualifiedName {
    pub schema: String,
    pub name: String,
}

impl QualifiedName {
    pub fn new(schema: impl Into<String>, name: impl Into<String>) -> Self {
        QualifiedName {
            schema: schema.into(),
            name: name.into(),
        }
    }
}

/// Human-readable form for messages: `students`, `billing.invoices` (not SQL; see `syntax::quote`).
impl fmt::Display for QualifiedName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema == "public" {
            write!(f, "{}", self.name)
        } else {
            write!(f, "{}.{}", self.schema, self.name)
        }
    }
}

/// A SQL expression (default, check, predicate, generated column, index key) as text.
///
/// Equality is textual, so both sides must be canonicalized the same way before diffing.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Expr(pub String);

impl Expr {
    pub fn new(text: impl Into<String>) -> Self {
        Expr(text.into())
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Extension {
    pub name: String,
    /// Schema the extension's objects live in; `None` lets PostgreSQL choose.
    pub schema: Option<String>,
    /// The installed version (`extversion`); `None` where a file does not pin one, which
    /// then matches any version.
    pub version: Option<String>,
}

/// `CREATE TYPE name AS ENUM (values...)`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Enum {
    pub name: QualifiedName,
    /// Labels in sort order.
    pub values: Vec<String>,
    pub comment: Option<String>,
}

/// `CREATE DOMAIN name AS base_type [COLLATE c] [DEFAULT e] [NOT NULL] [CONSTRAINT n CHECK (...)]...`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Domain {
    pub name: QualifiedName,
    /// `format_type` text of the underlying type (a built-in, an enum, another domain, ...).
    pub base_type: String,
    /// Explicit collation, only when it differs from the base type's.
    pub collation: Option<String>,
    pub default: Option<Expr>,
    pub not_null: bool,
    /// Checks by name; their expressions read the value as `VALUE`.
    pub checks: BTreeMap<String, CheckConstraint>,
    pub comment: Option<String>,
}

/// `CREATE TYPE name AS (attribute type, ...)`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CompositeType {
    pub name: QualifiedName,
    /// In declaration order; like a table's columns, order is not part of the diff (new
    /// attributes are appended).
    pub attributes: Vec<Attribute>,
    pub comment: Option<String>,
}

impl CompositeType {
    pub fn attribute(&self, name: &str) -> Option<&Attribute> {
        self.attributes
            .iter()
            .find(|attribute| attribute.name == name)
    }
}

/// One attribute of a composite type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attribute {
    pub name: String,
    pub data_type: String,
    /// Explicit collation, only when it differs from the type's default.
    pub collation: Option<String>,
    pub comment: Option<String>,
}

/// PostgreSQL's limit on the columns of a table (`MaxHeapAttributeNumber`). Loading refuses
/// more, which also keeps the per-column lookups in a `Table` cheap.
pub const MAX_COLUMNS: usize = 1600;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Table {
    pub name: QualifiedName,
    /// In declaration order; order is not part of the diff (new columns are appended). At
    /// most `MAX_COLUMNS`.
    pub columns: Vec<Column>,
    pub primary_key: Option<PrimaryKey>,
    pub uniques: NameMap<UniqueConstraint>,
    pub foreign_keys: NameMap<ForeignKey>,
    pub checks: NameMap<CheckConstraint>,
    pub exclusions: NameMap<ExclusionConstraint>,
    /// Indexes that do not back a constraint.
    pub indexes: NameMap<Index>,
    pub comment: Option<String>,
    /// `CREATE UNLOGGED TABLE`: not written to the WAL, emptied after a crash.
    pub unlogged: bool,
    /// `WITH (fillfactor = 70, autovacuum_enabled = false, ...)`, as `pg_class.reloptions`
    /// keeps them (those of the table's TOAST table are not modelled).
    pub storage_parameters: BTreeMap<String, String>,
    pub triggers: NameMap<Trigger>,
    pub policies: NameMap<Policy>,
    pub row_security: RowSecurity,
    /// `PARTITION BY ...`: a partitioned table, whose rows live in its partitions.
    pub partition_by: Option<PartitionKey>,
    /// `PARTITION OF parent FOR VALUES ...`: the parent's columns, keys, checks, foreign keys
    /// and indexes are the partition's too and are not repeated; `columns` holds only those
    /// whose partition-specific attributes (NOT NULL, default, comment) differ.
    pub partition_of: Option<PartitionOf>,
    /// `INHERITS (parents)`, in order; `columns` holds the child's own (local) columns only.
    pub inherits: Vec<QualifiedName>,
}

impl Table {
    pub fn new(name: QualifiedName) -> Self {
        Table {
            name,
            columns: Vec::new(),
            primary_key: None,
            uniques: NameMap::new(),
            foreign_keys: NameMap::new(),
            checks: NameMap::new(),
            exclusions: NameMap::new(),
            indexes: NameMap::new(),
            comment: None,
            unlogged: false,
            storage_parameters: BTreeMap::new(),
            triggers: NameMap::new(),
            policies: NameMap::new(),
            row_security: RowSecurity::default(),
            partition_by: None,
            partition_of: None,
            inherits: Vec::new(),
        }
    }

    pub fn column(&self, name: &str) -> Option<&Column> {
        self.columns.iter().find(|column| column.name == name)
    }
}

/// `CREATE [MATERIALIZED] VIEW name [WITH (options)] AS definition`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    pub name: QualifiedName,
    /// The query, without a trailing semicolon.
    pub definition: Expr,
    pub materialized: bool,
    /// Always the defaults for a materialized view, which has none of these options.
    pub options: ViewOptions,
    /// Indexes of a materialized view.
    pub indexes: NameMap<Index>,
    pub comment: Option<String>,
    /// Comments on the view's columns, by column (the columns themselves come from the query).
    pub column_comments: BTreeMap<String, String>,
    /// Relations the view reads: from the catalog, or guessed from a file's query text.
    /// Only orders creation and finds views to rebuild; never compared.
    pub depends_on: BTreeSet<QualifiedName>,
    /// INSTEAD OF triggers (a plain view's only kind that fires per row).
    pub triggers: NameMap<Trigger>,
}

impl View {
    /// Whether `other` is this relation with at most its options and comments changed, which
    /// `ALTER VIEW ... SET` and `COMMENT ON` change in place; otherwise it is rebuilt. How
    /// dependencies were found is never compared.
    pub fn same_relation_as(&self, other: &View) -> bool {
        self.name == other.name
            && self.definition == other.definition
            && self.materialized == other.materialized
            && self.indexes == other.indexes
    }
}

/// The options of a plain view (`pg_class.reloptions`); `false` and `None` are the defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ViewOptions {
    /// `security_barrier`: the view's conditions run before user-supplied functions.
    pub security_barrier: bool,
    /// `security_invoker`: the tables read are checked against the querying user's rights.
    pub security_invoker: bool,
    /// `check_option`: rows written through the view must be visible through it.
    pub check_option: Option<CheckOption>,
}

impl ViewOptions {
    pub fn is_default(&self) -> bool {
        *self == ViewOptions::default()
    }

    /// Sets option `name` from its text as `WITH (...)`, `ALTER VIEW ... SET (...)` or
    /// `reloptions` spell it; `None` is a bare name (`WITH (security_barrier)`), which means
    /// true. PostgreSQL accepts exactly these three options on a view.
    pub fn set(&mut self, name: &str, value: Option<&str>) -> Result<(), String> {
        let value = value.unwrap_or("true").to_ascii_lowercase();
        match name.to_ascii_lowercase().as_str() {
            "security_barrier" => self.security_barrier = parse_bool(&value)?,
            "security_invoker" => self.security_invoker = parse_bool(&value)?,
            "check_option" => {
                self.check_option = Some(match value.as_str() {
                    "local" => CheckOption::Local,
                    "cascaded" => CheckOption::Cascaded,
                    _ => return Err(format!("check_option is local or cascaded, not {value:?}")),
                })
            }
            other => return Err(format!("unknown view option {other:?}")),
        }
        Ok(())
    }

    /// Sets option `name` back to its default (`ALTER VIEW ... RESET (name)`).
    pub fn reset(&mut self, name: &str) -> Result<(), String> {
        match name.to_ascii_lowercase().as_str() {
            "security_barrier" => self.security_barrier = false,
            "security_invoker" => self.security_invoker = false,
            "check_option" => self.check_option = None,
            other => return Err(format!("unknown view option {other:?}")),
        }
        Ok(())
    }
}

/// A boolean as PostgreSQL's `parse_bool` reads it: `true`, `on`, `1`, `no`, ..., or a
/// unique prefix of `true`, `false`, `yes`, `no`. `value` is lower case.
fn parse_bool(value: &str) -> Result<bool, String> {
    let prefix_of = |word: &str| !value.is_empty() && word.starts_with(value);
    if prefix_of("true") || prefix_of("yes") || value == "on" || value == "1" {
        Ok(true)
    } else if prefix_of("false")
        || prefix_of("no")
        || value == "off"
        || value == "of"
        || value == "0"
    {
        Ok(false)
    } else {
        Err(format!("{value:?} is not a boolean"))
    }
}

/// `WITH LOCAL CHECK OPTION` checks this view's condition only; `CASCADED` also those of
/// the views it reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CheckOption {
    Local,
    Cascaded,
}

impl CheckOption {
    /// The value as `reloptions` and `WITH (check_option = ...)` spell it.
    pub fn as_str(self) -> &'static str {
        match self {
            CheckOption::Local => "local",
            CheckOption::Cascaded => "cascaded",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrimaryKey {
    pub name: String,
    pub columns: Vec<String>,
    /// `INCLUDE (...)`: columns stored in the key's index but not part of the key.
    pub include: Vec<String>,
    /// A deferrable primary key cannot be referenced by a foreign key.
    pub deferrable: Deferrable,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UniqueConstraint {
    pub name: String,
    pub columns: Vec<String>,
    /// `INCLUDE (...)`: columns stored in the key's index but not part of the key.
    pub include: Vec<String>,
    pub nulls_not_distinct: bool,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignKey {
    pub name: String,
    pub columns: Vec<String>,
    pub referenced_table: QualifiedName,
    pub referenced_columns: Vec<String>,
    pub on_delete: ReferentialAction,
    pub on_update: ReferentialAction,
    pub deferrable: Deferrable,
    pub match_type: MatchType,
    /// False once added `NOT VALID` and until `VALIDATE CONSTRAINT`: rows that were there
    /// before are not known to satisfy it.
    pub valid: bool,
    pub comment: Option<String>,
}

/// How a foreign key treats a row whose key columns are partly NULL. (`MATCH PARTIAL` is
/// not implemented in PostgreSQL.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MatchType {
    /// `MATCH SIMPLE`: any NULL column exempts the row from the check.
    #[default]
    Simple,
    /// `MATCH FULL`: all key columns are NULL, or none is.
    Full,
}
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ReferentialAction {
    #[default]
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Deferrable {
    #[default]
    NotDeferrable,
    /// `DEFERRABLE INITIALLY IMMEDIATE`
    Immediate,
    /// `DEFERRABLE INITIALLY DEFERRED`
    Deferred,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckConstraint {
    pub name: String,
    /// The boolean expression, without the `CHECK (...)` wrapper.
    pub expression: Expr,
    /// False once added `NOT VALID` and until `VALIDATE CONSTRAINT` (on a domain too, where
    /// only `ALTER DOMAIN ... ADD` can add it so).
    pub valid: bool,
    pub comment: Option<String>,
    /// `NO INHERIT`: the check holds on this table only, not on its inheritance children.
    pub no_inherit: bool,
}

/// What every kind of table constraint has besides its definition: a comment, which
/// `COMMENT ON CONSTRAINT` changes in place, and (checks and foreign keys) whether it was
/// validated, which `VALIDATE CONSTRAINT` changes in place one way.
pub trait Constraint: Clone + PartialEq {
    fn name(&self) -> &str;
    fn comment(&self) -> &Option<String>;
    fn comment_mut(&mut self) -> &mut Option<String>;

    /// False for a check or foreign key added `NOT VALID` and not validated since.
    fn valid(&self) -> bool {
        true
    }

    fn set_valid(&mut self, _valid: bool) {}

    /// Whether `other` is this constraint with at most its comment and validity changed.
    fn same_definition(&self, other: &Self) -> bool {
        let mut other = other.clone();
        *other.comment_mut() = self.comment().clone();
        other.set_valid(self.valid());
        *self == other
    }
}

macro_rules! constraint_kind {
    ($kind:ty $(, $valid:ident)?) => {
        impl Constraint for $kind {
            fn name(&self) -> &str {
                &self.name
            }
            fn comment(&self) -> &Option<String> {
                &self.comment
            }
            fn comment_mut(&mut self) -> &mut Option<String> {
                &mut self.comment
            }
            $(
                fn valid(&self) -> bool {
                    self.$valid
                }
                fn set_valid(&mut self, valid: bool) {
                    self.$valid = valid;
                }
            )?
        }
    };
}

constraint_kind!(PrimaryKey);
constraint_kind!(UniqueConstraint);
constraint_kind!(ExclusionConstraint);
constraint_kind!(ForeignKey, valid);
constraint_kind!(CheckConstraint, valid);

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Index {
    pub name: String,
    pub unique: bool,
    /// Access method: `btree`, `hash`, `gin`, `gist`, `brin`, `spgist`, ...
    pub method: String,
    pub keys: Vec<IndexKey>,
    /// `INCLUDE (...)` columns.
    pub include: Vec<String>,
    /// Partial-index predicate (`WHERE ...`).
    pub predicate: Option<Expr>,
    pub nulls_not_distinct: bool,
    /// `WITH (fillfactor = 70, ...)`: parameter name (lower case) → value as the server
    /// stores it in `pg_class.reloptions`.
    pub storage_parameters: BTreeMap<String, String>,
    pub comment: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IndexKey {
    pub target: IndexTarget,
    /// Non-default collation.
    pub collation: Option<String>,
    /// Non-default operator class, e.g. `text_pattern_ops`.
    pub opclass: Option<String>,
    pub descending: bool,
    /// Always explicit: PostgreSQL's default is `nulls_first == descending`.
    pub nulls_first: bool,
}

impl IndexKey {
    pub fn column(name: impl Into<String>) -> Self {
        IndexKey {
            target: IndexTarget::Column(name.into()),
            collation: None,
            opclass: None,
            descending: false,
            nulls_first: false,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IndexTarget {
    Column(String),
    Expression(Expr),
}

/// Something in the database that autogen leaves alone, e.g. `view public.active_students`.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnmanagedObject {
    /// PostgreSQL's word for it: `view`, `materialized view`, `function`, `trigger`, ...
    pub kind: String,
    /// Display name, qualified where that helps (`public.f(integer)`, `t_audit on public.t`).
    pub name: String,
    /// The table or view it belongs to (a trigger, policy, rule, ...), which takes it along
    /// when dropped.
    pub attached_to: Option<QualifiedName>,
}

/// Names one object of the model, for messages and for mapping back to its source line.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ObjectRef {
    Schema(String),
    Extension(String),
    Collation(QualifiedName),
    Enum(QualifiedName),
    Domain(QualifiedName),
    CompositeType(QualifiedName),
    Range(QualifiedName),
    Table(QualifiedName),
    Column(QualifiedName, String),
    /// Primary key, unique, foreign key, check or exclusion constraint, by name.
    Constraint(QualifiedName, String),
    Index(QualifiedName, String),
    View(QualifiedName),
    Sequence(QualifiedName),
    Function(FunctionName),
    Aggregate(FunctionName),
    /// A trigger on a table or view.
    Trigger(QualifiedName, String),
    Policy(QualifiedName, String),
    /// What one grantee may do with one object.
    Privileges(PrivilegeObject, String),
    /// Who owns one object, of the kind `ALTER ... OWNER TO` names.
    Owner(PrivilegeObject, OwnedKind),
}

impl fmt::Display for ObjectRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ObjectRef::Schema(name) => write!(f, "schema {name}"),
            ObjectRef::Extension(name) => write!(f, "extension {name}"),
            ObjectRef::Collation(name) => write!(f, "collation {name}"),
            ObjectRef::Enum(name) => write!(f, "enum {name}"),
            ObjectRef::Domain(name) => write!(f, "domain {name}"),
            ObjectRef::CompositeType(name) => write!(f, "type {name}"),
            ObjectRef::Range(name) => write!(f, "range type {name}"),
            ObjectRef::Table(name) => write!(f, "table {name}"),
            ObjectRef::Column(table, column) => write!(f, "column {table}.{column}"),
            ObjectRef::Constraint(table, name) => write!(f, "constraint {name} on {table}"),
            ObjectRef::Index(table, name) => write!(f, "index {name} on {table}"),
            ObjectRef::View(name) => write!(f, "view {name}"),
            ObjectRef::Sequence(name) => write!(f, "sequence {name}"),
            ObjectRef::Function(name) => write!(f, "function {name}"),
            ObjectRef::Aggregate(name) => write!(f, "aggregate {name}"),
            ObjectRef::Trigger(relation, name) => write!(f, "trigger {name} on {relation}"),
            ObjectRef::Policy(table, name) => write!(f, "policy {name} on {table}"),
            ObjectRef::Privileges(object, grantee) => {
                write!(f, "privileges of {} on {object}", grantee_display(grantee))
            }
            ObjectRef::Owner(object, kind) => write!(f, "owner of {}", kind.describe(object)),
        }
    }
}
