//! Test support shared by the unit tests of several modules: a tiny engine for the tests of
//! the evaluation and the hybrid, which scores a profile by the number written in its headline
//! (0 when there is none) and gives one reason.

use crate::profile::Profile;
use crate::score::{Assessment, EngineKind, Memo, Reason, ScoreError, Scorer, Thresholds};

/// The test engine; it presents itself as a model with thresholds 0.5 and 0.8.
pub struct HeadlineScorer;

impl Scorer for HeadlineScorer {
    fn kind(&self) -> EngineKind {
        EngineKind::Model
    }

    fn thresholds(&self) -> Thresholds {
        Thresholds {
            review: 0.5,
            fake: 0.8,
        }
    }

    fn score_shared(
        &self,
        profiles: &[Profile],
        _: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        Ok(profiles
            .iter()
            .map(|p| Assessment {
                score: p
                    .headline
                    .as_deref()
                    .and_then(|h| h.parse().ok())
                    .unwrap_or(0.0),
                reasons: vec![Reason {
                    code: "section:headline".into(),
                    weight: 1.0,
                    evidence: p.headline.clone(),
                }],
            })
            .collect())
    }
}
