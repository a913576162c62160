//! Exclusion constraints: a table constraint backed by an index of the same name, which no
//! two rows may both satisfy under the given operators.

use std::collections::BTreeMap;

use super::{Deferrable, Expr, Index, IndexKey};

/// `CONSTRAINT name EXCLUDE USING method (key WITH operator, ...) [INCLUDE (...)]
/// [WITH (...)] [WHERE (predicate)] [DEFERRABLE ...]`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionConstraint {
    pub name: String,
    /// Access method of the backing index: `gist`, `btree`, `spgist`, `hash`, ...
    pub method: String,
    pub elements: Vec<ExclusionElement>,
    /// `INCLUDE (...)` columns.
    pub include: Vec<String>,
    /// `WHERE (...)`, without the parentheses.
    pub predicate: Option<Expr>,
    /// `WITH (fillfactor = 70, ...)` of the backing index, as `pg_class.reloptions` keeps them.
    pub storage_parameters: BTreeMap<String, String>,
    pub deferrable: Deferrable,
    pub comment: Option<String>,
}

/// One `key WITH operator` of an exclusion constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExclusionElement {
    pub key: IndexKey,
    /// The operator as PostgreSQL prints it: `=`, `&&`, or `OPERATOR(schema.op)` when not
    /// visible on the search path.
    pub operator: String,
}

impl ExclusionConstraint {
    /// The index that backs the constraint (without its operators), for the rules PostgreSQL
    /// applies to both alike: what a dropped or retyped column takes along.
    pub fn index(&self) -> Index {
        Index {
            name: self.name.clone(),
            unique: false,
            method: self.method.clone(),
            keys: self
                .elements
                .iter()
                .map(|element| element.key.clone())
                .collect(),
            include: self.include.clone(),
            predicate: self.predicate.clone(),
            nulls_not_distinct: false,
            storage_parameters: self.storage_parameters.clone(),
            comment: None,
        }
    }
}
