//! Look-alike letters (UTS #39 confusable prototypes): which ASCII letter a letter is passed off
//! as, and folding them in the words that hide behind them.

use super::chars::{is_latin_letter, is_word_char};
use super::{tables, Obfuscation};

/// The ASCII letter or digit a non-ASCII letter is passed off as (UTS #39 confusable
/// prototypes), and whether folding it counts as obfuscation.
pub(super) fn confusable(c: char) -> Option<(char, bool)> {
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

pub(super) fn early_confusable(c: char) -> Option<(char, bool)> {
    tables::CONFUSABLE_BEFORE_NFKC
        .iter()
        .find(|&&(k, _, _)| k == c)
        .map(|&(_, to, counted)| (to as char, counted))
}

/// Folds the few look-alikes that NFKC would map to something else than their prototype
/// (see [`tables::CONFUSABLE_BEFORE_NFKC`]), counting those next to a Latin letter.
pub(super) fn fold_before_nfkc(input: &str, obfuscation: &mut Obfuscation) -> String {
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

/// Folds the look-alike letters of every word (letters, digits and marks) that `select`
/// accepts; returns how many folded letters count as obfuscation, and whether any was folded.
pub(super) fn fold_words(chars: &mut [char], select: impl Fn(&[char]) -> bool) -> (u32, bool) {
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
