//! Connection strings and TLS as a user meets them: a password never reaches any output,
//! whatever the form of the connection string and whichever command gets it; each sslmode
//! encrypts and checks certificates as libpq's does.
//!
//! The TLS tests need the test server to have ssl=on with Debian's snakeoil certificate
//! (CN and DNS name `localhost`), as the local PostgreSQL has.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

use crate::scratch::{self, ScratchDb};

const SECRET: &str = "Pa55w0rdXyzzy";

/// The server's certificate: self-signed, valid for `localhost` only.
const SNAKEOIL: &str = "/etc/ssl/certs/ssl-cert-snakeoil.pem";
/// Debian's bundle of public CAs, none of which signed the snakeoil certificate.
const PUBLIC_CAS: &str = "/etc/ssl/certs/ca-certificates.crt";

static DIRECTORY_COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A temporary directory, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(purpose: &str) -> TempDir {
        let path = std::env::temp_dir().join(format!(
            "autogen-{purpose}-{}-{}",
            std::process::id(),
            DIRECTORY_COUNTER.fetch_add(1, Ordering::Relaxed)
        ));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path).expect("temporary directory");
        TempDir(path)
    }

    fn write(&self, relative: &str, text: &str) {
        let path = self.0.join(relative);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).expect("parent directory");
        }
        std::fs::write(path, text).expect("writes a file");
    }

    fn read(&self, relative: &str) -> String {
        std::fs::read_to_string(self.0.join(relative)).expect("reads a file")
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// What one run of the binary did.
struct Run {
    args: Vec<String>,
    code: Option<i32>,
    stdout: String,
    stderr: String,
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "autogen {:?}: exit {:?}\n--- stdout\n{}--- stderr\n{}",
            self.args, self.code, self.stdout, self.stderr
        )
    }
}

impl Run {
    fn shows_the_secret(&self) -> bool {
        // Either half: a malformed string may be cut in two, as the '@' case is.
        let halves = [&SECRET[..7], &SECRET[7..]];
        [&self.stdout, &self.stderr]
            .iter()
            .any(|output| halves.iter().any(|half| output.contains(half)))
    }
}

/// The binary in `directory`, with no database in its environment unless `database_env`.
fn run(directory: &Path, args: &[&str], database_env: Option<&str>) -> Run {
    let mut command = Command::new(env!("CARGO_BIN_EXE_autogen"));
    command
        .args(args)
        .current_dir(directory)
        .env_remove("DATABASE_URL")
        .env("AUTOGEN_NOW", "2026-11-24T16:00:00Z");
    if let Some(url) = database_env {
        command.env("DATABASE_URL", url);
    }
    let output = command.output().expect("autogen runs");
    Run {
        args: args.iter().map(ToString::to_string).collect(),
        code: output.status.code(),
        stdout: String::from_utf8_lossy(&output.stdout).to_string(),
        stderr: String::from_utf8_lossy(&output.stderr).to_string(),
    }
}

/// Every form a connection string takes, each holding SECRET and none usable: the port
/// refuses connections, or the text is malformed. The flag says whether it parses.
fn connection_strings_with_the_secret() -> Vec<(String, bool)> {
    vec![
        (format!("postgres://app:{SECRET}@127.0.0.1:1/nowhere"), true),
        (
            format!("postgres://app@127.0.0.1:1/nowhere?password={SECRET}"),
            true,
        ),
        (
            format!("postgresql://app@127.0.0.1:1/nowhere?sslmode=disable&password={SECRET}"),
            true,
        ),
        (
            format!("host=127.0.0.1 port=1 user=app password={SECRET} dbname=nowhere"),
            true,
        ),
        (
            format!(r"host=127.0.0.1 port=1 user=app password='{SECRET} \' x' dbname=nowhere"),
            true,
        ),
        (
            format!("postgres://app:{SECRET}@127.0.0.1:notaport/x"),
            false,
        ),
        (
            format!(
                "postgres://app:{}@{}@127.0.0.1/x",
                &SECRET[..7],
                &SECRET[7..]
            ),
            false,
        ),
        (
            format!("postgres://app@127.0.0.1/x?password={SECRET}&{SECRET}=1"),
            false,
        ),
        (format!("host=127.0.0.1 user=app password='{SECRET}"), false),
        (
            format!("host=127.0.0.1 user=app password={SECRET} {SECRET}"),
            false,
        ),
        (format!("host=127.0.0.1 user=app sslmode={SECRET}"), false),
        (format!("mysql://app:{SECRET}@127.0.0.1/x"), false),
    ]
}

/// A project with one revision, written without a database.
fn project() -> TempDir {
    let project = TempDir::new("connection");
    project.write(
        "autogen.toml",
        "database_url_env = \"AUTOGEN_TEST_UNSET_URL\"\n",
    );
    project.write(
        "schema/schema.yaml",
        "tables:\n  t:\n    columns:\n      id: integer\n",
    );
    std::fs::create_dir_all(project.0.join("migrations")).expect("migrations/");
    let migrate = run(&project.0, &["migrate", "-m", "first"], None);
    assert_eq!(migrate.code, Some(0), "{migrate:?}");
    project
}

#[test]
fn no_command_shows_a_password_in_any_form_of_connection_string() {
    let project = project();
    let mut failures = Vec::new();
    for (url, parses) in connection_strings_with_the_secret() {
        let url = url.as_str();
        let with_flag = |args: &[&str]| {
            let mut args = args.to_vec();
            args.extend(["--database-url", url]);
            run(&project.0, &args, None)
        };
        let mut runs = vec![
            (
                run(
                    &project.0,
                    &["diff", "--from", url, "--to", "schema/schema.yaml"],
                    None,
                ),
                2,
            ),
            (
                run(
                    &project.0,
                    &["diff", "--from", "schema/schema.yaml", "--to", url],
                    None,
                ),
                2,
            ),
            (
                run(
                    &project.0,
                    &["diff", "--to", "schema/schema.yaml"],
                    Some(url),
                ),
                2,
            ),
            (
                run(&project.0, &["inspect", "--database-url", url], None),
                2,
            ),
            (run(&project.0, &["inspect"], Some(url)), 2),
            (with_flag(&["migrate", "-m", "second"]), 2),
            (with_flag(&["upgrade"]), 2),
            (with_flag(&["upgrade", "--sql"]), 2),
            (with_flag(&["downgrade"]), 2),
            (with_flag(&["current"]), 2),
            (with_flag(&["history"]), 2),
            (with_flag(&["check"]), 2),
            (with_flag(&["stamp", "head"]), 2),
            (run(&project.0, &["current"], Some(url)), 2),
            (run(&project.0, &["show", "head"], Some(url)), 0),
        ];
        let configured = TempDir::new("connection-config");
        configured.write(
            "autogen.toml",
            &format!("database_url = {}\n", toml_string(url)),
        );
        runs.push((run(&configured.0, &["current"], None), 2));
        let adopting = TempDir::new("connection-init");
        runs.push((run(&adopting.0, &["init", "--from-db", url], None), 2));
        let initialized = TempDir::new("connection-init");
        let init = run(&initialized.0, &["init", "--database-url", url], None);
        if parses {
            let recorded = initialized.read("autogen.toml");
            if recorded.contains(&SECRET[..7])
                || !recorded.contains("\ndatabase_url_env = \"DATABASE_URL\"\n")
            {
                failures.push(format!("init recorded {recorded}\nafter {init:?}"));
            }
            if !init.stderr.contains("export DATABASE_URL=") {
                failures.push(format!(
                    "init does not say to export DATABASE_URL: {init:?}"
                ));
            }
        }
        runs.push((init, if parses { 0 } else { 2 }));
        for (run, expected_code) in runs {
            if run.shows_the_secret() || run.code != Some(expected_code) {
                failures.push(format!(
                    "expected exit {expected_code}, no password: {run:?}"
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

fn toml_string(text: &str) -> String {
    format!("\"{}\"", text.replace('\\', "\\\\").replace('"', "\\\""))
}

#[test]
fn init_records_a_connection_string_without_a_password() {
    for url in [
        "postgres://app@db.example:5433/main?sslmode=verify-full",
        "host=db.example port=5433 user=app dbname=main",
    ] {
        let directory = TempDir::new("connection-init");
        let init = run(&directory.0, &["init", "--database-url", url], None);
        assert_eq!(init.code, Some(0), "{init:?}");
        assert!(
            init.stdout
                .starts_with("created autogen.toml (database app@db.example:5433/main)"),
            "{init:?}"
        );
        let recorded = directory.read("autogen.toml");
        assert!(
            recorded.contains(&format!("\ndatabase_url = {}\n", toml_string(url))),
            "{recorded}"
        );
    }
}

/// `url` with a query parameter added (a later sslmode overrides an earlier one).
fn with_parameter(url: &str, parameter: &str) -> String {
    let separator = if url.contains('?') { '&' } else { '?' };
    format!("{url}{separator}{parameter}")
}

/// Whether the session `url` opens is encrypted, or why it could not be opened.
async fn encrypted(url: &str) -> Result<bool, String> {
    let client = autogen::db::connect(url)
        .await
        .map_err(|error| error.to_string())?;
    let row = client
        .query_one(
            "SELECT ssl FROM pg_catalog.pg_stat_ssl WHERE pid = pg_catalog.pg_backend_pid()",
            &[],
        )
        .await
        .expect("reads pg_stat_ssl");
    Ok(row.get(0))
}

/// Connects as the test expects: encrypted or not, or the reason the server was unusable.
async fn assert_encrypted(url: &str, expected: bool) {
    match encrypted(url).await {
        Ok(ssl) => assert_eq!(ssl, expected, "pg_stat_ssl.ssl for {url}"),
        Err(error) => panic!(
            "cannot connect with {url}: {error}\nthe TLS tests need the test server \
             (TEST_DATABASE_URL, default {}) with ssl=on; database tests never skip",
            scratch::DEFAULT_TEST_DATABASE_URL
        ),
    }
}

async fn assert_refused(url: &str, reason: &str) {
    match encrypted(url).await {
        Ok(ssl) => panic!("{url} connected (ssl {ssl}); expected: {reason}"),
        Err(error) => assert!(error.contains(reason), "{url}: {error}"),
    }
}

#[tokio::test]
async fn prefer_and_require_encrypt_and_disable_does_not() {
    let server = scratch::server_url();
    assert_encrypted(&server, true).await;
    assert_encrypted(&with_parameter(&server, "sslmode=prefer"), true).await;
    assert_encrypted(&with_parameter(&server, "sslmode=require"), true).await;
    assert_encrypted(&with_parameter(&server, "sslmode=disable"), false).await;
}

#[tokio::test]
async fn verify_ca_checks_the_chain_and_verify_full_the_host_name_too() {
    let server = scratch::server_url();
    let snakeoil = format!("sslrootcert={SNAKEOIL}");
    assert!(
        Path::new(PUBLIC_CAS).exists(),
        "the tests need {PUBLIC_CAS} (ca-certificates)"
    );
    let public_cas = format!("sslrootcert={PUBLIC_CAS}");

    let verify_ca = with_parameter(&server, "sslmode=verify-ca");
    assert_encrypted(&with_parameter(&verify_ca, &snakeoil), true).await;
    assert_refused(
        &with_parameter(&verify_ca, &public_cas),
        "invalid peer certificate: UnknownIssuer",
    )
    .await;
    // As in libpq, require with a root certificate checks the chain like verify-ca.
    let require = with_parameter(&server, "sslmode=require");
    assert_encrypted(&with_parameter(&require, &snakeoil), true).await;
    assert_refused(&with_parameter(&require, &public_cas), "UnknownIssuer").await;

    assert!(
        server.contains("@127.0.0.1:"),
        "the TLS tests connect by IP: {server}"
    );
    let verify_full = with_parameter(&server, "sslmode=verify-full");
    assert_refused(
        &with_parameter(&verify_full, &snakeoil),
        "certificate not valid for name \"127.0.0.1\"",
    )
    .await;
    let by_name = verify_full.replacen("@127.0.0.1:", "@localhost:", 1);
    assert_encrypted(&with_parameter(&by_name, &snakeoil), true).await;
}

/// `url` as libpq's key=value pairs (host, port, user, dbname; trust auth needs no password).
fn key_value_form(url: &str, extra: &str) -> String {
    let conninfo = autogen::db::parse(url).expect("the test URL parses");
    let config = &conninfo.config;
    let host = match config.get_hosts().first() {
        Some(tokio_postgres::config::Host::Tcp(host)) => host.clone(),
        other => panic!("the TLS tests need a TCP host, not {other:?}"),
    };
    format!(
        "host={host} port={} user={} dbname={} {extra}",
        config.get_ports().first().unwrap_or(&5432),
        config.get_user().unwrap_or("postgres"),
        config.get_dbname().unwrap_or("postgres"),
    )
}

#[tokio::test]
async fn key_value_strings_take_the_same_tls_options() {
    let server = scratch::server_url();
    let verify_ca = key_value_form(
        &server,
        &format!("sslmode=verify-ca sslrootcert='{SNAKEOIL}'"),
    );
    assert_encrypted(&verify_ca, true).await;
    assert_encrypted(&key_value_form(&server, "sslmode=disable"), false).await;
    assert_refused(
        &key_value_form(
            &server,
            &format!("sslmode=verify-full sslrootcert={SNAKEOIL}"),
        ),
        "certificate not valid for name",
    )
    .await;
}

#[tokio::test]
async fn verify_modes_default_to_the_root_certificate_in_home() {
    let database = ScratchDb::create("autogen_tls").await;
    let home = TempDir::new("connection-home");
    let inspect = |mode: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_autogen"));
        let url = with_parameter(&database.url, &format!("sslmode={mode}"));
        command
            .args(["inspect", "--database-url", &url])
            .env("HOME", &home.0);
        let output = command.output().expect("autogen runs");
        Run {
            args: vec![url],
            code: output.status.code(),
            stdout: String::from_utf8_lossy(&output.stdout).to_string(),
            stderr: String::from_utf8_lossy(&output.stderr).to_string(),
        }
    };
    let missing = inspect("verify-full");
    assert_eq!(missing.code, Some(2), "{missing:?}");
    assert!(
        missing
            .stderr
            .contains(".postgresql/root.crt does not exist, and sslmode=verify-full needs one"),
        "{missing:?}"
    );
    let plain_require = inspect("require");
    assert_eq!(plain_require.code, Some(0), "{plain_require:?}");

    home.write(
        ".postgresql/root.crt",
        &std::fs::read_to_string(SNAKEOIL).expect("snakeoil"),
    );
    let verified = inspect("verify-ca");
    assert_eq!(verified.code, Some(0), "{verified:?}");

    home.write(
        ".postgresql/root.crt",
        &std::fs::read_to_string(PUBLIC_CAS).expect("CAs"),
    );
    let checked_require = inspect("require");
    assert_eq!(checked_require.code, Some(2), "{checked_require:?}");
    assert!(
        checked_require.stderr.contains("UnknownIssuer"),
        "{checked_require:?}"
    );
}

#[tokio::test]
async fn shadow_databases_keep_the_tls_settings() {
    let database = ScratchDb::create("autogen_tls").await;
    let example = format!("{}/schema/schema.yaml", env!("CARGO_MANIFEST_DIR"));
    let directory = TempDir::new("connection-shadow");
    let verify_ca = format!("sslmode=verify-ca&sslrootcert={SNAKEOIL}");
    for from in [
        with_parameter(&database.url, &verify_ca),
        key_value_form(&database.url, &verify_ca.replace('&', " ")),
    ] {
        let diff = run(
            &directory.0,
            &["diff", "--from", &from, "--to", &example],
            None,
        );
        assert_eq!(diff.code, Some(0), "{diff:?}");
        assert!(
            diff.stdout.contains("CREATE TABLE public.students"),
            "{diff:?}"
        );
    }
}
