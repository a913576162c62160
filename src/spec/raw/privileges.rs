//! Serde mirror of privileges: the `grants:` list of an object, the `default_privileges:`
//! section (a schema's grants ride on `schemas:`, see `schemas.rs`).

use std::fmt;

use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

/// `{ to: [anon, authenticated], privileges: [SELECT, INSERT], with_grant_option: true }`;
/// `to` may be one role. An empty `privileges` list states that the roles hold none.
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Grant {
    #[serde(deserialize_with = "one_or_more")]
    pub to: Vec<String>,
    /// Privilege keywords (any case), or `ALL`.
    pub privileges: Vec<String>,
    #[serde(default)]
    pub with_grant_option: bool,
}

/// One `ALTER DEFAULT PRIVILEGES FOR ROLE r [IN SCHEMA s] ... ON objects` target and what it
/// grants.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DefaultPrivileges {
    pub for_role: String,
    /// Only objects created in this schema; every schema when missing.
    pub in_schema: Option<String>,
    pub on: DefaultObjects,
    pub grants: Vec<Grant>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DefaultObjects {
    Tables,
    Sequences,
    Functions,
    Types,
    Schemas,
}

/// A string, or a list of strings.
fn one_or_more<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Vec<String>, D::Error> {
    struct OneOrMore;

    impl<'de> Visitor<'de> for OneOrMore {
        type Value = Vec<String>;

        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a role name or a list of role names")
        }

        fn visit_str<E: de::Error>(self, text: &str) -> Result<Vec<String>, E> {
            Ok(vec![text.to_owned()])
        }

        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Vec<String>, A::Error> {
            Vec::<String>::deserialize(SeqAccessDeserializer::new(seq))
        }
    }

    deserializer.deserialize_any(OneOrMore)
}
