//! Asking the processor for memory before it is read. The engines read rows and slots scattered
//! over tables of megabytes (the neural model's embeddings, the linear engine's slot weights),
//! one profile's ids at a time; fetched one by one, the core waits on memory most of the time.
//! Asking a few ids ahead lets those reads overlap. A hint changes no value.

/// Hints the processor to bring the cache line holding `values[i]` into its caches; does
/// nothing past the end, or where there is no such hint.
#[inline(always)]
pub fn prefetch<T>(values: &[T], i: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(v) = values.get(i) {
        use std::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
        let p = (v as *const T).cast::<i8>();
        // SAFETY: a prefetch is a hint; it reads nothing the program sees and cannot fault,
        // and SSE, which it needs, is part of every x86_64 processor.
        unsafe { _mm_prefetch::<_MM_HINT_T0>(p) };
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (values, i);
}

/// [`prefetch`] for every cache line of `values[start..start + len]` (a row may start anywhere
/// in a line, so one of `len` values can span a line more than its size suggests).
#[inline(always)]
pub fn prefetch_range<T>(values: &[T], start: usize, len: usize) {
    let per_line = (64 / std::mem::size_of::<T>().max(1)).max(1);
    for i in (start..start + len).step_by(per_line) {
        prefetch(values, i);
    }
    if len > 0 {
        prefetch(values, start + len - 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hints_past_the_end_or_over_nothing_are_no_ops() {
        let v = vec![1.0f32; 40];
        for (start, len) in [
            (0, 0),
            (0, 40),
            (8, 32),
            (39, 1),
            (40, 0),
            (38, 10),
            (1000, 32),
        ] {
            prefetch_range(&v, start, len);
        }
        prefetch_range::<()>(&[(); 3], 0, 3);
        assert_eq!(v, vec![1.0f32; 40], "a hint changes no value");
    }
}
