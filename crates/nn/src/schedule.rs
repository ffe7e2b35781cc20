//! Learning-rate schedulers with the semantics and the numbers of PyTorch's
//! `torch.optim.lr_scheduler` (checked against torch 2.15, `tests/lr_schedule.rs`).
//!
//! A scheduler is made from the optimizer it drives, as in PyTorch: the optimizer's lr at
//! that moment is the base lr, and the scheduler sets the lr of epoch 0 at once (only
//! [`LinearLr`], [`ConstantLr`], [`LambdaLr`] and a [`MultiStepLr`] milestone at 0 change
//! it). Then [`LrScheduler::step`], once per epoch after the optimizer's steps, moves to
//! the next epoch and sets the optimizer's lr:
//!
//! ```
//! use wengert_nn::{loss::{mse, Reduction}, optim::{Optimizer, Sgd}, Linear, Module};
//! use wengert_nn::schedule::{LrScheduler, StepLr};
//! use wengert_tape::{Tape, Tensor};
//!
//! let (x, y) = (Tensor::from([[1.0], [2.0]]), Tensor::from([[2.0], [4.0]]));
//! let mut model = Linear::<f64>::zeros(1, 1);
//! let mut opt = Sgd::new(0.1).momentum(0.9);
//! let mut sched = StepLr::new(&mut opt, 30, 0.1)?; // lr × 0.1 every 30 epochs
//! let mut tape = Tape::new();
//! for _epoch in 0..90 {
//!     tape.reset();
//!     let p = model.bind(&tape);
//!     let loss = mse(model.forward(&p, tape.constant(&x))?, tape.constant(&y), Reduction::Mean)?;
//!     opt.step(&mut model, &p, &loss.backward())?;
//!     sched.step(&mut opt); // after the optimizer, as in PyTorch
//! }
//! assert_eq!(sched.last_epoch(), 90);
//! assert_eq!(opt.lr(), 0.1 * 0.1 * 0.1 * 0.1); // decayed at epochs 30, 60 and 90
//! assert_eq!(opt.lr(), sched.last_lr());
//! # Ok::<(), wengert_tape::Error>(())
//! ```
//!
//! | scheduler | PyTorch | lr at epoch e (η₀ = base lr) |
//! |---|---|---|
//! | [`StepLr`] | `StepLR` | η₀·γ^⌊e / step_size⌋ |
//! | [`MultiStepLr`] | `MultiStepLR` | η₀·γ^(milestones ≤ e) |
//! | [`ConstantLr`] | `ConstantLR` | η₀·factor for e < total_iters, then η₀ |
//! | [`LinearLr`] | `LinearLR` | η₀·(s + (f − s)·min(e, n)/n), s, f = start, end factor |
//! | [`ExponentialLr`] | `ExponentialLR` | η₀·γ^e |
//! | [`PolynomialLr`] | `PolynomialLR` | η₀·(1 − min(e, n)/n)^power |
//! | [`CosineAnnealingLr`] | `CosineAnnealingLR` | η_min + (η₀ − η_min)·(1 + cos(π·e/T_max))/2 |
//! | [`LambdaLr`] | `LambdaLR` | η₀·f(e) |
//! | [`MultiplicativeLr`] | `MultiplicativeLR` | η₀·f(1)·f(2)⋯f(e) |
//! | [`ReduceLrOnPlateau`] | `ReduceLROnPlateau` | lr·factor after `patience` epochs without improvement |
//! | [`ChainedScheduler`] | `ChainedScheduler` | the product of its schedulers' factors |
//! | [`OneCycleLr`] | `OneCycleLR` | up from max_lr/div to max_lr, then annealed down; momentum inversely |
//! | [`CyclicLr`] | `CyclicLR` | triangular cycles between base_lr and max_lr; momentum inversely |
//!
//! [`OneCycleLr`] and [`CyclicLr`] are stepped once per batch, compute each step's lr
//! and momentum from the step alone (PyTorch's `get_lr` is not recursive for them, so
//! they do not chain), and also set the optimizer's momentum ([`Optimizer::set_momentum`]:
//! SGD's μ, Adam's β₁) through [`LrScheduler::last_momentum`]; their lrs and momenta are
//! PyTorch's to the last bit (0 ulp over the 15 configurations of the tests, on f64 and
//! f32 optimizers, SGD and Adam).
//!
//! # The recursive (chainable) form
//!
//! The closed forms above are what the schedules mean; the numbers are PyTorch's, which
//! (since 1.4) computes each epoch's lr from the optimizer's *current* lr, not from η₀
//! (the "chainable" `get_lr`): StepLR multiplies the current lr by γ at each multiple of
//! `step_size`, so after three decays the lr is ((η₀·γ)·γ)·γ, rounded at each product,
//! not η₀·γ³; CosineAnnealingLR uses
//!
//! ```text
//! η_e = η_min + (η_{e−1} − η_min) · (1 + cos(π·e/T_max)) / (1 + cos(π·(e−1)/T_max))
//! ```
//!
//! except at e = T_max + 1 + 2k·T_max, where the denominator is 0 and PyTorch adds
//! (η₀ − η_min)·(1 − cos(π/T_max))/2 instead; past T_max the lr so climbs back to η₀ and
//! anneals again, with period 2·T_max. These forms drift from the closed forms by some
//! ulps; every scheduler here follows PyTorch's form, with its operations in its order, in
//! f64 (Python floats) whatever the optimizer's float type, so its lrs are PyTorch's to
//! the last bit (measured: 0 ulp over 10–60 steps of each of the 27 configurations in the
//! tests, on f64 and f32 optimizers; a [`ChainedScheduler`] on an f32 optimizer is within
//! 1.2 ulp, see there).
//!
//! Following the current lr also makes schedulers chainable, as in PyTorch: schedulers
//! stepped one after the other on one optimizer, or as a [`ChainedScheduler`], compose,
//! and an lr set by hand ([`Optimizer::set_lr`]) between steps is where the next step
//! starts. A scheduler keeps the f64 lr it set and continues from it while the optimizer
//! still holds it; if the optimizer's lr has changed since, it continues from the
//! optimizer's lr instead.
//!
//! # f32 optimizers
//!
//! Lrs are computed in f64 and rounded to T when set ([`Optimizer::set_lr`]). The base lr
//! of an f32 optimizer is the f64 of its shortest decimal (0.1 for `0.1f32`), the number
//! the user wrote, as PyTorch gets it from Python; so an f32 optimizer's lr at every epoch
//! is PyTorch's lr rounded to f32.
//!
//! # Differences from PyTorch
//!
//! * Hyperparameters PyTorch takes but fails on later (a `step_size` or `T_max` of 0
//!   divides by zero at the first step, a `ConstantLR` factor of 0 at `total_iters`) or
//!   that give no meaningful lr (NaN or infinite values, a negative γ, `eta_min` or
//!   `power`) are refused when the scheduler is made, with an
//!   [`Error::InvalidArgument`] naming the PyTorch scheduler and the value. MultiStepLR
//!   milestones must be strictly increasing (PyTorch's documentation asks for
//!   increasing; its code also takes repeats, each applying γ once more).
//! * The base lr is the optimizer's lr when the scheduler is made. PyTorch takes the
//!   param group's `initial_lr`, which the first scheduler made on an optimizer records;
//!   the two differ only for a scheduler that uses η₀ ([`CosineAnnealingLr`] after T_max,
//!   [`LambdaLr`]) made on an optimizer whose lr another scheduler has already changed.
//! * [`OneCycleLr`] stepped past `total_steps` (PyTorch raises a `ValueError`) keeps its
//!   last lr and momentum; [`OneCycleLr::try_step`] returns the error instead. A phase
//!   of length 0 that PyTorch divides by zero in is refused at step 0 by
//!   [`OneCycleLr::new`], later by `try_step` (and kept by `step`). [`CyclicLr`] has no
//!   custom `scale_fn`.
//! * One learning rate per optimizer (the optimizers here have one param group), no
//!   deprecated `step(epoch)` and no `last_epoch` argument. To resume a schedule, save
//!   [`LrScheduler::state_dict`] and call [`LrScheduler::resume`] on a scheduler made the
//!   same way: it also sets the optimizer's lr, which PyTorch restores from the
//!   optimizer's own state dict (this crate's hold no hyperparameters).

use wengert_tape::{Error, Float, Result, Tensor};

use crate::module::StateDict;
use crate::optim::{as_written, Optimizer};

/// A learning-rate schedule that is stepped once per epoch (PyTorch's `LRScheduler`).
///
/// Implementors provide [`LrScheduler::advance`], the recursive form; [`LrScheduler::step`]
/// applies it to an optimizer. The trait is dyn-compatible: `Box<dyn LrScheduler>` is a
/// scheduler chosen at run time, and is stepped the same way.
///
/// ```
/// use wengert_nn::optim::{Adam, Optimizer};
/// use wengert_nn::schedule::{CosineAnnealingLr, ExponentialLr, LrScheduler};
///
/// let mut opt = Adam::<f32>::new(0.01);
/// let kind = "cosine"; // e.g. from a config file
/// let mut sched: Box<dyn LrScheduler> = match kind {
///     "cosine" => Box::new(CosineAnnealingLr::new(&mut opt, 10, 0.0)?),
///     _ => Box::new(ExponentialLr::new(&mut opt, 0.9)?),
/// };
/// for _ in 0..5 {
///     sched.step(&mut opt);
/// }
/// assert!((sched.last_lr() - 0.005).abs() < 1e-16); // half way: (1 + cos(π/2))/2
/// assert_eq!(opt.lr(), sched.last_lr() as f32);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub trait LrScheduler {
    /// Moves to the next epoch and returns its lr, computed from `lr`, the optimizer's lr
    /// now (PyTorch's chainable `get_lr`); [`LrScheduler::last_lr`] becomes it. No
    /// optimizer is changed: [`LrScheduler::step`] calls this and sets the lr.
    fn advance(&mut self, lr: f64) -> f64;

    /// The lr this scheduler set last (PyTorch's `get_last_lr()[0]`), in f64.
    fn last_lr(&self) -> f64;

    /// The epoch of [`LrScheduler::last_lr`] (PyTorch's `last_epoch`): 0 once made, one
    /// more at each step.
    fn last_epoch(&self) -> usize;

    /// The momentum this scheduler set last, for a scheduler that cycles it
    /// ([`OneCycleLr`], [`CyclicLr`]); `None` (the provided implementation) for one that
    /// does not. [`LrScheduler::step`] sets it with [`Optimizer::set_momentum`].
    fn last_momentum(&self) -> Option<f64> {
        None
    }

    /// Moves to the next epoch and sets the optimizer's lr to its lr, which it returns
    /// (PyTorch's `scheduler.step()`), and its momentum to
    /// [`LrScheduler::last_momentum`] if that is some. Call it after the epoch's
    /// optimizer steps. It starts from [`LrScheduler::last_lr`], or from the optimizer's
    /// lr if that has been changed since (by hand or by another scheduler).
    fn step<T: Float>(&mut self, opt: &mut (impl Optimizer<T> + ?Sized)) -> f64
    where
        Self: Sized,
    {
        let lr = self.advance(current_lr(opt, self.last_lr()));
        set_on(opt, lr, self.last_momentum());
        lr
    }

    /// The scheduler's state, to resume its schedule later ([`LrScheduler::resume`]; save
    /// it with [`crate::io::save_safetensors`]): PyTorch's `scheduler.state_dict()` without
    /// the settings, which are the scheduler's construction (as an optimizer's
    /// hyperparameters are). Each entry is a 0-d tensor: `last_epoch` and `last_lr`, with
    /// `base_lr` (η₀) for the schedulers that keep it and `last_momentum` for those that
    /// cycle the momentum; a [`ChainedScheduler`]'s entries are its schedulers', prefixed
    /// `0.`, `1.`, …. A [`LambdaLr`]'s or [`MultiplicativeLr`]'s function is not in it (as
    /// in PyTorch, which saves a lambda's state only for a callable object).
    ///
    /// The provided implementation, for a scheduler of your own, gives `last_epoch`,
    /// `last_lr` and `last_momentum` (if some); to be resumed, such a scheduler implements
    /// [`LrScheduler::load_state_dict`] too.
    fn state_dict(&self) -> StateDict<f64> {
        let mut d = state_of(&[("last_epoch", self.last_epoch() as f64), ("last_lr", self.last_lr())]);
        if let Some(m) = self.last_momentum() {
            d.insert("last_momentum".into(), Tensor::scalar(m));
        }
        d
    }

    /// Replaces the scheduler's state with `dict`, from [`LrScheduler::state_dict`] of a
    /// scheduler made the same way; on error the state is unchanged. The optimizer is not
    /// touched: [`LrScheduler::resume`] loads the state and sets the optimizer's lr.
    ///
    /// # Errors
    /// `InvalidArgument` naming the scheduler (PyTorch's class name) and the key, for a
    /// missing key, a key this scheduler does not keep, an entry that is not 0-d, an epoch
    /// or counter that is not a whole number ≥ 0, or an lr, η₀ or momentum that is not
    /// finite. The provided implementation refuses every dict: a scheduler of your own
    /// implements this method to be resumed.
    fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
        let _ = dict;
        Err(Error::InvalidArgument {
            op: "LrScheduler",
            msg: "this scheduler does not implement load_state_dict, so it cannot be resumed".into(),
        })
    }

    /// Resumes a schedule saved by [`LrScheduler::state_dict`]: loads the state
    /// ([`LrScheduler::load_state_dict`]), then sets the optimizer's lr (and momentum, for
    /// a scheduler that cycles it) to the ones the scheduler set last, as PyTorch's
    /// `optimizer.load_state_dict` restores the lr of its param group (this crate's
    /// optimizer state dicts hold no hyperparameters). Make the scheduler as the saved one
    /// was, on the optimizer it will step, then resume it; the schedule then continues as
    /// if it had never stopped (`tests/lr_schedule.rs` checks every scheduler bit for bit).
    /// Schedulers stepped one after the other on one optimizer are resumed in the same
    /// order.
    ///
    /// ```
    /// use wengert_nn::optim::{Optimizer, Sgd};
    /// use wengert_nn::schedule::{LrScheduler, StepLr};
    ///
    /// let mut opt = Sgd::<f32>::new(0.1);
    /// let mut sched = StepLr::new(&mut opt, 2, 0.5)?;
    /// for _ in 0..3 {
    ///     sched.step(&mut opt);
    /// }
    /// let saved = sched.state_dict(); // e.g. through io::save_safetensors and back
    ///
    /// let mut opt2 = Sgd::<f32>::new(0.1); // a new run, made as the first
    /// let mut sched2 = StepLr::new(&mut opt2, 2, 0.5)?;
    /// sched2.resume(&saved, &mut opt2)?;
    /// assert_eq!((sched2.last_epoch(), opt2.lr()), (3, 0.05));
    /// assert_eq!(sched2.step(&mut opt2), sched.step(&mut opt)); // epoch 4: 0.025
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    ///
    /// # Errors
    /// As [`LrScheduler::load_state_dict`]; the optimizer is then unchanged.
    fn resume<T: Float>(
        &mut self,
        dict: &StateDict<f64>,
        opt: &mut (impl Optimizer<T> + ?Sized),
    ) -> Result<()>
    where
        Self: Sized,
    {
        self.load_state_dict(dict)?;
        set_on(opt, self.last_lr(), self.last_momentum());
        Ok(())
    }
}

/// Sets `opt`'s lr to `lr` and, if some, its momentum to `momentum`.
fn set_on<T: Float>(opt: &mut (impl Optimizer<T> + ?Sized), lr: f64, momentum: Option<f64>) {
    opt.set_lr(T::from_f64(lr));
    if let Some(m) = momentum {
        opt.set_momentum(T::from_f64(m));
    }
}

/// A scheduler's state dict of `entries`, each a 0-d tensor.
fn state_of(entries: &[(&str, f64)]) -> StateDict<f64> {
    entries.iter().map(|&(k, v)| (k.to_string(), Tensor::scalar(v))).collect()
}

/// The entries of a scheduler's state that count (epochs, bad epochs, cooldown): whole
/// numbers ≥ 0. `best` may be ±∞ (before the first step); every other entry is finite.
const COUNTS: [&str; 3] = ["last_epoch", "num_bad_epochs", "cooldown_counter"];

/// Reads scheduler `op`'s state dict: the values of `keys`, each present, and of
/// `optional` if present; no other key, each entry 0-d, counts ([`COUNTS`]) whole
/// numbers up to 2⁵³, `best` not NaN, anything else finite.
fn read_state<const N: usize>(
    op: &'static str,
    dict: &StateDict<f64>,
    keys: [&str; N],
    optional: Option<&str>,
) -> Result<([f64; N], Option<f64>)> {
    let bad = |msg: String| Error::InvalidArgument { op, msg: format!("state dict: {msg}") };
    for (key, t) in dict {
        if !keys.contains(&key.as_str()) && optional != Some(key.as_str()) {
            let all: Vec<&str> = keys.iter().copied().chain(optional).collect();
            return Err(bad(format!("unexpected key '{key}' (this scheduler keeps {all:?})")));
        }
        if !t.shape().is_empty() {
            return Err(bad(format!("'{key}' must be a 0-d tensor, got shape {:?}", t.shape())));
        }
        let v = t.data()[0];
        let ok = if COUNTS.contains(&key.as_str()) {
            v >= 0.0 && v.fract() == 0.0 && v <= 2f64.powi(53)
        } else if key == "best" {
            !v.is_nan()
        } else {
            v.is_finite()
        };
        if !ok {
            let what = if COUNTS.contains(&key.as_str()) { "a whole number ≥ 0" } else { "finite" };
            return Err(bad(format!("'{key}' must be {what}, got {v}")));
        }
    }
    let mut values = [0.0; N];
    for (v, key) in values.iter_mut().zip(keys) {
        *v = dict.get(key).ok_or_else(|| bad(format!("no '{key}' entry")))?.data()[0];
    }
    Ok((values, optional.and_then(|k| dict.get(k)).map(|t| t.data()[0])))
}

impl<S: LrScheduler + ?Sized> LrScheduler for Box<S> {
    fn advance(&mut self, lr: f64) -> f64 {
        (**self).advance(lr)
    }

    fn last_lr(&self) -> f64 {
        (**self).last_lr()
    }

    fn last_epoch(&self) -> usize {
        (**self).last_epoch()
    }

    fn last_momentum(&self) -> Option<f64> {
        (**self).last_momentum()
    }

    fn state_dict(&self) -> StateDict<f64> {
        (**self).state_dict()
    }

    fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
        (**self).load_state_dict(dict)
    }
}

impl<S: LrScheduler + ?Sized> LrScheduler for &mut S {
    fn advance(&mut self, lr: f64) -> f64 {
        (**self).advance(lr)
    }

    fn last_lr(&self) -> f64 {
        (**self).last_lr()
    }

    fn last_epoch(&self) -> usize {
        (**self).last_epoch()
    }

    fn last_momentum(&self) -> Option<f64> {
        (**self).last_momentum()
    }

    fn state_dict(&self) -> StateDict<f64> {
        (**self).state_dict()
    }

    fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
        (**self).load_state_dict(dict)
    }
}

/// The optimizer's lr as a Python float: `last` (what a scheduler set) while the optimizer
/// still holds it, else the optimizer's own lr, read as written ([`as_written`]).
fn current_lr<T: Float>(opt: &(impl Optimizer<T> + ?Sized), last: f64) -> f64 {
    let lr = opt.lr();
    if lr == T::from_f64(last) {
        last
    } else {
        as_written(lr)
    }
}

/// Where a scheduler is: its base lr η₀, its epoch and the lr it set last.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Progress {
    base_lr: f64,
    epoch: usize,
    last_lr: f64,
}

impl Progress {
    /// Epoch 0 on `opt`: `first(η₀)` is its lr (PyTorch's initial step), set on `opt`.
    fn start<T: Float>(opt: &mut (impl Optimizer<T> + ?Sized), first: impl FnOnce(f64) -> f64) -> Self {
        let base_lr = as_written(opt.lr());
        let last_lr = first(base_lr);
        opt.set_lr(T::from_f64(last_lr));
        Progress { base_lr, epoch: 0, last_lr }
    }

    /// Moves to the next epoch and returns it.
    fn next(&mut self) -> usize {
        self.epoch += 1;
        self.epoch
    }

    /// Records `lr` as this epoch's and returns it.
    fn set(&mut self, lr: f64) -> f64 {
        self.last_lr = lr;
        lr
    }

    /// The state dict of a scheduler that keeps a `Progress`.
    fn state(&self) -> StateDict<f64> {
        state_of(&[("base_lr", self.base_lr), ("last_epoch", self.epoch as f64), ("last_lr", self.last_lr)])
    }

    /// Loads [`Progress::state`] for scheduler `op`.
    fn load(&mut self, op: &'static str, dict: &StateDict<f64>) -> Result<()> {
        let ([base_lr, epoch, last_lr], _) =
            read_state(op, dict, ["base_lr", "last_epoch", "last_lr"], None)?;
        *self = Progress { base_lr, epoch: epoch as usize, last_lr };
        Ok(())
    }
}

/// Implements the accessors and the state dict of [`LrScheduler`] from a `p: Progress`
/// field, for the scheduler PyTorch calls `$op`.
macro_rules! progress_accessors {
    ($op:literal) => {
        fn last_lr(&self) -> f64 {
            self.p.last_lr
        }

        fn last_epoch(&self) -> usize {
            self.p.epoch
        }

        fn state_dict(&self) -> StateDict<f64> {
            self.p.state()
        }

        fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
            self.p.load($op, dict)
        }
    };
}

/// The inherent `base_lr` of each scheduler that keeps a [`Progress`].
macro_rules! base_lr {
    ($($t:ident $(<$g:ident>)?),*) => {
        $(
            impl$(<$g>)? $t$(<$g>)? {
                /// The base lr η₀ (the optimizer's lr when the scheduler was made).
                pub fn base_lr(&self) -> f64 {
                    self.p.base_lr
                }
            }
        )*
    };
}

base_lr!(
    StepLr,
    MultiStepLr,
    ExponentialLr,
    CosineAnnealingLr,
    LinearLr,
    ConstantLr,
    PolynomialLr,
    LambdaLr<F>,
    MultiplicativeLr<F>
);

/// An `InvalidArgument` error for scheduler `op` unless `ok` (false for NaN too).
fn check(op: &'static str, ok: bool, what: &str, value: impl std::fmt::Display) -> Result<()> {
    if ok {
        Ok(())
    } else {
        Err(Error::InvalidArgument { op, msg: format!("{what}, got {value}") })
    }
}

/// γ: finite and ≥ 0.
fn check_gamma(op: &'static str, gamma: f64) -> Result<()> {
    check(op, gamma >= 0.0 && gamma.is_finite(), "gamma must be finite and ≥ 0", gamma)
}

/// Multiplies the lr by γ every `step_size` epochs (PyTorch's `StepLR`): η₀·γ^⌊e/step_size⌋,
/// computed as PyTorch does, by multiplying the current lr by γ at every multiple of
/// `step_size`.
///
/// ```
/// use wengert_nn::optim::Sgd;
/// use wengert_nn::schedule::{LrScheduler, StepLr};
///
/// let mut opt = Sgd::new(1.0);
/// let mut sched = StepLr::new(&mut opt, 2, 0.5)?;
/// let lrs: Vec<f64> = (0..6).map(|_| sched.step(&mut opt)).collect();
/// assert_eq!(lrs, [1.0, 0.5, 0.5, 0.25, 0.25, 0.125]); // epochs 1 to 6
/// assert!(StepLr::new(&mut opt, 0, 0.5).is_err());
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct StepLr {
    step_size: usize,
    gamma: f64,
    p: Progress,
}

impl StepLr {
    /// A StepLR on `opt` (PyTorch's default γ is 0.1).
    ///
    /// # Errors
    /// `InvalidArgument` naming `StepLR` if `step_size` is 0 or γ is negative, infinite or
    /// NaN; the optimizer is then unchanged.
    pub fn new<T: Float>(
        opt: &mut (impl Optimizer<T> + ?Sized),
        step_size: usize,
        gamma: f64,
    ) -> Result<Self> {
        const OP: &str = "StepLR";
        check(OP, step_size >= 1, "step_size must be ≥ 1", step_size)?;
        check_gamma(OP, gamma)?;
        Ok(StepLr { step_size, gamma, p: Progress::start(opt, |lr| lr) })
    }
}

impl LrScheduler for StepLr {
    fn advance(&mut self, lr: f64) -> f64 {
        let e = self.p.next();
        self.p.set(if e.is_multiple_of(self.step_size) { lr * self.gamma } else { lr })
    }

    progress_accessors!("StepLR");
}

/// Multiplies the lr by γ at each milestone epoch (PyTorch's `MultiStepLR`).
///
/// ```
/// use wengert_nn::optim::Sgd;
/// use wengert_nn::schedule::{LrScheduler, MultiStepLr};
///
/// let mut opt = Sgd::new(1.0);
/// let mut sched = MultiStepLr::new(&mut opt, &[2, 3], 0.5)?;
/// let lrs: Vec<f64> = (0..4).map(|_| sched.step(&mut opt)).collect();
/// assert_eq!(lrs, [1.0, 0.5, 0.25, 0.25]);
/// assert!(MultiStepLr::new(&mut opt, &[3, 2], 0.5).is_err());
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct MultiStepLr {
    milestones: Vec<usize>,
    gamma: f64,
    p: Progress,
}

impl MultiStepLr {
    /// A MultiStepLR on `opt` (PyTorch's default γ is 0.1). A milestone at 0 applies at
    /// once, as in PyTorch.
    ///
    /// # Errors
    /// `InvalidArgument` naming `MultiStepLR` if the milestones are not strictly
    /// increasing or γ is negative, infinite or NaN; the optimizer is then unchanged.
    pub fn new<T: Float>(
        opt: &mut (impl Optimizer<T> + ?Sized),
        milestones: &[usize],
        gamma: f64,
    ) -> Result<Self> {
        const OP: &str = "MultiStepLR";
        if let Some(i) = milestones.windows(2).position(|w| w[0] >= w[1]) {
            return Err(Error::InvalidArgument {
                op: OP,
                msg: format!(
                    "milestones must be strictly increasing, got {} after {} (milestones {milestones:?})",
                    milestones[i + 1],
                    milestones[i]
                ),
            });
        }
        check_gamma(OP, gamma)?;
        let at_zero = milestones.first() == Some(&0);
        let p = Progress::start(opt, |lr| if at_zero { lr * gamma } else { lr });
        Ok(MultiStepLr { milestones: milestones.to_vec(), gamma, p })
    }
}

impl LrScheduler for MultiStepLr {
    fn advance(&mut self, lr: f64) -> f64 {
        let e = self.p.next();
        // PyTorch's `lr * gamma ** count`, count = 1: gamma ** 1 is gamma.
        self.p.set(if self.milestones.binary_search(&e).is_ok() { lr * self.gamma } else { lr })
    }

    progress_accessors!("MultiStepLR");
}

/// Multiplies the lr by γ every epoch (PyTorch's `ExponentialLR`): η₀·γ^e, as a product
/// rounded at every epoch.
#[derive(Clone, Debug, PartialEq)]
pub struct ExponentialLr {
    gamma: f64,
    p: Progress,
}

impl ExponentialLr {
    /// An ExponentialLR on `opt`.
    ///
    /// # Errors
    /// `InvalidArgument` naming `ExponentialLR` if γ is negative, infinite or NaN; the
    /// optimizer is then unchanged.
    pub fn new<T: Float>(opt: &mut (impl Optimizer<T> + ?Sized), gamma: f64) -> Result<Self> {
        check_gamma("ExponentialLR", gamma)?;
        Ok(ExponentialLr { gamma, p: Progress::start(opt, |lr| lr) })
    }
}

impl LrScheduler for ExponentialLr {
    fn advance(&mut self, lr: f64) -> f64 {
        self.p.next();
        self.p.set(lr * self.gamma)
    }

    progress_accessors!("ExponentialLR");
}

/// Cosine annealing from η₀ down to η_min over `t_max` epochs (PyTorch's
/// `CosineAnnealingLR`, without restarts): η_min + (η₀ − η_min)·(1 + cos(π·e/T_max))/2.
///
/// The lrs are PyTorch's recursive form (see the [module docs](self)): each epoch scales
/// the current lr's distance to η_min by (1 + cos(π·e/T_max)) / (1 + cos(π·(e−1)/T_max)),
/// except at e = T_max + 1 + 2k·T_max, where it adds (η₀ − η_min)·(1 − cos(π/T_max))/2.
/// Past T_max the lr so rises back to η₀ (at 2·T_max) and anneals again, as in PyTorch.
///
/// ```
/// use wengert_nn::optim::Sgd;
/// use wengert_nn::schedule::{CosineAnnealingLr, LrScheduler};
///
/// let mut opt = Sgd::new(0.1);
/// let mut sched = CosineAnnealingLr::new(&mut opt, 4, 0.01)?;
/// let lrs: Vec<f64> = (0..8).map(|_| sched.step(&mut opt)).collect();
/// let closed = |e: f64| 0.01 + 0.09 * (1.0 + (std::f64::consts::PI * e / 4.0).cos()) / 2.0;
/// for (e, lr) in (1..=8).zip(lrs) {
///     assert!((lr - closed(e as f64)).abs() < 1e-15, "epoch {e}: {lr}");
/// }
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CosineAnnealingLr {
    t_max: usize,
    eta_min: f64,
    p: Progress,
}

impl CosineAnnealingLr {
    /// A CosineAnnealingLR on `opt` with period `t_max` (PyTorch's `T_max`) and floor
    /// `eta_min` (PyTorch's default is 0). `eta_min` may exceed the base lr (the lr then
    /// rises to it).
    ///
    /// # Errors
    /// `InvalidArgument` naming `CosineAnnealingLR` if `t_max` is 0 or `eta_min` is
    /// negative, infinite or NaN; the optimizer is then unchanged.
    pub fn new<T: Float>(opt: &mut (impl Optimizer<T> + ?Sized), t_max: usize, eta_min: f64) -> Result<Self> {
        const OP: &str = "CosineAnnealingLR";
        check(OP, t_max >= 1, "t_max must be ≥ 1", t_max)?;
        check(OP, eta_min >= 0.0 && eta_min.is_finite(), "eta_min must be finite and ≥ 0", eta_min)?;
        Ok(CosineAnnealingLr { t_max, eta_min, p: Progress::start(opt, |lr| lr) })
    }
}

impl LrScheduler for CosineAnnealingLr {
    fn advance(&mut self, lr: f64) -> f64 {
        use std::f64::consts::PI;
        let e = self.p.next();
        let (t, eta) = (self.t_max as f64, self.eta_min);
        // PyTorch 2.15's get_lr, term for term (Python's % is Euclidean).
        let next = if (e as i128 - 1 - self.t_max as i128).rem_euclid(2 * self.t_max as i128) == 0 {
            lr + (self.p.base_lr - eta) * (1.0 - (PI / t).cos()) / 2.0
        } else {
            (1.0 + (PI * e as f64 / t).cos()) / (1.0 + (PI * (e - 1) as f64 / t).cos()) * (lr - eta) + eta
        };
        self.p.set(next)
    }

    progress_accessors!("CosineAnnealingLR");
}

/// Scales the lr by a factor that moves linearly from `start_factor` to `end_factor` over
/// `total_iters` epochs, then stays (PyTorch's `LinearLR`, e.g. a warm-up): η₀·(s + (f −
/// s)·min(e, n)/n) with s, f the start and end factors and n = `total_iters`.
///
/// The lrs are PyTorch's recursive form: at epoch e ≤ n the current lr is multiplied by
/// 1 + (f − s)/(n·s + (e − 1)·(f − s)).
///
/// ```
/// use wengert_nn::optim::{Optimizer, Sgd};
/// use wengert_nn::schedule::{LinearLr, LrScheduler};
///
/// let mut opt = Sgd::new(0.1);
/// let mut warmup = LinearLr::new(&mut opt, 0.25, 1.0, 3)?;
/// assert_eq!(opt.lr(), 0.025); // epoch 0, at once
/// let lrs: Vec<f64> = (0..4).map(|_| warmup.step(&mut opt)).collect();
/// for (lr, want) in lrs.into_iter().zip([0.05, 0.075, 0.1, 0.1]) {
///     assert!((lr - want).abs() < 1e-16);
/// }
/// assert!(LinearLr::new(&mut opt, 0.0, 1.0, 3).is_err()); // start_factor in (0, 1]
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct LinearLr {
    start_factor: f64,
    end_factor: f64,
    total_iters: usize,
    p: Progress,
}

impl LinearLr {
    /// A LinearLR on `opt`; it multiplies the optimizer's lr by `start_factor` at once.
    /// PyTorch's defaults are 1/3, 1 and 5. With `total_iters` 0 the lr stays at
    /// η₀·`start_factor`, as in PyTorch.
    ///
    /// # Errors
    /// `InvalidArgument` naming `LinearLR` if `start_factor` is not in (0, 1] or
    /// `end_factor` not in [0, 1] (NaN is in neither), as PyTorch; the optimizer is then
    /// unchanged.
    pub fn new<T: Float>(
        opt: &mut (impl Optimizer<T> + ?Sized),
        start_factor: f64,
        end_factor: f64,
        total_iters: usize,
    ) -> Result<Self> {
        const OP: &str = "LinearLR";
        let (s, e) = (start_factor, end_factor);
        check(OP, s > 0.0 && s <= 1.0, "start_factor must be in (0, 1]", s)?;
        check(OP, (0.0..=1.0).contains(&e), "end_factor must be in [0, 1]", e)?;
        let p = Progress::start(opt, |lr| lr * s);
        Ok(LinearLr { start_factor: s, end_factor: e, total_iters, p })
    }
}

impl LrScheduler for LinearLr {
    fn advance(&mut self, lr: f64) -> f64 {
        let e = self.p.next();
        if e > self.total_iters {
            return self.p.set(lr);
        }
        let (s, d) = (self.start_factor, self.end_factor - self.start_factor);
        self.p.set(lr * (1.0 + d / (self.total_iters as f64 * s + (e - 1) as f64 * d)))
    }

    progress_accessors!("LinearLR");
}

/// Multiplies the lr by `factor` until epoch `total_iters`, then restores it (PyTorch's
/// `ConstantLR`): the lr is multiplied by `factor` at once and by 1/`factor` at
/// `total_iters`.
#[derive(Clone, Debug, PartialEq)]
pub struct ConstantLr {
    factor: f64,
    total_iters: usize,
    p: Progress,
}

impl ConstantLr {
    /// A ConstantLR on `opt` (PyTorch's defaults are 1/3 and 5). With `total_iters` 0
    /// the lr stays at η₀·`factor`, as in PyTorch.
    ///
    /// # Errors
    /// `InvalidArgument` naming `ConstantLR` if `factor` is not in (0, 1] (PyTorch takes 0
    /// and then divides by it at `total_iters`); the optimizer is then unchanged.
    pub fn new<T: Float>(
        opt: &mut (impl Optimizer<T> + ?Sized),
        factor: f64,
        total_iters: usize,
    ) -> Result<Self> {
        check("ConstantLR", factor > 0.0 && factor <= 1.0, "factor must be in (0, 1]", factor)?;
        Ok(ConstantLr { factor, total_iters, p: Progress::start(opt, |lr| lr * factor) })
    }
}

impl LrScheduler for ConstantLr {
    fn advance(&mut self, lr: f64) -> f64 {
        let e = self.p.next();
        self.p.set(if e == self.total_iters { lr * (1.0 / self.factor) } else { lr })
    }

    progress_accessors!("ConstantLR");
}

/// Polynomial decay to 0 over `total_iters` epochs (PyTorch's `PolynomialLR`):
/// η₀·(1 − min(e, n)/n)^power, computed as PyTorch does, by multiplying the current lr by
/// ((1 − e/n)/(1 − (e − 1)/n))^power at each epoch e ≤ n.
#[derive(Clone, Debug, PartialEq)]
pub struct PolynomialLr {
    total_iters: usize,
    power: f64,
    p: Progress,
}

impl PolynomialLr {
    /// A PolynomialLR on `opt` (PyTorch's defaults are 5 and 1).
    ///
    /// # Errors
    /// `InvalidArgument` naming `PolynomialLR` if `power` is negative, infinite or NaN;
    /// the optimizer is then unchanged.
    pub fn new<T: Float>(
        opt: &mut (impl Optimizer<T> + ?Sized),
        total_iters: usize,
        power: f64,
    ) -> Result<Self> {
        check("PolynomialLR", power >= 0.0 && power.is_finite(), "power must be finite and ≥ 0", power)?;
        Ok(PolynomialLr { total_iters, power, p: Progress::start(opt, |lr| lr) })
    }
}

impl LrScheduler for PolynomialLr {
    fn advance(&mut self, lr: f64) -> f64 {
        let e = self.p.next();
        if e > self.total_iters {
            return self.p.set(lr);
        }
        let n = self.total_iters as f64;
        let factor = ((1.0 - e as f64 / n) / (1.0 - (e - 1) as f64 / n)).powf(self.power);
        self.p.set(lr * factor)
    }

    progress_accessors!("PolynomialLR");
}

/// The lr η₀·f(e) for a function `f` of the epoch (PyTorch's `LambdaLR`), f(0) at once.
/// It does not read the current lr, so it does not chain.
///
/// ```
/// use wengert_nn::optim::{Optimizer, Sgd};
/// use wengert_nn::schedule::{LambdaLr, LrScheduler};
///
/// let mut opt = Sgd::<f32>::new(0.1);
/// // Warm up over 4 epochs, then decay as 1/√e.
/// let mut sched = LambdaLr::new(&mut opt, |e| if e < 4 { (e + 1) as f64 / 4.0 } else { 2.0 / (e as f64).sqrt() });
/// assert_eq!(opt.lr(), 0.025);
/// for _ in 0..3 {
///     sched.step(&mut opt);
/// }
/// assert_eq!((sched.last_lr(), opt.lr()), (0.1, 0.1));
/// ```
#[derive(Clone)]
pub struct LambdaLr<F> {
    f: F,
    p: Progress,
}

impl<F: FnMut(usize) -> f64> LambdaLr<F> {
    /// A LambdaLR on `opt`: sets its lr to η₀·f(0).
    pub fn new<T: Float>(opt: &mut (impl Optimizer<T> + ?Sized), mut f: F) -> Self {
        let p = Progress::start(opt, |lr| lr * f(0));
        LambdaLr { f, p }
    }
}

impl<F: FnMut(usize) -> f64> LrScheduler for LambdaLr<F> {
    fn advance(&mut self, _lr: f64) -> f64 {
        let e = self.p.next();
        self.p.set(self.p.base_lr * (self.f)(e))
    }

    progress_accessors!("LambdaLR");
}

impl<F> std::fmt::Debug for LambdaLr<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LambdaLr").field("p", &self.p).finish_non_exhaustive()
    }
}

/// Multiplies the current lr by f(e) at each epoch e ≥ 1 (PyTorch's `MultiplicativeLR`).
#[derive(Clone)]
pub struct MultiplicativeLr<F> {
    f: F,
    p: Progress,
}

impl<F: FnMut(usize) -> f64> MultiplicativeLr<F> {
    /// A MultiplicativeLR on `opt` (its lr is unchanged at epoch 0).
    pub fn new<T: Float>(opt: &mut (impl Optimizer<T> + ?Sized), f: F) -> Self {
        MultiplicativeLr { f, p: Progress::start(opt, |lr| lr) }
    }
}

impl<F: FnMut(usize) -> f64> LrScheduler for MultiplicativeLr<F> {
    fn advance(&mut self, lr: f64) -> f64 {
        let e = self.p.next();
        self.p.set(lr * (self.f)(e))
    }

    progress_accessors!("MultiplicativeLR");
}

impl<F> std::fmt::Debug for MultiplicativeLr<F> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MultiplicativeLr").field("p", &self.p).finish_non_exhaustive()
    }
}

/// Several schedulers stepped as one on one optimizer, each from the lr the one before
/// it gave (PyTorch's `ChainedScheduler`): the lrs compose, e.g. a [`LinearLr`] warm-up
/// with an [`ExponentialLr`] decay.
///
/// Make the schedulers on the optimizer in order (each sets its epoch-0 lr), then chain
/// them. Stepping them one after the other on the optimizer composes them too, and on an
/// f64 optimizer gives the same lrs; the chain passes each lr on in f64, so on an f32
/// optimizer its lrs stay PyTorch's instead of being rounded to f32 between schedulers.
/// One rounding remains there: a scheduler made after another reads the lr the first set
/// from the f32 optimizer (as its shortest decimal), which puts the chain's lrs within an
/// ulp or two of f64 of PyTorch's (measured: 1.2 ulp at most; 0 on f64 optimizers).
///
/// ```
/// use wengert_nn::optim::{Optimizer, Sgd};
/// use wengert_nn::schedule::{ChainedScheduler, ExponentialLr, LinearLr, LrScheduler};
///
/// let mut opt = Sgd::<f32>::new(0.1);
/// let warmup = LinearLr::new(&mut opt, 0.5, 1.0, 2)?;
/// let decay = ExponentialLr::new(&mut opt, 0.5)?;
/// let mut sched = ChainedScheduler::new(vec![Box::new(warmup), Box::new(decay)])?;
/// assert_eq!(sched.last_lr(), 0.05);
/// sched.step(&mut opt); // 0.05 · 1.5 · 0.5
/// assert!((sched.last_lr() - 0.0375).abs() < 1e-17);
/// assert_eq!(opt.lr(), 0.0375);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub struct ChainedScheduler {
    schedulers: Vec<Box<dyn LrScheduler>>,
}

impl ChainedScheduler {
    /// The chain of `schedulers`, stepped in this order.
    ///
    /// # Errors
    /// `InvalidArgument` naming `ChainedScheduler` if there is no scheduler, as PyTorch.
    pub fn new(schedulers: Vec<Box<dyn LrScheduler>>) -> Result<Self> {
        check("ChainedScheduler", !schedulers.is_empty(), "expects at least one scheduler", 0)?;
        Ok(ChainedScheduler { schedulers })
    }

    /// The chained schedulers.
    pub fn schedulers(&self) -> &[Box<dyn LrScheduler>] {
        &self.schedulers
    }
}

impl LrScheduler for ChainedScheduler {
    fn advance(&mut self, lr: f64) -> f64 {
        self.schedulers.iter_mut().fold(lr, |lr, s| s.advance(lr))
    }

    fn last_lr(&self) -> f64 {
        self.schedulers.last().map_or(f64::NAN, |s| s.last_lr())
    }

    fn last_epoch(&self) -> usize {
        self.schedulers.first().map_or(0, |s| s.last_epoch())
    }

    /// The momentum of the last scheduler of the chain that sets one.
    fn last_momentum(&self) -> Option<f64> {
        self.schedulers.iter().rev().find_map(|s| s.last_momentum())
    }

    /// Each scheduler's state dict, its keys prefixed by its position: `0.last_lr`, ….
    fn state_dict(&self) -> StateDict<f64> {
        let mut d = StateDict::new();
        for (i, s) in self.schedulers.iter().enumerate() {
            d.extend(s.state_dict().into_iter().map(|(k, t)| (format!("{i}.{k}"), t)));
        }
        d
    }

    /// Loads each scheduler's entries (prefixed `0.`, `1.`, …) into it; on error (a key
    /// without a known position, or any scheduler's error) no scheduler is changed.
    fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
        let n = self.schedulers.len();
        let mut parts = vec![StateDict::new(); n];
        for (key, t) in dict {
            let at = key.split_once('.').and_then(|(i, k)| Some((i.parse::<usize>().ok()?, k)));
            match at {
                Some((i, k)) if i < n => {
                    parts[i].insert(k.to_string(), t.clone());
                }
                _ => {
                    return Err(Error::InvalidArgument {
                        op: "ChainedScheduler",
                        msg: format!(
                            "state dict: unexpected key '{key}' (the chain has {n} schedulers, 0. to {}.)",
                            n - 1
                        ),
                    })
                }
            }
        }
        // Each scheduler's state is kept and put back if a later one refuses its part.
        let before: Vec<StateDict<f64>> = self.schedulers.iter().map(|s| s.state_dict()).collect();
        for (i, part) in parts.iter().enumerate() {
            if let Err(e) = self.schedulers[i].load_state_dict(part) {
                for (s, old) in self.schedulers[..i].iter_mut().zip(&before) {
                    // Every scheduler of this crate reloads its own state dict; one of
                    // the user's that does not keeps what it loaded.
                    let _ = s.load_state_dict(old);
                }
                return Err(e);
            }
        }
        Ok(())
    }
}

impl std::fmt::Debug for ChainedScheduler {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChainedScheduler")
            .field("len", &self.schedulers.len())
            .field("last_epoch", &self.last_epoch())
            .field("last_lr", &self.last_lr())
            .finish()
    }
}

/// Whether [`ReduceLrOnPlateau`] watches a quantity to minimise (a loss) or to maximise
/// (an accuracy).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlateauMode {
    /// Lower is better (PyTorch's `mode="min"`).
    Min,
    /// Higher is better (`mode="max"`).
    Max,
}

/// How [`ReduceLrOnPlateau`] compares a metric with the best so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThresholdMode {
    /// Better by a fraction: below best·(1 − threshold) in `Min` mode, above
    /// best·(1 + threshold) in `Max` mode (PyTorch's `threshold_mode="rel"`).
    Rel,
    /// Better by an amount: below best − threshold, or above best + threshold (`"abs"`).
    Abs,
}

/// The settings of [`ReduceLrOnPlateau`], PyTorch's arguments; `Default` gives PyTorch's
/// defaults.
///
/// ```
/// use wengert_nn::schedule::{PlateauConfig, PlateauMode};
///
/// let cfg = PlateauConfig { mode: PlateauMode::Max, factor: 0.5, patience: 3, ..PlateauConfig::default() };
/// assert_eq!(cfg.threshold, 1e-4);
/// ```
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlateauConfig {
    /// Minimise or maximise the metric (default `Min`).
    pub mode: PlateauMode,
    /// The lr is multiplied by it on a plateau, in [0, 1) (default 0.1).
    pub factor: f64,
    /// Epochs without improvement tolerated; the lr is reduced at the next (default 10).
    pub patience: usize,
    /// How much better a metric must be to count as an improvement (default 10⁻⁴).
    pub threshold: f64,
    /// Relative or absolute threshold (default `Rel`).
    pub threshold_mode: ThresholdMode,
    /// Epochs after a reduction during which bad epochs are not counted (default 0).
    pub cooldown: usize,
    /// The lr is not reduced below it (default 0).
    pub min_lr: f64,
    /// A reduction smaller than this is skipped (default 10⁻⁸).
    pub eps: f64,
}

impl Default for PlateauConfig {
    fn default() -> Self {
        PlateauConfig {
            mode: PlateauMode::Min,
            factor: 0.1,
            patience: 10,
            threshold: 1e-4,
            threshold_mode: ThresholdMode::Rel,
            cooldown: 0,
            min_lr: 0.0,
            eps: 1e-8,
        }
    }
}

/// Reduces the lr when a metric has stopped improving (PyTorch's `ReduceLROnPlateau`):
/// after more than `patience` epochs without a metric better than the best so far, the
/// lr becomes max(lr·factor, min_lr), unless that changes it by `eps` or less; then
/// `cooldown` epochs pass before bad epochs are counted again.
///
/// It is stepped with the epoch's metric, so it is not an [`LrScheduler`].
///
/// ```
/// use wengert_nn::optim::{Optimizer, Sgd};
/// use wengert_nn::schedule::{PlateauConfig, ReduceLrOnPlateau};
///
/// let mut opt = Sgd::new(0.1);
/// let cfg = PlateauConfig { factor: 0.5, patience: 1, ..PlateauConfig::default() };
/// let mut sched = ReduceLrOnPlateau::new(&opt, cfg)?;
/// for val_loss in [1.0, 0.8, 0.8, 0.8] {
///     sched.step(val_loss, &mut opt);
/// }
/// assert_eq!(opt.lr(), 0.05); // the second epoch at 0.8 is one too many
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct ReduceLrOnPlateau {
    cfg: PlateauConfig,
    best: f64,
    num_bad_epochs: usize,
    cooldown_counter: usize,
    epoch: usize,
    last_lr: f64,
}

impl ReduceLrOnPlateau {
    /// A ReduceLROnPlateau for `opt` (its lr is not changed).
    ///
    /// # Errors
    /// `InvalidArgument` naming `ReduceLROnPlateau` if `factor` is not in [0, 1) (PyTorch
    /// refuses factor ≥ 1), or `threshold`, `min_lr` or `eps` is negative, infinite or NaN.
    pub fn new<T: Float>(opt: &(impl Optimizer<T> + ?Sized), cfg: PlateauConfig) -> Result<Self> {
        const OP: &str = "ReduceLROnPlateau";
        let f = cfg.factor;
        check(OP, (0.0..1.0).contains(&f), "factor must be in [0, 1)", f)?;
        for (what, v) in [
            ("threshold must be finite and ≥ 0", cfg.threshold),
            ("min_lr must be finite and ≥ 0", cfg.min_lr),
            ("eps must be finite and ≥ 0", cfg.eps),
        ] {
            check(OP, v >= 0.0 && v.is_finite(), what, v)?;
        }
        let mut s = ReduceLrOnPlateau {
            cfg,
            best: 0.0,
            num_bad_epochs: 0,
            cooldown_counter: 0,
            epoch: 0,
            last_lr: as_written(opt.lr()),
        };
        s.reset();
        Ok(s)
    }

    /// Forgets the best metric and the bad and cooldown epochs (PyTorch's `_reset`).
    pub fn reset(&mut self) {
        self.best = match self.cfg.mode {
            PlateauMode::Min => f64::INFINITY,
            PlateauMode::Max => f64::NEG_INFINITY,
        };
        (self.num_bad_epochs, self.cooldown_counter) = (0, 0);
    }

    /// Ends an epoch whose metric is `metric` (e.g. the validation loss) and reduces the
    /// optimizer's lr if the metric has not improved for more than `patience` epochs.
    /// Returns the lr, which [`ReduceLrOnPlateau::last_lr`] becomes. A NaN metric is a bad
    /// epoch.
    pub fn step<T: Float>(&mut self, metric: f64, opt: &mut (impl Optimizer<T> + ?Sized)) -> f64 {
        self.epoch += 1;
        if self.is_better(metric) {
            self.best = metric;
            self.num_bad_epochs = 0;
        } else {
            self.num_bad_epochs += 1;
        }
        if self.cooldown_counter > 0 {
            self.cooldown_counter -= 1;
            self.num_bad_epochs = 0;
        }
        let mut lr = current_lr(opt, self.last_lr);
        if self.num_bad_epochs > self.cfg.patience {
            let scaled = lr * self.cfg.factor;
            // Python's max(scaled, min_lr): the first unless the second is greater.
            let new_lr = if self.cfg.min_lr > scaled { self.cfg.min_lr } else { scaled };
            if lr - new_lr > self.cfg.eps {
                lr = new_lr;
                opt.set_lr(T::from_f64(lr));
            }
            self.cooldown_counter = self.cfg.cooldown;
            self.num_bad_epochs = 0;
        }
        self.last_lr = lr;
        lr
    }

    /// Whether `a` improves on the best metric so far, as PyTorch's `_is_better`.
    fn is_better(&self, a: f64) -> bool {
        let (best, t) = (self.best, self.cfg.threshold);
        match (self.cfg.mode, self.cfg.threshold_mode) {
            (PlateauMode::Min, ThresholdMode::Rel) => a < best * (1.0 - t),
            (PlateauMode::Min, ThresholdMode::Abs) => a < best - t,
            (PlateauMode::Max, ThresholdMode::Rel) => a > best * (t + 1.0),
            (PlateauMode::Max, ThresholdMode::Abs) => a > best + t,
        }
    }

    /// The optimizer's lr after the last step (PyTorch's `get_last_lr()[0]`).
    pub fn last_lr(&self) -> f64 {
        self.last_lr
    }

    /// Steps taken (PyTorch's `last_epoch`).
    pub fn last_epoch(&self) -> usize {
        self.epoch
    }

    /// The best metric so far (±∞ before the first step).
    pub fn best(&self) -> f64 {
        self.best
    }

    /// Bad epochs counted since the last improvement or reduction.
    pub fn num_bad_epochs(&self) -> usize {
        self.num_bad_epochs
    }

    /// The scheduler's state, as [`LrScheduler::state_dict`]'s: `best`, `num_bad_epochs`,
    /// `cooldown_counter`, `last_epoch` and `last_lr`, each a 0-d tensor (the
    /// configuration is the scheduler's construction).
    pub fn state_dict(&self) -> StateDict<f64> {
        state_of(&[
            ("best", self.best),
            ("num_bad_epochs", self.num_bad_epochs as f64),
            ("cooldown_counter", self.cooldown_counter as f64),
            ("last_epoch", self.epoch as f64),
            ("last_lr", self.last_lr),
        ])
    }

    /// Replaces the state with `dict` from [`ReduceLrOnPlateau::state_dict`]; on error the
    /// state is unchanged.
    ///
    /// # Errors
    /// As [`LrScheduler::load_state_dict`]'s, naming `ReduceLROnPlateau` (`best` may be
    /// ±∞, not NaN).
    pub fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
        let keys = ["best", "num_bad_epochs", "cooldown_counter", "last_epoch", "last_lr"];
        let ([best, bad, cooldown, epoch, last_lr], _) = read_state("ReduceLROnPlateau", dict, keys, None)?;
        (self.best, self.num_bad_epochs, self.cooldown_counter) = (best, bad as usize, cooldown as usize);
        (self.epoch, self.last_lr) = (epoch as usize, last_lr);
        Ok(())
    }

    /// Resumes from `dict` ([`ReduceLrOnPlateau::load_state_dict`]) and sets the
    /// optimizer's lr to the restored last lr, as [`LrScheduler::resume`].
    ///
    /// # Errors
    /// As [`ReduceLrOnPlateau::load_state_dict`]; the optimizer is then unchanged.
    pub fn resume<T: Float>(
        &mut self,
        dict: &StateDict<f64>,
        opt: &mut (impl Optimizer<T> + ?Sized),
    ) -> Result<()> {
        self.load_state_dict(dict)?;
        set_on(opt, self.last_lr, None);
        Ok(())
    }
}

/// How [`OneCycleLr`] goes from one lr (and momentum) to the next within a phase.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AnnealStrategy {
    /// Cosine annealing, end + (start − end)/2·(cos(π·pct) + 1) (PyTorch's `"cos"`).
    Cos,
    /// Linear, (end − start)·pct + start (PyTorch's `"linear"`).
    Linear,
}

impl AnnealStrategy {
    /// PyTorch's `_annealing_cos` / `_annealing_linear`, term for term.
    fn anneal(self, start: f64, end: f64, pct: f64) -> f64 {
        match self {
            AnnealStrategy::Cos => {
                let cos_out = (std::f64::consts::PI * pct).cos() + 1.0;
                end + (start - end) / 2.0 * cos_out
            }
            AnnealStrategy::Linear => (end - start) * pct + start,
        }
    }
}

/// The settings of [`OneCycleLr`] besides `max_lr` and `total_steps`, PyTorch's
/// arguments; `Default` gives PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct OneCycleConfig {
    /// The fraction of the steps spent raising the lr, in [0, 1] (default 0.3).
    pub pct_start: f64,
    /// Cosine or linear annealing (default `Cos`).
    pub anneal_strategy: AnnealStrategy,
    /// Cycle the momentum inversely to the lr (default true).
    pub cycle_momentum: bool,
    /// The momentum at the peak lr (default 0.85).
    pub base_momentum: f64,
    /// The momentum at the start and the end (default 0.95).
    pub max_momentum: f64,
    /// The initial lr is `max_lr / div_factor` (default 25).
    pub div_factor: f64,
    /// The final lr is the initial lr / `final_div_factor` (default 10⁴).
    pub final_div_factor: f64,
    /// Three phases (up, down to the initial lr, down to the final lr) instead of two
    /// (default false).
    pub three_phase: bool,
}

impl Default for OneCycleConfig {
    fn default() -> Self {
        OneCycleConfig {
            pct_start: 0.3,
            anneal_strategy: AnnealStrategy::Cos,
            cycle_momentum: true,
            base_momentum: 0.85,
            max_momentum: 0.95,
            div_factor: 25.0,
            final_div_factor: 1e4,
            three_phase: false,
        }
    }
}

/// One phase of [`OneCycleLr`]: its last step (a float, as PyTorch's `end_step`) and
/// the lr and momentum it goes from and to.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Phase {
    end_step: f64,
    lr: (f64, f64),
    momentum: (f64, f64),
}

/// The 1cycle policy (PyTorch's `OneCycleLR`, Smith & Topin 2017), stepped once per
/// batch: the lr rises from `max_lr / div_factor` to `max_lr` over the first
/// `pct_start` of `total_steps` steps, then anneals to the initial lr /
/// `final_div_factor`; the momentum ([`Optimizer::set_momentum`]: SGD's μ, Adam's β₁)
/// moves the other way between `max_momentum` and `base_momentum`.
///
/// The lr and momentum of each step are computed from the step alone (PyTorch's
/// `get_lr` for OneCycleLR is not recursive), term for term as PyTorch, in f64. Like
/// PyTorch, making it sets the optimizer's lr (and momentum, when cycling) at once; it
/// does not read the optimizer's lr, so it does not chain.
///
/// PyTorch raises a `ValueError` when stepped past `total_steps`; [`LrScheduler::step`]
/// (which cannot fail) then keeps the last lr and momentum and leaves the optimizer as it
/// is, while counting the epoch. [`OneCycleLr::try_step`] returns the error instead.
///
/// ```
/// use wengert_nn::optim::{Optimizer, Sgd};
/// use wengert_nn::schedule::{AnnealStrategy, LrScheduler, OneCycleConfig, OneCycleLr};
///
/// let mut opt = Sgd::new(0.0).momentum(0.9);
/// let cfg = OneCycleConfig { anneal_strategy: AnnealStrategy::Linear, ..OneCycleConfig::default() };
/// let mut sched = OneCycleLr::new(&mut opt, 0.1, 10, cfg)?;
/// assert_eq!(opt.lr(), 0.1 / 25.0); // max_lr / div_factor
/// assert_eq!(opt.momentum_value(), Some(0.95)); // max_momentum
/// for _ in 0..2 {
///     sched.step(&mut opt);
/// }
/// assert_eq!(opt.lr(), 0.1); // the peak, at step pct_start·10 − 1
/// assert_eq!(opt.momentum_value(), Some(0.85)); // base_momentum
/// for _ in 2..10 {
///     sched.step(&mut opt);
/// }
/// assert!(sched.try_step(&mut opt).is_err()); // past total_steps, as PyTorch
/// assert_eq!(sched.last_epoch(), 10);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct OneCycleLr {
    total_steps: usize,
    phases: Vec<Phase>,
    anneal: AnnealStrategy,
    cycle_momentum: bool,
    epoch: usize,
    last_lr: f64,
    last_momentum: Option<f64>,
}

impl OneCycleLr {
    /// A OneCycleLR on `opt` peaking at `max_lr` and lasting `total_steps` steps
    /// (PyTorch's `total_steps`; for `epochs` and `steps_per_epoch`, pass their product).
    ///
    /// # Errors
    /// `InvalidArgument` naming `OneCycleLR`, as PyTorch's `ValueError`s, if
    /// `total_steps` is 0, `pct_start` is not in [0, 1], or `cycle_momentum` is set and
    /// `opt` has no momentum ([`Optimizer::momentum_value`] is `None`); also (PyTorch
    /// takes them) if `max_lr`, a momentum or a div factor is NaN or infinite, `max_lr` is
    /// negative, a div factor is not positive, or step 0 divides by zero (a first phase
    /// of length 0, `pct_start·total_steps` = 1, where PyTorch raises
    /// `ZeroDivisionError`). The optimizer is then unchanged.
    pub fn new<T: Float>(
        opt: &mut (impl Optimizer<T> + ?Sized),
        max_lr: f64,
        total_steps: usize,
        cfg: OneCycleConfig,
    ) -> Result<Self> {
        const OP: &str = "OneCycleLR";
        check(OP, total_steps >= 1, "expected positive integer total_steps", total_steps)?;
        let pct = cfg.pct_start;
        check(OP, (0.0..=1.0).contains(&pct), "expected float between 0 and 1 pct_start", pct)?;
        check(OP, max_lr >= 0.0 && max_lr.is_finite(), "max_lr must be finite and ≥ 0", max_lr)?;
        for (what, v) in [
            ("div_factor must be finite and > 0", cfg.div_factor),
            ("final_div_factor must be finite and > 0", cfg.final_div_factor),
        ] {
            check(OP, v > 0.0 && v.is_finite(), what, v)?;
        }
        for (what, v) in [
            ("base_momentum must be finite", cfg.base_momentum),
            ("max_momentum must be finite", cfg.max_momentum),
        ] {
            check(OP, v.is_finite(), what, v)?;
        }
        check(
            OP,
            !cfg.cycle_momentum || opt.momentum_value().is_some(),
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
            "an optimizer without momentum",
        )?;
        let initial = max_lr / cfg.div_factor;
        let min = initial / cfg.final_div_factor;
        let (base_m, max_m) = (cfg.base_momentum, cfg.max_momentum);
        let n = total_steps as f64;
        let phases = if cfg.three_phase {
            vec![
                Phase { end_step: pct * n - 1.0, lr: (initial, max_lr), momentum: (max_m, base_m) },
                Phase { end_step: 2.0 * pct * n - 2.0, lr: (max_lr, initial), momentum: (base_m, max_m) },
                Phase { end_step: (total_steps - 1) as f64, lr: (initial, min), momentum: (max_m, max_m) },
            ]
        } else {
            vec![
                Phase { end_step: pct * n - 1.0, lr: (initial, max_lr), momentum: (max_m, base_m) },
                Phase { end_step: (total_steps - 1) as f64, lr: (max_lr, min), momentum: (base_m, max_m) },
            ]
        };
        let mut s = OneCycleLr {
            total_steps,
            phases,
            anneal: cfg.anneal_strategy,
            cycle_momentum: cfg.cycle_momentum,
            epoch: 0,
            last_lr: 0.0,
            last_momentum: None,
        };
        let (lr, m) = s.at(0)?;
        (s.last_lr, s.last_momentum) = (lr, m);
        opt.set_lr(T::from_f64(lr));
        if let Some(m) = m {
            opt.set_momentum(T::from_f64(m));
        }
        Ok(s)
    }

    /// The lr and (when cycling) momentum of step `step` (PyTorch's `get_lr` at
    /// `last_epoch = step`), without stepping.
    ///
    /// # Errors
    /// `InvalidArgument` naming `OneCycleLR` if `step` is past `total_steps` (PyTorch's
    /// `ValueError`) or falls in a phase of length 0 (PyTorch's `ZeroDivisionError`).
    pub fn at(&self, step: usize) -> Result<(f64, Option<f64>)> {
        const OP: &str = "OneCycleLR";
        if step > self.total_steps {
            return Err(Error::InvalidArgument {
                op: OP,
                msg: format!(
                    "tried to step {step} times; the specified number of total steps is {}",
                    self.total_steps
                ),
            });
        }
        let step_num = step as f64;
        let mut start_step = 0.0;
        let last = self.phases.len() - 1;
        for (i, ph) in self.phases.iter().enumerate() {
            if step_num <= ph.end_step || i == last {
                let den = ph.end_step - start_step;
                check(OP, den != 0.0, "division by zero: a phase of length 0 at step", step)?;
                let pct = (step_num - start_step) / den;
                let lr = self.anneal.anneal(ph.lr.0, ph.lr.1, pct);
                let m = self.cycle_momentum.then(|| self.anneal.anneal(ph.momentum.0, ph.momentum.1, pct));
                return Ok((lr, m));
            }
            start_step = ph.end_step;
        }
        unreachable!("the last phase is always taken")
    }

    /// [`LrScheduler::step`] that fails, as PyTorch, when stepped past `total_steps` (or
    /// into a phase of length 0), leaving the scheduler and the optimizer unchanged.
    ///
    /// # Errors
    /// As [`OneCycleLr::at`].
    pub fn try_step<T: Float>(&mut self, opt: &mut (impl Optimizer<T> + ?Sized)) -> Result<f64> {
        self.at(self.epoch + 1)?;
        Ok(self.step(opt))
    }

    /// The number of steps of the cycle.
    pub fn total_steps(&self) -> usize {
        self.total_steps
    }
}

impl LrScheduler for OneCycleLr {
    /// The lr of the next step; past `total_steps`, the last lr (see [`OneCycleLr`]).
    fn advance(&mut self, _lr: f64) -> f64 {
        self.epoch += 1;
        if let Ok((lr, m)) = self.at(self.epoch) {
            (self.last_lr, self.last_momentum) = (lr, m);
        }
        self.last_lr
    }

    fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
        (self.epoch, self.last_lr, self.last_momentum) =
            load_cycle("OneCycleLR", dict, self.last_momentum.is_some())?;
        Ok(())
    }

    fn last_lr(&self) -> f64 {
        self.last_lr
    }

    fn last_epoch(&self) -> usize {
        self.epoch
    }

    fn last_momentum(&self) -> Option<f64> {
        self.last_momentum
    }
}

/// How [`CyclicLr`] scales the amplitude of its cycles (PyTorch's `mode`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CyclicMode {
    /// Constant amplitude (`"triangular"`).
    Triangular,
    /// Amplitude halved each cycle, 1/2^(cycle − 1) (`"triangular2"`).
    Triangular2,
    /// Amplitude γ^iterations (`"exp_range"`).
    ExpRange,
}

/// The settings of [`CyclicLr`] besides `base_lr` and `max_lr`, PyTorch's arguments;
/// `Default` gives PyTorch's defaults.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CyclicConfig {
    /// Steps of the rising half of a cycle, ≥ 1 (default 2000).
    pub step_size_up: usize,
    /// Steps of the falling half; `None` is `step_size_up` (default).
    pub step_size_down: Option<usize>,
    /// The scaling of the amplitude (default `Triangular`).
    pub mode: CyclicMode,
    /// γ of [`CyclicMode::ExpRange`] (default 1).
    pub gamma: f64,
    /// Cycle the momentum inversely to the lr (default true).
    pub cycle_momentum: bool,
    /// The momentum at the peak lr (default 0.8).
    pub base_momentum: f64,
    /// The momentum at the base lr (default 0.9).
    pub max_momentum: f64,
}

impl Default for CyclicConfig {
    fn default() -> Self {
        CyclicConfig {
            step_size_up: 2000,
            step_size_down: None,
            mode: CyclicMode::Triangular,
            gamma: 1.0,
            cycle_momentum: true,
            base_momentum: 0.8,
            max_momentum: 0.9,
        }
    }
}

/// Cyclical learning rates (PyTorch's `CyclicLR`, Smith 2017), stepped once per batch:
/// the lr goes from `base_lr` up to `max_lr` in `step_size_up` steps and back in
/// `step_size_down`, with the amplitude scaled per [`CyclicMode`]; the momentum
/// ([`Optimizer::set_momentum`]: SGD's μ, Adam's β₁) goes the other way between
/// `max_momentum` and `base_momentum`.
///
/// Each step's lr and momentum are computed from the step alone, term for term as
/// PyTorch, in f64. Like PyTorch, making it sets the optimizer's lr to `base_lr` (and
/// the momentum to `max_momentum` when cycling); it does not read the optimizer's lr, so
/// it does not chain. No custom `scale_fn`.
///
/// ```
/// use wengert_nn::optim::{Adam, Optimizer};
/// use wengert_nn::schedule::{CyclicConfig, CyclicLr, LrScheduler};
///
/// let mut opt = Adam::new(1.0);
/// let cfg = CyclicConfig { step_size_up: 2, ..CyclicConfig::default() };
/// let mut sched = CyclicLr::new(&mut opt, 0.25, 1.0, cfg)?;
/// assert_eq!((opt.lr(), opt.momentum_value()), (0.25, Some(0.9)));
/// let lrs: Vec<f64> = (0..4).map(|_| sched.step(&mut opt)).collect();
/// assert_eq!(lrs, [0.625, 1.0, 0.625, 0.25]);
/// assert_eq!(opt.momentum_value(), Some(0.9)); // β₁ back at max_momentum
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq)]
pub struct CyclicLr {
    base_lr: f64,
    max_lr: f64,
    total_size: f64,
    step_ratio: f64,
    mode: CyclicMode,
    gamma: f64,
    momentum: Option<(f64, f64)>,
    epoch: usize,
    last_lr: f64,
    last_momentum: Option<f64>,
}

impl CyclicLr {
    /// A CyclicLR on `opt` between `base_lr` and `max_lr`.
    ///
    /// # Errors
    /// `InvalidArgument` naming `CyclicLR` if `cycle_momentum` is set and `opt` has no
    /// momentum ([`Optimizer::momentum_value`] is `None`; PyTorch's `ValueError`), or
    /// (PyTorch takes them, then divides by zero or gives NaN) if `step_size_up` is 0, an
    /// lr, a momentum or γ is NaN or infinite, or an lr or γ is negative. The optimizer
    /// is then unchanged.
    pub fn new<T: Float>(
        opt: &mut (impl Optimizer<T> + ?Sized),
        base_lr: f64,
        max_lr: f64,
        cfg: CyclicConfig,
    ) -> Result<Self> {
        const OP: &str = "CyclicLR";
        check(OP, cfg.step_size_up >= 1, "step_size_up must be ≥ 1", cfg.step_size_up)?;
        for (what, v) in
            [("base_lr must be finite and ≥ 0", base_lr), ("max_lr must be finite and ≥ 0", max_lr)]
        {
            check(OP, v >= 0.0 && v.is_finite(), what, v)?;
        }
        check_gamma(OP, cfg.gamma)?;
        for (what, v) in [
            ("base_momentum must be finite", cfg.base_momentum),
            ("max_momentum must be finite", cfg.max_momentum),
        ] {
            check(OP, v.is_finite(), what, v)?;
        }
        check(
            OP,
            !cfg.cycle_momentum || opt.momentum_value().is_some(),
            "optimizer must support momentum or beta1 with `cycle_momentum` option enabled",
            "an optimizer without momentum",
        )?;
        let up = cfg.step_size_up as f64;
        let down = cfg.step_size_down.map_or(up, |d| d as f64);
        let total_size = up + down;
        let mut s = CyclicLr {
            base_lr,
            max_lr,
            total_size,
            step_ratio: up / total_size,
            mode: cfg.mode,
            gamma: cfg.gamma,
            momentum: cfg.cycle_momentum.then_some((cfg.base_momentum, cfg.max_momentum)),
            epoch: 0,
            last_lr: 0.0,
            last_momentum: None,
        };
        let (lr, m) = s.at(0);
        (s.last_lr, s.last_momentum) = (lr, m);
        opt.set_lr(T::from_f64(lr));
        if let Some(m) = m {
            opt.set_momentum(T::from_f64(m));
        }
        Ok(s)
    }

    /// The lr and (when cycling) momentum of step `step` (PyTorch's `get_lr` at
    /// `last_epoch = step`), without stepping.
    pub fn at(&self, step: usize) -> (f64, Option<f64>) {
        let e = step as f64;
        let cycle = (1.0 + e / self.total_size).floor();
        let x = 1.0 + e / self.total_size - cycle;
        let scale_factor =
            if x <= self.step_ratio { x / self.step_ratio } else { (x - 1.0) / (self.step_ratio - 1.0) };
        // scale_fn(cycle) in mode "cycle", scale_fn(last_epoch) in mode "iterations".
        let scale = match self.mode {
            CyclicMode::Triangular => 1.0,
            CyclicMode::Triangular2 => 1.0 / 2.0f64.powf(cycle - 1.0),
            CyclicMode::ExpRange => self.gamma.powf(e),
        };
        let lr = self.base_lr + (self.max_lr - self.base_lr) * scale_factor * scale;
        let m = self.momentum.map(|(base, max)| max - (max - base) * scale_factor * scale);
        (lr, m)
    }
}

impl LrScheduler for CyclicLr {
    fn advance(&mut self, _lr: f64) -> f64 {
        self.epoch += 1;
        (self.last_lr, self.last_momentum) = self.at(self.epoch);
        self.last_lr
    }

    fn load_state_dict(&mut self, dict: &StateDict<f64>) -> Result<()> {
        (self.epoch, self.last_lr, self.last_momentum) =
            load_cycle("CyclicLR", dict, self.momentum.is_some())?;
        Ok(())
    }

    fn last_lr(&self) -> f64 {
        self.last_lr
    }

    fn last_epoch(&self) -> usize {
        self.epoch
    }

    fn last_momentum(&self) -> Option<f64> {
        self.last_momentum
    }
}

/// Reads the state of a scheduler that may cycle the momentum ([`OneCycleLr`],
/// [`CyclicLr`]): `last_epoch`, `last_lr` and, exactly when it `cycles`, `last_momentum`
/// (the provided [`LrScheduler::state_dict`]'s entries).
fn load_cycle(op: &'static str, dict: &StateDict<f64>, cycles: bool) -> Result<(usize, f64, Option<f64>)> {
    let ([epoch, lr], m) = read_state(op, dict, ["last_epoch", "last_lr"], Some("last_momentum"))?;
    if m.is_some() != cycles {
        let msg = if cycles {
            "no 'last_momentum' entry, but this scheduler cycles the momentum"
        } else {
            "a 'last_momentum' entry, but this scheduler does not cycle the momentum"
        };
        return Err(Error::InvalidArgument { op, msg: format!("state dict: {msg}") });
    }
    Ok((epoch as usize, lr, m))
}
