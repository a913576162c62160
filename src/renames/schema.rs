//! Renames followed across a schema: what holds a renamed table, column, type or enum label
//! by oid reads back under the new name (foreign keys, children, owned sequences, stored
//! expressions and view queries). The interpreter and `diff::rename` call these after
//! renaming the object itself.

use super::{
    map_expressions, rename_column_in_query, rename_label_in_expression, rename_relation_in_query,
    rename_type_in_expression,
};
use crate::cursor::Cursor;
use crate::model::{
    Expr, Function, FunctionBody, PrivilegeObject, QualifiedName, Returns, Schema, Table,
};
use crate::syntax::quote;

/// After `ALTER TABLE old RENAME TO new`, with the table already under `new`: foreign keys
/// onto it, its children's parents, the sequences it owns and the views reading it.
pub fn follow_table_rename(schema: &mut Schema, old: &QualifiedName, new: &QualifiedName) {
    let follow = |name: &mut QualifiedName| {
        if name == old {
            *name = new.clone();
        }
    };
    for table in schema.tables.values_mut() {
        for foreign_key in table.foreign_keys.values_mut() {
            follow(&mut foreign_key.referenced_table);
        }
        if let Some(partition_of) = &mut table.partition_of {
            follow(&mut partition_of.parent);
        }
        table.inherits.iter_mut().for_each(follow);
    }
    for sequence in schema.sequences.values_mut() {
        if let Some((table, _)) = &mut sequence.owned_by {
            follow(table);
        }
    }
    for view in schema.views.values_mut() {
        view.definition = rename_relation_in_query(&view.definition, old, &new.name);
        if view.depends_on.remove(old) {
            view.depends_on.insert(new.clone());
        }
    }
}

/// After `ALTER TABLE table RENAME COLUMN old TO new`, with the table's own references
/// renamed (`rename_column_within`): other tables' foreign keys onto the column, the
/// sequence it owns and the views reading it. Children are the caller's (each is renamed
/// like its parent).
pub fn follow_column_rename(schema: &mut Schema, table: &QualifiedName, old: &str, new: &str) {
    for other in schema.tables.values_mut() {
        if other.name == *table {
            continue;
        }
        for foreign_key in other.foreign_keys.values_mut() {
            if foreign_key.referenced_table == *table {
                let columns = foreign_key.referenced_columns.iter_mut();
                for column in columns.filter(|column| *column == old) {
                    *column = new.to_string();
                }
            }
        }
    }
    for sequence in schema.sequences.values_mut() {
        if let Some((owner, column)) = &mut sequence.owned_by {
            if owner == table && column == old {
                *column = new.to_string();
            }
        }
    }
    // The table's columns as a view reading it knew them, for an alias column list.
    let columns: Vec<String> = schema
        .tables
        .get(table)
        .map(|renamed| crate::inheritance::effective_columns(schema, renamed))
        .unwrap_or_default()
        .into_iter()
        .map(|column| match column.name == new {
            true => old.to_string(),
            false => column.name,
        })
        .collect();
    for view in schema.views.values_mut() {
        view.definition = rename_column_in_query(&view.definition, table, old, new, &columns);
    }
}

/// After `ALTER TYPE enum_name RENAME VALUE old TO new`: stored expressions hold the value,
/// not its text, so the label reads `new` in every table's expressions and view's query
/// (bare literals only where a column of the table, or of a table the view reads, has the
/// type).
pub fn follow_label_rename(schema: &mut Schema, enum_name: &QualifiedName, old: &str, new: &str) {
    let uses_type = |table: &Table| {
        table
            .columns
            .iter()
            .any(|column| names_type(&column.data_type, enum_name))
    };
    let readers_of_type: Vec<QualifiedName> = schema
        .tables
        .values()
        .filter(|table| uses_type(table))
        .map(|table| table.name.clone())
        .collect();
    for table in schema.tables.values_mut() {
        let bare = uses_type(table);
        map_expressions(table, |expression| {
            rename_label_in_expression(expression, enum_name, old, new, bare)
        });
    }
    for view in schema.views.values_mut() {
        let bare = readers_of_type
            .iter()
            .any(|table| view.depends_on.contains(table));
        view.definition = rename_label_in_expression(&view.definition, enum_name, old, new, bare);
    }
}

/// After `ALTER TYPE old RENAME TO new` (or `ALTER DOMAIN`), with the type itself already
/// under `new`: what is built on it holds it by oid, so it reads back under the new name.
/// Columns, attributes, domains, range subtypes, the signatures of functions and aggregates
/// (and so their keys and privileges: no routine is dropped or created), casts in stored
/// expressions, SQL-standard bodies, argument defaults and view queries.
pub fn follow_type_rename(schema: &mut Schema, old: &QualifiedName, new: &QualifiedName) {
    let follow = |type_text: &mut String| follow_type_in(type_text, old, new);
    for table in schema.tables.values_mut() {
        table
            .columns
            .iter_mut()
            .for_each(|column| follow(&mut column.data_type));
        map_expressions(table, |expression| {
            rename_type_in_expression(expression, &old.name, &new.name)
        });
    }
    for composite in schema.composite_types.values_mut() {
        for attribute in &mut composite.attributes {
            follow(&mut attribute.data_type);
        }
    }
    schema
        .domains
        .values_mut()
        .for_each(|domain| follow(&mut domain.base_type));
    schema
        .ranges
        .values_mut()
        .for_each(|range| follow(&mut range.subtype));
    for view in schema.views.values_mut() {
        view.definition = rename_type_in_expression(&view.definition, &old.name, &new.name);
    }
    let mut moved = Vec::new();
    for (key, mut function) in std::mem::take(&mut schema.functions) {
        for argument in &mut function.arguments {
            follow(&mut argument.data_type);
            argument.default = argument
                .default
                .as_ref()
                .map(|default| rename_type_in_expression(default, &old.name, &new.name));
        }
        match &mut function.returns {
            Some(Returns::Type { data_type, .. }) => follow(data_type),
            Some(Returns::Table(columns)) => {
                columns
                    .iter_mut()
                    .for_each(|(_, data_type)| follow(data_type));
            }
            None => {}
        }
        if let FunctionBody::Sql(body) = &mut function.body {
            *body = rename_type_in_expression(&Expr::new(body.as_str()), &old.name, &new.name)
                .as_str()
                .to_string();
        }
        function.name.argument_types =
            Function::identity_types(&function.arguments, function.procedure);
        moved.push((key, function.name.clone()));
        schema.functions.insert(function.name.clone(), function);
    }
    for (key, mut aggregate) in std::mem::take(&mut schema.aggregates) {
        for argument in &mut aggregate.arguments {
            follow(&mut argument.data_type);
        }
        follow(&mut aggregate.state.stype);
        if let Some(moving) = &mut aggregate.moving {
            follow(&mut moving.state.stype);
        }
        aggregate.name.argument_types = Function::identity_types(&aggregate.arguments, false);
        moved.push((key, aggregate.name.clone()));
        schema.aggregates.insert(aggregate.name.clone(), aggregate);
    }
    for (from, to) in moved.into_iter().filter(|(from, to)| from != to) {
        if let Some(users) = schema.function_users.remove(&from) {
            schema.function_users.insert(to, users);
        }
    }
    // Every routine key of the privileges, as `diff::privileges` maps them across a rename.
    schema.privileges = std::mem::take(&mut schema.privileges)
        .into_iter()
        .map(|(object, acl)| match object {
            PrivilegeObject::Function(mut name) => {
                name.argument_types.iter_mut().for_each(&follow);
                (PrivilegeObject::Function(name), acl)
            }
            other => (other, acl),
        })
        .collect();
}

/// `type_text` naming type `new` where it names `old` (or an array of it), as `format_type`
/// prints it.
pub fn follow_type_in(type_text: &mut String, old: &QualifiedName, new: &QualifiedName) {
    if names_type(type_text, old) {
        let arrays = &type_text[type_text.trim_end_matches("[]").len()..];
        *type_text = format!("{}{arrays}", quote::type_name(new));
    }
}

/// Whether `data_type` is `type_name` or an array of it (a bare name is in `public`).
fn names_type(data_type: &str, type_name: &QualifiedName) -> bool {
    let base = data_type.trim_end_matches("[]");
    Cursor::new(base)
        .and_then(|mut cursor| {
            let name = cursor.qualified_name()?;
            cursor.expect_end()?;
            Ok(name)
        })
        .is_ok_and(|name| name == *type_name)
}
