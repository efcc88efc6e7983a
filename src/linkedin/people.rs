//! From the export's rows to one record per person: who the owner is, which messages and
//! notes belong to whom, in which order, and what `Connections.csv` says about them.

use std::collections::{BTreeMap, BTreeSet};

use super::dates::{self, Stamp};
use super::source::ExportFiles;
use super::table::{self, Table};
use super::{ExportError, Imported, Options};
use crate::profile::{Direction, Message, Platform, Position, Profile};

const INVITATIONS: [&str; 5] = ["From", "To", "Sent At", "Message", "Direction"];
const MESSAGES: [&str; 6] = [
    "CONVERSATION ID",
    "FROM",
    "SENDER PROFILE URL",
    "RECIPIENT PROFILE URLS",
    "DATE",
    "CONTENT",
];
const CONNECTIONS: [&str; 3] = ["First Name", "Last Name", "URL"];
const PROFILE: [&str; 2] = ["First Name", "Last Name"];

/// The slug of a LinkedIn profile URL (`https://www.linkedin.com/in/jane-doe-12/` gives
/// `jane-doe-12`): percent-decoded and lower-cased, as LinkedIn matches them.
pub fn slug_of(url: &str) -> Option<String> {
    let u = url.trim();
    let rest = u
        .strip_prefix("https://")
        .or_else(|| u.strip_prefix("http://"))
        .unwrap_or(u);
    let (host, path) = rest.split_once('/')?;
    let host = host.to_ascii_lowercase();
    if host != "linkedin.com" && !host.ends_with(".linkedin.com") {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or("");
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let slug = match segs.as_slice() {
        ["in", s, ..] => (*s).to_owned(),
        ["pub", rest @ ..] if !rest.is_empty() => rest.join("-"),
        _ => return None,
    };
    let slug = percent_decode(&slug).to_lowercase();
    (!slug.is_empty()).then_some(slug)
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_owned())
}

/// One message or note, placed in its conversation.
#[derive(Debug)]
struct Event {
    at: Option<Stamp>,
    /// Notes come before messages sent at the same moment.
    rank: u8,
    order: usize,
    direction: Direction,
    text: String,
}

#[derive(Debug, Default)]
struct Person {
    name: Option<String>,
    invited: bool,
    wrote: bool,
    events: Vec<Event>,
    title: Option<String>,
    company: Option<String>,
}

struct MessageRow {
    row: u64,
    conversation: String,
    from: String,
    sender: Option<String>,
    recipients: Vec<String>,
    to: String,
    at: Option<Stamp>,
    text: String,
}

fn text(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

fn table_of(
    files: &ExportFiles,
    name: &str,
    shown: &str,
    required: &[&str],
    notes: &mut Vec<String>,
) -> Result<Option<Table>, ExportError> {
    match files.get(name) {
        Some((found, bytes)) => table::read(found, bytes, required, notes).map(Some),
        None => {
            notes.push(format!("{shown}: not in the export; skipped"));
            Ok(None)
        }
    }
}

fn date_of(
    t: &Table,
    rec: &csv::StringRecord,
    col: &str,
    row: u64,
    notes: &mut Vec<String>,
) -> Option<Stamp> {
    let raw = t.get(rec, col);
    let at = dates::parse(raw);
    if at.is_none() {
        notes.push(format!(
            "{} row {row}: {col}: {}; placed first in its conversation",
            t.file,
            if raw.is_empty() {
                "missing"
            } else {
                "not a date LinkedIn writes"
            }
        ));
    }
    at
}

fn message_rows(t: &Table, notes: &mut Vec<String>) -> Vec<MessageRow> {
    t.rows
        .iter()
        .map(|(row, rec)| MessageRow {
            row: *row,
            conversation: t.get(rec, "CONVERSATION ID").to_owned(),
            from: t.get(rec, "FROM").to_owned(),
            sender: slug_of(t.get(rec, "SENDER PROFILE URL")),
            recipients: t
                .get(rec, "RECIPIENT PROFILE URLS")
                .split([';', ','])
                .filter_map(slug_of)
                .collect(),
            to: t.get(rec, "TO").to_owned(),
            at: date_of(t, rec, "DATE", *row, notes),
            text: t.get(rec, "CONTENT").to_owned(),
        })
        .collect()
}

/// Who the export belongs to, and how that was found.
fn owner(
    options: &Options,
    profile_name: Option<&str>,
    messages: &[MessageRow],
    invitations: Option<&Table>,
) -> Result<Option<(String, &'static str)>, ExportError> {
    if let Some(url) = &options.owner_url {
        return slug_of(url)
            .map(|s| Some((s, "--owner-url")))
            .ok_or(ExportError::BadOwnerUrl);
    }
    if let Some(name) = profile_name {
        let mine = messages
            .iter()
            .filter(|m| m.from.eq_ignore_ascii_case(name))
            .find_map(|m| m.sender.clone());
        if let Some(s) = mine {
            return Ok(Some((s, "Profile.csv")));
        }
    }
    if let Some(t) = invitations {
        for (_, rec) in &t.rows {
            let col = match t.get(rec, "Direction").to_ascii_uppercase().as_str() {
                "OUTGOING" => "inviterProfileUrl",
                "INCOMING" => "inviteeProfileUrl",
                _ => continue,
            };
            if let Some(s) = slug_of(t.get(rec, col)) {
                return Ok(Some((s, "Invitations.csv")));
            }
        }
    }
    let mut conversations: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in messages {
        let set = conversations.entry(&m.conversation).or_default();
        set.extend(m.sender.as_deref());
        set.extend(m.recipients.iter().map(String::as_str));
    }
    let mut common: Option<BTreeSet<&str>> = None;
    for set in conversations.values() {
        common = Some(match common {
            None => set.clone(),
            Some(c) => c.intersection(set).copied().collect(),
        });
    }
    match common {
        None => Ok(None),
        Some(c) if c.len() == 1 => Ok(c
            .into_iter()
            .next()
            .map(|s| (s.to_owned(), "the participant common to every conversation"))),
        Some(_) => Err(ExportError::UnknownOwner),
    }
}

/// Builds the records from the export's files.
pub(super) fn assemble(files: &ExportFiles, options: &Options) -> Result<Imported, ExportError> {
    let mut notes = Vec::new();
    let inv = table_of(
        files,
        "invitations.csv",
        "Invitations.csv",
        &INVITATIONS,
        &mut notes,
    )?;
    let msg = table_of(files, "messages.csv", "messages.csv", &MESSAGES, &mut notes)?;
    let con = table_of(
        files,
        "connections.csv",
        "Connections.csv",
        &CONNECTIONS,
        &mut notes,
    )?;
    let pro = table_of(files, "profile.csv", "Profile.csv", &PROFILE, &mut notes)?;

    let profile_name = pro.as_ref().and_then(|t| {
        let (_, rec) = t.rows.first()?;
        let name = format!("{} {}", t.get(rec, "First Name"), t.get(rec, "Last Name"));
        text(&name)
    });
    let messages = msg
        .as_ref()
        .map(|t| message_rows(t, &mut notes))
        .unwrap_or_default();
    let owner = owner(options, profile_name.as_deref(), &messages, inv.as_ref())?;
    if owner.is_none() && !messages.is_empty() {
        return Err(ExportError::UnknownOwner);
    }
    let me = owner.as_ref().map(|(s, _)| s.as_str()).unwrap_or("");

    let mut people: BTreeMap<String, Person> = BTreeMap::new();
    let mut order = 0usize;
    if let Some(t) = &inv {
        let with_urls = t.has("inviterProfileUrl") && t.has("inviteeProfileUrl");
        if !with_urls {
            notes.push(format!(
                "{}: no inviterProfileUrl/inviteeProfileUrl columns (an older export); invitations skipped",
                t.file
            ));
        }
        for (row, rec) in t.rows.iter().filter(|_| with_urls) {
            let (incoming, col, name_col) =
                match t.get(rec, "Direction").to_ascii_uppercase().as_str() {
                    "INCOMING" => (true, "inviterProfileUrl", "From"),
                    "OUTGOING" => (false, "inviteeProfileUrl", "To"),
                    _ => {
                        notes.push(format!(
                            "{} row {row}: Direction: not INCOMING or OUTGOING; skipped",
                            t.file
                        ));
                        continue;
                    }
                };
            let Some(slug) = slug_of(t.get(rec, col)).filter(|s| s != me) else {
                notes.push(format!(
                    "{} row {row}: {col}: missing or not a profile URL; skipped",
                    t.file
                ));
                continue;
            };
            let at = date_of(t, rec, "Sent At", *row, &mut notes);
            let p = people.entry(slug).or_default();
            p.invited |= incoming;
            if p.name.is_none() {
                p.name = text(t.get(rec, name_col));
            }
            if let Some(note) = text(t.get(rec, "Message")) {
                order += 1;
                p.events.push(Event {
                    at,
                    rank: 0,
                    order,
                    direction: if incoming {
                        Direction::Inbound
                    } else {
                        Direction::Outbound
                    },
                    text: note,
                });
            }
        }
    }

    let mut participants: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
    for m in &messages {
        let set = participants.entry(&m.conversation).or_default();
        set.extend(m.sender.as_deref().filter(|s| *s != me));
        set.extend(m.recipients.iter().map(String::as_str).filter(|s| *s != me));
    }
    let file = msg
        .as_ref()
        .map(|t| t.file.as_str())
        .unwrap_or("messages.csv");
    for m in &messages {
        let Some(sender) = &m.sender else {
            notes.push(format!(
                "{file} row {}: SENDER PROFILE URL: missing or not a profile URL; skipped",
                m.row
            ));
            continue;
        };
        let Some(body) = text(&m.text) else { continue };
        order += 1;
        if sender == me {
            let to = &participants[m.conversation.as_str()];
            for slug in to {
                let p = people.entry((*slug).to_owned()).or_default();
                if p.name.is_none() && to.len() == 1 {
                    p.name = text(&m.to);
                }
                p.events.push(Event {
                    at: m.at,
                    rank: 1,
                    order,
                    direction: Direction::Outbound,
                    text: body.clone(),
                });
            }
        } else {
            let p = people.entry(sender.clone()).or_default();
            p.wrote = true;
            if p.name.is_none() {
                p.name = text(&m.from);
            }
            p.events.push(Event {
                at: m.at,
                rank: 1,
                order,
                direction: Direction::Inbound,
                text: body,
            });
        }
    }

    if let Some(t) = &con {
        for (row, rec) in &t.rows {
            let Some(slug) = slug_of(t.get(rec, "URL")) else {
                notes.push(format!(
                    "{} row {row}: URL: missing or not a profile URL; skipped",
                    t.file
                ));
                continue;
            };
            if let Some(p) = people.get_mut(&slug) {
                p.title = text(t.get(rec, "Position"));
                p.company = text(t.get(rec, "Company"));
                if p.name.is_none() {
                    let name = format!("{} {}", t.get(rec, "First Name"), t.get(rec, "Last Name"));
                    p.name = text(&name);
                }
            }
        }
    }

    let conversations_known = inv.is_some() && msg.is_some();
    let mut records: Vec<(Option<Stamp>, Profile)> = people
        .into_iter()
        .filter(|(slug, p)| (p.invited || p.wrote) && slug != me)
        .map(|(slug, mut p)| {
            p.events.sort_by_key(|e| (e.at, e.rank, e.order));
            let first = p
                .events
                .iter()
                .find(|e| e.direction == Direction::Inbound)
                .and_then(|e| e.at);
            (first, record(slug, p, conversations_known))
        })
        .collect();
    // First contact first; people without a dated message last; ties by id.
    records.sort_by(|(a, pa), (b, pb)| (a.is_none(), a, &pa.id).cmp(&(b.is_none(), b, &pb.id)));
    Ok(Imported {
        profiles: records.into_iter().map(|(_, p)| p).collect(),
        notes,
        owner,
    })
}

fn record(slug: String, p: Person, conversations_known: bool) -> Profile {
    let experience = (p.title.is_some() || p.company.is_some()).then(|| {
        vec![Position {
            title: p.title,
            company: p.company,
            end: Some(None),
            ..Position::default()
        }]
    });
    let messages: Vec<Message> = p
        .events
        .into_iter()
        .map(|e| Message {
            direction: e.direction,
            text: e.text,
        })
        .collect();
    Profile {
        id: format!("li-{slug}"),
        platform: Some(Platform::Linkedin),
        name: p.name,
        username: Some(slug),
        experience,
        messages: (!messages.is_empty() || conversations_known).then_some(messages),
        ..Profile::default()
    }
}

#[cfg(test)]
#[path = "people_tests.rs"]
mod tests;
