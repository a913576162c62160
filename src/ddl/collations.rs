//! The interpreter's `CREATE COLLATION`, `ALTER COLLATION` (rename, owner), `DROP
//! COLLATION` and `COMMENT ON COLLATION`: what each does to the model, as the catalog would
//! read it back.

use sqlparser::tokenizer::Token;

use super::{drop_behaviour, not_modelled, unsupported, Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::model::{Collation, CollationLocale, ObjectRef, PrivilegeObject, QualifiedName};

impl Interpreter {
    /// `CREATE COLLATION [IF NOT EXISTS] name (options)` or `... FROM existing`, after
    /// `COLLATION`.
    pub(super) fn create_collation(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_not_exists = cursor.eat_keywords(&["IF", "NOT", "EXISTS"]);
        let name = cursor.qualified_name()?;
        let (locale, deterministic) = if cursor.eat_keyword("FROM") {
            let source = cursor.qualified_name()?;
            self.copied_collation(&source)?
        } else {
            collation_options(cursor)?
        };
        cursor.expect_end()?;
        self.require_schema(&name.schema)?;
        if self.schema.collations.contains_key(&name) {
            return match if_not_exists {
                true => Ok(()),
                false => Err(format!("collation {name} already exists")),
            };
        }
        self.declared(ObjectRef::Collation(name.clone()));
        self.forget_privileges_and_owner(PrivilegeObject::Collation(name.clone()));
        self.schema.rest_mut().collations.insert(
            name.clone(),
            Collation {
                name,
                locale,
                deterministic,
                comment: None,
            },
        );
        Ok(())
    }

    /// `FROM existing` copies a collation of the model, or the built-in `C` and `POSIX`.
    fn copied_collation(&self, source: &QualifiedName) -> Outcome<(CollationLocale, bool)> {
        if let Some(collation) = self.schema.collations.get(source) {
            return Ok((collation.locale.clone(), collation.deterministic));
        }
        match source.name.as_str() {
            "C" | "POSIX" if matches!(source.schema.as_str(), "public" | "pg_catalog") => {
                let name = source.name.clone();
                let locale = CollationLocale::Libc {
                    lc_collate: name.clone(),
                    lc_ctype: name,
                };
                Ok((locale, true))
            }
            _ => Err(not_modelled(
                "copies of collations the replay does not know (only C and POSIX are built in)",
            )),
        }
    }

    /// `ALTER COLLATION name RENAME TO new`; `OWNER TO` and `REFRESH VERSION` change nothing
    /// the model holds.
    pub(super) fn alter_collation(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = self.collation_reference(cursor)?;
        if !self.schema.collations.contains_key(&name) {
            return Err(format!("collation {name} does not exist"));
        }
        if cursor.is_keywords(&["OWNER", "TO"]) {
            self.owner_to(cursor, PrivilegeObject::Collation(name))?;
            return cursor.expect_end();
        }
        if cursor.is_keywords(&["REFRESH", "VERSION"]) {
            cursor.rest()?;
            return Ok(());
        }
        cursor.expect_keywords(&["RENAME", "TO"])?;
        let new = QualifiedName::new(name.schema.clone(), cursor.identifier()?);
        cursor.expect_end()?;
        if self.schema.collations.contains_key(&new) {
            return Err(format!("collation {new} already exists"));
        }
        if let Some(mut collation) = self.schema.rest_mut().collations.remove(&name) {
            collation.name = new.clone();
            self.schema
                .rest_mut()
                .collations
                .insert(new.clone(), collation);
        }
        self.note(|journal| {
            let renames = &mut journal.renames.collation_renames;
            renames.insert(new.clone(), name.name.clone());
        });
        self.touch_all();
        self.move_privileges_and_owner(
            PrivilegeObject::Collation(name.clone()),
            PrivilegeObject::Collation(new.clone()),
        );
        self.schema.rest_mut().follow_collation_rename(&name, &new);
        Ok(())
    }

    /// `DROP COLLATION [IF EXISTS] name, ... [CASCADE | RESTRICT]` after `COLLATION`.
    pub(super) fn drop_collations(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let mut names = vec![cursor.qualified_name()?];
        while cursor.eat(&Token::Comma) {
            names.push(cursor.qualified_name()?);
        }
        if drop_behaviour(cursor) {
            return Err(not_modelled("DROP COLLATION ... CASCADE"));
        }
        cursor.expect_end()?;
        for name in names {
            if self.schema.rest_mut().collations.remove(&name).is_none() && !if_exists {
                return Err(format!("collation {name} does not exist"));
            }
        }
        Ok(())
    }

    /// `COMMENT ON COLLATION name IS ...` after `COLLATION`.
    pub(super) fn comment_on_collation(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let name = self.collation_reference(cursor)?;
        cursor.expect_keywords(&["IS"])?;
        let text = match cursor.eat_keyword("NULL") {
            true => None,
            false => Some(cursor.string()?),
        };
        cursor.expect_end()?;
        let collation = self
            .schema
            .rest_mut()
            .collations
            .get_mut(&name)
            .ok_or_else(|| format!("collation {name} does not exist"))?;
        collation.comment = text.filter(|text| !text.is_empty());
        Ok(())
    }
}

/// `(LOCALE = ..., LC_COLLATE = ..., LC_CTYPE = ..., PROVIDER = ..., DETERMINISTIC = ...,
/// VERSION = ...)`: the locale as the catalog keeps it, and whether it is deterministic.
fn collation_options(cursor: &mut Cursor<'_>) -> Outcome<(CollationLocale, bool)> {
    let mut locale = None;
    let mut lc_collate = None;
    let mut lc_ctype = None;
    let mut icu = false;
    let mut deterministic = true;
    for mut option in cursor.parenthesized_elements()? {
        let key = option.identifier()?;
        option.expect(&Token::Eq)?;
        let value = option.string().or_else(|_| option.identifier())?;
        crate::guard::name(&value)?;
        match key.as_str() {
            "locale" => locale = Some(value),
            "lc_collate" => lc_collate = Some(value),
            "lc_ctype" => lc_ctype = Some(value),
            "provider" => {
                icu = match value.as_str() {
                    "icu" => true,
                    "libc" => false,
                    other => return Err(format!("unknown collation provider {other:?}")),
                }
            }
            "deterministic" => {
                deterministic = match value.to_ascii_lowercase().as_str() {
                    "true" | "on" | "yes" | "1" => true,
                    "false" | "off" | "no" | "0" => false,
                    other => return Err(format!("{other:?} is not a boolean")),
                }
            }
            // The library version at creation belongs to the server, not the schema.
            "version" => {}
            _ => return Err(unsupported(&option)),
        }
        option.expect_end()?;
    }
    let locale = match icu {
        true => CollationLocale::Icu {
            locale: locale.ok_or("parameter \"locale\" must be specified")?,
        },
        false => match (lc_collate.or(locale.clone()), lc_ctype.or(locale)) {
            (Some(lc_collate), Some(lc_ctype)) => CollationLocale::Libc {
                lc_collate,
                lc_ctype,
            },
            _ => return Err("parameter \"lc_collate\" must be specified".to_string()),
        },
    };
    if !deterministic && !icu {
        return Err("nondeterministic collations not supported with this provider".to_string());
    }
    Ok((locale, deterministic))
}
