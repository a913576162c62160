//! The interpreter's `ALTER ... OWNER TO`. What a script creates belongs to the role that
//! runs it, which `Schema::owners` leaves out (`model::owners`); so does `OWNER TO
//! CURRENT_USER` (or `CURRENT_ROLE`, `SESSION_USER`). Renames and drops take the owner
//! along with the privileges (`privileges.rs`).

use super::{Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::model::PrivilegeObject;

impl Interpreter {
    /// `OWNER TO role` of `object` (the cursor at `OWNER`); what follows is the caller's.
    pub(super) fn owner_to(&mut self, cursor: &mut Cursor<'_>, object: PrivilegeObject) -> Outcome {
        cursor.expect_keywords(&["OWNER", "TO"])?;
        let owner = match ["CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"]
            .iter()
            .any(|keyword| cursor.eat_keyword(keyword))
        {
            true => None,
            false => Some(cursor.identifier()?),
        };
        if let PrivilegeObject::Sequence(name) = &object {
            if self
                .sequences
                .get(name)
                .is_some_and(|sequence| sequence.owned_by.is_some())
            {
                return Err(format!(
                    "cannot change owner of sequence {name}: it is linked to a table, whose \
                     owner it has"
                ));
            }
        } else if self.schema.owned_kind(&object).is_none() {
            return Err(format!("{object} does not exist"));
        }
        self.journal_privilege_object(&object);
        let schema = self.schema.rest_mut();
        schema.directives.declared_owners.insert(object.clone());
        schema.set_owner(object, owner);
        Ok(())
    }
}
