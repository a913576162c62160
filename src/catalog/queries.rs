//! Every statement `catalog::read` runs, one named constant each, all read-only.
//!
//! Schema-level queries take the managed schemas as `$1 text[]`; table-level queries take the
//! managed tables' oids as `$1 oid[]`, so "what is a managed table" is decided once, in
//! `TABLES_QUERY`. Expressions are deparsed with `pretty = true` everywhere.

/// Opens the one transaction all queries share, so they see a single consistent snapshot.
pub const BEGIN_SNAPSHOT_QUERY: &str =
    "START TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY";

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

/// Columns of the tables in `$1`, in `attnum` order.
///
/// `expression` is the default, or the generation expression when `generated = 's'`.
/// `collation` is set only when it differs from the type's default, and is qualified only
/// when not visible on the search path. The `sequence_*` columns describe the sequence this
/// column owns: its identity sequence (deptype `i`), or one that `serial` created (deptype
/// `a`) when the default is exactly `nextval('<that sequence>'::regclass)`; the reader
/// decides whether a serial folds. `is_local` is false for a column a child table has only
/// from its parents.
pub const COLUMNS_QUERY: &str = "\
SELECT a.attrelid AS table_oid,
       a.attname AS column_name,
       a.attislocal AS is_local,
       pg_catalog.format_type(a.atttypid, a.atttypmod) AS data_type,
       a.attnotnull AS not_null,
       a.attidentity::pg_catalog.text AS identity,
       a.attgenerated::pg_catalog.text AS generated,
       pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true) AS expression,
       CASE
         WHEN a.attcollation = t.typcollation OR co.oid IS NULL THEN NULL
         WHEN pg_catalog.pg_collation_is_visible(co.oid) THEN pg_catalog.quote_ident(co.collname)
         ELSE pg_catalog.quote_ident(con.nspname) || '.' || pg_catalog.quote_ident(co.collname)
       END AS collation,
       d.description AS comment,
       NULLIF(a.attstattarget, -1)::pg_catalog.int4 AS statistics,
       CASE a.attcompression WHEN 'p' THEN 'pglz' WHEN 'l' THEN 'lz4' END AS compression,
       seq.sequence_type,
       seq.seqrelid AS sequence_oid,
       seq.seqstart AS sequence_start,
       seq.seqincrement AS sequence_increment,
       seq.seqmin AS sequence_min,
       seq.seqmax AS sequence_max,
       seq.seqcache AS sequence_cache,
       seq.seqcycle AS sequence_cycle,
       seq.commented AS sequence_commented
FROM pg_catalog.pg_attribute a
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
LEFT JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = a.attrelid AND ad.adnum = a.attnum
LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
LEFT JOIN pg_catalog.pg_namespace con ON con.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
 AND d.objoid = a.attrelid
 AND d.objsubid = a.attnum
LEFT JOIN LATERAL (
  SELECT pg_catalog.format_type(s.seqtypid, NULL) AS sequence_type,
         s.seqrelid,
         s.seqstart, s.seqincrement, s.seqmin, s.seqmax, s.seqcache, s.seqcycle,
         EXISTS (SELECT 1 FROM pg_catalog.pg_description sd
                 WHERE sd.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
                   AND sd.objoid = s.seqrelid) AS commented
  FROM pg_catalog.pg_depend dep
  JOIN pg_catalog.pg_sequence s ON s.seqrelid = dep.objid
  WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
    AND dep.refobjid = a.attrelid
    AND dep.refobjsubid = a.attnum
    AND (dep.deptype = 'i'
         OR (dep.deptype = 'a'
             AND pg_catalog.pg_get_expr(ad.adbin, ad.adrelid, true)
                 = 'nextval('''
                   || pg_catalog.replace(s.seqrelid::pg_catalog.regclass::pg_catalog.text,
                                         '''', '''''')
                   || '''::regclass)'))
) seq ON true
WHERE a.attrelid = ANY ($1::pg_catalog.oid[])
  AND a.attnum > 0
  AND NOT a.attisdropped
ORDER BY a.attrelid, a.attnum";

/// Primary key, unique, foreign key, check and exclusion constraints of the tables in `$1`,
/// the ones a table declares itself (`conislocal`): a child's copies of its parent's are left
/// out, as are a referencing table's copies of a foreign key for each partition it
/// references. `no_inherit` matters on checks only (keys are always marked so).
///
/// Column lists keep constraint order (`conkey`/`confkey` with ordinality). `check_expression`
/// is `pg_get_expr(conbin, conrelid, true)`, which is exactly the text inside the `CHECK (...)`
/// of `pg_get_constraintdef(oid, true)`, without ` NOT VALID` / ` NO INHERIT`. An exclusion
/// constraint's `definition` is `pg_get_constraintdef`, which the interpreter's parser reads.
pub const CONSTRAINTS_QUERY: &str = "\
SELECT con.conrelid AS table_oid,
       con.conname AS constraint_name,
       con.contype::pg_catalog.text AS constraint_type,
       con.condeferrable AS is_deferrable,
       con.condeferred AS is_deferred,
       con.convalidated AS valid,
       ARRAY(SELECT a.attname::pg_catalog.text
             FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.position) AS columns,
       ARRAY(SELECT a.attname::pg_catalog.text
             FROM pg_catalog.unnest(ki.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             WHERE k.position > ki.indnkeyatts
             ORDER BY k.position) AS include,
       rn.nspname AS referenced_schema,
       rc.relname AS referenced_table,
       ARRAY(SELECT a.attname::pg_catalog.text
             FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.position) AS referenced_columns,
       con.confdeltype::pg_catalog.text AS on_delete,
       con.confupdtype::pg_catalog.text AS on_update,
       con.confmatchtype::pg_catalog.text AS match_type,
       CASE WHEN con.contype = 'c'
            THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, true)
       END AS check_expression,
       CASE WHEN con.contype = 'x'
            THEN pg_catalog.pg_get_constraintdef(con.oid, true)
       END AS definition,
       COALESCE(i.indnullsnotdistinct, false) AS nulls_not_distinct,
       d.description AS comment,
       con.connoinherit AS no_inherit
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
 AND d.objoid = con.oid
 AND d.objsubid = 0
LEFT JOIN pg_catalog.pg_index i ON i.indexrelid = con.conindid AND con.contype = 'u'
LEFT JOIN pg_catalog.pg_index ki ON ki.indexrelid = con.conindid AND con.contype IN ('p', 'u')
WHERE con.conrelid = ANY ($1::pg_catalog.oid[])
  AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND con.conislocal
ORDER BY con.conrelid, con.conname";

/// `CONSTRAINTS_QUERY` for PostgreSQL 12-14, which have no `indnullsnotdistinct`.
pub const CONSTRAINTS_QUERY_PRE_15: &str = "\
SELECT con.conrelid AS table_oid,
       con.conname AS constraint_name,
       con.contype::pg_catalog.text AS constraint_type,
       con.condeferrable AS is_deferrable,
       con.condeferred AS is_deferred,
       con.convalidated AS valid,
       ARRAY(SELECT a.attname::pg_catalog.text
             FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             ORDER BY k.position) AS columns,
       ARRAY(SELECT a.attname::pg_catalog.text
             FROM pg_catalog.unnest(ki.indkey::pg_catalog.int2[]) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = k.attnum
             WHERE k.position > ki.indnkeyatts
             ORDER BY k.position) AS include,
       rn.nspname AS referenced_schema,
       rc.relname AS referenced_table,
       ARRAY(SELECT a.attname::pg_catalog.text
             FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
             JOIN pg_catalog.pg_attribute a ON a.attrelid = con.confrelid AND a.attnum = k.attnum
             ORDER BY k.position) AS referenced_columns,
       con.confdeltype::pg_catalog.text AS on_delete,
       con.confupdtype::pg_catalog.text AS on_update,
       con.confmatchtype::pg_catalog.text AS match_type,
       CASE WHEN con.contype = 'c'
            THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, true)
       END AS check_expression,
       CASE WHEN con.contype = 'x'
            THEN pg_catalog.pg_get_constraintdef(con.oid, true)
       END AS definition,
       false AS nulls_not_distinct,
       d.description AS comment,
       con.connoinherit AS no_inherit
FROM pg_catalog.pg_constraint con
LEFT JOIN pg_catalog.pg_class rc ON rc.oid = con.confrelid
LEFT JOIN pg_catalog.pg_namespace rn ON rn.oid = rc.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
 AND d.objoid = con.oid
 AND d.objsubid = 0
LEFT JOIN pg_catalog.pg_index ki ON ki.indexrelid = con.conindid AND con.contype IN ('p', 'u')
WHERE con.conrelid = ANY ($1::pg_catalog.oid[])
  AND con.contype IN ('p', 'u', 'f', 'c', 'x')
  AND con.conislocal
ORDER BY con.conrelid, con.conname";

/// Indexes of the tables in `$1` that back no primary key, unique or exclusion constraint
/// and are not a partition's copy of its parent's; one row per index column (key columns, then `INCLUDE` columns), in position order.
///
/// `indkey`, `indoption`, `indclass` and `indcollation` are 0-based vectors, and the last
/// three cover key columns only. An expression key is `pg_get_indexdef(index, position, true)`,
/// which wraps anything but a bare function call in parentheses. `opclass` is set only for
/// non-default operator classes; `collation` only when it differs from the column's (or, for
/// an expression, from the database default, oid 100), both qualified only when not visible.
pub const INDEXES_QUERY: &str = "\
SELECT i.indrelid AS table_oid,
       ic.relname AS index_name,
       i.indisunique AS is_unique,
       am.amname AS method,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       i.indnullsnotdistinct AS nulls_not_distinct,
       ic.reloptions::pg_catalog.text[] AS storage_parameters,
       pg_catalog.obj_description(i.indexrelid, 'pg_class') AS comment,
       k.position > i.indnkeyatts AS is_included,
       a.attname AS column_name,
       CASE WHEN i.indkey[k.position - 1] = 0
            THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.position, true)
       END AS expression,
       COALESCE(i.indoption[k.position - 1], 0)::pg_catalog.int4 AS key_options,
       CASE
         WHEN opc.oid IS NULL OR opc.opcdefault THEN NULL
         WHEN pg_catalog.pg_opclass_is_visible(opc.oid) THEN pg_catalog.quote_ident(opc.opcname)
         ELSE pg_catalog.quote_ident(opcn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname)
       END AS opclass,
       CASE
         WHEN co.oid IS NULL OR co.oid = COALESCE(a.attcollation, 100) THEN NULL
         WHEN pg_catalog.pg_collation_is_visible(co.oid) THEN pg_catalog.quote_ident(co.collname)
         ELSE pg_catalog.quote_ident(con.nspname) || '.' || pg_catalog.quote_ident(co.collname)
       END AS collation
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL pg_catalog.generate_series(1, i.indnatts::pg_catalog.int4) AS k(position)
LEFT JOIN pg_catalog.pg_attribute a
  ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.position - 1] AND a.attnum > 0
LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k.position - 1]
LEFT JOIN pg_catalog.pg_namespace opcn ON opcn.oid = opc.opcnamespace
LEFT JOIN pg_catalog.pg_collation co ON co.oid = i.indcollation[k.position - 1]
LEFT JOIN pg_catalog.pg_namespace con ON con.oid = co.collnamespace
WHERE i.indrelid = ANY ($1::pg_catalog.oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_constraint c
    WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
ORDER BY i.indrelid, ic.relname, k.position";

/// `INDEXES_QUERY` for PostgreSQL 12-14, which have no `indnullsnotdistinct`.
pub const INDEXES_QUERY_PRE_15: &str = "\
SELECT i.indrelid AS table_oid,
       ic.relname AS index_name,
       i.indisunique AS is_unique,
       am.amname AS method,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       false AS nulls_not_distinct,
       ic.reloptions::pg_catalog.text[] AS storage_parameters,
       pg_catalog.obj_description(i.indexrelid, 'pg_class') AS comment,
       k.position > i.indnkeyatts AS is_included,
       a.attname AS column_name,
       CASE WHEN i.indkey[k.position - 1] = 0
            THEN pg_catalog.pg_get_indexdef(i.indexrelid, k.position, true)
       END AS expression,
       COALESCE(i.indoption[k.position - 1], 0)::pg_catalog.int4 AS key_options,
       CASE
         WHEN opc.oid IS NULL OR opc.opcdefault THEN NULL
         WHEN pg_catalog.pg_opclass_is_visible(opc.oid) THEN pg_catalog.quote_ident(opc.opcname)
         ELSE pg_catalog.quote_ident(opcn.nspname) || '.' || pg_catalog.quote_ident(opc.opcname)
       END AS opclass,
       CASE
         WHEN co.oid IS NULL OR co.oid = COALESCE(a.attcollation, 100) THEN NULL
         WHEN pg_catalog.pg_collation_is_visible(co.oid) THEN pg_catalog.quote_ident(co.collname)
         ELSE pg_catalog.quote_ident(con.nspname) || '.' || pg_catalog.quote_ident(co.collname)
       END AS collation
FROM pg_catalog.pg_index i
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
JOIN pg_catalog.pg_am am ON am.oid = ic.relam
CROSS JOIN LATERAL pg_catalog.generate_series(1, i.indnatts::pg_catalog.int4) AS k(position)
LEFT JOIN pg_catalog.pg_attribute a
  ON a.attrelid = i.indrelid AND a.attnum = i.indkey[k.position - 1] AND a.attnum > 0
LEFT JOIN pg_catalog.pg_opclass opc ON opc.oid = i.indclass[k.position - 1]
LEFT JOIN pg_catalog.pg_namespace opcn ON opcn.oid = opc.opcnamespace
LEFT JOIN pg_catalog.pg_collation co ON co.oid = i.indcollation[k.position - 1]
LEFT JOIN pg_catalog.pg_namespace con ON con.oid = co.collnamespace
WHERE i.indrelid = ANY ($1::pg_catalog.oid[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_constraint c
    WHERE c.conindid = i.indexrelid AND c.contype IN ('p', 'u', 'x'))
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_inherits inh WHERE inh.inhrelid = i.indexrelid)
ORDER BY i.indrelid, ic.relname, k.position";

/// Objects in the managed schemas that the model does not represent, as `(kind, name)`.
///
/// Sequences owned by a column (`serial`: deptype `a`; identity: deptype `i`) belong to that
/// column and are left out, as is everything an extension owns (deptype `e`), including the
/// triggers, rules and constraints of extension tables. Implicit array types, the constructor
/// functions of range types (deptype `i`) and the `_RETURN` rule of every view are
/// PostgreSQL's own plumbing, not user objects. Attributes of managed objects that the model
/// cannot hold yet (column storage, replica identity, the index a table is clustered on,
/// storage parameters and tablespaces, foreign key column lists, operator class parameters)
/// are listed too, so that no
/// difference in them goes unseen. Triggers and
/// policies are read by `catalog::triggers`, which reports those on unmanaged relations.
pub const UNMANAGED_QUERY: &str = "\
WITH extension_members AS (
  SELECT dep.classid, dep.objid
  FROM pg_catalog.pg_depend dep
  WHERE dep.deptype = 'e'
),
relations AS (
  SELECT c.oid, c.relkind, n.nspname || '.' || c.relname AS qualified_name,
         n.nspname AS schema_name, c.relname AS relation_name
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY ($1::pg_catalog.text[])
    AND (c.tableoid, c.oid) NOT IN (SELECT * FROM extension_members)
)
SELECT 'foreign table' AS kind,
       r.qualified_name AS name,
       NULL AS attached_schema,
       NULL AS attached_name
FROM relations r
WHERE r.relkind = 'f'
UNION ALL
SELECT CASE p.prokind
         WHEN 'p' THEN 'procedure'
         WHEN 'a' THEN 'aggregate'
         WHEN 'w' THEN 'window function'
         ELSE 'function'
       END,
       n.nspname || '.' || p.proname
         || '(' || pg_catalog.pg_get_function_identity_arguments(p.oid) || ')',
       NULL,
       NULL
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND (p.tableoid, p.oid) NOT IN (SELECT * FROM extension_members)
  -- The rest are managed (`FUNCTIONS_QUERY`, `AGGREGATES_QUERY`).
  AND (p.prokind = 'w'
       OR (p.prokind = 'a' AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_aggregate ag
                                           WHERE ag.aggfnoid = p.oid AND ag.aggkind = 'n'))
       OR (p.prokind <> 'a'
           AND p.prolang IN (SELECT lang.oid FROM pg_catalog.pg_language lang
                             WHERE lang.lanname IN ('c', 'internal'))))
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
      AND dep.objid = p.oid
      AND dep.deptype = 'i')
UNION ALL
-- The model keeps an identity column's sequence options, not a comment on the sequence.
SELECT 'comment on an identity sequence', r.qualified_name, owner_ns.nspname, owner.relname
FROM relations r
JOIN pg_catalog.pg_depend dep
  ON dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
 AND dep.objid = r.oid
 AND dep.deptype = 'i'
 AND dep.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass
JOIN pg_catalog.pg_class owner ON owner.oid = dep.refobjid
JOIN pg_catalog.pg_namespace owner_ns ON owner_ns.oid = owner.relnamespace
WHERE r.relkind = 'S'
  AND EXISTS (SELECT 1 FROM pg_catalog.pg_description d
              WHERE d.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
                AND d.objoid = r.oid)
UNION ALL
SELECT 'rule', rw.rulename || ' on ' || r.qualified_name, r.schema_name, r.relation_name
FROM pg_catalog.pg_rewrite rw
JOIN relations r ON r.oid = rw.ev_class
WHERE rw.rulename <> '_RETURN'
UNION ALL
-- Range types (and their multiranges) are managed (`RANGES_QUERY`).
SELECT 'base type',
       n.nspname || '.' || t.typname,
       NULL,
       NULL
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND t.typtype = 'b'
  AND NOT EXISTS (SELECT 1 FROM pg_catalog.pg_type element WHERE element.typarray = t.oid)
  AND (t.tableoid, t.oid) NOT IN (SELECT * FROM extension_members)
UNION ALL
SELECT 'statistics', n.nspname || '.' || st.stxname, NULL, NULL
FROM pg_catalog.pg_statistic_ext st
JOIN pg_catalog.pg_namespace n ON n.oid = st.stxnamespace
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND (st.tableoid, st.oid) NOT IN (SELECT * FROM extension_members)
UNION ALL
SELECT 'storage parameters', r.qualified_name, r.schema_name, r.relation_name
FROM relations r
JOIN pg_catalog.pg_class c ON c.oid = r.oid
WHERE r.relkind IN ('r', 'i', 'm')
  AND (c.reltablespace <> 0
       OR (c.reloptions IS NOT NULL AND (r.relkind = 'm' OR EXISTS (
             SELECT 1 FROM pg_catalog.pg_constraint con
             WHERE con.conindid = c.oid AND con.contype <> 'x')))
       OR EXISTS (SELECT 1 FROM pg_catalog.pg_class toast
                  WHERE toast.oid = c.reltoastrelid AND toast.reloptions IS NOT NULL))
UNION ALL
-- A column stored other than its type's way (`SET STORAGE`), whose default the model cannot
-- tell without the type.
SELECT 'column storage', r.qualified_name || '.' || a.attname, r.schema_name, r.relation_name
FROM relations r
JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE r.relkind IN ('r', 'm')
  AND a.attstorage <> t.typstorage
UNION ALL
SELECT 'replica identity', r.qualified_name, r.schema_name, r.relation_name
FROM relations r
JOIN pg_catalog.pg_class c ON c.oid = r.oid
WHERE r.relkind IN ('r', 'm')
  AND c.relreplident <> 'd'
UNION ALL
SELECT 'clustered index', ic.relname || ' on ' || r.qualified_name, r.schema_name,
       r.relation_name
FROM relations r
JOIN pg_catalog.pg_index i ON i.indrelid = r.oid AND i.indisclustered
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
UNION ALL
-- `ON DELETE SET NULL (columns)` (PostgreSQL 15): the model keeps the action, not the list;
-- read from the constraint's text, which every version has.
SELECT 'foreign key column list', con.conname || ' on ' || r.qualified_name, r.schema_name,
       r.relation_name
FROM relations r
JOIN pg_catalog.pg_constraint con ON con.conrelid = r.oid AND con.contype = 'f'
WHERE pg_catalog.pg_get_constraintdef(con.oid) ~ 'ON DELETE SET (NULL|DEFAULT) [(]'
UNION ALL
-- Operator class parameters (`gist_trgm_ops (siglen = 32)`) live in the index's attoptions.
SELECT 'operator class parameters', ic.relname || ' on ' || r.qualified_name, r.schema_name,
       r.relation_name
FROM relations r
JOIN pg_catalog.pg_index i ON i.indrelid = r.oid
JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
WHERE EXISTS (SELECT 1 FROM pg_catalog.pg_attribute a
              WHERE a.attrelid = i.indexrelid AND a.attoptions IS NOT NULL)";

/// What depends on the managed tables, views, columns, enums, domains, composite types,
/// range types (their multirange types under their name), ordinary aggregates (with
/// `argument_types`), constraints and indexes in `$1` (a constraint's index, `conindid`,
/// stands for it), one row per `pg_depend` edge, where the model cannot tell: a managed
/// view that needs a key (`GROUP BY` its primary key: `view_schema`, `view_name`), or an object
/// autogen does not manage (`dependent`, as `pg_describe_object` words it): a rule, a view or
/// table of another schema, a foreign table, an extended statistics object, a publication,
/// a routine or type of a kind it does not read (aggregates, range and multirange types are
/// managed: the diff decides about them from the model). `automatic` edges are dropped along with what
/// they need; the others make PostgreSQL refuse the drop.
pub const DEPENDENTS_QUERY: &str = "\
WITH extension_members AS (
  SELECT dep.classid, dep.objid
  FROM pg_catalog.pg_depend dep
  WHERE dep.deptype = 'e'
),
managed_namespaces AS (
  SELECT n.oid FROM pg_catalog.pg_namespace n WHERE n.nspname = ANY ($1::pg_catalog.text[])
),
referenced AS (
  SELECT c.tableoid AS classid, c.oid AS objid,
         CASE WHEN c.relkind IN ('v', 'm') THEN 'view' ELSE 'table' END AS kind,
         n.nspname AS schema_name, c.relname AS object_name, NULL::pg_catalog.name AS detail,
         NULL::pg_catalog.text[] AS argument_types
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relnamespace IN (SELECT oid FROM managed_namespaces)
    AND c.relkind IN ('r', 'p', 'v', 'm')
    AND (c.tableoid, c.oid) NOT IN (SELECT * FROM extension_members)
  UNION ALL
  SELECT t.tableoid, t.oid,
         CASE t.typtype WHEN 'e' THEN 'enum' WHEN 'd' THEN 'domain' ELSE 'composite' END,
         n.nspname, t.typname, NULL, NULL
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  LEFT JOIN pg_catalog.pg_class tc ON tc.oid = t.typrelid
  WHERE t.typnamespace IN (SELECT oid FROM managed_namespaces)
    AND (t.typtype IN ('e', 'd') OR tc.relkind = 'c')
    AND (t.tableoid, t.oid) NOT IN (SELECT * FROM extension_members)
  UNION ALL
  -- A range type, and its multirange type (an internal dependent of it) under its name.
  SELECT t.tableoid, t.oid, 'range', n.nspname, range_type.typname, NULL, NULL
  FROM pg_catalog.pg_type t
  LEFT JOIN pg_catalog.pg_depend own
    ON t.typtype = 'm' AND own.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
   AND own.objid = t.oid AND own.deptype = 'i'
   AND own.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass
  JOIN pg_catalog.pg_type range_type
    ON range_type.oid = CASE t.typtype WHEN 'r' THEN t.oid ELSE own.refobjid END
  JOIN pg_catalog.pg_namespace n ON n.oid = range_type.typnamespace
  WHERE range_type.typnamespace IN (SELECT oid FROM managed_namespaces)
    AND t.typtype IN ('r', 'm') AND range_type.typtype = 'r'
    AND (range_type.tableoid, range_type.oid) NOT IN (SELECT * FROM extension_members)
  UNION ALL
  -- An ordinary aggregate (`AGGREGATES_QUERY`), named with its argument types.
  SELECT p.tableoid, p.oid, 'aggregate', n.nspname, p.proname, NULL,
         ARRAY(SELECT pg_catalog.format_type(a.type_oid, NULL)
               FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[])
                    WITH ORDINALITY AS a(type_oid, position)
               ORDER BY a.position)
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_aggregate ag ON ag.aggfnoid = p.oid AND ag.aggkind = 'n'
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE p.pronamespace IN (SELECT oid FROM managed_namespaces)
    AND (p.tableoid, p.oid) NOT IN (SELECT * FROM extension_members)
  UNION ALL
  SELECT con.tableoid, con.oid, 'constraint', n.nspname, c.relname, con.conname, NULL
  FROM pg_catalog.pg_constraint con
  JOIN pg_catalog.pg_class c ON c.oid = con.conrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relnamespace IN (SELECT oid FROM managed_namespaces)
    AND c.relkind IN ('r', 'p')
  UNION ALL
  -- A foreign key needs the index of the key it references (`conindid`): that is the key's.
  SELECT ic.tableoid, ic.oid, COALESCE(con.kind, 'index'), n.nspname, c.relname,
         COALESCE(con.conname, ic.relname), NULL
  FROM pg_catalog.pg_index i
  JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
  JOIN pg_catalog.pg_class c ON c.oid = i.indrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  LEFT JOIN LATERAL (
    SELECT 'constraint' AS kind, key.conname
    FROM pg_catalog.pg_constraint key
    WHERE key.conindid = i.indexrelid AND key.conrelid = i.indrelid
      AND key.contype IN ('p', 'u', 'x')
  ) con ON true
  WHERE c.relnamespace IN (SELECT oid FROM managed_namespaces)
    AND c.relkind IN ('r', 'p', 'm')
),
edges AS (
  SELECT r.kind, r.schema_name, r.object_name,
         COALESCE(r.detail, a.attname) AS detail, r.argument_types,
         dep.deptype = 'a' AS automatic,
         dep.classid, dep.objid, dep.objsubid,
         rw.ev_class AS rule_relation,
         view_class.tableoid AS rule_relation_class,
         COALESCE(rw.rulename = '_RETURN', false) AS is_view_query,
         view_ns.nspname AS view_schema,
         view_class.relname AS view_name,
         view_class.relnamespace IN (SELECT oid FROM managed_namespaces)
           AND (view_class.tableoid, view_class.oid) NOT IN (SELECT * FROM extension_members)
           IS TRUE AS managed_view
  FROM pg_catalog.pg_depend dep
  JOIN referenced r ON r.classid = dep.refclassid AND r.objid = dep.refobjid
  LEFT JOIN pg_catalog.pg_attribute a
    ON r.kind = 'table' AND a.attrelid = dep.refobjid AND a.attnum = dep.refobjsubid
   AND dep.refobjsubid > 0
  LEFT JOIN pg_catalog.pg_rewrite rw
    ON dep.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass AND rw.oid = dep.objid
  LEFT JOIN pg_catalog.pg_class view_class ON view_class.oid = rw.ev_class
  LEFT JOIN pg_catalog.pg_namespace view_ns ON view_ns.oid = view_class.relnamespace
  WHERE dep.deptype IN ('n', 'a')
    -- A rule on the relation itself is attached to it (`UNMANAGED_QUERY` says so), and a
    -- view's query reads the view.
    AND (rw.oid IS NULL OR rw.ev_class <> dep.refobjid)
)
SELECT e.kind, e.schema_name, e.object_name, e.detail, e.automatic, e.argument_types,
       CASE WHEN e.managed_view AND e.is_view_query THEN e.view_schema END AS view_schema,
       CASE WHEN e.managed_view AND e.is_view_query THEN e.view_name END AS view_name,
       CASE WHEN e.is_view_query
            THEN pg_catalog.pg_describe_object(e.rule_relation_class, e.rule_relation, 0)
            ELSE pg_catalog.pg_describe_object(e.classid, e.objid, e.objsubid)
       END AS dependent
FROM edges e
WHERE CASE
  WHEN e.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass THEN
    e.kind = 'constraint' OR NOT (e.managed_view AND e.is_view_query)
  WHEN e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass THEN EXISTS (
    SELECT 1 FROM pg_catalog.pg_class dc
    WHERE dc.oid = e.objid
      AND (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass THEN EXISTS (
    SELECT 1 FROM pg_catalog.pg_type dt
    WHERE dt.oid = e.objid
      AND (dt.typtype = 'b'
           OR dt.typnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN EXISTS (
    SELECT 1 FROM pg_catalog.pg_proc dp
    JOIN pg_catalog.pg_language l ON l.oid = dp.prolang
    WHERE dp.oid = e.objid
      AND (dp.pronamespace NOT IN (SELECT oid FROM managed_namespaces)
           OR CASE dp.prokind
                -- Ordinary aggregates are managed (`AGGREGATES_QUERY`), ordered-set ones not.
                WHEN 'a' THEN NOT EXISTS (
                  SELECT 1 FROM pg_catalog.pg_aggregate ag
                  WHERE ag.aggfnoid = dp.oid AND ag.aggkind = 'n')
                -- A range or multirange type's constructors are part of it.
                WHEN 'f' THEN l.lanname IN ('c', 'internal') AND NOT EXISTS (
                  SELECT 1 FROM pg_catalog.pg_depend own
                  JOIN pg_catalog.pg_type rt ON rt.oid = own.refobjid
                  WHERE own.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
                    AND own.objid = dp.oid AND own.deptype = 'i'
                    AND own.refclassid = 'pg_catalog.pg_type'::pg_catalog.regclass
                    AND rt.typtype IN ('r', 'm'))
                WHEN 'p' THEN l.lanname IN ('c', 'internal')
                ELSE true
              END))
  WHEN e.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN EXISTS (
    SELECT 1 FROM pg_catalog.pg_trigger tg
    JOIN pg_catalog.pg_class dc ON dc.oid = tg.tgrelid
    WHERE tg.oid = e.objid
      AND (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass THEN EXISTS (
    SELECT 1 FROM pg_catalog.pg_policy pol
    JOIN pg_catalog.pg_class dc ON dc.oid = pol.polrelid
    WHERE pol.oid = e.objid
      AND (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN EXISTS (
    SELECT 1 FROM pg_catalog.pg_constraint dcon
    LEFT JOIN pg_catalog.pg_class dc ON dc.oid = dcon.conrelid
    LEFT JOIN pg_catalog.pg_type dt ON dt.oid = dcon.contypid
    WHERE dcon.oid = e.objid
      AND (dc.relkind = 'f'
           OR COALESCE(dc.relnamespace, dt.typnamespace)
              NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN EXISTS (
    SELECT 1 FROM pg_catalog.pg_attrdef ad
    JOIN pg_catalog.pg_class dc ON dc.oid = ad.adrelid
    WHERE ad.oid = e.objid
      AND (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  ELSE true
END
ORDER BY 1, 2, 3, 4, 6, 9";
