//! Fuzzes the whole scoring path of one input line: parsing, normalisation (idempotent on every
//! text), the rules, the linear engine and the neural model. Any panic is a bug: hostile input
//! must be rejected or scored, never crash linkscreen.

#![no_main]

use std::collections::BTreeSet;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use linkscreen::artifact::Artifact;
use linkscreen::linear::LinearModel;
use linkscreen::model::Classifier;
use linkscreen::normalize::normalize;
use linkscreen::profile::parse_line;
use linkscreen::rules::RuleSet;
use linkscreen::score::Scorer;

fn rules() -> &'static RuleSet {
    static RULES: OnceLock<RuleSet> = OnceLock::new();
    RULES.get_or_init(RuleSet::default_rules)
}

fn artifact() -> &'static Artifact {
    static ARTIFACT: OnceLock<Artifact> = OnceLock::new();
    ARTIFACT.get_or_init(|| Artifact::embedded().expect("the embedded model loads"))
}

fn model() -> &'static Classifier {
    &artifact().classifier
}

fn linear() -> &'static LinearModel {
    artifact()
        .linear
        .as_ref()
        .expect("the embedded model has a linear engine")
}

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        let once = normalize(text).text;
        assert_eq!(normalize(&once).text, once, "normalisation is idempotent");
    }
    let mut unknown = BTreeSet::new();
    let Ok(profile) = parse_line(data, &mut unknown) else {
        return;
    };
    // A valid record must survive a round trip through the writer.
    let again = parse_line(profile.to_json_line().as_bytes(), &mut BTreeSet::new())
        .expect("a parsed profile re-parses");
    assert_eq!(again, profile);
    let a = rules().assess_profile(&profile);
    assert!(a.score.is_finite() && (0.0..=1.0).contains(&a.score));
    let m = model()
        .score_batch(std::slice::from_ref(&profile))
        .expect("the model scores any valid profile");
    assert!(m[0].score.is_finite() && (0.0..=1.0).contains(&m[0].score));
    let l = linear()
        .score_batch(std::slice::from_ref(&profile))
        .expect("the linear engine scores any valid profile");
    assert!(l[0].score.is_finite() && (0.0..=1.0).contains(&l[0].score));
});
