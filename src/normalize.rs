//! Stage 3, normalize: `Schema` → canonical `Schema`, the same function for both sides.
//!
//! Pure. Each rewrite is a named rule: type aliases to `format_type` spelling, enum type
//! references to their quoted form, facts PostgreSQL implies (a primary key or identity
//! column is NOT NULL), collations as bare names. Expressions are canonicalized by the
//! server (see `shadow`), not here.

use std::collections::BTreeSet;

use crate::model::{Function, PrivilegeObject, QualifiedName, Returns, Schema, SequenceOptions};
use crate::sql::quote;

pub fn normalize(mut schema: Schema) -> Schema {
    // Domains and composite types are referenced like enums: quoted as `format_type` does.
    let enum_names: BTreeSet<QualifiedName> = schema
        .enums
        .keys()
        .chain(schema.domains.keys())
        .chain(schema.composite_types.keys())
        .cloned()
        .collect();
    for domain in schema.domains.values_mut() {
        domain.base_type = canonical_type(&domain.base_type, &enum_names);
        domain.collation = domain
            .collation
            .take()
            .and_then(|name| bare_collation(&name));
    }
    for composite in schema.composite_types.values_mut() {
        for attribute in &mut composite.attributes {
            attribute.data_type = canonical_type(&attribute.data_type, &enum_names);
            attribute.collation = attribute
                .collation
                .take()
                .and_then(|name| bare_collation(&name));
        }
    }
    for table in schema.tables.values_mut() {
        let primary_key_columns: Vec<String> = table
            .primary_key
            .as_ref()
            .map(|primary_key| primary_key.columns.clone())
            .unwrap_or_default();
        for column in &mut table.columns {
            column.data_type = canonical_type(&column.data_type, &enum_names);
            if primary_key_columns.contains(&column.name) || column.identity.is_some() {
                column.nullable = false;
            }
            column.collation = column
                .collation
                .take()
                .and_then(|name| bare_collation(&name));
            column.identity_options = match column.identity {
                Some(_) => column.identity_options.without_defaults(&column.data_type),
                None => SequenceOptions::default(),
            };
        }
        for index in table.indexes.values_mut() {
            for key in &mut index.keys {
                key.collation = key.collation.take().and_then(|name| bare_collation(&name));
            }
        }
    }
    for sequence in schema.sequences.values_mut() {
        sequence.data_type = canonical_type(&sequence.data_type, &enum_names);
        sequence.options = sequence.options.without_defaults(&sequence.data_type);
    }
    schema.functions = std::mem::take(&mut schema.functions)
        .into_values()
        .map(|mut function| {
            for argument in &mut function.arguments {
                argument.data_type = function_type(&argument.data_type, &enum_names);
            }
            match &mut function.returns {
                Some(Returns::Type { data_type, .. }) => {
                    *data_type = function_type(data_type, &enum_names);
                }
                Some(Returns::Table(columns)) => {
                    for (_, data_type) in columns {
                        *data_type = function_type(data_type, &enum_names);
                    }
                }
                None => {}
            }
            function.name.argument_types =
                Function::identity_types(&function.arguments, function.procedure);
            (function.name.clone(), function)
        })
        .collect();
    // A routine's privileges name it by its identity, spelled like its key above.
    let privilege_object = |object: PrivilegeObject| match object {
        PrivilegeObject::Function(mut name) => {
            for argument_type in &mut name.argument_types {
                *argument_type = function_type(argument_type, &enum_names);
            }
            PrivilegeObject::Function(name)
        }
        other => other,
    };
    for (object, acl) in std::mem::take(&mut schema.privileges) {
        schema.set_acl(privilege_object(object), acl);
    }
    schema.directives.declared_privileges =
        std::mem::take(&mut schema.directives.declared_privileges)
            .into_iter()
            .map(|(object, grantee)| (privilege_object(object), grantee))
            .collect();
    schema.unmanaged.sort();
    schema
}

/// A type in a function's signature as `format_type(oid, NULL)` prints it: canonical, and
/// without modifiers, which PostgreSQL does not keep there (`varchar(10)` → `character
/// varying`).
pub fn function_type(type_text: &str, enum_names: &BTreeSet<QualifiedName>) -> String {
    let canonical = canonical_type(type_text, enum_names);
    let mut without_modifiers = String::with_capacity(canonical.len());
    let mut depth = 0usize;
    let mut quoted = false;
    for c in canonical.chars() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => {
                depth += 1;
                continue;
            }
            ')' if !quoted && depth > 0 => {
                depth -= 1;
                continue;
            }
            _ => {}
        }
        if depth == 0 {
            without_modifiers.push(c);
        }
    }
    without_modifiers
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// `"C"` → `C`; `"default"` means no explicit collation.
fn bare_collation(name: &str) -> Option<String> {
    let parts = split_qualified(name);
    let bare = match parts.as_slice() {
        [schema, name] if schema == "pg_catalog" => name.clone(),
        [schema, name] => format!("{schema}.{name}"),
        [name] => name.clone(),
        _ => name.to_string(),
    };
    (bare != "default").then_some(bare)
}

/// A type as `format_type` prints it: `int4` → `integer`, `varchar(12)` →
/// `character varying(12)`, an enum → its quoted name, `text[3]` → `text[]`.
pub fn canonical_type(type_text: &str, enum_names: &BTreeSet<QualifiedName>) -> String {
    let mut base = type_text.trim();
    let mut array_dims = 0;
    while let Some(stripped) = base.strip_suffix(']') {
        let Some(open) = stripped.rfind('[') else {
            break;
        };
        base = stripped[..open].trim_end();
        array_dims += 1;
    }
    let canonical_base = enum_reference(base, enum_names).unwrap_or_else(|| builtin_type(base));
    // PostgreSQL does not enforce array dimensions: `integer[][]` is stored as `integer[]`.
    let array = if array_dims > 0 { "[]" } else { "" };
    format!("{canonical_base}{array}")
}

fn enum_reference(base: &str, enum_names: &BTreeSet<QualifiedName>) -> Option<String> {
    let parts = split_qualified(base);
    let name = match parts.as_slice() {
        [name] => QualifiedName::new("public", name.as_str()),
        [schema, name] => QualifiedName::new(schema.as_str(), name.as_str()),
        _ => return None,
    };
    enum_names.contains(&name).then(|| quote::type_name(&name))
}

/// Splits `a.b`, `"A.b"."c"` into exact name parts, honouring double quotes.
fn split_qualified(text: &str) -> Vec<String> {
    let mut parts = vec![String::new()];
    let mut chars = text.chars().peekable();
    let mut quoted = false;
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                if let Some(part) = parts.last_mut() {
                    part.push('"');
                }
            }
            '"' => quoted = !quoted,
            '.' if !quoted => parts.push(String::new()),
            _ => {
                if let Some(part) = parts.last_mut() {
                    part.push(c);
                }
            }
        }
    }
    parts
}

fn builtin_type(base: &str) -> String {
    let lowered = base.to_ascii_lowercase();
    let words: Vec<&str> = lowered.split_whitespace().collect();
    let joined = words.join(" ");
    // Split `name(modifier) suffix` so aliases are matched on the name alone.
    let (name, modifier, suffix) = match (joined.find('('), joined.find(')')) {
        (Some(open), Some(close)) if open < close => (
            joined[..open].trim().to_string(),
            Some(joined[open + 1..close].replace(' ', "")),
            joined[close + 1..].trim().to_string(),
        ),
        _ => (joined.clone(), None, String::new()),
    };
    let with_modifier = |canonical: &str| match &modifier {
        Some(modifier) => format!("{canonical}({modifier})"),
        None => canonical.to_string(),
    };
    let time_zone = |suffix: &str, default_with: bool| -> &'static str {
        match suffix {
            "with time zone" => " with time zone",
            "without time zone" => " without time zone",
            _ if default_with => " with time zone",
            _ => " without time zone",
        }
    };
    match name.as_str() {
        "int" | "int4" | "integer" => "integer".into(),
        "int2" | "smallint" => "smallint".into(),
        "int8" | "bigint" => "bigint".into(),
        "float4" | "real" => "real".into(),
        "float8" | "double precision" => "double precision".into(),
        "float" => match modifier.as_deref().and_then(|p| p.parse::<u32>().ok()) {
            Some(precision) if precision <= 24 => "real".into(),
            _ => "double precision".into(),
        },
        "numeric" | "decimal" => with_modifier("numeric"),
        "varchar" | "character varying" => with_modifier("character varying"),
        "char" | "character" => match &modifier {
            Some(modifier) => format!("character({modifier})"),
            None => "character(1)".into(),
        },
        "bool" | "boolean" => "boolean".into(),
        "varbit" | "bit varying" => with_modifier("bit varying"),
        "bit" => match &modifier {
            Some(modifier) => format!("bit({modifier})"),
            None => "bit(1)".into(),
        },
        "timestamptz" => format!("{}{}", with_modifier("timestamp"), time_zone("", true)),
        "timestamp" => format!(
            "{}{}",
            with_modifier("timestamp"),
            time_zone(&suffix, false)
        ),
        "timetz" => format!("{}{}", with_modifier("time"), time_zone("", true)),
        "time" => format!("{}{}", with_modifier("time"), time_zone(&suffix, false)),
        "serial4" => "serial".into(),
        "serial8" => "bigserial".into(),
        "serial2" => "smallserial".into(),
        "timestamp with time zone" => "timestamp with time zone".into(),
        "timestamp without time zone" => "timestamp without time zone".into(),
        "time with time zone" => "time with time zone".into(),
        "time without time zone" => "time without time zone".into(),
        _ => match modifier {
            Some(modifier) => format!("{name}({modifier}){}", spaced(&suffix)),
            None => joined,
        },
    }
}

fn spaced(suffix: &str) -> String {
    if suffix.is_empty() {
        String::new()
    } else {
        format!(" {suffix}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn canonical(type_text: &str) -> String {
        let enums = BTreeSet::from([
            QualifiedName::new("public", "enrollment_status"),
            QualifiedName::new("billing", "Currency"),
        ]);
        canonical_type(type_text, &enums)
    }

    #[test]
    fn function_types_lose_their_modifiers() {
        let enums = BTreeSet::new();
        assert_eq!(function_type("varchar(10)", &enums), "character varying");
        assert_eq!(function_type("char", &enums), "character");
        assert_eq!(
            function_type("timestamptz(3)", &enums),
            "timestamp with time zone"
        );
        assert_eq!(function_type("numeric(10, 2)[]", &enums), "numeric[]");
    }

    #[test]
    fn type_aliases_become_format_type_spelling() {
        assert_eq!(canonical("int"), "integer");
        assert_eq!(canonical("INT4"), "integer");
        assert_eq!(canonical("int8[]"), "bigint[]");
        assert_eq!(canonical("varchar(12)"), "character varying(12)");
        assert_eq!(canonical("character varying"), "character varying");
        assert_eq!(canonical("numeric(3, 2)"), "numeric(3,2)");
        assert_eq!(canonical("decimal"), "numeric");
        assert_eq!(canonical("timestamptz"), "timestamp with time zone");
        assert_eq!(canonical("timestamptz(3)"), "timestamp(3) with time zone");
        assert_eq!(canonical("timestamp"), "timestamp without time zone");
        assert_eq!(
            canonical("timestamp(6) without time zone"),
            "timestamp(6) without time zone"
        );
        assert_eq!(canonical("timetz"), "time with time zone");
        assert_eq!(canonical("bool"), "boolean");
        assert_eq!(canonical("char"), "character(1)");
        assert_eq!(canonical("float8"), "double precision");
        assert_eq!(canonical("float(10)"), "real");
        assert_eq!(canonical("text[3]"), "text[]");
        assert_eq!(canonical("integer[][]"), "integer[]");
        assert_eq!(canonical("uuid"), "uuid");
        assert_eq!(canonical("serial8"), "bigserial");
    }

    #[test]
    fn enum_references_are_quoted_like_format_type() {
        assert_eq!(canonical("enrollment_status"), "enrollment_status");
        assert_eq!(
            canonical("public.enrollment_status[]"),
            "enrollment_status[]"
        );
        assert_eq!(canonical("billing.Currency"), "billing.\"Currency\"");
        assert_eq!(
            canonical("\"billing\".\"Currency\""),
            "billing.\"Currency\""
        );
    }

    #[test]
    fn collations_are_bare_names() {
        assert_eq!(bare_collation("\"C\""), Some("C".into()));
        assert_eq!(bare_collation("pg_catalog.\"C\""), Some("C".into()));
        assert_eq!(bare_collation("default"), None);
        assert_eq!(bare_collation("\"en-x-icu\""), Some("en-x-icu".into()));
    }
}
