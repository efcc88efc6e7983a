//! Behaviour of the normaliser: what it folds, removes and counts, and what it leaves alone.

use super::*;

#[test]
fn plain_text_is_case_folded_and_collapsed() {
    let n = normalize("  Paid   SHORT\treports \n");
    assert_eq!(n.text, "paid short reports");
    assert_eq!(n.obfuscation.total(), 0);
}

#[test]
fn invisible_characters_and_lookalikes_are_undone_and_counted() {
    let n = normalize("pa\u{200B}id rеpоrt on Теlеgrаm");
    assert_eq!(n.text, "paid report on telegram");
    assert_eq!(n.obfuscation.invisible, 1);
    assert!(n.obfuscation.confusables >= 5);
    let n = normalize("\u{202E}whatsapp");
    assert_eq!(n.text, "whatsapp");
    assert_eq!(n.obfuscation.bidi, 1);
}

#[test]
fn diacritics_and_compatibility_forms_fold() {
    assert_eq!(normalize("Rémunéré Straße").text, "remunere strasse");
    assert_eq!(normalize("ＷｈａｔｓＡｐｐ").text, "whatsapp");
}

#[test]
fn genuine_non_latin_text_is_kept_and_not_flagged() {
    let n = normalize("Инженер в Москве");
    assert_eq!(n.text, "инженер в москве");
    assert_eq!(n.obfuscation.total(), 0);
    let n = normalize("می\u{200C}خواهم 北京大学 👩\u{200D}💻");
    assert_eq!(n.obfuscation.total(), 0);
    assert!(n.text.contains("北京大学"));
}

proptest::proptest! {
    #[test]
    fn never_panics_and_is_idempotent(s in "\\PC{0,40}|[a-zA-Z \u{200B}\u{202E}\u{0430}\u{0435}\u{043E}\u{0440}\u{03BF}\u{FF41}\u{00E9}]{0,40}|[a-zA-Z \u{0300}-\u{036F}\u{1DC0}-\u{1DFF}\u{FE00}-\u{FE0F}\u{E0020}-\u{E007F}\u{3164}\u{2800}\u{1100}-\u{1175}\u{0251}\u{03F2}\u{04BD}\u{0131}\u{0585}\u{A731}\u{0915}-\u{094D}]{0,40}") {
        let once = normalize(&s);
        let twice = normalize(&once.text);
        proptest::prop_assert_eq!(&twice.text, &once.text);
        proptest::prop_assert_eq!(twice.obfuscation.total(), 0);
        proptest::prop_assert!(!once.text.chars().any(|c| is_invisible(c) || is_bidi_control(c)));
        proptest::prop_assert!(!once.text.starts_with(' ') && !once.text.ends_with(' '));
    }
}

#[test]
fn every_default_ignorable_and_blank_filler_is_removed_and_counted() {
    let mut all: Vec<char> = tables::DEFAULT_IGNORABLE
        .iter()
        .flat_map(|&(a, b)| (a as u32..=b as u32).filter_map(char::from_u32))
        .collect();
    all.extend(['\u{2800}', '\u{1D159}']);
    assert!(all.len() > 4000);
    for c in all {
        let n = normalize(&format!("What{c}sApp"));
        assert_eq!(n.text, "whatsapp", "U+{:04X}", c as u32);
        assert!(n.obfuscation.total() > 0, "U+{:04X} not counted", c as u32);
    }
}

#[test]
fn red_team_characters_are_undone() {
    // Row 1 of issue 13: variation selectors, tags, fillers, musical and braille blanks.
    for c in [
        '\u{FE0F}',
        '\u{FE00}',
        '\u{FE0E}',
        '\u{E0020}',
        '\u{E0041}',
        '\u{180B}',
        '\u{3164}',
        '\u{17B4}',
        '\u{1D173}',
        '\u{2800}',
        '\u{115F}',
        '\u{1160}',
        '\u{FFA0}',
    ] {
        let n = normalize(&format!("pai{c}d rep{c}ort on What{c}sApp"));
        assert_eq!(n.text, "paid report on whatsapp", "U+{:04X}", c as u32);
        assert!(n.obfuscation.invisible >= 3, "U+{:04X}", c as u32);
    }
    // Row 2: look-alikes outside the old hand-written table, and a stray combining mark.
    for (s, want) in [
        ("Whɑtsɑpp", "whatsapp"),
        ("ϲontact me", "contact me"),
        ("Tҽlҽgram", "telegram"),
        ("Sıgnal", "signal"),
        ("Telegrօm", "telegrom"),
        ("ꜱignal", "signal"),
        ("Wha\u{1DC4}tsApp", "whatsapp"),
        ("Теlеgrаm", "telegram"),
        ("рaid rероrt", "paid report"),
    ] {
        assert_eq!(normalize(s).text, want, "{s}");
    }
    assert!(normalize("Whɑtsɑpp").obfuscation.confusables >= 2);
    assert!(normalize("ϲontact").obfuscation.confusables >= 1);
    assert_eq!(normalize("Wha\u{1DC4}tsApp").obfuscation.marks, 1);
}

#[test]
fn ordinary_european_and_other_scripts_are_not_flagged() {
    for (s, want) in [
        ("Straße", "strasse"),
        ("cœur Ærø", "coeur aerø"),
        ("Łódź", "łodz"),
        ("Nguyễn Thị", "nguyen thi"),
        ("İstanbul", "istanbul"),
        ("Ingénieure sûreté, Köln", "ingenieure surete, koln"),
        (
            "I ❤\u{FE0F} Paris 🏴\u{E0067}\u{E0062}\u{E0065}\u{E006E}\u{E0067}\u{E007F}",
            "i ❤ paris 🏴",
        ),
        ("हिन्दी भाषा", "हिन्दी भाषा"),
        ("Αθήνα", "αθήνα"),
    ] {
        let n = normalize(s);
        assert_eq!(n.text, want, "{s}");
        assert_eq!(n.obfuscation.total(), 0, "{s}: {:?}", n.obfuscation);
    }
    // Turkish dotless i is folded for matching but is not evidence of hiding.
    assert_eq!(normalize("Işık").obfuscation.total(), 0);
}

/// Letters by the ASCII letter they are folded to.
fn substitutes() -> std::collections::BTreeMap<char, Vec<char>> {
    let mut m: std::collections::BTreeMap<char, Vec<char>> = Default::default();
    for &(c, _, _) in tables::CONFUSABLE {
        // What the letter folds to once lower-cased, as normalisation does.
        let mut low = c.to_lowercase();
        let (Some(l), None) = (low.next(), low.next()) else {
            continue;
        };
        if let Some((to, _)) = confusable(l) {
            if to.is_ascii_alphabetic() {
                m.entry(to.to_ascii_lowercase()).or_default().push(c);
            }
        }
    }
    m
}

proptest::proptest! {
    #[test]
    fn inserting_an_invisible_character_changes_nothing_but_the_count(
        words in proptest::collection::vec("[a-zA-Z]{2,8}", 1..6),
        at in 0usize..1000,
        which in 0usize..100_000,
    ) {
        let clean = words.join(" ");
        let all: Vec<char> = tables::DEFAULT_IGNORABLE
            .iter()
            .flat_map(|&(a, b)| (a as u32..=b as u32).filter_map(char::from_u32))
            .chain(['\u{2800}', '\u{1D159}'])
            .collect();
        let c = all[which % all.len()];
        let chars: Vec<char> = clean.chars().collect();
        let at = at % (chars.len() + 1);
        let dirty: String = chars[..at].iter().chain([c].iter()).chain(&chars[at..]).collect();
        proptest::prop_assert_eq!(normalize(&dirty).text, normalize(&clean).text);
    }

    #[test]
    fn substituting_a_look_alike_changes_nothing_but_the_count(
        words in proptest::collection::vec("[a-zA-Z]{2,8}", 1..6),
        at in 0usize..1000,
        which in 0usize..1000,
    ) {
        let clean = words.join(" ");
        let subs = substitutes();
        let mut chars: Vec<char> = clean.chars().collect();
        let at = at % chars.len();
        if let Some(options) = subs.get(&chars[at].to_ascii_lowercase()) {
            chars[at] = options[which % options.len()];
        }
        let dirty: String = chars.iter().collect();
        proptest::prop_assert_eq!(normalize(&dirty).text, normalize(&clean).text, "{}", dirty);
    }
}

#[test]
fn normalisation_is_idempotent_on_examples() {
    for s in [
        "Ünïcödé ＴＥＸＴ",
        "pа\u{200D}y",
        "Ελληνικά text",
        "a  b\u{2066}c",
    ] {
        let once = normalize(s).text;
        assert_eq!(normalize(&once).text, once, "{s}");
    }
}
