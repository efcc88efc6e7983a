//! The figures reported for one engine on one set of labelled profiles.

use serde::Serialize;

use super::bootstrap::{self, Cis};
use super::metrics::{brier, expected_calibration_error, Confusion, Ranked};
use crate::score::Thresholds;

/// Number of equal-width bins for the expected calibration error and the reliability plot.
pub const CALIBRATION_BINS: usize = 10;

/// Precision, recall, F1 and false-positive rate when everything at or above `threshold` is
/// flagged.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct AtThreshold {
    pub threshold: f32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub false_positive_rate: f64,
    pub confusion: Confusion,
}

impl AtThreshold {
    pub fn new(scores: &[f32], labels: &[bool], threshold: f32) -> AtThreshold {
        let c = Confusion::at(scores, labels, threshold);
        AtThreshold {
            threshold,
            precision: c.precision(),
            recall: c.recall(),
            f1: c.f1(),
            false_positive_rate: c.false_positive_rate(),
            confusion: c,
        }
    }
}

/// Every figure of one engine on one sample. Figures that need both classes are `None` when
/// one is absent (a group of only fakes has no ROC-AUC).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub profiles: usize,
    pub fakes: usize,
    pub genuine: usize,
    pub roc_auc: Option<f64>,
    pub pr_auc: Option<f64>,
    pub recall_at_1pct_fpr: Option<f64>,
    pub recall_at_5pct_fpr: Option<f64>,
    /// Flagging at the engine's `fake` threshold (verdict `fake`).
    pub at_fake: AtThreshold,
    /// Flagging at the engine's `review` threshold (verdict `review` or `fake`).
    pub at_review: AtThreshold,
    pub brier: f64,
    pub ece: f64,
    pub mean_score: f64,
    /// Bootstrap intervals of ROC-AUC and recall at 1% / 5% FPR.
    pub ci: Cis,
}

/// How to compute the bootstrap intervals.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BootstrapSettings {
    pub resamples: usize,
    pub seed: u64,
    pub level: f64,
}

impl Default for BootstrapSettings {
    fn default() -> Self {
        BootstrapSettings {
            resamples: bootstrap::DEFAULT_RESAMPLES,
            seed: 0,
            level: bootstrap::DEFAULT_LEVEL,
        }
    }
}

impl Summary {
    pub fn new(scores: &[f32], labels: &[bool], t: Thresholds, b: BootstrapSettings) -> Summary {
        let ranked = Ranked::new(scores, labels);
        let has_negatives = ranked.negatives() > 0;
        let recall = |fpr| {
            if has_negatives {
                ranked.recall_at_fpr(fpr)
            } else {
                None
            }
        };
        let n = scores.len();
        Summary {
            profiles: n,
            fakes: ranked.positives(),
            genuine: ranked.negatives(),
            roc_auc: ranked.roc_auc(),
            pr_auc: ranked.pr_auc(),
            recall_at_1pct_fpr: recall(0.01),
            recall_at_5pct_fpr: recall(0.05),
            at_fake: AtThreshold::new(scores, labels, t.fake),
            at_review: AtThreshold::new(scores, labels, t.review),
            brier: brier(scores, labels),
            ece: expected_calibration_error(scores, labels, CALIBRATION_BINS),
            mean_score: scores.iter().map(|&s| s as f64).sum::<f64>() / n.max(1) as f64,
            ci: bootstrap::bootstrap(scores, labels, b.resamples, b.seed, b.level),
        }
    }
}

/// One bin of a reliability diagram: mean score against observed fraction of fakes.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct ReliabilityBin {
    pub low: f64,
    pub high: f64,
    pub count: usize,
    pub mean_score: f64,
    pub fraction_fake: f64,
}

/// The reliability diagram over [`CALIBRATION_BINS`] equal-width bins (empty bins omitted).
pub fn reliability(scores: &[f32], labels: &[bool]) -> Vec<ReliabilityBin> {
    let bins = CALIBRATION_BINS;
    let mut sum = vec![0.0f64; bins];
    let mut hits = vec![0usize; bins];
    let mut count = vec![0usize; bins];
    for (&s, &l) in scores.iter().zip(labels) {
        let b = ((s.clamp(0.0, 1.0) as f64 * bins as f64) as usize).min(bins - 1);
        sum[b] += s as f64;
        hits[b] += usize::from(l);
        count[b] += 1;
    }
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| ReliabilityBin {
            low: b as f64 / bins as f64,
            high: (b + 1) as f64 / bins as f64,
            count: count[b],
            mean_score: sum[b] / count[b] as f64,
            fraction_fake: hits[b] as f64 / count[b] as f64,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_of_a_hand_checked_sample() {
        // Fakes score 0.9 and 0.6, genuine 0.6 and 0.1: one tie between classes.
        let scores = [0.9, 0.6, 0.6, 0.1];
        let labels = [true, true, false, false];
        let t = Thresholds {
            review: 0.5,
            fake: 0.8,
        };
        let s = Summary::new(&scores, &labels, t, BootstrapSettings::default());
        assert_eq!(s.roc_auc, Some(0.875));
        assert_eq!((s.fakes, s.genuine), (2, 2));
        assert_eq!(s.at_fake.confusion.tp, 1);
        assert_eq!(s.at_fake.precision, 1.0);
        assert_eq!(s.at_fake.recall, 0.5);
        assert_eq!(s.at_review.confusion.fp, 1);
        assert_eq!(s.at_review.recall, 1.0);
        // At 1% FPR no false positive is allowed: only the 0.9 fake is flagged.
        assert_eq!(s.recall_at_1pct_fpr, Some(0.5));
    }

    #[test]
    fn one_class_has_no_auc_and_no_recall_at_fpr() {
        let t = Thresholds {
            review: 0.5,
            fake: 0.8,
        };
        let s = Summary::new(&[0.9, 0.3], &[true, true], t, BootstrapSettings::default());
        assert_eq!(s.roc_auc, None);
        assert_eq!(s.recall_at_5pct_fpr, None);
        assert_eq!(s.at_fake.recall, 0.5);
    }

    #[test]
    fn reliability_bins_count_every_score() {
        let bins = reliability(&[0.05, 0.07, 0.95, 1.0], &[false, true, true, true]);
        assert_eq!(bins.len(), 2);
        assert_eq!(bins[0].count, 2);
        assert_eq!(bins[0].fraction_fake, 0.5);
        assert_eq!(bins[1].count, 2);
    }
}
