//! Count fields, photo and verification: correlated draws (account age drives connections,
//! which drive followers; activity drives posts and endorsements), LinkedIn's 500 cap, and
//! missing values at the same rates in both classes.

use rand::Rng;

use super::personas::{Difficulty, Family};
use crate::profile::{PhotoFlag, Profile};

/// Log-uniform draw in [lo, hi).
fn log_uniform<R: Rng>(lo: f64, hi: f64, rng: &mut R) -> f64 {
    (lo.ln() + rng.random::<f64>() * (hi.ln() - lo.ln())).exp()
}

/// Missing rate of each count field, identical for both classes.
pub const MISSING: [(&str, f64); 8] = [
    ("account_age_days", 0.15),
    ("connections", 0.08),
    ("followers", 0.25),
    ("following", 0.40),
    ("mutual_connections", 0.30),
    ("posts", 0.25),
    ("endorsements", 0.35),
    ("recommendations", 0.35),
];

/// Fills the count fields, photo and verification of `p`.
pub fn fill<R: Rng>(p: &mut Profile, family: &Family, difficulty: Difficulty, rng: &mut R) {
    let fake = family.fake;
    let sparse = family.name == "genuine_sparse";
    // Account age in days.
    let age = match (fake, difficulty) {
        (true, Difficulty::Easy) => log_uniform(3.0, 400.0, rng),
        (true, Difficulty::Medium) => log_uniform(20.0, 2000.0, rng),
        (true, Difficulty::Hard) => log_uniform(150.0, 5500.0, rng),
        (false, _) if sparse => log_uniform(10.0, 1500.0, rng),
        (false, Difficulty::Hard) => log_uniform(30.0, 4000.0, rng),
        // Most people who write to a stranger at work have had their account for years.
        (false, _) => log_uniform(300.0, 7500.0, rng),
    };
    // Activity: how much the account is used, in [0, 1].
    let activity: f64 = match (fake, difficulty) {
        (true, Difficulty::Easy) => rng.random::<f64>() * 0.35,
        (true, Difficulty::Medium) => rng.random::<f64>() * 0.7,
        (true, Difficulty::Hard) => 0.2 + rng.random::<f64>() * 0.8,
        (false, _) if sparse => rng.random::<f64>() * 0.4,
        (false, Difficulty::Hard) => rng.random::<f64>() * 0.7,
        (false, _) => 0.1 + rng.random::<f64>() * 0.9,
    };
    let years = age / 365.0;
    // Connections grow with age and activity; fakes buy or mass-add them.
    let scale = if fake { 180.0 } else { 300.0 };
    let mut connections = (activity * scale * years.powf(0.7) + rng.random_range(0.0..60.0)) as u64;
    if fake && rng.random_bool(0.25) {
        connections = rng.random_range(150..900);
    }
    let connections = connections.min(500);
    let followers = (connections as f64 * rng.random_range(0.8..1.8)
        + activity * rng.random_range(0.0..1500.0)) as u64;
    let following = (connections as f64 * rng.random_range(0.1..1.3)) as u64;
    // Mutual connections depend on how close the approacher is to the target's circles.
    let mutual = if fake {
        match difficulty {
            Difficulty::Easy => {
                if rng.random_bool(0.7) {
                    0
                } else {
                    rng.random_range(1..4)
                }
            }
            Difficulty::Medium => rng.random_range(0..12),
            // Patient fakes spend months connecting to the target's colleagues first.
            Difficulty::Hard if rng.random_bool(0.4) => log_uniform(5.0, 80.0, rng) as u64,
            Difficulty::Hard => rng.random_range(0..16),
        }
    } else if rng.random_bool(if sparse { 0.3 } else { 0.08 }) {
        // Some cold approaches by genuine recruiters, students and organisers share no one.
        0
    } else {
        (log_uniform(1.0, 120.0, rng) * (0.3 + activity)) as u64
    };
    let posts = if rng.random_bool(1.0 - activity * 0.8) {
        rng.random_range(0..3)
    } else {
        (activity * log_uniform(2.0, 150.0, rng)) as u64
    };
    let endorsements = if fake && rng.random_bool(0.5) {
        rng.random_range(0..6)
    } else {
        (activity * years.sqrt() * log_uniform(1.0, 60.0, rng)) as u64
    };
    let recommendations = if rng.random_bool(0.55) {
        0
    } else if fake {
        rng.random_range(0..4)
    } else {
        (activity * log_uniform(1.0, 15.0, rng)) as u64
    };
    let values = [
        age as u64,
        connections,
        followers,
        following,
        mutual,
        posts,
        endorsements,
        recommendations,
    ];
    let mut slots: [Option<u64>; 8] = [None; 8];
    for (i, (_, missing)) in MISSING.iter().enumerate() {
        if !rng.random_bool(*missing) {
            slots[i] = Some(values[i]);
        }
    }
    p.account_age_days = slots[0];
    p.connections = slots[1];
    p.followers = slots[2];
    p.following = slots[3];
    p.mutual_connections = slots[4];
    p.posts = slots[5];
    p.endorsements = slots[6];
    p.recommendations = slots[7];

    // Photo: shown by most, checked by an analyst for about a third.
    if rng.random_bool(0.85) {
        let shown = if fake {
            rng.random_bool(0.86)
        } else {
            rng.random_bool(0.9)
        };
        p.has_photo = Some(shown);
        if shown && rng.random_bool(0.35) {
            let flagged = if fake {
                match difficulty {
                    Difficulty::Easy => 0.6,
                    Difficulty::Medium => 0.4,
                    Difficulty::Hard => 0.25,
                }
            } else {
                0.2
            };
            p.photo_flags = Some(if !rng.random_bool(flagged) {
                Vec::new()
            } else if !fake && rng.random_bool(0.75) {
                // A genuine person's photo is often also on their employer's or a
                // conference's web page, so a reverse image search finds it elsewhere.
                vec![PhotoFlag::Reused]
            } else {
                vec![PhotoFlag::ALL[rng.random_range(0..PhotoFlag::ALL.len())]]
            });
        }
    }
    if rng.random_bool(0.7) {
        let verified = if fake {
            if difficulty == Difficulty::Hard {
                0.12
            } else {
                0.04
            }
        } else {
            0.25
        };
        p.verified = Some(rng.random_bool(verified));
    }
}
