//! Splitting a revision file (or any SQL text autogen reads) into statements, with the line
//! each starts on, and the byte offsets of the tokenizer's tokens.

use std::path::Path;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer, Whitespace};

use crate::cursor::SpannedToken;
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
    let mut statements = Vec::new();
    let directives = for_each_statement(text, path, |statement| {
        statements.push(FileStatement {
            sql: statement.sql.to_string(),
            line: statement.line,
        });
        Ok(())
    })?;
    Ok((statements, directives))
}

/// One statement as `for_each_statement` hands it over: its text without the semicolon, the
/// line it starts on, and its tokens (whitespace and comments left out) with byte offsets in
/// `sql`, so that reading it never tokenizes it again.
pub struct TokenizedStatement<'a> {
    pub sql: &'a str,
    pub line: usize,
    pub tokens: Vec<SpannedToken>,
}

/// Calls `each` with every statement of `text` in order (the rules of `split_statements`),
/// as soon as its semicolon is read, and returns the `-- autogen:` comments met on the way.
/// The first error, the splitter's or `each`'s, stops it.
///
/// The text is tokenized a chunk at a time, each chunk ending at a semicolon the tokenizer
/// reads as one, so memory holds one chunk's tokens rather than the whole file's.
pub fn for_each_statement(
    text: &str,
    path: &Path,
    mut each: impl FnMut(TokenizedStatement<'_>) -> Result<()>,
) -> Result<Vec<DirectiveComment>> {
    let mut splitter = Splitter {
        text,
        path,
        directives: Vec::new(),
        start: None,
        tokens: Vec::new(),
        words: Vec::new(),
        block_depth: 0,
        nesting_depth: 0,
    };
    // Where the next chunk starts: byte offset, and the tokenizer's line and column there.
    let (mut offset, mut line, mut column) = (0usize, 1u64, 1u64);
    while offset < text.len() {
        let (tokens, end) = next_chunk(text, offset, path)?;
        let chunk = &text[offset..end];
        let starts = token_starts(chunk, &tokens);
        for (n, token) in tokens.into_iter().enumerate() {
            let start = token.span.start;
            let location = match start.line {
                1 => (line, column + start.column - 1),
                chunk_line => (line + chunk_line - 1, start.column),
            };
            let token_end = starts.get(n + 1).copied().unwrap_or(chunk.len());
            let span = offset + starts[n]..offset + token_end;
            if let Some(statement) = splitter.token(token.token, span, location)? {
                each(statement)?;
            }
        }
        match chunk.rfind('\n') {
            Some(newline) => {
                line += chunk.matches('\n').count() as u64;
                column = chunk[newline + 1..].chars().count() as u64 + 1;
            }
            None => column += chunk.chars().count() as u64,
        }
        offset = end;
    }
    if let Some(statement) = splitter.finish_statement(text.len())? {
        each(statement)?;
    }
    Ok(splitter.directives)
}

/// Refuses a statement that controls the transaction, at its line.
fn refuse_transaction_control(statement: &TokenizedStatement<'_>, path: &Path) -> Result<()> {
    let first_word = statement
        .sql
        .split(|c: char| !c.is_ascii_alphabetic())
        .next()
        .unwrap_or("");
    let controls_transaction = ["BEGIN", "COMMIT", "ROLLBACK", "START", "END", "ABORT"]
        .iter()
        .any(|keyword| first_word.eq_ignore_ascii_case(keyword));
    match controls_transaction {
        true => Err(revision_error(
            path,
            format!(
                "line {}: `{}` controls the transaction, but autogen already runs each \
                 revision in a transaction of its own\n  hint: remove the statement",
                statement.line, statement.sql
            ),
        )),
        false => Ok(()),
    }
}

/// How many bytes a chunk holds at least, unless the text ends first.
const CHUNK_BYTES: usize = 1 << 16;

/// The tokens of the text from `offset` to the end of the chunk, and where it ends: just
/// after the first semicolon past `CHUNK_BYTES` that tokenizes as one ending a statement
/// (not in a string, comment or quoted identifier, nor the end of a `COPY ... FROM STDIN`,
/// whose data follows it), or at the end of the text. Tokenizing from such a semicolon on
/// gives the tokens the whole text gives there.
fn next_chunk(text: &str, offset: usize, path: &Path) -> Result<(Vec<TokenWithSpan>, usize)> {
    let dialect = PostgreSqlDialect {};
    let mut size = CHUNK_BYTES;
    loop {
        let end = text
            .as_bytes()
            .get(offset + size..)
            .and_then(|tail| tail.iter().position(|&byte| byte == b';'))
            .map_or(text.len(), |semicolon| offset + size + semicolon + 1);
        let tokenized = Tokenizer::new(&dialect, &text[offset..end]).tokenize_with_location();
        match tokenized {
            Ok(tokens) if end == text.len() || ends_statement(&tokens) => return Ok((tokens, end)),
            Err(error) if end == text.len() => {
                // Located in the whole text, as the message names a line and column.
                let error = match offset {
                    0 => error,
                    _ => Tokenizer::new(&dialect, text)
                        .tokenize_with_location()
                        .err()
                        .unwrap_or(error),
                };
                return Err(revision_error(
                    path,
                    format!("cannot split into statements: {error}"),
                ));
            }
            // The semicolon is inside something longer: a larger chunk, so the work stays
            // linear however long that is.
            _ => size = size.saturating_mul(2),
        }
    }
}

/// Whether `tokens` end with a semicolon that ends a statement other than `COPY`.
fn ends_statement(tokens: &[TokenWithSpan]) -> bool {
    let Some((Token::SemiColon, before)) = tokens
        .split_last()
        .map(|(last, before)| (&last.token, before))
    else {
        return false;
    };
    let statement_start = before
        .iter()
        .rposition(|token| token.token == Token::SemiColon)
        .map_or(0, |semicolon| semicolon + 1);
    let first = before[statement_start..]
        .iter()
        .find(|token| !matches!(token.token, Token::Whitespace(_)));
    !matches!(first, Some(TokenWithSpan { token: Token::Word(word), .. }) if word.keyword == Keyword::COPY)
}

/// The statement splitter's state between tokens.
struct Splitter<'a> {
    text: &'a str,
    path: &'a Path,
    directives: Vec<DirectiveComment>,
    /// The current statement's first token: byte offset and line.
    start: Option<(usize, usize)>,
    /// The current statement's tokens so far, with byte offsets in the text.
    tokens: Vec<SpannedToken>,
    /// The current statement's first four words, upper-case (quoted ones empty).
    words: Vec<String>,
    block_depth: usize,
    nesting_depth: usize,
}

impl<'a> Splitter<'a> {
    /// One token, at `span` of the text, on `(line, column)`; the statement it ends, if any.
    fn token(
        &mut self,
        token: Token,
        span: std::ops::Range<usize>,
        (line, column): (u64, u64),
    ) -> Result<Option<TokenizedStatement<'a>>> {
        let text = self.text;
        match token {
            Token::LParen | Token::LBracket => self.nesting_depth += 1,
            Token::RParen | Token::RBracket => {
                self.nesting_depth = self.nesting_depth.saturating_sub(1)
            }
            _ => {}
        }
        if self.nesting_depth > MAX_NESTING_DEPTH {
            let location = Location {
                line: line as usize,
                column: column as usize,
            };
            return Err(Error::input(
                self.path,
                Some(location),
                format!("nested more than {MAX_NESTING_DEPTH} levels deep"),
            ));
        }
        match token {
            Token::Whitespace(Whitespace::SingleLineComment { comment, prefix })
                if prefix == "--" && comment.trim_start().starts_with("autogen:") =>
            {
                let line_start = text[..span.start].rfind('\n').map_or(0, |nl| nl + 1);
                self.directives.push(DirectiveComment {
                    text: format!("--{}", comment.trim_end()),
                    line: line as usize,
                    line_start,
                    alone: text[line_start..span.start].trim().is_empty(),
                    inside_statement: self.start.is_some(),
                });
            }
            Token::Whitespace(_) | Token::EOF => {}
            Token::SemiColon if self.block_depth == 0 => {
                self.words.clear();
                return self.finish_statement(span.start);
            }
            other => {
                if self.start.is_none() {
                    self.start = Some((span.start, line as usize));
                }
                if let Token::Word(word) = &other {
                    if word.quote_style.is_none() {
                        let word = word.value.to_ascii_uppercase();
                        if is_routine_definition(&self.words) {
                            // psql's rule: inside CREATE FUNCTION/PROCEDURE, BEGIN and CASE
                            // open a block that END closes.
                            match word.as_str() {
                                "BEGIN" | "CASE" => self.block_depth += 1,
                                "END" => self.block_depth = self.block_depth.saturating_sub(1),
                                _ => {}
                            }
                        }
                        if self.words.len() < 4 {
                            self.words.push(word);
                        }
                    } else if self.words.len() < 4 {
                        self.words.push(String::new());
                    }
                }
                self.tokens.push(SpannedToken {
                    token: other,
                    start: span.start,
                    end: span.end,
                });
            }
        }
        Ok(None)
    }

    /// The current statement, ending before byte `end` of the text, if one started.
    fn finish_statement(&mut self, end: usize) -> Result<Option<TokenizedStatement<'a>>> {
        let Some((statement_start, line)) = self.start.take() else {
            return Ok(None);
        };
        let mut tokens = std::mem::take(&mut self.tokens);
        for token in &mut tokens {
            token.start -= statement_start;
            token.end -= statement_start;
        }
        let statement = TokenizedStatement {
            sql: self.text[statement_start..end].trim_end(),
            line,
            tokens,
        };
        refuse_transaction_control(&statement, self.path)?;
        Ok(Some(statement))
    }
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

    /// Chunks end only at semicolons that end statements: never inside a string, comment
    /// or dollar-quoted body that crosses a chunk's size, nor before `COPY`'s data.
    #[test]
    fn chunked_splitting_matches_the_text_whatever_crosses_a_chunk() {
        let mut text = String::new();
        let mut expected = Vec::new();
        let mut line = 1;
        for n in 0..2000 {
            expected.push(line);
            text.push_str(&format!(
                "CREATE TABLE t{n} (x text DEFAULT 'a;\nb'); -- c;{n}\n/* d;\n */\n"
            ));
            line += 4;
        }
        let body = "SELECT 1;\n".repeat(20_000);
        expected.push(line);
        text.push_str(&format!(
            "CREATE FUNCTION f() RETURNS int LANGUAGE sql AS $b$\n{body}$b$;\n"
        ));
        line += 20_002;
        let mut unterminated = format!("{text}SELECT 'open;\n");
        expected.push(line);
        text.push_str("COPY t0 (x) FROM STDIN;\n");
        let statements = split_statements(&text, Path::new("x.sql")).expect("splits");
        let lines: Vec<usize> = statements.iter().map(|statement| statement.line).collect();
        assert_eq!(lines, expected);
        assert_eq!(
            statements[1999].sql,
            "CREATE TABLE t1999 (x text DEFAULT 'a;\nb')"
        );
        assert!(statements[2000].sql.ends_with(&format!("{body}$b$")));
        unterminated.push_str(&"SELECT 2;\n".repeat(10_000));
        let error = split_statements(&unterminated, Path::new("x.sql"))
            .err()
            .map(|error| error.to_string());
        assert!(
            error
                .as_deref()
                .is_some_and(|error| error.contains(&format!("Line: {line}"))),
            "{error:?}"
        );
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
