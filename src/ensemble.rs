//! The ensemble engine: several engines' stated probabilities averaged in log-odds, then
//! restated by Platt scaling fitted out of fold.
//!
//! ```text
//! z     = mean over the parts of logit(p_part)
//! score = sigmoid(a · z + b)
//! ```
//!
//! The shipped ensemble is the linear engine and the neural model: measured by
//! leave-one-author-out, each catches fakes the other misses (training/README.md). `a`, `b`
//! and the verdict thresholds are fitted by `linkscreen train` on the out-of-fold ensemble
//! logits of the hand-written author sets, and stored as the artifact's `ensemble.json`.
//!
//! Reasons are the parts' reasons merged: each weight is turned into the log-odds of its part's
//! stated score ([`Scorer::reason_scale`]) and then into the ensemble's (`a / parts`); a code
//! both parts give is one reason whose weight is the sum (the first part's evidence is kept);
//! strongest first, as many as the part that gives most.

use serde::{Deserialize, Serialize};

use crate::platt::{log_odds, Platt};
use crate::profile::Profile;
use crate::score::{Assessment, EngineKind, Memo, Reason, ScoreError, Scorer, Thresholds};

/// The name of the ensemble's parameter file in a model artifact.
pub const ENSEMBLE_JSON: &str = "ensemble.json";
/// Version of `ensemble.json`; another version is refused.
pub const ENSEMBLE_FORMAT_VERSION: u32 = 1;

/// Errors reading or assembling an ensemble.
#[derive(Debug, thiserror::Error)]
pub enum EnsembleError {
    #[error("{ENSEMBLE_JSON}: {0}")]
    Invalid(String),
    #[error("the ensemble needs the {0} engine, which is not given")]
    Missing(&'static str),
}

/// `ensemble.json`: which engines, in which order, and how their mean log-odds are stated.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EnsembleParams {
    pub format_version: u32,
    /// The parts, in the order their reasons are merged.
    pub engines: Vec<EngineKind>,
    pub calibration: Platt,
    pub thresholds: Thresholds,
}

impl EnsembleParams {
    /// Parses and checks the bytes of an `ensemble.json`.
    pub fn from_json(bytes: &[u8]) -> Result<EnsembleParams, EnsembleError> {
        let p: EnsembleParams = serde_json::from_slice(bytes)
            .map_err(|e| EnsembleError::Invalid(format!("line {}: {e}", e.line())))?;
        if p.format_version != ENSEMBLE_FORMAT_VERSION {
            return Err(EnsembleError::Invalid(format!(
                "format_version {} is not supported (expected {ENSEMBLE_FORMAT_VERSION})",
                p.format_version
            )));
        }
        let finite = [p.calibration.a, p.calibration.b, p.thresholds.review]
            .iter()
            .chain([&p.thresholds.fake])
            .all(|v| v.is_finite());
        if !finite || p.engines.is_empty() || p.engines.contains(&EngineKind::Ensemble) {
            return Err(EnsembleError::Invalid(
                "finite calibration and thresholds, and at least one part that is not an ensemble"
                    .into(),
            ));
        }
        Ok(p)
    }

    pub fn to_json(&self) -> Vec<u8> {
        let mut json = serde_json::to_vec_pretty(self).expect("ensemble parameters serialise");
        json.push(b'\n');
        json
    }

    /// The ensemble's stated probability for its parts' stated probabilities.
    pub fn score(&self, probabilities: &[f32]) -> f32 {
        self.calibration.apply(EnsembleParams::logit(probabilities))
    }

    /// The ensemble's logit of its parts' stated probabilities (before its calibration).
    pub fn logit(probabilities: &[f32]) -> f32 {
        let sum: f32 = probabilities.iter().map(|&p| log_odds(p)).sum();
        sum / probabilities.len().max(1) as f32
    }
}

/// The ensemble engine.
pub struct Ensemble {
    parts: Vec<Box<dyn Scorer>>,
    params: EnsembleParams,
}

impl Ensemble {
    /// Assembles the ensemble from its parts, given in any order: each engine the parameters
    /// name must be among them exactly once.
    pub fn new(
        mut parts: Vec<Box<dyn Scorer>>,
        params: EnsembleParams,
    ) -> Result<Ensemble, EnsembleError> {
        let mut ordered = Vec::with_capacity(params.engines.len());
        for kind in &params.engines {
            let i = parts
                .iter()
                .position(|p| p.kind() == *kind)
                .ok_or(EnsembleError::Missing(kind.as_str()))?;
            ordered.push(parts.swap_remove(i));
        }
        Ok(Ensemble {
            parts: ordered,
            params,
        })
    }

    pub fn params(&self) -> &EnsembleParams {
        &self.params
    }

    /// The profiles scored by every part and merged, with evidence or without.
    fn score_parts(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
        evidence: bool,
    ) -> Result<Vec<Assessment>, ScoreError> {
        // The parts share the memos: what one part reads of a profile (its normalised texts,
        // its rule hits), the next reuses.
        let mut per_part = Vec::with_capacity(self.parts.len());
        for e in &self.parts {
            let scored = if evidence {
                e.score_shared_deferring_evidence(profiles, memos)?
            } else {
                e.score_shared_without_evidence(profiles, memos)?
            };
            if scored.len() != profiles.len() {
                return Err(ScoreError::Model(format!(
                    "the ensemble's {} part scored {} of {} profiles",
                    e.kind().as_str(),
                    scored.len(),
                    profiles.len()
                )));
            }
            per_part.push(scored.into_iter());
        }
        Ok((0..profiles.len())
            .map(|i| {
                let parts = per_part.iter_mut().filter_map(Iterator::next).collect();
                self.merge(parts, &profiles[i], &memos[i], evidence)
            })
            .collect())
    }

    /// The parts' assessments of one profile merged into the ensemble's; `p` and `memo` are the
    /// profile and the memo they were scored with, for the evidence of the reasons kept (none
    /// without `evidence`).
    fn merge(
        &self,
        parts: Vec<Assessment>,
        p: &Profile,
        memo: &Memo,
        evidence: bool,
    ) -> Assessment {
        let probabilities: Vec<f32> = parts.iter().map(|a| a.score).collect();
        let score = self.params.score(&probabilities);
        let c = self.params.calibration;
        let most = parts.iter().map(|a| a.reasons.len()).max().unwrap_or(0);
        let share = c.a / parts.len().max(1) as f32;
        // Each reason with the part that gave it first, whose evidence it keeps.
        let mut reasons: Vec<(Reason, &dyn Scorer)> = Vec::new();
        for (a, engine) in parts.into_iter().zip(&self.parts) {
            let k = share * engine.reason_scale();
            for r in a.reasons {
                match reasons.iter_mut().find(|(m, _)| m.code == r.code) {
                    Some((m, _)) => m.weight += k * r.weight,
                    None => reasons.push((
                        Reason {
                            weight: k * r.weight,
                            ..r
                        },
                        engine.as_ref(),
                    )),
                }
            }
        }
        for (r, _) in &mut reasons {
            r.weight = (r.weight * 1000.0).round() / 1000.0;
        }
        reasons.retain(|(r, _)| r.weight != 0.0);
        reasons.sort_by(|(x, _), (y, _)| y.weight.abs().total_cmp(&x.weight.abs()));
        reasons.truncate(most);
        let reasons = reasons
            .into_iter()
            .map(|(mut r, engine)| {
                if !evidence {
                    r.evidence = None;
                } else if r.evidence.is_none() {
                    r.evidence = engine.deferred_evidence(p, memo, &r.code);
                }
                r
            })
            .collect();
        Assessment { score, reasons }
    }
}

impl Scorer for Ensemble {
    fn kind(&self) -> EngineKind {
        EngineKind::Ensemble
    }

    fn thresholds(&self) -> Thresholds {
        self.params.thresholds
    }

    fn score_shared(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        self.score_parts(profiles, memos, true)
    }

    fn score_shared_without_evidence(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        self.score_parts(profiles, memos, false)
    }

    fn truncated_sections(&self) -> Option<u64> {
        self.parts
            .iter()
            .filter_map(|p| p.truncated_sections())
            .max()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::HeadlineScorer;

    /// The verdict thresholds of the made-up parts (the ensemble has its own).
    const PART_THRESHOLDS: Thresholds = Thresholds {
        review: 0.5,
        fake: 0.9,
    };

    /// A part that states a fixed probability with one reason.
    struct Fixed(EngineKind, f32, &'static str, f32);

    impl Scorer for Fixed {
        fn kind(&self) -> EngineKind {
            self.0
        }
        fn thresholds(&self) -> Thresholds {
            PART_THRESHOLDS
        }
        fn score_shared(
            &self,
            profiles: &[Profile],
            _: &[Memo],
        ) -> Result<Vec<Assessment>, ScoreError> {
            Ok(profiles
                .iter()
                .map(|_| Assessment {
                    score: self.1,
                    reasons: vec![Reason {
                        code: self.2.into(),
                        weight: self.3,
                        evidence: None,
                    }],
                })
                .collect())
        }
        fn reason_scale(&self) -> f32 {
            0.5
        }
    }

    fn params(engines: Vec<EngineKind>, a: f32, b: f32) -> EnsembleParams {
        EnsembleParams {
            format_version: ENSEMBLE_FORMAT_VERSION,
            engines,
            calibration: Platt { a, b },
            thresholds: Thresholds {
                review: 0.4,
                fake: 0.8,
            },
        }
    }

    #[test]
    fn score_is_the_calibrated_mean_log_odds() {
        let parts: Vec<Box<dyn Scorer>> = vec![
            Box::new(Fixed(EngineKind::Model, 0.9, "x", 1.0)),
            Box::new(Fixed(EngineKind::Linear, 0.2, "y", -1.0)),
        ];
        let e = Ensemble::new(
            parts,
            params(vec![EngineKind::Linear, EngineKind::Model], 2.0, 0.5),
        )
        .unwrap();
        let a = &e.score_batch(&[Profile::default()]).unwrap()[0];
        let z = 0.5 * (log_odds(0.9) + log_odds(0.2));
        let want = 1.0 / (1.0 + (-(2.0 * z + 0.5)).exp());
        assert!((a.score - want).abs() < 1e-5, "{} vs {want}", a.score);
        // Each reason is scaled by the part's scale (0.5) and the ensemble's share (2 / 2); the
        // linear part, named first, comes first among equals, and the ensemble gives as many
        // reasons as the part that gives most (one).
        let got: Vec<(&str, f32)> = a.reasons.iter().map(|r| (&*r.code, r.weight)).collect();
        assert_eq!(got, vec![("y", -0.5)]);
    }

    #[test]
    fn one_code_from_two_parts_is_one_reason() {
        let parts: Vec<Box<dyn Scorer>> = vec![
            Box::new(Fixed(EngineKind::Model, 0.7, "section:message", 1.0)),
            Box::new(Fixed(EngineKind::Linear, 0.7, "section:message", 3.0)),
        ];
        let e = Ensemble::new(
            parts,
            params(vec![EngineKind::Model, EngineKind::Linear], 1.0, 0.0),
        )
        .unwrap();
        let a = &e.score_batch(&[Profile::default()]).unwrap()[0];
        assert_eq!(a.reasons.len(), 1);
        assert!((a.reasons[0].weight - 1.0).abs() < 1e-6);
    }

    /// A part whose reasons' evidence is "evidence of CODE", given with its scores or, when the
    /// ensemble defers it, asked for afterwards (and counted).
    struct Deferring(
        EngineKind,
        Vec<(&'static str, f32)>,
        std::sync::Arc<std::sync::atomic::AtomicUsize>,
    );

    impl Deferring {
        fn reasons(&self, evidence: bool) -> Vec<Reason> {
            self.1
                .iter()
                .map(|&(code, weight)| Reason {
                    code: code.into(),
                    weight,
                    evidence: evidence.then(|| format!("evidence of {code}")),
                })
                .collect()
        }
    }

    impl Scorer for Deferring {
        fn kind(&self) -> EngineKind {
            self.0
        }
        fn thresholds(&self) -> Thresholds {
            PART_THRESHOLDS
        }
        fn score_shared(&self, p: &[Profile], _: &[Memo]) -> Result<Vec<Assessment>, ScoreError> {
            Ok(p.iter()
                .map(|_| Assessment {
                    score: 0.6,
                    reasons: self.reasons(true),
                })
                .collect())
        }
        fn score_shared_deferring_evidence(
            &self,
            p: &[Profile],
            _: &[Memo],
        ) -> Result<Vec<Assessment>, ScoreError> {
            Ok(p.iter()
                .map(|_| Assessment {
                    score: 0.6,
                    reasons: self.reasons(false),
                })
                .collect())
        }
        fn deferred_evidence(&self, _: &Profile, _: &Memo, code: &str) -> Option<String> {
            self.2.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            Some(format!("evidence of {code}"))
        }
    }

    #[test]
    fn deferred_evidence_is_asked_for_the_reasons_kept_only() {
        let asked = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
        let linear = Fixed(EngineKind::Linear, 0.6, "section:headline", 8.0);
        let model = Deferring(
            EngineKind::Model,
            vec![
                ("section:headline", 1.0),
                ("feature:posts", 3.0),
                ("feature:tenure", 0.5),
                ("feature:photo_flags", 0.2),
                ("feature:verified", 0.0004),
            ],
            asked.clone(),
        );
        let e = Ensemble::new(
            vec![Box::new(linear), Box::new(model)],
            params(vec![EngineKind::Linear, EngineKind::Model], 1.0, 0.0),
        )
        .unwrap();
        let a = &e.score_batch(&[Profile::default()]).unwrap()[0];
        let got: Vec<(&str, Option<&str>)> = a
            .reasons
            .iter()
            .map(|r| (&*r.code, r.evidence.as_deref()))
            .collect();
        // The headline, given by the linear part first, keeps that part's evidence (none); the
        // model's own reasons get the evidence it gives with its scores; its weakest, which
        // rounds to no weight, is not kept, and its evidence is never asked for.
        assert_eq!(
            got,
            [
                ("section:headline", None),
                ("feature:posts", Some("evidence of feature:posts")),
                ("feature:tenure", Some("evidence of feature:tenure")),
                (
                    "feature:photo_flags",
                    Some("evidence of feature:photo_flags")
                ),
            ]
        );
        assert_eq!(asked.load(std::sync::atomic::Ordering::Relaxed), 3);
        // Without evidence, the same reasons with none, and none is asked for.
        let bare = &e
            .score_shared_without_evidence(&[Profile::default()], &[Memo::default()])
            .unwrap()[0];
        assert_eq!(bare.score, a.score);
        let codes = |a: &Assessment| -> Vec<(String, f32)> {
            a.reasons
                .iter()
                .map(|r| (r.code.clone(), r.weight))
                .collect()
        };
        assert_eq!(codes(bare), codes(a));
        assert!(bare.reasons.iter().all(|r| r.evidence.is_none()));
        assert_eq!(asked.load(std::sync::atomic::Ordering::Relaxed), 3);
    }

    #[test]
    fn a_missing_part_is_an_error() {
        let parts: Vec<Box<dyn Scorer>> = vec![Box::new(HeadlineScorer)];
        let e = Ensemble::new(parts, params(vec![EngineKind::Linear], 1.0, 0.0));
        assert!(matches!(e, Err(EnsembleError::Missing("linear"))));
    }

    #[test]
    fn parameters_round_trip_and_are_checked() {
        let p = params(vec![EngineKind::Linear, EngineKind::Model], 1.5, -0.25);
        assert_eq!(EnsembleParams::from_json(&p.to_json()).unwrap(), p);
        let mut bad = p.clone();
        bad.format_version = 2;
        assert!(EnsembleParams::from_json(&bad.to_json()).is_err());
        let mut nested = p;
        nested.engines.push(EngineKind::Ensemble);
        assert!(EnsembleParams::from_json(&nested.to_json()).is_err());
        assert!(EnsembleParams::from_json(b"{").is_err());
    }
}
