//! `owner:` of an object → `Schema::owners`. Each owner written is declared, so it is
//! managed; objects without one keep whatever owner they have (`diff::scope_owners`).

use super::{Lowering, YamlPath};
use crate::error::Result;
use crate::model::{ObjectRef, PrivilegeObject, Schema, PUBLIC};

impl Lowering<'_> {
    /// Records the owner of `object` written at `at` (`<at>.owner`).
    pub(super) fn owner(
        &mut self,
        object: PrivilegeObject,
        owner: Option<String>,
        at: &YamlPath,
    ) -> Result<()> {
        let Some(owner) = owner else {
            return Ok(());
        };
        let at = at.key("owner");
        self.identifier(&owner, &at)?;
        if owner.eq_ignore_ascii_case(PUBLIC) {
            return Err(self.error(&at, "PUBLIC cannot own an object"));
        }
        self.directives.declared_owners.insert(object.clone());
        self.owners.insert(object, (owner, at));
        Ok(())
    }

    /// Takes the owners into `schema`; a sequence owned by a column has its table's owner.
    pub(super) fn take_owners(&mut self, schema: &mut Schema) -> Result<()> {
        for (object, (owner, at)) in std::mem::take(&mut self.owners) {
            let Some(kind) = schema.owned_kind(&object) else {
                let message = "a sequence owned by a column (owned_by) has its table's owner";
                return Err(self.error(&at, message));
            };
            self.record(ObjectRef::Owner(object.clone(), kind), &at);
            schema.set_owner(object, Some(owner));
        }
        Ok(())
    }
}
