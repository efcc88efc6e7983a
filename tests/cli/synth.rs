//! Tests of `linkscreen synth`, driving the real binary.

use std::collections::BTreeSet;

use crate::{linkscreen, path_str};

fn synth_to(dir: &std::path::Path, name: &str, extra: &[&str]) -> (String, String) {
    let out = dir.join(format!("{name}.jsonl"));
    let meta = dir.join(format!("{name}.meta.jsonl"));
    let mut args = vec!["synth", "--out", path_str(&out), "--meta", path_str(&meta)];
    args.extend_from_slice(extra);
    let run = linkscreen(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (
        std::fs::read_to_string(&out).unwrap(),
        std::fs::read_to_string(&meta).unwrap(),
    )
}

#[test]
fn same_arguments_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let args = ["--n", "400", "--seed", "42"];
    let (a, am) = synth_to(dir.path(), "a", &args);
    let (b, bm) = synth_to(dir.path(), "b", &args);
    assert_eq!(a, b);
    assert_eq!(am, bm);
    let (c, _) = synth_to(dir.path(), "c", &["--n", "400", "--seed", "43"]);
    assert_ne!(a, c);
    assert_eq!(a.lines().count(), 400);
    assert_eq!(am.lines().count(), 400);
}

#[test]
fn output_is_valid_profile_format_with_meta() {
    let dir = tempfile::tempdir().unwrap();
    let (profiles, meta) = synth_to(
        dir.path(),
        "v",
        &[
            "--n",
            "300",
            "--seed",
            "5",
            "--fake-share",
            "0.3",
            "--languages",
            "en=0.5,fr=0.25,de=0.25",
        ],
    );
    let path = dir.path().join("v.jsonl");
    let check = linkscreen(&["check", path_str(&path)]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    let mut fakes = 0;
    for (p, m) in profiles.lines().zip(meta.lines()) {
        let p = linkscreen::profile::parse_line(p.as_bytes(), &mut BTreeSet::new()).unwrap();
        let m: linkscreen::meta::Meta = serde_json::from_str(m).unwrap();
        assert_eq!(p.id, m.id);
        assert!(["easy", "medium", "hard"].contains(&m.difficulty.as_deref().unwrap()));
        assert!(["en", "fr", "de"].contains(&m.language.as_deref().unwrap()));
        fakes += usize::from(p.label == Some(linkscreen::profile::Label::Fake));
    }
    assert!(
        (60..=130).contains(&fakes),
        "{fakes} fakes of 300 at share 0.3"
    );
    let fr = meta
        .lines()
        .filter(|l| l.contains("\"language\":\"fr\""))
        .count();
    assert!((40..=115).contains(&fr), "{fr} French of 300");
}

#[test]
fn bad_arguments_are_usage_errors() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    for bad in [
        vec!["--languages", "en=0.8,xx=0.2"],
        vec!["--languages", "en"],
        vec!["--languages", "en=-1"],
        vec!["--languages", "en=0,fr=0"],
        vec!["--fake-share", "1.5"],
        vec!["--n", "many"],
    ] {
        let mut args = vec!["synth", "--out", path_str(&out)];
        args.extend(bad.iter().copied());
        let run = linkscreen(&args);
        assert_eq!(run.code, 2, "{bad:?}: {}", run.stderr);
        assert!(run.stderr.contains("--"), "{bad:?}: {}", run.stderr);
    }
    let help = linkscreen(&["synth", "--help"]);
    assert_eq!(help.code, 0);
    assert!(help.stdout.contains("Examples"));
}
