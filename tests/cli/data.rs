//! `linkscreen data import` and `linkscreen data split` on the hand-written fixtures in
//! `tests/fixtures/public` (checked against their own `SHA256SUMS`).

use std::path::Path;

use crate::{fixture, linkscreen, path_str};

fn manifest() -> String {
    path_str(&fixture("public/SHA256SUMS")).to_owned()
}

fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect()
}

#[test]
fn import_writes_records_and_sidecar_and_reports_bad_rows() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("emscad.jsonl");
    let public = fixture("public");
    let run = linkscreen(&[
        "data",
        "import",
        "emscad",
        path_str(&public),
        "--out",
        path_str(&out),
        "--manifest",
        &manifest(),
    ]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run
        .stderr
        .contains("emscad/fake_job_postings.csv row 5: fraudulent: must be 0 or 1"));
    assert!(run
        .stderr
        .contains("row 6: (row): has 5 fields, expected 18"));
    assert!(run
        .stderr
        .contains("imported 4 (2 fake, 2 genuine), skipped 2, dropped 1 exact duplicate rows"));
    // Rejections name rows and fields, never content.
    for text in ["maybe", "Courier", "Short row"] {
        assert!(!run.stderr.contains(text), "{text} leaked into stderr");
    }
    let records = lines(&out);
    assert_eq!(records.len(), 4);
    assert!(records[0].contains("\"platform\":\"other\""));
    let meta = lines(&dir.path().join("emscad.meta.jsonl"));
    assert_eq!(meta.len(), 4);
    assert!(meta[0].contains("\"family\":\"emscad\""));
    // The written file is valid profile format v1.
    let check = linkscreen(&["check", path_str(&out)]);
    assert_eq!(check.code, 0, "{}", check.stderr);
}

#[test]
fn import_to_stdout_from_the_set_folder() {
    let public = fixture("public/cresci-2015");
    let dir = tempfile::tempdir().unwrap();
    let meta = dir.path().join("m.jsonl");
    // The set's own folder works as well as the folder holding it; one fixture row is bad.
    let run = linkscreen(&[
        "data",
        "import",
        "cresci-2015",
        path_str(&public),
        "--meta",
        path_str(&meta),
        "--manifest",
        &manifest(),
    ]);
    assert_eq!(run.code, 1);
    assert_eq!(run.stdout.lines().count(), 4);
    assert!(!run.stdout.contains("E13") && !run.stdout.contains("\"lang\""));
    assert!(lines(&meta)[0].contains("cresci-2015/E13"));
}

#[test]
fn checksum_mismatch_imports_nothing_and_exits_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("x.jsonl");
    // The compiled-in hashes are those of the public files, so the fixtures do not match.
    let run = linkscreen(&[
        "data",
        "import",
        "instafake",
        path_str(&fixture("public")),
        "--out",
        path_str(&out),
    ]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stderr.contains("instafake/realAccountData.json"));
    assert!(run.stderr.contains("SHA-256 mismatch"));
    assert!(!out.exists());
    assert!(run.stdout.is_empty());

    let missing = linkscreen(&["data", "import", "emscad", path_str(dir.path())]);
    assert_eq!(missing.code, 2);
    assert!(missing
        .stderr
        .contains("emscad/fake_job_postings.csv: file not found"));

    let unknown = linkscreen(&["data", "import", "linkedin", "."]);
    assert_eq!(unknown.code, 2);
}

#[test]
fn split_is_deterministic_and_keeps_duplicates_together() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("all.jsonl");
    let meta = dir.path().join("all.meta.jsonl");
    // Four distinct ads, each pair a near duplicate of the other, plus their meta.
    let ads = [
        (
            "a1",
            "fake",
            "Earn 500 dollars a week typing from home, no experience needed, start today",
        ),
        (
            "a2",
            "fake",
            "Earn 900 dollars a week typing from home, no experience needed, start today!",
        ),
        (
            "b1",
            "genuine",
            "Research fellow in energy policy at a university institute in Brussels",
        ),
        (
            "b2",
            "genuine",
            "Research fellow in energy policy at a university institute in Brussels.",
        ),
        (
            "c1",
            "genuine",
            "Warehouse operative for night shifts in a distribution centre",
        ),
        (
            "d1",
            "fake",
            "Paid reports for our foundation, generous honorarium, reply on Telegram",
        ),
    ];
    let mut text = String::new();
    let mut meta_text = String::new();
    for (id, label, about) in ads {
        text.push_str(&format!(
            "{{\"id\":\"{id}\",\"about\":\"{about}\",\"label\":\"{label}\"}}\n"
        ));
        meta_text.push_str(&format!(
            "{{\"id\":\"{id}\",\"family\":\"t\",\"group\":\"{id}\"}}\n"
        ));
    }
    std::fs::write(&records, text).unwrap();
    std::fs::write(&meta, meta_text).unwrap();
    let split = |out: &Path| {
        linkscreen(&[
            "data",
            "split",
            path_str(&records),
            "--meta",
            path_str(&meta),
            "--seed",
            "5",
            "--ratios",
            "0.5,0.25,0.25",
            "--out-dir",
            path_str(out),
        ])
    };
    let (one, two) = (dir.path().join("one"), dir.path().join("two"));
    let run = split(&one);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stdout.contains("split") && run.stdout.contains("validation"));
    assert_eq!(split(&two).code, 0);
    let mut seen = Vec::new();
    for s in ["train", "validation", "test"] {
        let a = lines(&one.join(format!("{s}.jsonl")));
        assert_eq!(
            a,
            lines(&two.join(format!("{s}.jsonl"))),
            "{s} differs between runs"
        );
        let m = lines(&one.join(format!("{s}.meta.jsonl")));
        assert_eq!(a.len(), m.len());
        for line in &a {
            let id = &line[7..9];
            seen.push((id.to_owned(), s));
        }
    }
    assert_eq!(seen.len(), ads.len());
    let split_of = |id: &str| seen.iter().find(|(i, _)| i == id).unwrap().1;
    assert_eq!(split_of("a1"), split_of("a2"));
    assert_eq!(split_of("b1"), split_of("b2"));
}

#[test]
fn data_help_has_examples() {
    for args in [["data", "import", "--help"], ["data", "split", "--help"]] {
        let run = linkscreen(&args);
        assert_eq!(run.code, 0);
        assert!(run.stdout.contains("Examples:"), "{}", run.stdout);
    }
}

#[test]
fn split_without_meta_treats_each_record_as_its_own_group() {
    let dir = tempfile::tempdir().unwrap();
    let records = dir.path().join("all.jsonl");
    let mut text = String::new();
    for i in 0..40 {
        let label = if i % 2 == 0 { "fake" } else { "genuine" };
        text.push_str(&format!(
            "{{\"id\":\"r{i:02}\",\"followers\":{i},\"label\":\"{label}\"}}\n"
        ));
    }
    text.push_str("{\"id\":\"bad\",\"followers\":-1}\n");
    std::fs::write(&records, text).unwrap();
    let out = dir.path().join("out");
    let run = linkscreen(&[
        "data",
        "split",
        path_str(&records),
        "--seed",
        "3",
        "--ratios",
        "2,1,1",
        "--out-dir",
        path_str(&out),
    ]);
    // The bad line is reported by line and field and makes the exit status 1.
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("line 41: followers"));
    let counts: Vec<usize> = ["train", "validation", "test"]
        .iter()
        .map(|s| lines(&out.join(format!("{s}.jsonl"))).len())
        .collect();
    assert_eq!(counts, [20, 10, 10]);
    assert!(!out.join("train.meta.jsonl").exists());
    let bad_ratios = linkscreen(&[
        "data",
        "split",
        path_str(&records),
        "--seed",
        "1",
        "--ratios",
        "1,1",
        "--out-dir",
        path_str(&out),
    ]);
    assert_eq!(bad_ratios.code, 2);
}
