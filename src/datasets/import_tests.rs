//! Imports of the hand-written fixtures in `tests/fixtures/public` (same layout as the public
//! files, invented content) and, when present, of the real public files.

use std::collections::{BTreeSet, HashSet};
use std::path::{Path, PathBuf};

use super::*;
use crate::profile::{parse_line, Label, Platform};

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/public")
}

fn fixture_manifest() -> Vec<(String, String)> {
    let text = std::fs::read_to_string(fixtures().join("SHA256SUMS")).unwrap();
    checksum::parse_manifest(&text).unwrap()
}

fn import_fixture(format: PublicFormat) -> Result<Imported, DatasetError> {
    let owned = fixture_manifest();
    let manifest: Vec<(&str, &str)> = owned
        .iter()
        .map(|(f, h)| (f.as_str(), h.as_str()))
        .collect();
    import_with_manifest(format, &fixtures(), &manifest)
}

fn rejected(i: &Imported) -> Vec<(String, u64, String)> {
    i.rejected
        .iter()
        .map(|r| (r.file.clone(), r.row, r.field.clone()))
        .collect()
}

/// Every record survives the strict profile parser, and ids are unique and match the meta.
fn assert_valid(i: &Imported) {
    let mut ids = HashSet::new();
    for (p, m) in &i.records {
        let again = parse_line(p.to_json_line().as_bytes(), &mut BTreeSet::new()).unwrap();
        assert_eq!(&again, p);
        assert_eq!(p.id, m.id);
        assert!(ids.insert(p.id.clone()), "duplicate id");
        assert!(p.label.is_some());
    }
}

#[test]
fn emscad_fixture() {
    let i = import_fixture(PublicFormat::Emscad).unwrap();
    assert_valid(&i);
    let f = "emscad/fake_job_postings.csv".to_owned();
    assert_eq!(
        rejected(&i),
        vec![(f.clone(), 5, "fraudulent".into()), (f, 6, "(row)".into())]
    );
    assert_eq!(i.duplicates, 1);
    let ids: Vec<&str> = i.records.iter().map(|(p, _)| p.id.as_str()).collect();
    assert_eq!(ids, ["emscad-1", "emscad-2", "emscad-3", "emscad-7"]);
    let (p, m) = &i.records[0];
    assert_eq!(p.platform, Some(Platform::Other));
    assert_eq!(p.headline.as_deref(), Some("Data Analyst"));
    assert!(p.about.as_deref().unwrap().starts_with("Acme Analytics"));
    let msg = &p.messages.as_ref().unwrap()[0].text;
    assert!(msg.contains("Analyse weekly") && msg.contains("SQL") && msg.contains("Pension"));
    // Ads of one employer share a group; an ad without a company profile is its own group.
    assert_eq!(m.group, i.records[1].1.group);
    assert_ne!(i.records[2].1.group, i.records[3].1.group);
    assert_eq!(i.records[2].0.label, Some(Label::Fake));
    assert!(i.records[2].0.about.is_none());
}

#[test]
fn cresci_fixture_drops_label_and_language_columns() {
    let i = import_fixture(PublicFormat::Cresci2015).unwrap();
    assert_valid(&i);
    assert_eq!(
        rejected(&i),
        vec![("cresci-2015/users.csv".into(), 3, "followers_count".into())]
    );
    assert_eq!(i.records.len(), 4);
    let (p, m) = &i.records[0];
    assert_eq!(p.platform, Some(Platform::Twitter));
    assert_eq!(p.username.as_deref(), Some("giuliar"));
    assert_eq!(
        (p.followers, p.following, p.posts),
        (Some(340), Some(280), Some(1200))
    );
    assert_eq!(p.has_photo, Some(true));
    assert_eq!(p.account_age_days, None);
    assert_eq!(p.label, Some(Label::Genuine));
    assert_eq!(m.family, "cresci-2015/E13");
    assert_eq!(m.language.as_deref(), Some("it"));
    let json = p.to_json_line();
    for leak in ["E13", "INT", "\"it\"", "lang", "dataset"] {
        assert!(!json.contains(leak), "{leak} leaked into a record");
    }
    let (fake, fm) = &i.records[2];
    assert_eq!(fake.label, Some(Label::Fake));
    assert_eq!(fake.has_photo, Some(false));
    assert_eq!(fake.about, None);
    assert_eq!(fm.family, "cresci-2015/INT");
    assert_eq!(fm.language.as_deref(), Some("en"));
}

#[test]
fn cresci_account_age_is_opt_in_and_relative_to_the_reference_date() {
    let owned = fixture_manifest();
    let manifest: Vec<(&str, &str)> = owned
        .iter()
        .map(|(f, h)| (f.as_str(), h.as_str()))
        .collect();
    let options = ImportOptions {
        cresci_account_age: true,
    };
    let i = import_with(PublicFormat::Cresci2015, &fixtures(), &manifest, options).unwrap();
    // 2011-01-10 to 2015-02-14: 4 years (one leap day, 2012) and 35 days.
    assert_eq!(i.records[0].0.account_age_days, Some(4 * 365 + 1 + 35));
}

#[test]
fn instagram_fixtures_keep_the_mapped_statistics_and_drop_duplicates() {
    let i = import_fixture(PublicFormat::InstagramKaggle).unwrap();
    assert_valid(&i);
    assert_eq!(
        rejected(&i),
        vec![("instagram-kaggle/test.csv".into(), 2, "#followers".into())]
    );
    assert_eq!((i.records.len(), i.duplicates), (4, 1));
    let (p, m) = &i.records[0];
    assert_eq!(p.platform, Some(Platform::Instagram));
    assert_eq!(
        (p.has_photo, p.posts, p.followers, p.following),
        (Some(true), Some(120), Some(900), Some(300))
    );
    assert!(p.texts().is_empty(), "no text may be invented");
    assert_eq!(m.family, "instagram-kaggle/train");
    assert_eq!(i.records[3].1.family, "instagram-kaggle/test");

    let i = import_fixture(PublicFormat::Instafake).unwrap();
    assert_valid(&i);
    assert_eq!(
        rejected(&i),
        vec![(
            "instafake/fakeAccountData.json".into(),
            2,
            "userFollowerCount".into()
        )]
    );
    assert_eq!((i.records.len(), i.duplicates), (3, 1));
    let (p, _) = &i.records[2];
    assert_eq!(
        (p.has_photo, p.followers, p.following, p.posts),
        (Some(false), Some(10), Some(2100), Some(0))
    );
    assert_eq!(p.label, Some(Label::Fake));
    assert!(
        !p.id["instafake-".len()..].contains("fake"),
        "ids must not reveal the label"
    );
}

#[test]
fn a_changed_or_missing_file_imports_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let set = dir.path().join("instafake");
    std::fs::create_dir(&set).unwrap();
    for f in PublicFormat::Instafake.files() {
        std::fs::copy(fixtures().join("instafake").join(f), set.join(f)).unwrap();
    }
    let owned = fixture_manifest();
    let manifest: Vec<(&str, &str)> = owned
        .iter()
        .map(|(f, h)| (f.as_str(), h.as_str()))
        .collect();
    assert!(import_with_manifest(PublicFormat::Instafake, dir.path(), &manifest).is_ok());
    // The set's folder itself is accepted too.
    assert!(import_with_manifest(PublicFormat::Instafake, &set, &manifest).is_ok());

    let fake = set.join("fakeAccountData.json");
    let mut bytes = std::fs::read(&fake).unwrap();
    bytes.push(b' ');
    std::fs::write(&fake, &bytes).unwrap();
    match import_with_manifest(PublicFormat::Instafake, dir.path(), &manifest) {
        Err(e @ DatasetError::Checksum { .. }) => {
            assert!(e.is_checksum());
            assert!(e.to_string().contains("instafake/fakeAccountData.json"));
        }
        other => panic!("expected a checksum error, got {other:?}"),
    }
    std::fs::remove_file(&fake).unwrap();
    match import_with_manifest(PublicFormat::Instafake, dir.path(), &manifest) {
        Err(DatasetError::MissingFile { file, .. }) => {
            assert_eq!(file, "instafake/fakeAccountData.json")
        }
        other => panic!("expected a missing-file error, got {other:?}"),
    }
    // The compiled-in hashes are those of the public files, not of the fixtures.
    assert!(matches!(
        import(PublicFormat::Emscad, &fixtures()),
        Err(DatasetError::Checksum { .. })
    ));
}

/// The real public files, when they sit beside the repository: every row is accounted for
/// (imported, rejected or an exact duplicate) against the row counts of their README.
#[test]
fn real_public_sets_import_when_present() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/datasets/public");
    if !dir.is_dir() {
        println!("skipped: {} not found", dir.display());
        return;
    }
    let expected_rows = [
        (PublicFormat::Emscad, 3083, 856),
        (PublicFormat::Cresci2015, 1481 + 1337, 1337),
        (PublicFormat::InstagramKaggle, 576 + 120, 288 + 60),
        (PublicFormat::Instafake, 994 + 200, 200),
    ];
    for (format, rows, fake_rows) in expected_rows {
        let i = import(format, &dir).unwrap();
        assert_valid(&i);
        let fake = i
            .records
            .iter()
            .filter(|(p, _)| p.label == Some(Label::Fake))
            .count();
        println!(
            "{format}: imported {} ({fake} fake), skipped {}, duplicates {}",
            i.records.len(),
            i.rejected.len(),
            i.duplicates
        );
        assert_eq!(
            i.records.len() + i.rejected.len() + i.duplicates,
            rows,
            "{format}"
        );
        assert!(
            fake <= fake_rows && fake + i.duplicates + i.rejected.len() >= fake_rows,
            "{format}"
        );
    }
}
