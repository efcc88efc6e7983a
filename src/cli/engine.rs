//! The engine set-up shared by `score`, `explain` and `eval`: the `--rules` and `--model`
//! options (one flattened [`EngineArgs`]), validated once into [`EngineSettings`], which load
//! the rule set, the model and the linear engine and build any engine as a [`Scorer`].

use std::path::PathBuf;

use anyhow::Context;
use clap::ValueEnum;
use linkscreen::artifact::Artifact;
use linkscreen::ensemble::Ensemble;
use linkscreen::hybrid::{Hybrid, HybridParams};
use linkscreen::linear::{LinearError, LinearModel};
use linkscreen::model::Classifier;
use linkscreen::rules::RuleSet;
use linkscreen::score::Scorer;

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EngineChoice {
    /// Word n-gram TF-IDF, rule indicators and numeric features in one logistic regression,
    /// calibrated on other authors' profiles (exact reasons).
    Linear,
    /// The neural model (embedding bag and MLP) shipped in the binary (or loaded with --model).
    Model,
    /// The transparent rule engine.
    Rules,
    /// The neural model and the rules combined.
    Hybrid,
    /// The default: the linear engine and the neural model averaged in log-odds, calibrated on
    /// other authors' profiles.
    Ensemble,
}

impl EngineChoice {
    /// The engine's name as given on the command line.
    pub fn name(self) -> String {
        self.to_possible_value()
            .map_or("model".into(), |v| v.get_name().to_owned())
    }

    /// Whether the engine reads a rule file (`--rules`); the others read the rules built into
    /// the model, if any.
    pub fn reads_rules(self) -> bool {
        matches!(self, EngineChoice::Rules | EngineChoice::Hybrid)
    }
}

/// Where the engines come from: flattened into the arguments of every command that scores.
#[derive(Debug, Clone, clap::Args)]
pub struct EngineArgs {
    /// Rule file to use instead of the shipped one.
    #[arg(long, value_name = "FILE")]
    pub rules: Option<PathBuf>,
    /// Model directory to use instead of the default model embedded in the binary.
    #[arg(long, value_name = "DIR")]
    pub model: Option<PathBuf>,
}

impl EngineArgs {
    pub fn settings(&self) -> EngineSettings {
        EngineSettings {
            rules: self.rules.clone(),
            model: self.model.clone(),
        }
    }
}

/// The validated engine set-up: the rule file and model directory, `None` for those shipped in
/// the binary.
#[derive(Debug, Clone, Default)]
pub struct EngineSettings {
    pub rules: Option<PathBuf>,
    pub model: Option<PathBuf>,
}

impl EngineSettings {
    /// The rule set named on the command line, or the shipped one.
    pub fn rules(&self) -> anyhow::Result<RuleSet> {
        load_rules(self.rules.as_ref())
    }

    /// The model artifact: the embedded default, or a verified artifact directory.
    pub fn artifact(&self) -> anyhow::Result<Artifact> {
        match &self.model {
            Some(d) => Artifact::load(d).with_context(|| format!("loading model {}", d.display())),
            None => Artifact::embedded().context("loading the embedded default model"),
        }
    }

    /// The model engine of the artifact.
    pub fn model(&self) -> anyhow::Result<Classifier> {
        Ok(self.artifact()?.classifier)
    }

    /// The linear engine stored in the model artifact.
    pub fn linear(&self) -> anyhow::Result<LinearModel> {
        Ok(self.artifact()?.linear.ok_or(LinearError::Absent)?)
    }

    /// The engine chosen, with the hybrid's stored coefficients.
    pub fn build(&self, choice: EngineChoice) -> anyhow::Result<Box<dyn Scorer>> {
        Ok(match choice {
            EngineChoice::Rules => Box::new(self.rules()?),
            EngineChoice::Model => Box::new(self.model()?),
            EngineChoice::Linear => Box::new(self.linear()?),
            EngineChoice::Hybrid => self.hybrid(|_, _| Ok(None))?.0,
            EngineChoice::Ensemble => Box::new(self.ensemble()?),
        })
    }

    /// The ensemble stored in the model artifact, over the artifact's linear engine and model.
    pub fn ensemble(&self) -> anyhow::Result<Ensemble> {
        let a = self.artifact()?;
        let params = a.ensemble.context(
            "the model has no ensemble (no ensemble.json in its manifest); use --engine linear",
        )?;
        let linear = a.linear.ok_or(LinearError::Absent)?;
        Ok(Ensemble::new(
            vec![Box::new(linear), Box::new(a.classifier)],
            params,
        )?)
    }

    /// The hybrid engine and its coefficients, by the precedence of `HybridParams::choose`:
    /// those `explicit` returns once the model and the rules are loaded (given or fitted by
    /// the caller), else those stored in the artifact (fitted on its validation split by
    /// `linkscreen train`), else the defaults.
    pub fn hybrid(
        &self,
        explicit: impl FnOnce(&Classifier, &RuleSet) -> anyhow::Result<Option<HybridParams>>,
    ) -> anyhow::Result<(Box<dyn Scorer>, HybridParams)> {
        let (artifact, rules) = (self.artifact()?, self.rules()?);
        let explicit = explicit(&artifact.classifier, &rules)?;
        let params = HybridParams::choose(explicit, artifact.hybrid, self.model.as_deref())?;
        let engine = Hybrid::new(Box::new(artifact.classifier), rules, params.clone());
        Ok((Box::new(engine), params))
    }
}

/// Loads the rule set at `path`, or the shipped one.
pub fn load_rules(path: Option<&PathBuf>) -> anyhow::Result<RuleSet> {
    match path {
        Some(p) => {
            RuleSet::from_file(p).with_context(|| format!("loading rules from {}", p.display()))
        }
        None => Ok(RuleSet::default_rules()),
    }
}
