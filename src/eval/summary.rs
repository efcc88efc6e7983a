//! The figures reported for one engine on one set of labelled profiles.

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::bootstrap::{self, Cis};
use crate::metrics::{Confusion, Figures, Ranked};
use crate::score::Thresholds;

/// Precision, recall, F1 and false-positive rate when everything at or above `threshold` is
/// flagged: a reading of one [`Confusion`] for tables and the JSON report.
#[derive(Debug, Clone, Copy, PartialEq, serde::Serialize)]
pub struct AtThreshold {
    pub threshold: f32,
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub false_positive_rate: f64,
    pub confusion: Confusion,
}

impl AtThreshold {
    pub fn new(threshold: f32, c: Confusion) -> AtThreshold {
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

/// Every figure of one engine on one sample: the shared [`Figures`] (unrounded), the class
/// counts, the mean score and bootstrap intervals. Figures that need both classes are `None`
/// when one is absent (a group of only fakes has no ROC-AUC and no recall at a false-positive
/// rate).
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub profiles: usize,
    pub fakes: usize,
    pub genuine: usize,
    pub thresholds: Thresholds,
    pub figures: Figures,
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
        let mut figures = Figures::new(scores, labels, t.review, t.fake);
        // Without a genuine profile no threshold has a false positive, so a recall "at a
        // false-positive rate" says nothing: the evaluation leaves it out. (Training's
        // `metrics.json` keeps the trivial value, as it always has.)
        if ranked.negatives() == 0 {
            figures.recall_at_1pct_fpr = None;
            figures.recall_at_5pct_fpr = None;
        }
        let n = scores.len();
        Summary {
            profiles: n,
            fakes: ranked.positives(),
            genuine: ranked.negatives(),
            thresholds: t,
            figures,
            mean_score: scores.iter().map(|&s| s as f64).sum::<f64>() / n.max(1) as f64,
            ci: bootstrap::bootstrap(scores, labels, b.resamples, b.seed, b.level),
        }
    }

    /// Flagging at the engine's `fake` threshold (verdict `fake`).
    pub fn at_fake(&self) -> AtThreshold {
        AtThreshold::new(self.thresholds.fake, self.figures.fake)
    }

    /// Flagging at the engine's `review` threshold (verdict `review` or `fake`).
    pub fn at_review(&self) -> AtThreshold {
        AtThreshold::new(self.thresholds.review, self.figures.review)
    }
}

/// The JSON layout of a summary in `linkscreen eval --format json` (report format version 1):
/// the figures flat, each threshold as an [`AtThreshold`].
impl Serialize for Summary {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let f = &self.figures;
        let mut st = s.serialize_struct("Summary", 13)?;
        st.serialize_field("profiles", &self.profiles)?;
        st.serialize_field("fakes", &self.fakes)?;
        st.serialize_field("genuine", &self.genuine)?;
        st.serialize_field("roc_auc", &f.roc_auc)?;
        st.serialize_field("pr_auc", &f.pr_auc)?;
        st.serialize_field("recall_at_1pct_fpr", &f.recall_at_1pct_fpr)?;
        st.serialize_field("recall_at_5pct_fpr", &f.recall_at_5pct_fpr)?;
        st.serialize_field("at_fake", &self.at_fake())?;
        st.serialize_field("at_review", &self.at_review())?;
        st.serialize_field("brier", &f.brier)?;
        st.serialize_field("ece", &f.ece)?;
        st.serialize_field("mean_score", &self.mean_score)?;
        st.serialize_field("ci", &self.ci)?;
        st.end()
    }
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
        assert_eq!(s.figures.roc_auc, Some(0.875));
        assert_eq!((s.fakes, s.genuine), (2, 2));
        assert_eq!(s.at_fake().confusion.tp, 1);
        assert_eq!(s.at_fake().precision, 1.0);
        assert_eq!(s.at_fake().recall, 0.5);
        assert_eq!(s.at_review().confusion.fp, 1);
        assert_eq!(s.at_review().recall, 1.0);
        // At 1% FPR no false positive is allowed: only the 0.9 fake is flagged.
        assert_eq!(s.figures.recall_at_1pct_fpr, Some(0.5));
    }

    #[test]
    fn one_class_has_no_auc_and_no_recall_at_fpr() {
        let t = Thresholds {
            review: 0.5,
            fake: 0.8,
        };
        let s = Summary::new(&[0.9, 0.3], &[true, true], t, BootstrapSettings::default());
        assert_eq!(s.figures.roc_auc, None);
        assert_eq!(s.figures.recall_at_5pct_fpr, None);
        assert_eq!(s.at_fake().recall, 0.5);
    }

    #[test]
    fn the_json_layout_is_that_of_report_version_1() {
        let t = Thresholds {
            review: 0.5,
            fake: 0.8,
        };
        let s = Summary::new(&[0.9, 0.1], &[true, false], t, BootstrapSettings::default());
        let text = serde_json::to_string(&s).unwrap();
        // Every key in this order at the top level (each found after the one before).
        let mut at = 0;
        for key in [
            "profiles",
            "fakes",
            "genuine",
            "roc_auc",
            "pr_auc",
            "recall_at_1pct_fpr",
            "recall_at_5pct_fpr",
            "at_fake",
            "at_review",
            "brier",
            "ece",
            "mean_score",
            "ci",
        ] {
            let found = text[at..].find(&format!("\"{key}\":"));
            at += found.unwrap_or_else(|| panic!("{key} missing or out of order in {text}"));
        }
        let json: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(json.as_object().unwrap().len(), 13);
        assert_eq!(json["at_fake"]["threshold"], 0.8);
        assert_eq!(json["at_review"]["confusion"]["tp"], 1);
    }
}
