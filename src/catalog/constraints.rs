//! Keys, checks, exclusion constraints, foreign keys and indexes of the managed tables (and
//! the indexes of materialized views): two bulk queries over `pg_constraint` and `pg_index`
//! (stage 2, read-only).

use tokio_postgres::Client;

use super::queries::*;
use super::version::ServerVersion;
use super::{catalog_error, run, storage_parameters, table_for_row, CatalogRow, TablesByOid};
use crate::error::Result;
use crate::model::{
    CheckConstraint, Deferrable, Expr, ForeignKey, Index, IndexKey, IndexTarget, MatchType,
    PrimaryKey, QualifiedName, ReferentialAction, UniqueConstraint,
};

pub(super) async fn read_constraints(
    client: &Client,
    version: ServerVersion,
    table_oids: &[u32],
    tables: &mut TablesByOid,
) -> Result<()> {
    let (query, sql) = if version.supports_nulls_not_distinct() {
        ("CONSTRAINTS_QUERY", CONSTRAINTS_QUERY)
    } else {
        ("CONSTRAINTS_QUERY_PRE_15", CONSTRAINTS_QUERY_PRE_15)
    };
    for row in run(client, query, sql, &[&table_oids]).await? {
        let row = CatalogRow::new(query, &row);
        let table = table_for_row(tables, &row)?;
        let name: String = row.get("constraint_name")?;
        let columns: Vec<String> = row.get("columns")?;
        let deferrable = match (row.get("is_deferrable")?, row.get("is_deferred")?) {
            (false, _) => Deferrable::NotDeferrable,
            (true, false) => Deferrable::Immediate,
            (true, true) => Deferrable::Deferred,
        };
        let comment: Option<String> = row.get("comment")?;
        let describe = || format!("constraint {name} on {}", table.name);

        match row.get::<String>("constraint_type")?.as_str() {
            "p" => {
                table.primary_key = Some(PrimaryKey {
                    name,
                    columns,
                    include: row.get("include")?,
                    deferrable,
                    comment,
                })
            }
            "u" => {
                let unique = UniqueConstraint {
                    name: name.clone(),
                    columns,
                    include: row.get("include")?,
                    nulls_not_distinct: row.get("nulls_not_distinct")?,
                    deferrable,
                    comment,
                };
                table.uniques.insert(name, unique);
            }
            "f" => {
                let referenced_columns: Vec<String> = row.get("referenced_columns")?;
                let referenced_schema: Option<String> = row.get("referenced_schema")?;
                let referenced_table: Option<String> = row.get("referenced_table")?;
                let (Some(referenced_schema), Some(referenced_table)) =
                    (referenced_schema, referenced_table)
                else {
                    let message = format!("{} references no table", describe());
                    return Err(catalog_error(query, message));
                };
                if columns.is_empty() || columns.len() != referenced_columns.len() {
                    let message = format!(
                        "{} pairs {} columns with {} referenced columns",
                        describe(),
                        columns.len(),
                        referenced_columns.len()
                    );
                    return Err(catalog_error(query, message));
                }
                let on_delete = referential_action(&row.get::<String>("on_delete")?);
                let on_update = referential_action(&row.get::<String>("on_update")?);
                let (Some(on_delete), Some(on_update)) = (on_delete, on_update) else {
                    let message = format!("{} has an unknown referential action", describe());
                    return Err(catalog_error(query, message));
                };
                // `p` (MATCH PARTIAL) is reserved but not implemented by PostgreSQL.
                let match_type = match row.get::<String>("match_type")?.as_str() {
                    "s" => MatchType::Simple,
                    "f" => MatchType::Full,
                    other => {
                        let message = format!("{} has match type {other:?}", describe());
                        return Err(catalog_error(query, message));
                    }
                };
                let foreign_key = ForeignKey {
                    name: name.clone(),
                    columns,
                    referenced_table: QualifiedName::new(referenced_schema, referenced_table),
                    referenced_columns,
                    on_delete,
                    on_update,
                    deferrable,
                    match_type,
                    valid: row.get("valid")?,
                    comment,
                };
                table.foreign_keys.insert(name, foreign_key);
            }
            "c" => {
                let Some(expression) = row.get::<Option<String>>("check_expression")? else {
                    let message = format!("{} has no expression", describe());
                    return Err(catalog_error(query, message));
                };
                let check = CheckConstraint {
                    name: name.clone(),
                    expression: Expr(expression),
                    valid: row.get("valid")?,
                    comment,
                    no_inherit: row.get("no_inherit")?,
                };
                table.checks.insert(name, check);
            }
            "x" => {
                let definition: String = row.get("definition")?;
                let mut exclusion =
                    crate::ddl::exclusion_definition(&name, &definition).map_err(|message| {
                        catalog_error(query, format!("{}: {message}", describe()))
                    })?;
                exclusion.comment = comment;
                table.exclusions.insert(name, exclusion);
            }
            other => {
                let message = format!("{} has unexpected type {other:?}", describe());
                return Err(catalog_error(query, message));
            }
        }
    }
    Ok(())
}

/// `pg_constraint.confdeltype` / `confupdtype` codes.
fn referential_action(code: &str) -> Option<ReferentialAction> {
    match code {
        "a" => Some(ReferentialAction::NoAction),
        "r" => Some(ReferentialAction::Restrict),
        "c" => Some(ReferentialAction::Cascade),
        "n" => Some(ReferentialAction::SetNull),
        "d" => Some(ReferentialAction::SetDefault),
        _ => None,
    }
}

/// `pg_index.indoption` bits (`INDOPTION_DESC`, `INDOPTION_NULLS_FIRST`).
const INDOPTION_DESC: i32 = 0x0001;
const INDOPTION_NULLS_FIRST: i32 = 0x0002;

pub(super) async fn read_indexes(
    client: &Client,
    version: ServerVersion,
    table_oids: &[u32],
    tables: &mut TablesByOid,
) -> Result<()> {
    let (query, sql) = if version.supports_nulls_not_distinct() {
        ("INDEXES_QUERY", INDEXES_QUERY)
    } else {
        ("INDEXES_QUERY_PRE_15", INDEXES_QUERY_PRE_15)
    };
    // One row per index column; the index-level fields repeat on every row of an index.
    for row in run(client, query, sql, &[&table_oids]).await? {
        let row = CatalogRow::new(query, &row);
        let table = table_for_row(tables, &row)?;
        let table_name = table.name.clone();
        let name: String = row.get("index_name")?;
        // The first row of an index makes it; every row adds a key or an included column.
        if !table.indexes.contains_key(&name) {
            let index = Index {
                name: name.clone(),
                unique: row.get("is_unique")?,
                method: row.get("method")?,
                keys: Vec::new(),
                include: Vec::new(),
                predicate: row.get::<Option<String>>("predicate")?.map(Expr),
                nulls_not_distinct: row.get("nulls_not_distinct")?,
                storage_parameters: storage_parameters(
                    row.get::<Option<Vec<String>>>("storage_parameters")?,
                ),
                comment: row.get("comment")?,
            };
            table.indexes.insert(name.clone(), index);
        }
        let index = &mut table.indexes[name.as_str()];

        let column_name: Option<String> = row.get("column_name")?;
        if row.get("is_included")? {
            let Some(column_name) = column_name else {
                let message = format!("index {name} on {table_name} includes a non-column");
                return Err(catalog_error(query, message));
            };
            index.include.push(column_name);
            continue;
        }
        let target = match (column_name, row.get::<Option<String>>("expression")?) {
            (Some(column_name), _) => IndexTarget::Column(column_name),
            (None, Some(expression)) => IndexTarget::Expression(Expr(expression)),
            (None, None) => {
                let message = format!("index {name} on {table_name} has an unreadable key");
                return Err(catalog_error(query, message));
            }
        };
        let options: i32 = row.get("key_options")?;
        index.keys.push(IndexKey {
            target,
            collation: row.get("collation")?,
            opclass: row.get("opclass")?,
            descending: options & INDOPTION_DESC != 0,
            nulls_first: options & INDOPTION_NULLS_FIRST != 0,
        });
    }
    Ok(())
}
