//! Adapters to the data generators and importers, and the group-aware split.

use std::path::Path;

use crate::meta::Meta;
use crate::profile::Profile;

use super::config::DataConfig;
use super::data::{Part, Sample};
use super::TrainError;

/// Synthetic labelled profiles with their meta.
pub fn synthetic(_cfg: &DataConfig, _seed: u64) -> Vec<(Profile, Meta)> {
    eprintln!(
        "linkscreen: train: the synthetic generator is not in this build yet: no synthetic data"
    );
    Vec::new()
}

/// A public data set's records with their meta.
pub fn public(name: &str, _dir: &Path) -> Result<Vec<(Profile, Meta)>, TrainError> {
    eprintln!("linkscreen: train: public import is not in this build yet: skipping {name}");
    Ok(Vec::new())
}

/// Assigns train/validation/test by group, deterministically from the seed.
pub fn split(samples: &mut [Sample], ratios: [f64; 3], seed: u64) {
    for s in samples.iter_mut() {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325 ^ seed;
        for b in s.group.bytes() {
            h ^= b as u64;
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        let u = (h >> 11) as f64 / (1u64 << 53) as f64;
        s.part = if u < ratios[0] {
            Part::Train
        } else if u < ratios[0] + ratios[1] {
            Part::Val
        } else {
            Part::Test
        };
    }
}
