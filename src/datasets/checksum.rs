//! SHA-256 verification of public data files before anything is read from them.

use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::DatasetError;

/// The expected SHA-256 of every public file, as published in
/// `../shared/datasets/public/README.md`. Keys are `set/file`.
pub const PUBLIC_SHA256: &[(&str, &str)] = &[
    (
        "emscad/fake_job_postings.csv",
        "60de9cb3c9aeaa162d2f729b02ac63e5d4bda58b9544411f337816ae684dfa18",
    ),
    (
        "cresci-2015/users.csv",
        "14a116d8f938744f14b66bbd90a3d9eb6197a9b99cc26bb1d445b8a599c06687",
    ),
    (
        "cresci-2015/fusers.csv",
        "ae62bc98120b2750f32be35754463667d3a3307e73613887d3280ab3fac02e63",
    ),
    (
        "instagram-kaggle/train.csv",
        "54adc145282c4bbd3699e879c1c072fec3728dbaf141b007b33e457cd78b638a",
    ),
    (
        "instagram-kaggle/test.csv",
        "4d09fc192c9f9736993635119670b724861b0d6da9ca512281c404eac79fc29d",
    ),
    (
        "instafake/fakeAccountData.json",
        "a3da0b2937ad8b05d032dc7b4c3115f927afa0d9dc85749dfe9db82a017b83d8",
    ),
    (
        "instafake/realAccountData.json",
        "3f66e6aceda0ef71a2c0f40244359ce5abcde4d9de76778057b0c3fb4409a627",
    ),
];

/// The SHA-256 of a file as lower-case hex.
pub fn sha256_file(path: &Path) -> std::io::Result<String> {
    let mut file = std::fs::File::open(path)?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = file.read(&mut buf)?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex(&hasher.finalize()))
}

/// Lower-case hex of some bytes.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The first `n` hex digits of the SHA-256 of a string: short, stable identifiers that do not
/// reveal what they were made from.
pub fn short_hash(s: &str, n: usize) -> String {
    let mut h = hex(&Sha256::digest(s.as_bytes()));
    h.truncate(n);
    h
}

/// Checks every `(key, path)` against the manifest before any of them is read. The first
/// missing file, unknown key or mismatch is an error naming the file.
pub fn verify(
    files: &[(String, std::path::PathBuf)],
    manifest: &[(&str, &str)],
) -> Result<(), DatasetError> {
    for (key, path) in files {
        let expected = manifest
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, h)| h.to_ascii_lowercase())
            .ok_or_else(|| DatasetError::NoExpectedHash { file: key.clone() })?;
        if !path.is_file() {
            return Err(DatasetError::MissingFile {
                file: key.clone(),
                path: path.display().to_string(),
            });
        }
        let actual = sha256_file(path).map_err(|source| DatasetError::Io {
            file: key.clone(),
            source,
        })?;
        if actual != expected {
            return Err(DatasetError::Checksum {
                file: key.clone(),
                expected,
                actual,
            });
        }
    }
    Ok(())
}

/// Parses a manifest in `sha256sum` format (`HEX  set/file` per line, `#` comments allowed).
pub fn parse_manifest(text: &str) -> Result<Vec<(String, String)>, String> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut parts = line.split_whitespace();
        let (Some(hash), Some(file), None) = (parts.next(), parts.next(), parts.next()) else {
            return Err(format!("line {}: expected `HEX  set/file`", i + 1));
        };
        let file = file.trim_start_matches('*');
        if hash.len() != 64 || !hash.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(format!("line {}: not a SHA-256 hex digest", i + 1));
        }
        out.push((file.to_owned(), hash.to_ascii_lowercase()));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_digest() {
        assert_eq!(
            hex(&Sha256::digest(b"abc")),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(short_hash("abc", 8), "ba7816bf");
    }

    #[test]
    fn manifest_parsing() {
        let m = parse_manifest(
            "# c\nBA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD  x/y.csv\n",
        )
        .unwrap();
        assert_eq!(m[0].0, "x/y.csv");
        assert!(m[0].1.starts_with("ba78"));
        assert!(parse_manifest("abc x").is_err());
        assert!(parse_manifest("a b c").is_err());
    }
}
