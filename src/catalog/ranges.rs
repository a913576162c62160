//! Range types of the managed schemas: one bulk query over `pg_range` (stage 2, read-only).
//! Options equal to what PostgreSQL would choose itself (the subtype's default operator
//! class: a domain's base type's, an enum's `enum_ops`; its collation; the derived
//! multirange name) read as absent, as a file leaves them.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::version::ServerVersion;
use super::{run, CatalogRow};
use crate::error::Result;
use crate::model::{default_multirange, QualifiedName, RangeType};

/// Which `pg_range` rows are the schemas' own; shared by the query and its fallback, which
/// differ in whether a multirange type exists.
macro_rules! ranges_query {
    ($multirange:literal) => {
        concat!(
            "\
SELECT n.nspname AS schema_name,
       t.typname AS range_name,
       pg_catalog.format_type(r.rngsubtype, NULL) AS subtype,
       (SELECT CASE WHEN opc.opcdefault
                         AND (opc.opcintype = base.oid
                              OR (opc.opcintype = 'pg_catalog.anyenum'::pg_catalog.regtype
                                  AND base.typtype = 'e'))
                    THEN NULL
                    WHEN opcn.nspname = 'pg_catalog' THEN opc.opcname::pg_catalog.text
                    ELSE opcn.nspname || '.' || opc.opcname END
        FROM pg_catalog.pg_opclass opc
        JOIN pg_catalog.pg_namespace opcn ON opcn.oid = opc.opcnamespace
        JOIN pg_catalog.pg_type subtype ON subtype.oid = r.rngsubtype
        JOIN pg_catalog.pg_type base
          ON base.oid = CASE subtype.typtype WHEN 'd' THEN subtype.typbasetype
                                             ELSE subtype.oid END
        WHERE opc.oid = r.rngsubopc) AS subtype_opclass,
       (SELECT CASE WHEN coll.oid = subtype.typcollation THEN NULL
                    WHEN colln.nspname = 'pg_catalog' THEN coll.collname::pg_catalog.text
                    ELSE colln.nspname || '.' || coll.collname END
        FROM pg_catalog.pg_collation coll
        JOIN pg_catalog.pg_namespace colln ON colln.oid = coll.collnamespace
        JOIN pg_catalog.pg_type subtype ON subtype.oid = r.rngsubtype
        WHERE coll.oid = r.rngcollation) AS collation,
       ARRAY(SELECT fn.nspname::pg_catalog.text
             FROM pg_catalog.unnest(ARRAY[r.rngcanonical, r.rngsubdiff]::pg_catalog.oid[])
                  WITH ORDINALITY AS f(function_oid, position)
             LEFT JOIN pg_catalog.pg_proc p ON p.oid = f.function_oid
             LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
             ORDER BY f.position) AS function_schemas,
       ARRAY(SELECT p.proname::pg_catalog.text
             FROM pg_catalog.unnest(ARRAY[r.rngcanonical, r.rngsubdiff]::pg_catalog.oid[])
                  WITH ORDINALITY AS f(function_oid, position)
             LEFT JOIN pg_catalog.pg_proc p ON p.oid = f.function_oid
             ORDER BY f.position) AS function_names,
       ",
            $multirange,
            ",
       d.description AS comment
FROM pg_catalog.pg_range r
JOIN pg_catalog.pg_type t ON t.oid = r.rngtypid
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass
 AND d.objoid = t.oid
 AND d.objsubid = 0
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
      AND dep.objid = t.oid
      AND dep.deptype = 'e')
ORDER BY n.nspname, t.typname"
        )
    };
}

/// The range types of the schemas in `$1`, with their multirange types (PostgreSQL 14+).
pub const RANGES_QUERY: &str = ranges_query!(
    "(SELECT mn.nspname FROM pg_catalog.pg_type m
        JOIN pg_catalog.pg_namespace mn ON mn.oid = m.typnamespace
        WHERE m.oid = r.rngmultitypid) AS multirange_schema,
       (SELECT m.typname FROM pg_catalog.pg_type m
        WHERE m.oid = r.rngmultitypid) AS multirange_name"
);

/// `RANGES_QUERY` for PostgreSQL 12-13, which have no multirange types.
pub const RANGES_QUERY_PRE_14: &str = ranges_query!(
    "NULL::pg_catalog.name AS multirange_schema,
       NULL::pg_catalog.name AS multirange_name"
);

pub(super) async fn read_ranges(
    client: &Client,
    version: ServerVersion,
    schemas: &[String],
) -> Result<BTreeMap<QualifiedName, RangeType>> {
    let (query, sql) = match version.supports_multiranges() {
        true => ("RANGES_QUERY", RANGES_QUERY),
        false => ("RANGES_QUERY_PRE_14", RANGES_QUERY_PRE_14),
    };
    let mut ranges = BTreeMap::new();
    for row in run(client, query, sql, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("range_name")?,
        );
        let function_schemas: Vec<Option<String>> = row.get("function_schemas")?;
        let function_names: Vec<Option<String>> = row.get("function_names")?;
        let function = |position: usize| match (
            function_schemas.get(position).cloned().flatten(),
            function_names.get(position).cloned().flatten(),
        ) {
            (Some(schema), Some(name)) => Some(QualifiedName::new(schema, name)),
            _ => None,
        };
        let multirange = match (
            row.get::<Option<String>>("multirange_schema")?,
            row.get::<Option<String>>("multirange_name")?,
        ) {
            (Some(schema), Some(multirange)) => Some(QualifiedName::new(schema, multirange))
                .filter(|multirange| *multirange != default_multirange(&name)),
            _ => None,
        };
        let range = RangeType {
            name: name.clone(),
            subtype: row.get("subtype")?,
            subtype_opclass: row.get("subtype_opclass")?,
            collation: row.get("collation")?,
            canonical: function(0),
            subtype_diff: function(1),
            multirange,
            comment: row.get("comment")?,
        };
        ranges.insert(name, range);
    }
    Ok(ranges)
}
