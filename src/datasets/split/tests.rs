use std::collections::HashMap;

use proptest::prelude::*;

use super::*;
use crate::datasets::neardup::skeleton;
use crate::profile::{Direction, Message};

const TEMPLATES: [&str; 6] = [
    "Earn money from home, no experience needed, weekly pay",
    "Senior fellow at the institute for strategic studies",
    "We are looking for consultants to write short paid reports on policy",
    "Hello, I came across your profile and would like to connect",
    "Data entry clerk wanted, flexible hours, apply now",
    "Professor of international relations, author of many books",
];

fn profile(i: usize, template: usize, variant: u32, fake: bool) -> Profile {
    // Variants differ in digits and punctuation only, so they are skeleton duplicates.
    let text = format!("{} {variant}!", TEMPLATES[template]);
    Profile {
        id: format!("p{i}"),
        about: template.is_multiple_of(2).then(|| text.clone()),
        messages: (!template.is_multiple_of(2)).then(|| {
            vec![Message {
                direction: Direction::Inbound,
                text,
            }]
        }),
        label: Some(if fake { Label::Fake } else { Label::Genuine }),
        ..Profile::default()
    }
}

fn unique_profile(i: usize, fake: bool) -> Profile {
    Profile {
        id: format!("u{i}"),
        label: Some(if fake { Label::Fake } else { Label::Genuine }),
        ..Profile::default()
    }
}

/// Every key maps to one split only.
fn no_straddle<K: std::hash::Hash + Eq>(keys: impl Iterator<Item = K>, splits: &[Split]) -> bool {
    let mut seen: HashMap<K, Split> = HashMap::new();
    keys.zip(splits)
        .all(|(k, &s)| *seen.entry(k).or_insert(s) == s)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(40))]
    #[test]
    fn deterministic_and_nothing_straddles(
        rows in proptest::collection::vec((0usize..6, 0u32..3, 0usize..12, any::<bool>(), any::<bool>()), 1..80),
        seed in any::<u64>(),
    ) {
        let mut profiles = Vec::new();
        let mut groups = Vec::new();
        for (i, &(template, variant, group, fake, with_text)) in rows.iter().enumerate() {
            profiles.push(if with_text { profile(i, template, variant, fake) } else { unique_profile(i, fake) });
            groups.push(if group == 0 { String::new() } else { format!("g{group}") });
        }
        let a = assign_splits(&profiles, &groups, [0.6, 0.2, 0.2], seed);
        let b = assign_splits(&profiles, &groups, [0.6, 0.2, 0.2], seed);
        prop_assert_eq!(&a, &b);
        prop_assert_eq!(a.len(), profiles.len());
        let named: Vec<(usize, Split)> = groups.iter().zip(&a).enumerate()
            .filter(|(_, (g, _))| !g.is_empty()).map(|(i, (_, &s))| (i, s)).collect();
        prop_assert!(no_straddle(named.iter().map(|&(i, _)| groups[i].clone()), &named.iter().map(|&(_, s)| s).collect::<Vec<_>>()));
        let texts: Vec<(String, Split)> = profiles.iter().zip(&a)
            .map(|(p, &s)| (main_text(p), s)).filter(|(t, _)| !t.is_empty()).collect();
        let splits: Vec<Split> = texts.iter().map(|(_, s)| *s).collect();
        prop_assert!(no_straddle(texts.iter().map(|(t, _)| t.clone()), &splits));
        prop_assert!(no_straddle(texts.iter().map(|(t, _)| skeleton(t)), &splits));
    }
}

#[test]
fn ratios_hold_for_singletons_per_class() {
    let profiles: Vec<Profile> = (0..1000)
        .map(|i| unique_profile(i, i.is_multiple_of(4)))
        .collect();
    let splits = assign_splits(&profiles, &[], [0.8, 0.1, 0.1], 7);
    for fake in [true, false] {
        let of_class: Vec<Split> = profiles
            .iter()
            .zip(&splits)
            .filter(|(p, _)| (p.label == Some(Label::Fake)) == fake)
            .map(|(_, &s)| s)
            .collect();
        let n = of_class.len() as f64;
        let share = |s: Split| of_class.iter().filter(|&&x| x == s).count() as f64 / n;
        assert!(
            (share(Split::Train) - 0.8).abs() < 0.01,
            "{}",
            share(Split::Train)
        );
        assert!((share(Split::Validation) - 0.1).abs() < 0.01);
        assert!((share(Split::Test) - 0.1).abs() < 0.01);
    }
    let other = assign_splits(&profiles, &[], [0.8, 0.1, 0.1], 8);
    assert_ne!(splits, other, "the seed must matter");
}

#[test]
fn near_duplicate_texts_stay_together() {
    let base = "Our foundation invites distinguished experts to contribute short analytical papers on regional security and energy, with a generous honorarium and a fully funded seminar";
    let profiles: Vec<Profile> = (0usize..60)
        .map(|i| Profile {
            id: format!("n{i}"),
            about: Some(if i.is_multiple_of(2) {
                base.to_owned()
            } else {
                format!("{base} in city number {i}, please reply soon")
            }),
            label: Some(Label::Fake),
            ..Profile::default()
        })
        .collect();
    let splits = assign_splits(&profiles, &[], [0.5, 0.25, 0.25], 3);
    assert!(splits.iter().all(|&s| s == splits[0]));
}

#[test]
fn ratio_parsing() {
    assert_eq!(parse_ratios("8,1,1").unwrap(), [0.8, 0.1, 0.1]);
    assert!(parse_ratios("0.8,0.2").is_err());
    assert!(parse_ratios("0,0,0").is_err());
    assert!(parse_ratios("0.8,-0.1,0.3").is_err());
    assert_eq!(normalise([f64::NAN, 0.0, 0.0]), [1.0, 0.0, 0.0]);
}

#[test]
fn serde_names() {
    assert_eq!(
        serde_json::to_string(&Split::Validation).unwrap(),
        "\"validation\""
    );
}
