//! Public labelled data sets turned into profile format v1 records with a meta sidecar, and
//! group-aware splits.
//!
//! The public files live outside the repository (`../shared/datasets/public/`); every file a
//! set needs is verified against its published SHA-256 before any of them is read, and a
//! mismatch imports nothing. Malformed rows are reported by file, row and field (never with
//! their text) and skipped; exact duplicate rows are dropped and counted. The mapping of each
//! set, its limits and its shortcuts are documented in `datasets/public/README.md`.

pub mod checksum;
mod cresci;
mod emscad;
mod instafake;
mod instagram;
pub mod neardup;
pub mod split;
mod table;

use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::meta::Meta;
use crate::profile::Profile;

pub use checksum::PUBLIC_SHA256;
pub use split::{assign_splits, Split};

/// The public sets `linkscreen data import` understands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PublicFormat {
    Emscad,
    Cresci2015,
    InstagramKaggle,
    Instafake,
}

impl PublicFormat {
    pub const ALL: [PublicFormat; 4] = [
        PublicFormat::Emscad,
        PublicFormat::Cresci2015,
        PublicFormat::InstagramKaggle,
        PublicFormat::Instafake,
    ];

    /// The CLI name, which is also the set's folder name and the `family` of its records.
    pub fn as_str(self) -> &'static str {
        match self {
            PublicFormat::Emscad => "emscad",
            PublicFormat::Cresci2015 => "cresci-2015",
            PublicFormat::InstagramKaggle => "instagram-kaggle",
            PublicFormat::Instafake => "instafake",
        }
    }

    /// The files of the set, relative to its folder, in the order they are read.
    pub fn files(self) -> &'static [&'static str] {
        match self {
            PublicFormat::Emscad => &["fake_job_postings.csv"],
            PublicFormat::Cresci2015 => &["users.csv", "fusers.csv"],
            PublicFormat::InstagramKaggle => &["train.csv", "test.csv"],
            PublicFormat::Instafake => &["realAccountData.json", "fakeAccountData.json"],
        }
    }
}

impl fmt::Display for PublicFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for PublicFormat {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        PublicFormat::ALL
            .into_iter()
            .find(|f| f.as_str() == s)
            .ok_or_else(|| {
                format!("unknown data set `{s}` (expected emscad|cresci-2015|instagram-kaggle|instafake)")
            })
    }
}

/// A skipped row: where it is and what is wrong with it, never its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowError {
    /// `set/file`, e.g. `cresci-2015/users.csv`.
    pub file: String,
    /// The data row, 1 for the first row after the header (for JSON files: the array item).
    pub row: u64,
    pub field: String,
    pub reason: String,
}

impl fmt::Display for RowError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} row {}: {}: {}",
            self.file, self.row, self.field, self.reason
        )
    }
}

/// The result of an import: records with their meta, and the skipped rows.
#[derive(Debug, Default)]
pub struct Imported {
    pub records: Vec<(Profile, Meta)>,
    pub rejected: Vec<RowError>,
    /// Exact duplicate rows (identical in every column but a row identifier) that were
    /// dropped, keeping the first.
    pub duplicates: usize,
}

/// Fatal import errors: nothing is imported when one occurs.
#[derive(Debug, thiserror::Error)]
pub enum DatasetError {
    #[error("{file}: file not found (looked for {path})")]
    MissingFile { file: String, path: String },
    #[error("{file}: SHA-256 mismatch (expected {expected}, got {actual}); nothing imported")]
    Checksum {
        file: String,
        expected: String,
        actual: String,
    },
    #[error("{file}: no expected SHA-256 in the manifest")]
    NoExpectedHash { file: String },
    #[error("{file}: {source}")]
    Io {
        file: String,
        source: std::io::Error,
    },
    #[error("{file}: missing column `{column}`")]
    MissingColumn { file: String, column: String },
    #[error("{file}: {reason}")]
    Format { file: String, reason: String },
}

impl DatasetError {
    /// Whether the error is a checksum or missing-file failure (exit status 2 in the CLI,
    /// like every fatal error, but worth telling apart in messages and tests).
    pub fn is_checksum(&self) -> bool {
        matches!(
            self,
            DatasetError::Checksum { .. }
                | DatasetError::MissingFile { .. }
                | DatasetError::NoExpectedHash { .. }
        )
    }
}

/// Choices that change what an import keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImportOptions {
    /// Keep `account_age_days` for cresci-2015 (days from `created_at` to the reference date
    /// [`cresci::REFERENCE_DATE`]). Off by default: the fakes were almost all created in 2012,
    /// so the age is a collection artefact rather than a sign of fakeness (see the card).
    pub cresci_account_age: bool,
}

/// The reference date of cresci-2015 account ages (the `updated` snapshot date of both files).
pub const CRESCI_REFERENCE_DATE: &str = cresci::REFERENCE_DATE_STR;

/// Imports a public set from `dir` (the set's folder, or the folder holding it), verifying
/// the files against the compiled-in [`PUBLIC_SHA256`] first.
pub fn import(format: PublicFormat, dir: &Path) -> Result<Imported, DatasetError> {
    import_with(format, dir, PUBLIC_SHA256, ImportOptions::default())
}

/// [`import`] with another table of expected hashes (keys `set/file`), e.g. for test fixtures.
pub fn import_with_manifest(
    format: PublicFormat,
    dir: &Path,
    manifest: &[(&str, &str)],
) -> Result<Imported, DatasetError> {
    import_with(format, dir, manifest, ImportOptions::default())
}

/// The general import: any manifest, any options.
pub fn import_with(
    format: PublicFormat,
    dir: &Path,
    manifest: &[(&str, &str)],
    options: ImportOptions,
) -> Result<Imported, DatasetError> {
    let set_dir = set_dir(format, dir);
    let files: Vec<(String, PathBuf)> = format
        .files()
        .iter()
        .map(|f| (format!("{format}/{f}"), set_dir.join(f)))
        .collect();
    checksum::verify(&files, manifest)?;
    let mut out = Imported::default();
    match format {
        PublicFormat::Emscad => emscad::import(&files[0].0, &files[0].1, &mut out)?,
        PublicFormat::Cresci2015 => {
            for (i, (key, path)) in files.iter().enumerate() {
                cresci::import(key, path, i == 1, options, &mut out)?;
            }
        }
        PublicFormat::InstagramKaggle => {
            for (key, path) in &files {
                instagram::import(key, path, &mut out)?;
            }
        }
        PublicFormat::Instafake => {
            for (key, path) in &files {
                instafake::import(key, path, &mut out)?;
            }
        }
    }
    Ok(out)
}

/// The folder holding the set's files: `dir/<set>` when it exists, else `dir` itself.
fn set_dir(format: PublicFormat, dir: &Path) -> PathBuf {
    let nested = dir.join(format.as_str());
    if nested.is_dir() {
        nested
    } else {
        dir.to_path_buf()
    }
}

/// A text field: trimmed, `None` when empty (an empty column says nothing we can use).
fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

#[cfg(test)]
mod import_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for f in PublicFormat::ALL {
            assert_eq!(f.as_str().parse::<PublicFormat>().unwrap(), f);
            assert_eq!(f.to_string(), f.as_str());
        }
        assert!("cresci".parse::<PublicFormat>().is_err());
    }

    #[test]
    fn every_file_has_a_compiled_in_hash() {
        for f in PublicFormat::ALL {
            for file in f.files() {
                let key = format!("{f}/{file}");
                assert!(PUBLIC_SHA256.iter().any(|(k, _)| *k == key), "{key}");
            }
        }
    }
}
