//! Column defaults that change to or from calling a routine the plan creates, drops or
//! creates again (`DROP` and `CREATE` of a routine `CREATE OR REPLACE` cannot change): which
//! defaults call which routine comes from the dependency graph (`Graph::defaults_calling`).
//! PostgreSQL resolves a default's calls when it is set and records them, so a new default is
//! set once its routines exist, and an old one taken off before they are dropped.

use std::collections::{BTreeMap, BTreeSet};

use super::{Phase, Step};
use crate::dependencies::Graph;
use crate::diff::{Change, ColumnHints};
use crate::model::{Column, Function, FunctionName, ObjectRef, QualifiedName, Schema, Table};

/// Splits the default out of a column change whose new default calls a routine created in a
/// later phase (set in that phase, after the routine), or whose old default calls one dropped
/// no later than the change (taken off with the drops of dependents, `Phase::DropView`); a
/// new or dropped table's default likewise (`defaults_of_new_and_dropped_tables`).
pub(super) fn around_routines(steps: &mut Vec<Step>) {
    let (created, dropped) = created_and_dropped_routines(steps);
    if created.is_empty() && dropped.is_empty() {
        return;
    }
    let new_calls = default_calls(steps, &created, Side::New);
    let old_calls = default_calls(steps, &dropped, Side::Old);
    let mut added = defaults_of_new_and_dropped_tables(steps, &created, &dropped);
    for (index, step) in steps.iter_mut().enumerate() {
        let step_phase = step.phase;
        let Change::AlterColumn {
            table, from, to, ..
        } = &mut step.change
        else {
            continue;
        };
        let phase_of_calls = |calls: &BTreeMap<usize, BTreeSet<usize>>,
                              phases: &[(Function, Phase)]| {
            calls
                .get(&index)
                .into_iter()
                .flatten()
                .map(|routine| phases[*routine].1)
                .collect::<Vec<_>>()
        };
        let set_after = phase_of_calls(&new_calls, &created)
            .into_iter()
            .filter(|phase| *phase >= step_phase)
            .max();
        let taken_off = phase_of_calls(&old_calls, &dropped)
            .into_iter()
            .any(|phase| phase <= step_phase);
        if taken_off {
            let without_default = Column {
                default: None,
                ..from.clone()
            };
            added.push(Step::new(
                default_change(table, from.clone(), without_default.clone()),
                Phase::DropView,
            ));
            *from = without_default;
        }
        if let Some(phase) = set_after {
            let without_new_default = Column {
                default: from.default.clone(),
                ..to.clone()
            };
            added.push(Step::new(
                default_change(table, without_new_default.clone(), to.clone()),
                phase,
            ));
            *to = without_new_default;
        }
    }
    steps
        .retain(|step| !matches!(&step.change, Change::AlterColumn { from, to, .. } if from == to));
    steps.extend(added);
}

/// Routines, each with the latest phase a plan creates (drops) it in.
pub(super) type RoutinePhases = Vec<(Function, Phase)>;

/// The routines the steps create (`CREATE`, or `DROP` and `CREATE` in one step) and those
/// they drop, each with the latest phase it is created (dropped) in.
pub(super) fn created_and_dropped_routines(steps: &[Step]) -> (RoutinePhases, RoutinePhases) {
    let created = routine_phases(steps, |change| match change {
        Change::CreateFunction { function, .. } => Some(function),
        Change::AlterFunction { from, to, .. } if !from.replaceable_by(to) => Some(to),
        _ => None,
    });
    let dropped = routine_phases(steps, |change| match change {
        Change::DropFunction { function, .. } => Some(function),
        Change::AlterFunction { from, to, .. } if !from.replaceable_by(to) => Some(from),
        _ => None,
    });
    (created, dropped)
}

/// A table the plan creates before a routine its column default calls (one whose
/// SQL-standard body reads a table, say) is created without that default, which is set in
/// the routine's phase, after it; a table dropped after such a routine has that default
/// taken off with the drops of dependents. Returns those steps.
fn defaults_of_new_and_dropped_tables(
    steps: &mut [Step],
    created: &[(Function, Phase)],
    dropped: &[(Function, Phase)],
) -> Vec<Step> {
    let mut added = Vec::new();
    for step in steps.iter_mut() {
        let step_phase = step.phase;
        let (table, side, routines) = match &mut step.change {
            Change::CreateTable(table) => (table, Side::New, created),
            Change::DropTable(table) => (table, Side::Old, dropped),
            _ => continue,
        };
        let in_the_way = |phase: &Phase| match side {
            Side::New => *phase >= step_phase,
            Side::Old => *phase <= step_phase,
        };
        let routines: Vec<&(Function, Phase)> = routines
            .iter()
            .filter(|(_, phase)| in_the_way(phase))
            .collect();
        if routines.is_empty() || table.columns.iter().all(|column| column.default.is_none()) {
            continue;
        }
        let mut schema = Schema::default();
        for (function, _) in &routines {
            schema
                .functions
                .insert(function.name.clone(), function.clone());
        }
        schema.tables = BTreeMap::from([(table.name.clone(), table.clone())]);
        let graph = Graph::of(&schema);
        let mut calling: BTreeMap<String, Phase> = BTreeMap::new();
        for (function, phase) in routines {
            let routine = ObjectRef::Function(function.name.clone());
            for column in graph.defaults_calling(&[routine].into()) {
                if let ObjectRef::Column(_, name) = column {
                    let latest = calling.entry(name).or_insert(*phase);
                    *latest = (*latest).max(*phase);
                }
            }
        }
        for (name, phase) in calling {
            let Some(column) = table.columns.iter().find(|column| column.name == name) else {
                continue;
            };
            let bare = Column {
                default: None,
                ..column.clone()
            };
            added.push(match side {
                Side::New => Step::new(
                    default_change(&table.name, bare.clone(), column.clone()),
                    phase,
                ),
                Side::Old => Step::new(
                    default_change(&table.name, column.clone(), bare.clone()),
                    Phase::DropView,
                ),
            });
            if side == Side::New {
                if let Some(column) = table.columns.iter_mut().find(|column| column.name == name) {
                    *column = bare;
                }
            }
        }
    }
    added
}

fn default_change(table: &QualifiedName, from: Column, to: Column) -> Change {
    Change::AlterColumn {
        table: table.clone(),
        from,
        to,
        hints: ColumnHints::default(),
        inverse_hints: ColumnHints::default(),
    }
}

/// The routines `routine` picks out of the steps, each with the latest phase it is picked in.
fn routine_phases(
    steps: &[Step],
    routine: impl Fn(&Change) -> Option<&Function>,
) -> Vec<(Function, Phase)> {
    let mut phases: BTreeMap<&FunctionName, (&Function, Phase)> = BTreeMap::new();
    for step in steps {
        if let Some(function) = routine(&step.change) {
            let entry = phases
                .entry(&function.name)
                .or_insert((function, step.phase));
            entry.1 = entry.1.max(step.phase);
        }
    }
    phases
        .into_values()
        .map(|(function, phase)| (function.clone(), phase))
        .collect()
}

/// Which default of a column change: the one it takes off, or the one it sets.
#[derive(Clone, Copy, PartialEq)]
enum Side {
    Old,
    New,
}

/// For each column change (by step index) that changes its default, the routines of
/// `routines` (indices) its `side` default calls, from the graph of that column alone with
/// the routines (a column may change twice, once around a type rebuild).
fn default_calls(
    steps: &[Step],
    routines: &[(Function, Phase)],
    side: Side,
) -> BTreeMap<usize, BTreeSet<usize>> {
    let mut calls = BTreeMap::new();
    if routines.is_empty() {
        return calls;
    }
    let mut schema = Schema::default();
    for (function, _) in routines {
        schema
            .functions
            .insert(function.name.clone(), function.clone());
    }
    for (index, step) in steps.iter().enumerate() {
        let Change::AlterColumn {
            table, from, to, ..
        } = &step.change
        else {
            continue;
        };
        if from.default == to.default {
            continue;
        }
        let column = match side {
            Side::Old => from,
            Side::New => to,
        };
        let mut holder = Table::new(table.clone());
        holder.columns.push(column.clone());
        schema.tables = BTreeMap::from([(table.clone(), holder)]);
        let graph = Graph::of(&schema);
        let called: BTreeSet<usize> = routines
            .iter()
            .enumerate()
            .filter(|(_, (function, _))| {
                !graph
                    .defaults_calling(&[ObjectRef::Function(function.name.clone())].into())
                    .is_empty()
            })
            .map(|(routine, _)| routine)
            .collect();
        if !called.is_empty() {
            calls.insert(index, called);
        }
    }
    calls
}
