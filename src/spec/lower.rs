//! Raw spec → `model::Schema`: resolves names, fills in PostgreSQL's default names and implied
//! NOT NULLs, and checks cross-references (columns, referenced tables, name clashes).
//!
//! Pure. Stops at the first problem with an `Error::Spec` naming the YAML path; records where
//! each object was declared for the `SourceMap`.

mod aggregates;
mod collations;
mod exclusion;
mod foreign_keys;
mod functions;
mod indexes;
mod owners;
mod partitions;
mod privileges;
mod ranges;
mod sequences;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

mod triggers;
mod types;
mod views;

use super::locate::{Locator, YamlPath};
use super::raw;
use super::types::is_known_type;
use crate::error::{Error, Location, Result};
use crate::guard::{self, Fragment};
use crate::model::{
    Acl, CheckConstraint, CheckOption, Column, Compression, Deferrable, Directives, Enum, Expr,
    Extension, ForeignKey, Identity, Index, IndexKey, IndexTarget, MatchType, NameMap, ObjectRef,
    PrimaryKey, PrivilegeObject, QualifiedName, ReferentialAction, Schema, Sequence,
    SequenceOptions, Table, UniqueConstraint, View, ViewOptions, MAX_COLUMNS,
};
use crate::syntax::names::{self, parse_qualified, MAX_IDENTIFIER_BYTES};

/// Lowers a deserialized file; `locator` turns YAML paths into positions for errors and the
/// source map.
pub fn lower(
    file: raw::File,
    locator: &Locator,
    path: &Path,
) -> Result<(Schema, BTreeMap<ObjectRef, Location>)> {
    let mut lowering = Lowering {
        path,
        locator,
        locations: BTreeMap::new(),
        directives: Directives::default(),
        inherited_only: BTreeSet::new(),
        privileges: BTreeMap::new(),
        owners: BTreeMap::new(),
    };
    let mut schema = lowering.schema(file)?;
    lowering.take_owners(&mut schema)?;
    schema.directives = lowering.directives;
    for (object, acl) in lowering.privileges {
        schema.set_acl(object, acl);
    }
    Ok((schema, lowering.locations))
}

struct Lowering<'a> {
    path: &'a Path,
    locator: &'a Locator,
    locations: BTreeMap<ObjectRef, Location>,
    directives: Directives,
    /// Columns inheritance children have only from their parents, left out at the end.
    inherited_only: BTreeSet<(QualifiedName, String)>,
    /// ACLs of the objects with `grants:`, defaults included (`Schema::set_acl` drops them).
    privileges: BTreeMap<PrivilegeObject, Acl>,
    /// Owners of the objects with `owner:`, with where each is written.
    owners: BTreeMap<PrivilegeObject, (String, YamlPath)>,
}

/// What a column type may name besides built-ins.
struct TypeContext {
    /// Enums, domains and composite types of the file.
    enums: BTreeSet<QualifiedName>,
    /// An extension may define any type, so the server judges.
    any_type: bool,
}

/// A lowered table with what the later passes still need.
struct TableDraft {
    table: Table,
    at: YamlPath,
    foreign_keys: raw::Keyed<raw::ForeignKey>,
    /// Constraint names of this table (one namespace for PK, unique, FK, check, exclusion), by
    /// where declared.
    constraint_names: BTreeMap<String, YamlPath>,
    /// Index-backed names (PK, unique, exclusion, indexes) that share the schema's relation
    /// namespace.
    relation_names: Vec<(String, YamlPath)>,
}

impl Lowering<'_> {
    fn schema(&mut self, file: raw::File) -> Result<Schema> {
        let mut schema = Schema {
            schemas: BTreeSet::from(["public".to_owned()]),
            ..Schema::default()
        };
        self.listed_schemas(file.schemas.unwrap_or_default(), &mut schema)?;
        self.extensions(file.extensions.unwrap_or_default(), &mut schema)?;
        self.collations(file.collations.unwrap_or_default(), &mut schema)?;
        let mut enum_paths = self.enums(file.enums.unwrap_or_default(), &mut schema)?;
        let range_types = file.range_types.unwrap_or_default();
        self.range_names(&range_types, &mut enum_paths)?;
        let domains = file.domains.unwrap_or_default();
        let composite_types = file.composite_types.unwrap_or_default();
        self.types(domains, composite_types, &mut enum_paths, &mut schema)?;
        let mut drafts = self.tables(file.tables.unwrap_or_default(), &enum_paths, &mut schema)?;
        self.check_relation_names(&drafts)?;
        self.foreign_keys(&mut drafts)?;
        self.views(file.views.unwrap_or_default(), &drafts, &mut schema)?;
        self.sequences(file.sequences.unwrap_or_default(), &drafts, &mut schema)?;
        self.functions(file.functions.unwrap_or_default(), &mut schema)?;
        self.aggregates(file.aggregates.unwrap_or_default(), &mut schema)?;
        // After functions: a bare SUBTYPE_DIFF or CANONICAL may name one of them.
        self.ranges(range_types, &mut schema)?;
        self.default_privileges(file.default_privileges.unwrap_or_default(), &schema)?;
        schema.tables = drafts
            .into_iter()
            .map(|(name, draft)| (name, draft.table))
            .collect();
        crate::inheritance::keep_declared_columns(&mut schema, &self.inherited_only);
        Ok(schema)
    }

    fn listed_schemas(&mut self, schemas: raw::Schemas, schema: &mut Schema) -> Result<()> {
        let section = YamlPath::default().key("schemas");
        let mut listed = BTreeSet::new();
        for (schema_idx, (name, options)) in schemas.entries.into_iter().enumerate() {
            let at = match schemas.is_list {
                true => section.index(schema_idx),
                false => section.key(&name),
            };
            self.identifier(&name, &at)?;
            self.managed_schema(&name, &at)?;
            if !listed.insert(name.clone()) {
                return Err(self.error(&at, format!("schema \"{name}\" is listed twice")));
            }
            self.record(ObjectRef::Schema(name.clone()), &at);
            if let Some(comment) = options.comment {
                schema.schema_comments.insert(name.clone(), comment);
            }
            self.grants(PrivilegeObject::Schema(name.clone()), options.grants, &at)?;
            self.owner(PrivilegeObject::Schema(name.clone()), options.owner, &at)?;
            schema.schemas.insert(name);
        }
        Ok(())
    }

    fn extensions(&mut self, extensions: raw::Extensions, schema: &mut Schema) -> Result<()> {
        let section = YamlPath::default().key("extensions");
        for (extension_idx, (name, options)) in extensions.entries.into_iter().enumerate() {
            let at = if extensions.is_list {
                section.index(extension_idx)
            } else {
                section.key(&name)
            };
            self.identifier(&name, &at)?;
            if let Some(extension_schema) = &options.schema {
                self.identifier(extension_schema, &at.key("schema"))?;
                // Built-in languages live in pg_catalog, which exists and is never managed.
                if extension_schema != "pg_catalog" {
                    self.managed_schema(extension_schema, &at.key("schema"))?;
                    // CREATE EXTENSION ... SCHEMA needs the schema to exist, like a table's does.
                    schema.schemas.insert(extension_schema.clone());
                }
            }
            if schema.extensions.contains_key(&name) {
                return Err(self.error(&at, format!("extension \"{name}\" is listed twice")));
            }
            self.record(ObjectRef::Extension(name.clone()), &at);
            if let Some(version) = &options.version {
                self.identifier(version, &at.key("version"))?;
            }
            let extension = Extension {
                name: name.clone(),
                schema: options.schema,
                version: options.version,
            };
            schema.extensions.insert(name, extension);
        }
        Ok(())
    }

    /// Returns where each enum was declared, for clashes with table names.
    fn enums(
        &mut self,
        enums: raw::Ordered<raw::Enum>,
        schema: &mut Schema,
    ) -> Result<BTreeMap<QualifiedName, YamlPath>> {
        let mut enum_paths = BTreeMap::new();
        for (key, mut raw_enum) in enums.0 {
            let at = YamlPath::default().key("enums").key(&key);
            let grants = raw_enum.grants.take();
            let owner = raw_enum.owner.take();
            let lowered = self.enumeration(&key, raw_enum, &at)?;
            self.grants(PrivilegeObject::Type(lowered.name.clone()), grants, &at)?;
            self.owner(PrivilegeObject::Type(lowered.name.clone()), owner, &at)?;
            if let Some(first) = enum_paths.insert(lowered.name.clone(), at.clone()) {
                let message = format!("enum {} is already declared at {first}", lowered.name);
                return Err(self.error(&at, message));
            }
            self.record(ObjectRef::Enum(lowered.name.clone()), &at);
            self.record(ObjectRef::Schema(lowered.name.schema.clone()), &at);
            schema.schemas.insert(lowered.name.schema.clone());
            schema.enums.insert(lowered.name.clone(), lowered);
        }
        Ok(enum_paths)
    }

    /// Everything of each table but its foreign keys, which need all tables first.
    fn tables(
        &mut self,
        tables: raw::Ordered<raw::Table>,
        enum_paths: &BTreeMap<QualifiedName, YamlPath>,
        schema: &mut Schema,
    ) -> Result<BTreeMap<QualifiedName, TableDraft>> {
        let types = TypeContext {
            enums: enum_paths.keys().cloned().collect(),
            any_type: !schema.extensions.is_empty(),
        };
        let mut drafts: BTreeMap<QualifiedName, TableDraft> = BTreeMap::new();
        for (key, mut raw_table) in partitions::parents_first(tables.0) {
            let at = YamlPath::default().key("tables").key(&key);
            let name = self.qualified(&key, &at)?;
            self.grants(
                PrivilegeObject::Table(name.clone()),
                raw_table.grants.take(),
                &at,
            )?;
            let owner = raw_table.owner.take();
            self.owner(PrivilegeObject::Table(name.clone()), owner, &at)?;
            if let Some(first) = drafts.get(&name) {
                let message = format!("table {name} is already declared at {}", first.at);
                return Err(self.error(&at, message));
            }
            // A table's row type shares the type namespace with enums.
            if let Some(enum_at) = enum_paths.get(&name) {
                return Err(self.error(&at, format!("name {name} is already used by {enum_at}")));
            }
            self.record(ObjectRef::Table(name.clone()), &at);
            self.record(ObjectRef::Schema(name.schema.clone()), &at);
            schema.schemas.insert(name.schema.clone());
            let draft = self.table(name.clone(), raw_table, at, &types, &drafts)?;
            drafts.insert(name, draft);
        }
        Ok(drafts)
    }

    fn enumeration(&mut self, key: &str, raw_enum: raw::Enum, at: &YamlPath) -> Result<Enum> {
        let name = self.qualified(key, at)?;
        if raw_enum.values.is_empty() {
            return Err(self.error(at, "enum needs at least one value"));
        }
        if let Some(old_name) = raw_enum.renamed_from {
            self.identifier(&old_name, at)?;
            self.directives.enum_renames.insert(name.clone(), old_name);
        }
        let mut values = Vec::new();
        for raw_value in raw_enum.values {
            if let Some(old_value) = raw_value.renamed_from {
                let key = (name.clone(), raw_value.value.clone());
                self.directives.enum_value_renames.insert(key, old_value);
            }
            values.push(raw_value.value);
        }
        for (value_idx, value) in values.iter().enumerate() {
            if value.is_empty() {
                return Err(self.error(at, "enum value is empty"));
            }
            if value.len() > MAX_IDENTIFIER_BYTES {
                return Err(self.error(
                    at,
                    format!("enum value \"{value}\" is longer than {MAX_IDENTIFIER_BYTES} bytes"),
                ));
            }
            if values[..value_idx].contains(value) {
                return Err(self.error(at, format!("duplicate enum value \"{value}\"")));
            }
        }
        Ok(Enum {
            name,
            values,
            comment: raw_enum.comment,
        })
    }

    fn table(
        &mut self,
        name: QualifiedName,
        mut raw_table: raw::Table,
        at: YamlPath,
        types: &TypeContext,
        drafts: &BTreeMap<QualifiedName, TableDraft>,
    ) -> Result<TableDraft> {
        let place = partitions::Place {
            partition_by: raw_table.partition_by.take(),
            partition_of: raw_table.partition_of.take(),
            inherits: raw_table.inherits.take().unwrap_or_default(),
        };
        let mut draft = TableDraft {
            table: Table::new(name.clone()),
            at,
            foreign_keys: raw_table.foreign_keys.unwrap_or_default(),
            constraint_names: BTreeMap::new(),
            relation_names: Vec::new(),
        };
        draft.table.comment = raw_table.comment;
        draft.table.unlogged = raw_table.unlogged;
        draft.table.storage_parameters =
            self.storage_parameters(raw_table.with, &draft.at.key("with"))?;
        self.hierarchy(&mut draft, place, drafts)?;
        if let Some(old_name) = raw_table.renamed_from {
            let at = draft.at.key("renamed_from");
            self.identifier(&old_name, &at)?;
            self.directives.table_renames.insert(name.clone(), old_name);
        }
        for (column_name, mut raw_column) in raw_table.columns.unwrap_or_default().0 {
            let column_at = draft.at.key("columns").key(&column_name);
            if draft.table.columns.len() == MAX_COLUMNS {
                let message = format!("tables can have at most {MAX_COLUMNS} columns");
                return Err(self.error(&column_at, message));
            }
            let key = (name.clone(), column_name.clone());
            if let Some(old_name) = raw_column.renamed_from.take() {
                self.identifier(&old_name, &column_at)?;
                self.directives.column_renames.insert(key.clone(), old_name);
            }
            if let Some(backfill) =
                self.expression(raw_column.backfill.take(), &column_at, "backfill")?
            {
                self.directives.backfills.insert(key.clone(), backfill);
            }
            if let Some(using) = self.expression(raw_column.using.take(), &column_at, "using")? {
                self.directives.type_casts.insert(key, using);
            }
            let column_grants = raw_column.grants.take();
            let sequence_grants = raw_column
                .sequence
                .as_mut()
                .and_then(|sequence| sequence.grants.take());
            let column = self.column(&column_name, raw_column, &column_at, types)?;
            let object = PrivilegeObject::Column(name.clone(), column_name.clone());
            self.grants(object, column_grants, &column_at)?;
            self.sequence_grants(&name, &column, sequence_grants, &column_at)?;
            self.record(ObjectRef::Column(name.clone(), column_name), &column_at);
            self.declare_column(&mut draft, column, &column_at)?;
        }
        self.check_partition_key(&draft)?;
        if let Some(raw_key) = raw_table.primary_key {
            self.primary_key(&mut draft, raw_key)?;
        }
        for (unique_idx, (unique_name, raw_unique)) in raw_table
            .unique
            .unwrap_or_default()
            .0
            .into_iter()
            .enumerate()
        {
            let at = entry_path(&draft.at.key("unique"), unique_name.as_deref(), unique_idx);
            self.unique(&mut draft, unique_name, raw_unique, &at)?;
        }
        for (check_name, raw_check) in raw_table.checks.unwrap_or_default().0 {
            let at = draft.at.key("checks").key(&check_name);
            self.identifier(&check_name, &at)?;
            let expression = self.fragment(
                Fragment::Expression,
                &raw_check.expression,
                &at,
                "expression",
            )?;
            self.claim_constraint(&mut draft, &check_name, &at)?;
            self.constraint_renamed(&name, &check_name, raw_check.renamed_from, &at)?;
            let check = CheckConstraint {
                name: check_name.clone(),
                expression,
                valid: raw_check.valid.unwrap_or(true),
                comment: raw_check.comment,
                no_inherit: raw_check.no_inherit,
            };
            draft.table.checks.insert(check_name, check);
        }
        self.exclusions(&mut draft, raw_table.exclude.unwrap_or_default())?;
        for (index_idx, (index_name, mut raw_index)) in raw_table
            .indexes
            .unwrap_or_default()
            .0
            .into_iter()
            .enumerate()
        {
            let at = entry_path(&draft.at.key("indexes"), index_name.as_deref(), index_idx);
            let renamed_from = raw_index.renamed_from.take();
            let index = self.index(&draft.table, true, index_name, raw_index, &at)?;
            if let Some(old_name) = renamed_from {
                self.identifier(&old_name, &at)?;
                let key = (name.clone(), index.name.clone());
                self.directives.index_renames.insert(key, old_name);
            }
            self.record(ObjectRef::Index(name.clone(), index.name.clone()), &at);
            draft.relation_names.push((index.name.clone(), at));
            draft.table.indexes.insert(index.name.clone(), index);
        }
        let triggers = raw_table.triggers.unwrap_or_default();
        draft.table.triggers = self.triggers(&name, Some(&draft.table), triggers, &draft.at)?;
        let policies = raw_table.policies.unwrap_or_default();
        draft.table.policies = self.policies(&name, policies, &draft.at)?;
        draft.table.row_security = self.row_security(raw_table.row_level_security);
        for (constraint_name, at) in &draft.constraint_names {
            let object = ObjectRef::Constraint(name.clone(), constraint_name.clone());
            self.record(object, at);
        }
        Ok(draft)
    }

    fn primary_key(&mut self, draft: &mut TableDraft, raw_key: raw::PrimaryKey) -> Result<()> {
        let at = draft.at.key("primary_key");
        self.check_columns(&draft.table, &raw_key.columns, &at, "primary key")?;
        if !raw_key.include.is_empty() {
            self.check_columns(&draft.table, &raw_key.include, &at, "primary key")?;
        }
        let name = match raw_key.name {
            Some(name) => self.identifier(&name, &at).map(|()| name)?,
            None => names::primary_key_name(&draft.table.name.name),
        };
        let deferrable = self.deferrable(raw_key.deferrable, raw_key.initially_deferred, &at)?;
        self.constraint_renamed(&draft.table.name, &name, raw_key.renamed_from, &at)?;
        self.claim_constraint(draft, &name, &at)?;
        draft.relation_names.push((name.clone(), at));
        // PostgreSQL makes primary key columns NOT NULL.
        for column in &mut draft.table.columns {
            column.nullable &= !raw_key.columns.contains(&column.name);
        }
        draft.table.primary_key = Some(PrimaryKey {
            name,
            columns: raw_key.columns,
            include: raw_key.include,
            deferrable,
            comment: raw_key.comment,
        });
        Ok(())
    }

    fn unique(
        &mut self,
        draft: &mut TableDraft,
        name: Option<String>,
        raw_unique: raw::Unique,
        at: &YamlPath,
    ) -> Result<()> {
        self.check_columns(&draft.table, &raw_unique.columns, at, "unique constraint")?;
        if !raw_unique.include.is_empty() {
            self.check_columns(&draft.table, &raw_unique.include, at, "unique constraint")?;
        }
        // PostgreSQL's default name lists the INCLUDE columns too.
        let name = match name {
            Some(name) => self.identifier(&name, at).map(|()| name)?,
            None => names::unique_name(
                &draft.table.name.name,
                &[&raw_unique.columns[..], &raw_unique.include[..]].concat(),
            ),
        };
        let deferrable =
            self.deferrable(raw_unique.deferrable, raw_unique.initially_deferred, at)?;
        self.constraint_renamed(&draft.table.name, &name, raw_unique.renamed_from, at)?;
        self.claim_constraint(draft, &name, at)?;
        draft.relation_names.push((name.clone(), at.clone()));
        let unique = UniqueConstraint {
            name: name.clone(),
            columns: raw_unique.columns,
            include: raw_unique.include,
            nulls_not_distinct: raw_unique.nulls_not_distinct,
            deferrable,
            comment: raw_unique.comment,
        };
        draft.table.uniques.insert(name, unique);
        Ok(())
    }

    fn column(
        &self,
        name: &str,
        raw_column: raw::Column,
        at: &YamlPath,
        types: &TypeContext,
    ) -> Result<Column> {
        self.identifier(name, at)?;
        let data_type = self.fragment(Fragment::TypeName, &raw_column.data_type, at, "type")?;
        let data_type = data_type.as_str();
        if !types.any_type && !is_known_type(data_type, &types.enums) {
            return Err(self.error(at, format!("unknown type \"{data_type}\"")));
        }
        let default = self.expression(raw_column.default, at, "default")?;
        let generated = self.expression(raw_column.generated, at, "generated")?;
        let identity = raw_column.identity.map(|identity| match identity {
            raw::Identity::Always => Identity::Always,
            raw::Identity::ByDefault => Identity::ByDefault,
        });
        match (&default, identity, &generated) {
            (Some(_), Some(_), _) => {
                return Err(self.error(at, "a column cannot have both a default and an identity"))
            }
            (Some(_), _, Some(_)) => {
                return Err(self.error(at, "a generated column cannot have a default"))
            }
            (_, Some(_), Some(_)) => {
                return Err(self.error(at, "a column cannot be both identity and generated"))
            }
            _ => {}
        }
        let collation = match raw_column.collation {
            Some(collation) if collation.trim().is_empty() => {
                return Err(self.error(at, "collation is empty"))
            }
            collation => collation,
        };
        let identity_options = match (raw_column.sequence, identity) {
            (None, _) => SequenceOptions::default(),
            // Only grants, which `sequence_grants` checks.
            (Some(sequence), None) if sequence == raw::Sequence::default() => {
                SequenceOptions::default()
            }
            (Some(_), None) => {
                return Err(self.error(at, "sequence options need an identity column"));
            }
            (Some(sequence), Some(_)) => {
                if sequence.increment == Some(0) {
                    return Err(self.error(at, "sequence increment cannot be zero"));
                }
                SequenceOptions {
                    start: sequence.start,
                    increment: sequence.increment,
                    min_value: sequence.min,
                    max_value: sequence.max,
                    cache: sequence.cache,
                    cycle: sequence.cycle,
                }
            }
        };
        // PostgreSQL's range; -1, its default, is written by leaving the key out.
        if let Some(statistics) = raw_column.statistics {
            if !(0..=10_000).contains(&statistics) {
                let message = format!("statistics {statistics} is not between 0 and 10000");
                return Err(self.error(&at.key("statistics"), message));
            }
        }
        Ok(Column {
            name: name.to_owned(),
            data_type: data_type.to_owned(),
            // PostgreSQL makes identity columns NOT NULL.
            nullable: raw_column.nullable.unwrap_or(true) && identity.is_none(),
            default,
            identity,
            identity_options: (!identity_options.is_default()).then(|| Box::new(identity_options)),
            generated,
            collation,
            statistics: raw_column.statistics,
            compression: raw_column.compression.map(|method| match method {
                raw::CompressionMethod::Pglz => Compression::Pglz,
                raw::CompressionMethod::Lz4 => Compression::Lz4,
            }),
            comment: raw_column.comment,
        })
    }

    /// Indexes, primary keys and unique constraints are relations: their names must not clash
    /// with each other or with tables in the same schema.
    fn check_relation_names(&self, drafts: &BTreeMap<QualifiedName, TableDraft>) -> Result<()> {
        let mut relations: BTreeMap<QualifiedName, &YamlPath> = drafts
            .iter()
            .map(|(name, draft)| (name.clone(), &draft.at))
            .collect();
        let mut ordered: Vec<&TableDraft> = drafts.values().collect();
        // Report the clash at the later declaration, as the file reads.
        ordered.sort_by_key(|draft| self.locator.locate(&draft.at));
        for draft in ordered {
            for (name, at) in &draft.relation_names {
                let relation = QualifiedName::new(draft.table.name.schema.clone(), name.clone());
                if let Some(first) = relations.insert(relation, at) {
                    return Err(
                        self.error(at, format!("name \"{name}\" is already used by {first}"))
                    );
                }
            }
        }
        Ok(())
    }

    fn constraint_renamed(
        &mut self,
        table: &QualifiedName,
        name: &str,
        renamed_from: Option<String>,
        at: &YamlPath,
    ) -> Result<()> {
        if let Some(old_name) = renamed_from {
            self.identifier(&old_name, at)?;
            let key = (table.clone(), name.to_owned());
            self.directives.constraint_renames.insert(key, old_name);
        }
        Ok(())
    }

    fn claim_constraint(&self, draft: &mut TableDraft, name: &str, at: &YamlPath) -> Result<()> {
        if let Some(first) = draft.constraint_names.get(name) {
            return Err(self.error(
                at,
                format!("constraint name \"{name}\" is already used by {first}"),
            ));
        }
        draft.constraint_names.insert(name.to_owned(), at.clone());
        Ok(())
    }

    /// Non-empty, existing, and each listed once.
    fn check_columns(
        &self,
        table: &Table,
        columns: &[String],
        at: &YamlPath,
        what: &str,
    ) -> Result<()> {
        if columns.is_empty() {
            return Err(self.error(at, format!("{what} needs at least one column")));
        }
        for (column_idx, column) in columns.iter().enumerate() {
            if table.column(column).is_none() {
                return Err(self.error(at, format!("unknown column \"{column}\"")));
            }
            if columns[..column_idx].contains(column) {
                return Err(self.error(at, format!("column \"{column}\" is listed twice")));
            }
        }
        Ok(())
    }

    fn expression(&self, text: Option<String>, at: &YamlPath, field: &str) -> Result<Option<Expr>> {
        text.map(|text| self.fragment(Fragment::Expression, &text, at, field))
            .transpose()
    }

    /// The SQL text of field `field` of the object at `at`, which must be exactly one
    /// fragment of `kind` (schema files are untrusted; see `guard`).
    fn fragment(&self, kind: Fragment, text: &str, at: &YamlPath, field: &str) -> Result<Expr> {
        guard::fragment(kind, text)
            .map(Expr::new)
            .map_err(|message| self.error(&at.key(field), format!("{field} {message}")))
    }

    fn qualified(&self, text: &str, at: &YamlPath) -> Result<QualifiedName> {
        let name = parse_qualified(text).map_err(|message| self.error(at, message))?;
        self.identifier(&name.schema, at)?;
        self.managed_schema(&name.schema, at)?;
        self.identifier(&name.name, at)?;
        Ok(name)
    }

    /// PostgreSQL would silently truncate a longer name, so the desired and current schemas
    /// would never agree.
    fn identifier(&self, name: &str, at: &YamlPath) -> Result<()> {
        if name.is_empty() {
            return Err(self.error(at, "name is empty"));
        }
        guard::name(name).map_err(|message| self.error(at, message))?;
        if name.len() > MAX_IDENTIFIER_BYTES {
            let message = format!(
                "name \"{name}\" is {} bytes long; PostgreSQL allows at most {MAX_IDENTIFIER_BYTES}",
                name.len()
            );
            return Err(self.error(at, message));
        }
        Ok(())
    }

    fn managed_schema(&self, name: &str, at: &YamlPath) -> Result<()> {
        guard::managed_schema(name).map_err(|message| self.error(at, message))
    }

    fn record(&mut self, object: ObjectRef, at: &YamlPath) {
        if let Some(location) = self.locator.locate(at) {
            self.locations.entry(object).or_insert(location);
        }
    }

    fn error(&self, at: &YamlPath, message: impl Into<String>) -> Error {
        Error::Spec {
            path: self.path.to_path_buf(),
            location: self.locator.locate(at),
            object: Some(at.to_string()),
            message: message.into(),
        }
    }
}

/// `unique.<name>` for a map entry, `unique[<idx>]` for a list entry.
fn entry_path(section: &YamlPath, name: Option<&str>, entry_idx: usize) -> YamlPath {
    match name {
        Some(name) => section.key(name),
        None => section.index(entry_idx),
    }
}
