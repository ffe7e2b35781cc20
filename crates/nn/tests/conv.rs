//! Convolution and pooling layers (`Conv2d`, `Conv1d`, `MaxPool2d`, `AvgPool2d`, `Flatten`,
//! `BatchNorm2d`):
//!
//! * Values and gradients (of Σ out·cot with respect to the input and every parameter)
//!   against torch 2.15 in f64, from `scripts/torch_conv_reference.py` (the `CASES` table at
//!   the end is its output): strides, paddings and dilations that differ per axis, a 1×1
//!   kernel, no bias, padding reaching past several windows, grouped and depthwise
//!   convolutions, every padding mode and `'same'` (odd and even kernels),
//!   BatchNorm2d in training with its running statistics. A wrong im2col
//!   index or group order would change these numbers.
//! * Gradients against central finite differences (`gradcheck`, f64) on random shapes and
//!   options (groups, padding modes and `'same'` among them), the input used twice.
//! * The max-pooling tie rule (split evenly, unlike torch), one layer used on alternating
//!   input shapes, unbatched input, the initialisation (grouped too), the state dict
//!   inside `Sequential` and of a grouped layer, and the errors (grouped too).

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rand::rngs::StdRng;
use rand::SeedableRng;
use wengert_nn::{
    AvgPool2d, BatchNorm2d, Conv1d, Conv2d, Flatten, Init, Linear, MaxPool2d, Module, PaddingMode, ReLU,
    Sequential,
};
use wengert_tape::gradcheck::{gradcheck, CheckOptions, CheckReport};
use wengert_tape::{func_many, Error, Result, Tape, Tensor, Var};

/// One torch reference: the inputs (x, then the layer's parameters in state-dict order),
/// the output, the cotangent, the gradients of Σ out·cot with respect to every input, and
/// the running statistics after the forward pass (BatchNorm2d).
struct Case {
    name: &'static str,
    inputs: &'static [(&'static [usize], &'static [f64])],
    out: (&'static [usize], &'static [f64]),
    cot: &'static [f64],
    grads: &'static [&'static [f64]],
    buffers: &'static [(&'static str, &'static [f64])],
}

fn tensor(shape: &[usize], data: &[f64]) -> Tensor<f64> {
    Tensor::new(shape, data.to_vec()).unwrap()
}

/// The layer of case `name`, as the script builds it, with the parameters `params`.
fn layer_of(name: &str, params: &[Tensor<f64>]) -> Box<dyn Module<f64>> {
    let (w, b) = (params.first().cloned(), params.get(1).cloned());
    let conv2 = || Conv2d::from_tensors(w.clone().unwrap(), b.clone()).unwrap();
    let conv1 = || Conv1d::from_tensors(w.clone().unwrap(), b.clone()).unwrap();
    let conv2_groups = |g| Conv2d::from_tensors_grouped(w.clone().unwrap(), b.clone(), g).unwrap();
    let conv1_groups = |g| Conv1d::from_tensors_grouped(w.clone().unwrap(), b.clone(), g).unwrap();
    match name {
        "conv2d_main" => Box::new(conv2().stride((2, 1)).padding((1, 0)).dilation((1, 2))),
        "conv2d_1x1" => Box::new(conv2()),
        "conv2d_pad_both" => Box::new(conv2().stride((1, 2)).padding((1, 2))),
        "conv2d_dilated" => Box::new(conv2().stride((3, 2)).padding((2, 1)).dilation((2, 1))),
        "conv1d_main" => Box::new(conv1().stride(2).padding(1).dilation(2)),
        "conv1d_plain" => Box::new(conv1()),
        "conv2d_groups" => Box::new(conv2_groups(2).stride(2).padding(1)),
        "conv2d_depthwise" => Box::new(conv2_groups(3).dilation(2)),
        "conv1d_groups" => Box::new(conv1_groups(2).padding(1)),
        "conv2d_reflect" => Box::new(conv2().padding((2, 1)).padding_mode(PaddingMode::Reflect)),
        "conv2d_replicate" => Box::new(
            conv2().stride((2, 1)).padding((1, 3)).dilation((1, 2)).padding_mode(PaddingMode::Replicate),
        ),
        "conv2d_circular" => {
            Box::new(conv2_groups(2).stride((1, 2)).padding((1, 3)).padding_mode(PaddingMode::Circular))
        }
        "conv2d_same" => Box::new(conv2().padding_same().dilation((1, 2))),
        "conv2d_same_reflect" => Box::new(conv2().padding_same().padding_mode(PaddingMode::Reflect)),
        "conv1d_same_circular" => {
            Box::new(conv1().padding_same().dilation(2).padding_mode(PaddingMode::Circular))
        }
        "conv1d_replicate" => Box::new(conv1().stride(2).padding(2).padding_mode(PaddingMode::Replicate)),
        "conv1d_same" => Box::new(conv1().padding_same()),
        "maxpool_pad" => Box::new(MaxPool2d::new((3, 2)).stride((2, 2)).padding((1, 1))),
        "maxpool_default_stride" => Box::new(MaxPool2d::new(2)),
        "maxpool_dilated" => Box::new(MaxPool2d::new((2, 2)).stride(1).padding((1, 0)).dilation((2, 3))),
        "avgpool_pad" => Box::new(AvgPool2d::new(3).stride(2).padding(1)),
        "avgpool_default_stride" => Box::new(AvgPool2d::new((2, 3))),
        "batchnorm2d_train" => {
            let mut bn = BatchNorm2d::new(3);
            bn.inner_mut().weight = w;
            bn.inner_mut().bias = b;
            Box::new(bn)
        }
        _ => panic!("no case {name}"),
    }
}

/// Relative agreement within `tol` (or within 4 ulp of the torch value). Returns the worst
/// relative error over the nonzero torch values, and the worst error relative to the
/// largest torch value of the tensor.
fn close(got: &[f64], want: &[f64], tol: f64, what: &str) -> (f64, f64) {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let scale = want.iter().fold(0.0f64, |m, v| m.max(v.abs()));
    let (mut worst, mut scaled) = (0.0f64, 0.0f64);
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        let err = (a - b).abs() / b.abs().max(1e-300);
        let ok = (a - b).abs() <= tol * b.abs() || (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(1e-300);
        assert!(ok, "{what}[{k}]: {a:e} vs torch {b:e} (relative {err:e})");
        if *b != 0.0 {
            worst = worst.max(err);
        }
        scaled = scaled.max((a - b).abs() / scale.max(1e-300));
    }
    (worst, scaled)
}

#[test]
fn matches_torch() {
    let (mut worst, mut scaled) = (0.0f64, 0.0f64);
    let mut note = |(w, s): (f64, f64)| {
        worst = worst.max(w);
        scaled = scaled.max(s);
    };
    for case in CASES {
        let inputs: Vec<Tensor<f64>> = case.inputs.iter().map(|(s, d)| tensor(s, d)).collect();
        let layer = layer_of(case.name, &inputs[1..]);
        assert_eq!(layer.num_tensors(), inputs.len() - 1, "{}", case.name);
        let tape = Tape::<f64>::new();
        let vars: Vec<Var<'_, f64>> = inputs.iter().map(|t| tape.var(t)).collect();
        let y = layer.forward_with(&vars[1..], vars[0]).unwrap();
        assert_eq!(&y.shape()[..], case.out.0, "{} shape", case.name);
        note(close(y.value().data(), case.out.1, 1e-12, &format!("{} value", case.name)));
        let cot = tape.constant(&tensor(case.out.0, case.cot));
        let g = (y * cot).sum().backward();
        assert_eq!(vars.len(), case.grads.len(), "{}", case.name);
        for (k, (v, want)) in vars.iter().zip(case.grads).enumerate() {
            note(close(g.wrt(*v).data(), want, 1e-12, &format!("{} ∂input{k}", case.name)));
        }
        let buffers = layer.named_buffers();
        for (name, want) in case.buffers {
            let got = &buffers.iter().find(|(n, _)| n == name).unwrap().1;
            note(close(got.data(), want, 1e-12, &format!("{} {name}", case.name)));
        }
        assert!(case.buffers.is_empty() || buffers.len() == 3, "{}", case.name);
    }
    eprintln!(
        "worst difference from torch: {worst:e} relative, {scaled:e} relative to the tensor's largest value"
    );
}

/// A deterministic tensor of `shape`, distinct values, from `salt`.
fn det(shape: &[usize], salt: f64) -> Tensor<f64> {
    Tensor::from_fn(shape, |i| (0.37 * i as f64 + salt).sin() + 0.01 * i as f64)
}

/// Where a window holds its maximum more than once, the tape's `max_axis` splits the
/// gradient evenly between the tied elements; torch sends all of it to the first.
#[test]
fn max_pool_ties_share_the_gradient() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from_fn(&[1, 1, 2, 2], |i| [1.0, 1.0, 0.0, 1.0][i]));
    let y = MaxPool2d::new(2).forward_with(&[], x).unwrap();
    assert_eq!(y.value().data(), [1.0]);
    let third = 1.0 / 3.0;
    assert_eq!(y.sum().backward().wrt(x).data(), [third, third, 0.0, third]);
    // Torch 2.15: [1, 0, 0, 0].
}

/// Padding never wins a maximum: an all-negative input pooled with padding gives its own
/// values (a zero padding would give 0), and no gradient is lost in the padding.
#[test]
fn max_pool_padding_is_minus_infinity() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from_fn(&[1, 1, 3, 3], |i| -1.0 - i as f64));
    let y = MaxPool2d::new(3).stride(1).padding(1).forward_with(&[], x).unwrap();
    assert_eq!(y.value().data(), [-1.0, -1.0, -2.0, -1.0, -1.0, -2.0, -4.0, -4.0, -5.0]);
    let g = y.sum().backward();
    assert_eq!(g.wrt(x).data().iter().sum::<f64>(), 9.0);
    // The average counts the padding (count_include_pad): a corner window of ones has 4/9.
    let ones = tape.var(&Tensor::ones(&[1, 1, 3, 3]));
    let a = AvgPool2d::new(3).stride(1).padding(1).forward_with(&[], ones).unwrap();
    assert_eq!(a.value().data()[0], 4.0 / 9.0);
    assert_eq!(a.value().data()[4], 1.0);
}

/// A layer used on alternating shapes gives, bit for bit, what a fresh layer gives on each
/// (the layers keep no per-shape state).
#[test]
fn layers_follow_the_input_shape() {
    let mut rng = StdRng::seed_from_u64(3);
    let conv = Conv2d::<f64>::new(2, 3, (3, 2), Init::TorchDefault, &mut rng).padding((1, 1)).stride((1, 2));
    let pool = MaxPool2d::new(2).padding(1);
    let shapes: [&[usize]; 6] =
        [&[2, 2, 5, 6], &[1, 2, 5, 6], &[2, 2, 4, 7], &[3, 2, 6, 3], &[2, 2, 3, 3], &[2, 2, 5, 6]];
    for round in 0..2 {
        for (k, shape) in shapes.iter().enumerate() {
            let x = det(shape, (round * 10 + k) as f64);
            let tape = Tape::<f64>::new();
            let p = conv.bind(&tape);
            let used = conv.forward(&p, tape.constant(&x)).unwrap().value();
            let fresh = conv.clone().padding((1, 1)); // the same parameters ...
            let fresh =
                Conv2d::from_tensors(fresh.weight, fresh.bias).unwrap().padding((1, 1)).stride((1, 2));
            let again = fresh.forward(&fresh.bind(&tape), tape.constant(&x)).unwrap().value();
            assert_eq!(used.shape(), again.shape());
            assert_eq!(used.data(), again.data(), "shape {shape:?}, round {round}");
            let pooled = pool.forward_with(&[], tape.constant(&x)).unwrap().value();
            let fresh_pool =
                MaxPool2d::new(2).padding(1).forward_with(&[], tape.constant(&x)).unwrap().value();
            assert_eq!(pooled.data(), fresh_pool.data());
        }
    }
    // Debug shows the parameters and settings, nothing that grows with the inputs seen.
    let shown = format!("{conv:?}");
    assert!(shown.contains("padding: [1, 1]") && shown.contains("stride: [1, 2]"), "{shown}");
    assert!(shown.len() < 2000, "{shown}");
}

#[test]
fn torch_default_init() {
    let mut rng = StdRng::seed_from_u64(7);
    let conv = Conv2d::<f64>::new(4, 6, (3, 5), Init::TorchDefault, &mut rng);
    assert_eq!(conv.weight.shape(), [6, 4, 3, 5]);
    let bound = 1.0 / (4.0f64 * 15.0).sqrt();
    for t in [&conv.weight, conv.bias.as_ref().unwrap()] {
        let max = t.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(max <= bound, "{max} > {bound}");
    }
    // 360 draws from U(±b) reach past 0.9·b.
    let max = conv.weight.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(max > 0.9 * bound, "{max} vs {bound}");
    let again = Conv2d::<f64>::new(4, 6, (3, 5), Init::TorchDefault, &mut StdRng::seed_from_u64(7));
    assert_eq!(again.weight.data(), conv.weight.data());
    assert_eq!(again.bias.unwrap().data(), conv.bias.as_ref().unwrap().data());
    // Conv1d: fan_in = C·k.
    let c1 = Conv1d::<f64>::new(3, 2, 4, Init::TorchDefault, &mut rng);
    let b1 = 1.0 / 12.0f64.sqrt();
    assert!(c1.weight.data().iter().chain(c1.bias.as_ref().unwrap().data()).all(|v| v.abs() <= b1));
    assert_eq!((c1.in_channels(), c1.out_channels(), c1.kernel_size()), (3, 2, 4));
    // Kaiming and Xavier leave the bias at 0, as Linear does.
    let k = Conv2d::<f64>::new(2, 2, 3, Init::KaimingUniform, &mut rng);
    assert!(k.bias.unwrap().data().iter().all(|&v| v == 0.0));
}

/// A grouped layer's weight is `[O, C/g, k…]` and its fan_in (C/g)·kh·kw, as PyTorch's: the
/// bound is √g times the ungrouped one, and draws reach past the ungrouped bound.
#[test]
fn torch_default_init_grouped() {
    let mut rng = StdRng::seed_from_u64(7);
    let conv = Conv2d::<f64>::new_grouped(8, 6, (3, 5), 2, Init::TorchDefault, &mut rng).unwrap();
    assert_eq!(conv.weight.shape(), [6, 4, 3, 5]);
    assert_eq!((conv.in_channels(), conv.out_channels(), conv.groups()), (8, 6, 2));
    let bound = 1.0 / (4.0f64 * 15.0).sqrt();
    let ungrouped = 1.0 / (8.0f64 * 15.0).sqrt();
    for t in [&conv.weight, conv.bias.as_ref().unwrap()] {
        let max = t.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
        assert!(max <= bound, "{max} > {bound}");
    }
    let max = conv.weight.data().iter().fold(0.0f64, |m, v| m.max(v.abs()));
    assert!(max > 0.9 * bound && max > ungrouped, "{max} vs {bound}");
    // Groups 1 is `new`, draw for draw.
    let one = Conv2d::<f64>::new_grouped(4, 6, (3, 5), 1, Init::TorchDefault, &mut StdRng::seed_from_u64(7));
    let plain = Conv2d::<f64>::new(4, 6, (3, 5), Init::TorchDefault, &mut StdRng::seed_from_u64(7));
    let one = one.unwrap();
    assert_eq!((one.weight.data(), one.groups()), (plain.weight.data(), 1));
    assert_eq!(one.bias.unwrap().data(), plain.bias.unwrap().data());
    // Depthwise Conv1d: fan_in = 1·k; fan_out = O·k (Xavier sees it).
    let c1 = Conv1d::<f64>::new_grouped(3, 6, 4, 3, Init::TorchDefault, &mut rng).unwrap();
    assert_eq!(c1.weight.shape(), [6, 1, 4]);
    assert_eq!((c1.in_channels(), c1.out_channels(), c1.kernel_size(), c1.groups()), (3, 6, 4, 3));
    let b1 = 1.0 / 4.0f64.sqrt();
    assert!(c1.weight.data().iter().chain(c1.bias.as_ref().unwrap().data()).all(|v| v.abs() <= b1));
    let x = Conv1d::<f64>::new_grouped(3, 6, 4, 3, Init::XavierUniform, &mut rng).unwrap();
    let xb = (6.0f64 / (4.0 + 24.0)).sqrt();
    assert!(x.weight.data().iter().all(|v| v.abs() <= xb));
    assert!(x.weight.data().iter().any(|v| v.abs() > 0.8 * xb));
}

/// A grouped layer's state dict holds PyTorch's shapes, `[O, C/g, kh, kw]`, so a grouped
/// PyTorch layer's tensors load into it and an ungrouped layer's are refused.
#[test]
fn grouped_state_dict() {
    let mut rng = StdRng::seed_from_u64(2);
    let mut conv = Conv2d::<f64>::new_grouped(4, 6, 3, 2, Init::TorchDefault, &mut rng).unwrap();
    let shapes: Vec<Vec<usize>> = conv.state_dict().values().map(|t| t.shape().to_vec()).collect();
    assert_eq!(shapes, [vec![6, 2, 3, 3], vec![6]]);
    let other = Conv2d::<f64>::new_grouped(4, 6, 3, 2, Init::TorchDefault, &mut rng).unwrap();
    conv.load_state_dict(&other.state_dict()).unwrap();
    assert_eq!(conv.weight.data(), other.weight.data());
    let ungrouped = Conv2d::<f64>::new(4, 6, 3, Init::TorchDefault, &mut rng);
    assert!(conv.load_state_dict(&ungrouped.state_dict()).is_err());
    assert_eq!(conv.weight.data(), other.weight.data());
}

/// A small convolutional network in a `Sequential`: PyTorch's state-dict names and order,
/// output shape, evaluation mode, and central differences through the whole of it.
#[test]
fn sequential_cnn() {
    let mut rng = StdRng::seed_from_u64(11);
    let mut net = Sequential::<f64>::new()
        .add(Conv2d::new(2, 3, 3, Init::TorchDefault, &mut rng).padding(1))
        .add(BatchNorm2d::new(3))
        .add(ReLU)
        .add(MaxPool2d::new(2))
        .add(Conv1dAsIs)
        .add(AvgPool2d::new((1, 2)))
        .add(Flatten::default())
        .add(Linear::new(3 * 2 * 2, 2, Init::TorchDefault, &mut rng));
    let names: Vec<String> = net.state_dict().keys().cloned().collect();
    assert_eq!(
        names,
        [
            "0.weight",
            "0.bias",
            "1.weight",
            "1.bias",
            "1.running_mean",
            "1.running_var",
            "1.num_batches_tracked",
            "7.weight",
            "7.bias"
        ]
    );
    let x = det(&[2, 2, 4, 8], 0.5);
    let tape = Tape::<f64>::new();
    let p = net.bind(&tape);
    let y = net.forward(&p, tape.var(&x)).unwrap();
    assert_eq!(y.shape().as_slice(), [2, 2]);
    let tracked = |net: &Sequential<f64>| net.state_dict()["1.num_batches_tracked"].data()[0];
    assert_eq!(tracked(&net), 1.0);
    // Evaluation reaches BatchNorm2d through the Sequential: the running statistics are
    // used and left alone, and the output changes.
    net.set_training(false);
    let y_eval = net.forward(&p, tape.var(&x)).unwrap();
    assert_eq!(tracked(&net), 1.0);
    assert_ne!(y_eval.value().data(), y.value().data());
    net.set_training(true);
    // Gradients in x and every parameter, in training mode (the batch statistics are part
    // of the function; the running statistics move at each call but are not used).
    let params: Vec<Tensor<f64>> = net.named_parameters().into_iter().map(|(_, t)| t.clone()).collect();
    let mut inputs = vec![x.clone()];
    inputs.extend(params);
    let cot = det(&[2, 2], 1.0);
    let f = func_many(move |v| {
        let t = v[0].tape();
        (net.forward_with(&v[1..], v[0]).unwrap() * t.constant(&cot)).sum()
    });
    let report = gradcheck(f, &inputs, &CheckOptions::default());
    assert!(report.passed(), "{report}");
}

/// A layer that checks it is given `[N, C, H, W]` and passes it on (a stand-in between two
/// layers of `sequential_cnn`, so that the network's shapes are asserted along the way).
struct Conv1dAsIs;

impl Module<f64> for Conv1dAsIs {
    fn visit_params<'a>(&'a self, _: &str, _: &mut dyn FnMut(String, &'a Tensor<f64>)) {}
    fn visit_params_mut<'a>(&'a mut self, _: &str, _: &mut dyn FnMut(String, &'a mut Tensor<f64>)) {}
    fn forward_with<'t>(&self, _: &[Var<'t, f64>], x: Var<'t, f64>) -> Result<Var<'t, f64>> {
        assert_eq!(x.shape().as_slice(), [2, 3, 2, 4]);
        Ok(x)
    }
}

fn message(e: Error) -> String {
    match e {
        Error::InvalidArgument { op, msg } => format!("{op}: {msg}"),
        other => panic!("expected InvalidArgument, got {other:?}"),
    }
}

fn err_of(layer: &dyn Module<f64>, shape: &[usize]) -> String {
    let tape = Tape::<f64>::new();
    let p = layer.bind(&tape);
    let x = tape.var(&Tensor::zeros(shape));
    let before = tape.len();
    let e = layer.forward(&p, x).map(|y| y.shape()).expect_err("an error");
    assert_eq!(tape.len(), before, "recorded something before failing");
    message(e)
}

#[test]
fn errors_name_the_layer_and_the_shapes() {
    let mut rng = StdRng::seed_from_u64(0);
    let conv = Conv2d::<f64>::new(3, 8, (3, 3), Init::TorchDefault, &mut rng);
    assert_eq!(
        err_of(&conv, &[5, 6]),
        "Conv2d: expected a 4-d input [N, C, H, W] or 3-d [C, H, W], got 2-d input [5, 6] (v2)"
    );
    assert_eq!(
        err_of(&conv, &[4, 5, 6]),
        "Conv2d: input [4, 5, 6] (v2) has 4 channels (dimension 0), but weight [8, 3, 3, 3] (v0) takes 3"
    );
    assert_eq!(
        err_of(&conv, &[2, 4, 5, 6]),
        "Conv2d: input [2, 4, 5, 6] (v2) has 4 channels (dimension 1), but weight [8, 3, 3, 3] (v0) takes 3"
    );
    assert_eq!(
        err_of(&conv, &[1, 3, 2, 6]),
        "Conv2d: input [1, 3, 2, 6] (v2) padded by (0, 0) is 2 × 6 per channel, smaller than the kernel (3, 3) \
         (dilation (1, 1): it spans (3, 3))"
    );
    // Padding makes room; dilation takes it again.
    let padded = conv.clone().padding((1, 0));
    let tape = Tape::<f64>::new();
    let y = padded.forward(&padded.bind(&tape), tape.var(&Tensor::zeros(&[1, 3, 2, 6]))).unwrap();
    assert_eq!(y.shape().as_slice(), [1, 8, 2, 4]);
    let dilated = conv.clone().padding((1, 0)).dilation((2, 1));
    assert!(err_of(&dilated, &[1, 3, 2, 6]).contains("padded by (1, 0) is 4 × 6 per channel, smaller than the kernel (3, 3) (dilation (2, 1): it spans (5, 3))"));
    assert!(err_of(&conv.clone().stride(0), &[1, 3, 5, 5]).contains("stride must be positive, got (0, 0)"));

    // Sizes whose windows could not be held are refused, not allocated (nor overflowed).
    let huge = MaxPool2d::new((1, 1 << 58)).padding((0, 1 << 57)).stride(1);
    assert!(err_of(&huge, &[1, 1, 1, 1]).starts_with("MaxPool2d: the windows of input [1, 1, 1, 1] (v0)"));
    assert!(err_of(&conv.clone().padding(usize::MAX), &[1, 3, 5, 5]).ends_with("too large"));

    let c1 = Conv1d::<f64>::new(2, 4, 5, Init::TorchDefault, &mut rng).dilation(2);
    assert_eq!(
        err_of(&c1, &[2, 2, 4, 4]),
        "Conv1d: expected a 3-d input [N, C, L] or 2-d [C, L], got 4-d input [2, 2, 4, 4] (v2)"
    );
    assert_eq!(
        err_of(&c1, &[2, 3, 9]),
        "Conv1d: input [2, 3, 9] (v2) has 3 channels (dimension 1), but weight [4, 2, 5] (v0) takes 2"
    );
    assert_eq!(
        err_of(&c1, &[2, 2, 8]),
        "Conv1d: input [2, 2, 8] (v2) padded by 0 has length 8 per channel, smaller than the kernel 5 (dilation 2: \
         it spans 9)"
    );

    let pool = MaxPool2d::new(3);
    assert_eq!(
        err_of(&pool, &[5, 6]),
        "MaxPool2d: expected a 4-d input [N, C, H, W] or 3-d [C, H, W], got 2-d input [5, 6] (v0)"
    );
    assert!(err_of(&pool, &[1, 1, 2, 6])
        .starts_with("MaxPool2d: input [1, 1, 2, 6] (v0) padded by (0, 0) is 2 × 6"));
    assert_eq!(
        err_of(&MaxPool2d::new(3).padding((2, 1)), &[1, 1, 6, 6]),
        "MaxPool2d: padding (2, 1) must be at most half the kernel's span (3, 3) (kernel (3, 3), dilation (1, 1))"
    );
    assert!(err_of(&AvgPool2d::new((2, 4)), &[1, 1, 6, 3])
        .starts_with("AvgPool2d: input [1, 1, 6, 3] (v0) padded"));
    assert_eq!(
        err_of(&AvgPool2d::new(2), &[1, 1, 1, 4, 4]),
        "AvgPool2d: expected a 4-d input [N, C, H, W] or 3-d [C, H, W], got 5-d input [1, 1, 1, 4, 4] (v0)"
    );

    let bn = BatchNorm2d::<f64>::new(3);
    assert_eq!(
        err_of(&bn, &[2, 3, 4]),
        "BatchNorm2d: expected a 4-d input [N, C, H, W], got 3-d input [2, 3, 4] (v2)"
    );
    assert_eq!(
        err_of(&bn, &[2, 4, 2, 2]),
        "BatchNorm2d: input [2, 4, 2, 2] (v2) has 4 channels (dimension 1), the layer has 3"
    );
    assert!(err_of(&bn, &[1, 3, 1, 1]).starts_with("BatchNorm2d: Expected more than 1 value per channel"));
    assert_eq!(bn.inner().num_batches_tracked(), Some(0.0), "a refused batch is not counted");
    // BatchNorm1d's own checks come after the reshape to [N, C, H·W] (so that one view
    // node is on the tape), and are named BatchNorm2d.
    let bad_eps = BatchNorm2d::from_1d(wengert_nn::BatchNorm1d::new(3).eps(-1.0));
    let tape = Tape::<f64>::new();
    let e = bad_eps.forward(&bad_eps.bind(&tape), tape.var(&Tensor::zeros(&[2, 3, 2, 2]))).unwrap_err();
    assert_eq!(message(e), "BatchNorm2d: eps must be finite and ≥ 0, got -1");

    assert_eq!(
        err_of(&Flatten::new(1, 4), &[2, 3, 4]),
        "Flatten: dimensions 1..=4 out of range for input [2, 3, 4] (v0) of rank 3"
    );
    assert!(err_of(&Flatten::new(2, 1), &[2, 3, 4]).starts_with("Flatten: start_dim 2 comes after end_dim 1"));

    // Inside a Sequential the layer's index comes first.
    let net = Sequential::new().add(conv).add(ReLU);
    assert!(err_of(&net, &[2, 4, 5, 6]).starts_with("Sequential: layer 0 (Conv2d): input [2, 4, 5, 6]"));
    // Parameters of another layer.
    let small = Conv2d::<f64>::new(3, 2, 3, Init::TorchDefault, &mut rng);
    let big = Conv2d::<f64>::new(3, 8, 3, Init::TorchDefault, &mut rng);
    let tape = Tape::<f64>::new();
    let e = small.forward(&big.bind(&tape), tape.var(&Tensor::zeros(&[1, 3, 4, 4]))).unwrap_err();
    assert!(message(e).starts_with(
        "Conv2d: bound weight [8, 3, 3, 3] (v0) does not match the layer's weight [2, 3, 3, 3]"
    ));
    assert!(Conv2d::<f64>::from_tensors(Tensor::zeros(&[2, 3, 3]), None).is_err());
    assert!(Conv1d::<f64>::from_tensors(Tensor::zeros(&[2, 3, 3]), Some(Tensor::zeros(&[3]))).is_err());
}

/// Groups that are 0 or do not divide the channel counts are refused at construction,
/// where PyTorch refuses them (`in_channels must be divisible by groups`), naming the layer
/// and the numbers; an input with the wrong channel count for a grouped layer names the
/// count it takes, (C/g)·g, before anything is recorded.
#[test]
fn grouped_errors_name_the_layer_and_the_numbers() {
    let mut rng = StdRng::seed_from_u64(0);
    let init = Init::TorchDefault;
    let e = |r: Result<Conv2d<f64>>| message(r.map(|_| ()).expect_err("an error"));
    let e1 = |r: Result<Conv1d<f64>>| message(r.map(|_| ()).expect_err("an error"));
    let cases = [
        (
            e(Conv2d::new_grouped(5, 6, 3, 2, init, &mut rng)),
            "Conv2d: in_channels 5 must be divisible by groups 2",
        ),
        (
            e(Conv2d::new_grouped(4, 6, 3, 4, init, &mut rng)),
            "Conv2d: out_channels 6 must be divisible by groups 4",
        ),
        (e(Conv2d::new_grouped(4, 6, 3, 0, init, &mut rng)), "Conv2d: groups must be positive, got 0"),
        (
            e1(Conv1d::new_grouped(3, 4, 3, 2, init, &mut rng)),
            "Conv1d: in_channels 3 must be divisible by groups 2",
        ),
        (
            e1(Conv1d::new_grouped(4, 2, 3, 4, init, &mut rng)),
            "Conv1d: out_channels 2 must be divisible by groups 4",
        ),
        (e1(Conv1d::new_grouped(4, 4, 3, 0, init, &mut rng)), "Conv1d: groups must be positive, got 0"),
    ];
    for (got, want) in cases {
        assert_eq!(got, want);
    }
    // From tensors: the weight's O must be divisible (its C/g always is).
    assert_eq!(
        e(Conv2d::from_tensors_grouped(Tensor::zeros(&[6, 2, 3, 3]), None, 4)),
        "Conv2d: out_channels 6 (weight [6, 2, 3, 3]) must be divisible by groups 4"
    );
    assert_eq!(
        e1(Conv1d::from_tensors_grouped(Tensor::zeros(&[4, 2, 3]), None, 0)),
        "Conv1d: groups must be positive, got 0"
    );
    assert!(Conv2d::<f64>::from_tensors_grouped(Tensor::zeros(&[6, 2, 3, 3]), Some(Tensor::zeros(&[3])), 2)
        .is_err());

    let conv = Conv2d::<f64>::new_grouped(4, 6, 3, 2, init, &mut rng).unwrap();
    assert_eq!(
        err_of(&conv, &[1, 2, 5, 5]),
        "Conv2d: input [1, 2, 5, 5] (v2) has 2 channels (dimension 1), but weight [6, 2, 3, 3] (v0) with groups 2 \
         takes 2·2 = 4"
    );
    assert!(
        err_of(&conv, &[1, 4, 2, 5]).starts_with("Conv2d: input [1, 4, 2, 5] (v2) padded by (0, 0) is 2 × 5")
    );
    let depthwise = Conv1d::<f64>::new_grouped(3, 3, 2, 3, init, &mut rng).unwrap().without_bias();
    assert_eq!(
        err_of(&depthwise, &[2, 1, 5]),
        "Conv1d: input [2, 1, 5] (v1) has 1 channels (dimension 1), but weight [3, 1, 2] (v0) with groups 3 takes \
         1·3 = 3"
    );
    // A weight assigned afterwards whose O the groups do not divide.
    let mut broken = conv.clone();
    broken.weight = Tensor::zeros(&[5, 2, 3, 3]);
    broken.bias = None;
    assert_eq!(
        err_of(&broken, &[1, 4, 5, 5]),
        "Conv2d: out_channels 5 (weight [5, 2, 3, 3]) must be divisible by groups 2"
    );
}

/// A grouped convolution is its groups' convolutions side by side: group γ of the output
/// is an ungrouped layer with the weight's and bias's rows of γ applied to the input's
/// channels of γ.
#[test]
fn grouped_is_groups_side_by_side() {
    let (n, c, o, g) = (2, 6, 9, 3);
    let (cg, og) = (c / g, o / g);
    let mut rng = StdRng::seed_from_u64(4);
    let conv = Conv2d::<f64>::new_grouped(c, o, (2, 3), g, Init::TorchDefault, &mut rng)
        .unwrap()
        .stride((1, 2))
        .padding(1);
    let x = det(&[n, c, 5, 6], 0.6);
    let tape = Tape::<f64>::new();
    let y = conv.forward(&conv.bind(&tape), tape.constant(&x)).unwrap().value();
    let [_, _, oh, ow] = y.shape()[..] else { panic!() };
    let wk = 2 * 3 * cg;
    for gamma in 0..g {
        let w =
            Tensor::new(&[og, cg, 2, 3], conv.weight.data()[gamma * og * wk..(gamma + 1) * og * wk].to_vec());
        let b = Tensor::new(&[og], conv.bias.as_ref().unwrap().data()[gamma * og..(gamma + 1) * og].to_vec());
        let part = Conv2d::from_tensors(w.unwrap(), Some(b.unwrap())).unwrap().stride((1, 2)).padding(1);
        let xs = Tensor::from_fn(&[n, cg, 5, 6], |i| {
            let (s, r) = (i / (cg * 30), i % (cg * 30));
            x.data()[s * c * 30 + gamma * cg * 30 + r]
        });
        let yp = part.forward(&part.bind(&tape), tape.constant(&xs)).unwrap().value();
        for s in 0..n {
            let plane = og * oh * ow;
            let got = &y.data()[s * o * oh * ow + gamma * plane..][..plane];
            assert_eq!(got, &yp.data()[s * plane..][..plane], "group {gamma}, sample {s}");
        }
    }
}

/// A 1-d convolution is the 2-d one on `[N, C, 1, L]` with a kernel of height 1.
#[test]
fn conv1d_is_conv2d_of_height_one() {
    let mut rng = StdRng::seed_from_u64(5);
    let c1 = Conv1d::<f64>::new(3, 2, 3, Init::TorchDefault, &mut rng).stride(2).padding(2).dilation(3);
    let w4 = c1.weight.clone().reshape(&[2, 3, 1, 3]).unwrap();
    let c2 =
        Conv2d::from_tensors(w4, c1.bias.clone()).unwrap().stride((1, 2)).padding((0, 2)).dilation((1, 3));
    let x = det(&[2, 3, 11], 0.2);
    let tape = Tape::<f64>::new();
    let y1 = c1.forward(&c1.bind(&tape), tape.constant(&x)).unwrap().value();
    let x4 = x.clone().reshape(&[2, 3, 1, 11]).unwrap();
    let y2 = c2.forward(&c2.bind(&tape), tape.constant(&x4)).unwrap().value();
    assert_eq!(y1.shape(), [2, 2, 5]);
    assert_eq!(y1.data(), y2.data());
}

/// f32 gives the f64 values to f32 precision.
#[test]
fn conv2d_in_f32() {
    let x = det(&[2, 3, 5, 4], 0.1);
    let w = det(&[4, 3, 2, 3], 0.7);
    let b = det(&[4], 0.3);
    let c64 = Conv2d::from_tensors(w.clone(), Some(b.clone())).unwrap().padding(1);
    let to32 = |t: &Tensor<f64>| {
        Tensor::<f32>::new(t.shape(), t.data().iter().map(|&v| v as f32).collect()).unwrap()
    };
    let c32 = Conv2d::from_tensors(to32(&w), Some(to32(&b))).unwrap().padding(1);
    let (t64, t32) = (Tape::<f64>::new(), Tape::<f32>::new());
    let y64 = c64.forward(&c64.bind(&t64), t64.constant(&x)).unwrap().value();
    let y32 = c32.forward(&c32.bind(&t32), t32.constant(&to32(&x))).unwrap().value();
    for (a, b) in y32.data().iter().zip(y64.data()) {
        assert!((*a as f64 - b).abs() < 1e-5, "{a} vs {b}");
    }
}

/// `gradcheck` of a Conv2d's output in its input and parameters, the input used twice
/// (two calls of the layer, so two unfolds of one input, whose gradients add up).
fn conv2d_report(conv: Conv2d<f64>, x: Tensor<f64>) -> CheckReport {
    let mut inputs = vec![x];
    inputs.extend(conv.named_parameters().into_iter().map(|(_, t)| t.clone()));
    let f = func_many(move |v| {
        let y = conv.forward_with(&v[1..], v[0]).unwrap();
        let z = conv.forward_with(&v[1..], v[0].sin()).unwrap();
        let t = v[0].tape();
        (y * t.constant(&det(&y.shape(), 0.3))).sum() + (z * y).sum()
    });
    gradcheck(f, &inputs, &CheckOptions::default())
}

/// `gradcheck` of a Conv1d's output, weighted, in its input and parameters.
fn conv1d_report(conv: Conv1d<f64>, x: Tensor<f64>) -> CheckReport {
    let mut inputs = vec![x];
    inputs.extend(conv.named_parameters().into_iter().map(|(_, t)| t.clone()));
    let f = func_many(move |v| {
        let y = conv.forward_with(&v[1..], v[0]).unwrap();
        (y * v[0].tape().constant(&det(&y.shape(), 0.9))).sum()
    });
    gradcheck(f, &inputs, &CheckOptions::default())
}

proptest! {
    #![proptest_config(Config { cases: 40, rng_seed: RngSeed::Fixed(0xC0417), failure_persistence: None, ..Config::default() })]

    /// Conv2d on random shapes and options, the input used twice (two calls of the layer,
    /// so two unfolds of one input, whose gradients add up), with and without bias.
    #[test]
    fn conv2d_passes_finite_differences(
        (n, c, o) in (1..=2usize, 1..=3usize, 1..=3usize),
        (kh, kw, sh, sw) in (1..=3usize, 1..=3usize, 1..=2usize, 1..=3usize),
        (ph, pw, dh, dw) in (0..=2usize, 0..=1usize, 1..=2usize, 1..=2usize),
        (eh, ew) in (0..=3usize, 0..=3usize),
        bias in any::<bool>(),
        seed in 0..1000u64,
    ) {
        // Input at least as large as the dilated kernel after padding.
        let h = (dh * (kh - 1) + 1).saturating_sub(2 * ph).max(1) + eh;
        let w = (dw * (kw - 1) + 1).saturating_sub(2 * pw).max(1) + ew;
        let mut rng = StdRng::seed_from_u64(seed);
        let conv = Conv2d::<f64>::new(c, o, (kh, kw), Init::Uniform { low: -1.0, high: 1.0 }, &mut rng)
            .stride((sh, sw)).padding((ph, pw)).dilation((dh, dw));
        let conv = if bias { conv } else { conv.without_bias() };
        let report = conv2d_report(conv, det(&[n, c, h, w], seed as f64));
        prop_assert!(report.passed(), "{}", report);
    }

    /// Conv1d on random shapes and options.
    #[test]
    fn conv1d_passes_finite_differences(
        (n, c, o, k) in (1..=2usize, 1..=3usize, 1..=3usize, 1..=4usize),
        (s, p, d, extra) in (1..=3usize, 0..=2usize, 1..=3usize, 0..=4usize),
        bias in any::<bool>(),
        seed in 0..1000u64,
    ) {
        let l = (d * (k - 1) + 1).saturating_sub(2 * p).max(1) + extra;
        let mut rng = StdRng::seed_from_u64(seed);
        let conv = Conv1d::<f64>::new(c, o, k, Init::TorchDefault, &mut rng).stride(s).padding(p).dilation(d);
        let conv = if bias { conv } else { conv.without_bias() };
        let report = conv1d_report(conv, det(&[n, c, l], seed as f64));
        prop_assert!(report.passed(), "{}", report);
    }

    /// Grouped Conv2d (depthwise among them) on random shapes, options and groups, the
    /// input used twice, with and without bias.
    #[test]
    fn grouped_conv2d_passes_finite_differences(
        (n, g, cg, og) in (1..=2usize, 2..=3usize, 1..=2usize, 1..=2usize),
        (kh, kw, sh, sw) in (1..=3usize, 1..=2usize, 1..=2usize, 1..=2usize),
        (ph, pw, dh, dw) in (0..=1usize, 0..=1usize, 1..=2usize, 1..=2usize),
        (eh, ew) in (0..=2usize, 0..=2usize),
        bias in any::<bool>(),
        seed in 0..1000u64,
    ) {
        let (c, o) = (cg * g, og * g);
        let h = (dh * (kh - 1) + 1).saturating_sub(2 * ph).max(1) + eh;
        let w = (dw * (kw - 1) + 1).saturating_sub(2 * pw).max(1) + ew;
        let mut rng = StdRng::seed_from_u64(seed);
        let conv = Conv2d::<f64>::new_grouped(c, o, (kh, kw), g, Init::Uniform { low: -1.0, high: 1.0 }, &mut rng)
            .unwrap().stride((sh, sw)).padding((ph, pw)).dilation((dh, dw));
        let conv = if bias { conv } else { conv.without_bias() };
        let report = conv2d_report(conv, det(&[n, c, h, w], seed as f64));
        prop_assert!(report.passed(), "{}", report);
    }

    /// Grouped Conv1d on random shapes, options and groups.
    #[test]
    fn grouped_conv1d_passes_finite_differences(
        (n, g, cg, og, k) in (1..=2usize, 2..=4usize, 1..=2usize, 1..=2usize, 1..=3usize),
        (s, p, d, extra) in (1..=2usize, 0..=2usize, 1..=2usize, 0..=3usize),
        bias in any::<bool>(),
        seed in 0..1000u64,
    ) {
        let (c, o) = (cg * g, og * g);
        let l = (d * (k - 1) + 1).saturating_sub(2 * p).max(1) + extra;
        let mut rng = StdRng::seed_from_u64(seed);
        let conv = Conv1d::<f64>::new_grouped(c, o, k, g, Init::TorchDefault, &mut rng)
            .unwrap().stride(s).padding(p).dilation(d);
        let conv = if bias { conv } else { conv.without_bias() };
        let report = conv1d_report(conv, det(&[n, c, l], seed as f64));
        prop_assert!(report.passed(), "{}", report);
    }

    /// Max and average pooling on random shapes and options, on the same input, and
    /// BatchNorm2d in training on random shapes.
    #[test]
    fn pooling_and_batch_norm_pass_finite_differences(
        (n, c) in (1..=2usize, 1..=3usize),
        (kh, kw, sh, sw) in (1..=3usize, 1..=3usize, 1..=3usize, 1..=2usize),
        (ph, pw, dh, dw) in (0..=1usize, 0..=1usize, 1..=2usize, 1..=2usize),
        (eh, ew) in (0..=3usize, 0..=3usize),
        seed in 0..1000u64,
    ) {
        let (ph, pw) = (ph.min(kh / 2), pw.min(kw / 2));
        // A dilated window over padding can miss the input altogether (a −∞ maximum, as
        // in torch): dilation only without padding.
        let (dh, dw) = (if ph > 0 { 1 } else { dh }, if pw > 0 { 1 } else { dw });
        let h = (dh * (kh - 1) + 1).saturating_sub(2 * ph).max(1) + eh;
        let w = (dw * (kw - 1) + 1).saturating_sub(2 * pw).max(1) + ew;
        // BatchNorm2d needs two values per channel.
        let w = if n * h * w < 2 { w + 1 } else { w };
        let max = MaxPool2d::new((kh, kw)).stride((sh, sw)).padding((ph, pw)).dilation((dh, dw));
        let avg = AvgPool2d::new((kh, kw)).stride((sh, sw)).padding((ph, pw));
        // Distinct values far apart relative to the differencing step: no ties, no kinks.
        let x = Tensor::from_fn(&[n, c, h, w], |i| ((i * 7919 + seed as usize) % 1009) as f64 / 100.0);
        let bn = BatchNorm2d::<f64>::new(c);
        let bn_params: Vec<Tensor<f64>> = vec![det(&[c], 0.4), det(&[c], 0.8)];
        let f = func_many(move |v| {
            let t = v[0].tape();
            let a = max.forward_with(&[], v[0]).unwrap();
            let b = avg.forward_with(&[], v[0]).unwrap();
            let m = bn.forward_with(&v[1..], v[0]).unwrap();
            (a * t.constant(&det(&a.shape(), 0.1))).sum()
                + (b * t.constant(&det(&b.shape(), 0.2))).sum()
                + (m * t.constant(&det(&m.shape(), 0.3))).sum()
        });
        let mut inputs = vec![x];
        inputs.extend(bn_params);
        let report = gradcheck(f, &inputs, &CheckOptions::default());
        prop_assert!(report.passed(), "{}", report);
    }
}

/// The four padding modes, for proptest.
fn any_mode() -> impl Strategy<Value = PaddingMode> {
    prop_oneof![
        Just(PaddingMode::Zeros),
        Just(PaddingMode::Reflect),
        Just(PaddingMode::Replicate),
        Just(PaddingMode::Circular)
    ]
}

proptest! {
    #![proptest_config(Config { cases: 40, rng_seed: RngSeed::Fixed(0x9AD), failure_persistence: None, ..Config::default() })]

    /// Conv2d with every padding mode, a padding per axis or `'same'`, groups, on random
    /// shapes within the modes' limits (reflect: padding < size), the input used twice.
    #[test]
    fn padded_conv2d_passes_finite_differences(
        (n, g, cg, o) in (1..=2usize, 1..=2usize, 1..=2usize, 1..=2usize),
        (kh, kw, sh, sw) in (1..=3usize, 1..=4usize, 1..=2usize, 1..=2usize),
        (ph, pw, dh, dw) in (0..=2usize, 0..=3usize, 1..=2usize, 1..=2usize),
        (eh, ew) in (0..=2usize, 0..=2usize),
        (mode, same, bias) in (any_mode(), any::<bool>(), any::<bool>()),
        seed in 0..1000u64,
    ) {
        let (c, o) = (cg * g, o * g);
        // Sizes above every padding (reflect's limit), and the kernel's span.
        let h = (dh * (kh - 1) + 1).max(ph + 1).max(dh * kh) + eh;
        let w = (dw * (kw - 1) + 1).max(pw + 1).max(dw * kw) + ew;
        let mut rng = StdRng::seed_from_u64(seed);
        let conv = Conv2d::<f64>::new_grouped(c, o, (kh, kw), g, Init::Uniform { low: -1.0, high: 1.0 }, &mut rng)
            .unwrap().dilation((dh, dw)).padding_mode(mode);
        let conv = if same { conv.padding_same() } else { conv.stride((sh, sw)).padding((ph, pw)) };
        let conv = if bias { conv } else { conv.without_bias() };
        let report = conv2d_report(conv, det(&[n, c, h, w], seed as f64));
        prop_assert!(report.passed(), "{}", report);
    }

    /// Conv1d with every padding mode, a padding or `'same'`.
    #[test]
    fn padded_conv1d_passes_finite_differences(
        (n, c, o, k) in (1..=2usize, 1..=3usize, 1..=2usize, 1..=4usize),
        (s, p, d, extra) in (1..=2usize, 0..=3usize, 1..=2usize, 0..=3usize),
        (mode, same) in (any_mode(), any::<bool>()),
        seed in 0..1000u64,
    ) {
        let l = (d * (k - 1) + 1).max(p + 1) + extra;
        let mut rng = StdRng::seed_from_u64(seed);
        let conv = Conv1d::<f64>::new(c, o, k, Init::TorchDefault, &mut rng).dilation(d).padding_mode(mode);
        let conv = if same { conv.padding_same() } else { conv.stride(s).padding(p) };
        let report = conv1d_report(conv, det(&[n, c, l], seed as f64));
        prop_assert!(report.passed(), "{}", report);
    }
}

/// An unbatched input (`[C, H, W]`, `[C, L]`), as PyTorch takes it: the same values and
/// gradients as the batch of that one sample, without the batch axis.
#[test]
fn unbatched_input_is_a_batch_of_one() {
    let mut rng = StdRng::seed_from_u64(3);
    let init = Init::Uniform { low: -1.0, high: 1.0 };
    let layers: Vec<(Box<dyn Module<f64>>, Vec<usize>)> = vec![
        (Box::new(Conv2d::new(2, 3, (3, 2), init, &mut rng).stride((2, 1)).padding(1)), vec![2, 5, 4]),
        (
            Box::new(
                Conv2d::new_grouped(2, 4, 3, 2, init, &mut rng)
                    .unwrap()
                    .padding_same()
                    .padding_mode(PaddingMode::Reflect),
            ),
            vec![2, 4, 5],
        ),
        (
            Box::new(Conv1d::new(3, 2, 3, init, &mut rng).padding(2).padding_mode(PaddingMode::Circular)),
            vec![3, 6],
        ),
        (Box::new(MaxPool2d::new(2).padding(1)), vec![2, 3, 5]),
        (Box::new(AvgPool2d::new((2, 3)).stride(1)), vec![2, 4, 4]),
    ];
    for (k, (layer, shape)) in layers.iter().enumerate() {
        let x = det(shape, k as f64);
        let batched_shape = [&[1][..], shape].concat();
        let tape = Tape::<f64>::new();
        let p = layer.bind(&tape);
        let (one, batch) = (tape.var(&x), tape.var(&x.reshape(&batched_shape).unwrap()));
        let (y1, yb) = (layer.forward(&p, one).unwrap(), layer.forward(&p, batch).unwrap());
        assert_eq!(&y1.shape()[..], &yb.shape()[1..], "layer {k}");
        assert_eq!(y1.value().data(), yb.value().data(), "layer {k}");
        let cot = tape.constant(&det(&y1.shape(), 0.5));
        let g1 = (y1 * cot).sum().backward();
        let gb = (yb * cot.reshape(&yb.shape())).sum().backward();
        assert_eq!(g1.wrt(one).data(), gb.wrt(batch).data(), "layer {k}");
        for v in p.vars() {
            assert_eq!(g1.wrt(*v).data(), gb.wrt(*v).data(), "layer {k}");
        }
    }
}

/// The value each padding mode reads, on the documented row [a, b, c] = [1, 2, 3]
/// padded by 2 at each end: a 1-tap Conv1d of weight 1 returns the padded row itself.
#[test]
fn padding_modes_read_what_their_docs_say() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&tensor(&[1, 1, 3], &[1.0, 2.0, 3.0]));
    for (mode, want) in [
        (PaddingMode::Zeros, [0.0, 0.0, 1.0, 2.0, 3.0, 0.0, 0.0]),
        (PaddingMode::Reflect, [3.0, 2.0, 1.0, 2.0, 3.0, 2.0, 1.0]),
        (PaddingMode::Replicate, [1.0, 1.0, 1.0, 2.0, 3.0, 3.0, 3.0]),
        (PaddingMode::Circular, [2.0, 3.0, 1.0, 2.0, 3.0, 1.0, 2.0]),
    ] {
        let id =
            Conv1d::from_tensors(tensor(&[1, 1, 1], &[1.0]), None).unwrap().padding(2).padding_mode(mode);
        let y = id.forward_with(&[tape.var(&id.weight)], x).unwrap();
        assert_eq!(y.value().data(), want, "{mode}");
        // Each input element's gradient counts how often the padded row reads it.
        let counts: Vec<f64> =
            (0..3).map(|i| want.iter().filter(|&&v| v == (i + 1) as f64).count() as f64).collect();
        assert_eq!(y.sum().backward().wrt(x).data(), counts, "{mode}");
    }
    // 'same' keeps the length for odd and even kernels, dilated or not.
    for (k, d) in [(1, 1), (2, 1), (3, 2), (4, 1), (4, 3)] {
        let conv = Conv1d::from_tensors(Tensor::ones(&[1, 1, k]), None).unwrap().dilation(d).padding_same();
        let y = conv.forward_with(&[tape.var(&conv.weight)], tape.var(&Tensor::ones(&[2, 1, 9]))).unwrap();
        assert_eq!(&y.shape()[..], [2, 1, 9], "k {k}, d {d}");
    }
}

#[test]
fn padding_errors_name_the_mode_and_the_sizes() {
    let mut rng = StdRng::seed_from_u64(1);
    let conv = Conv2d::<f64>::new(2, 3, 3, Init::TorchDefault, &mut rng);
    assert_eq!(
        err_of(&conv.clone().padding_same().stride((1, 2)), &[1, 2, 5, 5]),
        "Conv2d: padding 'same' needs stride 1, got (1, 2)"
    );
    assert_eq!(
        err_of(&conv.clone().padding((1, 3)).padding_mode(PaddingMode::Reflect), &[1, 2, 5, 3]),
        "Conv2d: the reflect padding (1 before and 1 after along the height and 3 before and 3 after along the \
         width) of input [1, 2, 5, 3] (v2) must be less than the input's size 3 along it (the width)"
    );
    assert_eq!(
        err_of(&conv.clone().padding(4).padding_mode(PaddingMode::Circular), &[1, 2, 3, 5]),
        "Conv2d: the circular padding (4 before and 4 after along the height and 4 before and 4 after along the \
         width) of input [1, 2, 3, 5] (v2) must be at most the input's size 3 along it (the height)"
    );
    // Circular padding of the whole size is allowed, as in PyTorch.
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::ones(&[1, 2, 3, 3]));
    let wrap = conv.clone().padding(3).padding_mode(PaddingMode::Circular);
    assert_eq!(&wrap.forward(&wrap.bind(&tape), x).unwrap().shape()[..], [1, 3, 7, 7]);
    // Too small even after padding: the error describes the padding.
    let tall = Conv2d::<f64>::new(2, 3, (5, 1), Init::TorchDefault, &mut rng).padding((1, 0));
    assert_eq!(
        err_of(&tall.padding_mode(PaddingMode::Replicate), &[1, 2, 2, 4]),
        "Conv2d: the input after the replicate padding (1 before and 1 after along the height and 0 before and 0 \
         after along the width) of input [1, 2, 2, 4] (v2) is 4 × 4 per channel, smaller than the kernel (5, 1) \
         (dilation (1, 1): it spans (5, 1))"
    );
    let conv1 = Conv1d::<f64>::new(1, 1, 2, Init::TorchDefault, &mut rng).padding(2);
    assert_eq!(
        err_of(&conv1.padding_mode(PaddingMode::Reflect), &[1, 1, 2]),
        "Conv1d: the reflect padding (2 before and 2 after) of input [1, 1, 2] (v2) must be less than the input's \
         size 2 along it (the length)"
    );
}

// Generated by scripts/torch_conv_reference.py with torch 2.15.0+cu132 (float64).
#[rustfmt::skip]
const CASES: &[Case] = &[
    Case {
        name: "conv2d_main",
        inputs: &[
            (&[2, 3, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614, 0.4948853175526281, 0.7756238445359771, 0.9513853227773257, 0.9983812607310688, 0.9102509786630802, 0.6989224968134228, 0.392998133813722, 0.03388331703991594, -0.3298174477414103, -0.6488789682145286, -0.880117764368662, -0.9922367499345713, -0.9700611461898548, -0.8165923170708956, -0.5526015486441271, -0.21381875297942435, 0.15390340783192266, 0.5007954643867435, 0.7799072041745505, 0.9534621625874162, 0.9979704901872812, 0.9074081936315045, 0.6940324549119751, 0.3867226792735398, 0.027071803193524823, -0.3362431144491573, -0.6540491039389031, -0.883332615493573, -0.9930612014418106, -0.9683836124355926, -0.812639844379108, -0.5469090856517581, -0.20715674784794008, 0.16063328396085466, 0.5066823543503484, 0.7841543450329036, 0.9554947237495779, 0.9975133740351284, 0.9045232686918022, 0.6891101822415173, 0.3804292653868415, 0.02025903213642368, -0.342653166074243, -0.659188865715435, -0.8865064447767999, -0.9938395353273594, -0.9666611070833835, -0.8086496328079247, -0.5411912242788316, -0.2004851223863956, 0.16735570030280691, 0.5125457140571059, 0.7883650698744205, 0.9574829118719581, 0.9970099335030204, 0.9015963378194825, 0.6841559073916958, 0.37411818441890393, 0.013445320252743602, -0.349047304934777]),
            (&[4, 3, 3, 2], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954, -0.059240315229781036, 0.19987331126534288, 0.4041445275636507, 0.4975242005181894, 0.4543902683549438, 0.2865780721013019, 0.040132905372039576, -0.21732416307071073, -0.41515055435426357, -0.49906550417925116, -0.4460439369574806, -0.27063422095505757, -0.02096630176907633, 0.23445447413724865, 0.4255442577679527, 0.499870714701042, 0.4370397162066995, 0.2542911997767674, 0.0017687740674549725, -0.2512389782336823, -0.43531030768530515, -0.499938644443992, -0.42739088681437803, -0.23757311359004615, 0.01743136247498001, 0.2676529191742846, 0.4444342997399968, 0.49926919321560664, 0.4171116802532551, 0.22050462061799428, -0.03660578875249457, -0.2836720873328383, -0.4529027765644124, -0.49786334841824526, -0.4062172577664189, -0.20311089591372122, 0.05572622358052293, 0.29927285535044756, 0.4607032476384917, 0.4957231835927589]),
            (&[4], &[-0.11682550269259515, 0.19326530617130733, 0.29215428926345854, 0.0717747987641946]),
        ],
        out: (&[2, 4, 3, 4], &[0.5777494449028381, 0.6260316871899787, 0.5737716937271291, 0.42804260946677175, -1.1265916103186584, -0.9431070764701528, -0.6477892078729482, -0.28060789264292463, 0.2960425581779932, 0.045210160575984745, -0.22755300390576605, -0.4853297205445047, -0.46096979081692707, -0.5375631844363072, -0.5152423703233839, -0.39702836595666596, 1.2140867515868505, 1.0501262535106994, 0.770193645928582, 0.4121764940535066, -0.28815833721484313, -0.04802173853975661, 0.22477192970827597, 0.49330132426483225, 0.8973734382012756, 1.0012622446980075, 1.009176616002474, 0.9200453790866058, -0.7261849347777042, -0.5839228242699157, -0.32308778630891616, 0.021017380349754887, 0.8357491459059946, 0.6094929025036752, 0.3402863665020238, 0.06456537964391577, -0.4764023265811588, -0.606208831105376, -0.6442534318917359, -0.5853869706990913, 1.074127160089199, 0.9554500371486514, 0.717171616200713, 0.3915417637060802, -0.5267824222552172, -0.31740701701618873, -0.05535767874571609, 0.2238984439503089, -0.0802022371664742, -0.3509899704178657, -0.5900846414778135, -0.7651259082621693, 0.4972984071824839, 0.7676268640080987, 0.918248842154392, 0.9287783634789087, -0.8304423313376118, -0.8554923020384884, -0.7805671866905062, -0.6158077481664043, 0.07691169245848113, 0.34710104550909515, 0.596469452916411, 0.7912660705779407, -0.37093407639774933, -0.6546917004497886, -0.8236823216018063, -0.8550338520517224, 0.8876661604049779, 0.9423266369818583, 0.8956051764390887, 0.7538253092808505, 0.4866952350590091, 0.22068736126023036, -0.03564779909982107, -0.24761648458902039, 0.798947050026965, 1.0923708074849185, 1.2774890131869856, 1.3292467864201571, -0.37382183746121, -0.4573679434541541, -0.43946973141651513, -0.32254964038327805, -0.19837358664089166, 0.05992516127815711, 0.31982770204177313, 0.5461574460155476, -0.37089053998578714, -0.6700892102111132, -0.8688800670630239, -0.9403577006366839, 0.7004943976118946, 0.8118181916097301, 0.8229805840864189, 0.7324707975853925]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114, 0.9070732493296082, 0.4225697475969031, -0.2606749092650737, -0.8213200831418711, -0.9956855884367372, -0.7017646034733233, -0.07779276012200391, 0.5827662338601066, 0.9692411620842171, 0.8998668269691968, 0.407271062323527, -0.27687064671878436, -0.8307957643860643, -0.9939846525206651, -0.6896870271361715, -0.06101881623246377, 0.5963474973906704, 0.9732422648042908, 0.8924059877505754, 0.39185723042955656, -0.29298810530060243, -0.8400365570424635, -0.992002690073972, -0.6774144574940792],
        grads: &[&[0.22795420148229079, 0.2081474507745719, 0.15215937867097, -0.27167024391101735, -0.37052049930296393, -0.364903248660214, -0.18764875984021212, -1.1494028007221324, -1.9945215351260825, -2.48947855823315, -1.4673514719965182, -1.0081869055285737, -0.19720860651403108, -0.23187284958504328, -0.3451499667850163, 0.06880558717121692, 0.30672629018685227, 0.3913613690068975, -0.3462434442311536, 0.7234376586105216, 1.3780184425468422, 2.392682526349836, 1.4419052545452, 1.3119795199856643, 0.1436745081770187, 0.22880410737249066, 0.4982566405008052, 0.14200992111992639, -0.2074882268659737, -0.372595601645724, -0.2175346550491253, -0.17901951186856402, -0.10470693297615111, 0.32365205876199665, 0.4013990310312357, 0.3832467479495568, 0.20741384497255083, 1.1671402445981691, 2.0151068182851866, 2.4758232278128247, 1.4431384266452356, 0.9783365861173117, 0.19839339903022113, 0.2105943015382129, 0.30859694431762774, -0.12178512572536235, -0.3385630176288267, -0.41740618963727466, 0.3289828608497838, -0.7433735706079474, -1.4127020340687353, -2.3959512429461203, -1.424983297143001, -1.2831351168737397, -0.15632673056580676, -0.2178337995850685, -0.47682693742015037, -0.09415472632284105, 0.23660424683691633, 0.4033321260696798, 0.20679425741347224, 0.1496275293983768, 0.05710005053033845, -0.37515650529565, -0.4316855220947498, -0.40102498015581833, -0.2268730065197198, -1.1831562232167987, -2.0327199338802835, -2.458516199415423, -1.416796834467985, -0.9470432760707359, -0.19928557260424712, -0.18900513891426945, -0.27158875896759, 0.17458503816878568, 0.3699003839400477, 0.44283535995740536, -0.3112370465222106, 0.7622130490096695, 1.4453019707068449, 2.3956860681850776, 1.40595957069482, 1.2523981626870992, 0.16874837994786282, 0.20654219937403903, 0.45469394181713896, 0.04616065867740929, -0.2653712890457016, -0.4334737586240092, -0.0882955765887809, -0.20707561722333181, -0.5801615170134365, -0.30055122749052826, 0.1097804288029586, 0.32607727864447367, -1.1688584088490643, -0.21619984350558655, -0.07572840075578491, 1.5476541832489303, 0.9893795896218864, 1.4640751767152806, 0.010632571760693115, 0.1586678343032385, 0.6210940243611344, 0.4653327112556801, 0.022459069737093225, -0.23463743085869246, 1.4537712324860945, 0.7255202773297225, 0.9062391305719204, -0.803335616386161, -0.5643960124020152, -1.311673788748533, 0.06825908328540618, -0.09192513922871608, -0.5902558138042932, -0.5763425252875137, -0.15210330331680516, 0.11608397997984383, 0.10915724607125023, 0.20536442231075458, 0.5727647285002221, 0.2608656376367612, -0.13424699283804653, -0.35802246806237764, 1.1608087641503892, 0.1981224043344189, 0.02656056317846167, -1.5791834655349932, -0.9898274706802479, -1.4451401759143843, -0.03947564590725131, -0.16858397557195745, -0.63181900962948, -0.439877222951528, -0.006286729949292981, 0.26475434019588545, -1.4523853643047744, -0.7114911715990198, -0.8567524390118644, 0.8460705286830941, 0.5748421956558014, 1.3015963786143117, -0.03476757509897601, 0.11232275381452038, 0.6178632437638625, 0.568058655595677, 0.14609398765399292, -0.14089244018073152, -0.12985791484486975, -0.20335032659447905, -0.5645231446975405, -0.2207952858538911, 0.15851555021956384, 0.38943959477060075, -1.151046992766656, -0.17975274592279825, 0.02264644971386154, 1.6083835423261963, 0.9888154127043008, 1.424073675821579, 0.06826049572879063, 0.17825146509702544, 0.6416120979136516, 0.4137729408453087, -0.009894882406429004, -0.2944807519896141, 1.4488573105921163, 0.6964126569917644, 0.8060020864952211, -0.8875575352316103, -0.5844405194746216, -1.2895991880978097, 0.0012247867233023363, -0.13255469874819462, -0.6445593606975178, -0.5589369318033531, -0.13986919169630746, 0.16549309207244353], &[-2.716842348595843, 1.6649388266169376, 3.7959963331600957, 4.005292180520261, 3.5110895196475456, -0.18602081959537514, -5.698153810064301, -5.64718646081963, -1.377331712298406, 1.6538339279149024, 4.464694824456572, 5.361969017928216, 1.5289365213343735, -2.8422193859081326, -4.083131503892336, -3.6605140250371964, -2.580325420309163, 1.3038415128069785, -1.015862048172183, -4.39208918115458, -4.254435608402807, -3.336809546878609, -0.3145688233220113, 3.8969323699743965, 5.26580413469772, 2.827760762384954, -0.15578399456595735, -2.988459481521662, -6.123270725500968, -4.302382720682869, 2.113635050679886, 4.9815982747500325, 4.221958999117177, 2.713799261272725, -0.961962000376499, -4.793858931693625, 3.771893620122951, 2.896585332667492, 0.6225639490670907, -0.539757503235663, -3.184385477867639, -3.8612447115801256, 0.2292091261657973, 2.7103382998939285, 1.5391254340405618, 1.4499122761683596, 1.894795203218417, -0.8936119528916441, -3.7241099228571946, -2.331555540981754, -0.30169930888243535, 0.8420236931788623, 3.579397325282982, 3.6749515925218885, -2.9015410747577226, 1.3837613832845177, 3.6078548179775596, 3.8973894416878583, 3.6217993213032122, 0.11326876900882159, -5.503855531973508, -5.642656618290584, -1.4427167557534022, 1.4826134925642054, 4.155379423688881, 5.230467817322232, 1.7541410085663136, -2.5600975970006026, -3.9086209430021785, -3.5883059620031386, -2.7555188388136185, 0.977137598844308], &[-1.183197020883505, -1.1127452487881917, 2.338868986119417, -1.3163510071262023]],
        buffers: &[],
    },
    Case {
        name: "conv2d_1x1",
        inputs: &[
            (&[2, 3, 4, 3], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508]),
            (&[2, 3, 1, 1], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524]),
        ],
        out: (&[2, 2, 4, 3], &[-0.2523529324605255, -0.13198317214627092, 0.006249891356931624, 0.14363706138453902, 0.2615836289856652, 0.3441260795478587, 0.3800926796116673, 0.36461551858540264, 0.29978935760732467, 0.19438811345254786, 0.06267735005783279, -0.07751649863446888, 0.11857850216826216, 0.24888278787856813, 0.3455019558114473, 0.3953590548481927, 0.39170616052440427, 0.33503767495030573, 0.2330234118044674, 0.09947052303313597, -0.047545234393411795, -0.18812596738958853, -0.3032447332383939, -0.37732074702873436, 0.011443251481814819, 0.14843537119152084, 0.2653374597522598, 0.3463273678898241, 0.380443491478627, 0.36306837323689845, 0.2965536539082894, 0.1899017887192722, 0.05754760729666589, -0.08259537280551342, -0.211559456670878, -0.3118899605461136, 0.3482301461060583, 0.39619303210701795, 0.39053304983782605, 0.3320162513464405, 0.22856261079396134, 0.09417409310619623, -0.05296044629284924, -0.19292703773484288, -0.30678185968107385, -0.3791151960982341, -0.4001370692332801, -0.3670022671754524]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857],
        grads: &[&[0.5495441944521686, 0.37345895192039624, 0.02173012884336817, -0.3402187133713252, -0.5421573786234459, -0.48911095726623655, -0.20602801013719108, 0.17395312943583685, 0.4721213941425656, 0.5482435900837667, 0.3665182590661716, 0.012413663803980693, 0.6108812488642414, 0.541733136420504, 0.2177994651044473, -0.20856869786075, -0.5368437432462344, -0.6126327877681346, -0.4002910595513135, 0.00031380869283056945, 0.4007710878053408, 0.6127394621020101, 0.536526893053904, 0.20797734273858792, 0.5046011270777411, 0.5613634089511007, 0.354107708049532, -0.019690381033298857, -0.3842277762454781, -0.5680568445647942, -0.4847199027522459, -0.1734116167179104, 0.21945486229011468, 0.5091082904862847, 0.559320134630279, 0.3464749798394701, -0.18860817911078215, 0.19155178050536492, 0.48162194467070363, 0.5451777827069353, 0.3523279908982566, -0.006227160306591317, -0.3618535807171866, -0.5472946079983216, -0.47533442942369997, -0.17981704138577267, 0.20027111093465993, 0.4861686304600934, -0.3840692568714967, 0.02121817249063429, 0.41652636378732794, 0.615935697790875, 0.5256608488626136, 0.18815948903692914, -0.23783621855594095, -0.551973836268523, -0.6065095339549141, -0.3757943208494219, 0.03166283329979133, 0.42422846220269705, -0.47414716168137233, -0.15493740200872275, 0.23714183879231643, 0.5176895673658847, 0.5547598032846515, 0.3309178353576055, -0.04855996127193307, -0.4051992493449557, -0.5712669990381247, -0.468658952790575, -0.14563327804747955, 0.2458860029440887], &[-0.6698833077875883, -0.7245502006968136, 1.0597392855031855, -0.1638877900376765, 0.8538911690103602, -0.2955621918091289]],
        buffers: &[],
    },
    Case {
        name: "conv2d_pad_both",
        inputs: &[
            (&[1, 2, 4, 5], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275]),
            (&[3, 2, 3, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954, -0.059240315229781036, 0.19987331126534288, 0.4041445275636507, 0.4975242005181894, 0.4543902683549438, 0.2865780721013019, 0.040132905372039576, -0.21732416307071073, -0.41515055435426357, -0.49906550417925116, -0.4460439369574806, -0.27063422095505757, -0.02096630176907633, 0.23445447413724865, 0.4255442577679527, 0.499870714701042, 0.4370397162066995, 0.2542911997767674, 0.0017687740674549725, -0.2512389782336823, -0.43531030768530515, -0.499938644443992]),
            (&[3], &[-0.11682550269259515, 0.19326530617130733, 0.29215428926345854]),
        ],
        out: (&[1, 3, 4, 4], &[-0.2173526181402869, -0.10980730938413741, 0.43678958114683575, 0.263444536737353, 0.47692061135267894, 1.9168350370308747, 1.7539161713359939, 0.3776637004094338, 0.09332578784967191, -0.1513055663754299, -1.562136685447, -0.7343750610743027, -0.34709026613752847, -0.8971470817268781, -0.8249746793958571, -0.15269739435013124, 0.2967101351908181, 0.25048910565380705, -0.26314148343235266, -0.17198861033205967, -0.3631788257990427, -1.8256135640831843, -1.671997081090782, -0.32421492615179454, 0.007866084809358714, 0.21592131179318313, 1.6217619162526486, 0.853395137342983, 0.4188387014613026, 1.0203736293101449, 0.9885773984859605, 0.2695152084561627, 0.18716357374270615, 0.17144736679485698, 0.6453001747995338, 0.637548291081457, 0.8039171904256597, 2.2694782553432575, 2.1272013303462267, 0.8257630193701686, 0.4503427813734454, 0.28162279289104436, -1.1005838305173066, -0.40180154460967, 0.07426368947178737, -0.5707721331599255, -0.5797737375506662, 0.17653755961752043]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857],
        grads: &[&[0.3819778420246418, 0.3336965664070396, 0.5945864683801088, 0.3878043713872181, 0.527551787986562, -0.030073799874081347, -0.09995830541862255, -0.241402190383862, -0.17736758147224638, -0.33919535874283857, -0.085230332147005, 0.04170780782486572, 0.14708414248678317, 0.1485560276241382, 0.3102226466559103, -0.005386926057521696, -0.09367411873199406, -0.038713084929163186, -0.07344434458033958, -0.05383187504998313, 0.05268910707388706, 0.08711857955733673, 0.07651585683435227, 0.035077847022559505, 0.06435600353237961, 0.2707695713252549, 0.1503930028070272, 0.29100225920369965, 0.14174238683574394, 0.17437203754291702, -0.21149453727952866, -0.1278118101502982, -0.2992518109706435, -0.15538338630627463, -0.2462662820237323, -0.0005180447332084892, 0.12150991475494363, 0.38627096250042575, 0.33097535735450884, 0.5913907004198253], &[2.930780770750386, 1.8048164249035703, 2.3282243970799925, -2.353665921198991, -1.900062991246564, -3.040100168149878, 0.3368225422315819, 1.263498964229657, 2.6748424549303307, 0.5685767220108102, -0.6359452518844756, -1.5661764709102761, -2.9546348242135365, -1.6070246127549708, -1.4521359829363811, 2.600520893849673, 1.9131766102692924, 3.0938832197968322, 0.7266505175653326, 0.07011092585633658, -1.275385860473431, -2.3624159247576655, -0.9857826597494562, -0.5738836161040263, 3.742436283614962, 2.693456620341836, 3.140612985713691, -2.9260660342124556, -2.094605094873655, -3.002861459189118, 0.6278471264861997, 1.1406952790753948, 2.5079639732978425, 2.207302124660645, 1.1217003562531316, 0.27211889757975044, -2.635753592026045, -1.7763507069922315, -2.846043462923535, 1.3945020750216384, 1.4998256420519165, 2.8070978374798603, 1.1826429939796304, -0.16992937540124334, -1.399723031985915, -1.7565879956107564, -0.21448479219330202, 0.34698550773175296, 3.2095468650361934, 2.0701579923297597, 2.470393752659708, -1.7043347594025255, -1.4577553541360686, -2.9834003003054588], &[-1.3679306731431904, 0.928703770094393, 1.7449934378951462]],
        buffers: &[],
    },
    Case {
        name: "conv2d_dilated",
        inputs: &[
            (&[2, 1, 7, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722]),
            (&[2, 1, 2, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736]),
            (&[2], &[-0.11682550269259515, 0.19326530617130733]),
        ],
        out: (&[2, 2, 3, 3], &[-0.3677059225312659, -0.8676984328539462, -1.0039378821944576, -0.2923369483878816, -0.7958021313293115, -1.387749540693445, -0.652062525676297, -1.1680956058177738, -1.4402262633830785, 0.44786377936243704, 0.9677035426943841, 1.1164411449504947, 0.39658609575636733, 0.9019943986571799, 1.4744542221492445, 0.7507670420290097, 1.2658122825650557, 1.5141113675731206, 0.002503179307204201, 0.541015829362834, 0.7815464301945708, -0.11281167061867114, 0.36181051178952944, 1.0718608980335185, 0.2645066920396235, 0.7840163966352346, 1.2062931889836932, 0.07333752954390335, -0.48318307173481023, -0.7399023243558376, 0.16020082598594598, -0.31760681044461264, -1.0110386133776528, -0.2132470432560388, -0.7330829383638231, -1.1330774949174105]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711],
        grads: &[&[0.011381791342699565, 0.010734439374691207, 0.002419586419551867, -0.008620218783899783, -0.00768058780379148, -0.008727900224558965, -0.005598081189470583, -0.01594932935763682, -0.012866092993687961, -0.026656430256599195, -0.014082980224725317, -0.01594631028954993, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.014168461570517155, -0.027970830880871822, -0.01399268647230939, -0.018865889588392235, -0.0072359322844172125, 0.0009477712346444012, -0.008676421803438833, -0.011320424934635923, 0.0008107933648359988, 0.007509918351677927, 0.009916679744632506, 0.016230114918741684, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0029239939213977773, 0.01750749065056882, 0.011708720097313385, 0.027668960520921895, 0.014986652257664435, 0.007770942992835317, 0.011047292929222574, 0.009849958265716587, 0.0019207659464965943, -0.009519705100774389, -0.0081091272736619, -0.008857677128441516, -0.006042955774000103, -0.016694889037629404, -0.013080240491585016, -0.026873019721044777, -0.013965683721581967, -0.01561868551187369, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.014325171228409705, -0.027823106504461306, -0.013803863317460197, -0.018148468862965866, -0.00679038279699512, 0.0012685602845018962, -0.008282847677491212, -0.010470169591194303, 0.0012955410523898259, 0.008396294504397744, 0.010264616581942887, 0.01652291130812239, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0034167208555548056, 0.018242815607572037, 0.012016887302000206, 0.027844072720614316, 0.014965323881272863, 0.00757682169228141], &[0.06810396971973876, 0.23910553352236064, 0.3253815655587511, -0.09033906050215501, -0.06267968390504997, -0.004571876276031617, 0.06270174774153459, 0.23269872120691937, 0.3205123541196975, -0.09299680834425883, -0.0666373400616368, -0.008914153396098579], &[0.049014478359521774, 0.0490279738016412]],
        buffers: &[],
    },
    Case {
        name: "conv1d_main",
        inputs: &[
            (&[2, 3, 9], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245]),
            (&[2, 3, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073]),
            (&[2], &[-0.11682550269259515, 0.19326530617130733]),
        ],
        out: (&[2, 2, 4], &[0.4712933998836121, 0.5802251193806806, 0.5159223426010203, 0.3009045199419401, -0.28307755930865175, -0.5329267907685571, -0.39260380629988156, -0.16288598499774049, -0.8821789859628768, -0.7991922216134626, -0.4686370741201057, -0.35599747004447835, 0.618211666636862, 0.845910285744934, 0.4548431287590772, 0.12271668008596745]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348],
        grads: &[&[0.0, 0.16592595352864536, 0.0, -0.506510225039783, 0.0, -0.7246221439549559, 0.0, -0.2304708279479334, 0.0, 0.0, -1.1100937581549961, 0.0, -1.1182918079775237, 0.0, -0.07396622988334461, 0.0, 0.45042959088139456, 0.0, 0.0, -0.12329281850627671, 0.0, 0.5494582060492015, 0.0, 0.7274628159635557, 0.0, 0.21317208590470899, 0.0, 0.0, 0.4185941053812525, 0.0, -0.06238963965943642, 0.0, -0.5152400159164883, 0.0, -0.42046923453316454, 0.0, 0.0, -1.1589229180848624, 0.0, -1.6329515876536598, 0.0, -1.0977406932785263, 0.0, -0.36009558686765436, 0.0, 0.0, -0.3740856871649861, 0.0, 0.1251031222008901, 0.0, 0.5573987316576479, 0.0, 0.43429870043467833, 0.0], &[-1.807869522996391, -1.5562590055387409, -0.06603152676618818, 1.735949247099371, 1.2000402567016923, -0.2599020662763094, -1.6025894789180537, -0.8013491462932054, 0.5766370891288449, 1.6177352478940643, 0.8743392640413155, -0.5309933847751498, -1.4469935311321045, -0.4543318109000567, 0.8227055386951923, 1.2250391720420526, 0.01824444307411044, -1.0853001301741825], &[2.8876890914320343, -4.255619764575225]],
        buffers: &[],
    },
    Case {
        name: "conv1d_plain",
        inputs: &[
            (&[1, 2, 5], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254]),
            (&[3, 2, 2], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736]),
        ],
        out: (&[1, 3, 4], &[0.28009437504593104, 0.5638902116895285, 0.7713661535095147, 0.874441305094197, -0.9654665764983678, -1.0234750267862078, -0.9429609335369323, -0.734821501563145, 0.7278685164956207, 0.5046344504086391, 0.21310047880607225, -0.10727564290335839]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265],
        grads: &[&[0.6836189164008452, 1.3588636723525047, 0.6390226658323307, -0.3813606854333754, -0.5176477091009303, 0.9601544573616222, 1.5078982176423068, 0.9547074576741326, -0.04749713735371325, -0.15869275009484918], &[-0.44579051588541996, -0.022920266294254255, 1.1667686567465585, 1.1345474767722683, -0.17658145174915268, -0.7702103666238143, -1.5611337108728744, -1.2272142566691882, 0.7785484934569316, 1.474339095189364, 1.7751014615642162, 1.1780699020693113]],
        buffers: &[],
    },
    Case {
        name: "conv2d_groups",
        inputs: &[
            (&[2, 4, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614, 0.4948853175526281, 0.7756238445359771, 0.9513853227773257, 0.9983812607310688, 0.9102509786630802, 0.6989224968134228, 0.392998133813722, 0.03388331703991594, -0.3298174477414103, -0.6488789682145286, -0.880117764368662, -0.9922367499345713, -0.9700611461898548, -0.8165923170708956, -0.5526015486441271, -0.21381875297942435, 0.15390340783192266, 0.5007954643867435, 0.7799072041745505, 0.9534621625874162, 0.9979704901872812, 0.9074081936315045, 0.6940324549119751, 0.3867226792735398, 0.027071803193524823, -0.3362431144491573, -0.6540491039389031, -0.883332615493573, -0.9930612014418106, -0.9683836124355926, -0.812639844379108, -0.5469090856517581, -0.20715674784794008, 0.16063328396085466, 0.5066823543503484, 0.7841543450329036, 0.9554947237495779, 0.9975133740351284, 0.9045232686918022, 0.6891101822415173, 0.3804292653868415, 0.02025903213642368, -0.342653166074243, -0.659188865715435, -0.8865064447767999, -0.9938395353273594, -0.9666611070833835, -0.8086496328079247, -0.5411912242788316, -0.2004851223863956, 0.16735570030280691, 0.5125457140571059, 0.7883650698744205, 0.9574829118719581, 0.9970099335030204, 0.9015963378194825, 0.6841559073916958, 0.37411818441890393, 0.013445320252743602, -0.349047304934777, -0.6642980148542932, -0.8896391048261566, -0.9945717154455022, -0.9648937101261345, -0.8046218676622108, -0.5354482300620206, -0.1938041864241473, 0.17407034466970864, 0.5183852712134207, 0.7925391831536265, 0.9594266346233796, 0.9964601919706626, 0.898627536940798, 0.679169860438339, 0.36778972945539473, 0.006630983970279104, -0.3554252340878485, -0.6693763140873465, -0.8927304501613633, -0.9952577077938972, -0.9630815036415007, -0.8005567359907971, -0.5296803697051702, -0.1871142502228812, 0.18077690523444648, 0.5242007546310787, 0.7966764910253133, 0.9613258017376388, 0.9958641749679762, 0.8956170039264353, 0.6741522729327462, 0.3614441943889, -0.00018366025412857028, -0.36178665734335, -0.6744235275790706, -0.8957803372207672, -0.9958974805151589, -0.9612245717881045, -0.7964544265778403, -0.523887911066881, -0.1804156244623088, 0.18747507054526866, 0.5299918942398709, 0.8007768013534756, 0.9631803250176758, 0.9952219101739042, 0.8925648785851275, 0.6691033778909921, 0.355081873905144, -0.0069982959493942384, -0.36813127927765915, -0.6794394209376061, -0.8987886243680575, -0.9964910038983301, -0.9593230008015906, -0.792315129933992, -0.518071123148137, -0.1737086202256767, 0.19416452954035385, 0.5357584211000692]),
            (&[6, 2, 3, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954, -0.059240315229781036, 0.19987331126534288, 0.4041445275636507, 0.4975242005181894, 0.4543902683549438, 0.2865780721013019, 0.040132905372039576, -0.21732416307071073, -0.41515055435426357, -0.49906550417925116, -0.4460439369574806, -0.27063422095505757, -0.02096630176907633, 0.23445447413724865, 0.4255442577679527, 0.499870714701042, 0.4370397162066995, 0.2542911997767674, 0.0017687740674549725, -0.2512389782336823, -0.43531030768530515, -0.499938644443992, -0.42739088681437803, -0.23757311359004615, 0.01743136247498001, 0.2676529191742846, 0.4444342997399968, 0.49926919321560664, 0.4171116802532551, 0.22050462061799428, -0.03660578875249457, -0.2836720873328383, -0.4529027765644124, -0.49786334841824526, -0.4062172577664189, -0.20311089591372122, 0.05572622358052293, 0.29927285535044756, 0.4607032476384917, 0.4957231835927589, 0.39472368800534646, 0.1854175942285916, -0.07476446540881158, -0.31443221298455265, -0.4678242077125386, -0.4928518553601358, -0.3826479233295478, -0.1674508121729118, 0.09369243391709299, 0.32912780104771866, 0.4742551537768046, 0.4892535987656653, 0.37000777480281083, 0.1492370497249315, -0.1124822114319433, -0.34333794438616266, -0.4799866005528297, -0.4849337210324883, -0.3568218859228969, -0.13080317114488507, 0.13110608410377858, 0.3570416838493686, 0.4850100944836868, 0.4798985937337453, 0.3431097051234452, 0.11217636535174073, -0.1495365827831874, -0.37021880720364053, -0.48931822620249577, -0.47415564339487043, -0.32889145708864337, -0.09338410582109641, 0.16774652353636219, 0.38284987894398437, 0.49290464146081686, 0.46771334053988933]),
            (&[6], &[-0.11682550269259515, 0.19326530617130733, 0.29215428926345854, 0.0717747987641946, -0.22704074859237844, -0.27774440469831974]),
        ],
        out: (&[2, 6, 3, 3], &[-1.8621032495020313, -2.6626850288131805, -1.1670701717342993, 2.064158948435582, 0.5047883006417837, -2.2820941380970385, -0.1488560825851869, 1.9185454250722147, 2.7081015619553384, 1.8385419040234945, 2.851299867682307, 1.5330867435735098, -2.13638808452461, -0.8599648715634538, 1.9755892649751474, 0.4403014974120033, -1.6129669979237682, -2.6179594117323903, -1.2313024278793525, -2.4428059500763166, -1.3194759590770164, 2.73958206813474, 1.7630334958767424, -1.0835888162608538, -0.16661145846819458, 1.8452947339978998, 3.0523957812716858, -1.5347909279373435, -2.5858296515293375, -1.3191775482249717, 2.4088095599488297, 1.183384118313686, -1.649110186573854, -0.2004213871982227, 1.8547096485720258, 2.8998157165861302, 1.2549748455815024, 2.5028674161693356, 1.4348253390068675, -2.675755512897611, -1.753622225310954, 1.0813884105524179, 0.2545457303583445, -1.7538043950832225, -2.9961607789775186, -1.6155562100876253, -3.043753779113749, -2.188485500684364, 2.2501768864441902, 1.643564565294051, -1.156366086944268, -0.9623346479446044, 0.9726009587473244, 2.3957322277546584, -1.9856828088531915, -1.9445843849733322, -0.011741979520375874, 1.2709065639334909, -1.1274814488873601, -3.4318760470550633, 0.6319320518046199, 2.538807681279621, 2.4957547270031806, 2.0509391094042306, 2.247932125136855, 0.41402687214437867, -1.434357315714823, 0.7707844192061213, 3.247830172260118, -0.3562300642699159, -2.346486632435141, -2.5385563506279882, -1.5297005871570764, -1.9621726320582988, -0.25152475028228205, 2.1380828517454624, 0.15543074265295298, -2.4614169793849943, 0.6351003774778747, 2.6823442224801206, 3.106989492697934, -1.7688383838844965, -2.0134511096585133, -0.21869649736780333, 1.725600750130738, -0.4413581319714063, -2.9344594656376977, 0.6019384512215766, 2.6106996568206116, 2.840453955266346, 1.5750560784908751, 2.0551356102567846, 0.38791289318456756, -2.095490894680146, -0.15698039888309556, 2.468609512624777, -0.5501536066269991, -2.610181663565707, -3.0698043289114603, -2.017426482892598, -2.7266062762426264, -1.209025223215813, 1.7805516024353842, 0.09619692752414627, -2.6270624669417693, -0.16596728185831444, 1.9180086943724866, 2.6014044696532768]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114, 0.9070732493296082, 0.4225697475969031, -0.2606749092650737, -0.8213200831418711, -0.9956855884367372, -0.7017646034733233, -0.07779276012200391, 0.5827662338601066, 0.9692411620842171, 0.8998668269691968, 0.407271062323527, -0.27687064671878436, -0.8307957643860643, -0.9939846525206651, -0.6896870271361715, -0.06101881623246377, 0.5963474973906704, 0.9732422648042908, 0.8924059877505754, 0.39185723042955656, -0.29298810530060243, -0.8400365570424635, -0.992002690073972, -0.6774144574940792, -0.044227620661853116, 0.6097601572432891, 0.9769682054316327, 0.8846928410561699, 0.37633260982502265, -0.3090227281660572, -0.8490398484873288, -0.9897402614514181, -0.6649503643367158, -0.027423920738401768, 0.6230004212937534, 0.9804179305413581],
        grads: &[&[-0.35614621624526904, -0.5449200993693781, -0.19632269058396074, -0.22980124856988657, 0.0558344640856452, 0.07098708476053177, -0.5418393248786397, -0.8572107619308059, -0.4930229388942061, -0.4377515240109423, -0.21233016105190264, -0.06665825423613818, 0.28173179785820396, 0.525637189515362, 0.37512626491727546, 0.6106622753184201, 0.29209298807617523, 0.37881425224560566, 0.16822480928339484, 0.7247036325542459, 0.46966102322755976, 0.9209787272040971, 0.5502083192918799, 0.15026235952346084, 0.07168381486401325, 0.014188324250085052, -0.18243937656920076, -0.38677969327129325, -0.3507584785080237, -0.4534728839867343, 0.28365690266445953, 0.29654668547275576, 0.15808531574159332, -0.03321420863444113, -0.041836265325741764, -0.006603734315259734, -0.6691656466783225, -1.1140920424140066, -0.5959014689429841, -0.8550990817338988, -0.24237551914646033, -0.3095748310652048, -0.22208159710070166, -0.49812768802291246, -0.29787848363852504, -0.41462419947428647, -0.23357846484145084, -0.046814675448370875, 0.2251434245265979, 0.5584326117405826, 0.5867738976817494, 1.0481653020519348, 0.6724354381621087, 0.8391870303363564, -0.05942284426525223, 0.20640896031064504, 0.1426802684764501, 0.4518570325892956, 0.2776786215129836, 0.05387214739169291, 0.43046950515690596, 0.6022247151008413, 0.22208325942162074, 0.17285869210457377, -0.09075221336630632, -0.09458293342081552, 0.2965735980106777, 0.4281264652214459, 0.2641931251452909, 0.10299089832461289, 0.10755849739261958, -0.03399884366142748, -0.36090550216560785, -0.6895944485194638, -0.46131929399239446, -0.7170563779096881, -0.3447674135417494, -0.36390489174079665, -0.09966257233168208, -0.516897328398152, -0.26001077701774444, -0.5201068691756395, -0.2980718504918999, 0.13857383320334526, -0.0660660313629822, 0.09405342707663465, 0.24370723767601404, 0.5511475462278062, 0.43886118480534714, 0.4620148675011639, -0.13806139282330665, -0.07437633003882355, -0.07265166162838146, 0.1218636357428764, 0.026927281243899395, -0.02350656886833236, 0.8075348429546862, 1.3101006638788883, 0.6956586530347539, 0.8881326455633667, 0.2566033286262754, 0.26838226370658286, 0.11384190299679862, 0.27706157362235306, 0.14721489894150033, 0.16302753050073945, 0.11135042761776555, -0.0817537209107097, -0.30313655077274865, -0.8140011325189351, -0.7203065737040873, -1.2936267798796681, -0.7987051599217085, -0.8167766370896339, 0.023116110286969867, -0.20537058231628075, -0.07599007491097502, -0.28647126317454186, -0.13935694050061426, 0.10605266394496372, -0.34244199128045505, -0.5129172811552117, -0.16311984737543234, -0.1709184481276224, 0.09292010956817935, 0.11900665225823748, -0.5513726788501563, -0.8187886301078484, -0.46475821119612404, -0.3538535145037331, -0.15956069476918414, -0.052713519339374904, 0.30525828706511693, 0.5555820617075212, 0.37402872236301793, 0.5983991968559982, 0.2668876051735895, 0.3462916868057993, 0.2206807096123351, 0.7783477173161624, 0.49713252803196356, 0.9131219030747938, 0.5397751506081359, 0.14842472854742633, 0.03422507703715854, -0.04804959812198481, -0.21453403961142883, -0.43328055892924505, -0.36239444524392544, -0.468654670536685, 0.27301119049349454, 0.2543863287773312, 0.13183764137038034, -0.08337908173931959, -0.07134121050919405, -0.012421361072188383, -0.6789104905905325, -1.1088951600867838, -0.5595091539652544, -0.7788226070666688, -0.17696191965842525, -0.22832169383705048, -0.24096717634913375, -0.5008532825757279, -0.2972625139360803, -0.384217433027789, -0.2137506463639809, -0.0430485408867884, 0.2888132705700319, 0.652688485654771, 0.618755066817562, 1.0808649904713614, 0.6576866868261779, 0.8216086466417769, -0.02970850986092159, 0.2513213285914828, 0.16830600303800017, 0.47132043050619465, 0.2871635728543115, 0.05588713742299453, 0.4115275173556638, 0.5541758695016951, 0.18021004567451104, 0.0984974881717479, -0.13586302634699687, -0.14213282579517425, 0.3009065968553964, 0.3908576429055837, 0.24807440523444618, 0.04784903328750719, 0.07856894456223024, -0.019660190697651278, -0.38803759415917116, -0.7157340068733693, -0.45771201818362417, -0.6913413257507586, -0.31211732810875026, -0.3295832581337413, -0.12788871841123117, -0.5337742687891975, -0.2741983187995373, -0.4988424341663614, -0.29154816538950745, 0.13367352228246307, -0.019728981656541834, 0.16849518109764386, 0.2819382131425675, 0.5995444623365911, 0.4510054608946341, 0.4749104738154721, -0.13220897054834768, -0.046052363148601824, -0.059385057625404185, 0.1474438907443129, 0.041368575815887224, -0.034310493898046496, 0.8156265754243539, 1.2856337321384765, 0.6490549410571028, 0.7849941858320051, 0.17722262614749054, 0.18752696052706044, 0.12266592164914038, 0.26801070476052413, 0.14627156782290485, 0.13837680834355504, 0.10108341009326385, -0.0737796891815938, -0.3779602590192211, -0.9147732077206965, -0.755382528577222, -1.314473890180916, -0.7775365917677683, -0.7958260284601677, 0.008354145124906322, -0.224555957430219, -0.08830420483280933, -0.2871618760627244, -0.1434317074663955, 0.10880527126187872], &[2.904902651678804, 2.850856205229268, 3.7344741528108765, 1.0931268002138763, 1.695623648208108, 0.9573330895558352, -2.713577056567381, -2.8976065548646375, -3.7403460600296303, -2.945481644384437, -2.6636591219369135, -1.3458898912209367, 3.648029219563095, 1.8916788224645515, 2.308491751908888, 0.9970598993606677, 2.5550590771502826, 1.2317567766726847, 2.9287824559039706, 2.8788597116471895, 3.7700788075788187, 1.0226918039076458, 1.6393482945239346, 0.8845111230082321, -2.683294881254027, -2.870160767943441, -3.703856854577235, -2.9355217412052714, -2.686857645191586, -1.3564573237359818, 3.682077036349883, 1.9417951208359034, 2.3328556505265237, 0.9493504685452172, 2.5279395400916163, 1.2174794968226696, 2.951834213568817, 2.90604928602414, 3.804617558396651, 0.9519676647773152, 1.582609452432257, 0.8114390810781229, -2.6522540654031177, -2.8419035084095796, -3.666320467924296, -2.924731886086301, -2.709296520618312, -1.366641248824978, 3.715083829683859, 1.9913624208453546, 2.3565599873207, 0.901372630498492, 2.5001052856811636, 1.2028580023630786, -3.581354501140179, -3.5017480414848245, -4.125029661025181, -0.0998211984527469, -1.1000637254695578, -0.24205792850868335, 2.798319222566644, 3.3280948266065047, 3.8753907204257247, 2.166502801620558, 2.0009527982777167, 0.5164853820781343, -3.7678501978930417, -2.2696992525513737, -2.430060373908044, -0.26976859453738794, -1.777749419905176, -0.3799857646898477, -3.600137379356337, -3.5316441475898506, -4.159368997574319, -0.022137665715399102, -1.032350394130598, -0.16388523986882353, 2.7556822152215545, 3.2921431183107095, 3.8326030163314497, 2.1501467229704607, 2.0156210597335362, 0.5187349717240016, -3.7825523999165434, -2.304010335689968, -2.436128848895061, -0.2301833324894473, -1.756004465605066, -0.3736083793921877, -3.6179024006922007, -3.5605417617165074, -4.19253236723506, 0.055552125942920694, -0.9643451892210385, -0.08566621640852623, 2.712266101468267, 3.2552606314998807, 3.7887317309905297, 2.1331827392864744, 2.029719450224024, 0.520837900866562, -3.7961851713657007, -2.337670012361177, -2.4415085639129988, -0.19053299134478857, -1.7337630410209535, -0.3671253648311249], &[0.04897216585988107, 0.04895795440765832, 0.048929901208436544, 0.04888801419363542, 0.04883230520584281, 0.048762789995514644]],
        buffers: &[],
    },
    Case {
        name: "conv2d_depthwise",
        inputs: &[
            (&[2, 3, 7, 5], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614, 0.4948853175526281, 0.7756238445359771, 0.9513853227773257, 0.9983812607310688, 0.9102509786630802, 0.6989224968134228, 0.392998133813722, 0.03388331703991594, -0.3298174477414103, -0.6488789682145286, -0.880117764368662, -0.9922367499345713, -0.9700611461898548, -0.8165923170708956, -0.5526015486441271, -0.21381875297942435, 0.15390340783192266, 0.5007954643867435, 0.7799072041745505, 0.9534621625874162, 0.9979704901872812, 0.9074081936315045, 0.6940324549119751, 0.3867226792735398, 0.027071803193524823, -0.3362431144491573, -0.6540491039389031, -0.883332615493573, -0.9930612014418106, -0.9683836124355926, -0.812639844379108, -0.5469090856517581, -0.20715674784794008, 0.16063328396085466, 0.5066823543503484, 0.7841543450329036, 0.9554947237495779, 0.9975133740351284, 0.9045232686918022, 0.6891101822415173, 0.3804292653868415, 0.02025903213642368, -0.342653166074243, -0.659188865715435, -0.8865064447767999, -0.9938395353273594, -0.9666611070833835, -0.8086496328079247, -0.5411912242788316, -0.2004851223863956, 0.16735570030280691, 0.5125457140571059, 0.7883650698744205, 0.9574829118719581, 0.9970099335030204, 0.9015963378194825, 0.6841559073916958, 0.37411818441890393, 0.013445320252743602, -0.349047304934777, -0.6642980148542932, -0.8896391048261566, -0.9945717154455022, -0.9648937101261345, -0.8046218676622108, -0.5354482300620206, -0.1938041864241473, 0.17407034466970864, 0.5183852712134207, 0.7925391831536265, 0.9594266346233796, 0.9964601919706626, 0.898627536940798, 0.679169860438339, 0.36778972945539473, 0.006630983970279104, -0.3554252340878485, -0.6693763140873465, -0.8927304501613633, -0.9952577077938972, -0.9630815036415007, -0.8005567359907971, -0.5296803697051702, -0.1871142502228812, 0.18077690523444648, 0.5242007546310787, 0.7966764910253133, 0.9613258017376388, 0.9958641749679762, 0.8956170039264353]),
            (&[6, 1, 3, 2], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954, -0.059240315229781036, 0.19987331126534288, 0.4041445275636507, 0.4975242005181894]),
        ],
        out: (&[2, 6, 3, 3], &[-0.4231470733249629, -0.14273905539477283, 0.1569880240639201, 0.7858971857343692, 0.8104183611284127, 0.7252532131881226, -0.01002412546548681, -0.30394773695422006, -0.5567334481294921, 0.42140322401001734, 0.14038152039891305, -0.1596401634387011, -0.7873616525583502, -0.8109758922935293, -0.7248283494666736, 0.012575160327406576, 0.3066125722528937, 0.5591514109085515, -0.12685366001392578, 0.17293043704082914, 0.4493092106954591, 0.8090497395109406, 0.7181432816966411, 0.5300394996671325, -0.31907877479633, -0.5687570055571146, -0.7414566437754727, 0.12410124014414087, -0.17508009089205834, -0.45056515296385086, -0.8071840191277961, -0.7155618295479322, -0.5270917031910474, 0.32080284598432235, 0.5694838133386869, 0.741087818126999, 0.1877402339863471, 0.46029773933076706, 0.6705561050110794, 0.7065680207281475, 0.5148764076677985, 0.25349868822403265, -0.5771867444479049, -0.7440875718773423, -0.8102796371257817, -0.18931039978882153, -0.46015965033412926, -0.6687284509132194, -0.7018767398154777, -0.5103982846836754, -0.2498398161065326, 0.5761711677210876, 0.7414812288436945, 0.8064352840879992, 0.4632514956066319, 0.6742672213411209, 0.7940240417976192, 0.5166070163574301, 0.2538216126847227, -0.04331735553384525, -0.7479952059050694, -0.8141687431194808, -0.7701483603909021, -0.46581005200826303, -0.676375108946536, -0.7953959679079732, -0.5151641652559883, -0.2516635014165366, 0.045898636732784104, 0.7497584909243457, 0.8150871218907476, 0.7700975346557779, 0.6836018355686788, 0.7979430908520593, 0.8042864921088679, 0.23853222418973247, -0.05949850685731062, -0.3494763941213348, -0.8150761446487749, -0.7651486744710632, -0.6116619206783902, -0.6836722094255052, -0.7969300533484575, -0.8023271531185772, -0.23564547844939276, 0.06191709650709909, 0.3510994829175903, 0.8135554005634018, 0.7628025575303568, 0.608807966804143, 0.796862227563199, 0.7972393092654698, 0.6897137904773396, -0.07525522122728434, -0.3621266713159125, -0.5999859752549368, -0.75538301757747, -0.5976421518060919, -0.3590132244538332, -0.7934570936503933, -0.792893043225246, -0.6850146390289866, 0.07743115196363681, 0.3626488134893756, 0.5987836593718122, 0.750778553087255, 0.5930080911849438, 0.3549767660674628]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114, 0.9070732493296082, 0.4225697475969031, -0.2606749092650737, -0.8213200831418711, -0.9956855884367372, -0.7017646034733233, -0.07779276012200391, 0.5827662338601066, 0.9692411620842171, 0.8998668269691968, 0.407271062323527, -0.27687064671878436, -0.8307957643860643, -0.9939846525206651, -0.6896870271361715, -0.06101881623246377, 0.5963474973906704, 0.9732422648042908, 0.8924059877505754, 0.39185723042955656, -0.29298810530060243, -0.8400365570424635, -0.992002690073972, -0.6774144574940792, -0.044227620661853116, 0.6097601572432891, 0.9769682054316327, 0.8846928410561699, 0.37633260982502265, -0.3090227281660572, -0.8490398484873288, -0.9897402614514181, -0.6649503643367158, -0.027423920738401768, 0.6230004212937534, 0.9804179305413581],
        grads: &[&[0.006468897869081336, 0.009167324195266724, 0.021882975475939925, 0.012180000493729498, 0.00430279567058605, 0.002388240007269782, -0.0039009612871850896, -0.013953560723545866, -0.012866092993687961, -0.014082980224725317, 0.009376729135613202, 0.006622102919252998, 0.009252377763673863, 0.009080453988674936, 0.0053908490435500365, -0.012048368070451732, -0.018300950722523912, -0.031139063418779422, -0.018714286367383703, -0.013434198308166598, 0.005289920383270221, 0.009047256890572467, 0.009178508996322953, 0.006531620439223604, 0.009362335845123401, -0.014168461570517155, -0.01399268647230939, -0.01649247679790533, -0.005431691280225637, 0.0009477712346444012, 0.0029239939213977773, 0.011708720097313385, 0.02186813438619234, 0.009578724451239529, 0.007770942992835317, 0.007973668424073821, 0.00976780555069276, 0.02217906449481949, 0.012041332294967705, 0.0032083644664328767, 0.0008910215581062197, -0.0056050093458107075, -0.016598464076447605, -0.01412044031068671, -0.014466269602549653, 0.009401448975624324, 0.006902416452604129, 0.009472820000847398, 0.00917517756189934, 0.005719375368174247, -0.013200771659421143, -0.018761422131874775, -0.03114417356565656, -0.018254535025899465, -0.012277786048884257, 0.004948327477098925, 0.008930399694666968, 0.008935518881258358, 0.006235246436263192, 0.009314805558370762, -0.013797999004719175, -0.012738861646736543, -0.013852569861288355, -0.0037278247723279145, 0.002461735949837396, 0.0040373459953061755, 0.011864303689837069, 0.021604797763289343, 0.009000959707134493, 0.0062751236310218395, 0.00937871295059084, 0.010211448192611383, 0.022175534645951178, 0.011743992918199997, 0.002030647607439158, -0.0006638011131302468, -0.007256985981944908, -0.019074839952763933, -0.01524366811043426, -0.014680257916801248, 0.009408666730796864, 0.007170026074813738, 0.009675963608010584, 0.009253014063722212, 0.006037437544033006, -0.014241610359160002, -0.019047703270581612, -0.030833144929228777, -0.017625318007416457, -0.011023392328800091, 0.004597717865464913, 0.008797105840689927, 0.008676210958666927, 0.005927396175106528, 0.00924991183273638, -0.013260850297528048, -0.011366794723157048, -0.011072087550954512, -0.001989383705043979, 0.0039022004029101165, 0.0050541575244128015, 0.011858023771124188, 0.021043394839352136, 0.008271821278551639, 0.00469475707121475, 0.007095703119197994, 0.009205548620087073, 0.021432635067497194, 0.011334335972376958, 0.002891202329853043, 0.001480644027640421, -0.004720962730903999, -0.015613935894713493, -0.01346393550410735, -0.013683862816150028, 0.00924312253989508, 0.005914312482252049, 0.008663391585876222, 0.00879128675555052, 0.004588411246976582, -0.013407586721273013, -0.018512594768893276, -0.03113545252805143, -0.018481659816244, -0.012046493938386735, 0.006044926150426096, 0.009256056260971507, 0.009685645793419899, 0.007181094818546695, 0.009413081224917255, -0.014589833693949061, -0.013379618759714385, -0.014828571099402554, -0.004606399517102899, 0.0019054736745914846, 0.004390030722113081, 0.01259212145997235, 0.022393113541156633, 0.009599546871612963, 0.007163104029166256, 0.008506767658034653, 0.009639523408782158, 0.0214360587152852, 0.011041850662326158, 0.001693148387862553, -9.634165038485687e-05, -0.006386032995880475, -0.018124141268479443, -0.014621838848636215, -0.013914930384640506, 0.009308585056586684, 0.006222854592118271, 0.008923972349733005, 0.008925563904433512, 0.004939741667282102, -0.014488321339581528, -0.01884561888918214, -0.030888911558059104, -0.01789842760298843, -0.01082956087986868, 0.005727646895337251, 0.009179224698035705, 0.00948382420178068, 0.006914236038183752, 0.009406444323825286, -0.014069529981505902, -0.012040160884728257, -0.01207731173110832, -0.002878244279969411, 0.0033263904386871546, 0.005388915794240733, 0.012591456277473462, 0.021838609884229757, 0.008859949898017527, 0.005586355160716594, 0.00980601786981733, 0.009914294100149212, 0.021143401586022736, 0.010597453301336865, 0.0004270800393139651, -0.00171560972790602, -0.007984064293695636, -0.020441644306220308, -0.01563849953781865, -0.01397781274619922, 0.009356741174619496, 0.006519974590485721, 0.00916829516819757, 0.009043423165056769, 0.005282050019028428, -0.015444165862498818, -0.019001951653248243, -0.030329338038018072, -0.0171515369421866, -0.00952992269007738, 0.005399905251534983, 0.009085484306449967, 0.009264637900532967, 0.006634617032255888, 0.009382250232399358, -0.013384833307692467, -0.010594983034577843, -0.009212688949974457, -0.0011313156062495167, 0.0046599864552637205, 0.006277989341487919, 0.012425488888500619, 0.020988710930214267, 0.007974631428359802, 0.00393904501633896], &[-1.7121508369100744, 3.1357895807311076, -2.0054439292446, -5.824419007557681, 5.113784956881663, 6.743590309277643, -1.8414298813183207, 3.017058783912253, -1.8775235281176064, -5.7564115703080265, 5.026085408785487, 6.746966886720545, 0.5889794887143587, 4.968206837582014, -4.061622621966932, -6.633621896892537, 6.300345060257358, 6.283743044636829, 0.4558142012658011, 4.878363678283952, -3.9553604370750604, -6.609930320430636, 6.25326842295309, 6.333400550437673, 2.824151434593029, 6.222466216224138, -5.645835599812367, -6.668831076904806, 6.752315267872193, 5.089205479364502, 2.7037504665193177, 6.17271178701203, -5.574492692098573, -6.692371102322576, 6.751704391357144, 5.178888501183157]],
        buffers: &[],
    },
    Case {
        name: "conv1d_groups",
        inputs: &[
            (&[2, 4, 7], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044]),
            (&[4, 2, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833]),
            (&[4], &[-0.11682550269259515, 0.19326530617130733, 0.29215428926345854, 0.0717747987641946]),
        ],
        out: (&[2, 4, 7], &[-0.1980156485509842, 0.2757059372122289, 0.9066202672133972, 1.3990160134589371, 1.686249721627382, 1.7294456567923717, 1.052231113702307, 0.29053689871891003, -0.17143218063433638, -0.8069103953865626, -1.3070195209692532, -1.6040721333527568, -1.6578635549877663, -0.994257243196145, -0.8882375773332456, -1.190058598408378, -0.6828500993981026, -0.043679330334839554, 0.6409449436743235, 1.2783620388599037, 1.246280835102026, 1.245358346612722, 1.5688029878837122, 1.0695811022759667, 0.4353108144088756, -0.24816236775117873, -0.8883335553164744, -0.8780886579062905, -1.1073307428503119, -1.8129845784030465, -1.9742781860130265, -1.884174286640031, -1.5548680203676952, -1.0309294454904496, -0.42185078882765303, 1.1646971467218468, 1.878865692103943, 2.050564726428074, 1.970886997205907, 1.650616511302538, 1.1331003765282193, 0.5180585876931699, 0.6152770808832759, 0.2665414525227885, -0.40460775543416627, -0.9814534892998097, -1.3859223851010964, -1.5632714752406889, -0.9721658620152636, -0.26429064925921547, 0.06858830922867419, 0.7406613939129878, 1.3222038158327787, 1.7345065363200332, 1.9217663163563001, 1.348763520917419]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716],
        grads: &[&[0.0016536962676824696, -0.5738874293862315, -1.0487138665907434, -1.030313785731444, -0.5273410323456549, 0.22364844848322188, 0.26061877427020486, -0.09990462151757344, 0.048990127402074785, 0.7179720431544665, 1.0492804883886757, 0.8870959244737954, 0.3076962860227108, -0.26604456135356547, 0.3639346535909123, 0.8463381172887269, 1.0308343585945707, 0.7305130938222204, 0.08662010644332174, -0.5980116704723698, -0.3996614790787745, -0.13776782483424832, -0.4983966159552977, -1.0331838332175352, -1.0820485497748458, -0.6220089258980681, 0.1305712149861386, 0.6293410057770152, -0.6955641875865873, -1.0652420319755662, -1.0085993602811538, -0.4775966496467806, 0.27802722796997936, 0.9028905559771842, 0.5696897800368218, 0.3039125467405691, 0.7562049434665402, 1.0545644020663834, 0.8569457443510832, 0.25629211292084886, -0.4648997038907923, -0.8462566294882983, 0.8850918507057424, 1.0249903119581412, 0.692632201452728, 0.03451834392741153, -0.6398300301109695, -1.0132563433681572, -0.5380156213066689, -0.5246125232213589, -1.0547107035201924, -1.0645808921596953, -0.5737620526811967, 0.18690604545264677, 0.8596693099225867, 1.0198200512947593], &[0.019558805361092002, -0.4474100745201157, -0.4384295523203443, -0.21005360259603223, 0.5622118434938037, 0.28994116541770154, -0.5547032164166567, -1.3217513450017941, -0.4174512033054716, 0.41656489742912095, 1.170279050344708, 0.523245261201365, -0.39601153053185867, 0.2596978538345158, -0.12130130360332236, 0.30911628356574883, -0.31669583368154053, 0.30138019114912296, 0.007143818515552347, 0.768554605105987, 0.42858694973791045, 0.26807710992222633, -0.09198542787820951, -0.17145503788805394], &[-3.231351667606444, 0.6154058844555825, 3.460913286939267, 0.6756003905706369]],
        buffers: &[],
    },
    Case {
        name: "conv2d_reflect",
        inputs: &[
            (&[2, 2, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614]),
            (&[3, 2, 3, 2], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954, -0.059240315229781036, 0.19987331126534288, 0.4041445275636507, 0.4975242005181894]),
            (&[3], &[-0.11682550269259515, 0.19326530617130733, 0.29215428926345854]),
        ],
        out: (&[2, 3, 7, 7], &[-1.8611198411003553, -1.8122715867148995, -1.5764555267696374, -1.1430853904995346, -0.5708157928175339, 0.06289926086815004, 0.06357047132267546, -0.11263874390736828, -0.04495039826662739, -0.03286315855821531, -0.03213982824322953, -0.04287830668650716, -0.06362519120723062, -0.1603539230872465, 1.5920020948754123, 1.6464337634052604, 1.3908331548188893, 0.9311780196848316, 0.32968052420375965, -0.33224946736327127, -0.32126575892979664, -1.4373568178228564, -1.4829966744823586, -1.8160656539500308, -1.9191504504409143, -1.7782990203426114, -1.4125749439549962, -1.374880854080973, -0.2289926891303744, -0.22824099967170286, 0.4300748248269251, 1.0143702556212013, 1.4455636472068973, 1.6652949968525363, 1.6087351931414557, -0.13107050110263546, -0.032054096485289674, -0.032976651255179984, -0.0452477547143808, -0.06720657057603821, -0.09588107612673691, -0.15987893449548204, 0.025026914768110774, 0.016817751061101782, -0.6152960265082876, -1.1799441571101583, -1.6007041651516745, -1.8206281574188445, -1.8681094548712236, -1.540701231207271, -1.494626877273219, -1.2487574116404256, -0.8077169359861942, -0.23119820967591967, 0.4027696622559094, 0.41702787209430325, 0.1287196109075267, 0.19619749657042757, 0.23144657629615123, 0.26152800022691236, 0.2823703887520218, 0.2911528223606701, 0.19441509291295223, 1.9076931100918806, 1.9648394072848296, 1.7263955283692112, 1.2804496661181106, 0.6873585009605996, 0.027394139784316096, 0.024608695974782102, -1.102435864272275, -1.1389003361286911, -1.4873779648853087, -1.60838841115841, -1.4855534787305982, -1.1354982994612581, -1.0883073164570365, 0.0454756726589044, 0.032418734013403505, 0.6922084966844133, 1.2844686391677897, 1.7290395295963361, 1.9657505835268796, 1.9114771954390957, 0.13726665875770078, 0.23610263150358807, 0.2651049747365618, 0.28438415584434906, 0.2913308281067366, 0.285004792021325, 0.22091180493201967, 0.29130438132240905, 0.2967384315639785, -0.33354498475866445, -0.8925270995827282, -1.304552305970422, -1.5138549251347921, -1.563500337490493, -1.4212582124827233, -1.3782294869385119, -1.1237566544644566, -0.6776469180953377, -0.1002791378533339, 0.5302026657604991, 0.557963785817437, 0.1592568044030498, 0.22612627276053704, 0.2843293076620532, 0.3435914171146712, 0.39589175261510295, 0.43415170910532935, 0.33797550216338734, 2.0020712964951715, 2.0615951965613903, 1.841714293050181, 1.412107712341033, 0.8309206897573491, 0.17681416233425673, 0.16027599370476792, -0.9710752140886068, -0.998149248408308, -1.3599803460863056, -1.4982027713836532, -1.394108767467066, -1.061786969439605, -1.0053774066710743, 0.10961381226948858, 0.08282525007262026, 0.7401977772650641, 1.3369297202235075, 1.7922562098646175, 2.044550941848598, 1.9928840519158857, 0.19473225026104585, 0.29280489647012253, 0.35156109359435317, 0.4022768584423151, 0.43808805016024344, 0.45414779194701393, 0.3903376706994818, 0.3458018272198967, 0.36484704357554604, -0.2598888543679089, -0.8099083025723144, -1.2107687489810801, -1.4082156126941432, -1.4597323513538598, 1.5190798912092256, 1.472354988562799, 1.1192434744360038, 0.5988358229165551, -0.018433231705048708, -0.6490192186258055, -0.6598584277827896, -0.11177989117252712, -0.19685791841812394, -0.20263586479904805, -0.19679978122347053, -0.1801395542250407, -0.1549100673713359, -0.07254961124276771, -1.7136984991332098, -1.763633086701322, -1.38667218083223, -0.8378434841969995, -0.1914283862134023, 0.4650838620767875, 0.44279914325399267, 1.412001802933094, 1.4636360186367965, 1.6705265769361501, 1.6355074161054, 1.3633182152806786, 0.890798505896347, 0.8627139021425826, -0.3684645455947513, -0.38096112276257815, -1.0080743423923046, -1.5145612126059886, -1.8318711115575308, -1.9170576329918587, -1.8608156922068602, -0.09419549294064578, -0.20251505066460115, -0.19506992472804432, -0.1770347833301648, -0.15085059825249608, -0.12006127610973216, -0.07686062601994853, 0.11168918252861806, 0.10967967046966395, 0.7139017987482995, 1.2056888838948558, 1.5184798510122537, 1.6099399100699083, 1.6589948415662108, 1.8102336217118793, 1.7689987099176436, 1.4070285312011253, 0.8807811939975106, 0.261481806659445, -0.3670503640016176, -0.39086029925492605, 0.2549505777841387, 0.1700725910048439, 0.13718472377280383, 0.11188710028249582, 0.09760363519681581, 0.09626752850834883, 0.1786807730399524, -1.416430426304014, -1.4718360629534206, -1.1103481230194632, -0.5724222209715855, 0.06913589587251645, 0.7274943460831703, 0.71837432656284, 1.703166914238936, 1.747975531584606, 1.9719809257114242, 1.9552455050656692, 1.7000343303223364, 1.2408890367331922, 1.2014243744795887, -0.022667853815980465, -0.02144051992515661, -0.6537743993563039, -1.1714654282871784, -1.5044465545503936, -1.607650344791293, -1.5508134228870598, 0.24123414835429208, 0.13306789036961492, 0.10914534783325333, 0.09660804703338502, 0.09715285281813213, 0.11070602828033183, 0.15403910052126268, 0.4649554348850857, 0.44940617112992953, 1.0495674755764566, 1.5338322984890718, 1.8366576678755329, 1.917057590607404, 1.9654300274250625, 1.88064930011763, 1.8451475660380536, 1.4764534767118516, 0.9474700481631497, 0.3297927058725676, -0.29297881953626137, -0.3296190595002806, 0.4101154261405609, 0.3259380559267852, 0.2661342272071251, 0.2098520918211612, 0.16470917276194869, 0.13681535234914777, 0.21879534523928557, -1.3208708436802599, -1.3814207693342804, -1.0375377052658448, -0.5136870676049994, 0.11923041733529488, 0.7755523371185096, 0.7796508030938535, 1.7742254096637466, 1.8119441655163442, 2.0517433020911735, 2.0533903203849837, 1.8166623041982224, 1.3735992799804375, 1.3229873058723562, 0.1132004987924497, 0.1281445054221328, -0.5056807838743904, -1.0315228388352295, -1.3782114041580342, -1.4988238089159363, -1.4417271071117468, 0.36517906301218817, 0.25780402568767175, 0.2026549001762997, 0.1596190971172618, 0.13452131056451733, 0.13075840818894358, 0.17396834161530383, 0.60541754277696, 0.5764202306057046, 1.1689812021426758, 1.6428677644024445, 1.9339415942855092, 2.0028072144062556, 2.050211875441763]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114, 0.9070732493296082, 0.4225697475969031, -0.2606749092650737, -0.8213200831418711, -0.9956855884367372, -0.7017646034733233, -0.07779276012200391, 0.5827662338601066, 0.9692411620842171, 0.8998668269691968, 0.407271062323527, -0.27687064671878436, -0.8307957643860643, -0.9939846525206651, -0.6896870271361715, -0.06101881623246377, 0.5963474973906704, 0.9732422648042908, 0.8924059877505754, 0.39185723042955656, -0.29298810530060243, -0.8400365570424635, -0.992002690073972, -0.6774144574940792, -0.044227620661853116, 0.6097601572432891, 0.9769682054316327, 0.8846928410561699, 0.37633260982502265, -0.3090227281660572, -0.8490398484873288, -0.9897402614514181, -0.6649503643367158, -0.027423920738401768, 0.6230004212937534, 0.9804179305413581, 0.8767295676026108, 0.360701589742968, -0.3249699818906045, -0.8578030932449805, -0.9871980063031877, -0.6522982716026483, -0.010612467325731583, 0.6360645461588529, 0.9835904648022317, 0.8685184188241655, 0.3449685894984454, -0.34082535775129513, -0.8663238137074819, -0.9843766433940444, -0.6394617563830491, 0.006201986520462707, 0.6489488382546884, 0.986484911252422, 0.8600617162362091, 0.3291380572390835, -0.35658437300159473, -0.8745996008350975, -0.9812769704001149, -0.6264444479103501, 0.023014686896167914, 0.6616496548410155, 0.9891004515530879, 0.8513618507788587, 0.31321446868746755, -0.3722425721387241, -0.8826281148374376, -0.9778998636833734, -0.6132500265321478, 0.039820880393124695, 0.6741634050511018, 0.9914363462197593, 0.8424212821410186, 0.2972023258757173, -0.3877955281633647, -0.8904070858349521, -0.974246278043856, -0.5998822226707138, 0.056615815442759745, 0.6864865509069737, 0.9934919348314002, 0.8332425380649157, 0.2811061558726942, -0.40323884383130515, -0.8979343145006938, -0.9703172464497214, -0.5863448157682364, 0.07339474365952682, 0.6986156083197098, 0.9952666362171299, 0.8238282136314664, 0.26493050950399427, -0.41856815289660954, -0.9052076726821288, -0.9661138797452012, -0.5726416332183136, 0.09015292118348985, 0.7105471480744462, 0.9967599486205359, 0.81418097052657, 0.24867996006536, -0.4337791213461526, -0.9122251040028281, -0.961637366336534, -0.5587765492838332, 0.1068856100214845, 0.722277796799971, 0.997971449841535, 0.8043035362885773, 0.23235910202967175, -0.4488674486249106, -0.9189846244438445, -0.9568889718559658, -0.54475348400159, 0.12358807938670624, 0.7338042379224459, 0.9989007973557377, 0.7941987035371325, 0.21597254974793711, -0.4638288688518717, -0.9254843229046552, -0.9518700388039337, -0.5305764020740911, 0.14025560703619017, 0.7451232126030157, 0.9995477284112917, 0.7838693291836495, 0.19952493614481323, -0.47865915202607784, -0.9317223617435201, -0.9465819861695023, -0.5162493117484245, 0.1568834806059321, 0.7562315206593349, 0.9999120601031718, 0.7733183336235774, 0.18302091140851692, -0.49335410522257533, -0.9376969772969664, -0.9410263090291437, -0.5017762636832459, 0.17346699894330034, 0.7671260214701636, 0.9999936894248855, 0.7625486999106625, 0.16646514167635384, -0.5079095737779551, -0.9434064803784602, -0.9352045781240932, -0.48716134980334147, 0.19000147343598314, 0.777803634863468, 0.9997925932976013, 0.7515634729136645, 0.1498623077152374, -0.5223214424648158, -0.9488492567560117, -0.9291184394162321, -0.47240870214289965, 0.20648222933781113, 0.7882613419871203, 0.9993088285766699, 0.7403657584554371, 0.13321710359850414, -0.5365856366554476, -0.9540237676084966, -0.9227696136226975, -0.4575224916772008, 0.22290460709023963, 0.7984961861625556, 0.9985425320355541, 0.7289587224347688, 0.11653423537868779, -0.5506981234736689, -0.9589285499607959, -0.9161598957294612, -0.44250692714329193, 0.23926396363981706, 0.8085052737205801, 0.9974939203271522, 0.7173455899314312, 0.09981841975690503, -0.5646549129351051, -0.9635622170973571, -0.9092911544837531, -0.4273662538502389, 0.255555673750985, 0.8182857748195459, 0.9961632899225522, 0.705529644294206, 0.08307438274951333, -0.5784520590753348, -0.967923458954284, -0.9021653318657916, -0.412104752478659, 0.271775131313565, 0.8278349242454712, 0.9945510170272097, 0.6935142262127301, 0.06630685835171127, -0.5920856610653579, -0.9720110424897478, -0.8947844425397025, -0.3967267378706346, 0.2879177506452518, 0.8371500221937276, 0.9926575574745742, 0.6813027327729336, 0.04952058719930722, -0.6055518643146514, -0.9758238120325515, -0.8871505732838783, -0.38123655780971377, 0.30397896778791816, 0.8462284350324767, 0.9904834465972324, 0.6688986164965287, 0.03272031522832776, -0.6188468615608063, -0.9793606896089245, -0.8792658824010776, -0.36563859179159397],
        grads: &[&[-1.1071601111952956, -1.1028379391829513, 0.49771342547960906, 1.159757806245815, 1.626563703414719, 0.7926547978441699, -0.5118262105519041, -0.9045762238843681, -0.5654882494506009, -0.16074615599936684, 0.8066467065607364, 0.649629253452769, 1.514867482267878, 0.9264783653160453, -1.8441892748757294, -2.605740103936495, -2.0824721518067255, -0.6704929876247258, 0.5842584788158578, 0.9671306622502565, 0.4081468594913357, -0.024428900996101538, -0.7228364013002538, -0.6570689955023902, -0.33510012278068213, 0.2390651296509803, 1.188754358116379, 1.260359899511169, 0.5399212204522761, -0.129619525008329, 1.1217767185172132, 1.1419177784982537, -0.4687138478904971, -1.1439107979567387, -1.6468310368734145, -0.8157810488174377, 0.5242153403042605, 0.9318678700599985, 0.5905842423450863, 0.17462996884092388, -0.819481930061694, -0.6694148048037181, -1.5175718395032205, -0.9488550583216033, 1.8357551466484159, 2.6001201077528413, 2.0928131681868694, 0.6758641162146125, -0.5557942533054255, -0.9298243940513977, -0.3982561949787682, 0.014484767896763145, 0.6808272061919811, 0.6286149156610443, 0.36413992045151056, -0.1910143075907802, -1.1742486301956938, -1.2666377144964431, -0.5849718137318805, 0.09901848012762698, 1.2786697799702786, 1.8599798920201498, 0.48766341229869387, -0.4087332421611286, -1.829801334441558, -1.2936467867603922, 0.02762743005446769, 0.4592723498351234, 0.6994000409391123, 0.5945819146818212, -0.11678350483295846, -0.27316062099836946, -2.5733963298642917, -3.0826590356026795, 0.025723360312465027, 1.704837929738126, 3.5198848435405568, 2.245022171457875, -0.1996587614315382, -0.5452712407186368, -0.6569667143536858, -0.4449502623392139, 0.15953133296402622, 0.4087476055745255, 1.1222796296103192, 1.1364724987698511, -0.4708509366766572, -1.1461115589015878, -1.647232411854036, -0.8154608525390274, -1.270357071835582, -1.8680407689130023, -0.5152923233641227, 0.3790973028103254, 1.813378565025919, 1.2962000890754903, -0.02021622179232141, -0.4591807018133991, -0.7231257470254023, -0.6202094859335955, 0.10300019844221259, 0.27511420149213683, 2.5696848760863444, 3.0950891007756254, -0.018783347203235656, -1.6963325050222768, -3.5097697783394497, -2.244241490878305, 0.18285342129079146, 0.5111918370504125, 0.6309139160130541, 0.4331153388099629, -0.13280469890272728, -0.3847530668457319, -1.1362977099500793, -1.174911549450456, 0.4416410765634004, 1.1296890778152469, 1.6665147119002843, 0.8381376736721255], &[0.7087896421973978, -3.5787565215616355, 10.940468795318342, 10.056661689544896, -1.147076846557498, 1.7095997541900203, 6.966224510718563, 8.783084280965205, -3.0432074548571992, -0.4240685986611741, -7.665585284152001, -10.517587220621827, 2.295469242989586, 5.959144809080281, -11.076964512862705, -9.320819939951589, -1.4626772787494646, -3.7615367712768935, -7.297554581418754, -8.711541483193681, 0.6652049234503603, -2.235252703021002, 8.675014068336433, 10.762230063260327, -5.1483408840971, -7.946524777070191, 10.482929365970522, 7.9702658618965, 3.975967170051223, 5.565398721774958, 7.147607597340399, 8.065468549218966, 1.7566681762147138, 4.747158068913575, -9.112321715996341, -10.297098922038106], &[-1.840501614134984, 1.4826318288592215, -1.026981797892482]],
        buffers: &[],
    },
    Case {
        name: "conv2d_replicate",
        inputs: &[
            (&[1, 3, 4, 5], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996]),
            (&[2, 3, 3, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954, -0.059240315229781036, 0.19987331126534288, 0.4041445275636507, 0.4975242005181894, 0.4543902683549438, 0.2865780721013019, 0.040132905372039576, -0.21732416307071073, -0.41515055435426357, -0.49906550417925116, -0.4460439369574806, -0.27063422095505757, -0.02096630176907633, 0.23445447413724865, 0.4255442577679527, 0.499870714701042, 0.4370397162066995, 0.2542911997767674, 0.0017687740674549725, -0.2512389782336823, -0.43531030768530515, -0.499938644443992]),
            (&[2], &[-0.11682550269259515, 0.19326530617130733]),
        ],
        out: (&[1, 2, 2, 7], &[0.04566741072024105, -0.03429251642399479, 0.023183773927335297, -0.0037342175668621178, 0.46327831913762785, 0.873547601970445, 1.2135612572607886, 1.9734890541801704, 1.8766671391285594, 1.628214376292981, 1.294995837452947, 0.8386268069108085, 0.23523104370179954, -0.15117919360248855, 2.6053822578347923, 2.1534727070831607, 1.330184695015535, 0.4900903636944559, -0.2634106787746773, -1.0762049142395094, -1.4900494854320574, -2.319628232965741, -2.019482272345594, -1.5051801293437785, -0.8323151880709243, -0.4706834863873653, -0.0017489895728647759, 0.15628591147421395]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708],
        grads: &[&[0.6803890408970668, -1.2081135472242337, -1.3717960334319623, -0.8903014102123399, -0.6177610923623116, 1.9623468851820498, 1.3412405706079116, 1.3245178066378813, 0.684853622044428, -0.7087390842544115, 0.9949252881374769, -0.4846147113944502, -0.8630785465566524, -0.8356230552989656, 0.5525405233887261, -3.1496996896450886, -0.9235535499912592, -0.33173825313018246, 0.4160987277312118, 2.6658176878002475, 1.6603342745459877, 0.39522487660173145, -0.5829093240186143, -1.2868921613435709, -3.4118954003623667, -1.4489177921638412, -0.2893951095116709, 0.5214818636107833, 1.0870977678981988, 0.909709066430435, 3.183264153908216, 0.9035797400967986, 0.2981024388098911, -0.4475770974284042, -2.6406654478802687, 0.7517079016324589, -0.554785739461175, -0.8872675693890049, -0.8024535974949825, 0.7563359328804399, -0.4891877480733528, 1.2536269769719923, 1.3046691794845355, 0.7421050808672287, 0.2248529764909153, -2.129201812713292, -1.3745668229920125, -1.2644648353566819, -0.5596652778450374, 0.8134996449809656, -0.6283459607348256, 0.5886694292452069, 0.8974075202869203, 0.7840808321583886, -0.8566350995774163, 3.2362651029003384, 0.8596653605758231, 0.22956201732723253, -0.5085079296758237, -2.5787193182774537], &[0.9776583039356924, 0.31294708853065956, -0.8094480677826148, -1.0909095631678818, -2.964097070369461, -3.1171987541524304, -2.7096281969878264, -1.2170029736637813, 1.0920647314491128, 0.28395696844658386, 0.7856508175656067, 0.006936331453488931, -3.2927562760708526, -3.2013957250331604, -1.1492091240966262, 0.5297477786742164, 2.5510218151114796, 3.1118563357359146, -0.7286011646189442, 0.3761430443694063, 0.8155318870268187, -1.7971493672814676, 0.1561699909267248, 2.109233573759079, 3.174267142239926, 3.4544905728660025, 1.6373278282157253, -0.9624978153723422, -0.7194250217126934, 0.5011349174215058, 0.08492751394963116, 1.889255896927923, 2.7186484407381473, 3.316280827468105, 2.6918753038072465, 0.13431944384048083, -0.01928794062710404, -0.807385016593499, -0.3186455000953864, 3.1595585692258674, 3.8319676445039677, 2.018300128894661, 0.5204974814424694, -1.2793430586113206, -2.5174004456798644, 0.9455804657394833, 0.011271939011325338, -0.7806171824423862, 2.6863044197479082, 1.471742442769569, -0.9484081851985544, -2.8597552684765173, -3.8139802626169312, -2.3423179196154464], &[-0.3930325865186719, 1.4057781156766063]],
        buffers: &[],
    },
    Case {
        name: "conv2d_circular",
        inputs: &[
            (&[2, 2, 4, 3], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635]),
            (&[2, 1, 2, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736]),
        ],
        out: (&[2, 2, 5, 4], &[-1.0199909909525726, -0.951076987360428, -1.0130565455113012, -1.0199909909525726, -0.5555888200821409, -0.42713228293971844, -0.3584796512134679, -0.5555888200821409, 0.7058505102603531, 0.4895262885833125, 0.5533318867442887, 0.7058505102603531, 1.1833179370526938, 0.8624792868725071, 0.8505704432559995, 1.1833179370526938, -1.0199909909525726, -0.951076987360428, -1.0130565455113012, -1.0199909909525726, -1.7978105202141794, -1.768710336949956, -1.7467368323916048, -1.7978105202141794, 0.8286390112707969, 0.5737319273353967, 0.6302688375930103, 0.8286390112707969, 1.1446479440118051, 0.8406799045138569, 0.8176272068030279, 1.1446479440118051, 0.1893227705683342, 0.1739040755354126, 0.09686587021962861, 0.1893227705683342, -1.7978105202141794, -1.768710336949956, -1.7467368323916048, -1.7978105202141794, 0.056203744845860895, 6.538976262889656e-05, 0.07494762383338288, 0.056203744845860895, 1.0264862160838448, 0.7584171388906716, 0.7189565331028411, 1.0264862160838448, -0.10062992277954569, -0.045595596511110004, -0.1234702461321125, -0.10062992277954569, -1.1159787242693513, -0.7989663530934168, -0.8287614669379941, -1.1159787242693513, 0.056203744845860895, 6.538976262889656e-05, 0.07494762383338288, 0.056203744845860895, 1.8191560582060857, 1.7678801360225669, 1.7862615802023698, 1.8191560582060857, -0.2596070770620751, -0.15188794903112401, -0.2281236426549984, -0.2596070770620751, -1.1638973916184852, -0.8346501335053883, -0.8535760514243949, -1.1638973916184852, -0.775473681915507, -0.5903856395952225, -0.5309812007065368, -0.775473681915507, 1.8191560582060857, 1.7678801360225669, 1.7862615802023698, 1.8191560582060857]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114, 0.9070732493296082, 0.4225697475969031, -0.2606749092650737, -0.8213200831418711, -0.9956855884367372, -0.7017646034733233, -0.07779276012200391, 0.5827662338601066],
        grads: &[&[-1.6115382567498722, -1.6295689459397145, -1.5662826852088565, 1.2456691528952675, 1.2768480711445287, 1.1931170447600792, -1.6144556685839309, -1.665251136860829, -1.581845416170907, 2.0850907706355426, 1.9619069639155122, 2.037868735491392, -1.4514243400729132, -1.3599381068636904, -1.518426430446095, 1.1403844531840526, 1.2096654400784335, 1.1963605207231756, -0.6016928116761955, -0.6569764306635216, -0.6700782984995335, 0.8539491245426545, 0.9514881892873797, 0.920340808021531, 2.0091270484317647, 1.9983428593023835, 1.9822631231631187, -1.555530869118377, -1.602864666948547, -1.518615437853032, 1.7768877622050725, 1.8392743175999453, 1.7631476847174632, -2.325452666325002, -2.2245729876556437, -2.296696894798136, 0.8937476313435975, 0.8078757471494444, 0.968537581185965, -0.7153838319095823, -0.773991558675353, -0.7819177311331268, 0.11543763610243218, 0.15475114025141712, 0.18810612854073905, -0.2209363249185753, -0.34752402618246936, -0.2955266785466868], &[-2.3414455805837675, -1.5417628557118332, -2.4221066862713045, 3.008235002938427, 2.818235239541786, 3.1049923964430683, -5.453045702713341, -5.339860953189103, -5.369400948279821, 0.5468067338117049, 0.3895122558572335, 0.42940740384803866]],
        buffers: &[],
    },
    Case {
        name: "conv2d_same",
        inputs: &[
            (&[1, 2, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996]),
            (&[3, 2, 4, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954, -0.059240315229781036, 0.19987331126534288, 0.4041445275636507, 0.4975242005181894, 0.4543902683549438, 0.2865780721013019, 0.040132905372039576, -0.21732416307071073, -0.41515055435426357, -0.49906550417925116, -0.4460439369574806, -0.27063422095505757, -0.02096630176907633, 0.23445447413724865, 0.4255442577679527, 0.499870714701042, 0.4370397162066995, 0.2542911997767674, 0.0017687740674549725, -0.2512389782336823, -0.43531030768530515, -0.499938644443992, -0.42739088681437803, -0.23757311359004615, 0.01743136247498001, 0.2676529191742846, 0.4444342997399968, 0.49926919321560664, 0.4171116802532551, 0.22050462061799428, -0.03660578875249457, -0.2836720873328383, -0.4529027765644124, -0.49786334841824526, -0.4062172577664189, -0.20311089591372122, 0.05572622358052293, 0.29927285535044756, 0.4607032476384917, 0.4957231835927589]),
            (&[3], &[-0.11682550269259515, 0.19326530617130733, 0.29215428926345854]),
        ],
        out: (&[1, 3, 5, 6], &[-1.5203608977979146, -1.9790261234234299, -2.8820661621904726, -2.871819540464429, -1.7065350279762388, -1.353811488964534, -0.7434818873716299, 0.2682444590389318, 0.9839580374816885, 2.256963825178226, 1.8789842490206727, 2.4358567990393127, 2.397233906632611, 1.8216055254906123, 2.1859597833407305, 0.898409668895098, 0.2007941252790711, -0.8139042187453753, -1.3568949225736884, -1.700050944180284, -2.864166685027204, -2.857853127350212, -1.9485561436982246, -1.4804382774320957, -0.9238537907087055, -0.31986682269137534, -0.04975053360732537, 0.8190037220871151, 0.7686192108560105, 1.2400244524642403, -1.0665810626508094, -1.610510950014871, -2.5711901774227264, -2.7122391453927857, -1.5887684879062625, -1.3101086893215947, -0.6452595985241266, 0.32056808271770487, 0.89462014012703, 2.218630158863379, 2.0513534625438603, 2.691611855886973, 2.7027218007313047, 2.224849750531633, 2.790335610564545, 1.583432599804032, 0.7572969029765939, -0.27918271922521976, -0.7523590272553345, -1.1636858500745058, -2.343823283190631, -2.490271281086337, -1.6567480508874264, -1.2852703020985676, -0.7130622377511964, -0.14946799197235028, 0.012798922439016674, 0.8910452904647983, 0.966712428091285, 1.4830411681718976, -0.7943266117602303, -1.4107085641127812, -2.4063976012049375, -2.6954196653097156, -1.6402268921589618, -1.4421948337238315, -0.7384871752815815, 0.15869118689793715, 0.5775595806300964, 1.9213859753955398, 1.9687524624447381, 2.6773150262711782, 2.7378961069110597, 2.369036952184492, 3.122334053705233, 2.024507475395435, 1.0893117502553546, 0.05546575287641135, -0.33675020586533866, -0.8065587783562628, -1.974919054310024, -2.2706789368089133, -1.5325636027686762, -1.266476354010834, -0.6921234183138164, -0.18219769735310593, -0.13160245270893436, 0.7354484044413659, 0.9353848058347174, 1.4844746093187782]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114, 0.9070732493296082, 0.4225697475969031, -0.2606749092650737, -0.8213200831418711, -0.9956855884367372, -0.7017646034733233, -0.07779276012200391, 0.5827662338601066, 0.9692411620842171, 0.8998668269691968, 0.407271062323527, -0.27687064671878436, -0.8307957643860643, -0.9939846525206651, -0.6896870271361715, -0.06101881623246377, 0.5963474973906704, 0.9732422648042908],
        grads: &[&[-0.0013111563709486858, -0.02122072295053567, -0.012056171495323651, 0.04017027975005899, 0.054929811738287426, 0.018664047087991978, -0.053364300243398624, 0.048677969776498645, -0.03668290108943391, 0.06735722835159913, 0.18408697767574952, 0.22742366839799422, -0.028337245010882566, 0.006077995186877488, 0.07914976553319455, -0.008653997857428368, -0.12035303950255669, -0.08550417995752511, -0.023652973087121748, -0.047607197173999534, 0.05480604738291326, 0.12028102048528846, 0.05014693739724494, -0.032431565899372905, 0.19651629421353348, 0.15486934415704562, 0.021865781883704843, -0.0691913105893335, 0.03508881519495002, -0.030458448402514007, 0.005703295175294203, -0.008457077836286672, -0.0026692095279145407, 0.04885353213045417, 0.06669064346356163, 0.0250653309135115, -0.06158300830927557, 0.050382059480719256, -0.02875254413388636, 0.07763027123560379, 0.18825070103451996, 0.23424686536998757, -0.029167690043300804, -0.009702999957292666, 0.0668682277413715, -0.025350892746502873, -0.14147399637529381, -0.10426704189670456, -0.0027547160071706434, -0.0246642006816169, 0.07070820560550506, 0.1291283671695895, 0.06403103067939339, -0.03239259082544339, 0.18440815136660232, 0.14690029670621735, 0.010592101426835414, -0.07518108745100413, 0.033450656450629945, -0.020226463087263495], &[3.5219297399083738, 1.847676777506753, 3.7054646941961584, -2.5645293965589193, -2.781695007921906, -1.0185506039887984, -0.9528613166494508, 2.363128364027046, -1.8732430835169804, 2.5787485913403376, 0.31921902757418064, 2.348802832354645, -1.3752669726125024, -0.45038762734897103, -0.6357514302917877, 5.29852460911479, 0.18213866109752072, 2.3507081182229856, -4.569910101004899, -0.015066371661787564, -0.39634914552573086, 0.22691202732868332, 0.003199297452644856, -0.6931210322377463, -3.155766375621939, -1.714838213032578, 0.6467625754876668, 0.25898542061517327, 2.4594092634528355, -4.106768505233514, 1.674618855226056, -1.828572234411162, 3.2722579532689937, -1.9730579174209337, -0.2672933598621588, 0.015450319373352506, 3.124467713440256, -1.774599002601834, 1.6874953009384492, -4.338707059342093, 2.4249493225663095, -0.09885331852910928, 1.0376359212824733, -1.7026909722323782, -2.8651795889084797, 1.7366076570784268, -0.6028279767228362, 2.092672961927909, -0.06491857518832556, 0.03085735415052593, -4.413966268221364, 2.2808216108740695, 0.0875141750024312, 5.517345154556527, -0.881614176811689, -0.36000332958570735, -1.711379772497004, -0.4173454843631439, -0.026410239053871964, -2.3657280163558445, -2.0474578059419626, 2.3943872251286384, -1.2128296753380825, -0.5456509932282974, -2.8385700581586923, -2.242418408165671, 3.4332229899125437, 1.8802937048845396, 3.535034538810757, -2.129293681951401, 0.6571737460131462, -1.59931539441845], &[1.3312483190044082, -2.563985906155498, 1.4774918882035921]],
        buffers: &[],
    },
    Case {
        name: "conv2d_same_reflect",
        inputs: &[
            (&[2, 2, 6, 5], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614]),
            (&[2, 2, 2, 4], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833, 0.4690610101461554, 0.3171748226534299, 0.07826034900313333, -0.18212765773171663, -0.39254241065756845, -0.4952490770528016, -0.4620664000365648, -0.30209923694489954]),
            (&[2], &[-0.11682550269259515, 0.19326530617130733]),
        ],
        out: (&[2, 2, 6, 5], &[-1.1957639507833717, -0.6535038604989492, 0.6934036937896784, 1.2924465272376322, 1.142376324259286, 3.1809681877373355, 3.5149911053152416, 3.094586669453427, 2.3553970123270282, 1.7402477941459988, -0.8555666088456301, -1.5819336157307315, -2.6971224455288043, -2.888738358861576, -2.3996099061383975, -3.0074395055542666, -2.941103097706878, -1.906028332125083, -1.06122372129692, -0.7156725651456373, 2.215165656506523, 2.904969329367397, 3.4496451389084446, 3.175621229807976, 2.4960317202563433, -1.2224379024200982, -1.392969344943934, -1.4896096046888396, -1.2634747135662059, -0.9533196037714207, -1.7314478210164965, -2.5106219159118064, -3.3448413242555555, -3.3138687629251664, -2.731820942388456, -2.2027389418022696, -1.7655689039732572, -0.4127758670897164, 0.3791996731901472, 0.4286706113121962, 3.43860923754235, 3.976823735178502, 4.065410009647817, 3.5979159790680186, 2.9886007424359144, 0.8004992839909197, 0.06667591366575226, -1.3349441497103112, -1.8692460994372277, -1.5828743646445218, -3.3867741488548093, -3.5205195189839427, -2.83656015501326, -2.074569312025344, -1.6230965895434142, 2.0677113839787697, 2.0020321450845477, 1.6471559225222812, 1.318782961569859, 1.1977871528602981, 0.2915037024781948, -0.34325085724234283, -1.6502756881602803, -2.112474278975267, -1.8240638314123432, -3.379645551978957, -3.5695956408187794, -2.8928032507364936, -2.0844082357687204, -1.5515604310444497, 1.2732480575902134, 2.0126994010461607, 2.9466894683006366, 2.9633164957022746, 2.381210732091628, 2.3798131154286275, 2.162192047752965, 0.9706025513380726, 0.15304304319914988, -0.05895941938226344, -2.8829975689746794, -3.5025004249207283, -3.7797096053142507, -3.3457137794324234, -2.6467563938413434, 1.0778849560345622, 1.2365127072491504, 1.2282721444158395, 0.9272754458821995, 0.5889200473053289, 2.70735378314868, 3.421618938267933, 3.9955155007993146, 3.79255456134533, 3.1778865298623473, 1.97964162718033, 1.4098983564112468, -0.013017569315457639, -0.7340263815350496, -0.6539403894813557, -3.3054389532627515, -3.7056727311462905, -3.495285791314565, -2.8949188588160872, -2.324392663967632, 0.3353065260091027, 1.1256508480470486, 2.4326055964199913, 2.8227038664145208, 2.428154964644554, 3.6136792159366573, 3.5782906202466185, 2.6475357170297573, 1.8321542275040663, 1.4790956911018591, -1.5847339778952345, -1.442905862707619, -0.9691471452429017, -0.592948790332002, -0.4924850754385147]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114, 0.9070732493296082, 0.4225697475969031, -0.2606749092650737, -0.8213200831418711, -0.9956855884367372, -0.7017646034733233, -0.07779276012200391, 0.5827662338601066, 0.9692411620842171, 0.8998668269691968, 0.407271062323527, -0.27687064671878436, -0.8307957643860643, -0.9939846525206651, -0.6896870271361715, -0.06101881623246377, 0.5963474973906704, 0.9732422648042908, 0.8924059877505754, 0.39185723042955656, -0.29298810530060243, -0.8400365570424635, -0.992002690073972, -0.6774144574940792, -0.044227620661853116, 0.6097601572432891, 0.9769682054316327, 0.8846928410561699, 0.37633260982502265, -0.3090227281660572, -0.8490398484873288, -0.9897402614514181, -0.6649503643367158, -0.027423920738401768, 0.6230004212937534, 0.9804179305413581, 0.8767295676026108, 0.360701589742968, -0.3249699818906045, -0.8578030932449805, -0.9871980063031877, -0.6522982716026483, -0.010612467325731583, 0.6360645461588529, 0.9835904648022317, 0.8685184188241655, 0.3449685894984454, -0.34082535775129513],
        grads: &[&[1.3647225028567533, 2.1694840443250025, 0.6690948628396031, -0.5225167810353455, -0.3928498822136645, -1.873606366996043, -3.100468159864129, -0.6327763861449666, 1.8003900712822039, 1.2913846875467083, 1.4030587562258643, 2.147467898464585, -0.475659672338911, -3.2018634746677543, -2.0681207110809177, -0.7542011428631945, -0.9215531886548224, 1.523645748217605, 4.196422854007318, 2.5820262524859334, -0.45243649980955647, -1.4340472626120175, -3.8238099577804223, -6.998751430901493, -4.154787521722718, 0.7364184833303258, 1.7109461070158671, 2.930136314948658, 4.526995228345567, 2.601806137498778, -0.6644139248776412, -0.7987914040177415, -0.09463521038627998, -0.07319802095858707, -0.1627501641702705, 2.0295994823382495, 2.9227696492212596, 0.691015115014182, -0.240330699908613, -0.03669843178915694, -1.7908008336374355, -2.433495987148901, -0.066652781297863, 0.7538281604735535, 0.2521425130123415, 1.3244153501931728, 1.6349575321005567, -0.5661802294683487, -1.1715241439785449, -0.43554265313227114, -0.2003168762521214, 0.48597385006653093, 2.7300035193040397, 3.260122392415102, 1.4850838351880025, -0.03264004594322667, -0.457573310808905, -1.5447042177357757, -1.5260986864174555, -0.6200147443290088, -0.3494389188544824, -0.23007706677893003, 1.1538374343109838, 2.1437060883527908, 1.179575318277782, -0.16895957562163785, -0.7350886294602199, -2.5379483312091824, -4.6807897588846235, -2.760382264057809, 0.9011803167480587, 1.9875637713063092, 3.007391793029189, 4.410858967571263, 2.513303096482052, -1.5188730925254759, -2.987446140653198, -3.0946359805621038, -3.5803669948727532, -1.9468167197207578, 2.6632242012639793, 5.037305960042957, 3.5857546316565165, 2.212619552157691, 0.901834537097846, -2.1212041214110475, -3.769396130875082, -2.128157753026164, -0.7177037387372429, -0.17503676352362502, 0.3780075491749161, 0.3923529338130751, -0.08402713989952842, 0.5134318554776622, 0.5175143272501352, -0.5248446211218296, -0.37595058689617467, 1.2402034965545397, 1.4776887125311724, 0.5836809988058863, -0.2049536202092781, -0.7090261524921011, -1.6157311384410908, -1.5180248463735544, -0.6219006249769751, 0.9087049975807036, 1.7038951508267584, 1.7859209623597245, 1.3654403251890264, 0.5810849993741415, -2.873619374618907, -4.715073342583093, -2.6495788531036557, -0.9278315402159099, -0.3047271178138101, 1.8949941135400696, 2.9450913776420116, 1.452616182649383, 0.5811283661313537, 0.2924815831805998], &[-1.9911813545037524, -3.460971712609126, -3.1497700086236096, -1.5710139248177235, 4.397351656490992, 5.2001903444551845, 4.314906147542592, 2.136875828713437, 2.82049139930233, 2.8790985095781725, 1.5390359531350706, 0.42014324059706487, -2.8078880252315574, -3.577708704634789, -0.3638600894796604, 3.3864334117773103, 5.041214450988219, 5.157403815327548, 3.633216982209647, 1.9507654983087241, -9.93137458115381, -9.281182804084848, -7.9028971708918, -7.000869688776573, 1.1662374555864872, 2.30281935421804, 3.4762032422683937, 3.8059536384395036, -0.45409814678024907, -2.9885232584809387, -6.259109052023433, -8.205576746157927], &[2.8087402072080003, -1.6185310778262059]],
        buffers: &[],
    },
    Case {
        name: "conv1d_same_circular",
        inputs: &[
            (&[2, 3, 7], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909]),
            (&[2, 3, 4], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736, 0.4809654194680981, 0.34590100415086833, 0.11592624469095207, -0.14585703699571326, -0.3676192102994207, -0.488511870811073, -0.47536378203295393, -0.3317825935982679, -0.0971649532276674, 0.16411337629613218, 0.38036131609637236, 0.49224348946036833]),
            (&[2], &[-0.11682550269259515, 0.19326530617130733]),
        ],
        out: (&[2, 2, 7], &[1.454821673616806, 0.8751176882672449, 1.5979882753649761, 1.7360254181994594, 1.1224031512143384, 1.7768873769596663, 0.8488453896448912, 1.73840574449745, 1.0992125750005997, 1.8345121661112054, 1.8944803352302422, 1.3652078574165505, 2.0442679317912096, 1.124488940170768, 1.391769552741261, 2.1433179124090445, 1.6991976103512862, 2.318449479847619, 2.0217278158524628, 1.4923960437691475, 1.8140982787973459, 1.7264609587932944, 2.464408228257525, 2.0510858321157928, 2.7293405568282334, 2.3813486971962, 1.874590572056222, 2.1367568917938518]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708],
        grads: &[&[0.3955343328910636, 0.11667733702484501, -0.4815792010074418, -1.0884594052258005, -0.10596689344139998, -0.007716296173035153, 0.7076059335476979, 0.33098271862856044, -0.16290034186501134, 0.34476564420415645, 0.10084213096776062, -0.1468170106637945, 0.3500168257625196, -0.16109540197467576, -0.7410857028091408, 0.053393283353220244, 0.12163823143334396, 0.9831785716954144, 0.25924625307795246, -0.3577069928064371, -0.5394196999264687, -0.13757316966482902, 0.21616478690650204, 0.7239835219255717, 1.0768956012513355, 0.05687786037054754, -0.04974508220853535, -0.5755057332881353, -0.5436084785955249, -0.11543952027694859, -0.5634562012543741, -0.32195515912714634, -0.12639329138922706, -0.5614774243787747, -0.10849279824649183, 0.705109309485382, -0.09564404026549245, -0.1357260351327727, -0.7407691510561244, 0.07507880240922771, 0.6359366935895939, 0.6887739885482931], &[1.8618592081285286, 0.13090394441924125, -2.890960376919889, 0.39312712344468503, -2.811604553477562, -1.3696233335605819, 2.2674717698268125, -1.0438487228569766, 2.9273772752782765, 2.2020877380349884, -0.9714101373538682, 1.3849459631424266, 2.600332751888393, -1.9181027811535873, -0.026800538896357917, 3.519571999468745, -2.639497258612305, 2.0886510061666455, 0.835167148831357, -3.2487343927552974, 1.8957392697488369, -1.6396676696963606, -1.3958081184906743, 2.0142635676410974], &[0.36499183385491496, 0.6477536953030194]],
        buffers: &[],
    },
    Case {
        name: "conv1d_replicate",
        inputs: &[
            (&[1, 2, 5], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254]),
            (&[2, 2, 3], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736]),
            (&[2], &[-0.11682550269259515, 0.19326530617130733]),
        ],
        out: (&[1, 2, 4], &[-0.8776536657973357, -0.34463821375535375, 0.8105828203155984, 1.1626495210256036, 0.9926110741031413, 0.4708112770618288, -0.6926077329202396, -1.0612693502940884]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633],
        grads: &[&[2.5982716845685667, 0.48566991736054255, 0.228293702011498, 0.027777226121795708, -1.1992822785793438, -2.011141248249345, -0.4642554862685678, -0.6544665084473144, -0.030817155546609888, 1.0965594963534953], &[-0.6839909195851014, -0.51784144486737, -0.36849462108976233, 1.542894302656896, 1.4823280797448015, 1.369636963099909, 0.13281710133259628, -0.18669259967615315, -0.43102578405156244, -1.8881827261501167, -1.657766233630067, -1.3466363305629885], &[0.629400585156976, -1.5323819903181009]],
        buffers: &[],
    },
    Case {
        name: "conv1d_same",
        inputs: &[
            (&[2, 2, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597]),
            (&[3, 2, 2], &[0.4900332889206208, 0.3725872011724352, 0.15290845418914467, -0.10872621034068232, -0.3405279402535764, -0.47889361877654524, -0.485857660356031, -0.3595092304613406, -0.13451655155869952, 0.1273855668891219, 0.35433488714563033, 0.48405972502947736]),
        ],
        out: (&[2, 3, 6], &[0.282177690838324, 0.5572415408407613, 0.7568853624286431, 0.8540883009215552, 0.8356943945940798, 0.32425846134148806, -0.7635301742757492, -0.7521538852492455, -0.6389770963676407, -0.4393177550697419, -0.1801988165559082, 0.09978964634546372, 0.5149602950601552, 0.22801941330820258, -0.0897828263475916, -0.39543338164751773, -0.6475638838033047, -0.42844048371774657, -0.8593832911667849, -0.7820875080379789, -0.5989398496345889, -0.3347284923370083, -0.025213203883956786, 0.16349538617276532, 0.3127339535495651, 0.036486204043768844, -0.24469978201483084, -0.4927668005162937, -0.6741401442414381, -0.389801317379196, 0.532883930364134, 0.7439953144555588, 0.8544104229752221, 0.8491850889656769, 0.7290265368719657, 0.2434635625432649]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711],
        grads: &[&[0.6406339062881192, 0.60122649405983, -0.4243774562175483, -1.2503900577551437, -1.488324677246895, -1.0262769453148477, -0.01677584497270973, -0.8897185144375594, -1.4579986800295348, -1.3405592845458125, -0.5926339107235613, 0.43401645147227397, 0.6272087682474233, 0.5547372459159052, -0.47245734674971235, -1.277447866889256, -1.4816346945572532, -0.9889855741942547, -0.042153144283684246, -0.9297950111454196, -1.4689394603609007, -1.317218728556435, -0.5459894466014935, 0.4820272034105673], &[-2.8479851520538313, -2.122054826474857, 0.8420895674458659, 1.398920589128279, 0.3522900024754154, 1.5672791650313305, 2.100582832604533, 1.1555388543881344, 2.5025571801264075, 0.5853036850380082, -2.901756497059613, -2.5319514448151197]],
        buffers: &[],
    },
    Case {
        name: "maxpool_pad",
        inputs: &[
            (&[2, 2, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614]),
        ],
        out: (&[2, 2, 3, 4], &[0.7322314440302514, 0.7446431199708593, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.9379999767747389, 0.999871708718139, 0.7275732909714597, 0.4589514863776903, 0.9379999767747389, 0.999871708718139, 0.7275732909714597, 0.7536707851417809, 0.999739337036853, 0.9238282533851275, 0.4649953737342197, 0.7536707851417809, 0.999739337036853, 0.9238282533851275, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.7181558375448988, 0.758132221587245, -0.30396460881104703, 0.12691556102786788, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7625584504796027, 0.9448901061954508, -0.23374395488778393, 0.48299635220569664, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.04750130787069287, -0.22711266518305065, 0.7037800808530064, 0.7713044650358081, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, -0.22047082839827958, 0.14716638445050614]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857],
        grads: &[&[0.0, 0.0, 0.5403023058681398, 0.0, -0.12884449429552464, -0.7373937155412451, -0.0437986611476735, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9274784307440356, 0.0, 0.15926488004411277, 0.3152817179503247, 0.0, 0.3230166374917637, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.1943299064553348, -0.2653418868443928, 0.0, -0.06605939796056914, 0.16429185799067691, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.2582439680889227, -0.16211443649971827, -0.7596879128588213, 0.0, -0.9999682933493399, 0.0, 0.0, -0.17780907112311914, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.49795620278841546, 0.0, 0.16901049808968716, -0.0607404796977663, 0.4971857948712053, -0.17868300502473106, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.7591100556583898, 0.0, -0.16123796432418885, 0.0, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, 0.0, -0.19520105499812226, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.7811230330551121, 0.0, 0.0, -0.7480575296890003, 0.0, -0.1446212711617233, 0.5268326309626091, -0.049161728523918646, 0.9271460038316652, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.46773184024707987, -0.21166391631731857]],
        buffers: &[],
    },
    Case {
        name: "maxpool_default_stride",
        inputs: &[
            (&[2, 2, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614]),
        ],
        out: (&[2, 2, 2, 3], &[0.7322314440302514, 0.9356160015533859, 0.9999576464987401, 0.7491743483316894, 0.999871708718139, 0.9264154954967662, 0.9403403914098841, 0.999739337036853, 0.722881349511976, 0.06791095957636539, 0.12015308040178385, 0.758132221587245, -0.24036438955632378, 0.4770180858147492, 0.9448901061954508, 0.9993353187176137, 0.7133969745223362, 0.05430715243750061, 0.915809602890819, 0.40549399997723745, -0.22711266518305065, 0.7037800808530064, 0.9492643007674533, 0.9987456665903652]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717],
        grads: &[&[0.0, 0.0, 0.0, 0.5403023058681398, -0.12884449429552464, 0.0, 0.955336489125606, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.7373937155412451, 0.0, -0.9991351502732795, -0.7909677119144168, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.21079579943078058, 0.46851667130037633, 0.0, 0.9274784307440356, 0.0, 0.9502325919585296, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.5260775173811053, 0.0, -0.14550003380861265, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.7486466455973987, 0.0, -0.9996930420352065, 0.0, -0.7805681801691837, -0.1943299064553348, 0.0, 0.4833047587530059, 0.0, 0.9336336440746373, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9448600381598606, 0.0, 0.511703992453149, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.16211443649971827, 0.0, 0.0, 0.0, -0.9999682933493399, -0.7699479605420717, 0.0, -0.7596879128588213, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]],
        buffers: &[],
    },
    Case {
        name: "maxpool_dilated",
        inputs: &[
            (&[2, 2, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614]),
        ],
        out: (&[2, 2, 5, 3], &[0.7322314440302514, 0.4363990821601263, 0.08150215176026912, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.999871708718139, 0.9264154954967662, 0.9379999767747389, 0.4302574547137703, 0.07470829038953478, 0.10661169378122266, 0.999871708718139, 0.9264154954967662, 0.9379999767747389, 0.9238282533851275, 0.9403403914098841, 0.999739337036853, 0.06791095957636539, 0.11338501988364243, 0.4649953737342197, 0.9238282533851275, 0.9403403914098841, 0.999739337036853, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9470991950577611, 0.9990636908422139, -0.6331887253438754, -0.8282214751611653, -0.56952390973722, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964],
        grads: &[&[0.0, 0.0, 0.0, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, 0.955336489125606, 0.5403023058681398, -0.12884449429552464, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.14550003380861265, 0.0, 0.0, 0.14691025057485185, -0.9594424450281793, -0.5311763707348301, 0.0, 0.9502325919585296, 0.5260775173811053, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.511703992453149, -0.16211443649971827, 0.0, -0.516663534596334, 0.16368568353256563, -0.9540178193141561, 0.0, 0.0, 0.9448600381598606, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.1628007164053532, -0.5174337970695324, -0.9543111106565121, -0.942360997379301, 0.5124668610443679, 0.9451505141481711, 0.0, 0.0, 0.0, -0.1446212711617233, 0.0, 0.0, 0.0, 0.5268326309626091, 0.9505089147582911, 0.0, 0.0, 0.0, 0.0, -0.9996706432822098, -0.7480575296890003, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, 0.0, 0.0, 0.0, 0.12920394047724837, -0.5462934154147392, -0.9648604419670852, -0.9296385263020377, -0.45719308571446504, 0.23027740692364096, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]],
        buffers: &[],
    },
    Case {
        name: "avgpool_pad",
        inputs: &[
            (&[2, 2, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614]),
        ],
        out: (&[2, 2, 3, 3], &[0.19126113646847492, 0.2629578809208052, 0.12353019837909028, 0.04567113128909213, 0.05611998165855598, 0.017315282140214, 0.1903435088680761, 0.20595202108159733, 0.021147454954993854, -0.013852337130559826, 0.13162486611663138, 0.2661793753546714, 0.005333429680545867, 0.04143708454218197, 0.06571991271099151, 0.05841575135363301, 0.21460224725195326, 0.28294264710805217, -0.1941489616390625, -0.23551777475935096, -0.0680392373379617, -0.04455926025015686, -0.04748150754340584, -0.0036145169663056092, -0.17816545721312171, -0.16121344986160993, 0.03783817977581949, -0.02662229563215336, -0.18072374031096133, -0.28036365489683424, -0.014622790177647418, -0.051335651934018824, -0.06647343848620373, -0.09555827012284551, -0.24821074623372644, -0.27505444406072965]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711],
        grads: &[&[0.10614849879173399, 0.16618208833263842, 0.06003358954090442, 0.045717534619179455, -0.01431605492172496, -0.01431605492172496, 0.02421586373159565, -0.026765563424530972, -0.050981427156126635, -0.15318278340167568, -0.10220135624554905, -0.10220135624554905, -0.08193263506013834, -0.19294765175716938, -0.11101501669703105, -0.19890031802085514, -0.08788530132382409, -0.08788530132382409, -0.1053543905524473, -0.1643119993272143, -0.058957608774767016, -0.043789751127031595, 0.015167857647735414, 0.015167857647735414, -0.023421755492308953, 0.028635652429955083, 0.052057407922264036, 0.15511056689382355, 0.1030531589715595, 0.1030531589715595, 0.10558139910650328, 0.16403445659329277, 0.05845305748678948, 0.04228638706361029, -0.016166670423179184, -0.016166670423179184, 0.0223984384845701, -0.030225508699218917, -0.05262394718378902, -0.15552041540354417, -0.10289646821975515, -0.10289646821975515, -0.08318296062193319, -0.1942599652925117, -0.1110770046705785, -0.19780680246715449, -0.08672979779657597, -0.08672979779657597, -0.10477517245030371, -0.16215164837054824, -0.057376475920244516, -0.040369202152971906, 0.017007273767272624, 0.017007273767272624, -0.021592211828370532, 0.032108316921963455, 0.05370052875033399, 0.15743760031418258, 0.10373707156384859, 0.10373707156384859, 0.10498444868442897, 0.16184044784588997, 0.056855999161461, 0.03884328399482564, -0.018012715166635364, -0.018012715166635364, 0.02057468058900437, -0.03367690839946129, -0.05425158898846566, -0.15781407754866456, -0.1035624885601989, -0.1035624885601989, -0.0844097680954246, -0.19551735624535127, -0.11110758814992666, -0.19665736154349017, -0.08554977339356352, -0.08554977339356352, -0.10416633155354894, -0.15994545272698502, -0.05577912117343606, -0.03693723970608223, 0.018841881467353813, 0.018841881467353813, -0.01975656345812435, 0.035571903518366255, 0.0553284669764906, 0.15972012183740794, 0.10439165486091734, 0.10439165486091734, 0.10435781629965231, 0.1596006823964529, 0.05524286609680059, 0.03538919887183047, -0.019853667224970117, -0.019853667224970117, 0.01874510567092244, -0.03711878672056999, -0.05586389239149243, -0.16006312135628364, -0.10419922896479121, -0.10419922896479121, -0.08561271062872987, -0.19671946911702287, -0.11110675848829302, -0.1954523202281141, -0.08434556173982109, -0.08434556173982109, -0.10352803999808419, -0.1576940361481141, -0.05416599615002992, -0.03349483409560977, 0.020671162054420142, 0.020671162054420142, -0.01791532936935432, 0.03902543296890878, 0.0569407623382631, 0.16195748613250432, 0.10501672379424123, 0.10501672379424123]],
        buffers: &[],
    },
    Case {
        name: "avgpool_default_stride",
        inputs: &[
            (&[2, 2, 5, 6], &[0.09983341664682815, 0.4528862853790683, 0.7446431199708593, 0.9356160015533859, 0.9999576464987401, 0.9289597150038692, 0.7322314440302514, 0.4363990821601263, 0.08150215176026912, -0.28442571253646254, -0.6118578909427193, -0.8564779741650012, -0.9851777815038593, -0.980538397794069, -0.8431877418564172, -0.59171558063101, -0.2601574914304689, 0.10661169378122266, 0.4589514863776903, 0.7491743483316894, 0.9379999767747389, 0.999871708718139, 0.9264154954967662, 0.7275732909714597, 0.4302574547137703, 0.07470829038953478, -0.29095229056648914, -0.6172338439132372, -0.8599756920611852, -0.9863238646169981, -0.9791777291513174, -0.8395044815753859, -0.5862082407117828, -0.2535714644950138, 0.11338501988364243, 0.4649953737342197, 0.7536707851417809, 0.9403403914098841, 0.999739337036853, 0.9238282533851275, 0.722881349511976, 0.4240958461720909, 0.06791095957636539, -0.2974653568133114, -0.6225811326313764, -0.8634334728079056, -0.9874241429894153, -0.9777715876333635, -0.8357822348250097, -0.5806736773647965, -0.2469736617366209, 0.12015308040178385, 0.4710176667713848, 0.758132221587245, 0.9426371367702988, 0.9995605376022044, 0.92119810882011, 0.7181558375448988, 0.4179145426793173, 0.06111047498783996, -0.30396460881104703, -0.6278995087697999, -0.8668511558263136, -0.9884785655243385, -0.9763200385412218, -0.8320211744658979, -0.5751121476143921, -0.24036438955632378, 0.12691556102786788, 0.4770180858147492, 0.7625584504796027, 0.9448901061954508, 0.9993353187176137, 0.9185251839452564, 0.7133969745223362, 0.41171383129431416, 0.05430715243750061, -0.31044974473535636, -0.6331887253438754, -0.8702285823996907, -0.9894870832545356, -0.9748231492846262, -0.8282214751611653, -0.56952390973722, -0.23374395488778393, 0.13367214771325459, 0.48299635220569664, 0.7669492662654117, 0.9470991950577611, 0.9990636908422139, 0.915809602890819, 0.7086049814452102, 0.40549399997723745, 0.04750130787069287, -0.3169204634174479, -0.6384485367231334, -0.8735655956808248, -0.9904496493445846, -0.9732809893789018, -0.8243833133683062, -0.5639092232502625, -0.22711266518305065, 0.1404225266830178, 0.48895218831438503, 0.7713044650358081, 0.9492643007674533, 0.9987456665903652, 0.9130514917679978, 0.7037800808530064, 0.39925533757617365, 0.04069325734985776, -0.32337646435805484, -0.6436786986426777, -0.8768620406992982, -0.991366219093053, -0.9716936304417365, -0.8205068673310151, -0.5582683488987625, -0.22047082839827958, 0.14716638445050614]),
        ],
        out: (&[2, 2, 2, 2], &[0.4245825833245671, 0.18529529756863541, -0.11046301827837117, 0.3180998528176848, 0.048143343691672, 0.3992690630320071, -0.4192608506324582, -0.24655437244504508, -0.414546041591668, -0.10205885600694255, 0.02305884769785077, -0.36949954919775885, -0.13456460834850745, -0.4205454823452513, 0.4240679759687081, 0.1695240425709643]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348],
        grads: &[&[0.159222748187601, 0.159222748187601, 0.159222748187601, 0.09005038431135663, 0.09005038431135663, 0.09005038431135663, 0.159222748187601, 0.159222748187601, 0.159222748187601, 0.09005038431135663, 0.09005038431135663, 0.09005038431135663, -0.02147408238258744, -0.02147408238258744, -0.02147408238258744, -0.12289895259020751, -0.12289895259020751, -0.12289895259020751, -0.02147408238258744, -0.02147408238258744, -0.02147408238258744, -0.12289895259020751, -0.12289895259020751, -0.12289895259020751, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.16652252504554657, -0.16652252504554657, -0.16652252504554657, -0.13182795198573613, -0.13182795198573613, -0.13182795198573613, -0.16652252504554657, -0.16652252504554657, -0.16652252504554657, -0.13182795198573613, -0.13182795198573613, -0.13182795198573613, -0.03513263323846343, -0.03513263323846343, -0.03513263323846343, 0.07808611188339605, 0.07808611188339605, 0.07808611188339605, -0.03513263323846343, -0.03513263323846343, -0.03513263323846343, 0.07808611188339605, 0.07808611188339605, 0.07808611188339605, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.15457973845733927, 0.15457973845733927, 0.15457973845733927, 0.15837209865975493, 0.15837209865975493, 0.15837209865975493, 0.15457973845733927, 0.15457973845733927, 0.15457973845733927, 0.15837209865975493, 0.15837209865975493, 0.15837209865975493, 0.08767958623018422, 0.08767958623018422, 0.08767958623018422, -0.024250005634768774, -0.024250005634768774, -0.024250005634768774, 0.08767958623018422, 0.08767958623018422, 0.08767958623018422, -0.024250005634768774, -0.024250005634768774, -0.024250005634768774, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.12477444093289979, -0.12477444093289979, -0.12477444093289979, -0.16661550700586775, -0.16661550700586775, -0.16661550700586775, -0.12477444093289979, -0.12477444093289979, -0.12477444093289979, -0.16661550700586775, -0.16661550700586775, -0.16661550700586775, -0.13009469669486395, -0.13009469669486395, -0.13009469669486395, -0.0323883177425558, -0.0323883177425558, -0.0323883177425558, -0.13009469669486395, -0.13009469669486395, -0.13009469669486395, -0.0323883177425558, -0.0323883177425558, -0.0323883177425558, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0]],
        buffers: &[],
    },
    Case {
        name: "batchnorm2d_train",
        inputs: &[
            (&[2, 3, 3, 4], &[0.1996668332936563, 0.9057725707581366, 1.4892862399417186, 1.8712320031067717, 1.9999152929974802, 1.8579194300077384, 1.4644628880605028, 0.8727981643202526, 0.16300430352053824, -0.5688514250729251, -1.2237157818854385, -1.7129559483300023, -1.9703555630077185, -1.961076795588138, -1.6863754837128344, -1.18343116126202, -0.5203149828609378, 0.21322338756244533, 0.9179029727553806, 1.4983486966633788, 1.8759999535494778, 1.999743417436278, 1.8528309909935323, 1.4551465819429195, 0.8605149094275406, 0.14941658077906955, -0.5819045811329783, -1.2344676878264744, -1.7199513841223704, -1.9726477292339961, -1.9583554583026348, -1.6790089631507719, -1.1724164814235656, -0.5071429289900276, 0.22677003976728485, 0.9299907474684393, 1.5073415702835617, 1.8806807828197682, 1.999478674073706, 1.847656506770255, 1.445762699023952, 0.8481916923441818, 0.13582191915273079, -0.5949307136266228, -1.2451622652627528, -1.7268669456158112, -1.9748482859788306, -1.955543175266727, -1.6715644696500194, -1.161347354729593, -0.4939473234732418, 0.2403061608035677, 0.9420353335427696, 1.51626444317449, 1.8852742735405976, 1.9991210752044088, 1.84239621764022, 1.4363116750897975, 0.8358290853586346, 0.12222094997567992, -0.6079292176220941, -1.2557990175395999, -1.7337023116526271, -1.976957131048677, -1.9526400770824437, -1.6640423489317957, -1.1502242952287842, -0.48072877911264755, 0.25383112205573577, 0.9540361716294984, 1.5251169009592054, 1.8897802123909015]),
            (&[3], &[1.5, -0.5, 0.75]),
            (&[3], &[0.25, 0.0, -1.0]),
        ],
        out: (&[2, 3, 3, 4], &[0.03952189954402649, 0.799383249522474, 1.4273196347851953, 1.83834281136963, 1.976822720521962, 1.8240167561770435, 1.400606488763776, 0.7638985116691875, 6.826266088489061e-05, -0.787503417347541, -1.49222239613272, -2.018708265902256, 0.8652102365064732, 0.8618461072486915, 0.7622498269840732, 0.5799012850191623, 0.3394805010732288, 0.07352730038847165, -0.18196279896529213, -0.39241041059876813, -0.529332437531741, -0.574197125749098, -0.5209322501703866, -0.3767469618283588, -0.05857071515894766, -0.5110179184210951, -0.9763322090936888, -1.3915354808222131, -1.7004319185848085, -1.8612138386290067, -1.852120162338908, -1.6743816761400134, -1.352054450330413, -0.9287639628180641, -0.4618005953423166, -0.014365649066832136, 1.4467495118700702, 1.8485109237746473, 1.976352861933875, 1.812972519751544, 1.3804826600901978, 0.7374187565533548, -0.029183508264421086, -0.815568114113848, -1.5153015936901482, -2.0336783031308134, -2.300538386628135, -2.2797635837779873, 0.7568799148510253, 0.5718945340877665, 0.3299205875206825, 0.06370811366653001, -0.1907122779976992, -0.39890598100026836, -0.5326949543205891, -0.5739714880522023, -0.5171489969915084, -0.3699181387372152, -0.15220591926286242, 0.10652133385988499, -0.9928907826706987, -1.4051078660771608, -1.709181156844375, -1.8639557615392899, -1.8484836634969446, -1.6648589386044752, -1.337934331953556, -0.9119575553817224, -0.4445825672505798, 0.0009336203515064446, 0.36429248144350673, 0.5963150987701002]),
        cot: &[0.955336489125606, 0.5403023058681398, -0.12884449429552464, -0.7373937155412451, -0.9991351502732795, -0.7909677119144168, -0.21079579943078058, 0.46851667130037633, 0.9274784307440356, 0.9502325919585296, 0.5260775173811053, -0.14550003380861265, -0.7486466455973987, -0.9996930420352065, -0.7805681801691837, -0.1943299064553348, 0.4833047587530059, 0.9336336440746373, 0.9448600381598606, 0.511703992453149, -0.16211443649971827, -0.7596879128588213, -0.9999682933493399, -0.7699479605420717, -0.17780907112311914, 0.49795620278841546, 0.939524893748256, 0.9392203466968708, 0.4971857948712053, -0.17868300502473106, -0.7705143956585688, -0.9999608263946371, -0.7591100556583898, -0.16123796432418885, 0.5124668610443679, 0.9451505141481711, 0.933315112063922, 0.4825270293251048, -0.19520105499812226, -0.7811230330551121, -0.9996706432822098, -0.7480575296890003, -0.1446212711617233, 0.5268326309626091, 0.9505089147582911, 0.9271460038316652, 0.46773184024707987, -0.21166391631731857, -0.7915108256977524, -0.9990978260547264, -0.7367935074839925, -0.12796368962741173, 0.5410494509487518, 0.9555985806128373, 0.9207147661750008, 0.45280441063998716, -0.22806693448309265, -0.801674836674626, -0.9982425366632168, -0.7253211736891964, -0.11126992927317506, 0.5551133015206198, 0.9604180727246692, 0.9140232173799573, 0.43774896089471343, -0.2444054719155097, -0.8116121923430205, -0.9971050169212836, -0.7136437718458037, -0.09454470987970703, 0.569020206444659, 0.9649660284921114],
        grads: &[&[0.8622158286855868, 0.5994404447245645, 0.03128650786838283, -0.5241406585596581, -0.7723019403073313, -0.5852595434895209, -0.06336720860192768, 0.5136039433957371, 0.8226907859178664, 0.6566172292196917, 0.02965832340393719, -0.8204341672582073, 0.02784431379542402, 0.11951294857844925, 0.05927247051035947, -0.1181116796945966, -0.3174341954445682, -0.4294206487179649, -0.38422286478401946, -0.1865947337629833, 0.08410996935645584, 0.3094190448522693, 0.38626413988611896, 0.27506317111781314, -0.2931903666982013, 0.1887448144075684, 0.5231467771376865, 0.5706442518697892, 0.324873586331028, -0.08669049121905413, -0.4642967999500146, -0.6307010763197449, -0.5144793656168498, -0.1826942546293703, 0.19232422275059763, 0.4162323691117983, 1.1790092300976798, 0.7911125426194585, 0.09272172378687862, -0.5773376436647801, -0.917167991217207, -0.8019946898406733, -0.33810526300026655, 0.1941934560418795, 0.48081733497604584, 0.33024994926876955, -0.22870844813375107, -0.9547997459331552, 0.06427537882589433, 0.1752106559254539, 0.12677068428861346, -0.042632199923009005, -0.23612922965133998, -0.3462814920046705, -0.30783442456155186, -0.13022821085615008, 0.10567242140112879, 0.2852492809138033, 0.31453421567521395, 0.16569098427385617, -0.1435355660604598, 0.3278092179829832, 0.6206171768636242, 0.6088755232753534, 0.3040615702175871, -0.151061214000005, -0.5495065250336117, -0.7164578939676158, -0.5897851515213923, -0.24704695276702204, 0.13342011522137287, 0.3586960326139522], &[-8.094303893600111, 6.382490078611333, 3.249467295590756], &[2.563031183799119, -5.07995806606386, 2.712897990391882]],
        buffers: &[("running_mean", &[0.03952548762264935, 0.04160225867062115, -0.061910257116349246]), ("running_var", &[1.1027376739904167, 1.0984524022913496, 1.0449860795259296])],
    },
];
