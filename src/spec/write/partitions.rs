//! The YAML of partitioning and inheritance, as `lower` reads it back: a partition is its
//! parent and bounds (it inherits everything else), an inheritance child its parents.

use super::{text, Node};
use crate::model::{IndexTarget, PartitionKeyColumn, PartitionStrategy, Table};
use crate::syntax::names::format_qualified;

/// `partition_by`, `partition_of` and `inherits` entries of a table.
pub(super) fn entries(table: &Table) -> Vec<(String, Node)> {
    let mut entries = Vec::new();
    if let Some(partition_of) = &table.partition_of {
        let fields = vec![
            (
                "parent".to_owned(),
                text(&format_qualified(&partition_of.parent)),
            ),
            ("bounds".to_owned(), text(&partition_of.bound.to_sql())),
        ];
        entries.push(("partition_of".to_owned(), Node::Map(fields)));
    }
    if !table.inherits.is_empty() {
        let parents = table
            .inherits
            .iter()
            .map(|parent| text(&format_qualified(parent)));
        entries.push(("inherits".to_owned(), Node::List(parents.collect())));
    }
    if let Some(key) = &table.partition_by {
        let strategy = match key.strategy {
            PartitionStrategy::Range => "range",
            PartitionStrategy::List => "list",
            PartitionStrategy::Hash => "hash",
        };
        let columns = Node::List(key.columns.iter().map(key_column_node).collect());
        entries.push((
            "partition_by".to_owned(),
            Node::Map(vec![(strategy.to_owned(), columns)]),
        ));
    }
    entries
}

/// A column's name, or a key map when it is an expression or has a collation or opclass.
fn key_column_node(column: &PartitionKeyColumn) -> Node {
    let target = match &column.target {
        IndexTarget::Column(name) if column.collation.is_none() && column.opclass.is_none() => {
            return text(name)
        }
        IndexTarget::Column(name) => ("column".to_owned(), text(name)),
        IndexTarget::Expression(expression) => ("expression".to_owned(), text(expression.as_str())),
    };
    let mut fields = vec![target];
    if let Some(collation) = &column.collation {
        fields.push(("collation".to_owned(), text(collation)));
    }
    if let Some(opclass) = &column.opclass {
        fields.push(("opclass".to_owned(), text(opclass)));
    }
    Node::Map(fields)
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use crate::spec::{parse, write};

    /// The issue 12 fixtures' schema files read back the same once written.
    #[test]
    fn partitions_and_inheritance_round_trip() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
        let mut n_cases = 0;
        for entry in std::fs::read_dir(&root).expect("fixtures/cases exists") {
            let case = entry.expect("a directory entry").path();
            if !case.to_string_lossy().contains("issue-12-") {
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
            assert_eq!(reparsed, schema, "written:\n{written}");
        }
        assert!(n_cases > 0, "no issue-12 fixture cases");
    }
}
