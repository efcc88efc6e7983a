//! `metrics.json` and `MODEL_CARD.md` of a training run: per data set and split, for the model,
//! the rule engine and the hybrid engine on the same records.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::metrics::{round4 as r4, Figures};
use crate::score::Thresholds;

use super::data::{Part, Sample};
use super::loao::EngineLoao;

/// One engine's figures on one set of records, as `metrics.json` gives them (rounded).
fn figures(scores: &[f32], labels: &[bool], t: Thresholds) -> Figures {
    Figures::new(scores, labels, t.review, t.fake).rounded()
}

#[derive(Debug, Clone, Serialize)]
pub struct SubsetFigures {
    pub n: usize,
    pub fakes: usize,
    pub model: Figures,
    pub rules: Figures,
    pub hybrid: Figures,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub linear: Option<Figures>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ensemble: Option<Figures>,
}

/// Per-family figures of one split (a family is one class, so no AUC).
#[derive(Debug, Clone, Serialize)]
pub struct FamilyFigures {
    pub n: usize,
    pub fake: bool,
    pub mean_model_score: f64,
    /// Share at or above the model's `review` threshold (recall for fakes, FPR for genuine).
    pub model_flagged: f64,
    pub rules_flagged: f64,
    pub hybrid_flagged: f64,
}

/// Scores of every sample by the three engines, aligned with the samples.
pub struct Scored<'a> {
    pub samples: &'a [Sample],
    pub model: Vec<f32>,
    pub rules: Vec<f32>,
    pub hybrid: Vec<f32>,
    pub model_t: Thresholds,
    pub rules_t: Thresholds,
    pub hybrid_t: Thresholds,
    /// The linear engine's scores and thresholds, when trained.
    pub linear: Option<(Vec<f32>, Thresholds)>,
    /// The ensemble's scores and thresholds, when fitted.
    pub ensemble: Option<(Vec<f32>, Thresholds)>,
}

impl Scored<'_> {
    fn subset(&self, keep: impl Fn(&Sample) -> bool) -> Option<SubsetFigures> {
        let idx: Vec<usize> = (0..self.samples.len())
            .filter(|&i| !self.samples[i].augmented && keep(&self.samples[i]))
            .collect();
        if idx.is_empty() {
            return None;
        }
        let labels: Vec<bool> = idx.iter().map(|&i| self.samples[i].fake).collect();
        let pick = |v: &[f32]| -> Vec<f32> { idx.iter().map(|&i| v[i]).collect() };
        let (m, r, h) = (pick(&self.model), pick(&self.rules), pick(&self.hybrid));
        Some(SubsetFigures {
            n: idx.len(),
            fakes: labels.iter().filter(|&&l| l).count(),
            model: figures(&m, &labels, self.model_t),
            rules: figures(&r, &labels, self.rules_t),
            hybrid: figures(&h, &labels, self.hybrid_t),
            linear: self
                .linear
                .as_ref()
                .map(|(v, t)| figures(&pick(v), &labels, *t)),
            ensemble: self
                .ensemble
                .as_ref()
                .map(|(v, t)| figures(&pick(v), &labels, *t)),
        })
    }

    /// Figures per split and data set, plus the cresci-2015 English-only subset.
    pub fn by_split(&self) -> BTreeMap<String, BTreeMap<String, SubsetFigures>> {
        let mut sources: Vec<&str> = self.samples.iter().map(|s| s.source.as_str()).collect();
        sources.sort_unstable();
        sources.dedup();
        let mut out = BTreeMap::new();
        for part in Part::ALL {
            let mut m = BTreeMap::new();
            if let Some(f) = self.subset(|s| s.part == part) {
                m.insert("all".to_owned(), f);
            }
            for src in &sources {
                if let Some(f) = self.subset(|s| s.part == part && s.source == *src) {
                    m.insert((*src).to_owned(), f);
                }
            }
            if let Some(f) = self.subset(|s| {
                s.part == part && s.source == "cresci-2015" && s.language.as_deref() == Some("en")
            }) {
                m.insert("cresci-2015-en".to_owned(), f);
            }
            out.insert(part.as_str().to_owned(), m);
        }
        out
    }

    /// Per-family figures of the synthetic records of one split.
    pub fn families(&self, part: Part) -> BTreeMap<String, FamilyFigures> {
        let mut acc: BTreeMap<String, (usize, bool, f64, [usize; 3])> = BTreeMap::new();
        for (i, s) in self.samples.iter().enumerate() {
            if s.part != part || s.source != "synthetic" || s.augmented {
                continue;
            }
            let e = acc
                .entry(s.family.clone())
                .or_insert((0, s.fake, 0.0, [0; 3]));
            e.0 += 1;
            e.2 += self.model[i] as f64;
            e.3[0] += usize::from(self.model[i] >= self.model_t.review);
            e.3[1] += usize::from(self.rules[i] >= self.rules_t.review);
            e.3[2] += usize::from(self.hybrid[i] >= self.hybrid_t.review);
        }
        acc.into_iter()
            .map(|(k, (n, fake, sum, [mf, rf, hf]))| {
                let nf = n as f64;
                (
                    k,
                    FamilyFigures {
                        n,
                        fake,
                        mean_model_score: r4(sum / nf),
                        model_flagged: r4(mf as f64 / nf),
                        rules_flagged: r4(rf as f64 / nf),
                        hybrid_flagged: r4(hf as f64 / nf),
                    },
                )
            })
            .collect()
    }
}

fn fmt_opt(x: Option<f64>) -> String {
    x.map_or("-".to_owned(), |v| format!("{v:.3}"))
}

/// The leave-one-author-out table of the card: the headline figures.
fn loao_section(loao: &BTreeMap<String, EngineLoao>) -> String {
    let Some(first) = loao.values().next() else {
        return String::new();
    };
    let mut s = String::from(
        "## Leave-one-author-out (the headline figures)\n\n\
Each hand-written author set scored by engines trained without it (ROC-AUC, 95 % bootstrap \
interval). Verdict figures are nested: calibration and thresholds chosen on the other authors' \
out-of-fold scores, applied to the held-out author.\n\n| engine |",
    );
    for (a, _) in &first.authors {
        s.push_str(&format!(" {a} |"));
    }
    s.push_str(" mean | pooled [95 % CI] | genuine flagged | fakes caught | invitation fakes cleared | genuine insufficient | ECE |\n|---|");
    s.push_str(&"---:|".repeat(first.authors.len() + 7));
    s.push('\n');
    for (engine, l) in loao {
        s.push_str(&format!("| {engine} |"));
        for (_, r) in &l.authors {
            s.push_str(&format!(" {} |", fmt_opt(r.roc_auc)));
        }
        let ci = l
            .pooled
            .roc_auc_ci
            .map_or(String::new(), |i| format!(" [{:.3}, {:.3}]", i.low, i.high));
        let v = &l.verdicts;
        s.push_str(&format!(
            " {} | {}{ci} | {:.1} % | {:.1} % | {:.1} % | {:.1} % | {:.3} |\n",
            fmt_opt(l.mean_roc_auc),
            fmt_opt(l.pooled.roc_auc),
            100.0 * v.genuine_flagged,
            100.0 * v.fakes_caught,
            100.0 * v.invitation_fakes_cleared,
            100.0 * v.genuine_insufficient,
            v.ece
        ));
    }
    s.push('\n');
    s
}

/// The model card, from the run's metrics.
pub fn model_card(
    metrics: &serde_json::Value,
    splits: &BTreeMap<String, BTreeMap<String, SubsetFigures>>,
    families: &BTreeMap<String, FamilyFigures>,
    loao: &BTreeMap<String, EngineLoao>,
) -> String {
    let mut s = String::new();
    s.push_str("# linkscreen default model\n\n");
    s.push_str(
        "Generated by `linkscreen train`; every number below comes from this run's `metrics.json`.\n\n\
## Intended use\n\n\
Screening of professional-network profiles (LinkedIn-style) for fake personas used in espionage and \
fraud approaches: fake headhunters, think-tank and academic covers, conference organisers, \"dream job\" \
recruiters. It ranks profiles for a human analyst's review; a score is a calibrated probability on \
data like its calibration set (the hand-written profiles for the linear engine, the synthetic validation \
split for the neural model), not a verdict on a person. Not for automated decisions about people.\n\n\
## Engines\n\n\
**ensemble** (the default, when this run fitted it: `ensemble.json`): the linear engine's and the neural \
model's stated probabilities averaged in log-odds, then Platt-scaled, with thresholds, on the two engines' \
leave-one-author-out scores of the hand-written author files. Its reasons are both engines' reasons in its \
own log-odds.\n\n\
**linear**: hashed word 1- and 2-grams of each section of the normalised text (sublinear \
TF-IDF, L2-normalised per section, each also tagged with its section), one indicator per rule of \
the shipped rule set (all but the obfuscation rule and the rules on counts an adversary sets), and numeric features (log counts with missing indicators, photo flags, tenure and \
gap statistics, text lengths) in one logistic regression fitted by Adam with an L2 penalty. Counts an \
adversary sets may only raise the score and their missing indicators may only lower it; account age and \
mutual connections may only lower it. Platt scaling and the thresholds come from the leave-one-author-out \
scores of the hand-written author files. Its reasons are its exact terms.\n\n\
**model** (neural): \
WordPiece tokenizer trained on the normalised training text; token and hashed token-bigram embeddings \
pooled per section (headline, about, experience, experience description, education, skills, inbound \
and outbound messages) as `pooling` in `config.json` says: the sum over the square root of their count \
(`sqrt`), the sum, or the mean (when it says nothing); numeric and structural features with missing indicators (log counts, ratios, photo \
flags, tenure and gap statistics, text lengths and, when enabled, the shipped rule set's hit summary \
without its obfuscation rule); \
an MLP head giving one logit; temperature scaling and thresholds chosen on validation. \
Reasons are occlusion contributions (logit change when a section or feature group is removed). \
The hybrid engine stacks the calibrated score's log-odds and the shipped rules' evidence with \
coefficients and thresholds fitted on the validation split (`hybrid.json`).\n\n",
    );
    let ignored: Vec<&str> = metrics
        .pointer("/config/model/ignore_features")
        .and_then(serde_json::Value::as_array)
        .map(|v| v.iter().filter_map(serde_json::Value::as_str).collect())
        .unwrap_or_default();
    if !ignored.is_empty() {
        s.push_str(&format!(
            "The neural model gives no weight to these features, which the linear engine reads \
(`[model] ignore_features`: zero inputs in training, zero first-layer weights): {}.\n\n",
            ignored.join(", ")
        ));
    }
    s.push_str(
        "## Data and licences\n\n\
Synthetic profiles from `linkscreen synth` (generated, no personal data); hand-written profiles by four \
independent authors (`../shared/datasets/handwritten`, invented people, weighted per the config); public \
sets when present: EMSCAD \
(University of the Aegean, research data set, cite Vidros et al. 2017), cresci-2015 (research use, cite \
Cresci et al. 2015), instagram-kaggle (unknown licence, research use), InstaFake (CC BY-NC 4.0). The \
public sets are different platforms (job ads, Twitter, Instagram): they teach recruitment-fraud language \
and account statistics, not espionage profiles. Splits are group-aware (template, source entity, \
near-duplicate cluster).\n\n",
    );
    s.push_str(&loao_section(loao));
    s.push_str("## Metrics (every engine on the same records; in-house data)\n\n");
    s.push_str("| split | data set | n | fakes | model ROC-AUC | model PR-AUC | model recall@1%FPR | rules ROC-AUC | rules PR-AUC | hybrid ROC-AUC | hybrid PR-AUC | linear ROC-AUC | ensemble ROC-AUC |\n|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (part, m) in splits {
        if part == "train" {
            continue;
        }
        for (name, f) in m {
            s.push_str(&format!(
                "| {part} | {name} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
                f.n,
                f.fakes,
                fmt_opt(f.model.roc_auc),
                fmt_opt(f.model.pr_auc),
                fmt_opt(f.model.recall_at_1pct_fpr),
                fmt_opt(f.rules.roc_auc),
                fmt_opt(f.rules.pr_auc),
                fmt_opt(f.hybrid.roc_auc),
                fmt_opt(f.hybrid.pr_auc),
                fmt_opt(f.linear.as_ref().and_then(|l| l.roc_auc)),
                fmt_opt(f.ensemble.as_ref().and_then(|l| l.roc_auc)),
            ));
        }
    }
    if !families.is_empty() {
        s.push_str("\n### Synthetic test split per family\n\n| family | class | n | mean score | model flagged (>= review) | rules flagged | hybrid flagged |\n|---|---|---|---|---|---|---|\n");
        for (k, f) in families {
            s.push_str(&format!(
                "| {k} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
                if f.fake { "fake" } else { "genuine" },
                f.n,
                f.mean_model_score,
                f.model_flagged,
                f.rules_flagged,
                f.hybrid_flagged
            ));
        }
    }
    s.push_str(&format!(
        "\n## Calibration\n\n`{}`\n\nHybrid (`hybrid.json`): `{}`\n",
        metrics
            .get("calibration")
            .map(|c| c.to_string())
            .unwrap_or_default(),
        metrics
            .get("hybrid")
            .map(|c| c.to_string())
            .unwrap_or_default()
    ));
    let dropped = metrics
        .pointer("/config/augment/drop_own_names")
        .and_then(serde_json::Value::as_bool)
        .unwrap_or(false);
    let names_in_texts = if dropped {
        "A name written in the texts (a signature, a reply) is read like any other word; these engines \
were trained on texts without each person's own name (`[augment] drop_own_names`), which makes a name \
move scores less, not never: `scripts/name_swap.py` measures it (training/README.md)."
    } else {
        "A name written in the texts (a signature, a reply) is read like any other word: \
`scripts/name_swap.py` measures how much renaming a person there moves the scores."
    };
    s.push_str(&format!(
        "\n## Limits\n\n\
- The labelled profiles are synthetic or from other platforms; performance on real LinkedIn approaches \
is not measured here. Expect a drop on profiles unlike the training families.\n\
- Thresholds are set for false-positive rates on the validation mix; the real base rate of fakes is \
far lower, so most `review` flags on real traffic will be genuine profiles.\n\
- Very long sections are truncated at the configured token limit (counted when scoring).\n\
- A determined adversary who knows the features can write a profile that scores low.\n\n\
## Fairness checks\n\n\
- Names and usernames are never read (a test swaps names across profiles and requires identical scores); \
locations and spoken-language lists are not read either.\n\
- {names_in_texts}\n\
- The text is normalised (look-alike letters, invisible characters) before tokenising, and no feature \
counts what normalisation undid: inserting hidden characters moves the model's score by at most 0.05 \
(tested over many profiles). Obfuscation is evidence for the rule engine and the hybrid instead.\n\
- cresci-2015 is language-confounded (genuine mostly Italian, fakes English): the English-only subset is \
reported separately above.\n",
    ));
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The card of a run with these metrics and no figures.
    fn card(metrics: serde_json::Value) -> String {
        model_card(
            &metrics,
            &BTreeMap::new(),
            &BTreeMap::new(),
            &BTreeMap::new(),
        )
    }

    #[test]
    fn the_card_says_whether_names_were_taken_out_of_the_training_texts() {
        let dropped = card(serde_json::json!({"config": {"augment": {"drop_own_names": true}}}));
        assert!(dropped.contains("trained on texts without each person's own name"));
        for metrics in [
            serde_json::json!({}),
            serde_json::json!({"config": {"augment": {}}}),
        ] {
            let kept = card(metrics);
            assert!(!kept.contains("own name") && kept.contains("scripts/name_swap.py"));
        }
    }

    #[test]
    fn the_card_names_the_features_the_neural_model_ignores() {
        let ignoring = card(serde_json::json!({"config": {"model": {
            "ignore_features": ["log_posts", "missing_posts"]}}}));
        assert!(ignoring.contains("gives no weight to these features"));
        assert!(ignoring.contains("log_posts, missing_posts."));
        assert!(!card(serde_json::json!({})).contains("gives no weight"));
    }
}
