//! Training batches: encoded examples gathered into the tensors [`super::net::Net`] reads, with
//! the regularisation noise (section, token and hidden dropout) drawn from the run's seeded
//! generator in a fixed order, so that a run is reproducible.

use candle_core::{Device, Tensor};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::Dims;

/// One encoded training example: ids per section, standardised features, label and weight.
#[derive(Debug, Clone)]
pub struct Example {
    pub ids: Vec<Vec<u32>>,
    pub features: Vec<f32>,
    pub target: f32,
    pub weight: f32,
}

/// Regularisation applied while building a training batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Noise {
    pub dropout: f32,
    pub token_dropout: f32,
    pub section_dropout: f32,
}

pub struct Batch {
    pub(super) ids: Tensor,
    pub(super) seg: Tensor,
    pub(super) wts: Tensor,
    pub(super) tokens: usize,
    /// Mask over the inputs (section dropout), `B x In`.
    pub(super) mask: Tensor,
    pub(super) presence: Tensor,
    pub(super) feats: Tensor,
    /// The hidden layer's dropout mask, already scaled (training batches only).
    pub(super) hidden_mask: Option<Tensor>,
    pub target: Tensor,
    pub weight: Tensor,
    pub size: usize,
}

impl Batch {
    /// A batch as it is scored: no noise.
    pub fn eval(items: &[&Example], dims: &Dims, dev: &Device) -> candle_core::Result<Batch> {
        Batch::build(items, dims, Noise::default(), None, dev)
    }

    /// A training batch: section and token dropout on its inputs, then the hidden layer's
    /// dropout mask, drawn from `rng` in that order.
    pub fn train(
        items: &[&Example],
        dims: &Dims,
        noise: Noise,
        rng: &mut ChaCha8Rng,
        dev: &Device,
    ) -> candle_core::Result<Batch> {
        Batch::build(items, dims, noise, Some(rng), dev)
    }

    fn build(
        items: &[&Example],
        dims: &Dims,
        noise: Noise,
        mut rng: Option<&mut ChaCha8Rng>,
        dev: &Device,
    ) -> candle_core::Result<Batch> {
        let (b, s, d, inputs) = (items.len(), dims.sections, dims.dim, dims.inputs());
        let (mut ids, mut seg, mut wts) = (Vec::new(), Vec::new(), Vec::new());
        let mut presence = vec![0f32; b * s];
        let mut mask = vec![1f32; b * inputs];
        let mut feats = Vec::with_capacity(b * dims.features);
        for (i, ex) in items.iter().enumerate() {
            for (j, sec) in ex.ids.iter().enumerate().take(s) {
                let drop_section = match rng.as_deref_mut() {
                    Some(r) if noise.section_dropout > 0.0 => {
                        r.random::<f32>() < noise.section_dropout
                    }
                    _ => false,
                };
                let kept: Vec<u32> = match rng.as_deref_mut() {
                    Some(r) if noise.token_dropout > 0.0 && !drop_section => sec
                        .iter()
                        .copied()
                        .filter(|_| r.random::<f32>() >= noise.token_dropout)
                        .collect(),
                    _ if drop_section => Vec::new(),
                    _ => sec.clone(),
                };
                if drop_section {
                    let row = &mut mask[i * inputs..(i + 1) * inputs];
                    row[j * d..(j + 1) * d].iter_mut().for_each(|m| *m = 0.0);
                }
                if kept.is_empty() {
                    continue;
                }
                presence[i * s + j] = 1.0;
                let w = dims.pooling.weight(kept.len());
                for id in kept {
                    ids.push(id);
                    seg.push((i * s + j) as u32);
                    wts.push(w);
                }
            }
            feats.extend_from_slice(&ex.features);
        }
        let hidden_mask = match rng {
            Some(r) if noise.dropout > 0.0 => {
                let keep = 1.0 / (1.0 - noise.dropout);
                let m: Vec<f32> = (0..b * dims.hidden)
                    .map(|_| {
                        if r.random::<f32>() < noise.dropout {
                            0.0
                        } else {
                            keep
                        }
                    })
                    .collect();
                Some(Tensor::from_vec(m, (b, dims.hidden), dev)?)
            }
            _ => None,
        };
        let tokens = ids.len();
        let target: Vec<f32> = items.iter().map(|e| e.target).collect();
        let weight: Vec<f32> = items.iter().map(|e| e.weight).collect();
        Ok(Batch {
            ids: Tensor::from_vec(ids, tokens, dev)?,
            seg: Tensor::from_vec(seg, tokens, dev)?,
            wts: Tensor::from_vec(wts, (tokens, 1), dev)?,
            tokens,
            mask: Tensor::from_vec(mask, (b, inputs), dev)?,
            presence: Tensor::from_vec(presence, (b, s), dev)?,
            feats: Tensor::from_vec(feats, (b, dims.features), dev)?,
            hidden_mask,
            target: Tensor::from_vec(target, b, dev)?,
            weight: Tensor::from_vec(weight, b, dev)?,
            size: b,
        })
    }
}
