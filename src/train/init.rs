//! Seeded initialisation of training's variables: a `VarBuilder` backend over a `VarMap` that
//! draws each missing variable from the run's ChaCha generator, in the order the network asks
//! for them, so that a run is reproducible and its draws are those of a plain loop over the
//! weights (emb, w1, w2, then the pre-training head's; biases are constants and draw nothing).

use std::sync::Mutex;

use candle_core::{DType, Device, Shape, Tensor, Var};
use candle_nn::var_builder::SimpleBackend;
use candle_nn::{Init, VarBuilder, VarMap};
use rand::Rng;
use rand_chacha::ChaCha8Rng;

/// `n` draws of a centred normal by the Box-Muller transform, two uniform draws each.
fn normal(rng: &mut ChaCha8Rng, n: usize, std: f32) -> Vec<f32> {
    (0..n)
        .map(|_| {
            let u1: f32 = rng.random::<f32>().max(1e-7);
            let u2: f32 = rng.random::<f32>();
            std * (-2.0 * u1.ln()).sqrt() * (2.0 * std::f32::consts::PI * u2).cos()
        })
        .collect()
}

/// A `VarMap` whose missing variables are drawn from a seeded generator, in the order a
/// `VarBuilder` asks for them (see [`seeded`]).
struct SeededVars<'r> {
    vars: VarMap,
    rng: Mutex<&'r mut ChaCha8Rng>,
}

impl SimpleBackend for SeededVars<'_> {
    fn get(
        &self,
        shape: Shape,
        name: &str,
        init: Init,
        dtype: DType,
        dev: &Device,
    ) -> candle_core::Result<Tensor> {
        let mut vars = self
            .vars
            .data()
            .lock()
            .expect("the variable map is not poisoned");
        if let Some(v) = vars.get(name) {
            if v.shape() != &shape {
                candle_core::bail!("shape mismatch on {name}: {shape:?} <> {:?}", v.shape())
            }
            return Ok(v.as_tensor().clone());
        }
        if dtype != DType::F32 {
            candle_core::bail!("{name}: seeded variables are f32, not {dtype:?}")
        }
        let n = shape.elem_count();
        let data = match init {
            Init::Const(c) => vec![c as f32; n],
            // The standard deviation is given as an f32 widened to f64, so this is exact.
            Init::Randn { mean: 0.0, stdev } => {
                let mut rng = self.rng.lock().expect("the generator is not poisoned");
                normal(&mut rng, n, stdev as f32)
            }
            other => candle_core::bail!("{name}: no seeded draw for {other:?}"),
        };
        let var = Var::from_vec(data, shape, dev)?;
        let tensor = var.as_tensor().clone();
        vars.insert(name.to_owned(), var);
        Ok(tensor)
    }

    fn get_unchecked(&self, name: &str, _: DType, _: &Device) -> candle_core::Result<Tensor> {
        candle_core::bail!("{name}: seeded variables need a shape and an initialisation")
    }

    fn contains_tensor(&self, name: &str) -> bool {
        self.vars
            .data()
            .lock()
            .expect("the variable map is not poisoned")
            .contains_key(name)
    }
}

/// A `VarBuilder` over `vars` that draws each missing variable from `rng` (centred normals and
/// constants only), in the order they are asked for.
pub fn seeded<'r>(vars: &VarMap, rng: &'r mut ChaCha8Rng, device: &Device) -> VarBuilder<'r> {
    let backend = SeededVars {
        vars: vars.clone(),
        rng: Mutex::new(rng),
    };
    VarBuilder::from_backend(Box::new(backend), DType::F32, device.clone())
}

/// A centred normal initialisation with the standard deviation computed in `f32`.
pub fn randn(stdev: f32) -> Init {
    Init::Randn {
        mean: 0.0,
        stdev: stdev as f64,
    }
}
