//! Connecting to PostgreSQL: parse a connection string (URL or `key=value`), set up TLS,
//! spawn the connection task, fix session settings.
//!
//! Only this module, `catalog` and `apply` touch the network, and every connection is made
//! here. A connection string may hold a password, so its text never reaches a message:
//! servers are named by `Conninfo::describe`, built from the parsed parts.

mod conninfo;
mod tls;

use std::future::Future;

use tokio_postgres::config::Host;
use tokio_postgres::{Client, Config, NoTls};

use crate::error::{Error, Result};

pub use tls::SslMode;
use tls::TlsOptions;

/// Session settings every autogen connection uses, so catalog text (`format_type`,
/// `pg_get_expr`) prints the same way on every server and in every run.
const SESSION_SETUP: &str = "SET search_path = public; SET lock_timeout = '10s'; \
     SET client_min_messages = warning";

/// The keys tokio-postgres reads, for the hint on a connection string it rejects.
const TOKIO_POSTGRES_KEYS: [&str; 18] = [
    "host",
    "hostaddr",
    "port",
    "user",
    "password",
    "dbname",
    "options",
    "application_name",
    "sslnegotiation",
    "connect_timeout",
    "tcp_user_timeout",
    "keepalives",
    "keepalives_idle",
    "keepalives_interval",
    "keepalives_retries",
    "target_session_attrs",
    "channel_binding",
    "load_balance_hosts",
];

/// A parsed connection string: what tokio-postgres connects with, plus the TLS options
/// (`sslmode`, `sslrootcert`) autogen applies itself. Clone it to reach another database
/// on the same server with the same credentials and TLS.
#[derive(Debug, Clone)]
pub struct Conninfo {
    /// Everything but certificate checks; its `ssl_mode` follows `tls`.
    pub config: Config,
    tls: TlsOptions,
}

impl Conninfo {
    pub fn ssl_mode(&self) -> SslMode {
        self.tls.mode
    }

    pub fn has_password(&self) -> bool {
        self.config.get_password().is_some()
    }

    /// `user@host:port/dbname`, from the parsed parts; never the password.
    pub fn describe(&self) -> String {
        let config = &self.config;
        let hosts: Vec<String> = match config.get_hosts() {
            [] => config
                .get_hostaddrs()
                .iter()
                .map(ToString::to_string)
                .collect(),
            hosts => hosts
                .iter()
                .map(|host| match host {
                    Host::Tcp(name) => name.clone(),
                    Host::Unix(directory) => directory.display().to_string(),
                })
                .collect(),
        };
        let ports = config.get_ports();
        let servers: Vec<String> = hosts
            .iter()
            .enumerate()
            .map(|(host_idx, host)| {
                // One port for every host, or one each (tokio-postgres checks which).
                let port = ports.get(host_idx).or(ports.first()).unwrap_or(&5432);
                match host.contains(':') && !host.starts_with('/') {
                    true => format!("[{host}]:{port}"),
                    false => format!("{host}:{port}"),
                }
            })
            .collect();
        let mut text = String::new();
        if let Some(user) = config.get_user() {
            text.push_str(&format!("{user}@"));
        }
        match servers.is_empty() {
            true => text.push_str("(no host)"),
            false => text.push_str(&servers.join(",")),
        }
        if let Some(dbname) = config.get_dbname() {
            text.push_str(&format!("/{dbname}"));
        }
        text
    }

    pub async fn connect(&self) -> Result<Client> {
        let root_cert_file = match self.tls.mode {
            SslMode::Disable => None,
            _ => self.tls.root_cert_file()?,
        };
        let cannot_connect = |source| {
            let tls = match (self.tls.mode, &root_cert_file) {
                (mode, Some(path)) => {
                    format!(
                        " (sslmode={}, root certificate {})",
                        mode.name(),
                        path.display()
                    )
                }
                (SslMode::Prefer, None) => String::new(),
                (mode, None) => format!(" (sslmode={})", mode.name()),
            };
            Error::database(
                format!("cannot connect to {}{tls}", self.describe()),
                source,
            )
        };
        let client = match self.tls.mode {
            SslMode::Disable => {
                let (client, connection) =
                    self.config.connect(NoTls).await.map_err(cannot_connect)?;
                drive(connection);
                client
            }
            _ => {
                let connector = self.tls.connector(root_cert_file.as_deref())?;
                let (client, connection) = self
                    .config
                    .connect(connector)
                    .await
                    .map_err(cannot_connect)?;
                drive(connection);
                client
            }
        };
        client
            .batch_execute(SESSION_SETUP)
            .await
            .map_err(|source| Error::database("cannot set up the session", source))?;
        Ok(client)
    }
}

/// Runs the connection task; its error also surfaces on the next client call, which
/// reports it with context.
fn drive(connection: impl Future<Output = Result<(), tokio_postgres::Error>> + Send + 'static) {
    tokio::spawn(async move {
        let _ = connection.await;
    });
}

/// Parses a `postgres://` / `postgresql://` URL or a libpq `key=value` string. `sslmode`
/// defaults to `prefer`, as in libpq. Errors never quote the text.
pub fn parse(text: &str) -> Result<Conninfo> {
    let (rest, keys) = conninfo::split(text).map_err(invalid)?;
    let mut config: Config = rest
        .parse()
        .map_err(|error| invalid(&rejected_by_tokio_postgres(&error)))?;
    let mode = match keys.sslmode {
        None => SslMode::Prefer,
        Some(value) => SslMode::parse(&value).ok_or_else(|| {
            invalid("sslmode must be disable, prefer, require, verify-ca or verify-full")
        })?,
    };
    config.ssl_mode(mode.wire_mode());
    Ok(Conninfo {
        config,
        tls: TlsOptions {
            mode,
            root_cert: keys.sslrootcert,
        },
    })
}

/// Parses `text` (see `parse`) and connects.
pub async fn connect(text: &str) -> Result<Client> {
    parse(text)?.connect().await
}

/// The scheme of a `scheme://` URL: `postgres`, or another kind that `parse` refuses.
pub fn url_scheme(text: &str) -> Option<&str> {
    conninfo::scheme(text)
}

fn invalid(reason: &str) -> Error {
    Error::Connection(format!(
        "invalid connection string (its text is not shown: it may hold a password): \
         {reason}\n  hint: write postgres://user:password@host:port/dbname?sslmode=require, \
         or key=value pairs: host=H port=5432 user=U password='a b' dbname=D"
    ))
}

/// tokio-postgres's reason when it only names an option; its other reasons can quote part
/// of the text (an unknown key, an unexpected character), so they are described instead.
fn rejected_by_tokio_postgres(error: &tokio_postgres::Error) -> String {
    let cause = std::error::Error::source(error)
        .map(ToString::to_string)
        .unwrap_or_default();
    match TOKIO_POSTGRES_KEYS
        .iter()
        .find(|key| cause == format!("invalid value for option `{key}`"))
    {
        Some(key) => format!("the value of {key} is invalid"),
        None => format!(
            "it has an unknown key, or a value that needs quoting or percent-encoding; \
             known keys: {}, sslmode, sslrootcert",
            TOKIO_POSTGRES_KEYS.join(", ")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Sup3rS3cret";

    fn describe(text: &str) -> String {
        parse(text).expect("parses").describe()
    }

    #[test]
    fn every_form_describes_the_server_without_the_password() {
        for text in [
            "postgres://app:Sup3rS3cret@db:6432/main",
            "postgresql://app@db:6432/main?password=Sup3rS3cret",
            "postgres://app@db:6432/main?sslmode=require&password=Sup3rS3cret",
            "host=db port=6432 user=app password=Sup3rS3cret dbname=main",
            "host=db port=6432 user=app password='Sup3rS3cret \\' x' dbname=main",
        ] {
            let conninfo = parse(text).expect("parses");
            assert!(conninfo.has_password(), "{text}");
            assert_eq!(conninfo.describe(), "app@db:6432/main", "{text}");
            assert!(!format!("{conninfo:?}").contains(SECRET), "{text}");
        }
        assert_eq!(describe("postgres://h1,h2:5433"), "h1:5432,h2:5433");
        assert_eq!(describe("host=::1 dbname=x"), "[::1]:5432/x");
        assert_eq!(describe("user=u"), "u@(no host)");
    }

    #[test]
    fn malformed_strings_never_echo_their_text() {
        for text in [
            "postgres://app:Sup3rS3cret@db:notaport/main",
            "postgres://app:Sup3r@S3cret@db/main",
            "postgres://app@db/main?password=Sup3rS3cret&Sup3rS3cret=1",
            "postgres://app@db/main?password=Sup3rS3cret&bare",
            "host=db password='Sup3rS3cret",
            "host=db password=Sup3rS3cret Sup3rS3cret=1",
            "host=db password Sup3rS3cret",
            "host=db password=Sup3rS3cret sslmode=Sup3rS3cret",
            "mysql://app:Sup3rS3cret@db/main",
        ] {
            let error = parse(text).expect_err(text).to_string();
            for fragment in ["Sup3r", "S3cret"] {
                assert!(!error.contains(fragment), "{text}: {error}");
            }
            assert!(error.starts_with("invalid connection string"), "{error}");
        }
        let error = parse("postgres://db:99999")
            .expect_err("bad port")
            .to_string();
        assert!(error.contains("the value of port is invalid"), "{error}");
    }

    #[test]
    fn sslmode_is_autogens_and_tokio_postgres_gets_what_it_knows() {
        use tokio_postgres::config::SslMode as WireMode;
        let cases = [
            ("postgres://h/d", SslMode::Prefer, WireMode::Prefer),
            (
                "postgres://h/d?sslmode=disable",
                SslMode::Disable,
                WireMode::Disable,
            ),
            (
                "host=h sslmode=verify-ca",
                SslMode::VerifyCa,
                WireMode::Require,
            ),
            (
                "postgres://h/d?sslmode=require&sslmode=verify-full",
                SslMode::VerifyFull,
                WireMode::Require,
            ),
        ];
        for (text, mode, wire_mode) in cases {
            let conninfo = parse(text).expect("parses");
            assert_eq!(conninfo.ssl_mode(), mode, "{text}");
            assert_eq!(conninfo.config.get_ssl_mode(), wire_mode, "{text}");
        }
        let conninfo = parse("host=h sslrootcert='/a b.pem'").expect("parses");
        assert_eq!(conninfo.tls.root_cert, Some("/a b.pem".into()));
    }
}
