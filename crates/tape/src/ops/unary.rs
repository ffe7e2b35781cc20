//! Elementwise unary ops. Each op is one kernel: its forward `f`, its numeric VJP `gx`
//! (the contribution `x̄ += …` given the output adjoint `g = ȳ`), and the same VJP in tape
//! ops (`graph`). Kinks follow PyTorch: relu'(0) = 0, abs'(0) = 0, clamp' = 0 at a bound.
//! At a NaN input relu', abs' and clamp' are 0 (PyTorch's relu' there is 1, JAX's 0).
//!
//! | op | y | x̄ += |
//! |---|---|---|
//! | neg | −x | −ȳ |
//! | exp | eˣ | ȳ·y |
//! | ln | ln x | ȳ/x |
//! | log1p | ln(1+x) | ȳ/(1+x) |
//! | sqrt | √x | ȳ/(2y) |
//! | sin | sin x | ȳ·cos x |
//! | cos | cos x | −ȳ·sin x |
//! | tanh | tanh x | ȳ·(1−y²) |
//! | sigmoid | 1/(1+e⁻ˣ) (stable) | ȳ·y·(1−y) |
//! | softplus | ln(1+eˣ) (stable) | ȳ·σ(x) |
//! | erf | erf x | ȳ·(2/√π)·e^(−x²) |
//! | erfc | 1 − erf x (accurate in the tail) | −ȳ·(2/√π)·e^(−x²) |
//! | expm1 | eˣ − 1 (accurate near 0) | ȳ·(y + 1) |
//! | sinh, cosh | | ȳ·cosh x, ȳ·sinh x |
//! | atan | arctan x | ȳ/(1 + x²) |
//! | asin, acos | arcsin x, arccos x (NaN outside [−1, 1]) | ±ȳ/√(1 − x²) |
//! | lgamma | ln\|Γ(x)\| | ȳ·ψ(x) |
//! | digamma | ψ(x) | ȳ·ψ⁽¹⁾(x) |
//! | polygamma(n) | ψ⁽ⁿ⁾(x) (`crate::special`) | ȳ·ψ⁽ⁿ⁺¹⁾(x) |
//! | relu | max(x, 0) | ȳ·[x>0] |
//! | abs | \|x\| | ȳ·sign(x), sign(0) = 0 |
//! | square | x² | ȳ·2x |
//! | powf(p) | xᵖ | ȳ·p·xᵖ⁻¹ (0 when p = 0) |
//! | clamp(lo, hi) | min(max(x, lo), hi) | ȳ·[lo<x<hi] |
//! | x+c, x−c, c−x | | ȳ, ȳ, −ȳ |
//! | x·c, x/c, c/x | | ȳ·c, ȳ/c, −ȳ·y/x |
//! | step_mask, sign, range_mask, is_zero | 0/1 (or ±1) masks | none: constants |

use smallvec::{smallvec, SmallVec};

use crate::float::Float;
use crate::lanes::LANES;
use crate::ops::{flow, put, Flow, Op};
use crate::special;
use crate::tape::{Inner, Node, Parents};
use crate::var::{Var, GRAD};

/// Numerically stable softplus of [`LANES`] lanes: max(x, 0) + ln(1 + e^−|x|).
#[inline]
fn softplus_lanes<T: Float>(x: [T; LANES]) -> [T; LANES] {
    let t = T::softplus_tail_lanes(x);
    std::array::from_fn(|j| if x[j] > T::ZERO { x[j] } else { T::ZERO } + t[j])
}

/// A lane function applied to one value. exp, ln, sigmoid and softplus are computed by
/// their lane functions everywhere, a scalar node included, so a value does not depend on
/// the node's shape or on the element's position in a tensor. Not inlined: the lane
/// functions are (`crate::lanes`), and a scalar site is better off with a call than with
/// a copy of a whole vector exponential.
#[inline(never)]
fn one<T: Float>(lanes: impl Fn([T; LANES]) -> [T; LANES], x: T) -> T {
    lanes([x; LANES])[0]
}

/// The forward value of an elementwise unary op. `c` holds the op's constants.
#[inline(always)]
pub(crate) fn f<T: Float>(op: Op, x: T, c: &[T]) -> T {
    match op {
        Op::Neg => -x,
        Op::Exp => one(T::exp_lanes, x),
        Op::Ln => one(T::ln_lanes, x),
        Op::Log1p => x.ln_1p(),
        Op::Sqrt => x.sqrt(),
        Op::Sin => x.sin(),
        Op::Cos => x.cos(),
        Op::Tanh => x.tanh(),
        Op::Sigmoid => one(T::sigmoid_lanes, x),
        Op::Softplus => one(softplus_lanes, x),
        Op::Erf => x.erf(),
        Op::Erfc => x.erfc(),
        Op::Expm1 => x.exp_m1(),
        Op::Sinh => x.sinh(),
        Op::Cosh => x.cosh(),
        Op::Atan => x.atan(),
        Op::Asin => x.asin(),
        Op::Acos => x.acos(),
        Op::Lgamma => special::lgamma(x),
        Op::Digamma => special::digamma(x),
        Op::Polygamma => special::polygamma(special::order(c[0]), x),
        // `x <= 0` is false for NaN, so NaN passes through.
        Op::Relu => {
            if x <= T::ZERO {
                T::ZERO
            } else {
                x
            }
        }
        Op::Abs => x.abs(),
        Op::Square => x * x,
        Op::PowConst => x.powf(c[0]),
        Op::Clamp => {
            // A NaN bound makes the result NaN, as numpy's `clip` and PyTorch's `clamp`;
            // the comparisons below would pass over it.
            if c[0].is_nan() || c[1].is_nan() {
                T::NAN
            } else {
                // min(max(x, lo), hi), in that order: crossed bounds (lo > hi) give hi.
                let m = if x < c[0] { c[0] } else { x };
                if m > c[1] {
                    c[1]
                } else {
                    m
                }
            }
        }
        Op::AddConst => x + c[0],
        Op::SubConst => x - c[0],
        Op::RSubConst => c[0] - x,
        Op::MulConst => x * c[0],
        Op::DivConst => x / c[0],
        Op::RDivConst => c[0] / x,
        Op::StepMask => one_if(x > T::ZERO),
        Op::SignMask => {
            if x > T::ZERO {
                T::ONE
            } else if x < T::ZERO {
                -T::ONE
            } else {
                T::ZERO
            }
        }
        Op::RangeMask => one_if(c[0] < x && x < c[1]),
        Op::IsZeroMask => one_if(x == T::ZERO),
        _ => unreachable!("tape bug: {op:?} is not unary"),
    }
}

/// 1 if `b`, else 0: a mask's element.
#[inline(always)]
pub(crate) fn one_if<T: Float>(b: bool) -> T {
    if b {
        T::ONE
    } else {
        T::ZERO
    }
}

/// erf's rule ȳ·(2/√π)·e^(−x²), erfc's negated. A helper and not a call of [`gx`] itself:
/// a recursive `gx` could no longer be inlined into the elementwise loops (each element
/// would be a call, which made W2's vectorised gradient four times slower).
#[inline(always)]
fn erf_gx<T: Float>(g: T, x: T) -> T {
    g * (T::from_f64(std::f64::consts::FRAC_2_SQRT_PI) * (-(x * x)).exp())
}

/// asin's rule ȳ/√(1 − x²), acos's negated (see [`erf_gx`]).
#[inline(always)]
fn asin_gx<T: Float>(g: T, x: T) -> T {
    g / (T::ONE - x * x).sqrt()
}

/// The contribution `x̄ += gx(ȳ, x, y)` of an elementwise unary op.
#[inline(always)]
pub(crate) fn gx<T: Float>(op: Op, g: T, x: T, y: T, c: &[T]) -> T {
    match op {
        Op::Neg => -g,
        Op::Exp => g * y,
        Op::Ln => g / x,
        Op::Log1p => g / (T::ONE + x),
        Op::Sqrt => g / (y + y),
        Op::Sin => g * x.cos(),
        Op::Cos => -(g * x.sin()),
        Op::Tanh => g * (T::ONE - y * y),
        Op::Sigmoid => g * (y * (T::ONE - y)),
        Op::Softplus => g * one(T::sigmoid_lanes, x),
        // erfc = 1 − erf, acos = π/2 − asin: their rules are the negated twins'.
        Op::Erf => erf_gx(g, x),
        Op::Erfc => -erf_gx(g, x),
        Op::Expm1 => g * (y + T::ONE),
        Op::Sinh => g * x.cosh(),
        Op::Cosh => g * x.sinh(),
        Op::Atan => g / (T::ONE + x * x),
        Op::Asin => asin_gx(g, x),
        Op::Acos => -asin_gx(g, x),
        // Each rule is the next function of the family (a call, see `crate::special`).
        Op::Lgamma => g * special::digamma(x),
        Op::Digamma => g * special::polygamma(1, x),
        Op::Polygamma => g * special::polygamma(special::order(c[0]) + 1, x),
        Op::Relu => g * one_if(x > T::ZERO),
        Op::Abs => g * f(Op::SignMask, x, c),
        Op::Square => g * (x + x),
        Op::PowConst => {
            if c[0] == T::ZERO {
                T::ZERO
            } else {
                g * (c[0] * x.powf(c[0] - T::ONE))
            }
        }
        Op::Clamp => g * one_if(c[0] < x && x < c[1]),
        Op::AddConst | Op::SubConst => g,
        Op::RSubConst => -g,
        Op::MulConst => g * c[0],
        Op::DivConst => g / c[0],
        Op::RDivConst => -(g * (y / x)),
        _ => T::ZERO,
    }
}

/// Applies op `op` to every element of `src` into `dst`.
pub(crate) fn map<T: Float>(op: Op, src: &[T], dst: &mut [T], c: &[T]) {
    // The exponentials go `LANES` lanes at a time (one SIMD vector, `Float::exp_lanes`),
    // each loop specialised for its lane function (a function pointer would not inline).
    // The last `len mod LANES` elements go through the lanes too, padded, so that an
    // element's value does not depend on its position in the tensor.
    #[inline(always)]
    fn lanewise<T: Float>(src: &[T], dst: &mut [T], lanes: impl Fn([T; LANES]) -> [T; LANES]) {
        let (dc, dt) = dst.as_chunks_mut::<LANES>();
        let (sc, st) = src[..dc.len() * LANES + dt.len()].as_chunks::<LANES>();
        dc.iter_mut().zip(sc).for_each(|(d, &x)| *d = lanes(x));
        if !dt.is_empty() {
            dt.copy_from_slice(&lanes(padded(st))[..dt.len()]);
        }
    }
    match op {
        Op::Exp => return lanewise(src, dst, T::exp_lanes),
        Op::Ln => return lanewise(src, dst, T::ln_lanes),
        Op::Sigmoid => return lanewise(src, dst, T::sigmoid_lanes),
        Op::Softplus => return lanewise(src, dst, softplus_lanes),
        _ => {}
    }
    // One match outside the loop, so each loop is specialised and can vectorise.
    macro_rules! go {
        ($($o:ident),*) => {
            match op {
                $(Op::$o => dst.iter_mut().zip(src).for_each(|(d, &x)| *d = f(Op::$o, x, c)),)*
                _ => unreachable!("tape bug: {op:?} is not unary"),
            }
        };
    }
    go!(
        Neg, Exp, Ln, Log1p, Sqrt, Sin, Cos, Tanh, Sigmoid, Softplus, Erf, Erfc, Expm1, Sinh, Cosh, Atan,
        Asin, Acos, Lgamma, Digamma, Polygamma, Relu, Abs, Square, PowConst, Clamp, AddConst, SubConst,
        RSubConst, MulConst, DivConst, RDivConst, StepMask, SignMask, RangeMask, IsZeroMask
    );
}

/// Up to `LANES` elements as lanes, the rest ones (a value every lane function takes
/// without a special case).
#[inline(always)]
fn padded<T: Float>(x: &[T]) -> [T; LANES] {
    let mut q = [T::ONE; LANES];
    q[..x.len()].copy_from_slice(x);
    q
}

fn vjp_loop<T: Float, const SET: bool>(op: Op, g: &[T], x: &[T], y: &[T], ax: &mut [T], c: &[T]) {
    if op == Op::Softplus {
        // ȳ·σ(x), the sigmoids `LANES` lanes at a time.
        let (ac, at) = ax.as_chunks_mut::<LANES>();
        let n = ac.len() * LANES;
        let (xc, _) = x[..n].as_chunks::<LANES>();
        let (gc, _) = g[..n].as_chunks::<LANES>();
        for ((a, &xs), gs) in ac.iter_mut().zip(xc).zip(gc) {
            let s = T::sigmoid_lanes(xs);
            for j in 0..LANES {
                put::<T, SET>(&mut a[j], gs[j] * s[j]);
            }
        }
        if !at.is_empty() {
            let s = T::sigmoid_lanes(padded(&x[n..]));
            for (i, a) in at.iter_mut().enumerate() {
                put::<T, SET>(a, g[n + i] * s[i]);
            }
        }
        return;
    }
    macro_rules! go {
        ($($o:ident),*) => {
            match op {
                $(Op::$o => {
                    for i in 0..ax.len() {
                        put::<T, SET>(&mut ax[i], gx(Op::$o, g[i], x[i], y[i], c));
                    }
                })*
                _ => {}
            }
        };
    }
    go!(
        Neg, Exp, Ln, Log1p, Sqrt, Sin, Cos, Tanh, Sigmoid, Softplus, Erf, Erfc, Expm1, Sinh, Cosh, Atan,
        Asin, Acos, Lgamma, Digamma, Polygamma, Relu, Abs, Square, PowConst, Clamp, AddConst, SubConst,
        RSubConst, MulConst, DivConst, RDivConst
    );
}

/// Numeric VJP of a unary tensor node (scalar nodes take [`crate::ops::vjp_scalar`]).
#[inline]
pub(crate) fn vjp<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    let flow = flow(inner, n.a, reached);
    if flow == Flow::No {
        return;
    }
    let c = &inner.consts[(n.aux as usize).min(inner.consts.len())..];
    let xn = inner.nodes[n.a as usize];
    let len = inner.shapes[n.shape as usize].numel;
    let (lo, hi) = adj.split_at_mut(n.adj());
    let (g, x, y, ax) = (
        &hi[..len],
        &inner.values[xn.val()..][..len],
        &inner.values[n.val()..][..len],
        &mut lo[xn.adj()..][..len],
    );
    crate::par::for_parts(ax, |s, ax| {
        let r = s..s + ax.len();
        let (g, x, y) = (&g[r.clone()], &x[r.clone()], &y[r]);
        if flow == Flow::Set {
            vjp_loop::<T, true>(n.op, g, x, y, ax, c);
        } else {
            vjp_loop::<T, false>(n.op, g, x, y, ax, c);
        }
    });
}

/// VJP of a unary node in tape ops.
pub(crate) fn vjp_graph<'t, T: Float>(
    y: Var<'t, T>,
    n: Node,
    g: Var<'t, T>,
) -> SmallVec<[(u32, Var<'t, T>); 2]> {
    let x = Var::new(y.tape, n.a);
    let c: SmallVec<[T; 2]> = {
        let inner = y.tape.inner.borrow();
        let a = (n.aux as usize).min(inner.consts.len());
        inner.consts[a..(a + 2).min(inner.consts.len())].into()
    };
    let two = T::from_f64(2.0);
    let gx = match n.op {
        Op::Neg => -g,
        Op::Exp => g * y,
        Op::Ln => g / x,
        Op::Log1p => g / (x + T::ONE),
        Op::Sqrt => g / (y * two),
        Op::Sin => g * x.cos(),
        Op::Cos => -(g * x.sin()),
        Op::Tanh => g * y.square().rsub(T::ONE),
        Op::Sigmoid => g * (y * y.rsub(T::ONE)),
        Op::Softplus => g * x.sigmoid(),
        Op::Erf => g * ((-x.square()).exp() * T::from_f64(std::f64::consts::FRAC_2_SQRT_PI)),
        Op::Erfc => -(g * ((-x.square()).exp() * T::from_f64(std::f64::consts::FRAC_2_SQRT_PI))),
        Op::Expm1 => g * (y + T::ONE),
        Op::Sinh => g * x.cosh(),
        Op::Cosh => g * x.sinh(),
        Op::Atan => g / (x.square() + T::ONE),
        Op::Asin => g / x.square().rsub(T::ONE).sqrt(),
        Op::Acos => -(g / x.square().rsub(T::ONE).sqrt()),
        Op::Lgamma => g * x.digamma(),
        Op::Digamma => g * x.polygamma(1),
        // Recorded directly: `Var::polygamma` refuses orders past 2²⁰, a derivative's may be.
        Op::Polygamma => g * record(Op::Polygamma, x, &[c[0] + T::ONE]),
        Op::Relu => g * x.step_mask(),
        Op::Abs => g * x.sign(),
        Op::Square => g * (x * two),
        Op::PowConst => {
            if c[0] == T::ZERO {
                g * T::ZERO
            } else {
                g * (x.powf(c[0] - T::ONE) * c[0])
            }
        }
        Op::Clamp => g * x.range_mask(c[0], c[1]),
        Op::AddConst | Op::SubConst => g,
        Op::RSubConst => -g,
        Op::MulConst => g * c[0],
        Op::DivConst => g / c[0],
        Op::RDivConst => -(g * (y / x)),
        _ => return SmallVec::new(),
    };
    smallvec![(n.a, gx)]
}

/// Records a unary op on `x` with constants `c`; a handle known to be a scalar takes an
/// inlined fast path ([`crate::Tape::push_scalar`]: no read of its node, one read of its
/// value and a few plain writes).
#[track_caller]
#[inline(always)]
pub(crate) fn record<'t, T: Float>(op: Op, x: Var<'t, T>, c: &[T]) -> Var<'t, T> {
    if x.known_scalar() {
        record_scalar(op, x, c)
    } else {
        record_other(op, x, c)
    }
}

/// A scalar handle without its flags (e.g. from [`crate::Tape::get`]), or a tensor.
#[track_caller]
#[inline(never)]
fn record_other<'t, T: Float>(op: Op, x: Var<'t, T>, c: &[T]) -> Var<'t, T> {
    match x.as_known_scalar() {
        Some(x) => record_scalar(op, x, c),
        None => record_tensor(op, x, c),
    }
}

/// A handle known to be a scalar.
#[track_caller]
#[inline(always)]
fn record_scalar<'t, T: Float>(op: Op, x: Var<'t, T>, c: &[T]) -> Var<'t, T> {
    let tape = x.tape;
    let grad = x.flags() & GRAD != 0 && !op.is_nondifferentiable();
    let id = tape.push_scalar(
        op,
        grad,
        Parents::One(x.id()),
        c,
        #[inline(always)]
        move |x, _| f(op, x, c),
    );
    Var::scalar(tape, id, grad)
}

#[track_caller]
#[inline(never)]
fn record_tensor<'t, T: Float>(op: Op, x: Var<'t, T>, c: &[T]) -> Var<'t, T> {
    let tape = x.tape;
    let mut inner = tape.inner.borrow_mut();
    let xn = inner.node(x.id());
    let aux = if c.is_empty() { 0 } else { inner.push_consts(c) };
    let grad = xn.grad && !op.is_nondifferentiable();
    let off = inner.values.len();
    let len = inner.shapes[xn.shape as usize].numel;
    let xo = xn.val();
    let (src, dst) = inner.values.grow(len);
    let xv = &src[xo..xo + len];
    crate::par::for_parts(dst, |s, dst| map(op, &xv[s..s + dst.len()], dst, c));
    let id = inner.push(op, grad, x.id(), 0, off, xn.shape, aux);
    drop(inner);
    tape.note_location(id);
    Var::new(tape, id)
}
