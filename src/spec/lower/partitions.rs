//! Lowering of partitioning and inheritance. A child is lowered after its parents and
//! starts with the columns it takes from them (a partition's as PostgreSQL copies them, an
//! inheritance child's merged with the ones it lists), so its keys, checks and indexes are
//! checked against every column it has; `Lowering::schema` keeps what each declares at the
//! end (`inheritance::keep_declared_columns`), as the catalog does.

use super::*;
use crate::inheritance::expected_partition_column;
use crate::model::{PartitionKey, PartitionKeyColumn, PartitionOf, PartitionStrategy};

/// The tables in file order, except that a child waits until its parents are placed (a
/// parent the file does not declare, or a cycle, is reported when the child is lowered).
pub(super) fn parents_first(tables: Vec<(String, raw::Table)>) -> Vec<(String, raw::Table)> {
    let parents_of = |raw_table: &raw::Table| -> Vec<QualifiedName> {
        raw_table
            .partition_of
            .iter()
            .map(|partition_of| partition_of.parent.as_str())
            .chain(raw_table.inherits.iter().flatten().map(String::as_str))
            .filter_map(|text| parse_qualified(text).ok())
            .collect()
    };
    let declared: BTreeSet<QualifiedName> = tables
        .iter()
        .filter_map(|(key, _)| parse_qualified(key).ok())
        .collect();
    let mut placed: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut pending = tables;
    let mut ordered = Vec::with_capacity(pending.len());
    while !pending.is_empty() {
        let (ready, waiting): (Vec<_>, Vec<_>) = pending.into_iter().partition(|(_, raw_table)| {
            parents_of(raw_table)
                .iter()
                .all(|parent| placed.contains(parent) || !declared.contains(parent))
        });
        if ready.is_empty() {
            ordered.extend(waiting);
            break;
        }
        for (key, _) in &ready {
            placed.extend(parse_qualified(key).ok());
        }
        ordered.extend(ready);
        pending = waiting;
    }
    ordered
}

/// A table's place in a hierarchy, as the file gives it.
pub(super) struct Place {
    pub(super) partition_by: Option<raw::PartitionBy>,
    pub(super) partition_of: Option<raw::PartitionOf>,
    pub(super) inherits: Vec<String>,
}

impl Lowering<'_> {
    /// Sets the table's partition key and its parent or parents, and starts it with the
    /// columns it takes from them.
    pub(super) fn hierarchy(
        &mut self,
        draft: &mut TableDraft,
        place: Place,
        drafts: &BTreeMap<QualifiedName, TableDraft>,
    ) -> Result<()> {
        if let Some(raw_key) = place.partition_by {
            let at = draft.at.key("partition_by");
            draft.table.partition_by = Some(self.partition_key(raw_key, &at)?);
        }
        let inherits = place.inherits;
        if let Some(raw_partition_of) = place.partition_of {
            let at = draft.at.key("partition_of");
            if !inherits.is_empty() {
                return Err(self.error(&at, "a partition cannot also inherit from tables"));
            }
            let parent = self.qualified(&raw_partition_of.parent, &at.key("parent"))?;
            let parent_draft = self.parent_draft(&parent, drafts, &at.key("parent"))?;
            let bound = crate::ddl::partition_bound(&raw_partition_of.bounds)
                .map_err(|message| self.error(&at.key("bounds"), format!("bounds {message}")))?;
            let siblings: Vec<&Table> = drafts
                .values()
                .map(|sibling| &sibling.table)
                .filter(|sibling| {
                    sibling
                        .partition_of
                        .as_ref()
                        .is_some_and(|of| of.parent == parent)
                })
                .collect();
            crate::ddl::check_bound(&parent, &parent_draft.table, &bound, &siblings)
                .map_err(|message| self.error(&at.key("bounds"), message))?;
            draft.table.columns = parent_draft
                .table
                .columns
                .iter()
                .map(|column| expected_partition_column(&parent, column, &[]))
                .collect();
            draft.table.partition_of = Some(PartitionOf { parent, bound });
            return Ok(());
        }
        for (parent_idx, text) in inherits.iter().enumerate() {
            let at = draft.at.key("inherits").index(parent_idx);
            let parent = self.qualified(text, &at)?;
            let parent_draft = self.parent_draft(&parent, drafts, &at)?;
            if parent_draft.table.partition_by.is_some()
                || parent_draft.table.partition_of.is_some()
            {
                let message =
                    format!("cannot inherit from {parent}: it is partitioned or a partition");
                return Err(self.error(&at, message));
            }
            if draft.table.inherits.contains(&parent) {
                return Err(self.error(&at, format!("{parent} is listed twice")));
            }
            for column in &parent_draft.table.columns {
                match draft
                    .table
                    .columns
                    .iter_mut()
                    .find(|own| own.name == column.name)
                {
                    Some(own) => {
                        self.same_type(column, own, &at)?;
                        own.nullable &= column.nullable;
                    }
                    None => {
                        draft.table.columns.push(Column {
                            comment: None,
                            ..column.clone()
                        });
                        let key = (draft.table.name.clone(), column.name.clone());
                        self.inherited_only.insert(key);
                    }
                }
            }
            draft.table.inherits.push(parent);
        }
        Ok(())
    }

    fn parent_draft<'d>(
        &self,
        parent: &QualifiedName,
        drafts: &'d BTreeMap<QualifiedName, TableDraft>,
        at: &YamlPath,
    ) -> Result<&'d TableDraft> {
        drafts.get(parent).ok_or_else(|| {
            self.error(
                at,
                format!("table {parent} is not declared (or its parents lead back to this table)"),
            )
        })
    }

    fn partition_key(&self, raw_key: raw::PartitionBy, at: &YamlPath) -> Result<PartitionKey> {
        let strategies = [
            (PartitionStrategy::Range, raw_key.range),
            (PartitionStrategy::List, raw_key.list),
            (PartitionStrategy::Hash, raw_key.hash),
        ];
        let mut given = strategies.into_iter().filter(|(_, keys)| !keys.is_empty());
        let (Some((strategy, raw_columns)), None) = (given.next(), given.next()) else {
            return Err(self.error(at, "partition_by needs exactly one of range, list and hash"));
        };
        if strategy == PartitionStrategy::List && raw_columns.len() != 1 {
            return Err(self.error(at, "a list partition key has exactly one column"));
        }
        let mut columns = Vec::new();
        for raw_column in raw_columns {
            if raw_column.order.is_some() || raw_column.nulls.is_some() {
                return Err(self.error(at, "a partition key has no order or nulls placement"));
            }
            let target = match (raw_column.column, raw_column.expression) {
                (Some(column), None) => {
                    self.identifier(&column, at)?;
                    IndexTarget::Column(column)
                }
                (None, Some(expression)) => IndexTarget::Expression(self.fragment(
                    Fragment::Expression,
                    &expression,
                    at,
                    "expression",
                )?),
                _ => {
                    return Err(self.error(
                        at,
                        "a partition key column needs exactly one of column and expression",
                    ))
                }
            };
            let opclass = raw_column
                .opclass
                .map(|opclass| self.fragment(Fragment::OperatorClass, &opclass, at, "opclass"))
                .transpose()?
                .map(|opclass| opclass.0);
            columns.push(PartitionKeyColumn {
                target,
                collation: raw_column.collation,
                opclass,
            });
        }
        Ok(PartitionKey { strategy, columns })
    }

    /// A column the file lists: on a partition it gives the partition's own attributes to
    /// one of its parent's columns, on an inheritance child it merges with a parent's column
    /// of the same name (the parent's default stays unless the child gives one).
    pub(super) fn declare_column(
        &mut self,
        draft: &mut TableDraft,
        column: Column,
        at: &YamlPath,
    ) -> Result<()> {
        let is_partition = draft.table.partition_of.is_some();
        let inherited = draft
            .table
            .columns
            .iter()
            .position(|known| known.name == column.name);
        let Some(position) = inherited else {
            if is_partition {
                let message = format!("column {} is not a column of the parent", column.name);
                return Err(self.error(at, message));
            }
            draft.table.columns.push(column);
            return Ok(());
        };
        let known = draft.table.columns[position].clone();
        self.same_type(&known, &column, at)?;
        let declared = match is_partition {
            true if column.identity.is_some() || column.generated.is_some() => {
                let message = "a partition takes identity and generation from its parent";
                return Err(self.error(at, message));
            }
            true => Column {
                nullable: column.nullable && known.nullable,
                default: column.default,
                comment: column.comment,
                ..known
            },
            false => Column {
                nullable: column.nullable && known.nullable,
                default: column.default.or(known.default),
                ..column
            },
        };
        let key = (draft.table.name.clone(), declared.name.clone());
        self.inherited_only.remove(&key);
        draft.table.columns[position] = declared;
        Ok(())
    }

    /// Every column a partition key names exists.
    pub(super) fn check_partition_key(&self, draft: &TableDraft) -> Result<()> {
        let Some(key) = &draft.table.partition_by else {
            return Ok(());
        };
        for column in &key.columns {
            if let IndexTarget::Column(name) = &column.target {
                if draft.table.column(name).is_none() {
                    let message = format!("partition key column \"{name}\" is not a column");
                    return Err(self.error(&draft.at.key("partition_by"), message));
                }
            }
        }
        Ok(())
    }

    fn same_type(&self, parent_column: &Column, column: &Column, at: &YamlPath) -> Result<()> {
        let no_enums = BTreeSet::new();
        let canonical =
            |column: &Column| crate::syntax::types::canonical_type(&column.data_type, &no_enums);
        match canonical(parent_column) == canonical(column) {
            true => Ok(()),
            false => Err(self.error(
                at,
                format!(
                    "column {} has type {}, but its parent's is {}",
                    column.name, column.data_type, parent_column.data_type
                ),
            )),
        }
    }
}
