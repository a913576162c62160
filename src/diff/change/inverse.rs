//! `Change`'s constructors for a drop and re-create of an unchanged object around another
//! change, and `inverse`: the change that undoes one, built from the objects it carries.

use super::*;

impl Change {
    /// `DROP CONSTRAINT` then `ADD CONSTRAINT` of an unchanged check, around another change.
    pub fn recreate_check(table: &QualifiedName, check: &CheckConstraint) -> [Change; 2] {
        [
            Change::DropCheck {
                table: table.clone(),
                check: check.clone(),
            },
            Change::AddCheck {
                table: table.clone(),
                check: check.clone(),
            },
        ]
    }

    /// `DROP CONSTRAINT` then `ADD CONSTRAINT` of an unchanged exclusion constraint.
    pub fn recreate_exclusion(
        table: &QualifiedName,
        exclusion: &ExclusionConstraint,
    ) -> [Change; 2] {
        [
            Change::DropExclusion {
                table: table.clone(),
                exclusion: exclusion.clone(),
            },
            Change::AddExclusion {
                table: table.clone(),
                exclusion: exclusion.clone(),
            },
        ]
    }

    /// `DROP INDEX` then `CREATE INDEX` of an unchanged index, around another change.
    pub fn recreate_index(table: &QualifiedName, index: &Index) -> [Change; 2] {
        [
            Change::DropIndex {
                table: table.clone(),
                index: index.clone(),
            },
            Change::CreateIndex {
                table: table.clone(),
                index: index.clone(),
            },
        ]
    }

    /// `DROP CONSTRAINT` then `ADD CONSTRAINT` of an unchanged foreign key.
    pub fn recreate_foreign_key(table: &QualifiedName, foreign_key: &ForeignKey) -> [Change; 2] {
        [
            Change::DropForeignKey {
                table: table.clone(),
                foreign_key: foreign_key.clone(),
            },
            Change::AddForeignKey {
                table: table.clone(),
                foreign_key: foreign_key.clone(),
            },
        ]
    }
    /// The change that undoes this one, applied to the state this one produces.
    pub fn inverse(&self) -> Change {
        match self.clone() {
            Change::CreateSchema(name) => Change::DropSchema(name),
            Change::DropSchema(name) => Change::CreateSchema(name),
            Change::CreateExtension(extension) => Change::DropExtension(extension),
            Change::DropExtension(extension) => Change::CreateExtension(extension),
            Change::UpdateExtension { name, from, to } => Change::UpdateExtension {
                name,
                from: to,
                to: from,
            },
            Change::CreateEnum(enum_type) => Change::DropEnum(enum_type),
            Change::DropEnum(enum_type) => Change::CreateEnum(enum_type),
            Change::AlterEnum {
                from,
                to,
                columns,
                columns_after,
                new_value_used,
            } => Change::AlterEnum {
                from: to,
                to: from,
                columns: columns_after,
                columns_after: columns,
                new_value_used,
            },
            Change::Type(type_change) => Change::Type(type_change.inverse()),
            Change::Collation(change) => Change::Collation(change.inverse()),
            Change::Aggregate(change) => Change::Aggregate(change.inverse()),
            Change::Range(change) => Change::Range(change.inverse()),
            Change::Rename(change) => Change::Rename(change.inverse()),
            Change::CreateView(view) => Change::DropView(view),
            Change::DropView(view) => Change::CreateView(view),
            Change::ReplaceView { from, to } => Change::ReplaceView { from: to, to: from },
            Change::CreateTable(table) => Change::DropTable(table),
            Change::DropTable(table) => Change::CreateTable(table),
            Change::RenameEnum { from, to, timing } => Change::RenameEnum {
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            Change::RenameEnumValue {
                enum_name,
                from,
                to,
                timing,
            } => Change::RenameEnumValue {
                enum_name,
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            Change::RenameTable { from, to, timing } => Change::RenameTable {
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            Change::RenameColumn {
                table,
                from,
                to,
                timing,
            } => Change::RenameColumn {
                table,
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            Change::RenameConstraint {
                table,
                from,
                to,
                timing,
            } => Change::RenameConstraint {
                table,
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            Change::RenameIndex {
                table,
                from,
                to,
                timing,
            } => Change::RenameIndex {
                table,
                from: to,
                to: from,
                timing: timing.flipped(),
            },
            Change::AddColumn {
                table,
                column,
                backfill,
                checked_domain,
            } => Change::DropColumn {
                table,
                column,
                backfill,
                checked_domain,
                only: false,
                left_by_parent: false,
            },
            Change::DropColumn {
                table,
                column,
                left_by_parent: true,
                ..
            } => Change::Partition(PartitionChange::AlterInheritedColumn {
                table,
                from: column.clone(),
                to: column.clone(),
                reached: Some(column),
                reached_back: None,
            }),
            Change::DropColumn {
                table,
                column,
                backfill,
                checked_domain,
                ..
            } => Change::AddColumn {
                table,
                column,
                backfill,
                checked_domain,
            },
            Change::AlterColumn {
                table,
                from,
                to,
                hints,
                inverse_hints,
            } => Change::AlterColumn {
                table,
                from: to,
                to: from,
                hints: inverse_hints,
                inverse_hints: hints,
            },
            Change::AddPrimaryKey { table, primary_key } => {
                Change::DropPrimaryKey { table, primary_key }
            }
            Change::DropPrimaryKey { table, primary_key } => {
                Change::AddPrimaryKey { table, primary_key }
            }
            Change::AddUnique { table, unique } => Change::DropUnique { table, unique },
            Change::DropUnique { table, unique } => Change::AddUnique { table, unique },
            Change::AddForeignKey { table, foreign_key } => {
                Change::DropForeignKey { table, foreign_key }
            }
            Change::DropForeignKey { table, foreign_key } => {
                Change::AddForeignKey { table, foreign_key }
            }
            Change::AddCheck { table, check } => Change::DropCheck { table, check },
            Change::DropCheck { table, check } => Change::AddCheck { table, check },
            Change::AddExclusion { table, exclusion } => Change::DropExclusion { table, exclusion },
            Change::DropExclusion { table, exclusion } => Change::AddExclusion { table, exclusion },
            Change::CreateIndex { table, index } => Change::DropIndex { table, index },
            Change::DropIndex { table, index } => Change::CreateIndex { table, index },
            Change::CommentOnTable { table, from, to } => Change::CommentOnTable {
                table,
                from: to,
                to: from,
            },
            Change::CommentOnSchema { schema, from, to } => Change::CommentOnSchema {
                schema,
                from: to,
                to: from,
            },
            Change::CommentOnSequence { sequence, from, to } => Change::CommentOnSequence {
                sequence,
                from: to,
                to: from,
            },
            Change::SetLogged {
                table,
                logged,
                references,
            } => Change::SetLogged {
                table,
                logged: !logged,
                references,
            },
            Change::AlterViewOptions { view, from, to } => Change::AlterViewOptions {
                view,
                from: to,
                to: from,
            },
            Change::AlterIndexParameters {
                table,
                index,
                from,
                to,
            } => Change::AlterIndexParameters {
                table,
                index,
                from: to,
                to: from,
            },
            Change::AlterTableParameters { table, from, to } => Change::AlterTableParameters {
                table,
                from: to,
                to: from,
            },
            Change::ValidateConstraint {
                table,
                constraint,
                valid,
            } => Change::ValidateConstraint {
                table,
                constraint,
                valid: !valid,
            },
            Change::CommentOnConstraint {
                table,
                constraint,
                from,
                to,
            } => Change::CommentOnConstraint {
                table,
                constraint,
                from: to,
                to: from,
            },
            Change::CommentOnIndex {
                table,
                index,
                from,
                to,
            } => Change::CommentOnIndex {
                table,
                index,
                from: to,
                to: from,
            },
            Change::CommentOnView {
                view,
                materialized,
                from,
                to,
            } => Change::CommentOnView {
                view,
                materialized,
                from: to,
                to: from,
            },
            Change::CommentOnViewColumn {
                view,
                column,
                from,
                to,
            } => Change::CommentOnViewColumn {
                view,
                column,
                from: to,
                to: from,
            },
            change @ (Change::CreateFunction { .. }
            | Change::DropFunction { .. }
            | Change::AlterFunction { .. }) => crate::diff::functions::inverse(change),
            Change::CreateSequence(sequence) => Change::DropSequence(sequence),
            Change::DropSequence(sequence) => Change::CreateSequence(sequence),
            Change::AlterSequence { from, to } => Change::AlterSequence { from: to, to: from },
            Change::OwnSequence { sequence, from, to } => Change::OwnSequence {
                sequence,
                from: to,
                to: from,
            },
            Change::Trigger(change) => Change::Trigger(change.inverse()),
            Change::Policy(change) => Change::Policy(change.inverse()),
            Change::Partition(change) => Change::Partition(change.inverse()),
            Change::Privilege(change) => Change::Privilege(change.inverse()),
            Change::Owner(change) => Change::Owner(change.inverse()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inverse_of_inverse_is_identity() {
        let table = QualifiedName::new("public", "students");
        let mut to = Column::new("gpa", "numeric(4,2)");
        to.nullable = false;
        let changes = [
            Change::CreateSchema("billing".into()),
            Change::AddColumn {
                table: table.clone(),
                column: Column::new("email", "text"),
                backfill: Some(Expr::new("'x'")),
                checked_domain: false,
            },
            Change::AlterColumn {
                table: table.clone(),
                from: Column::new("gpa", "numeric(3,2)"),
                to,
                hints: ColumnHints {
                    backfill: Some(Expr::new("0")),
                    using: Some(Expr::new("gpa::numeric(4,2)")),
                    conversion: None,
                },
                inverse_hints: ColumnHints::default(),
            },
            Change::RenameColumn {
                table: table.clone(),
                from: "name".into(),
                to: "full_name".into(),
                timing: RenameTiming::BeforeOtherChanges,
            },
            Change::CommentOnTable {
                table: table.clone(),
                from: None,
                to: Some("x".into()),
            },
            Change::Rename(RenameChange::Trigger {
                relation: table.clone(),
                from: "t_touch".into(),
                to: "t_touched".into(),
                timing: RenameTiming::BeforeOtherChanges,
            }),
            Change::Rename(RenameChange::Domain {
                from: QualifiedName::new("public", "positive"),
                to: QualifiedName::new("public", "adult_age"),
                timing: RenameTiming::BeforeOtherChanges,
            }),
            Change::Range(RangeChange::Comment {
                name: QualifiedName::new("public", "float_range"),
                from: None,
                to: Some("x".into()),
            }),
            Change::SetLogged {
                table: table.clone(),
                logged: false,
                references: Vec::new(),
            },
            Change::AlterIndexParameters {
                table: table.clone(),
                index: "students_name_idx".into(),
                from: [("fillfactor".to_string(), "70".to_string())].into(),
                to: BTreeMap::new(),
            },
            Change::AlterTableParameters {
                table: table.clone(),
                from: BTreeMap::new(),
                to: [("autovacuum_enabled".to_string(), "false".to_string())].into(),
            },
            Change::AlterViewOptions {
                view: table.clone(),
                from: ViewOptions::default(),
                to: ViewOptions {
                    security_barrier: true,
                    ..ViewOptions::default()
                },
            },
            Change::CommentOnConstraint {
                table: table.clone(),
                constraint: "students_pkey".into(),
                from: None,
                to: Some("x".into()),
            },
            Change::ValidateConstraint {
                table: table.clone(),
                constraint: ValidatedConstraint::Check(CheckConstraint {
                    name: "students_gpa_check".into(),
                    expression: Expr::new("gpa >= 0"),
                    no_inherit: false,
                    valid: false,
                    comment: None,
                }),
                valid: true,
            },
            Change::CommentOnView {
                view: table.clone(),
                materialized: true,
                from: Some("x".into()),
                to: None,
            },
            Change::Partition(PartitionChange::Attach {
                table: table.clone(),
                partition_of: crate::model::PartitionOf {
                    parent: QualifiedName::new("public", "people"),
                    bound: crate::model::PartitionBound::Default,
                },
            }),
            Change::Partition(PartitionChange::AlterInheritedColumn {
                table,
                from: Column::new("gpa", "numeric(3,2)"),
                to: Column::new("gpa", "numeric(4,2)"),
                reached: Some(Column::new("gpa", "numeric(4,2)")),
                reached_back: None,
            }),
        ];
        for change in changes {
            assert_eq!(change.inverse().inverse(), change);
            assert_ne!(change.inverse(), change);
        }
    }
}
