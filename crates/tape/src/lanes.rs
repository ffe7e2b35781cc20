//! f32 exponentials four at a time, evaluated as one f64×4 vector with the `wide` crate's
//! `f64x4::exp` and `f64x4::ln` and rounded to f32 once, so each result is within an f32
//! ulp of the exact value (in practice the correctly rounded one;
//! `lanes_stay_within_an_f32_ulp` checks a sweep against libm in f64). Measured against
//! libm in f64 (`wide` 1.7): `exp` within 1 f64 ulp on [−708, 708], `ln` within 1 f64
//! ulp on [1e-300, 1e300], each differing from libm in 8–11% of inputs. (The older
//! `wide` 0.7 returns NaN for `ln` of small arguments, 1e-40 among them: the sweep
//! fails with it.) They replace glibc's `expf` and `log` one element at a
//! time in the tensor paths of exp, ln, sigmoid and softplus (three quarters of W3's
//! transcendental time). f64 keeps calling libm per element: its lanes are the scalar
//! functions (see [`crate::float::Float::exp_lanes`]).
//!
//! Inputs are clamped into the range where the vector exp is exact to f64 precision
//! (−700 ≤ x ≤ 89: below, e^x < 1e-304 rounds to 0 in f32; above, e^x > f32::MAX rounds
//! to infinity), and NaN lanes are passed through, so edge values need no vector
//! special cases.

use wide::f64x4;

#[inline(always)]
fn widen(x: [f32; 4]) -> f64x4 {
    f64x4::from(x.map(f64::from))
}

/// `e^x` per lane; NaN passes through.
#[inline]
pub(crate) fn exp(x: [f32; 4]) -> [f32; 4] {
    let v = widen(x).max(f64x4::splat(-700.0)).min(f64x4::splat(89.0));
    let e = v.exp().to_array();
    std::array::from_fn(|j| if x[j].is_nan() { x[j] } else { e[j] as f32 })
}

/// `ln x` per lane. Zero, negative, infinite and NaN lanes take the scalar `ln`, so the
/// vector one only sees positive normal f64 values (every f32 subnormal is one).
#[inline]
pub(crate) fn ln(x: [f32; 4]) -> [f32; 4] {
    let l = widen(x).ln().to_array();
    std::array::from_fn(|j| if x[j] > 0.0 && x[j] < f32::INFINITY { l[j] as f32 } else { x[j].ln() })
}

/// Below this, f32's `ln(1 + e)` (e ≥ 0, computed in f64) is `e` itself: equal to within
/// e/2, far below f32's precision. Above it, rounding `1 + e` in f64 costs at most
/// 2⁻⁵³/1e-8 ≈ 1e-8 relative, under half an f32 ulp. Shared by the scalar
/// `Float::ln_1p_unit` and [`softplus_tail`].
pub(crate) const LN_1P_DIRECT: f64 = 1e-8;

/// Softplus's `ln(1 + e^−|x|)` per lane, by the rule of [`LN_1P_DIRECT`]. NaN passes
/// through.
#[inline]
pub(crate) fn softplus_tail(x: [f32; 4]) -> [f32; 4] {
    let a = widen(x.map(|v| -v.abs())).max(f64x4::splat(-700.0));
    let e = a.exp();
    let l = (e + f64x4::ONE).ln().to_array();
    let e = e.to_array();
    std::array::from_fn(|j| {
        if x[j].is_nan() {
            x[j]
        } else if e[j] < LN_1P_DIRECT {
            e[j] as f32
        } else {
            l[j] as f32
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Distance in f32 ulps (both finite or both the same non-finite value).
    fn ulps(a: f32, b: f32) -> u32 {
        if a == b || (a.is_nan() && b.is_nan()) {
            return 0;
        }
        assert!(a.is_finite() && b.is_finite(), "{a} vs {b}");
        let key = |v: f32| {
            let i = v.to_bits() as i32;
            if i < 0 {
                i32::MIN - i
            } else {
                i
            }
        };
        key(a).abs_diff(key(b))
    }

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

    fn check(name: &str, lanes: fn([f32; 4]) -> [f32; 4], exact: fn(f64) -> f64, max_ulps: u32) {
        let xs = inputs();
        let mut worst = (0, 0.0f32);
        for c in xs.chunks(4) {
            let mut q = [0.0f32; 4];
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
    }

    #[test]
    fn lanes_pass_special_values_through() {
        let e = exp([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 100.0]);
        assert!(e[0].is_nan());
        assert_eq!(&e[1..], &[f32::INFINITY, 0.0, f32::INFINITY]);
        let l = ln([f32::NAN, f32::INFINITY, 0.0, -1.0]);
        assert!(l[0].is_nan() && l[3].is_nan());
        assert_eq!(&l[1..3], &[f32::INFINITY, f32::NEG_INFINITY]);
        let t = softplus_tail([f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 0.0]);
        assert!(t[0].is_nan());
        assert_eq!(&t[1..], &[0.0, 0.0, std::f32::consts::LN_2]);
    }
}
