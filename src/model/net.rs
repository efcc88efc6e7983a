//! The network's weights and its forward pass in plain Rust (used for scoring: faster than
//! going through tensors for an embedding bag, and bit-for-bit deterministic whatever the
//! number of threads). Training builds the same network from candle tensors (`crate::train`).
//!
//! Network: per section, the embeddings of its token and hashed-bigram ids pooled (their
//! mean by default, see [`Pooling`]); the input is `[pooled sections (S x D), section present flags (S), standardised features (F)]`,
//! then `Linear(In, H) -> ReLU -> Linear(H, 1)` gives the logit. With a wide part
//! ([`Dims::wide`]), each id also has one weight of its own, pooled per section like the
//! embeddings and added straight to the logit: a linear n-gram model inside the network.

/// The name of each tensor in `model.safetensors`, which training's variables carry too
/// (`crate::train`): the one place the names are spelled.
pub const EMB: &str = "emb";
/// See [`EMB`].
pub const W1: &str = "w1";
/// See [`EMB`].
pub const B1: &str = "b1";
/// See [`EMB`].
pub const W2: &str = "w2";
/// See [`EMB`].
pub const B2: &str = "b2";
/// The inverse document frequency of each embedding row, only with [`Pooling::Idf`] (fitted on
/// the training records, never trained).
pub const IDF: &str = "idf";
/// The wide part's weight of each embedding row, only with [`Dims::wide`].
pub const WIDE: &str = "wide";

/// How a section's embeddings become one vector: each embedding is weighted by
/// [`Pooling::weight`] of the number of ids in the section, then summed; with [`Pooling::Idf`],
/// each is weighted by its id's inverse document frequency and the sum divided by theirs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// The mean (weight `1 / n`): a section's length does not change its vector's scale.
    #[default]
    Mean,
    /// The sum (weight 1): longer sections weigh more.
    Sum,
    /// The sum divided by the square root of the count (weight `1 / sqrt(n)`), between the two.
    Sqrt,
    /// The mean weighted by each id's inverse document frequency (`sum idf * e / sum idf`):
    /// like the mean, a section's length does not change its scale, but rare ids weigh more.
    /// The frequencies are the training records' (`crate::train`), stored as [`IDF`].
    Idf,
}

impl Pooling {
    /// The weight of each of a section's `n` embeddings; 1 with [`Pooling::Idf`], whose
    /// weights are the ids' own and whose sum is divided afterwards.
    pub fn weight(self, n: usize) -> f32 {
        match self {
            Pooling::Mean => 1.0 / n as f32,
            Pooling::Sum | Pooling::Idf => 1.0,
            Pooling::Sqrt => 1.0 / (n as f32).sqrt(),
        }
    }

    pub fn is_mean(&self) -> bool {
        *self == Pooling::Mean
    }
}

/// The network's sizes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dims {
    /// Rows of the embedding table (token ids, then hashed-bigram ids).
    pub rows: usize,
    pub dim: usize,
    pub hidden: usize,
    pub sections: usize,
    pub features: usize,
    pub pooling: Pooling,
    /// Whether each row also has a weight added to the logit (the wide part).
    pub wide: bool,
}

impl Dims {
    /// Width of the input: pooled sections, presence flags, features.
    pub fn inputs(&self) -> usize {
        self.text_inputs() + self.features
    }

    /// Width of the text part of the input: pooled sections and presence flags.
    pub fn text_inputs(&self) -> usize {
        self.sections * self.dim + self.sections
    }
}

/// Weights of the network, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Weights {
    pub dim: usize,
    pub hidden: usize,
    pub sections: usize,
    pub features: usize,
    pub pooling: Pooling,
    /// `rows x dim` embedding table (tokens then hashed bigrams).
    pub emb: Vec<f32>,
    /// `hidden x inputs`.
    pub w1: Vec<f32>,
    pub b1: Vec<f32>,
    /// `hidden`.
    pub w2: Vec<f32>,
    pub b2: f32,
    /// `rows`: each row's inverse document frequency with [`Pooling::Idf`], empty otherwise.
    pub idf: Vec<f32>,
    /// `rows`: each row's wide weight with [`Dims::wide`], empty otherwise.
    pub wide: Vec<f32>,
}

/// A forward pass kept for explanations.
#[derive(Debug, Clone)]
pub struct Forward {
    pub input: Vec<f32>,
    pub pre: Vec<f32>,
    /// Each section's pooled wide weight (empty without a wide part).
    pub wide: Vec<f32>,
    pub logit: f32,
}

/// The dot product of two slices of one length, summed in eight lanes (which the compiler turns
/// into vector instructions) and then across them: the same sum as summing in order, up to
/// rounding, several times faster.
pub fn dot(a: &[f32], b: &[f32]) -> f32 {
    dot_with(a, b, |x| x)
}

/// The dot product of `f` applied to each value of `a` with `b`, summed as [`dot`] sums.
fn dot_with(a: &[f32], b: &[f32], f: impl Fn(f32) -> f32) -> f32 {
    const LANES: usize = 8;
    debug_assert_eq!(a.len(), b.len());
    let mut acc = [0.0f32; LANES];
    let (ca, cb) = (a.chunks_exact(LANES), b.chunks_exact(LANES));
    let tail: f32 = ca
        .remainder()
        .iter()
        .zip(cb.remainder())
        .map(|(x, y)| f(*x) * y)
        .sum();
    for (x, y) in ca.zip(cb) {
        for ((s, x), y) in acc.iter_mut().zip(x).zip(y) {
            *s += f(*x) * y;
        }
    }
    acc.iter().sum::<f32>() + tail
}

/// How many ids ahead [`Weights::pool`] asks for an embedding row ([`crate::cache`]).
const PREFETCH_AHEAD: usize = 8;

impl Weights {
    pub fn inputs(&self) -> usize {
        self.sections * self.dim + self.sections + self.features
    }

    pub fn rows(&self) -> usize {
        self.emb.len() / self.dim.max(1)
    }

    /// Reads the weights from named tensors, flattened (a safetensors file's, or training's
    /// variables); `get` is asked for each of [`EMB`], [`W1`], [`B1`], [`W2`], [`B2`], and for
    /// [`IDF`] with idf pooling only. Shapes are checked where the weights are used
    /// ([`super::Classifier::new`], and the idf's length where an artifact is read).
    pub fn from_named<E>(
        dims: Dims,
        mut get: impl FnMut(&'static str) -> Result<Vec<f32>, E>,
    ) -> Result<Weights, E> {
        Ok(Weights {
            dim: dims.dim,
            hidden: dims.hidden,
            sections: dims.sections,
            features: dims.features,
            pooling: dims.pooling,
            emb: get(EMB)?,
            w1: get(W1)?,
            b1: get(B1)?,
            w2: get(W2)?,
            b2: get(B2)?.first().copied().unwrap_or(0.0),
            idf: match dims.pooling {
                Pooling::Idf => get(IDF)?,
                _ => Vec::new(),
            },
            wide: if dims.wide { get(WIDE)? } else { Vec::new() },
        })
    }

    /// Every tensor with its name and its shape in `model.safetensors`, sorted by name (the
    /// order of the file); [`IDF`] only with idf pooling, so other artifacts keep their bytes.
    pub fn named(&self) -> Vec<(&'static str, &[f32], Vec<usize>)> {
        let mut named = vec![
            (B1, self.b1.as_slice(), vec![self.hidden]),
            (B2, std::slice::from_ref(&self.b2), vec![1]),
            (EMB, &self.emb, vec![self.rows(), self.dim]),
        ];
        if self.pooling == Pooling::Idf {
            named.push((IDF, &self.idf, vec![self.idf.len()]));
        }
        named.push((W1, &self.w1, vec![self.hidden, self.inputs()]));
        named.push((W2, &self.w2, vec![self.hidden]));
        if !self.wide.is_empty() {
            named.push((WIDE, &self.wide, vec![self.wide.len()]));
        }
        named
    }

    /// Pools the rows of `table` (`width` values per row) named by the ids of one section into
    /// `out` as [`Pooling`] says; ids out of range count for nothing. Returns false, leaving
    /// `out` alone, for a section without a valid id.
    fn pool(&self, sec: &[u32], table: &[f32], width: usize, out: &mut [f32]) -> bool {
        let rows = self.rows() as u32;
        let valid = sec.iter().filter(|&&i| i < rows).count();
        if valid == 0 {
            return false;
        }
        let mut idf_sum = 0.0f32;
        for (k, &i) in sec.iter().enumerate().filter(|&(_, &i)| i < rows) {
            if let Some(&ahead) = sec.get(k + PREFETCH_AHEAD) {
                crate::cache::prefetch_range(table, ahead as usize * width, width);
            }
            let row = &table[i as usize * width..(i as usize + 1) * width];
            if self.pooling == Pooling::Idf {
                let w = self.idf[i as usize];
                idf_sum += w;
                out.iter_mut().zip(row).for_each(|(o, v)| *o += w * v);
            } else {
                out.iter_mut().zip(row).for_each(|(o, v)| *o += v);
            }
        }
        let inv = match self.pooling {
            Pooling::Idf => 1.0 / idf_sum,
            p => p.weight(valid),
        };
        out.iter_mut().for_each(|o| *o *= inv);
        true
    }

    /// The input vector: pooled sections, presence flags, standardised features.
    pub fn input(&self, ids: &[Vec<u32>], features: &[f32]) -> Vec<f32> {
        let d = self.dim;
        let mut x = vec![0.0f32; self.inputs()];
        for (s, sec) in ids.iter().enumerate().take(self.sections) {
            if self.pool(sec, &self.emb, d, &mut x[s * d..(s + 1) * d]) {
                x[self.sections * d + s] = 1.0;
            }
        }
        let base = self.sections * d + self.sections;
        for (slot, f) in x[base..].iter_mut().zip(features) {
            *slot = *f;
        }
        x
    }

    /// Each section's pooled wide weight (empty without a wide part).
    fn wide_terms(&self, ids: &[Vec<u32>]) -> Vec<f32> {
        if self.wide.is_empty() {
            return Vec::new();
        }
        let mut terms = vec![0.0f32; self.sections];
        for (s, sec) in ids.iter().enumerate().take(self.sections) {
            self.pool(sec, &self.wide, 1, &mut terms[s..s + 1]);
        }
        terms
    }

    fn output(&self, pre: &[f32]) -> f32 {
        self.b2 + dot_with(pre, &self.w2, |p| p.max(0.0))
    }

    /// The logit of an encoded profile, its features standardised with `stats` (the scoring
    /// path's, which training's calibration also goes through).
    pub fn logit(&self, e: &super::Encoded, stats: &super::FeatureStats) -> f32 {
        self.forward(&e.ids, &stats.apply(&e.features)).logit
    }

    /// The forward pass of a profile's ids per section and standardised features.
    pub fn forward(&self, ids: &[Vec<u32>], features: &[f32]) -> Forward {
        let input = self.input(ids, features);
        let n = self.inputs();
        let pre: Vec<f32> = (0..self.hidden)
            .map(|h| {
                let row = &self.w1[h * n..(h + 1) * n];
                self.b1[h] + dot(row, &input)
            })
            .collect();
        let wide = self.wide_terms(ids);
        let logit = self.output(&pre) + wide.iter().sum::<f32>();
        Forward {
            input,
            pre,
            wide,
            logit,
        }
    }

    /// The logit without section `s` (occlusion): its pooled vector and presence flag set to
    /// zero, and its wide weight left out, which is exactly a profile without that section.
    ///
    /// `w1t` is [`Weights::transposed`]: column access is then contiguous.
    pub fn occluded_logit(&self, f: &Forward, w1t: &[f32], s: usize) -> f32 {
        let inputs = self.section_inputs(s);
        self.replaced_logit(f, w1t, inputs.iter().map(|&i| (i, 0.0)))
            - f.wide.get(s).copied().unwrap_or(0.0)
    }

    /// The logit after replacing the given inputs by other values, computed from the hidden
    /// pre-activations of `f` (only the changed columns of the first layer are read).
    pub fn replaced_logit(
        &self,
        f: &Forward,
        w1t: &[f32],
        changes: impl IntoIterator<Item = (usize, f32)>,
    ) -> f32 {
        let hid = self.hidden;
        let mut pre = f.pre.clone();
        for (i, new) in changes {
            let delta = new - f.input[i];
            if delta == 0.0 {
                continue;
            }
            for (p, w) in pre.iter_mut().zip(&w1t[i * hid..(i + 1) * hid]) {
                *p += w * delta;
            }
        }
        self.output(&pre) + f.wide.iter().sum::<f32>()
    }

    /// `w1` transposed to `inputs x hidden`, for [`Weights::occluded_logit`].
    pub fn transposed(&self) -> Vec<f32> {
        let (n, hid) = (self.inputs(), self.hidden);
        let mut t = vec![0.0; self.w1.len()];
        for h in 0..hid {
            for i in 0..n {
                t[i * hid + h] = self.w1[h * n + i];
            }
        }
        t
    }

    /// The input indices of a section (pooled vector and presence flag).
    pub fn section_inputs(&self, s: usize) -> Vec<usize> {
        let mut v: Vec<usize> = (s * self.dim..(s + 1) * self.dim).collect();
        v.push(self.sections * self.dim + s);
        v
    }

    /// The input index of a feature.
    pub fn feature_input(&self, f: usize) -> usize {
        self.sections * self.dim + self.sections + f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny() -> Weights {
        Weights {
            dim: 2,
            hidden: 2,
            sections: 1,
            features: 1,
            pooling: Pooling::Mean,
            emb: vec![1.0, 0.0, 0.0, 1.0],
            w1: vec![1.0, 0.0, 0.5, 2.0, 0.0, 1.0, 0.0, -1.0],
            b1: vec![0.0, 0.1],
            w2: vec![1.0, -1.0],
            b2: 0.5,
            idf: Vec::new(),
            wide: Vec::new(),
        }
    }

    #[test]
    fn forward_matches_hand_computation() {
        let w = tiny();
        let x = w.input(&[vec![0, 1]], &[1.0]);
        assert_eq!(x, vec![0.5, 0.5, 1.0, 1.0]);
        let f = w.forward(&[vec![0, 1]], &[1.0]);
        assert_eq!(f.input, x);
        // pre0 = 0.5 + 0.5 + 2 = 3; pre1 = 0.1 + 0.5 - 1 = -0.4 -> relu 0.
        assert!((f.logit - 3.5).abs() < 1e-6);
        let occluded = w.occluded_logit(&f, &w.transposed(), 0);
        // Without the section: pre0 = 2, pre1 = 0.1 - 1 < 0.
        assert!((occluded - 2.5).abs() < 1e-6);
    }

    #[test]
    fn the_wide_part_adds_each_sections_pooled_weights_to_the_logit() {
        let w = Weights {
            wide: vec![0.4, -1.0],
            ..tiny()
        };
        // The mean of the two rows' weights, -0.3, on top of the network's 3.5.
        let f = w.forward(&[vec![0, 1]], &[1.0]);
        assert!((f.logit - 3.2).abs() < 1e-6);
        // Occluding the section takes its wide weight out too.
        assert!((w.occluded_logit(&f, &w.transposed(), 0) - 2.5).abs() < 1e-6);
        let names: Vec<&str> = w.named().iter().map(|(n, _, _)| *n).collect();
        assert_eq!(names, [B1, B2, EMB, W1, W2, WIDE]);
    }

    #[test]
    fn idf_pooling_weighs_each_row_by_its_idf() {
        let w = Weights {
            pooling: Pooling::Idf,
            idf: vec![1.0, 3.0],
            ..tiny()
        };
        // (1 * [1, 0] + 3 * [0, 1]) / 4; an out-of-range id counts for nothing.
        assert_eq!(
            w.input(&[vec![0, 1, 9]], &[0.0]),
            vec![0.25, 0.75, 1.0, 0.0]
        );
        let names: Vec<&str> = w.named().iter().map(|(n, _, _)| *n).collect();
        assert_eq!(names, [B1, B2, EMB, IDF, W1, W2]);
        assert_eq!(tiny().named().len(), 5);
    }

    #[test]
    fn out_of_range_ids_are_ignored() {
        let w = tiny();
        assert_eq!(w.input(&[vec![9]], &[0.0]), vec![0.0; 4]);
    }
}
