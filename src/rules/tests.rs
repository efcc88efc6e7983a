//! Every shipped rule fires on a positive and stays silent on a negative example, in at least
//! two languages; realistic phrasings and evasions are tested by hand below.

use super::*;
use crate::profile::{Education, Message, PhotoFlag, Position};

/// Neutral context per language, so positives and negatives differ only in the rule's cue.
const NEUTRAL: [(&str, &str); 3] = [
    (
        "en",
        "Hello, thank you for connecting. Looking forward to staying in touch.",
    ),
    (
        "fr",
        "Bonjour, merci pour la mise en relation. Au plaisir de rester en contact.",
    ),
    (
        "de",
        "Hallo, danke für die Vernetzung. Ich freue mich auf den weiteren Austausch.",
    ),
];

fn base(lang: &str) -> Profile {
    let neutral = NEUTRAL.iter().find(|(l, _)| *l == lang).unwrap().1;
    Profile {
        id: format!("t-{lang}"),
        headline: Some("Engineer".into()),
        about: Some(neutral.into()),
        has_photo: Some(true),
        account_age_days: Some(800),
        connections: Some(300),
        mutual_connections: Some(5),
        posts: Some(6),
        endorsements: Some(4),
        recommendations: Some(1),
        experience: Some(vec![Position::default(), Position::default()]),
        education: Some(vec![Education::default()]),
        messages: Some(vec![Message {
            direction: crate::profile::Direction::Inbound,
            text: neutral.into(),
        }]),
        ..Profile::default()
    }
}

/// Puts `text` into the profile field a rule reads.
fn set_text(p: &mut Profile, field: TextField, text: &str) {
    let s = Some(text.to_owned());
    match field {
        TextField::Headline => p.headline = s,
        TextField::About => p.about = s,
        TextField::Username => p.username = s,
        TextField::Location => p.location = s,
        TextField::Website => p.website = s,
        TextField::ExperienceTitle => p.experience.as_mut().unwrap()[0].title = s,
        TextField::ExperienceCompany => p.experience.as_mut().unwrap()[0].company = s,
        TextField::ExperienceDescription => p.experience.as_mut().unwrap()[0].description = s,
        TextField::EducationSchool => p.education.as_mut().unwrap()[0].school = s,
        TextField::Skills => p.skills = Some(vec![text.to_owned()]),
        TextField::MessagesInbound => p.messages.as_mut().unwrap()[0].text = text.to_owned(),
        other => panic!("no test placement for {other:?}"),
    }
}

fn fires(rules: &RuleSet, p: &Profile, code: &str) -> bool {
    rules
        .hits(p)
        .iter()
        .any(|h| rules.spec(h.rule).code == code)
}

/// A profile that triggers `spec` in language `lang`, and one that does not.
fn examples(spec: &RuleSpec, lang: &str) -> Option<(Profile, Profile)> {
    let mut pos = base(lang);
    let mut neg = base(lang);
    let fields = spec.text_fields().unwrap();
    if let Some(ph) = &spec.phrases {
        let list = match lang {
            "en" => &ph.en,
            "fr" => &ph.fr,
            _ => &ph.de,
        };
        let phrase = list.first()?.trim_end_matches('*');
        set_text(&mut pos, fields[0], &format!("Note: {phrase}. Regards"));
        set_text(&mut neg, fields[0], "Regards");
    } else if spec.regex.is_some() {
        let cue = if spec.code == "personal_email_address" {
            "jean.dupont@gmail.com"
        } else {
            "+33 6 12 34 56 78"
        };
        let neutral = NEUTRAL.iter().find(|(l, _)| *l == lang).unwrap().1;
        set_text(&mut pos, fields[0], &format!("{neutral} {cue}"));
        set_text(&mut neg, fields[0], neutral);
    } else if let Some(n) = &spec.numeric {
        let (yes, no) = match n.op {
            Op::Lt => (n.value - 1.0, n.value),
            Op::Le => (n.value, n.value + 1.0),
            Op::Gt => (n.value + 1.0, n.value),
            Op::Ge => (n.value, n.value - 1.0),
            Op::Eq => (n.value, n.value + 1.0),
        };
        set_numeric(&mut pos, &n.field, yes as u64);
        set_numeric(&mut neg, &n.field, no as u64);
    } else if let Some(f) = &spec.flag {
        let set = |p: &mut Profile, v: bool| match f.field.as_str() {
            "has_photo" => p.has_photo = Some(v),
            _ => p.verified = Some(v),
        };
        set(&mut pos, f.equals);
        set(&mut neg, !f.equals);
    } else if let Some(flags) = &spec.photo_flags {
        pos.photo_flags = Some(vec![flags[0]]);
        neg.photo_flags = Some(vec![]);
    } else if spec.obfuscation.is_some() {
        let neutral = NEUTRAL.iter().find(|(l, _)| *l == lang).unwrap().1;
        set_text(
            &mut pos,
            TextField::MessagesInbound,
            &neutral.replacen('o', "\u{043E}", 1),
        );
    }
    Some((pos, neg))
}

fn set_numeric(p: &mut Profile, field: &str, v: u64) {
    match field {
        "experience_count" => p.experience = Some(vec![Position::default(); v as usize]),
        "education_count" => p.education = Some(vec![Education::default(); v as usize]),
        "skills_count" => p.skills = Some(vec!["x".into(); v as usize]),
        "account_age_days" => p.account_age_days = Some(v),
        "connections" => p.connections = Some(v),
        "followers" => p.followers = Some(v),
        "following" => p.following = Some(v),
        "mutual_connections" => p.mutual_connections = Some(v),
        "posts" => p.posts = Some(v),
        "endorsements" => p.endorsements = Some(v),
        "recommendations" => p.recommendations = Some(v),
        other => panic!("no test setter for {other}"),
    }
}

#[test]
fn shipped_rules_compile() {
    let rules = RuleSet::default_rules();
    assert!(rules.len() >= 25, "{} rules", rules.len());
}

#[test]
fn every_rule_has_positive_and_negative_examples_in_two_languages() {
    let rules = RuleSet::default_rules();
    for spec in rules.specs() {
        let mut languages = 0;
        for (lang, _) in NEUTRAL {
            let Some((pos, neg)) = examples(spec, lang) else {
                continue;
            };
            assert!(
                fires(&rules, &pos, &spec.code),
                "{} does not fire on its {lang} positive",
                spec.code
            );
            assert!(
                !fires(&rules, &neg, &spec.code),
                "{} fires on its {lang} negative",
                spec.code
            );
            languages += 1;
        }
        assert!(
            languages >= 2,
            "{} is tested in {languages} language(s)",
            spec.code
        );
    }
}

fn message(text: &str) -> Profile {
    let mut p = base("en");
    set_text(&mut p, TextField::MessagesInbound, text);
    p
}

#[test]
fn phrases_match_across_case_accents_and_inflection() {
    let rules = RuleSet::default_rules();
    let fr = message("Nous proposons des RAPPORTS RÉMUNÉRÉS, en toute DISCRÉTION.");
    assert!(fires(&rules, &fr, "paid_report_offer"));
    assert!(fires(&rules, &fr, "scarcity_exclusivity"));
    let de = message("Alle Kosten werden übernommen, ein exklusives Seminar.");
    assert!(fires(&rules, &de, "paid_trip_abroad"));
    assert!(fires(&rules, &de, "scarcity_exclusivity"));
}

#[test]
fn phrases_respect_word_boundaries() {
    let rules = RuleSet::default_rules();
    // "urgent" inside "insurgent" and "whatsapp" inside a longer token must not fire.
    let p = message("We study insurgent groups and the whatsappish style of modern chat.");
    assert!(!fires(&rules, &p, "urgency"));
    assert!(!fires(&rules, &p, "move_off_platform"));
}

#[test]
fn hidden_characters_do_not_hide_a_phrase() {
    let rules = RuleSet::default_rules();
    for text in [
        "Let us continue on What\u{200B}sApp, I can send a pa\u{200D}id report.",
        "Let us continue on Wh\u{0430}tsApp, I can send a p\u{0430}id r\u{0435}port.",
        "Let us continue on \u{FF37}hatsApp, I can send a paid\u{2060} report.",
    ] {
        let p = message(text);
        assert!(fires(&rules, &p, "move_off_platform"), "{text}");
        assert!(fires(&rules, &p, "paid_report_offer"), "{text}");
        assert!(fires(&rules, &p, "obfuscated_text"), "{text}");
    }
}

#[test]
fn score_is_logistic_in_the_summed_weights() {
    let rules = RuleSet::default_rules();
    let p = message("Hello");
    let hits = rules.hits(&p);
    let a = rules.assess(&hits);
    let sum: f32 = hits.iter().map(|h| rules.spec(h.rule).weight).sum();
    let expected = 1.0 / (1.0 + (-(rules.bias + sum)).exp());
    assert!((a.score - expected).abs() < 1e-6);
    let blatant = Profile {
        photo_flags: Some(vec![PhotoFlag::Stock]),
        account_age_days: Some(30),
        mutual_connections: Some(0),
        ..message("Impressed by your expertise: short paid reports, all expenses paid trip, WhatsApp me urgently.")
    };
    let b = rules.assess_profile(&blatant);
    assert!(b.score > 0.95, "{}", b.score);
    assert!(b
        .reasons
        .windows(2)
        .all(|w| w[0].weight.abs() >= w[1].weight.abs()));
}

#[test]
fn invalid_rule_files_are_refused_with_the_rule_code() {
    let bad = [
        (
            "reads_name",
            r#"fields = ["name"]
phrases.en = ["x"]"#,
            "name",
        ),
        (
            "two_matchers",
            r#"fields = ["about"]
phrases.en = ["x"]
regex = "y""#,
            "exactly one matcher",
        ),
        (
            "bad_regex",
            r#"fields = ["about"]
regex = "(""#,
            "regex",
        ),
        (
            "bad_field",
            r#"fields = ["aboot"]
phrases.en = ["x"]"#,
            "unknown field",
        ),
        (
            "bad_numeric",
            r#"numeric = { field = "karma", op = "<", value = 1 }"#,
            "karma",
        ),
        // Issue 13 row 14: a regex that is slow or huge to compile.
        (
            "huge_repetition",
            r#"fields = ["about"]
regex = "a{100000}""#,
            "repetition count 100000",
        ),
        (
            "huge_range",
            r#"fields = ["about"]
regex = "x[{]b{2,5000}""#,
            "repetition count 5000",
        ),
        (
            "nested_repetition",
            r#"fields = ["about"]
regex = "((a{1000}){1000}){1000}""#,
            "size limit",
        ),
        (
            "deep_nesting",
            r#"fields = ["about"]
regex = "((((((((((((((((((((((((((((((((((((((((a))))))))))))))))))))))))))))))))))))))))""#,
            "nest",
        ),
        // Issue 13 row 15: identity proxies.
        (
            "reads_username",
            r#"fields = ["about", "username"]
phrases.en = ["x"]"#,
            "`username`",
        ),
        (
            "reads_location",
            r#"fields = ["location"]
regex = "moscow""#,
            "`location`",
        ),
        (
            "reads_languages",
            r#"fields = ["languages"]
phrases.en = ["x"]"#,
            "`languages`",
        ),
        (
            "counts_languages",
            r#"fields = ["languages"]
obfuscation = { min = 1 }"#,
            "`languages`",
        ),
    ];
    for (code, body, needle) in bad {
        let text = format!(
            "format_version = 1\nbias = -3.0\n[thresholds]\nreview = 0.5\nfake = 0.8\n[[rule]]\ncode = \"{code}\"\ndescription = \"d\"\nsources = [\"NPSA\"]\nweight = 1.0\n{body}\n"
        );
        let err = RuleSet::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains(code) && err.contains(needle), "{err}");
    }
}

#[test]
fn obfuscation_may_count_hidden_characters_in_usernames_and_ordinary_regexes_compile() {
    let text = "format_version = 1\nbias = -3.0\n[thresholds]\nreview = 0.5\nfake = 0.8\n[[rule]]\ncode = \"hidden\"\ndescription = \"d\"\nsources = [\"NPSA\"]\nweight = 1.0\nfields = [\"username\", \"location\"]\nobfuscation = { min = 1 }\n[[rule]]\ncode = \"phone\"\ndescription = \"d\"\nsources = [\"NPSA\"]\nweight = 1.0\nfields = [\"about\"]\nregex = '\\+?\\d{2}[ \\d{}]{8,200}'\n";
    RuleSet::from_toml(text).unwrap();
}
