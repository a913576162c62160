//! A cursor over one statement's tokens (sqlparser's PostgreSQL tokenizer), able to hand
//! back the exact source text of a type or an expression.
//!
//! autogen keeps expressions as SQL text, so the interpreter needs their extent rather than
//! a syntax tree; depth-aware scanning gives that for any expression the server accepts.

use std::rc::Rc;

use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::tokenizer::{Token, Tokenizer, Word};

use crate::model::QualifiedName;

/// An error inside one statement; the caller adds the file, line and statement.
pub type Result<T> = std::result::Result<T, String>;

/// A token with the byte offsets of its text in the statement.
#[derive(Clone)]
pub struct SpannedToken {
    pub token: Token,
    pub start: usize,
    pub end: usize,
}

#[derive(Clone)]
pub struct Cursor<'a> {
    text: &'a str,
    tokens: Vec<SpannedToken>,
    position: usize,
    /// The schema of an unqualified name; `None` for `public`.
    default_schema: Option<Rc<str>>,
}

impl<'a> Cursor<'a> {
    pub fn new(text: &'a str) -> Result<Cursor<'a>> {
        let dialect = PostgreSqlDialect {};
        let tokens = Tokenizer::new(&dialect, text)
            .tokenize_with_location()
            .map_err(|error| format!("cannot read the statement: {error}"))?;
        let starts = crate::syntax::statements::token_starts(text, &tokens);
        let tokens = tokens
            .into_iter()
            .enumerate()
            .filter(|(_, token)| !matches!(token.token, Token::Whitespace(_) | Token::EOF))
            .map(|(n, token)| SpannedToken {
                start: starts[n],
                end: starts.get(n + 1).copied().unwrap_or(text.len()),
                token: token.token,
            })
            .collect();
        Ok(Cursor::from_tokens(text, tokens))
    }

    /// A cursor over `text` already tokenized: `tokens` are its tokens but whitespace and
    /// comments, with offsets in `text`.
    pub fn from_tokens(text: &'a str, tokens: Vec<SpannedToken>) -> Cursor<'a> {
        Cursor {
            text,
            tokens,
            position: 0,
            default_schema: None,
        }
    }

    /// The same cursor, reading an unqualified name as one of `schema` (the first schema of
    /// the search path that exists).
    pub fn in_schema(mut self, schema: Rc<str>) -> Cursor<'a> {
        self.default_schema = Some(schema);
        self
    }

    /// The schema of an unqualified name.
    pub fn default_schema(&self) -> &str {
        self.default_schema.as_deref().unwrap_or("public")
    }

    /// The whole statement.
    pub fn statement_text(&self) -> &'a str {
        self.text
    }

    pub fn at_end(&self) -> bool {
        self.position >= self.tokens.len()
    }

    pub fn peek(&self) -> Option<&Token> {
        self.peek_nth(0)
    }

    pub fn peek_nth(&self, n: usize) -> Option<&Token> {
        self.tokens
            .get(self.position + n)
            .map(|spanned| &spanned.token)
    }

    fn advance(&mut self) {
        self.position += 1;
    }

    /// The text of the token `n` ahead if it is an unquoted word, as written: callers compare
    /// it ignoring case, so checking a keyword never allocates.
    fn keyword_at(&self, n: usize) -> Option<&str> {
        match self.peek_nth(n) {
            Some(Token::Word(Word {
                value,
                quote_style: None,
                ..
            })) => Some(value),
            _ => None,
        }
    }

    pub fn is_keyword(&self, keyword: &str) -> bool {
        self.keyword_at(0)
            .is_some_and(|word| word.eq_ignore_ascii_case(keyword))
    }

    /// Whether the next tokens are exactly these unquoted words.
    pub fn is_keywords(&self, keywords: &[&str]) -> bool {
        keywords.iter().enumerate().all(|(n, keyword)| {
            self.keyword_at(n)
                .is_some_and(|word| word.eq_ignore_ascii_case(keyword))
        })
    }

    pub fn is_one_of(&self, keywords: &[&str]) -> bool {
        self.keyword_at(0).is_some_and(|word| {
            keywords
                .iter()
                .any(|keyword| word.eq_ignore_ascii_case(keyword))
        })
    }

    pub fn eat_keyword(&mut self, keyword: &str) -> bool {
        self.eat_keywords(&[keyword])
    }

    pub fn eat_keywords(&mut self, keywords: &[&str]) -> bool {
        let matched = self.is_keywords(keywords);
        if matched {
            self.position += keywords.len();
        }
        matched
    }

    pub fn expect_keywords(&mut self, keywords: &[&str]) -> Result<()> {
        if self.eat_keywords(keywords) {
            Ok(())
        } else {
            Err(format!(
                "expected {}, found {}",
                keywords.join(" "),
                self.found()
            ))
        }
    }

    pub fn eat(&mut self, token: &Token) -> bool {
        let matched = self.peek() == Some(token);
        if matched {
            self.advance();
        }
        matched
    }

    pub fn expect(&mut self, token: &Token) -> Result<()> {
        if self.eat(token) {
            Ok(())
        } else {
            Err(format!("expected {token}, found {}", self.found()))
        }
    }

    pub fn expect_end(&self) -> Result<()> {
        if self.at_end() {
            Ok(())
        } else {
            Err(format!("unexpected {}", self.found()))
        }
    }

    /// The next token for a message: `` `FOO` `` or `the end of the statement`.
    pub fn found(&self) -> String {
        match self.peek() {
            Some(token) => format!("`{token}`"),
            None => "the end of the statement".to_string(),
        }
    }

    /// An identifier as PostgreSQL stores it: unquoted words fold to lower case.
    pub fn identifier(&mut self) -> Result<String> {
        match self.peek() {
            Some(Token::Word(word)) => {
                let name = match word.quote_style {
                    None => word.value.to_lowercase(),
                    Some(_) => word.value.clone(),
                };
                crate::guard::name(&name)?;
                self.advance();
                Ok(name)
            }
            _ => Err(format!("expected a name, found {}", self.found())),
        }
    }

    /// The next identifier, without consuming it.
    pub fn clone_identifier(&self) -> Result<String> {
        let mut probe = Cursor {
            text: self.text,
            tokens: self.tokens[self.position.min(self.tokens.len())..].to_vec(),
            position: 0,
            default_schema: None,
        };
        probe.identifier()
    }

    /// `name` or `schema.name`; an unqualified name is in `default_schema`.
    pub fn qualified_name(&mut self) -> Result<QualifiedName> {
        let parts = self.dotted_name()?;
        match parts.as_slice() {
            [name] => Ok(QualifiedName::new(self.default_schema(), name.clone())),
            [schema, name] => Ok(QualifiedName::new(schema.clone(), name.clone())),
            _ => Err(format!(
                "`{}` has more parts than schema.name",
                parts.join(".")
            )),
        }
    }

    /// `a`, `a.b`, `a.b.c`, ... as folded identifiers.
    pub fn dotted_name(&mut self) -> Result<Vec<String>> {
        let mut parts = vec![self.identifier()?];
        while self.eat(&Token::Period) {
            parts.push(self.identifier()?);
        }
        Ok(parts)
    }

    /// `(a, b, c)`
    pub fn identifier_list(&mut self) -> Result<Vec<String>> {
        self.expect(&Token::LParen)?;
        let mut names = vec![self.identifier()?];
        while self.eat(&Token::Comma) {
            names.push(self.identifier()?);
        }
        self.expect(&Token::RParen)?;
        Ok(names)
    }

    /// A string literal's value.
    pub fn string(&mut self) -> Result<String> {
        let value = match self.peek() {
            Some(Token::SingleQuotedString(value)) | Some(Token::EscapedStringLiteral(value)) => {
                value.clone()
            }
            Some(Token::DollarQuotedString(quoted)) => quoted.value.clone(),
            _ => return Err(format!("expected a string literal, found {}", self.found())),
        };
        self.advance();
        Ok(value)
    }

    /// A numeric literal's text, as written.
    pub fn number(&mut self) -> Result<String> {
        let Some(Token::Number(digits, _)) = self.peek() else {
            return Err(format!("expected a number, found {}", self.found()));
        };
        let digits = digits.clone();
        self.advance();
        Ok(digits)
    }

    /// An integer, possibly negative.
    pub fn integer(&mut self) -> Result<i64> {
        let negative = self.eat(&Token::Minus);
        if !negative {
            self.eat(&Token::Plus);
        }
        let value = match self.peek() {
            Some(Token::Number(digits, _)) => digits
                .parse::<i64>()
                .map_err(|_| format!("expected an integer, found `{digits}`"))?,
            _ => return Err(format!("expected an integer, found {}", self.found())),
        };
        self.advance();
        Ok(if negative { -value } else { value })
    }

    /// The source text from the current token up to (not including) the first token at
    /// parenthesis depth 0 for which `stop` holds, or an unmatched `)`, or the end.
    pub fn text_until(&mut self, stop: impl Fn(&Cursor<'_>) -> bool) -> Result<String> {
        let start = self.position;
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            match token {
                Token::LParen | Token::LBracket => depth += 1,
                Token::RParen | Token::RBracket if depth == 0 => break,
                Token::RParen | Token::RBracket => depth -= 1,
                _ if depth == 0 && stop(self) => break,
                _ => {}
            }
            self.advance();
        }
        if start == self.position {
            return Err(format!("expected an expression, found {}", self.found()));
        }
        Ok(self.source(start, self.position))
    }

    /// `( ... )`: the text between balanced parentheses.
    pub fn parenthesized_text(&mut self) -> Result<String> {
        self.expect(&Token::LParen)?;
        let text = self.text_until(|_| false)?;
        self.expect(&Token::RParen)?;
        Ok(text)
    }

    /// The rest of the statement as text.
    pub fn rest(&mut self) -> Result<String> {
        let start = self.position;
        if start >= self.tokens.len() {
            return Err("expected more, found the end of the statement".to_string());
        }
        self.position = self.tokens.len();
        Ok(self.source(start, self.position))
    }

    /// Splits a parenthesized, comma-separated list into sub-cursors, one per element.
    pub fn parenthesized_elements(&mut self) -> Result<Vec<Cursor<'a>>> {
        self.expect(&Token::LParen)?;
        let mut elements = Vec::new();
        loop {
            let start = self.position;
            self.text_until(|cursor| cursor.peek() == Some(&Token::Comma))?;
            elements.push(self.sub_cursor(start, self.position));
            if !self.eat(&Token::Comma) {
                break;
            }
        }
        self.expect(&Token::RParen)?;
        Ok(elements)
    }

    /// `(elements)` or `()`.
    pub fn parenthesized_elements_or_empty(&mut self) -> Result<Vec<Cursor<'a>>> {
        if self.peek() == Some(&Token::LParen) && self.peek_nth(1) == Some(&Token::RParen) {
            self.position += 2;
            return Ok(Vec::new());
        }
        self.parenthesized_elements()
    }

    /// A sub-cursor over the tokens up to the next comma at depth 0 (or the end).
    pub fn until_comma(&mut self) -> Result<Cursor<'a>> {
        let start = self.position;
        self.text_until(|cursor| cursor.peek() == Some(&Token::Comma))?;
        Ok(self.sub_cursor(start, self.position))
    }

    /// Byte ranges (in the statement) of the words that name `column`: equal to it after
    /// folding, not a function (`name(`), and not a type (after `::` or a cast's `AS`).
    pub fn identifier_spans(&self, column: &str) -> Vec<(usize, usize)> {
        self.word_spans(column, |previous| {
            !matches!(previous, Some(Token::DoubleColon))
                && !matches!(previous, Some(Token::Word(word)) if word.quote_style.is_none()
                    && word.value.eq_ignore_ascii_case("AS"))
        })
    }

    /// Casts of `column` to the type spelled `type_words` (`(column)::integer`,
    /// `column::character varying`, no modifiers or array bounds after it): for each, the
    /// cast's byte range and the column word's.
    pub fn column_cast_spans(
        &self,
        column: &str,
        type_words: &[&str],
    ) -> Vec<((usize, usize), (usize, usize))> {
        let token = |n: usize| self.tokens.get(n).map(|spanned| &spanned.token);
        let word_end = |n: usize| {
            let spanned = &self.tokens[n];
            spanned.start + self.text[spanned.start..spanned.end].trim_end().len()
        };
        let is_keyword = |token: Option<&Token>, keywords: &[&str]| {
            matches!(token, Some(Token::Word(word)) if word.quote_style.is_none()
                && keywords.iter().any(|keyword| word.value.eq_ignore_ascii_case(keyword)))
        };
        let mut casts = Vec::new();
        for n in 0..self.tokens.len() {
            let Some(Token::Word(word)) = token(n) else {
                continue;
            };
            let folded = match word.quote_style {
                None => word.value.to_lowercase(),
                Some(_) => word.value.clone(),
            };
            let qualified = n.checked_sub(1).is_some_and(|previous| {
                matches!(token(previous), Some(Token::Period | Token::DoubleColon))
            });
            if folded != column || qualified {
                continue;
            }
            // `(column)::type`, unless the parenthesis is a call's (`f(column)::type`).
            let parenthesized = n >= 1
                && token(n - 1) == Some(&Token::LParen)
                && token(n + 1) == Some(&Token::RParen)
                && !n.checked_sub(2).is_some_and(|before| {
                    matches!(token(before), Some(Token::Word(_)))
                        && !is_keyword(token(before), &["AND", "OR", "NOT", "WHEN", "THEN", "ELSE"])
                });
            let (start, cast) = match parenthesized {
                true => (self.tokens[n - 1].start, n + 2),
                false => (self.tokens[n].start, n + 1),
            };
            if token(cast) != Some(&Token::DoubleColon) {
                continue;
            }
            let matches_type = type_words
                .iter()
                .enumerate()
                .all(|(k, expected)| is_keyword(token(cast + 1 + k), &[expected]));
            // The type goes on: modifiers, array bounds, or more words of a longer name.
            let after = cast + 1 + type_words.len();
            let continues =
                matches!(
                    token(after),
                    Some(Token::LParen | Token::LBracket | Token::Period)
                ) || is_keyword(token(after), &["PRECISION", "VARYING", "WITH", "WITHOUT"]);
            if type_words.is_empty() || !matches_type || continues {
                continue;
            }
            casts.push((
                (start, word_end(after - 1)),
                (self.tokens[n].start, word_end(n)),
            ));
        }
        casts
    }

    /// Byte ranges of the words that name the type `name` in casts (`::name`).
    pub fn type_spans(&self, name: &str) -> Vec<(usize, usize)> {
        self.word_spans(name, |previous| {
            matches!(previous, Some(Token::DoubleColon))
        })
    }

    fn word_spans(
        &self,
        name: &str,
        after: impl Fn(Option<&Token>) -> bool,
    ) -> Vec<(usize, usize)> {
        let mut spans = Vec::new();
        for (n, spanned) in self.tokens.iter().enumerate() {
            let Token::Word(word) = &spanned.token else {
                continue;
            };
            let folded = match word.quote_style {
                None => word.value.to_lowercase(),
                Some(_) => word.value.clone(),
            };
            let is_call = self.tokens.get(n + 1).map(|next| &next.token) == Some(&Token::LParen);
            let previous = n
                .checked_sub(1)
                .and_then(|previous| self.tokens.get(previous))
                .map(|spanned| &spanned.token);
            if folded == name && !is_call && after(previous) {
                let end = spanned.start + self.text[spanned.start..spanned.end].trim_end().len();
                spans.push((spanned.start, end));
            }
        }
        spans
    }

    /// The values of every string literal.
    pub fn string_literals(&self) -> std::collections::BTreeSet<String> {
        self.tokens
            .iter()
            .filter_map(|spanned| match &spanned.token {
                Token::SingleQuotedString(value) | Token::EscapedStringLiteral(value) => {
                    Some(value.clone())
                }
                _ => None,
            })
            .collect()
    }

    /// Byte ranges of the string literals whose value is `value`.
    pub fn literal_spans(&self, value: &str) -> Vec<(usize, usize)> {
        self.tokens
            .iter()
            .filter(|spanned| {
                matches!(&spanned.token, Token::SingleQuotedString(literal) if literal == value)
            })
            .map(|spanned| {
                let end = spanned.start + self.text[spanned.start..spanned.end].trim_end().len();
                (spanned.start, end)
            })
            .collect()
    }

    /// Every token with the byte range of its text, trailing whitespace left out (for
    /// rewrites by span, `crate::renames`).
    pub fn spanned_tokens(&self) -> Vec<(&Token, usize, usize)> {
        self.tokens
            .iter()
            .map(|spanned| {
                let end = spanned.start + self.text[spanned.start..spanned.end].trim_end().len();
                (&spanned.token, spanned.start, end)
            })
            .collect()
    }

    /// The position to hand to `text_since`.
    pub fn mark(&self) -> usize {
        self.position
    }

    /// The source text of the tokens consumed since `mark`.
    pub fn text_since(&self, mark: usize) -> String {
        match mark < self.position {
            true => self.source(mark, self.position),
            false => String::new(),
        }
    }

    fn sub_cursor(&self, start: usize, end: usize) -> Cursor<'a> {
        Cursor {
            text: self.text,
            tokens: self.tokens[start..end].to_vec(),
            position: 0,
            default_schema: self.default_schema.clone(),
        }
    }

    /// Source text of tokens `start..end` (not empty), trimmed.
    fn source(&self, start: usize, end: usize) -> String {
        self.text[self.tokens[start].start..self.tokens[end - 1].end]
            .trim()
            .to_string()
    }

    /// Words of the rest of the statement, for guessing what a query reads.
    pub fn remaining_tokens(&self) -> impl Iterator<Item = &Token> {
        self.tokens[self.position.min(self.tokens.len())..]
            .iter()
            .map(|spanned| &spanned.token)
    }
}
