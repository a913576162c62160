//! Views and routines created or dropped by one plan, in one order from the dependency graph
//! (`Graph::with_routine_reads`): a view after the views it reads and the routines it calls,
//! a routine after the views its signature or SQL-standard body reads and the routines that
//! body calls (PostgreSQL parses such a body when it is created; other bodies are opaque, as
//! `check_function_bodies` is off while applying). Drops go the other way.

use std::collections::BTreeSet;

use super::{Phase, Step};
use crate::dependencies::Graph;
use crate::diff::Change;
use crate::model::{Function, ObjectRef, Schema, View};

/// Reorders the steps that create (or replace) views and routines so that what each needs
/// comes first, in the slots those steps held, and moves a step to the latest phase of what
/// it needs; the steps that drop them, what needs an object first, an object no earlier than
/// the drops of what needs it. The phases, then the steps' order, break ties; the stable sort
/// by phase then keeps this order within each phase.
pub(super) fn order_by_dependencies(steps: &mut [Step]) {
    reorder(steps, Direction::Create, |step| match &step.change {
        Change::CreateView(view) | Change::ReplaceView { to: view, .. } => {
            Some(Planned::View(view))
        }
        Change::CreateFunction { function, .. } | Change::AlterFunction { to: function, .. } => {
            Some(Planned::Routine(function))
        }
        _ => None,
    });
    reorder(steps, Direction::Drop, |step| match &step.change {
        Change::DropView(view) => Some(Planned::View(view)),
        Change::DropFunction { function, .. } => Some(Planned::Routine(function)),
        _ => None,
    });
}

#[derive(PartialEq)]
enum Direction {
    Create,
    Drop,
}

enum Planned<'a> {
    View(&'a View),
    Routine(&'a Function),
}

fn reorder(steps: &mut [Step], direction: Direction, planned: impl Fn(&Step) -> Option<Planned>) {
    let mut picked: Vec<(usize, Planned)> = steps
        .iter()
        .enumerate()
        .filter_map(|(slot, step)| planned(step).map(|object| (slot, object)))
        .collect();
    if picked.len() < 2 {
        return;
    }
    picked.sort_by_key(|(slot, _)| (steps[*slot].phase, *slot));
    // The objects alone: a graph of what the plan creates (drops) links only them.
    let mut schema = Schema::default();
    let objects: Vec<ObjectRef> = picked
        .iter()
        .map(|(_, object)| match object {
            Planned::View(view) => {
                schema.views.insert(view.name.clone(), (*view).clone());
                ObjectRef::View(view.name.clone())
            }
            Planned::Routine(function) => {
                schema
                    .functions
                    .insert(function.name.clone(), (*function).clone());
                ObjectRef::Function(function.name.clone())
            }
        })
        .collect();
    let needed = Graph::with_routine_reads(&schema).needed_among(&objects);
    // What goes first: a creation's needs, a drop's dependents.
    let first: Vec<BTreeSet<usize>> = match direction {
        Direction::Create => needed,
        Direction::Drop => {
            let mut dependents = vec![BTreeSet::new(); objects.len()];
            for (dependent, needs) in needed.iter().enumerate() {
                for referenced in needs {
                    dependents[*referenced].insert(dependent);
                }
            }
            dependents
        }
    };
    let mut order = Vec::with_capacity(objects.len());
    let mut visited = vec![false; objects.len()];
    for index in 0..objects.len() {
        visit(index, &first, &mut visited, &mut order);
    }
    let mut phases: Vec<Phase> = picked.iter().map(|(slot, _)| steps[*slot].phase).collect();
    for index in &order {
        let latest = first[*index].iter().map(|before| phases[*before]).max();
        phases[*index] = phases[*index].max(latest.unwrap_or(phases[*index]));
    }
    let mut slots: Vec<usize> = picked.iter().map(|(slot, _)| *slot).collect();
    let moved: Vec<Step> = order
        .iter()
        .map(|index| {
            let mut step = steps[slots[*index]].clone();
            step.phase = phases[*index];
            step
        })
        .collect();
    slots.sort_unstable();
    for (slot, step) in slots.into_iter().zip(moved) {
        steps[slot] = step;
    }
}

/// Depth-first, `first[index]` before `index`, otherwise in the given order; a cycle (only
/// possible through overloads of one name, or a guess from a word of a body) is cut where it
/// closes.
fn visit(index: usize, first: &[BTreeSet<usize>], visited: &mut [bool], order: &mut Vec<usize>) {
    if visited[index] {
        return;
    }
    visited[index] = true;
    for before in &first[index] {
        visit(*before, first, visited, order);
    }
    order.push(index);
}
