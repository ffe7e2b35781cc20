//! Large elementwise loops split across threads (with the `threading` feature).
//!
//! GEMM has `matrixmultiply`'s thread pool; the elementwise loops of big tensors (the
//! forward maps and their reverse rules) are split here into one contiguous part per
//! thread with `std::thread::scope`. Spawning costs tens of microseconds, so only loops of
//! at least [`MIN_PARALLEL`] elements are split; smaller ones, and every loop without the
//! feature, run on the calling thread. Each element is computed exactly as on one thread,
//! so results do not depend on the thread count.

/// Elements below which a loop stays on one thread (small under Miri, so its tests reach
/// the threaded split in reasonable time).
pub(crate) const MIN_PARALLEL: usize = if cfg!(miri) { 256 } else { 1 << 18 };

/// Threads for elementwise loops: `MATMUL_NUM_THREADS` (the variable that sets GEMM's
/// threads too), else the available parallelism; 1 without the `threading` feature.
pub(crate) fn threads() -> usize {
    #[cfg(feature = "threading")]
    {
        static N: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
        *N.get_or_init(|| {
            std::env::var("MATMUL_NUM_THREADS")
                .ok()
                .and_then(|v| v.parse().ok())
                .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
                .clamp(1, 64)
        })
    }
    #[cfg(not(feature = "threading"))]
    {
        1
    }
}

/// Calls `f(start, part)` on consecutive parts of `dst` that together cover it (`start`
/// is the part's first index in `dst`): on one thread for short slices or one thread,
/// else one part per thread, in parallel.
pub(crate) fn for_parts<T: Send>(dst: &mut [T], f: impl Fn(usize, &mut [T]) + Sync) {
    for_parts_on(threads(), dst, f)
}

/// [`for_parts`] on `n` threads.
fn for_parts_on<T: Send>(n: usize, dst: &mut [T], f: impl Fn(usize, &mut [T]) + Sync) {
    if n <= 1 || dst.len() < MIN_PARALLEL {
        f(0, dst);
        return;
    }
    // Parts of whole cache lines, so threads never write the same line.
    let part = dst.len().div_ceil(n).next_multiple_of(64);
    std::thread::scope(|s| {
        let mut parts = dst.chunks_mut(part).enumerate();
        let first = parts.next().map(|(_, p)| p);
        for (k, p) in parts {
            let f = &f;
            s.spawn(move || f(k * part, p));
        }
        if let Some(p) = first {
            f(0, p);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every element is visited once, at its own index, whatever the thread count (the
    /// split runs here even without the `threading` feature).
    #[test]
    fn parts_cover_the_slice_once() {
        for threads in [1, 2, 3, 7] {
            for len in [0, 1, 63, MIN_PARALLEL - 1, MIN_PARALLEL, MIN_PARALLEL + 65, 3 * MIN_PARALLEL + 1] {
                let mut v = vec![0u32; len];
                let calls = std::sync::atomic::AtomicUsize::new(0);
                for_parts_on(threads, &mut v, |start, p| {
                    calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    for (i, x) in p.iter_mut().enumerate() {
                        *x += (start + i) as u32 + 1;
                    }
                });
                assert!(v.iter().enumerate().all(|(i, &x)| x == i as u32 + 1), "len {len}");
                let parts = calls.into_inner();
                let want = if len >= MIN_PARALLEL { threads } else { 1 };
                assert!(parts <= want && (len < MIN_PARALLEL || threads == 1 || parts > 1), "{parts} parts");
            }
        }
    }
}
