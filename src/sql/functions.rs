//! Functions and procedures as SQL (stage 6, pure): `CREATE [OR REPLACE] FUNCTION`,
//! `DROP FUNCTION`, `COMMENT ON FUNCTION`, spelled like `pg_get_functiondef`.
//!
//! A body is untrusted text: it goes inside a dollar quote whose tag cannot end early
//! anywhere in it. Names are quoted; types, defaults and SQL-standard bodies were checked
//! (`guard`) when they were read.

use super::Statement;
use crate::diff::Change;
use crate::model::{
    ArgumentMode, Function, FunctionBody, FunctionName, Parallel, QualifiedName, Returns,
    Volatility,
};
use crate::plan::Plan;
use crate::syntax::quote::{ident, literal, qualified};

/// Sent before a script that creates or replaces functions, as pg_dump does: bodies may
/// name objects the script creates later, and the server checks them at run time anyway.
pub const UNCHECKED_BODIES: &str = "SET check_function_bodies = off";

/// Settings whose value is a list of names (`GUC_LIST_QUOTE`): each element is its own
/// literal, as `pg_get_functiondef` writes them.
const LIST_SETTINGS: &[&str] = &[
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
];

/// Puts `UNCHECKED_BODIES` first when the plan creates or replaces a function.
pub(super) fn unchecked_bodies_first(plan: &Plan, statements: &mut Vec<Statement>) {
    let creates = plan.steps.iter().find(|step| {
        matches!(
            step.change,
            Change::CreateFunction { .. } | Change::AlterFunction { .. }
        )
    });
    if let Some(step) = creates {
        let statement = Statement {
            sql: UNCHECKED_BODIES.to_string(),
            notes: Vec::new(),
            hazards: Vec::new(),
            object: step.change.object(),
            step: None,
        };
        statements.insert(0, statement);
    }
}

pub(super) fn create(function: &Function) -> Vec<String> {
    let mut statements = vec![definition(function, false)];
    if let Some(comment) = &function.comment {
        statements.push(comment_on(function, Some(comment)));
    }
    statements
}

pub(super) fn drop(function: &Function) -> Vec<String> {
    vec![format!(
        "DROP {} {}",
        kind(function),
        signature(&function.name)
    )]
}

/// `CREATE OR REPLACE` where PostgreSQL allows it, else `DROP` and `CREATE`.
pub(super) fn alter(from: &Function, to: &Function) -> Vec<String> {
    if !from.replaceable_by(to) {
        let mut statements = drop(from);
        statements.extend(create(to));
        return statements;
    }
    let mut statements = Vec::new();
    let without_comment = |function: &Function| Function {
        comment: None,
        ..function.clone()
    };
    if without_comment(from) != without_comment(to) {
        statements.push(definition(to, true));
    }
    if from.comment != to.comment {
        statements.push(comment_on(to, to.comment.as_deref()));
    }
    statements
}

fn kind(function: &Function) -> &'static str {
    match function.procedure {
        true => "PROCEDURE",
        false => "FUNCTION",
    }
}

/// `schema.name(type, ...)`, how `DROP` and `COMMENT ON` name one overload.
pub(super) fn signature(name: &FunctionName) -> String {
    format!(
        "{}({})",
        qualified(&QualifiedName::new(&name.schema, &name.name)),
        name.argument_types.join(", ")
    )
}

fn comment_on(function: &Function, comment: Option<&str>) -> String {
    let text = comment.map_or_else(|| "NULL".to_string(), literal);
    format!(
        "COMMENT ON {} {} IS {text}",
        kind(function),
        signature(&function.name)
    )
}

fn definition(function: &Function, or_replace: bool) -> String {
    let arguments: Vec<String> = function
        .arguments
        .iter()
        .map(|argument| {
            let mut sql = match argument.mode {
                ArgumentMode::In => String::new(),
                mode => format!("{} ", mode.keyword()),
            };
            if let Some(name) = &argument.name {
                sql.push_str(&format!("{} ", ident(name)));
            }
            sql.push_str(&argument.data_type);
            if let Some(default) = &argument.default {
                sql.push_str(&format!(" DEFAULT {}", default.as_str()));
            }
            sql
        })
        .collect();
    let mut sql = format!(
        "CREATE {}{} {}({})\n",
        if or_replace { "OR REPLACE " } else { "" },
        kind(function),
        qualified(&QualifiedName::new(
            &function.name.schema,
            &function.name.name
        )),
        arguments.join(", ")
    );
    match &function.returns {
        Some(Returns::Type { setof, data_type }) => {
            let setof = if *setof { "SETOF " } else { "" };
            sql.push_str(&format!(" RETURNS {setof}{data_type}\n"));
        }
        Some(Returns::Table(columns)) => {
            let columns: Vec<String> = columns
                .iter()
                .map(|(name, data_type)| format!("{} {data_type}", ident(name)))
                .collect();
            sql.push_str(&format!(" RETURNS TABLE({})\n", columns.join(", ")));
        }
        None => {}
    }
    sql.push_str(&format!(" LANGUAGE {}\n", ident(&function.language)));
    let mut options = Vec::new();
    if function.volatility != Volatility::Volatile {
        options.push(function.volatility.keyword().to_string());
    }
    if function.strict {
        options.push("STRICT".to_string());
    }
    if function.security_definer {
        options.push("SECURITY DEFINER".to_string());
    }
    if function.leakproof {
        options.push("LEAKPROOF".to_string());
    }
    if function.parallel != Parallel::Unsafe {
        options.push(format!("PARALLEL {}", function.parallel.keyword()));
    }
    if let Some(cost) = &function.cost {
        options.push(format!("COST {cost}"));
    }
    if let Some(rows) = &function.rows {
        options.push(format!("ROWS {rows}"));
    }
    if !options.is_empty() {
        sql.push_str(&format!(" {}\n", options.join(" ")));
    }
    for (name, value) in &function.config {
        sql.push_str(&format!(
            " SET {} TO {}\n",
            setting_name(name),
            setting_value(name, value)
        ));
    }
    match &function.body {
        FunctionBody::Source(source) => {
            let tag = dollar_tag("function", source);
            sql.push_str(&format!("AS {tag}{source}{tag}"));
        }
        FunctionBody::Sql(body) => sql.push_str(body),
    }
    sql
}

/// A setting's name, each dotted part quoted (`plpgsql.variable_conflict`).
fn setting_name(name: &str) -> String {
    name.split('.')
        .map(|part| ident(&part.to_lowercase()))
        .collect::<Vec<_>>()
        .join(".")
}

/// A setting's value as `proconfig` holds it, written back as literals.
fn setting_value(name: &str, value: &str) -> String {
    if !LIST_SETTINGS.contains(&name) {
        return literal(value);
    }
    split_list(value)
        .iter()
        .map(|element| literal(element))
        .collect::<Vec<_>>()
        .join(", ")
}

/// PostgreSQL's `SplitGUCList`: elements separated by commas, double-quoted ones taken
/// verbatim (`""` is a quote), others trimmed.
pub fn split_list(value: &str) -> Vec<String> {
    let mut elements = Vec::new();
    let mut chars = value.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        let mut element = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            while let Some(c) = chars.next() {
                if c == '"' {
                    if chars.peek() == Some(&'"') {
                        chars.next();
                        element.push('"');
                    } else {
                        break;
                    }
                } else {
                    element.push(c);
                }
            }
            while chars.peek().is_some_and(|c| *c != ',') {
                chars.next();
            }
        } else {
            while let Some(c) = chars.peek().copied() {
                if c == ',' {
                    break;
                }
                element.push(c);
                chars.next();
            }
            element = element.trim_end().to_string();
        }
        elements.push(element);
        if chars.next().is_none() {
            break;
        }
    }
    elements
}

/// `$label$`, or `$label_1$`, ... : the first tag that ends the body exactly where the
/// body ends (it occurs nowhere in it, nor across its end).
pub(super) fn dollar_tag(label: &str, body: &str) -> String {
    let mut suffix = 0;
    loop {
        let tag = match suffix {
            0 => format!("${label}$"),
            n => format!("${label}_{n}$"),
        };
        if format!("{body}{tag}").find(&tag) == Some(body.len()) {
            return tag;
        }
        suffix += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dollar_tags_never_end_early() {
        assert_eq!(dollar_tag("function", "select 1"), "$function$");
        assert_eq!(dollar_tag("function", "a $function$ b"), "$function_1$");
        assert_eq!(
            dollar_tag("function", "ends with $function"),
            "$function_1$"
        );
        assert_eq!(
            dollar_tag("function", "$function$ $function_1$ x$function_2"),
            "$function_3$"
        );
    }

    #[test]
    fn lists_split_like_postgres() {
        assert_eq!(split_list("public, pg_temp"), ["public", "pg_temp"]);
        assert_eq!(split_list("\"My \"\"S\"\"\", x"), ["My \"S\"", "x"]);
        assert_eq!(split_list("\"\""), [""]);
    }
}
