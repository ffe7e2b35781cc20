//! The Taylor remainder test: the gradient and vᵀHv checked by how fast f's Taylor
//! remainders shrink, with no tolerance to choose.
//!
//! Along a direction v, with g = ⟨∇f(x), v⟩ and c = vᵀH(x)v from the reverse sweep,
//!
//! * r₀(h) = |f(x + hv) − f(x)| shrinks like h,
//! * r₁(h) = |f(x + hv) − f(x) − h·g| like h² if g is right, and only like h if it is not,
//! * r₂(h) = |f(x + hv) − f(x) − h·g − h²/2·c| like h³ if c is right too.
//!
//! Halving h divides a remainder by 2ᵖ, so the observed rate p = log₂(r(h)/r(h/2)) is 2 for
//! a right gradient and 1 for a wrong one, whatever the size of the error: no step or
//! tolerance to tune, as the central-difference checks need. The price: one direction,
//! so it says whether the derivatives are right along v, not which entry is wrong (run
//! [`super::gradcheck`] for that), and it needs steps where the remainder is above the
//! rounding level of f.

use std::fmt;

use super::{
    catch_result, eval_value, record, round_to, start, to_f64, CheckOptions, Closure, Func, Function,
    Generic, Held, Rng, Smooth,
};
use crate::float::Float;
use crate::tape::Tape;
use crate::tensor::Tensor;
use crate::var::Var;

/// The largest step, in units of the direction (whose elements are scaled by max(1, |x|)).
const H0: f64 = 0.5;
/// Steps tried: H0, H0/2, ... until each remainder has fallen below its rounding level at
/// two steps in a row or settled at its rate, or r₂ has settled at rate 1 (at least
/// `MIN_LEVELS` steps, down to H0/2¹¹ ≈ 2.4e-4, and at most `MAX_LEVELS`, down to
/// H0/2⁴⁷ ≈ 3.6e-15).
const MIN_LEVELS: usize = 12;
const MAX_LEVELS: usize = 48;
/// Safety factor on the rounding level of a remainder.
const FLOOR: f64 = 64.0;
/// A remainder this many times its rounding level is clear of it, as a wrong verdict needs.
const CLEAR: f64 = 16.0;
/// How far the observed rate may fall below the expected one and still pass.
const SLACK: f64 = 0.3;

/// One step of a [`TaylorReport`].
#[derive(Clone, Debug, PartialEq)]
pub struct TaylorStep {
    /// The step: f evaluated at x + h·v (rounded to the dtype f is evaluated in).
    pub h: f64,
    /// f(x + h·v), NaN if it could not be evaluated.
    pub value: f64,
    /// |f(x + h·v) − f(x)|.
    pub r0: f64,
    /// |f(x + h·v) − f(x) − ⟨∇f, d⟩|, with d the step actually taken (h·v up to rounding).
    pub r1: f64,
    /// r₁'s remainder less h²/2·vᵀHv; None if H·v could not be recorded.
    pub r2: Option<f64>,
    /// The rounding level of r₀ and r₁: below it they say nothing.
    pub floor1: f64,
    /// The rounding level of r₂.
    pub floor2: f64,
    /// f took other branches of a non-smooth op (relu, abs, max, clamp, a declared custom
    /// op branch) at x + h·v than at x: its remainders say nothing about convergence.
    pub crosses_kink: bool,
    /// Why f could not be evaluated at x + h·v (or was not finite there).
    pub failed: Option<String>,
}

impl TaylorStep {
    fn clean(&self) -> bool {
        !self.crosses_kink && self.failed.is_none()
    }
    /// Clean, with every remainder of order ≥ 1 below its rounding level: smaller steps
    /// cannot say more.
    fn spent(&self) -> bool {
        self.clean() && self.r1 <= self.floor1 && self.r2.is_none_or(|r| r <= self.floor2)
    }
}

/// What the remainders of one order say.
#[derive(Clone, Debug, PartialEq)]
pub enum TaylorVerdict {
    /// The remainder shrinks at the expected rate (at least rate − 0.3) at the smallest
    /// steps above its rounding level: the derivative is right along v.
    Converges {
        /// The remainder that decided: 1 (r₁, expected rate 2) or 2 (r₂, expected rate 3;
        /// r₂ shrinking like h³ confirms the gradient too).
        order: u8,
        /// The observed rate there.
        rate: f64,
    },
    /// The remainder is at its rounding level at every step while f changes (or f does not
    /// change along v and the derivative says so): f is a polynomial of that order along v
    /// and the derivative reproduces it to rounding.
    Exact,
    /// The remainder shrinks one order too slowly (at most the expected rate − 0.7, at the
    /// two smallest usable pairs of steps): the derivative is wrong along v, by about
    /// `error`.
    Wrong {
        /// The remainder that decided: 1 (r₁) or 2 (r₂; for the gradient, r₂ shrinking like
        /// h shows an error too small to show in r₁ at the steps tried).
        order: u8,
        /// The observed rate.
        rate: f64,
        /// The error of the derivative along v this implies: r₁/h for the gradient,
        /// 2·r₂/h² for vᵀHv, at the smallest usable step.
        error: f64,
    },
    /// Nothing can be concluded; the reason says why (every step crosses a kink, too few
    /// steps above the rounding level, a rate between the two).
    Inconclusive(String),
}

impl TaylorVerdict {
    /// True for [`TaylorVerdict::Converges`] and [`TaylorVerdict::Exact`].
    pub fn is_right(&self) -> bool {
        matches!(self, TaylorVerdict::Converges { .. } | TaylorVerdict::Exact)
    }
}

/// The result of [`taylor_test`]; `Display` prints the table of steps and remainders.
#[derive(Clone, Debug)]
pub struct TaylorReport {
    /// Input names and shapes.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// Inputs held fixed (not moved), by position.
    pub fixed: Vec<usize>,
    /// Dtype of the gradient under test.
    pub grad_dtype: &'static str,
    /// Dtype f was evaluated in.
    pub eval_dtype: &'static str,
    /// f(x).
    pub f0: f64,
    /// ⟨∇f(x), v⟩ from the reverse sweep (`backward`).
    pub slope: f64,
    /// vᵀH(x)v from the recorded gradient (`backward_graph`), if it could be recorded.
    pub curvature: Option<f64>,
    /// Every step tried, largest first.
    pub steps: Vec<TaylorStep>,
    /// The gradient's verdict (r₁, expected rate 2).
    pub first: TaylorVerdict,
    /// vᵀHv's verdict (r₂, expected rate 3); None if H·v could not be recorded.
    pub second: Option<TaylorVerdict>,
    /// Problems that make the test fail outright (f panicked, returned a non-scalar, an
    /// invalid option).
    pub problems: Vec<String>,
    /// Remarks that do not fail the test.
    pub notes: Vec<String>,
}

impl TaylorReport {
    /// True if there is no problem, the gradient's verdict is [`TaylorVerdict::is_right`],
    /// and vᵀHv's is not [`TaylorVerdict::Wrong`]. (vᵀHv is a second, finer test: where its
    /// remainder cannot be resolved above rounding, typically with f evaluated in f32, it
    /// is inconclusive, and the report says so.)
    pub fn passed(&self) -> bool {
        self.problems.is_empty()
            && self.first.is_right()
            && !matches!(self.second, Some(TaylorVerdict::Wrong { .. }))
    }

    /// The observed rates of `order` (0, 1 or 2) between consecutive steps, `(h, rate)`
    /// at the larger of the two, where both remainders are above their rounding level and
    /// neither step crosses a kink.
    pub fn rates(&self, order: u8) -> Vec<(f64, f64)> {
        self.steps.windows(2).filter_map(|w| Some((w[0].h, pair_rate(&w[0], &w[1], order, 1.0)?))).collect()
    }
}

/// The Taylor remainder test of a scalar function `f` of `inputs`: the gradient (rate 2)
/// and vᵀHv (rate 3) along one random direction (or several:
/// [`CheckOptions::with_taylor_directions`]), evaluated in `T`. Uses the options' `seed`
/// (the direction), `names` and `fixed` (inputs not moved); a step and tolerances are not
/// needed.
///
/// ```
/// use wengert_tape::gradcheck::{taylor_test, CheckOptions, TaylorVerdict};
/// use wengert_tape::Tensor;
/// let x = Tensor::from([[0.5, -1.0], [2.0, 0.25]]);
/// let r = taylor_test(|v| (v[0].sin() * v[0].exp()).sum(), &[x], &CheckOptions::default());
/// assert!(r.passed(), "{r}");
/// assert!(matches!(r.first, TaylorVerdict::Converges { rate, .. } if (rate - 2.0).abs() < 0.1));
/// println!("{r}");
/// ```
pub fn taylor_test<T, F>(f: F, inputs: &[Tensor<T>], options: &CheckOptions) -> TaylorReport
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let f = Closure(f);
    directions(options, |o| run::<T, T, _>(&f, inputs, o))
}

/// [`taylor_test`] for a [`Function`]: the derivatives under test are computed in `T`, f
/// is evaluated in f64, so an f32 gradient is tested against an accurate f. (An f32
/// gradient is then right only to f32 rounding, which sets the level below which r₁ says
/// nothing.)
pub fn taylor_test_fn<T: Float, F: Function>(
    f: &F,
    inputs: &[Tensor<T>],
    options: &CheckOptions,
) -> TaylorReport {
    directions(options, |o| run::<T, f64, _>(&Generic(f), inputs, o))
}

/// Runs `test` along [`CheckOptions::taylor_directions`] random directions (the first is
/// the seed's, the others from seeds derived from it) and returns the report of the first
/// direction that did not pass, or the first's when all passed, its notes saying which.
fn directions(o: &CheckOptions, test: impl Fn(&CheckOptions) -> TaylorReport) -> TaylorReport {
    let k = o.taylor_directions.max(1);
    let mut first = None;
    for j in 0..k {
        let mut oj = o.clone();
        oj.seed = o.seed ^ (j as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut r = test(&oj);
        if !r.passed() {
            if k > 1 {
                r.notes.push(format!(
                    "direction {} of {k} (seed {:#x}): the first that did not pass{}",
                    j + 1,
                    oj.seed,
                    if j == 0 { String::new() } else { format!("; the {j} before it passed") }
                ));
            }
            return r;
        }
        first.get_or_insert(r);
    }
    let mut r = first.expect("at least one direction");
    if k > 1 {
        r.notes.push(format!("all {k} random directions passed; this table is the first's"));
    }
    r
}

/// The gradient (from `backward`, as a user gets it) and H·v (from `backward_graph`) at
/// the inputs, in T, as f64 per input.
struct Derivatives {
    /// f64's ε·√Σ(value·adjoint)² over f's tape: its first-order rounding error, for
    /// intermediates that cancel (see `super::magnitude`).
    magnitude: f64,
    grad: Vec<Vec<f64>>,
    hv: Result<Vec<Vec<f64>>, String>,
}

/// `y` if it is a scalar.
fn scalar<T: Float>(y: Var<'_, T>) -> Result<Var<'_, T>, String> {
    if y.len() == 1 {
        Ok(y)
    } else {
        Err(super::not_scalar(y))
    }
}

fn derivatives<T: Float, F: Func<T>>(
    f: &F,
    inputs: &[Tensor<T>],
    v: &[Tensor<f64>],
) -> Result<Derivatives, String> {
    let tape = Tape::<T>::new();
    let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = scalar(record(f, &tape, &vars)?)?;
    let g = catch_result(|| y.try_backward()).map_err(|e| format!("backward failed: {e}"))?;
    let grad = vars.iter().map(|x| g[*x].iter().map(|a| a.to_f64()).collect()).collect();
    let magnitude = {
        let inner = tape.inner.borrow();
        super::magnitude(&inner, y.node().0, |id| {
            inner.node(id).grad.then(|| g.of_leaf(true, inner.adj_range(id)))
        })
    };
    let hv = (|| {
        let tape = Tape::<T>::new();
        let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| tape.var(x)).collect();
        let y = scalar(record(f, &tape, &vars)?)?;
        let gv = catch_result(|| y.try_backward_graph())?;
        let s = catch_result(|| -> crate::Result<Var<'_, T>> {
            let mut s = tape.scalar_constant(T::ZERO);
            for (x, vk) in vars.iter().zip(v) {
                s += (gv.wrt(*x) * tape.constant(&vk.cast::<T>())).sum();
            }
            Ok(s)
        })?;
        let h = catch_result(|| s.try_backward())?;
        Ok::<_, String>(vars.iter().map(|x| h[*x].iter().map(|a| a.to_f64()).collect()).collect())
    })();
    Ok(Derivatives { magnitude, grad, hv })
}

fn dot(a: &[Vec<f64>], b: &[Tensor<f64>]) -> (f64, f64) {
    let (mut s, mut abs) = (0.0, 0.0);
    for (ak, bk) in a.iter().zip(b) {
        for (x, y) in ak.iter().zip(bk.data()) {
            s += x * y;
            abs += (x * y).abs();
        }
    }
    (s, abs)
}

fn run<T: Float, E: Float, F: Func<T> + Func<E>>(
    f: &F,
    inputs: &[Tensor<T>],
    o: &CheckOptions,
) -> TaylorReport {
    let head = start::<T, E>("taylor test", inputs, o);
    let mut rep = TaylorReport {
        inputs: head.inputs.clone(),
        fixed: head.fixed.clone(),
        grad_dtype: T::NAME,
        eval_dtype: E::NAME,
        f0: f64::NAN,
        slope: f64::NAN,
        curvature: None,
        steps: Vec::new(),
        first: TaylorVerdict::Inconclusive("not run".into()),
        second: None,
        problems: head.problems,
        notes: Vec::new(),
    };
    if !rep.problems.is_empty() {
        return rep;
    }
    let f = &Held { f, fixed: &rep.fixed };
    // The direction: random normal over the free elements, unit 2-norm, each element
    // scaled by max(1, |x|) so a step is relative for large inputs.
    let x0: Vec<Tensor<f64>> = inputs.iter().map(to_f64).collect();
    let free: usize =
        x0.iter().enumerate().filter(|(k, _)| !rep.fixed.contains(k)).map(|(_, x)| x.len()).sum();
    if free == 0 {
        rep.problems.push(
            "no element to move: every input is held fixed (with_fixed) or has no elements, so nothing was \
             tested"
                .into(),
        );
        return rep;
    }
    let mut rng = Rng::new(o.seed ^ 0x7A_7105);
    let mut unit = rng.unit(free).into_iter();
    let v: Vec<Tensor<f64>> = x0
        .iter()
        .enumerate()
        .map(|(k, x)| {
            let held = rep.fixed.contains(&k);
            let data =
                x.data()
                    .iter()
                    .map(|xi| {
                        if held {
                            0.0
                        } else {
                            xi.abs().max(1.0) * unit.next().expect("one per free element")
                        }
                    })
                    .collect();
            Tensor::new(x.shape(), data).expect("the input's shape")
        })
        .collect();
    let d = match derivatives(f, inputs, &v) {
        Ok(d) => d,
        Err(e) => {
            rep.problems.push(e);
            return rep;
        }
    };
    let (slope, _) = dot(&d.grad, &v);
    rep.slope = slope;
    let curvature = match &d.hv {
        Ok(hv) => Some(dot(hv, &v)),
        Err(e) => {
            rep.notes.push(format!("H·v could not be recorded, so only the gradient is tested: {e}"));
            None
        }
    };
    rep.curvature = curvature.map(|c| c.0);
    // f at x in E, with the branches its non-smooth ops took.
    let smooth = Smooth::default();
    let (f0, sig0) = match eval_value::<E, _>(f, &x0, &smooth) {
        Ok(r) => r,
        Err(e) => {
            rep.problems.push(format!("evaluating f at the inputs failed: {e}"));
            return rep;
        }
    };
    rep.f0 = f0;
    if !f0.is_finite() {
        rep.problems.push(format!("f is {f0} at the inputs: nothing to expand"));
        return rep;
    }
    let (eps_e, eps_t) = (E::EPSILON.to_f64(), T::EPSILON.to_f64());
    // Σ|(H·v)ᵢ·xᵢ|, for the rounding of x + h·v in r₂.
    let moved = d.hv.as_ref().map_or(0.0, |hv| dot(hv, &x0).1);
    let orders: &[u8] = if curvature.is_some() { &[1, 2] } else { &[1] };
    for level in 0..MAX_LEVELS {
        // Done when every order has settled, or when r₂ shrinks like h: the gradient is
        // wrong, whatever r₁ does at smaller steps.
        let wrong = curvature.is_some() && settled_rate(&rep.steps, 2) == Some(1.0);
        if level >= MIN_LEVELS && (wrong || orders.iter().all(|&o| settled(&rep.steps, o))) {
            break;
        }
        let h = H0 / f64::powi(2.0, level as i32);
        // The step taken: x + h·v rounded to E, and its exact size d.
        let xs: Vec<Tensor<f64>> = x0
            .iter()
            .zip(&v)
            .map(|(x, vk)| Tensor::from_fn(x.shape(), |i| round_to::<E>(x.data()[i] + h * vk.data()[i])))
            .collect();
        let step: Vec<Tensor<f64>> = xs
            .iter()
            .zip(&x0)
            .map(|(a, b)| Tensor::from_fn(a.shape(), |i| a.data()[i] - b.data()[i]))
            .collect();
        let (lin, lin_abs) = dot(&d.grad, &step);
        let mut s = TaylorStep {
            h,
            value: f64::NAN,
            r0: f64::NAN,
            r1: f64::NAN,
            r2: None,
            floor1: f64::NAN,
            floor2: f64::NAN,
            crosses_kink: false,
            failed: None,
        };
        match eval_value::<E, _>(f, &xs, &smooth) {
            Err(e) => s.failed = Some(e),
            Ok((fh, _)) if !fh.is_finite() => s.failed = Some(format!("f is {fh} there")),
            Ok((fh, sig)) => {
                s.value = fh;
                s.crosses_kink = sig != sig0;
                s.r0 = (fh - f0).abs();
                s.r1 = (fh - f0 - lin).abs();
                // The rounding of f in E, and of ⟨∇f, d⟩ from a gradient rounded to T.
                // The rounding of f in E (of its value, or of intermediates that cancel),
                // and of ⟨∇f, d⟩ from a gradient rounded to T.
                let of_f = (eps_e * (f0.abs() + fh.abs())).max(2.0 * (eps_e / f64::EPSILON) * d.magnitude);
                s.floor1 = FLOOR * (of_f + eps_t * lin_abs);
                if let Some((c, c_abs)) = curvature {
                    s.r2 = Some((fh - f0 - lin - 0.5 * h * h * c).abs());
                    // h²/2·vᵀHv stands for ½dᵀHd: d differs from h·v by the rounding of
                    // x + h·v to E, by about ε_E·|x| per element.
                    s.floor2 = s.floor1 + FLOOR * (0.5 * h * h * eps_t * c_abs + h * eps_e * moved);
                }
            }
        }
        rep.steps.push(s);
    }
    let read2 = curvature.map(|_| observed(&rep, 2));
    rep.first = verdict(&rep, 1);
    if let Some(Ok(rate)) = read2 {
        let wrong = matches!(rep.first, TaylorVerdict::Wrong { .. });
        let twice = low_twice(&rep, 2, 1.0 + SLACK);
        if let (false, true, Some(h)) = (wrong, rate <= 1.0 + SLACK, twice) {
            // r₂ shrinking like h says the linear term is off: a gradient error too small to
            // show in r₁ at these steps (under h²/2·vᵀHv there).
            let s = rep.steps.iter().find(|s| s.h == h).expect("a rate's step");
            let error = s.r2.unwrap_or(f64::NAN) / h;
            rep.notes.push(format!(
                "the second-order remainder r2 shrinks like h^{rate:.2}: the gradient is off along v by about \
                 {error:.3e}, too little to show in r1 at these steps (where h²/2·vᵀHv dominates it)"
            ));
            rep.first = TaylorVerdict::Wrong { order: 2, rate, error };
        } else if !wrong && !rep.first.is_right() && rate >= 3.0 - SLACK {
            // r₂ shrinking like h³ confirms the gradient and vᵀHv at once (r₁ may not settle
            // where vᵀHv is small against f's third derivative).
            rep.notes.push(format!(
                "r1 alone does not decide ({}), but r2 shrinks like h^{rate:.2}, which a wrong gradient cannot do",
                verdict_text(&rep.first, "the gradient", 1)
            ));
            rep.first = TaylorVerdict::Converges { order: 2, rate };
        }
    }
    rep.second = read2.map(|o| match (&rep.first, o) {
        // r₂ carries r₁'s error, which then dominates it at small steps.
        (TaylorVerdict::Wrong { .. }, _) => TaylorVerdict::Inconclusive(
            "the gradient is wrong, and its error dominates the second-order remainder".into(),
        ),
        (_, Err(v)) => v,
        (_, Ok(rate)) => classify(&rep, 2, rate),
    });
    if let (Some(TaylorVerdict::Inconclusive(_)), false) =
        (&rep.second, matches!(rep.first, TaylorVerdict::Wrong { .. }))
    {
        let advice =
            if E::NAME == "f64" { "" } else { "; taylor_test_fn evaluates f in f64, where it can be" };
        rep.notes.push(format!(
            "vᵀHv was not resolved, which does not fail the test (gradgradcheck checks it entry by entry){advice}"
        ));
    }
    if rep.steps.iter().any(|s| s.crosses_kink) {
        rep.notes.push(format!(
            "{} of {} steps cross a non-smooth point (f takes other branches there than at x) and are not used",
            rep.steps.iter().filter(|s| s.crosses_kink).count(),
            rep.steps.len()
        ));
    }
    rep
}

/// Remainder and rounding level of `order` (0, 1 or 2) at a step.
fn remainder(s: &TaylorStep, order: u8) -> Option<(f64, f64)> {
    match order {
        0 => Some((s.r0, s.floor1)),
        1 => Some((s.r1, s.floor1)),
        _ => s.r2.map(|r| (r, s.floor2)),
    }
}

/// The rate of `order` between consecutive steps `a` (h) and `b` (h/2), log₂ of the ratio
/// of their remainders, if neither crosses a kink or failed and both remainders exceed
/// `clear` times their rounding level.
fn pair_rate(a: &TaylorStep, b: &TaylorStep, order: u8, clear: f64) -> Option<f64> {
    let ((ra, fa), (rb, fb)) = (remainder(a, order)?, remainder(b, order)?);
    (a.clean() && b.clean() && ra > clear * fa && rb > clear * fb)
        .then(|| (ra / rb).log2() / (a.h / b.h).log2())
}

/// `order`'s remainder at `s` is at or below its rounding level.
fn at_floor(s: &TaylorStep, order: u8) -> bool {
    remainder(s, order).is_some_and(|(r, fl)| r <= fl)
}

/// Smaller steps cannot change the verdict of `order`: its remainder is below rounding at
/// the last two steps, or it has reached its asymptotic rate ([`settled_rate`]).
fn settled(steps: &[TaylorStep], order: u8) -> bool {
    let n = steps.len();
    let spent = n >= 2 && steps[n - 2..].iter().all(|s| s.clean() && at_floor(s, order));
    spent || settled_rate(steps, order).is_some()
}

/// The integer the last three rates of `order` agree with to ±0.02, if they do: the
/// asymptotic rate is reached (a wrong rule's stays 1 down to rounding).
fn settled_rate(steps: &[TaylorStep], order: u8) -> Option<f64> {
    let n = steps.len();
    if n < 4 {
        return None;
    }
    let last: Vec<f64> =
        steps[n - 4..].windows(2).filter_map(|w| pair_rate(&w[0], &w[1], order, 1.0)).collect();
    let k = last.last()?.round();
    (last.len() == 3 && last.iter().all(|p| (p - k).abs() <= 0.02)).then_some(k)
}

/// The last rate of the smallest-step run of `n` rates between consecutive steps that
/// agree to ±0.05 about their mean: where the remainder has reached its asymptotic rate
/// and rounding does not yet disturb it.
fn plateau<'a>(rep: &TaylorReport, rates: &'a [(f64, f64)], n: usize) -> Option<&'a (f64, f64)> {
    let index = |h: f64| rep.steps.iter().position(|s| s.h == h);
    rates
        .windows(n)
        .rev()
        .find(|w| {
            let consecutive = w.windows(2).all(|p| index(p[1].0) == index(p[0].0).map(|i| i + 1));
            let mean = w.iter().map(|r| r.1).sum::<f64>() / n as f64;
            consecutive && w.iter().all(|r| (r.1 - mean).abs() <= 0.05)
        })
        .and_then(|w| w.last())
}

/// The verdict on r₁ (`order` 1) or r₂ (2) from the rate where it has settled at the
/// smallest steps (see [`plateau`]), or else at the smallest usable steps.
fn verdict(rep: &TaylorReport, order: u8) -> TaylorVerdict {
    match observed(rep, order) {
        Err(v) => v,
        Ok(rate) => classify(rep, order, rate),
    }
}

/// The rate of `order` that decides; or the verdict without one (exact, or
/// inconclusive).
fn observed(rep: &TaylorReport, order: u8) -> Result<f64, TaylorVerdict> {
    let clean: Vec<&TaylorStep> = rep.steps.iter().filter(|s| s.clean()).collect();
    if clean.is_empty() {
        let why = if rep.steps.iter().all(|s| s.crosses_kink) {
            "every step crosses a non-smooth point (x may lie on one): move x off it"
        } else {
            "f could not be evaluated at any step, or took other branches there"
        };
        return Err(TaylorVerdict::Inconclusive(why.into()));
    }
    let rates = rep.rates(order);
    let Some(&(_, rate)) = plateau(rep, &rates, 3).or_else(|| plateau(rep, &rates, 2)).or(rates.last())
    else {
        // No two consecutive usable steps: exact if the remainder is at its rounding level
        // at every step (a polynomial of this order along v, reproduced to rounding).
        if clean.iter().all(|s| at_floor(s, order)) {
            return Err(TaylorVerdict::Exact);
        }
        return Err(TaylorVerdict::Inconclusive(
            "fewer than two consecutive steps have a remainder above its rounding level: f is too flat or \
             too noisy along v at these steps"
                .into(),
        ));
    };
    Ok(rate)
}

/// The verdict of the deciding rate of `order`.
fn classify(rep: &TaylorReport, order: u8, rate: f64) -> TaylorVerdict {
    let expected = f64::from(order) + 1.0;
    let low = expected - 1.0 + SLACK;
    if rate >= expected - SLACK {
        TaylorVerdict::Converges { order, rate }
    } else if let Some(h) = low_twice(rep, order, low).filter(|_| rate <= low) {
        let s = rep.steps.iter().find(|s| s.h == h).expect("a rate's step");
        let error = match order {
            1 => s.r1 / s.h,
            _ => 2.0 * s.r2.unwrap_or(f64::NAN) / (s.h * s.h),
        };
        TaylorVerdict::Wrong { order, rate, error }
    } else if rate <= low {
        TaylorVerdict::Inconclusive(format!(
            "the rate is {rate:.2} (a wrong derivative's is {}) at the smallest usable steps, but not at two \
             pairs of steps in a row well above the rounding level, which does not decide",
            expected - 1.0
        ))
    } else {
        TaylorVerdict::Inconclusive(format!(
            "the rate at the smallest usable steps is {rate:.2}, between {} (wrong) and {expected} (right)",
            expected - 1.0
        ))
    }
}

/// The last two rates of `order` between consecutive steps whose remainders are clear of
/// rounding (16 times its level) are at most `limit`: two rates in a row, well above
/// rounding, say the derivative is wrong (near the rounding level, f32's noise can exceed
/// its estimate). The smaller of their steps, if so.
fn low_twice(rep: &TaylorReport, order: u8, limit: f64) -> Option<f64> {
    let pairs: Vec<(f64, f64)> =
        rep.steps.windows(2).filter_map(|w| Some((w[1].h, pair_rate(&w[0], &w[1], order, CLEAR)?))).collect();
    match pairs.as_slice() {
        [.., a, b] if a.0 == 2.0 * b.0 && a.1 <= limit && b.1 <= limit => Some(b.0),
        _ => None,
    }
}

fn verdict_text(v: &TaylorVerdict, what: &str, own: u8) -> String {
    match v {
        TaylorVerdict::Converges { order, rate } => {
            format!("{what} is right along v (r{order} ∝ h^{rate:.2}, expected {})", order + 1)
        }
        TaylorVerdict::Exact => format!("{what} is right along v (r{own} at rounding level at every step)"),
        TaylorVerdict::Wrong { order, rate, error } => format!(
            "{what} is WRONG along v (r{order} ∝ h^{rate:.2}, expected {}; off by about {error:.3e} along v)",
            order + 1
        ),
        TaylorVerdict::Inconclusive(why) => format!("{what}: inconclusive, {why}"),
    }
}

impl fmt::Display for TaylorReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        writeln!(f, "taylor test {verdict}")?;
        for p in &self.problems {
            writeln!(f, "  PROBLEM: {p}")?;
        }
        if !self.problems.is_empty() {
            return Ok(());
        }
        writeln!(f, "  {}", verdict_text(&self.first, "the gradient", 1))?;
        if let Some(s) = &self.second {
            writeln!(f, "  {}", verdict_text(s, "vᵀHv", 2))?;
        }
        let moved: Vec<&str> = self
            .inputs
            .iter()
            .enumerate()
            .filter(|(k, _)| !self.fixed.contains(k))
            .map(|(_, (n, _))| n.as_str())
            .collect();
        writeln!(
            f,
            "  along a random v over {} (elements scaled by max(1, |x|)); derivatives in {}, f in {}",
            moved.join(", "),
            self.grad_dtype,
            self.eval_dtype
        )?;
        write!(f, "  f(x) = {:.9e}, ⟨∇f, v⟩ = {:.9e}", self.f0, self.slope)?;
        match self.curvature {
            Some(c) => writeln!(f, ", vᵀHv = {c:.9e}")?,
            None => writeln!(f)?,
        }
        writeln!(
            f,
            "  {:>9}  {:>10} {:>5}  {:>10} {:>5}  {:>10} {:>5}",
            "h", "r0", "rate", "r1", "rate", "r2", "rate"
        )?;
        // A remainder below its rounding level is marked `~`; a rate is shown between two
        // usable steps.
        let cell = |r: Option<f64>, floor: f64| match r {
            None => format!("{:>10}", "–"),
            Some(r) if r <= floor => format!("{:>10}", format!("~{r:.2e}")),
            Some(r) => format!("{r:>10.3e}"),
        };
        let rates: Vec<Vec<(f64, f64)>> = (0..3).map(|o| self.rates(o)).collect();
        let rate = |o: usize, h: f64| {
            rates[o]
                .iter()
                .find(|r| r.0 == h)
                .map_or_else(|| format!("{:>5}", ""), |r| format!("{:>5.2}", r.1))
        };
        // The trailing steps whose remainders are all below rounding: the first is shown.
        let spent = self.steps.iter().rev().take_while(|s| s.spent()).count();
        let shown = self.steps.len() - spent.saturating_sub(1);
        for s in &self.steps[..shown] {
            if let Some(e) = &s.failed {
                writeln!(f, "  {:>9.3e}  f could not be evaluated: {e}", s.h)?;
                continue;
            }
            writeln!(
                f,
                "  {:>9.3e}  {} {}  {} {}  {} {}{}",
                s.h,
                cell(Some(s.r0), s.floor1),
                rate(0, s.h),
                cell(Some(s.r1), s.floor1),
                rate(1, s.h),
                cell(s.r2, s.floor2),
                rate(2, s.h),
                if s.crosses_kink { "  crosses a kink" } else { "" }
            )?;
        }
        if shown < self.steps.len() {
            writeln!(f, "  ... {} smaller steps, every remainder below rounding", self.steps.len() - shown)?;
        }
        writeln!(
            f,
            "  r0 = |f(x+hv) − f(x)|, r1 = r0's difference less h⟨∇f, v⟩, r2 less h²/2·vᵀHv too; rate = \
             log₂ of the ratio to the next row (2 for a right gradient, 3 for a right vᵀHv); ~ = below rounding"
        )?;
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        Ok(())
    }
}
