//! The fixture runner: every case under `fixtures/cases/` is proven on a scratch database.
//!
//! A case holds `desired.yaml`, optionally `current.sql` or `current.yaml` (absent: empty
//! database), and the expected `up.sql` / `down.sql`. For each case: build current, check
//! the generated scripts against the expected files, apply up and require an empty re-diff,
//! apply down and require the original schema back. An optional `setup.sql` runs first and
//! is not replayed offline: it creates what the model does not hold (the roles a case grants
//! to, which belong to the whole cluster: named `autogen_test_*`, created when missing and
//! never dropped, since concurrent runs share them). An optional `autogen.toml` sets how the
//! case is planned (`online = true`, `backfill_batch_size`); scripts with steps are applied
//! step by step, as the runner does.
//! `FIXTURE=<substring>` filters cases;
//! `UPDATE_FIXTURES=1` rewrites the expected files (review the git diff).

use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use autogen::model::{QualifiedName, Schema};
use autogen::source::{self, Source};

use crate::scratch::ScratchDb;

#[tokio::test]
async fn fixture_cases_round_trip() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/cases");
    let filter = std::env::var("FIXTURE").unwrap_or_default();
    let mut cases: Vec<PathBuf> = std::fs::read_dir(&root)
        .expect("fixtures/cases exists")
        .filter_map(|entry| entry.ok().map(|entry| entry.path()))
        .filter(|path| path.is_dir())
        .filter(|path| path.to_string_lossy().contains(&filter))
        .collect();
    cases.sort();
    assert!(
        !cases.is_empty(),
        "no fixture case matches FIXTURE={filter:?}"
    );

    let mut failures = Vec::new();
    for case in &cases {
        let name = case.file_name().unwrap_or_default().to_string_lossy();
        match check_case(case).await {
            Ok(()) => eprintln!("fixture {name}: ok"),
            Err(message) => failures.push(format!("fixture {name}:\n{message}")),
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} fixture cases failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

async fn check_case(case: &Path) -> Result<(), String> {
    let database = ScratchDb::create("autogen_fixture").await;
    let mut client = database.client().await;
    let here = Source::Database(database.url.clone());
    let desired_file = Source::SchemaFile(case.join("desired.yaml"));

    if let Ok(setup_sql) = std::fs::read_to_string(case.join("setup.sql")) {
        client
            .batch_execute(&setup_sql)
            .await
            .map_err(|error| format!("setup.sql does not run: {error:?}"))?;
    }
    // The SQL that built the database so far, for the offline replay to interpret.
    let mut history = Vec::new();
    if let Ok(current_sql) = std::fs::read_to_string(case.join("current.sql")) {
        client
            .batch_execute(&current_sql)
            .await
            .map_err(|error| format!("current.sql does not load: {error:?}"))?;
        history.push(current_sql);
    } else if case.join("current.yaml").exists() {
        let current_file = Source::SchemaFile(case.join("current.yaml"));
        let (empty, current) = read_pair(&here, &current_file).await?;
        let setup = autogen::generate(&empty, &current);
        apply(&mut client, &setup.up, "building current.yaml").await?;
        history.push(setup.up.to_text());
    }

    let (current, desired) = read_pair(&here, &desired_file).await?;
    let replays = !NOT_REPLAYABLE.iter().any(|name| case.ends_with(name));
    let mut problems = Vec::new();
    if replays {
        problems.extend(replay_differs(&history, &current, "current"));
    }
    let rows_before = snapshot_rows(&client, &current).await?;
    let mode = plan_mode(case)?;
    let migration = autogen::generate_in(&current, &desired, mode);
    for (file, script) in [("up.sql", &migration.up), ("down.sql", &migration.down)] {
        if let Err(problem) = compare_expected(&case.join(file), &script.to_text()) {
            problems.push(problem);
        }
    }

    apply(&mut client, &migration.up, "up").await?;
    let (after_up, desired_again) = read_pair(&here, &desired_file).await?;
    history.push(migration.up.to_text());
    if replays {
        problems.extend(replay_differs(&history, &after_up, "after up"));
    }
    let leftover = autogen::generate(&after_up, &desired_again);
    if !leftover.up.is_empty() {
        problems.push(format!(
            "after up, the database still differs from desired.yaml:\n{}",
            leftover.up.to_text()
        ));
    }

    let rows_after_up = snapshot_rows(&client, &after_up).await?;
    // Backfilled columns change by design; a type change and its cast back need not give
    // the same text (the downgrade says so).
    let mut exempt_up: Vec<(QualifiedName, String)> =
        desired.directives.backfills.keys().cloned().collect();
    // A composite value gains or loses fields with its type's attributes.
    exempt_up.extend(columns_of_changed_composites(&current, &desired));
    let mut exempt_down = exempt_up.clone();
    // So are columns and tables the upgrade dropped: their data is gone by design.
    let mut dropped_tables = Vec::new();
    for (table_name, rows) in &rows_before {
        let Some(rows_up) = rows_after_up.get(table_name) else {
            dropped_tables.push(table_name.clone());
            continue;
        };
        for (column, data_type) in &rows.types {
            if rows_up.types.get(column) != Some(data_type) {
                exempt_down.push((table_name.clone(), column.clone()));
            }
        }
    }
    problems.extend(compare_rows(
        &rows_before,
        &rows_after_up,
        &desired,
        &exempt_up,
        "up",
    ));

    apply(&mut client, &migration.down, "down").await?;
    let (after_down, _) = read_pair(&here, &desired_file).await?;
    history.push(migration.down.to_text());
    if replays {
        problems.extend(replay_differs(&history, &after_down, "after down"));
    }
    let mut rows_after_down = snapshot_rows(&client, &after_down).await?;
    for table_name in &dropped_tables {
        rows_after_down.remove(table_name);
    }
    let no_renames = Schema::default();
    for problem in compare_rows(
        &rows_before,
        &rows_after_down,
        &no_renames,
        &exempt_down,
        "down",
    ) {
        problems.push(problem);
    }
    let leftover = autogen::generate(&current, &after_down);
    if !leftover.up.is_empty() {
        problems.push(format!(
            "after down, the database differs from the original (SQL from original to now):\n{}",
            leftover.up.to_text()
        ));
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(problems.join("\n"))
    }
}

/// The case's `autogen.toml` mode, or one transaction without it.
fn plan_mode(case: &Path) -> Result<autogen::plan::Mode, String> {
    let path = case.join("autogen.toml");
    if !path.exists() {
        return Ok(autogen::plan::Mode::Transactional);
    }
    autogen::config::Config::load(Some(&path))
        .map(|config| config.plan_mode(false))
        .map_err(|error| format!("{error}"))
}

/// Cases whose starting SQL uses objects outside the model (functions, triggers, ...),
/// which the offline interpreter rightly refuses.
const NOT_REPLAYABLE: &[&str] = &["unmanaged-objects-are-left-alone"];

/// The state replayed offline from `history` must be what the catalog read, up to the
/// offline equivalence of expressions (`(0)::numeric` and `0`).
fn replay_differs(history: &[String], introspected: &Schema, stage: &str) -> Option<String> {
    let mut interpreter = autogen::ddl::Interpreter::new();
    for (n, text) in history.iter().enumerate() {
        let path = PathBuf::from(format!("step{n}.sql"));
        if let Err(error) = interpreter.run(text, &path) {
            return Some(format!("{stage}: offline replay failed: {error}"));
        }
    }
    let mut replayed = autogen::normalize::normalize(interpreter.schema());
    replayed
        .schemas
        .retain(|name| introspected.schemas.contains(name));
    autogen::equivalence::align(introspected, &mut replayed);
    let difference = autogen::generate(introspected, &replayed);
    (!difference.up.is_empty()).then(|| {
        format!(
            "{stage}: the offline replay differs from the database (SQL from database to replay):\n{}",
            difference.up.to_text()
        )
    })
}

async fn read_pair(
    from: &Source,
    to: &Source,
) -> Result<(autogen::model::Schema, autogen::model::Schema), String> {
    source::read_pair(from, to, &Default::default())
        .await
        .map_err(|error| format!("reading schemas failed: {error}"))
}

async fn apply(
    client: &mut tokio_postgres::Client,
    script: &autogen::sql::Script,
    what: &str,
) -> Result<(), String> {
    autogen::apply::apply(client, script, what)
        .await
        .map_err(|error| {
            format!(
                "applying {what} failed: {error}\nscript:\n{}",
                script.to_text()
            )
        })
}

/// Compares generated text with the expected file, or rewrites it under `UPDATE_FIXTURES=1`.
fn compare_expected(path: &Path, actual: &str) -> Result<(), String> {
    if std::env::var_os("UPDATE_FIXTURES").is_some() {
        return std::fs::write(path, actual)
            .map_err(|error| format!("{}: {error}", path.display()));
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected == actual {
        return Ok(());
    }
    let diff = similar::TextDiff::from_lines(expected.as_str(), actual)
        .unified_diff()
        .header(&format!("expected {}", path.display()), "generated")
        .to_string();
    Err(format!(
        "{} differs (UPDATE_FIXTURES=1 rewrites it):\n{diff}",
        path.display()
    ))
}

/// Columns whose type is a composite type that differs between the two schemas.
fn columns_of_changed_composites(
    current: &Schema,
    desired: &Schema,
) -> Vec<(QualifiedName, String)> {
    let changed: Vec<&QualifiedName> = current
        .composite_types
        .iter()
        .filter(|(name, composite)| desired.composite_types.get(*name) != Some(*composite))
        .map(|(name, _)| name)
        .collect();
    current
        .tables
        .values()
        .flat_map(|table| {
            table
                .columns
                .iter()
                .filter(|column| {
                    changed
                        .iter()
                        .any(|name| autogen::syntax::types::names_type(&column.data_type, name))
                })
                .map(|column| (table.name.clone(), column.name.clone()))
        })
        .collect()
}

/// Every table's own rows (`ONLY`: a parent's are not its children's, so rows moving with
/// an attached or detached partition stay with it) as column → value text (NULL as
/// `None`), keyed by table, with the types of all its columns (a child's inherited ones
/// included), so values are only compared where the type stayed the same.
struct TableRows {
    types: BTreeMap<String, String>,
    rows: Vec<BTreeMap<String, Option<String>>>,
}

async fn snapshot_rows(
    client: &tokio_postgres::Client,
    schema: &Schema,
) -> Result<BTreeMap<QualifiedName, TableRows>, String> {
    let mut snapshot = BTreeMap::new();
    for table in schema.tables.values() {
        let sql = format!(
            "SELECT to_jsonb(t)::text FROM ONLY {} t",
            autogen::syntax::quote::qualified(&table.name)
        );
        let rows = client
            .query(&sql, &[])
            .await
            .map_err(|error| format!("reading rows of {}: {error}", table.name))?;
        let mut decoded = Vec::new();
        for row in rows {
            let json: String = row.get(0);
            let object: BTreeMap<String, yaml_serde::Value> = yaml_serde::from_str(&json)
                .map_err(|error| format!("decoding a row of {}: {error}", table.name))?;
            decoded.push(
                object
                    .into_iter()
                    .map(|(column, value)| {
                        let text = match value {
                            yaml_serde::Value::Null => None,
                            other => Some(yaml_serde::to_string(&other).unwrap_or_default()),
                        };
                        (column, text)
                    })
                    .collect(),
            );
        }
        // Generated columns hold derived values, which a new expression changes by design.
        let types = autogen::inheritance::effective_columns(schema, table)
            .iter()
            .filter(|column| column.generated.is_none())
            .map(|column| (column.name.clone(), column.data_type.clone()))
            .collect();
        snapshot.insert(
            table.name.clone(),
            TableRows {
                types,
                rows: decoded,
            },
        );
    }
    Ok(snapshot)
}

/// Rows must survive a step wherever the step does not destroy them by its nature: every
/// table in both snapshots keeps its row count, and every column in both (after declared
/// renames, enum labels included) with an unchanged type keeps its values.
fn compare_rows(
    before: &BTreeMap<QualifiedName, TableRows>,
    after: &BTreeMap<QualifiedName, TableRows>,
    renames_from: &Schema,
    exempt: &[(QualifiedName, String)],
    step: &str,
) -> Vec<String> {
    let directives = &renames_from.directives;
    let as_value = |text: &str| {
        yaml_serde::to_string(&yaml_serde::Value::String(text.to_string())).unwrap_or_default()
    };
    // (type, value before) -> value after, as `to_jsonb` spells a label.
    let labels: BTreeMap<(String, String), String> = directives
        .enum_value_renames
        .iter()
        .map(|((enum_name, new_label), old_label)| {
            let type_name = autogen::syntax::quote::type_name(enum_name);
            ((type_name, as_value(old_label)), as_value(new_label))
        })
        .collect();
    let mut problems = Vec::new();
    for (table_name, old) in before {
        let new_name = directives
            .table_renames
            .iter()
            .find(|(new, old_name)| {
                new.schema == table_name.schema && **old_name == table_name.name
            })
            .map(|(new, _)| new.clone())
            .unwrap_or_else(|| table_name.clone());
        let Some(new) = after.get(&new_name) else {
            continue;
        };
        if old.rows.len() != new.rows.len() {
            problems.push(format!(
                "after {step}, {table_name} has {} rows instead of {}",
                new.rows.len(),
                old.rows.len()
            ));
            continue;
        }
        let column_pairs: Vec<(String, String)> = old
            .types
            .iter()
            .filter_map(|(column, data_type)| {
                let renamed = directives
                    .column_renames
                    .iter()
                    .find(|((table, _), old_column)| *table == new_name && *old_column == column)
                    .map(|((_, new_column), _)| new_column.clone())
                    .unwrap_or_else(|| column.clone());
                let is_exempt = exempt.contains(&(new_name.clone(), renamed.clone()));
                (new.types.get(&renamed) == Some(data_type) && !is_exempt)
                    .then_some((column.clone(), renamed))
            })
            .collect();
        let project = |rows: &[BTreeMap<String, Option<String>>], use_new: bool| {
            let mut projected: Vec<Vec<Option<String>>> = rows
                .iter()
                .map(|row| {
                    column_pairs
                        .iter()
                        .map(|(old_column, new_column)| {
                            let column = if use_new { new_column } else { old_column };
                            let value = row.get(column).cloned().flatten();
                            let data_type = old.types.get(old_column).cloned().unwrap_or_default();
                            match value {
                                Some(value) if !use_new => Some(
                                    labels
                                        .get(&(data_type, value.clone()))
                                        .cloned()
                                        .unwrap_or(value),
                                ),
                                value => value,
                            }
                        })
                        .collect()
                })
                .collect();
            projected.sort();
            projected
        };
        if project(&old.rows, false) != project(&new.rows, true) {
            problems.push(format!(
                "after {step}, values of {table_name} changed in columns {:?}",
                column_pairs
            ));
        }
    }
    problems
}
