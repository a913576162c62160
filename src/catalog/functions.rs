//! Functions and procedures: one bulk query over `pg_proc` (stage 2, read-only).
//!
//! Reads the routines of the managed schemas that autogen manages: not aggregates or window
//! functions, not C or internal ones, not extension members (those stay in
//! `UNMANAGED_QUERY`). Text comes from the server's own printers (`format_type`,
//! `pg_get_function_arg_default`, `pg_get_function_sqlbody`), so it compares exactly with a
//! shadow database's.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::version::ServerVersion;
use super::{catalog_error, run, CatalogRow};
use crate::error::Result;
use crate::model::{
    Argument, ArgumentMode, Expr, Function, FunctionBody, FunctionName, Parallel, Returns,
    Volatility,
};

/// Which `pg_proc` rows are managed routines; shared by the query and its fallback.
macro_rules! functions_query {
    ($sql_body:literal) => {
        concat!(
            "\
SELECT n.nspname AS schema_name,
       p.proname AS function_name,
       p.prokind = 'p' AS procedure,
       ARRAY(SELECT pg_catalog.format_type(a.type_oid, NULL)
             FROM pg_catalog.unnest(COALESCE(p.proallargtypes, p.proargtypes::pg_catalog.oid[]))
                  WITH ORDINALITY AS a(type_oid, position)
             ORDER BY a.position) AS argument_types,
       COALESCE(p.proargmodes::pg_catalog.text[], '{}') AS argument_modes,
       COALESCE(p.proargnames, '{}') AS argument_names,
       ARRAY(SELECT pg_catalog.pg_get_function_arg_default(p.oid, a.position::pg_catalog.int4)
             FROM pg_catalog.generate_series(1,
                    COALESCE(pg_catalog.array_length(p.proallargtypes, 1), p.pronargs))
                  AS a(position)
             ORDER BY a.position) AS argument_defaults,
       p.proretset AS returns_set,
       pg_catalog.format_type(p.prorettype, NULL) AS return_type,
       l.lanname AS language,
       ",
            $sql_body,
            ",
       p.provolatile::pg_catalog.text AS volatility,
       p.proisstrict AS strict,
       p.prosecdef AS security_definer,
       p.proleakproof AS leakproof,
       p.proparallel::pg_catalog.text AS parallel,
       p.procost::pg_catalog.numeric::pg_catalog.text AS cost,
       p.prorows::pg_catalog.numeric::pg_catalog.text AS rows,
       COALESCE(p.proconfig, '{}') AS config,
       d.description AS comment,
       ARRAY(SELECT pg_catalog.pg_describe_object(dep.classid, dep.objid, dep.objsubid)
             FROM pg_catalog.pg_depend dep
             LEFT JOIN pg_catalog.pg_rewrite rw
               ON dep.classid = 'pg_catalog.pg_rewrite'::pg_catalog.regclass
              AND rw.oid = dep.objid
             LEFT JOIN pg_catalog.pg_constraint con
               ON dep.classid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
              AND con.oid = dep.objid
             WHERE dep.refclassid = 'pg_catalog.pg_proc'::pg_catalog.regclass
               AND dep.refobjid = p.oid
               AND dep.deptype IN ('n', 'a')
               AND (dep.classid IN ('pg_catalog.pg_trigger'::pg_catalog.regclass,
                                    'pg_catalog.pg_policy'::pg_catalog.regclass,
                                    'pg_catalog.pg_proc'::pg_catalog.regclass,
                                    'pg_catalog.pg_operator'::pg_catalog.regclass,
                                    'pg_catalog.pg_cast'::pg_catalog.regclass,
                                    'pg_catalog.pg_type'::pg_catalog.regclass,
                                    'pg_catalog.pg_event_trigger'::pg_catalog.regclass)
                    OR rw.rulename <> '_RETURN'
                    OR con.contype = 'x')
             ORDER BY 1) AS unmanaged_users
FROM pg_catalog.pg_proc p
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
JOIN pg_catalog.pg_language l ON l.oid = p.prolang
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
 AND d.objoid = p.oid
 AND d.objsubid = 0
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND p.prokind IN ('f', 'p')
  AND l.lanname NOT IN ('c', 'internal')
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
      AND dep.objid = p.oid
      AND dep.deptype IN ('e', 'i'))
ORDER BY n.nspname, p.proname"
        )
    };
}

/// Every managed function and procedure of the schemas in `$1`. `sql_body` is the body of
/// a SQL-standard routine (`RETURN ...`, `BEGIN ATOMIC ... END`), `source` any other's.
/// `unmanaged_users` describes what calls the routine that autogen does not manage.
pub const FUNCTIONS_QUERY: &str = functions_query!(
    "CASE WHEN p.prosqlbody IS NULL THEN p.prosrc END AS source,
       CASE WHEN p.prosqlbody IS NOT NULL
            THEN pg_catalog.pg_get_function_sqlbody(p.oid) END AS sql_body"
);

/// `FUNCTIONS_QUERY` for PostgreSQL 12-13, which have no SQL-standard bodies.
pub const FUNCTIONS_QUERY_PRE_14: &str = functions_query!(
    "p.prosrc AS source,
       NULL::pg_catalog.text AS sql_body"
);

/// The default `COST` of a routine in any language but C and internal.
const DEFAULT_COST: &str = "100";
/// The default `ROWS` of a set-returning function.
const DEFAULT_ROWS: &str = "1000";

pub(super) type Functions = (
    BTreeMap<FunctionName, Function>,
    BTreeMap<FunctionName, Vec<String>>,
);

pub(super) async fn read_functions(
    client: &Client,
    version: ServerVersion,
    schemas: &[String],
) -> Result<Functions> {
    let (query, sql) = if version.supports_sql_standard_bodies() {
        ("FUNCTIONS_QUERY", FUNCTIONS_QUERY)
    } else {
        ("FUNCTIONS_QUERY_PRE_14", FUNCTIONS_QUERY_PRE_14)
    };
    let mut functions = BTreeMap::new();
    let mut users = BTreeMap::new();
    for row in run(client, query, sql, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let schema: String = row.get("schema_name")?;
        let name: String = row.get("function_name")?;
        let describe = || format!("function {schema}.{name}");
        let types: Vec<String> = row.get("argument_types")?;
        let modes: Vec<String> = row.get("argument_modes")?;
        let names: Vec<String> = row.get("argument_names")?;
        let defaults: Vec<Option<String>> = row.get("argument_defaults")?;
        let mut arguments = Vec::new();
        let mut table_columns = Vec::new();
        for (argument_idx, data_type) in types.into_iter().enumerate() {
            let argument_name = names
                .get(argument_idx)
                .filter(|name| !name.is_empty())
                .cloned();
            let mode = match modes.get(argument_idx).map_or("i", String::as_str) {
                "i" => ArgumentMode::In,
                "o" => ArgumentMode::Out,
                "b" => ArgumentMode::InOut,
                "v" => ArgumentMode::Variadic,
                "t" => {
                    table_columns.push((argument_name.unwrap_or_default(), data_type));
                    continue;
                }
                other => {
                    let message = format!("{} has argument mode {other:?}", describe());
                    return Err(catalog_error(query, message));
                }
            };
            arguments.push(Argument {
                mode,
                name: argument_name,
                data_type,
                default: defaults.get(argument_idx).cloned().flatten().map(Expr),
            });
        }
        let procedure: bool = row.get("procedure")?;
        let returns_set: bool = row.get("returns_set")?;
        let returns = match (procedure, table_columns.is_empty()) {
            (true, _) => None,
            (false, true) => Some(Returns::Type {
                setof: returns_set,
                data_type: row.get("return_type")?,
            }),
            (false, false) => Some(Returns::Table(table_columns)),
        };
        let body = match (
            row.get::<Option<String>>("sql_body")?,
            row.get::<Option<String>>("source")?,
        ) {
            (Some(sql_body), _) => FunctionBody::Sql(sql_body),
            (None, Some(source)) => FunctionBody::Source(source),
            (None, None) => {
                return Err(catalog_error(query, format!("{} has no body", describe())))
            }
        };
        let volatility = match row.get::<String>("volatility")?.as_str() {
            "i" => Volatility::Immutable,
            "s" => Volatility::Stable,
            _ => Volatility::Volatile,
        };
        let parallel = match row.get::<String>("parallel")?.as_str() {
            "s" => Parallel::Safe,
            "r" => Parallel::Restricted,
            _ => Parallel::Unsafe,
        };
        let cost: String = row.get("cost")?;
        let rows: String = row.get("rows")?;
        let config = row
            .get::<Vec<String>>("config")?
            .into_iter()
            .map(|entry| match entry.split_once('=') {
                Some((name, value)) => (name.to_string(), value.to_string()),
                None => (entry, String::new()),
            })
            .collect();
        let function_name = FunctionName {
            schema,
            name,
            argument_types: Function::identity_types(&arguments, procedure),
        };
        let unmanaged_users: Vec<String> = row.get("unmanaged_users")?;
        if !unmanaged_users.is_empty() {
            users.insert(function_name.clone(), unmanaged_users);
        }
        let function = Function {
            name: function_name.clone(),
            procedure,
            arguments,
            returns,
            language: row.get("language")?,
            body,
            volatility,
            strict: row.get("strict")?,
            security_definer: row.get("security_definer")?,
            leakproof: row.get("leakproof")?,
            parallel,
            cost: (cost != DEFAULT_COST).then_some(cost),
            rows: (returns_set && rows != DEFAULT_ROWS).then_some(rows),
            config,
            comment: row.get("comment")?,
        };
        functions.insert(function_name, function);
    }
    Ok((functions, users))
}
