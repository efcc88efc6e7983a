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

mod tables;

use unicode_normalization::char::{decompose_canonical, is_combining_mark};
use unicode_normalization::{is_nfkc_quick, IsNormalized, UnicodeNormalization};

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

/// Whether normalisation removes `c` as an invisible character: every
/// `Default_Ignorable_Code_Point` of Unicode, and blank-rendering characters without that
/// property. Bidi controls are default-ignorable too; they are counted apart.
fn is_invisible(c: char) -> bool {
    !c.is_ascii()
        && (matches!(c, '\u{2800}' | '\u{1D159}') || in_ranges(c, tables::DEFAULT_IGNORABLE))
}

fn in_ranges(c: char, ranges: &[(char, char)]) -> bool {
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
fn is_selector(c: char) -> bool {
    matches!(c, '\u{180B}'..='\u{180D}' | '\u{180F}' | '\u{FE00}'..='\u{FE0F}' | '\u{E0000}'..='\u{E0FFF}')
}

fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{200E}' | '\u{200F}' | '\u{061C}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// The ASCII letter or digit a non-ASCII letter is passed off as (UTS #39 confusable
/// prototypes), and whether folding it counts as obfuscation.
fn confusable(c: char) -> Option<(char, bool)> {
    if c.is_ascii() {
        return None;
    }
    tables::CONFUSABLE
        .binary_search_by_key(&c, |&(k, _, _)| k)
        .ok()
        .map(|i| {
            let (_, to, counted) = tables::CONFUSABLE[i];
            (to as char, counted)
        })
}

fn is_latin_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
        || matches!(c, '\u{00C0}'..='\u{024F}' | '\u{1E00}'..='\u{1EFF}') && c.is_alphabetic()
}

fn early_confusable(c: char) -> Option<(char, bool)> {
    tables::CONFUSABLE_BEFORE_NFKC
        .iter()
        .find(|&&(k, _, _)| k == c)
        .map(|&(_, to, counted)| (to as char, counted))
}

/// Folds the few look-alikes that NFKC would map to something else than their prototype
/// (see [`tables::CONFUSABLE_BEFORE_NFKC`]), counting those next to a Latin letter.
fn fold_before_nfkc(input: &str, obfuscation: &mut Obfuscation) -> String {
    let chars: Vec<char> = input.chars().collect();
    let mut out = String::with_capacity(input.len());
    for (i, &c) in chars.iter().enumerate() {
        match early_confusable(c) {
            Some((to, counted)) => {
                let next_to_latin = (i > 0 && is_latin_letter(chars[i - 1]))
                    || chars.get(i + 1).is_some_and(|&n| is_latin_letter(n));
                if counted && next_to_latin {
                    obfuscation.confusables += 1;
                }
                out.push(to);
            }
            None => out.push(c),
        }
    }
    out
}

/// Normalises one text (see the module documentation).
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
        let text = collapse_whitespace(input.chars().map(|c| c.to_ascii_lowercase()));
        return (Normalized { text, obfuscation }, false);
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
        visible = visible.into_iter().flat_map(char::to_lowercase).collect();
        // Case mappings need not give NFKC text; another pass would normalise it.
        touched |= is_nfkc_quick(visible.iter().copied()) != IsNormalized::Yes;
    }

    // Step 3: fold look-alikes, first in words that mix them with Latin letters, then in
    // all-look-alike words when the text is mostly Latin once the first pass is done. Judging
    // "mostly Latin" after the first pass keeps normalisation idempotent.
    let (counted, any) = fold_words(&mut visible, |word| {
        word.iter().any(|&c| is_latin_letter(c))
    });
    obfuscation.confusables += counted;
    touched |= any;
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
        let (counted, any) = fold_words(&mut visible, |word| {
            word.iter().any(|&c| is_letter(c))
                && word
                    .iter()
                    .filter(|&&c| is_letter(c))
                    .all(|&c| confusable(c).is_some())
        });
        obfuscation.confusables += counted;
        touched |= any;
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

/// A letter that is not a combining mark (some marks have the Alphabetic property).
fn is_letter(c: char) -> bool {
    c.is_alphabetic() && (c.is_ascii() || !is_combining_mark(c))
}

/// Letters, digits and the combining marks they carry: removing a mark later must not change
/// where words end, or a second pass would fold differently.
fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || (!c.is_ascii() && is_combining_mark(c))
}

/// Folds the look-alike letters of every word (letters, digits and marks) that `select`
/// accepts; returns how many folded letters count as obfuscation, and whether any was folded.
fn fold_words(chars: &mut [char], select: impl Fn(&[char]) -> bool) -> (u32, bool) {
    let mut folded = 0;
    let mut any = false;
    let mut start = 0;
    while start < chars.len() {
        if !is_word_char(chars[start]) {
            start += 1;
            continue;
        }
        let end = chars[start..]
            .iter()
            .position(|&c| !is_word_char(c))
            .map_or(chars.len(), |n| start + n);
        let word = &chars[start..end];
        if word.iter().any(|&c| confusable(c).is_some()) && select(word) {
            for c in &mut chars[start..end] {
                if let Some((l, counted)) = confusable(*c) {
                    *c = l.to_ascii_lowercase();
                    folded += u32::from(counted);
                    any = true;
                }
            }
        }
        start = end;
    }
    (folded, any)
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
        fn never_panics_and_is_idempotent(s in "\\PC{0,40}|[a-zA-Z \u{200B}\u{202E}\u{0430}\u{0435}\u{043E}\u{0440}\u{03BF}\u{FF41}\u{00E9}]{0,40}|[a-zA-Z \u{0300}-\u{036F}\u{1DC0}-\u{1DFF}\u{FE00}-\u{FE0F}\u{E0020}-\u{E007F}\u{3164}\u{2800}\u{1100}-\u{1175}\u{0251}\u{03F2}\u{04BD}\u{0131}\u{0585}\u{A731}\u{0915}-\u{094D}]{0,40}") {
            let once = normalize(&s);
            let twice = normalize(&once.text);
            proptest::prop_assert_eq!(&twice.text, &once.text);
            proptest::prop_assert_eq!(twice.obfuscation.total(), 0);
            proptest::prop_assert!(!once.text.chars().any(|c| is_invisible(c) || is_bidi_control(c)));
            proptest::prop_assert!(!once.text.starts_with(' ') && !once.text.ends_with(' '));
        }
    }

    #[test]
    fn every_default_ignorable_and_blank_filler_is_removed_and_counted() {
        let mut all: Vec<char> = tables::DEFAULT_IGNORABLE
            .iter()
            .flat_map(|&(a, b)| (a as u32..=b as u32).filter_map(char::from_u32))
            .collect();
        all.extend(['\u{2800}', '\u{1D159}']);
        assert!(all.len() > 4000);
        for c in all {
            let n = normalize(&format!("What{c}sApp"));
            assert_eq!(n.text, "whatsapp", "U+{:04X}", c as u32);
            assert!(n.obfuscation.total() > 0, "U+{:04X} not counted", c as u32);
        }
    }

    #[test]
    fn red_team_characters_are_undone() {
        // Row 1 of issue 13: variation selectors, tags, fillers, musical and braille blanks.
        for c in [
            '\u{FE0F}',
            '\u{FE00}',
            '\u{FE0E}',
            '\u{E0020}',
            '\u{E0041}',
            '\u{180B}',
            '\u{3164}',
            '\u{17B4}',
            '\u{1D173}',
            '\u{2800}',
            '\u{115F}',
            '\u{1160}',
            '\u{FFA0}',
        ] {
            let n = normalize(&format!("pai{c}d rep{c}ort on What{c}sApp"));
            assert_eq!(n.text, "paid report on whatsapp", "U+{:04X}", c as u32);
            assert!(n.obfuscation.invisible >= 3, "U+{:04X}", c as u32);
        }
        // Row 2: look-alikes outside the old hand-written table, and a stray combining mark.
        for (s, want) in [
            ("Whɑtsɑpp", "whatsapp"),
            ("ϲontact me", "contact me"),
            ("Tҽlҽgram", "telegram"),
            ("Sıgnal", "signal"),
            ("Telegrօm", "telegrom"),
            ("ꜱignal", "signal"),
            ("Wha\u{1DC4}tsApp", "whatsapp"),
            ("Теlеgrаm", "telegram"),
            ("рaid rероrt", "paid report"),
        ] {
            assert_eq!(normalize(s).text, want, "{s}");
        }
        assert!(normalize("Whɑtsɑpp").obfuscation.confusables >= 2);
        assert!(normalize("ϲontact").obfuscation.confusables >= 1);
        assert_eq!(normalize("Wha\u{1DC4}tsApp").obfuscation.marks, 1);
    }

    #[test]
    fn ordinary_european_and_other_scripts_are_not_flagged() {
        for (s, want) in [
            ("Straße", "strasse"),
            ("cœur Ærø", "coeur aerø"),
            ("Łódź", "łodz"),
            ("Nguyễn Thị", "nguyen thi"),
            ("İstanbul", "istanbul"),
            ("Ingénieure sûreté, Köln", "ingenieure surete, koln"),
            (
                "I ❤\u{FE0F} Paris 🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
                "i ❤ paris 🏴",
            ),
            ("हिन्दी भाषा", "हिन्दी भाषा"),
            ("Αθήνα", "αθήνα"),
        ] {
            let n = normalize(s);
            assert_eq!(n.text, want, "{s}");
            assert_eq!(n.obfuscation.total(), 0, "{s}: {:?}", n.obfuscation);
        }
        // Turkish dotless i is folded for matching but is not evidence of hiding.
        assert_eq!(normalize("Işık").obfuscation.total(), 0);
    }

    /// Letters by the ASCII letter they are folded to.
    fn substitutes() -> std::collections::BTreeMap<char, Vec<char>> {
        let mut m: std::collections::BTreeMap<char, Vec<char>> = Default::default();
        for &(c, _, _) in tables::CONFUSABLE {
            // What the letter folds to once lower-cased, as normalisation does.
            let mut low = c.to_lowercase();
            let (Some(l), None) = (low.next(), low.next()) else {
                continue;
            };
            if let Some((to, _)) = confusable(l) {
                if to.is_ascii_alphabetic() {
                    m.entry(to.to_ascii_lowercase()).or_default().push(c);
                }
            }
        }
        m
    }

    proptest::proptest! {
        #[test]
        fn inserting_an_invisible_character_changes_nothing_but_the_count(
            words in proptest::collection::vec("[a-zA-Z]{2,8}", 1..6),
            at in 0usize..1000,
            which in 0usize..100_000,
        ) {
            let clean = words.join(" ");
            let all: Vec<char> = tables::DEFAULT_IGNORABLE
                .iter()
                .flat_map(|&(a, b)| (a as u32..=b as u32).filter_map(char::from_u32))
                .chain(['\u{2800}', '\u{1D159}'])
                .collect();
            let c = all[which % all.len()];
            let chars: Vec<char> = clean.chars().collect();
            let at = at % (chars.len() + 1);
            let dirty: String = chars[..at].iter().chain([c].iter()).chain(&chars[at..]).collect();
            proptest::prop_assert_eq!(normalize(&dirty).text, normalize(&clean).text);
        }

        #[test]
        fn substituting_a_look_alike_changes_nothing_but_the_count(
            words in proptest::collection::vec("[a-zA-Z]{2,8}", 1..6),
            at in 0usize..1000,
            which in 0usize..1000,
        ) {
            let clean = words.join(" ");
            let subs = substitutes();
            let mut chars: Vec<char> = clean.chars().collect();
            let at = at % chars.len();
            if let Some(options) = subs.get(&chars[at].to_ascii_lowercase()) {
                chars[at] = options[which % options.len()];
            }
            let dirty: String = chars.iter().collect();
            proptest::prop_assert_eq!(normalize(&dirty).text, normalize(&clean).text, "{}", dirty);
        }
    }

    /// The tables of `normalize/tables.rs` are derived from Unicode's data as shipped by the
    /// `unicode-security` crate (UTS #39 skeletons, which drop every default-ignorable code
    /// point and map each confusable to its prototype). This test derives them again and
    /// compares; run it with `LINKSCREEN_REGENERATE_TABLES=1` to rewrite the file after a
    /// crate update.
    #[test]
    fn tables_are_derived_from_unicode_data() {
        let text = generate_tables();
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/src/normalize/tables.rs");
        if std::env::var_os("LINKSCREEN_REGENERATE_TABLES").is_some() {
            std::fs::write(path, &text).unwrap();
        }
        let current = std::fs::read_to_string(path).unwrap();
        assert!(
            current == text,
            "src/normalize/tables.rs is stale: rerun this test with LINKSCREEN_REGENERATE_TABLES=1"
        );
    }

    fn generate_tables() -> String {
        use std::collections::BTreeMap;
        use std::fmt::Write;
        use unicode_security::GeneralSecurityProfile;
        let skeleton = |c: char| -> String {
            let mut b = [0u8; 4];
            unicode_security::skeleton(c.encode_utf8(&mut b)).collect()
        };
        // A code point whose skeleton is empty is default-ignorable (the skeleton removes
        // exactly those, and every other character has a non-empty prototype).
        let mut ignorable: Vec<(char, char)> = Vec::new();
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            if skeleton(c).is_empty() {
                match ignorable.last_mut() {
                    Some((_, end)) if *end as u32 + 1 == c as u32 => *end = c,
                    _ => ignorable.push((c, c)),
                }
            }
        }
        // ASCII letters and digits by skeleton: `l`, `I` and `1` share one, so do `O`, `0`.
        let mut ascii: BTreeMap<String, Vec<char>> = BTreeMap::new();
        for a in ('0'..='9').chain('A'..='Z').chain('a'..='z') {
            ascii.entry(skeleton(a)).or_default().push(a);
        }
        // Among ASCII characters with the same skeleton, the one of the same kind and case.
        let pick = |c: char, candidates: &[char]| -> Option<char> {
            let same: fn(char, char) -> bool = if c.is_numeric() {
                |_, a| a.is_ascii_digit()
            } else if c.is_uppercase() {
                |_, a| a.is_ascii_uppercase()
            } else {
                |_, a| a.is_ascii_lowercase()
            };
            candidates
                .iter()
                .copied()
                .find(|&a| same(c, a))
                .or_else(|| candidates.iter().copied().find(|a| a.is_ascii_alphabetic()))
                .or_else(|| candidates.first().copied())
        };
        let mut confusable: Vec<(char, u8, bool)> = Vec::new();
        let mut before_nfkc: Vec<(char, u8, bool)> = Vec::new();
        for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
            if !c.is_alphanumeric() {
                continue;
            }
            let direct = ascii.get(&skeleton(c)).and_then(|a| pick(c, a));
            if c.nfkc().ne(std::iter::once(c)) {
                // NFKC comes first; a look-alike that NFKC would turn into something else
                // than its prototype (lunate sigma `ϲ` becomes `ς`) is folded before it.
                if let Some(to) = direct {
                    let image: String = c.nfkc().collect();
                    let lands = image.chars().count() == 1
                        && image.chars().all(|i| {
                            i.eq_ignore_ascii_case(&to)
                                || ascii.get(&skeleton(i)).is_some_and(|a| a.contains(&to))
                        });
                    if !lands {
                        before_nfkc.push((c, to as u8, true));
                    }
                }
                continue;
            }
            // A lower-case letter whose capital is a confusable of a Latin capital (Cyrillic
            // `к`, `т`, Greek `κ`, `ε`, whose own prototypes are small capitals).
            let via_capital = || {
                let mut up = c.to_uppercase();
                let u = match (up.next(), up.next()) {
                    (Some(u), None) if u != c && !u.is_ascii() => u,
                    _ => return None,
                };
                ascii
                    .get(&skeleton(u))?
                    .iter()
                    .find(|a| a.is_ascii_uppercase())
                    .map(|a| a.to_ascii_lowercase())
            };
            if let Some(to) = direct.or_else(via_capital) {
                // Latin letters of a living orthography (Turkish `ı`) are folded, not counted.
                let counted = !(is_latin_letter(c) && c.identifier_allowed());
                confusable.push((c, to as u8, counted));
            }
        }
        // Closed under lower-casing, which comes first: the small letter of a capital that
        // folds folds the same way (a capital and its small letter are one letter to the
        // reader), and so does a capital whose small letter folds.
        let known: BTreeMap<char, (u8, bool)> =
            confusable.iter().map(|&(c, t, n)| (c, (t, n))).collect();
        let mut added: BTreeMap<char, (u8, bool)> = BTreeMap::new();
        for c in (0x80..=0x10FFFFu32).filter_map(char::from_u32) {
            let mut low = c.to_lowercase();
            if let (Some(l), None) = (low.next(), low.next()) {
                if l == c || l.is_ascii() || !c.is_alphanumeric() {
                    continue;
                }
                match (known.get(&c), known.get(&l)) {
                    (Some(&(t, n)), None) => {
                        added.entry(l).or_insert((t.to_ascii_lowercase(), n));
                    }
                    (None, Some(&e)) => {
                        added.entry(c).or_insert(e);
                    }
                    _ => {}
                }
            }
        }
        confusable.extend(added.into_iter().map(|(c, (t, n))| (c, t, n)));
        confusable.sort_by_key(|e| e.0);
        let (major, minor, patch) = unicode_security::UNICODE_VERSION;
        let mut out = String::new();
        writeln!(
            out,
            "//! Generated by `tables_are_derived_from_unicode_data` in `src/normalize.rs` from the\n\
             //! `unicode-security` crate (UTS #39 data, Unicode {major}.{minor}.{patch}). Do not edit.\n\
             \n\
             /// The Unicode version of these tables.\n\
             pub const UNICODE_VERSION: (u64, u64, u64) = ({major}, {minor}, {patch});\n\
             \n\
             /// `Default_Ignorable_Code_Point` ranges.\n\
             #[rustfmt::skip]\n\
             pub static DEFAULT_IGNORABLE: &[(char, char)] = &["
        )
        .unwrap();
        for (a, b) in &ignorable {
            writeln!(
                out,
                "    ('\\u{{{:X}}}', '\\u{{{:X}}}'),",
                *a as u32, *b as u32
            )
            .unwrap();
        }
        writeln!(
            out,
            "];\n\
             \n\
             /// Non-ASCII letters and digits whose UTS #39 prototype is an ASCII letter or digit\n\
             /// (directly, or through their capital): the character, the ASCII character, and\n\
             /// whether folding it counts as obfuscation.\n\
             #[rustfmt::skip]\n\
             pub static CONFUSABLE: &[(char, u8, bool)] = &["
        )
        .unwrap();
        for (c, to, counted) in &confusable {
            writeln!(
                out,
                "    ('\\u{{{:X}}}', b'{}', {counted}),",
                *c as u32, *to as char
            )
            .unwrap();
        }
        writeln!(
            out,
            "];\n\
             \n\
             /// Look-alikes that NFKC would map away from their prototype, folded before NFKC.\n\
             #[rustfmt::skip]\n\
             pub static CONFUSABLE_BEFORE_NFKC: &[(char, u8, bool)] = &["
        )
        .unwrap();
        for (c, to, counted) in &before_nfkc {
            writeln!(
                out,
                "    ('\\u{{{:X}}}', b'{}', {counted}),",
                *c as u32, *to as char
            )
            .unwrap();
        }
        out.push_str("];\n");
        out
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
