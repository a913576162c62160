//! `grants:` of an object and the `default_privileges:` section → `Schema::privileges`.
//!
//! The grantees a `grants:` list names get exactly the privileges it lists (an empty list:
//! none); the others keep the object's default (`PUBLIC` may execute a function and use a
//! type). Each (object, grantee) named is declared, so it is managed whatever
//! `managed_roles` says.

use std::collections::BTreeSet;

use super::{Lowering, YamlPath};
use crate::diff::grantee_name;
use crate::error::Result;
use crate::model::{
    Column, DefaultObjects, ObjectRef, Privilege, PrivilegeObject, QualifiedName, Schema,
};
use crate::spec::raw;
use crate::syntax::names::column_sequence_name;

impl Lowering<'_> {
    /// Records the grants on `object` written at `at` (`<at>.grants`).
    pub(super) fn grants(
        &mut self,
        object: PrivilegeObject,
        grants: Option<Vec<raw::Grant>>,
        at: &YamlPath,
    ) -> Result<()> {
        let Some(grants) = grants else {
            return Ok(());
        };
        let section = at.key("grants");
        let mut acl = object.default_acl();
        let mut named = BTreeSet::new();
        for (grant_idx, grant) in grants.into_iter().enumerate() {
            let at = section.index(grant_idx);
            if grant.to.is_empty() {
                return Err(self.error(&at.key("to"), "a grant names no role"));
            }
            let privileges = self.privilege_list(&object, &grant.privileges, &at)?;
            for role in &grant.to {
                self.identifier(role, &at.key("to"))?;
                let grantee = grantee_name(role);
                // The first grant naming a role replaces its default privileges.
                if named.insert(grantee.clone()) {
                    acl.insert(grantee.clone(), Default::default());
                }
                let held = acl.entry(grantee.clone()).or_default();
                for privilege in &privileges {
                    *held.entry(*privilege).or_default() |= grant.with_grant_option;
                }
                self.record(ObjectRef::Privileges(object.clone(), grantee.clone()), &at);
                self.directives
                    .declared_privileges
                    .insert((object.clone(), grantee));
            }
        }
        self.privileges.insert(object, acl);
        Ok(())
    }

    /// The grants on the sequence a `serial` or identity column implies (`sequence.grants`).
    pub(super) fn sequence_grants(
        &mut self,
        table: &QualifiedName,
        column: &Column,
        grants: Option<Vec<raw::Grant>>,
        at: &YamlPath,
    ) -> Result<()> {
        if grants.is_none() {
            return Ok(());
        }
        let serial = matches!(
            column.data_type.as_str(),
            "serial" | "bigserial" | "smallserial" | "serial4" | "serial8" | "serial2"
        );
        if !serial && column.identity.is_none() {
            let message = "sequence grants need a serial or identity column";
            return Err(self.error(&at.key("sequence"), message));
        }
        let name = column_sequence_name(table, &column.name);
        self.grants(PrivilegeObject::Sequence(name), grants, &at.key("sequence"))
    }

    /// The privileges a grant names: keywords this kind of object has, or `ALL`.
    fn privilege_list(
        &self,
        object: &PrivilegeObject,
        words: &[String],
        at: &YamlPath,
    ) -> Result<Vec<Privilege>> {
        let at = at.key("privileges");
        let mut privileges = Vec::new();
        for word in words {
            if word.eq_ignore_ascii_case("all") || word.eq_ignore_ascii_case("all privileges") {
                privileges.extend_from_slice(object.privileges());
                continue;
            }
            let Some(privilege) = Privilege::from_keyword(word) else {
                return Err(self.error(&at, format!("unknown privilege {word:?}")));
            };
            if !object.privileges().contains(&privilege) {
                let allowed: Vec<&str> = object
                    .privileges()
                    .iter()
                    .map(|privilege| privilege.keyword())
                    .collect();
                return Err(self.error(
                    &at,
                    format!(
                        "{} does not apply to a {} (it has {})",
                        privilege.keyword(),
                        kind_word(object),
                        allowed.join(", ")
                    ),
                ));
            }
            privileges.push(privilege);
        }
        Ok(privileges)
    }

    /// The `default_privileges:` section.
    pub(super) fn default_privileges(
        &mut self,
        entries: Vec<raw::DefaultPrivileges>,
        schema: &Schema,
    ) -> Result<()> {
        let mut seen = BTreeSet::new();
        for (entry_idx, entry) in entries.into_iter().enumerate() {
            let at = YamlPath::default()
                .key("default_privileges")
                .index(entry_idx);
            self.identifier(&entry.for_role, &at.key("for_role"))?;
            if let Some(name) = &entry.in_schema {
                self.identifier(name, &at.key("in_schema"))?;
                if !schema.schemas.contains(name) {
                    let message = format!("schema \"{name}\" is not declared");
                    return Err(self.error(&at.key("in_schema"), message));
                }
            }
            let object = PrivilegeObject::Defaults {
                role: entry.for_role,
                schema: entry.in_schema,
                objects: match entry.on {
                    raw::DefaultObjects::Tables => DefaultObjects::Tables,
                    raw::DefaultObjects::Sequences => DefaultObjects::Sequences,
                    raw::DefaultObjects::Functions => DefaultObjects::Functions,
                    raw::DefaultObjects::Types => DefaultObjects::Types,
                    raw::DefaultObjects::Schemas => DefaultObjects::Schemas,
                },
            };
            if let PrivilegeObject::Defaults {
                schema: Some(_),
                objects: DefaultObjects::Schemas,
                ..
            } = &object
            {
                let message = "default privileges on schemas cannot be limited to a schema";
                return Err(self.error(&at.key("in_schema"), message));
            }
            if !seen.insert(object.clone()) {
                return Err(self.error(&at, format!("{object} are declared twice")));
            }
            self.grants(object, Some(entry.grants), &at)?;
        }
        Ok(())
    }
}

fn kind_word(object: &PrivilegeObject) -> &'static str {
    match object {
        PrivilegeObject::Schema(_) => "schema",
        PrivilegeObject::Table(_) => "table or view",
        PrivilegeObject::Column(..) => "column",
        PrivilegeObject::Sequence(_) => "sequence",
        PrivilegeObject::Function(_) => "function",
        PrivilegeObject::Type(_) => "type",
        PrivilegeObject::Collation(_) => "collation",
        PrivilegeObject::Defaults { objects, .. } => match objects {
            DefaultObjects::Tables => "table (default privileges)",
            DefaultObjects::Sequences => "sequence (default privileges)",
            DefaultObjects::Functions => "function (default privileges)",
            DefaultObjects::Types => "type (default privileges)",
            DefaultObjects::Schemas => "schema (default privileges)",
        },
    }
}
