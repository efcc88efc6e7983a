//! Surface noise: typos (both classes), evasion tricks of fakes (zero-width characters,
//! Cyrillic look-alike letters), and the honest Unicode of genuine profiles (emoji with
//! zero-width joiners, names in their own script) that must not read as evasion.

use rand::Rng;

/// Latin letters and the Cyrillic letters passed off as them.
const LOOKALIKES: [(char, char); 9] = [
    ('a', 'а'),
    ('e', 'е'),
    ('o', 'о'),
    ('p', 'р'),
    ('c', 'с'),
    ('x', 'х'),
    ('y', 'у'),
    ('i', 'і'),
    ('s', 'ѕ'),
];

const ZERO_WIDTH: [char; 3] = ['\u{200B}', '\u{200C}', '\u{2060}'];

/// Introduces `count` typos (swapped, doubled or dropped letters) in words of four letters
/// or more.
pub fn typos<R: Rng>(text: &str, count: usize, rng: &mut R) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for _ in 0..count {
        if chars.len() < 8 {
            break;
        }
        let i = rng.random_range(1..chars.len() - 2);
        if !(chars[i].is_alphabetic()
            && chars[i + 1].is_alphabetic()
            && chars[i - 1].is_alphabetic())
        {
            continue;
        }
        match rng.random_range(0..3) {
            0 => chars.swap(i, i + 1),
            1 => chars.insert(i, chars[i]),
            _ => {
                chars.remove(i);
            }
        }
    }
    chars.into_iter().collect()
}

/// Hides words from keyword filters: zero-width characters inside words, or look-alike
/// letters, in up to `words` words of five letters or more.
pub fn evade<R: Rng>(text: &str, words: usize, rng: &mut R) -> String {
    let zero_width = rng.random_bool(0.5);
    let candidates: Vec<(usize, usize)> = word_spans(text)
        .into_iter()
        .filter(|(s, e)| e - s >= 5)
        .collect();
    if candidates.is_empty() {
        return text.to_owned();
    }
    let mut chosen: Vec<(usize, usize)> = (0..words)
        .map(|_| candidates[rng.random_range(0..candidates.len())])
        .collect();
    chosen.sort_unstable();
    chosen.dedup();
    let mut out = String::with_capacity(text.len() + 16);
    let mut last = 0;
    for (s, e) in chosen {
        out.push_str(&text[last..s]);
        let word = &text[s..e];
        if zero_width {
            let mid = word
                .char_indices()
                .nth(word.chars().count() / 2)
                .map_or(0, |(i, _)| i);
            out.push_str(&word[..mid]);
            out.push(ZERO_WIDTH[rng.random_range(0..ZERO_WIDTH.len())]);
            out.push_str(&word[mid..]);
        } else {
            let mut swapped = false;
            for c in word.chars() {
                match LOOKALIKES.iter().find(|(l, _)| *l == c) {
                    Some((_, cyr)) if !swapped || rng.random_bool(0.3) => {
                        out.push(*cyr);
                        swapped = true;
                    }
                    _ => out.push(c),
                }
            }
        }
        last = e;
    }
    out.push_str(&text[last..]);
    out
}

/// Byte spans of ASCII-letter words.
fn word_spans(text: &str) -> Vec<(usize, usize)> {
    let mut spans = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if c.is_ascii_alphabetic() {
            start.get_or_insert(i);
        } else if let Some(s) = start.take() {
            spans.push((s, i));
        }
    }
    if let Some(s) = start {
        spans.push((s, text.len()));
    }
    spans
}

/// Emoji, some joined with zero-width joiners (ZWJ sequences), used by both classes.
pub const EMOJI: [&str; 10] = [
    " 👩\u{200D}💻",
    " 👨\u{200D}🔬",
    " 🏳\u{FE0F}\u{200D}🌈",
    " 🚀",
    " 🌍",
    " 📚",
    " 👨\u{200D}👩\u{200D}👧",
    " ✈\u{FE0F}",
    " 🔬",
    " ⚡",
];

/// A name written in its own script, by nationality (genuine people often add it).
pub fn native_name(nationality: &str, family: &str) -> Option<&'static str> {
    Some(match (nationality, family) {
        ("cn", "Wang") => "王",
        ("cn", "Li") => "李",
        ("cn", "Zhang") => "张",
        ("cn", "Liu") => "刘",
        ("cn", "Chen") => "陈",
        ("cn", _) => "中文名",
        ("ru", _) => "Русский",
        ("ir", _) => "فارسی\u{200C}زبان",
        ("ar", _) => "العربية",
        ("in", _) => "हिन्दी",
        ("kr", _) => "한국어",
        _ => return None,
    })
}
