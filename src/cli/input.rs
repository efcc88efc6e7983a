//! Reading the input files of `check`, `score` and `eval`: several files in one run, errors
//! that name the file, and a progress bar for large inputs when standard error is a terminal.

use std::cell::Cell;
use std::io::{self, BufRead, IsTerminal, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use indicatif::{ProgressBar, ProgressStyle};
use linkscreen::profile::ProfileReader;

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
