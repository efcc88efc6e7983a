//! `check`, `score` and `explain`: streaming profiles through an engine.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::{Parser, ValueEnum};
use linkscreen::profile::{self, Entry, Profile};
use linkscreen::score::{ScoreRecord, Scorer};

use super::input::Inputs;
use super::output::{is_broken_pipe, Format, RecordWriter};
use super::Status;

/// Profiles are scored in batches of this size (the model is much faster on batches).
const BATCH: usize = 256;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// The trained model shipped in the binary (or loaded with --model).
    Model,
    /// The transparent rule engine.
    Rules,
    /// The model and the rules combined.
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
    #[arg(long, value_enum, default_value_t = EngineChoice::Model)]
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

#[derive(Debug, Parser)]
#[command(
    after_help = "Example:\n  linkscreen explain datasets/examples/profiles.jsonl --id ex-en-01"
)]
pub struct ExplainArgs {
    /// Profile file (JSON Lines, format v1), or - for standard input.
    pub file: PathBuf,
    /// The id of the profile to explain.
    #[arg(long)]
    pub id: String,
    /// Rule file to use instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Model directory to use instead of the default model embedded in the binary.
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
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

fn report_unknown(fields: &std::collections::BTreeSet<String>) {
    if !fields.is_empty() {
        let list: Vec<&str> = fields.iter().map(String::as_str).collect();
        eprintln!(
            "linkscreen: note: ignored unknown fields: {}",
            list.join(", ")
        );
    }
}

pub fn check(args: CheckArgs) -> anyhow::Result<Status> {
    let inputs = Inputs::new(args.files, "checked");
    let mut tally = Tally::default();
    let mut unknown = std::collections::BTreeSet::new();
    for file in &inputs.files {
        let mut reader = inputs
            .open(file)
            .with_context(|| format!("opening {}", file.display()))?;
        let prefix = inputs.prefix(file);
        for entry in reader.by_ref() {
            match entry.with_context(|| format!("reading {}", file.display()))? {
                Entry::Profile { .. } => tally.processed += 1,
                Entry::Rejected(e) => {
                    eprintln!("{prefix}{e}");
                    tally.rejected += 1;
                }
            }
            if tally.processed % 4096 == 0 {
                inputs.tick(tally.processed);
            }
        }
        unknown.extend(reader.unknown_fields().iter().cloned());
    }
    inputs.finish();
    report_unknown(&unknown);
    eprintln!(
        "linkscreen: valid {}, rejected {}",
        tally.processed, tally.rejected
    );
    Ok(tally.status())
}

/// The model engine: the embedded default, or a verified artifact directory.
pub fn load_model(dir: Option<&PathBuf>) -> anyhow::Result<linkscreen::model::Classifier> {
    use linkscreen::model::Classifier;
    match dir {
        Some(d) => Classifier::load(d).with_context(|| format!("loading model {}", d.display())),
        None => Classifier::embedded().context("loading the embedded default model"),
    }
}

fn build_engine(
    choice: EngineChoice,
    rules: Option<&PathBuf>,
    model: Option<&PathBuf>,
) -> anyhow::Result<Box<dyn Scorer>> {
    match choice {
        EngineChoice::Rules => Ok(Box::new(super::rules::load(rules)?)),
        EngineChoice::Model => Ok(Box::new(load_model(model)?)),
        EngineChoice::Hybrid => {
            // The parameters fitted with the model and stored in its artifact come first.
            let (m, r) = (load_model(model)?, super::rules::load(rules)?);
            let params = linkscreen::hybrid::HybridParams::for_model(
                m.hybrid_params()?,
                model.map(|d| d.as_path()),
            )?;
            Ok(Box::new(linkscreen::hybrid::Hybrid::new(
                Box::new(m),
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
) -> Result<(), Stop> {
    if batch.is_empty() {
        return Ok(());
    }
    let thresholds = engine.thresholds();
    let assessments = engine
        .score_batch(batch)
        .map_err(|e| Stop::Failed(e.into()))?;
    for (p, a) in batch.drain(..).zip(assessments) {
        out.write_with(ScoreRecord::new(&p.id, a, engine.kind(), &thresholds), &p)
            .map_err(write_stop)?;
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
    {
        let origin = match &args.rules {
            Some(path) => path.display().to_string(),
            None => "shipped with linkscreen".to_owned(),
        };
        ctx.rules = Some(format!(
            "{} ({} rules, {origin})",
            rules.name(),
            rules.len()
        ));
    }
    ctx.rule_info = rules
        .specs()
        .map(|s| (s.code.clone(), (s.description.clone(), s.sources.clone())))
        .collect();
    Ok(ctx)
}

pub fn score(args: ScoreArgs) -> anyhow::Result<Status> {
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
    let stdout = std::io::stdout().lock();
    let mut out = RecordWriter::new(
        std::io::BufWriter::new(stdout),
        args.format,
        !args.no_evidence,
    );
    if let (Some(h), EngineChoice::Model) = (out.html_report(), args.engine) {
        h.set_rules(super::rules::load(args.rules.as_ref())?);
    }
    let mut tally = Tally::default();
    let mut batch = Vec::with_capacity(BATCH);
    let mut interrupted = false;
    let mut run = || -> Result<(), Stop> {
        for (file, reader) in inputs.files.iter().zip(readers.iter_mut()) {
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
                    Entry::Profile { profile, .. } => {
                        tally.processed += 1;
                        batch.push(profile);
                        if batch.len() == BATCH {
                            flush_batch(engine.as_ref(), &mut batch, &mut out)?;
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
        flush_batch(engine.as_ref(), &mut batch, &mut out)?;
        ctx.rejected = tally.rejected;
        out.finish(&ctx).map_err(write_stop)
    };
    let result = run();
    inputs.finish();
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
    let mut unknown = std::collections::BTreeSet::new();
    for r in &readers {
        unknown.extend(r.unknown_fields().iter().cloned());
    }
    report_unknown(&unknown);
    if interrupted {
        eprintln!("linkscreen: interrupted: output is INCOMPLETE: {counts}");
        return Ok(Status::Interrupted);
    }
    let t = engine.thresholds();
    let counts = match engine.truncated_sections() {
        Some(n) => format!("{counts}, sections truncated for the model {n}"),
        None => counts,
    };
    eprintln!(
        "linkscreen: {counts} (engine {}; review >= {:.2}, fake >= {:.2})",
        engine.kind().as_str(),
        t.review,
        t.fake
    );
    Ok(tally.status())
}

/// Evidence on one line of the breakdown: control characters (a newline inside a quoted
/// message) are written as escapes.
fn one_line(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_control() {
                c.escape_default().to_string()
            } else {
                c.to_string()
            }
        })
        .collect()
}

pub fn explain(args: ExplainArgs) -> anyhow::Result<Status> {
    let reader =
        profile::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let mut found = None;
    for entry in reader {
        if let Entry::Profile { profile, line } = entry.context("reading input")? {
            if profile.id == args.id {
                found = Some((line, profile));
                break;
            }
        }
    }
    let Some((line, profile)) = found else {
        anyhow::bail!(
            "no valid profile with id {:?} in {}",
            args.id,
            args.file.display()
        );
    };
    let rules = super::rules::load(args.rules.as_ref())?;
    let hits = rules.hits(&profile);
    let a = rules.assess(&hits);
    let t = linkscreen::score::Scorer::thresholds(&rules);
    let model = load_model(args.model.as_ref())?;
    let details = model.details(&profile);
    let mt = linkscreen::score::Scorer::thresholds(&model);
    let mut out = std::io::stdout().lock();
    let result = (|| -> std::io::Result<()> {
        writeln!(out, "profile {} (line {line})", profile.id)?;
        writeln!(
            out,
            "\nmodel: score {:.3} -> {} (review >= {:.2}, fake >= {:.2}; logit {:+.2}{})",
            details.score,
            mt.verdict(details.score).as_str(),
            mt.review,
            mt.fake,
            details.logit,
            if details.truncated > 0 {
                format!("; {} section(s) truncated", details.truncated)
            } else {
                String::new()
            }
        )?;
        writeln!(out, "  contributions (logit change when removed):")?;
        for r in details
            .contributions
            .iter()
            .filter(|r| r.weight.abs() >= 0.01)
            .take(12)
        {
            writeln!(
                out,
                "  {:<34} {:+.2}  {}",
                r.code,
                r.weight,
                one_line(r.evidence.as_deref().unwrap_or(""))
            )?;
        }
        writeln!(
            out,
            "\nrules: score {:.3} -> {} (review >= {:.2}, fake >= {:.2})",
            a.score,
            t.verdict(a.score).as_str(),
            t.review,
            t.fake
        )?;
        if hits.is_empty() {
            writeln!(out, "  no rule fired")?;
        }
        for r in &a.reasons {
            writeln!(
                out,
                "  {:<28} {:+.2}  {}",
                r.code,
                r.weight,
                one_line(r.evidence.as_deref().unwrap_or(""))
            )?;
        }
        out.flush()
    })();
    match result {
        Err(e) if is_broken_pipe(&e) => Ok(Status::Success),
        other => other.map(|_| Status::Success).map_err(Into::into),
    }
}
