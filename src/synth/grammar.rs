//! A tiny phrase-bank grammar: the banks live in `banks/*.txt` and are expanded with a
//! seeded random generator, so that text is composed rather than templated.
//!
//! Bank files are made of sections. A header line `@key` starts a section whose entries are
//! the following non-empty lines; a header `@key,` takes comma-separated entries instead (for
//! long name lists). Lines starting with `#` are comments. Keys are looked up first as
//! `key.LANG` (for example `greet.fr`), then as `key`.
//!
//! Inside an entry:
//! - `{var}` is replaced by a context variable if one is set, else by a random entry of the
//!   bank `var` (recursively);
//! - `[a|b|c]` picks one alternative (an empty alternative makes the part optional);
//!   alternatives may contain `{var}` but not nested brackets.

use std::collections::HashMap;
use std::sync::OnceLock;

use rand::Rng;

const FILES: [&str; 8] = [
    include_str!("banks/names.txt"),
    include_str!("banks/profile.txt"),
    include_str!("banks/profile_fr_de.txt"),
    include_str!("banks/messages_en.txt"),
    include_str!("banks/messages_fr.txt"),
    include_str!("banks/messages_de.txt"),
    include_str!("banks/employers.txt"),
    include_str!("banks/cues.txt"),
];

/// All phrase banks, parsed once.
pub struct Banks {
    map: HashMap<&'static str, Vec<&'static str>>,
}

impl Banks {
    fn parse() -> Banks {
        let mut map: HashMap<&'static str, Vec<&'static str>> = HashMap::new();
        for file in FILES {
            let mut current: Option<(&'static str, Option<char>)> = None;
            for raw in file.lines() {
                let line = raw.trim();
                if line.is_empty() || line.starts_with('#') {
                    continue;
                }
                if let Some(header) = line.strip_prefix('@') {
                    let sep = header.chars().last().filter(|c| matches!(c, ',' | ';'));
                    let key = header.trim_end_matches([',', ';']).trim();
                    map.entry(key).or_default();
                    current = Some((key, sep));
                    continue;
                }
                let Some((key, sep)) = current else {
                    continue;
                };
                let entries = map.entry(key).or_default();
                if let Some(sep) = sep {
                    entries.extend(line.split(sep).map(str::trim).filter(|s| !s.is_empty()));
                } else {
                    entries.push(line);
                }
            }
        }
        Banks { map }
    }

    /// The shared, parsed banks.
    pub fn get() -> &'static Banks {
        static BANKS: OnceLock<Banks> = OnceLock::new();
        BANKS.get_or_init(Banks::parse)
    }

    /// The entries of a bank for a language (`key.lang`, falling back to `key`).
    pub fn entries(&self, key: &str, lang: &str) -> Option<&[&'static str]> {
        let mut buf = String::with_capacity(key.len() + 4);
        buf.push_str(key);
        buf.push('.');
        buf.push_str(lang);
        self.map
            .get(buf.as_str())
            .or_else(|| self.map.get(key))
            .map(Vec::as_slice)
            .filter(|v| !v.is_empty())
    }

    /// Whether a bank exists for a language (or language-neutrally).
    pub fn has(&self, key: &str, lang: &str) -> bool {
        self.entries(key, lang).is_some()
    }

    /// Every bank: its key and its entries.
    pub fn all(&self) -> impl Iterator<Item = (&'static str, &[&'static str])> {
        self.map.iter().map(|(k, v)| (*k, v.as_slice()))
    }

    /// Every key, for tests.
    #[cfg(test)]
    pub fn keys(&self) -> impl Iterator<Item = &&'static str> {
        self.map.keys()
    }

    /// A random raw entry of a bank (not expanded). Missing banks give "" (tests check that
    /// every referenced bank exists).
    pub fn pick<R: Rng>(&self, key: &str, lang: &str, rng: &mut R) -> &'static str {
        match self.entries(key, lang) {
            Some(v) => v[rng.random_range(0..v.len())],
            None => "",
        }
    }
}

/// Context variables for an expansion (a short list: linear search is fastest).
#[derive(Debug, Default, Clone)]
pub struct Vars {
    vars: Vec<(&'static str, String)>,
}

impl Vars {
    pub fn set(&mut self, key: &'static str, value: impl Into<String>) {
        let value = value.into();
        match self.vars.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = value,
            None => self.vars.push((key, value)),
        }
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.vars
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.as_str())
    }
}

/// Expands a random entry of bank `key` into `out`.
pub fn expand_key<R: Rng>(key: &str, lang: &str, vars: &Vars, rng: &mut R, out: &mut String) {
    let banks = Banks::get();
    let entry = banks.pick(key, lang, rng);
    expand(entry, lang, vars, rng, out, 0);
}

/// Expands a random entry of bank `key` into a new string.
pub fn say<R: Rng>(key: &str, lang: &str, vars: &Vars, rng: &mut R) -> String {
    let mut out = String::new();
    expand_key(key, lang, vars, rng, &mut out);
    if lang == "en" {
        english_articles(&out)
    } else {
        out
    }
}

/// Fixes English indefinite articles after composition (`a exchange` → `an exchange`).
pub fn english_articles(s: &str) -> String {
    if !s.contains("a ") && !s.contains("A ") {
        return s.to_owned();
    }
    let mut out = String::with_capacity(s.len() + 8);
    let mut words = s.split(' ').peekable();
    let mut first = true;
    while let Some(w) = words.next() {
        if !first {
            out.push(' ');
        }
        first = false;
        let next_vowel = words
            .peek()
            .and_then(|n| n.chars().next())
            .is_some_and(|c| {
                matches!(c, 'a' | 'e' | 'i' | 'o' | 'A' | 'E' | 'I' | 'O' | 'U' | 'É')
            });
        match (w, next_vowel) {
            ("a", true) => out.push_str("an"),
            ("A", true) => out.push_str("An"),
            ("an", false) => out.push('a'),
            ("An", false) => out.push('A'),
            _ => out.push_str(w),
        }
    }
    out
}

/// Expands one template into `out`.
pub fn expand<R: Rng>(
    template: &str,
    lang: &str,
    vars: &Vars,
    rng: &mut R,
    out: &mut String,
    depth: u8,
) {
    if depth > 8 {
        return;
    }
    let mut rest = template;
    while let Some(pos) = rest.find(['{', '[']) {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos..];
        if tail.starts_with('{') {
            let Some(end) = tail.find('}') else {
                out.push_str(tail);
                return;
            };
            let name = &tail[1..end];
            match vars.get(name) {
                Some(v) => out.push_str(v),
                None => {
                    let entry = Banks::get().pick(name, lang, rng);
                    expand(entry, lang, vars, rng, out, depth + 1);
                }
            }
            rest = &tail[end + 1..];
        } else {
            let Some(end) = tail.find(']') else {
                out.push_str(tail);
                return;
            };
            let body = &tail[1..end];
            let count = body.split('|').count();
            let choice = rng.random_range(0..count);
            if let Some(alt) = body.split('|').nth(choice) {
                expand(alt, lang, vars, rng, out, depth + 1);
            }
            rest = &tail[end + 1..];
        }
    }
    out.push_str(rest);
}

/// Every bank name a template refers to with `{name}`.
#[cfg(test)]
pub fn references(template: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = template;
    while let Some(pos) = rest.find('{') {
        let tail = &rest[pos + 1..];
        match tail.find('}') {
            Some(end) => {
                out.push(&tail[..end]);
                rest = &tail[end + 1..];
            }
            None => break,
        }
    }
    out
}

/// Tidies composed text: collapses double spaces and spaces before punctuation left by
/// empty optional parts.
pub fn tidy(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut prev_space = false;
    for c in s.trim().chars() {
        if c == ' ' {
            if !prev_space {
                out.push(' ');
            }
            prev_space = true;
            continue;
        }
        if matches!(c, ',' | '.' | ';' | ':' | '!' | '?') && prev_space && c != ':' {
            out.pop();
        }
        prev_space = false;
        out.push(c);
    }
    out
}
