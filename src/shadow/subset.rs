//! The part of a desired schema the shadow must build when the schema it is compared with
//! was read from a live database. A table or view whose declaration equals the catalog's
//! (after `normalize`) already has PostgreSQL's canonical text, so only the rest goes to the
//! server, with what it needs in order to be created; most of a real schema is unchanged
//! between two revisions, so the shadow shrinks from every object to the changed ones.

use std::collections::{BTreeMap, BTreeSet};

use super::partial::{self, SettledParts};
use crate::diff::table_sequences;
use crate::model::{PrivilegeObject, QualifiedName, Schema, Table, View};

/// What `desired` still needs the server for.
pub struct Unsettled {
    /// The tables and views to build: the unsettled ones plus, unchanged, the relations they
    /// reference; every other object (types, sequences, extensions, schemas, ...) whole.
    pub schema: Schema,
    /// Tables and views whose canonical form is the database's own.
    settled: BTreeSet<QualifiedName>,
    /// Privileges on objects the shadow does not build.
    left_out: BTreeSet<PrivilegeObject>,
    /// Changed tables built without the elements that equal the database's.
    partly_settled: BTreeMap<QualifiedName, SettledParts>,
}

impl Unsettled {
    /// Whether the shadow has nothing to build beyond what the whole schema would need.
    pub fn is_everything(&self) -> bool {
        self.settled.is_empty()
    }
}

pub fn unsettled(database: &Schema, desired: &Schema) -> Unsettled {
    let mut settled: BTreeSet<QualifiedName> = desired
        .tables
        .iter()
        .filter(|(name, table)| database.tables.get(*name) == Some(*table))
        .map(|(name, _)| name.clone())
        .chain(
            desired
                .views
                .iter()
                .filter(|(name, view)| {
                    database
                        .views
                        .get(*name)
                        .is_some_and(|known| same_declaration(known, view))
                })
                .map(|(name, _)| name.clone()),
        )
        .collect();
    // A view over a changed relation may read back differently (or not build at all).
    loop {
        let unsettled_views: Vec<QualifiedName> = desired
            .views
            .values()
            .filter(|view| settled.contains(&view.name))
            .filter(|view| {
                view.depends_on
                    .iter()
                    .any(|relation| is_declared(desired, relation) && !settled.contains(relation))
            })
            .map(|view| view.name.clone())
            .collect();
        if unsettled_views.is_empty() {
            break;
        }
        for name in unsettled_views {
            settled.remove(&name);
        }
    }

    // Built whole: the unsettled relations, the tables sequences belong to, and what a
    // built relation is made from (a table's parents, a view's relations).
    let mut whole: BTreeSet<QualifiedName> = BTreeSet::new();
    let mut pending: Vec<QualifiedName> = desired
        .sequences
        .values()
        .filter_map(|sequence| sequence.owned_by.as_ref().map(|(table, _)| table.clone()))
        .chain(
            desired
                .views
                .values()
                .filter(|view| !settled.contains(&view.name))
                .flat_map(|view| view.depends_on.iter().cloned()),
        )
        .collect();
    // A changed table is built in part only when nothing else needs it whole.
    let mut partly_settled = partial::settled_parts(database, desired);
    let mut needed_whole = pending.clone();
    let mut visited: BTreeSet<QualifiedName> = BTreeSet::new();
    while let Some(name) = needed_whole.pop() {
        if !visited.insert(name.clone()) {
            continue;
        }
        partly_settled.remove(&name);
        if let Some(view) = desired.views.get(&name) {
            needed_whole.extend(view.depends_on.iter().cloned());
        }
    }
    pending.extend(
        desired
            .tables
            .keys()
            .chain(desired.views.keys())
            .filter(|name| !settled.contains(*name))
            .cloned(),
    );
    // Only the target of an unsettled table's foreign key: a settled table is built with just
    // what a key can reference (its columns, primary key and unique constraints and indexes).
    let mut key_targets: BTreeSet<QualifiedName> = BTreeSet::new();
    loop {
        while let Some(name) = pending.pop() {
            if !is_declared(desired, &name) || !whole.insert(name.clone()) {
                continue;
            }
            match (desired.tables.get(&name), desired.views.get(&name)) {
                (Some(table), _) => {
                    pending.extend(table.parents().into_iter().cloned());
                    if !settled.contains(&name) {
                        let parts = partly_settled.get(&name);
                        key_targets.extend(
                            table
                                .foreign_keys
                                .values()
                                .filter(|foreign_key| {
                                    !parts.is_some_and(|parts| {
                                        parts.has_foreign_key(&foreign_key.name)
                                    })
                                })
                                .map(|foreign_key| foreign_key.referenced_table.clone()),
                        );
                    }
                }
                (_, Some(view)) => pending.extend(view.depends_on.iter().cloned()),
                _ => {}
            }
        }
        // A key target that is a child needs its parents whole.
        pending.extend(
            key_targets
                .iter()
                .filter(|name| !whole.contains(*name))
                .filter_map(|name| desired.tables.get(name))
                .flat_map(|table| table.parents().into_iter().cloned())
                .filter(|parent| is_declared(desired, parent) && !whole.contains(parent)),
        );
        if pending.is_empty() {
            break;
        }
    }
    key_targets.retain(|name| desired.tables.contains_key(name) && !whole.contains(name));
    let needed: BTreeSet<QualifiedName> = whole.union(&key_targets).cloned().collect();

    let mut schema = desired.clone();
    schema.tables.retain(|name, _| needed.contains(name));
    schema.views.retain(|name, _| needed.contains(name));
    // Privileges need no canonical text: those of objects left out come from the file.
    let implied: BTreeSet<QualifiedName> =
        schema.tables.values().flat_map(table_sequences).collect();
    let left_out: BTreeSet<PrivilegeObject> = schema
        .privileges
        .keys()
        .filter(|object| match object {
            PrivilegeObject::Sequence(name) => {
                !schema.sequences.contains_key(name) && !implied.contains(name)
            }
            _ => object
                .relation()
                .is_some_and(|relation| !needed.contains(relation)),
        })
        .cloned()
        .collect();
    schema
        .privileges
        .retain(|object, _| !left_out.contains(object));
    // A settled table is there for the keys others reference; its own foreign keys would
    // pull in more tables.
    for (name, table) in &mut schema.tables {
        if settled.contains(name) {
            table.foreign_keys.clear();
        }
        if key_targets.contains(name) {
            keep_what_keys_reference(table);
        }
        if let Some(parts) = partly_settled.get(name) {
            parts.remove_from(table);
        }
    }
    Unsettled {
        schema,
        settled,
        left_out,
        partly_settled,
    }
}

impl Unsettled {
    /// The canonical desired schema: the database's own tables and views where settled, the
    /// shadow's elsewhere, and everything else as the shadow read it (the privileges of
    /// objects left out, and the owners of settled ones, as the file states them).
    pub fn merge(self, database: &Schema, desired: &Schema, mut built: Schema) -> Schema {
        for object in &self.left_out {
            if let Some(acl) = desired.privileges.get(object) {
                built.privileges.insert(object.clone(), acl.clone());
            }
        }
        for (name, parts) in &self.partly_settled {
            if let (Some(known), Some(table)) =
                (database.tables.get(name), built.tables.get_mut(name))
            {
                parts.restore(known, table);
            }
        }
        for name in &self.settled {
            if let Some(table) = database
                .tables
                .get(name)
                .filter(|_| desired.tables.contains_key(name))
            {
                built.tables.insert(name.clone(), table.clone());
            }
            let object = PrivilegeObject::Table(name.clone());
            if let Some(owner) = desired.owners.get(&object) {
                built.owners.insert(object, owner.clone());
            }
            if let Some(view) = database
                .views
                .get(name)
                .filter(|_| desired.views.contains_key(name))
            {
                built.views.insert(name.clone(), view.clone());
            }
        }
        built
    }
}

/// Leaves a settled table only what a foreign key onto it needs: each index, check and
/// comment would be one more statement and file for the server, and the database's text of
/// the table is what counts.
fn keep_what_keys_reference(table: &mut Table) {
    table.checks.clear();
    table.exclusions.clear();
    table.indexes.retain(|_, index| index.unique);
    table.comment = None;
    for column in &mut table.columns {
        column.comment = None;
    }
}

fn is_declared(schema: &Schema, relation: &QualifiedName) -> bool {
    schema.tables.contains_key(relation) || schema.views.contains_key(relation)
}

/// Equal as declared: how the view's dependencies were found is not part of it.
fn same_declaration(known: &View, declared: &View) -> bool {
    known.same_relation_as(declared)
        && known.options == declared.options
        && known.comment == declared.comment
        && known.column_comments == declared.column_comments
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{CheckConstraint, Column, Expr, ForeignKey, ViewOptions};

    fn name(relation: &str) -> QualifiedName {
        QualifiedName::new("public", relation)
    }

    fn table(relation: &str) -> Table {
        let mut table = Table::new(name(relation));
        table.columns.push(Column::new("id", "integer"));
        table
    }

    fn view_over(relation: &str, over: &str) -> View {
        View {
            name: name(relation),
            definition: Expr::new(format!("SELECT id FROM {over}")),
            materialized: false,
            options: ViewOptions::default(),
            indexes: Default::default(),
            comment: None,
            column_comments: Default::default(),
            depends_on: [name(over)].into(),
            triggers: Default::default(),
        }
    }

    /// a ← b (foreign key), c ← v ← w (views), d alone; a has a check.
    fn database() -> Schema {
        let mut schema = Schema::default();
        let mut a = table("a");
        a.checks.insert(
            "a_id_check".into(),
            CheckConstraint {
                name: "a_id_check".into(),
                expression: Expr::new("id > 0"),
                valid: true,
                comment: None,
                no_inherit: false,
            },
        );
        let mut b = table("b");
        b.foreign_keys.insert(
            "b_a_fkey".into(),
            ForeignKey {
                name: "b_a_fkey".into(),
                columns: vec!["id".into()],
                referenced_table: name("a"),
                referenced_columns: vec!["id".into()],
                on_delete: Default::default(),
                on_update: Default::default(),
                deferrable: Default::default(),
                match_type: Default::default(),
                valid: true,
                comment: None,
            },
        );
        for table in [a, b, table("c"), table("d")] {
            schema.tables.insert(table.name.clone(), table);
        }
        for view in [view_over("v", "c"), view_over("w", "v")] {
            schema.views.insert(view.name.clone(), view);
        }
        schema
    }

    fn relations(schema: &Schema) -> Vec<String> {
        schema
            .tables
            .keys()
            .chain(schema.views.keys())
            .map(|name| name.name.clone())
            .collect()
    }

    #[test]
    fn an_unchanged_schema_builds_no_relation() {
        let unsettled = unsettled(&database(), &database());
        assert!(relations(&unsettled.schema).is_empty());
    }

    #[test]
    fn a_changed_table_brings_what_it_references_and_the_views_over_it() {
        let mut desired = database();
        for changed in ["b", "c"] {
            let table = desired.tables.get_mut(&name(changed)).expect("declared");
            table.columns.push(Column::new("added", "text"));
        }
        let unsettled = unsettled(&database(), &desired);
        // b's key did not change: it is the database's, so a is not needed.
        assert_eq!(relations(&unsettled.schema), ["b", "c", "v", "w"]);
        assert!(unsettled.schema.tables[&name("b")].foreign_keys.is_empty());
        // c is under the views: built whole.
        assert_eq!(
            unsettled.schema.tables[&name("c")],
            desired.tables[&name("c")]
        );

        // The shadow's text wins only where the declaration changed.
        let mut built = unsettled.schema.clone();
        for table in built.tables.values_mut() {
            table.comment = Some("from the shadow".into());
        }
        let merged = unsettled.merge(&database(), &desired, built);
        let comment = |relation: &str| merged.tables[&name(relation)].comment.clone();
        assert_eq!(comment("a"), None);
        assert_eq!(comment("d"), None);
        assert_eq!(comment("b").as_deref(), Some("from the shadow"));
        assert_eq!(merged.tables[&name("a")], database().tables[&name("a")]);
        assert_eq!(
            merged.tables[&name("b")].foreign_keys,
            database().tables[&name("b")].foreign_keys
        );
        assert_eq!(relations(&merged), ["a", "b", "c", "d", "v", "w"]);
    }

    #[test]
    fn a_changed_key_brings_its_target_with_what_keys_reference() {
        let mut desired = database();
        let b = desired.tables.get_mut(&name("b")).expect("declared");
        let key = b.foreign_keys.get_mut("b_a_fkey").expect("declared");
        key.on_delete = crate::model::ReferentialAction::Cascade;
        let unsettled = unsettled(&database(), &desired);
        assert_eq!(relations(&unsettled.schema), ["a", "b"]);
        // a is only b's key's target: built without its check, taken from the database.
        assert!(unsettled.schema.tables[&name("a")].checks.is_empty());
        assert_eq!(unsettled.schema.tables[&name("b")].foreign_keys.len(), 1);
    }

    #[test]
    fn a_table_whose_columns_changed_type_or_went_is_built_whole() {
        for change in ["type", "drop"] {
            let mut desired = database();
            let a = desired.tables.get_mut(&name("a")).expect("declared");
            a.columns.push(Column::new("added", "text"));
            match change {
                "type" => a.columns[0].data_type = "bigint".into(),
                _ => {
                    a.columns.remove(0);
                }
            }
            let unsettled = unsettled(&database(), &desired);
            assert_eq!(
                unsettled.schema.tables[&name("a")],
                desired.tables[&name("a")],
                "{change}"
            );
        }
        // Only a column added: the unchanged check is the database's.
        let mut desired = database();
        let a = desired.tables.get_mut(&name("a")).expect("declared");
        a.columns.push(Column::new("added", "text"));
        let unsettled = unsettled(&database(), &desired);
        assert!(unsettled.schema.tables[&name("a")].checks.is_empty());
        let built = unsettled.schema.clone();
        let merged = unsettled.merge(&database(), &desired, built);
        assert_eq!(merged.tables[&name("a")], desired.tables[&name("a")]);
    }
}
