//! The network as candle variables for training: the same maths as `crate::model::net`, which
//! scores with the trained weights (a test checks that both give the same logits).
//!
//! Built the candle way: [`Net::new`] asks a `VarBuilder` for each variable by its name (the
//! names of `model.safetensors`, `crate::model::net::EMB` and the others; the pre-training
//! head's under `text.`), and `super::init::seeded` gives the builder whose missing variables
//! are drawn from the run's seeded ChaCha generator in the order they are asked for, so a run
//! is reproducible. The variables live in a `VarMap`, from which [`weights`] reads the trained
//! weights by the same names. With idf pooling, the idf of each embedding row is a variable
//! too ([`IDF`]), which no stage trains: `super::neural` sets it from the training records.
//! Dropout masks are drawn from the same generator when a training batch is built
//! ([`Batch::train`], in `super::batch`).

use candle_core::{DType, Device, Tensor, Var};
use candle_nn::{Init, VarBuilder, VarMap};

use super::batch::Batch;
use super::init::randn;
use crate::model::net::{Pooling, B1, B2, EMB, IDF, W1, W2, WIDE};
use crate::model::{Dims, Weights};

/// Which head the network's logits come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Head {
    /// A linear layer on the text part of the input only (pre-training the text encoder).
    Text,
    /// The whole model: every input through `Linear -> ReLU -> Linear` (the scored network).
    Full,
}

pub struct Net {
    dims: Dims,
    /// The head [`Net::forward_t`] uses and [`Net::vars`] trains.
    head: Head,
    emb: Tensor,
    w1: Tensor,
    b1: Tensor,
    w2: Tensor,
    b2: Tensor,
    /// The text-only head of the pre-training stage.
    text_w: Tensor,
    text_b: Tensor,
    /// Each embedding row's idf, with idf pooling only.
    idf: Option<Tensor>,
    /// Each row's wide weight (`rows x 1`), with a wide part only.
    wide: Option<Tensor>,
    device: Device,
}

/// The weights of the scored network, read from training's variables by name.
pub fn weights(vars: &VarMap, dims: Dims) -> candle_core::Result<Weights> {
    let data = vars
        .data()
        .lock()
        .expect("the variable map is not poisoned");
    Weights::from_named(dims, |name| match data.get(name) {
        Some(v) => v.as_tensor().flatten_all()?.to_vec1::<f32>(),
        None => candle_core::bail!("no variable {name}"),
    })
}

impl Net {
    /// The network's variables from `vb`, asked for in a fixed order (a seeded builder draws
    /// them in that order); the full head is selected.
    pub fn new(dims: &Dims, vb: VarBuilder) -> candle_core::Result<Net> {
        let (rows, dim, hidden) = (dims.rows, dims.dim, dims.hidden);
        let (inputs, text_in) = (dims.inputs(), dims.text_inputs());
        let zero = Init::Const(0.0);
        let emb = vb.get_with_hints((rows, dim), EMB, randn(0.1))?;
        let w1 = vb.get_with_hints((hidden, inputs), W1, randn((2.0 / inputs as f32).sqrt()))?;
        let b1 = vb.get_with_hints(hidden, B1, zero)?;
        let w2 = vb.get_with_hints((1, hidden), W2, randn((1.0 / hidden as f32).sqrt()))?;
        let b2 = vb.get_with_hints(1, B2, zero)?;
        let text = vb.pp("text");
        let text_w =
            text.get_with_hints((1, text_in), "w", randn((1.0 / text_in as f32).sqrt()))?;
        let text_b = text.get_with_hints(1, "b", zero)?;
        // A constant draws nothing, so the other variables are drawn as without it.
        let idf = match dims.pooling {
            Pooling::Idf => Some(vb.get_with_hints(rows, IDF, Init::Const(1.0))?),
            _ => None,
        };
        // The wide part starts at zero: the network starts as without it.
        let wide = match dims.wide {
            true => Some(vb.get_with_hints((rows, 1), WIDE, zero)?),
            false => None,
        };
        Ok(Net {
            dims: *dims,
            head: Head::Full,
            emb,
            w1,
            b1,
            w2,
            b2,
            text_w,
            text_b,
            idf,
            wide,
            device: vb.device().clone(),
        })
    }

    pub fn dims(&self) -> &Dims {
        &self.dims
    }

    pub fn device(&self) -> &Device {
        &self.device
    }

    /// Selects the head.
    pub fn set_head(&mut self, head: Head) {
        self.head = head;
    }

    /// The variables a stage with the selected head trains: the embeddings and that head's.
    pub fn vars(&self) -> candle_core::Result<Vec<Var>> {
        let mut tensors = match self.head {
            Head::Text => vec![&self.emb, &self.text_w, &self.text_b],
            Head::Full => vec![&self.emb, &self.w1, &self.b1, &self.w2, &self.b2],
        };
        if let (Head::Full, Some(wide)) = (self.head, &self.wide) {
            tensors.push(wide);
        }
        tensors.into_iter().map(Var::from_tensor).collect()
    }

    /// A copy of the values of the variables [`Net::vars`] returns, to go back to
    /// ([`Snapshot::restore`]; early stopping keeps the best epoch).
    pub fn snapshot(&self) -> candle_core::Result<Snapshot> {
        let vars = self.vars()?;
        let values = vars
            .iter()
            .map(|v| Ok(v.as_tensor().copy()?.detach()))
            .collect::<candle_core::Result<_>>()?;
        Ok(Snapshot { vars, values })
    }

    /// The rows of `table` named by the batch's ids pooled per section, `(B x S) x width`.
    fn pool(&self, table: &Tensor, b: &Batch) -> candle_core::Result<Tensor> {
        let width = table.dim(1)?;
        let zeros = Tensor::zeros(
            (b.size * self.dims.sections, width),
            DType::F32,
            &self.device,
        )?;
        if b.tokens == 0 {
            return Ok(zeros);
        }
        let e = table.index_select(&b.ids, 0)?.broadcast_mul(&b.wts)?;
        match &self.idf {
            None => zeros.index_add(&b.seg, &e, 0),
            // Each row weighs its id's idf (fixed: no gradient flows into it), and each
            // section's sum is divided by the sum of its ids' idfs; an empty section's sum
            // stays zero.
            Some(idf) => {
                let w = idf.detach().index_select(&b.ids, 0)?.unsqueeze(1)?;
                let sums = zeros.index_add(&b.seg, &e.broadcast_mul(&w)?, 0)?;
                let norm =
                    Tensor::zeros((b.size * self.dims.sections, 1), DType::F32, &self.device)?
                        .index_add(&b.seg, &w, 0)?
                        .maximum(1e-12)?;
                sums.broadcast_div(&norm)
            }
        }
    }

    fn pooled(&self, b: &Batch) -> candle_core::Result<Tensor> {
        let (sections, dim) = (self.dims.sections, self.dims.dim);
        self.pool(&self.emb, b)?.reshape((b.size, sections * dim))
    }

    /// The logits of the selected head, `B`; `train` applies the batch's dropout mask.
    pub fn forward_t(&self, b: &Batch, train: bool) -> candle_core::Result<Tensor> {
        match self.head {
            Head::Text => {
                let x = Tensor::cat(&[self.pooled(b)?, b.presence.clone()], 1)?;
                let x = x.mul(&b.mask.narrow(1, 0, self.dims.text_inputs())?)?;
                x.matmul(&self.text_w.t()?)?
                    .broadcast_add(&self.text_b)?
                    .squeeze(1)
            }
            Head::Full => {
                let x = Tensor::cat(&[self.pooled(b)?, b.presence.clone(), b.feats.clone()], 1)?;
                let x = x.mul(&b.mask)?;
                let h = x.matmul(&self.w1.t()?)?.broadcast_add(&self.b1)?.relu()?;
                let h = match (&b.hidden_mask, train) {
                    (Some(m), true) => h.mul(m)?,
                    _ => h,
                };
                let logits = h
                    .matmul(&self.w2.t()?)?
                    .broadcast_add(&self.b2)?
                    .squeeze(1)?;
                match &self.wide {
                    // Each section's pooled wide weight, summed over the sections (a section
                    // that section dropout removed has no ids in the batch, so none).
                    Some(wide) => logits.add(
                        &self
                            .pool(wide, b)?
                            .reshape((b.size, self.dims.sections))?
                            .sum(1)?,
                    ),
                    None => Ok(logits),
                }
            }
        }
    }
}

/// Values of some variables, kept to be restored.
pub struct Snapshot {
    vars: Vec<Var>,
    values: Vec<Tensor>,
}

impl Snapshot {
    /// Sets the variables back to the kept values.
    pub fn restore(&self) -> candle_core::Result<()> {
        for (var, value) in self.vars.iter().zip(&self.values) {
            var.set(value)?;
        }
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

#[cfg(test)]
mod tests {
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;

    use super::*;
    use crate::train::batch::{Example, Noise};
    use crate::train::init::seeded;

    const DIMS: Dims = Dims {
        rows: 30,
        dim: 4,
        hidden: 6,
        sections: 3,
        features: 2,
        pooling: Pooling::Mean,
        wide: false,
    };

    fn examples() -> Vec<Example> {
        let ex = |ids: Vec<Vec<u32>>, features: Vec<f32>| Example {
            ids,
            features,
            target: 1.0,
            weight: 1.0,
        };
        vec![
            ex(vec![vec![1, 2, 3], vec![], vec![29, 0]], vec![0.5, -1.0]),
            ex(vec![vec![], vec![], vec![]], vec![0.0, 2.0]),
            ex(vec![vec![7], vec![7, 7, 8], vec![]], vec![-3.0, 0.25]),
        ]
    }

    /// A seeded network whose biases are not zero, so that they are compared too.
    fn net(vars: &VarMap) -> Net {
        net_with(vars, DIMS)
    }

    fn net_with(vars: &VarMap, dims: Dims) -> Net {
        let mut rng = ChaCha8Rng::seed_from_u64(5);
        let net = Net::new(&dims, seeded(vars, &mut rng, &Device::Cpu)).unwrap();
        let dev = &Device::Cpu;
        if dims.pooling == Pooling::Idf {
            // Unequal idfs, so that a plain mean would not pass for idf pooling.
            let idf: Vec<f32> = (0..dims.rows).map(|r| 1.0 + (r % 7) as f32 * 0.5).collect();
            vars.clone()
                .set_one(IDF, Tensor::from_vec(idf, dims.rows, dev).unwrap())
                .unwrap();
        }
        if dims.wide {
            // Weights that differ by row (they start at zero).
            let wide: Vec<f32> = (0..dims.rows).map(|r| (r % 5) as f32 * 0.3 - 0.6).collect();
            vars.clone()
                .set_one(WIDE, Tensor::from_vec(wide, (dims.rows, 1), dev).unwrap())
                .unwrap();
        }
        let b1: Vec<f32> = (0..DIMS.hidden).map(|h| 0.1 * h as f32 - 0.2).collect();
        let mut vars = vars.clone();
        vars.set_one(B1, Tensor::from_vec(b1, DIMS.hidden, dev).unwrap())
            .unwrap();
        vars.set_one(B2, Tensor::new(&[0.3f32], dev).unwrap())
            .unwrap();
        net
    }

    #[test]
    fn the_scoring_forward_pass_equals_the_training_one_on_the_same_weights() {
        let variants = [Pooling::Mean, Pooling::Sum, Pooling::Sqrt, Pooling::Idf]
            .into_iter()
            .map(|pooling| (pooling, false))
            .chain([(Pooling::Mean, true), (Pooling::Idf, true)]);
        for (pooling, wide) in variants {
            let dims = Dims {
                pooling,
                wide,
                ..DIMS
            };
            let vars = VarMap::new();
            let net = net_with(&vars, dims);
            let ex = examples();
            let refs: Vec<&Example> = ex.iter().collect();
            let batch = Batch::eval(&refs, &dims, &Device::Cpu).unwrap();
            let trained = net
                .forward_t(&batch, false)
                .unwrap()
                .to_vec1::<f32>()
                .unwrap();
            let w = weights(&vars, dims).unwrap();
            assert_eq!(w.b2, 0.3);
            assert_eq!(w.idf.len(), if pooling == Pooling::Idf { 30 } else { 0 });
            assert_eq!(w.wide.len(), if wide { 30 } else { 0 });
            for (e, z) in ex.iter().zip(&trained) {
                let scored = w.forward(&e.ids, &e.features).logit;
                assert!(
                    (scored - z).abs() < 1e-5,
                    "{pooling:?}: scored {scored}, trained {z}"
                );
            }
            // The logits are not all alike, so the comparison says something.
            assert!((trained[0] - trained[1]).abs() > 1e-3, "{trained:?}");
        }
    }

    #[test]
    fn variables_are_named_as_in_the_artifact_and_drawn_reproducibly() {
        let (a, b) = (VarMap::new(), VarMap::new());
        net(&a);
        net(&b);
        let mut names: Vec<String> = a.data().lock().unwrap().keys().cloned().collect();
        names.sort();
        assert_eq!(names, ["b1", "b2", "emb", "text.b", "text.w", "w1", "w2"]);
        assert_eq!(weights(&a, DIMS).unwrap(), weights(&b, DIMS).unwrap());
        // A second builder over the same map returns the existing variables, not new draws.
        let mut rng = ChaCha8Rng::seed_from_u64(99);
        let again = Net::new(&DIMS, seeded(&a, &mut rng, &Device::Cpu)).unwrap();
        let before = weights(&a, DIMS).unwrap();
        assert_eq!(again.emb.to_vec2::<f32>().unwrap().concat(), before.emb);
    }

    #[test]
    fn the_heads_train_their_own_variables_and_dropout_only_in_training() {
        let vars = VarMap::new();
        let mut net = net(&vars);
        assert_eq!(net.vars().unwrap().len(), 5);
        net.set_head(Head::Text);
        assert_eq!(net.vars().unwrap().len(), 3);
        net.set_head(Head::Full);
        let ex = examples();
        let refs: Vec<&Example> = ex.iter().collect();
        let noise = Noise {
            dropout: 0.5,
            ..Noise::default()
        };
        let mut rng = ChaCha8Rng::seed_from_u64(1);
        let batch = Batch::train(&refs, &DIMS, noise, &mut rng, &Device::Cpu).unwrap();
        let eval = net
            .forward_t(&batch, false)
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        let clean = Batch::eval(&refs, &DIMS, &Device::Cpu).unwrap();
        let want = net
            .forward_t(&clean, false)
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_eq!(eval, want);
        let dropped = net
            .forward_t(&batch, true)
            .unwrap()
            .to_vec1::<f32>()
            .unwrap();
        assert_ne!(dropped, want);
    }
}
