//! The indexes a partition has for its parent's: PostgreSQL gives each partition its own
//! index for every index and key of its parent (adopting a matching one the partition has),
//! named after the partition. The model leaves them out; `Hierarchy` keeps their names,
//! which take up names in the schema and come back when the partition is detached.

use super::*;

/// An index a partition takes from its parent, for a key or on its own.
#[derive(Debug, Clone)]
pub(super) enum KeyObject {
    PrimaryKey(PrimaryKey),
    Unique(UniqueConstraint),
    Index(Index),
}

impl KeyObject {
    /// Whether two objects are the same index to PostgreSQL, whatever their names.
    fn same_definition(&self, other: &KeyObject) -> bool {
        match (self, other) {
            (KeyObject::PrimaryKey(a), KeyObject::PrimaryKey(b)) => {
                a.columns == b.columns && a.include == b.include && a.deferrable == b.deferrable
            }
            (KeyObject::Unique(a), KeyObject::Unique(b)) => {
                a.columns == b.columns
                    && a.include == b.include
                    && a.nulls_not_distinct == b.nulls_not_distinct
                    && a.deferrable == b.deferrable
            }
            (KeyObject::Index(a), KeyObject::Index(b)) => a.same_definition_as(b),
            _ => false,
        }
    }

    /// `ChooseIndexName`'s parts for a partition's copy: the column names and the label.
    fn name_parts(&self) -> (Option<String>, &'static str) {
        match self {
            KeyObject::PrimaryKey(_) => (None, "pkey"),
            KeyObject::Unique(unique) => {
                let columns = [&unique.columns[..], &unique.include[..]].concat();
                (Some(columns.join("_")), "key")
            }
            KeyObject::Index(index) => {
                let mut columns: Vec<String> = index
                    .keys
                    .iter()
                    .map(|key| match &key.target {
                        IndexTarget::Column(column) => column.clone(),
                        IndexTarget::Expression(expression) => expression_column_name(expression),
                    })
                    .collect();
                columns.extend(index.include.iter().cloned());
                (Some(columns.join("_")), "idx")
            }
        }
    }

    pub(super) fn renamed(&self, name: &str) -> KeyObject {
        let mut object = self.clone();
        match &mut object {
            KeyObject::PrimaryKey(key) => key.name = name.to_string(),
            KeyObject::Unique(unique) => unique.name = name.to_string(),
            KeyObject::Index(index) => index.name = name.to_string(),
        }
        object
    }
}

impl Interpreter {
    /// Every index of `table` for a key or on its own, with its name on `table`: its own
    /// and those it has for its parent's.
    pub(super) fn index_objects(&self, name: &QualifiedName) -> Vec<(String, KeyObject)> {
        let Some(table) = self.schema.tables.get(name) else {
            return Vec::new();
        };
        let mut objects: Vec<(String, KeyObject)> = table
            .primary_key
            .iter()
            .map(|key| (key.name.clone(), KeyObject::PrimaryKey(key.clone())))
            .chain(
                table
                    .uniques
                    .values()
                    .map(|unique| (unique.name.clone(), KeyObject::Unique(unique.clone()))),
            )
            .chain(
                table
                    .indexes
                    .values()
                    .map(|index| (index.name.clone(), KeyObject::Index(index.clone()))),
            )
            .collect();
        if let (Some(partition_of), Some(inherited)) = (
            &table.partition_of,
            self.hierarchy.inherited_indexes.get(name),
        ) {
            for (parent_index, object) in self.index_objects(&partition_of.parent) {
                if let Some(own_name) = inherited.get(&parent_index) {
                    objects.push((own_name.clone(), object.renamed(own_name)));
                }
            }
        }
        objects
    }

    /// Gives every partition of `parent` (and theirs, down the tree) an index for each of
    /// the parent's: a matching index or key of its own if it has one (it becomes the
    /// parent's), else a new one under PostgreSQL's default name.
    pub(super) fn sync_inherited_indexes(&mut self, parent: &QualifiedName) -> Outcome {
        let partitions: Vec<QualifiedName> = self
            .partitions_of(parent)
            .into_iter()
            .map(|partition| partition.name.clone())
            .collect();
        if partitions.is_empty() {
            return Ok(());
        }
        let objects = self.index_objects(parent);
        for partition in partitions {
            for (parent_index, object) in &objects {
                let known = self
                    .hierarchy
                    .inherited_indexes
                    .get(&partition)
                    .is_some_and(|names| names.contains_key(parent_index));
                if known {
                    continue;
                }
                let own_name = match self.adopt_matching(&partition, object)? {
                    Some(own_name) => own_name,
                    None => {
                        let (columns, label) = object.name_parts();
                        self.choose_relation_name(
                            &partition.schema,
                            (&partition.name, columns.as_deref()),
                            label,
                            !matches!(object, KeyObject::Index(_)),
                        )
                    }
                };
                self.names.get_mut().changed.insert(partition.clone());
                self.hierarchy
                    .inherited_indexes
                    .entry(partition.clone())
                    .or_default()
                    .insert(parent_index.clone(), own_name);
            }
            self.sync_inherited_indexes(&partition)?;
        }
        Ok(())
    }

    /// Takes out of `partition` its own index or key that matches `object`, returning its
    /// name.
    fn adopt_matching(
        &mut self,
        partition: &QualifiedName,
        object: &KeyObject,
    ) -> Outcome<Option<String>> {
        let own: Option<String> = self
            .index_objects(partition)
            .into_iter()
            .filter(|(own_name, _)| {
                !self
                    .hierarchy
                    .inherited_index_names(partition)
                    .any(|inherited| inherited == own_name)
            })
            .find(|(_, own)| own.same_definition(object))
            .map(|(own_name, _)| own_name);
        let Some(own_name) = own else {
            return Ok(None);
        };
        let table = self.table_mut(partition)?;
        if table
            .primary_key
            .as_ref()
            .is_some_and(|key| key.name == own_name)
        {
            table.primary_key = None;
        }
        table.uniques.remove(&own_name);
        table.indexes.remove(&own_name);
        Ok(Some(own_name))
    }

    /// Forgets the partitions' indexes for indexes and keys `parent` no longer has.
    pub(super) fn prune_inherited_indexes(&mut self, parent: &QualifiedName) {
        let partitions: Vec<QualifiedName> = self
            .partitions_of(parent)
            .into_iter()
            .map(|partition| partition.name.clone())
            .collect();
        if partitions.is_empty() {
            return;
        }
        let existing: BTreeSet<String> = self
            .index_objects(parent)
            .into_iter()
            .map(|(name, _)| name)
            .collect();
        for partition in partitions {
            if let Some(names) = self.hierarchy.inherited_indexes.get_mut(&partition) {
                names.retain(|parent_index, _| existing.contains(parent_index));
            }
            self.names.get_mut().changed.insert(partition.clone());
            self.prune_inherited_indexes(&partition);
        }
    }

    /// `ALTER INDEX parent_index ATTACH PARTITION partition_index`: the partition's own
    /// index becomes its copy of the parent's.
    pub(super) fn attach_index(
        &mut self,
        parent_index: &QualifiedName,
        cursor: &mut Cursor<'_>,
    ) -> Outcome {
        let index = cursor.qualified_name()?;
        cursor.expect_end()?;
        let (Some(parent), Some(partition)) =
            (self.index_owner(parent_index), self.index_owner(&index))
        else {
            return Err(format!("index {parent_index} or {index} does not exist"));
        };
        let is_partition = self
            .table(&partition)?
            .partition_of
            .as_ref()
            .is_some_and(|partition_of| partition_of.parent == parent);
        if !is_partition {
            return Err(format!("{partition} is not a partition of {parent}"));
        }
        let table = self.table_mut(&partition)?;
        if table
            .primary_key
            .as_ref()
            .is_some_and(|key| key.name == index.name)
        {
            table.primary_key = None;
        }
        table.uniques.remove(&index.name);
        table.indexes.remove(&index.name);
        self.hierarchy
            .inherited_indexes
            .entry(partition)
            .or_default()
            .insert(parent_index.name.clone(), index.name);
        Ok(())
    }

    /// Follows a rename of an index or key of `owner` into the partitions' records; true
    /// when the index was `owner`'s copy of its parent's (which the model does not hold).
    pub(super) fn rename_inherited_index(
        &mut self,
        owner: &QualifiedName,
        old: &str,
        new: &str,
    ) -> bool {
        for names in self.hierarchy.inherited_indexes.values_mut() {
            if let Some(own_name) = names.remove(old) {
                names.insert(new.to_string(), own_name);
            }
        }
        let Some(names) = self.hierarchy.inherited_indexes.get_mut(owner) else {
            return false;
        };
        match names.values_mut().find(|own_name| *own_name == old) {
            Some(own_name) => {
                *own_name = new.to_string();
                self.names.get_mut().changed.insert(owner.clone());
                true
            }
            None => false,
        }
    }
}
