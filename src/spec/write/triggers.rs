//! The YAML of triggers, policies and row-level security, as `lower` reads it back.

use super::{text, texts, Node};
use crate::model::{
    Deferrable, Policy, PolicyCommand, RowSecurity, Trigger, TriggerEnabled, TriggerTiming,
};
use crate::syntax::names::format_qualified;

/// `row_level_security`, `triggers` and `policies` entries of a table or view.
pub(super) fn attached_entries(
    row_security: RowSecurity,
    triggers: &crate::model::NameMap<Trigger>,
    policies: &crate::model::NameMap<Policy>,
) -> Vec<(String, Node)> {
    let mut entries = Vec::new();
    if row_security != RowSecurity::default() {
        let mut fields = vec![("enabled".to_owned(), Node::Bool(row_security.enabled))];
        if row_security.forced {
            fields.push(("forced".to_owned(), Node::Bool(true)));
        }
        entries.push(("row_level_security".to_owned(), Node::Map(fields)));
    }
    if !triggers.is_empty() {
        let nodes = triggers
            .values()
            .map(|trigger| (trigger.name.clone(), trigger_node(trigger)));
        entries.push(("triggers".to_owned(), Node::Section(nodes.collect())));
    }
    if !policies.is_empty() {
        let nodes = policies
            .values()
            .map(|policy| (policy.name.clone(), policy_node(policy)));
        entries.push(("policies".to_owned(), Node::Section(nodes.collect())));
    }
    entries
}

fn trigger_node(trigger: &Trigger) -> Node {
    let timing = match trigger.timing {
        TriggerTiming::Before => "before",
        TriggerTiming::After => "after",
        TriggerTiming::InsteadOf => "instead_of",
    };
    let events: Vec<String> = trigger
        .events
        .keywords()
        .iter()
        .map(|keyword| keyword.to_ascii_lowercase())
        .collect();
    let mut fields = vec![
        ("timing".to_owned(), text(timing)),
        ("events".to_owned(), texts(&events)),
    ];
    if !trigger.update_columns.is_empty() {
        fields.push(("update_of".to_owned(), texts(&trigger.update_columns)));
    }
    if trigger.for_each_row {
        fields.push(("for_each".to_owned(), text("row")));
    }
    if let Some(condition) = &trigger.condition {
        fields.push(("when".to_owned(), text(condition.as_str())));
    }
    for (key, table) in [
        ("old_table", &trigger.old_table),
        ("new_table", &trigger.new_table),
    ] {
        if let Some(table) = table {
            fields.push((key.to_owned(), text(table)));
        }
    }
    if let Some(deferrable) = trigger.constraint {
        fields.push(("constraint".to_owned(), Node::Bool(true)));
        if deferrable != Deferrable::NotDeferrable {
            fields.push(("deferrable".to_owned(), Node::Bool(true)));
        }
        if deferrable == Deferrable::Deferred {
            fields.push(("initially_deferred".to_owned(), Node::Bool(true)));
        }
    }
    fields.push((
        "function".to_owned(),
        text(&format_qualified(&trigger.function)),
    ));
    if !trigger.arguments.is_empty() {
        fields.push(("arguments".to_owned(), texts(&trigger.arguments)));
    }
    let enabled = match trigger.enabled {
        TriggerEnabled::Origin => None,
        TriggerEnabled::Disabled => Some(Node::Bool(false)),
        TriggerEnabled::Replica => Some(text("replica")),
        TriggerEnabled::Always => Some(text("always")),
    };
    if let Some(enabled) = enabled {
        fields.push(("enabled".to_owned(), enabled));
    }
    if let Some(comment) = &trigger.comment {
        fields.push(("comment".to_owned(), text(comment)));
    }
    Node::Section(fields)
}

fn policy_node(policy: &Policy) -> Node {
    let mut fields = Vec::new();
    if policy.command != PolicyCommand::All {
        let command = policy.command.as_sql().to_ascii_lowercase();
        fields.push(("command".to_owned(), text(&command)));
    }
    if !policy.permissive {
        fields.push(("restrictive".to_owned(), Node::Bool(true)));
    }
    if policy.roles != ["public"] {
        fields.push(("roles".to_owned(), texts(&policy.roles)));
    }
    if let Some(using) = &policy.using {
        fields.push(("using".to_owned(), text(using.as_str())));
    }
    if let Some(with_check) = &policy.with_check {
        fields.push(("with_check".to_owned(), text(with_check.as_str())));
    }
    if let Some(comment) = &policy.comment {
        fields.push(("comment".to_owned(), text(comment)));
    }
    Node::Section(fields)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::spec::{parse, write};

    /// The issue 11 fixtures' schema files (triggers, policies, privileges) read back the
    /// same once written.
    #[test]
    fn triggers_policies_and_row_level_security_round_trip() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
        let mut n_cases = 0;
        for entry in std::fs::read_dir(&root).expect("fixtures/cases exists") {
            let case = entry.expect("a directory entry").path();
            if !case.to_string_lossy().contains("issue-11-") {
                continue;
            }
            n_cases += 1;
            let text = std::fs::read_to_string(case.join("desired.yaml")).expect("desired.yaml");
            let schema = parse(&text, Path::new("desired.yaml"))
                .expect("parses")
                .schema;
            let written = write(&schema);
            let reparsed = parse(&written, Path::new("written.yaml"))
                .unwrap_or_else(|error| panic!("{error}\nwritten:\n{written}"))
                .schema;
            // Renames are hints for one migration, never written back.
            let expected = crate::model::Schema {
                directives: crate::model::Directives {
                    declared_privileges: schema.directives.declared_privileges.clone(),
                    declared_owners: schema.directives.declared_owners.clone(),
                    ..Default::default()
                },
                ..schema
            };
            assert_eq!(reparsed, expected, "written:\n{written}");
        }
        assert!(n_cases > 0, "no issue-11 fixture cases");
    }
}
