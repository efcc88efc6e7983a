//! The linear engine's reasons: its exact terms grouped into sections and feature groups, each
//! section with the words and word pairs that weighed most, as an analyst reads them.

use super::hashing::Slots;
use super::{section_name, LinearModel, RawDoc, Terms};
use crate::fnv::{NumberMap, WordMap};
use crate::model::text::{section_of, Reading, TextEncoder};
use crate::normalize::Normalized;
use crate::profile::{Profile, TextField};
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

/// A phrase's summed term, and the terms added to it at each occurrence, in order.
struct Sum {
    total: f32,
    /// The shares of the phrase's slots (untagged, tagged, then character n-grams).
    shares: Vec<f32>,
}

impl Sum {
    fn new(shares: Vec<f32>) -> Self {
        Sum { total: 0.0, shares }
    }

    fn occurs(&mut self) {
        for &x in &self.shares {
            self.total += x;
        }
    }
}

/// The words and word pairs of section `s` with their summed terms. A slot's term is shared
/// among the phrases that hashed to it, in proportion to their occurrences (`counts` holds
/// the section's occurrences per slot, `tfidf` its values). Each distinct word and pair is
/// hashed once; its terms are added at each occurrence in the order of
/// [`super::hashing::HashingConfig::grams`], so every sum is the same to the bit.
fn phrases<'a>(
    m: &LinearModel,
    counts: &[(u32, f32)],
    tfidf: &[(u32, f32)],
    s: usize,
    text: &'a str,
) -> Vec<(Phrase<'a>, f32)> {
    let h = &m.spec.hashing;
    // `tfidf` has the slots of `counts`, in the same order (see `super::tfidf`): one search
    // finds both values.
    let same_slots = tfidf.len() == counts.len();
    let share = |slot: u32| {
        let (x, c) = match counts.binary_search_by_key(&slot, |&(s, _)| s) {
            Ok(i) if same_slots && tfidf[i].0 == slot => (tfidf[i].1, counts[i].1),
            _ => (value_at(tfidf, slot), value_at(counts, slot)),
        };
        m.weight(slot) * x / c
    };
    let slot_shares = |slots: Slots, out: &mut Vec<f32>| {
        out.push(share(slots.plain));
        if let Some(t) = slots.tagged {
            out.push(share(t));
        }
    };
    let ws = h.section_words(text);
    // Distinct words and pairs, by index in `words` and `pairs`.
    let mut word_ids: WordMap<&str, usize> = WordMap::default();
    let mut words: Vec<(&str, Sum)> = Vec::new();
    let mut pair_ids: NumberMap<(usize, usize), usize> = NumberMap::default();
    let mut pairs: Vec<(Phrase<'a>, Sum)> = Vec::new();
    let mut previous = 0;
    for (i, &w) in ws.words.iter().enumerate() {
        let id = *word_ids.entry(w).or_insert_with(|| {
            let mut shares = Vec::with_capacity(2);
            slot_shares(h.word_slots(s, w), &mut shares);
            h.char_gram_slots(w, |slot| shares.push(share(slot)));
            words.push((w, Sum::new(shares)));
            words.len() - 1
        });
        words[id].1.occurs();
        if h.paired(&ws, i) {
            let pid = *pair_ids.entry((previous, id)).or_insert_with(|| {
                let first = ws.words[i - 1];
                let mut shares = Vec::with_capacity(2);
                slot_shares(h.pair_slots(s, first, w), &mut shares);
                pairs.push(((first, Some(w)), Sum::new(shares)));
                pairs.len() - 1
            });
            pairs[pid].1.occurs();
        }
        previous = id;
    }
    words
        .into_iter()
        .map(|(w, sum)| ((w, None), sum.total))
        .chain(pairs.into_iter().map(|(p, sum)| (p, sum.total)))
        .collect()
}

/// The words of a normalised text with their byte spans (the same words as
/// [`super::hashing::words`]).
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    super::hashing::for_each_word(text, |w, _| {
        let start = w.as_ptr() as usize - text.as_ptr() as usize;
        out.push((start, start + w.len()));
        true
    });
    out
}

/// One original text of a section, its normalised form and, once searched, its words' spans.
struct Part<'p> {
    original: &'p str,
    normalized: &'p str,
    spans: std::cell::OnceCell<Vec<(usize, usize)>>,
}

/// The original texts of one section beside their normalised forms, for showing phrases as
/// written.
struct Written<'p> {
    parts: Vec<Part<'p>>,
}

impl<'p> Written<'p> {
    /// The texts of section `s` of `p`; `normalized` is the profile's [`Reading::normalized`].
    fn new(p: &'p Profile, s: usize, normalized: &'p [(TextField, Normalized)]) -> Self {
        // Both come from `Profile::texts` in order, filtered alike: they pair up one to one.
        let normalized = normalized
            .iter()
            .filter(|(f, _)| section_of(*f) == Some(s))
            .map(|(_, n)| n.text.as_str());
        let parts = TextEncoder::section_parts(p, s)
            .zip(normalized)
            .map(|(original, normalized)| Part {
                original,
                normalized,
                spans: std::cell::OnceCell::new(),
            })
            .collect();
        Written { parts }
    }

    /// The first occurrence of consecutive normalised `words` inside one original text,
    /// mapped back to the original characters (case, accents, punctuation between the words).
    fn find(&self, want: &[&str]) -> Option<String> {
        for part in &self.parts {
            let n = part.normalized;
            let ws = part.spans.get_or_init(|| word_spans(n));
            for (i, win) in ws.windows(want.len()).enumerate() {
                if win.iter().map(|&(a, b)| &n[a..b]).eq(want.iter().copied()) {
                    let span = ws[i].0..ws[i + want.len() - 1].1;
                    let original = part.original;
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
    r: &Reading,
    d: &RawDoc,
    t: &Terms,
    s: usize,
) -> Reason {
    let term = t.sections[s];
    let sign = term.signum();
    let mut ph = phrases(m, &d.sections[s], &t.vectors[s], s, &r.texts[s]);
    ph.retain(|(_, c)| c * sign > 0.0);
    // Phrases are distinct, so this order is total: the strongest few are the same whether
    // the rest is sorted or not.
    let order = |a: &(Phrase, f32), b: &(Phrase, f32)| {
        (b.1 * sign).total_cmp(&(a.1 * sign)).then(a.0.cmp(&b.0))
    };
    if ph.len() > PHRASES {
        ph.select_nth_unstable_by(PHRASES - 1, order);
        ph.truncate(PHRASES);
    }
    ph.sort_by(order);
    let written = Written::new(p, s, &r.normalized);
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

/// A reason's code in two parts, joined only for the reasons kept: a prefix (`section:`,
/// `feature:`, or none for a rule indicator, whose feature name `rule:<code>` is its code) and
/// the rest.
type Code<'a> = (&'static str, &'a str);

/// Orders codes as their joined text would be ordered.
fn code_cmp(a: &Code, b: &Code) -> std::cmp::Ordering {
    a.0.bytes()
        .chain(a.1.bytes())
        .cmp(b.0.bytes().chain(b.1.bytes()))
}

/// The reason codes of a list of features, and the index of each feature's code: a rule
/// indicator is its own reason (`rule:<code>`); other features explain by group
/// ([`crate::model::feature_group`]).
pub(super) fn feature_codes(features: &[String]) -> (Vec<(&'static str, String)>, Vec<usize>) {
    let mut codes: Vec<(&'static str, String)> = Vec::new();
    let of_feature = features
        .iter()
        .map(|name| {
            let code = if name.starts_with("rule:") {
                ("", name.clone())
            } else {
                ("feature:", crate::model::feature_group(name))
            };
            codes.iter().position(|c| *c == code).unwrap_or_else(|| {
                codes.push(code);
                codes.len() - 1
            })
        })
        .collect();
    (codes, of_feature)
}

/// The `n` strongest reasons of a scored profile (|term| >= 0.01), strongest first, with their
/// evidence or without (which spares searching a section for its phrases).
pub fn top(
    m: &LinearModel,
    p: &Profile,
    r: &Reading,
    d: &RawDoc,
    t: &Terms,
    n: usize,
    evidence: bool,
) -> Vec<Reason> {
    let mut out: Vec<(Code, f32, Option<usize>)> = Vec::new();
    for (s, &term) in t.sections.iter().enumerate() {
        if term != 0.0 {
            out.push((("section:", section_name(s)), term, Some(s)));
        }
    }
    // Each code's terms are summed in feature order; the order of the codes themselves does
    // not matter, the sort below being total (codes are distinct).
    let mut sums = vec![0.0f32; m.reason_codes.len()];
    for (&term, &c) in t.features.iter().zip(&m.reason_of_feature) {
        sums[c] += term;
    }
    out.extend(
        m.reason_codes
            .iter()
            .zip(sums)
            .map(|((prefix, rest), c)| ((*prefix, rest.as_str()), c, None)),
    );
    out.retain(|r| r.1.abs() >= 0.01);
    out.sort_by(|a, b| {
        b.1.abs()
            .total_cmp(&a.1.abs())
            .then_with(|| code_cmp(&a.0, &b.0))
    });
    out.truncate(n);
    out.into_iter()
        .map(|((prefix, rest), c, section)| match section {
            Some(s) if evidence => section_reason(m, p, r, d, t, s),
            _ => Reason {
                evidence: (evidence && prefix == "feature:")
                    .then(|| feature_evidence(p, rest))
                    .flatten(),
                weight: round3(c),
                code: format!("{prefix}{rest}"),
            },
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
        let r = Reading::new(&p, None, false);
        let w = Written::new(&p, 2, &r.normalized);
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
