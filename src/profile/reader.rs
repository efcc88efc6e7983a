//! Streaming JSON Lines reader with bounded memory.

use std::collections::BTreeSet;
use std::io::{self, BufRead};

use super::parse::field_err;
use super::{parse_line, LineError, Profile, MAX_LINE_BYTES};

/// One item of a [`ProfileReader`]: a valid profile with its line number, or a rejection.
#[derive(Debug)]
#[allow(clippy::large_enum_variant)] // Entries are consumed one at a time.
pub enum Entry {
    Profile { line: u64, profile: Profile },
    Rejected(LineError),
}

/// Streams profiles from JSON Lines, one line at a time. Blank lines are skipped; every other
/// line yields exactly one [`Entry`]. Only I/O failures are errors of the iterator itself.
pub struct ProfileReader<R> {
    inner: R,
    buf: Vec<u8>,
    line: u64,
    unknown: BTreeSet<String>,
}

impl<R: BufRead> ProfileReader<R> {
    pub fn new(inner: R) -> Self {
        ProfileReader {
            inner,
            buf: Vec::with_capacity(4096),
            line: 0,
            unknown: BTreeSet::new(),
        }
    }

    /// Unknown field names seen so far, to be reported once per run.
    pub fn unknown_fields(&self) -> &BTreeSet<String> {
        &self.unknown
    }

    /// Reads one line into `buf`, keeping at most `MAX_LINE_BYTES`. Returns `None` at end of
    /// input, otherwise whether the line was too long.
    fn read_line(&mut self) -> io::Result<Option<bool>> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > MAX_LINE_BYTES {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.inner.consume(if done { take + 1 } else { take });
            if done {
                return Ok(Some(too_long));
            }
        }
    }
}

impl<R: BufRead> Iterator for ProfileReader<R> {
    type Item = io::Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let too_long = match self.read_line() {
                Ok(None) => return None,
                Ok(Some(t)) => t,
                Err(e) => return Some(Err(e)),
            };
            self.line += 1;
            let line = self.line;
            if too_long {
                let error = field_err(
                    "(record)",
                    format!("line longer than {MAX_LINE_BYTES} bytes"),
                );
                return Some(Ok(Entry::Rejected(LineError { line, error })));
            }
            let bytes = self.buf.strip_suffix(b"\r").unwrap_or(&self.buf);
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let entry = match parse_line(bytes, &mut self.unknown) {
                Ok(profile) => Entry::Profile { line, profile },
                Err(error) => Entry::Rejected(LineError { line, error }),
            };
            return Some(Ok(entry));
        }
    }
}

/// Opens a JSON Lines file of profiles for streaming; `-` reads standard input.
pub fn open(path: &std::path::Path) -> io::Result<ProfileReader<Box<dyn BufRead>>> {
    let inner: Box<dyn BufRead> = if path.as_os_str() == "-" {
        Box::new(io::BufReader::with_capacity(1 << 16, io::stdin()))
    } else {
        Box::new(io::BufReader::with_capacity(
            1 << 16,
            std::fs::File::open(path)?,
        ))
    };
    Ok(ProfileReader::new(inner))
}

/// A whole file read into memory, for training and evaluation: the valid profiles with their
/// line numbers, the rejections, and the unknown fields seen.
#[derive(Debug, Default)]
pub struct LoadedFile {
    pub profiles: Vec<(u64, Profile)>,
    pub rejected: Vec<LineError>,
    pub unknown_fields: BTreeSet<String>,
}

/// Reads a whole profile file (or `-`) into memory.
pub fn load(path: &std::path::Path) -> io::Result<LoadedFile> {
    let mut reader = open(path)?;
    let mut out = LoadedFile::default();
    for entry in reader.by_ref() {
        match entry? {
            Entry::Profile { line, profile } => out.profiles.push((line, profile)),
            Entry::Rejected(e) => out.rejected.push(e),
        }
    }
    out.unknown_fields = reader.unknown.clone();
    Ok(out)
}
