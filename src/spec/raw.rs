//! Serde mirror of `schema.yaml`: what the user typed, before names are resolved.
//!
//! Every struct denies unknown fields. Short forms (a column as its type, a key as a column
//! list) go through hand-written visitors rather than untagged enums, so yaml_serde keeps the
//! line and path of every error. Maps keep their order and reject duplicate keys.

use std::collections::BTreeSet;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::{MapAccessDeserializer, SeqAccessDeserializer};
use serde::de::{
    self, DeserializeOwned, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected,
    Visitor,
};
use serde::Deserialize;

mod exclusion;
#[cfg(test)]
mod json_schema;
pub use exclusion::Exclusion;
mod schemas;
pub use schemas::Schemas;
mod partitions;
pub use partitions::{PartitionBy, PartitionOf};
mod triggers;
pub use triggers::{Policy, RowLevelSecurity, Trigger};
mod types;
pub use types::{CompositeType, Domain};
mod privileges;
pub use privileges::{DefaultObjects, DefaultPrivileges, Grant};
mod collations;
pub use collations::{Collation, CollationProvider};
mod aggregates;
pub use aggregates::{Aggregate, FinalModify};
mod ranges;
pub use ranges::RangeType;
mod functions;
pub use functions::{
    ArgumentMode, Function, FunctionArgument, FunctionColumn, ParallelSafety, Security, Volatility,
};

/// The whole file; every section may be missing or null.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct File {
    pub schemas: Option<Schemas>,
    pub extensions: Option<Extensions>,
    pub collations: Option<Ordered<Collation>>,
    pub enums: Option<Ordered<Enum>>,
    pub domains: Option<Ordered<Domain>>,
    pub composite_types: Option<Ordered<CompositeType>>,
    pub range_types: Option<Ordered<RangeType>>,
    pub tables: Option<Ordered<Table>>,
    pub views: Option<Ordered<View>>,
    pub sequences: Option<Ordered<StandaloneSequence>>,
    /// A list, since overloads share a name.
    pub functions: Option<Vec<Function>>,
    /// A list, since overloads share a name.
    pub aggregates: Option<Vec<Aggregate>>,
    pub default_privileges: Option<Vec<DefaultPrivileges>>,
}

/// `{ type: bigint, start: 1000, increment: 1, ..., owned_by: tickets.number }`, or just
/// the type (`bigint`).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StandaloneSequence {
    #[serde(rename = "type")]
    pub data_type: Option<String>,
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cache: Option<i64>,
    #[serde(default)]
    pub cycle: bool,
    /// `table.column` or `schema.table.column`: dropping the column drops the sequence.
    pub owned_by: Option<String>,
    pub comment: Option<String>,
    pub grants: Option<Vec<Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
}

impl Shorthand for StandaloneSequence {
    const EXPECTING: &'static str = "a type name or a sequence map";

    fn from_text(text: &str) -> Option<Self> {
        Some(StandaloneSequence {
            data_type: Some(text.to_owned()),
            ..StandaloneSequence::default()
        })
    }
}

/// A query string, or `{ query: ..., materialized: true, comment: ..., indexes: ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct View {
    pub query: String,
    #[serde(default)]
    pub materialized: bool,
    pub comment: Option<String>,
    pub indexes: Option<Keyed<Index>>,
    /// Options of a plain view.
    #[serde(default)]
    pub security_barrier: bool,
    #[serde(default)]
    pub security_invoker: bool,
    pub check_option: Option<CheckOption>,
    pub triggers: Option<Ordered<Trigger>>,
    /// Comments on the query's columns, by column.
    #[serde(default)]
    pub column_comments: std::collections::BTreeMap<String, String>,
    pub grants: Option<Vec<Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckOption {
    Local,
    Cascaded,
}

/// `[pgcrypto, citext]` or `{ pgcrypto: { schema: extensions, version: "1.3" } }`.
#[derive(Debug, Default)]
pub struct Extensions {
    pub entries: Vec<(String, ExtensionOptions)>,
    /// Written as a list, so entries are addressed by index in messages.
    pub is_list: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExtensionOptions {
    pub schema: Option<String>,
    /// Pins the version: compared, and updated to (`ALTER EXTENSION ... UPDATE TO`).
    pub version: Option<String>,
}

/// `[a, b]` or `{ values: [a, b], comment: ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Enum {
    #[serde(deserialize_with = "shorthand_list")]
    pub values: Vec<EnumValue>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    pub grants: Option<Vec<Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
}

/// A label, or `{ value: shipped, renamed_from: shipping }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnumValue {
    pub value: String,
    pub renamed_from: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Table {
    pub comment: Option<String>,
    pub columns: Option<Ordered<Column>>,
    #[serde(default, deserialize_with = "optional_shorthand")]
    pub primary_key: Option<PrimaryKey>,
    pub unique: Option<Keyed<Unique>>,
    pub foreign_keys: Option<Keyed<ForeignKey>>,
    pub checks: Option<Ordered<Check>>,
    /// Exclusion constraints.
    pub exclude: Option<Keyed<Exclusion>>,
    pub indexes: Option<Keyed<Index>>,
    #[serde(default)]
    pub unlogged: bool,
    /// Storage parameters: `with: { fillfactor: 70 }`.
    #[serde(default)]
    pub with: std::collections::BTreeMap<String, ParameterValue>,
    pub triggers: Option<Ordered<Trigger>>,
    pub policies: Option<Ordered<Policy>>,
    pub row_level_security: Option<RowLevelSecurity>,
    /// The table's previous name: the upgrade renames it instead of dropping it.
    pub renamed_from: Option<String>,
    /// A partitioned table's strategy and key.
    pub partition_by: Option<PartitionBy>,
    /// A partition's parent and bounds.
    pub partition_of: Option<PartitionOf>,
    /// An inheritance child's parents, in order.
    pub inherits: Option<Vec<String>>,
    pub grants: Option<Vec<Grant>>,
    /// The role that owns it (`ALTER ... OWNER TO`); left as it is when missing.
    pub owner: Option<String>,
}

/// A type name, or the full map.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Column {
    #[serde(rename = "type")]
    pub data_type: String,
    pub nullable: Option<bool>,
    /// Any scalar; yaml_serde hands `0` and `false` to a `String` as their text.
    pub default: Option<String>,
    pub identity: Option<Identity>,
    pub generated: Option<String>,
    pub collation: Option<String>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
    /// Fills existing rows when the column is added or becomes NOT NULL.
    pub backfill: Option<String>,
    /// `USING` expression for a change of type.
    pub using: Option<String>,
    /// Options of an identity column's sequence, and the grants on a `serial` or
    /// identity column's sequence.
    pub sequence: Option<Sequence>,
    /// The planner's statistics target (`SET STATISTICS`), 0 to 10000.
    pub statistics: Option<i32>,
    pub compression: Option<CompressionMethod>,
    /// Column privileges.
    pub grants: Option<Vec<Grant>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CompressionMethod {
    Pglz,
    Lz4,
}

/// `{ start: 100, increment: 10, min: 1, max: 1000000, cache: 20, cycle: true }`
#[derive(Debug, Default, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Sequence {
    pub start: Option<i64>,
    pub increment: Option<i64>,
    pub min: Option<i64>,
    pub max: Option<i64>,
    pub cache: Option<i64>,
    #[serde(default)]
    pub cycle: bool,
    pub grants: Option<Vec<Grant>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Identity {
    Always,
    ByDefault,
}

/// A column list, or `{ name: ..., columns: [...] }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PrimaryKey {
    pub name: Option<String>,
    pub columns: Vec<String>,
    #[serde(default)]
    pub include: Vec<String>,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    pub renamed_from: Option<String>,
    pub comment: Option<String>,
}

/// A column list, or the full map.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Unique {
    pub columns: Vec<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(default)]
    pub nulls_not_distinct: bool,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    pub renamed_from: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ForeignKey {
    pub columns: Vec<String>,
    pub references: References,
    pub on_delete: Option<ReferentialAction>,
    pub on_update: Option<ReferentialAction>,
    pub deferrable: Option<bool>,
    pub initially_deferred: Option<bool>,
    #[serde(rename = "match")]
    pub match_type: Option<MatchType>,
    /// `false`: added `NOT VALID`, rows already there are not checked.
    pub valid: Option<bool>,
    pub renamed_from: Option<String>,
    pub comment: Option<String>,
}

/// `simple` (PostgreSQL's default) or `full`; PostgreSQL does not implement `partial`.
#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MatchType {
    Simple,
    Full,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct References {
    pub table: String,
    /// `None` means the referenced table's primary key.
    pub columns: Option<Vec<String>>,
}

#[derive(Debug, Clone, Copy, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferentialAction {
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

/// An expression string, or `{ expression: ..., comment: ... }`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Check {
    pub expression: String,
    /// `false`: added `NOT VALID`, rows already there are not checked.
    pub valid: Option<bool>,
    /// `NO INHERIT`: the check is not passed on to inheritance children.
    #[serde(default)]
    pub no_inherit: bool,
    pub renamed_from: Option<String>,
    pub comment: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Index {
    #[serde(default, deserialize_with = "shorthand_list")]
    pub columns: Vec<IndexKey>,
    /// Expression keys, after the `columns` keys.
    #[serde(default)]
    pub expressions: Vec<String>,
    #[serde(default)]
    pub unique: bool,
    pub using: Option<String>,
    #[serde(default)]
    pub include: Vec<String>,
    #[serde(rename = "where")]
    pub predicate: Option<String>,
    #[serde(default)]
    pub nulls_not_distinct: bool,
    /// Storage parameters: `with: { fillfactor: 70 }`.
    #[serde(default)]
    pub with: std::collections::BTreeMap<String, ParameterValue>,
    pub comment: Option<String>,
    pub renamed_from: Option<String>,
}

/// A storage parameter's value, as YAML writes a scalar.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum ParameterValue {
    Bool(bool),
    Int(i64),
    Float(f64),
    Text(String),
}

impl fmt::Display for ParameterValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParameterValue::Bool(value) => write!(f, "{value}"),
            ParameterValue::Int(value) => write!(f, "{value}"),
            ParameterValue::Float(value) => write!(f, "{value}"),
            ParameterValue::Text(value) => f.write_str(value),
        }
    }
}

/// A column name, or a key map with exactly one of `column` and `expression`.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct IndexKey {
    pub column: Option<String>,
    pub expression: Option<String>,
    pub order: Option<Order>,
    pub nulls: Option<Nulls>,
    pub opclass: Option<String>,
    pub collation: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Order {
    Asc,
    Desc,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Nulls {
    First,
    Last,
}

/// A type written either as a map of its fields or in a short form (a string or a list of
/// strings) that `from_text` / `from_list` expand.
trait Shorthand: DeserializeOwned {
    const EXPECTING: &'static str;
    const ACCEPTS_LIST: bool = false;

    fn from_text(_text: &str) -> Option<Self> {
        None
    }

    fn from_list(_items: Vec<String>) -> Option<Self> {
        None
    }
}

impl Shorthand for View {
    const EXPECTING: &'static str = "a query or a view map";

    fn from_text(text: &str) -> Option<Self> {
        Some(View {
            query: text.to_owned(),
            ..View::default()
        })
    }
}

impl Shorthand for Table {
    const EXPECTING: &'static str = "a table map";
}

impl Shorthand for Column {
    const EXPECTING: &'static str = "a type name or a column map";

    fn from_text(text: &str) -> Option<Self> {
        Some(Column {
            data_type: text.to_owned(),
            ..Column::default()
        })
    }
}

impl Shorthand for Enum {
    const EXPECTING: &'static str = "a list of labels or a map with values";
    const ACCEPTS_LIST: bool = true;

    fn from_list(values: Vec<String>) -> Option<Self> {
        Some(Enum {
            values: values
                .into_iter()
                .map(|value| EnumValue {
                    value,
                    renamed_from: None,
                })
                .collect(),
            comment: None,
            owner: None,
            renamed_from: None,
            grants: None,
        })
    }
}

impl Shorthand for EnumValue {
    const EXPECTING: &'static str = "a label or a map with value";

    fn from_text(text: &str) -> Option<Self> {
        Some(EnumValue {
            value: text.to_owned(),
            renamed_from: None,
        })
    }
}

impl Shorthand for PrimaryKey {
    const EXPECTING: &'static str = "a list of column names or a map with columns";
    const ACCEPTS_LIST: bool = true;

    fn from_list(columns: Vec<String>) -> Option<Self> {
        Some(PrimaryKey {
            columns,
            ..PrimaryKey::default()
        })
    }
}

impl Shorthand for Unique {
    const EXPECTING: &'static str = "a list of column names or a map with columns";
    const ACCEPTS_LIST: bool = true;

    fn from_list(columns: Vec<String>) -> Option<Self> {
        Some(Unique {
            columns,
            ..Unique::default()
        })
    }
}

impl Shorthand for ForeignKey {
    const EXPECTING: &'static str = "a foreign key map";
}

impl Shorthand for Check {
    const EXPECTING: &'static str = "an expression or a map with expression";

    fn from_text(text: &str) -> Option<Self> {
        Some(Check {
            expression: text.to_owned(),
            ..Check::default()
        })
    }
}

impl Shorthand for Index {
    const EXPECTING: &'static str = "an index map";
}

impl Shorthand for IndexKey {
    const EXPECTING: &'static str = "a column name or a key map";

    fn from_text(text: &str) -> Option<Self> {
        Some(IndexKey {
            column: Some(text.to_owned()),
            ..IndexKey::default()
        })
    }
}

impl Shorthand for ExtensionOptions {
    const EXPECTING: &'static str = "a map with schema";
}

struct ShorthandVisitor<T>(PhantomData<T>);

impl<'de, T: Shorthand> Visitor<'de> for ShorthandVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_str<E: de::Error>(self, text: &str) -> Result<T, E> {
        T::from_text(text).ok_or_else(|| E::invalid_type(Unexpected::Str(text), &self))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<T, A::Error> {
        if !T::ACCEPTS_LIST {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        let items = Vec::<String>::deserialize(SeqAccessDeserializer::new(seq))?;
        T::from_list(items).ok_or_else(|| de::Error::invalid_type(Unexpected::Seq, &self))
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::deserialize(MapAccessDeserializer::new(map))
    }
}

struct ShorthandSeed<T>(PhantomData<T>);

impl<'de, T: Shorthand> DeserializeSeed<'de> for ShorthandSeed<T> {
    type Value = T;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        deserializer.deserialize_any(ShorthandVisitor(PhantomData))
    }
}

fn optional_shorthand<'de, D: Deserializer<'de>, T: Shorthand>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    Option::<Wrapped<T>>::deserialize(deserializer)
        .map(|wrapped| wrapped.map(|Wrapped(value)| value))
}

fn shorthand_list<'de, D: Deserializer<'de>, T: Shorthand>(
    deserializer: D,
) -> Result<Vec<T>, D::Error> {
    let items = Vec::<Wrapped<T>>::deserialize(deserializer)?;
    Ok(items.into_iter().map(|Wrapped(value)| value).collect())
}

/// Lets `Option` and `Vec` reach the shorthand visitor for their elements.
struct Wrapped<T>(T);

impl<'de, T: Shorthand> Deserialize<'de> for Wrapped<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        ShorthandSeed(PhantomData)
            .deserialize(deserializer)
            .map(Wrapped)
    }
}

/// A mapping whose key order matters (columns) or is kept for messages; duplicate keys are
/// an error at the second key.
#[derive(Debug)]
pub struct Ordered<T>(pub Vec<(String, T)>);

impl<T> Default for Ordered<T> {
    fn default() -> Self {
        Ordered(Vec::new())
    }
}

impl<'de, T: Shorthand> Deserialize<'de> for Ordered<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let visitor = KeyedVisitor::<T> {
            spec: PhantomData,
            allow_list: false,
        };
        // Without `allow_list` every entry came from a map and has its name.
        let keyed = deserializer.deserialize_map(visitor)?;
        Ok(Ordered(
            keyed
                .0
                .into_iter()
                .filter_map(|(name, value)| Some((name?, value)))
                .collect(),
        ))
    }
}

/// A map `name → spec`, or a list of specs whose names are left to the defaults (`None`).
#[derive(Debug)]
pub struct Keyed<T>(pub Vec<(Option<String>, T)>);

impl<T> Default for Keyed<T> {
    fn default() -> Self {
        Keyed(Vec::new())
    }
}

impl<'de, T: Shorthand> Deserialize<'de> for Keyed<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(KeyedVisitor {
            spec: PhantomData,
            allow_list: true,
        })
    }
}

/// Visits a map, or a list of specs when `allow_list`.
struct KeyedVisitor<T> {
    spec: PhantomData<T>,
    allow_list: bool,
}

impl<'de, T: Shorthand> Visitor<'de> for KeyedVisitor<T> {
    type Value = Keyed<T>;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str(if self.allow_list {
            "a map of names or a list"
        } else {
            "a map"
        })
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Keyed<T>, A::Error> {
        if !self.allow_list {
            return Err(de::Error::invalid_type(Unexpected::Seq, &self));
        }
        let mut entries = Vec::new();
        while let Some(value) = seq.next_element_seed(ShorthandSeed(PhantomData))? {
            entries.push((None, value));
        }
        Ok(Keyed(entries))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Keyed<T>, A::Error> {
        let mut entries = Vec::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key_seed(UniqueKey(&seen))? {
            let value = map.next_value_seed(ShorthandSeed(PhantomData))?;
            seen.insert(key.clone());
            entries.push((Some(key), value));
        }
        Ok(Keyed(entries))
    }
}

impl<'de> Deserialize<'de> for Extensions {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(ExtensionsVisitor)
    }
}

struct ExtensionsVisitor;

impl<'de> Visitor<'de> for ExtensionsVisitor {
    type Value = Extensions;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a list of extension names or a map")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Extensions, A::Error> {
        let names = Vec::<String>::deserialize(SeqAccessDeserializer::new(seq))?;
        let entries = names
            .into_iter()
            .map(|name| (name, ExtensionOptions::default()));
        Ok(Extensions {
            entries: entries.collect(),
            is_list: true,
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Extensions, A::Error> {
        let mut entries = Vec::new();
        let mut seen = BTreeSet::new();
        while let Some(key) = map.next_key_seed(UniqueKey(&seen))? {
            // `pgcrypto:` with no options is fine too.
            let options: Option<Wrapped<ExtensionOptions>> = map.next_value()?;
            seen.insert(key.clone());
            entries.push((
                key,
                options.map(|Wrapped(options)| options).unwrap_or_default(),
            ));
        }
        Ok(Extensions {
            entries,
            is_list: false,
        })
    }
}

/// Deserializes a map key, failing inside the key's own deserialization when it repeats, so
/// yaml_serde reports the position of the second occurrence.
pub(super) struct UniqueKey<'a>(pub(super) &'a BTreeSet<String>);

impl<'de> DeserializeSeed<'de> for UniqueKey<'_> {
    type Value = String;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<String, D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for UniqueKey<'_> {
    type Value = String;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a name")
    }

    fn visit_str<E: de::Error>(self, key: &str) -> Result<String, E> {
        if self.0.contains(key) {
            return Err(E::custom(format!("duplicate key \"{key}\"")));
        }
        Ok(key.to_owned())
    }
}
