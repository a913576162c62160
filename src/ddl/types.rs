//! The interpreter's statements for domains and composite types: CREATE/ALTER/DROP DOMAIN,
//! CREATE TYPE ... AS (...), ALTER TYPE ... ADD/DROP/ALTER/RENAME ATTRIBUTE.

use super::*;
use crate::model::{Attribute, CompositeType, Domain};

/// Words that end an attribute's type.
const ATTRIBUTE_END_WORDS: &[&str] = &["COLLATE", "CASCADE", "RESTRICT"];

impl Interpreter {
    /// Whether `name` is a type the model holds (enum, domain or composite type).
    pub(super) fn is_user_type(&self, name: &QualifiedName) -> bool {
        self.schema.enums.contains_key(name)
            || self.schema.domains.contains_key(name)
            || self.schema.composite_types.contains_key(name)
            || self.schema.ranges.contains_key(name)
            || self.is_multirange(name)
    }

    /// Whether `name` is the multirange type of a range type.
    pub(super) fn is_multirange(&self, name: &QualifiedName) -> bool {
        self.schema
            .ranges
            .values()
            .any(|range| range.multirange_name() == *name)
    }

    /// `CREATE DOMAIN name [AS] type [COLLATE c] [DEFAULT e] [[CONSTRAINT n] NOT NULL |
    /// NULL | CHECK (e)]...`
    pub(super) fn create_domain(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = cursor.qualified_name()?;
        cursor.eat_keyword("AS");
        let type_text = cursor.text_until(|cursor| cursor.is_one_of(COLUMN_OPTION_WORDS))?;
        let base_type = self.type_text(&type_text)?;
        self.require_schema(&name.schema)?;
        if self.is_user_type(&name) || self.schema.tables.contains_key(&name) {
            return Err(format!("type {name} already exists"));
        }
        let mut domain = Domain {
            name: name.clone(),
            base_type,
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment: None,
        };
        while !cursor.at_end() {
            if cursor.eat_keyword("COLLATE") {
                domain.collation = Some(cursor.dotted_name()?.join("."));
            } else if cursor.eat_keyword("DEFAULT") {
                domain.default = Some(default_expression(cursor)?);
            } else {
                self.domain_constraint(&mut domain, cursor, false)?;
            }
        }
        // A domain over a domain starts from its default, as PostgreSQL copies it.
        if domain.default.is_none() {
            if let Some((base, arrays)) = type_reference(&domain.base_type) {
                domain.default = self
                    .schema
                    .domains
                    .get(&base)
                    .filter(|_| arrays.is_empty())
                    .and_then(|base| base.default.clone());
            }
        }
        self.declared(ObjectRef::Domain(name.clone()));
        self.forget_privileges_and_owner(PrivilegeObject::Type(name.clone()));
        self.schema.rest_mut().domains.insert(name, domain);
        Ok(())
    }

    /// One `[CONSTRAINT n] NOT NULL | NULL | CHECK (e)` of a domain.
    fn domain_constraint(
        &self,
        domain: &mut Domain,
        cursor: &mut Cursor<'_>,
        altering: bool,
    ) -> Outcome {
        let constraint_name = match cursor.eat_keyword("CONSTRAINT") {
            true => Some(cursor.identifier()?),
            false => None,
        };
        if cursor.eat_keywords(&["NOT", "NULL"]) {
            domain.not_null = true;
        } else if cursor.eat_keyword("NULL") {
            domain.not_null = false;
        } else if cursor.eat_keyword("CHECK") {
            let expression = expression(cursor.parenthesized_text()?)?;
            // `CREATE DOMAIN` refuses NOT VALID (a syntax error); `ALTER DOMAIN ADD` takes it.
            let valid = !(altering && cursor.eat_keywords(&["NOT", "VALID"]));
            let check_name = match constraint_name {
                Some(check_name) => check_name,
                None => self.domain_check_name(domain),
            };
            if domain.checks.contains_key(&check_name) {
                return Err(format!(
                    "constraint {check_name} for domain {} already exists",
                    domain.name
                ));
            }
            let check = CheckConstraint {
                name: check_name.clone(),
                expression,
                valid,
                comment: None,
                no_inherit: false,
            };
            domain.checks.insert(check_name, check);
        } else {
            return Err(format!(
                "unexpected {} in domain {}",
                cursor.found(),
                domain.name
            ));
        }
        Ok(())
    }

    /// PostgreSQL's `<domain>_check`, with 1, 2, ... appended until no constraint of the
    /// schema has the name.
    fn domain_check_name(&self, domain: &Domain) -> String {
        let schema = &domain.name.schema;
        let taken = |candidate: &str| {
            domain.checks.contains_key(candidate)
                || self.constraint_name_taken(schema, candidate)
                || self.schema.domains.iter().any(|(name, other)| {
                    &name.schema == schema && other.checks.contains_key(candidate)
                })
        };
        choose_name(
            taken,
            |label| names::make_object_name(&domain.name.name, None, label),
            "check",
        )
    }

    pub(super) fn alter_domain(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = self.type_reference_name(cursor)?;
        if cursor.is_keywords(&["OWNER", "TO"]) {
            self.owner_to(cursor, PrivilegeObject::Type(name))?;
            return cursor.expect_end();
        }
        if cursor.eat_keywords(&["RENAME", "TO"]) {
            let new = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
            cursor.expect_end()?;
            return self.rename_domain(&name, new);
        }
        let mut domain = self
            .schema
            .domains
            .get(&name)
            .cloned()
            .ok_or_else(|| format!("domain {name} does not exist"))?;
        if cursor.eat_keywords(&["SET", "DEFAULT"]) {
            domain.default = Some(default_expression(cursor)?);
        } else if cursor.eat_keywords(&["DROP", "DEFAULT"]) {
            domain.default = None;
        } else if cursor.eat_keywords(&["SET", "NOT", "NULL"]) {
            domain.not_null = true;
        } else if cursor.eat_keywords(&["DROP", "NOT", "NULL"]) {
            domain.not_null = false;
        } else if cursor.eat_keyword("ADD") {
            self.domain_constraint(&mut domain, cursor, true)?;
        } else if cursor.eat_keywords(&["DROP", "CONSTRAINT"]) {
            let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
            let check_name = cursor.identifier()?;
            drop_behaviour(cursor);
            if domain.checks.remove(&check_name).is_none() && !if_exists {
                return Err(format!(
                    "constraint {check_name} of domain {name} does not exist"
                ));
            }
        } else if cursor.eat_keywords(&["RENAME", "CONSTRAINT"]) {
            let old = cursor.identifier()?;
            cursor.expect_keywords(&["TO"])?;
            let new = cursor.identifier()?;
            let mut check = domain
                .checks
                .remove(&old)
                .ok_or_else(|| format!("constraint {old} of domain {name} does not exist"))?;
            if domain.checks.contains_key(&new) {
                return Err(format!("constraint {new} for domain {name} already exists"));
            }
            check.name = new.clone();
            domain.checks.insert(new, check);
        } else if cursor.eat_keywords(&["VALIDATE", "CONSTRAINT"]) {
            let check_name = cursor.identifier()?;
            domain
                .checks
                .get_mut(&check_name)
                .ok_or_else(|| format!("constraint {check_name} of domain {name} does not exist"))?
                .valid = true;
        } else {
            return Err(unsupported(cursor));
        }
        cursor.expect_end()?;
        self.schema.rest_mut().domains.insert(name, domain);
        Ok(())
    }

    /// Columns, attributes and domains built on the domain follow it to its new name.
    fn rename_domain(&mut self, name: &QualifiedName, new: QualifiedName) -> Outcome {
        if self.is_user_type(&new) || self.schema.tables.contains_key(&new) {
            return Err(format!("type {new} already exists"));
        }
        let mut domain = self
            .schema
            .rest_mut()
            .domains
            .remove(name)
            .ok_or_else(|| format!("domain {name} does not exist"))?;
        domain.name = new.clone();
        self.schema.rest_mut().domains.insert(new.clone(), domain);
        self.note(|journal| {
            let renames = &mut journal.renames.domain_renames;
            renames.insert(new.clone(), name.name.clone());
        });
        self.move_privileges_and_owner(
            PrivilegeObject::Type(name.clone()),
            PrivilegeObject::Type(new.clone()),
        );
        self.follow_type_rename(name, &new);
        Ok(())
    }

    /// What is built on type `name` reads back under `new` (`renames::follow_type_rename`).
    pub(super) fn follow_type_rename(&mut self, name: &QualifiedName, new: &QualifiedName) {
        self.all_tables_mut();
        crate::renames::follow_type_rename(self.schema.rest_mut(), name, new);
    }

    /// `CREATE TYPE name AS (attribute type [COLLATE c], ...)`, after `AS`.
    pub(super) fn create_composite(
        &mut self,
        name: QualifiedName,
        cursor: &mut Cursor<'_>,
    ) -> Outcome {
        let elements = cursor.parenthesized_elements_or_empty()?;
        cursor.expect_end()?;
        self.require_schema(&name.schema)?;
        if self.is_user_type(&name) || self.relation_exists(&name) {
            return Err(format!("type {name} already exists"));
        }
        let mut composite = CompositeType {
            name: name.clone(),
            attributes: Vec::new(),
            comment: None,
        };
        for mut element in elements {
            let attribute = self.attribute(&mut element)?;
            if composite.attribute(&attribute.name).is_some() {
                return Err(format!(
                    "attribute {} is specified more than once",
                    attribute.name
                ));
            }
            if composite.attributes.len() == MAX_COLUMNS {
                return Err(format!("types can have at most {MAX_COLUMNS} attributes"));
            }
            composite.attributes.push(attribute);
        }
        self.declared(ObjectRef::CompositeType(name.clone()));
        self.forget_privileges_and_owner(PrivilegeObject::Type(name.clone()));
        self.schema
            .rest_mut()
            .composite_types
            .insert(name, composite);
        Ok(())
    }

    /// `name type [COLLATE c]`
    fn attribute(&self, cursor: &mut Cursor<'_>) -> Outcome<Attribute> {
        let name = cursor.identifier()?;
        let type_text = cursor.text_until(|cursor| cursor.is_one_of(ATTRIBUTE_END_WORDS))?;
        let data_type = self.type_text(&type_text)?;
        let collation = match cursor.eat_keyword("COLLATE") {
            true => Some(cursor.dotted_name()?.join(".")),
            false => None,
        };
        Ok(Attribute {
            name,
            data_type,
            collation,
            comment: None,
        })
    }

    /// `ALTER TYPE name ADD/DROP/ALTER/RENAME ATTRIBUTE ...` (comma-separated actions),
    /// after the name.
    pub(super) fn alter_composite(
        &mut self,
        name: &QualifiedName,
        cursor: &mut Cursor<'_>,
    ) -> Outcome {
        let mut composite = self
            .schema
            .composite_types
            .get(name)
            .cloned()
            .ok_or_else(|| format!("type {name} does not exist"))?;
        if cursor.eat_keywords(&["RENAME", "ATTRIBUTE"]) {
            let old = cursor.identifier()?;
            cursor.expect_keywords(&["TO"])?;
            let new = cursor.identifier()?;
            drop_behaviour(cursor);
            cursor.expect_end()?;
            if composite.attribute(&new).is_some() {
                return Err(format!("attribute {new} of type {name} already exists"));
            }
            let attribute = composite
                .attributes
                .iter_mut()
                .find(|attribute| attribute.name == old)
                .ok_or_else(|| format!("attribute {old} of type {name} does not exist"))?;
            attribute.name = new;
            self.schema
                .rest_mut()
                .composite_types
                .insert(name.clone(), composite);
            return Ok(());
        }
        loop {
            let mut action = cursor.until_comma()?;
            self.composite_action(&mut composite, &mut action)?;
            if !cursor.eat(&Token::Comma) {
                break;
            }
        }
        cursor.expect_end()?;
        self.schema
            .rest_mut()
            .composite_types
            .insert(name.clone(), composite);
        Ok(())
    }

    fn composite_action(&self, composite: &mut CompositeType, cursor: &mut Cursor<'_>) -> Outcome {
        let name = composite.name.clone();
        if cursor.eat_keywords(&["ADD", "ATTRIBUTE"]) {
            let attribute = self.attribute(cursor)?;
            drop_behaviour(cursor);
            cursor.expect_end()?;
            if composite.attribute(&attribute.name).is_some() {
                return Err(format!(
                    "attribute {} of type {name} already exists",
                    attribute.name
                ));
            }
            composite.attributes.push(attribute);
        } else if cursor.eat_keywords(&["DROP", "ATTRIBUTE"]) {
            let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
            let attribute_name = cursor.identifier()?;
            drop_behaviour(cursor);
            cursor.expect_end()?;
            let before = composite.attributes.len();
            composite
                .attributes
                .retain(|attribute| attribute.name != attribute_name);
            if composite.attributes.len() == before && !if_exists {
                return Err(format!(
                    "attribute {attribute_name} of type {name} does not exist"
                ));
            }
        } else if cursor.eat_keywords(&["ALTER", "ATTRIBUTE"]) {
            let attribute_name = cursor.identifier()?;
            cursor.eat_keywords(&["SET", "DATA"]);
            cursor.expect_keywords(&["TYPE"])?;
            let type_text = cursor.text_until(|cursor| cursor.is_one_of(ATTRIBUTE_END_WORDS))?;
            let data_type = self.type_text(&type_text)?;
            let collation = match cursor.eat_keyword("COLLATE") {
                true => Some(cursor.dotted_name()?.join(".")),
                false => None,
            };
            drop_behaviour(cursor);
            cursor.expect_end()?;
            let attribute = composite
                .attributes
                .iter_mut()
                .find(|attribute| attribute.name == attribute_name)
                .ok_or_else(|| {
                    format!("attribute {attribute_name} of type {name} does not exist")
                })?;
            attribute.data_type = data_type;
            attribute.collation = collation;
        } else {
            return Err(unsupported(cursor));
        }
        Ok(())
    }
}

impl Interpreter {
    /// `COMMENT ON TYPE/DOMAIN`: an enum, domain or composite type.
    pub(super) fn comment_on_type(
        &mut self,
        name: &QualifiedName,
        text: Option<String>,
    ) -> Outcome {
        let schema = self.schema.rest_mut();
        if let Some(range) = schema.ranges.get_mut(name) {
            range.comment = text;
            return Ok(());
        }
        let comment = match (
            schema.enums.get_mut(name),
            schema.domains.get_mut(name),
            schema.composite_types.get_mut(name),
        ) {
            (Some(enumeration), _, _) => &mut enumeration.comment,
            (_, Some(domain), _) => &mut domain.comment,
            (_, _, Some(composite)) => &mut composite.comment,
            _ => return Err(format!("type {name} does not exist")),
        };
        *comment = text;
        Ok(())
    }

    /// `COMMENT ON COLUMN type.attribute` of a composite type.
    pub(super) fn comment_on_attribute(
        &mut self,
        name: &QualifiedName,
        attribute_name: &str,
        text: Option<String>,
    ) -> Outcome {
        self.schema
            .rest_mut()
            .composite_types
            .get_mut(name)
            .and_then(|composite| {
                composite
                    .attributes
                    .iter_mut()
                    .find(|attribute| attribute.name == attribute_name)
            })
            .ok_or_else(|| format!("attribute {attribute_name} of type {name} does not exist"))?
            .comment = text;
        Ok(())
    }
}
