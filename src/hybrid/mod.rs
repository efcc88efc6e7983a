//! The hybrid engine: the model's probability and the rule engine's evidence combined by
//! logistic stacking.
//!
//! ```text
//! score = sigmoid(a · logit(p_model) + b · rule_evidence + c)
//! ```
//!
//! where `p_model` is the model's calibrated probability (clamped to [1e-6, 1 - 1e-6] before
//! the logit) and `rule_evidence` is the sum of the weights of the rules that fired (the rule
//! engine's logit without its bias; 0 when no rule fires, negative for signs of a genuine
//! profile). `a`, `b` and `c` are fitted by L2-regularised logistic regression on a labelled
//! validation set: by `linkscreen train` on the model's own validation split, stored as the
//! artifact's `hybrid.json` (listed and verified in its manifest), or on a file with
//! `linkscreen eval --fit-hybrid FILE` ([`HybridParams::fit`]). A model without stored
//! parameters uses the documented defaults (a `hybrid.json` beside it that its manifest does
//! not list is refused, never read unverified):
//! [`HybridParams::DEFAULT`]: `a = 1`, `b = 0.5`, `c = 0` (the model's log-odds moved by half
//! the rules' evidence).
//!
//! Reasons are the model's and the rules' reasons merged, each weight scaled to its share of
//! the hybrid logit (`a ·` model contribution, `b ·` rule weight), strongest first. The
//! verdict thresholds are the fitted ones (chosen on the validation data for 5% and 1%
//! false-positive rates, or the training config's rates) or, when there are none, the model's.
//!
//! This file holds the coefficients and the engine; `file.rs` the `hybrid.json` format,
//! `fit.rs` the Newton fitter, and `policy.rs` which coefficients an engine uses.

mod file;
mod fit;
mod policy;

use serde::{Deserialize, Serialize};

use crate::profile::Profile;
use crate::rules::RuleSet;
use crate::score::{Assessment, EngineKind, Memo, Reason, ScoreError, Scorer, Thresholds};

pub use file::{HYBRID_FILE, HYBRID_FORMAT_VERSION};

/// Profiles' scores are clamped to this distance from 0 and 1 before taking a logit.
const EPS: f64 = 1e-6;

/// Errors reading or fitting hybrid parameters.
#[derive(Debug, thiserror::Error)]
pub enum HybridError {
    #[error("cannot read hybrid parameters {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("hybrid parameters {path}: {reason}")]
    Invalid { path: String, reason: String },
    #[error("cannot fit the hybrid: {0}")]
    Fit(String),
}

/// Where fitted parameters came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FitInfo {
    pub profiles: usize,
    pub fakes: usize,
    /// Mean log-loss of the fitted combination on the fitting set.
    pub log_loss: f64,
}

/// The stacking coefficients and, when fitted, the verdict thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HybridParams {
    pub format_version: u32,
    /// Weight of the model's log-odds.
    pub a: f32,
    /// Weight of the rules' evidence (sum of fired rule weights).
    pub b: f32,
    /// Intercept.
    pub c: f32,
    /// Verdict thresholds; `None` uses the model's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thresholds: Option<Thresholds>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fitted_on: Option<FitInfo>,
}

fn logit(p: f32) -> f64 {
    let p = (p as f64).clamp(EPS, 1.0 - EPS);
    (p / (1.0 - p)).ln()
}

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// The rules' evidence of an assessment by the rule engine: the sum of the fired weights.
pub fn rule_evidence(a: &Assessment) -> f32 {
    a.reasons.iter().map(|r| r.weight).sum()
}

impl HybridParams {
    /// The documented defaults used when no fitted parameters are available.
    pub const DEFAULT: HybridParams = HybridParams {
        format_version: HYBRID_FORMAT_VERSION,
        a: 1.0,
        b: 0.5,
        c: 0.0,
        thresholds: None,
        fitted_on: None,
    };

    /// The hybrid probability for one profile.
    pub fn combine(&self, p_model: f32, rule_evidence: f32) -> f32 {
        let z =
            self.a as f64 * logit(p_model) + self.b as f64 * rule_evidence as f64 + self.c as f64;
        sigmoid(z) as f32
    }
}

/// The hybrid engine over any model engine and a rule set.
pub struct Hybrid {
    model: Box<dyn Scorer>,
    rules: RuleSet,
    params: HybridParams,
}

impl Hybrid {
    pub fn new(model: Box<dyn Scorer>, rules: RuleSet, params: HybridParams) -> Hybrid {
        Hybrid {
            model,
            rules,
            params,
        }
    }

    pub fn params(&self) -> &HybridParams {
        &self.params
    }

    /// Combines one model assessment with one rule assessment.
    pub fn merge(&self, model: Assessment, rules: Assessment) -> Assessment {
        let score = self.params.combine(model.score, rule_evidence(&rules));
        let scaled = |reasons: Vec<Reason>, k: f32| {
            reasons.into_iter().map(move |r| Reason {
                weight: ((r.weight * k) * 1000.0).round() / 1000.0,
                ..r
            })
        };
        let mut reasons: Vec<Reason> = scaled(model.reasons, self.params.a)
            .chain(scaled(rules.reasons, self.params.b))
            .filter(|r| r.weight != 0.0)
            .collect();
        reasons.sort_by(|x, y| y.weight.abs().total_cmp(&x.weight.abs()));
        Assessment { score, reasons }
    }
}

impl Scorer for Hybrid {
    fn kind(&self) -> EngineKind {
        EngineKind::Hybrid
    }

    fn thresholds(&self) -> Thresholds {
        self.params
            .thresholds
            .unwrap_or_else(|| self.model.thresholds())
    }

    fn score_shared(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        let model = self.model.score_shared(profiles, memos)?;
        Ok(model
            .into_iter()
            .zip(profiles)
            .map(|(m, p)| self.merge(m, self.rules.assess_profile(p)))
            .collect())
    }

    fn truncated_sections(&self) -> Option<u64> {
        self.model.truncated_sections()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Label;
    use crate::testing::HeadlineScorer as Headline;

    #[test]
    fn defaults_move_the_model_log_odds_by_half_the_rule_evidence() {
        let d = HybridParams::DEFAULT;
        assert!((d.combine(0.5, 0.0) - 0.5).abs() < 1e-6);
        assert!((d.combine(0.5, 2.0) as f64 - sigmoid(1.0)).abs() < 1e-6);
        assert!((d.combine(0.2, 0.0) - 0.2).abs() < 1e-6);
        assert!(d.combine(0.2, -1.0) < 0.2);
        // Extreme probabilities stay finite.
        assert!(d.combine(1.0, 5.0) <= 1.0 && d.combine(0.0, -5.0) >= 0.0);
    }

    #[test]
    fn engine_merges_scores_and_reasons() {
        let rules = RuleSet::default_rules();
        let hybrid = Hybrid::new(
            Box::new(Headline),
            RuleSet::default_rules(),
            HybridParams::DEFAULT,
        );
        let p = Profile {
            id: "x".into(),
            headline: Some("0.3".into()),
            about: Some(
                "Senior headhunter offering a paid consultancy report for your insights.".into(),
            ),
            label: Some(Label::Fake),
            ..Profile::default()
        };
        let r = rules.assess_profile(&p);
        assert!(!r.reasons.is_empty(), "the fixture profile fires some rule");
        let h = &hybrid.score_batch(std::slice::from_ref(&p)).unwrap()[0];
        let expected = HybridParams::DEFAULT.combine(0.3, rule_evidence(&r));
        assert!((h.score - expected).abs() < 1e-6);
        assert!(h.score > 0.3);
        assert_eq!(h.reasons.len(), r.reasons.len() + 1);
        assert!(h
            .reasons
            .iter()
            .any(|x| x.code == "section:headline" && x.weight == 1.0));
        assert!(h
            .reasons
            .windows(2)
            .all(|w| w[0].weight.abs() >= w[1].weight.abs()));
        assert_eq!(hybrid.kind(), EngineKind::Hybrid);
        assert_eq!(hybrid.thresholds().fake, 0.8);
    }
}
