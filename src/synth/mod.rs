//! Synthetic labelled profiles: a generative world of fake and genuine personas in which the
//! label depends on the combination of signals (what is asked, by whom, with what history),
//! never on one field or phrase. See `datasets/synthetic/README.md` for the dataset card.
//!
//! Profile `i` of a configuration is generated from its own random generator seeded with
//! `seed` and `i`, so that generation is deterministic, streams in constant memory and can be
//! split across threads without changing a byte.

mod career;
mod cues;
mod grammar;
mod messages;
mod names;
mod numbers;
mod obfuscate;
mod personas;
mod shapes;
#[cfg(test)]
mod tests;

use std::io::Write;

use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::meta::Meta;
use crate::profile::{Label, Platform, Profile};
use grammar::{say, tidy, Vars};
use personas::{Difficulty, Signal};

pub use names::pool_names;
pub use personas::FAMILIES;

/// Share of profiles whose label is flipped (documented label noise).
pub const LABEL_NOISE: f64 = 0.015;

/// What to generate.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthConfig {
    pub n: usize,
    pub seed: u64,
    /// Share of fake profiles, in [0, 1].
    pub fake_share: f64,
    /// Profile languages (`en`, `fr`, `de`) with their weights.
    pub languages: Vec<(String, f64)>,
}

impl Default for SynthConfig {
    fn default() -> SynthConfig {
        SynthConfig {
            n: 1000,
            seed: 0,
            fake_share: 0.5,
            languages: vec![
                ("en".to_owned(), 0.8),
                ("fr".to_owned(), 0.1),
                ("de".to_owned(), 0.1),
            ],
        }
    }
}

/// One generated profile and its sidecar record.
#[derive(Debug, Clone, PartialEq)]
pub struct Synthetic {
    pub profile: Profile,
    pub meta: Meta,
}

/// The languages the generator can write.
pub const LANGUAGES: [&str; 3] = ["en", "fr", "de"];

/// Generates `cfg.n` profiles (deterministic for a configuration; `profile.label` is set).
pub fn generate(cfg: &SynthConfig) -> Vec<Synthetic> {
    (0..cfg.n).map(|i| generate_one(cfg, i)).collect()
}

/// Writes `cfg.n` profiles as JSON lines to `profiles`, and their meta records to `meta`,
/// one at a time. `stop` is polled between records; returns how many were written.
pub fn write_jsonl(
    cfg: &SynthConfig,
    profiles: &mut dyn Write,
    mut meta: Option<&mut dyn Write>,
    stop: &dyn Fn() -> bool,
) -> std::io::Result<usize> {
    for i in 0..cfg.n {
        if stop() {
            return Ok(i);
        }
        let s = generate_one(cfg, i);
        profiles.write_all(s.profile.to_json_line().as_bytes())?;
        profiles.write_all(b"\n")?;
        if let Some(m) = meta.as_deref_mut() {
            serde_json::to_writer(&mut *m, &s.meta)?;
            m.write_all(b"\n")?;
        }
    }
    Ok(cfg.n)
}

/// SplitMix64 finaliser: spreads an index over the seed space.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A small stable string hash (FNV-1a) for group slots.
fn fnv(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

fn draw_language<'a, R: Rng>(cfg: &'a SynthConfig, rng: &mut R) -> &'a str {
    let total: f64 = cfg.languages.iter().map(|(_, w)| w.max(0.0)).sum();
    let mut u = rng.random::<f64>() * total;
    for (lang, w) in &cfg.languages {
        if u < *w {
            return lang;
        }
        u -= w.max(0.0);
    }
    cfg.languages.last().map_or("en", |(l, _)| l.as_str())
}

/// The network a profile was seen on, for both classes alike: mostly LinkedIn, XING (recorded
/// as `other`) for a fifth of German-language profiles, now and then a profile copied from
/// Twitter or Instagram, and unknown for a tenth.
fn draw_platform<R: Rng>(lang: &str, rng: &mut R) -> Option<Platform> {
    let u: f64 = rng.random();
    if u < 0.1 {
        None
    } else if lang == "de" && u < 0.28 {
        Some(Platform::Other)
    } else if u < 0.115 {
        Some(Platform::Twitter)
    } else if u < 0.12 {
        Some(Platform::Instagram)
    } else {
        Some(Platform::Linkedin)
    }
}

fn pick<'a, T, R: Rng>(items: &'a [T], rng: &mut R) -> &'a T {
    &items[rng.random_range(0..items.len())]
}

/// Generates profile number `index` of a configuration.
pub fn generate_one(cfg: &SynthConfig, index: usize) -> Synthetic {
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed ^ mix(index as u64));
    let rng = &mut rng;
    let fake = rng.random_bool(cfg.fake_share.clamp(0.0, 1.0));
    let family = personas::draw_family(fake, rng);
    let difficulty = Difficulty::draw(fake, rng);
    let lang = draw_language(cfg, rng);
    let lang: &str = if LANGUAGES.contains(&lang) {
        lang
    } else {
        "en"
    };
    let who = names::draw(lang, rng);
    let role = *pick(family.roles, rng);
    let sector = *pick(&career::SECTORS, rng);

    let mut vars = Vars::default();
    vars.set("first", who.given);
    vars.set("last", who.family);
    vars.set("name", who.display.clone());
    let city = who.location.split(',').next().unwrap_or(who.location);
    vars.set("city", city);
    vars.set("sector", say(&format!("sector.{sector}"), lang, &vars, rng));
    let (company, vague) = career::employer(family, role, difficulty, lang, rng);
    vars.set("company", company.clone());
    vars.set(
        "title",
        tidy(&say(&format!("title.{}", role.key()), lang, &vars, rng)),
    );

    let mut p = Profile {
        id: format!("synth-{}-{index:07}", cfg.seed),
        platform: draw_platform(lang, rng),
        name: Some(who.display.clone()),
        username: rng.random_bool(0.8).then(|| who.username.clone()),
        location: rng.random_bool(0.88).then(|| who.location.to_owned()),
        ..Profile::default()
    };
    if rng.random_bool(0.93) {
        p.headline = Some(tidy(&say(
            &format!("headline.{}", role.key()),
            lang,
            &vars,
            rng,
        )));
    }
    let about_rate = match (fake, difficulty) {
        (true, Difficulty::Easy) => 0.45,
        (true, _) => 0.8,
        (false, _) if family.name == "genuine_sparse" => 0.3,
        (false, _) => 0.7,
    };
    if rng.random_bool(about_rate) {
        p.about = Some(tidy(&say(
            &format!("about.{}", role.key()),
            lang,
            &vars,
            rng,
        )));
    }
    // Hard fakes often run a look-alike website to back their employer.
    let website_rate = match (fake, difficulty) {
        (true, Difficulty::Hard) => 0.25,
        (true, _) => 0.1,
        (false, _) => 0.2,
    };
    if rng.random_bool(website_rate) {
        p.website = Some(say("website", lang, &vars, rng));
    }
    if rng.random_bool(0.92) {
        p.experience = Some(career::positions(
            family, role, difficulty, lang, &vars, rng,
        ));
    }
    p.education = career::education(who.nationality, role, lang, fake, rng);
    p.skills = career::skills(role, sector, lang, rng);
    p.languages = career::languages(who.nationality, lang, rng);
    numbers::fill(&mut p, family, difficulty, rng);
    if family.name == "genuine_sparse" {
        // New graduates and privacy-minded officials leave most of the profile empty.
        if rng.random_bool(0.5) {
            p.skills = None;
        }
        if rng.random_bool(0.4) {
            p.education = None;
        }
        if rng.random_bool(0.3) {
            p.has_photo = Some(false);
            p.photo_flags = None;
        }
    }

    // Messages: in the profile language, or in English for a quarter of non-English ones.
    let msg_lang = if lang != "en" && rng.random_bool(0.25) {
        "en"
    } else {
        lang
    };
    let skeleton = rng.random_range(0..messages::SKELETON_COUNT);
    let shape = shapes::Shape::draw(rng);
    if rng.random_bool(family.messages) {
        let para = personas::paraphrase_rate(fake, difficulty);
        let mut signals: Vec<(Signal, bool)> = Vec::new();
        for s in Signal::ALL {
            if rng.random_bool(personas::signal_rate(family, s, difficulty)) {
                signals.push((s, rng.random_bool(para)));
            }
        }
        if signals.is_empty() && fake && difficulty == Difficulty::Easy {
            signals.push((Signal::Flattery, false));
        }
        set_message_vars(&mut vars, &who, sector, msg_lang, &company, rng);
        let plan = messages::Plan {
            family,
            role,
            difficulty,
            signals,
            cues: cues::draw(family, difficulty, rng),
            register: cues::Register::draw(fake, difficulty, rng),
            note: shape == shapes::Shape::Invitation,
            delayed: rng.random_bool(personas::delay_rate(fake, difficulty)),
            skeleton,
            lang: msg_lang,
        };
        p.messages = Some(messages::compose(&plan, &vars, rng));
    }
    surface_noise(&mut p, fake, difficulty, who.nationality, who.family, rng);
    shapes::apply(&mut p, shape, rng);

    // Label noise: a small documented share of labels is flipped.
    let noisy = rng.random_bool(LABEL_NOISE);
    p.label = Some(if fake != noisy {
        Label::Fake
    } else {
        Label::Genuine
    });
    let slot = fnv(if vague { "vague" } else { &company }) % 24;
    let meta = Meta {
        id: p.id.clone(),
        family: family.name.to_owned(),
        group: format!("{}-s{skeleton}-e{slot}", family.name),
        difficulty: Some(difficulty.as_str().to_owned()),
        language: Some(lang.to_owned()),
    };
    Synthetic { profile: p, meta }
}

fn set_message_vars<R: Rng>(
    vars: &mut Vars,
    who: &names::Identity,
    sector: &str,
    lang: &str,
    company: &str,
    rng: &mut R,
) {
    let banks = grammar::Banks::get();
    // The target is another person of the same shared pool.
    let target = pick(&names::NATIONALITIES, rng).0;
    vars.set("tfirst", banks.pick("given", target, rng));
    vars.set("tlast", banks.pick("family", target, rng));
    vars.set("ref", rng.random_range(1000..99999).to_string());
    vars.set("sector", say(&format!("sector.{sector}"), lang, vars, rng));
    vars.set("topic", say(&format!("topic.{sector}"), lang, vars, rng));
    vars.set("job", say(&format!("job.{sector}"), lang, vars, rng));
    vars.set("event", say("event", lang, vars, rng));
    vars.set("venue", say("venue", lang, vars, rng));
    vars.set("salary", format!("{}", rng.random_range(6..30) * 5_000));
    let user = format!("{}.{}", names::slug(who.given), names::slug(who.family));
    let free = *pick(
        &[
            "gmail.com",
            "outlook.com",
            "yahoo.com",
            "163.com",
            "protonmail.com",
            "gmx.de",
            "hotmail.com",
            "qq.com",
            "yandex.ru",
        ],
        rng,
    );
    vars.set(
        "pmail",
        format!(
            "{user}{}@{free}",
            if rng.random_bool(0.4) {
                rng.random_range(1..99).to_string()
            } else {
                String::new()
            }
        ),
    );
    let domain: String = names::slug(company).replace('-', "");
    let domain = if domain.len() > 3 {
        &domain[..domain.len().min(14)]
    } else {
        "firm"
    };
    vars.set("cmail", format!("{user}@{domain}.com"));
    vars.set(
        "phone",
        format!(
            "+{} {} {} {}",
            pick(
                &["44", "1", "86", "7", "33", "49", "971", "65", "98", "234"],
                rng
            ),
            rng.random_range(20..999),
            rng.random_range(100..999),
            rng.random_range(1000..9999)
        ),
    );
    vars.set("days", rng.random_range(2..15).to_string());
}

/// Typos (both classes), evasion tricks (hard and some medium fakes) and honest Unicode
/// (mostly genuine, some fakes).
fn surface_noise<R: Rng>(
    p: &mut Profile,
    fake: bool,
    difficulty: Difficulty,
    nationality: &str,
    family_name: &str,
    rng: &mut R,
) {
    let typo_rate = match (fake, difficulty) {
        (true, Difficulty::Easy) => 0.45,
        (true, Difficulty::Hard) => 0.08,
        _ => 0.2,
    };
    if let Some(msgs) = p.messages.as_mut() {
        for m in msgs.iter_mut() {
            if rng.random_bool(typo_rate) {
                m.text = obfuscate::typos(&m.text, rng.random_range(1..4), rng);
            }
        }
    }
    let evade_rate = match (fake, difficulty) {
        (true, Difficulty::Hard) => 0.3,
        (true, Difficulty::Medium) => 0.12,
        (true, Difficulty::Easy) => 0.05,
        (false, _) => 0.0,
    };
    if rng.random_bool(evade_rate) {
        let words = rng.random_range(1..4);
        match rng.random_range(0..4) {
            0 => {
                if let Some(h) = p.headline.as_mut() {
                    *h = obfuscate::evade(h, words, rng);
                }
            }
            1 => {
                if let Some(a) = p.about.as_mut() {
                    *a = obfuscate::evade(a, words, rng);
                }
            }
            _ => {
                if let Some(m) = p.messages.as_mut().and_then(|m| m.first_mut()) {
                    m.text = obfuscate::evade(&m.text, words, rng);
                }
            }
        }
    }
    let unicode_rate = if fake { 0.04 } else { 0.07 };
    if rng.random_bool(unicode_rate) {
        let emoji = *pick(&obfuscate::EMOJI, rng);
        match (
            rng.random_range(0..3),
            obfuscate::native_name(nationality, family_name),
        ) {
            (0, Some(native)) => {
                if let Some(n) = p.name.as_mut() {
                    n.push_str(" | ");
                    n.push_str(native);
                }
            }
            (1, _) => {
                if let Some(h) = p.headline.as_mut() {
                    h.push_str(emoji);
                }
            }
            _ => {
                if let Some(a) = p.about.as_mut() {
                    a.push_str(emoji);
                }
            }
        }
    }
}
