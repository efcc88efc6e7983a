//! `check` and `score`: streaming profiles through an engine.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use linkscreen::profile::{self, Entry, Profile};
use linkscreen::score::{ScoreRecord, Scorer, Verdict};

use super::input::Inputs;
use super::output::{self, escape_bounded, is_broken_pipe, Format, RecordWriter};
use super::Status;

/// Profiles are scored in batches of this size (the model is much faster on batches).
const BATCH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// The default: word n-gram TF-IDF, rule indicators and numeric features in one logistic
    /// regression, calibrated on other authors' profiles (exact reasons).
    Linear,
    /// The neural model (embedding bag and MLP) shipped in the binary (or loaded with --model).
    Model,
    /// The transparent rule engine.
    Rules,
    /// The neural model and the rules combined.
    Hybrid,
}

#[derive(Debug, Parser)]
#[command(
    after_help = "Examples:\n  linkscreen check incoming.jsonl\n  cat incoming.jsonl | linkscreen check -"
)]
pub struct CheckArgs {
    /// Profile files (JSON Lines, format v1), or - for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
}

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
pub struct ScoreArgs {
    /// Profile files (JSON Lines, format v1), or - for standard input.
    #[arg(required = true, value_name = "FILE")]
    pub files: Vec<PathBuf>,
    /// Which engine scores the profiles.
    #[arg(long, value_enum, default_value_t = EngineChoice::Linear)]
    pub engine: EngineChoice,
    /// Model directory to use instead of the default model embedded in the binary.
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Jsonl)]
    pub format: Format,
    /// Rule file to use instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Omit evidence spans (profile text) from the output, for results that leave the workstation.
    #[arg(long)]
    pub no_evidence: bool,
}

/// Counts kept for the run's summary line.
#[derive(Debug, Default)]
struct Tally {
    processed: u64,
    rejected: u64,
}

impl Tally {
    fn status(&self) -> Status {
        if self.rejected > 0 {
            Status::Rejected
        } else {
            Status::Success
        }
    }
}

/// Most ids reported as duplicated, and most line numbers listed for each.
const MAX_DUPLICATE_IDS: usize = 20;
const MAX_DUPLICATE_LINES: usize = 10;

/// Finds ids given more than once in one input, with bounded memory for the report: every id
/// is remembered by a 64-bit hash with its first line; only duplicated ids are kept in full.
#[derive(Default)]
struct Duplicates {
    first: std::collections::HashMap<u64, u64>,
    /// Duplicated ids with their line numbers, in order of first duplication.
    found: Vec<(String, Vec<u64>)>,
    /// Duplicated ids beyond those kept.
    more: u64,
}

impl Duplicates {
    fn note(&mut self, id: &str, line: u64) {
        use std::hash::{BuildHasher, Hasher};
        // A fixed hasher: the same input always gives the same report.
        let mut h =
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .build_hasher();
        h.write(id.as_bytes());
        let first = *self.first.entry(h.finish()).or_insert(line);
        if first == line {
            return;
        }
        if let Some((_, lines)) = self.found.iter_mut().find(|(i, _)| i == id) {
            if lines.len() < MAX_DUPLICATE_LINES {
                lines.push(line);
            }
        } else if self.found.len() < MAX_DUPLICATE_IDS {
            self.found.push((id.to_owned(), vec![first, line]));
        } else {
            self.more += 1;
        }
    }

    /// One warning per duplicated id, with its line numbers.
    fn report(&self) {
        for (id, lines) in &self.found {
            let list: Vec<String> = lines.iter().map(u64::to_string).collect();
            let more = if lines.len() == MAX_DUPLICATE_LINES {
                ", ..."
            } else {
                ""
            };
            eprintln!(
                "linkscreen: warning: id \"{}\" is given more than once (lines {}{more}); each line is processed on its own",
                escape_bounded(id, 64),
                list.join(", ")
            );
        }
        if self.more > 0 {
            eprintln!(
                "linkscreen: warning: {} more duplicated ids not listed",
                self.more
            );
        }
    }
}

/// The notes a reader has for the end of a run: unknown field names (sanitised and bounded by
/// the reader; only their number when `names` is false), a byte-order mark, a format hint.
fn report_input<R: std::io::BufRead>(reader: &profile::ProfileReader<R>, names: bool) {
    let fields = reader.unknown_fields();
    if !fields.is_empty() {
        let more = fields.contains(profile::MORE_UNKNOWN);
        let shown = fields.len() - usize::from(more);
        if names {
            let list: Vec<&str> = fields
                .iter()
                .filter(|f| f.as_str() != profile::MORE_UNKNOWN)
                .map(String::as_str)
                .collect();
            eprintln!(
                "linkscreen: note: ignored unknown fields: {}{}",
                list.join(", "),
                if more { ", and more" } else { "" }
            );
        } else {
            eprintln!(
                "linkscreen: note: ignored {shown}{} unknown field names (not shown with --no-evidence)",
                if more { "+" } else { "" }
            );
        }
    }
    if reader.had_bom() {
        eprintln!(
            "linkscreen: note: the UTF-8 byte-order mark at the start of the input was ignored"
        );
    }
    if reader.format_hint().is_some() && reader.quiet_rejected() > 0 {
        eprintln!(
            "linkscreen: {} further lines rejected as not JSON Lines (not listed one by one)",
            reader.quiet_rejected()
        );
    }
    if reader.is_empty() {
        eprintln!("linkscreen: note: the input is empty: no profile to read");
    }
}

pub fn check(args: CheckArgs) -> anyhow::Result<Status> {
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

/// The verified model artifact: the embedded default, or an artifact directory.
pub fn load_artifact(dir: Option<&PathBuf>) -> anyhow::Result<linkscreen::artifact::Artifact> {
    use linkscreen::artifact::Artifact;
    match dir {
        Some(d) => Artifact::load(d).with_context(|| format!("loading model {}", d.display())),
        None => Artifact::embedded().context("loading the embedded default model"),
    }
}

/// The model engine: the embedded default, or a verified artifact directory.
pub fn load_model(dir: Option<&PathBuf>) -> anyhow::Result<linkscreen::model::Classifier> {
    Ok(load_artifact(dir)?.classifier)
}

/// The linear engine stored in the embedded default model or in a verified artifact directory.
pub fn load_linear(dir: Option<&PathBuf>) -> anyhow::Result<linkscreen::linear::LinearModel> {
    Ok(load_artifact(dir)?
        .linear
        .ok_or(linkscreen::linear::LinearError::Absent)?)
}

fn build_engine(
    choice: EngineChoice,
    rules: Option<&PathBuf>,
    model: Option<&PathBuf>,
) -> anyhow::Result<Box<dyn Scorer>> {
    match choice {
        EngineChoice::Rules => Ok(Box::new(super::rules::load(rules)?)),
        EngineChoice::Model => Ok(Box::new(load_model(model)?)),
        EngineChoice::Linear => Ok(Box::new(load_linear(model)?)),
        EngineChoice::Hybrid => {
            // The parameters fitted with the model and stored in its artifact come first.
            let (a, r) = (load_artifact(model)?, super::rules::load(rules)?);
            let params =
                linkscreen::hybrid::HybridParams::for_model(a.hybrid, model.map(|d| d.as_path()))?;
            Ok(Box::new(linkscreen::hybrid::Hybrid::new(
                Box::new(a.classifier),
                r,
                params,
            )))
        }
    }
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
    if is_broken_pipe(&e) {
        Stop::PipeClosed
    } else {
        Stop::Failed(anyhow::Error::new(e).context("writing output"))
    }
}

/// What the HTML page says about the run.
fn html_context(args: &ScoreArgs, engine: &dyn Scorer) -> anyhow::Result<super::html::Context> {
    let mut ctx = super::html::Context {
        engine: Some(engine.kind()),
        thresholds: Some(engine.thresholds()),
        inputs: args.files.iter().map(|f| f.display().to_string()).collect(),
        ..Default::default()
    };
    if args.engine != EngineChoice::Rules {
        ctx.model = Some(super::about::model_identity(args.model.as_deref()));
    }
    let rules = super::rules::load(args.rules.as_ref())?;
    let origin = match &args.rules {
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

pub fn score(args: ScoreArgs) -> anyhow::Result<Status> {
    if args.rules.is_some() && matches!(args.engine, EngineChoice::Model | EngineChoice::Linear) {
        eprintln!(
            "linkscreen: error: --rules has no effect with --engine {} (it reads no rule file); use --engine rules or hybrid",
            args.engine.to_possible_value().map_or("model".into(), |v| v.get_name().to_owned())
        );
        return Ok(Status::Fatal);
    }
    let engine = build_engine(args.engine, args.rules.as_ref(), args.model.as_ref())?;
    let mut ctx = match args.format {
        Format::Html => html_context(&args, engine.as_ref())?,
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
    if let (Some(h), EngineChoice::Model | EngineChoice::Linear) = (out.html_report(), args.engine)
    {
        h.set_rules(super::rules::load(args.rules.as_ref())?);
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
