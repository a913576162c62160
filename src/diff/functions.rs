//! Functions and procedures in the diff: created, dropped, or replaced (in place when
//! PostgreSQL's `CREATE OR REPLACE` allows it), and what a drop and re-creation would break.
//!
//! Pure, no SQL. Dependents are found by name in the stored text of views, defaults,
//! checks and indexes, the same way offline and live.

use std::collections::{BTreeMap, BTreeSet};

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer};

use super::Change;
use crate::model::{Function, FunctionBody, FunctionName, QualifiedName, Returns, Schema};
use crate::sql::quote;

pub(super) fn diff_functions(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    for (name, wanted) in &desired.functions {
        match current.functions.get(name) {
            None => changes.push(Change::CreateFunction {
                function: wanted.clone(),
                reads_relations: reads_relations(wanted, desired),
            }),
            Some(existing) if existing != wanted => changes.push(Change::AlterFunction {
                from: existing.clone(),
                to: wanted.clone(),
                reads_relations: reads_relations(existing, current)
                    || reads_relations(wanted, desired),
            }),
            Some(_) => {}
        }
    }
    for (name, existing) in &current.functions {
        if !desired.functions.contains_key(name) {
            changes.push(Change::DropFunction {
                function: existing.clone(),
                reads_relations: reads_relations(existing, current),
            });
        }
    }
}

/// `Change::inverse` of the function changes.
pub(super) fn inverse(change: Change) -> Change {
    match change {
        Change::CreateFunction {
            function,
            reads_relations,
        } => Change::DropFunction {
            function,
            reads_relations,
        },
        Change::DropFunction {
            function,
            reads_relations,
        } => Change::CreateFunction {
            function,
            reads_relations,
        },
        Change::AlterFunction {
            from,
            to,
            reads_relations,
        } => Change::AlterFunction {
            from: to,
            to: from,
            reads_relations,
        },
        other => other,
    }
}

/// Whether `CREATE OR REPLACE` turns `from` into `to`. PostgreSQL refuses to change the
/// kind of routine, the return type (with the row type of `OUT` arguments), the name of an
/// argument, or to remove a default.
pub fn replaceable(from: &Function, to: &Function) -> bool {
    from.procedure == to.procedure
        && from.returns == to.returns
        && from.arguments.len() == to.arguments.len()
        && from.arguments.iter().zip(&to.arguments).all(|(old, new)| {
            old.mode == new.mode
                && old.name == new.name
                && old.data_type == new.data_type
                && (old.default.is_none() || new.default.is_some())
        })
}

/// Whether the function's signature names a table's or view's row type, or its
/// SQL-standard body (which PostgreSQL parses at creation) names a relation of `schema`.
fn reads_relations(function: &Function, schema: &Schema) -> bool {
    let relations = || schema.tables.keys().chain(schema.views.keys());
    let row_type = |type_text: &str| {
        let base = type_text.trim_end_matches("[]");
        relations().any(|name| quote::type_name(name) == base || qualified_text(name) == base)
    };
    let mut types = function
        .arguments
        .iter()
        .map(|argument| argument.data_type.as_str())
        .collect::<Vec<_>>();
    match &function.returns {
        Some(Returns::Type { data_type, .. }) => types.push(data_type),
        Some(Returns::Table(columns)) => {
            types.extend(columns.iter().map(|(_, data_type)| data_type.as_str()))
        }
        None => {}
    }
    if types.into_iter().any(row_type) {
        return true;
    }
    match &function.body {
        FunctionBody::Sql(body) => {
            let words = words(body);
            relations().any(|name| words.contains(&name.name))
        }
        FunctionBody::Source(_) => false,
    }
}

fn qualified_text(name: &QualifiedName) -> String {
    format!(
        "{}.{}",
        quote::ident(&name.schema),
        quote::ident(&name.name)
    )
}

/// The names a text uses, unquoted ones folded to lower case as PostgreSQL does.
fn words(text: &str) -> BTreeSet<String> {
    Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize()
        .unwrap_or_default()
        .into_iter()
        .filter_map(|token| match token {
            Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_lowercase()),
            Token::Word(word) => Some(word.value),
            _ => None,
        })
        .collect()
}

/// Functions `changes` drop, or drop and create again, as they are before the changes.
fn dropped_functions(changes: &[Change]) -> Vec<&Function> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::DropFunction { function, .. } => Some(function),
            Change::AlterFunction { from, to, .. } if !replaceable(from, to) => Some(from),
            _ => None,
        })
        .collect()
}

/// Views of `before` that call a function `changes` drop and create again: PostgreSQL
/// refuses to drop a function a view uses, so they are rebuilt around it.
pub(super) fn views_calling_recreated_functions(
    before: &Schema,
    changes: &[Change],
) -> BTreeSet<QualifiedName> {
    let names: BTreeSet<&str> = dropped_functions(changes)
        .into_iter()
        .map(|function| function.name.name.as_str())
        .collect();
    if names.is_empty() {
        return BTreeSet::new();
    }
    before
        .views
        .values()
        .filter(|view| {
            let words = words(view.definition.as_str());
            names.iter().any(|name| words.contains(*name))
        })
        .map(|view| view.name.clone())
        .collect()
}

/// What keeps `changes` from dropping a function they drop or drop and create again (a
/// return type or argument name changes), in words: a default, generated column, check or
/// index of `before` that calls it and that `changes` keep, or an object autogen does not
/// manage (`users`, from `Schema::function_users`). Views are rebuilt instead.
pub fn blocked_function_drops(
    before: &Schema,
    users: &BTreeMap<FunctionName, Vec<String>>,
    changes: &[Change],
) -> Vec<String> {
    let mut problems = Vec::new();
    let kept_tables: BTreeSet<&QualifiedName> = before
        .tables
        .keys()
        .filter(|name| {
            !changes
                .iter()
                .any(|change| matches!(change, Change::DropTable(table) if &table.name == *name))
        })
        .collect();
    for function in dropped_functions(changes) {
        let only_dropped = changes.iter().any(|change| {
            matches!(change, Change::DropFunction { function: dropped, .. } if dropped == function)
        });
        let reason = match only_dropped {
            true => "it is dropped",
            false => {
                "it is dropped and created again, since its return type, kind or arguments change"
            }
        };
        for user in users.get(&function.name).into_iter().flatten() {
            problems.push(format!(
                "{user} calls function {}, but {reason}",
                function.name
            ));
        }
        // A dropped function's callers must go too, or the desired schema could not exist.
        if only_dropped {
            continue;
        }
        for table in kept_tables
            .iter()
            .filter_map(|name| before.tables.get(*name))
        {
            for user in expression_users(table, &function.name, changes) {
                problems.push(format!(
                    "{user} on {} calls function {}, but {reason}",
                    table.name, function.name
                ));
            }
        }
    }
    problems
}

/// The defaults, generated columns, checks and indexes of `table` that name `function` and
/// that `changes` do not drop.
fn expression_users(
    table: &crate::model::Table,
    function: &FunctionName,
    changes: &[Change],
) -> Vec<String> {
    let calls = |text: &str| words(text).contains(&function.name);
    let dropped = |what: &dyn Fn(&Change) -> bool| changes.iter().any(what);
    let mut users = Vec::new();
    for column in &table.columns {
        let column_goes = dropped(&|change| {
            matches!(change, Change::DropColumn { table: name, column: dropped, .. }
                if *name == table.name && dropped.name == column.name)
        });
        let expression_changes = dropped(&|change| {
            matches!(change, Change::AlterColumn { table: name, from, to, .. }
                if *name == table.name && from.name == column.name
                    && (from.default != to.default || from.generated != to.generated))
        });
        if column_goes || expression_changes {
            continue;
        }
        if column
            .default
            .as_ref()
            .is_some_and(|text| calls(text.as_str()))
        {
            users.push(format!("the default of column {}", column.name));
        }
        if column
            .generated
            .as_ref()
            .is_some_and(|text| calls(text.as_str()))
        {
            users.push(format!("generated column {}", column.name));
        }
    }
    for check in table.checks.values() {
        let goes = dropped(&|change| {
            matches!(change, Change::DropCheck { table: name, check: dropped }
                if *name == table.name && dropped.name == check.name)
        });
        if !goes && calls(check.expression.as_str()) {
            users.push(format!("check {}", check.name));
        }
    }
    for index in table.indexes.values() {
        let goes = dropped(&|change| {
            matches!(change, Change::DropIndex { table: name, index: dropped }
                if *name == table.name && dropped.name == index.name)
        });
        let texts = index
            .predicate
            .iter()
            .chain(index.keys.iter().filter_map(|key| match &key.target {
                crate::model::IndexTarget::Expression(expression) => Some(expression),
                crate::model::IndexTarget::Column(_) => None,
            }));
        if !goes && texts.into_iter().any(|text| calls(text.as_str())) {
            users.push(format!("index {}", index.name));
        }
    }
    users
}
