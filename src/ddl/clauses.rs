//! Clauses shared by the interpreter's statements: table constraints, column options,
//! index keys, sequence options and view options, read from a statement's tokens.

use super::*;

/// Words that end a column's type in a column definition.
pub(super) const COLUMN_OPTION_WORDS: &[&str] = &[
    "CONSTRAINT",
    "NOT",
    "NULL",
    "DEFAULT",
    "CHECK",
    "PRIMARY",
    "UNIQUE",
    "REFERENCES",
    "GENERATED",
    "COLLATE",
    "DEFERRABLE",
    "INITIALLY",
    "COMPRESSION",
    "STORAGE",
];

#[derive(Debug)]
pub(super) struct TableConstraint {
    pub(super) name: Option<String>,
    pub(super) kind: ConstraintKind,
    pub(super) deferrable: Deferrable,
    /// False for `NOT VALID`, which only `ALTER TABLE ... ADD` honours.
    pub(super) valid: bool,
}

#[derive(Debug)]
pub(super) enum ConstraintKind {
    PrimaryKey {
        columns: Vec<String>,
        include: Vec<String>,
    },
    Unique {
        columns: Vec<String>,
        include: Vec<String>,
        nulls_not_distinct: bool,
    },
    ForeignKey {
        columns: Vec<String>,
        /// As written: the search path decides an unqualified name's schema.
        referenced_table: Vec<String>,
        referenced_columns: Option<Vec<String>>,
        on_delete: ReferentialAction,
        on_update: ReferentialAction,
        match_type: MatchType,
    },
    Check {
        expression: Expr,
        no_inherit: bool,
    },
    Exclusion(ExclusionConstraint),
}

/// The columns, INCLUDE columns and NULLS NOT DISTINCT of a primary key or unique constraint.
pub(super) fn key_columns(constraint: &TableConstraint) -> Option<(&[String], &[String], bool)> {
    match &constraint.kind {
        ConstraintKind::PrimaryKey { columns, include } => Some((columns, include, false)),
        ConstraintKind::Unique {
            columns,
            include,
            nulls_not_distinct,
        } => Some((columns, include, *nulls_not_distinct)),
        _ => None,
    }
}

/// A key's `INCLUDE (...)` columns, if it has them.
pub(super) fn include_list(cursor: &mut Cursor<'_>) -> Outcome<Vec<String>> {
    match cursor.eat_keyword("INCLUDE") {
        true => cursor.identifier_list(),
        false => Ok(Vec::new()),
    }
}

pub(super) fn starts_table_constraint(cursor: &Cursor<'_>) -> bool {
    cursor.is_one_of(&[
        "CONSTRAINT",
        "PRIMARY",
        "UNIQUE",
        "FOREIGN",
        "CHECK",
        "EXCLUDE",
    ])
}

/// `[CONSTRAINT name] PRIMARY KEY (...) | UNIQUE (...) | FOREIGN KEY (...) REFERENCES ... |
/// CHECK (...) | EXCLUDE ...`, with its deferrability and `NOT VALID`.
pub(super) fn table_constraint(cursor: &mut Cursor<'_>) -> Outcome<TableConstraint> {
    let name = match cursor.eat_keyword("CONSTRAINT") {
        true => Some(cursor.identifier()?),
        false => None,
    };
    let kind = if cursor.eat_keywords(&["PRIMARY", "KEY"]) {
        let columns = cursor.identifier_list()?;
        ConstraintKind::PrimaryKey {
            columns,
            include: include_list(cursor)?,
        }
    } else if cursor.eat_keyword("UNIQUE") {
        let nulls_not_distinct = nulls_distinctness(cursor)?;
        ConstraintKind::Unique {
            columns: cursor.identifier_list()?,
            include: include_list(cursor)?,
            nulls_not_distinct,
        }
    } else if cursor.eat_keywords(&["FOREIGN", "KEY"]) {
        let columns = cursor.identifier_list()?;
        cursor.expect_keywords(&["REFERENCES"])?;
        references(cursor, columns)?
    } else if cursor.eat_keyword("CHECK") {
        check_kind(cursor)?
    } else if cursor.eat_keyword("EXCLUDE") {
        ConstraintKind::Exclusion(exclusion::exclusion_clause(cursor)?)
    } else {
        return Err(format!("expected a constraint, found {}", cursor.found()));
    };
    if cursor.is_one_of(&["INCLUDE", "USING", "WITH"]) {
        return Err(not_modelled(
            "constraint index options (INCLUDE, USING INDEX TABLESPACE, WITH)",
        ));
    }
    let deferrable = deferrable(cursor)?;
    let valid = !cursor.eat_keywords(&["NOT", "VALID"]);
    Ok(TableConstraint {
        name,
        kind,
        deferrable,
        valid,
    })
}

/// `pglz`, `lz4` or `default` (none) after `COMPRESSION`.
pub(super) fn compression(cursor: &mut Cursor<'_>) -> Outcome<Option<Compression>> {
    let name = cursor.identifier()?;
    match name.eq_ignore_ascii_case("default") {
        true => Ok(None),
        false => Compression::from_name(&name)
            .map(Some)
            .ok_or_else(|| format!("invalid compression method \"{name}\"")),
    }
}

/// Text the cursor cut out of a statement, checked like every expression from a file.
pub(super) fn expression(text: String) -> Outcome<Expr> {
    guard::fragment(Fragment::Expression, &text)
        .map(Expr::new)
        .map_err(|message| format!("expression {message}"))
}

pub(super) fn check_kind(cursor: &mut Cursor<'_>) -> Outcome<ConstraintKind> {
    let expression = expression(cursor.parenthesized_text()?)?;
    let no_inherit = cursor.eat_keywords(&["NO", "INHERIT"]);
    Ok(ConstraintKind::Check {
        expression,
        no_inherit,
    })
}

/// `REFERENCES table [(columns)] [MATCH SIMPLE | FULL] [ON DELETE action] [ON UPDATE action]`
pub(super) fn references(cursor: &mut Cursor<'_>, columns: Vec<String>) -> Outcome<ConstraintKind> {
    let referenced_table = cursor.dotted_name()?;
    let referenced_columns = match cursor.peek() == Some(&Token::LParen) {
        true => Some(cursor.identifier_list()?),
        false => None,
    };
    let mut on_delete = ReferentialAction::NoAction;
    let mut on_update = ReferentialAction::NoAction;
    let mut match_type = MatchType::Simple;
    loop {
        if cursor.eat_keywords(&["MATCH", "SIMPLE"]) {
            match_type = MatchType::Simple;
        } else if cursor.eat_keywords(&["MATCH", "FULL"]) {
            match_type = MatchType::Full;
        } else if cursor.is_keyword("MATCH") {
            return Err("MATCH PARTIAL is not implemented in PostgreSQL".to_string());
        } else if cursor.eat_keywords(&["ON", "DELETE"]) {
            on_delete = referential_action(cursor)?;
        } else if cursor.eat_keywords(&["ON", "UPDATE"]) {
            on_update = referential_action(cursor)?;
        } else {
            break;
        }
    }
    Ok(ConstraintKind::ForeignKey {
        columns,
        referenced_table,
        referenced_columns,
        on_delete,
        on_update,
        match_type,
    })
}

/// `(name [= value], ...)` of `CREATE VIEW ... WITH` or `ALTER VIEW ... SET`.
pub(super) fn set_view_options(cursor: &mut Cursor<'_>, options: &mut ViewOptions) -> Outcome {
    for mut element in cursor.parenthesized_elements()? {
        let name = element.identifier()?;
        let value = match element.eat(&Token::Eq) {
            true => Some(match element.peek() {
                Some(Token::Number(..)) => element.integer()?.to_string(),
                Some(Token::SingleQuotedString(_)) => element.string()?,
                _ => element.identifier()?,
            }),
            false => None,
        };
        element.expect_end()?;
        options.set(&name, value.as_deref())?;
    }
    Ok(())
}

/// A view's query ending in `WITH [CASCADED | LOCAL] CHECK OPTION` (pg_dump's spelling of
/// the option): the query without it, and the option (`CASCADED` unless `LOCAL` is said).
pub(super) fn trailing_check_option(definition: &str) -> (&str, Option<CheckOption>) {
    let last_words: Vec<String> = definition
        .split_whitespace()
        .rev()
        .take(4)
        .map(str::to_ascii_uppercase)
        .collect();
    let last_words: Vec<&str> = last_words.iter().map(String::as_str).collect();
    let (n_words, check_option) = match last_words.as_slice() {
        ["OPTION", "CHECK", "LOCAL", "WITH"] => (4, CheckOption::Local),
        ["OPTION", "CHECK", "CASCADED", "WITH"] => (4, CheckOption::Cascaded),
        ["OPTION", "CHECK", "WITH", ..] => (3, CheckOption::Cascaded),
        _ => return (definition, None),
    };
    let mut query = definition.trim_end();
    for _ in 0..n_words {
        query = query[..query.rfind(char::is_whitespace).unwrap_or(0)].trim_end();
    }
    (query, Some(check_option))
}

pub(super) fn referential_action(cursor: &mut Cursor<'_>) -> Outcome<ReferentialAction> {
    let action = if cursor.eat_keywords(&["NO", "ACTION"]) {
        ReferentialAction::NoAction
    } else if cursor.eat_keyword("RESTRICT") {
        ReferentialAction::Restrict
    } else if cursor.eat_keyword("CASCADE") {
        ReferentialAction::Cascade
    } else if cursor.eat_keywords(&["SET", "NULL"]) {
        ReferentialAction::SetNull
    } else if cursor.eat_keywords(&["SET", "DEFAULT"]) {
        ReferentialAction::SetDefault
    } else {
        return Err(format!(
            "expected a referential action, found {}",
            cursor.found()
        ));
    };
    if cursor.peek() == Some(&Token::LParen) {
        return Err(not_modelled("SET NULL / SET DEFAULT with a column list"));
    }
    Ok(action)
}

pub(super) fn deferrable(cursor: &mut Cursor<'_>) -> Outcome<Deferrable> {
    let mut deferrable = false;
    let mut deferred = false;
    loop {
        if cursor.eat_keywords(&["NOT", "DEFERRABLE"]) {
            deferrable = false;
        } else if cursor.eat_keyword("DEFERRABLE") {
            deferrable = true;
        } else if cursor.eat_keywords(&["INITIALLY", "DEFERRED"]) {
            deferred = true;
            deferrable = true;
        } else if cursor.eat_keywords(&["INITIALLY", "IMMEDIATE"]) {
            deferred = false;
        } else {
            break;
        }
    }
    Ok(match (deferrable, deferred) {
        (false, _) => Deferrable::NotDeferrable,
        (true, false) => Deferrable::Immediate,
        (true, true) => Deferrable::Deferred,
    })
}

/// `(name [= value], ...)` of `WITH` or `SET`, each value as `pg_class.reloptions` keeps it:
/// words folded to lower case, strings unquoted, a bare name `true`.
pub(super) fn storage_parameters(cursor: &mut Cursor<'_>) -> Outcome<BTreeMap<String, String>> {
    let mut parameters = BTreeMap::new();
    for mut element in cursor.parenthesized_elements()? {
        let name = element.identifier()?;
        let value = if element.eat(&Token::Eq) {
            let negative = element.eat(&Token::Minus);
            let value = match element.peek() {
                Some(Token::Number(..)) => element.number()?,
                Some(Token::Word(_)) => element.identifier()?,
                _ => element.string()?,
            };
            if negative {
                format!("-{value}")
            } else {
                value
            }
        } else {
            "true".to_string()
        };
        element.expect_end()?;
        parameters.insert(name, value);
    }
    Ok(parameters)
}

/// `NULLS [NOT] DISTINCT`; true for NOT DISTINCT.
pub(super) fn nulls_distinctness(cursor: &mut Cursor<'_>) -> Outcome<bool> {
    if cursor.eat_keywords(&["NULLS", "NOT", "DISTINCT"]) {
        return Ok(true);
    }
    cursor.eat_keywords(&["NULLS", "DISTINCT"]);
    Ok(false)
}

/// A column default's text; `NULL` and `NULL::type` included (see `stored_default`).
pub(super) fn default_expression(cursor: &mut Cursor<'_>) -> Outcome<Expr> {
    let start = cursor.mark();
    if cursor.eat_keyword("NULL") {
        if cursor.eat(&Token::DoubleColon) {
            cursor.text_until(|cursor| cursor.is_one_of(COLUMN_OPTION_WORDS))?;
        }
        return expression(cursor.text_since(start));
    }
    let text = cursor.text_until(|cursor| {
        cursor.is_keywords(&["NOT", "NULL"])
            || cursor.is_one_of(&COLUMN_OPTION_WORDS[2..])
            || cursor.is_keyword("CONSTRAINT")
    })?;
    expression(text)
}

/// The default PostgreSQL stores: none for a NULL constant it can store as is (it would
/// change nothing); a NULL that needs a length or precision coercion (`varchar(100)`,
/// `numeric(5,2)`) is stored, as `NULL::character varying` and the like.
pub(super) fn stored_default(expression: Expr, column_type: &str) -> Option<Expr> {
    let text = expression.as_str();
    let upper = text.to_ascii_uppercase();
    let no_enums = BTreeSet::new();
    let column_type = crate::syntax::types::canonical_type(column_type, &no_enums);
    let coerced = column_type.contains('(');
    let is_unstored_null = !coerced
        && (upper == "NULL"
            || upper.starts_with("NULL::")
                && crate::syntax::types::canonical_type(&text["NULL::".len()..], &no_enums)
                    == column_type);
    (!is_unstored_null).then_some(expression)
}

pub(super) fn identity_kind(cursor: &mut Cursor<'_>) -> Outcome<Identity> {
    cursor.eat_keyword("GENERATED");
    if cursor.eat_keyword("ALWAYS") {
        Ok(Identity::Always)
    } else if cursor.eat_keywords(&["BY", "DEFAULT"]) {
        Ok(Identity::ByDefault)
    } else {
        Err(format!(
            "expected ALWAYS or BY DEFAULT, found {}",
            cursor.found()
        ))
    }
}

/// `[( sequence options )]` after `AS IDENTITY`.
pub(super) fn identity_options(cursor: &mut Cursor<'_>) -> Outcome<SequenceOptions> {
    let mut options = SequenceOptions::default();
    if cursor.eat(&Token::LParen) {
        while !cursor.eat(&Token::RParen) {
            sequence_option(cursor, &mut options)?;
        }
    }
    Ok(options)
}

/// One sequence option, as in `CREATE SEQUENCE` or `ALTER COLUMN ... SET`.
pub(super) fn sequence_option(cursor: &mut Cursor<'_>, options: &mut SequenceOptions) -> Outcome {
    if cursor.eat_keyword("START") {
        cursor.eat_keyword("WITH");
        options.start = Some(cursor.integer()?);
    } else if cursor.eat_keyword("INCREMENT") {
        cursor.eat_keyword("BY");
        let increment = cursor.integer()?;
        if increment == 0 {
            return Err("INCREMENT must not be zero".to_string());
        }
        options.increment = Some(increment);
    } else if cursor.eat_keyword("MINVALUE") {
        options.min_value = Some(cursor.integer()?);
    } else if cursor.eat_keywords(&["NO", "MINVALUE"]) {
        options.min_value = None;
    } else if cursor.eat_keyword("MAXVALUE") {
        options.max_value = Some(cursor.integer()?);
    } else if cursor.eat_keywords(&["NO", "MAXVALUE"]) {
        options.max_value = None;
    } else if cursor.eat_keyword("CACHE") {
        options.cache = Some(cursor.integer()?);
    } else if cursor.eat_keywords(&["NO", "CYCLE"]) {
        options.cycle = false;
    } else if cursor.eat_keyword("CYCLE") {
        options.cycle = true;
    } else if cursor.eat_keywords(&["SEQUENCE", "NAME"]) {
        cursor.dotted_name()?;
    } else {
        return Err(format!("unexpected {} in sequence options", cursor.found()));
    }
    Ok(())
}

/// One element of an index's key list: a column or an expression, with its collation,
/// operator class, order and NULLS placement.
pub(super) fn index_key(cursor: &mut Cursor<'_>) -> Outcome<IndexKey> {
    let key = index_key_before(cursor, &[])?;
    cursor.expect_end()?;
    Ok(key)
}

/// An index key up to one of the words `stop` (an exclusion constraint's `WITH`).
pub(super) fn index_key_before(cursor: &mut Cursor<'_>, stop: &[&str]) -> Outcome<IndexKey> {
    let target = if cursor.peek() == Some(&Token::LParen) {
        IndexTarget::Expression(expression(cursor.parenthesized_text()?)?)
    } else if is_function_call(cursor) {
        let start = cursor.mark();
        cursor.dotted_name()?;
        cursor.parenthesized_text()?;
        IndexTarget::Expression(expression(cursor.text_since(start))?)
    } else {
        IndexTarget::Column(cursor.identifier()?)
    };
    let mut key = IndexKey {
        target,
        collation: None,
        opclass: None,
        descending: false,
        nulls_first: false,
    };
    if cursor.eat_keyword("COLLATE") {
        key.collation = Some(cursor.dotted_name()?.join("."));
    }
    if matches!(cursor.peek(), Some(Token::Word(_)))
        && !cursor.is_one_of(&["ASC", "DESC", "NULLS"])
        && !cursor.is_one_of(stop)
    {
        let parts = cursor.dotted_name()?;
        key.opclass = Some(
            parts
                .iter()
                .map(|part| quote::ident(part))
                .collect::<Vec<_>>()
                .join("."),
        );
        if cursor.peek() == Some(&Token::LParen) {
            return Err(not_modelled("operator class parameters"));
        }
    }
    if cursor.eat_keyword("DESC") {
        key.descending = true;
    } else {
        cursor.eat_keyword("ASC");
    }
    key.nulls_first = key.descending;
    if cursor.eat_keywords(&["NULLS", "FIRST"]) {
        key.nulls_first = true;
    } else if cursor.eat_keywords(&["NULLS", "LAST"]) {
        key.nulls_first = false;
    }
    Ok(key)
}

/// `name(`, `schema.name(`: an index key written as a bare function call.
pub(super) fn is_function_call(cursor: &Cursor<'_>) -> bool {
    let mut n = 0;
    loop {
        match (cursor.peek_nth(n), cursor.peek_nth(n + 1)) {
            (Some(Token::Word(_)), Some(Token::LParen)) => return true,
            (Some(Token::Word(_)), Some(Token::Period)) => n += 2,
            _ => return false,
        }
    }
}

/// PostgreSQL's `FigureIndexColname`: a function call's name, or `expr`.
pub fn expression_column_name(expression: &Expr) -> String {
    let text = expression.as_str();
    let Ok(mut cursor) = Cursor::new(text) else {
        return "expr".to_string();
    };
    if !is_function_call(&cursor) {
        return "expr".to_string();
    }
    cursor
        .dotted_name()
        .ok()
        .and_then(|parts| parts.last().cloned())
        .unwrap_or_else(|| "expr".to_string())
}

pub(super) fn drop_behaviour(cursor: &mut Cursor<'_>) -> bool {
    let cascade = cursor.eat_keyword("CASCADE");
    cursor.eat_keyword("RESTRICT");
    cascade
}

pub(super) fn position_of(values: &[String], label: &str, name: &QualifiedName) -> Outcome<usize> {
    values
        .iter()
        .position(|value| value == label)
        .ok_or_else(|| format!("{label:?} is not an existing enum label of {name}"))
}

/// A type written as a (possibly qualified) name with array brackets: the name, and the
/// brackets as `[]` per dimension.
pub(super) fn type_reference(text: &str) -> Option<(QualifiedName, String)> {
    let (parts, arrays) = type_reference_parts(text)?;
    // Stored type texts name a type of `public` unqualified (`quote::type_name`).
    let name = match parts.as_slice() {
        [name] => QualifiedName::new("public", name.clone()),
        [schema, name] => QualifiedName::new(schema.clone(), name.clone()),
        _ => return None,
    };
    Some((name, arrays))
}

/// `type_reference` with the name as written: one part, or schema and name.
pub(super) fn type_reference_parts(text: &str) -> Option<(Vec<String>, String)> {
    let mut cursor = Cursor::new(text).ok()?;
    let parts = cursor.dotted_name().ok().filter(|parts| parts.len() <= 2)?;
    let mut dimensions = 0;
    while cursor.eat(&Token::LBracket) {
        if matches!(cursor.peek(), Some(Token::Number(..))) {
            cursor.integer().ok()?;
        }
        cursor.eat(&Token::RBracket).then_some(())?;
        dimensions += 1;
    }
    cursor.at_end().then(|| (parts, "[]".repeat(dimensions)))
}
