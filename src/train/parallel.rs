//! Independent fits run side by side: the leave-one-author-out folds are whole trainings that
//! share nothing but their read-only inputs, so they run on as many threads as the machine
//! has cores (at most one per fold). Each fit is seeded on its own, so the results are the
//! same bytes whatever the number of threads; they come back in fold order.

use std::sync::atomic::{AtomicUsize, Ordering};

use super::TrainError;

/// `f(0..n)` on up to `available_parallelism` threads, results in index order. The first
/// error (in index order) is returned; a panicking fit becomes an error, not a crash.
pub fn map<T: Send>(
    n: usize,
    f: impl Fn(usize) -> Result<T, TrainError> + Sync,
) -> Result<Vec<T>, TrainError> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |c| c.get())
        .clamp(1, n.max(1));
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, Result<T, TrainError>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let k = next.fetch_add(1, Ordering::Relaxed);
                        if k >= n {
                            return out;
                        }
                        out.push((k, f(k)));
                    }
                })
            })
            .collect();
        let mut all = Vec::with_capacity(n);
        for h in handles {
            match h.join() {
                Ok(part) => all.extend(part),
                Err(_) => all.push((0, Err(TrainError::Data("a fold's fit panicked".into())))),
            }
        }
        all
    });
    done.sort_by_key(|(k, _)| *k);
    done.into_iter().map(|(_, r)| r).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_back_in_index_order_and_errors_are_kept() {
        let v = map(9, |k| Ok(k * k)).unwrap();
        assert_eq!(v, (0..9).map(|k| k * k).collect::<Vec<_>>());
        let e = map(5, |k| {
            if k == 3 {
                Err(TrainError::Data("fold 3".into()))
            } else {
                Ok(k)
            }
        });
        assert!(matches!(e, Err(TrainError::Data(m)) if m == "fold 3"));
        assert!(map(0, Ok).unwrap().is_empty());
    }
}
