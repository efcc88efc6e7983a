//! Fitting the linear engine: inverse document frequencies, feature scales, then a weighted
//! logistic regression by mini-batch Adam (lazy on the text weights, which few profiles touch)
//! with an L2 penalty and the sign constraints of [`super::feature_sign`]. Pure and
//! deterministic: the same documents, weights and seed give the same bytes.

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use super::{
    feature_sign, tfidf, HashingConfig, Level, LinearError, LinearModel, LinearSpec, Platt, RawDoc,
    Sign, LINEAR_FORMAT_VERSION,
};
use crate::score::Thresholds;

/// The linear engine's training settings (`[linear]` in a training config).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearParams {
    pub hashing: HashingConfig,
    /// Give the engine the shipped rules' summary as features.
    pub rule_features: bool,
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    /// L2 penalty on every weight but the bias.
    pub l2: f64,
    /// Descents from this many seeds (each its own shuffling), their weights averaged: one
    /// linear model whose logit is the mean of theirs, less dependent on one shuffling. One
    /// seed is not written out, so that records from before this setting stay the same bytes.
    #[serde(default = "one", skip_serializing_if = "is_one")]
    pub seeds: usize,
    /// Steps per numeric feature, at quantiles of its training values (see [`super::Level`]):
    /// a monotone, piecewise shape instead of one slope. None by default.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub levels: usize,
}

fn is_zero(n: &usize) -> bool {
    *n == 0
}

fn one() -> usize {
    1
}

fn is_one(n: &usize) -> bool {
    *n == 1
}

impl LinearParams {
    pub fn validate(&self) -> Result<(), LinearError> {
        let h = &self.hashing;
        let ok = h.buckets > 0
            && h.buckets <= 1 << 24
            && h.max_words > 0
            && self.epochs > 0
            && self.seeds > 0
            && self.batch > 0
            && self.lr > 0.0
            && self.l2 >= 0.0
            && (h.char_ngrams[0] == 0 || h.char_ngrams[0] <= h.char_ngrams[1]);
        if ok {
            Ok(())
        } else {
            Err(LinearError::Data(
                "linear: buckets in 1..=16777216, max_words, epochs, batch, seeds and lr positive, \
                 l2 >= 0, char_ngrams [min, max] with min <= max"
                    .into(),
            ))
        }
    }
}

/// Adam state for one block of weights.
struct Adam {
    m: Vec<f32>,
    v: Vec<f32>,
}

impl Adam {
    fn new(n: usize) -> Adam {
        Adam {
            m: vec![0.0; n],
            v: vec![0.0; n],
        }
    }

    /// One step on coordinate `j` with gradient `g`; `lr` already bias-corrected.
    fn step(&mut self, w: &mut f32, j: usize, g: f32, lr: f32) {
        const B1: f32 = 0.9;
        const B2: f32 = 0.999;
        self.m[j] = B1 * self.m[j] + (1.0 - B1) * g;
        self.v[j] = B2 * self.v[j] + (1.0 - B2) * g * g;
        *w -= lr * self.m[j] / (self.v[j].sqrt() + 1e-8);
    }
}

fn project(w: &mut f32, sign: Sign) {
    match sign {
        Sign::Raises => *w = w.max(0.0),
        Sign::Lowers => *w = w.min(0.0),
        Sign::Free => {}
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// Fits the engine on documents with their labels (`true` = fake) and weights. The result
/// has the identity calibration and placeholder thresholds: training sets both out of fold.
pub fn fit(
    params: &LinearParams,
    docs: &[&RawDoc],
    labels: &[bool],
    weights: &[f32],
    seed: u64,
) -> Result<LinearModel, LinearError> {
    params.validate()?;
    if docs.is_empty() || docs.len() != labels.len() || docs.len() != weights.len() {
        return Err(LinearError::Data(
            "linear: documents, labels and weights differ in number, or none".into(),
        ));
    }
    let buckets = params.hashing.buckets;
    // Document frequencies: a slot counts once per profile, whatever section holds it.
    let mut df = vec![0u32; buckets];
    let mut seen: Vec<u32> = Vec::new();
    for d in docs {
        seen.clear();
        seen.extend(d.sections.iter().flatten().map(|(s, _)| *s));
        seen.sort_unstable();
        seen.dedup();
        for &s in &seen {
            df[s as usize] += 1;
        }
    }
    let n = docs.len() as f32;
    let idf: Vec<f32> = df
        .iter()
        .map(|&c| ((1.0 + n) / (1.0 + c as f32)).ln() + 1.0)
        .collect();
    // Features: those with a sign, scaled by their root mean square (not centred, so that a
    // value of 0 stays 0 and the sign constraints keep their meaning).
    let rules = params
        .rule_features
        .then(crate::rules::RuleSet::default_rules);
    let all = super::feature_names(rules.as_ref());
    let chosen: Vec<(usize, String, Sign)> = all
        .iter()
        .enumerate()
        .filter_map(|(i, name)| feature_sign(name).map(|s| (i, name.clone(), s)))
        .collect();
    let scale: Vec<f32> = chosen
        .iter()
        .map(|(i, _, _)| {
            let ms = docs.iter().map(|d| d.features[*i].powi(2)).sum::<f32>() / n;
            ms.sqrt().max(1e-3)
        })
        .collect();
    let levels = level_cuts(params.levels, docs, &chosen);
    let k = chosen.len();
    let signs: Vec<Sign> = (chosen.iter().map(|c| c.2))
        .chain(levels.iter().map(|&(j, _)| chosen[j].2))
        .collect();
    let text: Vec<Vec<(u32, f32)>> = docs
        .iter()
        .map(|d| tfidf(&d.sections, &idf).concat())
        .collect();
    let feats: Vec<Vec<f32>> = docs
        .iter()
        .map(|d| {
            chosen
                .iter()
                .zip(&scale)
                .map(|((i, _, _), s)| d.features[*i] / s)
                .chain(
                    levels
                        .iter()
                        .map(|&(j, at)| f32::from(u8::from(d.features[chosen[j].0] >= at))),
                )
                .collect()
        })
        .collect();

    let problem = Problem {
        text: &text,
        feats: &feats,
        labels,
        weights,
        signs: &signs,
        buckets,
    };
    let (mut wt, mut wf, mut bias) = descend(params, &problem, seed);
    for extra in 1..params.seeds as u64 {
        let (t2, f2, b2) = descend(params, &problem, seed.wrapping_add(extra));
        wt.iter_mut().zip(&t2).for_each(|(w, x)| *w += x);
        wf.iter_mut().zip(&f2).for_each(|(w, x)| *w += x);
        bias += b2;
    }
    if params.seeds > 1 {
        let inv = 1.0 / params.seeds as f32;
        wt.iter_mut().for_each(|w| *w *= inv);
        wf.iter_mut().for_each(|w| *w *= inv);
        bias *= inv;
    }
    let spec = LinearSpec {
        format_version: LINEAR_FORMAT_VERSION,
        hashing: params.hashing,
        rule_features: params.rule_features,
        features: chosen.iter().map(|c| c.1.clone()).collect(),
        scale,
        signs: signs[..k].to_vec(),
        levels: (levels.iter().zip(&wf[k..]))
            .map(|(&(feature, at), &weight)| Level {
                feature,
                at,
                weight,
            })
            .collect(),
        feature_weights: wf[..k].to_vec(),
        bias,
        calibration: Platt::IDENTITY,
        thresholds: Thresholds {
            review: 0.5,
            fake: 0.9,
        },
    };
    LinearModel::new(spec, idf, wt)
}

/// The steps' positions: for each chosen feature with more than two distinct training values,
/// up to `n` cuts at evenly spaced quantiles of its values, above its smallest value (a step
/// every profile takes is the bias). Returns `(index into chosen, cut)` pairs.
fn level_cuts(n: usize, docs: &[&RawDoc], chosen: &[(usize, String, Sign)]) -> Vec<(usize, f32)> {
    let mut cuts = Vec::new();
    if n == 0 {
        return cuts;
    }
    for (j, (i, _, _)) in chosen.iter().enumerate() {
        let mut v: Vec<f32> = docs.iter().map(|d| d.features[*i]).collect();
        v.sort_by(f32::total_cmp);
        let mut distinct = v.clone();
        distinct.dedup();
        if distinct.len() <= 2 {
            continue;
        }
        let mut last = v[0];
        for q in 1..=n {
            let at = v[q * v.len() / (n + 1)];
            if at > last {
                cuts.push((j, at));
                last = at;
            }
        }
    }
    cuts
}

/// A weighted logistic regression's inputs: TF-IDF text vectors, scaled numeric features,
/// labels, record weights and the features' sign constraints.
struct Problem<'a> {
    text: &'a [Vec<(u32, f32)>],
    feats: &'a [Vec<f32>],
    labels: &'a [bool],
    weights: &'a [f32],
    signs: &'a [Sign],
    buckets: usize,
}

/// One seeded descent: text weights, feature weights and bias.
fn descend(params: &LinearParams, p: &Problem, seed: u64) -> (Vec<f32>, Vec<f32>, f32) {
    let k = p.signs.len();
    let buckets = p.buckets;
    let (text, feats, labels, weights, signs) = (p.text, p.feats, p.labels, p.weights, p.signs);
    let (mut wt, mut wf, mut bias) = (vec![0.0f32; buckets], vec![0.0f32; k], 0.0f32);
    let (mut at, mut af, mut ab) = (Adam::new(buckets), Adam::new(k), Adam::new(1));
    let mut grad_t = vec![0.0f32; buckets];
    let mut touched: Vec<u32> = Vec::new();
    let mut marked = vec![false; buckets];
    let mut grad_f = vec![0.0f32; k];
    let mut order: Vec<usize> = (0..labels.len()).collect();
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let l2 = params.l2 as f32;
    let steps = params.epochs * labels.len().div_ceil(params.batch);
    let mut t = 0usize;
    for _ in 0..params.epochs {
        order.shuffle(&mut rng);
        for batch in order.chunks(params.batch) {
            t += 1;
            let inv = 1.0 / batch.len() as f32;
            let mut grad_b = 0.0f32;
            for &i in batch {
                let z = bias
                    + text[i]
                        .iter()
                        .map(|&(s, x)| wt[s as usize] * x)
                        .sum::<f32>()
                    + wf.iter().zip(&feats[i]).map(|(w, x)| w * x).sum::<f32>();
                let y = if labels[i] { 1.0 } else { 0.0 };
                let g = weights[i] * (sigmoid(z) - y) * inv;
                for &(s, x) in &text[i] {
                    if !marked[s as usize] {
                        marked[s as usize] = true;
                        touched.push(s);
                    }
                    grad_t[s as usize] += g * x;
                }
                for (gf, x) in grad_f.iter_mut().zip(&feats[i]) {
                    *gf += g * x;
                }
                grad_b += g;
            }
            // Linear decay to a tenth of the rate, with Adam's bias correction.
            let decay = 1.0 - 0.9 * (t - 1) as f64 / steps.max(1) as f64;
            let tf = t as i32;
            let corr = (1.0 - 0.999f64.powi(tf)).sqrt() / (1.0 - 0.9f64.powi(tf));
            let lr = (params.lr * decay * corr) as f32;
            touched.sort_unstable();
            for &s in &touched {
                let j = s as usize;
                let g = grad_t[j] + l2 * wt[j];
                at.step(&mut wt[j], j, g, lr);
                grad_t[j] = 0.0;
                marked[j] = false;
            }
            touched.clear();
            for j in 0..k {
                let g = grad_f[j] + l2 * wf[j];
                af.step(&mut wf[j], j, g, lr);
                project(&mut wf[j], signs[j]);
                grad_f[j] = 0.0;
            }
            ab.step(&mut bias, 0, grad_b, lr);
        }
    }
    (wt, wf, bias)
}
