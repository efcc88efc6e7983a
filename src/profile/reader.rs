//! Streaming JSON Lines reader with bounded memory.

use std::collections::BTreeSet;
use std::io::{self, BufRead};

use super::error::field_err;
use super::parse::{note_unknown, parse_line_noting};
use super::{FieldError, LineError, Profile, MAX_LINE_BYTES};

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

impl<R: BufRead> ProfileReader<R> {
    /// Reads the next non-blank line without parsing it, for callers that parse lines on
    /// several threads: [`RawLine::parse`] may run anywhere, then [`Self::settle`] must see
    /// every line in input order. Reading, parsing and settling each line in turn is exactly
    /// what the iterator does.
    pub fn next_line(&mut self) -> Option<io::Result<RawLine>> {
        loop {
            let too_long = match self.read_line() {
                Ok(None) => return None,
                Ok(Some(t)) => t,
                Err(e) => return Some(Err(e)),
            };
            self.line += 1;
            let line = self.line;
            if too_long {
                return Some(Ok(RawLine {
                    line,
                    bytes: Vec::new(),
                    too_long: true,
                    first: false,
                }));
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
            return Some(Ok(RawLine {
                line,
                bytes: bytes.to_vec(),
                too_long: false,
                first: self.content_lines == 1,
            }));
        }
    }

    /// What a parsed line means, in input order: its entry, or `None` for a line rejected
    /// quietly after a [`FormatHint`]. Unknown field names are noted here, in input order, so
    /// that the bounded set is the same however the lines were parsed.
    pub fn settle(&mut self, raw: &RawLine, parsed: Parsed) -> Option<Entry> {
        let line = raw.line;
        if raw.too_long {
            let error = field_err(
                "(record)",
                format!("line longer than {MAX_LINE_BYTES} bytes"),
            );
            return Some(Entry::Rejected(LineError { line, error }));
        }
        for name in parsed.unknown {
            note_unknown(&mut self.unknown, name);
        }
        Some(match parsed.result {
            Ok(profile) => Entry::Profile { line, profile },
            Err(_) if self.hint.is_some() => {
                self.quiet_rejected += 1;
                return None;
            }
            Err(error) => {
                if raw.first {
                    if let Some(h) = FormatHint::detect(&raw.bytes, &error) {
                        self.hint = Some(h);
                        let error = field_err("(input)", h.message());
                        return Some(Entry::Rejected(LineError { line, error }));
                    }
                }
                Entry::Rejected(LineError { line, error })
            }
        })
    }
}

/// One non-blank input line, read but not parsed yet (see [`ProfileReader::next_line`]).
#[derive(Debug)]
pub struct RawLine {
    /// The line's 1-based number.
    pub line: u64,
    /// The line without its end and byte-order mark; empty for a line that was too long.
    bytes: Vec<u8>,
    too_long: bool,
    /// Whether this is the first non-blank line of the input.
    first: bool,
}

impl RawLine {
    /// Parses the line; independent of every other line, so lines may be parsed in parallel.
    pub fn parse(&self) -> Parsed {
        let mut unknown = Vec::new();
        let result = if self.too_long {
            // Settled without looking at the result (see `ProfileReader::settle`).
            Err(field_err("(record)", "too long"))
        } else {
            parse_line_noting(&self.bytes, &mut |name| unknown.push(name))
        };
        Parsed { result, unknown }
    }

    /// The line's length in bytes as held in memory.
    pub fn len(&self) -> usize {
        self.bytes.len()
    }

    /// Whether no byte of the line is held (a line too long to keep).
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }
}

/// A parsed [`RawLine`], to be settled in input order by [`ProfileReader::settle`].
#[derive(Debug)]
pub struct Parsed {
    result: Result<Profile, FieldError>,
    /// Unknown top-level field names, sanitised, in the order they were met.
    unknown: Vec<String>,
}

impl Parsed {
    /// The profile, when the line is valid.
    pub fn profile(&self) -> Option<&Profile> {
        self.result.as_ref().ok()
    }

    /// Drops all of the profile but its id, for a caller that is done with the rest where the
    /// line was parsed (memory is then freed by the thread that allocated it).
    pub fn keep_only_id(&mut self) {
        if let Ok(p) = &mut self.result {
            *p = Profile {
                id: std::mem::take(&mut p.id),
                ..Profile::default()
            };
        }
    }
}

impl<R: BufRead> Iterator for ProfileReader<R> {
    type Item = io::Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let raw = match self.next_line()? {
                Ok(raw) => raw,
                Err(e) => return Some(Err(e)),
            };
            let parsed = raw.parse();
            if let Some(entry) = self.settle(&raw, parsed) {
                return Some(Ok(entry));
            }
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
