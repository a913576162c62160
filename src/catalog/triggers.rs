//! Triggers and policies of the managed tables and views, one bulk query per kind. A
//! trigger or policy on a relation autogen does not manage (a foreign table, say) is
//! reported in `Schema::unmanaged` instead.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::{catalog_error, run, CatalogRow, TablesByOid};
use crate::error::Result;
use crate::model::{
    policy_roles, Expr, Policy, PolicyCommand, QualifiedName, TriggerEnabled, UnmanagedObject, View,
};

/// Triggers on the relations of the schemas in `$1`, except the internal ones that foreign
/// keys and deferred unique constraints create and a partition's copies of its parent's
/// (which depend on the parent's trigger with deptype `P`).
///
/// `definition` is `pg_get_triggerdef(oid, true)`, which `ddl::trigger_definition` reads;
/// the relation and function come from their oids, so they never depend on `search_path`.
/// A constraint trigger on a referenced table (`FROM`, `tgconstrrelid`) is not modelled.
pub const TRIGGERS_QUERY: &str = "\
SELECT tg.tgrelid AS relation_oid,
       n.nspname AS schema_name,
       c.relname AS relation_name,
       tg.tgname AS trigger_name,
       pg_catalog.pg_get_triggerdef(tg.oid, true) AS definition,
       fn.nspname AS function_schema,
       p.proname AS function_name,
       tg.tgenabled::pg_catalog.text AS enabled,
       tg.tgconstrrelid <> 0 AS has_referenced_table,
       d.description AS comment
FROM pg_catalog.pg_trigger tg
JOIN pg_catalog.pg_class c ON c.oid = tg.tgrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
JOIN pg_catalog.pg_proc p ON p.oid = tg.tgfoid
JOIN pg_catalog.pg_namespace fn ON fn.oid = p.pronamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_trigger'::pg_catalog.regclass
 AND d.objoid = tg.oid
 AND d.objsubid = 0
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT tg.tgisinternal
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend clone
    WHERE clone.classid = 'pg_catalog.pg_trigger'::pg_catalog.regclass
      AND clone.objid = tg.oid
      AND clone.refclassid = 'pg_catalog.pg_trigger'::pg_catalog.regclass
      AND clone.deptype = 'P')
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dep.objid = c.oid
      AND dep.deptype = 'e')";

/// Policies on the tables of the schemas in `$1`. `roles` holds `public` for PUBLIC (role
/// oid 0); expressions are deparsed like check constraints.
pub const POLICIES_QUERY: &str = "\
SELECT pol.polrelid AS table_oid,
       n.nspname AS schema_name,
       c.relname AS table_name,
       pol.polname AS policy_name,
       pol.polpermissive AS permissive,
       pol.polcmd::pg_catalog.text AS command,
       ARRAY(SELECT COALESCE(r.rolname::pg_catalog.text, 'public')
             FROM pg_catalog.unnest(pol.polroles) AS role_oid
             LEFT JOIN pg_catalog.pg_roles r ON r.oid = role_oid) AS roles,
       pg_catalog.pg_get_expr(pol.polqual, pol.polrelid, true) AS using_expression,
       pg_catalog.pg_get_expr(pol.polwithcheck, pol.polrelid, true) AS check_expression,
       d.description AS comment
FROM pg_catalog.pg_policy pol
JOIN pg_catalog.pg_class c ON c.oid = pol.polrelid
JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_policy'::pg_catalog.regclass
 AND d.objoid = pol.oid
 AND d.objsubid = 0
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_class'::pg_catalog.regclass
      AND dep.objid = c.oid
      AND dep.deptype = 'e')";

/// Attaches each trigger to its managed table or view; the rest go to `unmanaged`.
pub(super) async fn read_triggers(
    client: &Client,
    schemas: &[String],
    tables: &mut TablesByOid,
    views: &mut BTreeMap<QualifiedName, View>,
    unmanaged: &mut Vec<UnmanagedObject>,
) -> Result<()> {
    let query = "TRIGGERS_QUERY";
    for row in run(client, query, TRIGGERS_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let relation = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("relation_name")?,
        );
        let name: String = row.get("trigger_name")?;
        let oid: u32 = row.get("relation_oid")?;
        let triggers = match tables.get_mut(&oid) {
            Some(table) => Some(&mut table.triggers),
            None => views.get_mut(&relation).map(|view| &mut view.triggers),
        };
        let (Some(triggers), false) = (triggers, row.get::<bool>("has_referenced_table")?) else {
            unmanaged.push(UnmanagedObject {
                kind: "trigger".to_string(),
                name: format!("{name} on {}.{}", relation.schema, relation.name),
                attached_to: Some(relation),
            });
            continue;
        };
        let definition: String = row.get("definition")?;
        let (_, mut trigger) = crate::ddl::trigger_definition(&definition).map_err(|message| {
            catalog_error(query, format!("trigger {name} on {relation}: {message}"))
        })?;
        trigger.name = name.clone();
        trigger.function = QualifiedName::new(
            row.get::<String>("function_schema")?,
            row.get::<String>("function_name")?,
        );
        trigger.enabled = match row.get::<String>("enabled")?.as_str() {
            "O" => TriggerEnabled::Origin,
            "R" => TriggerEnabled::Replica,
            "A" => TriggerEnabled::Always,
            "D" => TriggerEnabled::Disabled,
            other => {
                let message = format!("trigger {name} on {relation} has state {other:?}");
                return Err(catalog_error(query, message));
            }
        };
        trigger.comment = row.get("comment")?;
        triggers.insert(name, trigger);
    }
    Ok(())
}

/// Attaches each policy to its managed table; the rest go to `unmanaged`.
pub(super) async fn read_policies(
    client: &Client,
    schemas: &[String],
    tables: &mut TablesByOid,
    unmanaged: &mut Vec<UnmanagedObject>,
) -> Result<()> {
    let query = "POLICIES_QUERY";
    for row in run(client, query, POLICIES_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let name: String = row.get("policy_name")?;
        let Some(table) = tables.get_mut(&row.get::<u32>("table_oid")?) else {
            let schema: String = row.get("schema_name")?;
            let table: String = row.get("table_name")?;
            unmanaged.push(UnmanagedObject {
                kind: "policy".to_string(),
                name: format!("{name} on {schema}.{table}"),
                attached_to: Some(QualifiedName::new(schema, table)),
            });
            continue;
        };
        let command = match row.get::<String>("command")?.as_str() {
            "*" => PolicyCommand::All,
            "r" => PolicyCommand::Select,
            "a" => PolicyCommand::Insert,
            "w" => PolicyCommand::Update,
            "d" => PolicyCommand::Delete,
            other => {
                let message = format!("policy {name} on {} has command {other:?}", table.name);
                return Err(catalog_error(query, message));
            }
        };
        let policy = Policy {
            name: name.clone(),
            permissive: row.get("permissive")?,
            command,
            roles: policy_roles(row.get::<Vec<String>>("roles")?),
            using: row.get::<Option<String>>("using_expression")?.map(Expr),
            with_check: row.get::<Option<String>>("check_expression")?.map(Expr),
            comment: row.get("comment")?,
        };
        table.policies.insert(name, policy);
    }
    Ok(())
}
