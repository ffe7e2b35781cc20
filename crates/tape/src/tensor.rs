//! [`Tensor`]: an owned, row-major, contiguous n-d array. The values you put on a tape and
//! get back from it.

use std::fmt;

use crate::error::{Error, Result};
use crate::float::Float;
use crate::shape::{numel, Shape};

/// An owned n-d array, row-major and contiguous. A scalar has shape `[]`.
///
/// ```
/// use wengert_tape::Tensor;
/// let t = Tensor::new(&[2, 3], vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0]).unwrap();
/// assert_eq!(t.shape(), &[2, 3]);
/// assert_eq!(t.at(&[1, 0]), 4.0);
/// ```
#[derive(Clone, PartialEq)]
pub struct Tensor<T = f64> {
    shape: Shape,
    data: Vec<T>,
}

/// Why [`Tensor::try_alloc`] has no room for a tensor of some shape.
#[derive(Debug)]
pub(crate) enum NoRoom {
    /// Its element count overflows `usize`, or its bytes exceed `isize::MAX`.
    TooMany,
    /// The allocator refused this many elements.
    Refused(usize),
}

impl<T: Float> Tensor<T> {
    /// A tensor of `shape` holding `data` in row-major order.
    pub fn new(shape: &[usize], data: Vec<T>) -> Result<Self> {
        let expected = numel(shape);
        if data.len() != expected {
            return Err(Error::ElementCount {
                op: "Tensor::new",
                shape: shape.into(),
                expected,
                got: data.len(),
            });
        }
        Ok(Tensor { shape: shape.into(), data })
    }

    /// A scalar (shape `[]`).
    pub fn scalar(x: T) -> Self {
        Tensor { shape: Shape::new(), data: vec![x] }
    }

    /// A 1-d tensor.
    pub fn from_vec(data: Vec<T>) -> Self {
        Tensor { shape: smallvec::smallvec![data.len()], data }
    }

    /// An empty vector with room for a tensor of `shape`, and that tensor's element count.
    ///
    /// # Panics
    /// If the count overflows `usize` or its bytes exceed `isize::MAX`, or if the
    /// allocator cannot provide the memory (where `Vec`'s own allocation would abort the
    /// process), naming `op` and the shape.
    #[track_caller]
    fn alloc(op: &str, shape: &[usize]) -> (Vec<T>, usize) {
        match Self::try_alloc(shape) {
            Ok(room) => room,
            Err(NoRoom::TooMany) => {
                panic!("{op}: a tensor of shape {shape:?} has more elements than fit in memory")
            }
            Err(NoRoom::Refused(n)) => {
                let bytes = n * std::mem::size_of::<T>();
                panic!("{op}: cannot allocate {bytes} bytes for a tensor of shape {shape:?}");
            }
        }
    }

    /// [`Tensor::alloc`] without the panic: why there is no room, for callers that return
    /// an error instead.
    pub(crate) fn try_alloc(shape: &[usize]) -> std::result::Result<(Vec<T>, usize), NoRoom> {
        let n = crate::shape::numel_in_memory::<T>(shape).ok_or(NoRoom::TooMany)?;
        let mut v = Vec::new();
        v.try_reserve_exact(n).map_err(|_| NoRoom::Refused(n))?;
        Ok((v, n))
    }

    /// A tensor of `shape` filled with `value`, allocated by `op` ([`Tensor::alloc`]).
    #[track_caller]
    fn filled(op: &str, shape: &[usize], value: T) -> Self {
        let (mut data, n) = Self::alloc(op, shape);
        data.resize(n, value);
        Tensor { shape: shape.into(), data }
    }

    /// A tensor of `shape` filled with `value`.
    ///
    /// # Panics
    /// If the shape has more elements than fit in memory (its product overflows), or the
    /// memory cannot be allocated.
    #[track_caller]
    pub fn full(shape: &[usize], value: T) -> Self {
        Self::filled("Tensor::full", shape, value)
    }

    /// A tensor of zeros.
    ///
    /// # Panics
    /// As [`Tensor::full`].
    #[track_caller]
    pub fn zeros(shape: &[usize]) -> Self {
        Self::filled("Tensor::zeros", shape, T::ZERO)
    }

    /// A tensor of ones.
    ///
    /// # Panics
    /// As [`Tensor::full`].
    #[track_caller]
    pub fn ones(shape: &[usize]) -> Self {
        Self::filled("Tensor::ones", shape, T::ONE)
    }

    /// A tensor whose element at flat (row-major) index `i` is `f(i)`.
    ///
    /// # Panics
    /// As [`Tensor::full`].
    #[track_caller]
    pub fn from_fn(shape: &[usize], f: impl FnMut(usize) -> T) -> Self {
        let (mut data, n) = Self::alloc("Tensor::from_fn", shape);
        data.extend((0..n).map(f));
        Tensor { shape: shape.into(), data }
    }

    /// The shape.
    pub fn shape(&self) -> &[usize] {
        &self.shape
    }

    /// Number of dimensions.
    pub fn rank(&self) -> usize {
        self.shape.len()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.data.len()
    }

    /// True for a tensor with no elements.
    pub fn is_empty(&self) -> bool {
        self.data.is_empty()
    }

    /// The elements in row-major order.
    pub fn data(&self) -> &[T] {
        &self.data
    }

    /// The elements, mutably.
    pub fn data_mut(&mut self) -> &mut [T] {
        &mut self.data
    }

    /// Takes the elements out.
    pub fn into_data(self) -> Vec<T> {
        self.data
    }

    /// The only element of a one-element tensor.
    ///
    /// # Panics
    /// If the tensor does not have exactly one element.
    #[track_caller]
    pub fn item(&self) -> T {
        assert!(
            self.data.len() == 1,
            "item: tensor of shape {:?} has {} elements, not 1",
            self.shape,
            self.data.len()
        );
        self.data[0]
    }

    /// The element at a multi-index.
    ///
    /// # Panics
    /// If the index has the wrong rank or is out of range.
    #[track_caller]
    pub fn at(&self, index: &[usize]) -> T {
        self.data[self.flat_index(index)]
    }

    /// Flat (row-major) position of a multi-index.
    #[track_caller]
    pub fn flat_index(&self, index: &[usize]) -> usize {
        assert!(
            index.len() == self.shape.len() && index.iter().zip(&self.shape).all(|(i, d)| i < d),
            "index {index:?} is out of range for shape {:?}",
            self.shape
        );
        index.iter().zip(&self.shape).fold(0, |acc, (i, d)| acc * d + i)
    }

    /// The same data with another shape of the same element count.
    pub fn reshape(self, shape: &[usize]) -> Result<Self> {
        Tensor::new(shape, self.data)
    }

    /// Converts the element type (f64 ↔ f32).
    pub fn cast<U: Float>(&self) -> Tensor<U> {
        Tensor {
            shape: self.shape.clone(),
            data: self.data.iter().map(|x| U::from_f64(x.to_f64())).collect(),
        }
    }

    /// Element-wise map into a new tensor.
    pub fn map(&self, f: impl Fn(T) -> T) -> Self {
        Tensor { shape: self.shape.clone(), data: self.data.iter().map(|&x| f(x)).collect() }
    }

    /// Index of the largest element along `axis` (negative counts from the end), for each
    /// position of the other axes, in row-major order of the shape without `axis`: the
    /// predicted class of each row of logits. As numpy's `argmax`, the first of tied
    /// maxima wins and a NaN counts as the largest (the first NaN wins). Not
    /// differentiable, so it is a method of tensors, not of variables: take a variable's
    /// [`crate::Var::value`].
    ///
    /// ```
    /// use wengert_tape::Tensor;
    /// let logits = Tensor::new(&[2, 3], vec![0.1, 2.0, -1.0, 5.0, 5.0, 0.0]).unwrap();
    /// assert_eq!(logits.argmax(1).unwrap(), [1, 0]); // row 1: a tie, the first wins
    /// assert_eq!(logits.argmax(0).unwrap(), [1, 1, 1]);
    /// assert_eq!(logits.argmin(-1).unwrap(), [2, 2]);
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an axis out of range or of length 0.
    pub fn argmax(&self, axis: isize) -> Result<Vec<usize>> {
        self.arg_best("argmax", axis, |v, best| v > best || (v.is_nan() && !best.is_nan()))
    }

    /// Index of the smallest element along `axis`: [`Tensor::argmax`] with the order
    /// reversed (ties and NaN alike).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for an axis out of range or of length 0.
    pub fn argmin(&self, axis: isize) -> Result<Vec<usize>> {
        self.arg_best("argmin", axis, |v, best| v < best || (v.is_nan() && !best.is_nan()))
    }

    /// The index along `axis` of the element that `better` prefers to every earlier one.
    fn arg_best(&self, op: &'static str, axis: isize, better: impl Fn(T, T) -> bool) -> Result<Vec<usize>> {
        let shape = &self.shape;
        let bad = |msg: String| Error::InvalidArgument { op, msg };
        let Some(ax) = crate::shape::resolve_axis(axis, shape.len()) else {
            return Err(bad(format!(
                "axis {axis} is out of range for shape {shape:?} of rank {}",
                shape.len()
            )));
        };
        let (outer, len, inner) = crate::ops::reduce::split_axis(shape, ax);
        if len == 0 {
            return Err(bad(format!("{op} over axis {ax} of {shape:?}, which is empty")));
        }
        let mut out = Vec::with_capacity(outer * inner);
        for o in 0..outer {
            for j in 0..inner {
                let at = |k: usize| self.data[(o * len + k) * inner + j];
                let mut best = 0;
                for k in 1..len {
                    if better(at(k), at(best)) {
                        best = k;
                    }
                }
                out.push(best);
            }
        }
        Ok(out)
    }
}

impl<T: Float> From<T> for Tensor<T> {
    fn from(x: T) -> Self {
        Tensor::scalar(x)
    }
}

impl<T: Float> From<Vec<T>> for Tensor<T> {
    fn from(v: Vec<T>) -> Self {
        Tensor::from_vec(v)
    }
}

impl<T: Float, const N: usize> From<[T; N]> for Tensor<T> {
    fn from(v: [T; N]) -> Self {
        Tensor::from_vec(v.to_vec())
    }
}

impl<T: Float, const R: usize, const C: usize> From<[[T; C]; R]> for Tensor<T> {
    fn from(v: [[T; C]; R]) -> Self {
        Tensor { shape: smallvec::smallvec![R, C], data: v.iter().flatten().copied().collect() }
    }
}

/// Writes up to `max` elements of `data` as `[a, b, …, z]` with full precision.
pub(crate) fn fmt_preview<T: Float>(f: &mut impl fmt::Write, data: &[T], max: usize) -> fmt::Result {
    write!(f, "[")?;
    if data.len() <= max {
        for (i, x) in data.iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{x}")?;
        }
    } else {
        for (i, x) in data[..max - 1].iter().enumerate() {
            if i > 0 {
                write!(f, ", ")?;
            }
            write!(f, "{x}")?;
        }
        write!(f, ", …, {}", data[data.len() - 1])?;
    }
    write!(f, "]")
}

impl<T: Float> fmt::Debug for Tensor<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Tensor{:?} ", self.shape)?;
        fmt_preview(f, &self.data, 8)
    }
}

impl<T: Float> fmt::Display for Tensor<T> {
    /// A scalar prints as its number; a tensor as its shape and all its elements, rows on lines.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.shape.is_empty() {
            return write!(f, "{}", self.data[0]);
        }
        write!(f, "{:?} ", self.shape)?;
        let last = *self.shape.last().unwrap_or(&1);
        if self.shape.len() == 1 || last == 0 {
            return fmt_preview(f, &self.data, usize::MAX);
        }
        writeln!(f, "[")?;
        for row in self.data.chunks(last) {
            write!(f, "  ")?;
            fmt_preview(f, row, usize::MAX)?;
            writeln!(f)?;
        }
        write!(f, "]")
    }
}
