//! Aggregates as SQL (stage 6, pure): `CREATE [OR REPLACE] AGGREGATE`, `DROP AGGREGATE`,
//! `COMMENT ON AGGREGATE`, options in `pg_dump`'s order. Names are quoted; types, initial
//! values and operators were checked when they were read.

use crate::diff::AggregateChange;
use crate::model::QualifiedName;
use crate::model::{Aggregate, AggregateState, ArgumentMode, FinalModify, FunctionName, Parallel};
use crate::syntax::quote::{ident, literal, qualified};

pub(super) fn statements(change: &AggregateChange) -> Vec<String> {
    match change {
        AggregateChange::Create(aggregate) => {
            let mut statements = vec![definition(aggregate, false)];
            if let Some(comment) = &aggregate.comment {
                statements.push(comment_on(&aggregate.name, Some(comment)));
            }
            statements
        }
        AggregateChange::Drop(aggregate) => {
            vec![format!("DROP AGGREGATE {}", signature(&aggregate.name))]
        }
        AggregateChange::Replace { from, to } => {
            let mut statements = Vec::new();
            let without_comment = |aggregate: &Aggregate| Aggregate {
                comment: None,
                ..aggregate.clone()
            };
            if without_comment(from) != without_comment(to) {
                statements.push(definition(to, true));
            }
            if from.comment != to.comment {
                statements.push(comment_on(&to.name, to.comment.as_deref()));
            }
            statements
        }
    }
}

/// `schema.name(type, ...)`, or `schema.name(*)` for an aggregate without arguments.
pub(super) fn signature(name: &FunctionName) -> String {
    let arguments = match name.argument_types.is_empty() {
        true => "*".to_string(),
        false => name.argument_types.join(", "),
    };
    format!(
        "{}({arguments})",
        qualified(&QualifiedName::new(&name.schema, &name.name))
    )
}

fn comment_on(name: &FunctionName, comment: Option<&str>) -> String {
    let text = comment.map_or_else(|| "NULL".to_string(), literal);
    format!("COMMENT ON AGGREGATE {} IS {text}", signature(name))
}

fn definition(aggregate: &Aggregate, or_replace: bool) -> String {
    let arguments: Vec<String> = aggregate
        .arguments
        .iter()
        .map(|argument| {
            let mut sql = match argument.mode {
                ArgumentMode::Variadic => "VARIADIC ".to_string(),
                _ => String::new(),
            };
            if let Some(name) = &argument.name {
                sql.push_str(&format!("{} ", ident(name)));
            }
            sql.push_str(&argument.data_type);
            sql
        })
        .collect();
    let arguments = match arguments.is_empty() {
        true => "*".to_string(),
        false => arguments.join(", "),
    };
    let mut options = state_options(&aggregate.state, "");
    let mut function = |key: &str, name: &Option<QualifiedName>| {
        if let Some(name) = name {
            options.push(format!("{key} = {}", qualified(name)));
        }
    };
    function("COMBINEFUNC", &aggregate.combinefunc);
    function("SERIALFUNC", &aggregate.serialfunc);
    function("DESERIALFUNC", &aggregate.deserialfunc);
    if let Some(moving) = &aggregate.moving {
        options.extend(state_options(&moving.state, "M"));
        options.push(format!("MINVFUNC = {}", qualified(&moving.minvfunc)));
    }
    if let Some(sortop) = &aggregate.sortop {
        options.push(format!("SORTOP = {}", operator(sortop)));
    }
    if aggregate.parallel != Parallel::Unsafe {
        options.push(format!("PARALLEL = {}", aggregate.parallel.keyword()));
    }
    format!(
        "CREATE {}AGGREGATE {}({arguments}) (\n    {}\n)",
        if or_replace { "OR REPLACE " } else { "" },
        qualified(&QualifiedName::new(
            &aggregate.name.schema,
            &aggregate.name.name
        )),
        options.join(",\n    ")
    )
}

/// `SFUNC`, `STYPE`, `SSPACE`, `FINALFUNC`, `FINALFUNC_EXTRA`, `FINALFUNC_MODIFY` and
/// `INITCOND`, each behind `prefix` (`M` for the moving-aggregate mode).
fn state_options(state: &AggregateState, prefix: &str) -> Vec<String> {
    let mut options = vec![
        format!("{prefix}SFUNC = {}", qualified(&state.sfunc)),
        format!("{prefix}STYPE = {}", state.stype),
    ];
    if state.sspace != 0 {
        options.push(format!("{prefix}SSPACE = {}", state.sspace));
    }
    if let Some(finalfunc) = &state.finalfunc {
        options.push(format!("{prefix}FINALFUNC = {}", qualified(finalfunc)));
    }
    if state.finalfunc_extra {
        options.push(format!("{prefix}FINALFUNC_EXTRA"));
    }
    if state.finalfunc_modify != FinalModify::ReadOnly {
        let keyword = state.finalfunc_modify.keyword();
        options.push(format!("{prefix}FINALFUNC_MODIFY = {keyword}"));
    }
    if let Some(initcond) = &state.initcond {
        options.push(format!("{prefix}INITCOND = {}", literal(initcond)));
    }
    options
}

/// A sort operator: bare when it is built in, else `OPERATOR(schema.op)`.
fn operator(name: &str) -> String {
    match name.rsplit_once('.') {
        Some((schema, op)) => format!("OPERATOR({}.{op})", ident(schema)),
        None => name.to_string(),
    }
}
