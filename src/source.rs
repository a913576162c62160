//! Resolves what the user named (`--from` / `--to`: a connection string, a schema file in
//! YAML or SQL, or a migrations directory) into a pair of normalized schemas ready to diff.
//!
//! Orchestrates stages 1–3 and the shadow round trip; all of its IO is delegated to
//! `spec`, `ddl`, `catalog` and `shadow`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tokio_postgres::Client;

use crate::catalog::{self, SchemaScope};
use crate::diff::{scope_privileges, PrivilegeScope};
use crate::error::Result;
use crate::model::Schema;
use crate::{db, ddl, equivalence, migrations, normalize, progress, shadow, spec};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A connection string: a `postgres://` URL, or libpq's `key=value` form.
    Database(String),
    /// `schema.yaml`, or SQL DDL when the name ends in `.sql`.
    SchemaFile(PathBuf),
    /// A migrations directory: the state its revisions produce.
    Migrations(PathBuf),
}

impl Source {
    /// Any `scheme://` text is a URL, refused unless it is PostgreSQL's; text with '=' that
    /// names no file is a `key=value` connection string. Neither is ever echoed, since it
    /// may hold a password.
    pub fn parse(text: &str) -> Result<Source> {
        let path = Path::new(text);
        let is_connection_string =
            db::url_scheme(text).is_some() || (text.contains('=') && !path.exists());
        Ok(if is_connection_string {
            db::parse(text)?;
            Source::Database(text.to_string())
        } else if path.is_dir() {
            Source::Migrations(PathBuf::from(text))
        } else {
            Source::SchemaFile(PathBuf::from(text))
        })
    }
}

/// Reads a schema file: YAML, or SQL DDL replayed offline when its name ends in `.sql`.
pub fn load_schema_file(path: &Path) -> Result<spec::Loaded> {
    let is_sql = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("sql"));
    if is_sql {
        return ddl::load(path);
    }
    spec::load(path)
}

/// Reads both sides. Against a file, the managed schemas are the file's (with `public`);
/// database to database, every non-system schema. A file is canonicalized on the server of
/// the other side when there is one; without a server, expressions are compared by
/// `equivalence` instead. Privileges are compared where `privileges` or a file says so
/// (`diff::scope_privileges`).
pub async fn read_pair(
    from: &Source,
    to: &Source,
    privileges: &PrivilegeScope,
) -> Result<(Schema, Schema)> {
    read_pair_in(from, to, &[], privileges).await
}

/// `read_pair`, also managing `extra_schemas` (autogen.toml's `schemas`) when a file is
/// involved.
pub async fn read_pair_in(
    from: &Source,
    to: &Source,
    extra_schemas: &[String],
    privileges: &PrivilegeScope,
) -> Result<(Schema, Schema)> {
    read_pair_on(from, to, extra_schemas, None, privileges).await
}

/// `read_pair_in`, canonicalizing file sides on `server_url` even when neither side is a
/// database (as `check` does with a database configured), so the comparison is exact.
pub async fn read_pair_on(
    from: &Source,
    to: &Source,
    extra_schemas: &[String],
    server_url: Option<&str>,
    privileges: &PrivilegeScope,
) -> Result<(Schema, Schema)> {
    let (from_side, to_side) = Side::load_both(from, to)?;
    let file_schemas: BTreeSet<String> = [&from_side, &to_side]
        .into_iter()
        .filter_map(Side::file_schema)
        .flat_map(|schema| schema.schemas.iter().cloned())
        .chain(extra_schemas.iter().cloned())
        .chain(["public".to_string()])
        .collect();
    let any_file = [&from_side, &to_side]
        .into_iter()
        .any(|side| side.file_schema().is_some());
    let scope = match any_file {
        true => SchemaScope::Only(file_schemas.into_iter().collect()),
        false => SchemaScope::All,
    };
    let server_url = [from, to]
        .into_iter()
        .find_map(|source| match source {
            Source::Database(url) => Some(url.as_str()),
            Source::SchemaFile(_) | Source::Migrations(_) => None,
        })
        .or(server_url);
    let admin = match server_url {
        Some(url) => Some(db::connect(url).await?),
        None => None,
    };
    let server = admin.as_ref().zip(server_url);
    let (current, mut desired) = match (&from_side, &to_side) {
        // A schema file compared with a database is canonicalized against it, so it waits
        // for the catalog.
        (Side::Database(_), Side::File(..)) if server.is_some() => {
            let current = from_side.read(&scope, server, None).await?;
            let desired = to_side.read(&scope, server, Some(&current)).await?;
            (current, desired)
        }
        (Side::File(..), Side::Database(_)) if server.is_some() => {
            let desired = to_side.read(&scope, server, None).await?;
            let current = from_side.read(&scope, server, Some(&desired)).await?;
            (current, desired)
        }
        // Otherwise the two sides wait on different servers or sessions: read at once.
        _ => tokio::try_join!(
            from_side.read(&scope, server, None),
            to_side.read(&scope, server, None)
        )?,
    };
    let mut current = current;
    if server.is_none() {
        equivalence::align(&current, &mut desired);
    }
    scope_privileges(&mut current, &mut desired, privileges);
    Ok((current, desired))
}

/// One side of a diff: a database to introspect, or a file already loaded.
enum Side<'a> {
    Database(&'a str),
    File(&'a Path, Box<spec::Loaded>),
}

impl<'a> Side<'a> {
    fn load(source: &'a Source) -> Result<Side<'a>> {
        Ok(match source {
            Source::Database(url) => Side::Database(url),
            Source::SchemaFile(path) => Side::File(path, Box::new(load_schema_file(path)?)),
            Source::Migrations(directory) => {
                let chain = migrations::read_chain(directory)?;
                let loaded = spec::Loaded {
                    schema: ddl::replay(chain.revisions.iter().map(migrations::Revision::up_file))?,
                    source_map: spec::SourceMap::default(),
                };
                Side::File(directory, Box::new(loaded))
            }
        })
    }

    /// Loads the two sides. Two files load at once: parsing and replaying are CPU-bound, so
    /// offline SQL → SQL or migrations → schema.yaml take the time of the larger file. Beside
    /// a database nothing is gained, and the loader thread's malloc arena would keep the
    /// file's transient memory from the rest of the run.
    fn load_both(from: &'a Source, to: &'a Source) -> Result<(Side<'a>, Side<'a>)> {
        let is_database = |source: &Source| matches!(source, Source::Database(_));
        if is_database(from) || is_database(to) {
            return Ok((Side::load(from)?, Side::load(to)?));
        }
        std::thread::scope(|scope| {
            let loading_to = scope.spawn(|| Side::load(to));
            let from_side = Side::load(from);
            let to_side = loading_to
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            Ok((from_side?, to_side?))
        })
    }

    fn file_schema(&self) -> Option<&Schema> {
        match self {
            Side::Database(_) => None,
            Side::File(_, loaded) => Some(&loaded.schema),
        }
    }

    /// `server` is a connection to a server able to host a shadow database, and its URL.
    /// `database`: the other side, when it was read from a live catalog.
    async fn read(
        self,
        scope: &SchemaScope,
        server: Option<(&Client, &str)>,
        database: Option<&Schema>,
    ) -> Result<Schema> {
        let schema = match self {
            Side::Database(url) => {
                let reading = async { catalog::read(&db::connect(url).await?, scope).await };
                progress::during("reading the database's catalog", reading).await?
            }
            Side::File(path, loaded) => {
                let spec::Loaded { schema, source_map } = *loaded;
                let desired = normalize::normalize(schema);
                match server {
                    Some((admin, server_url)) => {
                        let origin = shadow::Origin {
                            path,
                            source_map: &source_map,
                        };
                        // Directives are not schema state; the shadow round trip drops them.
                        let canonicalizing = async {
                            match database {
                                Some(database) => {
                                    shadow::canonicalize_against(
                                        admin, server_url, &desired, database, &origin,
                                    )
                                    .await
                                }
                                None => {
                                    shadow::canonicalize(admin, server_url, &desired, &origin).await
                                }
                            }
                        };
                        let mut canonical = progress::during(
                            "building the schema file in a shadow database",
                            canonicalizing,
                        )
                        .await?;
                        canonical.directives = desired.directives;
                        canonical
                    }
                    None => desired,
                }
            }
        };
        Ok(normalize::normalize(schema))
    }
}

/// `schema` as PostgreSQL stores it, built in a shadow database on `server_url`; `path` is
/// where it came from, for messages.
pub async fn canonicalize_on(server_url: &str, schema: Schema, path: &Path) -> Result<Schema> {
    let admin = db::connect(server_url).await?;
    let origin = shadow::Origin {
        path,
        source_map: &spec::SourceMap::default(),
    };
    let canonicalizing = shadow::canonicalize(&admin, server_url, &schema, &origin);
    let mut canonical =
        progress::during("building a schema in a shadow database", canonicalizing).await?;
    // Directives are not schema state; the shadow round trip drops them.
    canonical.directives = schema.directives;
    Ok(normalize::normalize(canonical))
}
