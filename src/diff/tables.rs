//! One table's parts: columns, keys, checks and indexes matched by name; a changed
//! constraint or index is dropped and added again unless PostgreSQL changes it in place.

use std::collections::BTreeSet;

use super::{triggers, Change, ColumnHints, ValidatedConstraint};
use crate::model::{Constraint, Directives, NameMap, QualifiedName, Table};

pub(super) fn diff_table(
    current: &Table,
    desired: &Table,
    directives: &Directives,
    changes: &mut Vec<Change>,
) {
    let table = &desired.name;

    for desired_column in &desired.columns {
        let key = (table.clone(), desired_column.name.clone());
        let backfill = directives.backfills.get(&key).cloned();
        match current.column(&desired_column.name) {
            None => changes.push(Change::AddColumn {
                table: table.clone(),
                column: desired_column.clone(),
                backfill,
                checked_domain: false,
            }),
            Some(current_column) if current_column == desired_column => {}
            Some(current_column) => {
                let becomes_not_null = current_column.nullable && !desired_column.nullable;
                let type_changes = current_column.data_type != desired_column.data_type;
                let hints = ColumnHints {
                    backfill: backfill.filter(|_| becomes_not_null),
                    using: directives
                        .type_casts
                        .get(&key)
                        .cloned()
                        .filter(|_| type_changes),
                    conversion: None,
                };
                changes.push(Change::AlterColumn {
                    table: table.clone(),
                    from: current_column.clone(),
                    to: desired_column.clone(),
                    hints,
                    inverse_hints: ColumnHints::default(),
                });
            }
        }
    }
    for current_column in &current.columns {
        if desired.column(&current_column.name).is_none() {
            changes.push(Change::DropColumn {
                table: table.clone(),
                column: current_column.clone(),
                backfill: None,
                checked_domain: false,
                only: false,
                left_by_parent: false,
            });
        }
    }

    let primary_key = desired.primary_key.as_ref().map(|primary_key| {
        settle(
            table,
            current.primary_key.as_ref(),
            primary_key,
            &|_| None,
            changes,
        )
    });
    if current.primary_key != primary_key {
        if let Some(primary_key) = &current.primary_key {
            changes.push(Change::DropPrimaryKey {
                table: table.clone(),
                primary_key: primary_key.clone(),
            });
        }
        if let Some(primary_key) = primary_key {
            changes.push(Change::AddPrimaryKey {
                table: table.clone(),
                primary_key,
            });
        }
    }

    diff_named(
        &current.uniques,
        &settle_all(
            table,
            &current.uniques,
            &desired.uniques,
            &|_| None,
            changes,
        ),
        changes,
        |unique| Change::DropUnique {
            table: table.clone(),
            unique: unique.clone(),
        },
        |unique| Change::AddUnique {
            table: table.clone(),
            unique: unique.clone(),
        },
    );
    diff_named(
        &current.foreign_keys,
        &settle_all(
            table,
            &current.foreign_keys,
            &desired.foreign_keys,
            &|foreign_key| Some(ValidatedConstraint::ForeignKey(foreign_key.clone())),
            changes,
        ),
        changes,
        |foreign_key| Change::DropForeignKey {
            table: table.clone(),
            foreign_key: foreign_key.clone(),
        },
        |foreign_key| Change::AddForeignKey {
            table: table.clone(),
            foreign_key: foreign_key.clone(),
        },
    );
    diff_named(
        &current.checks,
        &settle_all(
            table,
            &current.checks,
            &desired.checks,
            &|check| Some(ValidatedConstraint::Check(check.clone())),
            changes,
        ),
        changes,
        |check| Change::DropCheck {
            table: table.clone(),
            check: check.clone(),
        },
        |check| Change::AddCheck {
            table: table.clone(),
            check: check.clone(),
        },
    );
    diff_named(
        &current.exclusions,
        &settle_all(
            table,
            &current.exclusions,
            &desired.exclusions,
            &|_| None,
            changes,
        ),
        changes,
        |exclusion| Change::DropExclusion {
            table: table.clone(),
            exclusion: exclusion.clone(),
        },
        |exclusion| Change::AddExclusion {
            table: table.clone(),
            exclusion: exclusion.clone(),
        },
    );
    // An index that differs only in storage parameters or comment changes in place;
    // diff_named then sees it unchanged.
    let mut desired_indexes = desired.indexes.clone();
    for (name, index) in &mut desired_indexes {
        let Some(current_index) = current.indexes.get(name) else {
            continue;
        };
        let with_current_attributes = crate::model::Index {
            storage_parameters: current_index.storage_parameters.clone(),
            comment: current_index.comment.clone(),
            ..index.clone()
        };
        if with_current_attributes != *current_index {
            continue;
        }
        if current_index.storage_parameters != index.storage_parameters {
            changes.push(Change::AlterIndexParameters {
                table: table.clone(),
                index: name.clone(),
                from: current_index.storage_parameters.clone(),
                to: index.storage_parameters.clone(),
            });
        }
        if current_index.comment != index.comment {
            changes.push(Change::CommentOnIndex {
                table: table.clone(),
                index: name.clone(),
                from: current_index.comment.clone(),
                to: index.comment.clone(),
            });
        }
        *index = current_index.clone();
    }
    diff_named(
        &current.indexes,
        &desired_indexes,
        changes,
        |index| Change::DropIndex {
            table: table.clone(),
            index: index.clone(),
        },
        |index| Change::CreateIndex {
            table: table.clone(),
            index: index.clone(),
        },
    );

    if current.storage_parameters != desired.storage_parameters {
        changes.push(Change::AlterTableParameters {
            table: table.clone(),
            from: current.storage_parameters.clone(),
            to: desired.storage_parameters.clone(),
        });
    }
    if current.unlogged != desired.unlogged {
        let references = current
            .foreign_keys
            .values()
            .filter(|foreign_key| {
                desired
                    .foreign_keys
                    .get(&foreign_key.name)
                    .is_some_and(|desired| desired.same_definition(foreign_key))
            })
            .map(|foreign_key| foreign_key.referenced_table.clone())
            .filter(|referenced| referenced != table)
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        changes.push(Change::SetLogged {
            table: table.clone(),
            logged: !desired.unlogged,
            references,
        });
    }
    triggers::diff_table(current, desired, changes);
    if current.comment != desired.comment {
        changes.push(Change::CommentOnTable {
            table: table.clone(),
            from: current.comment.clone(),
            to: desired.comment.clone(),
        });
    }
}

/// A constraint whose definition is the current one's keeps it: only what changes in place
/// (its comment, its validity) changes, as a change of its own. `validated` names the
/// constraint for `Change::ValidateConstraint` (kinds that are always valid never need it).
fn settle<T: Constraint>(
    table: &QualifiedName,
    current: Option<&T>,
    desired: &T,
    validated: &dyn Fn(&T) -> Option<ValidatedConstraint>,
    changes: &mut Vec<Change>,
) -> T {
    let Some(current) = current.filter(|current| current.same_definition(desired)) else {
        return desired.clone();
    };
    if current.valid() != desired.valid() {
        if let Some(constraint) = validated(desired) {
            changes.push(Change::ValidateConstraint {
                table: table.clone(),
                constraint,
                valid: desired.valid(),
            });
        }
    }
    if current.comment() != desired.comment() {
        changes.push(Change::CommentOnConstraint {
            table: table.clone(),
            constraint: desired.name().to_string(),
            from: current.comment().clone(),
            to: desired.comment().clone(),
        });
    }
    current.clone()
}

/// `settle` for each of a table's constraints of one kind.
fn settle_all<T: Constraint>(
    table: &QualifiedName,
    current: &NameMap<T>,
    desired: &NameMap<T>,
    validated: &dyn Fn(&T) -> Option<ValidatedConstraint>,
    changes: &mut Vec<Change>,
) -> NameMap<T> {
    desired
        .iter()
        .map(|(name, constraint)| {
            let settled = settle(table, current.get(name), constraint, validated, changes);
            (name.clone(), settled)
        })
        .collect()
}

/// Objects matched by name: a changed one is dropped and added again.
fn diff_named<T: PartialEq>(
    current: &NameMap<T>,
    desired: &NameMap<T>,
    changes: &mut Vec<Change>,
    drop: impl Fn(&T) -> Change,
    add: impl Fn(&T) -> Change,
) {
    for (name, current_object) in current {
        match desired.get(name) {
            Some(desired_object) if desired_object == current_object => {}
            _ => changes.push(drop(current_object)),
        }
    }
    for (name, desired_object) in desired {
        match current.get(name) {
            Some(current_object) if current_object == desired_object => {}
            _ => changes.push(add(desired_object)),
        }
    }
}
