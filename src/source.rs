//! Resolves what the user named (`--from` / `--to`: a database URL, a schema file in YAML
//! or SQL, or a migrations directory) into a pair of normalized schemas ready to diff.
//!
//! Orchestrates stages 1–3 and the shadow round trip; all of its IO is delegated to
//! `spec`, `ddl`, `catalog` and `shadow`.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use tokio_postgres::Client;

use crate::catalog::{self, SchemaScope};
use crate::error::Result;
use crate::model::Schema;
use crate::{db, ddl, equivalence, migrations, normalize, shadow, spec};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Database(String),
    /// `schema.yaml`, or SQL DDL when the name ends in `.sql`.
    SchemaFile(PathBuf),
    /// A migrations directory: the state its revisions produce.
    Migrations(PathBuf),
}

impl Source {
    pub fn parse(text: &str) -> Source {
        if db::is_url(text) {
            Source::Database(text.to_string())
        } else if Path::new(text).is_dir() {
            Source::Migrations(PathBuf::from(text))
        } else {
            Source::SchemaFile(PathBuf::from(text))
        }
    }
}

/// Reads a schema file: YAML, or SQL DDL replayed offline when its name ends in `.sql`.
pub fn load_schema_file(path: &Path) -> Result<spec::Loaded> {
    let is_sql = path
        .extension()
        .is_some_and(|extension| extension.eq_ignore_ascii_case("sql"));
    if is_sql {
        return Ok(spec::Loaded {
            schema: ddl::load(path)?,
            source_map: spec::SourceMap::default(),
        });
    }
    spec::load(path)
}

/// Reads both sides. Against a file, the managed schemas are the file's (with `public`);
/// database to database, every non-system schema. A file is canonicalized on the server of
/// the other side when there is one; without a server, expressions are compared by
/// `equivalence` instead.
pub async fn read_pair(from: &Source, to: &Source) -> Result<(Schema, Schema)> {
    read_pair_in(from, to, &[]).await
}

/// `read_pair`, also managing `extra_schemas` (autogen.toml's `schemas`) when a file is
/// involved.
pub async fn read_pair_in(
    from: &Source,
    to: &Source,
    extra_schemas: &[String],
) -> Result<(Schema, Schema)> {
    let from_file = load_offline(from)?;
    let to_file = load_offline(to)?;
    let file_schemas: BTreeSet<String> = [&from_file, &to_file]
        .into_iter()
        .flatten()
        .flat_map(|loaded| loaded.schema.schemas.iter().cloned())
        .chain(extra_schemas.iter().cloned())
        .chain(["public".to_string()])
        .collect();
    let scope = if from_file.is_some() || to_file.is_some() {
        SchemaScope::Only(file_schemas.into_iter().collect())
    } else {
        SchemaScope::All
    };
    let server_url = [from, to].into_iter().find_map(|source| match source {
        Source::Database(url) => Some(url.as_str()),
        Source::SchemaFile(_) | Source::Migrations(_) => None,
    });
    let admin = match server_url {
        Some(url) => Some(db::connect(url).await?),
        None => None,
    };
    let server = admin.as_ref().zip(server_url);
    let current = read_side(from, from_file, &scope, server).await?;
    let mut desired = read_side(to, to_file, &scope, server).await?;
    if server.is_none() {
        equivalence::align(&current, &mut desired);
    }
    Ok((current, desired))
}

/// `server` is a connection to a server able to host a shadow database, and its URL.
async fn read_side(
    source: &Source,
    loaded: Option<spec::Loaded>,
    scope: &SchemaScope,
    server: Option<(&Client, &str)>,
) -> Result<Schema> {
    let schema = match (source, loaded) {
        (Source::Database(url), _) => catalog::read(&db::connect(url).await?, scope).await?,
        (_, Some(loaded)) => {
            let desired = normalize::normalize(loaded.schema);
            match server {
                Some((admin, server_url)) => {
                    let path = match source {
                        Source::SchemaFile(path) | Source::Migrations(path) => path.as_path(),
                        Source::Database(_) => Path::new(""),
                    };
                    let origin = shadow::Origin {
                        path,
                        source_map: &loaded.source_map,
                    };
                    // Directives are not schema state; the shadow round trip drops them.
                    let mut canonical =
                        shadow::canonicalize(admin, server_url, &desired, &origin).await?;
                    canonical.directives = desired.directives;
                    canonical
                }
                None => desired,
            }
        }
        (_, None) => Schema::default(),
    };
    Ok(normalize::normalize(schema))
}

fn load_offline(source: &Source) -> Result<Option<spec::Loaded>> {
    match source {
        Source::SchemaFile(path) => load_schema_file(path).map(Some),
        Source::Migrations(directory) => {
            let chain = migrations::read_chain(directory)?;
            Ok(Some(spec::Loaded {
                schema: ddl::replay(&chain.revisions)?,
                source_map: spec::SourceMap::default(),
            }))
        }
        Source::Database(_) => Ok(None),
    }
}
