//! Fitting the model's calibration in linfa's three steps: settings as a configuration gives
//! them ([`CalibrationParams`]), checked settings ([`ValidCalibrationParams`]), and the fitted
//! values ([`Calibration`], the artifact's `calibration.json`), which a [`super::Classifier`]
//! is then built with.

use crate::metrics::Ranked;
use crate::score::Thresholds;

use super::config::Calibration;
use super::ModelError;

/// The calibration's settings as a configuration states them, not yet checked.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CalibrationParams {
    /// False-positive rate the `review` threshold is chosen for.
    pub review_fpr: f64,
    /// False-positive rate the `fake` threshold is chosen for.
    pub fake_fpr: f64,
}

/// Checked calibration settings: both rates in [0, 1), and the `fake` rate at most the
/// `review` rate. Only [`CalibrationParams::check`] makes one.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ValidCalibrationParams(CalibrationParams);

impl CalibrationParams {
    /// Checks the settings.
    pub fn check(self) -> Result<ValidCalibrationParams, ModelError> {
        let rate = 0.0..1.0;
        if !rate.contains(&self.review_fpr)
            || !rate.contains(&self.fake_fpr)
            || self.fake_fpr > self.review_fpr
        {
            return Err(ModelError::Params(format!(
                "calibration false-positive rates must be in [0, 1) with fake_fpr <= review_fpr, \
                 got review_fpr {} and fake_fpr {}",
                self.review_fpr, self.fake_fpr
            )));
        }
        Ok(ValidCalibrationParams(self))
    }
}

impl ValidCalibrationParams {
    /// The settings, as checked.
    pub fn params(&self) -> CalibrationParams {
        self.0
    }
}

impl Calibration {
    /// Fits the calibration on labelled validation logits: the temperature that minimises
    /// their log-loss, then the thresholds at the two false-positive rates on the calibrated
    /// probabilities.
    pub fn fit(params: &ValidCalibrationParams, logits: &[f32], labels: &[bool]) -> Calibration {
        let CalibrationParams {
            review_fpr,
            fake_fpr,
        } = params.0;
        let temperature = fit_temperature(logits, labels);
        let mut fitted = Calibration {
            temperature,
            review: 0.0,
            fake: 0.0,
            review_fpr,
            fake_fpr,
        };
        let scores: Vec<f32> = logits.iter().map(|&z| fitted.probability(z)).collect();
        let Thresholds { review, fake } = thresholds(&scores, labels, review_fpr, fake_fpr);
        fitted.review = review;
        fitted.fake = fake;
        fitted
    }

    /// The calibrated probability for a logit: `sigmoid(logit / temperature)`.
    pub fn probability(&self, logit: f32) -> f32 {
        1.0 / (1.0 + (-(logit / self.temperature)).exp())
    }
}

/// Temperature minimising the log-loss of labelled logits (log-spaced search over
/// [0.05, 20]).
fn fit_temperature(logits: &[f32], labels: &[bool]) -> f32 {
    let nll = |t: f64| -> f64 {
        logits
            .iter()
            .zip(labels)
            .map(|(&z, &y)| {
                let z = z as f64 / t;
                let sp = z.max(0.0) + (-z.abs()).exp().ln_1p();
                sp - if y { z } else { 0.0 }
            })
            .sum()
    };
    let mut best = (1.0, nll(1.0));
    for i in 0..=200 {
        let t = 10f64.powf(-1.3 + 2.6 * i as f64 / 200.0);
        let v = nll(t);
        if v < best.1 {
            best = (t, v);
        }
    }
    best.0 as f32
}

/// Thresholds for two false-positive rates on labelled scores, kept inside (0, 1) and ordered.
pub fn thresholds(scores: &[f32], labels: &[bool], review_fpr: f64, fake_fpr: f64) -> Thresholds {
    let r = Ranked::new(scores, labels);
    let clamp = |t: f32| {
        if t.is_finite() {
            t.clamp(0.01, 0.999)
        } else {
            0.999
        }
    };
    let review = clamp(r.threshold_at_fpr(review_fpr));
    let fake = clamp(r.threshold_at_fpr(fake_fpr)).max(review);
    Thresholds { review, fake }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(review_fpr: f64, fake_fpr: f64) -> CalibrationParams {
        CalibrationParams {
            review_fpr,
            fake_fpr,
        }
    }

    #[test]
    fn check_refuses_rates_outside_the_unit_interval_or_out_of_order() {
        assert!(params(0.05, 0.01).check().is_ok());
        assert!(params(1.0, 0.01).check().is_err());
        assert!(params(0.05, -0.1).check().is_err());
        assert!(params(0.01, 0.05).check().is_err());
        assert!(params(f64::NAN, 0.0).check().is_err());
    }

    #[test]
    fn fit_sharpens_overly_timid_logits_and_orders_its_thresholds() {
        // Logits a quarter of the true log-odds: the fitted temperature is well below 1.
        let (mut logits, mut labels) = (Vec::new(), Vec::new());
        for i in 0..400 {
            let z = (i as f32 - 200.0) / 20.0;
            let p = 1.0 / (1.0 + (-z).exp());
            // Deterministic labels with frequency p in each run of ten.
            for k in 0..10 {
                logits.push(z / 4.0);
                labels.push((k as f32 + 0.5) / 10.0 < p);
            }
        }
        let c = Calibration::fit(&params(0.05, 0.01).check().unwrap(), &logits, &labels);
        assert!(c.temperature < 0.5, "{c:?}");
        assert!(
            0.01 <= c.review && c.review <= c.fake && c.fake <= 0.999,
            "{c:?}"
        );
        assert_eq!((c.review_fpr, c.fake_fpr), (0.05, 0.01));
        assert!((c.probability(0.0) - 0.5).abs() < 1e-6);
    }
}
