//! Bench input shared by the benches: the hand-written example profiles, repeated with fresh
//! ids to the size a bench needs.

use std::path::PathBuf;
use std::time::Duration;

use criterion::Criterion;

use linkscreen::profile::Profile;

/// The example file every bench reads.
pub fn examples_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("datasets/examples/profiles.jsonl")
}

/// The examples, parsed.
pub fn examples() -> Vec<Profile> {
    let loaded = linkscreen::profile::load(&examples_path()).expect("the example file is readable");
    assert!(!loaded.profiles.is_empty(), "the example file has profiles");
    loaded.profiles.into_iter().map(|(_, p)| p).collect()
}

/// `n` profiles cycling through the examples, each with its own id.
pub fn profiles(n: usize) -> Vec<Profile> {
    let base = examples();
    (0..n)
        .map(|i| {
            let mut p = base[i % base.len()].clone();
            p.id = format!("bench-{i}");
            p
        })
        .collect()
}

/// The same profiles as JSON Lines text.
#[allow(dead_code)] // Not every bench reads raw lines.
pub fn jsonl(n: usize) -> Vec<u8> {
    let mut out = Vec::new();
    for p in profiles(n) {
        out.extend_from_slice(p.to_json_line().as_bytes());
        out.push(b'\n');
    }
    out
}

/// Short runs, so the whole suite takes a few minutes on 2 cores: read the figures to about
/// ±10%.
pub fn config() -> Criterion {
    Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_millis(500))
        .measurement_time(Duration::from_secs(2))
}
