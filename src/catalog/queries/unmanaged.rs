//! The queries for what autogen does not manage: objects and attributes the model does not
//! represent (`UNMANAGED_QUERY`), and the `pg_depend` edges of managed objects to
//! dependents the model cannot tell of (`DEPENDENTS_QUERY`).

/// Objects in the managed schemas that the model does not represent, as `(kind, name)`.
///
/// Sequences owned by a column (`serial`: deptype `a`; identity: deptype `i`) belong to that
/// column and are left out, as is everything an extension owns (deptype `e`), including the
/// triggers, rules and constraints of extension tables. Implicit array types, the constructor
/// functions of range types (deptype `i`) and the `_RETURN` rule of every view are
/// PostgreSQL's own plumbing, not user objects. Attributes of managed objects that the model
/// cannot hold yet (column storage and options, view column defaults, replica identity, the
/// index a table is clustered on, storage parameters and tablespaces, foreign key column
/// lists, operator class parameters) are listed too, so that no difference in them goes
/// unseen. Triggers and policies are read by `catalog::triggers`, which reports those on
/// unmanaged relations.
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
-- `ALTER COLUMN ... SET (n_distinct = ...)`: the options PostgreSQL defines (a server may
-- keep others of its own there).
SELECT 'column options', r.qualified_name || '.' || a.attname, r.schema_name, r.relation_name
FROM relations r
JOIN pg_catalog.pg_attribute a ON a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
WHERE r.relkind IN ('r', 'm', 'p', 'f')
  AND EXISTS (SELECT 1 FROM pg_catalog.unnest(a.attoptions) AS option
              WHERE option LIKE 'n\\_distinct%')
UNION ALL
-- A view column's default (`ALTER VIEW ... ALTER COLUMN ... SET DEFAULT`), which inserts and
-- updates through the view use.
SELECT 'view column default', r.qualified_name || '.' || a.attname, r.schema_name,
       r.relation_name
FROM relations r
JOIN pg_catalog.pg_attrdef ad ON ad.adrelid = r.oid
JOIN pg_catalog.pg_attribute a ON a.attrelid = ad.adrelid AND a.attnum = ad.adnum
WHERE r.relkind = 'v'
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
-- read from the constraint's text, which every version has, of only the keys whose action
-- may have one (printing every key's text cost a third of this query).
SELECT 'foreign key column list', con.conname || ' on ' || r.qualified_name, r.schema_name,
       r.relation_name
FROM relations r
JOIN pg_catalog.pg_constraint con ON con.conrelid = r.oid AND con.contype = 'f'
WHERE con.confdeltype IN ('n', 'd')
  AND pg_catalog.pg_get_constraintdef(con.oid) ~ 'ON DELETE SET (NULL|DEFAULT) [(]'
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
  WHEN e.classid = 'pg_catalog.pg_class'::pg_catalog.regclass THEN e.objid IN (
    SELECT dc.oid FROM pg_catalog.pg_class dc
    WHERE (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_type'::pg_catalog.regclass THEN e.objid IN (
    SELECT dt.oid FROM pg_catalog.pg_type dt
    WHERE (dt.typtype = 'b'
           OR dt.typnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass THEN e.objid IN (
    SELECT dp.oid FROM pg_catalog.pg_proc dp
    JOIN pg_catalog.pg_language l ON l.oid = dp.prolang
    WHERE (dp.pronamespace NOT IN (SELECT oid FROM managed_namespaces)
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
  WHEN e.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass THEN e.objid IN (
    SELECT tg.oid FROM pg_catalog.pg_trigger tg
    JOIN pg_catalog.pg_class dc ON dc.oid = tg.tgrelid
    WHERE (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass THEN e.objid IN (
    SELECT pol.oid FROM pg_catalog.pg_policy pol
    JOIN pg_catalog.pg_class dc ON dc.oid = pol.polrelid
    WHERE (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass THEN e.objid IN (
    SELECT dcon.oid FROM pg_catalog.pg_constraint dcon
    LEFT JOIN pg_catalog.pg_class dc ON dc.oid = dcon.conrelid
    LEFT JOIN pg_catalog.pg_type dt ON dt.oid = dcon.contypid
    WHERE (dc.relkind = 'f'
           OR COALESCE(dc.relnamespace, dt.typnamespace)
              NOT IN (SELECT oid FROM managed_namespaces)))
  WHEN e.classid = 'pg_catalog.pg_attrdef'::pg_catalog.regclass THEN e.objid IN (
    SELECT ad.oid FROM pg_catalog.pg_attrdef ad
    JOIN pg_catalog.pg_class dc ON dc.oid = ad.adrelid
    WHERE (dc.relkind = 'f' OR dc.relnamespace NOT IN (SELECT oid FROM managed_namespaces)))
  ELSE true
END
ORDER BY 1, 2, 3, 4, 6, 9";
