use super::*;
use crate::profile::{Direction, Message, Position, Profile};

fn params() -> LinearParams {
    LinearParams {
        hashing: HashingConfig {
            buckets: 1 << 12,
            section_tags: true,
            char_ngrams: [0, 0],
            max_words: 200,
            pairs_across_texts: true,
            strip_name_spans: false,
        },
        rule_features: false,
        epochs: 30,
        batch: 8,
        lr: 0.05,
        l2: 1e-5,
        seeds: 1,
        levels: 0,
    }
}

fn profile(id: usize, fake: bool) -> Profile {
    let note = if fake {
        "we pay well for short confidential reports, let us continue on whatsapp"
    } else {
        "great talk at the workshop yesterday, happy to stay in touch about the standard"
    };
    Profile {
        id: format!("p{id}"),
        headline: Some("Engineer".into()),
        connections: Some(if fake { 40 } else { 300 } + id as u64),
        account_age_days: Some(if fake { 60 } else { 2000 }),
        messages: Some(vec![Message {
            direction: Direction::Inbound,
            text: format!("{note} (ref {id})"),
        }]),
        ..Profile::default()
    }
}

/// An engine fitted with `p` and `seed` on 40 profiles, half of them fake, and the profiles.
fn fitted_with(p: &LinearParams, seed: u64) -> (LinearModel, Vec<Profile>) {
    let profiles: Vec<Profile> = (0..40).map(|i| profile(i, i % 2 == 0)).collect();
    let rules = p.rule_features.then(RuleSet::default_rules);
    let docs: Vec<RawDoc> = (profiles.iter())
        .map(|x| raw_doc(&p.hashing, rules.as_ref(), x).0)
        .collect();
    let refs: Vec<&RawDoc> = docs.iter().collect();
    let labels: Vec<bool> = (0..40).map(|i| i % 2 == 0).collect();
    let m = fit(p, &refs, &labels, &[1.0; 40], seed).unwrap();
    (m, profiles)
}

fn fitted() -> (LinearModel, Vec<Profile>) {
    fitted_with(&params(), 7)
}

#[test]
fn separates_what_it_was_trained_on_and_is_deterministic() {
    let (m, profiles) = fitted();
    for (i, p) in profiles.iter().enumerate() {
        let s = m.calibrate(m.logit(p));
        assert_eq!(s > 0.5, i % 2 == 0, "profile {i} scored {s}");
    }
    let (again, _) = fitted();
    assert_eq!(m.to_files(), again.to_files());
}

#[test]
fn a_reading_left_in_the_memo_by_another_engine_gives_the_same_assessments() {
    use std::sync::Arc;
    let p = LinearParams {
        rule_features: true,
        ..params()
    };
    let (m, profiles) = fitted_with(&p, 7);
    let alone = m.score_batch(&profiles).unwrap();
    let memos: Vec<Memo> = profiles.iter().map(|_| Memo::default()).collect();
    // Another engine (the model) reads with its own copy of the shipped rules first; its
    // reading without rules would be another value.
    let theirs = RuleSet::default_rules();
    let left: Vec<Arc<Reading>> = (profiles.iter().zip(&memos))
        .map(|(x, memo)| {
            Reading::shared(x, None, false, memo);
            Reading::shared(x, Some(&theirs), false, memo)
        })
        .collect();
    assert_eq!(m.score_shared(&profiles, &memos).unwrap(), alone);
    let again = Reading::shared(
        &profiles[0],
        Some(&RuleSet::default_rules()),
        false,
        &memos[0],
    );
    assert!(Arc::ptr_eq(&again, &left[0]), "the reading was made twice");
    assert!(m.score_shared(&profiles, &memos[1..]).is_err());
}

#[test]
fn terms_add_up_to_the_logit() {
    let (m, profiles) = fitted();
    let d = m.raw_doc(&profiles[3]).0;
    let t = m.terms(&d);
    let sum = m.spec().bias + t.sections.iter().sum::<f32>() + t.features.iter().sum::<f32>();
    assert!((sum - t.logit).abs() < 1e-5);
    let reasons = m.score_batch(&profiles[3..4]).unwrap().remove(0).reasons;
    assert!(
        reasons.iter().any(|r| r.code == "section:messages"),
        "{reasons:?}"
    );
}

#[test]
fn files_round_trip() {
    let (m, profiles) = fitted();
    let back = LinearModel::from_files(&m.to_files()).unwrap();
    assert_eq!(back.to_files(), m.to_files());
    assert_eq!(back.logit(&profiles[0]), m.logit(&profiles[0]));
    let mut files = m.to_files();
    files.remove(LINEAR_WEIGHTS);
    assert!(LinearModel::from_files(&files).is_err());
    files.remove(LINEAR_JSON);
    assert!(matches!(
        LinearModel::from_files(&files),
        Err(LinearError::Absent)
    ));
}

#[test]
fn signs_hold_and_inflated_counts_never_lower_a_score() {
    let (m, profiles) = fitted();
    for ((w, s), name) in m
        .spec()
        .feature_weights
        .iter()
        .zip(&m.spec().signs)
        .zip(&m.spec().features)
    {
        match s {
            Sign::Raises => assert!(*w >= 0.0, "{name} {w}"),
            Sign::Lowers => assert!(*w <= 0.0, "{name} {w}"),
            Sign::Free => {}
        }
    }
    let fake = &profiles[0];
    let base = m.logit(fake);
    let mut padded = fake.clone();
    padded.connections = Some(5000);
    padded.followers = Some(5000);
    padded.posts = Some(900);
    assert!(m.logit(&padded) >= base);
    // A padded career (no text) cannot lower it either.
    padded.experience = Some(vec![Position::default(); 8]);
    assert!(m.logit(&padded) >= base - 1e-6);
}

#[test]
fn known_directions() {
    assert_eq!(feature_sign("log_connections"), Some(Sign::Raises));
    assert_eq!(feature_sign("missing_connections"), Some(Sign::Lowers));
    assert_eq!(feature_sign("log_account_age_days"), Some(Sign::Lowers));
    assert_eq!(feature_sign("missing_tenure"), Some(Sign::Lowers));
    assert_eq!(feature_sign("career_span_months"), Some(Sign::Raises));
    assert_eq!(feature_sign("ratio_followers_following"), None);
    assert_eq!(feature_sign("verified"), Some(Sign::Free));
}

#[test]
fn several_seeds_give_the_mean_of_their_models() {
    let (a, profiles) = fitted_with(&params(), 7);
    let b = fitted_with(&params(), 8).0;
    let two = fitted_with(
        &LinearParams {
            seeds: 2,
            ..params()
        },
        7,
    )
    .0;
    assert_ne!(
        a.logit(&profiles[1]),
        b.logit(&profiles[1]),
        "the seeds must differ"
    );
    for p in &profiles {
        let mean = 0.5 * (a.logit(p) + b.logit(p));
        assert!(
            (two.logit(p) - mean).abs() < 1e-4,
            "{} vs {mean}",
            two.logit(p)
        );
    }
}

#[test]
fn levels_keep_their_features_direction_and_round_trip() {
    let p = LinearParams {
        levels: 4,
        ..params()
    };
    let (m, profiles) = fitted_with(&p, 7);
    let spec = m.spec();
    assert!(!spec.levels.is_empty(), "connections take many values");
    for l in &spec.levels {
        let name = &spec.features[l.feature];
        match spec.signs[l.feature] {
            Sign::Raises => assert!(l.weight >= 0.0, "{name} at {}: {}", l.at, l.weight),
            Sign::Lowers => assert!(l.weight <= 0.0, "{name} at {}: {}", l.at, l.weight),
            Sign::Free => {}
        }
    }
    // More connections never lower the score, across every step.
    let fake = &profiles[0];
    let mut last = f32::NEG_INFINITY;
    for c in [0u64, 10, 40, 60, 200, 320, 340, 5000] {
        let z = m.logit(&Profile {
            connections: Some(c),
            ..fake.clone()
        });
        assert!(z >= last - 1e-6, "{c} connections: {z} < {last}");
        last = z;
    }
    let back = LinearModel::from_files(&m.to_files()).unwrap();
    assert_eq!(back.to_files(), m.to_files());
    assert_eq!(back.logit(fake), m.logit(fake));
}
