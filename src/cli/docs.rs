//! `linkscreen completions SHELL` and `linkscreen man`: shell completion scripts and the
//! manual page, generated from the same argument definitions as `--help`.

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

#[derive(Debug, Parser)]
#[command(after_help = "Examples:
  linkscreen man > linkscreen.1 && man ./linkscreen.1
  linkscreen man | sudo tee /usr/local/share/man/man1/linkscreen.1 >/dev/null")]
pub struct ManArgs {}

fn finish(result: std::io::Result<()>) -> anyhow::Result<Status> {
    match result {
        Err(e) if super::output::is_broken_pipe(&e) => Ok(Status::Success),
        other => other.map(|_| Status::Success).map_err(Into::into),
    }
}

pub fn completions(args: CompletionsArgs) -> anyhow::Result<Status> {
    let mut cmd = super::command();
    let mut buf = Vec::new();
    clap_complete::generate(args.shell, &mut cmd, "linkscreen", &mut buf);
    finish(std::io::stdout().lock().write_all(&buf))
}

pub fn man(_: ManArgs) -> anyhow::Result<Status> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(super::command()).render(&mut buf)?;
    finish(std::io::stdout().lock().write_all(&buf))
}
