//! `linkscreen train`: placeholder until its issue lands; it says so instead of pretending.

use clap::Parser;

use super::Status;

#[derive(Debug, Parser)]
pub struct TrainArgs {
    /// Arguments are defined when the command is implemented.
    #[arg(trailing_var_arg = true, allow_hyphen_values = true)]
    pub rest: Vec<String>,
}

pub fn run(_args: TrainArgs) -> anyhow::Result<Status> {
    anyhow::bail!("`linkscreen train` is not implemented in this build yet")
}
