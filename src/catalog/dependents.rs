//! What depends on managed objects where the model cannot tell (`DEPENDENTS_QUERY`, one
//! bulk query over `pg_depend`; stage 2, read-only): managed views that need a key or call
//! an aggregate, and objects autogen does not manage.

use tokio_postgres::Client;

use super::queries::DEPENDENTS_QUERY;
use super::{run, CatalogRow};
use crate::error::Result;
use crate::model::{Dependents, FunctionName, ObjectRef, QualifiedName, UnmanagedDependent};

pub(super) async fn read_dependents(client: &Client, schemas: &[String]) -> Result<Dependents> {
    let query = "DEPENDENTS_QUERY";
    let mut dependents = Dependents::default();
    for row in run(client, query, DEPENDENTS_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let kind: String = row.get("kind")?;
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("object_name")?,
        );
        let detail: Option<String> = row.get("detail")?;
        let referenced = match (kind.as_str(), detail) {
            ("table", Some(column)) => ObjectRef::Column(name, column),
            ("table", None) => ObjectRef::Table(name),
            ("view", _) => ObjectRef::View(name),
            ("enum", _) => ObjectRef::Enum(name),
            ("domain", _) => ObjectRef::Domain(name),
            ("composite", _) => ObjectRef::CompositeType(name),
            ("range", _) => ObjectRef::Range(name),
            ("aggregate", _) => ObjectRef::Aggregate(FunctionName {
                schema: name.schema,
                name: name.name,
                argument_types: row.get("argument_types")?,
            }),
            ("index", Some(index)) => ObjectRef::Index(name, index),
            (_, Some(constraint)) => ObjectRef::Constraint(name, constraint),
            (_, None) => continue,
        };
        let view_schema: Option<String> = row.get("view_schema")?;
        let view_name: Option<String> = row.get("view_name")?;
        if let (Some(schema), Some(view)) = (view_schema, view_name) {
            dependents
                .managed
                .entry(referenced)
                .or_default()
                .insert(ObjectRef::View(QualifiedName::new(schema, view)));
        } else {
            dependents
                .unmanaged
                .entry(referenced)
                .or_default()
                .insert(UnmanagedDependent {
                    description: row.get("dependent")?,
                    automatic: row.get("automatic")?,
                });
        }
    }
    Ok(dependents)
}
