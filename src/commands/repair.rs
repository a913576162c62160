//! `autogen repair`: applied revisions whose files were edited, and recording their new
//! checksums.

use std::time::Duration;

use crate::config::Config;
use crate::drift;
use crate::error::{Error, Result};
use crate::migrations::{self, Chain, Revision};
use crate::output::{self, noteln, outln, Stream};
use crate::runner::{self, Lock};
use crate::schema_diff::Colour;

use super::{count, managed_schemas, report::Report};

/// Shows the applied revisions whose files were edited and what the edits change; with
/// `yes`, records their checksums as they are now.
pub(super) async fn repair(
    config: &Config,
    url: &str,
    yes: bool,
    lock_timeout: Duration,
) -> Result<u8> {
    let chain = migrations::read_chain(&config.migrations)?;
    let mut client = runner::connect(url).await?;
    let lock = Lock::acquire(url, lock_timeout).await?;
    let result = repair_locked(config, &mut client, url, &chain, yes).await;
    let released = lock.release().await;
    let code = result?;
    released?;
    Ok(code)
}

async fn repair_locked(
    config: &Config,
    client: &mut tokio_postgres::Client,
    url: &str,
    chain: &Chain,
    yes: bool,
) -> Result<u8> {
    let applied = runner::read_applied(client).await?;
    let mut edited: Vec<&Revision> = Vec::new();
    let mut text = String::new();
    let mut n_missing = 0;
    for row in &applied {
        let Some(position) = chain.position(&row.revision) else {
            n_missing += 1;
            noteln!(
                "warning: revision {} is applied but its files are missing; repair cannot \
                 record them\n  hint: restore {}_*.up.sql and .down.sql from version control",
                row.revision,
                row.revision
            )?;
            continue;
        };
        let revision = &chain.revisions[position];
        if revision.checksum != row.checksum {
            text.push_str(&format!(
                "edited: {} {} (applied on {} by {}): recorded checksum {}, the files now have \
                 {}\n  {}\n  {}\n",
                revision.id,
                revision.message(),
                row.applied_at,
                row.applied_by,
                &row.checksum,
                &revision.checksum,
                revision.up_path.display(),
                revision.down_path.display()
            ));
            edited.push(revision);
        }
    }
    if edited.is_empty() {
        if n_missing > 0 {
            return Err(Error::Workflow(format!(
                "nothing repaired: {} without files",
                count(n_missing, "applied revision")
            )));
        }
        outln!("nothing to repair: every applied revision matches its recorded checksum")?;
        return Ok(0);
    }
    // The file contents at apply time are not kept, so what an edit changes is shown as its
    // effect: the database against the state the applied revisions, as edited, produce.
    let (position, _) = runner::position_and_problems(chain, &applied);
    let n_applied = position.map_or(0, |position| position + 1);
    let at = position.map_or("base".to_string(), |position| {
        chain.revisions[position].id.clone()
    });
    let migrations_dir = config.migrations.display().to_string();
    match drift::read(
        client,
        url,
        &chain.revisions[..n_applied],
        &config.migrations,
        &managed_schemas(config, &[]),
        &config.privilege_scope(),
    )
    .await
    {
        Ok(drift) if drift.undo().changes.is_empty() => text.push_str(&format!(
            "the edited revisions still produce this database's schema ({migrations_dir} at \
             {at})\n"
        )),
        Ok(drift) => {
            let mut report = Report::default();
            report.drift(
                &drift,
                &migrations_dir,
                &at,
                Colour::for_stream(Stream::Stdout),
            );
            text.push_str(&format!(
                "the edited revisions no longer produce this database's schema; after the \
                 repair `autogen check` reports the difference as drift:\n{}",
                report.text
            ));
        }
        Err(error) => text.push_str(&format!(
            "what the edits change to the schema is unknown: the revisions cannot be replayed \
             offline:\n{error}\n"
        )),
    }
    output::write(Stream::Stdout, &text)?;
    if !yes {
        return Err(Error::Usage(format!(
            "nothing recorded: {} edited after being applied\n  hint: review the edits \
             above, then run `autogen repair --yes` to record the files as they are now",
            count(edited.len(), "revision")
        )));
    }
    runner::record_checksums(client, &edited).await?;
    for revision in &edited {
        outln!(
            "recorded the new checksum of {} {}",
            revision.id,
            revision.message()
        )?;
    }
    Ok(0)
}
