//! Renames as PostgreSQL follows them: it stores columns, types and sequences by oid, so a
//! renamed column reads back renamed in every key list and expression of its table, and in
//! the queries of the views reading it. One implementation for the offline interpreter
//! (`ALTER TABLE ... RENAME`, `ALTER TYPE ... RENAME VALUE`) and the diff (declared renames,
//! `diff::rename`). Pure; a leaf over `model` and `cursor`.

mod query;
mod schema;

pub use query::{rename_column_in_query, rename_relation_in_query};
pub use schema::{
    follow_column_rename, follow_label_rename, follow_table_rename, follow_type_in,
    follow_type_rename,
};

use sqlparser::tokenizer::Token;

use crate::cursor::Cursor;
use crate::model::{Expr, IndexKey, IndexTarget, QualifiedName, Table};
use crate::syntax::quote;

/// Renames column `old` of `table` to `new` everywhere the table refers to it: the column,
/// its key, unique, foreign key (and a self-reference's referenced), index, exclusion,
/// partition key and `UPDATE OF` lists, and the text of every expression it stores. Foreign
/// keys of other tables and children are the caller's.
pub fn rename_column_within(table: &mut Table, old: &str, new: &str) {
    let rename = |columns: &mut Vec<String>| {
        for column in columns.iter_mut().filter(|column| *column == old) {
            *column = new.to_string();
        }
    };
    for column in table.columns.iter_mut().filter(|column| column.name == old) {
        column.name = new.to_string();
    }
    map_expressions(table, |expression| {
        rename_in_expression(expression, old, new)
    });
    for trigger in table.triggers.values_mut() {
        rename(&mut trigger.update_columns);
    }
    if let Some(key) = &mut table.primary_key {
        rename(&mut key.columns);
        rename(&mut key.include);
    }
    for unique in table.uniques.values_mut() {
        rename(&mut unique.columns);
        rename(&mut unique.include);
    }
    let name = table.name.clone();
    for key in table.foreign_keys.values_mut() {
        rename(&mut key.columns);
        if key.referenced_table == name {
            rename(&mut key.referenced_columns);
        }
    }
    let rename_target = |target: &mut IndexTarget| match target {
        IndexTarget::Column(column) if column == old => *column = new.to_string(),
        IndexTarget::Column(_) => {}
        IndexTarget::Expression(expression) => {
            *expression = rename_in_expression(expression, old, new)
        }
    };
    // `map_expressions` already rewrote the expressions of index and exclusion keys.
    let rename_key = |key: &mut IndexKey| {
        if let IndexTarget::Column(_) = key.target {
            rename_target(&mut key.target);
        }
    };
    for index in table.indexes.values_mut() {
        rename(&mut index.include);
        index.keys.iter_mut().for_each(rename_key);
    }
    for exclusion in table.exclusions.values_mut() {
        rename(&mut exclusion.include);
        for element in &mut exclusion.elements {
            rename_key(&mut element.key);
        }
    }
    for key in table
        .partition_by
        .iter_mut()
        .flat_map(|key| &mut key.columns)
    {
        rename_target(&mut key.target);
    }
}

/// Byte ranges of the identifiers naming `column` in `expression`.
fn identifier_spans(expression: &str, column: &str) -> Option<Vec<(usize, usize)>> {
    let cursor = Cursor::new(expression).ok()?;
    Some(cursor.identifier_spans(column))
}

pub fn rename_in_expression(expression: &Expr, old: &str, new: &str) -> Expr {
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
pub fn rename_type_in_expression(expression: &Expr, old: &str, new: &str) -> Expr {
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
pub fn map_expressions(table: &mut Table, rewrite: impl Fn(&Expr) -> Expr) {
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

/// `expression` after `ALTER TYPE enum_name RENAME VALUE old TO new`: a literal `'old'` cast
/// to the type reads `'new'`; one without a cast too when `bare` (a column of the table
/// or view has the type), not one cast to another type.
pub fn rename_label_in_expression(
    expression: &Expr,
    enum_name: &QualifiedName,
    old: &str,
    new: &str,
    bare: bool,
) -> Expr {
    let text = expression.as_str();
    let Ok(cursor) = Cursor::new(text) else {
        return expression.clone();
    };
    let tokens = cursor.spanned_tokens();
    let word = |index: usize| match tokens.get(index).map(|(token, ..)| *token) {
        Some(Token::Word(word)) if word.quote_style.is_none() => Some(word.value.to_lowercase()),
        Some(Token::Word(word)) => Some(word.value.clone()),
        _ => None,
    };
    let is = |index: usize, wanted: &Token| {
        tokens
            .get(index)
            .is_some_and(|(token, ..)| *token == wanted)
    };
    let mut replaced = text.to_string();
    for (index, (token, start, end)) in tokens.iter().enumerate().rev() {
        if !matches!(token, Token::SingleQuotedString(literal) if literal == old) {
            continue;
        }
        let cast_to_it = match is(index + 1, &Token::DoubleColon) {
            false => bare,
            true if is(index + 3, &Token::Period) => {
                word(index + 2).as_deref() == Some(enum_name.schema.as_str())
                    && word(index + 4).as_deref() == Some(enum_name.name.as_str())
            }
            true => word(index + 2).as_deref() == Some(enum_name.name.as_str()),
        };
        if cast_to_it {
            replaced.replace_range(*start..*end, &quote::literal(new));
        }
    }
    Expr::new(replaced)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn identifiers_are_renamed_as_whole_tokens_only() {
        let renamed = rename_in_expression(
            &Expr::new("(gpa >= 0::numeric) AND (gpa_max > gpa) AND note <> 'gpa' AND gpa(x)"),
            "gpa",
            "grade",
        );
        assert_eq!(
            renamed.as_str(),
            "(grade >= 0::numeric) AND (gpa_max > grade) AND note <> 'gpa' AND gpa(x)"
        );
        let quoted = rename_in_expression(&Expr::new("\"Old\" > 0"), "Old", "new name");
        assert_eq!(quoted.as_str(), "\"new name\" > 0");
    }

    #[test]
    fn labels_are_renamed_where_cast_to_their_type_or_bare() {
        let mood = QualifiedName::new("public", "mood");
        let text =
            Expr::new("m = 'ok'::mood OR n = 'ok'::text OR m = 'ok'::public.mood OR m = 'ok'");
        assert_eq!(
            rename_label_in_expression(&text, &mood, "ok", "fine", false).as_str(),
            "m = 'fine'::mood OR n = 'ok'::text OR m = 'fine'::public.mood OR m = 'ok'"
        );
        assert_eq!(
            rename_label_in_expression(&text, &mood, "ok", "fine", true).as_str(),
            "m = 'fine'::mood OR n = 'ok'::text OR m = 'fine'::public.mood OR m = 'fine'"
        );
    }
}
