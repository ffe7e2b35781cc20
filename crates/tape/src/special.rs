//! The log-gamma family of the ops `lgamma`, `digamma` and `polygamma`: ln|Γ(x)| (the
//! `libm` crate's `lgamma`), the digamma function ψ(x) = d/dx ln Γ(x) and its derivatives,
//! the polygamma functions ψ⁽ⁿ⁾(x).
//!
//! All three are computed in f64; an f32 tape rounds the f64 result once, so its values
//! are the f64 ones rounded (and its `lgamma` does not depend on libm's `lgammaf`).
//!
//! For x > 0, the recurrence ψ⁽ⁿ⁾(x) = ψ⁽ⁿ⁾(x + 1) − (−1)ⁿ·n!/xⁿ⁺¹ moves the argument up
//! to w ≥ 10 (ψ) or w ≥ 10 + n (ψ⁽ⁿ⁾, n ≥ 1), where the asymptotic series
//!
//! * ψ(w) ~ ln w − 1/(2w) − Σₖ B₂ₖ/(2k·w²ᵏ), k ≤ 8,
//! * ψ⁽ⁿ⁾(w) ~ (−1)ⁿ⁺¹·(n−1)!/wⁿ·[1 + n/(2w) + Σₖ B₂ₖ/(2k)!·n(n+1)…(n+2k−1)/w²ᵏ], k ≤ 12,
//!
//! (B₂ₖ the Bernoulli numbers) leave out less than 1e−17 of the value. For n ≥ 1 the
//! shifted terms all have one sign and are summed as Σ (x/(x+k))ⁿ⁺¹ times n!/xⁿ⁺¹, which
//! stops early once the rest cannot reach the last bit (a large n needs few terms).
//!
//! For x < 0, the reflection ψ(1 − x) − ψ(x) = π·cot(πx), differentiated n times:
//! ψ⁽ⁿ⁾(x) = (−1)ⁿ·ψ⁽ⁿ⁾(1 − x) − πⁿ⁺¹·Pₙ(cot πx), with P₀(t) = t and
//! Pₖ₊₁(t) = −(1 + t²)·Pₖ′(t) (all of Pₙ's coefficients have the sign (−1)ⁿ, so it is
//! evaluated without cancellation). cot(πx) is taken of x reduced exactly into [−½, ½],
//! through a tangent that is accurate near cot's zeros at the half-integers.
//!
//! Poles and infinities are PyTorch's (2.15, float64), except ψ⁽ⁿ⁾(+∞) for n ≥ 2:
//!
//! | x | lgamma | ψ | ψ⁽¹⁾ | ψ⁽ⁿ⁾, n ≥ 2 |
//! |---|---|---|---|---|
//! | +0, −0 | +∞ | −∞, +∞ | +∞ | (−1)ⁿ⁺¹·∞ |
//! | −1, −2, … | +∞ | NaN | π²/sin²(πx) − ψ⁽¹⁾(1 − x): finite, since sin(πx) is not 0 in floating point (6.6e32 at −1) | (−1)ⁿ⁺¹·∞ |
//! | +∞ | +∞ | +∞ | 0 | (−1)ⁿ⁺¹·0 (PyTorch: NaN) |
//! | −∞ | +∞ | NaN | NaN | (−1)ⁿ⁺¹·∞ |
//!
//! Where n! or xⁿ⁺¹ leaves the range of f64 (n past 170, or a large n with x far from 1)
//! the factor n!/xⁿ⁺¹ is taken through logarithms, to about 1e−13 relative.

use smallvec::SmallVec;

use crate::float::Float;

use std::f64::consts::PI;

/// Digamma's arguments move up to at least this before its asymptotic series; ψ⁽ⁿ⁾'s to
/// this plus n.
const SHIFT: f64 = 10.0;

/// B₂ₖ/(2k) for k = 1..=8: ψ(w) ~ ln w − 1/(2w) − Σₖ B₂ₖ/(2k·w²ᵏ).
const DIGAMMA_SERIES: [f64; 8] = [
    0.08333333333333333,
    -0.008333333333333333,
    0.003968253968253968,
    -0.004166666666666667,
    0.007575757575757576,
    -0.021092796092796094,
    0.08333333333333333,
    -0.4432598039215686,
];

/// B₂ₖ/(2k)! for k = 1..=12, the polygamma series' coefficients before the rising
/// factorials n(n+1)…(n+2k−1).
const POLYGAMMA_SERIES: [f64; 12] = [
    0.08333333333333333,
    -0.001388888888888889,
    3.306878306878307e-05,
    -8.267195767195768e-07,
    2.08767569878681e-08,
    -5.284190138687493e-10,
    1.3382536530684679e-11,
    -3.3896802963225827e-13,
    8.586062056277845e-15,
    -2.174868698558062e-16,
    5.5090028283602295e-18,
    -1.3954464685812522e-19,
];

/// ln|Γ(x)| of an element (computed in f64).
#[inline(always)]
pub(crate) fn lgamma<T: Float>(x: T) -> T {
    T::from_f64(lgamma64(x.to_f64()))
}

/// ψ(x) of an element (computed in f64).
#[inline(always)]
pub(crate) fn digamma<T: Float>(x: T) -> T {
    T::from_f64(digamma64(x.to_f64()))
}

/// ψ⁽ⁿ⁾(x) of an element (computed in f64).
#[inline(always)]
pub(crate) fn polygamma<T: Float>(n: u32, x: T) -> T {
    T::from_f64(polygamma64(n, x.to_f64()))
}

/// The order n of a polygamma node, held as its constant.
#[inline(always)]
pub(crate) fn order<T: Float>(c: T) -> u32 {
    c.to_f64() as u32
}

// The functions below are not inlined: each is called once per element from the
// elementwise loops, which stay small (and are inlined in turn) with a call in them.

/// ln|Γ(x)|: libm's `lgamma`, +∞ at the poles.
#[inline(never)]
pub(crate) fn lgamma64(x: f64) -> f64 {
    libm::lgamma(x)
}

/// The digamma function ψ(x).
#[inline(never)]
pub(crate) fn digamma64(x: f64) -> f64 {
    if x.is_nan() {
        return x;
    }
    if x == 0.0 {
        // −∞ at +0 and +∞ at −0, as the limits from each side (PyTorch's).
        return if x.is_sign_negative() { f64::INFINITY } else { f64::NEG_INFINITY };
    }
    if x < 0.0 {
        if x == x.trunc() {
            // The poles −1, −2, … (and −∞).
            return f64::NAN;
        }
        return digamma_positive(1.0 - x) - PI * cot_pi(x);
    }
    digamma_positive(x)
}

/// ψ(x) for x > 0.
fn digamma_positive(x: f64) -> f64 {
    // ψ(x) = ψ(x + m) − Σ_{k<m} 1/(x + k), summed smallest first.
    let m = if x < SHIFT { (SHIFT - x).ceil() } else { 0.0 };
    let mut s = 0.0;
    let mut k = m;
    while k > 0.0 {
        k -= 1.0;
        s += 1.0 / (x + k);
    }
    let w = x + m;
    let z = 1.0 / (w * w);
    let series = z * DIGAMMA_SERIES.iter().rev().fold(0.0, |p, &b| p * z + b);
    (w.ln() - 0.5 / w - series) - s
}

/// The polygamma function ψ⁽ⁿ⁾(x), the n-th derivative of ψ (ψ itself for n = 0).
#[inline(never)]
pub(crate) fn polygamma64(n: u32, x: f64) -> f64 {
    if n == 0 {
        return digamma64(x);
    }
    if x.is_nan() {
        return x;
    }
    if x <= 0.0 && x == x.trunc() {
        // The poles 0, −1, −2, … (and −∞).
        if n == 1 {
            // PyTorch's trigamma takes the reflection ψ⁽¹⁾(x) = π²/sin²(πx) − ψ⁽¹⁾(1 − x)
            // of the unreduced πx, whose sine is not 0 at a negative integer: a finite
            // value there (+∞ at ±0, NaN at −∞); the same here.
            let s = (PI * x).sin();
            return PI * PI / (s * s) - polygamma_positive(1, 1.0 - x);
        }
        return sign(n) * f64::INFINITY;
    }
    if x < 0.0 {
        return polygamma_negative(n, x);
    }
    polygamma_positive(n, x)
}

/// (−1)ⁿ⁺¹, the sign of ψ⁽ⁿ⁾ on x > 0.
fn sign(n: u32) -> f64 {
    if n % 2 == 1 {
        1.0
    } else {
        -1.0
    }
}

/// ψ⁽ⁿ⁾(x) for n ≥ 1 and x > 0 (+∞ included).
fn polygamma_positive(n: u32, x: f64) -> f64 {
    let nf = f64::from(n);
    if x == f64::INFINITY {
        return sign(n) * 0.0;
    }
    if x >= SHIFT + nf {
        return sign(n) * scale(n - 1, x) * asymptotic(n, x);
    }
    // ψ⁽ⁿ⁾(x) = (−1)ⁿ⁺¹·n!/xⁿ⁺¹·[Σ_{k<m} (x/(x+k))ⁿ⁺¹ + (x/w)ⁿ⁺¹·(w/n)·A(w)], w = x + m,
    // every term positive.
    let e = nf + 1.0;
    let mut sum = 0.0;
    let mut k = 0.0;
    while x + k < SHIFT + nf {
        let xk = x + k;
        let term = (x / xk).powf(e);
        sum += term;
        // The terms left add up to at most ∫ₖ^∞ (x/(x+t))ⁿ⁺¹ dt = term·(x+k)/n.
        if term * xk <= 2f64.powi(-60) * nf * sum {
            return sign(n) * scale(n, x) * sum;
        }
        k += 1.0;
    }
    let w = x + k;
    sum += (x / w).powf(e) * (w / nf) * asymptotic(n, w);
    sign(n) * scale(n, x) * sum
}

/// The bracket of ψ⁽ⁿ⁾'s asymptotic series at w: 1 + n/(2w) + Σₖ B₂ₖ/(2k)!·n(n+1)…(n+2k−1)/w²ᵏ.
fn asymptotic(n: u32, w: f64) -> f64 {
    let nf = f64::from(n);
    let mut coef = [0.0; POLYGAMMA_SERIES.len()];
    let mut rising = 1.0;
    for (j, (c, b)) in coef.iter_mut().zip(POLYGAMMA_SERIES).enumerate() {
        let k2 = 2.0 * j as f64;
        rising *= (nf + k2) * (nf + k2 + 1.0);
        *c = b * rising;
    }
    let z = 1.0 / (w * w);
    1.0 + nf / (2.0 * w) + z * coef.iter().rev().fold(0.0, |p, &c| p * z + c)
}

/// j!/x^(j+1) for x > 0: the exactly rounded j! (j ≤ 170) times libm's power where both
/// stay in range, else through logarithms.
fn scale(j: u32, x: f64) -> f64 {
    let e = f64::from(j) + 1.0;
    let fact = if j <= 170 { (2..=j).fold(1.0, |p, i| p * f64::from(i)) } else { f64::INFINITY };
    let direct = fact * x.powf(-e);
    if direct.is_normal() {
        direct
    } else {
        (libm::lgamma(e) - e * x.ln()).exp()
    }
}

/// ψ⁽ⁿ⁾(x) for n ≥ 1 and a negative x that is not an integer, by the reflection formula.
fn polygamma_negative(n: u32, x: f64) -> f64 {
    let t = cot_pi(x);
    // Pₙ's coefficients, lowest degree first: P₀ = t, Pₖ₊₁ = −(1 + t²)·Pₖ′.
    let len = n as usize + 2;
    let mut p: SmallVec<[f64; 16]> = smallvec::smallvec![0.0; len];
    let mut q: SmallVec<[f64; 16]> = smallvec::smallvec![0.0; len];
    p[1] = 1.0;
    for deg in 1..len - 1 {
        // Pₖ has degree `deg`.
        q.iter_mut().for_each(|v| *v = 0.0);
        for j in 1..=deg {
            let d = j as f64 * p[j];
            q[j - 1] -= d;
            q[j + 1] -= d;
        }
        std::mem::swap(&mut p, &mut q);
    }
    let pn = p.iter().rev().fold(0.0, |acc, &c| acc * t + c);
    // (−1)ⁿ·ψ⁽ⁿ⁾(1 − x) − πⁿ⁺¹·Pₙ(t).
    -sign(n) * polygamma_positive(n, 1.0 - x) - PI.powf(f64::from(n) + 1.0) * pn
}

/// cot(πx) for a finite x that is not an integer. x is reduced exactly to u ∈ [−½, ½]
/// (cot(πx) has period 1), then cot(πu) is 1/tan(πu) for |u| ≤ ¼ and ±tan(π(½ − |u|))
/// above, which keeps its relative accuracy near the zeros at u = ±½.
fn cot_pi(x: f64) -> f64 {
    let r = x - x.trunc();
    // Exact: r and r ∓ 1 are within a factor of two of each other (Sterbenz).
    let u = if r < -0.5 {
        r + 1.0
    } else if r > 0.5 {
        r - 1.0
    } else {
        r
    };
    if u.abs() <= 0.25 {
        1.0 / (PI * u).tan()
    } else {
        (PI * (0.5 - u.abs())).tan().copysign(u)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The recurrence ψ⁽ⁿ⁾(x + 1) − ψ⁽ⁿ⁾(x) = −(−1)ⁿ·n!/xⁿ⁺¹ holds to a few roundings of
    /// the two values across the branches (below and above the shift, the reflection at
    /// negative x, from one to the other), so the series' signs and the shift agree.
    #[test]
    fn the_recurrence_holds_across_branches() {
        for x in [0.3f64, 1.7, 4.2, 9.6, 10.4, 13.1, 27.5, -0.3, -0.5, -1.7, -4.2, -9.6] {
            for n in 0..=4u32 {
                let fact: f64 = (1..=n).map(f64::from).product();
                let want = -sign(n) * fact / x.powi(n as i32 + 1);
                let (a, b) = (polygamma64(n, x + 1.0), polygamma64(n, x));
                let err = (a - b - want).abs();
                assert!(
                    err <= 8.0 * f64::EPSILON * (a.abs() + b.abs()),
                    "ψ⁽{n}⁾ at {x}: {a} − {b} vs {want}"
                );
            }
        }
    }

    /// Large orders (through logarithms past 170), a large order at a negative x, and the
    /// poles and infinities of the module's table; values from mpmath.
    #[test]
    fn large_orders_poles_and_infinities() {
        let close = |a: f64, b: f64, rel: f64| (a - b).abs() <= rel * b.abs();
        let v = polygamma64(200, 300.0);
        assert!(close(v, -2.03430351276749e-123, 1e-12), "{v:e}");
        let v = polygamma64(30, 0.5);
        assert!(close(v, -5.696261790319176e+41, 1e-14), "{v:e}");
        let v = polygamma64(7, -3.3);
        assert!(close(v, 76905684.2789488, 1e-14), "{v:e}");
        let (inf, nan) = (f64::INFINITY, f64::NAN);
        let same = |a: f64, b: f64| a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan());
        // x: lgamma, ψ, ψ⁽¹⁾, ψ⁽²⁾, ψ⁽³⁾.
        let table: [(f64, [f64; 5]); 5] = [
            (0.0, [inf, -inf, inf, -inf, inf]),
            (-0.0, [inf, inf, inf, -inf, inf]),
            (-3.0, [inf, nan, 7.311989052578831e+31, -inf, inf]),
            (inf, [inf, inf, 0.0, -0.0, 0.0]),
            (-inf, [inf, nan, nan, -inf, inf]),
        ];
        for (x, want) in table {
            let got = [lgamma64(x), digamma64(x), polygamma64(1, x), polygamma64(2, x), polygamma64(3, x)];
            for (k, (g, w)) in got.into_iter().zip(want).enumerate() {
                assert!(same(g, w), "function {k} at {x}: {g:e}, want {w:e}");
            }
        }
        assert!(polygamma64(3, nan).is_nan() && digamma64(nan).is_nan());
    }
}
