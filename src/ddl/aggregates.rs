//! The interpreter's `CREATE [OR REPLACE] AGGREGATE`, `ALTER AGGREGATE`, `DROP AGGREGATE`
//! and `COMMENT ON AGGREGATE`: what each does to the model, as `pg_aggregate` would read it
//! back (types without modifiers, support functions resolved like the catalog names them).

use sqlparser::tokenizer::Token;

use super::{drop_behaviour, not_modelled, unsupported, Interpreter, Outcome};
use crate::cursor::Cursor;
use crate::model::{
    support_function, Aggregate, AggregateState, Argument, ArgumentMode, FinalModify, Function,
    FunctionName, MovingAggregate, ObjectRef, Parallel, PrivilegeObject, QualifiedName,
};

/// The options of one transition state, as they are read.
#[derive(Default)]
struct StateOptions {
    sfunc: Option<QualifiedName>,
    stype: Option<String>,
    sspace: i32,
    finalfunc: Option<QualifiedName>,
    finalfunc_extra: bool,
    finalfunc_modify: FinalModify,
    initcond: Option<String>,
}

impl StateOptions {
    fn finish(self) -> Outcome<Option<AggregateState>> {
        match (self.sfunc, self.stype) {
            (Some(sfunc), Some(stype)) => Ok(Some(AggregateState {
                sfunc,
                stype,
                sspace: self.sspace,
                finalfunc: self.finalfunc,
                finalfunc_extra: self.finalfunc_extra,
                finalfunc_modify: self.finalfunc_modify,
                initcond: self.initcond,
            })),
            (None, None) => Ok(None),
            _ => Err("an aggregate's state needs both its function and its type".to_string()),
        }
    }
}

impl Interpreter {
    /// `CREATE [OR REPLACE] AGGREGATE name (arguments) (options)`, after `AGGREGATE`.
    pub(super) fn create_aggregate(
        &mut self,
        cursor: &mut Cursor<'_>,
        or_replace: bool,
    ) -> Outcome {
        let name = cursor.qualified_name()?;
        self.require_schema(&name.schema)?;
        let arguments = self.aggregate_arguments(cursor)?;
        let mut state = StateOptions::default();
        let mut moving = StateOptions::default();
        let mut minvfunc = None;
        let (mut combinefunc, mut serialfunc, mut deserialfunc) = (None, None, None);
        let mut sortop = None;
        let mut parallel = Parallel::Unsafe;
        for mut option in cursor.parenthesized_elements()? {
            let key = option.identifier()?;
            let flag = option.at_end();
            if !flag {
                option.expect(&Token::Eq)?;
            }
            match key.as_str() {
                "finalfunc_extra" => state.finalfunc_extra = flag || boolean(&mut option)?,
                "mfinalfunc_extra" => moving.finalfunc_extra = flag || boolean(&mut option)?,
                _ if flag => return Err(format!("option {key} needs a value")),
                "sfunc" => state.sfunc = Some(self.support_function(&mut option)?),
                "stype" => state.stype = Some(self.signature_type(&option.rest()?)?),
                "sspace" => state.sspace = size(&mut option)?,
                "finalfunc" => state.finalfunc = Some(self.support_function(&mut option)?),
                "finalfunc_modify" => state.finalfunc_modify = final_modify(&mut option)?,
                "initcond" => state.initcond = Some(initial_value(&mut option)?),
                "msfunc" => moving.sfunc = Some(self.support_function(&mut option)?),
                "mstype" => moving.stype = Some(self.signature_type(&option.rest()?)?),
                "msspace" => moving.sspace = size(&mut option)?,
                "mfinalfunc" => moving.finalfunc = Some(self.support_function(&mut option)?),
                "mfinalfunc_modify" => moving.finalfunc_modify = final_modify(&mut option)?,
                "minitcond" => moving.initcond = Some(initial_value(&mut option)?),
                "minvfunc" => minvfunc = Some(self.support_function(&mut option)?),
                "combinefunc" => combinefunc = Some(self.support_function(&mut option)?),
                "serialfunc" => serialfunc = Some(self.support_function(&mut option)?),
                "deserialfunc" => deserialfunc = Some(self.support_function(&mut option)?),
                "sortop" => sortop = Some(sort_operator(&mut option)?),
                "parallel" => {
                    parallel = match option.identifier()?.as_str() {
                        "safe" => Parallel::Safe,
                        "restricted" => Parallel::Restricted,
                        "unsafe" => Parallel::Unsafe,
                        other => return Err(format!("unknown PARALLEL {other:?}")),
                    }
                }
                "basetype" => return Err(not_modelled("the old CREATE AGGREGATE syntax")),
                "hypothetical" => return Err(not_modelled("hypothetical-set aggregates")),
                _ => return Err(format!("aggregate option {key:?} is not recognized")),
            }
            option.expect_end()?;
        }
        cursor.expect_end()?;
        let state = state
            .finish()?
            .ok_or("an aggregate needs SFUNC and STYPE")?;
        let moving = match (moving.finish()?, minvfunc) {
            (Some(state), Some(minvfunc)) => Some(MovingAggregate { state, minvfunc }),
            (None, None) => None,
            _ => return Err("the moving-aggregate mode needs MSFUNC, MINVFUNC and MSTYPE".into()),
        };
        self.require_initial_value(&state, &arguments)?;
        if let Some(moving) = &moving {
            self.require_initial_value(&moving.state, &arguments)?;
        }
        let key = FunctionName {
            schema: name.schema,
            name: name.name,
            argument_types: Function::identity_types(&arguments, false),
        };
        let mut aggregate = Aggregate {
            name: key.clone(),
            arguments,
            state,
            combinefunc,
            serialfunc,
            deserialfunc,
            moving,
            sortop,
            parallel,
            comment: None,
        };
        if self.schema.functions.contains_key(&key) {
            return Err(format!("function {key} already exists"));
        }
        match self.schema.aggregates.get(&key) {
            Some(_) if !or_replace => return Err(format!("aggregate {key} already exists")),
            Some(existing) if !existing.replaceable_by(&aggregate) => {
                return Err(format!(
                    "cannot replace aggregate {key}: its result type changes"
                ));
            }
            // CREATE OR REPLACE keeps the comment (and the privileges).
            Some(existing) => aggregate.comment = existing.comment.clone(),
            None => self.forget_privileges_and_owner(PrivilegeObject::Function(key.clone())),
        }
        self.declared(ObjectRef::Aggregate(key.clone()));
        self.schema.rest_mut().aggregates.insert(key, aggregate);
        Ok(())
    }

    /// `(arguments)` of an aggregate, or `(*)` for none.
    fn aggregate_arguments(&self, cursor: &mut Cursor<'_>) -> Outcome<Vec<Argument>> {
        if cursor.peek() == Some(&Token::LParen) && cursor.peek_nth(1) == Some(&Token::Mul) {
            cursor.expect(&Token::LParen)?;
            cursor.expect(&Token::Mul)?;
            cursor.expect(&Token::RParen)?;
            return Ok(Vec::new());
        }
        let arguments = self.arguments(cursor)?;
        for argument in &arguments {
            if !matches!(argument.mode, ArgumentMode::In | ArgumentMode::Variadic)
                || argument.default.is_some()
            {
                return Err("an aggregate's arguments are IN or VARIADIC, without defaults".into());
            }
        }
        Ok(arguments)
    }

    /// `name(arguments)`: the aggregate of the model it names.
    pub(super) fn aggregate_reference(
        &self,
        cursor: &mut Cursor<'_>,
    ) -> Outcome<Option<FunctionName>> {
        let name = self.routine_name(cursor)?;
        let arguments = self.aggregate_arguments(cursor)?;
        let key = FunctionName {
            schema: name.schema,
            name: name.name,
            argument_types: Function::identity_types(&arguments, false),
        };
        Ok(self.schema.aggregates.contains_key(&key).then_some(key))
    }

    fn support_function(&self, option: &mut Cursor<'_>) -> Outcome<QualifiedName> {
        let parts = option.dotted_name()?;
        support_function(&parts, &self.schema.functions)
            .ok_or_else(|| format!("{} is not a function name", parts.join(".")))
    }

    /// `ALTER AGGREGATE name(arguments) RENAME TO new | SET SCHEMA s | OWNER TO r`.
    pub(super) fn alter_aggregate(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let key = self
            .aggregate_reference(cursor)?
            .ok_or("the aggregate does not exist")?;
        if cursor.is_keywords(&["OWNER", "TO"]) {
            self.owner_to(cursor, PrivilegeObject::Function(key))?;
            return cursor.expect_end();
        }
        let mut new_key = key.clone();
        if cursor.eat_keywords(&["RENAME", "TO"]) {
            new_key.name = cursor.identifier()?;
        } else {
            cursor.expect_keywords(&["SET", "SCHEMA"])?;
            new_key.schema = cursor.identifier()?;
            self.require_schema(&new_key.schema)?;
        }
        cursor.expect_end()?;
        if self.schema.aggregates.contains_key(&new_key)
            || self.schema.functions.contains_key(&new_key)
        {
            return Err(format!("function {new_key} already exists"));
        }
        if let Some(mut aggregate) = self.schema.rest_mut().aggregates.remove(&key) {
            aggregate.name = new_key.clone();
            self.declared(ObjectRef::Aggregate(new_key.clone()));
            if new_key.schema == key.schema {
                self.note(|journal| {
                    let renames = &mut journal.renames.aggregate_renames;
                    renames.insert(new_key.clone(), key.name.clone());
                });
            }
            self.move_privileges_and_owner(
                PrivilegeObject::Function(key),
                PrivilegeObject::Function(new_key.clone()),
            );
            self.schema.rest_mut().aggregates.insert(new_key, aggregate);
        }
        Ok(())
    }

    /// `DROP AGGREGATE [IF EXISTS] name(arguments), ... [CASCADE | RESTRICT]`.
    pub(super) fn drop_aggregates(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let if_exists = cursor.eat_keywords(&["IF", "EXISTS"]);
        let mut keys = Vec::new();
        loop {
            let mark = cursor.mark();
            match self.aggregate_reference(cursor)? {
                Some(key) => keys.push(key),
                None if if_exists => {}
                None => {
                    let text = cursor.text_since(mark);
                    return Err(format!("aggregate {text} does not exist"));
                }
            }
            if !cursor.eat(&Token::Comma) {
                break;
            }
        }
        if drop_behaviour(cursor) {
            return Err(not_modelled("DROP AGGREGATE ... CASCADE"));
        }
        cursor.expect_end()?;
        for key in keys {
            self.schema.rest_mut().aggregates.remove(&key);
        }
        Ok(())
    }

    /// `COMMENT ON AGGREGATE name(arguments) IS ...`, after `AGGREGATE`.
    pub(super) fn comment_on_aggregate(&mut self, cursor: &mut Cursor<'_>) -> Outcome {
        let key = self
            .aggregate_reference(cursor)?
            .ok_or("the aggregate does not exist")?;
        cursor.expect_keywords(&["IS"])?;
        let text = match cursor.eat_keyword("NULL") {
            true => None,
            false => Some(cursor.string()?),
        };
        cursor.expect_end()?;
        if let Some(aggregate) = self.schema.rest_mut().aggregates.get_mut(&key) {
            aggregate.comment = text.filter(|text| !text.is_empty());
        }
        Ok(())
    }
}

fn boolean(option: &mut Cursor<'_>) -> Outcome<bool> {
    let word = match option.peek() {
        Some(Token::SingleQuotedString(_)) => option.string()?,
        _ => option.identifier()?,
    };
    match word.to_ascii_lowercase().as_str() {
        "true" | "on" | "yes" => Ok(true),
        "false" | "off" | "no" => Ok(false),
        other => Err(format!("{other:?} is not a boolean")),
    }
}

fn size(option: &mut Cursor<'_>) -> Outcome<i32> {
    let value = option.integer()?;
    i32::try_from(value).map_err(|_| format!("{value} is out of range for a state size"))
}

/// `INITCOND = '...'`, or a bare number, as the text PostgreSQL stores.
fn initial_value(option: &mut Cursor<'_>) -> Outcome<String> {
    match option.peek() {
        Some(Token::Number(..)) => option.number(),
        _ => option.string(),
    }
}

fn final_modify(option: &mut Cursor<'_>) -> Outcome<FinalModify> {
    match option.identifier()?.as_str() {
        "read_only" => Ok(FinalModify::ReadOnly),
        "shareable" => Ok(FinalModify::Shareable),
        "read_write" => Ok(FinalModify::ReadWrite),
        other => Err(format!("unknown FINALFUNC_MODIFY {other:?}")),
    }
}

/// `SORTOP = >` or `SORTOP = OPERATOR(schema.>)`: bare when built in, as the catalog reads it.
fn sort_operator(option: &mut Cursor<'_>) -> Outcome<String> {
    if option.eat_keyword("OPERATOR") {
        option.expect(&Token::LParen)?;
        let schema = option.identifier()?;
        option.expect(&Token::Period)?;
        let operator = option.text_until(|cursor| cursor.peek() == Some(&Token::RParen))?;
        option.expect(&Token::RParen)?;
        return Ok(match schema.as_str() {
            "pg_catalog" => operator,
            _ => format!("{schema}.{operator}"),
        });
    }
    let operator = option.rest()?;
    if operator.is_empty() || !operator.chars().all(|c| "+-*/<>=~!@#%^&|`?".contains(c)) {
        return Err(unsupported(option));
    }
    Ok(operator)
}
