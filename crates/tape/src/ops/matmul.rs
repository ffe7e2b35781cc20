//! Matrix product, 2-d and batched 3-d (a 2-d operand, or a batch of 1, is shared across
//! the batch).
//!
//! y = a·b;  ā += ȳ·bᵀ,  b̄ += aᵀ·ȳ.
//!
//! The products run on the `matrixmultiply` GEMM kernels. The transposed products of the
//! VJP read the operands through strides (no transposed copies) and accumulate straight
//! into the adjoint buffer (β = 1), so a backward through matmul allocates nothing.

use smallvec::{smallvec, SmallVec};

use crate::error::{Error, Result};
use crate::float::Float;
use crate::ops::{check_size_of, flow, flows, Flow, Op};
use crate::shape::Shape;
use crate::tape::{Inner, Node};
use crate::var::Var;

/// (batch, m, k, n, a batch stride, b batch stride) of a product, or `None` if the
/// shapes do not fit.
fn plan(a: &[usize], b: &[usize]) -> Option<(usize, usize, usize, usize, usize, usize)> {
    let (ab, m, k) = match *a {
        [m, k] => (None, m, k),
        [bt, m, k] => (Some(bt), m, k),
        _ => return None,
    };
    let (bb, k2, n) = match *b {
        [k, n] => (None, k, n),
        [bt, k, n] => (Some(bt), k, n),
        _ => return None,
    };
    if k != k2 {
        return None;
    }
    // An operand without a batch, or with a batch of 1 against a larger one, is shared by
    // every product of the batch (stride 0), as numpy broadcasts it.
    let (batch, a_shared, b_shared) = match (ab, bb) {
        (Some(x), Some(y)) if x == y => (x, false, false),
        (Some(1), Some(y)) => (y, true, false),
        (Some(x), Some(1)) => (x, false, true),
        (Some(_), Some(_)) => return None,
        (Some(x), None) => (x, false, true),
        (None, Some(y)) => (y, true, false),
        (None, None) => (1, true, true),
    };
    let sa = if a_shared { 0 } else { m * k };
    let sb = if b_shared { 0 } else { k * n };
    Some((batch, m, k, n, sa, sb))
}

/// Whether [`matmul`] takes operands of these shapes as one node.
pub(crate) fn fits(a: &[usize], b: &[usize]) -> bool {
    plan(a, b).is_some()
}

/// The product's batch axes and shape for operands `a` and `b` of shapes `da` and `db`, by
/// the rules of [`Var::matmul`]; an error naming `op` and both operands if they do not fit
/// or the product has more elements than fit in memory. Records nothing.
pub(crate) fn product_shape<T: Float>(
    op: &'static str,
    a: Var<'_, T>,
    b: Var<'_, T>,
    da: &[usize],
    db: &[usize],
) -> Result<(Shape, Shape)> {
    let mismatch = || Error::ShapeMismatch {
        op,
        lhs: da.into(),
        rhs: db.into(),
        lhs_node: a.node(),
        rhs_node: b.node(),
    };
    let (lr, rr) = (da.len(), db.len());
    if lr == 0 || rr == 0 {
        return Err(mismatch());
    }
    let k_rhs = if rr == 1 { db[0] } else { db[rr - 2] };
    if k_rhs != da[lr - 1] {
        return Err(mismatch());
    }
    let (lb, rb) = (&da[..lr.saturating_sub(2)], &db[..rr.saturating_sub(2)]);
    let batch = crate::shape::broadcast_shapes(lb, rb).ok_or_else(mismatch)?;
    let mut out = batch.clone();
    if lr > 1 {
        out.push(da[lr - 2]);
    }
    if rr > 1 {
        out.push(db[rr - 1]);
    }
    check_size_of::<T>(op, &out, || product_of(a, b))?;
    Ok((batch, out))
}

/// "the product of v2 and v3", for errors.
fn product_of<T: Float>(a: Var<'_, T>, b: Var<'_, T>) -> String {
    format!("the product of {} and {}", a.node(), b.node())
}

#[track_caller]
pub(crate) fn matmul<'t, T: Float>(a: Var<'t, T>, b: Var<'t, T>) -> Result<Var<'t, T>> {
    a.try_same_tape(b, "matmul")?;
    let tape = a.tape;
    let mut inner = tape.inner.borrow_mut();
    let (an, bn) = (inner.node(a.id()), inner.node(b.id()));
    let (da, db) = (inner.shape_of(a.id()), inner.shape_of(b.id()));
    let Some((batch, m, k, n, sa, sb)) = plan(&da, &db) else {
        return Err(Error::ShapeMismatch {
            op: "matmul",
            lhs: da,
            rhs: db,
            lhs_node: a.node(),
            rhs_node: b.node(),
        });
    };
    let out: SmallVec<[usize; 4]> =
        if da.len() == 3 || db.len() == 3 { smallvec![batch, m, n] } else { smallvec![m, n] };
    // Operands with an empty inner dimension can make any product ([n, 0]·[0, n]).
    check_size_of::<T>("matmul", &out, || product_of(a, b))?;
    let s = inner.intern_shape(&out);
    let off = inner.values.len();
    // β = 0 below: the GEMM overwrites the stale values without reading them.
    let len = crate::shape::numel(&out);
    let (src, dst) = inner.values.grow(len);
    let (ao, bo) = (an.val(), bn.val());
    // An empty product can have a huge batch ([n, 0, 3]·[3, 2]): no loop over it.
    let batch = if len == 0 { 0 } else { batch };
    for t in 0..batch {
        let av = &src[ao + t * sa..ao + t * sa + m * k];
        let bv = &src[bo + t * sb..bo + t * sb + k * n];
        T::gemm(
            m,
            k,
            n,
            av,
            (k as isize, 1),
            bv,
            (n as isize, 1),
            T::ZERO,
            &mut dst[t * m * n..(t + 1) * m * n],
        );
    }
    let id = inner.push(Op::MatMul, an.grad || bn.grad, a.id(), b.id(), off, s, 0);
    drop(inner);
    tape.note_location(id);
    Ok(Var::new(tape, id))
}

/// Numeric VJP: ā += ȳ·bᵀ, b̄ += aᵀ·ȳ, through strides, accumulating (β = 1).
pub(crate) fn vjp<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    let (an, bn) = (inner.nodes[n.a as usize], inner.nodes[n.b as usize]);
    let (da, db) = (&inner.shapes[an.shape as usize].dims, &inner.shapes[bn.shape as usize].dims);
    let (batch, m, k, nn, sa, sb) = plan(da, db).expect("tape bug: matmul shapes");
    // Values (v) and adjoints (a) of the operands: apart for a view.
    let (avo, bvo, aao, bao, o) = (an.val(), bn.val(), an.adj(), bn.adj(), n.adj());
    if inner.shapes[n.shape as usize].numel == 0 {
        // Nothing to multiply (and perhaps a huge batch of nothing, [n, 0, 3]·[3, 2]):
        // the parents' adjoints are zeros.
        flows(inner, n.a, adj, reached);
        flows(inner, n.b, adj, reached);
        return;
    }
    let fa = flow(inner, n.a, reached);
    let fb = flow(inner, n.b, reached);
    let (lo, hi) = adj.split_at_mut(o);
    let g = &hi[..batch * m * nn];
    let v = &inner.values;
    // β = 0 (overwrite the stale slot) for a first contribution, except where an operand
    // shared by the whole batch (stride 0) takes the later batches' terms.
    let beta = |f: Flow, stride: usize, t: usize| {
        if f == Flow::Set && (t == 0 || stride != 0) {
            T::ZERO
        } else {
            T::ONE
        }
    };
    for t in 0..batch {
        let gt = &g[t * m * nn..(t + 1) * m * nn];
        if fa != Flow::No {
            // ā[m×k] += ȳ[m×n] · bᵀ, with bᵀ read from b[k×n] as strides (1, n).
            let bv = &v[bvo + t * sb..bvo + t * sb + k * nn];
            let acc = &mut lo[aao + t * sa..aao + t * sa + m * k];
            T::gemm(m, nn, k, gt, (nn as isize, 1), bv, (1, nn as isize), beta(fa, sa, t), acc);
        }
        if fb != Flow::No {
            // b̄[k×n] += aᵀ · ȳ, with aᵀ read from a[m×k] as strides (1, k).
            let av = &v[avo + t * sa..avo + t * sa + m * k];
            let acc = &mut lo[bao + t * sb..bao + t * sb + k * nn];
            T::gemm(k, m, nn, av, (1, k as isize), gt, (nn as isize, 1), beta(fb, sb, t), acc);
        }
    }
}

/// VJP in tape ops.
pub(crate) fn vjp_graph<'t, T: Float>(
    y: Var<'t, T>,
    n: Node,
    g: Var<'t, T>,
) -> SmallVec<[(u32, Var<'t, T>); 2]> {
    let a = Var::new(y.tape, n.a);
    let b = Var::new(y.tape, n.b);
    let ga = g.matmul(b.transpose()).sum_to(&a.shape());
    let gb = a.transpose().matmul(g).sum_to(&b.shape());
    smallvec![(n.a, ga), (n.b, gb)]
}

/// Records `a·b + c` for 2-d `a` [m, k] and `b` [k, n], with `c` broadcast to [m, n]
/// (numpy rules), as one node (`Op::MatMulAdd`, `c`'s index in `aux`): the output starts
/// as the broadcast `c` and the GEMM accumulates onto it (β = 1), so no broadcast node,
/// no separate sum and no zeroing pass. Other ranks (1-d and 3-d operands) record
/// `a.matmul(b) + c`. Every shape is checked first, at every rank, so a refusal names
/// `matmul_add` and records nothing.
#[track_caller]
pub(crate) fn matmul_add<'t, T: Float>(a: Var<'t, T>, b: Var<'t, T>, c: Var<'t, T>) -> Result<Var<'t, T>> {
    a.try_same_tape(b, "matmul_add")?;
    a.try_same_tape(c, "matmul_add")?;
    let (da, db, dc) = (a.shape(), b.shape(), c.shape());
    let (_, out) = product_shape("matmul_add", a, b, &da, &db)?;
    if !crate::shape::can_broadcast_to(&dc, &out) {
        return Err(Error::InvalidArgument {
            op: "matmul_add",
            msg: format!(
                "the term {dc:?} ({}) does not broadcast to {out:?}, the shape of {}",
                c.node(),
                product_of(a, b)
            ),
        });
    }
    let (m, k, n) = match (da.as_slice(), db.as_slice()) {
        (&[m, k], &[_, n]) => (m, k, n),
        // Neither can fail: the product and the term's broadcast to it are checked above.
        _ => return crate::ops::binary::record(Op::Add, a.try_matmul(b)?, c),
    };
    let tape = a.tape;
    let mut inner = tape.inner.borrow_mut();
    let (an, bn, cn) = (inner.node(a.id()), inner.node(b.id()), inner.node(c.id()));
    let s = inner.intern_shape(&[m, n]);
    let off = inner.values.len();
    let (src, dst) = inner.values.grow(m * n);
    let co = cn.val();
    let cv = &src[co..co + crate::shape::numel(&dc)];
    if n > 0 && (dc.as_slice() == [n] || dc.as_slice() == [1, n]) {
        // A row vector ([n] or [1, n]), the common bias: copy it into every row.
        dst.chunks_exact_mut(n).for_each(|row| row.copy_from_slice(cv));
    } else {
        crate::shape::for_each_broadcast(&dc, &[m, n], |oi, ci| dst[oi] = cv[ci]);
    }
    let (ao, bo) = (an.val(), bn.val());
    T::gemm(
        m,
        k,
        n,
        &src[ao..ao + m * k],
        (k as isize, 1),
        &src[bo..bo + k * n],
        (n as isize, 1),
        T::ONE,
        dst,
    );
    let id = inner.push(Op::MatMulAdd, an.grad || bn.grad || cn.grad, a.id(), b.id(), off, s, c.id());
    drop(inner);
    tape.note_location(id);
    Ok(Var::new(tape, id))
}

/// Numeric VJP of [`matmul_add`]: ā += ȳ·bᵀ, b̄ += aᵀ·ȳ (as [`vjp`]), c̄ += ȳ summed over
/// the dimensions `c` was broadcast along.
pub(crate) fn vjp_add<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    let (an, bn, cn) = (inner.nodes[n.a as usize], inner.nodes[n.b as usize], inner.nodes[n.aux as usize]);
    let (m, k) = match inner.shapes[an.shape as usize].dims.as_slice() {
        &[m, k] => (m, k),
        _ => panic!("tape bug: matmul_add shapes"),
    };
    let nn = inner.shapes[n.shape as usize].dims[1];
    let (avo, bvo, o) = (an.val(), bn.val(), n.adj());
    let (aao, bao, cao) = (an.adj(), bn.adj(), cn.adj());
    let (lo, hi) = adj.split_at_mut(o);
    let g = &hi[..m * nn];
    let v = &inner.values;
    let beta = |f: Flow| if f == Flow::Set { T::ZERO } else { T::ONE };
    // Each parent's flow is taken just before its contribution, so a node that is two of
    // the operands gets the second contribution added to the first.
    let fa = flow(inner, n.a, reached);
    if fa != Flow::No {
        let acc = &mut lo[aao..aao + m * k];
        T::gemm(m, nn, k, g, (nn as isize, 1), &v[bvo..bvo + k * nn], (1, nn as isize), beta(fa), acc);
    }
    let fb = flow(inner, n.b, reached);
    if fb != Flow::No {
        let acc = &mut lo[bao..bao + k * nn];
        T::gemm(k, m, nn, &v[avo..avo + m * k], (1, k as isize), g, (nn as isize, 1), beta(fb), acc);
    }
    // The sum accumulates: zeroed on first contact.
    if flows(inner, n.aux, lo, reached) {
        let cs = &inner.shapes[cn.shape as usize];
        crate::ops::reduce::sum_into(g, &[m, nn], &mut lo[cao..cao + cs.numel], &cs.dims);
    }
}

/// [`vjp_add`] in tape ops.
pub(crate) fn vjp_add_graph<'t, T: Float>(
    y: Var<'t, T>,
    n: Node,
    g: Var<'t, T>,
) -> SmallVec<[(u32, Var<'t, T>); 2]> {
    let (a, b, c) = (Var::new(y.tape, n.a), Var::new(y.tape, n.b), Var::new(y.tape, n.aux));
    let ga = g.matmul(b.transpose());
    let gb = a.transpose().matmul(g);
    let gc = g.sum_to(&c.shape());
    smallvec![(n.a, ga), (n.b, gb), (n.aux, gc)]
}
