//! Splits a connection string, a `postgres://` URL or libpq's `key=value` form, into the
//! text tokio-postgres parses and the TLS options autogen handles itself (`sslmode`,
//! `sslrootcert`), which tokio-postgres 0.7 does not know in full.
//!
//! Pure. A connection string may hold a password, so no error here quotes any of its text.

use std::path::PathBuf;

use percent_encoding::percent_decode_str;

/// The keys removed from the text before tokio-postgres sees it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TlsKeys {
    pub sslmode: Option<String>,
    pub sslrootcert: Option<PathBuf>,
}

/// Why a connection string cannot be read; worded without any of its text.
pub type Malformed = &'static str;

/// `text` without its TLS keys, and those keys. The last occurrence of a key wins, as in
/// libpq.
pub fn split(text: &str) -> Result<(String, TlsKeys), Malformed> {
    match scheme(text) {
        Some("postgres" | "postgresql") => split_url(text),
        Some(_) => Err(
            "it is a URL of another kind; autogen connects to PostgreSQL only, \
             with postgres:// or postgresql:// URLs",
        ),
        None => split_key_values(text),
    }
}

/// The scheme of a `scheme://...` URL (RFC 3986 syntax), if `text` is one.
pub fn scheme(text: &str) -> Option<&str> {
    let (scheme, _) = text.split_once("://")?;
    let mut chars = scheme.chars();
    let valid = chars
        .next()
        .is_some_and(|first| first.is_ascii_alphabetic())
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    valid.then_some(scheme)
}

fn split_url(text: &str) -> Result<(String, TlsKeys), Malformed> {
    let after_scheme = text.find("://").map_or(0, |position| position + 3);
    let rest = &text[after_scheme..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    // tokio-postgres takes everything before the first '@' anywhere as user and password,
    // so a stray '@' would turn part of a password into a host or a user name, which
    // messages show.
    if rest[..authority_end].matches('@').count() > 1 || rest[authority_end..].contains('@') {
        return Err(
            "a URL may hold '@' only once, between the password and the host; \
             percent-encode '@', '/' and '?' in a user name, password or parameter (%40, %2F, %3F)",
        );
    }
    let mut keys = TlsKeys::default();
    let Some((base, query)) = text.split_once('?') else {
        return Ok((text.to_string(), keys));
    };
    let mut kept = Vec::new();
    for parameter in query.split('&') {
        let Some((key, value)) = parameter.split_once('=') else {
            return Err("a URL parameter has no '=' (parameters are key=value, joined by '&')");
        };
        match decode(key)?.as_str() {
            "sslmode" => keys.sslmode = Some(decode(value)?),
            "sslrootcert" => keys.sslrootcert = Some(PathBuf::from(decode(value)?)),
            _ => kept.push(parameter),
        }
    }
    let text = match kept.is_empty() {
        true => base.to_string(),
        false => format!("{base}?{}", kept.join("&")),
    };
    Ok((text, keys))
}

fn decode(text: &str) -> Result<String, Malformed> {
    percent_decode_str(text)
        .decode_utf8()
        .map(|decoded| decoded.into_owned())
        .map_err(|_| "a percent-encoded URL part is not UTF-8")
}

/// libpq's `key = value` pairs, re-quoted so tokio-postgres reads the same values.
fn split_key_values(text: &str) -> Result<(String, TlsKeys), Malformed> {
    let mut keys = TlsKeys::default();
    let mut kept = Vec::new();
    for (key, value) in key_values(text)? {
        match key {
            "sslmode" => keys.sslmode = Some(value),
            "sslrootcert" => keys.sslrootcert = Some(PathBuf::from(value)),
            _ => kept.push(format!(
                "{key}='{}'",
                value.replace('\\', "\\\\").replace('\'', "\\'")
            )),
        }
    }
    Ok((kept.join(" "), keys))
}

/// The pairs of a `key=value` connection string, unescaped, with tokio-postgres's (and
/// libpq's) rules: whitespace around '=', values quoted with '' or bare, '\' escapes.
fn key_values(text: &str) -> Result<Vec<(&str, String)>, Malformed> {
    let mut pairs = Vec::new();
    let mut rest = text.trim_start();
    while !rest.is_empty() {
        let key_end = rest
            .find(|c: char| c.is_whitespace() || c == '=')
            .unwrap_or(rest.len());
        let key = &rest[..key_end];
        if key.is_empty() {
            return Err("a value has no key before its '='");
        }
        rest = rest[key_end..].trim_start();
        rest = rest
            .strip_prefix('=')
            .ok_or("expected key=value pairs separated by spaces, or a postgres:// URL")?
            .trim_start();
        let (value, after) = match rest.strip_prefix('\'') {
            Some(quoted) => {
                let (value, after) = unescape(quoted, |c| c == '\'');
                let after = after
                    .strip_prefix('\'')
                    .ok_or("a quoted value has no closing quote")?;
                (value, after)
            }
            None => match unescape(rest, char::is_whitespace) {
                (value, _) if value.is_empty() => {
                    return Err("a key has no value (quote an empty value as '')")
                }
                bare => bare,
            },
        };
        pairs.push((key, value));
        rest = after.trim_start();
    }
    Ok(pairs)
}

/// The text up to the first unescaped `end` character, with '\' escapes removed, and the
/// rest (starting at that character).
fn unescape(text: &str, end: impl Fn(char) -> bool) -> (String, &str) {
    let mut value = String::new();
    let mut chars = text.char_indices();
    while let Some((index, c)) = chars.next() {
        if end(c) {
            return (value, &text[index..]);
        }
        match c {
            '\\' => value.extend(chars.next().map(|(_, escaped)| escaped)),
            _ => value.push(c),
        }
    }
    (value, "")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(sslmode: &str, sslrootcert: &str) -> TlsKeys {
        TlsKeys {
            sslmode: Some(sslmode.into()),
            sslrootcert: Some(sslrootcert.into()),
        }
    }

    #[test]
    fn url_parameters_for_tls_are_taken_out() {
        assert_eq!(
            split("postgres://u:p@h/db?sslmode=verify-ca&connect_timeout=3&sslrootcert=%2Fca.pem"),
            Ok((
                "postgres://u:p@h/db?connect_timeout=3".to_string(),
                keys("verify-ca", "/ca.pem")
            ))
        );
        assert_eq!(
            split("postgresql://h?sslmode=require"),
            Ok((
                "postgresql://h".to_string(),
                TlsKeys {
                    sslmode: Some("require".into()),
                    sslrootcert: None
                }
            ))
        );
        assert_eq!(
            split("postgres://h/db"),
            Ok(("postgres://h/db".to_string(), TlsKeys::default()))
        );
    }

    #[test]
    fn key_values_are_requoted_without_the_tls_keys() {
        assert_eq!(
            split(r"host=h  password = 'a b\'c\\' sslmode=verify-full sslrootcert='/x y.pem' x=\'"),
            Ok((
                r"host='h' password='a b\'c\\' x='\''".to_string(),
                keys("verify-full", "/x y.pem")
            ))
        );
        assert_eq!(split("  "), Ok((String::new(), TlsKeys::default())));
        assert_eq!(
            split("password=''"),
            Ok(("password=''".to_string(), TlsKeys::default()))
        );
    }

    #[test]
    fn malformed_strings_are_refused() {
        for text in [
            "postgres://u:p@ss@h/db",
            "postgres://u:pa/ss@h/db",
            "postgres://h/db?password=a@b",
            "postgres://h/db?password=x&bare",
            "postgres://h/db?sslmode=%FF",
            "mysql://u:p@h/db",
            "host=h password='open",
            "host=h password",
            "host=h =x",
            "host=",
            "schema.yaml",
        ] {
            assert!(split(text).is_err(), "{text}");
        }
    }

    #[test]
    fn schemes_follow_rfc_3986() {
        assert_eq!(scheme("postgres://h"), Some("postgres"));
        assert_eq!(scheme("git+ssh://h"), Some("git+ssh"));
        assert_eq!(scheme("host=h options='-c a=b://'"), None);
        assert_eq!(scheme("schema.yaml"), None);
    }
}
