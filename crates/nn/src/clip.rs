//! Gradient clipping before an optimizer step, as `torch.nn.utils.clip_grad_norm_` and
//! `clip_grad_value_`: the gradients in a [`Grads`] are changed in place
//! ([`Grads::get_mut`]), and the optimizer then reads the clipped values.
//!
//! ```
//! use wengert_nn::{clip::clip_grad_norm, optim::{Optimizer, Sgd}, Linear, Module};
//! use wengert_tape::{Tape, Tensor};
//!
//! let mut lin = Linear::from_tensors(Tensor::from([[3.0]]), Some(Tensor::from([0.0])))?;
//! let tape = Tape::new();
//! let p = lin.bind(&tape);
//! let y = lin.forward(&p, tape.constant(&Tensor::from([[4.0]])))?; // 4w + b
//! let mut grads = y.square().sum().backward(); // ∂/∂w = 96, ∂/∂b = 24
//! let norm = clip_grad_norm(&mut grads, p.vars(), 1.0, 2.0)?;
//! assert!((norm - 24.0 * 17f64.sqrt()).abs() < 1e-12);
//! let g: Vec<f64> = p.vars().iter().map(|&v| grads[v][0]).collect();
//! assert!((g[0].hypot(g[1]) - 1.0).abs() < 1e-6); // now of norm 1, same direction
//! Sgd::new(0.1).step(&mut lin, &p, &grads)?;
//! # Ok::<(), wengert_tape::Error>(())
//! ```

use wengert_tape::{Error, Float, Grads, Result, Var};

/// Scales the gradients of `params` in place so that their total norm is at most
/// `max_norm`, and returns the total norm before clipping (PyTorch's
/// `clip_grad_norm_(params, max_norm, norm_type)`).
///
/// The total norm is the `norm_type`-norm of the per-parameter norms (the norm of all the
/// gradients as one vector); `norm_type` may be [`Float::INFINITY`] (the largest
/// magnitude). Every gradient is multiplied by min(1, max_norm / (total + 10⁻⁶)), so
/// gradients whose norm is already below `max_norm` are left exactly as they are. A
/// parameter the output does not depend on has a gradient of zeros and adds nothing; one
/// that takes no gradient (a constant) is passed over.
///
/// # Errors
/// Nothing is changed and an error is returned if `norm_type` is not positive, if
/// `max_norm` is negative or NaN, if a variable is from another tape or was recorded after
/// the output (its position in `params` is named), or if a gradient holds an infinite or
/// NaN element (the parameter and element are named: scaling would spread it to every
/// gradient, where PyTorch's default would go on silently).
pub fn clip_grad_norm<T: Float>(
    grads: &mut Grads<T>,
    params: &[Var<'_, T>],
    max_norm: T,
    norm_type: T,
) -> Result<T> {
    const OP: &str = "clip_grad_norm";
    // Written as positive tests, so that NaN fails them.
    let (norm_ok, max_ok) = (norm_type > T::ZERO, max_norm >= T::ZERO);
    if !norm_ok {
        return Err(Error::InvalidArgument {
            op: OP,
            msg: format!("norm_type must be positive (or infinity), got {norm_type}"),
        });
    }
    if !max_ok {
        return Err(Error::InvalidArgument {
            op: OP, msg: format!("max_norm must be ≥ 0, got {max_norm}")
        });
    }
    check_finite(OP, grads, params)?;
    let norms = params.iter().map(|&v| grads.get(v).map_or(T::ZERO, |g| vector_norm(g, norm_type)));
    let total = vector_norm_of(norms, norm_type);
    // PyTorch's coefficient, clamped to 1 and applied to every gradient.
    let coef = max_norm / (total + T::from_f64(1e-6));
    let coef = if coef < T::ONE { coef } else { T::ONE };
    for &v in params {
        if let Some(g) = grads.get_mut(v) {
            g.iter_mut().for_each(|x| *x *= coef);
        }
    }
    Ok(total)
}

/// Clamps every gradient element of `params` into [−clip_value, clip_value] in place
/// (PyTorch's `clip_grad_value_`). NaN elements stay NaN, as in PyTorch.
///
/// # Errors
/// If `clip_value` is negative or NaN, or a variable is from another tape or was recorded
/// after the output; nothing is changed then.
pub fn clip_grad_value<T: Float>(grads: &mut Grads<T>, params: &[Var<'_, T>], clip_value: T) -> Result<()> {
    const OP: &str = "clip_grad_value";
    let ok = clip_value >= T::ZERO; // false for NaN
    if !ok {
        return Err(Error::InvalidArgument {
            op: OP,
            msg: format!("clip_value must be ≥ 0, got {clip_value}"),
        });
    }
    check_params(OP, grads, params)?;
    for &v in params {
        if let Some(g) = grads.get_mut(v) {
            for x in g {
                if *x > clip_value {
                    *x = clip_value;
                } else if *x < -clip_value {
                    *x = -clip_value;
                }
            }
        }
    }
    Ok(())
}

/// An error unless every variable has gradients in `grads` (same tape and step, recorded
/// no later than the output).
fn check_params<T: Float>(op: &'static str, grads: &Grads<T>, params: &[Var<'_, T>]) -> Result<()> {
    match params.iter().position(|&v| grads.get(v).is_none()) {
        Some(i) => Err(Error::InvalidArgument {
            op,
            msg: format!(
                "parameter {i} ({}) has no gradient here: it is from another tape or step, or was recorded after the output",
                params[i].node()
            ),
        }),
        None => Ok(()),
    }
}

/// [`check_params`], and an error naming the first gradient element that is not finite.
fn check_finite<T: Float>(op: &'static str, grads: &Grads<T>, params: &[Var<'_, T>]) -> Result<()> {
    check_params(op, grads, params)?;
    for (i, &v) in params.iter().enumerate() {
        let g = grads.get(v).expect("checked above");
        if let Some(k) = g.iter().position(|x| !x.is_finite()) {
            return Err(Error::InvalidArgument {
                op,
                msg: format!(
                    "the gradient of parameter {i} ({}) has {} at element {k}; nothing was clipped",
                    v.node(),
                    g[k]
                ),
            });
        }
    }
    Ok(())
}

/// The `p`-norm of `xs`: (Σ|x|ᵖ)^(1/p), Σx² under a square root for p = 2, max |x| for
/// p = ∞.
fn vector_norm<T: Float>(xs: &[T], p: T) -> T {
    vector_norm_of(xs.iter().copied(), p)
}

fn vector_norm_of<T: Float>(xs: impl Iterator<Item = T>, p: T) -> T {
    if p == T::INFINITY {
        xs.map(|x| x.abs()).fold(T::ZERO, |m, x| if x > m { x } else { m })
    } else if p == T::from_f64(2.0) {
        xs.map(|x| x * x).sum::<T>().sqrt()
    } else if p == T::ONE {
        xs.map(|x| x.abs()).sum()
    } else {
        xs.map(|x| x.abs().powf(p)).sum::<T>().powf(T::ONE / p)
    }
}
