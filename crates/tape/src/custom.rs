//! User-defined ops: a forward and a hand-written backward (VJP) rule, recorded on the tape
//! like any built-in op.
//!
//! ```
//! use wengert_tape::{CustomOp, Result, Tape, Tensor, Var};
//!
//! /// y = x³ with a hand-written backward x̄ = 3x²·ȳ.
//! struct Cube;
//! impl CustomOp<f64> for Cube {
//!     fn name(&self) -> &str { "cube" }
//!     fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
//!         Ok(x[0].map(|v| v * v * v))
//!     }
//!     fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
//!         let d = Tensor::from_fn(x[0].shape(), |i| 3.0 * x[0].data()[i].powi(2) * g.data()[i]);
//!         vec![d]
//!     }
//! }
//!
//! let t = Tape::new();
//! let x = t.scalar(2.0);
//! let y = t.custom(std::rc::Rc::new(Cube), &[x]).unwrap();
//! assert_eq!(y.item(), 8.0);
//! assert_eq!(y.backward().scalar(x), 12.0);
//! ```

use std::rc::Rc;

use crate::error::{Error, Result};
use crate::float::Float;
use crate::ops::{flows, Op};
use crate::tape::Inner;
use crate::tensor::Tensor;
use crate::var::Var;

/// An op with a forward and a backward rule written by the user.
///
/// `vjp` receives the inputs, the output and the output's adjoint `ȳ`, and returns one
/// tensor per input, of that input's shape: `x̄ᵢ = ȳ·∂y/∂xᵢ` summed over y's elements.
/// Verify it with [`crate::gradcheck::check_custom_op`].
///
/// To make the op differentiable twice (for [`Var::backward_graph`]), also implement
/// `vjp_graph` with tape ops.
pub trait CustomOp<T: Float> {
    /// Name shown in the Wengert list and in errors.
    fn name(&self) -> &str;
    /// The output value. Return an error for inputs the op does not accept.
    fn forward(&self, inputs: &[&Tensor<T>]) -> Result<Tensor<T>>;
    /// The backward rule on values.
    fn vjp(&self, inputs: &[&Tensor<T>], output: &Tensor<T>, grad: &Tensor<T>) -> Vec<Tensor<T>>;
    /// The backward rule in tape ops, for higher-order derivatives. `None` (the default)
    /// means the op is differentiable once: a differentiable backward through it fails.
    fn vjp_graph<'t>(
        &self,
        inputs: &[Var<'t, T>],
        output: Var<'t, T>,
        grad: Var<'t, T>,
    ) -> Option<Vec<Var<'t, T>>> {
        let _ = (inputs, output, grad);
        None
    }
    /// For an op that is not smooth everywhere (a relu, a clamp, a piecewise formula): a
    /// code per branch point saying which side of it the inputs are on (for a relu, the
    /// sign of each input element: 0 below, 1 at, 2 above). The gradient checker compares
    /// the codes of its two evaluations x ± h; where they differ the difference quotient
    /// straddles a kink and the entry is judged as one (see the kinks section of
    /// `docs/gradcheck.md`), as for the built-in relu, abs, clamp and max. `None` (the
    /// default) declares the op smooth: return it at every input or at none, since a check
    /// that gets `None` from the op at a node asks it there only once (and copies its inputs
    /// only once to ask).
    ///
    /// ```
    /// use wengert_tape::{CustomOp, Result, Tensor};
    /// /// max(x, 0) with relu'(0) = 0.
    /// struct MyRelu;
    /// impl CustomOp<f64> for MyRelu {
    ///     fn name(&self) -> &str { "my_relu" }
    ///     fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
    ///         Ok(x[0].map(|v| v.max(0.0)))
    ///     }
    ///     fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
    ///         vec![Tensor::from_fn(x[0].shape(), |i| if x[0].data()[i] > 0.0 { g.data()[i] } else { 0.0 })]
    ///     }
    ///     fn branches(&self, x: &[&Tensor<f64>]) -> Option<Vec<u32>> {
    ///         Some(x[0].data().iter().map(|&v| (v > 0.0) as u32 + (v >= 0.0) as u32).collect())
    ///     }
    /// }
    /// ```
    fn branches(&self, inputs: &[&Tensor<T>]) -> Option<Vec<u32>> {
        let _ = inputs;
        None
    }
}

/// Records a custom op.
#[track_caller]
pub(crate) fn record<'t, T: Float>(op: Rc<dyn CustomOp<T>>, xs: &[Var<'t, T>]) -> Result<Var<'t, T>> {
    let Some(&first) = xs.first() else {
        return Err(Error::InvalidArgument { op: "custom", msg: format!("{}: no inputs", op.name()) });
    };
    let tape = first.tape;
    if let Some(&x) = xs.iter().find(|x| !std::ptr::eq(x.tape, tape)) {
        // The error names the op itself ("times: v2 (tape #1) and v0 (tape #2) ...").
        return Err(first.try_same_tape(x, static_name(op.name())).expect_err("two tapes"));
    }
    let values: Vec<Tensor<T>> = xs.iter().map(|x| x.value()).collect();
    let refs: Vec<&Tensor<T>> = values.iter().collect();
    let y = op.forward(&refs)?;
    let mut inner = tape.inner.borrow_mut();
    let grad = xs.iter().any(|x| inner.node(x.id()).grad);
    let s = inner.intern_shape(y.shape());
    let off = inner.values.len();
    inner.values.extend_from_slice(y.data());
    let k = inner.customs.len();
    inner.customs.push(op);
    let mut ints = vec![k, xs.len()];
    ints.extend(xs.iter().map(|x| x.id() as usize));
    let aux = inner.push_ints(&ints);
    let id = inner.push(Op::Custom, grad, first.id(), 0, off, s, aux);
    drop(inner);
    tape.note_location(id);
    Ok(Var::new(tape, id))
}

/// A custom op's name as a `&'static str`, for the errors whose op is one
/// ([`Error::TapeMismatch`]): each distinct name is leaked once, on the first such error
/// (a program has a handful of custom ops, and their names are usually literals).
fn static_name(name: &str) -> &'static str {
    static NAMES: std::sync::Mutex<Vec<&'static str>> = std::sync::Mutex::new(Vec::new());
    let mut names = NAMES.lock().unwrap_or_else(|e| e.into_inner());
    if let Some(&n) = names.iter().find(|&&n| n == name) {
        return n;
    }
    let n: &'static str = Box::leak(name.into());
    names.push(n);
    n
}

/// The op of custom node `id` and its parents.
pub(crate) fn parts<T: Float>(inner: &Inner<T>, id: u32) -> (Rc<dyn CustomOp<T>>, Vec<u32>) {
    let n = inner.node(id);
    let a = n.aux as usize;
    let op = inner.customs[inner.ints[a]].clone();
    let count = inner.ints[a + 1];
    (op, inner.ints[a + 2..a + 2 + count].iter().map(|&p| p as u32).collect())
}

/// Numeric VJP: calls the user's rule on copies of the values. A rule that returns the
/// wrong number of gradients, or one of the wrong shape, is an error naming the op.
pub(crate) fn vjp<T: Float>(inner: &Inner<T>, id: u32, adj: &mut [T], reached: &mut [bool]) -> Result<()> {
    let (op, parents) = parts(inner, id);
    let xs: Vec<Tensor<T>> = parents.iter().map(|&p| inner.tensor(p)).collect();
    let refs: Vec<&Tensor<T>> = xs.iter().collect();
    let y = inner.tensor(id);
    let r = inner.adj_range(id);
    let g = Tensor::new(y.shape(), adj[r].to_vec()).expect("tape bug: adjoint shape");
    let grads = op.vjp(&refs, &y, &g);
    let bad =
        |msg: String| Error::InvalidArgument { op: "custom", msg: format!("{} (v{id}): {msg}", op.name()) };
    if grads.len() != parents.len() {
        return Err(bad(format!("vjp returned {} gradients for {} inputs", grads.len(), parents.len())));
    }
    for (k, gp) in grads.iter().enumerate() {
        if gp.shape() != xs[k].shape() {
            return Err(bad(format!(
                "vjp returned shape {:?} for input {k} (v{}) of shape {:?}",
                gp.shape(),
                parents[k],
                xs[k].shape()
            )));
        }
    }
    for (&p, gp) in parents.iter().zip(&grads) {
        if flows(inner, p, adj, reached) {
            let pr = inner.adj_range(p);
            adj[pr].iter_mut().zip(gp.data()).for_each(|(a, g)| *a += *g);
        }
    }
    Ok(())
}

/// VJP in tape ops, if the user supplied one.
pub(crate) fn vjp_graph<'t, T: Float>(y: Var<'t, T>, g: Var<'t, T>) -> Result<crate::ops::Contribs<'t, T>> {
    let (op, parents) = parts(&y.tape.inner.borrow(), y.id());
    let xs: Vec<Var<'t, T>> = parents.iter().map(|&p| Var::new(y.tape, p)).collect();
    let bad = |msg: String| Error::InvalidArgument {
        op: "custom",
        msg: format!("{} ({}): {msg}", op.name(), y.node()),
    };
    let Some(grads) = op.vjp_graph(&xs, y, g) else {
        return Err(bad("has no vjp_graph, so it cannot be differentiated twice; \
             implement CustomOp::vjp_graph or use backward()"
            .into()));
    };
    if grads.len() != parents.len() {
        return Err(bad(format!(
            "vjp_graph returned {} gradients for {} inputs",
            grads.len(),
            parents.len()
        )));
    }
    for (k, (gv, x)) in grads.iter().zip(&xs).enumerate() {
        // A handle of another tape would be read at its index on this one.
        if !std::ptr::eq(gv.tape, y.tape) {
            return Err(bad(format!(
                "vjp_graph returned, for input {k} ({}), node {} of tape {}, not of this tape ({})",
                x.node(),
                gv.node(),
                gv.tape.id,
                y.tape.id
            )));
        }
        if gv.shape() != x.shape() {
            return Err(bad(format!(
                "vjp_graph returned shape {:?} for input {k} ({}) of shape {:?}",
                gv.shape(),
                x.node(),
                x.shape()
            )));
        }
    }
    Ok(parents.into_iter().zip(grads).collect())
}
