//! Tables and columns: `CREATE TABLE` with its parts, `ADD COLUMN` (with a backfill) and the
//! `ALTER COLUMN` actions of a column change.

use super::*;

pub(super) fn create_table(table: &Table) -> Vec<String> {
    let column_element = match table.partition_of {
        Some(_) => partitions::column_options,
        None => column_definition,
    };
    let mut elements: Vec<String> = table.columns.iter().map(column_element).collect();
    if let Some(primary_key) = &table.primary_key {
        elements.push(table_constraint(
            &primary_key.name,
            &primary_key_body(primary_key),
        ));
    }
    for unique in table.uniques.values() {
        elements.push(table_constraint(&unique.name, &unique_body(unique)));
    }
    // CREATE TABLE would take NOT VALID as valid: those are added once the table exists.
    let mut not_valid = Vec::new();
    for foreign_key in table.foreign_keys.values() {
        let body = foreign_key_body(foreign_key);
        match foreign_key.valid {
            true => elements.push(table_constraint(&foreign_key.name, &body)),
            false => not_valid.extend(add_constraint_and_comment(&table.name, foreign_key, &body)),
        }
    }
    for check in table.checks.values() {
        let body = check_body(check);
        match check.valid {
            true => elements.push(table_constraint(&check.name, &body)),
            false => not_valid.extend(add_constraint_and_comment(&table.name, check, &body)),
        }
    }
    for exclusion in table.exclusions.values() {
        elements.push(table_constraint(
            &exclusion.name,
            &exclusion_body(exclusion),
        ));
    }
    let unlogged = if table.unlogged { "UNLOGGED " } else { "" };
    let head = match &table.partition_of {
        Some(partition_of) => partitions::create_partition(&table.name, partition_of, &elements),
        None => {
            let body = if elements.is_empty() {
                String::new()
            } else {
                format!("\n    {}\n", elements.join(",\n    "))
            };
            format!(
                "CREATE {unlogged}TABLE {} ({body}){}",
                qualified(&table.name),
                partitions::inherits_clause(&table.inherits)
            )
        }
    };
    let mut statements = vec![format!(
        "{head}{}{}",
        partitions::partition_by_clause(table.partition_by.as_ref()),
        parameters::with_clause(&table.storage_parameters)
    )];
    statements.extend(not_valid);
    statements.extend(
        table
            .columns
            .iter()
            .filter_map(|column| statistics(&table.name, column)),
    );
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
    let constraint_comments = table
        .primary_key
        .iter()
        .map(|key| (key.name(), key.comment()))
        .chain(table.uniques.values().map(|c| (c.name(), c.comment())))
        .chain(
            table
                .foreign_keys
                .values()
                .filter(|c| c.valid)
                .map(|c| (c.name(), c.comment())),
        )
        .chain(
            table
                .checks
                .values()
                .filter(|c| c.valid)
                .map(|c| (c.name(), c.comment())),
        )
        .chain(table.exclusions.values().map(|c| (c.name(), c.comment())));
    for (name, comment) in constraint_comments {
        if let Some(comment) = comment {
            statements.push(constraint_comment(&table.name, name, Some(comment)));
        }
    }
    statements
}

/// With a backfill, a NOT NULL column is added nullable, filled, then constrained, so
/// existing rows get values computed from their own data rather than a lasting default.
pub(super) fn add_column(
    table: &QualifiedName,
    column: &Column,
    backfill: Option<&Expr>,
) -> Vec<String> {
    let Some(backfill) = backfill else {
        let mut statements = vec![format!(
            "ALTER TABLE {} ADD COLUMN {}",
            qualified(table),
            column_definition(column)
        )];
        statements.extend(statistics(table, column));
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

pub(super) fn column_definition(column: &Column) -> String {
    let mut sql = format!("{} {}", ident(&column.name), column.data_type);
    if let Some(compression) = column.compression {
        sql.push_str(&format!(" COMPRESSION {}", compression.as_str()));
    }
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
pub(super) fn collation_name(collation: &str) -> String {
    match collation.split_once('.') {
        Some((schema, name)) if !schema.is_empty() && !name.is_empty() => {
            format!("{}.{}", ident(schema), ident(name))
        }
        _ => ident(collation),
    }
}

/// ` (START WITH 10 INCREMENT BY 5 ...)` for the options that are not defaults.
fn identity_options(column: &Column) -> String {
    let parts = option_list(column.identity_options());
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(" "))
    }
}

/// `START WITH 10`, `INCREMENT BY 5`, ... for the options that are not defaults.
pub(super) fn option_list(options: &SequenceOptions) -> Vec<String> {
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
pub(super) fn alter_column(
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
    // The sequence follows the column's type and refuses a narrower one while its bounds
    // do not fit: then they are narrowed first, otherwise widened after.
    let mut sequence_changes = identity_sequence_changes(&prefix, table, from, to, type_changes);
    if sequence_type_max(&to.data_type) < sequence_type_max(&from.data_type) {
        statements.append(&mut sequence_changes);
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
        (None, Some(identity)) => {
            statements.push(format!(
                "{prefix} ADD GENERATED {} AS IDENTITY{}",
                identity_kind(identity),
                identity_options(to)
            ));
            // The new sequence would hand out values the column already holds (a serial's
            // sequence is gone): it continues after them when they reach its start.
            let (start, increment, ..) = to.identity_options().effective(&to.data_type);
            let (extreme, step, reaches) = if increment > 0 {
                ("max", "+ 1", ">=")
            } else {
                ("min", "- 1", "<=")
            };
            let column = ident(&to.name);
            statements.push(format!(
                "SELECT pg_catalog.setval(pg_catalog.pg_get_serial_sequence({}, {}), \
                 {extreme}({column}) {step}, false) FROM {} \
                 HAVING {extreme}({column}) {reaches} {start}",
                literal(&qualified(table)),
                literal(&to.name),
                qualified(table)
            ));
        }
        (Some(before), Some(after)) => {
            if before != after {
                statements.push(format!("{prefix} SET GENERATED {}", identity_kind(after)));
            }
            statements.append(&mut sequence_changes);
        }
        _ => {}
    }
    if from.statistics != to.statistics {
        statements.push(format!(
            "{prefix} SET STATISTICS {}",
            to.statistics.unwrap_or(-1)
        ));
    }
    if from.compression != to.compression {
        let compression = to.compression.map_or("DEFAULT", Compression::as_str);
        statements.push(format!("{prefix} SET COMPRESSION {compression}"));
    }
    if from.comment != to.comment {
        statements.push(column_comment(table, to, to.comment.as_deref()));
    }
    statements
}

/// The `SET` options that bring a kept identity's sequence to the desired ones (all spelled
/// out again when the type changes, as the sequence follows the column's type).
fn identity_sequence_changes(
    prefix: &str,
    table: &QualifiedName,
    from: &Column,
    to: &Column,
    type_changes: bool,
) -> Vec<String> {
    if from.identity.is_none()
        || to.identity.is_none()
        || (from.identity_options() == to.identity_options() && !type_changes)
    {
        return Vec::new();
    }
    let alter = |widened: Option<(i64, i64)>| match widened {
        Some((min_value, max_value)) => {
            format!("{prefix} SET MINVALUE {min_value} SET MAXVALUE {max_value}")
        }
        None => {
            // Every option is spelled out, so a return to a default is explicit.
            let (start, increment, min_value, max_value, cache) =
                to.identity_options().effective(&to.data_type);
            let cycle = if to.identity_options().cycle {
                ""
            } else {
                "NO "
            };
            format!(
                "{prefix} SET INCREMENT BY {increment} SET MINVALUE {min_value} \
                     SET MAXVALUE {max_value} SET START WITH {start} \
                     SET CACHE {cache} SET {cycle}CYCLE"
            )
        }
    };
    let sequence = format!(
        "pg_catalog.pg_get_serial_sequence({}, {})::pg_catalog.regclass",
        literal(&qualified(table)),
        literal(&to.name)
    );
    sequences::alter_options(
        &sequence,
        (from.identity_options(), &from.data_type),
        (to.identity_options(), &to.data_type),
        // Within the new type's range, valid before and after a type change.
        &to.data_type,
        alter,
    )
}

/// `SET STATISTICS` for a column with a target of its own (there is no inline form).
fn statistics(table: &QualifiedName, column: &Column) -> Option<String> {
    column.statistics.map(|target| {
        format!(
            "ALTER TABLE {} ALTER COLUMN {} SET STATISTICS {target}",
            qualified(table),
            ident(&column.name)
        )
    })
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

pub(super) fn column_comment(
    table: &QualifiedName,
    column: &Column,
    comment: Option<&str>,
) -> String {
    comment_on(
        "COLUMN",
        &format!("{}.{}", qualified(table), ident(&column.name)),
        comment,
    )
}
