//! The default model, compiled into the binary so a single copied executable works on an
//! air-gapped machine. Its files are verified against their manifest at load, like any other.

use crate::model::ArtifactFiles;

macro_rules! embed {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_bytes!(concat!("../../models/default/", $name)).as_slice())),*]
    };
}

const FILES: [(&str, &[u8]); 12] = embed!(
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "features.json",
    "calibration.json",
    "metrics.json",
    "MODEL_CARD.md",
    "hybrid.json",
    "linear.json",
    "linear.safetensors",
    "ensemble.json",
    "manifest.json",
);

/// The embedded default model's files.
pub fn files() -> ArtifactFiles {
    FILES
        .iter()
        .map(|(n, b)| ((*n).to_owned(), b.to_vec()))
        .collect()
}
