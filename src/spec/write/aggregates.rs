//! `aggregates:` for `inspect`: each aggregate as a block map, options that are not defaults.
//! A built-in support function is written bare, any other with its schema, so it reads back
//! the same whatever the file declares (`model::support_function`).

use super::{text, Node};
use crate::model::{
    Aggregate, AggregateState, ArgumentMode, FinalModify, Parallel, PrivilegeObject, QualifiedName,
    Schema,
};
use crate::syntax::quote;

pub(super) fn section(schema: &Schema) -> Option<(String, Node)> {
    if schema.aggregates.is_empty() {
        return None;
    }
    let blocks = schema
        .aggregates
        .values()
        .map(|aggregate| {
            let mut entries = entries(aggregate);
            let object = PrivilegeObject::Function(aggregate.name.clone());
            entries.extend(super::privileges::grants(schema, &object));
            entries.extend(super::privileges::owner(schema, &object));
            entries
        })
        .collect();
    Some(("aggregates".to_owned(), Node::Blocks(blocks)))
}

fn entries(aggregate: &Aggregate) -> Vec<(String, Node)> {
    let mut entries = vec![("name".to_owned(), text(&aggregate.name.name))];
    if aggregate.name.schema != "public" {
        entries.push(("schema".to_owned(), text(&aggregate.name.schema)));
    }
    if !aggregate.arguments.is_empty() {
        let arguments = aggregate.arguments.iter().map(|argument| {
            let mut fields = Vec::new();
            if let Some(name) = &argument.name {
                fields.push(("name".to_owned(), text(name)));
            }
            fields.push(("type".to_owned(), text(&argument.data_type)));
            if argument.mode == ArgumentMode::Variadic {
                fields.push(("mode".to_owned(), text("variadic")));
            }
            Node::Map(fields)
        });
        entries.push(("arguments".to_owned(), Node::List(arguments.collect())));
    }
    state_entries(&aggregate.state, "", &mut entries);
    let functions = [
        ("combinefunc", &aggregate.combinefunc),
        ("serialfunc", &aggregate.serialfunc),
        ("deserialfunc", &aggregate.deserialfunc),
    ];
    for (key, function) in functions {
        if let Some(function) = function {
            entries.push((key.to_owned(), text(&function_name(function))));
        }
    }
    if let Some(moving) = &aggregate.moving {
        state_entries(&moving.state, "m", &mut entries);
        let minvfunc = function_name(&moving.minvfunc);
        entries.push(("minvfunc".to_owned(), text(&minvfunc)));
    }
    if let Some(sortop) = &aggregate.sortop {
        entries.push(("sortop".to_owned(), text(sortop)));
    }
    let parallel = match aggregate.parallel {
        Parallel::Safe => Some("safe"),
        Parallel::Restricted => Some("restricted"),
        Parallel::Unsafe => None,
    };
    if let Some(parallel) = parallel {
        entries.push(("parallel".to_owned(), text(parallel)));
    }
    if let Some(comment) = &aggregate.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    entries
}

/// `sfunc`, `stype`, ... of a state, behind `prefix` (`m` for the moving-aggregate mode).
fn state_entries(state: &AggregateState, prefix: &str, entries: &mut Vec<(String, Node)>) {
    let key = |name: &str| format!("{prefix}{name}");
    entries.push((key("sfunc"), text(&function_name(&state.sfunc))));
    entries.push((key("stype"), text(&state.stype)));
    if state.sspace != 0 {
        entries.push((key("sspace"), Node::Int(i64::from(state.sspace))));
    }
    if let Some(finalfunc) = &state.finalfunc {
        entries.push((key("finalfunc"), text(&function_name(finalfunc))));
    }
    if state.finalfunc_extra {
        entries.push((key("finalfunc_extra"), Node::Bool(true)));
    }
    let modify = match state.finalfunc_modify {
        FinalModify::ReadOnly => None,
        FinalModify::Shareable => Some("shareable"),
        FinalModify::ReadWrite => Some("read_write"),
    };
    if let Some(modify) = modify {
        entries.push((key("finalfunc_modify"), text(modify)));
    }
    if let Some(initcond) = &state.initcond {
        entries.push((key("initcond"), text(initcond)));
    }
}

/// A support function: bare when built in, else with its schema, so it reads back the same
/// (`model::support_function`); range types name theirs alike.
pub(super) fn function_name(name: &QualifiedName) -> String {
    match name.schema.as_str() {
        "pg_catalog" => quote::ident(&name.name),
        schema => format!("{}.{}", quote::ident(schema), quote::ident(&name.name)),
    }
}
