//! Training the WordPiece tokenizer on normalised training text.
//!
//! Pre-tokenisation splits on whitespace and punctuation (BERT style), then on changes of
//! script, so an emoji or a CJK run glued to a Latin word does not turn the whole word into
//! `[UNK]`. Every character seen in training (up to the alphabet limit) is in the vocabulary.

use tokenizers::models::wordpiece::{WordPiece, WordPieceTrainerBuilder};
use tokenizers::models::TrainerWrapper;
use tokenizers::pre_tokenizers::bert::BertPreTokenizer;
use tokenizers::pre_tokenizers::sequence::Sequence;
use tokenizers::pre_tokenizers::unicode_scripts::UnicodeScripts;
use tokenizers::{AddedToken, Tokenizer};

use super::ModelError;

/// Trains a tokenizer with about `vocab_size` entries on already-normalised texts.
pub fn train_tokenizer<'a>(
    texts: impl Iterator<Item = &'a str> + Send,
    vocab_size: usize,
) -> Result<Tokenizer, ModelError> {
    let mut trainer: TrainerWrapper = WordPieceTrainerBuilder::new()
        .vocab_size(vocab_size)
        .min_frequency(2)
        .limit_alphabet(3000)
        .show_progress(false)
        .special_tokens(vec![AddedToken::from("[UNK]", true)])
        .build()
        .into();
    let mut tok = Tokenizer::new(WordPiece::default());
    tok.with_pre_tokenizer(Some(Sequence::new(vec![
        BertPreTokenizer.into(),
        UnicodeScripts::new().into(),
    ])));
    tok.train(&mut trainer, texts)
        .map_err(|e| ModelError::Tokenizer(e.to_string()))?;
    Ok(tok)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emoji_and_cjk_are_not_unknown() {
        let texts = [
            "senior engineer at acme 👋 hello",
            "北京大学 engineer 👋",
            "paid reports on telegram",
            "senior engineer",
        ];
        let tok = train_tokenizer(texts.iter().copied(), 200).unwrap();
        let unk = tok.token_to_id("[UNK]").unwrap();
        for t in ["engineer👋", "北京 engineer"] {
            let ids = tok.encode_fast(t, false).unwrap().get_ids().to_vec();
            assert!(!ids.is_empty());
            assert!(ids.iter().any(|&i| i != unk), "{t}: {ids:?}");
        }
    }
}
