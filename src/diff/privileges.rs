//! Privileges in the diff: which (object, grantee) pairs are managed (`scope`), and the
//! `GRANT` / `REVOKE` changes between two schemas (`reconcile`).
//!
//! Privilege changes are a function of the two states and of the objects the other changes
//! create or drop: an object created or dropped and created again starts from its default
//! ACL, a dropped one takes its privileges along, and a table-level `REVOKE` takes the
//! matching column privileges with it. `reconcile` runs last, once per direction, and
//! replaces whatever privilege changes were there. Pure; no SQL text.

use std::collections::{BTreeMap, BTreeSet};

use super::{
    needs_domain_rebuild, removes_or_moves_values, AggregateChange, Change, CollationChange,
    RangeChange, RenameTiming, TypeChange,
};
use crate::model::{
    grantee_display, Acl, FunctionName, Grants, Privilege, PrivilegeObject, QualifiedName, Schema,
    Table, UnmanagedObject, PUBLIC,
};
use crate::syntax::names::column_sequence_name;

/// `GRANT` and `REVOKE` that take one grantee's privileges on one object from `from` to `to`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrivilegeChange {
    pub object: PrivilegeObject,
    pub grantee: String,
    pub from: Grants,
    pub to: Grants,
}

impl PrivilegeChange {
    pub fn inverse(&self) -> PrivilegeChange {
        PrivilegeChange {
            from: self.to.clone(),
            to: self.from.clone(),
            ..self.clone()
        }
    }

    /// Privileges granted (or given the grant option), with whether the grant option comes.
    pub fn granted(&self) -> Vec<(Privilege, bool)> {
        self.to
            .iter()
            .filter(|(privilege, option)| match self.from.get(privilege) {
                None => true,
                Some(had_option) => **option && !had_option,
            })
            .map(|(privilege, option)| (*privilege, *option))
            .collect()
    }

    /// Privileges revoked, with whether only their grant option goes.
    pub fn revoked(&self) -> Vec<(Privilege, bool)> {
        self.from
            .iter()
            .filter_map(|(privilege, option)| match self.to.get(privilege) {
                None => Some((*privilege, false)),
                Some(keeps_option) => (*option && !keeps_option).then_some((*privilege, true)),
            })
            .collect()
    }

    pub fn summary(&self) -> String {
        let words = |privileges: Vec<(Privilege, bool)>| {
            privileges
                .iter()
                .map(|(privilege, _)| privilege.keyword())
                .collect::<Vec<_>>()
                .join(", ")
        };
        let (granted, revoked) = (self.granted(), self.revoked());
        let grantee = grantee_display(&self.grantee);
        match (granted.is_empty(), revoked.is_empty()) {
            (false, true) => format!("granted {} on {} to {grantee}", words(granted), self.object),
            (true, false) => {
                format!(
                    "revoked {} on {} from {grantee}",
                    words(revoked),
                    self.object
                )
            }
            _ => format!("changed privileges of {grantee} on {}", self.object),
        }
    }
}

/// Whose privileges a comparison manages, besides the pairs a schema file declares.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PrivilegeScope {
    /// Every grantee's (`diff --with-privileges`).
    pub all_roles: bool,
    /// These grantees' (`managed_roles`; `public` for `PUBLIC`).
    pub roles: BTreeSet<String>,
}

impl PrivilegeScope {
    /// `managed_roles` as written, `PUBLIC` in any case standing for the pseudo-role.
    pub fn of_roles<'a>(roles: impl IntoIterator<Item = &'a String>) -> PrivilegeScope {
        PrivilegeScope {
            all_roles: false,
            roles: roles.into_iter().map(|role| grantee_name(role)).collect(),
        }
    }
}

/// A grantee as written in a file: `PUBLIC` in any case is the pseudo-role.
pub fn grantee_name(text: &str) -> String {
    match text.eq_ignore_ascii_case(PUBLIC) {
        true => PUBLIC.to_string(),
        false => text.to_string(),
    }
}

/// Leaves the privileges of unmanaged (object, grantee) pairs as `current` has them: the
/// desired side takes them over, so they never differ and an object created again gets them
/// back. Those that are not defaults are reported in `current.unmanaged`, one line per grantee.
/// A pair is managed when `scope` says so or either side's file declares it. Owners are
/// scoped alike (`owners::scope`).
pub fn scope(current: &mut Schema, desired: &mut Schema, scope: &PrivilegeScope) {
    super::owners::scope(current, desired, scope.all_roles);
    if scope.all_roles {
        return;
    }
    let declared: BTreeSet<(PrivilegeObject, String)> = current
        .directives
        .declared_privileges
        .union(&desired.directives.declared_privileges)
        .cloned()
        .collect();
    let managed = |object: &PrivilegeObject, grantee: &String| {
        scope.roles.contains(grantee) || declared.contains(&(object.clone(), grantee.clone()))
    };
    let objects: BTreeSet<PrivilegeObject> = current
        .privileges
        .keys()
        .chain(desired.privileges.keys())
        .cloned()
        .collect();
    let implied = implied_sequences(desired);
    let mut left_alone: BTreeMap<String, usize> = BTreeMap::new();
    for object in objects {
        let current_acl = current.acl(&object);
        let mut desired_acl = desired.acl(&object);
        let default_acl = object.default_acl();
        let grantees: BTreeSet<String> = current_acl
            .keys()
            .chain(desired_acl.keys())
            .filter(|grantee| !managed(&object, grantee))
            .cloned()
            .collect();
        for grantee in grantees {
            let held = current_acl.get(&grantee);
            if held != default_acl.get(&grantee) || desired_acl.get(&grantee) != held {
                *left_alone.entry(grantee.clone()).or_default() += 1;
            }
            match held {
                Some(grants) => desired_acl.insert(grantee, grants.clone()),
                None => desired_acl.remove(&grantee),
            };
        }
        if exists(desired, &object, &implied) {
            desired.set_acl(object, desired_acl);
        }
    }
    for (grantee, n_objects) in left_alone {
        current
            .unmanaged
            .push(privileges_left_alone(&grantee, n_objects));
    }
    current.unmanaged.sort();
}

/// Takes every privilege and owner out of `schema`, reporting the privileges that are not
/// defaults (one line per grantee), for `inspect` without `--with-privileges`.
pub fn leave_privileges_out(schema: &mut Schema) {
    let mut n_objects: BTreeMap<&String, usize> = BTreeMap::new();
    for (object, acl) in &schema.privileges {
        let default_acl = object.default_acl();
        for (grantee, grants) in acl {
            if default_acl.get(grantee) != Some(grants) {
                *n_objects.entry(grantee).or_default() += 1;
            }
        }
    }
    let unmanaged: Vec<UnmanagedObject> = n_objects
        .into_iter()
        .map(|(grantee, n_objects)| privileges_left_alone(grantee, n_objects))
        .collect();
    schema.unmanaged.extend(unmanaged);
    schema.unmanaged.sort();
    schema.privileges.clear();
    schema.owners.clear();
}

fn privileges_left_alone(grantee: &str, n_objects: usize) -> UnmanagedObject {
    UnmanagedObject {
        kind: "privileges".to_string(),
        name: format!(
            "granted to {} on {n_objects} object(s)",
            grantee_display(grantee)
        ),
        attached_to: None,
    }
}

/// Replaces the privilege changes in `changes` (which turn `before` into `after`) with those
/// that bring every object of `after` to its ACL there, given what the other changes create.
pub(super) fn reconcile(before: &Schema, after: &Schema, changes: &mut Vec<Change>) {
    changes.retain(|change| !matches!(change, Change::Privilege(_)));
    let renames = Renames::of(changes);
    // Privilege changes run while renames of the upgrade are done and those of the downgrade
    // not yet undone: both sides are keyed by the names objects have then.
    let before_acls: BTreeMap<PrivilegeObject, Acl> = before
        .privileges
        .iter()
        .map(|(object, acl)| (renames.forward(object, true), acl.clone()))
        .collect();
    let after_acls: BTreeMap<PrivilegeObject, Acl> = after
        .privileges
        .iter()
        .map(|(object, acl)| (renames.forward(object, false), acl.clone()))
        .collect();
    let created = created_objects(changes);
    let is_created = |object: &PrivilegeObject| {
        created.contains(object)
            || object
                .relation()
                .is_some_and(|relation| created.contains(&PrivilegeObject::Table(relation.clone())))
    };
    let implied = implied_sequences(after);
    let objects: BTreeSet<&PrivilegeObject> = before_acls.keys().chain(after_acls.keys()).collect();
    // A table-level REVOKE (or REVOKE GRANT OPTION) takes the column privileges with it.
    let mut revoked_on_tables: BTreeMap<(QualifiedName, String), Vec<(Privilege, bool)>> =
        BTreeMap::new();
    let mut added = Vec::new();
    for object in objects {
        if !exists(after, &renames.back(object), &implied) {
            continue;
        }
        let mut from_acl = match is_created(object) {
            true => object.default_acl(),
            false => before_acls
                .get(object)
                .cloned()
                .unwrap_or_else(|| object.default_acl()),
        };
        if let PrivilegeObject::Column(table, _) = object {
            for ((revoked_table, grantee), revoked) in &revoked_on_tables {
                if revoked_table != table {
                    continue;
                }
                let Some(grants) = from_acl.get_mut(grantee) else {
                    continue;
                };
                for (privilege, option_only) in revoked {
                    match option_only {
                        true => {
                            if let Some(option) = grants.get_mut(privilege) {
                                *option = false;
                            }
                        }
                        false => {
                            grants.remove(privilege);
                        }
                    }
                }
            }
        }
        let to_acl = after_acls
            .get(object)
            .cloned()
            .unwrap_or_else(|| object.default_acl());
        let grantees: BTreeSet<&String> = from_acl.keys().chain(to_acl.keys()).collect();
        for grantee in grantees {
            let from = from_acl.get(grantee).cloned().unwrap_or_default();
            let to = to_acl.get(grantee).cloned().unwrap_or_default();
            if from == to {
                continue;
            }
            let change = PrivilegeChange {
                object: object.clone(),
                grantee: grantee.clone(),
                from,
                to,
            };
            if let PrivilegeObject::Table(table) = object {
                revoked_on_tables.insert((table.clone(), grantee.clone()), change.revoked());
            }
            added.push(Change::Privilege(change));
        }
    }
    changes.extend(added);
}

/// Whether `schema` has the object: one with an ACL of its own there, or one it declares.
fn exists(schema: &Schema, object: &PrivilegeObject, implied: &BTreeSet<QualifiedName>) -> bool {
    schema.privileges.contains_key(object)
        || schema.has_object(object, |name| {
            schema.sequences.contains_key(name) || implied.contains(name)
        })
}

/// The sequences `serial` and identity columns imply, under PostgreSQL's default names.
fn implied_sequences(schema: &Schema) -> BTreeSet<QualifiedName> {
    schema.tables.values().flat_map(table_sequences).collect()
}

/// The sequences the table's `serial` and identity columns imply.
pub fn table_sequences(table: &Table) -> Vec<QualifiedName> {
    table
        .columns
        .iter()
        .filter(|column| implies_sequence(column))
        .map(|column| column_sequence_name(&table.name, &column.name))
        .collect()
}

fn implies_sequence(column: &crate::model::Column) -> bool {
    column.identity.is_some()
        || matches!(
            column.data_type.as_str(),
            "serial" | "bigserial" | "smallserial"
        )
}

/// Objects the changes create, or drop and create again: they start from their default ACL.
pub(super) fn created_objects(changes: &[Change]) -> BTreeSet<PrivilegeObject> {
    let mut created = BTreeSet::new();
    for change in changes {
        match change {
            Change::CreateSchema(name) => {
                created.insert(PrivilegeObject::Schema(name.clone()));
            }
            Change::CreateTable(table) => {
                created.insert(PrivilegeObject::Table(table.name.clone()));
                created.extend(
                    table_sequences(table)
                        .into_iter()
                        .map(PrivilegeObject::Sequence),
                );
            }
            Change::CreateView(view) => {
                created.insert(PrivilegeObject::Table(view.name.clone()));
            }
            Change::AddColumn { table, column, .. } => {
                created.insert(PrivilegeObject::Column(table.clone(), column.name.clone()));
                if implies_sequence(column) {
                    created.insert(PrivilegeObject::Sequence(column_sequence_name(
                        table,
                        &column.name,
                    )));
                }
            }
            Change::AlterColumn {
                table, from, to, ..
            } if !implies_sequence(from) && implies_sequence(to) => {
                created.insert(PrivilegeObject::Sequence(column_sequence_name(
                    table, &to.name,
                )));
            }
            Change::CreateSequence(sequence) => {
                created.insert(PrivilegeObject::Sequence(sequence.name.clone()));
            }
            Change::CreateFunction { function, .. } => {
                created.insert(PrivilegeObject::Function(function.name.clone()));
            }
            Change::AlterFunction { from, to, .. } if !from.replaceable_by(to) => {
                created.insert(PrivilegeObject::Function(to.name.clone()));
            }
            Change::CreateEnum(enum_type) => {
                created.insert(PrivilegeObject::Type(enum_type.name.clone()));
            }
            Change::AlterEnum {
                from,
                to,
                new_value_used,
                ..
            } if removes_or_moves_values(from, to) => {
                created.insert(PrivilegeObject::Type(to.name.clone()));
            }
            Change::Type(TypeChange::CreateDomain(domain)) => {
                created.insert(PrivilegeObject::Type(domain.name.clone()));
            }
            Change::Type(TypeChange::AlterDomain { from, to, .. })
                if needs_domain_rebuild(from, to) =>
            {
                created.insert(PrivilegeObject::Type(to.name.clone()));
            }
            Change::Type(TypeChange::CreateComposite(composite)) => {
                created.insert(PrivilegeObject::Type(composite.name.clone()));
            }
            Change::Aggregate(AggregateChange::Create(aggregate)) => {
                created.insert(PrivilegeObject::Function(aggregate.name.clone()));
            }
            Change::Range(RangeChange::Create(range)) => {
                created.insert(PrivilegeObject::Type(range.name.clone()));
            }
            Change::Collation(CollationChange::Create(collation)) => {
                created.insert(PrivilegeObject::Collation(collation.name.clone()));
            }
            _ => {}
        }
    }
    created
}

/// The renames of a migration, as they move privilege keys.
pub(super) struct Renames {
    /// (from, to, done before the other changes).
    tables: Vec<(QualifiedName, QualifiedName, bool)>,
    columns: Vec<(QualifiedName, String, String, bool)>,
    types: Vec<(QualifiedName, QualifiedName, bool)>,
    routines: Vec<(FunctionName, FunctionName, bool)>,
    collations: Vec<(QualifiedName, QualifiedName, bool)>,
}

impl Renames {
    pub(super) fn of(changes: &[Change]) -> Renames {
        let first = |timing: &RenameTiming| *timing == RenameTiming::BeforeOtherChanges;
        let mut renames = Renames {
            tables: Vec::new(),
            columns: Vec::new(),
            types: Vec::new(),
            routines: Vec::new(),
            collations: Vec::new(),
        };
        for change in changes {
            match change {
                Change::RenameTable { from, to, timing } => {
                    renames
                        .tables
                        .push((from.clone(), to.clone(), first(timing)))
                }
                Change::RenameColumn {
                    table,
                    from,
                    to,
                    timing,
                } => renames
                    .columns
                    .push((table.clone(), from.clone(), to.clone(), first(timing))),
                Change::RenameEnum { from, to, timing }
                | Change::Rename(super::RenameChange::Domain { from, to, timing }) => renames
                    .types
                    .push((from.clone(), to.clone(), first(timing))),
                Change::Rename(super::RenameChange::Range {
                    from,
                    to,
                    multirange,
                    timing,
                }) => {
                    renames
                        .types
                        .push((from.clone(), to.clone(), first(timing)));
                    if let Some((from, to)) = multirange {
                        renames
                            .types
                            .push((from.clone(), to.clone(), first(timing)));
                    }
                }
                Change::Rename(super::RenameChange::Aggregate { from, to, timing }) => renames
                    .routines
                    .push((from.clone(), to.clone(), first(timing))),
                Change::Rename(super::RenameChange::Collation { from, to, timing }) => renames
                    .collations
                    .push((from.clone(), to.clone(), first(timing))),
                _ => {}
            }
        }
        renames
    }

    /// The name `object` of the `before` side (`of_before`) or the `after` side has while
    /// privilege changes run: renames done first apply to `before`, renames undone last
    /// are undone on `after`.
    pub(super) fn forward(&self, object: &PrivilegeObject, of_before: bool) -> PrivilegeObject {
        self.map(object, |done_first| done_first == of_before, of_before)
    }

    /// The name in `after` of an object named as while privilege changes run.
    pub(super) fn back(&self, object: &PrivilegeObject) -> PrivilegeObject {
        self.map(object, |done_first| !done_first, true)
    }

    /// Applies the renames `applies` selects, from→to when `forwards`, else to→from (then
    /// in reverse order: a column rename names its table by the table's new name).
    fn map(
        &self,
        object: &PrivilegeObject,
        applies: impl Fn(bool) -> bool,
        forwards: bool,
    ) -> PrivilegeObject {
        let pick = |from: &QualifiedName, to: &QualifiedName| match forwards {
            true => (from.clone(), to.clone()),
            false => (to.clone(), from.clone()),
        };
        let types = |object: PrivilegeObject| {
            let object = self
                .types
                .iter()
                .filter(|(.., done_first)| applies(*done_first))
                .fold(object, |object, (from, to, _)| {
                    let (old, new) = pick(from, to);
                    match object {
                        PrivilegeObject::Type(name) if name == old => PrivilegeObject::Type(new),
                        // A routine is keyed by its argument types, which follow the rename.
                        PrivilegeObject::Function(mut name) => {
                            for argument_type in &mut name.argument_types {
                                crate::renames::follow_type_in(argument_type, &old, &new);
                            }
                            PrivilegeObject::Function(name)
                        }
                        other => other,
                    }
                });
            self.routines
                .iter()
                .filter(|(.., done_first)| applies(*done_first))
                .fold(object, |object, (from, to, _)| {
                    let (old, new) = match forwards {
                        true => (from, to),
                        false => (to, from),
                    };
                    match object {
                        PrivilegeObject::Function(name) if name == *old => {
                            PrivilegeObject::Function(new.clone())
                        }
                        other => other,
                    }
                })
        };
        let tables = |object: PrivilegeObject| {
            self.tables
                .iter()
                .filter(|(.., done_first)| applies(*done_first))
                .fold(object, |object, (from, to, _)| {
                    let (old, new) = pick(from, to);
                    match object {
                        PrivilegeObject::Table(name) if name == old => PrivilegeObject::Table(new),
                        PrivilegeObject::Column(name, column) if name == old => {
                            PrivilegeObject::Column(new, column)
                        }
                        other => other,
                    }
                })
        };
        let collations = |object: PrivilegeObject| {
            self.collations
                .iter()
                .filter(|(.., done_first)| applies(*done_first))
                .fold(object, |object, (from, to, _)| match object {
                    PrivilegeObject::Collation(name) if name == pick(from, to).0 => {
                        PrivilegeObject::Collation(pick(from, to).1)
                    }
                    other => other,
                })
        };
        let columns = |object: PrivilegeObject| {
            self.columns
                .iter()
                .filter(|(.., done_first)| applies(*done_first))
                .fold(object, |object, (table, from, to, _)| {
                    let (old, new) = match forwards {
                        true => (from, to),
                        false => (to, from),
                    };
                    match object {
                        PrivilegeObject::Column(name, column)
                            if &name == table && &column == old =>
                        {
                            PrivilegeObject::Column(name, new.clone())
                        }
                        other => other,
                    }
                })
        };
        match forwards {
            true => collations(columns(tables(types(object.clone())))),
            false => types(tables(columns(collations(object.clone())))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, Expr, View};

    fn acl(entries: &[(&str, &[(Privilege, bool)])]) -> Acl {
        entries
            .iter()
            .map(|(grantee, grants)| (grantee.to_string(), grants.iter().copied().collect()))
            .collect()
    }

    fn schema_with_view(query: &str, view_acl: Acl) -> Schema {
        let name = QualifiedName::new("public", "t");
        let mut table = Table::new(name.clone());
        table.columns.push(Column::new("a", "integer"));
        let view_name = QualifiedName::new("public", "v");
        let view = View {
            name: view_name.clone(),
            definition: Expr::new(query),
            materialized: false,
            options: Default::default(),
            indexes: Default::default(),
            comment: None,
            column_comments: Default::default(),
            depends_on: [name.clone()].into(),
            triggers: Default::default(),
        };
        let mut schema = Schema::default();
        schema.schemas.insert("public".into());
        schema.tables.insert(name, table);
        schema.views.insert(view_name.clone(), view);
        schema.set_acl(PrivilegeObject::Table(view_name), view_acl);
        schema
    }

    fn privilege_sql(script: &crate::sql::Script) -> Vec<&str> {
        script
            .statements
            .iter()
            .map(|statement| statement.sql.as_str())
            .filter(|sql| sql.starts_with("GRANT") || sql.starts_with("REVOKE"))
            .collect()
    }

    #[test]
    fn a_change_says_what_it_grants_and_revokes_and_inverts_exactly() {
        let change = PrivilegeChange {
            object: PrivilegeObject::Schema("app".into()),
            grantee: "reader".into(),
            from: [(Privilege::Usage, true), (Privilege::Create, false)].into(),
            to: [(Privilege::Usage, false), (Privilege::Create, true)].into(),
        };
        assert_eq!(change.granted(), [(Privilege::Create, true)]);
        assert_eq!(change.revoked(), [(Privilege::Usage, true)]);
        assert_eq!(change.inverse().inverse(), change);
        assert_eq!(change.inverse().granted(), [(Privilege::Usage, true)]);
        assert_eq!(change.inverse().revoked(), [(Privilege::Create, true)]);
    }

    /// A view dropped and created again loses its grants: both scripts make them again.
    #[test]
    fn grants_of_a_rebuilt_view_are_made_again_both_ways() {
        let grants = acl(&[("reader", &[(Privilege::Select, false)])]);
        let current = schema_with_view("SELECT a FROM t", grants.clone());
        let desired = schema_with_view("SELECT a + 1 AS a FROM t", grants);
        let migration = crate::generate(&current, &desired);
        let expected = ["GRANT SELECT ON TABLE public.v TO reader"];
        assert_eq!(privilege_sql(&migration.up), expected);
        assert_eq!(privilege_sql(&migration.down), expected);
    }

    #[test]
    fn a_renamed_table_keeps_its_grants() {
        let grants = acl(&[("reader", &[(Privilege::Select, false)])]);
        let mut current = schema_with_view("SELECT a FROM t", grants.clone());
        current.set_acl(
            PrivilegeObject::Column(QualifiedName::new("public", "t"), "a".into()),
            grants.clone(),
        );
        let mut desired = current.clone();
        let mut table = desired
            .tables
            .remove(&QualifiedName::new("public", "t"))
            .expect("t");
        table.name = QualifiedName::new("public", "renamed");
        desired.tables.insert(table.name.clone(), table);
        // The view reads the table by oid: PostgreSQL prints it with the new name.
        let view = desired.views.values_mut().next().expect("v");
        view.definition = crate::model::Expr::new("SELECT a FROM renamed");
        desired.privileges.clear();
        desired.set_acl(
            PrivilegeObject::Column(QualifiedName::new("public", "renamed"), "a".into()),
            grants.clone(),
        );
        desired.set_acl(
            PrivilegeObject::Table(QualifiedName::new("public", "v")),
            grants,
        );
        desired
            .directives
            .table_renames
            .insert(QualifiedName::new("public", "renamed"), "t".into());
        let migration = crate::generate(&current, &desired);
        assert_eq!(privilege_sql(&migration.up), Vec::<&str>::new());
        assert_eq!(privilege_sql(&migration.down), Vec::<&str>::new());
    }

    #[test]
    fn unmanaged_grantees_keep_what_they_have_and_are_reported() {
        let view = PrivilegeObject::Table(QualifiedName::new("public", "v"));
        let mut current = schema_with_view(
            "SELECT a FROM t",
            acl(&[
                ("reader", &[(Privilege::Select, false)]),
                ("stranger", &[(Privilege::Insert, false)]),
            ]),
        );
        let mut desired = schema_with_view("SELECT a FROM t", acl(&[]));
        desired
            .directives
            .declared_privileges
            .insert((view.clone(), "reader".into()));
        scope(&mut current, &mut desired, &PrivilegeScope::default());
        assert_eq!(
            desired.acl(&view),
            acl(&[("stranger", &[(Privilege::Insert, false)])])
        );
        let reported: Vec<String> = current
            .unmanaged
            .iter()
            .map(|object| format!("{} {}", object.kind, object.name))
            .collect();
        assert_eq!(reported, ["privileges granted to stranger on 1 object(s)"]);
    }
}
