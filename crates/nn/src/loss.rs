//! Losses, composed from tape ops. Prediction and target must have the same shape (no
//! broadcasting: a `[n, 1]` prediction against an `[n]` target is an error, not an `[n, n]`
//! matrix).
//!
//! | loss | per element ℓ | gradient ∂ℓ/∂input |
//! |---|---|---|
//! | [`bce`] | −[t·L(p) + (1−t)·L(1−p)], L(u) = max(ln u, −100) | −t/p + (1−t)/(1−p); 0 through a clamped log |
//! | [`bce_with_logits`] | (1−t)·x + softplus(−x) | σ(x) − t, exactly (softplus' = σ) |
//! | [`mse`] | (x − y)² | 2(x − y) |
//!
//! Each is reduced by [`Reduction::Sum`] or [`Reduction::Mean`] (sum / number of elements).

use wengert_tape::{Error, Float, Result, Var};

/// How per-element losses become one scalar.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// Σ over elements.
    Sum,
    /// Σ / number of elements (PyTorch's default).
    #[default]
    Mean,
}

impl Reduction {
    /// Applies the reduction to per-element losses.
    pub fn apply<'t, T: Float>(self, per_element: Var<'t, T>) -> Var<'t, T> {
        match self {
            Reduction::Sum => per_element.sum(),
            Reduction::Mean => per_element.mean(),
        }
    }
}

fn same_shape<T: Float>(op: &'static str, a: Var<'_, T>, b: Var<'_, T>) -> Result<()> {
    a.try_same_tape(b, op)?;
    if a.shape() != b.shape() {
        return Err(Error::ShapeMismatch {
            op,
            lhs: a.shape(),
            rhs: b.shape(),
            lhs_node: a.node(),
            rhs_node: b.node(),
        });
    }
    Ok(())
}

/// max(ln u, −100), without NaN gradients at u = 0.
///
/// Composition: `ln(clamp(u, e^−100.5, ∞))` then `clamp(·, −100, ∞)`. The inner clamp
/// keeps the log finite (so its backward never divides by 0); the outer one makes the
/// value exactly −100 like PyTorch. At and below u = e^−100 the gradient is 0 (clamp' = 0
/// at and beyond a bound).
fn clamped_ln<'t, T: Float>(u: Var<'t, T>) -> Var<'t, T> {
    let floor = T::from_f64((-100.5f64).exp());
    u.clamp(floor, T::INFINITY).ln().clamp(T::from_f64(-100.0), T::INFINITY)
}

/// Binary cross-entropy on probabilities, like PyTorch's `BCELoss`:
/// ℓ = −[t·max(ln p, −100) + (1−t)·max(ln(1−p), −100)].
///
/// Values match PyTorch everywhere (p = 0, t = 1 gives 100). Gradients match for
/// e^−100 < p < 1 − ε: −t/p + (1−t)/(1−p). Where a log is clamped the gradient through it
/// is 0, whereas PyTorch's fused backward returns (p − t)/max(p(1 − p), 1e−12) (e.g.
/// −1e12 at p = 0, t = 1). Prefer [`bce_with_logits`] when you have the logits.
///
/// ```
/// use wengert_nn::loss::{bce, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let p = t.var(&Tensor::from([0.0, 0.5]));
/// let y = t.constant(&Tensor::from([1.0, 1.0]));
/// let l = bce(p, y, Reduction::Sum)?;
/// assert_eq!(l.item(), 100.0 + 2f64.ln()); // ln 0 is clamped at −100
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub fn bce<'t, T: Float>(p: Var<'t, T>, target: Var<'t, T>, reduction: Reduction) -> Result<Var<'t, T>> {
    same_shape("bce", p, target)?;
    let one_minus_t = target.rsub(T::ONE);
    let per = -(target * clamped_ln(p) + one_minus_t * clamped_ln(p.rsub(T::ONE)));
    Ok(reduction.apply(per))
}

/// Binary cross-entropy on logits, numerically stable, like PyTorch's
/// `BCEWithLogitsLoss`: ℓ = (1 − t)·x + softplus(−x), which equals
/// −[t·ln σ(x) + (1−t)·ln(1 − σ(x))].
///
/// Finite and exact for any finite logit (x = ±1000 included), because `softplus` is one
/// tape op computed without overflow. Its derivative is exactly σ, so the gradient is
/// (1 − t) − σ(−x) = σ(x) − t, also at x = 0 (a `max(x, 0) − x·t + log1p(e^−|x|)`
/// composition gets x = 0 wrong: the kinks of max and |·| do not cancel).
///
/// ```
/// use wengert_nn::loss::{bce_with_logits, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([0.0, 0.0]));
/// let y = t.constant(&Tensor::from([1.0, 0.0]));
/// let l = bce_with_logits(x, y, Reduction::Sum)?;
/// assert_eq!(l.backward().wrt(x).data(), [-0.5, 0.5]); // σ(0) − t
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub fn bce_with_logits<'t, T: Float>(
    logits: Var<'t, T>,
    target: Var<'t, T>,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    same_shape("bce_with_logits", logits, target)?;
    let per = target.rsub(T::ONE) * logits + (-logits).softplus();
    Ok(reduction.apply(per))
}

/// Squared error (x − y)², like PyTorch's `MSELoss`.
///
/// ```
/// use wengert_nn::loss::{mse, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([1.0, 3.0]));
/// let y = t.constant(&Tensor::from([0.0, 0.0]));
/// assert_eq!(mse(x, y, Reduction::Mean)?.item(), 5.0);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub fn mse<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>, reduction: Reduction) -> Result<Var<'t, T>> {
    same_shape("mse", pred, target)?;
    Ok(reduction.apply((pred - target).square()))
}
