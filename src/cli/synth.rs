//! `linkscreen synth`: writes labelled synthetic profiles (and optionally their meta
//! sidecar), streaming one record at a time, byte-identical for identical arguments.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use clap::Parser;
use linkscreen::synth::{self, SynthConfig, LANGUAGES};

use super::Status;

const EXAMPLES: &str = "\
Examples:
  linkscreen synth --n 1000 --seed 1 --out synth.jsonl --meta synth.meta.jsonl
  linkscreen synth --n 200000 --seed 7 --fake-share 0.3 --out train.jsonl
  linkscreen synth --n 5000 --languages en=0.5,fr=0.25,de=0.25 --out multilingual.jsonl
  linkscreen synth --n 10 --out -        (profiles to standard output)

The same arguments always produce the same bytes. See datasets/synthetic/README.md.";

#[derive(Debug, Parser)]
#[command(after_help = EXAMPLES)]
pub struct SynthArgs {
    /// Number of profiles to generate.
    #[arg(long, value_name = "N", default_value_t = 1000)]
    pub n: usize,
    /// Random seed: profile i depends only on (seed, i).
    #[arg(long, value_name = "S", default_value_t = 0)]
    pub seed: u64,
    /// Output file for the profiles (profile format v1, JSON Lines); `-` for standard output.
    #[arg(long, value_name = "FILE")]
    pub out: PathBuf,
    /// Also write the meta sidecar (id, family, group, difficulty, language) to FILE.
    #[arg(long, value_name = "FILE")]
    pub meta: Option<PathBuf>,
    /// Share of fake profiles, between 0 and 1.
    #[arg(long, value_name = "F", default_value_t = 0.5, value_parser = parse_share)]
    pub fake_share: f64,
    /// Profile languages with weights, e.g. en=0.8,fr=0.1,de=0.1 (languages: en, fr, de).
    #[arg(long, value_name = "LANG=W,...", value_parser = parse_languages)]
    pub languages: Option<Languages>,
}

/// Parsed `--languages` weights.
#[derive(Debug, Clone)]
pub struct Languages(pub Vec<(String, f64)>);

fn parse_share(s: &str) -> Result<f64, String> {
    let v: f64 = s
        .parse()
        .map_err(|_| format!("expected a number between 0 and 1, got {s:?}"))?;
    if (0.0..=1.0).contains(&v) {
        Ok(v)
    } else {
        Err(format!("expected a number between 0 and 1, got {v}"))
    }
}

fn parse_languages(s: &str) -> Result<Languages, String> {
    let mut out: Vec<(String, f64)> = Vec::new();
    for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
        let (lang, weight) = part
            .split_once('=')
            .ok_or_else(|| format!("expected LANG=WEIGHT, got {part:?}"))?;
        let lang = lang.trim();
        if !LANGUAGES.contains(&lang) {
            return Err(format!(
                "unknown language {lang:?} (supported: {})",
                LANGUAGES.join(", ")
            ));
        }
        let weight: f64 = weight
            .trim()
            .parse()
            .map_err(|_| format!("weight of {lang} is not a number"))?;
        if !weight.is_finite() || weight < 0.0 {
            return Err(format!("weight of {lang} must be a non-negative number"));
        }
        if out.iter().any(|(l, _)| l == lang) {
            return Err(format!("language {lang} given twice"));
        }
        out.push((lang.to_owned(), weight));
    }
    if out.iter().map(|(_, w)| w).sum::<f64>() <= 0.0 {
        return Err("at least one language needs a positive weight".to_owned());
    }
    Ok(Languages(out))
}

/// Validated settings of a run.
struct Settings {
    config: SynthConfig,
    out: PathBuf,
    meta: Option<PathBuf>,
}

impl Settings {
    fn from_args(args: SynthArgs) -> Settings {
        let mut config = SynthConfig {
            n: args.n,
            seed: args.seed,
            fake_share: args.fake_share,
            ..SynthConfig::default()
        };
        if let Some(Languages(l)) = args.languages {
            config.languages = l;
        }
        Settings {
            config,
            out: args.out,
            meta: args.meta,
        }
    }
}

fn create(path: &PathBuf) -> anyhow::Result<Box<dyn Write>> {
    if path.as_os_str() == "-" {
        return Ok(Box::new(BufWriter::with_capacity(
            1 << 16,
            super::output::stdout(),
        )));
    }
    let file = File::create(path).with_context(|| format!("cannot create {}", path.display()))?;
    Ok(Box::new(BufWriter::with_capacity(1 << 20, file)))
}

pub fn run(args: SynthArgs) -> anyhow::Result<Status> {
    let settings = Settings::from_args(args);
    let mut profiles = create(&settings.out)?;
    let mut meta = settings.meta.as_ref().map(create).transpose()?;
    let written = synth::write_jsonl(
        &settings.config,
        profiles.as_mut(),
        meta.as_mut().map(|m| m.as_mut() as &mut dyn Write),
        &super::interrupted,
    )
    .and_then(|n| {
        profiles.flush()?;
        if let Some(m) = meta.as_mut() {
            m.flush()?;
        }
        Ok(n)
    });
    let written = super::output::unless_closed(written)
        .with_context(|| format!("writing {}", settings.out.display()))?;
    // `synth --out - | head`: the reader has what it wanted.
    let Some(written) = written else {
        return Ok(Status::Success);
    };
    if written < settings.config.n {
        eprintln!(
            "linkscreen: interrupted: output is INCOMPLETE: wrote {written} of {} profiles",
            settings.config.n
        );
        return Ok(Status::Interrupted);
    }
    eprintln!(
        "linkscreen synth: wrote {written} profiles (seed {}, fake share {})",
        settings.config.seed, settings.config.fake_share
    );
    Ok(Status::Success)
}
