//! Numeric and structural features of a profile for the model: pure functions, no I/O.
//!
//! Every feature is a finite `f32`. A quantity the profile does not state is encoded as the value
//! `0.0` plus a missing indicator set to `1.0`, so "unknown" is never confused with "zero".
//! Counts enter as `ln(1 + n)`; ratios as `ln((1 + a) / (1 + b))`. Names, usernames, locations
//! and spoken languages are deliberately not features (see `MODEL_CARD.md`, fairness).
//!
//! Nothing here changes when invisible characters, bidi controls or look-alike letters are
//! inserted into a text: text lengths are measured after normalisation and the obfuscation that
//! normalisation undid is not a feature. Hidden characters are evidence for the rule engine (and
//! so for the hybrid), but the model's score must not move when an adversary adds them.

use crate::profile::{Direction, PhotoFlag, Profile, COUNT_FIELDS};

/// A rule-engine summary that may be given to the model (see [`extract`]).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct RuleSummary {
    /// Number of rules with a positive weight that fired.
    pub warning_hits: u32,
    /// Sum of the positive weights of the rules that fired.
    pub warning_weight: f32,
    /// Sum of the (absolute) negative weights of the rules that fired.
    pub genuine_weight: f32,
}

/// The names of the features, in the order [`extract`] writes them.
pub fn names(with_rules: bool) -> Vec<String> {
    let mut n: Vec<String> = Vec::new();
    for f in COUNT_FIELDS {
        n.push(format!("log_{f}"));
        n.push(format!("missing_{f}"));
    }
    for r in RATIOS {
        n.push(format!("ratio_{}_{}", r.0, r.1));
        n.push(format!("missing_ratio_{}_{}", r.0, r.1));
    }
    for f in ["has_photo", "verified", "has_website"] {
        n.push(f.to_owned());
        n.push(format!("missing_{f}"));
    }
    for f in PhotoFlag::ALL {
        n.push(format!("photo_{}", f.as_str()));
    }
    n.push("missing_photo_flags".into());
    for f in [
        "experience_count",
        "education_count",
        "skills_count",
        "inbound_messages",
        "outbound_messages",
    ] {
        n.push(format!("log_{f}"));
        n.push(format!("missing_{f}"));
    }
    for f in TENURE_FEATURES {
        n.push(f.to_owned());
    }
    n.push("missing_tenure".into());
    for f in ["headline", "about", "messages"] {
        n.push(format!("log_chars_{f}"));
    }
    if with_rules {
        n.push("rule_warning_hits".into());
        n.push("rule_warning_weight".into());
        n.push("rule_genuine_weight".into());
    }
    n
}

/// The career statistics of [`tenure`], in order; one missing indicator, `missing_tenure`,
/// covers them all.
pub const TENURE_FEATURES: [&str; 8] = [
    "mean_tenure_months",
    "max_tenure_months",
    "current_positions",
    "gap_months_total",
    "max_gap_months",
    "overlapping_positions",
    "career_span_months",
    "undated_position_share",
];

/// The ratios, as pairs of count-field names (numerator, denominator); the feature of a pair
/// is named `ratio_{numerator}_{denominator}`.
pub const RATIOS: [(&str, &str); 4] = [
    ("followers", "following"),
    ("followers", "connections"),
    ("endorsements", "connections"),
    ("posts", "account_age_days"),
];

fn log1p(n: f64) -> f32 {
    (n.max(0.0)).ln_1p() as f32
}

fn push_opt(out: &mut Vec<f32>, v: Option<f32>) {
    out.push(v.unwrap_or(0.0));
    out.push(if v.is_some() { 0.0 } else { 1.0 });
}

fn flag(v: Option<bool>) -> Option<f32> {
    v.map(|b| if b { 1.0 } else { 0.0 })
}

/// Tenure statistics over the dated positions, in months, or `None` without dated positions.
fn tenure(p: &Profile) -> Option<[f32; 8]> {
    let positions = p.experience.as_ref()?;
    if positions.is_empty() {
        return None;
    }
    let latest = positions
        .iter()
        .flat_map(|x| [x.start, x.end.flatten()])
        .flatten()
        .map(|m| m.index())
        .max()?;
    let mut spans: Vec<(i32, i32)> = positions
        .iter()
        .filter_map(|x| {
            let s = x.start?.index();
            let e = match x.end {
                Some(Some(e)) => e.index(),
                Some(None) => latest,
                None => return None,
            };
            Some((s, e.max(s)))
        })
        .collect();
    if spans.is_empty() {
        return None;
    }
    let undated = (positions.len() - spans.len()) as f32 / positions.len() as f32;
    let current = positions.iter().filter(|x| x.end == Some(None)).count();
    spans.sort_unstable();
    let lens: Vec<f32> = spans.iter().map(|(s, e)| (e - s) as f32).collect();
    let mean = lens.iter().sum::<f32>() / lens.len() as f32;
    let max = lens.iter().copied().fold(0.0, f32::max);
    let (mut gap_total, mut gap_max, mut overlaps) = (0i32, 0i32, 0u32);
    let mut reach = spans[0].1;
    for &(s, e) in &spans[1..] {
        if s > reach {
            gap_total += s - reach;
            gap_max = gap_max.max(s - reach);
        } else if s < reach {
            overlaps += 1;
        }
        reach = reach.max(e);
    }
    let span = reach - spans[0].0;
    Some([
        log1p(mean as f64),
        log1p(max as f64),
        log1p(current as f64),
        log1p(gap_total as f64),
        log1p(gap_max as f64),
        log1p(overlaps as f64),
        log1p(span as f64),
        undated,
    ])
}

/// Lengths in characters of normalised texts, so that hidden characters do not count.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct TextLengths {
    pub headline: usize,
    pub about: usize,
    /// All message texts, both directions.
    pub messages: usize,
}

/// The feature vector of a profile. `lengths` are measured on the normalised texts; `rules` is
/// the rule-engine summary, given when the model was trained with it.
pub fn extract(p: &Profile, lengths: TextLengths, rules: Option<RuleSummary>) -> Vec<f32> {
    let mut out = Vec::with_capacity(96);
    for f in COUNT_FIELDS {
        push_opt(&mut out, p.count(f).map(|n| log1p(n as f64)));
    }
    for (a, b) in RATIOS {
        let v = match (p.count(a), p.count(b)) {
            (Some(a), Some(b)) => Some(((1.0 + a as f64) / (1.0 + b as f64)).ln() as f32),
            _ => None,
        };
        push_opt(&mut out, v);
    }
    push_opt(&mut out, flag(p.has_photo));
    push_opt(&mut out, flag(p.verified));
    push_opt(
        &mut out,
        p.website
            .as_ref()
            .map(|w| flag(Some(!w.trim().is_empty())).unwrap_or(0.0)),
    );
    for f in PhotoFlag::ALL {
        let on = p.photo_flags.as_ref().is_some_and(|v| v.contains(&f));
        out.push(if on { 1.0 } else { 0.0 });
    }
    out.push(if p.photo_flags.is_none() { 1.0 } else { 0.0 });
    let lens = |n: Option<usize>| n.map(|n| log1p(n as f64));
    push_opt(&mut out, lens(p.experience.as_ref().map(Vec::len)));
    push_opt(&mut out, lens(p.education.as_ref().map(Vec::len)));
    push_opt(&mut out, lens(p.skills.as_ref().map(Vec::len)));
    let count_dir = |d: Direction| {
        p.messages
            .as_ref()
            .map(|m| m.iter().filter(|m| m.direction == d).count())
    };
    push_opt(&mut out, lens(count_dir(Direction::Inbound)));
    push_opt(&mut out, lens(count_dir(Direction::Outbound)));
    match tenure(p) {
        Some(t) => {
            out.extend_from_slice(&t);
            out.push(0.0);
        }
        None => {
            out.extend_from_slice(&[0.0; 8]);
            out.push(1.0);
        }
    }
    out.push(log1p(lengths.headline as f64));
    out.push(log1p(lengths.about as f64));
    out.push(log1p(lengths.messages as f64));
    if let Some(r) = rules {
        out.push(log1p(r.warning_hits as f64));
        out.push(r.warning_weight);
        out.push(r.genuine_weight);
    }
    // Defensive: a feature is never NaN or infinite, whatever the input.
    for v in &mut out {
        if !v.is_finite() {
            *v = 0.0;
        }
    }
    out
}

/// Summarises rule hits for [`extract`] from the weights of the rules that fired.
pub fn summarise_rules(weights: impl IntoIterator<Item = f32>) -> RuleSummary {
    let mut s = RuleSummary::default();
    for w in weights {
        if w > 0.0 {
            s.warning_hits += 1;
            s.warning_weight += w;
        } else {
            s.genuine_weight -= w;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::{parse_line, Position, YearMonth};

    fn parse(s: &str) -> Profile {
        parse_line(s.as_bytes(), &mut Default::default()).unwrap()
    }

    #[test]
    fn names_match_vector_length() {
        let p = parse(r#"{"id":"a"}"#);
        for rules in [false, true] {
            let v = extract(&p, TextLengths::default(), rules.then(RuleSummary::default));
            assert_eq!(v.len(), names(rules).len());
        }
    }

    #[test]
    fn missing_is_not_zero() {
        let empty = extract(&parse(r#"{"id":"a"}"#), TextLengths::default(), None);
        let zero = extract(
            &parse(r#"{"id":"a","connections":0}"#),
            TextLengths::default(),
            None,
        );
        let names = names(false);
        let i = names
            .iter()
            .position(|n| n == "missing_connections")
            .unwrap();
        assert_eq!(empty[i], 1.0);
        assert_eq!(zero[i], 0.0);
        assert_ne!(empty, zero);
    }

    #[test]
    fn tenure_counts_gaps_and_overlaps() {
        let ym = |year, month| Some(YearMonth { year, month });
        let mut p = parse(r#"{"id":"a"}"#);
        p.experience = Some(vec![
            Position {
                start: ym(2010, 1),
                end: Some(ym(2012, 1)),
                ..Default::default()
            },
            Position {
                start: ym(2013, 1),
                end: Some(None),
                ..Default::default()
            },
            Position {
                start: ym(2014, 1),
                end: Some(ym(2015, 1)),
                ..Default::default()
            },
        ]);
        let t = tenure(&p).unwrap();
        assert!((t[3] - log1p(12.0)).abs() < 1e-6, "gap total");
        assert!((t[5] - log1p(1.0)).abs() < 1e-6, "one overlap");
        assert!((t[2] - log1p(1.0)).abs() < 1e-6, "one current position");
    }

    #[test]
    fn name_does_not_change_features() {
        let a = parse(r#"{"id":"a","name":"Wei Zhang","connections":12}"#);
        let b = parse(r#"{"id":"a","name":"John Smith","connections":12}"#);
        assert_eq!(
            extract(&a, TextLengths::default(), None),
            extract(&b, TextLengths::default(), None)
        );
    }

    proptest::proptest! {
        #[test]
        fn features_are_finite(c in proptest::option::of(0u64..1_000_000_000), f in proptest::option::of(0u64..1_000_000_000)) {
            let mut p = parse(r#"{"id":"a"}"#);
            p.connections = c;
            p.followers = f;
            let v = extract(&p, TextLengths::default(), Some(RuleSummary::default()));
            proptest::prop_assert!(v.iter().all(|x| x.is_finite()));
        }
    }
}
