//! `linkscreen score`: streaming profiles through an engine.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use linkscreen::profile::{Entry, Parsed, RawLine};
use linkscreen::score::{JudgedWords, Memo, ScoreError, ScoreRecord, Scorer, Thresholds, Verdict};
use rayon::prelude::*;

use super::engine::{EngineArgs, EngineChoice, EngineSettings};
use super::input::{report_input, Duplicates, Inputs, Tally};
use super::output::{self, Format, RecordWriter, Renderer};
use super::Status;

/// Records are written in batches of this many profiles (the written count stays exact).
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

/// One input line after the work done in parallel: parsed and, when valid, scored and
/// rendered.
struct Done {
    parsed: Parsed,
    /// The record of a valid profile, or the engine's error.
    scored: Option<Result<Scored, ScoreError>>,
}

/// A valid profile's record: its verdict and rendered bytes (or, for the HTML page, the record
/// itself).
struct Scored {
    verdict: Verdict,
    /// Too thin to judge only because it is written in a script the engines never learned
    /// ([`JudgedWords::unread_script`]): worked out here, while the whole profile is at hand.
    unread_script: bool,
    rendered: Rendered,
}

enum Rendered {
    /// Where the record is in its task's bytes.
    Bytes(std::ops::Range<usize>),
    Record(ScoreRecord),
    /// Rendering failed (it writes to memory, so it does not; kept as a write error).
    Failed(std::io::Error),
}

/// What one parallel task did with its lines: one [`Done`] per line, and the records it
/// rendered, one after the other.
struct Task {
    done: Vec<Done>,
    bytes: Vec<u8>,
}

/// Parses, scores and renders lines: everything about a line that does not depend on the
/// others, so lines are worked on in parallel and settled in input order afterwards. What is
/// rendered here is freed here too: only a profile's id goes back (except for the HTML page,
/// which quotes the profile).
fn work(
    raws: &[RawLine],
    engine: &dyn Scorer,
    thresholds: &Thresholds,
    renderer: Option<Renderer>,
    evidence: bool,
) -> Task {
    let mut bytes = Vec::with_capacity(raws.len() * 512);
    let done = raws
        .iter()
        .map(|raw| {
            let mut parsed = raw.parse();
            let scored = parsed.profile().map(|p| {
                let one = std::slice::from_ref(p);
                let mut assessments = if evidence {
                    engine.score_batch(one)?
                } else {
                    engine.score_shared_without_evidence(one, &[Memo::default()])?
                };
                let a = assessments.pop().ok_or_else(|| {
                    ScoreError::Model("the engine returned no assessment for a profile".into())
                })?;
                let record = ScoreRecord::new(p, a, engine.kind(), thresholds);
                let verdict = record.verdict;
                // Only a profile too thin to judge can be (the verdict says so cheaply).
                let unread_script =
                    verdict == Verdict::Insufficient && JudgedWords::of(p).unread_script();
                let rendered = match renderer {
                    Some(r) => {
                        let start = bytes.len();
                        match r.render(record, &mut bytes) {
                            Ok(()) => Rendered::Bytes(start..bytes.len()),
                            Err(e) => {
                                bytes.truncate(start);
                                Rendered::Failed(e)
                            }
                        }
                    }
                    None => Rendered::Record(record),
                };
                Ok(Scored {
                    verdict,
                    unread_script,
                    rendered,
                })
            });
            if renderer.is_some() {
                parsed.keep_only_id();
            }
            Done { parsed, scored }
        })
        .collect();
    Task { done, bytes }
}

/// Lines one parallel task works on.
const TASK_LINES: usize = 32;

/// Lines read before they are worked on in parallel, and at most this many bytes of them
/// (a line may be up to 8 MiB).
const CHUNK_LINES: usize = 1024;
const CHUNK_BYTES: usize = 4 << 20;

/// Ends a batch of records: fails when the engine failed on one of its profiles, else hands
/// its records to the output (flushing per batch keeps the written count honest if the disk
/// fills up).
fn end_batch<W: Write>(
    in_batch: &mut usize,
    failed: &mut Option<ScoreError>,
    out: &mut RecordWriter<W>,
) -> Result<(), Stop> {
    if let Some(e) = failed.take() {
        return Err(Stop::Failed(e.into()));
    }
    if *in_batch == 0 {
        return Ok(());
    }
    *in_batch = 0;
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
    // Profiles too thin to judge only because they are written in another script.
    let mut unread = 0u64;
    let mut duplicates: Vec<Duplicates> =
        inputs.files.iter().map(|_| Duplicates::default()).collect();
    let mut interrupted = false;
    let thresholds = engine.thresholds();
    let renderer = (args.format != Format::Html).then(|| out.renderer());
    let engine_ref: &dyn Scorer = engine.as_ref();
    // Records in the batch being written, and the engine's error for a profile of it: as
    // before lines were scored in parallel, a failed batch writes none of its records.
    let mut in_batch = 0usize;
    let mut failed: Option<ScoreError> = None;
    let mut run = || -> Result<(), Stop> {
        for (k, (file, reader)) in inputs.files.iter().zip(readers.iter_mut()).enumerate() {
            let prefix = inputs.prefix(file);
            let mut at_end = false;
            while !at_end && !interrupted {
                let mut raws: Vec<RawLine> = Vec::with_capacity(CHUNK_LINES);
                let mut bytes = 0;
                let mut read_error = None;
                while raws.len() < CHUNK_LINES && bytes < CHUNK_BYTES {
                    if super::interrupted() {
                        interrupted = true;
                        break;
                    }
                    match reader.next_line() {
                        None => {
                            at_end = true;
                            break;
                        }
                        Some(Err(e)) => {
                            read_error = Some(e);
                            break;
                        }
                        Some(Ok(raw)) => {
                            bytes += raw.len();
                            raws.push(raw);
                        }
                    }
                }
                let tasks: Vec<Task> = raws
                    .par_chunks(TASK_LINES)
                    .map(|raws| work(raws, engine_ref, &thresholds, renderer, !args.no_evidence))
                    .collect();
                let mut raws = raws.iter();
                for Task { done, bytes } in tasks {
                    for (d, raw) in done.into_iter().zip(raws.by_ref()) {
                        let entry = match reader.settle(raw, d.parsed) {
                            Some(entry) => entry,
                            None => continue,
                        };
                        match (entry, d.scored) {
                            (Entry::Profile { profile, line }, Some(scored)) => {
                                tally.processed += 1;
                                duplicates[k].note(&profile.id, line);
                                match scored {
                                    Err(e) => {
                                        failed.get_or_insert(e);
                                    }
                                    Ok(Scored {
                                        verdict,
                                        unread_script,
                                        rendered,
                                    }) if failed.is_none() => {
                                        match rendered {
                                            Rendered::Bytes(r) => out.push_rendered(&bytes[r]),
                                            Rendered::Record(r) => {
                                                out.write_with(r, &profile).map_err(write_stop)?
                                            }
                                            Rendered::Failed(e) => return Err(write_stop(e)),
                                        }
                                        let v = Verdict::ALL.iter().position(|x| *x == verdict);
                                        verdicts[v.unwrap_or(0)] += 1;
                                        unread += u64::from(unread_script);
                                    }
                                    Ok(_) => {}
                                }
                                in_batch += 1;
                                if in_batch == BATCH {
                                    end_batch(&mut in_batch, &mut failed, &mut out)?;
                                    inputs.tick(tally.processed);
                                }
                            }
                            (Entry::Rejected(e), _) => {
                                eprintln!("{prefix}{e}");
                                tally.rejected += 1;
                            }
                            // A valid profile is always scored (see `work`).
                            (Entry::Profile { .. }, None) => {}
                        }
                    }
                }
                if let Some(e) = read_error {
                    return Err(Stop::Failed(
                        anyhow::Error::new(e).context(format!("reading {}", file.display())),
                    ));
                }
            }
            if interrupted {
                break;
            }
        }
        end_batch(&mut in_batch, &mut failed, &mut out)?;
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
    if unread > 0 {
        eprintln!(
            "linkscreen: note: {unread} profile{} written in a script the engines never learned \
             (not Latin) got the verdict insufficient: read {} yourself (`linkscreen explain` \
             gives the word counts)",
            if unread == 1 { "" } else { "s" },
            if unread == 1 { "it" } else { "them" }
        );
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
