//! The profile's own text on the page: labelled pieces, HTML-escaped with hidden characters
//! shown as badges, and the reasons' evidence found in them to be highlighted.

use std::fmt::Write as _;

use linkscreen::profile::{Direction, Profile};

use super::Entry;

/// One piece of profile text, labelled for the reader.
#[derive(Debug)]
pub(super) struct Text {
    pub(super) label: String,
    /// The model section it belongs to, if any.
    pub(super) section: Option<&'static str>,
    pub(super) text: String,
}

/// Whether a character is shown as a `U+XXXX` badge rather than echoed.
pub(super) fn is_hidden(c: char) -> bool {
    (c.is_control() && c != '\n' && c != '\t')
        || matches!(c, '\u{00AD}' | '\u{034F}' | '\u{061C}' | '\u{180E}' | '\u{200B}'..='\u{200F}'
            | '\u{2028}'..='\u{202E}' | '\u{2060}'..='\u{2069}' | '\u{FEFF}' | '\u{FFF9}'..='\u{FFFB}')
}

/// HTML-escapes text for element content; hidden characters become badges.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c if is_hidden(c) => {
                let _ = write!(out, "<span class=\"ctl\">U+{:04X}</span>", c as u32);
            }
            // Text never looks like a link or an attribute to anything reading the page.
            '=' => out.push_str("&#61;"),
            ':' => out.push_str("&#58;"),
            c => out.push(c),
        }
    }
    out
}

pub(super) fn texts_of(p: &Profile) -> Vec<Text> {
    let mut out = Vec::new();
    let mut add = |label: String, section: Option<&'static str>, t: &Option<String>| {
        if let Some(t) = t.as_deref().filter(|t| !t.trim().is_empty()) {
            out.push(Text {
                label,
                section,
                text: t.to_owned(),
            });
        }
    };
    add("Headline".into(), Some("headline"), &p.headline);
    add("About".into(), Some("about"), &p.about);
    add("Location".into(), None, &p.location);
    add("Website".into(), None, &p.website);
    for (i, x) in p.experience.iter().flatten().enumerate() {
        let n = i + 1;
        add(format!("Position {n}: title"), Some("experience"), &x.title);
        add(
            format!("Position {n}: company"),
            Some("experience"),
            &x.company,
        );
        add(format!("Position {n}: location"), None, &x.location);
        add(
            format!("Position {n}: description"),
            Some("experience.description"),
            &x.description,
        );
    }
    for (i, x) in p.education.iter().flatten().enumerate() {
        let n = i + 1;
        add(
            format!("Education {n}: school"),
            Some("education"),
            &x.school,
        );
        add(
            format!("Education {n}: degree"),
            Some("education"),
            &x.degree,
        );
        add(format!("Education {n}: field"), Some("education"), &x.field);
    }
    add(
        "Skills".into(),
        Some("skills"),
        &p.skills.as_ref().map(|s| s.join(", ")),
    );
    add(
        "Languages".into(),
        None,
        &p.languages.as_ref().map(|s| s.join(", ")),
    );
    for (i, m) in p.messages.iter().flatten().enumerate() {
        let (who, section) = match m.direction {
            Direction::Inbound => ("from this profile", "messages"),
            Direction::Outbound => ("to this profile", "messages.outbound"),
        };
        add(
            format!("Message {}, {who}", i + 1),
            Some(section),
            &Some(m.text.clone()),
        );
    }
    out
}

/// The reasons' evidence found in the texts: per text, `(start, end, reason number)`.
pub(super) fn highlights(e: &Entry) -> Vec<Vec<(usize, usize, usize)>> {
    let mut marks = vec![Vec::new(); e.texts.len()];
    for (n, r) in e.record.reasons.iter().chain(&e.signs).enumerate() {
        let Some(ev) = r.evidence.as_deref().filter(|v| !v.is_empty()) else {
            continue;
        };
        if r.code.starts_with("section:") || r.code.starts_with("feature:") {
            continue;
        }
        for (t, text) in e.texts.iter().enumerate() {
            if let Some(at) = text.text.find(ev) {
                marks[t].push((at, at + ev.len(), n + 1));
                break;
            }
        }
    }
    for m in &mut marks {
        m.sort();
        let mut end = 0;
        m.retain(|&(s, e, _)| {
            let keep = s >= end;
            if keep {
                end = e;
            }
            keep
        });
    }
    marks
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_shows_hidden_characters() {
        assert_eq!(
            escape("<b>\"x\" & 'y'</b>\u{202E}\u{7}\n"),
            "&lt;b&gt;&quot;x&quot; &amp; &#39;y&#39;&lt;/b&gt;<span class=\"ctl\">U+202E</span><span class=\"ctl\">U+0007</span>\n"
        );
        assert_eq!(
            escape("https://x.example/?a=1"),
            "https&#58;//x.example/?a&#61;1"
        );
    }
}
