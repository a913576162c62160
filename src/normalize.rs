//! Stage 3, normalize: `Schema` → canonical `Schema`, the same function for both sides.
//!
//! Pure. Each rewrite is a named rule: type aliases to `format_type` spelling, enum type
//! references to their quoted form, facts PostgreSQL implies (a primary key or identity
//! column is NOT NULL), collations as bare names, `public`'s default comment as none.
//! Expressions are canonicalized by the
//! server (see `shadow`), not here.

use std::collections::BTreeSet;

mod domain_casts;

use crate::model::{
    Function, FunctionName, PrivilegeObject, QualifiedName, RangeType, Returns, Schema,
    SequenceOptions,
};
use crate::syntax::types::{canonical_type, function_type, split_qualified};

pub fn normalize(mut schema: Schema) -> Schema {
    // Domains, composite, range and multirange types are referenced like enums: quoted as
    // `format_type` does.
    let enum_names: BTreeSet<QualifiedName> = schema
        .enums
        .keys()
        .chain(schema.domains.keys())
        .chain(schema.composite_types.keys())
        .chain(schema.ranges.keys())
        .cloned()
        .chain(schema.ranges.values().map(RangeType::multirange_name))
        .collect();
    for range in schema.ranges.values_mut() {
        range.subtype = function_type(&range.subtype, &enum_names);
        range.collation = range
            .collation
            .take()
            .and_then(|name| bare_collation(&name));
        // An operator class is named like a collation: bare when built in.
        range.subtype_opclass = range
            .subtype_opclass
            .take()
            .and_then(|name| bare_collation(&name));
    }
    for domain in schema.domains.values_mut() {
        domain.base_type = canonical_type(&domain.base_type, &enum_names);
        domain.collation = domain
            .collation
            .take()
            .and_then(|name| bare_collation(&name));
    }
    for composite in schema.composite_types.values_mut() {
        for attribute in &mut composite.attributes {
            attribute.data_type = canonical_type(&attribute.data_type, &enum_names);
            attribute.collation = attribute
                .collation
                .take()
                .and_then(|name| bare_collation(&name));
        }
    }
    for table in schema.tables.values_mut() {
        let primary_key_columns: Vec<String> = table
            .primary_key
            .as_ref()
            .map(|primary_key| primary_key.columns.clone())
            .unwrap_or_default();
        for column in &mut table.columns {
            column.data_type = canonical_type(&column.data_type, &enum_names);
            if primary_key_columns.contains(&column.name) || column.identity.is_some() {
                column.nullable = false;
            }
            column.collation = column
                .collation
                .take()
                .and_then(|name| bare_collation(&name));
            let identity_options = match column.identity {
                Some(_) => column
                    .identity_options()
                    .without_defaults(&column.data_type),
                None => SequenceOptions::default(),
            };
            column.set_identity_options(identity_options);
        }
        for index in table.indexes.values_mut() {
            for key in &mut index.keys {
                key.collation = key.collation.take().and_then(|name| bare_collation(&name));
            }
        }
        for key in table
            .partition_by
            .iter_mut()
            .flat_map(|key| &mut key.columns)
        {
            key.collation = key.collation.take().and_then(|name| bare_collation(&name));
        }
        domain_casts::remove(table, &schema.domains);
    }
    for sequence in schema.sequences.values_mut() {
        sequence.data_type = canonical_type(&sequence.data_type, &enum_names);
        sequence.options = sequence.options.without_defaults(&sequence.data_type);
    }
    schema.functions = std::mem::take(&mut schema.functions)
        .into_values()
        .map(|mut function| {
            for argument in &mut function.arguments {
                argument.data_type = function_type(&argument.data_type, &enum_names);
            }
            match &mut function.returns {
                Some(Returns::Type { data_type, .. }) => {
                    *data_type = function_type(data_type, &enum_names);
                }
                Some(Returns::Table(columns)) => {
                    for (_, data_type) in columns {
                        *data_type = function_type(data_type, &enum_names);
                    }
                }
                None => {}
            }
            function.name.argument_types =
                Function::identity_types(&function.arguments, function.procedure);
            (function.name.clone(), function)
        })
        .collect();
    // Rule: an aggregate's types are spelled like a function's, without modifiers.
    schema.aggregates = std::mem::take(&mut schema.aggregates)
        .into_values()
        .map(|mut aggregate| {
            for argument in &mut aggregate.arguments {
                argument.data_type = function_type(&argument.data_type, &enum_names);
            }
            let states = std::iter::once(&mut aggregate.state)
                .chain(aggregate.moving.as_mut().map(|moving| &mut moving.state));
            for state in states {
                state.stype = function_type(&state.stype, &enum_names);
            }
            aggregate.name.argument_types = Function::identity_types(&aggregate.arguments, false);
            (aggregate.name.clone(), aggregate)
        })
        .collect();
    // Rule: the comment every database's `public` starts with is no comment at all, so a
    // file need not repeat it.
    if schema.schema_comments.get("public").map(String::as_str) == Some(PUBLIC_COMMENT) {
        schema.schema_comments.remove("public");
    }
    // A routine's privileges name it by its identity, spelled like its key above.
    let routine_name = |mut name: FunctionName| {
        for argument_type in &mut name.argument_types {
            *argument_type = function_type(argument_type, &enum_names);
        }
        name
    };
    let privilege_object = |object: PrivilegeObject| match object {
        PrivilegeObject::Function(name) => PrivilegeObject::Function(routine_name(name)),
        other => other,
    };
    for (object, acl) in std::mem::take(&mut schema.privileges) {
        schema.set_acl(privilege_object(object), acl);
    }
    schema.directives.declared_privileges =
        std::mem::take(&mut schema.directives.declared_privileges)
            .into_iter()
            .map(|(object, grantee)| (privilege_object(object), grantee))
            .collect();
    schema.owners = std::mem::take(&mut schema.owners)
        .into_iter()
        .map(|(object, owner)| (privilege_object(object), owner))
        .collect();
    schema.directives.declared_owners = std::mem::take(&mut schema.directives.declared_owners)
        .into_iter()
        .map(privilege_object)
        .collect();
    schema.directives.aggregate_renames = std::mem::take(&mut schema.directives.aggregate_renames)
        .into_iter()
        .map(|(name, old)| (routine_name(name), old))
        .collect();
    schema.unmanaged.sort();
    schema
}

/// The comment PostgreSQL 15 gives the `public` schema of a new database.
const PUBLIC_COMMENT: &str = "standard public schema";

/// `"C"` → `C`; `"default"` means no explicit collation.
fn bare_collation(name: &str) -> Option<String> {
    let parts = split_qualified(name);
    let bare = match parts.as_slice() {
        [schema, name] if schema == "pg_catalog" => name.clone(),
        [schema, name] => format!("{schema}.{name}"),
        [name] => name.clone(),
        _ => name.to_string(),
    };
    (bare != "default").then_some(bare)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn collations_are_bare_names() {
        assert_eq!(bare_collation("\"C\""), Some("C".into()));
        assert_eq!(bare_collation("pg_catalog.\"C\""), Some("C".into()));
        assert_eq!(bare_collation("default"), None);
        assert_eq!(bare_collation("\"en-x-icu\""), Some("en-x-icu".into()));
    }
}
