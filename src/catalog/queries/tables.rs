//! The table-level queries: columns, constraints and indexes of the managed tables, whose
//! oids are `$1 oid[]`, with the PostgreSQL 12-14 variants where a catalog column is missing.

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
/// Column lists keep constraint order (`conkey`/`confkey` with ordinality); each is looked up
/// only for the constraints that use it (a check's columns are in its expression), since the
/// lookups were half the query's time. `check_expression`
/// is `pg_get_expr(conbin, conrelid, true)`, which is exactly the text inside the `CHECK (...)`
/// of `pg_get_constraintdef(oid, true)`, without ` NOT VALID` / ` NO INHERIT`. An exclusion
/// constraint's `definition` is `pg_get_constraintdef`, which the interpreter's parser reads.
macro_rules! constraints_query {
    ($nulls_not_distinct:literal) => {
        concat!(
            "\
SELECT con.conrelid AS table_oid,
       con.conname AS constraint_name,
       con.contype::pg_catalog.text AS constraint_type,
       con.condeferrable AS is_deferrable,
       con.condeferred AS is_deferred,
       con.convalidated AS valid,
       CASE WHEN con.contype = 'c' THEN '{}'
       ELSE ARRAY(SELECT a.attname::pg_catalog.text
                  FROM pg_catalog.unnest(con.conkey) WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                  ORDER BY k.position)
       END::pg_catalog.text[] AS columns,
       CASE WHEN ki.indnatts > ki.indnkeyatts
       THEN ARRAY(SELECT a.attname::pg_catalog.text
                  FROM pg_catalog.unnest(ki.indkey::pg_catalog.int2[])
                       WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = con.conrelid AND a.attnum = k.attnum
                  WHERE k.position > ki.indnkeyatts
                  ORDER BY k.position)
       ELSE '{}'
       END::pg_catalog.text[] AS include,
       rn.nspname AS referenced_schema,
       rc.relname AS referenced_table,
       CASE WHEN con.contype = 'f'
       THEN ARRAY(SELECT a.attname::pg_catalog.text
                  FROM pg_catalog.unnest(con.confkey) WITH ORDINALITY AS k(attnum, position)
                  JOIN pg_catalog.pg_attribute a
                    ON a.attrelid = con.confrelid AND a.attnum = k.attnum
                  ORDER BY k.position)
       ELSE '{}'
       END::pg_catalog.text[] AS referenced_columns,
       con.confdeltype::pg_catalog.text AS on_delete,
       con.confupdtype::pg_catalog.text AS on_update,
       con.confmatchtype::pg_catalog.text AS match_type,
       CASE WHEN con.contype = 'c'
            THEN pg_catalog.pg_get_expr(con.conbin, con.conrelid, true)
       END AS check_expression,
       CASE WHEN con.contype = 'x'
            THEN pg_catalog.pg_get_constraintdef(con.oid, true)
       END AS definition,
       ",
            $nulls_not_distinct,
            " AS nulls_not_distinct,
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
ORDER BY con.conrelid, con.conname"
        )
    };
}

/// `constraints_query!` for PostgreSQL 15+, where a unique key may be `NULLS NOT DISTINCT`.
pub const CONSTRAINTS_QUERY: &str =
    constraints_query!("COALESCE(con.contype = 'u' AND ki.indnullsnotdistinct, false)");

/// `CONSTRAINTS_QUERY` for PostgreSQL 12-14, which have no `indnullsnotdistinct`.
pub const CONSTRAINTS_QUERY_PRE_15: &str = constraints_query!("false");

/// Indexes of the tables in `$1` that back no primary key, unique or exclusion constraint
/// and are not a partition's copy of its parent's; one row per index column (key columns, then `INCLUDE` columns), in position order.
///
/// `indkey`, `indoption`, `indclass` and `indcollation` are 0-based vectors, and the last
/// three cover key columns only. An expression key is `pg_get_indexdef(index, position, true)`,
/// which wraps anything but a bare function call in parentheses. `opclass` is set only for
/// non-default operator classes; `collation` only when it differs from the column's (or, for
/// an expression, from the database default, oid 100), both qualified only when not visible.
macro_rules! indexes_query {
    ($nulls_not_distinct:literal) => {
        concat!(
            "\
SELECT i.indrelid AS table_oid,
       ic.relname AS index_name,
       i.indisunique AS is_unique,
       am.amname AS method,
       pg_catalog.pg_get_expr(i.indpred, i.indrelid, true) AS predicate,
       ",
            $nulls_not_distinct,
            " AS nulls_not_distinct,
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
ORDER BY i.indrelid, ic.relname, k.position"
        )
    };
}

/// `indexes_query!` for PostgreSQL 15+, where a unique index may be `NULLS NOT DISTINCT`.
pub const INDEXES_QUERY: &str = indexes_query!("i.indnullsnotdistinct");

/// `INDEXES_QUERY` for PostgreSQL 12-14, which have no `indnullsnotdistinct`.
pub const INDEXES_QUERY_PRE_15: &str = indexes_query!("false");
