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
        Some(v) => Err(field_err(
            key,
            format!("must be a non-negative integer, got {}", describe(v)),
        )),
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
                    "must be a month \"YYYY-MM\" (1900-2100), got {}",
                    describe_text(s)
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
            unknown.insert(k.chars().take(64).collect());
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

/// Parses one line (without its newline) as a profile record.
pub fn parse_line(bytes: &[u8], unknown: &mut BTreeSet<String>) -> Result<Profile, FieldError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        field_err(
            "(record)",
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    let value: Value = serde_json::from_str(text).map_err(|e| {
        let msg = e.to_string();
        let msg = msg.split(" at line ").next().unwrap_or(&msg).to_owned();
        field_err(
            "(record)",
            format!("not valid JSON at column {}: {msg}", e.column()),
        )
    })?;
    profile_from_value(&value, unknown)
}
