//! Training copies of fakes as an adversary would dress them: a career padded with eight older
//! positions taken from genuine profiles, the counts of a genuine profile, or (optionally) no
//! messages at all. Labelled fake like their originals, they teach the engines that such edits
//! are no evidence of a real person.
//! Only synthetic and file fakes in the training split are copied (the public sets are other
//! platforms), and each copy keeps its original's group and author, so that a held-out author
//! never leaks through a copy.
//!
//! Also here: training texts without people's names ([`drop_names`]). The engines never
//! read the name field, but a name written in a signature or a reply ("Thanks Lakshmi") is a
//! word like any other; weighted as a hand-written record is, or drawn a few dozen times among
//! the synthetic profiles, it would teach the engines that some names are evidence.

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use regex::Regex;

use super::config::{AugmentConfig, NoMessages};
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
    if !cfg.padded_career && !cfg.typical_counts && cfg.no_messages.is_off() {
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
        // Draws nothing, so the other copies are drawn as without it.
        if !cfg.no_messages.is_off() && s.profile.messages.as_ref().is_some_and(|m| !m.is_empty()) {
            out.push(Sample {
                profile: Profile {
                    id: format!("{}~silent", s.profile.id),
                    messages: None,
                    ..s.profile.clone()
                },
                augmented: true,
                linear_only: cfg.no_messages == NoMessages::Linear,
                ..s.clone()
            });
        }
    }
    out
}

/// Words of a name field that are titles or degrees, not the person's name.
const NOT_NAMES: [&str; 17] = [
    "dr", "prof", "phd", "mba", "msc", "bsc", "ma", "md", "mr", "mrs", "ms", "jr", "sr", "dipl",
    "ing", "cissp", "pmp",
];

/// A pattern matching the words of `p`'s name field as whole words, case aside, or `None` when
/// the name has no such word.
fn own_name(p: &Profile) -> Option<Regex> {
    let parts: Vec<String> = p
        .name
        .as_deref()?
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.chars().count() >= 2 && !NOT_NAMES.contains(&w.to_lowercase().as_str()))
        .map(regex::escape)
        .collect();
    if parts.is_empty() {
        return None;
    }
    Regex::new(&format!(r"(?i)\b(?:{})\b", parts.join("|"))).ok()
}

/// The synthetic generator's given and family names as capitalised whole words: a synthetic
/// profile writes them for its own persona and for the person it writes to.
fn pool_names() -> &'static Regex {
    static NAMES: std::sync::OnceLock<Regex> = std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        let words: Vec<String> = crate::synth::pool_names()
            .into_iter()
            .map(regex::escape)
            .collect();
        Regex::new(&format!(r"\b(?:{})\b", words.join("|"))).expect("the name pool is a pattern")
    })
}

/// `p` with the words of its own name (with `own`) and every name of the generator's pool (with
/// `pool`) taken out of its texts, or `None` when no text holds one.
fn without_names(p: &Profile, own: bool, pool: bool) -> Option<Profile> {
    let own = own.then(|| own_name(p)).flatten();
    let names: Vec<&Regex> = own.iter().chain(pool.then(pool_names)).collect();
    let mut q = p.clone();
    let mut changed = false;
    q.for_each_read_text_mut(|t| {
        for name in &names {
            if name.is_match(t) {
                *t = name.replace_all(t, "").into_owned();
                changed = true;
            }
        }
    });
    changed.then_some(q)
}

/// Takes each record's own name (with `own`) and a synthetic record's pool names (with `pool`)
/// out of the texts it is trained on. The records that leave-one-author-out evaluates (author
/// records that are not copies) keep their text and are no longer trained on: a copy without
/// the name, with their group and author, is trained on in their place. Every other record is
/// changed in place, in every split (synthetic and public records are never evaluated out of
/// fold; the in-house figures on their own test split read them without names). Returns how
/// many records were changed in place, and how many author records got a copy.
pub fn drop_names(samples: &mut Vec<Sample>, own: bool, pool: bool) -> (usize, usize) {
    let (mut in_place, mut twins) = (0, Vec::new());
    for s in samples.iter_mut() {
        let Some(q) = without_names(&s.profile, own, pool && s.source == "synthetic") else {
            continue;
        };
        if s.author.is_some() && !s.augmented {
            s.evaluated_only = true;
            twins.push(Sample {
                profile: Profile {
                    id: format!("{}~unnamed", q.id),
                    ..q
                },
                augmented: true,
                evaluated_only: false,
                ..s.clone()
            });
        } else {
            s.profile = q;
            in_place += 1;
        }
    }
    let n = twins.len();
    samples.extend(twins);
    (in_place, n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{Direction, Message};

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
            linear_only: false,
            evaluated_only: false,
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
            no_messages: NoMessages::Off,
            share: 0.0,
            drop_own_names: false,
            drop_pool_names: false,
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

    #[test]
    fn own_names_leave_the_training_texts_but_not_the_evaluated_ones() {
        let signed = |text: &str| Profile {
            name: Some("Dr. Lakshmi Sharma-Iyer".into()),
            headline: Some("Analyst at Sharmatech".into()),
            messages: Some(vec![Message {
                direction: Direction::Inbound,
                text: text.into(),
            }]),
            ..Profile::default()
        };
        let mut author = sample("a", false, signed("Thanks LAKSHMI. Dr. Sharma-Iyer, Dr."));
        author.author = Some("handwritten-a".into());
        let mut samples = vec![
            author,
            sample("s", true, signed("Best, Lakshmi")),
            sample("n", true, signed("no name here")),
        ];
        assert_eq!(drop_names(&mut samples, true, false), (1, 1));
        // The author record is evaluated as written and trained on through its copy; the
        // title "Dr." and the word that only contains the name ("Sharmatech") stay.
        assert!(samples[0].evaluated_only && !samples[0].augmented);
        let text = |s: &Sample| s.profile.messages.as_ref().unwrap()[0].text.clone();
        assert_eq!(text(&samples[0]), "Thanks LAKSHMI. Dr. Sharma-Iyer, Dr.");
        let twin = &samples[3];
        assert!(twin.augmented && !twin.evaluated_only && twin.group == samples[0].group);
        assert_eq!(text(twin), "Thanks . Dr. -, Dr.");
        assert_eq!(
            twin.profile.headline.as_deref(),
            Some("Analyst at Sharmatech")
        );
        assert_eq!(twin.profile.name, samples[0].profile.name);
        // Other records change in place; one without its name in its texts does not change.
        assert_eq!(text(&samples[1]), "Best, ");
        assert_eq!(text(&samples[2]), "no name here");
        assert_eq!(samples.len(), 4);
    }

    #[test]
    fn a_fake_that_writes_gets_a_silent_copy_without_changing_the_other_copies() {
        let genuine = Profile {
            connections: Some(480),
            experience: Some(vec![Position {
                title: Some("Process engineer".into()),
                ..Position::default()
            }]),
            ..Profile::default()
        };
        let writes = Profile {
            messages: Some(vec![Message {
                direction: Direction::Inbound,
                text: "A paid consultation?".into(),
            }]),
            ..Profile::default()
        };
        let samples = vec![
            sample("g", false, genuine),
            sample("w", true, writes),
            sample("q", true, Profile::default()),
        ];
        let mut cfg = AugmentConfig {
            padded_career: true,
            typical_counts: true,
            share: 0.0,
            ..AugmentConfig::default()
        };
        let without = copies(&samples, &cfg, 3);
        cfg.no_messages = NoMessages::All;
        let with = copies(&samples, &cfg, 3);
        // One more copy, of the fake that writes only, and the others drawn as before.
        assert_eq!(with.len(), without.len() + 1);
        let silent: Vec<&Sample> = with
            .iter()
            .filter(|s| s.profile.id.ends_with("~silent"))
            .collect();
        assert_eq!(silent.len(), 1);
        assert!(silent[0].fake && silent[0].augmented && silent[0].group == "w");
        assert!(!silent[0].linear_only);
        assert_eq!(silent[0].profile.messages, None);
        let others: Vec<&Sample> = with
            .iter()
            .filter(|s| !s.profile.id.ends_with("~silent"))
            .collect();
        assert_eq!(others.len(), without.len());
        assert!(others
            .iter()
            .zip(&without)
            .all(|(a, b)| a.profile == b.profile));
        // For the linear engine only, the copy is marked so that the neural model skips it.
        cfg.no_messages = NoMessages::Linear;
        let linear = copies(&samples, &cfg, 3);
        let marked: Vec<&str> = linear
            .iter()
            .filter(|s| s.linear_only)
            .map(|s| s.profile.id.as_str())
            .collect();
        assert_eq!(marked, ["w~silent"]);
    }

    #[test]
    fn pool_names_leave_synthetic_texts_only() {
        let p = |text: &str| Profile {
            about: Some(text.into()),
            ..Profile::default()
        };
        let text = "Thanks Wei, das Projekt startet. Dmitry";
        let mut samples = vec![sample("s", true, p(text)), sample("f", true, p(text))];
        samples[1].source = "file:agency".into();
        assert_eq!(drop_names(&mut samples, false, true), (1, 0));
        // Capitalised pool names go; "das", an ordinary word of the German banks, stays.
        assert_eq!(
            samples[0].profile.about.as_deref(),
            Some("Thanks , das Projekt startet. ")
        );
        assert_eq!(samples[1].profile.about.as_deref(), Some(text));
    }
}
