//! Resolves what the user named (`--from` / `--to`: a database URL or a schema file) into
//! a pair of normalized schemas ready to diff.
//!
//! Orchestrates stages 1–3 and the shadow round trip; all of its IO is delegated to
//! `spec`, `catalog` and `shadow`.

use std::collections::BTreeSet;
use std::path::PathBuf;

use tokio_postgres::Client;

use crate::catalog::{self, SchemaScope};
use crate::error::Result;
use crate::model::Schema;
use crate::{db, normalize, shadow, spec};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    Database(String),
    SchemaFile(PathBuf),
}

impl Source {
    pub fn parse(text: &str) -> Source {
        if db::is_url(text) {
            Source::Database(text.to_string())
        } else {
            Source::SchemaFile(PathBuf::from(text))
        }
    }
}

/// Reads both sides. Against a file, the managed schemas are the file's (with `public`);
/// database to database, every non-system schema. A file is canonicalized on the server of
/// the other side when there is one, and by `normalize` alone otherwise.
pub async fn read_pair(from: &Source, to: &Source) -> Result<(Schema, Schema)> {
    read_pair_in(from, to, &[]).await
}

/// `read_pair`, also managing `extra_schemas` (autogen.toml's `schemas`) when a schema
/// file is involved.
pub async fn read_pair_in(
    from: &Source,
    to: &Source,
    extra_schemas: &[String],
) -> Result<(Schema, Schema)> {
    let from_file = load_file(from)?;
    let to_file = load_file(to)?;
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
        Source::SchemaFile(_) => None,
    });
    let admin = match server_url {
        Some(url) => Some(db::connect(url).await?),
        None => None,
    };
    let server = admin.as_ref().zip(server_url);
    let current = read_side(from, from_file, &scope, server).await?;
    let desired = read_side(to, to_file, &scope, server).await?;
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
        (Source::SchemaFile(path), Some(loaded)) => {
            let desired = normalize::normalize(loaded.schema);
            match server {
                Some((admin, server_url)) => {
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
        (Source::SchemaFile(path), None) => spec::load(path)?.schema,
    };
    Ok(normalize::normalize(schema))
}

fn load_file(source: &Source) -> Result<Option<spec::Loaded>> {
    match source {
        Source::SchemaFile(path) => spec::load(path).map(Some),
        Source::Database(_) => Ok(None),
    }
}
