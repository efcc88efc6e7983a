//! The `linkscreen` command line. Everything but argument parsing and printing lives in the
//! library; see `cli/` for the commands.

mod cli;

use std::process::ExitCode;

fn main() -> ExitCode {
    cli::output::install_closed_pipe_hook();
    match cli::run() {
        Ok(status) => status.exit_code(),
        Err(err) => {
            cli::output::stderr_line(format_args!("linkscreen: error: {err:#}"));
            cli::Status::Fatal.exit_code()
        }
    }
}
