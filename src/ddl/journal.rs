//! What one statement changes, for `lint`: the interpreter notes the tables and sequences
//! a statement is about to change, as they were, so the part of the schema it touched can
//! be compared before and after it without copying the whole schema for every statement.
//!
//! Every change to `schema.tables` or `sequences` goes through `journal_table`,
//! `all_tables_mut`, `journal_sequence` or `all_sequences_mut`; the other kinds of objects
//! are few, and are copied whole before each statement.

use super::*;

/// What the statement being interpreted changed, kept only while `interpret_statement`
/// runs: tables and sequences as they were before their first change (`None`: absent).
#[derive(Debug, Clone, Default)]
pub(super) struct Journal {
    tables: BTreeMap<QualifiedName, Option<Table>>,
    /// Every table, taken when the statement first changed tables it does not name; the
    /// entries of `tables` are older where both have one.
    all_tables: Option<BTreeMap<QualifiedName, Table>>,
    sequences: BTreeMap<QualifiedName, Option<Sequence>>,
    all_sequences: Option<BTreeMap<QualifiedName, Sequence>>,
    pub(super) renames: Directives,
    pub(super) concurrently: bool,
    pub(super) renames_sequence: bool,
    pub(super) unmodelled: Option<&'static str>,
    /// What children had from their parents before the statement.
    hierarchy: partitions::Hierarchy,
}

/// What one statement did to the schema.
#[derive(Debug, Clone)]
pub struct StatementEffect {
    /// The part of the schema the statement changed (tables and sequences it changed, all
    /// other kinds of objects), as the catalog would read it before the statement.
    pub before: Schema,
    /// The same part after it; its directives hold the statement's renames.
    pub after: Schema,
    /// `CREATE INDEX CONCURRENTLY` or `DROP INDEX CONCURRENTLY`.
    pub concurrently: bool,
    /// `ALTER SEQUENCE ... RENAME TO`, which no directive describes.
    pub renames_sequence: bool,
    /// What the statement changes outside the model (rows, maintenance), if anything.
    pub unmodelled: Option<&'static str>,
}

impl Interpreter {
    /// Interprets one statement (starting on `line`) and returns what it changed. One that
    /// cannot be interpreted changes nothing; its error comes back.
    pub fn interpret_statement(
        &mut self,
        sql: &str,
        line: usize,
    ) -> std::result::Result<StatementEffect, String> {
        let rest_before = self.rest();
        self.journal = Some(Journal {
            hierarchy: self.hierarchy.clone(),
            ..Journal::default()
        });
        self.line = line;
        let outcome = self.statement(sql);
        let journal = self.journal.take().unwrap_or_default();
        match outcome {
            Ok(()) => {
                if let Some(log) = &mut self.undo_log {
                    log.push((journal.clone(), rest_before.clone()));
                }
                Ok(self.effect(journal, rest_before))
            }
            Err(message) => {
                self.undo(journal, rest_before);
                Err(message)
            }
        }
    }

    /// From here on, statements (through `interpret_statement`) can be undone by `rollback`.
    pub fn savepoint(&mut self) {
        self.undo_log = Some(Vec::new());
    }

    /// Undoes every statement since `savepoint`, latest first.
    pub fn rollback(&mut self) {
        for (journal, rest) in self.undo_log.take().into_iter().flatten().rev() {
            self.undo(journal, rest);
        }
    }

    /// Notes `name`'s table before the statement changes (or creates, or drops) it.
    pub(super) fn journal_table(&mut self, name: &QualifiedName) {
        self.children.get_mut().touch(name);
        if let Some(journal) = &mut self.journal {
            if journal.all_tables.is_none() && !journal.tables.contains_key(name) {
                let table = self.schema.tables.get(name).cloned();
                journal.tables.insert(name.clone(), table);
            }
        }
    }

    /// Every table, for a change that reaches tables it does not name.
    pub(super) fn all_tables_mut(&mut self) -> &mut BTreeMap<QualifiedName, Table> {
        self.children.get_mut().invalidate();
        if let Some(journal) = &mut self.journal {
            if journal.all_tables.is_none() {
                journal.all_tables = Some(self.schema.tables.clone());
            }
        }
        &mut self.schema.tables
    }

    pub(super) fn journal_sequence(&mut self, name: &QualifiedName) {
        if let Some(journal) = &mut self.journal {
            if journal.all_sequences.is_none() && !journal.sequences.contains_key(name) {
                let sequence = self.sequences.get(name).cloned();
                journal.sequences.insert(name.clone(), sequence);
            }
        }
    }

    pub(super) fn all_sequences_mut(&mut self) -> &mut BTreeMap<QualifiedName, Sequence> {
        if let Some(journal) = &mut self.journal {
            if journal.all_sequences.is_none() {
                journal.all_sequences = Some(self.sequences.clone());
            }
        }
        &mut self.sequences
    }

    /// Whether a statement's changes are being journalled (`lint`).
    pub(super) fn journaling(&self) -> bool {
        self.journal.is_some()
    }

    /// Runs `note` on the journal, when one is kept.
    pub(super) fn note(&mut self, note: impl FnOnce(&mut Journal)) {
        if let Some(journal) = &mut self.journal {
            note(journal);
        }
    }

    /// The schema without its tables and sequences.
    fn rest(&self) -> Schema {
        let schema = &self.schema;
        Schema {
            schemas: schema.schemas.clone(),
            schema_comments: schema.schema_comments.clone(),
            extensions: schema.extensions.clone(),
            enums: schema.enums.clone(),
            domains: schema.domains.clone(),
            composite_types: schema.composite_types.clone(),
            ranges: schema.ranges.clone(),
            tables: BTreeMap::new(),
            views: schema.views.clone(),
            sequences: BTreeMap::new(),
            functions: schema.functions.clone(),
            aggregates: schema.aggregates.clone(),
            function_users: schema.function_users.clone(),
            dependents: schema.dependents.clone(),
            privileges: schema.privileges.clone(),
            owners: schema.owners.clone(),
            collations: schema.collations.clone(),
            unmanaged: schema.unmanaged.clone(),
            directives: schema.directives.clone(),
        }
    }

    fn effect(&self, journal: Journal, rest_before: Schema) -> StatementEffect {
        let rest_after = self.rest();
        let table_before = |name: &QualifiedName| match journal.tables.get(name) {
            Some(table) => table.as_ref(),
            None => match &journal.all_tables {
                Some(all) => all.get(name),
                None => self.schema.tables.get(name),
            },
        };
        let sequence_before = |name: &QualifiedName| match journal.sequences.get(name) {
            Some(sequence) => sequence.as_ref(),
            None => match &journal.all_sequences {
                Some(all) => all.get(name),
                None => self.sequences.get(name),
            },
        };
        let mut sequences: BTreeSet<QualifiedName> = match &journal.all_sequences {
            Some(all) => all
                .keys()
                .chain(self.sequences.keys())
                .filter(|name| sequence_before(name) != self.sequences.get(*name))
                .cloned()
                .collect(),
            None => journal.sequences.keys().cloned().collect(),
        };
        // A column may use a type anywhere, and a schema holds tables of its own.
        let types_changed = rest_before.schemas != rest_after.schemas
            || rest_before.enums != rest_after.enums
            || rest_before.domains != rest_after.domains
            || rest_before.composite_types != rest_after.composite_types
            || rest_before.ranges != rest_after.ranges;
        let mut tables: BTreeSet<QualifiedName> = match (&journal.all_tables, types_changed) {
            (Some(all), _) => all
                .keys()
                .chain(self.schema.tables.keys())
                .filter(|name| types_changed || table_before(name) != self.schema.tables.get(*name))
                .cloned()
                .collect(),
            (None, true) => self.schema.tables.keys().cloned().collect(),
            (None, false) => BTreeSet::new(),
        };
        tables.extend(journal.tables.keys().cloned());
        // A child's columns read back relative to its parents'.
        let mut pending: Vec<QualifiedName> = tables.iter().cloned().collect();
        while let Some(name) = pending.pop() {
            let versions = [table_before(&name), self.schema.tables.get(&name)];
            for parent in versions.into_iter().flatten().flat_map(Table::parents) {
                if tables.insert(parent.clone()) {
                    pending.push(parent.clone());
                }
            }
        }
        // Whether a column reads back as `serial` depends on its sequence, and whether a
        // sequence is listed on its own on the column.
        for name in &sequences {
            let owners = [sequence_before(name), self.sequences.get(name)];
            tables.extend(
                owners.into_iter().flatten().filter_map(|sequence| {
                    sequence.owned_by.as_ref().map(|(table, _)| table.clone())
                }),
            );
        }
        for name in &tables {
            let versions = [table_before(name), self.schema.tables.get(name)];
            sequences.extend(
                versions
                    .into_iter()
                    .flatten()
                    .flat_map(|table| &table.columns)
                    .filter_map(|column| nextval_sequence(column.default.as_ref()?.as_str())),
            );
        }
        let before = part(
            rest_before,
            (&tables, &sequences),
            &journal.hierarchy.inherited_only,
            table_before,
            sequence_before,
        );
        let mut after = part(
            rest_after,
            (&tables, &sequences),
            &self.hierarchy.inherited_only,
            |name: &QualifiedName| self.schema.tables.get(name),
            |name: &QualifiedName| self.sequences.get(name),
        );
        after.directives = journal.renames;
        StatementEffect {
            before,
            after,
            concurrently: journal.concurrently,
            renames_sequence: journal.renames_sequence,
            unmodelled: journal.unmodelled,
        }
    }

    /// Puts back what a statement changed.
    fn undo(&mut self, mut journal: Journal, rest: Schema) {
        self.children.get_mut().invalidate();
        self.hierarchy = std::mem::take(&mut journal.hierarchy);
        let names = self.names.get_mut();
        names.changed.extend(journal.tables.keys().cloned());
        if let Some(all) = journal.all_tables {
            names.stale = true;
            self.schema.tables = all;
        }
        for (name, table) in journal.tables {
            match table {
                Some(table) => self.schema.tables.insert(name, table),
                None => self.schema.tables.remove(&name),
            };
        }
        if let Some(all) = journal.all_sequences {
            self.sequences = all;
        }
        for (name, sequence) in journal.sequences {
            match sequence {
                Some(sequence) => self.sequences.insert(name, sequence),
                None => self.sequences.remove(&name),
            };
        }
        // Views hold indexes too.
        let names = self.names.get_mut();
        names
            .changed
            .extend(self.schema.views.keys().chain(rest.views.keys()).cloned());
        let tables = std::mem::take(&mut self.schema.tables);
        self.schema = Schema { tables, ..rest };
    }
}

/// `rest` with the tables and sequences named, as `table` and `sequence` find them (those
/// absent left out), read back as the catalog would.
fn part<'a>(
    rest: Schema,
    (tables, sequences): (&BTreeSet<QualifiedName>, &BTreeSet<QualifiedName>),
    inherited_only: &BTreeSet<ColumnRef>,
    table: impl Fn(&QualifiedName) -> Option<&'a Table>,
    sequence: impl Fn(&QualifiedName) -> Option<&'a Sequence>,
) -> Schema {
    let tables: BTreeMap<QualifiedName, Table> = tables
        .iter()
        .filter_map(|name| Some((name.clone(), table(name)?.clone())))
        .collect();
    let candidates: BTreeMap<QualifiedName, Sequence> = sequences
        .iter()
        .filter_map(|name| Some((name.clone(), sequence(name)?.clone())))
        .collect();
    let mut schema = Schema { tables, ..rest };
    crate::inheritance::keep_declared_columns(&mut schema, inherited_only);
    schema.sequences = fold_serials(&mut schema.tables, sequence, &candidates);
    schema
}
