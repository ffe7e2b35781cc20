//! Optimizers that update parameter tensors from their gradients, with the semantics of
//! `torch.optim` (same update formulas, same order of operations).
//!
//! Gradients come fresh from every `backward()` ([`wengert_tape::Grads`]), so there is no
//! `zero_grad`: an optimizer only keeps its own state (momentum buffers, Adam moments),
//! one entry per parameter tensor in state-dict order.
//!
//! A parameter the loss does not depend on ([`wengert_tape::Grads::reached`] is false) is
//! skipped by [`Optimizer::step`] and [`crate::TapeParams::step`], as `torch.optim` skips
//! a parameter whose `.grad` is `None`: it and its state stay as they are (weight decay
//! does not shrink it, momentum does not move it, Adam's moments do not decay and its step
//! count does not advance). [`Optimizer::update_reached`] is the slice-level form;
//! [`Optimizer::update`] and [`Optimizer::update_slices`] update every parameter they are
//! given. With SGD (lr 0.1, momentum 0.9, weight decay 0.1), a parameter b used by the
//! first loss (a·b) and not by the second (a²) ends at 0.89, as in PyTorch.
//!
//! **SGD** (g = ∂L/∂p, λ = weight decay, μ = momentum, τ = dampening, α = lr):
//! ```text
//! g ← g + λ·p
//! if μ ≠ 0:  b ← g on the first step, else b ← μ·b + (1 − τ)·g
//!            g ← g + μ·b  (nesterov)   or   g ← b
//! p ← p − α·g
//! ```
//! **Adam** (β₁, β₂, ε, the parameter's step k = 1, 2, ...):
//! ```text
//! g ← g + λ·p                       (AdamW instead: p ← p·(1 − α·λ))
//! m ← m + (1 − β₁)·(g − m)          v ← β₂·v + (1 − β₂)·g²
//! v̄ ← v, or with amsgrad v̄ ← max(v̄, v)
//! p ← p − (α / (1 − β₁ᵏ)) · m / (√v̄ / √(1 − β₂ᵏ) + ε)
//! ```

use wengert_tape::{Error, Float, Grads, Result, Tensor};

use crate::module::{Bound, Module, StateDict};

/// Updates parameters in place from their gradients.
pub trait Optimizer<T: Float = f64> {
    /// One step: `params[i]` is updated with `grads[i]` (same length, row-major). The
    /// list must hold the same tensors, in the same order, at every step.
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]]) -> Result<()>;

    /// [`Optimizer::update`] on plain slices: `params[i]` is updated in place with
    /// `grads[i]`, e.g. parameters kept on a tape and updated through
    /// [`wengert_tape::Tape::update_all`] (see [`crate::TapeParams`]). The provided
    /// implementation copies the slices into tensors and back; [`Sgd`] and [`Adam`] work
    /// on the slices directly.
    fn update_slices(&mut self, params: &mut [&mut [T]], grads: &[&[T]]) -> Result<()> {
        let mut ts: Vec<Tensor<T>> =
            params.iter().map(|p| Tensor::new(&[p.len()], p.to_vec())).collect::<Result<_>>()?;
        let mut refs: Vec<&mut Tensor<T>> = ts.iter_mut().collect();
        self.update(&mut refs, grads)?;
        for (p, t) in params.iter_mut().zip(&ts) {
            p.copy_from_slice(t.data());
        }
        Ok(())
    }

    /// [`Optimizer::update_slices`] for a step whose loss may not depend on every
    /// parameter: where `reached[i]` is false, parameter `i` and its state are left as
    /// they are, as `torch.optim` skips a parameter whose `.grad` is `None`.
    /// [`Optimizer::step`] and [`crate::TapeParams::step`] call this with
    /// [`Grads::reached`]. The provided implementation ignores `reached` and updates every
    /// parameter (an unreached one with its gradient of zeros); [`Sgd`] and [`Adam`] skip.
    ///
    /// ```
    /// use wengert_nn::optim::{Optimizer, Sgd};
    ///
    /// let (mut a, mut b) = ([1.0], [1.0]);
    /// let mut opt = Sgd::new(0.1).weight_decay(0.5);
    /// opt.update_reached(&mut [&mut a, &mut b], &[&[2.0], &[0.0]], &[true, false])?;
    /// assert_eq!((a, b), ([1.0 - 0.1 * (2.0 + 0.5)], [1.0])); // b not decayed
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    fn update_reached(&mut self, params: &mut [&mut [T]], grads: &[&[T]], reached: &[bool]) -> Result<()> {
        let _ = reached;
        self.update_slices(params, grads)
    }

    /// The learning rate.
    fn lr(&self) -> T;

    /// Changes the learning rate (for schedules).
    fn set_lr(&mut self, lr: T);

    /// The momentum a scheduler may cycle ([`crate::schedule::OneCycleLr`],
    /// [`crate::schedule::CyclicLr`]): [`Sgd`]'s μ (also when 0, as PyTorch's SGD always
    /// has a `momentum`), [`Adam`]'s β₁; `None` (the provided implementation) for an
    /// optimizer without one, on which momentum cycling is refused as in PyTorch. Named
    /// so as not to shadow the builder [`Sgd::momentum`].
    fn momentum_value(&self) -> Option<T> {
        None
    }

    /// Sets the momentum of [`Optimizer::momentum_value`] (for schedules): [`Sgd`]'s μ,
    /// [`Adam`]'s β₁ (β₂ is kept). The provided implementation does nothing.
    fn set_momentum(&mut self, momentum: T) {
        let _ = momentum;
    }

    /// One step on a module, with gradients from a backward pass through the variables
    /// that [`Module::bind`] returned. A parameter the loss does not depend on is left as
    /// it is, with its state ([`Optimizer::update_reached`]).
    ///
    /// ```
    /// use wengert_nn::{optim::{Optimizer, Sgd}, Linear, Module};
    /// use wengert_tape::{Tape, Tensor};
    ///
    /// let mut lin = Linear::from_tensors(Tensor::from([[1.0]]), Some(Tensor::from([0.0])))?;
    /// let mut opt = Sgd::new(0.1);
    /// let tape = Tape::new();
    /// let p = lin.bind(&tape);
    /// let x = tape.constant(&Tensor::from([[2.0]]));
    /// let loss = lin.forward(&p, x)?.sum(); // z = 2w + b
    /// opt.step(&mut lin, &p, &loss.backward())?;
    /// assert_eq!(lin.weight.data(), [1.0 - 0.1 * 2.0]);
    /// assert_eq!(lin.bias.as_ref().unwrap().data(), [-0.1]);
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    fn step<M: Module<T> + ?Sized>(
        &mut self,
        model: &mut M,
        bound: &Bound<'_, T>,
        grads: &Grads<T>,
    ) -> Result<()>
    where
        Self: Sized,
    {
        let gs = bound
            .vars()
            .iter()
            .zip(bound.names())
            .map(|(v, name)| {
                grads.get(*v).ok_or_else(|| Error::InvalidArgument {
                    op: "optimizer step",
                    msg: format!(
                        "no gradient for parameter '{name}' ({}): grads are from another tape or step",
                        v.node()
                    ),
                })
            })
            .collect::<Result<Vec<&[T]>>>()?;
        let reached: Vec<bool> = bound.vars().iter().map(|&v| grads.reached(v)).collect();
        let mut ps = model.parameters_mut();
        self.update_reached(&mut slices(&mut ps), &gs, &reached)
    }
}

/// The checks of an optimizer step, before anything changes: as many gradients as
/// parameters, each as long as its parameter, and state (if any yet) built for
/// parameters of these lengths (`state` holds one length per parameter).
fn check_lengths<T: Float>(
    op: &'static str,
    params: &[&mut [T]],
    grads: &[&[T]],
    state: &[Vec<T>],
) -> Result<()> {
    let state_len = state.len();
    if params.len() != grads.len() {
        return Err(Error::InvalidArgument {
            op,
            msg: format!("{} parameters but {} gradients", params.len(), grads.len()),
        });
    }
    if state_len != 0 && state_len != params.len() {
        return Err(Error::InvalidArgument {
            op,
            msg: format!("state was built for {state_len} parameters, got {}", params.len()),
        });
    }
    // An empty entry is state not made yet (a parameter not stepped since a loaded state).
    for (i, (p, st)) in params.iter().zip(state).enumerate() {
        if p.len() != st.len() && !st.is_empty() {
            return Err(Error::InvalidArgument {
                op,
                msg: format!(
                    "state was built for parameter {i} of {} elements, got {} (an optimizer serves one set of parameters)",
                    st.len(),
                    p.len()
                ),
            });
        }
    }
    for (i, (p, g)) in params.iter().zip(grads).enumerate() {
        if p.len() != g.len() {
            return Err(Error::InvalidArgument {
                op,
                msg: format!("parameter {i} has {} elements but its gradient {}", p.len(), g.len()),
            });
        }
    }
    Ok(())
}

/// An error unless `reached` has one flag per parameter.
fn check_reached(op: &'static str, params: usize, reached: &[bool]) -> Result<()> {
    if reached.len() == params {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            msg: format!("{params} parameters but {} reached flags", reached.len()),
        })
    }
}

/// An error unless every `(name, value, ok)` holds `ok` (false for NaN too): the
/// hyperparameters PyTorch's optimizers refuse.
fn check_hyper<T: Float>(op: &'static str, checks: &[(&str, T, bool)]) -> Result<()> {
    match checks.iter().find(|(_, _, ok)| !ok) {
        Some((what, v, _)) => {
            Err(Error::InvalidArgument { op, msg: format!("invalid {what}: {}", v.to_f64()) })
        }
        None => Ok(()),
    }
}

/// The tensors' data as slices, for `update_slices`.
fn slices<'a, T: Float>(params: &'a mut [&mut Tensor<T>]) -> Vec<&'a mut [T]> {
    params.iter_mut().map(|p| p.data_mut()).collect()
}

/// The key of parameter `i`'s state `name` in an optimizer's state dict.
fn state_key(i: usize, name: &str) -> String {
    format!("state.{i}.{name}")
}

/// The key that holds the parameters' indices (PyTorch's `param_groups[0]["params"]`).
const PARAMS_KEY: &str = "param_groups.0.params";

/// The first entries of a state dict: the parameter indices 0..n.
fn state_dict_for<T: Float>(n: usize) -> StateDict<T> {
    let mut d = StateDict::new();
    let ids = (0..n).map(|i| T::from_f64(i as f64)).collect();
    d.insert(PARAMS_KEY.to_string(), Tensor::new(&[n], ids).expect("n indices of shape [n]"));
    d
}

/// Parameter `i`'s state as a 1-d tensor.
fn state_tensor<T: Float>(v: &[T]) -> Tensor<T> {
    Tensor::new(&[v.len()], v.to_vec()).expect("a 1-d tensor of its length")
}

/// One parameter's entries of a state dict: (name, tensor).
type Entries<'d, T> = Vec<(&'d str, &'d Tensor<T>)>;

/// Reads a state dict made by an optimizer's `state_dict`: the number of parameters and,
/// per parameter, its entries among `names` (each a 1-d tensor of finite values, or a
/// scalar for `step`). Any other key, a missing or malformed `param_groups.0.params`, or an
/// index past it is an error naming the key.
fn read_state<'d, T: Float>(
    op: &'static str,
    dict: &'d StateDict<T>,
    names: &[&str],
) -> Result<Vec<Entries<'d, T>>> {
    let bad = |msg: String| Error::InvalidArgument { op, msg: format!("state dict: {msg}") };
    let ids = dict.get(PARAMS_KEY).ok_or_else(|| bad(format!("no '{PARAMS_KEY}' entry")))?;
    let n = ids.len();
    let in_order = ids.data().iter().enumerate().all(|(i, &v)| v == T::from_f64(i as f64));
    if ids.shape().len() != 1 || !in_order {
        return Err(bad(format!(
            "'{PARAMS_KEY}' must be the indices 0, 1, ... as a 1-d tensor, got {ids:?}"
        )));
    }
    let mut per: Vec<Entries<'d, T>> = vec![Vec::new(); n];
    for (key, t) in dict {
        if key == PARAMS_KEY {
            continue;
        }
        let parsed = key.strip_prefix("state.").and_then(|rest| rest.split_once('.'));
        let Some((i, name)) = parsed.and_then(|(i, name)| Some((i.parse::<usize>().ok()?, name))) else {
            return Err(bad(format!("unexpected key '{key}'")));
        };
        if !names.contains(&name) {
            return Err(bad(format!("unexpected key '{key}' (this optimizer keeps {names:?})")));
        }
        if i >= n {
            return Err(bad(format!("'{key}' is for parameter {i}, but '{PARAMS_KEY}' lists {n}")));
        }
        let want_rank = if name == "step" { 0 } else { 1 };
        if t.shape().len() != want_rank {
            return Err(bad(format!("'{key}' must have rank {want_rank}, got shape {:?}", t.shape())));
        }
        if let Some(k) = t.data().iter().position(|v| !v.is_finite()) {
            return Err(bad(format!("'{key}' element {k} is {}, not finite", t.data()[k])));
        }
        per[i].push((name, t));
    }
    Ok(per)
}

/// The entry `name` among one parameter's entries.
fn entry<'d, T: Float>(entries: &[(&str, &'d Tensor<T>)], name: &str) -> Option<&'d Tensor<T>> {
    entries.iter().find(|(k, _)| *k == name).map(|&(_, t)| t)
}

/// Stochastic gradient descent with optional momentum, dampening, Nesterov momentum and
/// L2 weight decay, as `torch.optim.SGD`.
///
/// ```
/// use wengert_nn::optim::{Optimizer, Sgd};
/// use wengert_tape::Tensor;
///
/// // minimise p², gradient 2p: lr .1, momentum .9 from p = 1 → 0.8 → 0.46
/// let mut p = Tensor::<f64>::scalar(1.0);
/// let mut opt = Sgd::new(0.1).momentum(0.9);
/// for want in [0.8, 0.46] {
///     let g = [2.0 * p.item()];
///     opt.update(&mut [&mut p], &[&g])?;
///     assert!((p.item() - want).abs() < 1e-15);
/// }
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Sgd<T: Float = f64> {
    lr: T,
    momentum: T,
    dampening: T,
    weight_decay: T,
    nesterov: bool,
    buffers: Vec<Vec<T>>,
    /// Per parameter: its momentum buffer holds a step (PyTorch's buffer is `None` until
    /// the parameter's first update, which sets it to the gradient).
    started: Vec<bool>,
}

impl<T: Float> Sgd<T> {
    /// Plain SGD, p ← p − lr·g.
    pub fn new(lr: T) -> Self {
        Sgd {
            lr,
            momentum: T::ZERO,
            dampening: T::ZERO,
            weight_decay: T::ZERO,
            nesterov: false,
            buffers: Vec::new(),
            started: Vec::new(),
        }
    }

    /// Sets the momentum μ.
    pub fn momentum(mut self, momentum: T) -> Self {
        self.momentum = momentum;
        self
    }

    /// Sets the dampening τ (ignored on the first step, like PyTorch).
    pub fn dampening(mut self, dampening: T) -> Self {
        self.dampening = dampening;
        self
    }

    /// Sets the L2 weight decay λ (λ·p is added to the gradient).
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = weight_decay;
        self
    }

    /// Uses Nesterov momentum (needs μ > 0 and τ = 0, as PyTorch requires).
    pub fn nesterov(mut self, nesterov: bool) -> Self {
        self.nesterov = nesterov;
        self
    }

    /// The optimizer's state, to resume training later ([`Sgd::load_state_dict`]; save it
    /// with [`crate::io::save_safetensors`]): as PyTorch's `optimizer.state_dict()`, the
    /// parameter indices under `param_groups.0.params` and, for each parameter that has
    /// one, its momentum buffer under `state.{i}.momentum_buffer` (flat, 1-d). The
    /// hyperparameters are not in it: they are the optimizer's construction.
    ///
    /// ```
    /// use wengert_nn::optim::{Optimizer, Sgd};
    ///
    /// let (mut a, mut b) = ([1.0], [1.0]);
    /// let mut opt = Sgd::new(0.1).momentum(0.9);
    /// opt.update_slices(&mut [&mut a], &[&[2.0]])?;
    /// let mut resumed = Sgd::new(0.1).momentum(0.9);
    /// resumed.load_state_dict(&opt.state_dict())?;
    /// b.copy_from_slice(&a);
    /// opt.update_slices(&mut [&mut a], &[&[2.0]])?;
    /// resumed.update_slices(&mut [&mut b], &[&[2.0]])?;
    /// assert_eq!(a, b);
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    pub fn state_dict(&self) -> StateDict<T> {
        let mut d = state_dict_for(self.buffers.len());
        for (i, b) in self.buffers.iter().enumerate().filter(|&(i, _)| self.started[i]) {
            d.insert(state_key(i, "momentum_buffer"), state_tensor(b));
        }
        d
    }

    /// Replaces the optimizer's state with `dict` from [`Sgd::state_dict`]; on error the
    /// state is unchanged.
    ///
    /// # Errors
    /// `InvalidArgument` naming `sgd` and the key for a key this optimizer does not keep, a
    /// tensor that is not 1-d or holds a value that is not finite, a parameter index past
    /// `param_groups.0.params`, or momentum buffers for an SGD without momentum. A buffer's
    /// length is checked against its parameter at the next step.
    pub fn load_state_dict(&mut self, dict: &StateDict<T>) -> Result<()> {
        let per = read_state("sgd", dict, &["momentum_buffer"])?;
        let buffers: Vec<Option<&Tensor<T>>> = per.iter().map(|e| entry(e, "momentum_buffer")).collect();
        if self.momentum == T::ZERO && buffers.iter().any(Option::is_some) {
            return Err(Error::InvalidArgument {
                op: "sgd",
                msg: "state dict: momentum buffers for an SGD without momentum".into(),
            });
        }
        self.started = buffers.iter().map(Option::is_some).collect();
        self.buffers = buffers.iter().map(|b| b.map_or_else(Vec::new, |t| t.data().to_vec())).collect();
        if self.momentum == T::ZERO {
            (self.buffers, self.started) = (Vec::new(), Vec::new());
        }
        Ok(())
    }
}

impl<T: Float> Optimizer<T> for Sgd<T> {
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]]) -> Result<()> {
        self.update_slices(&mut slices(params), grads)
    }

    fn update_slices(&mut self, params: &mut [&mut [T]], grads: &[&[T]]) -> Result<()> {
        self.sgd_step(params, grads, |_| true)
    }

    fn update_reached(&mut self, params: &mut [&mut [T]], grads: &[&[T]], reached: &[bool]) -> Result<()> {
        check_reached("sgd", params.len(), reached)?;
        self.sgd_step(params, grads, |i| reached[i])
    }

    fn lr(&self) -> T {
        self.lr
    }

    fn set_lr(&mut self, lr: T) {
        self.lr = lr;
    }

    fn momentum_value(&self) -> Option<T> {
        Some(self.momentum)
    }

    fn set_momentum(&mut self, momentum: T) {
        self.momentum = momentum;
    }
}

impl<T: Float> Sgd<T> {
    /// One step on the parameters `i` with `reached(i)`.
    fn sgd_step(
        &mut self,
        params: &mut [&mut [T]],
        grads: &[&[T]],
        reached: impl Fn(usize) -> bool,
    ) -> Result<()> {
        check_lengths("sgd", params, grads, &self.buffers)?;
        let (lr, mu, tau, wd) = (self.lr, self.momentum, self.dampening, self.weight_decay);
        check_hyper(
            "sgd",
            &[
                ("learning rate (must be finite and ≥ 0)", lr, lr >= T::ZERO && lr.is_finite()),
                ("momentum (must be finite and ≥ 0)", mu, mu >= T::ZERO && mu.is_finite()),
                ("dampening (must be finite)", tau, tau.is_finite()),
                ("weight decay (must be finite and ≥ 0)", wd, wd >= T::ZERO && wd.is_finite()),
            ],
        )?;
        if self.nesterov && (self.momentum <= T::ZERO || self.dampening != T::ZERO) {
            return Err(Error::InvalidArgument {
                op: "sgd",
                msg: "nesterov momentum requires a momentum and zero dampening".into(),
            });
        }
        // One slot per parameter; its buffer is made at its first step (below), as after a
        // loaded state.
        if self.buffers.is_empty() && self.momentum != T::ZERO {
            (self.buffers, self.started) = (vec![Vec::new(); params.len()], vec![false; params.len()]);
        }
        let (mu, wd) = (self.momentum, self.weight_decay);
        let keep = T::ONE - self.dampening;
        for (i, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            if !reached(i) {
                continue;
            }
            let first = mu != T::ZERO && !std::mem::replace(&mut self.started[i], true);
            if first && self.buffers[i].len() != p.len() {
                self.buffers[i] = vec![T::ZERO; p.len()]; // not made yet: its first step
            }
            let data = &mut **p;
            for j in 0..data.len() {
                let mut d = g[j];
                if wd != T::ZERO {
                    d += wd * data[j];
                }
                if mu != T::ZERO {
                    let b = &mut self.buffers[i][j];
                    *b = if first { d } else { mu * *b + keep * d };
                    d = if self.nesterov { d + mu * *b } else { *b };
                }
                data[j] -= self.lr * d;
            }
        }
        Ok(())
    }
}

/// Adam (Kingma & Ba 2015) with bias correction and optional L2 weight decay, as
/// `torch.optim.Adam` (defaults β = (0.9, 0.999), ε = 1e−8 added after √v̂).
///
/// As in PyTorch, whose hyperparameters are Python floats, the hyperparameters are held in
/// f64 (an f32 one as the decimal it prints as: `0.999f32` is 0.999), the bias corrections
/// and the step size are computed in f64, and only the results are rounded to T; the
/// moment update m ← m + (1 − β₁)·(g − m) is PyTorch's `lerp` (written g − (g − m)·β₁ when
/// 1 − β₁ ≥ ½). In f32 this follows `torch.optim.Adam` in float32 to a few ulp.
///
/// ```
/// use wengert_nn::optim::{Adam, Optimizer};
/// use wengert_tape::Tensor;
///
/// // The first Adam step moves each parameter by ≈ lr, whatever the gradient's size.
/// let mut p = Tensor::<f64>::from([1.0, 1.0]);
/// let mut opt = Adam::new(0.01);
/// opt.update(&mut [&mut p], &[&[1000.0, 0.001]])?;
/// assert!((p.data()[0] - 0.99).abs() < 1e-9);
/// assert!((p.data()[1] - 0.99).abs() < 1e-7);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct Adam<T: Float = f64> {
    // The hyperparameters in f64, as PyTorch holds them (Python floats): the bias
    // corrections and the step size are computed in f64 and only the results rounded to T.
    // In f32, 1 − β₂ from β₂ = 0.999 rounded to f32 would be 1.3e−5 off.
    lr: f64,
    beta1: f64,
    beta2: f64,
    eps: f64,
    weight_decay: f64,
    decoupled: bool,
    amsgrad: bool,
    step: i32,
    /// Per parameter, its own step count k (PyTorch's `state[p]["step"]`): a parameter
    /// skipped by [`Optimizer::update_reached`] does not advance.
    steps: Vec<i32>,
    m: Vec<Vec<T>>,
    v: Vec<Vec<T>>,
    /// With amsgrad, the running maximum of `v`.
    v_max: Vec<Vec<T>>,
}

/// A hyperparameter given as T, in f64: for f32, the f64 of its shortest decimal (the
/// number written, `0.999` for `0.999f32`, as PyTorch gets it from Python); for f64, itself.
/// Formatted on the stack (`set_lr` in a schedule allocates nothing).
pub(crate) fn as_written<T: Float>(v: T) -> f64 {
    use std::fmt::Write;
    /// A fixed buffer for one shortest `{:e}` (at most 15 bytes for f32).
    struct Buf([u8; 32], usize);
    impl Write for Buf {
        fn write_str(&mut self, s: &str) -> std::fmt::Result {
            let end = self.1 + s.len();
            self.0.get_mut(self.1..end).ok_or(std::fmt::Error)?.copy_from_slice(s.as_bytes());
            self.1 = end;
            Ok(())
        }
    }
    if T::NAME != "f32" {
        return v.to_f64();
    }
    let mut b = Buf([0; 32], 0);
    match write!(b, "{v:e}") {
        Ok(()) => std::str::from_utf8(&b.0[..b.1]).ok().and_then(|s| s.parse().ok()).unwrap_or(v.to_f64()),
        Err(_) => v.to_f64(),
    }
}

/// PyTorch's `lerp(a, b, w)`: a + w·(b − a) for |w| < ½, else b − (b − a)·(1 − w).
#[inline(always)]
fn lerp<T: Float>(a: T, b: T, w: T) -> T {
    if w.abs() < T::from_f64(0.5) {
        a + w * (b - a)
    } else {
        b - (b - a) * (T::ONE - w)
    }
}

impl<T: Float> Adam<T> {
    /// Adam with learning rate `lr` and PyTorch's defaults for the rest.
    pub fn new(lr: T) -> Self {
        Adam {
            lr: as_written(lr),
            beta1: 0.9,
            beta2: 0.999,
            eps: 1e-8,
            weight_decay: 0.0,
            decoupled: false,
            amsgrad: false,
            step: 0,
            steps: Vec::new(),
            m: Vec::new(),
            v: Vec::new(),
            v_max: Vec::new(),
        }
    }

    /// AdamW (Loshchilov & Hutter 2019), as `torch.optim.AdamW`: Adam with decoupled weight
    /// decay, λ = 0.01 unless set with [`Adam::weight_decay`].
    ///
    /// ```
    /// use wengert_nn::optim::{Adam, Optimizer};
    ///
    /// // The decay multiplies p by 1 − lr·λ, apart from the gradient's step.
    /// let mut p = [2.0];
    /// Adam::adamw(0.1).weight_decay(0.5).update_slices(&mut [&mut p], &[&[0.0]])?;
    /// assert_eq!(p, [2.0 * (1.0 - 0.1 * 0.5)]);
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    pub fn adamw(lr: T) -> Self {
        Adam { weight_decay: 0.01, decoupled: true, ..Adam::new(lr) }
    }

    /// Decoupled weight decay (AdamW; PyTorch's `Adam(decoupled_weight_decay=True)`): each
    /// step first multiplies p by 1 − lr·λ, and λ·p is not added to the gradient.
    pub fn decoupled_weight_decay(mut self, decoupled: bool) -> Self {
        self.decoupled = decoupled;
        self
    }

    /// The AMSGrad variant (Reddi et al. 2018; PyTorch's `amsgrad=True`): the denominator
    /// uses the largest second moment seen so far.
    pub fn amsgrad(mut self, amsgrad: bool) -> Self {
        self.amsgrad = amsgrad;
        self
    }

    /// Sets (β₁, β₂).
    pub fn betas(mut self, beta1: T, beta2: T) -> Self {
        self.beta1 = as_written(beta1);
        self.beta2 = as_written(beta2);
        self
    }

    /// Sets ε.
    pub fn eps(mut self, eps: T) -> Self {
        self.eps = as_written(eps);
        self
    }

    /// Sets the weight decay λ: added to the gradient as λ·p (L2), or decoupled as in
    /// AdamW ([`Adam::adamw`], [`Adam::decoupled_weight_decay`]).
    pub fn weight_decay(mut self, weight_decay: T) -> Self {
        self.weight_decay = as_written(weight_decay);
        self
    }

    /// The optimizer's state, to resume training later ([`Adam::load_state_dict`]; save it
    /// with [`crate::io::save_safetensors`]): as PyTorch's `optimizer.state_dict()`, the
    /// parameter indices under `param_groups.0.params` and, for each parameter stepped at
    /// least once, `state.{i}.step` (a scalar), `state.{i}.exp_avg` and
    /// `state.{i}.exp_avg_sq` (flat, 1-d), and with amsgrad `state.{i}.max_exp_avg_sq`.
    /// The hyperparameters are not in it: they are the optimizer's construction.
    pub fn state_dict(&self) -> StateDict<T> {
        let mut d = state_dict_for(self.m.len());
        for i in (0..self.m.len()).filter(|&i| self.steps[i] > 0) {
            d.insert(state_key(i, "step"), Tensor::scalar(T::from_f64(f64::from(self.steps[i]))));
            d.insert(state_key(i, "exp_avg"), state_tensor(&self.m[i]));
            d.insert(state_key(i, "exp_avg_sq"), state_tensor(&self.v[i]));
            if self.amsgrad {
                d.insert(state_key(i, "max_exp_avg_sq"), state_tensor(&self.v_max[i]));
            }
        }
        d
    }

    /// Replaces the optimizer's state with `dict` from [`Adam::state_dict`]; on error the
    /// state is unchanged. [`Adam::steps`] becomes the largest step in it.
    ///
    /// # Errors
    /// `InvalidArgument` naming `adam` and the key for a key this optimizer does not keep
    /// (`max_exp_avg_sq` without amsgrad), a missing one (a parameter with a step needs both
    /// moments, and with amsgrad the maximum), a step that is not a whole number from 1 to
    /// 2³¹ − 1, moments of different lengths, a negative second moment, a value that is not
    /// finite, or a parameter index past `param_groups.0.params`. The moments' length is
    /// checked against its parameter at the next step.
    pub fn load_state_dict(&mut self, dict: &StateDict<T>) -> Result<()> {
        let names: &[&str] = if self.amsgrad {
            &["step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"]
        } else {
            &["step", "exp_avg", "exp_avg_sq"]
        };
        let per = read_state("adam", dict, names)?;
        let bad = |msg: String| Error::InvalidArgument { op: "adam", msg: format!("state dict: {msg}") };
        let n = per.len();
        let (mut steps, mut m, mut v, mut v_max) =
            (vec![0; n], vec![Vec::new(); n], vec![Vec::new(); n], Vec::new());
        if self.amsgrad {
            v_max = vec![Vec::new(); n];
        }
        for (i, entries) in per.iter().enumerate() {
            let Some(step) = entry(entries, "step") else {
                if let Some((name, _)) = entries.first() {
                    return Err(bad(format!("'{}' without '{}'", state_key(i, name), state_key(i, "step"))));
                }
                continue;
            };
            let k = step.data()[0].to_f64();
            if !(k >= 1.0 && k <= f64::from(i32::MAX) && k.fract() == 0.0) {
                return Err(bad(format!(
                    "'{}' is {k}, not a whole number from 1 to 2^31 - 1",
                    state_key(i, "step")
                )));
            }
            steps[i] = k as i32;
            let need =
                |name: &str| entry(entries, name).ok_or_else(|| bad(format!("no '{}'", state_key(i, name))));
            let (mi, vi) = (need("exp_avg")?, need("exp_avg_sq")?);
            if mi.len() != vi.len() {
                return Err(bad(format!(
                    "parameter {i}'s moments have {} and {} elements",
                    mi.len(),
                    vi.len()
                )));
            }
            if let Some(k) = vi.data().iter().position(|&x| x < T::ZERO) {
                return Err(bad(format!("'{}' element {k} is negative", state_key(i, "exp_avg_sq"))));
            }
            (m[i], v[i]) = (mi.data().to_vec(), vi.data().to_vec());
            if self.amsgrad {
                let vm = need("max_exp_avg_sq")?;
                if vm.len() != vi.len() {
                    return Err(bad(format!(
                        "parameter {i}'s max_exp_avg_sq has {} elements, its moments {}",
                        vm.len(),
                        vi.len()
                    )));
                }
                v_max[i] = vm.data().to_vec();
            }
        }
        self.step = steps.iter().copied().max().unwrap_or(0);
        (self.steps, self.m, self.v, self.v_max) = (steps, m, v, v_max);
        Ok(())
    }

    /// Steps taken so far (updates that were not refused). A parameter's own count, which
    /// its bias corrections use, leaves out the steps that skipped it
    /// ([`Optimizer::update_reached`]).
    pub fn steps(&self) -> i32 {
        self.step
    }
}

impl<T: Float> Optimizer<T> for Adam<T> {
    fn update(&mut self, params: &mut [&mut Tensor<T>], grads: &[&[T]]) -> Result<()> {
        self.update_slices(&mut slices(params), grads)
    }

    fn update_slices(&mut self, params: &mut [&mut [T]], grads: &[&[T]]) -> Result<()> {
        self.adam_step(params, grads, |_| true)
    }

    fn update_reached(&mut self, params: &mut [&mut [T]], grads: &[&[T]], reached: &[bool]) -> Result<()> {
        check_reached("adam", params.len(), reached)?;
        self.adam_step(params, grads, |i| reached[i])
    }

    fn lr(&self) -> T {
        T::from_f64(self.lr)
    }

    fn set_lr(&mut self, lr: T) {
        self.lr = as_written(lr);
    }

    fn momentum_value(&self) -> Option<T> {
        Some(T::from_f64(self.beta1))
    }

    /// Sets β₁, read as written like [`Adam::betas`].
    fn set_momentum(&mut self, momentum: T) {
        self.beta1 = as_written(momentum);
    }
}

impl<T: Float> Adam<T> {
    /// One step on the parameters `i` with `reached(i)`.
    fn adam_step(
        &mut self,
        params: &mut [&mut [T]],
        grads: &[&[T]],
        reached: impl Fn(usize) -> bool,
    ) -> Result<()> {
        check_lengths("adam", params, grads, &self.m)?;
        let (lr, b1, b2, eps, wd) = (self.lr, self.beta1, self.beta2, self.eps, self.weight_decay);
        let beta = |b: f64| (0.0..1.0).contains(&b);
        check_hyper(
            "adam",
            &[
                ("learning rate (must be finite and ≥ 0)", lr, lr >= 0.0 && lr.is_finite()),
                ("beta1 (must be in [0, 1))", b1, beta(b1)),
                ("beta2 (must be in [0, 1))", b2, beta(b2)),
                ("eps (must be finite and ≥ 0)", eps, eps >= 0.0 && eps.is_finite()),
                ("weight decay (must be finite and ≥ 0)", wd, wd >= 0.0 && wd.is_finite()),
            ],
        )?;
        // One slot per parameter; its moments are made at its first step (below), as
        // after a loaded state.
        let n = params.len();
        if self.m.is_empty() {
            (self.m, self.v, self.steps) = (vec![Vec::new(); n], vec![Vec::new(); n], vec![0; n]);
        }
        if self.amsgrad && self.v_max.is_empty() {
            self.v_max = vec![Vec::new(); n];
        }
        self.step += 1;
        let (w1, b2t, w2) = (T::from_f64(1.0 - b1), T::from_f64(b2), T::from_f64(1.0 - b2));
        // AdamW's factor 1 − lr·λ, in f64 as PyTorch's Python floats, then rounded to T.
        let shrink = T::from_f64(1.0 - lr * wd);
        let (eps, wd) = (T::from_f64(eps), T::from_f64(wd));
        let coupled = !self.decoupled && wd != T::ZERO;
        for (i, (p, g)) in params.iter_mut().zip(grads).enumerate() {
            if !reached(i) {
                continue;
            }
            if self.m[i].len() != p.len() {
                // Not made yet: the parameter's first step (`check_lengths` refused any
                // other length).
                (self.m[i], self.v[i]) = (vec![T::ZERO; p.len()], vec![T::ZERO; p.len()]);
            }
            if self.amsgrad && self.v_max[i].len() != p.len() {
                self.v_max[i] = vec![T::ZERO; p.len()];
            }
            self.steps[i] += 1;
            // As torch.optim.Adam: bias corrections and step size in f64, then rounded to T.
            let k = f64::from(self.steps[i]);
            let bc1 = 1.0 - b1.powf(k);
            let bc2_sqrt = T::from_f64((1.0 - b2.powf(k)).sqrt());
            let neg_step = T::from_f64(-(lr / bc1));
            let data = &mut **p;
            let (m, v) = (&mut self.m[i], &mut self.v[i]);
            let mut v_max = self.v_max.get_mut(i).filter(|_| self.amsgrad);
            for j in 0..data.len() {
                let mut d = g[j];
                if self.decoupled {
                    data[j] *= shrink;
                } else if coupled {
                    d += wd * data[j];
                }
                m[j] = lerp(m[j], d, w1);
                v[j] = v[j] * b2t + w2 * d * d;
                let second = match v_max.as_deref_mut() {
                    Some(vm) => {
                        // torch.maximum: NaN wins.
                        if v[j] > vm[j] || v[j].is_nan() {
                            vm[j] = v[j];
                        }
                        vm[j]
                    }
                    None => v[j],
                };
                let denom = second.sqrt() / bc2_sqrt + eps;
                data[j] += neg_step * m[j] / denom; // torch's addcdiv order
            }
        }
        Ok(())
    }
}
