//! What a training run reports while it runs. The library prints nothing itself: it tells a
//! [`Progress`], which the command line draws (`src/cli/train.rs`: each note as a log line on
//! standard error, each epoch's optimizer steps as a progress bar).

/// A receiver of a training run's progress.
pub trait Progress {
    /// One line of the run's log, such as `tokenizer: 8000 entries`.
    fn note(&self, line: &str);

    /// An epoch of `stage` begins: `steps` optimizer steps follow, each reported by
    /// [`Progress::step`], then [`Progress::epoch_done`].
    fn epoch(&self, stage: &str, steps: usize) {
        let _ = (stage, steps);
    }

    /// One optimizer step of the epoch is done.
    fn step(&self) {}

    /// The epoch's steps are done (its figures follow as a note).
    fn epoch_done(&self) {}
}

/// Reports nothing (benchmarks, and callers that draw no progress).
#[derive(Debug, Clone, Copy, Default)]
pub struct Silent;

impl Progress for Silent {
    fn note(&self, _: &str) {}
}
