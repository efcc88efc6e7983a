//! Score records (format version 1) and the [`Scorer`] interface every engine implements:
//! the rule engine, the model and the hybrid of both.

use serde::{Deserialize, Serialize};

use crate::profile::Profile;

/// Which engine produced a score.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    Model,
    Rules,
    Hybrid,
}

impl EngineKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EngineKind::Model => "model",
            EngineKind::Rules => "rules",
            EngineKind::Hybrid => "hybrid",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Fake,
    Review,
    Genuine,
}

impl Verdict {
    pub fn as_str(self) -> &'static str {
        match self {
            Verdict::Fake => "fake",
            Verdict::Review => "review",
            Verdict::Genuine => "genuine",
        }
    }
}

/// The two cut-offs that turn a score into a verdict: `score >= fake` is `fake`,
/// `score >= review` is `review`, anything lower is `genuine`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Thresholds {
    pub review: f32,
    pub fake: f32,
}

impl Thresholds {
    pub fn verdict(&self, score: f32) -> Verdict {
        if score >= self.fake {
            Verdict::Fake
        } else if score >= self.review {
            Verdict::Review
        } else {
            Verdict::Genuine
        }
    }
}

/// One contribution to a score: a stable code, a signed weight and the evidence behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Reason {
    pub code: String,
    pub weight: f32,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub evidence: Option<String>,
}

/// What an engine says about one profile.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment {
    /// Probability (model, hybrid) or risk score (rules) that the profile is fake, in 0..1.
    pub score: f32,
    /// Strongest contributions first.
    pub reasons: Vec<Reason>,
}

/// A score record as written by `linkscreen score`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScoreRecord {
    pub id: String,
    pub score: f32,
    pub verdict: Verdict,
    pub engine: EngineKind,
    pub reasons: Vec<Reason>,
}

impl ScoreRecord {
    pub fn new(id: &str, a: Assessment, engine: EngineKind, t: &Thresholds) -> ScoreRecord {
        ScoreRecord {
            id: id.to_owned(),
            // Scores are rounded to 4 decimals so output is stable and readable.
            score: (a.score * 10_000.0).round() / 10_000.0,
            verdict: t.verdict(a.score),
            engine,
            reasons: a.reasons,
        }
    }
}

/// Errors an engine can raise while scoring (the rule engine never does).
#[derive(Debug, thiserror::Error)]
pub enum ScoreError {
    #[error("model inference failed: {0}")]
    Model(String),
}

/// An engine that scores profiles. Engines are built once and then score many batches; they
/// do no I/O while scoring.
pub trait Scorer {
    fn kind(&self) -> EngineKind;
    fn thresholds(&self) -> Thresholds;
    fn score_batch(&self, profiles: &[Profile]) -> Result<Vec<Assessment>, ScoreError>;
    /// Text sections cut at the model's token limit since the engine was built, or `None` for
    /// an engine that reads whole texts (the rule engine).
    fn truncated_sections(&self) -> Option<u64> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verdict_follows_thresholds() {
        let t = Thresholds {
            review: 0.4,
            fake: 0.8,
        };
        assert_eq!(t.verdict(0.39), Verdict::Genuine);
        assert_eq!(t.verdict(0.4), Verdict::Review);
        assert_eq!(t.verdict(0.8), Verdict::Fake);
    }

    #[test]
    fn score_record_matches_spec_shape() {
        let a = Assessment {
            score: 0.97123,
            reasons: vec![Reason {
                code: "paid_report_offer".into(),
                weight: 0.31,
                evidence: Some("write short paid reports".into()),
            }],
        };
        let t = Thresholds {
            review: 0.5,
            fake: 0.8,
        };
        let r = ScoreRecord::new("x", a, EngineKind::Model, &t);
        let json = serde_json::to_string(&r).unwrap();
        assert_eq!(
            json,
            r#"{"id":"x","score":0.9712,"verdict":"fake","engine":"model","reasons":[{"code":"paid_report_offer","weight":0.31,"evidence":"write short paid reports"}]}"#
        );
    }
}
