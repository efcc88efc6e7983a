//! Tests of the assembly of people from export rows.

use super::*;

const L: &str = "https://www.linkedin.com/in/";

fn files(list: &[(&str, String)]) -> ExportFiles {
    let mut f = ExportFiles::default();
    for (name, text) in list {
        f.files.insert(
            name.to_ascii_lowercase(),
            ((*name).to_owned(), text.clone().into_bytes()),
        );
    }
    f
}

fn messages(rows: &[(&str, &str, &str, &str)]) -> String {
    let mut t = String::from(
        "CONVERSATION ID,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,CONTENT\n",
    );
    for (conv, from, to, text) in rows {
        t.push_str(&format!(
            "{conv},{from},{L}{from},{to},{L}{to},2024-01-0{} 10:00:00 UTC,{text}\n",
            t.lines().count()
        ));
    }
    t
}

#[test]
fn one_conversation_cannot_name_the_owner() {
    let f = files(&[("messages.csv", messages(&[("c1", "ann", "bob", "hello")]))]);
    let e = assemble(&f, &Options::default()).unwrap_err();
    assert!(matches!(e, ExportError::UnknownOwner), "{e}");
    let opts = Options {
        owner_url: Some(format!("{L}bob")),
    };
    let got = assemble(&f, &opts).unwrap();
    assert_eq!(got.profiles.len(), 1);
    assert_eq!(got.profiles[0].id, "li-ann");
}

#[test]
fn group_conversations_give_the_owner_s_messages_to_everyone() {
    let t = "CONVERSATION ID,FROM,SENDER PROFILE URL,TO,RECIPIENT PROFILE URLS,DATE,CONTENT\n\
g1,Ann,https://www.linkedin.com/in/ann,\"Me, Bob\",https://www.linkedin.com/in/me;https://www.linkedin.com/in/bob,2024-01-01 10:00:00 UTC,join us\n\
g1,Me,https://www.linkedin.com/in/me,\"Ann, Bob\",https://www.linkedin.com/in/ann;https://www.linkedin.com/in/bob,2024-01-02 10:00:00 UTC,no thanks\n\
d1,Me,https://www.linkedin.com/in/me,Cat,https://www.linkedin.com/in/cat,2024-01-03 10:00:00 UTC,hi cat\n";
    let f = files(&[("messages.csv", t.to_owned())]);
    let got = assemble(&f, &Options::default()).unwrap();
    assert_eq!(got.owner.as_ref().unwrap().0, "me");
    // Ann wrote; Bob and Cat only received the owner's messages.
    let ids: Vec<&str> = got.profiles.iter().map(|p| p.id.as_str()).collect();
    assert_eq!(ids, ["li-ann"]);
    let m = got.profiles[0].messages.as_ref().unwrap();
    assert_eq!(m.len(), 2);
    assert_eq!(m[1].direction, Direction::Outbound);
    // No Invitations.csv: an empty conversation would be unknown, not empty.
    assert!(got
        .notes
        .iter()
        .any(|n| n.contains("Invitations.csv: not in the export")));
}

#[test]
fn slugs_of_profile_urls() {
    let s = |u: &str| slug_of(u);
    assert_eq!(
        s("https://www.linkedin.com/in/Jane-Doe-12/").as_deref(),
        Some("jane-doe-12")
    );
    assert_eq!(
        s("http://linkedin.com/in/jane?trk=x").as_deref(),
        Some("jane")
    );
    assert_eq!(
        s("https://fr.linkedin.com/in/jos%C3%A9-garc%C3%ADa").as_deref(),
        Some("josé-garcía")
    );
    assert_eq!(
        s("https://www.linkedin.com/pub/jane-doe/1/2/3").as_deref(),
        Some("jane-doe-1-2-3")
    );
    assert_eq!(s("www.linkedin.com/in/abc").as_deref(), Some("abc"));
    assert_eq!(s("https://evil.example/in/abc"), None);
    assert_eq!(s("https://www.linkedin.com/company/acme"), None);
    assert_eq!(s(""), None);
    assert_eq!(s("https://www.linkedin.com/in/%"), Some("%".to_owned()));
}
