//! Model → schema YAML, the inverse of `load`: `parse(write(schema))` equals `schema`.
//!
//! Deterministic (tables and enums sorted by name, columns in model order) and concise: short
//! forms where they exist, flow style for maps and lists that fit on a line. A tiny emitter of
//! our own, because yaml_serde's serializer only writes block style. No IO.

mod aggregates;
mod collations;
mod exclusion;
mod functions;
mod partitions;
mod privileges;
mod ranges;
mod triggers;
mod types;

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{
    CheckConstraint, Column, Deferrable, ForeignKey, Identity, Index, IndexKey, IndexTarget,
    MatchType, NameMap, PrivilegeObject, QualifiedName, ReferentialAction, Schema, SequenceOptions,
    Table, UniqueConstraint, View,
};
use crate::syntax::names::{format_qualified, primary_key_name};

/// Flow collections longer than this (indentation and key included) are written in block style.
const MAX_FLOW_LINE: usize = 100;

/// A YAML value to emit.
#[derive(Clone)]
enum Node {
    Text(String),
    Bool(bool),
    Int(i64),
    /// A number as its text (`0.5`), written plain.
    Number(String),
    /// Multi-line text, as a literal block (`|`) when that reads back exactly.
    Block(String),
    List(Vec<Node>),
    /// A list of maps, each in block style (`- key: value` lines).
    Blocks(Vec<Vec<(String, Node)>>),
    /// Flow style when it fits on a line.
    Map(Vec<(String, Node)>),
    /// Always block style (top-level sections, tables, columns, constraint maps).
    Section(Vec<(String, Node)>),
}

fn text(value: &str) -> Node {
    Node::Text(value.to_owned())
}

fn texts(values: &[String]) -> Node {
    Node::List(values.iter().map(|value| text(value)).collect())
}

pub fn write(schema: &Schema) -> String {
    let mut root = Vec::new();
    // Schemas used by names are implied, so only the others need listing.
    let implied: BTreeSet<&str> = schema
        .tables
        .keys()
        .chain(schema.enums.keys())
        .chain(schema.domains.keys())
        .chain(schema.composite_types.keys())
        .chain(schema.sequences.keys())
        .chain(schema.collations.keys())
        .chain(schema.ranges.keys())
        .map(|name| name.schema.as_str())
        .chain(schema.functions.keys().map(|name| name.schema.as_str()))
        .chain(schema.aggregates.keys().map(|name| name.schema.as_str()))
        .chain(
            schema
                .extensions
                .values()
                .filter_map(|extension| extension.schema.as_deref()),
        )
        .chain(["public"])
        .collect();
    // Granted on, or owned by a role of its own: written as a map.
    let granted = |name: &String| {
        let object = PrivilegeObject::Schema(name.clone());
        schema.privileges.contains_key(&object) || schema.owners.contains_key(&object)
    };
    let listed: Vec<String> = schema
        .schemas
        .iter()
        .filter(|name| {
            !implied.contains(name.as_str())
                || schema.schema_comments.contains_key(*name)
                || granted(name)
        })
        .cloned()
        .collect();
    if !schema.schema_comments.is_empty() || listed.iter().any(granted) {
        let entries = listed.iter().map(|name| {
            let object = PrivilegeObject::Schema(name.clone());
            let mut options = Vec::new();
            push_comment(&mut options, &schema.schema_comments.get(name).cloned());
            options.extend(privileges::grants(schema, &object));
            options.extend(privileges::owner(schema, &object));
            (name.clone(), Node::Map(options))
        });
        root.push(("schemas".to_owned(), Node::Section(entries.collect())));
    } else if !listed.is_empty() {
        root.push(("schemas".to_owned(), texts(&listed)));
    }
    if !schema.extensions.is_empty() {
        let extensions = if schema
            .extensions
            .values()
            .all(|extension| extension.schema.is_none() && extension.version.is_none())
        {
            Node::List(schema.extensions.keys().map(|name| text(name)).collect())
        } else {
            let entries = schema.extensions.values().map(|extension| {
                let schema = extension
                    .schema
                    .iter()
                    .map(|schema| ("schema".to_owned(), text(schema)));
                let version = extension
                    .version
                    .iter()
                    .map(|version| ("version".to_owned(), text(version)));
                (
                    extension.name.clone(),
                    Node::Map(schema.chain(version).collect()),
                )
            });
            Node::Section(entries.collect())
        };
        root.push(("extensions".to_owned(), extensions));
    }
    root.extend(collations::section(schema));
    root.extend(ranges::section(schema));
    if !schema.enums.is_empty() {
        let entries = schema.enums.values().map(|enumeration| {
            let values = texts(&enumeration.values);
            let mut fields: Vec<(String, Node)> = enumeration
                .comment
                .iter()
                .map(|comment| ("comment".to_owned(), text(comment)))
                .collect();
            let object = PrivilegeObject::Type(enumeration.name.clone());
            fields.extend(privileges::grants(schema, &object));
            fields.extend(privileges::owner(schema, &object));
            let node = match fields.is_empty() {
                true => values,
                false => {
                    fields.insert(0, ("values".to_owned(), values));
                    Node::Map(fields)
                }
            };
            (format_qualified(&enumeration.name), node)
        });
        root.push(("enums".to_owned(), Node::Section(entries.collect())));
    }
    root.extend(types::sections(schema));
    if !schema.tables.is_empty() {
        let entries = schema
            .tables
            .values()
            .map(|table| (format_qualified(&table.name), table_node(table, schema)));
        root.push(("tables".to_owned(), Node::Section(entries.collect())));
    }
    if !schema.views.is_empty() {
        let entries = schema
            .views
            .values()
            .map(|view| (format_qualified(&view.name), view_node(view, schema)));
        root.push(("views".to_owned(), Node::Section(entries.collect())));
    }
    if !schema.sequences.is_empty() {
        let entries = schema.sequences.values().map(|sequence| {
            let mut fields = vec![("type".to_owned(), text(&sequence.data_type))];
            fields.extend(option_entries(&sequence.options));
            if let Some((table, column)) = &sequence.owned_by {
                let owner = format!("{}.{column}", format_qualified(table));
                fields.push(("owned_by".to_owned(), text(&owner)));
            }
            push_comment(&mut fields, &sequence.comment);
            let object = PrivilegeObject::Sequence(sequence.name.clone());
            fields.extend(privileges::grants(schema, &object));
            fields.extend(privileges::owner(schema, &object));
            let node = match fields.len() {
                1 => text(&sequence.data_type),
                _ => Node::Map(fields),
            };
            (format_qualified(&sequence.name), node)
        });
        root.push(("sequences".to_owned(), Node::Section(entries.collect())));
    }
    if !schema.functions.is_empty() {
        root.push(("functions".to_owned(), functions::node(schema)));
    }
    root.extend(aggregates::section(schema));
    root.extend(privileges::default_privileges(schema));
    if root.is_empty() {
        return "{}\n".to_owned();
    }
    let mut out = String::new();
    write_entries(&mut out, &root, 0);
    out
}

/// `start: 100, increment: 10, ...` for the options that are not defaults.
fn option_entries(options: &SequenceOptions) -> Vec<(String, Node)> {
    let mut entries: Vec<(String, Node)> = [
        ("start", options.start),
        ("increment", options.increment),
        ("min", options.min_value),
        ("max", options.max_value),
        ("cache", options.cache),
    ]
    .into_iter()
    .filter_map(|(key, value)| value.map(|value| (key.to_owned(), Node::Int(value))))
    .collect();
    if options.cycle {
        entries.push(("cycle".to_owned(), Node::Bool(true)));
    }
    entries
}

fn table_node(table: &Table, schema: &Schema) -> Node {
    let mut entries = Vec::new();
    if let Some(comment) = &table.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    if table.unlogged {
        entries.push(("unlogged".to_owned(), Node::Bool(true)));
    }
    if !table.storage_parameters.is_empty() {
        entries.push((
            "with".to_owned(),
            parameters_node(&table.storage_parameters),
        ));
    }
    entries.extend(partitions::entries(table));
    let key_columns = table
        .primary_key
        .as_ref()
        .map_or(&[][..], |key| &key.columns[..]);
    if !table.columns.is_empty() {
        let columns = table.columns.iter().map(|column| {
            let node = column_node(column, key_columns, &table.name, schema);
            (column.name.clone(), node)
        });
        entries.push(("columns".to_owned(), Node::Section(columns.collect())));
    }
    if let Some(key) = &table.primary_key {
        let node = if key.name == primary_key_name(&table.name.name)
            && key.include.is_empty()
            && key.deferrable == Deferrable::NotDeferrable
            && key.comment.is_none()
        {
            texts(&key.columns)
        } else {
            let mut fields = Vec::new();
            if key.name != primary_key_name(&table.name.name) {
                fields.push(("name".to_owned(), text(&key.name)));
            }
            fields.push(("columns".to_owned(), texts(&key.columns)));
            if !key.include.is_empty() {
                fields.push(("include".to_owned(), texts(&key.include)));
            }
            push_deferrable(&mut fields, key.deferrable);
            push_comment(&mut fields, &key.comment);
            Node::Map(fields)
        };
        entries.push(("primary_key".to_owned(), node));
    }
    let mut section = |key: &str, items: Vec<(String, Node)>| {
        if !items.is_empty() {
            entries.push((key.to_owned(), Node::Section(items)));
        }
    };
    section(
        "unique",
        table
            .uniques
            .values()
            .map(|unique| (unique.name.clone(), unique_node(unique)))
            .collect(),
    );
    section(
        "foreign_keys",
        table
            .foreign_keys
            .values()
            .map(|key| (key.name.clone(), foreign_key_node(key)))
            .collect(),
    );
    section(
        "checks",
        table
            .checks
            .values()
            .map(|check| (check.name.clone(), check_node(check)))
            .collect(),
    );
    section(
        "exclude",
        table
            .exclusions
            .values()
            .map(|exclusion| (exclusion.name.clone(), exclusion::exclusion_node(exclusion)))
            .collect(),
    );
    section(
        "indexes",
        table
            .indexes
            .values()
            .map(|index| (index.name.clone(), index_node(index)))
            .collect(),
    );
    entries.extend(triggers::attached_entries(
        table.row_security,
        &table.triggers,
        &table.policies,
    ));
    let object = PrivilegeObject::Table(table.name.clone());
    entries.extend(privileges::grants(schema, &object));
    entries.extend(privileges::owner(schema, &object));
    Node::Section(entries)
}

/// The query alone for a plain view without a comment or options; the full map otherwise.
fn view_node(view: &View, schema: &Schema) -> Node {
    let object = PrivilegeObject::Table(view.name.clone());
    let grants = privileges::grants(schema, &object);
    let owner = privileges::owner(schema, &object);
    if !view.materialized
        && grants.is_none()
        && owner.is_none()
        && view.comment.is_none()
        && view.indexes.is_empty()
        && view.options.is_default()
        && view.triggers.is_empty()
        && view.column_comments.is_empty()
    {
        return text(view.definition.as_str());
    }
    let mut entries = vec![("query".to_owned(), text(view.definition.as_str()))];
    if view.materialized {
        entries.push(("materialized".to_owned(), Node::Bool(true)));
    }
    if view.options.security_barrier {
        entries.push(("security_barrier".to_owned(), Node::Bool(true)));
    }
    if view.options.security_invoker {
        entries.push(("security_invoker".to_owned(), Node::Bool(true)));
    }
    if let Some(check_option) = view.options.check_option {
        entries.push(("check_option".to_owned(), text(check_option.as_str())));
    }
    if let Some(comment) = &view.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    if !view.column_comments.is_empty() {
        let comments = view
            .column_comments
            .iter()
            .map(|(column, comment)| (column.clone(), text(comment)));
        entries.push(("column_comments".to_owned(), Node::Map(comments.collect())));
    }
    if !view.indexes.is_empty() {
        let indexes = view
            .indexes
            .values()
            .map(|index| (index.name.clone(), index_node(index)));
        entries.push(("indexes".to_owned(), Node::Section(indexes.collect())));
    }
    entries.extend(triggers::attached_entries(
        Default::default(),
        &view.triggers,
        &NameMap::new(),
    ));
    entries.extend(grants);
    entries.extend(owner);
    Node::Section(entries)
}

/// A plain type string unless something else must be said. `nullable: false` is implied
/// (and left out) for primary key and identity columns, as `load` implies it.
fn column_node(
    column: &Column,
    key_columns: &[String],
    table: &QualifiedName,
    schema: &Schema,
) -> Node {
    let implied_not_null = key_columns.contains(&column.name) || column.identity.is_some();
    let mut entries = Vec::new();
    if !column.nullable && !implied_not_null {
        entries.push(("nullable".to_owned(), Node::Bool(false)));
    }
    if let Some(default) = &column.default {
        entries.push(("default".to_owned(), text(default.as_str())));
    }
    if let Some(identity) = column.identity {
        let identity = match identity {
            Identity::Always => "always",
            Identity::ByDefault => "by_default",
        };
        entries.push(("identity".to_owned(), text(identity)));
    }
    let mut sequence = option_entries(column.identity_options());
    let implied_sequence = crate::syntax::names::column_sequence_name(table, &column.name);
    sequence.extend(privileges::grants(
        schema,
        &PrivilegeObject::Sequence(implied_sequence),
    ));
    if !sequence.is_empty() {
        entries.push(("sequence".to_owned(), Node::Map(sequence)));
    }
    if let Some(generated) = &column.generated {
        entries.push(("generated".to_owned(), text(generated.as_str())));
    }
    if let Some(collation) = &column.collation {
        entries.push(("collation".to_owned(), text(collation)));
    }
    if let Some(statistics) = column.statistics {
        entries.push(("statistics".to_owned(), Node::Int(i64::from(statistics))));
    }
    if let Some(compression) = column.compression {
        entries.push(("compression".to_owned(), text(compression.as_str())));
    }
    if let Some(comment) = &column.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    let object = PrivilegeObject::Column(table.clone(), column.name.clone());
    entries.extend(privileges::grants(schema, &object));
    if entries.is_empty() {
        return text(&column.data_type);
    }
    entries.insert(0, ("type".to_owned(), text(&column.data_type)));
    Node::Map(entries)
}

fn unique_node(unique: &UniqueConstraint) -> Node {
    let mut entries = vec![("columns".to_owned(), texts(&unique.columns))];
    if !unique.include.is_empty() {
        entries.push(("include".to_owned(), texts(&unique.include)));
    }
    if unique.nulls_not_distinct {
        entries.push(("nulls_not_distinct".to_owned(), Node::Bool(true)));
    }
    push_deferrable(&mut entries, unique.deferrable);
    push_comment(&mut entries, &unique.comment);
    if entries.len() == 1 {
        return texts(&unique.columns);
    }
    Node::Map(entries)
}

fn foreign_key_node(key: &ForeignKey) -> Node {
    let references = vec![
        (
            "table".to_owned(),
            text(&format_qualified(&key.referenced_table)),
        ),
        ("columns".to_owned(), texts(&key.referenced_columns)),
    ];
    let mut entries = vec![
        ("columns".to_owned(), texts(&key.columns)),
        ("references".to_owned(), Node::Map(references)),
    ];
    for (field, action) in [("on_delete", key.on_delete), ("on_update", key.on_update)] {
        let action = match action {
            ReferentialAction::NoAction => continue,
            ReferentialAction::Restrict => "restrict",
            ReferentialAction::Cascade => "cascade",
            ReferentialAction::SetNull => "set_null",
            ReferentialAction::SetDefault => "set_default",
        };
        entries.push((field.to_owned(), text(action)));
    }
    push_deferrable(&mut entries, key.deferrable);
    if key.match_type == MatchType::Full {
        entries.push(("match".to_owned(), text("full")));
    }
    if !key.valid {
        entries.push(("valid".to_owned(), Node::Bool(false)));
    }
    push_comment(&mut entries, &key.comment);
    Node::Map(entries)
}

/// The expression alone, or a map when the check is NOT VALID or has a comment.
fn check_node(check: &CheckConstraint) -> Node {
    let expression = text(check.expression.as_str());
    let mut entries = vec![("expression".to_owned(), expression.clone())];
    if check.no_inherit {
        entries.push(("no_inherit".to_owned(), Node::Bool(true)));
    }
    if !check.valid {
        entries.push(("valid".to_owned(), Node::Bool(false)));
    }
    push_comment(&mut entries, &check.comment);
    match entries.len() {
        1 => expression,
        _ => Node::Map(entries),
    }
}

fn push_comment(entries: &mut Vec<(String, Node)>, comment: &Option<String>) {
    if let Some(comment) = comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
}

fn push_deferrable(entries: &mut Vec<(String, Node)>, deferrable: Deferrable) {
    if deferrable != Deferrable::NotDeferrable {
        entries.push(("deferrable".to_owned(), Node::Bool(true)));
    }
    if deferrable == Deferrable::Deferred {
        entries.push(("initially_deferred".to_owned(), Node::Bool(true)));
    }
}

fn index_node(index: &Index) -> Node {
    let mut entries = Vec::new();
    // Plain expression keys after all column keys fit the short `expressions:` list.
    let n_column_keys = index
        .keys
        .iter()
        .take_while(|key| matches!(key.target, IndexTarget::Column(_)))
        .count();
    let (column_keys, expression_keys) = index.keys.split_at(n_column_keys);
    let (column_keys, expression_keys) = if expression_keys
        .iter()
        .all(|key| is_plain_key(key) && matches!(key.target, IndexTarget::Expression(_)))
    {
        (column_keys, expression_keys)
    } else {
        (&index.keys[..], &[][..])
    };
    if !column_keys.is_empty() {
        entries.push((
            "columns".to_owned(),
            Node::List(column_keys.iter().map(index_key_node).collect()),
        ));
    }
    if !expression_keys.is_empty() {
        let expressions = expression_keys.iter().filter_map(|key| match &key.target {
            IndexTarget::Expression(expression) => Some(text(expression.as_str())),
            IndexTarget::Column(_) => None,
        });
        entries.push(("expressions".to_owned(), Node::List(expressions.collect())));
    }
    if index.unique {
        entries.push(("unique".to_owned(), Node::Bool(true)));
    }
    if index.method != "btree" {
        entries.push(("using".to_owned(), text(&index.method)));
    }
    if !index.include.is_empty() {
        entries.push(("include".to_owned(), texts(&index.include)));
    }
    if let Some(predicate) = &index.predicate {
        entries.push(("where".to_owned(), text(predicate.as_str())));
    }
    if index.nulls_not_distinct {
        entries.push(("nulls_not_distinct".to_owned(), Node::Bool(true)));
    }
    if !index.storage_parameters.is_empty() {
        entries.push((
            "with".to_owned(),
            parameters_node(&index.storage_parameters),
        ));
    }
    if let Some(comment) = &index.comment {
        entries.push(("comment".to_owned(), text(comment)));
    }
    Node::Map(entries)
}

fn parameters_node(parameters: &BTreeMap<String, String>) -> Node {
    Node::Map(
        parameters
            .iter()
            .map(|(name, value)| (name.clone(), text(value)))
            .collect(),
    )
}

/// Ascending, PostgreSQL's default NULLS LAST, no collation or operator class.
fn is_plain_key(key: &IndexKey) -> bool {
    !key.descending && !key.nulls_first && key.collation.is_none() && key.opclass.is_none()
}

fn index_key_node(key: &IndexKey) -> Node {
    match &key.target {
        IndexTarget::Column(column) if is_plain_key(key) => text(column),
        _ => Node::Map(key_entries(key)),
    }
}

/// A key's `column` or `expression` first, then its options that are not defaults.
fn key_entries(key: &IndexKey) -> Vec<(String, Node)> {
    let target = match &key.target {
        IndexTarget::Column(column) => ("column".to_owned(), text(column)),
        IndexTarget::Expression(expression) => ("expression".to_owned(), text(expression.as_str())),
    };
    let mut entries = vec![target];
    if key.descending {
        entries.push(("order".to_owned(), text("desc")));
    }
    if key.nulls_first != key.descending {
        entries.push((
            "nulls".to_owned(),
            text(if key.nulls_first { "first" } else { "last" }),
        ));
    }
    if let Some(opclass) = &key.opclass {
        entries.push(("opclass".to_owned(), text(opclass)));
    }
    if let Some(collation) = &key.collation {
        entries.push(("collation".to_owned(), text(collation)));
    }
    entries
}

fn write_entries(out: &mut String, entries: &[(String, Node)], indent: usize) {
    for (key, value) in entries {
        let head = format!("{:indent$}{}:", "", scalar(key, false));
        let flow_line = match value {
            Node::Text(value) => Some(format!("{head} {}", scalar(value, false))),
            Node::Block(value) => Some(match literal_block(value, indent + 2) {
                Some(block) => format!("{head} {block}"),
                None => format!("{head} {}", scalar(value, false)),
            }),
            Node::Section(entries) if !entries.is_empty() => None,
            Node::Blocks(maps) if !maps.is_empty() => None,
            _ => Some(format!("{head} {}", flow(value)))
                .filter(|line| line.chars().count() <= MAX_FLOW_LINE),
        };
        if let Some(line) = flow_line {
            out.push_str(&line);
            out.push('\n');
            continue;
        }
        out.push_str(&head);
        out.push('\n');
        match value {
            Node::Map(entries) | Node::Section(entries) => write_entries(out, entries, indent + 2),
            Node::List(items) => {
                for item in items {
                    let item = match item {
                        Node::Text(value) => scalar(value, false),
                        item => flow(item),
                    };
                    out.push_str(&format!("{:width$}- {item}\n", "", width = indent + 2));
                }
            }
            Node::Blocks(maps) => {
                for map in maps {
                    let mut item = String::new();
                    write_entries(&mut item, map, indent + 4);
                    let item = item.get(indent + 4..).unwrap_or_default();
                    out.push_str(&format!("{:width$}- {item}", "", width = indent + 2));
                }
            }
            Node::Text(_) | Node::Bool(_) | Node::Int(_) | Node::Number(_) | Node::Block(_) => {}
        }
    }
}

fn flow(node: &Node) -> String {
    match node {
        Node::Text(value) => scalar(value, true),
        Node::Bool(value) => value.to_string(),
        Node::Int(value) => value.to_string(),
        Node::Number(value) => value.clone(),
        Node::Block(value) => scalar(value, true),
        Node::Blocks(maps) => flow(&Node::List(
            maps.iter().map(|map| Node::Map(map.clone())).collect(),
        )),
        Node::List(items) => format!(
            "[{}]",
            items.iter().map(flow).collect::<Vec<_>>().join(", ")
        ),
        Node::Map(entries) | Node::Section(entries) if entries.is_empty() => "{}".to_owned(),
        Node::Map(entries) | Node::Section(entries) => {
            let entries: Vec<String> = entries
                .iter()
                .map(|(key, value)| format!("{}: {}", scalar(key, true), flow(value)))
                .collect();
            format!("{{ {} }}", entries.join(", "))
        }
    }
}

/// `|`, `|-` or `|+` and the lines of `value` indented by `indent`, when yaml_serde reads
/// that back as exactly `value` (no control characters, no line that is only blanks, no
/// leading blank, which would need an indentation indicator, at most one final break).
fn literal_block(value: &str, indent: usize) -> Option<String> {
    let plain_lines = value
        .lines()
        .all(|line| line.is_empty() || !line.trim().is_empty());
    let starts_clean = !value.starts_with([' ', '\t']);
    let controls = value
        .chars()
        .any(|c| c.is_control() && c != '\n' && c != '\t');
    if !value.contains('\n') || !plain_lines || !starts_clean || controls {
        return None;
    }
    let chomping = match value.strip_suffix('\n') {
        None => "-",
        Some(rest) if rest.ends_with('\n') => return None,
        Some(_) => "",
    };
    let mut block = format!("|{chomping}");
    for line in value.lines() {
        block.push('\n');
        if !line.is_empty() {
            block.push_str(&format!("{:indent$}{line}", ""));
        }
    }
    let document = format!("k: {block}\n");
    let read_back = yaml_serde::from_str::<yaml_serde::Mapping>(&document).ok()?;
    (read_back.get("k") == Some(&yaml_serde::Value::String(value.to_owned()))).then_some(block)
}

/// A YAML scalar that reads back as exactly `value`: plain when that is unambiguous, else
/// double-quoted (single-quoted when the text has `"` or `\`, as SQL identifiers often do).
fn scalar(value: &str, in_flow: bool) -> String {
    let needs_escape =
        |c: char| c.is_control() || matches!(c, '\u{2028}' | '\u{2029}' | '\u{feff}');
    if is_plain_safe(value, in_flow) {
        value.to_owned()
    } else if value.chars().any(needs_escape) {
        let mut quoted = String::from('"');
        for c in value.chars() {
            match c {
                '"' => quoted.push_str("\\\""),
                '\\' => quoted.push_str("\\\\"),
                '\n' => quoted.push_str("\\n"),
                '\t' => quoted.push_str("\\t"),
                '\r' => quoted.push_str("\\r"),
                c if needs_escape(c) => quoted.push_str(&format!("\\u{:04x}", u32::from(c))),
                c => quoted.push(c),
            }
        }
        quoted.push('"');
        quoted
    } else if value.contains(['"', '\\']) {
        format!("'{}'", value.replace('\'', "''"))
    } else {
        format!("\"{value}\"")
    }
}

/// Conservative: a plain scalar must not start with an indicator, contain anything that
/// ends it early, or resolve to a non-string (`0`, `true`, `null`); yaml_serde is the judge.
fn is_plain_safe(value: &str, in_flow: bool) -> bool {
    const INDICATORS: &[char] = &[
        '-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', '\'', '"', '%', '@',
        '`',
    ];
    let ends_early = value.contains(": ") || value.contains(" #") || value.ends_with(':');
    let breaks_flow = in_flow && value.contains([',', '[', ']', '{', '}', ':']);
    !value.is_empty()
        && value.trim() == value
        && !value.starts_with(INDICATORS)
        && !ends_early
        && !breaks_flow
        && !value
            .chars()
            .any(|c| c.is_control() || !c.is_alphanumeric() && !c.is_ascii_graphic() && c != ' ')
        && yaml_serde::from_str::<yaml_serde::Value>(value)
            .is_ok_and(|parsed| parsed == yaml_serde::Value::String(value.to_owned()))
}
