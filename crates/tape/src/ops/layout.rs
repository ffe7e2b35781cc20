//! Ops that move elements without arithmetic (except `scatter_rows`, which adds).
//!
//! | op | y | x̄ += |
//! |---|---|---|
//! | broadcast_to(s) | x stretched to s (numpy rules) | sum_to(ȳ, shape x) |
//! | reshape(s) | same elements, new shape | reshape(ȳ, shape x) |
//! | permute(p) | axes reordered: y.dims[i] = x.dims[p[i]] | permute(ȳ, p⁻¹) |
//! | slice(k, start, len) | x[…, start..start+len, …] along axis k | pad(ȳ, k, start, x.dims[k]) |
//! | pad(k, start, total) | x placed at start in zeros of size total along k | slice(ȳ, k, start, x.dims[k]) |
//! | concat(k, xs) | xs joined along axis k | slice of ȳ for each input |
//! | index_select(idx) | rows idx[r] of x (axis 0) | scatter_rows(ȳ, idx, x.dims[0]) |
//! | scatter_rows(idx, n) | zeros(n, …) with row idx[r] += x[r] | index_select(ȳ, idx) |

use smallvec::{smallvec, SmallVec};

use crate::error::{Error, Result};
use crate::float::Float;
use crate::ops::reduce::split_axis;
use crate::ops::{check_size, flow, flows, put, Flow, Op};
use crate::shape::{can_broadcast_to, for_each_broadcast, numel, strides, Shape};
use crate::tape::{Inner, Node};
use crate::var::Var;

/// Calls `f(out_flat, in_flat)` for each element of a row-major tensor of shape `dims`,
/// where `in_strides[i]` is the input stride of output axis i.
pub(crate) fn for_each_strided(dims: &[usize], in_strides: &[usize], mut f: impl FnMut(usize, usize)) {
    let n = numel(dims);
    if n == 0 {
        return;
    }
    if dims.is_empty() {
        f(0, 0);
        return;
    }
    let rank = dims.len();
    let mut idx: Shape = smallvec![0; rank];
    let inner = dims[rank - 1];
    let st = in_strides[rank - 1];
    let mut out = 0;
    while out < n {
        let base: usize = (0..rank - 1).map(|d| idx[d] * in_strides[d]).sum();
        for j in 0..inner {
            f(out + j, base + j * st);
        }
        out += inner;
        let mut d = rank - 1;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            if idx[d] < dims[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

/// Input strides of each output axis of `permute(perm)` on a tensor of shape `dims`.
fn permuted_strides(dims: &[usize], perm: &[usize]) -> Shape {
    let st = strides(dims);
    perm.iter().map(|&p| st[p]).collect()
}

/// Records a layout node: `fill(src_values, x_offset, dst)` writes the output.
#[track_caller]
fn record<'t, T: Float>(
    op: Op,
    x: Var<'t, T>,
    out_dims: &[usize],
    ints: &[usize],
    fill: impl FnOnce(&[T], &mut [T]),
) -> Var<'t, T> {
    record_parts(op, x, out_dims, [ints, &[]], fill)
}

/// [`record`] with the op's integers given in two parts (a header and a long list), so
/// that the list is copied once, into the tape, rather than first into a joined vector.
#[track_caller]
fn record_parts<'t, T: Float>(
    op: Op,
    x: Var<'t, T>,
    out_dims: &[usize],
    ints: [&[usize]; 2],
    fill: impl FnOnce(&[T], &mut [T]),
) -> Var<'t, T> {
    let tape = x.tape;
    let mut inner = tape.inner.borrow_mut();
    let xn = inner.node(x.id());
    let s = inner.intern_shape(out_dims);
    let aux = if ints[0].is_empty() && ints[1].is_empty() {
        0
    } else {
        let aux = inner.push_ints(ints[0]);
        inner.push_ints(ints[1]);
        aux
    };
    let off = inner.values.len();
    let (src, dst) = inner.values.grow(numel(out_dims));
    if matches!(op, Op::Pad | Op::ScatterRows) {
        dst.fill(T::ZERO); // they write only part of the output
    }
    fill(src, dst);
    let grad = if op == Op::Concat { ints[0][2..].iter().any(|&p| inner.nodes[p].grad) } else { xn.grad };
    let id = inner.push(op, grad, x.id(), 0, off, s, aux);
    drop(inner);
    tape.note_location(id);
    Var::new(tape, id)
}

/// Records a view of `x` (see [`crate::tape::VIEW`]): a layout node whose value is the
/// run of `x`'s value from element `start` on, read in place rather than copied.
#[track_caller]
fn record_view<'t, T: Float>(
    op: Op,
    x: Var<'t, T>,
    out_dims: &[usize],
    ints: &[usize],
    start: usize,
) -> Var<'t, T> {
    let tape = x.tape;
    let mut inner = tape.inner.borrow_mut();
    let s = inner.intern_shape(out_dims);
    let aux = if ints.is_empty() { 0 } else { inner.push_ints(ints) };
    let val = inner.node(x.id()).val() + start;
    let id = inner.push_view(op, x.id(), val, s, aux);
    drop(inner);
    tape.note_location(id);
    Var::new(tape, id)
}

fn x_info<T: Float>(x: Var<'_, T>) -> (usize, Shape) {
    let inner = x.tape.inner.borrow();
    (inner.node(x.id()).val(), inner.shape_of(x.id()))
}

/// `x` of shape `s` broadcast to `out`, or `x` itself if it has that shape already.
#[track_caller]
pub(crate) fn widen<'t, T: Float>(x: Var<'t, T>, s: &[usize], out: &[usize]) -> Result<Var<'t, T>> {
    if s == out {
        Ok(x)
    } else {
        broadcast_to(x, out)
    }
}

#[track_caller]
pub(crate) fn broadcast_to<'t, T: Float>(x: Var<'t, T>, to: &[usize]) -> Result<Var<'t, T>> {
    let (xo, from) = x_info(x);
    if !can_broadcast_to(&from, to) {
        return Err(Error::InvalidArgument {
            op: "broadcast_to",
            msg: format!("cannot broadcast {from:?} ({}) to {to:?}", x.node()),
        });
    }
    check_size("broadcast_to", x, to)?;
    Ok(record(Op::BroadcastTo, x, to, &[], |src, dst| {
        for_each_broadcast(&from, to, |o, i| dst[o] = src[xo + i])
    }))
}

#[track_caller]
pub(crate) fn reshape<'t, T: Float>(x: Var<'t, T>, to: &[usize]) -> Result<Var<'t, T>> {
    let from = x.shape();
    if numel(&from) != numel(to) {
        return Err(Error::ReshapeSize { from, to: to.into(), node: x.node() });
    }
    // Tensors are contiguous (row-major), so a reshape reads its input in place.
    Ok(record_view(Op::Reshape, x, to, &[], 0))
}

#[track_caller]
pub(crate) fn permute<'t, T: Float>(x: Var<'t, T>, perm: &[usize]) -> Result<Var<'t, T>> {
    let (xo, from) = x_info(x);
    let mut seen = vec![false; from.len()];
    let ok = perm.len() == from.len()
        && perm.iter().all(|&p| p < from.len() && !std::mem::replace(&mut seen[p], true));
    if !ok {
        return Err(Error::InvalidArgument {
            op: "permute",
            msg: format!("{perm:?} is not a permutation of the axes of {from:?} ({})", x.node()),
        });
    }
    let out: Shape = perm.iter().map(|&p| from[p]).collect();
    // Its elements are x's, but their count can overflow in another order: [0, n, 2] as
    // [n, 2, 0].
    check_size("permute", x, &out)?;
    let ps = permuted_strides(&from, perm);
    Ok(record(Op::Permute, x, &out, perm, |src, dst| {
        for_each_strided(&out, &ps, |o, i| dst[o] = src[xo + i])
    }))
}

fn check_axis<T: Float>(op: &'static str, x: Var<'_, T>, dims: &[usize], axis: isize) -> Result<usize> {
    crate::shape::resolve_axis(axis, dims.len()).ok_or_else(|| Error::InvalidAxis {
        op,
        axis,
        shape: dims.into(),
        node: x.node(),
    })
}

/// Copies blocks: for each of `outer` rows, `len_src` blocks of `inner` elements from `src`
/// (starting at block `s0`) onto `dst` (starting at block `d0`), `count` blocks.
#[allow(clippy::too_many_arguments)]
fn copy_blocks<T: Float>(
    src: &[T],
    dst: &mut [T],
    outer: usize,
    inner: usize,
    src_len: usize,
    s0: usize,
    dst_len: usize,
    d0: usize,
    count: usize,
    add: bool,
) {
    if count == 0 {
        // Nothing to copy, however many rows: `outer` can be huge for an empty tensor
        // ([n, 0] sliced along axis 1). (An empty `inner` makes `outer` 0: `split_axis`.)
        return;
    }
    for o in 0..outer {
        let s = (o * src_len + s0) * inner;
        let d = (o * dst_len + d0) * inner;
        let (from, to) = (&src[s..s + count * inner], &mut dst[d..d + count * inner]);
        if add {
            to.iter_mut().zip(from).for_each(|(t, f)| *t += *f);
        } else {
            to.copy_from_slice(from);
        }
    }
}

#[track_caller]
pub(crate) fn slice<'t, T: Float>(
    x: Var<'t, T>,
    axis: isize,
    start: usize,
    len: usize,
) -> Result<Var<'t, T>> {
    let (xo, dims) = x_info(x);
    let ax = check_axis("slice", x, &dims, axis)?;
    // Checked: a wrapped `start + len` would pass the test and read outside x.
    if start.checked_add(len).is_none_or(|end| end > dims[ax]) {
        return Err(Error::InvalidArgument {
            op: "slice",
            msg: format!(
                "range {start}..{start}+{len} is out of bounds for axis {ax} of {dims:?} ({})",
                x.node()
            ),
        });
    }
    let mut out = dims.clone();
    out[ax] = len;
    let (outer, n, inn) = split_axis(&dims, ax);
    // (Counted apart from `outer`, which is 0 for an empty `inn`.)
    if crate::shape::checked_numel(&dims[..ax]) == Some(1) {
        // One contiguous block of x: read in place.
        return Ok(record_view(Op::Slice, x, &out, &[ax, start], start * inn));
    }
    Ok(record(Op::Slice, x, &out, &[ax, start], |src, dst| {
        copy_blocks(&src[xo..], dst, outer, inn, n, start, len, 0, len, false)
    }))
}

#[track_caller]
pub(crate) fn pad<'t, T: Float>(
    x: Var<'t, T>,
    axis: isize,
    start: usize,
    total: usize,
) -> Result<Var<'t, T>> {
    let (xo, dims) = x_info(x);
    let ax = check_axis("pad", x, &dims, axis)?;
    if start.checked_add(dims[ax]).is_none_or(|end| end > total) {
        return Err(Error::InvalidArgument {
            op: "pad",
            msg: format!(
                "{dims:?} ({}) placed at {start} does not fit in size {total} along axis {ax}",
                x.node()
            ),
        });
    }
    let mut out = dims.clone();
    out[ax] = total;
    check_size("pad", x, &out)?;
    let (outer, n, inn) = split_axis(&dims, ax);
    Ok(record(Op::Pad, x, &out, &[ax, start], |src, dst| {
        copy_blocks(&src[xo..], dst, outer, inn, n, 0, total, start, n, false)
    }))
}

#[track_caller]
pub(crate) fn concat<'t, T: Float>(xs: &[Var<'t, T>], axis: isize) -> Result<Var<'t, T>> {
    let Some(&first) = xs.first() else {
        return Err(Error::InvalidArgument { op: "concat", msg: "no tensors to concatenate".into() });
    };
    let (_, d0) = x_info(first);
    let ax = check_axis("concat", first, &d0, axis)?;
    let mut total = 0;
    let mut parts = Vec::with_capacity(xs.len());
    for &x in xs {
        first.try_same_tape(x, "concat")?;
        let (xo, d) = x_info(x);
        let fits = d.len() == d0.len() && (0..d.len()).all(|i| i == ax || d[i] == d0[i]);
        if !fits {
            return Err(Error::ShapeMismatch {
                op: "concat",
                lhs: d0.clone(),
                rhs: d,
                lhs_node: first.node(),
                rhs_node: x.node(),
            });
        }
        parts.push((xo, d[ax]));
        total = usize::checked_add(total, d[ax]).ok_or_else(|| Error::InvalidArgument {
            op: "concat",
            msg: format!("the lengths along axis {ax} add up to more than fit in memory ({})", x.node()),
        })?;
    }
    let mut out = d0.clone();
    out[ax] = total;
    check_size("concat", first, &out)?;
    let (outer, _, inn) = split_axis(&d0, ax);
    let mut ints = vec![ax, xs.len()];
    ints.extend(xs.iter().map(|x| x.id() as usize));
    Ok(record(Op::Concat, first, &out, &ints, |src, dst| {
        let mut at = 0;
        for &(xo, n) in &parts {
            copy_blocks(&src[xo..], dst, outer, inn, n, 0, total, at, n, false);
            at += n;
        }
    }))
}

#[track_caller]
pub(crate) fn index_select<'t, T: Float>(x: Var<'t, T>, idx: &[usize]) -> Result<Var<'t, T>> {
    let (xo, dims) = x_info(x);
    if dims.is_empty() || idx.iter().any(|&i| i >= dims[0]) {
        return Err(Error::InvalidArgument {
            op: "index_select",
            msg: format!(
                "row indices {:?} out of range for shape {dims:?} ({})",
                idx.iter().filter(|&&i| dims.is_empty() || i >= dims[0]).take(5).collect::<Vec<_>>(),
                x.node()
            ),
        });
    }
    let row = numel(&dims[1..]);
    let mut out = dims.clone();
    out[0] = idx.len();
    check_size("index_select", x, &out)?;
    Ok(record_parts(Op::IndexSelect, x, &out, [&[idx.len()], idx], |src, dst| {
        if row == 1 {
            // Single elements (a gather of a flattened tensor, as the convolutions' im2col):
            // a plain loop instead of a one-element copy call per index.
            let src = &src[xo..xo + dims[0]];
            for (d, &i) in dst.iter_mut().zip(idx) {
                *d = src[i];
            }
        } else {
            for (r, &i) in idx.iter().enumerate() {
                dst[r * row..(r + 1) * row].copy_from_slice(&src[xo + i * row..xo + (i + 1) * row]);
            }
        }
    }))
}

#[track_caller]
pub(crate) fn scatter_rows<'t, T: Float>(x: Var<'t, T>, idx: &[usize], rows: usize) -> Result<Var<'t, T>> {
    let (xo, dims) = x_info(x);
    let bad = |msg: String| Err(Error::InvalidArgument { op: "scatter_rows", msg });
    if dims.is_empty() || dims[0] != idx.len() {
        let has = dims.first().map_or("no rows (a scalar)".to_string(), |r| format!("{r} rows"));
        return bad(format!("{} indices for {dims:?} ({}), which has {has}", idx.len(), x.node()));
    }
    if let Some(i) = idx.iter().position(|&i| i >= rows) {
        return bad(format!(
            "index {} at position {i} is out of range for {rows} rows (scattering {dims:?} ({}))",
            idx[i],
            x.node()
        ));
    }
    let row = numel(&dims[1..]);
    let mut out = dims.clone();
    out[0] = rows;
    check_size("scatter_rows", x, &out)?;
    Ok(record_parts(Op::ScatterRows, x, &out, [&[idx.len()], idx], |src, dst| {
        for (r, &i) in idx.iter().enumerate() {
            for j in 0..row {
                dst[i * row + j] += src[xo + r * row + j];
            }
        }
    }))
}

/// Numeric VJPs of the layout ops.
pub(crate) fn vjp<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    let o = n.adj();
    let out = &inner.shapes[n.shape as usize];
    // Reshape and slice overwrite their input's adjoint on its first contribution (the
    // slice zeroes only the part outside its range); the other ops zero it, then add.
    let set = match n.op {
        Op::Concat => false,
        Op::Reshape | Op::Slice => match flow(inner, n.a, reached) {
            Flow::No => return,
            f => f == Flow::Set,
        },
        _ => {
            if !flows(inner, n.a, adj, reached) {
                return;
            }
            false
        }
    };
    let (lo, hi) = adj.split_at_mut(o);
    let g = &hi[..out.numel];
    if n.op == Op::Concat {
        let ax = inner.ints[n.aux as usize];
        let count = inner.ints[n.aux as usize + 1];
        let (outer, total, inn) = split_axis(&out.dims, ax);
        let mut at = 0;
        for k in 0..count {
            let p = inner.ints[n.aux as usize + 2 + k] as u32;
            let pn = inner.nodes[p as usize];
            let len = inner.shapes[pn.shape as usize].dims[ax];
            if flows(inner, p, lo, reached) {
                let po = pn.adj();
                copy_blocks(g, &mut lo[po..], outer, inn, total, at, len, 0, len, true);
            }
            at += len;
        }
        return;
    }
    let xn = inner.nodes[n.a as usize];
    let xs = &inner.shapes[xn.shape as usize];
    let xo = xn.adj();
    let ax = &mut lo[xo..xo + xs.numel];
    let ints = &inner.ints[(n.aux as usize).min(inner.ints.len())..];
    match n.op {
        Op::BroadcastTo => crate::ops::reduce::sum_into(g, &out.dims, ax, &xs.dims),
        Op::Reshape if set => ax.iter_mut().zip(g).for_each(|(a, g)| put::<T, true>(a, *g)),
        Op::Reshape => ax.iter_mut().zip(g).for_each(|(a, g)| *a += *g),
        Op::Permute => {
            let ps = permuted_strides(&xs.dims, &ints[..xs.dims.len()]);
            for_each_strided(&out.dims, &ps, |oi, xi| ax[xi] += g[oi]);
        }
        Op::Slice => {
            let (k, start) = (ints[0], ints[1]);
            let (outer, len_x, inn) = split_axis(&xs.dims, k);
            let len = out.dims[k];
            if set && len * inn == 0 {
                ax.fill(T::ZERO);
            } else if set {
                for (row, gr) in ax.chunks_exact_mut(len_x * inn).zip(g.chunks_exact(len * inn)) {
                    let (before, rest) = row.split_at_mut(start * inn);
                    let (mid, after) = rest.split_at_mut(len * inn);
                    before.fill(T::ZERO);
                    after.fill(T::ZERO);
                    mid.iter_mut().zip(gr).for_each(|(a, g)| put::<T, true>(a, *g));
                }
            } else {
                copy_blocks(g, ax, outer, inn, len, 0, len_x, start, len, true);
            }
        }
        Op::Pad => {
            let (k, start) = (ints[0], ints[1]);
            let (outer, len_x, inn) = split_axis(&xs.dims, k);
            let total = out.dims[k];
            copy_blocks(g, ax, outer, inn, total, start, len_x, 0, len_x, true);
        }
        Op::IndexSelect => {
            let idx = &ints[1..1 + ints[0]];
            let row = numel(&xs.dims[1..]);
            if row == 1 {
                let ax = &mut ax[..xs.dims[0]];
                for (&gi, &i) in g.iter().zip(idx) {
                    ax[i] += gi;
                }
            } else {
                for (r, &i) in idx.iter().enumerate() {
                    for j in 0..row {
                        ax[i * row + j] += g[r * row + j];
                    }
                }
            }
        }
        Op::ScatterRows => {
            let idx = &ints[1..1 + ints[0]];
            let row = numel(&xs.dims[1..]);
            for (r, &i) in idx.iter().enumerate() {
                for j in 0..row {
                    ax[r * row + j] += g[i * row + j];
                }
            }
        }
        _ => unreachable!("tape bug: {:?} is not a layout op", n.op),
    }
}

/// VJPs of the layout ops in tape ops.
pub(crate) fn vjp_graph<'t, T: Float>(
    y: Var<'t, T>,
    n: Node,
    g: Var<'t, T>,
) -> SmallVec<[(u32, Var<'t, T>); 2]> {
    let ints: Vec<usize> = {
        let inner = y.tape.inner.borrow();
        let a = (n.aux as usize).min(inner.ints.len());
        let take = match n.op {
            Op::Concat => 2 + inner.ints[a + 1],
            Op::IndexSelect | Op::ScatterRows => 1 + inner.ints[a],
            Op::Permute => inner.dims(n.a).len(),
            Op::Slice | Op::Pad => 2,
            _ => 0,
        };
        inner.ints[a..a + take].to_vec()
    };
    let x = Var::new(y.tape, n.a);
    let xs = x.shape();
    let r = match n.op {
        Op::BroadcastTo => g.sum_to(&xs),
        Op::Reshape => g.reshape(&xs),
        Op::Permute => {
            let mut inv = vec![0; ints.len()];
            for (i, &p) in ints.iter().enumerate() {
                inv[p] = i;
            }
            g.permute(&inv)
        }
        Op::Slice => g.pad(ints[0] as isize, ints[1], xs[ints[0]]),
        Op::Pad => g.slice(ints[0] as isize, ints[1], xs[ints[0]]),
        Op::IndexSelect => g.scatter_rows(&ints[1..], xs[0]),
        Op::ScatterRows => g.index_select(&ints[1..]),
        Op::Concat => {
            let ax = ints[0];
            let mut at = 0;
            let mut out = SmallVec::new();
            for &p in &ints[2..] {
                let len = Var::new(y.tape, p as u32).shape()[ax];
                out.push((p as u32, g.slice(ax as isize, at, len)));
                at += len;
            }
            return out;
        }
        _ => return SmallVec::new(),
    };
    smallvec![(n.a, r)]
}
