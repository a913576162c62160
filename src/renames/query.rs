//! A view's query after a rename of a relation or column it reads. PostgreSQL stores a view
//! parsed, by oid, and `pg_get_viewdef` prints it with the names of the day: after `ALTER
//! TABLE t RENAME TO u` it reads `FROM u` and `u.a`; after `ALTER TABLE u RENAME COLUMN a TO
//! b`, `u.b`, and a select-list item that was the bare column keeps its output name
//! (`u.b AS a`), or, where a `USING` list names the column, the table's old column names
//! as an alias column list. The text is rewritten by token spans, so the rest keeps its
//! spelling.

use std::collections::BTreeSet;

use sqlparser::tokenizer::Token;

use crate::cursor::Cursor;
use crate::model::{Expr, QualifiedName};
use crate::syntax::quote;

/// `query` with relation `old` (written `schema.old`, or bare when `old` is in `public`, the
/// search path) and the bare qualifiers naming it read as `new_name`.
pub fn rename_relation_in_query(query: &Expr, old: &QualifiedName, new_name: &str) -> Expr {
    let Some(shape) = Shape::of(query.as_str()) else {
        return query.clone();
    };
    let matching: Vec<&Relation> = shape.relations_of(old).collect();
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    for relation in &matching {
        let token = &shape.tokens[relation.name_index];
        edits.push((token.start, token.end, quote::ident(new_name)));
    }
    // Without an alias, the relation's name is what qualifies its columns.
    if matching.iter().any(|relation| relation.alias.is_none()) {
        let schemas: BTreeSet<usize> = shape
            .relations
            .iter()
            .filter_map(|relation| relation.schema_index)
            .collect();
        for index in 0..shape.tokens.len() {
            if shape.word(index) == Some(old.name.as_str())
                && shape.is(index + 1, &Token::Period)
                && !shape.follows_period(index)
                && !schemas.contains(&index)
            {
                let token = &shape.tokens[index];
                edits.push((token.start, token.end, quote::ident(new_name)));
            }
        }
    }
    Expr::new(apply(query.as_str(), edits))
}

/// `query` with column `old` of relation `table` read as `new`, qualified by the table's
/// name or alias, or bare. A select-list item that was the bare column keeps its output
/// name. Where a `USING` list names the column, PostgreSQL keeps every name and gives the
/// table an alias column list of its columns' old names (`FROM (a a(id, k, x) JOIN b USING
/// (k))`); `columns` are the table's columns in order, as they were named before. A table
/// that already has an alias column list is read through it, so nothing changes, but that
/// PostgreSQL leaves the list out once it names the columns as they are (a rename undone).
pub fn rename_column_in_query(
    query: &Expr,
    table: &QualifiedName,
    old: &str,
    new: &str,
    columns: &[String],
) -> Expr {
    let Some(shape) = Shape::of(query.as_str()) else {
        return query.clone();
    };
    let matching: Vec<&Relation> = shape.relations_of(table).collect();
    if matching.is_empty() {
        return query.clone();
    }
    let column_aliased = |relation: &Relation| {
        relation
            .alias_index
            .is_some_and(|alias| shape.is(alias + 1, &Token::LParen))
    };
    if matching.iter().any(|relation| column_aliased(relation)) {
        let renamed: Vec<&str> = columns
            .iter()
            .map(|column| match column == old {
                true => new,
                false => column.as_str(),
            })
            .collect();
        let edits = matching
            .iter()
            .filter_map(|relation| shape.unneeded_alias_list(relation, &renamed))
            .map(|(start, end)| (start, end, String::new()))
            .collect();
        return Expr::new(apply(query.as_str(), edits));
    }
    if shape
        .using_columns
        .iter()
        .any(|index| shape.word(*index) == Some(old))
    {
        let list: Vec<String> = columns.iter().map(|column| quote::ident(column)).collect();
        let edits = matching
            .iter()
            .map(|relation| {
                let (at, alias) = match relation.alias_index {
                    Some(alias) => (shape.tokens[alias].end, String::new()),
                    None => (
                        shape.tokens[relation.name_index].end,
                        format!(" {}", quote::ident(&relation.name)),
                    ),
                };
                (at, at, format!("{alias}({})", list.join(", ")))
            })
            .collect();
        return Expr::new(apply(query.as_str(), edits));
    }
    let refnames: BTreeSet<&str> = matching
        .iter()
        .map(|relation| relation.alias.as_deref().unwrap_or(relation.name.as_str()))
        .collect();
    let relation_tokens: BTreeSet<usize> = shape
        .relations
        .iter()
        .flat_map(|relation| {
            [
                relation.schema_index,
                Some(relation.name_index),
                relation.alias_index,
            ]
        })
        .flatten()
        .collect();
    let mut renamed = BTreeSet::new();
    for index in 0..shape.tokens.len() {
        if shape.word(index) != Some(old) || shape.is(index + 1, &Token::LParen) {
            continue;
        }
        let qualified = shape.follows_period(index)
            && index >= 2
            && shape
                .word(index - 2)
                .is_some_and(|qualifier| refnames.contains(qualifier))
            && !shape.follows_period(index - 2);
        let bare = !shape.follows_period(index)
            && !shape.is(index + 1, &Token::Period)
            && !relation_tokens.contains(&index)
            && !shape.ctes.contains(old)
            && !index.checked_sub(1).is_some_and(|previous| {
                shape.is(previous, &Token::DoubleColon) || shape.keyword_is(previous, "AS")
            });
        if qualified || bare {
            renamed.insert(index);
        }
    }
    let mut edits: Vec<(usize, usize, String)> = renamed
        .iter()
        .map(|index| {
            let token = &shape.tokens[*index];
            (token.start, token.end, quote::ident(new))
        })
        .collect();
    for (start, end) in &shape.items {
        let last = end - 1;
        let bare_column = match end - start {
            1 => true,
            3 => shape.is(start + 1, &Token::Period),
            _ => false,
        };
        if bare_column && renamed.contains(&last) {
            let at = shape.tokens[last].end;
            edits.push((at, at, format!(" AS {}", quote::ident(old))));
        }
    }
    Expr::new(apply(query.as_str(), edits))
}

/// `text` with each `(start, end, replacement)` done; ranges do not overlap.
fn apply(text: &str, mut edits: Vec<(usize, usize, String)>) -> String {
    edits.sort_by_key(|(start, end, _)| (*start, *end));
    let mut rewritten = text.to_string();
    for (start, end, replacement) in edits.into_iter().rev() {
        rewritten.replace_range(start..end, &replacement);
    }
    rewritten
}

struct Spanned {
    token: Token,
    /// The name an unquoted word folds to, a quoted word's exact text.
    word: Option<String>,
    start: usize,
    end: usize,
}

/// A relation a `FROM` or `JOIN` names: `[schema.]name [[AS] alias]`.
struct Relation {
    schema_index: Option<usize>,
    name_index: usize,
    schema: Option<String>,
    name: String,
    alias_index: Option<usize>,
    alias: Option<String>,
}

/// What a rename needs to know of a query: the relations it names, its select-list items
/// (token ranges), its `WITH` names and the columns of its `USING` lists.
struct Shape {
    tokens: Vec<Spanned>,
    relations: Vec<Relation>,
    items: Vec<(usize, usize)>,
    ctes: BTreeSet<String>,
    using_columns: Vec<usize>,
}

#[derive(Clone, Copy, PartialEq)]
enum Clause {
    Select,
    From,
    With,
    Other,
}

/// One parenthesis level of the walk.
struct Frame {
    clause: Clause,
    item_start: Option<usize>,
    distinct_on: bool,
    using: bool,
}

impl Frame {
    fn new(clause: Clause, using: bool) -> Frame {
        Frame {
            clause,
            item_start: None,
            distinct_on: false,
            using,
        }
    }
}

/// Words after a relation that are not its alias.
const NOT_ALIASES: &[&str] = &[
    "JOIN",
    "INNER",
    "LEFT",
    "RIGHT",
    "FULL",
    "CROSS",
    "NATURAL",
    "ON",
    "USING",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "FOR",
    "TABLESAMPLE",
    "WITH",
];

/// Keywords that end a select list or a `FROM` clause.
const CLAUSE_ENDS: &[&str] = &[
    "INTO",
    "WHERE",
    "GROUP",
    "HAVING",
    "WINDOW",
    "ORDER",
    "LIMIT",
    "OFFSET",
    "FETCH",
    "UNION",
    "INTERSECT",
    "EXCEPT",
    "FOR",
];

impl Shape {
    fn of(text: &str) -> Option<Shape> {
        let cursor = Cursor::new(text).ok()?;
        let tokens = cursor
            .spanned_tokens()
            .into_iter()
            .map(|(token, start, end)| Spanned {
                word: match token {
                    Token::Word(word) if word.quote_style.is_none() => {
                        Some(word.value.to_lowercase())
                    }
                    Token::Word(word) => Some(word.value.clone()),
                    _ => None,
                },
                token: token.clone(),
                start,
                end,
            })
            .collect();
        let mut shape = Shape {
            tokens,
            relations: Vec::new(),
            items: Vec::new(),
            ctes: BTreeSet::new(),
            using_columns: Vec::new(),
        };
        shape.walk()?;
        Some(shape)
    }

    fn walk(&mut self) -> Option<()> {
        let mut frames = vec![Frame::new(Clause::Other, false)];
        for index in 0..self.tokens.len() {
            let frame = frames.last_mut()?;
            match &self.tokens[index].token {
                Token::LParen => {
                    let after_from = index.checked_sub(1).is_some_and(|previous| {
                        self.is(previous, &Token::Comma)
                            || self.keyword_is(previous, "FROM")
                            || self.keyword_is(previous, "JOIN")
                    });
                    // `FROM (a JOIN b ON ...)`: a parenthesized join, not a subquery.
                    let nested_join = frame.clause == Clause::From
                        && after_from
                        && self.word(index + 1).is_some()
                        && !["SELECT", "VALUES", "WITH", "TABLE", "LATERAL"]
                            .iter()
                            .any(|keyword| self.keyword_is(index + 1, keyword));
                    let using = index
                        .checked_sub(1)
                        .is_some_and(|previous| self.keyword_is(previous, "USING"));
                    let clause = match nested_join {
                        true => Clause::From,
                        false => Clause::Other,
                    };
                    frames.push(Frame::new(clause, using));
                    if nested_join {
                        self.relation_at(index + 1);
                    }
                }
                Token::RParen => {
                    let closed = frames.pop()?;
                    self.close_item(&closed, index);
                    let frame = frames.last_mut()?;
                    if frame.distinct_on {
                        frame.distinct_on = false;
                        frame.item_start = Some(index + 1);
                    }
                }
                Token::Comma => match frame.clause {
                    Clause::Select => {
                        self.close_item(frame, index);
                        frame.item_start = Some(index + 1);
                    }
                    Clause::From => self.relation_at(index + 1),
                    Clause::With => self.cte_at(index + 1),
                    Clause::Other => {}
                },
                Token::Word(_) => {
                    if frame.using {
                        self.using_columns.push(index);
                    }
                    let keyword = self.keyword(index).unwrap_or_default();
                    match keyword.as_str() {
                        "SELECT" => {
                            frame.clause = Clause::Select;
                            frame.item_start = Some(index + 1);
                        }
                        "DISTINCT" | "ALL"
                            if frame.clause == Clause::Select
                                && frame.item_start == Some(index) =>
                        {
                            frame.distinct_on = self.keyword_is(index + 1, "ON");
                            frame.item_start = (!frame.distinct_on).then_some(index + 1);
                        }
                        "FROM" => {
                            self.close_item(frame, index);
                            frame.clause = Clause::From;
                            frame.item_start = None;
                            self.relation_at(index + 1);
                        }
                        "JOIN" => self.relation_at(index + 1),
                        "WITH" => {
                            frame.clause = Clause::With;
                            let first =
                                index + 1 + usize::from(self.keyword_is(index + 1, "RECURSIVE"));
                            self.cte_at(first);
                        }
                        _ if CLAUSE_ENDS.contains(&keyword.as_str()) => {
                            self.close_item(frame, index);
                            frame.clause = Clause::Other;
                            frame.item_start = None;
                        }
                        _ => {}
                    }
                }
                _ => {}
            }
        }
        let last = frames.pop()?;
        self.close_item(&last, self.tokens.len());
        Some(())
    }

    fn close_item(&mut self, frame: &Frame, end: usize) {
        if let (Clause::Select, Some(start)) = (frame.clause, frame.item_start) {
            if start < end {
                self.items.push((start, end));
            }
        }
    }

    /// Records the relation named at `index`, if one is (not a function or subquery).
    fn relation_at(&mut self, index: usize) {
        let index = index + usize::from(self.keyword_is(index, "ONLY"));
        if self.keyword_is(index, "LATERAL") || self.word(index).is_none() {
            return;
        }
        let (schema_index, name_index) =
            match self.is(index + 1, &Token::Period) && self.word(index + 2).is_some() {
                true => (Some(index), index + 2),
                false => (None, index),
            };
        let mut next = name_index + 1;
        if self.is(next, &Token::LParen) {
            return;
        }
        next += usize::from(self.keyword_is(next, "AS"));
        let alias_index = self.word(next).is_some().then_some(next).filter(|alias| {
            !NOT_ALIASES
                .iter()
                .any(|keyword| self.keyword_is(*alias, keyword))
        });
        let word = |index: usize| self.word(index).map(str::to_string);
        self.relations.push(Relation {
            schema_index,
            name_index,
            schema: schema_index.and_then(word),
            name: word(name_index).unwrap_or_default(),
            alias_index,
            alias: alias_index.and_then(word),
        });
    }

    /// Records the `WITH` query named at `index` (`name AS (...)`).
    fn cte_at(&mut self, index: usize) {
        if let (Some(name), true) = (self.word(index), self.keyword_is(index + 1, "AS")) {
            self.ctes.insert(name.to_string());
        }
    }

    /// Relations naming `table`: qualified, or bare when it is in `public` (the search path)
    /// and no `WITH` query takes the name.
    fn relations_of<'s>(&'s self, table: &'s QualifiedName) -> impl Iterator<Item = &'s Relation> {
        self.relations.iter().filter(move |relation| {
            relation.name == table.name
                && match &relation.schema {
                    Some(schema) => *schema == table.schema,
                    None => table.schema == "public" && !self.ctes.contains(&table.name),
                }
        })
    }

    /// The text range of `relation`'s alias column list, with an alias that only repeats its
    /// name, when the list names `columns` as they are: PostgreSQL prints neither then.
    fn unneeded_alias_list(&self, relation: &Relation, columns: &[&str]) -> Option<(usize, usize)> {
        let alias = relation.alias_index?;
        let mut listed = Vec::new();
        let mut index = alias + 2;
        loop {
            listed.push(self.word(index)?);
            match &self.tokens.get(index + 1)?.token {
                Token::Comma => index += 2,
                Token::RParen => break,
                _ => return None,
            }
        }
        if listed != columns {
            return None;
        }
        let bare_alias = relation.alias.as_deref() == Some(relation.name.as_str())
            && alias == relation.name_index + 1;
        let start = match bare_alias {
            true => self.tokens[relation.name_index].end,
            false => self.tokens[alias].end,
        };
        Some((start, self.tokens[index + 1].end))
    }

    fn word(&self, index: usize) -> Option<&str> {
        self.tokens.get(index)?.word.as_deref()
    }

    fn keyword(&self, index: usize) -> Option<String> {
        match &self.tokens.get(index)?.token {
            Token::Word(word) if word.quote_style.is_none() => Some(word.value.to_uppercase()),
            _ => None,
        }
    }

    fn keyword_is(&self, index: usize, keyword: &str) -> bool {
        self.keyword(index).as_deref() == Some(keyword)
    }

    fn is(&self, index: usize, token: &Token) -> bool {
        self.tokens
            .get(index)
            .is_some_and(|spanned| spanned.token == *token)
    }

    fn follows_period(&self, index: usize) -> bool {
        index
            .checked_sub(1)
            .is_some_and(|previous| self.is(previous, &Token::Period))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(name: &str) -> QualifiedName {
        QualifiedName::new("public", name)
    }

    fn relation(query: &str, old: &str, new: &str) -> String {
        rename_relation_in_query(&Expr::new(query), &table(old), new)
            .as_str()
            .to_string()
    }

    fn column(query: &str, on: &str, old: &str, new: &str) -> String {
        let columns = ["id", old, "c"].map(str::to_string);
        rename_column_in_query(&Expr::new(query), &table(on), old, new, &columns)
            .as_str()
            .to_string()
    }

    #[test]
    fn relations_and_their_qualifiers_are_renamed() {
        assert_eq!(
            relation(
                " SELECT t.a,\n    t.id\n   FROM t\n  WHERE t.a > 0;",
                "t",
                "u"
            ),
            " SELECT u.a,\n    u.id\n   FROM u\n  WHERE u.a > 0;"
        );
        assert_eq!(
            relation(
                "SELECT v.a, x.a AS xa FROM v JOIN t x ON x.id = v.id",
                "t",
                "u"
            ),
            "SELECT v.a, x.a AS xa FROM v JOIN u x ON x.id = v.id"
        );
        // Another schema's relation of the same name, and a WITH query, are not it.
        assert_eq!(
            relation("SELECT t.a FROM s.t", "t", "u"),
            "SELECT t.a FROM s.t"
        );
        assert_eq!(
            relation("WITH t AS (SELECT 1 AS a) SELECT t.a FROM t", "t", "u"),
            "WITH t AS (SELECT 1 AS a) SELECT t.a FROM t"
        );
        assert_eq!(
            relation("SELECT q.a FROM ( SELECT t.a FROM public.t) q", "t", "New"),
            "SELECT q.a FROM ( SELECT \"New\".a FROM public.\"New\") q"
        );
    }

    #[test]
    fn renamed_columns_keep_the_output_names_they_gave() {
        assert_eq!(
            column(
                " SELECT u.a,\n    u.id,\n    u.a + 1 AS a1\n   FROM u\n  WHERE u.a > 0\n  GROUP BY u.a;",
                "u",
                "a",
                "b"
            ),
            " SELECT u.b AS a,\n    u.id,\n    u.b + 1 AS a1\n   FROM u\n  WHERE u.b > 0\n  GROUP BY u.b;"
        );
        assert_eq!(
            column(
                "SELECT DISTINCT ON (a) a, c FROM u ORDER BY a",
                "u",
                "a",
                "b"
            ),
            "SELECT DISTINCT ON (b) b AS a, c FROM u ORDER BY b"
        );
        assert_eq!(
            column(
                "SELECT p.a AS kilos, q.a FROM u p JOIN w q ON q.id = p.id",
                "u",
                "a",
                "b"
            ),
            "SELECT p.b AS kilos, q.a FROM u p JOIN w q ON q.id = p.id"
        );
        assert_eq!(
            column("SELECT q.a FROM (SELECT u.a FROM u) q", "u", "a", "b"),
            "SELECT q.a FROM (SELECT u.b AS a FROM u) q"
        );
        assert_eq!(
            column("SELECT w.z FROM w UNION SELECT u.a FROM u", "u", "a", "b"),
            "SELECT w.z FROM w UNION SELECT u.b AS a FROM u"
        );
    }

    #[test]
    fn a_using_list_gives_the_table_an_alias_column_list() {
        // As pg_get_viewdef prints it after `ALTER TABLE u RENAME COLUMN a TO b` (PostgreSQL 15).
        assert_eq!(
            column(
                " SELECT u.a,\n    w.z\n   FROM (u\n     JOIN w USING (a));",
                "u",
                "a",
                "b"
            ),
            " SELECT u.a,\n    w.z\n   FROM (u u(id, a, c)\n     JOIN w USING (a));"
        );
        assert_eq!(
            column("SELECT p.a FROM u p JOIN w USING (a)", "u", "a", "b"),
            "SELECT p.a FROM u p(id, a, c) JOIN w USING (a)"
        );
        // Read through its alias column list, the table's columns keep their names; once
        // they are named so again, the list goes.
        let aliased = "SELECT u.a FROM (u u(id, a, c) JOIN w USING (a)) WHERE u.a > 0";
        assert_eq!(column(aliased, "u", "a", "b"), aliased);
        assert_eq!(
            column(aliased, "u", "z", "a"),
            "SELECT u.a FROM (u JOIN w USING (a)) WHERE u.a > 0"
        );
        let other = "SELECT w.a FROM w";
        assert_eq!(column(other, "u", "a", "b"), other);
    }
}
