//! InstaFake (fake-v1.0): two JSON arrays of numeric account statistics. Followers,
//! following, media count and profile picture map to profile fields; biography length,
//! private flag and username digit count/length have no field and are dropped after
//! validation.

use std::collections::HashSet;
use std::path::Path;

use serde_json::{Map, Value};

use crate::meta::Meta;
use crate::profile::{Profile, MAX_COUNT};

use super::checksum::short_hash;
use super::instagram::{record, Stats};
use super::table::{bad, Bad};
use super::{DatasetError, Imported, RowError};

const COUNTS: [&str; 5] = [
    "userFollowerCount",
    "userFollowingCount",
    "userBiographyLength",
    "userMediaCount",
    "usernameLength",
];
const FLAGS: [&str; 3] = ["userHasProfilPic", "userIsPrivate", "isFake"];

pub(super) fn import(key: &str, path: &Path, out: &mut Imported) -> Result<(), DatasetError> {
    let bytes = std::fs::read(path).map_err(|source| DatasetError::Io {
        file: key.to_owned(),
        source,
    })?;
    let items: Vec<Value> = match serde_json::from_slice::<Value>(&bytes) {
        Ok(Value::Array(items)) => items,
        Ok(_) => {
            return Err(DatasetError::Format {
                file: key.to_owned(),
                reason: "expected a JSON array of objects".into(),
            })
        }
        Err(e) => {
            return Err(DatasetError::Format {
                file: key.to_owned(),
                reason: format!("not valid JSON (line {}, column {})", e.line(), e.column()),
            })
        }
    };
    let mut seen = HashSet::new();
    for (i, item) in items.iter().enumerate() {
        let row = i as u64 + 1;
        // Exact duplicates (the same object written twice) are dropped, keeping the first.
        if !seen.insert(item.to_string()) {
            out.duplicates += 1;
            continue;
        }
        match map_item(key, row, item) {
            Ok(record) => out.records.push(record),
            Err(b) => out.rejected.push(RowError {
                file: key.to_owned(),
                row,
                field: b.field,
                reason: b.reason,
            }),
        }
    }
    Ok(())
}

fn map_item(key: &str, row: u64, item: &Value) -> Result<(Profile, Meta), Bad> {
    let obj = item
        .as_object()
        .ok_or_else(|| bad("(row)", "must be a JSON object"))?;
    for c in COUNTS {
        count(obj, c)?;
    }
    for f in FLAGS {
        flag(obj, f)?;
    }
    let digits = count(obj, "usernameDigitCount")?;
    if digits > count(obj, "usernameLength")? {
        return Err(bad("usernameDigitCount", "larger than usernameLength"));
    }
    // The files are split by class, so the id hashes the file and position.
    let id = format!("instafake-{}", short_hash(&format!("{key}:{row}"), 12));
    let stats = Stats {
        has_photo: flag(obj, "userHasProfilPic")?,
        posts: count(obj, "userMediaCount")?,
        followers: count(obj, "userFollowerCount")?,
        following: count(obj, "userFollowingCount")?,
    };
    Ok(record(id, "instafake", stats, flag(obj, "isFake")?))
}

fn count(obj: &Map<String, Value>, key: &str) -> Result<u64, Bad> {
    match obj.get(key) {
        None | Some(Value::Null) => Err(bad(key, "missing")),
        Some(Value::Number(n)) => match n.as_u64() {
            Some(v) if v <= MAX_COUNT => Ok(v),
            Some(_) => Err(bad(key, format!("out of range (at most {MAX_COUNT})"))),
            None => Err(bad(key, "must be a non-negative integer")),
        },
        Some(_) => Err(bad(key, "must be a non-negative integer")),
    }
}

fn flag(obj: &Map<String, Value>, key: &str) -> Result<bool, Bad> {
    match count(obj, key) {
        Ok(0) => Ok(false),
        Ok(1) => Ok(true),
        Ok(_) => Err(bad(key, "must be 0 or 1")),
        Err(e) if e.reason == "missing" => Err(e),
        Err(_) => Err(bad(key, "must be 0 or 1")),
    }
}
