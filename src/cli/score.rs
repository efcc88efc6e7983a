//! `linkscreen score`: streaming profiles through an engine.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use linkscreen::profile::{Entry, Profile};
use linkscreen::score::{ScoreRecord, Scorer, Verdict};

use super::engine::{EngineArgs, EngineChoice, EngineSettings};
use super::input::{report_input, Duplicates, Inputs, Tally};
use super::output::{self, Format, RecordWriter};
use super::Status;

/// Profiles are scored in batches of this size (the model is much faster on batches).
const BATCH: usize = 256;

#[derive(Debug, Parser)]
#[command(after_help = "Examples:
  linkscreen score datasets/examples/profiles.jsonl
  linkscreen score requests.jsonl --engine rules --format table
  linkscreen score requests.jsonl --rules my-rules.toml --format csv > scores.csv
  linkscreen score requests.jsonl --no-evidence > scores-to-share.jsonl
  linkscreen score inbox.jsonl --format html > report.html
  linkscreen score monday.jsonl tuesday.jsonl --format csv > week.csv

Several files are scored in order as one run; rejections then name the file and the line.
--format html writes one self-contained page (no script, no remote asset) with a summary and one
card per profile, riskiest first, its reasons in plain words and the evidence highlighted in the
profile's own text; it holds the records in memory until the end, so use it for an inbox, not
for millions of profiles. A progress bar appears on standard error for inputs of 16 MiB or more
when it is a terminal.")]
// The shared --rules keeps its place after --format, in --help and the manual page (display
// order) and in the completion scripts (`mut_arg` moves an argument to the end: --rules, then
// --no-evidence).
#[command(mut_arg("rules", |a| a.display_order(3)), mut_arg("no_evidence", |a| a))]
pub struct ScoreArgs {
    /// Profile files (JSON Lines, format v1), or - for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Which engine scores the profiles.
    #[arg(long, value_enum, default_value_t = EngineChoice::Ensemble)]
    pub engine: EngineChoice,
    #[command(flatten)]
    pub setup: EngineArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Omit evidence spans (profile text) from the output, for results that leave the workstation.
    #[arg(long)]
    pub no_evidence: bool,
}

/// Why a scoring run stopped before the end of its input.
enum Stop {
    /// The reader closed the pipe (`| head`): a normal, quiet end.
    PipeClosed,
    /// Writing failed (disk full, I/O error) or scoring failed.
    Failed(anyhow::Error),
}

/// Scores one batch and writes its records.
fn flush_batch<W: Write>(
    engine: &dyn Scorer,
    batch: &mut Vec<Profile>,
    out: &mut RecordWriter<W>,
    verdicts: &mut [u64; 4],
) -> Result<(), Stop> {
    if batch.is_empty() {
        return Ok(());
    }
    let thresholds = engine.thresholds();
    let assessments = engine
        .score_batch(batch)
        .map_err(|e| Stop::Failed(e.into()))?;
    for (p, a) in batch.drain(..).zip(assessments) {
        let record = ScoreRecord::new(&p, a, engine.kind(), &thresholds);
        let v = Verdict::ALL.iter().position(|v| *v == record.verdict);
        out.write_with(record, &p).map_err(write_stop)?;
        verdicts[v.unwrap_or(0)] += 1;
    }
    // Flushing per batch keeps the written count honest if the disk fills up.
    out.flush().map_err(write_stop)
}

fn write_stop(e: std::io::Error) -> Stop {
    match output::unless_closed::<()>(Err(e)) {
        Err(e) => Stop::Failed(anyhow::Error::new(e).context("writing output")),
        Ok(_) => Stop::PipeClosed,
    }
}

/// What the HTML page says about the run.
fn html_context(
    args: &ScoreArgs,
    settings: &EngineSettings,
    engine: &dyn Scorer,
) -> anyhow::Result<super::html::Context> {
    let mut ctx = super::html::Context {
        engine: Some(engine.kind()),
        thresholds: Some(engine.thresholds()),
        inputs: args.files.iter().map(|f| f.display().to_string()).collect(),
        ..Default::default()
    };
    if args.engine != EngineChoice::Rules {
        ctx.model = Some(super::about::model_identity(settings.model.as_deref()));
    }
    let rules = settings.rules()?;
    let origin = match &settings.rules {
        Some(path) => path.display().to_string(),
        None => "shipped with linkscreen".to_owned(),
    };
    ctx.rules = Some(format!(
        "{} ({} rules, {origin})",
        rules.name(),
        rules.len()
    ));
    ctx.rule_info = rules
        .specs()
        .map(|s| (s.code.clone(), (s.description.clone(), s.sources.clone())))
        .collect();
    Ok(ctx)
}

pub fn run(args: ScoreArgs) -> anyhow::Result<Status> {
    let settings = args.setup.settings();
    if settings.rules.is_some() && !args.engine.reads_rules() {
        eprintln!(
            "linkscreen: error: --rules has no effect with --engine {} (it reads no rule file); use --engine rules or hybrid",
            args.engine.name()
        );
        return Ok(Status::Fatal);
    }
    let engine = settings.build(args.engine)?;
    let mut ctx = match args.format {
        Format::Html => html_context(&args, &settings, engine.as_ref())?,
        _ => super::html::Context::default(),
    };
    let inputs = Inputs::new(args.files.clone(), "scored");
    let mut readers = Vec::with_capacity(inputs.files.len());
    for file in &inputs.files {
        readers.push(
            inputs
                .open(file)
                .with_context(|| format!("opening {}", file.display()))?,
        );
    }
    let mut out = RecordWriter::new(output::stdout(), args.format, !args.no_evidence);
    if let (Some(h), false) = (out.html_report(), args.engine.reads_rules()) {
        h.set_rules(settings.rules()?);
    }
    let mut tally = Tally::default();
    let mut verdicts = [0u64; 4];
    let mut duplicates: Vec<Duplicates> =
        inputs.files.iter().map(|_| Duplicates::default()).collect();
    let mut batch = Vec::with_capacity(BATCH);
    let mut interrupted = false;
    let mut run = || -> Result<(), Stop> {
        for (k, (file, reader)) in inputs.files.iter().zip(readers.iter_mut()).enumerate() {
            let prefix = inputs.prefix(file);
            for entry in reader.by_ref() {
                if super::interrupted() {
                    interrupted = true;
                    break;
                }
                let entry = entry
                    .with_context(|| format!("reading {}", file.display()))
                    .map_err(Stop::Failed)?;
                match entry {
                    Entry::Profile { profile, line } => {
                        tally.processed += 1;
                        duplicates[k].note(&profile.id, line);
                        batch.push(profile);
                        if batch.len() == BATCH {
                            flush_batch(engine.as_ref(), &mut batch, &mut out, &mut verdicts)?;
                            inputs.tick(tally.processed);
                        }
                    }
                    Entry::Rejected(e) => {
                        eprintln!("{prefix}{e}");
                        tally.rejected += 1;
                    }
                }
            }
            if interrupted {
                break;
            }
        }
        flush_batch(engine.as_ref(), &mut batch, &mut out, &mut verdicts)?;
        ctx.rejected = tally.rejected;
        out.finish(&ctx).map_err(write_stop)
    };
    let result = run();
    inputs.finish();
    tally.rejected += readers.iter().map(|r| r.quiet_rejected()).sum::<u64>();
    let counts = format!(
        "processed {}, rejected {}, written {}",
        tally.processed, tally.rejected, out.written
    );
    match result {
        Err(Stop::PipeClosed) => return Ok(Status::Success),
        Err(Stop::Failed(e)) => {
            eprintln!("linkscreen: output is INCOMPLETE: {counts}");
            return Err(e);
        }
        Ok(()) => {}
    }
    // Duplicated ids and input notes are reported per file (line numbers are per file).
    for (reader, dups) in readers.iter().zip(&duplicates) {
        dups.report();
        report_input(reader, !args.no_evidence);
    }
    if interrupted {
        eprintln!("linkscreen: interrupted: output is INCOMPLETE: {counts}");
        return Ok(Status::Interrupted);
    }
    let t = engine.thresholds();
    let by_verdict: Vec<String> = Verdict::ALL
        .iter()
        .zip(verdicts)
        .map(|(v, n)| format!("{} {n}", v.as_str()))
        .collect();
    let counts = match engine.truncated_sections() {
        Some(n) => format!("{counts}, sections truncated for the model {n}"),
        None => counts,
    };
    eprintln!(
        "linkscreen: {counts} ({}; engine {}; review >= {:.2}, fake >= {:.2})",
        by_verdict.join(", "),
        engine.kind().as_str(),
        t.review,
        t.fake
    );
    Ok(tally.status())
}
