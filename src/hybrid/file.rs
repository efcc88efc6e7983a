//! The `hybrid.json` format: a versioned JSON object of the coefficients, read and checked
//! (finite coefficients, a known version) and written.

use std::path::Path;

use super::{HybridError, HybridParams};

/// Version of the `hybrid.json` layout.
pub const HYBRID_FORMAT_VERSION: u32 = 1;

/// The name of the parameter file stored alongside a model.
pub const HYBRID_FILE: &str = "hybrid.json";

impl HybridParams {
    /// Reads parameters from a JSON file.
    pub fn load(path: &Path) -> Result<HybridParams, HybridError> {
        let p = path.display().to_string();
        let bytes = std::fs::read(path).map_err(|source| HybridError::Io {
            path: p.clone(),
            source,
        })?;
        HybridParams::from_json(&bytes, &p)
    }

    /// Parses and checks parameters from the bytes of a JSON file; `name` names it in errors.
    pub fn from_json(bytes: &[u8], name: &str) -> Result<HybridParams, HybridError> {
        let p = name.to_owned();
        let params: HybridParams =
            serde_json::from_slice(bytes).map_err(|e| HybridError::Invalid {
                path: p.clone(),
                reason: format!(
                    "not a hybrid parameter file (line {}, column {})",
                    e.line(),
                    e.column()
                ),
            })?;
        if params.format_version != HYBRID_FORMAT_VERSION {
            return Err(HybridError::Invalid {
                path: p,
                reason: format!(
                    "format_version {} is not supported (expected {HYBRID_FORMAT_VERSION})",
                    params.format_version
                ),
            });
        }
        if ![params.a, params.b, params.c].iter().all(|v| v.is_finite()) {
            return Err(HybridError::Invalid {
                path: p,
                reason: "coefficients must be finite".into(),
            });
        }
        Ok(params)
    }

    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).expect("hybrid parameters always serialise")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parameter_files_round_trip_and_are_checked() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(HYBRID_FILE);
        let f = HybridParams::fit(
            &[0.9, 0.7, 0.4, 0.2, 0.6],
            &[1.0, 0.0, 0.5, 0.0, 0.0],
            &[true, true, false, false, false],
        )
        .unwrap();
        std::fs::write(&path, f.to_json()).unwrap();
        assert_eq!(HybridParams::load(&path).unwrap(), f);
        // Beside a model, a file its manifest does not list is refused, never read.
        assert!(matches!(
            HybridParams::for_model_dir(Some(dir.path())),
            Err(HybridError::Invalid { .. })
        ));
        assert_eq!(
            HybridParams::for_model_dir(None).unwrap(),
            HybridParams::DEFAULT
        );
        std::fs::write(&path, r#"{"format_version":9,"a":1,"b":1,"c":0}"#).unwrap();
        assert!(matches!(
            HybridParams::load(&path),
            Err(HybridError::Invalid { .. })
        ));
        std::fs::write(&path, "not json").unwrap();
        assert!(HybridParams::load(&path).is_err());
    }
}
