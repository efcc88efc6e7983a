//! Throughput of the engine-independent stages and the rule engine: parsing JSON Lines,
//! normalising text, and scoring with the shipped rules. Run with `cargo bench --bench
//! pipeline`; `scripts/bench.sh` runs every bench and rebuilds `benches/RESULTS.md`.

use std::collections::BTreeSet;

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use linkscreen::profile::{parse_line, Entry, ProfileReader};
use linkscreen::rules::RuleSet;
use linkscreen::score::Scorer;

mod common;

const N: usize = 1000;

fn parse(c: &mut Criterion) {
    let text = common::jsonl(N);
    let lines: Vec<&[u8]> = text
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mut g = c.benchmark_group("parse");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("parse_line", |b| {
        b.iter(|| {
            let mut unknown = BTreeSet::new();
            for l in &lines {
                black_box(parse_line(l, &mut unknown).is_ok());
            }
        })
    });
    g.bench_function("reader", |b| {
        b.iter(|| {
            let reader = ProfileReader::new(std::io::Cursor::new(&text[..]));
            let n = reader
                .filter(|e| matches!(e, Ok(Entry::Profile { .. })))
                .count();
            assert_eq!(n, N);
        })
    });
    g.finish();
}

fn normalize(c: &mut Criterion) {
    let profiles = common::profiles(N);
    let texts: Vec<String> = profiles
        .iter()
        .flat_map(|p| p.texts().into_iter().map(|(_, t)| t.to_owned()))
        .collect();
    let mut g = c.benchmark_group("normalize");
    // Counted per profile, so the figure compares with the others.
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("all_texts", |b| {
        b.iter(|| {
            for t in &texts {
                black_box(linkscreen::normalize::normalize(t));
            }
        })
    });
    g.finish();
}

fn rules(c: &mut Criterion) {
    let profiles = common::profiles(N);
    let rules = RuleSet::default_rules();
    let mut g = c.benchmark_group("rules");
    g.throughput(Throughput::Elements(N as u64));
    g.bench_function("score_batch", |b| {
        b.iter(|| black_box(rules.score_batch(&profiles).expect("rules never fail")))
    });
    g.finish();
    // Compiling is counted per rule set, not per profile, so it has its own group.
    c.bench_function("rules_compile/default", |b| b.iter(RuleSet::default_rules));
}

criterion_group! {
    name = benches;
    config = common::config();
    targets = parse, normalize, rules
}
criterion_main!(benches);
