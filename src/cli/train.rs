//! `linkscreen train`: trains a model from a configuration file and writes the artifact.

use std::path::{Path, PathBuf};

use std::cell::RefCell;

use anyhow::Context;
use clap::Parser;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use linkscreen::train::Progress;

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

/// Draws a training run's progress on standard error: each note as a `linkscreen: train:`
/// line, each epoch's optimizer steps as a bar that is cleared when the epoch ends.
#[derive(Default)]
struct Drawn {
    bar: RefCell<Option<ProgressBar>>,
}

impl Progress for Drawn {
    fn note(&self, line: &str) {
        super::output::stderr_line(format_args!("linkscreen: train: {line}"));
    }

    fn epoch(&self, stage: &str, steps: usize) {
        let bar = ProgressBar::with_draw_target(Some(steps as u64), ProgressDrawTarget::stderr());
        if let Ok(style) = ProgressStyle::with_template("{prefix} [{bar:30}] {pos}/{len} batches") {
            bar.set_style(style.progress_chars("=> "));
        }
        bar.set_prefix(stage.to_owned());
        *self.bar.borrow_mut() = Some(bar);
    }

    fn step(&self) {
        if let Some(bar) = self.bar.borrow().as_ref() {
            bar.inc(1);
        }
    }

    fn epoch_done(&self) {
        if let Some(bar) = self.bar.borrow_mut().take() {
            bar.finish_and_clear();
        }
    }
}

/// The sibling directory a run writes its artifact into before it becomes `out`.
fn partial_dir(out: &Path) -> PathBuf {
    let name = out
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "model".into());
    out.with_file_name(format!("{name}.partial-{}", std::process::id()))
}

/// Puts a finished artifact at `out`. A new `out` is one rename. An existing directory keeps
/// its other files: its manifest goes first and comes back last, so that at every moment
/// in between the directory fails the integrity check instead of looking complete.
fn install(partial: &Path, out: &Path) -> std::io::Result<()> {
    if !out.exists() {
        return std::fs::rename(partial, out);
    }
    let manifest = "manifest.json";
    match std::fs::remove_file(out.join(manifest)) {
        Err(e) if e.kind() != std::io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    for entry in std::fs::read_dir(partial)? {
        let name = entry?.file_name();
        if name != manifest {
            std::fs::rename(partial.join(&name), out.join(&name))?;
        }
    }
    std::fs::rename(partial.join(manifest), out.join(manifest))?;
    std::fs::remove_dir(partial)
}

/// Trains, writes the artifact into a sibling `OUT.partial-PID` directory and moves it to
/// `OUT` only once it is complete, so an interrupted or failed run never leaves a
/// complete-looking model. Ctrl-C ends the process at once (status 130): a partial directory
/// may remain, and its name says what it is.
pub fn run(args: TrainArgs) -> anyhow::Result<Status> {
    let mut cfg = linkscreen::train::TrainConfig::from_file(&args.config)
        .with_context(|| format!("reading {}", args.config.display()))?;
    if let Some(engines) = args.loao_engines {
        cfg.loao.engines = engines;
        cfg.validate()?;
    }
    let device = linkscreen::train::device(&args.device)?;
    let partial = partial_dir(&args.out);
    super::set_interrupt_note(format!(
        "no model was written to {} (a partial artifact may remain in {})",
        args.out.display(),
        partial.display()
    ));
    let start = std::time::Instant::now();
    let outcome = linkscreen::train::train(&cfg, &device, &Drawn::default())?;
    if let Some(parent) = partial.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent)
            .with_context(|| format!("creating {}", parent.display()))?;
    }
    outcome
        .artifact
        .save(&partial)
        .with_context(|| format!("writing the artifact into {}", partial.display()))?;
    install(&partial, &args.out).with_context(|| {
        format!(
            "moving the artifact from {} to {}",
            partial.display(),
            args.out.display()
        )
    })?;
    let c = &outcome.artifact.classifier.calibration();
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
