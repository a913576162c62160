//! Serde mirror of privileges: the `grants:` list of an object, the `default_privileges:`
//! section, and `schemas:` as a map (a schema with its grants).

use std::collections::BTreeSet;
use std::fmt;

use serde::de::value::SeqAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::Deserialize;

use super::UniqueKey;

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

/// `[app, audit]`, or `{ app: { grants: [...] }, audit: }`.
#[derive(Debug, Default)]
pub struct Schemas {
    pub entries: Vec<(String, SchemaOptions)>,
    /// Written as a list, so entries are addressed by index in messages.
    pub is_list: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaOptions {
    pub grants: Option<Vec<Grant>>,
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

impl<'de> Deserialize<'de> for Schemas {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(SchemasVisitor)
    }
}

struct SchemasVisitor;

impl<'de> Visitor<'de> for SchemasVisitor {
    type Value = Schemas;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of schema names or a map")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Schemas, A::Error> {
        let names = Vec::<String>::deserialize(SeqAccessDeserializer::new(seq))?;
        Ok(Schemas {
            entries: names
                .into_iter()
                .map(|name| (name, SchemaOptions::default()))
                .collect(),
            is_list: true,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Schemas, A::Error> {
        let mut entries = Vec::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key_seed(UniqueKey(&seen))? {
            // `app:` with no options is fine too.
            let options: Option<SchemaOptions> = map.next_value()?;
            seen.insert(key.clone());
            entries.push((key, options.unwrap_or_default()));
        }
        Ok(Schemas {
            entries,
            is_list: false,
        })
    }
}
