//! The rule file format (TOML, `format_version = 1`) and its validation.
//!
//! A rule file holds the combination parameters (`bias`, `thresholds`) and a list of
//! `[[rule]]` tables. Each rule has exactly one matcher:
//!
//! | matcher | example | fires when |
//! |---|---|---|
//! | `phrases` | `phrases = { en = ["paid report"], fr = ["rapport rémunéré"] }` | a phrase occurs, on word boundaries, in the normalised text of one of `fields`; a trailing `*` matches any word ending |
//! | `regex` | `regex = "\\+?\\d{2}[ \\d]{8,}"` | the regex matches the normalised text of one of `fields` |
//! | `numeric` | `numeric = { field = "account_age_days", op = "<", value = 90 }` | the field is present and the comparison holds |
//! | `flag` | `flag = { field = "has_photo", equals = false }` | the boolean field is present and equal |
//! | `photo_flags` | `photo_flags = ["stock", "ai_generated"]` | the profile carries one of these photo flags |
//! | `obfuscation` | `obfuscation = { min = 1 }` | normalisation undid at least `min` hidden or look-alike characters in `fields` |

use serde::Deserialize;

use crate::profile::{PhotoFlag, TextField, COUNT_FIELDS};

/// Text fields no phrase or regex rule may read: they stand for the owner's name or origin.
pub const IDENTITY_PROXIES: [&str; 3] = ["username", "location", "languages"];

/// Largest count a regex repetition may have (`a{1000}`); larger ones are refused at load.
pub const MAX_REGEX_REPETITION: u32 = 1000;

/// Limits on a compiled rule regex (bytes of the compiled program and of the lazy DFA, and
/// nesting depth), so that no rule file can make matching slow or memory-hungry.
pub const REGEX_SIZE_LIMIT: usize = 4 << 20;
pub const REGEX_DFA_SIZE_LIMIT: usize = 2 << 20;
pub const REGEX_NEST_LIMIT: u32 = 32;

/// The first counted repetition (`{n}`, `{n,}`, `{n,m}`) above [`MAX_REGEX_REPETITION`] in a
/// regex, skipping escapes and character classes.
fn oversized_repetition(pattern: &str) -> Option<u64> {
    let b = pattern.as_bytes();
    let mut i = 0;
    let mut class = 0usize;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 1,
            b'[' => class += 1,
            b']' if class > 0 => class -= 1,
            b'{' if class == 0 => {
                let end = b[i..].iter().position(|&c| c == b'}').map(|n| i + n);
                if let Some(end) = end {
                    let inner = &pattern[i + 1..end];
                    let numbers: Vec<&str> = inner.split(',').map(str::trim).collect();
                    if numbers.len() <= 2
                        && numbers
                            .iter()
                            .all(|n| n.bytes().all(|c| c.is_ascii_digit()))
                    {
                        for n in numbers.iter().filter(|n| !n.is_empty()) {
                            let v: u64 = n.parse().unwrap_or(u64::MAX);
                            if v > u64::from(MAX_REGEX_REPETITION) {
                                return Some(v);
                            }
                        }
                    }
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The rule file format version this build reads.
pub const RULES_FORMAT_VERSION: u32 = 1;

/// Numeric quantities a rule can test: the count fields plus a few derived counts, which are
/// present only when the list they count is present.
pub const NUMERIC_FIELDS: [&str; 12] = [
    COUNT_FIELDS[0],
    COUNT_FIELDS[1],
    COUNT_FIELDS[2],
    COUNT_FIELDS[3],
    COUNT_FIELDS[4],
    COUNT_FIELDS[5],
    COUNT_FIELDS[6],
    COUNT_FIELDS[7],
    "experience_count",
    "education_count",
    "skills_count",
    "inbound_messages",
];

#[derive(Debug, thiserror::Error)]
pub enum RulesError {
    #[error("cannot read rule file {path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    #[error("rule file is not valid TOML: {0}")]
    Toml(#[from] toml::de::Error),
    #[error(
        "rule file format_version {0} is not supported (this build reads {RULES_FORMAT_VERSION})"
    )]
    Version(u32),
    #[error("rule {code}: {reason}")]
    Invalid { code: String, reason: String },
    #[error("thresholds: {0}")]
    Thresholds(String),
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleFile {
    pub format_version: u32,
    #[serde(default)]
    pub name: String,
    /// The log-odds of a profile on which no rule fires.
    pub bias: f32,
    pub thresholds: crate::score::Thresholds,
    #[serde(rename = "rule")]
    pub rules: Vec<RuleSpec>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Phrases {
    #[serde(default)]
    pub en: Vec<String>,
    #[serde(default)]
    pub fr: Vec<String>,
    #[serde(default)]
    pub de: Vec<String>,
}

impl Phrases {
    pub fn all(&self) -> impl Iterator<Item = &String> {
        self.en.iter().chain(&self.fr).chain(&self.de)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub enum Op {
    #[serde(rename = "<")]
    Lt,
    #[serde(rename = "<=")]
    Le,
    #[serde(rename = ">")]
    Gt,
    #[serde(rename = ">=")]
    Ge,
    #[serde(rename = "==")]
    Eq,
}

impl Op {
    pub fn holds(self, a: f64, b: f64) -> bool {
        match self {
            Op::Lt => a < b,
            Op::Le => a <= b,
            Op::Gt => a > b,
            Op::Ge => a >= b,
            Op::Eq => a == b,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Op::Lt => "<",
            Op::Le => "<=",
            Op::Gt => ">",
            Op::Ge => ">=",
            Op::Eq => "==",
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NumericSpec {
    pub field: String,
    pub op: Op,
    pub value: f64,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FlagSpec {
    pub field: String,
    pub equals: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ObfuscationSpec {
    pub min: u32,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSpec {
    pub code: String,
    pub description: String,
    pub sources: Vec<String>,
    /// Text fields the rule reads (for text matchers); ignored by the others.
    #[serde(default)]
    pub fields: Vec<String>,
    pub weight: f32,
    #[serde(default)]
    pub phrases: Option<Phrases>,
    #[serde(default)]
    pub regex: Option<String>,
    #[serde(default)]
    pub numeric: Option<NumericSpec>,
    #[serde(default)]
    pub flag: Option<FlagSpec>,
    #[serde(default)]
    pub photo_flags: Option<Vec<PhotoFlag>>,
    #[serde(default)]
    pub obfuscation: Option<ObfuscationSpec>,
}

impl RuleSpec {
    fn invalid(&self, reason: impl Into<String>) -> RulesError {
        RulesError::Invalid {
            code: self.code.clone(),
            reason: reason.into(),
        }
    }

    /// The text fields the rule reads, validated. Identity proxies are refused: a rule must
    /// never be able to score a profile by its owner's name, or by what stands for it or for
    /// their origin (`username`, which carries the name; `location`; `languages`). The one
    /// exception is the `obfuscation` matcher, which never sees the letters, only what
    /// normalisation had to undo, and may read `username` and `location`.
    pub fn text_fields(&self) -> Result<Vec<TextField>, RulesError> {
        self.fields
            .iter()
            .map(|f| {
                if f == "name" {
                    return Err(self.invalid("rules may not read `name` (no ethnic shortcut)"));
                }
                let counts_only = self.obfuscation.is_some() && f != "languages";
                if IDENTITY_PROXIES.contains(&f.as_str()) && !counts_only {
                    return Err(self.invalid(format!(
                        "rules may not read `{f}`: it stands for the owner's name or origin \
                         (identity proxies: name, {})",
                        IDENTITY_PROXIES.join(", ")
                    )));
                }
                TextField::from_name(f).ok_or_else(|| {
                    let known: Vec<&str> = TextField::ALL.iter().map(|t| t.as_str()).collect();
                    self.invalid(format!("unknown field `{f}` (known: {})", known.join(", ")))
                })
            })
            .collect()
    }

    /// Checks everything that can be checked without compiling matchers.
    pub fn validate(&self) -> Result<(), RulesError> {
        if self.code.is_empty()
            || !self
                .code
                .bytes()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == b'_')
        {
            return Err(self.invalid("code must be non-empty snake_case"));
        }
        if !self.weight.is_finite() || self.weight.abs() > 10.0 {
            return Err(self.invalid("weight must be a finite number between -10 and 10"));
        }
        if self.sources.is_empty() {
            return Err(self.invalid("at least one source is required"));
        }
        let matchers = [
            self.phrases.is_some(),
            self.regex.is_some(),
            self.numeric.is_some(),
            self.flag.is_some(),
            self.photo_flags.is_some(),
            self.obfuscation.is_some(),
        ];
        if matchers.iter().filter(|&&m| m).count() != 1 {
            return Err(self.invalid(
                "exactly one matcher is required: phrases, regex, numeric, flag, photo_flags or obfuscation",
            ));
        }
        let fields = self.text_fields()?;
        let reads_text =
            self.phrases.is_some() || self.regex.is_some() || self.obfuscation.is_some();
        if reads_text && fields.is_empty() {
            return Err(self.invalid("a text matcher needs `fields`"));
        }
        if let Some(p) = &self.phrases {
            if p.all().next().is_none() {
                return Err(self.invalid("phrases must list at least one phrase"));
            }
            if let Some(bad) = p.all().find(|s| {
                crate::normalize::normalize(s)
                    .text
                    .trim_end_matches('*')
                    .is_empty()
            }) {
                return Err(self.invalid(format!("phrase {bad:?} is empty after normalisation")));
            }
        }
        if let Some(r) = &self.regex {
            if let Some(n) = oversized_repetition(r) {
                return Err(self.invalid(format!(
                    "regex repetition count {n} is above the limit of {MAX_REGEX_REPETITION}"
                )));
            }
        }
        if let Some(n) = &self.numeric {
            if !NUMERIC_FIELDS.contains(&n.field.as_str()) {
                return Err(self.invalid(format!(
                    "numeric field `{}` is unknown (known: {})",
                    n.field,
                    NUMERIC_FIELDS.join(", ")
                )));
            }
        }
        if let Some(f) = &self.flag {
            if f.field != "has_photo" && f.field != "verified" {
                return Err(self.invalid("flag field must be `has_photo` or `verified`"));
            }
        }
        Ok(())
    }
}

impl RuleFile {
    pub fn parse(text: &str) -> Result<RuleFile, RulesError> {
        let file: RuleFile = toml::from_str(text)?;
        if file.format_version != RULES_FORMAT_VERSION {
            return Err(RulesError::Version(file.format_version));
        }
        let t = file.thresholds;
        if !(0.0..=1.0).contains(&t.review) || !(0.0..=1.0).contains(&t.fake) || t.review > t.fake {
            return Err(RulesError::Thresholds(
                "need 0 <= review <= fake <= 1".into(),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        for r in &file.rules {
            r.validate()?;
            if !seen.insert(r.code.as_str()) {
                return Err(r.invalid("duplicate code"));
            }
        }
        Ok(file)
    }
}
