//! The transparent rule engine: published warning signs as editable data
//! (`models/rules/default.toml`), compiled once into one Aho-Corasick automaton plus a few
//! regexes, then applied to profiles without any I/O.
//!
//! Combination rule: the risk score is the logistic function of the file's `bias` plus the
//! weights of the rules that fire, `score = 1 / (1 + exp(-(bias + Σ weight)))`. Each rule
//! fires at most once per profile, so repeating a phrase does not raise the score. Negative
//! weights mark signs of a genuine profile.

mod file;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use regex::Regex;

pub use file::{Op, RuleFile, RuleSpec, RulesError, NUMERIC_FIELDS, RULES_FORMAT_VERSION};

use crate::normalize::{normalize, Normalized};
use crate::profile::{Profile, TextField};
use crate::score::{Assessment, EngineKind, Memo, Reason, ScoreError, Scorer, Thresholds};

/// Phrases up to this many bytes in all are matched with a DFA (a few MiB at most).
const DFA_MAX_PHRASE_BYTES: usize = 64 * 1024;

/// The rule file shipped inside the binary.
pub const DEFAULT_RULES: &str = include_str!("../../models/rules/default.toml");

/// A bit set over [`TextField`]s.
#[derive(Debug, Clone, Copy, Default)]
struct FieldMask(u32);

impl FieldMask {
    fn of(fields: &[TextField]) -> FieldMask {
        FieldMask(fields.iter().fold(0, |m, f| m | 1 << (*f as u32)))
    }

    fn has(self, f: TextField) -> bool {
        self.0 & (1 << f as u32) != 0
    }
}

#[derive(Debug)]
enum Matcher {
    /// Phrases live in the shared automaton; see `RuleSet::patterns`.
    Phrases,
    Regex(Regex),
    Numeric {
        field: String,
        op: Op,
        value: f64,
    },
    Flag {
        field: String,
        equals: bool,
    },
    PhotoFlags(Vec<crate::profile::PhotoFlag>),
    Obfuscation {
        min: u32,
    },
}

#[derive(Debug)]
struct Rule {
    spec: RuleSpec,
    fields: FieldMask,
    matcher: Matcher,
}

/// A phrase of the automaton: which rule it belongs to and whether it may end mid-word.
#[derive(Debug, Clone, Copy)]
struct Pattern {
    rule: usize,
    prefix: bool,
}

/// A compiled rule set, ready to score.
#[derive(Debug)]
pub struct RuleSet {
    name: String,
    bias: f32,
    thresholds: Thresholds,
    rules: Vec<Rule>,
    automaton: AhoCorasick,
    patterns: Vec<Pattern>,
    /// The fields some phrase rule reads: texts of other fields are not searched for phrases.
    phrase_fields: FieldMask,
    /// A hash of the rule file's content (see [`RuleSet::fingerprint`]).
    fingerprint: u64,
}

/// One rule that fired, with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub rule: usize,
    /// The matched normalised text, or a description of the value that fired the rule.
    pub evidence: String,
    /// For a text match: the index of the matched text among the texts the rules were given
    /// and the byte span of the match in its normalised form (see [`crate::evidence`]).
    pub span: Option<(usize, std::ops::Range<usize>)>,
}

fn is_word_char(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

impl RuleSet {
    /// The rule set shipped with linkscreen.
    pub fn default_rules() -> RuleSet {
        RuleSet::from_toml(DEFAULT_RULES).expect("the shipped rule file is valid (tested)")
    }

    pub fn from_file(path: &std::path::Path) -> Result<RuleSet, RulesError> {
        let text = std::fs::read_to_string(path).map_err(|source| RulesError::Io {
            path: path.display().to_string(),
            source,
        })?;
        RuleSet::from_toml(&text)
    }

    pub fn from_toml(text: &str) -> Result<RuleSet, RulesError> {
        RuleSet::compile(RuleFile::parse(text)?)
    }

    pub fn compile(file: RuleFile) -> Result<RuleSet, RulesError> {
        let fingerprint = {
            use std::hash::Hasher;
            let mut h = crate::fnv::FnvHasher::default();
            h.write(format!("{file:?}").as_bytes());
            h.finish() | 1
        };
        let mut rules = Vec::with_capacity(file.rules.len());
        let mut phrases = Vec::new();
        let mut patterns = Vec::new();
        let mut phrase_fields = FieldMask::default();
        for (i, spec) in file.rules.into_iter().enumerate() {
            let fields = FieldMask::of(&spec.text_fields()?);
            let matcher = if let Some(p) = &spec.phrases {
                for phrase in p.all() {
                    let prefix = phrase.ends_with('*');
                    phrases.push(normalize(phrase.trim_end_matches('*')).text);
                    patterns.push(Pattern { rule: i, prefix });
                }
                Matcher::Phrases
            } else if let Some(r) = &spec.regex {
                Matcher::Regex(
                    regex::RegexBuilder::new(r)
                        .size_limit(file::REGEX_SIZE_LIMIT)
                        .dfa_size_limit(file::REGEX_DFA_SIZE_LIMIT)
                        .nest_limit(file::REGEX_NEST_LIMIT)
                        .build()
                        .map_err(|e| RulesError::Invalid {
                            code: spec.code.clone(),
                            reason: format!("bad regex: {e}"),
                        })?,
                )
            } else if let Some(n) = &spec.numeric {
                Matcher::Numeric {
                    field: n.field.clone(),
                    op: n.op,
                    value: n.value,
                }
            } else if let Some(f) = &spec.flag {
                Matcher::Flag {
                    field: f.field.clone(),
                    equals: f.equals,
                }
            } else if let Some(f) = &spec.photo_flags {
                Matcher::PhotoFlags(f.clone())
            } else if let Some(o) = &spec.obfuscation {
                Matcher::Obfuscation { min: o.min }
            } else {
                unreachable!("RuleFile::parse checks that every rule has one matcher")
            };
            if matches!(matcher, Matcher::Phrases) {
                phrase_fields.0 |= fields.0;
            }
            rules.push(Rule {
                spec,
                fields,
                matcher,
            });
        }
        // A DFA finds the same matches several times faster than the default NFA; it costs
        // memory in proportion to the phrases' length, so very large rule files keep the NFA.
        let total: usize = phrases.iter().map(String::len).sum();
        let kind = (total <= DFA_MAX_PHRASE_BYTES).then_some(AhoCorasickKind::DFA);
        let automaton = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(kind)
            .build(&phrases)
            .map_err(|e| RulesError::Invalid {
                code: "(automaton)".into(),
                reason: e.to_string(),
            })?;
        Ok(RuleSet {
            name: file.name,
            bias: file.bias,
            thresholds: file.thresholds,
            rules,
            automaton,
            patterns,
            phrase_fields,
            fingerprint,
        })
    }

    /// A hash of the rule file's content, never 0: two rule sets compiled from the same rules
    /// have the same fingerprint, so engines reading with either may share their hits (see
    /// [`crate::score::Memo`]).
    pub fn fingerprint(&self) -> u64 {
        self.fingerprint
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn len(&self) -> usize {
        self.rules.len()
    }

    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    pub fn specs(&self) -> impl Iterator<Item = &RuleSpec> {
        self.rules.iter().map(|r| &r.spec)
    }

    pub fn spec(&self, rule: usize) -> &RuleSpec {
        &self.rules[rule].spec
    }

    /// Applies every rule to one profile. Hits come in rule order, at most one per rule.
    /// Text evidence is the matched text as written in the profile.
    pub fn hits(&self, profile: &Profile) -> Vec<Hit> {
        self.hits_mapped(profile, true)
    }

    /// As [`RuleSet::hits`], with text evidence left normalised (for callers that only need
    /// which rules fired).
    pub fn fired(&self, profile: &Profile) -> Vec<Hit> {
        self.hits_mapped(profile, false)
    }

    fn hits_mapped(&self, profile: &Profile, as_written: bool) -> Vec<Hit> {
        let originals = profile.texts();
        let texts: Vec<(TextField, Normalized)> =
            originals.iter().map(|(f, s)| (*f, normalize(s))).collect();
        let mut hits = self.hits_normalized(profile, &texts);
        if !as_written {
            return hits;
        }
        for h in &mut hits {
            if let Some((i, span)) = &h.span {
                h.evidence =
                    crate::evidence::as_written(originals[*i].1, &texts[*i].1.text, span.clone());
            }
        }
        hits
    }

    /// As [`RuleSet::hits`], for callers that have already normalised the profile's texts;
    /// text evidence stays normalised (each hit's `span` says where it matched).
    pub fn hits_normalized(
        &self,
        profile: &Profile,
        texts: &[(TextField, Normalized)],
    ) -> Vec<Hit> {
        let mut evidence: Vec<Option<String>> = vec![None; self.rules.len()];
        let mut spans: Vec<Option<(usize, std::ops::Range<usize>)>> = vec![None; self.rules.len()];
        for (t, (field, norm)) in texts.iter().enumerate() {
            if !self.phrase_fields.has(*field) {
                continue;
            }
            let text = norm.text.as_str();
            for m in self.automaton.find_overlapping_iter(text) {
                let pat = self.patterns[m.pattern().as_usize()];
                if evidence[pat.rule].is_some() || !self.rules[pat.rule].fields.has(*field) {
                    continue;
                }
                let before = text[..m.start()].chars().next_back();
                let after = text[m.end()..].chars().next();
                if is_word_char(before) || (!pat.prefix && is_word_char(after)) {
                    continue;
                }
                evidence[pat.rule] = Some(text[m.start()..m.end()].to_owned());
                spans[pat.rule] = Some((t, m.start()..m.end()));
            }
        }
        for (i, rule) in self.rules.iter().enumerate() {
            if evidence[i].is_some() {
                continue;
            }
            evidence[i] = match &rule.matcher {
                Matcher::Phrases => None,
                Matcher::Regex(re) => texts
                    .iter()
                    .enumerate()
                    .filter(|(_, (f, _))| rule.fields.has(*f))
                    .find_map(|(t, (_, n))| {
                        re.find(&n.text).map(|m| {
                            spans[i] = Some((t, m.start()..m.end()));
                            m.as_str().to_owned()
                        })
                    }),
                Matcher::Numeric { field, op, value } => numeric(profile, field)
                    .filter(|v| op.holds(*v, *value))
                    .map(|v| format!("{field} = {v}")),
                Matcher::Flag { field, equals } => {
                    let v = if field == "has_photo" {
                        profile.has_photo
                    } else {
                        profile.verified
                    };
                    (v == Some(*equals)).then(|| format!("{field} = {equals}"))
                }
                Matcher::PhotoFlags(wanted) => profile
                    .photo_flags
                    .iter()
                    .flatten()
                    .find(|f| wanted.contains(f))
                    .map(|f| format!("photo_flags: {}", f.as_str())),
                Matcher::Obfuscation { min } => {
                    let mut found = crate::normalize::Obfuscation::default();
                    let mut where_: Vec<&str> = Vec::new();
                    for (f, n) in texts.iter().filter(|(f, _)| rule.fields.has(*f)) {
                        if n.obfuscation.total() > 0 {
                            found.add(n.obfuscation);
                            if !where_.contains(&f.as_str()) {
                                where_.push(f.as_str());
                            }
                        }
                    }
                    (found.total() >= *min && found.total() > 0).then(|| {
                        let marks = if found.marks > 0 {
                            format!(", {} stray combining marks", found.marks)
                        } else {
                            String::new()
                        };
                        format!(
                            "{} hidden, {} bidi, {} look-alike characters{marks} in {}",
                            found.invisible,
                            found.bidi,
                            found.confusables,
                            where_.join(", ")
                        )
                    })
                }
            };
        }
        evidence
            .into_iter()
            .enumerate()
            .zip(spans)
            .filter_map(|((rule, e), span)| {
                e.map(|evidence| Hit {
                    rule,
                    evidence,
                    span,
                })
            })
            .collect()
    }

    /// The risk score and reasons for a set of hits.
    pub fn assess(&self, hits: &[Hit]) -> Assessment {
        let logit = self.bias
            + hits
                .iter()
                .map(|h| self.rules[h.rule].spec.weight)
                .sum::<f32>();
        let mut reasons: Vec<Reason> = hits
            .iter()
            .map(|h| Reason {
                code: self.rules[h.rule].spec.code.clone(),
                weight: self.rules[h.rule].spec.weight,
                evidence: Some(h.evidence.clone()),
            })
            .collect();
        reasons.sort_by(|a, b| b.weight.abs().total_cmp(&a.weight.abs()));
        Assessment {
            score: 1.0 / (1.0 + (-logit).exp()),
            reasons,
        }
    }

    pub fn assess_profile(&self, profile: &Profile) -> Assessment {
        self.assess(&self.hits(profile))
    }
}

/// A numeric quantity of a profile by rule-file name (see [`NUMERIC_FIELDS`]).
pub fn numeric(p: &Profile, field: &str) -> Option<f64> {
    let n = match field {
        "experience_count" => p.experience.as_ref().map(|v| v.len() as u64),
        "education_count" => p.education.as_ref().map(|v| v.len() as u64),
        "skills_count" => p.skills.as_ref().map(|v| v.len() as u64),
        "inbound_messages" => p.messages.as_ref().map(|v| {
            v.iter()
                .filter(|m| m.direction == crate::profile::Direction::Inbound)
                .count() as u64
        }),
        other => p.count(other),
    };
    n.map(|n| n as f64)
}

impl Scorer for RuleSet {
    fn kind(&self) -> EngineKind {
        EngineKind::Rules
    }

    fn thresholds(&self) -> Thresholds {
        self.thresholds
    }

    fn score_shared(
        &self,
        profiles: &[Profile],
        _: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        // Profiles are independent and the output keeps their order, so parallel scoring gives
        // the same bytes whatever the number of threads.
        use tokenizers::utils::parallelism::MaybeParallelRefIterator;
        Ok(profiles
            .maybe_par_iter()
            .map(|p| self.assess_profile(p))
            .collect())
    }
}

#[cfg(test)]
mod tests;
