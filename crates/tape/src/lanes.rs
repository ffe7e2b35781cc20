//! Exponentials eight at a time, as one f64×8 SIMD vector (one AVX-512 register, or two
//! AVX2 ones): the values of the ops `exp`, `ln`, `sigmoid` and `softplus` for tensors and
//! scalar nodes alike (through [`crate::float::Float::exp_lanes`] and its siblings;
//! ARCHITECTURE.md, "Exponentials eight at a time").
//!
//! * f32 is evaluated in f64 and rounded once, so each result is within an f32 ulp of the
//!   exact value (in practice the correctly rounded one; `lanes_stay_within_an_f32_ulp`
//!   checks a sweep against libm in f64, and `f32_exp_lanes_round_like_libm` that `exp`
//!   and σ round exactly as libm's f64 results do). Its exponential is [`exp_core_f32`],
//!   a shorter polynomial than f64's, accurate to about 2⁻⁴² rather than to the f64 ulp.
//!   Inputs are clamped into the range where the vector exp needs no special cases
//!   (−700 ≤ x ≤ 89: below, e^x < 1e-304 rounds to 0 in f32; above, e^x > f32::MAX
//!   rounds to infinity), and NaN lanes are passed through.
//! * f64: [`exp64`] (our [`exp_core`]) and [`ln64`] (`wide`'s `f64x8::ln`, 1.7; the older
//!   0.7 returns NaN for `ln` of small arguments) are within an f64 ulp of glibc and equal
//!   to it on about 99% of random inputs in their domains
//!   (`f64_lanes_stay_within_an_ulp_of_libm`); lanes
//!   outside their domain take libm's scalar function.
//!
//! The lane functions are `#[inline(always)]`: each one is the body of a loop over a
//! tensor, and a call per eight elements (with the lanes passed through memory) made W3's
//! epochs 1.8 times slower when seven more unary ops grew `unary::map` enough for the
//! inliner to stop taking them (10 -> 18.5 ms per 1000 epochs in f64 on AMD Zen 3).

use wide::bytemuck::cast;
use wide::{f64x8, i64x8};

/// Lanes per call of a lane function: eight, one AVX-512 vector of f64 (two AVX2 vectors
/// on CPUs without AVX-512, where `wide` splits it), so an f32 lane function evaluates
/// eight f32 values as one f64 vector.
pub(crate) const LANES: usize = 8;

/// Every lane set in a [`f64x8::to_bitmask`].
const ALL: u32 = (1 << LANES) - 1;

#[inline(always)]
fn widen(x: [f32; LANES]) -> f64x8 {
    f64x8::from(x.map(f64::from))
}

/// `y`'s lanes where the lane mask `ok` holds, `other(x)` in the rest: a vector routine's
/// results for the inputs in its domain, the scalar rule for the others. The common case,
/// every lane in the domain, is one mask test.
#[inline(always)]
fn lanes_or<X: Copy, Y: Copy>(x: [X; LANES], ok: f64x8, y: [Y; LANES], other: impl Fn(X) -> Y) -> [Y; LANES] {
    let m = ok.to_bitmask();
    if m == ALL {
        return y;
    }
    std::array::from_fn(|j| if m >> j & 1 == 1 { y[j] } else { other(x[j]) })
}

/// f64 results rounded to f32, with `x`'s NaN lanes passed through (the vector routines
/// clamp or select them away).
#[inline(always)]
fn narrow_keeping_nan(x: [f32; LANES], w: f64x8, y: f64x8) -> [f32; LANES] {
    lanes_or(x, w.simd_eq(w), y.to_array().map(|v| v as f32), |v| v)
}

/// e^v for |v| ≤ [`EXP64_VECTOR`] (the result normal and finite; other lanes give
/// meaningless values, which callers replace). `wide`'s own `f64x8::exp` is within an
/// ulp but differs from the correctly rounded result in about 11% of inputs (e^1 among
/// them); this one keeps the two rounding errors that matter, so it differs from glibc's
/// `exp` in about 1.3% (by one ulp), and it is faster (no special cases).
///
/// v = n·ln 2 + r with n = round(v/ln 2), |r| ≤ ln 2/2: r = (v − n·LN2_HI) + (−n·LN2_LO),
/// the first difference exact (LN2_HI has 11 significant bits, |n| < 2¹⁰), the sum's
/// rounding error `c` kept by TwoSum. e^r = 1 + r + r²·q(r), q the Taylor series of
/// (e^r − 1 − r)/r² to the r¹¹ term (truncation below 0.05 ulp), with the rounding error of
/// 1 + r kept by Fast2Sum; e^(r + c) ≈ e^r·(1 + c). Then scaled by 2ⁿ built from its bits.
#[inline(always)]
fn exp_core(v: f64x8) -> f64x8 {
    let n = (v * f64x8::LOG2_E).round_ties_even();
    let rh = n.mul_neg_add(f64x8::splat(LN2_HI), v);
    let rl = n * f64x8::splat(-LN2_LO);
    let r = rh + rl;
    let b = r - rh;
    let c = (rh - (r - b)) + (rl - b);
    let p = (r * r) * taylor_tail::<12>(r);
    let s = f64x8::ONE + r;
    let e = (f64x8::ONE - s) + r;
    times_two_to(s + (e + c.mul_add(s, p)), n)
}

/// ln 2 in two parts: `LN2_HI` has 11 significant bits (so n·LN2_HI is exact for |n| < 2¹⁰),
/// `LN2_LO` is ln 2 − LN2_HI, rounded.
const LN2_HI: f64 = 0.693_145_751_953_125;
const LN2_LO: f64 = 1.428_606_820_309_417_3e-6;

/// 1/2!, 1/3!, ..., 1/13!
const INV_FACTORIALS: [f64; 12] = [
    1.0 / 2.0,
    1.0 / 6.0,
    1.0 / 24.0,
    1.0 / 120.0,
    1.0 / 720.0,
    1.0 / 5040.0,
    1.0 / 40320.0,
    1.0 / 362880.0,
    1.0 / 3628800.0,
    1.0 / 39916800.0,
    1.0 / 479001600.0,
    1.0 / 6227020800.0,
];

/// (e^r − 1 − r)/r² by its Taylor series to the term in r^(TERMS − 1) (the first `TERMS` of
/// [`INV_FACTORIALS`]), in Horner's form.
#[inline(always)]
fn taylor_tail<const TERMS: usize>(r: f64x8) -> f64x8 {
    let mut q = f64x8::splat(INV_FACTORIALS[TERMS - 1]);
    for &k in INV_FACTORIALS[..TERMS - 1].iter().rev() {
        q = q.mul_add(r, f64x8::splat(k));
    }
    q
}

/// y·2ⁿ for integral n with n + 1023 in the exponent range: 2ⁿ built from its bits (n +
/// 1023 + 2⁵² puts n + 1023 in the low mantissa bits, shifted into the exponent field).
#[inline(always)]
fn times_two_to(y: f64x8, n: f64x8) -> f64x8 {
    let two_n: i64x8 = cast::<f64x8, i64x8>(n + f64x8::splat(1023.0 + 4_503_599_627_370_496.0)) << 52;
    y * cast::<i64x8, f64x8>(two_n)
}

/// e^v for the f32 lane functions, |v| ≤ 708 as for [`exp_core`]: the same reduction
/// v = n·ln 2 + r, but no compensated sums and a Taylor polynomial to the r¹⁰ term, whose
/// truncation error (below 2⁻⁴²) and rounding errors (a few f64 ulps) are far below half
/// an f32 ulp, so the result rounded to f32 is the same as [`exp_core`]'s except within
/// about 2⁻⁴⁰ of a rounding boundary.
#[inline(always)]
fn exp_core_f32(v: f64x8) -> f64x8 {
    let n = (v * f64x8::LOG2_E).round_ties_even();
    let r = n.mul_neg_add(f64x8::splat(LN2_LO), n.mul_neg_add(f64x8::splat(LN2_HI), v));
    times_two_to((r * r).mul_add(taylor_tail::<9>(r), r) + f64x8::ONE, n)
}

/// `e^x` per lane; NaN passes through.
#[inline(always)]
pub(crate) fn exp(x: [f32; LANES]) -> [f32; LANES] {
    let w = widen(x);
    narrow_keeping_nan(x, w, exp_core_f32(w.max(f64x8::splat(-700.0)).min(f64x8::splat(89.0))))
}

/// `ln x` per lane. Zero, negative, infinite and NaN lanes take the scalar `ln`, so the
/// vector one only sees positive normal f64 values (every f32 subnormal is one).
#[inline(always)]
pub(crate) fn ln(x: [f32; LANES]) -> [f32; LANES] {
    let w = widen(x);
    let ok = w.simd_gt(f64x8::ZERO) & w.simd_lt(f64x8::splat(f64::INFINITY));
    lanes_or(x, ok, w.ln().to_array().map(|v| v as f32), f32::ln)
}

/// σ(x) per lane, evaluated in f64 and rounded once; NaN passes through.
#[inline(always)]
pub(crate) fn sigmoid(x: [f32; LANES]) -> [f32; LANES] {
    let w = widen(x);
    let e = exp_core_f32((-w.abs()).max(f64x8::splat(-700.0)));
    narrow_keeping_nan(x, w, w.simd_ge(f64x8::ZERO).select(f64x8::ONE, e) / (f64x8::ONE + e))
}

/// Below this, f32's `ln(1 + e)` (e ≥ 0, computed in f64) is `e` itself: equal to within
/// e/2, far below f32's precision. Above it, rounding `1 + e` in f64 costs at most
/// 2⁻⁵³/1e-8 ≈ 1e-8 relative, under half an f32 ulp. Used by [`softplus_tail`] (scalar
/// f32 nodes take the same lanes).
pub(crate) const LN_1P_DIRECT: f64 = 1e-8;

/// Softplus's `ln(1 + e^−|x|)` per lane, by the rule of [`LN_1P_DIRECT`]. NaN passes
/// through.
#[inline(always)]
pub(crate) fn softplus_tail(x: [f32; LANES]) -> [f32; LANES] {
    let w = widen(x);
    let e = exp_core_f32((-w.abs()).max(f64x8::splat(-700.0)));
    let l = (e + f64x8::ONE).ln();
    narrow_keeping_nan(x, w, e.simd_lt(f64x8::splat(LN_1P_DIRECT)).select(e, l))
}

/// f64 `e^x` per lane as one vector ([`exp_core`]). Lanes outside [−708, 708] (where the
/// result is subnormal, or overflows, or the input is not finite) take the scalar `exp`.
#[inline(always)]
pub(crate) fn exp64(x: [f64; LANES]) -> [f64; LANES] {
    let v = f64x8::from(x);
    // Ordered comparisons: false for NaN.
    lanes_or(x, v.abs().simd_le(f64x8::splat(EXP64_VECTOR)), exp_core(v).to_array(), f64::exp)
}

/// f64 `ln x` per lane as one vector. Lanes that are not positive, normal and finite take
/// the scalar `ln`.
#[inline(always)]
pub(crate) fn ln64(x: [f64; LANES]) -> [f64; LANES] {
    let v = f64x8::from(x);
    let ok = v.simd_ge(f64x8::splat(f64::MIN_POSITIVE)) & v.simd_lt(f64x8::splat(f64::INFINITY));
    lanes_or(x, ok, v.ln().to_array(), f64::ln)
}

/// f64 σ(x) per lane: one [`exp64`] of −|x| and one vector division.
#[inline(always)]
pub(crate) fn sigmoid64(x: [f64; LANES]) -> [f64; LANES] {
    let v = f64x8::from(x);
    let e = f64x8::from(exp64((-v.abs()).to_array()));
    (v.simd_ge(f64x8::ZERO).select(f64x8::ONE, e) / (f64x8::ONE + e)).to_array()
}

/// The vector `exp` serves |x| ≤ this (its result normal and finite).
const EXP64_VECTOR: f64 = 708.0;

#[cfg(test)]
mod tests {
    use super::*;

    /// `$name(a, b)`: the distance in ulps of the float type `$f` (both finite or both the
    /// same non-finite value), through its bits as the signed integer `$i`.
    macro_rules! ulps {
        ($name:ident, $f:ty, $i:ty, $u:ty) => {
            fn $name(a: $f, b: $f) -> $u {
                if a == b || (a.is_nan() && b.is_nan()) {
                    return 0;
                }
                assert!(a.is_finite() && b.is_finite(), "{a} vs {b}");
                let key = |v: $f| {
                    let i = v.to_bits() as $i;
                    if i < 0 {
                        <$i>::MIN - i
                    } else {
                        i
                    }
                };
                key(a).abs_diff(key(b))
            }
        };
    }
    ulps!(ulps, f32, i32, u32);
    ulps!(ulps64, f64, i64, u64);

    /// A sweep of inputs: dense in [−110, 100] (through f32's subnormal and overflow
    /// edges of e^x), near zero, and the special values.
    fn inputs() -> Vec<f32> {
        let mut xs: Vec<f32> = (0..=210_000).map(|i| -110.0 + i as f32 * 1e-3).collect();
        xs.extend((0..2000).map(|i| (i as f32 - 1000.0) * 1e-9));
        xs.extend([0.0, -0.0, f32::INFINITY, f32::NEG_INFINITY, f32::NAN, f32::MAX, f32::MIN, 1e-40, -1e-40]);
        // Positive inputs spread over every binade, subnormals included (for ln).
        xs.extend((0..200_000u32).map(|i| f32::from_bits(i.wrapping_mul(10_651) % 0x7f80_0000)));
        xs
    }

    fn check(name: &str, lanes: fn([f32; LANES]) -> [f32; LANES], exact: fn(f64) -> f64, max_ulps: u32) {
        let xs = inputs();
        let mut worst = (0, 0.0f32);
        for c in xs.chunks(LANES) {
            let mut q = [0.0f32; LANES];
            q[..c.len()].copy_from_slice(c);
            let got = lanes(q);
            for (j, &x) in c.iter().enumerate() {
                let want = exact(f64::from(x)) as f32;
                let d = ulps(got[j], want);
                if d > worst.0 {
                    worst = (d, x);
                }
            }
        }
        assert!(worst.0 <= max_ulps, "{name}: {} ulps at x = {:e}", worst.0, worst.1);
    }

    #[test]
    #[cfg_attr(miri, ignore = "minutes under Miri; the lanes hold no unsafe code of their own")]
    fn lanes_stay_within_an_f32_ulp() {
        check("exp", exp, f64::exp, 1);
        check("ln", ln, f64::ln, 1);
        check("softplus tail", softplus_tail, |x| (-x.abs()).exp().ln_1p(), 1);
        check("sigmoid", sigmoid, sigmoid_libm, 1);
    }

    /// The f32 exponential and σ lanes, evaluated with the short polynomial of
    /// [`exp_core_f32`], round to the same f32 as libm's f64 result on a sweep of half a
    /// million f32 inputs spread over every binade (4.3 million with a finer stride, tried
    /// once: no difference either).
    #[test]
    #[cfg_attr(miri, ignore = "hours under Miri; the lanes hold no unsafe code of their own")]
    fn f32_exp_lanes_round_like_libm() {
        let (mut n, mut differ) = (0, Vec::new());
        let mut bits = 0u32;
        while bits < 0xff80_0000 {
            let q: [f32; LANES] = std::array::from_fn(|l| f32::from_bits(bits + l as u32 * 7));
            bits += 8_191 * LANES as u32;
            if q.iter().any(|v| !v.is_finite()) {
                continue;
            }
            let (e, s) = (exp(q), sigmoid(q));
            for l in 0..LANES {
                let x = q[l] as f64;
                n += 1;
                if e[l] != x.exp() as f32 || s[l] != sigmoid_libm(x) as f32 {
                    differ.push(q[l]);
                }
            }
        }
        assert!(n > 400_000, "{n} inputs");
        assert!(
            differ.is_empty(),
            "{} of {n} differ, e.g. {:?}",
            differ.len(),
            &differ[..differ.len().min(5)]
        );
    }

    /// σ(x) with libm's exp: 1/(1 + e^−x) for x ≥ 0, e^x/(1 + e^x) below.
    fn sigmoid_libm(x: f64) -> f64 {
        let e = (-x.abs()).exp();
        if x >= 0.0 {
            1.0 / (1.0 + e)
        } else {
            e / (1.0 + e)
        }
    }

    /// f64 inputs: dense over exp's whole range and past both ends (subnormal results,
    /// overflow), near zero, every binade of the positive numbers (subnormals included,
    /// for ln), and the special values.
    fn inputs64() -> Vec<f64> {
        let mut xs: Vec<f64> = (0..=160_000).map(|i| -760.0 + i as f64 * 0.0095).collect();
        xs.extend((0..4000).map(|i| (i as f64 - 2000.0) * 1e-12));
        xs.extend((0..2000).map(|i| 708.0 + (i as f64 - 1000.0) * 1e-6));
        xs.extend((0..2000).map(|i| -708.0 + (i as f64 - 1000.0) * 1e-6));
        xs.extend([0.0, -0.0, f64::INFINITY, f64::NEG_INFINITY, f64::NAN, f64::MAX, f64::MIN]);
        xs.extend([f64::MIN_POSITIVE, -f64::MIN_POSITIVE, 5e-324, 709.78, 709.79, -745.1, -745.2]);
        xs.extend(
            (0..200_000u64)
                .map(|i| f64::from_bits(i.wrapping_mul(46_116_860_184_273) % 0x7ff0_0000_0000_0000)),
        );
        xs
    }

    fn check64(name: &str, lanes: fn([f64; LANES]) -> [f64; LANES], libm: fn(f64) -> f64) {
        let xs = inputs64();
        let (mut worst, mut differ) = ((0, 0.0f64), 0usize);
        // Offsets 0..LANES put every input in every lane.
        for shift in 0..LANES {
            for c in xs[shift..].chunks(4) {
                let mut q = [1.0f64; LANES];
                q[..c.len()].copy_from_slice(c);
                let got = lanes(q);
                for (j, &x) in c.iter().enumerate() {
                    let d = ulps64(got[j], libm(x));
                    differ += (d > 0) as usize;
                    if d > worst.0 {
                        worst = (d, x);
                    }
                }
            }
        }
        assert!(worst.0 <= 1, "{name}: {} ulps from libm at x = {:e}", worst.0, worst.1);
        // Not libm's function (the sweep must see it differ somewhere), but nearly always
        // its result: measured 0.5% of these inputs for both.
        let share = differ as f64 / (LANES * xs.len()) as f64;
        assert!(differ > 0 && share < 0.01, "{name}: differs from libm in {:.2}% of inputs", share * 100.0);
    }

    #[test]
    #[cfg_attr(miri, ignore = "minutes under Miri; the lanes hold no unsafe code of their own")]
    fn f64_lanes_stay_within_an_ulp_of_libm() {
        check64("exp", exp64, f64::exp);
        check64("ln", ln64, f64::ln);
        // σ: the same formula with libm's exp; the division's rounding is shared, so the
        // difference is the exponential's (at most an ulp) carried through 1/(1 + e).
        for c in inputs64().chunks(LANES) {
            let mut q = [1.0f64; LANES];
            q[..c.len()].copy_from_slice(c);
            let got = sigmoid64(q);
            for (j, &x) in c.iter().enumerate() {
                let d = ulps64(got[j], sigmoid_libm(x));
                assert!(d <= 2, "sigmoid: {d} ulps from libm's formula at x = {x:e}");
            }
        }
        let e = exp64(pad64([1.0, -1.0, 0.0, 2.0]));
        assert_eq!(e[..4], [std::f64::consts::E, 1.0 / std::f64::consts::E, 1.0, 2f64.exp()]);
    }

    /// Four values in the first lanes, the rest ones.
    fn pad(x: [f32; 4]) -> [f32; LANES] {
        std::array::from_fn(|j| if j < 4 { x[j] } else { 1.0 })
    }

    fn pad64(x: [f64; 4]) -> [f64; LANES] {
        std::array::from_fn(|j| if j < 4 { x[j] } else { 1.0 })
    }

    #[test]
    fn lanes_pass_special_values_through() {
        let e = exp(pad([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 100.0]));
        assert!(e[0].is_nan());
        assert_eq!(&e[1..4], &[f32::INFINITY, 0.0, f32::INFINITY]);
        let l = ln(pad([f32::NAN, f32::INFINITY, 0.0, -1.0]));
        assert!(l[0].is_nan() && l[3].is_nan());
        assert_eq!(&l[1..3], &[f32::INFINITY, f32::NEG_INFINITY]);
        let s = sigmoid(pad([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0]));
        assert!(s[0].is_nan());
        assert_eq!(&s[1..4], &[1.0, 0.0, 0.5]);
        let s = sigmoid64(pad64([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 0.0]));
        assert!(s[0].is_nan());
        assert_eq!(&s[1..4], &[1.0, 0.0, 0.5]);
        let t = softplus_tail(pad([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0]));
        assert!(t[0].is_nan());
        assert_eq!(&t[1..4], &[0.0, 0.0, std::f32::consts::LN_2]);
    }
}
