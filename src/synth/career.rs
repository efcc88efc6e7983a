//! The profile side of a persona: employer, headline, about text, positions, education,
//! skills and languages, composed from the role banks (`banks/profile*.txt`,
//! `banks/employers.txt`).

use rand::Rng;

use super::grammar::{say, tidy, Banks, Vars};
use super::personas::{Difficulty, Family, Role};
use crate::profile::{Education, Position, YearMonth};

/// Sectors the personas work in or target.
pub const SECTORS: [&str; 9] = [
    "health",
    "computing",
    "nuclear",
    "telecoms",
    "defence",
    "semiconductors",
    "energy",
    "policy",
    "finance",
];

/// The month the generated world is observed in: fixed so that output never depends on the
/// clock.
pub const NOW: YearMonth = YearMonth {
    year: 2026,
    month: 10,
};

/// Draws the employer of the current position: a real organisation, a plausible composed
/// one, or a vague one. Returns the employer and whether it is vague.
pub fn employer<R: Rng>(
    family: &Family,
    role: Role,
    difficulty: Difficulty,
    lang: &str,
    rng: &mut R,
) -> (String, bool) {
    let vague = match (family.fake, difficulty) {
        (true, Difficulty::Easy) => 0.45,
        (true, Difficulty::Medium) => 0.25,
        (true, Difficulty::Hard) => 0.08,
        (false, _) => 0.05,
    };
    if rng.random_bool(vague) {
        return (say("employer.vague", lang, &Vars::default(), rng), true);
    }
    // Fakes often borrow a real name; genuine people often work somewhere small.
    let real = if family.fake { 0.45 } else { 0.65 };
    let kind = if rng.random_bool(real) {
        "real"
    } else {
        "composed"
    };
    let key = format!("employer.{}.{}", role.key(), kind);
    (tidy(&say(&key, lang, &Vars::default(), rng)), false)
}

fn month_back(from: YearMonth, months: i32) -> YearMonth {
    let idx = from.index() - months;
    YearMonth {
        year: (idx / 12) as u16,
        month: (idx % 12 + 1) as u8,
    }
}

/// Builds the list of positions, newest first, the first one current at `company`.
pub fn positions<R: Rng>(
    family: &Family,
    role: Role,
    difficulty: Difficulty,
    lang: &str,
    vars: &Vars,
    rng: &mut R,
) -> Vec<Position> {
    let banks = Banks::get();
    let count = match (family.fake, difficulty) {
        (true, Difficulty::Easy) => rng.random_range(1..=2),
        (true, Difficulty::Medium) => rng.random_range(1..=4),
        (true, Difficulty::Hard) => rng.random_range(2..=5),
        (false, _) if family.name == "genuine_sparse" => rng.random_range(1..=2),
        (false, _) => rng.random_range(1..=6),
    };
    let title_key = format!("title.{}", role.key());
    let employer_key = format!("employer.{}.real", role.key());
    let desc_key = format!("desc.{}", role.key());
    let mut out = Vec::with_capacity(count);
    let mut end: Option<YearMonth> = None;
    let mut cursor = month_back(NOW, rng.random_range(0..30));
    for i in 0..count {
        let span = rng.random_range(6..84);
        let start = month_back(cursor, span);
        let mut p = Position::default();
        if i == 0 {
            p.title = vars.get("title").map(str::to_owned);
            p.company = vars.get("company").map(str::to_owned);
        } else {
            p.title = Some(tidy(&say(&title_key, lang, vars, rng)));
            p.company = Some(if rng.random_bool(0.5) {
                tidy(&say(&employer_key, lang, vars, rng))
            } else {
                tidy(&say("employer.any", lang, vars, rng))
            });
        }
        if rng.random_bool(0.55) {
            p.location = vars.get("city").map(str::to_owned);
        }
        if rng.random_bool(0.9) {
            p.start = Some(start);
            p.end = Some(end);
        }
        let desc_rate = if family.fake && difficulty == Difficulty::Hard {
            0.55
        } else {
            0.35
        };
        if banks.has(&desc_key, lang) && rng.random_bool(desc_rate) {
            p.description = Some(tidy(&say(&desc_key, lang, vars, rng)));
        }
        out.push(p);
        end = Some(month_back(start, rng.random_range(0..4)));
        cursor = end.unwrap_or(start);
        if cursor.year < 1975 {
            break;
        }
    }
    out
}

/// Education entries (0 to 2), schools drawn by nationality for both classes.
pub fn education<R: Rng>(
    nationality: &str,
    role: Role,
    lang: &str,
    fake: bool,
    rng: &mut R,
) -> Option<Vec<Education>> {
    let missing = if fake { 0.25 } else { 0.15 };
    if rng.random_bool(missing) {
        return None;
    }
    let n = if rng.random_bool(0.45) { 2 } else { 1 };
    let banks = Banks::get();
    let mut end_year: u16 = rng.random_range(1990..2026);
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let home = rng.random_bool(0.7);
        let school = if home {
            banks.pick("school", nationality, rng)
        } else {
            banks.pick("school", "en", rng)
        };
        let length = rng.random_range(1..5);
        let mut e = Education {
            school: Some(school.to_owned()),
            ..Education::default()
        };
        if rng.random_bool(0.8) {
            e.degree = Some(say("degree", lang, &Vars::default(), rng));
        }
        if rng.random_bool(0.75) {
            e.field = Some(say(
                &format!("field.{}", role.key()),
                lang,
                &Vars::default(),
                rng,
            ));
        }
        if rng.random_bool(0.7) {
            e.start = Some(end_year - length);
            e.end = Some(end_year);
        }
        out.push(e);
        end_year = end_year
            .saturating_sub(length + rng.random_range(0..3))
            .max(1960);
    }
    Some(out)
}

/// Skills: a mix of role and sector skills, none for about a fifth of profiles.
pub fn skills<R: Rng>(role: Role, sector: &str, lang: &str, rng: &mut R) -> Option<Vec<String>> {
    if rng.random_bool(0.2) {
        return None;
    }
    let banks = Banks::get();
    let n = rng.random_range(1..12);
    let role_key = format!("skill.{}", role.key());
    let sector_key = format!("skill.{sector}");
    let mut out: Vec<String> = Vec::with_capacity(n);
    for _ in 0..n {
        let key = if rng.random_bool(0.5) {
            &role_key
        } else {
            &sector_key
        };
        let s = banks.pick(key, lang, rng);
        if !s.is_empty() && !out.iter().any(|o| o == s) {
            out.push(s.to_owned());
        }
    }
    Some(out)
}

/// Spoken languages: the profile language, the home language, often English.
pub fn languages<R: Rng>(nationality: &str, lang: &str, rng: &mut R) -> Option<Vec<String>> {
    if rng.random_bool(0.45) {
        return None;
    }
    let banks = Banks::get();
    let mut out = vec![banks.pick("langname", nationality, rng).to_owned()];
    for extra in [lang, "en"] {
        let name = banks.pick("langname", extra, rng);
        if !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    if rng.random_bool(0.3) {
        let name = banks.pick("langname.other", lang, rng);
        if !out.iter().any(|o| o == name) {
            out.push(name.to_owned());
        }
    }
    Some(out)
}
