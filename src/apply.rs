//! Stage 7, apply: run a rendered script against a database inside one transaction.
//!
//! A failing statement rolls everything back and is reported with its number and text. Each
//! statement travels alone in the extended protocol, which refuses a second one.
//! Never decides what to run; it runs exactly the script it is given.

use tokio_postgres::Client;

use crate::error::{Error, Result};
use crate::sql::Script;

/// Runs every statement of `script` in one transaction; `origin` names the script in errors.
pub async fn apply(client: &mut Client, script: &Script, origin: &str) -> Result<()> {
    let transaction = client
        .transaction()
        .await
        .map_err(|source| Error::database(format!("{origin}: cannot begin"), source))?;
    for (statement_idx, statement) in script.statements.iter().enumerate() {
        // One statement per extended-protocol message: text from a schema file can never
        // smuggle a second statement past the one rendered here.
        transaction
            .query_typed(&statement.sql, &[])
            .await
            .map_err(|source| Error::Apply {
                origin: origin.to_string(),
                statement_number: statement_idx + 1,
                sql: statement.sql.clone(),
                source,
            })?;
    }
    transaction
        .commit()
        .await
        .map_err(|source| Error::database(format!("{origin}: cannot commit"), source))
}
