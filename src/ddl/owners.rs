//! The interpreter's `ALTER ... OWNER TO`. What a script creates belongs to the role that
//! runs it, which `Schema::owners` leaves out (`model::owners`); so does `OWNER TO
//! CURRENT_USER` (or `CURRENT_ROLE`, `SESSION_USER`). `CREATE SCHEMA ... AUTHORIZATION`
//! states an owner as `ALTER SCHEMA ... OWNER TO` does. Renames and drops take the owner
//! along with the privileges (`privileges.rs`).

use super::{Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::model::PrivilegeObject;

impl Interpreter {
    /// `OWNER TO role` of `object` (the cursor at `OWNER`); what follows is the caller's.
    pub(super) fn owner_to(&mut self, cursor: &mut Cursor<'_>, object: PrivilegeObject) -> Outcome {
        cursor.expect_keywords(&["OWNER", "TO"])?;
        let owner = role_spec(cursor)?;
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
            // ALTER TABLE, VIEW and MATERIALIZED VIEW all name a relation here.
            return Err(match &object {
                PrivilegeObject::Table(name) => format!("relation {name} does not exist"),
                _ => format!("{object} does not exist"),
            });
        }
        self.state_owner(object, owner);
        Ok(())
    }

    /// Gives `object` the owner a statement states (`None`: the role running the script);
    /// a stated owner is declared, so it is managed.
    pub(super) fn state_owner(&mut self, object: PrivilegeObject, owner: Option<String>) {
        self.journal_privilege_object(&object);
        let schema = self.schema.rest_mut();
        schema.directives.declared_owners.insert(object.clone());
        schema.set_owner(object, owner);
    }
}

/// What follows `CREATE SCHEMA [IF NOT EXISTS]`: `name`, `name AUTHORIZATION role` or
/// `AUTHORIZATION role` (a schema named after its owner). The name, and the owner when
/// AUTHORIZATION states one (`Some(None)`: the role running the script).
pub(super) fn schema_name_and_owner(
    cursor: &mut Cursor<'_>,
) -> Outcome<(String, Option<Option<String>>)> {
    if cursor.eat_keyword("AUTHORIZATION") {
        let Some(role) = role_spec(cursor)? else {
            return Err(
                "CREATE SCHEMA AUTHORIZATION CURRENT_USER names the schema after the \
                        role running the script, which a replay without a server cannot know: \
                        name the schema"
                    .to_string(),
            );
        };
        return Ok((role.clone(), Some(Some(role))));
    }
    let name = cursor.identifier()?;
    let owner = match cursor.eat_keyword("AUTHORIZATION") {
        true => Some(role_spec(cursor)?),
        false => None,
    };
    Ok((name, owner))
}

/// A role after `OWNER TO` or `AUTHORIZATION`: `None` for the role running the script
/// (`CURRENT_USER`, `CURRENT_ROLE`, `SESSION_USER`).
fn role_spec(cursor: &mut Cursor<'_>) -> Outcome<Option<String>> {
    match ["CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"]
        .iter()
        .any(|keyword| cursor.eat_keyword(keyword))
    {
        true => Ok(None),
        false => Ok(Some(cursor.identifier()?)),
    }
}
