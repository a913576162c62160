//! What one statement changes, for `lint`: the interpreter notes the tables and sequences
//! a statement is about to change, as they were, so the part of the schema it touched can
//! be compared before and after it without copying the whole schema for every statement.
//!
//! Every change to `schema.tables` or `sequences` goes through `journal_table`,
//! `all_tables_mut`, `journal_sequence` or `all_sequences_mut`; every change to the other
//! kinds of objects goes through `Model::rest_mut`, which copies them whole before the
//! statement's first change of them. A statement that changes only tables and sequences
//! (nearly every one of a long file) copies nothing else, so linting stays linear.

use std::ops::Deref;

use super::*;

/// The interpreter's schema. Reading it is free; changing tables goes through `tables_mut`
/// (after `journal_table` or `all_tables_mut`), anything else through `rest_mut`.
#[derive(Debug, Clone, Default)]
pub(super) struct Model {
    schema: Schema,
    /// `Some` while a statement is journalled: the rest of the schema (`rest`) before the
    /// statement first changed it, `None` inside while it has not.
    rest_before: Option<Option<Schema>>,
}

impl Deref for Model {
    type Target = Schema;

    fn deref(&self) -> &Schema {
        &self.schema
    }
}

impl From<Schema> for Model {
    fn from(schema: Schema) -> Model {
        Model {
            schema,
            rest_before: None,
        }
    }
}

impl Model {
    pub(super) fn tables_mut(&mut self) -> &mut BTreeMap<QualifiedName, Table> {
        &mut self.schema.tables
    }

    /// The whole schema, to change objects other than tables and sequences (tables through
    /// it only after `journal_table` or `all_tables_mut`).
    pub(super) fn rest_mut(&mut self) -> &mut Schema {
        if let Some(before @ None) = &mut self.rest_before {
            *before = Some(rest(&self.schema));
        }
        &mut self.schema
    }

    /// A view or materialized view to change; the rest is noted only when there is one.
    pub(super) fn view_mut(&mut self, name: &QualifiedName) -> Option<&mut View> {
        match self.schema.views.contains_key(name) {
            true => self.rest_mut().views.get_mut(name),
            false => None,
        }
    }

    pub(super) fn into_schema(self) -> Schema {
        self.schema
    }
}

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
        self.schema.rest_before = Some(None);
        self.journal = Some(Journal {
            hierarchy: self.hierarchy.clone(),
            ..Journal::default()
        });
        self.line = line;
        let outcome = Cursor::new(sql).and_then(|cursor| self.statement(cursor));
        let journal = self.journal.take().unwrap_or_default();
        let rest_before = self.schema.rest_before.take().flatten();
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
        &mut self.schema.schema.tables
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

    fn effect(&self, journal: Journal, rest_before: Option<Schema>) -> StatementEffect {
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
        let types_changed = rest_before.as_ref().is_some_and(|before| {
            let after = &self.schema;
            before.schemas != after.schemas
                || before.enums != after.enums
                || before.domains != after.domains
                || before.composite_types != after.composite_types
                || before.ranges != after.ranges
        });
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
        let (rest_before, rest_after) = match rest_before {
            Some(before) => (before, rest(&self.schema)),
            None => {
                let versions = tables
                    .iter()
                    .flat_map(|name| [table_before(name), self.schema.tables.get(name)])
                    .flatten();
                let unchanged = rest_around(&self.schema, &tables, versions);
                (unchanged.clone(), unchanged)
            }
        };
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
    fn undo(&mut self, mut journal: Journal, rest: Option<Schema>) {
        self.children.get_mut().invalidate();
        self.hierarchy = std::mem::take(&mut journal.hierarchy);
        let names = self.names.get_mut();
        names.changed.extend(journal.tables.keys().cloned());
        if let Some(all) = journal.all_tables {
            names.stale = true;
            self.schema.schema.tables = all;
        }
        for (name, table) in journal.tables {
            match table {
                Some(table) => self.schema.schema.tables.insert(name, table),
                None => self.schema.schema.tables.remove(&name),
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
        if let Some(rest) = rest {
            // Views hold indexes too.
            let names = self.names.get_mut();
            names
                .changed
                .extend(self.schema.views.keys().chain(rest.views.keys()).cloned());
            let tables = std::mem::take(&mut self.schema.schema.tables);
            self.schema.schema = Schema { tables, ..rest };
        }
    }
}

/// The schema without its tables and sequences.
fn rest(schema: &Schema) -> Schema {
    Schema {
        enums: schema.enums.clone(),
        views: schema.views.clone(),
        ..rest_but_enums_and_views(schema)
    }
}

/// `rest` without enums and views, the kinds a long file has many of.
fn rest_but_enums_and_views(schema: &Schema) -> Schema {
    Schema {
        schemas: schema.schemas.clone(),
        schema_comments: schema.schema_comments.clone(),
        extensions: schema.extensions.clone(),
        enums: BTreeMap::new(),
        domains: schema.domains.clone(),
        composite_types: schema.composite_types.clone(),
        ranges: schema.ranges.clone(),
        tables: BTreeMap::new(),
        views: BTreeMap::new(),
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

/// `rest` for a statement that changed only `tables` (and sequences), whose `versions`
/// before and after are given: of the kinds a long file has many of, only what the
/// changes can reach. The enums the tables' columns (or the other types) name, and the
/// views over the tables, directly or through other views; the rest whole.
fn rest_around<'a>(
    schema: &Schema,
    tables: &BTreeSet<QualifiedName>,
    versions: impl Iterator<Item = &'a Table>,
) -> Schema {
    let mut type_texts: Vec<&str> = versions
        .flat_map(|table| &table.columns)
        .map(|column| column.data_type.as_str())
        .collect();
    type_texts.extend(
        schema
            .domains
            .values()
            .map(|domain| domain.base_type.as_str()),
    );
    type_texts.extend(
        schema
            .composite_types
            .values()
            .flat_map(|composite| &composite.attributes)
            .map(|attribute| attribute.data_type.as_str()),
    );
    type_texts.extend(schema.ranges.values().map(|range| range.subtype.as_str()));
    let mut enums = BTreeMap::new();
    for text in type_texts {
        let words = crate::references::words(text);
        let schemas = words.iter().map(String::as_str).chain(["public"]);
        for (namespace, word) in schemas.flat_map(|s| words.iter().map(move |w| (s, w))) {
            let name = QualifiedName::new(namespace, word);
            if let Some(enumeration) = schema.enums.get(&name) {
                enums.insert(name, enumeration.clone());
            }
        }
    }
    let mut reached: BTreeSet<&QualifiedName> = tables.iter().collect();
    let mut views = BTreeMap::new();
    loop {
        let before = views.len();
        for (name, view) in &schema.views {
            if !views.contains_key(name) && view.depends_on.iter().any(|r| reached.contains(r)) {
                views.insert(name.clone(), view.clone());
                reached.insert(name);
            }
        }
        if views.len() == before {
            break;
        }
    }
    Schema {
        enums,
        views,
        ..rest_but_enums_and_views(schema)
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
