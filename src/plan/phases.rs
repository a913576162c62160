//! The phase each kind of change goes in, before the sorts that refine it.

use super::{types, Phase};
use crate::diff::{
    removes_or_moves_values, AggregateChange, Change, CollationChange, FunctionPlacement,
    PartitionChange, PolicyChange, RangeChange, RenameChange, RenameTiming, TriggerChange,
};

pub(super) fn phase_of(change: &Change) -> Phase {
    match change {
        Change::CreateSchema(_) => Phase::CreateSchema,
        Change::DropSchema(_) => Phase::DropSchema,
        Change::CreateExtension(_) => Phase::CreateExtension,
        Change::UpdateExtension { .. } => Phase::UpdateExtension,
        Change::Collation(CollationChange::Create(_)) => Phase::CreateCollation,
        Change::Collation(CollationChange::Drop(_)) => Phase::DropCollation,
        Change::Collation(CollationChange::Comment { .. }) => Phase::Comment,
        Change::Aggregate(AggregateChange::Create(_) | AggregateChange::Replace { .. }) => {
            Phase::CreateAggregate
        }
        Change::Aggregate(AggregateChange::Drop(_)) => Phase::DropAggregate,
        Change::Range(RangeChange::Create(_)) => Phase::CreateRange,
        Change::Range(RangeChange::Drop(_)) => Phase::DropRange,
        Change::Range(RangeChange::Comment { .. }) => Phase::Comment,
        Change::DropExtension(_) => Phase::DropExtension,
        Change::CreateEnum(_) => Phase::CreateEnum,
        Change::DropEnum(_) => Phase::DropEnum,
        Change::AlterEnum { from, to, .. } if removes_or_moves_values(from, to) => {
            Phase::RebuildEnum
        }
        Change::AlterEnum { .. } => Phase::AlterEnum,
        Change::Type(type_change) => types::phase_of(type_change),
        Change::CreateTable(_) => Phase::CreateTable,
        Change::DropTable(_) => Phase::DropTable,
        Change::AddColumn { .. } => Phase::AddColumn,
        Change::DropColumn { .. } => Phase::DropColumn,
        Change::AlterColumn { .. } => Phase::AlterColumn,
        Change::AddPrimaryKey { .. }
        | Change::AddUnique { .. }
        | Change::AddCheck { .. }
        | Change::AddExclusion { .. } => Phase::AddConstraint,
        Change::DropPrimaryKey { .. }
        | Change::DropUnique { .. }
        | Change::DropCheck { .. }
        | Change::DropExclusion { .. } => Phase::DropConstraint,
        Change::AddForeignKey { .. } => Phase::AddForeignKey,
        Change::DropForeignKey { .. } => Phase::DropForeignKey,
        Change::CreateIndex { .. } => Phase::CreateIndex,
        Change::DropIndex { .. } => Phase::DropIndex,
        Change::CommentOnTable { .. } | Change::CommentOnView { .. } => Phase::Comment,
        Change::SetLogged { .. } => Phase::SetLogged,
        Change::AlterViewOptions { .. } => Phase::AlterView,
        Change::AlterIndexParameters { .. } => Phase::CreateIndex,
        Change::AlterTableParameters { .. } => Phase::AlterColumn,
        Change::CommentOnIndex { .. }
        | Change::CommentOnConstraint { .. }
        | Change::CommentOnSequence { .. }
        | Change::CommentOnSchema { .. }
        | Change::CommentOnViewColumn { .. } => Phase::Comment,
        Change::ValidateConstraint { .. } => Phase::ValidateConstraint,
        Change::CreateSequence(_) => Phase::CreateSequence,
        Change::AlterSequence { .. } => Phase::AlterSequence,
        Change::DropSequence(_) => Phase::DropSequence,
        Change::OwnSequence { to: None, .. } => Phase::DisownSequence,
        Change::OwnSequence { to: Some(_), .. } => Phase::OwnSequence,
        Change::CreateView(_) | Change::ReplaceView { .. } => Phase::CreateView,
        Change::CreateFunction { placement, .. } | Change::AlterFunction { placement, .. } => {
            match placement {
                FunctionPlacement::BeforeRelations => Phase::CreateFunction,
                FunctionPlacement::AfterTables => Phase::CreateFunctionOnTables,
                FunctionPlacement::AfterRelations => Phase::CreateFunctionOnRelations,
                FunctionPlacement::AroundTypeRebuild => Phase::CreateFunctionOnRebuiltType,
            }
        }
        Change::DropFunction { placement, .. } => match placement {
            FunctionPlacement::BeforeRelations => Phase::DropFunction,
            FunctionPlacement::AfterTables | FunctionPlacement::AfterRelations => {
                Phase::DropFunctionOnRelations
            }
            FunctionPlacement::AroundTypeRebuild => Phase::DropFunctionOnRebuiltType,
        },
        Change::DropView(_)
        | Change::Trigger(TriggerChange::Drop { .. })
        | Change::Policy(PolicyChange::Drop { .. }) => Phase::DropView,
        Change::Trigger(_) | Change::Policy(_) => Phase::CreateTriggerOrPolicy,
        Change::Partition(PartitionChange::Detach { .. } | PartitionChange::NoInherit { .. }) => {
            Phase::DetachPartition
        }
        Change::Partition(PartitionChange::Attach { .. } | PartitionChange::Inherit { .. }) => {
            Phase::AttachPartition
        }
        Change::Partition(PartitionChange::AlterInheritedColumn { .. }) => {
            Phase::AlterInheritedColumn
        }
        Change::Owner(_) => Phase::Owners,
        Change::Privilege(_) => Phase::Privileges,
        // Domains, collations and range types rename with the tables; triggers and policies
        // after them, on the table's new name (and are undone before it is).
        Change::Rename(
            rename @ (RenameChange::Domain { .. }
            | RenameChange::Collation { .. }
            | RenameChange::Range { .. }),
        ) => match rename.timing() {
            RenameTiming::BeforeOtherChanges => Phase::RenameTable,
            RenameTiming::AfterOtherChanges => Phase::UndoRenameTable,
        },
        // An aggregate is named by its argument types: after their renames, undone before.
        Change::Rename(rename @ RenameChange::Aggregate { .. }) => match rename.timing() {
            RenameTiming::BeforeOtherChanges => Phase::RenameColumn,
            RenameTiming::AfterOtherChanges => Phase::UndoRenameColumn,
        },
        Change::Rename(rename) => match rename.timing() {
            RenameTiming::BeforeOtherChanges => Phase::RenameConstraintOrIndex,
            RenameTiming::AfterOtherChanges => Phase::UndoRenameConstraintOrIndex,
        },
        Change::RenameTable { timing, .. } | Change::RenameEnum { timing, .. } => match timing {
            RenameTiming::BeforeOtherChanges => Phase::RenameTable,
            RenameTiming::AfterOtherChanges => Phase::UndoRenameTable,
        },
        // A value is renamed in its type's new name, so after the type, and undone before.
        Change::RenameColumn { timing, .. } | Change::RenameEnumValue { timing, .. } => {
            match timing {
                RenameTiming::BeforeOtherChanges => Phase::RenameColumn,
                RenameTiming::AfterOtherChanges => Phase::UndoRenameColumn,
            }
        }
        Change::RenameConstraint { timing, .. } | Change::RenameIndex { timing, .. } => {
            match timing {
                RenameTiming::BeforeOtherChanges => Phase::RenameConstraintOrIndex,
                RenameTiming::AfterOtherChanges => Phase::UndoRenameConstraintOrIndex,
            }
        }
    }
}
