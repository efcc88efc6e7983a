//! `linkscreen train`: trains a model from a configuration file and writes the artifact.

use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;

use super::Status;

#[derive(Debug, Parser)]
#[command(after_help = "Examples:
  linkscreen train --config training/default.toml --out models/default
  linkscreen train --config training/smoke.toml --out /tmp/smoke-model --device cpu
  linkscreen train --config training/default.toml --out /tmp/loao --loao-engines linear,model")]
pub struct TrainArgs {
    /// Training configuration (TOML), e.g. training/default.toml.
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
    /// Directory to write the model artifact into (created if needed).
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Compute device: auto (a GPU when built with one and present), cpu, or cuda:N.
    #[arg(long, default_value = "auto")]
    pub device: String,
    /// Engines evaluated leave-one-author-out, replacing the config's `loao.engines`
    /// (`model` trains the neural model once more per author file).
    #[arg(long, value_delimiter = ',', value_name = "ENGINES")]
    pub loao_engines: Option<Vec<String>>,
}

pub fn run(args: TrainArgs) -> anyhow::Result<Status> {
    let mut cfg = linkscreen::train::TrainConfig::from_file(&args.config)
        .with_context(|| format!("reading {}", args.config.display()))?;
    if let Some(engines) = args.loao_engines {
        cfg.loao.engines = engines;
        cfg.validate()?;
    }
    let device = linkscreen::train::device(&args.device)?;
    let start = std::time::Instant::now();
    let outcome = linkscreen::train::train_to(&cfg, &device, &args.out)?;
    let c = &outcome.classifier.calibration;
    eprintln!(
        "linkscreen: trained in {:.1} s; wrote {} (temperature {:.3}, review >= {:.3}, fake >= {:.3})",
        start.elapsed().as_secs_f64(),
        args.out.display(),
        c.temperature,
        c.review,
        c.fake
    );
    Ok(Status::Success)
}
