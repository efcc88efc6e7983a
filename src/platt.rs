//! Platt scaling: a logit turned into a stated probability by `sigmoid(a * logit + b)`, with
//! `a` and `b` fitted on held-out logits. The linear engine and the ensemble state their scores
//! this way. A leaf: arithmetic on slices.

use serde::{Deserialize, Serialize};

/// The log-odds of a probability, clamped to 1e-6 from 0 and 1 so that it stays finite.
pub fn log_odds(p: f32) -> f32 {
    let p = p.clamp(1e-6, 1.0 - 1e-6);
    (p / (1.0 - p)).ln()
}

/// Platt scaling of the logit: `p = sigmoid(a * logit + b)`.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Platt {
    pub a: f32,
    pub b: f32,
}

impl Platt {
    pub const IDENTITY: Platt = Platt { a: 1.0, b: 0.0 };

    pub fn apply(&self, logit: f32) -> f32 {
        1.0 / (1.0 + (-(self.a * logit + self.b)).exp())
    }

    /// Platt's fit: the `a`, `b` minimising the log-loss of smoothed targets
    /// (`(n1 + 1) / (n1 + 2)` for fakes, `1 / (n0 + 2)` for genuine), by Newton's method.
    pub fn fit(logits: &[f32], labels: &[bool]) -> Platt {
        let n1 = labels.iter().filter(|&&y| y).count() as f64;
        let n0 = labels.len() as f64 - n1;
        if n1 == 0.0 || n0 == 0.0 {
            return Platt::IDENTITY;
        }
        let (hi, lo) = ((n1 + 1.0) / (n1 + 2.0), 1.0 / (n0 + 2.0));
        let (mut a, mut b) = (1.0f64, 0.0f64);
        for _ in 0..100 {
            let (mut ga, mut gb, mut haa, mut hab, mut hbb) = (0.0, 0.0, 1e-9, 0.0, 1e-9);
            for (&z, &y) in logits.iter().zip(labels) {
                let z = z as f64;
                let p = 1.0 / (1.0 + (-(a * z + b)).exp());
                let d = p - if y { hi } else { lo };
                let w = (p * (1.0 - p)).max(1e-12);
                ga += d * z;
                gb += d;
                haa += w * z * z;
                hab += w * z;
                hbb += w;
            }
            let det = haa * hbb - hab * hab;
            if det.abs() < 1e-18 {
                break;
            }
            let da = (hbb * ga - hab * gb) / det;
            let db = (haa * gb - hab * ga) / det;
            a -= da;
            b -= db;
            if da.abs() + db.abs() < 1e-9 {
                break;
            }
        }
        if a.is_finite() && b.is_finite() {
            Platt {
                a: a as f32,
                b: b as f32,
            }
        } else {
            Platt::IDENTITY
        }
    }
}
