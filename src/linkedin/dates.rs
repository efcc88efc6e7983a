//! The date formats of LinkedIn's data export, reduced to one sortable [`Stamp`].
//!
//! - `messages.csv`: `2024-03-05 14:22:10 UTC` (also accepted: a `T` separator, a trailing `Z`,
//!   no seconds, no time);
//! - `Invitations.csv`: `3/5/24, 2:22 PM` (month/day/year, the member's local time; a four-digit
//!   year and a missing comma are accepted too);
//! - `Connections.csv`: `05 Mar 2024` (English month abbreviations).
//!
//! Dates only order the messages and notes of a conversation: profile format v1 has no date
//! field for them. Times without a zone are taken as written, so a note and a message a few
//! hours apart in different zones may swap places; a whole day apart they never do.

use std::fmt;

/// A date and time, ordered chronologically (the fields are compared in order).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Stamp {
    pub year: u16,
    pub month: u8,
    pub day: u8,
    pub hour: u8,
    pub minute: u8,
    pub second: u8,
}

impl fmt::Display for Stamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{:04}-{:02}-{:02} {:02}:{:02}:{:02}",
            self.year, self.month, self.day, self.hour, self.minute, self.second
        )
    }
}

const MONTHS: [&str; 12] = [
    "jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec",
];

fn num<T: std::str::FromStr>(s: &str) -> Option<T> {
    (!s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()))
        .then(|| s.parse().ok())
        .flatten()
}

fn date(year: u16, month: u8, day: u8) -> Option<Stamp> {
    ((1900..=2100).contains(&year) && (1..=12).contains(&month) && (1..=31).contains(&day))
        .then_some(Stamp {
            year,
            month,
            day,
            hour: 0,
            minute: 0,
            second: 0,
        })
}

/// `HH:MM[:SS]`, 24-hour.
fn clock(s: &str) -> Option<(u8, u8, u8)> {
    let mut parts = s.split(':');
    let h: u8 = num(parts.next()?)?;
    let m: u8 = num(parts.next()?)?;
    let sec: u8 = match parts.next() {
        Some(x) => num(x)?,
        None => 0,
    };
    (parts.next().is_none() && h < 24 && m < 60 && sec < 61).then_some((h, m, sec))
}

fn with_clock(mut d: Stamp, (hour, minute, second): (u8, u8, u8)) -> Stamp {
    d.hour = hour;
    d.minute = minute;
    d.second = second;
    d
}

/// `2024-03-05 14:22:10 UTC`, `2024-03-05T14:22:10Z`, `2024-03-05`.
fn iso(s: &str) -> Option<Stamp> {
    let s = s.trim_end_matches(" UTC").trim_end_matches('Z');
    let (day, time) = match s.split_once([' ', 'T']) {
        Some((d, t)) => (d, Some(t.trim())),
        None => (s, None),
    };
    let mut p = day.split('-');
    let (y, m, d) = (num(p.next()?)?, num(p.next()?)?, num(p.next()?)?);
    if p.next().is_some() {
        return None;
    }
    let d = date(y, m, d)?;
    match time {
        Some(t) => Some(with_clock(d, clock(t)?)),
        None => Some(d),
    }
}

/// `3/5/24, 2:22 PM`, `3/5/2024 14:22`, `3/5/24`.
fn us(s: &str) -> Option<Stamp> {
    let (day, time) = match s.split_once([',', ' ']) {
        Some((d, t)) => (d, Some(t.trim_start_matches(',').trim())),
        None => (s, None),
    };
    let mut p = day.split('/');
    let (m, d, y): (u8, u8, u16) = (num(p.next()?)?, num(p.next()?)?, num(p.next()?)?);
    if p.next().is_some() {
        return None;
    }
    let y = if y < 100 { 2000 + y } else { y };
    let d = date(y, m, d)?;
    let Some(t) = time else { return Some(d) };
    let upper = t.to_ascii_uppercase();
    let (t, pm) = match (upper.strip_suffix("PM"), upper.strip_suffix("AM")) {
        (Some(t), _) => (t.trim().to_owned(), Some(true)),
        (_, Some(t)) => (t.trim().to_owned(), Some(false)),
        _ => (upper.clone(), None),
    };
    let (mut h, mi, sec) = clock(&t)?;
    if let Some(pm) = pm {
        if !(1..=12).contains(&h) {
            return None;
        }
        h = match (pm, h) {
            (false, 12) => 0,
            (true, 12) => 12,
            (true, h) => h + 12,
            (false, h) => h,
        };
    }
    Some(with_clock(d, (h, mi, sec)))
}

/// `05 Mar 2024`.
fn day_month_year(s: &str) -> Option<Stamp> {
    let mut p = s.split_whitespace();
    let d: u8 = num(p.next()?)?;
    let mon = p.next()?.to_ascii_lowercase();
    let y: u16 = num(p.next()?)?;
    if p.next().is_some() {
        return None;
    }
    let m = MONTHS.iter().position(|x| mon.starts_with(x))? as u8 + 1;
    date(y, m, d)
}

/// Parses any date LinkedIn's export writes; `None` for anything else.
pub fn parse(s: &str) -> Option<Stamp> {
    let s = s.trim();
    if s.is_empty() {
        return None;
    }
    if s.contains('/') {
        us(s)
    } else if s.as_bytes().get(4) == Some(&b'-') {
        iso(s)
    } else {
        day_month_year(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> String {
        parse(s).map(|x| x.to_string()).unwrap_or_default()
    }

    #[test]
    fn every_linkedin_format() {
        assert_eq!(at("2024-03-05 14:22:10 UTC"), "2024-03-05 14:22:10");
        assert_eq!(at("2024-03-05T14:22:10Z"), "2024-03-05 14:22:10");
        assert_eq!(at("2024-03-05"), "2024-03-05 00:00:00");
        assert_eq!(at("3/5/24, 2:22 PM"), "2024-03-05 14:22:00");
        assert_eq!(at("12/31/2023, 12:05 AM"), "2023-12-31 00:05:00");
        assert_eq!(at("3/5/24, 12:00 PM"), "2024-03-05 12:00:00");
        assert_eq!(at("3/5/24 9:01 am"), "2024-03-05 09:01:00");
        assert_eq!(at("3/5/24"), "2024-03-05 00:00:00");
        assert_eq!(at("05 Mar 2024"), "2024-03-05 00:00:00");
        assert_eq!(at("5 March 2024"), "2024-03-05 00:00:00");
    }

    #[test]
    fn rejects_what_it_cannot_read() {
        for s in [
            "",
            "yesterday",
            "2024-13-01",
            "13/5/24, 2:22 PM",
            "3/5/24, 13:22 PM",
            "05 Foo 2024",
            "2024-03-05 25:00",
        ] {
            assert_eq!(parse(s), None, "{s}");
        }
    }

    #[test]
    fn orders_chronologically() {
        assert!(parse("3/5/24, 2:22 PM") < parse("2024-03-05 14:22:10 UTC"));
        assert!(parse("05 Mar 2024") < parse("3/5/24, 2:22 AM"));
    }
}
