//! Serde mirror of the `schemas:` section: a list of names, or a map of names to options.

use std::collections::BTreeSet;
use std::fmt;

use serde::de::value::SeqAccessDeserializer;
use serde::de::{MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

use super::{Shorthand, UniqueKey, Wrapped};

/// `[reporting, audit]` or `{ reporting: { comment: ..., grants: [...] }, audit: }`.
#[derive(Debug, Default)]
pub struct Schemas {
    pub entries: Vec<(String, SchemaOptions)>,
    /// Written as a list, so entries are addressed by index in messages.
    pub is_list: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SchemaOptions {
    pub comment: Option<String>,
    pub grants: Option<Vec<super::Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
}

impl Shorthand for SchemaOptions {
    const EXPECTING: &'static str = "a map with comment and grants";
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
        let entries = names
            .into_iter()
            .map(|name| (name, SchemaOptions::default()));
        Ok(Schemas {
            entries: entries.collect(),
            is_list: true,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Schemas, A::Error> {
        let mut entries = Vec::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key_seed(UniqueKey(&seen))? {
            // `reporting:` with no options is fine too.
            let options: Option<Wrapped<SchemaOptions>> = map.next_value()?;
            seen.insert(key.clone());
            entries.push((
                key,
                options.map(|Wrapped(options)| options).unwrap_or_default(),
            ));
        }
        Ok(Schemas {
            entries,
            is_list: false,
        })
    }
}
