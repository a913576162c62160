//! Stage 7, drift: a database against the state its applied revisions produce (replayed
//! offline, then built in a shadow database on the same server, so both sides compare
//! exactly). Shared by `check` (reports it), `migrate` (refuses to bake it into a revision)
//! and `repair` (shows what an edit changes). Reads the database; never writes to it.

use std::collections::BTreeSet;
use std::path::Path;

use tokio_postgres::Client;

use crate::catalog::{self, SchemaScope};
use crate::diff::{scope_privileges, PrivilegeScope};
use crate::error::Result;
use crate::migrations::Revision;
use crate::model::Schema;
use crate::{ddl, normalize, source, Migration};

/// Both sides of the comparison, normalized over the same schemas.
pub struct Drift {
    /// What the catalog holds.
    pub database: Schema,
    /// What the applied revisions produce.
    pub expected: Schema,
}

impl Drift {
    /// The hand-made changes as SQL that undoes them (database → expected); no changes
    /// means no drift.
    pub fn undo(&self) -> Migration {
        crate::generate(&self.database, &self.expected)
    }

    /// The hand-made changes as a revision that makes them (expected → database).
    pub fn accept(&self) -> Migration {
        crate::generate(&self.expected, &self.database)
    }
}

/// Replays `applied` (files from `migrations`) into the state they produce and reads the
/// database `client` is connected to (on `url`) over that state's schemas, `extra_schemas`
/// and `public`. Privileges the revisions grant or revoke are compared, and all of those of
/// the grantees `privileges` names.
pub async fn read(
    client: &Client,
    url: &str,
    applied: &[Revision],
    migrations: &Path,
    extra_schemas: &[String],
    privileges: &PrivilegeScope,
) -> Result<Drift> {
    let replayed = normalize::normalize(ddl::replay(applied.iter().map(Revision::up_file))?);
    let mut expected = source::canonicalize_on(url, replayed, migrations).await?;
    let scope: BTreeSet<String> = expected
        .schemas
        .iter()
        .chain(extra_schemas)
        .cloned()
        .chain(["public".to_string()])
        .collect();
    let scope = SchemaScope::Only(scope.into_iter().collect());
    let reading = catalog::read(client, &scope);
    let database = crate::progress::during("reading the database's catalog", reading).await?;
    let mut database = normalize::normalize(database);
    scope_privileges(&mut database, &mut expected, privileges);
    Ok(Drift { database, expected })
}
