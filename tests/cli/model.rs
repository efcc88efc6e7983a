//! The model engine and `linkscreen train`.

use crate::{linkscreen, path_str};

const EXAMPLES: &str = "datasets/examples/profiles.jsonl";

fn records(stdout: &str) -> Vec<serde_json::Value> {
    stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

#[test]
fn score_uses_the_embedded_ensemble_by_default() {
    let run = linkscreen(&["score", EXAMPLES]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let recs = records(&run.stdout);
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
        let recs = records(&run.stdout);
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
