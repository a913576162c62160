//! Recognizes column type text: PostgreSQL built-in types and aliases, or an enum of the file.
//!
//! Only answers "is this a type we know"; it never rewrites the text (canonical type names
//! are `normalize`'s job) and knows nothing about extensions (the caller decides).

use std::collections::BTreeSet;

use crate::model::QualifiedName;
use crate::syntax::names::parse_qualified;

/// Built-in type names and aliases, lower case, words separated by one space, without
/// modifiers (`(12)`) or array brackets.
const BUILTIN_TYPES: &[&str] = &[
    // Numbers.
    "smallint",
    "int2",
    "integer",
    "int",
    "int4",
    "bigint",
    "int8",
    "serial",
    "serial4",
    "bigserial",
    "serial8",
    "smallserial",
    "serial2",
    "real",
    "float4",
    "double precision",
    "float8",
    "float",
    "numeric",
    "decimal",
    "dec",
    "money",
    // Text.
    "text",
    "varchar",
    "character varying",
    "char varying",
    "char",
    "character",
    "bpchar",
    "name",
    "nchar",
    "national character",
    "national char",
    "national character varying",
    "national char varying",
    "nchar varying",
    // Binary, boolean, bits.
    "bytea",
    "boolean",
    "bool",
    "bit",
    "bit varying",
    "varbit",
    // Date and time.
    "date",
    "time",
    "time without time zone",
    "time with time zone",
    "timetz",
    "timestamp",
    "timestamp without time zone",
    "timestamp with time zone",
    "timestamptz",
    "interval",
    // Documents, network, text search, identifiers.
    "uuid",
    "json",
    "jsonb",
    "jsonpath",
    "xml",
    "inet",
    "cidr",
    "macaddr",
    "macaddr8",
    "tsvector",
    "tsquery",
    // Geometry.
    "point",
    "line",
    "lseg",
    "box",
    "path",
    "polygon",
    "circle",
    // Ranges and multiranges.
    "int4range",
    "int8range",
    "numrange",
    "tsrange",
    "tstzrange",
    "daterange",
    "int4multirange",
    "int8multirange",
    "nummultirange",
    "tsmultirange",
    "tstzmultirange",
    "datemultirange",
    // System types that are valid column types.
    "pg_lsn",
    "pg_snapshot",
    "txid_snapshot",
    "oid",
    "xid",
    "xid8",
    "cid",
    "tid",
    "regclass",
    "regproc",
    "regprocedure",
    "regoper",
    "regoperator",
    "regtype",
    "regrole",
    "regnamespace",
    "regconfig",
    "regdictionary",
    "regcollation",
    "int2vector",
    "oidvector",
    "aclitem",
    "refcursor",
];

/// True when `text` names a built-in type (any case, with modifiers and array brackets) or one
/// of `enums` (exact name, `public` implied).
pub fn is_known_type(text: &str, enums: &BTreeSet<QualifiedName>) -> bool {
    let base = strip_array_suffixes(text.trim());
    if base.is_empty() {
        return false;
    }
    if parse_qualified(base)
        .is_ok_and(|name| enums.contains(&name) || is_quoted_builtin(&name, base))
    {
        return true;
    }
    let words = base_words(base);
    let words = words.strip_prefix("pg_catalog.").unwrap_or(&words);
    // `interval` may carry fields: `interval day to second`.
    BUILTIN_TYPES.contains(&words) || words.starts_with("interval ")
}

/// `"char"` and `"int4"` are quoted spellings of built-in types (`"char"` is its own type).
fn is_quoted_builtin(name: &QualifiedName, text: &str) -> bool {
    text.contains('"')
        && matches!(name.schema.as_str(), "public" | "pg_catalog")
        && BUILTIN_TYPES.contains(&name.name.as_str())
}

/// Strips `[]`, `[3]` and the SQL-standard `array` / `array[3]` suffixes.
fn strip_array_suffixes(mut text: &str) -> &str {
    loop {
        let lower = text.to_ascii_lowercase();
        if text.ends_with(']') {
            match text.rfind('[') {
                Some(open) => text = text[..open].trim_end(),
                None => return text,
            }
        } else if lower.ends_with(" array") {
            text = text[..text.len() - " array".len()].trim_end();
        } else {
            return text;
        }
    }
}

/// Lower-cased words without parenthesized modifiers: `timestamp(3) WITH time zone` →
/// `timestamp with time zone`.
fn base_words(text: &str) -> String {
    let mut without_modifiers = String::with_capacity(text.len());
    let mut depth = 0usize;
    for c in text.chars() {
        match c {
            '(' => {
                depth += 1;
                without_modifiers.push(' ');
            }
            ')' => depth = depth.saturating_sub(1),
            _ if depth == 0 => without_modifiers.push(c),
            _ => {}
        }
    }
    without_modifiers
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn known(text: &str) -> bool {
        let enums = BTreeSet::from([
            QualifiedName::new("public", "enrollment_status"),
            QualifiedName::new("billing", "currency"),
            QualifiedName::new("public", "my.enum"),
        ]);
        is_known_type(text, &enums)
    }

    #[test]
    fn builtin_types_and_spellings() {
        for text in [
            "integer",
            "INT",
            "varchar(12)",
            "character varying(12)",
            "numeric(3,2)",
            "double precision",
            "timestamp(3) with time zone",
            "time without time zone",
            "bit varying(8)",
            "text[]",
            "integer[][]",
            "int4[3]",
            "text ARRAY",
            "interval day to second(3)",
            "interval(3)",
            "pg_catalog.int4",
            "\"char\"",
            " timestamptz ",
            "serial",
            "float(53)",
            "tstzmultirange",
        ] {
            assert!(known(text), "{text}");
        }
    }

    #[test]
    fn enums_of_the_file() {
        assert!(known("enrollment_status"));
        assert!(known("enrollment_status[]"));
        assert!(known("public.enrollment_status"));
        assert!(known("billing.currency"));
        assert!(known("\"my.enum\""));
        // Names are exact: case is never folded for user types.
        assert!(!known("Enrollment_Status"));
        assert!(!known("currency"));
    }

    #[test]
    fn unknown_types() {
        for text in [
            "",
            "[]",
            "strng",
            "varchar varying",
            "public.text2",
            "\"Text\"",
            "billing.int",
        ] {
            assert!(!known(text), "{text}");
        }
    }
}
