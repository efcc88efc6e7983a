//! The evaluation as one self-contained HTML file: inline CSS and inline SVG only, no scripts,
//! fonts or remote assets, so it opens on an air-gapped machine.
//!
//! Profile text appears only as reasons' evidence in the most-wrong lists, and only when the
//! report was built with evidence ([`super::EvalOptions::evidence`]).

use std::fmt::Write;

use super::svg::{self, escape};
use super::{table, EngineReport, EvalReport};
use crate::metrics::Ranked;

const STYLE: &str = "body{font-family:sans-serif;margin:24px;color:#222;max-width:1200px}\
h1{font-size:20px}h2{font-size:16px;margin-top:28px;border-bottom:1px solid #ccc}\
.plots{display:flex;flex-wrap:wrap;gap:12px}\
figure{margin:0;max-width:440px}figcaption{font-size:12px;color:#444;margin-top:2px}\
td.sub{padding-left:20px}td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}\
@media print{.plots{break-inside:avoid}figure{break-inside:avoid}}\
table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;padding:3px 6px;text-align:left;vertical-align:top}\
.note{color:#666;font-size:12px}";

/// A plot with the sentence that says how to read it.
fn figure(out: &mut String, svg: &str, caption: &str) {
    let _ = write!(
        out,
        "<figure>{svg}<figcaption>{}</figcaption></figure>",
        escape(caption)
    );
}

/// Rows as an HTML table: the first row is the header; cells after the first that look like
/// numbers are right-aligned.
fn html_table(out: &mut String, rows: &[Vec<String>]) {
    out.push_str("<table>");
    for (i, row) in rows.iter().enumerate() {
        out.push_str("<tr>");
        for (j, cell) in row.iter().enumerate() {
            let tag = if i == 0 { "th" } else { "td" };
            let numeric = i > 0
                && j > 0
                && cell.starts_with(|c: char| c.is_ascii_digit() || c == '-' || c == '>');
            let class = if numeric {
                " class=\"num\""
            } else if j == 0 && cell.starts_with("  ") {
                " class=\"sub\""
            } else {
                ""
            };
            let _ = write!(out, "<{tag}{class}>{}</{tag}>", escape(cell.trim()));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table>");
}

fn plots(out: &mut String, r: &EvalReport) {
    let names: Vec<&str> = r.engines.iter().map(|e| e.engine.as_str()).collect();
    let ranked: Vec<Ranked> = r
        .engines
        .iter()
        .map(|e| Ranked::new(&e.scores, &r.labels))
        .collect();
    let roc: Vec<(&str, Vec<(f64, f64)>)> = names
        .iter()
        .zip(&ranked)
        .map(|(n, k)| (*n, k.roc_curve()))
        .collect();
    let pr: Vec<(&str, Vec<(f64, f64)>)> = names
        .iter()
        .zip(&ranked)
        .map(|(n, k)| {
            let mut c = k.pr_curve();
            if let Some(&(_, p)) = c.first() {
                c.insert(0, (0.0, p));
            }
            (*n, c)
        })
        .collect();
    let rel: Vec<(&str, Vec<(f64, f64)>)> = names
        .iter()
        .zip(&r.engines)
        .map(|(n, e)| {
            (
                *n,
                e.reliability
                    .iter()
                    .map(|b| (b.mean_score, b.fraction_fake))
                    .collect(),
            )
        })
        .collect();
    out.push_str("<h2>Curves</h2><div class=\"plots\">");
    figure(
        out,
        &svg::lines(
            "ROC",
            "false-positive rate",
            "true-positive rate",
            &roc,
            true,
            false,
        ),
        "The share of fakes caught (up) against the share of genuine profiles flagged (right) \
         as the threshold moves; higher and further left is better, the diagonal is chance.",
    );
    figure(
        out,
        &svg::lines("Precision-recall", "recall", "precision", &pr, false, false),
        "Of the profiles flagged, the share that are fake (up), against the share of fakes \
         caught (right); it depends on how many fakes the set holds.",
    );
    figure(
        out,
        &svg::lines(
            "Calibration (reliability)",
            "mean score in bin",
            "fraction fake",
            &rel,
            true,
            true,
        ),
        "Profiles binned by score: the share that are fake against their mean score. On the \
         dashed diagonal a score of 0.8 means 8 in 10 such profiles are fake.",
    );
    out.push_str("</div>");
    out.push_str("<h2>Score histograms per class</h2><div class=\"plots\">");
    for e in &r.engines {
        let (mut fakes, mut genuine) = (Vec::new(), Vec::new());
        for (&s, &l) in e.scores.iter().zip(&r.labels) {
            if l {
                fakes.push(s);
            } else {
                genuine.push(s);
            }
        }
        let chart = svg::histogram(e.engine.as_str(), &fakes, &genuine, 20);
        figure(
            out,
            &chart,
            "Scores of fakes (red) and genuine profiles (green), each scaled to its class: \
             the less the two overlap, the better the engine separates them.",
        );
    }
    out.push_str("</div>");
}

fn worst(out: &mut String, e: &EngineReport, evidence: bool) {
    let _ = write!(
        out,
        "<h3>{}: {} profiles most wrong</h3><table><tr><th>id</th><th>label</th><th>score</th><th>verdict</th><th>top reasons</th></tr>",
        e.engine.as_str(),
        e.worst.len()
    );
    for m in &e.worst {
        let reasons: Vec<String> = m
            .reasons
            .iter()
            .map(|r| match (&r.evidence, evidence) {
                (Some(ev), true) => format!(
                    "{} ({:+.2}): \u{201c}{}\u{201d}",
                    escape(&r.code),
                    r.weight,
                    escape(ev)
                ),
                _ => format!("{} ({:+.2})", escape(&r.code), r.weight),
            })
            .collect();
        let _ = write!(
            out,
            "<tr><td>{}</td><td>{}</td><td>{:.3}</td><td>{}</td><td>{}</td></tr>",
            escape(&m.id),
            if m.label == crate::profile::Label::Fake {
                "fake"
            } else {
                "genuine"
            },
            m.score,
            m.verdict.as_str(),
            if reasons.is_empty() {
                "(none)".to_owned()
            } else {
                reasons.join("<br>")
            }
        );
    }
    out.push_str("</table>");
}

/// The whole report page. `evidence` says whether the report was built with evidence, which
/// the page states.
pub fn html(r: &EvalReport, evidence: bool) -> String {
    let mut out = String::with_capacity(64 * 1024);
    let _ = write!(
        out,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>linkscreen evaluation</title><style>{STYLE}</style></head><body>"
    );
    let engines: Vec<&str> = r.engines.iter().map(|e| e.engine.as_str()).collect();
    let _ = write!(
        out,
        "<h1>linkscreen evaluation: {}</h1><p>{} labelled profiles ({} fake, {} genuine) scored by {}; {} unlabelled profiles skipped; {} lines rejected.</p>",
        escape(&r.input.file),
        r.input.evaluated,
        r.input.fakes,
        r.input.genuine,
        escape(&engines.join(", ")),
        r.input.unlabelled,
        r.input.rejected
    );
    if let Some(m) = &r.model {
        let _ = write!(out, "<p>Model: {}.</p>", escape(m));
    }
    let _ = write!(
        out,
        "<h2>Figures</h2><p class=\"note\">Intervals: 95% percentile bootstrap, {} resamples, seed {}.</p>",
        r.bootstrap_resamples, r.bootstrap_seed
    );
    let rows: Vec<Vec<String>> = table::metric_rows(r)
        .into_iter()
        .map(|(name, cells)| std::iter::once(name).chain(cells).collect())
        .collect();
    html_table(&mut out, &rows);
    out.push_str("<p class=\"note\">Intervals are 95% percentile bootstrap intervals; \
        recall at a false-positive rate uses the lowest threshold whose false positives stay within that rate. \
        profiles/s counts scoring only, on already parsed profiles.</p>");
    plots(&mut out, r);
    if let Some(g) = &r.grouping {
        let _ = write!(
            out,
            "<h2>Per {}</h2><p class=\"note\">{} evaluated profiles have no meta line; AUC is '-' where a group has one class; recall and FPR at the fake threshold.</p>",
            escape(&g.key),
            g.without_meta
        );
        html_table(&mut out, &table::group_rows(r, g));
    }
    out.push_str("<h2>Profiles each engine gets most wrong</h2>");
    out.push_str(if evidence {
        "<p class=\"note\">Evidence (profile text) is included: handle this file like the profiles themselves.</p>"
    } else {
        "<p class=\"note\">Evidence (profile text) is left out; build the report with --report-evidence to include it.</p>"
    });
    for e in &r.engines {
        worst(&mut out, e, evidence);
    }
    out.push_str("</body></html>\n");
    out
}
