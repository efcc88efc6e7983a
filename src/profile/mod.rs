//! Profile record format, version 1 (`../shared/spec/profile-format.md`, documented in
//! `docs/profile-format.md`): the types, a strict validating parser that names the line and
//! the field of every rejection, and a streaming reader with constant memory.
//!
//! Parsing goes through `serde_json::Value` and is written by hand rather than derived, so
//! that every rejection can say which field failed and why (`experience[2].start: ...`)
//! without ever echoing profile text.

mod error;
mod fields;
mod json;
mod parse;
mod reader;
#[cfg(test)]
mod tests;

use std::fmt;

use serde::{Deserialize, Serialize};

pub use error::{FieldError, LineError};
pub use json::{sanitize_field_name, MAX_FIELDS_PER_OBJECT, MAX_FIELD_NAME_CHARS};
pub use parse::{parse_line, profile_from_value, MAX_UNKNOWN_NAMES, MORE_UNKNOWN};
pub use reader::{load, open, Entry, FormatHint, LoadedFile, Parsed, ProfileReader, RawLine};

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

    /// The month of an [`YearMonth::index`], if it lies in the years the format accepts.
    pub fn from_index(i: i32) -> Option<YearMonth> {
        let year = i.div_euclid(12);
        let month = i.rem_euclid(12) as u8 + 1;
        (1900..=2100).contains(&year).then_some(YearMonth {
            year: year as u16,
            month,
        })
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

    /// Calls `f` on every text of [`Profile::texts`] but the name and the username (the texts
    /// the engines read), in the same order.
    pub fn for_each_read_text_mut(&mut self, mut f: impl FnMut(&mut String)) {
        let mut one = |s: &mut Option<String>| {
            if let Some(s) = s {
                f(s);
            }
        };
        one(&mut self.headline);
        one(&mut self.about);
        one(&mut self.location);
        one(&mut self.website);
        for p in self.experience.iter_mut().flatten() {
            one(&mut p.title);
            one(&mut p.company);
            one(&mut p.location);
            one(&mut p.description);
        }
        for e in self.education.iter_mut().flatten() {
            one(&mut e.school);
            one(&mut e.degree);
            one(&mut e.field);
        }
        let lists = self.skills.iter_mut().chain(self.languages.iter_mut());
        for s in lists.flatten() {
            f(s);
        }
        for m in self.messages.iter_mut().flatten() {
            f(&mut m.text);
        }
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
