//! Runs one `Command` through the pipeline and emits its output.
//!
//! Returns the exit code for success paths (0, or 1 for "differences found"); errors go
//! back to `main`, which prints them once.

use std::io::Write;

use crate::catalog::{self, SchemaScope};
use crate::cli::Command;
use crate::error::{Error, Result};
use crate::model::Schema;
use crate::{db, fs, normalize, source, spec};

pub async fn run(command: Command) -> Result<u8> {
    match command {
        Command::Diff {
            from,
            to,
            exit_code,
            reverse,
        } => {
            let (current, desired) = source::read_pair(&from, &to).await?;
            report_unmanaged(&[&current, &desired]);
            let migration = crate::generate(&current, &desired);
            let script = if reverse {
                migration.down
            } else {
                migration.up
            };
            print_stdout(&script.to_text())?;
            Ok(if exit_code && !script.is_empty() {
                1
            } else {
                0
            })
        }
        Command::Inspect {
            database_url,
            output,
        } => {
            let client = db::connect(&database_url).await?;
            let schema = normalize::normalize(catalog::read(&client, &SchemaScope::All).await?);
            report_unmanaged(&[&schema]);
            let yaml = spec::write(&schema);
            match output {
                Some(path) => fs::write_atomically(&path, yaml.as_bytes())?,
                None => print_stdout(&yaml)?,
            }
            Ok(0)
        }
    }
}

/// Objects autogen leaves alone are said out loud, never silently ignored.
fn report_unmanaged(schemas: &[&Schema]) {
    let unmanaged: std::collections::BTreeSet<_> = schemas
        .iter()
        .flat_map(|schema| &schema.unmanaged)
        .collect();
    if unmanaged.is_empty() {
        return;
    }
    eprintln!(
        "note: {} object(s) that autogen does not manage were left alone:",
        unmanaged.len()
    );
    for object in unmanaged {
        eprintln!("  {} {}", object.kind, object.name);
    }
}

fn print_stdout(text: &str) -> Result<()> {
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(text.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|source| Error::io("<stdout>", source))
}
