//! The interpreter's `GRANT`, `REVOKE` and `ALTER DEFAULT PRIVILEGES`, and how privileges
//! follow their objects: a new object starts from its default ACL, a renamed one keeps its
//! own, a dropped one's go with it (`Interpreter::schema` keeps only existing objects').
//! Owners follow their objects alike (`ALTER ... OWNER TO` is in `owners.rs`).
//!
//! Privileges on what the model does not hold (databases, languages, tablespaces, roles'
//! memberships, ...) are accepted without effect. Offline the name of the role running the
//! script is unknown: its default privileges (`ALTER DEFAULT PRIVILEGES` without `FOR ROLE`)
//! are keyed `CURRENT_USER`, as the catalog keys the session role's, and `CURRENT_USER` is
//! no grantee. What is created after `SET ROLE r` belongs to `r` and receives `r`'s default
//! privileges; what the running role creates receives its own.

use std::collections::{BTreeMap, BTreeSet};

use sqlparser::tokenizer::Token;

use super::{not_modelled, unsupported, Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::model::{
    Acl, DefaultObjects, FunctionName, Privilege, PrivilegeObject, QualifiedName, Schema, Table,
    CURRENT_USER,
};
use crate::syntax::names::column_sequence_name;

/// What a `GRANT` or `REVOKE` names before `ON`: one privilege or `ALL`, maybe on columns.
struct Named {
    /// `None` for `ALL [PRIVILEGES]`.
    privilege: Option<Privilege>,
    columns: Vec<String>,
}

/// One statement's effect: the privileges, on which objects, for whom.
struct Statement {
    privileges: Vec<Named>,
    objects: Vec<PrivilegeObject>,
    grantees: Vec<String>,
    /// `WITH GRANT OPTION` of a grant; `GRANT OPTION FOR` of a revoke.
    grant_option: bool,
}

impl Interpreter {
    /// `GRANT ...` after `GRANT`.
    pub(super) fn grant(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let Some(privileges) = privilege_list(cursor)? else {
            // Role membership (`GRANT role TO role`) is cluster-wide, not schema state.
            cursor.rest()?;
            return Ok(());
        };
        let Some(objects) = self.targets(cursor)? else {
            return Ok(());
        };
        cursor.expect_keywords(&["TO"])?;
        let grantees = grantees(cursor)?;
        let grant_option = cursor.eat_keywords(&["WITH", "GRANT", "OPTION"]);
        granted_by(cursor)?;
        cursor.expect_end()?;
        self.apply(
            Statement {
                privileges,
                objects,
                grantees,
                grant_option,
            },
            true,
        )
    }

    /// `REVOKE ...` after `REVOKE`.
    pub(super) fn revoke(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let grant_option = cursor.eat_keywords(&["GRANT", "OPTION", "FOR"]);
        let Some(privileges) = privilege_list(cursor)? else {
            cursor.rest()?;
            return Ok(());
        };
        let Some(objects) = self.targets(cursor)? else {
            return Ok(());
        };
        cursor.expect_keywords(&["FROM"])?;
        let grantees = grantees(cursor)?;
        granted_by(cursor)?;
        // Privileges granted on by the grantee are not modelled, so CASCADE changes nothing.
        let _ = cursor.eat_keyword("CASCADE") || cursor.eat_keyword("RESTRICT");
        cursor.expect_end()?;
        self.apply(
            Statement {
                privileges,
                objects,
                grantees,
                grant_option,
            },
            false,
        )
    }

    /// `ALTER DEFAULT PRIVILEGES ...` after `DEFAULT PRIVILEGES`.
    pub(super) fn alter_default_privileges(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let mut roles = Vec::new();
        let mut schemas = Vec::new();
        loop {
            if cursor.eat_keywords(&["FOR", "ROLE"]) || cursor.eat_keywords(&["FOR", "USER"]) {
                roles.extend(names(cursor)?);
            } else if cursor.eat_keywords(&["IN", "SCHEMA"]) {
                schemas.extend(names(cursor)?.into_iter().map(Some));
            } else {
                break;
            }
        }
        // Without FOR ROLE (or with CURRENT_USER), the role in effect's.
        let current = self
            .role
            .clone()
            .unwrap_or_else(|| CURRENT_USER.to_string());
        for role in &mut roles {
            if role == CURRENT_USER || role == "current_role" {
                role.clone_from(&current);
            }
        }
        if roles.is_empty() {
            roles.push(current);
        }
        for schema in schemas.iter().flatten() {
            self.require_schema(schema)?;
        }
        if schemas.is_empty() {
            schemas.push(None);
        }
        let grant = match (cursor.eat_keyword("GRANT"), cursor.eat_keyword("REVOKE")) {
            (true, _) => true,
            (false, true) => false,
            (false, false) => return Err(unsupported(cursor)),
        };
        let grant_option = !grant && cursor.eat_keywords(&["GRANT", "OPTION", "FOR"]);
        let privileges = privilege_list(cursor)?.ok_or_else(|| unsupported(cursor))?;
        cursor.expect_keywords(&["ON"])?;
        let objects = match () {
            _ if cursor.eat_keyword("TABLES") => DefaultObjects::Tables,
            _ if cursor.eat_keyword("SEQUENCES") => DefaultObjects::Sequences,
            _ if cursor.eat_keyword("FUNCTIONS") || cursor.eat_keyword("ROUTINES") => {
                DefaultObjects::Functions
            }
            _ if cursor.eat_keyword("TYPES") => DefaultObjects::Types,
            _ if cursor.eat_keyword("SCHEMAS") => DefaultObjects::Schemas,
            _ => return Err(unsupported(cursor)),
        };
        if objects == DefaultObjects::Schemas && schemas != [None] {
            return Err("cannot use IN SCHEMA clause when using GRANT/REVOKE ON SCHEMAS".into());
        }
        cursor.expect_keywords(&[if grant { "TO" } else { "FROM" }])?;
        let grantees = grantees(cursor)?;
        let with_option = grant && cursor.eat_keywords(&["WITH", "GRANT", "OPTION"]);
        if !grant {
            let _ = cursor.eat_keyword("CASCADE") || cursor.eat_keyword("RESTRICT");
        }
        cursor.expect_end()?;
        let objects = roles
            .iter()
            .flat_map(|role| {
                schemas.iter().map(move |schema| PrivilegeObject::Defaults {
                    role: role.clone(),
                    schema: schema.clone(),
                    objects,
                })
            })
            .collect();
        self.apply(
            Statement {
                privileges,
                objects,
                grantees,
                grant_option: grant_option || with_option,
            },
            grant,
        )
    }

    /// The objects after `ON`; `None` for objects the model does not hold.
    fn targets(&self, cursor: &mut Cursor<'_>) -> Outcome<Option<Vec<PrivilegeObject>>> {
        cursor.expect_keywords(&["ON"])?;
        let outside = [
            "DATABASE",
            "LANGUAGE",
            "TABLESPACE",
            "LARGE",
            "PARAMETER",
            "FOREIGN",
        ];
        if cursor.is_one_of(&outside) {
            cursor.rest()?;
            return Ok(None);
        }
        if cursor.eat_keyword("ALL") {
            return self.all_in_schemas(cursor).map(Some);
        }
        let mut objects = Vec::new();
        if cursor.eat_keyword("SCHEMA") {
            for name in names(cursor)? {
                self.require_schema(&name)?;
                objects.push(PrivilegeObject::Schema(name));
            }
        } else if cursor.eat_keyword("SEQUENCE") {
            for name in self.existing_names(cursor)? {
                if !self.has_sequence(&name) {
                    return Err(format!("sequence {name} does not exist"));
                }
                objects.push(PrivilegeObject::Sequence(name));
            }
        } else if cursor.eat_keyword("TYPE") || cursor.eat_keyword("DOMAIN") {
            for name in self.existing_names(cursor)? {
                if !self.is_user_type(&name) {
                    return Err(format!("type {name} does not exist"));
                }
                if !self.schema.ranges.contains_key(&name) && self.is_multirange(&name) {
                    return Err(not_modelled("privileges on a multirange type"));
                }
                objects.push(PrivilegeObject::Type(name));
            }
        } else if let Some(kind) = ["FUNCTION", "PROCEDURE", "ROUTINE"]
            .into_iter()
            .find(|kind| cursor.eat_keyword(kind))
        {
            loop {
                let key = self.granted_routine(cursor, kind)?;
                objects.push(PrivilegeObject::Function(key));
                if !cursor.eat(&Token::Comma) {
                    break;
                }
            }
        } else {
            cursor.eat_keyword("TABLE");
            for name in self.existing_names(cursor)? {
                if self.schema.tables.contains_key(&name) || self.schema.views.contains_key(&name) {
                    objects.push(PrivilegeObject::Table(name));
                } else if self.has_sequence(&name) {
                    objects.push(PrivilegeObject::Sequence(name));
                } else {
                    return Err(format!("relation {name} does not exist"));
                }
            }
        }
        Ok(Some(objects))
    }

    /// `name[(arguments)]` after `ON FUNCTION`, `ON PROCEDURE` or `ON ROUTINE` (`kind`), as
    /// PostgreSQL looks it up: a function names an aggregate too, a procedure only a
    /// procedure, a routine any; without arguments the name must be unique among them.
    fn granted_routine(&self, cursor: &mut Cursor<'_>, kind: &str) -> Outcome<FunctionName> {
        let fits = |procedure: bool| match kind {
            "FUNCTION" => !procedure,
            "PROCEDURE" => procedure,
            _ => true,
        };
        let mut attempt = cursor.clone();
        let name = self.routine_name(&mut attempt)?;
        if attempt.peek() != Some(&Token::LParen) {
            *cursor = attempt;
            let same_name =
                |key: &&FunctionName| key.schema == name.schema && key.name == name.name;
            let functions = self.schema.functions.iter();
            let mut matching = functions
                .filter(|(_, function)| fits(function.procedure))
                .map(|(key, _)| key)
                .chain(self.schema.aggregates.keys().filter(|_| fits(false)))
                .filter(same_name);
            return match (matching.next(), matching.next()) {
                (Some(key), None) => Ok(key.clone()),
                (None, _) => Err(format!(
                    "could not find a {} named {name}",
                    kind.to_lowercase()
                )),
                (Some(_), Some(_)) => Err(format!(
                    "function name {name} is not unique; name its argument types"
                )),
            };
        }
        let mut attempt = cursor.clone();
        let (key, procedure) = match self.aggregate_reference(&mut attempt) {
            Ok(Some(key)) => {
                *cursor = attempt;
                (key, false)
            }
            _ => {
                let key = self
                    .routine_reference(cursor)?
                    .ok_or("the function does not exist")?;
                let procedure = self
                    .schema
                    .functions
                    .get(&key)
                    .is_some_and(|function| function.procedure);
                (key, procedure)
            }
        };
        match fits(procedure) {
            true => Ok(key),
            false => Err(format!("{key} is not a {}", kind.to_lowercase())),
        }
    }

    /// `ALL TABLES | SEQUENCES | FUNCTIONS | PROCEDURES | ROUTINES IN SCHEMA s, ...` after `ALL`.
    fn all_in_schemas(&self, cursor: &mut Cursor<'_>) -> Outcome<Vec<PrivilegeObject>> {
        let kind = ["TABLES", "SEQUENCES", "FUNCTIONS", "PROCEDURES", "ROUTINES"]
            .into_iter()
            .find(|kind| cursor.eat_keyword(kind))
            .ok_or_else(|| unsupported(cursor))?;
        cursor.expect_keywords(&["IN", "SCHEMA"])?;
        let schemas = names(cursor)?;
        for schema in &schemas {
            self.require_schema(schema)?;
        }
        let in_schemas = |name: &QualifiedName| schemas.contains(&name.schema);
        Ok(match kind {
            // Views and materialized views count as tables here, as in PostgreSQL.
            "TABLES" => self
                .schema
                .tables
                .keys()
                .chain(self.schema.views.keys())
                .filter(|name| in_schemas(name))
                .map(|name| PrivilegeObject::Table(name.clone()))
                .collect(),
            "SEQUENCES" => self
                .sequences
                .keys()
                .cloned()
                .chain(self.identity_sequences())
                .filter(|name| in_schemas(name))
                .map(PrivilegeObject::Sequence)
                .collect(),
            // FUNCTIONS and ROUTINES include aggregates, PROCEDURES does not.
            _ => self
                .schema
                .functions
                .iter()
                .map(|(name, function)| (name, function.procedure))
                .chain(self.schema.aggregates.keys().map(|name| (name, false)))
                .filter(|(name, procedure)| {
                    schemas.contains(&name.schema)
                        && match kind {
                            "FUNCTIONS" => !procedure,
                            "PROCEDURES" => *procedure,
                            _ => true,
                        }
                })
                .map(|(name, _)| PrivilegeObject::Function(name.clone()))
                .collect(),
        })
    }

    fn apply(&mut self, statement: Statement, grant: bool) -> Outcome {
        for object in &statement.objects {
            let mut on_columns: Vec<(String, Vec<Privilege>)> = Vec::new();
            let mut on_object = Vec::new();
            for named in &statement.privileges {
                // What `ALL` means and what is valid: a column's privileges, or the object's.
                let kind = match (named.columns.first(), object) {
                    (None, _) => object.clone(),
                    (Some(column), PrivilegeObject::Table(table)) => {
                        PrivilegeObject::Column(table.clone(), column.clone())
                    }
                    _ => return Err("column privileges are only valid for relations".into()),
                };
                let privileges = match named.privilege {
                    None => kind.privileges().to_vec(),
                    Some(privilege) if kind.privileges().contains(&privilege) => {
                        vec![privilege]
                    }
                    Some(privilege) => {
                        return Err(format!(
                            "invalid privilege type {} for {object}",
                            privilege.keyword()
                        ))
                    }
                };
                for column in &named.columns {
                    on_columns.push((column.clone(), privileges.clone()));
                }
                if named.columns.is_empty() {
                    on_object.extend(privileges);
                }
            }
            if let PrivilegeObject::Table(table) = object {
                for (column, _) in &on_columns {
                    let exists = match self.schema.tables.get(table) {
                        Some(table) => table.column(column).is_some(),
                        None => true,
                    };
                    if !exists {
                        return Err(format!(
                            "column {column} of relation {table} does not exist"
                        ));
                    }
                }
                if !grant && !on_object.is_empty() {
                    self.revoke_on_columns(table, &statement, &on_object);
                }
            }
            self.change_acl(object.clone(), &on_object, &statement, grant);
            for (column, privileges) in on_columns {
                let PrivilegeObject::Table(table) = object else {
                    continue;
                };
                let target = PrivilegeObject::Column(table.clone(), column);
                self.change_acl(target, &privileges, &statement, grant);
            }
        }
        Ok(())
    }

    /// A table-level `REVOKE` revokes the same privileges on every column too.
    fn revoke_on_columns(
        &mut self,
        table: &QualifiedName,
        statement: &Statement,
        privileges: &[Privilege],
    ) {
        let columns: Vec<PrivilegeObject> = self
            .schema
            .privileges
            .range(PrivilegeObject::Column(table.clone(), String::new())..)
            .map(|(object, _)| object.clone())
            .take_while(|object| object.relation() == Some(table))
            .collect();
        for column in columns {
            self.change_acl(column, privileges, statement, false);
        }
    }

    fn change_acl(
        &mut self,
        object: PrivilegeObject,
        privileges: &[Privilege],
        statement: &Statement,
        grant: bool,
    ) {
        if privileges.is_empty() {
            return;
        }
        self.journal_privilege_object(&object);
        let mut acl = self.schema.acl(&object);
        for grantee in &statement.grantees {
            self.schema
                .rest_mut()
                .directives
                .declared_privileges
                .insert((object.clone(), grantee.clone()));
            let held = acl.entry(grantee.clone()).or_default();
            for privilege in privileges {
                match (grant, statement.grant_option) {
                    (true, option) => *held.entry(*privilege).or_default() |= option,
                    (false, true) => {
                        if let Some(option) = held.get_mut(privilege) {
                            *option = false;
                        }
                    }
                    (false, false) => {
                        held.remove(privilege);
                    }
                }
            }
        }
        self.schema.rest_mut().set_acl(object, acl);
    }

    /// `lint` compares only the tables and sequences a statement changed: a grant on one (or
    /// a new owner) changes it (an identity column's sequence lives on its table).
    pub(super) fn journal_privilege_object(&mut self, object: &PrivilegeObject) {
        if !self.journaling() {
            return;
        }
        match object {
            PrivilegeObject::Table(table) | PrivilegeObject::Column(table, _) => {
                self.journal_table(table)
            }
            PrivilegeObject::Sequence(sequence) => {
                self.journal_sequence(sequence);
                let owner = self.schema.tables.values().find(|table| {
                    table.columns.iter().any(|column| {
                        column.identity.is_some()
                            && column_sequence_name(&table.name, &column.name) == *sequence
                    })
                });
                if let Some(owner) = owner.map(|table| table.name.clone()) {
                    self.journal_table(&owner);
                }
            }
            _ => {}
        }
    }

    /// A new object belongs to the role in effect (`SET ROLE`), with that role's default
    /// privileges: privileges and owner of a dropped one of the same name do not carry over
    /// (a table's columns' privileges neither).
    pub(super) fn forget_privileges_and_owner(&mut self, object: PrivilegeObject) {
        if self.schema.owners.contains_key(&object) {
            self.schema.rest_mut().owners.remove(&object);
        }
        let stale = |other: &PrivilegeObject| match (&object, other) {
            (PrivilegeObject::Table(table), PrivilegeObject::Column(name, _)) => name == table,
            _ => *other == object,
        };
        // Most objects are new: the rest is noted only when something goes.
        if self.schema.privileges.keys().any(stale) {
            self.schema
                .rest_mut()
                .privileges
                .retain(|other, _| !stale(other));
        }
        // The object may not be in the model yet; an owner of what has none of its own (a
        // column, a serial's sequence) goes at the end (`keep_existing_owners`).
        match self.role.clone() {
            Some(role) => {
                let acl = self.default_privileges(&role, &object);
                let schema = self.schema.rest_mut();
                if let Some(acl) = acl {
                    schema.set_acl(object.clone(), acl);
                }
                if !matches!(object, PrivilegeObject::Column(..)) {
                    schema.directives.declared_owners.insert(object.clone());
                    schema.set_owner(object, Some(role));
                }
            }
            // The running role's defaults; most scripts have none, so the rest is noted
            // only when they change something.
            None => match self.default_privileges(CURRENT_USER, &object) {
                Some(acl) if acl != object.default_acl() => {
                    self.schema.rest_mut().set_acl(object, acl);
                }
                _ => {}
            },
        }
    }

    /// The ACL PostgreSQL gives `object` when `role` creates it (`pg_default_acl`): the
    /// role's defaults for the kind, or the kind's own default, plus those for its schema.
    /// `None` for what defaults do not apply to (columns).
    fn default_privileges(&self, role: &str, object: &PrivilegeObject) -> Option<Acl> {
        let (objects, schema) = match object {
            PrivilegeObject::Schema(_) => (DefaultObjects::Schemas, None),
            PrivilegeObject::Table(name) => (DefaultObjects::Tables, Some(&name.schema)),
            PrivilegeObject::Sequence(name) => (DefaultObjects::Sequences, Some(&name.schema)),
            PrivilegeObject::Function(name) => (DefaultObjects::Functions, Some(&name.schema)),
            PrivilegeObject::Type(name) => (DefaultObjects::Types, Some(&name.schema)),
            PrivilegeObject::Column(..)
            | PrivilegeObject::Collation(_)
            | PrivilegeObject::Defaults { .. } => return None,
        };
        let defaults = |schema: Option<&String>| PrivilegeObject::Defaults {
            role: role.to_string(),
            schema: schema.cloned(),
            objects,
        };
        let mut acl = self.schema.acl(&defaults(None));
        if schema.is_some() {
            for (grantee, grants) in self.schema.acl(&defaults(schema)) {
                let held = acl.entry(grantee).or_default();
                for (privilege, grantable) in grants {
                    *held.entry(privilege).or_default() |= grantable;
                }
            }
        }
        // The owner's own entries are left out of the model.
        acl.remove(role);
        Some(acl)
    }

    /// A renamed object keeps its privileges (a table its columns') and its owner.
    pub(super) fn move_privileges_and_owner(&mut self, from: PrivilegeObject, to: PrivilegeObject) {
        if self.schema.owners.contains_key(&from) {
            let schema = self.schema.rest_mut();
            if let Some(owner) = schema.owners.remove(&from) {
                schema.owners.insert(to.clone(), owner);
            }
        }
        if let (PrivilegeObject::Table(old), PrivilegeObject::Table(new)) = (&from, &to) {
            let columns: Vec<PrivilegeObject> = self
                .schema
                .privileges
                .keys()
                .filter(|object| object.relation() == Some(old) && *object != &from)
                .cloned()
                .collect();
            for column in columns {
                if let Some(acl) = self.schema.rest_mut().privileges.remove(&column) {
                    if let PrivilegeObject::Column(_, name) = column {
                        let moved = PrivilegeObject::Column(new.clone(), name);
                        self.schema.rest_mut().privileges.insert(moved, acl);
                    }
                }
            }
        }
        if let Some(acl) = self.schema.rest_mut().privileges.remove(&from) {
            self.schema.rest_mut().privileges.insert(to, acl);
        }
    }

    /// Whether the sequence exists: standalone, `serial`, or an identity column's.
    fn has_sequence(&self, name: &QualifiedName) -> bool {
        self.sequences.contains_key(name) || self.identity_sequences().any(|other| other == *name)
    }

    fn identity_sequences(&self) -> impl Iterator<Item = QualifiedName> + '_ {
        identity_sequences(&self.schema.tables)
    }

    /// Keeps the privileges of the objects `schema` (this replay's result) has; `identity`
    /// holds its identity columns' sequences.
    pub(super) fn existing_privileges(
        &self,
        schema: &mut Schema,
        identity: &BTreeSet<QualifiedName>,
    ) {
        let privileges = std::mem::take(&mut schema.privileges);
        schema.privileges = privileges
            .into_iter()
            .filter(|(object, _)| {
                schema.has_object(object, |name| {
                    self.sequences.contains_key(name) || identity.contains(name)
                })
            })
            .collect();
    }
}

/// The sequences of the identity columns of `tables`.
pub(super) fn identity_sequences(
    tables: &BTreeMap<QualifiedName, Table>,
) -> impl Iterator<Item = QualifiedName> + '_ {
    tables.values().flat_map(|table| {
        table
            .columns
            .iter()
            .filter(|column| column.identity.is_some())
            .map(|column| column_sequence_name(&table.name, &column.name))
    })
}

/// The privileges before `ON`; `None` when the first word is no privilege (a role grant) or
/// one of an object the model does not hold.
fn privilege_list(cursor: &mut Cursor<'_>) -> Outcome<Option<Vec<Named>>> {
    let mut list = Vec::new();
    loop {
        let privilege = if cursor.eat_keyword("ALL") {
            cursor.eat_keyword("PRIVILEGES");
            None
        } else {
            let Some(Token::Word(word)) = cursor.peek() else {
                return Err(unsupported(cursor));
            };
            let word = word.value.to_ascii_uppercase();
            match Privilege::from_keyword(&word) {
                Some(privilege) => {
                    cursor.eat_keyword(&word);
                    Some(privilege)
                }
                None if list.is_empty() || is_outside_privilege(&word) => return Ok(None),
                None => return Err(unsupported(cursor)),
            }
        };
        let columns = match cursor.peek() {
            Some(Token::LParen) => cursor.identifier_list()?,
            _ => Vec::new(),
        };
        list.push(Named { privilege, columns });
        if !cursor.eat(&Token::Comma) {
            return Ok(Some(list));
        }
    }
}

/// Privileges of databases and parameters, which the model does not hold.
fn is_outside_privilege(word: &str) -> bool {
    matches!(
        word,
        "CONNECT" | "TEMPORARY" | "TEMP" | "SET" | "ALTER" | "MAINTAIN"
    )
}

/// `SET [SESSION] ROLE r`, `SET SESSION AUTHORIZATION r`, `SET ROLE NONE` (or `DEFAULT`),
/// `RESET ROLE` or `RESET SESSION AUTHORIZATION`: `Some` with the role then in effect
/// (`None`: the role running the script), `None` for any other statement (the cursor left
/// as it was).
pub(super) fn set_role(cursor: &mut Cursor<'_>) -> Outcome<Option<Option<String>>> {
    if cursor.is_keywords(&["RESET", "ROLE"])
        || cursor.is_keywords(&["RESET", "SESSION", "AUTHORIZATION"])
    {
        cursor.rest()?;
        return Ok(Some(None));
    }
    if cursor.is_keywords(&["SET", "LOCAL", "ROLE"]) {
        return Err(not_modelled(
            "SET LOCAL ROLE (a role until the transaction ends)",
        ));
    }
    if !(cursor.eat_keywords(&["SET", "ROLE"])
        || cursor.eat_keywords(&["SET", "SESSION", "ROLE"])
        || cursor.eat_keywords(&["SET", "SESSION", "AUTHORIZATION"]))
    {
        return Ok(None);
    }
    // `SET role = r` and `SET role TO DEFAULT` set the same thing as a setting.
    let _ = cursor.eat(&Token::Eq) || cursor.eat_keyword("TO");
    let role = match cursor.eat_keyword("NONE") || cursor.eat_keyword("DEFAULT") {
        true => None,
        false => Some(match cursor.peek() {
            Some(Token::SingleQuotedString(_)) => {
                let role = cursor.string()?;
                crate::guard::name(&role)?;
                role
            }
            _ => cursor.identifier()?,
        }),
    };
    cursor.expect_end()?;
    Ok(Some(role))
}

/// `PUBLIC`, `GROUP r` or `r`, comma-separated; `PUBLIC` folds to `public`, which stands for
/// it (no role has that name).
fn grantees(cursor: &mut Cursor<'_>) -> Outcome<Vec<String>> {
    let mut grantees = Vec::new();
    loop {
        cursor.eat_keyword("GROUP");
        if cursor.is_one_of(&["CURRENT_USER", "CURRENT_ROLE", "SESSION_USER"]) {
            return Err(not_modelled(
                "grants to the current role, which a replay without a server cannot know",
            ));
        }
        grantees.push(cursor.identifier()?);
        if !cursor.eat(&Token::Comma) {
            return Ok(grantees);
        }
    }
}

/// `GRANTED BY role`: privileges granted by a role other than the owner are not modelled.
fn granted_by(cursor: &mut Cursor<'_>) -> Outcome {
    if cursor.is_keywords(&["GRANTED", "BY"]) {
        return Err(not_modelled(
            "privileges granted by another role (GRANTED BY)",
        ));
    }
    Ok(())
}

/// `a, b, c` as identifiers.
fn names(cursor: &mut Cursor<'_>) -> Outcome<Vec<String>> {
    let mut names = vec![cursor.identifier()?];
    while cursor.eat(&Token::Comma) {
        names.push(cursor.identifier()?);
    }
    Ok(names)
}
