//! Checks on text from schema files, revisions and settings, which `autogen check` reads from
//! pull requests and so treats as untrusted.
//!
//! A leaf module shared by `spec`, `ddl` and `config`: every SQL fragment a file supplies is
//! parsed (sqlparser) as exactly one fragment of its kind before any stage uses it, names carry
//! no control characters, and system schemas are never managed. Pure; never touches SQL output.

use sqlparser::ast::SetExpr;
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::{Parser, ParserError};
use sqlparser::tokenizer::{Token, Tokenizer, Whitespace};

/// What a piece of SQL text from a file must be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fragment {
    /// A default, check, generated column, index key or predicate, backfill, `USING` cast.
    Expression,
    /// A view's query.
    Query,
    /// A column's or sequence's type.
    TypeName,
    /// An index key's operator class, `name` or `schema.name`, with optional parameters.
    OperatorClass,
}

impl Fragment {
    fn noun(self) -> &'static str {
        match self {
            Fragment::Expression => "one SQL expression",
            Fragment::Query => "one query",
            Fragment::TypeName => "one type name",
            Fragment::OperatorClass => "one operator class name",
        }
    }
}

/// Deeper nesting than any real schema uses; sqlparser's own limit (50) is lower for
/// expressions, this bounds the token scan before it.
const MAX_NESTING: usize = 256;

/// Returns `text` checked to be exactly one fragment of `kind`, trimmed and with its comments
/// removed (PostgreSQL keeps none, and a `--` comment would swallow what autogen writes after
/// the fragment). The error says what is wrong, for the caller to locate.
pub fn fragment(kind: Fragment, text: &str) -> Result<String, String> {
    if let Some(character) = text.chars().find(|character| is_bidi_control(*character)) {
        return Err(format!(
            "is not {}: it contains the invisible bidirectional control {}, which makes \
             reviewed SQL read differently from what runs",
            kind.noun(),
            character.escape_unicode()
        ));
    }
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|error| format!("is not {}: {error}", kind.noun()))?;
    let starts = crate::syntax::statements::token_starts(text, &tokens);
    let mut cleaned = String::with_capacity(text.len());
    // What sqlparser reads: `cleaned` less the spellings it lacks (postfix COLLATE, ISNULL),
    // which cannot end a fragment either.
    let mut parsed = String::with_capacity(text.len());
    let mut collation = CollationName::None;
    let mut depth = 0usize;
    let mut previous_words: [Option<String>; 2] = [None, None];
    for (token_idx, token) in tokens.iter().enumerate() {
        let end = starts.get(token_idx + 1).copied().unwrap_or(text.len());
        let source = &text[starts[token_idx]..end];
        match &token.token {
            Token::SemiColon => {
                return Err(format!(
                    "is not {}: `;` would end the statement (line {} of the text)",
                    kind.noun(),
                    token.span.start.line
                ))
            }
            Token::Whitespace(Whitespace::SingleLineComment { .. })
            | Token::Whitespace(Whitespace::MultiLineComment(_)) => {
                cleaned.push(' ');
                parsed.push(' ');
                continue;
            }
            Token::LParen | Token::LBracket => depth += 1,
            Token::RParen | Token::RBracket => {
                depth = depth.checked_sub(1).ok_or_else(|| {
                    format!(
                        "is not {}: `{}` closes a parenthesis it did not open",
                        kind.noun(),
                        token.token
                    )
                })?;
            }
            _ => {}
        }
        if depth > MAX_NESTING {
            return Err(format!(
                "is not {}: nested deeper than {MAX_NESTING} levels",
                kind.noun()
            ));
        }
        if let Token::Word(word) = &token.token {
            let word = word.value.to_ascii_uppercase();
            // sqlparser reads `x NOT NULL` as `x IS NOT NULL`; PostgreSQL reads it as a
            // column constraint after a default, so it must not pass as an expression.
            let after_is = previous_words[0].as_deref() == Some("IS");
            if word == "NULL" && previous_words[1].as_deref() == Some("NOT") && !after_is {
                return Err(format!(
                    "is not {}: `NOT NULL` is not an expression (write `IS NOT NULL`)",
                    kind.noun()
                ));
            }
            previous_words = [previous_words[1].take(), Some(word)];
        } else if !matches!(token.token, Token::Whitespace(_)) {
            previous_words = [None, None];
        }
        cleaned.push_str(source);
        let (hidden, next) = collation.step(&token.token);
        collation = next;
        match &token.token {
            _ if hidden => parsed.push(' '),
            Token::Word(word) if word.quote_style.is_none() => {
                match word.value.to_ascii_uppercase().as_str() {
                    "ISNULL" => parsed.push_str(" IS NULL "),
                    "NOTNULL" => parsed.push_str(" IS NOT NULL "),
                    // The standard's `integer ARRAY` and `integer ARRAY[4]`.
                    "ARRAY" if kind == Fragment::TypeName => {
                        let next = tokens[token_idx + 1..]
                            .iter()
                            .find(|next| !matches!(next.token, Token::Whitespace(_)));
                        match next.map(|next| &next.token) {
                            Some(Token::LBracket) => parsed.push(' '),
                            _ => parsed.push_str(" [] "),
                        }
                    }
                    _ => parsed.push_str(source),
                }
            }
            _ => parsed.push_str(source),
        }
    }
    let cleaned = cleaned.trim().to_string();
    if cleaned.is_empty() {
        return Err(format!("is empty; expected {}", kind.noun()));
    }
    parse_with_typed_literals(kind, parsed)
        .map_err(|error| format!("is not {}: {}", kind.noun(), describe(error)))?;
    Ok(cleaned)
}

/// Where a token stands in a `COLLATE schema.name` clause, which sqlparser cannot read after
/// a cast.
#[derive(Clone, Copy)]
enum CollationName {
    None,
    /// After `COLLATE` or a `.`: a name part comes next.
    Expecting,
    /// After a name part: a `.` may follow.
    Part,
}

impl CollationName {
    /// Whether `token` belongs to the clause, and the state after it.
    fn step(self, token: &Token) -> (bool, CollationName) {
        match (self, token) {
            (_, Token::Whitespace(_)) => (false, self),
            (CollationName::Expecting, Token::Word(_)) => (true, CollationName::Part),
            (CollationName::Part, Token::Period) => (true, CollationName::Expecting),
            (_, Token::Word(word))
                if word.quote_style.is_none() && word.value.eq_ignore_ascii_case("COLLATE") =>
            {
                (true, CollationName::Expecting)
            }
            _ => (false, CollationName::None),
        }
    }
}

/// More typed literals than any expression holds.
const MAX_TYPED_LITERALS: usize = 16;

/// `parse`, reading PostgreSQL's `type 'literal'` (any type; sqlparser knows the form for a
/// few built-in types only, not `money '1.00'`) as the bare literal. Hiding a word never lets
/// a fragment end early, and the checked text keeps it.
fn parse_with_typed_literals(kind: Fragment, mut text: String) -> Result<(), ParserError> {
    for _ in 0..MAX_TYPED_LITERALS {
        let error = match parse(kind, &text) {
            Ok(()) => return Ok(()),
            Err(error) => error,
        };
        match type_before_literal(&text, &error) {
            Some(range) => {
                let blank = " ".repeat(range.len());
                text.replace_range(range, &blank);
            }
            None => return Err(error),
        }
    }
    parse(kind, &text)
}

/// The byte range of the word just before the string literal `error` stopped at, if it did.
fn type_before_literal(text: &str, error: &ParserError) -> Option<std::ops::Range<usize>> {
    let ParserError::ParserError(message) = error else {
        return None;
    };
    // sqlparser ends its messages with the position: `... at Line: 1, Column: 7`.
    let (_, position) = message.rsplit_once(" at Line: ")?;
    let (line, column) = position.split_once(", Column: ")?;
    let (line, column): (u64, u64) = (line.parse().ok()?, column.trim().parse().ok()?);
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .ok()?;
    let literal_idx = tokens
        .iter()
        .position(|token| token.span.start.line == line && token.span.start.column == column)?;
    if !matches!(tokens[literal_idx].token, Token::SingleQuotedString(_)) {
        return None;
    }
    let word_idx = (0..literal_idx)
        .rev()
        .find(|&token_idx| !matches!(tokens[token_idx].token, Token::Whitespace(_)))?;
    let starts = crate::syntax::statements::token_starts(text, &tokens);
    match tokens[word_idx].token {
        Token::Word(_) => Some(starts[word_idx]..starts[word_idx + 1]),
        _ => None,
    }
}

fn parse(kind: Fragment, text: &str) -> Result<(), ParserError> {
    let dialect = PostgreSqlDialect {};
    let mut parser = Parser::new(&dialect).try_with_sql(text)?;
    match kind {
        Fragment::Expression => drop(parser.parse_expr()?),
        Fragment::Query => {
            let query = parser.parse_query()?;
            // sqlparser also reads INSERT, UPDATE, DELETE and MERGE as a query body.
            if !matches!(
                *query.body,
                SetExpr::Select(_)
                    | SetExpr::Query(_)
                    | SetExpr::SetOperation { .. }
                    | SetExpr::Values(_)
                    | SetExpr::Table(_)
            ) {
                return Err(ParserError::ParserError(
                    "a view reads data; it cannot change it".to_string(),
                ));
            }
        }
        Fragment::TypeName => drop(parser.parse_data_type()?),
        Fragment::OperatorClass => {
            parser.parse_object_name(false)?;
            if parser.consume_token(&Token::LParen) {
                parser.parse_comma_separated(|parser| {
                    parser.parse_identifier()?;
                    parser.expect_token(&Token::Eq)?;
                    parser.parse_expr()
                })?;
                parser.expect_token(&Token::RParen)?;
            }
        }
    }
    parser.expect_token(&Token::EOF).map(drop)
}

/// sqlparser's message without its `sql parser error: ` prefix.
fn describe(error: ParserError) -> String {
    match error {
        ParserError::TokenizerError(message) | ParserError::ParserError(message) => message,
        ParserError::RecursionLimitExceeded => "nested too deeply".to_string(),
    }
}

/// A name PostgreSQL would store with a control character (newline, carriage return, NUL,
/// ...) or a bidirectional control is refused: nobody means one, and it would end a line of
/// a reviewed script or reorder what the reviewer sees ("Trojan Source").
pub fn name(name: &str) -> Result<(), String> {
    let refused = |character: &char| character.is_control() || is_bidi_control(*character);
    match name.chars().find(refused) {
        Some(character) => Err(format!(
            "name \"{}\" contains the {} {}; names must be printable",
            printable(name),
            match character.is_control() {
                true => "control character",
                false => "bidirectional control",
            },
            character.escape_unicode()
        )),
        None => Ok(()),
    }
}

/// `text` with control and bidirectional characters escaped (`\n`, `\u{202e}`), for messages
/// that must stay on one line and read as they are.
pub fn printable(text: &str) -> String {
    text.chars()
        .map(
            |character| match character.is_control() || is_bidi_control(character) {
                true => character.escape_default().to_string(),
                false => character.to_string(),
            },
        )
        .collect()
}

/// The characters of an operator's name (PostgreSQL's `NAMEDATALEN` caps it at 63 bytes).
const OPERATOR_CHARACTERS: &str = "+-*/<>=~!@#%^&|`?";

/// Returns an operator as an exclusion constraint names it, checked: a symbol (`=`, `&&`)
/// or `OPERATOR(schema.symbol)`, as `pg_get_constraintdef` prints one not on the search path.
/// A symbol never holds `--` or `/*`, which would start a comment.
pub fn operator(text: &str) -> Result<String, String> {
    let text = text.trim();
    let is_symbol = |symbol: &str| {
        !symbol.is_empty()
            && symbol.len() < 64
            && symbol
                .chars()
                .all(|character| OPERATOR_CHARACTERS.contains(character))
            && !symbol.contains("--")
            && !symbol.contains("/*")
    };
    if is_symbol(text) {
        return Ok(text.to_string());
    }
    let qualified = text
        .get(.."OPERATOR(".len())
        .filter(|prefix| prefix.eq_ignore_ascii_case("OPERATOR("))
        .and_then(|_| text["OPERATOR(".len()..].strip_suffix(')'))
        .and_then(|inner| inner.trim().rsplit_once('.'));
    match qualified {
        Some((schema, symbol)) if is_symbol(symbol) && is_plain_or_quoted_name(schema) => {
            Ok(format!("OPERATOR({schema}.{symbol})"))
        }
        _ => Err(format!(
            "is not one operator (a symbol such as `&&`, or `OPERATOR(schema.symbol)`): {}",
            printable(text)
        )),
    }
}

/// `name` (lower case letters, digits, `_`, `$`) or `"any name"` without inner quotes.
fn is_plain_or_quoted_name(text: &str) -> bool {
    let plain = text
        .starts_with(|character: char| character.is_ascii_lowercase() || character == '_')
        && text.chars().all(|character| {
            character.is_ascii_lowercase() || character.is_ascii_digit() || "_$".contains(character)
        });
    let quoted = text.len() > 2
        && text.starts_with('"')
        && text.ends_with('"')
        && !text[1..text.len() - 1].contains('"')
        && name(text).is_ok();
    plain || quoted
}

/// Returns a SQL-standard function body checked to be `RETURN <one expression>` or
/// `BEGIN ATOMIC ... END` that stays one statement wherever it is written: no comments
/// (PostgreSQL keeps none, and `--` would swallow what follows), no bidirectional controls,
/// and nothing after its `END`.
pub fn sql_body(text: &str) -> Result<String, String> {
    const NOUN: &str = "a SQL-standard body (`RETURN ...` or `BEGIN ATOMIC ... END`)";
    if text.chars().any(is_bidi_control) {
        return Err(format!(
            "is not {NOUN}: it contains an invisible bidirectional control"
        ));
    }
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize()
        .map_err(|error| format!("is not {NOUN}: {error}"))?;
    if tokens.iter().any(|token| {
        matches!(
            token,
            Token::Whitespace(Whitespace::SingleLineComment { .. })
                | Token::Whitespace(Whitespace::MultiLineComment(_))
        )
    }) {
        return Err(format!("is not {NOUN}: it holds a comment"));
    }
    let words: Vec<String> = tokens
        .iter()
        .filter(|token| !matches!(token, Token::Whitespace(_)))
        .map(|token| match token {
            Token::Word(word) if word.quote_style.is_none() => word.value.to_ascii_uppercase(),
            other => other.to_string(),
        })
        .collect();
    let trimmed = text.trim();
    match words.first().map(String::as_str) {
        Some("RETURN") => {
            // The text starts with the word, unless something the tokenizer skips but
            // `trim` keeps comes first.
            let expression = trimmed
                .get(..6)
                .filter(|word| word.eq_ignore_ascii_case("RETURN"))
                .and_then(|_| trimmed.get(6..))
                .ok_or_else(|| format!("is not {NOUN}"))?;
            let expression = fragment(Fragment::Expression, expression)?;
            Ok(format!("RETURN {expression}"))
        }
        Some("BEGIN")
            if words.get(1).map(String::as_str) == Some("ATOMIC")
                && words.last().map(String::as_str) == Some("END") =>
        {
            let statement = format!("CREATE FUNCTION f() {trimmed}");
            let statements = crate::syntax::statements::split_statements(
                &statement,
                std::path::Path::new("body"),
            )
            .map_err(|error| format!("is not {NOUN}: {error}"))?;
            match statements.as_slice() {
                [only] if only.sql == statement => Ok(trimmed.to_string()),
                _ => Err(format!("is not {NOUN}: its END closes it early")),
            }
        }
        _ => Err(format!("is not {NOUN}")),
    }
}

/// A run-time setting's name as `pg_proc.proconfig` stores it: words, dotted for a
/// module's settings (`plpgsql.variable_conflict`), in lower case but for three built-ins.
pub fn setting_name(name: &str) -> Result<String, String> {
    let lowered = name.trim().to_ascii_lowercase();
    let is_word = |part: &str| {
        part.chars()
            .next()
            .is_some_and(|first| first.is_ascii_lowercase() || first == '_')
            && part
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '$')
    };
    if lowered.is_empty() || !lowered.split('.').all(is_word) {
        return Err(format!("{name:?} is not a setting name"));
    }
    // The only built-in settings whose names `proconfig` keeps in mixed case.
    Ok(match lowered.as_str() {
        "datestyle" => "DateStyle".to_string(),
        "intervalstyle" => "IntervalStyle".to_string(),
        "timezone" => "TimeZone".to_string(),
        _ => lowered,
    })
}

/// Unicode's explicit bidirectional formatting characters.
fn is_bidi_control(character: char) -> bool {
    matches!(character, '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The bookkeeping schema of `runner`.
pub const BOOKKEEPING_SCHEMA: &str = "autogen";

/// Schemas that belong to PostgreSQL or to autogen itself and are never managed.
pub fn is_system_schema(name: &str) -> bool {
    // PostgreSQL reserves every `pg_` name: pg_catalog, pg_toast, pg_temp_N, ...
    name.starts_with("pg_") || name == "information_schema" || name == BOOKKEEPING_SCHEMA
}

/// An error when `name` is a schema autogen must never create, alter or drop objects in.
pub fn managed_schema(name: &str) -> Result<(), String> {
    match is_system_schema(name) {
        true if name == BOOKKEEPING_SCHEMA => Err(format!(
            "schema \"{name}\" holds autogen's own bookkeeping and cannot be managed"
        )),
        true => Err(format!(
            "schema \"{name}\" belongs to PostgreSQL and cannot be managed"
        )),
        false => Ok(()),
    }
}

#[cfg(test)]
mod tests {

    #[test]
    fn sql_bodies_stay_one_statement() {
        assert_eq!(sql_body(" return a + 1 ").as_deref(), Ok("RETURN a + 1"));
        let atomic = "BEGIN ATOMIC SELECT CASE WHEN a THEN 1 END; SELECT 2; END";
        assert_eq!(sql_body(atomic).as_deref(), Ok(atomic));
        for hostile in [
            "RETURN 1; DROP TABLE t",
            "BEGIN ATOMIC SELECT 1; END; DROP TABLE t; BEGIN ATOMIC SELECT 2; END",
            "RETURN 1 --",
            "SELECT 1",
            "\u{2003}\u{2003}RETURN 1",
            "RETURN",
        ] {
            assert!(sql_body(hostile).is_err(), "{hostile:?}");
        }
    }

    #[test]
    fn setting_names_are_words() {
        assert_eq!(setting_name("Search_Path").as_deref(), Ok("search_path"));
        assert_eq!(setting_name("timezone").as_deref(), Ok("TimeZone"));
        assert!(setting_name("plpgsql.variable_conflict").is_ok());
        assert!(setting_name("a = 1; DROP TABLE t").is_err());
    }

    use super::*;

    fn accepts(kind: Fragment, text: &str) {
        if let Err(message) = fragment(kind, text) {
            panic!("{text:?} was refused: {message}");
        }
    }

    fn refuses(kind: Fragment, text: &str) -> String {
        match fragment(kind, text) {
            Ok(cleaned) => panic!("{text:?} was accepted as {cleaned:?}"),
            Err(message) => message,
        }
    }

    #[test]
    fn postgresql_expressions_are_accepted() {
        for text in [
            "now()",
            "CURRENT_TIMESTAMP",
            "'x'::text",
            "nextval('public.s'::regclass)",
            "ARRAY['a', 'b']::text[]",
            "'{}'::jsonb",
            "lower((name)::text)",
            "data ->> 'k'",
            "data @> '{\"a\": 1}'",
            "tsv @@ to_tsquery('x')",
            "interval '1 day'",
            "a IS DISTINCT FROM b",
            "EXTRACT(year FROM d)",
            "x ~* '^[a-z]'",
            "x !~ 'a'",
            "char_length(x) <= 10",
            "CASE WHEN a > 0 THEN 'p' ELSE 'n' END",
            "COALESCE(a, 0) + 1",
            "gen_random_uuid()",
            "timezone('utc'::text, now())",
            "(a)::text COLLATE \"C\"",
            "a[1] > 0",
            "status = ANY (ARRAY['a'::text, 'b'::text])",
            "b BETWEEN 1 AND 10",
            "E'line\\n'",
            "price * (1 - discount / 100.0)",
            "(status)::text <> 'x'::text",
            "NOT (a AND b)",
            "x IS NOT NULL",
            "date_trunc('day', ts AT TIME ZONE 'UTC')",
            "(a)::text COLLATE \"C\"",
            "lower(a) COLLATE pg_catalog.\"default\" > 'a'",
            "a ISNULL OR b NOTNULL",
            "money '1.999'",
            "price > double precision '1.5' AND p <> point '(1,2)'",
        ] {
            accepts(Fragment::Expression, text);
        }
    }

    #[test]
    fn breaking_out_of_an_expression_is_refused() {
        refuses(
            Fragment::Expression,
            "true); COPY (SELECT 1) TO PROGRAM 'id'; --",
        );
        assert!(refuses(Fragment::Expression, "1; DROP TABLE other.t").contains("`;`"));
        assert!(refuses(Fragment::Expression, "true) OR (true").contains("closes"));
        refuses(Fragment::Expression, "0, b int");
        refuses(Fragment::Expression, "0 NOT NULL");
        refuses(Fragment::Expression, "'unterminated");
        refuses(Fragment::Expression, "  ");
        refuses(Fragment::Query, "SELECT 1; DROP TABLE t");
        refuses(Fragment::Query, "INSERT INTO t VALUES (1)");
        refuses(Fragment::Query, "DELETE FROM t RETURNING *");
        refuses(Fragment::TypeName, "int); DROP TABLE t; --");
        refuses(Fragment::TypeName, "integer DEFAULT 0");
        refuses(Fragment::OperatorClass, "text_ops) WHERE (false");
    }

    #[test]
    fn operators_are_one_symbol_or_a_qualified_one() {
        for (text, checked) in [
            ("=", "="),
            (" && ", "&&"),
            ("-|-", "-|-"),
            ("OPERATOR(pg_catalog.=)", "OPERATOR(pg_catalog.=)"),
            ("operator(\"My Ops\".<->)", "OPERATOR(\"My Ops\".<->)"),
        ] {
            assert_eq!(operator(text).as_deref(), Ok(checked), "{text}");
        }
        for text in [
            "",
            "= ) WHERE (true",
            "=;",
            "--",
            "/*",
            "OPERATOR(a.b.=) x",
            "and",
        ] {
            assert!(operator(text).is_err(), "{text}");
        }
    }

    #[test]
    fn comments_are_removed_so_they_cannot_swallow_what_follows() {
        assert_eq!(
            fragment(Fragment::Expression, "a > 0 -- positive").as_deref(),
            Ok("a > 0")
        );
        assert_eq!(
            fragment(Fragment::Query, "SELECT a /* x */ FROM t").as_deref(),
            Ok("SELECT a   FROM t")
        );
    }

    #[test]
    fn types_queries_and_operator_classes() {
        for text in [
            "integer",
            "character varying(12)",
            "numeric(10,2)[]",
            "timestamp with time zone",
            "double precision",
            "public.citext",
            "\"Mood\"",
            "bit varying(5)",
            "integer array",
            "integer ARRAY[4]",
        ] {
            accepts(Fragment::TypeName, text);
        }
        accepts(
            Fragment::Query,
            "SELECT s.id, count(*) FROM students s JOIN x USING (id) WHERE s.a IN (1, 2) GROUP BY s.id",
        );
        accepts(Fragment::OperatorClass, "text_pattern_ops");
        accepts(Fragment::OperatorClass, "public.gist_trgm_ops(siglen = 32)");
    }

    #[test]
    fn names_and_schemas() {
        assert!(name("students").is_ok());
        assert!(name("x'; DROP TABLE t; --").is_ok());
        assert!(name("a\nb").is_err());
        assert!(name("a\0b").is_err());
        assert!(name("admin\u{202E}txt").is_err());
        assert!(fragment(Fragment::Expression, "'\u{2066}x' = a").is_err());
        for schema in [
            "pg_catalog",
            "information_schema",
            "pg_toast",
            "pg_temp_3",
            "autogen",
        ] {
            assert!(managed_schema(schema).is_err(), "{schema}");
        }
        assert!(managed_schema("public").is_ok());
        assert!(managed_schema("pgx").is_ok());
    }
}
