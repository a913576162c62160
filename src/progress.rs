//! A status line on a terminal for work that takes over a second: reading a catalog,
//! building a shadow database, applying a revision. Nothing is shown when standard error is
//! not a terminal, so pipes and CI logs see only the results, nor with `-q`.

use std::future::Future;
use std::io::IsTerminal;
use std::time::{Duration, Instant};

use crate::output::{self, Stream, Verbosity};

const FIRST_SHOWN_AFTER: Duration = Duration::from_secs(1);
const REFRESHED_EVERY: Duration = Duration::from_millis(500);

/// Awaits `work`, showing `label` and the elapsed seconds on standard error (a terminal)
/// while it takes longer than a second; the line is cleared when it ends.
pub async fn during<T>(label: &str, work: impl Future<Output = T>) -> T {
    if !std::io::stderr().is_terminal() || output::verbosity() == Verbosity::Quiet {
        return work.await;
    }
    let started = Instant::now();
    let mut ticks = tokio::time::interval_at(
        tokio::time::Instant::from_std(started + FIRST_SHOWN_AFTER),
        REFRESHED_EVERY,
    );
    let mut shown = false;
    let mut work = std::pin::pin!(work);
    let result = loop {
        tokio::select! {
            result = &mut work => break result,
            _ = ticks.tick() => {
                shown = true;
                // A status line is a courtesy: a failed write is not worth stopping the run.
                let _ = output::write(
                    Stream::Stderr,
                    &format!("\r\x1b[2K{label} … {} s", started.elapsed().as_secs()),
                );
            }
        }
    };
    if shown {
        let _ = output::write(Stream::Stderr, "\r\x1b[2K");
    }
    result
}
