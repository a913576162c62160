//! Stage 2, introspect: the live `pg_catalog` → `model::Schema` (current).
//!
//! Reads the managed schemas in a fixed number of bulk queries (never one per table), all in
//! one read-only REPEATABLE READ transaction. Folds only what the catalog itself implies
//! (`serial`); never normalizes, never diffs, never writes to the database.

mod aggregates;
mod collations;
mod constraints;
mod dependents;
mod functions;
mod partitions;
mod privileges;
mod queries;
mod ranges;
mod triggers;
mod types;
pub mod version;

use std::collections::{BTreeMap, BTreeSet};

use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{Client, Row};

use crate::error::{Error, Result};
use crate::model::{
    Column, Compression, Enum, Expr, Extension, Identity, NameMap, QualifiedName, Schema, Sequence,
    SequenceOptions, Table, UnmanagedObject, View, ViewOptions,
};
use crate::output::{self, verboseln, Verbosity};
use queries::*;
use version::ServerVersion;

/// Which namespaces to read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SchemaScope {
    /// Every non-system schema (database-to-database diffs, as migra does).
    All,
    /// Exactly these schemas (a schema file's schemas plus `public`).
    Only(Vec<String>),
}

/// Reads the current schema. Objects owned by extensions are left out everywhere; objects the
/// model cannot hold are listed, sorted, in `Schema::unmanaged`.
pub async fn read(client: &Client, scope: &SchemaScope) -> Result<Schema> {
    client
        .batch_execute(BEGIN_SNAPSHOT_QUERY)
        .await
        .map_err(|source| Error::database("catalog query BEGIN_SNAPSHOT_QUERY", source))?;
    let schema = read_snapshot(client, scope).await;
    let end = client.batch_execute(END_SNAPSHOT_QUERY).await;
    // A failed read is the error worth reporting; a failed ROLLBACK after it adds nothing.
    let schema = schema?;
    end.map_err(|source| Error::database("catalog query END_SNAPSHOT_QUERY", source))?;
    Ok(schema)
}

/// Managed tables by oid while their parts are attached; oids never leave this module.
type TablesByOid = BTreeMap<u32, Table>;

async fn read_snapshot(client: &Client, scope: &SchemaScope) -> Result<Schema> {
    let version = read_server_version(client).await?;
    let (schemas, schema_comments) = read_schemas(client, scope).await?;
    let extensions = read_extensions(client).await?;
    let enums = read_enums(client, &schemas).await?;
    let domains = types::read_domains(client, &schemas).await?;
    let composite_types = types::read_composite_types(client, &schemas).await?;
    let ranges = ranges::read_ranges(client, version, &schemas).await?;
    let mut tables = read_tables(client, &schemas).await?;
    let table_oids: Vec<u32> = tables.keys().copied().collect();
    let mut inherited_only = BTreeSet::new();
    let serial_sequences =
        read_columns(client, &table_oids, &mut tables, &mut inherited_only).await?;
    constraints::read_constraints(client, version, &table_oids, &mut tables).await?;
    constraints::read_indexes(client, version, &table_oids, &mut tables).await?;
    let mut views = read_views(client, version, &schemas).await?;
    let mut unmanaged = read_unmanaged(client, &schemas).await?;
    partitions::read_partitions(client, &table_oids, &mut tables, &mut unmanaged).await?;
    let collations = collations::read_collations(client, version, &schemas, &mut unmanaged).await?;
    triggers::read_triggers(client, &schemas, &mut tables, &mut views, &mut unmanaged).await?;
    triggers::read_policies(client, &schemas, &mut tables, &mut unmanaged).await?;
    unmanaged.sort();
    let sequences = read_sequences(client, &schemas, &serial_sequences).await?;
    let (functions, function_users) = functions::read_functions(client, version, &schemas).await?;
    let dependents = dependents::read_dependents(client, &schemas).await?;
    let aggregates = aggregates::read_aggregates(client, &schemas).await?;
    let mut schema = Schema {
        schemas: schemas.iter().cloned().collect::<BTreeSet<_>>(),
        schema_comments,
        extensions,
        collations,
        enums,
        domains,
        composite_types,
        ranges,
        tables: tables
            .into_values()
            .map(|table| (table.name.clone(), table))
            .collect(),
        views,
        sequences,
        functions,
        aggregates,
        function_users,
        dependents,
        privileges: BTreeMap::new(),
        owners: BTreeMap::new(),
        unmanaged,
        directives: Default::default(),
    };
    crate::inheritance::keep_declared_columns(&mut schema, &inherited_only);
    privileges::read_privileges(client, &schemas, &mut schema).await?;
    schema.unmanaged.sort();
    Ok(schema)
}

async fn read_server_version(client: &Client) -> Result<ServerVersion> {
    let query = "SERVER_VERSION_QUERY";
    let rows = run(client, query, SERVER_VERSION_QUERY, &[]).await?;
    let row = rows
        .first()
        .ok_or_else(|| catalog_error(query, "returned no rows"))?;
    let version = ServerVersion::from_num(CatalogRow::new(query, row).get("version_num")?);
    if !version.is_supported() {
        return Err(catalog_error(
            query,
            format!(
                "PostgreSQL {version} is not supported (autogen needs {} or later)",
                ServerVersion::MINIMUM.major()
            ),
        ));
    }
    Ok(version)
}

/// The managed schemas, in name order, and their comments.
async fn read_schemas(
    client: &Client,
    scope: &SchemaScope,
) -> Result<(Vec<String>, BTreeMap<String, String>)> {
    let query = "SCHEMAS_QUERY";
    let requested: Option<&[String]> = match scope {
        SchemaScope::All => None,
        SchemaScope::Only(schemas) => Some(schemas),
    };
    let mut names = Vec::new();
    let mut comments = BTreeMap::new();
    for row in run(client, query, SCHEMAS_QUERY, &[&requested]).await? {
        let row = CatalogRow::new(query, &row);
        let name: String = row.get("schema_name")?;
        if let Some(comment) = row.get::<Option<String>>("comment")? {
            comments.insert(name.clone(), comment);
        }
        names.push(name);
    }
    Ok((names, comments))
}

async fn read_extensions(client: &Client) -> Result<BTreeMap<String, Extension>> {
    let query = "EXTENSIONS_QUERY";
    let mut extensions = BTreeMap::new();
    for row in run(client, query, EXTENSIONS_QUERY, &[]).await? {
        let row = CatalogRow::new(query, &row);
        let name: String = row.get("extension_name")?;
        let schema = Some(row.get("schema_name")?);
        let version = Some(row.get("version")?);
        extensions.insert(
            name.clone(),
            Extension {
                name,
                schema,
                version,
            },
        );
    }
    Ok(extensions)
}

async fn read_enums(client: &Client, schemas: &[String]) -> Result<BTreeMap<QualifiedName, Enum>> {
    let query = "ENUMS_QUERY";
    let mut enums = BTreeMap::new();
    for row in run(client, query, ENUMS_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("enum_name")?,
        );
        let enum_type = Enum {
            name: name.clone(),
            values: row.get("labels")?,
            comment: row.get("comment")?,
        };
        enums.insert(name, enum_type);
    }
    Ok(enums)
}

async fn read_tables(client: &Client, schemas: &[String]) -> Result<TablesByOid> {
    let query = "TABLES_QUERY";
    let mut tables = TablesByOid::new();
    for row in run(client, query, TABLES_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let mut table = Table::new(QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("table_name")?,
        ));
        table.comment = row.get("comment")?;
        table.unlogged = row.get("unlogged")?;
        table.storage_parameters =
            storage_parameters(row.get::<Option<Vec<String>>>("storage_parameters")?);
        table.row_security.enabled = row.get("row_security")?;
        table.row_security.forced = row.get("force_row_security")?;
        tables.insert(row.get("table_oid")?, table);
    }
    Ok(tables)
}

/// Reads every column; returns the oids of the sequences folded into `serial` columns, and
/// adds to `inherited_only` the columns a child has only from its parents.
async fn read_columns(
    client: &Client,
    table_oids: &[u32],
    tables: &mut TablesByOid,
    inherited_only: &mut BTreeSet<(QualifiedName, String)>,
) -> Result<BTreeSet<u32>> {
    let query = "COLUMNS_QUERY";
    let mut serial_sequences = BTreeSet::new();
    for row in run(client, query, COLUMNS_QUERY, &[&table_oids]).await? {
        let row = CatalogRow::new(query, &row);
        let table = table_for_row(tables, &row)?;
        let name: String = row.get("column_name")?;
        let describe = || format!("column {}.{name}", table.name);
        if !row.get::<bool>("is_local")? {
            inherited_only.insert((table.name.clone(), name.clone()));
        }

        let identity = match row.get::<String>("identity")?.as_str() {
            "" => None,
            "a" => Some(Identity::Always),
            "d" => Some(Identity::ByDefault),
            other => {
                let message = format!("{} has unknown identity kind {other:?}", describe());
                return Err(catalog_error(query, message));
            }
        };
        let expression: Option<String> = row.get("expression")?;
        let (mut default, generated) = match row.get::<String>("generated")?.as_str() {
            "" => (expression.map(Expr), None),
            "s" => match expression {
                Some(expression) => (None, Some(Expr(expression))),
                None => {
                    let message = format!("{} is generated but has no expression", describe());
                    return Err(catalog_error(query, message));
                }
            },
            other => {
                let message = format!(
                    "{} is generated with kind {other:?}; only STORED generated columns are supported",
                    describe()
                );
                return Err(catalog_error(query, message));
            }
        };

        let mut data_type: String = row.get("data_type")?;
        let mut identity_options = SequenceOptions::default();
        if let Some(sequence) = OwnedSequence::from_row(&row)? {
            if identity.is_some() {
                identity_options = SequenceOptions {
                    start: Some(sequence.start),
                    increment: Some(sequence.increment),
                    min_value: Some(sequence.min),
                    max_value: Some(sequence.max),
                    cache: Some(sequence.cache),
                    cycle: sequence.cycle,
                }
                .without_defaults(&data_type);
            } else if let Some(serial) = serial_type(&data_type, &sequence) {
                data_type = serial.to_string();
                default = None;
                serial_sequences.insert(sequence.oid);
            }
        }

        let mut column = Column {
            name,
            data_type,
            nullable: !row.get::<bool>("not_null")?,
            default,
            identity,
            identity_options: None,
            generated,
            collation: row.get("collation")?,
            statistics: row.get("statistics")?,
            compression: row
                .get::<Option<String>>("compression")?
                .and_then(|name| Compression::from_name(&name)),
            comment: row.get("comment")?,
        };
        column.set_identity_options(identity_options);
        table.columns.push(column);
    }
    Ok(serial_sequences)
}

async fn read_sequences(
    client: &Client,
    schemas: &[String],
    serial_sequences: &BTreeSet<u32>,
) -> Result<BTreeMap<QualifiedName, Sequence>> {
    let query = "SEQUENCES_QUERY";
    let mut sequences = BTreeMap::new();
    for row in run(client, query, SEQUENCES_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        if serial_sequences.contains(&row.get::<u32>("sequence_oid")?) {
            continue;
        }
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("sequence_name")?,
        );
        let data_type: String = row.get("data_type")?;
        let options = SequenceOptions {
            start: Some(row.get("start_value")?),
            increment: Some(row.get("increment")?),
            min_value: Some(row.get("min_value")?),
            max_value: Some(row.get("max_value")?),
            cache: Some(row.get("cache")?),
            cycle: row.get("cycle")?,
        }
        .without_defaults(&data_type);
        let owner_table = match (
            row.get::<Option<String>>("owner_schema")?,
            row.get::<Option<String>>("owner_table")?,
        ) {
            (Some(schema), Some(table)) => Some(QualifiedName::new(schema, table)),
            _ => None,
        };
        let owned_by = owner_table.zip(row.get::<Option<String>>("owner_column")?);
        sequences.insert(
            name.clone(),
            Sequence {
                name,
                data_type,
                options,
                owned_by,
                comment: row.get("comment")?,
            },
        );
    }
    Ok(sequences)
}

/// The sequence a column owns, when the column's default is `nextval` of exactly that sequence.
struct OwnedSequence {
    oid: u32,
    data_type: String,
    start: i64,
    increment: i64,
    min: i64,
    max: i64,
    cache: i64,
    cycle: bool,
    /// A comment on the sequence, which a `serial` column cannot hold.
    commented: bool,
}

impl OwnedSequence {
    fn from_row(row: &CatalogRow<'_>) -> Result<Option<OwnedSequence>> {
        let Some(data_type) = row.get::<Option<String>>("sequence_type")? else {
            return Ok(None);
        };
        Ok(Some(OwnedSequence {
            oid: row.get("sequence_oid")?,
            data_type,
            start: row.get("sequence_start")?,
            increment: row.get("sequence_increment")?,
            min: row.get("sequence_min")?,
            max: row.get("sequence_max")?,
            cache: row.get("sequence_cache")?,
            cycle: row.get("sequence_cycle")?,
            commented: row.get("sequence_commented")?,
        }))
    }
}

/// `serial`, `bigserial` or `smallserial` when the column and its sequence are exactly what
/// that pseudo-type creates; anything customized (a comment included) stays a plain type
/// with a `nextval` default.
fn serial_type(column_type: &str, sequence: &OwnedSequence) -> Option<&'static str> {
    let (serial, type_max) = match column_type {
        "integer" => ("serial", i64::from(i32::MAX)),
        "bigint" => ("bigserial", i64::MAX),
        "smallint" => ("smallserial", i64::from(i16::MAX)),
        _ => return None,
    };
    let is_as_created = sequence.data_type == column_type
        && sequence.start == 1
        && sequence.increment == 1
        && sequence.min == 1
        && sequence.max == type_max
        && sequence.cache == 1
        && !sequence.cycle
        && !sequence.commented;
    is_as_created.then_some(serial)
}

/// `reloptions` entries (`fillfactor=70`) as a map; the value is everything after the first `=`.
pub(super) fn storage_parameters(reloptions: Option<Vec<String>>) -> BTreeMap<String, String> {
    reloptions
        .unwrap_or_default()
        .into_iter()
        .map(|entry| match entry.split_once('=') {
            Some((name, value)) => (name.to_string(), value.to_string()),
            None => (entry, String::new()),
        })
        .collect()
}

/// Views, and the indexes of materialized views (read by the index query, whose rows are
/// keyed by the owning relation's oid).
async fn read_views(
    client: &Client,
    version: ServerVersion,
    schemas: &[String],
) -> Result<BTreeMap<QualifiedName, View>> {
    let query = "VIEWS_QUERY";
    let mut views = BTreeMap::new();
    let mut materialized = TablesByOid::new();
    for row in run(client, query, VIEWS_QUERY, &[&schemas]).await? {
        let row = CatalogRow::new(query, &row);
        let name = QualifiedName::new(
            row.get::<String>("schema_name")?,
            row.get::<String>("view_name")?,
        );
        let definition: String = row.get("definition")?;
        let dependency_schemas: Vec<String> = row.get("depends_on_schemas")?;
        let dependency_names: Vec<String> = row.get("depends_on_names")?;
        let commented_columns: Vec<String> = row.get("commented_columns")?;
        let column_comments: Vec<String> = row.get("column_comments")?;
        let options = view_options(&row.get::<Vec<String>>("options")?)
            .map_err(|message| catalog_error(query, format!("view {name}: {message}")))?;
        let view = View {
            name: name.clone(),
            definition: Expr::new(definition.trim().trim_end_matches(';').trim_end()),
            materialized: row.get("materialized")?,
            options,
            indexes: NameMap::new(),
            comment: row.get("comment")?,
            column_comments: commented_columns.into_iter().zip(column_comments).collect(),
            triggers: NameMap::new(),
            depends_on: dependency_schemas
                .into_iter()
                .zip(dependency_names)
                .map(|(schema, relation)| QualifiedName::new(schema, relation))
                .collect(),
        };
        if view.materialized {
            materialized.insert(row.get("view_oid")?, Table::new(name.clone()));
        }
        views.insert(name, view);
    }
    if !materialized.is_empty() {
        let oids: Vec<u32> = materialized.keys().copied().collect();
        constraints::read_indexes(client, version, &oids, &mut materialized).await?;
        for holder in materialized.into_values() {
            if let Some(view) = views.get_mut(&holder.name) {
                view.indexes = holder.indexes;
            }
        }
    }
    Ok(views)
}

/// A plain view's `reloptions` entries (`name=value`), which PostgreSQL has validated.
fn view_options(entries: &[String]) -> std::result::Result<ViewOptions, String> {
    let mut options = ViewOptions::default();
    for entry in entries {
        let (name, value) = entry.split_once('=').unwrap_or((entry, "true"));
        options.set(name, Some(value))?;
    }
    Ok(options)
}

async fn read_unmanaged(client: &Client, schemas: &[String]) -> Result<Vec<UnmanagedObject>> {
    let query = "UNMANAGED_QUERY";
    let mut unmanaged = run(client, query, UNMANAGED_QUERY, &[&schemas])
        .await?
        .iter()
        .map(|row| {
            let row = CatalogRow::new(query, row);
            let attached_schema: Option<String> = row.get("attached_schema")?;
            let attached_name: Option<String> = row.get("attached_name")?;
            Ok(UnmanagedObject {
                kind: row.get("kind")?,
                name: row.get("name")?,
                attached_to: attached_schema
                    .zip(attached_name)
                    .map(|(schema, name)| QualifiedName::new(schema, name)),
            })
        })
        .collect::<Result<Vec<_>>>()?;
    // Sorted here rather than by ORDER BY, whose order depends on the database's collation.
    unmanaged.sort();
    Ok(unmanaged)
}

async fn run(
    client: &Client,
    query: &'static str,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>> {
    let started = std::time::Instant::now();
    let rows = client
        .query(sql, params)
        .await
        .map_err(|source| Error::database(format!("catalog query {query}"), source))?;
    let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
    let rows_text = match rows.len() {
        1 => "1 row".to_string(),
        n_rows => format!("{n_rows} rows"),
    };
    verboseln!("catalog query {query}: {rows_text} in {elapsed_ms:.1} ms")?;
    if output::verbosity() == Verbosity::VeryVerbose {
        verboseln!("{}", sql.trim())?;
    }
    Ok(rows)
}

/// A result row that knows which query produced it, for error context.
struct CatalogRow<'a> {
    query: &'static str,
    row: &'a Row,
}

impl<'a> CatalogRow<'a> {
    fn new(query: &'static str, row: &'a Row) -> Self {
        CatalogRow { query, row }
    }

    fn get<T: FromSql<'a>>(&self, column: &str) -> Result<T> {
        self.row.try_get(column).map_err(|source| {
            Error::database(
                format!("catalog query {}, column {column}", self.query),
                source,
            )
        })
    }
}

/// The managed table a column, constraint or index row belongs to.
fn table_for_row<'t>(tables: &'t mut TablesByOid, row: &CatalogRow<'_>) -> Result<&'t mut Table> {
    let table_oid: u32 = row.get("table_oid")?;
    tables.get_mut(&table_oid).ok_or_else(|| {
        catalog_error(
            row.query,
            format!("row for table oid {table_oid}, which is not a managed table"),
        )
    })
}

fn catalog_error(query: &'static str, message: impl Into<String>) -> Error {
    Error::Catalog {
        query,
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sequence(data_type: &str, max: i64) -> OwnedSequence {
        OwnedSequence {
            oid: 0,
            data_type: data_type.to_string(),
            start: 1,
            increment: 1,
            min: 1,
            max,
            cache: 1,
            cycle: false,
            commented: false,
        }
    }

    #[test]
    fn serial_folds_only_an_unchanged_sequence() {
        let int4 = sequence("integer", i64::from(i32::MAX));
        assert_eq!(serial_type("integer", &int4), Some("serial"));
        assert_eq!(
            serial_type("bigint", &sequence("bigint", i64::MAX)),
            Some("bigserial")
        );
        assert_eq!(serial_type("bigint", &int4), None);
        assert_eq!(
            serial_type("integer", &OwnedSequence { start: 100, ..int4 }),
            None
        );
    }
}
