//! Validation of one record: JSON value to [`Profile`], or a [`FieldError`] naming the field.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::*;

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
fn describe_text(s: &str) -> String {
    format!("a string of {} characters", s.chars().count())
}

/// Describes a JSON value for an error message without quoting any text it holds.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => describe_text(s),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

pub(crate) const TOP_FIELDS: [&str; 26] = [
    "id",
    "platform",
    "name",
    "username",
    "headline",
    "about",
    "location",
    "website",
    "has_photo",
    "photo_flags",
    "verified",
    "account_age_days",
    "connections",
    "followers",
    "following",
    "mutual_connections",
    "posts",
    "endorsements",
    "recommendations",
    "experience",
    "education",
    "skills",
    "languages",
    "messages",
    "label",
    // Reserved for producers that stamp the format version; accepted and ignored.
    "format_version",
];

fn opt_string(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<String>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.clone())),
        Some(v) => Err(field_err(
            path,
            format!("must be a string, got {}", describe(v)),
        )),
    }
}

fn opt_bool(obj: &Map<String, Value>, key: &str) -> Result<Option<bool>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(v) => Err(field_err(
            key,
            format!("must be true or false, got {}", describe(v)),
        )),
    }
}

fn opt_count(obj: &Map<String, Value>, key: &str) -> Result<Option<u64>, FieldError> {
    let max = if key == "account_age_days" {
        MAX_ACCOUNT_AGE_DAYS
    } else {
        MAX_COUNT
    };
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v <= max => Ok(Some(v)),
            Some(v) => Err(field_err(
                key,
                format!("out of range (at most {max}), got {v}"),
            )),
            None => Err(field_err(
                key,
                format!("must be a non-negative integer, got {n}"),
            )),
        },
        Some(Value::String(s)) => Err(field_err(
            key,
            format!(
                "must be a non-negative integer, got {}{}",
                describe_text(s),
                count_hint(s)
            ),
        )),
        Some(v) => Err(field_err(
            key,
            format!("must be a non-negative integer, got {}", describe(v)),
        )),
    }
}

/// A hint for a count written as text, such as `"500+"` or `"1,200"`: the number to write.
/// Only digits are echoed, never other text.
fn count_hint(s: &str) -> String {
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
fn month_hint(s: &str, is_end: bool) -> String {
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

fn opt_array<'a>(
    obj: &'a Map<String, Value>,
    key: &str,
) -> Result<Option<&'a Vec<Value>>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Array(a)) => Ok(Some(a)),
        Some(v) => Err(field_err(
            key,
            format!("must be an array, got {}", describe(v)),
        )),
    }
}

fn string_list(obj: &Map<String, Value>, key: &str) -> Result<Option<Vec<String>>, FieldError> {
    let Some(items) = opt_array(obj, key)? else {
        return Ok(None);
    };
    items
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.clone()),
            v => Err(field_err(
                format!("{key}[{i}]"),
                format!("must be a string, got {}", describe(v)),
            )),
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

fn item_object<'a>(v: &'a Value, path: &str) -> Result<&'a Map<String, Value>, FieldError> {
    v.as_object()
        .ok_or_else(|| field_err(path, format!("must be an object, got {}", describe(v))))
}

fn year_month(
    obj: &Map<String, Value>,
    key: &str,
    path: &str,
) -> Result<Option<YearMonth>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => YearMonth::parse(s).map(Some).ok_or_else(|| {
            field_err(
                path,
                format!(
                    "must be a month \"YYYY-MM\" (1900-2100), got {}{}",
                    describe_text(s),
                    month_hint(s, key == "end")
                ),
            )
        }),
        Some(v) => Err(field_err(
            path,
            format!("must be a month \"YYYY-MM\", got {}", describe(v)),
        )),
    }
}

fn parse_position(v: &Value, i: usize) -> Result<Position, FieldError> {
    let base = format!("experience[{i}]");
    let o = item_object(v, &base)?;
    let p = |k: &str| format!("{base}.{k}");
    let start = year_month(o, "start", &p("start"))?;
    let end = match o.get("end") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => Some(year_month(o, "end", &p("end"))?),
    };
    if let (Some(s), Some(Some(e))) = (start, end) {
        if e < s {
            return Err(field_err(p("end"), format!("{e} is before start {s}")));
        }
    }
    Ok(Position {
        title: opt_string(o, "title", &p("title"))?,
        company: opt_string(o, "company", &p("company"))?,
        location: opt_string(o, "location", &p("location"))?,
        start,
        end,
        description: opt_string(o, "description", &p("description"))?,
    })
}

fn year(o: &Map<String, Value>, key: &str, path: &str) -> Result<Option<u16>, FieldError> {
    match o.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(y) if (1900..=2100).contains(&y) => Ok(Some(y as u16)),
            _ => Err(field_err(
                path,
                format!("must be a year between 1900 and 2100, got {n}"),
            )),
        },
        Some(v) => Err(field_err(
            path,
            format!("must be an integer year, got {}", describe(v)),
        )),
    }
}

fn parse_education(v: &Value, i: usize) -> Result<Education, FieldError> {
    let base = format!("education[{i}]");
    let o = item_object(v, &base)?;
    let p = |k: &str| format!("{base}.{k}");
    let start = year(o, "start", &p("start"))?;
    let end = year(o, "end", &p("end"))?;
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(field_err(p("end"), format!("{e} is before start {s}")));
        }
    }
    Ok(Education {
        school: opt_string(o, "school", &p("school"))?,
        degree: opt_string(o, "degree", &p("degree"))?,
        field: opt_string(o, "field", &p("field"))?,
        start,
        end,
    })
}

fn parse_message(v: &Value, i: usize) -> Result<Message, FieldError> {
    let base = format!("messages[{i}]");
    let o = item_object(v, &base)?;
    let direction = match o.get("direction") {
        None | Some(Value::Null) => Direction::Inbound,
        Some(Value::String(s)) if s == "inbound" => Direction::Inbound,
        Some(Value::String(s)) if s == "outbound" => Direction::Outbound,
        Some(Value::String(s)) => {
            return Err(field_err(
                format!("{base}.direction"),
                format!(
                    "must be \"inbound\" or \"outbound\", got {}",
                    describe_text(s)
                ),
            ))
        }
        Some(v) => {
            return Err(field_err(
                format!("{base}.direction"),
                format!("must be \"inbound\" or \"outbound\", got {}", describe(v)),
            ))
        }
    };
    let text = opt_string(o, "text", &format!("{base}.text"))?.unwrap_or_default();
    Ok(Message { direction, text })
}

fn enum_value<T: serde::de::DeserializeOwned>(
    obj: &Map<String, Value>,
    key: &str,
    allowed: &str,
) -> Result<Option<T>, FieldError> {
    match obj.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(v @ Value::String(s)) => serde_json::from_value(v.clone()).map(Some).map_err(|_| {
            field_err(
                key,
                format!("must be one of {allowed}, got {}", describe_text(s)),
            )
        }),
        Some(v) => Err(field_err(
            key,
            format!("must be one of {allowed}, got {}", describe(v)),
        )),
    }
}

/// Validates one decoded JSON value as a profile record. Unknown top-level field names are
/// added to `unknown`.
pub fn profile_from_value(
    v: &Value,
    unknown: &mut BTreeSet<String>,
) -> Result<Profile, FieldError> {
    let o = v.as_object().ok_or_else(|| {
        field_err(
            "(record)",
            format!("must be a JSON object, got {}", describe(v)),
        )
    })?;
    for k in o.keys() {
        if !TOP_FIELDS.contains(&k.as_str()) {
            // Bounded: at most MAX_UNKNOWN_NAMES sanitised names, then one marker.
            let name = sanitize_field_name(k);
            if unknown.len() < MAX_UNKNOWN_NAMES || unknown.contains(&name) {
                unknown.insert(name);
            } else {
                unknown.insert(MORE_UNKNOWN.to_owned());
            }
        }
    }
    let id = match o.get("id") {
        None | Some(Value::Null) => return Err(field_err("id", "is required")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(field_err("id", "must not be empty"))
        }
        Some(Value::String(s)) => s.clone(),
        Some(v) => {
            return Err(field_err(
                "id",
                format!("must be a string, got {}", describe(v)),
            ))
        }
    };
    let photo_flags = match opt_array(o, "photo_flags")? {
        None => None,
        Some(items) => {
            let mut flags = Vec::with_capacity(items.len());
            for (i, item) in items.iter().enumerate() {
                let flag = match item {
                    Value::String(s) => PhotoFlag::ALL.into_iter().find(|f| f.as_str() == s),
                    _ => None,
                };
                match flag {
                    Some(f) => flags.push(f),
                    None => {
                        let got = match item {
                            Value::String(s) => describe_text(s),
                            other => describe(other),
                        };
                        return Err(field_err(
                            format!("photo_flags[{i}]"),
                            format!("must be one of stock|catalogue|ai_generated|reused|celebrity, got {got}"),
                        ));
                    }
                }
            }
            Some(flags)
        }
    };
    let experience = match opt_array(o, "experience")? {
        None => None,
        Some(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, v)| parse_position(v, i))
                .collect::<Result<_, _>>()?,
        ),
    };
    let education = match opt_array(o, "education")? {
        None => None,
        Some(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, v)| parse_education(v, i))
                .collect::<Result<_, _>>()?,
        ),
    };
    let messages = match opt_array(o, "messages")? {
        None => None,
        Some(a) => Some(
            a.iter()
                .enumerate()
                .map(|(i, v)| parse_message(v, i))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Profile {
        id,
        platform: enum_value(o, "platform", "linkedin|twitter|instagram|other")?,
        name: opt_string(o, "name", "name")?,
        username: opt_string(o, "username", "username")?,
        headline: opt_string(o, "headline", "headline")?,
        about: opt_string(o, "about", "about")?,
        location: opt_string(o, "location", "location")?,
        website: opt_string(o, "website", "website")?,
        has_photo: opt_bool(o, "has_photo")?,
        photo_flags,
        verified: opt_bool(o, "verified")?,
        account_age_days: opt_count(o, "account_age_days")?,
        connections: opt_count(o, "connections")?,
        followers: opt_count(o, "followers")?,
        following: opt_count(o, "following")?,
        mutual_connections: opt_count(o, "mutual_connections")?,
        posts: opt_count(o, "posts")?,
        endorsements: opt_count(o, "endorsements")?,
        recommendations: opt_count(o, "recommendations")?,
        experience,
        education,
        skills: string_list(o, "skills")?,
        languages: string_list(o, "languages")?,
        messages,
        label: enum_value(o, "label", "fake|genuine")?,
    })
}

/// Most fields one JSON object of a record may have: the format has 26 top-level fields, so
/// more is an error, and a line cannot make the parser hold millions of keys.
pub const MAX_FIELDS_PER_OBJECT: usize = 256;

/// Longest field name quoted in a message (longer names are cut, with `…`).
pub const MAX_FIELD_NAME_CHARS: usize = 32;

/// Most distinct unknown field names kept for the run's note; further ones are summarised.
pub const MAX_UNKNOWN_NAMES: usize = 16;

/// The entry kept in the unknown-field set when [`MAX_UNKNOWN_NAMES`] is reached: sanitised
/// names never contain a raw `…`, so it cannot be forged.
pub const MORE_UNKNOWN: &str = "…";

/// A field name as it may appear in a message: letters, digits and `_-.$@:` as they are,
/// anything else escaped (`\u{1b}`), cut to [`MAX_FIELD_NAME_CHARS`] characters.
pub fn sanitize_field_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in name.chars().enumerate() {
        if i == MAX_FIELD_NAME_CHARS {
            out.push('…');
            break;
        }
        if c.is_ascii_alphanumeric() || "_-.$@:".contains(c) {
            out.push(c);
        } else {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        }
    }
    out
}

/// A JSON value decoded with the checks `serde_json::Value` does not make: a key given twice
/// in one object is an error (instead of the last one silently winning), and so is an object
/// with more than [`MAX_FIELDS_PER_OBJECT`] keys.
struct Checked(Value);

/// The marker of a duplicate-key error, followed by the sanitised key.
const DUPLICATE: &str = "duplicate key ";

impl<'de> serde::Deserialize<'de> for Checked {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Checked, D::Error> {
        d.deserialize_any(CheckedVisitor).map(Checked)
    }
}

struct CheckedVisitor;

impl<'de> serde::de::Visitor<'de> for CheckedVisitor {
    type Value = Value;

    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
        f.write_str("a JSON value")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::from(v))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }
    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }
    fn visit_some<D: serde::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        serde::Deserialize::deserialize(d).map(|c: Checked| c.0)
    }
    fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(Checked(v)) = seq.next_element()? {
            items.push(v);
        }
        Ok(Value::Array(items))
    }
    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        use serde::de::Error;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                return Err(A::Error::custom(format!(
                    "{DUPLICATE}{}",
                    sanitize_field_name(&key)
                )));
            }
            if out.len() == MAX_FIELDS_PER_OBJECT {
                return Err(A::Error::custom(format!(
                    "more than {MAX_FIELDS_PER_OBJECT} fields in one object"
                )));
            }
            let Checked(v) = map.next_value()?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses one line (without its newline) as a profile record.
pub fn parse_line(bytes: &[u8], unknown: &mut BTreeSet<String>) -> Result<Profile, FieldError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        field_err(
            "(record)",
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    let value = parse_json(text)?;
    profile_from_value(&value, unknown)
}

/// Decodes a line as one checked JSON value (see [`Checked`]).
pub(super) fn parse_json(text: &str) -> Result<Value, FieldError> {
    let value: Checked = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        if let Some(key) = msg.strip_prefix(DUPLICATE) {
            return field_err(
                key,
                "given twice in one object (the line is rejected rather than one value picked)",
            );
        }
        if msg.starts_with("more than ") {
            return field_err("(record)", msg);
        }
        field_err(
            "(record)",
            format!("not valid JSON at column {}: {msg}", e.column()),
        )
    })?;
    Ok(value.0)
}
