//! Column alias lists after a function in a view's FROM (`FROM f() f(a, b, c)`), which
//! `pg_get_viewdef` prints for every function it reads.
//!
//! Such a list names the function's result columns by position. Over a composite result (a
//! table's row type or a composite type) positions follow the physical order of the
//! attributes, which autogen does not keep: a column dropped and added again moves to the
//! end. A view created again from its old text would then read each column under another's
//! name. A list that only repeats the columns' own names, in the order of the schema the text
//! comes from, means the same as no list at all, which binds by name: views are created and
//! compared without it.

use sqlparser::tokenizer::{Token, Word};

use crate::cursor::Cursor;
use crate::inheritance::effective_columns;
use crate::model::{Returns, Schema, View};
use crate::syntax::quote;

/// `query` without the alias lists that repeat the names of a composite result's columns in
/// `schema` (the schema the query was read from); the query unchanged when it has none.
pub fn without_default_aliases(query: &str, schema: &Schema) -> String {
    let Ok(cursor) = Cursor::new(query) else {
        return query.to_string();
    };
    let tokens = cursor.spanned_tokens();
    let mut removed: Vec<(usize, usize)> = Vec::new();
    for close in 0..tokens.len() {
        let Some(list) = default_alias_list(&tokens, close, schema) else {
            continue;
        };
        removed.push(list);
    }
    let mut text = query.to_string();
    for (start, end) in removed.into_iter().rev() {
        text.replace_range(start..end, "");
    }
    text
}

/// Whether two views' queries read alike once each leaves out its default alias lists
/// (against its own schema).
pub fn same_query(
    current: &View,
    current_schema: &Schema,
    desired: &View,
    desired_schema: &Schema,
) -> bool {
    current.definition == desired.definition
        || without_default_aliases(current.definition.as_str(), current_schema)
            == without_default_aliases(desired.definition.as_str(), desired_schema)
}

type Spanned<'t> = (&'t Token, usize, usize);

/// The byte range to remove (from the end of the alias to the list's `)`) when the `)` at
/// `close` ends a call in FROM followed by an alias and a default column list.
fn default_alias_list(
    tokens: &[Spanned<'_>],
    close: usize,
    schema: &Schema,
) -> Option<(usize, usize)> {
    let list = alias_list(tokens, close)?;
    let columns = list.result_columns(schema)?;
    list.is_default(&columns).then_some(list.removed)
}

/// An alias list renaming a function's composite result columns.
pub struct RenamedColumns {
    /// As the query names it (`f`, `s.f`).
    pub function: String,
    pub aliases: Vec<String>,
    /// The composite's columns in the schema read against, in order.
    pub columns: Vec<String>,
}

/// A column alias list after a function call in FROM.
struct AliasList {
    function_schema: Option<String>,
    function_name: String,
    aliases: Vec<String>,
    ordinality: bool,
    /// From the end of the alias to the list's `)`.
    removed: (usize, usize),
}

impl AliasList {
    /// The function's composite result columns in `schema`, `ordinality` after them.
    fn result_columns(&self, schema: &Schema) -> Option<Vec<String>> {
        let mut columns =
            result_columns(schema, self.function_schema.as_deref(), &self.function_name)?;
        if self.ordinality {
            columns.push("ordinality".to_string());
        }
        Some(columns)
    }

    fn is_default(&self, columns: &[String]) -> bool {
        self.aliases.len() <= columns.len() && self.aliases == columns[..self.aliases.len()]
    }
}

/// The alias list when the `)` at `close` ends a call in FROM followed by an alias and a
/// column list.
fn alias_list(tokens: &[Spanned<'_>], close: usize) -> Option<AliasList> {
    if !matches!(tokens[close].0, Token::RParen) {
        return None;
    }
    // What follows is checked first: the scan back to the call's `(` is the costly part.
    let mut next = close + 1;
    let ordinality =
        is_word(tokens.get(next), "with") && is_word(tokens.get(next + 1), "ordinality");
    if ordinality {
        next += 2;
    }
    if is_word(tokens.get(next), "as") {
        next += 1;
    }
    let alias_end = tokens
        .get(next)
        .filter(|token| matches!(token.0, Token::Word(_)))?
        .2;
    let list_open = next + 1;
    if !matches!(tokens.get(list_open)?.0, Token::LParen) {
        return None;
    }
    let mut aliases = Vec::new();
    let mut at = list_open + 1;
    loop {
        aliases.push(identifier(tokens.get(at)?.0)?);
        match tokens.get(at + 1)?.0 {
            Token::Comma => at += 2,
            Token::RParen => break,
            _ => return None,
        }
    }
    let list_close = at + 1;
    let open = matching_open(tokens, close)?;
    let (function_schema, function_name, before_name) = called_name(tokens, open)?;
    if !in_from_list(tokens, before_name) {
        return None;
    }
    Some(AliasList {
        function_schema,
        function_name,
        aliases,
        ordinality,
        removed: (alias_end, tokens[list_close].2),
    })
}

/// The alias lists of `view`'s query that rename a function's composite result columns
/// (`FROM f() g(x, y)`) in `schema`: PostgreSQL binds them by position, so they read other
/// columns wherever the composite's columns stand in another order.
pub fn positional_alias_lists(view: &View, schema: &Schema) -> Vec<RenamedColumns> {
    let Ok(cursor) = Cursor::new(view.definition.as_str()) else {
        return Vec::new();
    };
    let tokens = cursor.spanned_tokens();
    (0..tokens.len())
        .filter_map(|close| {
            let list = alias_list(&tokens, close)?;
            let columns = list.result_columns(schema)?;
            (!list.is_default(&columns)).then(|| {
                let name = match &list.function_schema {
                    Some(function_schema) => format!("{function_schema}.{}", list.function_name),
                    None => list.function_name.clone(),
                };
                RenamedColumns {
                    function: name,
                    aliases: list.aliases,
                    columns,
                }
            })
        })
        .collect()
}

fn matching_open(tokens: &[Spanned<'_>], close: usize) -> Option<usize> {
    let mut depth = 0usize;
    for index in (0..=close).rev() {
        match tokens[index].0 {
            Token::RParen => depth += 1,
            Token::LParen => {
                depth -= 1;
                if depth == 0 {
                    return Some(index);
                }
            }
            _ => {}
        }
    }
    None
}

/// The function name before the `(` at `open` (schema, name) and the index of the token
/// before the whole name.
fn called_name(
    tokens: &[Spanned<'_>],
    open: usize,
) -> Option<(Option<String>, String, Option<usize>)> {
    let name_at = open.checked_sub(1)?;
    let name = identifier(tokens[name_at].0)?;
    let qualified = name_at >= 2 && matches!(tokens[name_at - 1].0, Token::Period);
    if qualified {
        let schema = identifier(tokens[name_at - 2].0)?;
        return Some((Some(schema), name, name_at.checked_sub(3)));
    }
    Some((None, name, name_at.checked_sub(1)))
}

/// A function in FROM follows `FROM`, `JOIN`, `LATERAL` or a comma of the FROM list (a call
/// in a select list is never followed by an alias list).
fn in_from_list(tokens: &[Spanned<'_>], before: Option<usize>) -> bool {
    let Some(before) = before else {
        return false;
    };
    match tokens[before].0 {
        Token::Comma => true,
        token => ["from", "join", "lateral"]
            .iter()
            .any(|keyword| is_word(Some(&(token, 0, 0)), keyword)),
    }
}

/// The columns of the composite that every function of this name in `schema` returns (a
/// table's row type or a composite type, alone or as a set); `None` when the name is
/// unknown, returns something else, or its overloads disagree.
fn result_columns(
    schema: &Schema,
    function_schema: Option<&str>,
    name: &str,
) -> Option<Vec<String>> {
    let mut found: Option<Vec<String>> = None;
    for function in schema.functions.values() {
        let same_schema = function_schema.is_none_or(|wanted| function.name.schema == wanted);
        if function.name.name != name || !same_schema {
            continue;
        }
        let Some(Returns::Type { data_type, .. }) = &function.returns else {
            return None;
        };
        let columns = composite_columns(schema, data_type)?;
        match &found {
            Some(earlier) if *earlier != columns => return None,
            _ => found = Some(columns),
        }
    }
    found
}

fn composite_columns(schema: &Schema, data_type: &str) -> Option<Vec<String>> {
    if let Some(table) = schema
        .tables
        .values()
        .find(|table| quote::type_name(&table.name) == data_type)
    {
        return Some(
            effective_columns(schema, table)
                .into_iter()
                .map(|column| column.name)
                .collect(),
        );
    }
    schema
        .composite_types
        .values()
        .find(|composite| quote::type_name(&composite.name) == data_type)
        .map(|composite| {
            composite
                .attributes
                .iter()
                .map(|attribute| attribute.name.clone())
                .collect()
        })
}

/// An identifier as the server folds it: unquoted words in lower case.
fn identifier(token: &Token) -> Option<String> {
    match token {
        Token::Word(Word {
            value,
            quote_style: None,
            ..
        }) => Some(value.to_lowercase()),
        Token::Word(Word { value, .. }) => Some(value.clone()),
        _ => None,
    }
}

fn is_word(token: Option<&Spanned<'_>>, keyword: &str) -> bool {
    matches!(token, Some((Token::Word(Word { value, quote_style: None, .. }), _, _)) if value.eq_ignore_ascii_case(keyword))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Function, FunctionBody, FunctionName, QualifiedName, Table};

    fn schema_with(columns: &[&str]) -> Schema {
        let mut schema = Schema::default();
        let mut table = Table::new(QualifiedName::new("public", "t"));
        for name in columns {
            table.columns.push(Column::new(*name, "integer"));
        }
        schema.tables.insert(table.name.clone(), table);
        let function = Function {
            name: FunctionName {
                schema: "public".into(),
                name: "f".into(),
                argument_types: vec![],
            },
            procedure: false,
            arguments: vec![],
            returns: Some(Returns::Type {
                setof: true,
                data_type: "t".into(),
            }),
            language: "sql".into(),
            body: FunctionBody::Source("SELECT * FROM t".into()),
            volatility: Default::default(),
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: Default::default(),
            cost: None,
            rows: None,
            config: vec![],
            comment: None,
        };
        schema.functions.insert(function.name.clone(), function);
        schema
    }

    #[test]
    fn a_list_repeating_the_columns_in_order_is_left_out() {
        let schema = schema_with(&["a", "b", "c"]);
        let query = "SELECT f.a,\n    f.b\n   FROM f() f(a, b, c)\n  WHERE f.c > 0";
        assert_eq!(
            without_default_aliases(query, &schema),
            "SELECT f.a,\n    f.b\n   FROM f() f\n  WHERE f.c > 0"
        );
        let ordinality = "SELECT g.a FROM public.f() WITH ORDINALITY g(a, b, c, ordinality)";
        assert_eq!(
            without_default_aliases(ordinality, &schema),
            "SELECT g.a FROM public.f() WITH ORDINALITY g"
        );
    }

    #[test]
    fn a_list_in_another_order_or_with_other_names_stays() {
        let schema = schema_with(&["a", "c", "b"]);
        for query in [
            "SELECT f.a FROM f() f(a, b, c)",
            "SELECT g.x FROM f() g(x, c, b)",
            "SELECT f.a FROM other() f(a, c, b)",
        ] {
            assert_eq!(without_default_aliases(query, &schema), query);
        }
    }
}
