//! The model engine and `linkscreen train`.

use crate::{linkscreen, path_str};

const EXAMPLES: &str = "datasets/examples/profiles.jsonl";

#[test]
fn score_uses_the_embedded_ensemble_by_default() {
    let run = linkscreen(&["score", EXAMPLES]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let recs = run.records();
    assert_eq!(recs.len(), 20);
    for r in &recs {
        assert_eq!(r["engine"], "ensemble");
        let s = r["score"].as_f64().unwrap();
        assert!((0.0..=1.0).contains(&s));
        assert!(r["reasons"].as_array().unwrap().len() <= 5);
    }
    assert!(run.stderr.contains("engine ensemble"), "{}", run.stderr);
}

#[test]
fn smoke_training_is_reproducible_and_loadable() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a"), dir.path().join("b"));
    for out in [&a, &b] {
        let run = linkscreen(&[
            "train",
            "--config",
            "training/smoke.toml",
            "--out",
            path_str(out),
            "--device",
            "cpu",
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        assert!(run.stderr.contains("val ROC-AUC"), "{}", run.stderr);
    }
    for f in [
        "metrics.json",
        "model.safetensors",
        "tokenizer.json",
        "linear.json",
        "linear.safetensors",
        "ensemble.json",
        "manifest.json",
    ] {
        let (x, y) = (
            std::fs::read(a.join(f)).unwrap(),
            std::fs::read(b.join(f)).unwrap(),
        );
        assert!(x == y, "{f} differs between two runs with the same seed");
    }
    let metrics: serde_json::Value =
        serde_json::from_slice(&std::fs::read(a.join("metrics.json")).unwrap()).unwrap();
    assert!(metrics["splits"]["test"]["all"]["model"]["roc_auc"].is_number());
    assert!(metrics["splits"]["test"]["all"]["rules"]["roc_auc"].is_number());
    assert!(metrics["splits"]["test"]["all"]["linear"]["roc_auc"].is_number());
    let loao = &metrics["leave_one_author_out"];
    for engine in ["linear", "rules", "linear+rules", "model", "ensemble"] {
        let authors = loao[engine]["authors"].as_array().unwrap();
        assert_eq!(authors.len(), 2, "{engine}: {loao}");
        assert!(loao[engine]["pooled"]["roc_auc"].is_number(), "{engine}");
    }
    let card = std::fs::read_to_string(a.join("MODEL_CARD.md")).unwrap();
    assert!(card.contains("Leave-one-author-out"), "{card}");
    // The run's engines load and score: the default (the ensemble of the run's linear engine
    // and model, calibrated on their out-of-fold scores) and each named one.
    for engine in [None, Some("ensemble"), Some("linear")] {
        let mut args = vec!["score", EXAMPLES, "--model", path_str(&a)];
        args.extend(engine.iter().flat_map(|e| ["--engine", *e]));
        let run = linkscreen(&args);
        assert_eq!(run.code, 0, "{engine:?}: {}", run.stderr);
        let recs = run.records();
        assert_eq!(recs.len(), 20);
        let name = engine.unwrap_or("ensemble");
        assert!(recs.iter().all(|r| r["engine"] == name), "{engine:?}");
    }
    assert!(metrics["splits"]["test"]["all"]["ensemble"]["roc_auc"].is_number());
}

#[test]
fn tampered_model_is_refused_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    for f in std::fs::read_dir(crate::root().join("models/default")).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), dir.path().join(f.file_name())).unwrap();
    }
    let run = linkscreen(&["score", EXAMPLES, "--model", path_str(dir.path())]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let cal = dir.path().join("calibration.json");
    let text = std::fs::read_to_string(&cal).unwrap();
    std::fs::write(&cal, text.replacen("0.", "0.0", 1)).unwrap();
    let run = linkscreen(&["score", EXAMPLES, "--model", path_str(dir.path())]);
    assert_eq!(run.code, 2);
    assert!(run.stdout.is_empty());
    assert!(run.stderr.contains("calibration.json"), "{}", run.stderr);
    std::fs::remove_file(dir.path().join("tokenizer.json")).unwrap();
    let run = linkscreen(&["score", EXAMPLES, "--model", path_str(dir.path())]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("tokenizer.json"), "{}", run.stderr);
}

#[test]
fn explain_shows_model_contributions() {
    let run = linkscreen(&["explain", EXAMPLES, "--id", "ex-en-02"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stdout.contains("ensemble (the default engine): score"),
        "{}",
        run.stdout
    );
    assert!(run.stdout.contains("model: score"), "{}", run.stdout);
    assert!(run.stdout.contains("linear: score"), "{}", run.stdout);
    assert!(run.stdout.contains("section:messages"), "{}", run.stdout);
    assert!(run.stdout.contains("rules: score"), "{}", run.stdout);
}

#[test]
fn train_rejects_a_bad_config() {
    let (_d, path) = crate::temp_file("bad.toml", b"seed = 1\n[data]\nsplit = [0.5, 0.5, 0.5]\n");
    let dir = tempfile::tempdir().unwrap();
    let run = linkscreen(&[
        "train",
        "--config",
        path_str(&path),
        "--out",
        path_str(dir.path()),
    ]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("config"), "{}", run.stderr);
}

#[test]
fn features_the_model_ignores_move_no_model_score_and_unknown_ones_are_refused() {
    let smoke = std::fs::read_to_string(crate::root().join("training/smoke.toml")).unwrap();
    let with = |ignored: &str| {
        smoke.replace(
            "[model]\n",
            &format!("[model]\nignore_features = [{ignored}]\n"),
        )
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("ignore.toml");
    // Every input that reads the connection count: its own two, the two ratios over it, and the
    // rule summary (rules such as `few_connections` read it too).
    let ignored = concat!(
        r#""log_connections", "missing_connections", "ratio_followers_connections", "#,
        r#""missing_ratio_followers_connections", "ratio_endorsements_connections", "#,
        r#""missing_ratio_endorsements_connections", "rule_warning_hits", "#,
        r#""rule_warning_weight", "rule_genuine_weight""#
    );
    std::fs::write(&config, with(ignored)).unwrap();
    let train = |out: &std::path::Path| {
        linkscreen(&[
            "train",
            "--config",
            path_str(&config),
            "--out",
            path_str(out),
        ])
    };
    let out = dir.path().join("model");
    let run = train(&out);
    assert_eq!(run.code, 0, "{}", run.stderr);
    // The same profiles with other connection counts, given or not: the model's scores stay.
    let examples = std::fs::read_to_string(crate::root().join(EXAMPLES)).unwrap();
    let mut changed = String::new();
    for (i, line) in examples
        .lines()
        .filter(|l| !l.trim().is_empty())
        .enumerate()
    {
        let mut p: serde_json::Value = serde_json::from_str(line).unwrap();
        let o = p.as_object_mut().unwrap();
        match i % 2 {
            0 => o.insert("connections".into(), serde_json::json!(500 + 37 * i)),
            _ => o.remove("connections"),
        };
        changed.push_str(&format!("{p}\n"));
    }
    let (_keep, changed_path) = crate::temp_file("changed.jsonl", changed.as_bytes());
    let score = |file: &str| {
        let run = linkscreen(&[
            "score",
            file,
            "--engine",
            "model",
            "--model",
            path_str(&out),
        ]);
        assert_eq!(run.code, 0, "{}", run.stderr);
        run.records()
            .iter()
            .map(|r| r["score"].as_f64().unwrap())
            .collect::<Vec<_>>()
    };
    assert_eq!(score(EXAMPLES), score(path_str(&changed_path)));
    // A name that is not a feature is a configuration error, said before any training.
    std::fs::write(&config, with(r#""log_conections""#)).unwrap();
    let run = train(&dir.path().join("other"));
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown feature `log_conections`"),
        "{}",
        run.stderr
    );
}
