//! `linkscreen eval`: placeholder until its issue lands; it says so instead of pretending.

use clap::Parser;

use super::Status;

#[derive(Debug, Parser)]
pub struct EvalArgs {
    /// Arguments are defined when the command is implemented.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

pub fn run(_args: EvalArgs) -> anyhow::Result<Status> {
    anyhow::bail!("`linkscreen eval` is not implemented in this build yet")
}
