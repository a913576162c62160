//! `Change`: one typed difference between two schemas, carrying both its before and after
//! objects so that `inverse` needs no lookups. Contains no SQL text. `inverse` and the
//! drop-and-re-create pairs are in the `inverse` submodule.

mod inverse;

use std::collections::BTreeMap;

pub use super::aggregates::AggregateChange;
pub use super::collations::CollationChange;
use super::functions::FunctionPlacement;
pub use super::owners::OwnerChange;
use super::partitions::PartitionChange;
pub use super::privileges::PrivilegeChange;
pub use super::ranges::RangeChange;
pub use super::rename::RenameChange;
pub use super::triggers::{PolicyChange, TriggerChange};
use super::types::TypeChange;
use crate::model::{
    CheckConstraint, Column, Enum, ExclusionConstraint, Expr, Extension, ForeignKey, Function,
    Index, PrimaryKey, QualifiedName, Sequence, Table, UniqueConstraint, View, ViewOptions,
};

/// A constraint that can be `NOT VALID`: a check or a foreign key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ValidatedConstraint {
    Check(CheckConstraint),
    ForeignKey(ForeignKey),
}

impl ValidatedConstraint {
    pub fn name(&self) -> &str {
        match self {
            ValidatedConstraint::Check(check) => &check.name,
            ValidatedConstraint::ForeignKey(foreign_key) => &foreign_key.name,
        }
    }
}

/// A column of some table, as it is in the state a change is applied to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnUse {
    pub table: QualifiedName,
    pub column: Column,
}

/// A rename runs before every other change of its migration, which refer to the new
/// names; undoing it therefore runs after them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum RenameTiming {
    BeforeOtherChanges,
    AfterOtherChanges,
}

impl RenameTiming {
    pub(super) fn flipped(self) -> RenameTiming {
        match self {
            RenameTiming::BeforeOtherChanges => RenameTiming::AfterOtherChanges,
            RenameTiming::AfterOtherChanges => RenameTiming::BeforeOtherChanges,
        }
    }
}

/// What one column change needs beyond the two column states: directives from the schema
/// file, and what the types' definitions say.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnHints {
    /// Fills rows whose value is NULL before `SET NOT NULL`.
    pub backfill: Option<Expr>,
    /// The `USING` expression of a type change.
    pub using: Option<Expr>,
    /// The effect of a type change from or to an enum or a domain, which the type names
    /// alone cannot tell (`type_change::classify_user_types`).
    pub conversion: Option<super::type_change::TypeChange>,
}

// A migration holds tens of changes, briefly; boxing the large variants would only add noise.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// `CREATE SCHEMA s`
    CreateSchema(String),
    /// `DROP SCHEMA s`
    DropSchema(String),
    /// `CREATE EXTENSION x`
    CreateExtension(Extension),
    /// `DROP EXTENSION x`
    DropExtension(Extension),
    /// `ALTER EXTENSION x UPDATE TO 'version'` (`None`: its default version, which is what
    /// a file or a replay that pins none knows of it).
    UpdateExtension {
        name: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// `CREATE TYPE e AS ENUM (...)`
    CreateEnum(Enum),
    /// `DROP TYPE e`
    DropEnum(Enum),
    /// `ALTER TYPE e ADD VALUE ...`, or a rebuild of the type (see `removes_or_moves_values`).
    /// `columns` are the columns of type `from` in the state the change is applied to.
    AlterEnum {
        from: Enum,
        to: Enum,
        columns: Vec<ColumnUse>,
        columns_after: Vec<ColumnUse>,
        /// The migration uses a new value, which PostgreSQL forbids in the transaction that
        /// added it with `ADD VALUE`; a rebuilt type has no such limit.
        new_value_used: bool,
    },
    /// Domains and composite types (see `TypeChange`).
    Type(TypeChange),
    /// `CREATE COLLATION`, `DROP COLLATION`, `COMMENT ON COLLATION`.
    Collation(CollationChange),
    /// `CREATE [OR REPLACE] AGGREGATE`, `DROP AGGREGATE`, `COMMENT ON AGGREGATE`.
    Aggregate(AggregateChange),
    /// `CREATE TYPE ... AS RANGE`, `DROP TYPE`, `COMMENT ON TYPE` of a range type.
    Range(RangeChange),
    /// `ALTER TRIGGER/POLICY/DOMAIN/COLLATION ... RENAME TO`.
    Rename(RenameChange),
    /// `CREATE TABLE t (...)` with its constraints, indexes and comments.
    CreateTable(Table),
    /// `DROP TABLE t`
    DropTable(Table),
    /// `ALTER TYPE e RENAME TO n`
    RenameEnum {
        from: QualifiedName,
        to: QualifiedName,
        timing: RenameTiming,
    },
    /// `ALTER TYPE e RENAME VALUE 'a' TO 'b'`
    RenameEnumValue {
        enum_name: QualifiedName,
        from: String,
        to: String,
        timing: RenameTiming,
    },
    /// `ALTER TABLE t RENAME TO n`
    RenameTable {
        from: QualifiedName,
        to: QualifiedName,
        timing: RenameTiming,
    },
    /// `ALTER TABLE t RENAME COLUMN a TO b`
    RenameColumn {
        table: QualifiedName,
        from: String,
        to: String,
        timing: RenameTiming,
    },
    /// `ALTER TABLE t RENAME CONSTRAINT a TO b`
    RenameConstraint {
        table: QualifiedName,
        from: String,
        to: String,
        timing: RenameTiming,
    },
    /// `ALTER INDEX a RENAME TO b`
    RenameIndex {
        table: QualifiedName,
        from: String,
        to: String,
        timing: RenameTiming,
    },
    /// `ALTER TABLE t ADD COLUMN c ...`, then `UPDATE` and `SET NOT NULL` with a backfill.
    AddColumn {
        table: QualifiedName,
        column: Column,
        backfill: Option<Expr>,
        /// The column's type is a domain PostgreSQL checks each existing row against (see
        /// `hazards::mark_checked_domains`), so adding it rewrites the table.
        checked_domain: bool,
    },
    /// `ALTER TABLE t DROP COLUMN c`; `backfill` and `checked_domain` are kept for the inverse.
    DropColumn {
        table: QualifiedName,
        column: Column,
        backfill: Option<Expr>,
        checked_domain: bool,
        /// `ALTER TABLE ONLY`: inheritance children keep the column as their own (see
        /// `partitions::drops_only`).
        only: bool,
        /// A child's copy of a column its parent's `ONLY` drop left to it: on the way back,
        /// the parent's column reaches the child again.
        left_by_parent: bool,
    },
    /// `ALTER TABLE t ALTER COLUMN c ...` for each facet that moved.
    AlterColumn {
        table: QualifiedName,
        from: Column,
        to: Column,
        /// How to get from `from` to `to` where the states cannot say.
        hints: ColumnHints,
        /// The same for the way back, kept so the inverse is exact.
        inverse_hints: ColumnHints,
    },
    /// `ALTER TABLE t ADD CONSTRAINT n PRIMARY KEY (...)`
    AddPrimaryKey {
        table: QualifiedName,
        primary_key: PrimaryKey,
    },
    /// `ALTER TABLE t DROP CONSTRAINT n`
    DropPrimaryKey {
        table: QualifiedName,
        primary_key: PrimaryKey,
    },
    /// `ALTER TABLE t ADD CONSTRAINT n UNIQUE (...)`
    AddUnique {
        table: QualifiedName,
        unique: UniqueConstraint,
    },
    /// `ALTER TABLE t DROP CONSTRAINT n`
    DropUnique {
        table: QualifiedName,
        unique: UniqueConstraint,
    },
    /// `ALTER TABLE t ADD CONSTRAINT n FOREIGN KEY (...) REFERENCES ...`
    AddForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    /// `ALTER TABLE t DROP CONSTRAINT n`
    DropForeignKey {
        table: QualifiedName,
        foreign_key: ForeignKey,
    },
    /// `ALTER TABLE t ADD CONSTRAINT n CHECK (...)`
    AddCheck {
        table: QualifiedName,
        check: CheckConstraint,
    },
    /// `ALTER TABLE t DROP CONSTRAINT n`
    DropCheck {
        table: QualifiedName,
        check: CheckConstraint,
    },
    /// `ALTER TABLE t ADD CONSTRAINT n EXCLUDE USING ... (...)`, which creates its index.
    AddExclusion {
        table: QualifiedName,
        exclusion: ExclusionConstraint,
    },
    /// `ALTER TABLE t DROP CONSTRAINT n`, which drops its index.
    DropExclusion {
        table: QualifiedName,
        exclusion: ExclusionConstraint,
    },
    /// `CREATE INDEX n ON t (...)`
    CreateIndex { table: QualifiedName, index: Index },
    /// `DROP INDEX n`
    DropIndex { table: QualifiedName, index: Index },
    /// `CREATE [MATERIALIZED] VIEW v AS ...`, with its indexes and comment.
    CreateView(View),
    /// `DROP [MATERIALIZED] VIEW v`
    DropView(View),
    /// `CREATE OR REPLACE VIEW v AS ...`: columns appended to a plain view, which keeps what
    /// reads it, its triggers, grants and comments (`diff::views::appends_columns`). Its
    /// inverse cannot drop the columns: `rebuild_dependents` makes it a drop and a create.
    ReplaceView { from: View, to: View },
    /// `CREATE SEQUENCE s AS type ...`, without its owner (see `OwnSequence`).
    CreateSequence(Sequence),
    /// `DROP SEQUENCE s`
    DropSequence(Sequence),
    /// `ALTER SEQUENCE s AS type ...` for a change of type or options.
    AlterSequence { from: Sequence, to: Sequence },
    /// `ALTER SEQUENCE s OWNED BY t.c` or `OWNED BY NONE`. A change of owner is two of
    /// these: disowning goes before drops (a dropped owner would take the sequence with
    /// it), owning after the column exists.
    OwnSequence {
        sequence: QualifiedName,
        from: Option<(QualifiedName, String)>,
        to: Option<(QualifiedName, String)>,
    },
    /// `COMMENT ON SCHEMA s IS ...`
    CommentOnSchema {
        schema: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// `COMMENT ON SEQUENCE s IS ...`
    CommentOnSequence {
        sequence: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    /// `COMMENT ON TABLE t IS ...`
    CommentOnTable {
        table: QualifiedName,
        from: Option<String>,
        to: Option<String>,
    },
    /// `ALTER TABLE t SET LOGGED`, or `SET UNLOGGED` when `logged` is false.
    SetLogged {
        table: QualifiedName,
        logged: bool,
        /// Tables its foreign keys reference while the change runs (those it keeps): a
        /// logged table may reference only logged ones, which orders these changes.
        references: Vec<QualifiedName>,
    },
    /// `ALTER INDEX i SET (...)` / `RESET (...)`: storage parameters change in place.
    AlterIndexParameters {
        table: QualifiedName,
        index: String,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// `ALTER TABLE t VALIDATE CONSTRAINT n` when `valid`; otherwise, since PostgreSQL has
    /// no way back, the constraint dropped and added again `NOT VALID`.
    ValidateConstraint {
        table: QualifiedName,
        constraint: ValidatedConstraint,
        valid: bool,
    },
    /// `COMMENT ON CONSTRAINT n ON t IS ...`
    CommentOnConstraint {
        table: QualifiedName,
        constraint: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// `COMMENT ON INDEX i IS ...`
    CommentOnIndex {
        table: QualifiedName,
        index: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// `ALTER TABLE t SET (...)` / `RESET (...)`.
    AlterTableParameters {
        table: QualifiedName,
        from: BTreeMap<String, String>,
        to: BTreeMap<String, String>,
    },
    /// `ALTER VIEW v SET (...)` for options set, `RESET (...)` for options back to defaults.
    AlterViewOptions {
        view: QualifiedName,
        from: ViewOptions,
        to: ViewOptions,
    },
    /// `COMMENT ON [MATERIALIZED] VIEW v IS ...`
    CommentOnView {
        view: QualifiedName,
        materialized: bool,
        from: Option<String>,
        to: Option<String>,
    },
    /// `COMMENT ON COLUMN v.c IS ...` on a view's column.
    CommentOnViewColumn {
        view: QualifiedName,
        column: String,
        from: Option<String>,
        to: Option<String>,
    },
    /// `CREATE FUNCTION f(...) ...` (or `PROCEDURE`), with its comment; `placement` says
    /// where it goes among the other changes.
    CreateFunction {
        function: Function,
        placement: FunctionPlacement,
    },
    /// `DROP FUNCTION f(types)`
    DropFunction {
        function: Function,
        placement: FunctionPlacement,
    },
    /// `CREATE OR REPLACE FUNCTION` where PostgreSQL allows it (`Function::replaceable_by`),
    /// otherwise `DROP` and `CREATE`; `COMMENT ON FUNCTION` for a comment.
    AlterFunction {
        from: Function,
        to: Function,
        placement: FunctionPlacement,
    },
    /// `CREATE TRIGGER`, `DROP TRIGGER`, `ALTER TABLE ... ENABLE TRIGGER`, ...
    Trigger(TriggerChange),
    /// `CREATE POLICY`, `ALTER POLICY`, `ALTER TABLE ... ENABLE ROW LEVEL SECURITY`, ...
    Policy(PolicyChange),
    /// `ALTER TABLE ... ATTACH / DETACH PARTITION`, `INHERIT / NO INHERIT`, and a child's
    /// own attributes on an inherited column (see `PartitionChange`).
    Partition(PartitionChange),
    /// `GRANT` / `REVOKE` (or `ALTER DEFAULT PRIVILEGES ... GRANT / REVOKE`) for one grantee
    /// on one object.
    Privilege(PrivilegeChange),
    /// `ALTER ... OWNER TO` of one object.
    Owner(OwnerChange),
}

/// True unless `to` is `from` with values added (old ones kept, in their order): an enum
/// change that rebuilds the type (new type, columns converted through text, old type
/// dropped) rather than adding values in place.
pub fn removes_or_moves_values(from: &Enum, to: &Enum) -> bool {
    let kept: Vec<&String> = to
        .values
        .iter()
        .filter(|value| from.values.contains(value))
        .collect();
    kept.len() != from.values.len()
        || kept
            .iter()
            .zip(&from.values)
            .any(|(kept, old)| *kept != old)
}
