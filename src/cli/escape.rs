//! What the binary echoes of its input is escaped: control, bidi and invisible format
//! characters in terminal output and reports, formulas in CSV cells.

use std::borrow::Cow;

/// Control, bidi and invisible format characters: what [`escape`] escapes.
fn bad(c: char) -> bool {
    c.is_control()
        || matches!(
            c,
            '\u{061C}'
                | '\u{200B}'..='\u{200F}'
                | '\u{2028}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{FEFF}'
                | '\u{FFF9}'..='\u{FFFB}'
        )
}

/// Escapes control, bidi and other invisible format characters (`\u{1b}`, `\r`, `\n`,
/// `\u{202e}`) so that an echoed value cannot move the cursor, rewrite a terminal line or
/// reorder what is displayed.
pub fn escape(s: &str) -> Cow<'_, str> {
    if !s.chars().any(bad) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        if bad(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes, in a whole HTML document, the characters [`escape`] escapes except the newlines
/// and tabs of its layout: ids and evidence echoed in a report cannot reorder or hide text.
pub fn escape_document(html: &str) -> Cow<'_, str> {
    let layout = |c: char| c == '\n' || c == '\t';
    if !html.chars().any(|c| bad(c) && !layout(c)) {
        return Cow::Borrowed(html);
    }
    let mut out = String::with_capacity(html.len() + 16);
    for c in html.chars() {
        if bad(c) && !layout(c) {
            out.extend(c.escape_default());
        } else {
            out.push(c);
        }
    }
    Cow::Owned(out)
}

/// Escapes a value and cuts it to `max` characters (with `…`), for messages about input.
pub fn escape_bounded(s: &str, max: usize) -> String {
    let cut: String = s.chars().take(max).collect();
    let mut out = escape(&cut).into_owned();
    if s.chars().nth(max).is_some() {
        out.push('…');
    }
    out
}

/// A CSV cell that a spreadsheet will not run as a formula (OWASP "CSV injection"): cells
/// starting with `=`, `+`, `-`, `@`, a tab or a carriage return get a leading `'`.
pub fn csv_cell(s: &str) -> Cow<'_, str> {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@' | '\t' | '\r') => Cow::Owned(format!("'{s}")),
        _ => Cow::Borrowed(s),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_csv_neutralising() {
        assert_eq!(
            escape("ab\u{1b}[2J\r\nc\u{202e}"),
            "ab\\u{1b}[2J\\r\\nc\\u{202e}"
        );
        assert_eq!(escape("plain é"), "plain é");
        assert_eq!(escape_bounded("abcdef", 3), "abc…");
        assert_eq!(
            escape_document("<p>a\u{202e}b</p>\n\t<i>\u{1b}</i>"),
            "<p>a\\u{202e}b</p>\n\t<i>\\u{1b}</i>"
        );
        for s in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert!(csv_cell(s).starts_with('\''), "{s}");
        }
        assert_eq!(csv_cell("ok=1"), "ok=1");
    }
}
