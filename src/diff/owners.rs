//! Owners in the diff: which are managed (`scope`), and the `ALTER ... OWNER TO` changes
//! between two schemas (`reconcile`).
//!
//! An owner is managed where a file declares it, or everywhere with `--with-privileges`;
//! elsewhere the desired side takes the current side's, so an undeclared owner is never a
//! difference. Like privileges, owner changes are a function of the two states and of what
//! the other changes create: an object created (or dropped and created again) belongs to
//! the role that runs the migration, the owner `None` stands for. Pure; no SQL text.

use std::collections::{BTreeMap, BTreeSet};

use super::privileges::{created_objects, Renames};
use super::Change;
use crate::model::{unrecorded_owner, OwnedKind, PrivilegeObject, Schema};

/// `ALTER <kind> object OWNER TO` that takes one object from owner `from` to owner `to`;
/// `None` is the role that runs the migration (`CURRENT_USER`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OwnerChange {
    pub object: PrivilegeObject,
    pub kind: OwnedKind,
    pub from: Option<String>,
    pub to: Option<String>,
}

impl OwnerChange {
    pub fn inverse(&self) -> OwnerChange {
        OwnerChange {
            from: self.to.clone(),
            to: self.from.clone(),
            ..self.clone()
        }
    }

    pub fn summary(&self) -> String {
        let to = match (self.to.as_deref(), unrecorded_owner(&self.object)) {
            (Some(owner), _) | (None, Some(owner)) => owner,
            (None, None) => "the role running the migration",
        };
        format!(
            "changed owner of {} to {to}",
            self.kind.describe(&self.object)
        )
    }
}

/// Leaves the owners no file declares as `current` has them, unless `all` owners are
/// managed (`--with-privileges`).
pub fn scope(current: &Schema, desired: &mut Schema, all: bool) {
    if all {
        return;
    }
    let declared: BTreeSet<&PrivilegeObject> = current
        .directives
        .declared_owners
        .union(&desired.directives.declared_owners)
        .collect();
    let objects: BTreeSet<PrivilegeObject> = current
        .owners
        .keys()
        .chain(desired.owners.keys())
        .filter(|object| !declared.contains(object))
        .cloned()
        .collect();
    for object in objects {
        let owner = current.owners.get(&object).cloned();
        match desired.owned_kind(&object) {
            Some(_) => desired.set_owner(object, owner),
            None => desired.set_owner(object, None),
        }
    }
}

/// Replaces the owner changes in `changes` (which turn `before` into `after`) with those
/// that give every object of `after` its owner there, given what the other changes create.
pub(super) fn reconcile(before: &Schema, after: &Schema, changes: &mut Vec<Change>) {
    changes.retain(|change| !matches!(change, Change::Owner(_)));
    let renames = Renames::of(changes);
    let created = created_objects(changes);
    // Keyed by the names objects have while renames of the upgrade are done and those of
    // the downgrade not yet undone, like privilege changes.
    let before_owners: BTreeMap<PrivilegeObject, &String> = before
        .owners
        .iter()
        .map(|(object, owner)| (renames.forward(object, true), owner))
        .collect();
    let after_owners: BTreeMap<PrivilegeObject, &String> = after
        .owners
        .iter()
        .map(|(object, owner)| (renames.forward(object, false), owner))
        .collect();
    let objects: BTreeSet<&PrivilegeObject> =
        before_owners.keys().chain(after_owners.keys()).collect();
    for object in objects {
        let Some(kind) = after.owned_kind(&renames.back(object)) else {
            continue;
        };
        let from = match created.contains(object) {
            true => None,
            false => before_owners.get(object).map(|owner| owner.to_string()),
        };
        let to = after_owners.get(object).map(|owner| owner.to_string());
        if from != to {
            changes.push(Change::Owner(OwnerChange {
                object: object.clone(),
                kind,
                from,
                to,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Column, QualifiedName, Table};

    fn with_table(owner: Option<&str>) -> Schema {
        let name = QualifiedName::new("public", "t");
        let mut table = Table::new(name.clone());
        table.columns.push(Column::new("a", "integer"));
        let mut schema = Schema::default();
        schema.schemas.insert("public".into());
        schema.tables.insert(name.clone(), table);
        schema.set_owner(PrivilegeObject::Table(name), owner.map(str::to_string));
        schema
    }

    fn sql(script: &crate::sql::Script) -> Vec<&str> {
        script
            .statements
            .iter()
            .map(|statement| statement.sql.as_str())
            .filter(|sql| !sql.starts_with("SET "))
            .collect()
    }

    #[test]
    fn only_declared_owners_are_managed_unless_all_are() {
        let table = PrivilegeObject::Table(QualifiedName::new("public", "t"));
        let current = with_table(Some("app"));
        let mut undeclared = with_table(None);
        scope(&current, &mut undeclared, false);
        assert!(crate::generate(&current, &undeclared).changes.is_empty());

        let mut declared = with_table(Some("other role"));
        declared.directives.declared_owners.insert(table.clone());
        scope(&current, &mut declared, false);
        let migration = crate::generate(&current, &declared);
        assert_eq!(
            sql(&migration.up),
            ["ALTER TABLE public.t OWNER TO \"other role\""]
        );
        assert_eq!(sql(&migration.down), ["ALTER TABLE public.t OWNER TO app"]);

        let mut everything = with_table(None);
        scope(&current, &mut everything, true);
        let migration = crate::generate(&current, &everything);
        assert_eq!(
            sql(&migration.up),
            ["ALTER TABLE public.t OWNER TO CURRENT_USER"]
        );
    }

    #[test]
    fn a_created_object_is_given_its_owner_once_created() {
        let mut empty = Schema::default();
        empty.schemas.insert("public".into());
        let migration = crate::generate(&empty, &with_table(Some("app")));
        let up = sql(&migration.up);
        assert_eq!(up.len(), 2, "{up:?}");
        assert!(up[0].starts_with("CREATE TABLE public.t"), "{up:?}");
        assert_eq!(up[1], "ALTER TABLE public.t OWNER TO app");
        assert_eq!(sql(&migration.down), ["DROP TABLE public.t"]);
    }
}
