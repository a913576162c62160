//! The interpreter's partitioning and inheritance: CREATE TABLE ... PARTITION OF, PARTITION
//! BY and INHERITS, ALTER TABLE ... ATTACH / DETACH PARTITION and INHERIT / NO INHERIT,
//! ALTER INDEX ... ATTACH PARTITION, and what a change to a parent does to its children:
//! PostgreSQL recurses column changes to children (`partition_indexes` has the indexes it
//! gives partitions, `partition_bounds` the keys and bounds).
//!
//! Children hold every column here, as `pg_attribute` does (`Interpreter::schema` keeps
//! what they declare), but only their own keys, checks, foreign keys and indexes: the
//! inherited ones follow from the parent, and `Hierarchy` keeps the names the server gave
//! the partitions' indexes.

use super::create::column_options;
use super::*;
use crate::inheritance::{self, expected_partition_column};
use crate::model::{storage_type, PartitionOf};
use partition_bounds::{bound, check_bound};
use partition_indexes::KeyObject;

/// What children take from their parents that the model leaves out.
#[derive(Debug, Clone, Default)]
pub(super) struct Hierarchy {
    /// Columns an inheritance child has only from its parents (`attislocal` false).
    pub(super) inherited_only: BTreeSet<ColumnRef>,
    /// For each partition: the name of each index or key of its parent → the name of the
    /// partition's index for it.
    pub(super) inherited_indexes: BTreeMap<QualifiedName, BTreeMap<String, String>>,
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
        let parent = self.relation_reference(cursor)?;
        let elements = match cursor.peek() == Some(&Token::LParen) {
            true => cursor.parenthesized_elements_or_empty()?,
            false => Vec::new(),
        };
        let bound = bound(cursor)?;
        let (partition_by, storage_parameters) = partition_bounds::table_options(cursor)?;
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
        self.journal_table(&name);
        self.schema.tables_mut().insert(
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
    pub(super) fn partitions_of(&self, parent: &QualifiedName) -> Vec<&Table> {
        self.children_of(parent)
            .into_iter()
            .filter(|child| child.partition_of.is_some())
            .collect()
    }

    /// The tables that name `parent` as partition parent or inheritance parent, in name
    /// order (`inheritance::children_of`, without scanning every table).
    pub(super) fn children_of(&self, parent: &QualifiedName) -> Vec<&Table> {
        self.children
            .borrow_mut()
            .children(&self.schema.tables, parent)
            .iter()
            .filter_map(|child| self.schema.tables.get(child))
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
        let name = self.relation_reference(cursor)?;
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
        for check in inheritance::checks_for_children(&self.schema, parent) {
            match table.checks.remove(&check.name) {
                Some(own) if same_expression(&own.expression, &check.expression) => {}
                _ => return Err(format!("child table is missing constraint {}", check.name)),
            }
        }
        for foreign_key in inheritance::foreign_keys_for_partitions(&self.schema, parent) {
            table
                .foreign_keys
                .retain(|_, own| !own.same_definition_as(&foreign_key));
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
        let name = self.relation_reference(cursor)?;
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
        let checks = inheritance::checks_for_children(&self.schema, parent);
        let foreign_keys = inheritance::foreign_keys_for_partitions(&self.schema, parent);
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
        let parent = self.relation_reference(cursor)?;
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
        for check in inheritance::checks_for_children(&self.schema, &parent) {
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
        let parent = self.relation_reference(cursor)?;
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
            .flat_map(|other| inheritance::checks_for_children(&self.schema, other))
            .map(|check| check.name)
            .collect();
        let checks = inheritance::checks_for_children(&self.schema, &parent);
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

    /// A column added to `parent` reaches its children: a partition gets its copy, an
    /// inheritance child its copy or, if it has one of that name, the column merged.
    pub(super) fn column_added(&mut self, parent: &QualifiedName, column_name: &str) -> Outcome {
        let Some(column) = self.table(parent)?.column(column_name).cloned() else {
            return Ok(());
        };
        let children: Vec<QualifiedName> = self
            .children_of(parent)
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

    /// `ALTER TABLE ONLY parent DROP COLUMN`: each inheritance child keeps the column as its
    /// own (PostgreSQL refuses it while the table has partitions).
    pub(super) fn leave_column_to_children(
        &mut self,
        parent: &QualifiedName,
        column_name: &str,
    ) -> Outcome {
        let children: Vec<(QualifiedName, bool)> = self
            .children_of(parent)
            .into_iter()
            .map(|child| (child.name.clone(), child.partition_of.is_some()))
            .collect();
        for (child, is_partition) in children {
            if is_partition {
                return Err(format!(
                    "cannot drop column {column_name} from only the partitioned table {parent} \
                     while it has partitions"
                ));
            }
            // The child's column changes from inherited to its own.
            self.journal_table(&child);
            self.hierarchy
                .inherited_only
                .remove(&(child, column_name.to_string()));
        }
        Ok(())
    }

    /// A column dropped from `parent` goes from the children that have it only from it.
    pub(super) fn column_dropped(&mut self, parent: &QualifiedName, column_name: &str) -> Outcome {
        self.hierarchy
            .inherited_only
            .remove(&(parent.clone(), column_name.to_string()));
        let children: Vec<(QualifiedName, bool)> = self
            .children_of(parent)
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
        if self
            .hierarchy
            .inherited_only
            .remove(&(parent.clone(), old.to_string()))
        {
            self.hierarchy
                .inherited_only
                .insert((parent.clone(), new.to_string()));
        }
        let children: Vec<QualifiedName> = self
            .children_of(parent)
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
        let children: Vec<QualifiedName> = self
            .children_of(table)
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
        let children: Vec<(QualifiedName, bool)> = self
            .children_of(parent)
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
        for table in self.all_tables_mut().values_mut() {
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
        crate::syntax::types::canonical_type(storage_type(&column.data_type), &no_enums)
    };
    match canonical(parent_column) == canonical(column) {
        true => Ok(()),
        false => Err(format!(
            "column {} of {child} has type {}, its parent's has {}",
            column.name, column.data_type, parent_column.data_type
        )),
    }
}
