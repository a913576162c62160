//! Splitting a revision file (or any SQL text autogen reads) into statements, with the line
//! each starts on, and the byte offsets of the tokenizer's tokens.

use std::path::Path;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::error::{Error, Location, Result};
use crate::fs::MAX_NESTING_DEPTH;

/// One statement of a revision file, without its semicolon.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileStatement {
    pub sql: String,
    /// 1-based line of the statement's first token.
    pub line: usize,
}

/// A `--` comment whose text starts with `autogen:` (a step marker, or a misspelt one).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectiveComment {
    /// The comment as written, `--` included, without its line break.
    pub text: String,
    pub line: usize,
    /// Byte offset of the start of its line.
    pub line_start: usize,
    /// Only whitespace before it on its line.
    pub alone: bool,
    /// It sits between a statement's first token and its semicolon.
    pub inside_statement: bool,
}

/// Splits SQL text into statements at top-level semicolons. Semicolons inside strings,
/// quoted identifiers, comments, dollar-quoted bodies and `BEGIN ATOMIC ... END` function
/// bodies do not split. Statements that control the transaction are refused, because
/// autogen runs each revision in a transaction of its own, and so is nesting deeper than
/// `MAX_NESTING_DEPTH`, which no real file has and which would make the readers of these
/// statements recurse without bound.
pub fn split_statements(text: &str, path: &Path) -> Result<Vec<FileStatement>> {
    split_with_directives(text, path).map(|(statements, _)| statements)
}

/// `split_statements`, and the `-- autogen:` comments met on the way.
pub fn split_with_directives(
    text: &str,
    path: &Path,
) -> Result<(Vec<FileStatement>, Vec<DirectiveComment>)> {
    let dialect = PostgreSqlDialect {};
    let tokens = Tokenizer::new(&dialect, text)
        .tokenize_with_location()
        .map_err(|error| revision_error(path, format!("cannot split into statements: {error}")))?;
    let starts = token_starts(text, &tokens);

    let mut statements = Vec::new();
    let mut directives = Vec::new();
    let mut start: Option<(usize, usize)> = None;
    let mut words: Vec<String> = Vec::new();
    let mut block_depth = 0usize;
    let mut nesting_depth = 0usize;
    for (token, &token_start) in tokens.iter().zip(&starts) {
        match &token.token {
            Token::LParen | Token::LBracket => nesting_depth += 1,
            Token::RParen | Token::RBracket => nesting_depth = nesting_depth.saturating_sub(1),
            _ => {}
        }
        if nesting_depth > MAX_NESTING_DEPTH {
            let location = Location {
                line: token.span.start.line as usize,
                column: token.span.start.column as usize,
            };
            return Err(Error::input(
                path,
                Some(location),
                format!("nested more than {MAX_NESTING_DEPTH} levels deep"),
            ));
        }
        match &token.token {
            Token::Whitespace(Whitespace::SingleLineComment { comment, prefix })
                if prefix == "--" && comment.trim_start().starts_with("autogen:") =>
            {
                let line_start = text[..token_start].rfind('\n').map_or(0, |nl| nl + 1);
                directives.push(DirectiveComment {
                    text: format!("--{}", comment.trim_end()),
                    line: token.span.start.line as usize,
                    line_start,
                    alone: text[line_start..token_start].trim().is_empty(),
                    inside_statement: start.is_some(),
                });
            }
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon if block_depth == 0 => {
                if let Some((statement_start, line)) = start.take() {
                    statements.push(FileStatement {
                        sql: text[statement_start..token_start].trim_end().to_string(),
                        line,
                    });
                }
                words.clear();
            }
            other => {
                if start.is_none() {
                    start = Some((token_start, token.span.start.line as usize));
                }
                if let Token::Word(word) = other {
                    if word.quote_style.is_none() {
                        let word = word.value.to_ascii_uppercase();
                        if is_routine_definition(&words) {
                            // psql's rule: inside CREATE FUNCTION/PROCEDURE, BEGIN and CASE
                            // open a block that END closes.
                            match word.as_str() {
                                "BEGIN" | "CASE" => block_depth += 1,
                                "END" => block_depth = block_depth.saturating_sub(1),
                                _ => {}
                            }
                        }
                        if words.len() < 4 {
                            words.push(word);
                        }
                    } else if words.len() < 4 {
                        words.push(String::new());
                    }
                }
            }
        }
    }
    if let Some((statement_start, line)) = start {
        statements.push(FileStatement {
            sql: text[statement_start..].trim_end().to_string(),
            line,
        });
    }
    for statement in &statements {
        let first_word = statement
            .sql
            .split(|c: char| !c.is_ascii_alphabetic())
            .next()
            .unwrap_or("")
            .to_ascii_uppercase();
        if matches!(
            first_word.as_str(),
            "BEGIN" | "COMMIT" | "ROLLBACK" | "START" | "END" | "ABORT"
        ) {
            return Err(revision_error(
                path,
                format!(
                    "line {}: `{}` controls the transaction, but autogen already runs each \
                     revision in a transaction of its own\n  hint: remove the statement",
                    statement.line, statement.sql
                ),
            ));
        }
    }
    Ok((statements, directives))
}

/// The byte offset in `text` where each token starts (the tokenizer gives lines and
/// character columns). One forward pass: tokens come in text order.
pub fn token_starts(text: &str, tokens: &[TokenWithSpan]) -> Vec<usize> {
    let line_starts: Vec<usize> = std::iter::once(0)
        .chain(text.match_indices('\n').map(|(offset, _)| offset + 1))
        .collect();
    // Where the previous token started, as (line, column, byte offset).
    let mut last = (0u64, 1u64, 0usize);
    tokens
        .iter()
        .map(|token| {
            let (line, column) = (token.span.start.line, token.span.start.column);
            let (from_column, from_byte) = if line == last.0 && column >= last.1 {
                (last.1, last.2)
            } else {
                let line_start = line_starts
                    .get((line as usize).saturating_sub(1))
                    .copied()
                    .unwrap_or(text.len());
                (1, line_start)
            };
            let skip = (column - from_column) as usize;
            let offset = text[from_byte..]
                .char_indices()
                .nth(skip)
                .map_or(text.len(), |(offset, _)| from_byte + offset);
            last = (line, column, offset);
            offset
        })
        .collect()
}

fn is_routine_definition(words: &[String]) -> bool {
    let words: Vec<&str> = words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["CREATE", "FUNCTION" | "PROCEDURE", ..]
            | ["CREATE", "OR", "REPLACE", "FUNCTION" | "PROCEDURE", ..]
    )
}

fn revision_error(path: &Path, message: impl Into<String>) -> Error {
    Error::Revision {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(usize, String)> {
        split_statements(text, Path::new("x.sql"))
            .expect("splits")
            .into_iter()
            .map(|statement| (statement.line, statement.sql))
            .collect()
    }

    #[test]
    fn semicolons_inside_strings_identifiers_comments_and_bodies_do_not_split() {
        let text = "-- header; with a semicolon\n\
                    CREATE TABLE \"a;b\" (x text DEFAULT 'p;q');\n\
                    /* block; comment */ COMMENT ON TABLE \"a;b\" IS E'it''s; fine';\n\
                    \n\
                    CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$\n\
                    BEGIN RETURN 1; END;\n\
                    $body$;\n\
                    CREATE FUNCTION g() RETURNS int LANGUAGE sql\n\
                    BEGIN ATOMIC SELECT 1; SELECT CASE WHEN true THEN 2 END; END;\n\
                    SELECT 3";
        let statements = split(text);
        let lines: Vec<usize> = statements.iter().map(|(line, _)| *line).collect();
        assert_eq!(lines, vec![2, 3, 5, 8, 10], "{statements:#?}");
        assert_eq!(
            statements[0].1,
            "CREATE TABLE \"a;b\" (x text DEFAULT 'p;q')"
        );
        assert_eq!(
            statements[1].1,
            "COMMENT ON TABLE \"a;b\" IS E'it''s; fine'"
        );
        assert!(statements[2].1.ends_with("$body$"), "{}", statements[2].1);
        assert!(statements[3].1.ends_with("END; END"), "{}", statements[3].1);
        assert_eq!(statements[4].1, "SELECT 3");
    }

    #[test]
    fn transaction_control_is_refused_with_its_line() {
        let error =
            split_statements("SELECT 1;\nCOMMIT;\n", Path::new("x.sql")).expect_err("an error");
        assert!(
            error.to_string().starts_with("x.sql: line 2: `COMMIT`"),
            "{error}"
        );
    }
}
