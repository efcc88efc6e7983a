//! Text normalisation shared by the rules and the model: every text passes through
//! [`normalize`] before matching or tokenising, so that an evasion trick that hides a phrase
//! from one hides it from neither.
//!
//! Steps, in order:
//! 1. Unicode NFKC (full-width and mathematical letters become plain letters).
//! 2. Removal of every `Default_Ignorable_Code_Point` (zero-width characters, bidi controls,
//!    variation selectors, tag characters, Hangul fillers, ...) and of the blank-rendering
//!    characters that lack the property (U+2800 BRAILLE PATTERN BLANK, U+1D159); NFKC again
//!    when something was removed, so that the removal cannot leave a non-normalised text.
//! 3. Folding of look-alike letters to ASCII, by the confusable prototypes of UTS #39
//!    ([`tables::CONFUSABLE`], generated from Unicode data, see [`UNICODE_VERSION`]), inside
//!    words that mix them with Latin letters, and inside all-look-alike words of a mostly Latin
//!    text (`Теlеgrаm`, `Whɑtsꜱpp`).
//! 4. Case folding, then removal of Latin diacritics (`rémunéré` → `remunere`, `ß` → `ss`) and
//!    of every combining mark that is not carried by a letter of another script (`a\u{1DC4}`
//!    → `a`; Devanagari vowel signs stay).
//! 5. Runs of whitespace collapse to one space; leading and trailing whitespace goes.
//!
//! What normalisation had to undo is counted in [`Obfuscation`]: it is evidence in itself for
//! the rules, never a model input. Counted are invisible characters next to Latin letters
//! (variation selectors and tag characters only after a Latin letter, so emoji sequences are
//! not), bidi controls, folded look-alikes (except Latin letters of a living orthography, such
//! as Turkish `ı`, which are folded but not counted), and combining marks outside the common
//! accents (U+0300-036F) or stacked more than two deep. Zero-width joiners inside emoji or
//! between non-Latin letters (Persian, Indic scripts) are removed but not counted, so genuine
//! profiles written in those scripts are not penalised.

mod chars;
#[cfg(test)]
mod generate;
mod lookalike;
mod tables;
#[cfg(test)]
mod tests;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

pub use chars::is_latin_letter;
use chars::{is_bidi_control, is_invisible, is_letter, is_selector, is_word_char};
use lookalike::{confusable, early_confusable, fold_before_nfkc, fold_words};

/// The Unicode version of the data behind [`tables`] (from the `unicode-security` crate).
pub const UNICODE_VERSION: (u64, u64, u64) = tables::UNICODE_VERSION;

/// What normalisation had to undo in one text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Obfuscation {
    /// Invisible (default-ignorable or blank) characters removed next to Latin letters.
    pub invisible: u32,
    /// Bidi control characters removed.
    pub bidi: u32,
    /// Look-alike letters (Cyrillic, Greek, Armenian, IPA, small capitals...) folded to ASCII.
    pub confusables: u32,
    /// Combining marks removed from Latin letters or from nothing, beyond ordinary accents.
    pub marks: u32,
}

impl Obfuscation {
    pub fn total(&self) -> u32 {
        self.invisible + self.bidi + self.confusables + self.marks
    }

    pub fn add(&mut self, other: Obfuscation) {
        self.invisible += other.invisible;
        self.bidi += other.bidi;
        self.confusables += other.confusables;
        self.marks += other.marks;
    }
}

/// A normalised text and what normalisation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    pub obfuscation: Obfuscation,
}

/// Normalises one text (see the module documentation).
/// What a pattern that needs capitals (such as [`crate::names`]'s) should see of `c`: nothing
/// for a character normalisation removes as hidden or a combining mark, the letter a look-alike
/// passes for (UTS #39 prototype, so its capital stays a capital), else `c` itself.
pub fn pattern_view(c: char) -> Option<char> {
    if is_invisible(c) || is_bidi_control(c) || is_combining_mark(c) {
        return None;
    }
    Some(confusable(c).map_or(c, |(to, _)| to))
}

pub fn normalize(input: &str) -> Normalized {
    let (mut n, mut touched) = normalize_once(input);
    // Folding a letter or removing a mark can make another step applicable (a decomposed
    // `ǯ` leaves `ʒ`, a look-alike; removing a stray mark joins two words). Steps are
    // repeated until nothing changes, so that normalisation is idempotent; what the repeats
    // undo was already counted. Only a pass that removed, folded or decomposed something
    // (`touched`) can leave work for another, and ASCII output is final (the fast path is
    // the identity on it), so ordinary text takes one pass.
    for _ in 0..4 {
        if !touched || n.text.is_ascii() {
            break;
        }
        let (again, t) = normalize_once(&n.text);
        if again.text == n.text {
            break;
        }
        (n.text, touched) = (again.text, t);
    }
    n
}

/// One pass of the steps; also says whether the pass removed, folded or decomposed anything
/// (beyond case folding), which is when a second pass might find more to do.
fn normalize_once(input: &str) -> (Normalized, bool) {
    let mut obfuscation = Obfuscation::default();
    // Fast path: plain ASCII needs only case folding and whitespace collapsing.
    if input.is_ascii() {
        return (
            Normalized {
                text: normalize_ascii(input),
                obfuscation,
            },
            false,
        );
    }
    let mut touched = false;

    let composed: String = match is_nfkc_quick(input.chars()) {
        IsNormalized::Yes => input.to_owned(),
        _ if input.chars().any(|c| early_confusable(c).is_some()) => {
            touched = true;
            fold_before_nfkc(input, &mut obfuscation).nfkc().collect()
        }
        _ => input.nfkc().collect(),
    };

    // Step 2: drop invisible characters, counting those glued to Latin letters.
    let chars: Vec<char> = composed.chars().collect();
    let mut visible: Vec<char> = Vec::with_capacity(chars.len());
    let latin_like = |c: char| is_latin_letter(c) || confusable(c).is_some();
    let mut removed = false;
    for (i, &c) in chars.iter().enumerate() {
        if c.is_ascii() {
            visible.push(c);
        } else if is_bidi_control(c) {
            obfuscation.bidi += 1;
            removed = true;
        } else if is_invisible(c) {
            removed = true;
            let latin_before = visible.last().is_some_and(|&p| latin_like(p));
            let counted = if is_selector(c) {
                latin_before
            } else {
                latin_before
                    || chars[i + 1..]
                        .iter()
                        .find(|&&n| !is_invisible(n) && !is_bidi_control(n))
                        .is_some_and(|&n| latin_like(n))
            };
            if counted {
                obfuscation.invisible += 1;
            }
        } else {
            visible.push(c);
        }
    }
    touched |= removed;
    if removed && is_nfkc_quick(visible.iter().copied()) != IsNormalized::Yes {
        // What the removed characters separated may compose now (`e` + U+0301, Hangul jamo).
        visible = visible.into_iter().nfkc().collect();
    }
    // Case folding comes before the look-alike analysis, so that a second pass sees the
    // letters it judged the first time (capitals outside the Latin blocks whose small
    // letters are inside them, `Ƛ`, would otherwise change which words count as Latin).
    if visible.iter().any(|c| !c.is_lowercase()) {
        if visible
            .iter()
            .all(|&c| c.is_ascii() || c.to_lowercase().len() == 1)
        {
            // Every character has a one-character lower case (all but `İ`): in place.
            for c in &mut visible {
                *c = if c.is_ascii() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_lowercase().next().unwrap_or(*c)
                };
            }
        } else {
            visible = visible.into_iter().flat_map(char::to_lowercase).collect();
        }
        // Case mappings need not give NFKC text; another pass would normalise it.
        touched |= is_nfkc_quick(visible.iter().copied()) != IsNormalized::Yes;
    }

    // Step 3: fold look-alikes, first in words that mix them with Latin letters, then in
    // all-look-alike words when the text is mostly Latin once the first pass is done. Judging
    // "mostly Latin" after the first pass keeps normalisation idempotent. Both folds only
    // touch words holding a look-alike: a text without any is left as it is.
    if visible.iter().any(|&c| confusable(c).is_some()) {
        fold_lookalikes(&mut visible, &mut obfuscation, &mut touched);
    }

    // Step 4: Latin diacritics, and combining marks not carried by a letter of another
    // script.
    let mut folded = Vec::with_capacity(visible.len());
    let mut marks_in_a_row = 0u32;
    for c in visible {
        if !c.is_ascii() && is_combining_mark(c) {
            let carried = folded
                .last()
                .is_some_and(|&p: &char| !p.is_ascii() && p.is_alphabetic() && !is_latin_letter(p));
            marks_in_a_row += 1;
            if !carried {
                if !('\u{0300}'..='\u{036F}').contains(&c) || marks_in_a_row > 2 {
                    obfuscation.marks += 1;
                }
                touched = true;
                continue;
            }
            folded.push(c);
            continue;
        }
        marks_in_a_row = 0;
        if is_latin_letter(c) && !c.is_ascii() {
            decompose_canonical(c, |d| {
                if d.is_ascii() || !is_combining_mark(d) {
                    // A base letter that is not ASCII (`ǯ` leaves `ʒ`) may fold next time.
                    touched |= d != c && !d.is_ascii();
                    push_folded(&mut folded, d);
                }
            });
        } else {
            push_folded(&mut folded, c);
        }
    }
    let text = collapse_whitespace(folded.into_iter());
    (Normalized { text, obfuscation }, touched)
}

/// The normalisation of a plain ASCII text: lower case, and [`collapse_whitespace`] byte by
/// byte (an ASCII whitespace or control character is a byte up to the space, or DEL).
fn normalize_ascii(input: &str) -> String {
    let b = input.as_bytes();
    let blank = |c: u8| c <= b' ' || c == 0x7f;
    // Most texts have single spaces between words and nothing to trim: only case changes.
    let tidy = b.first() != Some(&b' ')
        && b.last() != Some(&b' ')
        && !b.iter().any(|&c| c < b' ' || c == 0x7f)
        && !b.windows(2).any(|w| w == b"  ");
    if tidy {
        return input.to_ascii_lowercase();
    }
    let mut out = String::with_capacity(input.len());
    let mut pending_space = false;
    for &c in b {
        if blank(c) {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(char::from(c.to_ascii_lowercase()));
        }
    }
    out
}

/// Step 3 of [`normalize_once`] (see there): folds look-alikes in words that mix them with
/// Latin letters, then in all-look-alike words of a mostly Latin text.
fn fold_lookalikes(visible: &mut [char], obfuscation: &mut Obfuscation, touched: &mut bool) {
    let (counted, any) = fold_words(visible, |word| word.iter().any(|&c| is_latin_letter(c)));
    obfuscation.confusables += counted;
    *touched |= any;
    // Counted in words, not letters, so that later steps (ligatures spelt out, case
    // folding) cannot tip the balance on a second pass.
    let (mut latin_words, mut words) = (0, 0);
    for word in visible.split(|&c| !is_word_char(c)) {
        if word.iter().any(|&c| is_letter(c)) {
            words += 1;
            latin_words += usize::from(word.iter().any(|&c| is_latin_letter(c)));
        }
    }
    if latin_words * 2 > words {
        let (counted, any) = fold_words(visible, |word| {
            word.iter().any(|&c| is_letter(c))
                && word
                    .iter()
                    .filter(|&&c| is_letter(c))
                    .all(|&c| confusable(c).is_some())
        });
        obfuscation.confusables += counted;
        *touched |= any;
    }
}

/// Pushes a lower-case character, spelling out ligatures and unifying quotes and dashes.
fn push_folded(out: &mut Vec<char>, c: char) {
    match c {
        'ß' => out.extend(['s', 's']),
        'æ' => out.extend(['a', 'e']),
        'œ' => out.extend(['o', 'e']),
        '\u{2018}' | '\u{2019}' | '\u{02BC}' | '\u{2032}' => out.push('\''),
        '\u{2010}'..='\u{2015}' | '\u{2212}' => out.push('-'),
        c => out.push(c),
    }
}

fn collapse_whitespace(chars: impl ExactSizeIterator<Item = char>) -> String {
    let mut out = String::with_capacity(chars.len());
    let mut pending_space = false;
    for c in chars {
        if c.is_whitespace() || c.is_control() {
            pending_space = !out.is_empty();
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(c);
        }
    }
    out
}
