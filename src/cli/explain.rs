//! `linkscreen explain`: the full breakdown of one profile's score by every engine.

use std::io::Write;
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use linkscreen::profile::{self, Entry, Profile};
use linkscreen::score::{EngineKind, Scorer};

use super::engine::EngineArgs;
use super::escape::{escape, escape_bounded};
use super::output;
use super::Status;

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
    #[command(flatten)]
    pub setup: EngineArgs,
}

/// Most profiles `explain` breaks down when an id is given more than once.
const MAX_EXPLAINED: usize = 20;

pub fn run(args: ExplainArgs) -> anyhow::Result<Status> {
    let reader =
        profile::open(&args.file).with_context(|| format!("opening {}", args.file.display()))?;
    let mut found = Vec::new();
    let mut matches = 0u64;
    let mut lines = Vec::new();
    for entry in reader {
        if let Entry::Profile { profile, line } = entry.context("reading input")? {
            if profile.id == args.id {
                matches += 1;
                if lines.len() < MAX_EXPLAINED {
                    lines.push(line);
                }
                if found.len() < MAX_EXPLAINED {
                    found.push((line, profile));
                }
            }
        }
    }
    if found.is_empty() {
        anyhow::bail!(
            "no valid profile with id \"{}\" in {}",
            escape_bounded(&args.id, 64),
            args.file.display()
        );
    }
    let settings = args.setup.settings();
    let rules = settings.rules()?;
    // An artifact from before the linear engine has none: the breakdown then leaves it out.
    let artifact = settings.artifact()?;
    let (model, linear, ensemble) = (artifact.classifier, artifact.linear, artifact.ensemble);
    let mut out = output::stdout();
    let result = (|| -> std::io::Result<()> {
        if matches > 1 {
            let list: Vec<String> = lines.iter().map(u64::to_string).collect();
            writeln!(
                out,
                "{matches} profiles have id {} (lines {}{}); each is explained below\n",
                escape(&args.id),
                list.join(", "),
                if matches > lines.len() as u64 {
                    ", ..."
                } else {
                    ""
                }
            )?;
        }
        for (i, (line, profile)) in found.iter().enumerate() {
            if i > 0 {
                writeln!(out, "\n----\n")?;
            }
            let engines = Engines {
                rules: &rules,
                model: &model,
                linear: linear.as_ref(),
                ensemble: ensemble.as_ref(),
            };
            explain_one(&mut out, &engines, profile, *line)?;
        }
        out.flush()
    })();
    output::finish(result, Status::Success)
}

/// The engines an explanation breaks a score down by; an artifact from before the linear
/// engine or the ensemble has none, and the breakdown leaves it out.
struct Engines<'a> {
    rules: &'a linkscreen::rules::RuleSet,
    model: &'a linkscreen::model::Classifier,
    linear: Option<&'a linkscreen::linear::LinearModel>,
    ensemble: Option<&'a linkscreen::ensemble::EnsembleParams>,
}

/// The linear engine's part of an explanation: its exact terms.
fn explain_linear(
    out: &mut impl Write,
    lin: &linkscreen::linear::LinearModel,
    a: &linkscreen::score::Assessment,
    profile: &Profile,
) -> std::io::Result<()> {
    let lt = Scorer::thresholds(lin);
    writeln!(
        out,
        "\nlinear: score {:.3} -> {} (review >= {:.2}, fake >= {:.2})",
        a.score,
        linkscreen::score::verdict(profile, a.score, &lt).as_str(),
        lt.review,
        lt.fake
    )?;
    writeln!(
        out,
        "  exact terms of the logit (the words and pairs that weighed most):"
    )?;
    write_reasons(out, &a.reasons, 34)
}

/// One line per reason: code, signed weight, evidence; every echoed value escaped.
fn write_reasons<'a>(
    out: &mut impl Write,
    reasons: impl IntoIterator<Item = &'a linkscreen::score::Reason>,
    width: usize,
) -> std::io::Result<()> {
    for r in reasons {
        writeln!(
            out,
            "  {:<width$} {:+.2}  {}",
            escape(&r.code),
            r.weight,
            escape(r.evidence.as_deref().unwrap_or(""))
        )?;
    }
    Ok(())
}

/// Writes the breakdown of one profile's score; every echoed value is escaped.
fn explain_one(
    out: &mut impl Write,
    engines: &Engines,
    profile: &Profile,
    line: u64,
) -> std::io::Result<()> {
    let (rules, model) = (engines.rules, engines.model);
    let hits = rules.hits(profile);
    let a = rules.assess(&hits);
    let t = linkscreen::score::Scorer::thresholds(rules);
    let details = model.details(profile);
    let mt = linkscreen::score::Scorer::thresholds(model);
    let linear = engines.linear.and_then(|lin| {
        let a = lin.score_batch(std::slice::from_ref(profile)).ok()?.pop()?;
        Some((lin, a))
    });
    writeln!(out, "profile {} (line {line})", escape(&profile.id))?;
    if let Some(why) = linkscreen::score::JudgedWords::of(profile).why_thin() {
        writeln!(out, "\nverdict insufficient under every engine: {why}")?;
    }
    // The parts' probabilities in the ensemble's order (it has only these two kinds).
    let parts: Option<Vec<f32>> = engines.ensemble.and_then(|e| {
        (e.engines.iter())
            .map(|k| match k {
                EngineKind::Linear => linear.as_ref().map(|(_, la)| la.score),
                EngineKind::Model => Some(details.score),
                _ => None,
            })
            .collect()
    });
    if let (Some(e), Some(parts)) = (engines.ensemble, parts) {
        let score = e.score(&parts);
        writeln!(
            out,
            "\nensemble (the default engine): score {score:.3} -> {} (review >= {:.2}, fake >= {:.2}; \
             the linear engine's and the model's log-odds averaged, broken down below)",
            linkscreen::score::verdict(profile, score, &e.thresholds).as_str(),
            e.thresholds.review,
            e.thresholds.fake
        )?;
    }
    writeln!(
        out,
        "\nmodel: score {:.3} -> {} (review >= {:.2}, fake >= {:.2}; logit {:+.2}{})",
        details.score,
        linkscreen::score::verdict(profile, details.score, &mt).as_str(),
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
    let shown = details
        .contributions
        .iter()
        .filter(|r| r.weight.abs() >= 0.01)
        .take(12);
    write_reasons(out, shown, 34)?;
    if let Some((lin, la)) = &linear {
        explain_linear(out, lin, la, profile)?;
    }
    writeln!(
        out,
        "\nrules: score {:.3} -> {} (review >= {:.2}, fake >= {:.2})",
        a.score,
        linkscreen::score::verdict(profile, a.score, &t).as_str(),
        t.review,
        t.fake
    )?;
    if hits.is_empty() {
        writeln!(out, "  no rule fired")?;
    }
    write_reasons(out, &a.reasons, 28)
}
