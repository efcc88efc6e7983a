//! Evaluation: metrics over scored, labelled profiles.

pub mod metrics;
