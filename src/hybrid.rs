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

use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::metrics::Ranked;
use crate::profile::Profile;
use crate::rules::RuleSet;
use crate::score::{Assessment, EngineKind, Reason, ScoreError, Scorer, Thresholds};

/// Version of the `hybrid.json` layout.
pub const HYBRID_FORMAT_VERSION: u32 = 1;

/// The name of the parameter file stored alongside a model.
pub const HYBRID_FILE: &str = "hybrid.json";

/// Ridge penalty on `a` and `b` when fitting, which keeps the fit finite on separable data.
const RIDGE: f64 = 1e-2;

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

/// Solves the 3×3 system `m · x = v` by Gaussian elimination with partial pivoting.
fn solve3(mut m: [[f64; 3]; 3], mut v: [f64; 3]) -> Option<[f64; 3]> {
    for col in 0..3 {
        let pivot = (col..3).max_by(|&i, &j| m[i][col].abs().total_cmp(&m[j][col].abs()))?;
        if m[pivot][col].abs() < 1e-12 {
            return None;
        }
        m.swap(col, pivot);
        v.swap(col, pivot);
        let pivot_row = m[col];
        for row in col + 1..3 {
            let f = m[row][col] / pivot_row[col];
            for (x, p) in m[row][col..].iter_mut().zip(&pivot_row[col..]) {
                *x -= f * p;
            }
            v[row] -= f * v[col];
        }
    }
    let mut x = [0.0; 3];
    for row in (0..3).rev() {
        let s: f64 = (row + 1..3).map(|k| m[row][k] * x[k]).sum();
        x[row] = (v[row] - s) / m[row][row];
    }
    Some(x)
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

    /// Fits `a`, `b`, `c` by Newton's method on the log-loss (ridge on `a` and `b`), then picks
    /// the `review` and `fake` thresholds for 5% and 1% false-positive rates on the same data
    /// (left to the model's when the set has too few genuine profiles for that).
    pub fn fit(
        p_model: &[f32],
        evidence: &[f32],
        labels: &[bool],
    ) -> Result<HybridParams, HybridError> {
        HybridParams::fit_at(p_model, evidence, labels, 0.05, 0.01)
    }

    /// [`HybridParams::fit`] with the thresholds picked for the given `review` and `fake`
    /// false-positive rates.
    pub fn fit_at(
        p_model: &[f32],
        evidence: &[f32],
        labels: &[bool],
        review_fpr: f64,
        fake_fpr: f64,
    ) -> Result<HybridParams, HybridError> {
        assert_eq!(p_model.len(), labels.len(), "one label per score");
        assert_eq!(evidence.len(), labels.len(), "one label per score");
        let fakes = labels.iter().filter(|&&l| l).count();
        if fakes == 0 || fakes == labels.len() {
            return Err(HybridError::Fit(
                "the fitting file needs both fake and genuine profiles".into(),
            ));
        }
        let xs: Vec<[f64; 3]> = p_model
            .iter()
            .zip(evidence)
            .map(|(&p, &e)| [logit(p), e as f64, 1.0])
            .collect();
        let mut w = [1.0, 0.5, 0.0];
        for _ in 0..100 {
            let mut grad = [RIDGE * w[0], RIDGE * w[1], 0.0];
            let mut hess = [[0.0; 3]; 3];
            hess[0][0] = RIDGE;
            hess[1][1] = RIDGE;
            for (x, &l) in xs.iter().zip(labels) {
                let p = sigmoid(w[0] * x[0] + w[1] * x[1] + w[2] * x[2]);
                let y = if l { 1.0 } else { 0.0 };
                let s = (p * (1.0 - p)).max(1e-12);
                for ((g, h), &xi) in grad.iter_mut().zip(hess.iter_mut()).zip(x) {
                    *g += (p - y) * xi;
                    for (hij, &xj) in h.iter_mut().zip(x) {
                        *hij += s * xi * xj;
                    }
                }
            }
            // A tiny diagonal term keeps the system solvable when a feature is constant.
            hess[2][2] += 1e-9;
            let step =
                solve3(hess, grad).ok_or_else(|| HybridError::Fit("singular system".into()))?;
            for (wi, si) in w.iter_mut().zip(step) {
                *wi -= si;
            }
            if step.iter().map(|s| s.abs()).fold(0.0, f64::max) < 1e-9 {
                break;
            }
        }
        if w.iter().any(|v| !v.is_finite()) {
            return Err(HybridError::Fit("the fit diverged".into()));
        }
        let mut params = HybridParams {
            format_version: HYBRID_FORMAT_VERSION,
            a: w[0] as f32,
            b: w[1] as f32,
            c: w[2] as f32,
            thresholds: None,
            fitted_on: None,
        };
        let scores: Vec<f32> = p_model
            .iter()
            .zip(evidence)
            .map(|(&p, &e)| params.combine(p, e))
            .collect();
        let log_loss = scores
            .iter()
            .zip(labels)
            .map(|(&s, &l)| {
                let s = (s as f64).clamp(EPS, 1.0 - EPS);
                -if l { s.ln() } else { (1.0 - s).ln() }
            })
            .sum::<f64>()
            / labels.len() as f64;
        let ranked = Ranked::new(&scores, labels);
        let (review, fake) = (
            ranked.threshold_at_fpr(review_fpr),
            ranked.threshold_at_fpr(fake_fpr),
        );
        if review.is_finite() && fake.is_finite() {
            params.thresholds = Some(Thresholds { review, fake });
        }
        params.fitted_on = Some(FitInfo {
            profiles: labels.len(),
            fakes,
            log_loss,
        });
        Ok(params)
    }

    /// Reads parameters from a JSON file.
    pub fn load(path: &Path) -> Result<HybridParams, HybridError> {
        let p = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| HybridError::Io {
            path: p.clone(),
            source,
        })?;
        HybridParams::from_json(&bytes, &p)
    }

    /// Parses and checks parameters from the bytes of a JSON file; `name` names it in errors.
    pub fn from_json(bytes: &[u8], name: &str) -> Result<HybridParams, HybridError> {
        let p = name.to_owned();
        let params: HybridParams =
            serde_json::from_slice(bytes).map_err(|e| HybridError::Invalid {
                path: p.clone(),
                reason: format!(
                    "not a hybrid parameter file (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            })?;
        if params.format_version != HYBRID_FORMAT_VERSION {
            return Err(HybridError::Invalid {
                path: p,
                reason: format!(
                    "format_version {} is not supported (expected {HYBRID_FORMAT_VERSION})",
                    params.format_version
                ),
            });
        }
        if ![params.a, params.b, params.c].iter().all(|v| v.is_finite()) {
            return Err(HybridError::Invalid {
                path: p,
                reason: "coefficients must be finite".into(),
            });
        }
        Ok(params)
    }

    /// The parameters of a model directory whose manifest lists no `hybrid.json`: the
    /// defaults. A `hybrid.json` there is not covered by the manifest, so it is refused, never
    /// read unverified (loading the model refuses it too); parameters from elsewhere are given
    /// explicitly (`linkscreen eval --hybrid-params FILE`).
    pub fn for_model_dir(dir: Option<&Path>) -> Result<HybridParams, HybridError> {
        match dir.map(|d| d.join(HYBRID_FILE)) {
            Some(path) if path.symlink_metadata().is_ok() => Err(HybridError::Invalid {
                path: path.display().to_string(),
                reason: "not listed in the model's manifest.json: refused".into(),
            }),
            _ => Ok(HybridParams::DEFAULT),
        }
    }

    /// The parameters for a loaded model: those stored in its artifact (`stored`, see
    /// `Classifier::hybrid_params`, listed and verified in its manifest), else the defaults.
    pub fn for_model(
        stored: Option<HybridParams>,
        dir: Option<&Path>,
    ) -> Result<HybridParams, HybridError> {
        match stored {
            Some(p) => Ok(p),
            None => HybridParams::for_model_dir(dir),
        }
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("hybrid parameters always serialise")
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

    fn score_batch(&self, profiles: &[Profile]) -> Result<Vec<Assessment>, ScoreError> {
        let model = self.model.score_batch(profiles)?;
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
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

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
    fn fit_recovers_known_coefficients() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        let (a, b, c) = (1.5, 0.8, -0.5);
        let (mut p, mut e, mut y) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..6000 {
            let z: f64 = rng.random_range(-3.0..3.0);
            let ev: f32 = [0.0, 0.0, 0.5, 1.2, -0.6, 2.0][rng.random_range(0..6)];
            let prob = sigmoid(a * z + b * ev as f64 + c);
            p.push(sigmoid(z) as f32);
            e.push(ev);
            y.push(rng.random_bool(prob));
        }
        let f = HybridParams::fit(&p, &e, &y).unwrap();
        assert!((f.a - 1.5).abs() < 0.2, "{f:?}");
        assert!((f.b - 0.8).abs() < 0.2, "{f:?}");
        assert!((f.c + 0.5).abs() < 0.2, "{f:?}");
        let t = f.thresholds.unwrap();
        assert!(t.review <= t.fake);
        assert_eq!(f.fitted_on.as_ref().unwrap().profiles, 6000);
        // The fit is better than the defaults on its own data.
        let loss = |h: &HybridParams| -> f64 {
            p.iter()
                .zip(&e)
                .zip(&y)
                .map(|((&p, &e), &l)| {
                    let s = (h.combine(p, e) as f64).clamp(EPS, 1.0 - EPS);
                    -if l { s.ln() } else { (1.0 - s).ln() }
                })
                .sum::<f64>()
        };
        assert!(loss(&f) < loss(&HybridParams::DEFAULT));
    }

    #[test]
    fn fit_needs_both_classes_and_survives_separable_data() {
        assert!(HybridParams::fit(&[0.9, 0.8], &[0.0, 1.0], &[true, true]).is_err());
        let f = HybridParams::fit(
            &[0.9, 0.8, 0.1, 0.2],
            &[1.0, 1.0, 0.0, 0.0],
            &[true, true, false, false],
        )
        .unwrap();
        assert!(f.a.is_finite() && f.b.is_finite() && f.c.is_finite());
        assert!(f.combine(0.9, 1.0) > f.combine(0.1, 0.0));
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

    #[test]
    fn parameter_files_round_trip_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HYBRID_FILE);
        let f = HybridParams::fit(
            &[0.9, 0.7, 0.4, 0.2, 0.6],
            &[1.0, 0.0, 0.5, 0.0, 0.0],
            &[true, true, false, false, false],
        )
        .unwrap();
        std::fs::write(&path, f.to_json()).unwrap();
        assert_eq!(HybridParams::load(&path).unwrap(), f);
        // Beside a model, a file its manifest does not list is refused, never read.
        assert!(matches!(
            HybridParams::for_model_dir(Some(dir.path())),
            Err(HybridError::Invalid { .. })
        ));
        assert_eq!(
            HybridParams::for_model_dir(None).unwrap(),
            HybridParams::DEFAULT
        );
        std::fs::write(&path, r#"{"format_version":9,"a":1,"b":1,"c":0}"#).unwrap();
        assert!(matches!(
            HybridParams::load(&path),
            Err(HybridError::Invalid { .. })
        ));
        std::fs::write(&path, "not json").unwrap();
        assert!(HybridParams::load(&path).is_err());
    }
}
