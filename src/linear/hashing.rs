//! Hashed word n-grams of a profile's normalised sections: the text half of the linear engine.
//!
//! Every section text comes from [`crate::model::text::TextEncoder::section_texts`], so the
//! linear engine reads exactly what the neural model reads (normalised, no name, no username).
//! Words are runs of letters and digits; each word and each pair of neighbouring words is hashed
//! (FNV-1a, 64 bit) into `buckets` slots, once without and once with its section, so "salary" in
//! a message and "salary" in a job title can weigh differently. Optional character n-grams of
//! each word (fastText-style, with `<` and `>` marking its ends) give unseen spellings and
//! inflections a share of what their known relatives learned.

use serde::{Deserialize, Serialize};

/// How text becomes hashed features. Stored in `linear.json`; a change needs a new model.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HashingConfig {
    /// Number of hash slots.
    pub buckets: usize,
    /// Also hash every word and word pair together with its section.
    pub section_tags: bool,
    /// Character n-gram lengths of each word (`[0, 0]` for none), e.g. `[3, 5]`.
    pub char_ngrams: [usize; 2],
    /// Words read per section; longer sections are cut (bounds the work per profile).
    pub max_words: usize,
    /// Also pair the last word of one text of a section with the first word of the next (a job
    /// title with its company), across the ` | ` that joins them. Models before this setting
    /// existed did (their files, which lack the field, read and write back unchanged);
    /// `false` pairs words within one text only.
    #[serde(default = "yes", skip_serializing_if = "is_yes")]
    pub pairs_across_texts: bool,
    /// Take name-like spans out of messages before hashing them, in training and scoring
    /// alike (`crate::names`). Off when not given, and then not written.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strip_name_spans: bool,
}

fn yes() -> bool {
    true
}

fn is_yes(b: &bool) -> bool {
    *b
}

use crate::fnv::{OFFSET as FNV_OFFSET, PRIME as FNV_PRIME};

fn fnv(seed: u8, parts: &[&[u8]]) -> u64 {
    let mut h = FNV_OFFSET ^ u64::from(seed);
    h = h.wrapping_mul(FNV_PRIME);
    for (i, p) in parts.iter().enumerate() {
        if i > 0 {
            // A separator byte that never occurs inside a word keeps ("ab","c") apart from ("a","bc").
            h ^= u64::from(SEPARATOR);
            h = h.wrapping_mul(FNV_PRIME);
        }
        for &b in *p {
            h ^= u64::from(b);
            h = h.wrapping_mul(FNV_PRIME);
        }
    }
    h
}

/// The words of a normalised text: maximal runs of alphanumeric characters.
pub fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Calls `f(word, after_bar)` for each word of `text` in order, the same words as [`words`],
/// with whether a `|` comes between the word and the previous one (or the start of the text),
/// until `f` returns false. ASCII bytes are classified without decoding them.
pub fn for_each_word<'a>(text: &'a str, mut f: impl FnMut(&'a str, bool) -> bool) {
    let b = text.as_bytes();
    let mut start: Option<usize> = None;
    let mut after_bar = true;
    let mut i = 0;
    while i < b.len() {
        let (alnum, width) = if b[i].is_ascii() {
            (b[i].is_ascii_alphanumeric(), 1)
        } else {
            match text[i..].chars().next() {
                Some(c) => (c.is_alphanumeric(), c.len_utf8()),
                None => break,
            }
        };
        match (alnum, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                if !f(&text[s..i], after_bar) {
                    return;
                }
                start = None;
                after_bar = false;
            }
            _ => {}
        }
        if b[i] == b'|' {
            after_bar = true;
        }
        i += width;
    }
    if let Some(s) = start {
        f(&text[s..], after_bar);
    }
}

/// The words a section is hashed from (at most `max_words`), and for each whether it opens
/// one of the ` | `-joined texts of the section.
#[derive(Debug, Default)]
pub struct SectionWords<'a> {
    pub words: Vec<&'a str>,
    pub opens: Vec<bool>,
}

/// The hashed slots of one word: untagged, then tagged with its section (when the engine tags).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Slots {
    pub plain: u32,
    pub tagged: Option<u32>,
}

impl HashingConfig {
    fn slot(&self, h: u64) -> u32 {
        let b = self.buckets as u64;
        // The same remainder, without a division for the usual power-of-two slot counts.
        if b.is_power_of_two() {
            (h & (b - 1)) as u32
        } else {
            (h % b) as u32
        }
    }

    /// The words of a section text that [`HashingConfig::grams`] reads (the same words as
    /// `words(text)`: `|` is not alphanumeric).
    pub fn section_words<'a>(&self, text: &'a str) -> SectionWords<'a> {
        let mut out = SectionWords::default();
        for_each_word(text, |w, opens| {
            if out.words.len() == self.max_words {
                return false;
            }
            out.words.push(w);
            out.opens.push(opens);
            true
        });
        out
    }

    /// Whether the word at `i > 0` is paired with the word before it.
    pub fn paired(&self, ws: &SectionWords, i: usize) -> bool {
        i > 0 && (self.pairs_across_texts || !ws.opens[i])
    }

    /// The slots of one word of section `section`.
    pub fn word_slots(&self, section: usize, w: &str) -> Slots {
        let (mut plain, mut tagged) = (Fnv::start(1), Fnv::start(3).tag(section));
        for &b in w.as_bytes() {
            plain = plain.byte(b);
            tagged = tagged.byte(b);
        }
        self.slots(plain, tagged)
    }

    /// The slots of a pair of neighbouring words of section `section`.
    pub fn pair_slots(&self, section: usize, first: &str, second: &str) -> Slots {
        let (mut plain, mut tagged) = (Fnv::start(2), Fnv::start(4).tag(section));
        for &b in first.as_bytes() {
            plain = plain.byte(b);
            tagged = tagged.byte(b);
        }
        (plain, tagged) = (plain.byte(SEPARATOR), tagged.byte(SEPARATOR));
        for &b in second.as_bytes() {
            plain = plain.byte(b);
            tagged = tagged.byte(b);
        }
        self.slots(plain, tagged)
    }

    fn slots(&self, plain: Fnv, tagged: Fnv) -> Slots {
        Slots {
            plain: self.slot(plain.0),
            tagged: self.section_tags.then(|| self.slot(tagged.0)),
        }
    }

    /// Calls `f(slot)` for each character n-gram of one word, in order (none unless the
    /// engine reads character n-grams).
    pub fn char_gram_slots(&self, w: &str, mut f: impl FnMut(u32)) {
        let [lo, hi] = self.char_ngrams;
        if lo > 0 && hi >= lo {
            let marked: Vec<char> = std::iter::once('<')
                .chain(w.chars())
                .chain(std::iter::once('>'))
                .collect();
            let mut buf = String::new();
            for n in lo..=hi {
                for win in marked.windows(n) {
                    buf.clear();
                    buf.extend(win);
                    f(self.slot(fnv(5, &[buf.as_bytes()])));
                }
            }
        }
    }

    /// Calls `f(slot, n_words, first_word_index)` for every hashed feature of one section:
    /// unigrams and bigrams (with `n_words` 1 and 2), section-tagged copies, character n-grams
    /// (with `n_words` 0). Deterministic; it allocates only for character n-grams (one buffer
    /// per word).
    pub fn grams(&self, section: usize, text: &str, mut f: impl FnMut(u32, u8, usize)) {
        // Each word's bytes are read once for all its hashes: its own two, the second half
        // of the pair it ends and the first half of the pair it may start (independent
        // multiplications, which the processor overlaps).
        let mut i = 0;
        let mut pair: Option<(Fnv, Fnv)> = None;
        for_each_word(text, |w, opens| {
            if i == self.max_words {
                return false;
            }
            let paired = i > 0 && (self.pairs_across_texts || !opens);
            let (mut one, mut one_tagged) = (Fnv::start(1), Fnv::start(3).tag(section));
            let (mut next, mut next_tagged) = (Fnv::start(2), Fnv::start(4).tag(section));
            let (mut two, mut two_tagged) = pair.unwrap_or((Fnv(0), Fnv(0)));
            for &b in w.as_bytes() {
                one = one.byte(b);
                one_tagged = one_tagged.byte(b);
                next = next.byte(b);
                next_tagged = next_tagged.byte(b);
                two = two.byte(b);
                two_tagged = two_tagged.byte(b);
            }
            f(self.slot(one.0), 1, i);
            if self.section_tags {
                f(self.slot(one_tagged.0), 1, i);
            }
            if paired {
                f(self.slot(two.0), 2, i - 1);
                if self.section_tags {
                    f(self.slot(two_tagged.0), 2, i - 1);
                }
            }
            self.char_gram_slots(w, |slot| f(slot, 0, i));
            pair = Some((next.byte(SEPARATOR), next_tagged.byte(SEPARATOR)));
            i += 1;
            true
        });
    }
}

/// The separator byte [`fnv`] puts between parts.
const SEPARATOR: u8 = 0x1f;

/// A running [`fnv`] hash, byte by byte.
#[derive(Debug, Clone, Copy)]
struct Fnv(u64);

impl Fnv {
    fn start(seed: u8) -> Fnv {
        Fnv((FNV_OFFSET ^ u64::from(seed)).wrapping_mul(FNV_PRIME))
    }

    fn byte(self, b: u8) -> Fnv {
        Fnv((self.0 ^ u64::from(b)).wrapping_mul(FNV_PRIME))
    }

    /// The section tag as the first part, and the separator after it.
    fn tag(self, section: usize) -> Fnv {
        self.byte(section as u8).byte(SEPARATOR)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(section_tags: bool, char_ngrams: [usize; 2]) -> HashingConfig {
        HashingConfig {
            buckets: 1 << 20,
            section_tags,
            char_ngrams,
            max_words: 100,
            pairs_across_texts: true,
            strip_name_spans: false,
        }
    }

    fn collect(c: &HashingConfig, section: usize, text: &str) -> Vec<(u32, u8, usize)> {
        let mut v = Vec::new();
        c.grams(section, text, |s, n, i| v.push((s, n, i)));
        v
    }

    #[test]
    fn running_hashes_are_the_reference_fnv() {
        let c = cfg(true, [0, 0]);
        let (a, b) = ("paid", "reports");
        let slot = |h: u64| c.slot(h);
        let one = c.word_slots(5, a);
        assert_eq!(one.plain, slot(fnv(1, &[a.as_bytes()])));
        assert_eq!(one.tagged, Some(slot(fnv(3, &[&[5], a.as_bytes()]))));
        let two = c.pair_slots(5, a, b);
        assert_eq!(two.plain, slot(fnv(2, &[a.as_bytes(), b.as_bytes()])));
        assert_eq!(
            two.tagged,
            Some(slot(fnv(4, &[&[5], a.as_bytes(), b.as_bytes()])))
        );
        let grams = collect(&c, 5, "paid reports");
        assert_eq!(
            grams.iter().map(|g| g.0).collect::<Vec<_>>(),
            [
                one.plain,
                one.tagged.unwrap_or(0),
                c.word_slots(5, b).plain,
                c.word_slots(5, b).tagged.unwrap_or(0),
                two.plain,
                two.tagged.unwrap_or(0)
            ]
        );
    }

    #[test]
    fn unigrams_and_bigrams_in_order() {
        let g = collect(&cfg(false, [0, 0]), 0, "paid reports, paid");
        // paid, reports, (paid reports), paid, (reports paid)
        assert_eq!(g.len(), 5);
        assert_eq!(g[0].0, g[3].0, "the same word hashes to the same slot");
        assert_eq!((g[2].1, g[2].2), (2, 0));
        assert_ne!(g[2].0, g[4].0, "word order matters in bigrams");
    }

    #[test]
    fn section_tags_separate_sections_but_keep_the_shared_slot() {
        let c = cfg(true, [0, 0]);
        let a = collect(&c, 0, "salary");
        let b = collect(&c, 5, "salary");
        assert_eq!(a[0].0, b[0].0);
        assert_ne!(a[1].0, b[1].0);
    }

    #[test]
    fn pairs_can_stay_within_one_text_of_a_section() {
        let mut c = cfg(false, [0, 0]);
        let across = collect(&c, 2, "visiting scholar | kings college");
        c.pairs_across_texts = false;
        let within = collect(&c, 2, "visiting scholar | kings college");
        // Four words; three pairs across the texts, two within them ("scholar kings" dropped).
        assert_eq!(across.iter().filter(|g| g.1 == 2).count(), 3);
        let pairs: Vec<usize> = within.iter().filter(|g| g.1 == 2).map(|g| g.2).collect();
        assert_eq!(pairs, [0, 2]);
    }

    #[test]
    fn char_ngrams_cover_word_edges() {
        let g = collect(&cfg(false, [3, 3]), 0, "abc");
        // "abc" plus the 3-grams of "<abc>": <ab, abc, bc>
        assert_eq!(g.iter().filter(|x| x.1 == 0).count(), 3);
    }

    #[test]
    fn max_words_bounds_the_work() {
        let mut c = cfg(false, [0, 0]);
        c.max_words = 2;
        assert_eq!(collect(&c, 0, "a b c d e").len(), 3);
    }
}
