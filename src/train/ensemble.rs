//! The ensemble's fit: the linear engine's and the model's out-of-fold scores on the author
//! files, averaged in log-odds exactly as the ensemble engine averages them when scoring, give
//! its Platt scaling and verdict thresholds.

use crate::ensemble::{EnsembleParams, ENSEMBLE_FORMAT_VERSION};
use crate::platt::Platt;
use crate::score::EngineKind;

use super::config::LoaoConfig;
use super::loao;

/// A fitted ensemble and its out-of-fold logits (before its own calibration).
pub struct FittedEnsemble {
    pub params: EnsembleParams,
    pub out_of_fold: Vec<f32>,
}

/// Fits the linear + model ensemble. `linear_oof` are the linear engine's raw out-of-fold
/// logits, stated through `linear_platt` (its calibration, as when scoring); `model_oof` are
/// the model's out-of-fold logits already divided by each fold's temperature, so that
/// `sigmoid` of them is what each fold's model states.
pub fn fit(
    linear_oof: &[f32],
    linear_platt: Platt,
    model_oof: &[f32],
    fake: &[bool],
    cfg: &LoaoConfig,
) -> FittedEnsemble {
    let out_of_fold: Vec<f32> = linear_oof
        .iter()
        .zip(model_oof)
        .map(|(&zl, &zm)| {
            EnsembleParams::logit(&[linear_platt.apply(zl), Platt::IDENTITY.apply(zm)])
        })
        .collect();
    let (calibration, thresholds) = loao::calibrate(&out_of_fold, fake, cfg);
    FittedEnsemble {
        params: EnsembleParams {
            format_version: ENSEMBLE_FORMAT_VERSION,
            engines: vec![EngineKind::Linear, EngineKind::Model],
            calibration,
            thresholds,
        },
        out_of_fold,
    }
}
