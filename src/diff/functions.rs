//! Functions and procedures in the diff: created, dropped, or replaced (in place when
//! PostgreSQL's `CREATE OR REPLACE` allows it), and what a drop and re-creation would break.
//!
//! Pure, no SQL. Dependents are found by name in the stored text of views, defaults,
//! checks and indexes, the same way offline and live.

use std::collections::{BTreeMap, BTreeSet};

use super::Change;
use crate::dependencies::{signature_types, Graph};
use crate::model::{Function, FunctionBody, FunctionName, ObjectRef, QualifiedName, Schema};
use crate::references::words;
use crate::syntax::quote;

/// Where a function's creation and drop go among the other changes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FunctionPlacement {
    /// Created before the sequences, tables and views that may call it; dropped after them.
    BeforeRelations,
    /// Its signature or SQL-standard body uses a table but no view: created once the tables
    /// have changed, before the views that may call it; dropped before the tables change.
    AfterTables,
    /// Its signature or SQL-standard body uses a view: created after the views, dropped
    /// before them.
    AfterRelations,
    /// Its signature uses a type the migration rebuilds (or it calls such a routine): dropped
    /// before the rebuild and created right after it, on the new type.
    AroundTypeRebuild,
}

/// The relations a function's signature or SQL-standard body uses, by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Reads {
    Nothing,
    Tables,
    Views,
}

fn placement(reads: Reads) -> FunctionPlacement {
    match reads {
        Reads::Nothing => FunctionPlacement::BeforeRelations,
        Reads::Tables => FunctionPlacement::AfterTables,
        Reads::Views => FunctionPlacement::AfterRelations,
    }
}

pub(super) fn diff_functions(current: &Schema, desired: &Schema, changes: &mut Vec<Change>) {
    let (current_relations, desired_relations) = (Relations::of(current), Relations::of(desired));
    for (name, wanted) in &desired.functions {
        match current.functions.get(name) {
            None => changes.push(Change::CreateFunction {
                function: wanted.clone(),
                placement: placement(desired_relations.reads(wanted)),
            }),
            Some(existing) if existing != wanted => changes.push(Change::AlterFunction {
                from: existing.clone(),
                to: wanted.clone(),
                placement: placement(
                    current_relations
                        .reads(existing)
                        .max(desired_relations.reads(wanted)),
                ),
            }),
            Some(_) => {}
        }
    }
    for (name, existing) in &current.functions {
        if !desired.functions.contains_key(name) {
            changes.push(Change::DropFunction {
                function: existing.clone(),
                placement: placement(current_relations.reads(existing)),
            });
        }
    }
}

/// `Change::inverse` of the function changes.
pub(super) fn inverse(change: Change) -> Change {
    match change {
        Change::CreateFunction {
            function,
            placement,
        } => Change::DropFunction {
            function,
            placement,
        },
        Change::DropFunction {
            function,
            placement,
        } => Change::CreateFunction {
            function,
            placement,
        },
        Change::AlterFunction {
            from,
            to,
            placement,
        } => Change::AlterFunction {
            from: to,
            to: from,
            placement,
        },
        other => other,
    }
}

/// PostgreSQL cannot drop the old version of a rebuilt type (`types::rebuilt_types`) while
/// a routine's signature uses it, and a routine created before the rebuild would take the old
/// one. The routines the dependency graph of `before` reaches from a rebuilt type (its
/// signature names it, or it calls such a routine from a SQL-standard body) are dropped
/// before the rebuild and created again after it, callers before callees and the reverse
/// (their users follow, `rebuild_dependents`). On the way back, the inverse of the way
/// there's are put in that order again.
pub(super) fn recreate_over_rebuilt_types(
    before: &Schema,
    after: &Schema,
    graph: &Graph,
    changes: &mut Vec<Change>,
) {
    let roots: BTreeSet<ObjectRef> = super::rebuilt_types(changes)
        .into_iter()
        .map(|(kind, name)| match kind {
            "enum" => ObjectRef::Enum(name.clone()),
            _ => ObjectRef::Domain(name.clone()),
        })
        .collect();
    // The way back holds the inverse of the way there's routines, to be put in order again.
    let mut routines: BTreeSet<ObjectRef> = changes
        .iter()
        .filter_map(|change| match change {
            Change::CreateFunction {
                function,
                placement: FunctionPlacement::AroundTypeRebuild,
            }
            | Change::DropFunction {
                function,
                placement: FunctionPlacement::AroundTypeRebuild,
            } => Some(ObjectRef::Function(function.name.clone())),
            _ => None,
        })
        .collect();
    if !roots.is_empty() {
        routines.extend(graph.dependents_of(&roots).into_iter().filter(
            |object| matches!(object, ObjectRef::Function(name) if before.functions.contains_key(name)),
        ));
    }
    if routines.is_empty() {
        return;
    }
    let recreated = |name: &FunctionName| routines.contains(&ObjectRef::Function(name.clone()));
    let around = FunctionPlacement::AroundTypeRebuild;
    let mut pairs: BTreeMap<FunctionName, (Option<Function>, Option<Function>)> = BTreeMap::new();
    changes.retain(|change| match change {
        Change::CreateFunction { function, .. } if recreated(&function.name) => {
            pairs.entry(function.name.clone()).or_default().1 = Some(function.clone());
            false
        }
        Change::DropFunction { function, .. } if recreated(&function.name) => {
            pairs.entry(function.name.clone()).or_default().0 = Some(function.clone());
            false
        }
        Change::AlterFunction { from, to, .. } if recreated(&from.name) => {
            pairs.insert(from.name.clone(), (Some(from.clone()), Some(to.clone())));
            false
        }
        _ => true,
    });
    for function in before
        .functions
        .values()
        .filter(|function| recreated(&function.name))
    {
        pairs.entry(function.name.clone()).or_insert_with(|| {
            (
                Some(function.clone()),
                after.functions.get(&function.name).cloned(),
            )
        });
    }
    // A caller reaches more of the recreated routines than any routine it calls.
    let depth = |name: &FunctionName| {
        let this = ObjectRef::Function(name.clone());
        routines
            .iter()
            .filter(|callee| {
                graph
                    .dependents_of(&[(*callee).clone()].into())
                    .contains(&this)
            })
            .count()
    };
    let mut ordered: Vec<(usize, FunctionName)> = pairs
        .keys()
        .map(|name| (depth(name), name.clone()))
        .collect();
    ordered.sort();
    for (_, name) in ordered.iter().rev() {
        if let Some(function) = pairs[name].0.clone() {
            changes.push(Change::DropFunction {
                function,
                placement: around,
            });
        }
    }
    for (_, name) in &ordered {
        if let Some(function) = pairs[name].1.clone() {
            changes.push(Change::CreateFunction {
                function,
                placement: around,
            });
        }
    }
}

/// PostgreSQL records the columns a SQL-standard body reads and refuses to drop or retype
/// them (`columns`): such functions are dropped before the change and created after it.
pub(super) fn recreate_functions_reading_columns(
    before: &Schema,
    after: &Schema,
    columns: &BTreeSet<(QualifiedName, String)>,
    changes: &mut Vec<Change>,
) {
    if columns.is_empty() {
        return;
    }
    let reads = |function: &Function| match &function.body {
        FunctionBody::Sql(body) => {
            let words = words(body);
            columns
                .iter()
                .any(|(table, column)| words.contains(&table.name) && words.contains(column))
        }
        FunctionBody::Source(_) => false,
    };
    // Such a function reads a table at least, whatever it is changed into.
    let relations = Relations::of(after);
    let around = |function: &Function| placement(relations.reads(function).max(Reads::Tables));
    recreate_around(before, after, reads, around, changes);
}

/// PostgreSQL records the aggregates a SQL-standard body calls and refuses to drop them:
/// the functions the graph of `before` reaches from an aggregate `changes` drop (and may
/// create again) are dropped before it and created again after (`plan::around` places
/// them).
pub(super) fn recreate_over_dropped_aggregates(
    before: &Schema,
    after: &Schema,
    graph: &Graph,
    changes: &mut Vec<Change>,
) {
    let aggregates: BTreeSet<ObjectRef> = changes
        .iter()
        .filter_map(|change| match change {
            Change::Aggregate(super::AggregateChange::Drop(aggregate)) => {
                Some(ObjectRef::Aggregate(aggregate.name.clone()))
            }
            _ => None,
        })
        .collect();
    if aggregates.is_empty() {
        return;
    }
    let callers = graph.dependents_of(&aggregates);
    let calls = |function: &Function| callers.contains(&ObjectRef::Function(function.name.clone()));
    // Created once the aggregates are back, after the tables change.
    let relations = Relations::of(after);
    let around = |function: &Function| placement(relations.reads(function).max(Reads::Tables));
    recreate_around(before, after, calls, around, changes);
}

/// Functions of `before` whose SQL-standard body names a view `changes` drop (or drop and
/// create again) are dropped before it and created again after.
pub(super) fn recreate_functions_reading_dropped_views(
    before: &Schema,
    after: &Schema,
    changes: &mut Vec<Change>,
) {
    let views: BTreeSet<String> = changes
        .iter()
        .filter_map(|change| match change {
            Change::DropView(view) => Some(view.name.name.clone()),
            _ => None,
        })
        .collect();
    if views.is_empty() {
        return;
    }
    let reads = |function: &Function| match &function.body {
        FunctionBody::Sql(body) => !words(body).is_disjoint(&views),
        FunctionBody::Source(_) => false,
    };
    let relations = Relations::of(after);
    let around = |function: &Function| placement(relations.reads(function).max(Reads::Views));
    recreate_around(before, after, reads, around, changes);
}

/// Whether `schema` has a routine of `routine`'s schema and name: a call by name finds a
/// routine created again, or an overload.
pub(super) fn has_routine_named(schema: &Schema, routine: &ObjectRef) -> bool {
    let ObjectRef::Function(name) = routine else {
        return false;
    };
    schema
        .functions
        .keys()
        .any(|kept| kept.schema == name.schema && kept.name == name.name)
}

/// PostgreSQL records the routines a SQL-standard body calls and refuses to drop them: the
/// functions the graph of `before` reaches from a routine `changes` drop (or drop and create
/// again) and that `after` still calls by that name are dropped before it and created again
/// after, callers of callers too (`plan::views_and_routines` orders them).
pub(super) fn recreate_callers_of_dropped_routines(
    before: &Schema,
    after: &Schema,
    graph: &Graph,
    changes: &mut Vec<Change>,
) {
    let routines: BTreeSet<ObjectRef> = dropped_routines(changes)
        .into_iter()
        .filter(|routine| has_routine_named(after, routine))
        .collect();
    if routines.is_empty() {
        return;
    }
    let callers = graph.dependents_of(&routines);
    let calls = |function: &Function| callers.contains(&ObjectRef::Function(function.name.clone()));
    // Dropped before the relations change, ahead of a routine dropped and created in one
    // step (`Phase::CreateFunction`), and created again after the tables.
    let relations = Relations::of(after);
    let around = |function: &Function| placement(relations.reads(function).max(Reads::Tables));
    recreate_around(before, after, calls, around, changes);
}

/// Drops each function of `before` that `uses` before the changes and creates it again
/// after them (`around`); a change of such a function becomes a drop and a create.
fn recreate_around(
    before: &Schema,
    after: &Schema,
    uses: impl Fn(&Function) -> bool,
    around: impl Fn(&Function) -> FunctionPlacement,
    changes: &mut Vec<Change>,
) {
    let mut handled = BTreeSet::new();
    let mut split = Vec::new();
    for change in changes.iter_mut() {
        match change {
            Change::CreateFunction {
                function,
                placement,
            }
            | Change::DropFunction {
                function,
                placement,
            } if uses(function) => {
                handled.insert(function.name.clone());
                // One around a type rebuild already goes before the relations change.
                if *placement != FunctionPlacement::AroundTypeRebuild {
                    *placement = around(function);
                }
            }
            Change::AlterFunction { from, to, .. } if uses(from) || uses(to) => {
                handled.insert(from.name.clone());
                split.push((from.clone(), to.clone()));
            }
            _ => {}
        }
    }
    changes.retain(|change| {
        !matches!(change, Change::AlterFunction { from, .. } if split.iter().any(|(split_from, _)| split_from == from))
    });
    for (from, to) in split {
        changes.push(Change::DropFunction {
            placement: around(&from),
            function: from,
        });
        changes.push(Change::CreateFunction {
            placement: around(&to),
            function: to,
        });
    }
    for function in before.functions.values() {
        if handled.contains(&function.name) || !uses(function) {
            continue;
        }
        changes.push(Change::DropFunction {
            function: function.clone(),
            placement: around(function),
        });
        if let Some(kept) = after.functions.get(&function.name) {
            changes.push(Change::CreateFunction {
                function: kept.clone(),
                placement: around(kept),
            });
        }
    }
}

/// The tables and views of a schema, as a function's signature or body would name them.
struct Relations {
    /// Row types as `format_type` prints them (`students`, `billing.invoices`), of tables
    /// and of views.
    row_types: [BTreeSet<String>; 2],
    /// Bare relation names, of tables and of views.
    names: [BTreeSet<String>; 2],
}

impl Relations {
    fn of(schema: &Schema) -> Relations {
        let row_types = |names: &mut dyn Iterator<Item = &QualifiedName>| {
            names
                .flat_map(|name| {
                    let qualified = format!(
                        "{}.{}",
                        quote::ident(&name.schema),
                        quote::ident(&name.name)
                    );
                    [quote::type_name(name), qualified]
                })
                .collect()
        };
        let names = |names: &mut dyn Iterator<Item = &QualifiedName>| {
            names.map(|name| name.name.clone()).collect()
        };
        Relations {
            row_types: [
                row_types(&mut schema.tables.keys()),
                row_types(&mut schema.views.keys()),
            ],
            names: [
                names(&mut schema.tables.keys()),
                names(&mut schema.views.keys()),
            ],
        }
    }

    /// Which kinds of relation the function's signature names the row type of, or its
    /// SQL-standard body (which PostgreSQL parses at creation) names.
    fn reads(&self, function: &Function) -> Reads {
        let body_words = match &function.body {
            FunctionBody::Sql(body) => words(body),
            FunctionBody::Source(_) => BTreeSet::new(),
        };
        let uses = |kind: usize| {
            signature_types(function)
                .any(|data_type| self.row_types[kind].contains(data_type.trim_end_matches("[]")))
                || !body_words.is_disjoint(&self.names[kind])
        };
        match (uses(0), uses(1)) {
            (_, true) => Reads::Views,
            (true, false) => Reads::Tables,
            (false, false) => Reads::Nothing,
        }
    }
}

/// Functions `changes` drop, or drop and create again, as they are before the changes.
fn dropped_functions(changes: &[Change]) -> Vec<&Function> {
    changes
        .iter()
        .filter_map(|change| match change {
            Change::DropFunction { function, .. } => Some(function),
            Change::AlterFunction { from, to, .. } if !from.replaceable_by(to) => Some(from),
            _ => None,
        })
        .collect()
}

/// The routines `changes` drop, or drop and create again, as graph nodes.
pub(super) fn dropped_routines(changes: &[Change]) -> BTreeSet<ObjectRef> {
    dropped_functions(changes)
        .into_iter()
        .map(|function| ObjectRef::Function(function.name.clone()))
        .collect()
}

/// What keeps `changes` from dropping a function they drop or drop and create again (a
/// return type or argument name changes), in words: a default, generated column, check or
/// index of `before` that calls it and that `changes` keep, a default or check of a domain
/// they keep, or an object autogen does not manage (`users`, from `Schema::function_users`).
/// Views are rebuilt instead.
pub fn blocked_function_drops(
    before: &Schema,
    users: &BTreeMap<FunctionName, Vec<String>>,
    changes: &[Change],
) -> Vec<String> {
    let mut problems = Vec::new();
    let kept_tables: BTreeSet<&QualifiedName> = before
        .tables
        .keys()
        .filter(|name| {
            !changes
                .iter()
                .any(|change| matches!(change, Change::DropTable(table) if &table.name == *name))
        })
        .collect();
    for function in dropped_functions(changes) {
        let dropped = changes.iter().any(|change| {
            matches!(change, Change::DropFunction { function: dropped, .. } if dropped == function)
        });
        let created_again = changes.iter().any(|change| {
            matches!(change, Change::CreateFunction { function: created, .. } if created.name == function.name)
        });
        let only_dropped = dropped && !created_again;
        let reason = match (dropped, only_dropped) {
            (_, true) => "it is dropped",
            (true, false) => "it is dropped and created again around the rebuild of a type it uses",
            (false, _) => {
                "it is dropped and created again, since its return type, kind or arguments change"
            }
        };
        let dropped_users = dropped_callers(changes);
        let users = users.get(&function.name).into_iter().flatten();
        for user in users.filter(|user| !dropped_users.contains(&described_object(user))) {
            problems.push(format!(
                "{user} calls function {}, but {reason}",
                function.name
            ));
        }
        // A dropped function's callers must go too, or the desired schema could not exist.
        if only_dropped {
            continue;
        }
        // `pg_describe_object` names a domain's check without its domain: read from the model.
        for domain in before.domains.values().filter(|domain| {
            !changes.iter().any(|change| {
                matches!(change, Change::Type(super::TypeChange::DropDomain(dropped)) if dropped.name == domain.name)
            })
        }) {
            // Worded as `pg_describe_object` words the catalog's own report of it, named once.
            let default_calls = domain
                .default
                .as_ref()
                .is_some_and(|default| words(default.as_str()).contains(&function.name.name));
            if default_calls {
                problems.push(format!(
                    "type {} calls function {}, but {reason}",
                    quote::type_name(&domain.name),
                    function.name
                ));
            }
            for check in domain.checks.values() {
                if words(check.expression.as_str()).contains(&function.name.name) {
                    problems.push(format!(
                        "check {} of domain {} calls function {}, but {reason}",
                        check.name, domain.name, function.name
                    ));
                }
            }
        }
        for table in kept_tables
            .iter()
            .filter_map(|name| before.tables.get(*name))
        {
            for user in expression_users(table, &function.name, changes) {
                problems.push(format!(
                    "{user} on {} calls function {}, but {reason}",
                    table.name, function.name
                ));
            }
        }
    }
    problems
}

/// What calls each routine while the changes run on `before`: `before`'s own users (from
/// `Schema::function_users`), and those of `other`, the other side, that `other` does not
/// manage: those stay in the database whatever the migration does. A trigger, policy or
/// routine `other` manages exists on `before`'s side only if `before` has it too.
pub fn function_users_of(before: &Schema, other: &Schema) -> BTreeMap<FunctionName, Vec<String>> {
    let managed_by_other = |user: &str| {
        let (kind, name) = described_object(user);
        match kind.as_str() {
            "trigger" => {
                (other.tables.values()).any(|table| table.triggers.contains_key(&name))
                    || (other.views.values()).any(|view| view.triggers.contains_key(&name))
            }
            "policy" => other
                .tables
                .values()
                .any(|table| table.policies.contains_key(&name)),
            "function" => other.functions.keys().any(|function| function.name == name),
            _ => false,
        }
    };
    let mut users = before.function_users.clone();
    for (function, callers) in &other.function_users {
        let kept = users.entry(function.clone()).or_default();
        for caller in callers {
            if !managed_by_other(caller) && !kept.contains(caller) {
                kept.push(caller.clone());
            }
        }
    }
    users.retain(|_, callers| !callers.is_empty());
    users
}

/// (kind, name) of the triggers, policies and functions `changes` drop, as
/// the first two words of `pg_describe_object` name them (`trigger t_touch on table t`).
fn dropped_callers(changes: &[Change]) -> BTreeSet<(String, String)> {
    use super::{PolicyChange, TriggerChange};
    let mut dropped = BTreeSet::new();
    let mut add = |kind: &str, name: &str| {
        dropped.insert((kind.to_string(), name.to_string()));
    };
    for change in changes {
        match change {
            Change::Trigger(TriggerChange::Drop { trigger, .. }) => add("trigger", &trigger.name),
            Change::Policy(PolicyChange::Drop { policy, .. }) => add("policy", &policy.name),
            Change::DropFunction { function, .. } => add("function", &function.name.name),
            // `pg_describe_object` calls an aggregate a function too.
            Change::Aggregate(super::AggregateChange::Drop(aggregate)) => {
                add("function", &aggregate.name.name)
            }
            Change::DropTable(table) => {
                for trigger in table.triggers.keys() {
                    add("trigger", trigger);
                }
                for policy in table.policies.keys() {
                    add("policy", policy);
                }
            }
            Change::DropView(view) => {
                for trigger in view.triggers.keys() {
                    add("trigger", trigger);
                }
            }
            _ => {}
        }
    }
    dropped
}

/// The kind and name `pg_describe_object` starts with; a function's name without its
/// argument list.
fn described_object(user: &str) -> (String, String) {
    let mut words = user.split_whitespace();
    let kind = words.next().unwrap_or_default().to_string();
    let name = words.next().unwrap_or_default();
    let name = name.split('(').next().unwrap_or(name);
    let name = name.rsplit('.').next().unwrap_or(name);
    (kind, name.to_string())
}

/// The defaults, generated columns, checks and indexes of `table` that name `function` and
/// that `changes` do not drop.
fn expression_users(
    table: &crate::model::Table,
    function: &FunctionName,
    changes: &[Change],
) -> Vec<String> {
    let calls = |text: &str| words(text).contains(&function.name);
    let dropped = |what: &dyn Fn(&Change) -> bool| changes.iter().any(what);
    let mut users = Vec::new();
    for column in &table.columns {
        let column_goes = dropped(&|change| {
            matches!(change, Change::DropColumn { table: name, column: dropped, .. }
                if *name == table.name && dropped.name == column.name)
        });
        let expression_changes = dropped(&|change| {
            matches!(change, Change::AlterColumn { table: name, from, to, .. }
                if *name == table.name && from.name == column.name
                    && (from.default != to.default || from.generated != to.generated))
        });
        if column_goes || expression_changes {
            continue;
        }
        if column
            .default
            .as_ref()
            .is_some_and(|text| calls(text.as_str()))
        {
            users.push(format!("the default of column {}", column.name));
        }
        if column
            .generated
            .as_ref()
            .is_some_and(|text| calls(text.as_str()))
        {
            users.push(format!("generated column {}", column.name));
        }
    }
    for check in table.checks.values() {
        let goes = dropped(&|change| {
            matches!(change, Change::DropCheck { table: name, check: dropped }
                if *name == table.name && dropped.name == check.name)
        });
        if !goes && calls(check.expression.as_str()) {
            users.push(format!("check {}", check.name));
        }
    }
    let index_calls = |index: &crate::model::Index| {
        index
            .predicate
            .iter()
            .chain(index.keys.iter().filter_map(|key| match &key.target {
                crate::model::IndexTarget::Expression(expression) => Some(expression),
                crate::model::IndexTarget::Column(_) => None,
            }))
            .any(|text| calls(text.as_str()))
    };
    for index in table.indexes.values() {
        let goes = dropped(&|change| {
            matches!(change, Change::DropIndex { table: name, index: dropped }
                if *name == table.name && dropped.name == index.name)
        });
        if !goes && index_calls(index) {
            users.push(format!("index {}", index.name));
        }
    }
    for exclusion in table.exclusions.values() {
        let goes = dropped(&|change| {
            matches!(change, Change::DropExclusion { table: name, exclusion: dropped }
                if *name == table.name && dropped.name == exclusion.name)
        });
        if !goes && index_calls(&exclusion.index()) {
            users.push(format!("exclusion constraint {}", exclusion.name));
        }
    }
    users
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{
        Argument, ArgumentMode, CheckConstraint, Expr, Parallel, Returns, Table, View, ViewOptions,
        Volatility,
    };

    fn function(name: &str, returns: &str, argument: &str) -> Function {
        let arguments = vec![Argument {
            mode: ArgumentMode::In,
            name: Some(argument.to_string()),
            data_type: "integer".to_string(),
            default: None,
        }];
        Function {
            name: FunctionName {
                schema: "public".to_string(),
                name: name.to_string(),
                argument_types: Function::identity_types(&arguments, false),
            },
            procedure: false,
            arguments,
            returns: Some(Returns::Type {
                setof: false,
                data_type: returns.to_string(),
            }),
            language: "sql".to_string(),
            body: FunctionBody::Source("SELECT 1".to_string()),
            volatility: Volatility::Immutable,
            strict: false,
            security_definer: false,
            leakproof: false,
            parallel: Parallel::Unsafe,
            cost: None,
            rows: None,
            config: Vec::new(),
            comment: None,
        }
    }

    #[test]
    fn inverse_of_inverse_is_identity() {
        let from = function("f", "integer", "x");
        let to = function("f", "bigint", "x");
        for change in [
            Change::CreateFunction {
                function: from.clone(),
                placement: FunctionPlacement::BeforeRelations,
            },
            Change::DropFunction {
                function: from.clone(),
                placement: FunctionPlacement::AfterRelations,
            },
            Change::AlterFunction {
                from,
                to,
                placement: FunctionPlacement::BeforeRelations,
            },
        ] {
            assert_eq!(change.inverse().inverse(), change);
            assert_ne!(change.inverse(), change);
        }
    }

    #[test]
    fn replaceable_follows_postgres() {
        let base = function("f", "integer", "x");
        let body = Function {
            body: FunctionBody::Source("SELECT 2".to_string()),
            ..base.clone()
        };
        assert!(base.replaceable_by(&body));
        assert!(!base.replaceable_by(&function("f", "bigint", "x")));
        assert!(!base.replaceable_by(&function("f", "integer", "y")));
        let mut with_default = base.clone();
        with_default.arguments[0].default = Some(Expr::new("1"));
        assert!(base.replaceable_by(&with_default));
        assert!(!with_default.replaceable_by(&base));
        let procedure = Function {
            procedure: true,
            returns: None,
            ..base.clone()
        };
        assert!(!base.replaceable_by(&procedure));
    }

    #[test]
    fn a_recreated_function_is_dropped_and_refuses_unmanaged_callers() {
        let from = function("f", "integer", "x");
        let to = function("f", "bigint", "x");
        let mut schema = Schema::default();
        let table_name = QualifiedName::new("public", "t");
        let mut table = Table::new(table_name.clone());
        table.checks.insert(
            "t_check".to_string(),
            CheckConstraint {
                name: "t_check".to_string(),
                expression: Expr::new("f(a) > 0"),
                valid: true,
                comment: None,
                no_inherit: false,
            },
        );
        schema.tables.insert(table_name.clone(), table);
        let view_name = QualifiedName::new("public", "v");
        schema.views.insert(
            view_name.clone(),
            View {
                name: view_name.clone(),
                definition: Expr::new("SELECT f(1) AS one"),
                materialized: false,
                options: ViewOptions::default(),
                indexes: Default::default(),
                comment: None,
                column_comments: Default::default(),
                depends_on: Default::default(),
                triggers: Default::default(),
            },
        );
        // Offline too: `pg_describe_object` does not name a domain check's domain.
        let domain_name = QualifiedName::new("public", "d");
        schema.domains.insert(
            domain_name.clone(),
            crate::model::Domain {
                name: domain_name,
                base_type: "integer".to_string(),
                collation: None,
                default: Some(Expr::new("f(1)")),
                not_null: false,
                checks: BTreeMap::from([(
                    "d_check".to_string(),
                    CheckConstraint {
                        name: "d_check".to_string(),
                        expression: Expr::new("f(VALUE) > 0"),
                        valid: true,
                        comment: None,
                        no_inherit: false,
                    },
                )]),
                comment: None,
            },
        );
        schema.functions.insert(from.name.clone(), from.clone());
        let users = BTreeMap::from([(from.name.clone(), vec!["trigger g on t".to_string()])]);
        let changes = vec![Change::AlterFunction {
            from: from.clone(),
            to: to.clone(),
            placement: FunctionPlacement::BeforeRelations,
        }];
        assert_eq!(
            dropped_routines(&changes),
            BTreeSet::from([ObjectRef::Function(from.name.clone())])
        );
        let problems = blocked_function_drops(&schema, &users, &changes);
        assert_eq!(problems.len(), 4, "{problems:?}");
        assert!(problems[0].starts_with("trigger g on t calls function f(integer)"));
        assert!(problems[1].starts_with("type d calls function f(integer)"));
        assert!(problems[2].starts_with("check d_check of domain d calls function f(integer)"));
        assert!(problems[3].starts_with("check t_check on t calls function f(integer)"));

        let in_place = vec![Change::AlterFunction {
            from: from.clone(),
            to: Function {
                body: FunctionBody::Source("SELECT 2".to_string()),
                ..from
            },
            placement: FunctionPlacement::BeforeRelations,
        }];
        assert!(blocked_function_drops(&schema, &users, &in_place).is_empty());
        assert!(dropped_routines(&in_place).is_empty());
    }
}
