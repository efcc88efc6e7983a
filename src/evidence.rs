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

/// One original character's byte range and the byte range of the normalised text it became.
type Piece = (Range<usize>, Range<usize>);

/// The normalised pieces of `original`'s characters up to normalised offset `until`:
/// `(original byte range, normalised byte range)` per character, and whether every piece
/// matched exactly.
fn align(original: &str, normalized: &str, until: usize) -> (Vec<Piece>, bool) {
    let mut pieces = Vec::new();
    let mut exact = true;
    let mut j = 0usize;
    let mut buf = [0u8; 4];
    for (o, c) in original.char_indices() {
        if j >= until {
            break;
        }
        let rest = &normalized[j..];
        let from = j;
        if c.is_ascii()
            && !c.is_ascii_whitespace()
            && rest.as_bytes().first() == Some(&(c.to_ascii_lowercase() as u8))
        {
            j += 1;
        } else if c.is_whitespace() {
            if rest.starts_with(' ') {
                j += 1;
            }
        } else {
            let piece = normalize(c.encode_utf8(&mut buf)).text;
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
                if !folded {
                    exact = false;
                }
                j += next.map_or(0, char::len_utf8);
            }
        }
        pieces.push((o..o + c.len_utf8(), from..j));
    }
    (pieces, exact)
}

/// The span of `original` that normalised to `span` of `normalized` (which must be
/// `normalize(original).text`), or `None` when it cannot be told safely.
pub fn original_span(original: &str, normalized: &str, span: Range<usize>) -> Option<Range<usize>> {
    if span.start >= span.end || span.end > normalized.len() {
        return None;
    }
    let (pieces, exact) = align(original, normalized, span.end);
    let first = pieces
        .iter()
        .find(|(_, n)| n.end > span.start && n.start < n.end)?;
    let last = pieces
        .iter()
        .rev()
        .find(|(_, n)| n.start < span.end && n.start < n.end)?;
    let range = first.0.start..last.0.end;
    if range.start >= range.end {
        return None;
    }
    let wanted = &normalized[span.clone()];
    let boundaries = first.1.start == span.start && last.1.end == span.end;
    if normalize(&original[range.clone()]).text == wanted || (exact && boundaries) {
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

/// The first `max` normalised characters of texts joined with ` | `, shown as written: each
/// text's covered prefix is mapped back to its original; `...` marks a cut.
/// `parts` are `(original, normalised)` pairs; empty normalised texts are skipped.
pub fn excerpt_as_written(parts: &[(&str, &str)], max: usize) -> String {
    let mut out = String::new();
    let mut budget = max;
    let mut first = true;
    for (original, normalized) in parts.iter().filter(|(_, n)| !n.is_empty()) {
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
            out.push_str(&as_written(original, normalized, 0..end));
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
        let a = "Ingénieur Sûreté";
        let b = "EDF, Paris";
        let (na, nb) = (normalize(a).text, normalize(b).text);
        assert_eq!(
            excerpt_as_written(&[(a, &na), (b, &nb)], 80),
            "Ingénieur Sûreté | EDF, Paris"
        );
        assert_eq!(excerpt_as_written(&[(a, &na), (b, &nb)], 5), "Ingén...");
        assert_eq!(
            excerpt_as_written(&[(a, &na), (b, &nb)], 20),
            "Ingénieur Sûreté | E..."
        );
    }
}
