//! Adapters to the synthetic generator and the public-data importers.

use std::path::Path;

use crate::datasets::{self, PublicFormat};
use crate::meta::Meta;
use crate::profile::Profile;
use crate::synth::{self, SynthConfig};

use super::config::DataConfig;
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
pub fn public(
    name: &str,
    dir: &Path,
    progress: &dyn super::Progress,
) -> Result<Vec<(Profile, Meta)>, TrainError> {
    let format: PublicFormat = name.parse().map_err(TrainError::Config)?;
    let imported = datasets::import(format, dir).map_err(|e| TrainError::Data(e.to_string()))?;
    progress.note(&format!(
        "{name}: {} records ({} rows skipped, {} duplicates dropped)",
        imported.records.len(),
        imported.rejected.len(),
        imported.duplicates
    ));
    Ok(imported.records)
}
