//! The sidecar record that travels beside a profile file (`--meta FILE`): where each profile
//! comes from, so that splits keep related profiles together and evaluation can report per
//! group. One JSON object per line, matched to profiles by `id`.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Meta {
    pub id: String,
    /// The persona or source, e.g. `state_recruiter`, `genuine_official`, `cresci-2015`
    /// (empty when a sidecar does not give it).
    #[serde(default)]
    pub family: String,
    /// The generating recipe instance or source entity (e.g. the company of a job ad): records
    /// of one group never straddle two splits.
    pub group: String,
    /// `easy`, `medium` or `hard` for synthetic profiles; absent for public data.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub difficulty: Option<String>,
    /// ISO 639-1 code of the profile's main language (`en`, `fr`, `de`), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub language: Option<String>,
}

/// Errors reading a meta sidecar.
#[derive(Debug, thiserror::Error)]
pub enum MetaError {
    #[error("cannot read meta file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("meta file {path}, line {line}: {reason}")]
    Line {
        path: String,
        line: u64,
        reason: String,
    },
}

/// Reads a whole meta sidecar.
pub fn load(path: &std::path::Path) -> Result<Vec<Meta>, MetaError> {
    read_lines(path)
}

/// Reads a meta sidecar as plain JSON objects, keeping every field (for a group key that
/// [`Meta`] does not name).
pub fn load_objects(
    path: &std::path::Path,
) -> Result<Vec<serde_json::Map<String, serde_json::Value>>, MetaError> {
    read_lines(path)
}

fn read_lines<T: serde::de::DeserializeOwned>(path: &std::path::Path) -> Result<Vec<T>, MetaError> {
    use std::io::BufRead;
    let p = path.display().to_string();
    let file = std::fs::File::open(path).map_err(|source| MetaError::Io {
        path: p.clone(),
        source,
    })?;
    let mut out = Vec::new();
    for (i, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line.map_err(|source| MetaError::Io {
            path: p.clone(),
            source,
        })?;
        if line.trim().is_empty() {
            continue;
        }
        let meta: T = serde_json::from_str(&line).map_err(|e| MetaError::Line {
            path: p.clone(),
            line: i as u64 + 1,
            reason: format!("not a meta record (column {})", e.column()),
        })?;
        out.push(meta);
    }
    Ok(out)
}
