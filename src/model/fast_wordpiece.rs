//! WordPiece for ASCII text without the `tokenizers` crate's general machinery, giving the same
//! ids as the full tokenizer (tested id for id on every text of the synthetic and example sets).
//!
//! Most profile text is ASCII once normalised, and the general path spends most of its time on
//! allocations and Unicode script lookups (`perf`). For ASCII input the pipeline of
//! [`super::tokenizer`] reduces to:
//! 1. the BERT pre-tokenizer: split on whitespace, isolate every ASCII punctuation character;
//! 2. the script pre-tokenizer: split where letters (Latin script) meet digits or other
//!    characters of the Common script, e.g. `abc123` into `abc` and `123`;
//! 3. greedy longest-match WordPiece on each word, `##` before continuation pieces; a word
//!    longer than `max_input_chars_per_word`, or with a part no piece matches, is one `[UNK]`.
//!
//! Other text goes through the full tokenizer.

use tokenizers::models::ModelWrapper;
use tokenizers::Tokenizer;

use crate::fnv::{NumberMap, WordMap};

/// The pieces a word may start with, or the pieces that may continue it (their continuing
/// prefix taken off), with the length of the longest: no longer slice of a word is looked up.
///
/// A piece of at most [`PACKED`] bytes is looked up as one number ([`pack`]): no byte-by-byte
/// hashing and no string comparison, which is where most of the tokenizing time went (`perf`).
#[derive(Debug, Clone, Default)]
struct Pieces {
    short: NumberMap<u128, u32>,
    long: WordMap<Box<str>, u32>,
    longest: usize,
}

/// The longest piece [`pack`] holds: 15 bytes and, in the 16th, the length.
const PACKED: usize = 15;

/// A piece of at most [`PACKED`] bytes as one number: its bytes in order, then its length in the
/// last byte (so "a" and "a\0" differ).
fn pack(piece: &[u8]) -> u128 {
    debug_assert!(piece.len() <= PACKED);
    let mut v = (piece.len() as u128) << (8 * PACKED);
    for (i, &b) in piece.iter().enumerate() {
        v |= u128::from(b) << (8 * i);
    }
    v
}

impl Pieces {
    fn insert(&mut self, piece: &str, id: u32) {
        self.longest = self.longest.max(piece.len());
        if piece.len() <= PACKED {
            self.short.insert(pack(piece.as_bytes()), id);
        } else {
            self.long.insert(piece.into(), id);
        }
    }

    fn get(&self, piece: &str) -> Option<u32> {
        if piece.len() <= PACKED {
            self.short.get(&pack(piece.as_bytes())).copied()
        } else {
            self.long.get(piece).copied()
        }
    }
}

/// The WordPiece vocabulary and settings of a tokenizer, for ASCII text.
#[derive(Debug, Clone)]
pub struct FastWordPiece {
    /// Every entry of the vocabulary, for the start of a word (an entry that begins with the
    /// continuing prefix cannot match there: the prefix is punctuation, which is never inside
    /// a word).
    first: Pieces,
    /// The entries that begin with the continuing prefix, without it: looking up `rest` here is
    /// looking up prefix + `rest` in the vocabulary.
    next: Pieces,
    unk: u32,
    max_chars: usize,
}

/// Which script class an ASCII character belongs to for the script pre-tokenizer.
fn is_latin(b: u8) -> bool {
    b.is_ascii_alphabetic()
}

impl FastWordPiece {
    /// The fast path for a WordPiece tokenizer without normaliser, added tokens or post-processor
    /// (what [`super::train_tokenizer`] builds), or `None` for any other tokenizer.
    pub fn from_tokenizer(t: &Tokenizer) -> Option<FastWordPiece> {
        if t.get_normalizer().is_some()
            || t.get_post_processor().is_some()
            || !t.get_added_tokens_decoder().is_empty()
            || t.get_pre_tokenizer() != Some(&super::tokenizer::pre_tokenizer())
        {
            return None;
        }
        let ModelWrapper::WordPiece(wp) = t.get_model() else {
            return None;
        };
        let prefix = &wp.continuing_subword_prefix;
        if prefix.is_empty() || !prefix.bytes().all(|b| b.is_ascii_punctuation()) {
            return None;
        }
        let (mut first, mut next) = (Pieces::default(), Pieces::default());
        for (piece, id) in t.get_vocab(false) {
            if let Some(rest) = piece.strip_prefix(prefix.as_str()) {
                next.insert(rest, id);
            }
            first.insert(&piece, id);
        }
        let unk = first.get(wp.unk_token.as_str())?;
        Some(FastWordPiece {
            first,
            next,
            unk,
            max_chars: wp.max_input_chars_per_word,
        })
    }

    /// Appends the ids of one ASCII word (no whitespace, no punctuation, one script class).
    fn word(&self, word: &str, out: &mut Vec<u32>) {
        if word.len() > self.max_chars {
            out.push(self.unk);
            return;
        }
        let first = out.len();
        let mut start = 0;
        while start < word.len() {
            let pieces = if start == 0 { &self.first } else { &self.next };
            let mut end = word.len().min(start + pieces.longest);
            let mut found = None;
            while start < end {
                if let Some(id) = pieces.get(&word[start..end]) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => out.push(id),
                None => {
                    out.truncate(first);
                    out.push(self.unk);
                    return;
                }
            }
            start = end;
        }
    }

    /// The ids of an ASCII text, stopping once more than `limit` ids have been produced (the
    /// caller truncates to `limit` and only needs to know that the text was longer).
    pub fn ids(&self, text: &str, limit: usize) -> Vec<u32> {
        debug_assert!(text.is_ascii());
        let bytes = text.as_bytes();
        // Room for about one id per four bytes and, after them, the bigram ids
        // ([`super::text::TextEncoder::with_bigrams`]).
        let mut out = Vec::with_capacity(2 * (bytes.len() / 4 + 1).min(limit.saturating_add(1)));
        let mut start = None::<usize>;
        let flush = |from: Option<usize>, to: usize, out: &mut Vec<u32>| {
            if let Some(s) = from {
                self.word(&text[s..to], out);
            }
        };
        for (i, &b) in bytes.iter().enumerate() {
            if out.len() > limit {
                return out;
            }
            if b.is_ascii_whitespace() || b == 0x0B {
                flush(start.take(), i, &mut out);
            } else if b.is_ascii_punctuation() {
                flush(start.take(), i, &mut out);
                self.word(&text[i..i + 1], &mut out);
            } else {
                match start {
                    Some(s) if is_latin(bytes[s]) != is_latin(b) => {
                        flush(Some(s), i, &mut out);
                        start = Some(i);
                    }
                    Some(_) => {}
                    None => start = Some(i),
                }
            }
        }
        flush(start, bytes.len(), &mut out);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Classifier, TextEncoder};

    fn slow(t: &Tokenizer, text: &str) -> Vec<u32> {
        t.encode_fast(text, false).unwrap().get_ids().to_vec()
    }

    fn tokenizer() -> Tokenizer {
        Classifier::embedded().unwrap().encoder.tokenizer.clone()
    }

    #[test]
    fn same_ids_as_the_tokenizer_on_profile_texts() {
        let t = tokenizer();
        let fast =
            FastWordPiece::from_tokenizer(&t).expect("the shipped tokenizer has a fast path");
        let cfg = crate::synth::SynthConfig {
            n: 1500,
            seed: 11,
            ..Default::default()
        };
        let mut profiles: Vec<crate::profile::Profile> = crate::synth::generate(&cfg)
            .into_iter()
            .map(|s| s.profile)
            .collect();
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
        for f in [
            "datasets/examples/profiles.jsonl",
            "datasets/holdout/profiles.jsonl",
        ] {
            let loaded = crate::profile::load(&root.join(f)).unwrap();
            profiles.extend(loaded.profiles.into_iter().map(|(_, p)| p));
        }
        let mut checked = 0;
        for p in &profiles {
            for text in TextEncoder::section_texts(p, false).0 {
                if text.is_ascii() {
                    assert_eq!(fast.ids(&text, usize::MAX), slow(&t, &text), "{text:?}");
                    checked += 1;
                }
            }
        }
        assert!(checked > 5000, "only {checked} texts checked");
    }

    #[test]
    fn same_ids_on_edge_cases() {
        let t = tokenizer();
        let fast = FastWordPiece::from_tokenizer(&t).unwrap();
        let long = "x".repeat(150);
        for text in [
            "",
            " ",
            "abc123def 4g",
            "x--y...z!!",
            "[UNK] [unk] ##ing",
            "a\u{b}b\u{c}c\td\ne\rf",
            "\u{1}\u{1f}\u{7f}a\u{7f}",
            "qqqqzzzz xjkw 00000000000000",
            &long,
            "e-mail: jane.doe@example.org, +44 (0)20 7946 0000; $5,000/month ~ 50%",
        ] {
            assert_eq!(fast.ids(text, usize::MAX), slow(&t, text), "{text:?}");
        }
    }

    #[test]
    fn pieces_longer_than_a_packed_key_match_too() {
        // Whole words of a trained vocabulary can be longer than a packed key holds.
        let words = "counterintelligence internationalisation counterintelligence \
                     internationalisation ab ab";
        let t = crate::model::train_tokenizer(std::iter::once(words), 200).unwrap();
        let fast = FastWordPiece::from_tokenizer(&t).unwrap();
        assert!(fast.first.longest > PACKED && !fast.first.long.is_empty());
        for text in [
            words,
            "counterintelligences internationalisationab counterintelligenc",
            "xcounterintelligence ab123counterintelligence",
        ] {
            assert_eq!(fast.ids(text, usize::MAX), slow(&t, text), "{text:?}");
        }
    }

    #[test]
    fn packed_keys_tell_pieces_apart_by_length_and_bytes() {
        let keys = [
            &b""[..],
            b"a",
            b"a\0",
            b"\0a",
            b"ab",
            b"ba",
            b"abcdefghijklmno",
        ];
        let packed: std::collections::HashSet<u128> = keys.iter().map(|k| pack(k)).collect();
        assert_eq!(packed.len(), keys.len());
    }

    #[test]
    fn stops_after_the_limit_with_the_same_prefix() {
        let t = tokenizer();
        let fast = FastWordPiece::from_tokenizer(&t).unwrap();
        let text = "consulting opportunity ".repeat(1000);
        let all = slow(&t, &text);
        let cut = fast.ids(&text, 64);
        assert!(cut.len() > 64 && cut.len() < all.len());
        assert_eq!(cut[..], all[..cut.len()]);
    }

    proptest::proptest! {
        #[test]
        fn same_ids_on_any_ascii(text in "[ -~\t\n\u{0}-\u{1f}\u{7f}]{0,80}") {
            let t = tokenizer();
            let fast = FastWordPiece::from_tokenizer(&t).unwrap();
            proptest::prop_assert_eq!(fast.ids(&text, usize::MAX), slow(&t, &text));
        }
    }
}
