//! Tests of the evaluation flow with a tiny test-only engine.

use super::*;
use crate::profile::Label;
use crate::testing::HeadlineScorer as Fixed;

fn profile(id: &str, score: f32, label: Option<Label>) -> Profile {
    Profile {
        id: id.into(),
        headline: Some(score.to_string()),
        label,
        ..Profile::default()
    }
}

fn set() -> LabelledSet {
    LabelledSet::new([
        profile("f1", 0.9, Some(Label::Fake)),
        profile("f2", 0.3, Some(Label::Fake)),
        profile("g1", 0.6, Some(Label::Genuine)),
        profile("g2", 0.1, Some(Label::Genuine)),
        profile("u", 0.5, None),
    ])
}

fn meta(id: &str, family: &str) -> Meta {
    Meta {
        id: id.into(),
        family: family.into(),
        group: id.into(),
        difficulty: None,
        language: None,
    }
}

#[test]
fn unlabelled_profiles_are_counted_not_evaluated() {
    let s = set();
    assert_eq!((s.len(), s.unlabelled), (4, 1));
    let empty = LabelledSet::new([profile("u", 0.5, None)]);
    let run = run_engine(&Fixed, &empty.profiles).unwrap();
    let err = evaluate(
        &empty,
        &[run],
        InputCounts::default(),
        &EvalOptions::default(),
    );
    assert!(matches!(err, Err(EvalError::NoLabels { unlabelled: 1 })));
}

#[test]
fn report_has_figures_groups_and_misses() {
    let s = set();
    let run = run_engine(&Fixed, &s.profiles).unwrap();
    let o = EvalOptions {
        groups: Some((
            vec![meta("f1", "spy"), meta("f2", "spy"), meta("g1", "real")],
            GroupKey::Family,
        )),
        worst: 2,
        ..EvalOptions::default()
    };
    let r = evaluate(&s, &[run], InputCounts::default(), &o).unwrap();
    assert_eq!(
        (r.input.evaluated, r.input.unlabelled, r.input.fakes),
        (4, 1, 2)
    );
    let e = &r.engines[0];
    // Pairs (fake, genuine): 0.9 beats both, 0.3 beats only 0.1: AUC 3/4.
    assert_eq!(e.summary.figures.roc_auc, Some(0.75));
    // Most wrong: f2 (0.3 for a fake, error 0.7), then g1 (0.6 for a genuine profile).
    let ids: Vec<&str> = e.worst.iter().map(|m| m.id.as_str()).collect();
    assert_eq!(ids, ["f2", "g1"]);
    assert!(e
        .worst
        .iter()
        .all(|m| m.reasons.iter().all(|x| x.evidence.is_none())));
    let g = r.grouping.as_ref().unwrap();
    assert_eq!(g.without_meta, 1);
    let names: Vec<&str> = g.groups.iter().map(|x| x.name.as_str()).collect();
    assert_eq!(names, [groups::NO_META, "real", "spy"]);
    let spy = &g.groups[2];
    assert_eq!((spy.profiles, spy.fakes), (2, 2));
    assert_eq!(spy.engines[0].summary.figures.roc_auc, None);
    assert_eq!(spy.engines[0].summary.at_fake().recall, 0.5);
    let json = serde_json::to_value(&r).unwrap();
    assert!(json["engines"][0]["summary"]["ci"]["roc_auc"]["low"].is_number());
    assert!(json["engines"][0].get("scores").is_none());
}

#[test]
fn evidence_is_kept_only_when_asked() {
    let s = set();
    let run = run_engine(&Fixed, &s.profiles).unwrap();
    let o = EvalOptions {
        evidence: true,
        ..EvalOptions::default()
    };
    let r = evaluate(&s, &[run], InputCounts::default(), &o).unwrap();
    assert!(r.engines[0].worst[0].reasons[0].evidence.is_some());
    let page = report::html(&r, true);
    assert!(page.contains("0.6") && page.contains("<svg"));
}

#[test]
fn table_and_html_show_every_engine_and_group() {
    let s = set();
    let runs = [
        run_engine(&Fixed, &s.profiles).unwrap(),
        run_engine(&crate::rules::RuleSet::default_rules(), &s.profiles).unwrap(),
    ];
    let o = EvalOptions {
        groups: Some((vec![meta("f1", "spy_family")], GroupKey::Family)),
        ..EvalOptions::default()
    };
    let r = evaluate(&s, &runs, InputCounts::default(), &o).unwrap();
    let text = table::render(&r);
    assert!(text.contains("model") && text.contains("rules"));
    assert!(text.contains("ROC-AUC") && text.contains("spy_family"));
    let page = report::html(&r, false);
    assert!(page.contains("spy_family"));
    assert!(!page.contains("http") && !page.contains("src="));
    assert!(!page.contains("<script"));
}
