//! Profile record format, version 1 (`../shared/spec/profile-format.md`, documented in
//! `docs/profile-format.md`): the types, a strict validating parser that names the line and
//! the field of every rejection, and a streaming reader with constant memory.
//!
//! Parsing goes through `serde_json::Value` and is written by hand rather than derived, so
//! that every rejection can say which field failed and why (`experience[2].start: ...`)
//! without ever echoing profile text.

use std::collections::BTreeSet;
use std::fmt;
use std::io::{self, BufRead};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// The version of the record format this module implements.
pub const FORMAT_VERSION: u32 = 1;

/// Longest accepted line in bytes. Longer lines are rejected (and skipped without being held
/// in memory), so a reader's memory stays bounded whatever the input.
pub const MAX_LINE_BYTES: usize = 8 * 1024 * 1024;

/// Largest accepted value of a count field; larger values are out of range.
pub const MAX_COUNT: u64 = 1_000_000_000;

/// Largest accepted `account_age_days` (about 100 years).
pub const MAX_ACCOUNT_AGE_DAYS: u64 = 36_500;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Platform {
    #[default]
    Linkedin,
    Twitter,
    Instagram,
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum PhotoFlag {
    Stock,
    Catalogue,
    AiGenerated,
    Reused,
    Celebrity,
}

impl PhotoFlag {
    pub const ALL: [PhotoFlag; 5] = [
        PhotoFlag::Stock,
        PhotoFlag::Catalogue,
        PhotoFlag::AiGenerated,
        PhotoFlag::Reused,
        PhotoFlag::Celebrity,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PhotoFlag::Stock => "stock",
            PhotoFlag::Catalogue => "catalogue",
            PhotoFlag::AiGenerated => "ai_generated",
            PhotoFlag::Reused => "reused",
            PhotoFlag::Celebrity => "celebrity",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Label {
    Fake,
    Genuine,
}

impl Label {
    /// 1.0 for fake, 0.0 for genuine: the positive class is "fake" everywhere in linkscreen.
    pub fn target(self) -> f32 {
        match self {
            Label::Fake => 1.0,
            Label::Genuine => 0.0,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Direction {
    #[default]
    Inbound,
    Outbound,
}

/// A month as written in positions (`"YYYY-MM"`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: u16,
    pub month: u8,
}

impl YearMonth {
    /// Months since year 0, for durations.
    pub fn index(self) -> i32 {
        self.year as i32 * 12 + self.month as i32 - 1
    }

    fn parse(s: &str) -> Option<YearMonth> {
        let b = s.as_bytes();
        if b.len() != 7 || b[4] != b'-' || !s[..4].bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        if !s[5..].bytes().all(|c| c.is_ascii_digit()) {
            return None;
        }
        let year: u16 = s[..4].parse().ok()?;
        let month: u8 = s[5..].parse().ok()?;
        ((1900..=2100).contains(&year) && (1..=12).contains(&month))
            .then_some(YearMonth { year, month })
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Position {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<YearMonth>,
    /// `None` means "not given"; `Some(None)` means "current" (`"end": null`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<Option<YearMonth>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Education {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub school: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub degree: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub field: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub start: Option<u16>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub end: Option<u16>,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Message {
    pub direction: Direction,
    pub text: String,
}

/// One profile record. Every field but `id` is optional, and `None` means "unknown", never
/// zero or empty.
#[derive(Debug, Clone, PartialEq, Default, Serialize)]
pub struct Profile {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub platform: Option<Platform>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub about: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub website: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub has_photo: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub photo_flags: Option<Vec<PhotoFlag>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub verified: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub account_age_days: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connections: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub followers: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub following: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mutual_connections: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub posts: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endorsements: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub recommendations: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub experience: Option<Vec<Position>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub education: Option<Vec<Education>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub languages: Option<Vec<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub messages: Option<Vec<Message>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<Label>,
}

/// The count fields, in a fixed order shared by the rules and the model features.
pub const COUNT_FIELDS: [&str; 8] = [
    "account_age_days",
    "connections",
    "followers",
    "following",
    "mutual_connections",
    "posts",
    "endorsements",
    "recommendations",
];

/// Where a piece of profile text comes from. Rules select fields by these names and the model
/// tags its tokens with them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum TextField {
    Name,
    Username,
    Headline,
    About,
    Location,
    Website,
    ExperienceTitle,
    ExperienceCompany,
    ExperienceLocation,
    ExperienceDescription,
    EducationSchool,
    EducationDegree,
    EducationField,
    Skills,
    Languages,
    MessagesInbound,
    MessagesOutbound,
}

impl TextField {
    pub const ALL: [TextField; 17] = [
        TextField::Name,
        TextField::Username,
        TextField::Headline,
        TextField::About,
        TextField::Location,
        TextField::Website,
        TextField::ExperienceTitle,
        TextField::ExperienceCompany,
        TextField::ExperienceLocation,
        TextField::ExperienceDescription,
        TextField::EducationSchool,
        TextField::EducationDegree,
        TextField::EducationField,
        TextField::Skills,
        TextField::Languages,
        TextField::MessagesInbound,
        TextField::MessagesOutbound,
    ];

    /// The name used in rule files and reasons (`experience.title`, `messages`).
    pub fn as_str(self) -> &'static str {
        match self {
            TextField::Name => "name",
            TextField::Username => "username",
            TextField::Headline => "headline",
            TextField::About => "about",
            TextField::Location => "location",
            TextField::Website => "website",
            TextField::ExperienceTitle => "experience.title",
            TextField::ExperienceCompany => "experience.company",
            TextField::ExperienceLocation => "experience.location",
            TextField::ExperienceDescription => "experience.description",
            TextField::EducationSchool => "education.school",
            TextField::EducationDegree => "education.degree",
            TextField::EducationField => "education.field",
            TextField::Skills => "skills",
            TextField::Languages => "languages",
            TextField::MessagesInbound => "messages",
            TextField::MessagesOutbound => "messages.outbound",
        }
    }

    pub fn from_name(name: &str) -> Option<TextField> {
        TextField::ALL.into_iter().find(|f| f.as_str() == name)
    }
}

impl Profile {
    /// Every piece of text in the profile with the field it comes from, in a stable order.
    pub fn texts(&self) -> Vec<(TextField, &str)> {
        fn push<'a>(out: &mut Vec<(TextField, &'a str)>, f: TextField, s: &'a Option<String>) {
            if let Some(s) = s {
                out.push((f, s.as_str()));
            }
        }
        let mut out = Vec::new();
        push(&mut out, TextField::Name, &self.name);
        push(&mut out, TextField::Username, &self.username);
        push(&mut out, TextField::Headline, &self.headline);
        push(&mut out, TextField::About, &self.about);
        push(&mut out, TextField::Location, &self.location);
        push(&mut out, TextField::Website, &self.website);
        for p in self.experience.iter().flatten() {
            push(&mut out, TextField::ExperienceTitle, &p.title);
            push(&mut out, TextField::ExperienceCompany, &p.company);
            push(&mut out, TextField::ExperienceLocation, &p.location);
            push(&mut out, TextField::ExperienceDescription, &p.description);
        }
        for e in self.education.iter().flatten() {
            push(&mut out, TextField::EducationSchool, &e.school);
            push(&mut out, TextField::EducationDegree, &e.degree);
            push(&mut out, TextField::EducationField, &e.field);
        }
        for s in self.skills.iter().flatten() {
            out.push((TextField::Skills, s.as_str()));
        }
        for s in self.languages.iter().flatten() {
            out.push((TextField::Languages, s.as_str()));
        }
        for m in self.messages.iter().flatten() {
            let f = match m.direction {
                Direction::Inbound => TextField::MessagesInbound,
                Direction::Outbound => TextField::MessagesOutbound,
            };
            out.push((f, m.text.as_str()));
        }
        out
    }

    /// The value of a count field by name (see [`COUNT_FIELDS`]).
    pub fn count(&self, field: &str) -> Option<u64> {
        match field {
            "account_age_days" => self.account_age_days,
            "connections" => self.connections,
            "followers" => self.followers,
            "following" => self.following,
            "mutual_connections" => self.mutual_connections,
            "posts" => self.posts,
            "endorsements" => self.endorsements,
            "recommendations" => self.recommendations,
            _ => None,
        }
    }

    /// The profile as one JSON line (no trailing newline).
    pub fn to_json_line(&self) -> String {
        serde_json::to_string(self).expect("a Profile always serialises")
    }
}

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

fn field_err(field: impl Into<String>, reason: impl Into<String>) -> FieldError {
    FieldError {
        field: field.into(),
        reason: reason.into(),
    }
}

/// Describes a JSON value for an error message without quoting any text it holds.
fn describe(v: &Value) -> String {
    match v {
        Value::Null => "null".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => format!("a string of {} characters", s.chars().count()),
        Value::Array(a) => format!("an array of {} items", a.len()),
        Value::Object(_) => "an object".into(),
    }
}

/// Quotes an enumerated value only when it is short and plain, so an error never carries
/// free text.
fn describe_word(s: &str) -> String {
    if s.len() <= 24 && s.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'_') {
        format!("\"{s}\"")
    } else {
        describe(&Value::String(s.to_owned()))
    }
}

const TOP_FIELDS: [&str; 26] = [
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
                    describe_word(s)
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
                    describe_word(s)
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
                format!("must be one of {allowed}, got {}", describe_word(s)),
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
                            Value::String(s) => describe_word(s),
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

/// One item of a [`ProfileReader`]: a valid profile with its line number, or a rejection.
#[derive(Debug)]
pub enum Entry {
    Profile { line: u64, profile: Profile },
    Rejected(LineError),
}

/// Streams profiles from JSON Lines, one line at a time. Blank lines are skipped; every other
/// line yields exactly one [`Entry`]. Only I/O failures are errors of the iterator itself.
pub struct ProfileReader<R> {
    inner: R,
    buf: Vec<u8>,
    line: u64,
    unknown: BTreeSet<String>,
}

impl<R: BufRead> ProfileReader<R> {
    pub fn new(inner: R) -> Self {
        ProfileReader {
            inner,
            buf: Vec::with_capacity(4096),
            line: 0,
            unknown: BTreeSet::new(),
        }
    }

    /// Unknown field names seen so far, to be reported once per run.
    pub fn unknown_fields(&self) -> &BTreeSet<String> {
        &self.unknown
    }

    /// Reads one line into `buf`, keeping at most `MAX_LINE_BYTES`. Returns `None` at end of
    /// input, otherwise whether the line was too long.
    fn read_line(&mut self) -> io::Result<Option<bool>> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = match self.inner.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => return Err(e),
            };
            if chunk.is_empty() {
                return Ok(any.then_some(too_long));
            }
            any = true;
            let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
                Some(i) => (i, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > MAX_LINE_BYTES {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.inner.consume(if done { take + 1 } else { take });
            if done {
                return Ok(Some(too_long));
            }
        }
    }
}

impl<R: BufRead> Iterator for ProfileReader<R> {
    type Item = io::Result<Entry>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            let too_long = match self.read_line() {
                Ok(None) => return None,
                Ok(Some(t)) => t,
                Err(e) => return Some(Err(e)),
            };
            self.line += 1;
            let line = self.line;
            if too_long {
                let error = field_err(
                    "(record)",
                    format!("line longer than {MAX_LINE_BYTES} bytes"),
                );
                return Some(Ok(Entry::Rejected(LineError { line, error })));
            }
            let bytes = self.buf.strip_suffix(b"\r").unwrap_or(&self.buf);
            if bytes.iter().all(|b| b.is_ascii_whitespace()) {
                continue;
            }
            let entry = match parse_line(bytes, &mut self.unknown) {
                Ok(profile) => Entry::Profile { line, profile },
                Err(error) => Entry::Rejected(LineError { line, error }),
            };
            return Some(Ok(entry));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(s: &str) -> Result<Profile, FieldError> {
        parse_line(s.as_bytes(), &mut BTreeSet::new())
    }

    #[test]
    fn spec_example_round_trips() {
        let line = r#"{"id":"bfv-2017-03","platform":"linkedin","name":"Laeticia Chen","photo_flags":["catalogue"],"account_age_days":210,"connections":500,"experience":[{"title":"Manager","start":"2016-05","end":null}],"education":[{"school":"Fudan University","start":2011,"end":2014}],"messages":[{"direction":"inbound","text":"Dear Sir"}],"label":"fake"}"#;
        let p = parse(line).unwrap();
        assert_eq!(p.connections, Some(500));
        assert_eq!(p.experience.as_ref().unwrap()[0].end, Some(None));
        let again = parse(&p.to_json_line()).unwrap();
        assert_eq!(p, again);
    }

    #[test]
    fn rejections_name_the_field() {
        let cases = [
            (r#"{"id":"a","connections":-3}"#, "connections", "got -3"),
            (r#"{"id":"a","posts":1.5}"#, "posts", "non-negative integer"),
            (r#"{"id":"a","followers":"12"}"#, "followers", "string"),
            (
                r#"{"id":"a","account_age_days":99999999}"#,
                "account_age_days",
                "out of range",
            ),
            (r#"{"id":"a","label":"maybe"}"#, "label", "fake|genuine"),
            (
                r#"{"id":"a","messages":[{"direction":"sideways","text":"x"}]}"#,
                "messages[0].direction",
                "inbound",
            ),
            (
                r#"{"id":"a","experience":[{"start":"2020-05","end":"2019-01"}]}"#,
                "experience[0].end",
                "before",
            ),
            (
                r#"{"id":"a","education":[{"start":2015,"end":2011}]}"#,
                "education[0].end",
                "before",
            ),
            (
                r#"{"id":"a","experience":[{"start":"2020-13"}]}"#,
                "experience[0].start",
                "YYYY-MM",
            ),
            (
                r#"{"id":"a","photo_flags":["blurry"]}"#,
                "photo_flags[0]",
                "stock",
            ),
            (r#"{"name":"x"}"#, "id", "required"),
            (r#"{"id":""}"#, "id", "empty"),
            (r#"[1,2]"#, "(record)", "object"),
            (r#"{"id":"a""#, "(record)", "JSON"),
        ];
        for (line, field, reason) in cases {
            let e = parse(line).unwrap_err();
            assert_eq!(e.field, field, "{line}");
            assert!(e.reason.contains(reason), "{line}: {}", e.reason);
        }
    }

    #[test]
    fn errors_never_quote_free_text() {
        let e = parse(r#"{"id":"a","label":"my secret note about the target"}"#).unwrap_err();
        assert!(!e.reason.contains("secret"), "{}", e.reason);
    }

    #[test]
    fn reader_streams_and_counts_lines() {
        let input =
            b"{\"id\":\"a\",\"zzz\":1}\n\n{\"id\":\"b\",\"posts\":-1}\r\n\xff\xfe\n{\"id\":\"c\"}";
        let mut r = ProfileReader::new(&input[..]);
        let entries: Vec<Entry> = r.by_ref().map(|e| e.unwrap()).collect();
        assert_eq!(entries.len(), 4);
        assert!(matches!(entries[0], Entry::Profile { line: 1, .. }));
        assert!(matches!(&entries[1], Entry::Rejected(e) if e.line == 3));
        assert!(
            matches!(&entries[2], Entry::Rejected(e) if e.line == 4 && e.error.reason.contains("UTF-8"))
        );
        assert!(matches!(entries[3], Entry::Profile { line: 5, .. }));
        assert_eq!(r.unknown_fields().iter().collect::<Vec<_>>(), ["zzz"]);
    }

    #[test]
    fn megabyte_field_is_valid() {
        let about = "a".repeat(1 << 20);
        let line = format!(r#"{{"id":"big","about":"{about}"}}"#);
        assert_eq!(parse(&line).unwrap().about.unwrap().len(), 1 << 20);
    }
}
