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
//! | unfold(win) | [N, C, H, W] → windows [N, C·kh·kw, OH·OW] (im2col), padding filled | fold(ȳ, (H, W), win) |
//! | fold((H, W), win) | [N, C·kh·kw, OH·OW] → [N, C, H, W], overlaps summed (col2im) | unfold(ȳ, win), zero fill |

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
    if matches!(op, Op::Pad | Op::ScatterRows | Op::Fold) {
        dst.fill(T::ZERO); // they write only part of the output (fold adds into it)
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
        Op::Reshape | Op::Slice | Op::Fold => match flow(inner, n.a, reached) {
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
        // col2im: each column's adjoint adds into the input element it read; the padding
        // positions read none.
        Op::Unfold => {
            let win = Window2d::from_ints(ints);
            let sw = win.stride[1];
            Geom::new(win, &xs.dims).walk(|col, len, at| {
                if let Some(at) = at {
                    scatter_run(ax, &g[col..col + len], at, sw)
                }
            });
        }
        // im2col of the adjoint: every column takes the adjoint of the element it adds to,
        // the padding positions 0.
        Op::Fold => {
            let win = Window2d::from_ints(ints);
            let sw = win.stride[1];
            let geo = Geom::new(win, &out.dims);
            if set {
                geo.walk(|col, len, at| match at {
                    Some(at) => {
                        for (k, a) in ax[col..col + len].iter_mut().enumerate() {
                            put::<T, true>(a, g[at + k * sw]);
                        }
                    }
                    None => ax[col..col + len].fill(T::ZERO),
                });
            } else {
                geo.walk(|col, len, at| {
                    if let Some(at) = at {
                        for (k, a) in ax[col..col + len].iter_mut().enumerate() {
                            *a += g[at + k * sw];
                        }
                    }
                });
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
            Op::Unfold | Op::Fold => WINDOW_INTS,
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
        // Both are linear, each the other's transpose; the fill does not matter (the
        // padding positions do not depend on the input).
        Op::Unfold => g.fold2d([xs[2], xs[3]], Window2d::from_ints(&ints).fill(PadFill::Zero)),
        Op::Fold => g.unfold2d(Window2d::from_ints(&ints).fill(PadFill::Zero)),
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

// ---- sliding windows: unfold (im2col) and fold (col2im) ----

/// What a window reads where it reaches into the padding: [`Var::unfold2d`]'s fill.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum PadFill {
    /// Zeros (PyTorch's `unfold`, a convolution's and an average pool's padding).
    #[default]
    Zero,
    /// −∞ (a max pool's padding, which never wins a maximum).
    NegInfinity,
}

/// A sliding window over the last two axes of `[N, C, H, W]`, for [`Var::unfold2d`] and
/// [`Var::fold2d`]: the kernel size, stride, padding (added on both sides) and dilation (the
/// spacing of the kernel's taps), each per axis as (height, width), and the fill of the
/// padding. As PyTorch's `unfold`/`fold`, the output length along an axis of input length
/// n is ⌊(n + 2·padding − dilation·(kernel − 1) − 1) / stride⌋ + 1
/// ([`Window2d::output_size`]).
///
/// ```
/// use wengert_tape::{PadFill, Window2d};
///
/// let w = Window2d::new([3, 3]).stride([2, 2]).padding([1, 1]).fill(PadFill::NegInfinity);
/// assert_eq!(w.output_size([5, 6]), Some([3, 3]));
/// assert_eq!(Window2d::new([3, 3]).output_size([2, 6]), None); // the kernel does not fit
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Window2d {
    /// Kernel size (kh, kw); each at least 1.
    pub kernel: [usize; 2],
    /// Step between windows per axis; each at least 1.
    pub stride: [usize; 2],
    /// Padding added on both sides of each axis.
    pub padding: [usize; 2],
    /// Spacing of the kernel's taps per axis (1: adjacent); each at least 1.
    pub dilation: [usize; 2],
    /// What the padding reads as in [`Var::unfold2d`] ([`Var::fold2d`] drops the padding
    /// positions, so it does not use it).
    pub fill: PadFill,
}

impl Window2d {
    /// A `kernel` window with stride 1, no padding, dilation 1 and zero fill.
    pub fn new(kernel: [usize; 2]) -> Self {
        Window2d { kernel, stride: [1, 1], padding: [0, 0], dilation: [1, 1], fill: PadFill::Zero }
    }

    /// Sets the stride.
    pub fn stride(mut self, stride: [usize; 2]) -> Self {
        self.stride = stride;
        self
    }

    /// Sets the padding, added on both sides of each axis.
    pub fn padding(mut self, padding: [usize; 2]) -> Self {
        self.padding = padding;
        self
    }

    /// Sets the dilation.
    pub fn dilation(mut self, dilation: [usize; 2]) -> Self {
        self.dilation = dilation;
        self
    }

    /// Sets the fill of the padding.
    pub fn fill(mut self, fill: PadFill) -> Self {
        self.fill = fill;
        self
    }

    /// The output size (OH, OW) for an input of spatial size `size` (H, W), or `None` if
    /// the kernel, stride or dilation has a 0, if the dilated kernel does not fit in the
    /// padded input, or if the sizes overflow.
    pub fn output_size(&self, size: [usize; 2]) -> Option<[usize; 2]> {
        let axis = |a: usize| {
            if self.kernel[a] == 0 || self.stride[a] == 0 || self.dilation[a] == 0 {
                return None;
            }
            let padded = self.padding[a].checked_mul(2)?.checked_add(size[a])?;
            let span = self.span(a)?;
            (padded >= span).then(|| (padded - span) / self.stride[a] + 1)
        };
        Some([axis(0)?, axis(1)?])
    }

    /// The span of the dilated kernel along axis `a`, dilation·(kernel − 1) + 1.
    fn span(&self, a: usize) -> Option<usize> {
        self.dilation[a].checked_mul(self.kernel[a].checked_sub(1)?)?.checked_add(1)
    }

    /// The window as the op's integers: kernel, stride, padding, dilation (each (h, w)),
    /// and the fill (0 zero, 1 −∞).
    fn ints(&self) -> [usize; WINDOW_INTS] {
        let [k, s, p, d] = [self.kernel, self.stride, self.padding, self.dilation];
        [k[0], k[1], s[0], s[1], p[0], p[1], d[0], d[1], (self.fill == PadFill::NegInfinity) as usize]
    }

    /// The window of an op's integers ([`Window2d::ints`]).
    pub(crate) fn from_ints(i: &[usize]) -> Self {
        Window2d {
            kernel: [i[0], i[1]],
            stride: [i[2], i[3]],
            padding: [i[4], i[5]],
            dilation: [i[6], i[7]],
            fill: if i[8] == 1 { PadFill::NegInfinity } else { PadFill::Zero },
        }
    }

    /// `(h, w)` as the window's sizes print.
    fn describe(&self) -> String {
        let [k, s, p, d] = [self.kernel, self.stride, self.padding, self.dilation];
        format!("kernel {k:?}, stride {s:?}, padding {p:?}, dilation {d:?}")
    }
}

/// How many integers an unfold or fold node has: its [`Window2d`].
pub(crate) const WINDOW_INTS: usize = 9;

/// The sizes an unfold walks: `planes` = N·C images of h × w, windows kh × kw placed at
/// oh × ow positions.
struct Geom {
    planes: usize,
    h: usize,
    w: usize,
    oh: usize,
    ow: usize,
    win: Window2d,
}

impl Geom {
    /// The geometry of `win` on images `[N, C, H, W]` (`image`), whose output size fits.
    fn new(win: Window2d, image: &[usize]) -> Self {
        let [oh, ow] = win.output_size([image[2], image[3]]).expect("tape bug: unfold window does not fit");
        Geom { planes: image[0] * image[1], h: image[2], w: image[3], oh, ow, win }
    }

    /// Walks the columns `[N·C, kh, kw, OH, OW]` (row-major, the output of an unfold) in
    /// runs along OW, in order: `f(col, len, None)` for `len` columns from `col` in the
    /// padding, `f(col, len, Some(x))` for `len` columns from `col` that read the images
    /// (flattened) at `x`, `x + sw`, `x + 2·sw`, ...
    #[inline(always)]
    fn walk(&self, mut f: impl FnMut(usize, usize, Option<usize>)) {
        let Window2d { kernel: [kh, kw], stride: [sh, sw], padding: [ph, pw], dilation: [dh, dw], .. } =
            self.win;
        let (h, w, ow) = (self.h, self.w, self.ow);
        // Per kernel column kj: the output columns lo..hi whose input column
        // j·sw + kj·dw − pw lies in 0..w, and the input column of lo.
        let spans: Vec<(usize, usize, usize)> = (0..kw)
            .map(|kj| {
                let off = kj * dw;
                let lo = if off >= pw { 0 } else { (pw - off).div_ceil(sw) }.min(ow);
                let hi = if w + pw > off { (w + pw - off).div_ceil(sw) } else { 0 }.clamp(lo, ow);
                (lo, hi, (lo * sw + off).saturating_sub(pw))
            })
            .collect();
        let mut col = 0;
        for plane in 0..self.planes {
            let base = plane * h * w;
            for ki in 0..kh {
                for &(lo, hi, q) in &spans {
                    for i in 0..self.oh {
                        let r = (i * sh + ki * dh).checked_sub(ph).filter(|&r| r < h);
                        match r {
                            Some(r) if lo < hi => {
                                if lo > 0 {
                                    f(col, lo, None);
                                }
                                f(col + lo, hi - lo, Some(base + r * w + q));
                                if hi < ow {
                                    f(col + hi, ow - hi, None);
                                }
                            }
                            _ => f(col, ow, None),
                        }
                        col += ow;
                    }
                }
            }
        }
    }
}

/// `dst[k] = src[x + k·stride]` for k in 0..dst.len().
#[inline(always)]
fn gather_run<T: Float>(dst: &mut [T], src: &[T], x: usize, stride: usize) {
    if stride == 1 {
        dst.copy_from_slice(&src[x..x + dst.len()]);
    } else {
        for (k, d) in dst.iter_mut().enumerate() {
            *d = src[x + k * stride];
        }
    }
}

/// `dst[x + k·stride] += src[k]` for k in 0..src.len().
#[inline(always)]
fn scatter_run<T: Float>(dst: &mut [T], src: &[T], x: usize, stride: usize) {
    if stride == 1 {
        dst[x..x + src.len()].iter_mut().zip(src).for_each(|(d, s)| *d += *s);
    } else {
        for (k, s) in src.iter().enumerate() {
            dst[x + k * stride] += *s;
        }
    }
}

/// An error unless `win` has a positive kernel, stride and dilation.
fn check_window(op: &'static str, win: &Window2d) -> Result<()> {
    for (what, v) in [("kernel size", win.kernel), ("stride", win.stride), ("dilation", win.dilation)] {
        if v.contains(&0) {
            return Err(Error::InvalidArgument { op, msg: format!("{what} must be positive, got {v:?}") });
        }
    }
    Ok(())
}

/// The output size of `win` on images of `size`, or an error describing the images as
/// `what` (their shape and node).
fn check_fits(
    op: &'static str,
    win: &Window2d,
    size: [usize; 2],
    what: impl Fn() -> String,
) -> Result<[usize; 2]> {
    win.output_size(size).ok_or_else(|| {
        let padded = |a: usize| size[a].saturating_add(win.padding[a].saturating_mul(2));
        let span = |a: usize| win.span(a).map_or("more than fit in memory".into(), |s| s.to_string());
        Error::InvalidArgument {
            op,
            msg: format!(
                "{} padded by {:?} is {} × {} per channel, smaller than the kernel {:?} (dilation {:?}: it spans \
                 {} × {})",
                what(),
                win.padding,
                padded(0),
                padded(1),
                win.kernel,
                win.dilation,
                span(0),
                span(1)
            ),
        }
    })
}

#[track_caller]
pub(crate) fn unfold2d<'t, T: Float>(x: Var<'t, T>, win: Window2d) -> Result<Var<'t, T>> {
    const OP: &str = "unfold2d";
    let (xo, dims) = x_info(x);
    check_window(OP, &win)?;
    if dims.len() != 4 {
        return Err(Error::InvalidArgument {
            op: OP,
            msg: format!(
                "expected a 4-d input [N, C, H, W], got {}-d input {dims:?} ({})",
                dims.len(),
                x.node()
            ),
        });
    }
    let [oh, ow] = check_fits(OP, &win, [dims[2], dims[3]], || format!("input {dims:?} ({})", x.node()))?;
    let rows = [dims[1], win.kernel[0], win.kernel[1]].iter().try_fold(1usize, |a, &b| a.checked_mul(b));
    let cols = oh.checked_mul(ow);
    let (Some(rows), Some(cols)) = (rows, cols) else {
        return Err(Error::InvalidArgument {
            op: OP,
            msg: format!(
                "the windows of input {dims:?} ({}), {}, have more elements than fit in memory",
                x.node(),
                win.describe()
            ),
        });
    };
    let out = [dims[0], rows, cols];
    check_size(OP, x, &out)?;
    let geo = Geom::new(win, &dims);
    let fill = match win.fill {
        PadFill::Zero => T::ZERO,
        PadFill::NegInfinity => T::from_f64(f64::NEG_INFINITY),
    };
    let sw = win.stride[1];
    Ok(record(Op::Unfold, x, &out, &win.ints(), |src, dst| {
        let src = &src[xo..xo + numel(&dims)];
        geo.walk(|col, len, at| match at {
            Some(at) => gather_run(&mut dst[col..col + len], src, at, sw),
            None => dst[col..col + len].fill(fill),
        })
    }))
}

#[track_caller]
pub(crate) fn fold2d<'t, T: Float>(x: Var<'t, T>, size: [usize; 2], win: Window2d) -> Result<Var<'t, T>> {
    const OP: &str = "fold2d";
    let (xo, dims) = x_info(x);
    check_window(OP, &win)?;
    if dims.len() != 3 {
        return Err(Error::InvalidArgument {
            op: OP,
            msg: format!(
                "expected a 3-d input [N, C·kh·kw, L], got {}-d input {dims:?} ({})",
                dims.len(),
                x.node()
            ),
        });
    }
    let [oh, ow] =
        check_fits(OP, &win, size, || format!("output size {size:?} (of {dims:?} ({}))", x.node()))?;
    let kk = win.kernel[0].checked_mul(win.kernel[1]).filter(|&kk| dims[1] % kk == 0);
    let Some(kk) = kk else {
        return Err(Error::InvalidArgument {
            op: OP,
            msg: format!(
                "input {dims:?} ({}) has {} rows (dimension 1), not a multiple of kh·kw for the kernel {:?}",
                x.node(),
                dims[1],
                win.kernel
            ),
        });
    };
    if oh.checked_mul(ow) != Some(dims[2]) {
        return Err(Error::InvalidArgument {
            op: OP,
            msg: format!(
                "input {dims:?} ({}) has {} columns (dimension 2), but {} on output size {size:?} places the \
                 window at {oh} × {ow} positions",
                x.node(),
                dims[2],
                win.describe()
            ),
        });
    }
    let out = [dims[0], dims[1] / kk, size[0], size[1]];
    check_size(OP, x, &out)?;
    let win = win.fill(PadFill::Zero);
    let geo = Geom::new(win, &out);
    let sw = win.stride[1];
    Ok(record(Op::Fold, x, &out, &win.ints(), |src, dst| {
        let src = &src[xo..xo + numel(&dims)];
        geo.walk(|col, len, at| {
            if let Some(at) = at {
                scatter_run(dst, &src[col..col + len], at, sw)
            }
        })
    }))
}
