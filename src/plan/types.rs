//! Order of created and dropped domains and composite types: each after the ones of its
//! kind it is built on (a domain over a domain, a composite with a composite attribute),
//! drops in reverse. A stable depth-first sort over names, like views.

use std::collections::{BTreeMap, BTreeSet};

use super::{Phase, Step};
use crate::diff::{Change, TypeChange};
use crate::model::QualifiedName;
use crate::syntax::types::names_type;

/// Steps for the created and dropped types among `changes` (other changes are ignored).
/// A domain whose default or checks call a function this plan creates or drops is created
/// bare and gets them once functions exist, or loses them before functions go (a function
/// may take the domain as argument, so the domain cannot simply follow it).
pub(super) fn ordered(changes: &[TypeChange], planned_functions: &BTreeSet<&str>) -> Vec<Step> {
    let mut steps = Vec::new();
    let (changes, detached) = detach_function_calls(changes, planned_functions);
    for change in detached {
        steps.push(Step::new(Change::Type(change), Phase::AlterDomain));
    }
    let mut by_phase: BTreeMap<Phase, BTreeMap<QualifiedName, (TypeChange, Vec<String>)>> =
        BTreeMap::new();
    for change in &changes {
        let (phase, name, uses) = match change {
            TypeChange::CreateDomain(domain) | TypeChange::DropDomain(domain) => {
                let phase = match change {
                    TypeChange::CreateDomain(_) => Phase::CreateDomain,
                    _ => Phase::DropDomain,
                };
                (phase, &domain.name, vec![domain.base_type.clone()])
            }
            TypeChange::CreateComposite(composite) | TypeChange::DropComposite(composite) => {
                let phase = match change {
                    TypeChange::CreateComposite(_) => Phase::CreateCompositeType,
                    _ => Phase::DropCompositeType,
                };
                let uses = composite
                    .attributes
                    .iter()
                    .map(|attribute| attribute.data_type.clone())
                    .collect();
                (phase, &composite.name, uses)
            }
            _ => continue,
        };
        by_phase
            .entry(phase)
            .or_default()
            .insert(name.clone(), (change.clone(), uses));
    }
    for (phase, mut members) in by_phase {
        let mut order = Vec::new();
        let mut visited = BTreeSet::new();
        for name in members.keys() {
            visit(name, &members, &mut visited, &mut order);
        }
        if matches!(phase, Phase::DropDomain | Phase::DropCompositeType) {
            order.reverse();
        }
        for name in order {
            if let Some((change, _)) = members.remove(&name) {
                steps.push(Step::new(Change::Type(change), phase));
            }
        }
    }
    steps
}

/// Created and dropped domains split into the bare domain and the `ALTER DOMAIN` that adds
/// (or, before a drop, removes) a default or checks calling one of `planned_functions`.
fn detach_function_calls(
    changes: &[TypeChange],
    planned_functions: &BTreeSet<&str>,
) -> (Vec<TypeChange>, Vec<TypeChange>) {
    let calls_planned_function = |expression: &str| {
        expression
            .split(|c: char| !(c.is_alphanumeric() || c == '_'))
            .any(|word| planned_functions.contains(word))
    };
    let mut kept = Vec::new();
    let mut detached = Vec::new();
    for change in changes {
        let (TypeChange::CreateDomain(domain) | TypeChange::DropDomain(domain)) = change else {
            kept.push(change.clone());
            continue;
        };
        let mut bare = domain.clone();
        bare.checks
            .retain(|_, check| !calls_planned_function(check.expression.as_str()));
        if bare
            .default
            .as_ref()
            .is_some_and(|default| calls_planned_function(default.as_str()))
        {
            bare.default = None;
        }
        let creating = matches!(change, TypeChange::CreateDomain(_));
        if bare != *domain {
            let (from, to) = match creating {
                true => (bare.clone(), domain.clone()),
                false => (domain.clone(), bare.clone()),
            };
            detached.push(TypeChange::AlterDomain {
                from,
                to,
                columns: Vec::new(),
                columns_after: Vec::new(),
            });
        }
        kept.push(match creating {
            true => TypeChange::CreateDomain(bare),
            false => TypeChange::DropDomain(bare),
        });
    }
    (kept, detached)
}

fn visit(
    name: &QualifiedName,
    members: &BTreeMap<QualifiedName, (TypeChange, Vec<String>)>,
    visited: &mut BTreeSet<QualifiedName>,
    order: &mut Vec<QualifiedName>,
) {
    if !visited.insert(name.clone()) {
        return;
    }
    if let Some((_, uses)) = members.get(name) {
        for other in members.keys() {
            if other != name && uses.iter().any(|type_text| names_type(type_text, other)) {
                visit(other, members, visited, order);
            }
        }
    }
    order.push(name.clone());
}

/// The phase of a type change.
pub(super) fn phase_of(change: &TypeChange) -> Phase {
    match change {
        TypeChange::CreateDomain(_) => Phase::CreateDomain,
        TypeChange::DropDomain(_) => Phase::DropDomain,
        TypeChange::AlterDomain { .. } => Phase::AlterDomain,
        TypeChange::CreateComposite(_) => Phase::CreateCompositeType,
        TypeChange::DropComposite(_) => Phase::DropCompositeType,
        TypeChange::AlterComposite { .. } => Phase::AlterCompositeType,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Domain;

    fn domain(name: &str, base_type: &str) -> Domain {
        Domain {
            name: QualifiedName::new("public", name),
            base_type: base_type.to_string(),
            collation: None,
            default: None,
            not_null: false,
            checks: BTreeMap::new(),
            comment: None,
        }
    }

    fn names(steps: &[Step]) -> Vec<String> {
        steps
            .iter()
            .map(|step| step.change.object().to_string())
            .collect()
    }

    #[test]
    fn domains_come_after_the_domains_they_are_built_on() {
        let creates = [
            TypeChange::CreateDomain(domain("a_small", "b_positive")),
            TypeChange::CreateDomain(domain("b_positive", "c_number[]")),
            TypeChange::CreateDomain(domain("c_number", "integer")),
        ];
        let order = ["domain c_number", "domain b_positive", "domain a_small"];
        assert_eq!(names(&ordered(&creates, &BTreeSet::new())), order);
        let drops: Vec<TypeChange> = creates.iter().map(TypeChange::inverse).collect();
        let reversed: Vec<&str> = order.iter().rev().copied().collect();
        assert_eq!(names(&ordered(&drops, &BTreeSet::new())), reversed);
    }
}
