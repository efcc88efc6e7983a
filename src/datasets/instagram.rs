//! The Kaggle Instagram fake/spammer set: numeric statistics only. Photo, posts, followers
//! and follows map to profile fields; the username and full-name ratios, `name==username`,
//! description length, external URL and private flag have no field (a record cannot carry a
//! ratio or a length without inventing text) and are dropped after validation.

use std::path::Path;

use crate::meta::Meta;
use crate::profile::{Label, Platform, Profile};

use super::checksum::short_hash;
use super::table::{read_csv, Row};
use super::{DatasetError, Imported};

const REQUIRED: [&str; 12] = [
    "profile pic",
    "nums/length username",
    "fullname words",
    "nums/length fullname",
    "name==username",
    "description length",
    "external URL",
    "private",
    "#posts",
    "#followers",
    "#follows",
    "fake",
];

pub(super) fn import(key: &str, path: &Path, out: &mut Imported) -> Result<(), DatasetError> {
    // `instagram-kaggle/train.csv` gives the family `instagram-kaggle/train`.
    let family = key.trim_end_matches(".csv").to_owned();
    read_csv(key, path, &REQUIRED, None, out, |row_no, row| {
        validate_dropped(row)?;
        // Rows are sorted by class, so the row number is hashed: the id says nothing.
        let id = format!(
            "instagram-kaggle-{}",
            short_hash(&format!("{key}:{row_no}"), 12)
        );
        let stats = Stats {
            has_photo: row.flag("profile pic")?,
            posts: row.count("#posts")?,
            followers: row.count("#followers")?,
            following: row.count("#follows")?,
        };
        Ok(record(id, &family, stats, row.flag("fake")?))
    })
}

/// The statistics both Instagram sets map to profile fields.
pub(super) struct Stats {
    pub has_photo: bool,
    pub posts: u64,
    pub followers: u64,
    pub following: u64,
}

/// A statistics-only Instagram record and its meta; the record is its own group.
pub(super) fn record(id: String, family: &str, s: Stats, fake: bool) -> (Profile, Meta) {
    let profile = Profile {
        id: id.clone(),
        platform: Some(Platform::Instagram),
        has_photo: Some(s.has_photo),
        posts: Some(s.posts),
        followers: Some(s.followers),
        following: Some(s.following),
        label: Some(if fake { Label::Fake } else { Label::Genuine }),
        ..Profile::default()
    };
    let meta = Meta {
        id: id.clone(),
        family: family.to_owned(),
        group: id,
        difficulty: None,
        language: None,
    };
    (profile, meta)
}

/// The columns without a field are still checked, so that a malformed row is reported.
fn validate_dropped(row: &Row) -> Result<(), super::table::Bad> {
    row.ratio("nums/length username")?;
    row.ratio("nums/length fullname")?;
    row.count("fullname words")?;
    row.count("description length")?;
    row.flag("name==username")?;
    row.flag("external URL")?;
    row.flag("private")?;
    Ok(())
}
