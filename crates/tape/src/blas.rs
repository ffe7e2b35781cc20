//! Which library runs the large matrix products (feature `blas`).
//!
//! With the `blas` feature, products of at least 64³ multiply-adds go to the system's
//! CBLAS library. OpenBLAS picks its kernel for the CPU when the program is loaded; a
//! release older than the CPU does not know it and falls back to a kernel for CPUs of the
//! early 2000s (`Prescott`), four to eight times slower than its own AVX2 or AVX-512
//! kernel and than this crate's pure-Rust GEMM. Debian 12's OpenBLAS 0.3.21 does this on
//! Intel's Sapphire Rapids and Emerald Rapids Xeons. The engine then keeps every product
//! in Rust ([`in_use`] is `false`), and [`suggested_coretype`] names the kernel to ask
//! for instead, with `OPENBLAS_CORETYPE` set before the program starts.
//!
//! ```
//! if !wengert_tape::blas::in_use() {
//!     // e.g. OpenBLAS's Prescott kernel on an AVX-512 CPU: products stay in Rust.
//!     if let Some(core) = wengert_tape::blas::suggested_coretype() {
//!         eprintln!("run with OPENBLAS_CORETYPE={core} to use OpenBLAS");
//!     }
//! }
//! ```

use std::sync::OnceLock;

/// The CBLAS library the engine was linked with: `WENGERT_BLAS_LIB` at build time, by
/// default `"openblas"` (for example `"mkl_rt"` or `"libmkl_rt.so.3"` for Intel's oneMKL).
///
/// ```
/// assert!(!wengert_tape::blas::library().is_empty());
/// ```
pub fn library() -> &'static str {
    env!("WENGERT_BLAS_LINKED")
}

/// The kernel the linked OpenBLAS chose for this CPU (its `openblas_get_corename()`, for
/// example `"Haswell"` or `"SkylakeX"`), or `None` when the CBLAS library is another one
/// (`WENGERT_BLAS_LIB` at build time).
pub fn kernel() -> Option<&'static str> {
    static NAME: OnceLock<Option<&'static str>> = OnceLock::new();
    *NAME.get_or_init(corename)
}

#[cfg(wengert_openblas)]
fn corename() -> Option<&'static str> {
    extern "C" {
        fn openblas_get_corename() -> *const std::os::raw::c_char;
    }
    // SAFETY: OpenBLAS's `openblas_get_corename` takes no arguments and returns a pointer
    // to a NUL-terminated string that lives as long as the library (a static table entry
    // chosen when the library was loaded); it is checked for null before it is read.
    let p = unsafe { openblas_get_corename() };
    if p.is_null() {
        return None;
    }
    // SAFETY: as above, `p` points to a static NUL-terminated string.
    let name = unsafe { std::ffi::CStr::from_ptr(p) };
    name.to_str().ok()
}

#[cfg(not(wengert_openblas))]
fn corename() -> Option<&'static str> {
    None
}

/// Whether products go to the CBLAS library: `false` when it is OpenBLAS running a kernel
/// without fused multiply-adds on a CPU that has AVX2 and FMA (it did not recognise the
/// CPU), so every product takes the pure-Rust GEMM.
pub fn in_use() -> bool {
    #[cfg(test)]
    if FORCE.with(|f| f.get()) {
        return true;
    }
    static ON: OnceLock<bool> = OnceLock::new();
    *ON.get_or_init(|| !fallback(kernel(), cpu_has_fma()))
}

#[cfg(test)]
thread_local! {
    /// Unit tests of the CBLAS call set this to run it whatever the kernel (a fallback
    /// kernel is slow, not wrong), so that the call is tested on every machine.
    pub(crate) static FORCE: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// The `OPENBLAS_CORETYPE` that selects OpenBLAS's kernel for this CPU's vector unit when
/// OpenBLAS fell back to an older one ([`in_use`] is `false`): `"SkylakeX"` on a CPU with
/// AVX-512 (F, CD, BW, DQ, VL), `"Haswell"` on one with AVX2 and FMA; `None` otherwise.
pub fn suggested_coretype() -> Option<&'static str> {
    if in_use() {
        return None;
    }
    Some(if cpu_has_avx512() { "SkylakeX" } else { "Haswell" })
}

/// OpenBLAS kernels that use fused multiply-adds (AVX2 or AVX-512 ones among them).
const FMA_KERNELS: [&str; 8] =
    ["Haswell", "Zen", "SkylakeX", "Cooperlake", "SapphireRapids", "Excavator", "Steamroller", "Piledriver"];

/// Whether `kernel` is an OpenBLAS fallback on a CPU with FMA: a known non-FMA kernel name
/// where the CPU could run an FMA one.
fn fallback(kernel: Option<&str>, cpu_fma: bool) -> bool {
    match kernel {
        Some(k) => cpu_fma && !FMA_KERNELS.iter().any(|f| f.eq_ignore_ascii_case(k)),
        None => false,
    }
}

#[cfg(target_arch = "x86_64")]
fn cpu_has_fma() -> bool {
    std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma")
}

#[cfg(not(target_arch = "x86_64"))]
fn cpu_has_fma() -> bool {
    false
}

#[cfg(target_arch = "x86_64")]
fn cpu_has_avx512() -> bool {
    use std::arch::is_x86_feature_detected as has;
    has!("avx512f") && has!("avx512cd") && has!("avx512bw") && has!("avx512dq") && has!("avx512vl")
}

#[cfg(not(target_arch = "x86_64"))]
fn cpu_has_avx512() -> bool {
    false
}

#[cfg(test)]
mod tests {
    use super::*;

    /// OpenBLAS's fallback kernels are refused only on a CPU with FMA; its own FMA kernels
    /// and other libraries (no kernel name) are kept.
    #[test]
    fn fallback_kernels() {
        assert!(fallback(Some("Prescott"), true));
        assert!(fallback(Some("Nehalem"), true));
        assert!(fallback(Some("Sandybridge"), true));
        assert!(!fallback(Some("Prescott"), false));
        for k in FMA_KERNELS {
            assert!(!fallback(Some(k), true), "{k}");
        }
        assert!(!fallback(Some("skylakex"), true));
        assert!(!fallback(None, true));
    }

    /// The decision and the suggestion agree: a suggestion exactly when CBLAS is bypassed.
    #[test]
    #[cfg_attr(miri, ignore = "calls the foreign library")]
    fn suggestion_only_when_bypassed() {
        assert_eq!(suggested_coretype().is_some(), !in_use());
        if cfg!(wengert_openblas) {
            assert!(kernel().is_some(), "OpenBLAS names its kernel");
        }
    }
}
