//! Stage 6, render: `Plan` → `Script`, the SQL text of each step.
//!
//! Pure. Decides spelling only, never what changes or in which order. Every name goes
//! through `quote`; relation names are always schema-qualified.

mod collations;
mod constraints;
mod functions;
mod parameters;
mod privileges;
pub mod quote;
mod triggers;

pub use functions::{split_list as split_setting_list, UNCHECKED_BODIES};
mod types;

use crate::diff::{needs_rebuild, removes_or_moves_values, Change, ColumnHints, ColumnUse, Hazard};
use crate::model::storage_type;
use crate::model::{
    CheckConstraint, Column, Deferrable, Enum, Expr, ForeignKey, Identity, Index, IndexTarget,
    MatchType, ObjectRef, PrimaryKey, QualifiedName, ReferentialAction, SequenceOptions, Table,
    UniqueConstraint, View, ViewOptions,
};
use crate::plan::Plan;
use crate::spec::names::column_sequence_name;
use constraints::*;
use quote::{ident, ident_list, literal, qualified};

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
    /// The object the statement is about, to point errors back at their source.
    pub object: ObjectRef,
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
            let stands_apart = !statement.notes.is_empty() || statement.sql.contains('\n');
            if stands_apart && !text.is_empty() && !text.ends_with("\n\n") {
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
    for step in &plan.steps {
        let change = &step.change;
        let mut notes = Vec::new();
        if let Some(loss) = change.data_loss() {
            notes.push(format!("DESTRUCTIVE: {loss}"));
        }
        let hazards: Vec<String> = change
            .hazards()
            .iter()
            .filter(|hazard| !matches!(hazard, Hazard::DataLoss(_)))
            .map(ToString::to_string)
            .collect();
        let step_statements = statements_for(change);
        if !hazards.is_empty() {
            let scope = match step_statements.len() {
                1 => String::new(),
                n_statements => format!(" (of the next {n_statements} statements)"),
            };
            notes.push(format!("hazards{scope}: {}", hazards.join("; ")));
        }
        if direction == Direction::Downgrade {
            if let Some(loss) = change.inverse().data_loss() {
                notes.push(format!(
                    "IRREVERSIBLE: the upgrade {loss}; this restores the structure, not the data"
                ));
            }
        }
        let object = change.object();
        for (statement_idx, sql) in step_statements.into_iter().enumerate() {
            statements.push(Statement {
                sql,
                notes: if statement_idx == 0 {
                    std::mem::take(&mut notes)
                } else {
                    Vec::new()
                },
                object: object.clone(),
            });
        }
    }
    functions::unchecked_bodies_first(plan, &mut statements);
    Script { statements }
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
            vec![format!(
                "CREATE SEQUENCE {} AS {}{options}",
                qualified(&sequence.name),
                sequence.data_type
            )]
        }
        Change::DropSequence(sequence) => {
            vec![format!("DROP SEQUENCE {}", qualified(&sequence.name))]
        }
        Change::AlterSequence { to, .. } => {
            // Every option is spelled out, so a return to a default is explicit too.
            let (start, increment, min_value, max_value, cache) =
                to.options.effective(&to.data_type);
            let cycle = if to.options.cycle { "" } else { "NO " };
            vec![format!(
                "ALTER SEQUENCE {} AS {} INCREMENT BY {increment} MINVALUE {min_value} \
                 MAXVALUE {max_value} START WITH {start} CACHE {cache} {cycle}CYCLE",
                qualified(&to.name),
                to.data_type
            )]
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
        Change::CreateTable(table) => create_table(table),
        Change::DropTable(table) => vec![format!("DROP TABLE {}", qualified(&table.name))],
        Change::AddColumn {
            table,
            column,
            backfill,
        } => add_column(table, column, backfill.as_ref()),
        Change::DropColumn { table, column, .. } => vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
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
            vec![add_constraint(
                table,
                &primary_key.name,
                &primary_key_body(primary_key),
            )]
        }
        Change::AddUnique { table, unique } => {
            vec![add_constraint(table, &unique.name, &unique_body(unique))]
        }
        Change::AddForeignKey { table, foreign_key } => {
            vec![add_constraint(
                table,
                &foreign_key.name,
                &foreign_key_body(foreign_key),
            )]
        }
        Change::AddCheck { table, check } => {
            vec![add_constraint(table, &check.name, &check_body(check))]
        }
        Change::DropPrimaryKey { table, primary_key } => {
            vec![drop_constraint(table, &primary_key.name)]
        }
        Change::DropUnique { table, unique } => vec![drop_constraint(table, &unique.name)],
        Change::DropForeignKey { table, foreign_key } => {
            vec![drop_constraint(table, &foreign_key.name)]
        }
        Change::DropCheck { table, check } => vec![drop_constraint(table, &check.name)],
        Change::CreateIndex { table, index } => create_index_and_comment(table, index),
        Change::DropIndex { table, index } => vec![format!(
            "DROP INDEX {}",
            qualified(&QualifiedName::new(&table.schema, &index.name))
        )],
        Change::CreateView(view) => create_view(view),
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
        Change::Privilege(change) => privileges::statements(change),
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
    statements
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
/// or after the last; otherwise the type is rebuilt and its columns converted through text.
/// A rebuild that removes values runs after dropped columns are gone (see `plan`), so it
/// converts only the columns that stay; each gets back the default it ends up with.
fn alter_enum(
    from: &Enum,
    to: &Enum,
    columns: &[ColumnUse],
    columns_after: &[ColumnUse],
    new_value_used: bool,
) -> Vec<String> {
    let name = qualified(&to.name);
    if !needs_rebuild(from, to, new_value_used) {
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
                format!("ALTER TYPE {name} ADD VALUE {} {position}", literal(value))
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

fn create_table(table: &Table) -> Vec<String> {
    let mut elements: Vec<String> = table.columns.iter().map(column_definition).collect();
    if let Some(primary_key) = &table.primary_key {
        elements.push(table_constraint(
            &primary_key.name,
            &primary_key_body(primary_key),
        ));
    }
    for unique in table.uniques.values() {
        elements.push(table_constraint(&unique.name, &unique_body(unique)));
    }
    for foreign_key in table.foreign_keys.values() {
        elements.push(table_constraint(
            &foreign_key.name,
            &foreign_key_body(foreign_key),
        ));
    }
    for check in table.checks.values() {
        elements.push(table_constraint(&check.name, &check_body(check)));
    }
    let body = if elements.is_empty() {
        String::new()
    } else {
        format!("\n    {}\n", elements.join(",\n    "))
    };
    let unlogged = if table.unlogged { "UNLOGGED " } else { "" };
    let mut statements = vec![format!(
        "CREATE {unlogged}TABLE {} ({body}){}",
        qualified(&table.name),
        parameters::with_clause(&table.storage_parameters)
    )];
    for index in table.indexes.values() {
        statements.extend(create_index_and_comment(&table.name, index));
    }
    statements.extend(triggers::row_security(
        &table.name,
        Default::default(),
        table.row_security,
    ));
    if let Some(comment) = &table.comment {
        statements.push(comment_on("TABLE", &qualified(&table.name), Some(comment)));
    }
    for column in &table.columns {
        if let Some(comment) = &column.comment {
            statements.push(column_comment(&table.name, column, Some(comment)));
        }
    }
    statements
}

/// With a backfill, a NOT NULL column is added nullable, filled, then constrained, so
/// existing rows get values computed from their own data rather than a lasting default.
fn add_column(table: &QualifiedName, column: &Column, backfill: Option<&Expr>) -> Vec<String> {
    let Some(backfill) = backfill else {
        let mut statements = vec![format!(
            "ALTER TABLE {} ADD COLUMN {}",
            qualified(table),
            column_definition(column)
        )];
        if let Some(comment) = &column.comment {
            statements.push(column_comment(table, column, Some(comment)));
        }
        return statements;
    };
    let nullable = Column {
        nullable: true,
        ..column.clone()
    };
    let mut statements = add_column(table, &nullable, None);
    statements.push(format!(
        "UPDATE {} SET {} = {}",
        qualified(table),
        ident(&column.name),
        backfill.as_str()
    ));
    if !column.nullable {
        statements.push(format!(
            "ALTER TABLE {} ALTER COLUMN {} SET NOT NULL",
            qualified(table),
            ident(&column.name)
        ));
    }
    statements
}

fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", ident(&column.name), column.data_type);
    if let Some(collation) = &column.collation {
        sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
    }
    if let Some(generated) = &column.generated {
        sql.push_str(&format!(
            " GENERATED ALWAYS AS ({}) STORED",
            generated.as_str()
        ));
    }
    if let Some(identity) = column.identity {
        sql.push_str(&format!(
            " GENERATED {} AS IDENTITY{}",
            identity_kind(identity),
            identity_options(column)
        ));
    }
    if let Some(default) = &column.default {
        sql.push_str(&format!(" DEFAULT {}", default.as_str()));
    }
    // An identity column is NOT NULL by definition; saying so again is noise.
    if !column.nullable && column.identity.is_none() {
        sql.push_str(" NOT NULL");
    }
    sql
}

/// A collation name, schema-qualified when it lives outside `pg_catalog` (`schema.name`).
fn collation_name(collation: &str) -> String {
    match collation.split_once('.') {
        Some((schema, name)) if !schema.is_empty() && !name.is_empty() => {
            format!("{}.{}", ident(schema), ident(name))
        }
        _ => ident(collation),
    }
}

/// ` (START WITH 10 INCREMENT BY 5 ...)` for the options that are not defaults.
fn identity_options(column: &Column) -> String {
    let parts = option_list(&column.identity_options);
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(" "))
    }
}

/// `START WITH 10`, `INCREMENT BY 5`, ... for the options that are not defaults.
fn option_list(options: &SequenceOptions) -> Vec<String> {
    let named = [
        ("START WITH", options.start),
        ("INCREMENT BY", options.increment),
        ("MINVALUE", options.min_value),
        ("MAXVALUE", options.max_value),
        ("CACHE", options.cache),
    ];
    let mut parts: Vec<String> = named
        .iter()
        .filter_map(|(keyword, value)| value.map(|value| format!("{keyword} {value}")))
        .collect();
    if options.cycle {
        parts.push("CYCLE".to_string());
    }
    parts
}

fn identity_kind(identity: Identity) -> &'static str {
    match identity {
        Identity::Always => "ALWAYS",
        Identity::ByDefault => "BY DEFAULT",
    }
}

/// Each facet that moved becomes one `ALTER COLUMN` action, ordered so every action is
/// legal when it runs: identity and defaults are removed before the type changes, NOT NULL
/// is set before an identity is added.
fn alter_column(
    table: &QualifiedName,
    from: &Column,
    to: &Column,
    hints: &ColumnHints,
) -> Vec<String> {
    let prefix = format!(
        "ALTER TABLE {} ALTER COLUMN {}",
        qualified(table),
        ident(&to.name)
    );
    // PostgreSQL 15 cannot give a column a new generation expression in place; the column
    // is dropped and added again, and its values are recomputed, so nothing is lost.
    if to.generated.is_some() && from.generated != to.generated {
        let mut statements = vec![format!(
            "ALTER TABLE {} DROP COLUMN {}",
            qualified(table),
            ident(&from.name)
        )];
        statements.extend(add_column(table, to, None));
        return statements;
    }
    let from_type = storage_type(&from.data_type);
    let to_type = storage_type(&to.data_type);
    let type_changes = from_type != to_type || from.collation != to.collation;
    let mut statements = Vec::new();
    let sequence = qualified(&column_sequence_name(table, &to.name));

    if from.identity.is_some() && to.identity.is_none() {
        statements.push(format!("{prefix} DROP IDENTITY"));
    }
    if from.generated.is_some() && to.generated.is_none() {
        statements.push(format!("{prefix} DROP EXPRESSION"));
    }
    let default_changes = from.default != to.default;
    if from.default.is_some() && (default_changes || type_changes) {
        statements.push(format!("{prefix} DROP DEFAULT"));
    }
    if is_serial(&from.data_type) && !is_serial(&to.data_type) {
        statements.push(format!("{prefix} DROP DEFAULT"));
        statements.push(format!("DROP SEQUENCE {sequence}"));
    }
    if type_changes {
        let mut sql = format!("{prefix} TYPE {to_type}");
        if let Some(collation) = &to.collation {
            sql.push_str(&format!(" COLLATE {}", collation_name(collation)));
        }
        let using = match &hints.using {
            Some(using) => Some(using.as_str().to_string()),
            None => using_cast(&ident(&to.name), from_type, to_type),
        };
        if let Some(using) = using {
            sql.push_str(&format!(" USING {using}"));
        }
        statements.push(sql);
    }
    match (is_serial(&from.data_type), is_serial(&to.data_type)) {
        (true, true) if from_type != to_type => {
            statements.push(format!("ALTER SEQUENCE {sequence} AS {to_type}"));
        }
        (false, true) => {
            // The sequence continues after the values the column already holds.
            statements.push(format!(
                "CREATE SEQUENCE {sequence} AS {to_type} OWNED BY {}.{}",
                qualified(table),
                ident(&to.name)
            ));
            statements.push(format!(
                "{prefix} SET DEFAULT nextval({}::regclass)",
                literal(&sequence)
            ));
            statements.push(format!(
                "SELECT pg_catalog.setval({}, coalesce(max({}), 0) + 1, false) FROM {}",
                literal(&sequence),
                ident(&to.name),
                qualified(table)
            ));
        }
        _ => {}
    }
    if let Some(backfill) = hints
        .backfill
        .as_ref()
        .filter(|_| from.nullable && !to.nullable)
    {
        statements.push(format!(
            "UPDATE {} SET {} = {} WHERE {} IS NULL",
            qualified(table),
            ident(&to.name),
            backfill.as_str(),
            ident(&to.name)
        ));
    }
    if from.nullable != to.nullable {
        let action = if to.nullable { "DROP" } else { "SET" };
        statements.push(format!("{prefix} {action} NOT NULL"));
    }
    if let Some(default) = &to.default {
        if default_changes || type_changes {
            statements.push(format!("{prefix} SET DEFAULT {}", default.as_str()));
        }
    }
    match (from.identity, to.identity) {
        (None, Some(identity)) => statements.push(format!(
            "{prefix} ADD GENERATED {} AS IDENTITY{}",
            identity_kind(identity),
            identity_options(to)
        )),
        (Some(before), Some(after)) => {
            if before != after {
                statements.push(format!("{prefix} SET GENERATED {}", identity_kind(after)));
            }
            if from.identity_options != to.identity_options || type_changes {
                // Every option is spelled out, so a return to a default is explicit too.
                let (start, increment, min_value, max_value, cache) =
                    to.identity_options.effective(&to.data_type);
                let cycle = if to.identity_options.cycle { "" } else { "NO " };
                statements.push(format!(
                    "{prefix} SET INCREMENT BY {increment} SET MINVALUE {min_value} \
                     SET MAXVALUE {max_value} SET START WITH {start} SET CACHE {cache} \
                     SET {cycle}CYCLE"
                ));
            }
        }
        _ => {}
    }
    if from.comment != to.comment {
        statements.push(column_comment(table, to, to.comment.as_deref()));
    }
    statements
}

/// `serial` and friends are `integer` and friends plus an owned sequence.
fn is_serial(type_text: &str) -> bool {
    matches!(type_text, "serial" | "bigserial" | "smallserial")
}

/// `ALTER COLUMN ... TYPE` without `USING` applies the assignment cast, which exists within
/// the numeric, string, date/time, interval, bit-string and network-address families and
/// from anything to a string; a cast the server can prove a no-op (`varchar(5)` →
/// `varchar(8)`, `cidr` → `inet`) then skips the table rewrite. Otherwise an
/// explicit cast is needed; from types outside those families (enums, for one) it goes
/// through text, which every type can be read from and written to.
fn using_cast(column: &str, from: &str, to: &str) -> Option<String> {
    fn family(type_text: &str) -> Option<&'static str> {
        let base = type_text.split('(').next().unwrap_or(type_text).trim();
        match base {
            "smallint" | "integer" | "bigint" | "real" | "double precision" | "numeric" => {
                Some("number")
            }
            "text" | "character varying" | "character" | "bpchar" | "name" => Some("string"),
            "date" => Some("datetime"),
            "interval" => Some("interval"),
            "bit" | "bit varying" => Some("bits"),
            "inet" | "cidr" => Some("network"),
            _ if base.starts_with("timestamp") || base.starts_with("time") => Some("datetime"),
            _ => None,
        }
    }
    let arrays_differ = from.ends_with("[]") != to.ends_with("[]");
    match (family(from), family(to)) {
        _ if arrays_differ => Some(format!("{column}::{to}")),
        (Some(from_family), Some(to_family)) if from_family == to_family => None,
        (_, Some("string")) => None,
        (Some(_), _) => Some(format!("{column}::{to}")),
        (None, _) => Some(format!("{column}::text::{to}")),
    }
}

fn comment_on(kind: &str, target: &str, comment: Option<&str>) -> String {
    let text = comment.map_or_else(|| "NULL".to_string(), literal);
    format!("COMMENT ON {kind} {target} IS {text}")
}

fn column_comment(table: &QualifiedName, column: &Column, comment: Option<&str>) -> String {
    comment_on(
        "COLUMN",
        &format!("{}.{}", qualified(table), ident(&column.name)),
        comment,
    )
}
