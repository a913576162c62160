//! `CREATE [OR REPLACE] FUNCTION/PROCEDURE`, `ALTER`, `DROP` and `COMMENT ON` of routines,
//! replayed into the model as `pg_proc` would hold them: argument and return types without
//! modifiers, input argument types as the key, `SET` values as `proconfig` spells them.

use std::collections::BTreeSet;

use sqlparser::tokenizer::Token;

use super::{expression, unsupported, Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::guard;
use crate::model::{
    Argument, ArgumentMode, Function, FunctionBody, FunctionName, ObjectRef, Parallel,
    PrivilegeObject, QualifiedName, Returns, Volatility,
};
use crate::syntax::quote;
use crate::syntax::types::function_type;

/// Words that end a `RETURNS` type: the options that may follow it.
const OPTION_WORDS: &[&str] = &[
    "LANGUAGE",
    "AS",
    "IMMUTABLE",
    "STABLE",
    "VOLATILE",
    "LEAKPROOF",
    "NOT",
    "CALLED",
    "RETURNS",
    "STRICT",
    "SECURITY",
    "EXTERNAL",
    "PARALLEL",
    "COST",
    "ROWS",
    "SUPPORT",
    "SET",
    "WINDOW",
    "TRANSFORM",
    "RETURN",
    "BEGIN",
    "RESET",
    "OWNER",
    "RENAME",
    "DEPENDS",
    "NO",
];

/// Settings whose values are lists of names (`GUC_LIST_QUOTE`), stored quoted.
const LIST_SETTINGS: &[&str] = &[
    "local_preload_libraries",
    "search_path",
    "session_preload_libraries",
    "shared_preload_libraries",
    "temp_tablespaces",
];

impl Interpreter {
    pub(super) fn create_function(
        &mut self,
        cursor: &mut Cursor<'_>,
        or_replace: bool,
        procedure: bool,
    ) -> Outcome {
        let name = cursor.qualified_name()?;
        self.require_schema(&name.schema)?;
        let arguments = self.arguments(cursor)?;
        let mut returns = None;
        if cursor.eat_keyword("RETURNS") {
            returns = Some(self.returns(cursor)?);
        }
        let mut function = Function {
            name: FunctionName {
                schema: name.schema,
                name: name.name,
                argument_types: Function::identity_types(&arguments, procedure),
            },
            procedure,
            arguments,
            returns,
            language: String::new(),
            body: FunctionBody::Source(String::new()),
            volatility: Volatility::Volatile,
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: Parallel::Unsafe,
            cost: None,
            rows: None,
            config: Vec::new(),
            comment: None,
        };
        let mut body = None;
        while !cursor.at_end() {
            if cursor.eat_keyword("LANGUAGE") {
                function.language = match cursor.peek() {
                    Some(Token::Word(_)) => cursor.identifier()?,
                    _ => cursor.string()?.to_lowercase(),
                };
            } else if cursor.eat_keyword("AS") {
                let source = cursor.string()?;
                if cursor.peek() == Some(&Token::Comma) {
                    return Err(
                        "functions in C (`AS 'file', 'symbol'`) are not part of autogen's model"
                            .to_string(),
                    );
                }
                body = Some(FunctionBody::Source(source));
            } else if cursor.is_keyword("RETURN") || cursor.is_keywords(&["BEGIN", "ATOMIC"]) {
                let text = cursor.rest()?;
                let checked =
                    guard::sql_body(&text).map_err(|message| format!("body {message}"))?;
                body = Some(FunctionBody::Sql(checked));
            } else if cursor.eat_keyword("WINDOW")
                || cursor.is_keyword("TRANSFORM")
                || cursor.is_keyword("SUPPORT")
            {
                return Err(format!(
                    "{} functions are not part of autogen's model",
                    cursor.found()
                ));
            } else {
                self.function_option(cursor, &mut function)?;
            }
        }
        function.body = body.ok_or("the function has no body")?;
        if function.language.is_empty() {
            function.language = match &function.body {
                FunctionBody::Sql(_) => "sql".to_string(),
                FunctionBody::Source(_) => return Err("the function has no LANGUAGE".to_string()),
            };
        }
        if matches!(function.language.as_str(), "c" | "internal") {
            return Err("functions in C are not part of autogen's model".to_string());
        }
        if function.returns.is_none() && !procedure {
            function.returns = Some(implied_returns(&function.arguments)?);
        }
        if let Some(rows) = &function.rows {
            let returns_set = matches!(
                function.returns,
                Some(Returns::Type { setof: true, .. }) | Some(Returns::Table(_))
            );
            if !returns_set {
                return Err(
                    "ROWS is not applicable when the function does not return a set".to_string(),
                );
            }
            if rows == "1000" {
                function.rows = None;
            }
        }
        let key = function.name.clone();
        match self.schema.functions.get(&key) {
            Some(_) if !or_replace => return Err(format!("function {key} already exists")),
            Some(existing) => {
                if existing.procedure != procedure {
                    return Err(format!("cannot change the kind of routine {key}"));
                }
                if !existing.replaceable_by(&function) {
                    return Err(format!(
                        "cannot replace {key}: its return type or argument names change"
                    ));
                }
                // CREATE OR REPLACE keeps the comment (and the privileges).
                function.comment = existing.comment.clone();
            }
            None => self.forget_privileges_and_owner(PrivilegeObject::Function(key.clone())),
        }
        self.declared(ObjectRef::Function(key.clone()));
        self.schema.rest_mut().functions.insert(key, function);
        Ok(())
    }

    /// `(arg, ...)` of a definition or a reference, types canonical.
    pub(super) fn arguments(&self, cursor: &mut Cursor<'_>) -> Outcome<Vec<Argument>> {
        let mut arguments = Vec::new();
        for mut element in cursor.parenthesized_elements_or_empty()? {
            let mode = if element.eat_keyword("INOUT") {
                ArgumentMode::InOut
            } else if element.eat_keyword("OUT") {
                ArgumentMode::Out
            } else if element.eat_keyword("VARIADIC") {
                ArgumentMode::Variadic
            } else {
                element.eat_keyword("IN");
                ArgumentMode::In
            };
            let named = matches!(element.peek(), Some(Token::Word(_)))
                && match element.peek_nth(1) {
                    Some(Token::Word(word)) => {
                        word.quote_style.is_some()
                            || !["PRECISION", "VARYING", "WITH", "WITHOUT"]
                                .contains(&word.value.to_ascii_uppercase().as_str())
                    }
                    _ => false,
                };
            let name = match named {
                true => Some(element.identifier()?),
                false => None,
            };
            let type_text = element.text_until(|cursor| {
                cursor.is_keyword("DEFAULT") || cursor.peek() == Some(&Token::Eq)
            })?;
            let default = match element.eat_keyword("DEFAULT") || element.eat(&Token::Eq) {
                true => Some(expression(element.rest()?)?),
                false => None,
            };
            element.expect_end()?;
            arguments.push(Argument {
                mode,
                name,
                data_type: self.signature_type(&type_text)?,
                default,
            });
        }
        Ok(arguments)
    }

    /// A type of a signature as `format_type(oid, NULL)` prints it.
    pub(super) fn signature_type(&self, text: &str) -> Outcome<String> {
        let enums: BTreeSet<QualifiedName> = self.schema.enums.keys().cloned().collect();
        Ok(function_type(&self.type_text(text)?, &enums))
    }

    fn returns(&self, cursor: &mut Cursor<'_>) -> Outcome<Returns> {
        if cursor.eat_keyword("TABLE") {
            let mut columns = Vec::new();
            for mut element in cursor.parenthesized_elements()? {
                let name = element.identifier()?;
                let type_text = element.rest()?;
                columns.push((name, self.signature_type(&type_text)?));
            }
            return Ok(Returns::Table(columns));
        }
        let setof = cursor.eat_keyword("SETOF");
        let type_text = cursor.text_until(|cursor| cursor.is_one_of(OPTION_WORDS))?;
        Ok(Returns::Type {
            setof,
            data_type: self.signature_type(&type_text)?,
        })
    }

    /// One option of `CREATE FUNCTION` or `ALTER FUNCTION`.
    fn function_option(&self, cursor: &mut Cursor<'_>, function: &mut Function) -> Outcome {
        if cursor.eat_keyword("IMMUTABLE") {
            function.volatility = Volatility::Immutable;
        } else if cursor.eat_keyword("STABLE") {
            function.volatility = Volatility::Stable;
        } else if cursor.eat_keyword("VOLATILE") {
            function.volatility = Volatility::Volatile;
        } else if cursor.eat_keyword("STRICT")
            || cursor.eat_keywords(&["RETURNS", "NULL", "ON", "NULL", "INPUT"])
        {
            function.strict = true;
        } else if cursor.eat_keywords(&["CALLED", "ON", "NULL", "INPUT"]) {
            function.strict = false;
        } else if cursor.eat_keyword("LEAKPROOF") {
            function.leakproof = true;
        } else if cursor.eat_keywords(&["NOT", "LEAKPROOF"]) {
            function.leakproof = false;
        } else if cursor.eat_keyword("EXTERNAL") || cursor.is_keyword("SECURITY") {
            cursor.expect_keywords(&["SECURITY"])?;
            function.security_definer = match cursor.eat_keyword("DEFINER") {
                true => true,
                false => {
                    cursor.expect_keywords(&["INVOKER"])?;
                    false
                }
            };
        } else if cursor.eat_keyword("PARALLEL") {
            function.parallel = if cursor.eat_keyword("SAFE") {
                Parallel::Safe
            } else if cursor.eat_keyword("RESTRICTED") {
                Parallel::Restricted
            } else {
                cursor.expect_keywords(&["UNSAFE"])?;
                Parallel::Unsafe
            };
        } else if cursor.eat_keyword("COST") {
            function.cost = Some(number(cursor)?).filter(|cost| cost != "100");
        } else if cursor.eat_keyword("ROWS") {
            function.rows = Some(number(cursor)?);
        } else if cursor.eat_keyword("SET") {
            let name = setting_name(cursor)?;
            if cursor.eat_keywords(&["FROM", "CURRENT"]) {
                return Err("SET ... FROM CURRENT cannot be replayed offline".to_string());
            }
            if !cursor.eat_keyword("TO") {
                cursor.expect(&Token::Eq)?;
            }
            let value = setting_value(cursor, &name)?;
            function.config.retain(|(existing, _)| *existing != name);
            if let Some(value) = value {
                function.config.push((name, value));
            }
        } else if cursor.eat_keyword("RESET") {
            if cursor.eat_keyword("ALL") {
                function.config.clear();
            } else {
                let name = setting_name(cursor)?;
                function.config.retain(|(existing, _)| *existing != name);
            }
        } else {
            return Err(unsupported(cursor));
        }
        Ok(())
    }

    /// `name` or `name(arguments)`: the one routine it names. Without arguments the name
    /// must be unique.
    pub(super) fn routine_reference(
        &self,
        cursor: &mut Cursor<'_>,
    ) -> Outcome<Option<FunctionName>> {
        let name = self.routine_name(cursor)?;
        if cursor.peek() == Some(&Token::LParen) {
            let arguments = self.arguments(cursor)?;
            // A procedure's `OUT` arguments are part of its identity, a function's are not.
            let found = [false, true].into_iter().find_map(|procedure| {
                let key = FunctionName {
                    schema: name.schema.clone(),
                    name: name.name.clone(),
                    argument_types: Function::identity_types(&arguments, procedure),
                };
                self.schema
                    .functions
                    .get(&key)
                    .is_some_and(|function| function.procedure == procedure)
                    .then_some(key)
            });
            return Ok(found);
        }
        let mut matching = self
            .schema
            .functions
            .keys()
            .filter(|key| key.schema == name.schema && key.name == name.name);
        match (matching.next(), matching.next()) {
            (Some(key), None) => Ok(Some(key.clone())),
            (None, _) => Ok(None),
            (Some(_), Some(_)) => Err(format!(
                "function name {name} is not unique; name its argument types"
            )),
        }
    }

    pub(super) fn drop_functions(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let mut keys = Vec::new();
        loop {
            let mut element = cursor.until_comma()?;
            match self.routine_reference(&mut element)? {
                Some(key) => keys.push(key),
                None if if_exists => {}
                None => {
                    return Err(format!(
                        "function {} does not exist",
                        element_text(&element)
                    ))
                }
            }
            if matches!(element.peek(), Some(Token::Word(_))) {
                super::drop_behaviour(&mut element);
            }
            element.expect_end()?;
            if !cursor.eat(&Token::Comma) {
                break;
            }
        }
        cursor.expect_end()?;
        for key in keys {
            self.schema.rest_mut().functions.remove(&key);
        }
        Ok(())
    }

    pub(super) fn alter_function(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let key = self
            .routine_reference(cursor)?
            .ok_or("the function does not exist")?;
        if cursor.is_keywords(&["OWNER", "TO"]) {
            self.owner_to(cursor, PrivilegeObject::Function(key))?;
            return cursor.expect_end();
        }
        let mut function = self
            .schema
            .functions
            .get(&key)
            .cloned()
            .ok_or("the function does not exist")?;
        let mut new_key = key.clone();
        if cursor.eat_keywords(&["RENAME", "TO"]) {
            new_key.name = cursor.identifier()?;
            cursor.expect_end()?;
        } else if cursor.eat_keywords(&["SET", "SCHEMA"]) {
            new_key.schema = cursor.identifier()?;
            self.require_schema(&new_key.schema)?;
            cursor.expect_end()?;
        } else {
            while !cursor.at_end() {
                self.function_option(cursor, &mut function)?;
            }
            cursor.eat_keyword("RESTRICT");
        }
        if new_key != key && self.schema.functions.contains_key(&new_key) {
            return Err(format!("function {new_key} already exists"));
        }
        self.schema.rest_mut().functions.remove(&key);
        self.move_privileges_and_owner(
            PrivilegeObject::Function(key),
            PrivilegeObject::Function(new_key.clone()),
        );
        function.name = new_key.clone();
        self.declared(ObjectRef::Function(new_key.clone()));
        self.schema.rest_mut().functions.insert(new_key, function);
        Ok(())
    }

    pub(super) fn comment_on_function(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let key = self
            .routine_reference(cursor)?
            .ok_or("the function does not exist")?;
        cursor.expect_keywords(&["IS"])?;
        let text = match cursor.eat_keyword("NULL") {
            true => None,
            false => Some(cursor.string()?),
        };
        cursor.expect_end()?;
        if let Some(function) = self.schema.rest_mut().functions.get_mut(&key) {
            function.comment = text.filter(|text| !text.is_empty());
        }
        Ok(())
    }
}

fn element_text(element: &Cursor<'_>) -> String {
    element.found()
}

/// The return type a function without `RETURNS` has: that of its one output argument, or
/// `record` for several.
fn implied_returns(arguments: &[Argument]) -> Outcome<Returns> {
    let outputs: Vec<&Argument> = arguments
        .iter()
        .filter(|argument| matches!(argument.mode, ArgumentMode::Out | ArgumentMode::InOut))
        .collect();
    match outputs.as_slice() {
        [] => Err("the function has no RETURNS".to_string()),
        [only] => Ok(Returns::Type {
            setof: false,
            data_type: only.data_type.clone(),
        }),
        _ => Ok(Returns::Type {
            setof: false,
            data_type: "record".to_string(),
        }),
    }
}

/// `COST` or `ROWS`: a positive number, as PostgreSQL prints its `real` value.
fn number(cursor: &mut Cursor<'_>) -> Outcome<String> {
    take_number(cursor)
        .and_then(|digits| digits.parse::<f32>().ok())
        .filter(|value| value.is_finite() && *value > 0.0)
        .map(|value| value.to_string())
        .ok_or_else(|| format!("expected a positive number, found {}", cursor.found()))
}

/// The digits of the next token when it is a number, consumed.
fn take_number(cursor: &mut Cursor<'_>) -> Option<String> {
    let token = cursor.peek().cloned()?;
    let Token::Number(digits, _) = &token else {
        return None;
    };
    cursor.eat(&token).then(|| digits.clone())
}

fn setting_name(cursor: &mut Cursor<'_>) -> Outcome<String> {
    let name = cursor.dotted_name()?.join(".");
    guard::setting_name(&name)
}

/// `value [, ...]` of `SET name TO ...` as `proconfig` holds it; `None` for `DEFAULT`.
fn setting_value(cursor: &mut Cursor<'_>, name: &str) -> Outcome<Option<String>> {
    if cursor.eat_keyword("DEFAULT") {
        return Ok(None);
    }
    let mut elements = Vec::new();
    loop {
        let negative = cursor.eat(&Token::Minus);
        let element = match cursor.peek().cloned() {
            Some(Token::SingleQuotedString(_)) | Some(Token::EscapedStringLiteral(_)) => {
                cursor.string()?
            }
            Some(Token::Number(..)) => {
                let digits = take_number(cursor).unwrap_or_default();
                format!("{}{digits}", if negative { "-" } else { "" })
            }
            Some(Token::Word(_)) => cursor.identifier()?,
            _ => {
                return Err(format!(
                    "expected a setting value, found {}",
                    cursor.found()
                ))
            }
        };
        elements.push(match LIST_SETTINGS.contains(&name) {
            true => quote::ident(&element),
            false => element,
        });
        if !cursor.eat(&Token::Comma) {
            break;
        }
    }
    Ok(Some(elements.join(", ")))
}
