//! What a rejection says: the field's path and the reason, never profile text. Values are
//! described by their kind and size, and a value written another common way gets a hint of
//! how to write it (`"500+"`: use 500).

use serde_json::Value;

/// Why one field of a record was rejected. `field` is a path such as `experience[2].start`;
/// `reason` never contains profile text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    pub field: String,
    pub reason: String,
}

/// A rejected input line: its 1-based number and what was wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}: {error}")]
pub struct LineError {
    pub line: u64,
    pub error: FieldError,
}

pub(super) fn field_err(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Describes a string without quoting it: field values are profile text.
pub(super) fn describe_text(s: &str) -> String {
    format!("a string of {} characters", s.chars().count())
}

/// Describes a JSON value for an error message without quoting any text it holds.
pub(super) fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => describe_text(s),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

/// A hint for a count written as text, such as `"500+"` or `"1,200"`: the number to write.
/// Only digits are echoed, never other text.
pub(super) fn count_hint(s: &str) -> String {
    let t = s.trim().trim_end_matches('+').trim();
    let digits: String = t.chars().filter(|c| c.is_ascii_digit()).collect();
    let plain = t
        .chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c == ' ' || c == '\u{202F}');
    if plain && !digits.is_empty() && digits.len() <= 10 {
        format!(
            " (use {}, a number without quotes)",
            digits.trim_start_matches('0').max("0")
        )
    } else {
        String::new()
    }
}

/// A hint for a month written another way (`"Jan 2023"`, `"2023/01"`, `"Present"`).
pub(super) fn month_hint(s: &str, is_end: bool) -> String {
    let t = s.trim().to_ascii_lowercase();
    const CURRENT: [&str; 8] = [
        "present",
        "current",
        "now",
        "today",
        "ongoing",
        "aujourd'hui",
        "heute",
        "actuel",
    ];
    if CURRENT.contains(&t.as_str()) {
        return if is_end {
            " (use null for a current position)".into()
        } else {
            String::new()
        };
    }
    const MONTHS: [&str; 12] = [
        "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
    ];
    let parts: Vec<&str> = t
        .split([' ', '/', '-', '.', ','])
        .filter(|p| !p.is_empty())
        .collect();
    let year = |p: &str| {
        (p.len() == 4 && p.bytes().all(|b| b.is_ascii_digit()))
            .then(|| p.parse::<u16>().ok())
            .flatten()
            .filter(|y| (1900..=2100).contains(y))
    };
    let month = |p: &str| -> Option<usize> {
        if p.len() <= 2 && p.bytes().all(|b| b.is_ascii_digit()) {
            return p.parse::<usize>().ok().filter(|m| (1..=12).contains(m));
        }
        MONTHS
            .iter()
            .position(|m| p.len() >= 3 && p.starts_with(m) && p.is_ascii())
            .map(|i| i + 1)
    };
    let found = match parts.as_slice() {
        [a, b] => match (year(a), month(b), month(a), year(b)) {
            (Some(y), Some(m), _, _) | (_, _, Some(m), Some(y)) => Some((y, m)),
            _ => None,
        },
        [a] => year(a).map(|y| (y, 0)),
        _ => None,
    };
    match found {
        Some((y, 0)) => format!(" (use \"{y}-MM\" with the month)"),
        Some((y, m)) => format!(" (use \"{y}-{m:02}\")"),
        None => String::new(),
    }
}
