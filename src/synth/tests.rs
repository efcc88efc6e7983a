//! Unit tests of the generator on small samples (the crate is built at a low optimisation
//! level in tests).

use std::collections::{BTreeSet, HashMap, HashSet};

use super::grammar::{references, Banks};
use super::*;
use crate::metrics::roc_auc;
use crate::profile::{parse_line, COUNT_FIELDS};

fn sample(n: usize, seed: u64) -> Vec<Synthetic> {
    generate(&SynthConfig {
        n,
        seed,
        ..SynthConfig::default()
    })
}

fn is_fake(s: &Synthetic) -> bool {
    s.profile.label == Some(Label::Fake)
}

#[test]
fn every_referenced_bank_exists() {
    let banks = Banks::get();
    let mut missing = Vec::new();
    for key in banks.keys() {
        for lang in LANGUAGES {
            for entry in banks.entries(key, lang).unwrap_or(&[]) {
                for r in references(entry) {
                    let is_var = [
                        "first", "last", "name", "city", "sector", "company", "title", "tfirst",
                        "topic", "job", "event", "venue", "salary", "pmail", "cmail", "phone",
                        "days", "tlast", "ref",
                    ]
                    .contains(&r);
                    if !is_var && !banks.has(r, lang) {
                        missing.push(format!("{key} -> {r} ({lang})"));
                    }
                }
            }
        }
    }
    missing.sort();
    missing.dedup();
    assert!(missing.is_empty(), "{missing:?}");
}

#[test]
fn deterministic_and_index_addressable() {
    let a = sample(300, 7);
    let b = sample(300, 7);
    assert_eq!(a, b);
    let cfg = SynthConfig {
        n: 300,
        seed: 7,
        ..SynthConfig::default()
    };
    assert_eq!(generate_one(&cfg, 123), a[123]);
    assert_ne!(sample(50, 8)[..], a[..50]);
}

#[test]
fn records_reparse_and_meta_matches() {
    for s in sample(1500, 3) {
        let line = s.profile.to_json_line();
        let back = parse_line(line.as_bytes(), &mut BTreeSet::new())
            .unwrap_or_else(|e| panic!("{}: {} {}", s.profile.id, e.field, e.reason));
        assert_eq!(back, s.profile);
        assert_eq!(s.meta.id, s.profile.id);
        assert!(s.meta.group.starts_with(&s.meta.family));
        assert!(s.profile.connections.unwrap_or(0) <= 500);
        let unexpanded = s
            .profile
            .texts()
            .into_iter()
            .any(|(_, t)| t.contains('{') || t.contains('[') || t.contains('}'));
        assert!(!unexpanded, "unexpanded template in {}", s.profile.id);
    }
}

#[test]
fn class_and_language_shares() {
    let data = sample(3000, 11);
    let fake = data.iter().filter(|s| is_fake(s)).count() as f64 / data.len() as f64;
    assert!((fake - 0.5).abs() < 0.04, "fake share {fake}");
    let mut langs: HashMap<&str, usize> = HashMap::new();
    for s in &data {
        *langs
            .entry(s.meta.language.as_deref().unwrap_or("?"))
            .or_default() += 1;
    }
    let share = |l: &str| *langs.get(l).unwrap_or(&0) as f64 / data.len() as f64;
    assert!((share("en") - 0.8).abs() < 0.04, "{langs:?}");
    assert!((share("fr") - 0.1).abs() < 0.03, "{langs:?}");
    assert!((share("de") - 0.1).abs() < 0.03, "{langs:?}");
    let families: HashSet<&str> = data.iter().map(|s| s.meta.family.as_str()).collect();
    assert_eq!(families.len(), FAMILIES.len());
}

/// Per-token fake rate learned on the first half, scored on the second.
fn token_auc(data: &[Synthetic], tokens: impl Fn(&Synthetic) -> Vec<String>) -> f64 {
    let half = data.len() / 2;
    let mut counts: HashMap<String, (f64, f64)> = HashMap::new();
    for s in &data[..half] {
        for t in tokens(s) {
            let c = counts.entry(t).or_default();
            c.0 += f64::from(u8::from(is_fake(s)));
            c.1 += 1.0;
        }
    }
    let mut scores = Vec::new();
    let mut labels = Vec::new();
    for s in &data[half..] {
        let ts = tokens(s);
        let rate: f64 = ts
            .iter()
            .map(|t| counts.get(t).map_or(0.5, |(f, n)| (f + 1.0) / (n + 2.0)))
            .sum::<f64>()
            / ts.len().max(1) as f64;
        scores.push(rate as f32);
        labels.push(is_fake(s));
    }
    roc_auc(&scores, &labels).unwrap_or(0.5)
}

#[test]
fn names_and_locations_do_not_reveal_the_label() {
    let data = sample(4000, 5);
    let name_auc = token_auc(&data, |s| {
        s.profile
            .name
            .as_deref()
            .unwrap_or("")
            .split_whitespace()
            .map(str::to_lowercase)
            .collect()
    });
    assert!(name_auc <= 0.6, "name-only AUC {name_auc}");
    let loc_auc = token_auc(&data, |s| {
        vec![s.profile.location.clone().unwrap_or_default()]
    });
    assert!(loc_auc <= 0.6, "location-only AUC {loc_auc}");
}

#[test]
fn no_single_count_field_decides() {
    let data = sample(3000, 9);
    let labels: Vec<bool> = data.iter().map(is_fake).collect();
    for field in COUNT_FIELDS {
        let scores: Vec<f32> = data
            .iter()
            .map(|s| s.profile.count(field).map_or(-1.0, |v| v as f32))
            .collect();
        let auc = roc_auc(&scores, &labels).unwrap_or(0.5);
        let auc = auc.max(1.0 - auc);
        assert!(auc <= 0.85, "{field}: AUC {auc}");
    }
}

fn normalised_messages(data: &[Synthetic]) -> Vec<String> {
    data.iter()
        .flat_map(|s| s.profile.messages.iter().flatten())
        .filter(|m| m.direction == crate::profile::Direction::Inbound)
        .map(|m| crate::normalize::normalize(&m.text).text)
        .collect()
}

#[test]
fn messages_are_diverse() {
    let data = sample(2000, 13);
    let msgs = normalised_messages(&data);
    let mut seen: HashMap<&str, usize> = HashMap::new();
    for m in &msgs {
        *seen.entry(m.as_str()).or_default() += 1;
    }
    let duplicated = msgs.iter().filter(|m| seen[m.as_str()] > 1).count() as f64;
    let dup_share = duplicated / msgs.len() as f64;
    assert!(dup_share < 0.05, "near-duplicate share {dup_share}");
    let (mut total, mut distinct) = (0usize, HashSet::new());
    for m in &msgs {
        let words: Vec<&str> = m.split_whitespace().collect();
        for w in words.windows(3) {
            total += 1;
            distinct.insert(w.join(" "));
        }
    }
    let ratio = distinct.len() as f64 / total as f64;
    assert!(ratio > 0.08, "distinct 3-gram ratio {ratio}");
}

#[test]
fn genuine_unicode_is_not_obfuscation_and_fakes_evade() {
    let data = sample(3000, 17);
    let rules = crate::rules::RuleSet::default_rules();
    let code_fires = |s: &Synthetic, code: &str| {
        rules
            .assess_profile(&s.profile)
            .reasons
            .iter()
            .any(|r| r.code == code)
    };
    let genuine: Vec<&Synthetic> = data
        .iter()
        .filter(|s| {
            !s.meta.family.starts_with("fake")
                && !FAMILIES.iter().any(|f| f.fake && f.name == s.meta.family)
        })
        .collect();
    let flagged = genuine
        .iter()
        .filter(|s| code_fires(s, "obfuscated_text"))
        .count();
    assert_eq!(flagged, 0, "genuine profiles read as obfuscated");
    let evasive = data
        .iter()
        .filter(|s| s.meta.difficulty.as_deref() == Some("hard"))
        .filter(|s| code_fires(s, "obfuscated_text"))
        .count();
    assert!(evasive > 20, "only {evasive} evasive hard profiles");
}

#[test]
fn rule_engine_is_informative_but_far_from_perfect() {
    let data = sample(2000, 19);
    let rules = crate::rules::RuleSet::default_rules();
    let scores: Vec<f32> = data
        .iter()
        .map(|s| rules.assess_profile(&s.profile).score)
        .collect();
    let labels: Vec<bool> = data.iter().map(is_fake).collect();
    let auc = roc_auc(&scores, &labels).unwrap_or(0.5);
    // Measured about 0.79 on 20,000 profiles; a value near 1 would mean the data are too easy.
    assert!((0.65..=0.92).contains(&auc), "rule-engine AUC {auc}");
}

#[test]
fn every_rule_signal_occurs_in_both_classes() {
    let data = sample(3000, 23);
    let rules = crate::rules::RuleSet::default_rules();
    let mut fired: HashMap<String, (usize, usize)> = HashMap::new();
    for s in &data {
        for r in rules.assess_profile(&s.profile).reasons {
            let e = fired.entry(r.code).or_default();
            if is_fake(s) {
                e.0 += 1;
            } else {
                e.1 += 1;
            }
        }
    }
    for spec in rules.specs() {
        let (f, g) = fired.get(&spec.code).copied().unwrap_or_default();
        // The obfuscation rule is the one deliberate exception: genuine profiles never hide
        // characters (only flipped labels carry it).
        if spec.code != "obfuscated_text" {
            assert!(f > 3 && g > 3, "{}: fake {f}, genuine {g}", spec.code);
        }
    }
}

#[test]
fn rule_phrasings_fire_and_paraphrases_do_not() {
    use super::personas::Signal;
    use rand::SeedableRng;
    let pairs = [
        (Signal::Flattery, "flattery_expertise"),
        (Signal::Clearance, "clearance_interest"),
        (Signal::GoodOffer, "too_good_offer"),
        (Signal::PaidReport, "paid_report_offer"),
        (Signal::PaidTrip, "paid_trip_abroad"),
        (Signal::OffPlatform, "move_off_platform"),
        (Signal::Urgency, "urgency"),
        (Signal::CvOrMeeting, "cv_or_private_meeting"),
        (Signal::Colleagues, "colleague_access_questions"),
        (Signal::Scarcity, "scarcity_exclusivity"),
        (Signal::Email, "personal_email_address"),
        (Signal::Phone, "phone_number_in_message"),
    ];
    let rules = crate::rules::RuleSet::default_rules();
    let mut rng = ChaCha8Rng::seed_from_u64(1);
    let mut vars = Vars::default();
    for (k, v) in [
        ("first", "Ana"),
        ("last", "Silva"),
        ("tfirst", "Tom"),
        ("topic", "grid resilience"),
        ("sector", "energy"),
        ("venue", "Vienna"),
        ("company", "Meridian Advisory"),
        ("salary", "50000"),
        ("pmail", "ana.silva@gmail.com"),
        ("cmail", "ana.silva@meridian.com"),
        ("phone", "+44 207 123 4567"),
        ("days", "3"),
    ] {
        vars.set(k, v);
    }
    let mut failures = Vec::new();
    for lang in LANGUAGES {
        for (signal, code) in pairs {
            for (kind, should_fire) in [("rule", true), ("para", false)] {
                let key = format!("sig.{}.{kind}", signal.bank());
                let mut fired = 0;
                for _ in 0..60 {
                    let text = grammar::say(&key, lang, &vars, &mut rng);
                    let p = Profile {
                        id: "t".into(),
                        messages: Some(vec![crate::profile::Message {
                            direction: crate::profile::Direction::Inbound,
                            text: text.clone(),
                        }]),
                        ..Profile::default()
                    };
                    let hit = rules
                        .assess_profile(&p)
                        .reasons
                        .iter()
                        .any(|r| r.code == code);
                    fired += usize::from(hit);
                    if hit != should_fire && failures.len() < 20 {
                        failures.push(format!("{lang} {key}: {text}"));
                    }
                }
                let ok = if should_fire { fired >= 57 } else { fired <= 3 };
                if !ok {
                    failures.push(format!("{lang} {key}: fired {fired}/60"));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

/// Whether a profile shows only what a pending invitation shows.
fn invitation_shaped(p: &Profile) -> bool {
    p.messages.as_ref().is_some_and(|m| m.len() == 1)
        && p.account_age_days.is_none()
        && p.followers.is_none()
        && p.experience.is_none()
        && p.about.is_none()
        && p.education.is_none()
}

#[test]
fn invitation_shapes_are_class_blind_and_shorter() {
    let data = sample(3000, 31);
    let share = |fake: bool| {
        let class: Vec<_> = data.iter().filter(|s| is_fake(s) == fake).collect();
        let inv = class
            .iter()
            .filter(|s| invitation_shaped(&s.profile))
            .count();
        inv as f64 / class.len() as f64
    };
    let (fake, genuine) = (share(true), share(false));
    assert!(fake > 0.15 && genuine > 0.15, "{fake} {genuine}");
    assert!(
        (fake - genuine).abs() < 0.06,
        "fake {fake}, genuine {genuine}"
    );
    // Invitation notes are shorter than other first messages, and more of them fit the
    // networks' 300-character limit (the generator does not enforce it).
    let lens = |invitation: bool| -> Vec<usize> {
        data.iter()
            .filter(|s| invitation_shaped(&s.profile) == invitation)
            .filter_map(|s| s.profile.messages.as_ref()?.first().map(|m| m.text.len()))
            .collect()
    };
    let mean = |v: &[usize]| v.iter().sum::<usize>() as f64 / v.len().max(1) as f64;
    let fits = |v: &[usize]| v.iter().filter(|&&l| l <= 300).count() as f64 / v.len().max(1) as f64;
    let (note, other) = (lens(true), lens(false));
    assert!(
        mean(&note) < mean(&other),
        "{} {}",
        mean(&note),
        mean(&other)
    );
    assert!(
        fits(&note) > fits(&other) + 0.05,
        "{} {}",
        fits(&note),
        fits(&other)
    );
    // Partly filled profiles exist beside full ones: many have counts but no about text.
    let partial = data
        .iter()
        .filter(|s| s.profile.connections.is_some() && s.profile.about.is_none())
        .count();
    assert!(partial > 600, "only {partial} partly filled profiles");
}

#[test]
fn every_cue_and_register_occurs_in_both_classes() {
    use super::cues::{self, Cue, Register};
    use super::personas::{draw_family, Difficulty};
    use rand::SeedableRng;
    let mut rng = ChaCha8Rng::seed_from_u64(5);
    let mut cue_counts: HashMap<(bool, usize), usize> = HashMap::new();
    let mut registers: HashMap<(bool, String), usize> = HashMap::new();
    let n = 4000;
    for fake in [true, false] {
        for _ in 0..n {
            let family = draw_family(fake, &mut rng);
            let difficulty = Difficulty::draw(fake, &mut rng);
            for cue in cues::draw(family, difficulty, &mut rng) {
                let i = Cue::ALL.iter().position(|c| *c == cue).unwrap_or(0);
                *cue_counts.entry((fake, i)).or_default() += 1;
            }
            let r = Register::draw(fake, difficulty, &mut rng);
            *registers.entry((fake, format!("{r:?}"))).or_default() += 1;
        }
    }
    for (i, cue) in Cue::ALL.iter().enumerate() {
        let f = cue_counts.get(&(true, i)).copied().unwrap_or(0) as f64 / n as f64;
        let g = cue_counts.get(&(false, i)).copied().unwrap_or(0) as f64 / n as f64;
        // No cue is confined to one class, and none is more than ten times as common in one.
        assert!(f > 0.01 && g > 0.01, "{cue:?}: fake {f}, genuine {g}");
        assert!(
            f / g < 10.0 && g / f < 10.0,
            "{cue:?}: fake {f}, genuine {g}"
        );
    }
    for r in ["Plain", "Terse", "Formal", "Casual", "Broken", "Polished"] {
        let f = registers.get(&(true, r.to_owned())).copied().unwrap_or(0) as f64;
        let g = registers.get(&(false, r.to_owned())).copied().unwrap_or(0) as f64;
        assert!(f > 40.0 && g > 40.0, "{r}: fake {f}, genuine {g}");
        assert!(f / g < 4.0 && g / f < 4.0, "{r}: fake {f}, genuine {g}");
    }
}
