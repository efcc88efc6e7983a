//! The linear engine's reasons: its exact terms grouped into sections and feature groups, each
//! section with the words and word pairs that weighed most, as an analyst reads them.

use std::collections::BTreeMap;

use super::hashing::{words, WordMap};
use super::{section_name, LinearModel, RawDoc, Terms};
use crate::profile::Profile;
use crate::score::Reason;

/// Phrases shown as a section's evidence.
const PHRASES: usize = 3;

fn round3(x: f32) -> f32 {
    (x * 1000.0).round() / 1000.0
}

/// One word, or two neighbouring words, of a section's normalised text. Ordering the pairs
/// orders the phrases as their text joined by a space would (words hold no spaces).
type Phrase<'a> = (&'a str, Option<&'a str>);

/// The value of `slot` in a sparse vector sorted by slot (0 when absent).
fn value_at(v: &[(u32, f32)], slot: u32) -> f32 {
    v.binary_search_by_key(&slot, |&(s, _)| s)
        .map_or(0.0, |i| v[i].1)
}

/// The words and word pairs of section `s` with their summed terms. A slot's term is shared
/// among the phrases that hashed to it, in proportion to their occurrences (`counts` holds
/// the section's occurrences per slot, `tfidf` its values).
fn phrases<'a>(
    m: &LinearModel,
    counts: &[(u32, f32)],
    tfidf: &[(u32, f32)],
    s: usize,
    text: &'a str,
) -> Vec<(Phrase<'a>, f32)> {
    let ws: Vec<&str> = words(text).take(m.spec.hashing.max_words).collect();
    let mut by_phrase: WordMap<Phrase<'a>, f32> = WordMap::default();
    m.spec.hashing.grams(s, text, |slot, n, i| {
        let share = m.weights[slot as usize] * value_at(tfidf, slot) / value_at(counts, slot);
        let phrase = (ws[i], (n == 2).then(|| ws[i + 1]));
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

/// The original texts of one section, each normalised once, for showing phrases as written.
struct Written<'p> {
    parts: Vec<(&'p str, String)>,
}

impl<'p> Written<'p> {
    fn new(p: &'p Profile, s: usize) -> Self {
        let parts = crate::model::text::TextEncoder::section_parts(p, s)
            .map(|original| (original, crate::normalize::normalize(original).text))
            .collect();
        Written { parts }
    }

    /// The first occurrence of consecutive normalised `words` inside one original text,
    /// mapped back to the original characters (case, accents, punctuation between the words).
    fn find(&self, want: &[&str]) -> Option<String> {
        for (original, n) in &self.parts {
            let ws = word_spans(n);
            for (i, win) in ws.windows(want.len()).enumerate() {
                if win.iter().map(|(_, w)| *w).eq(want.iter().copied()) {
                    let (start, last) = (ws[i].0, ws[i + want.len() - 1]);
                    let span = start..last.0 + last.1.len();
                    return crate::evidence::original_span(original, n, span)
                        .map(|r| original[r].to_owned());
                }
            }
        }
        None
    }

    /// A phrase as the profile wrote it. A word pair that spans two texts of the section (a
    /// job title and its company) is shown as its two words joined by ` | `, the separator the
    /// section's text uses; a phrase that cannot be mapped is shown normalised.
    fn phrase(&self, (first, second): Phrase) -> String {
        let Some(second) = second else {
            return self.find(&[first]).unwrap_or_else(|| first.to_owned());
        };
        self.find(&[first, second]).unwrap_or_else(|| {
            let one = |w: &str| self.find(&[w]).unwrap_or_else(|| w.to_owned());
            format!("{} | {}", one(first), one(second))
        })
    }
}

fn section_reason(
    m: &LinearModel,
    p: &Profile,
    d: &RawDoc,
    t: &Terms,
    s: usize,
    text: &str,
) -> Reason {
    let term = t.sections[s];
    let sign = term.signum();
    let mut ph = phrases(m, &d.sections[s], &t.vectors[s], s, text);
    ph.retain(|(_, c)| c * sign > 0.0);
    ph.sort_by(|a, b| (b.1 * sign).total_cmp(&(a.1 * sign)).then(a.0.cmp(&b.0)));
    let written = Written::new(p, s);
    let evidence: Vec<String> = ph
        .iter()
        .take(PHRASES)
        .map(|&(w, c)| format!("{} ({c:+.2})", written.phrase(w)))
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
pub fn top(
    m: &LinearModel,
    p: &Profile,
    texts: &[String],
    d: &RawDoc,
    t: &Terms,
    n: usize,
) -> Vec<Reason> {
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
            Some(s) => section_reason(m, p, d, t, s, &texts[s]),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Position;

    #[test]
    fn phrases_are_shown_as_written_even_across_a_title_and_its_company() {
        let p = Profile {
            id: "p".into(),
            experience: Some(vec![Position {
                title: Some("Visiting SCHOLAR".into()),
                company: Some("Université de Genève".into()),
                ..Position::default()
            }]),
            ..Profile::default()
        };
        // Section 2 holds the job titles and companies, joined as "visiting scholar | universite de geneve".
        let w = Written::new(&p, 2);
        assert_eq!(w.phrase(("visiting", Some("scholar"))), "Visiting SCHOLAR");
        assert_eq!(w.phrase(("universite", None)), "Université");
        assert_eq!(
            w.phrase(("scholar", Some("universite"))),
            "SCHOLAR | Université"
        );
        assert_eq!(w.phrase(("absent", None)), "absent");
    }

    #[test]
    fn phrase_order_is_the_order_of_the_joined_text() {
        // The tie-break among equal contributions sorts phrases as their text would sort.
        let mut v: Vec<Phrase> = vec![
            ("ab", None),
            ("a", Some("b")),
            ("a", None),
            ("a", Some("c")),
        ];
        v.sort();
        let joined: Vec<String> = v
            .iter()
            .map(|(a, b)| b.map_or_else(|| a.to_string(), |b| format!("{a} {b}")))
            .collect();
        let mut sorted = joined.clone();
        sorted.sort();
        assert_eq!(joined, sorted);
    }
}
