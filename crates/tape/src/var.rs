//! [`Var`]: a `Copy` handle to a node of a [`Tape`]. Ordinary Rust operators on it record
//! ops on the tape.

use std::fmt;
use std::ops::{Add, AddAssign, Div, DivAssign, Mul, MulAssign, Neg, Sub, SubAssign};

use crate::error::{Error, NodeId, Result};
use crate::float::Float;
use crate::ops::layout::{self, Window2d};
use crate::ops::{binary, matmul, reduce, unary, Op};
use crate::shape::{resolve_axis, Shape};
use crate::tape::Tape;
use crate::tensor::Tensor;

/// A variable: a handle to one node of a [`Tape`].
///
/// `Var` is `Copy` and borrows its tape, so expressions read like `f64` arithmetic and the
/// tape cannot be reset while a handle lives.
///
/// ```
/// use wengert_tape::{Tape, Tensor};
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
/// let b = t.var(&Tensor::from([10.0, 20.0, 30.0]));
/// let y = (x * b + 1.0).sum(); // b broadcasts over the rows of x
/// let g = y.backward();
/// assert_eq!(g[b], [5.0, 7.0, 9.0]); // column sums of x
/// ```
///
/// Operators panic on incompatible shapes (or on variables from two tapes) with a message
/// naming the op, the shapes and the nodes; every such method has a `try_` twin that
/// returns [`Result`] instead.
pub struct Var<'t, T: Float = f64> {
    pub(crate) tape: &'t Tape<T>,
    /// The node's index in the low 32 bits, and above them the flags: [`KNOWN_SCALAR`]
    /// (the node is a scalar) and [`GRAD`] (gradients flow into it), or none when the
    /// handle says nothing beyond its node. One integer beside the tape reference makes the
    /// handle a pair of scalars, which Rust passes and returns in registers; a larger
    /// handle goes through memory, where rustc 1.95 miscompiled a closure called twice on
    /// one handle (docs/ARCHITECTURE.md, "Handles"; `tests/handles.rs`).
    key: u64,
}

/// [`Var::flags`]: the handle is a scalar (shape `[]`).
pub(crate) const KNOWN_SCALAR: u8 = 1;
/// [`Var::flags`]: gradients flow into the node (set only with [`KNOWN_SCALAR`]).
pub(crate) const GRAD: u8 = 2;

impl<T: Float> Clone for Var<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: Float> Copy for Var<'_, T> {}

impl<T: Float> fmt::Debug for Var<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} = {:?}", self.node(), self.value())
    }
}

/// Unwraps a `Result` of an op, panicking with the error's message at the caller.
#[track_caller]
#[inline]
pub(crate) fn ok<V>(r: Result<V>) -> V {
    match r {
        Ok(v) => v,
        Err(e) => panic!("{e}"),
    }
}

macro_rules! unary_methods {
    ($($(#[$m:meta])* $name:ident => $op:ident;)*) => {
        $(
            $(#[$m])*
            #[track_caller]
            #[inline]
            pub fn $name(self) -> Var<'t, T> {
                unary::record(Op::$op, self, &[])
            }
        )*
    };
}

macro_rules! binary_methods {
    ($($(#[$m:meta])* $name:ident, $try_name:ident => $op:ident;)*) => {
        $(
            $(#[$m])*
            #[track_caller]
            #[inline]
            pub fn $name(self, rhs: Var<'t, T>) -> Var<'t, T> {
                binary::record_op(Op::$op, self, rhs)
            }
            #[doc = concat!("Fallible [`Var::", stringify!($name), "`].")]
            #[track_caller]
            pub fn $try_name(self, rhs: Var<'t, T>) -> Result<Var<'t, T>> {
                self.try_binary(Op::$op, rhs)
            }
        )*
    };
}

impl<'t, T: Float> Var<'t, T> {
    /// The handle to node `id` with `flags`.
    #[inline(always)]
    fn with_flags(tape: &'t Tape<T>, id: u32, flags: u8) -> Self {
        Var { tape, key: u64::from(id) | u64::from(flags) << 32 }
    }

    /// The node's index.
    #[inline(always)]
    pub(crate) fn id(self) -> u32 {
        self.key as u32
    }

    /// [`KNOWN_SCALAR`] and [`GRAD`].
    #[inline(always)]
    pub(crate) fn flags(self) -> u8 {
        (self.key >> 32) as u8
    }

    #[inline]
    pub(crate) fn new(tape: &'t Tape<T>, id: u32) -> Self {
        Var::with_flags(tape, id, 0)
    }

    /// A handle to scalar node `id` that says so and carries its gradient flag, so the
    /// scalar fast paths record ops on it without reading its node.
    #[inline(always)]
    pub(crate) fn scalar(tape: &'t Tape<T>, id: u32, grad: bool) -> Self {
        Var::with_flags(tape, id, KNOWN_SCALAR | if grad { GRAD } else { 0 })
    }

    /// This handle marked as a scalar if its node is one (shape `[]`), else `None`.
    pub(crate) fn as_known_scalar(self) -> Option<Self> {
        if self.known_scalar() {
            return Some(self);
        }
        let inner = self.tape.inner.borrow();
        let n = inner.node(self.id());
        (n.shape == crate::tape::SCALAR).then(|| Var::scalar(self.tape, self.id(), n.grad))
    }

    /// True for a handle from [`Var::scalar`].
    #[inline(always)]
    pub(crate) fn known_scalar(self) -> bool {
        self.flags() & KNOWN_SCALAR != 0
    }

    /// The node this variable refers to (`v12` in the Wengert list).
    pub fn node(self) -> NodeId {
        NodeId(self.id())
    }

    /// The tape this variable lives on.
    pub fn tape(self) -> &'t Tape<T> {
        self.tape
    }

    /// A copy of the value.
    pub fn value(self) -> Tensor<T> {
        self.tape.inner.borrow().tensor(self.id())
    }

    /// The value of a scalar.
    ///
    /// # Panics
    /// If the variable is not a one-element tensor.
    #[track_caller]
    pub fn item(self) -> T {
        let inner = self.tape.inner.borrow();
        let v = inner.value(self.id());
        assert!(
            v.len() == 1,
            "item: {} has shape {:?}, not a single element",
            self.node(),
            inner.dims(self.id())
        );
        v[0]
    }

    /// The shape.
    pub fn shape(self) -> Shape {
        self.tape.inner.borrow().shape_of(self.id())
    }

    /// Number of elements.
    pub fn len(self) -> usize {
        self.tape.inner.borrow().len_of(self.id())
    }

    /// True for a variable with no elements.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// True if gradients can flow into this node (it depends on a [`Tape::var`] leaf).
    pub fn requires_grad(self) -> bool {
        self.tape.inner.borrow().node(self.id()).grad
    }

    /// Checks that `other` is on the same tape.
    pub fn try_same_tape(self, other: Var<'t, T>, op: &'static str) -> Result<()> {
        if std::ptr::eq(self.tape, other.tape) {
            Ok(())
        } else {
            Err(Error::TapeMismatch {
                op,
                lhs_node: self.node(),
                rhs_node: other.node(),
                lhs_tape: self.tape.id,
                rhs_tape: other.tape.id,
            })
        }
    }

    /// The same value, cut off from the graph: no gradient flows through it.
    #[track_caller]
    pub fn detach(self) -> Var<'t, T> {
        let tape = self.tape;
        let mut inner = tape.inner.borrow_mut();
        let n = inner.node(self.id());
        let r = inner.val_range(self.id());
        let off = inner.values.len();
        inner.values.extend_from_within(r);
        let id = inner.push(Op::Detach, false, self.id(), 0, off, n.shape, 0);
        drop(inner);
        tape.note_location(id);
        Var::new(tape, id)
    }

    unary_methods! {
        /// e^x.
        exp => Exp;
        /// Natural logarithm; NaN for x < 0, −inf at 0.
        ln => Ln;
        /// ln(1 + x), accurate near 0.
        log1p => Log1p;
        /// Square root; its derivative is infinite at 0.
        sqrt => Sqrt;
        /// Sine.
        sin => Sin;
        /// Cosine.
        cos => Cos;
        /// Hyperbolic tangent.
        tanh => Tanh;
        /// Logistic sigmoid 1/(1 + e^−x), computed without overflow for any x; derivative y(1 − y).
        sigmoid => Sigmoid;
        /// ln(1 + e^x), finite for any finite x (softplus(1000) = 1000); derivative exactly sigmoid(x).
        softplus => Softplus;
        /// The error function erf(x) = (2/√π)·∫₀ˣ e^(−t²) dt (the `libm` crate's, within an
        /// ulp or so); derivative (2/√π)·e^(−x²).
        erf => Erf;
        /// erfc(x) = 1 − erf(x), accurate where erf(x) is near 1 (erfc(10) ≈ 2.1e−45,
        /// where 1 − erf(10) is 0); derivative −(2/√π)·e^(−x²).
        erfc => Erfc;
        /// eˣ − 1, accurate near 0 (PyTorch's `expm1`); derivative eˣ = y + 1.
        expm1 => Expm1;
        /// Hyperbolic sine; derivative cosh x.
        sinh => Sinh;
        /// Hyperbolic cosine; derivative sinh x.
        cosh => Cosh;
        /// Arctangent; derivative 1/(1 + x²).
        atan => Atan;
        /// Arcsine; NaN outside [−1, 1], derivative 1/√(1 − x²) (infinite at ±1).
        asin => Asin;
        /// Arccosine; NaN outside [−1, 1], derivative −1/√(1 − x²) (infinite at ±1).
        acos => Acos;
        /// ln|Γ(x)|, PyTorch's `lgamma` (the `libm` crate's `lgamma`, in f64 also for an
        /// f32 tape, rounded once); +∞ at the poles 0, −1, −2, …; derivative ψ(x)
        /// ([`Var::digamma`]). For log-likelihoods with gamma functions (negative binomial,
        /// beta, Dirichlet, Student-t).
        ///
        /// ```
        /// use wengert_tape::Tape;
        /// let tape = Tape::<f64>::new();
        /// let x = tape.var_from(&[2], &[1.0, 5.0]);
        /// let y = x.lgamma();
        /// assert_eq!(y.value().data()[0], 0.0); // Γ(1) = 1
        /// assert!((y.value().data()[1] - 24f64.ln()).abs() < 1e-14); // Γ(5) = 4!
        /// let g = y.sum().backward().wrt(x);
        /// assert!((g.data()[0] + 0.5772156649015329).abs() < 1e-15); // ψ(1) = −γ
        /// ```
        lgamma => Lgamma;
        /// The digamma function ψ(x) = d/dx ln Γ(x), PyTorch's `digamma`: within 3 ulp of
        /// the exact value, or about 1e−15 absolute where ψ is small and its terms cancel
        /// (near its zero at x ≈ 1.4616, and between the poles at x < 0); −∞ at +0, +∞ at
        /// −0, NaN at −1, −2, … (PyTorch's values at the poles); derivative ψ⁽¹⁾(x)
        /// ([`Var::polygamma`] of order 1). Computed in f64, also for an f32 tape.
        digamma => Digamma;
        /// max(x, 0); derivative 0 at x = 0 (PyTorch's convention). NaN stays NaN, with
        /// derivative 0 (JAX's `relu`; PyTorch's passes the gradient through a NaN).
        relu => Relu;
        /// |x|; derivative sign(x), 0 at x = 0 (PyTorch's convention).
        abs => Abs;
        /// x².
        square => Square;
        /// Mask: 1 where x > 0, else 0. No gradient flows through it.
        step_mask => StepMask;
        /// Mask: sign(x) ∈ {−1, 0, 1}. No gradient flows through it.
        sign => SignMask;
        /// Mask: 1 where x = 0, else 0. No gradient flows through it.
        is_zero => IsZeroMask;
    }

    /// ln σ(x), PyTorch's `logsigmoid`: −softplus(−x), finite for any finite x
    /// (`x.sigmoid().ln()` is −∞ below x ≈ −745 in f64, with a NaN gradient); derivative
    /// σ(−x) = 1 − σ(x), exactly (softplus' = σ). The log-likelihood term of a logistic
    /// model: ln p = log_sigmoid(x), ln(1 − p) = log_sigmoid(−x).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[2], &[-800.0, 0.0]);
    /// let y = x.log_sigmoid();
    /// assert_eq!(y.value().data(), &[-800.0, -std::f64::consts::LN_2]);
    /// assert_eq!(y.sum().backward().wrt(x).data(), &[1.0, 0.5]);
    /// ```
    #[track_caller]
    pub fn log_sigmoid(self) -> Var<'t, T> {
        -(-self).softplus()
    }

    /// x·σ(x), PyTorch's `silu` (swish), composed of `sigmoid` and a product; derivative
    /// σ(x)·(1 + x·(1 − σ(x))).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[2], &[0.0, 2.0]);
    /// let y = x.silu();
    /// assert_eq!(y.value().data()[0], 0.0);
    /// assert_eq!(y.sum().backward().wrt(x).data()[0], 0.5);
    /// ```
    #[track_caller]
    pub fn silu(self) -> Var<'t, T> {
        self * self.sigmoid()
    }

    /// PyTorch's `gelu(x, approximate='tanh')`: ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))),
    /// composed of tape ops (GPT-2's activation). [`Var::gelu`] is the exact form.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[3], &[-30.0, 0.0, 30.0]);
    /// assert_eq!(x.gelu_tanh().value().data(), &[-0.0, 0.0, 30.0]);
    /// ```
    #[track_caller]
    pub fn gelu_tanh(self) -> Var<'t, T> {
        // PyTorch's constants: √2·(2/√π)·½ = √(2/π), and κ = 0.044715.
        let beta = T::from_f64(std::f64::consts::SQRT_2 * std::f64::consts::FRAC_2_SQRT_PI * 0.5);
        let kappa = T::from_f64(0.044715);
        let inner = (self + self.square() * self * kappa) * beta;
        self * T::from_f64(0.5) * (inner.tanh() + T::ONE)
    }

    /// The exact GELU, x·Φ(x) = ½·x·(1 + erf(x/√2)), PyTorch's `gelu` (its default,
    /// `approximate='none'`) and JAX's `gelu(approximate=False)`, composed of tape ops in
    /// PyTorch's order; derivative Φ(x) + x·φ(x).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[3], &[-40.0, 0.0, 40.0]);
    /// let y = x.gelu();
    /// assert_eq!(y.value().data(), &[-0.0, 0.0, 40.0]);
    /// assert_eq!(y.sum().backward().wrt(x).data(), &[0.0, 0.5, 1.0]);
    /// ```
    #[track_caller]
    pub fn gelu(self) -> Var<'t, T> {
        let erf = (self * T::from_f64(std::f64::consts::FRAC_1_SQRT_2)).erf();
        self * T::from_f64(0.5) * (erf + T::ONE)
    }

    /// x where x > 0, else `negative_slope`·x: PyTorch's `leaky_relu`, composed of a
    /// `select`; the derivative at 0 is the slope, as PyTorch's. NaN stays NaN.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[3], &[-2.0, 0.0, 3.0]);
    /// let y = x.leaky_relu(0.01);
    /// assert_eq!(y.value().data(), &[-0.02, 0.0, 3.0]);
    /// assert_eq!(y.sum().backward().wrt(x).data(), &[0.01, 0.01, 1.0]);
    /// ```
    #[track_caller]
    pub fn leaky_relu(self, negative_slope: T) -> Var<'t, T> {
        self.step_mask().select(self, self * negative_slope)
    }

    /// x where x > 0, else α·(eˣ − 1): PyTorch's `elu`, composed of `select`s and `expm1`;
    /// the derivative at 0 is α, as PyTorch's. The exponential only sees min(x, 0) (a
    /// second `select`), so a large x cannot overflow it and spoil the gradient.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[3], &[-800.0, 0.0, 800.0]);
    /// let y = x.elu(1.5);
    /// assert_eq!(y.value().data(), &[-1.5, 0.0, 800.0]);
    /// assert_eq!(y.sum().backward().wrt(x).data(), &[0.0, 1.5, 1.0]);
    /// ```
    #[track_caller]
    pub fn elu(self, alpha: T) -> Var<'t, T> {
        let pos = self.step_mask();
        let neg_part = pos.select(self.tape.scalar_constant(T::ZERO), self);
        pos.select(self, neg_part.expm1() * alpha)
    }

    /// The polygamma function ψ⁽ⁿ⁾(x), the n-th derivative of the digamma function
    /// (PyTorch's `polygamma(n, x)`; order 0 is [`Var::digamma`]); derivative ψ⁽ⁿ⁺¹⁾(x),
    /// recorded as `polygamma(n + 1)`, so every order can be differentiated again.
    ///
    /// Computed in f64 (also for an f32 tape, rounded once): a recurrence up to 10 + n and
    /// an asymptotic series for x > 0, the reflection formula for x < 0; within 10 ulp of
    /// the exact value for n ≤ 4 (measured from 1e−6 to 1000 and from −30 to 0), except
    /// near its zeros (at negative x, for even n).
    ///
    /// Poles: (−1)ⁿ⁺¹·∞ at 0, −1, −2, … for n ≥ 2; for n = 1 PyTorch's values (+∞ at 0,
    /// and at a negative integer the finite π²/sin²(πx) − ψ⁽¹⁾(1 − x) of its reflection
    /// formula, 6.6e32 at −1). At +∞ it is (−1)ⁿ⁺¹·0 (PyTorch 2.15 gives NaN for n ≥ 2).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.scalar(1.0);
    /// let y = x.polygamma(1); // ψ⁽¹⁾(1) = π²/6
    /// assert!((y.item() - std::f64::consts::PI.powi(2) / 6.0).abs() < 1e-15);
    /// let g = y.backward().scalar(x); // ψ⁽²⁾(1) = −2ζ(3)
    /// assert!((g + 2.0 * 1.2020569031595942).abs() < 1e-14);
    /// ```
    ///
    /// # Panics
    ///
    /// If n is past 2²⁰: the order is the node's constant, which an f32 tape must hold
    /// exactly, its derivatives' orders included.
    #[track_caller]
    pub fn polygamma(self, n: u32) -> Var<'t, T> {
        assert!(n <= 1 << 20, "polygamma: order {n} is past 2^20");
        if n == 0 {
            return self.digamma();
        }
        unary::record(Op::Polygamma, self, &[T::from_f64(f64::from(n))])
    }

    /// x^p for a constant exponent p; derivative p·x^(p−1) (0 when p = 0).
    #[track_caller]
    pub fn powf(self, p: T) -> Var<'t, T> {
        unary::record(Op::PowConst, self, &[p])
    }

    /// Clamps into [lo, hi]; the derivative is 1 strictly inside and 0 at and beyond the
    /// bounds (so 0 at a bound, the convention the engine documents).
    ///
    /// NaN propagates, as in PyTorch's `clamp` and numpy's `clip`: a NaN element stays
    /// NaN, and a NaN bound makes every element NaN, with derivative 0 (the result no
    /// longer depends on x; PyTorch's gradient is 0 there too). Crossed bounds (lo > hi)
    /// give hi everywhere, with derivative 0, as PyTorch's `clamp` and numpy's `clip`
    /// (min(max(x, lo), hi)).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[3], &[-1.0, 0.5, f64::NAN]);
    /// let y = x.clamp(0.0, 1.0);
    /// assert_eq!(&y.value().data()[..2], &[0.0, 0.5]);
    /// assert!(y.value().data()[2].is_nan());
    /// assert!(x.clamp(f64::NAN, 1.0).value().data().iter().all(|v| v.is_nan()));
    /// ```
    #[track_caller]
    pub fn clamp(self, lo: T, hi: T) -> Var<'t, T> {
        unary::record(Op::Clamp, self, &[lo, hi])
    }

    /// c − x for a constant c (the `c - x` operator, for code generic over the element type).
    #[track_caller]
    pub fn rsub(self, c: T) -> Var<'t, T> {
        unary::record(Op::RSubConst, self, &[c])
    }

    /// c / x for a constant c (the `c / x` operator, for code generic over the element type).
    #[track_caller]
    pub fn rdiv(self, c: T) -> Var<'t, T> {
        unary::record(Op::RDivConst, self, &[c])
    }

    /// Mask: 1 where lo < x < hi, else 0. No gradient flows through it.
    #[track_caller]
    pub fn range_mask(self, lo: T, hi: T) -> Var<'t, T> {
        unary::record(Op::RangeMask, self, &[lo, hi])
    }

    /// Records a binary op with numpy broadcasting: operands whose shape differs from the
    /// broadcast shape get an explicit `broadcast_to` node.
    #[track_caller]
    #[inline(always)]
    pub(crate) fn try_binary(self, op: Op, rhs: Var<'t, T>) -> Result<Var<'t, T>> {
        binary::record(op, self, rhs)
    }

    binary_methods! {
        /// Elementwise sum with broadcasting (the `+` operator).
        add_var, try_add => Add;
        /// Elementwise difference with broadcasting (the `-` operator).
        sub_var, try_sub => Sub;
        /// Elementwise product with broadcasting (the `*` operator).
        mul_var, try_mul => Mul;
        /// Elementwise quotient with broadcasting (the `/` operator).
        div_var, try_div => Div;
        /// Elementwise power a^b with broadcasting; ∂/∂b is taken as 0 where a = 0 and b ≥ 0.
        pow, try_pow => Pow;
        /// Elementwise atan2(self, rhs) with broadcasting: the angle of the point (rhs,
        /// self), in [−π, π], PyTorch's `atan2`; derivatives rhs/(self² + rhs²) and
        /// −self/(self² + rhs²), NaN at the origin (as PyTorch and JAX).
        atan2, try_atan2 => Atan2;
        /// Elementwise maximum with broadcasting; at a tie each side gets half the gradient.
        /// NaN propagates: where either operand is NaN the result is NaN and neither
        /// operand gets a gradient (JAX's rule; PyTorch gives each the whole gradient, and
        /// [`Var::max`] gives it to the NaN elements).
        maximum, try_maximum => Maximum;
        /// Elementwise minimum with broadcasting; at a tie each side gets half the gradient.
        /// NaN propagates as in [`Var::maximum`], with no gradient to either operand.
        minimum, try_minimum => Minimum;
        /// Mask: 1 where self > rhs, ½ where equal, 0 elsewhere. No gradient flows through it.
        max_weight, try_max_weight => MaxWeight;
        /// Mask: 1 where self = rhs, else 0; NaN counts as equal to NaN here (so that a NaN
        /// maximum finds its NaN elements). No gradient flows through it.
        eq_mask, try_eq_mask => EqMask;
        /// Mask: 1 where self > rhs, else 0 (0 where either is NaN), with broadcasting: the
        /// condition of `torch.where(a > b, ..)` for [`Var::select`]. No gradient flows
        /// through it.
        gt_mask, try_gt_mask => GtMask;
        /// Mask: 1 where self ≥ rhs, else 0 (0 where either is NaN). No gradient flows
        /// through it.
        ge_mask, try_ge_mask => GeMask;
        /// `self` where `mask ≠ 0`, else 0, with broadcasting: a selection, not a product,
        /// so an infinite or NaN element under a zero mask gives 0 (`x * mask` would give
        /// NaN there). A NaN mask element counts as nonzero. The gradient reaches `self`
        /// where the mask is nonzero; none flows into the mask. See [`Var::select`].
        masked, try_masked => Masked;
    }

    /// Mask: 1 where self < rhs, else 0 (0 where either is NaN): `rhs.gt_mask(self)`, and
    /// recorded so. No gradient flows through it.
    #[track_caller]
    pub fn lt_mask(self, rhs: Var<'t, T>) -> Var<'t, T> {
        rhs.gt_mask(self)
    }

    /// Fallible [`Var::lt_mask`].
    #[track_caller]
    pub fn try_lt_mask(self, rhs: Var<'t, T>) -> Result<Var<'t, T>> {
        rhs.try_gt_mask(self)
    }

    /// Mask: 1 where self ≤ rhs, else 0 (0 where either is NaN): `rhs.ge_mask(self)`, and
    /// recorded so. No gradient flows through it.
    #[track_caller]
    pub fn le_mask(self, rhs: Var<'t, T>) -> Var<'t, T> {
        rhs.ge_mask(self)
    }

    /// Fallible [`Var::le_mask`].
    #[track_caller]
    pub fn try_le_mask(self, rhs: Var<'t, T>) -> Result<Var<'t, T>> {
        rhs.try_ge_mask(self)
    }

    /// `on_true` where `self ≠ 0`, `on_false` elsewhere, all three broadcast together:
    /// PyTorch's `torch.where(cond, on_true, on_false)` and JAX's `jnp.where`, with the
    /// condition a mask (`gt_mask`, `ge_mask`, `lt_mask`, `le_mask`, `eq_mask`,
    /// `step_mask`, `range_mask`, `is_zero`, ...; a NaN element counts as true). The
    /// gradient goes to the chosen side only, and none flows into the condition.
    ///
    /// One node (after `broadcast_to` nodes for operands of another shape): each element
    /// is copied from one side, so the value never mixes the branches (an infinite or NaN
    /// element of the side not chosen does not reach it; a chosen −0.0 stays −0.0). Its
    /// gradient can, as in PyTorch and JAX: the unchosen
    /// side's backward rules still run, with a zero gradient, and 0 times an infinite
    /// slope is NaN. Keep the unchosen side's input inside its domain (select twice):
    ///
    /// ```
    /// use wengert_tape::Tape;
    ///
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[3], &[-4.0, 0.0, 9.0]);
    /// let (zero, one) = (tape.scalar_constant(0.0), tape.scalar_constant(1.0));
    /// let pos = x.step_mask(); // 1 where x > 0
    /// // √x where x > 0, else 0; the inner select keeps √ away from x ≤ 0.
    /// let y = pos.select(pos.select(x, one).sqrt(), zero);
    /// assert_eq!(y.value().data(), &[0.0, 0.0, 3.0]);
    /// let g = y.sum().backward();
    /// assert_eq!(g.wrt(x).data(), &[0.0, 0.0, 1.0 / 6.0]);
    /// // With √x itself on the unchosen side, √'(0) = ∞ times a zero gradient:
    /// let g = pos.select(x.sqrt(), zero).sum().backward();
    /// assert!(g.wrt(x).data()[1].is_nan());
    /// ```
    #[doc(alias = "where")]
    #[track_caller]
    pub fn select(self, on_true: Var<'t, T>, on_false: Var<'t, T>) -> Var<'t, T> {
        ok(self.try_select(on_true, on_false))
    }

    /// Fallible [`Var::select`]: an error names the three shapes when they do not
    /// broadcast together, and records nothing then.
    #[track_caller]
    pub fn try_select(self, on_true: Var<'t, T>, on_false: Var<'t, T>) -> Result<Var<'t, T>> {
        self.try_same_tape(on_true, "select")?;
        self.try_same_tape(on_false, "select")?;
        let (c, a, b) = (self.shape(), on_true.shape(), on_false.shape());
        let fits =
            crate::shape::broadcast_shapes(&c, &a).and_then(|ca| crate::shape::broadcast_shapes(&ca, &b));
        if fits.is_none() {
            return Err(Error::InvalidArgument {
                op: "select",
                msg: format!(
                    "the condition {c:?} ({}), on_true {a:?} ({}) and on_false {b:?} ({}) do not \
                     broadcast to one shape",
                    self.node(),
                    on_true.node(),
                    on_false.node()
                ),
            });
        }
        let out = fits.expect("checked above");
        let (cond, a, b) = (
            layout::widen(self, &c, &out)?,
            layout::widen(on_true, &a, &out)?,
            layout::widen(on_false, &b, &out)?,
        );
        Ok(crate::ops::binary::record_select(cond, a, b))
    }

    // ---- reductions ----

    /// Sum of all elements (a scalar), added pairwise in numpy's order: the result is
    /// `numpy.sum`'s to the bit for the same elements, and its rounding error grows like
    /// log n.
    #[track_caller]
    pub fn sum(self) -> Var<'t, T> {
        ok(reduce::sum_to("sum", self, &[]))
    }

    /// Mean of all elements (a scalar). The mean of an empty tensor is NaN.
    #[track_caller]
    pub fn mean(self) -> Var<'t, T> {
        let n = self.len();
        self.sum() / T::from_usize(n)
    }

    /// Sums over the axes that broadcasting `shape` to this variable's shape would stretch,
    /// so the result has `shape`. The VJP of `broadcast_to`.
    #[track_caller]
    pub fn sum_to(self, shape: &[usize]) -> Var<'t, T> {
        ok(self.try_sum_to(shape))
    }

    /// Fallible [`Var::sum_to`].
    #[track_caller]
    pub fn try_sum_to(self, shape: &[usize]) -> Result<Var<'t, T>> {
        if self.shape().as_slice() == shape {
            return Ok(self);
        }
        reduce::sum_to("sum_to", self, shape)
    }

    /// Sum over one axis (negative counts from the end), keeping it with size 1 if `keepdim`.
    #[track_caller]
    pub fn sum_axis(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        ok(self.try_sum_axis(axis, keepdim))
    }

    /// Fallible [`Var::sum_axis`].
    #[track_caller]
    pub fn try_sum_axis(self, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        self.sum_axis_as("sum_axis", axis, keepdim)
    }

    /// [`Var::try_sum_axis`] with its errors named `op`.
    #[track_caller]
    fn sum_axis_as(self, op: &'static str, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        let dims = self.shape();
        let ax = self.axis(op, axis, &dims)?;
        let s = reduce::sum_to(op, self, &kept_shape(&dims, ax))?;
        keep_or_drop(s, dims, ax, keepdim)
    }

    /// Mean over one axis.
    #[track_caller]
    pub fn mean_axis(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        ok(self.try_mean_axis(axis, keepdim))
    }

    /// Fallible [`Var::mean_axis`].
    #[track_caller]
    pub fn try_mean_axis(self, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        let dims = self.shape();
        let ax = self.axis("mean_axis", axis, &dims)?;
        Ok(self.sum_axis_as("mean_axis", axis, keepdim)? / T::from_usize(dims[ax]))
    }

    /// Maximum of all elements (a scalar). Tied maxima share the gradient evenly. NaN
    /// propagates: the maximum of a tensor holding NaN is NaN, and its gradient goes to the
    /// NaN elements (split evenly, as PyTorch's `max` does).
    #[track_caller]
    pub fn max(self) -> Var<'t, T> {
        ok(self.try_max())
    }

    /// Fallible [`Var::max`]: fails on an empty tensor.
    #[track_caller]
    pub fn try_max(self) -> Result<Var<'t, T>> {
        self.nonempty("max")?;
        let n = self.len();
        let flat = if self.shape().len() == 1 { self } else { layout::reshape(self, &[n])? };
        let m = reduce::max_axis(flat, 0)?;
        layout::reshape(m, &[])
    }

    /// Maximum over one axis. Tied maxima share the gradient evenly (total 1); a NaN
    /// maximum sends it to the NaN elements, as [`Var::max`].
    #[track_caller]
    pub fn max_axis(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        ok(self.try_max_axis(axis, keepdim))
    }

    /// Fallible [`Var::max_axis`].
    #[track_caller]
    pub fn try_max_axis(self, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        let dims = self.shape();
        let ax = self.axis("max_axis", axis, &dims)?;
        let m = reduce::max_axis(self, ax)?;
        keep_or_drop(m, dims, ax, keepdim)
    }

    /// Minimum of all elements (a scalar): `-(-x).max()`, so ties and NaN behave as in
    /// [`Var::max`].
    #[track_caller]
    pub fn min(self) -> Var<'t, T> {
        ok(self.try_min())
    }

    /// Fallible [`Var::min`]: fails on an empty tensor.
    #[track_caller]
    pub fn try_min(self) -> Result<Var<'t, T>> {
        self.nonempty("min")?;
        Ok(-(-self).try_max()?)
    }

    /// Minimum over one axis: `-(-x).max_axis(..)`, so ties and NaN behave as in
    /// [`Var::max_axis`].
    #[track_caller]
    pub fn min_axis(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        ok(self.try_min_axis(axis, keepdim))
    }

    /// Fallible [`Var::min_axis`]: fails for an axis out of range or of size 0.
    #[track_caller]
    pub fn try_min_axis(self, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        let dims = self.shape();
        self.nonempty_axis("min_axis", "min", axis, &dims)?;
        Ok(-(-self).try_max_axis(axis, keepdim)?)
    }

    /// Variance of all elements, Σ (x − mean)² / (n − `correction`): `correction` 1 is
    /// the unbiased sample variance (PyTorch's default), 0 the population variance.
    ///
    /// ```
    /// # use wengert_tape::{Tape, Tensor};
    /// let t = Tape::<f64>::new();
    /// let x = t.var(&Tensor::from([1.0, 2.0, 4.0]));
    /// let v = x.var(1); // mean 7/3, squared deviations 16/9 + 1/9 + 25/9 = 42/9, over 2
    /// assert!((v.item() - 7.0 / 3.0).abs() < 1e-12);
    /// let g = v.backward(); // 2 (x − mean) / (n − 1)
    /// assert!((g[x][0] + 4.0 / 3.0).abs() < 1e-12);
    /// ```
    #[track_caller]
    pub fn var(self, correction: usize) -> Var<'t, T> {
        ok(self.try_var(correction))
    }

    /// Fallible [`Var::var`]: fails unless the tensor has more than `correction` elements.
    #[track_caller]
    pub fn try_var(self, correction: usize) -> Result<Var<'t, T>> {
        self.var_as("var", correction)
    }

    /// [`Var::try_var`] with its errors named `op`.
    #[track_caller]
    fn var_as(self, op: &'static str, correction: usize) -> Result<Var<'t, T>> {
        let n = self.len();
        if n <= correction {
            // Named here, on the tensor as given (below it is flattened).
            return Err(too_few(op, self, None, correction));
        }
        let flat = if self.shape().len() == 1 { self } else { layout::reshape(self, &[n])? };
        let v = flat.variance(op, 0, correction)?;
        layout::reshape(v, &[])
    }

    /// Variance over one axis, Σ (x − mean)² / (n − `correction`) with n the axis' size
    /// (see [`Var::var`]).
    #[track_caller]
    pub fn var_axis(self, axis: isize, keepdim: bool, correction: usize) -> Var<'t, T> {
        ok(self.try_var_axis(axis, keepdim, correction))
    }

    /// Fallible [`Var::var_axis`]: fails for an axis out of range or not longer than
    /// `correction`.
    #[track_caller]
    pub fn try_var_axis(self, axis: isize, keepdim: bool, correction: usize) -> Result<Var<'t, T>> {
        self.var_axis_as("var_axis", axis, keepdim, correction)
    }

    /// [`Var::try_var_axis`] with its errors named `op`.
    #[track_caller]
    fn var_axis_as(
        self,
        op: &'static str,
        axis: isize,
        keepdim: bool,
        correction: usize,
    ) -> Result<Var<'t, T>> {
        let dims = self.shape();
        let ax = self.axis(op, axis, &dims)?;
        let v = self.variance(op, ax, correction)?;
        keep_or_drop(v, dims, ax, keepdim)
    }

    /// Standard deviation of all elements, the square root of [`Var::var`]. Where every
    /// element is equal (a variance of exactly 0) its gradient is 0, as PyTorch's `std`
    /// and [`Var::norm`]'s (√'s slope there is infinite; taken through two `select`s, so
    /// no 0·∞ = NaN reaches the sweep), and so are its second derivatives.
    #[track_caller]
    pub fn std(self, correction: usize) -> Var<'t, T> {
        ok(self.try_std(correction))
    }

    /// Fallible [`Var::std`].
    #[track_caller]
    pub fn try_std(self, correction: usize) -> Result<Var<'t, T>> {
        Ok(self.var_as("std", correction)?.sqrt_or_zero())
    }

    /// Standard deviation over one axis, the square root of [`Var::var_axis`]; the
    /// gradient is 0 for a slice whose elements are all equal, as [`Var::std`]'s.
    #[track_caller]
    pub fn std_axis(self, axis: isize, keepdim: bool, correction: usize) -> Var<'t, T> {
        ok(self.try_std_axis(axis, keepdim, correction))
    }

    /// Fallible [`Var::std_axis`].
    #[track_caller]
    pub fn try_std_axis(self, axis: isize, keepdim: bool, correction: usize) -> Result<Var<'t, T>> {
        Ok(self.var_axis_as("std_axis", axis, keepdim, correction)?.sqrt_or_zero())
    }

    /// Euclidean (L2) norm of all elements, √Σx², a scalar. Its gradient x/‖x‖ is taken
    /// as 0 where the norm is 0 (PyTorch's `linalg.vector_norm` convention; √'s slope is
    /// infinite there, so a plain `x.square().sum().sqrt()` gives NaN). A NaN element gives
    /// a NaN norm and NaN gradients, as PyTorch's. Second derivatives at a zero norm are 0
    /// too (PyTorch's are NaN there). As numpy's and PyTorch's, the squares are not
    /// rescaled: a norm of elements beyond about 1e154 (f64; 1.8e19 in f32) overflows to
    /// ∞, with gradient 0, and one of elements all below about 1e-154 (f64; 1e-19 in f32)
    /// underflows to 0, with gradient 0 (the zero norm's), where x/‖x‖ is finite.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var_from(&[2], &[3.0, -4.0]);
    /// assert_eq!(x.norm().item(), 5.0);
    /// let g = x.norm().backward().wrt(x); // x / ‖x‖
    /// assert!((g.data()[0] - 0.6).abs() < 1e-15 && (g.data()[1] + 0.8).abs() < 1e-15);
    /// let z = tape.var_from(&[2], &[0.0, 0.0]);
    /// assert_eq!(z.norm().backward().wrt(z).data(), &[0.0, 0.0]);
    /// ```
    #[track_caller]
    pub fn norm(self) -> Var<'t, T> {
        self.square().sum().sqrt_or_zero()
    }

    /// Euclidean norm over one axis (negative counts from the end), dropping it unless
    /// `keepdim`; the gradient is 0 for a slice whose norm is 0, as [`Var::norm`]'s. An
    /// error for an axis out of range (it records nothing then).
    #[track_caller]
    pub fn norm_axis(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        ok(self.try_norm_axis(axis, keepdim))
    }

    /// Fallible [`Var::norm_axis`].
    #[track_caller]
    pub fn try_norm_axis(self, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        // Checked here, before the squares are recorded, so that an error names this op
        // and `self`, not the squares, and a refused call records nothing.
        let dims = self.shape();
        let ax = self.axis("norm_axis", axis, &dims)?;
        crate::ops::check_size("norm_axis", self, &kept_shape(&dims, ax))?;
        Ok(self.square().sum_axis_as("norm_axis", axis, keepdim)?.sqrt_or_zero())
    }

    /// x·ln y, and 0 where x = 0 (for any y but NaN), with broadcasting: PyTorch's
    /// `torch.xlogy`, SciPy's `xlogy`. It is the term of an entropy or a KL divergence, Σ p·ln p or
    /// Σ p·(ln p − ln q), in which a probability of exactly 0 contributes 0, where
    /// `p * p.ln()` gives 0·(−∞) = NaN in the value and the gradient.
    ///
    /// The gradients are ln y and x/y. At x = 0 the slope in x is still ln y for finite
    /// y > 0 (x·ln y is linear in x there; PyTorch's and JAX's rule), and 0 for y ≤ 0,
    /// where there is no derivative (PyTorch's 0; JAX's is ln y, −∞ or NaN) and for
    /// y = +∞ (PyTorch's is +∞). The slope in y at x = 0 is 0 (PyTorch's x/y, except at
    /// y = 0, where PyTorch's is NaN). Recorded as selections, like [`Var::norm`], so it
    /// is differentiable twice (∂²/∂x∂y = 1/y, at x = 0 too).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let p = tape.var_from(&[3], &[0.0, 0.25, 0.75]);
    /// let h = -p.xlogy(p).sum(); // entropy, with 0·ln 0 = 0
    /// assert!((h.item() - 0.5623351446188083).abs() < 1e-15);
    /// let g = h.backward().wrt(p); // −(ln p + 1) where p > 0
    /// assert_eq!(g.data()[0], 0.0);
    /// assert!((g.data()[1] - (-(0.25f64.ln()) - 1.0)).abs() < 1e-15);
    /// ```
    #[track_caller]
    pub fn xlogy(self, y: Var<'t, T>) -> Var<'t, T> {
        ok(self.try_xlogy(y))
    }

    /// Fallible [`Var::xlogy`]: an error names both shapes when they do not broadcast
    /// together (and records nothing then).
    #[track_caller]
    pub fn try_xlogy(self, y: Var<'t, T>) -> Result<Var<'t, T>> {
        self.try_same_tape(y, "xlogy")?;
        binary::broadcast_of("xlogy", (self, &self.shape()), (y, &y.shape()))?;
        // x = 0 and y not NaN (a NaN y gives NaN, as in PyTorch and SciPy).
        let zero_here = self.is_zero().try_masked(y.ge_mask(y))?;
        let (zero, one) = (self.tape.scalar_constant(T::ZERO), self.tape.scalar_constant(T::ONE));
        // The inner selection keeps ln away from y where x = 0, so that ln's rule there sees
        // 1, not a y of 0 (whose slope, infinite, would make a NaN of the zero adjoint).
        let log_y = zero_here.try_select(one, y)?.ln();
        // Where x = 0 the value is 0 but the slope in x is still ln y (x·ln y is linear in
        // x): x·ln y there, its ln kept to finite y > 0 (1 elsewhere, so the value is a
        // zero and the slope 0) and its x to the elements where x = 0 (0 elsewhere, so
        // that an infinite x on this unchosen side makes no NaN of the zero adjoint).
        let y_in = y.range_mask(T::ZERO, T::INFINITY).try_select(y, one)?;
        let x_in = zero_here.try_select(self, zero)?;
        // + 0 turns x = −0 into 0.
        let at_zero = x_in * y_in.ln() + T::ZERO;
        zero_here.try_select(at_zero, self * log_y)
    }

    /// √x of a sum of squares x (a norm's or a variance), with value and gradient 0 where x = 0: the inner
    /// selection keeps √'s infinite slope at 0 out of the backward sweep (see
    /// [`Var::select`]). The test is x = 0, not x > 0, so a NaN takes the √ side and
    /// stays NaN in the value and the gradient.
    #[track_caller]
    fn sqrt_or_zero(self) -> Var<'t, T> {
        let zero_here = self.is_zero();
        let (zero, one) = (self.tape.scalar_constant(T::ZERO), self.tape.scalar_constant(T::ONE));
        zero_here.select(zero, zero_here.select(one, self).sqrt())
    }

    /// Σ (x − mean)² / (n − `correction`) over the resolved axis `ax`, keeping it with
    /// size 1: two passes (the mean first), so it stays accurate when the mean is large
    /// against the spread.
    #[track_caller]
    fn variance(self, op: &'static str, ax: usize, correction: usize) -> Result<Var<'t, T>> {
        let dims = self.shape();
        let n = dims[ax];
        if n <= correction {
            return Err(too_few(op, self, Some(ax), correction));
        }
        let kept = kept_shape(&dims, ax);
        let mean = reduce::sum_to(op, self, &kept)? / T::from_usize(n);
        let d = self - mean;
        Ok(reduce::sum_to(op, d.square(), &kept)? / T::from_usize(n - correction))
    }

    /// ln Σ exp(x) over one axis, computed stably as m + ln Σ exp(x − m) with
    /// m = max (detached: it cancels in the value and must not carry gradient).
    #[track_caller]
    pub fn logsumexp(self, axis: isize, keepdim: bool) -> Var<'t, T> {
        ok(self.try_logsumexp(axis, keepdim))
    }

    /// Fallible [`Var::logsumexp`].
    #[track_caller]
    pub fn try_logsumexp(self, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        self.logsumexp_as("logsumexp", axis, keepdim)
    }

    /// [`Var::try_logsumexp`] with its errors named `op`: every one is found before
    /// anything is recorded.
    #[track_caller]
    fn logsumexp_as(self, op: &'static str, axis: isize, keepdim: bool) -> Result<Var<'t, T>> {
        let dims = self.shape();
        let ax = self.nonempty_axis(op, op, axis, &dims)?;
        let (m, _, ln_sum) = self.shifted_log_sum(axis)?;
        keep_or_drop(ln_sum + m, dims, ax, keepdim)
    }

    /// The detached maximum m over `axis` (kept), x − m, and ln Σ exp(x − m) (kept), for
    /// an axis already checked. m is clamped to finite values so that a row of all −inf
    /// gives −inf (exp(−inf) = 0, ln 0 = −inf) rather than −inf − (−inf) = NaN.
    #[track_caller]
    fn shifted_log_sum(self, axis: isize) -> Result<(Var<'t, T>, Var<'t, T>, Var<'t, T>)> {
        let m = self.try_max_axis(axis, true)?.detach().clamp(-T::MAX, T::MAX);
        let shifted = self - m;
        let ln_sum = shifted.exp().try_sum_axis(axis, true)?.ln();
        Ok((m, shifted, ln_sum))
    }

    /// log softmax over one axis: x − logsumexp(x), stable for any finite x, computed as
    /// PyTorch does, (x − m) − ln Σ exp(x − m) with m the maximum (detached): the
    /// difference x − m is exact near the maximum, so large logits keep their digits
    /// (`[1000, 1000]` in f32 gives −ln 2 to the ulp, where x − (m + ln 2) would round
    /// m + ln 2 to the ulp of 1000 first).
    #[track_caller]
    pub fn log_softmax(self, axis: isize) -> Var<'t, T> {
        ok(self.try_log_softmax(axis))
    }

    /// Fallible [`Var::log_softmax`]: fails for an axis out of range or of size 0.
    #[track_caller]
    pub fn try_log_softmax(self, axis: isize) -> Result<Var<'t, T>> {
        self.log_softmax_as("log_softmax", axis)
    }

    /// [`Var::try_log_softmax`] with its errors named `op`.
    #[track_caller]
    fn log_softmax_as(self, op: &'static str, axis: isize) -> Result<Var<'t, T>> {
        self.nonempty_axis(op, op, axis, &self.shape())?;
        let (_, shifted, ln_sum) = self.shifted_log_sum(axis)?;
        Ok(shifted - ln_sum)
    }

    /// softmax over one axis: exp(log_softmax(x)).
    #[track_caller]
    pub fn softmax(self, axis: isize) -> Var<'t, T> {
        ok(self.try_softmax(axis))
    }

    /// Fallible [`Var::softmax`]: fails for an axis out of range or of size 0.
    #[track_caller]
    pub fn try_softmax(self, axis: isize) -> Result<Var<'t, T>> {
        Ok(self.log_softmax_as("softmax", axis)?.exp())
    }

    /// An error naming `op` if this variable has no elements.
    fn nonempty(self, op: &'static str) -> Result<()> {
        if self.is_empty() {
            return Err(Error::InvalidArgument {
                op,
                msg: format!("{op} of {:?} ({}), which is empty", self.shape(), self.node()),
            });
        }
        Ok(())
    }

    /// [`Var::axis`], and an error naming `what` if that axis is empty.
    fn nonempty_axis(self, op: &'static str, what: &str, axis: isize, dims: &[usize]) -> Result<usize> {
        let ax = self.axis(op, axis, dims)?;
        if dims[ax] == 0 {
            return Err(Error::InvalidArgument {
                op,
                msg: format!("{what} over axis {ax} of {dims:?} ({}), which is empty", self.node()),
            });
        }
        Ok(ax)
    }

    fn axis(self, op: &'static str, axis: isize, dims: &[usize]) -> Result<usize> {
        resolve_axis(axis, dims.len()).ok_or_else(|| Error::InvalidAxis {
            op,
            axis,
            shape: dims.into(),
            node: self.node(),
        })
    }

    // ---- layout ----

    /// The same elements in a new shape with the same element count. A view: the result
    /// reads `self`'s value in place (nothing is copied) and keeps a gradient of its own.
    #[track_caller]
    pub fn reshape(self, shape: &[usize]) -> Var<'t, T> {
        ok(self.try_reshape(shape))
    }

    /// Fallible [`Var::reshape`].
    #[track_caller]
    pub fn try_reshape(self, shape: &[usize]) -> Result<Var<'t, T>> {
        layout::reshape(self, shape)
    }

    /// Broadcasts to `shape` (numpy rules). The VJP sums back.
    #[track_caller]
    pub fn broadcast_to(self, shape: &[usize]) -> Var<'t, T> {
        ok(self.try_broadcast_to(shape))
    }

    /// Fallible [`Var::broadcast_to`].
    #[track_caller]
    pub fn try_broadcast_to(self, shape: &[usize]) -> Result<Var<'t, T>> {
        if self.shape().as_slice() == shape {
            return Ok(self);
        }
        layout::broadcast_to(self, shape)
    }

    /// Reorders the axes: axis i of the result is axis `perm[i]` of the input.
    #[track_caller]
    pub fn permute(self, perm: &[usize]) -> Var<'t, T> {
        ok(layout::permute(self, perm))
    }

    /// Fallible [`Var::permute`].
    #[track_caller]
    pub fn try_permute(self, perm: &[usize]) -> Result<Var<'t, T>> {
        layout::permute(self, perm)
    }

    /// Swaps the last two axes (the matrix transpose for 2-d).
    ///
    /// # Panics
    /// For rank < 2.
    #[track_caller]
    pub fn transpose(self) -> Var<'t, T> {
        ok(self.try_transpose())
    }

    /// Fallible [`Var::transpose`].
    #[track_caller]
    pub fn try_transpose(self) -> Result<Var<'t, T>> {
        let r = self.shape().len();
        if r < 2 {
            return Err(Error::InvalidArgument {
                op: "transpose",
                msg: format!("{} has rank {r}; transpose needs rank ≥ 2", self.node()),
            });
        }
        let mut perm: Vec<usize> = (0..r).collect();
        perm.swap(r - 2, r - 1);
        layout::permute(self, &perm)
    }

    /// `len` elements from `start` along `axis`. Where they are one contiguous block (along
    /// the first axis, or where every dimension before `axis` is 1) the result is a view,
    /// reading `self`'s value in place; otherwise they are copied. Either way it keeps a
    /// gradient of its own.
    #[track_caller]
    pub fn slice(self, axis: isize, start: usize, len: usize) -> Var<'t, T> {
        ok(layout::slice(self, axis, start, len))
    }

    /// Fallible [`Var::slice`].
    #[track_caller]
    pub fn try_slice(self, axis: isize, start: usize, len: usize) -> Result<Var<'t, T>> {
        layout::slice(self, axis, start, len)
    }

    /// Places this tensor at `start` inside zeros of size `total` along `axis`.
    #[track_caller]
    pub fn pad(self, axis: isize, start: usize, total: usize) -> Var<'t, T> {
        ok(layout::pad(self, axis, start, total))
    }

    /// Fallible [`Var::pad`].
    #[track_caller]
    pub fn try_pad(self, axis: isize, start: usize, total: usize) -> Result<Var<'t, T>> {
        layout::pad(self, axis, start, total)
    }

    /// Rows `indices` (along axis 0), e.g. a mini-batch. Rows may repeat.
    #[track_caller]
    pub fn index_select(self, indices: &[usize]) -> Var<'t, T> {
        ok(layout::index_select(self, indices))
    }

    /// Fallible [`Var::index_select`].
    #[track_caller]
    pub fn try_index_select(self, indices: &[usize]) -> Result<Var<'t, T>> {
        layout::index_select(self, indices)
    }

    /// Elements picked along one axis by an index per output element: PyTorch's
    /// `torch.gather(x, axis, index)`, numpy's `take_along_axis`. `index` (row-major, of
    /// shape `index_shape`, the rank of `self`, no dimension other than `axis` larger than
    /// `self`'s) gives `out[i₀, …, iₐ, …] = self[i₀, …, index[i₀, …, iₐ, …], …]`, of shape
    /// `index_shape`. Indices may repeat; their gradients add up. Recorded as
    /// [`Var::index_select`] of the flattened tensor: one gather, and a scatter-add in the
    /// backward sweep.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let logits = tape.var_from(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    /// // Each row's entry of its target class (2 and 0): an index of shape [2, 1].
    /// let picked = logits.gather(1, &[2, 1], &[2, 0]);
    /// assert_eq!(picked.value().data(), &[3.0, 4.0]);
    /// let g = picked.sum().backward();
    /// assert_eq!(g.wrt(logits).data(), &[0., 0., 1., 1., 0., 0.]);
    /// ```
    #[track_caller]
    pub fn gather(self, axis: isize, index_shape: &[usize], index: &[usize]) -> Var<'t, T> {
        ok(self.try_gather(axis, index_shape, index))
    }

    /// Fallible [`Var::gather`]: an error (and nothing recorded) for a bad axis, an index
    /// shape of another rank, larger than `self` off the axis or not matching the number
    /// of indices, and an index out of range (with its position).
    #[track_caller]
    pub fn try_gather(self, axis: isize, index_shape: &[usize], index: &[usize]) -> Result<Var<'t, T>> {
        let dims = self.shape();
        let ax = self.axis("gather", axis, &dims)?;
        let bad = |msg: String| Err(Error::InvalidArgument { op: "gather", msg });
        let node = self.node();
        if index_shape.len() != dims.len() {
            return bad(format!(
                "an index of shape {index_shape:?} for {dims:?} ({node}); they must have the same rank"
            ));
        }
        if let Some(d) = (0..dims.len()).find(|&d| d != ax && index_shape[d] > dims[d]) {
            return bad(format!(
                "an index of shape {index_shape:?} is larger than {dims:?} ({node}) along axis {d}, which is not \
                 the gathered axis {ax}"
            ));
        }
        let Some(count) = crate::shape::checked_numel(index_shape) else {
            return bad(format!("an index of shape {index_shape:?} has more elements than fit in memory"));
        };
        if count != index.len() {
            return bad(format!(
                "an index of shape {index_shape:?} needs {count} indices but {} were given",
                index.len()
            ));
        }
        // Row-major strides of `self`, and the position in the index, counted along.
        let strides = crate::shape::strides(&dims);
        let mut pos = vec![0; dims.len()];
        let mut flat = Vec::with_capacity(index.len());
        for &i in index {
            if i >= dims[ax] {
                return bad(format!(
                    "index {i} at {pos:?} is out of range for axis {ax} of {dims:?} ({node}), of length {}",
                    dims[ax]
                ));
            }
            let off: usize = (0..dims.len()).map(|d| if d == ax { i } else { pos[d] } * strides[d]).sum();
            flat.push(off);
            for d in (0..pos.len()).rev() {
                pos[d] += 1;
                if pos[d] < index_shape[d] {
                    break;
                }
                pos[d] = 0;
            }
        }
        let x = if dims.len() == 1 { self } else { layout::reshape(self, &[self.len()])? };
        let picked = layout::index_select(x, &flat)?;
        if index_shape.len() == 1 {
            Ok(picked)
        } else {
            layout::reshape(picked, index_shape)
        }
    }

    /// Zeros of `rows` rows with row `indices[r]` += row r of self. The VJP of `index_select`.
    #[track_caller]
    pub fn scatter_rows(self, indices: &[usize], rows: usize) -> Var<'t, T> {
        ok(layout::scatter_rows(self, indices, rows))
    }

    /// Fallible [`Var::scatter_rows`].
    #[track_caller]
    pub fn try_scatter_rows(self, indices: &[usize], rows: usize) -> Result<Var<'t, T>> {
        layout::scatter_rows(self, indices, rows)
    }

    /// The sliding windows of an image batch as columns (im2col), as PyTorch's
    /// `torch.nn.functional.unfold`: `self` `[N, C, H, W]` becomes `[N, C·kh·kw, L]` with
    /// L = OH·OW, the window positions ([`Window2d::output_size`]) in row-major order.
    /// Row `(c·kh + a)·kw + b` holds tap (a, b) of channel c, so column l of sample n is the
    /// window at position l flattened as `[C, kh, kw]`:
    ///
    /// ```text
    /// out[n, (c·kh + a)·kw + b, i·OW + j] = x[n, c, i·s₀ − p₀ + a·d₀, j·s₁ − p₁ + b·d₁]
    /// ```
    ///
    /// with the window's [`PadFill`](crate::PadFill) (0 or −∞) where that position is in the padding.
    /// A convolution is a matrix product with these columns; a pooling layer a reduction
    /// over the kh·kw taps. One node, whose integers are the window (not an index per
    /// element); its VJP is [`Var::fold2d`] (an element in several windows sums their
    /// gradients; the padding positions pass none on).
    ///
    /// ```
    /// use wengert_tape::{PadFill, Tape, Tensor, Window2d};
    ///
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::from_fn(&[1, 1, 2, 3], |i| i as f64)); // [[0, 1, 2], [3, 4, 5]]
    /// let cols = x.unfold2d(Window2d::new([2, 2]));
    /// assert_eq!(cols.shape().as_slice(), [1, 4, 2]); // 4 taps, 2 positions
    /// assert_eq!(cols.value().data(), [0., 1., 1., 2., 3., 4., 4., 5.]);
    /// // The middle column is in both windows.
    /// assert_eq!(cols.sum().backward().wrt(x).data(), [1., 2., 1., 1., 2., 1.]);
    ///
    /// // Pairs of neighbours along each row, the rows padded at both ends, here with −∞.
    /// let win = Window2d::new([1, 2]).stride([1, 1]).padding([0, 1]).fill(PadFill::NegInfinity);
    /// let cols = x.unfold2d(win); // [1, 2, 2·4]
    /// let inf = f64::NEG_INFINITY;
    /// assert_eq!(cols.value().data(), [inf, 0., 1., 2., inf, 3., 4., 5., 0., 1., 2., inf, 3., 4., 5., inf]);
    /// ```
    ///
    /// # Panics
    /// Where [`Var::try_unfold2d`] fails.
    #[track_caller]
    pub fn unfold2d(self, window: Window2d) -> Var<'t, T> {
        ok(layout::unfold2d(self, window))
    }

    /// Fallible [`Var::unfold2d`]: an `InvalidArgument` naming `unfold2d`, with the shape and
    /// node, and nothing recorded, for an input that is not 4-d, a kernel, stride or
    /// dilation with a 0, a dilated kernel larger than the padded input, or a result with
    /// more elements than fit in memory.
    #[track_caller]
    pub fn try_unfold2d(self, window: Window2d) -> Result<Var<'t, T>> {
        layout::unfold2d(self, window)
    }

    /// Columns summed back into images (col2im), as PyTorch's `torch.nn.functional.fold`:
    /// `self` `[N, C·kh·kw, L]`, laid out as [`Var::unfold2d`]'s output for images of
    /// `output_size` (H, W) (so L must be OH·OW), becomes `[N, C, H, W]`, each column element
    /// added to the image element its tap covers (overlapping windows sum; the padding
    /// positions are dropped, and the window's fill is not used). The transpose of
    /// `unfold2d`, and its VJP; its own VJP is `unfold2d` with zero fill.
    ///
    /// ```
    /// use wengert_tape::{Tape, Tensor, Window2d};
    ///
    /// let tape = Tape::<f64>::new();
    /// let cols = tape.var(&Tensor::ones(&[1, 4, 2]));
    /// let img = cols.fold2d([2, 3], Window2d::new([2, 2]));
    /// assert_eq!(img.value().data(), [1., 2., 1., 1., 2., 1.]); // windows per element
    /// ```
    ///
    /// # Panics
    /// Where [`Var::try_fold2d`] fails.
    #[track_caller]
    pub fn fold2d(self, output_size: [usize; 2], window: Window2d) -> Var<'t, T> {
        ok(layout::fold2d(self, output_size, window))
    }

    /// Fallible [`Var::fold2d`]: an `InvalidArgument` naming `fold2d`, with the shape and
    /// node, and nothing recorded, for an input that is not 3-d, whose dimension 1 is not a
    /// multiple of kh·kw, or whose dimension 2 is not the number of window positions on
    /// `output_size`, a kernel, stride or dilation with a 0, a dilated kernel larger than
    /// the padded output size, or a result with more elements than fit in memory.
    #[track_caller]
    pub fn try_fold2d(self, output_size: [usize; 2], window: Window2d) -> Result<Var<'t, T>> {
        layout::fold2d(self, output_size, window)
    }

    /// Joins variables along `axis`; all other dimensions must agree.
    #[track_caller]
    pub fn concat(vars: &[Var<'t, T>], axis: isize) -> Var<'t, T> {
        ok(layout::concat(vars, axis))
    }

    /// Fallible [`Var::concat`].
    #[track_caller]
    pub fn try_concat(vars: &[Var<'t, T>], axis: isize) -> Result<Var<'t, T>> {
        layout::concat(vars, axis)
    }

    /// Matrix product with numpy's and PyTorch's rules: [m, k]·[k, n] → [m, n], and for
    /// operands of rank 3 and more a product per element of the leading (batch) axes,
    /// which broadcast against each other as in elementwise ops: [b, m, k]·[b, k, n] →
    /// [b, m, n], [m, k]·[b, k, n] → [b, m, n] (a 2-d operand is shared across the batch),
    /// [2, 1, m, k]·[3, k, n] → [2, 3, m, n]. A 1-d operand is taken as a row [1, k] on the
    /// left and a column [k, 1] on the right, and that axis is dropped from the result:
    /// \[k\]·\[k, n\] → \[n\], \[m, k\]·\[k\] → \[m\], \[k\]·\[k\] → [] (the dot product),
    /// \[b, m, k\]·\[k\] → \[b, m\]. 2-d and 3-d operands whose batches are equal or 1 are one node; other shapes
    /// record reshapes (and broadcasts of a batch that is neither) around it, so their
    /// gradients come from those nodes' rules.
    ///
    /// ```
    /// use wengert_tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let a = tape.var(&Tensor::new(&[2, 3], vec![1., 2., 3., 4., 5., 6.]).unwrap());
    /// let v = tape.var(&Tensor::from([1.0, 0.0, -1.0]));
    /// assert_eq!(a.matmul(v).value().data(), &[-2.0, -2.0]);
    /// assert_eq!(v.matmul(v).item(), 2.0);
    /// let x = tape.var(&Tensor::zeros(&[4, 1, 2, 3]));
    /// let w = tape.var(&Tensor::zeros(&[5, 3, 6]));
    /// assert_eq!(x.matmul(w).shape().as_slice(), &[4, 5, 2, 6]);
    /// ```
    #[track_caller]
    pub fn matmul(self, rhs: Var<'t, T>) -> Var<'t, T> {
        ok(self.try_matmul(rhs))
    }

    /// Fallible [`Var::matmul`]: an error names both operands as given.
    #[track_caller]
    pub fn try_matmul(self, rhs: Var<'t, T>) -> Result<Var<'t, T>> {
        let (ls, rs) = (self.shape(), rhs.shape());
        if matches!((ls.len(), rs.len()), (2..=3, 2..=3)) && matmul::fits(&ls, &rs) {
            return matmul::matmul(self, rhs);
        }
        self.try_same_tape(rhs, "matmul")?;
        // Checked on the operands as given, so an error names them rather than reshapes,
        // and before anything is recorded.
        let (batch, out) = matmul::product_shape("matmul", self, rhs, &ls, &rs)?;
        let (lr, rr) = (ls.len(), rs.len());
        let (lb, rb) = (&ls[..lr.saturating_sub(2)], &rs[..rr.saturating_sub(2)]);
        let a = if lr == 1 { layout::reshape(self, &[1, ls[0]])? } else { self };
        let b = if rr == 1 { layout::reshape(rhs, &[rs[0], 1])? } else { rhs };
        let p = matmul::matmul(batched(a, lb, &batch)?, batched(b, rb, &batch)?)?;
        if p.shape() == out {
            Ok(p)
        } else {
            layout::reshape(p, &out)
        }
    }

    /// `self·rhs + c`, with `c` broadcast to the product's shape: a layer's `x·W + b`
    /// (PyTorch's `addmm`). For 2-d operands it is one node, whose product accumulates
    /// onto the broadcast `c`, so it saves the broadcast, the sum and a pass over the
    /// output against `matmul` then `+`; the gradients are the same. Other ranks record
    /// exactly `self.matmul(rhs) + c`. At every rank `c` must broadcast to the product's
    /// shape (as PyTorch's `addmm` and `baddbmm` require), not to a larger one.
    ///
    /// ```
    /// use wengert_tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let x = tape.var(&Tensor::new(&[2, 3], vec![1., 2., 3., 4., 5., 6.]).unwrap());
    /// let w = tape.var(&Tensor::new(&[3, 1], vec![1., 0., -1.]).unwrap());
    /// let b = tape.var(&Tensor::from([10.0]));
    /// let z = x.matmul_add(w, b); // [[1 − 3 + 10], [4 − 6 + 10]]
    /// assert_eq!(z.value().data(), &[8.0, 8.0]);
    /// let g = z.sum().backward();
    /// assert_eq!(g[b], [2.0]); // one per row
    /// assert_eq!(g[w], [5.0, 7.0, 9.0]); // column sums of x
    /// ```
    #[track_caller]
    pub fn matmul_add(self, rhs: Var<'t, T>, c: Var<'t, T>) -> Var<'t, T> {
        ok(matmul::matmul_add(self, rhs, c))
    }

    /// Fallible [`Var::matmul_add`]: operands that do not multiply are a
    /// [`Error::ShapeMismatch`] naming both, as [`Var::try_matmul`]'s; a term that does not
    /// broadcast to the product is an [`Error::InvalidArgument`] naming the term and the
    /// product's shape and operands. Everything is checked before anything is recorded.
    #[track_caller]
    pub fn try_matmul_add(self, rhs: Var<'t, T>, c: Var<'t, T>) -> Result<Var<'t, T>> {
        matmul::matmul_add(self, rhs, c)
    }
}

/// Operand `x` of a batched product (its batch axes `own`, the product's `batch`) as
/// [`matmul::matmul`] takes it: a matrix when its batch has one element (shared by every
/// product, no copy), else [B, r, c] with B the batch's element count, its batch first
/// broadcast to the product's if it differs.
#[track_caller]
fn batched<'t, T: Float>(x: Var<'t, T>, own: &[usize], batch: &[usize]) -> Result<Var<'t, T>> {
    let dims = x.shape();
    let mat = &dims[dims.len() - 2..];
    if crate::shape::numel(own) == 1 {
        return if dims.len() == 2 { Ok(x) } else { layout::reshape(x, mat) };
    }
    let x = if own == batch {
        x
    } else {
        let full: Vec<usize> = batch.iter().chain(mat).copied().collect();
        layout::broadcast_to(x, &full)?
    };
    let flat = [crate::shape::numel(batch), mat[0], mat[1]];
    if dims.len() == 3 && own == batch {
        Ok(x)
    } else {
        layout::reshape(x, &flat)
    }
}

/// The error for a variance of `x` (over axis `ax`, or all its elements) with no more
/// elements than its `correction`.
fn too_few<T: Float>(op: &'static str, x: Var<'_, T>, ax: Option<usize>, correction: usize) -> Error {
    let dims = x.shape();
    let (over, n) = match ax {
        Some(ax) => (format!("over axis {ax} of"), dims[ax]),
        None => ("of".to_string(), x.len()),
    };
    Error::InvalidArgument {
        op,
        msg: format!(
            "{op} {over} {dims:?} ({}) with correction {correction} needs more than {correction} elements, \
             has {n}",
            x.node()
        ),
    }
}

/// `dims` with axis `ax` set to 1: the shape of a reduction over that axis that keeps it.
fn kept_shape(dims: &[usize], ax: usize) -> Shape {
    let mut kept: Shape = dims.into();
    kept[ax] = 1;
    kept
}

/// A reduction's result `r`, computed with axis `ax` of `dims` kept at size 1: as it is
/// with `keepdim`, else reshaped without that axis.
#[track_caller]
fn keep_or_drop<'t, T: Float>(
    r: Var<'t, T>,
    mut dims: Shape,
    ax: usize,
    keepdim: bool,
) -> Result<Var<'t, T>> {
    if keepdim {
        Ok(r)
    } else {
        dims.remove(ax);
        layout::reshape(r, &dims)
    }
}

// ---- operators ----

macro_rules! var_ops {
    ($tr:ident, $m:ident, $op:ident, $const_op:ident, $rconst_op:ident, $atr:ident, $am:ident) => {
        impl<'t, T: Float> $tr<Var<'t, T>> for Var<'t, T> {
            type Output = Var<'t, T>;
            #[track_caller]
            #[inline]
            fn $m(self, rhs: Var<'t, T>) -> Var<'t, T> {
                binary::record_op(Op::$op, self, rhs)
            }
        }
        impl<'t, T: Float> $tr<T> for Var<'t, T> {
            type Output = Var<'t, T>;
            #[track_caller]
            #[inline]
            fn $m(self, rhs: T) -> Var<'t, T> {
                unary::record(Op::$const_op, self, &[rhs])
            }
        }
        impl<'t> $tr<Var<'t, f64>> for f64 {
            type Output = Var<'t, f64>;
            #[track_caller]
            #[inline]
            fn $m(self, rhs: Var<'t, f64>) -> Var<'t, f64> {
                unary::record(Op::$rconst_op, rhs, &[self])
            }
        }
        impl<'t> $tr<Var<'t, f32>> for f32 {
            type Output = Var<'t, f32>;
            #[track_caller]
            #[inline]
            fn $m(self, rhs: Var<'t, f32>) -> Var<'t, f32> {
                unary::record(Op::$rconst_op, rhs, &[self])
            }
        }
        impl<'t, T: Float> $atr<Var<'t, T>> for Var<'t, T> {
            #[track_caller]
            #[inline]
            fn $am(&mut self, rhs: Var<'t, T>) {
                *self = $tr::$m(*self, rhs);
            }
        }
        impl<'t, T: Float> $atr<T> for Var<'t, T> {
            #[track_caller]
            #[inline]
            fn $am(&mut self, rhs: T) {
                *self = $tr::$m(*self, rhs);
            }
        }
    };
}

// c + x and c · x commute exactly in IEEE arithmetic, so they reuse x + c and x · c.
var_ops!(Add, add, Add, AddConst, AddConst, AddAssign, add_assign);
var_ops!(Sub, sub, Sub, SubConst, RSubConst, SubAssign, sub_assign);
var_ops!(Mul, mul, Mul, MulConst, MulConst, MulAssign, mul_assign);
var_ops!(Div, div, Div, DivConst, RDivConst, DivAssign, div_assign);

impl<'t, T: Float> Neg for Var<'t, T> {
    type Output = Var<'t, T>;
    #[track_caller]
    #[inline]
    fn neg(self) -> Var<'t, T> {
        unary::record(Op::Neg, self, &[])
    }
}
