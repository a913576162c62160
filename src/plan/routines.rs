//! Routines created or dropped by one plan, in call order. PostgreSQL parses a SQL-standard
//! body (`RETURN ...`, `BEGIN ATOMIC`) when it is created and records the routines it calls,
//! so a callee is created before its callers and dropped after them; other bodies are
//! opaque (`check_function_bodies` is off while applying).

use std::collections::{BTreeMap, BTreeSet};

use super::Step;
use crate::diff::Change;
use crate::model::{Function, FunctionBody};
use crate::references::words;

/// Reorders the steps that create (or replace) routines so callees come first, in the
/// slots those steps held, and moves a caller to its callees' phase when that is later;
/// the steps that drop routines, callers first. The stable sort by phase then keeps this
/// order within each phase.
pub(super) fn order_by_calls(steps: &mut [Step]) {
    reorder(steps, Direction::Create, |step| match &step.change {
        Change::CreateFunction { function, .. } | Change::AlterFunction { to: function, .. } => {
            Some(function)
        }
        _ => None,
    });
    reorder(steps, Direction::Drop, |step| match &step.change {
        Change::DropFunction { function, .. } => Some(function),
        _ => None,
    });
}

#[derive(PartialEq)]
enum Direction {
    Create,
    Drop,
}

fn reorder(steps: &mut [Step], direction: Direction, routine: impl Fn(&Step) -> Option<&Function>) {
    let picked: Vec<(usize, &Function)> = steps
        .iter()
        .enumerate()
        .filter_map(|(slot, step)| routine(step).map(|function| (slot, function)))
        .collect();
    if picked.len() < 2 {
        return;
    }
    let mut by_name: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (index, (_, function)) in picked.iter().enumerate() {
        by_name.entry(&function.name.name).or_default().push(index);
    }
    // Which one of the same name a call picks the model does not say: all of them.
    let callees: Vec<BTreeSet<usize>> = picked
        .iter()
        .enumerate()
        .map(|(index, (_, function))| match &function.body {
            FunctionBody::Sql(body) => words(body)
                .iter()
                .filter_map(|word| by_name.get(word.as_str()))
                .flatten()
                .copied()
                .filter(|callee| *callee != index)
                .collect(),
            FunctionBody::Source(_) => BTreeSet::new(),
        })
        .collect();
    let slots: Vec<usize> = picked.iter().map(|(slot, _)| *slot).collect();
    // What goes first: a creation's callees, a drop's callers.
    let first: Vec<BTreeSet<usize>> = match direction {
        Direction::Create => callees,
        Direction::Drop => {
            let mut callers = vec![BTreeSet::new(); slots.len()];
            for (caller, called) in callees.iter().enumerate() {
                for callee in called {
                    callers[*callee].insert(caller);
                }
            }
            callers
        }
    };
    let mut order = Vec::with_capacity(slots.len());
    let mut visited = vec![false; slots.len()];
    for index in 0..slots.len() {
        visit(index, &first, &mut visited, &mut order);
    }
    let mut phases: Vec<_> = slots.iter().map(|slot| steps[*slot].phase).collect();
    if direction == Direction::Create {
        for index in &order {
            let latest = first[*index].iter().map(|callee| phases[*callee]).max();
            phases[*index] = phases[*index].max(latest.unwrap_or(phases[*index]));
        }
    }
    let mut moved: Vec<Step> = order
        .iter()
        .map(|index| {
            let mut step = steps[slots[*index]].clone();
            step.phase = phases[*index];
            step
        })
        .collect();
    for (slot, step) in slots.iter().zip(moved.drain(..)) {
        steps[*slot] = step;
    }
}

/// Depth-first, `first[index]` before `index`, otherwise in the steps' order; a call cycle
/// (only possible through overloads of one name) is cut where it closes.
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
