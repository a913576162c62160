//! Functions and procedures: plain data, like the rest of the model.
//!
//! A routine is keyed by schema, name and the types of its input arguments, so overloads are
//! distinct objects (PostgreSQL's identity). Types hold `format_type` text once normalized.

use std::fmt;

use super::Expr;

/// `schema.name(type, ...)`: the identity of a function or procedure.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FunctionName {
    pub schema: String,
    pub name: String,
    /// Types of the input arguments (`IN`, `INOUT`, `VARIADIC`; a procedure's `OUT` ones
    /// too), in order.
    pub argument_types: Vec<String>,
}

/// For messages: `add(integer, integer)`, `billing.total(numeric)`.
impl fmt::Display for FunctionName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.schema != "public" {
            write!(f, "{}.", self.schema)?;
        }
        write!(f, "{}({})", self.name, self.argument_types.join(", "))
    }
}

/// `CREATE FUNCTION` or `CREATE PROCEDURE`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Function {
    pub name: FunctionName,
    pub procedure: bool,
    pub arguments: Vec<Argument>,
    /// `None` for a procedure.
    pub returns: Option<Returns>,
    pub language: String,
    pub body: FunctionBody,
    pub volatility: Volatility,
    /// `STRICT` (`RETURNS NULL ON NULL INPUT`).
    pub strict: bool,
    pub security_definer: bool,
    pub leakproof: bool,
    pub parallel: Parallel,
    /// `COST`, when it differs from the default (100); canonical number text.
    pub cost: Option<String>,
    /// `ROWS` of a set-returning function, when it differs from the default (1000).
    pub rows: Option<String>,
    /// `SET name = value` options, as `pg_proc.proconfig` holds them (`search_path`,
    /// `public, pg_temp`), in declaration order.
    pub config: Vec<(String, String)>,
    pub comment: Option<String>,
}

impl Function {
    /// Whether `CREATE OR REPLACE` turns this routine into `to`. PostgreSQL refuses to change
    /// the kind of routine, the return type (with the row type of `OUT` arguments), the name
    /// of an argument, or to remove a default.
    pub fn replaceable_by(&self, to: &Function) -> bool {
        self.procedure == to.procedure
            && self.returns == to.returns
            && self.arguments.len() == to.arguments.len()
            && self.arguments.iter().zip(&to.arguments).all(|(old, new)| {
                old.mode == new.mode
                    && old.name == new.name
                    && old.data_type == new.data_type
                    && (old.default.is_none() || new.default.is_some())
            })
    }

    /// The argument types PostgreSQL keys a routine by: the input ones, and for a
    /// procedure the `OUT` ones too.
    pub fn identity_types(arguments: &[Argument], procedure: bool) -> Vec<String> {
        arguments
            .iter()
            .filter(|argument| procedure || argument.mode != ArgumentMode::Out)
            .map(|argument| argument.data_type.clone())
            .collect()
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Argument {
    pub mode: ArgumentMode,
    pub name: Option<String>,
    pub data_type: String,
    pub default: Option<Expr>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgumentMode {
    In,
    Out,
    InOut,
    Variadic,
}

impl ArgumentMode {
    pub fn keyword(self) -> &'static str {
        match self {
            ArgumentMode::In => "IN",
            ArgumentMode::Out => "OUT",
            ArgumentMode::InOut => "INOUT",
            ArgumentMode::Variadic => "VARIADIC",
        }
    }
}

/// What a function returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Returns {
    /// `RETURNS [SETOF] type`
    Type { setof: bool, data_type: String },
    /// `RETURNS TABLE (name type, ...)`
    Table(Vec<(String, String)>),
}

/// The routine's body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FunctionBody {
    /// `AS '...'`: source text the language handler reads (`pg_proc.prosrc`), kept exactly.
    Source(String),
    /// A SQL-standard body (`RETURN expr` or `BEGIN ATOMIC ... END`), parsed by the server.
    Sql(String),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Volatility {
    Immutable,
    Stable,
    #[default]
    Volatile,
}

impl Volatility {
    pub fn keyword(self) -> &'static str {
        match self {
            Volatility::Immutable => "IMMUTABLE",
            Volatility::Stable => "STABLE",
            Volatility::Volatile => "VOLATILE",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Parallel {
    Safe,
    Restricted,
    #[default]
    Unsafe,
}

impl Parallel {
    pub fn keyword(self) -> &'static str {
        match self {
            Parallel::Safe => "SAFE",
            Parallel::Restricted => "RESTRICTED",
            Parallel::Unsafe => "UNSAFE",
        }
    }
}
