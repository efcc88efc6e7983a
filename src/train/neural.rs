//! The neural model's training: tokenizer, two stages (text pre-training, then fine-tuning of
//! the whole model) with early stopping on validation ROC-AUC, temperature scaling and
//! thresholds for stated false-positive rates. Used once for the shipped model and once per
//! held-out author by the leave-one-author-out evaluation.

use candle_core::{Device, Tensor};
use candle_nn::{AdamW, Optimizer, ParamsAdamW, VarMap};
use rand::seq::SliceRandom;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::metrics::Ranked;
use crate::model::net::{Pooling, IDF, W1};
use crate::model::{
    train_tokenizer, Calibration, CalibrationParams, Classifier, Dims, Encoded, FeatureStats,
    ModelConfig, TextEncoder, Weights, FORMAT_VERSION, SECTIONS,
};
use crate::rules::RuleSet;

use super::batch::{Batch, Example, Noise};
use super::config::{self, TrainConfig};
use super::data::{Part, Sample};
use super::init::seeded;
use super::net::{bce, weights, Head, Net};
use super::{round6, EpochLog, Progress, TrainError};

/// Thresholds at two false-positive rates (the model's calibration's, which the
/// leave-one-author-out figures share).
pub(crate) use crate::model::thresholds;

/// A fitted neural model with its logits for every sample it was given.
pub struct FittedModel {
    pub classifier: Classifier,
    pub epochs: Vec<EpochLog>,
    /// Uncalibrated logits, aligned with the samples.
    pub logits: Vec<f32>,
}

/// Class weights that balance the (weighted) fakes and genuine records of a training set:
/// `(fake, genuine)` multipliers of each record's own weight.
pub fn class_weights<'a>(train: impl Iterator<Item = &'a Sample>) -> (f32, f32) {
    let (mut fake, mut all) = (0.0f64, 0.0f64);
    for s in train {
        all += s.weight as f64;
        if s.fake {
            fake += s.weight as f64;
        }
    }
    (
        (all / (2.0 * fake.max(1e-9))) as f32,
        (all / (2.0 * (all - fake).max(1e-9))) as f32,
    )
}

/// Trains the neural model on the training records `include` accepts, validates on the
/// validation split, and returns it with the logits of every sample.
pub fn fit_model(
    cfg: &TrainConfig,
    samples: &[Sample],
    include: &dyn Fn(&Sample) -> bool,
    device: &Device,
    progress: &dyn Progress,
) -> Result<FittedModel, TrainError> {
    let is_train =
        |s: &Sample| s.part == Part::Train && !s.evaluated_only && !s.linear_only && include(s);
    let encoder = fit_encoder(cfg, samples, &is_train, progress)?;
    let encoded: Vec<Encoded> = samples.iter().map(|s| encoder.encode(&s.profile)).collect();
    let stats = fit_stats(cfg, samples, &encoded, &is_train);
    let data = Data {
        samples,
        encoded: &encoded,
        stats: &stats,
        is_train: &is_train,
    };
    let (weights, epochs) = fit_net(cfg, &data, encoder.vocab as usize, device, progress)?;
    let (calibration, logits) = fit_calibration(cfg, &data, &weights, progress)?;
    let m = &cfg.model;
    let model_cfg = ModelConfig {
        format_version: FORMAT_VERSION,
        dim: m.dim,
        hidden: m.hidden,
        vocab: encoder.vocab as usize,
        buckets: m.buckets,
        max_tokens: m.max_tokens,
        rule_features: m.rule_features,
        sections: SECTIONS.iter().map(|s| s.to_string()).collect(),
        pooling: m.pooling,
        wide: m.wide,
        strip_name_spans: m.strip_name_spans,
    };
    let classifier = Classifier::new(model_cfg, encoder, weights, stats, calibration)?;
    Ok(FittedModel {
        classifier,
        epochs,
        logits,
    })
}

/// The tokenizer, fitted on the normalised text of the training records only, in its encoder.
fn fit_encoder(
    cfg: &TrainConfig,
    samples: &[Sample],
    is_train: &dyn Fn(&Sample) -> bool,
    progress: &dyn Progress,
) -> Result<TextEncoder, TrainError> {
    let texts: Vec<String> = samples
        .iter()
        .filter(|s| is_train(s))
        .flat_map(|s| TextEncoder::section_texts(&s.profile, cfg.model.strip_name_spans).0)
        .filter(|t| !t.is_empty())
        .collect();
    let tokenizer = train_tokenizer(texts.iter().map(String::as_str), cfg.model.vocab_size)?;
    let vocab = tokenizer.get_vocab_size(true);
    progress.note(&format!("tokenizer: {vocab} entries"));
    let m = &cfg.model;
    Ok(TextEncoder::new(
        tokenizer,
        vocab as u32,
        m.buckets as u32,
        m.max_tokens,
        m.rule_features.then(RuleSet::default_rules),
        m.strip_name_spans,
    ))
}

/// The features' standardisation statistics, on the training records only.
fn fit_stats(
    cfg: &TrainConfig,
    samples: &[Sample],
    encoded: &[Encoded],
    is_train: &dyn Fn(&Sample) -> bool,
) -> FeatureStats {
    let names = crate::features::names(cfg.model.rule_features);
    let train_rows: Vec<Vec<f32>> = samples
        .iter()
        .zip(encoded)
        .filter(|(s, _)| is_train(s))
        .map(|(_, e)| e.features.clone())
        .collect();
    FeatureStats::fit(names, &train_rows)
}

/// The encoded records a network is fitted on.
struct Data<'a> {
    samples: &'a [Sample],
    encoded: &'a [Encoded],
    stats: &'a FeatureStats,
    is_train: &'a dyn Fn(&Sample) -> bool,
}

/// The network: its variables drawn from the run's seed, the text encoder pre-trained with the
/// text head, then the whole model fine-tuned (best epoch kept); returns the weights of the
/// scored network and the epochs' logs.
fn fit_net(
    cfg: &TrainConfig,
    data: &Data,
    vocab: usize,
    device: &Device,
    progress: &dyn Progress,
) -> Result<(Weights, Vec<EpochLog>), TrainError> {
    let Data {
        samples,
        encoded,
        stats,
        is_train,
    } = *data;
    let mut rng = ChaCha8Rng::seed_from_u64(cfg.seed);
    let m = &cfg.model;
    let (w_pos, w_neg) = class_weights(samples.iter().filter(|s| is_train(s)));
    // The text head trains and validates on the records that have text.
    let keep = |s: &Sample, e: &Encoded, part: Part, head: Head| {
        let in_part = match part {
            Part::Train => is_train(s),
            p => s.part == p,
        };
        in_part && (head == Head::Full || e.ids.iter().any(|v| !v.is_empty()))
    };
    let selected = |head: Head, on: &Option<String>| -> Vec<bool> {
        samples
            .iter()
            .zip(encoded)
            .filter(|(s, e)| keep(s, e, Part::Val, head))
            .map(|(s, _)| on.as_deref().is_none_or(|o| o == "all" || s.source == o))
            .collect()
    };
    // The features the network never reads (`[model] ignore_features`): zero in every example,
    // with their first-layer weights set to zero below, so no gradient ever reaches them.
    let ignored: Vec<usize> = stats
        .names
        .iter()
        .enumerate()
        .filter(|(_, n)| m.ignore_features.contains(n))
        .map(|(i, _)| i)
        .collect();
    let examples = |part: Part, head: Head| -> Vec<Example> {
        samples
            .iter()
            .zip(encoded)
            .filter(|(s, e)| keep(s, e, part, head))
            .map(|(s, e)| Example {
                ids: e.ids.clone(),
                features: {
                    let mut f = stats.apply(&e.features);
                    ignored.iter().for_each(|&i| f[i] = 0.0);
                    f
                },
                target: if s.fake { 1.0 } else { 0.0 },
                weight: s.weight * if s.fake { w_pos } else { w_neg },
            })
            .collect()
    };
    let dims = Dims {
        rows: vocab + m.buckets,
        dim: m.dim,
        hidden: m.hidden,
        sections: SECTIONS.len(),
        features: stats.names.len(),
        pooling: m.pooling,
        wide: m.wide,
    };
    let mut vars = VarMap::new();
    let mut net = Net::new(&dims, seeded(&vars, &mut rng, device))?;
    if dims.pooling == Pooling::Idf {
        let idf = fit_idf(data, dims.rows);
        vars.set_one(IDF, Tensor::from_vec(idf, dims.rows, device)?)?;
    }
    if !ignored.is_empty() {
        let (base, inputs) = (dims.text_inputs(), dims.inputs());
        let mut w1 = weights(&vars, dims)?.w1;
        for row in w1.chunks_mut(inputs) {
            ignored.iter().for_each(|&i| row[base + i] = 0.0);
        }
        vars.set_one(W1, Tensor::from_vec(w1, (dims.hidden, inputs), device)?)?;
    }
    let mut epochs = Vec::new();
    if cfg.pretrain.epochs > 0 {
        let (tr, va) = (
            examples(Part::Train, Head::Text),
            examples(Part::Val, Head::Text),
        );
        progress.note(&format!(
            "pre-training the text encoder on {} records with text",
            tr.len()
        ));
        let stage = Stage {
            name: "pretrain",
            cfg: &cfg.pretrain,
            head: Head::Text,
        };
        let sel = selected(Head::Text, &cfg.pretrain.select_on);
        epochs.extend(run_stage(
            &mut net, stage, &tr, &va, &sel, &mut rng, progress,
        )?);
    }
    let (tr, va) = (
        examples(Part::Train, Head::Full),
        examples(Part::Val, Head::Full),
    );
    let stage = Stage {
        name: "finetune",
        cfg: &cfg.finetune,
        head: Head::Full,
    };
    let sel = selected(Head::Full, &cfg.finetune.select_on);
    epochs.extend(run_stage(
        &mut net, stage, &tr, &va, &sel, &mut rng, progress,
    )?);
    Ok((weights(&vars, dims)?, epochs))
}

/// Each embedding row's smoothed inverse document frequency, `ln((1 + n) / (1 + df)) + 1`: the
/// documents are the `n` non-empty sections of the training records, and `df` counts those that
/// hold the row's id (a token or a hashed bigram) at least once. It is at least 1, and highest
/// for the ids that no training record uses.
fn fit_idf(data: &Data, rows: usize) -> Vec<f32> {
    let (mut df, mut docs) = (vec![0u32; rows], 0u32);
    let train = data.samples.iter().zip(data.encoded);
    for (_, e) in train.filter(|(s, _)| (data.is_train)(s)) {
        for sec in e.ids.iter().filter(|v| !v.is_empty()) {
            docs += 1;
            let mut ids = sec.clone();
            ids.sort_unstable();
            ids.dedup();
            for i in ids.into_iter().filter(|&i| (i as usize) < rows) {
                df[i as usize] += 1;
            }
        }
    }
    let n = docs as f64;
    df.iter()
        .map(|&d| (((1.0 + n) / (1.0 + d as f64)).ln() + 1.0) as f32)
        .collect()
}

/// The calibration, fitted on the validation records' logits through the scoring path itself;
/// returns it with the logits of every record.
fn fit_calibration(
    cfg: &TrainConfig,
    data: &Data,
    weights: &Weights,
    progress: &dyn Progress,
) -> Result<(Calibration, Vec<f32>), TrainError> {
    let logits: Vec<f32> = data
        .encoded
        .iter()
        .map(|e| weights.logit(e, data.stats))
        .collect();
    let (val_logits, val_labels): (Vec<f32>, Vec<bool>) = data
        .samples
        .iter()
        .zip(&logits)
        .filter(|(s, _)| s.part == Part::Val)
        .map(|(s, z)| (*z, s.fake))
        .unzip();
    let params = CalibrationParams {
        review_fpr: cfg.calibration.review_fpr,
        fake_fpr: cfg.calibration.fake_fpr,
    }
    .check()?;
    let calibration = Calibration::fit(&params, &val_logits, &val_labels);
    progress.note(&format!(
        "calibration: temperature {:.3}, review >= {:.3}, fake >= {:.3}",
        calibration.temperature, calibration.review, calibration.fake
    ));
    Ok((calibration, logits))
}

/// Scores examples with the selected head, as in evaluation (no noise, no dropout).
fn predict(net: &Net, ex: &[Example]) -> Result<Vec<f32>, TrainError> {
    let mut out = Vec::with_capacity(ex.len());
    for chunk in ex.chunks(1024) {
        let refs: Vec<&Example> = chunk.iter().collect();
        let b = Batch::eval(&refs, net.dims(), net.device())?;
        out.extend(net.forward_t(&b, false)?.to_vec1::<f32>()?);
    }
    Ok(out)
}

fn auc_pr(scores: &[f32], labels: &[bool]) -> (Option<f64>, Option<f64>) {
    let r = Ranked::new(scores, labels);
    (r.roc_auc().map(round6), r.pr_auc().map(round6))
}

struct Stage<'a> {
    name: &'static str,
    cfg: &'a config::StageConfig,
    head: Head,
}

/// Runs one stage; returns its epoch logs. The fine-tuning stage keeps the best epoch's weights.
fn run_stage(
    net: &mut Net,
    stage: Stage,
    train: &[Example],
    val: &[Example],
    select: &[bool],
    rng: &mut ChaCha8Rng,
    progress: &dyn Progress,
) -> Result<Vec<EpochLog>, TrainError> {
    net.set_head(stage.head);
    let mut opt = AdamW::new(
        net.vars()?,
        ParamsAdamW {
            lr: stage.cfg.lr,
            weight_decay: stage.cfg.weight_decay,
            ..Default::default()
        },
    )?;
    let noise = Noise {
        // The text head has no hidden layer to drop units of.
        dropout: match stage.head {
            Head::Text => 0.0,
            Head::Full => stage.cfg.dropout,
        },
        token_dropout: stage.cfg.token_dropout,
        section_dropout: stage.cfg.section_dropout,
    };
    let labels: Vec<bool> = val.iter().map(|e| e.target > 0.5).collect();
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut logs = Vec::new();
    let (mut best, mut best_auc, mut stale) = (None, f64::NEG_INFINITY, 0);
    // Speed is logged, never stored, so that artifacts stay identical from run to run.
    let (started, mut steps, mut seen) = (std::time::Instant::now(), 0usize, 0usize);
    for epoch in 1..=stage.cfg.epochs {
        order.shuffle(rng);
        let batches = order.len().div_ceil(stage.cfg.batch);
        progress.epoch(stage.name, batches);
        let (mut total, mut count) = (0.0f64, 0usize);
        for chunk in order.chunks(stage.cfg.batch) {
            let refs: Vec<&Example> = chunk.iter().map(|&i| &train[i]).collect();
            let b = Batch::train(&refs, net.dims(), noise, rng, net.device())?;
            let z = net.forward_t(&b, true)?;
            let loss = bce(&z, &b.target, &b.weight)?;
            opt.backward_step(&loss)?;
            steps += 1;
            seen += chunk.len();
            total += loss.to_scalar::<f32>()? as f64 * chunk.len() as f64;
            count += chunk.len();
            progress.step();
        }
        progress.epoch_done();
        let scores = predict(net, val)?;
        let (auc, pr) = auc_pr(&scores, &labels);
        let (sel_scores, sel_labels): (Vec<f32>, Vec<bool>) = scores
            .iter()
            .zip(&labels)
            .zip(select)
            .filter(|(_, &k)| k)
            .map(|((s, l), _)| (*s, *l))
            .unzip();
        let sel = auc_pr(&sel_scores, &sel_labels).0;
        let entry = EpochLog {
            stage: stage.name,
            epoch,
            loss: round6(total / count.max(1) as f64),
            val_roc_auc: auc,
            val_pr_auc: pr,
            selection_roc_auc: sel,
        };
        let f = |x: Option<f64>| x.map_or("-".into(), |v| format!("{v:.4}"));
        progress.note(&format!(
            "{} epoch {epoch}: loss {:.4}, val ROC-AUC {}, PR-AUC {}, selection ROC-AUC {}",
            stage.name,
            entry.loss,
            f(auc),
            f(pr),
            f(sel),
        ));
        logs.push(entry);
        // Pre-training keeps its last epoch; only the whole model is selected.
        if stage.head == Head::Text {
            continue;
        }
        let a = sel.unwrap_or(0.0);
        if a > best_auc || best.is_none() {
            best_auc = a;
            best = Some(net.snapshot()?);
            stale = 0;
        } else {
            stale += 1;
            if stale >= stage.cfg.patience {
                progress.note(&format!(
                    "early stop after epoch {epoch} (best val ROC-AUC {best_auc:.4})"
                ));
                break;
            }
        }
    }
    let secs = started.elapsed().as_secs_f64().max(1e-9);
    progress.note(&format!(
        "{}: {steps} optimizer steps in {secs:.1} s ({:.1} steps/s, {:.0} examples/s, validation included)",
        stage.name,
        steps as f64 / secs,
        seen as f64 / secs
    ));
    if let Some(snapshot) = best {
        snapshot.restore()?;
    }
    Ok(logs)
}
