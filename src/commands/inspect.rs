//! `autogen inspect`: a live database written as schema YAML.

use std::path::Path;

use crate::catalog::{self, SchemaScope};
use crate::error::Result;
use crate::output::{self, Stream};
use crate::{db, fs, normalize, spec};

use super::report_unmanaged;

/// `autogen inspect`: a live database's schema as schema YAML.
pub(super) async fn inspect(
    database_url: &str,
    output: Option<&Path>,
    with_privileges: bool,
) -> Result<u8> {
    let client = db::connect(database_url).await?;
    let reading = catalog::read(&client, &SchemaScope::All);
    let schema = crate::progress::during("reading the database's catalog", reading).await?;
    let mut schema = normalize::normalize(schema);
    if !with_privileges {
        crate::diff::leave_privileges_out(&mut schema);
    }
    report_unmanaged(&[&schema])?;
    let yaml = format!("{}{}", spec::LANGUAGE_SERVER_LINE, spec::write(&schema));
    match output {
        Some(path) => fs::write_output(path, yaml.as_bytes())?,
        None => output::write(Stream::Stdout, &yaml)?,
    }
    Ok(0)
}
