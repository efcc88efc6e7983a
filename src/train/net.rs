//! The network as candle variables for training (the same maths as `crate::model::net`, which
//! scores with the trained weights). Dropout masks and initial weights come from a seeded
//! ChaCha generator, so a run is reproducible.

use candle_core::{DType, Device, Tensor, Var};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

use crate::model::Weights;

/// One encoded training example: ids per section, standardised features, label and weight.
#[derive(Debug, Clone)]
pub struct Example {
    pub ids: Vec<Vec<u32>>,
    pub features: Vec<f32>,
    pub target: f32,
    pub weight: f32,
}

pub struct Net {
    pub dim: usize,
    pub hidden: usize,
    pub sections: usize,
    pub features: usize,
    pub emb: Var,
    pub w1: Var,
    pub b1: Var,
    pub w2: Var,
    pub b2: Var,
    /// The text-only head of the pre-training stage.
    pub wt: Var,
    pub bt: Var,
    device: Device,
}

/// Regularisation applied while building a training batch.
#[derive(Debug, Clone, Copy, Default)]
pub struct Noise {
    pub dropout: f32,
    pub token_dropout: f32,
    pub section_dropout: f32,
}

pub struct Batch {
    ids: Tensor,
    seg: Tensor,
    wts: Tensor,
    tokens: usize,
    /// Mask over the inputs (section dropout), `B x In`.
    mask: Tensor,
    presence: Tensor,
    feats: Tensor,
    hidden_mask: Option<Tensor>,
    pub target: Tensor,
    pub weight: Tensor,
    pub size: usize,
}

fn normal(rng: &mut ChaCha8Rng, n: usize, std: f32) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let u1: f32 = rng.random::<f32>().max(1e-7);
            let u2: f32 = rng.random::<f32>();
            std * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
        })
        .collect()
}

impl Net {
    pub fn new(
        rows: usize,
        dim: usize,
        hidden: usize,
        sections: usize,
        features: usize,
        rng: &mut ChaCha8Rng,
        device: &Device,
    ) -> candle_core::Result<Net> {
        let inputs = sections * dim + sections + features;
        let var =
            |v: Vec<f32>, shape: &[usize]| Var::from_tensor(&Tensor::from_vec(v, shape, device)?);
        let text_in = sections * dim + sections;
        Ok(Net {
            dim,
            hidden,
            sections,
            features,
            emb: var(normal(rng, rows * dim, 0.1), &[rows, dim])?,
            w1: var(
                normal(rng, hidden * inputs, (2.0 / inputs as f32).sqrt()),
                &[hidden, inputs],
            )?,
            b1: var(vec![0.0; hidden], &[hidden])?,
            w2: var(
                normal(rng, hidden, (1.0 / hidden as f32).sqrt()),
                &[1, hidden],
            )?,
            b2: var(vec![0.0], &[1])?,
            wt: var(
                normal(rng, text_in, (1.0 / text_in as f32).sqrt()),
                &[1, text_in],
            )?,
            bt: var(vec![0.0], &[1])?,
            device: device.clone(),
        })
    }

    pub fn inputs(&self) -> usize {
        self.sections * self.dim + self.sections + self.features
    }

    /// Builds a batch; `noise` and `rng` only when training.
    pub fn batch(
        &self,
        items: &[&Example],
        noise: Noise,
        rng: Option<&mut ChaCha8Rng>,
    ) -> candle_core::Result<Batch> {
        let (b, s, d) = (items.len(), self.sections, self.dim);
        let mut rng = rng;
        let (mut ids, mut seg, mut wts) = (Vec::new(), Vec::new(), Vec::new());
        let mut presence = vec![0f32; b * s];
        let mut mask = vec![1f32; b * self.inputs()];
        let mut feats = Vec::with_capacity(b * self.features);
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
                    let row = &mut mask[i * self.inputs()..(i + 1) * self.inputs()];
                    row[j * d..(j + 1) * d].iter_mut().for_each(|m| *m = 0.0);
                }
                if kept.is_empty() {
                    continue;
                }
                presence[i * s + j] = 1.0;
                let w = 1.0 / kept.len() as f32;
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
                let m: Vec<f32> = (0..b * self.hidden)
                    .map(|_| {
                        if r.random::<f32>() < noise.dropout {
                            0.0
                        } else {
                            keep
                        }
                    })
                    .collect();
                Some(Tensor::from_vec(m, (b, self.hidden), &self.device)?)
            }
            _ => None,
        };
        let dev = &self.device;
        let tokens = ids.len();
        let target: Vec<f32> = items.iter().map(|e| e.target).collect();
        let weight: Vec<f32> = items.iter().map(|e| e.weight).collect();
        Ok(Batch {
            ids: Tensor::from_vec(ids, tokens, dev)?,
            seg: Tensor::from_vec(seg, tokens, dev)?,
            wts: Tensor::from_vec(wts, (tokens, 1), dev)?,
            tokens,
            mask: Tensor::from_vec(mask, (b, self.inputs()), dev)?,
            presence: Tensor::from_vec(presence, (b, s), dev)?,
            feats: Tensor::from_vec(feats, (b, self.features), dev)?,
            hidden_mask,
            target: Tensor::from_vec(target, b, dev)?,
            weight: Tensor::from_vec(weight, b, dev)?,
            size: b,
        })
    }

    fn pooled(&self, b: &Batch) -> candle_core::Result<Tensor> {
        let zeros = Tensor::zeros((b.size * self.sections, self.dim), DType::F32, &self.device)?;
        let pooled = if b.tokens == 0 {
            zeros
        } else {
            let e = self
                .emb
                .as_tensor()
                .index_select(&b.ids, 0)?
                .broadcast_mul(&b.wts)?;
            zeros.index_add(&b.seg, &e, 0)?
        };
        pooled.reshape((b.size, self.sections * self.dim))
    }

    /// Logits of the full model, `B`.
    pub fn logits(&self, b: &Batch) -> candle_core::Result<Tensor> {
        let x = Tensor::cat(&[self.pooled(b)?, b.presence.clone(), b.feats.clone()], 1)?;
        let x = x.mul(&b.mask)?;
        let h = x
            .matmul(&self.w1.as_tensor().t()?)?
            .broadcast_add(self.b1.as_tensor())?
            .relu()?;
        let h = match &b.hidden_mask {
            Some(m) => h.mul(m)?,
            None => h,
        };
        h.matmul(&self.w2.as_tensor().t()?)?
            .broadcast_add(self.b2.as_tensor())?
            .squeeze(1)
    }

    /// Logits of the text-only pre-training head, `B`.
    pub fn text_logits(&self, b: &Batch) -> candle_core::Result<Tensor> {
        let text_in = self.sections * self.dim + self.sections;
        let x = Tensor::cat(&[self.pooled(b)?, b.presence.clone()], 1)?;
        let x = x.mul(&b.mask.narrow(1, 0, text_in)?)?;
        x.matmul(&self.wt.as_tensor().t()?)?
            .broadcast_add(self.bt.as_tensor())?
            .squeeze(1)
    }

    /// The trained weights for the scoring path.
    pub fn weights(&self) -> candle_core::Result<Weights> {
        let v = |t: &Var| t.as_tensor().flatten_all()?.to_vec1::<f32>();
        Ok(Weights {
            dim: self.dim,
            hidden: self.hidden,
            sections: self.sections,
            features: self.features,
            emb: v(&self.emb)?,
            w1: v(&self.w1)?,
            b1: v(&self.b1)?,
            w2: v(&self.w2)?,
            b2: v(&self.b2)?[0],
        })
    }

    /// Restores weights saved with [`Net::weights`] (early stopping keeps the best epoch).
    pub fn restore(&self, w: &Weights) -> candle_core::Result<()> {
        let dev = &self.device;
        self.emb
            .set(&Tensor::from_slice(&w.emb, self.emb.shape(), dev)?)?;
        self.w1
            .set(&Tensor::from_slice(&w.w1, self.w1.shape(), dev)?)?;
        self.b1
            .set(&Tensor::from_slice(&w.b1, self.b1.shape(), dev)?)?;
        self.w2
            .set(&Tensor::from_slice(&w.w2, self.w2.shape(), dev)?)?;
        self.b2
            .set(&Tensor::from_slice(&[w.b2], self.b2.shape(), dev)?)?;
        Ok(())
    }
}

/// Weighted binary cross-entropy with logits, averaged: `w * (max(z,0) - z*y + ln(1+e^-|z|))`.
pub fn bce(logits: &Tensor, target: &Tensor, weight: &Tensor) -> candle_core::Result<Tensor> {
    let softplus = logits
        .relu()?
        .add(&logits.abs()?.neg()?.exp()?.affine(1.0, 1.0)?.log()?)?;
    let l = softplus.sub(&logits.mul(target)?)?.mul(weight)?;
    l.sum_all()?
        .affine(1.0 / weight.dims1()?.max(1) as f64, 0.0)
}
