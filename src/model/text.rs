//! From a profile to model inputs: normalised section texts, token and hashed-bigram ids per
//! section, and the raw feature vector. Names, usernames, locations and spoken languages are
//! never read here, so they cannot influence a score.

use std::sync::Arc;

use tokenizers::Tokenizer;

use super::fast_wordpiece::FastWordPiece;

use crate::features::{self, TextLengths};
use crate::normalize::{normalize, Normalized};
use crate::profile::{Profile, TextField};
use crate::rules::{Hit, RuleSet};
use crate::score::{check_memos, Memo, ScoreError};

/// The sections the text encoder pools separately, in model order.
pub const SECTIONS: [&str; 8] = [
    "headline",
    "about",
    "experience",
    "experience.description",
    "education",
    "skills",
    "messages",
    "messages.outbound",
];

/// The section a text field belongs to, or `None` for fields the model never reads.
pub fn section_of(f: TextField) -> Option<usize> {
    Some(match f {
        TextField::Headline => 0,
        TextField::About => 1,
        TextField::ExperienceTitle | TextField::ExperienceCompany => 2,
        TextField::ExperienceDescription => 3,
        TextField::EducationSchool | TextField::EducationDegree | TextField::EducationField => 4,
        TextField::Skills => 5,
        TextField::MessagesInbound => 6,
        TextField::MessagesOutbound => 7,
        TextField::Name
        | TextField::Username
        | TextField::Location
        | TextField::Website
        | TextField::ExperienceLocation
        | TextField::Languages => return None,
    })
}

/// Whether the rule summary and text lengths may look at a field (never the name or username,
/// so that changing only those cannot change a score).
fn model_may_read(f: TextField) -> bool {
    !matches!(f, TextField::Name | TextField::Username)
}

/// A profile turned into model inputs.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Encoded {
    /// Per section: token ids then hashed-bigram ids (offset by the vocabulary size).
    pub ids: Vec<Vec<u32>>,
    /// Raw (unstandardised) features, see [`crate::features::names`].
    pub features: Vec<f32>,
    /// Number of sections cut at the token limit.
    pub truncated: u32,
}

/// Deterministic 64-bit mix of two token ids (SplitMix64 finaliser).
fn hash_pair(a: u32, b: u32) -> u64 {
    let mut z = ((a as u64) << 32 | b as u64).wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Turns profiles into [`Encoded`] inputs with a fixed tokenizer and settings.
pub struct TextEncoder {
    pub tokenizer: Tokenizer,
    pub vocab: u32,
    pub buckets: u32,
    pub max_tokens: usize,
    pub rules: Option<RuleSet>,
    /// Whether name-like spans are taken out of messages before reading them
    /// ([`crate::names`]).
    pub strip_name_spans: bool,
    /// The same tokenizer's ASCII fast path, when it has one.
    fast: Option<FastWordPiece>,
}

impl TextEncoder {
    pub fn new(
        tokenizer: Tokenizer,
        vocab: u32,
        buckets: u32,
        max_tokens: usize,
        rules: Option<RuleSet>,
        strip_name_spans: bool,
    ) -> TextEncoder {
        TextEncoder {
            fast: FastWordPiece::from_tokenizer(&tokenizer),
            tokenizer,
            vocab,
            buckets,
            max_tokens,
            rules,
            strip_name_spans,
        }
    }

    /// The normalised section texts of a profile and every normalised text the model may read.
    /// With `strip_name_spans`, the section texts of messages lose their name-like spans
    /// ([`crate::names`]); the normalised texts, which the rules and the evidence read, keep
    /// them.
    pub fn section_texts(
        p: &Profile,
        strip_name_spans: bool,
    ) -> (Vec<String>, Vec<(TextField, Normalized)>) {
        let mut sections = vec![String::new(); SECTIONS.len()];
        let mut normalized = Vec::new();
        for (field, text) in p.texts() {
            if !model_may_read(field) {
                continue;
            }
            let n = normalize(text);
            if let Some(s) = section_of(field) {
                let is_message = matches!(
                    field,
                    TextField::MessagesInbound | TextField::MessagesOutbound
                );
                // A message with no name-like span is read as normalised once, above.
                let stripped = (strip_name_spans && is_message)
                    .then(|| crate::names::strip_name_spans(text, crate::normalize::pattern_view))
                    .and_then(|kept| match kept {
                        std::borrow::Cow::Owned(kept) => Some(normalize(&kept).text),
                        std::borrow::Cow::Borrowed(_) => None,
                    });
                let read = stripped.as_deref().unwrap_or(&n.text);
                if !read.is_empty() {
                    if !sections[s].is_empty() {
                        sections[s].push_str(" | ");
                    }
                    sections[s].push_str(read);
                }
            }
            normalized.push((field, n));
        }
        (sections, normalized)
    }

    /// The original texts of section `s`, in the order [`TextEncoder::section_texts`] joins
    /// them (for evidence as written).
    pub fn section_parts(p: &Profile, s: usize) -> impl Iterator<Item = &str> {
        p.texts()
            .into_iter()
            .filter(move |(f, _)| model_may_read(*f) && section_of(*f) == Some(s))
            .map(|(_, t)| t)
    }

    /// Token ids of one normalised text, truncated; returns whether it was cut.
    pub fn token_ids(&self, text: &str) -> (Vec<u32>, bool) {
        if text.is_empty() {
            return (Vec::new(), false);
        }
        let mut ids = match &self.fast {
            Some(fast) if text.is_ascii() => fast.ids(text, self.max_tokens),
            // The tokenizer has no normaliser of its own and works on valid UTF-8, so it cannot
            // fail on normalised text; an error would mean a corrupt tokenizer, treated as empty.
            _ => match self.tokenizer.encode_fast(text, false) {
                Ok(e) => e.get_ids().to_vec(),
                Err(_) => Vec::new(),
            },
        };
        let cut = ids.len() > self.max_tokens;
        ids.truncate(self.max_tokens);
        (ids, cut)
    }

    /// Token ids followed by hashed-bigram ids.
    pub fn with_bigrams(&self, mut ids: Vec<u32>) -> Vec<u32> {
        let n = ids.len();
        ids.reserve(n.saturating_sub(1));
        for i in 1..n {
            let h = hash_pair(ids[i - 1], ids[i]) % self.buckets as u64;
            ids.push(self.vocab + h as u32);
        }
        ids
    }

    pub fn encode(&self, p: &Profile) -> Encoded {
        self.encode_reading(&Reading::new(p, self.rules.as_ref(), self.strip_name_spans))
    }

    /// The inputs of a profile from its [`Reading`] with this encoder's rules.
    pub fn encode_reading(&self, r: &Reading) -> Encoded {
        let mut truncated = 0;
        let ids = r
            .texts
            .iter()
            .map(|t| {
                let (ids, cut) = self.token_ids(t);
                truncated += u32::from(cut);
                self.with_bigrams(ids)
            })
            .collect();
        Encoded {
            ids,
            features: r.features.clone(),
            truncated,
        }
    }
}

/// What the model and the linear engine read of a profile before tokens or hashing: the
/// normalised texts, the raw features and the rule hits. Both engines read it alike, so an
/// ensemble of the two works it out once per profile ([`Reading::shared`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Reading {
    /// The normalised section texts, in [`SECTIONS`] order.
    pub texts: Vec<String>,
    /// Every text the engines may read (not the name or username), normalised, in the order
    /// of [`Profile::texts`].
    pub normalized: Vec<(TextField, Normalized)>,
    /// The raw features ([`crate::features::names`]), with the rule summary when read with
    /// rules.
    pub features: Vec<f32>,
    /// The rules that fired on [`Reading::normalized`] and the profile's values, obfuscation
    /// rules included; empty without rules.
    pub hits: Vec<Hit>,
}

impl Reading {
    /// The reading of `p` with `rules`, with name-like spans taken out of the messages' section
    /// texts or not (see [`TextEncoder::section_texts`]).
    pub fn new(p: &Profile, rules: Option<&RuleSet>, strip_name_spans: bool) -> Reading {
        let (texts, normalized) = TextEncoder::section_texts(p, strip_name_spans);
        let hits = rules.map_or_else(Vec::new, |r| r.hits_normalized(p, &normalized));
        let summary = rules.map(|r| {
            features::summarise_rules(hits_the_model_reads(r, &hits).map(|h| r.spec(h.rule).weight))
        });
        let features = features::extract(p, text_lengths(&normalized), summary);
        Reading {
            texts,
            normalized,
            features,
            hits,
        }
    }

    /// The reading of `p` with `rules` (and name-like spans taken out or not), taken from
    /// `memo` when another engine reading alike has made it, else made and left there.
    pub fn shared(
        p: &Profile,
        rules: Option<&RuleSet>,
        strip_name_spans: bool,
        memo: &Memo,
    ) -> Arc<Reading> {
        let key = rules.map_or(0, RuleSet::fingerprint) ^ u64::from(strip_name_spans);
        memo.get_or_insert_with(key, || Reading::new(p, rules, strip_name_spans))
    }

    /// `f` of each profile and its reading with `rules`, shared through `memos` (one per
    /// profile, see [`Reading::shared`]), in parallel and in order: the scoring loop of the
    /// engines that read profiles this way.
    pub fn map_shared<T: Send>(
        profiles: &[Profile],
        memos: &[Memo],
        rules: Option<&RuleSet>,
        strip_name_spans: bool,
        f: impl Fn(&Profile, &Reading) -> T + Sync,
    ) -> Result<Vec<T>, ScoreError> {
        // Profiles are independent, so mapping them in parallel gives the same values whatever
        // the number of threads (RAYON_NUM_THREADS; TOKENIZERS_PARALLELISM=false turns it off).
        use tokenizers::utils::parallelism::MaybeParallelIterator;
        check_memos(profiles, memos)?;
        Ok((0..profiles.len())
            .into_maybe_par_iter()
            .map(|i| {
                f(
                    &profiles[i],
                    &Reading::shared(&profiles[i], rules, strip_name_spans, &memos[i]),
                )
            })
            .collect())
    }

    /// The fired rules an engine may read (indices into the rules): all but the obfuscation
    /// rules, so that hidden characters cannot move its score.
    pub fn fired(&self, rules: &RuleSet) -> Vec<usize> {
        hits_the_model_reads(rules, &self.hits)
            .map(|h| h.rule)
            .collect()
    }
}

/// Character counts of the normalised headline, about and message texts.
fn text_lengths(normalized: &[(TextField, Normalized)]) -> TextLengths {
    let mut l = TextLengths::default();
    for (field, n) in normalized {
        let slot = match field {
            TextField::Headline => &mut l.headline,
            TextField::About => &mut l.about,
            TextField::MessagesInbound | TextField::MessagesOutbound => &mut l.messages,
            _ => continue,
        };
        *slot += n.text.chars().count();
    }
    l
}

/// The hits the model reads: every rule's except those that match obfuscation itself, so that
/// hidden characters cannot move the model's score (they still count for the rule engine).
pub(crate) fn hits_the_model_reads<'a>(
    rules: &'a RuleSet,
    hits: &'a [Hit],
) -> impl Iterator<Item = &'a Hit> + 'a {
    hits.iter()
        .filter(|h| rules.spec(h.rule).obfuscation.is_none())
}
