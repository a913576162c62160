//! Collations of the managed schemas: one bulk query over `pg_collation` (stage 2,
//! read-only). A provider other than libc and ICU (PostgreSQL 17's `builtin`) is reported
//! in `Schema::unmanaged`.

use std::collections::BTreeMap;

use tokio_postgres::Client;

use super::version::ServerVersion;
use super::{run, CatalogRow};
use crate::error::Result;
use crate::model::{Collation, CollationLocale, QualifiedName, UnmanagedObject};

/// Which `pg_collation` rows are the schemas' own, and their comments; shared by the query
/// and its fallbacks, which differ in where an ICU locale is kept.
macro_rules! collations_query {
    ($icu_locale:literal) => {
        concat!(
            "\
SELECT n.nspname AS schema_name,
       co.collname AS collation_name,
       co.collprovider::pg_catalog.text AS provider,
       co.collisdeterministic AS deterministic,
       co.collcollate AS lc_collate,
       co.collctype AS lc_ctype,
       ",
            $icu_locale,
            " AS icu_locale,
       d.description AS comment
FROM pg_catalog.pg_collation co
JOIN pg_catalog.pg_namespace n ON n.oid = co.collnamespace
LEFT JOIN pg_catalog.pg_description d
  ON d.classoid = 'pg_catalog.pg_collation'::pg_catalog.regclass
 AND d.objoid = co.oid
 AND d.objsubid = 0
WHERE n.nspname = ANY ($1::pg_catalog.text[])
  AND NOT EXISTS (
    SELECT 1 FROM pg_catalog.pg_depend dep
    WHERE dep.classid = 'pg_catalog.pg_collation'::pg_catalog.regclass
      AND dep.objid = co.oid
      AND dep.deptype = 'e')
ORDER BY n.nspname, co.collname"
        )
    };
}

/// The collations of the schemas in `$1` (PostgreSQL 15-16 keep an ICU locale apart).
pub const COLLATIONS_QUERY: &str = collations_query!("co.colliculocale");

/// `COLLATIONS_QUERY` for PostgreSQL 17+, which renamed `colliculocale` to `colllocale`.
pub const COLLATIONS_QUERY_17: &str = collations_query!("co.colllocale");

/// `COLLATIONS_QUERY` for PostgreSQL 12-14, which keep an ICU locale in `collcollate`.
pub const COLLATIONS_QUERY_PRE_15: &str = collations_query!("co.collcollate");

pub(super) async fn read_collations(
    client: &Client,
    version: ServerVersion,
    schemas: &[String],
    unmanaged: &mut Vec<UnmanagedObject>,
) -> Result<BTreeMap<QualifiedName, Collation>> {
    let (query, sql) = match version.icu_locale_column() {
        "colllocale" => ("COLLATIONS_QUERY_17", COLLATIONS_QUERY_17),
        "colliculocale" => ("COLLATIONS_QUERY", COLLATIONS_QUERY),
        _ => ("COLLATIONS_QUERY_PRE_15", COLLATIONS_QUERY_PRE_15),
    };
    let mut collations = BTreeMap::new();
    for row in run(client, query, sql, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("collation_name")?,
        );
        let provider: String = row.get("provider")?;
        let locale = match provider.as_str() {
            "c" => CollationLocale::Libc {
                lc_collate: row.get("lc_collate")?,
                lc_ctype: row.get("lc_ctype")?,
            },
            "i" => CollationLocale::Icu {
                locale: row.get("icu_locale")?,
            },
            _ => {
                unmanaged.push(UnmanagedObject {
                    kind: "collation".to_string(),
                    name: format!("{}.{}", name.schema, name.name),
                    attached_to: None,
                });
                continue;
            }
        };
        let collation = Collation {
            name: name.clone(),
            locale,
            deterministic: row.get("deterministic")?,
            comment: row.get("comment")?,
        };
        collations.insert(name, collation);
    }
    Ok(collations)
}
