//! Model artifact directories: every file is listed in `manifest.json` with its SHA-256, which
//! is checked before anything is parsed; a mismatch or a missing file refuses the model and
//! names the file. The default model is embedded in the binary and verified the same way.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use candle_core::{DType, Device, Tensor};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::config::{Calibration, FeatureStats, ModelConfig};
use super::net::Weights;
use super::text::TextEncoder;
use super::{Classifier, ModelError};
use crate::hybrid::{HybridParams, HYBRID_FILE};
use crate::rules::RuleSet;

/// The files of an artifact besides `manifest.json`; all are required.
pub const ARTIFACT_FILES: [&str; 7] = [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "features.json",
    "calibration.json",
    "metrics.json",
    "MODEL_CARD.md",
];

/// The files the classifier parses itself; every other file the manifest lists (metrics, card,
/// the hybrid's and the linear engine's files) is verified and carried along in `extra`.
const PARSED_FILES: [&str; 5] = [
    "config.json",
    "model.safetensors",
    "tokenizer.json",
    "features.json",
    "calibration.json",
];

/// An artifact's file contents by name.
pub type ArtifactFiles = BTreeMap<String, Vec<u8>>;

#[derive(Debug, Serialize, Deserialize)]
struct Manifest {
    format_version: u32,
    /// File name to lower-case hex SHA-256.
    files: BTreeMap<String, String>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn file_err(file: &str, reason: impl Into<String>) -> ModelError {
    ModelError::File {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

fn integrity(file: &str, reason: impl Into<String>) -> ModelError {
    ModelError::Integrity {
        file: file.to_owned(),
        reason: reason.into(),
    }
}

/// Checks the files against the manifest (also given among them) and returns it.
fn verify(files: &ArtifactFiles) -> Result<Manifest, ModelError> {
    let raw = files
        .get("manifest.json")
        .ok_or_else(|| integrity("manifest.json", "missing"))?;
    let m: Manifest = serde_json::from_slice(raw)
        .map_err(|e| integrity("manifest.json", format!("not a manifest: {e}")))?;
    for name in ARTIFACT_FILES {
        if !m.files.contains_key(name) {
            return Err(integrity(name, "not listed in manifest.json"));
        }
    }
    for (name, want) in &m.files {
        let bytes = files.get(name).ok_or_else(|| integrity(name, "missing"))?;
        if sha256_hex(bytes) != *want {
            return Err(integrity(name, "SHA-256 does not match manifest.json"));
        }
    }
    Ok(m)
}

/// Reads an artifact directory's files (those the manifest names, plus the required ones).
pub fn read_dir(dir: &Path) -> Result<ArtifactFiles, ModelError> {
    let mut files = ArtifactFiles::new();
    let read = |name: &str| {
        std::fs::read(dir.join(name)).map_err(|e| integrity(name, format!("cannot read: {e}")))
    };
    let manifest = read("manifest.json")?;
    let names: Vec<String> = serde_json::from_slice::<Manifest>(&manifest)
        .map(|m| m.files.into_keys().collect())
        .unwrap_or_default();
    files.insert("manifest.json".into(), manifest);
    for name in names
        .iter()
        .map(String::as_str)
        .chain(ARTIFACT_FILES)
        .filter(|n| !n.contains('/') && !n.contains('\\') && *n != "manifest.json")
    {
        if !files.contains_key(name) {
            files.insert(name.to_owned(), read(name)?);
        }
    }
    Ok(files)
}

fn json<T: serde::de::DeserializeOwned>(
    files: &ArtifactFiles,
    name: &str,
) -> Result<T, ModelError> {
    serde_json::from_slice(&files[name]).map_err(|e| file_err(name, e.to_string()))
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
    /// Builds a classifier from verified artifact files.
    pub fn from_files(files: &ArtifactFiles) -> Result<Classifier, ModelError> {
        let manifest = verify(files)?;
        let config: ModelConfig = json(files, "config.json")?;
        let stats: FeatureStats = json(files, "features.json")?;
        let calibration: Calibration = json(files, "calibration.json")?;
        let tokenizer = tokenizers::Tokenizer::from_bytes(&files["tokenizer.json"])
            .map_err(|e| file_err("tokenizer.json", e.to_string()))?;
        let tensors =
            candle_core::safetensors::load_buffer(&files["model.safetensors"], &Device::Cpu)
                .map_err(|e| file_err("model.safetensors", e.to_string()))?;
        let b2 = tensor_vec(&tensors, "b2")?;
        let weights = Weights {
            dim: config.dim,
            hidden: config.hidden,
            sections: config.sections.len(),
            features: stats.names.len(),
            emb: tensor_vec(&tensors, "emb")?,
            w1: tensor_vec(&tensors, "w1")?,
            b1: tensor_vec(&tensors, "b1")?,
            w2: tensor_vec(&tensors, "w2")?,
            b2: b2.first().copied().unwrap_or(0.0),
        };
        let encoder = TextEncoder::new(
            tokenizer,
            config.vocab as u32,
            config.buckets as u32,
            config.max_tokens,
            config.rule_features.then(RuleSet::default_rules),
        );
        let extra = manifest
            .files
            .keys()
            .filter(|n| !PARSED_FILES.contains(&n.as_str()))
            .map(|n| (n.clone(), files[n].clone()))
            .collect();
        let classifier = Classifier::new(config, encoder, weights, stats, calibration, extra)?;
        classifier.hybrid_params()?;
        Ok(classifier)
    }

    /// The hybrid engine's parameters fitted with this model and stored in its artifact
    /// (`hybrid.json`), or `None` for a model without them. Checked when the model is loaded.
    pub fn hybrid_params(&self) -> Result<Option<HybridParams>, ModelError> {
        self.extra
            .get(HYBRID_FILE)
            .map(|bytes| {
                HybridParams::from_json(bytes, HYBRID_FILE).map_err(|e| {
                    let reason = match e {
                        crate::hybrid::HybridError::Invalid { reason, .. } => reason,
                        other => other.to_string(),
                    };
                    file_err(HYBRID_FILE, reason)
                })
            })
            .transpose()
    }

    /// Loads and verifies an artifact directory.
    pub fn load(dir: &Path) -> Result<Classifier, ModelError> {
        Classifier::from_files(&read_dir(dir)?)
    }

    /// The artifact's files, manifest included.
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
        for (k, v) in &self.extra {
            files.insert(k.clone(), v.clone());
        }
        for name in ARTIFACT_FILES {
            files.entry(name.to_owned()).or_default();
        }
        let manifest = Manifest {
            format_version: super::FORMAT_VERSION,
            files: files
                .iter()
                .map(|(k, v)| (k.clone(), sha256_hex(v)))
                .collect(),
        };
        let mut m = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
        m.push(b'\n');
        files.insert("manifest.json".into(), m);
        Ok(files)
    }

    /// The weights in the safetensors format.
    fn weights_bytes(&self) -> Result<Vec<u8>, ModelError> {
        let w = &self.weights;
        let b2 = [w.b2];
        Ok(safetensors_bytes(&[
            ("b1", &w.b1, &[w.hidden]),
            ("b2", &b2, &[1]),
            ("emb", &w.emb, &[w.rows(), w.dim]),
            ("w1", &w.w1, &[w.hidden, w.inputs()]),
            ("w2", &w.w2, &[w.hidden]),
        ]))
    }

    /// Writes the artifact (with a fresh manifest) into `dir`, creating it.
    pub fn save(&self, dir: &Path) -> Result<(), ModelError> {
        std::fs::create_dir_all(dir).map_err(|source| ModelError::Write {
            file: dir.display().to_string(),
            source,
        })?;
        for (name, bytes) in self.to_files()? {
            std::fs::write(dir.join(&name), bytes)
                .map_err(|source| ModelError::Write { file: name, source })?;
        }
        Ok(())
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

#[cfg(test)]
mod tests {
    use super::*;

    fn fitted() -> HybridParams {
        HybridParams::fit(
            &[0.9, 0.7, 0.4, 0.2, 0.6, 0.3],
            &[1.0, 0.0, 0.5, 0.0, 0.0, -0.5],
            &[true, true, false, false, false, false],
        )
        .unwrap()
    }

    #[test]
    fn stored_hybrid_parameters_round_trip_and_are_verified() {
        let mut c = Classifier::embedded().unwrap();
        c.extra.remove(HYBRID_FILE);
        let dir = tempfile::tempdir().unwrap();
        c.save(dir.path()).unwrap();
        // An artifact without the file stays valid and has no stored parameters.
        assert_eq!(
            Classifier::load(dir.path())
                .unwrap()
                .hybrid_params()
                .unwrap(),
            None
        );

        let params = fitted();
        c.extra
            .insert(HYBRID_FILE.into(), params.to_json().into_bytes());
        let dir = tempfile::tempdir().unwrap();
        c.save(dir.path()).unwrap();
        let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
        assert!(manifest.contains(HYBRID_FILE), "{manifest}");
        let again = Classifier::load(dir.path()).unwrap();
        assert_eq!(again.hybrid_params().unwrap(), Some(params.clone()));
        assert_eq!(again.to_files().unwrap(), c.to_files().unwrap());

        // A changed file is refused by name before it is parsed.
        let path = dir.path().join(HYBRID_FILE);
        let mut tampered = params.clone();
        tampered.b += 1.0;
        std::fs::write(&path, tampered.to_json()).unwrap();
        let e = Classifier::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains(HYBRID_FILE) && e.contains("integrity"), "{e}");
        // So is a missing one the manifest lists.
        std::fs::remove_file(&path).unwrap();
        let e = Classifier::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains(HYBRID_FILE), "{e}");
    }

    #[test]
    fn unreadable_stored_hybrid_parameters_refuse_the_model() {
        let mut c = Classifier::embedded().unwrap();
        c.extra.insert(
            HYBRID_FILE.into(),
            br#"{"format_version":9,"a":1,"b":1,"c":0}"#.to_vec(),
        );
        let e = Classifier::from_files(&c.to_files().unwrap())
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(HYBRID_FILE) && e.contains("format_version"),
            "{e}"
        );
    }
}
