//! `functions:` for `inspect`: each routine as a block map, bodies as literal blocks.

use super::{text, Node};
use crate::model::{
    ArgumentMode, Function, FunctionBody, Parallel, PrivilegeObject, Returns, Schema, Volatility,
};

pub(super) fn node(schema: &Schema) -> Node {
    Node::Blocks(
        schema
            .functions
            .values()
            .map(|function| {
                let mut entries = entries(function);
                let object = PrivilegeObject::Function(function.name.clone());
                entries.extend(super::privileges::grants(schema, &object));
                entries.extend(super::privileges::owner(schema, &object));
                entries
            })
            .collect(),
    )
}

fn entries(function: &Function) -> Vec<(String, Node)> {
    let mut entries = vec![("name".to_owned(), text(&function.name.name))];
    if function.name.schema != "public" {
        entries.push(("schema".to_owned(), text(&function.name.schema)));
    }
    if function.procedure {
        entries.push(("procedure".to_owned(), Node::Bool(true)));
    }
    if !function.arguments.is_empty() {
        let arguments = function.arguments.iter().map(|argument| {
            let mut fields = Vec::new();
            if let Some(name) = &argument.name {
                fields.push(("name".to_owned(), text(name)));
            }
            fields.push(("type".to_owned(), text(&argument.data_type)));
            let mode = match argument.mode {
                ArgumentMode::In => None,
                ArgumentMode::Out => Some("out"),
                ArgumentMode::InOut => Some("inout"),
                ArgumentMode::Variadic => Some("variadic"),
            };
            if let Some(mode) = mode {
                fields.push(("mode".to_owned(), text(mode)));
            }
            if let Some(default) = &argument.default {
                fields.push(("default".to_owned(), text(default.as_str())));
            }
            Node::Map(fields)
        });
        entries.push(("arguments".to_owned(), Node::List(arguments.collect())));
    }
    match &function.returns {
        Some(Returns::Type { setof, data_type }) => {
            let returns = match setof {
                true => format!("setof {data_type}"),
                false => data_type.clone(),
            };
            entries.push(("returns".to_owned(), text(&returns)));
        }
        Some(Returns::Table(columns)) => {
            let columns = columns.iter().map(|(name, data_type)| {
                Node::Map(vec![
                    ("name".to_owned(), text(name)),
                    ("type".to_owned(), text(data_type)),
                ])
            });
            entries.push(("returns_table".to_owned(), Node::List(columns.collect())));
        }
        None => {}
    }
    entries.push(("language".to_owned(), text(&function.language)));
    match &function.body {
        FunctionBody::Source(body) => entries.push(("body".to_owned(), Node::Block(body.clone()))),
        FunctionBody::Sql(body) => {
            entries.push(("sql_body".to_owned(), Node::Block(body.clone())));
        }
    }
    let volatility = match function.volatility {
        Volatility::Immutable => Some("immutable"),
        Volatility::Stable => Some("stable"),
        Volatility::Volatile => None,
    };
    if let Some(volatility) = volatility {
        entries.push(("volatility".to_owned(), text(volatility)));
    }
    if function.strict {
        entries.push(("strict".to_owned(), Node::Bool(true)));
    }
    if function.security_definer {
        entries.push(("security".to_owned(), text("definer")));
    }
    if function.leakproof {
        entries.push(("leakproof".to_owned(), Node::Bool(true)));
    }
    let parallel = match function.parallel {
        Parallel::Safe => Some("safe"),
        Parallel::Restricted => Some("restricted"),
        Parallel::Unsafe => None,
    };
    if let Some(parallel) = parallel {
        entries.push(("parallel".to_owned(), text(parallel)));
    }
    if let Some(cost) = &function.cost {
        entries.push(("cost".to_owned(), Node::Number(cost.clone())));
    }
    if let Some(rows) = &function.rows {
        entries.push(("rows".to_owned(), Node::Number(rows.clone())));
    }
    if !function.config.is_empty() {
        let settings = function
            .config
            .iter()
            .map(|(name, value)| (name.clone(), text(value)));
        entries.push(("set".to_owned(), Node::Map(settings.collect())));
    }
    if let Some(comment) = &function.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    entries
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::model::FunctionBody;
    use crate::spec::{parse, write};

    #[test]
    fn functions_round_trip() {
        let fixture = Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/cases/functions-created-from-empty/desired.yaml");
        let text = std::fs::read_to_string(fixture).expect("the fixture exists");
        let mut schema = parse(&text, Path::new("desired.yaml"))
            .expect("the fixture parses")
            .schema;
        let template = schema
            .functions
            .values()
            .next()
            .cloned()
            .expect("a function");
        for (body_idx, body) in [
            "  leading blanks\n",
            "two breaks\n\n",
            "tab\tand $function$ and \r",
            "trailing blanks  \n  \nend",
            "\nstarts with a break",
        ]
        .into_iter()
        .enumerate()
        {
            let mut function = template.clone();
            function.name.name = format!("odd_{body_idx}");
            function.body = FunctionBody::Source(body.to_string());
            schema.functions.insert(function.name.clone(), function);
        }
        let written = write(&schema);
        match parse(&written, Path::new("written.yaml")) {
            Ok(loaded) => assert_eq!(loaded.schema, schema, "written:\n{written}"),
            Err(error) => panic!("{error}\nwritten:\n{written}"),
        }
        assert!(written.contains("    body: |\n      BEGIN\n"), "{written}");
    }
}
