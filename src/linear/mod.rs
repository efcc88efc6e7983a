//! The linear engine: hashed word n-gram TF-IDF of each section plus the numeric features,
//! weighed by one logistic regression. It is the strong, transparent baseline every other
//! engine is measured against, and its contributions are exact: a profile's logit is the bias
//! plus one term per section and per feature group, and each section's term is the sum of the
//! terms of its words and word pairs.
//!
//! Counts an adversary can raise (connections, jobs, text length, career span) carry weights
//! that can only add suspicion, and their "not given" indicators can only remove it, so adding
//! or inflating them never lowers a score; see [`feature_sign`].

mod artifact;
pub mod fit;
pub mod hashing;
mod reasons;

use serde::{Deserialize, Serialize};

use crate::model::text::Reading;
use crate::model::SECTIONS;
use crate::profile::Profile;
use crate::rules::RuleSet;
use crate::score::{Assessment, EngineKind, Memo, ScoreError, Scorer, Thresholds};

pub use crate::platt::Platt;
pub use fit::{fit, LinearParams};
pub use hashing::HashingConfig;

/// The engine's parameters and settings in a model artifact.
pub const LINEAR_JSON: &str = "linear.json";
/// The engine's text weights and inverse document frequencies in a model artifact.
pub const LINEAR_WEIGHTS: &str = "linear.safetensors";
/// Version of `linear.json`; another version is refused.
pub const LINEAR_FORMAT_VERSION: u32 = 1;

/// Errors building or loading the linear engine.
#[derive(Debug, thiserror::Error)]
pub enum LinearError {
    #[error("model file {file}: {reason}")]
    File { file: String, reason: String },
    #[error("the model artifact has no linear engine ({LINEAR_JSON} is not in its manifest)")]
    Absent,
    #[error("training data: {0}")]
    Data(String),
}

/// How the model may use a numeric feature.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// Any weight.
    Free,
    /// A weight >= 0: more of it may only add suspicion.
    Raises,
    /// A weight <= 0: more of it may only remove suspicion.
    Lowers,
}

/// Whether and how the linear engine reads a feature of [`crate::features::names`]: `None`
/// leaves it out. Counts and lengths an adversary sets freely (connections, followers, posts,
/// jobs, text length, career statistics) may only raise the score, and their missing indicators
/// may only lower it, so stating or inflating them never clears a profile. Account age and
/// mutual connections, which the platform sets, may only lower it: a younger account or fewer
/// shared contacts never reads as more genuine. Ratios of two adversary-set counts have no
/// known direction and are left out, and so is the rule summary (see the body).
pub fn feature_sign(name: &str) -> Option<Sign> {
    const RAISES: [&str; 14] = [
        "log_connections",
        "log_followers",
        "log_following",
        "log_posts",
        "log_endorsements",
        "log_recommendations",
        "log_experience_count",
        "log_education_count",
        "log_skills_count",
        "log_inbound_messages",
        "log_outbound_messages",
        "log_chars_headline",
        "log_chars_about",
        "log_chars_messages",
    ];
    if name.starts_with("rule:") {
        return Some(Sign::Free);
    }
    // The rule summary counts rules on counts too (`few_connections`): inflating a count
    // would lower it, so the linear engine reads the rules' indicators instead.
    if name.starts_with("rule_") {
        return None;
    }
    if name.starts_with("ratio_") || name.starts_with("missing_ratio_") {
        return None;
    }
    if name == "log_account_age_days" || name == "log_mutual_connections" {
        return Some(Sign::Lowers);
    }
    if RAISES.contains(&name) || crate::features::TENURE_FEATURES.contains(&name) {
        return Some(Sign::Raises);
    }
    if let Some(base) = name.strip_prefix("missing_") {
        let raised = RAISES.contains(&format!("log_{base}").as_str()) || base == "tenure";
        return Some(if raised { Sign::Lowers } else { Sign::Free });
    }
    Some(Sign::Free)
}

/// Count fields an adversary sets freely (see [`feature_sign`]).
const ADVERSARY_COUNTS: [&str; 9] = [
    "connections",
    "followers",
    "following",
    "posts",
    "endorsements",
    "recommendations",
    "experience_count",
    "education_count",
    "skills_count",
];

/// Whether the engine has an indicator for a rule: every rule but the obfuscation rule (hidden
/// characters must not move this engine) and the rules on counts an adversary sets
/// (`few_connections`: inflating the count would switch it off and lower the score, which the
/// sign constraints forbid).
fn reads_rule(spec: &crate::rules::RuleSpec) -> bool {
    let on_adversary_count = spec
        .numeric
        .as_ref()
        .is_some_and(|n| ADVERSARY_COUNTS.contains(&n.field.as_str()));
    spec.obfuscation.is_none() && !on_adversary_count
}

/// The names of the values in [`RawDoc::features`]: the model's features, then one indicator
/// `rule:<code>` per rule the engine reads (see [`reads_rule`]), in rule-file order.
pub fn feature_names(rules: Option<&RuleSet>) -> Vec<String> {
    let mut names = crate::features::names(rules.is_some());
    if let Some(r) = rules {
        names.extend(
            r.specs()
                .filter(|spec| reads_rule(spec))
                .map(|spec| format!("rule:{}", spec.code)),
        );
    }
    names
}

/// `linear.json`: everything but the text weights.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LinearSpec {
    pub format_version: u32,
    pub hashing: HashingConfig,
    /// Whether the shipped rules' summary is among the features.
    pub rule_features: bool,
    /// The features read, by name, with their scale (value / scale), sign and weight.
    pub features: Vec<String>,
    pub scale: Vec<f32>,
    pub signs: Vec<Sign>,
    pub feature_weights: Vec<f32>,
    /// Steps of the numeric features (none unless `levels` was set when fitting).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub levels: Vec<Level>,
    pub bias: f32,
    /// Turns the logit into the stated probability (fitted out of fold, see training).
    pub calibration: Platt,
    pub thresholds: Thresholds,
}

/// A step of a numeric feature: `weight` joins the term of feature `feature` (an index into
/// [`LinearSpec::features`]) when its value is at least `at`. A step's weight has its feature's
/// sign constraint, and a step never falls as the value rises, so the feature's whole term
/// (linear part plus steps) keeps the feature's direction: inflating a count still cannot
/// lower a score.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Level {
    pub feature: usize,
    pub at: f32,
    pub weight: f32,
}

/// One profile's term counts per section: sorted `(slot, count)` pairs.
#[derive(Debug, Clone, PartialEq)]
pub struct RawDoc {
    pub sections: Vec<Vec<(u32, f32)>>,
    /// The values named by [`feature_names`].
    pub features: Vec<f32>,
}

/// Term counts of one section's text.
fn term_counts(h: &HashingConfig, section: usize, text: &str) -> Vec<(u32, f32)> {
    // About one word per five bytes, each hashed twice and paired twice: reserving that much
    // spares the vector most of its regrowing.
    let mut slots = Vec::with_capacity(text.len().min(h.max_words * 8));
    h.grams(section, text, |s, _, _| slots.push(s));
    slots.sort_unstable();
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(slots.len());
    for s in slots {
        match out.last_mut() {
            Some((last, c)) if *last == s => *c += 1.0,
            _ => out.push((s, 1.0)),
        }
    }
    out
}

/// The inputs of a profile for the linear engine, with its normalised section texts.
pub fn raw_doc(h: &HashingConfig, rules: Option<&RuleSet>, p: &Profile) -> (RawDoc, Vec<String>) {
    let r = Reading::new(p, rules, h.strip_name_spans);
    (raw_doc_of(h, rules, &r), r.texts)
}

/// The inputs of a profile for the linear engine, from its reading with `rules`.
pub fn raw_doc_of(h: &HashingConfig, rules: Option<&RuleSet>, r: &Reading) -> RawDoc {
    let mut features = r.features.clone();
    if let Some(rules) = rules {
        let fired = r.fired(rules);
        features.extend(
            (0..rules.len())
                .filter(|&i| reads_rule(rules.spec(i)))
                .map(|i| f32::from(u8::from(fired.contains(&i)))),
        );
    }
    let sections = r
        .texts
        .iter()
        .enumerate()
        .map(|(i, t)| term_counts(h, i, t))
        .collect();
    RawDoc { sections, features }
}

/// Sublinear TF-IDF of each section, L2-normalised per section, so text added to one section
/// (a padded career) cannot dilute the words of another (the message).
pub fn tfidf(sections: &[Vec<(u32, f32)>], idf: &[f32]) -> Vec<Vec<(u32, f32)>> {
    tfidf_with(sections, |s| idf[s as usize], |_| {})
}

/// As [`tfidf`], with each slot's idf from `idf`; `ahead(s)` is called a few slots before
/// slot `s` is read (to ask for its memory early, [`crate::cache`]).
fn tfidf_with(
    sections: &[Vec<(u32, f32)>],
    idf: impl Fn(u32) -> f32,
    ahead: impl Fn(u32),
) -> Vec<Vec<(u32, f32)>> {
    const AHEAD: usize = 8;
    sections
        .iter()
        .map(|sec| {
            let mut v: Vec<(u32, f32)> = sec
                .iter()
                .enumerate()
                .map(|(k, &(s, c))| {
                    if let Some(&(next, _)) = sec.get(k + AHEAD) {
                        ahead(next);
                    }
                    (s, (1.0 + c.ln()) * idf(s))
                })
                .collect();
            let norm = v.iter().map(|(_, x)| x * x).sum::<f32>().sqrt();
            if norm > 0.0 {
                v.iter_mut().for_each(|(_, x)| *x /= norm);
            }
            v
        })
        .collect()
}

/// One hash slot's parameters.
#[derive(Debug, Clone, Copy)]
struct Slot {
    weight: f32,
    idf: f32,
}

/// The linear engine.
#[derive(Debug)]
pub struct LinearModel {
    spec: LinearSpec,
    /// Each slot's weight and idf side by side: scoring reads both for every slot of a
    /// profile, scattered over megabytes, and one cache line then brings both.
    slots: Vec<Slot>,
    /// Positions of `spec.features` in the full feature vector.
    feature_index: Vec<usize>,
    /// Per feature of `spec.features`: its steps as `(at, weight)`.
    levels: Vec<Vec<(f32, f32)>>,
    /// The reason codes of the feature terms, and per feature of `spec.features` the index of
    /// its code (see [`reasons`]).
    reason_codes: Vec<(&'static str, String)>,
    reason_of_feature: Vec<usize>,
    rules: Option<RuleSet>,
}

/// A scored profile with its exact decomposition.
#[derive(Debug, Clone, PartialEq)]
pub struct Terms {
    pub logit: f32,
    /// Per section: the sum of its terms.
    pub sections: Vec<f32>,
    /// Per selected feature: weight times scaled value.
    pub features: Vec<f32>,
    /// The TF-IDF vector of each section (what the section terms sum over).
    pub vectors: Vec<Vec<(u32, f32)>>,
}

impl LinearModel {
    /// Assembles an engine, checking that its parts fit together.
    pub fn new(spec: LinearSpec, idf: Vec<f32>, weights: Vec<f32>) -> Result<Self, LinearError> {
        let bad = |file: &str, reason: String| LinearError::File {
            file: file.to_owned(),
            reason,
        };
        if spec.format_version != LINEAR_FORMAT_VERSION {
            return Err(bad(
                LINEAR_JSON,
                format!(
                    "format_version {} is not supported (expected {LINEAR_FORMAT_VERSION})",
                    spec.format_version
                ),
            ));
        }
        let rules = spec.rule_features.then(RuleSet::default_rules);
        let names = feature_names(rules.as_ref());
        let feature_index = spec
            .features
            .iter()
            .map(|f| names.iter().position(|n| n == f))
            .collect::<Option<Vec<usize>>>()
            .ok_or_else(|| bad(LINEAR_JSON, "a feature this build does not compute".into()))?;
        let n = spec.features.len();
        if spec.scale.len() != n || spec.signs.len() != n || spec.feature_weights.len() != n {
            return Err(bad(LINEAR_JSON, "feature lists differ in length".into()));
        }
        let mut levels = vec![Vec::new(); n];
        for l in &spec.levels {
            let ok = l.at.is_finite() && l.weight.is_finite();
            match levels.get_mut(l.feature) {
                Some(v) if ok => v.push((l.at, l.weight)),
                _ => return Err(bad(LINEAR_JSON, format!("bad level {l:?}"))),
            }
        }
        let b = spec.hashing.buckets;
        if b == 0 || idf.len() != b || weights.len() != b {
            return Err(bad(
                LINEAR_WEIGHTS,
                format!("expected {b} idf values and weights"),
            ));
        }
        let (reason_codes, reason_of_feature) = reasons::feature_codes(&spec.features);
        let slots = weights
            .iter()
            .zip(&idf)
            .map(|(&weight, &idf)| Slot { weight, idf })
            .collect();
        Ok(LinearModel {
            spec,
            slots,
            feature_index,
            levels,
            reason_codes,
            reason_of_feature,
            rules,
        })
    }

    pub fn spec(&self) -> &LinearSpec {
        &self.spec
    }

    /// The same engine with another calibration and thresholds.
    pub fn with_calibration(mut self, calibration: Platt, thresholds: Thresholds) -> Self {
        self.spec.calibration = calibration;
        self.spec.thresholds = thresholds;
        self
    }

    /// The inputs of a profile, as this engine reads them.
    pub fn raw_doc(&self, p: &Profile) -> (RawDoc, Vec<String>) {
        raw_doc(&self.spec.hashing, self.rules.as_ref(), p)
    }

    /// The exact decomposition of a document's logit.
    pub fn terms(&self, d: &RawDoc) -> Terms {
        let vectors = tfidf_with(
            &d.sections,
            |s| self.slots[s as usize].idf,
            |s| crate::cache::prefetch(&self.slots, s as usize),
        );
        let sections: Vec<f32> = vectors
            .iter()
            .map(|sec| sec.iter().map(|&(s, x)| self.weight(s) * x).sum())
            .collect();
        let features: Vec<f32> = (0..self.spec.features.len())
            .map(|j| {
                let v = d.features[self.feature_index[j]];
                let term = self.spec.feature_weights[j] * (v / self.spec.scale[j]);
                self.levels[j]
                    .iter()
                    .filter(|(at, _)| v >= *at)
                    .fold(term, |t, (_, w)| t + w)
            })
            .collect();
        let logit = self.spec.bias + sections.iter().sum::<f32>() + features.iter().sum::<f32>();
        Terms {
            logit,
            sections,
            features,
            vectors,
        }
    }

    /// Each profile's calibrated score and [`crate::model::TOP_REASONS`] strongest reasons,
    /// with their evidence or without.
    fn assess(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
        evidence: bool,
    ) -> Result<Vec<Assessment>, ScoreError> {
        let strip = self.spec.hashing.strip_name_spans;
        Reading::map_shared(profiles, memos, self.rules.as_ref(), strip, |p, r| {
            let doc = raw_doc_of(&self.spec.hashing, self.rules.as_ref(), r);
            let t = self.terms(&doc);
            Assessment {
                score: self.calibrate(t.logit),
                reasons: reasons::top(self, p, r, &doc, &t, crate::model::TOP_REASONS, evidence),
            }
        })
    }

    /// The uncalibrated logit of a profile.
    pub fn logit(&self, p: &Profile) -> f32 {
        self.terms(&self.raw_doc(p).0).logit
    }

    /// The stated probability for a logit.
    pub fn calibrate(&self, logit: f32) -> f32 {
        self.spec.calibration.apply(logit)
    }

    /// The weight of hash slot `s`.
    fn weight(&self, s: u32) -> f32 {
        self.slots[s as usize].weight
    }
}

impl Scorer for LinearModel {
    fn kind(&self) -> EngineKind {
        EngineKind::Linear
    }

    fn thresholds(&self) -> Thresholds {
        self.spec.thresholds
    }

    fn reason_scale(&self) -> f32 {
        self.spec.calibration.a
    }

    fn score_shared(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        self.assess(profiles, memos, true)
    }

    fn score_shared_without_evidence(
        &self,
        profiles: &[Profile],
        memos: &[Memo],
    ) -> Result<Vec<Assessment>, ScoreError> {
        self.assess(profiles, memos, false)
    }
}

/// Section names in the order of [`RawDoc::sections`].
pub fn section_name(i: usize) -> &'static str {
    SECTIONS[i]
}

#[cfg(test)]
mod tests;
