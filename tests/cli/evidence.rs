//! Evidence is quoted as written in the profile (capitals, accents, the characters used), in
//! every output format, although rules match normalised text.

use crate::{linkscreen, path_str, temp_file};

const FRENCH: &str = concat!(
    r#"{"id":"fr-1","headline":"Chargée de Recrutement — Cabinet Étoile","messages":[{"direction":"inbound","text":"Bonjour, une mission RÉMUNÉRÉE vous attend. Pouvons-nous Poursuivre sur WhatsApp ?"}]}"#,
    "\n"
);

fn run(args: &[&str]) -> crate::Run {
    let (_dir, path) = temp_file("fr.jsonl", FRENCH.as_bytes());
    let mut all = args.to_vec();
    all.insert(1, path_str(&path));
    let r = linkscreen(&all);
    assert_eq!(r.code, 0, "{}", r.stderr);
    r
}

#[test]
fn evidence_is_shown_as_written_in_every_format() {
    let jsonl = run(&["score", "--engine", "rules"]).stdout;
    for written in ["Chargée de Recrutement", "RÉMUNÉRÉE", "Poursuivre sur"] {
        assert!(jsonl.contains(written), "jsonl lacks {written}: {jsonl}");
    }
    assert!(!jsonl.contains("chargee de recrutement"), "{jsonl}");
    let csv = run(&["score", "--engine", "hybrid", "--format", "csv"]).stdout;
    assert!(csv.contains("Chargée de Recrutement"), "{csv}");
    let html = run(&["score", "--engine", "rules", "--format", "html"]).stdout;
    assert!(html.contains("<mark>Chargée de Recrutement<sup>"), "{html}");
    assert!(html.contains("<mark>RÉMUNÉRÉE<sup>"));
    let explain = run(&["explain", "--id", "fr-1"]).stdout;
    assert!(explain.contains("Chargée de Recrutement"), "{explain}");
    // The model's section evidence is the text as written too.
    let model = run(&["score", "--engine", "model"]).stdout;
    assert!(!model.contains("chargee"), "{model}");
}

#[test]
fn evidence_as_written_is_deterministic() {
    let a = run(&["score", "--engine", "hybrid"]).stdout;
    let b = run(&["score", "--engine", "hybrid"]).stdout;
    assert_eq!(a, b);
}
