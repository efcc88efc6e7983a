//! Name-like spans of a message, found by where they stand and never by the profile's name
//! field: the local part of an e-mail address, the words after a self-introduction ("I'm
//! Sarah Smith", "je suis", "ich bin") or an opening greeting ("Dear Dr Müller"), and the
//! capitalised words that close a message ("Best regards, Sarah Smith | Managing Director").
//!
//! A name written in a text is read like any other word, so it can move a score with where the
//! name comes from. Taking these spans out of what the learned engines read, in training and
//! scoring alike, leaves a consistent rename of the person with nothing to read, while the
//! name field stays unread (changing it alone changes no score). Measured in
//! `training/README.md`, "Name-like spans taken out by where they stand".

use std::sync::OnceLock;

use regex::Regex;

/// One to three capitalised words.
const NAME: &str = r"\p{Lu}[\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+){0,2}";

struct Patterns {
    /// An e-mail address's local part, before its `@`.
    email: Regex,
    /// The name spans, each pattern's first group.
    spans: [Regex; 3],
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("the name patterns compile");
        Patterns {
            email: re(r"[\w.+\-]+@"),
            spans: [
                re(&format!(
                    r"(?i:\b(?:i'm|i am|my name is|this is|ich bin|mein name ist|hier ist|je suis|je m'appelle|ici))\s+({NAME})"
                )),
                re(&format!(
                    r"(?i:^\s*(?:dear|hi|hello|hallo|hey|bonjour|salut|guten tag|liebe|lieber|sehr geehrte|sehr geehrter|cher|chère)\b\.?)\s*(?i:(?:mr|mrs|ms|dr|herr|frau|madame|monsieur|prof)\.?\s+)?({NAME})"
                )),
                re(&format!(
                    r"(?:^|[.!?\n,:]\s*)({NAME})(?:\s*(?:[,|–\-].{{0,60}})?)\s*$"
                )),
            ],
        }
    })
}

/// `text` with its name-like spans taken out (an e-mail address keeps `x@` and its domain).
pub fn strip_name_spans(text: &str) -> String {
    let p = patterns();
    let mut t = p.email.replace_all(text, "x@").into_owned();
    for re in &p.spans {
        let mut out = String::with_capacity(t.len());
        let mut last = 0;
        for span in re.captures_iter(&t).filter_map(|c| c.get(1)) {
            out.push_str(&t[last..span.start()]);
            last = span.end();
        }
        out.push_str(&t[last..]);
        t = out;
    }
    t
}

#[cfg(test)]
mod tests {
    use super::strip_name_spans;

    #[test]
    fn spans_are_found_by_where_they_stand() {
        assert_eq!(
            strip_name_spans("Dear Mr Hartmann,\nI'm Jordan Green, partner at Vale. Best regards, Sarah Smith | Managing Director"),
            "Dear Mr ,\nI'm , partner at Vale. Best regards,  | Managing Director"
        );
        assert_eq!(
            strip_name_spans(
                "Hallo! Ich bin Lena. Schreiben Sie an lena.vogel@gmx.de. Danke.\nLena Vogel"
            ),
            "Hallo! Ich bin . Schreiben Sie an x@gmx.de. Danke.\n"
        );
        // Words that only look like names elsewhere stay: a city, a lower-case word.
        let kept = "We meet in Berlin next week and I am happy to help";
        assert_eq!(strip_name_spans(kept), kept);
    }

    #[test]
    fn a_consistent_rename_leaves_nothing_to_read() {
        let message = |first: &str, last: &str| {
            format!(
                "Hello, my name is {first} {last} and I recruit for a client in Geneva. \
                 Write to {}.{}@gmail.com.\nKind regards, {first} {last}",
                first.to_lowercase(),
                last.to_lowercase()
            )
        };
        let a = strip_name_spans(&message("Wei", "Zhang"));
        assert_eq!(a, strip_name_spans(&message("Charlotte", "Thomas")));
        assert_eq!(a, strip_name_spans(&message("Babajide", "Obi")));
        assert!(!a.contains("Wei") && !a.contains("wei"), "{a}");
    }
}
