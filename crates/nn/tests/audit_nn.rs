//! Behaviour checked against PyTorch 2.15 (float64), case by case: each test pins a
//! value or a gradient that once differed from `torch.nn.functional`, `torch.optim` or
//! `torch.nn` without the difference being a documented choice.

use wengert_nn::loss::{bce_with_logits, Reduction};
use wengert_tape::{Tape, Tensor};

/// ∂ℓ/∂t of `bce_with_logits` is −x for every finite logit, also at the targets 0 and 1
/// (torch: `F.binary_cross_entropy_with_logits(x, t, reduction='sum')` backward gives
/// `t.grad == -x`). The product (1 − t)·x, or −t·x, was masked wherever its factor was 0,
/// which also cut the gradient into t: x ≤ 0 with t = 0 and x > 0 with t = 1 gave 0.
#[test]
fn bce_with_logits_target_gradient_is_minus_x_at_targets_0_and_1() {
    let xs = [-800.0, -40.0, -1.0, -1e-300, 0.0, 1e-300, 0.5, 40.0, 800.0];
    for t in [0.0, 1.0, 0.3] {
        let tape = Tape::<f64>::new();
        let x = tape.var(&Tensor::from_vec(xs.to_vec()));
        let y = tape.var(&Tensor::from_vec(vec![t; xs.len()]));
        let g = bce_with_logits(x, y, Reduction::Sum).unwrap().backward();
        let want: Vec<f64> = xs.iter().map(|x| -x).collect();
        assert_eq!(g.wrt(y).data(), &want[..], "t = {t}");
    }
}

/// `nn.Linear(0, 3)` has bias zeros in PyTorch (`bound = 1/√fan_in if fan_in > 0 else 0`);
/// `Init::TorchDefault` drew it from U(±1/√0) = U(±∞), which is NaN.
#[test]
fn linear_without_inputs_has_a_zero_bias_not_nan() {
    use rand::{rngs::StdRng, SeedableRng};
    use wengert_nn::{Init, Linear};
    let mut rng = StdRng::seed_from_u64(0);
    for init in [Init::TorchDefault, Init::KaimingUniform, Init::XavierUniform] {
        let lin = Linear::<f64>::new(0, 3, init, &mut rng);
        assert_eq!(lin.weight.shape(), [0, 3]);
        assert_eq!(lin.bias.as_ref().unwrap().data(), [0.0; 3], "{init:?}");
    }
    // and a fan of 0 given to a non-empty tensor draws zeros, not NaN
    for init in [Init::TorchDefault, Init::KaimingUniform, Init::XavierUniform] {
        let t = init.tensor::<f64>(&[2], 0, 0, &mut rng);
        assert_eq!(t.data(), [0.0; 2], "{init:?}");
    }
}

/// `bce`'s gradient is the derivative of its value, −t/p + (1 − t)/(1 − p), wherever no log
/// is clamped, also where p(1 − p) < 1e−12; PyTorch's fused backward divides by
/// max(p(1 − p), 1e−12) there instead (torch 2.15, float64: −1.000000004e12 at p = 1e−13,
/// t = 1, and −1.1e−4 at p = 1 − 2⁻⁵³, t = 1, where the derivative of −ln p is −1/p).
/// Pinned here because the documentation said the two differed only at clamped logs.
#[test]
fn bce_gradient_is_the_exact_derivative_where_torch_clamps_its_denominator() {
    use wengert_nn::loss::bce;
    let tape = Tape::<f64>::new();
    let near_one = 1.0 - f64::EPSILON / 2.0;
    let p = tape.var(&Tensor::from([1e-13, near_one, 1e-13]));
    let t = tape.constant(&Tensor::from([1.0, 1.0, 0.5]));
    let l = bce(p, t, Reduction::Sum).unwrap();
    // torch's values: −ln p, and ½(−ln p − ln(1 − p))
    let want_l = -(1e-13f64.ln()) - near_one.ln() + 0.5 * (-(1e-13f64.ln()) - (1.0 - 1e-13f64).ln());
    assert!((l.item() - want_l).abs() <= 1e-14 * want_l, "{}", l.item());
    let g = l.backward().wrt(p);
    let want = [-1e13, -1.0 / near_one, -0.5e13 + 0.5 / (1.0 - 1e-13)];
    for (a, b) in g.data().iter().zip(want) {
        assert!((a - b).abs() <= 1e-15 * b.abs(), "{a} vs {b}");
    }
}

/// A parameter the loss does not depend on is skipped, as `torch.optim` skips a parameter
/// whose `.grad` is `None`: torch 2.15 (SGD lr 0.1, momentum 0.9, weight decay 0.1; loss
/// a·b, then a²) leaves a at 0.6041 and b at 0.89. Through `update`, which updates every
/// parameter it is given, b gets its zero gradient and ends at 0.7821.
#[test]
fn a_parameter_without_gradient_is_skipped_as_in_torch() {
    use wengert_nn::optim::{Optimizer, Sgd};
    for skip in [true, false] {
        let (mut a, mut b) = (Tensor::<f64>::scalar(1.0), Tensor::<f64>::scalar(1.0));
        let mut opt = Sgd::new(0.1).momentum(0.9).weight_decay(0.1);
        for step in 0..2 {
            let tape = Tape::<f64>::new();
            let (va, vb) = (tape.var(&a), tape.var(&b));
            let loss = if step == 0 { va * vb } else { va * va };
            let g = loss.backward();
            assert_eq!(g.reached(vb), step == 0);
            let (ga, gb) = (g.wrt(va), g.wrt(vb));
            let grads = [ga.data(), gb.data()];
            let mut ps = [a.data_mut(), b.data_mut()];
            if skip {
                opt.update_reached(&mut ps, &grads, &[g.reached(va), g.reached(vb)]).unwrap();
            } else {
                opt.update_slices(&mut ps, &grads).unwrap();
            }
        }
        assert!((a.item() - 0.6041).abs() < 1e-15, "{}", a.item()); // torch: 0.6041
        let want = if skip { 0.89 } else { 0.7821 }; // torch: 0.89
        assert!((b.item() - want).abs() < 1e-15, "{skip}: {}", b.item());
    }
}

/// Cross-entropy of large, nearly equal logits keeps its digits, as PyTorch's
/// `log_softmax` ((x − m) − ln Σ e^(x − m)) does: logits [1000, 1000, −5] in f32 cost ln 2
/// to the ulp in torch 2.15 (0.6931472), and [1e8, 1e8] in f64 cost ln 2. The tape's
/// log_softmax computed x − (m + ln Σ e^(x − m)), rounding m + ln 2 to the ulp of m first:
/// 0.69317627 in f32 (4e−5 off) and an error of the ulp of 1e8 in f64.
#[test]
fn cross_entropy_of_large_logits_keeps_its_digits() {
    use wengert_nn::loss::cross_entropy;
    let tape = Tape::<f32>::new();
    let x = tape.var(&Tensor::from([[1000.0f32, 1000.0, -5.0]]));
    let l = cross_entropy(x, &[0], Reduction::Sum).unwrap();
    let ln2 = std::f32::consts::LN_2;
    assert!((l.item() - ln2).abs() <= 2.0 * f32::EPSILON * ln2, "{}", l.item());
    let g = l.backward().wrt(x);
    assert!((g.data()[0] + 0.5).abs() <= 4.0 * f32::EPSILON, "{:?}", g.data());
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from([[1e8, 1e8], [-3e12, -3e12]]));
    let l = cross_entropy(x, &[1, 0], Reduction::None).unwrap();
    let ln2 = std::f64::consts::LN_2;
    for v in l.value().data() {
        assert!((v - ln2).abs() <= 2.0 * f64::EPSILON * ln2, "{v}");
    }
}

/// Adam in f32 follows torch.optim.Adam in float32 to a few ulp. PyTorch takes its
/// hyperparameters as Python floats (f64) and computes the bias corrections and the step
/// size in f64, rounding only the results to f32; computing them in f32 from β₂ = 0.999
/// rounded to f32 (0.99900001) made 1 − β₂ 1.3e−5 too small, and parameters near 1e−3 drifted
/// 270 ulp from torch's in 20 steps. Torch 2.15, float32, 10 steps, weight decay 0.01,
/// gradients sin(0.37·(7k + 3j)) rounded to f32.
#[test]
fn adam_f32_follows_torch_float32() {
    use wengert_nn::optim::{Adam, Optimizer};
    let cases: [(Adam<f32>, [f32; 4]); 2] = [
        (Adam::new(1e-3).weight_decay(0.01), [-0.00073646667, -0.0039831884, 0.4985924, 3.001735]),
        (
            Adam::new(1e-3).betas(0.3, 0.95).weight_decay(0.01),
            [-0.00030953973, -0.0024763823, 0.49926233, 3.0009546],
        ),
    ];
    for (mut opt, want) in cases {
        let mut p = Tensor::<f32>::from_vec(vec![1e-3, -2e-3, 0.5, 3.0]);
        for k in 0..10 {
            let g: Vec<f32> = (0..4).map(|j| (0.37 * (k * 7 + j * 3) as f64).sin() as f32).collect();
            opt.update(&mut [&mut p], &[&g]).unwrap();
        }
        for (a, b) in p.data().iter().zip(want) {
            assert!((a - b).abs() <= 4.0 * f32::EPSILON * b.abs(), "{a} vs torch {b} ({:?})", p.data());
        }
    }
}

/// `forward_with` given more parameter variables than the module has is an error naming
/// the counts, as `Linear` and `Module::forward` refuse a wrong count: `Sequential` used
/// the first ones and ignored the rest, and an activation ignored any it was given (a
/// `Bound` of another model then ran silently).
#[test]
fn forward_with_refuses_extra_parameter_variables() {
    use wengert_nn::{Linear, Module, ReLU, Sequential};
    let tape = Tape::<f64>::new();
    let x = tape.constant(&Tensor::from([[1.0, 2.0]]));
    let extra = tape.var(&Tensor::from([3.0]));
    let seq = Sequential::<f64>::new().add(Linear::<f64>::zeros(2, 1)).add(ReLU);
    let p = seq.bind(&tape);
    let mut vars = p.vars().to_vec();
    assert!(seq.forward_with(&vars, x).is_ok());
    vars.push(extra);
    let e = seq.forward_with(&vars, x).unwrap_err().to_string();
    assert!(e.contains("Sequential") && e.contains("3 parameter variables given") && e.contains('2'), "{e}");
    let e = ReLU.forward_with(&[extra], x).unwrap_err().to_string();
    assert!(e.contains("ReLU") && e.contains("1 parameter variables given"), "{e}");
}

/// `Standardizer::fit` refuses a non-finite value with an error naming its row and
/// column (scikit-learn's `StandardScaler.fit` raises "Input contains infinity"); it
/// returned NaN statistics, which turned every value of that column into NaN.
#[test]
fn standardizer_refuses_non_finite_values() {
    use wengert_nn::data::Standardizer;
    for bad in [f64::INFINITY, f64::NEG_INFINITY, f64::NAN] {
        let x = Tensor::from([[1.0, 2.0], [3.0, bad], [5.0, 6.0]]);
        let e = Standardizer::fit(&x).unwrap_err().to_string();
        assert!(e.contains("standardize") && e.contains("row 1, column 1") && e.contains("[3, 2]"), "{e}");
    }
}

/// `Optimizer::step` and `TapeParams::step` skip a parameter the loss does not reach: a
/// loss of a `Linear`'s weight alone leaves its bias where it was, with weight decay and
/// Adam's moments as in torch 2.15, and the weight moves by the same amount both ways.
#[test]
fn module_steps_skip_a_parameter_the_loss_does_not_reach() {
    use wengert_nn::optim::{Adam, Optimizer, Sgd};
    use wengert_nn::{Linear, Module, TapeParams};
    let make = || Linear::from_tensors(Tensor::from([[1.0], [-2.0]]), Some(Tensor::from([0.5]))).unwrap();
    type NewOpt = fn() -> Box<dyn Optimizer<f64>>;
    let opts: [NewOpt; 2] = [
        || Box::new(Sgd::new(0.1).momentum(0.9).weight_decay(0.1)),
        || Box::new(Adam::adamw(0.1).weight_decay(0.1)),
    ];
    for new_opt in opts {
        // Through the module.
        let (mut lin, mut opt) = (make(), new_opt());
        for _ in 0..3 {
            let tape = Tape::<f64>::new();
            let p = lin.bind(&tape);
            let w = p.vars()[0];
            let g = (w * w).sum().backward();
            let gs: Vec<&[f64]> = p.vars().iter().map(|v| &g[*v]).collect();
            let reached: Vec<bool> = p.vars().iter().map(|v| g.reached(*v)).collect();
            assert_eq!(reached, [true, false]);
            let mut ps = lin.parameters_mut();
            let mut slices: Vec<&mut [f64]> = ps.iter_mut().map(|t| t.data_mut()).collect();
            opt.update_reached(&mut slices, &gs, &reached).unwrap();
        }
        assert_eq!(lin.bias.as_ref().unwrap().data(), [0.5]);
        // Through `Optimizer::step` (the same, from the grads) and `TapeParams::step`.
        let (mut stepped, mut on_tape) = (make(), make());
        let (mut opt_a, mut opt_b) = (new_opt(), new_opt());
        let mut tape = Tape::<f64>::new();
        let params = TapeParams::new(&on_tape, &tape);
        let mark = tape.mark();
        let mut grads = wengert_tape::Grads::new();
        for _ in 0..3 {
            {
                let t2 = Tape::<f64>::new();
                let p = stepped.bind(&t2);
                let g = (p.vars()[0] * p.vars()[0]).sum().backward();
                step(opt_a.as_mut(), &mut stepped, &p, &g);
            }
            let p = params.bind(&tape).unwrap();
            (p.vars()[0] * p.vars()[0]).sum().backward_into(&mut grads);
            params.step(&mut tape, &mark, &grads, opt_b.as_mut()).unwrap();
        }
        params.store(&tape, &mut on_tape).unwrap();
        assert_eq!(stepped.state_dict(), lin.state_dict());
        assert_eq!(on_tape.state_dict(), lin.state_dict());
    }
}

/// `Optimizer::step` for a boxed optimizer (the trait method needs `Sized`).
fn step(
    opt: &mut dyn wengert_nn::optim::Optimizer<f64>,
    model: &mut wengert_nn::Linear<f64>,
    p: &wengert_nn::Bound<'_, f64>,
    g: &wengert_tape::Grads<f64>,
) {
    use wengert_nn::optim::Optimizer as _;
    struct ByRef<'a>(&'a mut dyn wengert_nn::optim::Optimizer<f64>);
    impl wengert_nn::optim::Optimizer<f64> for ByRef<'_> {
        fn update(&mut self, ps: &mut [&mut Tensor<f64>], gs: &[&[f64]]) -> wengert_tape::Result<()> {
            self.0.update(ps, gs)
        }
        fn update_reached(
            &mut self,
            ps: &mut [&mut [f64]],
            gs: &[&[f64]],
            r: &[bool],
        ) -> wengert_tape::Result<()> {
            self.0.update_reached(ps, gs, r)
        }
        fn lr(&self) -> f64 {
            self.0.lr()
        }
        fn set_lr(&mut self, lr: f64) {
            self.0.set_lr(lr)
        }
    }
    ByRef(opt).step(model, p, g).unwrap();
}
