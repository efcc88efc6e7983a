//! The WordPiece tokenizer, with a deterministic vocabulary built from normalised training text.
//!
//! Pre-tokenisation splits on whitespace and punctuation (BERT style), then on changes of
//! script, so an emoji or a CJK run glued to a Latin word does not turn the whole word into
//! `[UNK]`. The vocabulary is chosen by counting, with ties broken by the token text, so the same
//! text always gives the same `tokenizer.json` (the `tokenizers` trainers iterate over hash
//! maps with a random state and are not reproducible):
//! 1. every character seen (the most frequent 3,000), word-initial and as a `##` continuation;
//! 2. then, by frequency, whole words (seen at least twice) and word-initial and continuation
//!    pieces of 2 to 6 characters, sharing what is left of `vocab_size` half and half.
//!
//! Unknown words are split greedily into the longest known pieces, down to characters.

use std::collections::HashMap;

use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::unicode_scripts::UnicodeScripts;
use tokenizers::{
    OffsetReferential, OffsetType, PreTokenizedString, PreTokenizer, PreTokenizerWrapper, Tokenizer,
};

use super::ModelError;

const UNK: &str = "[UNK]";
const PREFIX: &str = "##";
const MAX_CHARS: usize = 3000;

pub(super) fn pre_tokenizer() -> PreTokenizerWrapper {
    Sequence::new(vec![BertPreTokenizer.into(), UnicodeScripts::new().into()]).into()
}

/// The most frequent keys, ties broken by the key, at most `n`.
fn top(counts: HashMap<String, u64>, n: usize, min: u64) -> Vec<String> {
    let mut v: Vec<(String, u64)> = counts.into_iter().filter(|(_, c)| *c >= min).collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v.into_iter().take(n).map(|(k, _)| k).collect()
}

/// Builds a tokenizer with about `vocab_size` entries from already-normalised texts.
pub fn train_tokenizer<'a>(
    texts: impl Iterator<Item = &'a str>,
    vocab_size: usize,
) -> Result<Tokenizer, ModelError> {
    let pre = pre_tokenizer();
    let err = |e: tokenizers::Error| ModelError::Tokenizer(e.to_string());
    let mut words: HashMap<String, u64> = HashMap::new();
    for t in texts {
        let mut pts = PreTokenizedString::from(t);
        pre.pre_tokenize(&mut pts).map_err(err)?;
        for (w, _, _) in pts.get_splits(OffsetReferential::Original, OffsetType::None) {
            *words.entry(w.to_owned()).or_default() += 1;
        }
    }
    let mut chars: HashMap<String, u64> = HashMap::new();
    let mut pieces: HashMap<String, u64> = HashMap::new();
    for (w, &c) in &words {
        let cs: Vec<char> = w.chars().collect();
        for ch in &cs {
            *chars.entry(ch.to_string()).or_default() += c;
        }
        for len in 2..=6.min(cs.len().saturating_sub(1)) {
            let head: String = cs[..len].iter().collect();
            *pieces.entry(head).or_default() += c;
            let tail: String = cs[cs.len() - len..].iter().collect();
            *pieces.entry(format!("{PREFIX}{tail}")).or_default() += c;
        }
    }
    let mut vocab: Vec<String> = vec![UNK.to_owned()];
    for ch in top(chars, MAX_CHARS, 1) {
        vocab.push(format!("{PREFIX}{ch}"));
        vocab.push(ch);
    }
    let left = vocab_size.saturating_sub(vocab.len());
    let mut seen: std::collections::HashSet<String> = vocab.iter().cloned().collect();
    let whole = top(words, usize::MAX, 2);
    let parts = top(pieces, usize::MAX, 2);
    let (mut wi, mut pi) = (whole.into_iter(), parts.into_iter());
    let (mut n_words, mut n_pieces) = (0, 0);
    while n_words + n_pieces < left {
        let next = if n_words <= n_pieces {
            wi.next().or_else(|| pi.next())
        } else {
            pi.next().or_else(|| wi.next())
        };
        let Some(tok) = next else { break };
        if seen.insert(tok.clone()) {
            if tok.starts_with(PREFIX) {
                n_pieces += 1;
            } else {
                n_words += 1;
            }
            vocab.push(tok);
        }
    }
    let vocab: serde_json::Map<String, serde_json::Value> = vocab
        .into_iter()
        .enumerate()
        .map(|(i, t)| (t, serde_json::Value::from(i as u64)))
        .collect();
    let json = serde_json::json!({
        "version": "1.0",
        "truncation": null,
        "padding": null,
        "added_tokens": [],
        "normalizer": null,
        "pre_tokenizer": pre,
        "post_processor": null,
        "decoder": null,
        "model": {
            "type": "WordPiece",
            "unk_token": UNK,
            "continuing_subword_prefix": PREFIX,
            "max_input_chars_per_word": 100,
            "vocab": vocab,
        }
    });
    json.to_string()
        .parse::<Tokenizer>()
        .map_err(|e| ModelError::Tokenizer(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXTS: [&str; 5] = [
        "senior engineer at acme 👋 hello",
        "北京大学 engineer 👋",
        "paid reports on telegram",
        "senior engineer",
        "recruiters recruiting recruiter",
    ];

    #[test]
    fn emoji_and_cjk_are_not_unknown() {
        let tok = train_tokenizer(TEXTS.iter().copied(), 200).unwrap();
        let unk = tok.token_to_id(UNK).unwrap();
        for t in ["engineer👋", "北京 engineer", "recruitment"] {
            let ids = tok.encode_fast(t, false).unwrap().get_ids().to_vec();
            assert!(!ids.is_empty());
            assert!(ids.iter().all(|&i| i != unk), "{t}: {ids:?}");
        }
    }

    #[test]
    fn training_is_deterministic() {
        let a = train_tokenizer(TEXTS.iter().copied(), 120).unwrap();
        let b = train_tokenizer(TEXTS.iter().copied(), 120).unwrap();
        assert_eq!(a.to_string(false).unwrap(), b.to_string(false).unwrap());
    }
}
