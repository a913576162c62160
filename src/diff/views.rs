//! Views: kept, changed in place, replaced (`CREATE OR REPLACE VIEW`) or dropped and
//! created again.

use std::borrow::Cow;
use std::collections::BTreeSet;

use sqlparser::ast::{SetExpr, Statement};
use sqlparser::dialect::PostgreSqlDialect;
use sqlparser::parser::Parser;

use super::{triggers, Change};
use crate::function_aliases::{positional_alias_lists, same_query, RenamedColumns};
use crate::model::{QualifiedName, Schema, View};

/// Views are matched by name and replaced whole when their query, kind or indexes differ,
/// unless `CREATE OR REPLACE VIEW` can keep them (`appends_columns`); options and comments
/// change in place (`in_place_view_changes`). What reads a replaced view is
/// `rebuild_dependents`'s.
pub(super) fn diff_views(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    for (name, current_view) in &current.views {
        // A query that differs only in the alias lists of functions over composites
        // (`function_aliases`) is the current one.
        let desired_view = desired.views.get(name).map(|desired_view| {
            match same_query(current_view, current, desired_view, desired) {
                true if current_view.definition != desired_view.definition => Cow::Owned(View {
                    definition: current_view.definition.clone(),
                    ..desired_view.clone()
                }),
                _ => Cow::Borrowed(desired_view),
            }
        });
        match desired_view.as_deref() {
            Some(desired_view) if desired_view.same_relation_as(current_view) => {
                changes.extend(in_place_view_changes(current_view, desired_view));
                triggers::diff_view(current_view, desired_view, changes);
            }
            Some(desired_view) if appends_columns(current_view, desired_view) => {
                changes.push(Change::ReplaceView {
                    from: current_view.clone(),
                    to: desired_view.clone(),
                });
                changes.extend(in_place_view_changes(current_view, desired_view));
                triggers::diff_view(current_view, desired_view, changes);
            }
            desired_view => {
                changes.push(Change::DropView(current_view.clone()));
                if let Some(desired_view) = desired_view {
                    changes.push(Change::CreateView(desired_view.clone()));
                }
            }
        }
    }
    for (name, desired_view) in &desired.views {
        if !current.views.contains_key(name) {
            changes.push(Change::CreateView(desired_view.clone()));
        }
    }
}

/// `ALTER VIEW ... SET/RESET` and `COMMENT ON` for a view that is otherwise kept. Were it
/// also rebuilt around a change below it, these run after it is created again and set
/// what the creation already set.
fn in_place_view_changes(current: &View, desired: &View) -> Vec<Change> {
    let mut changes = Vec::new();
    if current.options != desired.options {
        changes.push(Change::AlterViewOptions {
            view: desired.name.clone(),
            from: current.options,
            to: desired.options,
        });
    }
    if current.comment != desired.comment {
        changes.push(Change::CommentOnView {
            view: desired.name.clone(),
            materialized: desired.materialized,
            from: current.comment.clone(),
            to: desired.comment.clone(),
        });
    }
    let columns: BTreeSet<&String> = current
        .column_comments
        .keys()
        .chain(desired.column_comments.keys())
        .collect();
    for column in columns {
        let (from, to) = (
            current.column_comments.get(column),
            desired.column_comments.get(column),
        );
        if from != to {
            changes.push(Change::CommentOnViewColumn {
                view: desired.name.clone(),
                column: column.clone(),
                from: from.cloned(),
                to: to.cloned(),
            });
        }
    }
    changes
}

/// Whether `CREATE OR REPLACE VIEW` turns `from` into `to`: a plain view whose new query
/// is the old one with columns appended to its select list and nothing else changed, so
/// the leading columns keep their names and types (PostgreSQL's condition) and what reads
/// the view, its triggers, grants and comments stay.
pub(super) fn appends_columns(from: &View, to: &View) -> bool {
    if from.materialized || to.materialized || from.indexes != to.indexes {
        return false;
    }
    let select = |view: &View| {
        let statements = Parser::parse_sql(&PostgreSqlDialect {}, view.definition.as_str()).ok()?;
        let [Statement::Query(query)] = statements.as_slice() else {
            return None;
        };
        let mut query = query.clone();
        let SetExpr::Select(select) = query.body.as_mut() else {
            return None;
        };
        let projection = std::mem::take(&mut select.projection);
        Some((projection, query))
    };
    let (Some((before, rest_before)), Some((after, rest_after))) = (select(from), select(to))
    else {
        return false;
    };
    after.len() > before.len() && after.starts_with(&before) && rest_before == rest_after
}

/// Turns each `ReplaceView` that `CREATE OR REPLACE VIEW` cannot do (the way back from
/// appended columns drops them) into dropping the view and creating it again. The created
/// view has no comments yet, so removing one is left out: its column may be gone.
pub(super) fn expand_unreplaceable(changes: &mut Vec<Change>) {
    let mut created = Vec::new();
    for change in changes.iter_mut() {
        if let Change::ReplaceView { from, to } = change {
            if !appends_columns(from, to) {
                created.push(Change::CreateView(to.clone()));
                *change = Change::DropView(from.clone());
            }
        }
    }
    changes.retain(|change| {
        !matches!(change, Change::CommentOnViewColumn { view, to: None, .. }
            if created.iter().any(|created| matches!(created, Change::CreateView(c) if &c.name == view)))
    });
    changes.extend(created);
}

/// Views `changes` create (from `after`) that rename a function's composite result columns
/// in an alias list (`FROM f() g(x, y)`), where the composite's columns will stand in another
/// order than `after` declares them (a column dropped and added again comes last; autogen
/// does not keep column order): PostgreSQL binds such a list by position, so the view would
/// read each column under another's name. In words, for the refusal, of the way there
/// (`current` to `desired`) and back, once each.
pub fn reordered_alias_lists(
    current: &Schema,
    desired: &Schema,
    [up, down]: [&[Change]; 2],
) -> Vec<String> {
    let mut problems = reordered_alias_lists_of(current, desired, up);
    problems.extend(reordered_alias_lists_of(desired, current, down));
    problems.sort();
    problems.dedup();
    problems
}

fn reordered_alias_lists_of(before: &Schema, after: &Schema, changes: &[Change]) -> Vec<String> {
    let created: Vec<&View> = changes
        .iter()
        .filter_map(|change| match change {
            Change::CreateView(view) | Change::ReplaceView { to: view, .. } => Some(view),
            _ => None,
        })
        .collect();
    let lists: Vec<(&View, RenamedColumns)> = created
        .into_iter()
        .flat_map(|view| {
            positional_alias_lists(view, after)
                .into_iter()
                .map(move |list| (view, list))
        })
        .collect();
    if lists.is_empty() {
        return Vec::new();
    }
    let migrated = as_migrated(before, after, changes);
    let mut problems = Vec::new();
    for (view, list) in lists {
        let Some(standing) = positional_alias_lists(view, &migrated)
            .into_iter()
            .find(|again| again.function == list.function && again.aliases == list.aliases)
            .map(|again| again.columns)
        else {
            continue;
        };
        let RenamedColumns {
            function,
            aliases,
            columns: declared,
        } = list;
        if standing != declared {
            problems.push(format!(
                "view {} renames the result columns of function {function} by position ({}), \
                 but after the migration they stand as ({}), not as declared ({}): write the \
                 view without the alias list, or migrate the columns in a revision of their own",
                view.name,
                aliases.join(", "),
                standing.join(", "),
                declared.join(", "),
            ));
        }
    }
    problems
}

/// `after` with the columns of the tables and composite types `before` has in the order a
/// migration leaves them: those kept where they stood, the others after them.
fn as_migrated(before: &Schema, after: &Schema, changes: &[Change]) -> Schema {
    let moved: BTreeSet<(&QualifiedName, &str)> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropColumn { table, column, .. } => Some((table, column.name.as_str())),
            Change::AlterColumn {
                table, from, to, ..
            } if from.generated != to.generated => Some((table, from.name.as_str())),
            _ => None,
        })
        .collect();
    let recreated: BTreeSet<&QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropTable(table) => Some(&table.name),
            _ => None,
        })
        .collect();
    let mut migrated = after.clone();
    for (name, table) in &mut migrated.tables {
        let Some(old) = before
            .tables
            .get(name)
            .filter(|_| !recreated.contains(name))
        else {
            continue;
        };
        let position = |column: &str| match moved.contains(&(name, column)) {
            true => None,
            false => old.columns.iter().position(|old| old.name == column),
        };
        table
            .columns
            .sort_by_key(|column| position(&column.name).map_or((1, 0), |at| (0, at)));
    }
    for (name, composite) in &mut migrated.composite_types {
        let Some(old) = before.composite_types.get(name) else {
            continue;
        };
        let position = |attribute: &crate::model::Attribute| {
            old.attributes.iter().position(|old| old == attribute)
        };
        composite
            .attributes
            .sort_by_key(|attribute| position(attribute).map_or((1, 0), |at| (0, at)));
    }
    migrated
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Expr, QualifiedName, ViewOptions};

    fn view(query: &str) -> View {
        View {
            name: QualifiedName::new("public", "v"),
            definition: Expr::new(query),
            materialized: false,
            options: ViewOptions::default(),
            indexes: Default::default(),
            comment: None,
            column_comments: Default::default(),
            depends_on: Default::default(),
            triggers: Default::default(),
        }
    }

    #[test]
    fn only_columns_appended_to_the_same_query_are_replaceable() {
        let old = view("SELECT t.id, t.name FROM t WHERE t.id > 0");
        assert!(appends_columns(
            &old,
            &view("SELECT t.id, t.name, t.email FROM t WHERE t.id > 0")
        ));
        assert!(!appends_columns(
            &old,
            &view("SELECT t.id, t.name FROM t WHERE t.id > 1")
        ));
        assert!(!appends_columns(
            &old,
            &view("SELECT t.name, t.id, t.email FROM t WHERE t.id > 0")
        ));
        assert!(!appends_columns(
            &old,
            &view("SELECT t.id FROM t WHERE t.id > 0")
        ));
        let mut materialized = old.clone();
        materialized.materialized = true;
        assert!(!appends_columns(
            &materialized,
            &View {
                materialized: true,
                ..view("SELECT t.id, t.name, t.email FROM t WHERE t.id > 0")
            }
        ));
    }
}
