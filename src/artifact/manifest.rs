//! The integrity manifest of an artifact directory: every file is listed in `manifest.json`
//! with its SHA-256, which is checked before anything is parsed; a mismatch or a missing file
//! refuses the artifact and names the file. Directories are read safely (regular files only,
//! size limits, only what the manifest lists).

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::model::{ArtifactFiles, FORMAT_VERSION};

use super::{ArtifactError, ARTIFACT_FILES, OPTIONAL_FILES};

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Manifest {
    pub(super) format_version: u32,
    /// File name to lower-case hex SHA-256.
    pub(super) files: BTreeMap<String, String>,
}

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn integrity(file: &str, reason: impl Into<String>) -> ArtifactError {
    ArtifactError::Integrity {
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
fn parse_manifest(raw: &[u8]) -> Result<Manifest, ArtifactError> {
    let m: Manifest = serde_json::from_slice(raw)
        .map_err(|e| integrity("manifest.json", format!("not a manifest: {e}")))?;
    if m.format_version != FORMAT_VERSION {
        return Err(integrity(
            "manifest.json",
            format!(
                "format_version {} is not supported (expected {})",
                m.format_version, FORMAT_VERSION
            ),
        ));
    }
    Ok(m)
}

/// Checks the files against the manifest (also given among them) and returns it.
pub(super) fn verify(files: &ArtifactFiles) -> Result<Manifest, ArtifactError> {
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
fn read_regular(dir: &Path, name: &str, limit: u64) -> Result<Vec<u8>, ArtifactError> {
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
pub fn read_dir(dir: &Path) -> Result<ArtifactFiles, ArtifactError> {
    match std::fs::metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(ArtifactError::NotFound {
                path: dir.display().to_string(),
            })
        }
        Ok(m) if !m.is_dir() => {
            return Err(ArtifactError::File {
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

/// The files with a fresh `manifest.json` listing them all.
pub(super) fn with_manifest(mut files: ArtifactFiles) -> ArtifactFiles {
    let manifest = Manifest {
        format_version: FORMAT_VERSION,
        files: files
            .iter()
            .map(|(k, v)| (k.clone(), sha256_hex(v)))
            .collect(),
    };
    let mut m = serde_json::to_vec_pretty(&manifest).expect("a manifest serialises");
    m.push(b'\n');
    files.insert("manifest.json".into(), m);
    files
}
