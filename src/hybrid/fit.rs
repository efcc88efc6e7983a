//! Fitting the hybrid's coefficients: Newton's method on the L2-regularised log-loss, then the
//! verdict thresholds at stated false-positive rates on the same data.

use crate::metrics::Ranked;
use crate::score::Thresholds;

use super::{logit, sigmoid, FitInfo, HybridError, HybridParams, EPS, HYBRID_FORMAT_VERSION};

/// Ridge penalty on `a` and `b` when fitting, which keeps the fit finite on separable data.
const RIDGE: f64 = 1e-2;

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
}

#[cfg(test)]
mod tests {
    use rand::{Rng, SeedableRng};
    use rand_chacha::ChaCha8Rng;

    use super::*;

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
}
