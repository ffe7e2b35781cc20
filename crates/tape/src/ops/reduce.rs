//! Reductions.
//!
//! | op | y | x̄ += |
//! |---|---|---|
//! | sum_to(s) | sum of x over the axes that broadcasting `s` to x's shape would stretch | broadcast_to(ȳ, shape x) |
//! | max_axis(k) | max over axis k, keeping it with size 1 (NaN if any element is) | ȳ·[x = y]/#ties along k (a tie splits evenly, total 1; NaN = NaN here) |
//!
//! `sum`, `sum_axis` and `mean` are `sum_to` plus a reshape (and a scale); `max` over all
//! elements is `max_axis` on the flattened tensor.

use smallvec::{smallvec, SmallVec};

use crate::error::{Error, Result};
use crate::float::Float;
use crate::ops::{check_size, flow, flows, put, Flow, Op};
use crate::shape::{can_broadcast_to, for_each_broadcast, numel, Shape};
use crate::tape::{Inner, Node};
use crate::var::Var;

/// Sums `x` (shape `from`) into `out` (shape `to`, broadcastable to `from`), adding.
///
/// Summation is pairwise (full and trailing-axis sums, and sums over leading or middle
/// axes, such as a bias gradient over a batch or a mean over a sequence, pairwise over the
/// reduced rows), so the rounding error grows like log n rather than n — it matters in f32
/// over large batches; sums over several separate runs of axes go one run at a time.
pub(crate) fn sum_into<T: Float>(x: &[T], from: &[usize], out: &mut [T], to: &[usize]) {
    if numel(to) == 1 {
        out[0] += pairwise(x);
        return;
    }
    // Align `to` with `from` on the right, padding with 1s.
    let pad = from.len() - to.len();
    let t = |i: usize| if i < pad { 1 } else { to[i - pad] };
    // Leading axes reduced, the rest kept: column sums over `rows` rows.
    if let Some(k) =
        (0..=from.len()).find(|&k| (0..k).all(|i| t(i) == 1) && (k..from.len()).all(|i| t(i) == from[i]))
    {
        let (rows, cols) = (numel(&from[..k]), numel(&from[k..]));
        column_sums(x, rows, cols, out);
        return;
    }
    // Trailing axes reduced, the rest kept: a pairwise sum per row.
    if let Some(k) =
        (0..=from.len()).find(|&k| (0..k).all(|i| t(i) == from[i]) && (k..from.len()).all(|i| t(i) == 1))
    {
        let inner = numel(&from[k..]);
        for (o, row) in out.iter_mut().zip(x.chunks_exact(inner.max(1))) {
            *o += pairwise(row);
        }
        return;
    }
    // Middle axes reduced, those before and after kept (`sum_axis(1)` of [b, n, f]): column
    // sums over the reduced rows for each index of the leading axes.
    let kept = |i: usize| t(i) == from[i];
    if let (Some(k1), Some(k2)) =
        ((0..from.len()).position(|i| !kept(i)), (0..from.len()).rposition(|i| !kept(i)))
    {
        if (k1..=k2).all(|i| t(i) == 1) {
            let (rows, cols) = (numel(&from[k1..=k2]), numel(&from[k2 + 1..]));
            if x.is_empty() {
                // Nothing to add (and no need to walk the kept axes, however long; the
                // counts of an empty shape may saturate).
                return;
            }
            column_sums(x, rows, cols, out);
            return;
        }
    }
    // Several separate runs of reduced axes ([n, c, h, w] to [1, c, 1, 1]): the last run
    // first, into a buffer of the shape with that run kept at size 1, then the rest from
    // there, so that every run is summed pairwise. The buffer is this thread's scratch,
    // taken out while in use (a nested call, for three or more runs, finds it empty and
    // makes its own), and put back when it is the larger.
    if let Some(k2) = (0..from.len()).rposition(|i| !kept(i)) {
        if x.is_empty() {
            return;
        }
        let mut k1 = k2;
        while k1 > 0 && !kept(k1 - 1) && t(k1 - 1) == 1 {
            k1 -= 1;
        }
        let mut mid: Shape = from.into();
        mid[k1..=k2].fill(1);
        let mut partial = T::scratch().with(|c| std::mem::take(&mut *c.borrow_mut()));
        partial.clear();
        partial.resize(numel(&mid), T::ZERO);
        sum_into(x, from, &mut partial, &mid);
        sum_into(&partial, &mid, out, to);
        T::scratch().with(|c| {
            let mut kept = c.borrow_mut();
            if kept.capacity() < partial.capacity() {
                *kept = partial;
            }
        });
        return;
    }
    for_each_broadcast(to, from, |xi, oi| out[oi] += x[xi]);
}

/// Pairwise sum, numpy's: fewer than 8 elements are added in order from zero; up to 128
/// are summed with eight accumulators (started from the first eight elements, each taking
/// every eighth element) combined as a balanced tree, then the last `len mod 8` added in
/// order; longer slices split in two at half the length rounded down to a multiple of 8.
/// Contiguous sums therefore agree with `numpy.sum` bit for bit (its float64 and float32
/// loops add in exactly this order, from 0), and the rounding error grows like log n.
///
/// The blocks' sums are chains of dependent additions, so where both halves are blocks
/// they are summed side by side ([`blocks`]): the same additions, two chains in flight.
pub(crate) fn pairwise<T: Float>(x: &[T]) -> T {
    let n = x.len();
    if n < 8 {
        return x.iter().fold(T::ZERO, |s, &v| s + v);
    }
    if n <= BLOCK {
        return blocks([x])[0];
    }
    let (lo, hi) = x.split_at(split(n));
    if hi.len() <= BLOCK {
        let [a, b] = blocks([lo, hi]);
        return a + b;
    }
    pairwise(lo) + pairwise(hi)
}

/// The longest slice [`pairwise`] sums as one block.
const BLOCK: usize = 128;

/// Where [`pairwise`] (and [`column_sums`], over rows) splits `n` > [`BLOCK`] elements:
/// half of them rounded down to a multiple of 8, numpy's split.
fn split(n: usize) -> usize {
    n / 2 - (n / 2) % 8
}

/// The sums of `K` blocks of 8 to [`BLOCK`] elements, interleaved: each block's eight
/// accumulators start from its first chunk of eight and take its further chunks in order,
/// then combine as a balanced tree, then its last `len mod 8` elements are added in order.
#[inline(always)]
fn blocks<T: Float, const K: usize>(parts: [&[T]; K]) -> [T; K] {
    let split = parts.map(|p| p.as_chunks::<8>());
    let mut acc: [[T; 8]; K] = std::array::from_fn(|k| split[k].0[0]);
    let common = split.iter().map(|(c, _)| c.len()).min().unwrap_or(0);
    let heads: [&[[T; 8]]; K] = std::array::from_fn(|k| &split[k].0[..common]);
    // Indexed by chunk, then block: the blocks' chains advance together.
    #[allow(clippy::needless_range_loop)]
    for c in 1..common {
        for k in 0..K {
            let v = heads[k][c];
            for j in 0..8 {
                acc[k][j] += v[j];
            }
        }
    }
    std::array::from_fn(|k| {
        let (chunks, rest) = split[k];
        let a = &mut acc[k];
        for v in &chunks[common..] {
            for j in 0..8 {
                a[j] += v[j];
            }
        }
        let mut s = ((a[0] + a[1]) + (a[2] + a[3])) + ((a[4] + a[5]) + (a[6] + a[7]));
        for &v in rest {
            s += v;
        }
        s
    })
}

/// `out[j] += Σ_r x[r, j]`, pairwise over the rows as [`pairwise`] is over elements:
/// up to [`BLOCK`] rows are summed eight at a time as a balanced tree, the trees added in
/// order; more are split in two at half the rows rounded down to a multiple of 8, and the
/// halves' sums added. The rounding error grows like log n, not n/8 (f32 column sums of a
/// million rows were 4e-6 off relative, now as close as a full sum's).
///
/// `x` may hold several such `[rows, cols]` blocks one after another (the leading, kept
/// axes of a sum over middle axes); block k is summed into `out[k·cols..(k + 1)·cols]`,
/// all with one scratch buffer.
fn column_sums<T: Float>(x: &[T], rows: usize, cols: usize, out: &mut [T]) {
    if cols == 0 || rows == 0 {
        // No columns, however many rows (`[n, 0]` summed over axis 0, n up to usize::MAX),
        // or no rows: nothing to add.
        return;
    }
    let blocks = x.chunks_exact(rows * cols).zip(out.chunks_exact_mut(cols));
    if rows <= BLOCK {
        return blocks.for_each(|(x, out)| column_block(x, rows, cols, 0, out));
    }
    // The columns a few hundred at a time, so that the halves' partial sums (one buffer of
    // `TILE` per level, about log₂(rows/BLOCK) levels) stay small whatever the width.
    const TILE: usize = 256;
    // The levels of halving: the upper half (the larger) of each split, down to a block.
    let (mut levels, mut r) = (0, rows);
    while r > BLOCK {
        r -= split(r);
        levels += 1;
    }
    // On the stack up to 16 levels (8 million rows): a training step's bias gradients
    // allocate nothing (tests/allocations.rs); beyond, on the heap.
    const STACK: usize = TILE * 16;
    let need = TILE.min(cols) * levels;
    let (mut stack, mut heap) = ([T::ZERO; STACK], Vec::new());
    let scratch: &mut [T] = if need <= STACK {
        &mut stack[..need]
    } else {
        heap.resize(need, T::ZERO);
        &mut heap
    };
    for (x, out) in blocks {
        let mut c = 0;
        while c < cols {
            let w = TILE.min(cols - c);
            column_halves(x, rows, cols, c, w, &mut out[c..c + w], scratch);
            c += w;
        }
    }
}

/// `out[j] += Σ_r x[r, c + j]` for `j < w` over `rows` rows of stride `cols`, pairwise:
/// the lower half into `out`, the upper into the first `w` of `scratch` (the rest is the
/// scratch of the levels below), then added.
fn column_halves<T: Float>(
    x: &[T],
    rows: usize,
    cols: usize,
    c: usize,
    w: usize,
    out: &mut [T],
    scratch: &mut [T],
) {
    if rows <= BLOCK {
        return column_block(x, rows, cols, c, out);
    }
    let half = split(rows);
    let (hi, rest) = scratch.split_at_mut(w);
    column_halves(&x[..half * cols], half, cols, c, w, out, rest);
    hi.fill(T::ZERO);
    column_halves(&x[half * cols..], rows - half, cols, c, w, hi, rest);
    for (o, h) in out.iter_mut().zip(hi.iter()) {
        *o += *h;
    }
}

/// `out[j] += Σ_r x[r, c + j]` for `j < out.len()` over at most [`BLOCK`] rows of stride
/// `cols`: eight rows at a time as a balanced tree, the trees (and the last `rows mod 8`
/// rows) added in order.
fn column_block<T: Float>(x: &[T], rows: usize, cols: usize, c: usize, out: &mut [T]) {
    let w = out.len();
    let mut r = 0;
    while r + 8 <= rows {
        let b: [&[T]; 8] = std::array::from_fn(|i| &x[(r + i) * cols + c..][..w]);
        for j in 0..w {
            out[j] +=
                ((b[0][j] + b[1][j]) + (b[2][j] + b[3][j])) + ((b[4][j] + b[5][j]) + (b[6][j] + b[7][j]));
        }
        r += 8;
    }
    for i in r..rows {
        for (o, v) in out.iter_mut().zip(&x[i * cols + c..][..w]) {
            *o += *v;
        }
    }
}

/// Records `sum_to`; errors name `op`, the method that asked for the sum.
#[track_caller]
pub(crate) fn sum_to<'t, T: Float>(op: &'static str, x: Var<'t, T>, to: &[usize]) -> Result<Var<'t, T>> {
    let tape = x.tape;
    let mut inner = tape.inner.borrow_mut();
    let xn = inner.node(x.id());
    let from: Shape = inner.shape_of(x.id());
    if !can_broadcast_to(to, &from) {
        return Err(Error::InvalidArgument {
            op,
            msg: format!(
                "cannot sum {from:?} ({}) down to {to:?}: {to:?} does not broadcast to {from:?}",
                x.node()
            ),
        });
    }
    // Only an empty `x` can be summed to more elements than it has ([0, n] to [1, n]).
    check_size(op, x, to)?;
    let s = inner.intern_shape(to);
    let off = inner.values.len();
    let len = numel(to);
    let (src, dst) = inner.values.grow(len);
    dst.fill(T::ZERO); // sum_into accumulates
    let xo = xn.val();
    sum_into(&src[xo..xo + numel(&from)], &from, dst, to);
    let id = inner.push(Op::SumTo, xn.grad, x.id(), 0, off, s, 0);
    drop(inner);
    tape.note_location(id);
    Ok(Var::new(tape, id))
}

/// Numeric VJP of `sum_to`: broadcast ȳ back.
pub(crate) fn sum_to_vjp<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    let flow = flow(inner, n.a, reached);
    if flow == Flow::No {
        return;
    }
    let xo = inner.nodes[n.a as usize].adj();
    let from = &inner.shapes[inner.nodes[n.a as usize].shape as usize];
    let o = n.adj();
    let (lo, hi) = adj.split_at_mut(o);
    let ax = &mut lo[xo..xo + from.numel];
    let to = &inner.shapes[n.shape as usize];
    if flow == Flow::Set {
        spread::<T, true>(&hi[..to.numel], &to.dims, ax, &from.dims);
    } else {
        spread::<T, false>(&hi[..to.numel], &to.dims, ax, &from.dims);
    }
}

/// `ax (+)= g` broadcast from shape `to` back to `from` (`SET`: first contribution, see
/// [`put`]). Every element of `ax` is visited once, so a first contribution can overwrite.
fn spread<T: Float, const SET: bool>(g: &[T], to: &[usize], ax: &mut [T], from: &[usize]) {
    if to.is_empty() {
        ax.iter_mut().for_each(|a| put::<T, SET>(a, g[0]));
    } else {
        for_each_broadcast(to, from, |xi, oi| put::<T, SET>(&mut ax[xi], g[oi]));
    }
}

/// (outer, len, inner) sizes around `axis`; `outer` is 0 when `inner` is.
pub(crate) fn split_axis(dims: &[usize], axis: usize) -> (usize, usize, usize) {
    let inner = numel(&dims[axis + 1..]);
    // No rows to loop over when each has no elements, however many there are ([n, 1, 0]
    // with n up to usize::MAX): loops over outer × inner then end at once, in every op
    // and backward rule that splits a shape around an axis.
    let outer = if inner == 0 { 0 } else { numel(&dims[..axis]) };
    (outer, dims[axis], inner)
}

/// Records `max_axis` (keeps the axis with size 1).
#[track_caller]
pub(crate) fn max_axis<'t, T: Float>(x: Var<'t, T>, axis: usize) -> Result<Var<'t, T>> {
    let tape = x.tape;
    let mut inner = tape.inner.borrow_mut();
    let xn = inner.node(x.id());
    let dims: Shape = inner.shape_of(x.id());
    let (outer, len, inn) = split_axis(&dims, axis);
    if len == 0 {
        return Err(Error::InvalidArgument {
            op: "max_axis",
            msg: format!("max over axis {axis} of {dims:?} ({}), which is empty", x.node()),
        });
    }
    let mut out_dims = dims.clone();
    out_dims[axis] = 1;
    let s = inner.intern_shape(&out_dims);
    let aux = inner.push_ints(&[axis]);
    let off = inner.values.len();
    let (src, dst) = inner.values.grow(outer * inn);
    let xv = &src[xn.val()..];
    for o in 0..outer {
        for j in 0..inn {
            let mut m = xv[o * len * inn + j];
            for k in 1..len {
                let v = xv[(o * len + k) * inn + j];
                if v > m || v.is_nan() {
                    m = v;
                }
                if m.is_nan() {
                    break;
                }
            }
            dst[o * inn + j] = m;
        }
    }
    let id = inner.push(Op::MaxAxis, xn.grad, x.id(), 0, off, s, aux);
    drop(inner);
    tape.note_location(id);
    Ok(Var::new(tape, id))
}

/// Numeric VJP of `max_axis`: ties split evenly.
pub(crate) fn max_axis_vjp<T: Float>(inner: &Inner<T>, n: Node, adj: &mut [T], reached: &mut [bool]) {
    if !flows(inner, n.a, adj, reached) {
        return;
    }
    let xn = inner.nodes[n.a as usize];
    let axis = inner.ints[n.aux as usize];
    let dims = &inner.shapes[xn.shape as usize].dims;
    let (outer, len, inn) = split_axis(dims, axis);
    let xv = &inner.values[xn.val()..][..outer * len * inn];
    let yv = &inner.values[n.val()..][..outer * inn];
    let (lo, hi) = adj.split_at_mut(n.adj());
    let g = &hi[..outer * inn];
    let ax = &mut lo[xn.adj()..][..outer * len * inn];
    for oo in 0..outer {
        for j in 0..inn {
            let y = yv[oo * inn + j];
            // A NaN maximum's ties are the NaN elements (as `eq_mask` counts them).
            let tie = |v: T| v == y || (v.is_nan() && y.is_nan());
            let ties = (0..len).filter(|&k| tie(xv[(oo * len + k) * inn + j])).count();
            if ties == 0 {
                continue;
            }
            let share = g[oo * inn + j] / T::from_usize(ties);
            for k in 0..len {
                let i = (oo * len + k) * inn + j;
                if tie(xv[i]) {
                    ax[i] += share;
                }
            }
        }
    }
}

/// VJPs of the reductions in tape ops.
pub(crate) fn vjp_graph<'t, T: Float>(
    y: Var<'t, T>,
    n: Node,
    g: Var<'t, T>,
) -> SmallVec<[(u32, Var<'t, T>); 2]> {
    let x = Var::new(y.tape, n.a);
    let xs = x.shape();
    match n.op {
        Op::SumTo => smallvec![(n.a, g.broadcast_to(&xs))],
        Op::MaxAxis => {
            let ys = y.shape();
            let ties = x.eq_mask(y.broadcast_to(&xs));
            let count = ties.sum_to(&ys).broadcast_to(&xs);
            smallvec![(n.a, g.broadcast_to(&xs) * ties / count)]
        }
        _ => SmallVec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::{column_sums, pairwise, sum_into};

    /// Sums over any axes (leading, trailing, middle, several runs, with `to` of lower
    /// rank) add every element into its place, as the plain broadcast loop does (exact:
    /// small integers), onto what `out` held.
    #[test]
    fn sums_over_any_axes_match_the_plain_loop() {
        let cases: [(&[usize], &[usize]); 9] = [
            (&[3, 300, 4], &[3, 1, 4]),
            (&[2, 3, 200, 5], &[2, 1, 1, 5]),
            (&[2, 3, 4], &[3, 1]),
            (&[2, 3, 4], &[1, 3, 1]),
            (&[4, 130, 3], &[1, 130, 1]),
            (&[0, 3, 2], &[0, 1, 2]),
            (&[2, 0, 2], &[2, 1, 2]),
            (&[5, 7], &[7]),
            (&[5, 7], &[5, 1]),
        ];
        for (from, to) in cases {
            let n: usize = from.iter().product();
            let m: usize = to.iter().product();
            let x: Vec<f64> = (0..n).map(|i| ((i * 31) % 17) as f64).collect();
            let start: Vec<f64> = (0..m).map(|j| j as f64).collect();
            let mut want = start.clone();
            crate::shape::for_each_broadcast(to, from, |xi, oi| want[oi] += x[xi]);
            let mut got = start;
            sum_into(&x, from, &mut got, to);
            assert_eq!(got, want, "{from:?} to {to:?}");
        }
    }

    /// Column sums of every element, at row counts around the block and split sizes and
    /// widths around the column tile, against plain sums (exact: small integers), added
    /// onto what `out` held.
    #[test]
    #[cfg_attr(miri, ignore = "minutes under Miri; the column sums hold no unsafe code")]
    fn column_sums_add_every_row_of_every_column() {
        for rows in [0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 257, 1000, 1031, 4100] {
            for cols in [1, 3, 256, 257, 600] {
                let x: Vec<f64> = (0..rows * cols).map(|i| ((i * 31) % 17) as f64).collect();
                let mut out: Vec<f64> = (0..cols).map(|j| j as f64).collect();
                column_sums(&x, rows, cols, &mut out);
                for (j, &o) in out.iter().enumerate() {
                    let want = j as f64 + (0..rows).map(|r| x[r * cols + j]).sum::<f64>();
                    assert_eq!(o, want, "rows {rows}, cols {cols}, column {j}");
                }
            }
        }
    }

    /// numpy's `pairwise_sum` (numpy/_core/src/umath/loops_utils.h.src), written plainly.
    fn reference(x: &[f64]) -> f64 {
        let n = x.len();
        if n < 8 {
            let mut s = 0.0;
            for &v in x {
                s += v;
            }
            s
        } else if n <= 128 {
            let mut r = [x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]];
            let mut i = 8;
            while i < n - n % 8 {
                for j in 0..8 {
                    r[j] += x[i + j];
                }
                i += 8;
            }
            let mut s = ((r[0] + r[1]) + (r[2] + r[3])) + ((r[4] + r[5]) + (r[6] + r[7]));
            while i < n {
                s += x[i];
                i += 1;
            }
            s
        } else {
            let n2 = n / 2 - (n / 2) % 8;
            reference(&x[..n2]) + reference(&x[n2..])
        }
    }

    /// Bit for bit the same additions as numpy's recursion, at every length up to a few
    /// thousand (every combination of block lengths the interleaving can meet), on values
    /// of mixed signs and magnitudes, so that any change of order changes the result.
    #[test]
    fn pairwise_adds_in_numpys_order() {
        let mut state = 0x9e37_79b9_7f4a_7c15_u64;
        let max = if cfg!(miri) { 300 } else { 3000 };
        let x: Vec<f64> = (0..max)
            .map(|_| {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                let u = (state >> 11) as f64 / (1u64 << 53) as f64;
                (u - 0.5) * 10f64.powi((state % 13) as i32 - 6)
            })
            .collect();
        let mut differs_from_sequential = 0;
        for n in 0..=max {
            let (got, want) = (pairwise(&x[..n]), reference(&x[..n]));
            assert_eq!(got.to_bits(), want.to_bits(), "length {n}: {got} vs {want}");
            differs_from_sequential += usize::from(got != x[..n].iter().sum::<f64>());
        }
        // The values are such that summation order shows in the result.
        assert!(differs_from_sequential > max / 2, "{differs_from_sequential}");
    }
}
