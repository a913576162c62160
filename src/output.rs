//! Every byte autogen prints to standard output or standard error goes through here.
//!
//! A failed write is an `Error::Output` naming the stream, so it ends the run with exit 2
//! instead of a panic (`println!`) or silence; `main` turns a broken pipe (`autogen check |
//! head -1`) into a quiet exit 0, as ripgrep does. Rust ignores SIGPIPE, so a closed pipe
//! arrives here as an `EPIPE` error. `outln!` and `errln!` are the `println!`/`eprintln!`
//! of the crate; `clippy::print_stdout`/`print_stderr` are denied everywhere else. `noteln!`
//! prints notes, hints and warnings (not with `-q`), `verboseln!` what `-v` asks for. Whether
//! a stream gets colour (`--color`) is decided here too.

use std::fmt::Display;
use std::io::Write;
use std::sync::atomic::{AtomicU8, Ordering};

use crate::error::{Error, Result};

/// Which standard stream a write went to, named the way messages say it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stream {
    Stdout,
    Stderr,
}

impl Display for Stream {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Stream::Stdout => "standard output",
            Stream::Stderr => "standard error",
        })
    }
}

/// How much goes to standard error besides errors: `-q`, the default, `-v`, `-vv`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Verbosity {
    /// Errors only: no notes, hints, warnings or status lines.
    Quiet,
    Normal,
    /// Each catalog query with its row count and time.
    Verbose,
    /// Also the text of each catalog query.
    VeryVerbose,
}

/// The run's verbosity, set once by `cli` before any command runs.
static VERBOSITY: AtomicU8 = AtomicU8::new(Verbosity::Normal as u8);

pub fn set_verbosity(verbosity: Verbosity) {
    VERBOSITY.store(verbosity as u8, Ordering::Relaxed);
}

pub fn verbosity() -> Verbosity {
    match VERBOSITY.load(Ordering::Relaxed) {
        0 => Verbosity::Quiet,
        1 => Verbosity::Normal,
        2 => Verbosity::Verbose,
        _ => Verbosity::VeryVerbose,
    }
}

/// `--color`: `Auto` colours a terminal unless `NO_COLOR` (or `CLICOLOR=0`) says not to, and
/// any stream when `CLICOLOR_FORCE` is set, as clap and cargo decide.
pub use anstream::ColorChoice;

/// Sets `--color` for the run; set once by `cli` before anything is printed.
pub fn choose_colour(choice: ColorChoice) {
    choice.write_global();
}

/// Whether text for `stream` may carry colour escapes.
pub fn colours(stream: Stream) -> bool {
    let choice = match stream {
        Stream::Stdout => anstream::AutoStream::choice(&std::io::stdout()),
        Stream::Stderr => anstream::AutoStream::choice(&std::io::stderr()),
    };
    choice != ColorChoice::Never
}

/// Writes `text` to `stream` and flushes it, so a full disk is reported at this write.
pub fn write(stream: Stream, text: &str) -> Result<()> {
    let written = match stream {
        Stream::Stdout => {
            let mut stdout = std::io::stdout().lock();
            stdout
                .write_all(text.as_bytes())
                .and_then(|()| stdout.flush())
        }
        Stream::Stderr => std::io::stderr().lock().write_all(text.as_bytes()),
    };
    written.map_err(|source| Error::Output { stream, source })
}

/// `value` as indented JSON and a newline on standard output (`--format json`, `sarif`).
pub fn json(value: &impl serde::Serialize) -> Result<()> {
    // Only a map with non-string keys fails to serialize; none of autogen's documents has one.
    let text = serde_json::to_string_pretty(value).map_err(|error| Error::Output {
        stream: Stream::Stdout,
        source: std::io::Error::other(error),
    })?;
    write(Stream::Stdout, &format!("{text}\n"))
}

/// `text` and a newline on standard output.
pub fn stdout_line(text: impl Display) -> Result<()> {
    write(Stream::Stdout, &format!("{text}\n"))
}

/// `text` and a newline on standard error.
pub fn stderr_line(text: impl Display) -> Result<()> {
    write(Stream::Stderr, &format!("{text}\n"))
}

/// `println!` that returns the write error instead of panicking.
macro_rules! outln {
    ($($arg:tt)*) => {
        $crate::output::stdout_line(format_args!($($arg)*))
    };
}

/// `eprintln!` that returns the write error instead of panicking.
macro_rules! errln {
    ($($arg:tt)*) => {
        $crate::output::stderr_line(format_args!($($arg)*))
    };
}

/// `errln!` for a note, hint or warning: left out with `-q`.
macro_rules! noteln {
    ($($arg:tt)*) => {
        match $crate::output::verbosity() {
            $crate::output::Verbosity::Quiet => Ok(()),
            _ => $crate::output::stderr_line(format_args!($($arg)*)),
        }
    };
}

/// `errln!` for what `-v` shows.
macro_rules! verboseln {
    ($($arg:tt)*) => {
        match $crate::output::verbosity() >= $crate::output::Verbosity::Verbose {
            true => $crate::output::stderr_line(format_args!($($arg)*)),
            false => Ok(()),
        }
    };
}

pub(crate) use {errln, noteln, outln, verboseln};
