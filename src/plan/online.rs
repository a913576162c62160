//! Online forms: the steps of a plan rewritten so that no strong lock is held while the
//! server scans or builds, for a busy application (`online = true`).
//!
//! Pure. Tables the plan creates are empty and nobody uses them yet, so their changes keep
//! the plain form. Chooses forms and adds the helper steps they need (a temporary index, a
//! `CHECK (column IS NOT NULL)`); the renderer spells each form.

use std::collections::{BTreeMap, BTreeSet};

use super::{Form, Phase, Step};
use crate::diff::{Change, ColumnHints, RenameTiming, ValidatedConstraint};
use crate::model::{CheckConstraint, Column, Expr, Index, QualifiedName, Schema};
use crate::syntax::names::{choose_name, make_object_name};
use crate::syntax::quote::ident;

/// Names the helper objects of online forms must not take: those of the schemas before and
/// after the plan (an object of either may exist while the helper does) and the helpers
/// already named. Read per schema or table on first use, so a plan with few helpers never
/// walks the whole schema.
pub struct TakenNames<'a> {
    schemas: [&'a Schema; 2],
    relations: BTreeMap<String, BTreeSet<String>>,
    constraints: BTreeMap<QualifiedName, BTreeSet<String>>,
}

impl<'a> TakenNames<'a> {
    pub fn new(before: &'a Schema, after: &'a Schema) -> Self {
        TakenNames {
            schemas: [before, after],
            relations: BTreeMap::new(),
            constraints: BTreeMap::new(),
        }
    }

    /// A relation name in `table`'s schema, as PostgreSQL would choose it (a number after
    /// `label` until the name is free).
    fn relation(&mut self, table: &QualifiedName, name: &str, label: &str) -> String {
        let schemas = self.schemas;
        let taken = self
            .relations
            .entry(table.schema.clone())
            .or_insert_with(|| {
                schemas
                    .iter()
                    .flat_map(|schema| schema.relation_names(&table.schema))
                    .collect()
            });
        choose_free(taken, name, None, label)
    }

    /// A constraint name on `table`, chosen the same way.
    fn constraint(&mut self, table: &QualifiedName, column: &str, label: &str) -> String {
        let schemas = self.schemas;
        let taken = self.constraints.entry(table.clone()).or_insert_with(|| {
            schemas
                .iter()
                .filter_map(|schema| schema.tables.get(table))
                .flat_map(|table| table.constraint_names())
                .collect()
        });
        choose_free(taken, &table.name, Some(column), label)
    }
}

fn choose_free(
    taken: &mut BTreeSet<String>,
    name1: &str,
    name2: Option<&str>,
    label: &str,
) -> String {
    let name = choose_name(
        |candidate| taken.contains(candidate),
        |label| make_object_name(name1, name2, label),
        label,
    );
    taken.insert(name.clone());
    name
}

pub(super) fn rewrite(
    steps: Vec<Step>,
    created_tables: &BTreeSet<QualifiedName>,
    backfill_batch_size: u32,
    taken: &mut TakenNames<'_>,
) -> Vec<Step> {
    let existing = |table: &QualifiedName| !created_tables.contains(table);
    // An index dropped and created under the same name changed its definition: the new one
    // is built under a temporary name, then the old one dropped and the new one renamed.
    let created_indexes: BTreeSet<(QualifiedName, String)> = steps
        .iter()
        .filter_map(|step| match &step.change {
            Change::CreateIndex { table, index } => Some((table.clone(), index.name.clone())),
            _ => None,
        })
        .collect();
    let replaced_indexes: BTreeMap<(QualifiedName, String), Index> = steps
        .iter()
        .filter_map(|step| match &step.change {
            Change::DropIndex { table, index }
                if existing(table)
                    && created_indexes.contains(&(table.clone(), index.name.clone())) =>
            {
                Some(((table.clone(), index.name.clone()), index.clone()))
            }
            _ => None,
        })
        .collect();

    let mut rewritten = Vec::with_capacity(steps.len());
    for step in steps {
        match step.change {
            Change::DropIndex { table, index }
                if replaced_indexes.contains_key(&(table.clone(), index.name.clone())) => {}
            Change::CreateIndex { table, index } if existing(&table) => {
                let Some(old) = replaced_indexes
                    .get(&(table.clone(), index.name.clone()))
                    .cloned()
                else {
                    rewritten.push(concurrently(Change::CreateIndex { table, index }));
                    continue;
                };
                let temporary = taken.relation(&table, &index.name, "autogen_new");
                rewritten.push(concurrently(Change::CreateIndex {
                    table: table.clone(),
                    index: Index {
                        name: temporary.clone(),
                        ..index.clone()
                    },
                }));
                rewritten.push(Step {
                    phase: Phase::CreateIndex,
                    ..concurrently(Change::DropIndex {
                        table: table.clone(),
                        index: old,
                    })
                });
                rewritten.push(Step::new(
                    Change::RenameIndex {
                        table,
                        from: temporary,
                        to: index.name,
                        timing: RenameTiming::BeforeOtherChanges,
                    },
                    Phase::CreateIndex,
                ));
            }
            Change::DropIndex { table, index } if existing(&table) => {
                rewritten.push(concurrently(Change::DropIndex { table, index }));
            }
            Change::AddCheck { table, check } if check.valid && existing(&table) => {
                rewritten.push(Step::new(
                    Change::AddCheck {
                        table: table.clone(),
                        check: CheckConstraint {
                            valid: false,
                            ..check.clone()
                        },
                    },
                    step.phase,
                ));
                rewritten.push(validate(
                    table,
                    ValidatedConstraint::Check(check),
                    Phase::ValidateConstraint,
                ));
            }
            Change::AddForeignKey { table, foreign_key }
                if foreign_key.valid && existing(&table) =>
            {
                let mut not_valid = foreign_key.clone();
                not_valid.valid = false;
                rewritten.push(Step::new(
                    Change::AddForeignKey {
                        table: table.clone(),
                        foreign_key: not_valid,
                    },
                    step.phase,
                ));
                rewritten.push(validate(
                    table,
                    ValidatedConstraint::ForeignKey(foreign_key),
                    Phase::ValidateConstraint,
                ));
            }
            change @ (Change::AddPrimaryKey { .. } | Change::AddUnique { .. })
                if key_table(&change).is_some_and(existing) =>
            {
                rewritten.push(Step {
                    form: Form::UsingIndex,
                    ..Step::new(change, step.phase)
                });
            }
            change @ Change::ValidateConstraint { valid: true, .. } => {
                rewritten.push(Step {
                    form: Form::OwnTransaction,
                    ..Step::new(change, step.phase)
                });
            }
            Change::AddColumn {
                table,
                column,
                backfill: Some(backfill),
                checked_domain,
            } => {
                let nullable = Column {
                    nullable: true,
                    ..column.clone()
                };
                rewritten.push(Step::new(
                    Change::AddColumn {
                        table: table.clone(),
                        column: nullable.clone(),
                        backfill: None,
                        checked_domain,
                    },
                    step.phase,
                ));
                let fill = ColumnHints {
                    backfill: Some(backfill),
                    ..ColumnHints::default()
                };
                rewritten.extend(fill_and_set_not_null(
                    &table,
                    &nullable,
                    &column,
                    fill,
                    backfill_batch_size,
                    taken,
                ));
            }
            change @ Change::AlterColumn { .. } if sets_not_null_in_place(&change) => {
                let Change::AlterColumn {
                    table,
                    from,
                    to,
                    hints,
                    inverse_hints,
                } = change
                else {
                    continue;
                };
                let nullable = Column {
                    nullable: true,
                    ..to.clone()
                };
                if nullable != from {
                    rewritten.push(Step::new(
                        Change::AlterColumn {
                            table: table.clone(),
                            from,
                            to: nullable.clone(),
                            hints: ColumnHints {
                                backfill: None,
                                ..hints.clone()
                            },
                            inverse_hints,
                        },
                        step.phase,
                    ));
                }
                let fill = ColumnHints {
                    backfill: hints.backfill,
                    ..ColumnHints::default()
                };
                rewritten.extend(fill_and_set_not_null(
                    &table,
                    &nullable,
                    &to,
                    fill,
                    backfill_batch_size,
                    taken,
                ));
            }
            change => rewritten.push(Step { change, ..step }),
        }
    }
    rewritten
}

fn key_table(change: &Change) -> Option<&QualifiedName> {
    match change {
        Change::AddPrimaryKey { table, .. } | Change::AddUnique { table, .. } => Some(table),
        _ => None,
    }
}

fn concurrently(change: Change) -> Step {
    let phase = super::phases::phase_of(&change);
    Step {
        form: Form::Concurrently,
        ..Step::new(change, phase)
    }
}

fn validate(table: QualifiedName, constraint: ValidatedConstraint, phase: Phase) -> Step {
    Step {
        form: Form::OwnTransaction,
        ..Step::new(
            Change::ValidateConstraint {
                table,
                constraint,
                valid: true,
            },
            phase,
        )
    }
}

/// A column becoming NOT NULL without a rewrite (which would check NOT NULL as it goes).
fn sets_not_null_in_place(change: &Change) -> bool {
    matches!(change, Change::AlterColumn { table: _, from, to, .. } if from.nullable && !to.nullable)
        && !change.rewrites_column()
}

/// The rows of `nullable` filled in committed batches (with a backfill), then `to`'s NOT
/// NULL proven by a validated helper check, set without a scan, and the check dropped.
fn fill_and_set_not_null(
    table: &QualifiedName,
    nullable: &Column,
    to: &Column,
    fill: ColumnHints,
    backfill_batch_size: u32,
    taken: &mut TakenNames<'_>,
) -> Vec<Step> {
    let mut steps = Vec::new();
    if fill.backfill.is_some() {
        steps.push(Step {
            form: Form::BatchedBackfill(backfill_batch_size),
            ..Step::new(
                Change::AlterColumn {
                    table: table.clone(),
                    from: nullable.clone(),
                    to: to.clone(),
                    hints: fill,
                    inverse_hints: ColumnHints::default(),
                },
                Phase::Backfill,
            )
        });
    }
    if to.nullable {
        return steps;
    }
    let helper = CheckConstraint {
        name: taken.constraint(table, &to.name, "autogen_not_null"),
        expression: Expr::new(format!("{} IS NOT NULL", ident(&to.name))),
        valid: false,
        comment: None,
        no_inherit: false,
    };
    steps.push(Step::new(
        Change::AddCheck {
            table: table.clone(),
            check: helper.clone(),
        },
        Phase::AddNotNullCheck,
    ));
    steps.push(validate(
        table.clone(),
        ValidatedConstraint::Check(CheckConstraint {
            valid: true,
            ..helper.clone()
        }),
        Phase::ValidateNotNullCheck,
    ));
    steps.push(Step {
        form: Form::ProvenNotNull,
        ..Step::new(
            Change::AlterColumn {
                table: table.clone(),
                from: nullable.clone(),
                to: to.clone(),
                hints: ColumnHints::default(),
                inverse_hints: ColumnHints::default(),
            },
            Phase::SetNotNull,
        )
    });
    steps.push(Step::new(
        Change::DropCheck {
            table: table.clone(),
            check: CheckConstraint {
                valid: true,
                ..helper
            },
        },
        Phase::DropNotNullCheck,
    ));
    steps
}
