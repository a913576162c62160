//! The one error type, with a variant per stage, and its mapping to exit codes.
//!
//! Context is added where it is known (the file, the query, the object); only `main`
//! formats an `Error` for people. Messages start lowercase and carry no trailing period.

use std::fmt;
use std::path::PathBuf;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// A 1-based position in a source file.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    pub line: usize,
    pub column: usize,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A schema file is malformed or inconsistent.
    #[error("{}: {message}", spec_prefix(path, location, object))]
    Spec {
        path: PathBuf,
        location: Option<Location>,
        /// YAML path of the offending object, e.g. `tables.students.indexes.students_email_idx`.
        object: Option<String>,
        message: String,
    },
    /// Connecting to or reading from PostgreSQL failed.
    #[error("{context}: {}", describe_db_error(source))]
    Database {
        context: String,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A connection string or TLS set-up autogen cannot use, found before connecting. The
    /// message never quotes the connection string, which may hold a password.
    #[error("{0}")]
    Connection(String),
    /// A catalog row autogen cannot represent.
    #[error("catalog query {query}: {message}")]
    Catalog {
        query: &'static str,
        message: String,
    },
    /// A statement failed while being applied.
    #[error(
        "{origin}: statement {statement_number} failed: {}\n  {sql}{}",
        describe_db_error(source),
        lock_table_advice(source)
    )]
    Apply {
        origin: String,
        statement_number: usize,
        sql: String,
        #[source]
        source: tokio_postgres::Error,
    },
    /// A step timed out waiting for a lock (`lock_timeout`) on every attempt.
    #[error(transparent)]
    LockTimeout(Box<LockTimeout>),
    /// The requested change cannot be planned.
    #[error("{object}: {message}")]
    Plan { object: String, message: String },
    /// An input file outside autogen's limits: not a regular file, over the size cap, or
    /// nested too deeply to parse in bounded time.
    #[error("{}: {message}", spec_prefix(path, location, &None))]
    Input {
        path: PathBuf,
        location: Option<Location>,
        message: String,
    },
    #[error("{}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A revision file, or the chain of revisions, is wrong; the message says how to fix it.
    #[error("{}: {message}", path.display())]
    Revision { path: PathBuf, message: String },
    /// A SQL statement the offline interpreter cannot replay.
    #[error(
        "{}:{line}: {message}\n  statement: {statement}\n  hint: connect a database (database_url in autogen.toml, or $DATABASE_URL), or write it with the DDL autogen reads: CREATE/ALTER/DROP of schemas, tables, columns, constraints, indexes, enum and composite types, domains, views and sequences, and COMMENT ON",
        path.display()
    )]
    Replay {
        path: PathBuf,
        line: usize,
        statement: String,
        message: String,
    },
    /// The database is not in a state the workflow command can start from (behind the
    /// latest revision, edited or missing revisions, lock held); the message says why.
    #[error("{0}")]
    Workflow(String),
    /// Printing failed: the stream is full, closed or gone.
    #[error("cannot write to {stream}: {source}")]
    Output {
        stream: crate::output::Stream,
        #[source]
        source: std::io::Error,
    },
    /// The session holding autogen's advisory lock ended during a run; the detail says how.
    #[error("autogen's advisory lock on the database was lost: {0}")]
    LockLost(String),
    /// Wrong command-line usage that clap cannot catch.
    #[error("{0}")]
    Usage(String),
}

/// A step timed out waiting for a lock (`lock_timeout`) on every attempt; the last attempt
/// was rolled back.
#[derive(Debug, thiserror::Error)]
#[error(
    "{origin}: statement {statement_number} waited longer than lock_timeout ({lock_timeout}) \
     for a lock, {}: {}\n  {sql}{}\n  hint: let the session that holds the lock finish, or \
     end it, then run `autogen {verb}` again; lock_timeout and lock_retries in \
     autogen.toml say how long autogen waits",
    count_attempts(*attempts),
    describe_db_error(source),
    waited_for.as_deref().map(|clause| format!("\n  {}", crate::guard::printable(clause))).unwrap_or_default()
)]
pub struct LockTimeout {
    pub origin: String,
    pub statement_number: usize,
    pub sql: String,
    pub lock_timeout: String,
    pub attempts: u32,
    /// What the statement waited for, when the lock connection saw it.
    pub waited_for: Option<String>,
    pub verb: &'static str,
    #[source]
    pub source: tokio_postgres::Error,
}

impl Error {
    pub fn spec(
        path: impl Into<PathBuf>,
        object: Option<String>,
        message: impl Into<String>,
    ) -> Self {
        Error::Spec {
            path: path.into(),
            location: None,
            object,
            message: message.into(),
        }
    }

    pub fn input(
        path: impl Into<PathBuf>,
        location: Option<Location>,
        message: impl Into<String>,
    ) -> Self {
        Error::Input {
            path: path.into(),
            location,
            message: message.into(),
        }
    }

    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }

    pub fn database(context: impl Into<String>, source: tokio_postgres::Error) -> Self {
        Error::Database {
            context: context.into(),
            source,
        }
    }

    /// Every error is exit code 2; 1 is reserved for "differences found".
    pub fn exit_code(&self) -> u8 {
        2
    }

    /// Whether the reader of our output went away (`autogen check | head -1`): not a
    /// failure, so `main` exits quietly with 0, the way ripgrep does.
    pub fn is_broken_pipe(&self) -> bool {
        match self {
            Error::Output { source, .. } | Error::Io { source, .. } => {
                source.kind() == std::io::ErrorKind::BrokenPipe
            }
            _ => false,
        }
    }
}

fn spec_prefix(
    path: &std::path::Path,
    location: &Option<Location>,
    object: &Option<String>,
) -> String {
    // Names reach this line from untrusted files; escaped, they cannot break it.
    let mut prefix = crate::guard::printable(&path.display().to_string());
    if let Some(location) = location {
        prefix.push_str(&format!(":{}:{}", location.line, location.column));
    }
    if let Some(object) = object {
        prefix.push_str(&format!(": {}", crate::guard::printable(object)));
    }
    prefix
}

fn count_attempts(attempts: u32) -> String {
    match attempts {
        1 => "on its only attempt".to_string(),
        n => format!("on each of {n} attempts"),
    }
}

/// SQLSTATE, message, DETAIL and HINT when the server sent them; the client's text otherwise.
/// What to do when a revision outgrows the server's lock table (SQLSTATE 53200 with
/// PostgreSQL's `max_locks_per_transaction` hint): a revision runs in one transaction, so
/// the failure changed nothing.
fn lock_table_advice(error: &tokio_postgres::Error) -> &'static str {
    let out_of_lock_slots = error.as_db_error().is_some_and(|db_error| {
        *db_error.code() == tokio_postgres::error::SqlState::OUT_OF_MEMORY
            && db_error
                .hint()
                .is_some_and(|hint| hint.contains("max_locks_per_transaction"))
    });
    if out_of_lock_slots {
        "\n  The revision locks more objects than the server's lock table holds \
         (max_locks_per_transaction × (max_connections + max_prepared_transactions)); its \
         transaction was rolled back, so nothing changed. Raise max_locks_per_transaction in \
         postgresql.conf and restart the server, or split the revision into smaller ones."
    } else {
        ""
    }
}

pub fn describe_db_error(error: &tokio_postgres::Error) -> String {
    match error.as_db_error() {
        Some(db_error) => {
            let mut text = format!(
                "{} (SQLSTATE {})",
                db_error.message(),
                db_error.code().code()
            );
            if let Some(detail) = db_error.detail() {
                text.push_str(&format!("\n  detail: {detail}"));
            }
            if let Some(hint) = db_error.hint() {
                text.push_str(&format!("\n  hint: {hint}"));
            }
            text
        }
        None => {
            let mut text = error.to_string();
            let mut source = std::error::Error::source(error);
            while let Some(cause) = source {
                text.push_str(&format!(": {cause}"));
                source = cause.source();
            }
            text
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.line, self.column)
    }
}
