//! `linkscreen data`: import public labelled sets as profile records, and split a labelled file
//! into train/validation/test without letting groups or near-duplicate texts straddle splits.

use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use linkscreen::datasets::{
    self, checksum, split::parse_ratios, ImportOptions, PublicFormat, Split,
};
use linkscreen::meta::Meta;
use linkscreen::profile::{self, Label, Profile};

use super::output::unless_closed;
use super::Status;

const DATA_EXAMPLES: &str = "\
Examples:
  linkscreen data import linkedin-export Basic_LinkedInDataExport_03-05-2024.zip --out inbox.jsonl
  linkscreen data import cresci-2015 ../shared/datasets/public --out cresci.jsonl
  linkscreen data split cresci.jsonl --meta cresci.meta.jsonl --seed 1 --out-dir splits/cresci";

#[derive(Debug, Parser)]
#[command(after_help = DATA_EXAMPLES)]
pub struct DataArgs {
    #[command(subcommand)]
    command: DataCommand,
}

#[derive(Debug, Subcommand)]
enum DataCommand {
    /// Import LinkedIn's own data export (one record per person who invited or wrote to you),
    /// or a public labelled set as profile format v1 records with a meta sidecar.
    Import(ImportArgs),
    /// Split a labelled file into train, validation and test by group and near-duplicate text.
    Split(SplitArgs),
}

const IMPORT_EXAMPLES: &str = "\
linkedin-export reads the zip LinkedIn sends when you ask for a copy of your data (Settings,
Data privacy, Get a copy of your data), or the folder it unpacks to. It writes one profile record
per person who sent you an invitation or a message: id `li-<slug of their profile URL>` (the same
in every run), username, name, their invitation note and every message exchanged with them,
oldest first (`inbound` from them, `outbound` from you), and the position and company
Connections.csv gives for them (as the current position). It reads Invitations.csv,
messages.csv, Connections.csv and Profile.csv (which names you, the owner); a missing file is
skipped with a note. Nothing else is known about these people, so every other field is absent.
No meta sidecar is written: the records carry no label.

For the public sets, every file of the set is checked against its published SHA-256 before anything is read; a
mismatch or a missing file imports nothing (exit 2). Malformed rows are reported on standard
error as `FILE row N: field: reason` and skipped (exit 1); exact duplicate rows are dropped and
counted. The mapping of each set is documented in datasets/public/README.md.

Examples:
  linkscreen data import linkedin-export Basic_LinkedInDataExport_03-05-2024.zip --out inbox.jsonl
  linkscreen data import linkedin-export ~/export-folder --owner-url https://www.linkedin.com/in/me > inbox.jsonl
  linkscreen score inbox.jsonl --format html > inbox.html
  linkscreen data import emscad ../shared/datasets/public --out emscad.jsonl
      (writes emscad.jsonl and its sidecar emscad.meta.jsonl)
  linkscreen data import cresci-2015 ../shared/datasets/public/cresci-2015 --out c.jsonl --meta c.meta.jsonl
  linkscreen data import instafake ../shared/datasets/public > instafake.jsonl";

#[derive(Debug, Parser)]
#[command(after_help = IMPORT_EXAMPLES)]
pub struct ImportArgs {
    /// What to import: linkedin-export, emscad, cresci-2015, instagram-kaggle or instafake.
    #[arg(value_parser = parse_format)]
    format: ImportFormat,
    /// linkedin-export: the export's zip or folder. A public set: its folder, or the folder
    /// holding it (e.g. ../shared/datasets/public).
    #[arg(value_name = "PATH")]
    dir: PathBuf,
    /// Write the records here instead of standard output.
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Write the meta sidecar here [default with --out: the output name with .meta.jsonl].
    #[arg(long, value_name = "FILE")]
    meta: Option<PathBuf>,
    /// Check the files against this `sha256sum`-style list (`HEX  set/file`) instead of the
    /// hashes compiled in (those of ../shared/datasets/public/README.md).
    #[arg(long, value_name = "FILE")]
    manifest: Option<PathBuf>,
    /// cresci-2015 only: keep account_age_days (days to 2015-02-14). Off by default because
    /// the creation year is a collection artefact of this set (see the data set card).
    #[arg(long)]
    keep_account_age: bool,
    /// linkedin-export only: your own profile URL, when Profile.csv and the invitations do not
    /// tell who the export belongs to.
    #[arg(long, value_name = "URL")]
    owner_url: Option<String>,
}

/// What `data import` reads: LinkedIn's data export or a public labelled set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum ImportFormat {
    LinkedinExport,
    Public(PublicFormat),
}

fn parse_format(s: &str) -> Result<ImportFormat, String> {
    if s == "linkedin-export" {
        return Ok(ImportFormat::LinkedinExport);
    }
    s.parse()
        .map(ImportFormat::Public)
        .map_err(|e: String| e.replace("(expected ", "(expected linkedin-export|"))
}

const SPLIT_EXAMPLES: &str = "\
Records of one group (the meta `group`, with --by group) and records whose headline, about and
message texts are exact or near duplicates once normalised always land in the same split.
Ratios hold approximately, by record count and per class. The same input, seed and ratios
always give the same split.

Examples:
  linkscreen data split emscad.jsonl --meta emscad.meta.jsonl --seed 1 --out-dir splits/emscad
  linkscreen data split synth.jsonl --meta synth.meta.jsonl --seed 7 --ratios 0.7,0.15,0.15 --out-dir out
  linkscreen data split mixed.jsonl --seed 1 --out-dir out      (each record its own group)";

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum By {
    /// Keep each meta group together (records without meta are their own group).
    Group,
    /// Ignore meta groups; only near-duplicate texts are kept together.
    Record,
}

#[derive(Debug, Parser)]
#[command(after_help = SPLIT_EXAMPLES)]
pub struct SplitArgs {
    /// The labelled profile file (JSON Lines, profile format v1).
    file: PathBuf,
    /// The meta sidecar of FILE; its `group` keeps records together.
    #[arg(long, value_name = "FILE")]
    meta: Option<PathBuf>,
    /// What to keep together besides near-duplicate texts.
    #[arg(long, value_enum, default_value_t = By::Group)]
    by: By,
    /// The random seed of the split.
    #[arg(long)]
    seed: u64,
    /// Train, validation and test shares (normalised to sum 1).
    #[arg(long, default_value = "0.8,0.1,0.1", value_parser = parse_ratios)]
    ratios: [f64; 3],
    /// Where to write train.jsonl, validation.jsonl and test.jsonl (and .meta.jsonl files).
    #[arg(long, value_name = "DIR")]
    out_dir: PathBuf,
}

pub fn run(args: DataArgs) -> anyhow::Result<Status> {
    match args.command {
        DataCommand::Import(a) => import(a),
        DataCommand::Split(a) => split(a),
    }
}

/// The default sidecar name: `x.jsonl` gives `x.meta.jsonl`.
fn sidecar_of(out: &Path) -> PathBuf {
    let name = out.file_name().and_then(|n| n.to_str()).unwrap_or("out");
    let stem = name.strip_suffix(".jsonl").unwrap_or(name);
    out.with_file_name(format!("{stem}.meta.jsonl"))
}

fn import(args: ImportArgs) -> anyhow::Result<Status> {
    let format = match args.format {
        ImportFormat::LinkedinExport => {
            if args.meta.is_some() || args.manifest.is_some() || args.keep_account_age {
                eprintln!("linkscreen: note: --meta, --manifest and --keep-account-age do not apply to linkedin-export; ignored");
            }
            return super::linkedin::import(&args.dir, args.out.as_deref(), args.owner_url);
        }
        ImportFormat::Public(f) => f,
    };
    let owned: Vec<(String, String)> = match &args.manifest {
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("reading manifest {}", path.display()))?;
            checksum::parse_manifest(&text)
                .map_err(|e| anyhow::anyhow!("manifest {}: {e}", path.display()))?
        }
        None => Vec::new(),
    };
    let manifest: Vec<(&str, &str)> = if args.manifest.is_some() {
        owned
            .iter()
            .map(|(f, h)| (f.as_str(), h.as_str()))
            .collect()
    } else {
        datasets::PUBLIC_SHA256.to_vec()
    };
    let options = ImportOptions {
        cresci_account_age: args.keep_account_age,
    };
    let imported = match datasets::import_with(format, &args.dir, &manifest, options) {
        Ok(i) => i,
        Err(e) => {
            eprintln!("linkscreen: error: {e}");
            return Ok(Status::Fatal);
        }
    };
    for r in &imported.rejected {
        eprintln!("{r}");
    }
    let meta_path = args
        .meta
        .clone()
        .or_else(|| args.out.as_deref().map(sidecar_of));
    let profiles: Vec<&Profile> = imported.records.iter().map(|(p, _)| p).collect();
    match &args.out {
        Some(path) => {
            write_lines(path, profiles.iter().map(|p| p.to_json_line()))?;
        }
        None => {
            let stdout = io::stdout().lock();
            let mut w = BufWriter::new(stdout);
            let result = profiles
                .iter()
                .try_for_each(|p| writeln!(w, "{}", p.to_json_line()))
                .and_then(|_| w.flush());
            unless_closed(result).context("writing standard output")?;
        }
    }
    match &meta_path {
        Some(path) => write_lines(path, imported.records.iter().map(|(_, m)| meta_line(m)))?,
        None => {
            eprintln!("linkscreen: note: no meta sidecar written (give --meta FILE or --out FILE)")
        }
    }
    let (fake, genuine) = class_counts(profiles.iter().copied());
    eprintln!(
        "linkscreen: {}: imported {} ({fake} fake, {genuine} genuine), skipped {}, dropped {} exact duplicate rows",
        format,
        imported.records.len(),
        imported.rejected.len(),
        imported.duplicates
    );
    Ok(if imported.rejected.is_empty() {
        Status::Success
    } else {
        Status::Rejected
    })
}

fn meta_line(m: &Meta) -> String {
    serde_json::to_string(m).expect("a Meta always serialises")
}

fn class_counts<'a>(profiles: impl Iterator<Item = &'a Profile>) -> (usize, usize) {
    let mut counts = (0, 0);
    for p in profiles {
        match p.label {
            Some(Label::Fake) => counts.0 += 1,
            Some(Label::Genuine) => counts.1 += 1,
            None => {}
        }
    }
    counts
}

pub(super) fn write_lines(path: &Path, lines: impl Iterator<Item = String>) -> anyhow::Result<()> {
    let file = File::create(path).with_context(|| format!("creating {}", path.display()))?;
    let mut w = BufWriter::new(file);
    for line in lines {
        writeln!(w, "{line}").with_context(|| format!("writing {}", path.display()))?;
    }
    w.flush()
        .with_context(|| format!("writing {}", path.display()))
}

fn split(args: SplitArgs) -> anyhow::Result<Status> {
    let loaded =
        profile::load(&args.file).with_context(|| format!("reading {}", args.file.display()))?;
    for e in &loaded.rejected {
        eprintln!("{e}");
    }
    let metas: Option<HashMap<String, Meta>> = match &args.meta {
        Some(path) => Some(
            linkscreen::meta::load(path)?
                .into_iter()
                .map(|m| (m.id.clone(), m))
                .collect(),
        ),
        None => None,
    };
    let profiles: Vec<Profile> = loaded.profiles.into_iter().map(|(_, p)| p).collect();
    let mut without_meta = 0usize;
    let groups: Vec<String> = profiles
        .iter()
        .map(|p| match (&metas, args.by) {
            (Some(m), By::Group) => match m.get(&p.id) {
                Some(meta) => meta.group.clone(),
                None => {
                    without_meta += 1;
                    String::new()
                }
            },
            _ => String::new(),
        })
        .collect();
    if without_meta > 0 {
        eprintln!(
            "linkscreen: note: {without_meta} records have no meta line; each is its own group"
        );
    }
    let clusters = datasets::split::clusters(&profiles, &groups);
    let largest = clusters.iter().map(Vec::len).max().unwrap_or(0);
    let joined: usize = clusters.iter().filter(|c| c.len() > 1).map(Vec::len).sum();
    eprintln!(
        "linkscreen: {} clusters kept whole (largest {largest} records; {joined} records share a cluster)",
        clusters.len()
    );
    let splits = datasets::split::assign_clusters(&profiles, &clusters, args.ratios, args.seed);

    std::fs::create_dir_all(&args.out_dir)
        .with_context(|| format!("creating {}", args.out_dir.display()))?;
    println!(
        "{:<11} {:>8} {:>8} {:>8} {:>10}",
        "split", "records", "fake", "genuine", "unlabelled"
    );
    for s in Split::ALL {
        let chosen: Vec<&Profile> = profiles
            .iter()
            .zip(&splits)
            .filter(|(_, &x)| x == s)
            .map(|(p, _)| p)
            .collect();
        let path = args.out_dir.join(format!("{s}.jsonl"));
        write_lines(&path, chosen.iter().map(|p| p.to_json_line()))?;
        if let Some(m) = &metas {
            let path = args.out_dir.join(format!("{s}.meta.jsonl"));
            write_lines(
                &path,
                chosen.iter().filter_map(|p| m.get(&p.id)).map(meta_line),
            )?;
        }
        let (fake, genuine) = class_counts(chosen.iter().copied());
        println!(
            "{:<11} {:>8} {:>8} {:>8} {:>10}",
            s.as_str(),
            chosen.len(),
            fake,
            genuine,
            chosen.len() - fake - genuine
        );
    }
    eprintln!(
        "linkscreen: split {} records (seed {}, ratios {:.3},{:.3},{:.3}) into {}; rejected {} input lines",
        profiles.len(),
        args.seed,
        args.ratios[0],
        args.ratios[1],
        args.ratios[2],
        args.out_dir.display(),
        loaded.rejected.len() as u64 + loaded.quiet_rejected
    );
    Ok(
        if loaded.rejected.is_empty() && loaded.quiet_rejected == 0 {
            Status::Success
        } else {
            Status::Rejected
        },
    )
}
