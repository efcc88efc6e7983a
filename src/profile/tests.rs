//! The parser and the reader on whole lines: what is accepted, what is rejected and how the
//! rejection is worded.

use std::collections::BTreeSet;

use super::*;

fn parse(s: &str) -> Result<Profile, FieldError> {
    parse_line(s.as_bytes(), &mut BTreeSet::new())
}

#[test]
fn spec_example_round_trips() {
    let line = r#"{"id":"bfv-2017-03","platform":"linkedin","name":"Laeticia Chen","photo_flags":["catalogue"],"account_age_days":210,"connections":500,"experience":[{"title":"Manager","start":"2016-05","end":null}],"education":[{"school":"Fudan University","start":2011,"end":2014}],"messages":[{"direction":"inbound","text":"Dear Sir"}],"label":"fake"}"#;
    let p = parse(line).unwrap();
    assert_eq!(p.connections, Some(500));
    assert_eq!(p.experience.as_ref().unwrap()[0].end, Some(None));
    let again = parse(&p.to_json_line()).unwrap();
    assert_eq!(p, again);
}

#[test]
fn rejections_name_the_field() {
    let cases = [
        (r#"{"id":"a","connections":-3}"#, "connections", "got -3"),
        (r#"{"id":"a","posts":1.5}"#, "posts", "non-negative integer"),
        (r#"{"id":"a","followers":"12"}"#, "followers", "string"),
        (
            r#"{"id":"a","account_age_days":99999999}"#,
            "account_age_days",
            "out of range",
        ),
        (r#"{"id":"a","label":"maybe"}"#, "label", "fake|genuine"),
        (
            r#"{"id":"a","messages":[{"direction":"sideways","text":"x"}]}"#,
            "messages[0].direction",
            "inbound",
        ),
        (
            r#"{"id":"a","experience":[{"start":"2020-05","end":"2019-01"}]}"#,
            "experience[0].end",
            "before",
        ),
        (
            r#"{"id":"a","education":[{"start":2015,"end":2011}]}"#,
            "education[0].end",
            "before",
        ),
        (
            r#"{"id":"a","experience":[{"start":"2020-13"}]}"#,
            "experience[0].start",
            "YYYY-MM",
        ),
        (
            r#"{"id":"a","photo_flags":["blurry"]}"#,
            "photo_flags[0]",
            "stock",
        ),
        (r#"{"name":"x"}"#, "id", "required"),
        (r#"{"id":""}"#, "id", "empty"),
        (r#"[1,2]"#, "(record)", "object"),
        (r#"{"id":"a""#, "(record)", "JSON"),
        (r#"{"id":"a","id":"b"}"#, "id", "given twice"),
        (
            r#"{"id":"a","experience":[{"end":null,"end":"2020-01"}]}"#,
            "end",
            "given twice",
        ),
        (r#"{"id":"a","posts":"1,200"}"#, "posts", "(use 1200,"),
        (
            r#"{"id":"a","experience":[{"start":"2019/03"}]}"#,
            "experience[0].start",
            "(use \"2019-03\")",
        ),
    ];
    for (line, field, reason) in cases {
        let e = parse(line).unwrap_err();
        assert_eq!(e.field, field, "{line}");
        assert!(e.reason.contains(reason), "{line}: {}", e.reason);
    }
}

#[test]
fn unknown_field_names_are_sanitised_and_bounded() {
    let mut unknown = BTreeSet::new();
    for i in 0..100 {
        let line = format!("{{\"id\":\"a\",\"k{i}\\u001b{}\":1}}", "z".repeat(80));
        parse_line(line.as_bytes(), &mut unknown).unwrap();
    }
    assert_eq!(unknown.len(), MAX_UNKNOWN_NAMES + 1);
    assert!(unknown.contains(MORE_UNKNOWN));
    for name in &unknown {
        assert!(!name.chars().any(char::is_control), "{name}");
        assert!(name.chars().count() <= MAX_FIELD_NAME_CHARS + 8, "{name}");
    }
    let many: String = (0..MAX_FIELDS_PER_OBJECT + 1)
        .map(|i| format!(",\"f{i}\":0"))
        .collect();
    let e = parse(&format!("{{\"id\":\"a\"{many}}}")).unwrap_err();
    assert!(e.reason.contains("more than 256 fields"), "{}", e.reason);
}

#[test]
fn errors_never_quote_free_text() {
    let e = parse(r#"{"id":"a","label":"my secret note about the target"}"#).unwrap_err();
    assert!(!e.reason.contains("secret"), "{}", e.reason);
}

#[test]
fn reader_streams_and_counts_lines() {
    let input =
        b"{\"id\":\"a\",\"zzz\":1}\n\n{\"id\":\"b\",\"posts\":-1}\r\n\xff\xfe\n{\"id\":\"c\"}";
    let mut r = ProfileReader::new(&input[..]);
    let entries: Vec<Entry> = r.by_ref().map(|e| e.unwrap()).collect();
    assert_eq!(entries.len(), 4);
    assert!(matches!(entries[0], Entry::Profile { line: 1, .. }));
    assert!(matches!(&entries[1], Entry::Rejected(e) if e.line == 3));
    assert!(
        matches!(&entries[2], Entry::Rejected(e) if e.line == 4 && e.error.reason.contains("UTF-8"))
    );
    assert!(matches!(entries[3], Entry::Profile { line: 5, .. }));
    assert_eq!(r.unknown_fields().iter().collect::<Vec<_>>(), ["zzz"]);
}

proptest::proptest! {
    #[test]
    fn arbitrary_bytes_never_panic(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
        let _ = parse_line(&bytes, &mut BTreeSet::new());
    }

    #[test]
    fn mutated_records_never_panic(
        key in "[a-z_]{1,20}",
        value in r#"-?[0-9]{1,25}(\.[0-9]+)?|"[^"\\]{0,10}"|true|null|\[\{\}\]|\{"start":"[0-9-]{0,8}"\}"#,
    ) {
        for field in ["connections", "experience", "messages", "education", "photo_flags", "label", key.as_str()] {
            let line = format!(r#"{{"id":"p","{field}":{value}}}"#);
            match parse_line(line.as_bytes(), &mut BTreeSet::new()) {
                Ok(p) => proptest::prop_assert_eq!(parse(&p.to_json_line()).unwrap(), p),
                Err(e) => proptest::prop_assert!(!e.field.is_empty() && !e.reason.is_empty()),
            }
        }
    }
}

#[test]
fn json_schema_documents_exactly_the_parsed_fields() {
    let schema: serde_json::Value =
        serde_json::from_str(include_str!("../../docs/profile.schema.json")).unwrap();
    let mut documented: Vec<&str> = schema["properties"]
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    let mut parsed: Vec<&str> = parse::TOP_FIELDS
        .iter()
        .copied()
        .filter(|f| *f != "format_version")
        .collect();
    documented.sort();
    parsed.sort();
    assert_eq!(documented, parsed);
}

#[test]
fn megabyte_field_is_valid() {
    let about = "a".repeat(1 << 20);
    let line = format!(r#"{{"id":"big","about":"{about}"}}"#);
    assert_eq!(parse(&line).unwrap().about.unwrap().len(), 1 << 20);
}

#[test]
fn the_read_texts_are_the_texts_but_the_name_and_username_in_order() {
    let t = |s: &str| Some(s.to_owned());
    let mut p = Profile {
        name: t("name"),
        username: t("user"),
        headline: t("headline"),
        about: t("about"),
        location: t("location"),
        website: t("website"),
        experience: Some(vec![Position {
            title: t("title"),
            company: t("company"),
            location: t("job location"),
            description: t("description"),
            ..Position::default()
        }]),
        education: Some(vec![Education {
            school: t("school"),
            degree: t("degree"),
            field: t("field"),
            ..Education::default()
        }]),
        skills: Some(vec!["skill".into()]),
        languages: Some(vec!["language".into()]),
        messages: Some(vec![Message {
            direction: Direction::Outbound,
            text: "message".into(),
        }]),
        ..Profile::default()
    };
    let want: Vec<String> = p
        .texts()
        .into_iter()
        .filter(|(f, _)| !matches!(f, TextField::Name | TextField::Username))
        .map(|(_, s)| s.to_owned())
        .collect();
    let mut got = Vec::new();
    p.for_each_read_text_mut(|s| {
        got.push(s.clone());
        s.push('!');
    });
    assert_eq!(got, want);
    assert_eq!(want.len(), 14);
    assert_eq!(p.about.as_deref(), Some("about!"));
    assert_eq!(p.name.as_deref(), Some("name"));
}
