//! Everything the binary writes goes through here: score records in the formats users asked
//! for, text reports, and messages on standard error. This is the one place that decides what
//! a write failure means:
//!
//! - a reader that closes the pipe early (`linkscreen score ... | head`, on standard output or
//!   standard error) is a normal, quiet end of the run: status 0;
//! - any other failure (standard output closed, disk full, I/O error) is reported with the
//!   exact number of complete records written, and the run fails.
//!
//! Standard output is written through a duplicate of descriptor 1 rather than `std::io::stdout`,
//! which silently discards writes to a closed descriptor. Messages on standard error never
//! panic (`eprintln!` in the CLI is [`stderr_line`], which ignores a closed pipe).

use std::fs::File;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};

use clap::ValueEnum;
use linkscreen::score::ScoreRecord;

use super::escape::{csv_cell, escape};
use super::Status;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// Score records as JSON Lines (profile format v1 score records).
    Jsonl,
    /// One CSV row per profile; reasons joined with " | ".
    Csv,
    /// An aligned table for reading in a terminal.
    Table,
    /// One self-contained HTML page: a summary, then one card per profile, riskiest first.
    Html,
}

/// Whether an I/O error means the reader went away, which ends a run quietly.
fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// What a finished write means, for every command: `Ok(Some(value))` it succeeded, `Ok(None)`
/// the reader closed the pipe (`| head`), a normal and quiet end; `Err` any other failure.
pub fn unless_closed<T>(result: io::Result<T>) -> io::Result<Option<T>> {
    match result {
        Err(e) if is_broken_pipe(&e) => Ok(None),
        other => other.map(Some),
    }
}

/// The status of a command whose output writing ended with `result`: a closed pipe is a
/// normal end ([`Status::Success`]), any other error is fatal.
pub fn finish(result: io::Result<()>, status: Status) -> anyhow::Result<Status> {
    match unless_closed(result) {
        Ok(Some(())) => Ok(status),
        Ok(None) => Ok(Status::Success),
        Err(e) => Err(anyhow::Error::new(e).context("writing output")),
    }
}

static STDERR_CLOSED: AtomicBool = AtomicBool::new(false);

/// Whether a reader of standard error has closed it (`2>&1 | head`).
pub fn stderr_closed() -> bool {
    STDERR_CLOSED.load(Ordering::Relaxed)
}

/// Writes one line on standard error; a closed pipe is remembered, never a panic.
pub fn stderr_line(args: std::fmt::Arguments<'_>) {
    if stderr_closed() {
        return;
    }
    let mut err = io::stderr().lock();
    if let Err(e) = err.write_fmt(args).and_then(|_| err.write_all(b"\n")) {
        if is_broken_pipe(&e) {
            STDERR_CLOSED.store(true, Ordering::Relaxed);
        }
    }
}

/// Library code that logs with the standard `eprintln!` (training progress) panics when its
/// reader has closed standard error. Installed first thing in `main`, this hook turns exactly
/// that panic into the documented quiet end (status 0) and leaves every other panic alone.
pub fn install_closed_pipe_hook() {
    let default = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| payload.downcast_ref::<&str>().copied())
            .unwrap_or("");
        if msg.starts_with("failed printing to std") && msg.contains("Broken pipe") {
            std::process::exit(0);
        }
        default(info);
    }));
}

static STDOUT_CLOSED: AtomicBool = AtomicBool::new(false);

/// Writes one line on standard output for `println!` in the CLI; a closed pipe is remembered
/// (see [`stdout_closed`]), never a panic.
pub fn stdout_line(args: std::fmt::Arguments<'_>) {
    if STDOUT_CLOSED.load(Ordering::Relaxed) {
        return;
    }
    let mut out = stdout();
    if let Err(e) = out.write_fmt(args).and_then(|_| out.write_all(b"\n")) {
        if is_broken_pipe(&e) {
            STDOUT_CLOSED.store(true, Ordering::Relaxed);
        } else {
            stderr_line(format_args!("linkscreen: error: writing output: {e}"));
        }
    }
}

static STDOUT_CLOSED_AT_START: AtomicBool = AtomicBool::new(false);

/// Records, before `main` and before the standard library's start-up code reopens a closed
/// descriptor 0-2 as `/dev/null`, whether standard output was closed (`linkscreen ... >&-`).
/// Without this, records written to a closed standard output would vanish into `/dev/null`
/// and the run would report success.
#[cfg(target_os = "linux")]
extern "C" fn note_closed_stdout() {
    use std::os::fd::BorrowedFd;
    // SAFETY: descriptor 1 is only borrowed for one `fcntl(F_DUPFD_CLOEXEC)`, whose result
    // (a new descriptor or EBADF) is all that is looked at; the duplicate is closed at once.
    let dup = unsafe { BorrowedFd::borrow_raw(1) }.try_clone_to_owned();
    if dup.is_err_and(|e| e.raw_os_error() == Some(9)) {
        STDOUT_CLOSED_AT_START.store(true, Ordering::Relaxed);
    }
}

#[cfg(target_os = "linux")]
#[used]
#[link_section = ".init_array"]
static NOTE_CLOSED_STDOUT: extern "C" fn() = note_closed_stdout;

/// Standard output as an unbuffered file; a closed descriptor 1 gives an error on every write.
pub struct Stdout(Result<File, (io::ErrorKind, String)>);

impl Write for Stdout {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.0 {
            Ok(f) => f.write(buf),
            Err((kind, msg)) => Err(io::Error::new(*kind, format!("standard output: {msg}"))),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.0 {
            Ok(f) => f.flush(),
            Err((kind, msg)) => Err(io::Error::new(*kind, format!("standard output: {msg}"))),
        }
    }
}

/// Opens standard output for writing (see [`Stdout`]).
pub fn stdout() -> Stdout {
    use std::os::fd::AsFd;
    if STDOUT_CLOSED_AT_START.load(Ordering::Relaxed) {
        return Stdout(Err((
            io::ErrorKind::Other,
            "closed (Bad file descriptor)".into(),
        )));
    }
    Stdout(
        io::stdout()
            .as_fd()
            .try_clone_to_owned()
            .map(File::from)
            .map_err(|e| (e.kind(), e.to_string())),
    )
}

/// Writes score records one at a time, in one of the [`Format`]s. Records are buffered and
/// handed to the output on [`RecordWriter::flush`]; the writer keeps track of where each
/// record ends, so that after a failed write it knows exactly how many complete records the
/// output received.
pub struct RecordWriter<W: Write> {
    out: W,
    format: Format,
    evidence: bool,
    header_done: bool,
    buf: Vec<u8>,
    /// Offsets in `buf` where each buffered record ends.
    ends: Vec<usize>,
    /// Complete records handed to the output: what a reader of the output is sure to have.
    pub written: u64,
    /// `Format::Html`: the records held until the page is written.
    html: Option<super::html::Report>,
    /// Records held in `html`.
    held: u64,
}

impl<W: Write> RecordWriter<W> {
    pub fn new(out: W, format: Format, evidence: bool) -> Self {
        RecordWriter {
            out,
            format,
            evidence,
            header_done: false,
            buf: Vec::with_capacity(1 << 16),
            ends: Vec::new(),
            written: 0,
            html: (format == Format::Html).then(Default::default),
            held: 0,
        }
    }

    /// Writes a record with the profile it scores (the HTML page quotes the profile's text).
    pub fn write_with(
        &mut self,
        r: ScoreRecord,
        p: &linkscreen::profile::Profile,
    ) -> io::Result<()> {
        match &mut self.html {
            Some(h) => {
                h.push(r, Some(p), self.evidence);
                self.held += 1;
                Ok(())
            }
            None => self.write(r),
        }
    }

    /// The HTML page being assembled (`Format::Html` only).
    pub fn html_report(&mut self) -> Option<&mut super::html::Report> {
        self.html.as_mut()
    }

    /// Writes the HTML page of the records held (nothing more for the other formats), then
    /// flushes; the held records count as written once the whole page is out.
    pub fn finish(&mut self, ctx: &super::html::Context) -> io::Result<()> {
        self.flush()?;
        if let Some(h) = self.html.take() {
            h.render(ctx, &mut self.out)?;
            self.out.flush()?;
            self.written += std::mem::take(&mut self.held);
        }
        Ok(())
    }

    pub fn write(&mut self, r: ScoreRecord) -> io::Result<()> {
        if self.format == Format::Html {
            let mut r = r;
            if !self.evidence {
                for reason in &mut r.reasons {
                    reason.evidence = None;
                }
            }
            if let Some(h) = &mut self.html {
                h.push(r, None, self.evidence);
            }
            self.held += 1;
            return Ok(());
        }
        let mut bytes = Vec::new();
        self.renderer().render(r, &mut bytes)?;
        self.push_rendered(&bytes);
        Ok(())
    }

    /// How this writer renders one record (for rendering records on other threads).
    pub fn renderer(&self) -> Renderer {
        Renderer {
            format: self.format,
            evidence: self.evidence,
        }
    }

    /// Buffers one record rendered by [`Self::renderer`] (not for `Format::Html`), after the
    /// header when it is the first.
    pub fn push_rendered(&mut self, record: &[u8]) {
        if !self.header_done {
            match self.format {
                Format::Csv => self
                    .buf
                    .extend_from_slice(b"id,score,verdict,engine,reasons\n"),
                Format::Table => self.buf.extend_from_slice(
                    format!("{:<24} {:>6}  {:<12} reasons\n", "id", "score", "verdict").as_bytes(),
                ),
                Format::Jsonl | Format::Html => {}
            }
        }
        self.buf.extend_from_slice(record);
        self.header_done = true;
        self.ends.push(self.buf.len());
    }

    /// Hands the buffered records to the output and flushes it; on failure, [`Self::written`]
    /// still counts exactly the records the output received whole.
    pub fn flush(&mut self) -> io::Result<()> {
        let mut pos = 0;
        let result = loop {
            if pos == self.buf.len() {
                break self.out.flush();
            }
            match self.out.write(&self.buf[pos..]) {
                Ok(0) => break Err(io::Error::from(io::ErrorKind::WriteZero)),
                Ok(n) => pos += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        let complete = self.ends.iter().take_while(|&&end| end <= pos).count();
        self.written += complete as u64;
        self.ends.drain(..complete);
        self.buf.drain(..pos);
        for end in &mut self.ends {
            *end -= pos;
        }
        result
    }
}

/// Renders score records as one of the text formats, on any thread: what
/// [`RecordWriter::write`] buffers for one record, without the header.
#[derive(Debug, Clone, Copy)]
pub struct Renderer {
    format: Format,
    evidence: bool,
}

impl Renderer {
    /// Appends one record (with its line end) to `out`; `Format::Html` writes nothing here.
    pub fn render(&self, mut r: ScoreRecord, out: &mut Vec<u8>) -> io::Result<()> {
        if !self.evidence {
            for reason in &mut r.reasons {
                reason.evidence = None;
            }
        }
        match self.format {
            Format::Html => {}
            Format::Jsonl => {
                serde_json::to_writer(&mut *out, &r)?;
                out.push(b'\n');
            }
            Format::Csv => {
                let mut w = csv::WriterBuilder::new()
                    .has_headers(false)
                    .from_writer(Vec::new());
                let reasons = r
                    .reasons
                    .iter()
                    .map(|x| match &x.evidence {
                        Some(e) => format!("{} ({:+.2}): {e}", x.code, x.weight),
                        None => format!("{} ({:+.2})", x.code, x.weight),
                    })
                    .collect::<Vec<_>>()
                    .join(" | ");
                w.write_record([
                    csv_cell(&r.id).as_ref(),
                    &format!("{:.4}", r.score),
                    r.verdict.as_str(),
                    r.engine.as_str(),
                    &csv_cell(&reasons),
                ])
                .map_err(io::Error::other)?;
                let bytes = w
                    .into_inner()
                    .map_err(|e| io::Error::other(e.to_string()))?;
                out.extend_from_slice(&bytes);
            }
            Format::Table => {
                let id = escape(&r.id);
                let id: String = if id.chars().count() > 24 {
                    id.chars().take(23).chain(['…']).collect()
                } else {
                    id.into_owned()
                };
                let reasons = r
                    .reasons
                    .iter()
                    .take(4)
                    .map(|x| format!("{} {:+.2}", escape(&x.code), x.weight))
                    .collect::<Vec<_>>()
                    .join(", ");
                writeln!(
                    out,
                    "{id:<24} {:>6.3}  {:<12} {reasons}",
                    r.score,
                    r.verdict.as_str()
                )?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Accepts `limit` bytes, then fails as a full disk does.
    struct Full {
        got: Vec<u8>,
        limit: usize,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let room = self.limit - self.got.len();
            if room == 0 {
                return Err(io::Error::from_raw_os_error(28));
            }
            let n = room.min(buf.len()).min(7);
            self.got.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    fn record(id: &str) -> ScoreRecord {
        let a = linkscreen::score::Assessment {
            score: 0.5,
            reasons: Vec::new(),
        };
        let t = linkscreen::score::Thresholds {
            review: 0.5,
            fake: 0.8,
        };
        let p = linkscreen::profile::Profile {
            id: id.to_owned(),
            about: Some("An about text long enough to be judged by every engine.".into()),
            ..Default::default()
        };
        ScoreRecord::new(&p, a, linkscreen::score::EngineKind::Rules, &t)
    }

    #[test]
    fn a_failed_write_counts_exactly_the_complete_records() {
        for limit in 0..200 {
            let mut w = RecordWriter::new(
                Full {
                    got: Vec::new(),
                    limit,
                },
                Format::Jsonl,
                true,
            );
            for i in 0..5 {
                w.write(record(&format!("p{i}"))).unwrap();
            }
            let result = w.flush();
            let complete = w.out.got.iter().filter(|&&b| b == b'\n').count() as u64;
            assert_eq!(w.written, complete, "limit {limit}");
            assert_eq!(result.is_err(), complete < 5, "limit {limit}");
        }
    }
}
