//! The linear engine's files in a model artifact (`linear.json`, `linear.safetensors`): parsed
//! into a [`LinearModel`] and written from one.

use super::{LinearError, LinearModel, LinearSpec, LINEAR_JSON, LINEAR_WEIGHTS};
use crate::model::ArtifactFiles;

impl LinearModel {
    /// The artifact files of this engine.
    pub fn to_files(&self) -> ArtifactFiles {
        let mut files = ArtifactFiles::new();
        let mut json = serde_json::to_vec_pretty(&self.spec).expect("linear.json serialises");
        json.push(b'\n');
        files.insert(LINEAR_JSON.into(), json);
        let b = self.spec.hashing.buckets;
        let idf: Vec<f32> = self.slots.iter().map(|s| s.idf).collect();
        let weights: Vec<f32> = self.slots.iter().map(|s| s.weight).collect();
        let bytes =
            crate::model::safetensors_bytes(&[("idf", &idf, &[b]), ("weights", &weights, &[b])]);
        files.insert(LINEAR_WEIGHTS.into(), bytes);
        files
    }

    /// The engine stored in a verified artifact (see [`crate::model::Classifier::from_files`]).
    pub fn from_files(files: &ArtifactFiles) -> Result<LinearModel, LinearError> {
        let bad = |file: &str, reason: String| LinearError::File {
            file: file.to_owned(),
            reason,
        };
        let json = files.get(LINEAR_JSON).ok_or(LinearError::Absent)?;
        let spec: LinearSpec =
            serde_json::from_slice(json).map_err(|e| bad(LINEAR_JSON, e.to_string()))?;
        let raw = files
            .get(LINEAR_WEIGHTS)
            .ok_or_else(|| bad(LINEAR_WEIGHTS, "missing".into()))?;
        let tensors = candle_core::safetensors::load_buffer(raw, &candle_core::Device::Cpu)
            .map_err(|e| bad(LINEAR_WEIGHTS, e.to_string()))?;
        let get = |name: &str| -> Result<Vec<f32>, LinearError> {
            tensors
                .get(name)
                .ok_or_else(|| bad(LINEAR_WEIGHTS, format!("tensor {name} missing")))?
                .to_vec1::<f32>()
                .map_err(|e| bad(LINEAR_WEIGHTS, format!("tensor {name}: {e}")))
        };
        LinearModel::new(spec, get("idf")?, get("weights")?)
    }
}
