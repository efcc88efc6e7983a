//! Deterministic, group-aware train/validation/test splits.
//!
//! Records are first joined into clusters: records of one group, and records whose main texts
//! are exact, skeleton or near duplicates (see [`super::neardup`]), end up in one cluster, and
//! a cluster never straddles two splits. Clusters are then shuffled with the seed and dealt,
//! separately for each class (a cluster counts for its majority label), to the split furthest
//! below its target share, so that ratios hold approximately by record count and per class.

use std::collections::HashMap;

use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::{Deserialize, Serialize};

use crate::profile::{Label, Profile};

use super::neardup::{main_text, merge_duplicates, UnionFind};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize, Hash, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum Split {
    Train,
    Validation,
    Test,
}

impl Split {
    pub const ALL: [Split; 3] = [Split::Train, Split::Validation, Split::Test];

    /// `train`, `validation` or `test` (also the output file stem).
    pub fn as_str(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Validation => "validation",
            Split::Test => "test",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

impl std::fmt::Display for Split {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Parses `0.8,0.1,0.1`: three non-negative numbers with a positive sum (normalised to 1).
pub fn parse_ratios(s: &str) -> Result<[f64; 3], String> {
    let parts: Vec<&str> = s.split(',').map(str::trim).collect();
    if parts.len() != 3 {
        return Err("expected three ratios: train,validation,test".into());
    }
    let mut out = [0.0; 3];
    for (o, p) in out.iter_mut().zip(&parts) {
        *o = p
            .parse::<f64>()
            .ok()
            .filter(|v| v.is_finite() && *v >= 0.0)
            .ok_or_else(|| format!("`{p}` is not a non-negative number"))?;
    }
    let sum: f64 = out.iter().sum();
    if sum <= 0.0 {
        return Err("the ratios must not all be zero".into());
    }
    Ok(out.map(|r| r / sum))
}

/// Assigns every profile to a split. `groups[i]` is the group of profile `i` (a missing or
/// empty group makes the record its own group). Ratios are normalised; negative or non-finite
/// ratios count as zero, and if none is positive everything goes to train. The result depends
/// only on the records, their order, the groups, the ratios and the seed.
pub fn assign_splits(
    profiles: &[Profile],
    groups: &[String],
    ratios: [f64; 3],
    seed: u64,
) -> Vec<Split> {
    assign_clusters(profiles, &clusters(profiles, groups), ratios, seed)
}

/// [`assign_splits`] for clusters computed beforehand with [`clusters`].
pub fn assign_clusters(
    profiles: &[Profile],
    clusters: &[Vec<usize>],
    ratios: [f64; 3],
    seed: u64,
) -> Vec<Split> {
    let n = profiles.len();
    let mut strata: [Vec<usize>; 3] = Default::default();
    for (c, members) in clusters.iter().enumerate() {
        let fake = members
            .iter()
            .filter(|&&i| profiles[i].label == Some(Label::Fake))
            .count();
        let genuine = members
            .iter()
            .filter(|&&i| profiles[i].label == Some(Label::Genuine))
            .count();
        let stratum = if fake == 0 && genuine == 0 {
            2
        } else if fake >= genuine {
            0
        } else {
            1
        };
        strata[stratum].push(c);
    }

    let ratios = normalise(ratios);
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let mut out = vec![Split::Train; n];
    for stratum in &mut strata {
        stratum.shuffle(&mut rng);
        let total: usize = stratum.iter().map(|&c| clusters[c].len()).sum();
        let target = ratios.map(|r| r * total as f64);
        let mut current = [0usize; 3];
        for &c in stratum.iter() {
            let size = clusters[c].len();
            let split = pick(&target, &current, size);
            current[split.index()] += size;
            for &i in &clusters[c] {
                out[i] = split;
            }
        }
    }
    out
}

/// The clusters that must not be split: records of one group and records with exact, skeleton
/// or near-duplicate main texts, as lists of record indices in order of their first record.
pub fn clusters(profiles: &[Profile], groups: &[String]) -> Vec<Vec<usize>> {
    let n = profiles.len();
    let mut uf = UnionFind::new(n);
    let mut first_of_group: HashMap<&str, usize> = HashMap::new();
    for (i, g) in groups.iter().take(n).enumerate() {
        if g.is_empty() {
            continue;
        }
        match first_of_group.get(g.as_str()) {
            Some(&j) => uf.union(i, j),
            None => {
                first_of_group.insert(g, i);
            }
        }
    }
    let texts: Vec<String> = profiles.iter().map(main_text).collect();
    merge_duplicates(&texts, &mut uf);
    let mut cluster_of_root: HashMap<usize, usize> = HashMap::new();
    let mut clusters: Vec<Vec<usize>> = Vec::new();
    for i in 0..n {
        let root = uf.find(i);
        let c = *cluster_of_root.entry(root).or_insert_with(|| {
            clusters.push(Vec::new());
            clusters.len() - 1
        });
        clusters[c].push(i);
    }
    clusters
}

fn normalise(ratios: [f64; 3]) -> [f64; 3] {
    let clean = ratios.map(|r| if r.is_finite() && r > 0.0 { r } else { 0.0 });
    let sum: f64 = clean.iter().sum();
    if sum > 0.0 {
        clean.map(|r| r / sum)
    } else {
        [1.0, 0.0, 0.0]
    }
}

/// The split with a positive target whose share would be furthest below target after taking
/// `size` more records (ties go to the earlier split).
fn pick(target: &[f64; 3], current: &[usize; 3], size: usize) -> Split {
    let mut best = Split::Train;
    let mut best_gap = f64::NEG_INFINITY;
    for s in Split::ALL {
        let k = s.index();
        if target[k] <= 0.0 {
            continue;
        }
        let gap = (target[k] - (current[k] + size) as f64) / target[k];
        if gap > best_gap {
            best_gap = gap;
            best = s;
        }
    }
    best
}

#[cfg(test)]
mod tests;
