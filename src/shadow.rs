//! Canonicalizes a desired schema on the server: build it in a scratch ("shadow") database,
//! read it back through `catalog`, drop the database.
//!
//! PostgreSQL itself then decides the canonical text of every type, default, check and
//! index expression, so the desired side compares exactly like an introspected one (the
//! approach Atlas calls a dev database). Touches only the database it creates.

use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::Client;

use crate::catalog::{self, SchemaScope};
use crate::diff::{Change, ColumnHints};
use crate::error::{describe_db_error, Error, Result};
use crate::model::{Column, Schema};
use crate::spec::SourceMap;
use crate::sql::{quote, Direction};
use crate::{apply, db, diff, normalize, plan, sql};

/// Where the desired schema came from, to point server-side errors at their line.
pub struct Origin<'a> {
    pub path: &'a std::path::Path,
    pub source_map: &'a SourceMap,
}

static SHADOW_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// Returns `desired` as PostgreSQL stores it, read back from a shadow database created on
/// the server `admin` is connected to (`server_url` is used to connect to the shadow).
pub async fn canonicalize(
    admin: &Client,
    server_url: &str,
    desired: &Schema,
    origin: &Origin<'_>,
) -> Result<Schema> {
    let shadow_name = format!(
        "autogen_shadow_{}_{}",
        std::process::id(),
        SHADOW_COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    admin
        .batch_execute(&format!(
            "CREATE DATABASE {} TEMPLATE template0",
            quote::ident(&shadow_name)
        ))
        .await
        .map_err(|source| {
            Error::database(
                "cannot create a shadow database to canonicalize the schema file \
                 (the role needs CREATEDB)",
                source,
            )
        })?;
    let result = build_and_read(server_url, &shadow_name, desired, origin).await;
    let dropped = admin
        .batch_execute(&format!(
            "DROP DATABASE IF EXISTS {} WITH (FORCE)",
            quote::ident(&shadow_name)
        ))
        .await
        .map_err(|source| {
            Error::database(format!("cannot drop shadow database {shadow_name}"), source)
        });
    let schema = result?;
    dropped?;
    Ok(schema)
}

async fn build_and_read(
    server_url: &str,
    shadow_name: &str,
    desired: &Schema,
    origin: &Origin<'_>,
) -> Result<Schema> {
    // The same server, credentials and TLS settings; only the database differs.
    let mut conninfo = db::parse(server_url)?;
    conninfo.config.dbname(shadow_name);
    let mut shadow = conninfo.connect().await?;
    let scope = SchemaScope::Only(desired.schemas.iter().cloned().collect());
    let empty = normalize::normalize(catalog::read(&shadow, &scope).await?);
    let changes = separate_checks_and_indexes(diff::diff(&empty, desired));
    let script = sql::render(&plan::build(&changes), Direction::Upgrade);
    apply::apply(&mut shadow, &script, "shadow database")
        .await
        .map_err(|error| point_at_source(error, &script, origin))?;
    let built = normalize::normalize(catalog::read(&shadow, &scope).await?);
    let restated = restated_expressions(desired, &built);
    if restated.is_empty() {
        return Ok(built);
    }
    let script = sql::render(&plan::build(&restated), Direction::Upgrade);
    apply::apply(&mut shadow, &script, "shadow database")
        .await
        .map_err(|error| point_at_source(error, &script, origin))?;
    Ok(normalize::normalize(catalog::read(&shadow, &scope).await?))
}

/// PostgreSQL's text for an expression is not always a fixed point: `s IN ('a', 'b')` on a
/// varchar column reads back as `(s)::text = ANY ((ARRAY['a'::varchar, ...])::text[])`, which
/// reads back differently again once a revision writes it. Checks, indexes and defaults whose
/// text the server changed are written once more in that text, so the desired side is what a
/// database migrated to it reads, and `check` never reports a difference that cannot go away.
fn restated_expressions(desired: &Schema, built: &Schema) -> Vec<Change> {
    let mut changes = Vec::new();
    for (name, table) in &built.tables {
        let Some(declared) = desired.tables.get(name) else {
            continue;
        };
        for check in table.checks.values() {
            if declared.checks.get(&check.name) != Some(check) {
                changes.push(Change::DropCheck {
                    table: name.clone(),
                    check: check.clone(),
                });
                changes.push(Change::AddCheck {
                    table: name.clone(),
                    check: check.clone(),
                });
            }
        }
        for index in table.indexes.values() {
            if declared.indexes.get(&index.name) != Some(index) {
                changes.push(Change::DropIndex {
                    table: name.clone(),
                    index: index.clone(),
                });
                changes.push(Change::CreateIndex {
                    table: name.clone(),
                    index: index.clone(),
                });
            }
        }
        for column in &table.columns {
            let declared_default = declared
                .column(&column.name)
                .and_then(|declared| declared.default.as_ref());
            if column.default.is_some() && column.default.as_ref() != declared_default {
                changes.push(Change::AlterColumn {
                    table: name.clone(),
                    from: Column {
                        default: None,
                        ..column.clone()
                    },
                    to: column.clone(),
                    hints: ColumnHints::default(),
                    inverse_hints: ColumnHints::default(),
                });
            }
        }
    }
    changes
}

/// Checks and indexes as steps of their own, so that an expression the server rejects is
/// reported at the check's or index's line rather than its table's.
fn separate_checks_and_indexes(changes: Vec<Change>) -> Vec<Change> {
    let mut separated = Vec::new();
    for change in changes {
        let Change::CreateTable(mut table) = change else {
            separated.push(change);
            continue;
        };
        let checks = std::mem::take(&mut table.checks);
        let indexes = std::mem::take(&mut table.indexes);
        let name = table.name.clone();
        separated.push(Change::CreateTable(table));
        separated.extend(checks.into_values().map(|check| Change::AddCheck {
            table: name.clone(),
            check,
        }));
        separated.extend(indexes.into_values().map(|index| Change::CreateIndex {
            table: name.clone(),
            index,
        }));
    }
    separated
}

/// A statement the server rejected becomes a spec error at the object's line.
fn point_at_source(error: Error, script: &sql::Script, origin: &Origin<'_>) -> Error {
    let Error::Apply {
        statement_number,
        source,
        ..
    } = &error
    else {
        return error;
    };
    let Some(statement) = script.statements.get(statement_number - 1) else {
        return error;
    };
    Error::Spec {
        path: origin.path.to_path_buf(),
        location: origin.source_map.locate(&statement.object),
        object: Some(statement.object.to_string()),
        message: format!(
            "PostgreSQL rejects it: {}\n  in: {}",
            describe_db_error(source),
            statement.sql
        ),
    }
}
