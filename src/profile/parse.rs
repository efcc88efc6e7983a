//! Validation of one record: JSON value to [`Profile`], or a [`FieldError`] naming the field.

use std::collections::BTreeSet;

use serde_json::Value;

use super::error::{describe, describe_text, field_err, FieldError};
use super::fields::{
    enum_value, item_object, opt_array, opt_bool, opt_count, opt_string, string_list, year,
    year_month, Path,
};
use super::json::{parse_json, sanitize_field_name};
use super::{Direction, Education, Message, PhotoFlag, Position, Profile};

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

/// Most distinct unknown field names kept for the run's note; further ones are summarised.
pub const MAX_UNKNOWN_NAMES: usize = 16;

/// The entry kept in the unknown-field set when [`MAX_UNKNOWN_NAMES`] is reached: sanitised
/// names never contain a raw `…`, so it cannot be forged.
pub const MORE_UNKNOWN: &str = "…";

/// Parses one line (without its newline) as a profile record.
pub fn parse_line(bytes: &[u8], unknown: &mut BTreeSet<String>) -> Result<Profile, FieldError> {
    parse_line_noting(bytes, &mut |name| note_unknown(unknown, name))
}

/// As [`parse_line`], handing each unknown top-level field name (sanitised) to `note`, in the
/// order [`profile_from_value`] meets them.
pub(super) fn parse_line_noting(
    bytes: &[u8],
    note: &mut dyn FnMut(String),
) -> Result<Profile, FieldError> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        field_err(
            "(record)",
            format!("invalid UTF-8 at byte {}", e.valid_up_to()),
        )
    })?;
    let value = parse_json(text)?;
    profile_from_value_noting(value, note)
}

/// Adds a sanitised unknown field name to the run's set, bounded: at most
/// [`MAX_UNKNOWN_NAMES`] names, then one marker.
pub(super) fn note_unknown(unknown: &mut BTreeSet<String>, name: String) {
    if unknown.len() < MAX_UNKNOWN_NAMES || unknown.contains(&name) {
        unknown.insert(name);
    } else {
        unknown.insert(MORE_UNKNOWN.to_owned());
    }
}

/// Validates one decoded JSON value as a profile record. Unknown top-level field names are
/// added to `unknown`.
pub fn profile_from_value(
    v: &Value,
    unknown: &mut BTreeSet<String>,
) -> Result<Profile, FieldError> {
    profile_from_value_noting(v.clone(), &mut |name| note_unknown(unknown, name))
}

/// As [`profile_from_value`], handing each unknown top-level field name to `note`; the
/// profile's strings are taken out of the value rather than copied.
fn profile_from_value_noting(
    mut v: Value,
    note: &mut dyn FnMut(String),
) -> Result<Profile, FieldError> {
    let o = match &mut v {
        Value::Object(o) => o,
        v => {
            return Err(field_err(
                "(record)",
                format!("must be a JSON object, got {}", describe(v)),
            ))
        }
    };
    for k in o.keys() {
        if !TOP_FIELDS.contains(&k.as_str()) {
            note(sanitize_field_name(k));
        }
    }
    let id = match o.get_mut("id") {
        None | Some(Value::Null) => return Err(field_err("id", "is required")),
        Some(Value::String(s)) if s.trim().is_empty() => {
            return Err(field_err("id", "must not be empty"))
        }
        Some(Value::String(s)) => std::mem::take(s),
        Some(v) => {
            return Err(field_err(
                "id",
                format!("must be a string, got {}", describe(v)),
            ))
        }
    };
    let photo_flags = match opt_array(o, "photo_flags")?.map(|a| &*a) {
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
            a.iter_mut()
                .enumerate()
                .map(|(i, v)| parse_position(v, i))
                .collect::<Result<_, _>>()?,
        ),
    };
    let education = match opt_array(o, "education")? {
        None => None,
        Some(a) => Some(
            a.iter_mut()
                .enumerate()
                .map(|(i, v)| parse_education(v, i))
                .collect::<Result<_, _>>()?,
        ),
    };
    let messages = match opt_array(o, "messages")? {
        None => None,
        Some(a) => Some(
            a.iter_mut()
                .enumerate()
                .map(|(i, v)| parse_message(v, i))
                .collect::<Result<_, _>>()?,
        ),
    };
    Ok(Profile {
        id,
        platform: enum_value(o, "platform", "linkedin|twitter|instagram|other")?,
        name: opt_string(o, "name", Path::top("name"))?,
        username: opt_string(o, "username", Path::top("username"))?,
        headline: opt_string(o, "headline", Path::top("headline"))?,
        about: opt_string(o, "about", Path::top("about"))?,
        location: opt_string(o, "location", Path::top("location"))?,
        website: opt_string(o, "website", Path::top("website"))?,
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

fn parse_position(v: &mut Value, i: usize) -> Result<Position, FieldError> {
    let at = Path::item("experience", i);
    let o = item_object(v, at)?;
    let start = year_month(o, "start", at.field("start"))?;
    let end = match o.get("end") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(_) => Some(year_month(o, "end", at.field("end"))?),
    };
    if let (Some(s), Some(Some(e))) = (start, end) {
        if e < s {
            return Err(field_err(
                at.field("end").text(),
                format!("{e} is before start {s}"),
            ));
        }
    }
    Ok(Position {
        title: opt_string(o, "title", at.field("title"))?,
        company: opt_string(o, "company", at.field("company"))?,
        location: opt_string(o, "location", at.field("location"))?,
        start,
        end,
        description: opt_string(o, "description", at.field("description"))?,
    })
}

fn parse_education(v: &mut Value, i: usize) -> Result<Education, FieldError> {
    let at = Path::item("education", i);
    let o = item_object(v, at)?;
    let start = year(o, "start", at.field("start"))?;
    let end = year(o, "end", at.field("end"))?;
    if let (Some(s), Some(e)) = (start, end) {
        if e < s {
            return Err(field_err(
                at.field("end").text(),
                format!("{e} is before start {s}"),
            ));
        }
    }
    Ok(Education {
        school: opt_string(o, "school", at.field("school"))?,
        degree: opt_string(o, "degree", at.field("degree"))?,
        field: opt_string(o, "field", at.field("field"))?,
        start,
        end,
    })
}

fn parse_message(v: &mut Value, i: usize) -> Result<Message, FieldError> {
    let at = Path::item("messages", i);
    let o = item_object(v, at)?;
    let direction = match o.get("direction") {
        None | Some(Value::Null) => Direction::Inbound,
        Some(Value::String(s)) if s == "inbound" => Direction::Inbound,
        Some(Value::String(s)) if s == "outbound" => Direction::Outbound,
        Some(Value::String(s)) => {
            return Err(field_err(
                at.field("direction").text(),
                format!(
                    "must be \"inbound\" or \"outbound\", got {}",
                    describe_text(s)
                ),
            ))
        }
        Some(v) => {
            return Err(field_err(
                at.field("direction").text(),
                format!("must be \"inbound\" or \"outbound\", got {}", describe(v)),
            ))
        }
    };
    let text = opt_string(o, "text", at.field("text"))?.unwrap_or_default();
    Ok(Message { direction, text })
}
