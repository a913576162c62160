//! An overload replaced by another of the same name (`area(w, h)` by `area(w, h, d DEFAULT
//! 1)`): while both exist a call that fits either is ambiguous, so the old one is dropped
//! before the views that call the name come back, not at the end.

use std::collections::BTreeSet;

use super::{Phase, Step};
use crate::diff::{Change, FunctionPlacement};
use crate::model::QualifiedName;

pub(super) fn drop_replaced_overloads_early(changes: &[Change], steps: &mut [Step]) {
    let created: BTreeSet<QualifiedName> = changes
        .iter()
        .filter_map(|change| match change {
            Change::CreateFunction { function, .. } => Some(QualifiedName::new(
                &function.name.schema,
                &function.name.name,
            )),
            _ => None,
        })
        .collect();
    for step in steps.iter_mut() {
        if let Change::DropFunction {
            function,
            placement: FunctionPlacement::BeforeRelations,
            ..
        } = &step.change
        {
            let name = QualifiedName::new(&function.name.schema, &function.name.name);
            if step.phase == Phase::DropFunction && created.contains(&name) {
                step.phase = Phase::DropReplacedOverload;
            }
        }
    }
}
