//! Shapes: row-major, contiguous, numpy broadcasting.

use smallvec::SmallVec;

/// The dimensions of a tensor, outermost first. A scalar has shape `[]`.
///
/// Up to four dimensions are stored inline (no heap allocation).
pub type Shape = SmallVec<[usize; 4]>;

/// Number of elements of a shape (1 for a scalar); `usize::MAX` if the product
/// overflows, a count no tensor has, so comparing it with a real count fails.
#[inline]
pub fn numel(shape: &[usize]) -> usize {
    checked_numel(shape).unwrap_or(usize::MAX)
}

/// The multi-index of row-major flat index `flat` in `shape`, as errors and reports show an
/// element.
///
/// ```
/// assert_eq!(wengert_tape::shape::unravel(5, &[2, 3]), [1, 2]);
/// ```
pub fn unravel(mut flat: usize, shape: &[usize]) -> Vec<usize> {
    let mut idx = vec![0; shape.len()];
    for d in (0..shape.len()).rev() {
        if shape[d] > 0 {
            idx[d] = flat % shape[d];
            flat /= shape[d];
        }
    }
    idx
}

/// Number of elements of a shape, or `None` if the product overflows `usize`. A shape with a
/// zero dimension has no elements whatever its other dimensions, in any order
/// (`[usize::MAX, 2, 0]` as `[usize::MAX, 0, 2]`).
#[inline]
pub(crate) fn checked_numel(shape: &[usize]) -> Option<usize> {
    if shape.contains(&0) {
        return Some(0);
    }
    shape.iter().try_fold(1usize, |acc, &d| acc.checked_mul(d))
}

/// The element count of `shape` if a tensor of `T` of that shape can exist: the count fits
/// a `usize` and its bytes an allocation (at most `isize::MAX`).
pub(crate) fn numel_in_memory<T>(shape: &[usize]) -> Option<usize> {
    checked_numel(shape).filter(|&n| n <= isize::MAX as usize / std::mem::size_of::<T>())
}

/// Row-major strides of a contiguous tensor of this shape. Strides that do not fit a
/// `usize` saturate: only an empty tensor has them (`[0, n, 2]` with n > `usize::MAX / 2`),
/// and no element of it is ever addressed.
pub fn strides(shape: &[usize]) -> Shape {
    let mut s: Shape = smallvec::smallvec![0; shape.len()];
    let mut acc: usize = 1;
    for i in (0..shape.len()).rev() {
        s[i] = acc;
        acc = acc.saturating_mul(shape[i]);
    }
    s
}

/// The numpy broadcast of two shapes, or `None` when they are incompatible.
///
/// Shapes are aligned on their last dimension; a dimension of 1 stretches to match.
///
/// ```
/// use wengert_tape::shape::broadcast_shapes;
/// assert_eq!(broadcast_shapes(&[3, 1], &[1, 4]).unwrap().as_slice(), &[3, 4]);
/// assert_eq!(broadcast_shapes(&[4], &[2, 3, 4]).unwrap().as_slice(), &[2, 3, 4]);
/// assert!(broadcast_shapes(&[2, 3], &[4]).is_none());
/// ```
pub fn broadcast_shapes(a: &[usize], b: &[usize]) -> Option<Shape> {
    let rank = a.len().max(b.len());
    let mut out: Shape = smallvec::smallvec![0; rank];
    for i in 0..rank {
        let da = if i < rank - a.len() { 1 } else { a[i - (rank - a.len())] };
        let db = if i < rank - b.len() { 1 } else { b[i - (rank - b.len())] };
        out[i] = if da == db || db == 1 {
            da
        } else if da == 1 {
            db
        } else {
            return None;
        };
    }
    Some(out)
}

/// True when `from` can be broadcast to `to` (numpy rules, `from` on the right).
pub fn can_broadcast_to(from: &[usize], to: &[usize]) -> bool {
    from.len() <= to.len() && from.iter().rev().zip(to.iter().rev()).all(|(&f, &t)| f == t || f == 1)
}

/// Formats a shape as `[2, 3]`.
pub fn fmt_shape(shape: &[usize]) -> String {
    format!("{shape:?}")
}

/// Resolves a possibly negative axis (`-1` is the last) against a rank.
pub(crate) fn resolve_axis(axis: isize, rank: usize) -> Option<usize> {
    let r = rank as isize;
    let a = if axis < 0 { axis + r } else { axis };
    (0..r).contains(&a).then_some(a as usize)
}

/// For each element of a tensor of shape `to`, the flat index of the element of a
/// tensor of shape `from` that broadcasting maps onto it. Calls `f(out_index, in_index)`.
pub(crate) fn for_each_broadcast(from: &[usize], to: &[usize], mut f: impl FnMut(usize, usize)) {
    let n = numel(to);
    if from.len() == to.len() && from == to {
        (0..n).for_each(|i| f(i, i));
        return;
    }
    if numel(from) == 1 {
        (0..n).for_each(|i| f(i, 0));
        return;
    }
    let rank = to.len();
    let pad = rank - from.len();
    // Stride of each output axis in the input (0 where the input is broadcast).
    let in_strides_raw = strides(from);
    let mut in_strides: Shape = smallvec::smallvec![0; rank];
    for i in 0..from.len() {
        in_strides[pad + i] = if from[i] == 1 { 0 } else { in_strides_raw[i] };
    }
    // Fast path: the inner dimension is contiguous or broadcast; iterate rows.
    let inner = to[rank - 1];
    let inner_stride = in_strides[rank - 1];
    let mut idx: Shape = smallvec::smallvec![0; rank];
    let mut out = 0;
    while out < n {
        let base: usize = (0..rank - 1).map(|d| idx[d] * in_strides[d]).sum();
        for j in 0..inner {
            f(out + j, base + j * inner_stride);
        }
        out += inner;
        // Increment the multi-index over the outer dimensions.
        let mut d = rank - 1;
        while d > 0 {
            d -= 1;
            idx[d] += 1;
            if idx[d] < to[d] {
                break;
            }
            idx[d] = 0;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn broadcast_index_map() {
        let mut seen = vec![];
        for_each_broadcast(&[3, 1], &[3, 4], |o, i| seen.push((o, i)));
        assert_eq!(seen.len(), 12);
        assert_eq!(seen[5], (5, 1));
        let mut seen = vec![];
        for_each_broadcast(&[4], &[2, 3, 4], |o, i| seen.push((o, i)));
        assert_eq!(seen[13], (13, 1));
        assert_eq!(resolve_axis(-1, 3), Some(2));
        assert_eq!(resolve_axis(3, 3), None);
        assert!(can_broadcast_to(&[], &[2, 3]));
        assert!(!can_broadcast_to(&[2], &[2, 3]));
    }
}
