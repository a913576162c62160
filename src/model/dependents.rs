//! What `pg_depend` says depends on managed objects beyond what the model's own fields
//! tell: a view that needs a key (`GROUP BY` a primary key), and objects autogen does not
//! manage. Read from live databases only; never diffed (`crate::dependencies` joins it with
//! the edges the model implies).

use std::collections::{BTreeMap, BTreeSet};

use super::ObjectRef;

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dependents {
    /// Referenced object → managed objects that need it and that the model does not show
    /// needing it.
    pub managed: BTreeMap<ObjectRef, BTreeSet<ObjectRef>>,
    /// Referenced object → objects autogen does not manage that need it.
    pub unmanaged: BTreeMap<ObjectRef, BTreeSet<UnmanagedDependent>>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct UnmanagedDependent {
    /// `pg_describe_object`'s words: `rule r on table public.t`, `view other.v`, ...
    pub description: String,
    /// PostgreSQL drops it along with what it needs (an automatic dependency: a rule or an
    /// extended statistics object of a dropped table) instead of refusing the drop.
    pub automatic: bool,
}
