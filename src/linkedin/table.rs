//! One CSV file of the export: UTF-8 with or without a byte-order mark, RFC 4180 quoting
//! (commas and newlines inside quoted fields), and a header that may come after a few lines of
//! notes (`Connections.csv` starts with `Notes:`). Columns are found by name, case-insensitively.

use std::collections::HashMap;

use super::ExportError;

/// The data rows of a file, with access by column name.
#[derive(Debug)]
pub(super) struct Table {
    /// The file name as found in the export, for messages.
    pub file: String,
    cols: HashMap<String, usize>,
    /// Data rows, numbered from 1 after the header.
    pub rows: Vec<(u64, csv::StringRecord)>,
}

impl Table {
    /// The trimmed value of a column, empty when the column or the cell is missing.
    pub fn get<'a>(&self, rec: &'a csv::StringRecord, col: &str) -> &'a str {
        self.cols
            .get(&col.to_ascii_lowercase())
            .and_then(|&i| rec.get(i))
            .map(str::trim)
            .unwrap_or("")
    }

    /// Whether the header has this column.
    pub fn has(&self, col: &str) -> bool {
        self.cols.contains_key(&col.to_ascii_lowercase())
    }
}

fn header_name(s: &str) -> String {
    s.trim_start_matches('\u{feff}').trim().to_ascii_lowercase()
}

/// Parses `bytes` as the export file `file`, whose header must name every `required` column.
/// Rows the CSV reader cannot read are skipped with a note naming the file and row.
pub(super) fn read(
    file: &str,
    bytes: &[u8],
    required: &[&str],
    notes: &mut Vec<String>,
) -> Result<Table, ExportError> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => std::borrow::Cow::Borrowed(t),
        Err(_) => {
            notes.push(format!(
                "{file}: not valid UTF-8; undecodable bytes replaced by U+FFFD"
            ));
            String::from_utf8_lossy(bytes)
        }
    };
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut cols: Option<HashMap<String, usize>> = None;
    let mut rows = Vec::new();
    let mut row = 0u64;
    for rec in reader.records() {
        if cols.is_some() {
            row += 1;
        }
        let rec = match rec {
            Ok(r) => r,
            Err(e) => {
                let at = if cols.is_some() {
                    format!("row {row}")
                } else {
                    "before the header".to_owned()
                };
                let reason = match e.kind() {
                    csv::ErrorKind::Utf8 { .. } => "not valid UTF-8".to_owned(),
                    _ => "unreadable CSV".to_owned(),
                };
                notes.push(format!("{file} {at}: (row): {reason}; skipped"));
                continue;
            }
        };
        match &cols {
            None => {
                let names: Vec<String> = rec.iter().map(header_name).collect();
                if required
                    .iter()
                    .all(|c| names.contains(&c.to_ascii_lowercase()))
                {
                    let mut map = HashMap::new();
                    for (i, n) in names.into_iter().enumerate() {
                        map.entry(n).or_insert(i);
                    }
                    cols = Some(map);
                }
            }
            Some(_) => {
                if rec.iter().all(|f| f.trim().is_empty()) {
                    continue;
                }
                rows.push((row, rec));
            }
        }
    }
    let Some(cols) = cols else {
        return Err(ExportError::NoHeader {
            file: file.to_owned(),
            columns: required.join(","),
        });
    };
    Ok(Table {
        file: file.to_owned(),
        cols,
        rows,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_header_after_notes_and_a_bom() {
        let text = "\u{feff}Notes:\n\"When exporting, some emails, are missing.\"\n\nFirst Name,Last Name,URL\nAda,\"Love, lace\",https://www.linkedin.com/in/ada\n\n\"Multi\nline\",B,u\n";
        let mut notes = Vec::new();
        let t = read(
            "Connections.csv",
            text.as_bytes(),
            &["First Name", "URL"],
            &mut notes,
        )
        .unwrap();
        assert!(notes.is_empty());
        assert_eq!(t.rows.len(), 2);
        let (n, r) = &t.rows[0];
        assert_eq!(*n, 1);
        assert_eq!(t.get(r, "last name"), "Love, lace");
        assert_eq!(t.get(&t.rows[1].1, "First Name"), "Multi\nline");
        assert_eq!(t.get(r, "Company"), "");
        assert!(!t.has("Company"));
    }

    #[test]
    fn a_file_without_the_header_is_an_error() {
        let mut notes = Vec::new();
        let e = read("messages.csv", b"a,b\n1,2\n", &["FROM"], &mut notes).unwrap_err();
        assert!(e.to_string().contains("messages.csv"));
    }
}
