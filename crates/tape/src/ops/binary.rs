//! Elementwise binary ops on operands of equal shape. The `+ - * /` operators and the
//! named methods broadcast first by recording explicit `broadcast_to` nodes, so every VJP
//! here is one line: the reduction back to each operand's shape is `broadcast_to`'s VJP.
//!
//! | op | y | ā += | b̄ += |
//! |---|---|---|---|
//! | add | a+b | ȳ | ȳ |
//! | sub | a−b | ȳ | −ȳ |
//! | mul | a·b | ȳ·b | ȳ·a |
//! | div | a/b | ȳ/b | −ȳ·y/b |
//! | pow | aᵇ | ȳ·b·aᵇ⁻¹ | ȳ·y·ln a (0 where a = 0, b ≥ 0) |
//! | atan2 | the angle of (b, a) | ȳ·b/(a² + b²) | −ȳ·a/(a² + b²) (NaN at the origin, as PyTorch) |
//! | maximum | max(a, b) | ȳ·w(a,b) | ȳ·w(b,a) |
//! | minimum | min(a, b) | ȳ·w(b,a) | ȳ·w(a,b) |
//! | masked | a where b ≠ 0, else 0 | ȳ where b ≠ 0, else 0 | — |
//! | select(c, a, b) | a where c ≠ 0, else b | ȳ where c ≠ 0 | ȳ where c = 0 |
//!
//! with w(a,b) = 1 if a > b, ½ if a = b, 0 otherwise (`max_weight`, a mask): a tie
//! splits the gradient evenly. `maximum`/`minimum` propagate NaN, with w = 0 on both sides
//! where an operand is NaN (JAX's rule; PyTorch's is 1 on both). `masked` selects rather
//! than multiplies (an infinite or NaN `a` where `b = 0` gives 0, not NaN; a NaN `b` counts as
//! nonzero), and its mask `b` takes no gradient, as a mask op's output. The masks
//! `gt_mask` (a > b) and `ge_mask` (a ≥ b) are 1 or 0 (0 with a NaN) and take no gradient.

use smallvec::{smallvec, SmallVec};

use crate::error::Result;
use crate::float::Float;
use crate::ops::unary::one_if;
use crate::ops::{flow, put, Flow, Op};
use crate::tape::{Inner, Node, Parents};
use crate::var::{Var, GRAD};

#[inline(always)]
fn max_weight<T: Float>(a: T, b: T) -> T {
    if a > b {
        T::ONE
    } else if a == b {
        T::from_f64(0.5)
    } else {
        T::ZERO
    }
}

/// Forward value.
#[inline(always)]
pub(crate) fn f<T: Float>(op: Op, a: T, b: T) -> T {
    match op {
        Op::Add => a + b,
        Op::Sub => a - b,
        Op::Mul => a * b,
        Op::Div => a / b,
        Op::Pow => a.powf(b),
        Op::Atan2 => a.atan2(b),
        Op::Maximum => {
            if a.is_nan() || b.is_nan() {
                T::NAN
            } else if a >= b {
                a
            } else {
                b
            }
        }
        Op::Minimum => {
            if a.is_nan() || b.is_nan() {
                T::NAN
            } else if a <= b {
                a
            } else {
                b
            }
        }
        Op::Masked => masked(a, b),
        Op::MaxWeight => max_weight(a, b),
        Op::GtMask => one_if(a > b),
        Op::GeMask => one_if(a >= b),
        Op::EqMask => {
            if a == b || (a.is_nan() && b.is_nan()) {
                T::ONE
            } else {
                T::ZERO
            }
        }
        _ => unreachable!("tape bug: {op:?} is not binary"),
    }
}

/// Contribution to ā.
#[inline(always)]
pub(crate) fn ga<T: Float>(op: Op, g: T, a: T, b: T, y: T) -> T {
    let _ = y;
    match op {
        Op::Add | Op::Sub => g,
        Op::Mul => g * b,
        Op::Div => g / b,
        Op::Pow => {
            if b == T::ZERO {
                T::ZERO
            } else {
                g * (b * a.powf(b - T::ONE))
            }
        }
        Op::Atan2 => g * (b / (a * a + b * b)),
        Op::Maximum => g * max_weight(a, b),
        Op::Minimum => g * max_weight(b, a),
        Op::Masked => masked(g, b),
        _ => T::ZERO,
    }
}

/// `a` where the mask `m` is nonzero (NaN included), else 0: a selection, so an infinite
/// or NaN `a` under a zero mask gives 0.
#[inline(always)]
fn masked<T: Float>(a: T, m: T) -> T {
    if m != T::ZERO {
        a
    } else {
        T::ZERO
    }
}

/// Contribution to b̄.
#[inline(always)]
pub(crate) fn gb<T: Float>(op: Op, g: T, a: T, b: T, y: T) -> T {
    match op {
        Op::Add => g,
        Op::Sub => -g,
        Op::Mul => g * a,
        Op::Div => -(g * (y / b)),
        Op::Pow => {
            if a == T::ZERO && b >= T::ZERO {
                T::ZERO
            } else {
                g * (y * a.ln())
            }
        }
        Op::Atan2 => -(g * (a / (a * a + b * b))),
        Op::Maximum => g * max_weight(b, a),
        Op::Minimum => g * max_weight(a, b),
        _ => T::ZERO,
    }
}

macro_rules! each_binary {
    ($op:expr, $mac:ident) => {
        match $op {
            Op::Add => $mac!(Add),
            Op::Sub => $mac!(Sub),
            Op::Mul => $mac!(Mul),
            Op::Div => $mac!(Div),
            Op::Pow => $mac!(Pow),
            Op::Atan2 => $mac!(Atan2),
            Op::Maximum => $mac!(Maximum),
            Op::Minimum => $mac!(Minimum),
            Op::Masked => $mac!(Masked),
            Op::MaxWeight => $mac!(MaxWeight),
            Op::EqMask => $mac!(EqMask),
            Op::GtMask => $mac!(GtMask),
            Op::GeMask => $mac!(GeMask),
            _ => unreachable!("tape bug: not a binary op"),
        }
    };
}

/// Numeric VJP of a binary tensor node (scalar nodes take [`crate::ops::vjp_scalar`]).
#[inline]
pub(crate) fn vjp<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    let (an, bn) = (inner.nodes[n.a as usize], inner.nodes[n.b as usize]);
    let o = n.adj();
    let va = &inner.values;
    let fa = flow(inner, n.a, reached);
    // A mask takes no gradient.
    let fb = if n.op == Op::Masked { Flow::No } else { flow(inner, n.b, reached) };
    let len = inner.shapes[n.shape as usize].numel;
    let (lo, hi) = adj.split_at_mut(o);
    let g = &hi[..len];
    let (a, b, y) = (&va[an.val()..][..len], &va[bn.val()..][..len], &va[n.val()..][..len]);
    for (flow, at, first) in [(fa, an.adj(), true), (fb, bn.adj(), false)] {
        if flow == Flow::No {
            continue;
        }
        crate::par::for_parts(&mut lo[at..at + len], |s, acc| {
            let r = s..s + acc.len();
            let (g, a, b, y) = (&g[r.clone()], &a[r.clone()], &b[r.clone()], &y[r]);
            match (flow == Flow::Set, first) {
                (true, true) => vjp_loop::<T, true, true>(n.op, g, a, b, y, acc),
                (true, false) => vjp_loop::<T, true, false>(n.op, g, a, b, y, acc),
                (false, true) => vjp_loop::<T, false, true>(n.op, g, a, b, y, acc),
                (false, false) => vjp_loop::<T, false, false>(n.op, g, a, b, y, acc),
            }
        });
    }
}

/// `acc[i] (+)= ∂(a ∘ b)/∂a·g[i]` (`A`) or the `b` side, writing on a first contribution
/// (`SET`, see [`put`]); one loop per op so each vectorises.
fn vjp_loop<T: Float, const SET: bool, const A: bool>(
    op: Op,
    g: &[T],
    a: &[T],
    b: &[T],
    y: &[T],
    acc: &mut [T],
) {
    macro_rules! run {
        ($o:ident) => {
            for i in 0..acc.len() {
                let v =
                    if A { ga(Op::$o, g[i], a[i], b[i], y[i]) } else { gb(Op::$o, g[i], a[i], b[i], y[i]) };
                put::<T, SET>(&mut acc[i], v);
            }
        };
    }
    each_binary!(op, run);
}

/// VJP of a binary node in tape ops.
pub(crate) fn vjp_graph<'t, T: Float>(
    y: Var<'t, T>,
    n: Node,
    g: Var<'t, T>,
) -> SmallVec<[(u32, Var<'t, T>); 2]> {
    let a = Var::new(y.tape, n.a);
    let b = Var::new(y.tape, n.b);
    let (da, db) = match n.op {
        Op::Add => (g, g),
        Op::Sub => (g, -g),
        Op::Mul => (g * b, g * a),
        Op::Div => (g / b, -(g * (y / b))),
        Op::Pow => {
            // The numeric rules (`ga`, `gb`) in tape ops, their special cases through masks,
            // which carry no gradient, so the rules stay differentiable.
            let zero = y.tape.scalar_constant(T::ZERO);
            // ln(a + [a = 0, b ≥ 0]) is ln a except where a = 0 and b ≥ 0, where it is 0
            // (∂/∂b is taken as 0 there); at a = 0 with b < 0 it stays ln 0 = −∞.
            let safe_ln = (a + a.is_zero() * b.ge_mask(zero)).ln();
            // ∂/∂a is 0 where b = 0, where b·a^(b−1) = 0·a⁻¹ is 0 unless a⁻¹ is infinite or
            // NaN (a zero, subnormal or NaN base): shift the exponent there only, so that
            // the mixed second derivative elsewhere at b = 0 stays a⁻¹.
            let t = b * a.pow(b - T::ONE);
            let shift = b.is_zero() * t.ge_mask(t).rsub(T::ONE);
            let safe_exp = b + shift;
            (g * (b * a.pow(safe_exp - T::ONE)), g * (y * safe_ln))
        }
        Op::Atan2 => {
            let r2 = a.square() + b.square();
            (g * (b / r2), -(g * (a / r2)))
        }
        Op::Maximum => (g * a.max_weight(b), g * b.max_weight(a)),
        Op::Minimum => (g * b.max_weight(a), g * a.max_weight(b)),
        Op::Masked => return smallvec![(n.a, g.masked(b))],
        _ => return SmallVec::new(),
    };
    smallvec![(n.a, da), (n.b, db)]
}

/// Records a binary op with numpy broadcasting. Two handles known to be scalars take an
/// inlined fast path ([`crate::Tape::push_scalar`]: no reads of their nodes, two reads of
/// values and a few plain writes); everything else goes through [`record_general`].
#[track_caller]
#[inline(always)]
pub(crate) fn record<'t, T: Float>(op: Op, a: Var<'t, T>, b: Var<'t, T>) -> Result<Var<'t, T>> {
    let tape = a.tape;
    if a.known_scalar() && b.known_scalar() && std::ptr::eq(tape, b.tape) {
        Ok(record_scalar(op, a, b))
    } else {
        record_general(op, a, b)
    }
}

/// [`record`] for the operators, which panic on error.
#[track_caller]
#[inline(always)]
pub(crate) fn record_op<'t, T: Float>(op: Op, a: Var<'t, T>, b: Var<'t, T>) -> Var<'t, T> {
    if a.known_scalar() && b.known_scalar() && std::ptr::eq(a.tape, b.tape) {
        record_scalar(op, a, b)
    } else {
        record_general_op(op, a, b)
    }
}

/// [`record_general`], panicking on error.
#[track_caller]
#[inline(never)]
fn record_general_op<'t, T: Float>(op: Op, a: Var<'t, T>, b: Var<'t, T>) -> Var<'t, T> {
    crate::var::ok(record_general(op, a, b))
}

/// Two handles known to be scalars, of one tape.
#[track_caller]
#[inline(always)]
fn record_scalar<'t, T: Float>(op: Op, a: Var<'t, T>, b: Var<'t, T>) -> Var<'t, T> {
    let tape = a.tape;
    let grad = op.takes_grad(a.flags() & GRAD != 0, b.flags() & GRAD != 0);
    let id = tape.push_scalar(
        op,
        grad,
        Parents::Two(a.id(), b.id()),
        &[],
        #[inline(always)]
        move |x, y| f(op, x, y),
    );
    Var::scalar(tape, id, grad)
}

/// Tensors (and errors): checks the tapes, broadcasts, then runs the elementwise loop.
#[track_caller]
#[inline(never)]
fn record_general<'t, T: Float>(op: Op, a: Var<'t, T>, b: Var<'t, T>) -> Result<Var<'t, T>> {
    a.try_same_tape(b, op.name())?;
    if let (Some(a), Some(b)) = (a.as_known_scalar(), b.as_known_scalar()) {
        return Ok(record_scalar(op, a, b));
    }
    let (sa, sb) = {
        let inner = a.tape.inner.borrow();
        (inner.shape_of(a.id()), inner.shape_of(b.id()))
    };
    if sa == sb {
        return Ok(record_same_shape(op, a, b));
    }
    let out = broadcast_of(op.name(), (a, &sa), (b, &sb))?;
    let (a, b) = (crate::ops::layout::widen(a, &sa, &out)?, crate::ops::layout::widen(b, &sb, &out)?);
    Ok(record_same_shape(op, a, b))
}

/// The broadcast of two operands' shapes (`a` of shape `sa`, `b` of shape `sb`), or the
/// [`Error::ShapeMismatch`](crate::error::Error::ShapeMismatch) of `op` naming both.
pub(crate) fn broadcast_of<T: Float>(
    op: &'static str,
    (a, sa): (Var<'_, T>, &[usize]),
    (b, sb): (Var<'_, T>, &[usize]),
) -> Result<crate::shape::Shape> {
    crate::shape::broadcast_shapes(sa, sb).ok_or_else(|| crate::error::Error::ShapeMismatch {
        op,
        lhs: sa.into(),
        rhs: sb.into(),
        lhs_node: a.node(),
        rhs_node: b.node(),
    })
}

/// Records a binary op on two operands of equal shape.
#[track_caller]
fn record_same_shape<'t, T: Float>(op: Op, a: Var<'t, T>, b: Var<'t, T>) -> Var<'t, T> {
    let tape = a.tape;
    let mut inner = tape.inner.borrow_mut();
    let an = inner.node(a.id());
    let bn = inner.node(b.id());
    let grad = op.takes_grad(an.grad, bn.grad);
    let off = inner.values.len();
    let len = inner.shapes[an.shape as usize].numel;
    let (ao, bo) = (an.val(), bn.val());
    let (src, dst) = inner.values.grow(len);
    let (x, z) = (&src[ao..ao + len], &src[bo..bo + len]);
    crate::par::for_parts(dst, |s, dst| {
        let (x, z) = (&x[s..s + dst.len()], &z[s..s + dst.len()]);
        macro_rules! run {
            ($o:ident) => {
                for i in 0..dst.len() {
                    dst[i] = f(Op::$o, x[i], z[i]);
                }
            };
        }
        each_binary!(op, run);
    });
    let id = inner.push(op, grad, a.id(), b.id(), off, an.shape, 0);
    drop(inner);
    tape.note_location(id);
    Var::new(tape, id)
}

// ---- select: three operands of one shape ----

/// Records `c ≠ 0 ? a : b` for three variables of one shape (the caller broadcasts), as
/// one node with the condition in `aux`. Takes gradients if `a` or `b` does; the
/// condition never passes any on.
#[track_caller]
pub(crate) fn record_select<'t, T: Float>(c: Var<'t, T>, a: Var<'t, T>, b: Var<'t, T>) -> Var<'t, T> {
    let tape = a.tape;
    let mut inner = tape.inner.borrow_mut();
    let (cn, an, bn) = (inner.node(c.id()), inner.node(a.id()), inner.node(b.id()));
    let grad = an.grad || bn.grad;
    let off = inner.values.len();
    let len = inner.shapes[an.shape as usize].numel;
    let (co, ao, bo) = (cn.val(), an.val(), bn.val());
    let (src, dst) = inner.values.grow(len);
    let (cv, av, bv) = (&src[co..co + len], &src[ao..ao + len], &src[bo..bo + len]);
    crate::par::for_parts(dst, |s, dst| {
        for (i, d) in dst.iter_mut().enumerate() {
            let k = s + i;
            *d = if cv[k] != T::ZERO { av[k] } else { bv[k] };
        }
    });
    let id = inner.push(Op::Select, grad, a.id(), b.id(), off, an.shape, c.id());
    drop(inner);
    tape.note_location(id);
    Var::new(tape, id)
}

/// Numeric VJP of `select`: ā (+)= ȳ where c ≠ 0, b̄ (+)= ȳ where c = 0 (0 elsewhere).
pub(crate) fn select_vjp<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    let co = inner.nodes[n.aux as usize].val();
    let o = n.adj();
    let len = inner.shapes[n.shape as usize].numel;
    let c = &inner.values[co..co + len];
    let (lo, hi) = adj.split_at_mut(o);
    let g = &hi[..len];
    for (p, chosen) in [(n.a, true), (n.b, false)] {
        let at = inner.nodes[p as usize].adj();
        let fl = flow(inner, p, reached);
        if fl == Flow::No {
            continue;
        }
        crate::par::for_parts(&mut lo[at..at + len], |s, acc| {
            for (i, d) in acc.iter_mut().enumerate() {
                let k = s + i;
                let v = if (c[k] != T::ZERO) == chosen { g[k] } else { T::ZERO };
                if fl == Flow::Set {
                    put::<T, true>(d, v)
                } else {
                    put::<T, false>(d, v)
                }
            }
        });
    }
}

/// VJP of `select` in tape ops: ȳ masked by the condition, and by its complement.
pub(crate) fn select_vjp_graph<'t, T: Float>(
    _y: Var<'t, T>,
    n: Node,
    g: Var<'t, T>,
) -> SmallVec<[(u32, Var<'t, T>); 2]> {
    let c = Var::new(g.tape, n.aux);
    smallvec![(n.a, g.masked(c)), (n.b, g.masked(c.is_zero()))]
}
