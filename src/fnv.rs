//! FNV-1a, 64 bit: the hash of the linear engine's word n-gram slots, and of hash maps keyed by
//! short words (the tokenizer's pieces longer than 15 bytes, a section's distinct words),
//! where it is several times faster than the standard library's SipHash.
//!
//! FNV is not keyed: keys that come from a profile let an adversary slow down only the one
//! profile that holds them, never another.

/// The FNV-1a offset basis.
pub const OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// The FNV-1a prime.
pub const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a as a [`std::hash::Hasher`].
#[derive(Debug, Clone, Copy)]
pub struct FnvHasher(u64);

impl Default for FnvHasher {
    fn default() -> Self {
        FnvHasher(OFFSET)
    }
}

impl std::hash::Hasher for FnvHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 ^= u64::from(b);
            self.0 = self.0.wrapping_mul(PRIME);
        }
    }
}

/// A hash map keyed by words, hashed with [`FnvHasher`].
pub type WordMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<FnvHasher>>;

/// A hasher for keys that are numbers (indices, short words packed into one number): one
/// multiplication per number instead of one per byte. Like FNV it is not keyed: a key from a
/// profile lets an adversary slow down only that profile.
#[derive(Debug, Default, Clone, Copy)]
pub struct NumberHasher(u64);

impl std::hash::Hasher for NumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        // Numbers come through the methods below; anything else is hashed byte by byte.
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(MIX);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (self.0.rotate_left(29) ^ n as u64).wrapping_mul(MIX);
    }

    fn write_u128(&mut self, n: u128) {
        // One wide multiplication of the two halves, folded.
        let (lo, hi) = (n as u64, (n >> 64) as u64);
        let m = u128::from(self.0 ^ lo ^ 0x243F_6A88_85A3_08D3)
            * u128::from(hi ^ 0x1319_8A2E_0370_7344);
        self.0 = (m as u64) ^ ((m >> 64) as u64);
    }
}

/// The odd constant [`NumberHasher`] multiplies by (2^64 over the golden ratio).
const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

/// A hash map keyed by numbers, hashed with [`NumberHasher`].
pub type NumberMap<K, V> =
    std::collections::HashMap<K, V, std::hash::BuildHasherDefault<NumberHasher>>;

#[cfg(test)]
mod tests {
    use std::hash::Hasher;

    use super::*;

    #[test]
    fn numbers_that_differ_hash_apart() {
        let hash = |f: &dyn Fn(&mut NumberHasher)| {
            let mut h = NumberHasher::default();
            f(&mut h);
            h.finish()
        };
        let keys = [0u128, 1, 1 << 64, (1 << 64) | 1, u128::MAX];
        let mut seen: Vec<u64> = keys.iter().map(|&k| hash(&|h| h.write_u128(k))).collect();
        seen.extend([(0usize, 1usize), (1, 0), (1, 1)].map(|(a, b)| {
            hash(&|h| {
                h.write_usize(a);
                h.write_usize(b);
            })
        }));
        let distinct: std::collections::HashSet<u64> = seen.iter().copied().collect();
        assert_eq!(distinct.len(), seen.len(), "{seen:x?}");
    }

    #[test]
    fn matches_the_published_test_vectors() {
        // From the FNV reference (draft-eastlake-fnv): "" and "a" under FNV-1a 64.
        assert_eq!(FnvHasher::default().finish(), 0xcbf2_9ce4_8422_2325);
        let mut h = FnvHasher::default();
        h.write(b"a");
        assert_eq!(h.finish(), 0xaf63_dc4c_8601_ec8c);
    }
}
