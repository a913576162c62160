//! What a change does to data and to a running application: the data it destroys and
//! the locks, rewrites and scans it takes, as the script notes them.

use super::type_change;
use super::{needs_rebuild, Change};
use crate::model::{storage_type, Column, QualifiedName};

impl Change {
    /// What data this change destroys, if any, in words for a script comment.
    pub fn data_loss(&self) -> Option<String> {
        match self {
            Change::DropTable(table) => Some(format!("drops table {} and all its rows", table.name)),
            // A generated column's values are computed again from the other columns.
            Change::DropColumn { column, .. } if column.generated.is_some() => None,
            Change::DropColumn { table, column, .. } => Some(format!(
                "drops column {table}.{} and all its values",
                column.name
            )),
            Change::DropEnum(enum_type) => Some(format!("drops enum {}", enum_type.name)),
            Change::Type(type_change) => type_change.data_loss(),
            Change::DropSequence(sequence) => Some(format!(
                "drops sequence {} and its current value",
                sequence.name
            )),
            Change::AlterEnum { from, to, .. } => {
                let removed: Vec<&str> = from
                    .values
                    .iter()
                    .filter(|value| !to.values.contains(value))
                    .map(String::as_str)
                    .collect();
                (!removed.is_empty()).then(|| {
                    format!(
                        "removes value(s) {} from enum {}; rows holding them make it fail",
                        removed.join(", "),
                        from.name
                    )
                })
            }
            Change::AlterColumn {
                table, from, to, ..
            } if !type_change(from, to).lossless =>
            {
                Some(format!(
                    "changes column {table}.{} from {} to {}; values that do not fit are lost or make it fail",
                    from.name, from.data_type, to.data_type
                ))
            }
            _ => None,
        }
    }

    /// What the change does to a running application, strongest lock first.
    pub fn hazards(&self) -> Vec<Hazard> {
        let mut hazards = Vec::new();
        if let Some(loss) = self.data_loss() {
            hazards.push(Hazard::DataLoss(loss));
        }
        let table_lock = |table: &QualifiedName| Hazard::Lock {
            lock: "ACCESS EXCLUSIVE",
            table: table.to_string(),
        };
        match self {
            Change::DropTable(table) => hazards.push(table_lock(&table.name)),
            Change::DropView(view) => hazards.push(table_lock(&view.name)),
            Change::CreateView(view) if view.materialized => {
                hazards.push(Hazard::FullTableScan(format!(
                    "tables read by {}",
                    view.name
                )));
            }
            Change::AddColumn {
                table,
                column,
                backfill,
            } => {
                hazards.push(table_lock(table));
                if column.identity.is_some() || column.generated.is_some() || backfill.is_some() {
                    hazards.push(Hazard::TableRewrite(table.to_string()));
                }
            }
            Change::RenameTable { from, .. } => hazards.push(table_lock(from)),
            // PostgreSQL copies the table into a new file either way.
            Change::SetLogged { table, .. } => {
                hazards.push(table_lock(table));
                hazards.push(Hazard::TableRewrite(table.to_string()));
            }
            Change::AlterViewOptions { view, .. } => hazards.push(table_lock(view)),
            Change::AlterIndexParameters { table, .. }
            | Change::AlterTableParameters { table, .. } => hazards.push(Hazard::Lock {
                lock: "SHARE UPDATE EXCLUSIVE",
                table: table.to_string(),
            }),
            Change::Policy(change) => hazards.push(table_lock(change.table())),
            Change::UpdateExtension { name, from, .. } => hazards.push(Hazard::ExtensionUpdate {
                extension: name.clone(),
                from: from.clone(),
            }),
            Change::Trigger(change) => hazards.push(Hazard::Lock {
                lock: "SHARE ROW EXCLUSIVE",
                table: change.relation().to_string(),
            }),
            Change::Type(type_change) => type_change.hazards(&mut hazards),
            Change::RenameColumn { table, .. }
            | Change::RenameConstraint { table, .. }
            | Change::RenameIndex { table, .. } => hazards.push(table_lock(table)),
            Change::DropColumn { table, .. }
            | Change::DropPrimaryKey { table, .. }
            | Change::DropUnique { table, .. }
            | Change::DropCheck { table, .. }
            | Change::DropForeignKey { table, .. }
            | Change::DropIndex { table, .. } => hazards.push(table_lock(table)),
            Change::AlterColumn {
                table,
                from,
                to,
                hints,
                ..
            } => {
                hazards.push(table_lock(table));
                // A new collation alone keeps the stored bytes (indexes on the column are rebuilt).
                let needs_rewrite = type_change(from, to).rewrites
                    || (to.generated.is_some() && from.generated != to.generated)
                    || (from.identity.is_none() && to.identity.is_some());
                let fills_rows = hints.backfill.is_some() && from.nullable && !to.nullable;
                if needs_rewrite || fills_rows {
                    hazards.push(Hazard::TableRewrite(table.to_string()));
                } else if from.nullable && !to.nullable {
                    hazards.push(Hazard::FullTableScan(table.to_string()));
                }
            }
            Change::AddPrimaryKey { table, .. }
            | Change::AddUnique { table, .. }
            | Change::AddCheck { table, .. } => {
                hazards.push(table_lock(table));
                hazards.push(Hazard::FullTableScan(table.to_string()));
            }
            Change::AddForeignKey { table, foreign_key } => {
                hazards.push(Hazard::Lock {
                    lock: "SHARE ROW EXCLUSIVE",
                    table: format!("{table} and {}", foreign_key.referenced_table),
                });
                hazards.push(Hazard::FullTableScan(table.to_string()));
            }
            Change::CreateIndex { table, .. } => {
                hazards.push(Hazard::Lock {
                    lock: "SHARE (blocks writes)",
                    table: table.to_string(),
                });
                hazards.push(Hazard::FullTableScan(table.to_string()));
            }
            Change::AlterEnum {
                from,
                to,
                columns,
                new_value_used,
                ..
            } if needs_rebuild(from, to, *new_value_used) => {
                for column_use in columns {
                    hazards.push(table_lock(&column_use.table));
                    hazards.push(Hazard::TableRewrite(column_use.table.to_string()));
                }
            }
            _ => {}
        }
        let mut seen = std::collections::BTreeSet::new();
        hazards.retain(|hazard| seen.insert(hazard.clone()));
        hazards
    }

    /// True when the change destroys data that its inverse cannot bring back.
    pub fn is_destructive(&self) -> bool {
        self.data_loss().is_some()
    }
}

/// What a statement does to a running application.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub enum Hazard {
    DataLoss(String),
    TableRewrite(String),
    FullTableScan(String),
    Lock {
        lock: &'static str,
        table: String,
    },
    /// The extension's own update script runs: it may rewrite or lock what the extension
    /// provides, and the way back needs a downgrade script, which few extensions ship.
    ExtensionUpdate {
        extension: String,
        from: Option<String>,
    },
}

impl std::fmt::Display for Hazard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Hazard::DataLoss(what) => write!(f, "data loss: {what}"),
            Hazard::TableRewrite(table) => write!(f, "table rewrite: {table}"),
            Hazard::FullTableScan(table) => write!(f, "full-table scan: {table}"),
            Hazard::Lock { lock, table } => write!(f, "{lock} lock: {table}"),
            Hazard::ExtensionUpdate { extension, from } => write!(
                f,
                "extension update: {extension} runs its update script from {}, which may \
                 lock or rewrite what it provides and may have no way back",
                from.as_deref().unwrap_or("the installed version")
            ),
        }
    }
}

fn type_change(from: &Column, to: &Column) -> type_change::TypeChange {
    type_change::classify(storage_type(&from.data_type), storage_type(&to.data_type))
}
