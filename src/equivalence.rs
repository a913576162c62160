//! Offline expression equivalence: when no server can canonicalize a schema file, decides
//! whether two SQL texts mean what PostgreSQL would store as the same expression.
//!
//! With a server, `shadow` lets PostgreSQL print both sides and equality is textual. Without
//! one, the current side comes from replayed SQL (often the server's own text, `(0)::numeric`)
//! and the desired side from the file (`0`). Both are parsed with sqlparser and reduced by
//! named rules to a key: parentheses the parser already resolved, casts PostgreSQL adds to
//! literals, `IN (...)` spelled `= ANY (ARRAY[...])`, case of unquoted names, and in view
//! queries over one relation the qualifiers `pg_get_viewdef` adds. Equal keys mean equal for the diff; the
//! desired side then takes the current side's text, so nothing spurious is generated.

use std::ops::ControlFlow;

use sqlparser::ast::{
    visit_expressions_mut, visit_relations_mut, BinaryOperator, CastKind, DataType, Expr, Ident,
    InTarget, ObjectNamePart, SelectItem, SetExpr, Statement, UnaryOperator, Value,
};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::keywords::Keyword;
use sqlparser::parser::Parser;
use sqlparser::tokenizer::{Token, TokenWithSpan, Tokenizer};

use crate::model::{self, IndexTarget, Schema};

/// Trees taller than this are compared as text. sqlparser builds a chain of operators
/// (`a + b + c ...`) without recursing, as a left-deep tree as tall as the chain, but its
/// visitor, printer and destructor all recurse, so a long chain would overflow the stack.
const MAX_TREE_HEIGHT: usize = 500;

/// The key of an expression; unparsable text is its own key (whitespace collapsed), and so
/// is text whose tree could be taller than `MAX_TREE_HEIGHT`.
pub fn expression_key(text: &str) -> String {
    let dialect = PostgreSqlDialect {};
    let Some(tokens) = shallow_tokens(text) else {
        return collapse_whitespace(text);
    };
    let mut parser = Parser::new(&dialect).with_tokens_with_locations(tokens);
    let parsed = parser.parse_expr().and_then(|expression| {
        parser.expect_token(&Token::EOF)?;
        Ok(expression)
    });
    match parsed {
        Ok(mut expression) => {
            let _ = visit_expressions_mut(&mut expression, canonicalize);
            expression.to_string()
        }
        Err(_) => collapse_whitespace(text),
    }
}

/// The key of a view's query.
pub fn query_key(text: &str) -> String {
    let dialect = PostgreSqlDialect {};
    let Some(tokens) = shallow_tokens(text) else {
        return collapse_whitespace(text);
    };
    let parsed = Parser::new(&dialect)
        .with_tokens_with_locations(tokens)
        .parse_statements();
    let Ok(mut statements) = parsed else {
        return collapse_whitespace(text);
    };
    let _ = visit_relations_mut(&mut statements, |name| {
        if let [ObjectNamePart::Identifier(schema), _] = name.0.as_slice() {
            if schema.quote_style.is_none() && schema.value.eq_ignore_ascii_case("public") {
                name.0.remove(0);
            }
        }
        for part in &mut name.0 {
            if let ObjectNamePart::Identifier(ident) = part {
                quote_folded(ident);
            }
        }
        ControlFlow::<()>::Continue(())
    });
    // With one relation in FROM, `students.id` and `id` are the same column (PostgreSQL
    // prints the former); with several, the qualifier says which table, so it stays.
    let single_relation = statements.iter().all(|statement| match statement {
        Statement::Query(query) => match query.body.as_ref() {
            SetExpr::Select(select) => {
                select.from.len() == 1 && select.from.iter().all(|from| from.joins.is_empty())
            }
            _ => false,
        },
        _ => false,
    });
    let _ = visit_expressions_mut(&mut statements, |expression| {
        if let (true, Expr::CompoundIdentifier(parts)) = (single_relation, &expression) {
            if let Some(column) = parts.last().cloned() {
                *expression = Expr::Identifier(column);
            }
        }
        canonicalize(expression)
    });
    for statement in &mut statements {
        if let Statement::Query(query) = statement {
            if let SetExpr::Select(select) = query.body.as_mut() {
                for item in &mut select.projection {
                    drop_implicit_alias(item);
                }
            }
        }
    }
    statements
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// The tokens of `text`, unless the tree sqlparser would build from them could be taller
/// than `MAX_TREE_HEIGHT`.
fn shallow_tokens(text: &str) -> Option<Vec<TokenWithSpan>> {
    let tokens = Tokenizer::new(&PostgreSqlDialect {}, text)
        .tokenize_with_location()
        .ok()?;
    (height_bound(&tokens) <= MAX_TREE_HEIGHT).then_some(tokens)
}

/// An upper bound on the height of sqlparser's tree for `tokens`, up to a constant factor
/// per pair of parentheses (whose nesting the parser limits itself). A path from the root
/// passes each operator-like token of its list item at most once (anything but a name, a
/// literal, a comma or a bracket counts), then enters one parenthesized group; items
/// separated by commas are siblings.
fn height_bound(tokens: &[TokenWithSpan]) -> usize {
    // The outermost group is the text itself; groups left open close at the end.
    let mut groups = vec![Group::default()];
    for token in tokens {
        match &token.token {
            Token::LParen | Token::LBracket => groups.push(Group::default()),
            Token::RParen | Token::RBracket => close_group(&mut groups),
            Token::Whitespace(_)
            | Token::EOF
            | Token::Number(..)
            | Token::SingleQuotedString(_) => {}
            Token::Word(word) if word.keyword == Keyword::NoKeyword => {}
            other => {
                if let Some(group) = groups.last_mut() {
                    match other {
                        Token::Comma => group.end_item(),
                        _ => group.operators += 1,
                    }
                }
            }
        }
    }
    while groups.len() > 1 {
        close_group(&mut groups);
    }
    groups.first().map_or(0, Group::height)
}

/// A parenthesized group (or the whole text) while `height_bound` reads it.
#[derive(Default)]
struct Group {
    /// Operator-like tokens of the current item.
    operators: usize,
    /// The tallest group closed inside the current item.
    tallest_inner: usize,
    /// The tallest item finished before the current one.
    tallest_item: usize,
}

impl Group {
    fn height(&self) -> usize {
        self.tallest_item.max(self.operators + self.tallest_inner)
    }

    fn end_item(&mut self) {
        self.tallest_item = self.height();
        self.operators = 0;
        self.tallest_inner = 0;
    }
}

/// Closes the innermost group into its parent; a stray closing bracket closes nothing.
fn close_group(groups: &mut Vec<Group>) {
    if groups.len() < 2 {
        return;
    }
    let height = groups.pop().map_or(0, |group| group.height()) + 1;
    if let Some(parent) = groups.last_mut() {
        parent.tallest_inner = parent.tallest_inner.max(height);
    }
}

/// Gives `desired` the text of `current` wherever the two mean the same by key, so that
/// only real differences remain for `diff`.
pub fn align(current: &Schema, desired: &mut Schema) {
    for (name, table) in &mut desired.tables {
        let Some(old) = current.tables.get(name) else {
            continue;
        };
        for column in &mut table.columns {
            let Some(old_column) = old.column(&column.name) else {
                continue;
            };
            adopt(&mut column.default, &old_column.default);
            adopt(&mut column.generated, &old_column.generated);
        }
        for (check_name, check) in &mut table.checks {
            if let Some(old_check) = old.checks.get(check_name) {
                adopt_expression(&mut check.expression, &old_check.expression);
            }
        }
        for (index_name, index) in &mut table.indexes {
            if let Some(old_index) = old.indexes.get(index_name) {
                align_index(index, old_index);
            }
        }
        for (exclusion_name, exclusion) in &mut table.exclusions {
            if let Some(old_exclusion) = old.exclusions.get(exclusion_name) {
                adopt(&mut exclusion.predicate, &old_exclusion.predicate);
                for (element, old_element) in
                    exclusion.elements.iter_mut().zip(&old_exclusion.elements)
                {
                    align_key(&mut element.key, &old_element.key);
                }
            }
        }
        align_triggers(&mut table.triggers, &old.triggers);
        align_partitioning(table, old);
        for (policy_name, policy) in &mut table.policies {
            if let Some(old_policy) = old.policies.get(policy_name) {
                adopt(&mut policy.using, &old_policy.using);
                adopt(&mut policy.with_check, &old_policy.with_check);
            }
        }
    }
    for (name, function) in &mut desired.functions {
        if let Some(old) = current.functions.get(name) {
            align_function(function, old);
        }
    }
    for (name, domain) in &mut desired.domains {
        let Some(old) = current.domains.get(name) else {
            continue;
        };
        adopt(&mut domain.default, &old.default);
        for (check_name, check) in &mut domain.checks {
            if let Some(old_check) = old.checks.get(check_name) {
                adopt_expression(&mut check.expression, &old_check.expression);
            }
        }
    }
    for (name, view) in &mut desired.views {
        let Some(old) = current.views.get(name) else {
            continue;
        };
        if query_key(view.definition.as_str()) == query_key(old.definition.as_str()) {
            view.definition = old.definition.clone();
        }
        align_triggers(&mut view.triggers, &old.triggers);
        for (index_name, index) in &mut view.indexes {
            if let Some(old_index) = old.indexes.get(index_name) {
                align_index(index, old_index);
            }
        }
    }
}

/// Argument defaults by expression key; a SQL-standard body by the key of its expression
/// (`RETURN`) or of its statements (`BEGIN ATOMIC`). Other bodies are the language
/// handler's text, which PostgreSQL keeps exactly, so they compare exactly.
fn align_function(function: &mut model::Function, old: &model::Function) {
    for (argument, old_argument) in function.arguments.iter_mut().zip(&old.arguments) {
        adopt(&mut argument.default, &old_argument.default);
    }
    if let (model::FunctionBody::Sql(body), model::FunctionBody::Sql(old_body)) =
        (&function.body, &old.body)
    {
        if body != old_body && sql_body_key(body) == sql_body_key(old_body) {
            function.body = old.body.clone();
        }
    }
}

fn sql_body_key(body: &str) -> String {
    let trimmed = body.trim();
    let word = |text: &str, word: &str| {
        text.get(..word.len())
            .is_some_and(|start| start.eq_ignore_ascii_case(word))
    };
    if word(trimmed, "RETURN") {
        return format!("RETURN {}", expression_key(&trimmed["RETURN".len()..]));
    }
    let inner = trimmed
        .get("BEGIN".len()..)
        .map(str::trim_start)
        .filter(|rest| word(rest, "ATOMIC"))
        .and_then(|rest| rest.get("ATOMIC".len()..))
        .and_then(|rest| {
            let end = rest.len().checked_sub("END".len())?;
            word(rest.get(end..)?, "END")
                .then(|| rest.get(..end))
                .flatten()
        });
    match inner {
        Some(statements) => format!("BEGIN ATOMIC {} END", query_key(statements)),
        None => collapse_whitespace(trimmed),
    }
}

fn align_triggers(
    triggers: &mut model::NameMap<model::Trigger>,
    old: &model::NameMap<model::Trigger>,
) {
    for (trigger_name, trigger) in triggers {
        if let Some(old_trigger) = old.get(trigger_name) {
            adopt(&mut trigger.condition, &old_trigger.condition);
        }
    }
}

/// Partition key expressions and bound values, which the server prints its own way
/// (`'2006-02-01'::date` as `'2006-02-01'`).
fn align_partitioning(table: &mut model::Table, old: &model::Table) {
    if let (Some(key), Some(old_key)) = (&mut table.partition_by, &old.partition_by) {
        for (column, old_column) in key.columns.iter_mut().zip(&old_key.columns) {
            if let (IndexTarget::Expression(expression), IndexTarget::Expression(old_expression)) =
                (&mut column.target, &old_column.target)
            {
                adopt_expression(expression, old_expression);
            }
        }
    }
    if let (Some(partition_of), Some(old_partition_of)) =
        (&mut table.partition_of, &old.partition_of)
    {
        let mut old_bound = old_partition_of.bound.clone();
        let old_values = old_bound.values_mut();
        let values = partition_of.bound.values_mut();
        if values.len() == old_values.len() {
            for (value, old_value) in values.into_iter().zip(old_values) {
                if *value != *old_value
                    && bound_value_key(value.as_str()) == bound_value_key(old_value.as_str())
                {
                    *value = old_value.clone();
                }
            }
        }
    }
}

/// A bound value is coerced to its key column's type, so a number the server prints quoted
/// (`'100'` under a bigint key, `'-3'` under an integer one) is that number.
fn bound_value_key(text: &str) -> String {
    let number = text
        .strip_prefix('\'')
        .and_then(|text| text.strip_suffix('\''))
        .filter(|inner| {
            let digits = inner.strip_prefix('-').unwrap_or(inner);
            digits.starts_with(|c: char| c.is_ascii_digit())
                && digits.chars().all(|c| c.is_ascii_digit() || c == '.')
        });
    expression_key(number.unwrap_or(text))
}

fn align_index(index: &mut model::Index, old: &model::Index) {
    adopt(&mut index.predicate, &old.predicate);
    for (key, old_key) in index.keys.iter_mut().zip(&old.keys) {
        align_key(key, old_key);
    }
}

fn align_key(key: &mut model::IndexKey, old: &model::IndexKey) {
    if let (IndexTarget::Expression(expression), IndexTarget::Expression(old_expression)) =
        (&mut key.target, &old.target)
    {
        adopt_expression(expression, old_expression);
    }
}

fn adopt(expression: &mut Option<model::Expr>, old: &Option<model::Expr>) {
    if let (Some(expression), Some(old)) = (expression, old) {
        adopt_expression(expression, old);
    }
}

fn adopt_expression(expression: &mut model::Expr, old: &model::Expr) {
    if expression != old && expression_key(expression.as_str()) == expression_key(old.as_str()) {
        *expression = old.clone();
    }
}

/// One bottom-up rewrite step; children are already canonical when a node is visited.
fn canonicalize(expression: &mut Expr) -> ControlFlow<()> {
    let replacement = match expression {
        Expr::Nested(inner) => Some(take(inner)),
        // PostgreSQL prints the type it resolved for a literal: `0::numeric`, `'x'::text`.
        Expr::Cast {
            kind: CastKind::DoubleColon | CastKind::Cast,
            expr,
            data_type,
            ..
        } if is_literal(expr)
            || is_array_of_literals(expr)
            || is_text_cast_of_column(expr, data_type) =>
        {
            Some(take(expr))
        }
        // PostgreSQL stores `x BETWEEN a AND b` as `x >= a AND x <= b`.
        Expr::Between {
            expr,
            negated,
            low,
            high,
        } => {
            let (low_op, high_op, join) = match negated {
                false => (
                    BinaryOperator::GtEq,
                    BinaryOperator::LtEq,
                    BinaryOperator::And,
                ),
                true => (BinaryOperator::Lt, BinaryOperator::Gt, BinaryOperator::Or),
            };
            let operand = take(expr);
            Some(Expr::BinaryOp {
                left: Box::new(Expr::BinaryOp {
                    left: Box::new(operand.clone()),
                    op: low_op,
                    right: Box::new(take(low)),
                }),
                op: join,
                right: Box::new(Expr::BinaryOp {
                    left: Box::new(operand),
                    op: high_op,
                    right: Box::new(take(high)),
                }),
            })
        }
        Expr::TypedString(typed) => Some(Expr::Value(typed.value.clone())),
        Expr::Interval(interval) if interval.leading_field.is_none() => {
            Some(take(&mut interval.value))
        }
        // `x = ANY (ARRAY[a, b])` is how PostgreSQL stores `x IN (a, b)`.
        Expr::AnyOp {
            left,
            compare_op: BinaryOperator::Eq,
            right,
            ..
        } => match right.as_mut() {
            Expr::Array(array) => Some(Expr::In {
                expr: Box::new(take(left)),
                target: InTarget::List(std::mem::take(&mut array.elem)),
                negated: false,
                global: false,
            }),
            _ => None,
        },
        Expr::AllOp {
            left,
            compare_op: BinaryOperator::NotEq,
            right,
        } => match right.as_mut() {
            Expr::Array(array) => Some(Expr::In {
                expr: Box::new(take(left)),
                target: InTarget::List(std::mem::take(&mut array.elem)),
                negated: true,
                global: false,
            }),
            _ => None,
        },
        Expr::Identifier(ident) => {
            quote_folded(ident);
            None
        }
        Expr::CompoundIdentifier(parts) => {
            parts.iter_mut().for_each(quote_folded);
            None
        }
        Expr::Function(function) => {
            for part in &mut function.name.0 {
                if let ObjectNamePart::Identifier(ident) = part {
                    fold(ident);
                }
            }
            None
        }
        _ => None,
    };
    if let Some(replacement) = replacement {
        *expression = replacement;
        // The replacement's own children were canonical already; it may itself need a step.
        return canonicalize(expression);
    }
    parenthesize_operands(expression);
    ControlFlow::Continue(())
}

/// With every source parenthesis gone, operands that are themselves operations get one
/// back, so the printed key is unambiguous whatever the input's parentheses were.
fn parenthesize_operands(expression: &mut Expr) {
    let operands: Vec<&mut Box<Expr>> = match expression {
        Expr::BinaryOp { left, right, .. } => vec![left, right],
        Expr::UnaryOp { expr, .. }
        | Expr::IsNull(expr)
        | Expr::IsNotNull(expr)
        | Expr::Cast { expr, .. }
        | Expr::In { expr, .. }
        | Expr::Between { expr, .. }
        | Expr::Like { expr, .. }
        | Expr::ILike { expr, .. } => vec![expr],
        _ => Vec::new(),
    };
    for operand in operands {
        if is_operation(operand) {
            let inner = take(operand);
            **operand = Expr::Nested(Box::new(inner));
        }
    }
}

fn is_operation(expression: &Expr) -> bool {
    matches!(
        expression,
        Expr::BinaryOp { .. }
            | Expr::UnaryOp { .. }
            | Expr::IsNull(_)
            | Expr::IsNotNull(_)
            | Expr::In { .. }
            | Expr::Between { .. }
            | Expr::Like { .. }
            | Expr::ILike { .. }
            | Expr::AnyOp { .. }
            | Expr::AllOp { .. }
    )
}

fn is_literal(expression: &Expr) -> bool {
    match expression {
        Expr::Value(_) => true,
        Expr::UnaryOp {
            op: UnaryOperator::Minus,
            expr,
        } => matches!(expr.as_ref(), Expr::Value(_)),
        _ => false,
    }
}

fn is_array_of_literals(expression: &Expr) -> bool {
    matches!(expression, Expr::Array(array) if array.elem.iter().all(is_literal))
}

/// `(status)::text` where `status` is `character varying`: PostgreSQL's implicit cast.
fn is_text_cast_of_column(expression: &Expr, data_type: &DataType) -> bool {
    matches!(
        expression,
        Expr::Identifier(_) | Expr::CompoundIdentifier(_)
    ) && matches!(data_type, DataType::Text)
}

/// `count(*) AS count`: `pg_get_viewdef` names every output column; the name a column
/// would get anyway is not a difference.
fn drop_implicit_alias(item: &mut SelectItem) {
    if let SelectItem::ExprWithAlias { expr, alias } = item {
        let implicit = match expr {
            Expr::Identifier(ident) => Some(ident.value.clone()),
            Expr::Function(function) => function.name.0.last().and_then(|part| match part {
                ObjectNamePart::Identifier(ident) => Some(ident.value.clone()),
                ObjectNamePart::Function(_) => None,
            }),
            _ => None,
        };
        quote_folded(alias);
        if implicit.as_deref() == Some(alias.value.as_str()) {
            *item = SelectItem::UnnamedExpr(take_expr(expr));
        }
    }
}

/// Unquoted names fold to lower case, as PostgreSQL does.
fn fold(ident: &mut Ident) {
    if ident.quote_style.is_none() {
        ident.value = ident.value.to_lowercase();
    }
}

/// A relation or column name folded, then always quoted: `b.position` and the server's
/// `b."position"` are one column. Function names are only folded, since a bare
/// `current_date` is a call and a quoted `"current_date"` a column.
fn quote_folded(ident: &mut Ident) {
    fold(ident);
    ident.quote_style = Some('"');
}

fn take(boxed: &mut Box<Expr>) -> Expr {
    take_expr(boxed.as_mut())
}

fn take_expr(expression: &mut Expr) -> Expr {
    std::mem::replace(expression, Expr::value(Value::Null))
}

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) {
        assert_eq!(expression_key(a), expression_key(b), "{a}  vs  {b}");
    }

    fn different(a: &str, b: &str) {
        assert_ne!(expression_key(a), expression_key(b), "{a}  vs  {b}");
    }

    #[test]
    fn server_spelling_matches_hand_written() {
        same(
            "gpa >= 0 AND gpa <= 4",
            "gpa >= 0::numeric AND gpa <= 4::numeric",
        );
        same("(price > (0)::numeric)", "price > 0");
        same("'enrolled'", "'enrolled'::enrollment_status");
        same("LOWER(Email)", "lower(email)");
        same(
            "status IN ('a', 'b')",
            "(status)::text = ANY ((ARRAY['a'::character varying, 'b'::character varying])::text[])",
        );
        same("now() - interval '1 day'", "now() - '1 day'::interval");
        same(
            "gpa BETWEEN 0 AND 4",
            "gpa >= 0::numeric AND gpa <= 4::numeric",
        );
    }

    #[test]
    fn bound_values_are_numbers_however_quoted() {
        assert_eq!(bound_value_key("'100'"), bound_value_key("100"));
        assert_eq!(bound_value_key("'-3'"), bound_value_key("-3"));
        assert_eq!(bound_value_key("1.5"), bound_value_key("'1.5'"));
        assert_ne!(bound_value_key("'a100'"), bound_value_key("100"));
        assert_ne!(bound_value_key("'2024-01-01'"), bound_value_key("2024"));
    }

    #[test]
    fn precedence_is_kept() {
        different("(a + b) * c", "a + b * c");
        same("a + (b * c)", "a + b * c");
        different("(a + b)::text", "a + b::text");
    }

    #[test]
    fn view_queries_ignore_qualifiers_and_implicit_aliases() {
        assert_eq!(
            query_key("SELECT id, count(*) FROM public.students GROUP BY id"),
            query_key(" SELECT students.id,\n    count(*) AS count\n   FROM students\n  GROUP BY students.id"),
        );
        assert_ne!(
            query_key("SELECT id FROM students"),
            query_key("SELECT id FROM teachers"),
        );
        // The server quotes a column named after a keyword; the name is the same.
        assert_eq!(
            query_key("SELECT b.position AS pos, p.Status FROM t b JOIN u p ON p.id = b.id"),
            query_key(
                "SELECT b.\"position\" AS \"pos\", p.status FROM t b JOIN u p ON p.id = b.id"
            ),
        );
        assert_ne!(
            query_key("SELECT \"Status\" FROM t"),
            query_key("SELECT status FROM t"),
        );
        different("current_date", "\"current_date\"");
        same("\"Price\" > 0", "\"Price\" > (0)::numeric");
        assert_ne!(
            query_key("SELECT a.name FROM a JOIN b ON a.id = b.id"),
            query_key("SELECT b.name FROM a JOIN b ON a.id = b.id"),
        );
    }

    #[test]
    fn trees_that_could_overflow_the_stack_are_compared_as_text() {
        // Within the bound the key is canonical, on a test thread's small stack too.
        let chain = vec!["a"; MAX_TREE_HEIGHT].join(" + ");
        same(&format!("({chain})"), &chain);
        // 20k operators would make a tree 20k deep; the text is the key instead.
        let long_chain = vec!["1"; 20_000].join(" +\n");
        assert_eq!(
            expression_key(&long_chain),
            collapse_whitespace(&long_chain)
        );
        different(&long_chain, &format!("{long_chain} + 1"));
        let view = format!("SELECT {long_chain} FROM t");
        assert_eq!(query_key(&view), collapse_whitespace(&view));
        // Commas separate siblings, so a wide list is not a tall tree.
        let wide = vec!["a + 1"; 10_000].join(", ");
        assert!(height_bound(&tokens(&format!("SELECT {wide} FROM t"))) < 10);
    }

    fn tokens(text: &str) -> Vec<TokenWithSpan> {
        Tokenizer::new(&PostgreSqlDialect {}, text)
            .tokenize_with_location()
            .expect("tokenizes")
    }
}
