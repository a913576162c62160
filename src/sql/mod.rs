//! Stage 6, render: `Plan` → `Script`, the SQL text of each step.
//!
//! Pure. Decides spelling only, never what changes or in which order. Every name goes
//! through `quote`; relation names are always schema-qualified.

mod aggregates;
mod collations;
mod constraints;
mod functions;
mod online;
mod owners;
mod parameters;
mod partitions;
mod privileges;
mod ranges;
mod sequences;
mod steps;
mod tables;
mod triggers;

pub use functions::{split_list as split_setting_list, UNCHECKED_BODIES};
pub use online::backfilled_table;

use steps::{mark_steps, Boundary};
mod types;

use crate::diff::{
    removes_or_moves_values, Change, ColumnHints, ColumnUse, Hazard, ValidatedConstraint,
};
use crate::model::{sequence_type_max, storage_type};
use crate::model::{
    CheckConstraint, Column, Compression, Constraint, Deferrable, Enum, ExclusionConstraint, Expr,
    ForeignKey, Identity, Index, IndexKey, IndexTarget, MatchType, ObjectRef, PrimaryKey,
    QualifiedName, ReferentialAction, SequenceOptions, Table, UniqueConstraint, View, ViewOptions,
};
use crate::plan::{Form, Plan};
use crate::syntax::names::column_sequence_name;
use crate::syntax::quote;
use crate::syntax::steps::Transaction;
use constraints::*;
use quote::{ident, ident_list, literal, qualified};
use tables::*;

/// Whether a script moves forward (upgrade) or undoes a revision (downgrade); a downgrade
/// notes where it recreates structure whose data the upgrade destroyed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Upgrade,
    Downgrade,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub statements: Vec<Statement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Statement {
    /// One SQL statement, without the trailing semicolon.
    pub sql: String,
    /// Warnings printed as `--` comment lines above the statement.
    pub notes: Vec<String>,
    /// What the change this statement starts does to a running application (empty on the
    /// change's further statements), for `migrate` to name the statements it refuses.
    pub hazards: Vec<Hazard>,
    /// The object the statement is about, to point errors back at their source.
    pub object: ObjectRef,
    /// `Some` when the statement begins a step of that kind (a marker line in the file).
    pub step: Option<Transaction>,
}

impl Script {
    pub fn is_empty(&self) -> bool {
        self.statements.is_empty()
    }

    /// The script as text: each statement ends with `;` and a newline, notes go above it,
    /// and multi-line or annotated statements stand apart between blank lines.
    pub fn to_text(&self) -> String {
        let mut text = String::new();
        for statement in &self.statements {
            let stands_apart = !statement.notes.is_empty()
                || statement.sql.contains('\n')
                || statement.step.is_some();
            if stands_apart && !text.is_empty() && !text.ends_with("\n\n") {
                text.push('\n');
            }
            if let Some(kind) = statement.step {
                text.push_str(kind.marker());
                text.push('\n');
            }
            for note in &statement.notes {
                text.push_str(&format!("-- {}\n", quote::comment_text(note)));
            }
            text.push_str(&statement.sql);
            text.push_str(";\n");
            if stands_apart {
                text.push('\n');
            }
        }
        if text.ends_with("\n\n") {
            text.pop();
        }
        text
    }
}

pub fn render(plan: &Plan, direction: Direction) -> Script {
    let mut statements = Vec::new();
    let mut boundaries = Vec::new();
    for step in &plan.steps {
        let change = &step.change;
        let pieces = match step.form {
            Form::InTransaction => {
                let mut hazards = change.hazards();
                statements_for(change)
                    .into_iter()
                    .map(|sql| Piece::new(sql, std::mem::take(&mut hazards)))
                    .collect()
            }
            form => online::pieces(step, form),
        };
        let mut notes = Vec::new();
        if let Some(loss) = change.data_loss() {
            notes.push(format!("DESTRUCTIVE: {loss}"));
        }
        if direction == Direction::Downgrade {
            if let Some(loss) = change.inverse().data_loss() {
                notes.push(format!(
                    "IRREVERSIBLE: the upgrade {loss}; this restores the structure, not the data"
                ));
            }
        }
        let object = change.object();
        for (piece_idx, piece) in pieces.iter().enumerate() {
            let labels: Vec<String> = piece
                .hazards
                .iter()
                .filter(|hazard| !matches!(hazard, Hazard::DataLoss(_)))
                .map(ToString::to_string)
                .collect();
            let mut piece_notes = match piece_idx {
                0 => std::mem::take(&mut notes),
                _ => Vec::new(),
            };
            piece_notes.extend(piece.notes.iter().cloned());
            if !labels.is_empty() {
                // A statement alone outside a transaction is a step of its own.
                let n_statements = match piece.boundary {
                    Boundary::Outside => 1,
                    _ => {
                        1 + pieces[piece_idx + 1..]
                            .iter()
                            .take_while(|later| {
                                later.hazards.is_empty() && later.boundary == Boundary::Same
                            })
                            .count()
                    }
                };
                let scope = match n_statements {
                    1 => String::new(),
                    n_statements => format!(" (of the next {n_statements} statements)"),
                };
                // The DESTRUCTIVE line comes first, the IRREVERSIBLE one after the hazards.
                let at = piece_notes
                    .iter()
                    .position(|note| note.starts_with("IRREVERSIBLE"))
                    .unwrap_or(piece_notes.len());
                piece_notes.insert(at, format!("hazards{scope}: {}", labels.join("; ")));
            }
            boundaries.push(piece.boundary);
            statements.push(Statement {
                sql: piece.sql.clone(),
                notes: piece_notes,
                hazards: piece.hazards.clone(),
                object: object.clone(),
                step: None,
            });
        }
    }
    mark_steps(&mut statements, &boundaries);
    functions::unchecked_bodies_first(plan, &mut statements);
    Script { statements }
}

/// One statement of a step, with what it does to a running application and where it runs.
struct Piece {
    sql: String,
    hazards: Vec<Hazard>,
    notes: Vec<String>,
    boundary: Boundary,
}

impl Piece {
    fn new(sql: String, hazards: Vec<Hazard>) -> Piece {
        Piece {
            sql,
            hazards,
            notes: Vec::new(),
            boundary: Boundary::Same,
        }
    }
}

fn statements_for(change: &Change) -> Vec<String> {
    match change {
        Change::CreateSchema(name) => vec![format!("CREATE SCHEMA {}", ident(name))],
        Change::DropSchema(name) => vec![format!("DROP SCHEMA {}", ident(name))],
        Change::CreateExtension(extension) => {
            let mut sql = format!("CREATE EXTENSION IF NOT EXISTS {}", ident(&extension.name));
            if let Some(schema) = &extension.schema {
                sql.push_str(&format!(" SCHEMA {}", ident(schema)));
            }
            if let Some(version) = &extension.version {
                sql.push_str(&format!(" VERSION {}", literal(version)));
            }
            vec![sql]
        }
        Change::UpdateExtension { name, to, .. } => {
            let mut sql = format!("ALTER EXTENSION {} UPDATE", ident(name));
            if let Some(version) = to {
                sql.push_str(&format!(" TO {}", literal(version)));
            }
            vec![sql]
        }
        Change::DropExtension(extension) => {
            vec![format!("DROP EXTENSION {}", ident(&extension.name))]
        }
        Change::CreateSequence(sequence) => {
            let options = option_list(&sequence.options);
            let options = match options.is_empty() {
                true => String::new(),
                false => format!(" {}", options.join(" ")),
            };
            let mut statements = vec![format!(
                "CREATE SEQUENCE {} AS {}{options}",
                qualified(&sequence.name),
                sequence.data_type
            )];
            if let Some(comment) = &sequence.comment {
                statements.push(comment_on(
                    "SEQUENCE",
                    &qualified(&sequence.name),
                    Some(comment),
                ));
            }
            statements
        }
        Change::CommentOnViewColumn {
            view, column, to, ..
        } => vec![view_column_comment(view, column, to.as_deref())],
        Change::CommentOnSchema { schema, to, .. } => {
            vec![comment_on("SCHEMA", &ident(schema), to.as_deref())]
        }
        Change::CommentOnSequence { sequence, to, .. } => {
            vec![comment_on("SEQUENCE", &qualified(sequence), to.as_deref())]
        }
        Change::DropSequence(sequence) => {
            vec![format!("DROP SEQUENCE {}", qualified(&sequence.name))]
        }
        Change::AlterSequence { from, to } => {
            let name = qualified(&to.name);
            let wider_type = sequences::wider_type(&from.data_type, &to.data_type);
            let alter = |widened: Option<(i64, i64)>| match widened {
                Some((min_value, max_value)) => format!(
                    "ALTER SEQUENCE {name} AS {wider_type} MINVALUE {min_value} \
                     MAXVALUE {max_value}"
                ),
                None => {
                    // Every option is spelled out, so a return to a default is explicit too.
                    let (start, increment, min_value, max_value, cache) =
                        to.options.effective(&to.data_type);
                    let cycle = if to.options.cycle { "" } else { "NO " };
                    format!(
                        "ALTER SEQUENCE {name} AS {} INCREMENT BY {increment} \
                         MINVALUE {min_value} MAXVALUE {max_value} START WITH {start} \
                         CACHE {cache} {cycle}CYCLE",
                        to.data_type
                    )
                }
            };
            sequences::alter_options(
                &format!("{}::pg_catalog.regclass", literal(&name)),
                (&from.options, &from.data_type),
                (&to.options, &to.data_type),
                wider_type,
                alter,
            )
        }
        Change::OwnSequence { sequence, to, .. } => {
            let owner = match to {
                Some((table, column)) => format!("{}.{}", qualified(table), ident(column)),
                None => "NONE".to_string(),
            };
            vec![format!(
                "ALTER SEQUENCE {} OWNED BY {owner}",
                qualified(sequence)
            )]
        }
        Change::CreateEnum(enum_type) => vec![create_enum(enum_type)],
        Change::DropEnum(enum_type) => vec![format!("DROP TYPE {}", qualified(&enum_type.name))],
        Change::AlterEnum {
            from,
            to,
            columns,
            columns_after,
            new_value_used,
        } => alter_enum(from, to, columns, columns_after, *new_value_used),
        Change::Type(type_change) => types::statements(type_change),
        Change::Collation(change) => collations::statements(change),
        Change::Aggregate(change) => aggregates::statements(change),
        Change::Range(change) => ranges::statements(change),
        Change::CreateTable(table) => create_table(table),
        Change::DropTable(table) => vec![format!("DROP TABLE {}", qualified(&table.name))],
        Change::AddColumn {
            table,
            column,
            backfill,
            ..
        } => add_column(table, column, backfill.as_ref()),
        Change::DropColumn {
            table,
            column,
            only,
            ..
        } => vec![format!(
            "ALTER TABLE {}{} DROP COLUMN {}",
            if *only { "ONLY " } else { "" },
            qualified(table),
            ident(&column.name)
        )],
        Change::AlterColumn {
            table,
            from,
            to,
            hints,
            ..
        } => alter_column(table, from, to, hints),
        Change::RenameEnum { from, to, .. } => vec![format!(
            "ALTER TYPE {} RENAME TO {}",
            qualified(from),
            ident(&to.name)
        )],
        Change::RenameEnumValue {
            enum_name,
            from,
            to,
            ..
        } => vec![format!(
            "ALTER TYPE {} RENAME VALUE {} TO {}",
            qualified(enum_name),
            literal(from),
            literal(to)
        )],
        Change::Rename(change) => rename(change),
        Change::RenameTable { from, to, .. } => vec![format!(
            "ALTER TABLE {} RENAME TO {}",
            qualified(from),
            ident(&to.name)
        )],
        Change::RenameColumn {
            table, from, to, ..
        } => vec![format!(
            "ALTER TABLE {} RENAME COLUMN {} TO {}",
            qualified(table),
            ident(from),
            ident(to)
        )],
        Change::RenameConstraint {
            table, from, to, ..
        } => vec![format!(
            "ALTER TABLE {} RENAME CONSTRAINT {} TO {}",
            qualified(table),
            ident(from),
            ident(to)
        )],
        Change::RenameIndex {
            table, from, to, ..
        } => vec![format!(
            "ALTER INDEX {} RENAME TO {}",
            qualified(&QualifiedName::new(&table.schema, from)),
            ident(to)
        )],
        Change::AddPrimaryKey { table, primary_key } => {
            add_constraint_and_comment(table, primary_key, &primary_key_body(primary_key))
        }
        Change::AddUnique { table, unique } => {
            add_constraint_and_comment(table, unique, &unique_body(unique))
        }
        Change::AddForeignKey { table, foreign_key } => {
            add_constraint_and_comment(table, foreign_key, &foreign_key_body(foreign_key))
        }
        Change::AddCheck { table, check } => {
            add_constraint_and_comment(table, check, &check_body(check))
        }
        Change::DropPrimaryKey { table, primary_key } => {
            vec![drop_constraint(table, &primary_key.name)]
        }
        Change::DropUnique { table, unique } => vec![drop_constraint(table, &unique.name)],
        Change::DropForeignKey { table, foreign_key } => {
            vec![drop_constraint(table, &foreign_key.name)]
        }
        Change::DropCheck { table, check } => vec![drop_constraint(table, &check.name)],
        Change::AddExclusion { table, exclusion } => {
            add_constraint_and_comment(table, exclusion, &exclusion_body(exclusion))
        }
        Change::DropExclusion { table, exclusion } => {
            vec![drop_constraint(table, &exclusion.name)]
        }
        Change::CreateIndex { table, index } => create_index_and_comment(table, index),
        Change::DropIndex { table, index } => vec![format!(
            "DROP INDEX {}",
            qualified(&QualifiedName::new(&table.schema, &index.name))
        )],
        Change::CreateView(view) => create_view(view),
        Change::ReplaceView { to, .. } => create_view(to)
            .into_iter()
            .take(1)
            .map(|statement| statement.replacen("CREATE VIEW", "CREATE OR REPLACE VIEW", 1))
            .collect(),
        Change::DropView(view) => vec![format!(
            "DROP {} {}",
            view_kind(view),
            qualified(&view.name)
        )],
        Change::CommentOnTable { table, to, .. } => {
            vec![comment_on("TABLE", &qualified(table), to.as_deref())]
        }
        Change::SetLogged { table, logged, .. } => {
            let persistence = if *logged { "LOGGED" } else { "UNLOGGED" };
            vec![format!(
                "ALTER TABLE {} SET {persistence}",
                qualified(table)
            )]
        }
        Change::AlterViewOptions { view, from, to } => alter_view_options(view, from, to),
        Change::AlterIndexParameters {
            table,
            index,
            from,
            to,
        } => parameters::alter(
            "INDEX",
            &qualified(&QualifiedName::new(&table.schema, index)),
            from,
            to,
        ),
        Change::CommentOnIndex {
            table, index, to, ..
        } => vec![index_comment(table, index, to.as_deref())],
        Change::CommentOnConstraint {
            table,
            constraint,
            to,
            ..
        } => vec![constraint_comment(table, constraint, to.as_deref())],
        Change::ValidateConstraint {
            table,
            constraint,
            valid,
        } => validate_constraint(table, constraint, *valid),
        Change::AlterTableParameters { table, from, to } => {
            parameters::alter("TABLE", &qualified(table), from, to)
        }
        Change::CreateFunction { function, .. } => functions::create(function),
        Change::DropFunction { function, .. } => functions::drop(function),
        Change::AlterFunction { from, to, .. } => functions::alter(from, to),
        Change::CommentOnView {
            view,
            materialized,
            to,
            ..
        } => {
            let kind = if *materialized {
                "MATERIALIZED VIEW"
            } else {
                "VIEW"
            };
            vec![comment_on(kind, &qualified(view), to.as_deref())]
        }
        Change::Trigger(change) => triggers::trigger_statements(change),
        Change::Policy(change) => triggers::policy_statements(change),
        Change::Partition(change) => partitions::statements(change),
        Change::Privilege(change) => privileges::statements(change),
        Change::Owner(change) => vec![owners::statement(change)],
    }
}

/// `name=value` for each option that differs from its default, in a fixed order.
fn view_option_settings(options: &ViewOptions) -> Vec<(&'static str, String)> {
    let mut settings = Vec::new();
    if let Some(check_option) = options.check_option {
        settings.push(("check_option", check_option.as_str().to_string()));
    }
    if options.security_barrier {
        settings.push(("security_barrier", "true".to_string()));
    }
    if options.security_invoker {
        settings.push(("security_invoker", "true".to_string()));
    }
    settings
}

/// `SET` for the options that `to` sets differently from `from`, `RESET` for the ones it
/// returns to their defaults.
fn alter_view_options(view: &QualifiedName, from: &ViewOptions, to: &ViewOptions) -> Vec<String> {
    let before = view_option_settings(from);
    let after = view_option_settings(to);
    let settings: Vec<String> = after
        .iter()
        .filter(|setting| !before.contains(setting))
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let resets: Vec<&str> = before
        .iter()
        .map(|(name, _)| *name)
        .filter(|name| !after.iter().any(|(set, _)| set == name))
        .collect();
    let mut statements = Vec::new();
    if !settings.is_empty() {
        let settings = settings.join(", ");
        statements.push(format!("ALTER VIEW {} SET ({settings})", qualified(view)));
    }
    if !resets.is_empty() {
        let resets = resets.join(", ");
        statements.push(format!("ALTER VIEW {} RESET ({resets})", qualified(view)));
    }
    statements
}

fn view_kind(view: &View) -> &'static str {
    if view.materialized {
        "MATERIALIZED VIEW"
    } else {
        "VIEW"
    }
}

fn create_view(view: &View) -> Vec<String> {
    let settings: Vec<String> = view_option_settings(&view.options)
        .into_iter()
        .map(|(name, value)| format!("{name}={value}"))
        .collect();
    let options = match settings.is_empty() {
        true => String::new(),
        false => format!(" WITH ({})", settings.join(", ")),
    };
    let mut statements = vec![format!(
        "CREATE {} {}{options} AS\n{}",
        view_kind(view),
        qualified(&view.name),
        view.definition.as_str()
    )];
    for index in view.indexes.values() {
        statements.extend(create_index_and_comment(&view.name, index));
    }
    if let Some(comment) = &view.comment {
        statements.push(comment_on(
            view_kind(view),
            &qualified(&view.name),
            Some(comment),
        ));
    }
    for (column, comment) in &view.column_comments {
        statements.push(view_column_comment(&view.name, column, Some(comment)));
    }
    statements
}

fn view_column_comment(view: &QualifiedName, column: &str, comment: Option<&str>) -> String {
    let target = format!("{}.{}", qualified(view), ident(column));
    comment_on("COLUMN", &target, comment)
}

fn create_enum(enum_type: &Enum) -> String {
    let labels: Vec<String> = enum_type
        .values
        .iter()
        .map(|value| literal(value))
        .collect();
    format!(
        "CREATE TYPE {} AS ENUM ({})",
        qualified(&enum_type.name),
        labels.join(", ")
    )
}

/// Values only added (old order kept) become `ADD VALUE`, placed before the next old value
/// or after the last (each alone outside a transaction when the revision uses it: `plan`;
/// then `IF NOT EXISTS`, since a resumed run repeats a step it could not record);
/// otherwise the type is rebuilt and its columns converted through text.
/// A rebuild that removes values runs after dropped columns are gone (see `plan`), so it
/// converts only the columns that stay; each gets back the default it ends up with.
fn alter_enum(
    from: &Enum,
    to: &Enum,
    columns: &[ColumnUse],
    columns_after: &[ColumnUse],
    outside_transaction: bool,
) -> Vec<String> {
    let name = qualified(&to.name);
    let add_value = match outside_transaction {
        true => "ADD VALUE IF NOT EXISTS",
        false => "ADD VALUE",
    };
    if !removes_or_moves_values(from, to) {
        let mut statements = Vec::new();
        for (value_idx, value) in to.values.iter().enumerate() {
            if from.values.contains(value) {
                continue;
            }
            let next_old = to.values[value_idx + 1..]
                .iter()
                .find(|later| from.values.contains(later));
            let position = match next_old {
                Some(next) => format!("BEFORE {}", literal(next)),
                None => match to.values[..value_idx].last() {
                    Some(previous) => format!("AFTER {}", literal(previous)),
                    None => String::new(),
                },
            };
            statements.push(
                format!(
                    "ALTER TYPE {name} {add_value} {} {position}",
                    literal(value)
                )
                .trim_end()
                .to_string(),
            );
        }
        return statements;
    }

    let old_name = format!("{}__autogen_old", to.name.name);
    let mut statements = vec![
        format!("ALTER TYPE {name} RENAME TO {}", ident(&old_name)),
        create_enum(to),
    ];
    let type_text = quote::type_name(&to.name);
    let removes_values = removes_or_moves_values(from, to);
    for column_use in columns {
        let after = columns_after.iter().find(|after| {
            after.table == column_use.table && after.column.name == column_use.column.name
        });
        if removes_values && after.is_none() {
            continue;
        }
        let final_default = after.map_or(&column_use.column.default, |after| &after.column.default);
        let table = qualified(&column_use.table);
        let column = ident(&column_use.column.name);
        let is_array = column_use.column.data_type.ends_with("[]");
        let (target, via) = if is_array {
            (format!("{type_text}[]"), "text[]")
        } else {
            (type_text.clone(), "text")
        };
        if column_use.column.default.is_some() {
            statements.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} DROP DEFAULT"
            ));
        }
        statements.push(format!(
            "ALTER TABLE {table} ALTER COLUMN {column} TYPE {target} USING {column}::{via}::{target}"
        ));
        if let Some(default) = final_default {
            statements.push(format!(
                "ALTER TABLE {table} ALTER COLUMN {column} SET DEFAULT {}",
                default.as_str()
            ));
        }
    }
    statements.push(format!(
        "DROP TYPE {}",
        qualified(&QualifiedName::new(&to.name.schema, &old_name))
    ));
    statements
}

fn comment_on(kind: &str, target: &str, comment: Option<&str>) -> String {
    let text = comment.map_or_else(|| "NULL".to_string(), literal);
    format!("COMMENT ON {kind} {target} IS {text}")
}

/// `ALTER TRIGGER/POLICY/DOMAIN/COLLATION/AGGREGATE/TYPE ... RENAME TO`.
fn rename(change: &crate::diff::RenameChange) -> Vec<String> {
    use crate::diff::RenameChange;
    let rename_type = |keyword: &str, from: &QualifiedName, to: &QualifiedName| {
        format!(
            "ALTER {keyword} {} RENAME TO {}",
            qualified(from),
            ident(&to.name)
        )
    };
    match change {
        RenameChange::Trigger {
            relation, from, to, ..
        } => vec![format!(
            "ALTER TRIGGER {} ON {} RENAME TO {}",
            ident(from),
            qualified(relation),
            ident(to)
        )],
        RenameChange::Policy {
            table, from, to, ..
        } => vec![format!(
            "ALTER POLICY {} ON {} RENAME TO {}",
            ident(from),
            qualified(table),
            ident(to)
        )],
        RenameChange::Domain { from, to, .. } => vec![rename_type("DOMAIN", from, to)],
        RenameChange::Collation { from, to, .. } => vec![rename_type("COLLATION", from, to)],
        RenameChange::Aggregate { from, to, .. } => vec![format!(
            "ALTER AGGREGATE {} RENAME TO {}",
            aggregates::signature(from),
            ident(&to.name)
        )],
        RenameChange::Range {
            from,
            to,
            multirange,
            ..
        } => {
            let mut statements = Vec::new();
            if from != to {
                statements.push(rename_type("TYPE", from, to));
            }
            if let Some((from, to)) = multirange {
                statements.push(rename_type("TYPE", from, to));
            }
            statements
        }
    }
}
