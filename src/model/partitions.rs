//! Declarative partitioning and table inheritance: a partitioned table's key, a
//! partition's parent and bound, an inheritance child's parents.
//!
//! A child never repeats what it inherits (`crate::inheritance` says what that is): a
//! partition's `columns` are only those whose partition-specific attributes differ from its
//! parent's, an inheritance child's only its own (local) ones; inherited keys, checks,
//! foreign keys and indexes are not listed at all.

use super::{Expr, ForeignKey, Index, IndexTarget, QualifiedName, Table};

/// `PARTITION BY strategy (key, ...)`
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionKey {
    pub strategy: PartitionStrategy,
    pub columns: Vec<PartitionKeyColumn>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PartitionStrategy {
    Range,
    List,
    Hash,
}

impl PartitionStrategy {
    pub fn as_sql(self) -> &'static str {
        match self {
            PartitionStrategy::Range => "RANGE",
            PartitionStrategy::List => "LIST",
            PartitionStrategy::Hash => "HASH",
        }
    }
}

/// One element of a partition key: a column or an expression, with its non-default
/// collation and operator class.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionKeyColumn {
    pub target: IndexTarget,
    pub collation: Option<String>,
    pub opclass: Option<String>,
}

/// `PARTITION OF parent FOR VALUES ...` (or `DEFAULT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartitionOf {
    pub parent: QualifiedName,
    pub bound: PartitionBound,
}

/// A partition's bound, each value as `pg_get_expr(relpartbound)` prints it (`'2006-02-01'`,
/// `MINVALUE`, `NULL`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PartitionBound {
    Default,
    /// `FOR VALUES FROM (...) TO (...)`
    Range {
        from: Vec<Expr>,
        to: Vec<Expr>,
    },
    /// `FOR VALUES IN (...)`
    List(Vec<Expr>),
    /// `FOR VALUES WITH (modulus m, remainder r)`
    Hash {
        modulus: u32,
        remainder: u32,
    },
}

impl PartitionBound {
    /// The strategy of the parents this bound fits; `None` for `DEFAULT` (range or list).
    pub fn strategy(&self) -> Option<PartitionStrategy> {
        match self {
            PartitionBound::Default => None,
            PartitionBound::Range { .. } => Some(PartitionStrategy::Range),
            PartitionBound::List(_) => Some(PartitionStrategy::List),
            PartitionBound::Hash { .. } => Some(PartitionStrategy::Hash),
        }
    }

    /// The bound as `CREATE TABLE ... PARTITION OF` and `pg_get_expr` spell it.
    pub fn to_sql(&self) -> String {
        let list = |values: &[Expr]| {
            values
                .iter()
                .map(Expr::as_str)
                .collect::<Vec<_>>()
                .join(", ")
        };
        match self {
            PartitionBound::Default => "DEFAULT".to_string(),
            PartitionBound::Range { from, to } => {
                format!("FOR VALUES FROM ({}) TO ({})", list(from), list(to))
            }
            PartitionBound::List(values) => format!("FOR VALUES IN ({})", list(values)),
            PartitionBound::Hash { modulus, remainder } => {
                format!("FOR VALUES WITH (modulus {modulus}, remainder {remainder})")
            }
        }
    }

    /// Every value of the bound, for expression alignment.
    pub fn values_mut(&mut self) -> Vec<&mut Expr> {
        match self {
            PartitionBound::Range { from, to } => from.iter_mut().chain(to.iter_mut()).collect(),
            PartitionBound::List(values) => values.iter_mut().collect(),
            PartitionBound::Default | PartitionBound::Hash { .. } => Vec::new(),
        }
    }
}

impl Table {
    /// The tables this one takes columns from: its partition parent, or its inheritance
    /// parents in order.
    pub fn parents(&self) -> Vec<&QualifiedName> {
        match &self.partition_of {
            Some(partition_of) => vec![&partition_of.parent],
            None => self.inherits.iter().collect(),
        }
    }
}

impl Index {
    /// Whether `other` is the same index to PostgreSQL whatever its name and comment, as
    /// when a partition's index is adopted for its parent's.
    pub fn same_definition_as(&self, other: &Index) -> bool {
        let unnamed = |index: &Index| Index {
            name: String::new(),
            comment: None,
            ..index.clone()
        };
        unnamed(self) == unnamed(other)
    }
}

impl ForeignKey {
    /// Whether `other` is the same foreign key whatever its name, as when a partition's
    /// foreign key is adopted for its parent's.
    pub fn same_definition_as(&self, other: &ForeignKey) -> bool {
        let unnamed = |key: &ForeignKey| ForeignKey {
            name: String::new(),
            ..key.clone()
        };
        unnamed(self) == unnamed(other)
    }
}
