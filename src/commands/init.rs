//! `autogen init`: a new project, or one adopting an existing database.

use std::path::Path;

use crate::catalog::{self, SchemaScope};
use crate::config::{self, DatabaseSetting};
use crate::error::{Error, Result};
use crate::lint::Allowed;
use crate::model::Schema;
use crate::output::{errln, noteln, outln};
use crate::runner;
use crate::{db, fs, normalize, spec};

use super::{report_unmanaged, stamp_written, write_revision};

const STARTER_SCHEMA: &str = "\
# The schema you want, declared. After editing it, run
#   autogen migrate -m \"what changed\"   (writes a revision to review)
#   autogen upgrade                     (applies it)
# Every key is described under \"schema.yaml reference\" in autogen's README. An example:
#
# tables:
#   students:
#     columns:
#       id: { type: bigint, identity: always }
#       full_name: { type: text, nullable: false }
#       email: text
#     primary_key: [id]
tables: {}
";

pub(super) async fn init(
    config_path: Option<&Path>,
    database_url: Option<String>,
    from_db: Option<String>,
) -> Result<u8> {
    let config_path = config_path.unwrap_or(Path::new(config::FILE_NAME));
    let root = config_path.parent().unwrap_or(Path::new(""));
    let schema_path = root.join(config::DEFAULT_SCHEMA);
    let migrations_path = root.join(config::DEFAULT_MIGRATIONS);
    for path in [
        config_path,
        schema_path.as_path(),
        &schema_path.with_file_name(spec::JSON_SCHEMA_FILE_NAME),
    ] {
        if path.exists() {
            return Err(Error::Usage(format!(
                "{} already exists; init never overwrites a file\n  hint: this looks like an \
                 autogen project already; `autogen current` shows where its database is",
                path.display()
            )));
        }
    }
    let has_revisions = std::fs::read_dir(&migrations_path)
        .map(|entries| {
            entries
                .filter_map(|entry| entry.ok())
                .any(|entry| entry.file_name().to_string_lossy().ends_with(".sql"))
        })
        .unwrap_or(false);
    if has_revisions {
        return Err(Error::Usage(format!(
            "{} already holds SQL files; init never overwrites a project",
            migrations_path.display()
        )));
    }
    let database = match database_url.as_ref().or(from_db.as_ref()) {
        Some(url) => recorded_database(url)?,
        None => DatabaseSetting::Env(config::DEFAULT_DATABASE_URL_ENV.to_string()),
    };

    let adopted = match &from_db {
        Some(url) => Some(read_existing(url).await?),
        None => None,
    };
    let schema_text = match &adopted {
        Some(schema) => format!(
            "{}# The desired schema, first written by `autogen init --from-db` from the \
             database.\n{}",
            spec::LANGUAGE_SERVER_LINE,
            spec::write(schema)
        ),
        None => format!("{}{STARTER_SCHEMA}", spec::LANGUAGE_SERVER_LINE),
    };
    let json_schema_path = schema_path.with_file_name(spec::JSON_SCHEMA_FILE_NAME);
    create_dir(&migrations_path)?;
    if let Some(schema_directory) = schema_path.parent() {
        create_dir(schema_directory)?;
    }
    fs::write_atomically(&schema_path, schema_text.as_bytes())?;
    fs::write_atomically(&json_schema_path, spec::JSON_SCHEMA.as_bytes())?;
    fs::write_atomically(config_path, config::starter_text(&database).as_bytes())?;
    let database_note = match &database {
        DatabaseSetting::Url(url) => format!("database {}", db::parse(url)?.describe()),
        DatabaseSetting::Env(variable) => format!("database from ${variable}"),
    };
    outln!("created {} ({database_note})", config_path.display())?;
    outln!("created {}", schema_path.display())?;
    outln!(
        "created {} (for editors: the schema file's JSON Schema)",
        json_schema_path.display()
    )?;
    outln!("created {}/", migrations_path.display())?;

    let (Some(url), Some(schema)) = (&from_db, &adopted) else {
        outln!(
            "next: declare tables in {}, then run `autogen migrate -m \"initial schema\"`",
            schema_path.display()
        )?;
        return Ok(0);
    };
    let empty = Schema {
        schemas: schema
            .schemas
            .iter()
            .filter(|name| *name == "public")
            .cloned()
            .collect(),
        ..Schema::default()
    };
    let migration = crate::generate(&empty, schema);
    if migration.changes.is_empty() {
        outln!("the database is empty: no first revision written")?;
        return Ok(0);
    }
    let allowed = Allowed::new(&config::default_allowed_hazards(), &[]);
    let revision = write_revision(
        &migrations_path,
        None,
        "initial schema".to_string(),
        &migration,
        &allowed,
    )?;
    outln!("created {}", revision.up_path.display())?;
    outln!("created {}", revision.down_path.display())?;
    if let Err(error) = stamp_written(&migrations_path, url, &revision.id).await {
        // The run's own error outranks a note that cannot be printed.
        let _ = errln!(
            "the first revision was written but not recorded in the database; once the \
             problem is fixed, run `autogen stamp {}`",
            revision.id
        );
        return Err(error);
    }
    outln!(
        "stamped {} as applied in {} (it already matches)",
        revision.id,
        db::parse(url)?.describe()
    )?;
    Ok(0)
}

/// What `init` records for `url`: the connection string itself, or, when it holds a
/// password, the variable to hold it (autogen.toml belongs in version control).
fn recorded_database(url: &str) -> Result<DatabaseSetting> {
    if !db::parse(url)?.has_password() {
        return Ok(DatabaseSetting::Url(url.to_string()));
    }
    let variable = config::DEFAULT_DATABASE_URL_ENV;
    noteln!(
        "note: the connection string holds a password, so autogen.toml reads it from \
         ${variable} instead of recording it\n  hint: export {variable}='...' with that \
         connection string, password included, before running autogen (from your CI's \
         secrets, or a shell profile kept out of version control)"
    )?;
    Ok(DatabaseSetting::Env(variable.to_string()))
}

/// The schema of a database being adopted; refuses one autogen already manages.
async fn read_existing(url: &str) -> Result<Schema> {
    let client = runner::connect(url).await?;
    if !runner::read_applied(&client).await?.is_empty() {
        return Err(Error::Workflow(format!(
            "{} already has revisions recorded in autogen.autogen_version\n  hint: check out \
             the project that manages it instead of adopting it again",
            db::parse(url)?.describe()
        )));
    }
    let reading = catalog::read(&client, &SchemaScope::All);
    let schema = crate::progress::during("reading the database's catalog", reading).await?;
    let mut schema = normalize::normalize(schema);
    crate::diff::leave_privileges_out(&mut schema);
    report_unmanaged(&[&schema])?;
    Ok(schema)
}

fn create_dir(path: &Path) -> Result<()> {
    if path.as_os_str().is_empty() {
        return Ok(());
    }
    std::fs::create_dir_all(path).map_err(|source| Error::io(path, source))
}
