//! Which coefficients an engine uses: the one place that decides between explicit, stored and
//! default parameters ([`HybridParams::choose`]).

use std::path::Path;

use super::{HybridError, HybridParams, HYBRID_FILE};

impl HybridParams {
    /// The coefficients an engine uses, first found of:
    ///
    /// 1. `explicit` ones: a file named on the command line (`linkscreen eval
    ///    --hybrid-params FILE`) or fitted there on a labelled file (`--fit-hybrid FILE`);
    /// 2. those `stored` in the model's artifact (fitted on its validation split by
    ///    `linkscreen train`, listed and verified in its manifest);
    /// 3. the defaults, [`HybridParams::DEFAULT`], unless the model directory `dir` holds a
    ///    `hybrid.json` that its manifest does not list: that is refused, never read.
    pub fn choose(
        explicit: Option<HybridParams>,
        stored: Option<HybridParams>,
        dir: Option<&Path>,
    ) -> Result<HybridParams, HybridError> {
        match explicit.or(stored) {
            Some(p) => Ok(p),
            None => HybridParams::for_model_dir(dir),
        }
    }

    /// The parameters of a model directory whose manifest lists no `hybrid.json`: the
    /// defaults. A `hybrid.json` there is not covered by the manifest, so it is refused, never
    /// read unverified (loading the model refuses it too); parameters from elsewhere are given
    /// explicitly (`linkscreen eval --hybrid-params FILE`).
    pub fn for_model_dir(dir: Option<&Path>) -> Result<HybridParams, HybridError> {
        match dir.map(|d| d.join(HYBRID_FILE)) {
            Some(path) if path.symlink_metadata().is_ok() => Err(HybridError::Invalid {
                path: path.display().to_string(),
                reason: "not listed in the model's manifest.json: refused".into(),
            }),
            _ => Ok(HybridParams::DEFAULT),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(a: f32) -> HybridParams {
        HybridParams {
            a,
            ..HybridParams::DEFAULT
        }
    }

    #[test]
    fn explicit_parameters_come_before_stored_ones_and_stored_before_the_defaults() {
        let (explicit, stored) = (params(2.0), params(3.0));
        let choose = |e: &Option<HybridParams>, s: &Option<HybridParams>| {
            HybridParams::choose(e.clone(), s.clone(), None).unwrap()
        };
        assert_eq!(
            choose(&Some(explicit.clone()), &Some(stored.clone())),
            explicit
        );
        assert_eq!(choose(&None, &Some(stored.clone())), stored);
        assert_eq!(choose(&None, &None), HybridParams::DEFAULT);
        // An unlisted file beside the model refuses the defaults, not explicit parameters.
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(HYBRID_FILE), explicit.to_json()).unwrap();
        assert!(HybridParams::choose(None, None, Some(dir.path())).is_err());
        assert_eq!(
            HybridParams::choose(Some(stored.clone()), None, Some(dir.path())).unwrap(),
            stored
        );
    }
}
