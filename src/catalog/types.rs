//! Domains and composite types: one bulk query per kind, both keyed by the managed schemas.
//!
//! Extension members are left out. A domain's checks come as parallel arrays in name order,
//! a composite type's attributes in `attnum` order; collations are named only where they
//! differ from the underlying type's, as for columns.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::{catalog_error, run, CatalogRow};
use crate::error::Result;
use crate::model::{Attribute, CheckConstraint, CompositeType, Domain, Expr, QualifiedName};

/// Domains with their base type (`format_type`, typmod included), default, NOT NULL and
/// checks. Check expressions are `pg_get_expr(conbin, 0, true)`: the text inside
/// `CHECK (...)`, where the value reads as `VALUE`.
pub const DOMAINS_QUERY: &str = "\
SELECT n.nspname AS schema_name,
       t.typname AS domain_name,
       pg_catalog.format_type(t.typbasetype, t.typtypmod) AS base_type,
       t.typnotnull AS not_null,
       pg_catalog.pg_get_expr(t.typdefaultbin, 0, true) AS default_expression,
       CASE
         WHEN t.typcollation = bt.typcollation OR co.oid IS NULL THEN NULL
         WHEN pg_catalog.pg_collation_is_visible(co.oid) THEN pg_catalog.quote_ident(co.collname)
         ELSE pg_catalog.quote_ident(con.nspname) || '.' || pg_catalog.quote_ident(co.collname)
       END AS collation,
       ARRAY(SELECT c.conname::pg_catalog.text
             FROM pg_catalog.pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c'
             ORDER BY c.conname) AS check_names,
       ARRAY(SELECT pg_catalog.pg_get_expr(c.conbin, 0, true)
             FROM pg_catalog.pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c'
             ORDER BY c.conname) AS check_expressions,
       ARRAY(SELECT cd.description
             FROM pg_catalog.pg_constraint c
             LEFT JOIN pg_catalog.pg_description cd
               ON cd.classoid = 'pg_catalog.pg_constraint'::pg_catalog.regclass
              AND cd.objoid = c.oid
              AND cd.objsubid = 0
             WHERE c.contypid = t.oid AND c.contype = 'c'
             ORDER BY c.conname) AS check_comments,
       ARRAY(SELECT c.convalidated
             FROM pg_catalog.pg_constraint c
             WHERE c.contypid = t.oid AND c.contype = 'c'
             ORDER BY c.conname) AS check_validated,
       d.description AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_type bt ON bt.oid = t.typbasetype
LEFT JOIN pg_catalog.pg_collation co ON co.oid = t.typcollation
LEFT JOIN pg_catalog.pg_namespace con ON con.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass
 AND d.objoid = t.oid
 AND d.objsubid = 0
WHERE t.typtype = 'd'
  AND n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_type'::pg_catalog.regclass
      AND dep.objid = t.oid
      AND dep.deptype = 'e')
ORDER BY n.nspname, t.typname";

/// Composite types made by `CREATE TYPE ... AS (...)` (relkind `c`; a table's row type is
/// not one), with their attributes in `attnum` order as parallel arrays.
pub const COMPOSITE_TYPES_QUERY: &str = "\
SELECT n.nspname AS schema_name,
       t.typname AS type_name,
       ARRAY(SELECT a.attname::pg_catalog.text
             FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_names,
       ARRAY(SELECT pg_catalog.format_type(a.atttypid, a.atttypmod)
             FROM pg_catalog.pg_attribute a
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_types,
       ARRAY(SELECT CASE
                      WHEN a.attcollation = at.typcollation OR co.oid IS NULL THEN NULL
                      WHEN pg_catalog.pg_collation_is_visible(co.oid)
                        THEN pg_catalog.quote_ident(co.collname)
                      ELSE pg_catalog.quote_ident(con.nspname) || '.'
                        || pg_catalog.quote_ident(co.collname)
                    END
             FROM pg_catalog.pg_attribute a
             JOIN pg_catalog.pg_type at ON at.oid = a.atttypid
             LEFT JOIN pg_catalog.pg_collation co ON co.oid = a.attcollation
             LEFT JOIN pg_catalog.pg_namespace con ON con.oid = co.collnamespace
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_collations,
       ARRAY(SELECT ad.description
             FROM pg_catalog.pg_attribute a
             LEFT JOIN pg_catalog.pg_description ad
               ON ad.classoid = 'pg_catalog.pg_class'::pg_catalog.regclass
              AND ad.objoid = a.attrelid
              AND ad.objsubid = a.attnum
             WHERE a.attrelid = t.typrelid AND a.attnum > 0 AND NOT a.attisdropped
             ORDER BY a.attnum) AS attribute_comments,
       d.description AS comment
FROM pg_catalog.pg_type t
JOIN pg_catalog.pg_namespace n ON n.oid = t.typnamespace
JOIN pg_catalog.pg_class c ON c.oid = t.typrelid AND c.relkind = 'c'
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_type'::pg_catalog.regclass
 AND d.objoid = t.oid
 AND d.objsubid = 0
WHERE t.typtype = 'c'
  AND n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.objid IN (t.oid, c.oid)
      AND dep.classid IN ('pg_catalog.pg_type'::pg_catalog.regclass,
                          'pg_catalog.pg_class'::pg_catalog.regclass)
      AND dep.deptype = 'e')
ORDER BY n.nspname, t.typname";

pub(super) async fn read_domains(
    client: &Client,
    schemas: &[String],
) -> Result<BTreeMap<QualifiedName, Domain>> {
    let query = "DOMAINS_QUERY";
    let mut domains = BTreeMap::new();
    for row in run(client, query, DOMAINS_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("domain_name")?,
        );
        let check_names: Vec<String> = row.get("check_names")?;
        let check_expressions: Vec<String> = row.get("check_expressions")?;
        let check_comments: Vec<Option<String>> = row.get("check_comments")?;
        let check_validated: Vec<bool> = row.get("check_validated")?;
        if check_names.len() != check_expressions.len()
            || check_names.len() != check_comments.len()
            || check_names.len() != check_validated.len()
        {
            let message = format!("domain {name} has checks without expressions");
            return Err(catalog_error(query, message));
        }
        let checks = check_names
            .into_iter()
            .zip(check_expressions)
            .zip(check_comments)
            .zip(check_validated)
            .map(|(((check_name, expression), comment), valid)| {
                let check = CheckConstraint {
                    name: check_name.clone(),
                    expression: Expr(expression),
                    valid,
                    comment,
                    no_inherit: false,
                };
                (check_name, check)
            })
            .collect();
        let domain = Domain {
            name: name.clone(),
            base_type: row.get("base_type")?,
            collation: row.get("collation")?,
            default: row.get::<Option<String>>("default_expression")?.map(Expr),
            not_null: row.get("not_null")?,
            checks,
            comment: row.get("comment")?,
        };
        domains.insert(name, domain);
    }
    Ok(domains)
}

pub(super) async fn read_composite_types(
    client: &Client,
    schemas: &[String],
) -> Result<BTreeMap<QualifiedName, CompositeType>> {
    let query = "COMPOSITE_TYPES_QUERY";
    let mut types = BTreeMap::new();
    for row in run(client, query, COMPOSITE_TYPES_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("type_name")?,
        );
        let names: Vec<String> = row.get("attribute_names")?;
        let data_types: Vec<String> = row.get("attribute_types")?;
        let collations: Vec<Option<String>> = row.get("attribute_collations")?;
        let comments: Vec<Option<String>> = row.get("attribute_comments")?;
        let n_attributes = names.len();
        if [data_types.len(), collations.len(), comments.len()] != [n_attributes; 3] {
            let message = format!("type {name} has attributes of unequal description");
            return Err(catalog_error(query, message));
        }
        let attributes = names
            .into_iter()
            .zip(data_types)
            .zip(collations.into_iter().zip(comments))
            .map(|((name, data_type), (collation, comment))| Attribute {
                name,
                data_type,
                collation,
                comment,
            })
            .collect();
        let composite = CompositeType {
            name: name.clone(),
            attributes,
            comment: row.get("comment")?,
        };
        types.insert(name, composite);
    }
    Ok(types)
}
