//! Stage 2, introspect: the live `pg_catalog` → `model::Schema` (current).
//!
//! Reads the whole catalog for the managed schemas in a fixed number of bulk queries
//! (never one per table). Does no diffing and no normalization beyond what the catalog
//! itself implies; never writes to the database.

use tokio_postgres::Client;

use crate::error::Result;
use crate::model::Schema;

/// Which namespaces to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaScope {
    /// Every non-system schema (database-to-database diffs, as migra does).
    All,
    /// Exactly these schemas (a schema file's schemas plus `public`).
    Only(Vec<String>),
}

pub async fn read(client: &Client, scope: &SchemaScope) -> Result<Schema> {
    let _ = (client, scope);
    todo!("catalog::read")
}
