//! Which tables name each table as their partition or inheritance parent, kept up to date
//! from the tables each statement journals, so that recursing a change to a table's
//! children costs the children rather than a scan of every table (a replay of N tables
//! would otherwise be quadratic: every CREATE INDEX and ADD COLUMN asks).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::model::{QualifiedName, Table};

#[derive(Debug, Clone, Default)]
pub(super) struct ChildIndex {
    children: HashMap<QualifiedName, BTreeSet<QualifiedName>>,
    /// What each child put into `children`, to take it out again when the child changes.
    parents: HashMap<QualifiedName, Vec<QualifiedName>>,
    /// Tables the current statement may have changed. They are read again at every lookup
    /// until the statement ends, since a lookup can fall between `journal_table` and the
    /// change it announces.
    touched: BTreeSet<QualifiedName>,
    /// Set when the current statement reached tables it did not journal one by one
    /// (`all_tables_mut`, an undo): every table is read again until the statement ends.
    stale: bool,
}

impl ChildIndex {
    pub(super) fn touch(&mut self, table: &QualifiedName) {
        if !self.stale {
            self.touched.insert(table.clone());
        }
    }

    pub(super) fn invalidate(&mut self) {
        self.stale = true;
        self.touched.clear();
    }

    /// Brings the index up to date with `tables` and forgets what the statement touched: for
    /// the start of the next statement, when the last one's changes are complete.
    pub(super) fn settle(&mut self, tables: &BTreeMap<QualifiedName, Table>) {
        self.refresh(tables);
        self.stale = false;
        self.touched.clear();
    }

    /// The names of the tables whose parent is `parent`, in name order.
    pub(super) fn children(
        &mut self,
        tables: &BTreeMap<QualifiedName, Table>,
        parent: &QualifiedName,
    ) -> Vec<QualifiedName> {
        self.refresh(tables);
        self.children
            .get(parent)
            .map(|children| children.iter().cloned().collect())
            .unwrap_or_default()
    }

    fn refresh(&mut self, tables: &BTreeMap<QualifiedName, Table>) {
        if self.stale {
            self.children.clear();
            self.parents.clear();
            for (name, table) in tables {
                self.add(name, table);
            }
            return;
        }
        for name in &self.touched {
            for parent in self.parents.remove(name).into_iter().flatten() {
                if let Some(children) = self.children.get_mut(&parent) {
                    children.remove(name);
                    if children.is_empty() {
                        self.children.remove(&parent);
                    }
                }
            }
        }
        let touched = std::mem::take(&mut self.touched);
        for name in &touched {
            if let Some(table) = tables.get(name) {
                self.add(name, table);
            }
        }
        self.touched = touched;
    }

    fn add(&mut self, name: &QualifiedName, table: &Table) {
        let parents: Vec<QualifiedName> = table.parents().into_iter().cloned().collect();
        if parents.is_empty() {
            return;
        }
        for parent in &parents {
            self.children
                .entry(parent.clone())
                .or_default()
                .insert(name.clone());
        }
        self.parents.insert(name.clone(), parents);
    }
}
