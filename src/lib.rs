//! linkscreen: an offline classifier of fake professional-network profiles.
//!
//! See `ARCHITECTURE.md` for the bird's-eye view. The library holds everything but argument
//! parsing and printing, which live in the `linkscreen` binary.

pub mod artifact;
pub mod cache;
pub mod datasets;
pub mod ensemble;
pub mod eval;
pub mod evidence;
pub mod features;
pub mod fnv;
pub mod hybrid;
pub mod linear;
pub mod linkedin;
pub mod meta;
pub mod metrics;
pub mod model;
pub mod names;
pub mod normalize;
pub mod platt;
pub mod profile;
pub mod rules;
pub mod score;
pub mod synth;
#[cfg(test)]
pub(crate) mod testing;
pub mod train;
