//! `linkscreen check`: validating profile files without scoring them.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use linkscreen::profile::Entry;

use super::input::{report_input, Duplicates, Inputs, Tally};
use super::output;
use super::Status;

#[derive(Debug, Parser)]
#[command(
    after_help = "Examples:\n  linkscreen check incoming.jsonl\n  cat incoming.jsonl | linkscreen check -"
)]
pub struct CheckArgs {
    /// Profile files (JSON Lines, format v1), or - for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

pub fn run(args: CheckArgs) -> anyhow::Result<Status> {
    let inputs = Inputs::new(args.files, "checked");
    let mut tally = Tally::default();
    for file in &inputs.files {
        let mut reader = inputs
            .open(file)
            .with_context(|| format!("opening {}", file.display()))?;
        let prefix = inputs.prefix(file);
        let mut duplicates = Duplicates::default();
        for entry in reader.by_ref() {
            if super::interrupted() {
                inputs.finish();
                eprintln!(
                    "linkscreen: interrupted: checked only the first {} lines: valid {}, rejected {}",
                    tally.processed + tally.rejected,
                    tally.processed,
                    tally.rejected
                );
                return Ok(Status::Interrupted);
            }
            match entry.with_context(|| format!("reading {}", file.display()))? {
                Entry::Profile { profile, line } => {
                    tally.processed += 1;
                    duplicates.note(&profile.id, line);
                }
                Entry::Rejected(e) => {
                    eprintln!("{prefix}{e}");
                    tally.rejected += 1;
                }
            }
            if output::stderr_closed() {
                // The report's reader went away (`check FILE 2>&1 | head`): a normal end.
                return Ok(Status::Success);
            }
            if tally.processed % 4096 == 0 {
                inputs.tick(tally.processed);
            }
        }
        tally.rejected += reader.quiet_rejected();
        duplicates.report();
        report_input(&reader, true);
    }
    inputs.finish();
    eprintln!(
        "linkscreen: valid {}, rejected {}",
        tally.processed, tally.rejected
    );
    if output::stderr_closed() {
        return Ok(Status::Success);
    }
    Ok(tally.status())
}
