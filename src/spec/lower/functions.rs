//! `functions:` of a schema file → `model::Function`s, checked like every other section:
//! names are identifiers, types and defaults one fragment each, a SQL-standard body one
//! statement's worth (`guard::sql_body`); a body for a language handler is kept exactly.

use std::collections::BTreeSet;

use super::{Lowering, YamlPath};
use crate::error::Result;
use crate::guard::{self, Fragment};
use crate::model::{
    Argument, ArgumentMode, Function, FunctionBody, FunctionName, ObjectRef, Parallel,
    PrivilegeObject, QualifiedName, Returns, Schema, Volatility,
};
use crate::spec::raw;
use crate::syntax::types::function_type;

impl Lowering<'_> {
    pub(super) fn functions(
        &mut self,
        functions: Vec<raw::Function>,
        schema: &mut Schema,
    ) -> Result<()> {
        let enums: BTreeSet<QualifiedName> = schema.enums.keys().cloned().collect();
        // Keys as `normalize` will spell them, so `int` and `integer` overloads clash here.
        let mut canonical_keys = BTreeSet::new();
        for (function_idx, mut raw_function) in functions.into_iter().enumerate() {
            let at = YamlPath::default().key("functions").index(function_idx);
            let grants = raw_function.grants.take();
            let owner = raw_function.owner.take();
            let function = self.function(raw_function, &at)?;
            let object = PrivilegeObject::Function(function.name.clone());
            self.grants(object.clone(), grants, &at)?;
            self.owner(object, owner, &at)?;
            let key = FunctionName {
                argument_types: function
                    .name
                    .argument_types
                    .iter()
                    .map(|data_type| function_type(data_type, &enums))
                    .collect(),
                ..function.name.clone()
            };
            if !canonical_keys.insert(key.clone()) {
                let message = format!("function {key} is already declared");
                return Err(self.error(&at, message));
            }
            self.record(ObjectRef::Function(function.name.clone()), &at);
            self.record(ObjectRef::Schema(function.name.schema.clone()), &at);
            schema.schemas.insert(function.name.schema.clone());
            schema.functions.insert(function.name.clone(), function);
        }
        Ok(())
    }

    fn function(&self, raw_function: raw::Function, at: &YamlPath) -> Result<Function> {
        self.identifier(&raw_function.name, &at.key("name"))?;
        let schema = raw_function.schema.unwrap_or_else(|| "public".to_string());
        self.identifier(&schema, &at.key("schema"))?;
        self.managed_schema(&schema, &at.key("schema"))?;
        self.identifier(&raw_function.language, &at.key("language"))?;

        let mut arguments = Vec::new();
        let mut names = BTreeSet::new();
        let mut defaults_started = false;
        for (argument_idx, raw_argument) in raw_function.arguments.into_iter().enumerate() {
            let argument_at = at.key("arguments").index(argument_idx);
            let mode = match raw_argument.mode {
                None | Some(raw::ArgumentMode::In) => ArgumentMode::In,
                Some(raw::ArgumentMode::Out) => ArgumentMode::Out,
                Some(raw::ArgumentMode::Inout) => ArgumentMode::InOut,
                Some(raw::ArgumentMode::Variadic) => ArgumentMode::Variadic,
            };
            if let Some(name) = &raw_argument.name {
                self.identifier(name, &argument_at.key("name"))?;
                if !names.insert(name.clone()) {
                    let message = format!("argument \"{name}\" is listed twice");
                    return Err(self.error(&argument_at, message));
                }
            }
            let data_type = self.fragment(
                Fragment::TypeName,
                &raw_argument.data_type,
                &argument_at,
                "type",
            )?;
            let default = self.expression(raw_argument.default, &argument_at, "default")?;
            match (mode, &default) {
                (ArgumentMode::Out, Some(_)) => {
                    return Err(self.error(&argument_at, "an OUT argument cannot have a default"))
                }
                (ArgumentMode::Out, None) => {}
                (_, Some(_)) => defaults_started = true,
                (_, None) if defaults_started => {
                    let message = "an input argument after one with a default needs a default";
                    return Err(self.error(&argument_at, message));
                }
                (_, None) => {}
            }
            arguments.push(Argument {
                mode,
                name: raw_argument.name,
                data_type: data_type.0,
                default,
            });
        }

        let returns = self.returns(
            raw_function.procedure,
            raw_function.returns,
            raw_function.returns_table,
            &arguments,
            at,
        )?;
        let body = match (raw_function.body, raw_function.sql_body) {
            (Some(body), None) => FunctionBody::Source(body),
            (None, Some(sql_body)) => {
                if !raw_function.language.eq_ignore_ascii_case("sql") {
                    return Err(self.error(at, "sql_body needs language sql"));
                }
                let checked = guard::sql_body(&sql_body).map_err(|message| {
                    self.error(&at.key("sql_body"), format!("sql_body {message}"))
                })?;
                FunctionBody::Sql(checked)
            }
            _ => return Err(self.error(at, "a function needs exactly one of body and sql_body")),
        };
        let mut config = Vec::new();
        for (name, value) in raw_function.set.unwrap_or_default() {
            let (Some(name), Some(value)) = (scalar_text(&name), scalar_text(&value)) else {
                return Err(self.error(&at.key("set"), "set maps setting names to values"));
            };
            let name = guard::setting_name(&name)
                .map_err(|message| self.error(&at.key("set"), message))?;
            config.push((name, value));
        }
        let cost = self.number(raw_function.cost, at, "cost")?;
        let rows = self.number(raw_function.rows, at, "rows")?;
        let returns_set = match &returns {
            Some(Returns::Type { setof, .. }) => *setof,
            Some(Returns::Table(_)) => true,
            None => false,
        };
        if rows.is_some() && !returns_set {
            return Err(self.error(at, "rows needs a set-returning function"));
        }
        Ok(Function {
            name: FunctionName {
                schema,
                name: raw_function.name,
                argument_types: Function::identity_types(&arguments, raw_function.procedure),
            },
            procedure: raw_function.procedure,
            arguments,
            returns,
            language: raw_function.language.to_lowercase(),
            body,
            volatility: match raw_function.volatility {
                Some(raw::Volatility::Immutable) => Volatility::Immutable,
                Some(raw::Volatility::Stable) => Volatility::Stable,
                Some(raw::Volatility::Volatile) | None => Volatility::Volatile,
            },
            strict: raw_function.strict,
            security_definer: matches!(raw_function.security, Some(raw::Security::Definer)),
            leakproof: raw_function.leakproof,
            parallel: match raw_function.parallel {
                Some(raw::ParallelSafety::Safe) => Parallel::Safe,
                Some(raw::ParallelSafety::Restricted) => Parallel::Restricted,
                Some(raw::ParallelSafety::Unsafe) | None => Parallel::Unsafe,
            },
            cost: cost.filter(|cost| cost != "100"),
            rows: rows.filter(|rows| rows != "1000"),
            config,
            comment: raw_function.comment,
        })
    }

    /// What a function returns; a procedure returns nothing, and a function whose `OUT`
    /// arguments say it may leave `returns` out (one: its type; several: `record`).
    fn returns(
        &self,
        procedure: bool,
        returns: Option<String>,
        returns_table: Option<Vec<raw::FunctionColumn>>,
        arguments: &[Argument],
        at: &YamlPath,
    ) -> Result<Option<Returns>> {
        let outputs: Vec<&Argument> = arguments
            .iter()
            .filter(|argument| matches!(argument.mode, ArgumentMode::Out | ArgumentMode::InOut))
            .collect();
        match (procedure, returns, returns_table) {
            (true, None, None) => Ok(None),
            (true, _, _) => Err(self.error(at, "a procedure returns nothing")),
            (false, Some(_), Some(_)) => {
                Err(self.error(at, "a function has either returns or returns_table"))
            }
            (false, Some(text), None) => {
                let trimmed = text.trim();
                let (setof, type_text) = match trimmed.get(..6) {
                    Some(prefix) if prefix.eq_ignore_ascii_case("setof ") => (true, &trimmed[6..]),
                    _ => (false, trimmed),
                };
                let data_type = self.fragment(Fragment::TypeName, type_text, at, "returns")?;
                Ok(Some(Returns::Type {
                    setof,
                    data_type: data_type.0,
                }))
            }
            (false, None, Some(columns)) => {
                if columns.is_empty() || !outputs.is_empty() {
                    let message = "returns_table needs columns, and no OUT arguments beside them";
                    return Err(self.error(&at.key("returns_table"), message));
                }
                let mut lowered = Vec::new();
                for (column_idx, column) in columns.into_iter().enumerate() {
                    let column_at = at.key("returns_table").index(column_idx);
                    self.identifier(&column.name, &column_at.key("name"))?;
                    let data_type =
                        self.fragment(Fragment::TypeName, &column.data_type, &column_at, "type")?;
                    lowered.push((column.name, data_type.0));
                }
                Ok(Some(Returns::Table(lowered)))
            }
            (false, None, None) => match outputs.as_slice() {
                [] => Err(self.error(at, "a function needs returns (or OUT arguments)")),
                [only] => Ok(Some(Returns::Type {
                    setof: false,
                    data_type: only.data_type.clone(),
                })),
                _ => Ok(Some(Returns::Type {
                    setof: false,
                    data_type: "record".to_string(),
                })),
            },
        }
    }

    /// `cost` or `rows`: a positive number, as PostgreSQL prints its `real` value.
    fn number(&self, value: Option<f64>, at: &YamlPath, field: &str) -> Result<Option<String>> {
        match value {
            None => Ok(None),
            Some(value) if value.is_finite() && value > 0.0 && value < f64::from(f32::MAX) => {
                // PostgreSQL keeps a `real`.
                Ok(Some((value as f32).to_string()))
            }
            Some(_) => {
                Err(self.error(&at.key(field), format!("{field} must be a positive number")))
            }
        }
    }
}

/// A YAML scalar as text (`search_path: public`, `work_mem: 64MB`, `jit: false`).
fn scalar_text(value: &yaml_serde::Value) -> Option<String> {
    match value {
        yaml_serde::Value::String(text) => Some(text.clone()),
        yaml_serde::Value::Number(number) => Some(number.to_string()),
        yaml_serde::Value::Bool(flag) => Some(flag.to_string()),
        _ => None,
    }
}
