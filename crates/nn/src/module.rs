//! The [`Module`] trait: a model owns its parameters as plain tensors, names them in a
//! stable order (the state dict), and runs its forward pass in tape ops.
//!
//! A training step binds the parameters onto a tape as leaf variables ([`Module::bind`]),
//! runs the forward pass, calls `backward()`, and hands the gradients to an optimizer,
//! which updates the tensors ([`crate::optim::Optimizer::step`]). The tape never owns a
//! parameter, so it can be reset (or dropped) after every step. Or, with [`TapeParams`],
//! the parameters live on the tape across steps and are updated there in place (no copy
//! per step).

use std::sync::Arc;

use indexmap::IndexMap;
use wengert_tape::{Error, Float, Result, Tape, Tensor, Var};

/// Named parameters (and buffers) in insertion order: `"0.weight"`, `"0.bias"`, `"2.weight"`, ...
pub type StateDict<T = f64> = IndexMap<String, Tensor<T>>;

/// A layer or a model: named parameters plus a forward pass written in tape ops.
///
/// Implementors write three methods: [`Module::visit_params`] and
/// [`Module::visit_params_mut`] (the same parameters, in the same order) and
/// [`Module::forward_with`], which receives this module's parameters as tape variables in
/// that order. Everything else (state dict, binding, save/load) is provided.
///
/// A module with non-trainable state that is saved and loaded with its parameters
/// (PyTorch's buffers, such as [`crate::BatchNorm1d`]'s running statistics) also writes
/// [`Module::visit_buffers`] and [`Module::visit_buffers_mut`]; a container also forwards
/// [`Module::visit_state`], so that its state dict lists each layer's parameters and then
/// its buffers, layer after layer, as PyTorch's does. Buffers are in the state dict and
/// are loaded by [`Module::load_state_dict`], but they are not parameters: [`Module::bind`],
/// [`Module::num_tensors`], [`Module::named_parameters`] and the optimizers never see
/// them.
///
/// ```
/// use wengert_nn::{Linear, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let lin = Linear::from_tensors(Tensor::from([[1.0], [2.0]]), Some(Tensor::from([0.5])))?;
/// let tape = Tape::new();
/// let p = lin.bind(&tape);
/// let x = tape.constant(&Tensor::from([[3.0, 4.0]])); // one example, two features
/// let z = lin.forward(&p, x)?; // z = x·W + b = 3 + 8 + 0.5
/// assert_eq!(z.value().data(), [11.5]);
/// let g = z.sum().backward();
/// assert_eq!(g.wrt(p.get("weight").unwrap()).data(), [3.0, 4.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
pub trait Module<T: Float = f64> {
    /// Calls `f(name, tensor)` for each parameter, names prefixed with `prefix`.
    fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>));

    /// Calls `f(name, tensor)` for each parameter, mutably, in the order of
    /// [`Module::visit_params`].
    fn visit_params_mut<'a>(&'a mut self, prefix: &str, f: &mut dyn FnMut(String, &'a mut Tensor<T>));

    /// The forward pass. `params` holds this module's parameters as tape variables, in
    /// the order of [`Module::visit_params`]. `#[track_caller]` in every implementation, so
    /// that the tape ops it calls are located at its caller.
    #[track_caller]
    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>>;

    /// Number of parameter tensors. The default counts through [`Module::visit_params`],
    /// which formats every name; [`Module::forward`] asks for it on every call, so modules
    /// that are trained step after step should override it with a plain count (the built-in
    /// layers do).
    fn num_tensors(&self) -> usize {
        let mut n = 0;
        self.visit_params("", &mut |_, _| n += 1);
        n
    }

    /// Number of scalar parameters (elements over all tensors).
    fn num_params(&self) -> usize {
        let mut n = 0;
        self.visit_params("", &mut |_, t| n += t.len());
        n
    }

    /// The parameters with their names, in state-dict order.
    fn named_parameters(&self) -> Vec<(String, &Tensor<T>)> {
        let mut v = Vec::new();
        self.visit_params("", &mut |name, t| v.push((name, t)));
        v
    }

    /// Mutable references to the parameters, in state-dict order.
    fn parameters_mut(&mut self) -> Vec<&mut Tensor<T>> {
        let mut v = Vec::new();
        self.visit_params_mut("", &mut |_, t| v.push(t));
        v
    }

    /// Calls `f(name, tensor)` for each buffer (non-trainable state kept in the state dict,
    /// PyTorch's `named_buffers`), names prefixed with `prefix`. The tensor is lent for the
    /// call only (a module may keep its buffers behind a `RefCell`, to update them in a
    /// forward pass that takes `&self`). The provided implementation visits none.
    fn visit_buffers(&self, prefix: &str, f: &mut dyn FnMut(String, &Tensor<T>)) {
        let _ = (prefix, f);
    }

    /// Calls `f(name, tensor)` for each buffer, mutably, in the order of
    /// [`Module::visit_buffers`]. The provided implementation visits none.
    fn visit_buffers_mut(&mut self, prefix: &str, f: &mut dyn FnMut(String, &mut Tensor<T>)) {
        let _ = (prefix, f);
    }

    /// Calls `f(name, tensor)` for every tensor of the state dict, in PyTorch's order:
    /// the provided implementation visits this module's parameters, then its buffers. A
    /// container overrides it to visit its layers one after another, each with its own
    /// parameters then buffers ([`crate::Sequential`] does).
    fn visit_state(&self, prefix: &str, f: &mut dyn FnMut(String, &Tensor<T>)) {
        self.visit_params(prefix, &mut |name, t: &Tensor<T>| f(name, t));
        self.visit_buffers(prefix, f);
    }

    /// Copies of the buffers with their names, in the order of [`Module::visit_buffers`].
    fn named_buffers(&self) -> Vec<(String, Tensor<T>)> {
        let mut v = Vec::new();
        self.visit_buffers("", &mut |name, t| v.push((name, t.clone())));
        v
    }

    /// A copy of the parameters and buffers: names to tensors, in PyTorch's order (see
    /// [`Module::visit_state`]).
    fn state_dict(&self) -> StateDict<T> {
        let mut d = StateDict::new();
        self.visit_state("", &mut |name, t| {
            d.insert(name, t.clone());
        });
        d
    }

    /// Replaces every parameter and buffer with the tensor of the same name.
    ///
    /// Strict: every parameter and buffer must be present with its shape, and no other
    /// name may appear. On error nothing is changed.
    fn load_state_dict(&mut self, dict: &StateDict<T>) -> Result<()> {
        let mut err = None;
        let mut seen = 0;
        let mut check = |kind: &str, name: String, t: &Tensor<T>| {
            if err.is_some() {
                return;
            }
            seen += 1;
            match dict.get(&name) {
                None => err = Some(state_error(format!("missing {kind} '{name}'"))),
                Some(v) if v.shape() != t.shape() => {
                    err = Some(state_error(format!(
                        "{kind} '{name}' has shape {:?}, the model expects {:?}",
                        v.shape(),
                        t.shape()
                    )))
                }
                Some(_) => {}
            }
        };
        self.visit_params("", &mut |name, t| check("parameter", name, t));
        self.visit_buffers("", &mut |name, t| check("buffer", name, t));
        if let Some(e) = err {
            return Err(e);
        }
        if dict.len() != seen {
            let mut names = Vec::new();
            self.visit_state("", &mut |name, _| names.push(name));
            let extra: Vec<&String> = dict.keys().filter(|k| !names.contains(k)).collect();
            return Err(state_error(format!("unexpected parameter(s) {extra:?}")));
        }
        self.visit_params_mut("", &mut |name, t| {
            *t = dict[&name].clone();
        });
        self.visit_buffers_mut("", &mut |name, t| {
            *t = dict[&name].clone();
        });
        Ok(())
    }

    /// Switches training behaviour on or off (PyTorch's `module.train(mode)`;
    /// `set_training(false)` is `module.eval()`): only [`crate::Dropout`],
    /// [`crate::BatchNorm1d`] and [`crate::BatchNorm2d`] behave differently, and a
    /// [`crate::Sequential`] passes the switch to its layers. The provided implementation
    /// does nothing (a layer that behaves the same either way).
    fn set_training(&mut self, training: bool) {
        let _ = training;
    }

    /// Puts the parameters on `tape` as differentiable leaves, in state-dict order.
    #[track_caller]
    fn bind<'t>(&self, tape: &'t Tape<T>) -> Bound<'t, T> {
        tape.located_at(std::panic::Location::caller(), || {
            let mut names = Vec::new();
            let mut vars = Vec::new();
            self.visit_params("", &mut |name, t| {
                names.push(name);
                vars.push(tape.var(t));
            });
            Bound { names: names.into(), vars: Vars::Heap(vars) }
        })
    }

    /// The forward pass with parameters bound by [`Module::bind`]. Its nodes are located
    /// at its caller ([`Tape::located_at`]) when the tape records locations.
    #[track_caller]
    fn forward<'t>(&self, params: &Bound<'t, T>, x: Var<'t, T>) -> Result<Var<'t, T>> {
        x.tape().located_at(std::panic::Location::caller(), || {
            if params.vars.len() != self.num_tensors() {
                return Err(Error::InvalidArgument {
                    op: "forward",
                    msg: format!(
                        "{} bound parameters given, the module has {}",
                        params.vars.len(),
                        self.num_tensors()
                    ),
                });
            }
            self.forward_with(&params.vars, x)
        })
    }
}

fn state_error(msg: String) -> Error {
    Error::InvalidArgument { op: "load_state_dict", msg }
}

/// A module's parameters bound onto one tape as leaf variables, with their names.
///
/// Made by [`Module::bind`]; pass it to [`Module::forward`] and to
/// [`crate::optim::Optimizer::step`].
#[derive(Clone, Debug)]
pub struct Bound<'t, T: Float = f64> {
    // Shared with the `TapeParams` that made it, and the variables inline for up to eight
    // tensors: binding a `TapeParams` every training step allocates nothing.
    names: Arc<[String]>,
    vars: Vars<'t, T>,
}

/// Bound variables held inline, without a heap allocation, up to this many.
const INLINE_VARS: usize = 8;

/// Bound variables: inline up to [`INLINE_VARS`], else on the heap. Not a `SmallVec`: a
/// type with its own `Drop` would keep the tape borrowed until the end of the scope
/// (`Vec` and arrays of `Copy` values let the borrow end at the last use), and the usual
/// training loop binds, runs backward, then updates the tape mutably in the same scope.
#[derive(Clone)]
enum Vars<'t, T: Float> {
    Inline([Var<'t, T>; INLINE_VARS], u8),
    Heap(Vec<Var<'t, T>>),
}

impl<'t, T: Float> std::ops::Deref for Vars<'t, T> {
    type Target = [Var<'t, T>];
    fn deref(&self) -> &[Var<'t, T>] {
        match self {
            Vars::Inline(a, n) => &a[..*n as usize],
            Vars::Heap(v) => v,
        }
    }
}

impl<T: Float> std::fmt::Debug for Vars<'_, T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'t, T: Float> Bound<'t, T> {
    /// The variables, in state-dict order.
    pub fn vars(&self) -> &[Var<'t, T>] {
        &self.vars
    }

    /// The names, in state-dict order.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The variable of parameter `name`.
    pub fn get(&self, name: &str) -> Option<Var<'t, T>> {
        self.names.iter().position(|n| n == name).map(|i| self.vars[i])
    }

    /// Number of bound tensors.
    pub fn len(&self) -> usize {
        self.vars.len()
    }

    /// True if the module has no parameters.
    pub fn is_empty(&self) -> bool {
        self.vars.is_empty()
    }

    /// Σ p² over every bound parameter (an L2 penalty term, in tape ops).
    pub fn sum_of_squares(&self) -> Option<Var<'t, T>> {
        self.vars.iter().map(|v| v.square().sum()).reduce(|a, b| a + b)
    }
}

/// A module's parameters kept on a tape across training steps, instead of bound (copied)
/// onto it every step: put them on the tape once, with the data, take a
/// [`wengert_tape::Mark`], and each step record from the mark and update the parameters in
/// place ([`TapeParams::step`], through [`Tape::update_all`]). The module's own tensors are
/// left as they were until [`TapeParams::store`] copies the trained values back (to save
/// them, say).
///
/// ```
/// use wengert_nn::{loss::mse, Linear, Module, Optimizer, Reduction, Sgd, TapeParams};
/// use wengert_tape::{Grads, Tape, Tensor};
///
/// let mut lin = Linear::<f64>::from_tensors(Tensor::from([[0.0], [0.0]]), Some(Tensor::from([0.0])))?;
/// let mut tape = Tape::new();
/// let params = TapeParams::new(&lin, &tape);
/// let x = tape.constant(&Tensor::from([[1.0, 2.0], [3.0, 4.0], [2.0, 0.0]])).node();
/// let y = tape.constant(&Tensor::from([[5.0], [11.0], [2.0]])).node(); // y = x·[1, 2]
/// let mark = tape.mark();
/// let (mut opt, mut grads) = (Sgd::new(0.05), Grads::new());
/// for _ in 0..3000 {
///     let p = params.bind(&tape)?;
///     let pred = lin.forward(&p, tape.get(x).unwrap())?;
///     mse(pred, tape.get(y).unwrap(), Reduction::Mean)?.backward_into(&mut grads);
///     params.step(&mut tape, &mark, &grads, &mut opt)?;
/// }
/// params.store(&tape, &mut lin)?;
/// assert!((lin.weight.data()[0] - 1.0).abs() < 1e-9 && (lin.weight.data()[1] - 2.0).abs() < 1e-9);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Clone, Debug)]
pub struct TapeParams {
    names: Arc<[String]>,
    nodes: Vec<wengert_tape::NodeId>,
    /// The tape's end right after the parameters were recorded: while it fits the tape
    /// ([`Tape::check_mark`]), the nodes are still these parameters.
    recorded: wengert_tape::Mark,
}

impl TapeParams {
    /// Records the module's parameters on `tape` as leaf variables, in state-dict order.
    pub fn new<T: Float, M: Module<T> + ?Sized>(model: &M, tape: &Tape<T>) -> Self {
        let (mut names, mut nodes) = (Vec::new(), Vec::new());
        model.visit_params("", &mut |name, t| {
            names.push(name);
            nodes.push(tape.var(t).node());
        });
        TapeParams { names: names.into(), nodes, recorded: tape.mark() }
    }

    /// An error unless `tape` still holds the parameters: the tape they were recorded on,
    /// not reset or rewound to before them since (as far as [`Tape::check_mark`] can
    /// tell).
    fn check_tape<T: Float>(&self, op: &'static str, tape: &Tape<T>) -> Result<()> {
        tape.check_mark(&self.recorded).map_err(|e| {
            let why = match e {
                Error::InvalidArgument { msg, .. } => msg,
                other => other.to_string(),
            };
            Error::InvalidArgument {
                op,
                msg: format!("the tape no longer holds the {} parameters: {why}", self.nodes.len()),
            }
        })
    }

    /// The parameters' nodes, in state-dict order.
    pub fn nodes(&self) -> &[wengert_tape::NodeId] {
        &self.nodes
    }

    /// Handles to the parameters for this step's forward pass ([`Module::forward`]).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if the tape no longer holds them (it is another tape,
    /// or it was reset, or rewound to before them).
    pub fn bind<'t, T: Float>(&self, tape: &'t Tape<T>) -> Result<Bound<'t, T>> {
        self.check_tape("TapeParams::bind", tape)?;
        // The parameters precede the mark, which lies within the tape (`check_tape`).
        let var = |i: usize| tape.get(self.nodes[i]).expect("a parameter before the mark");
        let len = self.nodes.len();
        let vars = if (1..=INLINE_VARS).contains(&len) {
            let mut a = [var(0); INLINE_VARS];
            for (i, slot) in a.iter_mut().enumerate().take(len).skip(1) {
                *slot = var(i);
            }
            Vars::Inline(a, len as u8)
        } else {
            Vars::Heap((0..len).map(var).collect())
        };
        Ok(Bound { names: Arc::clone(&self.names), vars })
    }

    /// One optimizer step on the parameters, in place on the tape: rewinds it to `mark`
    /// and hands the parameters and their gradients to
    /// [`crate::optim::Optimizer::update_reached`], so a parameter the loss does not depend
    /// on is left as it is, with its optimizer state (as `torch.optim`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if the tape no longer holds the parameters (as
    /// [`TapeParams::bind`]), and those of [`Tape::update_all`] (gradients from another
    /// step, parameters after the mark, ...) and of the optimizer.
    pub fn step<T: Float, O: crate::optim::Optimizer<T> + ?Sized>(
        &self,
        tape: &mut Tape<T>,
        mark: &wengert_tape::Mark,
        grads: &wengert_tape::Grads<T>,
        opt: &mut O,
    ) -> Result<()> {
        self.check_tape("TapeParams::step", tape)?;
        // Inline for up to INLINE_VARS parameters: a training step allocates nothing.
        let (mut inline, mut heap) = ([false; INLINE_VARS], Vec::new());
        let reached = if self.nodes.len() <= INLINE_VARS {
            &mut inline[..self.nodes.len()]
        } else {
            heap.resize(self.nodes.len(), false);
            &mut heap[..]
        };
        for (r, &n) in reached.iter_mut().zip(&self.nodes) {
            *r = tape.get(n).is_some_and(|v| grads.reached(v));
        }
        let mut res = Ok(());
        tape.update_all(mark, grads, &self.nodes, |ps, gs| res = opt.update_reached(ps, gs, reached))?;
        res
    }

    /// Copies the parameters' current values from the tape into the module (its buffers,
    /// if any, are left as they are).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] if the tape no longer holds them, or, from
    /// [`Module::load_state_dict`] (the module left unchanged), if the module's parameters
    /// are not the ones these were made from (names or shapes differ).
    pub fn store<T: Float, M: Module<T> + ?Sized>(&self, tape: &Tape<T>, model: &mut M) -> Result<()> {
        let bound = self.bind(tape)?;
        let mut dict: StateDict<T> =
            self.names.iter().cloned().zip(bound.vars().iter().map(|v| v.value())).collect();
        // The buffers (running statistics) are the module's own, not on the tape: kept.
        model.visit_buffers("", &mut |name, t| {
            dict.insert(name, t.clone());
        });
        model.load_state_dict(&dict)
    }
}
