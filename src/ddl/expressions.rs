//! Rewrites of stored expression text that follow renames as PostgreSQL does (it stores
//! columns, types and sequences by oid), and what a view's query reads.

use super::*;

/// Byte ranges of the identifiers naming `column` in `expression`.
pub(super) fn identifier_spans(expression: &str, column: &str) -> Option<Vec<(usize, usize)>> {
    let cursor = Cursor::new(expression).ok()?;
    Some(cursor.identifier_spans(column))
}

pub(super) fn rename_in_expression(expression: &Expr, old: &str, new: &str) -> Expr {
    let text = expression.as_str();
    let Some(spans) = identifier_spans(text, old) else {
        return expression.clone();
    };
    let mut renamed = text.to_string();
    for (start, end) in spans.into_iter().rev() {
        renamed.replace_range(start..end, &quote::ident(new));
    }
    Expr::new(renamed)
}

/// `expression` with the casts to type `old` written as casts to `new`.
pub(super) fn rename_type_in_expression(expression: &Expr, old: &str, new: &str) -> Expr {
    let text = expression.as_str();
    let Ok(cursor) = Cursor::new(text) else {
        return expression.clone();
    };
    let mut renamed = text.to_string();
    for (start, end) in cursor.type_spans(old).into_iter().rev() {
        renamed.replace_range(start..end, &quote::ident(new));
    }
    Expr::new(renamed)
}

/// Rewrites every expression a table stores: defaults, generated columns, checks, and the
/// expressions and predicates of its indexes and exclusion constraints, trigger conditions
/// and policy expressions.
pub(super) fn map_expressions(table: &mut Table, rewrite: impl Fn(&Expr) -> Expr) {
    for column in &mut table.columns {
        column.default = column.default.as_ref().map(&rewrite);
        column.generated = column.generated.as_ref().map(&rewrite);
    }
    for check in table.checks.values_mut() {
        check.expression = rewrite(&check.expression);
    }
    for trigger in table.triggers.values_mut() {
        trigger.condition = trigger.condition.as_ref().map(&rewrite);
    }
    for policy in table.policies.values_mut() {
        policy.using = policy.using.as_ref().map(&rewrite);
        policy.with_check = policy.with_check.as_ref().map(&rewrite);
    }
    let rewrite_key = |key: &mut IndexKey| {
        if let IndexTarget::Expression(expression) = &key.target {
            key.target = IndexTarget::Expression(rewrite(expression));
        }
    };
    for index in table.indexes.values_mut() {
        index.predicate = index.predicate.as_ref().map(&rewrite);
        index.keys.iter_mut().for_each(rewrite_key);
    }
    for exclusion in table.exclusions.values_mut() {
        exclusion.predicate = exclusion.predicate.as_ref().map(&rewrite);
        for element in &mut exclusion.elements {
            rewrite_key(&mut element.key);
        }
    }
}

/// `expression` with every string literal `'old'` written `'new'`.
pub(super) fn replace_literal(expression: &Expr, old: &str, new: &str) -> Expr {
    let text = expression.as_str();
    let Ok(cursor) = Cursor::new(text) else {
        return expression.clone();
    };
    let mut replaced = text.to_string();
    for (start, end) in cursor.literal_spans(old).into_iter().rev() {
        replaced.replace_range(start..end, &quote::literal(new));
    }
    Expr::new(replaced)
}

/// The sequence in `nextval('name'::regclass)` or `nextval('name')`.
pub(super) fn nextval_sequence(default: &str) -> Option<QualifiedName> {
    let inner = default.strip_prefix("nextval(")?.strip_suffix(')')?;
    let inner = inner.strip_suffix("::regclass").unwrap_or(inner);
    let literal = inner.strip_prefix('\'')?.strip_suffix('\'')?;
    Cursor::new(literal).ok()?.qualified_name().ok()
}
