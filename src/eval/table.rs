//! The evaluation as an aligned plain-text table, engines side by side.

use std::fmt::Write;

use super::bootstrap::Interval;
use super::summary::AtThreshold;
use super::{EvalReport, Grouping};

/// Least width of each engine column; wider cells widen their column.
const COL: usize = 22;
/// Width of the metric-name column.
const NAME: usize = 24;

fn num(x: Option<f64>) -> String {
    x.map_or_else(|| "-".to_owned(), |v| format!("{v:.3}"))
}

fn with_ci(x: Option<f64>, ci: Option<Interval>) -> String {
    match (x, ci) {
        (Some(v), Some(i)) => format!("{v:.3} [{:.3}, {:.3}]", i.low, i.high),
        (x, _) => num(x),
    }
}

/// A metric name and one cell per engine.
pub type Row = (String, Vec<String>);

fn row(rows: &mut Vec<Row>, name: &str, cells: impl IntoIterator<Item = String>) {
    rows.push((name.to_owned(), cells.into_iter().collect()));
}

/// Writes rows with every engine column as wide as its widest cell plus two spaces.
fn lay_out(out: &mut String, rows: &[Row]) {
    let columns = rows.iter().map(|r| r.1.len()).max().unwrap_or(0);
    let widths: Vec<usize> = (0..columns)
        .map(|c| {
            let widest = rows
                .iter()
                .filter_map(|r| r.1.get(c))
                .map(|x| x.chars().count() + 2)
                .max()
                .unwrap_or(0);
            widest.max(COL)
        })
        .collect();
    for (name, cells) in rows {
        let _ = write!(out, "{name:<NAME$}");
        for (c, w) in cells.iter().zip(&widths) {
            let _ = write!(out, "{c:<w$}");
        }
        out.truncate(out.trim_end().len());
        out.push('\n');
    }
}

fn threshold_rows(
    out: &mut Vec<Row>,
    r: &EvalReport,
    label: &str,
    pick: fn(&super::Summary) -> AtThreshold,
) {
    let at = |f: fn(&AtThreshold) -> String| -> Vec<String> {
        r.engines.iter().map(|e| f(&pick(&e.summary))).collect()
    };
    row(out, label, at(|a| format!(">= {:.2}", a.threshold)));
    row(out, "  precision", at(|a| format!("{:.3}", a.precision)));
    row(out, "  recall", at(|a| format!("{:.3}", a.recall)));
    row(out, "  F1", at(|a| format!("{:.3}", a.f1)));
    row(
        out,
        "  false-positive rate",
        at(|a| format!("{:.3}", a.false_positive_rate)),
    );
    row(
        out,
        "  tp / fp / tn / fn",
        at(|a| {
            let c = a.confusion;
            format!("{} / {} / {} / {}", c.tp, c.fp, c.tn, c.r#fn)
        }),
    );
}

/// The side-by-side metrics: a header row (`metric`, engine names), then one row per metric.
pub fn metric_rows(r: &EvalReport) -> Vec<Row> {
    let mut rows = Vec::new();
    row(
        &mut rows,
        "metric",
        r.engines.iter().map(|e| e.engine.as_str().to_owned()),
    );
    let each = |f: &dyn Fn(&super::EngineReport) -> String| -> Vec<String> {
        r.engines.iter().map(f).collect()
    };
    row(
        &mut rows,
        "ROC-AUC",
        each(&|e| with_ci(e.summary.figures.roc_auc, e.summary.ci.roc_auc)),
    );
    row(
        &mut rows,
        "PR-AUC",
        each(&|e| num(e.summary.figures.pr_auc)),
    );
    row(
        &mut rows,
        "recall @ 1% FPR",
        each(&|e| {
            with_ci(
                e.summary.figures.recall_at_1pct_fpr,
                e.summary.ci.recall_at_1pct_fpr,
            )
        }),
    );
    row(
        &mut rows,
        "recall @ 5% FPR",
        each(&|e| {
            with_ci(
                e.summary.figures.recall_at_5pct_fpr,
                e.summary.ci.recall_at_5pct_fpr,
            )
        }),
    );
    threshold_rows(&mut rows, r, "fake threshold", |s| s.at_fake());
    threshold_rows(&mut rows, r, "review threshold", |s| s.at_review());
    row(
        &mut rows,
        "Brier score",
        each(&|e| format!("{:.4}", e.summary.figures.brier)),
    );
    row(
        &mut rows,
        "calibration error (ECE)",
        each(&|e| format!("{:.4}", e.summary.figures.ece)),
    );
    row(
        &mut rows,
        "profiles/s (scoring)",
        each(&|e| format!("{:.0}", e.profiles_per_second)),
    );
    rows
}

/// The per-group figures: a header row, then per group its name, size, fakes and per engine
/// ROC-AUC, recall and false-positive rate at the fake threshold.
pub fn group_rows(r: &EvalReport, g: &Grouping) -> Vec<Vec<String>> {
    let mut header = vec![g.key.clone(), "n".to_owned(), "fakes".to_owned()];
    for e in &r.engines {
        let n = e.engine.as_str();
        header.extend([
            format!("{n} AUC"),
            format!("{n} recall@fake"),
            format!("{n} FPR@fake"),
        ]);
    }
    let mut rows = vec![header];
    for grp in &g.groups {
        let mut cells = vec![
            grp.name.clone(),
            grp.profiles.to_string(),
            grp.fakes.to_string(),
        ];
        for e in &grp.engines {
            let s = &e.summary;
            cells.push(num(s.figures.roc_auc));
            cells.push(if s.fakes > 0 {
                format!("{:.3}", s.at_fake().recall)
            } else {
                "-".into()
            });
            cells.push(if s.genuine > 0 {
                format!("{:.3}", s.at_fake().false_positive_rate)
            } else {
                "-".into()
            });
        }
        rows.push(cells);
    }
    rows
}

/// The header lines and the side-by-side table of every engine.
pub fn render(r: &EvalReport) -> String {
    let mut out = String::new();
    let i = &r.input;
    let _ = writeln!(
        out,
        "evaluation of {}: {} labelled profiles ({} fake, {} genuine); {} unlabelled skipped; {} lines rejected",
        i.file, i.evaluated, i.fakes, i.genuine, i.unlabelled, i.rejected
    );
    let _ = writeln!(
        out,
        "too thin to judge (verdict insufficient under every engine): {} fake, {} genuine{}",
        i.insufficient_fakes,
        i.insufficient_genuine,
        match i.insufficient_unread_script {
            0 => String::new(),
            n => format!("; {n} of them written in a script the engines never learned"),
        }
    );
    let _ = writeln!(
        out,
        "intervals: 95% percentile bootstrap, {} resamples, seed {}\n",
        r.bootstrap_resamples, r.bootstrap_seed
    );
    lay_out(&mut out, &metric_rows(r));
    if let Some(g) = &r.grouping {
        out.push('\n');
        out.push_str(&render_groups(r, g));
    }
    out
}

/// The per-group table: size, and per engine ROC-AUC, recall and false-positive rate at the
/// fake threshold.
pub fn render_groups(r: &EvalReport, g: &Grouping) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "per {} ({} evaluated profiles without meta); AUC is '-' where a group has one class",
        g.key, g.without_meta
    );
    let width = g
        .groups
        .iter()
        .map(|x| x.name.chars().count())
        .chain([g.key.chars().count()])
        .max()
        .unwrap_or(5)
        .clamp(5, 40);
    let _ = write!(out, "{:<width$} {:>6} {:>6}", "", "", "");
    for e in &r.engines {
        let _ = write!(out, " | {:<26}", e.engine.as_str());
    }
    out.truncate(out.trim_end().len());
    out.push('\n');
    let _ = write!(out, "{:<width$} {:>6} {:>6}", g.key, "n", "fakes");
    for _ in &r.engines {
        let _ = write!(out, " | {:>6} {:>9} {:>9}", "AUC", "recall@F", "FPR@F");
    }
    out.push('\n');
    for grp in &g.groups {
        let name: String = grp.name.chars().take(width).collect();
        let _ = write!(out, "{name:<width$} {:>6} {:>6}", grp.profiles, grp.fakes);
        for e in &grp.engines {
            let s = &e.summary;
            let rec = if s.fakes > 0 {
                format!("{:.3}", s.at_fake().recall)
            } else {
                "-".into()
            };
            let fpr = if s.genuine > 0 {
                format!("{:.3}", s.at_fake().false_positive_rate)
            } else {
                "-".into()
            };
            let _ = write!(out, " | {:>6} {rec:>9} {fpr:>9}", num(s.figures.roc_auc));
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wide_cells_widen_their_column() {
        let rows = vec![
            ("metric".to_owned(), vec!["a".to_owned(), "b".to_owned()]),
            ("x".to_owned(), vec!["1".repeat(30), "2".to_owned()]),
        ];
        let mut out = String::new();
        lay_out(&mut out, &rows);
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0].find('b'), lines[1].find('2'));
        assert!(lines[1].contains(&format!("{}  2", "1".repeat(30))));
    }
}
