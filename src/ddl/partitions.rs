//! The interpreter's partitioning and inheritance: CREATE TABLE ... PARTITION OF, PARTITION
//! BY and INHERITS, ALTER TABLE ... ATTACH / DETACH PARTITION and INHERIT / NO INHERIT,
//! ALTER INDEX ... ATTACH PARTITION, and what a change to a parent does to its children:
//! PostgreSQL recurses column changes, and gives each partition its own index for every
//! index and key of its parent, under a name of the partition's. Also the readers of
//! partition keys and bounds, which the catalog and the schema file share.
//!
//! Children hold every column here, as `pg_attribute` does (`Interpreter::schema` keeps
//! what they declare), but only their own keys, checks, foreign keys and indexes: the
//! inherited ones follow from the parent, and `Hierarchy` keeps the names the server gave
//! the partitions' indexes.

use super::create::column_options;
use super::*;
use crate::inheritance::{self, expected_partition_column};
use crate::model::{
    storage_type, PartitionBound, PartitionKey, PartitionKeyColumn, PartitionOf, PartitionStrategy,
};

/// What children take from their parents that the model leaves out.
#[derive(Debug, Clone, Default)]
pub(super) struct Hierarchy {
    /// Columns an inheritance child has only from its parents (`attislocal` false).
    pub(super) inherited_only: BTreeSet<ColumnRef>,
    /// For each partition: the name of each index or key of its parent → the name of the
    /// partition's index for it.
    inherited_indexes: BTreeMap<QualifiedName, BTreeMap<String, String>>,
}

impl Hierarchy {
    /// The names of the indexes `table` has for its parent's, which share the schema's
    /// relation namespace.
    pub(super) fn inherited_index_names<'h>(
        &'h self,
        table: &QualifiedName,
    ) -> impl Iterator<Item = &'h String> {
        self.inherited_indexes
            .get(table)
            .into_iter()
            .flat_map(|names| names.values())
    }
}

/// An index a partition takes from its parent, for a key or on its own.
#[derive(Debug, Clone)]
enum KeyObject {
    PrimaryKey(PrimaryKey),
    Unique(UniqueConstraint),
    Index(Index),
}

impl KeyObject {
    /// Whether two objects are the same index to PostgreSQL, whatever their names.
    fn same_definition(&self, other: &KeyObject) -> bool {
        match (self, other) {
            (KeyObject::PrimaryKey(a), KeyObject::PrimaryKey(b)) => {
                a.columns == b.columns && a.deferrable == b.deferrable
            }
            (KeyObject::Unique(a), KeyObject::Unique(b)) => {
                a.columns == b.columns
                    && a.nulls_not_distinct == b.nulls_not_distinct
                    && a.deferrable == b.deferrable
            }
            (KeyObject::Index(a), KeyObject::Index(b)) => {
                let unnamed = |index: &Index| Index {
                    name: String::new(),
                    comment: None,
                    ..index.clone()
                };
                unnamed(a) == unnamed(b)
            }
            _ => false,
        }
    }

    /// `ChooseIndexName`'s parts for a partition's copy: the column names and the label.
    fn name_parts(&self) -> (Option<String>, &'static str) {
        match self {
            KeyObject::PrimaryKey(_) => (None, "pkey"),
            KeyObject::Unique(unique) => (Some(unique.columns.join("_")), "key"),
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

    fn renamed(&self, name: &str) -> KeyObject {
        let mut object = self.clone();
        match &mut object {
            KeyObject::PrimaryKey(key) => key.name = name.to_string(),
            KeyObject::Unique(unique) => unique.name = name.to_string(),
            KeyObject::Index(index) => index.name = name.to_string(),
        }
        object
    }
}

/// `RANGE (a, (expr))` as `pg_get_partkeydef` prints it and `PARTITION BY` takes it.
pub fn partition_key(text: &str) -> Outcome<PartitionKey> {
    let mut cursor = Cursor::new(text)?;
    let key = partition_by(&mut cursor)?;
    cursor.expect_end()?;
    Ok(key)
}

/// `FOR VALUES ...` or `DEFAULT`, as `pg_get_expr(relpartbound)` prints it and `PARTITION
/// OF` and `ATTACH PARTITION` take it; every value is checked as an expression.
pub fn partition_bound(text: &str) -> Outcome<PartitionBound> {
    let mut cursor = Cursor::new(text)?;
    let bound = bound(&mut cursor)?;
    cursor.expect_end()?;
    Ok(bound)
}

/// The strategy and key after `PARTITION BY`.
pub(super) fn partition_by(cursor: &mut Cursor<'_>) -> Outcome<PartitionKey> {
    let strategy = if cursor.eat_keyword("RANGE") {
        PartitionStrategy::Range
    } else if cursor.eat_keyword("LIST") {
        PartitionStrategy::List
    } else if cursor.eat_keyword("HASH") {
        PartitionStrategy::Hash
    } else {
        return Err(format!(
            "expected RANGE, LIST or HASH, found {}",
            cursor.found()
        ));
    };
    let mut columns = Vec::new();
    for mut element in cursor.parenthesized_elements()? {
        columns.push(partition_key_column(&mut element)?);
    }
    if strategy == PartitionStrategy::List && columns.len() != 1 {
        return Err("a list partition key has exactly one column".to_string());
    }
    Ok(PartitionKey { strategy, columns })
}

fn partition_key_column(cursor: &mut Cursor<'_>) -> Outcome<PartitionKeyColumn> {
    let target = if cursor.peek() == Some(&Token::LParen) {
        IndexTarget::Expression(expression(cursor.parenthesized_text()?)?)
    } else if is_function_call(cursor) {
        let start = cursor.mark();
        cursor.dotted_name()?;
        cursor.parenthesized_text()?;
        IndexTarget::Expression(expression(cursor.text_since(start))?)
    } else {
        IndexTarget::Column(cursor.identifier()?)
    };
    let collation = match cursor.eat_keyword("COLLATE") {
        true => Some(cursor.dotted_name()?.join(".")),
        false => None,
    };
    let opclass = match cursor.at_end() {
        true => None,
        false => Some(
            cursor
                .dotted_name()?
                .iter()
                .map(|part| quote::ident(part))
                .collect::<Vec<_>>()
                .join("."),
        ),
    };
    cursor.expect_end()?;
    Ok(PartitionKeyColumn {
        target,
        collation,
        opclass,
    })
}

fn bound(cursor: &mut Cursor<'_>) -> Outcome<PartitionBound> {
    if cursor.eat_keyword("DEFAULT") {
        return Ok(PartitionBound::Default);
    }
    cursor.expect_keywords(&["FOR", "VALUES"])?;
    if cursor.eat_keyword("FROM") {
        let from = bound_values(cursor)?;
        cursor.expect_keywords(&["TO"])?;
        let to = bound_values(cursor)?;
        if from.len() != to.len() {
            return Err("FROM and TO need as many values as the partition key has columns".into());
        }
        return Ok(PartitionBound::Range { from, to });
    }
    if cursor.eat_keyword("IN") {
        return Ok(PartitionBound::List(bound_values(cursor)?));
    }
    cursor.expect_keywords(&["WITH"])?;
    let (mut modulus, mut remainder) = (None, None);
    for mut element in cursor.parenthesized_elements()? {
        let word = element.identifier()?.to_ascii_lowercase();
        let value = u32::try_from(element.integer()?)
            .map_err(|_| format!("{word} must be a non-negative integer"))?;
        element.expect_end()?;
        let slot = match word.as_str() {
            "modulus" => &mut modulus,
            "remainder" => &mut remainder,
            _ => return Err(format!("unrecognized hash partition bound {word}")),
        };
        if slot.replace(value).is_some() {
            return Err(format!("{word} is given twice"));
        }
    }
    match (modulus, remainder) {
        (Some(modulus), Some(remainder)) if modulus > 0 && remainder < modulus => {
            Ok(PartitionBound::Hash { modulus, remainder })
        }
        (Some(_), Some(_)) => Err("the remainder must be less than a positive modulus".into()),
        _ => Err("a hash partition bound needs a modulus and a remainder".into()),
    }
}

/// `(value, ...)`: expressions, with MINVALUE and MAXVALUE spelled as the server prints them.
fn bound_values(cursor: &mut Cursor<'_>) -> Outcome<Vec<Expr>> {
    let mut values = Vec::new();
    for mut element in cursor.parenthesized_elements()? {
        let text = element.rest()?;
        let word = text.trim().to_ascii_uppercase();
        values.push(match word.as_str() {
            "MINVALUE" | "MAXVALUE" => Expr::new(word),
            _ => expression(text)?,
        });
    }
    Ok(values)
}

/// `(name, ...)` of `INHERITS`.
pub(super) fn qualified_list(cursor: &mut Cursor<'_>) -> Outcome<Vec<QualifiedName>> {
    let mut names = Vec::new();
    for mut element in cursor.parenthesized_elements()? {
        names.push(element.qualified_name()?);
        element.expect_end()?;
    }
    Ok(names)
}

/// Whether `bound` may bound a partition of `parent` (whose partitions are `siblings`),
/// as PostgreSQL checks it.
pub fn check_bound(
    parent_name: &QualifiedName,
    parent: &Table,
    bound: &PartitionBound,
    siblings: &[&Table],
) -> Outcome {
    let key = parent
        .partition_by
        .as_ref()
        .ok_or_else(|| format!("table {parent_name} is not partitioned"))?;
    match (bound.strategy(), bound) {
        (None, _) if key.strategy == PartitionStrategy::Hash => {
            return Err("a hash-partitioned table may not have a default partition".into())
        }
        (None, _) => {
            let has_default = siblings.iter().any(|sibling| {
                sibling
                    .partition_of
                    .as_ref()
                    .is_some_and(|of| of.bound == PartitionBound::Default)
            });
            if has_default {
                return Err(format!(
                    "table {parent_name} already has a default partition"
                ));
            }
        }
        (Some(strategy), _) if strategy != key.strategy => {
            return Err(format!(
                "a {} bound does not fit a table partitioned by {}",
                strategy.as_sql(),
                key.strategy.as_sql()
            ))
        }
        (_, PartitionBound::Range { from, .. }) if from.len() != key.columns.len() => {
            return Err(format!(
                "the bound needs one value per column of the partition key of {parent_name}"
            ))
        }
        _ => {}
    }
    Ok(())
}

impl Interpreter {
    /// `CREATE TABLE name PARTITION OF parent [(column options, constraints)] bound
    /// [PARTITION BY ...] [WITH (...)]`
    pub(super) fn create_partition(
        &mut self,
        cursor: &mut Cursor<'_>,
        name: QualifiedName,
        if_not_exists: bool,
        unlogged: bool,
    ) -> Outcome {
        let parent = cursor.qualified_name()?;
        let elements = match cursor.peek() == Some(&Token::LParen) {
            true => cursor.parenthesized_elements_or_empty()?,
            false => Vec::new(),
        };
        let bound = bound(cursor)?;
        let partition_by = match cursor.eat_keywords(&["PARTITION", "BY"]) {
            true => Some(partition_by(cursor)?),
            false => None,
        };
        let storage_parameters = match cursor.eat_keyword("WITH") {
            true => clauses::storage_parameters(cursor)?,
            false => BTreeMap::new(),
        };
        if !cursor.at_end() {
            return Err(not_modelled("table options (TABLESPACE, USING, ...)"));
        }
        self.require_schema(&name.schema)?;
        if self.relation_exists(&name) {
            return match if_not_exists {
                true => Ok(()),
                false => Err(format!("relation {name} already exists")),
            };
        }
        let parent_table = self.table(&parent)?.clone();
        check_bound(&parent, &parent_table, &bound, &self.partitions_of(&parent))?;
        self.declared(ObjectRef::Table(name.clone()));
        let columns = parent_table
            .columns
            .iter()
            .map(|column| expected_partition_column(&parent, column, &[]))
            .collect();
        self.names.get_mut().changed.insert(name.clone());
        self.schema.tables.insert(
            name.clone(),
            Table {
                unlogged,
                storage_parameters,
                partition_by,
                partition_of: Some(PartitionOf {
                    parent: parent.clone(),
                    bound,
                }),
                columns,
                ..Table::new(name.clone())
            },
        );
        let mut constraints = Vec::new();
        for mut element in elements {
            if starts_table_constraint(&element) {
                constraints.push(table_constraint(&mut element)?);
                element.expect_end()?;
                continue;
            }
            let column_name = element.identifier()?;
            element.eat_keywords(&["WITH", "OPTIONS"]);
            let mut column = self
                .table(&name)?
                .column(&column_name)
                .cloned()
                .ok_or_else(|| format!("column {column_name} of {parent} does not exist"))?;
            constraints.extend(column_options(&mut element, &mut column)?);
            if let Some(slot) = self
                .table_mut(&name)?
                .columns
                .iter_mut()
                .find(|slot| slot.name == column_name)
            {
                *slot = column;
            }
        }
        // The partition's copies of its parent's indexes are named before its own keys.
        self.sync_inherited_indexes(&parent)?;
        self.add_table_constraints(&name, constraints)
    }

    /// The partitions of `parent`.
    fn partitions_of(&self, parent: &QualifiedName) -> Vec<&Table> {
        inheritance::children_of(&self.schema, parent)
            .into_iter()
            .filter(|child| child.partition_of.is_some())
            .collect()
    }

    /// Gives a table created with `INHERITS (parents)` its parents' columns, merging its own
    /// columns of the same name into them, as PostgreSQL's `MergeAttributes` does.
    pub(super) fn inherit_from(
        &mut self,
        name: &QualifiedName,
        parents: Vec<QualifiedName>,
    ) -> Outcome {
        if parents.is_empty() {
            return Ok(());
        }
        let mut merged: Vec<Column> = Vec::new();
        for parent in &parents {
            let parent_table = self.table(parent)?;
            if parent_table.partition_by.is_some() || parent_table.partition_of.is_some() {
                return Err(format!(
                    "cannot inherit from {parent}: it is partitioned or a partition"
                ));
            }
            for column in &parent_table.columns {
                match merged.iter_mut().find(|known| known.name == column.name) {
                    Some(known) => {
                        same_type(known, column, name)?;
                        known.nullable &= column.nullable;
                    }
                    None => merged.push(Column {
                        comment: None,
                        ..column.clone()
                    }),
                }
            }
        }
        let mut inherited_only: BTreeSet<String> =
            merged.iter().map(|column| column.name.clone()).collect();
        let table = self.table_mut(name)?;
        for local in std::mem::take(&mut table.columns) {
            match merged.iter_mut().find(|known| known.name == local.name) {
                Some(known) => {
                    same_type(known, &local, name)?;
                    inherited_only.remove(&local.name);
                    let default = local.default.clone().or(known.default.take());
                    let nullable = local.nullable && known.nullable;
                    *known = Column {
                        default,
                        nullable,
                        ..local
                    };
                }
                None => merged.push(local),
            }
        }
        table.columns = merged;
        table.inherits = parents;
        for column in inherited_only {
            self.hierarchy.inherited_only.insert((name.clone(), column));
        }
        Ok(())
    }

    /// `ATTACH PARTITION`, `DETACH PARTITION`, `INHERIT` and `NO INHERIT`; `None` for other
    /// actions.
    pub(super) fn hierarchy_action(
        &mut self,
        cursor: &mut Cursor<'_>,
        name: &QualifiedName,
    ) -> Option<Outcome> {
        if cursor.eat_keywords(&["ATTACH", "PARTITION"]) {
            Some(self.attach_partition(name, cursor))
        } else if cursor.eat_keywords(&["DETACH", "PARTITION"]) {
            Some(self.detach_partition(name, cursor))
        } else if cursor.eat_keyword("INHERIT") {
            Some(self.inherit(name, cursor))
        } else if cursor.eat_keywords(&["NO", "INHERIT"]) {
            Some(self.no_inherit(name, cursor))
        } else {
            None
        }
    }

    /// `ALTER TABLE parent ATTACH PARTITION name bound`: the table must have exactly the
    /// parent's columns and every check it passes on; its keys, indexes and foreign keys
    /// that match the parent's become the parent's (they leave the model), and PostgreSQL
    /// creates the rest.
    fn attach_partition(&mut self, parent: &QualifiedName, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.qualified_name()?;
        let bound = bound(cursor)?;
        cursor.expect_end()?;
        let parent_table = self.table(parent)?.clone();
        check_bound(parent, &parent_table, &bound, &self.partitions_of(parent))?;
        let mut table = self.table(&name)?.clone();
        if table.partition_of.is_some() || !table.inherits.is_empty() {
            return Err(format!(
                "{name} is already a partition or an inheritance child"
            ));
        }
        if let Some(extra) = table
            .columns
            .iter()
            .find(|column| parent_table.column(&column.name).is_none())
        {
            return Err(format!(
                "table {name} contains column {} not found in parent {parent}",
                extra.name
            ));
        }
        for parent_column in &parent_table.columns {
            let column = table
                .column(&parent_column.name)
                .ok_or_else(|| format!("child table is missing column {}", parent_column.name))?;
            same_type(parent_column, column, &name)?;
            if !parent_column.nullable && column.nullable {
                return Err(format!(
                    "column {} in child table must be marked NOT NULL",
                    column.name
                ));
            }
        }
        for check in self.checks_for_children(parent) {
            match table.checks.remove(&check.name) {
                Some(own) if same_expression(&own.expression, &check.expression) => {}
                _ => return Err(format!("child table is missing constraint {}", check.name)),
            }
        }
        for foreign_key in self.foreign_keys_for_partitions(parent) {
            let unnamed = |key: &ForeignKey| ForeignKey {
                name: String::new(),
                ..key.clone()
            };
            table
                .foreign_keys
                .retain(|_, own| unnamed(own) != unnamed(&foreign_key));
        }
        table.partition_of = Some(PartitionOf {
            parent: parent.clone(),
            bound,
        });
        *self.table_mut(&name)? = table;
        self.sync_inherited_indexes(parent)
    }

    /// `ALTER TABLE parent DETACH PARTITION name [CONCURRENTLY | FINALIZE]`: what the
    /// partition had from its parent becomes its own, under the names it had.
    fn detach_partition(&mut self, parent: &QualifiedName, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.qualified_name()?;
        if !cursor.eat_keyword("CONCURRENTLY") {
            cursor.eat_keyword("FINALIZE");
        }
        cursor.expect_end()?;
        let is_partition = self
            .table(&name)?
            .partition_of
            .as_ref()
            .is_some_and(|partition_of| partition_of.parent == *parent);
        if !is_partition {
            return Err(format!("relation {name} is not a partition of {parent}"));
        }
        let checks = self.checks_for_children(parent);
        let foreign_keys = self.foreign_keys_for_partitions(parent);
        let inherited: Vec<(String, KeyObject)> = self
            .index_objects(&name)
            .into_iter()
            .filter(|(index_name, _)| {
                self.hierarchy
                    .inherited_index_names(&name)
                    .any(|inherited| inherited == index_name)
            })
            .collect();
        self.hierarchy.inherited_indexes.remove(&name);
        let table = self.table_mut(&name)?;
        table.partition_of = None;
        for check in checks {
            table.checks.entry(check.name.clone()).or_insert(check);
        }
        for foreign_key in foreign_keys {
            table
                .foreign_keys
                .entry(foreign_key.name.clone())
                .or_insert(foreign_key);
        }
        for (index_name, object) in inherited {
            match object.renamed(&index_name) {
                KeyObject::PrimaryKey(key) => table.primary_key = Some(key),
                KeyObject::Unique(unique) => {
                    table.uniques.insert(index_name, unique);
                }
                KeyObject::Index(index) => {
                    table.indexes.insert(index_name, index);
                }
            }
        }
        Ok(())
    }

    /// `ALTER TABLE name INHERIT parent`: the table must have the parent's columns and the
    /// checks it passes on, which stay the table's own.
    fn inherit(&mut self, name: &QualifiedName, cursor: &mut Cursor<'_>) -> Outcome {
        let parent = cursor.qualified_name()?;
        cursor.expect_end()?;
        let parent_table = self.table(&parent)?.clone();
        let table = self.table(name)?;
        if parent_table.partition_by.is_some() || parent_table.partition_of.is_some() {
            return Err(format!(
                "cannot inherit from partitioned table or partition {parent}"
            ));
        }
        if table.partition_of.is_some() || table.inherits.contains(&parent) {
            return Err(format!(
                "{name} is a partition or already inherits from {parent}"
            ));
        }
        for parent_column in &parent_table.columns {
            let column = table
                .column(&parent_column.name)
                .ok_or_else(|| format!("child table is missing column {}", parent_column.name))?;
            same_type(parent_column, column, name)?;
            if !parent_column.nullable && column.nullable {
                return Err(format!(
                    "column {} in child table must be marked NOT NULL",
                    column.name
                ));
            }
        }
        for check in self.checks_for_children(&parent) {
            let matches = table
                .checks
                .get(&check.name)
                .is_some_and(|own| same_expression(&own.expression, &check.expression));
            if !matches {
                return Err(format!("child table is missing constraint {}", check.name));
            }
        }
        self.table_mut(name)?.inherits.push(parent);
        Ok(())
    }

    /// `ALTER TABLE name NO INHERIT parent`: the columns and checks the table had from that
    /// parent alone become its own.
    fn no_inherit(&mut self, name: &QualifiedName, cursor: &mut Cursor<'_>) -> Outcome {
        let parent = cursor.qualified_name()?;
        cursor.expect_end()?;
        let table = self.table(name)?;
        if !table.inherits.contains(&parent) {
            return Err(format!(
                "relation {parent} is not a parent of relation {name}"
            ));
        }
        let remaining: Vec<QualifiedName> = table
            .inherits
            .iter()
            .filter(|other| **other != parent)
            .cloned()
            .collect();
        let still_inherited: BTreeSet<String> = remaining
            .iter()
            .filter_map(|other| self.schema.tables.get(other))
            .flat_map(|other| other.columns.iter().map(|column| column.name.clone()))
            .collect();
        let still_checked: BTreeSet<String> = remaining
            .iter()
            .flat_map(|other| self.checks_for_children(other))
            .map(|check| check.name)
            .collect();
        let checks = self.checks_for_children(&parent);
        let table = self.table_mut(name)?;
        table.inherits = remaining;
        for check in checks {
            if !still_checked.contains(&check.name) {
                table.checks.entry(check.name.clone()).or_insert(check);
            }
        }
        self.hierarchy
            .inherited_only
            .retain(|(table, column)| table != name || still_inherited.contains(column));
        Ok(())
    }

    /// The checks children of `parent` get: its own but NO INHERIT ones, and those it has
    /// from its own parents.
    fn checks_for_children(&self, parent: &QualifiedName) -> Vec<CheckConstraint> {
        let Some(table) = self.schema.tables.get(parent) else {
            return Vec::new();
        };
        let mut checks: Vec<CheckConstraint> = table
            .checks
            .values()
            .filter(|check| !check.no_inherit)
            .cloned()
            .collect();
        for grandparent in table.parents() {
            for check in self.checks_for_children(grandparent) {
                if !checks.iter().any(|known| known.name == check.name) {
                    checks.push(check);
                }
            }
        }
        checks
    }

    /// The foreign keys partitions of `parent` get: its own and those of its ancestors.
    fn foreign_keys_for_partitions(&self, parent: &QualifiedName) -> Vec<ForeignKey> {
        let Some(table) = self.schema.tables.get(parent) else {
            return Vec::new();
        };
        let mut foreign_keys: Vec<ForeignKey> = table.foreign_keys.values().cloned().collect();
        if let Some(partition_of) = &table.partition_of {
            foreign_keys.extend(self.foreign_keys_for_partitions(&partition_of.parent));
        }
        foreign_keys
    }

    /// Every index of `table` for a key or on its own, with its name on `table`: its own
    /// and those it has for its parent's.
    fn index_objects(&self, name: &QualifiedName) -> Vec<(String, KeyObject)> {
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

    /// A column added to `parent` reaches its children: a partition gets its copy, an
    /// inheritance child its copy or, if it has one of that name, the column merged.
    pub(super) fn column_added(&mut self, parent: &QualifiedName, column_name: &str) -> Outcome {
        let Some(column) = self.table(parent)?.column(column_name).cloned() else {
            return Ok(());
        };
        let children: Vec<QualifiedName> = inheritance::children_of(&self.schema, parent)
            .into_iter()
            .map(|child| child.name.clone())
            .collect();
        for child in children {
            let table = self.table_mut(&child)?;
            match table.column(column_name) {
                Some(own) => same_type(&column, own, &child)?,
                None if table.partition_of.is_some() => {
                    let copy = expected_partition_column(parent, &column, &[]);
                    table.columns.push(copy);
                }
                None => {
                    table.columns.push(Column {
                        comment: None,
                        ..column.clone()
                    });
                    self.hierarchy
                        .inherited_only
                        .insert((child.clone(), column_name.to_string()));
                }
            }
            self.column_added(&child, column_name)?;
        }
        Ok(())
    }

    /// A column dropped from `parent` goes from the children that have it only from it.
    pub(super) fn column_dropped(&mut self, parent: &QualifiedName, column_name: &str) -> Outcome {
        self.hierarchy
            .inherited_only
            .remove(&(parent.clone(), column_name.to_string()));
        let children: Vec<(QualifiedName, bool)> = inheritance::children_of(&self.schema, parent)
            .into_iter()
            .map(|child| (child.name.clone(), child.partition_of.is_some()))
            .collect();
        for (child, is_partition) in children {
            let inherited_only = self
                .hierarchy
                .inherited_only
                .contains(&(child.clone(), column_name.to_string()));
            let has_column = self.table(&child)?.column(column_name).is_some();
            if has_column && (is_partition || inherited_only) {
                self.drop_column(&child, column_name)?;
            }
        }
        self.prune_inherited_indexes(parent);
        Ok(())
    }

    /// A column renamed in `parent` is renamed in its partition key and in every child.
    pub(super) fn column_renamed(
        &mut self,
        parent: &QualifiedName,
        old: &str,
        new: &str,
    ) -> Outcome {
        let key_columns = self
            .table_mut(parent)?
            .partition_by
            .iter_mut()
            .flat_map(|key| &mut key.columns);
        for key in key_columns {
            match &mut key.target {
                IndexTarget::Column(name) if name == old => *name = new.to_string(),
                IndexTarget::Column(_) => {}
                IndexTarget::Expression(expression) => {
                    *expression = rename_in_expression(expression, old, new)
                }
            }
        }
        if self
            .hierarchy
            .inherited_only
            .remove(&(parent.clone(), old.to_string()))
        {
            self.hierarchy
                .inherited_only
                .insert((parent.clone(), new.to_string()));
        }
        let children: Vec<QualifiedName> = inheritance::children_of(&self.schema, parent)
            .into_iter()
            .filter(|child| child.column(old).is_some())
            .map(|child| child.name.clone())
            .collect();
        for child in children {
            self.rename_column(&child, old, new)?;
        }
        Ok(())
    }

    /// `ALTER COLUMN` on `table` and, for what PostgreSQL recurses (type, default, NOT NULL,
    /// generation), on its children unless `only`.
    pub(super) fn alter_column_and_children(
        &mut self,
        cursor: &mut Cursor<'_>,
        table: &QualifiedName,
        column: &str,
        only: bool,
    ) -> Outcome {
        let recursive = cursor.is_keyword("TYPE")
            || cursor.is_keywords(&["SET", "DATA", "TYPE"])
            || cursor.is_keywords(&["SET", "DEFAULT"])
            || cursor.is_keywords(&["DROP", "DEFAULT"])
            || cursor.is_keywords(&["SET", "NOT", "NULL"])
            || cursor.is_keywords(&["DROP", "NOT", "NULL"])
            || cursor.is_keywords(&["DROP", "EXPRESSION"]);
        let key = (table.clone(), column.to_string());
        let has_inheritance_children = inheritance::children_of(&self.schema, table)
            .iter()
            .any(|child| child.partition_of.is_none());
        if recursive
            && (self.hierarchy.inherited_only.contains(&key) || (only && has_inheritance_children))
        {
            return Err(not_modelled(
                "attributes an inheritance child sets itself on a column it inherits",
            ));
        }
        self.alter_column_in_tree(cursor, table, column, recursive && !only)
    }

    fn alter_column_in_tree(
        &mut self,
        cursor: &mut Cursor<'_>,
        table: &QualifiedName,
        column: &str,
        recursive: bool,
    ) -> Outcome {
        let pristine = cursor.clone();
        self.alter_column(cursor, table, column)?;
        if !recursive {
            return Ok(());
        }
        let children: Vec<QualifiedName> = inheritance::children_of(&self.schema, table)
            .into_iter()
            .map(|child| child.name.clone())
            .collect();
        for child in children {
            self.alter_column_in_tree(&mut pristine.clone(), &child, column, true)?;
        }
        Ok(())
    }

    /// Dropping a partitioned table drops its partitions; an inheritance parent's children
    /// go only with CASCADE.
    pub(super) fn drop_children(&mut self, parent: &QualifiedName, cascade: bool) -> Outcome {
        let children: Vec<(QualifiedName, bool)> = inheritance::children_of(&self.schema, parent)
            .into_iter()
            .map(|child| (child.name.clone(), child.partition_of.is_some()))
            .collect();
        for (child, is_partition) in children {
            if !is_partition && !cascade {
                return Err(format!(
                    "cannot drop table {parent} because table {child} inherits from it"
                ));
            }
            self.drop_table(&child, cascade)?;
        }
        self.hierarchy.inherited_indexes.remove(parent);
        self.hierarchy
            .inherited_only
            .retain(|(table, _)| table != parent);
        Ok(())
    }

    /// Follows a table's rename into its children's references and the records here.
    pub(super) fn table_renamed(&mut self, old: &QualifiedName, new: &QualifiedName) {
        for table in self.schema.tables.values_mut() {
            if let Some(partition_of) = &mut table.partition_of {
                if partition_of.parent == *old {
                    partition_of.parent = new.clone();
                }
            }
            for parent in &mut table.inherits {
                if parent == old {
                    *parent = new.clone();
                }
            }
        }
        if let Some(names) = self.hierarchy.inherited_indexes.remove(old) {
            self.hierarchy.inherited_indexes.insert(new.clone(), names);
        }
        let renamed: Vec<ColumnRef> = self
            .hierarchy
            .inherited_only
            .iter()
            .filter(|(table, _)| table == old)
            .cloned()
            .collect();
        for (_, column) in renamed {
            self.hierarchy
                .inherited_only
                .remove(&(old.clone(), column.clone()));
            self.hierarchy.inherited_only.insert((new.clone(), column));
        }
    }
}

/// Whether a child's check is its parent's: the server compares them parsed, and text
/// replayed offline need not be in its canonical form.
fn same_expression(own: &Expr, parent: &Expr) -> bool {
    own == parent
        || crate::equivalence::expression_key(own.as_str())
            == crate::equivalence::expression_key(parent.as_str())
}

/// A child's column must have its parent's type.
fn same_type(parent_column: &Column, column: &Column, child: &QualifiedName) -> Outcome {
    let no_enums = BTreeSet::new();
    let canonical = |column: &Column| {
        crate::normalize::canonical_type(storage_type(&column.data_type), &no_enums)
    };
    match canonical(parent_column) == canonical(column) {
        true => Ok(()),
        false => Err(format!(
            "column {} of {child} has type {}, its parent's has {}",
            column.name, column.data_type, parent_column.data_type
        )),
    }
}
