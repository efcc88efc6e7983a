//! The linear engine, the `insufficient` verdict and the robustness promises of issue 11:
//! padding a fake's career, inflating its counts or swapping its name must not clear it.

use linkscreen::profile::{self, Position, Profile, YearMonth};

use super::{linkscreen, path_str, root, temp_file};

const HOLDOUT: &str = "datasets/holdout/profiles.jsonl";

fn load(path: &str) -> Vec<Profile> {
    profile::load(&root().join(path))
        .unwrap()
        .profiles
        .into_iter()
        .map(|(_, p)| p)
        .collect()
}

/// `(id, score, verdict)` of every record `score` writes for `profiles` with `args`.
fn verdicts(profiles: &[Profile], args: &[&str]) -> Vec<(String, f64, String)> {
    let body: String = profiles.iter().map(|p| p.to_json_line() + "\n").collect();
    let (_d, path) = temp_file("in.jsonl", body.as_bytes());
    let mut all = vec!["score", path_str(&path)];
    all.extend_from_slice(args);
    let run = linkscreen(&all);
    assert_eq!(run.code, 0, "{}", run.stderr);
    run.stdout
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["id"].as_str().unwrap().to_owned(),
                v["score"].as_f64().unwrap(),
                v["verdict"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn the_linear_engine_scores_with_exact_reasons() {
    let run = linkscreen(&[
        "score",
        "datasets/examples/profiles.jsonl",
        "--engine",
        "linear",
    ]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let lines = run.records();
    assert_eq!(lines.len(), 20);
    assert!(lines.iter().all(|v| v["engine"] == "linear"));
    // Section reasons name the words that weighed most, with their terms.
    let words = lines
        .iter()
        .flat_map(|v| v["reasons"].as_array().unwrap().clone())
        .filter(|r| r["code"].as_str().unwrap().starts_with("section:"))
        .filter_map(|r| r["evidence"].as_str().map(str::to_owned))
        .collect::<Vec<_>>();
    assert!(words.iter().any(|e| e.contains("(+")), "{words:?}");
    // Words are quoted as the profile wrote them (accents, capitals), not normalised.
    assert!(words.iter().any(|e| e.contains("Ingénieur")), "{words:?}");
    assert!(run.stderr.contains("engine linear"), "{}", run.stderr);
}

#[test]
fn a_profile_too_thin_to_judge_is_insufficient_under_every_engine() {
    let thin = r#"{"id":"thin-1","name":"Ana Petrova","headline":"Senior Partner | Government Advisory","mutual_connections":0}
{"id":"note-1","headline":"Senior Partner","messages":[{"direction":"inbound","text":"We pay well for short confidential reports on your programme, let us continue on WhatsApp."}]}
"#;
    let (_d, path) = temp_file("thin.jsonl", thin.as_bytes());
    for engine in ["model", "rules", "hybrid", "linear", "ensemble"] {
        let run = linkscreen(&["score", path_str(&path), "--engine", engine]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let v = run.records();
        assert_eq!(v[0]["verdict"], "insufficient", "{engine}");
        // An invitation with a note is judged on the note.
        assert_ne!(v[1]["verdict"], "insufficient", "{engine}");
        assert!(run.stderr.contains("insufficient 1"), "{}", run.stderr);
    }
    let run = linkscreen(&["score", path_str(&path), "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("badge insufficient"),
        "the analyst's report shows the verdict"
    );
    assert!(
        run.stdout
            .contains("Verdict insufficient: too little to judge")
            && run.stdout.contains("0 words in its about text"),
        "and why"
    );
}

#[test]
fn a_profile_in_a_script_the_engines_never_learned_is_insufficient_and_said_so() {
    // Russian and Chinese approaches, then an English note with Cyrillic look-alike letters
    // inside its words (`о`, `а`, `е`), which normalisation reads as Latin.
    let body = r#"{"id":"ru","headline":"Менеджер по подбору персонала","about":"Мы ищем экспертов в области энергетики для краткосрочных консультаций.","messages":[{"direction":"inbound","text":"Здравствуйте! Ваш опыт в атомной энергетике интересен нашему клиенту. Напишите мне на личную почту."}]}
{"id":"zh","headline":"智库研究员","messages":[{"direction":"inbound","text":"您好！我们对您在欧盟委员会的工作非常感兴趣。能否为我们写一份关于能源政策的简短报告？我们会支付报酬。"}]}
{"id":"lookalike","headline":"Partner","messages":[{"direction":"inbound","text":"Wоuld yоu writе shоrt pаid rеpоrts fоr us оn yоur prоgrаmmе?"}]}
"#;
    let (_d, path) = temp_file("scripts.jsonl", body.as_bytes());
    for engine in ["model", "rules", "hybrid", "linear", "ensemble"] {
        let run = linkscreen(&["score", path_str(&path), "--engine", engine]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        let v = run.records();
        assert_eq!(v[0]["verdict"], "insufficient", "{engine}");
        assert_eq!(v[1]["verdict"], "insufficient", "{engine}");
        assert_ne!(v[2]["verdict"], "insufficient", "{engine}");
        assert!(
            run.stderr.contains(
                "note: 2 profiles written in a script the engines never learned (not Latin)"
            ),
            "{}",
            run.stderr
        );
    }
    let run = linkscreen(&["explain", path_str(&path), "--id", "ru"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("0 words in its about text, career, education and inbound messages that the engines read (8 needed), and "),
        "{}",
        run.stdout
    );
    assert!(run
        .stdout
        .contains("letters in a script they never learned"));
    let run = linkscreen(&["score", path_str(&path), "--format", "html"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(
        run.stdout.matches("in a script they never learned").count(),
        2
    );
}

/// Eight older positions, taken from genuine hold-out profiles, before the profile's career.
fn pad(p: &Profile, donors: &[Position]) -> Profile {
    let mut q = p.clone();
    let first = q
        .experience
        .iter()
        .flatten()
        .filter_map(|x| x.start.map(YearMonth::index))
        .min()
        .unwrap_or(2026 * 12);
    let mut career: Vec<Position> = (0..8)
        .map(|k| {
            let mut x = donors[(k * 7 + p.id.len()) % donors.len()].clone();
            let end = first - 1 - 30 * k as i32;
            x.end = YearMonth::from_index(end).map(Some);
            x.start = YearMonth::from_index(end - 28);
            x
        })
        .collect();
    career.reverse();
    career.extend(q.experience.take().unwrap_or_default());
    q.experience = Some(career);
    q
}

#[test]
fn padding_a_fake_with_eight_old_jobs_clears_at_most_a_tenth_of_flagged_fakes() {
    let all = load(HOLDOUT);
    let donors: Vec<Position> = all
        .iter()
        .filter(|p| p.label == Some(profile::Label::Genuine))
        .flat_map(|p| p.experience.clone().unwrap_or_default())
        .filter(|x| x.title.is_some())
        .collect();
    assert!(donors.len() >= 8);
    let fakes: Vec<Profile> = all
        .into_iter()
        .filter(|p| p.label == Some(profile::Label::Fake))
        .collect();
    let padded: Vec<Profile> = fakes.iter().map(|p| pad(p, &donors)).collect();
    for engine in [&[][..], &["--engine", "model"][..]] {
        let before = verdicts(&fakes, engine);
        let after = verdicts(&padded, engine);
        let flagged: Vec<usize> = (0..before.len())
            .filter(|&i| before[i].2 == "review" || before[i].2 == "fake")
            .collect();
        let cleared = flagged.iter().filter(|&&i| after[i].2 == "genuine").count();
        assert!(
            flagged.len() >= 16,
            "{engine:?}: only {} flagged",
            flagged.len()
        );
        assert!(
            cleared * 10 <= flagged.len(),
            "{engine:?}: padding cleared {cleared} of {} flagged fakes",
            flagged.len()
        );
    }
}

#[test]
fn inflated_counts_never_lower_a_linear_score() {
    let fakes: Vec<Profile> = load(HOLDOUT)
        .into_iter()
        .filter(|p| p.label == Some(profile::Label::Fake))
        .collect();
    let inflated: Vec<Profile> = fakes
        .iter()
        .map(|p| Profile {
            connections: Some(500),
            followers: Some(800),
            posts: Some(120),
            endorsements: Some(40),
            recommendations: Some(6),
            ..p.clone()
        })
        .collect();
    let args = ["--engine", "linear"];
    for (a, b) in verdicts(&fakes, &args)
        .iter()
        .zip(verdicts(&inflated, &args))
    {
        assert!(b.1 + 1e-4 >= a.1, "{}: {} -> {}", a.0, a.1, b.1);
    }
}

#[test]
fn changing_only_the_name_never_changes_a_learned_score() {
    let profiles = load(HOLDOUT);
    let renamed: Vec<Profile> = profiles
        .iter()
        .map(|p| Profile {
            name: Some("Mohammed Al-Rashid".into()),
            ..p.clone()
        })
        .collect();
    for engine in ["linear", "model", "ensemble"] {
        let args = ["--engine", engine];
        assert_eq!(
            verdicts(&profiles, &args),
            verdicts(&renamed, &args),
            "{engine}"
        );
    }
}
