//! Text normalisation shared by the rules and the model: every text passes through
//! [`normalize`] before matching or tokenising, so that an evasion trick that hides a phrase
//! from one hides it from neither.
//!
//! Steps, in order:
//! 1. Unicode NFKC (full-width and mathematical letters become plain letters).
//! 2. Removal of zero-width and bidi control characters.
//! 3. Folding of Cyrillic and Greek look-alike letters to Latin inside words that mix them with
//!    Latin letters, and inside all-look-alike words of a mostly Latin text (`Теlеgrаm`).
//! 4. Case folding, then removal of Latin diacritics (`rémunéré` → `remunere`, `ß` → `ss`).
//! 5. Runs of whitespace collapse to one space; leading and trailing whitespace goes.
//!
//! Removed invisible characters next to Latin letters and folded look-alikes are counted in
//! [`Obfuscation`]: they are evidence in themselves. Zero-width joiners inside emoji or between
//! non-Latin letters (Persian, Indic scripts) are removed but not counted, so genuine profiles
//! written in those scripts are not penalised.

use unicode_normalization::char::decompose_canonical;
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

/// What normalisation had to undo in one text.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Obfuscation {
    /// Zero-width characters removed from between Latin letters.
    pub invisible: u32,
    /// Bidi control characters removed.
    pub bidi: u32,
    /// Cyrillic or Greek look-alike letters folded to Latin.
    pub confusables: u32,
}

impl Obfuscation {
    pub fn total(&self) -> u32 {
        self.invisible + self.bidi + self.confusables
    }

    pub fn add(&mut self, other: Obfuscation) {
        self.invisible += other.invisible;
        self.bidi += other.bidi;
        self.confusables += other.confusables;
    }
}

/// A normalised text and what normalisation found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    pub obfuscation: Obfuscation,
}

fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'
            | '\u{200C}'
            | '\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{00AD}'
            | '\u{180E}'
            | '\u{034F}'
            | '\u{2061}'..='\u{2064}'
    )
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The Latin letter a Cyrillic or Greek letter is commonly passed off as. Capitals missing
/// from the table are looked up by their lower-case form.
fn confusable(c: char) -> Option<char> {
    confusable_table(c).or_else(|| {
        let mut lower = c.to_lowercase();
        match (lower.next(), lower.next()) {
            (Some(l), None) if l != c => confusable_table(l),
            _ => None,
        }
    })
}

fn confusable_table(c: char) -> Option<char> {
    Some(match c {
        // Cyrillic.
        'а' => 'a',
        'А' => 'A',
        'В' => 'B',
        'в' => 'b',
        'с' => 'c',
        'С' => 'C',
        'ԁ' => 'd',
        'е' => 'e',
        'Е' => 'E',
        'һ' => 'h',
        'Н' => 'H',
        'і' => 'i',
        'І' => 'I',
        'ј' => 'j',
        'Ј' => 'J',
        'к' => 'k',
        'К' => 'K',
        'ӏ' => 'l',
        'М' => 'M',
        'м' => 'm',
        'о' => 'o',
        'О' => 'O',
        'р' => 'p',
        'Р' => 'P',
        'ԛ' => 'q',
        'ѕ' => 's',
        'Ѕ' => 'S',
        'Т' => 'T',
        'т' => 't',
        'у' => 'y',
        'У' => 'Y',
        'ԝ' => 'w',
        'х' => 'x',
        'Х' => 'X',
        // Greek.
        'α' => 'a',
        'Α' => 'A',
        'Β' => 'B',
        'ε' => 'e',
        'Ε' => 'E',
        'Ζ' => 'Z',
        'Η' => 'H',
        'ι' => 'i',
        'Ι' => 'I',
        'κ' => 'k',
        'Κ' => 'K',
        'Μ' => 'M',
        'ν' => 'v',
        'Ν' => 'N',
        'ο' => 'o',
        'Ο' => 'O',
        'ρ' => 'p',
        'Ρ' => 'P',
        'τ' => 't',
        'Τ' => 'T',
        'υ' => 'u',
        'Υ' => 'Y',
        'χ' => 'x',
        'Χ' => 'X',
        _ => return None,
    })
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c.is_alphabetic()
}

/// Normalises one text (see the module documentation).
pub fn normalize(input: &str) -> Normalized {
    let mut obfuscation = Obfuscation::default();
    // Fast path: plain ASCII needs only case folding and whitespace collapsing.
    if input.is_ascii() {
        return Normalized {
            text: collapse_whitespace(input.chars().map(|c| c.to_ascii_lowercase())),
            obfuscation,
        };
    }

    let composed: String = match is_nfkc_quick(input.chars()) {
        IsNormalized::Yes => input.to_owned(),
        _ => input.nfkc().collect(),
    };

    // Step 2: drop invisible characters, counting those glued to Latin letters.
    let chars: Vec<char> = composed.chars().collect();
    let mut visible: Vec<char> = Vec::with_capacity(chars.len());
    for (i, &c) in chars.iter().enumerate() {
        if is_bidi_control(c) {
            obfuscation.bidi += 1;
        } else if is_zero_width(c) {
            let latin_before = visible
                .last()
                .is_some_and(|&p| is_latin_letter(p) || confusable(p).is_some());
            let latin_after = chars[i + 1..]
                .iter()
                .find(|&&n| !is_zero_width(n))
                .is_some_and(|&n| is_latin_letter(n) || confusable(n).is_some());
            if latin_before || latin_after {
                obfuscation.invisible += 1;
            }
        } else {
            visible.push(c);
        }
    }

    // Step 3: fold look-alikes, first in words that mix them with Latin letters, then in
    // all-look-alike words when the text is mostly Latin once the first pass is done. Judging
    // "mostly Latin" after the first pass keeps normalisation idempotent.
    obfuscation.confusables += fold_words(&mut visible, |word| {
        word.iter().any(|&c| is_latin_letter(c))
    });
    // Counted in words, not letters, so that later steps (ligatures spelt out, case
    // folding) cannot tip the balance on a second pass.
    let (mut latin_words, mut words) = (0, 0);
    for word in visible.split(|c| !c.is_alphanumeric()) {
        if word.iter().any(|c| c.is_alphabetic()) {
            words += 1;
            latin_words += usize::from(word.iter().any(|&c| is_latin_letter(c)));
        }
    }
    if latin_words * 2 > words {
        obfuscation.confusables += fold_words(&mut visible, |word| {
            word.iter()
                .filter(|c| c.is_alphabetic())
                .all(|&c| confusable(c).is_some())
        });
    }

    // Step 4: case folding and Latin diacritics.
    let mut folded = Vec::with_capacity(visible.len());
    for c in visible {
        for lc in c.to_lowercase() {
            let is_mark = ('\u{0300}'..='\u{036F}').contains(&lc);
            if is_mark && folded.last().is_some_and(|&p: &char| is_latin_letter(p)) {
                // A combining accent left over on a Latin letter goes, like precomposed ones.
                continue;
            }
            if is_latin_letter(lc) && !lc.is_ascii() {
                decompose_canonical(lc, |d| {
                    if !('\u{0300}'..='\u{036F}').contains(&d) {
                        push_folded(&mut folded, d);
                    }
                });
            } else {
                push_folded(&mut folded, lc);
            }
        }
    }
    Normalized {
        text: collapse_whitespace(folded.into_iter()),
        obfuscation,
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

/// Folds the look-alike letters of every word (maximal alphanumeric run) that `select`
/// accepts; returns how many letters were folded.
fn fold_words(chars: &mut [char], select: impl Fn(&[char]) -> bool) -> u32 {
    let mut folded = 0;
    let mut start = 0;
    while start < chars.len() {
        if !chars[start].is_alphanumeric() {
            start += 1;
            continue;
        }
        let end = chars[start..]
            .iter()
            .position(|c| !c.is_alphanumeric())
            .map_or(chars.len(), |n| start + n);
        let word = &chars[start..end];
        if word.iter().any(|&c| confusable(c).is_some()) && select(word) {
            for c in &mut chars[start..end] {
                if let Some(l) = confusable(*c) {
                    *c = l;
                    folded += 1;
                }
            }
        }
        start = end;
    }
    folded
}

fn collapse_whitespace(chars: impl Iterator<Item = char>) -> String {
    let mut out = String::new();
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_text_is_case_folded_and_collapsed() {
        let n = normalize("  Paid   SHORT\treports \n");
        assert_eq!(n.text, "paid short reports");
        assert_eq!(n.obfuscation.total(), 0);
    }

    #[test]
    fn invisible_characters_and_lookalikes_are_undone_and_counted() {
        let n = normalize("pa\u{200B}id rеpоrt on Теlеgrаm");
        assert_eq!(n.text, "paid report on telegram");
        assert_eq!(n.obfuscation.invisible, 1);
        assert!(n.obfuscation.confusables >= 5);
        let n = normalize("\u{202E}whatsapp");
        assert_eq!(n.text, "whatsapp");
        assert_eq!(n.obfuscation.bidi, 1);
    }

    #[test]
    fn diacritics_and_compatibility_forms_fold() {
        assert_eq!(normalize("Rémunéré Straße").text, "remunere strasse");
        assert_eq!(normalize("ＷｈａｔｓＡｐｐ").text, "whatsapp");
    }

    #[test]
    fn genuine_non_latin_text_is_kept_and_not_flagged() {
        let n = normalize("Инженер в Москве");
        assert_eq!(n.text, "инженер в москве");
        assert_eq!(n.obfuscation.total(), 0);
        let n = normalize("می\u{200C}خواهم 北京大学 👩\u{200D}💻");
        assert_eq!(n.obfuscation.total(), 0);
        assert!(n.text.contains("北京大学"));
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_is_idempotent(s in "\\PC{0,40}|[a-zA-Z \u{200B}\u{202E}\u{0430}\u{0435}\u{043E}\u{0440}\u{03BF}\u{FF41}\u{00E9}]{0,40}") {
            let once = normalize(&s);
            let twice = normalize(&once.text);
            proptest::prop_assert_eq!(&twice.text, &once.text);
            proptest::prop_assert_eq!(twice.obfuscation.total(), 0);
            proptest::prop_assert!(!once.text.chars().any(|c| is_zero_width(c) || is_bidi_control(c)));
            proptest::prop_assert!(!once.text.starts_with(' ') && !once.text.ends_with(' '));
        }
    }

    #[test]
    fn normalisation_is_idempotent_on_examples() {
        for s in [
            "Ünïcödé ＴＥＸＴ",
            "pа\u{200D}y",
            "Ελληνικά text",
            "a  b\u{2066}c",
        ] {
            let once = normalize(s).text;
            assert_eq!(normalize(&once).text, once, "{s}");
        }
    }
}
