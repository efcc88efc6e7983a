use super::*;
use crate::profile::{load, parse_line};

/// The example profiles of `datasets/examples` (the artifact's tests score them too).
pub(crate) fn examples() -> Vec<Profile> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/datasets/examples/profiles.jsonl"
    );
    load(std::path::Path::new(path))
        .unwrap()
        .profiles
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

#[test]
fn embedded_model_loads_and_scores_probabilities() {
    let c = Classifier::embedded().unwrap();
    let scores = c.score_batch(&examples()).unwrap();
    assert!(!scores.is_empty());
    assert!(scores.iter().all(|a| (0.0..=1.0).contains(&a.score)));
    let t = c.thresholds();
    assert!(t.review <= t.fake);
}

#[test]
fn changing_only_names_never_changes_scores() {
    let c = Classifier::embedded().unwrap();
    let profiles = examples();
    let names: Vec<Option<String>> = profiles.iter().map(|p| p.name.clone()).collect();
    let before = c.score_batch(&profiles).unwrap();
    for shift in 1..4 {
        let swapped: Vec<Profile> = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| {
                let mut q = p.clone();
                q.name = names[(i + shift) % names.len()].clone();
                q.username = Some(format!("user{}", i * shift));
                q
            })
            .collect();
        assert_eq!(c.score_batch(&swapped).unwrap(), before);
    }
}

#[test]
fn reasons_name_sections_and_features_with_evidence() {
    let c = Classifier::embedded().unwrap();
    let line = r#"{"id":"x","headline":"Senior headhunter","about":"Discreet paid reports","messages":[{"direction":"inbound","text":"Let us continue on WhatsApp, paid reports welcome"}],"connections":12,"followers":3}"#;
    let p = parse_line(line.as_bytes(), &mut Default::default()).unwrap();
    let d = c.details(&p);
    assert!(d.contributions.iter().any(|r| r.code == "section:messages"));
    assert!(d
        .contributions
        .iter()
        .any(|r| r.code == "feature:connections"
            && r.evidence.as_deref() == Some("connections = 12")));
    assert!(d
        .contributions
        .windows(2)
        .all(|w| w[0].weight.abs() >= w[1].weight.abs()));
    let evidence = |code: &str| {
        d.contributions
            .iter()
            .find(|r| r.code == code)
            .and_then(|r| r.evidence.clone())
            .unwrap_or_default()
    };
    let rules = evidence("feature:rule_hits");
    assert!(
        rules.starts_with("rules fired: ") && rules.contains("move_off_platform"),
        "{rules}"
    );
    assert_eq!(
        evidence("feature:ratio_followers_connections"),
        "followers = 3, connections = 12"
    );
}

#[test]
fn feature_contributions_are_the_logit_change_when_the_inputs_are_removed() {
    let c = Classifier::embedded().unwrap();
    for p in examples() {
        let e = c.encoder.encode(&p);
        let full = c.logit(&e);
        let d = c.details(&p);
        for (code, members) in &c.groups {
            let mut removed = e.clone();
            for &i in members {
                let missing = c.stats.names[i].starts_with("missing_");
                removed.features[i] = if missing { 1.0 } else { 0.0 };
            }
            let want = full - c.logit(&removed);
            let got = d.contributions.iter().find(|r| &r.code == code).unwrap();
            assert!(
                (got.weight - want).abs() < 2e-3,
                "{}: {code}: reported {} but removing it changes the logit by {want}",
                p.id,
                got.weight
            );
        }
    }
}

/// The bytes of `model.safetensors` for weights `w`.
fn safetensors_of(w: &Weights) -> Vec<u8> {
    let named = w.named();
    let tensors: Vec<(&str, &[f32], &[usize])> = named
        .iter()
        .map(|(n, d, s)| (*n, *d, s.as_slice()))
        .collect();
    safetensors_bytes(&tensors)
}

/// The embedded model with an optional per-row tensor switched on (`set` changes its config
/// and weights): read back from its files as written, scoring otherwise than without it, and
/// refused, naming the tensor, once `shorten` takes a value off.
fn reads_an_optional_row_tensor(
    tensor: &str,
    set: impl Fn(&mut ModelConfig, &mut Weights),
    shorten: impl Fn(&mut Weights),
) {
    let c = Classifier::embedded().unwrap();
    let mut files = c.to_files().unwrap();
    let (mut config, mut w) = (c.config.clone(), c.weights.clone());
    set(&mut config, &mut w);
    files.insert("config.json".into(), serde_json::to_vec(&config).unwrap());
    files.insert("model.safetensors".into(), safetensors_of(&w));
    let read = Classifier::from_files(&files).unwrap();
    assert_eq!(read.weights, w);
    assert_eq!(
        read.to_files().unwrap()["model.safetensors"],
        safetensors_of(&w)
    );
    let profiles = examples();
    assert_ne!(
        read.score_batch(&profiles).unwrap(),
        c.score_batch(&profiles).unwrap()
    );
    shorten(&mut w);
    files.insert("model.safetensors".into(), safetensors_of(&w));
    let err = Classifier::from_files(&files).unwrap_err().to_string();
    assert!(err.contains(&format!("tensor {tensor}")), "{err}");
}

#[test]
fn an_idf_pooled_model_reads_its_idf_from_its_files_and_refuses_a_short_one() {
    // The idf weights change the pooled sections, so the scores.
    reads_an_optional_row_tensor(
        net::IDF,
        |config, w| {
            config.pooling = net::Pooling::Idf;
            w.pooling = net::Pooling::Idf;
            w.idf = (0..w.rows()).map(|r| 1.0 + (r % 5) as f32).collect();
        },
        |w| {
            w.idf.pop();
        },
    );
}

#[test]
fn a_model_with_a_wide_part_reads_it_from_its_files_and_refuses_a_short_one() {
    // The wide weights are added to the logits, so the scores change.
    reads_an_optional_row_tensor(
        net::WIDE,
        |config, w| {
            config.wide = true;
            w.wide = (0..w.rows()).map(|r| (r % 7) as f32 * 0.1 - 0.3).collect();
        },
        |w| {
            w.wide.pop();
        },
    );
}

#[test]
fn name_spans_leave_what_the_engines_read_and_only_when_asked() {
    let signed = |first: &str, last: &str| {
        Profile {
        id: "n".into(),
        name: Some(format!("{first} {last}")),
        messages: Some(vec![crate::profile::Message {
            direction: crate::profile::Direction::Inbound,
            text: format!(
                "Hello, I'm {first} and I recruit for a client in Geneva.\nBest regards, {first} {last}"
            ),
        }]),
        ..Profile::default()
    }
    };
    let (wei, ana) = (signed("Wei", "Zhang"), signed("Ana", "Petrova"));
    let read = |p: &Profile, strip: bool| Reading::new(p, None, strip).texts;
    // Taken out, a consistent rename leaves the same texts; kept, the name is read.
    assert_eq!(read(&wei, true), read(&ana, true));
    assert_ne!(read(&wei, false), read(&ana, false));
    assert!(read(&wei, false).iter().any(|t| t.contains("zhang")));
    // The normalised texts the rules and the evidence read keep the name either way.
    let kept = Reading::new(&wei, None, true).normalized;
    assert!(kept.iter().any(|(_, n)| n.text.contains("zhang")));
    // An ensemble's memo keeps the two readings apart.
    let memo = crate::score::Memo::default();
    let a = Reading::shared(&wei, None, true, &memo);
    let b = Reading::shared(&wei, None, false, &memo);
    assert_ne!(a.texts, b.texts);
}

#[test]
fn hidden_characters_and_look_alikes_cannot_keep_a_name_from_being_found() {
    let note = |text: &str| Profile {
        id: "n".into(),
        messages: Some(vec![crate::profile::Message {
            direction: crate::profile::Direction::Inbound,
            text: text.into(),
        }]),
        ..Profile::default()
    };
    let clean = note(
        "Hello, my name is Sarah Smith and I write to wei.zhang@gmail.com.\nBest, Sarah Smith",
    );
    // A zero-width space inside the name, Cyrillic `а` and `е` in the keyword and the name,
    // a combining mark, a bidi control in the address.
    let disguised = note(
        "Hello, my n\u{430}me is S\u{200B}arah Smith\u{1DC4} and I write to wei.zh\u{202E}ang@gmail.com.\nB\u{435}st, Sarah Sm\u{2060}ith",
    );
    let read = |p: &Profile| Reading::new(p, None, true).texts;
    assert_eq!(read(&clean), read(&disguised));
    assert!(
        !read(&clean).concat().contains("sarah"),
        "{:?}",
        read(&clean)
    );
}
