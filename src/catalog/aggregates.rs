//! Aggregates: one bulk query over `pg_aggregate` (stage 2, read-only).
//!
//! Reads the ordinary aggregates of the managed schemas that no extension owns; ordered-set
//! and hypothetical-set aggregates stay in `UNMANAGED_QUERY`. Support functions are read by
//! schema and name from their oids, so they never depend on `search_path`.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::{catalog_error, run, CatalogRow};
use crate::error::Result;
use crate::model::{
    Aggregate, AggregateState, Argument, ArgumentMode, FinalModify, Function, FunctionName,
    MovingAggregate, Parallel, QualifiedName,
};

/// Every ordinary aggregate of the schemas in `$1`. `support_schemas` and `support_names`
/// hold, in this order, the transition, final, combine, serial, deserial, moving transition,
/// inverse and moving final functions (NULL where there is none).
pub const AGGREGATES_QUERY: &str = "\
SELECT n.nspname AS schema_name,
       p.proname AS aggregate_name,
       ARRAY(SELECT pg_catalog.format_type(a.type_oid, NULL)
             FROM pg_catalog.unnest(p.proargtypes::pg_catalog.oid[])
                  WITH ORDINALITY AS a(type_oid, position)
             ORDER BY a.position) AS argument_types,
       COALESCE(p.proargmodes::pg_catalog.text[], '{}') AS argument_modes,
       COALESCE(p.proargnames, '{}') AS argument_names,
       ARRAY(SELECT sn.nspname::pg_catalog.text
             FROM pg_catalog.unnest(ARRAY[ag.aggtransfn, ag.aggfinalfn, ag.aggcombinefn,
                                          ag.aggserialfn, ag.aggdeserialfn, ag.aggmtransfn,
                                          ag.aggminvtransfn, ag.aggmfinalfn]::pg_catalog.oid[])
                  WITH ORDINALITY AS s(function_oid, position)
             LEFT JOIN pg_catalog.pg_proc sp ON sp.oid = s.function_oid
             LEFT JOIN pg_catalog.pg_namespace sn ON sn.oid = sp.pronamespace
             ORDER BY s.position) AS support_schemas,
       ARRAY(SELECT sp.proname::pg_catalog.text
             FROM pg_catalog.unnest(ARRAY[ag.aggtransfn, ag.aggfinalfn, ag.aggcombinefn,
                                          ag.aggserialfn, ag.aggdeserialfn, ag.aggmtransfn,
                                          ag.aggminvtransfn, ag.aggmfinalfn]::pg_catalog.oid[])
                  WITH ORDINALITY AS s(function_oid, position)
             LEFT JOIN pg_catalog.pg_proc sp ON sp.oid = s.function_oid
             ORDER BY s.position) AS support_names,
       pg_catalog.format_type(ag.aggtranstype, NULL) AS stype,
       ag.aggtransspace AS sspace,
       ag.agginitval AS initcond,
       ag.aggfinalextra AS finalfunc_extra,
       ag.aggfinalmodify::pg_catalog.text AS finalfunc_modify,
       CASE WHEN ag.aggmtranstype <> 0
            THEN pg_catalog.format_type(ag.aggmtranstype, NULL) END AS mstype,
       ag.aggmtransspace AS msspace,
       ag.aggminitval AS minitcond,
       ag.aggmfinalextra AS mfinalfunc_extra,
       ag.aggmfinalmodify::pg_catalog.text AS mfinalfunc_modify,
       (SELECT CASE WHEN opn.nspname = 'pg_catalog' THEN o.oprname::pg_catalog.text
                    ELSE opn.nspname || '.' || o.oprname END
        FROM pg_catalog.pg_operator o
        JOIN pg_catalog.pg_namespace opn ON opn.oid = o.oprnamespace
        WHERE o.oid = ag.aggsortop) AS sortop,
       p.proparallel::pg_catalog.text AS parallel,
       d.description AS comment
FROM pg_catalog.pg_aggregate ag
JOIN pg_catalog.pg_proc p ON p.oid = ag.aggfnoid
JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_proc'::pg_catalog.regclass
 AND d.objoid = p.oid
 AND d.objsubid = 0
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND ag.aggkind = 'n'
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_proc'::pg_catalog.regclass
      AND dep.objid = p.oid
      AND dep.deptype IN ('e', 'i'))
ORDER BY n.nspname, p.proname";

pub(super) async fn read_aggregates(
    client: &Client,
    schemas: &[String],
) -> Result<BTreeMap<FunctionName, Aggregate>> {
    let query = "AGGREGATES_QUERY";
    let mut aggregates = BTreeMap::new();
    for row in run(client, query, AGGREGATES_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let schema: String = row.get("schema_name")?;
        let name: String = row.get("aggregate_name")?;
        let types: Vec<String> = row.get("argument_types")?;
        let modes: Vec<String> = row.get("argument_modes")?;
        let names: Vec<String> = row.get("argument_names")?;
        let arguments: Vec<Argument> = types
            .into_iter()
            .enumerate()
            .map(|(argument_idx, data_type)| Argument {
                mode: match modes.get(argument_idx).map(String::as_str) {
                    Some("v") => ArgumentMode::Variadic,
                    _ => ArgumentMode::In,
                },
                name: names
                    .get(argument_idx)
                    .filter(|name| !name.is_empty())
                    .cloned(),
                data_type,
                default: None,
            })
            .collect();
        let support_schemas: Vec<Option<String>> = row.get("support_schemas")?;
        let support_names: Vec<Option<String>> = row.get("support_names")?;
        let support = |position: usize| match (
            support_schemas.get(position).cloned().flatten(),
            support_names.get(position).cloned().flatten(),
        ) {
            (Some(schema), Some(name)) => Some(QualifiedName::new(schema, name)),
            _ => None,
        };
        let describe = format!("aggregate {schema}.{name}");
        let sfunc =
            support(0).ok_or_else(|| catalog_error(query, format!("{describe} has no SFUNC")))?;
        let state = AggregateState {
            sfunc,
            stype: row.get("stype")?,
            sspace: row.get("sspace")?,
            finalfunc: support(1),
            finalfunc_extra: row.get("finalfunc_extra")?,
            finalfunc_modify: final_modify(&row.get::<String>("finalfunc_modify")?),
            initcond: row.get("initcond")?,
        };
        let moving = match (support(5), support(6), row.get::<Option<String>>("mstype")?) {
            (Some(msfunc), Some(minvfunc), Some(mstype)) => Some(MovingAggregate {
                state: AggregateState {
                    sfunc: msfunc,
                    stype: mstype,
                    sspace: row.get("msspace")?,
                    finalfunc: support(7),
                    finalfunc_extra: row.get("mfinalfunc_extra")?,
                    finalfunc_modify: final_modify(&row.get::<String>("mfinalfunc_modify")?),
                    initcond: row.get("minitcond")?,
                },
                minvfunc,
            }),
            _ => None,
        };
        let parallel = match row.get::<String>("parallel")?.as_str() {
            "s" => Parallel::Safe,
            "r" => Parallel::Restricted,
            _ => Parallel::Unsafe,
        };
        let key = FunctionName {
            schema,
            name,
            argument_types: Function::identity_types(&arguments, false),
        };
        let aggregate = Aggregate {
            name: key.clone(),
            arguments,
            state,
            combinefunc: support(2),
            serialfunc: support(3),
            deserialfunc: support(4),
            moving,
            sortop: row.get("sortop")?,
            parallel,
            comment: row.get("comment")?,
        };
        aggregates.insert(key, aggregate);
    }
    Ok(aggregates)
}

/// `pg_aggregate.aggfinalmodify`: `r`, `s` or `w`.
fn final_modify(code: &str) -> FinalModify {
    match code {
        "s" => FinalModify::Shareable,
        "w" => FinalModify::ReadWrite,
        _ => FinalModify::ReadOnly,
    }
}
