//! Minimal inline SVG plots for the HTML report: no scripts, no fonts, no external assets.

use std::fmt::Write;

/// Colours of the engines' series, in engine order.
pub const COLOURS: [&str; 4] = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"];

const W: f64 = 440.0;
const H: f64 = 300.0;
const LEFT: f64 = 48.0;
/// Room right of the plot for the legend, so that it never covers a curve.
const RIGHT: f64 = 104.0;
const TOP: f64 = 28.0;
const BOTTOM: f64 = 40.0;
/// Curves are thinned to at most this many points.
const MAX_POINTS: usize = 400;

/// Escapes text for HTML and SVG content and attributes.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

fn px(x: f64) -> f64 {
    LEFT + x.clamp(0.0, 1.0) * (W - LEFT - RIGHT)
}

fn py(y: f64) -> f64 {
    H - BOTTOM - y.clamp(0.0, 1.0) * (H - TOP - BOTTOM)
}

/// The frame of a unit-square plot: title, axes, ticks and labels.
fn frame(out: &mut String, title: &str, x_label: &str, y_label: &str) {
    let _ = write!(
        out,
        r#"<svg width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="11">"#
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="16" text-anchor="middle" font-size="13" font-weight="bold">{}</text>"#,
        W / 2.0,
        escape(title)
    );
    for k in 0..=4 {
        let v = k as f64 / 4.0;
        let _ = write!(
            out,
            r##"<line x1="{x}" y1="{}" x2="{x}" y2="{}" stroke="#ddd"/><line x1="{}" y1="{y}" x2="{}" y2="{y}" stroke="#ddd"/>"##,
            py(0.0),
            py(1.0),
            px(0.0),
            px(1.0),
            x = px(v),
            y = py(v)
        );
        let _ = write!(
            out,
            r#"<text x="{}" y="{}" text-anchor="middle">{v}</text><text x="{}" y="{}" text-anchor="end">{v}</text>"#,
            px(v),
            py(0.0) + 14.0,
            px(0.0) - 4.0,
            py(v) + 4.0
        );
    }
    let _ = write!(
        out,
        r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#444"/>"##,
        px(0.0),
        py(1.0),
        px(1.0) - px(0.0),
        py(0.0) - py(1.0)
    );
    let _ = write!(
        out,
        r#"<text x="{}" y="{}" text-anchor="middle">{}</text>"#,
        (px(0.0) + px(1.0)) / 2.0,
        H - 8.0,
        escape(x_label)
    );
    let _ = write!(
        out,
        r#"<text x="12" y="{y}" text-anchor="middle" transform="rotate(-90 12 {y})">{}</text>"#,
        escape(y_label),
        y = (py(0.0) + py(1.0)) / 2.0
    );
}

fn thin(points: &[(f64, f64)]) -> Vec<(f64, f64)> {
    if points.len() <= MAX_POINTS {
        return points.to_vec();
    }
    let step = points.len().div_ceil(MAX_POINTS);
    let mut out: Vec<(f64, f64)> = points.iter().copied().step_by(step).collect();
    if let Some(&last) = points.last() {
        out.push(last);
    }
    out
}

fn legend(out: &mut String, names: &[&str]) {
    for (i, name) in names.iter().enumerate() {
        let y = py(1.0) + 10.0 + 16.0 * i as f64;
        let x = px(1.0) + 10.0;
        let _ = write!(
            out,
            r#"<rect x="{x}" y="{}" width="10" height="10" fill="{}"/><text x="{}" y="{}">{}</text>"#,
            y - 9.0,
            COLOURS[i % COLOURS.len()],
            x + 14.0,
            y,
            escape(name)
        );
    }
}

/// A line plot on the unit square, one series per engine; `diagonal` draws y = x.
pub fn lines(
    title: &str,
    x_label: &str,
    y_label: &str,
    series: &[(&str, Vec<(f64, f64)>)],
    diagonal: bool,
    markers: bool,
) -> String {
    let mut out = String::new();
    frame(&mut out, title, x_label, y_label);
    if diagonal {
        let _ = write!(
            out,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#999" stroke-dasharray="4 3"/>"##,
            px(0.0),
            py(0.0),
            px(1.0),
            py(1.0)
        );
    }
    for (i, (_, points)) in series.iter().enumerate() {
        let colour = COLOURS[i % COLOURS.len()];
        let path: Vec<String> = thin(points)
            .iter()
            .map(|&(x, y)| format!("{:.1},{:.1}", px(x), py(y)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{colour}" stroke-width="1.8" points="{}"/>"#,
            path.join(" ")
        );
        if markers {
            for &(x, y) in points {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="2.5" fill="{colour}"/>"#,
                    px(x),
                    py(y)
                );
            }
        }
    }
    let names: Vec<&str> = series.iter().map(|s| s.0).collect();
    legend(&mut out, &names);
    out.push_str("</svg>");
    out
}

/// Score histograms of fakes and genuine profiles (each normalised to its class size).
pub fn histogram(title: &str, fakes: &[f32], genuine: &[f32], bins: usize) -> String {
    let hist = |scores: &[f32]| {
        let mut h = vec![0.0f64; bins];
        for &s in scores {
            let b = ((s.clamp(0.0, 1.0) as f64 * bins as f64) as usize).min(bins - 1);
            h[b] += 1.0;
        }
        let n = scores.len().max(1) as f64;
        h.iter_mut().for_each(|v| *v /= n);
        h
    };
    let (hf, hg) = (hist(fakes), hist(genuine));
    let top = hf
        .iter()
        .chain(&hg)
        .copied()
        .fold(0.0f64, f64::max)
        .max(1e-9);
    let mut out = String::new();
    frame(&mut out, title, "score", "share of class (scaled)");
    let bw = 1.0 / bins as f64;
    for (b, (&f, &g)) in hf.iter().zip(&hg).enumerate() {
        let x = b as f64 * bw;
        for (v, colour, offset) in [(g, "#2ca02c", 0.0), (f, "#d62728", bw / 2.0)] {
            let h = v / top;
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{:.1}" height="{:.1}" fill="{colour}" fill-opacity="0.8"/>"#,
                px(x + offset),
                py(h),
                px(bw / 2.0) - px(0.0),
                py(0.0) - py(h)
            );
        }
    }
    let _ = write!(
        out,
        r##"<rect x="{x}" y="{y}" width="10" height="10" fill="#d62728"/><text x="{}" y="{}">fake ({})</text><rect x="{x}" y="{}" width="10" height="10" fill="#2ca02c"/><text x="{}" y="{}">genuine ({})</text>"##,
        px(1.0) + 24.0,
        py(1.0) + 9.0,
        fakes.len(),
        py(1.0) + 16.0,
        px(1.0) + 24.0,
        py(1.0) + 25.0,
        genuine.len(),
        x = px(1.0) + 10.0,
        y = py(1.0)
    );
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup() {
        assert_eq!(
            escape(r#"<a href="x">&'"#),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }

    #[test]
    fn plots_are_closed_svg_and_thinned() {
        let many: Vec<(f64, f64)> = (0..5000).map(|i| (i as f64 / 5000.0, 0.5)).collect();
        let s = lines("ROC", "x", "y", &[("model", many)], true, false);
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert!(s.len() < 20_000, "{}", s.len());
        let h = histogram("h", &[0.9, 0.8], &[0.1], 20);
        assert!(h.contains("fake (2)") && h.contains("genuine (1)"));
    }
}
