use super::*;
use crate::model::tests::examples;
use crate::score::Scorer;

#[test]
fn save_load_round_trip_is_identical() {
    let c = Artifact::embedded().unwrap();
    assert!(c.hybrid.is_some() && c.linear.is_some());
    let dir = tempfile::tempdir().unwrap();
    c.save(dir.path()).unwrap();
    let again = Artifact::load(dir.path()).unwrap();
    assert_eq!(again.to_files().unwrap(), c.to_files().unwrap());
    // The embedded files are what saving writes, to the byte.
    assert_eq!(c.to_files().unwrap(), embedded::files());
    let p = examples();
    let scores = |a: &Artifact| -> Vec<f32> {
        a.classifier
            .score_batch(&p)
            .unwrap()
            .iter()
            .map(|a| a.score)
            .collect()
    };
    assert_eq!(scores(&c), scores(&again));
}

#[test]
fn tampered_or_missing_files_are_refused_by_name() {
    let c = Artifact::embedded().unwrap();
    for name in [
        "model.safetensors",
        "calibration.json",
        "tokenizer.json",
        LINEAR_JSON,
    ] {
        let dir = tempfile::tempdir().unwrap();
        c.save(dir.path()).unwrap();
        let path = dir.path().join(name);
        let mut bytes = std::fs::read(&path).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 1;
        std::fs::write(&path, bytes).unwrap();
        let e = Artifact::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains(name) && e.contains("integrity"), "{e}");
        std::fs::remove_file(&path).unwrap();
        let e = Classifier::load(dir.path()).unwrap_err().to_string();
        assert!(e.contains(name), "{e}");
    }
}

fn fitted() -> HybridParams {
    HybridParams::fit(
        &[0.9, 0.7, 0.4, 0.2, 0.6, 0.3],
        &[1.0, 0.0, 0.5, 0.0, 0.0, -0.5],
        &[true, true, false, false, false, false],
    )
    .unwrap()
}

#[test]
fn stored_hybrid_parameters_round_trip_and_are_verified() {
    let mut c = Artifact::embedded().unwrap();
    c.hybrid = None;
    let dir = tempfile::tempdir().unwrap();
    c.save(dir.path()).unwrap();
    // An artifact without the file stays valid and has no stored parameters.
    assert_eq!(Artifact::load(dir.path()).unwrap().hybrid, None);

    let params = fitted();
    c.hybrid = Some(params.clone());
    let dir = tempfile::tempdir().unwrap();
    c.save(dir.path()).unwrap();
    let manifest = std::fs::read_to_string(dir.path().join("manifest.json")).unwrap();
    assert!(manifest.contains(HYBRID_FILE), "{manifest}");
    let again = Artifact::load(dir.path()).unwrap();
    assert_eq!(again.hybrid, Some(params.clone()));
    assert_eq!(again.to_files().unwrap(), c.to_files().unwrap());

    // A changed file is refused by name before it is parsed.
    let path = dir.path().join(HYBRID_FILE);
    let mut tampered = params.clone();
    tampered.b += 1.0;
    std::fs::write(&path, tampered.to_json()).unwrap();
    let e = Artifact::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains(HYBRID_FILE) && e.contains("integrity"), "{e}");
    // So is a missing one the manifest lists.
    std::fs::remove_file(&path).unwrap();
    let e = Artifact::load(dir.path()).unwrap_err().to_string();
    assert!(e.contains(HYBRID_FILE), "{e}");
}

#[test]
fn unreadable_stored_hybrid_parameters_refuse_the_model() {
    let mut files = Artifact::embedded().unwrap().to_files().unwrap();
    files.insert(
        HYBRID_FILE.into(),
        br#"{"format_version":9,"a":1,"b":1,"c":0}"#.to_vec(),
    );
    files.remove("manifest.json");
    let files = manifest::with_manifest(files);
    let e = Artifact::from_files(&files).unwrap_err().to_string();
    assert!(
        e.contains(HYBRID_FILE) && e.contains("format_version"),
        "{e}"
    );
}

#[test]
fn the_ensemble_shows_each_reason_with_the_evidence_of_the_part_that_gave_it() {
    // The ensemble asks the model for evidence only for the reasons it keeps; each must still
    // read as the part that gave it first (the linear engine) or the model shows it.
    let a = Artifact::embedded().unwrap();
    let p = examples();
    let linear = a.linear.unwrap().score_batch(&p).unwrap();
    let model = a.classifier.score_batch(&p).unwrap();
    let a = Artifact::embedded().unwrap();
    let parts: Vec<Box<dyn Scorer>> = vec![Box::new(a.linear.unwrap()), Box::new(a.classifier)];
    let ensemble = crate::ensemble::Ensemble::new(parts, a.ensemble.unwrap()).unwrap();
    let mut from_model = 0;
    for (i, e) in ensemble.score_batch(&p).unwrap().iter().enumerate() {
        for r in &e.reasons {
            let of = |a: &crate::score::Assessment| {
                a.reasons
                    .iter()
                    .find(|x| x.code == r.code)
                    .map(|x| x.evidence.clone())
            };
            let want = match (of(&linear[i]), of(&model[i])) {
                (Some(l), _) => l,
                (None, Some(m)) => {
                    from_model += usize::from(m.is_some());
                    m
                }
                (None, None) => panic!("{}: {} is given by no part", p[i].id, r.code),
            };
            assert_eq!(r.evidence, want, "{}: {}", p[i].id, r.code);
        }
    }
    assert!(
        from_model > 0,
        "no reason of the examples shows the model's evidence"
    );
}
