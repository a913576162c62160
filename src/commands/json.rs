//! The documents `--format json` prints (`diff`, `migrate`, `check`): one JSON object per
//! run, described under "JSON output" in the README. `version` changes only when a field
//! changes meaning or goes away; new fields may appear in any release.

use serde::Serialize;

use crate::diff::{
    AggregateChange, Change, CollationChange, Hazard, PartitionChange, PolicyChange, RangeChange,
    RenameChange, TriggerChange, TypeChange,
};
use crate::model::{ObjectRef, QualifiedName, Schema};
use crate::plan::Plan;
use crate::sql::{self, Direction};

/// The format's version, the first field of every document.
pub(super) const VERSION: u32 = 1;

/// One change: what it is, the object it is about, what it does to data and to a running
/// system, and the statements that make it.
#[derive(Debug, Serialize)]
pub(super) struct ChangeJson {
    /// PostgreSQL's verb and object kind in snake case: `add_column`, `create_index`.
    kind: &'static str,
    /// The line the text output prints: `added column students.email`.
    summary: String,
    object: ObjectJson,
    /// Whether the change destroys data (the text output's `DESTRUCTIVE` note).
    destructive: bool,
    hazards: Vec<HazardJson>,
    /// The statements, in order, without their trailing semicolon.
    sql: Vec<String>,
}

/// The object a change is about. `table` is the table or view a column, constraint, index,
/// trigger or policy belongs to; `arguments` a function's argument types.
#[derive(Debug, Serialize)]
struct ObjectJson {
    #[serde(rename = "type")]
    object_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    schema: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    table: Option<String>,
    name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    arguments: Option<Vec<String>>,
}

#[derive(Debug, Serialize)]
struct HazardJson {
    /// `data_loss`, `table_rewrite`, `full_table_scan` or `lock`.
    kind: &'static str,
    /// The text the SQL comments and revision headers carry.
    text: String,
}

/// An object in the database that autogen does not manage and left alone.
#[derive(Debug, Clone, Serialize)]
pub(super) struct UnmanagedJson {
    kind: String,
    name: String,
}

/// The steps of `plan` in the order the script runs them, each with its own statements.
pub(super) fn changes(plan: &Plan, direction: Direction) -> Vec<ChangeJson> {
    plan.steps
        .iter()
        .cloned()
        .map(|step| {
            let change = step.change.clone();
            let script = sql::render(&Plan { steps: vec![step] }, direction);
            ChangeJson {
                kind: kind(&change),
                summary: change.summary(),
                object: object(&change.object()),
                destructive: change.is_destructive(),
                hazards: script
                    .statements
                    .iter()
                    .flat_map(|statement| &statement.hazards)
                    .map(hazard)
                    .collect(),
                // The script-wide session setting belongs to no change of its own.
                sql: script
                    .statements
                    .into_iter()
                    .map(|statement| statement.sql)
                    .filter(|statement| statement != sql::UNCHECKED_BODIES)
                    .collect(),
            }
        })
        .collect()
}

/// The unmanaged objects of `schemas`, each once, sorted.
pub(super) fn unmanaged(schemas: &[&Schema]) -> Vec<UnmanagedJson> {
    schemas
        .iter()
        .flat_map(|schema| &schema.unmanaged)
        .map(|object| (object.kind.clone(), object.name.clone()))
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .map(|(kind, name)| UnmanagedJson { kind, name })
        .collect()
}

fn hazard(hazard: &Hazard) -> HazardJson {
    let kind = match hazard {
        Hazard::DataLoss(_) => "data_loss",
        Hazard::TableRewrite(_) => "table_rewrite",
        Hazard::FullTableScan(_) => "full_table_scan",
        Hazard::Lock { .. } => "lock",
        Hazard::ExtensionUpdate { .. } => "extension_update",
    };
    HazardJson {
        kind,
        text: hazard.to_string(),
    }
}

fn object(object: &ObjectRef) -> ObjectJson {
    let relation = |object_type, name: &QualifiedName| ObjectJson {
        object_type,
        schema: Some(name.schema.clone()),
        table: None,
        name: name.name.clone(),
        arguments: None,
    };
    let part = |object_type, table: &QualifiedName, name: &str| ObjectJson {
        object_type,
        schema: Some(table.schema.clone()),
        table: Some(table.name.clone()),
        name: name.to_string(),
        arguments: None,
    };
    let unqualified = |object_type, name: &str| ObjectJson {
        object_type,
        schema: None,
        table: None,
        name: name.to_string(),
        arguments: None,
    };
    match object {
        ObjectRef::Schema(name) => unqualified("schema", name),
        ObjectRef::Extension(name) => unqualified("extension", name),
        ObjectRef::Enum(name) => relation("enum", name),
        ObjectRef::Domain(name) => relation("domain", name),
        ObjectRef::CompositeType(name) => relation("composite_type", name),
        ObjectRef::Range(name) => relation("range_type", name),
        ObjectRef::Table(name) => relation("table", name),
        ObjectRef::View(name) => relation("view", name),
        ObjectRef::Sequence(name) => relation("sequence", name),
        ObjectRef::Column(table, name) => part("column", table, name),
        ObjectRef::Constraint(table, name) => part("constraint", table, name),
        ObjectRef::Index(table, name) => part("index", table, name),
        ObjectRef::Trigger(table, name) => part("trigger", table, name),
        ObjectRef::Policy(table, name) => part("policy", table, name),
        ObjectRef::Function(function) => ObjectJson {
            object_type: "function",
            schema: Some(function.schema.clone()),
            table: None,
            name: function.name.clone(),
            arguments: Some(function.argument_types.clone()),
        },
        ObjectRef::Collation(name) => relation("collation", name),
        ObjectRef::Aggregate(aggregate) => ObjectJson {
            object_type: "aggregate",
            schema: Some(aggregate.schema.clone()),
            table: None,
            name: aggregate.name.clone(),
            arguments: Some(aggregate.argument_types.clone()),
        },
        ObjectRef::Privileges(..) => unqualified("privileges", &object.to_string()),
        ObjectRef::Owner(..) => unqualified("owner", &object.to_string()),
    }
}

/// The `kind` of a change: the DDL verb and the kind of object, as the variant names them.
fn kind(change: &Change) -> &'static str {
    match change {
        Change::CreateSchema(_) => "create_schema",
        Change::DropSchema(_) => "drop_schema",
        Change::CreateExtension(_) => "create_extension",
        Change::DropExtension(_) => "drop_extension",
        Change::UpdateExtension { .. } => "update_extension",
        Change::Privilege(_) => "alter_privileges",
        Change::Owner(_) => "alter_owner",
        Change::CreateEnum(_) => "create_enum",
        Change::DropEnum(_) => "drop_enum",
        Change::AlterEnum { .. } => "alter_enum",
        Change::RenameEnum { .. } => "rename_enum",
        Change::RenameEnumValue { .. } => "rename_enum_value",
        Change::Type(TypeChange::CreateDomain(_)) => "create_domain",
        Change::Type(TypeChange::DropDomain(_)) => "drop_domain",
        Change::Type(TypeChange::AlterDomain { .. }) => "alter_domain",
        Change::Type(TypeChange::CreateComposite(_)) => "create_composite_type",
        Change::Type(TypeChange::DropComposite(_)) => "drop_composite_type",
        Change::Type(TypeChange::AlterComposite { .. }) => "alter_composite_type",
        Change::CreateTable(_) => "create_table",
        Change::DropTable(_) => "drop_table",
        Change::RenameTable { .. } => "rename_table",
        Change::Rename(RenameChange::Trigger { .. }) => "rename_trigger",
        Change::Rename(RenameChange::Policy { .. }) => "rename_policy",
        Change::Rename(RenameChange::Domain { .. }) => "rename_domain",
        Change::Rename(RenameChange::Collation { .. }) => "rename_collation",
        Change::Rename(RenameChange::Aggregate { .. }) => "rename_aggregate",
        Change::Rename(RenameChange::Range { .. }) => "rename_range_type",
        Change::RenameColumn { .. } => "rename_column",
        Change::RenameConstraint { .. } => "rename_constraint",
        Change::RenameIndex { .. } => "rename_index",
        Change::AddColumn { .. } => "add_column",
        Change::DropColumn { .. } => "drop_column",
        Change::AlterColumn { .. } => "alter_column",
        Change::AddPrimaryKey { .. } => "add_primary_key",
        Change::DropPrimaryKey { .. } => "drop_primary_key",
        Change::AddUnique { .. } => "add_unique",
        Change::DropUnique { .. } => "drop_unique",
        Change::AddForeignKey { .. } => "add_foreign_key",
        Change::DropForeignKey { .. } => "drop_foreign_key",
        Change::AddCheck { .. } => "add_check",
        Change::DropCheck { .. } => "drop_check",
        Change::AddExclusion { .. } => "add_exclusion",
        Change::DropExclusion { .. } => "drop_exclusion",
        Change::ValidateConstraint { .. } => "validate_constraint",
        Change::CommentOnConstraint { .. } => "comment_on_constraint",
        Change::CreateIndex { .. } => "create_index",
        Change::DropIndex { .. } => "drop_index",
        Change::CreateView(_) => "create_view",
        Change::DropView(_) => "drop_view",
        Change::ReplaceView { .. } => "replace_view",
        Change::CreateSequence(_) => "create_sequence",
        Change::DropSequence(_) => "drop_sequence",
        Change::AlterSequence { .. } => "alter_sequence",
        Change::OwnSequence { .. } => "own_sequence",
        Change::CommentOnTable { .. } => "comment_on_table",
        Change::SetLogged { .. } => "set_logged",
        Change::AlterIndexParameters { .. } => "alter_index_parameters",
        Change::CommentOnIndex { .. } => "comment_on_index",
        Change::AlterTableParameters { .. } => "alter_table_parameters",
        Change::AlterViewOptions { .. } => "alter_view_options",
        Change::CommentOnView { .. } => "comment_on_view",
        Change::CommentOnViewColumn { .. } => "comment_on_view_column",
        Change::CommentOnSchema { .. } => "comment_on_schema",
        Change::CommentOnSequence { .. } => "comment_on_sequence",
        Change::CreateFunction { .. } => "create_function",
        Change::DropFunction { .. } => "drop_function",
        Change::AlterFunction { .. } => "alter_function",
        Change::Trigger(TriggerChange::Create { .. }) => "create_trigger",
        Change::Trigger(TriggerChange::Drop { .. }) => "drop_trigger",
        Change::Trigger(TriggerChange::Alter { .. }) => "alter_trigger",
        Change::Policy(PolicyChange::Create { .. }) => "create_policy",
        Change::Policy(PolicyChange::Drop { .. }) => "drop_policy",
        Change::Policy(PolicyChange::Alter { .. }) => "alter_policy",
        Change::Policy(PolicyChange::RowSecurity { .. }) => "alter_row_security",
        Change::Collation(CollationChange::Create(_)) => "create_collation",
        Change::Collation(CollationChange::Drop(_)) => "drop_collation",
        Change::Collation(CollationChange::Comment { .. }) => "comment_on_collation",
        Change::Aggregate(AggregateChange::Create(_)) => "create_aggregate",
        Change::Aggregate(AggregateChange::Drop(_)) => "drop_aggregate",
        Change::Aggregate(AggregateChange::Replace { .. }) => "replace_aggregate",
        Change::Range(RangeChange::Create(_)) => "create_range_type",
        Change::Range(RangeChange::Drop(_)) => "drop_range_type",
        Change::Range(RangeChange::Comment { .. }) => "comment_on_range_type",
        Change::Partition(PartitionChange::Attach { .. }) => "attach_partition",
        Change::Partition(PartitionChange::Detach { .. }) => "detach_partition",
        Change::Partition(PartitionChange::Inherit { .. }) => "inherit",
        Change::Partition(PartitionChange::NoInherit { .. }) => "no_inherit",
        Change::Partition(PartitionChange::AlterInheritedColumn { .. }) => "alter_inherited_column",
    }
}
