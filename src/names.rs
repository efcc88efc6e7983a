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

use std::borrow::Cow;
use std::sync::OnceLock;

use regex::Regex;

/// One to three capitalised words.
const NAME: &str = r"\p{Lu}[\p{L}'\-]+(?:\s+\p{Lu}[\p{L}'\-]+){0,2}";

struct Patterns {
    /// An e-mail address's local part, before its `@`.
    email: Regex,
    /// Names after a self-introduction or an opening greeting, each pattern's first group.
    opening: [Regex; 2],
    /// A name that closes a message ("Thanks, Sarah"), or failing that a name followed by a
    /// title ("Best regards, Sarah Smith | Managing Director"): the first group.
    closing: [Regex; 2],
}

fn patterns() -> &'static Patterns {
    static P: OnceLock<Patterns> = OnceLock::new();
    P.get_or_init(|| {
        let re = |s: &str| Regex::new(s).expect("the name patterns compile");
        Patterns {
            email: re(r"[\w.+\-]+@"),
            opening: [
                re(&format!(
                    r"(?i:\b(?:i'm|i am|my name is|this is|ich bin|mein name ist|hier ist|je suis|je m'appelle|ici))\s+({NAME})"
                )),
                re(&format!(
                    r"(?i:^\s*(?:dear|hi|hello|hallo|hey|bonjour|salut|guten tag|liebe|lieber|sehr geehrte|sehr geehrter|cher|chère)\b\.?)\s*(?i:(?:mr|mrs|ms|dr|herr|frau|madame|monsieur|prof)\.?\s+)?({NAME})"
                )),
            ],
            closing: [
                re(&format!(r"(?:^|[.!?\n,:]\s*)({NAME})\s*$")),
                re(&format!(
                    r"(?:^|[.!?\n,:]\s*)({NAME})\s*[,|–\-].{{0,60}}$"
                )),
            ],
        }
    })
}

/// `text` with its name-like spans taken out (an e-mail address keeps `x@` and its domain);
/// `text` itself, borrowed, when it has none.
///
/// The patterns read a view of the text: `view` maps each character to what they see, `None`
/// to skip it (a hidden character, a combining mark) or a character (a look-alike letter as the
/// letter it passes for, its capital kept), so that hidden characters and look-alikes cannot
/// keep a name from being found. What is taken out is then cut from the text itself, whose
/// other characters stay as written.
pub fn strip_name_spans(text: &str, view: impl Fn(char) -> Option<char>) -> Cow<'_, str> {
    // The view, and for each of its bytes the byte of `text` it comes from (one more entry
    // for its end).
    let mut seen = String::with_capacity(text.len());
    let mut from = Vec::with_capacity(text.len() + 1);
    for (at, c) in text.char_indices() {
        if let Some(v) = view(c) {
            seen.push(v);
            from.resize(seen.len(), at);
        }
    }
    from.push(text.len());
    let p = patterns();
    // Spans of `text` to cut, each with what replaces it.
    let mut cuts: Vec<(usize, usize, &str)> = Vec::new();
    for m in p.email.find_iter(&seen) {
        // The local part, before the `@` that ends the match.
        cuts.push((from[m.start()], from[m.end() - 1], "x"));
    }
    let group = |re: &Regex| -> Vec<(usize, usize)> {
        re.captures_iter(&seen)
            .filter_map(|c| c.get(1))
            .map(|g| (g.start(), g.end()))
            .collect()
    };
    let closing = match group(&p.closing[0]) {
        found if !found.is_empty() => found,
        _ => group(&p.closing[1]),
    };
    for (start, end) in p.opening.iter().flat_map(group).chain(closing) {
        cuts.push((from[start], from[end], ""));
    }
    if cuts.is_empty() {
        return Cow::Borrowed(text);
    }
    cuts.sort_unstable();
    let mut out = String::with_capacity(text.len());
    let mut last = 0;
    for (start, end, with) in cuts {
        if start >= last {
            out.push_str(&text[last..start]);
            out.push_str(with);
            last = end;
        } else if end > last {
            // Overlapping spans are cut as one.
            last = end;
        }
    }
    out.push_str(&text[last..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    /// The text as written, every character seen.
    fn strip_name_spans(text: &str) -> String {
        super::strip_name_spans(text, Some).into_owned()
    }

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
        // A closing name goes, not the closing word before it.
        assert_eq!(
            strip_name_spans("See you soon. Thanks, Sarah"),
            "See you soon. Thanks, "
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
