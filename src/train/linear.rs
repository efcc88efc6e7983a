//! Fitting the linear engine inside a training run: documents computed once, then one fit per
//! held-out author and one on everything.

use crate::linear::{self, LinearModel, LinearParams, RawDoc};
use crate::rules::RuleSet;

use super::data::{Part, Sample};
use super::neural::class_weights;
use super::TrainError;

/// The linear engine's inputs for every sample (computed in parallel, in sample order).
pub fn docs(params: &LinearParams, samples: &[Sample]) -> Vec<RawDoc> {
    use tokenizers::utils::parallelism::MaybeParallelRefIterator;
    let rules = params.rule_features.then(RuleSet::default_rules);
    samples
        .maybe_par_iter()
        .map(|s| linear::raw_doc(&params.hashing, rules.as_ref(), &s.profile).0)
        .collect()
}

/// Fits the engine on the training records `include` accepts, weighted by their own weight
/// times their class's balancing weight.
pub fn fit(
    params: &LinearParams,
    samples: &[Sample],
    docs: &[RawDoc],
    include: &dyn Fn(&Sample) -> bool,
    seed: u64,
) -> Result<LinearModel, TrainError> {
    let idx: Vec<usize> = (0..samples.len())
        .filter(|&i| {
            let s = &samples[i];
            s.part == Part::Train && !s.evaluated_only && include(s)
        })
        .collect();
    let (w_pos, w_neg) = class_weights(idx.iter().map(|&i| &samples[i]));
    let refs: Vec<&RawDoc> = idx.iter().map(|&i| &docs[i]).collect();
    let labels: Vec<bool> = idx.iter().map(|&i| samples[i].fake).collect();
    let weights: Vec<f32> = idx
        .iter()
        .map(|&i| samples[i].weight * if samples[i].fake { w_pos } else { w_neg })
        .collect();
    linear::fit(params, &refs, &labels, &weights, seed).map_err(|e| TrainError::Data(e.to_string()))
}
