//! The small JSON files of a model artifact: architecture, feature statistics, calibration.

use serde::{Deserialize, Serialize};

use super::net::Pooling;

/// Version of the artifact layout; a model with another version is refused.
pub const FORMAT_VERSION: u32 = 1;

/// `config.json`: the architecture and input settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelConfig {
    pub format_version: u32,
    /// Embedding dimension.
    pub dim: usize,
    /// Hidden units of the head.
    pub hidden: usize,
    /// Tokenizer vocabulary size (ids below it are tokens).
    pub vocab: usize,
    /// Hashed-bigram buckets (ids from `vocab` to `vocab + buckets`).
    pub buckets: usize,
    /// Tokens kept per section; longer sections are truncated and counted.
    pub max_tokens: usize,
    /// Whether the rule-engine summary is an input (computed with the shipped rule set).
    pub rule_features: bool,
    /// Section names, in model order.
    pub sections: Vec<String>,
    /// How each section's embeddings are pooled; the mean when not written.
    #[serde(default, skip_serializing_if = "Pooling::is_mean")]
    pub pooling: Pooling,
    /// Whether each id also has a weight of its own added to the logit (a wide part); false
    /// when not written.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wide: bool,
    /// Whether name-like spans are taken out of messages before reading them
    /// ([`crate::names`]); false when not written.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strip_name_spans: bool,
}

/// `features.json`: names and standardisation statistics of the numeric features.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureStats {
    pub names: Vec<String>,
    pub mean: Vec<f32>,
    pub std: Vec<f32>,
}

impl FeatureStats {
    /// Statistics of a set of raw feature vectors (standard deviation floored at 1e-3).
    pub fn fit(names: Vec<String>, rows: &[Vec<f32>]) -> FeatureStats {
        let n = names.len();
        let count = rows.len().max(1) as f64;
        let mut mean = vec![0.0f64; n];
        for r in rows {
            for (m, v) in mean.iter_mut().zip(r) {
                *m += *v as f64;
            }
        }
        mean.iter_mut().for_each(|m| *m /= count);
        let mut var = vec![0.0f64; n];
        for r in rows {
            for ((s, v), m) in var.iter_mut().zip(r).zip(&mean) {
                *s += (*v as f64 - m).powi(2);
            }
        }
        FeatureStats {
            names,
            mean: mean.iter().map(|m| *m as f32).collect(),
            std: var
                .iter()
                .map(|v| ((v / count).sqrt() as f32).max(1e-3))
                .collect(),
        }
    }

    /// Standardises a raw feature vector, clipping to +-10 so one wild value cannot dominate.
    pub fn apply(&self, raw: &[f32]) -> Vec<f32> {
        raw.iter()
            .enumerate()
            .map(|(i, &v)| self.standardise(i, v))
            .collect()
    }

    /// Standardises one raw value of feature `i`, as [`FeatureStats::apply`] does.
    pub fn standardise(&self, i: usize, raw: f32) -> f32 {
        ((raw - self.mean[i]) / self.std[i]).clamp(-10.0, 10.0)
    }

    /// The standardised value feature `i` takes when the profile does not give it: a missing
    /// indicator is 1, every other feature is 0 (see [`crate::features`]).
    pub fn removed(&self, i: usize) -> f32 {
        let raw = if self.names[i].starts_with("missing_") {
            1.0
        } else {
            0.0
        };
        self.standardise(i, raw)
    }
}

/// `calibration.json`: temperature scaling and verdict thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Calibration {
    /// The calibrated probability is `sigmoid(logit / temperature)`.
    pub temperature: f32,
    /// `review` threshold, chosen on validation for `review_fpr`.
    pub review: f32,
    /// `fake` threshold, chosen on validation for `fake_fpr`.
    pub fake: f32,
    pub review_fpr: f64,
    pub fake_fpr: f64,
}
