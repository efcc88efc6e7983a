//! The CSV files of a LinkedIn data export, read from its zip or from the folder it was
//! unpacked to. Both give the same bytes, so both give the same records.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use super::ExportError;

/// The export files linkscreen reads, by lower-case name.
pub const WANTED: [&str; 4] = [
    "invitations.csv",
    "messages.csv",
    "connections.csv",
    "profile.csv",
];

/// Largest file read from an export (a hostile zip cannot make us inflate more than this).
pub const MAX_FILE_BYTES: u64 = 512 * 1024 * 1024;

/// How deep into an unpacked folder the files are looked for (the zip may hold a subfolder).
const MAX_DEPTH: usize = 3;

/// The wanted files found, by lower-case name: the name as found and the bytes.
#[derive(Debug, Default)]
pub struct ExportFiles {
    pub files: BTreeMap<String, (String, Vec<u8>)>,
}

impl ExportFiles {
    pub fn get(&self, name: &str) -> Option<&(String, Vec<u8>)> {
        self.files.get(name)
    }
}

fn wanted(name: &str) -> Option<String> {
    let base = name.rsplit(['/', '\\']).next()?.to_ascii_lowercase();
    WANTED.contains(&base.as_str()).then_some(base)
}

/// Reads a zip file or a folder.
pub fn read(path: &Path) -> Result<ExportFiles, ExportError> {
    let io = |source| ExportError::Io {
        path: path.display().to_string(),
        source,
    };
    let meta = std::fs::metadata(path).map_err(io)?;
    if meta.is_dir() {
        let mut out = ExportFiles::default();
        read_dir(path, 0, &mut out)?;
        Ok(out)
    } else {
        read_zip(std::fs::File::open(path).map_err(io)?, path)
    }
}

fn read_dir(dir: &Path, depth: usize, out: &mut ExportFiles) -> Result<(), ExportError> {
    let io = |p: &Path| {
        let path = p.display().to_string();
        move |source| ExportError::Io { path, source }
    };
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .map_err(io(dir))?
        .collect::<Result<_, _>>()
        .map_err(io(dir))?;
    // Sorted, so that which of two same-named files wins never depends on the file system.
    entries.sort_by_key(|e| e.file_name());
    let mut subdirs = Vec::new();
    for e in entries {
        let path = e.path();
        let kind = e.file_type().map_err(io(&path))?;
        if kind.is_dir() {
            subdirs.push(path);
            continue;
        }
        let Some(key) = e.file_name().to_str().and_then(wanted) else {
            continue;
        };
        if out.files.contains_key(&key) {
            continue;
        }
        let file = std::fs::File::open(&path).map_err(io(&path))?;
        let bytes = read_capped(file, &path.display().to_string())?;
        let shown = e.file_name().to_string_lossy().into_owned();
        out.files.insert(key, (shown, bytes));
    }
    if depth < MAX_DEPTH {
        for d in subdirs {
            read_dir(&d, depth + 1, out)?;
        }
    }
    Ok(())
}

fn read_capped(r: impl Read, name: &str) -> Result<Vec<u8>, ExportError> {
    let mut bytes = Vec::new();
    r.take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(|source| ExportError::Io {
            path: name.to_owned(),
            source,
        })?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(ExportError::TooLarge {
            file: name.to_owned(),
            max: MAX_FILE_BYTES,
        });
    }
    Ok(bytes)
}

fn read_zip(file: std::fs::File, path: &Path) -> Result<ExportFiles, ExportError> {
    let zip_err = |e: zip::result::ZipError| ExportError::Zip {
        path: path.display().to_string(),
        reason: e.to_string(),
    };
    let mut archive = zip::ZipArchive::new(std::io::BufReader::new(file)).map_err(zip_err)?;
    // Entries in name order, shallowest first, so that the choice between two same-named
    // files matches the folder reading above.
    let mut names: Vec<(usize, String, usize)> = (0..archive.len())
        .filter_map(|i| {
            let name = archive.name_for_index(i)?.ok()?.into_owned();
            let depth = name.trim_end_matches('/').matches('/').count();
            Some((depth, name, i))
        })
        .collect();
    names.sort();
    let mut out = ExportFiles::default();
    for (_, name, i) in names {
        if name.ends_with('/') {
            continue;
        }
        let Some(key) = wanted(&name) else { continue };
        if out.files.contains_key(&key) {
            continue;
        }
        let entry = archive.by_index(i).map_err(zip_err)?;
        let shown = name.rsplit('/').next().unwrap_or(&name).to_owned();
        let bytes = read_capped(entry, &format!("{}:{name}", path.display()))?;
        out.files.insert(key, (shown, bytes));
    }
    Ok(out)
}
