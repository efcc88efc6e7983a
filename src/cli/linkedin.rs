//! `linkscreen data import linkedin-export`: LinkedIn's own data export to profile records.

use std::io::{BufWriter, Write};
use std::path::Path;

use anyhow::Context;
use linkscreen::linkedin::{self, Options};

use super::output::unless_closed;
use super::Status;

pub fn import(
    path: &Path,
    out: Option<&Path>,
    owner_url: Option<String>,
) -> anyhow::Result<Status> {
    let imported = match linkedin::import(path, &Options { owner_url }) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("linkscreen: error: {e}");
            return Ok(Status::Fatal);
        }
    };
    for note in &imported.notes {
        eprintln!("linkscreen: note: {note}");
    }
    let lines = imported.profiles.iter().map(|p| p.to_json_line());
    match out {
        Some(path) => super::data::write_lines(path, lines)?,
        None => {
            let mut w = BufWriter::new(std::io::stdout().lock());
            let result = imported
                .profiles
                .iter()
                .try_for_each(|p| writeln!(w, "{}", p.to_json_line()))
                .and_then(|_| w.flush());
            unless_closed(result).context("writing standard output")?;
        }
    }
    let owner = match &imported.owner {
        Some((slug, how)) => format!("owner {slug} (from {how})"),
        None => "owner unknown (no conversations)".to_owned(),
    };
    let inbound = imported
        .profiles
        .iter()
        .filter(|p| p.messages.as_ref().is_some_and(|m| !m.is_empty()))
        .count();
    eprintln!(
        "linkscreen: linkedin-export: {owner}; wrote {} people who invited or wrote to the owner ({inbound} with messages or notes)",
        imported.profiles.len()
    );
    Ok(Status::Success)
}
