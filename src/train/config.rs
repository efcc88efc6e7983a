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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileSource {
    pub path: String,
    #[serde(default)]
    pub meta: Option<String>,
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

    fn validate(&self) -> Result<(), TrainError> {
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
        let c = &self.calibration;
        if !(0.0..1.0).contains(&c.review_fpr)
            || !(0.0..1.0).contains(&c.fake_fpr)
            || c.fake_fpr > c.review_fpr
        {
            return bad("calibration FPRs must be in [0, 1) with fake_fpr <= review_fpr");
        }
        Ok(())
    }
}
