//! `autogen.toml`: where a project's schema file, migrations and database are.
//!
//! Reads and writes the file; paths in it are relative to the file's directory. Never
//! prints a connection string, which may hold a password.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

use crate::db;
use crate::diff::HazardKind;
use crate::error::{Error, Result};
use crate::guard;

pub const FILE_NAME: &str = "autogen.toml";
pub const DEFAULT_DATABASE_URL_ENV: &str = "DATABASE_URL";
pub const DEFAULT_SCHEMA: &str = "schema/schema.yaml";
pub const DEFAULT_MIGRATIONS: &str = "migrations";
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_secs(5);
pub const DEFAULT_LOCK_RETRIES: u32 = 3;
/// Rows an online backfill updates per committed batch.
pub const DEFAULT_BACKFILL_BATCH_SIZE: u32 = 1000;

/// The file as written, with `deny_unknown_fields` so a misspelt key is an error.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    database_url: Option<String>,
    database_url_env: Option<String>,
    schema: Option<PathBuf>,
    migrations: Option<PathBuf>,
    schemas: Option<Vec<String>>,
    allow_hazards: Option<Vec<toml::Spanned<String>>>,
    managed_roles: Option<Vec<String>>,
    lock_timeout: Option<toml::Spanned<String>>,
    lock_retries: Option<toml::Spanned<i64>>,
    online: Option<bool>,
    backfill_batch_size: Option<toml::Spanned<i64>>,
}

/// Where the database URL comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DatabaseSetting {
    Url(String),
    /// The name of the environment variable that holds the URL.
    Env(String),
}

/// A project, with its paths resolved against the directory of `autogen.toml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Config {
    pub path: PathBuf,
    pub database: DatabaseSetting,
    pub schema: PathBuf,
    pub migrations: PathBuf,
    /// The managed schemas, when the project names them; otherwise the schema file's.
    pub schemas: Option<Vec<String>>,
    /// The hazard kinds a revision may have without accepting them in its header.
    pub allow_hazards: BTreeSet<HazardKind>,
    /// Roles whose privileges are managed whole: one the schema file does not declare is
    /// revoked. Other roles' privileges are managed only where the file declares them.
    pub managed_roles: Vec<String>,
    /// How long each statement of a revision waits for a lock (`lock_timeout`).
    pub lock_timeout: Duration,
    /// How many more times a step that timed out waiting for a lock runs.
    pub lock_retries: u32,
    /// Revisions in online forms (`plan::Mode::Online`).
    pub online: bool,
    pub backfill_batch_size: u32,
}

impl Config {
    /// How `migrate` plans: online when autogen.toml or `--online` (`online_flag`) asks.
    pub fn plan_mode(&self, online_flag: bool) -> crate::plan::Mode {
        match self.online || online_flag {
            true => crate::plan::Mode::Online {
                backfill_batch_size: self.backfill_batch_size,
            },
            false => crate::plan::Mode::Transactional,
        }
    }

    /// Whose privileges the project manages beyond what the schema file declares.
    pub fn privilege_scope(&self) -> crate::diff::PrivilegeScope {
        crate::diff::PrivilegeScope::of_roles(&self.managed_roles)
    }
}

impl Config {
    /// Reads `path`, or else `autogen.toml` in the current directory or the nearest parent
    /// that has one, as cargo finds `Cargo.toml`.
    pub fn load(path: Option<&Path>) -> Result<Config> {
        let found;
        let path = match path {
            Some(path) => path,
            None => {
                found = find().ok_or_else(|| {
                    Error::Usage(format!(
                        "{FILE_NAME} not found in this directory or any parent\n  hint: run \
                         `autogen init` to create a project here, or point at one with \
                         --config PATH"
                    ))
                })?;
                &found
            }
        };
        let bytes = match crate::fs::read_input(path) {
            Ok(bytes) => bytes,
            Err(Error::Io { source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {
                return Err(Error::Usage(format!(
                    "{} not found\n  hint: run `autogen init` to create a project here, \
                     or point at one with --config PATH",
                    path.display()
                )))
            }
            Err(error) => return Err(error),
        };
        let text = String::from_utf8(bytes).map_err(|error| {
            Error::io(
                path,
                std::io::Error::new(std::io::ErrorKind::InvalidData, error),
            )
        })?;
        parse(&text, path)
    }

    /// The database URL: `--database-url` (or `$DATABASE_URL`) first, then autogen.toml.
    pub fn database_url(&self, flag: Option<&str>) -> Result<String> {
        if let Some(url) = flag.filter(|url| !url.is_empty()) {
            return Ok(url.to_string());
        }
        let url = match &self.database {
            DatabaseSetting::Url(url) => Some(url.clone()),
            DatabaseSetting::Env(variable) => {
                std::env::var(variable).ok().filter(|url| !url.is_empty())
            }
        };
        url.ok_or_else(|| {
            let setting = match &self.database {
                DatabaseSetting::Url(_) => String::new(),
                DatabaseSetting::Env(variable) => format!(" (${variable} is not set)"),
            };
            Error::Usage(format!(
                "this command needs a database, and none is configured{setting}\n  \
                 hint: export {DEFAULT_DATABASE_URL_ENV}=postgres://user@host/db, pass \
                 --database-url URL, or set database_url or database_url_env in {}",
                self.path.display()
            ))
        })
    }
}

/// `autogen.toml` here, or in the nearest parent directory that has one, as a relative path
/// (`../../autogen.toml`), so the paths messages show stay short.
fn find() -> Option<PathBuf> {
    let here = std::env::current_dir().ok()?;
    here.ancestors()
        .enumerate()
        .find_map(|(n_levels, directory)| {
            directory.join(FILE_NAME).is_file().then(|| {
                let mut path: PathBuf = std::iter::repeat_n("..", n_levels).collect();
                path.push(FILE_NAME);
                path
            })
        })
}

fn parse(text: &str, path: &Path) -> Result<Config> {
    let located = |start: usize| {
        let line = text[..start].matches('\n').count() + 1;
        let column = start - text[..start].rfind('\n').map_or(0, |nl| nl + 1) + 1;
        crate::error::Location { line, column }
    };
    let raw: RawConfig = toml::from_str(text).map_err(|error| Error::Spec {
        path: path.to_path_buf(),
        location: error.span().map(|span| located(span.start)),
        object: None,
        message: error.message().to_string(),
    })?;
    let allow_hazards = match raw.allow_hazards {
        None => default_allowed_hazards(),
        Some(names) => names
            .iter()
            .map(|name| {
                HazardKind::parse(name.get_ref()).map_err(|message| Error::Spec {
                    path: path.to_path_buf(),
                    location: Some(located(name.span().start)),
                    object: Some("allow_hazards".into()),
                    message,
                })
            })
            .collect::<Result<_>>()?,
    };
    let database = match (raw.database_url, raw.database_url_env) {
        (Some(_), Some(_)) => {
            return Err(Error::spec(
                path,
                None,
                "set database_url or database_url_env, not both",
            ))
        }
        (Some(url), None) => {
            db::parse(&url).map_err(|error| {
                Error::spec(path, Some("database_url".into()), error.to_string())
            })?;
            DatabaseSetting::Url(url)
        }
        (None, Some(variable)) => DatabaseSetting::Env(variable),
        (None, None) => DatabaseSetting::Env(DEFAULT_DATABASE_URL_ENV.into()),
    };
    // A bad entry is reported at the line of its key.
    let invalid = |key: &str, message: String| Error::Spec {
        path: path.to_path_buf(),
        location: text
            .lines()
            .position(|line| line.trim_start().starts_with(key))
            .map(|line_idx| crate::error::Location {
                line: line_idx + 1,
                column: 1,
            }),
        object: Some(key.into()),
        message,
    };
    for schema in raw.schemas.iter().flatten() {
        if let Err(message) = guard::name(schema).and_then(|()| guard::managed_schema(schema)) {
            return Err(invalid("schemas", message));
        }
    }
    for role in raw.managed_roles.iter().flatten() {
        if let Err(message) = guard::name(role) {
            return Err(invalid("managed_roles", message));
        }
        if role.is_empty() {
            return Err(invalid("managed_roles", "a role name is empty".into()));
        }
    }
    let lock_timeout = match &raw.lock_timeout {
        None => DEFAULT_LOCK_TIMEOUT,
        Some(text) => parse_duration(text.get_ref()).map_err(|message| Error::Spec {
            path: path.to_path_buf(),
            location: Some(located(text.span().start)),
            object: Some("lock_timeout".into()),
            message,
        })?,
    };
    let lock_retries = match &raw.lock_retries {
        None => DEFAULT_LOCK_RETRIES,
        Some(n) => u32::try_from(*n.get_ref())
            .ok()
            .filter(|n| *n <= 100)
            .ok_or_else(|| Error::Spec {
                path: path.to_path_buf(),
                location: Some(located(n.span().start)),
                object: Some("lock_retries".into()),
                message: "expected a number of retries from 0 to 100".into(),
            })?,
    };
    let backfill_batch_size = match raw.backfill_batch_size {
        None => DEFAULT_BACKFILL_BATCH_SIZE,
        Some(size) => u32::try_from(*size.get_ref())
            .ok()
            .filter(|size| *size > 0)
            .ok_or_else(|| Error::Spec {
                path: path.to_path_buf(),
                location: Some(located(size.span().start)),
                object: Some("backfill_batch_size".into()),
                message: format!("expected a number of rows from 1 to {}", u32::MAX),
            })?,
    };
    let root = path.parent().unwrap_or(Path::new(""));
    Ok(Config {
        path: path.to_path_buf(),
        database,
        schema: root.join(raw.schema.unwrap_or_else(|| DEFAULT_SCHEMA.into())),
        migrations: root.join(raw.migrations.unwrap_or_else(|| DEFAULT_MIGRATIONS.into())),
        schemas: raw.schemas,
        allow_hazards,
        managed_roles: raw.managed_roles.unwrap_or_default(),
        lock_timeout,
        lock_retries,
        online: raw.online.unwrap_or(false),
        backfill_batch_size,
    })
}

/// A duration as PostgreSQL spells one for `lock_timeout`: a whole number with a unit
/// (`ms`, `s`, `min`, `h`; `5s`, `500 ms`), or a bare number of milliseconds; `0` waits
/// without limit.
pub fn parse_duration(text: &str) -> std::result::Result<Duration, String> {
    let text = text.trim();
    let digits = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let invalid = || {
        format!(
            "`{}` is not a duration\n  hint: write a whole number with a unit: \"500ms\", \"5s\", \"1min\"",
            guard::printable(text)
        )
    };
    let number: u64 = text[..digits].parse().map_err(|_| invalid())?;
    let millis_per_unit = match text[digits..].trim() {
        "" | "ms" => 1,
        "s" => 1000,
        "min" => 60_000,
        "h" => 3_600_000,
        _ => return Err(invalid()),
    };
    number
        .checked_mul(millis_per_unit)
        .filter(|millis| *millis <= i32::MAX as u64)
        .map(Duration::from_millis)
        .ok_or_else(|| {
            format!(
                "`{}` is longer than PostgreSQL allows",
                guard::printable(text)
            )
        })
}

/// Without `allow_hazards`: every kind but data loss, which a revision must accept
/// (`migrate --allow-destructive`).
pub fn default_allowed_hazards() -> BTreeSet<HazardKind> {
    HazardKind::ALL
        .into_iter()
        .filter(|kind| *kind != HazardKind::DataLoss)
        .collect()
}

/// The text `autogen init` writes: commented, with the database given as `database`.
pub fn starter_text(database: &DatabaseSetting) -> String {
    let database_line = match database {
        DatabaseSetting::Url(url) => format!("database_url = {}", toml_string(url)),
        DatabaseSetting::Env(variable) => format!("database_url_env = {}", toml_string(variable)),
    };
    format!(
        "# autogen project settings; paths are relative to this file.\n\
         \n\
         # The database to migrate: `database_url = \"postgres://...\"` (never with a password:\n\
         # this file belongs in version control), or the name of the environment variable that\n\
         # holds the connection string. --database-url and $DATABASE_URL override it.\n\
         {database_line}\n\
         \n\
         # The desired schema, and where revisions are written.\n\
         schema = \"{DEFAULT_SCHEMA}\"\n\
         migrations = \"{DEFAULT_MIGRATIONS}\"\n\
         \n\
         # The schemas autogen manages (default: the ones the schema file names, and public).\n\
         # schemas = [\"public\"]\n\
         \n\
         # How long each statement of a revision waits for a lock before its step is retried\n\
         # (after a pause), and how many times; then the run stops and names the blocker.\n\
         # lock_timeout = \"5s\"\n\
         # lock_retries = 3\n\
         \n\
         # Roles whose privileges autogen manages whole, revoking what the schema file does\n\
         # not grant (other roles: only the grants the file declares).\n\
         # managed_roles = [\"anon\", \"authenticated\"]\n\
         \n\
         # Write revisions in online forms that keep a busy application running: indexes\n\
         # built concurrently, constraints validated in a later step, backfills committed in\n\
         # batches of backfill_batch_size rows (`migrate --online` does it for one revision).\n\
         # online = true\n\
         # backfill_batch_size = 1000\n"
    )
}

fn toml_string(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_file_and_the_env_variable_is_the_default() {
        let config = parse(
            "schemas = [\"public\"]\n",
            Path::new("project/autogen.toml"),
        )
        .expect("valid config");
        assert_eq!(config.schema, Path::new("project/schema/schema.yaml"));
        assert_eq!(config.migrations, Path::new("project/migrations"));
        assert_eq!(config.database, DatabaseSetting::Env("DATABASE_URL".into()));
        assert_eq!(config.schemas, Some(vec!["public".to_string()]));
    }

    #[test]
    fn lock_settings_have_defaults_and_located_errors() {
        let config = parse("", Path::new("autogen.toml")).expect("valid config");
        assert_eq!(
            (config.lock_timeout, config.lock_retries),
            (Duration::from_secs(5), 3)
        );
        let config = parse(
            "lock_timeout = \"1500 ms\"\nlock_retries = 0\n",
            Path::new("autogen.toml"),
        )
        .expect("valid config");
        assert_eq!(
            (config.lock_timeout, config.lock_retries),
            (Duration::from_millis(1500), 0)
        );
        assert_eq!(parse_duration("2min"), Ok(Duration::from_secs(120)));
        assert_eq!(parse_duration("0"), Ok(Duration::ZERO));
        let error = parse(
            "\nlock_timeout = \"5 seconds\"\n",
            Path::new("autogen.toml"),
        )
        .expect_err("an error");
        assert!(
            error
                .to_string()
                .starts_with("autogen.toml:2:16: lock_timeout: `5 seconds` is not a duration"),
            "{error}"
        );
        let error = parse("lock_retries = -1\n", Path::new("autogen.toml")).expect_err("an error");
        assert!(
            error
                .to_string()
                .starts_with("autogen.toml:1:16: lock_retries:"),
            "{error}"
        );
    }

    #[test]
    fn the_starter_file_reads_back() {
        let text = starter_text(&DatabaseSetting::Url("postgres://u@h/d".into()));
        let config = parse(&text, Path::new("autogen.toml")).expect("valid config");
        assert_eq!(
            config.database,
            DatabaseSetting::Url("postgres://u@h/d".into())
        );
        assert_eq!(config.schema, Path::new("schema/schema.yaml"));
    }

    #[test]
    fn unknown_keys_and_two_database_settings_are_errors() {
        let error =
            parse("databse_url = \"x\"\n", Path::new("autogen.toml")).expect_err("an error");
        assert!(error.to_string().starts_with("autogen.toml:1:1"), "{error}");
        let error = parse(
            "database_url = \"postgres://a:secret@h/d\"\ndatabase_url_env = \"X\"\n",
            Path::new("autogen.toml"),
        )
        .expect_err("an error");
        assert!(error.to_string().contains("not both"), "{error}");
    }

    #[test]
    fn allowed_hazards_default_to_all_but_data_loss_and_unknown_kinds_are_located() {
        let config = parse("", Path::new("autogen.toml")).expect("valid config");
        assert!(!config.allow_hazards.contains(&HazardKind::DataLoss));
        assert_eq!(config.allow_hazards.len(), HazardKind::ALL.len() - 1);
        let config = parse(
            "allow_hazards = [\"scan\", \"data-loss\"]\n",
            Path::new("autogen.toml"),
        )
        .expect("valid config");
        assert_eq!(
            config.allow_hazards,
            BTreeSet::from([HazardKind::Scan, HazardKind::DataLoss])
        );
        let error = parse(
            "schemas = [\"public\"]\nallow_hazards = [\"scan\", \"rewrites\"]\n",
            Path::new("autogen.toml"),
        )
        .expect_err("an unknown kind");
        let message = error.to_string();
        assert!(
            message
                .starts_with("autogen.toml:2:26: allow_hazards: unknown hazard kind \"rewrites\"")
                && message.contains("access-exclusive-lock"),
            "{message}"
        );
    }

    #[test]
    fn online_mode_comes_from_the_file_or_the_flag_and_batch_sizes_are_checked() {
        let config = parse("", Path::new("autogen.toml")).expect("valid config");
        assert_eq!(config.plan_mode(false), crate::plan::Mode::Transactional);
        assert_eq!(
            config.plan_mode(true),
            crate::plan::Mode::Online {
                backfill_batch_size: 1000
            }
        );
        let config = parse(
            "online = true\nbackfill_batch_size = 50\n",
            Path::new("autogen.toml"),
        )
        .expect("valid config");
        assert_eq!(
            config.plan_mode(false),
            crate::plan::Mode::Online {
                backfill_batch_size: 50
            }
        );
        let error = parse("backfill_batch_size = 0\n", Path::new("autogen.toml"))
            .expect_err("an empty batch");
        assert!(
            error
                .to_string()
                .starts_with("autogen.toml:1:23: backfill_batch_size: expected a number of rows"),
            "{error}"
        );
    }

    #[test]
    fn database_url_takes_either_form_and_errors_never_quote_it() {
        let config = parse(
            "database_url = \"host=h dbname=d\"\n",
            Path::new("autogen.toml"),
        )
        .expect("a key=value connection string");
        assert_eq!(
            config.database,
            DatabaseSetting::Url("host=h dbname=d".into())
        );
        for url in ["mysql://a:secret@h/d", "postgres://a:secret@h:port/d"] {
            let text = format!("database_url = \"{url}\"\n");
            let error = parse(&text, Path::new("autogen.toml")).expect_err("an error");
            let message = error.to_string();
            assert!(
                message.starts_with("autogen.toml: database_url: invalid connection string")
                    && !message.contains("secret"),
                "{message}"
            );
        }
    }
}
