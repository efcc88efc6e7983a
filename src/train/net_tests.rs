//! Unit tests of the training network (`net.rs`).

use rand::SeedableRng;

use super::*;

const DIMS: Dims = Dims {
    rows: 30,
    dim: 4,
    hidden: 6,
    sections: 3,
    features: 2,
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
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let net = Net::new(&DIMS, seeded(vars, &mut rng, &Device::Cpu)).unwrap();
    let dev = &Device::Cpu;
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
    let vars = VarMap::new();
    let net = net(&vars);
    let ex = examples();
    let refs: Vec<&Example> = ex.iter().collect();
    let batch = Batch::eval(&refs, &DIMS, &Device::Cpu).unwrap();
    let trained = net
        .forward_t(&batch, false)
        .unwrap()
        .to_vec1::<f32>()
        .unwrap();
    let w = weights(&vars, DIMS).unwrap();
    assert_eq!(w.b2, 0.3);
    for (e, z) in ex.iter().zip(&trained) {
        let scored = w.forward(w.input(&e.ids, &e.features)).logit;
        assert!((scored - z).abs() < 1e-5, "scored {scored}, trained {z}");
    }
    // The logits are not all alike, so the comparison says something.
    assert!((trained[0] - trained[1]).abs() > 1e-3, "{trained:?}");
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
