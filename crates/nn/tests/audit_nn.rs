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

/// `LayerNorm` against torch 2.15's `nn.LayerNorm` (float64; printed by
/// `scripts/torch_layernorm_reference.py`): over the last dimension and the last two, with
/// and without γ and β, the output and the gradients of Σ y·c in x, γ and β, to 1e−13;
/// and central differences through the layer.
#[test]
fn layer_norm_follows_torch() {
    use wengert_nn::{LayerNorm, Module};
    use wengert_tape::gradcheck::{gradcheck, CheckOptions};
    #[rustfmt::skip]
    let data = vec![
        0.5, -1.0, 2.0, 0.25, 3.0, 3.5, -2.0, 1.0, 0.0, 0.125, -0.75, 4.0,
        1.0, 1.0, 1.0, 1.5, -3.0, 2.0, 0.5, -0.5, 10.0, -10.0, 5.0, 0.0,
    ];
    let x = Tensor::new(&[2, 3, 4], data).unwrap();
    let c = Tensor::from_fn(&[2, 3, 4], |f| ((f / 12 * 7 + (f / 4 % 3) * 3 + f % 4) % 5) as f64 - 2.0);
    let layer = |name: &str| {
        let (shape, eps, affine): (&[usize], f64, bool) = match name {
            "last_dim" => (&[4], 1e-5, true),
            "last_two" => (&[3, 4], 1e-3, true),
            _ => (&[4], 1e-5, false),
        };
        let mut ln = LayerNorm::<f64>::new(shape).eps(eps);
        if affine {
            let n: usize = shape.iter().product();
            ln.weight = Some(Tensor::from_fn(shape, |i| 0.5 + 0.25 * i as f64));
            ln.bias = Some(Tensor::from_fn(shape, |i| 0.1 * i as f64 - 0.2));
            assert_eq!(ln.weight.as_ref().unwrap().len(), n);
        } else {
            ln = ln.without_affine();
        }
        ln
    };
    let close = |got: &[f64], want: &[f64], what: &str| {
        assert_eq!(got.len(), want.len(), "{what}");
        for (k, (a, b)) in got.iter().zip(want).enumerate() {
            assert!((a - b).abs() <= 1e-13 * b.abs().max(1.0), "{what}[{k}]: {a} vs torch {b}");
        }
    };
    for (name, want) in TORCH_LAYER_NORM {
        let ln = layer(name);
        let tape = Tape::<f64>::new();
        let p = ln.bind(&tape);
        let xv = tape.var(&x);
        let y = ln.forward(&p, xv).unwrap();
        close(y.value().data(), want[0], &format!("{name} y"));
        let g = (y * tape.constant(&c)).sum().backward();
        close(g.wrt(xv).data(), want[1], &format!("{name} ∂x"));
        for (k, v) in p.vars().iter().enumerate() {
            close(g.wrt(*v).data(), want[2 + k], &format!("{name} ∂param{k}"));
        }
        let c2 = c.clone();
        let report = gradcheck(
            move |v| {
                let p = ln.bind(v[0].tape());
                (ln.forward(&p, v[0]).unwrap() * v[0].tape().constant(&c2)).sum()
            },
            std::slice::from_ref(&x),
            &CheckOptions::default(),
        );
        assert!(report.passed(), "{name}:\n{report}");
    }
    // An input that does not end with the normalized shape, and parameters of another layer.
    let tape = Tape::<f64>::new();
    let ln = LayerNorm::<f64>::new(&[3, 4]);
    let err = ln.forward(&ln.bind(&tape), tape.var(&Tensor::<f64>::zeros(&[2, 4, 3]))).unwrap_err();
    assert_eq!(
        err.to_string(),
        "LayerNorm: input [2, 4, 3] (v2) does not end with the normalized shape [3, 4]"
    );
    let other = LayerNorm::<f64>::new(&[4]);
    let err = ln.forward(&other.bind(&tape), tape.var(&x)).unwrap_err().to_string();
    assert!(err.starts_with("LayerNorm: bound weight [4] ("), "{err}");
}

/// Printed by `scripts/torch_layernorm_reference.py`: y, ∂x, then ∂γ and ∂β with an affine part.
const TORCH_LAYER_NORM: [(&str, &[&[f64]]); 3] = [
    (
        "last_dim",
        &[
            &[
                -0.1706896098371165,
                -1.1112084606194803,
                1.465519508144174,
                -0.11982792622162604,
                0.17590430347266234,
                0.6373507491194531,
                -1.5614486451941358,
                -0.11686786738807442,
                -0.42770390113146056,
                -0.39095498477908847,
                -0.8602147376077398,
                2.22945314947014,
                -0.4886443475063027,
                -0.5329665212594541,
                -0.5772886950126054,
                2.26483260629727,
                -0.9554819613685199,
                0.8271824071340925,
                0.41208106983737447,
                -0.07170044576557266,
                0.39160792422009666,
                -1.2409581395673295,
                0.5070925064743687,
                -0.11128854436432022,
            ],
            &[
                -0.8307631349780217,
                -0.35454696366013494,
                -0.13456369978056917,
                1.3198737984187257,
                -0.07543133563060433,
                0.2483476104578211,
                0.15666508169433213,
                -0.32958135652154885,
                -0.4518335206067191,
                -0.2149762607424664,
                0.5558645322766773,
                0.11094524907250833,
                -4.2326090509557055,
                -0.7688768808800717,
                5.004010069245979,
                -0.0025241374102122904,
                -0.39523524655773823,
                -0.4133767110104898,
                0.04535490514644761,
                0.7632570524217803,
                0.2095982177733966,
                0.11687277255753283,
                -0.185450981611773,
                -0.14102000871915646,
            ],
            &[5.295118542470985, -1.5415403315597582, 0.09392014980658425, -0.02730469911125155],
            &[-3.0, 3.0, -1.0, 0.0],
        ],
    ),
    (
        "last_two",
        &[
            &[
                -0.30724643808241864,
                -0.8869569713345039,
                0.6202902094496642,
                -0.34202923804240093,
                1.9652183997889976,
                2.8463782663622896,
                -2.8115960377113463,
                0.6434783428399924,
                -0.6318847617575107,
                -0.46376878081327216,
                -1.9304363425307651,
                6.533336551707581,
                -0.16723612722435954,
                -0.050854190836539324,
                0.06552774555128091,
                0.32232627954898874,
                -1.0497077187279997,
                0.8078400280224269,
                0.3063889349267417,
                -0.1108121996030111,
                5.818816877834156,
                -5.915962024052539,
                3.692581910763685,
                0.3827988654702475,
            ],
            &[
                -0.566580041092132,
                0.480997497434632,
                -0.9185050082734783,
                0.8370024247059001,
                -0.6893532721640971,
                0.12087516723601138,
                -0.7220678385583341,
                -1.56504828719011,
                -1.0985474519540732,
                0.21705377204862236,
                2.4165473740946055,
                1.4876256637124539,
                0.08045176749950074,
                0.24895168463136585,
                0.5297848798511412,
                -0.45563058531453,
                -0.7982202020321177,
                -0.26154663055714505,
                0.05486772987398099,
                0.509199406018537,
                1.1026308351984069,
                0.7532689987050771,
                -1.0628752685512624,
                -0.7008826153229543,
            ],
            &[
                0.4289857523296744,
                1.1148037073306194,
                0.13105549110256182,
                -0.7093454377123027,
                2.843089224829998,
                2.61995228840123,
                3.2115960377113457,
                -0.3352402410857793,
                2.580280655836667,
                -4.811608744765482,
                -2.8385333880193784,
                3.6258074578292048,
            ],
            &[-2.0, 0.0, 2.0, -1.0, -1.0, 1.0, -2.0, 0.0, 0.0, 2.0, -1.0, 1.0],
        ],
    ),
    (
        "no_affine",
        &[
            &[
                0.05862078032576702,
                -1.3482779474926403,
                1.465519508144174,
                -0.17586234097730086,
                0.7518086069453247,
                0.9831343321592708,
                -1.5614486451941358,
                -0.17349429391045956,
                -0.4554078022629211,
                -0.3879399797054513,
                -0.8602147376077398,
                1.7035625195761122,
                -0.5772886950126054,
                -0.5772886950126054,
                -0.5772886950126054,
                1.731866085037816,
                -1.5109639227370397,
                1.2362432095121234,
                0.41208106983737447,
                -0.13736035661245816,
                1.1832158484401933,
                -1.5212775194231059,
                0.5070925064743687,
                -0.1690308354914562,
            ],
            &[
                -1.4214027108192964,
                -0.13537463358568547,
                0.10636666758390728,
                1.4504106768210745,
                -0.060344721903469845,
                0.24138482934554167,
                0.16091991860165988,
                -0.34196002604373166,
                -0.625119184716148,
                -0.1127091503265363,
                0.6183612526242481,
                0.11946708241843627,
                -4.617570788175907,
                0.0007387719249365432,
                4.619048332025777,
                -0.0022163157748238405,
                -0.48205813333128744,
                -0.5546239911422939,
                0.18141962058579045,
                0.8552625038877909,
                0.24340438332626335,
                0.1313611318723463,
                -0.22408660181500206,
                -0.1506789133836076,
            ],
        ],
    ),
];

/// `SiLU`, `Gelu`, `GeluTanh`, `LeakyReLU` and `ELU` (the tape's `silu`, `gelu`,
/// `gelu_tanh`, `leaky_relu` and `elu`) against torch 2.15's `silu`, `gelu`,
/// `gelu(approximate='tanh')`, `leaky_relu(x, 0.02)` and `elu(x, alpha=1.3)` (at 0 too,
/// where torch's derivatives are the slope and α) (float64; `scripts/torch_activation_reference.py`): values
/// and derivatives at points from −40 to 40, to 4 ulp relative or 1e−15 absolute.
#[test]
fn activations_follow_torch() {
    use wengert_nn::{Gelu, GeluTanh, LeakyReLU, Module, SiLU, ELU};
    const X: [f64; 13] = [-40.0, -8.0, -3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.25, 1.0, 2.5, 6.0, 40.0];
    for (name, want, want_grad) in TORCH_ACTIVATIONS {
        let tape = Tape::<f64>::new();
        let x = tape.var(&Tensor::from(X));
        let y = match name {
            "silu" => SiLU.forward_with(&[], x).unwrap(),
            "gelu" => Gelu.forward_with(&[], x).unwrap(),
            "leaky_relu" => LeakyReLU::new(0.02).forward_with(&[], x).unwrap(),
            "elu" => ELU::new(1.3).forward_with(&[], x).unwrap(),
            _ => GeluTanh.forward_with(&[], x).unwrap(),
        };
        let g = y.sum().backward().wrt(x);
        for (k, ((&a, &b), (&ga, &gb))) in
            y.value().data().iter().zip(&want).zip(g.data().iter().zip(&want_grad)).enumerate()
        {
            assert!(
                (a - b).abs() <= (4.0 * f64::EPSILON * b.abs()).max(1e-15),
                "{name}({}) = {a:e}, torch {b:e}",
                X[k]
            );
            assert!(
                (ga - gb).abs() <= (4.0 * f64::EPSILON * gb.abs()).max(1e-15),
                "{name}'({}) = {ga:e}, torch {gb:e}",
                X[k]
            );
        }
    }
}

/// Printed by `scripts/torch_activation_reference.py`: name, values, derivatives.
const TORCH_ACTIVATIONS: [(&str, [f64; 13], [f64; 13]); 5] = [
    (
        "silu",
        [
            -1.6993417021166355e-16,
            -0.002682801043731825,
            -0.14227761953270035,
            -0.2736382857095345,
            -0.1887703343990727,
            -0.0004997500000208334,
            0.0,
            0.0005002499999791667,
            0.14054412522144952,
            0.7310585786300049,
            2.3103545499468914,
            5.985164261060192,
            40.0,
        ],
        [
            -1.6568581595637197e-16,
            -0.0023465512355853157,
            -0.08810410601516962,
            -0.041294154299142946,
            0.2600388126973482,
            0.4995000000833333,
            0.5,
            0.5004999999166666,
            0.6237100215701977,
            0.9276705118714869,
            1.0994011113415267,
            1.0123264325915249,
            1.0,
        ],
    ),
    (
        "gelu_tanh",
        [
            -0.0,
            -0.0,
            -0.0036373920817729943,
            -0.10042842301976707,
            -0.15428599017485606,
            -0.000499601057786418,
            0.0,
            0.000500398942213582,
            0.149675350701685,
            0.8411919906082768,
            2.484915733910001,
            5.9999999999156035,
            40.0,
        ],
        [
            0.0,
            0.0,
            -0.011584166630969648,
            -0.12771079315143308,
            0.13263009646535764,
            0.499202115706475,
            0.5,
            0.500797884293525,
            0.6953540951510604,
            1.0829640838457826,
            1.037951576212666,
            1.0000000007709977,
            1.0,
        ],
    ),
    (
        "gelu",
        [
            -0.0,
            -4.884981308350689e-15,
            -0.00404969409489031,
            -0.10021080190328704,
            -0.15426876936299344,
            -0.000499601057786089,
            0.0,
            0.000500398942213911,
            0.14967658142073093,
            0.841344746068543,
            2.4844758366855597,
            5.999999994080474,
            40.0,
        ],
        [
            0.0,
            -3.9807546004751306e-14,
            -0.01194564720418392,
            -0.1274691922299796,
            0.13250487534383712,
            0.4992021157051586,
            0.5,
            0.5007978842948414,
            0.695373354883636,
            1.0833154705876864,
            1.037611085908145,
            1.0000000354687093,
            1.0,
        ],
    ),
    (
        "leaky_relu",
        [-0.8, -0.16, -0.06, -0.03, -0.01, -2e-05, 0.0, 0.001, 0.25, 1.0, 2.5, 6.0, 40.0],
        [0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 0.02, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0],
    ),
    (
        "elu",
        [
            -1.3,
            -1.2995638985837268,
            -1.235276811121777,
            -1.0099307918070413,
            -0.5115101423735766,
            -0.001299350216612511,
            0.0,
            0.001,
            0.25,
            1.0,
            2.5,
            6.0,
            40.0,
        ],
        [
            5.522860531879066e-18,
            0.0004361014162732654,
            0.06472318887822313,
            0.2900692081929588,
            0.7884898576264234,
            1.2987006497833875,
            1.3,
            1.0,
            1.0,
            1.0,
            1.0,
            1.0,
            1.0,
        ],
    ),
];
