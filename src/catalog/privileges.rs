//! Privileges and owners: the ACLs of the managed objects (`nspacl`, `relacl`, `attacl`,
//! `proacl`, `typacl`) with their owners (a collation's owner alone), and the default privileges (`pg_default_acl`), two
//! bulk queries exploded by `aclexplode` (stage 2, read-only).
//!
//! A NULL ACL is the object's default and yields one row without a privilege, for its owner
//! (a column has none of its own, and no row). Owners other than the session's role are kept
//! in `Schema::owners` (`model::owners`). The owner's own entries are left
//! out (`model::privileges`); an owner who revoked some of its own privileges, and privileges
//! granted by a role other than the owner, are reported in `Schema::unmanaged`.

use std::collections::{BTreeMap, BTreeSet};

use tokio_postgres::Client;

use super::{catalog_error, run, CatalogRow};
use crate::error::Result;
use crate::model::{
    grantee_display, Acl, DefaultObjects, FunctionName, Privilege, PrivilegeObject, QualifiedName,
    Schema, UnmanagedObject, CURRENT_USER,
};

/// One row per (object, grantee, privilege) in the schemas in `$1`, or one with a NULL
/// privilege for an object with its default ACL (not for a column).
/// `kind` is `schema`, `table` (views too), `column`, `sequence`, `function` (aggregates
/// too), `type` (range and multirange types too) or `collation` (which has an owner and no
/// ACL);
/// `argument_types` is a routine's identity (a procedure's `OUT` arguments included), as
/// `FUNCTIONS_QUERY` reads it. `public` stands for PUBLIC (grantee oid 0). `owned_by_session`
/// says the owner is the role autogen connects as.
pub const PRIVILEGES_QUERY: &str = "\
WITH acls AS (
  SELECT 'schema'::pg_catalog.text AS kind, n.nspname::pg_catalog.text AS schema_name,
         n.nspname::pg_catalog.text AS object_name, NULL::pg_catalog.text AS column_name,
         NULL::pg_catalog.text[] AS argument_types, n.nspowner AS owner, n.nspacl AS acl
  FROM pg_catalog.pg_namespace n
  WHERE n.nspname = ANY ($1::pg_catalog.text[])
  UNION ALL
  SELECT CASE WHEN c.relkind = 'S' THEN 'sequence' ELSE 'table' END,
         n.nspname, c.relname, NULL, NULL, c.relowner, c.relacl
  FROM pg_catalog.pg_class c
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY ($1::pg_catalog.text[])
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f', 'S')
  UNION ALL
  SELECT 'column', n.nspname, c.relname, a.attname, NULL, c.relowner, a.attacl
  FROM pg_catalog.pg_attribute a
  JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
  JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = ANY ($1::pg_catalog.text[])
    AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
    AND a.attnum > 0 AND NOT a.attisdropped AND a.attacl IS NOT NULL
  UNION ALL
  SELECT 'function', n.nspname, p.proname, NULL,
         ARRAY(SELECT pg_catalog.format_type(a.type_oid, NULL)
               FROM pg_catalog.unnest(COALESCE(p.proallargtypes, p.proargtypes::pg_catalog.oid[]))
                    WITH ORDINALITY AS a(type_oid, position)
               WHERE p.prokind = 'p' OR p.proargmodes IS NULL
                  OR p.proargmodes[a.position] NOT IN ('o', 't')
               ORDER BY a.position),
         p.proowner, p.proacl
  FROM pg_catalog.pg_proc p
  JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = ANY ($1::pg_catalog.text[])
  UNION ALL
  SELECT 'type', n.nspname, t.typname, NULL, NULL, t.typowner, t.typacl
  FROM pg_catalog.pg_type t
  JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
  WHERE n.nspname = ANY ($1::pg_catalog.text[])
    AND t.typtype IN ('e', 'd', 'c', 'r', 'm')
  UNION ALL
  SELECT 'collation', n.nspname, co.collname, NULL, NULL, co.collowner, NULL
  FROM pg_catalog.pg_collation co
  JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
  WHERE n.nspname = ANY ($1::pg_catalog.text[])
)
SELECT acls.kind, acls.schema_name, acls.object_name, acls.column_name, acls.argument_types,
       pg_catalog.pg_get_userbyid(acls.owner)::pg_catalog.text AS owner,
       pg_catalog.pg_get_userbyid(acls.owner) = CURRENT_USER AS owned_by_session,
       pg_catalog.pg_get_userbyid(e.grantor)::pg_catalog.text AS grantor,
       CASE WHEN e.grantee = 0 THEN 'public'
            ELSE pg_catalog.pg_get_userbyid(e.grantee)::pg_catalog.text END AS grantee,
       e.privilege_type, e.is_grantable
FROM acls LEFT JOIN LATERAL pg_catalog.aclexplode(acls.acl) e ON true";

/// `pg_default_acl` of the whole database (`schema_name` NULL) and of the schemas in `$1`;
/// `for_session` says they are the defaults of the role autogen connects as.
pub const DEFAULT_PRIVILEGES_QUERY: &str = "\
SELECT pg_catalog.pg_get_userbyid(d.defaclrole)::pg_catalog.text AS role_name,
       pg_catalog.pg_get_userbyid(d.defaclrole) = CURRENT_USER AS for_session,
       n.nspname::pg_catalog.text AS schema_name,
       d.defaclobjtype::pg_catalog.text AS objects,
       CASE WHEN e.grantee = 0 THEN 'public'
            ELSE pg_catalog.pg_get_userbyid(e.grantee)::pg_catalog.text END AS grantee,
       e.privilege_type, e.is_grantable
FROM pg_catalog.pg_default_acl d
LEFT JOIN pg_catalog.pg_namespace n ON n.oid = d.defaclnamespace
CROSS JOIN LATERAL pg_catalog.aclexplode(d.defaclacl) e
WHERE d.defaclnamespace = 0 OR n.nspname = ANY ($1::pg_catalog.text[])";

/// Reads every ACL of the schemas in `schemas` into `schema.privileges`, keeping those of the
/// objects `schema` holds (not those of partitions, extension members, ...).
pub(super) async fn read_privileges(
    client: &Client,
    schemas: &[String],
    schema: &mut Schema,
) -> Result<()> {
    let query = "PRIVILEGES_QUERY";
    let mut acls: BTreeMap<PrivilegeObject, Acl> = BTreeMap::new();
    // The owner's own privileges on each object with an ACL, to see none is missing.
    let mut owners: BTreeMap<PrivilegeObject, (String, BTreeSet<Privilege>)> = BTreeMap::new();
    for row in run(client, query, PRIVILEGES_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let kind: String = row.get("kind")?;
        let schema_name: String = row.get("schema_name")?;
        let object_name: String = row.get("object_name")?;
        let name = QualifiedName::new(&schema_name, &object_name);
        let object = match kind.as_str() {
            "schema" => PrivilegeObject::Schema(object_name),
            "table" => PrivilegeObject::Table(name),
            "column" => PrivilegeObject::Column(name, row.get("column_name")?),
            "sequence" => PrivilegeObject::Sequence(name),
            "function" => PrivilegeObject::Function(FunctionName {
                schema: schema_name,
                name: object_name,
                argument_types: row.get("argument_types")?,
            }),
            "type" => PrivilegeObject::Type(name),
            "collation" => PrivilegeObject::Collation(name),
            other => return Err(catalog_error(query, format!("unknown kind {other:?}"))),
        };
        // A multirange type may have privileges of its own (PostgreSQL 15 grants them); its
        // owner is its range type's.
        if let PrivilegeObject::Type(name) = &object {
            let has_acl = row.get::<Option<String>>("grantor")?.is_some();
            if schema
                .ranges
                .values()
                .any(|range| range.multirange_name() == *name)
            {
                if !has_acl {
                    continue;
                }
                let unmanaged = UnmanagedObject {
                    kind: "privileges on a multirange type".to_string(),
                    name: object.to_string(),
                    attached_to: None,
                };
                if !schema.unmanaged.contains(&unmanaged) {
                    schema.unmanaged.push(unmanaged);
                }
                continue;
            }
        }
        // Sequences of the managed schemas are all real ones (standalone or implied).
        if !schema.has_object(&object, |_| true) {
            continue;
        }
        let owner: String = row.get("owner")?;
        if !row.get::<bool>("owned_by_session")? && schema.owned_kind(&object).is_some() {
            schema.set_owner(object.clone(), Some(owner.clone()));
        }
        let Some(grantor) = row.get::<Option<String>>("grantor")? else {
            continue;
        };
        let grantee: String = row.get("grantee")?;
        let privilege = privilege(query, &row)?;
        // An ACL holding only the owner's entries is still not the default.
        let acl = acls.entry(object.clone()).or_default();
        let column = matches!(object, PrivilegeObject::Column(..));
        if grantee == owner && !column {
            owners
                .entry(object)
                .or_insert_with(|| (owner, BTreeSet::new()))
                .1
                .insert(privilege);
            continue;
        }
        if grantor != owner {
            schema.unmanaged.push(UnmanagedObject {
                kind: "privilege".to_string(),
                name: format!(
                    "{} on {object} to {}, granted by {grantor} (not the owner)",
                    privilege.keyword(),
                    grantee_display(&grantee)
                ),
                attached_to: object.relation().cloned(),
            });
            continue;
        }
        let is_grantable: bool = row.get("is_grantable")?;
        acl.entry(grantee)
            .or_default()
            .insert(privilege, is_grantable);
    }
    for (object, (owner, held)) in owners {
        if object.privileges().iter().any(|all| !held.contains(all)) {
            schema.unmanaged.push(UnmanagedObject {
                kind: "owner privileges".to_string(),
                name: format!("of {owner} on {object} (some revoked from the owner)"),
                attached_to: object.relation().cloned(),
            });
        }
    }
    for (object, acl) in acls {
        schema.set_acl(object, acl);
    }
    read_default_privileges(client, schemas, schema).await
}

async fn read_default_privileges(
    client: &Client,
    schemas: &[String],
    schema: &mut Schema,
) -> Result<()> {
    let query = "DEFAULT_PRIVILEGES_QUERY";
    let mut acls: BTreeMap<PrivilegeObject, Acl> = BTreeMap::new();
    for row in run(client, query, DEFAULT_PRIVILEGES_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let role: String = row.get("role_name")?;
        // The session's own defaults are the running role's, whatever its name, as a
        // replay without a server keys them.
        let key = match row.get::<bool>("for_session")? {
            true => CURRENT_USER.to_string(),
            false => role.clone(),
        };
        let code: String = row.get("objects")?;
        let objects = DefaultObjects::from_code(&code)
            .ok_or_else(|| catalog_error(query, format!("unknown object type {code:?}")))?;
        let object = PrivilegeObject::Defaults {
            role: key,
            schema: row.get("schema_name")?,
            objects,
        };
        let grantee: String = row.get("grantee")?;
        let privilege = privilege(query, &row)?;
        let is_grantable: bool = row.get("is_grantable")?;
        let acl = acls.entry(object.clone()).or_default();
        // Database-wide defaults replace the built-in ones, the role's own entries included.
        let global = matches!(object, PrivilegeObject::Defaults { schema: None, .. });
        if global && grantee == role {
            continue;
        }
        acl.entry(grantee)
            .or_default()
            .insert(privilege, is_grantable);
    }
    for (object, acl) in acls {
        schema.set_acl(object, acl);
    }
    Ok(())
}

fn privilege(query: &'static str, row: &CatalogRow<'_>) -> Result<Privilege> {
    let keyword: String = row.get("privilege_type")?;
    Privilege::from_keyword(&keyword)
        .ok_or_else(|| catalog_error(query, format!("unknown privilege {keyword:?}")))
}
