//! Adapters to the synthetic generator, the public-data importers and the group-aware,
//! near-duplicate-safe splitter.

use std::path::Path;

use crate::datasets::{self, PublicFormat, Split};
use crate::meta::Meta;
use crate::profile::Profile;
use crate::synth::{self, SynthConfig};

use super::config::DataConfig;
use super::data::{Part, Sample};
use super::TrainError;

/// Synthetic labelled profiles with their meta.
pub fn synthetic(cfg: &DataConfig, seed: u64) -> Vec<(Profile, Meta)> {
    let mut sc = SynthConfig {
        n: cfg.synthetic,
        seed,
        fake_share: cfg.synthetic_fake_share,
        ..SynthConfig::default()
    };
    if !cfg.synthetic_languages.is_empty() {
        sc.languages = cfg.synthetic_languages.clone();
    }
    synth::generate(&sc)
        .into_iter()
        .map(|s| (s.profile, s.meta))
        .collect()
}

/// A public data set's records with their meta (checksums verified by the importer).
pub fn public(name: &str, dir: &Path) -> Result<Vec<(Profile, Meta)>, TrainError> {
    let format: PublicFormat = name.parse().map_err(TrainError::Config)?;
    let imported = datasets::import(format, dir).map_err(|e| TrainError::Data(e.to_string()))?;
    eprintln!(
        "linkscreen: train: {name}: {} records ({} rows skipped, {} duplicates dropped)",
        imported.records.len(),
        imported.rejected.len(),
        imported.duplicates
    );
    Ok(imported.records)
}

/// Assigns train/validation/test by group and near-duplicate cluster, from the seed. Each
/// source is split on its own, so every source keeps the configured shares (one global split
/// let a source's large clusters push most of another source into one split). Near-duplicates
/// are therefore only kept together within a source: the built-in sources are different
/// platforms or a generator, but extra labelled files that may share texts with each other
/// should be merged into one file before training. Records of author files stay in training.
pub fn split(samples: &mut [Sample], ratios: [f64; 3], seed: u64) {
    // Author files are never split: the leave-one-author-out evaluation holds each out whole.
    let mut sources: Vec<String> = samples
        .iter()
        .filter(|s| s.author.is_none())
        .map(|s| s.source.clone())
        .collect();
    sources.sort();
    sources.dedup();
    for source in sources {
        let members: Vec<usize> = (0..samples.len())
            .filter(|&i| samples[i].source == source)
            .collect();
        let profiles: Vec<Profile> = members
            .iter()
            .map(|&i| samples[i].profile.clone())
            .collect();
        let groups: Vec<String> = members.iter().map(|&i| samples[i].group.clone()).collect();
        let parts = datasets::assign_splits(&profiles, &groups, ratios, seed);
        for (&i, p) in members.iter().zip(parts) {
            samples[i].part = match p {
                Split::Train => Part::Train,
                Split::Validation => Part::Val,
                Split::Test => Part::Test,
            };
        }
    }
}
