//! Evidence as written: rules match and the model reads normalised text (lower case, accents
//! removed, look-alike letters folded, whitespace collapsed), but an analyst must see the words
//! the profile used. This module maps a span of the normalised text back to the span of the
//! original text it came from.
//!
//! The two texts are aligned by normalising the original one character at a time with
//! [`normalize`] and matching each piece against the normalised text, keeping cumulative
//! offsets. Normalisation depends a little on context (look-alike letters are folded inside
//! Latin words only; whitespace runs collapse), so a character whose piece does not match is
//! aligned with as many normalised characters as its piece has. A mapped span is used only when
//! it is safe: its own normalisation gives back the matched text, or the alignment up to its
//! end was exact. Otherwise the normalised text is the evidence, as before. The mapping is
//! computed only for evidence actually emitted, and only up to the end of the span.

use std::ops::Range;

use unicode_normalization::char::is_combining_mark;

use crate::normalize::normalize;

/// What the alignment found for one span: the first and last original characters that
/// produced normalised text inside it, with the normalised ranges they produced.
#[derive(Default)]
struct Found {
    first: Option<(usize, usize)>,
    last: Option<(usize, usize)>,
    /// Original byte ranges of `first` and `last`.
    start: usize,
    end: usize,
    /// Whether every character up to the span's end aligned as expected.
    exact: bool,
}

impl Found {
    /// Records that original bytes `o` produced normalised bytes `n` (non-empty).
    fn piece(&mut self, span: &Range<usize>, o: Range<usize>, n: Range<usize>) {
        if self.first.is_none() && n.end > span.start {
            self.first = Some((n.start, n.end));
            self.start = o.start;
        }
        if n.start < span.end {
            self.last = Some((n.start, n.end));
            self.end = o.end;
        }
    }
}

/// Aligns `original` with `normalized` (its normalisation) up to the end of `span`.
fn align(original: &str, normalized: &str, span: &Range<usize>) -> Found {
    let (ob, nb) = (original.as_bytes(), normalized.as_bytes());
    let mut found = Found {
        exact: true,
        ..Found::default()
    };
    let (mut o, mut j) = (0usize, 0usize);
    let mut buf = [0u8; 4];
    // Accented letters repeat: each distinct character is normalised once per text.
    let mut cache: Vec<(char, String)> = Vec::new();
    while o < ob.len() && j < span.end {
        // Fast path: ASCII that normalises to its lower case, byte for byte.
        let b = ob[o];
        if b.is_ascii() && !b.is_ascii_whitespace() && nb.get(j) == Some(&b.to_ascii_lowercase()) {
            found.piece(span, o..o + 1, j..j + 1);
            o += 1;
            j += 1;
            continue;
        }
        let c = original[o..]
            .chars()
            .next()
            .expect("o is on a character boundary");
        let width = c.len_utf8();
        let rest = &normalized[j..];
        let from = j;
        if c.is_whitespace() {
            if rest.starts_with(' ') {
                j += 1;
            }
        } else {
            let piece = match cache.iter().find(|(k, _)| *k == c) {
                Some((_, p)) => p.clone(),
                None => {
                    let p = normalize(c.encode_utf8(&mut buf)).text;
                    if cache.len() < 32 {
                        cache.push((c, p.clone()));
                    }
                    p
                }
            };
            if piece.is_empty() {
                // Removed (an invisible character, a combining accent): no normalised text.
            } else if rest.starts_with(&piece) {
                j += piece.len();
            } else if is_combining_mark(c) {
                // Composed with the character before it (`e` + U+0301), then folded away.
            } else {
                // Context changed this character: a look-alike letter folded to the Latin
                // letter in a Latin word is the one change expected; anything else is drift.
                let mut p = piece.chars();
                let next = rest.chars().next();
                let folded = matches!((p.next(), p.next(), next), (Some(a), None, Some(b)) if !a.is_ascii() && b.is_ascii_alphabetic());
                found.exact &= folded;
                j += next.map_or(0, char::len_utf8);
            }
        }
        if j > from {
            found.piece(span, o..o + width, from..j);
        }
        o += width;
    }
    found
}

/// The span of `original` that normalised to `span` of `normalized` (which must be
/// `normalize(original).text`), or `None` when it cannot be told safely.
pub fn original_span(original: &str, normalized: &str, span: Range<usize>) -> Option<Range<usize>> {
    if span.start >= span.end || span.end > normalized.len() {
        return None;
    }
    // Fast path: up to the span's end the normalised text is the original in lower case
    // (plain ASCII, single spaces, nothing removed), so the span is the same bytes.
    let (ob, nb) = (original.as_bytes(), normalized.as_bytes());
    if span.end <= ob.len()
        && original.is_char_boundary(span.start)
        && original.is_char_boundary(span.end)
        && ob[..span.end].eq_ignore_ascii_case(&nb[..span.end])
    {
        return Some(span);
    }
    let found = align(original, normalized, &span);
    let (first, last) = (found.first?, found.last?);
    let range = found.start..found.end;
    if range.start >= range.end {
        return None;
    }
    let boundaries = first.0 == span.start && last.1 == span.end;
    if (found.exact && boundaries) || normalize(&original[range.clone()]).text == normalized[span] {
        Some(range)
    } else {
        None
    }
}

/// The evidence for `span` of `normalized`: the original text as written when it can be
/// mapped back safely, else the normalised text.
pub fn as_written(original: &str, normalized: &str, span: Range<usize>) -> String {
    match original_span(original, normalized, span.clone()) {
        Some(r) => original[r].to_owned(),
        None => normalized.get(span).unwrap_or_default().to_owned(),
    }
}

/// The first `max` normalised characters of texts joined with ` | ` (as the model joins a
/// section), shown as written: each text's covered prefix is mapped back to its original;
/// `...` marks a cut. Texts that normalise to nothing are skipped; texts past the cut are not
/// normalised at all.
pub fn excerpt_as_written<'a>(originals: impl IntoIterator<Item = &'a str>, max: usize) -> String {
    let mut out = String::new();
    let mut budget = max;
    let mut first = true;
    for original in originals {
        let normalized = normalize(original).text;
        if normalized.is_empty() {
            continue;
        }
        if !first {
            if budget < 3 {
                out.push_str("...");
                return out;
            }
            out.push_str(" | ");
            budget -= 3;
        }
        first = false;
        let cut = normalized.char_indices().nth(budget).map(|(i, _)| i);
        let end = cut.unwrap_or(normalized.len());
        if end > 0 {
            out.push_str(&as_written(original, &normalized, 0..end));
        }
        if cut.is_some() {
            out.push_str("...");
            return out;
        }
        budget -= normalized.chars().count();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn written(original: &str, phrase: &str) -> String {
        let n = normalize(original).text;
        let start = n.find(phrase).expect("phrase in normalised text");
        as_written(original, &n, start..start + phrase.len())
    }

    #[test]
    fn accents_capitals_and_spacing_come_back() {
        let text = "Je suis  Chargée de\nRecrutement chez Horizon.";
        assert_eq!(
            written(text, "chargee de recrutement"),
            "Chargée de\nRecrutement"
        );
        assert_eq!(written("Mission RÉMUNÉRÉE !", "remuneree"), "RÉMUNÉRÉE");
        assert_eq!(written("Straße", "strasse"), "Straße");
    }

    #[test]
    fn hidden_and_look_alike_characters_are_kept_as_written() {
        let text = "Write to me on Wh\u{200B}atsАpp please";
        assert_eq!(written(text, "whatsapp"), "Wh\u{200B}atsАpp");
        let text = "\u{FF37}hatsApp"; // full-width W
        assert_eq!(written(text, "whatsapp"), "\u{FF37}hatsApp");
    }

    #[test]
    fn decomposed_accents_and_leading_space() {
        let text = "  Charge\u{301}e de recrutement";
        assert_eq!(written(text, "chargee"), "Charge\u{301}e");
    }

    #[test]
    fn falls_back_to_the_normalised_text_when_unsure() {
        assert_eq!(as_written("abc", "abc", 1..9), "");
        assert_eq!(as_written("abc", "xyz", 0..3), "xyz");
    }

    #[test]
    fn excerpts_keep_the_original_prefix() {
        let parts = ["Ingénieur Sûreté", " \u{200B} ", "EDF, Paris"];
        assert_eq!(
            excerpt_as_written(parts, 80),
            "Ingénieur Sûreté | EDF, Paris"
        );
        assert_eq!(excerpt_as_written(parts, 5), "Ingén...");
        assert_eq!(excerpt_as_written(parts, 20), "Ingénieur Sûreté | E...");
    }
}
