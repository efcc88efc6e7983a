//! Leave-one-author-out figures: each author file scored by engines trained without it. The
//! pooled out-of-fold scores set the linear engine's calibration and thresholds; the figures
//! reported for verdicts are nested (calibration and thresholds chosen on the other authors'
//! out-of-fold scores, applied to the held-out author), so they are honest about new authors.

use serde::Serialize;

use crate::eval::bootstrap::{bootstrap, Interval, DEFAULT_LEVEL, DEFAULT_RESAMPLES};
use crate::linear::Platt;
use crate::metrics::{expected_calibration_error, round4 as r4, Ranked};
use crate::score::{Thresholds, Verdict};

use super::config::LoaoConfig;

/// The author records, in one order for every engine.
pub struct Authors<'a> {
    pub names: &'a [String],
    /// Index into `names` of each record's author.
    pub fold: Vec<usize>,
    pub fake: Vec<bool>,
    /// Too thin to judge (the verdict is `insufficient` whatever the score).
    pub thin: Vec<bool>,
    /// Invitation-only records (meta `shape`).
    pub invitation: Vec<bool>,
}

/// ROC-AUC of one set of records, with its bootstrap interval.
#[derive(Debug, Clone, Serialize)]
pub struct Ranking {
    pub n: usize,
    pub fakes: usize,
    pub roc_auc: Option<f64>,
    pub roc_auc_ci: Option<Interval>,
}

impl Ranking {
    fn new(scores: &[f32], labels: &[bool], seed: u64) -> Ranking {
        let cis = bootstrap(scores, labels, DEFAULT_RESAMPLES, seed, DEFAULT_LEVEL);
        let round = |i: Interval| Interval {
            low: r4(i.low),
            high: r4(i.high),
        };
        Ranking {
            n: scores.len(),
            fakes: labels.iter().filter(|&&y| y).count(),
            roc_auc: Ranked::new(scores, labels).roc_auc().map(r4),
            roc_auc_ci: cis.roc_auc.map(round),
        }
    }
}

/// Verdicts on held-out authors with calibration and thresholds from the other authors.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Verdicts {
    pub genuine: usize,
    pub fakes: usize,
    /// Share of genuine profiles given `review` or `fake`.
    pub genuine_flagged: f64,
    /// Share of fakes given `review` or `fake`.
    pub fakes_caught: f64,
    pub invitation_fakes: usize,
    /// Share of invitation-only fakes given `genuine`.
    pub invitation_fakes_cleared: f64,
    /// Share of genuine profiles given `insufficient`.
    pub genuine_insufficient: f64,
    /// Expected calibration error (10 bins) of the nested calibrated scores.
    pub ece: f64,
}

/// One engine's leave-one-author-out figures.
#[derive(Debug, Clone, Serialize)]
pub struct EngineLoao {
    /// Per held-out author.
    pub authors: Vec<(String, Ranking)>,
    /// Mean of the per-author ROC-AUCs.
    pub mean_roc_auc: Option<f64>,
    /// All out-of-fold scores together.
    pub pooled: Ranking,
    pub verdicts: Verdicts,
}

/// Platt scaling and thresholds at the configured false-positive rates, from logits.
pub fn calibrate(logits: &[f32], labels: &[bool], cfg: &LoaoConfig) -> (Platt, Thresholds) {
    let platt = Platt::fit(logits, labels);
    let scores: Vec<f32> = logits.iter().map(|&z| platt.apply(z)).collect();
    let t = super::neural::thresholds(&scores, labels, cfg.review_fpr, cfg.fake_fpr);
    (platt, t)
}

/// Nested stacking of an engine's out-of-fold logits with the rules' evidence: for each
/// author, the hybrid's coefficients fitted on the other authors, applied to it. Returns the
/// stacked logits.
pub fn stacked(
    a: &Authors,
    logits: &[f32],
    evidence: &[f32],
    cfg: &LoaoConfig,
) -> Result<Vec<f32>, crate::hybrid::HybridError> {
    let p: Vec<f32> = logits.iter().map(|&z| Platt::IDENTITY.apply(z)).collect();
    let mut out = vec![0.0f32; logits.len()];
    for k in 0..a.names.len() {
        let other: Vec<usize> = (0..p.len()).filter(|&i| a.fold[i] != k).collect();
        let pick = |v: &[f32]| -> Vec<f32> { other.iter().map(|&i| v[i]).collect() };
        let y: Vec<bool> = other.iter().map(|&i| a.fake[i]).collect();
        let h = crate::hybrid::HybridParams::fit_at(
            &pick(&p),
            &pick(evidence),
            &y,
            cfg.review_fpr,
            cfg.fake_fpr,
        )?;
        for i in (0..p.len()).filter(|&i| a.fold[i] == k) {
            let s = h.combine(p[i], evidence[i]).clamp(1e-6, 1.0 - 1e-6);
            out[i] = (s / (1.0 - s)).ln();
        }
    }
    Ok(out)
}

fn share(k: usize, n: usize) -> f64 {
    if n == 0 {
        0.0
    } else {
        r4(k as f64 / n as f64)
    }
}

/// The figures of one engine from its out-of-fold logits (aligned with `a`'s records).
pub fn figures(a: &Authors, logits: &[f32], cfg: &LoaoConfig, seed: u64) -> EngineLoao {
    let pick = |keep: &dyn Fn(usize) -> bool| -> (Vec<f32>, Vec<bool>) {
        (0..logits.len())
            .filter(|&i| keep(i))
            .map(|i| (logits[i], a.fake[i]))
            .unzip()
    };
    let authors: Vec<(String, Ranking)> = a
        .names
        .iter()
        .enumerate()
        .map(|(k, name)| {
            let (s, y) = pick(&|i| a.fold[i] == k);
            (name.clone(), Ranking::new(&s, &y, seed))
        })
        .collect();
    let aucs: Vec<f64> = authors.iter().filter_map(|(_, r)| r.roc_auc).collect();
    let mean_roc_auc = (!aucs.is_empty()).then(|| r4(aucs.iter().sum::<f64>() / aucs.len() as f64));
    let mut nested = vec![0.0f32; logits.len()];
    let mut verdicts = vec![Verdict::Genuine; logits.len()];
    for k in 0..a.names.len() {
        let (s, y) = pick(&|i| a.fold[i] != k);
        let (platt, t) = calibrate(&s, &y, cfg);
        for i in (0..logits.len()).filter(|&i| a.fold[i] == k) {
            nested[i] = platt.apply(logits[i]);
            verdicts[i] = if a.thin[i] {
                Verdict::Insufficient
            } else {
                t.verdict(nested[i])
            };
        }
    }
    let flagged = |v: Verdict| matches!(v, Verdict::Review | Verdict::Fake);
    let count = |f: &dyn Fn(usize) -> bool| (0..logits.len()).filter(|&i| f(i)).count();
    let genuine = count(&|i| !a.fake[i]);
    let fakes = logits.len() - genuine;
    let invitation_fakes = count(&|i| a.fake[i] && a.invitation[i]);
    let verdicts = Verdicts {
        genuine,
        fakes,
        genuine_flagged: share(count(&|i| !a.fake[i] && flagged(verdicts[i])), genuine),
        fakes_caught: share(count(&|i| a.fake[i] && flagged(verdicts[i])), fakes),
        invitation_fakes,
        invitation_fakes_cleared: share(
            count(&|i| a.fake[i] && a.invitation[i] && verdicts[i] == Verdict::Genuine),
            invitation_fakes,
        ),
        genuine_insufficient: share(
            count(&|i| !a.fake[i] && verdicts[i] == Verdict::Insufficient),
            genuine,
        ),
        ece: r4(expected_calibration_error(&nested, &a.fake, 10)),
    };
    EngineLoao {
        authors,
        mean_roc_auc,
        pooled: Ranking::new(logits, &a.fake, seed),
        verdicts,
    }
}
