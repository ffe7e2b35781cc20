//! The reverse sweep: [`Var::backward`] (numeric) and [`Var::backward_graph`] (recorded on
//! the tape, so gradients can be differentiated again).
//!
//! Push order is already a topological order, so the sweep is one loop over the nodes from
//! the output down, with no recursion (a chain of a million ops needs no stack) and no
//! visited set. A node contributes only if the output reached it; contributions are added
//! (`+=`), so a variable used many times gets the sum of its uses.

use std::ops::Index;

use crate::error::{Error, Result};
use crate::float::Float;
use crate::ops;
use crate::tensor::Tensor;
use crate::var::{ok, Var};

/// Gradients from one reverse sweep: the adjoint of every node, laid out like the tape's
/// values. Index with a [`Var`] of the same tape: `grads[x]` is a slice in x's row-major
/// order, `grads.wrt(x)` a [`Tensor`] of x's shape.
///
/// Each call to `backward` computes fresh gradients: nothing accumulates across calls.
/// Variables that the output does not depend on get zeros.
#[derive(Clone, Debug, Default)]
pub struct Grads<T: Float = f64> {
    adj: Vec<T>,
    reached: Vec<bool>,
    /// Zeros, read for nodes that take no gradient (their adjoint slots are not kept).
    zeros: Vec<T>,
    tape_id: u64,
    generation: u64,
    nodes: usize,
    /// The sweep ran on a dense tape: every node's adjoint sits at its index.
    dense: bool,
}

impl<T: Float> Grads<T> {
    /// An empty buffer, for [`Var::backward_into`].
    pub fn new() -> Self {
        Grads {
            adj: Vec::new(),
            reached: Vec::new(),
            zeros: Vec::new(),
            tape_id: 0,
            generation: 0,
            nodes: 0,
            dense: false,
        }
    }

    #[inline]
    fn check(&self, x: Var<'_, T>) -> std::result::Result<(), String> {
        if x.tape.id != self.tape_id || x.tape.generation.get() != self.generation {
            return Err(mismatch(x));
        }
        if x.id() as usize >= self.nodes {
            return Err(late(x));
        }
        Ok(())
    }

    /// The gradient of `x` as a slice, or `None` if `x` is from another tape or was
    /// recorded after the output.
    pub fn get(&self, x: Var<'_, T>) -> Option<&[T]> {
        self.check(x).ok()?;
        Some(self.slice(x))
    }

    /// The gradient of `x` for changing in place (clipping or scaling it before an
    /// optimizer step, say), or `None` if `x` is from another tape or was recorded after
    /// the output, or takes no gradient (a constant: its gradient reads as zeros and is
    /// not stored).
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let tape = Tape::<f64>::new();
    /// let (x, c) = (tape.var_from(&[2], &[1.0, 2.0]), tape.constant_from(&[2], &[3.0, 4.0]));
    /// let mut g = (x * c).sum().backward();
    /// g.get_mut(x).unwrap().iter_mut().for_each(|v| *v *= 0.5);
    /// assert_eq!(g[x], [1.5, 2.0]);
    /// assert!(g.get_mut(c).is_none());
    /// ```
    pub fn get_mut(&mut self, x: Var<'_, T>) -> Option<&mut [T]> {
        self.check(x).ok()?;
        let inner = x.tape.inner.borrow();
        if !inner.nodes[x.id() as usize].grad {
            return None;
        }
        Some(&mut self.adj[inner.adj_range(x.id())])
    }

    /// The adjoint of a checked `x`: its slot, or zeros if it takes no gradient.
    fn slice(&self, x: Var<'_, T>) -> &[T] {
        let inner = x.tape.inner.borrow();
        self.of_leaf(inner.nodes[x.id() as usize].grad, inner.adj_range(x.id()))
    }

    /// The gradient of `x` as a tensor of x's shape.
    ///
    /// # Panics
    /// If `x` is from another tape or step, or was recorded after the output.
    #[track_caller]
    pub fn wrt(&self, x: Var<'_, T>) -> Tensor<T> {
        if let Err(e) = self.check(x) {
            panic!("{e}");
        }
        Tensor::new(&x.shape(), self.slice(x).to_vec()).expect("tape bug: grad shape")
    }

    /// The gradient of a scalar `x`.
    ///
    /// # Panics
    /// As [`Grads::wrt`], or if `x` has more than one element.
    #[track_caller]
    #[inline]
    pub fn scalar(&self, x: Var<'_, T>) -> T {
        if self.dense && x.known_scalar() && self.check(x).is_ok() {
            // A dense sweep keeps node i's adjoint at index i; the handle knows its flag.
            return if x.flags() & crate::var::GRAD != 0 { self.adj[x.id() as usize] } else { T::ZERO };
        }
        self.scalar_slow(x)
    }

    /// The gradients of scalars `xs`, in order.
    ///
    /// # Panics
    /// As [`Grads::scalar`].
    #[track_caller]
    pub fn scalars(&self, xs: &[Var<'_, T>]) -> Vec<T> {
        let mut out = vec![T::ZERO; xs.len()];
        self.scalars_into(xs, &mut out);
        out
    }

    /// Writes the gradients of scalars `xs` into `out`, in order (a training loop's
    /// buffer, reused across steps).
    ///
    /// # Panics
    /// As [`Grads::scalar`], or if `out` and `xs` differ in length.
    #[track_caller]
    pub fn scalars_into(&self, xs: &[Var<'_, T>], out: &mut [T]) {
        assert_eq!(xs.len(), out.len(), "grads.scalars_into: {} handles, {} outputs", xs.len(), out.len());
        let Some(&x0) = xs.first() else { return };
        // One tape and step check for all handles: the others need only the same tape.
        if self.dense && self.check(x0).is_ok() {
            for (o, &x) in out.iter_mut().zip(xs) {
                *o = if std::ptr::eq(x.tape, x0.tape) && x.known_scalar() && (x.id() as usize) < self.nodes {
                    if x.flags() & crate::var::GRAD != 0 {
                        self.adj[x.id() as usize]
                    } else {
                        T::ZERO
                    }
                } else {
                    self.scalar_slow(x)
                };
            }
        } else {
            for (o, &x) in out.iter_mut().zip(xs) {
                *o = self.scalar(x);
            }
        }
    }

    #[track_caller]
    #[inline(never)]
    fn scalar_slow(&self, x: Var<'_, T>) -> T {
        if let Err(e) = self.check(x) {
            panic!("{e}");
        }
        let g = self.slice(x);
        assert!(g.len() == 1, "grads.scalar: {} has {} elements", x.node(), g.len());
        g[0]
    }

    /// True if these gradients come from the latest sweep on tape `tape_id` at `generation`.
    pub(crate) fn computed_on(&self, tape_id: u64, generation: u64) -> bool {
        self.tape_id == tape_id && self.generation == generation
    }

    /// True if node `id` was recorded no later than the output.
    pub(crate) fn covers(&self, id: u32) -> bool {
        (id as usize) < self.nodes
    }

    /// The adjoint slot `r` of a covered node, or zeros if it takes no gradient.
    pub(crate) fn of_leaf(&self, grad: bool, r: std::ops::Range<usize>) -> &[T] {
        if grad {
            &self.adj[r]
        } else {
            &self.zeros[..r.len()]
        }
    }

    /// True if the output depends on `x` through differentiable ops.
    pub fn reached(&self, x: Var<'_, T>) -> bool {
        self.check(x).is_ok()
            && self.reached[x.id() as usize]
            && x.tape.inner.borrow().nodes[x.id() as usize].grad
    }
}

#[cold]
#[inline(never)]
fn mismatch<T: Float>(x: Var<'_, T>) -> String {
    format!("grads: {} is not from the tape (or the tape step) these gradients were computed on", x.node())
}

#[cold]
#[inline(never)]
fn late<T: Float>(x: Var<'_, T>) -> String {
    format!("grads: {} was recorded after the output these gradients were computed from", x.node())
}

impl<'t, T: Float> Index<Var<'t, T>> for Grads<T> {
    type Output = [T];
    #[track_caller]
    fn index(&self, x: Var<'t, T>) -> &[T] {
        if let Err(e) = self.check(x) {
            panic!("{e}");
        }
        self.slice(x)
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Gradients of this scalar with respect to every node of the tape.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let t = Tape::new();
    /// let x = t.scalar(3.0);
    /// let y = x * x; // x used twice: contributions add up
    /// assert_eq!(y.backward().scalar(x), 6.0);
    /// ```
    ///
    /// # Panics
    /// If this variable is not a scalar; see [`Var::try_backward`].
    #[track_caller]
    pub fn backward(self) -> Grads<T> {
        ok(self.try_backward())
    }

    /// Fallible [`Var::backward`]: [`Error::NotScalar`] for a non-scalar output.
    pub fn try_backward(self) -> Result<Grads<T>> {
        let mut g = Grads::new();
        self.try_backward_into(&mut g)?;
        Ok(g)
    }

    /// Like [`Var::backward`], reusing the buffers of `grads` (no allocation once they
    /// are large enough: the steady state of a training loop).
    #[track_caller]
    pub fn backward_into(self, grads: &mut Grads<T>) {
        ok(self.try_backward_into(grads))
    }

    /// Fallible [`Var::backward_into`].
    pub fn try_backward_into(self, grads: &mut Grads<T>) -> Result<()> {
        let n = self.len();
        if !self.shape().is_empty() && n != 1 {
            return Err(Error::NotScalar { op: "backward", shape: self.shape(), node: self.node() });
        }
        sweep(self, None, grads)
    }

    /// Vector-Jacobian product: the gradients of ⟨seed, self⟩, for an output of any shape.
    #[track_caller]
    pub fn backward_with_seed(self, seed: &Tensor<T>) -> Grads<T> {
        ok(self.try_backward_with_seed(seed))
    }

    /// Fallible [`Var::backward_with_seed`]: the seed must have the output's shape.
    pub fn try_backward_with_seed(self, seed: &Tensor<T>) -> Result<Grads<T>> {
        let shape = self.shape();
        if seed.shape() != shape.as_slice() {
            return Err(Error::InvalidArgument {
                op: "backward_with_seed",
                msg: format!(
                    "seed of shape {:?} for output {} of shape {shape:?}; they must match",
                    seed.shape(),
                    self.node()
                ),
            });
        }
        let mut g = Grads::new();
        sweep(self, Some(seed.data()), &mut g)?;
        Ok(g)
    }
}

/// The numeric sweep from `out` with seed 1 (or `seed`).
///
/// The adjoint buffer is not cleared: a node's adjoint is zeroed when the sweep first
/// reaches it, so large constants (a data set on the tape) cost nothing. Afterwards the
/// unreached differentiable nodes are zeroed, and nodes that take no gradient read as zeros
/// from a shared zero buffer.
fn sweep<T: Float>(out: Var<'_, T>, seed: Option<&[T]>, g: &mut Grads<T>) -> Result<()> {
    let anomaly = out.tape.anomaly_mode();
    if anomaly {
        if let Some(a) = out.tape.anomaly().filter(|a| a.node.0 <= out.id()) {
            return Err(Error::NonFinite(Box::new(a)));
        }
    }
    let inner = out.tape.inner.borrow();
    let o = out.id() as usize;
    let r = inner.adj_range(out.id());
    g.tape_id = out.tape.id;
    g.generation = out.tape.generation.get();
    g.nodes = o + 1;
    g.dense = false;
    if g.adj.len() < r.end {
        g.adj.resize(r.end, T::ZERO);
    }
    g.reached.clear();
    g.reached.resize(o + 1, false);
    match seed {
        Some(s) => g.adj[r.clone()].copy_from_slice(s),
        None => g.adj[r.clone()].iter_mut().for_each(|a| *a = T::ONE),
    }
    g.reached[o] = inner.nodes[o].grad;
    if inner.dense && !anomaly && r.len() == 1 {
        ops::sweep_dense(&inner, o, &mut g.adj, &mut g.reached)?;
        g.dense = true;
        if g.zeros.is_empty() {
            g.zeros.push(T::ZERO);
        }
        return Ok(());
    }
    let mut zeros_needed = 0;
    for i in (0..=o).rev() {
        if g.reached[i] {
            if !ops::vjp_scalar(&inner, i as u32, &mut g.adj, &mut g.reached) {
                ops::vjp_numeric(&inner, i as u32, &mut g.adj, &mut g.reached)?;
            }
            if anomaly {
                if let Some(a) = crate::anomaly::check_reverse(&inner, i as u32, &g.adj) {
                    return Err(Error::NonFinite(Box::new(a)));
                }
            }
        } else {
            let n = inner.nodes[i];
            let len = inner.shapes[n.shape as usize].numel;
            if n.grad {
                g.adj[n.adj()..n.adj() + len].fill(T::ZERO);
            } else {
                zeros_needed = zeros_needed.max(len);
            }
        }
    }
    if g.zeros.len() < zeros_needed {
        g.zeros.resize(zeros_needed, T::ZERO);
    }
    Ok(())
}

/// Gradients as variables on the tape, from [`Var::backward_graph`]: each is itself a
/// node that can be differentiated again.
pub struct GradVars<'t, T: Float = f64> {
    tape: &'t crate::Tape<T>,
    /// Per node, the node holding its adjoint (if the output depends on it).
    pub(crate) adj: Vec<Option<u32>>,
}

impl<'t, T: Float> GradVars<'t, T> {
    /// The gradient of `x` as a variable, or `None` if the output does not depend on `x`
    /// (or `x` is from another tape).
    pub fn get(&self, x: Var<'t, T>) -> Option<Var<'t, T>> {
        if !std::ptr::eq(x.tape, self.tape) {
            return None;
        }
        self.adj.get(x.id() as usize).copied().flatten().map(|id| Var::new(self.tape, id))
    }

    /// The gradient of `x` as a variable (a constant zero tensor if the output does not
    /// depend on `x`).
    #[track_caller]
    pub fn wrt(&self, x: Var<'t, T>) -> Var<'t, T> {
        assert!(std::ptr::eq(x.tape, self.tape), "grads: {} is from another tape", x.node());
        self.get(x).unwrap_or_else(|| self.tape.constant(&Tensor::zeros(&x.shape())))
    }
}

impl<'t, T: Float> Var<'t, T> {
    /// Gradients recorded as tape ops (PyTorch's `create_graph=True`): the results are
    /// variables, so they can be differentiated again for Hessians, Hessian-vector products
    /// and gradient penalties.
    ///
    /// ```
    /// use wengert_tape::Tape;
    /// let t = Tape::new();
    /// let x = t.scalar(2.0);
    /// let y = x * x * x;                // y = x³
    /// let dy = y.backward_graph().wrt(x); // 3x² = 12, as a node on the tape
    /// let d2y = dy.backward().scalar(x);  // 6x = 12
    /// assert_eq!((dy.item(), d2y), (12.0, 12.0));
    /// ```
    ///
    /// # Panics
    /// If this variable is not a scalar, or a custom op on the path has no `vjp_graph`;
    /// see [`Var::try_backward_graph`].
    #[track_caller]
    pub fn backward_graph(self) -> GradVars<'t, T> {
        ok(self.try_backward_graph())
    }

    /// Recorded vector-Jacobian product with a seed variable of this variable's shape
    /// (the seed may itself depend on variables).
    ///
    /// # Panics
    /// As [`Var::try_backward_graph_with_seed`] fails.
    #[track_caller]
    pub fn backward_graph_with_seed(self, seed: Var<'t, T>) -> GradVars<'t, T> {
        ok(self.try_backward_graph_with_seed(seed))
    }

    /// Fallible [`Var::backward_graph`]: [`Error::NotScalar`] for a non-scalar output, and
    /// an error naming a custom op that has no (or a malformed) `vjp_graph`.
    pub fn try_backward_graph(self) -> Result<GradVars<'t, T>> {
        if self.len() != 1 {
            return Err(Error::NotScalar { op: "backward_graph", shape: self.shape(), node: self.node() });
        }
        let seed = self.tape.constant(&Tensor::ones(&self.shape()));
        self.try_backward_graph_with_seed(seed)
    }

    /// Fallible [`Var::backward_graph_with_seed`]: the seed must be on this tape and have
    /// this variable's shape.
    pub fn try_backward_graph_with_seed(self, seed: Var<'t, T>) -> Result<GradVars<'t, T>> {
        self.try_same_tape(seed, "backward_graph")?;
        if seed.shape() != self.shape() {
            return Err(Error::InvalidArgument {
                op: "backward_graph",
                msg: format!(
                    "seed {} of shape {:?} for output {} of shape {:?}; they must match",
                    seed.node(),
                    seed.shape(),
                    self.node(),
                    self.shape()
                ),
            });
        }
        let tape = self.tape;
        let o = self.id() as usize;
        let mut adj: Vec<Option<u32>> = vec![None; o + 1];
        if self.requires_grad() {
            adj[o] = Some(seed.id());
        }
        for i in (0..=o).rev() {
            let Some(g) = adj[i] else { continue };
            let node = tape.inner.borrow().node(i as u32);
            if !node.grad {
                continue;
            }
            for (p, contrib) in ops::vjp_graph(Var::new(tape, i as u32), Var::new(tape, g))? {
                if !tape.inner.borrow().node(p).grad {
                    continue;
                }
                let slot = &mut adj[p as usize];
                *slot = Some(match *slot {
                    None => contrib.id(),
                    Some(prev) => (Var::new(tape, prev) + contrib).id(),
                });
            }
        }
        Ok(GradVars { tape, adj })
    }
}
