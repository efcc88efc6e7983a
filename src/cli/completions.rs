//! `linkscreen completions SHELL`: shell completion scripts, generated from the same argument
//! definitions as `--help`.

use std::io::Write;

use clap::Parser;
use clap_complete::Shell;

use super::Status;

#[derive(Debug, Parser)]
#[command(after_help = "Examples:
  linkscreen completions bash > ~/.local/share/bash-completion/completions/linkscreen
  linkscreen completions zsh > ~/.zfunc/_linkscreen
  linkscreen completions fish > ~/.config/fish/completions/linkscreen.fish")]
pub struct CompletionsArgs {
    /// The shell: bash, zsh, fish, elvish or powershell.
    #[arg(value_enum)]
    shell: Shell,
}

pub fn run(args: CompletionsArgs) -> anyhow::Result<Status> {
    let mut cmd = super::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "linkscreen", &mut buf);
    // A closed pipe (`| head`) is a normal end; any other failure is an error.
    super::output::unless_closed(std::io::stdout().lock().write_all(&buf))?;
    Ok(Status::Success)
}
