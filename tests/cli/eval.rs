//! `linkscreen eval` on a hand-checkable labelled file.
//!
//! The fixture rule set scores sigmoid(-1 + fired weights): no hit 0.269, `headhunter` 0.5,
//! `paid report` 0.731, both 0.881. The eight labelled profiles score
//! fakes 0.881, 0.731, 0.5, 0.269 and genuine 0.5, 0.269, 0.269, 0.269, so of the 16
//! (fake, genuine) pairs the fakes win 4 + 4 + 3 + 0, tie 1 + 3 (half each): ROC-AUC 13/16.

use serde_json::Value;

use super::{fixture, linkscreen, path_str};

const FILE: &str = "tests/fixtures/eval/labelled.jsonl";
const META: &str = "tests/fixtures/eval/labelled.meta.jsonl";
const RULES: &str = "tests/fixtures/eval/rules.toml";

fn eval_json(extra: &[&str]) -> Value {
    let mut args = vec![
        "eval",
        FILE,
        "--rules",
        RULES,
        "--format",
        "json",
        "--engines",
        "rules",
    ];
    args.extend_from_slice(extra);
    let r = linkscreen(&args);
    assert_eq!(r.code, 0, "{}", r.stderr);
    serde_json::from_str(&r.stdout).expect("eval --format json prints one JSON document")
}

#[test]
fn auc_and_threshold_figures_match_the_hand_computation() {
    let j = eval_json(&[]);
    let s = &j["engines"][0]["summary"];
    assert_eq!(j["engines"][0]["engine"], "rules");
    assert_eq!(s["roc_auc"], 13.0 / 16.0);
    // At the fake threshold (0.8) only f1 is flagged; at review (0.5) f1, f2, f3 and g1.
    assert_eq!(s["at_fake"]["confusion"]["tp"], 1);
    assert_eq!(s["at_fake"]["precision"], 1.0);
    assert_eq!(s["at_fake"]["recall"], 0.25);
    assert_eq!(s["at_review"]["confusion"]["fp"], 1);
    assert_eq!(s["at_review"]["precision"], 0.75);
    // No false positive is allowed at 1% or 5% of four genuine profiles: f1 and f2 only.
    assert_eq!(s["recall_at_1pct_fpr"], 0.5);
    assert_eq!(s["recall_at_5pct_fpr"], 0.5);
}

#[test]
fn json_has_every_field() {
    let j = eval_json(&["--bootstrap", "50", "--seed", "3"]);
    assert_eq!(j["format_version"], 1);
    assert_eq!(j["bootstrap_resamples"], 50);
    assert_eq!(j["input"]["evaluated"], 8);
    assert_eq!(j["input"]["fakes"], 4);
    let e = &j["engines"][0];
    for key in [
        "thresholds",
        "summary",
        "seconds",
        "profiles_per_second",
        "reliability",
        "worst",
    ] {
        assert!(e.get(key).is_some(), "engine report lacks {key}");
    }
    let s = &e["summary"];
    for key in [
        "profiles",
        "fakes",
        "genuine",
        "roc_auc",
        "pr_auc",
        "recall_at_1pct_fpr",
        "recall_at_5pct_fpr",
        "at_fake",
        "at_review",
        "brier",
        "ece",
        "mean_score",
        "ci",
    ] {
        assert!(s.get(key).is_some(), "summary lacks {key}");
    }
    for key in [
        "precision",
        "recall",
        "f1",
        "false_positive_rate",
        "threshold",
        "confusion",
    ] {
        assert!(s["at_fake"].get(key).is_some(), "at_fake lacks {key}");
    }
    let ci = &s["ci"]["roc_auc"];
    let (low, high) = (ci["low"].as_f64().unwrap(), ci["high"].as_f64().unwrap());
    assert!(low <= 13.0 / 16.0 && 13.0 / 16.0 <= high, "{ci}");
    assert!(s["ci"]["recall_at_5pct_fpr"]["low"].is_number());
    assert!(e["profiles_per_second"].as_f64().unwrap() > 0.0);
    // Ten most wrong by default, capped by the set size; no evidence unless asked for.
    assert_eq!(e["worst"].as_array().unwrap().len(), 8);
    assert_eq!(e["worst"][0]["id"], "f4");
    assert!(!j.to_string().contains("evidence"));
}

#[test]
fn same_seed_gives_the_same_intervals() {
    let a = eval_json(&["--seed", "5"]);
    let b = eval_json(&["--seed", "5"]);
    assert_eq!(a["engines"][0]["summary"], b["engines"][0]["summary"]);
}

#[test]
fn unlabelled_profiles_are_skipped_and_counted() {
    let r = linkscreen(&["eval", FILE, "--rules", RULES]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("2 profiles without a label were skipped"),
        "{}",
        r.stderr
    );
    assert!(r.stdout.contains("2 unlabelled skipped"), "{}", r.stdout);
    assert_eq!(eval_json(&[])["input"]["unlabelled"], 2);
    let (_d, only_unlabelled) = super::temp_file("u.jsonl", b"{\"id\":\"a\"}\n");
    let r = linkscreen(&["eval", path_str(&only_unlabelled)]);
    assert_eq!(r.code, 2);
    assert!(r.stderr.contains("no labelled profiles"), "{}", r.stderr);
}

#[test]
fn table_puts_engines_side_by_side() {
    let r = linkscreen(&["eval", FILE, "--rules", RULES]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let header = r.stdout.lines().find(|l| l.starts_with("metric")).unwrap();
    let names: Vec<&str> = header.split_whitespace().skip(1).collect();
    assert_eq!(names, ["ensemble", "linear", "model", "rules", "hybrid"]);
    for row in [
        "ROC-AUC",
        "PR-AUC",
        "recall @ 1% FPR",
        "Brier score",
        "calibration error",
        "profiles/s",
    ] {
        assert!(r.stdout.contains(row), "table lacks {row}:\n{}", r.stdout);
    }
    // The rules column shows 13/16 with its interval.
    assert!(r.stdout.contains("0.812 ["), "{}", r.stdout);
}

#[test]
fn model_and_hybrid_are_evaluated_and_the_hybrid_can_be_fitted() {
    let dir = tempfile::tempdir().unwrap();
    let saved = dir.path().join("hybrid.json");
    let r = linkscreen(&[
        "eval",
        FILE,
        "--rules",
        RULES,
        "--format",
        "json",
        "--fit-hybrid",
        FILE,
        "--save-hybrid",
        path_str(&saved),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(
        r.stderr.contains("hybrid fitted on 8 profiles"),
        "{}",
        r.stderr
    );
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    let kinds: Vec<&str> = j["engines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["engine"].as_str().unwrap())
        .collect();
    assert_eq!(kinds, ["ensemble", "linear", "model", "rules", "hybrid"]);
    for e in j["engines"].as_array().unwrap() {
        assert!(e["summary"]["roc_auc"].is_number(), "{}", e["engine"]);
    }
    assert_eq!(j["hybrid"]["fitted_on"]["profiles"], 8);
    // The saved coefficients load back and give the same hybrid figures.
    let again = linkscreen(&[
        "eval",
        FILE,
        "--rules",
        RULES,
        "--format",
        "json",
        "--engines",
        "hybrid",
        "--hybrid-params",
        path_str(&saved),
    ]);
    assert_eq!(again.code, 0, "{}", again.stderr);
    let k: Value = serde_json::from_str(&again.stdout).unwrap();
    assert_eq!(k["hybrid"], j["hybrid"]);
    assert_eq!(k["engines"][0]["summary"], j["engines"][4]["summary"]);
    // Without fitting, the parameters stored in the embedded model (fitted by `linkscreen train`
    // on its validation split) are used, not the documented defaults.
    let d = linkscreen(&["eval", FILE, "--format", "json", "--engines", "hybrid"]);
    let d: Value = serde_json::from_str(&d.stdout).unwrap();
    assert!(
        d["hybrid"]["fitted_on"]["profiles"].as_u64().unwrap_or(0) > 1000,
        "{}",
        d["hybrid"]
    );
    assert!(
        d["hybrid"]["thresholds"]["review"].is_number(),
        "{}",
        d["hybrid"]
    );
    assert_ne!(
        (d["hybrid"]["a"].as_f64(), d["hybrid"]["b"].as_f64()),
        (Some(1.0), Some(0.5))
    );
}

#[test]
fn per_group_figures_with_meta() {
    let j = eval_json(&["--meta", META]);
    let g = &j["grouping"];
    assert_eq!(g["key"], "family");
    assert_eq!(g["without_meta"], 1);
    let groups = g["groups"].as_array().unwrap();
    let names: Vec<&str> = groups.iter().map(|x| x["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "(no meta)",
            "genuine_engineer",
            "genuine_recruiter",
            "job_fraud",
            "state_recruiter"
        ]
    );
    let state = &groups[4]["engines"][0]["summary"];
    assert_eq!(state["at_fake"]["recall"], 0.5);
    assert!(state["roc_auc"].is_null());
    let by_difficulty = eval_json(&["--meta", META, "--group-by", "difficulty"]);
    let hard = by_difficulty["grouping"]["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["name"] == "hard")
        .expect("a hard group")
        .clone();
    // f2, f3, f4 (fake) and g1 (genuine): f2 0.731 and f3 0.5 beat or tie g1 0.5.
    assert_eq!(hard["profiles"], 4);
    assert_eq!(
        hard["engines"][0]["summary"]["roc_auc"],
        (1.0 + 0.5 + 0.0) / 3.0
    );
    let r = linkscreen(&["eval", FILE, "--rules", RULES, "--meta", META]);
    assert!(
        r.stdout.contains("per family") && r.stdout.contains("state_recruiter"),
        "{}",
        r.stdout
    );
}

#[test]
fn html_report_is_self_contained_and_private_by_default() {
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    let r = linkscreen(&[
        "eval",
        FILE,
        "--rules",
        RULES,
        "--meta",
        META,
        "--report",
        path_str(&page),
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&page).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.matches("<svg").count() >= 4,
        "ROC, PR, calibration and a histogram"
    );
    assert!(html.contains("Precision-recall") && html.contains("Calibration"));
    assert!(html.contains("state_recruiter"), "per-group table");
    assert!(html.contains("<td>f4</td>"), "most-wrong list");
    // Figures are real tables, every plot says how to read it, the model is named.
    assert!(!html.contains("<pre>"));
    assert!(html.contains("<th>metric</th>") && html.contains("<td>ROC-AUC</td>"));
    assert!(
        html.contains("<td>state_recruiter</td>"),
        "per-group table cells"
    );
    assert_eq!(
        html.matches("<figure>").count(),
        html.matches("<figcaption>").count()
    );
    assert!(html.matches("<figcaption>").count() >= 4);
    assert!(html.contains("Model: default (embedded), manifest sha256 "));
    for remote in [
        "http:", "https:", "src=", "<script", "<link", "url(", "@import",
    ] {
        assert!(!html.contains(remote), "report refers to {remote}");
    }
    // Evidence is profile text: left out unless asked for.
    assert!(!html.contains("paid report"));
    let r = linkscreen(&[
        "eval",
        FILE,
        "--rules",
        RULES,
        "--report",
        path_str(&page),
        "--report-evidence",
    ]);
    assert_eq!(r.code, 0, "{}", r.stderr);
    assert!(std::fs::read_to_string(&page)
        .unwrap()
        .contains("paid report"));
}

#[test]
fn rejected_lines_are_counted_and_set_exit_code_one() {
    let mut text = std::fs::read(fixture("eval/labelled.jsonl")).unwrap();
    text.extend_from_slice(b"{\"id\":\"bad\",\"connections\":-1,\"label\":\"fake\"}\n");
    let (_d, path) = super::temp_file("x.jsonl", &text);
    let r = linkscreen(&[
        "eval",
        path_str(&path),
        "--rules",
        RULES,
        "--format",
        "json",
    ]);
    assert_eq!(r.code, 1, "{}", r.stderr);
    let j: Value = serde_json::from_str(&r.stdout).unwrap();
    assert_eq!(j["input"]["rejected"], 1);
    assert_eq!(j["input"]["evaluated"], 8);
}

#[test]
fn profiles_in_a_script_the_engines_never_learned_are_counted_apart() {
    let mut text = std::fs::read(fixture("eval/labelled.jsonl")).unwrap();
    text.extend_from_slice(
        "{\"id\":\"ru\",\"label\":\"fake\",\"messages\":[{\"direction\":\"inbound\",\"text\":\"Здравствуйте! Ваш опыт в атомной энергетике очень интересен нашему клиенту, напишите мне.\"}]}\n"
            .as_bytes(),
    );
    let (_d, path) = super::temp_file("x.jsonl", &text);
    let args = [
        "eval",
        path_str(&path),
        "--rules",
        RULES,
        "--engines",
        "rules",
    ];
    let j: Value =
        serde_json::from_str(&linkscreen(&[&args[..], &["--format", "json"]].concat()).stdout)
            .unwrap();
    assert_eq!(j["input"]["insufficient_unread_script"], 1);
    let table = linkscreen(&args);
    assert!(
        table
            .stdout
            .contains("; 1 of them written in a script the engines never learned"),
        "{}",
        table.stdout
    );
}
