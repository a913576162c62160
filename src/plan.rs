//! Stage 5, plan: `Vec<Change>` → `Plan`, the changes in an order PostgreSQL accepts.
//!
//! Pure. Ordering happens only here: changes go into phases (schemas, extensions and enums
//! before tables, drops of dependents before what they depend on), created and dropped
//! tables are sorted by their foreign keys, and keys that close a cycle become separate
//! steps. Plans contain no SQL text; `sql` renders them.

mod around;
mod callers;
mod defaults;
mod online;
mod overloads;
mod phases;
mod types;
mod views_and_routines;

use std::collections::{BTreeMap, BTreeSet};

use crate::diff::{removes_or_moves_values, Change, CollationChange, TypeChange};
use crate::function_aliases::without_default_aliases;
use crate::model::{Expr, ForeignKey, QualifiedName, Schema, Table, View};
use online::TakenNames;

/// Ordered steps; applying them in order turns the current schema into the desired one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub steps: Vec<Step>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    pub change: Change,
    /// Why the step stands where it does.
    pub phase: Phase,
    /// How the change runs: in the script's transaction, or in a form that keeps a busy
    /// application running.
    pub form: Form,
}

impl Step {
    fn new(change: Change, phase: Phase) -> Step {
        Step {
            change,
            phase,
            form: Form::InTransaction,
        }
    }
}

/// How a plan runs its changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// Every change in one transaction where PostgreSQL allows it (an enum value used in
    /// the same revision must be committed first).
    Transactional,
    /// Forms that never hold a strong lock during a scan (`online = true`): concurrent
    /// index builds, constraints validated in a later step, backfills in committed batches
    /// of `backfill_batch_size` rows.
    Online { backfill_batch_size: u32 },
}

/// The form a step's change takes; every form but `InTransaction` runs in a step of its
/// own (see `Step` in sql), which the renderer marks in the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    InTransaction,
    /// Alone outside any transaction: an enum value that later statements use must be
    /// committed before they run.
    OutsideTransaction,
    /// `CREATE INDEX CONCURRENTLY` / `DROP INDEX CONCURRENTLY`, alone outside a transaction.
    Concurrently,
    /// A unique or primary key adopting a unique index built concurrently just before
    /// (`ADD CONSTRAINT ... USING INDEX`).
    UsingIndex,
    /// `VALIDATE CONSTRAINT` in a transaction of its own, after the `NOT VALID`
    /// constraint committed, so no strong lock is held while it scans.
    OwnTransaction,
    /// Only the backfill of the change, in committed batches of this many rows (a `DO`
    /// block alone outside a transaction).
    BatchedBackfill(u32),
    /// `SET NOT NULL` once a validated `CHECK (column IS NOT NULL)` proves it, so the
    /// server skips its scan (PostgreSQL 12+).
    ProvenNotNull,
}

impl Plan {
    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn is_destructive(&self) -> bool {
        self.steps.iter().any(|step| step.change.is_destructive())
    }
}

/// Phases in execution order. Within a phase, steps keep the diff's (name-sorted) order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// Renames go first, since every later step uses the new names (enums rename here too).
    RenameTable,
    RenameColumn,
    RenameConstraintOrIndex,
    /// Views go before the tables and columns they read change.
    DropView,
    /// Aggregates go before the functions they call, once the views calling them are gone.
    DropAggregate,
    /// Range types over a type the plan rebuilds, once the aggregates over them are gone and
    /// before the functions they call.
    DropRangeOnRebuiltType,
    /// Functions whose signature or SQL-standard body uses a relation, before it changes.
    DropFunctionOnRelations,
    CreateSchema,
    CreateExtension,
    /// An extension's update script may change the types and functions it provides, which
    /// the rest of the plan then uses.
    UpdateExtension,
    /// A collation whose definition changes is dropped just before it is created again
    /// (nothing uses it: `diff::refuse_blocked_rebuilds`).
    DropReplacedCollation,
    /// Collations exist before the columns, domains, attributes and indexes using them.
    CreateCollation,
    CreateEnum,
    /// A range type whose definition changes is dropped just before it is created again
    /// (nothing uses it: `diff::refuse_blocked_rebuilds`).
    DropReplacedRange,
    /// Range types, on built-in, collation and enum subtypes, before the domains and
    /// composite types that may use them.
    CreateRange,
    /// Domains before composite types, each after the ones it is built on.
    CreateDomain,
    CreateCompositeType,
    AlterEnum,
    /// Functions and procedures exist before the defaults, checks, indexes and views that
    /// call them; their bodies are not checked (`SET check_function_bodies = off`).
    CreateFunction,
    /// Aggregates once their support functions exist, before the views that call them.
    CreateAggregate,
    /// Range types whose `SUBTYPE_DIFF` or `CANONICAL` function the plan creates.
    CreateRangeOnFunctions,
    /// Sequences exist before the defaults that call `nextval` on them.
    CreateSequence,
    AlterSequence,
    /// Before any drop: a dropped owner column would take its sequence along.
    DisownSequence,
    /// `DETACH PARTITION` and `NO INHERIT` first: what the table had from its parent becomes
    /// its own, and the table then changes like any other.
    DetachPartition,
    /// Foreign keys go first: they pin the keys, columns and tables dropped after them.
    DropForeignKey,
    DropIndex,
    DropConstraint,
    DropTable,
    /// What stops depending on a column the plan drops, before the column goes (PostgreSQL
    /// refuses to drop it first): a generated column reading it (dropped, made plain or
    /// generated anew), a default calling `nextval` on the sequence it owns.
    BeforeDropColumn,
    DropColumn,
    AlterColumn,
    /// `SET LOGGED` / `SET UNLOGGED` of kept tables.
    SetLogged,
    /// Routines over a type the plan rebuilds, once what calls them is gone (views, triggers
    /// and policies early; checks, indexes and defaults just before).
    DropFunctionOnRebuiltType,
    /// An enum losing or reordering values is rebuilt once the columns that go away are
    /// gone and the columns changing type have changed, before new columns use it.
    RebuildEnum,
    /// Domains and composite types change once the columns that go away are gone and
    /// before new columns use them (a rebuilt domain converts the columns that stay).
    AlterDomain,
    AlterCompositeType,
    /// Routines over a rebuilt type, on its new version, before anything calls them again.
    CreateFunctionOnRebuiltType,
    /// Column defaults calling those routines, removed before they were dropped.
    SetDefaultOnRebuiltType,
    /// Range types over a domain the plan creates, or over a rebuilt type (on its new
    /// version, once the functions over it are back).
    CreateRangeOnNewType,
    /// Aggregates over a rebuilt type or over a range type created after `CreateAggregate`.
    CreateAggregateOnNewType,
    AddColumn,
    /// What starts depending on a column the plan adds, once it is there: a generated column
    /// reading it (added, made generated or generated anew), a default calling `nextval` on
    /// the sequence it owns.
    AfterAddColumn,
    /// A child's own attributes on inherited columns, once its parents' columns (which
    /// PostgreSQL recurses to it) have changed or been added.
    AlterInheritedColumn,
    /// Online: the nullable column's rows filled in committed batches, then a `CHECK (column
    /// IS NOT NULL)` added `NOT VALID`, validated, `SET NOT NULL` without a scan and the check
    /// dropped; after columns are added, before keys need them NOT NULL.
    Backfill,
    AddNotNullCheck,
    ValidateNotNullCheck,
    SetNotNull,
    DropNotNullCheck,
    CreateTable,
    /// Once the owning column exists.
    OwnSequence,
    AddConstraint,
    CreateIndex,
    /// Foreign keys go last, once every table and key they reference exists.
    AddForeignKey,
    /// `VALIDATE CONSTRAINT` (or its way back) once the constraint and what it references
    /// are in place.
    ValidateConstraint,
    /// `ATTACH PARTITION` and `INHERIT` once the table has become what its parent needs:
    /// its matching keys, indexes and foreign keys become the parent's.
    AttachPartition,
    /// An overload replaced by another of its name, before calls to the name come back.
    DropReplacedOverload,
    /// Functions whose signature or SQL-standard body uses a table but no view, before the
    /// views that may call them.
    CreateFunctionOnTables,
    /// Views come back once everything they read is in place.
    CreateView,
    /// Functions whose signature or SQL-standard body uses a table or view.
    CreateFunctionOnRelations,
    /// After `CreateView`: a view rebuilt around a change below it is changed once it is back.
    AlterView,
    /// Triggers and policies, once the tables, views and functions they use exist (their
    /// drops go with `DropView`).
    CreateTriggerOrPolicy,
    Comment,
    /// `ALTER ... OWNER TO` once every object exists (and is renamed), before the grants.
    Owners,
    /// `GRANT` / `REVOKE` once every object they are on exists (a dropped object takes its
    /// privileges along); table-level before column-level ones, which a table-level
    /// `REVOKE` also revokes; default privileges last, so no object of the plan gets them.
    Privileges,
    /// Once no default calls `nextval` on them any more.
    DropSequence,
    /// Range types whose `SUBTYPE_DIFF` or `CANONICAL` function the plan drops.
    DropRangeOnFunctions,
    /// Once nothing that calls them is left.
    DropFunction,
    DropCompositeType,
    DropDomain,
    DropRange,
    DropEnum,
    DropCollation,
    DropExtension,
    DropSchema,
    /// Undoing a rename comes last, after the steps that still use the new names.
    UndoRenameConstraintOrIndex,
    UndoRenameColumn,
    UndoRenameTable,
}

/// The plan of `changes` where nothing else exists: the shadow database's build.
pub fn build(changes: &[Change], mode: Mode) -> Plan {
    let nothing = Schema::default();
    build_between(changes, mode, &nothing, &nothing)
}

/// The plan of `changes` from `before` to `after`; online helpers are named apart from
/// every object of both.
pub fn build_between(changes: &[Change], mode: Mode, before: &Schema, after: &Schema) -> Plan {
    let mut steps = Vec::new();
    let mut created_tables = Vec::new();
    let mut dropped_tables = Vec::new();
    let mut created_views = BTreeMap::new();
    let mut dropped_views = BTreeMap::new();
    let mut persistence_changes = Vec::new();
    let mut type_changes = Vec::new();
    for change in changes {
        match change {
            Change::Type(
                type_change @ (TypeChange::CreateDomain(_)
                | TypeChange::DropDomain(_)
                | TypeChange::CreateComposite(_)
                | TypeChange::DropComposite(_)),
            ) => type_changes.push(type_change.clone()),
            Change::CreateTable(table) => created_tables.push(table.clone()),
            Change::DropTable(table) => dropped_tables.push(table.clone()),
            Change::CreateView(view) => {
                created_views.insert(view.name.clone(), bound_by_name(view, after));
            }
            Change::ReplaceView { from, to } => {
                let change = Change::ReplaceView {
                    from: from.clone(),
                    to: bound_by_name(to, after),
                };
                steps.push(Step::new(change, Phase::CreateView));
            }
            Change::DropView(view) => {
                dropped_views.insert(view.name.clone(), view.clone());
            }
            Change::SetLogged { .. } => persistence_changes.push(change.clone()),
            other => steps.push(Step::new(other.clone(), phases::phase_of(other))),
        }
    }

    // A key is created after the tables and dropped before them, so foreign keys onto a key
    // that this plan adds or drops become steps of their own on the key's side.
    let keyed = tables_with_keys(changes, KeyChange::Added);
    for (table, foreign_key) in detach_foreign_keys_onto(&mut created_tables, &keyed) {
        steps.push(Step::new(
            Change::AddForeignKey { table, foreign_key },
            Phase::AddForeignKey,
        ));
    }
    let unkeyed = tables_with_keys(changes, KeyChange::Dropped);
    for (table, foreign_key) in detach_foreign_keys_onto(&mut dropped_tables, &unkeyed) {
        steps.push(Step::new(
            Change::DropForeignKey { table, foreign_key },
            Phase::DropForeignKey,
        ));
    }

    let planned_functions: BTreeSet<&str> = changes
        .iter()
        .filter_map(|change| match change {
            Change::CreateFunction { function, .. }
            | Change::DropFunction { function, .. }
            | Change::AlterFunction { to: function, .. } => Some(function.name.name.as_str()),
            _ => None,
        })
        .collect();
    steps.extend(types::ordered(&type_changes, &planned_functions));
    for change in sort_persistence_changes(persistence_changes) {
        steps.push(Step::new(change, Phase::SetLogged));
    }

    let (creation_order, cycle_keys) = sort_by_foreign_keys(created_tables);
    for table in creation_order {
        steps.push(Step::new(Change::CreateTable(table), Phase::CreateTable));
    }
    for (table, foreign_key) in cycle_keys {
        steps.push(Step::new(
            Change::AddForeignKey { table, foreign_key },
            Phase::AddForeignKey,
        ));
    }

    let (creation_order, cycle_keys) = sort_by_foreign_keys(dropped_tables);
    for (table, foreign_key) in cycle_keys {
        steps.push(Step::new(
            Change::DropForeignKey { table, foreign_key },
            Phase::DropForeignKey,
        ));
    }
    for table in creation_order.into_iter().rev() {
        steps.push(Step::new(Change::DropTable(table), Phase::DropTable));
    }

    // In name order (drops reversed) here; `views_and_routines` orders them by what they
    // need.
    for view in created_views.into_values() {
        steps.push(Step::new(Change::CreateView(view), Phase::CreateView));
    }
    for view in dropped_views.into_values().rev() {
        steps.push(Step::new(Change::DropView(view), Phase::DropView));
    }

    let created_collations: BTreeSet<&QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Collation(CollationChange::Create(collation)) => Some(&collation.name),
            _ => None,
        })
        .collect();
    for step in &mut steps {
        if let Change::Collation(CollationChange::Drop(collation)) = &step.change {
            if created_collations.contains(&collation.name) {
                step.phase = Phase::DropReplacedCollation;
            }
        }
    }
    around::generations_around_columns(&mut steps);
    around::defaults_around_column_sequences(before, after, &mut steps);
    around::ranges_and_aggregates(changes, &mut steps);
    around::defaults_on_rebuilt_types(changes, &mut steps);
    around::routines_over_dropped_aggregates(&mut steps);
    overloads::drop_replaced_overloads_early(changes, &mut steps);
    views_and_routines::order_by_dependencies(&mut steps);
    defaults::around_routines(&mut steps);
    callers::around_routines(&mut steps);
    for step in &mut steps {
        if let Change::AlterEnum {
            from,
            to,
            new_value_used: true,
            ..
        } = &step.change
        {
            if !removes_or_moves_values(from, to) {
                step.form = Form::OutsideTransaction;
            }
        }
    }
    if let Mode::Online {
        backfill_batch_size,
    } = mode
    {
        let created_tables: BTreeSet<QualifiedName> = changes
            .iter()
            .filter_map(|change| match change {
                Change::CreateTable(table) => Some(table.name.clone()),
                _ => None,
            })
            .collect();
        let mut taken = TakenNames::new(before, after);
        steps = online::rewrite(steps, &created_tables, backfill_batch_size, &mut taken);
    }
    steps.sort_by_key(|step| step.phase);
    Plan { steps }
}

/// A logged table may reference only logged tables: tables become logged after the tables
/// they reference, and unlogged before them (a stable depth-first sort over names).
fn sort_persistence_changes(changes: Vec<Change>) -> Vec<Change> {
    fn visit(
        name: &QualifiedName,
        by_table: &BTreeMap<QualifiedName, (bool, Vec<QualifiedName>)>,
        visited: &mut BTreeSet<QualifiedName>,
        order: &mut Vec<QualifiedName>,
    ) {
        if !visited.insert(name.clone()) {
            return;
        }
        if let Some((_, references)) = by_table.get(name) {
            for referenced in references {
                visit(referenced, by_table, visited, order);
            }
            order.push(name.clone());
        }
    }
    let by_table: BTreeMap<QualifiedName, (bool, Vec<QualifiedName>)> = changes
        .iter()
        .filter_map(|change| match change {
            Change::SetLogged {
                table,
                logged,
                references,
            } => Some((table.clone(), (*logged, references.clone()))),
            _ => None,
        })
        .collect();
    let mut referenced_first = Vec::new();
    let mut visited = BTreeSet::new();
    for name in by_table.keys() {
        visit(name, &by_table, &mut visited, &mut referenced_first);
    }
    let becomes_logged =
        |name: &QualifiedName| by_table.get(name).is_some_and(|(logged, _)| *logged);
    let logged = referenced_first.iter().filter(|name| becomes_logged(name));
    let unlogged = referenced_first
        .iter()
        .rev()
        .filter(|name| !becomes_logged(name));
    let mut by_name: BTreeMap<QualifiedName, Change> = changes
        .into_iter()
        .filter_map(|change| match &change {
            Change::SetLogged { table, .. } => Some((table.clone(), change)),
            _ => None,
        })
        .collect();
    logged
        .chain(unlogged)
        .filter_map(|name| by_name.remove(name))
        .collect()
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum KeyChange {
    Added,
    Dropped,
}

/// Tables on which `changes` add (or drop) a primary key, a unique constraint or a unique
/// index: what a foreign key can reference.
fn tables_with_keys(changes: &[Change], wanted: KeyChange) -> BTreeSet<QualifiedName> {
    changes
        .iter()
        .filter_map(|change| match (change, wanted) {
            (Change::AddPrimaryKey { table, .. }, KeyChange::Added)
            | (Change::AddUnique { table, .. }, KeyChange::Added)
            | (Change::DropPrimaryKey { table, .. }, KeyChange::Dropped)
            | (Change::DropUnique { table, .. }, KeyChange::Dropped) => Some(table.clone()),
            (Change::CreateIndex { table, index }, KeyChange::Added)
            | (Change::DropIndex { table, index }, KeyChange::Dropped)
                if index.unique =>
            {
                Some(table.clone())
            }
            _ => None,
        })
        .collect()
}

/// Takes the foreign keys onto `referenced` tables out of `tables`.
fn detach_foreign_keys_onto(
    tables: &mut [Table],
    referenced: &BTreeSet<QualifiedName>,
) -> Vec<(QualifiedName, ForeignKey)> {
    let mut detached = Vec::new();
    for table in tables {
        let names: Vec<String> = table
            .foreign_keys
            .values()
            .filter(|foreign_key| referenced.contains(&foreign_key.referenced_table))
            .map(|foreign_key| foreign_key.name.clone())
            .collect();
        for name in names {
            if let Some(foreign_key) = table.foreign_keys.remove(&name) {
                detached.push((table.name.clone(), foreign_key));
            }
        }
    }
    detached
}

/// `view` (from `after`) without the alias lists that would bind a function's composite
/// result by position (`function_aliases`): the columns may stand in another order where it
/// is created (a column dropped and added again comes last).
fn bound_by_name(view: &View, after: &Schema) -> View {
    let definition = without_default_aliases(view.definition.as_str(), after);
    View {
        definition: Expr::new(definition),
        ..view.clone()
    }
}

/// Orders tables so that each comes after its partition or inheritance parents and the
/// tables its foreign keys reference (a stable depth-first sort over names). A key onto a table that comes later (it closes a cycle) is
/// taken out of its table and returned separately, to be added after all the tables.
fn sort_by_foreign_keys(tables: Vec<Table>) -> (Vec<Table>, Vec<(QualifiedName, ForeignKey)>) {
    let mut by_name: BTreeMap<QualifiedName, Table> = tables
        .into_iter()
        .map(|table| (table.name.clone(), table))
        .collect();
    let mut order: Vec<QualifiedName> = Vec::new();
    let mut visited = BTreeSet::new();
    for name in by_name.keys() {
        visit(name, &by_name, &mut visited, &mut order);
    }

    let position: BTreeMap<&QualifiedName, usize> = order
        .iter()
        .enumerate()
        .map(|(position, name)| (name, position))
        .collect();
    let mut cycle_keys = Vec::new();
    for (table_position, name) in order.iter().enumerate() {
        let Some(table) = by_name.get_mut(name) else {
            continue;
        };
        let closes_cycle: Vec<String> = table
            .foreign_keys
            .values()
            .filter(|foreign_key| {
                position
                    .get(&foreign_key.referenced_table)
                    .is_some_and(|&referenced| referenced > table_position)
            })
            .map(|foreign_key| foreign_key.name.clone())
            .collect();
        for key_name in closes_cycle {
            if let Some(foreign_key) = table.foreign_keys.remove(&key_name) {
                cycle_keys.push((name.clone(), foreign_key));
            }
        }
    }
    let ordered = order
        .iter()
        .filter_map(|name| by_name.remove(name))
        .collect();
    (ordered, cycle_keys)
}

fn visit(
    name: &QualifiedName,
    tables: &BTreeMap<QualifiedName, Table>,
    visited: &mut BTreeSet<QualifiedName>,
    order: &mut Vec<QualifiedName>,
) {
    if !visited.insert(name.clone()) {
        return;
    }
    if let Some(table) = tables.get(name) {
        let referenced = table
            .parents()
            .into_iter()
            .chain(table.foreign_keys.values().map(|key| &key.referenced_table));
        for referenced in referenced {
            if tables.contains_key(referenced) {
                visit(referenced, tables, visited, order);
            }
        }
    }
    order.push(name.clone());
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Deferrable, MatchType, ReferentialAction};

    fn table_referencing(name: &str, referenced: &[&str]) -> Table {
        let mut table = Table::new(QualifiedName::new("public", name));
        for target in referenced {
            let key_name = format!("{name}_{target}_fkey");
            table.foreign_keys.insert(
                key_name.clone(),
                ForeignKey {
                    name: key_name,
                    columns: vec![format!("{target}_id")],
                    referenced_table: QualifiedName::new("public", *target),
                    referenced_columns: vec!["id".into()],
                    on_delete: ReferentialAction::NoAction,
                    on_update: ReferentialAction::NoAction,
                    deferrable: Deferrable::NotDeferrable,
                    match_type: MatchType::Simple,
                    valid: true,
                    comment: None,
                },
            );
        }
        table
    }

    fn created_names(plan: &Plan) -> Vec<String> {
        plan.steps
            .iter()
            .filter_map(|step| match &step.change {
                Change::CreateTable(table) => Some(table.name.name.clone()),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn referenced_tables_are_created_first() {
        let changes = vec![
            Change::CreateTable(table_referencing("a_enrollments", &["students"])),
            Change::CreateTable(table_referencing("students", &["departments"])),
            Change::CreateTable(table_referencing("departments", &[])),
        ];
        let plan = build(&changes, Mode::Transactional);
        assert_eq!(
            created_names(&plan),
            ["departments", "students", "a_enrollments"]
        );
    }

    #[test]
    fn a_cycle_is_broken_by_a_separate_foreign_key() {
        let changes = vec![
            Change::CreateTable(table_referencing("a", &["b"])),
            Change::CreateTable(table_referencing("b", &["a"])),
            Change::CreateTable(table_referencing("c", &["c"])),
        ];
        let plan = build(&changes, Mode::Transactional);
        assert_eq!(created_names(&plan), ["b", "a", "c"]);
        let separate: Vec<_> = plan
            .steps
            .iter()
            .filter_map(|step| match &step.change {
                Change::AddForeignKey { foreign_key, .. } => Some(foreign_key.name.as_str()),
                _ => None,
            })
            .collect();
        assert_eq!(separate, ["b_a_fkey"]);

        let drops = build(
            &changes.iter().map(Change::inverse).collect::<Vec<_>>(),
            Mode::Transactional,
        );
        let kinds: Vec<_> = drops
            .steps
            .iter()
            .map(|step| match &step.change {
                Change::DropForeignKey { foreign_key, .. } => foreign_key.name.clone(),
                Change::DropTable(table) => table.name.name.clone(),
                other => format!("{other:?}"),
            })
            .collect();
        assert_eq!(kinds, ["b_a_fkey", "c", "a", "b"]);
    }
}
