//! `linkscreen man`: the manual page (roff), generated from the same argument definitions as
//! `--help`.

use std::io::Write;

use clap::Parser;

use super::Status;

#[derive(Debug, Parser)]
#[command(after_help = "Examples:
  linkscreen man > linkscreen.1 && man ./linkscreen.1
  linkscreen man | sudo tee /usr/local/share/man/man1/linkscreen.1 >/dev/null")]
pub struct ManArgs {}

pub fn run(_: ManArgs) -> anyhow::Result<Status> {
    let mut buf = Vec::new();
    clap_mangen::Man::new(super::command()).render(&mut buf)?;
    // A closed pipe (`| head`) is a normal end; any other failure is an error.
    super::output::unless_closed(std::io::stdout().lock().write_all(&buf))?;
    Ok(Status::Success)
}
