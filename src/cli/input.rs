//! Reading the input files of `check`, `score` and `eval`: several files in one run, errors
//! that name the file, a progress bar for large inputs when standard error is a terminal, and
//! what `check` and `score` report about their input (counts, duplicated ids, reader notes).

use std::cell::Cell;
use std::io::{self, BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use indicatif::{ProgressBar, ProgressStyle};
use linkscreen::profile::ProfileReader;

use super::escape::escape_bounded;

/// Inputs at least this large (in bytes, all files together) get a progress bar.
pub const PROGRESS_MIN_BYTES: u64 = 16 * 1024 * 1024;

/// A spinner for work without a byte count (evaluation), on a terminal for large inputs only.
pub fn spinner(file: &Path) -> Option<ProgressBar> {
    let size = std::fs::metadata(file).map(|m| m.len()).unwrap_or(0);
    (io::stderr().is_terminal() && size >= PROGRESS_MIN_BYTES).then(|| {
        let bar = ProgressBar::new_spinner();
        bar.enable_steady_tick(std::time::Duration::from_millis(200));
        bar
    })
}

/// Counts the bytes read through it.
struct Counting<R> {
    inner: R,
    read: Rc<Cell<u64>>,
}

impl<R: Read> Read for Counting<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.read.set(self.read.get() + n as u64);
        Ok(n)
    }
}

/// The input files of a run and the progress shown while reading them.
pub struct Inputs {
    pub files: Vec<PathBuf>,
    read: Rc<Cell<u64>>,
    bar: Option<ProgressBar>,
}

impl Inputs {
    /// `verb` names the work in the bar (`scored`, `checked`).
    pub fn new(files: Vec<PathBuf>, verb: &str) -> Inputs {
        let total: u64 = files
            .iter()
            .filter(|f| f.as_os_str() != "-")
            .filter_map(|f| std::fs::metadata(f).ok())
            .map(|m| m.len())
            .sum();
        let bar = (io::stderr().is_terminal() && total >= PROGRESS_MIN_BYTES).then(|| {
            let bar = ProgressBar::new(total);
            let template = format!(
                "{{bar:40}} {{percent:>3}}% {{binary_bytes}}/{{binary_total_bytes}}, {verb} {{msg}}, eta {{eta}}"
            );
            if let Ok(style) = ProgressStyle::with_template(&template) {
                bar.set_style(style);
            }
            bar
        });
        Inputs {
            files,
            read: Rc::new(Cell::new(0)),
            bar,
        }
    }

    /// How a file is named in messages: only when there are several.
    pub fn prefix(&self, file: &Path) -> String {
        if self.files.len() > 1 {
            format!("{}: ", file.display())
        } else {
            String::new()
        }
    }

    /// Opens one input file (`-` is standard input), counting what is read from it.
    pub fn open(&self, path: &Path) -> io::Result<ProfileReader<Box<dyn BufRead>>> {
        let inner: Box<dyn Read> = if path.as_os_str() == "-" {
            Box::new(io::stdin())
        } else {
            Box::new(std::fs::File::open(path)?)
        };
        let counting = Counting {
            inner,
            read: Rc::clone(&self.read),
        };
        Ok(ProfileReader::new(Box::new(io::BufReader::with_capacity(
            1 << 16,
            counting,
        ))))
    }

    /// Moves the bar to the bytes read so far, with `done` records.
    pub fn tick(&self, done: u64) {
        if let Some(bar) = &self.bar {
            bar.set_position(self.read.get());
            bar.set_message(format!("{done} profiles"));
        }
    }

    /// Removes the bar before the summary is printed.
    pub fn finish(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

/// Counts kept for the run's summary line.
#[derive(Debug, Default)]
pub struct Tally {
    pub processed: u64,
    pub rejected: u64,
}

impl Tally {
    pub fn status(&self) -> super::Status {
        if self.rejected > 0 {
            super::Status::Rejected
        } else {
            super::Status::Success
        }
    }
}

/// Most ids reported as duplicated, and most line numbers listed for each.
const MAX_DUPLICATE_IDS: usize = 20;
const MAX_DUPLICATE_LINES: usize = 10;

/// Finds ids given more than once in one input, with bounded memory for the report: every id
/// is remembered by a 64-bit hash with its first line; only duplicated ids are kept in full.
#[derive(Default)]
pub struct Duplicates {
    first: std::collections::HashMap<u64, u64>,
    /// Duplicated ids with their line numbers, in order of first duplication.
    found: Vec<(String, Vec<u64>)>,
    /// Duplicated ids beyond those kept.
    more: u64,
}

impl Duplicates {
    pub fn note(&mut self, id: &str, line: u64) {
        use std::hash::{BuildHasher, Hasher};
        // A fixed hasher: the same input always gives the same report.
        let mut h =
            std::hash::BuildHasherDefault::<std::collections::hash_map::DefaultHasher>::default()
                .build_hasher();
        h.write(id.as_bytes());
        let first = *self.first.entry(h.finish()).or_insert(line);
        if first == line {
            return;
        }
        if let Some((_, lines)) = self.found.iter_mut().find(|(i, _)| i == id) {
            if lines.len() < MAX_DUPLICATE_LINES {
                lines.push(line);
            }
        } else if self.found.len() < MAX_DUPLICATE_IDS {
            self.found.push((id.to_owned(), vec![first, line]));
        } else {
            self.more += 1;
        }
    }

    /// One warning per duplicated id, with its line numbers.
    pub fn report(&self) {
        for (id, lines) in &self.found {
            let list: Vec<String> = lines.iter().map(u64::to_string).collect();
            let more = if lines.len() == MAX_DUPLICATE_LINES {
                ", ..."
            } else {
                ""
            };
            eprintln!(
                "linkscreen: warning: id \"{}\" is given more than once (lines {}{more}); each line is processed on its own",
                escape_bounded(id, 64),
                list.join(", ")
            );
        }
        if self.more > 0 {
            eprintln!(
                "linkscreen: warning: {} more duplicated ids not listed",
                self.more
            );
        }
    }
}

/// The notes a reader has for the end of a run: unknown field names (sanitised and bounded by
/// the reader; only their number when `names` is false), a byte-order mark, a format hint.
pub fn report_input<R: BufRead>(reader: &ProfileReader<R>, names: bool) {
    let fields = reader.unknown_fields();
    if !fields.is_empty() {
        let more = fields.contains(linkscreen::profile::MORE_UNKNOWN);
        let shown = fields.len() - usize::from(more);
        if names {
            let list: Vec<&str> = fields
                .iter()
                .filter(|f| f.as_str() != linkscreen::profile::MORE_UNKNOWN)
                .map(String::as_str)
                .collect();
            eprintln!(
                "linkscreen: note: ignored unknown fields: {}{}",
                list.join(", "),
                if more { ", and more" } else { "" }
            );
        } else {
            eprintln!(
                "linkscreen: note: ignored {shown}{} unknown field names (not shown with --no-evidence)",
                if more { "+" } else { "" }
            );
        }
    }
    if reader.had_bom() {
        eprintln!(
            "linkscreen: note: the UTF-8 byte-order mark at the start of the input was ignored"
        );
    }
    if reader.format_hint().is_some() && reader.quiet_rejected() > 0 {
        eprintln!(
            "linkscreen: {} further lines rejected as not JSON Lines (not listed one by one)",
            reader.quiet_rejected()
        );
    }
    if reader.is_empty() {
        eprintln!("linkscreen: note: the input is empty: no profile to read");
    }
}
