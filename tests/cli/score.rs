//! Tests of check, score, explain and rules.
