//! Gradient checking against central finite differences, with a report you can act on.
//!
//! | entry point | checks | finite differences in |
//! |---|---|---|
//! | [`gradcheck`] | ∇f of a closure over `T` | `T` (f64 sums) |
//! | [`gradcheck_fn`] | ∇f of a [`Function`], analytic gradient in `T` | **f64**, whatever `T` |
//! | [`gradgradcheck`], [`gradgradcheck_fn`] | the recorded gradient (order 1) and H·u (order 2) | as above |
//! | [`check_custom_op`], [`check_custom_op_at`] | a [`CustomOp`]'s `vjp` (and `vjp_graph`) | `T` |
//! | [`taylor_test`], [`taylor_test_fn`] | ∇f and vᵀHv along a random v, by the rates at which f's Taylor remainders shrink (no step or tolerance) | `T` (f64 for `_fn`) |
//!
//! Each returns a [`CheckReport`]: per input the max absolute and relative error, the worst
//! entries with their multi-index, analytic (reverse mode) and numeric (central difference)
//! side by side, entries that straddle a kink (relu, abs, max ties, clamp bounds) marked
//! instead of failed, and, when a whole function fails, the first tape node whose backward
//! rule disagrees with finite differences of that node alone.
//!
//! ```
//! use wengert_tape::gradcheck::{gradcheck, CheckOptions};
//! use wengert_tape::Tensor;
//!
//! let x = Tensor::from([[0.5, -1.0], [2.0, 0.25]]);
//! let report = gradcheck(|v| (v[0].sin() * v[0]).sum(), &[x], &CheckOptions::default());
//! assert!(report.passed(), "{report}");
//! println!("{report}");
//! ```
//!
//! # Defaults, and why
//! * Step `h = cbrt(ε)·max(1, |x|)` with ε the machine epsilon of the type the finite
//!   differences are computed in (6.1e-6 for f64, 4.9e-3 for f32): it balances the
//!   truncation error (∝ h²) against rounding (∝ ε/h). A fixed `1e-6` in f32 is mostly
//!   rounding noise.
//! * An entry passes if `|analytic − numeric| ≤ atol + rtol·|numeric| + noise`, where
//!   `noise = 8·ε·max(|f(x+h)| + |f(x−h)|, 2·√Σ(v·v̄)²)/(2h)` (the sum over the tape's
//!   values and adjoints at x, for intermediates that cancel) bounds the rounding error of
//!   the difference quotient itself. `atol`, `rtol` default by the dtype of the gradient under test:
//!   f64 1e-6, 1e-5; f32 1e-4, 1e-3.
//! * Inputs with more than 4096 elements in all are checked along 8 random directions per
//!   input (see [`Mode`]) instead of element by element.
//! * An entry outside tolerance at h is refined before it fails (see [`Refinement`]): the
//!   central differences at 2h, h, h/2, ... extrapolated to step 0. Where f curves strongly
//!   on the scale of h (`ln x` at 1e-3) the quotient at h is off by its truncation error
//!   and the extrapolation clears the entry; a wrong rule stays wrong at every step.

use std::cell::RefCell;
use std::fmt;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use crate::custom::CustomOp;
use crate::error::NodeId;
use crate::float::Float;
use crate::ops::Op;
use crate::replay::{replay, spec};
use crate::shape::{numel, unravel};
use crate::tape::{Inner, Tape};
use crate::tensor::Tensor;
use crate::var::Var;

mod taylor;
pub use taylor::{taylor_test, taylor_test_fn, TaylorReport, TaylorStep, TaylorVerdict};

/// A scalar function generic over the element type, so [`gradcheck_fn`] can evaluate it in
/// f64 for the finite differences while the gradient under test is computed in `f32`.
///
/// A closure cannot be generic over `T`; implement this on a (usually empty) struct.
/// Write constants with `T::from_f64`.
///
/// ```
/// use wengert_tape::gradcheck::{gradcheck_fn, CheckOptions, Function};
/// use wengert_tape::{Float, Tensor, Var};
///
/// /// Rosenbrock: (1 − x₀)² + 100 (x₁ − x₀²)².
/// struct Rosenbrock;
/// impl Function for Rosenbrock {
///     fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T> {
///         let (a, b) = (x[0].slice(0, 0, 1), x[0].slice(0, 1, 1));
///         (a.rsub(T::ONE).square() + (b - a.square()).square() * T::from_f64(100.0)).sum()
///     }
/// }
///
/// // Gradient in f32, finite differences in f64: a correct f32 gradient passes.
/// let x = Tensor::from([-1.2f32, 1.0]);
/// let report = gradcheck_fn(&Rosenbrock, &[x], &CheckOptions::default());
/// assert!(report.passed(), "{report}");
/// ```
pub trait Function {
    /// The scalar output for the inputs `x` (one [`Var`] per input tensor).
    fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T>;
}

/// How entries are probed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Mode {
    /// Every element of every input: two evaluations per element.
    Full,
    /// Per input, `directions` random unit directions v: the central difference of f along
    /// v against ⟨∇f, v⟩. Names the input but not the element; two evaluations per direction.
    Fast {
        /// Directions per input.
        directions: usize,
    },
    /// `Full` up to `max_elements` input elements in all, `Fast` beyond.
    Auto {
        /// Largest total element count checked element by element.
        max_elements: usize,
        /// Directions per input in fast mode.
        directions: usize,
    },
}

/// Options of the checkers. `None` fields take the documented per-dtype defaults.
///
/// ```
/// use wengert_tape::gradcheck::CheckOptions;
/// let o = CheckOptions::default().with_tolerances(1e-8, 1e-6).with_fast(4).with_names(&["w", "b"]);
/// assert_eq!(o.atol, Some(1e-8));
/// ```
#[derive(Clone, Debug)]
pub struct CheckOptions {
    /// Relative step: h = step·max(1, |x|). Default cbrt(ε) of the finite-difference dtype.
    pub step: Option<f64>,
    /// Absolute tolerance. Default 1e-6 (f64 gradient) or 1e-4 (f32).
    pub atol: Option<f64>,
    /// Relative tolerance. Default 1e-5 (f64 gradient) or 1e-3 (f32).
    pub rtol: Option<f64>,
    /// Element by element, random directions, or chosen by size (default: `Auto` with
    /// 4096 elements and 8 directions).
    pub mode: Mode,
    /// Seed of the random directions, cotangents and custom-op inputs (default 0).
    pub seed: u64,
    /// Worst entries listed in the report (default 5).
    pub worst: usize,
    /// On a failure, re-check each tape node's backward rule alone (default true).
    pub localize: bool,
    /// Names of the inputs in the report (default `x0`, `x1`, ...).
    pub names: Vec<String>,
    /// Range of the random inputs of [`check_custom_op`] (default −1..1).
    pub input_range: (f64, f64),
    /// Inputs held fixed, by position (default none): see [`CheckOptions::with_fixed`].
    pub fixed: Vec<usize>,
    /// Random directions of the Taylor remainder test (default 1): see
    /// [`CheckOptions::with_taylor_directions`].
    pub taylor_directions: usize,
}

impl Default for CheckOptions {
    fn default() -> Self {
        CheckOptions {
            step: None,
            atol: None,
            rtol: None,
            mode: Mode::Auto { max_elements: 4096, directions: 8 },
            seed: 0,
            worst: 5,
            localize: true,
            names: Vec::new(),
            input_range: (-1.0, 1.0),
            fixed: Vec::new(),
            taylor_directions: 1,
        }
    }
}

/// Panics with the builder's name and what is wrong with its argument.
#[track_caller]
fn refuse(builder: &str, e: Result<(), String>) {
    if let Err(e) = e {
        panic!("CheckOptions::{builder}: {e}");
    }
}

fn valid_step(step: f64) -> Result<(), String> {
    if step > 0.0 && step.is_finite() {
        Ok(())
    } else {
        Err(format!("the step must be positive and finite, got {step}"))
    }
}

fn valid_tolerance(name: &str, t: f64) -> Result<(), String> {
    if t >= 0.0 && t.is_finite() {
        Ok(())
    } else {
        Err(format!("{name} must be non-negative and finite, got {t}"))
    }
}

fn valid_directions(directions: usize) -> Result<(), String> {
    if directions > 0 {
        Ok(())
    } else {
        Err(format!("fast mode needs at least 1 direction per input, got {directions}"))
    }
}

fn valid_range(lo: f64, hi: f64) -> Result<(), String> {
    if lo.is_finite() && hi.is_finite() && lo <= hi {
        Ok(())
    } else {
        Err(format!("the input range must be finite with lo ≤ hi, got ({lo}, {hi})"))
    }
}

impl CheckOptions {
    /// The defaults.
    pub fn new() -> Self {
        Self::default()
    }
    /// Sets the relative step.
    ///
    /// # Panics
    /// If `step` is not positive and finite.
    #[track_caller]
    pub fn with_step(mut self, step: f64) -> Self {
        refuse("with_step", valid_step(step));
        self.step = Some(step);
        self
    }
    /// Sets both tolerances.
    ///
    /// # Panics
    /// If either is negative, NaN or infinite.
    #[track_caller]
    pub fn with_tolerances(mut self, atol: f64, rtol: f64) -> Self {
        refuse("with_tolerances", valid_tolerance("atol", atol).and(valid_tolerance("rtol", rtol)));
        self.atol = Some(atol);
        self.rtol = Some(rtol);
        self
    }
    /// Fast mode with `directions` random directions per input.
    ///
    /// # Panics
    /// If `directions` is 0.
    #[track_caller]
    pub fn with_fast(mut self, directions: usize) -> Self {
        refuse("with_fast", valid_directions(directions));
        self.mode = Mode::Fast { directions };
        self
    }
    /// Every element, whatever the size.
    pub fn with_full(mut self) -> Self {
        self.mode = Mode::Full;
        self
    }
    /// Sets the random seed.
    pub fn with_seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }
    /// Sets the number of worst entries listed.
    pub fn with_worst(mut self, n: usize) -> Self {
        self.worst = n;
        self
    }
    /// Turns fault localisation on or off.
    pub fn with_localize(mut self, on: bool) -> Self {
        self.localize = on;
        self
    }
    /// Names the inputs in the report.
    pub fn with_names(mut self, names: &[&str]) -> Self {
        self.names = names.iter().map(|s| s.to_string()).collect();
        self
    }
    /// Holds the inputs at these positions fixed, as PyTorch's gradcheck treats inputs
    /// with `requires_grad = False`: f receives them as constants of the tape, and they are
    /// neither moved nor checked (at either order, and not in a custom op's dot-product
    /// identity). For a loss's targets, class weights, or an op's integer-valued argument.
    /// The report lists them as held fixed; a position beyond the inputs is a problem of
    /// the check.
    ///
    /// ```
    /// use wengert_tape::gradcheck::{gradcheck, CheckOptions};
    /// use wengert_tape::Tensor;
    /// let (pred, target) = (Tensor::from([0.2, 0.7, 0.4]), Tensor::from([0.0, 1.0, 1.0]));
    /// let o = CheckOptions::default().with_names(&["pred", "target"]).with_fixed(&[1]);
    /// let r = gradcheck(|v| (v[0] - v[1]).square().mean(), &[pred, target], &o);
    /// assert!(r.passed(), "{r}");
    /// assert!(r.entries.iter().all(|e| e.probe.input() == Some(0)));
    /// ```
    pub fn with_fixed(mut self, inputs: &[usize]) -> Self {
        self.fixed = inputs.to_vec();
        self
    }

    /// The Taylor remainder test ([`taylor_test`]) along `k` random directions instead of
    /// one: the first is the `seed`'s (as with one), the others follow from it. The test
    /// sees the gradient only through ⟨∇f, v⟩, so an error nearly orthogonal to one
    /// direction can pass along it; each further direction is another chance to see it, at
    /// the cost of another run (16 to 48 evaluations of f). The report is that of the first
    /// direction that did not pass, or of the first when all passed; its notes say which.
    ///
    /// # Panics
    /// If `k` is 0.
    ///
    /// ```
    /// use wengert_tape::gradcheck::{taylor_test, CheckOptions};
    /// use wengert_tape::Tensor;
    /// let o = CheckOptions::default().with_taylor_directions(3);
    /// let r = taylor_test(|v| (v[0] * v[0].sin()).sum(), &[Tensor::from([0.5, -1.0])], &o);
    /// assert!(r.passed(), "{r}");
    /// assert!(r.notes.iter().any(|n| n.contains("all 3 random directions passed")));
    /// ```
    #[track_caller]
    pub fn with_taylor_directions(mut self, k: usize) -> Self {
        refuse(
            "with_taylor_directions",
            if k == 0 { Err("0 directions test nothing".into()) } else { Ok(()) },
        );
        self.taylor_directions = k;
        self
    }
    /// Range of random custom-op inputs.
    ///
    /// # Panics
    /// If `lo` or `hi` is not finite, or `lo > hi`.
    #[track_caller]
    pub fn with_input_range(mut self, lo: f64, hi: f64) -> Self {
        refuse("with_input_range", valid_range(lo, hi));
        self.input_range = (lo, hi);
        self
    }

    /// What is wrong with the options, for fields set directly (the builders refuse
    /// these values): each an `invalid option` problem of the report.
    fn invalid(&self) -> Vec<String> {
        let directions = match self.mode {
            Mode::Full => Ok(()),
            Mode::Fast { directions } | Mode::Auto { directions, .. } => valid_directions(directions),
        };
        [
            self.step.map_or(Ok(()), valid_step),
            self.atol.map_or(Ok(()), |t| valid_tolerance("atol", t)),
            self.rtol.map_or(Ok(()), |t| valid_tolerance("rtol", t)),
            directions,
            valid_range(self.input_range.0, self.input_range.1),
        ]
        .into_iter()
        .filter_map(|r| r.err().map(|e| format!("invalid option: {e}")))
        .collect()
    }
}

/// Default `(atol, rtol)` for a gradient computed in dtype `name` (`"f32"` or `"f64"`).
pub fn default_tolerances(name: &str) -> (f64, f64) {
    if name == "f32" {
        (1e-4, 1e-3)
    } else {
        (1e-6, 1e-5)
    }
}

/// Safety factor on the rounding error of a difference quotient.
const NOISE: f64 = 8.0;

/// Failed entries per comparison that get a step refinement.
const MAX_REFINED: usize = 20;

/// Steps a refinement tries at most: 2h, h, h/2, ..., 2h/2²³.
const LEVELS: usize = 24;

/// The settings actually used, after defaults.
#[derive(Clone, Debug)]
pub struct Resolved {
    /// Relative step.
    pub step: f64,
    /// Absolute tolerance.
    pub atol: f64,
    /// Relative tolerance.
    pub rtol: f64,
    /// Dtype of the gradient under test.
    pub grad_dtype: &'static str,
    /// Dtype the finite differences were evaluated in.
    pub fd_dtype: &'static str,
    /// Directions per input if fast mode was used.
    pub fast: Option<usize>,
    #[doc(hidden)]
    pub eps_fd: f64,
    #[doc(hidden)]
    pub round: fn(f64) -> f64,
    /// f64's ε · √Σ (value · adjoint)² over f's tape at the inputs, for the noise bound (0 if
    /// unknown).
    #[doc(hidden)]
    pub magnitude: f64,
}

fn round_to<E: Float>(x: f64) -> f64 {
    E::from_f64(x).to_f64()
}

fn resolve<T: Float, E: Float>(o: &CheckOptions, total: usize) -> Resolved {
    let (atol, rtol) = default_tolerances(T::NAME);
    let fast = match o.mode {
        Mode::Full => None,
        Mode::Fast { directions } => Some(directions),
        Mode::Auto { max_elements, directions } => (total > max_elements).then_some(directions),
    };
    Resolved {
        step: o.step.unwrap_or(E::EPSILON.to_f64().cbrt()),
        atol: o.atol.unwrap_or(atol),
        rtol: o.rtol.unwrap_or(rtol),
        grad_dtype: T::NAME,
        fd_dtype: E::NAME,
        fast,
        eps_fd: E::EPSILON.to_f64(),
        round: round_to::<E>,
        magnitude: 0.0,
    }
}

// ---------------------------------------------------------------------------------------
// Report types

/// What one entry compares.
#[derive(Clone, Debug, PartialEq)]
pub enum Probe {
    /// ∂f/∂x\[index\] of one input element.
    Element {
        /// Which input.
        input: usize,
        /// Multi-index in that input.
        index: Vec<usize>,
    },
    /// The derivative along random direction `number`, restricted to one input.
    Direction {
        /// Which input.
        input: usize,
        /// Direction number.
        number: usize,
    },
    /// The dot-product identity ⟨u, J v⟩ (numeric) = ⟨Jᵀu, v⟩ (analytic) of a custom op.
    DotProduct,
}

impl Probe {
    /// The input this entry is about, if one.
    pub fn input(&self) -> Option<usize> {
        match self {
            Probe::Element { input, .. } | Probe::Direction { input, .. } => Some(*input),
            Probe::DotProduct => None,
        }
    }
}

/// Verdict of one entry.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Within tolerance.
    Pass,
    /// Outside tolerance.
    Fail,
    /// Outside tolerance, but the two evaluations of the central difference took
    /// different branches of a non-smooth op (relu, abs, max, clamp, a mask): the function
    /// is not differentiable within the step, so this is a warning, not a failure.
    Kink,
}

/// One compared number.
#[derive(Clone, Debug, PartialEq)]
pub struct Entry {
    /// What was compared.
    pub probe: Probe,
    /// 1 for the gradient, 2 for the Hessian-vector product of [`gradgradcheck`].
    pub order: u8,
    /// From the reverse sweep (the code under test).
    pub analytic: f64,
    /// From central finite differences (the reference).
    pub numeric: f64,
    /// |analytic − numeric|.
    pub abs_err: f64,
    /// |analytic − numeric| / max(|analytic|, |numeric|).
    pub rel_err: f64,
    /// The tolerance this entry was held to (`atol + rtol·|numeric| + noise`; for an entry
    /// whose refinement settled, `atol + rtol·|numeric|`, within which `abs_err` plus the
    /// extrapolation's error `noise` must lie).
    pub tol: f64,
    /// The rounding-noise part of `tol`: 8·ε·max(|f(x+h)| + |f(x−h)|, 2·√Σ(v·v̄)²)/(2h), with
    /// the sum over the values and adjoints of f's tape at x; for an entry
    /// whose refinement settled, the extrapolation's error estimate instead.
    pub noise: f64,
    /// For an entry outside tolerance at step h (up to 20 per comparison): the central
    /// difference at smaller and smaller steps, extrapolated to step 0. If the extrapolation
    /// settles, it replaces `numeric` (and the errors and `tol` are computed against it),
    /// and the entry passes if it agrees with `analytic`.
    pub refined: Option<Refinement>,
    /// The verdict.
    pub status: Status,
}

/// The step refinement of an entry that failed at the default step: Ridders' method, the
/// central difference at steps 2h, h, h/2, ... extrapolated to step 0 (Richardson), with an
/// error estimate from the spread of the extrapolation table. It separates a wrong rule
/// (the extrapolation settles away from the analytic value) from the truncation error of a
/// strongly curved function at step h (`ln x` or `1/x` near 0: it settles at the analytic
/// value), and from a point where f is not smooth (it does not settle).
#[derive(Clone, Debug, PartialEq)]
pub struct Refinement {
    /// `(step, central difference)` at each step tried, largest first; NaN where f could
    /// not be evaluated (outside its domain).
    pub quotients: Vec<(f64, f64)>,
    /// The extrapolated derivative; NaN if no two consecutive steps gave finite quotients.
    pub estimate: f64,
    /// Its estimated error (at least the rounding noise at the step it came from).
    pub error: f64,
    /// True if the extrapolation decides the entry: the analytic value lies within the
    /// tolerance by more than `error` (the entry passes), or outside it by more than three
    /// times `error` (it fails: the rule is wrong; only while `shrinking`). Then `estimate`
    /// replaces the entry's numeric value.
    pub settled: bool,
    /// True if, at every step tried, the difference f(x + t) − f(x − t) shrank by at least
    /// a quarter from the step before (it shrinks in proportion to t where differences
    /// resolve the derivative, and faster where f′ = 0) or lay within its rounding noise,
    /// or else the quotient's change from the step before was at most half the change
    /// before that (where f′ is small next to the truncation error the quotients cross
    /// zero and the difference grows, but their changes shrink by 4 per halving).
    /// A difference that does not shrink as t halves (a jump, or f varying on a finer scale
    /// than the step: sin at 1e300, where even ulp(x) exceeds the period) says nothing about
    /// the derivative, so the analytic value is not called wrong from such steps.
    pub shrinking: bool,
}

/// The central difference at a step and its rounding noise (the bound of [`noise_of`], and
/// its part from f's values alone), NaN where f cannot be evaluated; `None` where the step
/// no longer moves the input.
type Quotient = Option<(f64, f64, f64)>;

/// Ridders' extrapolation of the central differences `q(t)` (see [`Quotient`]) to t = 0, starting from t = 2h and halving t.
/// Returns the quotients tried, the estimate, its error, and whether the differences
/// shrank with every step (see [`Refinement::shrinking`]; `done` is told too). A run of
/// non-finite quotients (steps that leave the domain) restarts the table at the next finite
/// one; the search stops when the extrapolation gets worse by a factor 2 than its best
/// (noise takes over).
fn ridders(
    q: &mut dyn FnMut(f64) -> Quotient,
    h: f64,
    done: &dyn Fn(f64, f64, bool) -> bool,
) -> (Vec<(f64, f64)>, f64, f64, bool) {
    let mut quotients = Vec::new();
    let (mut best, mut err) = (f64::NAN, f64::INFINITY);
    // The previous row of the table: the quotient at the previous step and its extrapolations.
    let mut prev: Vec<f64> = Vec::new();
    let mut shrinking = true;
    // The quotient at the step before the previous one, in the current table.
    let mut before: Option<f64> = None;
    let mut t = 2.0 * h;
    for _ in 0..LEVELS {
        // None: the step no longer moves the input (below its resolution).
        let Some((d, noise, value_noise)) = q(t) else { break };
        quotients.push((t, d));
        t *= 0.5;
        if !d.is_finite() {
            // Outside the domain (or an overflow) at this step: the next finite quotient
            // starts a new table; the best estimate so far stands.
            prev.clear();
            before = None;
            continue;
        }
        // The difference is the quotient times the step: it shrank by a quarter from the
        // previous step's if the quotient grew by at most half.
        // Against the rounding noise of f's values only: the part of `noise` from the
        // tape's values and adjoints is linear in the input's rounding, and meaningless
        // where f varies on a finer scale than that rounding (sin at 1e300).
        // Where f′ is small next to the truncation error the quotients f′ + c·t² cross
        // zero as t shrinks, and the difference grows from one step to the next although
        // the steps resolve f: the quotients' own changes still shrink, by about 4 per
        // halving (−3c·t², −3c·t²/4, ...). A step counts against the differences only if
        // its quotient's change from the step before did not shrink by half either (so
        // never on the second step of a table: a jump, or sin at 1e300, shows on the next).
        let p1 = prev.first().copied();
        let grew = p1.is_some_and(|p| d.abs() > 1.5 * p.abs() && d.abs() > value_noise);
        let changes_shrink = match (p1, before) {
            (Some(p), Some(b)) => (d - p).abs() <= 0.5 * (p - b).abs() || (d - p).abs() <= value_noise,
            _ => true,
        };
        if grew && !changes_shrink {
            shrinking = false;
        }
        before = p1;
        let mut row = vec![d];
        let mut fac = 4.0;
        for (j, &p) in prev.iter().enumerate() {
            let v = (row[j] * fac - p) / (fac - 1.0);
            fac *= 4.0;
            // At least the rounding error of the quotients (`noise` is its bound with a
            // safety factor of NOISE; the table's own spread shows the rest).
            let e = (v - row[j]).abs().max((v - p).abs()).max(2.0 * noise / NOISE);
            if e <= err {
                (best, err) = (v, e);
            }
            row.push(v);
        }
        prev = row;
        // At least three steps into a table before a verdict is taken from it.
        if prev.len() >= 3 && done(best, err, shrinking) {
            break;
        }
    }
    (quotients, best, err, shrinking)
}

/// A place in the recorded tape within one step of a non-smooth point.
#[derive(Clone, Debug, PartialEq)]
pub struct KinkSite {
    /// The node of the non-smooth op.
    pub node: NodeId,
    /// Its op name (``custom `my_op` `` for a custom op).
    pub op: String,
    /// Multi-index of the element in the op's output (or input, for a reduction; for a
    /// custom op, in the argument `argument`).
    pub index: Vec<usize>,
    /// For a custom op, the argument `index` is in.
    pub argument: Option<usize>,
    /// Distance to the breakpoint; NaN for a custom op, whose declared branches say on
    /// which side of a breakpoint the inputs are but not how far from it.
    pub distance: f64,
    /// The convention the engine uses there.
    pub convention: &'static str,
}

/// The first node whose backward rule disagrees with finite differences of that node.
#[derive(Clone, Debug, PartialEq)]
pub struct Localisation {
    /// The node.
    pub node: NodeId,
    /// The op, e.g. `mul` or ``custom `my_loss` ``.
    pub op: String,
    /// Which argument of the op (0-based); `None` when the backward rule failed with an
    /// error that names no single argument (a wrong number of gradients, a panic).
    pub argument: Option<usize>,
    /// The node feeding that argument.
    pub parent: Option<NodeId>,
    /// All the op's arguments.
    pub parents: Vec<NodeId>,
    /// The worst element of that argument, when it was checked element by element.
    pub index: Option<Vec<usize>>,
    /// Analytic value there (from the op's backward rule).
    pub analytic: f64,
    /// Numeric value there (central difference of the op alone).
    pub numeric: f64,
    /// What went wrong, if the rule did not even run (a panic message).
    pub message: Option<String>,
    /// 1: the op's backward rule (`vjp`); 2: its recorded rule (`vjp_graph`) or the
    /// derivative of it, found by [`gradgradcheck`].
    pub order: u8,
}

impl fmt::Display for Localisation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let args: Vec<String> = self.parents.iter().map(|p| p.to_string()).collect();
        write!(f, "{} = {}({})", self.node, self.op, args.join(", "))?;
        if let (Some(k), Some(p)) = (self.argument, self.parent) {
            write!(f, ", argument {k} ({p})")?;
        }
        if let Some(m) = &self.message {
            return match self.argument {
                Some(_) => write!(f, ": backward failed: {m}"),
                None => write!(f, ": backward failed (the error names no argument): {m}"),
            };
        }
        match &self.index {
            Some(i) => write!(f, " at {i:?}")?,
            None => write!(f, " along a random direction")?,
        }
        write!(f, ": analytic {} vs numeric {}", num(self.analytic), num(self.numeric))?;
        if self.numeric != 0.0 && self.analytic.is_finite() {
            write!(f, " (ratio {:.6})", self.analytic / self.numeric)?;
        }
        Ok(())
    }
}

/// Per-input summary.
#[derive(Clone, Debug, PartialEq)]
pub struct InputSummary {
    /// Input number.
    pub input: usize,
    /// Name shown in the report.
    pub name: String,
    /// Its shape.
    pub shape: Vec<usize>,
    /// Entries compared.
    pub entries: usize,
    /// Entries failed.
    pub failed: usize,
    /// Entries excused as kinks.
    pub kinks: usize,
    /// Largest absolute error.
    pub max_abs_err: f64,
    /// Largest relative error.
    pub max_rel_err: f64,
}

/// The result of a check; `Display` prints a readable report.
#[derive(Clone, Debug)]
pub struct CheckReport {
    /// What was checked (`gradcheck`, `gradgradcheck`, `custom op \`cube\``).
    pub title: String,
    /// Every entry compared.
    pub entries: Vec<Entry>,
    /// Input names and shapes.
    pub inputs: Vec<(String, Vec<usize>)>,
    /// Inputs held fixed ([`CheckOptions::with_fixed`]), by position, in order: not checked.
    pub fixed: Vec<usize>,
    /// The settings used.
    pub resolved: Resolved,
    /// Non-smooth points of the recorded tape within one step.
    pub kink_sites: Vec<KinkSite>,
    /// The first faulty backward rule, if localisation ran and found one.
    pub localisation: Option<Localisation>,
    /// True if localisation ran over the whole tape (so `localisation == None` means every
    /// node passed alone). False if it did not run or stopped at a non-finite value.
    pub localized: bool,
    /// Problems that make the check fail outright (a panic, a non-scalar output, a VJP of
    /// the wrong shape), each naming the input or node.
    pub problems: Vec<String>,
    /// Remarks that do not fail the check.
    pub notes: Vec<String>,
    /// Worst entries to list.
    pub worst: usize,
}

impl CheckReport {
    fn new(
        title: String,
        names: &[String],
        shapes: Vec<Vec<usize>>,
        resolved: Resolved,
        worst: usize,
    ) -> Self {
        let inputs = shapes
            .into_iter()
            .enumerate()
            .map(|(i, s)| (names.get(i).cloned().unwrap_or_else(|| format!("x{i}")), s))
            .collect();
        CheckReport {
            title,
            entries: Vec::new(),
            inputs,
            fixed: Vec::new(),
            resolved,
            kink_sites: Vec::new(),
            localisation: None,
            localized: false,
            problems: Vec::new(),
            notes: Vec::new(),
            worst,
        }
    }

    /// Entries outside tolerance (kinks excluded).
    pub fn failures(&self) -> Vec<&Entry> {
        self.entries.iter().filter(|e| e.status == Status::Fail).collect()
    }

    /// Entries excused because they straddle a kink.
    pub fn kinks(&self) -> Vec<&Entry> {
        self.entries.iter().filter(|e| e.status == Status::Kink).collect()
    }

    /// True if there is no failed entry and no problem.
    pub fn passed(&self) -> bool {
        self.problems.is_empty() && self.entries.iter().all(|e| e.status != Status::Fail)
    }

    /// Largest absolute error over all entries.
    pub fn max_abs_err(&self) -> f64 {
        self.entries.iter().map(|e| e.abs_err).fold(0.0, nan_max)
    }

    /// Largest relative error over all entries.
    pub fn max_rel_err(&self) -> f64 {
        self.entries.iter().map(|e| e.rel_err).fold(0.0, nan_max)
    }

    /// Per-input summaries.
    pub fn summaries(&self) -> Vec<InputSummary> {
        self.summarise(None)
    }

    /// Per-input summaries of the entries of one order (1: gradient, 2: H·u).
    pub fn summaries_of_order(&self, order: u8) -> Vec<InputSummary> {
        self.summarise(Some(order))
    }

    fn summarise(&self, order: Option<u8>) -> Vec<InputSummary> {
        self.inputs
            .iter()
            .enumerate()
            .map(|(k, (name, shape))| {
                let es: Vec<&Entry> = self
                    .entries
                    .iter()
                    .filter(|e| e.probe.input() == Some(k) && order.is_none_or(|o| e.order == o))
                    .collect();
                InputSummary {
                    input: k,
                    name: if order == Some(2) { format!("{name} H·u") } else { name.clone() },
                    shape: shape.clone(),
                    entries: es.len(),
                    failed: es.iter().filter(|e| e.status == Status::Fail).count(),
                    kinks: es.iter().filter(|e| e.status == Status::Kink).count(),
                    max_abs_err: es.iter().map(|e| e.abs_err).fold(0.0, nan_max),
                    max_rel_err: es.iter().map(|e| e.rel_err).fold(0.0, nan_max),
                }
            })
            .collect()
    }

    /// The `n` worst entries: failures first, then by error relative to tolerance.
    pub fn worst_entries(&self, n: usize) -> Vec<&Entry> {
        let mut v: Vec<&Entry> = self.entries.iter().collect();
        let key = |e: &Entry| {
            let r = e.abs_err / e.tol.max(f64::MIN_POSITIVE);
            let rank = match e.status {
                Status::Fail => 2.0,
                Status::Kink => 1.0,
                Status::Pass => 0.0,
            };
            (rank, if r.is_nan() { f64::INFINITY } else { r })
        };
        v.sort_by(|a, b| key(b).partial_cmp(&key(a)).unwrap_or(std::cmp::Ordering::Equal));
        v.truncate(n);
        v
    }

    fn probe_label(&self, e: &Entry) -> String {
        let name = |k: usize| self.inputs.get(k).map(|s| s.0.clone()).unwrap_or_else(|| format!("x{k}"));
        let p = match &e.probe {
            Probe::Element { input, index } => format!("{}{:?}", name(*input), index),
            Probe::Direction { input, number } => format!("{} dir {number}", name(*input)),
            Probe::DotProduct => "<u,Jv>".to_string(),
        };
        if e.order == 2 {
            format!("(H·u) {p}")
        } else {
            p
        }
    }
}

/// What a refinement says about its entry, in words.
fn refinement_verdict(e: &Entry, rf: &Refinement) -> String {
    if e.status == Status::Pass {
        return "passes: the central difference at h was off by its truncation error (f curves strongly \
                here), the extrapolation agrees"
            .into();
    }
    if e.analytic.is_nan() {
        return "the analytic value is NaN".into();
    }
    if rf.settled {
        return "settled: the analytic value is wrong".into();
    }
    let close = rf.error <= 1e-3 * rf.estimate.abs().max(e.analytic.abs());
    if rf.estimate.is_finite() && close && (e.analytic - rf.estimate).abs() <= 3.0 * rf.error {
        return "agrees with the analytic value within its own error, but that error leaves it unsure \
                against the tolerance: the tolerance is tighter than differences can resolve here"
            .into();
    }
    if rf.quotients.iter().all(|q| !q.1.is_finite()) {
        return "not finite at any step tried: outside the function's domain, or an overflow".into();
    }
    if !rf.shrinking {
        return "does not settle as the step shrinks: the differences f(x+t) − f(x−t) do not shrink with t \
                though above their rounding noise, so they cannot resolve the derivative here: f jumps (a jump \
                or kink the checker does not see) or varies on a finer scale than the steps tried (as sin at \
                1e300, where even ulp(x) exceeds the period); the analytic value is not judged"
            .into();
    }
    if !rf.estimate.is_finite() {
        return "not finite at two steps in a row: outside the function's domain, or an overflow".into();
    }
    "does not settle as the step shrinks: f is not smooth here (a jump or a kink the checker \
     does not see), or the tolerance is below what differences can resolve; suspect the step or precision"
        .into()
}

fn nan_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn num(x: f64) -> String {
    format!("{x:.9e}")
}

fn short(x: f64) -> String {
    format!("{x:.2e}")
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let r = &self.resolved;
        let failed = self.failures().len();
        let kinks = self.kinks().len();
        let verdict = if self.passed() { "PASSED" } else { "FAILED" };
        writeln!(
            f,
            "{} {verdict}: {} entries, {failed} failed, {kinks} at kinks, {} problems",
            self.title,
            self.entries.len(),
            self.problems.len()
        )?;
        writeln!(
            f,
            "  analytic = reverse-mode gradient in {}; numeric = central difference in {}",
            r.grad_dtype, r.fd_dtype
        )?;
        let mode = match r.fast {
            Some(d) => format!("fast mode, {d} random unit directions per input"),
            None => "every element".to_string(),
        };
        writeln!(
            f,
            "  {mode}; step h = {}·max(1, |x|); pass if |analytic − numeric| ≤ {} + {}·|numeric| + rounding noise",
            short(r.step),
            short(r.atol),
            short(r.rtol)
        )?;
        for p in &self.problems {
            writeln!(f, "  PROBLEM: {p}")?;
        }
        if !self.inputs.is_empty() {
            writeln!(
                f,
                "  {:<10} {:<12} {:>8} {:>7} {:>6} {:>12} {:>12}",
                "input", "shape", "entries", "failed", "kinks", "max abs err", "max rel err"
            )?;
            let rows = if self.entries.iter().any(|e| e.order == 2) {
                let mut v = self.summaries_of_order(1);
                v.extend(self.summaries_of_order(2));
                v
            } else {
                self.summaries()
            };
            for s in rows.into_iter().filter(|s| !self.fixed.contains(&s.input)) {
                writeln!(
                    f,
                    "  {:<10} {:<12} {:>8} {:>7} {:>6} {:>12} {:>12}",
                    s.name,
                    format!("{:?}", s.shape),
                    s.entries,
                    s.failed,
                    s.kinks,
                    short(s.max_abs_err),
                    short(s.max_rel_err)
                )?;
            }
            if !self.fixed.is_empty() {
                let held: Vec<String> = self
                    .fixed
                    .iter()
                    .filter_map(|&k| self.inputs.get(k))
                    .map(|(name, shape)| format!("{name} {shape:?}"))
                    .collect();
                writeln!(f, "  held fixed (constants of the tape, not checked): {}", held.join(", "))?;
            }
        }
        let worst = self.worst_entries(self.worst);
        if !worst.is_empty() {
            writeln!(f, "  worst entries:")?;
            writeln!(
                f,
                "  {:<6} {:<18} {:>17} {:>17} {:>9} {:>9} {:>9}",
                "status", "entry", "analytic", "numeric", "abs err", "rel err", "tol"
            )?;
            for e in worst {
                let st = match e.status {
                    Status::Pass => "ok",
                    Status::Fail => "FAIL",
                    Status::Kink => "kink",
                };
                writeln!(
                    f,
                    "  {:<6} {:<18} {:>17} {:>17} {:>9} {:>9} {:>9}",
                    st,
                    self.probe_label(e),
                    num(e.analytic),
                    num(e.numeric),
                    short(e.abs_err),
                    short(e.rel_err),
                    short(e.tol)
                )?;
            }
        }
        // Refined entries: the failures first (as worst_entries orders them), then those
        // that passed only once refined.
        let mut refined: Vec<&Entry> =
            self.worst_entries(self.entries.len()).into_iter().filter(|e| e.refined.is_some()).collect();
        let more = refined.len().saturating_sub(self.worst.max(1));
        refined.truncate(self.worst.max(1));
        if !refined.is_empty() {
            writeln!(
                f,
                "  step refinement of the entries outside tolerance at h (numeric at 2h, h, h/2 → extrapolated to step 0):"
            )?;
            for e in refined {
                let rf = e.refined.as_ref().expect("filtered");
                let at = |j: usize| rf.quotients.get(j).map_or(f64::NAN, |q| q.1);
                writeln!(
                    f,
                    "    {:<18} {} {} {} → {} ± {}  {}",
                    self.probe_label(e),
                    num(at(0)),
                    num(at(1)),
                    num(at(2)),
                    num(rf.estimate),
                    short(rf.error),
                    refinement_verdict(e, rf)
                )?;
            }
            if more > 0 {
                writeln!(f, "    ... {more} more")?;
            }
        }
        if kinks > 0 {
            writeln!(
                f,
                "  {kinks} entries straddle a non-smooth point (the two evaluations took different \
                 branches); not counted as failures"
            )?;
        }
        if !self.kink_sites.is_empty() {
            writeln!(f, "  non-smooth points within one step of the inputs:")?;
            for k in self.kink_sites.iter().take(5) {
                match k.argument {
                    Some(a) => writeln!(
                        f,
                        "    {} {} at {:?} of argument {a}: its declared branches differ one step either side \
                         (the distance to the breakpoint is unknown for a custom op); convention {}",
                        k.node, k.op, k.index, k.convention
                    )?,
                    None => writeln!(
                        f,
                        "    {} {} at {:?}: {} from the breakpoint; convention {}",
                        k.node,
                        k.op,
                        k.index,
                        short(k.distance),
                        k.convention
                    )?,
                }
            }
            if self.kink_sites.len() > 5 {
                writeln!(f, "    ... {} more", self.kink_sites.len() - 5)?;
            }
        }
        if let Some(l) = &self.localisation {
            let what = if l.order == 2 { "second-order rule (vjp_graph)" } else { "backward rule" };
            writeln!(f, "  first wrong {what}: {l}")?;
        } else if self.localized {
            writeln!(
                f,
                "  localisation: every node's backward rule agrees with finite differences of that \
                 node alone (look at precision, kinks or the step)"
            )?;
        }
        for n in &self.notes {
            writeln!(f, "  note: {n}")?;
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------
// Randomness (SplitMix64; no dependency)

/// A small deterministic generator (SplitMix64) for directions, cotangents and inputs.
#[derive(Clone, Debug)]
pub(crate) struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }
    /// Standard normal (Box–Muller).
    pub fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.uniform();
        let u2 = self.uniform();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
    pub fn normals(&mut self, n: usize) -> Vec<f64> {
        (0..n).map(|_| self.normal()).collect()
    }
    /// A random unit vector.
    pub fn unit(&mut self, n: usize) -> Vec<f64> {
        let mut v = self.normals(n);
        let norm = v.iter().map(|x| x * x).sum::<f64>().sqrt();
        if norm > 0.0 {
            v.iter_mut().for_each(|x| *x /= norm);
        }
        v
    }
}

// ---------------------------------------------------------------------------------------
// Plumbing

/// A scalar function recorded on a tape of `T`: closures and [`Function`]s alike, and the
/// checker's own functions (one node replayed alone, a custom op), which fail with an
/// error instead of a panic.
pub(crate) trait Func<T: Float> {
    fn call<'t>(&self, xs: &[Var<'t, T>]) -> Result<Var<'t, T>, String>;
}

struct Closure<F>(F);
impl<T: Float, F> Func<T> for Closure<F>
where
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    fn call<'t>(&self, xs: &[Var<'t, T>]) -> Result<Var<'t, T>, String> {
        Ok((self.0)(xs))
    }
}

/// f with the inputs at `fixed` given to it as constants of the tape, at their values
/// ([`CheckOptions::with_fixed`]): no gradient flows into them, at either order.
struct Held<'a, F> {
    f: &'a F,
    fixed: &'a [usize],
}
impl<T: Float, F: Func<T>> Func<T> for Held<'_, F> {
    fn call<'t>(&self, xs: &[Var<'t, T>]) -> Result<Var<'t, T>, String> {
        if self.fixed.is_empty() {
            return self.f.call(xs);
        }
        let held: Vec<Var<'t, T>> = xs
            .iter()
            .enumerate()
            .map(|(k, x)| if self.fixed.contains(&k) { x.tape().constant(&x.value()) } else { *x })
            .collect();
        self.f.call(&held)
    }
}

struct Generic<'a, G>(&'a G);
impl<T: Float, G: Function> Func<T> for Generic<'_, G> {
    fn call<'t>(&self, xs: &[Var<'t, T>]) -> Result<Var<'t, T>, String> {
        Ok(self.0.eval(xs))
    }
}

fn panic_message(e: Box<dyn std::any::Any + Send>) -> String {
    if let Some(s) = e.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = e.downcast_ref::<String>() {
        s.clone()
    } else {
        "panic with a non-string payload".to_string()
    }
}

/// Runs `f`, turning a panic into its message.
fn catch<R>(f: impl FnOnce() -> R) -> Result<R, String> {
    catch_unwind(AssertUnwindSafe(f)).map_err(panic_message)
}

/// [`catch`] of a fallible `f`: a panic and an error alike become the message.
fn catch_result<R, E: fmt::Display>(f: impl FnOnce() -> Result<R, E>) -> Result<R, String> {
    catch(f)?.map_err(|e| e.to_string())
}

fn to_f64<T: Float>(t: &Tensor<T>) -> Tensor<f64> {
    t.cast::<f64>()
}

/// The custom nodes of one check whose op declared no branches (`branches` returned
/// `None`), by node id, with the op's name. The evaluations of a check record f again and
/// again, with the same ops at the same nodes; an op that declares no branches is smooth,
/// so it is asked once per check and its inputs are not copied again to ask it.
#[derive(Default)]
pub(crate) struct Smooth(RefCell<std::collections::HashMap<u32, String>>);

impl Smooth {
    fn knows(&self, id: u32, name: &str) -> bool {
        self.0.borrow().get(&id).is_some_and(|n| n == name)
    }
}

/// Branch codes of every non-smooth op on the tape: two evaluations with equal codes took
/// the same branches everywhere. An error if a custom op's `branches` panics.
pub(crate) fn signature<T: Float>(inner: &Inner<T>, smooth: &Smooth) -> Result<Vec<u32>, String> {
    let mut s = vec![inner.nodes.len() as u32];
    let cmp = |a: T, b: T| -> u32 {
        if a > b {
            2
        } else if a == b {
            1
        } else {
            0
        }
    };
    for (i, n) in inner.nodes.iter().enumerate() {
        let id = i as u32;
        match n.op {
            Op::Relu | Op::Abs | Op::StepMask | Op::SignMask | Op::IsZeroMask => {
                s.extend(inner.value(n.a).iter().map(|&x| cmp(x, T::ZERO)));
            }
            Op::Clamp | Op::RangeMask => {
                let c = &inner.consts[n.aux as usize..n.aux as usize + 2];
                s.extend(inner.value(n.a).iter().map(|&x| cmp(x, c[0]) * 3 + cmp(x, c[1])));
            }
            Op::Maximum | Op::Minimum | Op::MaxWeight | Op::EqMask | Op::GtMask | Op::GeMask => {
                let (a, b) = (inner.value(n.a), inner.value(n.b));
                s.extend(a.iter().zip(b).map(|(&x, &y)| cmp(x, y)));
            }
            // Which elements the mask selects (it switches where it crosses 0; a mask op
            // upstream reports its own breakpoint as a kink).
            Op::Masked => s.extend(inner.value(n.b).iter().map(|&m| (m != T::ZERO) as u32)),
            Op::Select => s.extend(inner.value(n.aux).iter().map(|&m| (m != T::ZERO) as u32)),
            // The branches a custom op declares (none for a smooth one).
            Op::Custom => {
                let (op, parents) = crate::custom::parts(inner, id);
                if smooth.knows(id, op.name()) {
                    continue;
                }
                let xs: Vec<Tensor<T>> = parents.iter().map(|&p| inner.tensor(p)).collect();
                let refs: Vec<&Tensor<T>> = xs.iter().collect();
                match declared_branches(op.as_ref(), op.name(), &refs)? {
                    Some(codes) => {
                        s.push(u32::MAX);
                        s.extend(codes);
                    }
                    None => {
                        smooth.0.borrow_mut().insert(id, op.name().to_string());
                    }
                }
            }
            Op::MaxAxis => {
                // Which elements equal their maximum (the tie set).
                let axis = inner.ints[n.aux as usize];
                let dims = inner.dims(n.a).to_vec();
                let (outer, len, inn) = crate::ops::reduce::split_axis(&dims, axis);
                let (x, y) = (inner.value(n.a), inner.value(id));
                for o in 0..outer {
                    for j in 0..inn {
                        for k in 0..len {
                            s.push((x[(o * len + k) * inn + j] == y[o * inn + j]) as u32);
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(s)
}

/// The branch codes custom op `op` (called `name`) declares at `inputs`; its panic, as an
/// error.
fn declared_branches<T: Float>(
    op: &dyn CustomOp<T>,
    name: &str,
    inputs: &[&Tensor<T>],
) -> Result<Option<Vec<u32>>, String> {
    catch(|| op.branches(inputs)).map_err(|e| format!("the branches of custom `{name}` panicked: {e}"))
}

/// Non-smooth points of the tape within `step·max(1, |x|)` of their breakpoint.
fn kink_sites<T: Float>(inner: &Inner<T>, step: f64, smooth: &Smooth) -> Vec<KinkSite> {
    let mut out = Vec::new();
    let near = |x: f64, d: f64| d <= step * x.abs().max(1.0);
    for (i, n) in inner.nodes.iter().enumerate() {
        if !n.grad
            && !matches!(
                n.op,
                Op::StepMask | Op::SignMask | Op::RangeMask | Op::MaxWeight | Op::GtMask | Op::GeMask
            )
        {
            continue;
        }
        let node = NodeId(i as u32);
        let dims = inner.dims(i as u32).to_vec();
        let mut push = |flat: usize, dims: &[usize], d: f64, op: Op, conv: &'static str| {
            if out.len() < 1000 {
                out.push(KinkSite {
                    node,
                    op: op.name().to_string(),
                    index: unravel(flat, dims),
                    argument: None,
                    distance: d,
                    convention: conv,
                })
            }
        };
        match n.op {
            Op::Relu | Op::Abs | Op::StepMask | Op::SignMask => {
                let conv = match n.op {
                    Op::Relu => "relu'(0) = 0",
                    Op::Abs => "abs'(0) = 0",
                    _ => "masks carry no gradient",
                };
                for (k, &x) in inner.value(n.a).iter().enumerate() {
                    let x = x.to_f64();
                    if near(x, x.abs()) {
                        push(k, &dims, x.abs(), n.op, conv);
                    }
                }
            }
            Op::Clamp | Op::RangeMask => {
                let c = &inner.consts[n.aux as usize..n.aux as usize + 2];
                let (lo, hi) = (c[0].to_f64(), c[1].to_f64());
                for (k, &x) in inner.value(n.a).iter().enumerate() {
                    let x = x.to_f64();
                    let d = (x - lo).abs().min((x - hi).abs());
                    if near(x, d) {
                        push(k, &dims, d, n.op, "clamp' = 0 at a bound");
                    }
                }
            }
            Op::Maximum | Op::Minimum | Op::MaxWeight | Op::GtMask | Op::GeMask => {
                let (a, b) = (inner.value(n.a), inner.value(n.b));
                for (k, (&x, &y)) in a.iter().zip(b).enumerate() {
                    let (x, y) = (x.to_f64(), y.to_f64());
                    if near(x.abs().max(y.abs()), (x - y).abs()) {
                        let conv = match n.op {
                            Op::GtMask | Op::GeMask => "masks carry no gradient",
                            _ => "a tie splits the gradient ½/½",
                        };
                        push(k, &dims, (x - y).abs(), n.op, conv);
                    }
                }
            }
            Op::MaxAxis => {
                let axis = inner.ints[n.aux as usize];
                let xd = inner.dims(n.a).to_vec();
                let (outer, len, inn) = crate::ops::reduce::split_axis(&xd, axis);
                let x = inner.value(n.a);
                for o in 0..outer {
                    for j in 0..inn {
                        let mut v: Vec<f64> = (0..len).map(|k| x[(o * len + k) * inn + j].to_f64()).collect();
                        v.sort_by(|a, b| b.partial_cmp(a).unwrap_or(std::cmp::Ordering::Equal));
                        if len > 1 && near(v[0], v[0] - v[1]) {
                            push(o * inn + j, &dims, v[0] - v[1], n.op, "ties split the gradient evenly");
                        }
                    }
                }
            }
            Op::Custom => custom_kink_sites(inner, i as u32, step, smooth, &mut out),
            _ => {}
        }
    }
    out
}

/// Elements of a custom op's arguments it asks about for [`custom_kink_sites`] (two calls
/// of its `branches` each).
const CUSTOM_KINK_ELEMENTS: usize = 4096;

/// The elements of custom node `id`'s arguments whose move by ∓`step`·max(1, |x|) changes
/// the branch codes the op declares (none if it declares none, or its `branches` panics:
/// the branch signature reports that). The first [`CUSTOM_KINK_ELEMENTS`] elements only.
fn custom_kink_sites<T: Float>(
    inner: &Inner<T>,
    id: u32,
    step: f64,
    smooth: &Smooth,
    out: &mut Vec<KinkSite>,
) {
    let (op, parents) = crate::custom::parts(inner, id);
    let name = op.name();
    if smooth.knows(id, name) {
        return;
    }
    let mut xs: Vec<Tensor<T>> = parents.iter().map(|&p| inner.tensor(p)).collect();
    let codes = |xs: &[Tensor<T>]| {
        let refs: Vec<&Tensor<T>> = xs.iter().collect();
        declared_branches(op.as_ref(), name, &refs)
    };
    match codes(&xs) {
        Ok(Some(_)) => {}
        Ok(None) => {
            smooth.0.borrow_mut().insert(id, name.to_string());
            return;
        }
        // The branch signature of each evaluation reports it.
        Err(_) => return,
    }
    let mut asked = 0;
    for k in 0..xs.len() {
        for i in 0..xs[k].len() {
            if asked == CUSTOM_KINK_ELEMENTS || out.len() >= 1000 {
                return;
            }
            asked += 1;
            let x = xs[k].data()[i];
            let h = step * x.to_f64().abs().max(1.0);
            let mut at = |t: f64| {
                xs[k].data_mut()[i] = T::from_f64(x.to_f64() + t);
                let c = codes(&xs);
                xs[k].data_mut()[i] = x;
                c
            };
            if at(-h).ok().flatten() != at(h).ok().flatten() {
                out.push(KinkSite {
                    node: NodeId(id),
                    op: format!("custom `{name}`"),
                    index: unravel(i, xs[k].shape()),
                    argument: Some(k),
                    distance: f64::NAN,
                    convention: "whatever the op's vjp returns there",
                });
            }
        }
    }
}

type Phi<'a> = dyn Fn(&[Tensor<f64>]) -> Result<(f64, Vec<u32>), String> + 'a;

/// f evaluated in `E` on inputs given in f64 (already representable in `E`).
fn eval_value<E: Float, F: Func<E>>(
    f: &F,
    xs: &[Tensor<f64>],
    smooth: &Smooth,
) -> Result<(f64, Vec<u32>), String> {
    let tape = Tape::<E>::new();
    let vars: Vec<Var<'_, E>> = xs.iter().map(|x| tape.var(&x.cast::<E>())).collect();
    let y = record(f, &tape, &vars)?;
    if y.len() != 1 {
        return Err(not_scalar(y));
    }
    let v = y.item().to_f64();
    let sig = signature(&tape.inner.borrow(), smooth)?;
    Ok((v, sig))
}

/// Σₖ ⟨∇ₖf, uₖ⟩ with ∇f recorded by `backward_graph`, evaluated in `E`.
fn eval_gdot<E: Float, F: Func<E>>(
    f: &F,
    xs: &[Tensor<f64>],
    u: &[Tensor<f64>],
    smooth: &Smooth,
) -> Result<(f64, Vec<u32>), String> {
    let tape = Tape::<E>::new();
    let vars: Vec<Var<'_, E>> = xs.iter().map(|x| tape.var(&x.cast::<E>())).collect();
    let s = catch_result(|| gdot(f, &tape, &vars, u))?;
    let v = s.item().to_f64();
    let sig = signature(&tape.inner.borrow(), smooth)?;
    Ok((v, sig))
}

fn gdot<'t, E: Float, F: Func<E>>(
    f: &F,
    tape: &'t Tape<E>,
    vars: &[Var<'t, E>],
    u: &[Tensor<f64>],
) -> Result<Var<'t, E>, String> {
    let y = record(f, tape, vars)?;
    if y.len() != 1 {
        return Err(not_scalar(y));
    }
    let gv = y.try_backward_graph().map_err(|e| e.to_string())?;
    let mut s = tape.scalar_constant(E::ZERO);
    for (x, uk) in vars.iter().zip(u) {
        s += (gv.wrt(*x) * tape.constant(&uk.cast::<E>())).sum();
    }
    Ok(s)
}

/// f recorded on `vars` (variables of `tape`): its output, or why there is none (a
/// panic, an error of the checker's own functions, an output on another tape than the
/// inputs', which the tape itself tells even when f has no inputs).
fn record<'t, T: Float, F: Func<T>>(
    f: &F,
    tape: &'t Tape<T>,
    vars: &[Var<'t, T>],
) -> Result<Var<'t, T>, String> {
    let y = catch_result(|| f.call(vars))?;
    if !std::ptr::eq(tape, y.tape()) {
        return Err(format!(
            "the function returned {} of another tape than its inputs'; a checked function must compute \
             its output from the variables it is given",
            y.node()
        ));
    }
    Ok(y)
}

fn not_scalar<T: Float>(y: Var<'_, T>) -> String {
    format!(
        "the function returned shape {:?} ({}); a checked function must return a scalar (reduce it, e.g. with .sum())",
        y.shape().as_slice(),
        y.node()
    )
}

/// How a pair of evaluations at x ± h relates to a non-smooth point: `None` if both took
/// the same branches, else the one-sided difference quotients `(left, right)` (from
/// f(x − h) to f(x) and from f(x) to f(x + h)), or NaN for both if f(x) could not be
/// evaluated.
/// At a kink: the one-sided difference quotients at h and at 2h, `(left, right, left2,
/// right2)` (NaN for one not taken). How much they move from 2h to h estimates their
/// truncation error; a side whose quotient doubles as the step halves has a jump.
type Flip = Option<(f64, f64, f64, f64)>;

/// Builds an entry. An entry outside tolerance whose evaluations straddle a kink (`flip`)
/// is excused only if the analytic value lies between the one-sided difference quotients,
/// widened by the tolerance, twice the noise and their truncation error: a rule that is
/// right on one side of the kink, or in between (a subgradient, as the conventions are),
/// passes; a wrong rule that happens to sit next to a kink (anywhere in the input, for a
/// random direction) does not, nor one outside the two sides (relu'(0) = 2).
#[allow(clippy::too_many_arguments)]
fn judge(probe: Probe, order: u8, a: f64, n: f64, scale: f64, noise: f64, flip: Flip, r: &Resolved) -> Entry {
    let abs_err = (a - n).abs();
    let tol = r.atol + r.rtol * scale.max(n.abs()) + noise;
    // An infinite error never passes, whatever the tolerance.
    let ok = a == n || (abs_err <= tol && abs_err.is_finite());
    let rel_err = if a == n { 0.0 } else { abs_err / a.abs().max(n.abs()) };
    let between = |(left, right, left2, right2): (f64, f64, f64, f64)| {
        let (lo, hi) = (left.min(right), left.max(right));
        let slack = tol + 2.0 * noise + one_sided_truncation(left, left2, right, right2);
        // A side outside the domain (a NaN or infinite quotient) excuses nothing: the band
        // would be unbounded. A NaN or infinite analytic value is no side's derivative.
        let fits = a.is_finite() && lo.is_finite() && hi.is_finite() && a >= lo - slack && a <= hi + slack;
        // A side whose quotient doubles as the step halves, by more than the tolerance:
        // the function differenced jumps between x and that side (at order 2, the
        // gradient of |x| at 0 jumps from −1 to 1), so it has no derivative there to
        // compare with, whatever the convention. Both sides of x + 2h·(jump) away from x.
        // A smooth f can double one side's quotient too, where f′ ≈ −1.5·h·f″ (1.5 steps
        // from an extremum, as sin(1000x) is at 1.5621e-3), but then it moves the other
        // side's by as much: from 2h to h a smooth f's one-sided quotients both move by
        // f″h/2 (q(2h) − q(h) = q(−h) − q(−2h), up to f‴h²), a jump moves only its own
        // side's. So a side is a jump only if the other side's quotients, both finite, do
        // not move in step with it.
        let mismatch = ((right2 - right) - (left - left2)).abs();
        let jumps = |q: f64, q2: f64| {
            q.is_finite()
                && q2.is_finite()
                && (q - 2.0 * q2).abs() <= 0.1 * q.abs()
                && q.abs() - q2.abs() > tol + 2.0 * noise
                && mismatch.is_finite()
                && mismatch > 0.5 * (q - q2).abs()
        };
        let (jl, jr) = (jumps(left, left2), jumps(right, right2));
        if jl && jr {
            // Both sides jump (|x| at 0 at order 2): neither side's limit is the value at x,
            // so no side's derivative is the one a convention should match. The recorded
            // rules give sign(0)² = 0 for exp(|x|) at 0 (as PyTorch), where both sides'
            // second derivatives are 1: any finite value is a convention here, excused
            // (`a_second_derivative_where_the_gradient_jumps_on_both_sides_is_excused`).
            return a.is_finite();
        }
        if !(jl || jr) {
            return fits;
        }
        // The jump is no derivative, but the rest of f is: on a side that jumps by J the
        // quotients are J/t + f′ + O(t), so 2·q(2h) − q(h) removes J and leaves that side's
        // derivative, with truncation 1.5·f″h, three times the other side's change from 2h
        // to h. The analytic value must lie between it and the other side's quotient: the
        // band of the raw quotients spans J/h and would excuse almost any rule (in fast
        // mode, one input at relu's breakpoint hid a wrong second-order rule in every
        // direction of gradgradcheck), and so would a tolerance on the numeric value, of
        // order J/h too.
        let (sl, sr) = if jl { (2.0 * left2 - left, right) } else { (left, 2.0 * right2 - right) };
        let trunc = 3.0 * if jl { (right2 - right).abs() } else { (left - left2).abs() };
        let (lo, hi) = (sl.min(sr), sl.max(sr));
        let slack = r.atol + r.rtol * scale.max(lo.abs()).max(hi.abs()) + 5.0 * noise + trunc;
        a.is_finite() && lo.is_finite() && hi.is_finite() && a >= lo - slack && a <= hi + slack
    };
    let status = if ok {
        Status::Pass
    } else if flip.is_some_and(between) {
        Status::Kink
    } else {
        Status::Fail
    };
    Entry { probe, order, analytic: a, numeric: n, abs_err, rel_err, tol, noise, refined: None, status }
}

/// The rounding-noise bound of the difference quotient (fp − fm)/d:
/// 8·ε·max(|fp| + |fm|, 2·√Σ(v·v̄)²)/d, the sum over the values v and adjoints v̄ of f's tape
/// at the inputs (`magnitude` holds it times f64's ε; 0 where it is not known): the
/// rounding error of f is about ε times that sum, which exceeds |f| where large
/// intermediate values cancel ((x + 10⁴) − 10⁴ in f32). Scaled before it is summed so that
/// values near the largest float do not overflow.
fn noise_of(fp: f64, fm: f64, magnitude: f64, d: f64, r: &Resolved) -> f64 {
    let e = NOISE * r.eps_fd;
    let tape = 2.0 * NOISE * (r.eps_fd / f64::EPSILON) * magnitude / d;
    (e * fp.abs() / d + e * fm.abs() / d).max(tape)
}

/// Refines an entry that failed at step h (see [`Refinement`]): it passes if the
/// extrapolation of `q` settles and agrees with the analytic value within the tolerance
/// (the tolerance on `scale`, as [`judge`]'s, plus the extrapolation's error).
fn refine(e: &mut Entry, q: &mut dyn FnMut(f64) -> Quotient, h: f64, scale: f64, r: &Resolved) {
    let a = e.analytic;
    let tol = |est: f64| r.atol + r.rtol * scale.max(est.abs());
    // Sure to pass: the whole error interval within the tolerance. Sure to be wrong: the
    // analytic value beyond the tolerance by three error estimates.
    let passes = |est: f64, err: f64| (a - est).abs() + err <= tol(est);
    let wrong = |est: f64, err: f64| (a - est).abs() > tol(est) + 3.0 * err;
    // Wrong only from differences that shrank with the step all along.
    let done = |est: f64, err: f64, shrinking: bool| {
        passes(est, err) || (shrinking && wrong(est, err) && err <= 0.25 * tol(est))
    };
    let (quotients, estimate, error, shrinking) = ridders(q, h, &done);
    let settled = estimate.is_finite() && (passes(estimate, error) || (shrinking && wrong(estimate, error)));
    if settled {
        // A sharper reference than the quotient at h, whichever way the verdict goes.
        let abs_err = (a - estimate).abs();
        e.numeric = estimate;
        e.abs_err = abs_err;
        e.rel_err = if abs_err == 0.0 { 0.0 } else { abs_err / a.abs().max(estimate.abs()) };
        e.tol = tol(estimate);
        e.noise = error;
        e.status = if passes(estimate, error) { Status::Pass } else { Status::Fail };
    }
    e.refined = Some(Refinement { quotients, estimate, error, settled, shrinking });
}

/// The truncation error of one-sided quotients at h, estimated from how much they moved
/// from step 2h (`left2`, `right2`) to h; 0 where a quotient at 2h could not be evaluated
/// or crossed another breakpoint (NaN).
fn one_sided_truncation(left: f64, left2: f64, right: f64, right2: f64) -> f64 {
    0f64.max((left2 - left).abs()).max((right2 - right).abs())
}

/// A pass by less than ten times its error: the truncation error at h may be what brought
/// the numeric value close to a wrong analytic one (ln at 0.03 in f32 is off by 1% at h).
fn close_call(e: &Entry) -> bool {
    e.status == Status::Pass && e.abs_err > 0.1 * e.tol
}

/// Refines a failed entry; for a close call (see [`close_call`]), first compares the
/// analytic value with the Richardson extrapolation of the quotients at h and 2h (two more
/// evaluations), and only if that is outside the tolerance refines a copy, which replaces
/// the entry only if it settles as wrong. True if a refinement ran.
fn settle(e: &mut Entry, q: &mut dyn FnMut(f64) -> Quotient, h: f64, scale: f64, r: &Resolved) -> bool {
    if e.status == Status::Pass {
        let Some((d2, _, _)) = q(2.0 * h) else { return false };
        let richardson = (4.0 * e.numeric - d2) / 3.0;
        // Within the tolerance (or NaN: nothing to go on) at the sharper value too.
        let outside = (e.analytic - richardson).abs() > e.tol;
        if !outside {
            return false;
        }
        let mut c = e.clone();
        refine(&mut c, q, h, scale, r);
        if c.status == Status::Fail && c.refined.as_ref().is_some_and(|f| f.settled) {
            *e = c;
        }
        return true;
    }
    refine(e, q, h, scale, r);
    true
}

/// Compares `analytic` (claimed ∇φ at `x0`) with central differences of `phi`.
fn compare(
    x0: &[Tensor<f64>],
    analytic: &[Vec<f64>],
    phi: &Phi<'_>,
    order: u8,
    r: &Resolved,
    rng: &mut Rng,
    out: &mut CheckReport,
) {
    let mut xs: Vec<Tensor<f64>> = x0.to_vec();
    let mut refined = 0;
    // φ(x0), for the one-sided quotients at a kink: evaluated once, when first needed.
    let at_x0 = std::cell::OnceCell::new();
    let f0 = |phi: &Phi<'_>| *at_x0.get_or_init(|| phi(x0).map_or(f64::NAN, |v| v.0));
    let what = if order == 2 { "evaluating the recorded gradient" } else { "evaluating" };
    // Entries whose perturbed evaluation failed: the first few are reported with their
    // messages, the rest counted; the other entries are still compared.
    let mut unevaluated = 0usize;
    let mut failed_move = |out: &mut CheckReport, msg: String| {
        unevaluated += 1;
        if unevaluated <= MAX_MOVE_FAILURES {
            out.problems.push(msg);
        }
    };
    for k in 0..x0.len() {
        let input =
            format!("input {k} ({})", out.inputs.get(k).map_or_else(|| format!("x{k}"), |i| i.0.clone()));
        let shape = x0[k].shape().to_vec();
        let len = x0[k].len();
        if len == 0 || out.fixed.contains(&k) {
            continue;
        }
        match r.fast {
            None => {
                for (i, &a) in analytic[k].iter().enumerate().take(len) {
                    let x = x0[k].data()[i];
                    let h = r.step * x.abs().max(1.0);
                    // φ with this element moved to x + t (rounded to E), and where it went.
                    let mut eval = |t: f64| {
                        let xt = (r.round)(x + t);
                        xs[k].data_mut()[i] = xt;
                        let v = phi(&xs);
                        xs[k].data_mut()[i] = x;
                        (xt, v)
                    };
                    let ((xp, p), (xm, m)) = (eval(h), eval(-h));
                    let perturbed = |at: f64, e: String| {
                        let index = unravel(i, &shape);
                        format!("{what} at a perturbed input failed: {input} at {index:?} moved to {at}: {e}")
                    };
                    let probe = Probe::Element { input: k, index: unravel(i, &shape) };
                    let ((fp, sp), (fm, sm)) = match (p, m) {
                        (Ok(p), Ok(m)) => (p, m),
                        (Err(e), _) => {
                            failed_move(out, perturbed(xp, e));
                            continue;
                        }
                        (_, Err(e)) => {
                            failed_move(out, perturbed(xm, e));
                            continue;
                        }
                    };
                    let d = xp - xm;
                    let numeric = (fp - fm) / d;
                    let noise = noise_of(fp, fm, r.magnitude, d, r);
                    let flip = (sp != sm).then(|| {
                        let f = f0(phi);
                        // f at x + t, NaN if it cannot be evaluated there or if it takes
                        // other branches than at x ± h on that side (another breakpoint
                        // between h and 2h: its jump is no truncation error).
                        let mut at = |t: f64, sig: &[u32]| {
                            let (xt, v) = eval(t);
                            (xt, v.ok().filter(|v| v.1 == sig).map_or(f64::NAN, |v| v.0))
                        };
                        let (left, right) = ((f - fm) / (x - xm), (fp - f) / (xp - x));
                        let ((x2p, f2p), (x2m, f2m)) = (at(2.0 * h, &sp), at(-2.0 * h, &sm));
                        let (left2, right2) = ((f - f2m) / (x - x2m), (f2p - f) / (x2p - x));
                        (left, right, left2, right2)
                    });
                    let mut e = judge(probe, order, a, numeric, 0.0, noise, flip, r);
                    if refined < MAX_REFINED && (e.status == Status::Fail || close_call(&e)) {
                        // The central difference at step t, and its rounding noise.
                        let mut q = |t: f64| -> Quotient {
                            let ((xp, p), (xm, m)) = (eval(t), eval(-t));
                            if xp == xm {
                                return None;
                            }
                            // An evaluation that fails (outside the domain) is a NaN quotient:
                            // smaller steps may succeed.
                            let (Ok((p, _)), Ok((m, _))) = (p, m) else {
                                return Some((f64::NAN, f64::NAN, f64::NAN));
                            };
                            let d = xp - xm;
                            Some(((p - m) / d, noise_of(p, m, r.magnitude, d, r), noise_of(p, m, 0.0, d, r)))
                        };
                        refined += usize::from(settle(&mut e, &mut q, h, 0.0, r));
                    }
                    out.entries.push(e);
                }
            }
            Some(dirs) => {
                // Each element moves by its own step·max(1, |xᵢ|)·vᵢ: the derivative along
                // w = diag(max(1, |x|))·v, with t = ±step.
                let h = r.step;
                let hs: Vec<f64> = x0[k].data().iter().map(|x| h * x.abs().max(1.0)).collect();
                for number in 0..dirs {
                    let v = rng.unit(len);
                    let base = x0[k].data();
                    // φ with this input moved to x + (t/h)·hs·v (rounded to E), and where it went.
                    let mut eval = |t: f64| {
                        let moved = (0..len).map(|i| (r.round)(base[i] + t / h * hs[i] * v[i]));
                        xs[k] = Tensor::new(&shape, moved.collect()).expect("same shape");
                        let f = phi(&xs);
                        (std::mem::replace(&mut xs[k], x0[k].clone()), f)
                    };
                    let ((xp, p), (xm, m)) = (eval(h), eval(-h));
                    let ((fp, sp), (fm, sm)) = match (p, m) {
                        (Ok(p), Ok(m)) => (p, m),
                        (Err(e), _) | (_, Err(e)) => {
                            failed_move(
                                out,
                                format!(
                                    "{what} at a perturbed input failed: {input} moved along random direction {number}: {e}"
                                ),
                            );
                            continue;
                        }
                    };
                    let two_h = 2.0 * h;
                    let (mut a, mut scale) = (0.0, 0.0);
                    for (i, (p, m)) in xp.data().iter().zip(xm.data()).enumerate() {
                        let t = analytic[k][i] * (p - m);
                        a += t;
                        // The 2-norm without squaring (t² overflows from |t| ≈ 1e154).
                        scale = f64::hypot(scale, t);
                    }
                    // Relative tolerance on the size of the terms (2-norm, as the errors
                    // of independent elements add in quadrature), not on a cancelled sum.
                    let (a, scale) = (a / two_h, scale / two_h);
                    let numeric = (fp - fm) / two_h;
                    let noise = noise_of(fp, fm, r.magnitude, two_h, r);
                    let probe = Probe::Direction { input: k, number };
                    let flip = (sp != sm).then(|| {
                        let f = f0(phi);
                        // f at x + s·2h·w, NaN if it cannot be evaluated there or takes
                        // other branches than at x ± h·w on that side.
                        let mut at = |sign: f64, sig: &[u32]| {
                            eval(sign * two_h).1.ok().filter(|v| v.1 == sig).map_or(f64::NAN, |v| v.0)
                        };
                        let (left, right) = ((f - fm) / h, (fp - f) / h);
                        let (left2, right2) = ((f - at(-1.0, &sm)) / two_h, (at(1.0, &sp) - f) / two_h);
                        (left, right, left2, right2)
                    });
                    let mut e = judge(probe, order, a, numeric, scale, noise, flip, r);
                    if refined < MAX_REFINED && (e.status == Status::Fail || close_call(&e)) {
                        // The same direction at step t instead of h.
                        let mut q = |t: f64| -> Quotient {
                            let ((xp, p), (xm, m)) = (eval(t), eval(-t));
                            if xp.data() == xm.data() {
                                return None;
                            }
                            let (Ok((p, _)), Ok((m, _))) = (p, m) else {
                                return Some((f64::NAN, f64::NAN, f64::NAN));
                            };
                            let d = 2.0 * t;
                            Some(((p - m) / d, noise_of(p, m, r.magnitude, d, r), noise_of(p, m, 0.0, d, r)))
                        };
                        refined += usize::from(settle(&mut e, &mut q, h, scale, r));
                    }
                    out.entries.push(e);
                }
            }
        }
    }
    if unevaluated > MAX_MOVE_FAILURES {
        out.problems.push(format!(
            "{what} at a perturbed input failed for {} more entries (not compared)",
            unevaluated - MAX_MOVE_FAILURES
        ));
    }
}

/// How many failed evaluations at perturbed inputs a report lists one by one.
const MAX_MOVE_FAILURES: usize = 3;

/// f64's ε · √Σ (value · adjoint)² over the nodes up to `last` that a gradient flows
/// through: the first-order rounding error of f, each node's rounding weighted by how much
/// f depends on it (see [`noise_of`]). In units of ε from the start: |v|·|a| alone
/// overflows near the largest float (x·exp(x) at x = 709.7); non-finite terms are left out.
fn magnitude<'a, T: Float + 'a>(inner: &'a Inner<T>, last: u32, adj: impl Fn(u32) -> Option<&'a [T]>) -> f64 {
    // The terms ε·|v·v̄|, finite ones only.
    let terms = |f: &mut dyn FnMut(f64)| {
        for id in 0..=last {
            if let Some(adj) = adj(id) {
                for (v, a) in inner.value(id).iter().zip(adj) {
                    let t = v.to_f64().abs() * f64::EPSILON * a.to_f64().abs();
                    if t.is_finite() {
                        f(t);
                    }
                }
            }
        }
    };
    // Independent roundings add in quadrature: √Σt², scaled by the largest term so that
    // the squares neither overflow nor underflow.
    let mut largest = 0f64;
    terms(&mut |t| largest = largest.max(t));
    if largest == 0.0 {
        return 0.0;
    }
    let mut sum = 0.0;
    terms(&mut |t| sum += (t / largest) * (t / largest));
    largest * sum.sqrt()
}

/// Value, gradient and kink sites of `f` at `inputs`, recorded in `T`.
struct Base {
    grads: Vec<Vec<f64>>,
    kinks: Vec<KinkSite>,
    /// `detach` nodes cutting a gradient path: (the detach node, its parent).
    detached: Vec<(NodeId, NodeId)>,
    /// f64's ε · √Σ (value · adjoint)² over the tape at the inputs (see [`noise_of`]).
    magnitude: f64,
}

/// Why the gradient under test could not be computed.
enum BaseError {
    /// f itself failed (a panic) or returned a non-scalar: there is no backward rule to
    /// blame, so localisation does not run.
    Function(String),
    /// The backward pass failed or is not repeatable: localisation can name the rule.
    Backward(String),
}

impl BaseError {
    /// Adds the problem to `rep`; true if localisation can help with it.
    fn report(self, rep: &mut CheckReport) -> bool {
        let (problem, rules) = match self {
            BaseError::Function(e) => (e, false),
            BaseError::Backward(e) => (e, true),
        };
        rep.problems.push(problem);
        rules
    }
}

/// f recorded on `vars`; an error unless it returns a scalar.
fn scalar_output<'t, T: Float, F: Func<T>>(
    f: &F,
    tape: &'t Tape<T>,
    vars: &[Var<'t, T>],
) -> Result<Var<'t, T>, BaseError> {
    let y = record(f, tape, vars).map_err(BaseError::Function)?;
    if y.len() != 1 {
        return Err(BaseError::Function(not_scalar(y)));
    }
    Ok(y)
}

fn base<T: Float, F: Func<T>>(
    f: &F,
    inputs: &[Tensor<T>],
    step: f64,
    smooth: &Smooth,
) -> Result<Base, BaseError> {
    let tape = Tape::<T>::new();
    let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = scalar_output(f, &tape, &vars)?;
    // The fallible forms report the engine's errors (a VJP of the wrong shape) without a
    // panic; `catch` is for a custom op's `vjp`, user code that may panic.
    let backward = || catch_result(|| y.try_backward());
    let g = backward().map_err(BaseError::Backward)?;
    let grads: Vec<Vec<f64>> = vars.iter().map(|v| g[*v].iter().map(|x| x.to_f64()).collect()).collect();
    // Re-entrance: a second backward must give bit-identical gradients (no accumulation,
    // no state left behind by the first).
    let again = backward().map_err(BaseError::Backward)?;
    for (k, v) in vars.iter().enumerate() {
        if let Some(i) =
            again[*v].iter().zip(&grads[k]).position(|(a, b)| a.to_f64().to_bits() != b.to_bits())
        {
            return Err(BaseError::Backward(format!(
                "backward is not repeatable: a second call gave {} instead of {} for input {k} at {:?}",
                again[*v][i],
                grads[k][i],
                unravel(i, inputs[k].shape())
            )));
        }
    }
    let inner = tape.inner.borrow();
    let magnitude =
        magnitude(&inner, y.node().0, |id| inner.node(id).grad.then(|| g.of_leaf(true, inner.adj_range(id))));
    let kinks = kink_sites(&inner, step, smooth);
    let detached = inner
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| n.op == Op::Detach && inner.node(n.a).grad)
        .map(|(i, n)| (NodeId(i as u32), NodeId(n.a)))
        .collect();
    Ok(Base { grads, kinks, detached, magnitude })
}

/// Recorded first-order gradient and H·u, recorded in `T`, and the kink sites of f.
fn base2<T: Float, F: Func<T>>(
    f: &F,
    inputs: &[Tensor<T>],
    u: &[Tensor<f64>],
    step: f64,
    smooth: &Smooth,
) -> Result<Base2, BaseError> {
    let tape = Tape::<T>::new();
    let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = scalar_output(f, &tape, &vars)?;
    // Before the recorded backward adds its own nodes: the non-smooth points of f alone,
    // and the rounding magnitude of f for the order-1 comparison.
    let kinks = kink_sites(&tape.inner.borrow(), step, smooth);
    catch_result(|| -> Result<Base2, String> {
        let gv = y.try_backward_graph().map_err(|e| e.to_string())?;
        // From the recorded adjoints (vjp is not called).
        let magnitude = {
            let inner = tape.inner.borrow();
            magnitude(&inner, y.node().0, |id| {
                gv.adj.get(id as usize).copied().flatten().map(|a| inner.value(a))
            })
        };
        let g1: Vec<Vec<f64>> =
            vars.iter().map(|v| gv.wrt(*v).value().data().iter().map(|x| x.to_f64()).collect()).collect();
        let mut s = tape.scalar_constant(T::ZERO);
        for (x, uk) in vars.iter().zip(u) {
            s += (gv.wrt(*x) * tape.constant(&uk.cast::<T>())).sum();
        }
        let g = s.try_backward().map_err(|e| e.to_string())?;
        let hu = vars.iter().map(|v| g[*v].iter().map(|x| x.to_f64()).collect()).collect();
        // The same for ⟨∇f, u⟩, the function order 2 differences.
        let magnitude2 = {
            let inner = tape.inner.borrow();
            self::magnitude(&inner, s.node().0, |id| {
                inner.node(id).grad.then(|| g.of_leaf(true, inner.adj_range(id)))
            })
        };
        Ok(Base2 { g1, hu, kinks, magnitude, magnitude2 })
    })
    .map_err(BaseError::Backward)
}

struct Base2 {
    g1: Vec<Vec<f64>>,
    hu: Vec<Vec<f64>>,
    kinks: Vec<KinkSite>,
    /// As [`Base::magnitude`], for the order-1 comparison.
    magnitude: f64,
    /// The same for ⟨∇f, u⟩, for the order-2 comparison.
    magnitude2: f64,
}

fn start<T: Float, E: Float>(title: &str, inputs: &[Tensor<T>], o: &CheckOptions) -> CheckReport {
    // The elements checked: fast mode is chosen by their count.
    let total = inputs.iter().enumerate().filter(|(k, _)| !o.fixed.contains(k)).map(|(_, x)| x.len()).sum();
    let r = resolve::<T, E>(o, total);
    let mut rep = CheckReport::new(
        title.to_string(),
        &o.names,
        inputs.iter().map(|x| x.shape().to_vec()).collect(),
        r,
        o.worst,
    );
    rep.problems = o.invalid();
    for &k in &o.fixed {
        if k >= inputs.len() {
            rep.problems.push(format!(
                "invalid option: with_fixed holds input {k} fixed, but there are only {} inputs (counted from 0)",
                inputs.len()
            ));
        }
    }
    rep.fixed = o.fixed.iter().copied().filter(|&k| k < inputs.len()).collect();
    rep.fixed.sort_unstable();
    rep.fixed.dedup();
    rep
}

fn run_first<T: Float, E: Float, F: Func<T> + Func<E>>(
    title: &str,
    f: &F,
    inputs: &[Tensor<T>],
    o: &CheckOptions,
) -> CheckReport {
    let mut rep = start::<T, E>(title, inputs, o);
    if !rep.problems.is_empty() {
        return rep;
    }
    let fixed = rep.fixed.clone();
    let f = &Held { f, fixed: &fixed };
    let mut rng = Rng::new(o.seed);
    let x0: Vec<Tensor<f64>> = inputs.iter().map(to_f64).collect();
    let mut localizable = true;
    // Custom ops that declare no branches, for f's recordings (at the inputs, for its
    // kink sites, and at each evaluation).
    let smooth = Smooth::default();
    match base(f, inputs, rep.resolved.step, &smooth) {
        Err(e) => localizable = e.report(&mut rep),
        Ok(b) => {
            rep.kink_sites = b.kinks;
            let r = Resolved { magnitude: b.magnitude, ..rep.resolved.clone() };
            compare(&x0, &b.grads, &|xs| eval_value::<E, _>(f, xs, &smooth), 1, &r, &mut rng, &mut rep);
            if !rep.passed() && !b.detached.is_empty() {
                let list: Vec<String> =
                    b.detached.iter().take(3).map(|(d, p)| format!("{d} = detach({p})")).collect();
                rep.notes.push(format!(
                    "f detaches a value that depends on the inputs ({}{}): where the detached value affects f, \
                     the gradient differs from finite differences by design (logsumexp and softmax detach a \
                     max that cancels, and are not affected)",
                    list.join(", "),
                    if b.detached.len() > 3 { ", ..." } else { "" }
                ));
            }
        }
    }
    decision_notes(&mut rep);
    localizable &= !nothing_checked(&mut rep);
    if !rep.passed() && o.localize && localizable {
        let (l, notes, complete) = localize::<T, E, _>(f, inputs, o);
        rep.localisation = l;
        rep.notes.extend(notes);
        rep.localized = complete;
    }
    rep
}

fn run_second<T: Float, E: Float, F: Func<T> + Func<E>>(
    title: &str,
    f: &F,
    inputs: &[Tensor<T>],
    o: &CheckOptions,
) -> CheckReport {
    let mut rep = start::<T, E>(title, inputs, o);
    if !rep.problems.is_empty() {
        return rep;
    }
    let fixed = rep.fixed.clone();
    let f = &Held { f, fixed: &fixed };
    let mut rng = Rng::new(o.seed ^ 0x005E_C04D);
    let x0: Vec<Tensor<f64>> = inputs.iter().map(to_f64).collect();
    let u: Vec<Tensor<f64>> =
        x0.iter().map(|x| Tensor::new(x.shape(), rng.normals(x.len())).expect("same shape")).collect();
    let mut localizable = true;
    let smooth = Smooth::default();
    match base2(f, inputs, &u, rep.resolved.step, &smooth) {
        Err(e) => localizable = e.report(&mut rep),
        Ok(b) => {
            let r = rep.resolved.clone();
            // From base2's recording: no further call of f or of a backward rule.
            rep.kink_sites = b.kinks;
            let r1 = Resolved { magnitude: b.magnitude, ..r.clone() };
            compare(&x0, &b.g1, &|xs| eval_value::<E, _>(f, xs, &smooth), 1, &r1, &mut rng, &mut rep);
            let r2 = Resolved { magnitude: b.magnitude2, ..r.clone() };
            // The recordings of ⟨∇f, u⟩ add the backward's nodes: a memo of their own.
            let smooth_gdot = Smooth::default();
            compare(&x0, &b.hu, &|xs| eval_gdot::<E, _>(f, xs, &u, &smooth_gdot), 2, &r2, &mut rng, &mut rep);
        }
    }
    decision_notes(&mut rep);
    localizable &= !nothing_checked(&mut rep);
    if !rep.passed() && o.localize && localizable {
        let (l, notes, complete) = localize_second::<T, E, _>(f, inputs);
        rep.localisation = l;
        rep.notes.extend(notes);
        rep.localized = complete;
    }
    rep.notes.push(
        "order 1 checks the recorded gradient (backward_graph); order 2 checks H·u for a random u".into(),
    );
    rep
}

/// Explains NaN differences of a custom op: its value is not finite at the inputs (or
/// within one step of them), which are probably outside its domain. `range` is the range
/// the inputs were drawn from, if they were random.
fn domain_note<T: Float>(rep: &mut CheckReport, y: &Tensor<T>, range: Option<(f64, f64)>) {
    let what = match y.data().iter().position(|v| !v.is_finite()) {
        Some(i) => format!(
            "is {} at output {:?} ({} of {} outputs not finite), so ⟨u, op(x)⟩ and all its central \
             differences are not finite",
            y.data()[i],
            unravel(i, y.shape()),
            y.data().iter().filter(|v| !v.is_finite()).count(),
            y.len()
        ),
        None => {
            let at: Vec<String> = rep
                .entries
                .iter()
                .filter(|e| matches!(e.probe, Probe::Element { .. }) && !e.numeric.is_finite())
                .map(|e| rep.probe_label(e))
                .collect();
            if at.is_empty() {
                return;
            }
            format!(
                "is not finite within one step of the inputs: the central differences of {}{} are not finite",
                at.iter().take(4).cloned().collect::<Vec<_>>().join(", "),
                if at.len() > 4 { format!(" and {} more", at.len() - 4) } else { String::new() }
            )
        }
    };
    let advice = match range {
        Some((lo, hi)) => format!(
            "the random inputs, drawn from ({lo}, {hi}), are probably outside the op's domain: draw them \
             inside it with with_input_range(lo, hi), or give them with check_custom_op_at"
        ),
        None => "the inputs are probably outside the op's domain: check it at inputs inside it".to_string(),
    };
    rep.notes.push(format!("the op's value {what}; {advice}"));
}

/// A check that compared no input element (every input is empty) must not pass: makes
/// that a problem, unless the report already has one. True if it did.
fn nothing_checked(rep: &mut CheckReport) -> bool {
    if !rep.problems.is_empty() || rep.entries.iter().any(|e| e.probe.input().is_some()) {
        return false;
    }
    let held = rep.inputs.iter().enumerate().any(|(k, (_, s))| numel(s) > 0 && rep.fixed.contains(&k));
    rep.problems.push(if held {
        "no entry was compared because every input is held fixed (with_fixed) or has no elements, so \
         nothing was checked: leave at least one input with elements free"
            .into()
    } else {
        "no entry was compared because the inputs have no elements, so nothing was checked: give inputs \
         with at least one element"
            .into()
    });
    true
}

/// Says where the tolerance alone did not decide the entries: a check made only of kinks,
/// passes through atol alone, passes only after a step refinement, and entries that the
/// rounding noise decided.
fn decision_notes(rep: &mut CheckReport) {
    let fast = if rep.resolved.fast.is_some() {
        ", or check element by element (with_full): in fast mode every random direction moves \
         every element, so one breakpoint makes every direction straddle it"
    } else {
        ""
    };
    if !rep.entries.is_empty() && rep.entries.iter().all(|e| e.status == Status::Kink) {
        rep.problems.push(format!(
            "every entry straddles a non-smooth point, so none was checked away from one: move the \
             inputs off the breakpoints listed below{fast}"
        ));
    } else {
        // The same for one input (and order) among others that were checked: its gradient
        // was not compared anywhere, so the others passing says nothing about it (in fast
        // mode one breakpoint in it makes every direction of it straddle one).
        let mut groups: Vec<(usize, u8)> =
            rep.entries.iter().filter_map(|e| e.probe.input().map(|k| (k, e.order))).collect();
        groups.sort_unstable();
        groups.dedup();
        for (k, order) in groups {
            let mut of = rep.entries.iter().filter(|e| e.probe.input() == Some(k) && e.order == order);
            if of.all(|e| e.status == Status::Kink) {
                let name = rep.inputs.get(k).map_or_else(|| format!("x{k}"), |s| s.0.clone());
                let what = if order == 2 { "second-order entry (H·u)" } else { "entry" };
                rep.problems.push(format!(
                    "every {what} of {name} straddles a non-smooth point, so its derivatives were not \
                     checked away from one: move {name} off the breakpoints listed below{fast}"
                ));
            }
        }
    }
    // Passed through atol alone: beyond rtol and the noise, so a rule off by a factor of
    // two on gradients smaller than atol would pass the same way.
    let atol = rep.resolved.atol;
    let by_atol: Vec<&Entry> =
        rep.entries.iter().filter(|e| e.status == Status::Pass && e.abs_err > e.tol - atol).collect();
    if let Some(w) = by_atol.iter().max_by(|a, b| a.rel_err.total_cmp(&b.rel_err)) {
        let note = format!(
            "{} entries pass only through atol = {}: their error is beyond rtol and the rounding noise \
             (worst {}: analytic {} vs numeric {}, relative error {}); a rule wrong by a factor of 2 on \
             gradients smaller than atol passes too (with_tolerances(0.0, rtol) checks them relatively)",
            by_atol.len(),
            short(rep.resolved.atol),
            rep.probe_label(w),
            num(w.analytic),
            num(w.numeric),
            short(w.rel_err)
        );
        rep.notes.push(note);
    }
    let refined = rep.entries.iter().filter(|e| e.status == Status::Pass && e.refined.is_some()).count();
    if refined > 0 {
        rep.notes.push(format!(
            "{refined} entries passed only after step refinement: the central difference at h was outside \
             the tolerance, but the differences at smaller steps, extrapolated to step 0, agree with the \
             analytic value (their numeric column is that extrapolation)"
        ));
    }
    // Weak: the rounding noise is most of the tolerance.
    let weak = |e: &&Entry| e.noise > 0.5 * e.tol;
    // Unresolved: weak, and the noise exceeds the derivative being measured. (Where the
    // noise is small against the tolerance, a derivative of 0 is checked: a wrong analytic
    // value beyond the tolerance would fail.)
    let unresolved =
        rep.entries.iter().filter(weak).filter(|e| e.noise > e.numeric.abs().max(e.analytic.abs())).count();
    let weak = rep.entries.iter().filter(weak).count();
    let fd = rep.resolved.fd_dtype;
    // Differences in f64 are what gradcheck_fn offers: advice only where they are not.
    let in_f64 = if fd == "f64" { "" } else { " or gradcheck_fn for differences in f64" };
    if unresolved > 0 && unresolved == rep.entries.len() {
        rep.problems.push(format!(
            "every entry is below the rounding noise of the {fd} difference quotient, so nothing was \
             really checked: use a larger step (the default is cbrt(ε)){in_f64}"
        ));
    } else if weak > 0 {
        rep.notes.push(format!(
            "{weak} entries are checked loosely: the rounding noise of the {fd} difference quotient is most \
             of their tolerance (use a larger step{in_f64})"
        ));
    }
}

// ---------------------------------------------------------------------------------------
// Public entry points

/// Compares the reverse-mode gradient of a scalar function `f` of `inputs` with central
/// finite differences evaluated in `T`.
///
/// For an `f32` function prefer [`gradcheck_fn`], which evaluates the finite differences
/// in f64; this one accounts for `T`'s rounding in its tolerance (see the module docs).
///
/// ```
/// use wengert_tape::gradcheck::{gradcheck, CheckOptions};
/// use wengert_tape::Tensor;
/// let w = Tensor::from([[0.5, -0.3], [0.8, 0.1]]);
/// let x = Tensor::from([1.0, 2.0]);
/// let r = gradcheck(|v| v[0].matmul(v[1].reshape(&[2, 1])).tanh().sum(), &[w, x], &CheckOptions::default());
/// assert!(r.passed(), "{r}");
/// ```
///
/// A closure kept in a `let` gets a signature for one tape lifetime, not for every one,
/// and is refused with a lifetime error ("lifetime may not live long enough"); wrap it in
/// [`crate::func_many`]:
///
/// ```
/// use wengert_tape::gradcheck::{gradcheck, gradgradcheck, CheckOptions};
/// use wengert_tape::{func_many, Tensor};
/// let f = func_many(|v| (v[0].sin() * v[1]).sum());
/// let xs = [Tensor::from([0.5, -1.0]), Tensor::from([2.0, 0.25])];
/// assert!(gradcheck(f, &xs, &CheckOptions::default()).passed());
/// assert!(gradgradcheck(f, &xs, &CheckOptions::default()).passed());
/// ```
pub fn gradcheck<T, F>(f: F, inputs: &[Tensor<T>], options: &CheckOptions) -> CheckReport
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    run_first::<T, T, _>("gradcheck", &Closure(f), inputs, options)
}

/// Like [`gradcheck`] for a [`Function`]: the gradient under test is computed in `T`,
/// the finite differences in f64, so an f32 gradient is held to f32 tolerances against
/// an accurate reference.
pub fn gradcheck_fn<T: Float, F: Function>(
    f: &F,
    inputs: &[Tensor<T>],
    options: &CheckOptions,
) -> CheckReport {
    run_first::<T, f64, _>("gradcheck", &Generic(f), inputs, options)
}

/// Second-order check: the gradient recorded by [`Var::backward_graph`] against central
/// differences of f (order 1), and the derivative of ⟨∇f, u⟩ for a random u, i.e. the
/// Hessian-vector product H·u, against central differences of the recorded gradient
/// (order 2). Catches a `vjp_graph` whose value is right but whose own derivative is not.
///
/// ```
/// use wengert_tape::gradcheck::{gradgradcheck, CheckOptions};
/// use wengert_tape::Tensor;
/// let r = gradgradcheck(|v| (v[0].sin() * v[0].exp()).sum(), &[Tensor::from([0.3, -1.2])], &CheckOptions::default());
/// assert!(r.passed(), "{r}");
/// ```
pub fn gradgradcheck<T, F>(f: F, inputs: &[Tensor<T>], options: &CheckOptions) -> CheckReport
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    run_second::<T, T, _>("gradgradcheck", &Closure(f), inputs, options)
}

/// [`gradgradcheck`] for a [`Function`], with finite differences in f64.
pub fn gradgradcheck_fn<T: Float, F: Function>(
    f: &F,
    inputs: &[Tensor<T>],
    options: &CheckOptions,
) -> CheckReport {
    run_second::<T, f64, _>("gradgradcheck", &Generic(f), inputs, options)
}

/// Checks a [`CustomOp`] on random inputs of the given shapes, uniform in
/// `options.input_range`: see [`check_custom_op_at`].
///
/// ```
/// use std::rc::Rc;
/// use wengert_tape::gradcheck::{check_custom_op, CheckOptions};
/// use wengert_tape::{CustomOp, Result, Tensor};
///
/// struct Cube;
/// impl CustomOp<f64> for Cube {
///     fn name(&self) -> &str { "cube" }
///     fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> { Ok(x[0].map(|v| v * v * v)) }
///     fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
///         vec![Tensor::from_fn(x[0].shape(), |i| 3.0 * x[0].data()[i].powi(2) * g.data()[i])]
///     }
/// }
/// let r = check_custom_op(Rc::new(Cube), &[&[2, 3]], &CheckOptions::default());
/// assert!(r.passed(), "{r}");
/// ```
pub fn check_custom_op<T: Float>(
    op: Rc<dyn CustomOp<T>>,
    input_shapes: &[&[usize]],
    options: &CheckOptions,
) -> CheckReport {
    let mut rng = Rng::new(options.seed ^ 0x00C0_FFEE);
    let (lo, hi) = options.input_range;
    let inputs: Vec<Tensor<T>> = input_shapes
        .iter()
        .map(|s| Tensor::from_fn(s, |_| T::from_f64(lo + (hi - lo) * rng.uniform())))
        .collect();
    check_op(op, &inputs, options, true)
}

/// Checks a [`CustomOp`] at the given inputs:
/// 1. `vjp` returns one gradient per input, each of that input's shape (else the report
///    names the input, the shape returned and the shape expected);
/// 2. for a random cotangent u, each input's `vjp` against central differences of
///    ⟨u, op(x)⟩, element by element (or along random directions for large inputs);
/// 3. the dot-product identity ⟨u′, J v⟩ = ⟨Jᵀu′, v⟩ for a fresh u′ and a random v over
///    all inputs, with J v by central differences;
/// 4. if the op implements `vjp_graph`: its value against `vjp`, and a [`gradgradcheck`]
///    of x ↦ ⟨u, op(x)⟩.
pub fn check_custom_op_at<T: Float>(
    op: Rc<dyn CustomOp<T>>,
    inputs: &[Tensor<T>],
    options: &CheckOptions,
) -> CheckReport {
    check_op(op, inputs, options, false)
}

/// [`check_custom_op_at`]; `random` says the inputs were drawn from `options.input_range`
/// (for the advice on inputs outside the op's domain).
fn check_op<T: Float>(
    op: Rc<dyn CustomOp<T>>,
    inputs: &[Tensor<T>],
    options: &CheckOptions,
    random: bool,
) -> CheckReport {
    // The op's name, asked once: a `name()` that panics is reported, not propagated (the
    // tape asks for it when it records the op, so nothing else can be checked).
    let name = match catch(|| op.name().to_string()) {
        Ok(n) => n,
        Err(e) => {
            let mut rep = start::<T, T>("custom op", inputs, options);
            rep.problems.push(format!("name() panicked: {e}; the tape asks for it to record the op"));
            return rep;
        }
    };
    let title = format!("custom op `{name}`");
    let mut rep = start::<T, T>(&title, inputs, options);
    if !rep.problems.is_empty() {
        return rep;
    }
    let r = rep.resolved.clone();
    let mut rng = Rng::new(options.seed ^ 0xA11CE);
    let refs: Vec<&Tensor<T>> = inputs.iter().collect();
    let y = match catch(|| op.forward(&refs)) {
        Ok(Ok(y)) => y,
        Ok(Err(e)) => {
            rep.problems.push(format!("forward failed: {e}"));
            return rep;
        }
        Err(e) => {
            rep.problems.push(format!("forward panicked: {e}"));
            return rep;
        }
    };
    let ys = y.shape().to_vec();
    let u = Tensor::new(&ys, rng.normals(y.len())).expect("shape");
    let ut: Tensor<T> = u.cast();
    let grads = match catch(|| op.vjp(&refs, &y, &ut)) {
        Ok(g) => g,
        Err(e) => {
            rep.problems.push(format!("vjp panicked: {e}"));
            return rep;
        }
    };
    if grads.len() != inputs.len() {
        rep.problems.push(format!("vjp returned {} gradients for {} inputs", grads.len(), inputs.len()));
        return rep;
    }
    let mut good = vec![true; inputs.len()];
    for (k, (g, x)) in grads.iter().zip(inputs).enumerate() {
        if g.shape() != x.shape() {
            good[k] = false;
            rep.problems.push(format!(
                "vjp returned shape {:?} for input {k} ({}) of shape {:?}; a gradient must have its input's \
                 shape (sum over broadcast axes)",
                g.shape(),
                rep.inputs[k].0,
                x.shape()
            ));
        }
    }
    let x0: Vec<Tensor<f64>> = inputs.iter().map(to_f64).collect();
    // Inputs moved by the checker, as the op takes them (every moved input is rounded to T,
    // so the cast is exact); cast once per evaluation for both the forward and the branches.
    let in_t = |xs: &[Tensor<f64>]| -> Vec<Tensor<T>> { xs.iter().map(|x| x.cast::<T>()).collect() };
    let forward = |ts: &[Tensor<T>]| -> Result<Tensor<f64>, String> {
        let refs: Vec<&Tensor<T>> = ts.iter().collect();
        let y = forward_at(&name, catch(|| op.forward(&refs)), |y| y.shape().to_vec(), &ys)?;
        Ok(to_f64(&y))
    };
    // The branch codes the op declares at ts.
    let branches = |ts: &[Tensor<T>]| -> Result<Vec<u32>, String> {
        let refs: Vec<&Tensor<T>> = ts.iter().collect();
        Ok(declared_branches(op.as_ref(), &name, &refs)?.unwrap_or_default())
    };
    let phi = |xs: &[Tensor<f64>]| -> Result<(f64, Vec<u32>), String> {
        let ts = in_t(xs);
        let y = forward(&ts)?;
        Ok((y.data().iter().zip(u.data()).map(|(a, b)| a * b).sum(), branches(&ts)?))
    };
    let analytic: Vec<Vec<f64>> = grads
        .iter()
        .zip(inputs)
        .map(|(g, x)| {
            if g.shape() == x.shape() {
                g.data().iter().map(|v| v.to_f64()).collect()
            } else {
                vec![0.0; x.len()]
            }
        })
        .collect();
    // 2. VJP against finite differences, for the inputs whose gradient has the right shape.
    let mut part = CheckReport { entries: Vec::new(), problems: Vec::new(), ..rep.clone() };
    compare(&x0, &analytic, &phi, 1, &r, &mut rng, &mut part);
    rep.entries.extend(part.entries.into_iter().filter(|e| e.probe.input().is_none_or(|k| good[k])));
    rep.problems.extend(part.problems);
    domain_note(&mut rep, &y, random.then_some(options.input_range));
    // 3. Dot-product identity with a fresh cotangent.
    let u2 = Tensor::new(&ys, rng.normals(y.len())).expect("shape");
    if let Ok(g2) = catch(|| op.vjp(&refs, &y, &u2.cast())) {
        // Over the inputs not held fixed (the direction is 0 in the others).
        let free: usize =
            x0.iter().enumerate().filter(|(k, _)| !rep.fixed.contains(k)).map(|(_, x)| x.len()).sum();
        if free > 0 && g2.len() == inputs.len() && g2.iter().zip(inputs).all(|(g, x)| g.shape() == x.shape())
        {
            let h = r.step;
            let mut unit = rng.unit(free).into_iter();
            let v: Vec<f64> = x0
                .iter()
                .enumerate()
                .flat_map(|(k, x)| std::iter::repeat_n(!rep.fixed.contains(&k), x.len()))
                .map(|free| if free { unit.next().expect("one per free element") } else { 0.0 })
                .collect();
            // Every input element moved by t·max(1, |x|)·v (rounded to T).
            let moved = |t: f64| {
                let mut xs = x0.clone();
                let mut at = 0;
                for x in xs.iter_mut() {
                    for xi in x.data_mut() {
                        *xi = (r.round)(*xi + t * xi.abs().max(1.0) * v[at]);
                        at += 1;
                    }
                }
                xs
            };
            // ⟨u′, (op at x + t·w − op at x − t·w)/(2t)⟩ from those outputs, and its
            // rounding noise.
            let quotient = |yp: &Tensor<f64>, ym: &Tensor<f64>, t: f64| {
                let (mut d, mut mag) = (0.0, 0.0);
                for ((p, m), w) in yp.data().iter().zip(ym.data()).zip(u2.data()) {
                    d += w * (p - m) / (2.0 * t);
                    mag += (w * p).abs() + (w * m).abs();
                }
                (d, NOISE * r.eps_fd * mag / (2.0 * t))
            };
            let (xp, xm) = (moved(h), moved(-h));
            let (tp, tm) = (in_t(&xp), in_t(&xm));
            if let (Ok(yp), Ok(ym)) = (forward(&tp), forward(&tm)) {
                let two_h = 2.0 * h;
                let (ujv, noise) = quotient(&yp, &ym, h);
                let (mut jtuv, mut scale) = (0.0, 0.0);
                for k in 0..x0.len() {
                    for i in 0..x0[k].len() {
                        let t = g2[k].data()[i].to_f64() * (xp[k].data()[i] - xm[k].data()[i]) / two_h;
                        jtuv += t;
                        scale = f64::hypot(scale, t);
                    }
                }
                // Across a declared kink: the one-sided quotients, from ⟨u′, op(x)⟩.
                let flip = (branches(&tp).ok() != branches(&tm).ok()).then(|| {
                    let at =
                        |y: &Tensor<f64>| y.data().iter().zip(u2.data()).map(|(a, b)| a * b).sum::<f64>();
                    let (f, fp, fm) = (at(&to_f64(&y)), at(&yp), at(&ym));
                    ((f - fm) / h, (fp - f) / h, f64::NAN, f64::NAN)
                });
                let mut e = judge(Probe::DotProduct, 1, jtuv, ujv, scale, noise, flip, &r);
                if e.status == Status::Fail || close_call(&e) {
                    // ⟨u′, (op(x + t·w) − op(x − t·w))/(2t)⟩ along the same direction w.
                    let mut q = |t: f64| -> Quotient {
                        let (yp, ym) = (forward(&in_t(&moved(t))), forward(&in_t(&moved(-t))));
                        let (Ok(yp), Ok(ym)) = (yp, ym) else { return Some((f64::NAN, f64::NAN, f64::NAN)) };
                        let (d, noise) = quotient(&yp, &ym, t);
                        Some((d, noise, noise))
                    };
                    settle(&mut e, &mut q, h, scale, &r);
                }
                rep.entries.push(e);
            }
        }
    }
    // 4. Second order, if the op declares it.
    let has_graph = {
        let t = Tape::<T>::new();
        let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| t.var(x)).collect();
        match catch_result(|| t.custom(op.clone(), &vars)) {
            Err(e) => Err(format!("the forward of `{name}` failed on a tape: {e}")),
            Ok(out) => catch(|| {
                let g = t.constant(&ut);
                op.vjp_graph(&vars, out, g).map(|gs| gs.iter().map(|v| v.value()).collect::<Vec<_>>())
            })
            .map_err(|e| format!("vjp_graph panicked: {e}")),
        }
    };
    match has_graph {
        Ok(None) => rep.notes.push("no vjp_graph: the op is differentiable once".into()),
        Err(e) => rep.problems.push(e),
        Ok(Some(gg)) => {
            if gg.len() != inputs.len() {
                rep.problems.push(format!(
                    "vjp_graph returned {} gradients for {} inputs",
                    gg.len(),
                    inputs.len()
                ));
            } else {
                for (k, (a, b)) in gg.iter().zip(&grads).enumerate() {
                    if rep.fixed.contains(&k) {
                        continue;
                    }
                    if a.shape() != inputs[k].shape() {
                        rep.problems.push(format!(
                            "vjp_graph returned shape {:?} for input {k} of shape {:?}",
                            a.shape(),
                            inputs[k].shape()
                        ));
                        continue;
                    }
                    if b.shape() != a.shape() {
                        // vjp's gradient has the wrong shape (reported above): nothing to
                        // compare vjp_graph's with.
                        continue;
                    }
                    let worst = a
                        .data()
                        .iter()
                        .zip(b.data())
                        .enumerate()
                        .map(|(i, (p, q))| (i, (p.to_f64() - q.to_f64()).abs(), q.to_f64()))
                        .fold(None, |m: Option<(usize, f64, f64)>, e| match m {
                            Some(m) if m.1 >= e.1 => Some(m),
                            _ => Some(e),
                        });
                    if let Some((i, d, q)) = worst {
                        if d > r.atol + r.rtol * q.abs() {
                            rep.problems.push(format!(
                                "vjp_graph and vjp disagree for input {k} at {:?}: {} vs {}",
                                unravel(i, inputs[k].shape()),
                                num(a.data()[i].to_f64()),
                                num(q)
                            ));
                        }
                    }
                }
                // gradgradcheck of x ↦ ⟨u, op(x)⟩, whose problems (the forward failing at a
                // perturbed input, say) are reported once, and as the second order's where
                // the first-order check did not already report them.
                let second = run_second::<T, T, _>(
                    "",
                    &OpFn { op: op.clone(), name: name.clone(), u: ut.clone(), shape: ys.clone() },
                    inputs,
                    &CheckOptions { localize: false, ..options.clone() },
                );
                rep.entries.extend(second.entries.into_iter().filter(|e| e.order == 2));
                for p in second.problems {
                    if !rep.problems.contains(&p) {
                        rep.problems.push(format!("second order: {p}"));
                    }
                }
            }
        }
    }
    nothing_checked(&mut rep);
    rep
}

/// ⟨u, op(x)⟩ of a custom op, the function the second-order check of [`check_custom_op`]
/// differentiates twice; its errors are worded as the first-order check's.
struct OpFn<T: Float> {
    op: Rc<dyn CustomOp<T>>,
    /// The op's name (asked once, under `catch`).
    name: String,
    u: Tensor<T>,
    /// The op's output shape at the inputs.
    shape: Vec<usize>,
}

impl<T: Float> Func<T> for OpFn<T> {
    fn call<'t>(&self, xs: &[Var<'t, T>]) -> Result<Var<'t, T>, String> {
        let run = catch(|| xs[0].tape().custom(self.op.clone(), xs));
        let y = forward_at(&self.name, run, |y| y.shape().to_vec(), &self.shape)?;
        Ok((y * xs[0].tape().constant(&self.u)).sum())
    }
}

/// The output of a custom op `name`'s forward at a perturbed input, run under [`catch`]
/// (`run`): a message if it failed, panicked, or returned another shape (`shape` of the
/// output) than `at_inputs`, its shape at the inputs.
fn forward_at<Y>(
    name: &str,
    run: Result<crate::error::Result<Y>, String>,
    shape: impl Fn(&Y) -> Vec<usize>,
    at_inputs: &[usize],
) -> Result<Y, String> {
    let y = match run {
        Ok(Ok(y)) => y,
        Ok(Err(e)) => return Err(format!("the forward of `{name}` failed: {e}")),
        Err(e) => return Err(format!("the forward of `{name}` panicked: {e}")),
    };
    let got = shape(&y);
    if got != at_inputs {
        return Err(format!(
            "the forward of `{name}` returned shape {got:?}, but {at_inputs:?} at the inputs"
        ));
    }
    Ok(y)
}

// ---------------------------------------------------------------------------------------
// Localisation

/// Re-checks each node's backward rule alone; returns the first that fails.
fn localize<T: Float, E: Float, F: Func<T>>(
    f: &F,
    inputs: &[Tensor<T>],
    o: &CheckOptions,
) -> (Option<Localisation>, Vec<String>, bool) {
    let mut notes = Vec::new();
    let total = inputs.iter().map(|x| x.len()).sum();
    // Default step and tolerances: one op alone is small and well conditioned, and the
    // user's settings may be the very reason the whole function failed. The differences
    // are in E (f64 for gradcheck_fn) for every op but a custom one, which runs in T.
    let defaults = CheckOptions { mode: Mode::Full, ..CheckOptions::default() };
    let (r, r_e) = (resolve::<T, T>(&defaults, total), resolve::<T, E>(&defaults, total));
    let tape = Tape::<T>::new();
    let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = match record(f, &tape, &vars) {
        Ok(y) => y,
        Err(e) => {
            notes.push(format!("localisation stopped: recording the function again failed: {e}"));
            return (None, notes, false);
        }
    };
    let last = y.node().0;
    let mut rng = Rng::new(o.seed ^ 0x10CA1);
    let mut unchecked = false;
    let mut budget = ELEMENT_BUDGET;
    let mut skipped_first = 0;
    // Pass 1 probes each argument along two random directions; an error at a single
    // element of a large argument can hide under their tolerance. If pass 1 clears every
    // node, pass 2 checks the arguments of up to ELEMENTWISE elements one element at a time.
    for thorough in [false, true] {
        let mut skipped = 0;
        for id in 0..=last {
            let s = {
                let inner = tape.inner.borrow();
                if !inner.node(id).grad {
                    continue;
                }
                spec(&inner, id)
            };
            if !s.has_backward() || matches!(s.op, Op::Var | Op::Const | Op::Detach) {
                continue;
            }
            let (vals, flows): (Vec<Tensor<T>>, Vec<bool>) = {
                let inner = tape.inner.borrow();
                s.parents.iter().map(|&p| (inner.tensor(p), inner.node(p).grad)).unzip()
            };
            // A rule cannot be checked where values are not finite; the first such node is
            // usually the answer to "why did the check fail" (NaN provenance). Pass 1 has
            // looked at every node by the time pass 2 runs.
            if !thorough {
                let out = tape.inner.borrow().tensor(id);
                if let Some(i) = out.data().iter().position(|v| !v.is_finite()) {
                    let args: Vec<String> = s.parents.iter().map(|p| format!("v{p}")).collect();
                    notes.push(format!(
                        "first non-finite value: v{id} = {}({}) is {} at {:?}; localisation stops there",
                        s.display_name(),
                        args.join(", "),
                        out.data()[i],
                        unravel(i, out.shape())
                    ));
                    return (None, notes, false);
                }
            } else {
                // Pass 2 checks at most ELEMENT_BUDGET elements in all.
                let need: usize = vals
                    .iter()
                    .zip(&flows)
                    .filter(|(v, &f)| f && v.len() <= ELEMENTWISE)
                    .map(|(v, _)| v.len())
                    .sum();
                if need > budget {
                    notes.push(format!(
                        "localisation checked {} elements one by one and stopped before v{id}; the nodes from \
                         there on passed their random-direction probes only",
                        ELEMENT_BUDGET - budget
                    ));
                    break;
                }
                budget -= need;
            }
            match check_node::<T, E>(&s, &vals, &flows, (&r, &r_e), &mut rng, thorough) {
                NodeVerdict::Ok => {}
                NodeVerdict::Kink => skipped += 1,
                NodeVerdict::Unchecked(why) => {
                    let node = Localisation {
                        node: NodeId(id),
                        op: s.display_name(),
                        argument: None,
                        parent: None,
                        parents: s.parents.iter().map(|&p| NodeId(p)).collect(),
                        index: None,
                        analytic: f64::NAN,
                        numeric: f64::NAN,
                        message: None,
                        order: 1,
                    };
                    // Once per node and reason (pass 2 meets again the replays that failed in
                    // pass 1).
                    let note = unchecked_note(&node, &why);
                    if !notes.contains(&note) {
                        notes.push(note);
                    }
                    unchecked = true;
                }
                NodeVerdict::Bad(mut l) => {
                    l.node = NodeId(id);
                    l.parent = l.argument.map(|k| NodeId(s.parents[k]));
                    l.parents = s.parents.iter().map(|&p| NodeId(p)).collect();
                    if skipped > 0 {
                        notes.push(format!(
                            "{skipped} earlier nodes sit at a non-smooth point and were skipped"
                        ));
                    }
                    return (Some(l), notes, true);
                }
            }
        }
        if !thorough {
            skipped_first = skipped;
        } else if skipped.max(skipped_first) > 0 {
            notes.push(format!(
                "{} nodes sit at a non-smooth point and were skipped by localisation",
                skipped.max(skipped_first)
            ));
        }
    }
    (None, notes, !unchecked)
}

/// ⟨u, op(parents)⟩ for one replayed node, as a function to check, recorded in `T` (the
/// node's own type) or in `E` (f64 for gradgradcheck_fn; not for a custom op, whose code
/// is written for `T`).
struct NodeFn<T: Float, E: Float> {
    s: crate::replay::NodeSpec<T>,
    /// The same op in `E`, if it can run there.
    cast: Option<crate::replay::NodeSpec<E>>,
    /// The cotangent, rounded to `T`.
    u: Tensor<f64>,
    /// The first failure of the replay itself (a custom op's forward refusing, or
    /// panicking at, a perturbed argument): the node could not be checked alone, which
    /// says nothing against its rule.
    replay_failed: RefCell<Option<String>>,
}

impl<T: Float, E: Float> NodeFn<T, E> {
    fn new(s: crate::replay::NodeSpec<T>, u: Tensor<T>) -> Self {
        let cast = s.cast::<E>();
        NodeFn { s, cast, u: to_f64(&u), replay_failed: RefCell::new(None) }
    }

    /// The op in `U`: `T` or `E`.
    fn spec<U: Float>(&self) -> Result<&crate::replay::NodeSpec<U>, String> {
        fn any<U: Float>(s: &dyn std::any::Any) -> Option<&crate::replay::NodeSpec<U>> {
            s.downcast_ref()
        }
        any::<U>(&self.s)
            .or_else(|| self.cast.as_ref().and_then(|c| any::<U>(c)))
            .ok_or_else(|| format!("{} runs in {} only", self.s.display_name(), T::NAME))
    }
}

impl<T: Float, E: Float, U: Float> Func<U> for NodeFn<T, E> {
    fn call<'t>(&self, xs: &[Var<'t, U>]) -> Result<Var<'t, U>, String> {
        match self.spec::<U>().and_then(|s| replay_alone(s, xs)) {
            Ok(y) => Ok((y * xs[0].tape().constant(&self.u.cast::<U>())).sum()),
            Err(e) => {
                self.replay_failed.borrow_mut().get_or_insert_with(|| e.clone());
                Err(e)
            }
        }
    }
}

/// Runs the second-order check on each node alone; returns the first that fails. The
/// differences are in `E` (f64 for gradgradcheck_fn) for every op but a custom one, which
/// runs in `T`.
fn localize_second<T: Float, E: Float, F: Func<T>>(
    f: &F,
    inputs: &[Tensor<T>],
) -> (Option<Localisation>, Vec<String>, bool) {
    let mut notes = Vec::new();
    let tape = Tape::<T>::new();
    let vars: Vec<Var<'_, T>> = inputs.iter().map(|x| tape.var(x)).collect();
    let y = match record(f, &tape, &vars) {
        Ok(y) => y,
        Err(e) => {
            notes.push(format!("localisation stopped: recording the function again failed: {e}"));
            return (None, notes, false);
        }
    };
    let mut rng = Rng::new(0x00D0_0B1E);
    // Small arguments element by element, larger ones along a few directions: this runs
    // once per node.
    let opts = CheckOptions {
        localize: false,
        mode: Mode::Auto { max_elements: 512, directions: 4 },
        ..CheckOptions::default()
    };
    let mut unchecked = false;
    for id in 0..=y.node().0 {
        let (s, vals, out) = {
            let inner = tape.inner.borrow();
            if !inner.node(id).grad {
                continue;
            }
            let s = spec(&inner, id);
            let vals: Vec<Tensor<T>> = s.parents.iter().map(|&p| inner.tensor(p)).collect();
            (s, vals, inner.tensor(id))
        };
        if !s.has_backward() || matches!(s.op, Op::Var | Op::Const | Op::Detach) {
            continue;
        }
        // Arguments without elements: the rule has nothing to compute here, so nothing
        // to be wrong about (and a check of it would compare nothing).
        if vals.iter().all(|v| v.is_empty()) {
            continue;
        }
        if out.data().iter().any(|v| !v.is_finite()) {
            notes.push(format!("v{id} ({}) is not finite; localisation stops there", s.display_name()));
            return (None, notes, false);
        }
        let u = Tensor::new(&s.out, rng.normals(numel(&s.out))).expect("shape").cast::<T>();
        let parents: Vec<NodeId> = s.parents.iter().map(|&p| NodeId(p)).collect();
        let node = NodeFn::<T, E>::new(s, u);
        let names: Vec<String> = parents.iter().map(|p| p.to_string()).collect();
        let o = CheckOptions { names, ..opts.clone() };
        let r = match node.cast {
            Some(_) => run_second::<T, E, _>("", &node, &vals, &o),
            None => run_second::<T, T, _>("", &node, &vals, &o),
        };
        // An op of one argument: a failure can only be about that argument.
        let only = (parents.len() == 1).then_some(0);
        let mut loc = Localisation {
            node: NodeId(id),
            op: node.s.display_name(),
            argument: only,
            parent: only.map(|k| parents[k]),
            parents: parents.clone(),
            index: None,
            analytic: f64::NAN,
            numeric: f64::NAN,
            message: None,
            order: 2,
        };
        let fail = r.worst_entries(1).into_iter().find(|e| e.status == Status::Fail);
        if fail.is_some() && r.failures().into_iter().all(unresolvable) {
            notes.push(unchecked_note(&loc, UNRESOLVABLE));
            unchecked = true;
            continue;
        }
        if let (None, Some(m)) = (fail, node.replay_failed.borrow().as_ref()) {
            // No entry failed before the replay did: no evidence against this rule.
            let problem = r.problems.iter().find(|p| p.contains(m.as_str())).unwrap_or(m);
            notes.push(unchecked_note(&loc, problem));
            unchecked = true;
            continue;
        }
        if let (None, Some(p)) = (fail, r.problems.first()) {
            loc.message = Some(p.clone());
            return (Some(loc), notes, true);
        }
        if let Some(e) = fail {
            if let Some(input) = e.probe.input() {
                loc.argument = Some(input);
                loc.parent = Some(parents[input]);
            }
            if let Probe::Element { index, .. } = &e.probe {
                loc.index = Some(index.clone());
            }
            loc.analytic = e.analytic;
            loc.numeric = e.numeric;
            return (Some(loc), notes, true);
        }
    }
    (None, notes, !unchecked)
}

/// A failed entry whose differences did not shrink with the step: no evidence against the
/// rule (see [`Refinement::shrinking`]).
fn unresolvable(e: &Entry) -> bool {
    e.refined.as_ref().is_some_and(|f| !f.settled && !f.shrinking)
}

/// Why localisation neither clears nor blames a node whose failures are [`unresolvable`].
const UNRESOLVABLE: &str = "its central differences do not shrink with the step at these arguments, so they \
                            cannot resolve the derivative there (a jump in its forward, or an op that varies on a \
                            finer scale than the step, as sin at 1e300)";

/// The note for a node localisation could not check alone: `why` is the failure.
fn unchecked_note(node: &Localisation, why: &str) -> String {
    let args: Vec<String> = node.parents.iter().map(|p| p.to_string()).collect();
    format!(
        "localisation could not check {} = {}({}) alone, so it is neither cleared nor blamed: {why}",
        node.node,
        node.op,
        args.join(", ")
    )
}

enum NodeVerdict {
    Ok,
    Kink,
    /// The node could not be checked alone (its replay failed); why.
    Unchecked(String),
    Bad(Localisation),
}

/// The op of `s` replayed on `vars`: an error naming the op if the replay fails or
/// returns another shape than the node's (a custom op's forward refusing, or panicking
/// at, the given arguments).
fn replay_alone<'t, T: Float>(
    s: &crate::replay::NodeSpec<T>,
    vars: &[Var<'t, T>],
) -> Result<Var<'t, T>, String> {
    let y = catch_result(|| replay(s, vars)).and_then(|y| {
        if y.shape() == s.out {
            Ok(y)
        } else {
            Err(format!(
                "it returned shape {:?} when replayed alone, {:?} on the tape",
                y.shape().as_slice(),
                s.out.as_slice()
            ))
        }
    });
    y.map_err(|e| format!("{} failed: {e}", s.display_name()))
}

/// ⟨u, op(parents)⟩ in f64, and the kink signature.
fn node_phi<T: Float>(
    s: &crate::replay::NodeSpec<T>,
    ps: &[Tensor<f64>],
    u: &Tensor<f64>,
    smooth: &Smooth,
) -> Result<(f64, Vec<u32>), String> {
    let t = Tape::<T>::new();
    let vars: Vec<Var<'_, T>> = ps.iter().map(|p| t.var(&p.cast::<T>())).collect();
    let y = replay_alone(s, &vars)?;
    let v: f64 = y.value().data().iter().zip(u.data()).map(|(a, b)| a.to_f64() * b).sum();
    let sig = signature(&t.inner.borrow(), smooth)?;
    Ok((v, sig))
}

/// Arguments of up to this many elements are checked element by element in localisation's
/// second pass.
const ELEMENTWISE: usize = 4096;

/// Elements localisation's second pass checks one by one in all (two replays of one op
/// each).
const ELEMENT_BUDGET: usize = 16384;

/// Checks one node's backward rule alone, on ⟨u, op(args)⟩ for a random u: along two random
/// directions per argument, or (`thorough`, for arguments of up to [`ELEMENTWISE`]
/// elements) element by element.
fn check_node<T: Float, E: Float>(
    s: &crate::replay::NodeSpec<T>,
    vals: &[Tensor<T>],
    flows: &[bool],
    (in_t, in_e): (&Resolved, &Resolved),
    rng: &mut Rng,
    thorough: bool,
) -> NodeVerdict {
    // The differences in E (f64 for gradcheck_fn) where the op can be replayed in E; a
    // custom op only runs in T.
    let cast = s.cast::<E>();
    let r = if cast.is_some() { in_e } else { in_t };
    let u = Tensor::new(&s.out, rng.normals(numel(&s.out))).expect("shape");
    let t = Tape::<T>::new();
    let vars: Vec<Var<'_, T>> = vals.iter().map(|p| t.var(p)).collect();
    // A custom op is recorded watched, so that the argument a failed vjp is about can be
    // read off the gradients that call returned.
    let watched = s.custom.clone().map(|op| Rc::new(Watched { op, shapes: RefCell::new(None) }));
    let recorded =
        crate::replay::NodeSpec { custom: watched.clone().map(|w| w as Rc<dyn CustomOp<T>>), ..s.clone() };
    let bad = |argument: Option<usize>, message: String| {
        NodeVerdict::Bad(Localisation {
            node: NodeId(s.id),
            op: s.display_name(),
            argument,
            parent: None,
            parents: Vec::new(),
            index: None,
            analytic: f64::NAN,
            numeric: f64::NAN,
            message: Some(message),
            order: 1,
        })
    };
    let y = match replay_alone(&recorded, &vars) {
        Ok(y) => y,
        Err(e) => return NodeVerdict::Unchecked(e),
    };
    let g = match catch(|| y.try_backward_with_seed(&u.cast::<T>())) {
        Ok(Ok(g)) => g,
        Ok(Err(e)) => return bad(failing_argument(vals, watched.as_deref()), e.to_string()),
        Err(e) => return bad((vals.len() == 1).then_some(0), e),
    };
    let analytic: Vec<Vec<f64>> = vars.iter().map(|v| g[*v].iter().map(|x| x.to_f64()).collect()).collect();
    let x0: Vec<Tensor<f64>> = vals.iter().map(to_f64).collect();
    let smooth = Smooth::default();
    let phi = |xs: &[Tensor<f64>]| match &cast {
        Some(c) => node_phi(c, xs, &u, &smooth),
        None => node_phi(s, xs, &u, &smooth),
    };
    for k in 0..vals.len() {
        if !flows[k] {
            continue;
        }
        // Two random directions in argument k alone; problems name the argument by its node.
        let name = [format!("v{}", s.parents[k])];
        let report = |fast| {
            let shape = vec![vals[k].shape().to_vec()];
            CheckReport::new(String::new(), &name, shape, Resolved { fast, ..r.clone() }, 0)
        };
        let elementwise = thorough && x0[k].len() <= ELEMENTWISE;
        if thorough && !elementwise {
            continue;
        }
        let mut probe = report(if elementwise { None } else { Some(2) });
        compare_one(&x0, &analytic, &phi, k, r, rng, &mut probe);
        if probe.entries.iter().all(|e| e.status == Status::Pass) && probe.problems.is_empty() {
            continue;
        }
        if probe.entries.iter().any(|e| e.status == Status::Kink) {
            return NodeVerdict::Kink;
        }
        if let (false, Some(p)) =
            (probe.entries.iter().any(|e| e.status == Status::Fail), probe.problems.first())
        {
            // The op failed at a perturbed argument before any entry failed: no evidence.
            return NodeVerdict::Unchecked(p.clone());
        }
        if probe.entries.iter().filter(|e| e.status == Status::Fail).all(unresolvable) {
            return NodeVerdict::Unchecked(UNRESOLVABLE.into());
        }
        // Element by element on argument k (when small) to name the element.
        let d = &probe.entries.iter().find(|e| e.status == Status::Fail);
        let mut loc = Localisation {
            node: NodeId(s.id),
            op: s.display_name(),
            argument: Some(k),
            parent: None,
            parents: Vec::new(),
            index: None,
            analytic: d.map_or(f64::NAN, |e| e.analytic),
            numeric: d.map_or(f64::NAN, |e| e.numeric),
            message: None,
            order: 1,
        };
        let full = if elementwise {
            Some(probe)
        } else if x0[k].len() <= 16384 {
            let mut full = report(None);
            compare_one(&x0, &analytic, &phi, k, r, rng, &mut full);
            Some(full)
        } else {
            None
        };
        if let Some(full) = full {
            if let Some(w) = full.worst_entries(1).first() {
                if w.status == Status::Fail {
                    if let Probe::Element { index, .. } = &w.probe {
                        loc.index = Some(index.clone());
                    }
                    loc.analytic = w.analytic;
                    loc.numeric = w.numeric;
                }
            }
        }
        return NodeVerdict::Bad(loc);
    }
    NodeVerdict::Ok
}

/// The argument a failed backward of a node with arguments `vals` is about: for an op of
/// one argument, that one; for a custom op, the first input whose gradient, as the failed
/// backward's own call of `vjp` returned it, has the wrong shape (the error the engine
/// reports). The user's `vjp` is not called again: a stateful op would notice. `None` when
/// no single argument is to blame (a wrong number of gradients, or a `vjp` that panicked).
fn failing_argument<T: Float>(vals: &[Tensor<T>], watched: Option<&Watched<T>>) -> Option<usize> {
    if vals.len() == 1 {
        return Some(0);
    }
    let shapes = watched?.shapes.borrow();
    let shapes = shapes.as_ref()?;
    if shapes.len() != vals.len() {
        return None;
    }
    shapes.iter().zip(vals).position(|(g, x)| g.as_slice() != x.shape())
}

/// A custom op that passes every call on to `op` and keeps the shapes of the gradients
/// `vjp` last returned.
struct Watched<T: Float> {
    op: Rc<dyn CustomOp<T>>,
    shapes: RefCell<Option<Vec<Vec<usize>>>>,
}

impl<T: Float> CustomOp<T> for Watched<T> {
    fn name(&self) -> &str {
        self.op.name()
    }
    fn forward(&self, inputs: &[&Tensor<T>]) -> crate::error::Result<Tensor<T>> {
        self.op.forward(inputs)
    }
    fn vjp(&self, inputs: &[&Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>) -> Vec<Tensor<T>> {
        let grads = self.op.vjp(inputs, output, grad);
        *self.shapes.borrow_mut() = Some(grads.iter().map(|g| g.shape().to_vec()).collect());
        grads
    }
    fn vjp_graph<'t>(
        &self,
        inputs: &[Var<'t, T>],
        output: Var<'t, T>,
        grad: Var<'t, T>,
    ) -> Option<Vec<Var<'t, T>>> {
        self.op.vjp_graph(inputs, output, grad)
    }
    fn branches(&self, inputs: &[&Tensor<T>]) -> Option<Vec<u32>> {
        self.op.branches(inputs)
    }
}

/// [`compare`] on argument `k` only, with the mode of `probe.resolved`.
fn compare_one(
    x0: &[Tensor<f64>],
    analytic: &[Vec<f64>],
    phi: &Phi<'_>,
    k: usize,
    r: &Resolved,
    rng: &mut Rng,
    probe: &mut CheckReport,
) {
    let fast = probe.resolved.fast;
    let rk = Resolved { fast, ..r.clone() };
    // Wrap phi so only argument k varies: pass the others through unchanged.
    let sub_x0 = vec![x0[k].clone()];
    let sub_an = vec![analytic[k].clone()];
    let all = RefCell::new(x0.to_vec());
    let sub_phi = |xs: &[Tensor<f64>]| {
        let mut all = all.borrow_mut();
        all[k] = xs[0].clone();
        phi(&all)
    };
    compare(&sub_x0, &sub_an, &sub_phi, 1, &rk, rng, probe);
}
