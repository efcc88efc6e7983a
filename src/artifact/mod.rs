//! The model artifact: a directory (or the copy embedded in the binary) holding every engine
//! that training fits, with `manifest.json` covering each file (`manifest.rs`). Loading
//! verifies the files first, then parses each into its engine, and returns a typed
//! [`Artifact`]; saving writes every file and a fresh manifest. This module sits above the
//! engines (`model`, `hybrid`, `linear`, `ensemble`), none of which knows about the others' files.
//!
//! `Classifier::load` and `Classifier::embedded` are defined here: they are shorthands for the
//! classifier of a verified artifact.

mod embedded;
mod manifest;

use std::path::Path;

use crate::ensemble::{EnsembleParams, ENSEMBLE_JSON};
use crate::hybrid::{HybridError, HybridParams, HYBRID_FILE};
use crate::linear::{LinearError, LinearModel, LINEAR_JSON, LINEAR_WEIGHTS};
use crate::model::{ArtifactFiles, Classifier, ModelError, CLASSIFIER_FILES};

pub use manifest::{read_dir, sha256_hex, MAX_ARTIFACT_FILE_BYTES, MAX_MANIFEST_BYTES};

/// The files of an artifact besides `manifest.json` that are always there: the classifier's,
/// the metrics and the model card.
pub const ARTIFACT_FILES: [&str; 7] = [
    CLASSIFIER_FILES[0],
    CLASSIFIER_FILES[1],
    CLASSIFIER_FILES[2],
    CLASSIFIER_FILES[3],
    CLASSIFIER_FILES[4],
    METRICS_FILE,
    CARD_FILE,
];

/// Files an artifact holds when its manifest lists them: the hybrid's coefficients, the
/// linear engine's files and the ensemble's parameters. Present but unlisted, they refuse the
/// directory.
pub const OPTIONAL_FILES: [&str; 4] = [HYBRID_FILE, LINEAR_JSON, LINEAR_WEIGHTS, ENSEMBLE_JSON];

/// The training metrics.
pub const METRICS_FILE: &str = "metrics.json";

/// The model card.
pub const CARD_FILE: &str = "MODEL_CARD.md";

/// Errors loading or saving an artifact.
#[derive(Debug, thiserror::Error)]
pub enum ArtifactError {
    #[error("model file {file}: {reason}")]
    File { file: String, reason: String },
    #[error("integrity check failed for model file {file}: {reason}")]
    Integrity { file: String, reason: String },
    #[error("model directory {path} not found")]
    NotFound { path: String },
    #[error("cannot write model file {file}: {source}")]
    Write {
        file: String,
        source: std::io::Error,
    },
    #[error(transparent)]
    Model(#[from] ModelError),
    #[error(transparent)]
    Linear(#[from] LinearError),
}

/// A verified model artifact, parsed: every engine training fits, and its reports.
pub struct Artifact {
    /// The neural model.
    pub classifier: Classifier,
    /// The hybrid's coefficients fitted with the model (`hybrid.json`), when stored.
    pub hybrid: Option<HybridParams>,
    /// The linear engine (`linear.json`, `linear.safetensors`), when stored.
    pub linear: Option<LinearModel>,
    /// How the ensemble of engines states its score (`ensemble.json`), when stored.
    pub ensemble: Option<EnsembleParams>,
    /// `metrics.json`, as training wrote it.
    pub metrics: Vec<u8>,
    /// `MODEL_CARD.md`, as training wrote it.
    pub card: Vec<u8>,
}

impl std::fmt::Debug for Artifact {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Artifact")
            .field("classifier", &self.classifier)
            .field("hybrid", &self.hybrid)
            .field("linear", &self.linear.is_some())
            .field("ensemble", &self.ensemble)
            .finish_non_exhaustive()
    }
}

fn hybrid_params(bytes: &[u8]) -> Result<HybridParams, ArtifactError> {
    HybridParams::from_json(bytes, HYBRID_FILE).map_err(|e| ArtifactError::File {
        file: HYBRID_FILE.into(),
        reason: match e {
            HybridError::Invalid { reason, .. } => reason,
            other => other.to_string(),
        },
    })
}

impl Artifact {
    /// Verifies the files against their manifest (given among them), then parses them.
    pub fn from_files(files: &ArtifactFiles) -> Result<Artifact, ArtifactError> {
        manifest::verify(files)?;
        let classifier = Classifier::from_files(files)?;
        let hybrid = files
            .get(HYBRID_FILE)
            .map(|b| hybrid_params(b))
            .transpose()?;
        let linear = match LinearModel::from_files(files) {
            Ok(m) => Some(m),
            Err(LinearError::Absent) => None,
            Err(e) => return Err(e.into()),
        };
        let ensemble = files
            .get(ENSEMBLE_JSON)
            .map(|b| EnsembleParams::from_json(b))
            .transpose()
            .map_err(|e| ArtifactError::File {
                file: ENSEMBLE_JSON.into(),
                reason: e.to_string(),
            })?;
        Ok(Artifact {
            classifier,
            hybrid,
            linear,
            ensemble,
            metrics: files[METRICS_FILE].clone(),
            card: files[CARD_FILE].clone(),
        })
    }

    /// Loads and verifies an artifact directory.
    pub fn load(dir: &Path) -> Result<Artifact, ArtifactError> {
        Artifact::from_files(&read_dir(dir)?)
    }

    /// The default artifact embedded in the binary (verified like a directory).
    pub fn embedded() -> Result<Artifact, ArtifactError> {
        Artifact::from_files(&embedded::files())
    }

    /// Every file of the artifact, manifest included.
    pub fn to_files(&self) -> Result<ArtifactFiles, ArtifactError> {
        let mut files = self.classifier.to_files()?;
        files.insert(METRICS_FILE.into(), self.metrics.clone());
        files.insert(CARD_FILE.into(), self.card.clone());
        if let Some(h) = &self.hybrid {
            let mut bytes = h.to_json().into_bytes();
            bytes.push(b'\n');
            files.insert(HYBRID_FILE.into(), bytes);
        }
        if let Some(m) = &self.linear {
            files.extend(m.to_files());
        }
        if let Some(e) = &self.ensemble {
            files.insert(ENSEMBLE_JSON.into(), e.to_json());
        }
        Ok(manifest::with_manifest(files))
    }

    /// Writes the artifact (with a fresh manifest) into `dir`, creating it.
    pub fn save(&self, dir: &Path) -> Result<(), ArtifactError> {
        std::fs::create_dir_all(dir).map_err(|source| ArtifactError::Write {
            file: dir.display().to_string(),
            source,
        })?;
        for (name, bytes) in self.to_files()? {
            std::fs::write(dir.join(&name), bytes)
                .map_err(|source| ArtifactError::Write { file: name, source })?;
        }
        Ok(())
    }
}

impl Classifier {
    /// The classifier of the verified artifact directory `dir` ([`Artifact::load`]).
    pub fn load(dir: &Path) -> Result<Classifier, ArtifactError> {
        Ok(Artifact::load(dir)?.classifier)
    }

    /// The classifier of the default artifact embedded in the binary ([`Artifact::embedded`]).
    pub fn embedded() -> Result<Classifier, ArtifactError> {
        Ok(Artifact::embedded()?.classifier)
    }
}

#[cfg(test)]
mod tests;
