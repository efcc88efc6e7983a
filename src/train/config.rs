//! The training configuration file (`training/default.toml`, `training/smoke.toml`).

use serde::{Deserialize, Serialize};

use super::TrainError;

/// A whole training run: data, architecture, both stages, calibration.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TrainConfig {
    /// Seed of everything random: data generation, splits, initialisation, shuffling, dropout.
    pub seed: u64,
    pub data: DataConfig,
    pub model: ArchConfig,
    pub pretrain: StageConfig,
    pub finetune: StageConfig,
    pub calibration: CalibrationConfig,
    /// The linear engine (hashed n-gram TF-IDF + features + logistic regression); absent: none.
    #[serde(default)]
    pub linear: Option<crate::linear::LinearParams>,
    /// Leave-one-author-out evaluation on the files marked `author = true`.
    #[serde(default)]
    pub loao: LoaoConfig,
    /// Training copies of fakes that an adversary would make (padded careers, typical counts).
    #[serde(default)]
    pub augment: AugmentConfig,
}

/// Leave-one-author-out: for each author file, engines trained without it score it; these
/// out-of-fold scores give the headline figures, the linear engine's calibration and the
/// verdict thresholds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LoaoConfig {
    /// Engines to train once per held-out author: `linear` (seconds) and `model` (the whole
    /// neural training again, once per author).
    #[serde(default)]
    pub engines: Vec<String>,
    /// At most this share of out-of-fold genuine profiles may reach `review`.
    #[serde(default = "default_review_fpr")]
    pub review_fpr: f64,
    /// At most this share of out-of-fold genuine profiles may reach `fake`.
    #[serde(default = "default_fake_fpr")]
    pub fake_fpr: f64,
}

impl Default for LoaoConfig {
    fn default() -> Self {
        LoaoConfig {
            engines: Vec::new(),
            review_fpr: default_review_fpr(),
            fake_fpr: default_fake_fpr(),
        }
    }
}

fn default_review_fpr() -> f64 {
    0.08
}

fn default_fake_fpr() -> f64 {
    0.02
}

/// Which engines train on the copies of fakes without their messages.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NoMessages {
    #[default]
    Off,
    /// The linear engine only; the neural model never sees the copies.
    Linear,
    /// The linear engine and the neural model.
    All,
}

impl NoMessages {
    pub fn is_off(&self) -> bool {
        *self == NoMessages::Off
    }
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AugmentConfig {
    /// Add, for every training fake (synthetic or from a file), a copy with eight older
    /// positions taken from genuine profiles appended to its career.
    #[serde(default)]
    pub padded_career: bool,
    /// Add, for every such fake, a copy with the counts of a random genuine profile.
    #[serde(default)]
    pub typical_counts: bool,
    /// Add, for every such fake that writes a message, a copy without its messages (the
    /// adversary who sends a bare invitation), for the linear engine only or for both learned
    /// engines. Off when not given, and then not written.
    #[serde(default, skip_serializing_if = "NoMessages::is_off")]
    pub no_messages: NoMessages,
    /// Share of the eligible fakes that get copies (drawn with the seed); 0 means all.
    #[serde(default)]
    pub share: f64,
    /// Train on texts without the person's own name: whole words of the name field are taken
    /// out of every other text field, case aside (see `augment::drop_names`).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_own_names: bool,
    /// Also take every given and family name of the generator's pool (capitalised whole
    /// words) out of the synthetic profiles' texts: the names of the people they write to too.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub drop_pool_names: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DataConfig {
    /// Number of synthetic profiles to generate (0 for none).
    #[serde(default)]
    pub synthetic: usize,
    /// Share of fakes among the synthetic profiles.
    #[serde(default = "default_fake_share")]
    pub synthetic_fake_share: f64,
    /// Language mix of the synthetic profiles as (ISO code, weight); empty for the generator's default.
    #[serde(default)]
    pub synthetic_languages: Vec<(String, f64)>,
    /// Folder holding the public data sets, relative to the working directory. When it is
    /// absent, training goes on without them and says so.
    #[serde(default)]
    pub public_dir: Option<String>,
    /// Which public sets to import from `public_dir`.
    #[serde(default)]
    pub public: Vec<String>,
    /// Extra labelled profile files (JSON Lines), each with an optional meta sidecar.
    #[serde(default)]
    pub files: Vec<FileSource>,
    /// Train, validation and test shares (group-aware).
    pub split: [f64; 3],
}

fn default_fake_share() -> f64 {
    0.4
}

/// A labelled profile file: an agency's own reported cases, or one author's hand-written set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    pub path: String,
    /// Meta sidecar (one JSON object per line with the profile's `id`).
    #[serde(default)]
    pub meta: Option<String>,
    /// The source's name in logs and metrics (default: `file:<file stem>`).
    #[serde(default)]
    pub name: Option<String>,
    /// Weight of each record in the losses (1 = a synthetic profile's weight).
    #[serde(default = "one")]
    pub weight: f32,
    /// The meta field that groups related records (default `group`; records without meta or
    /// without the field are their own group).
    #[serde(default)]
    pub group_key: Option<String>,
    /// One author's file: used whole for training (never split) and held out in turn by the
    /// leave-one-author-out evaluation.
    #[serde(default)]
    pub author: bool,
}

fn one() -> f32 {
    1.0
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchConfig {
    pub vocab_size: usize,
    pub buckets: usize,
    pub dim: usize,
    pub hidden: usize,
    pub max_tokens: usize,
    /// Give the model the rule-engine summary (hits and weights of the shipped rule set).
    pub rule_features: bool,
    /// How each section's embeddings are pooled (`mean`, `sum`, `sqrt` or `idf`); the mean when not
    /// given, and then not written, so that older records keep their bytes.
    #[serde(default, skip_serializing_if = "crate::model::net::Pooling::is_mean")]
    pub pooling: crate::model::net::Pooling,
    /// A wide part: each token and bigram id also gets one weight of its own, pooled per
    /// section and added to the logit (a linear n-gram model trained inside the network).
    /// Off when not given, and then not written.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub wide: bool,
    /// Take name-like spans out of messages before reading them, in training and scoring
    /// alike (`crate::names`). Off when not given, and then not written.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub strip_name_spans: bool,
    /// Raw features (names of `crate::features::names`) the neural model never reads: their
    /// inputs are zero in training and their first-layer weights stay zero, so the scored
    /// network gives them no weight whatever their value. Empty when not given, and then not
    /// written.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub ignore_features: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StageConfig {
    /// 0 skips the stage.
    pub epochs: usize,
    pub batch: usize,
    pub lr: f64,
    #[serde(default)]
    pub weight_decay: f64,
    /// Dropout on the hidden layer.
    #[serde(default)]
    pub dropout: f32,
    /// Probability of dropping each token id of a training example.
    #[serde(default)]
    pub token_dropout: f32,
    /// Probability of dropping a whole section of a training example.
    #[serde(default)]
    pub section_dropout: f32,
    /// Early stopping: epochs without a better validation AUC before stopping.
    #[serde(default = "default_patience")]
    pub patience: usize,
    /// Early stopping looks at the validation ROC-AUC of this source (e.g. `synthetic`, the
    /// target domain) or of all records (`all`, the default).
    #[serde(default)]
    pub select_on: Option<String>,
}

fn default_patience() -> usize {
    3
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationConfig {
    /// False-positive rate on validation that sets the `review` threshold.
    pub review_fpr: f64,
    /// False-positive rate on validation that sets the `fake` threshold.
    pub fake_fpr: f64,
}

impl TrainConfig {
    pub fn parse(text: &str) -> Result<TrainConfig, TrainError> {
        let c: TrainConfig =
            toml::from_str(text).map_err(|e| TrainError::Config(e.message().to_owned()))?;
        c.validate()?;
        Ok(c)
    }

    pub fn from_file(path: &std::path::Path) -> Result<TrainConfig, TrainError> {
        let text = std::fs::read_to_string(path).map_err(|e| TrainError::Io {
            path: path.display().to_string(),
            reason: e.to_string(),
        })?;
        TrainConfig::parse(&text)
    }

    /// Checks the values that parsing alone cannot.
    pub fn validate(&self) -> Result<(), TrainError> {
        let bad = |m: &str| Err(TrainError::Config(m.to_owned()));
        let s = self.data.split;
        if s.iter().any(|x| !(0.0..=1.0).contains(x)) || (s.iter().sum::<f64>() - 1.0).abs() > 1e-6
        {
            return bad("data.split must be three shares summing to 1");
        }
        let m = &self.model;
        if m.dim == 0 || m.hidden == 0 || m.max_tokens == 0 || m.buckets == 0 || m.vocab_size < 50 {
            return bad("model sizes must be positive (vocab_size >= 50)");
        }
        if self.finetune.epochs == 0 {
            return bad("finetune.epochs must be at least 1");
        }
        let names = crate::features::names(m.rule_features);
        if let Some(f) = m.ignore_features.iter().find(|f| !names.contains(f)) {
            return Err(TrainError::Config(format!(
                "model.ignore_features: unknown feature `{f}` (see features.json for the names)"
            )));
        }
        for st in [&self.pretrain, &self.finetune] {
            if st.batch == 0 || st.lr <= 0.0 {
                return bad("stage batch and lr must be positive");
            }
            if [st.dropout, st.token_dropout, st.section_dropout]
                .iter()
                .any(|p| !(0.0..0.95).contains(p))
            {
                return bad("dropout rates must be in [0, 0.95)");
            }
        }
        if self
            .data
            .files
            .iter()
            .any(|f| !(f.weight > 0.0 && f.weight.is_finite()))
        {
            return bad("data.files weights must be positive");
        }
        if let Some(l) = &self.linear {
            l.validate()
                .map_err(|e| TrainError::Config(e.to_string()))?;
        }
        if let Some(e) = self
            .loao
            .engines
            .iter()
            .find(|e| !["linear", "model"].contains(&e.as_str()))
        {
            return Err(TrainError::Config(format!(
                "loao.engines: unknown engine `{e}` (linear|model)"
            )));
        }
        if self.loao.engines.iter().any(|e| e == "linear") && self.linear.is_none() {
            return bad("loao.engines has `linear` but there is no [linear] section");
        }
        // Both pairs of rates obey the calibration's own check.
        for (name, review_fpr, fake_fpr) in [
            ("loao", self.loao.review_fpr, self.loao.fake_fpr),
            (
                "calibration",
                self.calibration.review_fpr,
                self.calibration.fake_fpr,
            ),
        ] {
            let rates = crate::model::CalibrationParams {
                review_fpr,
                fake_fpr,
            };
            if let Err(e) = rates.check() {
                return Err(TrainError::Config(format!("{name}: {e}")));
            }
        }
        Ok(())
    }
}
