//! Training data: synthetic profiles, public data sets and extra labelled files, each record
//! with its source, family and group, then a group-aware train/validation/test split.

use std::path::Path;

use crate::meta::Meta;
use crate::profile::{self, Entry, Label, Profile};

use super::config::DataConfig;
use super::TrainError;

/// Which split a record belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Part {
    Train,
    Val,
    Test,
}

impl Part {
    pub const ALL: [Part; 3] = [Part::Train, Part::Val, Part::Test];

    pub fn as_str(self) -> &'static str {
        match self {
            Part::Train => "train",
            Part::Val => "val",
            Part::Test => "test",
        }
    }
}

/// One labelled record.
#[derive(Debug, Clone)]
pub struct Sample {
    pub profile: Profile,
    pub fake: bool,
    /// `synthetic`, a public set's name, or `file:<name>`.
    pub source: String,
    pub family: String,
    pub group: String,
    pub language: Option<String>,
    pub part: Part,
}

fn note(msg: &str) {
    eprintln!("linkscreen: train: {msg}");
}

fn from_pairs(records: Vec<(Profile, Meta)>, source: &str, out: &mut Vec<Sample>) {
    for (profile, meta) in records {
        let Some(label) = profile.label else { continue };
        out.push(Sample {
            fake: label == Label::Fake,
            source: source.to_owned(),
            family: meta.family,
            group: format!("{source}/{}", meta.group),
            language: meta.language,
            profile,
            part: Part::Train,
        });
    }
}

fn load_file(path: &Path, meta: Option<&Path>, out: &mut Vec<Sample>) -> Result<(), TrainError> {
    let io = |e: String| TrainError::Io {
        path: path.display().to_string(),
        reason: e,
    };
    let loaded = profile::open(path).map_err(|e| io(e.to_string()))?;
    let metas = match meta {
        Some(m) => crate::meta::load(m).map_err(|e| TrainError::Data(e.to_string()))?,
        None => Vec::new(),
    };
    let by_id: std::collections::HashMap<&str, &Meta> =
        metas.iter().map(|m| (m.id.as_str(), m)).collect();
    let name = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = format!("file:{name}");
    let mut records = Vec::new();
    let mut unlabelled = 0usize;
    for entry in loaded {
        if let Entry::Profile { profile, .. } = entry.map_err(|e| io(e.to_string()))? {
            if profile.label.is_none() {
                unlabelled += 1;
                continue;
            }
            let meta = by_id
                .get(profile.id.as_str())
                .map(|m| (*m).clone())
                .unwrap_or(Meta {
                    id: profile.id.clone(),
                    family: name.clone(),
                    group: profile.id.clone(),
                    difficulty: None,
                    language: None,
                });
            records.push((profile, meta));
        }
    }
    if unlabelled > 0 {
        note(&format!(
            "{}: skipped {unlabelled} unlabelled profiles",
            path.display()
        ));
    }
    from_pairs(records, &source, out);
    Ok(())
}

/// Loads every configured source (without splitting).
pub fn load(cfg: &DataConfig, seed: u64) -> Result<Vec<Sample>, TrainError> {
    let mut out = Vec::new();
    if cfg.synthetic > 0 {
        from_pairs(super::sources::synthetic(cfg, seed), "synthetic", &mut out);
    }
    if let Some(dir) = &cfg.public_dir {
        let dir = Path::new(dir);
        if dir.is_dir() {
            for name in &cfg.public {
                let records = super::sources::public(name, dir)?;
                from_pairs(records, name, &mut out);
            }
        } else if !cfg.public.is_empty() {
            note(&format!(
                "public data folder {} not found: training on the other sources only",
                dir.display()
            ));
        }
    }
    for f in &cfg.files {
        load_file(
            Path::new(&f.path),
            f.meta.as_deref().map(Path::new),
            &mut out,
        )?;
    }
    if out.is_empty() {
        return Err(TrainError::Data("no labelled training data".into()));
    }
    Ok(out)
}
