//! The interpreter's `CREATE TYPE ... AS RANGE` (the range type as `pg_range` would read it
//! back, options PostgreSQL would choose itself left out) and `ALTER TYPE ... RENAME TO` of
//! a range or multirange type. `DROP TYPE` and `COMMENT ON TYPE` reach range types through
//! `drop` and `comment_on_type`.

use sqlparser::tokenizer::Token;

use super::{not_modelled, Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::model::{
    default_multirange, support_function, ObjectRef, PrivilegeObject, QualifiedName, RangeType,
};

impl Interpreter {
    /// `CREATE TYPE name AS RANGE (SUBTYPE = ..., ...)`, after `RANGE`.
    pub(super) fn create_range(&mut self, name: QualifiedName, cursor: &mut Cursor<'_>) -> Outcome {
        let mut range = RangeType {
            name: name.clone(),
            subtype: String::new(),
            subtype_opclass: None,
            collation: None,
            canonical: None,
            subtype_diff: None,
            multirange: None,
            comment: None,
        };
        for mut option in cursor.parenthesized_elements()? {
            let key = option.identifier()?;
            option.expect(&Token::Eq)?;
            match key.as_str() {
                "subtype" => range.subtype = self.signature_type(&option.rest()?)?,
                "subtype_opclass" => range.subtype_opclass = Some(dotted(&mut option)?),
                "collation" => range.collation = Some(dotted(&mut option)?),
                "canonical" => range.canonical = Some(self.range_function(&mut option)?),
                "subtype_diff" => range.subtype_diff = Some(self.range_function(&mut option)?),
                "multirange_type_name" => {
                    let multirange = match option.dotted_name()?.as_slice() {
                        [schema, multirange] => QualifiedName::new(schema, multirange),
                        [multirange] => QualifiedName::new(&name.schema, multirange),
                        _ => return Err("MULTIRANGE_TYPE_NAME is [schema.]name".to_string()),
                    };
                    range.multirange = Some(multirange)
                        .filter(|multirange| *multirange != default_multirange(&name));
                }
                _ => return Err(format!("type attribute {key:?} not recognized")),
            }
            option.expect_end()?;
        }
        cursor.expect_end()?;
        if range.subtype.is_empty() {
            return Err("type attribute \"subtype\" is required".to_string());
        }
        self.require_schema(&name.schema)?;
        let multirange = range.multirange_name();
        for taken in [&name, &multirange] {
            if self.is_user_type(taken) || self.schema.tables.contains_key(taken) {
                return Err(format!("type {taken} already exists"));
            }
        }
        self.declared(ObjectRef::Range(name.clone()));
        self.forget_privileges_and_owner(PrivilegeObject::Type(name.clone()));
        self.schema.rest_mut().ranges.insert(name, range);
        Ok(())
    }

    /// `CANONICAL` and `SUBTYPE_DIFF` name a function as `CREATE AGGREGATE` does.
    fn range_function(&self, option: &mut Cursor<'_>) -> Outcome<QualifiedName> {
        let parts = option.dotted_name()?;
        support_function(&parts, &self.schema.functions)
            .ok_or_else(|| format!("{} is not a function name", parts.join(".")))
    }

    /// `ALTER TYPE r RENAME TO s` of a range type or of its multirange type (`OWNER TO` is
    /// the caller's). PostgreSQL renames only the type named (and its array type): a renamed
    /// range keeps its multirange type's name and its constructor functions' names, and the
    /// columns, attributes, domains and casts using the type follow it (stored by oid).
    pub(super) fn alter_range(&mut self, name: &QualifiedName, cursor: &mut Cursor<'_>) -> Outcome {
        if !cursor.eat_keywords(&["RENAME", "TO"]) {
            return Err(not_modelled(
                "ALTER TYPE of a range type other than OWNER TO and RENAME TO",
            ));
        }
        let new = QualifiedName::new(&name.schema, cursor.identifier()?);
        cursor.expect_end()?;
        if self.is_user_type(&new) || self.schema.tables.contains_key(&new) {
            return Err(format!("type {new} already exists"));
        }
        if let Some(mut range) = self.schema.rest_mut().ranges.remove(name) {
            let multirange = range.multirange_name();
            range.name = new.clone();
            range.multirange = Some(multirange).filter(|kept| *kept != default_multirange(&new));
            self.schema.rest_mut().ranges.insert(new.clone(), range);
            self.note(|journal| {
                let renames = &mut journal.renames.range_renames;
                renames.insert(new.clone(), name.name.clone());
            });
            self.move_privileges_and_owner(
                PrivilegeObject::Type(name.clone()),
                PrivilegeObject::Type(new.clone()),
            );
        } else {
            let range = self
                .schema
                .rest_mut()
                .ranges
                .values_mut()
                .find(|range| range.multirange_name() == *name)
                .ok_or_else(|| format!("type {name} does not exist"))?;
            range.multirange =
                Some(new.clone()).filter(|new| *new != default_multirange(&range.name));
            // `lint` reads a rename of the range to its own name as its multirange's rename.
            let range_name = range.name.clone();
            self.note(|journal| {
                let renames = &mut journal.renames.range_renames;
                renames.insert(range_name.clone(), range_name.name.clone());
            });
        }
        self.follow_type_rename(name, &new);
        Ok(())
    }
}

/// An operator class or collation: `name` or `schema.name`, kept as the catalog reads it.
fn dotted(option: &mut Cursor<'_>) -> Outcome<String> {
    match option.dotted_name()?.as_slice() {
        [name] => Ok(name.clone()),
        [schema, name] => Ok(format!("{schema}.{name}")),
        _ => Err("expected [schema.]name".to_string()),
    }
}
