//! LinkedIn's own data export ("Get a copy of your data": a zip of CSV files) turned into
//! profile format v1 records: one per person who invited or wrote to the export's owner, with
//! the invitation note and every message exchanged with them (oldest first, `inbound` from
//! them, `outbound` from the owner) and the position and company `Connections.csv` gives.
//!
//! People are matched by profile URL; the record's `username` is the URL's slug and its `id`
//! is `li-<slug>`, so the same person gets the same id in every run and every export. A field
//! the export does not hold stays absent. Rows that cannot be read are skipped with a note
//! naming the file and row, never their content.

mod dates;
mod people;
mod source;
mod table;

use std::path::Path;

pub use dates::{parse as parse_date, Stamp};
pub use people::slug_of;
pub use source::{read as read_export, ExportFiles, MAX_FILE_BYTES, WANTED};

use crate::profile::Profile;

/// Fatal errors: nothing is imported when one occurs.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("{path}: not a readable zip archive: {reason}")]
    Zip { path: String, reason: String },
    #[error("{file}: larger than {max} bytes; not read")]
    TooLarge { file: String, max: u64 },
    #[error("{file}: no header row with the columns {columns}")]
    NoHeader { file: String, columns: String },
    #[error("--owner-url: not a LinkedIn profile URL")]
    BadOwnerUrl,
    #[error(
        "cannot tell whose export this is (no Profile.csv name, invitation or participant common \
         to every conversation identifies the owner); give --owner-url"
    )]
    UnknownOwner,
}

/// Choices of an import.
#[derive(Debug, Clone, Default)]
pub struct Options {
    /// The export owner's profile URL, overriding what the export says.
    pub owner_url: Option<String>,
}

/// The records of an export and what the import had to say about it.
#[derive(Debug, Default)]
pub struct Imported {
    /// One record per person who invited or wrote to the owner, first contact first.
    pub profiles: Vec<Profile>,
    /// Notes for standard error: missing files, skipped rows (file, row and field only).
    pub notes: Vec<String>,
    /// The owner's slug and how it was found.
    pub owner: Option<(String, &'static str)>,
}

/// Imports an export from its zip or its unpacked folder.
pub fn import(path: &Path, options: &Options) -> Result<Imported, ExportError> {
    import_files(&source::read(path)?, options)
}

/// Imports export files already read (see [`read_export`]).
pub fn import_files(files: &ExportFiles, options: &Options) -> Result<Imported, ExportError> {
    people::assemble(files, options)
}
