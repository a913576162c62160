//! Quoting, in one function per kind, so no other code builds SQL names or literals by hand.
//!
//! Identifiers follow PostgreSQL's own `quote_ident`: bare when lower-case and not a
//! keyword, double-quoted otherwise. That keeps scripts readable and matches the text
//! `format_type` prints, which `type_name` relies on.

use crate::model::QualifiedName;

/// PostgreSQL 15's keywords that `quote_ident` quotes (every category but unreserved),
/// from `SELECT word FROM pg_get_keywords() WHERE catcode <> 'U'`. Sorted for binary search.
const QUOTED_KEYWORDS: &[&str] = &[
    "all",
    "analyse",
    "analyze",
    "and",
    "any",
    "array",
    "as",
    "asc",
    "asymmetric",
    "authorization",
    "between",
    "bigint",
    "binary",
    "bit",
    "boolean",
    "both",
    "case",
    "cast",
    "char",
    "character",
    "check",
    "coalesce",
    "collate",
    "collation",
    "column",
    "concurrently",
    "constraint",
    "create",
    "cross",
    "current_catalog",
    "current_date",
    "current_role",
    "current_schema",
    "current_time",
    "current_timestamp",
    "current_user",
    "dec",
    "decimal",
    "default",
    "deferrable",
    "desc",
    "distinct",
    "do",
    "else",
    "end",
    "except",
    "exists",
    "extract",
    "false",
    "fetch",
    "float",
    "for",
    "foreign",
    "freeze",
    "from",
    "full",
    "grant",
    "greatest",
    "group",
    "grouping",
    "having",
    "ilike",
    "in",
    "initially",
    "inner",
    "inout",
    "int",
    "integer",
    "intersect",
    "interval",
    "into",
    "is",
    "isnull",
    "join",
    "lateral",
    "leading",
    "least",
    "left",
    "like",
    "limit",
    "localtime",
    "localtimestamp",
    "national",
    "natural",
    "nchar",
    "none",
    "normalize",
    "not",
    "notnull",
    "null",
    "nullif",
    "numeric",
    "offset",
    "on",
    "only",
    "or",
    "order",
    "out",
    "outer",
    "overlaps",
    "overlay",
    "placing",
    "position",
    "precision",
    "primary",
    "real",
    "references",
    "returning",
    "right",
    "row",
    "select",
    "session_user",
    "setof",
    "similar",
    "smallint",
    "some",
    "substring",
    "symmetric",
    "table",
    "tablesample",
    "then",
    "time",
    "timestamp",
    "to",
    "trailing",
    "treat",
    "trim",
    "true",
    "union",
    "unique",
    "user",
    "using",
    "values",
    "varchar",
    "variadic",
    "verbose",
    "when",
    "where",
    "window",
    "with",
    "xmlattributes",
    "xmlconcat",
    "xmlelement",
    "xmlexists",
    "xmlforest",
    "xmlnamespaces",
    "xmlparse",
    "xmlpi",
    "xmlroot",
    "xmlserialize",
    "xmltable",
];

/// An identifier as PostgreSQL's `quote_ident` writes it.
pub fn ident(name: &str) -> String {
    let is_plain = name
        .chars()
        .next()
        .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_');
    if is_plain && QUOTED_KEYWORDS.binary_search(&name).is_err() {
        name.to_string()
    } else {
        format!("\"{}\"", name.replace('"', "\"\""))
    }
}

/// A schema-qualified relation or type name, always qualified so that scripts do not
/// depend on the `search_path` they run with.
pub fn qualified(name: &QualifiedName) -> String {
    format!("{}.{}", ident(&name.schema), ident(&name.name))
}

/// A user type as `format_type` prints it with `search_path = public`: unqualified in
/// `public`, qualified elsewhere.
pub fn type_name(name: &QualifiedName) -> String {
    if name.schema == "public" {
        ident(&name.name)
    } else {
        qualified(name)
    }
}

/// A string literal; `standard_conforming_strings` is on in every supported version, so
/// only single quotes need doubling.
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// Text for a `--` comment, escaped so that it cannot end the comment or hide from a
/// reviewer: line breaks, other control characters and the invisible characters that move
/// text around on screen (line separators, bidirectional controls) become `\n`, `\r`, `\t`
/// or `\u{..}`, and backslashes double so that `comment_text_value` reads it back exactly.
pub fn comment_text(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len());
    for character in text.chars() {
        match character {
            '\\' => escaped.push_str("\\\\"),
            '\n' => escaped.push_str("\\n"),
            '\r' => escaped.push_str("\\r"),
            '\t' => escaped.push_str("\\t"),
            _ if is_hidden(character) => {
                escaped.push_str(&format!("\\u{{{:x}}}", u32::from(character)));
            }
            _ => escaped.push(character),
        }
    }
    escaped
}

/// The text `comment_text` escaped. An unknown or malformed escape stays as written, so
/// comments written by hand (or before escaping existed) read as they look.
pub fn comment_text_value(comment: &str) -> String {
    let mut text = String::with_capacity(comment.len());
    let mut rest = comment;
    while let Some(backslash_idx) = rest.find('\\') {
        text.push_str(&rest[..backslash_idx]);
        rest = &rest[backslash_idx..];
        let (character, escape_len) = match rest.as_bytes().get(1) {
            Some(b'\\') => (Some('\\'), 2),
            Some(b'n') => (Some('\n'), 2),
            Some(b'r') => (Some('\r'), 2),
            Some(b't') => (Some('\t'), 2),
            Some(b'u') => match unicode_escape(rest) {
                Some((character, escape_len)) => (Some(character), escape_len),
                None => (None, 1),
            },
            _ => (None, 1),
        };
        text.push(character.unwrap_or('\\'));
        rest = &rest[escape_len..];
    }
    text.push_str(rest);
    text
}

/// `\u{1b}` at the start of `text`: the character and the escape's length.
fn unicode_escape(text: &str) -> Option<(char, usize)> {
    let after_brace = text.strip_prefix("\\u{")?;
    // Six hex digits at most, so a long comment without `}` is not searched to its end.
    let digits_len = after_brace.bytes().take(7).position(|byte| byte == b'}')?;
    let digits = &after_brace[..digits_len];
    if digits.is_empty() || !digits.bytes().all(|byte| byte.is_ascii_hexdigit()) {
        return None;
    }
    let character = char::from_u32(u32::from_str_radix(digits, 16).ok()?)?;
    Some((character, "\\u{".len() + digits_len + 1))
}

/// Characters a reviewer would not see as written: control characters (line breaks
/// included) and Unicode's line separators and bidirectional controls.
fn is_hidden(character: char) -> bool {
    character.is_control()
        || matches!(
            character,
            '\u{061c}'
                | '\u{200e}'
                | '\u{200f}'
                | '\u{2028}'..='\u{202e}'
                | '\u{2066}'..='\u{2069}'
        )
}

/// Comma-separated identifiers, as in a column list.
pub fn ident_list(names: &[String]) -> String {
    names
        .iter()
        .map(|name| ident(name))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keywords_are_sorted_for_binary_search() {
        assert!(QUOTED_KEYWORDS.windows(2).all(|pair| pair[0] < pair[1]));
    }

    #[test]
    fn identifiers_are_quoted_only_when_needed() {
        assert_eq!(ident("students"), "students");
        assert_eq!(ident("_x1"), "_x1");
        assert_eq!(ident("Students"), "\"Students\"");
        assert_eq!(ident("user"), "\"user\"");
        assert_eq!(ident("order"), "\"order\"");
        assert_eq!(ident("name"), "name");
        assert_eq!(ident("a b"), "\"a b\"");
        assert_eq!(ident("say \"hi\""), "\"say \"\"hi\"\"\"");
        assert_eq!(ident("1st"), "\"1st\"");
        assert_eq!(ident("café"), "\"café\"");
        assert_eq!(ident(""), "\"\"");
    }

    #[test]
    fn literals_double_single_quotes() {
        assert_eq!(literal("it's"), "'it''s'");
        assert_eq!(literal(r"back\slash"), r"'back\slash'");
    }

    #[test]
    fn comment_text_cannot_end_the_comment_and_reads_back_exactly() {
        let hostile = "x\nDROP TABLE t;\r-- \u{1b}[2J\u{85}\u{2028}\u{202e}\t\\n\\u{41} é";
        let escaped = comment_text(hostile);
        assert_eq!(
            escaped,
            r"x\nDROP TABLE t;\r-- \u{1b}[2J\u{85}\u{2028}\u{202e}\t\\n\\u{41} é"
        );
        assert!(!escaped.chars().any(is_hidden), "{escaped}");
        assert_eq!(comment_text_value(&escaped), hostile);
        assert_eq!(
            comment_text("add vaccination status"),
            "add vaccination status"
        );
    }

    #[test]
    fn comment_text_value_keeps_what_it_does_not_understand() {
        for written in [
            r"C:\data",
            r"\",
            r"\u{",
            r"\u{zz}",
            r"\u{110000}",
            r"\u{1234567}",
            r"\u{}",
        ] {
            assert_eq!(comment_text_value(written), written);
        }
        assert_eq!(comment_text_value(r"a\u{41}\\b"), r"aA\b");
    }

    #[test]
    fn type_names_are_qualified_outside_public() {
        assert_eq!(type_name(&QualifiedName::new("public", "status")), "status");
        assert_eq!(
            type_name(&QualifiedName::new("billing", "Currency")),
            "billing.\"Currency\""
        );
    }
}
