//! Model artifact directories: every file is listed in `manifest.json` with its SHA-256, which
//! is checked before anything is parsed; a mismatch or a missing file refuses the model and
//! names the file. The default model is embedded in the binary and verified the same way.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use candle_core::{DType, Device, Tensor};

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::config::{Calibration, FeatureStats, ModelConfig};
use super::net::{Dims, Weights};
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

/// Optional files an engine reads from an artifact when its manifest lists them: the hybrid's
/// coefficients and the linear engine's files (`crate::linear::LINEAR_JSON`, `LINEAR_WEIGHTS`;
/// spelled out here so that `model` does not import `linear`, and tested equal there). Present
/// but unlisted, they refuse the directory.
pub const OPTIONAL_FILES: [&str; 3] = [HYBRID_FILE, "linear.json", "linear.safetensors"];

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

/// Largest file an artifact directory may hold (the shipped model's weights are 5.5 MB);
/// larger files are refused before they are read.
pub const MAX_ARTIFACT_FILE_BYTES: u64 = 256 << 20;

/// Largest `manifest.json`.
pub const MAX_MANIFEST_BYTES: u64 = 1 << 20;

/// Parses a manifest and checks its format version.
fn parse_manifest(raw: &[u8]) -> Result<Manifest, ModelError> {
    let m: Manifest = serde_json::from_slice(raw)
        .map_err(|e| integrity("manifest.json", format!("not a manifest: {e}")))?;
    if m.format_version != super::FORMAT_VERSION {
        return Err(integrity(
            "manifest.json",
            format!(
                "format_version {} is not supported (expected {})",
                m.format_version,
                super::FORMAT_VERSION
            ),
        ));
    }
    Ok(m)
}

/// Checks the files against the manifest (also given among them) and returns it.
fn verify(files: &ArtifactFiles) -> Result<Manifest, ModelError> {
    let raw = files
        .get("manifest.json")
        .ok_or_else(|| integrity("manifest.json", "missing"))?;
    let m = parse_manifest(raw)?;
    for name in files.keys() {
        if name != "manifest.json" && !m.files.contains_key(name) {
            return Err(integrity(name, "not listed in manifest.json"));
        }
    }
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

/// Reads one file of an artifact directory, safely: only a regular file (a FIFO, a device or
/// a directory, or a symbolic link to one, is refused without being opened for reading), of
/// at most `limit` bytes (checked before reading, and again while reading).
fn read_regular(dir: &Path, name: &str, limit: u64) -> Result<Vec<u8>, ModelError> {
    use std::io::Read;
    let path = dir.join(name);
    let meta = match std::fs::metadata(&path) {
        Ok(m) => m,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(integrity(name, "missing"))
        }
        Err(e) => return Err(integrity(name, format!("cannot read: {e}"))),
    };
    let check = |meta: &std::fs::Metadata| {
        if !meta.is_file() {
            return Err(integrity(
                name,
                "not a regular file (FIFOs, devices and directories are never read)",
            ));
        }
        if meta.len() > limit {
            return Err(integrity(
                name,
                format!("{} bytes, more than the limit of {limit}", meta.len()),
            ));
        }
        Ok(())
    };
    check(&meta)?;
    // Opened without blocking (a FIFO swapped in after the check cannot hang the open) and
    // checked again on the open file.
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(target_os = "linux")]
    std::os::unix::fs::OpenOptionsExt::custom_flags(&mut options, 0o4000); // O_NONBLOCK
    let file = options
        .open(&path)
        .map_err(|e| integrity(name, format!("cannot read: {e}")))?;
    check(
        &file
            .metadata()
            .map_err(|e| integrity(name, format!("cannot read: {e}")))?,
    )?;
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| integrity(name, format!("cannot read: {e}")))?;
    if bytes.len() as u64 > limit {
        return Err(integrity(
            name,
            format!("more than the limit of {limit} bytes"),
        ));
    }
    Ok(bytes)
}

/// Reads an artifact directory's files: only those its manifest lists (the required ones
/// must be among them). A file the loader would use but the manifest does not list
/// (`hybrid.json`) is refused by name rather than ignored or read unverified.
pub fn read_dir(dir: &Path) -> Result<ArtifactFiles, ModelError> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ModelError::NotFound {
                path: dir.display().to_string(),
            })
        }
        Ok(m) if !m.is_dir() => {
            return Err(ModelError::File {
                file: dir.display().to_string(),
                reason: "not a directory".into(),
            })
        }
        _ => {}
    }
    let mut files = ArtifactFiles::new();
    let manifest = read_regular(dir, "manifest.json", MAX_MANIFEST_BYTES)?;
    let listed = parse_manifest(&manifest)?.files;
    files.insert("manifest.json".into(), manifest);
    for name in ARTIFACT_FILES {
        if !listed.contains_key(name) {
            return Err(integrity(name, "not listed in manifest.json"));
        }
    }
    for name in OPTIONAL_FILES {
        if !listed.contains_key(name) && dir.join(name).symlink_metadata().is_ok() {
            return Err(integrity(
                name,
                "present but not listed in manifest.json: refused (every file the loader uses \
                 must be covered by the manifest)",
            ));
        }
    }
    for name in listed.keys() {
        if name.is_empty()
            || name.contains(['/', '\\'])
            || name == "."
            || name == ".."
            || name == "manifest.json"
        {
            return Err(integrity(name, "not a plain file name"));
        }
        files.insert(
            name.clone(),
            read_regular(dir, name, MAX_ARTIFACT_FILE_BYTES)?,
        );
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
        let dims = Dims {
            rows: config.vocab + config.buckets,
            dim: config.dim,
            hidden: config.hidden,
            sections: config.sections.len(),
            features: stats.names.len(),
        };
        let weights = Weights::from_named(dims, |name| tensor_vec(&tensors, name))?;
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
        let named = self.weights.named();
        let tensors: Vec<(&str, &[f32], &[usize])> = named
            .iter()
            .map(|(name, data, shape)| (*name, *data, shape.as_slice()))
            .collect();
        Ok(safetensors_bytes(&tensors))
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
