//! Order of created and dropped domains and composite types: each after the ones of its
//! kind it is built on (a domain over a domain, a composite with a composite attribute),
//! drops in reverse. A stable depth-first sort over names, like views.

use std::collections::{BTreeMap, BTreeSet};

use super::{Phase, Step};
use crate::diff::{names_type, Change, TypeChange};
use crate::model::QualifiedName;

/// Steps for the created and dropped types among `changes` (other changes are ignored).
pub(super) fn ordered(changes: &[TypeChange]) -> Vec<Step> {
    let mut steps = Vec::new();
    let mut by_phase: BTreeMap<Phase, BTreeMap<QualifiedName, (TypeChange, Vec<String>)>> =
        BTreeMap::new();
    for change in changes {
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
                steps.push(Step {
                    change: Change::Type(change),
                    phase,
                });
            }
        }
    }
    steps
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
        assert_eq!(names(&ordered(&creates)), order);
        let drops: Vec<TypeChange> = creates.iter().map(TypeChange::inverse).collect();
        let reversed: Vec<&str> = order.iter().rev().copied().collect();
        assert_eq!(names(&ordered(&drops)), reversed);
    }
}
