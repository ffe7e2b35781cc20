//! Losses, composed from tape ops.
//!
//! The elementwise losses take a prediction and a target of the same shape (no
//! broadcasting: a `[n, 1]` prediction against an `[n]` target is an error, not an `[n, n]`
//! matrix). The classification losses take a `[n, c]` matrix (one row of class scores per
//! example) and either `n` class indices or a `[n, c]` matrix of class probabilities.
//!
//! | loss | per element (or row) ℓ | gradient ∂ℓ/∂input |
//! |---|---|---|
//! | [`bce`] | −[t·L(p) + (1−t)·L(1−p)], L(u) = max(ln u, −100) | −t/p + (1−t)/(1−p); 0 through a clamped log |
//! | [`bce_with_logits`] | (1−t)·x + softplus(−x) (x > 0), −t·x + softplus(x) (x ≤ 0) | σ(x) − t, exactly (softplus' = σ) |
//! | [`mse`] | (x − y)² | 2(x − y) |
//! | [`l1_loss`] | \|x − y\| | sign(x − y), 0 at x = y |
//! | [`huber_loss`] | ½r² if \|r\| < δ, else δ(\|r\| − ½δ); r = x − y | clamp(r, −δ, δ) |
//! | [`smooth_l1_loss`] | ½r²/β if \|r\| ≤ β, else \|r\| − ½β (β = 0: \|r\|) | clamp(r/β, −1, 1) |
//! | [`cross_entropy`] | −log_softmax(x)ᵢ\[tᵢ\] | softmax(x)ᵢ − one_hot(tᵢ) |
//! | [`CrossEntropy`] | −Σₖ t̃ᵢₖ·log_softmax(x)ᵢₖ, t̃ = (1−ε)·t + ε/c | softmax(x)ᵢ − t̃ᵢ (rows of t summing to 1) |
//! | [`nll_loss`] | −xᵢ\[tᵢ\] (x holds log-probabilities) | −one_hot(tᵢ) |
//! | [`kl_div`] | t·(ln t − x), 0 where t = 0 (x holds log-probabilities) | −t |
//!
//! PyTorch's [`poisson_nll_loss`], [`gaussian_nll_loss`], [`margin_ranking_loss`],
//! [`hinge_embedding_loss`], [`soft_margin_loss`], [`cosine_embedding_loss`],
//! [`triplet_margin_loss`] and [`multilabel_soft_margin_loss`] are here too (formulas in
//! their docs); operands of different shapes are a `ShapeMismatch`, other shape and
//! hyperparameter errors `InvalidArgument`.
//!
//! Each is reduced by [`Reduction::Sum`] or [`Reduction::Mean`] (sum / number of elements;
//! for the classification losses, the number of rows n, as in PyTorch without class
//! weights), or left per element (per row) by [`Reduction::None`]. Every loss refuses
//! the mean of nothing (empty tensors, or n = 0 rows) with an error instead of returning
//! 0/0 = NaN (PyTorch returns NaN there); the sum of nothing is 0.

use wengert_tape::{Error, Float, Result, Tensor, Var};

/// How per-element losses become one scalar, or stay per element.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Reduction {
    /// Σ over elements.
    Sum,
    /// Σ / number of elements (PyTorch's default).
    #[default]
    Mean,
    /// No reduction (PyTorch's `reduction='none'`): the per-element losses, of the
    /// input's shape (per row, `[n]`, for the classification losses), for weighting or
    /// masking them before reducing them yourself.
    None,
}

impl Reduction {
    /// Applies the reduction to per-element losses. The mean of a tensor with no elements
    /// is 0/0 = NaN here, as PyTorch's; [`Reduction::try_apply`] refuses it instead, as
    /// every built-in loss does.
    #[track_caller]
    pub fn apply<'t, T: Float>(self, per_element: Var<'t, T>) -> Var<'t, T> {
        located(per_element, || match self {
            Reduction::Sum => per_element.sum(),
            Reduction::Mean => per_element.mean(),
            Reduction::None => per_element,
        })
    }

    /// [`Reduction::apply`] for a loss of your own, with an error instead of a silent NaN
    /// for the mean of nothing: `InvalidArgument` naming `op` (your loss), the shape and
    /// the node, before anything is recorded.
    ///
    /// ```
    /// use wengert_nn::loss::Reduction;
    /// use wengert_tape::{Tape, Tensor};
    /// let tape = Tape::<f64>::new();
    /// let none = tape.var(&Tensor::zeros(&[0, 3]));
    /// let err = Reduction::Mean.try_apply("my_loss", none.square()).unwrap_err();
    /// assert!(err.to_string().starts_with("my_loss: the mean over [0, 3]"), "{err}");
    /// assert_eq!(Reduction::Sum.try_apply("my_loss", none.square()).unwrap().item(), 0.0);
    /// ```
    #[track_caller]
    pub fn try_apply<'t, T: Float>(self, op: &'static str, per_element: Var<'t, T>) -> Result<Var<'t, T>> {
        if self == Reduction::Mean && per_element.is_empty() {
            return Err(empty_mean(op, per_element));
        }
        Ok(self.apply(per_element))
    }
}

/// The error for the mean over `input`, which has no elements, in loss `op`.
fn empty_mean<T: Float>(op: &'static str, input: Var<'_, T>) -> Error {
    invalid(
        op,
        format!(
            "the mean over {:?} ({}), which has no elements, is undefined; Reduction::Sum gives 0",
            input.shape(),
            input.node()
        ),
    )
}

/// Runs `f` with the nodes it records located at the caller of the loss function (see
/// [`wengert_tape::Tape::located_at`]): a Wengert list points at the user's call, not into
/// this file.
#[track_caller]
fn located<'t, T: Float, R>(x: Var<'t, T>, f: impl FnOnce() -> R) -> R {
    x.tape().located_at(std::panic::Location::caller(), f)
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
/// Values match PyTorch everywhere (p = 0, t = 1 gives 100). The gradient is the
/// derivative of the value: −t/p + (1−t)/(1−p) where no log is clamped, and 0 through a
/// clamped log. PyTorch's fused backward returns (p − t)/max(p(1 − p), 1e−12) instead (its
/// 1e−12 rounded to f32), so the two agree only while p(1 − p) ≥ 1e−12: at p = 0, t = 1
/// PyTorch gives −1.000000004e12 (0 here), and at p = 1e−13, t = 1, where neither clamps
/// the log, −1.000000004e12 against the derivative −1e13 of the loss −ln p. Prefer
/// [`bce_with_logits`] when you have the logits.
///
/// # Errors
/// `InvalidArgument` naming `bce`, the operand, the value, its index, shape and node if
/// an element of `p` or of `target` lies outside [0, 1] or is NaN, as PyTorch's `BCELoss`
/// refuses them ("all elements of input should be between 0 and 1"): a p of 1.5 would
/// otherwise cost a finite, meaningless amount. `ShapeMismatch` if the shapes differ; the
/// mean of no elements.
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
#[track_caller]
pub fn bce<'t, T: Float>(p: Var<'t, T>, target: Var<'t, T>, reduction: Reduction) -> Result<Var<'t, T>> {
    located(p, || {
        same_shape("bce", p, target)?;
        in_unit_interval("p", " (probabilities; bce_with_logits takes logits)", p)?;
        in_unit_interval("target", "", target)?;
        reduce("bce", p, reduction, || {
            let one_minus_t = target.rsub(T::ONE);
            Ok(-(target * clamped_ln(p) + one_minus_t * clamped_ln(p.rsub(T::ONE))))
        })
    })
}

/// An error naming `bce`, the operand `what`, its first element outside [0, 1] (NaN
/// included, as PyTorch's `0 <= x <= 1` check refuses it) with its index, and the operand's
/// shape and node.
fn in_unit_interval<T: Float>(what: &str, hint: &str, x: Var<'_, T>) -> Result<()> {
    let v = x.value();
    let Some(i) = v.data().iter().position(|&e| !(e >= T::ZERO && e <= T::ONE)) else {
        return Ok(());
    };
    let dims = v.shape();
    let index = wengert_tape::shape::unravel(i, dims);
    Err(invalid(
        "bce",
        format!(
            "{what} must lie in [0, 1]{hint}, got {} at {index:?} of {dims:?} ({})",
            v.data()[i],
            x.node()
        ),
    ))
}

/// Binary cross-entropy on logits, numerically stable, like PyTorch's
/// `BCEWithLogitsLoss`: ℓ = −[t·ln σ(x) + (1−t)·ln(1 − σ(x))], computed as
/// (1 − t)·x + softplus(−x) for x > 0 and −t·x + softplus(x) for x ≤ 0 (chosen with
/// `select`), so that softplus only sees −|x|.
///
/// Finite and exact for any finite logit (x = ±1000 included), because `softplus` is one
/// tape op computed without overflow. Its derivative is exactly σ, so the gradient is
/// (1 − t) − σ(−x) for x > 0 and σ(x) − t for x ≤ 0, both σ(x) − t, also at x = 0 (a
/// `max(x, 0) − x·t + log1p(e^−|x|)` composition gets x = 0 wrong: the kinks of max and
/// |·| do not cancel). A small loss of a negative logit keeps its digits: x = −40, t = 0
/// costs softplus(−40) = 4.2e−18 with gradient σ(−40), where −40 + softplus(40) and
/// 1 − σ(40) both round to 0. At x = ±∞ the loss is its limit: 0 where σ(x) = t (the
/// product c·x is selected away where its factor c is 0 and x is infinite, instead of
/// forming 0·∞ = NaN), +∞ elsewhere, with gradient σ(x) − t (PyTorch returns NaN for the
/// value at (+∞, 1), (−∞, 0), (−∞, 1) and (−∞, ½)). The gradient with respect to a target
/// that requires grad is −x, as PyTorch's, at the targets 0 and 1 too, except at an infinite
/// logit where σ(x) = t: there it is NaN, because the loss has no derivative in t (it is 0
/// at that target and infinite on either side).
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
#[track_caller]
pub fn bce_with_logits<'t, T: Float>(
    logits: Var<'t, T>,
    target: Var<'t, T>,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    BceWithLogits::new().reduction(reduction).loss(logits, target)
}

/// [`bce_with_logits`] with PyTorch's `weight=` and `pos_weight=` (`BCEWithLogitsLoss`):
/// ℓ = −w·[p·t·ln σ(x) + (1−t)·ln(1 − σ(x))], where the weight w rescales each element's
/// loss and the positive weight p the positive term (p > 1 raises recall on an imbalanced
/// set: p = #negatives / #positives per class is the usual choice). Both broadcast to the
/// logits' shape as in PyTorch (a `[c]` positive weight is one per class of `[n, c]`
/// logits). Computed as c·x + (1 + (p − 1)·t)·softplus(∓x), with c = 1 − t for x > 0 and
/// −p·t otherwise, so that softplus only sees −|x|, as [`bce_with_logits`]; without either
/// weight the ops recorded are [`bce_with_logits`]'s. [`Reduction::Mean`] divides by the
/// number of elements (not by the weights), as PyTorch.
///
/// ```
/// use wengert_nn::loss::{BceWithLogits, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([[0.0, 0.0]]));
/// let y = t.constant(&Tensor::from([[1.0, 0.0]]));
/// let loss = BceWithLogits::new().reduction(Reduction::Sum).pos_weight(Tensor::from([3.0, 3.0]));
/// let l = loss.loss(x, y)?;
/// assert!((l.item() - 4.0 * 2f64.ln()).abs() < 1e-15); // 3·ln 2 + ln 2
/// assert_eq!(l.backward().wrt(x).data(), [-1.5, 0.5]); // p·(σ(0) − 1), σ(0)
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BceWithLogits {
    reduction: Reduction,
    weight: Option<Tensor<f64>>,
    pos_weight: Option<Tensor<f64>>,
}

impl BceWithLogits {
    /// PyTorch's defaults: [`Reduction::Mean`], no weights.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the reduction.
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// Sets the weight w of each element's loss (PyTorch's `weight=`), broadcast to the
    /// logits' shape; its values must be finite (checked when the loss is computed).
    pub fn weight(mut self, weight: Tensor<f64>) -> Self {
        self.weight = Some(weight);
        self
    }

    /// Sets the weight p of the positive term (PyTorch's `pos_weight=`), broadcast to the
    /// logits' shape (`[c]` for one per class of `[n, c]` logits); its values must be
    /// finite (checked when the loss is computed).
    pub fn pos_weight(mut self, pos_weight: Tensor<f64>) -> Self {
        self.pos_weight = Some(pos_weight);
        self
    }

    /// The loss of `logits` against `target` (same shape).
    ///
    /// # Errors
    /// `ShapeMismatch` if the shapes differ; `InvalidArgument` naming `bce_with_logits` if
    /// a weight does not broadcast to the logits' shape or holds a value that is not finite;
    /// the mean of no elements.
    #[track_caller]
    pub fn loss<'t, T: Float>(&self, logits: Var<'t, T>, target: Var<'t, T>) -> Result<Var<'t, T>> {
        const OP: &str = "bce_with_logits";
        located(logits, || {
            same_shape(OP, logits, target)?;
            let shape = logits.shape();
            let constant = |what: &str, w: &Tensor<f64>| -> Result<Var<'t, T>> {
                let bad = |msg: String| Error::InvalidArgument { op: OP, msg };
                if let Some(i) = w.data().iter().position(|v| !v.is_finite()) {
                    return Err(bad(format!("{what} element {i} is {}, not finite", w.data()[i])));
                }
                if !wengert_tape::shape::can_broadcast_to(w.shape(), &shape) {
                    return Err(bad(format!(
                        "{what} of shape {:?} does not broadcast to the logits' shape {:?} ({})",
                        w.shape(),
                        &shape[..],
                        logits.node()
                    )));
                }
                let data: Vec<T> = w.data().iter().map(|&v| T::from_f64(v)).collect();
                logits.tape().constant_from(w.shape(), &data).try_broadcast_to(&shape)
            };
            let weight = self.weight.as_ref().map(|w| constant("weight", w)).transpose()?;
            let pos_weight = self.pos_weight.as_ref().map(|p| constant("pos_weight", p)).transpose()?;
            reduce(OP, logits, self.reduction, || {
                // c·x + L·softplus(∓x): c = 1 − t for x > 0, else −p·t, and L = 1 + (p − 1)·t
                // (1 without a positive weight), so that softplus only sees −|x|. The product
                // is selected away where c = 0 and x is infinite, where it would be 0·∞ =
                // NaN (the loss's limit there is the softplus term alone, 0). Only there: at
                // a finite x the product keeps its gradient −x into a target of 0 or 1.
                let pos = logits.step_mask();
                let positive = match pos_weight {
                    Some(p) => p * target,
                    None => target,
                };
                let c = pos.try_select(target.rsub(T::ONE), -positive)?;
                let keep = c.try_select(
                    c.tape().scalar_constant(T::ONE),
                    logits.range_mask(-T::INFINITY, T::INFINITY),
                )?;
                let linear = (c * logits).try_masked(keep)?;
                let softplus = pos.try_select(-logits, logits)?.softplus();
                let per = match pos_weight {
                    Some(_) => linear + (positive - target + T::ONE) * softplus,
                    None => linear + softplus,
                };
                Ok(match weight {
                    Some(w) => per * w,
                    None => per,
                })
            })
        })
    }
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
#[track_caller]
pub fn mse<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>, reduction: Reduction) -> Result<Var<'t, T>> {
    located(pred, || {
        same_shape("mse", pred, target)?;
        reduce("mse", pred, reduction, || Ok((pred - target).square()))
    })
}

/// An error naming loss `op`, the parameter `name` and its value, and the prediction
/// `pred`, unless `ok` (the parameter is `what` and finite).
fn check_param<T: Float>(
    op: &'static str,
    name: &str,
    v: T,
    ok: bool,
    what: &str,
    pred: Var<'_, T>,
) -> Result<()> {
    if ok {
        return Ok(());
    }
    Err(invalid(
        op,
        format!("{name} must be {what} and finite, got {v} (pred {:?}, {})", pred.shape(), pred.node()),
    ))
}

/// An `InvalidArgument` error of loss `op`.
fn invalid(op: &'static str, msg: String) -> Error {
    Error::InvalidArgument { op, msg }
}

/// Builds the per-element losses with `per` and applies `reduction`, refusing first (so
/// that nothing is recorded) the mean over an `input` with no elements (0/0 would be a
/// silent NaN); the error names `input`, the operand as the caller gave it.
fn reduce<'t, T: Float>(
    op: &'static str,
    input: Var<'t, T>,
    reduction: Reduction,
    per: impl FnOnce() -> Result<Var<'t, T>>,
) -> Result<Var<'t, T>> {
    if reduction == Reduction::Mean && input.is_empty() {
        return Err(empty_mean(op, input));
    }
    Ok(reduction.apply(per()?))
}

/// The rows n and classes c of a `[n, c]` matrix of class scores, or an error naming
/// `what` (e.g. "logits") if it is not 2-d or has no classes.
fn rows_and_classes<T: Float>(op: &'static str, what: &str, x: Var<'_, T>) -> Result<(usize, usize)> {
    let s = x.shape();
    if s.len() != 2 {
        return Err(invalid(
            op,
            format!(
                "{what} must be 2-d [n, c] (one row of c class scores per example), got {s:?} ({}); \
                 reshape a single example [c] to [1, c]",
                x.node()
            ),
        ));
    }
    if s[1] == 0 {
        return Err(invalid(op, format!("{what} {s:?} ({}) have no classes (c = 0)", x.node())));
    }
    Ok((s[0], s[1]))
}

/// Checks that `targets` holds one class index below c per row of the `[n, c]` matrix `x`;
/// a target equal to `ignore` is accepted whatever its value (PyTorch's `ignore_index`
/// need not be a class).
fn check_classes<T: Float>(
    op: &'static str,
    what: &str,
    x: Var<'_, T>,
    targets: &[usize],
    ignore: Option<usize>,
) -> Result<(usize, usize)> {
    let (n, c) = rows_and_classes(op, what, x)?;
    if targets.len() != n {
        return Err(invalid(
            op,
            format!(
                "{what} {:?} ({}) have {n} rows but {} targets were given (one class index per row)",
                x.shape(),
                x.node(),
                targets.len()
            ),
        ));
    }
    if let Some((i, &t)) = targets.iter().enumerate().find(|&(_, &t)| t >= c && Some(t) != ignore) {
        return Err(invalid(
            op,
            format!(
                "target {t} at row {i} is out of range: {what} {:?} ({}) have {c} classes, 0..={}",
                x.shape(),
                x.node(),
                c - 1
            ),
        ));
    }
    Ok((n, c))
}

/// Entry `targets[i]` of each row i of the `[n, c]` matrix `x`, as an `[n]` vector.
///
/// Composition: `reshape([n·c])` then `index_select` at i·c + tᵢ. The pick is exact (no
/// multiplication by a one-hot mask, so a −∞ entry of another class cannot become
/// 0·(−∞) = NaN) and costs O(n); its backward scatters the n gradients into n·c zeros.
fn pick<'t, T: Float>(x: Var<'t, T>, targets: &[usize], n: usize, c: usize) -> Result<Var<'t, T>> {
    let flat: Vec<usize> = targets.iter().enumerate().map(|(i, &t)| i * c + t).collect();
    x.try_reshape(&[n * c])?.try_index_select(&flat)
}

/// Cross-entropy of logits against class indices, like PyTorch's
/// `F.cross_entropy(logits, targets, reduction=...)` (`label_smoothing = 0`; class weights
/// and `ignore_index` are [`CrossEntropy`]'s): ℓᵢ = −log_softmax(xᵢ)\[tᵢ\]
/// = logsumexp(xᵢ) − xᵢ\[tᵢ\].
///
/// `logits` is `[n, c]` (one row of unnormalised scores per example), `targets` holds n
/// class indices in `0..c`. The log-probabilities come from the tape's `log_softmax`
/// ((x − m) − ln Σ e^(x − m), m the row maximum, as PyTorch), never from ln(softmax), so the loss is
/// finite for any finite logits (±1000 included) and the gradient is softmax(xᵢ) −
/// one_hot(tᵢ), divided by n for [`Reduction::Mean`]. The target entry of each row is
/// picked with `index_select` on the flattened log-probabilities (exact, O(n)).
///
/// For label smoothing or class-probability targets, use [`CrossEntropy`]: this function
/// is `CrossEntropy::new().reduction(reduction).classes(logits, targets)`.
///
/// # Errors
/// `InvalidArgument` naming `cross_entropy`, the shape and the node of `logits` if they
/// are not 2-d or have no classes, if `targets.len()` ≠ n, or (with the offending row
/// and value) if a target is ≥ c; also for [`Reduction::Mean`] over n = 0 rows.
///
/// ```
/// use wengert_nn::loss::{cross_entropy, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// // two examples, three classes, all scores equal: p = 1/3 for every class
/// let x = t.var(&Tensor::from([[0.0, 0.0, 0.0], [5.0, 5.0, 5.0]]));
/// let l = cross_entropy(x, &[0, 2], Reduction::Mean)?;
/// assert!((l.item() - 3f64.ln()).abs() < 1e-15);
/// // gradient (softmax − one_hot) / n
/// let g = l.backward().wrt(x);
/// let want = [-1.0 / 3.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, 1.0 / 6.0, -1.0 / 3.0];
/// assert!(g.data().iter().zip(want).all(|(a, b)| (a - b).abs() < 1e-15));
/// // a class index out of range is an error, not a panic or a NaN
/// assert!(cross_entropy(x, &[0, 3], Reduction::Mean).is_err());
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn cross_entropy<'t, T: Float>(
    logits: Var<'t, T>,
    targets: &[usize],
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(logits, || CrossEntropy::new().reduction(reduction).classes(logits, targets))
}

/// Cross-entropy with PyTorch's options: label smoothing, class-probability targets, class
/// weights and an ignored target index. A builder like the optimizers, mirroring
/// `torch.nn.CrossEntropyLoss(weight=..., ignore_index=..., reduction=...,
/// label_smoothing=...)`; the defaults are PyTorch's ([`Reduction::Mean`], ε = 0, no
/// weights, nothing ignored).
///
/// * [`CrossEntropy::classes`]: targets are class indices tᵢ ∈ 0..c. With smoothing ε,
///   ℓᵢ = (1 − ε)·(−log pᵢ\[tᵢ\]) + (ε/c)·Σₖ(−log pᵢₖ): the cross-entropy against the
///   target distribution (1 − ε)·one_hot(tᵢ) + ε/c, as PyTorch defines it.
/// * [`CrossEntropy::probs`]: targets are a `[n, c]` variable T of class probabilities
///   (soft labels); ℓᵢ = −Σₖ T̃ᵢₖ·log pᵢₖ with T̃ = (1 − ε)·T + ε/c. Like PyTorch, the rows
///   of T are not checked to sum to 1, and gradients flow into T too if it is a variable.
///
/// Here log p = log_softmax(logits) over the classes (stable for any finite logits), and
/// the reduction is over the n rows. The separate methods keep the two kinds of targets
/// apart in the types (PyTorch tells them apart by the target's dtype and shape).
///
/// ```
/// use wengert_nn::loss::{CrossEntropy, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::<f64>::new();
/// let x = t.var(&Tensor::from([[2.0, 0.0, -1.0]]));
/// let ce = CrossEntropy::new().label_smoothing(0.1).reduction(Reduction::Sum);
/// let hard = ce.classes(x, &[0])?;
/// // the same loss written with the smoothed target distribution
/// let soft = ce.label_smoothing(0.0).probs(x, t.constant(&Tensor::from([[0.9 + 0.1 / 3.0, 0.1 / 3.0, 0.1 / 3.0]])))?;
/// assert!((hard.item() - soft.item()).abs() < 1e-15);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CrossEntropy {
    reduction: Reduction,
    label_smoothing: f64,
    weight: Option<Vec<f64>>,
    ignore_index: Option<usize>,
}

impl CrossEntropy {
    /// PyTorch's defaults: [`Reduction::Mean`], no label smoothing.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the reduction over the rows.
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// Sets the label smoothing ε, which must be in [0, 1] (checked when the loss is
    /// computed, which returns an error otherwise). 0 turns it off and records no extra
    /// ops.
    pub fn label_smoothing(mut self, epsilon: f64) -> Self {
        self.label_smoothing = epsilon;
        self
    }

    /// Sets a weight per class (PyTorch's `weight=`), one for each of the c classes, each
    /// finite (checked when the loss is computed). A row with target tᵢ counts
    /// w\[tᵢ\] times, and [`Reduction::Mean`] divides by Σᵢ w\[tᵢ\] instead of n (a
    /// weighted mean, as PyTorch does); with label smoothing the smoothing term is
    /// weighted per class too, Σₖ wₖ·(−log pᵢₖ). With probability targets
    /// ([`CrossEntropy::probs`]) the class k term counts wₖ times and the mean divides by n.
    pub fn weight(mut self, weights: &[f64]) -> Self {
        self.weight = Some(weights.to_vec());
        self
    }

    /// Rows whose target is `index` contribute nothing (PyTorch's `ignore_index`): no loss,
    /// no gradient, and they are left out of [`Reduction::Mean`]'s count (or weight sum).
    /// `index` need not be a class (PyTorch's default is −100; any value ≥ c works here).
    /// With [`Reduction::None`] such rows hold 0. Only for class-index targets:
    /// [`CrossEntropy::probs`] refuses it, as PyTorch does.
    ///
    /// ```
    /// use wengert_nn::loss::CrossEntropy;
    /// use wengert_tape::{Tape, Tensor};
    ///
    /// let t = Tape::<f64>::new();
    /// let x = t.var(&Tensor::from([[0.0, 0.0], [3.0, -3.0]]));
    /// // the second row is padding: its target is the ignored index 99
    /// let l = CrossEntropy::new().weight(&[2.0, 1.0]).ignore_index(99).classes(x, &[0, 99])?;
    /// assert!((l.item() - 2f64.ln()).abs() < 1e-15); // 2·ln 2, divided by the weight 2
    /// assert_eq!(&l.backward().wrt(x).data()[2..], &[0.0, 0.0]);
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    pub fn ignore_index(mut self, index: usize) -> Self {
        self.ignore_index = Some(index);
        self
    }

    /// The label smoothing as T, or an error naming the value if it is not in [0, 1].
    fn epsilon<T: Float>(&self) -> Result<T> {
        let e = self.label_smoothing;
        if !(0.0..=1.0).contains(&e) {
            return Err(invalid("cross_entropy", format!("label_smoothing must be in [0, 1], got {e}")));
        }
        Ok(T::from_f64(e))
    }

    /// The loss of `logits` (`[n, c]`) against class indices `targets` (n of them, each
    /// in `0..c`). See [`cross_entropy`] for the composition and the errors; an ε outside
    /// [0, 1] is an error too.
    #[track_caller]
    pub fn classes<'t, T: Float>(&self, logits: Var<'t, T>, targets: &[usize]) -> Result<Var<'t, T>> {
        located(logits, || {
            const OP: &str = "cross_entropy";
            let (n, c) = check_classes(OP, "logits", logits, targets, self.ignore_index)?;
            let eps: T = self.epsilon()?;
            let weights = class_weights(OP, "logits", &self.weight, c, logits)?;
            if weights.is_some() || targets.iter().any(|&t| Some(t) == self.ignore_index) {
                let picked = Picked { x: logits, targets, n, c, log_softmax: true };
                return weighted(OP, picked, weights, self.ignore_index, eps, self.reduction);
            }
            reduce(OP, logits, self.reduction, || {
                let log_p = logits.try_log_softmax(1)?;
                let picked = pick(log_p, targets, n, c)?;
                Ok(if eps == T::ZERO {
                    -picked
                } else {
                    let all = log_p.try_sum_axis(1, false)?;
                    -(picked * (T::ONE - eps) + all * (eps / T::from_usize(c)))
                })
            })
        })
    }

    /// The loss of `logits` (`[n, c]`) against class probabilities `target` (`[n, c]`).
    ///
    /// # Errors
    /// `InvalidArgument` naming `cross_entropy` if `logits` are not 2-d or have no classes,
    /// or ε is outside [0, 1]; `ShapeMismatch` (both shapes and nodes) if `target` has
    /// another shape; `TapeMismatch` if the two are on different tapes; also
    /// [`Reduction::Mean`] over n = 0 rows.
    #[track_caller]
    pub fn probs<'t, T: Float>(&self, logits: Var<'t, T>, target: Var<'t, T>) -> Result<Var<'t, T>> {
        located(logits, || {
            const OP: &str = "cross_entropy";
            let (_, c) = rows_and_classes(OP, "logits", logits)?;
            same_shape(OP, logits, target)?;
            let eps: T = self.epsilon()?;
            if let Some(i) = self.ignore_index {
                return Err(invalid(
                    OP,
                    format!("ignore_index ({i}) applies to class-index targets only, not to probabilities"),
                ));
            }
            let weights = class_weights(OP, "logits", &self.weight, c, logits)?;
            reduce(OP, logits, self.reduction, || {
                let log_p = logits.try_log_softmax(1)?;
                let smoothed =
                    if eps == T::ZERO { target } else { target * (T::ONE - eps) + eps / T::from_usize(c) };
                let terms = smoothed * log_p;
                let terms = match weights {
                    Some(w) => terms * logits.tape().constant(&Tensor::new(&[1, c], w)?),
                    None => terms,
                };
                Ok(-terms.try_sum_axis(1, false)?)
            })
        })
    }
}

/// Class weights as T, one per class of `x` (`what`, e.g. "logits"), each finite; `None`
/// without weights.
fn class_weights<T: Float>(
    op: &'static str,
    what: &str,
    weight: &Option<Vec<f64>>,
    c: usize,
    x: Var<'_, T>,
) -> Result<Option<Vec<T>>> {
    let Some(w) = weight else { return Ok(None) };
    if w.len() != c {
        return Err(invalid(
            op,
            format!(
                "weight holds {} values but {what} {:?} ({}) have {c} classes (one weight per class)",
                w.len(),
                x.shape(),
                x.node()
            ),
        ));
    }
    if let Some((k, v)) = w.iter().enumerate().find(|(_, v)| !v.is_finite()) {
        return Err(invalid(op, format!("weight of class {k} must be finite, got {v}")));
    }
    Ok(Some(w.iter().map(|&v| T::from_f64(v)).collect()))
}

/// The `[n, c]` scores a class-index loss picks from, and whether they are logits (taken
/// through `log_softmax` first) or log-probabilities already.
struct Picked<'a, 't, T: Float> {
    x: Var<'t, T>,
    targets: &'a [usize],
    n: usize,
    c: usize,
    log_softmax: bool,
}

/// A class-index loss with class weights or ignored rows (PyTorch's definition): the
/// kept rows (all of them when nothing is ignored) selected before anything else, so an
/// ignored row's −∞ cannot turn into NaN; the log-probabilities of those rows (their
/// `log_softmax` for logits); the target entries picked and multiplied by their weights;
/// with smoothing ε, (1 − ε) of that plus (ε/c)·Σₖ wₖ·(−log pₖ); and the weighted mean's
/// denominator Σ w\[tᵢ\] over the kept rows, a constant. A mean over nothing is an error.
fn weighted<'t, T: Float>(
    op: &'static str,
    p: Picked<'_, 't, T>,
    weights: Option<Vec<T>>,
    ignore: Option<usize>,
    eps: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    let Picked { x, targets, n, c, log_softmax } = p;
    let kept: Vec<usize> = (0..n).filter(|&i| Some(targets[i]) != ignore).collect();
    let m = kept.len();
    let kept_targets: Vec<usize> = kept.iter().map(|&i| targets[i]).collect();
    let row_weights: Vec<T> =
        kept_targets.iter().map(|&t| weights.as_ref().map_or(T::ONE, |w| w[t])).collect();
    let denominator = row_weights.iter().fold(T::ZERO, |s, &w| s + w);
    if reduction == Reduction::Mean && denominator == T::ZERO {
        return Err(invalid(
            op,
            format!(
                "the weighted mean over {:?} ({}) is undefined: {} of {n} rows are ignored and the \
                 weights of the rest sum to 0; Reduction::Sum gives 0",
                x.shape(),
                x.node(),
                n - m
            ),
        ));
    }
    let t = x.tape();
    let rows = if m == n { x } else { x.try_index_select(&kept)? };
    let log_p = if log_softmax { rows.try_log_softmax(1)? } else { rows };
    let picked = pick(log_p, &kept_targets, m, c)?;
    let nll = match &weights {
        Some(_) => -(picked * t.constant(&Tensor::new(&[m], row_weights)?)),
        None => -picked,
    };
    let per = if eps == T::ZERO {
        nll
    } else {
        let terms = match &weights {
            Some(w) => log_p * t.constant(&Tensor::new(&[1, c], w.clone())?),
            None => log_p,
        };
        nll * (T::ONE - eps) - terms.try_sum_axis(1, false)? * (eps / T::from_usize(c))
    };
    Ok(match reduction {
        Reduction::None if m == n => per,
        Reduction::None => per.try_scatter_rows(&kept, n)?,
        Reduction::Sum => per.sum(),
        Reduction::Mean => per.sum() / denominator,
    })
}

/// Negative log-likelihood of log-probabilities, like PyTorch's `F.nll_loss` (class
/// weights and `ignore_index` are [`NllLoss`]'s): ℓᵢ = −xᵢ\[tᵢ\].
///
/// `log_probs` is `[n, c]`, usually `log_softmax` of logits over the classes (then this is
/// [`cross_entropy`] of the logits); it is not checked to hold log-probabilities.
/// The entries are picked exactly with `index_select` (as in [`cross_entropy`]), so the
/// gradient is −one_hot(tᵢ) (divided by n for [`Reduction::Mean`]), and a −∞ in another
/// class does not turn into NaN.
///
/// # Errors
/// As [`cross_entropy`], naming `nll_loss` and `log_probs`.
///
/// ```
/// use wengert_nn::loss::{nll_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let lp = t.var(&Tensor::from([[-0.5, -1.0], [-2.0, -0.25]]));
/// assert_eq!(nll_loss(lp, &[1, 0], Reduction::Sum)?.item(), 3.0);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn nll_loss<'t, T: Float>(
    log_probs: Var<'t, T>,
    targets: &[usize],
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(log_probs, || NllLoss::new().reduction(reduction).classes(log_probs, targets))
}

/// Negative log-likelihood with PyTorch's options, mirroring
/// `torch.nn.NLLLoss(weight=..., ignore_index=..., reduction=...)`: [`nll_loss`] with class
/// weights and an ignored target index, defined as in [`CrossEntropy::weight`] and
/// [`CrossEntropy::ignore_index`] (a row counts w\[tᵢ\] times, the mean is weighted,
/// ignored rows contribute nothing). `NllLoss` of `log_softmax(1)` is [`CrossEntropy`]
/// with the same options.
///
/// ```
/// use wengert_nn::loss::NllLoss;
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::<f64>::new();
/// let lp = t.var(&Tensor::from([[-0.5, -1.0], [-2.0, -0.25], [-0.1, -3.0]]));
/// // weights 1 and 3; the last row is ignored: (1·1.0 + 3·2.0) / (3 + 1)
/// let l = NllLoss::new().weight(&[3.0, 1.0]).ignore_index(7).classes(lp, &[1, 0, 7])?;
/// assert_eq!(l.item(), 7.0 / 4.0);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq)]
pub struct NllLoss {
    reduction: Reduction,
    weight: Option<Vec<f64>>,
    ignore_index: Option<usize>,
}

impl NllLoss {
    /// PyTorch's defaults: [`Reduction::Mean`], no weights, nothing ignored.
    pub fn new() -> Self {
        Self::default()
    }

    /// Sets the reduction over the rows.
    pub fn reduction(mut self, reduction: Reduction) -> Self {
        self.reduction = reduction;
        self
    }

    /// Sets a weight per class, as [`CrossEntropy::weight`].
    pub fn weight(mut self, weights: &[f64]) -> Self {
        self.weight = Some(weights.to_vec());
        self
    }

    /// Leaves out the rows whose target is `index`, as [`CrossEntropy::ignore_index`].
    pub fn ignore_index(mut self, index: usize) -> Self {
        self.ignore_index = Some(index);
        self
    }

    /// The loss of `log_probs` (`[n, c]`) against class indices `targets`.
    ///
    /// # Errors
    /// As [`nll_loss`], and as [`CrossEntropy::classes`] for the weights and the weighted
    /// mean over nothing; all naming `nll_loss`.
    #[track_caller]
    pub fn classes<'t, T: Float>(&self, log_probs: Var<'t, T>, targets: &[usize]) -> Result<Var<'t, T>> {
        located(log_probs, || {
            const OP: &str = "nll_loss";
            let (n, c) = check_classes(OP, "log_probs", log_probs, targets, self.ignore_index)?;
            let weights = class_weights(OP, "log_probs", &self.weight, c, log_probs)?;
            if weights.is_some() || targets.iter().any(|&t| Some(t) == self.ignore_index) {
                let picked = Picked { x: log_probs, targets, n, c, log_softmax: false };
                return weighted(OP, picked, weights, self.ignore_index, T::ZERO, self.reduction);
            }
            reduce(OP, log_probs, self.reduction, || Ok(-pick(log_probs, targets, n, c)?))
        })
    }
}

/// Kullback–Leibler divergence KL(t ‖ q) from log-probabilities, like PyTorch's
/// `kl_div(input, target)` (`KLDivLoss`): per element t·(ln t − ln q), with `log_q` the
/// input (log-probabilities, e.g. `log_softmax`) and `target` probabilities. A target
/// element of exactly 0 contributes 0 (computed with [`Var::xlogy`], PyTorch's
/// `xlogy(t, t)`), not 0·ln 0 = NaN, so a one-hot or sparse target works.
///
/// The reductions are PyTorch's `'sum'`, `'mean'` (over elements) and `'none'`. The
/// divergence per example, which PyTorch's `'batchmean'` averages, is `Sum` divided by
/// the number of rows: `(kl_div(log_q, t, Sum)? / n as f64)`.
///
/// The gradient with respect to `log_q` is −t; with respect to `target`,
/// ln t + 1 − ln q where t > 0, and −ln q where t = 0 (where t·ln t has no derivative,
/// xlogy's is taken as 0).
///
/// # Errors
/// `ShapeMismatch` if the shapes differ; the mean of no elements.
///
/// ```
/// use wengert_nn::loss::{kl_div, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let logits = t.var(&Tensor::from([[0.2, -1.0, 0.5]]));
/// let p = t.constant(&Tensor::from([[0.0, 0.25, 0.75]]));
/// let l = kl_div(logits.log_softmax(1), p, Reduction::Sum)?;
/// let q = logits.softmax(1).value();
/// let want = 0.25 * (0.25f64 / q.data()[1]).ln() + 0.75 * (0.75f64 / q.data()[2]).ln();
/// assert!((l.item() - want).abs() < 1e-15);
/// let g = l.backward().wrt(logits); // softmax(x) − p, as cross-entropy's
/// assert!((g.data()[0] - q.data()[0]).abs() < 1e-15);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn kl_div<'t, T: Float>(
    log_q: Var<'t, T>,
    target: Var<'t, T>,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(log_q, || {
        const OP: &str = "kl_div";
        same_shape(OP, log_q, target)?;
        reduce(OP, log_q, reduction, || Ok(target.try_xlogy(target)? - target * log_q))
    })
}

/// Absolute error |x − y|, like PyTorch's `L1Loss`. The gradient is sign(x − y), and 0
/// where x = y (the tape's `abs`, PyTorch's convention).
///
/// ```
/// use wengert_nn::loss::{l1_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([1.0, -3.0]));
/// let y = t.constant(&Tensor::from([0.0, 0.0]));
/// assert_eq!(l1_loss(x, y, Reduction::Mean)?.item(), 2.0);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn l1_loss<'t, T: Float>(
    pred: Var<'t, T>,
    target: Var<'t, T>,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(pred, || {
        const OP: &str = "l1_loss";
        same_shape(OP, pred, target)?;
        reduce(OP, pred, reduction, || Ok((pred - target).abs()))
    })
}

/// Huber loss per element, without the reduction: with r = pred − target, ½r² where
/// |r| < δ and δ·(|r| − ½δ) elsewhere, chosen with `select`. The square is taken of r
/// selected to 0 outside, so that its backward (2r times a zero adjoint there) never
/// forms 0·∞ at an infinite residual.
fn huber_per<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>, delta: T) -> Result<Var<'t, T>> {
    let r = pred - target;
    let inside = r.range_mask(-delta, delta);
    let half = T::from_f64(0.5);
    let quadratic = r.try_masked(inside)?.square() * half;
    let linear = (r.abs() - half * delta) * delta;
    inside.try_select(quadratic, linear)
}

/// Huber loss, like PyTorch's `HuberLoss(delta=δ)` (PyTorch's default δ is 1):
/// ℓ = ½r² for |r| < δ and δ·(|r| − ½δ) otherwise, r = pred − target.
///
/// Composed as PyTorch's two formulas, chosen with `select` (`|r| < δ` is `range_mask`),
/// so each piece is rounded exactly as written above. The gradient is clamp(r, −δ, δ): r
/// inside, ±δ beyond, also at an infinite residual (the square is taken of r selected to
/// 0 outside, so no zero adjoint meets an infinite slope), and at |r| = δ exactly it is the
/// outer piece's δ·sign(r) = ±δ, PyTorch's value there (the loss is C¹, both sides
/// agree). At r = 0 it is 0.
///
/// # Errors
/// `InvalidArgument` naming `huber_loss` and the value if δ is not positive and finite
/// (PyTorch also refuses δ ≤ 0); `ShapeMismatch` if the shapes differ; the mean of no
/// elements.
///
/// ```
/// use wengert_nn::loss::{huber_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([0.5, 3.0, -1.0]));
/// let y = t.constant(&Tensor::from([0.0, 0.0, 0.0]));
/// let l = huber_loss(x, y, 1.0, Reduction::Sum)?;
/// assert_eq!(l.item(), 0.125 + 2.5 + 0.5); // ½·0.5², 1·(3 − ½), at the kink ½·1²
/// assert_eq!(l.backward().wrt(x).data(), [0.5, 1.0, -1.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn huber_loss<'t, T: Float>(
    pred: Var<'t, T>,
    target: Var<'t, T>,
    delta: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(pred, || {
        const OP: &str = "huber_loss";
        same_shape(OP, pred, target)?;
        check_param(OP, "delta", delta, delta > T::ZERO && delta.is_finite(), "positive", pred)?;
        reduce(OP, pred, reduction, || huber_per(pred, target, delta))
    })
}

/// Smooth L1 loss, like PyTorch's `SmoothL1Loss(beta=β)` (PyTorch's default β is 1):
/// ℓ = ½r²/β for |r| < β and |r| − ½β otherwise, r = pred − target; β = 0 is
/// [`l1_loss`], as in PyTorch.
///
/// Equal to the Huber loss with δ = β divided by β (PyTorch's relation), composed as
/// (|r| − q) + ½·q·(q/β) with q = |clamp(r, −β, β)|, which never divides anything larger
/// than β by β: a tiny or subnormal β keeps exact values and gradients (±1 beyond β).
/// The gradient is clamp(r/β, −1, 1): r/β inside, ±1 beyond (at an infinite residual
/// too: q is finite, so no zero derivative meets an infinite factor), and ±1 at |r| = β
/// exactly, PyTorch's value there (clamp' = 0 at its bounds leaves the sign(r) of |r|).
///
/// # Errors
/// `InvalidArgument` naming `smooth_l1_loss` and the value if β is negative, NaN or
/// infinite (PyTorch refuses β < 0); `ShapeMismatch` if the shapes differ; the mean of no
/// elements.
///
/// ```
/// use wengert_nn::loss::{smooth_l1_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([0.5, 3.0]));
/// let y = t.constant(&Tensor::from([0.0, 0.0]));
/// let l = smooth_l1_loss(x, y, 2.0, Reduction::Sum)?;
/// assert_eq!(l.item(), 0.0625 + 2.0); // ½·0.5²/2, 3 − ½·2
/// assert_eq!(l.backward().wrt(x).data(), [0.25, 1.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn smooth_l1_loss<'t, T: Float>(
    pred: Var<'t, T>,
    target: Var<'t, T>,
    beta: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(pred, || {
        const OP: &str = "smooth_l1_loss";
        same_shape(OP, pred, target)?;
        check_param(OP, "beta", beta, beta >= T::ZERO && beta.is_finite(), "non-negative", pred)?;
        reduce(OP, pred, reduction, || {
            Ok(if beta == T::ZERO {
                (pred - target).abs()
            } else {
                // (|r| − q) + ½·q·(q/β) with q = |clamp(r, −β, β)|: huber/β without dividing by
                // β anything larger than β (q/β ≤ 1), so a subnormal β neither overflows nor
                // loses the gradient: r/β inside, exactly ±1 beyond.
                let r = pred - target;
                let q = r.clamp(-beta, beta).abs();
                (r.abs() - q) + q * (q / beta) * T::from_f64(0.5)
            })
        })
    })
}

// ---------------------------------------------------------------------------------------
// More of PyTorch's losses: Poisson and Gaussian NLL, margin and embedding losses.
// ---------------------------------------------------------------------------------------

/// An `InvalidArgument` naming `op` and the value of hyperparameter `name` unless `ok`.
fn check_hyper(op: &'static str, name: &str, v: f64, ok: bool, what: &str) -> Result<()> {
    if ok {
        return Ok(());
    }
    Err(invalid(op, format!("{name} must be {what}, got {v}")))
}

/// Poisson negative log-likelihood, like PyTorch's
/// `F.poisson_nll_loss(input, target, log_input, full, eps=eps)` (`PoissonNLLLoss`):
/// ℓ = e^x − t·x with `log_input` (x is the log-rate), else ℓ = x − t·ln(x + eps) (x is the
/// rate); with `full`, Stirling's term t·ln t − t + ½·ln(2π·t) is added where t > 1 (0
/// where t ≤ 1), as PyTorch. PyTorch's defaults are `log_input = true`, `full = false`,
/// `eps = 1e-8`.
///
/// Composed as PyTorch's formulas, so values and gradients (e^x − t, or
/// 1 − t/(x + eps), with respect to the input; −x or −ln(x + eps), plus the derivative
/// of Stirling's term, with respect to a target that requires grad) match it.
///
/// # Errors
/// `ShapeMismatch` if the shapes differ; `InvalidArgument` naming `poisson_nll_loss` if
/// `eps` is negative or not finite, or for the mean of no elements.
///
/// ```
/// use wengert_nn::loss::{poisson_nll_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([0.0, 1.0]));
/// let y = t.constant(&Tensor::from([2.0, 0.0]));
/// let l = poisson_nll_loss(x, y, true, false, 1e-8, Reduction::Sum)?;
/// assert_eq!(l.item(), 1.0 + 1f64.exp()); // e⁰ − 2·0, e¹ − 0
/// assert_eq!(l.backward().wrt(x).data(), [-1.0, 1f64.exp()]); // eˣ − t
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn poisson_nll_loss<'t, T: Float>(
    input: Var<'t, T>,
    target: Var<'t, T>,
    log_input: bool,
    full: bool,
    eps: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(input, || {
        const OP: &str = "poisson_nll_loss";
        same_shape(OP, input, target)?;
        let e = eps.to_f64();
        check_hyper(OP, "eps", e, e >= 0.0 && e.is_finite(), "non-negative and finite")?;
        reduce(OP, input, reduction, || {
            let loss =
                if log_input { input.exp() - target * input } else { input - target * (input + eps).ln() };
            if !full {
                return Ok(loss);
            }
            // t·ln t − t + ½·ln(2π·t) where t > 1; t is replaced by 1 elsewhere (its terms
            // are selected away) so that no ln 0 or ln of a negative reaches the backward.
            let big = target.try_gt_mask(target.tape().scalar_constant(T::ONE))?;
            let ones = target.tape().constant(&Tensor::ones(&target.shape()));
            let t = big.try_select(target, ones)?;
            let two_pi = T::from_f64(2.0 * std::f64::consts::PI);
            let stirling = t * t.ln() - t + (t * two_pi).ln() * T::from_f64(0.5);
            Ok(loss + stirling.try_masked(big)?)
        })
    })
}

/// Gaussian negative log-likelihood, like PyTorch's
/// `F.gaussian_nll_loss(input, target, var, full, eps)` (`GaussianNLLLoss`):
/// ℓ = ½·(ln v + (x − t)²/v) with v = max(var, eps), plus ½·ln(2π) with `full`.
/// PyTorch's defaults are `full = false`, `eps = 1e-6`.
///
/// `var` has the input's shape, or the input's shape without its last dimension (one
/// variance per row, broadcast over the last dimension), or the input's number of
/// dimensions with exactly one of them 1 where the input's differs (PyTorch's rules).
/// The clamp at eps is PyTorch's: it clamps a clone of `var` under `no_grad`, so the
/// gradient with respect to `var` is ½·(1/v − (x − t)²/v²) evaluated at the clamped v,
/// also where var < eps (a straight-through clamp), not 0.
///
/// # Errors
/// `ShapeMismatch` if input and target shapes differ; `InvalidArgument` naming
/// `gaussian_nll_loss` if `var`'s shape is none of the above, an element of `var` is negative (as PyTorch: "var has
/// negative entry/entries"), or `eps` is not positive and finite; the mean of no elements.
///
/// ```
/// use wengert_nn::loss::{gaussian_nll_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([[1.0, 3.0]]));
/// let y = t.constant(&Tensor::from([[0.0, 1.0]]));
/// let v = t.var(&Tensor::from([2.0])); // one variance for the row
/// let l = gaussian_nll_loss(x, y, v, false, 1e-6, Reduction::Sum)?;
/// assert_eq!(l.item(), 0.5 * (2f64.ln() + 0.5) + 0.5 * (2f64.ln() + 2.0));
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn gaussian_nll_loss<'t, T: Float>(
    input: Var<'t, T>,
    target: Var<'t, T>,
    var: Var<'t, T>,
    full: bool,
    eps: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(input, || {
        const OP: &str = "gaussian_nll_loss";
        same_shape(OP, input, target)?;
        input.try_same_tape(var, OP)?;
        let e = eps.to_f64();
        check_hyper(OP, "eps", e, e > 0.0 && e.is_finite(), "positive and finite")?;
        if let Some(i) = var.value().data().iter().position(|&v| v < T::ZERO) {
            return Err(invalid(
                OP,
                format!(
                    "var must not be negative, got {} at element {i} of {:?} ({})",
                    var.value().data()[i],
                    var.shape(),
                    var.node()
                ),
            ));
        }
        let shape = input.shape();
        let vs = var.shape();
        let var = if vs == shape {
            var
        } else if !shape.is_empty() && vs[..] == shape[..shape.len() - 1] {
            let mut s = vs.to_vec();
            s.push(1);
            var.try_reshape(&s)?
        } else if vs.len() == shape.len()
            && vs.iter().zip(shape.iter()).filter(|(v, x)| v != x).map(|(v, _)| *v).sum::<usize>() == 1
            && wengert_tape::shape::can_broadcast_to(&vs, &shape)
        {
            var
        } else {
            return Err(invalid(
                OP,
                format!(
                    "var {:?} ({}) does not fit input {:?} ({}): it must have the input's shape, the \
                     input's shape without the last dimension, or the input's with one dimension 1",
                    &vs[..],
                    var.node(),
                    &shape[..],
                    input.node()
                ),
            ));
        };
        reduce(OP, input, reduction, || {
            // v = max(var, eps) in value, with var's own gradient (PyTorch's no_grad clamp
            // of a clone): eps + (var − detach(var)) where var < eps. NaN stays NaN.
            let low = var.try_lt_mask(var.tape().scalar_constant(eps))?;
            let v = low.try_select((var - var.detach()) + eps, var)?;
            let r = input - target;
            let loss = (v.ln().try_add(r.square().try_div(v)?)?) * T::from_f64(0.5);
            Ok(if full { loss + T::from_f64(0.5 * (2.0 * std::f64::consts::PI).ln()) } else { loss })
        })
    })
}

/// Margin ranking loss, like PyTorch's `F.margin_ranking_loss(x1, x2, y, margin)`
/// (`MarginRankingLoss`, default margin 0): ℓ = max(0, −y·(x1 − x2) + margin), y = ±1
/// saying which of x1, x2 should rank higher.
///
/// At the kink (−y·(x1 − x2) + margin = 0) the gradient is 0, PyTorch's `clamp_min`
/// subgradient.
///
/// # Errors
/// `ShapeMismatch` if x1, x2 and y differ in shape (PyTorch broadcasts tensors of one
/// number of dimensions; here they must be equal); `InvalidArgument` naming
/// `margin_ranking_loss` if the margin is not finite, or for the mean of no elements.
///
/// ```
/// use wengert_nn::loss::{margin_ranking_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let a = t.var(&Tensor::from([1.0, 0.0]));
/// let b = t.var(&Tensor::from([0.5, 0.5]));
/// let y = t.constant(&Tensor::from([1.0, 1.0]));
/// let l = margin_ranking_loss(a, b, y, 1.0, Reduction::Sum)?;
/// assert_eq!(l.item(), 0.5 + 1.5);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn margin_ranking_loss<'t, T: Float>(
    x1: Var<'t, T>,
    x2: Var<'t, T>,
    y: Var<'t, T>,
    margin: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(x1, || {
        const OP: &str = "margin_ranking_loss";
        same_shape(OP, x1, x2)?;
        same_shape(OP, x1, y)?;
        let m = margin.to_f64();
        check_hyper(OP, "margin", m, m.is_finite(), "finite")?;
        reduce(OP, x1, reduction, || Ok(((-y) * (x1 - x2) + margin).relu()))
    })
}

/// Hinge embedding loss, like PyTorch's `F.hinge_embedding_loss(x, y, margin)`
/// (`HingeEmbeddingLoss`, default margin 1): ℓ = x where y = 1, max(0, margin − x) where
/// y = −1. As PyTorch, a y other than ±1 gets both terms (x + max(0, margin − x)).
///
/// At x = margin (y = −1) the gradient is 0, PyTorch's `clamp_min` subgradient.
///
/// # Errors
/// `ShapeMismatch` if the shapes differ; `InvalidArgument` naming `hinge_embedding_loss`
/// if the margin is not finite, or for the mean of no elements.
///
/// ```
/// use wengert_nn::loss::{hinge_embedding_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([0.3, 0.3, 2.0]));
/// let y = t.constant(&Tensor::from([1.0, -1.0, -1.0]));
/// let l = hinge_embedding_loss(x, y, 1.0, Reduction::Sum)?;
/// assert_eq!(l.item(), 0.3 + 0.7);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn hinge_embedding_loss<'t, T: Float>(
    x: Var<'t, T>,
    y: Var<'t, T>,
    margin: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(x, || {
        const OP: &str = "hinge_embedding_loss";
        same_shape(OP, x, y)?;
        let m = margin.to_f64();
        check_hyper(OP, "margin", m, m.is_finite(), "finite")?;
        reduce(OP, x, reduction, || {
            let not_one = y.try_eq_mask(y.tape().scalar_constant(T::ONE))?.rsub(T::ONE);
            let not_minus_one = y.try_eq_mask(y.tape().scalar_constant(-T::ONE))?.rsub(T::ONE);
            x.rsub(margin).relu().try_masked(not_one)?.try_add(x.try_masked(not_minus_one)?)
        })
    })
}

/// Soft margin loss, like PyTorch's `F.soft_margin_loss(x, y)` (`SoftMarginLoss`):
/// ℓ = ln(1 + e^(−y·x)), computed as softplus(−y·x), finite for any finite product
/// (PyTorch's log1p(exp(·)) overflows to ∞ beyond −y·x ≈ 709). The gradient is
/// −y·σ(−y·x).
///
/// # Errors
/// `ShapeMismatch` if the shapes differ; `InvalidArgument` naming `soft_margin_loss` for
/// the mean of no elements.
///
/// ```
/// use wengert_nn::loss::{soft_margin_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([0.0]));
/// let y = t.constant(&Tensor::from([1.0]));
/// let l = soft_margin_loss(x, y, Reduction::Mean)?;
/// assert_eq!(l.item(), 2f64.ln());
/// assert_eq!(l.backward().wrt(x).data(), [-0.5]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn soft_margin_loss<'t, T: Float>(
    x: Var<'t, T>,
    y: Var<'t, T>,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(x, || {
        const OP: &str = "soft_margin_loss";
        same_shape(OP, x, y)?;
        reduce(OP, x, reduction, || Ok(((-x) * y).softplus()))
    })
}

/// Checks `[n, d]` rows and an `[n]` label vector for the row-wise losses.
fn check_rows<T: Float>(op: &'static str, x: Var<'_, T>, y: Var<'_, T>) -> Result<()> {
    x.try_same_tape(y, op)?;
    let (xs, ys) = (x.shape(), y.shape());
    if xs.len() != 2 || ys.len() != 1 || ys[0] != xs[0] {
        return Err(invalid(
            op,
            format!(
                "inputs must be [n, d] with target [n], got input {:?} ({}) and target {:?} ({})",
                &xs[..],
                x.node(),
                &ys[..],
                y.node()
            ),
        ));
    }
    Ok(())
}

/// Cosine embedding loss, like PyTorch's `F.cosine_embedding_loss(x1, x2, y, margin)`
/// (`CosineEmbeddingLoss`, default margin 0), over the rows of `[n, d]` inputs with `[n]`
/// labels: ℓᵢ = 1 − cos where yᵢ = 1, max(0, cos − margin) where yᵢ = −1 (0 for any other
/// label, as PyTorch), with PyTorch's cosine
/// cos = Σ x1·x2 / √((Σ x1² + ε)·(Σ x2² + ε)), ε = 1e−12 rounded to f32 (as PyTorch's
/// kernel, 9.999999960041972e−13).
///
/// At cos = margin (y = −1) the gradient is 0, PyTorch's `clamp_min` subgradient.
///
/// # Errors
/// `ShapeMismatch` if x1 and x2 differ in shape; `InvalidArgument` naming
/// `cosine_embedding_loss` if they are not 2-d, y is not `[n]`, or the margin is not finite; the mean of no rows.
///
/// ```
/// use wengert_nn::loss::{cosine_embedding_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::<f64>::new();
/// let a = t.var(&Tensor::from([[1.0, 0.0], [1.0, 0.0]]));
/// let b = t.var(&Tensor::from([[0.0, 2.0], [3.0, 0.0]]));
/// let y = t.constant(&Tensor::from([1.0, -1.0]));
/// let l = cosine_embedding_loss(a, b, y, 0.0, Reduction::None)?;
/// let v = l.value();
/// assert!((v.data()[0] - 1.0).abs() < 1e-15 && (v.data()[1] - 1.0).abs() < 1e-12);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn cosine_embedding_loss<'t, T: Float>(
    x1: Var<'t, T>,
    x2: Var<'t, T>,
    y: Var<'t, T>,
    margin: T,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(x1, || {
        const OP: &str = "cosine_embedding_loss";
        same_shape(OP, x1, x2)?;
        check_rows(OP, x1, y)?;
        let m = margin.to_f64();
        check_hyper(OP, "margin", m, m.is_finite(), "finite")?;
        // PyTorch's EPSILON is the f32 1e−12 (9.999999960041972e−13 in f64).
        let eps = T::from_f64(f64::from(1e-12f32));
        let prod = (x1 * x2).try_sum_axis(1, false)?;
        let m1 = (x1 * x1).try_sum_axis(1, false)? + eps;
        let m2 = (x2 * x2).try_sum_axis(1, false)? + eps;
        let cos = prod / (m1 * m2).sqrt();
        let pos = cos.rsub(T::ONE).try_masked(y.try_eq_mask(y.tape().scalar_constant(T::ONE))?)?;
        let neg = (cos - margin).relu().try_masked(y.try_eq_mask(y.tape().scalar_constant(-T::ONE))?)?;
        reduction.try_apply(OP, pos + neg)
    })
}

/// PyTorch's `pairwise_distance(a, b, p, eps)`: the p-norm of a − b + eps over the last
/// axis. For p other than 1 and 2 both powers, |·|^p of each entry and the 1/p-th root of
/// their sum, go through [`pow_zero_masked`], as PyTorch's norm backward masks zeros: an
/// entry of exactly 0 (where the slope of |·|^p is infinite for p < 1) and a distance of
/// exactly 0 (the root's infinite slope) get gradient 0, not 0·∞ = NaN.
fn pairwise_distance<'t, T: Float>(a: Var<'t, T>, b: Var<'t, T>, p: f64, eps: T) -> Result<Var<'t, T>> {
    let d = (a - b) + eps;
    if p == 2.0 {
        d.try_norm_axis(-1, false)
    } else if p == 1.0 {
        d.abs().try_sum_axis(-1, false)
    } else {
        let terms = pow_zero_masked(d.abs(), p)?;
        pow_zero_masked(terms.try_sum_axis(-1, false)?, 1.0 / p)
    }
}

/// xᵉ for x ≥ 0, through two `select`s on x > 0: 0 with gradient 0 where x = 0, whatever
/// the slope of xᵉ there (infinite for e < 1).
fn pow_zero_masked<'t, T: Float>(x: Var<'t, T>, e: f64) -> Result<Var<'t, T>> {
    let (pos, tape) = (x.step_mask(), x.tape());
    let safe = pos.try_select(x, tape.scalar_constant(T::ONE))?;
    pos.try_select(safe.powf(T::from_f64(e)), tape.scalar_constant(T::ZERO))
}

/// Triplet margin loss, like PyTorch's
/// `F.triplet_margin_loss(anchor, positive, negative, margin, p, eps, swap)`
/// (`TripletMarginLoss`, defaults margin 1, p 2, eps 1e−6, swap false), over the rows of
/// `[n, d]` inputs (or one `[d]` triplet): ℓ = max(0, margin + d(a, p) − d(a, n)), with
/// PyTorch's pairwise distance d(u, v) = ‖u − v + eps‖_p over the last axis; with `swap`,
/// d(a, n) is replaced by min(d(a, n), d(p, n)).
///
/// At the kink the gradient is 0, PyTorch's `clamp_min` subgradient; a tie in the swap's
/// minimum splits the gradient in halves, as PyTorch's `min`. For p other than 1 and 2
/// the norm is (Σ |·|^p)^(1/p), with |·|^p and the root each taken through two `select`s,
/// so that an entry of u − v + eps that is exactly 0 gets gradient 0, for p < 1 too (where
/// the slope of |·|^p there is infinite), and so does a distance of exactly 0: PyTorch's
/// masks.
///
/// # Errors
/// `ShapeMismatch` if the three shapes differ; `InvalidArgument` naming
/// `triplet_margin_loss` if they are not 1-d or 2-d, p is not positive and finite, eps is negative or not finite, or the margin
/// is not finite; the mean of no rows.
///
/// ```
/// use wengert_nn::loss::{triplet_margin_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let a = t.var(&Tensor::from([[0.0, 0.0]]));
/// let p = t.var(&Tensor::from([[3.0, 4.0]]));
/// let n = t.var(&Tensor::from([[6.0, 8.0]]));
/// let l = triplet_margin_loss(a, p, n, 6.0, 2.0, 0.0, false, Reduction::Mean)?;
/// assert_eq!(l.item(), 1.0); // 6 + 5 − 10
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[allow(clippy::too_many_arguments)]
#[track_caller]
pub fn triplet_margin_loss<'t, T: Float>(
    anchor: Var<'t, T>,
    positive: Var<'t, T>,
    negative: Var<'t, T>,
    margin: T,
    p: f64,
    eps: T,
    swap: bool,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(anchor, || {
        const OP: &str = "triplet_margin_loss";
        same_shape(OP, anchor, positive)?;
        same_shape(OP, anchor, negative)?;
        let s = anchor.shape();
        if s.is_empty() || s.len() > 2 {
            return Err(invalid(
                OP,
                format!("inputs must be [n, d] or [d], got {:?} ({})", &s[..], anchor.node()),
            ));
        }
        let m = margin.to_f64();
        check_hyper(OP, "margin", m, m.is_finite(), "finite")?;
        check_hyper(OP, "p", p, p > 0.0 && p.is_finite(), "positive and finite")?;
        let e = eps.to_f64();
        check_hyper(OP, "eps", e, e >= 0.0 && e.is_finite(), "non-negative and finite")?;
        let d_pos = pairwise_distance(anchor, positive, p, eps)?;
        let mut d_neg = pairwise_distance(anchor, negative, p, eps)?;
        if swap {
            d_neg = d_neg.try_minimum(pairwise_distance(positive, negative, p, eps)?)?;
        }
        reduction.try_apply(OP, ((d_pos + margin) - d_neg).relu())
    })
}

/// Multi-label soft margin loss, like PyTorch's `F.multilabel_soft_margin_loss(x, y)`
/// (`MultiLabelSoftMarginLoss`, without class weights): for `[n, c]` logits and 0/1
/// targets, ℓᵢ = −(1/c)·Σₖ [yᵢₖ·ln σ(xᵢₖ) + (1 − yᵢₖ)·ln σ(−xᵢₖ)], one loss per row,
/// then the reduction over the rows. The gradient is (σ(x) − y)/c per element (before the
/// reduction).
///
/// # Errors
/// `ShapeMismatch` if the shapes differ; `InvalidArgument` naming
/// `multilabel_soft_margin_loss` if the input is not 2-d with at least one class, or for
/// the mean of no rows.
///
/// ```
/// use wengert_nn::loss::{multilabel_soft_margin_loss, Reduction};
/// use wengert_tape::{Tape, Tensor};
///
/// let t = Tape::new();
/// let x = t.var(&Tensor::from([[0.0, 0.0]]));
/// let y = t.constant(&Tensor::from([[1.0, 0.0]]));
/// let l = multilabel_soft_margin_loss(x, y, Reduction::Mean)?;
/// assert_eq!(l.item(), 2f64.ln());
/// assert_eq!(l.backward().wrt(x).data(), [-0.25, 0.25]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[track_caller]
pub fn multilabel_soft_margin_loss<'t, T: Float>(
    x: Var<'t, T>,
    y: Var<'t, T>,
    reduction: Reduction,
) -> Result<Var<'t, T>> {
    located(x, || {
        const OP: &str = "multilabel_soft_margin_loss";
        same_shape(OP, x, y)?;
        let s = x.shape();
        if s.len() != 2 || s[1] == 0 {
            return Err(invalid(
                OP,
                format!("input must be [n, c] with c ≥ 1 classes, got {:?} ({})", &s[..], x.node()),
            ));
        }
        let c = T::from_usize(s[1]);
        let terms = -(y * x.log_sigmoid() + y.rsub(T::ONE) * (-x).log_sigmoid());
        reduction.try_apply(OP, terms.try_sum_axis(1, false)? / c)
    })
}
