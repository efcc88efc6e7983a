//! cresci-2015 ("Fame for sale"): `users.csv` genuine accounts, `fusers.csv` bought fake
//! followers. The `dataset` column (the label itself) and the language columns never reach a
//! record; `lang` goes to the meta sidecar only, for the English-only evaluation subset.

use std::path::Path;

use crate::meta::Meta;
use crate::profile::{Label, Platform, Profile, MAX_ACCOUNT_AGE_DAYS};

use super::table::{bad, read_csv, Bad, Row};
use super::{text, DatasetError, ImportOptions, Imported};

/// The reference date of account ages: the `updated` snapshot date of both files.
pub const REFERENCE_DATE_STR: &str = "2015-02-14";
const REFERENCE_DATE: (i64, u32, u32) = (2015, 2, 14);

const REQUIRED: [&str; 14] = [
    "id",
    "name",
    "screen_name",
    "statuses_count",
    "followers_count",
    "friends_count",
    "created_at",
    "url",
    "lang",
    "location",
    "default_profile_image",
    "verified",
    "description",
    "dataset",
];

pub(super) fn import(
    key: &str,
    path: &Path,
    fake: bool,
    options: ImportOptions,
    out: &mut Imported,
) -> Result<(), DatasetError> {
    read_csv(key, path, &REQUIRED, None, out, |_, row| {
        map_row(row, fake, options)
    })
}

fn map_row(row: &Row, fake: bool, options: ImportOptions) -> Result<(Profile, Meta), Bad> {
    let user_id = row.get("id").trim();
    if user_id.is_empty() || !user_id.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad("id", "must be a numeric account id"));
    }
    let created = parse_created_at(row.get("created_at")).ok_or_else(|| {
        bad(
            "created_at",
            "not a date like `Fri Apr 06 10:58:22 +0000 2007`",
        )
    })?;
    let reference = days_from_civil(REFERENCE_DATE.0, REFERENCE_DATE.1, REFERENCE_DATE.2);
    let age = reference - created;
    if age < 0 || age as u64 > MAX_ACCOUNT_AGE_DAYS {
        return Err(bad("created_at", "after the reference date or too old"));
    }
    let default_image = twitter_bool(row, "default_profile_image")?;
    let id = format!("cresci-2015-{user_id}");
    let profile = Profile {
        id: id.clone(),
        platform: Some(Platform::Twitter),
        name: cell(row.get("name")),
        username: cell(row.get("screen_name")),
        about: cell(row.get("description")),
        location: cell(row.get("location")),
        website: cell(row.get("url")),
        has_photo: default_image.map(|d| !d),
        verified: twitter_bool(row, "verified")?,
        account_age_days: options.cresci_account_age.then_some(age as u64),
        followers: Some(row.count("followers_count")?),
        following: Some(row.count("friends_count")?),
        posts: Some(row.count("statuses_count")?),
        label: Some(if fake { Label::Fake } else { Label::Genuine }),
        ..Profile::default()
    };
    // The subset name (E13 genuine, INT fake) says no more than the label; it lets evaluation
    // report per source. Anything unexpected falls back to the file's subset.
    let subset = row.get("dataset").trim();
    let subset = if !subset.is_empty()
        && subset.len() <= 8
        && subset.bytes().all(|b| b.is_ascii_alphanumeric())
    {
        subset
    } else if fake {
        "INT"
    } else {
        "E13"
    };
    let meta = Meta {
        id: id.clone(),
        family: format!("cresci-2015/{subset}"),
        group: id,
        difficulty: None,
        language: language(row.get("lang")),
    };
    Ok((profile, meta))
}

/// A text cell: `NULL` and empty are unknown.
fn cell(s: &str) -> Option<String> {
    if s.trim() == "NULL" {
        None
    } else {
        text(s)
    }
}

/// Twitter dump booleans: `1` true, empty or `0` false, `NULL` unknown.
fn twitter_bool(row: &Row, col: &str) -> Result<Option<bool>, Bad> {
    match row.get(col).trim() {
        "1" | "true" => Ok(Some(true)),
        "" | "0" | "false" => Ok(Some(false)),
        "NULL" => Ok(None),
        _ => Err(bad(col, "must be 1, 0, empty or NULL")),
    }
}

/// The interface language as an ISO 639-1 code (`en-gb` gives `en`), when it is one.
fn language(s: &str) -> Option<String> {
    let code = s.trim().split(['-', '_']).next().unwrap_or("");
    (code.len() == 2 && code.bytes().all(|b| b.is_ascii_alphabetic()))
        .then(|| code.to_ascii_lowercase())
}

/// Days since 1970-01-01 of a Twitter `created_at` (`Fri Apr 06 10:58:22 +0000 2007`).
fn parse_created_at(s: &str) -> Option<i64> {
    let parts: Vec<&str> = s.split_whitespace().collect();
    if parts.len() != 6 {
        return None;
    }
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let month = MONTHS.iter().position(|m| *m == parts[1])? as u32 + 1;
    let day: u32 = parts[2].parse().ok()?;
    let year: i64 = parts[5].parse().ok()?;
    if !(1..=31).contains(&day) || !(1990..=2100).contains(&year) {
        return None;
    }
    Some(days_from_civil(year, month, day))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = m as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        assert_eq!(
            parse_created_at("Fri Apr 06 10:58:22 +0000 2007"),
            Some(days_from_civil(2007, 4, 6))
        );
        assert_eq!(parse_created_at("2007-04-06"), None);
        assert_eq!(parse_created_at("Fri Foo 06 10:58:22 +0000 2007"), None);
    }

    #[test]
    fn languages() {
        assert_eq!(language("en"), Some("en".into()));
        assert_eq!(language("en-GB"), Some("en".into()));
        assert_eq!(language(""), None);
        assert_eq!(language("xx-lolcat"), Some("xx".into()));
        assert_eq!(language("NULL"), None);
    }
}
