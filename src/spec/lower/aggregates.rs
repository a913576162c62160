//! `aggregates:` of a schema file → `model::Aggregate`s: names are identifiers, types one
//! fragment each, support functions (dotted) names resolved as `CREATE AGGREGATE` would
//! (`model::support_function`), a sort operator only operator characters.

use std::collections::BTreeSet;

use super::{Lowering, YamlPath};
use crate::error::Result;
use crate::guard::Fragment;
use crate::model::{
    support_function, Aggregate, AggregateState, Argument, ArgumentMode, FinalModify, Function,
    FunctionName, MovingAggregate, ObjectRef, Parallel, PrivilegeObject, QualifiedName, Schema,
};
use crate::spec::raw;
use crate::syntax::types::{function_type, split_qualified};

/// The characters PostgreSQL allows in an operator's name.
const OPERATOR_CHARACTERS: &str = "+-*/<>=~!@#%^&|`?";

impl Lowering<'_> {
    pub(super) fn aggregates(
        &mut self,
        aggregates: Vec<raw::Aggregate>,
        schema: &mut Schema,
    ) -> Result<()> {
        let enums: BTreeSet<QualifiedName> = schema.enums.keys().cloned().collect();
        // Keys as `normalize` will spell them; an aggregate shares `pg_proc` with functions.
        let canonical = |name: &FunctionName| FunctionName {
            argument_types: name
                .argument_types
                .iter()
                .map(|data_type| function_type(data_type, &enums))
                .collect(),
            ..name.clone()
        };
        let mut canonical_keys: BTreeSet<FunctionName> =
            schema.functions.keys().map(canonical).collect();
        for (aggregate_idx, mut raw_aggregate) in aggregates.into_iter().enumerate() {
            let at = YamlPath::default().key("aggregates").index(aggregate_idx);
            let grants = raw_aggregate.grants.take();
            let owner = raw_aggregate.owner.take();
            let renamed_from = raw_aggregate.renamed_from.take();
            let aggregate = self.aggregate(raw_aggregate, schema, &at)?;
            self.grants(
                PrivilegeObject::Function(aggregate.name.clone()),
                grants,
                &at,
            )?;
            self.owner(
                PrivilegeObject::Function(aggregate.name.clone()),
                owner,
                &at,
            )?;
            if let Some(old_name) = renamed_from {
                self.identifier(&old_name, &at.key("renamed_from"))?;
                let renames = &mut self.directives.aggregate_renames;
                renames.insert(aggregate.name.clone(), old_name);
            }
            let key = canonical(&aggregate.name);
            if !canonical_keys.insert(key.clone()) {
                let message = format!("function or aggregate {key} is already declared");
                return Err(self.error(&at, message));
            }
            self.record(ObjectRef::Aggregate(aggregate.name.clone()), &at);
            self.record(ObjectRef::Schema(aggregate.name.schema.clone()), &at);
            schema.schemas.insert(aggregate.name.schema.clone());
            schema.aggregates.insert(aggregate.name.clone(), aggregate);
        }
        Ok(())
    }

    fn aggregate(
        &self,
        raw_aggregate: raw::Aggregate,
        schema: &Schema,
        at: &YamlPath,
    ) -> Result<Aggregate> {
        self.identifier(&raw_aggregate.name, &at.key("name"))?;
        let schema_name = raw_aggregate.schema.unwrap_or_else(|| "public".to_string());
        self.identifier(&schema_name, &at.key("schema"))?;
        self.managed_schema(&schema_name, &at.key("schema"))?;
        let mut arguments = Vec::new();
        for (argument_idx, raw_argument) in raw_aggregate.arguments.into_iter().enumerate() {
            let argument_at = at.key("arguments").index(argument_idx);
            let mode = match raw_argument.mode {
                None | Some(raw::ArgumentMode::In) => ArgumentMode::In,
                Some(raw::ArgumentMode::Variadic) => ArgumentMode::Variadic,
                Some(_) => {
                    let message = "an aggregate's arguments are in or variadic";
                    return Err(self.error(&argument_at.key("mode"), message));
                }
            };
            if raw_argument.default.is_some() {
                let message = "an aggregate's arguments have no defaults";
                return Err(self.error(&argument_at.key("default"), message));
            }
            if let Some(name) = &raw_argument.name {
                self.identifier(name, &argument_at.key("name"))?;
            }
            let data_type = self.fragment(
                Fragment::TypeName,
                &raw_argument.data_type,
                &argument_at,
                "type",
            )?;
            arguments.push(Argument {
                mode,
                name: raw_argument.name,
                data_type: data_type.0,
                default: None,
            });
        }
        let function = |text: &str, field: &str| -> Result<QualifiedName> {
            let parts = split_qualified(text);
            let name = support_function(&parts, &schema.functions)
                .ok_or_else(|| self.error(&at.key(field), "names a function as [schema.]name"))?;
            self.identifier(&name.schema, &at.key(field))?;
            self.identifier(&name.name, &at.key(field))?;
            Ok(name)
        };
        let optional_function =
            |text: Option<String>, field: &str| text.map(|text| function(&text, field)).transpose();
        let type_name = |text: &str, field: &str| -> Result<String> {
            Ok(self.fragment(Fragment::TypeName, text, at, field)?.0)
        };
        let state = AggregateState {
            sfunc: function(&raw_aggregate.sfunc, "sfunc")?,
            stype: type_name(&raw_aggregate.stype, "stype")?,
            sspace: raw_aggregate.sspace.unwrap_or(0),
            finalfunc: optional_function(raw_aggregate.finalfunc, "finalfunc")?,
            finalfunc_extra: raw_aggregate.finalfunc_extra,
            finalfunc_modify: final_modify(raw_aggregate.finalfunc_modify),
            initcond: raw_aggregate.initcond,
        };
        let moving = match (
            raw_aggregate.msfunc,
            raw_aggregate.minvfunc,
            raw_aggregate.mstype,
        ) {
            (Some(msfunc), Some(minvfunc), Some(mstype)) => Some(MovingAggregate {
                state: AggregateState {
                    sfunc: function(&msfunc, "msfunc")?,
                    stype: type_name(&mstype, "mstype")?,
                    sspace: raw_aggregate.msspace.unwrap_or(0),
                    finalfunc: optional_function(raw_aggregate.mfinalfunc, "mfinalfunc")?,
                    finalfunc_extra: raw_aggregate.mfinalfunc_extra,
                    finalfunc_modify: final_modify(raw_aggregate.mfinalfunc_modify),
                    initcond: raw_aggregate.minitcond,
                },
                minvfunc: function(&minvfunc, "minvfunc")?,
            }),
            (None, None, None)
                if raw_aggregate.msspace.is_none()
                    && raw_aggregate.mfinalfunc.is_none()
                    && !raw_aggregate.mfinalfunc_extra
                    && raw_aggregate.mfinalfunc_modify.is_none()
                    && raw_aggregate.minitcond.is_none() =>
            {
                None
            }
            _ => {
                let message = "the moving-aggregate mode needs msfunc, minvfunc and mstype";
                return Err(self.error(at, message));
            }
        };
        let sortop = raw_aggregate
            .sortop
            .map(|text| self.sort_operator(&text, &at.key("sortop")))
            .transpose()?;
        Ok(Aggregate {
            name: FunctionName {
                schema: schema_name,
                name: raw_aggregate.name,
                argument_types: Function::identity_types(&arguments, false),
            },
            arguments,
            state,
            combinefunc: optional_function(raw_aggregate.combinefunc, "combinefunc")?,
            serialfunc: optional_function(raw_aggregate.serialfunc, "serialfunc")?,
            deserialfunc: optional_function(raw_aggregate.deserialfunc, "deserialfunc")?,
            moving,
            sortop,
            parallel: match raw_aggregate.parallel {
                Some(raw::ParallelSafety::Safe) => Parallel::Safe,
                Some(raw::ParallelSafety::Restricted) => Parallel::Restricted,
                Some(raw::ParallelSafety::Unsafe) | None => Parallel::Unsafe,
            },
            comment: raw_aggregate.comment,
        })
    }
}

impl Lowering<'_> {
    /// `>` or `schema.>`, as the catalog spells it: bare when built in.
    fn sort_operator(&self, text: &str, at: &YamlPath) -> Result<String> {
        let (schema, operator) = match text.rsplit_once('.') {
            Some((schema, operator)) => (Some(schema), operator),
            None => (None, text),
        };
        if operator.is_empty() || !operator.chars().all(|c| OPERATOR_CHARACTERS.contains(c)) {
            return Err(self.error(at, "sortop names an operator, as `>` or `schema.>`"));
        }
        match schema {
            None | Some("pg_catalog") => Ok(operator.to_string()),
            Some(schema) => {
                self.identifier(schema, at)?;
                Ok(format!("{schema}.{operator}"))
            }
        }
    }
}

fn final_modify(modify: Option<raw::FinalModify>) -> FinalModify {
    match modify {
        Some(raw::FinalModify::Shareable) => FinalModify::Shareable,
        Some(raw::FinalModify::ReadWrite) => FinalModify::ReadWrite,
        Some(raw::FinalModify::ReadOnly) | None => FinalModify::ReadOnly,
    }
}
