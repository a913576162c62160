//! PostgreSQL's rule for an aggregate without an initial state (`AggregateCreate`): when
//! its transition function is strict, the first non-null input becomes the state, so the
//! aggregate needs an input whose type is binary-coercible to the state type
//! (`IsBinaryCoercible`); else `INITCOND` (or `MINITCOND`) must be given.

use super::clauses::type_reference;
use super::{Interpreter, Outcome};
use crate::model::{AggregateState, Argument, FunctionName};

/// Built-in functions that can be a transition function (the result has the first
/// argument's type) and are not strict, from PostgreSQL 15's catalog:
/// `SELECT DISTINCT proname FROM pg_proc WHERE pronamespace = 'pg_catalog'::regnamespace
/// AND NOT proisstrict AND prokind = 'f' AND NOT proretset AND pronargs >= 1
/// AND prorettype = proargtypes[0]`. Every other built-in one is strict.
const NON_STRICT_BUILTIN_TRANSITIONS: &[&str] = &[
    "array_agg_array_transfn",
    "array_agg_transfn",
    "array_append",
    "array_cat",
    "array_remove",
    "array_replace",
    "bool_accum",
    "bool_accum_inv",
    "bytea_string_agg_transfn",
    "concat_ws",
    "enum_first",
    "enum_last",
    "format",
    "int2_accum",
    "int2_accum_inv",
    "int2_sum",
    "int4_accum",
    "int4_accum_inv",
    "int4_sum",
    "int8_accum",
    "int8_accum_inv",
    "int8_avg_accum",
    "int8_avg_accum_inv",
    "int8_avg_combine",
    "int8_sum",
    "json_agg_transfn",
    "json_object_agg_transfn",
    "json_populate_record",
    "jsonb_agg_transfn",
    "jsonb_object_agg_transfn",
    "jsonb_populate_record",
    "jsonb_set_lax",
    "multirange_agg_transfn",
    "numeric_accum",
    "numeric_accum_inv",
    "numeric_avg_accum",
    "numeric_avg_combine",
    "numeric_combine",
    "numeric_poly_combine",
    "ordered_set_transition",
    "ordered_set_transition_multi",
    "pg_current_logfile",
    "quote_nullable",
    "range_agg_transfn",
    "set_config",
    "similar_escape",
    "string_agg_transfn",
    "xmlconcat2",
];

/// Implicit binary-coercible casts between built-in types (`pg_cast` rows with
/// `castmethod = 'b'` and `castcontext = 'i'`, PostgreSQL 15).
const BINARY_COERCIBLE: &[(&str, &str)] = &[
    ("bit", "bit varying"),
    ("bit varying", "bit"),
    ("character varying", "character"),
    ("character varying", "text"),
    ("cidr", "inet"),
    ("integer", "oid"),
    ("integer", "regclass"),
    ("integer", "regcollation"),
    ("integer", "regconfig"),
    ("integer", "regdictionary"),
    ("integer", "regnamespace"),
    ("integer", "regoper"),
    ("integer", "regoperator"),
    ("integer", "regproc"),
    ("integer", "regprocedure"),
    ("integer", "regrole"),
    ("integer", "regtype"),
    ("oid", "regclass"),
    ("oid", "regcollation"),
    ("oid", "regconfig"),
    ("oid", "regdictionary"),
    ("oid", "regnamespace"),
    ("oid", "regoper"),
    ("oid", "regoperator"),
    ("oid", "regproc"),
    ("oid", "regprocedure"),
    ("oid", "regrole"),
    ("oid", "regtype"),
    ("pg_dependencies", "bytea"),
    ("pg_mcv_list", "bytea"),
    ("pg_ndistinct", "bytea"),
    ("pg_node_tree", "text"),
    ("regclass", "oid"),
    ("regcollation", "oid"),
    ("regconfig", "oid"),
    ("regdictionary", "oid"),
    ("regnamespace", "oid"),
    ("regoper", "oid"),
    ("regoper", "regoperator"),
    ("regoperator", "oid"),
    ("regoperator", "regoper"),
    ("regproc", "oid"),
    ("regproc", "regprocedure"),
    ("regprocedure", "oid"),
    ("regprocedure", "regproc"),
    ("regrole", "oid"),
    ("regtype", "oid"),
    ("text", "character"),
    ("text", "character varying"),
];

impl Interpreter {
    /// Refuses a state without an initial value whose strict transition function could not
    /// take the first input as the state, as the server does.
    pub(super) fn require_initial_value(
        &self,
        state: &AggregateState,
        arguments: &[Argument],
    ) -> Outcome {
        if state.initcond.is_some() || !self.is_strict_transition(state, arguments) {
            return Ok(());
        }
        let first_input_fits = arguments
            .first()
            .is_some_and(|argument| self.binary_coercible(&argument.data_type, &state.stype));
        match first_input_fits {
            true => Ok(()),
            false => Err(
                "must not omit initial value when transition function is strict and \
                 transition type is not compatible with input type"
                    .to_string(),
            ),
        }
    }

    /// Whether the state's transition function is strict: a routine of the model (the one
    /// taking the state and the inputs, or the only one of its name), or a built-in one.
    fn is_strict_transition(&self, state: &AggregateState, arguments: &[Argument]) -> bool {
        let sfunc = &state.sfunc;
        if sfunc.schema == "pg_catalog" {
            return !NON_STRICT_BUILTIN_TRANSITIONS.contains(&sfunc.name.as_str());
        }
        let exact = FunctionName {
            schema: sfunc.schema.clone(),
            name: sfunc.name.clone(),
            argument_types: std::iter::once(state.stype.clone())
                .chain(arguments.iter().map(|argument| argument.data_type.clone()))
                .collect(),
        };
        if let Some(function) = self.schema.functions.get(&exact) {
            return function.strict;
        }
        let mut named = self.schema.functions.values().filter(|function| {
            function.name.schema == sfunc.schema && function.name.name == sfunc.name
        });
        match (named.next(), named.next()) {
            (Some(function), None) => function.strict,
            _ => false,
        }
    }

    /// PostgreSQL's `IsBinaryCoercible(from, to)` over `format_type` spellings: the same
    /// type, `any`, `anyelement` or `anycompatible`, a domain over `to`, an array, enum,
    /// range or multirange for the matching polymorphic type, or an implicit binary cast.
    fn binary_coercible(&self, from: &str, to: &str) -> bool {
        if from == to || matches!(to, "\"any\"" | "anyelement" | "anycompatible") {
            return true;
        }
        let base = self.base_type(from);
        if base == to {
            return true;
        }
        let array = base.ends_with("[]");
        let user_type = type_reference(&base).filter(|(_, arrays)| arrays.is_empty());
        let is = |kind: fn(&Self, &crate::model::QualifiedName) -> bool| {
            user_type.as_ref().is_some_and(|(name, _)| kind(self, name))
        };
        match to {
            "anyarray" | "anycompatiblearray" => array,
            "anynonarray" | "anycompatiblenonarray" => !array,
            "anyenum" => is(|interpreter, name| interpreter.schema.enums.contains_key(name)),
            "anyrange" | "anycompatiblerange" => {
                is(|interpreter, name| interpreter.schema.ranges.contains_key(name))
            }
            "anymultirange" | "anycompatiblemultirange" => {
                is(|interpreter, name| interpreter.is_multirange(name))
            }
            "record" => is(|interpreter, name| {
                interpreter.schema.composite_types.contains_key(name)
                    || interpreter.schema.tables.contains_key(name)
            }),
            _ => BINARY_COERCIBLE.contains(&(base.as_str(), to)),
        }
    }

    /// A domain's base type, through domains over domains; any other type itself.
    fn base_type(&self, type_text: &str) -> String {
        let mut current = type_text.to_string();
        for _ in 0..=self.schema.domains.len() {
            let domain = type_reference(&current)
                .filter(|(_, arrays)| arrays.is_empty())
                .and_then(|(name, _)| self.schema.domains.get(&name));
            match domain {
                Some(domain) => current = domain.base_type.clone(),
                None => break,
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{replay, replay_error};

    /// What the server says of each statement (checked on PostgreSQL 15): refused without
    /// an initial value when the strict transition function cannot start from the first
    /// input, at the statement's line.
    #[test]
    fn a_strict_transition_needs_an_initial_value_unless_the_input_fits_the_state() {
        let accepted = replay(
            "CREATE DOMAIN positive AS integer;\n\
             CREATE FUNCTION add(s bigint, v integer) RETURNS bigint LANGUAGE sql AS 'SELECT s + v';\n\
             CREATE AGGREGATE sum_same(integer) (SFUNC = int4pl, STYPE = integer);\n\
             CREATE AGGREGATE sum_domain(positive) (SFUNC = int4pl, STYPE = integer);\n\
             CREATE AGGREGATE counted(*) (SFUNC = int8inc, STYPE = bigint, INITCOND = '0');\n\
             CREATE AGGREGATE listed(integer) (SFUNC = array_append, STYPE = integer[]);\n\
             CREATE AGGREGATE added(integer) (SFUNC = add, STYPE = bigint);\n\
             CREATE AGGREGATE joined(character varying) (SFUNC = textcat, STYPE = text);\n",
        );
        assert_eq!(accepted.aggregates.len(), 6);
        let message = "must not omit initial value when transition function is strict and \
                       transition type is not compatible with input type";
        for (sql, line) in [
            ("CREATE AGGREGATE cnt(*) (SFUNC = int8inc, STYPE = bigint);", 1),
            (
                "CREATE AGGREGATE cnt(integer) (SFUNC = int8inc_any, STYPE = bigint);",
                1,
            ),
            (
                "CREATE FUNCTION add(s bigint, v integer) RETURNS bigint LANGUAGE sql STRICT AS 'SELECT s + v';\n\
                 CREATE AGGREGATE added(integer) (SFUNC = add, STYPE = bigint);",
                2,
            ),
            (
                "CREATE AGGREGATE moving(integer) (SFUNC = int4pl, STYPE = integer,\n\
                 MSFUNC = int8inc_any, MINVFUNC = int8dec_any, MSTYPE = bigint);",
                1,
            ),
        ] {
            let error = replay_error(sql);
            assert!(error.contains(message), "{error}");
            assert!(error.contains(&format!("test.sql:{line}")), "{error}");
        }
    }
}
