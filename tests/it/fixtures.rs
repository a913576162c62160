//! The fixture runner: every case under `fixtures/cases/` is proven on a scratch database.
//!
//! A case holds `desired.yaml`, optionally `current.sql` or `current.yaml` (absent: empty
//! database), and the expected `up.sql` / `down.sql`. For each case: build current, check
//! the generated scripts against the expected files, apply up and require an empty re-diff,
//! apply down and require the original schema back. `FIXTURE=<substring>` filters cases;
//! `UPDATE_FIXTURES=1` rewrites the expected files (review the git diff).

use std::path::{Path, PathBuf};

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

    if let Ok(current_sql) = std::fs::read_to_string(case.join("current.sql")) {
        client
            .batch_execute(&current_sql)
            .await
            .map_err(|error| format!("current.sql does not load: {error:?}"))?;
    } else if case.join("current.yaml").exists() {
        let current_file = Source::SchemaFile(case.join("current.yaml"));
        let (empty, current) = read_pair(&here, &current_file).await?;
        let setup = autogen::generate(&empty, &current);
        apply(&mut client, &setup.up, "building current.yaml").await?;
    }

    let (current, desired) = read_pair(&here, &desired_file).await?;
    let migration = autogen::generate(&current, &desired);
    let mut problems = Vec::new();
    for (file, script) in [("up.sql", &migration.up), ("down.sql", &migration.down)] {
        if let Err(problem) = compare_expected(&case.join(file), &script.to_text()) {
            problems.push(problem);
        }
    }

    apply(&mut client, &migration.up, "up").await?;
    let (after_up, desired_again) = read_pair(&here, &desired_file).await?;
    let leftover = autogen::generate(&after_up, &desired_again);
    if !leftover.up.is_empty() {
        problems.push(format!(
            "after up, the database still differs from desired.yaml:\n{}",
            leftover.up.to_text()
        ));
    }

    apply(&mut client, &migration.down, "down").await?;
    let (after_down, _) = read_pair(&here, &desired_file).await?;
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

async fn read_pair(
    from: &Source,
    to: &Source,
) -> Result<(autogen::model::Schema, autogen::model::Schema), String> {
    source::read_pair(from, to)
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
