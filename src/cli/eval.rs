//! `linkscreen eval`: engines side by side on one labelled file. The figures are computed by
//! `linkscreen::eval`; this module only reads the inputs, builds the engines and prints.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Context;
use clap::{Parser, ValueEnum};
use linkscreen::eval::{self, BootstrapSettings, EvalOptions, GroupKey, InputCounts, LabelledSet};
use linkscreen::hybrid::{rule_evidence, HybridParams};
use linkscreen::model::Classifier;
use linkscreen::rules::RuleSet;

use super::engine::{EngineArgs, EngineChoice};
use super::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EvalFormat {
    /// An aligned table, engines side by side.
    Table,
    /// The full report as one JSON document.
    Json,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum GroupBy {
    Family,
    Group,
    Difficulty,
    Language,
}

impl From<GroupBy> for GroupKey {
    fn from(g: GroupBy) -> GroupKey {
        match g {
            GroupBy::Family => GroupKey::Family,
            GroupBy::Group => GroupKey::Group,
            GroupBy::Difficulty => GroupKey::Difficulty,
            GroupBy::Language => GroupKey::Language,
        }
    }
}

#[derive(Debug, Parser)]
#[command(after_help = "Examples:
  linkscreen eval test.jsonl --engines model,rules,hybrid
  linkscreen eval test.jsonl --meta test.meta.jsonl --group-by difficulty
  linkscreen eval test.jsonl --report report.html --format json > report.json
  linkscreen eval test.jsonl --engines hybrid --fit-hybrid valid.jsonl --save-hybrid hybrid.json

Profiles without a label are skipped and counted. Intervals are 95% percentile bootstrap
intervals (--bootstrap resamples, --seed). Exit codes as for score: 1 when lines were rejected.")]
#[command(mut_args(engine_help))]
pub struct EvalArgs {
    /// Labelled profile file (JSON Lines, format v1), or - for standard input.
    pub file: PathBuf,
    /// Engines to evaluate, comma-separated, in display order.
    #[arg(
        long,
        value_enum,
        value_delimiter = ',',
        default_value = "ensemble,linear,model,rules,hybrid"
    )]
    pub engines: Vec<EngineChoice>,
    /// Meta sidecar (JSON Lines with id, family, group...) for per-group figures.
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    /// Which meta field defines the groups.
    #[arg(long, value_enum, default_value_t = GroupBy::Family)]
    pub group_by: GroupBy,
    /// Write a self-contained HTML report (tables, ROC, PR, calibration, histograms).
    #[arg(long, value_name = "FILE")]
    pub report: Option<PathBuf>,
    /// Include evidence (profile text) of the most-wrong profiles in the report and JSON.
    #[arg(long)]
    pub report_evidence: bool,
    /// Output format on standard output.
    #[arg(long, value_enum, default_value_t = EvalFormat::Table)]
    pub format: EvalFormat,
    #[command(flatten)]
    pub setup: EngineArgs,
    /// Bootstrap resamples for the intervals (0 turns them off).
    #[arg(long, default_value_t = 200)]
    pub bootstrap: usize,
    /// Seed of the bootstrap.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How many most-wrong profiles to list per engine.
    #[arg(long, default_value_t = 10)]
    pub worst: usize,
    /// Fit the hybrid's coefficients on this labelled validation file first.
    #[arg(long, value_name = "FILE", conflicts_with = "hybrid_params")]
    pub fit_hybrid: Option<PathBuf>,
    /// Hybrid coefficients file (default: those stored in the model and listed in its
    /// manifest, else the defaults).
    #[arg(long, value_name = "FILE")]
    pub hybrid_params: Option<PathBuf>,
    /// Write the hybrid coefficients used (e.g. freshly fitted) to this file.
    #[arg(long, value_name = "FILE")]
    pub save_hybrid: Option<PathBuf>,
}

/// The shared --rules and --model say which engines read them (`mut_args` keeps their place).
fn engine_help(arg: clap::Arg) -> clap::Arg {
    match arg.get_id().as_str() {
        "rules" => {
            arg.help("Rule file to use instead of the shipped one (rules and hybrid engines)")
        }
        "model" => arg.help(
            "Model directory to use instead of the embedded model (model and hybrid engines)",
        ),
        _ => arg,
    }
}

/// Reads a labelled file, reporting rejected lines by number only.
fn read_labelled(path: &Path) -> anyhow::Result<(LabelledSet, usize)> {
    let loaded =
        linkscreen::profile::load(path).with_context(|| format!("reading {}", path.display()))?;
    for e in &loaded.rejected {
        eprintln!("{e}");
    }
    if loaded.quiet_rejected > 0 {
        eprintln!(
            "linkscreen: {} further lines rejected as not JSON Lines (not listed one by one)",
            loaded.quiet_rejected
        );
    }
    let rejected = loaded.rejected.len() + loaded.quiet_rejected as usize;
    Ok((
        LabelledSet::new(loaded.profiles.into_iter().map(|(_, p)| p)),
        rejected,
    ))
}

/// The hybrid's coefficients given (`--hybrid-params`) or fitted on a validation file
/// (`--fit-hybrid`); `None` lets the engine set-up use those stored in the model, or the
/// defaults (`HybridParams::choose`).
fn explicit_hybrid(
    args: &EvalArgs,
    model: &Classifier,
    rules: &RuleSet,
) -> anyhow::Result<Option<HybridParams>> {
    Ok(match (&args.hybrid_params, &args.fit_hybrid) {
        (Some(p), _) => Some(HybridParams::load(p)?),
        (None, Some(path)) => Some(fit_hybrid(path, model, rules)?),
        (None, None) => None,
    })
}

/// The hybrid's coefficients fitted on a labelled file.
fn fit_hybrid(path: &Path, model: &Classifier, rules: &RuleSet) -> anyhow::Result<HybridParams> {
    let (set, rejected) = read_labelled(path)?;
    if rejected > 0 {
        eprintln!("linkscreen: note: {rejected} lines of the fitting file were rejected");
    }
    let m = eval::run_engine(model, &set.profiles)?;
    let r = eval::run_engine(rules, &set.profiles)?;
    let p: Vec<f32> = m.assessments.iter().map(|a| a.score).collect();
    let e: Vec<f32> = r.assessments.iter().map(rule_evidence).collect();
    let params = HybridParams::fit(&p, &e, &set.labels)
        .with_context(|| format!("fitting the hybrid on {}", path.display()))?;
    eprintln!(
        "linkscreen: hybrid fitted on {} profiles: a {:.3}, b {:.3}, c {:.3}",
        set.len(),
        params.a,
        params.b,
        params.c
    );
    Ok(params)
}

pub fn run(args: EvalArgs) -> anyhow::Result<Status> {
    let mut choices = Vec::new();
    for c in &args.engines {
        if !choices.contains(c) {
            choices.push(*c);
        }
    }
    let meta = match &args.meta {
        Some(p) => Some(linkscreen::meta::load(p)?),
        None => None,
    };
    let settings = args.setup.settings();
    let mut engines = Vec::new();
    let mut hybrid = None;
    for &c in &choices {
        let engine = match c {
            EngineChoice::Hybrid => {
                let (engine, params) = settings.hybrid(|m, r| explicit_hybrid(&args, m, r))?;
                hybrid = Some(params);
                engine
            }
            other => settings.build(other)?,
        };
        engines.push(engine);
    }
    if let (Some(path), Some(params)) = (&args.save_hybrid, &hybrid) {
        std::fs::write(path, params.to_json() + "\n")
            .with_context(|| format!("writing {}", path.display()))?;
    } else if args.save_hybrid.is_some() {
        anyhow::bail!("--save-hybrid needs the hybrid engine in --engines");
    }
    let (set, rejected) = read_labelled(&args.file)?;
    if set.unlabelled > 0 {
        eprintln!(
            "linkscreen: note: {} profiles without a label were skipped",
            set.unlabelled
        );
    }
    let mut runs = Vec::with_capacity(engines.len());
    let spinner = super::input::spinner(&args.file);
    for e in &engines {
        if let Some(s) = &spinner {
            s.set_message(format!(
                "scoring {} profiles with {}",
                set.len(),
                e.kind().as_str()
            ));
        }
        runs.push(eval::run_engine(e.as_ref(), &set.profiles)?);
    }
    if let Some(s) = &spinner {
        s.finish_and_clear();
    }
    let options = EvalOptions {
        bootstrap: BootstrapSettings {
            resamples: args.bootstrap,
            seed: args.seed,
            ..BootstrapSettings::default()
        },
        groups: meta.map(|m| (m, args.group_by.into())),
        worst: args.worst,
        evidence: args.report_evidence,
    };
    let input = InputCounts {
        file: args.file.display().to_string(),
        rejected,
        ..InputCounts::default()
    };
    let mut report = eval::evaluate(&set, &runs, input, &options)?;
    report.hybrid = hybrid;
    if choices.iter().any(|c| *c != EngineChoice::Rules) {
        report.model = Some(super::about::model_identity(settings.model.as_deref()));
    }
    if let Some(path) = &args.report {
        let html = eval::report::html(&report, args.report_evidence);
        std::fs::write(path, super::escape::escape_document(&html).as_bytes())
            .with_context(|| format!("writing {}", path.display()))?;
    }
    let text = match args.format {
        EvalFormat::Table => eval::table::render(&report),
        EvalFormat::Json => serde_json::to_string_pretty(&report)? + "\n",
    };
    let mut out = super::output::stdout();
    super::output::finish(
        out.write_all(text.as_bytes()).and_then(|_| out.flush()),
        if rejected > 0 {
            Status::Rejected
        } else {
            Status::Success
        },
    )
}
