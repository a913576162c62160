//! Keeps `schema/autogen.schema.json` in step with these structs: each struct's `$defs`
//! entry lists exactly its fields, each word enum's entry exactly its variants. A field
//! added here without the schema fails this test.

use std::collections::BTreeSet;

use serde::de::DeserializeOwned;
use serde_json::Value;

use super::exclusion::ExclusionElement;
use super::schemas::SchemaOptions;
use super::types::Attribute;
use super::*;

/// The names serde expects where it meets an unknown one: the fields of a struct (which
/// denies unknown fields) or the variants of a word enum, read from its error message
/// ("unknown field `x`, expected one of `a`, `b`").
fn serde_names<T: DeserializeOwned>(unknown: &str) -> BTreeSet<String> {
    let Err(error) = yaml_serde::from_str::<T>(unknown) else {
        panic!("{unknown:?} was accepted");
    };
    let message = error.to_string();
    assert!(message.starts_with("unknown "), "{message}");
    message
        .split('`')
        .skip(3)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

fn fields<T: DeserializeOwned>() -> BTreeSet<String> {
    serde_names::<T>("autogen_unknown_key: 0")
}

fn variants<T: DeserializeOwned>() -> BTreeSet<String> {
    serde_names::<T>("autogen_unknown_word")
}

/// The keys a `$defs` entry accepts: its object's properties (the map form, beside a short
/// form in `anyOf`), or its enum's words.
fn schema_names(definition: &Value) -> Option<BTreeSet<String>> {
    let words = |values: &Vec<Value>| {
        let words = values.iter().map(|value| value.as_str().map(str::to_owned));
        words.collect::<Option<BTreeSet<String>>>()
    };
    if let Some(values) = definition["enum"].as_array() {
        return words(values);
    }
    let object = match definition["anyOf"].as_array() {
        Some(branches) => branches
            .iter()
            .find(|branch| branch["properties"].is_object())?,
        None => definition,
    };
    Some(object["properties"].as_object()?.keys().cloned().collect())
}

#[test]
fn every_struct_and_word_enum_matches_its_json_schema_definition() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/schema/autogen.schema.json");
    let text = std::fs::read_to_string(path).expect("the JSON Schema");
    let schema: Value = serde_json::from_str(&text).expect("valid JSON");
    let definitions = schema["$defs"].as_object().expect("$defs");

    let raw = [
        ("File", fields::<File>()),
        ("SchemaOptions", fields::<SchemaOptions>()),
        ("Function", fields::<Function>()),
        ("FunctionArgument", fields::<FunctionArgument>()),
        ("FunctionColumn", fields::<FunctionColumn>()),
        ("ArgumentMode", variants::<ArgumentMode>()),
        ("Volatility", variants::<Volatility>()),
        ("Security", variants::<Security>()),
        ("ParallelSafety", variants::<ParallelSafety>()),
        ("StandaloneSequence", fields::<StandaloneSequence>()),
        ("View", fields::<View>()),
        ("CheckOption", variants::<CheckOption>()),
        ("ExtensionOptions", fields::<ExtensionOptions>()),
        ("Enum", fields::<Enum>()),
        ("EnumValue", fields::<EnumValue>()),
        ("Table", fields::<Table>()),
        ("PartitionBy", fields::<PartitionBy>()),
        ("PartitionOf", fields::<PartitionOf>()),
        ("Column", fields::<Column>()),
        ("CompressionMethod", variants::<CompressionMethod>()),
        ("Sequence", fields::<Sequence>()),
        ("Identity", variants::<Identity>()),
        ("PrimaryKey", fields::<PrimaryKey>()),
        ("Unique", fields::<Unique>()),
        ("ForeignKey", fields::<ForeignKey>()),
        ("MatchType", variants::<MatchType>()),
        ("References", fields::<References>()),
        ("ReferentialAction", variants::<ReferentialAction>()),
        ("Check", fields::<Check>()),
        ("Exclusion", fields::<Exclusion>()),
        ("ExclusionElement", fields::<ExclusionElement>()),
        ("Index", fields::<Index>()),
        ("IndexKey", fields::<IndexKey>()),
        ("Order", variants::<Order>()),
        ("Nulls", variants::<Nulls>()),
        ("Trigger", fields::<Trigger>()),
        ("Policy", fields::<Policy>()),
        ("RowLevelSecurity", fields::<RowLevelSecurity>()),
        ("Domain", fields::<Domain>()),
        ("CompositeType", fields::<CompositeType>()),
        ("Attribute", fields::<Attribute>()),
        ("Collation", fields::<Collation>()),
        ("CollationProvider", variants::<CollationProvider>()),
        ("Aggregate", fields::<Aggregate>()),
        ("RangeType", fields::<RangeType>()),
        ("FinalModify", variants::<FinalModify>()),
        ("Grant", fields::<Grant>()),
        ("DefaultPrivileges", fields::<DefaultPrivileges>()),
        ("DefaultObjects", variants::<DefaultObjects>()),
    ];
    for (name, expected) in &raw {
        let definition = definitions
            .get(*name)
            .unwrap_or_else(|| panic!("$defs has no {name}"));
        assert_eq!(
            schema_names(definition).as_ref(),
            Some(expected),
            "$defs/{name}"
        );
    }
    // The other way round: no definition describes a struct that is gone.
    let described: BTreeSet<&str> = definitions
        .iter()
        .filter(|(_, definition)| schema_names(definition).is_some())
        .map(|(name, _)| name.as_str())
        .collect();
    let checked: BTreeSet<&str> = raw.iter().map(|(name, _)| *name).collect();
    assert_eq!(described, checked);
}
