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
    fn type_names_are_qualified_outside_public() {
        assert_eq!(type_name(&QualifiedName::new("public", "status")), "status");
        assert_eq!(
            type_name(&QualifiedName::new("billing", "Currency")),
            "billing.\"Currency\""
        );
    }
}
