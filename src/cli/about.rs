//! What a run says about itself: the version line naming the embedded model, and the identity
//! of the model in use (the SHA-256 of its manifest, which covers every file of the artifact).

use std::path::Path;

use linkscreen::artifact::sha256_hex;

/// The embedded model's manifest (the same bytes `artifact::embedded` verifies).
const EMBEDDED_MANIFEST: &[u8] = include_bytes!("../../models/default/manifest.json");

/// The date of the embedded model: the last commit of its manifest, recorded at build time.
pub const EMBEDDED_MODEL_DATE: &str = env!("LINKSCREEN_MODEL_DATE");

/// A short fingerprint of a manifest: the first 12 hex digits of its SHA-256.
fn fingerprint(manifest: &[u8]) -> String {
    sha256_hex(manifest)[..12].to_owned()
}

/// `--version`: the tool's version and the embedded model's identity and date.
pub fn version() -> String {
    format!(
        "{} (embedded model: default, manifest sha256 {}, {}; rules: default)",
        env!("CARGO_PKG_VERSION"),
        fingerprint(EMBEDDED_MANIFEST),
        EMBEDDED_MODEL_DATE
    )
}

/// The civil date (UTC) of a time, as `YYYY-MM-DD`.
fn civil_date(t: std::time::SystemTime) -> Option<String> {
    let days = (t.duration_since(std::time::UNIX_EPOCH).ok()?.as_secs() / 86_400) as i64;
    // Howard Hinnant's days-to-civil algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    Some(format!("{y:04}-{m:02}-{d:02}"))
}

/// The identity of the model a run uses: the embedded default or a directory.
pub fn model_identity(dir: Option<&Path>) -> String {
    match dir {
        None => format!(
            "default (embedded), manifest sha256 {}, {}",
            fingerprint(EMBEDDED_MANIFEST),
            EMBEDDED_MODEL_DATE
        ),
        Some(d) => {
            let path = d.join("manifest.json");
            let bytes = std::fs::read(&path).unwrap_or_default();
            let date = std::fs::metadata(&path)
                .and_then(|m| m.modified())
                .ok()
                .and_then(civil_date)
                .unwrap_or_else(|| "unknown".into());
            format!(
                "{}, manifest sha256 {}, manifest written {date}",
                d.display(),
                fingerprint(&bytes)
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn civil_dates() {
        let at = |s: u64| civil_date(std::time::UNIX_EPOCH + std::time::Duration::from_secs(s));
        assert_eq!(at(0).as_deref(), Some("1970-01-01"));
        assert_eq!(at(951_782_400).as_deref(), Some("2000-02-29"));
        assert_eq!(at(1_732_665_600).as_deref(), Some("2024-11-27"));
    }
}
