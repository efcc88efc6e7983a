//! `score --format html`: one self-contained page, one card per profile, riskiest first,
//! every echoed text escaped, nothing fetched from anywhere.

use crate::{linkscreen, path_str, temp_file};

const HOSTILE: &str = concat!(
    r#"{"id":"x-<b>bold</b>","headline":"Talent scout <script>alert(1)</script>","about":"See https://evil.example/a.png <img src=x onerror=alert(1)> and write short paid reports. Move to WhatsApp.\u202Etxt.exe","website":"http://evil.example","messages":[{"direction":"inbound","text":"Dear Sir, I was impressed by your expertise. A fully funded seminar in Shanghai awaits.\u0007"}]}"#,
    "\n",
    r#"{"id":"plain","headline":"Nuclear safety engineer at EDF","about":"Probabilistic safety analyses.","connections":320,"account_age_days":3000}"#,
    "\n",
    r#"{"id":"middle","headline":"Recruiter","messages":[{"direction":"inbound","text":"Let us continue on Telegram."}]}"#,
    "\n"
);

fn page(engine: &str, extra: &[&str]) -> String {
    let (_dir, path) = temp_file("hostile.jsonl", HOSTILE.as_bytes());
    let mut args = vec![
        "score",
        path_str(&path),
        "--engine",
        engine,
        "--format",
        "html",
    ];
    args.extend_from_slice(extra);
    let run = linkscreen(&args);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
}

fn card_scores(html: &str) -> Vec<f64> {
    html.split("<span class=\"score\">score ")
        .skip(1)
        .map(|s| s[..s.find('<').unwrap()].parse().unwrap())
        .collect()
}

#[test]
fn html_report_has_one_card_per_profile_riskiest_first() {
    for engine in ["rules", "model", "hybrid"] {
        let html = page(engine, &[]);
        assert!(html.starts_with("<!DOCTYPE html>"), "{engine}");
        assert!(html.trim_end().ends_with("</html>"));
        assert_eq!(html.matches("<article class=\"card").count(), 3, "{engine}");
        let scores = card_scores(&html);
        assert_eq!(scores.len(), 3);
        assert!(
            scores.windows(2).all(|w| w[0] >= w[1]),
            "{engine}: {scores:?}"
        );
        // The summary: counts per verdict, engine, tool version, thresholds.
        assert!(html.contains(&format!("<dd>{engine}</dd>")));
        assert!(html.contains(&format!("linkscreen {}", env!("CARGO_PKG_VERSION"))));
        assert!(html.contains("@media print"));
        if engine != "rules" {
            assert!(
                html.contains("manifest sha256"),
                "{engine}: the model is named"
            );
        }
        // Every engine shows the rules' evidence in the text; the model lists them apart.
        assert!(html.contains("<mark>paid reports<sup>"), "{engine}");
        assert_eq!(
            html.contains("Warning signs in the text"),
            engine == "model"
        );
    }
}

#[test]
fn html_report_escapes_everything_and_loads_nothing() {
    let html = page("rules", &[]);
    let lower = html.to_lowercase();
    for banned in [
        "<script", "<img", "<link", "<iframe", "src=", "http://", "https://", "url(",
    ] {
        assert!(!lower.contains(banned), "found {banned}");
    }
    assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    assert!(html.contains("x-&lt;b&gt;bold&lt;/b&gt;"));
    // Bidi and control characters are shown, not obeyed.
    assert!(html.contains("<span class=\"ctl\">U+202E</span>"));
    assert!(html.contains("<span class=\"ctl\">U+0007</span>"));
    assert!(!html.contains('\u{202E}') && !html.contains('\u{7}'));
    // Reasons in plain words with their sources, evidence highlighted in the text.
    assert!(html.contains("Payment offered for short reports"));
    assert!(html.contains("NPSA"));
    assert!(html.contains("<mark>paid reports<sup>"));
    assert!(html.contains("<mark>fully funded<sup>"));
}

#[test]
fn html_report_without_evidence_carries_no_profile_text() {
    let html = page("hybrid", &["--no-evidence"]);
    assert_eq!(html.matches("<article class=\"card").count(), 3);
    // (Rule descriptions name WhatsApp or Telegram themselves: only profile text is checked.)
    for text in [
        "Talent scout",
        "paid reports",
        "Shanghai",
        "alert(1)",
        "EDF",
        "evil",
    ] {
        assert!(!html.contains(text), "{text} leaked");
    }
    assert!(!html.contains("<mark>"));
}
