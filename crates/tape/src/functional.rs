//! Higher-order helpers built on [`crate::Var::backward_graph`]: gradients, Hessian-vector
//! products, Hessians and Jacobians of functions given as closures.
//!
//! Each helper records `f` on a fresh tape, so `f` is a closure
//! `for<'t> Fn(Var<'t, T>) -> Var<'t, T>` (one input) or
//! `for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>` (several, the `_many` forms).
//!
//! | helper | returns | cost |
//! |---|---|---|
//! | [`grad`] | ∇f(x), shape of x | one forward, one reverse sweep |
//! | [`hvp`] | ∇²f(x)·v, shape of x | one forward, a recorded reverse sweep, one reverse sweep over both |
//! | [`hessian`] | ∇²f(x), shape `x.shape ++ x.shape` | one recorded sweep, then one sweep per element of x |
//! | [`jacobian`] | ∂f/∂x, shape `f.shape ++ x.shape` | [`jacrev`] or [`jacfwd`], whichever takes fewer sweeps |
//! | [`jacrev`] | the same, by rows | one forward, one sweep per output element |
//! | [`jacfwd`] | the same, by columns | one forward, a recorded sweep, one sweep over it per input element |
//! | [`vjp`] | f(x) and vᵀ·∂f/∂x (JAX's `vjp`), shape of x | one forward, one reverse sweep |
//! | [`jvp`] | f(x) and ∂f/∂x·t (JAX's `jvp`), shape of f(x) | one forward, a recorded reverse sweep, one reverse sweep over it |
//!
//! There is no forward mode: [`jvp`] differentiates the recorded reverse sweep, which is
//! linear in its seed u (vᵀJ with v = u), with respect to u: ∂⟨uᵀJ, t⟩/∂u = J·t, as
//! PyTorch's `autograd.functional.jvp` does. It needs every op on the path to have a
//! recorded VJP (a custom op without `vjp_graph` is an error).
//!
//! ```
//! use wengert_tape::functional::{func, hessian, hvp};
//! use wengert_tape::Tensor;
//!
//! // f(x) = x₀²·x₁ + x₁³: H = [[2x₁, 2x₀], [2x₀, 6x₁]].
//! let f = func(|x: wengert_tape::Var<'_>| {
//!     let (a, b) = (x.slice(0, 0, 1), x.slice(0, 1, 1));
//!     (a.square() * b + b.powf(3.0)).sum()
//! });
//! let x = Tensor::from([1.0, 2.0]);
//! assert_eq!(hessian(f, &x).data(), &[4.0, 2.0, 2.0, 12.0]);
//! assert_eq!(hvp(f, &x, &Tensor::from([1.0, 0.0])).data(), &[4.0, 2.0]);
//! ```

use crate::error::{Error, Result};
use crate::float::Float;
use crate::shape::Shape;
use crate::tape::Tape;
use crate::tensor::{NoRoom, Tensor};
use crate::var::{ok, Var};

/// Returns `f` unchanged, typed as a function of a variable on *any* tape.
///
/// Rust gives a closure a signature that works for every tape lifetime only when the
/// closure is written straight into a call of a function that asks for one. To keep a
/// closure in a `let` and pass it to several helpers, wrap it in `func`:
///
/// ```
/// use wengert_tape::functional::{func, grad, hessian};
/// use wengert_tape::Tensor;
/// let f = func(|x| x.powf(3.0).sum());
/// let x = Tensor::from([2.0]);
/// assert_eq!((grad(f, &x).data()[0], hessian(f, &x).data()[0]), (12.0, 12.0));
/// ```
pub fn func<T, F>(f: F) -> F
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    f
}

/// [`func`] for functions of several variables (`&[Var]`), as taken by the `_many`
/// helpers and by [`crate::gradcheck::gradcheck`].
pub fn func_many<T, F>(f: F) -> F
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    f
}

fn scalar_out<T: Float>(op: &'static str, y: Var<'_, T>) -> Result<()> {
    if y.len() == 1 {
        Ok(())
    } else {
        Err(Error::NotScalar { op, shape: y.shape(), node: y.node() })
    }
}

/// An empty buffer with room for the result of `op` (a Hessian or Jacobian) of shape
/// `outer ++ inner`, or an error naming the op and the shape when that many elements cannot
/// exist or cannot be allocated (`n·n` grows fast: the Hessian of 10⁶ inputs is 8 TB of f64),
/// instead of an overflowing multiplication or an allocator abort.
fn result_buffer<T: Float>(op: &'static str, outer: &[usize], inner: &[usize]) -> Result<(Shape, Vec<T>)> {
    let mut shape: Shape = outer.into();
    shape.extend_from_slice(inner);
    let too_big = |why: &str| Error::InvalidArgument {
        op,
        msg: format!("the result would have shape {shape:?}, {why}"),
    };
    match Tensor::<T>::try_alloc(&shape) {
        Ok((data, _)) => Ok((shape, data)),
        Err(NoRoom::TooMany) => Err(too_big("more elements than fit in memory")),
        Err(NoRoom::Refused(n)) => Err(too_big(&format!("{n} elements, which could not be allocated"))),
    }
}

/// The error of a helper that gets a first-order quantity (`op`: `jvp`, `jacfwd`) by
/// differentiating the recorded reverse sweep, when a custom op on the path has no
/// `vjp_graph`: the engine's own error says the op "cannot be differentiated twice" and
/// advises `backward()`, which fits neither helper; this one names the helper, the custom
/// op, and the first-order helper that works (`alternative`). Other errors pass unchanged.
fn sweep_error(op: &'static str, alternative: &str, e: Error) -> Error {
    match e {
        Error::InvalidArgument { op: "custom", msg } if msg.contains(": has no vjp_graph") => {
            let who = msg.split(": has no vjp_graph").next().unwrap_or_default();
            Error::InvalidArgument {
                op,
                msg: format!(
                    "custom op {who} has no vjp_graph, and {op} differentiates the recorded reverse \
                     sweep, so every op on the path needs one; implement CustomOp::vjp_graph, or use \
                     {alternative}, which needs only CustomOp::vjp"
                ),
            }
        }
        e => e,
    }
}

/// An error of `op` unless there is one direction (`what`: directions, tangents) per input.
fn direction_count<T: Float>(op: &'static str, what: &str, xs: &[Tensor<T>], ds: &[Tensor<T>]) -> Result<()> {
    if xs.len() == ds.len() {
        Ok(())
    } else {
        Err(Error::InvalidArgument { op, msg: format!("{} {what} for {} inputs", ds.len(), xs.len()) })
    }
}

fn same_shapes<T: Float>(op: &'static str, x: &Tensor<T>, v: &Tensor<T>, what: &str) -> Result<()> {
    if x.shape() == v.shape() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            msg: format!("{what} has shape {:?} but x has shape {:?}; they must match", v.shape(), x.shape()),
        })
    }
}

/// ∇f(x) of a scalar function of one tensor.
///
/// ```
/// use wengert_tape::{functional::grad, Tensor};
/// let g = grad(|x| x.square().sum(), &Tensor::from([1.0, -2.0]));
/// assert_eq!(g.data(), &[2.0, -4.0]);
/// ```
///
/// # Panics
/// If `f` does not return a scalar; see [`try_grad`].
#[track_caller]
pub fn grad<T, F>(f: F, x: &Tensor<T>) -> Tensor<T>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_grad(f, x))
}

/// Fallible [`grad`]: [`Error::NotScalar`] (op `"grad"`) if `f` returns a tensor.
pub fn try_grad<T, F>(f: F, x: &Tensor<T>) -> Result<Tensor<T>>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    let tape = Tape::new();
    let xv = tape.var(x);
    let y = f(xv);
    scalar_out("grad", y)?;
    Ok(y.try_backward()?.wrt(xv))
}

/// f(x) and ∇f(x) of a scalar function of several tensors.
///
/// ```
/// use wengert_tape::{functional::value_and_grad_many, Tensor};
/// let (v, g) = value_and_grad_many(|x| (x[0] * x[1]).sum(), &[Tensor::from([2.0]), Tensor::from([3.0])]).unwrap();
/// assert_eq!((v, g[0].data()[0], g[1].data()[0]), (6.0, 3.0, 2.0));
/// ```
pub fn value_and_grad_many<T, F>(f: F, xs: &[Tensor<T>]) -> Result<(T, Vec<Tensor<T>>)>
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::new();
    let vars: Vec<Var<'_, T>> = xs.iter().map(|x| tape.var(x)).collect();
    let y = f(&vars);
    scalar_out("value_and_grad", y)?;
    let g = y.try_backward()?;
    Ok((y.item(), vars.iter().map(|v| g.wrt(*v)).collect()))
}

/// Hessian-vector product ∇²f(x)·v without forming the Hessian: the gradient is recorded
/// on the tape by [`Var::backward_graph`], then ⟨∇f(x), v⟩ is differentiated once more.
///
/// ```
/// use wengert_tape::{functional::hvp, Tensor};
/// // f = Σ xᵢ³: H = diag(6x).
/// let hv = hvp(|x| x.powf(3.0).sum(), &Tensor::from([1.0, 2.0]), &Tensor::from([1.0, 1.0]));
/// assert_eq!(hv.data(), &[6.0, 12.0]);
/// ```
///
/// # Panics
/// If `f` does not return a scalar, `v` does not have x's shape, or a custom op on the
/// path has no `vjp_graph`; see [`try_hvp`].
#[track_caller]
pub fn hvp<T, F>(f: F, x: &Tensor<T>, v: &Tensor<T>) -> Tensor<T>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_hvp(f, x, v))
}

/// Fallible [`hvp`]: [`Error::NotScalar`] if `f` does not return a scalar,
/// [`Error::InvalidArgument`] if `v` does not have x's shape, and the error of
/// [`Var::try_backward_graph`] for a custom op on the path that has no `vjp_graph`.
pub fn try_hvp<T, F>(f: F, x: &Tensor<T>, v: &Tensor<T>) -> Result<Tensor<T>>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    let r = try_hvp_many(|xs| f(xs[0]), std::slice::from_ref(x), std::slice::from_ref(v))?;
    Ok(r.into_iter().next().expect("one input"))
}

/// Hessian-vector product of a scalar function of several tensors: for each input k,
/// Σⱼ ∂²f/∂xₖ∂xⱼ · vⱼ. Fails as [`try_hvp`] does, and if `vs` and `xs` differ in length.
pub fn try_hvp_many<T, F>(f: F, xs: &[Tensor<T>], vs: &[Tensor<T>]) -> Result<Vec<Tensor<T>>>
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    direction_count("hvp", "directions", xs, vs)?;
    for (x, v) in xs.iter().zip(vs) {
        same_shapes("hvp", x, v, "the direction v")?;
    }
    let tape = Tape::new();
    let vars: Vec<Var<'_, T>> = xs.iter().map(|x| tape.var(x)).collect();
    let y = f(&vars);
    scalar_out("hvp", y)?;
    let g = y.try_backward_graph()?;
    let mut s = tape.scalar_constant(T::ZERO);
    for (x, v) in vars.iter().zip(vs) {
        s += (g.wrt(*x) * tape.constant(v)).sum();
    }
    let h = s.try_backward()?;
    Ok(vars.iter().map(|x| h.wrt(*x)).collect())
}

/// The Hessian ∇²f(x) of a scalar function of a small tensor, of shape
/// `x.shape() ++ x.shape()` (`[n, n]` for a vector). One recorded backward, then one
/// reverse sweep per element of x over the recorded gradient.
///
/// # Panics
/// If `f` does not return a scalar, or a custom op on the path has no `vjp_graph`; see
/// [`try_hessian`].
#[track_caller]
pub fn hessian<T, F>(f: F, x: &Tensor<T>) -> Tensor<T>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_hessian(f, x))
}

/// Fallible [`hessian`]: [`Error::NotScalar`] if `f` does not return a scalar, the
/// error of [`Var::try_backward_graph`] for a custom op on the path that has no
/// `vjp_graph`, and [`Error::InvalidArgument`] if the `n·n` result cannot be allocated.
pub fn try_hessian<T, F>(f: F, x: &Tensor<T>) -> Result<Tensor<T>>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    let tape = Tape::new();
    let xv = tape.var(x);
    let y = f(xv);
    scalar_out("hessian", y)?;
    let g = y.try_backward_graph()?.wrt(xv);
    let (shape, mut data) = result_buffer("hessian", x.shape(), x.shape())?;
    let mut seed = Tensor::zeros(x.shape());
    for i in 0..x.len() {
        seed.data_mut()[i] = T::ONE;
        let row = g.try_backward_with_seed(&seed)?;
        data.extend_from_slice(&row[xv]);
        seed.data_mut()[i] = T::ZERO;
    }
    Tensor::new(&shape, data)
}

/// The Jacobian ∂f/∂x of a function with any output shape, of shape
/// `f(x).shape() ++ x.shape()`, by whichever of [`jacrev`] (one reverse sweep per output
/// element) and [`jacfwd`] (one per input element) takes fewer sweeps: `jacfwd` when f
/// has more outputs than inputs (a residual vector for Gauss-Newton) and every op on the
/// path has a recorded VJP, `jacrev` otherwise. The two agree to rounding.
///
/// ```
/// use wengert_tape::{functional::jacobian, Tensor};
/// // f(x) = [x₀·x₁, sin x₁]: J = [[x₁, x₀], [0, cos x₁]].
/// let j = jacobian(|x| wengert_tape::Var::concat(&[x.slice(0, 0, 1) * x.slice(0, 1, 1), x.slice(0, 1, 1).sin()], 0),
///                  &Tensor::from([2.0, 0.0]));
/// assert_eq!(j.shape(), &[2, 2]);
/// assert_eq!(j.data(), &[0.0, 2.0, 0.0, 1.0]);
/// ```
///
/// # Panics
/// If the result cannot be allocated; see [`try_jacobian`].
#[track_caller]
pub fn jacobian<T, F>(f: F, x: &Tensor<T>) -> Tensor<T>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_jacobian(f, x))
}

/// Fallible [`jacobian`]: [`Error::InvalidArgument`] if the result cannot be allocated.
pub fn try_jacobian<T, F>(f: F, x: &Tensor<T>) -> Result<Tensor<T>>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    let tape = Tape::new();
    let xv = tape.var(x);
    let y = f(xv);
    if y.len() > x.len() {
        if let Ok(j) = columns("jacobian", y, xv) {
            return Ok(j);
        }
    }
    rows("jacobian", y, xv)
}

/// The Jacobian by rows, one reverse sweep per output element (JAX's `jacrev`): row i
/// is the VJP with the i-th unit seed. The cheaper form when f has fewer outputs than
/// inputs; needs only each op's numeric VJP.
///
/// ```
/// use wengert_tape::{functional::{func, jacfwd, jacrev}, Tensor};
/// let x = Tensor::from([1.0, 2.0]);
/// let f = func(|x| x.square() * 3.0);
/// assert_eq!(jacrev(f, &x).data(), &[6.0, 0.0, 0.0, 12.0]);
/// assert_eq!(jacfwd(f, &x).data(), &[6.0, 0.0, 0.0, 12.0]);
/// ```
///
/// # Panics
/// If the result cannot be allocated; see [`try_jacrev`].
#[track_caller]
pub fn jacrev<T, F>(f: F, x: &Tensor<T>) -> Tensor<T>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_jacrev(f, x))
}

/// Fallible [`jacrev`]: [`Error::InvalidArgument`] if the result cannot be allocated.
pub fn try_jacrev<T, F>(f: F, x: &Tensor<T>) -> Result<Tensor<T>>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    let tape = Tape::new();
    let xv = tape.var(x);
    rows("jacrev", f(xv), xv)
}

/// The Jacobian by columns, one reverse sweep per input element over the recorded sweep
/// (JAX's `jacfwd`; column k is J·eₖ, computed as [`jvp`] computes it, with the recorded
/// sweep made once): the cheaper form when f has more outputs than inputs, e.g. the
/// Jacobian of m residuals in n ≪ m parameters.
///
/// # Panics
/// If a custom op on the path has no `vjp_graph`; see [`try_jacfwd`].
#[track_caller]
pub fn jacfwd<T, F>(f: F, x: &Tensor<T>) -> Tensor<T>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_jacfwd(f, x))
}

/// Fallible [`jacfwd`]: [`Error::InvalidArgument`] (op `jacfwd`) for a custom op on the
/// path that has no `vjp_graph` (naming it; [`jacrev`] needs only `vjp`), and if the
/// result cannot be allocated.
pub fn try_jacfwd<T, F>(f: F, x: &Tensor<T>) -> Result<Tensor<T>>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    let tape = Tape::new();
    let xv = tape.var(x);
    columns("jacfwd", f(xv), xv)
}

/// The Jacobian of `y` in `xv` by columns: the sweep recorded with a seed variable u
/// gives g(u) = Jᵀu, and column k is ∂g(u)ₖ/∂u.
fn columns<'t, T: Float>(op: &'static str, y: Var<'t, T>, xv: Var<'t, T>) -> Result<Tensor<T>> {
    let tape = y.tape();
    let u = tape.var(&Tensor::zeros(&y.shape()));
    let g = y.try_backward_graph_with_seed(u).map_err(|e| sweep_error(op, "jacrev", e))?.wrt(xv);
    let n = xv.len();
    let (shape, mut data) = result_buffer(op, &y.shape(), &xv.shape())?;
    data.resize(y.len() * n, T::ZERO);
    let mut seed = Tensor::zeros(&xv.shape());
    for k in 0..n {
        seed.data_mut()[k] = T::ONE;
        let col = g.try_backward_with_seed(&seed)?;
        for (i, v) in col[u].iter().enumerate() {
            data[i * n + k] = *v;
        }
        seed.data_mut()[k] = T::ZERO;
    }
    Tensor::new(&shape, data)
}

/// The Jacobian of `y` in `xv` by rows: one reverse sweep per element of `y`.
fn rows<'t, T: Float>(op: &'static str, y: Var<'t, T>, xv: Var<'t, T>) -> Result<Tensor<T>> {
    let (shape, mut data) = result_buffer(op, &y.shape(), &xv.shape())?;
    let mut seed = Tensor::zeros(&y.shape());
    for i in 0..y.len() {
        seed.data_mut()[i] = T::ONE;
        let row = y.try_backward_with_seed(&seed)?;
        data.extend_from_slice(&row[xv]);
        seed.data_mut()[i] = T::ZERO;
    }
    Tensor::new(&shape, data)
}

/// f(x) and the vector-Jacobian product vᵀ·∂f/∂x (JAX's `jax.vjp`, PyTorch's
/// `autograd.functional.vjp`) for a function with any output shape; `v` has the output's
/// shape. One forward and one reverse sweep.
///
/// ```
/// use wengert_tape::{functional::vjp, Tensor};
/// // f(x) = x² elementwise: vᵀJ = 2x ⊙ v.
/// let (y, g) = vjp(|x| x.square(), &Tensor::from([1.0, 3.0]), &Tensor::from([1.0, 10.0]));
/// assert_eq!((y.data(), g.data()), (&[1.0, 9.0][..], &[2.0, 60.0][..]));
/// ```
///
/// # Panics
/// If `v` does not have the output's shape; see [`try_vjp`].
#[track_caller]
pub fn vjp<T, F>(f: F, x: &Tensor<T>, v: &Tensor<T>) -> (Tensor<T>, Tensor<T>)
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_vjp(f, x, v))
}

/// Fallible [`vjp`]: [`Error::InvalidArgument`] (op `vjp`) if `v` does not have the
/// output's shape.
pub fn try_vjp<T, F>(f: F, x: &Tensor<T>, v: &Tensor<T>) -> Result<(Tensor<T>, Tensor<T>)>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    let (y, mut g) = try_vjp_many(|xs| f(xs[0]), std::slice::from_ref(x), v)?;
    Ok((y, g.remove(0)))
}

/// [`vjp`] of a function of several tensors: f(xs) and, per input, vᵀ·∂f/∂xₖ.
pub fn try_vjp_many<T, F>(f: F, xs: &[Tensor<T>], v: &Tensor<T>) -> Result<(Tensor<T>, Vec<Tensor<T>>)>
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    let tape = Tape::new();
    let vars: Vec<Var<'_, T>> = xs.iter().map(|x| tape.var(x)).collect();
    let y = f(&vars);
    if v.shape() != y.shape().as_slice() {
        return Err(Error::InvalidArgument {
            op: "vjp",
            msg: format!(
                "the cotangent v has shape {:?} but the output {} has shape {:?}; they must match",
                v.shape(),
                y.node(),
                y.shape()
            ),
        });
    }
    let g = y.try_backward_with_seed(v)?;
    Ok((y.value(), vars.iter().map(|x| g.wrt(*x)).collect()))
}

/// f(x) and the Jacobian-vector product ∂f/∂x·t (JAX's `jax.jvp`, PyTorch's
/// `autograd.functional.jvp`): the derivative of f along the direction `t` (x's shape),
/// of the output's shape. Computed by differentiating the recorded reverse sweep with
/// respect to its seed (see the module's docs): two reverse sweeps, no Jacobian.
///
/// ```
/// use wengert_tape::{functional::{func, jvp}, Tensor};
/// // f(x) = [x₀·x₁, x₁²] along t = [1, 0]: J·t = [x₁, 0].
/// let f = func(|x| x * x.slice(0, 1, 1));
/// let (y, d) = jvp(f, &Tensor::from([2.0, 3.0]), &Tensor::from([1.0, 0.0]));
/// assert_eq!((y.data(), d.data()), (&[6.0, 9.0][..], &[3.0, 0.0][..]));
/// ```
///
/// # Panics
/// If `t` does not have x's shape, or a custom op on the path has no `vjp_graph`; see
/// [`try_jvp`].
#[track_caller]
pub fn jvp<T, F>(f: F, x: &Tensor<T>, t: &Tensor<T>) -> (Tensor<T>, Tensor<T>)
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    ok(try_jvp(f, x, t))
}

/// Fallible [`jvp`]: [`Error::InvalidArgument`] (op `jvp`) if `t` does not have x's shape,
/// and for a custom op on the path that has no `vjp_graph` (naming it; [`jacrev`] needs
/// only `vjp`).
pub fn try_jvp<T, F>(f: F, x: &Tensor<T>, t: &Tensor<T>) -> Result<(Tensor<T>, Tensor<T>)>
where
    T: Float,
    F: for<'t> Fn(Var<'t, T>) -> Var<'t, T>,
{
    try_jvp_many(|xs| f(xs[0]), std::slice::from_ref(x), std::slice::from_ref(t))
}

/// [`jvp`] of a function of several tensors: f(xs) and Σₖ ∂f/∂xₖ·tₖ. Fails as
/// [`try_jvp`] does, and if `ts` and `xs` differ in length.
pub fn try_jvp_many<T, F>(f: F, xs: &[Tensor<T>], ts: &[Tensor<T>]) -> Result<(Tensor<T>, Tensor<T>)>
where
    T: Float,
    F: for<'t> Fn(&[Var<'t, T>]) -> Var<'t, T>,
{
    direction_count("jvp", "tangents", xs, ts)?;
    for (x, t) in xs.iter().zip(ts) {
        same_shapes("jvp", x, t, "the tangent t")?;
    }
    let tape = Tape::new();
    let vars: Vec<Var<'_, T>> = xs.iter().map(|x| tape.var(x)).collect();
    let y = f(&vars);
    // The seed as a variable: the recorded sweep is linear in it, so its value (zeros)
    // does not matter, only the derivative with respect to it.
    let u = tape.var(&Tensor::zeros(&y.shape()));
    let g = y.try_backward_graph_with_seed(u).map_err(|e| sweep_error("jvp", "jacrev (then J·t)", e))?;
    let mut s = tape.scalar_constant(T::ZERO);
    for (x, t) in vars.iter().zip(ts) {
        s += (g.wrt(*x) * tape.constant(t)).sum();
    }
    Ok((y.value(), s.try_backward()?.wrt(u)))
}
