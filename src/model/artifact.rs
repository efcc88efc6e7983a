//! The classifier's own files in a model artifact (`config.json`, `model.safetensors`,
//! `tokenizer.json`, `features.json`, `calibration.json`): parsed into a [`Classifier`] and
//! written from one. The artifact as a whole (its manifest, the other engines' files, reading
//! and writing directories) is `crate::artifact`'s.

use std::collections::{BTreeMap, HashMap};

use candle_core::{DType, Device, Tensor};

use super::config::{Calibration, FeatureStats, ModelConfig};
use super::net::{Dims, Pooling, Weights, IDF, WIDE};
use super::text::TextEncoder;
use super::{Classifier, ModelError};
use crate::rules::RuleSet;

/// An artifact's file contents by name.
pub type ArtifactFiles = BTreeMap<String, Vec<u8>>;

/// The files the classifier reads and writes.
pub const CLASSIFIER_FILES: [&str; 5] = [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "features.json",
    "calibration.json",
];

fn file_err(file: &str, reason: impl Into<String>) -> ModelError {
    ModelError::File {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

fn bytes<'a>(files: &'a ArtifactFiles, name: &str) -> Result<&'a [u8], ModelError> {
    files
        .get(name)
        .map(Vec::as_slice)
        .ok_or_else(|| file_err(name, "missing"))
}

fn json<T: serde::de::DeserializeOwned>(
    files: &ArtifactFiles,
    name: &str,
) -> Result<T, ModelError> {
    serde_json::from_slice(bytes(files, name)?).map_err(|e| file_err(name, e.to_string()))
}

fn tensor_vec(t: &HashMap<String, Tensor>, name: &str) -> Result<Vec<f32>, ModelError> {
    let bad = |r: String| file_err("model.safetensors", format!("tensor {name}: {r}"));
    t.get(name)
        .ok_or_else(|| bad("missing".into()))?
        .to_dtype(DType::F32)
        .and_then(|t| t.flatten_all())
        .and_then(|t| t.to_vec1::<f32>())
        .map_err(|e| bad(e.to_string()))
}

impl Classifier {
    /// Builds a classifier from its files in an artifact (verified by `crate::artifact`, which
    /// is the way to load one); other files are not read.
    pub fn from_files(files: &ArtifactFiles) -> Result<Classifier, ModelError> {
        let config: ModelConfig = json(files, "config.json")?;
        let stats: FeatureStats = json(files, "features.json")?;
        let calibration: Calibration = json(files, "calibration.json")?;
        let tokenizer = tokenizers::Tokenizer::from_bytes(bytes(files, "tokenizer.json")?)
            .map_err(|e| file_err("tokenizer.json", e.to_string()))?;
        let tensors =
            candle_core::safetensors::load_buffer(bytes(files, "model.safetensors")?, &Device::Cpu)
                .map_err(|e| file_err("model.safetensors", e.to_string()))?;
        let dims = Dims {
            rows: config.vocab + config.buckets,
            dim: config.dim,
            hidden: config.hidden,
            sections: config.sections.len(),
            features: stats.names.len(),
            pooling: config.pooling,
            wide: config.wide,
        };
        let weights = Weights::from_named(dims, |name| tensor_vec(&tensors, name))?;
        // One value per embedding row where the tensor is read; scoring indexes it by row.
        for (name, read, values) in [
            (IDF, config.pooling == Pooling::Idf, &weights.idf),
            (WIDE, config.wide, &weights.wide),
        ] {
            if read && values.len() != dims.rows {
                return Err(file_err(
                    "model.safetensors",
                    format!(
                        "tensor {name}: {} values for {} embedding rows",
                        values.len(),
                        dims.rows
                    ),
                ));
            }
        }
        let encoder = TextEncoder::new(
            tokenizer,
            config.vocab as u32,
            config.buckets as u32,
            config.max_tokens,
            config.rule_features.then(RuleSet::default_rules),
            config.strip_name_spans,
        );
        Classifier::new(config, encoder, weights, stats, calibration)
    }

    /// The classifier's files ([`CLASSIFIER_FILES`]).
    pub fn to_files(&self) -> Result<ArtifactFiles, ModelError> {
        let mut files = ArtifactFiles::new();
        let to_json = |v: &dyn erased::Json| v.pretty();
        files.insert("config.json".into(), to_json(&self.config));
        files.insert("features.json".into(), to_json(&self.stats));
        files.insert("calibration.json".into(), to_json(&self.calibration));
        let tok = self
            .encoder
            .tokenizer
            .to_string(false)
            .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
        files.insert("tokenizer.json".into(), tok.into_bytes());
        files.insert("model.safetensors".into(), self.weights_bytes()?);
        Ok(files)
    }

    /// The weights in the safetensors format.
    fn weights_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let named = self.weights.named();
        let tensors: Vec<(&str, &[f32], &[usize])> = named
            .iter()
            .map(|(name, data, shape)| (*name, *data, shape.as_slice()))
            .collect();
        Ok(safetensors_bytes(&tensors))
    }
}

/// F32 tensors in the safetensors format (little-endian, in the given order, which must be
/// sorted by name), written by hand so the bytes are deterministic and no extra dependency is
/// needed.
pub fn safetensors_bytes(tensors: &[(&str, &[f32], &[usize])]) -> Vec<u8> {
    let mut header = serde_json::Map::new();
    let mut offset = 0usize;
    for (name, data, shape) in tensors {
        let end = offset + data.len() * 4;
        header.insert(
            (*name).to_owned(),
            serde_json::json!({"dtype": "F32", "shape": shape, "data_offsets": [offset, end]}),
        );
        offset = end;
    }
    let mut h = serde_json::to_vec(&header).expect("a header serialises");
    while !h.len().is_multiple_of(8) {
        h.push(b' ');
    }
    let mut out = Vec::with_capacity(8 + h.len() + offset);
    out.extend_from_slice(&(h.len() as u64).to_le_bytes());
    out.extend_from_slice(&h);
    for (_, data, _) in tensors {
        for v in data.iter() {
            out.extend_from_slice(&v.to_le_bytes());
        }
    }
    out
}

/// Pretty JSON with a trailing newline for any serialisable value.
mod erased {
    pub trait Json {
        fn pretty(&self) -> Vec<u8>;
    }

    impl<T: serde::Serialize> Json for T {
        fn pretty(&self) -> Vec<u8> {
            let mut v = serde_json::to_vec_pretty(self).expect("model JSON serialises");
            v.push(b'\n');
            v
        }
    }
}
