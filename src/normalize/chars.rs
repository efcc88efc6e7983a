//! The kinds of character normalisation tells apart: invisible (default-ignorable or blank),
//! selectors, bidi controls, Latin letters, letters and word characters.

use unicode_normalization::char::is_combining_mark;

use super::tables;

/// Whether normalisation removes `c` as an invisible character: every
/// `Default_Ignorable_Code_Point` of Unicode, and blank-rendering characters without that
/// property. Bidi controls are default-ignorable too; they are counted apart.
pub(super) fn is_invisible(c: char) -> bool {
    !c.is_ascii()
        && (matches!(c, '\u{2800}' | '\u{1D159}') || in_ranges(c, tables::DEFAULT_IGNORABLE))
}

pub(super) fn in_ranges(c: char, ranges: &[(char, char)]) -> bool {
    ranges
        .binary_search_by(|&(a, b)| {
            if b < c {
                std::cmp::Ordering::Less
            } else if a > c {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// Variation selectors and tag characters: legitimate after emoji, CJK and Mongolian letters
/// (and in flag tag sequences), so counted only when they follow a Latin letter.
pub(super) fn is_selector(c: char) -> bool {
    matches!(c, '\u{180B}'..='\u{180D}' | '\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0000}'..='\u{E0FFF}')
}

pub(super) fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// A letter of the Latin script: ASCII, Latin-1 Supplement, Latin Extended-A and -B, and
/// Latin Extended Additional.
pub fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c.is_alphabetic()
}

/// A letter that is not a combining mark (some marks have the Alphabetic property).
pub(super) fn is_letter(c: char) -> bool {
    c.is_alphabetic() && (c.is_ascii() || !is_combining_mark(c))
}

/// Letters, digits and the combining marks they carry: removing a mark later must not change
/// where words end, or a second pass would fold differently.
pub(super) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}
