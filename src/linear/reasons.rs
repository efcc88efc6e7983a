//! The linear engine's reasons: its exact terms grouped into sections and feature groups, each
//! section with the words and word pairs that weighed most, as an analyst reads them.

use std::collections::BTreeMap;

use super::hashing::words;
use super::{section_name, LinearModel, Terms};
use crate::profile::Profile;
use crate::score::Reason;

/// Phrases shown as a section's evidence.
const PHRASES: usize = 3;

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// The words and word pairs of one section with their summed terms, strongest in the
/// direction of `sign` first.
fn phrases(
    m: &LinearModel,
    doc_section: &[(u32, f32)],
    s: usize,
    text: &str,
) -> Vec<(String, f32)> {
    let value: BTreeMap<u32, f32> = doc_section.iter().copied().collect();
    let ws: Vec<&str> = words(text).take(m.spec.hashing.max_words).collect();
    let mut occurrences: BTreeMap<u32, f32> = BTreeMap::new();
    m.spec.hashing.grams(s, text, |slot, _, _| {
        *occurrences.entry(slot).or_default() += 1.0
    });
    let mut by_phrase: BTreeMap<String, f32> = BTreeMap::new();
    m.spec.hashing.grams(s, text, |slot, n, i| {
        let x = value.get(&slot).copied().unwrap_or(0.0);
        let share = m.weights[slot as usize] * x / occurrences[&slot];
        let phrase = if n == 2 {
            format!("{} {}", ws[i], ws[i + 1])
        } else {
            ws[i].to_owned()
        };
        *by_phrase.entry(phrase).or_default() += share;
    });
    by_phrase.into_iter().collect()
}

/// The words of a normalised text with their byte spans (the same words as [`words`]).
fn word_spans(text: &str) -> Vec<(usize, &str)> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| (w.as_ptr() as usize - text.as_ptr() as usize, w))
        .collect()
}

/// A phrase (one or two normalised words) as the profile wrote it: its first occurrence in the
/// section's texts mapped back to the original characters (case, accents, punctuation between
/// the words), or `None` when it cannot be found or mapped.
fn as_written(p: &Profile, s: usize, phrase: &str) -> Option<String> {
    let want: Vec<&str> = phrase.split(' ').collect();
    for original in crate::model::text::TextEncoder::section_parts(p, s) {
        let n = crate::normalize::normalize(original).text;
        let ws = word_spans(&n);
        for (i, win) in ws.windows(want.len()).enumerate() {
            if win.iter().map(|(_, w)| *w).eq(want.iter().copied()) {
                let (start, last) = (ws[i].0, ws[i + want.len() - 1]);
                let span = start..last.0 + last.1.len();
                return crate::evidence::original_span(original, &n, span)
                    .map(|r| original[r].to_owned());
            }
        }
    }
    None
}

fn section_reason(
    m: &LinearModel,
    p: &Profile,
    tf: &[(u32, f32)],
    s: usize,
    text: &str,
    term: f32,
) -> Reason {
    let mut ph = phrases(m, tf, s, text);
    let sign = term.signum();
    ph.retain(|(_, c)| c * sign > 0.0);
    ph.sort_by(|a, b| (b.1 * sign).total_cmp(&(a.1 * sign)).then(a.0.cmp(&b.0)));
    let evidence: Vec<String> = ph
        .iter()
        .take(PHRASES)
        .map(|(w, c)| {
            let shown = as_written(p, s, w).unwrap_or_else(|| w.clone());
            format!("{shown} ({c:+.2})")
        })
        .collect();
    Reason {
        code: format!("section:{}", section_name(s)),
        weight: round3(term),
        evidence: (!evidence.is_empty()).then(|| evidence.join("; ")),
    }
}

fn feature_evidence(p: &Profile, group: &str) -> Option<String> {
    if let Some(v) = crate::rules::numeric(p, group) {
        return Some(format!("{group} = {v}"));
    }
    match group {
        "has_photo" => p.has_photo.map(|v| format!("has_photo = {v}")),
        "verified" => p.verified.map(|v| format!("verified = {v}")),
        _ => None,
    }
}

/// The `n` strongest reasons of a scored profile (|term| >= 0.01), strongest first.
pub fn top(m: &LinearModel, p: &Profile, texts: &[String], t: &Terms, n: usize) -> Vec<Reason> {
    let mut out: Vec<(String, f32, Option<usize>)> = Vec::new();
    for (s, &term) in t.sections.iter().enumerate() {
        if term != 0.0 {
            out.push((format!("section:{}", section_name(s)), term, Some(s)));
        }
    }
    let mut groups: BTreeMap<String, f32> = BTreeMap::new();
    for (j, &term) in t.features.iter().enumerate() {
        let name = &m.spec.features[j];
        // A rule indicator is its own reason (`rule:<code>`); other features explain by group.
        let code = if name.starts_with("rule:") {
            name.clone()
        } else {
            format!("feature:{}", crate::model::feature_group(name))
        };
        *groups.entry(code).or_default() += term;
    }
    out.extend(groups.into_iter().map(|(g, c)| (g, c, None)));
    out.retain(|r| r.1.abs() >= 0.01);
    out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
    out.truncate(n);
    out.into_iter()
        .map(|(code, c, section)| match section {
            Some(s) => section_reason(m, p, &t.vectors[s], s, &texts[s], c),
            None => {
                let evidence = code
                    .strip_prefix("feature:")
                    .and_then(|g| feature_evidence(p, g));
                Reason {
                    evidence,
                    weight: round3(c),
                    code,
                }
            }
        })
        .collect()
}
