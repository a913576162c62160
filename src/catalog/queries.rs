//! Every statement `catalog::read` runs, one named constant each, all read-only.
//!
//! Schema-level queries take the managed schemas as `$1 text[]`; table-level queries take the
//! managed tables' oids as `$1 oid[]`, so "what is a managed table" is decided once, in
//! `TABLES_QUERY`. Expressions are deparsed with `pretty = true` everywhere.
//!
//! Table-level queries are in `tables`; those for what autogen does not manage in `unmanaged`.

mod tables;
mod unmanaged;

pub use tables::{
    COLUMNS_QUERY, CONSTRAINTS_QUERY, CONSTRAINTS_QUERY_PRE_15, INDEXES_QUERY, INDEXES_QUERY_PRE_15,
};
pub use unmanaged::{DEPENDENTS_QUERY, UNMANAGED_QUERY};

/// Opens the one transaction all queries share, so they see a single consistent snapshot.
/// JIT is off in it: the catalog queries' row estimates (`generate_series` guessed at 1,000
/// rows) cross the JIT cost thresholds, and compiling took longer than the queries ran
/// (the index query at 5,000 tables: 730 ms with JIT, 330 ms without).
pub const BEGIN_SNAPSHOT_QUERY: &str =
    "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY; SET LOCAL jit = off";

/// Ends the snapshot; nothing was written, so rolling back and committing are the same.
pub const END_SNAPSHOT_QUERY: &str = "ROLLBACK";

/// `server_version_num`, e.g. `150004`.
pub const SERVER_VERSION_QUERY: &str = "\
SELECT pg_catalog.current_setting('server_version_num')::pg_catalog.int4 AS version_num";

/// The managed schemas that exist. `$1` is the requested list, or NULL for every user schema.
///
/// Names starting with `pg_` are reserved for the system, which covers `pg_catalog`,
/// `pg_toast` and the per-session `pg_temp_N` / `pg_toast_temp_N` schemas. `autogen` holds
/// autogen's own bookkeeping (applied revisions), never part of a user schema. These are
/// left out even when asked for by name (`guard::is_system_schema` is the same rule).
pub const SCHEMAS_QUERY: &str = "\
SELECT n.nspname AS schema_name, d.description AS comment
FROM pg_catalog.pg_namespace n
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
 AND d.objoid = n.oid
 AND d.objsubid = 0
WHERE n.nspname NOT LIKE 'pg\\_%'
  AND n.nspname <> 'information_schema'
  AND n.nspname <> 'autogen'
  AND CASE
        WHEN $1::pg_catalog.text[] IS NULL THEN
          NOT EXISTS (
            SELECT 1 FROM pg_catalog.pg_depend dep
            WHERE dep.classid = 'pg_catalog.pg_namespace'::pg_catalog.regclass
              AND dep.objid = n.oid
              AND dep.deptype = 'e')
        ELSE n.nspname = ANY ($1::pg_catalog.text[])
      END
ORDER BY n.nspname";

/// Installed extensions, their schemas and versions; `plpgsql` ships with every database.
pub const EXTENSIONS_QUERY: &str = "\
SELECT e.extname AS extension_name, n.nspname AS schema_name, e.extversion AS version
FROM pg_catalog.pg_extension e
JOIN pg_catalog.pg_namespace n ON n.oid = e.extnamespace
WHERE e.extname <> 'plpgsql'
ORDER BY e.extname";

/// Enum types with their labels in sort order (labels added later may sort before older ones).
pub const ENUMS_QUERY: &str = "\
SELECT n.nspname AS schema_name,
       t.typname AS enum_name,
       ARRAY(SELECT e.enumlabel::pg_catalog.text
             FROM pg_catalog.pg_enum e
             WHERE e.enumtypid = t.oid
             ORDER BY e.enumsortorder) AS labels,
       d.description AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass
 AND d.objoid = t.oid
 AND d.objsubid = 0
WHERE t.typtype = 'e'
  AND n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
      AND dep.objid = t.oid
      AND dep.deptype = 'e')
ORDER BY n.nspname, t.typname";

/// Sequences other than identity sequences (those belong to their column), with the column
/// that owns one (`OWNED BY`, deptype `a`), if any. The reader leaves out the ones a
/// `serial` column implies.
pub const SEQUENCES_QUERY: &str = "\
SELECT c.oid AS sequence_oid,
       n.nspname AS schema_name,
       c.relname AS sequence_name,
       pg_catalog.format_type(s.seqtypid, NULL) AS data_type,
       s.seqstart AS start_value,
       s.seqincrement AS increment,
       s.seqmin AS min_value,
       s.seqmax AS max_value,
       s.seqcache AS cache,
       s.seqcycle AS cycle,
       owner_ns.nspname AS owner_schema,
       owner.relname AS owner_table,
       owner_column.attname AS owner_column,
       d.description AS comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_sequence s ON s.seqrelid = c.oid
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
 AND d.objoid = c.oid
 AND d.objsubid = 0
LEFT JOIN pg_catalog.pg_depend dep
  ON dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
 AND dep.objid = c.oid
 AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
 AND dep.refobjsubid > 0
 AND dep.deptype IN ('a', 'i')
LEFT JOIN pg_catalog.pg_class owner ON owner.oid = dep.refobjid
LEFT JOIN pg_catalog.pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
LEFT JOIN pg_catalog.pg_attribute owner_column
  ON owner_column.attrelid = dep.refobjid AND owner_column.attnum = dep.refobjsubid
WHERE c.relkind = 'S'
  AND n.nspname = ANY ($1::pg_catalog.text[])
  AND dep.deptype IS DISTINCT FROM 'i'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend ext
    WHERE ext.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND ext.objid = c.oid
      AND ext.deptype = 'e')
ORDER BY n.nspname, c.relname";

/// Managed tables: plain and partitioned tables (partitions and inheritance children
/// included), not owned by an extension.
pub const TABLES_QUERY: &str = "\
SELECT c.oid AS table_oid,
       n.nspname AS schema_name,
       c.relname AS table_name,
       c.relpersistence = 'u' AS unlogged,
       c.reloptions::pg_catalog.text[] AS storage_parameters,
       c.relrowsecurity AS row_security,
       c.relforcerowsecurity AS force_row_security,
       d.description AS comment
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
 AND d.objoid = c.oid
 AND d.objsubid = 0
WHERE c.relkind IN ('r', 'p')
  AND n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dep.objid = c.oid
      AND dep.deptype = 'e')
ORDER BY n.nspname, c.relname";

/// Views and materialized views with their query, their column comments and the relations
/// they read (through the view's rewrite rule in `pg_depend`), not owned by an extension. `options` are a plain
/// view's `reloptions` (`security_barrier=true`, ...); a materialized view's are storage
/// parameters, which `UNMANAGED_QUERY` reports.
pub const VIEWS_QUERY: &str = "\
SELECT c.oid AS view_oid,
       n.nspname AS schema_name,
       c.relname AS view_name,
       c.relkind = 'm' AS materialized,
       pg_catalog.pg_get_viewdef(c.oid, true) AS definition,
       CASE WHEN c.relkind = 'v' THEN COALESCE(c.reloptions, '{}') ELSE '{}' END AS options,
       d.description AS comment,
       COALESCE(column_comments.names, '{}') AS commented_columns,
       COALESCE(column_comments.comments, '{}') AS column_comments,
       COALESCE(deps.schema_names, '{}') AS depends_on_schemas,
       COALESCE(deps.relation_names, '{}') AS depends_on_names
FROM pg_catalog.pg_class c
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
 AND d.objoid = c.oid
 AND d.objsubid = 0
LEFT JOIN LATERAL (
  SELECT pg_catalog.array_agg(rn.nspname::pg_catalog.text ORDER BY rc.oid) AS schema_names,
         pg_catalog.array_agg(rc.relname::pg_catalog.text ORDER BY rc.oid) AS relation_names
  FROM (
    SELECT DISTINCT dep.refobjid
    FROM pg_catalog.pg_rewrite rw
    JOIN pg_catalog.pg_depend dep
      ON dep.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
     AND dep.objid = rw.oid
     AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    WHERE rw.ev_class = c.oid AND dep.refobjid <> c.oid
  ) referenced
  JOIN pg_catalog.pg_class rc ON rc.oid = referenced.refobjid
  JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
) deps ON true
LEFT JOIN LATERAL (
  SELECT pg_catalog.array_agg(a.attname::pg_catalog.text ORDER BY a.attnum) AS names,
         pg_catalog.array_agg(cd.description ORDER BY a.attnum) AS comments
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_description cd
    ON cd.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
   AND cd.objoid = a.attrelid
   AND cd.objsubid = a.attnum
  WHERE a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
) column_comments ON true
WHERE c.relkind IN ('v', 'm')
  AND n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dep.objid = c.oid
      AND dep.deptype = 'e')
ORDER BY n.nspname, c.relname";
