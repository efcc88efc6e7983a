//! Writing score records to standard output in the formats users asked for, treating a closed
//! pipe (`linkscreen score ... | head`) as a normal end of the run.

use std::io::{self, Write};

use clap::ValueEnum;
use linkscreen::score::ScoreRecord;

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
pub fn is_broken_pipe(e: &io::Error) -> bool {
    e.kind() == io::ErrorKind::BrokenPipe
}

/// Writes score records one at a time, in one of the [`Format`]s.
pub struct RecordWriter<W: Write> {
    out: W,
    format: Format,
    evidence: bool,
    header_done: bool,
    /// Records handed to the writer since the last successful flush.
    pending: u64,
    /// Records flushed to the output: what a reader of the output is sure to have.
    pub written: u64,
    /// `Format::Html`: the records held until the page is written.
    html: Option<super::html::Report>,
}

impl<W: Write> RecordWriter<W> {
    pub fn new(out: W, format: Format, evidence: bool) -> Self {
        RecordWriter {
            out,
            format,
            evidence,
            header_done: false,
            pending: 0,
            written: 0,
            html: (format == Format::Html).then(Default::default),
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
                self.pending += 1;
                Ok(())
            }
            None => self.write(r),
        }
    }

    /// The HTML page being assembled (`Format::Html` only).
    pub fn html_report(&mut self) -> Option<&mut super::html::Report> {
        self.html.as_mut()
    }

    /// Writes the HTML page of the records held (nothing for the other formats).
    pub fn finish(&mut self, ctx: &super::html::Context) -> io::Result<()> {
        if let Some(h) = self.html.take() {
            h.render(ctx, &mut self.out)?;
        }
        self.flush_all()
    }

    pub fn write(&mut self, mut r: ScoreRecord) -> io::Result<()> {
        if !self.evidence {
            for reason in &mut r.reasons {
                reason.evidence = None;
            }
        }
        match self.format {
            Format::Html => {
                if let Some(h) = &mut self.html {
                    h.push(r, None, self.evidence);
                }
                self.pending += 1;
                return Ok(());
            }
            Format::Jsonl => {
                serde_json::to_writer(&mut self.out, &r)?;
                self.out.write_all(b"\n")?;
            }
            Format::Csv => {
                if !self.header_done {
                    self.out.write_all(b"id,score,verdict,engine,reasons\n")?;
                }
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
                    r.id.as_str(),
                    &format!("{:.4}", r.score),
                    r.verdict.as_str(),
                    r.engine.as_str(),
                    &reasons,
                ])
                .map_err(io::Error::other)?;
                let bytes = w
                    .into_inner()
                    .map_err(|e| io::Error::other(e.to_string()))?;
                self.out.write_all(&bytes)?;
            }
            Format::Table => {
                if !self.header_done {
                    writeln!(
                        self.out,
                        "{:<24} {:>6}  {:<8} reasons",
                        "id", "score", "verdict"
                    )?;
                }
                let id: String = if r.id.chars().count() > 24 {
                    r.id.chars().take(23).chain(['…']).collect()
                } else {
                    r.id.clone()
                };
                let reasons = r
                    .reasons
                    .iter()
                    .take(4)
                    .map(|x| format!("{} {:+.2}", x.code, x.weight))
                    .collect::<Vec<_>>()
                    .join(", ");
                writeln!(
                    self.out,
                    "{id:<24} {:>6.3}  {:<8} {reasons}",
                    r.score,
                    r.verdict.as_str()
                )?;
            }
        }
        self.header_done = true;
        self.pending += 1;
        Ok(())
    }

    /// Flushes the output; only then do the records count as written (HTML records count
    /// once [`RecordWriter::finish`] has written the page).
    pub fn flush(&mut self) -> io::Result<()> {
        if self.html.is_some() {
            return self.out.flush();
        }
        self.flush_all()
    }

    fn flush_all(&mut self) -> io::Result<()> {
        self.out.flush()?;
        self.written += self.pending;
        self.pending = 0;
        Ok(())
    }
}
