//! Canonicalizes a desired schema on the server: build it in a scratch ("shadow") database,
//! read it back through `catalog`, drop the database.
//!
//! PostgreSQL itself then decides the canonical text of every type, default, check and
//! index expression, so the desired side compares exactly like an introspected one (the
//! approach Atlas calls a dev database). Touches only the databases it creates, and
//! shadows other runs left behind: each is named after the session that created it
//! (`autogen_shadow_<backend pid>_<backend start in µs>_<n>`), so a run can tell a leftover
//! of a killed run (creator session gone, nobody connected) from one in use, on any machine.

mod partial;
mod subset;

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};

use tokio_postgres::error::SqlState;
use tokio_postgres::Client;

use crate::catalog::{self, SchemaScope};
use crate::diff::{Change, ColumnHints};
use crate::error::{describe_db_error, Error, Result};
use crate::model::{Column, ObjectRef, PrivilegeObject, Schema, CURRENT_USER, PUBLIC};
use crate::spec::SourceMap;
use crate::sql::Direction;
use crate::syntax::quote;
use crate::{apply, db, diff, normalize, plan, sql};

/// Where the desired schema came from, to point server-side errors at their line.
pub struct Origin<'a> {
    pub path: &'a std::path::Path,
    pub source_map: &'a SourceMap,
}

static SHADOW_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// The names in `$1` that no role has, in order.
const MISSING_ROLES_QUERY: &str = "SELECT name FROM pg_catalog.unnest($1::pg_catalog.text[]) \
     AS name WHERE NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles r WHERE r.rolname = name) \
     ORDER BY name";

const SHADOW_PREFIX: &str = "autogen_shadow_";

/// This session's backend pid and start time in microseconds since the epoch: together
/// they name one session on the server for good (a pid alone is reused).
const SESSION_QUERY: &str = "SELECT pg_catalog.pg_backend_pid(), \
     (extract(epoch FROM backend_start) * 1000000)::bigint \
     FROM pg_catalog.pg_stat_activity WHERE pid = pg_catalog.pg_backend_pid()";

/// Shadow-named databases this role may drop (so never another role's), and whether any
/// session is connected to each.
const SHADOW_DATABASES_QUERY: &str = "SELECT d.datname::text, EXISTS (SELECT 1 \
     FROM pg_catalog.pg_stat_activity a WHERE a.datname = d.datname) \
     FROM pg_catalog.pg_database d \
     WHERE d.datname LIKE 'autogen\\_shadow\\_%' \
     AND pg_catalog.pg_has_role(d.datdba, 'MEMBER')";

/// Whether the session named by a pid and start time is still there. A start time the role
/// may not see (NULL) counts as the same session: when unsure, the shadow is kept.
const SESSION_ALIVE_QUERY: &str = "SELECT EXISTS (SELECT 1 \
     FROM pg_catalog.pg_stat_activity WHERE pid = $1 AND (backend_start IS NULL \
     OR (extract(epoch FROM backend_start) * 1000000)::bigint = $2))";

/// Returns `desired` as PostgreSQL stores it, read back from a shadow database created on
/// the server `admin` is connected to (`server_url` is used to connect to the shadow).
/// Shadows that killed runs left on the server are dropped first.
pub async fn canonicalize(
    admin: &Client,
    server_url: &str,
    desired: &Schema,
    origin: &Origin<'_>,
) -> Result<Schema> {
    check_roles(admin, desired, origin).await?;
    build_in_shadow(admin, server_url, desired, origin).await
}

async fn build_in_shadow(
    admin: &Client,
    server_url: &str,
    desired: &Schema,
    origin: &Origin<'_>,
) -> Result<Schema> {
    drop_stale_shadows(admin).await?;
    let (backend_pid, backend_start) = session(admin).await?;
    let shadow_name = format!(
        "{SHADOW_PREFIX}{backend_pid}_{backend_start}_{}",
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
    let mut schema = result?;
    dropped?;
    // The shadow installs an extension's default version where the file pins none; the
    // file's side still matches any version.
    for (name, extension) in &mut schema.extensions {
        if desired
            .extensions
            .get(name)
            .is_some_and(|declared| declared.version.is_none())
        {
            extension.version = None;
        }
    }
    Ok(schema)
}

/// `canonicalize` for a desired schema compared with `database`, a schema read from a live
/// catalog: only the tables and views that differ from it (and what they need) are built;
/// the rest is the database's own text already.
pub async fn canonicalize_against(
    admin: &Client,
    server_url: &str,
    desired: &Schema,
    database: &Schema,
    origin: &Origin<'_>,
) -> Result<Schema> {
    check_roles(admin, desired, origin).await?;
    let unsettled = subset::unsettled(database, desired);
    if unsettled.is_everything() {
        return build_in_shadow(admin, server_url, desired, origin).await;
    }
    match build_in_shadow(admin, server_url, &unsettled.schema, origin).await {
        Ok(built) => {
            let mut merged = unsettled.merge(database, desired, built);
            leave_out_session_owner(admin, &mut merged).await?;
            Ok(merged)
        }
        // The part needed something it left out (a row type, a subquery's table): the whole
        // schema decides, and points any error at its line.
        Err(_) => build_in_shadow(admin, server_url, desired, origin).await,
    }
}

/// Roles belong to the whole cluster and autogen never creates them: a grant to a missing
/// one (or default privileges of one, or an owner) is the file's error, at its line.
async fn check_roles(admin: &Client, desired: &Schema, origin: &Origin<'_>) -> Result<()> {
    let mut first_use: BTreeMap<&str, ObjectRef> = BTreeMap::new();
    for (object, acl) in &desired.privileges {
        for grantee in acl.keys().filter(|grantee| *grantee != PUBLIC) {
            first_use
                .entry(grantee)
                .or_insert_with(|| ObjectRef::Privileges(object.clone(), grantee.clone()));
        }
        if let (PrivilegeObject::Defaults { role, .. }, Some(grantee)) = (object, acl.keys().next())
        {
            // The running role exists: it runs the build.
            if role != CURRENT_USER {
                first_use
                    .entry(role)
                    .or_insert_with(|| ObjectRef::Privileges(object.clone(), grantee.clone()));
            }
        }
    }
    // Each owner is of an object with an owner of its own: lowering and the interpreter
    // refuse the others.
    for (object, owner) in &desired.owners {
        if let Some(kind) = desired.owned_kind(object) {
            first_use
                .entry(owner)
                .or_insert_with(|| ObjectRef::Owner(object.clone(), kind));
        }
    }
    if first_use.is_empty() {
        return Ok(());
    }
    let roles: Vec<&str> = first_use.keys().copied().collect();
    let missing = admin
        .query(MISSING_ROLES_QUERY, &[&roles])
        .await
        .map_err(|source| Error::database("cannot look up the roles the file grants to", source))?;
    let missing: Vec<String> = missing.iter().map(|row| row.get(0)).collect();
    let Some((role, object)) = first_use
        .iter()
        .find(|(role, _)| missing.iter().any(|name| name == *role))
    else {
        return Ok(());
    };
    Err(Error::Spec {
        path: origin.path.to_path_buf(),
        location: origin.source_map.locate(object),
        object: Some(object.to_string()),
        message: format!(
            "role \"{role}\" does not exist on the server\n  hint: autogen does not create \
             roles (they belong to the whole cluster): create it first"
        ),
    })
}

/// Leaves out owners that are the role autogen connects as, as the catalog does
/// (`model::owners`): the file's owners of settled relations did not go through the shadow.
async fn leave_out_session_owner(admin: &Client, schema: &mut Schema) -> Result<()> {
    if schema.owners.is_empty() {
        return Ok(());
    }
    let role: String = admin
        .query_one("SELECT CURRENT_USER::pg_catalog.text", &[])
        .await
        .map_err(|source| Error::database("cannot read the current role", source))?
        .get(0);
    schema.owners.retain(|_, owner| *owner != role);
    Ok(())
}

async fn session(admin: &Client) -> Result<(i32, i64)> {
    let row = admin
        .query_one(SESSION_QUERY, &[])
        .await
        .map_err(|source| {
            Error::database("cannot name a shadow database after this session", source)
        })?;
    Ok((row.get(0), row.get(1)))
}

/// The creating session a shadow's name records, or `None` for a name autogen did not
/// give (shadows of older versions, or someone else's database): those are never dropped.
fn creator(shadow_name: &str) -> Option<(i32, i64)> {
    let mut parts = shadow_name.strip_prefix(SHADOW_PREFIX)?.split('_');
    let backend_pid = parts.next()?.parse().ok()?;
    let backend_start = parts.next()?.parse().ok()?;
    let counter: usize = parts.next()?.parse().ok()?;
    let canonical = format!("{SHADOW_PREFIX}{backend_pid}_{backend_start}_{counter}");
    (parts.next().is_none() && canonical == shadow_name).then_some((backend_pid, backend_start))
}

/// Drops every shadow whose creating session has ended and that nobody is connected to:
/// what a `kill -9` during `diff` or `check` leaves behind.
async fn drop_stale_shadows(admin: &Client) -> Result<()> {
    let candidates = admin
        .query(SHADOW_DATABASES_QUERY, &[])
        .await
        .map_err(|source| Error::database("cannot list leftover shadow databases", source))?;
    for row in candidates {
        let (shadow_name, in_use): (String, bool) = (row.get(0), row.get(1));
        let Some((backend_pid, backend_start)) = creator(&shadow_name) else {
            continue;
        };
        if in_use {
            continue;
        }
        let creator_alive: bool = admin
            .query_one(SESSION_ALIVE_QUERY, &[&backend_pid, &backend_start])
            .await
            .map_err(|source| Error::database("cannot list leftover shadow databases", source))?
            .get(0);
        if creator_alive {
            continue;
        }
        // Without FORCE, the drop refuses if a session connected since the check; another
        // run may also have dropped it first. Either way it is not this run's to force.
        let _ = admin
            .batch_execute(&format!(
                "DROP DATABASE IF EXISTS {}",
                quote::ident(&shadow_name)
            ))
            .await;
    }
    Ok(())
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
    let shadow = conninfo.connect().await?;
    // The shadow is dropped whatever happens, so its commits need not wait for the disk:
    // otherwise every statement of the build waits for a WAL flush.
    shadow
        .batch_execute("SET synchronous_commit = off")
        .await
        .map_err(|source| Error::database("cannot set up the shadow database", source))?;
    let scope = SchemaScope::Only(desired.schemas.iter().cloned().collect());
    let empty = normalize::normalize(catalog::read(&shadow, &scope).await?);
    let (attached, changes): (Vec<Change>, Vec<Change>) =
        separate_checks_and_indexes(diff::diff(&empty, desired))
            .into_iter()
            .partition(|change| matches!(change, Change::Trigger(_) | Change::Policy(_)));
    let script = sql::render(
        &plan::build(&changes, plan::Mode::Transactional),
        Direction::Upgrade,
    );
    apply::build_scratch(&shadow, &script, "shadow database")
        .await
        .map_err(|error| point_at_source(error, &script, origin))?;
    stub_trigger_functions(&shadow, &attached, &desired.schemas).await?;
    let script = sql::render(
        &plan::build(&attached, plan::Mode::Transactional),
        Direction::Upgrade,
    );
    apply::build_scratch(&shadow, &script, "shadow database")
        .await
        .map_err(|error| point_at_source(error, &script, origin))?;
    let built = normalize::normalize(catalog::read(&shadow, &scope).await?);
    let restated = restated_expressions(desired, &built);
    if restated.is_empty() {
        return Ok(built);
    }
    let script = sql::render(
        &plan::build(&restated, plan::Mode::Transactional),
        Direction::Upgrade,
    );
    apply::build_scratch(&shadow, &script, "shadow database")
        .await
        .map_err(|error| point_at_source(error, &script, origin))?;
    Ok(normalize::normalize(catalog::read(&shadow, &scope).await?))
}

/// A trigger's function may live in a schema outside the file, which autogen does not
/// manage. The shadow only needs the trigger's canonical text, so each such function still
/// missing once the schema is built is stubbed. One in a managed schema is never stubbed:
/// the stub would be read back as a declared function, so a missing one is the trigger's
/// error.
async fn stub_trigger_functions(
    shadow: &Client,
    attached: &[Change],
    managed_schemas: &std::collections::BTreeSet<String>,
) -> Result<()> {
    let functions: std::collections::BTreeSet<&crate::model::QualifiedName> = attached
        .iter()
        .filter_map(|change| match change {
            Change::Trigger(trigger_change) => Some(&trigger_change.trigger().function),
            _ => None,
        })
        .filter(|function| !managed_schemas.contains(&function.schema))
        .collect();
    let failed = |source| Error::database("cannot stub a trigger function in the shadow", source);
    for function in functions {
        let signature = format!("{}()", quote::qualified(function));
        let exists: bool = shadow
            .query_one(
                "SELECT pg_catalog.to_regprocedure($1) IS NOT NULL",
                &[&signature],
            )
            .await
            .map_err(failed)?
            .get(0);
        if exists {
            continue;
        }
        let schema = quote::ident(&function.schema);
        let statements = [
            format!("CREATE SCHEMA IF NOT EXISTS {schema}"),
            format!(
                "CREATE FUNCTION {signature} RETURNS trigger LANGUAGE plpgsql \
                 AS 'BEGIN RETURN NULL; END'"
            ),
        ];
        for statement in statements {
            shadow
                .execute(statement.as_str(), &[])
                .await
                .map_err(failed)?;
        }
    }
    Ok(())
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
                changes.extend(Change::recreate_check(name, check));
            }
        }
        for index in table.indexes.values() {
            if declared.indexes.get(&index.name) != Some(index) {
                changes.extend(Change::recreate_index(name, index));
            }
        }
        for exclusion in table.exclusions.values() {
            if declared.exclusions.get(&exclusion.name) != Some(exclusion) {
                changes.extend(Change::recreate_exclusion(name, exclusion));
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

/// Checks, exclusion constraints and indexes as steps of their own, so that an expression
/// the server rejects is reported at their line rather than their table's.
fn separate_checks_and_indexes(changes: Vec<Change>) -> Vec<Change> {
    let mut separated = Vec::new();
    for change in changes {
        let Change::CreateTable(mut table) = change else {
            separated.push(change);
            continue;
        };
        let checks = std::mem::take(&mut table.checks);
        let exclusions = std::mem::take(&mut table.exclusions);
        let indexes = std::mem::take(&mut table.indexes);
        let name = table.name.clone();
        separated.push(Change::CreateTable(table));
        separated.extend(checks.into_values().map(|check| Change::AddCheck {
            table: name.clone(),
            check,
        }));
        separated.extend(
            exclusions
                .into_values()
                .map(|exclusion| Change::AddExclusion {
                    table: name.clone(),
                    exclusion,
                }),
        );
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
    let mut message = format!(
        "PostgreSQL rejects it: {}\n  in: {}",
        describe_db_error(source),
        statement.sql
    );
    let no_gist_class = source.as_db_error().is_some_and(|db_error| {
        *db_error.code() == SqlState::UNDEFINED_OBJECT
            && db_error
                .message()
                .contains("no default operator class for access method \"gist\"")
    });
    if no_gist_class && statement.sql.contains(" EXCLUDE USING gist ") {
        message.push_str(
            "\n  hint: scalar types (integer, text, ...) have gist operator classes only with \
             the btree_gist extension; declare it under `extensions:`",
        );
    }
    Error::Spec {
        path: origin.path.to_path_buf(),
        location: origin.source_map.locate(&statement.object),
        object: Some(statement.object.to_string()),
        message,
    }
}

#[cfg(test)]
mod tests {
    use super::creator;

    #[test]
    fn only_names_autogen_gives_are_shadows_with_a_creator() {
        assert_eq!(
            creator("autogen_shadow_4242_1767225600123456_0"),
            Some((4242, 1767225600123456))
        );
        for not_ours in [
            "autogen_shadow_4242_0",
            "autogen_shadow_4242_1767225600123456_0_x",
            "autogen_shadow_04242_1767225600123456_0",
            "autogen_shadow_+4242_1767225600123456_0",
            "autogen_shadow_4242_1767225600123456_",
            "autogen_shadows_4242_1767225600123456_0",
            "app",
        ] {
            assert_eq!(creator(not_ours), None, "{not_ours}");
        }
    }
}
