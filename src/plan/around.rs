//! Range types and aggregates placed around what they are built on: the functions a range
//! type calls, and the types a plan rebuilds under them (which they are dropped before and
//! created again after, `diff::rebuild_dependents`), and column defaults calling routines
//! created again around a rebuild, and routines whose SQL-standard body calls an aggregate
//! the plan drops; generated columns around the columns they read.

use std::collections::BTreeSet;

use super::{Phase, Step};
use crate::dependencies::Graph;
use crate::diff::{
    rebuilt_types, AggregateChange, Change, FunctionPlacement, RangeChange, TypeChange,
};
use crate::model::{storage_type, Column, ObjectRef, QualifiedName, RangeType, Schema};
use crate::references::{mentions, nextval_sequence, words};
use crate::syntax::names::column_sequence_name;
use crate::syntax::types::names_type;

/// A generated column whose expression reads a column the plan drops stops reading it
/// first (its drop, `DROP EXPRESSION` or new generation moves to `BeforeDropColumn`), and one
/// that starts reading a column the plan adds does so once it is there (`AfterAddColumn`).
pub(super) fn generations_around_columns(steps: &mut [Step]) {
    let columns = |dropped: bool| -> BTreeSet<(QualifiedName, String)> {
        steps
            .iter()
            .filter_map(|step| match (&step.change, dropped) {
                (Change::DropColumn { table, column, .. }, true)
                | (Change::AddColumn { table, column, .. }, false) => {
                    Some((table.clone(), column.name.clone()))
                }
                _ => None,
            })
            .collect()
    };
    let (dropped, added) = (columns(true), columns(false));
    let reads = |columns: &BTreeSet<(QualifiedName, String)>,
                 table: &QualifiedName,
                 column: &Column| {
        column.generated.as_ref().is_some_and(|expression| {
            columns.iter().any(|(other_table, name)| {
                other_table == table && *name != column.name && mentions(expression.as_str(), name)
            })
        })
    };
    for step in steps.iter_mut() {
        let phase = match &step.change {
            Change::DropColumn { table, column, .. } if reads(&dropped, table, column) => {
                Phase::BeforeDropColumn
            }
            Change::AddColumn { table, column, .. } if reads(&added, table, column) => {
                Phase::AfterAddColumn
            }
            Change::AlterColumn {
                table, from, to, ..
            } if from.generated != to.generated => {
                if reads(&dropped, table, from) {
                    Phase::BeforeDropColumn
                } else if reads(&added, table, to) {
                    Phase::AfterAddColumn
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        step.phase = phase;
    }
}

/// A default calling `nextval` on a sequence that goes with a column the plan drops (the
/// column's `serial` sequence, or one it owns) stops calling it before the column goes; one
/// that starts calling the sequence of a column the plan adds does so once it is there.
pub(super) fn defaults_around_column_sequences(
    before: &Schema,
    after: &Schema,
    steps: &mut [Step],
) {
    let sequences = |dropped: bool| {
        let mut sequences = BTreeSet::new();
        for step in steps.iter() {
            let ((Change::DropColumn { table, column, .. }, true)
            | (Change::AddColumn { table, column, .. }, false)) = (&step.change, dropped)
            else {
                continue;
            };
            if storage_type(&column.data_type) != column.data_type {
                sequences.insert(column_sequence_name(table, &column.name));
            }
            let owner = Some((table.clone(), column.name.clone()));
            let schema = if dropped { before } else { after };
            sequences.extend(
                schema
                    .sequences
                    .values()
                    .filter(|sequence| sequence.owned_by == owner)
                    .map(|sequence| sequence.name.clone()),
            );
        }
        sequences
    };
    let (dropped, added) = (sequences(true), sequences(false));
    let calls = |sequences: &BTreeSet<QualifiedName>, column: &Column| {
        column
            .default
            .as_ref()
            .and_then(|default| nextval_sequence(default.as_str()))
            .is_some_and(|sequence| sequences.contains(&sequence))
    };
    for step in steps.iter_mut() {
        let phase = match &step.change {
            Change::DropColumn { column, .. } if calls(&dropped, column) => Phase::BeforeDropColumn,
            Change::AlterColumn { from, to, .. } if from.default != to.default => {
                if calls(&dropped, from) {
                    Phase::BeforeDropColumn
                } else if calls(&added, to) {
                    Phase::AfterAddColumn
                } else {
                    continue;
                }
            }
            _ => continue,
        };
        step.phase = phase;
    }
}

/// A range type calling a function the plan creates (drops) is created after (dropped
/// before) it; one over a rebuilt type is dropped before the rebuild and created after it,
/// one over a domain the plan creates after the domain;
/// the others go with the types, before the functions that may take them. One dropped and
/// created again is dropped just before. An aggregate over a rebuilt type, or over a range
/// type created after the aggregates, is created after it.
pub(super) fn ranges_and_aggregates(changes: &[Change], steps: &mut [Step]) {
    let functions = |dropped: bool| -> BTreeSet<QualifiedName> {
        changes
            .iter()
            .filter_map(|change| match (change, dropped) {
                (Change::CreateFunction { function, .. }, false)
                | (Change::DropFunction { function, .. }, true)
                | (Change::AlterFunction { to: function, .. }, _) => Some(QualifiedName::new(
                    &function.name.schema,
                    &function.name.name,
                )),
                _ => None,
            })
            .collect()
    };
    let (created, dropped) = (functions(false), functions(true));
    let created_ranges: BTreeSet<&QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Range(RangeChange::Create(range)) => Some(&range.name),
            _ => None,
        })
        .collect();
    let rebuilt = rebuilt_types(changes);
    let over_rebuilt =
        |data_type: &str| rebuilt.iter().any(|(_, name)| names_type(data_type, name));
    let created_domains: Vec<&QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Type(TypeChange::CreateDomain(domain)) => Some(&domain.name),
            _ => None,
        })
        .collect();
    let over_new = |data_type: &str| {
        over_rebuilt(data_type)
            || created_domains
                .iter()
                .any(|name| names_type(data_type, name))
    };
    let calls = |range: &RangeType, functions: &BTreeSet<QualifiedName>| {
        [&range.canonical, &range.subtype_diff]
            .into_iter()
            .flatten()
            .any(|function| functions.contains(function))
    };
    let mut late_ranges = Vec::new();
    for step in steps.iter_mut() {
        match &step.change {
            Change::Range(RangeChange::Create(range)) if over_new(&range.subtype) => {
                step.phase = Phase::CreateRangeOnNewType;
                late_ranges.extend([range.name.clone(), range.multirange_name()]);
            }
            Change::Range(RangeChange::Create(range)) if calls(range, &created) => {
                step.phase = Phase::CreateRangeOnFunctions;
                late_ranges.extend([range.name.clone(), range.multirange_name()]);
            }
            Change::Range(RangeChange::Drop(range)) if over_rebuilt(&range.subtype) => {
                step.phase = Phase::DropRangeOnRebuiltType;
            }
            Change::Range(RangeChange::Drop(range)) if created_ranges.contains(&range.name) => {
                step.phase = Phase::DropReplacedRange;
            }
            Change::Range(RangeChange::Drop(range)) if calls(range, &dropped) => {
                step.phase = Phase::DropRangeOnFunctions;
            }
            _ => {}
        }
    }
    for step in steps.iter_mut() {
        if let Change::Aggregate(AggregateChange::Create(aggregate)) = &step.change {
            let over_late_range =
                |data_type: &str| late_ranges.iter().any(|range| names_type(data_type, range));
            if aggregate
                .types()
                .any(|data_type| over_rebuilt(data_type) || over_late_range(data_type))
            {
                step.phase = Phase::CreateAggregateOnNewType;
            }
        }
    }
}

/// A column default set again around a type rebuild calls a routine created again after it
/// (`diff::recreated_users`): it is set once the routine is back.
pub(super) fn defaults_on_rebuilt_types(changes: &[Change], steps: &mut [Step]) {
    let recreated: BTreeSet<&str> = changes
        .iter()
        .filter_map(|change| match change {
            Change::CreateFunction {
                function,
                placement: FunctionPlacement::AroundTypeRebuild,
            } => Some(function.name.name.as_str()),
            _ => None,
        })
        .collect();
    if recreated.is_empty() {
        return;
    }
    for step in steps.iter_mut() {
        if let Change::AlterColumn { from, to, .. } = &step.change {
            let calls = to.default.as_ref().is_some_and(|default| {
                let words = words(default.as_str());
                recreated.iter().any(|name| words.contains(*name))
            });
            if calls && from.default != to.default {
                step.phase = Phase::SetDefaultOnRebuiltType;
            }
        }
    }
}

/// PostgreSQL refuses to drop an aggregate a SQL-standard body calls: the routines the graph
/// reaches from an aggregate the plan drops (`diff` drops and creates them again around it)
/// go with the drops of dependents, before the aggregates.
pub(super) fn routines_over_dropped_aggregates(steps: &mut [Step]) {
    let mut schema = Schema::default();
    for step in steps.iter() {
        match &step.change {
            Change::Aggregate(AggregateChange::Drop(aggregate)) => {
                schema
                    .aggregates
                    .insert(aggregate.name.clone(), aggregate.clone());
            }
            Change::DropFunction { function, .. } => {
                schema
                    .functions
                    .insert(function.name.clone(), function.clone());
            }
            _ => {}
        }
    }
    if schema.aggregates.is_empty() || schema.functions.is_empty() {
        return;
    }
    let aggregates = schema
        .aggregates
        .keys()
        .map(|name| ObjectRef::Aggregate(name.clone()))
        .collect();
    let callers = Graph::of(&schema).dependents_of(&aggregates);
    for step in steps.iter_mut() {
        if let Change::DropFunction { function, .. } = &step.change {
            if callers.contains(&ObjectRef::Function(function.name.clone())) {
                step.phase = step.phase.min(Phase::DropView);
            }
        }
    }
}
