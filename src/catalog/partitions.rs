//! Partition keys, partition bounds and inheritance parents of the managed tables, in one
//! bulk query; keys and bounds are read from `pg_get_partkeydef` and `pg_get_expr` with the
//! interpreter's own readers (`ddl::partition_key`, `ddl::partition_bound`), so both sides
//! read them alike. `catalog::read` then keeps what each child declares
//! (`inheritance::keep_declared_columns`).

use std::collections::BTreeSet;

use tokio_postgres::Client;

use super::{catalog_error, run, CatalogRow, TablesByOid};
use crate::error::Result;
use crate::model::{PartitionOf, QualifiedName, UnmanagedObject};

/// The partitioned tables, partitions and inheritance children among the tables in `$1`:
/// the key of a partitioned table, the bound of a partition, and the parents in
/// `inhseqno` order (one for a partition).
pub const PARTITIONS_QUERY: &str = "\
SELECT c.oid AS table_oid,
       CASE WHEN c.relkind = 'p' THEN pg_catalog.pg_get_partkeydef(c.oid) END AS partition_key,
       CASE WHEN c.relispartition
            THEN pg_catalog.pg_get_expr(c.relpartbound, c.oid, true)
       END AS partition_bound,
       ARRAY(SELECT pn.nspname::pg_catalog.text
             FROM pg_catalog.pg_inherits inh
             JOIN pg_catalog.pg_class p ON p.oid = inh.inhparent
             JOIN pg_catalog.pg_namespace pn ON pn.oid = p.relnamespace
             WHERE inh.inhrelid = c.oid
             ORDER BY inh.inhseqno) AS parent_schemas,
       ARRAY(SELECT p.relname::pg_catalog.text
             FROM pg_catalog.pg_inherits inh
             JOIN pg_catalog.pg_class p ON p.oid = inh.inhparent
             WHERE inh.inhrelid = c.oid
             ORDER BY inh.inhseqno) AS parent_names
FROM pg_catalog.pg_class c
WHERE c.oid = ANY ($1::pg_catalog.oid[])
  AND (c.relkind = 'p'
       OR EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = c.oid))";

/// Sets the partitioning and inheritance of the tables. A child of a table autogen does
/// not read (in another schema) is taken out and reported: its columns cannot be told apart.
pub(super) async fn read_partitions(
    client: &Client,
    table_oids: &[u32],
    tables: &mut TablesByOid,
    unmanaged: &mut Vec<UnmanagedObject>,
) -> Result<()> {
    let query = "PARTITIONS_QUERY";
    let managed: BTreeSet<QualifiedName> =
        tables.values().map(|table| table.name.clone()).collect();
    let mut orphans = Vec::new();
    for row in run(client, query, PARTITIONS_QUERY, &[&table_oids]).await? {
        let row = CatalogRow::new(query, &row);
        let table_oid: u32 = row.get("table_oid")?;
        let Some(table) = tables.get_mut(&table_oid) else {
            continue;
        };
        let describe = |message: String| catalog_error(query, format!("{}: {message}", table.name));
        if let Some(key) = row.get::<Option<String>>("partition_key")? {
            table.partition_by = Some(crate::ddl::partition_key(&key).map_err(describe)?);
        }
        let schemas: Vec<String> = row.get("parent_schemas")?;
        let names: Vec<String> = row.get("parent_names")?;
        let parents: Vec<QualifiedName> = schemas
            .into_iter()
            .zip(names)
            .map(|(schema, name)| QualifiedName::new(schema, name))
            .collect();
        if parents.iter().any(|parent| !managed.contains(parent)) {
            orphans.push(table_oid);
            continue;
        }
        match row.get::<Option<String>>("partition_bound")? {
            Some(bound) => {
                let bound = crate::ddl::partition_bound(&bound).map_err(describe)?;
                let [parent] = parents.as_slice() else {
                    return Err(describe("a partition has one parent".to_string()));
                };
                table.partition_of = Some(PartitionOf {
                    parent: parent.clone(),
                    bound,
                });
            }
            None => table.inherits = parents,
        }
    }
    for oid in orphans {
        if let Some(table) = tables.remove(&oid) {
            unmanaged.push(UnmanagedObject {
                kind: "child of an unmanaged table".to_string(),
                name: format!("{}.{}", table.name.schema, table.name.name),
                attached_to: None,
            });
        }
    }
    Ok(())
}
