//! Exact and near-duplicate detection of profile texts, for splits that keep copies together.
//!
//! A profile's main text is its headline, about text and messages, each normalised with
//! [`crate::normalize::normalize`]. Two texts are:
//! - exact duplicates when their main texts are equal;
//! - skeleton duplicates when they are equal once everything but letters is removed (digits,
//!   punctuation, masks like `#URL_...#` numbers) and spaces are collapsed;
//! - near duplicates when the estimated Jaccard similarity of their word 3-shingle sets is at
//!   least [`JACCARD_THRESHOLD`] (MinHash with [`HASHES`] hashes, banded into [`BANDS`] bands for
//!   candidate search; a pair is only compared when one band matches, which finds a pair at
//!   similarity 0.7 with probability about 0.99 and at 0.8 above 0.999). Within a band's
//!   bucket a text is compared with up to four sample texts of each cluster already there,
//!   which keeps templated data (thousands of variants of one text) linear in time.

use std::collections::HashMap;

use crate::normalize::normalize;
use crate::profile::Profile;

/// Estimated Jaccard similarity of word 3-shingles from which two texts are near duplicates.
pub const JACCARD_THRESHOLD: f64 = 0.7;
/// Number of MinHash hashes per text.
pub const HASHES: usize = 64;
/// Number of LSH bands (of `HASHES / BANDS` rows each).
pub const BANDS: usize = 16;
const SHINGLE: usize = 3;
/// Members of one cluster each LSH bucket keeps to compare newcomers with.
const SAMPLES_PER_CLUSTER: usize = 4;

/// The normalised main text of a profile: headline, about and messages.
pub fn main_text(p: &Profile) -> String {
    let mut parts: Vec<String> = Vec::new();
    for s in [&p.headline, &p.about].into_iter().flatten() {
        parts.push(normalize(s).text);
    }
    for m in p.messages.iter().flatten() {
        parts.push(normalize(&m.text).text);
    }
    parts.retain(|s| !s.is_empty());
    parts.join("\n")
}

/// The text with everything but letters removed and spaces collapsed.
pub fn skeleton(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut space = false;
    for c in text.chars() {
        if c.is_alphabetic() {
            if space && !out.is_empty() {
                out.push(' ');
            }
            space = false;
            out.push(c);
        } else if c.is_whitespace() {
            space = true;
        }
    }
    out
}

/// A small union-find over `0..n`, path-halving, union by size.
#[derive(Debug, Clone)]
pub struct UnionFind {
    parent: Vec<usize>,
    size: Vec<usize>,
}

impl UnionFind {
    pub fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n).collect(),
            size: vec![1; n],
        }
    }

    pub fn find(&mut self, mut x: usize) -> usize {
        while self.parent[x] != x {
            self.parent[x] = self.parent[self.parent[x]];
            x = self.parent[x];
        }
        x
    }

    pub fn union(&mut self, a: usize, b: usize) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a] < self.size[b] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b] = a;
        self.size[a] += self.size[b];
    }
}

fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= b as u64;
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

fn splitmix64(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// The MinHash signature of a skeleton's word 3-shingles (the whole text when shorter).
pub fn signature(skeleton: &str) -> [u64; HASHES] {
    let words: Vec<&str> = skeleton.split(' ').filter(|w| !w.is_empty()).collect();
    let mut shingles: Vec<u64> = if words.len() < SHINGLE {
        vec![fnv1a(skeleton.as_bytes())]
    } else {
        words
            .windows(SHINGLE)
            .map(|w| fnv1a(w.join(" ").as_bytes()))
            .collect()
    };
    shingles.sort_unstable();
    shingles.dedup();
    let mut sig = [u64::MAX; HASHES];
    for (i, slot) in sig.iter_mut().enumerate() {
        let salt = splitmix64(i as u64 + 1);
        for &s in &shingles {
            *slot = (*slot).min(splitmix64(s ^ salt));
        }
    }
    sig
}

/// The estimated Jaccard similarity of two signatures.
pub fn similarity(a: &[u64; HASHES], b: &[u64; HASHES]) -> f64 {
    a.iter().zip(b).filter(|(x, y)| x == y).count() as f64 / HASHES as f64
}

/// Unions, in `uf`, the records whose main texts are exact, skeleton or near duplicates.
/// `texts[i]` is the main text of record `i` (see [`main_text`]); empty texts join nothing.
pub fn merge_duplicates(texts: &[String], uf: &mut UnionFind) {
    let mut exact: HashMap<&str, usize> = HashMap::new();
    let mut by_skeleton: HashMap<String, usize> = HashMap::new();
    for (i, t) in texts.iter().enumerate() {
        if t.is_empty() {
            continue;
        }
        match exact.get(t.as_str()) {
            Some(&j) => uf.union(i, j),
            None => {
                exact.insert(t, i);
            }
        }
        let sk = skeleton(t);
        if sk.is_empty() {
            continue;
        }
        match by_skeleton.get(&sk) {
            Some(&j) => uf.union(i, j),
            None => {
                by_skeleton.insert(sk, i);
            }
        }
    }
    // Near duplicates among the distinct skeletons, in a stable order.
    let mut distinct: Vec<(String, usize)> = by_skeleton.into_iter().collect();
    distinct.sort_by_key(|(_, i)| *i);
    let sigs: Vec<[u64; HASHES]> = distinct.iter().map(|(s, _)| signature(s)).collect();
    let rows = HASHES / BANDS;
    for band in 0..BANDS {
        let mut buckets: HashMap<u64, Vec<usize>> = HashMap::new();
        for (k, sig) in sigs.iter().enumerate() {
            let slice = &sig[band * rows..(band + 1) * rows];
            let key = slice.iter().fold(band as u64, |h, &v| splitmix64(h ^ v));
            buckets.entry(key).or_default().push(k);
        }
        let mut keys: Vec<u64> = buckets.keys().copied().collect();
        keys.sort_unstable();
        for key in keys {
            let members = &buckets[&key];
            if members.len() < 2 {
                continue;
            }
            // Each member is compared with a few samples of every cluster already seen in the
            // bucket rather than with every member, so that a bucket of thousands of
            // templated texts costs linear rather than quadratic time.
            let mut samples: Vec<usize> = Vec::new();
            for &a in members {
                let ra = distinct[a].1;
                let mut same = 0;
                for &b in &samples {
                    let rb = distinct[b].1;
                    if uf.find(ra) == uf.find(rb) {
                        same += 1;
                    } else if similarity(&sigs[a], &sigs[b]) >= JACCARD_THRESHOLD {
                        uf.union(ra, rb);
                        same += 1;
                    }
                }
                if same < SAMPLES_PER_CLUSTER {
                    samples.push(a);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skeleton_drops_digits_and_punctuation() {
        assert_eq!(skeleton("call +1 555-0100, now!"), "call now");
        assert_eq!(skeleton("#url_0a1b# earn $500/week"), "urlab earn week");
        assert_eq!(skeleton("12 34"), "");
    }

    #[test]
    fn near_duplicates_are_merged_and_different_texts_are_not() {
        let base = "we are hiring motivated people to work from home and earn good money every week with flexible hours and no experience needed";
        let texts = vec![
            base.to_owned(),
            format!("{base} apply today"),
            "senior research fellow in european energy policy at a university in brussels with twenty years of publications".to_owned(),
            String::new(),
            String::new(),
            "hello".to_owned(),
            "hello!".to_owned(),
        ];
        let mut uf = UnionFind::new(texts.len());
        merge_duplicates(&texts, &mut uf);
        assert_eq!(uf.find(0), uf.find(1));
        assert_ne!(uf.find(0), uf.find(2));
        assert_ne!(uf.find(3), uf.find(4));
        assert_eq!(uf.find(5), uf.find(6));
        assert!(similarity(&signature(base), &signature(&skeleton(&texts[2]))) < 0.2);
    }
}
