//! Exclusion constraints: the `EXCLUDE` clause of `CREATE TABLE` and `ALTER TABLE ... ADD`,
//! also read from `pg_get_constraintdef` by the catalog, so both sides read it alike.

use super::*;
use crate::model::{ExclusionConstraint, ExclusionElement};

/// Reads `EXCLUDE USING ... [DEFERRABLE ...]` as `pg_get_constraintdef` prints it.
pub fn exclusion_definition(name: &str, text: &str) -> Outcome<ExclusionConstraint> {
    let mut cursor = Cursor::new(text)?;
    cursor.expect_keywords(&["EXCLUDE"])?;
    let mut exclusion = exclusion_clause(&mut cursor)?;
    exclusion.name = name.to_string();
    exclusion.deferrable = deferrable(&mut cursor)?;
    cursor.expect_end()?;
    Ok(exclusion)
}

/// `[USING method] (key WITH operator, ...) [INCLUDE (...)] [WITH (...)] [WHERE (...)]`
/// after `EXCLUDE`; the name and deferrability are the caller's.
pub(super) fn exclusion_clause(cursor: &mut Cursor<'_>) -> Outcome<ExclusionConstraint> {
    // PostgreSQL's default access method for an exclusion constraint's index.
    let method = match cursor.eat_keyword("USING") {
        true => cursor.identifier()?,
        false => "btree".to_string(),
    };
    let mut elements = Vec::new();
    for mut element in cursor.parenthesized_elements()? {
        let key = index_key_before(&mut element, &["WITH"])?;
        element.expect_keywords(&["WITH"])?;
        let operator = guard::operator(&element.rest()?).map_err(|message| {
            format!("the operator of an exclusion constraint's element {message}")
        })?;
        elements.push(ExclusionElement { key, operator });
    }
    let include = match cursor.eat_keyword("INCLUDE") {
        true => cursor.identifier_list()?,
        false => Vec::new(),
    };
    let storage_parameters = match cursor.eat_keyword("WITH") {
        true => clauses::storage_parameters(cursor)?,
        false => BTreeMap::new(),
    };
    if cursor.is_keywords(&["USING", "INDEX", "TABLESPACE"]) {
        return Err(not_modelled("index tablespaces"));
    }
    let predicate = match cursor.eat_keyword("WHERE") {
        true => Some(expression(cursor.parenthesized_text()?)?),
        false => None,
    };
    Ok(ExclusionConstraint {
        name: String::new(),
        method,
        elements,
        include,
        predicate,
        storage_parameters,
        deferrable: Deferrable::NotDeferrable,
        comment: None,
    })
}

/// The column names PostgreSQL builds an exclusion constraint's default name from
/// (`ChooseIndexColumnNames`): each key's column, or its expression's figured name, then
/// the `INCLUDE` columns.
pub(super) fn name_columns(exclusion: &ExclusionConstraint) -> Vec<String> {
    exclusion
        .elements
        .iter()
        .map(|element| match &element.key.target {
            IndexTarget::Column(column) => column.clone(),
            IndexTarget::Expression(expression) => expression_column_name(expression),
        })
        .chain(exclusion.include.iter().cloned())
        .collect()
}
