//! The check that `tables.rs` is what Unicode's data gives, and its generator.

use unicode_normalization::UnicodeNormalization;

use super::chars::is_latin_letter;

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
        "//! Generated by `tables_are_derived_from_unicode_data` in `src/normalize/generate.rs` from\n\
         //! the `unicode-security` crate (UTS #39 data, Unicode {major}.{minor}.{patch}). Do not edit.\n\
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
