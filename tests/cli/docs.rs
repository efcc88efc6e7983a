//! The documentation's examples are what the binary prints: the score records shown in the
//! README and the run summary shown in `docs/profile-format.md` come from the shipped engines, so
//! a retrained model that changes them fails here until the documents are updated.

use super::{fixture, linkscreen, root};

/// The score records the README shows (lines that are whole JSON objects with an `id`), with
/// their id and engine.
fn readme_records() -> Vec<(String, String, String)> {
    let readme = std::fs::read_to_string(root().join("README.md")).unwrap();
    readme
        .lines()
        .filter(|l| l.starts_with("{\"id\":"))
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            let field = |k: &str| v[k].as_str().unwrap().to_owned();
            (field("id"), field("engine"), l.to_owned())
        })
        .collect()
}

#[test]
fn the_readme_shows_the_records_the_shipped_engines_write() {
    let records = readme_records();
    assert!(
        records.len() >= 2,
        "the README shows {} records",
        records.len()
    );
    for (id, engine, shown) in records {
        let run = linkscreen(&[
            "score",
            "datasets/examples/profiles.jsonl",
            "--engine",
            &engine,
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let written = run
            .stdout
            .lines()
            .find(|l| l.starts_with(&format!("{{\"id\":\"{id}\",")))
            .unwrap_or_else(|| panic!("no record for {id}"));
        assert_eq!(written, shown, "README.md's record for {id} ({engine})");
    }
}

#[test]
fn the_format_document_shows_the_summary_the_binary_prints() {
    let bad = fixture("bad.jsonl");
    let run = linkscreen(&["score", bad.to_str().unwrap()]);
    let summary = run.stderr.lines().last().unwrap();
    assert!(summary.starts_with("linkscreen: processed"), "{summary}");
    let doc = std::fs::read_to_string(root().join("docs/profile-format.md")).unwrap();
    assert!(
        doc.contains(&format!("`{summary}`")),
        "docs/profile-format.md does not show the summary {summary:?}"
    );
}
