//! Reading a CSV file row by row with named columns, strict field counts, per-row errors that
//! never quote content, and exact-duplicate removal.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use crate::meta::Meta;
use crate::profile::{Profile, MAX_COUNT};

use super::{DatasetError, Imported, RowError};

/// What is wrong with one value of a row.
#[derive(Debug)]
pub(super) struct Bad {
    pub field: String,
    pub reason: String,
}

pub(super) fn bad(field: &str, reason: impl Into<String>) -> Bad {
    Bad {
        field: field.to_owned(),
        reason: reason.into(),
    }
}

/// One CSV row with access by column name.
pub(super) struct Row<'a> {
    rec: &'a csv::StringRecord,
    cols: &'a HashMap<String, usize>,
}

impl Row<'_> {
    /// The raw value of a column (required columns are checked when the file is opened).
    pub fn get(&self, col: &str) -> &str {
        self.cols
            .get(col)
            .and_then(|&i| self.rec.get(i))
            .unwrap_or("")
    }

    /// A count: a non-negative integer up to the format's maximum.
    pub fn count(&self, col: &str) -> Result<u64, Bad> {
        parse_count(col, self.get(col))
    }

    /// A 0/1 flag.
    pub fn flag(&self, col: &str) -> Result<bool, Bad> {
        match self.get(col).trim() {
            "0" => Ok(false),
            "1" => Ok(true),
            "" => Err(bad(col, "missing (expected 0 or 1)")),
            _ => Err(bad(col, "must be 0 or 1")),
        }
    }

    /// A ratio between 0 and 1.
    pub fn ratio(&self, col: &str) -> Result<f64, Bad> {
        match self.get(col).trim().parse::<f64>() {
            Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
            Ok(_) => Err(bad(col, "out of range (expected 0 to 1)")),
            Err(_) => Err(bad(col, "must be a number")),
        }
    }
}

/// Parses a count value, naming the field on failure.
pub(super) fn parse_count(field: &str, value: &str) -> Result<u64, Bad> {
    let v = value.trim();
    if v.is_empty() {
        return Err(bad(field, "missing (expected a non-negative integer)"));
    }
    match v.parse::<u64>() {
        Ok(n) if n <= MAX_COUNT => Ok(n),
        Ok(_) => Err(bad(field, format!("out of range (at most {MAX_COUNT})"))),
        Err(_) => Err(bad(field, "must be a non-negative integer")),
    }
}

/// Reads `path` (reported as `key`) as CSV with a header that must contain `required`; calls
/// `map` on every well-formed, non-duplicate row (`row` counts data rows from 1) and collects
/// what it returns into `out`. Rows equal in every column but `id_column` are duplicates.
pub(super) fn read_csv(
    key: &str,
    path: &Path,
    required: &[&str],
    id_column: Option<&str>,
    out: &mut Imported,
    mut map: impl FnMut(u64, &Row) -> Result<(Profile, Meta), Bad>,
) -> Result<(), DatasetError> {
    let io = |source| DatasetError::Io {
        file: key.to_owned(),
        source,
    };
    let file = std::fs::File::open(path).map_err(io)?;
    let mut reader = csv::ReaderBuilder::new()
        .flexible(false)
        .has_headers(true)
        .from_reader(std::io::BufReader::new(file));
    let headers = reader.headers().map_err(|_| DatasetError::Format {
        file: key.to_owned(),
        reason: "cannot read the CSV header".into(),
    })?;
    let cols: HashMap<String, usize> = headers
        .iter()
        .enumerate()
        .map(|(i, h)| (h.trim_start_matches('\u{feff}').trim().to_owned(), i))
        .collect();
    for col in required {
        if !cols.contains_key(*col) {
            return Err(DatasetError::MissingColumn {
                file: key.to_owned(),
                column: (*col).to_owned(),
            });
        }
    }
    let skip = id_column.and_then(|c| cols.get(c).copied());
    let mut seen: HashSet<String> = HashSet::new();
    for (i, result) in reader.records().enumerate() {
        let row = i as u64 + 1;
        let reject = |field: &str, reason: String| RowError {
            file: key.to_owned(),
            row,
            field: field.to_owned(),
            reason,
        };
        let rec = match result {
            Ok(r) => r,
            Err(e) => match e.into_kind() {
                csv::ErrorKind::Io(source) => return Err(io(source)),
                csv::ErrorKind::UnequalLengths {
                    expected_len, len, ..
                } => {
                    out.rejected.push(reject(
                        "(row)",
                        format!("has {len} fields, expected {expected_len}"),
                    ));
                    continue;
                }
                csv::ErrorKind::Utf8 { err, .. } => {
                    out.rejected.push(reject(
                        "(row)",
                        format!("field {} is not valid UTF-8", err.field() + 1),
                    ));
                    continue;
                }
                _ => {
                    out.rejected.push(reject("(row)", "malformed CSV".into()));
                    continue;
                }
            },
        };
        let dedupe_key: String = rec
            .iter()
            .enumerate()
            .filter(|(j, _)| Some(*j) != skip)
            .map(|(_, v)| v)
            .collect::<Vec<_>>()
            .join("\u{1f}");
        if !seen.insert(dedupe_key) {
            out.duplicates += 1;
            continue;
        }
        match map(
            row,
            &Row {
                rec: &rec,
                cols: &cols,
            },
        ) {
            Ok(record) => out.records.push(record),
            Err(b) => out.rejected.push(reject(&b.field, b.reason)),
        }
    }
    Ok(())
}
