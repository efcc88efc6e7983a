//! Training copies of fakes as an adversary would dress them: a career padded with eight older
//! positions taken from genuine profiles, or the counts of a genuine profile. Labelled fake like
//! their originals, they teach the engines that such padding is no evidence of a real person.
//! Only synthetic and file fakes in the training split are copied (the public sets are other
//! platforms), and each copy keeps its original's group and author, so that a held-out author
//! never leaks through a copy.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use super::config::AugmentConfig;
use super::data::{Part, Sample};
use crate::profile::{Position, Profile, YearMonth};

/// Positions appended to a padded career.
pub const PADDING: usize = 8;

/// Whether a sample may be copied.
fn eligible(s: &Sample) -> bool {
    s.fake && s.part == Part::Train && (s.source == "synthetic" || s.author.is_some())
}

/// `PADDING` positions from `donors`, dated one after the other and ending before `before`
/// (a year-month index), oldest first.
fn older_positions(donors: &[&Position], before: i32, rng: &mut ChaCha8Rng) -> Vec<Position> {
    let mut end = before - 1;
    let mut out = Vec::with_capacity(PADDING);
    for _ in 0..PADDING {
        let mut p = donors[rng.random_range(0..donors.len())].clone();
        let months = rng.random_range(10..40);
        let start = end - months;
        p.start = YearMonth::from_index(start);
        p.end = YearMonth::from_index(end).map(Some);
        end = start - rng.random_range(0..4);
        out.push(p);
    }
    out.reverse();
    out
}

/// The earliest start of a career, or now (November 2026) when nothing is dated.
fn earliest_start(p: &Profile) -> i32 {
    p.experience
        .iter()
        .flatten()
        .filter_map(|x| x.start.map(YearMonth::index))
        .min()
        .unwrap_or(2026 * 12 + 10)
}

fn with_counts(p: &Profile, donor: &Profile) -> Profile {
    let mut q = p.clone();
    q.account_age_days = donor.account_age_days.or(q.account_age_days);
    q.connections = donor.connections.or(q.connections);
    q.followers = donor.followers.or(q.followers);
    q.following = donor.following.or(q.following);
    q.mutual_connections = donor.mutual_connections.or(q.mutual_connections);
    q.posts = donor.posts.or(q.posts);
    q.endorsements = donor.endorsements.or(q.endorsements);
    q.recommendations = donor.recommendations.or(q.recommendations);
    q
}

/// The augmented copies of `samples` (to be appended to them).
pub fn copies(samples: &[Sample], cfg: &AugmentConfig, seed: u64) -> Vec<Sample> {
    if !cfg.padded_career && !cfg.typical_counts {
        return Vec::new();
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed ^ 0xa5a5_0001);
    let genuine: Vec<&Sample> = samples
        .iter()
        .filter(|s| {
            !s.fake && s.part == Part::Train && (s.source == "synthetic" || s.author.is_some())
        })
        .collect();
    let positions: Vec<&Position> = genuine
        .iter()
        .flat_map(|s| s.profile.experience.iter().flatten())
        .filter(|p| p.title.is_some())
        .collect();
    let counted: Vec<&Profile> = genuine
        .iter()
        .map(|s| &s.profile)
        .filter(|p| p.connections.is_some())
        .collect();
    let mut out = Vec::new();
    let share = if cfg.share > 0.0 { cfg.share } else { 1.0 };
    for s in samples.iter().filter(|s| eligible(s)) {
        if rng.random::<f64>() >= share {
            continue;
        }
        if cfg.padded_career && !positions.is_empty() {
            let mut p = s.profile.clone();
            let mut career = older_positions(&positions, earliest_start(&p), &mut rng);
            career.extend(p.experience.take().unwrap_or_default());
            p.experience = Some(career);
            p.id = format!("{}~padded", p.id);
            out.push(Sample {
                profile: p,
                augmented: true,
                ..s.clone()
            });
        }
        if cfg.typical_counts && !counted.is_empty() {
            let donor = counted[rng.random_range(0..counted.len())];
            let mut p = with_counts(&s.profile, donor);
            p.id = format!("{}~counts", p.id);
            out.push(Sample {
                profile: p,
                augmented: true,
                ..s.clone()
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(id: &str, fake: bool, p: Profile) -> Sample {
        Sample {
            profile: Profile { id: id.into(), ..p },
            fake,
            source: "synthetic".into(),
            family: "f".into(),
            group: id.into(),
            language: None,
            part: Part::Train,
            weight: 1.0,
            author: None,
            invitation: false,
            augmented: false,
        }
    }

    #[test]
    fn fakes_get_padded_careers_and_typical_counts() {
        let job = Position {
            title: Some("Process engineer".into()),
            company: Some("Acme".into()),
            ..Position::default()
        };
        let genuine = Profile {
            connections: Some(480),
            experience: Some(vec![job]),
            ..Profile::default()
        };
        let samples = vec![
            sample("g", false, genuine),
            sample("f", true, Profile::default()),
        ];
        let cfg = AugmentConfig {
            padded_career: true,
            typical_counts: true,
            share: 0.0,
        };
        let out = copies(&samples, &cfg, 1);
        assert_eq!(out.len(), 2);
        let career = out[0].profile.experience.as_ref().unwrap();
        assert_eq!(career.len(), PADDING);
        assert!(career
            .windows(2)
            .all(|w| w[0].end.unwrap().unwrap() <= w[1].start.unwrap()));
        assert!(out.iter().all(|s| s.fake && s.group == "f"));
        assert_eq!(out[1].profile.connections, Some(480));
        assert_eq!(copies(&samples, &cfg, 1).len(), 2, "deterministic");
    }
}
