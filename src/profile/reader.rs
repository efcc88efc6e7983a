//! Streaming JSON Lines reader with bounded memory.

use std::collections::BTreeSet;
use std::io::{self, BufRead};

use super::error::field_err;
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
    /// Non-blank lines read so far.
    content_lines: u64,
    /// Set when the first line showed the input is not JSON Lines at all.
    hint: Option<FormatHint>,
    /// Lines rejected after such a hint, counted but not yielded one by one.
    quiet_rejected: u64,
    /// Whether the input started with a UTF-8 byte-order mark (ignored).
    bom: bool,
}

/// What the first line of an input that is not JSON Lines looks like.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FormatHint {
    Csv,
    PrettyJson,
    JsonArray,
}

impl FormatHint {
    /// The one-line explanation given instead of an error per line.
    pub fn message(self) -> &'static str {
        match self {
            FormatHint::Csv => {
                "this looks like CSV: linkscreen reads JSON Lines, one JSON object per line; \
                 see docs/profile-format.md"
            }
            FormatHint::PrettyJson => {
                "this looks like pretty-printed JSON (one object over several lines): \
                 linkscreen reads JSON Lines, one JSON object per line (e.g. `jq -c . FILE`); \
                 see docs/profile-format.md"
            }
            FormatHint::JsonArray => {
                "this looks like a JSON array: linkscreen reads JSON Lines, one JSON object \
                 per line (e.g. `jq -c '.[]' FILE`); see docs/profile-format.md"
            }
        }
    }

    /// Recognises the first non-blank line of an input that is not JSON Lines.
    fn detect(line: &[u8], error: &super::FieldError) -> Option<FormatHint> {
        let t = line.trim_ascii();
        match t.first() {
            Some(b'[') => Some(FormatHint::JsonArray),
            Some(b'{') if t == b"{" => Some(FormatHint::PrettyJson),
            Some(b'{') => None,
            Some(_)
                if error.field == "(record)"
                    && t.iter().any(|&b| matches!(b, b',' | b';' | b'\t')) =>
            {
                Some(FormatHint::Csv)
            }
            _ => None,
        }
    }
}

impl<R: BufRead> ProfileReader<R> {
    pub fn new(inner: R) -> Self {
        ProfileReader {
            inner,
            buf: Vec::with_capacity(4096),
            line: 0,
            unknown: BTreeSet::new(),
            content_lines: 0,
            hint: None,
            quiet_rejected: 0,
            bom: false,
        }
    }

    /// Unknown field names seen so far, sanitised and bounded (see `sanitize_field_name`,
    /// `MAX_UNKNOWN_NAMES`; a final `…` stands for further names), to be reported once.
    pub fn unknown_fields(&self) -> &BTreeSet<String> {
        &self.unknown
    }

    /// Whether no non-blank line has been read (at the end: the input was empty).
    pub fn is_empty(&self) -> bool {
        self.content_lines == 0
    }

    /// Set when the first line showed the input is not JSON Lines: it was rejected with the
    /// hint's message, and later invalid lines are counted in [`Self::quiet_rejected`]
    /// instead of being yielded one by one (valid lines are still yielded).
    pub fn format_hint(&self) -> Option<FormatHint> {
        self.hint
    }

    /// Lines rejected after a [`FormatHint`] without an entry of their own.
    pub fn quiet_rejected(&self) -> u64 {
        self.quiet_rejected
    }

    /// Whether the input started with a UTF-8 byte-order mark, which was ignored.
    pub fn had_bom(&self) -> bool {
        self.bom
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
            let mut bytes = self.buf.strip_suffix(b"\r").unwrap_or(&self.buf);
            if line == 1 {
                if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
                    self.bom = true;
                    bytes = rest;
                }
            }
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            self.content_lines += 1;
            let entry = match parse_line(bytes, &mut self.unknown) {
                Ok(profile) => Entry::Profile { line, profile },
                Err(_) if self.hint.is_some() => {
                    self.quiet_rejected += 1;
                    continue;
                }
                Err(error) => {
                    if self.content_lines == 1 {
                        if let Some(h) = FormatHint::detect(bytes, &error) {
                            self.hint = Some(h);
                            let error = field_err("(input)", h.message());
                            return Some(Ok(Entry::Rejected(LineError { line, error })));
                        }
                    }
                    Entry::Rejected(LineError { line, error })
                }
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
    /// Lines rejected after a format hint (see [`ProfileReader::quiet_rejected`]).
    pub quiet_rejected: u64,
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
    out.quiet_rejected = reader.quiet_rejected;
    Ok(out)
}
