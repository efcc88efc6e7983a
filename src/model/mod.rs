//! The trained classifier: tokenizer, embedding-bag text encoder over profile sections,
//! numeric features and an MLP head, built from its files in a verified model artifact
//! (`crate::artifact`) and used through [`crate::score::Scorer`].

mod artifact;
mod calibration;
pub mod config;
mod fast_wordpiece;
pub mod net;
pub mod text;
mod tokenizer;

use std::sync::atomic::{AtomicU64, Ordering};

use crate::profile::Profile;
use crate::score::{Assessment, EngineKind, Memo, Reason, ScoreError, Scorer, Thresholds};

pub use artifact::{safetensors_bytes, ArtifactFiles, CLASSIFIER_FILES};
pub use calibration::{thresholds, CalibrationParams, ValidCalibrationParams};
pub use config::{Calibration, FeatureStats, ModelConfig, FORMAT_VERSION};
pub use net::{Dims, Weights};
pub use text::{Encoded, Reading, TextEncoder, SECTIONS};
pub use tokenizer::train_tokenizer;

/// Errors parsing or building a model.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("model file {file}: {reason}")]
    File { file: String, reason: String },
    #[error("tokenizer: {0}")]
    Tokenizer(String),
    #[error("{0}")]
    Params(String),
}

/// How many reasons a score carries.
pub const TOP_REASONS: usize = 5;

/// A scored profile with everything the explanations need.
#[derive(Debug, Clone, PartialEq)]
pub struct Details {
    /// Uncalibrated logit.
    pub logit: f32,
    /// Calibrated probability that the profile is fake.
    pub score: f32,
    /// Every section and feature-group contribution (logit change when it is removed),
    /// strongest first.
    pub contributions: Vec<Reason>,
    /// Sections cut at the token limit.
    pub truncated: u32,
}

/// The model engine: fitted parts that were checked to fit together when it was built
/// ([`Classifier::new`]), and what `new` computed from them. Its parts are read through
/// accessors and never change afterwards, so nothing derived can drift from them.
pub struct Classifier {
    config: ModelConfig,
    encoder: TextEncoder,
    weights: Weights,
    stats: FeatureStats,
    calibration: Calibration,
    /// Feature groups: reason code and the feature indices in it (computed in `new`).
    groups: Vec<(String, Vec<usize>)>,
    /// The first layer transposed, for cheap occlusion (computed in `new`).
    w1t: Vec<f32>,
    truncated: AtomicU64,
}

impl std::fmt::Debug for Classifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Classifier")
            .field("config", &self.config)
            .field("calibration", &self.calibration)
            .finish_non_exhaustive()
    }
}

/// The explanation group of a feature: a value and its missing indicator explain together.
pub fn feature_group(name: &str) -> String {
    let n = name.strip_prefix("missing_").unwrap_or(name);
    let g = if n.starts_with("photo_") {
        "photo_flags"
    } else if n.starts_with("rule_") {
        "rule_hits"
    } else if n == "tenure" || crate::features::TENURE_FEATURES.contains(&n) {
        "tenure"
    } else {
        n.strip_prefix("log_").unwrap_or(n)
    };
    g.to_owned()
}

/// A short excerpt of a text for evidence (at most `max` characters).
fn excerpt(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((i, _)) => format!("{}...", &text[..i]),
        None => text.to_owned(),
    }
}

impl Classifier {
    /// Assembles a classifier from its parts, checking that they fit together.
    pub fn new(
        config: ModelConfig,
        encoder: TextEncoder,
        weights: Weights,
        stats: FeatureStats,
        calibration: Calibration,
    ) -> Result<Classifier, ModelError> {
        let bad = |reason: String| ModelError::File {
            file: "config.json".into(),
            reason,
        };
        if config.format_version != FORMAT_VERSION {
            return Err(bad(format!(
                "format_version {} is not supported (expected {FORMAT_VERSION})",
                config.format_version
            )));
        }
        if config.sections != SECTIONS {
            return Err(bad("sections differ from this build's sections".into()));
        }
        let expected = crate::features::names(config.rule_features);
        if stats.names != expected
            || stats.mean.len() != expected.len()
            || stats.std.len() != expected.len()
        {
            return Err(ModelError::File {
                file: "features.json".into(),
                reason: "feature names or statistics do not match this build".into(),
            });
        }
        let w = &weights;
        if w.dim != config.dim
            || w.hidden != config.hidden
            || w.sections != SECTIONS.len()
            || w.features != expected.len()
            || w.emb.len() != (config.vocab + config.buckets) * config.dim
            || w.w1.len() != w.hidden * w.inputs()
            || w.b1.len() != w.hidden
            || w.w2.len() != w.hidden
        {
            return Err(ModelError::File {
                file: "model.safetensors".into(),
                reason: "tensor shapes do not match config.json".into(),
            });
        }
        let mut groups: Vec<(String, Vec<usize>)> = Vec::new();
        for (i, name) in stats.names.iter().enumerate() {
            let g = format!("feature:{}", feature_group(name));
            match groups.iter_mut().find(|(c, _)| *c == g) {
                Some((_, v)) => v.push(i),
                None => groups.push((g, vec![i])),
            }
        }
        let w1t = weights.transposed();
        Ok(Classifier {
            w1t,
            config,
            encoder,
            weights,
            stats,
            calibration,
            groups,
            truncated: AtomicU64::new(0),
        })
    }

    /// The architecture and input settings (`config.json`).
    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// The text encoder (tokenizer, hashed bigrams, features).
    pub fn encoder(&self) -> &TextEncoder {
        &self.encoder
    }

    /// The network's weights.
    pub fn weights(&self) -> &Weights {
        &self.weights
    }

    /// The features' standardisation statistics (`features.json`).
    pub fn stats(&self) -> &FeatureStats {
        &self.stats
    }

    /// The fitted calibration (`calibration.json`).
    pub fn calibration(&self) -> &Calibration {
        &self.calibration
    }

    /// Sections truncated at the token limit since this classifier was built.
    pub fn truncated_sections(&self) -> u64 {
        self.truncated.load(Ordering::Relaxed)
    }

    /// The calibrated probability for a logit.
    pub fn calibrate(&self, logit: f32) -> f32 {
        self.calibration.probability(logit)
    }

    /// The uncalibrated logit of an encoded profile.
    pub fn logit(&self, e: &Encoded) -> f32 {
        self.weights.logit(e, &self.stats)
    }

    fn evidence(&self, p: &Profile, r: &Reading, code: &str) -> Option<String> {
        if let Some(s) = code.strip_prefix("section:") {
            let i = SECTIONS.iter().position(|n| *n == s)?;
            let shown = crate::evidence::excerpt_as_written(TextEncoder::section_parts(p, i), 80);
            return Some(if shown.is_empty() {
                excerpt(&r.texts[i], 80)
            } else {
                shown
            });
        }
        let g = code.strip_prefix("feature:")?;
        if let Some(v) = crate::rules::numeric(p, g) {
            return Some(format!("{g} = {v}"));
        }
        match g {
            "photo_flags" => p.photo_flags.as_ref().map(|f| {
                let v: Vec<&str> = f.iter().map(|x| x.as_str()).collect();
                format!("photo_flags = [{}]", v.join(", "))
            }),
            "rule_hits" => self.encoder.rules.as_ref().map(|rules| {
                let codes: Vec<&str> = text::hits_the_model_reads(rules, &r.hits)
                    .map(|h| rules.spec(h.rule).code.as_str())
                    .collect();
                if codes.is_empty() {
                    "no rule fired".to_owned()
                } else {
                    format!("rules fired: {}", codes.join(", "))
                }
            }),
            "tenure" => p.experience.as_ref().map(|x| {
                let dated = x.iter().filter(|e| e.start.is_some()).count();
                let current = x.iter().filter(|e| e.end == Some(None)).count();
                format!("{} positions, {dated} dated, {current} current", x.len())
            }),
            g if g.starts_with("ratio_") => {
                let (a, b) = crate::features::RATIOS
                    .into_iter()
                    .find(|(a, b)| g == format!("ratio_{a}_{b}"))?;
                let (x, y) = (crate::rules::numeric(p, a)?, crate::rules::numeric(p, b)?);
                Some(format!("{a} = {x}, {b} = {y}"))
            }
            "has_photo" => p.has_photo.map(|v| format!("has_photo = {v}")),
            "verified" => p.verified.map(|v| format!("verified = {v}")),
            _ => None,
        }
        .or_else(|| {
            Some(format!("{g}: not given")).filter(|_| {
                self.stats.names.iter().zip(&r.features).any(|(n, v)| {
                    n.strip_prefix("missing_").map(feature_group).as_deref() == Some(g) && *v == 1.0
                })
            })
        })
    }

    /// The [`TOP_REASONS`] strongest contributions of each profile (|weight| >= 0.01) as
    /// reasons, the `evidence_for` strongest with their evidence.
    fn assess(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
        evidence_for: usize,
    ) -> Result<Vec<Assessment>, ScoreError> {
        let e = &self.encoder;
        Reading::map_shared(
            profiles,
            memos,
            e.rules.as_ref(),
            e.strip_name_spans,
            |p, r| {
                let mut d = self.details_top(p, r, evidence_for);
                d.contributions.truncate(TOP_REASONS);
                d.contributions.retain(|r| r.weight.abs() >= 0.01);
                Assessment {
                    score: d.score,
                    reasons: d.contributions,
                }
            },
        )
    }

    /// Scores one profile with all its contributions, each with its evidence.
    pub fn details(&self, p: &Profile) -> Details {
        let e = &self.encoder;
        let r = Reading::new(p, e.rules.as_ref(), e.strip_name_spans);
        self.details_top(p, &r, usize::MAX)
    }

    /// As [`Classifier::details`] from the profile's reading, with evidence for the
    /// `evidence_for` strongest only.
    fn details_top(&self, p: &Profile, r: &Reading, evidence_for: usize) -> Details {
        let e = self.encoder.encode_reading(r);
        self.truncated
            .fetch_add(e.truncated as u64, Ordering::Relaxed);
        let feats = self.stats.apply(&e.features);
        let w = &self.weights;
        let f = w.forward(&e.ids, &feats);
        let mut contributions = Vec::with_capacity(SECTIONS.len() + self.groups.len());
        for (s, name) in SECTIONS.iter().enumerate() {
            if e.ids[s].is_empty() {
                continue;
            }
            let c = f.logit - w.occluded_logit(&f, &self.w1t, s);
            contributions.push((format!("section:{name}"), c));
        }
        // A feature group is removed as the profile would be without it: its values absent
        // (0) and its missing indicators set, the same input a profile that omits the field gets.
        for (code, members) in &self.groups {
            let changes = members
                .iter()
                .map(|&i| (w.feature_input(i), self.stats.removed(i)));
            let c = f.logit - w.replaced_logit(&f, &self.w1t, changes);
            contributions.push((code.clone(), c));
        }
        contributions.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        let contributions = contributions
            .into_iter()
            .map(|(code, c)| Reason {
                evidence: None,
                weight: (c * 1000.0).round() / 1000.0,
                code,
            })
            .collect();
        Details {
            logit: f.logit,
            score: self.calibrate(f.logit),
            contributions,
            truncated: e.truncated,
        }
        .with_evidence(evidence_for, |code| self.evidence(p, r, code))
    }

    /// Scores a batch with all contributions (for explanations and the hybrid engine).
    pub fn score_with_details(&self, profiles: &[Profile]) -> Vec<Details> {
        use tokenizers::utils::parallelism::MaybeParallelRefIterator;
        profiles.maybe_par_iter().map(|p| self.details(p)).collect()
    }
}

impl Details {
    /// Fills in evidence for the strongest reasons only (evidence costs string work).
    fn with_evidence(mut self, n: usize, f: impl Fn(&str) -> Option<String>) -> Details {
        for r in self.contributions.iter_mut().take(n) {
            r.evidence = f(&r.code);
        }
        self
    }
}

impl Scorer for Classifier {
    fn kind(&self) -> EngineKind {
        EngineKind::Model
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds {
            review: self.calibration.review,
            fake: self.calibration.fake,
        }
    }

    fn score_shared(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        self.assess(profiles, memos, TOP_REASONS)
    }

    fn score_shared_deferring_evidence(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        self.assess(profiles, memos, 0)
    }

    fn deferred_evidence(&self, p: &Profile, memo: &Memo, code: &str) -> Option<String> {
        self.evidence(
            p,
            &Reading::shared(
                p,
                self.encoder.rules.as_ref(),
                self.encoder.strip_name_spans,
                memo,
            ),
            code,
        )
    }

    fn reason_scale(&self) -> f32 {
        1.0 / self.calibration.temperature
    }

    fn truncated_sections(&self) -> Option<u64> {
        Some(Classifier::truncated_sections(self))
    }
}

#[cfg(test)]
pub(crate) mod tests;
