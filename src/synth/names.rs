//! Names, usernames and home locations, drawn from one pool shared by both classes: the
//! label never changes which nationality, name or place is drawn.

use rand::Rng;

use super::grammar::Banks;

/// Nationality codes of the name pool (sections `given.X`, `family.X`, `city.X` of
/// `banks/names.txt`) with their share of all profiles.
pub const NATIONALITIES: [(&str, f64); 12] = [
    ("en", 0.22),
    ("cn", 0.10),
    ("ru", 0.07),
    ("ir", 0.05),
    ("ar", 0.06),
    ("in", 0.09),
    ("ng", 0.06),
    ("br", 0.06),
    ("fr", 0.08),
    ("de", 0.08),
    ("kr", 0.06),
    ("pl", 0.07),
];

/// The given and family names of the pool, as words of three letters or more, less those that
/// the generator's other banks also use as ordinary words ("Das", "Won", "Klein" are both):
/// sorted and distinct.
pub fn pool_names() -> Vec<&'static str> {
    let mut names = Vec::new();
    let mut other = std::collections::HashSet::new();
    for (key, entries) in Banks::get().all() {
        let is_name = key.starts_with("given.") || key.starts_with("family.");
        for e in entries {
            for w in e
                .split(|c: char| !c.is_alphanumeric())
                .filter(|w| !w.is_empty())
            {
                if is_name {
                    if w.chars().count() >= 3 {
                        names.push(w);
                    }
                } else if w.chars().next().is_some_and(char::is_lowercase) {
                    other.insert(w.to_lowercase());
                }
            }
        }
    }
    names.retain(|w| !other.contains(&w.to_lowercase()));
    names.sort_unstable();
    names.dedup();
    names
}

/// A drawn identity.
#[derive(Debug, Clone)]
pub struct Identity {
    pub nationality: &'static str,
    pub given: &'static str,
    pub family: &'static str,
    /// The display name as written on the profile.
    pub display: String,
    pub username: String,
    /// Where the person lives (home country, or the profile language's region, or abroad).
    pub location: &'static str,
}

fn draw_nationality<R: Rng>(lang: &str, rng: &mut R) -> &'static str {
    // A French or German profile is written mostly by people of that language area; the
    // draw depends on the language only, never on the label.
    if lang != "en" && rng.random_bool(0.55) {
        return if lang == "fr" { "fr" } else { "de" };
    }
    let mut u: f64 = rng.random();
    for (code, w) in NATIONALITIES {
        if u < w {
            return code;
        }
        u -= w;
    }
    "en"
}

/// Folds a name into a username-safe ASCII slug.
pub fn slug(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        let c = match c {
            'à' | 'á' | 'â' | 'ã' | 'ä' => 'a',
            'ç' => 'c',
            'è' | 'é' | 'ê' | 'ë' | 'É' => 'e',
            'í' | 'î' | 'ï' => 'i',
            'ó' | 'ô' | 'õ' | 'ö' => 'o',
            'ú' | 'û' | 'ü' => 'u',
            'ß' => 's',
            'ś' => 's',
            c => c,
        };
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if c == '-' || c == ' ' {
            out.push('-');
        }
    }
    out
}

/// Draws an identity for a profile of language `lang`.
pub fn draw<R: Rng>(lang: &str, rng: &mut R) -> Identity {
    let banks = Banks::get();
    let nationality = draw_nationality(lang, rng);
    let given = banks.pick("given", nationality, rng);
    let family = banks.pick("family", nationality, rng);
    let u: f64 = rng.random();
    let display = if u < 0.70 {
        format!("{given} {family}")
    } else if u < 0.78 && matches!(nationality, "cn" | "kr") {
        format!("{family} {given}")
    } else if u < 0.84 {
        format!("Dr. {given} {family}")
    } else if u < 0.89 {
        format!("{given} {family}, PhD")
    } else if u < 0.94 {
        let initial = family.chars().next().unwrap_or('X');
        format!("{given} {initial}.")
    } else if u < 0.97 {
        format!("{} {}", given.to_uppercase(), family.to_uppercase())
    } else {
        format!(
            "{given} {family} ({})",
            ["MBA", "CISSP", "PMP", "MSc"][rng.random_range(0..4)]
        )
    };
    let username = match rng.random_range(0..6) {
        0 | 1 => format!("{}-{}", slug(given), slug(family)),
        2 => format!(
            "{}-{}-{:x}",
            slug(given),
            slug(family),
            rng.random_range(0x1000..0xffffffu32)
        ),
        3 => format!("{}{}", slug(given), slug(family)),
        4 => format!(
            "{}{}{}",
            slug(given).chars().next().unwrap_or('x'),
            slug(family),
            rng.random_range(1..99)
        ),
        _ => format!(
            "{}-{}-{}",
            slug(given),
            slug(family),
            rng.random_range(100..99999)
        ),
    };
    let u: f64 = rng.random();
    let location = if lang != "en" && u < 0.6 {
        banks.pick("city", lang, rng)
    } else if u < 0.82 {
        banks.pick("city", nationality, rng)
    } else {
        banks.pick("city", "en", rng)
    };
    Identity {
        nationality,
        given,
        family,
        display,
        username,
        location,
    }
}
