//! Tests of check, score, explain and rules, driving the real binary.

use crate::{fixture, linkscreen, linkscreen_with_stdin, path_str, temp_file};

const EXAMPLES: &str = "datasets/examples/profiles.jsonl";

#[test]
fn examples_score_cleanly_with_rules() {
    let run = linkscreen(&["score", EXAMPLES, "--engine", "rules"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let records = run.records();
    assert_eq!(records.len(), 20);
    for r in &records {
        let score = r["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&score));
        assert!(
            ["fake", "review", "genuine", "insufficient"].contains(&r["verdict"].as_str().unwrap())
        );
        assert_eq!(r["engine"], "rules");
        assert!(r["reasons"].is_array());
    }
    assert_eq!(records[0]["id"], "ex-en-01", "records come in input order");
    assert!(
        run.stderr.contains("processed 20, rejected 0"),
        "{}",
        run.stderr
    );
}

#[test]
fn every_rejection_class_is_reported_with_line_and_field() {
    let bad = fixture("bad.jsonl");
    let run = linkscreen(&["score", path_str(&bad), "--engine", "rules"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let expected = [
        "line 2: connections: must be a non-negative integer, got -3",
        "line 3: posts: must be a non-negative integer, got 1.5",
        "line 4: followers: must be a non-negative integer, got a string",
        "line 5: account_age_days: out of range",
        "line 6: label: must be one of fake|genuine",
        "line 7: messages[0].direction: must be \"inbound\" or \"outbound\"",
        "line 8: experience[0].end: 2019-01 is before start 2020-05",
        "line 9: education[0].end: 2011 is before start 2015",
        "line 10: experience[0].start: must be a month",
        "line 11: photo_flags[0]: must be one of",
        "line 12: id: is required",
        "line 13: (record): must be a JSON object, got an array",
        "line 14: (record): must be a JSON object, got a string",
        "line 15: (record): not valid JSON",
        "line 16: (record): invalid UTF-8",
        "line 17: has_photo: must be true or false",
    ];
    for e in expected {
        assert!(run.stderr.contains(e), "missing {e:?} in:\n{}", run.stderr);
    }
    let ids: Vec<String> = run
        .stdout
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["id"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(ids, ["ok-1", "ok-2", "ok-3"]);
    assert!(
        run.stderr.contains("processed 3, rejected 16"),
        "{}",
        run.stderr
    );
    // Unknown fields are reported once per run, not per line.
    assert_eq!(
        run.stderr.matches("unknown fields").count(),
        1,
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("another_new_field, future_field"));
    // Rejections never echo profile text.
    assert!(!run.stderr.contains("unterminated") && !run.stderr.contains("sideways"));
}

#[test]
fn check_validates_without_scoring() {
    let run = linkscreen(&["check", path_str(&fixture("bad.jsonl"))]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.is_empty());
    assert!(
        run.stderr.contains("valid 3, rejected 16"),
        "{}",
        run.stderr
    );
    let run = linkscreen(&["check", EXAMPLES]);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn stdin_and_a_megabyte_field_are_accepted() {
    let about = "x".repeat(1 << 20);
    let input = format!("{{\"id\":\"big\",\"about\":\"{about}\"}}\n");
    let run = linkscreen_with_stdin(&["score", "-", "--engine", "rules"], Some(input.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("\"id\":\"big\""));
    // The model reads a bounded number of tokens per section and counts what it cut.
    let words = "consulting opportunity ".repeat(50_000);
    let input = format!(
        "{{\"id\":\"big\",\"about\":\"{words}\"}}\n{{\"id\":\"small\",\"about\":\"hello\"}}\n"
    );
    let run = linkscreen_with_stdin(&["score", "-", "--engine", "model"], Some(input.as_bytes()));
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("written 2, sections truncated for the model 1"),
        "{}",
        run.stderr
    );
}

#[test]
fn usage_and_fatal_errors_exit_2() {
    assert_eq!(linkscreen(&["score"]).code, 2);
    assert_eq!(linkscreen(&["score", EXAMPLES, "--format", "xml"]).code, 2);
    let missing = linkscreen(&["score", "no/such/file.jsonl", "--engine", "rules"]);
    assert_eq!(missing.code, 2);
    assert!(
        missing.stderr.contains("no/such/file.jsonl"),
        "{}",
        missing.stderr
    );
    assert_eq!(linkscreen(&["--help"]).code, 0);
}

#[test]
fn csv_and_table_formats() {
    let run = linkscreen(&["score", EXAMPLES, "--engine", "rules", "--format", "csv"]);
    assert_eq!(run.code, 0);
    let mut rows = csv::Reader::from_reader(run.stdout.as_bytes());
    assert_eq!(
        rows.headers().unwrap(),
        vec!["id", "score", "verdict", "engine", "reasons"]
    );
    assert_eq!(rows.records().count(), 20);
    let run = linkscreen(&["score", EXAMPLES, "--engine", "rules", "--format", "table"]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.starts_with("id "));
    assert_eq!(run.stdout.lines().count(), 21);
}

#[test]
fn no_evidence_drops_profile_text_from_output_and_nothing_else() {
    for engine in ["rules", "linear", "model", "ensemble", "hybrid"] {
        let run = linkscreen(&["score", EXAMPLES, "--engine", engine, "--no-evidence"]);
        assert_eq!(run.code, 0);
        assert!(!run.stdout.contains("evidence"), "{}", run.stdout);
        let with = linkscreen(&["score", EXAMPLES, "--engine", engine]);
        assert!(with.stdout.contains("\"evidence\""));
        // The engines skip the work of finding evidence (the linear engine's phrases, the
        // model's texts): the records are otherwise the same, reason for reason.
        let without_evidence = |line: &str| {
            let mut v: serde_json::Value = serde_json::from_str(line).unwrap();
            for r in v["reasons"].as_array_mut().unwrap() {
                r.as_object_mut().unwrap().remove("evidence");
            }
            v
        };
        let stripped: Vec<_> = with.stdout.lines().map(without_evidence).collect();
        let skipped: Vec<_> = run.stdout.lines().map(without_evidence).collect();
        assert_eq!(stripped, skipped, "{engine}");
    }
}

#[test]
fn custom_rule_files_are_used_and_validated() {
    let rules = b"format_version = 1\nbias = -2.0\n[thresholds]\nreview = 0.5\nfake = 0.9\n\
[[rule]]\ncode = \"mentions_zanzibar\"\ndescription = \"test\"\nsources = [\"test\"]\n\
fields = [\"messages\"]\nweight = 4.0\nphrases.en = [\"zanzibar\"]\nphrases.fr = [\"zanzibar\"]\n";
    let (_d, path) = temp_file("rules.toml", rules);
    let input = br#"{"id":"z","messages":[{"text":"Let us meet in ZANZIBAR"}]}"#;
    let run = linkscreen_with_stdin(
        &[
            "score",
            "-",
            "--engine",
            "rules",
            "--rules",
            path_str(&path),
        ],
        Some(input),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("mentions_zanzibar"), "{}", run.stdout);
    let listed = linkscreen(&["rules", "--rules", path_str(&path)]);
    assert!(listed.stdout.contains("mentions_zanzibar"));

    let (_d2, bad) = temp_file("bad.toml", b"format_version = 1\nbias = 0.0\n");
    let run = linkscreen(&[
        "score",
        EXAMPLES,
        "--engine",
        "rules",
        "--rules",
        path_str(&bad),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("bad.toml"), "{}", run.stderr);
}

#[test]
fn rules_lists_every_rule_with_sources() {
    let run = linkscreen(&["rules"]);
    assert_eq!(run.code, 0);
    for code in [
        "paid_report_offer",
        "move_off_platform",
        "suspicious_photo",
        "obfuscated_text",
        "new_account",
    ] {
        assert!(run.stdout.contains(code), "{code}");
    }
    assert!(run.stdout.contains("sources: "));
}

#[test]
fn explain_prints_the_breakdown_of_one_profile() {
    let run = linkscreen(&["explain", EXAMPLES, "--id", "ex-fr-01"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("move_off_platform"));
    assert!(run.stdout.contains("poursuivre sur"));
    let run = linkscreen(&["explain", EXAMPLES, "--id", "nobody"]);
    assert_eq!(run.code, 2);
}

#[test]
fn a_closed_pipe_ends_the_run_quietly() {
    use std::io::Read;
    use std::process::{Command, Stdio};
    // Many profiles, so output exceeds the pipe buffer after the reader has gone.
    let line = std::fs::read_to_string(crate::root().join(EXAMPLES)).unwrap();
    let big = line.repeat(500);
    let (_d, path) = temp_file("many.jsonl", big.as_bytes());
    let mut child = Command::new(env!("CARGO_BIN_EXE_linkscreen"))
        .args(["score", path_str(&path), "--engine", "rules"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut first = [0u8; 64];
    child
        .stdout
        .as_mut()
        .unwrap()
        .read_exact(&mut first)
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!stderr.contains("error"), "{stderr}");
}

#[test]
fn obfuscation_does_not_hide_a_phrase_from_the_rules() {
    let input = "{\"id\":\"o\",\"messages\":[{\"text\":\"Write sh\u{200b}ort rep\u{043e}rts for us, paid via Tel\u{0435}gram\"}]}\n";
    let run = linkscreen_with_stdin(&["score", "-", "--engine", "rules"], Some(input.as_bytes()));
    assert_eq!(run.code, 0);
    for code in ["paid_report_offer", "move_off_platform", "obfuscated_text"] {
        assert!(run.stdout.contains(code), "{code}: {}", run.stdout);
    }
}
