//! Aggregates (`CREATE AGGREGATE`): plain data, like the rest of the model.
//!
//! Only ordinary aggregates (`pg_aggregate.aggkind = 'n'`); ordered-set and hypothetical-set
//! ones are reported as unmanaged. Support functions are named by schema and name, as
//! `CREATE AGGREGATE` names them; their argument types follow from the state type.

use std::collections::BTreeMap;

use super::{Argument, Function, FunctionName, Parallel, QualifiedName};

/// `CREATE AGGREGATE name (arguments) (SFUNC = ..., STYPE = ..., ...)`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregate {
    /// Keyed like a function: schema, name and input argument types.
    pub name: FunctionName,
    /// Input arguments: `IN` or `VARIADIC`, optionally named, never defaulted.
    pub arguments: Vec<Argument>,
    pub state: AggregateState,
    pub combinefunc: Option<QualifiedName>,
    pub serialfunc: Option<QualifiedName>,
    pub deserialfunc: Option<QualifiedName>,
    /// The moving-aggregate mode (`MSFUNC`, `MINVFUNC`, `MSTYPE`, ...), when declared.
    pub moving: Option<MovingAggregate>,
    /// `SORTOP`, for aggregates like `max` that an index can answer: the operator's name,
    /// bare when built in (`>`), else after its schema (`billing.>>`).
    pub sortop: Option<String>,
    pub parallel: Parallel,
    pub comment: Option<String>,
}

impl Aggregate {
    /// Whether `CREATE OR REPLACE AGGREGATE` (PostgreSQL 12+) turns this aggregate into `to`:
    /// it keeps the arguments (names too, as for a function) and the result type, which is
    /// the final function's (or, without one, the state type), and may change the rest.
    pub fn replaceable_by(&self, to: &Aggregate) -> bool {
        self.arguments == to.arguments
            && self.state.finalfunc == to.state.finalfunc
            && (self.state.finalfunc.is_some() || self.state.stype == to.state.stype)
    }

    /// The support functions the aggregate calls, for the dependency checks.
    /// The types its signature and states are built on: arguments, state types.
    pub fn types(&self) -> impl Iterator<Item = &str> {
        self.arguments
            .iter()
            .map(|argument| argument.data_type.as_str())
            .chain([self.state.stype.as_str()])
            .chain(self.moving.iter().map(|moving| moving.state.stype.as_str()))
    }

    pub fn support_functions(&self) -> impl Iterator<Item = &QualifiedName> {
        let moving = self.moving.iter().flat_map(|moving| {
            [Some(&moving.minvfunc), Some(&moving.state.sfunc)]
                .into_iter()
                .chain([moving.state.finalfunc.as_ref()])
        });
        [Some(&self.state.sfunc), self.state.finalfunc.as_ref()]
            .into_iter()
            .chain([
                self.combinefunc.as_ref(),
                self.serialfunc.as_ref(),
                self.deserialfunc.as_ref(),
            ])
            .chain(moving)
            .flatten()
    }
}

/// A transition state: its function, type and size, its final function and first value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AggregateState {
    pub sfunc: QualifiedName,
    /// `format_type` text once normalized.
    pub stype: String,
    /// `SSPACE`: the state's average size in bytes; 0 is PostgreSQL's own estimate.
    pub sspace: i32,
    pub finalfunc: Option<QualifiedName>,
    /// `FINALFUNC_EXTRA`: the final function also takes the aggregate's arguments (as nulls).
    pub finalfunc_extra: bool,
    pub finalfunc_modify: FinalModify,
    /// `INITCOND`: the state's first value as text; `None` starts from null.
    pub initcond: Option<String>,
}

/// `MSFUNC`, `MINVFUNC`, `MSTYPE`, `MSSPACE`, `MFINALFUNC`, `MFINALFUNC_EXTRA`,
/// `MFINALFUNC_MODIFY` and `MINITCOND`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MovingAggregate {
    pub state: AggregateState,
    pub minvfunc: QualifiedName,
}

/// `FINALFUNC_MODIFY`: what the final function may do to the state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum FinalModify {
    #[default]
    ReadOnly,
    Shareable,
    ReadWrite,
}

impl FinalModify {
    pub fn keyword(self) -> &'static str {
        match self {
            FinalModify::ReadOnly => "READ_ONLY",
            FinalModify::Shareable => "SHAREABLE",
            FinalModify::ReadWrite => "READ_WRITE",
        }
    }
}

/// The function an aggregate's option names (`SFUNC = ...`), from its dotted parts: a
/// qualified name as written; a bare one in `public` when `functions` has a routine of that
/// name there, else the built-in one in `pg_catalog` (`int4pl`, `array_append`).
pub fn support_function(
    parts: &[String],
    functions: &BTreeMap<FunctionName, Function>,
) -> Option<QualifiedName> {
    match parts {
        [schema, name] => Some(QualifiedName::new(schema, name)),
        [name] => {
            let in_public = functions
                .keys()
                .any(|key| key.schema == "public" && key.name == *name);
            let schema = if in_public { "public" } else { "pg_catalog" };
            Some(QualifiedName::new(schema, name))
        }
        _ => None,
    }
}
