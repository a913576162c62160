//! Connecting to PostgreSQL: parse the URL, spawn the connection task, fix session settings.
//!
//! Only this module, `catalog` and `apply` touch the network. URLs are never echoed with
//! their password: `redact` is the one way a URL reaches a message.

use tokio_postgres::{Client, Config, NoTls};

use crate::error::{Error, Result};

/// Session settings every autogen connection uses, so catalog text (`format_type`,
/// `pg_get_expr`) prints the same way on every server and in every run.
const SESSION_SETUP: &str = "SET search_path = public; SET lock_timeout = '10s'; \
     SET client_min_messages = warning";

pub async fn connect(url: &str) -> Result<Client> {
    connect_config(&parse(url)?, &redact(url)).await
}

pub fn parse(url: &str) -> Result<Config> {
    url.parse()
        .map_err(|source| Error::database(format!("invalid database URL {}", redact(url)), source))
}

/// Connects with `config`; `display` names the server in messages (never with a password).
pub async fn connect_config(config: &Config, display: &str) -> Result<Client> {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .map_err(|source| Error::database(format!("cannot connect to {display}"), source))?;
    tokio::spawn(async move {
        // The error also surfaces on the next client call, which reports it with context.
        let _ = connection.await;
    });
    client
        .batch_execute(SESSION_SETUP)
        .await
        .map_err(|source| Error::database("cannot set up the session", source))?;
    Ok(client)
}

/// `postgres://user:secret@host/db` → `postgres://user:***@host/db`.
pub fn redact(url: &str) -> String {
    let Some(scheme_end) = url.find("://") else {
        return url.to_string();
    };
    let rest = &url[scheme_end + 3..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = &rest[..authority_end];
    match (authority.rfind('@'), authority.find(':')) {
        (Some(at), Some(colon)) if colon < at => format!(
            "{}{}:***{}",
            &url[..scheme_end + 3],
            &authority[..colon],
            &rest[at..]
        ),
        _ => url.to_string(),
    }
}

/// True for `postgres://` and `postgresql://` URLs.
pub fn is_url(source: &str) -> bool {
    source.starts_with("postgres://") || source.starts_with("postgresql://")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redact_hides_only_the_password() {
        assert_eq!(
            redact("postgres://app:s3cret@db:5432/main"),
            "postgres://app:***@db:5432/main"
        );
        assert_eq!(
            redact("postgres://postgres@127.0.0.1/x"),
            "postgres://postgres@127.0.0.1/x"
        );
        assert_eq!(redact("postgresql://a:b@h"), "postgresql://a:***@h");
    }
}
