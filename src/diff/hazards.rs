//! What a change does to data and to a running application: the data it destroys and
//! the locks, rewrites and scans it takes, as the script notes them.

use super::type_change;
use super::{
    removes_or_moves_values, Change, ColumnHints, OwnerChange, TriggerChange, ValidatedConstraint,
};
use std::collections::BTreeMap;

use crate::model::{storage_type, Column, Domain, Expr, PrivilegeObject, QualifiedName, Schema};
use crate::syntax::quote;

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
                table,
                from,
                to,
                hints,
                ..
            } if !type_change(from, to, hints).lossless =>
            {
                Some(format!(
                    "changes column {table}.{} from {} to {}; values that do not fit are lost or make it fail",
                    from.name, from.data_type, to.data_type
                ))
            }
            // The column is dropped and added again, computed.
            Change::AlterColumn {
                table, from, to, ..
            } if from.generated.is_none() && to.generated.is_some() => Some(format!(
                "replaces the values of column {table}.{} with computed ones",
                from.name
            )),
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
            lock: LockMode::AccessExclusive,
            table: table.to_string(),
        };
        match self {
            Change::DropTable(table) => hazards.push(table_lock(&table.name)),
            Change::CreateTable(table) => {
                if let Some(partition_of) = &table.partition_of {
                    super::partitions::partition_created(partition_of, &mut hazards);
                }
            }
            Change::Partition(change) => change.hazards(&mut hazards),
            Change::DropView(view) | Change::ReplaceView { to: view, .. } => {
                hazards.push(table_lock(&view.name))
            }
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
                checked_domain,
            } => {
                hazards.push(table_lock(table));
                if column.identity.is_some()
                    || column.generated.is_some()
                    || backfill.is_some()
                    || *checked_domain
                    || column.default.as_ref().is_some_and(calls_volatile_function)
                {
                    hazards.push(Hazard::TableRewrite(table.to_string()));
                }
                // Added without NOT NULL, filled, then `SET NOT NULL` reads the table again.
                if backfill.is_some() && !column.nullable {
                    hazards.push(Hazard::FullTableScan(table.to_string()));
                }
            }
            Change::RenameTable { from, .. } => hazards.push(table_lock(from)),
            // PostgreSQL copies the table into a new file either way.
            Change::SetLogged { table, .. } => {
                hazards.push(table_lock(table));
                hazards.push(Hazard::TableRewrite(table.to_string()));
            }
            Change::AlterViewOptions { view, .. } => hazards.push(table_lock(view)),
            Change::AlterTableParameters { table, .. } => hazards.push(Hazard::Lock {
                lock: LockMode::ShareUpdateExclusive,
                table: table.to_string(),
            }),
            // The index alone is locked, as strongly as its strongest changed parameter needs.
            Change::AlterIndexParameters {
                table,
                index,
                from,
                to,
            } => {
                let changed = from
                    .keys()
                    .chain(to.keys())
                    .filter(|name| from.get(*name) != to.get(*name));
                let lock = match changed
                    .into_iter()
                    .all(|name| INDEX_PARAMETERS_UNDER_SHARE_UPDATE_EXCLUSIVE.contains(&&**name))
                {
                    true => LockMode::ShareUpdateExclusive,
                    false => LockMode::AccessExclusive,
                };
                hazards.push(Hazard::Lock {
                    lock,
                    table: QualifiedName::new(&table.schema, index).to_string(),
                });
            }
            Change::Policy(change) => hazards.push(table_lock(change.table())),
            // `ALTER TABLE ... OWNER TO` (of a view or sequence too) takes ACCESS EXCLUSIVE.
            Change::Owner(OwnerChange {
                object: PrivilegeObject::Table(relation) | PrivilegeObject::Sequence(relation),
                ..
            }) => hazards.push(table_lock(relation)),
            Change::UpdateExtension { name, from, .. } => hazards.push(Hazard::ExtensionUpdate {
                extension: name.clone(),
                from: from.clone(),
            }),
            // `DROP TRIGGER` takes ACCESS EXCLUSIVE (checked against `pg_locks`).
            Change::Trigger(TriggerChange::Drop { relation, .. }) => {
                hazards.push(table_lock(relation))
            }
            Change::Trigger(change) => hazards.push(Hazard::Lock {
                lock: LockMode::ShareRowExclusive,
                table: change.relation().to_string(),
            }),
            Change::Type(type_change) => type_change.hazards(&mut hazards),
            Change::RenameColumn { table, .. } | Change::RenameConstraint { table, .. } => {
                hazards.push(table_lock(table))
            }
            // PostgreSQL 12+ renames an index under SHARE UPDATE EXCLUSIVE on the index alone.
            Change::RenameIndex { table, from, .. } => hazards.push(Hazard::Lock {
                lock: LockMode::ShareUpdateExclusive,
                table: QualifiedName::new(&table.schema, from).to_string(),
            }),
            Change::DropColumn { table, .. }
            | Change::DropPrimaryKey { table, .. }
            | Change::DropUnique { table, .. }
            | Change::DropCheck { table, .. }
            | Change::DropExclusion { table, .. }
            | Change::DropIndex { table, .. } => hazards.push(table_lock(table)),
            // Dropping a foreign key drops its triggers on both tables.
            Change::DropForeignKey { table, foreign_key } => {
                hazards.push(table_lock(table));
                hazards.push(table_lock(&foreign_key.referenced_table));
            }
            // `SET STATISTICS` alone takes SHARE UPDATE EXCLUSIVE.
            Change::AlterColumn {
                table, from, to, ..
            } if only_statistics_change(from, to) => hazards.push(Hazard::Lock {
                lock: LockMode::ShareUpdateExclusive,
                table: table.to_string(),
            }),
            Change::AlterColumn {
                table,
                from,
                to,
                hints,
                ..
            } => {
                hazards.push(table_lock(table));
                let needs_rewrite = rewrites_column(from, to, hints);
                // A backfill writes only the rows that are NULL: no rewrite.
                if needs_rewrite {
                    hazards.push(Hazard::TableRewrite(table.to_string()));
                }
                // A rewrite checks NOT NULL as it goes; after a backfill's UPDATE,
                // `SET NOT NULL` reads the table again.
                if from.nullable && !to.nullable && !needs_rewrite {
                    hazards.push(Hazard::FullTableScan(table.to_string()));
                }
            }
            // NOT VALID skips the rows already there.
            Change::AddCheck { table, check } if !check.valid => hazards.push(table_lock(table)),
            Change::AddForeignKey { table, foreign_key } if !foreign_key.valid => {
                hazards.push(Hazard::Lock {
                    lock: LockMode::ShareRowExclusive,
                    table: format!("{table} and {}", foreign_key.referenced_table),
                });
            }
            Change::AddPrimaryKey { table, .. }
            | Change::AddUnique { table, .. }
            | Change::AddCheck { table, .. }
            | Change::AddExclusion { table, .. } => {
                hazards.push(table_lock(table));
                hazards.push(Hazard::FullTableScan(table.to_string()));
            }
            Change::AddForeignKey { table, foreign_key } => {
                hazards.push(Hazard::Lock {
                    lock: LockMode::ShareRowExclusive,
                    table: format!("{table} and {}", foreign_key.referenced_table),
                });
                hazards.push(Hazard::FullTableScan(table.to_string()));
            }
            Change::ValidateConstraint {
                table, valid: true, ..
            } => {
                hazards.push(Hazard::Lock {
                    lock: LockMode::ShareUpdateExclusive,
                    table: table.to_string(),
                });
                hazards.push(Hazard::FullTableScan(table.to_string()));
            }
            Change::ValidateConstraint {
                table, constraint, ..
            } => {
                hazards.push(table_lock(table));
                // Dropped and added again `NOT VALID`: the drop locks both tables.
                if let ValidatedConstraint::ForeignKey(foreign_key) = constraint {
                    hazards.push(table_lock(&foreign_key.referenced_table));
                }
            }
            Change::CreateIndex { table, .. } => {
                hazards.push(Hazard::Lock {
                    lock: LockMode::Share,
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
            } if removes_or_moves_values(from, to) => {
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

    /// `hazards` when the statement builds or drops an index `CONCURRENTLY`: it waits for
    /// running transactions instead of blocking writes (SHARE UPDATE EXCLUSIVE).
    pub fn hazards_concurrently(&self) -> Vec<Hazard> {
        let mut hazards = self.hazards();
        if matches!(self, Change::CreateIndex { .. } | Change::DropIndex { .. }) {
            for hazard in &mut hazards {
                if let Hazard::Lock { lock, .. } = hazard {
                    *lock = LockMode::ShareUpdateExclusive;
                }
            }
        }
        hazards
    }

    /// `hazards` of `SET NOT NULL` when a validated `CHECK (column IS NOT NULL)` proves it:
    /// PostgreSQL 12+ skips the scan.
    pub fn hazards_proven_not_null(&self) -> Vec<Hazard> {
        let mut hazards = self.hazards();
        hazards.retain(|hazard| !matches!(hazard, Hazard::FullTableScan(_)));
        hazards
    }

    /// True for a column change the server makes by writing the table again.
    pub fn rewrites_column(&self) -> bool {
        match self {
            Change::AlterColumn {
                from, to, hints, ..
            } => rewrites_column(from, to, hints),
            _ => false,
        }
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
        lock: LockMode,
        table: String,
    },
    /// The extension's own update script runs: it may rewrite or lock what the extension
    /// provides, and the way back needs a downgrade script, which few extensions ship.
    ExtensionUpdate {
        extension: String,
        from: Option<String>,
    },
}

impl Hazard {
    pub fn kind(&self) -> HazardKind {
        match self {
            Hazard::DataLoss(_) => HazardKind::DataLoss,
            Hazard::TableRewrite(_) => HazardKind::Rewrite,
            Hazard::FullTableScan(_) => HazardKind::Scan,
            Hazard::Lock { lock, .. } => lock.kind(),
            Hazard::ExtensionUpdate { .. } => HazardKind::ExtensionUpdate,
        }
    }
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

/// The table-level locks changes take, in the order their labels sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LockMode {
    /// Blocks reads and writes.
    AccessExclusive,
    /// Blocks writes (`CREATE INDEX`).
    Share,
    /// Blocks writes and other such locks (triggers, foreign keys).
    ShareRowExclusive,
    /// Blocks only schema changes and maintenance (`CREATE INDEX CONCURRENTLY`, storage
    /// parameters, `VALIDATE CONSTRAINT`).
    ShareUpdateExclusive,
}

impl LockMode {
    pub fn kind(self) -> HazardKind {
        match self {
            LockMode::AccessExclusive => HazardKind::AccessExclusiveLock,
            LockMode::Share => HazardKind::ShareLock,
            LockMode::ShareRowExclusive => HazardKind::ShareRowExclusiveLock,
            LockMode::ShareUpdateExclusive => HazardKind::ShareUpdateExclusiveLock,
        }
    }
}

impl std::fmt::Display for LockMode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            LockMode::AccessExclusive => "ACCESS EXCLUSIVE",
            LockMode::Share => "SHARE (blocks writes)",
            LockMode::ShareRowExclusive => "SHARE ROW EXCLUSIVE",
            LockMode::ShareUpdateExclusive => "SHARE UPDATE EXCLUSIVE",
        })
    }
}

/// A hazard's kind, by the stable name `allow_hazards`, `--allow-hazard` and the
/// `-- accepted hazards:` header line use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum HazardKind {
    DataLoss,
    Rewrite,
    Scan,
    AccessExclusiveLock,
    ShareLock,
    ShareRowExclusiveLock,
    ShareUpdateExclusiveLock,
    /// An extension's own update script, which autogen cannot see into.
    ExtensionUpdate,
}

impl HazardKind {
    pub const ALL: [HazardKind; 8] = [
        HazardKind::DataLoss,
        HazardKind::Rewrite,
        HazardKind::Scan,
        HazardKind::AccessExclusiveLock,
        HazardKind::ShareLock,
        HazardKind::ShareRowExclusiveLock,
        HazardKind::ShareUpdateExclusiveLock,
        HazardKind::ExtensionUpdate,
    ];

    pub fn name(self) -> &'static str {
        match self {
            HazardKind::DataLoss => "data-loss",
            HazardKind::Rewrite => "rewrite",
            HazardKind::Scan => "scan",
            HazardKind::AccessExclusiveLock => "access-exclusive-lock",
            HazardKind::ShareLock => "share-lock",
            HazardKind::ShareRowExclusiveLock => "share-row-exclusive-lock",
            HazardKind::ShareUpdateExclusiveLock => "share-update-exclusive-lock",
            HazardKind::ExtensionUpdate => "extension-update",
        }
    }

    /// The kind a name means; the error lists the names there are.
    pub fn parse(name: &str) -> Result<HazardKind, String> {
        HazardKind::ALL
            .into_iter()
            .find(|kind| kind.name() == name)
            .ok_or_else(|| {
                format!(
                    "unknown hazard kind {name:?}; the kinds are {}",
                    HazardKind::ALL.map(HazardKind::name).join(", ")
                )
            })
    }
}

impl std::fmt::Display for HazardKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// A new collation alone keeps the stored bytes (indexes on the column are rebuilt).
/// `ADD GENERATED ... AS IDENTITY` on a kept column only attaches a sequence: no rewrite
/// (checked against `relfilenode`).
fn rewrites_column(from: &Column, to: &Column, hints: &ColumnHints) -> bool {
    type_change(from, to, hints).rewrites
        || (to.generated.is_some() && from.generated != to.generated)
}

fn only_statistics_change(from: &Column, to: &Column) -> bool {
    from.statistics != to.statistics
        && Column {
            statistics: to.statistics,
            ..from.clone()
        } == *to
}

/// Index storage parameters PostgreSQL changes under SHARE UPDATE EXCLUSIVE on the index
/// (`reloptions.c`); the others (GIN's `fastupdate`, GiST's `buffering`, ...) take ACCESS
/// EXCLUSIVE.
const INDEX_PARAMETERS_UNDER_SHARE_UPDATE_EXCLUSIVE: &[&str] = &[
    "fillfactor",
    "deduplicate_items",
    "vacuum_cleanup_index_scale_factor",
    "autosummarize",
];

/// Built-in volatile functions a column default commonly calls: a new column with such a
/// default gets a value per row, which PostgreSQL writes by rewriting the table (a stable
/// or immutable default is stored once in the catalog instead).
const VOLATILE_FUNCTIONS: &[&str] = &[
    "nextval",
    "random",
    "clock_timestamp",
    "timeofday",
    "gen_random_uuid",
    "uuid_generate_v1",
    "uuid_generate_v1mc",
    "uuid_generate_v4",
    "txid_current",
    "pg_current_xact_id",
];

/// Marks the added and dropped columns whose type is a domain with a NOT NULL, a check or a
/// volatile default (its own or a base domain's): PostgreSQL rewrites the table to check or
/// fill each row when such a column is added (and when a dropped one comes back).
pub(super) fn mark_checked_domains(current: &Schema, desired: &Schema, changes: &mut [Change]) {
    let (current_domains, desired_domains) = (checked_domains(current), checked_domains(desired));
    for change in changes {
        match change {
            Change::AddColumn {
                column,
                checked_domain,
                ..
            } => *checked_domain = rewrites_when_added(&desired_domains, column),
            Change::DropColumn {
                column,
                checked_domain,
                ..
            } => *checked_domain = rewrites_when_added(&current_domains, column),
            _ => {}
        }
    }
}

/// Each domain's type name → whether its constraints are checked on every row (then `true`)
/// or only its default is volatile (`false`); domains with neither are left out.
fn checked_domains(schema: &Schema) -> BTreeMap<String, bool> {
    let by_type_name: BTreeMap<String, &Domain> = schema
        .domains
        .values()
        .map(|domain| (quote::type_name(&domain.name), domain))
        .collect();
    let mut checked = BTreeMap::new();
    for (type_name, domain) in &by_type_name {
        let mut constrained = false;
        let mut volatile_default = None;
        // A domain over a domain inherits its constraints and, unless it has its own, its
        // default; the chain is bounded so a cycle in a malformed schema cannot loop.
        let mut step = Some(*domain);
        for _ in 0..=by_type_name.len() {
            let Some(domain) = step else { break };
            constrained |= domain.not_null || !domain.checks.is_empty();
            if volatile_default.is_none() {
                volatile_default = domain.default.as_ref().map(calls_volatile_function);
            }
            step = by_type_name.get(&domain.base_type).copied();
        }
        if constrained || volatile_default == Some(true) {
            checked.insert(type_name.clone(), constrained);
        }
    }
    checked
}

fn rewrites_when_added(domains: &BTreeMap<String, bool>, column: &Column) -> bool {
    domains
        .get(&column.data_type)
        .is_some_and(|&constrained| constrained || column.default.is_none())
}

fn calls_volatile_function(default: &Expr) -> bool {
    let text = default.as_str().to_ascii_lowercase();
    VOLATILE_FUNCTIONS.iter().any(|function| {
        text.match_indices(function).any(|(at, _)| {
            let before = text[..at].chars().next_back();
            let after = text[at + function.len()..].trim_start().chars().next();
            !before.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == '"')
                && after == Some('(')
        })
    })
}

fn type_change(from: &Column, to: &Column, hints: &ColumnHints) -> type_change::TypeChange {
    hints.conversion.unwrap_or_else(|| {
        type_change::classify(storage_type(&from.data_type), storage_type(&to.data_type))
    })
}
