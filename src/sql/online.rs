//! The online forms of changes (`plan::Form`): each statement with the lock it really takes
//! and where it runs, in a transaction or alone outside one.

use super::*;
use crate::diff::LockMode;
use crate::plan::Step;

pub(super) fn pieces(step: &Step, form: Form) -> Vec<Piece> {
    let change = &step.change;
    match (form, change) {
        (Form::Concurrently, Change::CreateIndex { table, index }) => {
            let mut pieces = vec![outside(
                create_index_in(table, index, "CONCURRENTLY IF NOT EXISTS "),
                change.hazards_concurrently(),
            )];
            if let Some(comment) = &index.comment {
                pieces.push(Piece::new(
                    index_comment(table, &index.name, Some(comment)),
                    Vec::new(),
                ));
            }
            pieces
        }
        (Form::Concurrently, Change::DropIndex { table, index }) => vec![outside(
            format!(
                "DROP INDEX CONCURRENTLY IF EXISTS {}",
                qualified(&QualifiedName::new(&table.schema, &index.name))
            ),
            change.hazards_concurrently(),
        )],
        (Form::UsingIndex, Change::AddPrimaryKey { table, primary_key }) => using_index(
            table,
            primary_key,
            key_index(
                &primary_key.name,
                &primary_key.columns,
                &primary_key.include,
                false,
            ),
            "PRIMARY KEY",
            primary_key.deferrable,
        ),
        (Form::UsingIndex, Change::AddUnique { table, unique }) => using_index(
            table,
            unique,
            key_index(
                &unique.name,
                &unique.columns,
                &unique.include,
                unique.nulls_not_distinct,
            ),
            "UNIQUE",
            unique.deferrable,
        ),
        (
            Form::BatchedBackfill(batch_size),
            Change::AlterColumn {
                table, to, hints, ..
            },
        ) => match &hints.backfill {
            Some(backfill) => vec![Piece {
                notes: vec![format!(
                    "backfill: fills {table}.{} in batches of {batch_size} rows, each \
                     committed (row locks only, as the application's own updates)",
                    to.name
                )],
                ..outside(
                    batched_backfill(table, &to.name, backfill, batch_size),
                    Vec::new(),
                )
            }],
            None => plain(change),
        },
        (Form::ProvenNotNull, _) => {
            let mut hazards = change.hazards_proven_not_null();
            statements_for(change)
                .into_iter()
                .map(|sql| Piece::new(sql, std::mem::take(&mut hazards)))
                .collect()
        }
        (Form::OutsideTransaction, _) => plain(change)
            .into_iter()
            .map(|piece| Piece {
                boundary: Boundary::Outside,
                ..piece
            })
            .collect(),
        (Form::OwnTransaction, _) => {
            let mut pieces = plain(change);
            for piece in &mut pieces {
                piece.boundary = Boundary::NewTransaction;
            }
            pieces
        }
        _ => plain(change),
    }
}

fn plain(change: &Change) -> Vec<Piece> {
    let mut hazards = change.hazards();
    statements_for(change)
        .into_iter()
        .map(|sql| Piece::new(sql, std::mem::take(&mut hazards)))
        .collect()
}

fn outside(sql: String, hazards: Vec<Hazard>) -> Piece {
    Piece {
        boundary: Boundary::Outside,
        ..Piece::new(sql, hazards)
    }
}

/// The unique b-tree index a key is built on, named as the key.
fn key_index(
    name: &str,
    columns: &[String],
    include: &[String],
    nulls_not_distinct: bool,
) -> Index {
    Index {
        name: name.to_string(),
        unique: true,
        method: "btree".into(),
        keys: columns.iter().map(IndexKey::column).collect(),
        include: include.to_vec(),
        predicate: None,
        nulls_not_distinct,
        storage_parameters: Default::default(),
        comment: None,
    }
}

/// The key's index built concurrently (writes go on), then adopted by the constraint,
/// which needs only a brief ACCESS EXCLUSIVE lock and no scan.
fn using_index(
    table: &QualifiedName,
    constraint: &impl Constraint,
    index: Index,
    kind: &str,
    deferrable: Deferrable,
) -> Vec<Piece> {
    let build = Change::CreateIndex {
        table: table.clone(),
        index: index.clone(),
    };
    let mut pieces = vec![outside(
        create_index_in(table, &index, "CONCURRENTLY IF NOT EXISTS "),
        build.hazards_concurrently(),
    )];
    let adopt = format!(
        "{kind} USING INDEX {}{}",
        ident(&index.name),
        deferrable_clause(deferrable)
    );
    let lock = Hazard::Lock {
        lock: LockMode::AccessExclusive,
        table: table.to_string(),
    };
    let mut adopt_statements = add_constraint_and_comment(table, constraint, &adopt).into_iter();
    if let Some(sql) = adopt_statements.next() {
        pieces.push(Piece::new(sql, vec![lock]));
    }
    pieces.extend(adopt_statements.map(|sql| Piece::new(sql, Vec::new())));
    pieces
}

/// A `DO` block that fills `column` where it is NULL, `batch_size` rows at a time in the
/// table's physical order, committing after each batch so no row lock is held for long. It
/// must run outside a transaction block, where `COMMIT` inside `DO` is allowed. A row the
/// application updates meanwhile may move behind the scan, so the scan starts again while
/// NULLs remain, at most `MAX_PASSES` times (an application still writing NULLs then makes
/// the `VALIDATE` after it fail, naming the check).
fn batched_backfill(
    table: &QualifiedName,
    column: &str,
    backfill: &Expr,
    batch_size: u32,
) -> String {
    backfill_block(
        &qualified(table),
        &ident(column),
        backfill.as_str(),
        &batch_size.to_string(),
    )
}

/// Passes of a backfill over the table; see `batched_backfill`.
const MAX_PASSES: u32 = 10;

fn backfill_block(table: &str, column: &str, expression: &str, batch_size: &str) -> String {
    let body = format!(
        "\nDECLARE\n    \
         batch pg_catalog.tid[];\n    \
         last pg_catalog.tid := '(0,0)';\n    \
         passes integer := 1;\n\
         BEGIN\n    \
         LOOP\n        \
         SELECT pg_catalog.array_agg(ctid ORDER BY ctid) INTO batch FROM (\n            \
         SELECT ctid FROM {table} WHERE ctid > last AND {column} IS NULL\n            \
         ORDER BY ctid LIMIT {batch_size}\n        \
         ) AS next_rows;\n        \
         IF batch IS NULL THEN\n            \
         EXIT WHEN passes = {MAX_PASSES} OR NOT EXISTS (SELECT FROM {table} WHERE {column} IS NULL);\n            \
         passes := passes + 1;\n            \
         last := '(0,0)';\n            \
         CONTINUE;\n        \
         END IF;\n        \
         UPDATE {table} SET {column} = {expression}\n            \
         WHERE ctid = ANY (batch) AND {column} IS NULL;\n        \
         last := batch[pg_catalog.array_upper(batch, 1)];\n        \
         COMMIT;\n    \
         END LOOP;\n\
         END\n"
    );
    let tag = functions::dollar_tag("backfill", &body);
    format!("DO {tag}{body}{tag}")
}

/// The table a `DO` block fills, when the block is exactly what `batched_backfill` writes
/// (with a name, a column, a number and one expression in its slots): the only `DO` the
/// offline interpreter accepts, since it cannot follow procedural code.
pub fn backfilled_table(sql: &str) -> Option<QualifiedName> {
    let update = sql.split_once("\n        UPDATE ")?.1;
    let (table, update) = update.split_once(" SET ")?;
    let (column, update) = update.split_once(" = ")?;
    let (expression, _) = update.split_once("\n            WHERE ctid = ANY (batch)")?;
    let limit = sql.split_once("ORDER BY ctid LIMIT ")?.1;
    let (batch_size, _) = limit.split_once('\n')?;
    let mut cursor = crate::cursor::Cursor::new(table).ok()?;
    let name = cursor.qualified_name().ok()?;
    cursor.expect_end().ok()?;
    let mut cursor = crate::cursor::Cursor::new(column).ok()?;
    cursor.identifier().ok()?;
    cursor.expect_end().ok()?;
    batch_size.parse::<u32>().ok()?;
    crate::guard::fragment(crate::guard::Fragment::Expression, expression).ok()?;
    (backfill_block(table, column, expression, batch_size) == sql).then_some(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_backfill_blocks_autogen_writes_are_recognized() {
        let table = QualifiedName::new("public", "students");
        let block = batched_backfill(&table, "Email", &Expr::new("lower(name)"), 500);
        assert_eq!(backfilled_table(&block), Some(table));
        let smuggled = block.replace("COMMIT;", "DROP TABLE other; COMMIT;");
        assert_eq!(backfilled_table(&smuggled), None);
        let second_statement = block.replace("lower(name)", "1; DROP TABLE other");
        assert_eq!(backfilled_table(&second_statement), None);
        assert_eq!(backfilled_table("DO $$ BEGIN NULL; END $$"), None);
    }
}
