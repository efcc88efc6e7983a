//! Training data: synthetic profiles, public data sets and extra labelled files, each record
//! with its source, family and group, then a group-aware train/validation/test split.

use std::collections::BTreeMap;
use std::path::Path;

use crate::datasets::{self, Split};
use crate::meta::Meta;
use crate::profile::{self, Entry, Label, Profile};

use super::config::{DataConfig, FileSource, TrainConfig};
use super::{Progress, TrainError};

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
    /// Weight in the losses (before class balancing).
    pub weight: f32,
    /// The author file a record comes from (`author = true` in the config), held out in turn
    /// by the leave-one-author-out evaluation.
    pub author: Option<String>,
    /// The invitation-only shape of a hand-written record (`shape` in its meta), when given.
    pub invitation: bool,
    /// A training copy made by [`super::augment`]: trained on, never evaluated.
    pub augmented: bool,
    /// A training copy for the linear engine only (the neural model skips it).
    pub linear_only: bool,
    /// A record trained on through a copy without the person's own name
    /// ([`super::augment::drop_names`]): evaluated as written, never trained on itself.
    pub evaluated_only: bool,
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
            weight: 1.0,
            author: None,
            invitation: false,
            augmented: false,
            linear_only: false,
            evaluated_only: false,
        });
    }
}

/// A text field of a meta object, if present.
fn meta_str(m: &serde_json::Map<String, serde_json::Value>, key: &str) -> Option<String> {
    match m.get(key)? {
        serde_json::Value::String(s) => Some(s.clone()),
        serde_json::Value::Null => None,
        other => Some(other.to_string()),
    }
}

fn load_file(
    f: &FileSource,
    out: &mut Vec<Sample>,
    progress: &dyn Progress,
) -> Result<(), TrainError> {
    let path = Path::new(&f.path);
    let io = |e: String| TrainError::Io {
        path: path.display().to_string(),
        reason: e,
    };
    let loaded = profile::open(path).map_err(|e| io(e.to_string()))?;
    let metas = match &f.meta {
        Some(m) => {
            crate::meta::load_objects(Path::new(m)).map_err(|e| TrainError::Data(e.to_string()))?
        }
        None => Vec::new(),
    };
    let by_id: std::collections::HashMap<String, &serde_json::Map<String, serde_json::Value>> =
        metas
            .iter()
            .filter_map(|m| Some((meta_str(m, "id")?, m)))
            .collect();
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_default();
    let source = f.name.clone().unwrap_or_else(|| format!("file:{stem}"));
    let key = f.group_key.as_deref().unwrap_or("group");
    let (mut unlabelled, mut without_meta) = (0usize, 0usize);
    for entry in loaded {
        let Entry::Profile { profile, .. } = entry.map_err(|e| io(e.to_string()))? else {
            continue;
        };
        let Some(label) = profile.label else {
            unlabelled += 1;
            continue;
        };
        let meta = by_id.get(&profile.id);
        without_meta += usize::from(meta.is_none() && !metas.is_empty());
        let field = |k: &str| meta.and_then(|m| meta_str(m, k));
        out.push(Sample {
            fake: label == Label::Fake,
            family: field("family").unwrap_or_else(|| source.clone()),
            group: format!(
                "{source}/{}",
                field(key).unwrap_or_else(|| profile.id.clone())
            ),
            language: field("language"),
            invitation: field("shape").as_deref() == Some("invitation"),
            source: source.clone(),
            part: Part::Train,
            weight: f.weight,
            author: f.author.then(|| source.clone()),
            augmented: false,
            linear_only: false,
            evaluated_only: false,
            profile,
        });
    }
    if unlabelled > 0 {
        progress.note(&format!(
            "{}: skipped {unlabelled} unlabelled profiles",
            path.display()
        ));
    }
    if without_meta > 0 {
        progress.note(&format!(
            "{}: {without_meta} profiles have no meta line (each is its own group)",
            path.display()
        ));
    }
    Ok(())
}

/// The run's labelled records: every configured source loaded, split, and the training fakes'
/// augmented copies added; the counts are reported.
pub fn prepare(cfg: &TrainConfig, progress: &dyn Progress) -> Result<Vec<Sample>, TrainError> {
    let mut samples = load(&cfg.data, cfg.seed, progress)?;
    split(&mut samples, cfg.data.split, cfg.seed);
    let copies = super::augment::copies(&samples, &cfg.augment, cfg.seed);
    if !copies.is_empty() {
        progress.note(&format!(
            "augmentation: {} training copies of fakes",
            copies.len()
        ));
    }
    samples.extend(copies);
    let a = &cfg.augment;
    if a.drop_own_names || a.drop_pool_names {
        let (in_place, twins) =
            super::augment::drop_names(&mut samples, a.drop_own_names, a.drop_pool_names);
        progress.note(&format!(
            "names taken out of the training texts: {in_place} records in place, {twins} author \
             records through a training copy"
        ));
    }
    let count = |p: Part| samples.iter().filter(|s| s.part == p).count();
    progress.note(&format!(
        "{} labelled records: train {}, val {}, test {}",
        samples.len(),
        count(Part::Train),
        count(Part::Val),
        count(Part::Test)
    ));
    let mut by_source: BTreeMap<&str, [usize; 3]> = BTreeMap::new();
    for s in &samples {
        by_source.entry(&s.source).or_default()[s.part as usize] += 1;
    }
    for (source, [tr, va, te]) in &by_source {
        progress.note(&format!("  {source}: train {tr}, val {va}, test {te}"));
    }
    if count(Part::Train) == 0 || count(Part::Val) == 0 {
        return Err(TrainError::Data(
            "the split left no training or no validation records".into(),
        ));
    }
    Ok(samples)
}

/// Loads every configured source (without splitting).
pub fn load(
    cfg: &DataConfig,
    seed: u64,
    progress: &dyn Progress,
) -> Result<Vec<Sample>, TrainError> {
    let mut out = Vec::new();
    if cfg.synthetic > 0 {
        from_pairs(super::sources::synthetic(cfg, seed), "synthetic", &mut out);
    }
    if let Some(dir) = &cfg.public_dir {
        let dir = Path::new(dir);
        if dir.is_dir() {
            for name in &cfg.public {
                let records = super::sources::public(name, dir, progress)?;
                from_pairs(records, name, &mut out);
            }
        } else if !cfg.public.is_empty() {
            progress.note(&format!(
                "public data folder {} not found: training on the other sources only",
                dir.display()
            ));
        }
    }
    for f in &cfg.files {
        load_file(f, &mut out, progress)?;
    }
    if out.is_empty() {
        return Err(TrainError::Data("no labelled training data".into()));
    }
    Ok(out)
}

/// Assigns train/validation/test by group and near-duplicate cluster, from the seed. Each
/// source is split on its own, so every source keeps the configured shares (one global split
/// let a source's large clusters push most of another source into one split). Near-duplicates
/// are therefore only kept together within a source: the built-in sources are different
/// platforms or a generator, but extra labelled files that may share texts with each other
/// should be merged into one file before training. Records of author files stay in training.
pub fn split(samples: &mut [Sample], ratios: [f64; 3], seed: u64) {
    // Author files are never split: the leave-one-author-out evaluation holds each out whole.
    let mut sources: Vec<String> = samples
        .iter()
        .filter(|s| s.author.is_none())
        .map(|s| s.source.clone())
        .collect();
    sources.sort();
    sources.dedup();
    for source in sources {
        let members: Vec<usize> = (0..samples.len())
            .filter(|&i| samples[i].source == source)
            .collect();
        let profiles: Vec<Profile> = members
            .iter()
            .map(|&i| samples[i].profile.clone())
            .collect();
        let groups: Vec<String> = members.iter().map(|&i| samples[i].group.clone()).collect();
        let parts = datasets::assign_splits(&profiles, &groups, ratios, seed);
        for (&i, p) in members.iter().zip(parts) {
            samples[i].part = match p {
                Split::Train => Part::Train,
                Split::Validation => Part::Val,
                Split::Test => Part::Test,
            };
        }
    }
}
