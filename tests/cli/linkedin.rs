//! `linkscreen data import linkedin-export` on the hand-written export in
//! `tests/fixtures/linkedin-export` (and a zip of it made here), then scoring the result.

use std::io::Write;
use std::path::Path;

use serde_json::Value;

use crate::{fixture, linkscreen, path_str, Run};

fn import(path: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["data", "import", "linkedin-export", path_str(path)];
    args.extend_from_slice(extra);
    linkscreen(&args)
}

fn records(stdout: &str) -> Vec<Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("one JSON record per line"))
        .collect()
}

fn by_id<'a>(records: &'a [Value], id: &str) -> &'a Value {
    records
        .iter()
        .find(|r| r["id"] == id)
        .unwrap_or_else(|| panic!("no record {id}"))
}

fn messages(r: &Value) -> Vec<(String, String)> {
    r["messages"]
        .as_array()
        .expect("messages")
        .iter()
        .map(|m| {
            (
                m["direction"].as_str().unwrap().to_owned(),
                m["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

/// Zips the fixture folder with deflate, as LinkedIn does.
fn zip_fixture(dir: &Path) -> std::path::PathBuf {
    let path = dir.join("Basic_LinkedInDataExport_03-12-2024.zip");
    let mut zip = zip::ZipWriter::new(std::fs::File::create(&path).unwrap());
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    let mut names: Vec<_> = std::fs::read_dir(fixture("linkedin-export"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    for p in names {
        let name = p.file_name().unwrap().to_str().unwrap().to_owned();
        zip.start_file(name, options).unwrap();
        zip.write_all(&std::fs::read(&p).unwrap()).unwrap();
    }
    zip.finish().unwrap();
    path
}

#[test]
fn linkedin_export_gives_exactly_the_people_who_wrote_or_invited() {
    let run = import(&fixture("linkedin-export"), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let recs = records(&run.stdout);
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    // First inbound contact first; Priya invited without a note (no dated message): last.
    // Markus only received the owner's invitation: not there. The owner is never a record.
    assert_eq!(
        ids,
        [
            "li-tom-baker-eng",
            "li-laeticia-chen-ccipe",
            "li-sophie-durand-rh",
            "li-priya-nair-grid"
        ]
    );
    assert!(
        run.stderr
            .contains("owner claire-martin-energy (from Profile.csv)"),
        "{}",
        run.stderr
    );
    let lc = by_id(&recs, "li-laeticia-chen-ccipe");
    assert_eq!(lc["username"], "laeticia-chen-ccipe");
    assert_eq!(lc["name"], "Laeticia Chen");
    assert_eq!(lc["platform"], "linkedin");
}

#[test]
fn linkedin_export_conversations_are_oldest_first_with_directions() {
    let run = import(&fixture("linkedin-export"), &[]);
    let recs = records(&run.stdout);
    let lc = messages(by_id(&recs, "li-laeticia-chen-ccipe"));
    let got: Vec<(&str, &str)> = lc
        .iter()
        .map(|(d, t)| (d.as_str(), t.split('.').next().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (
                "inbound",
                "Dear Claire,\nI was impressed by your expertise in EU energy policy"
            ),
            ("inbound", "Thank you for connecting, Claire"),
            ("outbound", "What would the reports be about?"),
            (
                "inbound",
                "We would cover travel, hotel and a fee of 2,000 EUR"
            ),
        ]
    );
    assert!(lc[1].1.contains("Our \"seminar\" in Shanghai"));
    assert!(lc[3].1.ends_with("\nCould we continue on WhatsApp?"));
    // A conversation the owner started: their message first, outbound.
    let tb = messages(by_id(&recs, "li-tom-baker-eng"));
    assert_eq!(tb.len(), 2);
    assert_eq!(tb[0].0, "outbound");
    assert!(tb[0].1.starts_with("Hi Tom"));
    assert_eq!(tb[1].0, "inbound");
    // Sophie: the note, then her message; the attachment-only message has no text to keep.
    let sd = messages(by_id(&recs, "li-sophie-durand-rh"));
    assert_eq!(sd.len(), 2);
    assert!(sd[1].1.contains("Chargée de Recrutement"));
    // Invited without a note: the conversation is known and empty.
    assert_eq!(
        by_id(&recs, "li-priya-nair-grid")["messages"],
        serde_json::json!([])
    );
}

#[test]
fn linkedin_export_takes_position_and_company_from_connections() {
    let run = import(&fixture("linkedin-export"), &[]);
    let recs = records(&run.stdout);
    let lc = by_id(&recs, "li-laeticia-chen-ccipe");
    assert_eq!(
        lc["experience"],
        serde_json::json!([{
            "title": "Manager, Product Evaluation",
            "company": "China Center of International Politics and Economy",
            "end": null
        }])
    );
    // Not a connection: nothing is known about the position, so the field is absent.
    let pn = by_id(&recs, "li-priya-nair-grid");
    for field in ["experience", "headline", "connections", "about"] {
        assert!(pn.get(field).is_none(), "{field} should be absent");
    }
}

#[test]
fn linkedin_export_zip_and_folder_give_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let zip = zip_fixture(dir.path());
    let from_folder = import(&fixture("linkedin-export"), &[]);
    let from_zip = import(&zip, &[]);
    assert_eq!(from_zip.code, 0, "{}", from_zip.stderr);
    assert!(!from_folder.stdout.is_empty());
    assert_eq!(from_zip.stdout, from_folder.stdout);
    // --out writes the same bytes as standard output.
    let out = dir.path().join("inbox.jsonl");
    let run = import(&zip, &["--out", path_str(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(std::fs::read_to_string(&out).unwrap(), from_folder.stdout);
}

#[test]
fn linkedin_export_output_scores_with_every_engine() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("inbox.jsonl");
    let run = import(&fixture("linkedin-export"), &["--out", path_str(&out)]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let check = linkscreen(&["check", path_str(&out)]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    for engine in ["model", "rules", "hybrid"] {
        let scored = linkscreen(&["score", path_str(&out), "--engine", engine]);
        assert_eq!(scored.code, 0, "{engine}: {}", scored.stderr);
        let recs = records(&scored.stdout);
        assert_eq!(recs.len(), 4, "{engine}");
        assert!(
            !scored.stderr.contains("unknown fields"),
            "{}",
            scored.stderr
        );
    }
    // The think-tank approach is flagged by the rules with its evidence as written.
    let rules = linkscreen(&["score", path_str(&out), "--engine", "rules"]);
    let lc = by_id(&records(&rules.stdout), "li-laeticia-chen-ccipe").clone();
    assert_ne!(lc["verdict"], "genuine", "{lc}");
    assert!(lc["reasons"].to_string().contains("WhatsApp"), "{lc}");
}

#[test]
fn linkedin_export_missing_files_are_noted_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    for f in ["Invitations.csv", "messages.csv"] {
        std::fs::copy(fixture("linkedin-export").join(f), dir.path().join(f)).unwrap();
    }
    let run = import(dir.path(), &[]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run
        .stderr
        .contains("Connections.csv: not in the export; skipped"));
    assert!(run
        .stderr
        .contains("Profile.csv: not in the export; skipped"));
    // Without Profile.csv the owner comes from the invitations.
    assert!(run
        .stderr
        .contains("owner claire-martin-energy (from Invitations.csv)"));
    let recs = records(&run.stdout);
    assert_eq!(recs.len(), 4);
    assert!(recs.iter().all(|r| r.get("experience").is_none()));
}

#[test]
fn linkedin_export_owner_url_overrides_and_is_checked() {
    let bad = import(&fixture("linkedin-export"), &["--owner-url", "not a url"]);
    assert_eq!(bad.code, 2);
    assert!(bad.stderr.contains("--owner-url"));
    let run = import(
        &fixture("linkedin-export"),
        &[
            "--owner-url",
            "https://www.linkedin.com/in/claire-martin-energy/",
        ],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("(from --owner-url)"));
    let missing = import(Path::new("tests/fixtures/no-such-export.zip"), &[]);
    assert_eq!(missing.code, 2);
}
