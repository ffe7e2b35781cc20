//! Losses (values, stability, gradients by finite differences) and optimizer steps against
//! hand-computed `torch.optim` numbers.

use wengert_nn::loss::{bce, bce_with_logits, mse, Reduction};
use wengert_nn::optim::{Adam, Optimizer, Sgd};
use wengert_tape::gradcheck::{gradcheck, CheckOptions};
use wengert_tape::{Error, Float, Tape, Tensor};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn bce_with_logits_is_finite_and_exact_at_plus_minus_1000() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([1000.0, -1000.0, 1000.0, -1000.0]));
    let y = t.constant(&Tensor::from([1.0, 1.0, 0.0, 0.0]));
    let l = bce_with_logits(x, y, Reduction::Sum).unwrap();
    // per element: 0, 1000, 1000, 0 (e^-1000 underflows to 0, as in PyTorch)
    assert_eq!(l.item(), 2000.0);
    let g = l.backward().wrt(x);
    assert_eq!(g.data(), [0.0, -1.0, 1.0, 0.0]); // σ(x) − t
    let per_mean = bce_with_logits(x, y, Reduction::Mean).unwrap();
    assert_eq!(per_mean.item(), 500.0);
}

/// The limits at infinite logits: 0 where σ(x) equals the target, +∞ elsewhere; gradient
/// σ(x) − t. torch 2.15 gives these gradients, and NaN for the value at (+∞, 1), (−∞, 0),
/// (−∞, 1) and (−∞, ½), where its (1 − t)·x − log σ(x) forms 0·∞ or ∞ − ∞.
fn infinite_logits<T: Float>() {
    let inf = T::INFINITY;
    let t = Tape::<T>::new();
    let x = t.var(&Tensor::from([inf, inf, -inf, -inf, inf, -inf]));
    let y = t.constant(&Tensor::from([1.0, 0.0, 0.0, 1.0, 0.5, 0.5].map(T::from_f64)));
    let per = bce_with_logits(x, y, Reduction::None).unwrap();
    assert_eq!(per.value().data(), [T::ZERO, inf, T::ZERO, inf, inf, inf]);
    let g = bce_with_logits(x, y, Reduction::Sum).unwrap().backward().wrt(x);
    assert_eq!(g.data(), [0.0, 1.0, 0.0, -1.0, 0.5, -0.5].map(T::from_f64));
}

#[test]
fn bce_with_logits_at_infinite_logits_is_the_limit() {
    infinite_logits::<f64>();
    infinite_logits::<f32>();
}

#[test]
fn bce_with_logits_keeps_small_losses_and_gradients_of_negative_logits() {
    // x = −40, t = 0: loss softplus(−40) and gradient σ(−40), both 4.248354255291589e-18
    // (torch's gradient; its value is 0, the cancellation −40 − log σ(−40)). Written as
    // (1 − t)·x + softplus(−x), both were 0: −40 + 40 and 1 − σ(40).
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([-40.0]));
    let y = t.constant(&Tensor::from([0.0]));
    let l = bce_with_logits(x, y, Reduction::Sum).unwrap();
    assert!(close(l.item(), 4.248354255291589e-18, 1e-15 * 4.248354255291589e-18), "{}", l.item());
    let g = l.backward().wrt(x).data()[0];
    assert!(close(g, 4.248354255291589e-18, 1e-15 * 4.248354255291589e-18), "{g}");
}

#[test]
fn bce_with_logits_gradient_at_zero_is_sigmoid_minus_target() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([0.0, 0.0]));
    let y = t.constant(&Tensor::from([1.0, 0.0]));
    let l = bce_with_logits(x, y, Reduction::Sum).unwrap();
    assert_eq!(l.item(), 2.0 * 2f64.ln());
    assert_eq!(l.backward().wrt(x).data(), [-0.5, 0.5]);
}

#[test]
fn bce_with_logits_matches_bce_of_sigmoid_and_finite_differences() {
    let xs = Tensor::from([-3.0, -0.7, 0.2, 1.5, 4.0]);
    let ys = Tensor::from([0.0, 1.0, 0.3, 1.0, 0.0]);
    let t = Tape::<f64>::new();
    let x = t.var(&xs);
    let y = t.constant(&ys);
    let a = bce_with_logits(x, y, Reduction::Mean).unwrap().item();
    let b = bce(x.sigmoid(), y, Reduction::Mean).unwrap().item();
    assert!(close(a, b, 1e-14), "{a} vs {b}");
    let ys2 = ys.clone();
    let rep = gradcheck(
        move |v| {
            let y = v[0].tape().constant(&ys2);
            bce_with_logits(v[0], y, Reduction::Mean).unwrap()
        },
        std::slice::from_ref(&xs),
        &CheckOptions::default(),
    );
    assert!(rep.passed(), "{rep}");
}

#[test]
fn bce_clamps_log_at_minus_100_like_torch() {
    let t = Tape::<f64>::new();
    let p = t.var(&Tensor::from([0.0, 1.0, 0.0, 1.0]));
    let y = t.constant(&Tensor::from([1.0, 0.0, 0.0, 1.0]));
    let l = bce(p, y, Reduction::Sum).unwrap();
    // torch.nn.BCELoss(reduction='sum')(p, y) = 100 + 100 + 0 + 0
    assert_eq!(l.item(), 200.0);
    let g = l.backward().wrt(p);
    assert!(g.data().iter().all(|v| v.is_finite()), "{g:?}");
    // at the clamped logs the gradient through them is 0; the unclamped terms give
    // −t/p = −1 at p = 1, t = 1 and (1−t)/(1−p) = 1 at p = 0, t = 0
    assert_eq!(g.data(), [0.0, 0.0, 1.0, -1.0]);
    // the value at p = 1e-50 is below e^-100 ≈ 3.7e-44: clamped too
    let q = t.var(&Tensor::from([1e-50]));
    let one = t.constant(&Tensor::from([1.0]));
    assert_eq!(bce(q, one, Reduction::Mean).unwrap().item(), 100.0);
}

#[test]
fn bce_refuses_probabilities_and_targets_outside_0_1_like_torch() {
    // torch.nn.BCELoss: "all elements of input should be between 0 and 1", and the same for
    // the target; NaN is refused too (its check is 0 <= p <= 1).
    let t = Tape::<f64>::new();
    let y = t.constant(&Tensor::from([[1.0, 0.0], [1.0, 0.5]]));
    for bad in [1.5, -0.1, f64::NAN, f64::INFINITY] {
        let p = t.var(&Tensor::from([[0.2, 0.7], [bad, 1.0]]));
        let n = t.len();
        let err = bce(p, y, Reduction::Mean).unwrap_err();
        assert!(matches!(err, Error::InvalidArgument { op: "bce", .. }), "{err:?}");
        assert_eq!(
            err.to_string(),
            format!(
                "bce: p must lie in [0, 1] (probabilities; bce_with_logits takes logits), got {bad} at \
                 [1, 0] of [2, 2] ({})",
                p.node()
            )
        );
        assert_eq!(t.len(), n, "a refused loss recorded nodes");
        let q = t.var(&Tensor::from([[0.2, 0.7], [0.5, 1.0]]));
        let yb = t.constant(&Tensor::from([[1.0, bad], [1.0, 0.5]]));
        let err = bce(q, yb, Reduction::Sum).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("bce: target must lie in [0, 1], got {bad} at [0, 1] of [2, 2] ({})", yb.node())
        );
    }
    // The bounds themselves (and −0) are probabilities.
    let p = t.var(&Tensor::from([[0.0, 1.0], [-0.0, 0.25]]));
    let yb = t.constant(&Tensor::from([[0.0, 1.0], [-0.0, 1.0]]));
    assert_eq!(bce(p, yb, Reduction::Sum).unwrap().item(), 4f64.ln());
}

#[test]
fn bce_gradient_by_finite_differences() {
    let ps = Tensor::from([0.1, 0.35, 0.5, 0.8, 0.97]);
    let ys = Tensor::from([0.0, 1.0, 0.5, 1.0, 0.0]);
    let rep = gradcheck(
        move |v| {
            let y = v[0].tape().constant(&ys);
            bce(v[0], y, Reduction::Sum).unwrap()
        },
        &[ps],
        &CheckOptions::default(),
    );
    assert!(rep.passed(), "{rep}");
}

#[test]
fn mse_values_and_gradient() {
    let xs = Tensor::from([[1.0, 2.0], [3.0, -1.0]]);
    let ys = Tensor::from([[0.5, 2.0], [1.0, 1.0]]);
    let t = Tape::<f64>::new();
    let x = t.var(&xs);
    let y = t.constant(&ys);
    assert_eq!(mse(x, y, Reduction::Sum).unwrap().item(), 0.25 + 4.0 + 4.0);
    assert_eq!(mse(x, y, Reduction::Mean).unwrap().item(), 8.25 / 4.0);
    let rep = gradcheck(
        move |v| {
            let y = v[0].tape().constant(&ys);
            mse(v[0], y, Reduction::Mean).unwrap()
        },
        &[xs],
        &CheckOptions::default(),
    );
    assert!(rep.passed(), "{rep}");
}

#[test]
fn losses_reject_mismatched_shapes() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::zeros(&[4, 1]));
    let y = t.constant(&Tensor::zeros(&[4]));
    for (name, r) in [
        ("bce", bce(x, y, Reduction::Mean)),
        ("bce_with_logits", bce_with_logits(x, y, Reduction::Mean)),
        ("mse", mse(x, y, Reduction::Mean)),
    ] {
        match r {
            Err(e @ Error::ShapeMismatch { .. }) => {
                let s = e.to_string();
                assert!(s.starts_with(name) && s.contains("[4, 1]") && s.contains("[4]"), "{s}");
            }
            other => panic!("{name}: expected a shape error, got {other:?}"),
        }
    }
}

/// Minimises p² (gradient 2p) from p = 1 and returns the trajectory.
fn run(opt: &mut dyn Optimizer<f64>, steps: usize) -> Vec<f64> {
    let mut p = Tensor::scalar(1.0);
    (0..steps)
        .map(|_| {
            let g = [2.0 * p.item()];
            opt.update(&mut [&mut p], &[&g]).unwrap();
            p.item()
        })
        .collect()
}

fn assert_traj(got: &[f64], want: &[f64]) {
    for (g, w) in got.iter().zip(want) {
        assert!((g - w).abs() < 1e-14, "got {got:?}, want {want:?}");
    }
}

#[test]
fn sgd_steps_match_torch() {
    // torch.optim.SGD([p], lr=.1) on p²: 1 → 0.8 → 0.64
    assert_traj(&run(&mut Sgd::new(0.1), 2), &[0.8, 0.64]);
    // momentum .9: first buffer = g itself: 1 → 0.8 → 0.46
    assert_traj(&run(&mut Sgd::new(0.1).momentum(0.9), 2), &[0.8, 0.46]);
    // nesterov: 1 → 0.62 → 0.2224
    assert_traj(&run(&mut Sgd::new(0.1).momentum(0.9).nesterov(true), 2), &[0.62, 0.2224]);
    // dampening .5 (ignored on the first step): 1 → 0.8 → 0.54
    assert_traj(&run(&mut Sgd::new(0.1).momentum(0.9).dampening(0.5), 2), &[0.8, 0.54]);
    // weight decay .1 adds .1·p to the gradient: 1 → 1 − .1·2.1 = 0.79 → 0.79·0.79
    assert_traj(&run(&mut Sgd::new(0.1).weight_decay(0.1), 2), &[0.79, 0.79 * 0.79]);
}

#[test]
fn adam_steps_match_torch_formulas() {
    // torch.optim.Adam([p], lr=.1) on p² from 1, computed by hand:
    // step 1: g = 2, m = .2, v = .004, m̂ = 2, v̂ = 4, p = 1 − .1·2/(2 + 1e-8)
    let mut opt = Adam::new(0.1);
    let traj = run(&mut opt, 2);
    let p1 = 1.0 - 0.1 * 2.0 / (2.0 + 1e-8);
    assert!((traj[0] - p1).abs() < 1e-15, "{traj:?}");
    let g2 = 2.0 * p1;
    let m2 = 0.2 + 0.1 * (g2 - 0.2);
    let v2 = 0.999 * 0.004 + 0.001 * g2 * g2;
    let p2 = p1 - (0.1 / (1.0 - 0.81)) * m2 / (v2.sqrt() / (1.0f64 - 0.998001).sqrt() + 1e-8);
    assert!((traj[1] - p2).abs() < 1e-15, "{traj:?} vs {p2}");
    assert_eq!(opt.steps(), 2);
    // with weight decay the first step is still ≈ lr in size
    let traj = run(&mut Adam::new(0.1).weight_decay(0.5), 1);
    assert!((traj[0] - 0.9).abs() < 1e-8);
}

#[test]
fn optimizer_rejects_inconsistent_inputs() {
    let mut p = Tensor::from([1.0, 2.0]);
    let mut q = Tensor::scalar(1.0);
    let mut sgd = Sgd::new(0.1).momentum(0.9);
    assert!(matches!(sgd.update(&mut [&mut p], &[&[1.0]]), Err(Error::InvalidArgument { op: "sgd", .. })));
    sgd.update(&mut [&mut p], &[&[1.0, 1.0]]).unwrap();
    // state built for one tensor; two given
    assert!(sgd.update(&mut [&mut p, &mut q], &[&[1.0, 1.0], &[1.0]]).is_err());
    assert!(Sgd::new(0.1).nesterov(true).update(&mut [&mut q], &[&[1.0]]).is_err());

    // State built for a parameter of another length (one optimizer used for two models):
    // an error, not an index panic or a silent reuse of the wrong moments.
    let msg = |r: wengert_tape::Result<()>| r.unwrap_err().to_string();
    let mut r = Tensor::from([1.0, 2.0, 3.0]);
    let e = msg(sgd.update(&mut [&mut r], &[&[1.0; 3]]));
    assert!(e.contains("sgd") && e.contains("parameter 0 of 2 elements, got 3"), "{e}");
    let mut adam = Adam::new(0.1);
    adam.update(&mut [&mut r], &[&[1.0; 3]]).unwrap();
    let before = r.clone();
    let e = msg(adam.update(&mut [&mut q], &[&[1.0]]));
    assert!(e.contains("adam") && e.contains("parameter 0 of 3 elements, got 1"), "{e}");
    assert_eq!(adam.steps(), 1, "a refused step is not counted");
    assert_eq!(r, before);

    // Hyperparameters that would give NaN or diverge by construction are refused by name,
    // as PyTorch's constructors refuse them.
    let adam_bad: [(Adam<f64>, &str); 6] = [
        (Adam::new(f64::NAN), "learning rate"),
        (Adam::new(-0.1), "learning rate"),
        (Adam::new(0.1).betas(1.0, 0.999), "beta1"),
        (Adam::new(0.1).betas(0.9, 1.0), "beta2"),
        (Adam::new(0.1).eps(-1e-8), "eps"),
        (Adam::new(0.1).weight_decay(f64::INFINITY), "weight decay"),
    ];
    for (mut o, what) in adam_bad {
        let mut z = Tensor::from([0.5]);
        let e = msg(o.update(&mut [&mut z], &[&[0.0]]));
        assert!(e.contains(&format!("invalid {what}")), "{e}");
        assert_eq!(z.data(), &[0.5], "{what}: a refused step changed the parameter");
    }
    let sgd_bad: [(Sgd<f64>, &str); 4] = [
        (Sgd::new(f64::INFINITY), "learning rate"),
        (Sgd::new(0.1).momentum(-1.0), "momentum"),
        (Sgd::new(0.1).dampening(f64::NAN), "dampening"),
        (Sgd::new(0.1).weight_decay(-0.1), "weight decay"),
    ];
    for (mut o, what) in sgd_bad {
        let e = msg(o.update(&mut [&mut q], &[&[0.0]]));
        assert!(e.contains(&format!("invalid {what}")), "{e}");
    }
}

/// `BceWithLogits` with `weight` and `pos_weight` (per class, per row, both, one for all)
/// against torch 2.15's `BCEWithLogitsLoss`: the loss and its gradient in the logits, from
/// `scripts/torch_bce_reference.py`, to 1e−14 relative; and the gradient by central
/// differences (gradcheck) in the logits and the targets.
#[test]
fn bce_with_logits_weights_follow_torch() {
    use wengert_nn::loss::BceWithLogits;
    let x = Tensor::from([[-3.0, -0.5, 0.0, 2.5], [40.0, -40.0, 1.0, -1.25], [0.75, 5.0, -7.0, 0.125]]);
    let t = Tensor::from([[1.0, 0.0, 1.0, 0.25], [1.0, 1.0, 0.0, 0.5], [0.0, 1.0, 0.0, 1.0]]);
    let loss = |name: &str| match name {
        "pos_weight_per_class" => {
            BceWithLogits::new().pos_weight(Tensor::from([3.0, 0.5, 1.0, 2.0])).reduction(Reduction::Sum)
        }
        "weight_per_row" => BceWithLogits::new().weight(Tensor::from([[2.0], [0.5], [1.5]])),
        "both" => BceWithLogits::new()
            .weight(Tensor::from([1.0, -1.0, 0.25, 3.0]))
            .pos_weight(Tensor::from([[2.0], [4.0], [0.0]]))
            .reduction(Reduction::Sum),
        "scalar_pos_weight" => BceWithLogits::new().pos_weight(Tensor::from([7.0])),
        _ => unreachable!(),
    };
    for (name, want, want_grad) in TORCH_BCE {
        let tape = Tape::<f64>::new();
        let (xv, tv) = (tape.var(&x), tape.constant(&t));
        let l = loss(name).loss(xv, tv).unwrap();
        assert!(close(l.item(), want, 1e-14), "{name}: {} vs torch {want}", l.item());
        let g = l.backward().wrt(xv);
        for (k, (&a, &b)) in g.data().iter().zip(&want_grad).enumerate() {
            assert!(close(a, b, 1e-14), "{name}: ∂/∂x[{k}] = {a} vs torch {b}");
        }
        // Away from x = 0 (the select's switch) and the saturated ±40, in the logits and the targets.
        let (xs, ts) = (Tensor::from([[-3.0, -0.5, 0.3, 2.5]]), Tensor::from([[1.0, 0.0, 0.7, 0.25]]));
        let one_row = match name {
            "weight_per_row" => BceWithLogits::new().weight(Tensor::from([[2.0]])),
            "both" => BceWithLogits::new()
                .weight(Tensor::from([1.0, -1.0, 0.25, 3.0]))
                .pos_weight(Tensor::from([[2.0]])),
            _ => loss(name),
        };
        let report = gradcheck(
            wengert_tape::func_many(|v| one_row.loss(v[0], v[1]).unwrap()),
            &[xs, ts],
            &CheckOptions::default(),
        );
        assert!(report.passed(), "{name}:\n{report}");
    }
}

/// A weight that does not broadcast to the logits, or that is not finite, is refused with
/// the op, the shapes and the node.
#[test]
fn bce_with_logits_refuses_weights_that_do_not_fit() {
    use wengert_nn::loss::BceWithLogits;
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from([[0.5, -0.5, 1.0], [2.0, 0.0, -1.0]]));
    let t = tape.constant(&Tensor::from([[1.0, 0.0, 1.0], [0.0, 1.0, 0.0]]));
    let err = BceWithLogits::new().pos_weight(Tensor::from([1.0, 2.0])).loss(x, t).unwrap_err().to_string();
    assert_eq!(
        err,
        "bce_with_logits: pos_weight of shape [2] does not broadcast to the logits' shape [2, 3] (v0)"
    );
    let err =
        BceWithLogits::new().weight(Tensor::from([1.0, f64::NAN, 1.0])).loss(x, t).unwrap_err().to_string();
    assert_eq!(err, "bce_with_logits: weight element 1 is NaN, not finite");
}

/// Printed by `scripts/torch_bce_reference.py` (torch 2.15, float64): case, loss, ∂/∂x.
const TORCH_BCE: [(&str, f64, [f64; 12]); 4] = [
    (
        "pos_weight_per_class",
        37.63409191431082,
        [
            -2.8577223804672998,
            0.3775406687981454,
            -0.5,
            0.6551772749734457,
            0.0,
            -0.5,
            0.7310585786300049,
            -0.6659497917620367,
            0.679178699175393,
            -0.003346425462142366,
            0.0009110511944006454,
            -0.9375812532524874,
        ],
    ),
    (
        "weight_per_row",
        3.0083452641839106,
        [
            -0.15876235447040554,
            0.0629234447996909,
            -0.08333333333333333,
            0.11235696999645943,
            0.0,
            -0.041666666666666664,
            0.030460774109583536,
            -0.0115541608822788,
            0.08489733739692412,
            -0.0008366063655355915,
            0.00011388139930008067,
            -0.05859882832828047,
        ],
    ),
    (
        "both",
        -137.2546097824574,
        [
            -1.9051482536448665,
            -0.3775406687981454,
            -0.25,
            1.965531824920337,
            0.0,
            4.0,
            0.18276464465750122,
            -4.329748958810184,
            0.679178699175393,
            -0.0,
            0.00022776279860016135,
            0.0,
        ],
    ),
    (
        "scalar_pos_weight",
        26.75395035141331,
        [
            -0.5556682406464194,
            0.03146172239984545,
            -0.2916666666666667,
            0.046696212495574284,
            0.0,
            -0.5833333333333334,
            0.06092154821916707,
            -0.2174332870582304,
            0.05659822493128275,
            -0.0039041630391660753,
            7.592093286672045e-05,
            -0.27346119886530884,
        ],
    ),
];
