//! Evaluation: engines side by side on one labelled file, as library types (the binary only
//! prints them).
//!
//! The flow is: [`LabelledSet::new`] keeps the labelled profiles (counting the unlabelled
//! ones), [`run_engine`] scores them with one engine and times it, and [`evaluate`] turns the
//! runs into an [`EvalReport`] with every figure, bootstrap intervals, per-group figures and
//! the profiles each engine gets most wrong. [`table`] and [`report`] render it.

pub mod bootstrap;
pub mod groups;
pub mod report;
pub mod summary;
mod svg;
pub mod table;

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;

pub use groups::GroupKey;
pub use summary::{AtThreshold, BootstrapSettings, Summary};

use crate::meta::Meta;
use crate::metrics::{reliability, ReliabilityBin};
use crate::profile::{Label, Profile};
use crate::score::{Assessment, EngineKind, Reason, ScoreError, Scorer, Thresholds, Verdict};

/// Version of the JSON layout of [`EvalReport`].
pub const REPORT_FORMAT_VERSION: u32 = 1;

/// Engines score the evaluation set in batches of this size, as `linkscreen score` does.
pub const BATCH: usize = 256;

/// The labelled profiles of an input file, in input order.
#[derive(Debug, Default)]
pub struct LabelledSet {
    pub profiles: Vec<Profile>,
    pub labels: Vec<bool>,
    /// Valid profiles without a label: skipped, and counted so the user is told.
    pub unlabelled: usize,
}

impl LabelledSet {
    pub fn new(profiles: impl IntoIterator<Item = Profile>) -> LabelledSet {
        let mut set = LabelledSet::default();
        for p in profiles {
            match p.label {
                Some(l) => {
                    set.labels.push(l == Label::Fake);
                    set.profiles.push(p);
                }
                None => set.unlabelled += 1,
            }
        }
        set
    }

    pub fn len(&self) -> usize {
        self.profiles.len()
    }

    pub fn is_empty(&self) -> bool {
        self.profiles.is_empty()
    }
}

/// One engine's assessments of a [`LabelledSet`], with the time scoring took.
#[derive(Debug, Clone)]
pub struct EngineRun {
    pub kind: EngineKind,
    pub thresholds: Thresholds,
    pub assessments: Vec<Assessment>,
    /// Wall-clock seconds spent in `score_batch` (profiles already parsed).
    pub seconds: f64,
}

/// Scores every profile with `engine` in batches of [`BATCH`], timing the scoring only.
pub fn run_engine(engine: &dyn Scorer, profiles: &[Profile]) -> Result<EngineRun, ScoreError> {
    let start = Instant::now();
    let mut assessments = Vec::with_capacity(profiles.len());
    for chunk in profiles.chunks(BATCH) {
        assessments.extend(engine.score_batch(chunk)?);
    }
    Ok(EngineRun {
        kind: engine.kind(),
        thresholds: engine.thresholds(),
        assessments,
        seconds: start.elapsed().as_secs_f64(),
    })
}

/// Settings of [`evaluate`].
#[derive(Debug, Clone)]
pub struct EvalOptions {
    pub bootstrap: BootstrapSettings,
    /// Per-group figures: the meta records and the key that defines the groups.
    pub groups: Option<(Vec<Meta>, GroupKey)>,
    /// How many most-wrong profiles to keep per engine.
    pub worst: usize,
    /// Keep reasons' evidence (profile text) in the most-wrong list. Off by default.
    pub evidence: bool,
}

impl Default for EvalOptions {
    fn default() -> Self {
        EvalOptions {
            bootstrap: BootstrapSettings::default(),
            groups: None,
            worst: 10,
            evidence: false,
        }
    }
}

/// Where the evaluated profiles came from and how many were left out.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct InputCounts {
    pub file: String,
    /// Lines rejected by the parser.
    pub rejected: usize,
    /// Valid profiles without a label (not evaluated).
    pub unlabelled: usize,
    /// Labelled profiles evaluated.
    pub evaluated: usize,
    pub fakes: usize,
    pub genuine: usize,
    /// Labelled profiles too thin to judge: every engine's verdict on them is `insufficient`
    /// (the ranking figures still use their scores).
    pub insufficient_fakes: usize,
    pub insufficient_genuine: usize,
    /// Of those, the profiles written in a script the engines never learned
    /// ([`crate::score::JudgedWords::unread_script`]).
    pub insufficient_unread_script: usize,
}

/// A profile an engine got badly wrong: a fake scored low or a genuine profile scored high.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Miss {
    pub id: String,
    pub label: Label,
    pub score: f32,
    pub verdict: Verdict,
    /// The strongest reasons (at most five); evidence only when asked for.
    pub reasons: Vec<Reason>,
}

/// Everything measured for one engine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EngineReport {
    pub engine: EngineKind,
    pub thresholds: Thresholds,
    pub summary: Summary,
    pub seconds: f64,
    pub profiles_per_second: f64,
    pub reliability: Vec<ReliabilityBin>,
    pub worst: Vec<Miss>,
    /// The scores in input order, for plots; not part of the JSON.
    #[serde(skip)]
    pub scores: Vec<f32>,
}

/// One engine's figures on one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupEngine {
    pub engine: EngineKind,
    pub summary: Summary,
}

/// All engines' figures on one group.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GroupReport {
    pub name: String,
    pub profiles: usize,
    pub fakes: usize,
    pub engines: Vec<GroupEngine>,
}

/// Per-group figures under one grouping key.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Grouping {
    pub key: String,
    /// Evaluated profiles that had no meta record (grouped as `(no meta)`).
    pub without_meta: usize,
    pub groups: Vec<GroupReport>,
}

/// The whole evaluation, serialised as-is by `linkscreen eval --format json`.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct EvalReport {
    pub format_version: u32,
    pub input: InputCounts,
    pub bootstrap_resamples: usize,
    pub bootstrap_seed: u64,
    pub engines: Vec<EngineReport>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub grouping: Option<Grouping>,
    /// The hybrid engine's coefficients, when it was evaluated (set by the caller).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hybrid: Option<crate::hybrid::HybridParams>,
    /// The model's identity and date, when a model was evaluated (set by the caller); shown
    /// in the HTML report, not part of the JSON.
    #[serde(skip)]
    pub model: Option<String>,
    /// The labels in input order, for plots; not part of the JSON.
    #[serde(skip)]
    pub labels: Vec<bool>,
}

/// Errors of the evaluation itself (engines' own errors pass through).
#[derive(Debug, thiserror::Error)]
pub enum EvalError {
    #[error("no labelled profiles to evaluate ({unlabelled} valid profiles had no label)")]
    NoLabels { unlabelled: usize },
    #[error("{0}")]
    Score(#[from] ScoreError),
}

fn misses(set: &LabelledSet, run: &EngineRun, n: usize, evidence: bool) -> Vec<Miss> {
    let mut order: Vec<usize> = (0..set.len()).collect();
    let error = |i: usize| {
        let s = run.assessments[i].score;
        if set.labels[i] {
            1.0 - s
        } else {
            s
        }
    };
    // Largest error first; ties in input order (the sort is stable).
    order.sort_by(|&a, &b| error(b).total_cmp(&error(a)));
    order
        .into_iter()
        .take(n)
        .map(|i| {
            let a = &run.assessments[i];
            let reasons = a
                .reasons
                .iter()
                .take(5)
                .map(|r| Reason {
                    evidence: if evidence { r.evidence.clone() } else { None },
                    ..r.clone()
                })
                .collect();
            Miss {
                id: set.profiles[i].id.clone(),
                label: if set.labels[i] {
                    Label::Fake
                } else {
                    Label::Genuine
                },
                score: a.score,
                verdict: crate::score::verdict(&set.profiles[i], a.score, &run.thresholds),
                reasons,
            }
        })
        .collect()
}

fn grouping(
    set: &LabelledSet,
    runs: &[EngineRun],
    meta: &[Meta],
    key: GroupKey,
    o: &EvalOptions,
) -> Grouping {
    let ids: Vec<&str> = set.profiles.iter().map(|p| p.id.as_str()).collect();
    let (names, without_meta) = groups::assign(&ids, meta, key);
    let mut members: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, g) in names.iter().enumerate() {
        members.entry(g.as_str()).or_default().push(i);
    }
    let groups = members
        .into_iter()
        .map(|(name, idx)| {
            let labels: Vec<bool> = idx.iter().map(|&i| set.labels[i]).collect();
            let engines = runs
                .iter()
                .map(|run| {
                    let scores: Vec<f32> = idx.iter().map(|&i| run.assessments[i].score).collect();
                    GroupEngine {
                        engine: run.kind,
                        summary: Summary::new(&scores, &labels, run.thresholds, o.bootstrap),
                    }
                })
                .collect();
            GroupReport {
                name: name.to_owned(),
                profiles: idx.len(),
                fakes: labels.iter().filter(|&&l| l).count(),
                engines,
            }
        })
        .collect();
    Grouping {
        key: key.as_str().to_owned(),
        without_meta,
        groups,
    }
}

/// Turns engine runs over `set` into the full report. `input` carries the file name and the
/// counts of rejected lines; the label counts are filled in here.
pub fn evaluate(
    set: &LabelledSet,
    runs: &[EngineRun],
    mut input: InputCounts,
    o: &EvalOptions,
) -> Result<EvalReport, EvalError> {
    if set.is_empty() {
        return Err(EvalError::NoLabels {
            unlabelled: set.unlabelled,
        });
    }
    input.unlabelled = set.unlabelled;
    input.evaluated = set.len();
    input.fakes = set.labels.iter().filter(|&&l| l).count();
    input.genuine = set.len() - input.fakes;
    for (p, &fake) in set.profiles.iter().zip(&set.labels) {
        if crate::score::too_thin(p) {
            if crate::score::JudgedWords::of(p).unread_script() {
                input.insufficient_unread_script += 1;
            }
            if fake {
                input.insufficient_fakes += 1;
            } else {
                input.insufficient_genuine += 1;
            }
        }
    }
    let engines = runs
        .iter()
        .map(|run| {
            let scores: Vec<f32> = run.assessments.iter().map(|a| a.score).collect();
            EngineReport {
                engine: run.kind,
                thresholds: run.thresholds,
                summary: Summary::new(&scores, &set.labels, run.thresholds, o.bootstrap),
                seconds: run.seconds,
                profiles_per_second: set.len() as f64 / run.seconds.max(1e-9),
                reliability: reliability(&scores, &set.labels),
                worst: misses(set, run, o.worst, o.evidence),
                scores,
            }
        })
        .collect();
    let grouping = o
        .groups
        .as_ref()
        .map(|(meta, key)| grouping(set, runs, meta, *key, o));
    Ok(EvalReport {
        format_version: REPORT_FORMAT_VERSION,
        input,
        bootstrap_resamples: o.bootstrap.resamples,
        bootstrap_seed: o.bootstrap.seed,
        engines,
        grouping,
        hybrid: None,
        model: None,
        labels: set.labels.clone(),
    })
}

#[cfg(test)]
mod tests;
