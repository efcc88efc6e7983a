//! `score --format html`: one self-contained page an analyst can file. A summary (verdict
//! counts, engine, model, rules, tool version), an index, then one card per profile, riskiest
//! first: verdict, score, the reasons in plain words with their sources, and the evidence
//! highlighted in the profile's own text. Inline CSS only: no script, font, image or link
//! leaves the page, and it prints one card per block.
//!
//! Every echoed text is HTML-escaped; control, invisible and bidi characters are shown as
//! `U+XXXX` badges, so hidden characters become visible instead of reordering the page.
//! With `--no-evidence` the page carries no profile text at all: ids, scores and reason codes.

mod text;
mod words;

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io;

use linkscreen::profile::Profile;
use linkscreen::rules::RuleSet;
use linkscreen::score::{EngineKind, JudgedWords, Reason, ScoreRecord, Thresholds, Verdict};

pub use text::escape;
use text::{highlights, texts_of, Text};
use words::plain;

/// What the page says about the run, besides the records.
#[derive(Debug, Default)]
pub struct Context {
    pub engine: Option<EngineKind>,
    pub thresholds: Option<Thresholds>,
    /// The model's identity and date, when a model took part.
    pub model: Option<String>,
    /// The rule set's name and size, when rules took part.
    pub rules: Option<String>,
    /// Rule code to (description, sources).
    pub rule_info: BTreeMap<String, (String, Vec<String>)>,
    pub inputs: Vec<String>,
    pub rejected: u64,
}

#[derive(Debug)]
struct Entry {
    record: ScoreRecord,
    name: Option<String>,
    texts: Vec<Text>,
    /// For the model engine: the rules that fire on the profile, so that their evidence can
    /// be checked in the text (the model reads them only as one input, `feature:rule_hits`).
    signs: Vec<Reason>,
    /// Why an `insufficient` profile is too thin to judge.
    thin: Option<String>,
}

/// The records of a run, held until the page is written (cards are sorted by risk).
#[derive(Debug, Default)]
pub struct Report {
    entries: Vec<Entry>,
    rules: Option<RuleSet>,
}

/// Longest text shown in a card, in characters.
const MAX_TEXT: usize = 3000;

const STYLE: &str = "\
body{font-family:system-ui,sans-serif;margin:24px auto;color:#1d1d1f;max-width:1100px;padding:0 16px;line-height:1.4}\
h1{font-size:22px;margin-bottom:4px}h2{font-size:17px;margin:0}h3{font-size:13px;margin:14px 0 4px;color:#555;text-transform:uppercase;letter-spacing:.04em}\
table{border-collapse:collapse;font-size:13px}td,th{border:1px solid #d0d0d0;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f3f3f3}\
dl.meta{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;font-size:13px;margin:12px 0}dl.meta dt{color:#555}dl.meta dd{margin:0}\
.counts td.n{text-align:right;font-weight:bold}.note{color:#555;font-size:12px}\
.card{border:1px solid #ccc;border-left:8px solid #999;border-radius:4px;padding:12px 16px;margin:18px 0;break-inside:avoid-page}\
.card.fake{border-left-color:#c0392b}.card.review{border-left-color:#e6a100}.card.genuine{border-left-color:#2e8b57}.card.insufficient{border-left-color:#6c6c6c}\
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;font-weight:bold;text-transform:uppercase;vertical-align:middle}\
.badge.fake{background:#c0392b}.badge.review{background:#b07a00}.badge.genuine{background:#2e8b57}.badge.insufficient{background:#6c6c6c}\
.score{font-variant-numeric:tabular-nums;color:#333;margin-left:8px}.who{color:#555;font-size:13px;margin:2px 0 0}\
.w{font-variant-numeric:tabular-nums;text-align:right;white-space:nowrap}.up{color:#a02a1e}.down{color:#1f6f43}\
.code{font-family:ui-monospace,monospace;font-size:11px;color:#666}\
.text{border:1px solid #e2e2e2;background:#fafafa;border-radius:3px;padding:6px 10px;margin:6px 0}\
.text .label{font-size:11px;color:#666;margin-bottom:2px}.text .body{white-space:pre-wrap;overflow-wrap:anywhere;font-size:13px}\
mark{background:#ffe27a;padding:0 1px;border-radius:2px}mark sup{font-size:9px;color:#7a5b00;margin-left:1px}\
.ctl{font-family:ui-monospace,monospace;font-size:10px;background:#eee;border:1px solid #bbb;border-radius:2px;padding:0 2px;color:#900}\
a{color:#1a4f8a}\
@media print{body{margin:0;max-width:none;font-size:11pt}.card{border-left-width:6px}a{color:inherit;text-decoration:none}\
.index{break-after:page}mark{background:#ffe27a;-webkit-print-color-adjust:exact;print-color-adjust:exact}\
.badge,.card{-webkit-print-color-adjust:exact;print-color-adjust:exact}}";

impl Report {
    /// Keeps a record (and, with evidence, the texts of its profile) for the page.
    pub fn push(&mut self, mut record: ScoreRecord, profile: Option<&Profile>, evidence: bool) {
        if !evidence {
            record.reasons.iter_mut().for_each(|r| r.evidence = None);
        }
        let (name, texts) = match profile.filter(|_| evidence) {
            Some(p) => (p.name.clone(), texts_of(p)),
            None => (None, Vec::new()),
        };
        let signs = match (&self.rules, profile.filter(|_| evidence)) {
            (Some(rules), Some(p)) => rules.assess_profile(p).reasons,
            _ => Vec::new(),
        };
        let thin = profile
            .filter(|_| record.verdict == Verdict::Insufficient)
            .and_then(|p| JudgedWords::of(p).why_thin());
        self.entries.push(Entry {
            record,
            name,
            texts,
            signs,
            thin,
        });
    }

    /// Lists, for each profile, the rules that fire with their evidence (for the model
    /// engine, whose reasons name text sections rather than phrases).
    pub fn set_rules(&mut self, rules: RuleSet) {
        self.rules = Some(rules);
    }

    /// Writes the page.
    pub fn render<W: io::Write>(mut self, ctx: &Context, out: &mut W) -> io::Result<()> {
        // Riskiest first; equal scores keep the input order (the sort is stable).
        self.entries
            .sort_by(|a, b| b.record.score.total_cmp(&a.record.score));
        let mut page = String::new();
        header(&mut page, ctx, &self.entries);
        for (i, e) in self.entries.iter().enumerate() {
            card(&mut page, ctx, i + 1, e);
        }
        page.push_str("</main></body></html>\n");
        out.write_all(page.as_bytes())
    }
}

fn header(page: &mut String, ctx: &Context, entries: &[Entry]) {
    let count = |v: Verdict| entries.iter().filter(|e| e.record.verdict == v).count();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
<title>linkscreen report: {} profiles</title><style>{STYLE}</style></head><body>\n\
<header><h1>linkscreen screening report</h1><p class=\"note\">{} profiles screened. \
A score ranks a profile for a human review; it is not a finding about a person.</p>\
<table class=\"counts\"><tr><th>verdict</th><th>profiles</th></tr>",
        entries.len(),
        entries.len()
    );
    for v in Verdict::ALL {
        let _ = write!(
            page,
            "<tr><td><span class=\"badge {0}\">{0}</span></td><td class=\"n\">{1}</td></tr>",
            v.as_str(),
            count(v)
        );
    }
    page.push_str("</table><dl class=\"meta\">");
    let mut meta = |k: &str, v: String| {
        let _ = write!(page, "<dt>{k}</dt><dd>{}</dd>", escape(&v));
    };
    meta("tool", format!("linkscreen {}", env!("CARGO_PKG_VERSION")));
    if let Some(e) = ctx.engine {
        meta("engine", e.as_str().to_owned());
    }
    if let Some(m) = &ctx.model {
        meta("model", m.clone());
    }
    if let Some(r) = &ctx.rules {
        meta("rules", r.clone());
    }
    if let Some(t) = ctx.thresholds {
        meta(
            "verdicts",
            format!(
                "review when score ≥ {:.2}, fake when score ≥ {:.2}",
                t.review, t.fake
            ),
        );
    }
    if !ctx.inputs.is_empty() {
        meta("input", ctx.inputs.join(", "));
    }
    meta("rejected input lines", ctx.rejected.to_string());
    page.push_str(
        "</dl><p class=\"note\">Weights are contributions in log-odds: positive raises the \
risk, negative lowers it. Evidence is quoted as written in the profile and highlighted where it \
occurs; hidden characters are shown as <span class=\"ctl\">U+XXXX</span>.</p></header>\n",
    );
    page.push_str(
        "<nav class=\"index\"><h3>Profiles, riskiest first</h3><table><tr><th>#</th>\
<th>id</th><th>verdict</th><th>score</th></tr>",
    );
    for (i, e) in entries.iter().enumerate() {
        let v = e.record.verdict.as_str();
        let _ = write!(
            page,
            "<tr><td>{n}</td><td><a href=\"#p{n}\">{}</a></td><td><span class=\"badge {v}\">{v}</span></td><td class=\"w\">{:.3}</td></tr>",
            escape(&e.record.id),
            e.record.score,
            n = i + 1
        );
    }
    page.push_str("</table></nav><main>\n");
}

/// One row of a card's reason or warning-sign table: number, weight (with its cell class),
/// the reason in plain words and its code, the evidence, the sources.
fn reason_row(page: &mut String, ctx: &Context, n: usize, x: &Reason, weight_class: &str) {
    let (words, sources) = plain(&x.code, ctx);
    let evidence = x
        .evidence
        .as_deref()
        .map(|t| format!("\u{201c}{}\u{201d}", escape(t)))
        .unwrap_or_default();
    let _ = write!(
        page,
        "<tr><td>{n}</td><td class=\"{weight_class}\">{:+.2}</td><td>{}<br><span class=\"code\">{}</span></td><td>{evidence}</td><td>{}</td></tr>",
        x.weight,
        escape(&words),
        escape(&x.code),
        escape(&sources)
    );
}

fn card(page: &mut String, ctx: &Context, n: usize, e: &Entry) {
    let r = &e.record;
    let v = r.verdict.as_str();
    let _ = write!(
        page,
        "<article class=\"card {v}\" id=\"p{n}\"><h2><span class=\"badge {v}\">{v}</span> {} \
<span class=\"score\">score {:.3}</span></h2>",
        escape(&r.id),
        r.score
    );
    if let Some(name) = &e.name {
        let _ = write!(page, "<p class=\"who\">{}</p>", escape(name));
    }
    if let Some(why) = &e.thin {
        let _ = write!(
            page,
            "<p class=\"note\">Verdict insufficient: {}.</p>",
            escape(why)
        );
    }
    if r.reasons.is_empty() {
        page.push_str("<p class=\"note\">No reason stood out.</p>");
    } else {
        page.push_str(
            "<h3>Why</h3><table><tr><th>#</th><th>weight</th><th>reason</th>\
<th>evidence</th><th>sources</th></tr>",
        );
        for (i, x) in r.reasons.iter().enumerate() {
            let dir = if x.weight > 0.0 { "w up" } else { "w down" };
            reason_row(page, ctx, i + 1, x, dir);
        }
        page.push_str("</table>");
    }
    if !e.signs.is_empty() {
        page.push_str(
            "<h3>Warning signs in the text</h3><p class=\"note\">The rules that fire on this \
profile, with the text they matched (the model reads them as one input, the linear engine one \
by one). Numbered after the reasons.</p>\
<table><tr><th>#</th><th>rule weight</th><th>sign</th><th>evidence</th><th>sources</th></tr>",
        );
        for (i, x) in e.signs.iter().enumerate() {
            reason_row(page, ctx, r.reasons.len() + i + 1, x, "w");
        }
        page.push_str("</table>");
    }
    let marks = highlights(e);
    let flagged: Vec<&str> = r
        .reasons
        .iter()
        .filter(|x| x.weight > 0.0)
        .filter_map(|x| x.code.strip_prefix("section:"))
        .collect();
    let shown: Vec<usize> = (0..e.texts.len())
        .filter(|&t| {
            !marks[t].is_empty() || e.texts[t].section.is_some_and(|s| flagged.contains(&s))
        })
        .collect();
    if !shown.is_empty() {
        page.push_str("<h3>In the profile's words</h3>");
    }
    for t in shown {
        let text = &e.texts[t];
        let _ = write!(
            page,
            "<div class=\"text\"><div class=\"label\">{}</div><div class=\"body\">",
            escape(&text.label)
        );
        let cut = text.text.char_indices().nth(MAX_TEXT).map(|(i, _)| i);
        let limit = cut.unwrap_or(text.text.len());
        let mut at = 0;
        for &(s, end, num) in marks[t].iter().filter(|m| m.1 <= limit) {
            page.push_str(&escape(&text.text[at..s]));
            let _ = write!(
                page,
                "<mark>{}<sup>{num}</sup></mark>",
                escape(&text.text[s..end])
            );
            at = end;
        }
        page.push_str(&escape(&text.text[at..limit]));
        if cut.is_some() {
            page.push_str(" <span class=\"note\">[… cut]</span>");
        }
        page.push_str("</div></div>");
    }
    page.push_str("</article>\n");
}
