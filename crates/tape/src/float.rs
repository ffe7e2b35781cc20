//! The element types a tape can hold: `f32` and `f64`.

use std::fmt::{Debug, Display, LowerExp};
use std::iter::Sum;
use std::ops::{Add, AddAssign, Div, Mul, MulAssign, Neg, Sub, SubAssign};

mod sealed {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// A floating-point element type (`f32` or `f64`).
///
/// The trait is sealed: its methods mirror `f64`'s inherent methods, plus the GEMM entry
/// point of the matrix-multiply crate for that type.
pub trait Float:
    sealed::Sealed
    + Copy
    + Default
    + PartialEq
    + PartialOrd
    + Debug
    + Display
    + LowerExp
    + Send
    + Sync
    + 'static
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + Neg<Output = Self>
    + AddAssign
    + SubAssign
    + MulAssign
    + Sum
{
    /// 0.
    const ZERO: Self;
    /// 1.
    const ONE: Self;
    /// Machine epsilon.
    const EPSILON: Self;
    /// Positive infinity.
    const INFINITY: Self;
    /// Largest finite value.
    const MAX: Self;
    /// Not a number.
    const NAN: Self;
    /// `"f32"` or `"f64"`.
    const NAME: &'static str;

    /// Converts (rounding) from `f64`.
    fn from_f64(x: f64) -> Self;
    /// Converts exactly to `f64`.
    fn to_f64(self) -> f64;
    /// Converts from a count.
    fn from_usize(n: usize) -> Self {
        Self::from_f64(n as f64)
    }
    /// e^x.
    fn exp(self) -> Self;
    /// Natural logarithm.
    fn ln(self) -> Self;
    /// ln(1 + x), accurate near 0.
    fn ln_1p(self) -> Self;
    /// `e^x` for [`crate::lanes::LANES`] lanes at once: the values of the ops exp, ln,
    /// sigmoid and softplus, tensors and scalar nodes alike, as one f64×8 vector ([`crate::lanes`]; f32 rounded
    /// once). Within an ulp of libm ([`Float::exp`]), not always equal to it.
    #[doc(hidden)]
    fn exp_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES];
    /// `out[i·os] = β·out[i·os] + a[i·rs ..][..k]·x` for `i < rows` with the type's SIMD
    /// vectors (`crate::gemm`'s `dot_rows`); false (nothing written) when `x` is shorter
    /// than one vector.
    #[doc(hidden)]
    #[allow(clippy::too_many_arguments)]
    fn dot_rows(
        rows: usize,
        a: &[Self],
        rs: usize,
        x: &[Self],
        beta: Self,
        out: &mut [Self],
        os: usize,
    ) -> bool;
    /// `y += Σ_{p<k} alpha[p·s]·a[p·cs ..][..y.len()]` with the type's SIMD vectors, `y`
    /// held in registers (`crate::gemm`'s `sum_rows`); false (nothing written) when `y` is
    /// shorter than one vector or longer than four.
    #[doc(hidden)]
    fn sum_rows(k: usize, alpha: &[Self], s: usize, a: &[Self], cs: usize, y: &mut [Self]) -> bool;
    /// `ln x` for the lanes, as [`Float::exp_lanes`].
    #[doc(hidden)]
    fn ln_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES];
    /// `ln(1 + e^−|x|)` for the lanes (softplus), as [`Float::exp_lanes`].
    #[doc(hidden)]
    fn softplus_tail_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES];
    /// The logistic function σ(x) for the lanes, as [`Float::exp_lanes`]: 1/(1 + e^−x) for
    /// x ≥ 0, e^x/(1 + e^x) below, with one exponential of −|x|.
    #[doc(hidden)]
    fn sigmoid_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES];
    /// Square root.
    fn sqrt(self) -> Self;
    /// Sine.
    fn sin(self) -> Self;
    /// Cosine.
    fn cos(self) -> Self;
    /// Hyperbolic tangent.
    fn tanh(self) -> Self;
    /// The error function erf(x) = (2/√π)·∫₀ˣ e^(−t²) dt (the `libm` crate's `erf` and
    /// `erff`, within an ulp or so of the true value).
    fn erf(self) -> Self;
    /// The complementary error function erfc(x) = 1 − erf(x), accurate where erf(x) is
    /// near 1 (the `libm` crate's `erfc` and `erfcf`).
    fn erfc(self) -> Self;
    /// eˣ − 1, accurate near 0.
    fn exp_m1(self) -> Self;
    /// Hyperbolic sine.
    fn sinh(self) -> Self;
    /// Hyperbolic cosine.
    fn cosh(self) -> Self;
    /// Arctangent, in (−π/2, π/2).
    fn atan(self) -> Self;
    /// Arcsine, in [−π/2, π/2]; NaN outside [−1, 1].
    fn asin(self) -> Self;
    /// Arccosine, in [0, π]; NaN outside [−1, 1].
    fn acos(self) -> Self;
    /// The angle of the point (x, y) = (`other`, `self`), in [−π, π].
    fn atan2(self, other: Self) -> Self;
    /// x^p.
    fn powf(self, p: Self) -> Self;
    /// |x|.
    fn abs(self) -> Self;
    /// True for neither infinite nor NaN.
    fn is_finite(self) -> bool;
    /// True for NaN.
    fn is_nan(self) -> bool;

    /// This thread's scratch buffer of this type (reused by sums over separate runs of
    /// axes, so a training step's steady state does not allocate).
    #[doc(hidden)]
    fn scratch() -> &'static std::thread::LocalKey<std::cell::RefCell<Vec<Self>>>;

    /// `c = alpha·a·b + beta·c` for strided row/column layouts (general matrix multiply).
    #[allow(clippy::too_many_arguments)]
    #[doc(hidden)]
    fn gemm(
        m: usize,
        k: usize,
        n: usize,
        a: &[Self],
        a_strides: (isize, isize),
        b: &[Self],
        b_strides: (isize, isize),
        beta: Self,
        c: &mut [Self],
    );
}

macro_rules! impl_float {
    ($t:ident, $gemm:ident, $cblas:ident, $lanes:ident, $dots:ident, $sums:ident, $erf:path, $erfc:path) => {
        impl Float for $t {
            fn scratch() -> &'static std::thread::LocalKey<std::cell::RefCell<Vec<Self>>> {
                thread_local! {
                    static SCRATCH: std::cell::RefCell<Vec<$t>> = const { std::cell::RefCell::new(Vec::new()) };
                }
                &SCRATCH
            }
            const ZERO: Self = 0.0;
            const ONE: Self = 1.0;
            const EPSILON: Self = $t::EPSILON;
            const INFINITY: Self = $t::INFINITY;
            const MAX: Self = $t::MAX;
            const NAN: Self = $t::NAN;
            const NAME: &'static str = stringify!($t);
            #[inline]
            fn from_f64(x: f64) -> Self {
                x as $t
            }
            #[inline]
            fn to_f64(self) -> f64 {
                self as f64
            }
            #[inline]
            fn exp(self) -> Self {
                $t::exp(self)
            }
            #[inline]
            fn ln(self) -> Self {
                $t::ln(self)
            }
            #[inline]
            fn ln_1p(self) -> Self {
                $t::ln_1p(self)
            }
            #[inline]
            fn exp_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES] {
                $lanes!(exp, x)
            }
            #[inline]
            fn dot_rows(
                rows: usize,
                a: &[Self],
                rs: usize,
                x: &[Self],
                beta: Self,
                out: &mut [Self],
                os: usize,
            ) -> bool {
                crate::gemm::$dots(rows, a, rs, x, beta, out, os)
            }
            #[inline]
            fn sum_rows(k: usize, alpha: &[Self], s: usize, a: &[Self], cs: usize, y: &mut [Self]) -> bool {
                crate::gemm::$sums(k, alpha, s, a, cs, y)
            }
            #[inline]
            fn ln_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES] {
                $lanes!(ln, x)
            }
            #[inline]
            fn sigmoid_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES] {
                $lanes!(sigmoid, x)
            }
            #[inline]
            fn softplus_tail_lanes(x: [Self; crate::lanes::LANES]) -> [Self; crate::lanes::LANES] {
                $lanes!(softplus_tail, x)
            }
            #[inline]
            fn sqrt(self) -> Self {
                $t::sqrt(self)
            }
            #[inline]
            fn sin(self) -> Self {
                $t::sin(self)
            }
            #[inline]
            fn cos(self) -> Self {
                $t::cos(self)
            }
            #[inline]
            fn tanh(self) -> Self {
                $t::tanh(self)
            }
            #[inline]
            fn erf(self) -> Self {
                $erf(self)
            }
            #[inline]
            fn erfc(self) -> Self {
                $erfc(self)
            }
            #[inline]
            fn exp_m1(self) -> Self {
                $t::exp_m1(self)
            }
            #[inline]
            fn sinh(self) -> Self {
                $t::sinh(self)
            }
            #[inline]
            fn cosh(self) -> Self {
                $t::cosh(self)
            }
            #[inline]
            fn atan(self) -> Self {
                $t::atan(self)
            }
            #[inline]
            fn asin(self) -> Self {
                $t::asin(self)
            }
            #[inline]
            fn acos(self) -> Self {
                $t::acos(self)
            }
            #[inline]
            fn atan2(self, other: Self) -> Self {
                $t::atan2(self, other)
            }
            #[inline]
            fn powf(self, p: Self) -> Self {
                $t::powf(self, p)
            }
            #[inline]
            fn abs(self) -> Self {
                $t::abs(self)
            }
            #[inline]
            fn is_finite(self) -> bool {
                $t::is_finite(self)
            }
            #[inline]
            fn is_nan(self) -> bool {
                $t::is_nan(self)
            }
            fn gemm(
                m: usize,
                k: usize,
                n: usize,
                a: &[Self],
                a_strides: (isize, isize),
                b: &[Self],
                b_strides: (isize, isize),
                beta: Self,
                c: &mut [Self],
            ) {
                crate::gemm::check_extents(m, k, n, a.len(), a_strides, b.len(), b_strides, c.len());
                if m == 0 || n == 0 {
                    return;
                }
                if k == 0 {
                    // An empty sum is zero: C = β·C.
                    crate::gemm::scale(beta, &mut c[..m * n]);
                    return;
                }
                if crate::gemm::gemv(m, k, n, a, a_strides, b, b_strides, beta, c) {
                    return;
                }
                #[cfg(feature = "blas")]
                if let Some(p) =
                    crate::gemm::blas::plan(m, k, n, a_strides, b_strides).filter(|_| crate::blas::in_use())
                {
                    // SAFETY: `check_extents` asserted that every element the product reads
                    // (row i < m and column p < k of a at i·rs + p·cs, likewise for b) lies
                    // inside its slice, and `plan` maps those strides onto CBLAS's (trans,
                    // ld) form exactly, with dimensions that fit a C int; `c` is a unique
                    // `&mut` of at least m·n elements written row-major with ldc = n, and
                    // with β = 0 CBLAS does not read it. CBLAS reads only a and b.
                    unsafe {
                        cblas_sys::$cblas(
                            cblas_sys::CBLAS_LAYOUT::CblasRowMajor,
                            p.ta,
                            p.tb,
                            p.m,
                            p.n,
                            p.k,
                            1.0,
                            a.as_ptr(),
                            p.lda,
                            b.as_ptr(),
                            p.ldb,
                            beta,
                            c.as_mut_ptr(),
                            p.n,
                        );
                    }
                    return;
                }
                // SAFETY: `check_extents` asserted that every index the kernel can touch,
                // `i*rs + j*cs` for i < rows and j < cols with non-negative strides, lies
                // inside the slice it belongs to, and `c` is a unique `&mut` that cannot
                // alias `a` or `b` (which are shared borrows). `c` is row-major contiguous
                // with row stride `n`. The kernel reads only a and b and writes only c.
                unsafe {
                    matrixmultiply::$gemm(
                        m,
                        k,
                        n,
                        1.0,
                        a.as_ptr(),
                        a_strides.0,
                        a_strides.1,
                        b.as_ptr(),
                        b_strides.0,
                        b_strides.1,
                        beta,
                        c.as_mut_ptr(),
                        n as isize,
                        1,
                    );
                }
            }
        }
    };
}

/// f32's lanes: the vector functions of [`crate::lanes`].
macro_rules! vector_lanes {
    ($f:ident, $x:expr) => {
        crate::lanes::$f($x)
    };
}

/// f64's lanes: exp, ln and σ as one vector each ([`crate::lanes`]).
macro_rules! f64_lanes {
    (exp, $x:expr) => {
        crate::lanes::exp64($x)
    };
    (ln, $x:expr) => {
        crate::lanes::ln64($x)
    };
    (sigmoid, $x:expr) => {
        crate::lanes::sigmoid64($x)
    };
    // ln(1 + e) needs `ln_1p`: libm per lane (a vector version measured up to 3 ulps off).
    (softplus_tail, $x:expr) => {
        $x.map(|v: f64| (-v.abs()).exp().ln_1p())
    };
}

impl_float!(f32, sgemm, cblas_sgemm, vector_lanes, dot_rows_f32, sum_rows_f32, libm::erff, libm::erfcf);
impl_float!(f64, dgemm, cblas_dgemm, f64_lanes, dot_rows_f64, sum_rows_f64, libm::erf, libm::erfc);
