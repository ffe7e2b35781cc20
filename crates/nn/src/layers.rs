//! Layers: [`Linear`], [`LayerNorm`], [`BatchNorm1d`], [`Dropout`], the activations
//! [`Sigmoid`], [`ReLU`], [`LeakyReLU`], [`ELU`], [`Tanh`], [`SiLU`], [`Gelu`], [`GeluTanh`],
//! and the [`Sequential`] container. Each forward pass is a few tape ops; none has a
//! backward rule of its own.

use rand::Rng;
use wengert_tape::{Error, Float, Result, Tensor, Var};

use crate::init::Init;
use crate::module::Module;

/// A fully connected layer, z = x·W + b.
///
/// The weight is stored `[in, out]` (so no transpose is needed in the forward pass; a
/// PyTorch `nn.Linear` weight is the transpose, `[out, in]`), the bias `[out]`. The input is
/// `[batch, in]` (or `[in]` for one example) and the output `[batch, out]` (or `[out]`).
/// Parameter names: `weight`, `bias`.
///
/// An input of another width is refused before anything is recorded, with an
/// [`Error::InvalidArgument`] that names the weight and both widths:
/// `Linear: input [5, 3] (v4) has 3 features, but weight [2, 16] (v0) takes 2: the input
/// must be [batch, 2] or [2]` (inside a [`Sequential`], prefixed with the layer:
/// `Sequential: layer 0 (Linear): input ...`). So are bound parameters whose shapes are
/// not the layer's (bound from another module), naming the bound variable and both shapes:
/// `Linear: bound weight [3, 7] (v0) does not match the layer's weight [3, 2]; ...`.
#[derive(Clone, Debug)]
pub struct Linear<T: Float = f64> {
    /// Weight, `[in, out]`.
    pub weight: Tensor<T>,
    /// Bias, `[out]`, or `None` for a layer without bias.
    pub bias: Option<Tensor<T>>,
}

impl<T: Float> Linear<T> {
    /// A layer with weights drawn from `init` (row by row of the `[in, out]` weight), then
    /// biases: zero for Xavier, Kaiming and zeros; drawn like the weight for
    /// [`Init::TorchDefault`] (U(±1/√fan_in), as PyTorch) and [`Init::Uniform`].
    ///
    /// ```
    /// use rand::{rngs::StdRng, SeedableRng};
    /// use wengert_nn::{Init, Linear, Module};
    ///
    /// let mut rng = StdRng::seed_from_u64(42);
    /// let lin = Linear::<f64>::new(30, 1, Init::TorchDefault, &mut rng);
    /// assert_eq!(lin.weight.shape(), [30, 1]);
    /// assert_eq!(lin.num_params(), 31);
    /// ```
    pub fn new(inputs: usize, outputs: usize, init: Init, rng: &mut impl Rng) -> Self {
        let weight = init.tensor(&[inputs, outputs], inputs, outputs, rng);
        let bias = init.for_bias().tensor(&[outputs], inputs, outputs, rng);
        Linear { weight, bias: Some(bias) }
    }

    /// A layer without bias (z = x·W).
    pub fn new_no_bias(inputs: usize, outputs: usize, init: Init, rng: &mut impl Rng) -> Self {
        Linear { weight: init.tensor(&[inputs, outputs], inputs, outputs, rng), bias: None }
    }

    /// A layer with all parameters zero.
    pub fn zeros(inputs: usize, outputs: usize) -> Self {
        Linear { weight: Tensor::zeros(&[inputs, outputs]), bias: Some(Tensor::zeros(&[outputs])) }
    }

    /// A layer from given tensors: weight `[in, out]`, bias `[out]`.
    pub fn from_tensors(weight: Tensor<T>, bias: Option<Tensor<T>>) -> Result<Self> {
        let layer = Linear { weight, bias };
        layer.check_layout()?;
        Ok(layer)
    }

    /// An error unless the weight is `[in, out]` and the bias `[out]` (the fields are public,
    /// so a forward pass checks them again).
    fn check_layout(&self) -> Result<()> {
        let ws = self.weight.shape();
        if ws.len() != 2 {
            return Err(Error::InvalidArgument {
                op: "Linear",
                msg: format!("weight must be [in, out], got shape {ws:?}"),
            });
        }
        match &self.bias {
            Some(b) if b.shape() != [ws[1]] => Err(Error::InvalidArgument {
                op: "Linear",
                msg: format!("bias must have shape [{}] for weight {ws:?}, got {:?}", ws[1], b.shape()),
            }),
            _ => Ok(()),
        }
    }

    /// Number of inputs.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not `[in, out]`.
    pub fn inputs(&self) -> usize {
        self.weight.shape()[0]
    }

    /// Number of outputs.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor that is not `[in, out]`.
    pub fn outputs(&self) -> usize {
        self.weight.shape()[1]
    }
}

impl<T: Float> Module<T> for Linear<T> {
    fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
        f(format!("{prefix}weight"), &self.weight);
        if let Some(b) = &self.bias {
            f(format!("{prefix}bias"), b);
        }
    }

    fn visit_params_mut<'a>(&'a mut self, prefix: &str, f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {
        f(format!("{prefix}weight"), &mut self.weight);
        if let Some(b) = &mut self.bias {
            f(format!("{prefix}bias"), b);
        }
    }

    fn num_tensors(&self) -> usize {
        1 + self.bias.is_some() as usize
    }

    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        let want = self.num_tensors();
        if params.len() != want {
            return Err(Error::InvalidArgument {
                op: "Linear",
                msg: format!("{} parameter variables given, the layer has {want}", params.len()),
            });
        }
        self.check_layout()?;
        let w = params[0];
        // Parameters bound from another module (a 3 → 7 layer's given to a 3 → 2 layer)
        // would run through silently wherever the input width fits both.
        let ws = w.shape();
        if ws[..] != *self.weight.shape() {
            return Err(unbound("Linear", "weight", w, self.weight.shape()));
        }
        if let (Some(&b), Some(own)) = (params.get(1), &self.bias) {
            if b.shape()[..] != *own.shape() {
                return Err(unbound("Linear", "bias", b, own.shape()));
            }
        }
        let shape = x.shape();
        // Checked here, before anything is recorded, so the error names the layer's weight
        // and the expected width instead of the matmul's operands.
        if shape.last() != Some(&ws[0]) {
            return Err(wrong_width(x, w));
        }
        if shape.len() == 1 {
            let z = x.try_reshape(&[1, shape[0]])?.try_matmul(w)?.try_reshape(&[self.outputs()])?;
            return match params.get(1) {
                Some(&b) => z.try_add(b),
                None => Ok(z),
            };
        }
        match params.get(1) {
            // One node: the product accumulates onto the broadcast bias.
            Some(&b) => x.try_matmul_add(w, b),
            None => x.try_matmul(w),
        }
    }
}

/// The error for an input whose last dimension is not the weight's first.
#[cold]
#[inline(never)]
fn wrong_width<T: Float>(x: Var<'_, T>, w: Var<'_, T>) -> Error {
    let (xs, ws) = (x.shape(), w.shape());
    let has = match xs.last() {
        Some(n) => format!("has {n} features"),
        None => "is a scalar".to_string(),
    };
    Error::InvalidArgument {
        op: "Linear",
        msg: format!(
            "input {xs:?} ({}) {has}, but weight {ws:?} ({}) takes {}: the input must be [batch, {}] or [{}]",
            x.node(),
            w.node(),
            ws[0],
            ws[0],
            ws[0]
        ),
    }
}

/// The error of layer `op` for a bound parameter `v` (its `what`) whose shape is not the
/// layer's `own`.
#[cold]
#[inline(never)]
pub(crate) fn unbound<T: Float>(op: &'static str, what: &str, v: Var<'_, T>, own: &[usize]) -> Error {
    Error::InvalidArgument {
        op,
        msg: format!(
            "bound {what} {:?} ({}) does not match the layer's {what} {own:?}; the parameters must be \
             bound from this layer",
            v.shape(),
            v.node()
        ),
    }
}

/// Layer normalization over the trailing dimensions, as `torch.nn.LayerNorm`:
/// y = (x − mean) / √(var + ε) · γ + β, the mean and the biased variance (divided by n)
/// taken over the last `normalized_shape.len()` dimensions of each input, γ (`weight`,
/// ones) and β (`bias`, zeros) of the normalized shape. Written in tape ops (a mean, a
/// square, a square root), so its gradient is the engine's.
///
/// ```
/// use wengert_nn::{LayerNorm, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let ln = LayerNorm::<f64>::new(&[4]);
/// let t = Tape::new();
/// let p = ln.bind(&t);
/// let y = ln.forward(&p, t.constant(&Tensor::from([[1.0, 2.0, 3.0, 4.0]])))?;
/// let mean: f64 = y.value().data().iter().sum::<f64>() / 4.0;
/// assert!(mean.abs() < 1e-15);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// From [`Module::forward`]: `InvalidArgument` naming `LayerNorm` for an input whose
/// trailing dimensions are not the normalized shape, an empty normalized shape, an ε
/// that is negative or not finite, or bound parameters that are not this layer's.
#[derive(Clone, Debug)]
pub struct LayerNorm<T: Float = f64> {
    /// Scale γ, of the normalized shape, or `None` (PyTorch's `elementwise_affine=False`).
    pub weight: Option<Tensor<T>>,
    /// Shift β, of the normalized shape, or `None` (`bias=False`, or no affine part).
    pub bias: Option<Tensor<T>>,
    normalized_shape: Vec<usize>,
    eps: f64,
}

impl<T: Float> LayerNorm<T> {
    /// Normalization over trailing dimensions `normalized_shape`, with γ = 1, β = 0 and
    /// ε = 1e−5 (PyTorch's defaults).
    pub fn new(normalized_shape: &[usize]) -> Self {
        let n: usize = normalized_shape.iter().product();
        let ones =
            Tensor::new(normalized_shape, vec![T::ONE; n]).expect("n elements of the normalized shape");
        LayerNorm {
            weight: Some(ones),
            bias: Some(Tensor::zeros(normalized_shape)),
            normalized_shape: normalized_shape.to_vec(),
            eps: 1e-5,
        }
    }

    /// Sets ε, added to the variance.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Without γ and β (PyTorch's `elementwise_affine=False`).
    pub fn without_affine(mut self) -> Self {
        (self.weight, self.bias) = (None, None);
        self
    }

    /// Without β (PyTorch's `bias=False`).
    pub fn without_bias(mut self) -> Self {
        self.bias = None;
        self
    }

    /// The trailing dimensions normalized over.
    pub fn normalized_shape(&self) -> &[usize] {
        &self.normalized_shape
    }
}

impl<T: Float> Module<T> for LayerNorm<T> {
    fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
        let (w, b) = (self.weight.as_ref(), self.bias.as_ref());
        visit_affine(w, b, prefix, &mut |name, t| f(name, t));
    }

    fn visit_params_mut<'a>(&'a mut self, prefix: &str, f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {
        let (w, b) = (self.weight.as_mut(), self.bias.as_mut());
        visit_affine(w, b, prefix, &mut |name, t| f(name, t));
    }

    fn num_tensors(&self) -> usize {
        self.weight.is_some() as usize + self.bias.is_some() as usize
    }

    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        let bad = |msg: String| Error::InvalidArgument { op: "LayerNorm", msg };
        let want = self.num_tensors();
        if params.len() != want {
            return Err(bad(format!("{} parameter variables given, the layer has {want}", params.len())));
        }
        let norm = &self.normalized_shape;
        if norm.is_empty() {
            return Err(bad("the normalized shape is empty; it needs at least one dimension".into()));
        }
        if !(self.eps >= 0.0 && self.eps.is_finite()) {
            return Err(bad(format!("eps must be finite and ≥ 0, got {}", self.eps)));
        }
        let names = [("weight", self.weight.is_some()), ("bias", self.bias.is_some())]
            .into_iter()
            .filter(|&(_, on)| on)
            .map(|(what, _)| what);
        for (p, what) in params.iter().zip(names) {
            if p.shape()[..] != norm[..] {
                return Err(bad(format!(
                    "bound {what} {:?} ({}) does not match the normalized shape {norm:?}; the parameters must be \
                     bound from this layer",
                    p.shape(),
                    p.node()
                )));
            }
        }
        let shape = x.shape();
        if shape.len() < norm.len() || shape[shape.len() - norm.len()..] != norm[..] {
            return Err(bad(format!(
                "input {:?} ({}) does not end with the normalized shape {norm:?}",
                &shape[..],
                x.node()
            )));
        }
        let n: usize = norm.iter().product();
        let rows: usize = shape[..shape.len() - norm.len()].iter().product();
        let flat = x.try_reshape(&[rows, n])?;
        let centred = flat - flat.try_mean_axis(1, true)?;
        let var = centred.square().try_mean_axis(1, true)?;
        let y = (centred / (var + T::from_f64(self.eps)).sqrt()).try_reshape(&shape)?;
        let mut it = params.iter();
        let y = match self.weight {
            Some(_) => y.try_mul(*it.next().expect("counted"))?,
            None => y,
        };
        match self.bias {
            Some(_) => y.try_add(*it.next().expect("counted")),
            None => Ok(y),
        }
    }
}

/// Batch normalization over the channels of `[N, C]` or `[N, C, L]` inputs, as
/// `torch.nn.BatchNorm1d(C)`: y = (x − mean) / √(var + ε) · γ + β per channel c, with
/// γ (`weight`, ones) and β (`bias`, zeros) of shape `[C]`.
///
/// * **Training** ([`Module::set_training`]`(true)`, the default): the mean and the biased
///   variance (divided by n) of the batch, over N (and L), n = N·L values per channel.
///   Written in tape ops (sums, a square, a square root), so the gradients in x, γ and β
///   are the engine's. Each forward pass also updates the running statistics, outside the
///   tape, as PyTorch does: running_mean ← (1 − m)·running_mean + m·mean and
///   running_var ← (1 − m)·running_var + m·var·n/(n − 1) (the unbiased variance), with
///   m the momentum (0.1), or 1/k at the k-th batch for `.momentum(None)` (a cumulative
///   average), and `num_batches_tracked` counts the batches.
/// * **Evaluation** (`set_training(false)`): the running statistics, as constants; nothing
///   is updated.
///
/// The running statistics are buffers: in the state dict after the parameters, in
/// PyTorch's order `weight`, `bias`, `running_mean` (zeros), `running_var` (ones),
/// `num_batches_tracked` (a 0-d tensor, a float of `T` where PyTorch's is an int64), saved
/// and loaded with the parameters, never bound or trained. Since [`Module::forward_with`]
/// takes `&self`, they are kept in a [`RefCell`](std::cell::RefCell) (so the layer is not
/// `Sync`); [`Module::visit_buffers`] lends them for the call.
///
/// ```
/// use wengert_nn::{BatchNorm1d, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let mut bn = BatchNorm1d::<f64>::new(2);
/// let tape = Tape::new();
/// let p = bn.bind(&tape);
/// let x = tape.var(&Tensor::from([[1.0, 10.0], [3.0, 30.0]])); // [N = 2, C = 2]
/// let y = bn.forward(&p, x)?; // each channel: mean 0, biased variance 1 (less ε)
/// assert!((y.value().data()[0] + 1.0).abs() < 1e-4 && (y.value().data()[3] - 1.0).abs() < 1e-6);
/// // One step of the running statistics, momentum 0.1: mean 0.1·[2, 20], unbiased var [2, 200].
/// assert_eq!(bn.running_mean().unwrap().data(), [0.2, 2.0]);
/// assert_eq!(bn.running_var().unwrap().data(), [0.9 + 0.1 * 2.0, 0.9 + 0.1 * 200.0]);
/// assert_eq!(bn.num_batches_tracked(), Some(1.0));
/// let names: Vec<String> = bn.state_dict().keys().cloned().collect();
/// assert_eq!(names, ["weight", "bias", "running_mean", "running_var", "num_batches_tracked"]);
///
/// bn.set_training(false); // evaluation: (x − running_mean) / √(running_var + ε)
/// let y = bn.forward(&p, x)?;
/// assert!((y.value().data()[0] - 0.8 / (1.1f64 + 1e-5).sqrt()).abs() < 1e-15);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// From [`Module::forward`], an `InvalidArgument` naming `BatchNorm1d` and the shapes for an
/// input that is not `[N, C]` or `[N, C, L]`, or whose dimension 1 is not the layer's C; in
/// training (or without running statistics) for fewer than two values per channel
/// (PyTorch's "Expected more than 1 value per channel when training"); for an ε that is
/// negative or not finite or a momentum that is not finite; for bound parameters that are
/// not this layer's, or buffers assigned another shape. On an error nothing is recorded
/// and the running statistics are unchanged (PyTorch counts the batch all the same).
#[derive(Clone, Debug)]
pub struct BatchNorm1d<T: Float = f64> {
    /// Scale γ, `[C]`, or `None` (PyTorch's `affine=False`).
    pub weight: Option<Tensor<T>>,
    /// Shift β, `[C]`, or `None` (`affine=False`).
    pub bias: Option<Tensor<T>>,
    num_features: usize,
    eps: f64,
    momentum: Option<f64>,
    training: bool,
    /// `None` without running statistics (`track_running_stats=False`).
    stats: Option<std::cell::RefCell<RunningStats<T>>>,
}

/// [`BatchNorm1d`]'s buffers.
#[derive(Clone, Debug)]
struct RunningStats<T: Float> {
    mean: Tensor<T>,
    var: Tensor<T>,
    /// 0-d.
    batches: Tensor<T>,
}

impl<T: Float> RunningStats<T> {
    fn new(c: usize) -> Self {
        RunningStats { mean: Tensor::zeros(&[c]), var: Tensor::ones(&[c]), batches: Tensor::scalar(T::ZERO) }
    }
}

const BUFFER_NAMES: [&str; 3] = ["running_mean", "running_var", "num_batches_tracked"];

impl<T: Float> BatchNorm1d<T> {
    /// Normalization of `num_features` channels, with γ = 1, β = 0, ε = 1e−5, momentum
    /// 0.1, running statistics tracked, in training mode (PyTorch's defaults).
    pub fn new(num_features: usize) -> Self {
        BatchNorm1d {
            weight: Some(Tensor::ones(&[num_features])),
            bias: Some(Tensor::zeros(&[num_features])),
            num_features,
            eps: 1e-5,
            momentum: Some(0.1),
            training: true,
            stats: Some(std::cell::RefCell::new(RunningStats::new(num_features))),
        }
    }

    /// Sets ε, added to the variance.
    pub fn eps(mut self, eps: f64) -> Self {
        self.eps = eps;
        self
    }

    /// Sets the momentum m of the running statistics (`0.1` by default), or `None` for
    /// a cumulative average (m = 1/k at the k-th batch), as PyTorch's `momentum=None`:
    /// `.momentum(0.2)`, `.momentum(None)`.
    pub fn momentum(mut self, momentum: impl Into<Option<f64>>) -> Self {
        self.momentum = momentum.into();
        self
    }

    /// Without γ and β (PyTorch's `affine=False`).
    pub fn without_affine(mut self) -> Self {
        (self.weight, self.bias) = (None, None);
        self
    }

    /// Without running statistics (PyTorch's `track_running_stats=False`): no buffers, and
    /// the batch statistics are used in evaluation too.
    pub fn without_running_stats(mut self) -> Self {
        self.stats = None;
        self
    }

    /// The number of channels C.
    pub fn num_features(&self) -> usize {
        self.num_features
    }

    /// True while training (the default): batch statistics, running statistics updated.
    pub fn is_training(&self) -> bool {
        self.training
    }

    /// A copy of the running mean, `[C]` (`None` without running statistics).
    pub fn running_mean(&self) -> Option<Tensor<T>> {
        self.stats.as_ref().map(|s| s.borrow().mean.clone())
    }

    /// A copy of the running variance, `[C]` (`None` without running statistics).
    pub fn running_var(&self) -> Option<Tensor<T>> {
        self.stats.as_ref().map(|s| s.borrow().var.clone())
    }

    /// The number of batches the running statistics have seen (`None` without them).
    pub fn num_batches_tracked(&self) -> Option<T> {
        self.stats.as_ref().map(|s| s.borrow().batches.data()[0])
    }

    /// Resets the running statistics to mean 0, variance 1 and no batches (PyTorch's
    /// `reset_running_stats`).
    pub fn reset_running_stats(&mut self) {
        if let Some(s) = &mut self.stats {
            *s.get_mut() = RunningStats::new(self.num_features);
        }
    }

    /// Folds the batch `x` (`[rows, C, l]` flattened, C = `self.num_features`, n = rows·l ≥ 2
    /// values per channel) into the running statistics, in the order of operations of
    /// PyTorch's CPU kernel: per channel, the sum in f64 in input order, mean = sum/n
    /// rounded to T, the sum of squared deviations, var = that/(n − 1), then
    /// m·mean + (1 − m)·running_mean and m·var + (1 − m)·running_var.
    fn update_stats(&self, stats: &mut RunningStats<T>, x: &[T], rows: usize, l: usize) {
        let (c_len, n) = (self.num_features, rows * l);
        let count = stats.batches.data()[0] + T::ONE;
        stats.batches.data_mut()[0] = count;
        let m = match self.momentum {
            Some(m) => m,
            None => 1.0 / count.to_f64(),
        };
        for c in 0..c_len {
            let values = (0..rows).flat_map(|r| &x[(r * c_len + c) * l..][..l]);
            let sum: f64 = values.clone().fold(0.0, |s, &v| s + v.to_f64());
            let mean = T::from_f64(sum / n as f64);
            // PyTorch's kernels (built for AVX2) contract `s += d * d` into a fused
            // multiply-add in f64; in f32 the square is rounded to f32 and summed in f64.
            let var_sum = values.fold(0.0, |s: f64, &v| {
                let d = v - mean;
                if T::NAME == "f64" {
                    d.to_f64().mul_add(d.to_f64(), s)
                } else {
                    s + (d * d).to_f64()
                }
            });
            let unbiased = T::from_f64(var_sum).to_f64() / (n - 1) as f64;
            let rm = &mut stats.mean.data_mut()[c];
            *rm = T::from_f64(m * mean.to_f64() + (1.0 - m) * rm.to_f64());
            let rv = &mut stats.var.data_mut()[c];
            *rv = T::from_f64(m * unbiased + (1.0 - m) * rv.to_f64());
        }
    }
}

impl<T: Float> Module<T> for BatchNorm1d<T> {
    fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
        let (w, b) = (self.weight.as_ref(), self.bias.as_ref());
        visit_affine(w, b, prefix, &mut |name, t| f(name, t));
    }

    fn visit_params_mut<'a>(&'a mut self, prefix: &str, f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {
        let (w, b) = (self.weight.as_mut(), self.bias.as_mut());
        visit_affine(w, b, prefix, &mut |name, t| f(name, t));
    }

    fn visit_buffers(&self, prefix: &str, f: &mut dyn FnMut(String, &Tensor<T>)) {
        if let Some(s) = &self.stats {
            let s = s.borrow();
            for (name, t) in BUFFER_NAMES.iter().zip([&s.mean, &s.var, &s.batches]) {
                f(format!("{prefix}{name}"), t);
            }
        }
    }

    fn visit_buffers_mut(&mut self, prefix: &str, f: &mut dyn FnMut(String, &mut Tensor<T>)) {
        if let Some(s) = &mut self.stats {
            let s = s.get_mut();
            for (name, t) in BUFFER_NAMES.iter().zip([&mut s.mean, &mut s.var, &mut s.batches]) {
                f(format!("{prefix}{name}"), t);
            }
        }
    }

    fn num_tensors(&self) -> usize {
        self.weight.is_some() as usize + self.bias.is_some() as usize
    }

    fn set_training(&mut self, training: bool) {
        self.training = training;
    }

    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        let bad = |msg: String| Error::InvalidArgument { op: "BatchNorm1d", msg };
        let c = self.num_features;
        let want = self.num_tensors();
        if params.len() != want {
            return Err(bad(format!("{} parameter variables given, the layer has {want}", params.len())));
        }
        let names = [("weight", self.weight.is_some()), ("bias", self.bias.is_some())]
            .into_iter()
            .filter(|&(_, on)| on)
            .map(|(what, _)| what);
        for (p, what) in params.iter().zip(names) {
            if p.shape()[..] != [c] {
                return Err(unbound("BatchNorm1d", what, *p, &[c]));
            }
        }
        if !(self.eps >= 0.0 && self.eps.is_finite()) {
            return Err(bad(format!("eps must be finite and ≥ 0, got {}", self.eps)));
        }
        if let Some(m) = self.momentum.filter(|m| !m.is_finite()) {
            return Err(bad(format!("momentum must be finite, got {m}")));
        }
        let shape = x.shape();
        if !(2..=3).contains(&shape.len()) {
            return Err(bad(format!(
                "expected a 2-d [N, C] or 3-d [N, C, L] input, got {}-d input {:?} ({})",
                shape.len(),
                &shape[..],
                x.node()
            )));
        }
        if shape[1] != c {
            return Err(bad(format!(
                "input {:?} ({}) has {} channels (dimension 1), the layer has {c}",
                &shape[..],
                x.node(),
                shape[1]
            )));
        }
        let l = shape.get(2).copied().unwrap_or(1);
        let n = shape[0] * l;
        let stat_shape: &[usize] = if shape.len() == 2 { &[1, c] } else { &[1, c, 1] };
        let mut stats = match &self.stats {
            Some(s) => Some(s.try_borrow_mut().map_err(|_| {
                bad("the running statistics are borrowed (a forward pass inside visit_buffers)".into())
            })?),
            None => None,
        };
        if let Some(s) = &stats {
            for (name, t, want) in [
                ("running_mean", &s.mean, &[c][..]),
                ("running_var", &s.var, &[c]),
                ("num_batches_tracked", &s.batches, &[]),
            ] {
                if t.shape() != want {
                    return Err(bad(format!(
                        "buffer {name} has shape {:?}, the layer's is {want:?}",
                        t.shape()
                    )));
                }
            }
        }
        let eps = T::from_f64(self.eps);
        let batch_stats = self.training || stats.is_none();
        let y = if batch_stats {
            if n < 2 {
                return Err(bad(format!(
                    "Expected more than 1 value per channel when training, got input {:?} ({}): {n} value{} \
                     per channel",
                    &shape[..],
                    x.node(),
                    if n == 1 { "" } else { "s" }
                )));
            }
            let count = T::from_usize(n);
            let mean = x.try_sum_to(stat_shape)? / count;
            let centred = x - mean;
            let var = centred.square().try_sum_to(stat_shape)? / count;
            centred / (var + eps).sqrt()
        } else {
            let s = stats.as_deref().expect("running statistics in evaluation");
            let tape = x.tape();
            let mean = tape.constant(&s.mean.clone().reshape(stat_shape)?);
            let var = tape.constant(&s.var.clone().reshape(stat_shape)?);
            (x - mean) / (var + eps).sqrt()
        };
        let per_channel = |p: Var<'t, T>| if shape.len() == 3 { p.try_reshape(&[c, 1]) } else { Ok(p) };
        let mut it = params.iter();
        let y = match self.weight {
            Some(_) => y.try_mul(per_channel(*it.next().expect("counted"))?)?,
            None => y,
        };
        let y = match self.bias {
            Some(_) => y.try_add(per_channel(*it.next().expect("counted"))?)?,
            None => y,
        };
        // Last, once nothing can fail: an error leaves the running statistics as they were.
        if let (true, Some(s)) = (self.training, stats.as_deref_mut()) {
            self.update_stats(s, x.value().data(), shape[0], l);
        }
        Ok(y)
    }
}

/// Visits an optional `weight` and an optional `bias` (a normalization layer's γ and β, a
/// convolution's weight and optional bias), in that order, named with `prefix`.
pub(crate) fn visit_affine<R>(
    weight: Option<R>,
    bias: Option<R>,
    prefix: &str,
    f: &mut dyn FnMut(String, R),
) {
    for (name, t) in [("weight", weight), ("bias", bias)] {
        if let Some(t) = t {
            f(format!("{prefix}{name}"), t);
        }
    }
}

macro_rules! activation {
    ($(#[$doc:meta])* $name:ident, $method:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
        pub struct $name;

        impl<T: Float> Module<T> for $name {
            fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
            fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
            fn num_tensors(&self) -> usize {
                0
            }
            fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
                no_params(stringify!($name), params)?;
                Ok(x.$method())
            }
        }
    };
}

/// An error unless `params` is empty (a layer without parameters was given some).
pub(crate) fn no_params<T: Float>(op: &'static str, params: &[Var<'_, T>]) -> Result<()> {
    if params.is_empty() {
        Ok(())
    } else {
        Err(Error::InvalidArgument {
            op,
            msg: format!("{} parameter variables given, the layer has none", params.len()),
        })
    }
}

/// An activation with one constant: a struct holding it, with the tape method applied.
macro_rules! activation_with {
    ($(#[$doc:meta])* $name:ident, $method:ident, $field:ident, $default:expr) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq)]
        pub struct $name {
            #[doc = concat!("The constant (PyTorch's `", stringify!($field), "`, default ", stringify!($default), ").")]
            pub $field: f64,
        }

        impl $name {
            #[doc = concat!("The layer with `", stringify!($field), "` set.")]
            pub fn new($field: f64) -> Self {
                $name { $field }
            }
        }

        impl Default for $name {
            fn default() -> Self {
                $name { $field: $default }
            }
        }

        impl<T: Float> Module<T> for $name {
            fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
            fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
            fn num_tensors(&self) -> usize {
                0
            }
            fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
                no_params(stringify!($name), params)?;
                Ok(x.$method(T::from_f64(self.$field)))
            }
        }
    };
}

activation!(
    /// σ(x) = 1/(1 + e^−x), elementwise (the tape's `sigmoid` op). No parameters.
    Sigmoid,
    sigmoid
);
activation!(
    /// max(x, 0), elementwise (the tape's `relu` op; relu'(0) = 0). No parameters.
    ReLU,
    relu
);
activation!(
    /// tanh(x), elementwise. No parameters.
    Tanh,
    tanh
);
activation!(
    /// x·σ(x), elementwise (PyTorch's `nn.SiLU`; the tape's `silu`). No parameters.
    SiLU,
    silu
);
activation!(
    /// ½·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))), elementwise (PyTorch's
    /// `nn.GELU(approximate='tanh')`; the tape's `gelu_tanh`). No parameters.
    GeluTanh,
    gelu_tanh
);
activation_with!(
    /// x where x > 0, else `negative_slope`·x, elementwise (PyTorch's `nn.LeakyReLU`; the
    /// tape's `leaky_relu`, derivative `negative_slope` at 0 as PyTorch's). No parameters.
    LeakyReLU,
    leaky_relu,
    negative_slope,
    0.01
);
activation_with!(
    /// x where x > 0, else α·(eˣ − 1), elementwise (PyTorch's `nn.ELU`; the tape's `elu`,
    /// derivative α at 0 as PyTorch's). No parameters.
    ELU,
    elu,
    alpha,
    1.0
);
activation!(
    /// x·Φ(x) = ½·x·(1 + erf(x/√2)), elementwise (PyTorch's `nn.GELU()`, the exact form;
    /// the tape's `gelu`). No parameters.
    Gelu,
    gelu
);

/// Dropout (PyTorch's `nn.Dropout(p)`): while training, each element is zeroed with
/// probability `p` and the others are scaled by 1/(1 − p), so the expected value is
/// unchanged; in evaluation ([`Module::set_training`]`(false)`) the input passes through
/// and nothing is recorded. No parameters.
///
/// The mask is drawn from the layer's own generator (seeded by [`Dropout::with_seed`], or
/// from the operating system by [`Dropout::new`]) and recorded as a constant that the
/// input is multiplied by, so the gradient is the same mask and the layer has no
/// derivative code. Each forward pass draws a new mask.
///
/// ```
/// use wengert_nn::{Dropout, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let mut drop = Dropout::with_seed(0.5, 7)?;
/// let tape = Tape::<f64>::new();
/// let x = tape.var(&Tensor::from([1.0, 2.0, 3.0, 4.0]));
/// let y = drop.forward_with(&[], x)?;
/// assert!(y.value().data().iter().zip([1.0, 2.0, 3.0, 4.0]).all(|(&y, x)| y == 0.0 || y == 2.0 * x));
/// drop.set_training(false);
/// assert_eq!(drop.forward_with(&[], x)?.value().data(), &[1.0, 2.0, 3.0, 4.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
#[derive(Debug)]
pub struct Dropout {
    p: f64,
    training: bool,
    rng: std::cell::RefCell<rand::rngs::StdRng>,
}

impl Dropout {
    /// Dropout with probability `p`, its generator seeded from the operating system.
    ///
    /// # Errors
    /// `InvalidArgument` unless 0 ≤ p ≤ 1 (as PyTorch).
    pub fn new(p: f64) -> Result<Self> {
        use rand::SeedableRng;
        Self::checked(p, rand::rngs::StdRng::from_os_rng())
    }

    /// Dropout with probability `p` and a generator seeded with `seed`: the same seed
    /// draws the same masks.
    ///
    /// # Errors
    /// `InvalidArgument` unless 0 ≤ p ≤ 1 (as PyTorch).
    pub fn with_seed(p: f64, seed: u64) -> Result<Self> {
        use rand::SeedableRng;
        Self::checked(p, rand::rngs::StdRng::seed_from_u64(seed))
    }

    fn checked(p: f64, rng: rand::rngs::StdRng) -> Result<Self> {
        let ok = (0.0..=1.0).contains(&p); // false for NaN
        if !ok {
            return Err(Error::InvalidArgument {
                op: "Dropout",
                msg: format!("dropout probability has to be between 0 and 1, got {p}"),
            });
        }
        Ok(Dropout { p, training: true, rng: std::cell::RefCell::new(rng) })
    }

    /// The probability of zeroing an element.
    pub fn p(&self) -> f64 {
        self.p
    }

    /// True while training (the default): masks are drawn.
    pub fn is_training(&self) -> bool {
        self.training
    }

    /// Switches masks on (training) or off (evaluation); the same as
    /// [`Module::set_training`], callable without naming the element type.
    pub fn set_training(&mut self, training: bool) {
        self.training = training;
    }
}

impl<T: Float> Module<T> for Dropout {
    fn visit_params<'a>(&'a self, _prefix: &str, _f: &mut dyn FnMut(String, &'a Tensor<T>)) {}
    fn visit_params_mut<'a>(&'a mut self, _prefix: &str, _f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {}
    fn num_tensors(&self) -> usize {
        0
    }

    fn set_training(&mut self, training: bool) {
        Dropout::set_training(self, training);
    }

    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        no_params("Dropout", params)?;
        if !self.training || self.p == 0.0 {
            return Ok(x);
        }
        // PyTorch's mask: kept with probability 1 − p, then divided by 1 − p (all zeros at
        // p = 1).
        let keep = if self.p == 1.0 { T::ZERO } else { T::from_f64(1.0 / (1.0 - self.p)) };
        let mut rng = self.rng.borrow_mut();
        let mask: Vec<T> =
            (0..x.len()).map(|_| if rng.random::<f64>() < self.p { T::ZERO } else { keep }).collect();
        let mask = Tensor::new(&x.shape(), mask).expect("a mask of x's shape");
        x.try_mul(x.tape().constant(&mask))
    }
}

/// Layers applied in order; parameters named `"{index}.{name}"` (`"0.weight"`,
/// `"0.bias"`, `"2.weight"`, ...) like PyTorch's `nn.Sequential`, and buffers likewise
/// (`"1.running_mean"`); the state dict goes layer by layer, each layer's parameters then
/// its buffers, as PyTorch's.
///
/// ```
/// use rand::{rngs::StdRng, SeedableRng};
/// use wengert_nn::{Init, Linear, Module, ReLU, Sequential};
///
/// let mut rng = StdRng::seed_from_u64(0);
/// let mlp = Sequential::<f64>::new()
///     .add(Linear::new(2, 16, Init::KaimingUniform, &mut rng))
///     .add(ReLU)
///     .add(Linear::new(16, 1, Init::XavierUniform, &mut rng));
/// let names: Vec<String> = mlp.state_dict().keys().cloned().collect();
/// assert_eq!(names, ["0.weight", "0.bias", "2.weight", "2.bias"]);
/// ```
#[derive(Default)]
pub struct Sequential<T: Float = f64> {
    layers: Vec<Box<dyn Module<T>>>,
}

impl<T: Float> Sequential<T> {
    /// An empty container.
    pub fn new() -> Self {
        Sequential { layers: Vec::new() }
    }

    /// Appends a layer.
    #[allow(clippy::should_implement_trait)]
    pub fn add(mut self, layer: impl Module<T> + 'static) -> Self {
        self.layers.push(Box::new(layer));
        self
    }

    /// Appends a boxed layer.
    pub fn push(&mut self, layer: Box<dyn Module<T>>) {
        self.layers.push(layer);
    }

    /// Number of layers.
    pub fn len(&self) -> usize {
        self.layers.len()
    }

    /// True if there are no layers.
    pub fn is_empty(&self) -> bool {
        self.layers.is_empty()
    }
}

impl<T: Float> Module<T> for Sequential<T> {
    fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
        for (i, l) in self.layers.iter().enumerate() {
            l.visit_params(&format!("{prefix}{i}."), f);
        }
    }

    fn visit_params_mut<'a>(&'a mut self, prefix: &str, f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {
        for (i, l) in self.layers.iter_mut().enumerate() {
            l.visit_params_mut(&format!("{prefix}{i}."), f);
        }
    }

    fn visit_buffers(&self, prefix: &str, f: &mut dyn FnMut(String, &Tensor<T>)) {
        for (i, l) in self.layers.iter().enumerate() {
            l.visit_buffers(&format!("{prefix}{i}."), f);
        }
    }

    fn visit_buffers_mut(&mut self, prefix: &str, f: &mut dyn FnMut(String, &mut Tensor<T>)) {
        for (i, l) in self.layers.iter_mut().enumerate() {
            l.visit_buffers_mut(&format!("{prefix}{i}."), f);
        }
    }

    fn visit_state(&self, prefix: &str, f: &mut dyn FnMut(String, &Tensor<T>)) {
        for (i, l) in self.layers.iter().enumerate() {
            l.visit_state(&format!("{prefix}{i}."), f);
        }
    }

    fn num_tensors(&self) -> usize {
        self.layers.iter().map(|l| l.num_tensors()).sum()
    }

    fn set_training(&mut self, training: bool) {
        for l in &mut self.layers {
            l.set_training(training);
        }
    }

    fn forward_with<'t>(&self, params: &[Var<'t, T>], mut x: Var<'t, T>) -> Result<Var<'t, T>> {
        let want = self.num_tensors();
        if params.len() != want {
            return Err(Error::InvalidArgument {
                op: "Sequential",
                msg: format!("{} parameter variables given, the layers have {want}", params.len()),
            });
        }
        let mut at = 0;
        for (i, l) in self.layers.iter().enumerate() {
            let n = l.num_tensors();
            let Some(mine) = params.get(at..at + n) else {
                return Err(Error::InvalidArgument {
                    op: "Sequential",
                    msg: format!("{} parameter variables given, the layers need more", params.len()),
                });
            };
            x = l.forward_with(mine, x).map_err(|e| in_layer(i, e))?;
            at += n;
        }
        Ok(x)
    }
}

/// A layer's [`Error::InvalidArgument`] with the layer's index (the prefix of its
/// parameter names) in front: `Sequential: layer 2 (Linear): ...`. Other errors name
/// nodes and are passed on unchanged.
#[cold]
#[inline(never)]
fn in_layer(i: usize, e: Error) -> Error {
    match e {
        Error::InvalidArgument { op, msg } => {
            Error::InvalidArgument { op: "Sequential", msg: format!("layer {i} ({op}): {msg}") }
        }
        e => e,
    }
}

/// A lookup table of `num_embeddings` vectors of length `embedding_dim`, as
/// `torch.nn.Embedding(num_embeddings, embedding_dim, padding_idx=None)`: an input of
/// indices of any shape S gives the rows of `weight` `[num_embeddings, embedding_dim]`
/// they name, shape S + `[embedding_dim]`. The indices come in as a tensor of whole numbers
/// (a constant: `tape.constant(&Tensor::new(&[2], vec![4.0, 1.0])?)`), as every layer's
/// input is a tensor; they get no gradient.
///
/// One [`Var::index_select`] of the weight's rows: its backward rule adds the gradient of
/// every use of a row into that row, as PyTorch's dense gradient does. With
/// [`Embedding::padding_idx`] the rows looked up at that index read the weight detached,
/// so that row gets no gradient, and the constructor's zeroing of it is PyTorch's.
/// Not provided: `max_norm` (PyTorch renormalises the weight in place during the forward
/// pass), `scale_grad_by_freq`, `sparse`.
///
/// ```
/// use rand::{rngs::StdRng, SeedableRng};
/// use wengert_nn::{Embedding, Init, Module};
/// use wengert_tape::{Tape, Tensor};
///
/// let mut rng = StdRng::seed_from_u64(0);
/// let emb = Embedding::<f64>::new(10, 3, Init::Normal { mean: 0.0, std: 1.0 }, &mut rng).padding_idx(0);
/// assert_eq!(&emb.weight.data()[..3], [0.0, 0.0, 0.0]); // the padding row
///
/// let tape = Tape::new();
/// let p = emb.bind(&tape);
/// let ids = tape.constant(&Tensor::new(&[2, 2], vec![4.0, 0.0, 4.0, 7.0])?);
/// let y = emb.forward(&p, ids)?;
/// assert_eq!(y.shape().as_slice(), [2, 2, 3]);
/// let g = y.sum().backward();
/// // Row 4 is used twice; row 0 is the padding row.
/// assert_eq!(&g.wrt(p.vars()[0]).data()[12..15], [2.0, 2.0, 2.0]);
/// assert_eq!(&g.wrt(p.vars()[0]).data()[..3], [0.0, 0.0, 0.0]);
/// # Ok::<(), wengert_tape::Error>(())
/// ```
///
/// # Errors
/// `InvalidArgument` naming `Embedding`, before anything is recorded, for an index that is
/// not a whole number in [0, num_embeddings) (naming its position and value), a weight that
/// is not 2-d, a padding index out of range, and bound parameters that are not this
/// layer's.
#[derive(Clone, Debug)]
pub struct Embedding<T: Float = f64> {
    /// The table, `[num_embeddings, embedding_dim]` (PyTorch's `weight`).
    pub weight: Tensor<T>,
    padding_idx: Option<usize>,
}

impl<T: Float> Embedding<T> {
    /// A table of `num_embeddings` rows of length `embedding_dim` drawn from `init`
    /// (PyTorch's default is `Init::Normal { mean: 0.0, std: 1.0 }`; the fans given to
    /// `init` are fan_in = embedding_dim, fan_out = num_embeddings, PyTorch's fans of the
    /// weight).
    pub fn new(num_embeddings: usize, embedding_dim: usize, init: Init, rng: &mut impl Rng) -> Self {
        let weight = init.tensor(&[num_embeddings, embedding_dim], embedding_dim, num_embeddings, rng);
        Embedding { weight, padding_idx: None }
    }

    /// A table from a given weight `[num_embeddings, embedding_dim]` (PyTorch's
    /// `Embedding.from_pretrained`, the weight trainable).
    ///
    /// # Errors
    /// `InvalidArgument` for a weight that is not 2-d.
    pub fn from_tensor(weight: Tensor<T>) -> Result<Self> {
        let e = Embedding { weight, padding_idx: None };
        e.check_layout()?;
        Ok(e)
    }

    /// Makes `index` the padding index (PyTorch's `padding_idx`): its row is set to zeros
    /// now, as PyTorch's constructor does (a state dict loaded later replaces it), and gets
    /// no gradient. An index past the table is refused at the forward pass.
    pub fn padding_idx(mut self, index: usize) -> Self {
        self.padding_idx = Some(index);
        if self.weight.shape().len() == 2 && index < self.weight.shape()[0] {
            let d = self.weight.shape()[1];
            self.weight.data_mut()[index * d..(index + 1) * d].fill(T::ZERO);
        }
        self
    }

    /// The number of rows.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor of rank 0.
    pub fn num_embeddings(&self) -> usize {
        self.weight.shape()[0]
    }

    /// The length of a row.
    ///
    /// # Panics
    /// If `weight` was assigned a tensor of rank below 2.
    pub fn embedding_dim(&self) -> usize {
        self.weight.shape()[1]
    }

    fn check_layout(&self) -> Result<()> {
        let ws = self.weight.shape();
        if ws.len() != 2 {
            return Err(Error::InvalidArgument {
                op: "Embedding",
                msg: format!("weight must be [num_embeddings, embedding_dim], got shape {ws:?}"),
            });
        }
        match self.padding_idx {
            Some(i) if i >= ws[0] => Err(Error::InvalidArgument {
                op: "Embedding",
                msg: format!("padding_idx {i} must be less than num_embeddings {}", ws[0]),
            }),
            _ => Ok(()),
        }
    }
}

impl<T: Float> Module<T> for Embedding<T> {
    fn visit_params<'a>(&'a self, prefix: &str, f: &mut dyn FnMut(String, &'a Tensor<T>)) {
        f(format!("{prefix}weight"), &self.weight);
    }

    fn visit_params_mut<'a>(&'a mut self, prefix: &str, f: &mut dyn FnMut(String, &'a mut Tensor<T>)) {
        f(format!("{prefix}weight"), &mut self.weight);
    }

    fn num_tensors(&self) -> usize {
        1
    }

    fn forward_with<'t>(&self, params: &[Var<'t, T>], x: Var<'t, T>) -> Result<Var<'t, T>> {
        let bad = |msg: String| Error::InvalidArgument { op: "Embedding", msg };
        if params.len() != 1 {
            return Err(bad(format!("{} parameter variables given, the layer has 1", params.len())));
        }
        self.check_layout()?;
        let w = params[0];
        let ws = self.weight.shape();
        if w.shape()[..] != *ws {
            return Err(unbound("Embedding", "weight", w, ws));
        }
        let (rows, dim) = (ws[0], ws[1]);
        let ids = x.value();
        let mut index = Vec::with_capacity(ids.data().len());
        for (k, &v) in ids.data().iter().enumerate() {
            let f = v.to_f64();
            if !(f >= 0.0 && f.fract() == 0.0 && f < rows as f64) {
                return Err(bad(format!(
                    "index {f} at position {k} of input {:?} ({}) is not a whole number in [0, {rows})",
                    x.shape(),
                    x.node()
                )));
            }
            index.push(f as usize);
        }
        let mut looked = w.try_index_select(&index)?;
        if let Some(pad) = self.padding_idx.filter(|p| index.contains(p)) {
            // The padding positions read the weight cut off from the graph.
            let fixed = w.detach().try_index_select(&index)?;
            let mask =
                Tensor::from_fn(
                    &[index.len(), dim],
                    |i| if index[i / dim] == pad { T::ONE } else { T::ZERO },
                );
            looked = x.tape().constant(&mask).try_select(fixed, looked)?;
        }
        let mut shape = x.shape().to_vec();
        shape.push(dim);
        looked.try_reshape(&shape)
    }
}
