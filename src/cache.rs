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
