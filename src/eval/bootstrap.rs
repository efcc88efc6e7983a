//! Percentile bootstrap confidence intervals for ROC-AUC and recall at a fixed false-positive
//! rate, so that figures from small evaluation sets are not over-read.
//!
//! Each resample draws `n` profiles with replacement (seeded ChaCha8, so a run is
//! reproducible). The scores are sorted once; a resample is represented by how many times each
//! profile was drawn, and the metrics are computed as weighted sums over the sorted order,
//! which costs O(n) per resample. With all weights equal to one the weighted metrics are
//! exactly those of [`crate::metrics::Ranked`] (same tie handling, same threshold rule).

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

/// Default number of bootstrap resamples.
pub const DEFAULT_RESAMPLES: usize = 200;

/// Default confidence level of the intervals.
pub const DEFAULT_LEVEL: f64 = 0.95;

/// A two-sided confidence interval.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Interval {
    pub low: f64,
    pub high: f64,
}

impl Interval {
    pub fn contains(&self, x: f64) -> bool {
        self.low <= x && x <= self.high
    }
}

/// Bootstrap intervals of the figures that small sets make uncertain.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct Cis {
    pub roc_auc: Option<Interval>,
    pub recall_at_1pct_fpr: Option<Interval>,
    pub recall_at_5pct_fpr: Option<Interval>,
    /// Resamples drawn.
    pub resamples: usize,
    /// Resamples that lacked one class and were left out of the intervals.
    pub degenerate: usize,
    pub level: f64,
}

/// Scores sorted once, highest first, ready for weighted metrics.
struct Sorted {
    /// Indices into the input, by descending score.
    order: Vec<usize>,
    /// Start of each run of equal scores in `order`, plus a final `order.len()`.
    group_starts: Vec<usize>,
}

impl Sorted {
    fn new(scores: &[f32]) -> Sorted {
        let mut order: Vec<usize> = (0..scores.len()).collect();
        order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]));
        let mut group_starts = Vec::new();
        for (k, &i) in order.iter().enumerate() {
            if k == 0 || scores[order[k - 1]] != scores[i] {
                group_starts.push(k);
            }
        }
        group_starts.push(order.len());
        Sorted {
            order,
            group_starts,
        }
    }

    /// Weighted positives and negatives of each run of equal scores.
    fn groups(&self, labels: &[bool], weights: &[u32]) -> Vec<(f64, f64)> {
        self.group_starts
            .windows(2)
            .map(|w| {
                let (mut pos, mut neg) = (0.0, 0.0);
                for &i in &self.order[w[0]..w[1]] {
                    if labels[i] {
                        pos += weights[i] as f64;
                    } else {
                        neg += weights[i] as f64;
                    }
                }
                (pos, neg)
            })
            .collect()
    }
}

/// Weighted ROC-AUC over runs of equal scores (ties count one half).
fn weighted_auc(groups: &[(f64, f64)]) -> Option<f64> {
    let p: f64 = groups.iter().map(|g| g.0).sum();
    let n: f64 = groups.iter().map(|g| g.1).sum();
    if p == 0.0 || n == 0.0 {
        return None;
    }
    let mut tp_before = 0.0;
    let mut area = 0.0;
    for &(pos, neg) in groups {
        area += neg * (tp_before + pos / 2.0);
        tp_before += pos;
    }
    Some(area / (p * n))
}

/// Weighted recall at the lowest threshold whose false positives stay within
/// `floor(fpr * negatives)`, as in [`crate::metrics::Ranked::threshold_at_fpr`].
fn weighted_recall_at_fpr(groups: &[(f64, f64)], fpr: f64) -> Option<f64> {
    let p: f64 = groups.iter().map(|g| g.0).sum();
    let n: f64 = groups.iter().map(|g| g.1).sum();
    if p == 0.0 {
        return None;
    }
    let allowed = (fpr * n).floor();
    let (mut tp, mut fp) = (0.0, 0.0);
    for &(pos, neg) in groups {
        if fp + neg > allowed {
            break;
        }
        fp += neg;
        tp += pos;
    }
    Some(tp / p)
}

/// The three figures on one (possibly weighted) sample.
fn figures(sorted: &Sorted, labels: &[bool], weights: &[u32]) -> [Option<f64>; 3] {
    let groups = sorted.groups(labels, weights);
    let auc = weighted_auc(&groups);
    // Recall at a false-positive rate needs negatives to define the rate.
    let has_negatives = groups.iter().any(|g| g.1 > 0.0);
    let recall = |fpr| {
        if has_negatives {
            weighted_recall_at_fpr(&groups, fpr)
        } else {
            None
        }
    };
    [auc, recall(0.01), recall(0.05)]
}

/// The value at quantile `q` of sorted values (nearest rank).
fn quantile(sorted: &[f64], q: f64) -> f64 {
    let k = ((sorted.len() - 1) as f64 * q).round() as usize;
    sorted[k.min(sorted.len() - 1)]
}

fn interval(mut values: Vec<f64>, level: f64) -> Option<Interval> {
    if values.is_empty() {
        return None;
    }
    values.sort_by(f64::total_cmp);
    let alpha = (1.0 - level) / 2.0;
    Some(Interval {
        low: quantile(&values, alpha),
        high: quantile(&values, 1.0 - alpha),
    })
}

/// Percentile bootstrap intervals of ROC-AUC and recall at 1% and 5% false-positive rate.
/// Deterministic for a given `seed`. With no resamples, or no data, every interval is `None`.
pub fn bootstrap(scores: &[f32], labels: &[bool], resamples: usize, seed: u64, level: f64) -> Cis {
    assert_eq!(scores.len(), labels.len(), "one label per score");
    let n = scores.len();
    let mut out = Cis {
        roc_auc: None,
        recall_at_1pct_fpr: None,
        recall_at_5pct_fpr: None,
        resamples,
        degenerate: 0,
        level,
    };
    if n == 0 || resamples == 0 {
        return out;
    }
    let sorted = Sorted::new(scores);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut weights = vec![0u32; n];
    let mut values: [Vec<f64>; 3] = Default::default();
    for _ in 0..resamples {
        weights.iter_mut().for_each(|w| *w = 0);
        for _ in 0..n {
            weights[rng.random_range(0..n)] += 1;
        }
        let f = figures(&sorted, labels, &weights);
        if f[0].is_none() {
            out.degenerate += 1;
            continue;
        }
        for (v, x) in values.iter_mut().zip(f) {
            if let Some(x) = x {
                v.push(x);
            }
        }
    }
    let [auc, r1, r5] = values;
    out.roc_auc = interval(auc, level);
    out.recall_at_1pct_fpr = interval(r1, level);
    out.recall_at_5pct_fpr = interval(r5, level);
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Ranked;

    /// A small, noisy but informative sample: fakes tend to score higher.
    fn sample(n: usize, seed: u64) -> (Vec<f32>, Vec<bool>) {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let mut scores = Vec::with_capacity(n);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let fake = rng.random_bool(0.4);
            let base: f32 = if fake { 0.65 } else { 0.35 };
            // Rounded so that ties occur.
            let s = (base + rng.random_range(-0.35f32..0.35)).clamp(0.0, 1.0);
            scores.push((s * 20.0).round() / 20.0);
            labels.push(fake);
        }
        (scores, labels)
    }

    #[test]
    fn unit_weights_reproduce_the_point_estimates() {
        let (scores, labels) = sample(300, 7);
        let sorted = Sorted::new(&scores);
        let f = figures(&sorted, &labels, &vec![1; scores.len()]);
        let r = Ranked::new(&scores, &labels);
        assert!((f[0].unwrap() - r.roc_auc().unwrap()).abs() < 1e-12);
        assert_eq!(f[1], r.recall_at_fpr(0.01));
        assert_eq!(f[2], r.recall_at_fpr(0.05));
    }

    #[test]
    fn same_seed_same_intervals_other_seed_differs() {
        let (scores, labels) = sample(200, 1);
        let a = bootstrap(&scores, &labels, 100, 42, 0.95);
        let b = bootstrap(&scores, &labels, 100, 42, 0.95);
        let c = bootstrap(&scores, &labels, 100, 43, 0.95);
        assert_eq!(a, b);
        assert_ne!(a.roc_auc, c.roc_auc);
    }

    #[test]
    fn intervals_contain_the_point_estimate_and_are_ordered() {
        let (scores, labels) = sample(400, 3);
        let r = Ranked::new(&scores, &labels);
        let cis = bootstrap(&scores, &labels, 200, 9, 0.95);
        let auc = cis.roc_auc.unwrap();
        assert!(auc.low < auc.high, "{auc:?}");
        assert!(auc.contains(r.roc_auc().unwrap()), "{auc:?}");
        let r5 = cis.recall_at_5pct_fpr.unwrap();
        assert!(r5.low <= r5.high);
        assert!(r5.contains(r.recall_at_fpr(0.05).unwrap()), "{r5:?}");
        assert_eq!(cis.degenerate, 0);
    }

    #[test]
    fn larger_samples_give_narrower_intervals() {
        let (s1, l1) = sample(60, 5);
        let (s2, l2) = sample(2000, 5);
        let w = |c: Cis| {
            let i = c.roc_auc.unwrap();
            i.high - i.low
        };
        assert!(w(bootstrap(&s1, &l1, 200, 1, 0.95)) > w(bootstrap(&s2, &l2, 200, 1, 0.95)));
    }

    #[test]
    fn one_class_gives_no_auc_interval() {
        let cis = bootstrap(&[0.1, 0.9], &[true, true], 50, 1, 0.95);
        assert_eq!(cis.roc_auc, None);
        assert_eq!(cis.degenerate, 50);
        let empty = bootstrap(&[], &[], 50, 1, 0.95);
        assert_eq!(empty.roc_auc, None);
    }
}
