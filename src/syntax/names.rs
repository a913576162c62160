//! Object names in the spec: PostgreSQL's default constraint and index names, and the
//! `schema.name` / `"quoted.name"` syntax of table, enum and type references.
//!
//! Pure string functions; the default names must match what the server picks, byte for byte,
//! so a database built from the file introspects to the same names.

use crate::model::QualifiedName;

/// PostgreSQL's `NAMEDATALEN - 1`: longer identifiers are silently truncated by the server.
pub const MAX_IDENTIFIER_BYTES: usize = 63;

/// `<table>_pkey`
pub fn primary_key_name(table: &str) -> String {
    make_object_name(table, None, "pkey")
}

/// `<table>_<col1>_<col2>_key`
pub fn unique_name(table: &str, columns: &[String]) -> String {
    make_object_name(table, Some(&name_addition(columns)), "key")
}

/// `<table>_<col1>_<col2>_fkey`
pub fn foreign_key_name(table: &str, columns: &[String]) -> String {
    make_object_name(table, Some(&name_addition(columns)), "fkey")
}

/// `<table>_<col1>_<col2>_idx`; PostgreSQL counts `INCLUDE` columns too, after the key columns.
pub fn index_name(table: &str, columns: &[String]) -> String {
    make_object_name(table, Some(&name_addition(columns)), "idx")
}

/// `<table>_<col1>_<col2>_excl`, with `INCLUDE` columns too, as for an index.
pub fn exclusion_name(table: &str, columns: &[String]) -> String {
    make_object_name(table, Some(&name_addition(columns)), "excl")
}

/// Port of `ChooseIndexNameAddition`: column names joined by `_`, cut off once the buffer
/// reaches `NAMEDATALEN` (the rest could never survive `make_object_name` anyway).
fn name_addition(columns: &[String]) -> String {
    let mut addition = String::new();
    for column in columns {
        if !addition.is_empty() {
            addition.push('_');
        }
        addition.push_str(column);
        if addition.len() > MAX_IDENTIFIER_BYTES {
            break;
        }
    }
    addition
}

/// PostgreSQL's name choice: `make(label)`, then `make(label1)`, ... until one is free.
pub fn choose_name(
    taken: impl Fn(&str) -> bool,
    make: impl Fn(&str) -> String,
    label: &str,
) -> String {
    let mut pass = 0;
    loop {
        let modified = match pass {
            0 => label.to_string(),
            _ => format!("{label}{pass}"),
        };
        let candidate = make(&modified);
        if !taken(&candidate) {
            return candidate;
        }
        pass += 1;
    }
}

/// The sequence a `serial` or identity column implies, under PostgreSQL's default name
/// (`<table>_<column>_seq`; a name already taken would get a number, which is not modelled).
pub fn column_sequence_name(table: &QualifiedName, column: &str) -> QualifiedName {
    QualifiedName::new(
        &table.schema,
        make_object_name(&table.name, Some(column), "seq"),
    )
}

/// Port of PostgreSQL's `makeObjectName`: `name1[_name2][_label]` within 63 bytes, shortening
/// the longer of the two names first and never splitting a UTF-8 character.
pub fn make_object_name(name1: &str, name2: Option<&str>, label: &str) -> String {
    let overhead = usize::from(name2.is_some()) + label.len() + 1;
    let available = MAX_IDENTIFIER_BYTES.saturating_sub(overhead);
    let mut name1_bytes = name1.len();
    let mut name2_bytes = name2.map_or(0, str::len);
    while name1_bytes + name2_bytes > available {
        if name1_bytes > name2_bytes {
            name1_bytes -= 1;
        } else {
            name2_bytes -= 1;
        }
    }
    let mut name = clip(name1, name1_bytes).to_owned();
    if let Some(name2) = name2 {
        name.push('_');
        name.push_str(clip(name2, name2_bytes));
    }
    name.push('_');
    name.push_str(label);
    name
}

/// The longest prefix of `text` of at most `max_bytes` bytes that ends on a char boundary
/// (PostgreSQL's `pg_mbcliplen`).
fn clip(text: &str, max_bytes: usize) -> &str {
    let mut end = max_bytes.min(text.len());
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

/// Parses `name`, `schema.name`, `"my.table"` or `"Odd Schema"."Weird ""Table"""`.
///
/// Case is kept exactly; a name without a schema is in `public`. Errors are messages for
/// the caller to place.
pub fn parse_qualified(text: &str) -> Result<QualifiedName, String> {
    if text.is_empty() {
        return Err("name is empty".to_owned());
    }
    let mut parts = Vec::new();
    let mut rest = text;
    loop {
        let (part, after) = if let Some(quoted) = rest.strip_prefix('"') {
            split_quoted(quoted).ok_or_else(|| format!("unterminated quoted name in {text:?}"))?
        } else {
            let end = rest.find(['.', '"']).unwrap_or(rest.len());
            (rest[..end].to_owned(), &rest[end..])
        };
        if part.is_empty() {
            return Err(format!("empty name part in {text:?}"));
        }
        parts.push(part);
        match after.strip_prefix('.') {
            Some(next) => rest = next,
            None if after.is_empty() => break,
            None => return Err(format!("unexpected {after:?} in name {text:?}")),
        }
    }
    match <[String; 2]>::try_from(parts) {
        Ok([schema, name]) => Ok(QualifiedName::new(schema, name)),
        Err(parts) if parts.len() == 1 => Ok(QualifiedName::new("public", parts.concat())),
        Err(_) => Err(format!(
            "too many dots in name {text:?} (quote a name that contains a dot)"
        )),
    }
}

/// Splits `abc""d".rest` (after an opening quote) into `abc"d` and `.rest`.
fn split_quoted(text: &str) -> Option<(String, &str)> {
    let mut part = String::new();
    let mut chars = text.char_indices();
    while let Some((idx, c)) = chars.next() {
        if c != '"' {
            part.push(c);
        } else if text[idx + 1..].starts_with('"') {
            part.push('"');
            chars.next();
        } else {
            return Some((part, &text[idx + 1..]));
        }
    }
    None
}

/// The spec spelling of a name, the inverse of `parse_qualified`: `public` is left out.
pub fn format_qualified(name: &QualifiedName) -> String {
    if name.schema == "public" {
        quote_part(&name.name)
    } else {
        format!("{}.{}", quote_part(&name.schema), quote_part(&name.name))
    }
}

/// Double-quotes a name part unless it is a plain word (quotes are required only around a
/// dot or quote, but `"Odd Schema"` reads better than `Odd Schema`).
fn quote_part(part: &str) -> String {
    if part.is_empty()
        || !part
            .chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '$')
    {
        format!("\"{}\"", part.replace('"', "\"\""))
    } else {
        part.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(names: &[&str]) -> Vec<String> {
        names.iter().map(|name| name.to_string()).collect()
    }

    #[test]
    fn short_default_names() {
        assert_eq!(primary_key_name("students"), "students_pkey");
        assert_eq!(unique_name("t", &strings(&["a", "b"])), "t_a_b_key");
        assert_eq!(
            foreign_key_name("students", &strings(&["department_id"])),
            "students_department_id_fkey"
        );
        assert_eq!(index_name("t", &strings(&["a", "b"])), "t_a_b_idx");
        assert_eq!(primary_key_name("Odd"), "Odd_pkey");
    }

    // Expected values were read back from PostgreSQL 15 after `CREATE TABLE` without names.
    #[test]
    fn truncation_matches_the_server() {
        let long_table = "students_with_a_rather_long_table_name";
        let columns = strings(&[
            "a_fairly_long_column_name_number_one",
            "another_fairly_long_column_name_two",
        ]);
        assert_eq!(
            unique_name(long_table, &columns),
            "students_with_a_rather_long_t_a_fairly_long_column_name_num_key"
        );
        assert_eq!(
            foreign_key_name(long_table, &columns[1..]),
            "students_with_a_rather_long_t_another_fairly_long_column_n_fkey"
        );
        assert_eq!(
            index_name(
                long_table,
                &strings(&["a_fairly_long_column_name_number_one", "id"])
            ),
            "students_with_a_rather_long_t_a_fairly_long_column_name_num_idx"
        );
        let table_63 = "a".repeat(63);
        assert_eq!(
            primary_key_name(&table_63),
            format!("{}_pkey", "a".repeat(58))
        );
    }

    #[test]
    fn truncation_respects_utf8_boundaries() {
        let table = "é".repeat(30);
        assert_eq!(
            unique_name(&table, &["é".repeat(21)]),
            format!("{}_{}_key", "é".repeat(14), "é".repeat(14))
        );
        assert_eq!(
            index_name(&table, &strings(&["Ab", "Cd"])),
            format!("{}_Ab_Cd_idx", "é".repeat(26))
        );
    }

    #[test]
    fn qualified_names() {
        let parse = |text: &str| parse_qualified(text).map(|name| (name.schema, name.name));
        let pair = |schema: &str, name: &str| Ok((schema.to_owned(), name.to_owned()));
        assert_eq!(parse("students"), pair("public", "students"));
        assert_eq!(parse("Students"), pair("public", "Students"));
        assert_eq!(parse("billing.invoices"), pair("billing", "invoices"));
        assert_eq!(parse("\"my.table\""), pair("public", "my.table"));
        assert_eq!(
            parse("\"Odd Schema\".\"Weird \"\"Table\"\"\""),
            pair("Odd Schema", "Weird \"Table\"")
        );
        assert!(parse("a.b.c").is_err());
        assert!(parse("a.").is_err());
        assert!(parse("\"open").is_err());
        assert!(parse("\"a\"b").is_err());
        assert!(parse("").is_err());
    }

    #[test]
    fn format_is_the_inverse_of_parse() {
        for (schema, name) in [
            ("public", "t"),
            ("billing", "x"),
            ("public", "my.table"),
            ("Odd Schema", "Weird \"Table\""),
        ] {
            let qualified = QualifiedName::new(schema, name);
            assert_eq!(
                parse_qualified(&format_qualified(&qualified)),
                Ok(qualified)
            );
        }
        assert_eq!(
            format_qualified(&QualifiedName::new("public", "my.table")),
            "\"my.table\""
        );
    }
}
