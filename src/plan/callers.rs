//! Checks, exclusion constraints and indexes that call a routine the plan drops or creates
//! (`diff::recreated_users` drops and creates again the kept ones around a routine dropped
//! and created again): which ones call which routine comes from the dependency graph. Their
//! phases alone would drop them after a routine `DROP`ped and `CREATE`d in one step, or add
//! them before a routine created once the tables have changed.

use std::collections::BTreeMap;

use super::defaults::created_and_dropped_routines;
use super::{Phase, Step};
use crate::dependencies::Graph;
use crate::diff::Change;
use crate::model::{Function, ObjectRef, QualifiedName, Schema, Table};

/// A drop calling a routine dropped no later than it goes with the drops of dependents
/// (`Phase::DropView`); a creation calling a routine created no earlier goes in that
/// routine's phase, after it.
pub(super) fn around_routines(steps: &mut Vec<Step>) {
    let (created, dropped) = created_and_dropped_routines(steps);
    for (routines, side) in [(dropped, Side::Drop), (created, Side::Create)] {
        if routines.is_empty() {
            continue;
        }
        let phases = called_phases(steps, &routines, side);
        let mut moved = Vec::new();
        for (index, phase) in phases {
            let step = &mut steps[index];
            match side {
                Side::Drop if phase <= step.phase => step.phase = Phase::DropView,
                Side::Create if phase >= step.phase => {
                    step.phase = phase;
                    moved.push(index);
                }
                _ => {}
            }
        }
        // After the routine within its phase: the sort by phase is stable.
        for index in moved.into_iter().rev() {
            let step = steps.remove(index);
            steps.push(step);
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Side {
    Drop,
    Create,
}

/// For each step of `side` adding or dropping a check, exclusion constraint or index that
/// calls one of `routines`, the latest phase among those routines.
fn called_phases(
    steps: &[Step],
    routines: &[(Function, Phase)],
    side: Side,
) -> Vec<(usize, Phase)> {
    let mut schema = Schema::default();
    for (function, _) in routines {
        schema
            .functions
            .insert(function.name.clone(), function.clone());
    }
    let mut users: BTreeMap<ObjectRef, usize> = BTreeMap::new();
    for (index, step) in steps.iter().enumerate() {
        let object = match (&step.change, side) {
            (Change::DropCheck { table, check }, Side::Drop)
            | (Change::AddCheck { table, check }, Side::Create) => {
                holder(&mut schema, table)
                    .checks
                    .insert(check.name.clone(), check.clone());
                ObjectRef::Constraint(table.clone(), check.name.clone())
            }
            (Change::DropExclusion { table, exclusion }, Side::Drop)
            | (Change::AddExclusion { table, exclusion }, Side::Create) => {
                holder(&mut schema, table)
                    .exclusions
                    .insert(exclusion.name.clone(), exclusion.clone());
                ObjectRef::Constraint(table.clone(), exclusion.name.clone())
            }
            (
                Change::DropIndex {
                    table,
                    index: dropped,
                },
                Side::Drop,
            )
            | (
                Change::CreateIndex {
                    table,
                    index: dropped,
                },
                Side::Create,
            ) => {
                holder(&mut schema, table)
                    .indexes
                    .insert(dropped.name.clone(), dropped.clone());
                ObjectRef::Index(table.clone(), dropped.name.clone())
            }
            _ => continue,
        };
        users.insert(object, index);
    }
    if users.is_empty() {
        return Vec::new();
    }
    let graph = Graph::of(&schema);
    let mut phases: BTreeMap<usize, Phase> = BTreeMap::new();
    for (function, phase) in routines {
        let callers = graph.dependents_of(&[ObjectRef::Function(function.name.clone())].into());
        for index in callers.iter().filter_map(|caller| users.get(caller)) {
            let latest = phases.entry(*index).or_insert(*phase);
            *latest = (*latest).max(*phase);
        }
    }
    phases.into_iter().collect()
}

fn holder<'a>(schema: &'a mut Schema, table: &QualifiedName) -> &'a mut Table {
    schema
        .tables
        .entry(table.clone())
        .or_insert_with(|| Table::new(table.clone()))
}
