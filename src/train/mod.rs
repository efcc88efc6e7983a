//! Training: [`train`] is a chain of fitted steps. Data (`data`: loading, group-aware splits,
//! augmentation), the linear engine (`linear`), the neural model (`neural`: tokenizer,
//! feature statistics, network in `net` and `init`, calibration), the hybrid's stacking
//! (`stack`), leave-one-author-out figures (`loao`), the report (`report`: metrics and model
//! card) and the artifact. The library prints nothing: it reports to a [`Progress`].

mod augment;
mod batch;
pub mod config;
pub mod data;
mod ensemble;
mod init;
mod linear;
pub mod loao;
mod net;
mod neural;
mod parallel;
mod progress;
mod report;
mod sources;
mod stack;

use std::collections::BTreeMap;
use std::path::Path;

use candle_core::Device;

use crate::artifact::{Artifact, ArtifactError};
use crate::linear::LinearModel;
use crate::model::FORMAT_VERSION;
use crate::score::{Scorer, Thresholds};

pub use config::TrainConfig;
use data::{Part, Sample};
pub use progress::{Progress, Silent};
use stack::Stack;

#[derive(Debug, thiserror::Error)]
pub enum TrainError {
    #[error("training config: {0}")]
    Config(String),
    #[error("{path}: {reason}")]
    Io { path: String, reason: String },
    #[error("training data: {0}")]
    Data(String),
    #[error("model: {0}")]
    Model(#[from] crate::model::ModelError),
    #[error("model: {0}")]
    Artifact(#[from] ArtifactError),
    #[error("hybrid: {0}")]
    Hybrid(#[from] crate::hybrid::HybridError),
    #[error("tensor computation: {0}")]
    Tensor(#[from] candle_core::Error),
}

/// One epoch's log line.
#[derive(Debug, Clone, serde::Serialize)]
pub struct EpochLog {
    pub stage: &'static str,
    pub epoch: usize,
    pub loss: f64,
    pub val_roc_auc: Option<f64>,
    pub val_pr_auc: Option<f64>,
    /// Validation ROC-AUC on the records early stopping looks at (`select_on`).
    pub selection_roc_auc: Option<f64>,
}

/// What a run produced.
pub struct Outcome {
    pub artifact: Artifact,
    pub epochs: Vec<EpochLog>,
}

pub(crate) fn round6(x: f64) -> f64 {
    (x * 1e6).round() / 1e6
}

/// Picks the device: `auto` (CUDA 0 when built with it and present, else CPU), `cpu`, `cuda:N`.
pub fn device(spec: &str) -> Result<Device, TrainError> {
    match spec {
        "cpu" => Ok(Device::Cpu),
        "auto" => Ok(Device::cuda_if_available(0).unwrap_or(Device::Cpu)),
        s => {
            let n = s
                .strip_prefix("cuda:")
                .and_then(|n| n.parse::<usize>().ok())
                .ok_or_else(|| {
                    TrainError::Config(format!("unknown device `{s}` (auto|cpu|cuda:N)"))
                })?;
            Ok(Device::new_cuda(n)?)
        }
    }
}

/// The linear engine of a run, with its out-of-fold logits on the author records (when there
/// are author files) and its calibrated score of every sample.
struct LinearRun {
    model: LinearModel,
    out_of_fold: Option<Vec<f32>>,
    scores: Vec<f32>,
}

/// The linear engine fitted on everything, calibrated and thresholded out of fold on the author
/// files (or on the validation split when there are none).
fn train_linear(
    cfg: &TrainConfig,
    params: &crate::linear::LinearParams,
    samples: &[Sample],
    authors: &loao::Authors,
    eval_idx: &[usize],
    progress: &dyn Progress,
) -> Result<LinearRun, TrainError> {
    let started = std::time::Instant::now();
    let docs = linear::docs(params, samples);
    let oof = if cfg.loao.engines.iter().any(|e| e == "linear") && !authors.names.is_empty() {
        let mut z = vec![0.0f32; eval_idx.len()];
        let folds = parallel::map(authors.names.len(), |k| {
            let name = authors.names[k].as_str();
            let held_out = |s: &Sample| s.author.as_deref() != Some(name);
            linear::fit(params, samples, &docs, &held_out, cfg.seed)
        })?;
        for (k, m) in folds.iter().enumerate() {
            for (j, &i) in eval_idx.iter().enumerate() {
                if authors.fold[j] == k {
                    z[j] = m.terms(&docs[i]).logit;
                }
            }
        }
        Some(z)
    } else {
        None
    };
    let m = linear::fit(params, samples, &docs, &|_| true, cfg.seed)?;
    let (platt, t) = match &oof {
        Some(z) => loao::calibrate(z, &authors.fake, &cfg.loao),
        None => {
            let (z, y): (Vec<f32>, Vec<bool>) = samples
                .iter()
                .zip(&docs)
                .filter(|(s, _)| s.part == Part::Val)
                .map(|(s, d)| (m.terms(d).logit, s.fake))
                .unzip();
            let c = &cfg.calibration;
            let l = config::LoaoConfig {
                engines: Vec::new(),
                review_fpr: c.review_fpr,
                fake_fpr: c.fake_fpr,
            };
            loao::calibrate(&z, &y, &l)
        }
    };
    progress.note(&format!(
        "linear: {} author folds and the final fit in {:.1} s; Platt a {:.3}, b {:.3}; review >= {:.3}, fake >= {:.3}",
        if oof.is_some() { authors.names.len() } else { 0 },
        started.elapsed().as_secs_f64(),
        platt.a,
        platt.b,
        t.review,
        t.fake
    ));
    let model = m.with_calibration(platt, t);
    let scores = docs
        .iter()
        .map(|d| model.calibrate(model.terms(d).logit))
        .collect();
    Ok(LinearRun {
        model,
        out_of_fold: oof,
        scores,
    })
}

/// The neural model's out-of-fold logits on the author records: one whole training per author,
/// the folds side by side (`parallel::map`), each reporting nothing until it is done.
fn model_out_of_fold(
    cfg: &TrainConfig,
    samples: &[Sample],
    authors: &loao::Authors,
    eval_idx: &[usize],
    device: &Device,
    progress: &dyn Progress,
) -> Result<Vec<f32>, TrainError> {
    let started = std::time::Instant::now();
    progress.note(&format!(
        "leave-one-author-out: training the model {} times, once without each author",
        authors.names.len()
    ));
    let folds = parallel::map(authors.names.len(), |k| {
        let name = authors.names[k].as_str();
        let held_out = |s: &Sample| s.author.as_deref() != Some(name);
        let fitted = neural::fit_model(cfg, samples, &held_out, device, &Silent)?;
        // Each copy's own temperature first, so that the copies' scores share one scale.
        let t = fitted.classifier.calibration().temperature;
        Ok((fitted.logits, t))
    })?;
    let mut z = vec![0.0f32; eval_idx.len()];
    for (k, (logits, t)) in folds.iter().enumerate() {
        for (j, &i) in eval_idx.iter().enumerate() {
            if authors.fold[j] == k {
                z[j] = logits[i] / t;
            }
        }
    }
    progress.note(&format!(
        "leave-one-author-out: {} model folds in {:.1} s",
        folds.len(),
        started.elapsed().as_secs_f64()
    ));
    Ok(z)
}

/// Trains every engine from a configuration, reporting to `progress`: a chain of fitted steps
/// (data, then the linear engine, the neural model's tokenizer, statistics, network and
/// calibration, then the hybrid, the leave-one-author-out figures, the report and the
/// artifact). Timing is reported, never written into the artifact, so the same config and
/// seed give identical files.
pub fn train(
    cfg: &TrainConfig,
    device: &Device,
    progress: &dyn Progress,
) -> Result<Outcome, TrainError> {
    let samples = data::prepare(cfg, progress)?;
    let folds = Folds::new(cfg, &samples);
    let authors = folds.authors(&samples);
    let linear = match &cfg.linear {
        Some(p) => Some(train_linear(
            cfg,
            p,
            &samples,
            &authors,
            &folds.eval_idx,
            progress,
        )?),
        None => None,
    };
    let model_oof = if cfg.loao.engines.iter().any(|e| e == "model") && !folds.names.is_empty() {
        Some(model_out_of_fold(
            cfg,
            &samples,
            &authors,
            &folds.eval_idx,
            device,
            progress,
        )?)
    } else {
        None
    };
    // With both engines' out-of-fold scores, the ensemble of the two is calibrated on them.
    let ensemble = match (&linear, &model_oof) {
        (
            Some(LinearRun {
                model,
                out_of_fold: Some(zl),
                ..
            }),
            Some(zm),
        ) => Some(ensemble::fit(
            zl,
            model.spec().calibration,
            zm,
            &authors.fake,
            &cfg.loao,
        )),
        _ => None,
    };
    let fitted = neural::fit_model(cfg, &samples, &|_| true, device, progress)?;
    let stack = Stack::fit(cfg, &samples, &fitted, progress)?;
    let out_of_fold = OutOfFold {
        linear: linear.as_ref().and_then(|l| l.out_of_fold.as_deref()),
        model: model_oof.as_deref(),
        ensemble: ensemble.as_ref().map(|e| e.out_of_fold.as_slice()),
    };
    let figures = loao_figures(
        cfg,
        &authors,
        &folds.eval_idx,
        &stack,
        &out_of_fold,
        progress,
    )?;
    let (metrics, card) = report(
        cfg,
        &samples,
        &fitted,
        &stack,
        linear.as_ref(),
        ensemble.as_ref(),
        &figures,
    )?;
    Ok(Outcome {
        artifact: Artifact {
            classifier: fitted.classifier,
            hybrid: Some(stack.params),
            linear: linear.map(|l| l.model),
            ensemble: ensemble.map(|e| e.params),
            metrics,
            card,
        },
        epochs: fitted.epochs,
    })
}

/// The author files' records, held out in turn by the leave-one-author-out evaluation.
struct Folds {
    /// The author files' names, one fold each.
    names: Vec<String>,
    /// The records evaluated out of fold: the author records, augmented copies left out.
    eval_idx: Vec<usize>,
}

impl Folds {
    fn new(cfg: &TrainConfig, samples: &[Sample]) -> Folds {
        let names: Vec<String> = cfg
            .data
            .files
            .iter()
            .filter(|f| f.author)
            .map(|f| {
                let stem = std::path::Path::new(&f.path)
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default();
                f.name.clone().unwrap_or_else(|| format!("file:{stem}"))
            })
            .collect();
        let eval_idx: Vec<usize> = (0..samples.len())
            .filter(|&i| samples[i].author.is_some() && !samples[i].augmented)
            .collect();
        Folds { names, eval_idx }
    }

    fn authors<'a>(&'a self, samples: &[Sample]) -> loao::Authors<'a> {
        let (names, eval_idx) = (&self.names, &self.eval_idx);
        loao::Authors {
            names,
            fold: eval_idx
                .iter()
                .map(|&i| {
                    let a = samples[i].author.as_deref();
                    names
                        .iter()
                        .position(|n| Some(n.as_str()) == a)
                        .unwrap_or(0)
                })
                .collect(),
            fake: eval_idx.iter().map(|&i| samples[i].fake).collect(),
            thin: eval_idx
                .iter()
                .map(|&i| crate::score::too_thin(&samples[i].profile))
                .collect(),
            invitation: eval_idx.iter().map(|&i| samples[i].invitation).collect(),
        }
    }
}

/// The learned engines' out-of-fold logits on the author records, where computed.
struct OutOfFold<'a> {
    linear: Option<&'a [f32]>,
    model: Option<&'a [f32]>,
    ensemble: Option<&'a [f32]>,
}

/// Leave-one-author-out figures of every engine that has out-of-fold scores; the rules are
/// not trained, so their scores on each author are out of fold by construction.
fn loao_figures(
    cfg: &TrainConfig,
    authors: &loao::Authors,
    eval_idx: &[usize],
    stack: &Stack,
    oof: &OutOfFold,
    progress: &dyn Progress,
) -> Result<BTreeMap<String, loao::EngineLoao>, TrainError> {
    let mut loao_figures = BTreeMap::new();
    if authors.names.is_empty() {
        return Ok(loao_figures);
    }
    let rules_z: Vec<f32> = eval_idx
        .iter()
        .map(|&i| crate::platt::log_odds(stack.assessed[i].score))
        .collect();
    loao_figures.insert(
        "rules".to_owned(),
        loao::figures(authors, &rules_z, &cfg.loao, cfg.seed),
    );
    if let Some(z) = oof.linear {
        loao_figures.insert(
            "linear".to_owned(),
            loao::figures(authors, z, &cfg.loao, cfg.seed),
        );
        let e: Vec<f32> = eval_idx.iter().map(|&i| stack.evidence[i]).collect();
        let stacked = loao::stacked(authors, z, &e, &cfg.loao)?;
        loao_figures.insert(
            "linear+rules".to_owned(),
            loao::figures(authors, &stacked, &cfg.loao, cfg.seed),
        );
    }
    if let Some(z) = oof.model {
        loao_figures.insert(
            "model".to_owned(),
            loao::figures(authors, z, &cfg.loao, cfg.seed),
        );
    }
    if let Some(z) = oof.ensemble {
        loao_figures.insert(
            "ensemble".to_owned(),
            loao::figures(authors, z, &cfg.loao, cfg.seed),
        );
    }
    for (engine, f) in &loao_figures {
        progress.note(&format!(
            "leave-one-author-out {engine}: pooled ROC-AUC {}, mean {}, genuine flagged {:.3}, fakes caught {:.3}",
            f.pooled.roc_auc.map_or("-".into(), |v| format!("{v:.4}")),
            f.mean_roc_auc.map_or("-".into(), |v| format!("{v:.4}")),
            f.verdicts.genuine_flagged,
            f.verdicts.fakes_caught
        ));
    }
    Ok(loao_figures)
}

/// The metrics of every engine on the same records (`metrics.json`) and the model card.
fn report(
    cfg: &TrainConfig,
    samples: &[Sample],
    fitted: &neural::FittedModel,
    stack: &Stack,
    linear: Option<&LinearRun>,
    ensemble: Option<&ensemble::FittedEnsemble>,
    loao_figures: &BTreeMap<String, loao::EngineLoao>,
) -> Result<(Vec<u8>, Vec<u8>), TrainError> {
    let (classifier, epochs, hybrid) = (&fitted.classifier, &fitted.epochs, &stack.params);
    let hybrid_scores: Vec<f32> = stack
        .model_scores
        .iter()
        .zip(&stack.evidence)
        .map(|(&p, &e)| hybrid.combine(p, e))
        .collect();
    let linear_scored: Option<(Vec<f32>, Thresholds)> =
        linear.map(|l| (l.scores.clone(), l.model.spec().thresholds));
    // The ensemble's scores of every sample, from the final engines' (as when scoring).
    let ensemble_scored = match (ensemble, linear) {
        (Some(e), Some(l)) => Some((
            (l.scores.iter().zip(&stack.model_scores))
                .map(|(&pl, &pm)| e.params.score(&[pl, pm]))
                .collect(),
            e.params.thresholds,
        )),
        _ => None,
    };
    let scored = report::Scored {
        samples,
        model: stack.model_scores.clone(),
        rules: stack.assessed.iter().map(|a| a.score).collect(),
        hybrid: hybrid_scores,
        model_t: classifier.thresholds(),
        rules_t: stack.rules.thresholds(),
        hybrid_t: hybrid.thresholds.unwrap_or(classifier.thresholds()),
        linear: linear_scored,
        ensemble: ensemble_scored,
    };
    let by_split = scored.by_split();
    let families = scored.families(Part::Test);
    let metrics = serde_json::json!({
        "format_version": FORMAT_VERSION,
        "config": cfg,
        "calibration": classifier.calibration(),
        "hybrid": hybrid,
        "linear": linear.map(|LinearRun { model: m, .. }| serde_json::json!({
            "calibration": m.spec().calibration,
            "thresholds": m.spec().thresholds,
        })),
        "ensemble": ensemble.map(|e| &e.params),
        "leave_one_author_out": loao_figures,
        "epochs": epochs,
        "splits": by_split,
        "synthetic_families_test": families,
    });
    let card = report::model_card(&metrics, &by_split, &families, loao_figures);
    let mut json =
        serde_json::to_vec_pretty(&metrics).map_err(|e| TrainError::Data(e.to_string()))?;
    json.push(b'\n');
    Ok((json, card.into_bytes()))
}

/// Trains and writes the artifact into `out`.
pub fn train_to(
    cfg: &TrainConfig,
    device: &Device,
    out: &Path,
    progress: &dyn Progress,
) -> Result<Outcome, TrainError> {
    let outcome = train(cfg, device, progress)?;
    outcome.artifact.save(out)?;
    Ok(outcome)
}
