//! Entry point: parse the arguments, run the command, print an error once, exit.

#![deny(clippy::print_stdout, clippy::print_stderr)]

use std::process::ExitCode;

use anstyle::{AnsiColor, Style};

use autogen::error::Error;
use autogen::output;

fn main() -> ExitCode {
    let command = match autogen::cli::parse() {
        Ok(command) => command,
        Err(error) => return fail(&error),
    };
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            // Nothing is left to report to when standard error fails; the exit code says it.
            let _ = output::stderr_line(format_args!(
                "error: cannot start the async runtime: {error}"
            ));
            return ExitCode::from(2);
        }
    };
    match runtime.block_on(autogen::commands::run(command)) {
        Ok(code) => ExitCode::from(code),
        Err(error) => fail(&error),
    }
}

fn fail(error: &Error) -> ExitCode {
    if error.is_broken_pipe() {
        return ExitCode::SUCCESS;
    }
    // Red and bold like clap's own `error:`, when standard error takes colour.
    let style = match output::colours(output::Stream::Stderr) {
        true => AnsiColor::Red.on_default().bold(),
        false => Style::new(),
    };
    // Nothing is left to report to when standard error fails; the exit code says it.
    let _ = output::stderr_line(format_args!("{style}error:{style:#} {error}"));
    ExitCode::from(error.exit_code())
}
