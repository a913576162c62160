//! How a `Change` is named for people: the object it is about (for messages and source
//! locations) and a one-line summary.

use super::Change;
use crate::model::ObjectRef;

impl Change {
    /// The object the change is about, for messages and source locations.
    pub fn object(&self) -> ObjectRef {
        match self {
            Change::CreateSchema(name)
            | Change::DropSchema(name)
            | Change::CommentOnSchema { schema: name, .. } => ObjectRef::Schema(name.clone()),
            Change::CreateExtension(extension) | Change::DropExtension(extension) => {
                ObjectRef::Extension(extension.name.clone())
            }
            Change::CreateEnum(enum_type) | Change::DropEnum(enum_type) => {
                ObjectRef::Enum(enum_type.name.clone())
            }
            Change::AlterEnum { to, .. } => ObjectRef::Enum(to.name.clone()),
            Change::Type(type_change) => type_change.object(),
            Change::CreateTable(table) | Change::DropTable(table) => {
                ObjectRef::Table(table.name.clone())
            }
            Change::AddColumn { table, column, .. } | Change::DropColumn { table, column, .. } => {
                ObjectRef::Column(table.clone(), column.name.clone())
            }
            Change::RenameTable { to, .. } => ObjectRef::Table(to.clone()),
            Change::Rename(change) => change.object(),
            Change::RenameEnum { to, .. } => ObjectRef::Enum(to.clone()),
            Change::RenameEnumValue { enum_name, .. } => ObjectRef::Enum(enum_name.clone()),
            Change::CreateView(view)
            | Change::DropView(view)
            | Change::ReplaceView { to: view, .. } => ObjectRef::View(view.name.clone()),
            Change::RenameColumn { table, to, .. } => ObjectRef::Column(table.clone(), to.clone()),
            Change::RenameConstraint { table, to, .. } => {
                ObjectRef::Constraint(table.clone(), to.clone())
            }
            Change::CommentOnConstraint {
                table, constraint, ..
            } => ObjectRef::Constraint(table.clone(), constraint.clone()),
            Change::ValidateConstraint {
                table, constraint, ..
            } => ObjectRef::Constraint(table.clone(), constraint.name().to_string()),
            Change::RenameIndex { table, to, .. } => ObjectRef::Index(table.clone(), to.clone()),
            Change::AlterColumn { table, to, .. } => {
                ObjectRef::Column(table.clone(), to.name.clone())
            }
            Change::AddPrimaryKey { table, primary_key }
            | Change::DropPrimaryKey { table, primary_key } => {
                ObjectRef::Constraint(table.clone(), primary_key.name.clone())
            }
            Change::AddUnique { table, unique } | Change::DropUnique { table, unique } => {
                ObjectRef::Constraint(table.clone(), unique.name.clone())
            }
            Change::AddForeignKey { table, foreign_key }
            | Change::DropForeignKey { table, foreign_key } => {
                ObjectRef::Constraint(table.clone(), foreign_key.name.clone())
            }
            Change::AddCheck { table, check } | Change::DropCheck { table, check } => {
                ObjectRef::Constraint(table.clone(), check.name.clone())
            }
            Change::AddExclusion { table, exclusion }
            | Change::DropExclusion { table, exclusion } => {
                ObjectRef::Constraint(table.clone(), exclusion.name.clone())
            }
            Change::CreateIndex { table, index } | Change::DropIndex { table, index } => {
                ObjectRef::Index(table.clone(), index.name.clone())
            }
            Change::AlterIndexParameters { table, index, .. }
            | Change::CommentOnIndex { table, index, .. } => {
                ObjectRef::Index(table.clone(), index.clone())
            }
            Change::CommentOnTable { table, .. }
            | Change::SetLogged { table, .. }
            | Change::AlterTableParameters { table, .. } => ObjectRef::Table(table.clone()),
            Change::AlterViewOptions { view, .. }
            | Change::CommentOnView { view, .. }
            | Change::CommentOnViewColumn { view, .. } => ObjectRef::View(view.clone()),
            Change::CreateSequence(sequence) | Change::DropSequence(sequence) => {
                ObjectRef::Sequence(sequence.name.clone())
            }
            Change::AlterSequence { to, .. } => ObjectRef::Sequence(to.name.clone()),
            Change::OwnSequence { sequence, .. } | Change::CommentOnSequence { sequence, .. } => {
                ObjectRef::Sequence(sequence.clone())
            }
            Change::CreateFunction { function, .. } | Change::DropFunction { function, .. } => {
                ObjectRef::Function(function.name.clone())
            }
            Change::AlterFunction { to, .. } => ObjectRef::Function(to.name.clone()),
            Change::Trigger(change) => {
                ObjectRef::Trigger(change.relation().clone(), change.trigger().name.clone())
            }
            Change::Policy(change) => change.object(),
            Change::Partition(change) => change.object(),
            Change::Collation(change) => change.object(),
            Change::Aggregate(change) => change.object(),
            Change::Range(change) => change.object(),
            Change::Privilege(change) => {
                ObjectRef::Privileges(change.object.clone(), change.grantee.clone())
            }
            Change::Owner(change) => ObjectRef::Owner(change.object.clone(), change.kind),
            Change::UpdateExtension { name, .. } => ObjectRef::Extension(name.clone()),
        }
    }

    /// One line for people, like Alembic's autogenerate report: `added column students.email`.
    pub fn summary(&self) -> String {
        let object = self.object();
        let verb = match self {
            Change::CreateSchema(_)
            | Change::CreateExtension(_)
            | Change::CreateEnum(_)
            | Change::CreateTable(_)
            | Change::CreateView(_)
            | Change::CreateIndex { .. }
            | Change::CreateSequence(_)
            | Change::CreateFunction { .. } => "created",
            Change::AddColumn { .. }
            | Change::AddPrimaryKey { .. }
            | Change::AddUnique { .. }
            | Change::AddForeignKey { .. }
            | Change::AddCheck { .. }
            | Change::AddExclusion { .. } => "added",
            Change::DropSchema(_)
            | Change::DropExtension(_)
            | Change::DropEnum(_)
            | Change::DropTable(_)
            | Change::DropView(_)
            | Change::DropColumn { .. }
            | Change::DropPrimaryKey { .. }
            | Change::DropUnique { .. }
            | Change::DropForeignKey { .. }
            | Change::DropCheck { .. }
            | Change::DropExclusion { .. }
            | Change::DropIndex { .. }
            | Change::DropSequence(_)
            | Change::DropFunction { .. } => "dropped",
            Change::AlterEnum { .. }
            | Change::AlterColumn { .. }
            | Change::AlterSequence { .. }
            | Change::AlterFunction { .. } => "altered",
            Change::ReplaceView { .. } => "replaced",
            Change::OwnSequence {
                to: Some((table, column)),
                ..
            } => return format!("{object} now owned by {table}.{column}"),
            Change::OwnSequence { to: None, .. } => return format!("{object} no longer owned"),
            Change::RenameTable { from, .. } => return format!("renamed table {from} to {object}"),
            Change::Rename(change) => return change.summary(),
            Change::RenameEnum { from, .. } => return format!("renamed enum {from} to {object}"),
            Change::RenameEnumValue { from, to, .. } => {
                return format!("renamed value {from} of {object} to {to}")
            }
            Change::RenameColumn { from, .. }
            | Change::RenameConstraint { from, .. }
            | Change::RenameIndex { from, .. } => return format!("renamed {from} to {object}"),
            Change::CommentOnTable { .. }
            | Change::CommentOnSequence { .. }
            | Change::CommentOnSchema { .. }
            | Change::CommentOnView { .. }
            | Change::CommentOnViewColumn { .. }
            | Change::CommentOnConstraint { .. }
            | Change::CommentOnIndex { .. } => "changed comment of",
            Change::ValidateConstraint { valid: true, .. } => "validated",
            Change::ValidateConstraint { valid: false, .. } => {
                return format!("{object} now NOT VALID")
            }
            Change::SetLogged { logged: true, .. } => return format!("{object} now logged"),
            Change::SetLogged { logged: false, .. } => return format!("{object} now unlogged"),
            Change::AlterViewOptions { .. } => "changed options of",
            Change::AlterIndexParameters { .. } | Change::AlterTableParameters { .. } => {
                "changed storage parameters of"
            }
            Change::Trigger(change) => change.verb(),
            Change::Policy(change) => return change.summary(),
            Change::Partition(change) => return change.summary(),
            Change::Privilege(change) => return change.summary(),
            Change::Owner(change) => return change.summary(),
            Change::UpdateExtension { to, .. } => {
                let version = to.as_deref().unwrap_or("its default version");
                return format!("updated {object} to {version}");
            }
            Change::Type(type_change) => type_change.verb(),
            Change::Collation(change) => change.verb(),
            Change::Aggregate(change) => change.verb(),
            Change::Range(change) => change.verb(),
        };
        format!("{verb} {object}")
    }
}
