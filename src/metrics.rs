//! Classification metrics as library types: ROC, precision-recall, calibration and confusion
//! counts, and [`Figures`], the one set of figures per engine that evaluation (`eval`) and
//! training (`train`) both report. The positive class is "fake" (label 1) throughout.
//!
//! This module is a leaf: it imports nothing from the crate, and no external crate but `serde`
//! (its types derive `Serialize`). Scores and labels come in as plain slices, thresholds as
//! plain numbers.

use serde::Serialize;

/// Number of equal-width score bins for the expected calibration error and the reliability
/// diagram.
pub const CALIBRATION_BINS: usize = 10;

/// Scores paired with labels (true = fake), sorted by descending score once.
#[derive(Debug, Clone)]
pub struct Ranked {
    /// (score, is_fake), highest score first; ties keep input order.
    pairs: Vec<(f32, bool)>,
    positives: usize,
    negatives: usize,
}

impl Ranked {
    pub fn new(scores: &[f32], labels: &[bool]) -> Ranked {
        assert_eq!(scores.len(), labels.len(), "one label per score");
        let mut pairs: Vec<(f32, bool)> =
            scores.iter().copied().zip(labels.iter().copied()).collect();
        pairs.sort_by(|a, b| b.0.total_cmp(&a.0));
        let positives = labels.iter().filter(|&&l| l).count();
        Ranked {
            pairs,
            positives,
            negatives: labels.len() - positives,
        }
    }

    pub fn positives(&self) -> usize {
        self.positives
    }

    pub fn negatives(&self) -> usize {
        self.negatives
    }

    /// Cumulative (true positives, false positives) at each distinct score, highest score
    /// first: the counts flagged by a threshold at that score. Ties are taken together.
    fn cumulative(&self) -> Vec<(f32, usize, usize)> {
        let mut out: Vec<(f32, usize, usize)> = Vec::new();
        let (mut tp, mut fp) = (0usize, 0usize);
        for &(score, fake) in &self.pairs {
            if fake {
                tp += 1;
            } else {
                fp += 1;
            }
            match out.last_mut() {
                Some(last) if last.0 == score => *last = (score, tp, fp),
                _ => out.push((score, tp, fp)),
            }
        }
        out
    }

    /// The ROC curve as (false-positive rate, true-positive rate) points, one per distinct
    /// score, from (0, 0) to (1, 1).
    pub fn roc_curve(&self) -> Vec<(f64, f64)> {
        let (p, n) = (self.positives.max(1) as f64, self.negatives.max(1) as f64);
        let mut points = vec![(0.0, 0.0)];
        points.extend(
            self.cumulative()
                .into_iter()
                .map(|(_, tp, fp)| (fp as f64 / n, tp as f64 / p)),
        );
        points
    }

    /// Area under the ROC curve (ties count one half). `None` when a class is absent.
    pub fn roc_auc(&self) -> Option<f64> {
        if self.positives == 0 || self.negatives == 0 {
            return None;
        }
        let curve = self.roc_curve();
        Some(
            curve
                .windows(2)
                .map(|w| (w[1].0 - w[0].0) * (w[1].1 + w[0].1) / 2.0)
                .sum(),
        )
    }

    /// The precision-recall curve as (recall, precision) points, one per distinct score.
    pub fn pr_curve(&self) -> Vec<(f64, f64)> {
        let p = self.positives.max(1) as f64;
        self.cumulative()
            .into_iter()
            .map(|(_, tp, fp)| (tp as f64 / p, tp as f64 / (tp + fp) as f64))
            .collect()
    }

    /// Average precision (the step-wise area under the precision-recall curve).
    pub fn pr_auc(&self) -> Option<f64> {
        if self.positives == 0 {
            return None;
        }
        let mut prev_recall = 0.0;
        let mut area = 0.0;
        for (recall, precision) in self.pr_curve() {
            area += (recall - prev_recall) * precision;
            prev_recall = recall;
        }
        Some(area)
    }

    /// The lowest threshold whose false-positive rate stays at or below `fpr`: profiles scoring
    /// at or above it are flagged. Returns `f32::INFINITY` when even the top score would exceed it.
    pub fn threshold_at_fpr(&self, fpr: f64) -> f32 {
        let allowed = (fpr * self.negatives as f64).floor() as usize;
        self.cumulative()
            .into_iter()
            .take_while(|&(_, _, fp)| fp <= allowed)
            .last()
            .map_or(f32::INFINITY, |(score, _, _)| score)
    }

    /// Recall (true-positive rate) at the threshold chosen for a false-positive rate.
    pub fn recall_at_fpr(&self, fpr: f64) -> Option<f64> {
        if self.positives == 0 {
            return None;
        }
        let t = self.threshold_at_fpr(fpr);
        let tp = self.pairs.iter().filter(|(s, l)| *l && *s >= t).count();
        Some(tp as f64 / self.positives as f64)
    }
}

/// Convenience: ROC-AUC of scores against labels.
pub fn roc_auc(scores: &[f32], labels: &[bool]) -> Option<f64> {
    Ranked::new(scores, labels).roc_auc()
}

/// Counts at one decision threshold.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Confusion {
    pub tp: usize,
    pub fp: usize,
    pub tn: usize,
    pub r#fn: usize,
}

impl Confusion {
    /// Flags every score at or above `threshold` as fake.
    pub fn at(scores: &[f32], labels: &[bool], threshold: f32) -> Confusion {
        let mut c = Confusion::default();
        for (&s, &l) in scores.iter().zip(labels) {
            match (s >= threshold, l) {
                (true, true) => c.tp += 1,
                (true, false) => c.fp += 1,
                (false, false) => c.tn += 1,
                (false, true) => c.r#fn += 1,
            }
        }
        c
    }

    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.r#fn)
    }

    pub fn false_positive_rate(&self) -> f64 {
        ratio(self.fp, self.fp + self.tn)
    }

    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Mean squared error of the scores as probabilities.
pub fn brier(scores: &[f32], labels: &[bool]) -> f64 {
    let n = scores.len().max(1) as f64;
    scores
        .iter()
        .zip(labels)
        .map(|(&s, &l)| (s as f64 - if l { 1.0 } else { 0.0 }).powi(2))
        .sum::<f64>()
        / n
}

/// Expected calibration error over `bins` equal-width score bins.
pub fn expected_calibration_error(scores: &[f32], labels: &[bool], bins: usize) -> f64 {
    let mut sum = vec![0.0f64; bins];
    let mut hits = vec![0.0f64; bins];
    let mut count = vec![0usize; bins];
    for (&s, &l) in scores.iter().zip(labels) {
        let b = ((s.clamp(0.0, 1.0) as f64 * bins as f64) as usize).min(bins - 1);
        sum[b] += s as f64;
        hits[b] += if l { 1.0 } else { 0.0 };
        count[b] += 1;
    }
    let n = scores.len().max(1) as f64;
    (0..bins)
        .filter(|&b| count[b] > 0)
        .map(|b| {
            (count[b] as f64 / n) * (sum[b] / count[b] as f64 - hits[b] / count[b] as f64).abs()
        })
        .sum()
}

/// One engine's figures on one set of labelled scores: ranking (ROC-AUC, PR-AUC, recall at a
/// fixed false-positive rate), calibration (Brier score, expected calibration error over
/// [`CALIBRATION_BINS`] bins) and the confusion counts at the engine's two thresholds.
///
/// `eval` reports it unrounded inside its `Summary`; `train` writes it rounded to four places
/// ([`Figures::rounded`]) in `metrics.json`, in this field order.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Figures {
    /// `None` when a class is absent.
    pub roc_auc: Option<f64>,
    /// `None` when there is no fake.
    pub pr_auc: Option<f64>,
    /// `None` when there is no fake; with no genuine profile it is 1 (no threshold has a false
    /// positive).
    pub recall_at_1pct_fpr: Option<f64>,
    pub recall_at_5pct_fpr: Option<f64>,
    pub brier: f64,
    pub ece: f64,
    /// Counts at the engine's `review` threshold (verdict `review` or `fake`).
    pub review: Confusion,
    /// Counts at the engine's `fake` threshold (verdict `fake`).
    pub fake: Confusion,
}

impl Figures {
    /// The figures of `scores` against `labels` (true = fake), with confusion counts at the
    /// thresholds `review` and `fake`.
    pub fn new(scores: &[f32], labels: &[bool], review: f32, fake: f32) -> Figures {
        let ranked = Ranked::new(scores, labels);
        Figures {
            roc_auc: ranked.roc_auc(),
            pr_auc: ranked.pr_auc(),
            recall_at_1pct_fpr: ranked.recall_at_fpr(0.01),
            recall_at_5pct_fpr: ranked.recall_at_fpr(0.05),
            brier: brier(scores, labels),
            ece: expected_calibration_error(scores, labels, CALIBRATION_BINS),
            review: Confusion::at(scores, labels, review),
            fake: Confusion::at(scores, labels, fake),
        }
    }

    /// The same figures with every rate rounded to four decimal places, for stable, readable
    /// JSON (the counts are exact already).
    pub fn rounded(self) -> Figures {
        let r4 = round4;
        Figures {
            roc_auc: self.roc_auc.map(r4),
            pr_auc: self.pr_auc.map(r4),
            recall_at_1pct_fpr: self.recall_at_1pct_fpr.map(r4),
            recall_at_5pct_fpr: self.recall_at_5pct_fpr.map(r4),
            brier: r4(self.brier),
            ece: r4(self.ece),
            ..self
        }
    }
}

/// Rounds to four decimal places, for stable, readable JSON.
pub fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
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
    fn auc_of_perfect_random_and_inverted_rankings() {
        let labels = [true, true, false, false];
        assert_eq!(roc_auc(&[0.9, 0.8, 0.2, 0.1], &labels), Some(1.0));
        assert_eq!(roc_auc(&[0.1, 0.2, 0.8, 0.9], &labels), Some(0.0));
        assert_eq!(roc_auc(&[0.5, 0.5, 0.5, 0.5], &labels), Some(0.5));
        assert_eq!(roc_auc(&[0.5, 0.5], &[true, true]), None);
    }

    #[test]
    fn auc_matches_pairwise_definition() {
        let scores = [0.1, 0.4, 0.35, 0.8, 0.7, 0.2, 0.9, 0.35];
        let labels = [false, true, false, true, false, false, true, true];
        let mut wins = 0.0;
        let mut pairs = 0.0;
        for i in 0..8 {
            for j in 0..8 {
                if labels[i] && !labels[j] {
                    pairs += 1.0;
                    wins += if scores[i] > scores[j] {
                        1.0
                    } else if scores[i] == scores[j] {
                        0.5
                    } else {
                        0.0
                    };
                }
            }
        }
        let auc = roc_auc(&scores, &labels).unwrap();
        assert!(
            (auc - wins / pairs).abs() < 1e-12,
            "{auc} vs {}",
            wins / pairs
        );
    }

    #[test]
    fn threshold_at_fpr_respects_the_budget() {
        let scores = [0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05];
        let labels = [
            true, false, true, true, false, false, false, false, false, false,
        ];
        let r = Ranked::new(&scores, &labels);
        let t = r.threshold_at_fpr(0.0);
        assert_eq!(t, 0.9);
        let t = r.threshold_at_fpr(1.0 / 7.0);
        assert_eq!(t, 0.6);
        assert_eq!(r.recall_at_fpr(1.0 / 7.0), Some(1.0));
        let c = Confusion::at(&scores, &labels, t);
        assert_eq!((c.tp, c.fp, c.tn, c.r#fn), (3, 1, 6, 0));
    }

    #[test]
    fn calibration_metrics() {
        assert_eq!(brier(&[1.0, 0.0], &[true, false]), 0.0);
        assert!((brier(&[0.5, 0.5], &[true, false]) - 0.25).abs() < 1e-12);
        assert!(expected_calibration_error(&[0.0, 1.0], &[false, true], 10) < 1e-12);
        assert!((expected_calibration_error(&[0.9, 0.9], &[false, false], 10) - 0.9).abs() < 1e-6);
    }

    #[test]
    fn figures_of_a_hand_checked_sample_and_their_rounding() {
        // Fakes score 0.9 and 0.6, genuine 0.6 and 0.1: one tie between classes.
        let f = Figures::new(&[0.9, 0.6, 0.6, 0.1], &[true, true, false, false], 0.5, 0.8);
        assert_eq!(f.roc_auc, Some(0.875));
        assert_eq!((f.fake.tp, f.fake.fp, f.fake.tn, f.fake.r#fn), (1, 0, 2, 1));
        assert_eq!((f.review.tp, f.review.fp), (2, 1));
        // At 1% FPR no false positive is allowed: only the 0.9 fake is flagged.
        assert_eq!(f.recall_at_1pct_fpr, Some(0.5));
        let third = Figures {
            brier: 1.0 / 3.0,
            roc_auc: Some(2.0 / 3.0),
            ..f
        }
        .rounded();
        assert_eq!((third.brier, third.roc_auc), (0.3333, Some(0.6667)));
        assert_eq!(third.fake, f.fake);
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
