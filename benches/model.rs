//! Throughput of the model engine: encoding (normalisation, tokenisation, features),
//! tokenisation alone, scoring at batch sizes 1, 64 and 1024, the hybrid engine, cold start
//! (load and verify the embedded model, then score one profile), and a complete tiny training
//! run. The figures describe the
//! model that ships in `models/default/` when the bench is built. Run with `cargo bench --bench
//! model`; `scripts/bench.sh` runs every bench and rebuilds `benches/RESULTS.md`.

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use linkscreen::hybrid::{Hybrid, HybridParams};
use linkscreen::model::Classifier;
use linkscreen::rules::RuleSet;
use linkscreen::score::Scorer;

mod common;

fn model() -> Classifier {
    Classifier::embedded().expect("the embedded model loads")
}

fn encode(c: &mut Criterion) {
    let m = model();
    let profiles = common::profiles(1000);
    let mut g = c.benchmark_group("model_encode");
    g.throughput(Throughput::Elements(profiles.len() as u64));
    g.bench_function("encode", |b| {
        b.iter(|| {
            for p in &profiles {
                black_box(m.encoder().encode(p));
            }
        })
    });
    g.finish();
}

/// Tokenisation alone: WordPiece ids and hashed bigrams of the already normalised section texts.
fn tokenize(c: &mut Criterion) {
    let m = model();
    let texts: Vec<String> = common::profiles(1000)
        .iter()
        .flat_map(|p| linkscreen::model::TextEncoder::section_texts(p, false).0)
        .collect();
    let mut g = c.benchmark_group("tokenize");
    g.throughput(Throughput::Elements(1000));
    g.bench_function("sections_of_1000_profiles", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(m.encoder().with_bigrams(m.encoder().token_ids(t).0));
            }
        })
    });
    g.finish();
}

fn score(c: &mut Criterion) {
    let m = model();
    let hybrid = Hybrid::new(
        Box::new(model()),
        RuleSet::default_rules(),
        HybridParams::DEFAULT,
    );
    let profiles = common::profiles(1024);
    let mut g = c.benchmark_group("model_score");
    for batch in [1usize, 64, 1024] {
        g.throughput(Throughput::Elements(batch as u64));
        g.bench_with_input(BenchmarkId::new("batch", batch), &batch, |b, &n| {
            b.iter(|| black_box(m.score_batch(&profiles[..n]).expect("scoring works")))
        });
    }
    g.throughput(Throughput::Elements(1024));
    g.bench_function("hybrid_batch_1024", |b| {
        b.iter(|| black_box(hybrid.score_batch(&profiles).expect("scoring works")))
    });
    g.finish();
}

fn cold_start(c: &mut Criterion) {
    let one = common::profiles(1);
    let mut g = c.benchmark_group("cold_start");
    g.bench_function("load_embedded_and_score_one", |b| {
        b.iter(|| {
            let m = model();
            black_box(m.score_batch(&one).expect("scoring works"))
        })
    });
    g.finish();
}

/// A complete training run on a tiny configuration (synthetic data only): data generation,
/// tokenizer, encoding, pre-training, fine-tuning and calibration.
fn train(c: &mut Criterion) {
    let cfg = linkscreen::train::config::TrainConfig::parse(
        r#"
seed = 3
[data]
synthetic = 300
split = [0.6, 0.2, 0.2]
[model]
vocab_size = 500
buckets = 1024
dim = 8
hidden = 8
max_tokens = 64
rule_features = true
[pretrain]
epochs = 1
batch = 32
lr = 0.01
[finetune]
epochs = 2
batch = 32
lr = 0.01
weight_decay = 0.0001
dropout = 0.1
token_dropout = 0.1
section_dropout = 0.1
patience = 5
[calibration]
review_fpr = 0.05
fake_fpr = 0.01
"#,
    )
    .expect("the bench training configuration parses");
    let device = candle_core::Device::Cpu;
    let mut g = c.benchmark_group("train");
    g.sample_size(10);
    g.bench_function("tiny_run_300_profiles_3_epochs", |b| {
        b.iter(|| {
            black_box(
                linkscreen::train::train(&cfg, &device, &linkscreen::train::Silent)
                    .expect("training works")
                    .epochs
                    .len(),
            )
        })
    });
    g.finish();
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = encode, tokenize, score, cold_start, train
}
criterion_main!(benches);
