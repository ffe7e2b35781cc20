//! PyTorch's Poisson and Gaussian NLL, margin ranking, hinge embedding, soft margin,
//! cosine embedding, triplet margin and multi-label soft margin losses.
//!
//! * Values and gradients (of Σ loss·cot with respect to every input PyTorch
//!   differentiates) against PyTorch 2.15 in f64, from `scripts/torch_loss_more_reference.py`
//!   (the `CASES` table below is its output): every reduction, varied hyperparameters,
//!   PyTorch's broadcast of `var`, points exactly at hinge kinks (PyTorch's subgradient).
//! * Gradients against central finite differences (`gradcheck`) on random inputs away from
//!   kinks.
//! * Operands of different shapes are `ShapeMismatch` errors (as for the other losses), bad
//!   hyperparameters and other shapes `InvalidArgument` errors, naming the loss.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wengert_nn::loss::{
    cosine_embedding_loss, gaussian_nll_loss, hinge_embedding_loss, margin_ranking_loss,
    multilabel_soft_margin_loss, poisson_nll_loss, soft_margin_loss, triplet_margin_loss, Reduction,
};
use wengert_tape::gradcheck::{gradcheck, CheckOptions};
use wengert_tape::{Error, Result, Tape, Tensor, Var};

/// One PyTorch reference: inputs (shape, data, requires grad), the loss, the cotangent and
/// the gradients of Σ loss·cot with respect to the inputs that require grad, in order.
struct Case {
    name: &'static str,
    inputs: &'static [(&'static [usize], &'static [f64], bool)],
    out: (&'static [usize], &'static [f64]),
    cot: &'static [f64],
    grads: &'static [&'static [f64]],
}

use Reduction::{Mean, None as Nothing, Sum};

/// The loss of case `name` (its hyperparameters as in the script).
fn loss_of<'t>(name: &str, v: &[Var<'t, f64>]) -> Result<Var<'t, f64>> {
    match name {
        "poisson_log_mean" => poisson_nll_loss(v[0], v[1], true, false, 1e-8, Mean),
        "poisson_rate_full_sum" => poisson_nll_loss(v[0], v[1], false, true, 1e-8, Sum),
        "poisson_log_full_none_eps" => poisson_nll_loss(v[0], v[1], true, true, 0.5, Nothing),
        "poisson_rate_none_eps" => poisson_nll_loss(v[0], v[1], false, false, 0.25, Nothing),
        "gaussian_same_mean" => gaussian_nll_loss(v[0], v[1], v[2], false, 1e-6, Mean),
        "gaussian_row_full_sum" => gaussian_nll_loss(v[0], v[1], v[2], true, 1e-3, Sum),
        "gaussian_col1_none" => gaussian_nll_loss(v[0], v[1], v[2], false, 1e-6, Nothing),
        "gaussian_row1_mean" => gaussian_nll_loss(v[0], v[1], v[2], true, 1e-6, Mean),
        "ranking_m0_mean" => margin_ranking_loss(v[0], v[1], v[2], 0.0, Mean),
        "ranking_m05_none" => margin_ranking_loss(v[0], v[1], v[2], 0.5, Nothing),
        "ranking_m2_sum" => margin_ranking_loss(v[0], v[1], v[2], 2.0, Sum),
        "hinge_m1_mean" => hinge_embedding_loss(v[0], v[1], 1.0, Mean),
        "hinge_m25_sum" => hinge_embedding_loss(v[0], v[1], 2.5, Sum),
        "hinge_m05_none" => hinge_embedding_loss(v[0], v[1], 0.5, Nothing),
        "soft_mean" => soft_margin_loss(v[0], v[1], Mean),
        "soft_none" => soft_margin_loss(v[0], v[1], Nothing),
        "soft_sum" => soft_margin_loss(v[0], v[1], Sum),
        "cosine_m0_mean" => cosine_embedding_loss(v[0], v[1], v[2], 0.0, Mean),
        "cosine_m03_sum" => cosine_embedding_loss(v[0], v[1], v[2], 0.3, Sum),
        "cosine_mneg_none" => cosine_embedding_loss(v[0], v[1], v[2], -0.2, Nothing),
        "triplet_default_mean" => triplet_margin_loss(v[0], v[1], v[2], 1.0, 2.0, 1e-6, false, Mean),
        "triplet_p1_swap_sum" => triplet_margin_loss(v[0], v[1], v[2], 2.0, 1.0, 1e-6, true, Sum),
        "triplet_p3_none" => triplet_margin_loss(v[0], v[1], v[2], 0.5, 3.0, 1e-3, false, Nothing),
        "triplet_1d_swap" => triplet_margin_loss(v[0], v[1], v[2], 1.5, 2.0, 1e-6, true, Mean),
        "multilabel_mean" => multilabel_soft_margin_loss(v[0], v[1], Mean),
        "multilabel_none" => multilabel_soft_margin_loss(v[0], v[1], Nothing),
        "multilabel_sum" => multilabel_soft_margin_loss(v[0], v[1], Sum),
        _ => panic!("no case {name}"),
    }
}

/// Relative agreement within `tol`, returning the worst relative error.
fn close(got: &[f64], want: &[f64], tol: f64, what: &str) -> f64 {
    assert_eq!(got.len(), want.len(), "{what}: length");
    let mut worst = 0.0f64;
    for (k, (a, b)) in got.iter().zip(want).enumerate() {
        if b.is_nan() {
            // PyTorch's NaN (∂/∂target of the full Poisson loss at target 0, from
            // 0·ln 0 under its masked_fill): the tape's is finite.
            assert!(a.is_finite(), "{what}[{k}]: {a} where torch has NaN");
            continue;
        }
        let err = (a - b).abs() / b.abs().max(1e-300);
        let ok = (a - b).abs() <= tol * b.abs()
            || (a - b).abs() <= 4.0 * f64::EPSILON * b.abs().max(f64::MIN_POSITIVE);
        assert!(ok, "{what}[{k}]: {a:e} vs torch {b:e} (relative {err:e})");
        if *b != 0.0 {
            worst = worst.max(err);
        }
    }
    worst
}

#[test]
fn matches_torch() {
    let mut worst = 0.0f64;
    for case in CASES {
        let tape = Tape::<f64>::new();
        let vars: Vec<Var<'_, f64>> = case
            .inputs
            .iter()
            .map(|(s, d, grad)| {
                let t = Tensor::new(s, d.to_vec()).unwrap();
                if *grad {
                    tape.var(&t)
                } else {
                    tape.constant(&t)
                }
            })
            .collect();
        let l = loss_of(case.name, &vars).unwrap();
        assert_eq!(&l.shape()[..], case.out.0, "{} shape", case.name);
        worst = worst.max(close(l.value().data(), case.out.1, 1e-13, &format!("{} value", case.name)));
        let cot = tape.constant(&Tensor::new(case.out.0, case.cot.to_vec()).unwrap());
        let g = (l * cot).sum().backward();
        let wrt: Vec<_> = vars.iter().zip(case.inputs).filter(|(_, i)| i.2).map(|(v, _)| *v).collect();
        assert_eq!(wrt.len(), case.grads.len(), "{}", case.name);
        for (k, (v, want)) in wrt.iter().zip(case.grads).enumerate() {
            worst = worst.max(close(g.wrt(*v).data(), want, 1e-13, &format!("{} ∂input{k}", case.name)));
        }
    }
    eprintln!("worst relative error against torch: {worst:e}");
}

fn random(rng: &mut StdRng, shape: &[usize], lo: f64, hi: f64) -> Tensor<f64> {
    let n = shape.iter().product();
    Tensor::new(shape, (0..n).map(|_| rng.random_range(lo..hi)).collect()).unwrap()
}

fn signs(rng: &mut StdRng, shape: &[usize]) -> Tensor<f64> {
    let n = shape.iter().product();
    Tensor::new(shape, (0..n).map(|_| if rng.random_bool(0.5) { 1.0 } else { -1.0 }).collect()).unwrap()
}

/// Central finite differences (the tape's `gradcheck`) on random inputs; the labels and
/// targets are constants captured by the closures. Margins are chosen so that no hinge
/// sits near its kink (checked: every margin term is at least 0.05 away from 0).
#[test]
fn gradcheck_random() {
    let opts = CheckOptions::default();
    for seed in 0..4u64 {
        let mut rng = StdRng::seed_from_u64(seed);
        let check = |name: &str, report: wengert_tape::gradcheck::CheckReport| {
            assert!(report.passed(), "{name} (seed {seed}):\n{report}");
        };
        // Poisson: both parameterisations, full, w.r.t. input and target.
        let x = random(&mut rng, &[3, 4], 0.2, 2.0);
        let t = random(&mut rng, &[3, 4], 0.0, 5.0);
        for (log_input, full) in [(true, false), (false, true), (true, true)] {
            let r = gradcheck(
                |v| poisson_nll_loss(v[0], v[1], log_input, full, 1e-8, Mean).unwrap(),
                &[x.clone(), t.clone()],
                &opts,
            );
            check("poisson_nll_loss", r);
        }
        // Gaussian: var of the input's shape and one per row (away from the eps clamp).
        let (x, t) = (random(&mut rng, &[3, 4], -2.0, 2.0), random(&mut rng, &[3, 4], -2.0, 2.0));
        let v = random(&mut rng, &[3, 4], 0.3, 2.0);
        let r = gradcheck(
            |v| gaussian_nll_loss(v[0], v[1], v[2], true, 1e-6, Sum).unwrap(),
            &[x.clone(), t.clone(), v],
            &opts,
        );
        check("gaussian_nll_loss", r);
        let v = random(&mut rng, &[3], 0.3, 2.0);
        let r =
            gradcheck(|v| gaussian_nll_loss(v[0], v[1], v[2], false, 1e-6, Mean).unwrap(), &[x, t, v], &opts);
        check("gaussian_nll_loss (row var)", r);
        // Soft margin and multi-label soft margin.
        let x = random(&mut rng, &[3, 4], -3.0, 3.0);
        let y = signs(&mut rng, &[3, 4]);
        let r = gradcheck(
            |v| soft_margin_loss(v[0], v[0].tape().constant(&y), Mean).unwrap(),
            std::slice::from_ref(&x),
            &opts,
        );
        check("soft_margin_loss", r);
        let y01 = random(&mut rng, &[3, 4], 0.0, 1.0);
        let r = gradcheck(
            |v| multilabel_soft_margin_loss(v[0], v[0].tape().constant(&y01), Mean).unwrap(),
            std::slice::from_ref(&x),
            &opts,
        );
        check("multilabel_soft_margin_loss", r);
        // Margin ranking and hinge embedding, inputs kept ≥ 0.05 from the kinks.
        let a = random(&mut rng, &[8], -1.0, 1.0);
        let mut b = random(&mut rng, &[8], -1.0, 1.0);
        let y = signs(&mut rng, &[8]);
        let margin = 0.3;
        for i in 0..8 {
            let z = -y.data()[i] * (a.data()[i] - b.data()[i]) + margin;
            if z.abs() < 0.05 {
                b = {
                    let mut d = b.data().to_vec();
                    d[i] += 0.2 * y.data()[i];
                    Tensor::new(&[8], d).unwrap()
                };
            }
        }
        let r = gradcheck(
            |v| margin_ranking_loss(v[0], v[1], v[0].tape().constant(&y), margin, Sum).unwrap(),
            &[a.clone(), b],
            &opts,
        );
        check("margin_ranking_loss", r);
        let xh = Tensor::new(
            &[8],
            a.data().iter().map(|&v| if (v - 0.5).abs() < 0.05 { v + 0.2 } else { v }).collect(),
        )
        .unwrap();
        let r = gradcheck(
            |v| hinge_embedding_loss(v[0], v[0].tape().constant(&y), 0.5, Mean).unwrap(),
            std::slice::from_ref(&xh),
            &opts,
        );
        check("hinge_embedding_loss", r);
        // Cosine embedding: margin −1 keeps the y = −1 hinge active (cos > −1).
        let (x1, x2) = (random(&mut rng, &[4, 3], -1.0, 1.0), random(&mut rng, &[4, 3], -1.0, 1.0));
        let yc = signs(&mut rng, &[4]);
        let r = gradcheck(
            |v| cosine_embedding_loss(v[0], v[1], v[0].tape().constant(&yc), -1.0, Mean).unwrap(),
            &[x1, x2],
            &opts,
        );
        check("cosine_embedding_loss", r);
        // Triplet: a large margin keeps every hinge active; p = 2, 1 (no zero differences
        // with random inputs), 3 and 1.5 with swap, and 0.5 (through the zero-entry select).
        let (a, p, n) = (
            random(&mut rng, &[3, 4], -1.0, 1.0),
            random(&mut rng, &[3, 4], -1.0, 1.0),
            random(&mut rng, &[3, 4], -1.0, 1.0),
        );
        for (pn, swap) in [(2.0, false), (1.0, true), (3.0, true), (1.5, true), (0.5, false)] {
            let r = gradcheck(
                |v| triplet_margin_loss(v[0], v[1], v[2], 20.0, pn, 1e-6, swap, Mean).unwrap(),
                &[a.clone(), p.clone(), n.clone()],
                &opts,
            );
            check("triplet_margin_loss", r);
        }
    }
}

/// The message of an `InvalidArgument`, or the text of a `ShapeMismatch` (operands that
/// must have one shape, as for the other losses), from loss `op`.
fn invalid_msg(r: Result<Var<'_, f64>>, op: &str) -> String {
    match r {
        Err(Error::InvalidArgument { op: o, msg }) => {
            assert_eq!(o, op, "{msg}");
            msg
        }
        Err(e @ Error::ShapeMismatch { op: o, .. }) => {
            assert_eq!(o, op, "{e}");
            e.to_string()
        }
        Err(e) => panic!("{op}: expected InvalidArgument or ShapeMismatch, got {e}"),
        Ok(_) => panic!("{op}: expected an error"),
    }
}

#[test]
fn errors() {
    let tape = Tape::<f64>::new();
    let z = |s: &[usize]| tape.var(&Tensor::<f64>::ones(s));
    let (x, t) = (z(&[2, 3]), z(&[2, 3]));
    let m = invalid_msg(poisson_nll_loss(x, z(&[3, 2]), true, false, 1e-8, Mean), "poisson_nll_loss");
    assert!(m.contains("[2, 3]") && m.contains("[3, 2]"), "{m}");
    let m = invalid_msg(poisson_nll_loss(x, t, false, false, -1e-8, Mean), "poisson_nll_loss");
    assert!(m.contains("eps") && m.contains("-0.00000001"), "{m}");
    invalid_msg(poisson_nll_loss(x, t, false, false, f64::NAN, Mean), "poisson_nll_loss");

    invalid_msg(gaussian_nll_loss(x, z(&[2]), t, false, 1e-6, Mean), "gaussian_nll_loss");
    let m = invalid_msg(gaussian_nll_loss(x, t, z(&[3]), false, 1e-6, Mean), "gaussian_nll_loss");
    assert!(m.contains("var [3]") && m.contains("[2, 3]"), "{m}");
    invalid_msg(gaussian_nll_loss(x, t, z(&[2, 2]), false, 1e-6, Mean), "gaussian_nll_loss");
    invalid_msg(gaussian_nll_loss(x, t, z(&[1, 1]), false, 1e-6, Mean), "gaussian_nll_loss");
    invalid_msg(gaussian_nll_loss(x, t, z(&[2, 3]), false, 0.0, Mean), "gaussian_nll_loss");
    invalid_msg(gaussian_nll_loss(x, t, z(&[2, 3]), false, -1.0, Mean), "gaussian_nll_loss");
    let neg = tape.var(&Tensor::from([1.0, -0.5]));
    let m = invalid_msg(gaussian_nll_loss(x, t, neg, false, 1e-6, Mean), "gaussian_nll_loss");
    assert!(m.contains("-0.5"), "{m}");
    // The shapes PyTorch accepts.
    for s in [&[2, 3][..], &[2], &[2, 1], &[1, 3]] {
        gaussian_nll_loss(x, t, z(s), false, 1e-6, Mean).unwrap();
    }

    invalid_msg(margin_ranking_loss(x, z(&[3]), t, 0.0, Mean), "margin_ranking_loss");
    invalid_msg(margin_ranking_loss(x, t, z(&[2]), 0.0, Mean), "margin_ranking_loss");
    invalid_msg(margin_ranking_loss(x, t, t, f64::INFINITY, Mean), "margin_ranking_loss");
    invalid_msg(hinge_embedding_loss(x, z(&[6]), 1.0, Mean), "hinge_embedding_loss");
    invalid_msg(hinge_embedding_loss(x, t, f64::NAN, Mean), "hinge_embedding_loss");
    invalid_msg(soft_margin_loss(x, z(&[2, 3, 1]), Mean), "soft_margin_loss");

    invalid_msg(cosine_embedding_loss(x, z(&[2, 4]), z(&[2]), 0.0, Mean), "cosine_embedding_loss");
    let m = invalid_msg(cosine_embedding_loss(x, t, z(&[3]), 0.0, Mean), "cosine_embedding_loss");
    assert!(m.contains("[2, 3]") && m.contains("[3]"), "{m}");
    invalid_msg(cosine_embedding_loss(z(&[3]), z(&[3]), z(&[3]), 0.0, Mean), "cosine_embedding_loss");
    invalid_msg(cosine_embedding_loss(x, t, z(&[2]), f64::NAN, Mean), "cosine_embedding_loss");

    invalid_msg(triplet_margin_loss(x, t, z(&[2, 4]), 1.0, 2.0, 1e-6, false, Mean), "triplet_margin_loss");
    let m = invalid_msg(triplet_margin_loss(x, t, t, 1.0, 0.0, 1e-6, false, Mean), "triplet_margin_loss");
    assert!(m.starts_with("p must be positive"), "{m}");
    invalid_msg(triplet_margin_loss(x, t, t, 1.0, -2.0, 1e-6, false, Mean), "triplet_margin_loss");
    invalid_msg(triplet_margin_loss(x, t, t, 1.0, f64::INFINITY, 1e-6, false, Mean), "triplet_margin_loss");
    invalid_msg(triplet_margin_loss(x, t, t, 1.0, 2.0, -1e-6, false, Mean), "triplet_margin_loss");
    let s = tape.var(&Tensor::scalar(1.0));
    invalid_msg(triplet_margin_loss(s, s, s, 1.0, 2.0, 1e-6, false, Mean), "triplet_margin_loss");

    invalid_msg(multilabel_soft_margin_loss(x, z(&[2, 2]), Mean), "multilabel_soft_margin_loss");
    invalid_msg(multilabel_soft_margin_loss(z(&[6]), z(&[6]), Mean), "multilabel_soft_margin_loss");
    invalid_msg(multilabel_soft_margin_loss(z(&[2, 0]), z(&[2, 0]), Sum), "multilabel_soft_margin_loss");

    // The mean over no rows is an error, the sum 0.
    let e = z(&[0, 3]);
    let y0 = z(&[0]);
    invalid_msg(cosine_embedding_loss(e, e, y0, 0.0, Mean), "cosine_embedding_loss");
    assert_eq!(cosine_embedding_loss(e, e, y0, 0.0, Sum).unwrap().item(), 0.0);
    invalid_msg(poisson_nll_loss(e, e, true, false, 1e-8, Mean), "poisson_nll_loss");
}

/// The kink subgradients are PyTorch's `clamp_min`'s: 0 at the kink.
#[test]
fn kinks_take_torch_subgradient() {
    let tape = Tape::<f64>::new();
    let a = tape.var(&Tensor::from([0.75]));
    let b = tape.var(&Tensor::from([0.25]));
    let y = tape.constant(&Tensor::from([1.0]));
    let l = margin_ranking_loss(a, b, y, 0.5, Sum).unwrap();
    assert_eq!(l.item(), 0.0);
    let g = l.backward();
    assert_eq!((g.wrt(a).data()[0], g.wrt(b).data()[0]), (0.0, 0.0));
    let x = tape.var(&Tensor::from([1.0]));
    let l = hinge_embedding_loss(x, tape.constant(&Tensor::from([-1.0])), 1.0, Sum).unwrap();
    assert_eq!((l.item(), l.backward().wrt(x).data()[0]), (0.0, 0.0));
}

// Generated by scripts/torch_loss_more_reference.py with torch 2.15.0+cu132 (float64).
const CASES: &[Case] = &[
    Case {
        name: "poisson_log_mean",
        inputs: &[
            (
                &[3, 4],
                &[
                    -2.4275563907958655,
                    -1.6501610781614218,
                    0.22533230294781545,
                    -0.47900092593440174,
                    -0.25237929544430654,
                    -0.7240002281226403,
                    -0.11765709882669428,
                    1.9466246079353946,
                    0.8243992390114143,
                    -0.9374740522542703,
                    -1.604383584083019,
                    -1.0356542922035958,
                ],
                true,
            ),
            (&[3, 4], &[0.0, 0.5, 1.0, 3.0, 2.0, 7.0, 1.5, 0.0, 4.0, 1.0, 0.25, 12.0], true),
        ],
        out: (&[], &[2.7325941506279876]),
        cot: &[1.0],
        grads: &[
            &[
                0.007354351937909149,
                -0.02566508532784011,
                0.021061577989479552,
                -0.19838317406941702,
                -0.10192083428476768,
                -0.5429325812357153,
                -0.050916596684439666,
                0.5837502499305287,
                -0.1432908073263724,
                -0.05069868432567844,
                -0.004082214616405257,
                -0.970417163742273,
            ],
            &[
                0.20229636589965544,
                0.13751342318011847,
                -0.018777691912317953,
                0.03991674382786681,
                0.02103160795369221,
                0.06033335234355336,
                0.009804758235557856,
                -0.16221871732794954,
                -0.06869993658428453,
                0.07812283768785586,
                0.13369863200691823,
                0.08630452435029964,
            ],
        ],
    },
    Case {
        name: "poisson_rate_full_sum",
        inputs: &[
            (
                &[3, 4],
                &[
                    0.6270068488968185,
                    0.8492112927916295,
                    1.0125224152931984,
                    0.8450647051660175,
                    0.7981729966051719,
                    0.47716780766796196,
                    1.0714013105308373,
                    0.6593566253698171,
                    0.1859948607697736,
                    0.7990246443062747,
                    0.2852174231129525,
                    0.37735253108889266,
                ],
                true,
            ),
            (&[3, 4], &[0.0, 0.5, 1.0, 3.0, 2.0, 7.0, 1.5, 0.0, 4.0, 1.0, 0.25, 12.0], true),
        ],
        out: (&[], &[67.3460116792971]),
        cot: &[1.0],
        grads: &[
            &[
                1.0,
                0.4112183877483262,
                0.012367553528083275,
                -2.550023975868681,
                -1.505722422894877,
                -13.66989126427416,
                -0.4000356087453849,
                1.0,
                -20.50596940359308,
                -0.25152583792075234,
                0.12347573824144753,
                -30.800501370343678,
            ],
            &[
                f64::NAN,
                0.16344723931270325,
                -0.012444668191010902,
                1.4336210238970102,
                1.1685770853329454,
                2.7572257514410743,
                0.6698310044492187,
                f64::NAN,
                3.1933305432756587,
                0.2243634772385027,
                1.2545034663881158,
                3.5011487226915188,
            ],
        ],
    },
    Case {
        name: "poisson_log_full_none_eps",
        inputs: &[
            (
                &[3, 4],
                &[
                    0.12966759167092726,
                    -0.22058173173360335,
                    0.7400091226506519,
                    -1.058365972774828,
                    -1.2631397834429692,
                    -0.5220913172433613,
                    -1.6324541859844701,
                    0.5796134261868457,
                    1.4688358057803221,
                    0.7397597385123865,
                    -0.08958553640454267,
                    -0.11086525655476613,
                ],
                true,
            ),
            (&[3, 4], &[0.0, 0.5, 1.0, 3.0, 2.0, 7.0, 1.5, 0.0, 4.0, 1.0, 0.25, 12.0], true),
        ],
        out: (
            &[3, 4],
            &[
                1.1384498901952398,
                0.9123429489422842,
                1.355945512418415,
                5.286201853202323,
                3.4608508624768906,
                12.761182387913767,
                2.873999344472192,
                1.7853481284984416,
                1.6260946679949213,
                1.355672263887028,
                0.9367064390858403,
                22.205714078395737,
            ],
        ),
        cot: &[
            0.5,
            0.5909090909090909,
            0.6818181818181819,
            0.7727272727272727,
            0.8636363636363636,
            0.9545454545454546,
            1.0454545454545454,
            1.1363636363636362,
            1.2272727272727273,
            1.3181818181818181,
            1.4090909090909092,
            1.5,
        ],
        grads: &[
            &[
                0.5692249450976199,
                0.17848532181733057,
                0.7472417966380003,
                -2.050028152150395,
                -1.4830667541480953,
                -6.1155068710043174,
                -1.3638484422857655,
                2.028804691475502,
                0.42239626307021805,
                1.44397854861741,
                0.9360732592966292,
                -16.657410983724205,
            ],
            &[
                f64::NAN,
                0.13034375056985653,
                -0.5045516745345354,
                1.7955438080846944,
                1.9054296507297899,
                2.424001399648735,
                2.4790368377635117,
                f64::NAN,
                0.05210822700765205,
                -0.975137837129964,
                0.12623416493367376,
                3.9561578595141498,
            ],
        ],
    },
    Case {
        name: "poisson_rate_none_eps",
        inputs: &[
            (
                &[3, 4],
                &[
                    0.7006114673909892,
                    0.15962040641004804,
                    0.1438536502327924,
                    0.6173047356352583,
                    0.37534650688267956,
                    0.5598303556134707,
                    0.4937247824651535,
                    0.9818082895617615,
                    0.40873475340894594,
                    0.8927801925368454,
                    0.5397422231167204,
                    0.7277782861032638,
                ],
                true,
            ),
            (&[3, 4], &[0.0, 0.5, 1.0, 3.0, 2.0, 7.0, 1.5, 0.0, 4.0, 1.0, 0.25, 12.0], true),
        ],
        out: (
            &[3, 4],
            &[
                0.7006114673909892,
                0.6058825994904478,
                1.0756295350298535,
                1.0443993789420214,
                1.314245250607587,
                2.0363437909683673,
                0.9378511254046364,
                0.9818082895617615,
                2.0784720499075906,
                0.7593161337094524,
                0.5987543947718961,
                0.997446317789533,
            ],
        ),
        cot: &[
            0.5,
            0.5909090909090909,
            0.6818181818181819,
            0.7727272727272727,
            0.8636363636363636,
            0.9545454545454546,
            1.0454545454545454,
            1.1363636363636362,
            1.2272727272727273,
            1.3181818181818181,
            1.4090909090909092,
            1.5,
        ],
        grads: &[
            &[
                0.5,
                -0.13037954811145258,
                -1.0493278451773385,
                -1.900130055192035,
                -1.8984686585586008,
                -7.296340839728492,
                -1.0630967024733717,
                1.1363636363636362,
                -6.225030166549727,
                0.1646950612442475,
                0.9630305150012,
                -16.9090813386083,
            ],
            &[
                0.02532492577802206,
                0.5274007736404724,
                0.63530173963436,
                0.11000922630628744,
                0.40543354842666457,
                0.20134274118475862,
                0.3095426026547911,
                -0.2369127771375291,
                0.5123057614257206,
                -0.175929895727018,
                0.3326140584200812,
                0.033708503960783655,
            ],
        ],
    },
    Case {
        name: "gaussian_same_mean",
        inputs: &[
            (
                &[3, 4],
                &[
                    0.9784430752569758,
                    -2.0931944981423243,
                    0.3149370390649638,
                    0.7946902573347151,
                    -0.5512757289476675,
                    0.5405937847594582,
                    -0.2596779374432439,
                    -0.6770810987315977,
                    -0.48823142759216503,
                    0.0430143297065344,
                    1.3993656974221018,
                    0.8041150800071607,
                ],
                true,
            ),
            (
                &[3, 4],
                &[
                    -0.8470609890074774,
                    2.018971595521447,
                    1.289369003451118,
                    -2.0989859330418676,
                    0.09128405768335668,
                    0.8831640846759056,
                    0.5461706050794833,
                    1.1915617284735909,
                    1.2872684709585651,
                    -0.49370846701362436,
                    -0.77210650910271,
                    0.8732531163769373,
                ],
                true,
            ),
            (
                &[3, 4],
                &[
                    0.545512446074399,
                    1e-07,
                    0.7869855463229863,
                    0.3026259473128621,
                    0.9734768788757584,
                    0.6211572855048174,
                    0.8474772390423779,
                    0.9795404583563557,
                    0.2807328988676472,
                    0.694174369272945,
                    0.9416294870512946,
                    0.0,
                ],
                true,
            ),
        ],
        out: (&[], &[704779.7739000232]),
        cot: &[1.0],
        grads: &[
            &[
                0.27886685222935687,
                -342680.50780531426,
                -0.10318189969084876,
                0.7968242137614386,
                -0.055005568234715786,
                -0.045958609291423785,
                -0.07923993957183934,
                -0.1589727450989896,
                -0.5270430557872846,
                0.06443179366234071,
                0.19217326952776653,
                -5761.5030308147125,
            ],
            &[
                -0.27886685222935687,
                342680.50780531426,
                0.10318189969084876,
                -0.7968242137614386,
                0.055005568234715786,
                0.045958609291423785,
                0.07923993957183934,
                0.1589727450989896,
                0.5270430557872846,
                -0.06443179366234071,
                -0.19217326952776653,
                5761.5030308147125,
            ],
            &[
                -0.3902195466516712,
                -704579540911.5817,
                -0.010934386248850021,
                -3.6718892442591717,
                0.024648231604810816,
                0.054405929336961194,
                0.011491720734463064,
                -0.10909704887312457,
                -1.5182252635640332,
                0.035114607366047046,
                -0.177333858420802,
                -199127836.3778561,
            ],
        ],
    },
    Case {
        name: "gaussian_row_full_sum",
        inputs: &[
            (
                &[3, 4],
                &[
                    0.5026064239427743,
                    0.7207608324004814,
                    0.31996697183855555,
                    -0.6370868423761283,
                    -0.2092304386296578,
                    0.7805653240327722,
                    -1.1935143346587376,
                    -0.21995216129784625,
                    -1.7836319626850399,
                    -1.1365172521743292,
                    1.4456827248211492,
                    0.882752131840879,
                ],
                true,
            ),
            (
                &[3, 4],
                &[
                    -0.6920489328128336,
                    0.8975860951824719,
                    -1.1369609726839498,
                    -0.10674063558848906,
                    0.9149374962694866,
                    -1.1991472122501732,
                    0.12109174478615697,
                    -1.6103482976954586,
                    -0.10657734593448027,
                    1.070601580675279,
                    -1.9457190530179702,
                    0.07937026355809998,
                ],
                true,
            ),
            (&[3], &[0.5, 0.0001, 2.0], true),
        ],
        out: (&[], &[4428.234771310856]),
        cot: &[1.0],
        grads: &[
            &[
                2.389310713511216,
                -0.353650525563981,
                2.913855889045011,
                -1.0606924135752784,
                -1124.1679348991445,
                1979.7125362829454,
                -1314.6060794448947,
                1390.3961363976123,
                -0.8385273083752798,
                -1.1035594164248042,
                1.6957008889195597,
                0.4016909341413895,
            ],
            &[
                -2.389310713511216,
                0.353650525563981,
                -2.913855889045011,
                1.0606924135752784,
                1124.1679348991445,
                -1979.7125362829454,
                1314.6060794448947,
                -1390.3961363976123,
                0.8385273083752798,
                1.1035594164248042,
                -1.6957008889195597,
                -0.4016909341413895,
            ],
            &[-3.7247494591347987, -4420202.916197072, -1.4788642718624567],
        ],
    },
    Case {
        name: "gaussian_col1_none",
        inputs: &[
            (
                &[3, 4],
                &[
                    -0.9076608431721078,
                    1.355297258545731,
                    0.6469863115525301,
                    2.065288560590776,
                    -0.4167968818466914,
                    0.48958762270933937,
                    1.3837055622570131,
                    0.40949543802436184,
                    -1.804896093388544,
                    -1.6740262482537676,
                    -0.5786873728233958,
                    -1.6290158253312883,
                ],
                true,
            ),
            (
                &[3, 4],
                &[
                    0.004320928374117748,
                    1.1316862542465458,
                    -0.4195674495573067,
                    0.26733621359557813,
                    0.1598112461327465,
                    -1.048013202538644,
                    -1.1415522073434634,
                    -0.2933787859837016,
                    1.1097416693140514,
                    0.991963143081253,
                    -0.5904594384312876,
                    0.9479587977908466,
                ],
                true,
            ),
            (&[3, 1], &[0.7151294843449458, 0.6682972569396763, 0.2848270294633884], true),
        ],
        out: (
            &[3, 4],
            &[
                0.41386477256642007,
                -0.13268580848320782,
                0.6276905065068139,
                2.092527128819412,
                0.04723818318163037,
                1.567324749042488,
                4.56951461549476,
                0.16810897820987344,
                14.28482168806675,
                11.848933044219695,
                -0.627693325427177,
                11.029661735287632,
            ],
        ),
        cot: &[
            0.5,
            0.5909090909090909,
            0.6818181818181819,
            0.7727272727272727,
            0.8636363636363636,
            0.9545454545454546,
            1.0454545454545454,
            1.1363636363636362,
            1.2272727272727273,
            1.3181818181818181,
            1.4090909090909092,
            1.5,
        ],
        grads: &[
            &[
                -0.637634016993157,
                0.1847690217789497,
                1.0168728351025258,
                1.9427625961469241,
                -0.7451470759759272,
                2.1961931811105497,
                3.950401092116899,
                1.195157844516139,
                -12.558693754533182,
                -12.338220672891433,
                0.05823854098592239,
                -13.571260922692973,
            ],
            &[
                0.637634016993157,
                -0.1847690217789497,
                -1.0168728351025258,
                -1.9427625961469241,
                0.7451470759759272,
                -2.1961931811105497,
                -3.950401092116899,
                -1.195157844516139,
                12.558693754533182,
                12.338220672891433,
                -0.05823854098592239,
                13.571260922692973,
            ],
            &[-1.8562488443349066, -7.947326501314719, -173.81872747564333],
        ],
    },
    Case {
        name: "gaussian_row1_mean",
        inputs: &[
            (
                &[3, 4],
                &[
                    -1.7127229565208204,
                    -0.598490674433013,
                    -0.49825142401031813,
                    -0.34151569756990796,
                    -1.0224533423271116,
                    0.19064300250050747,
                    -0.5971454245247778,
                    1.0254427535496426,
                    -1.1006803518944188,
                    0.2327103494233249,
                    2.0850918047980103,
                    0.7114090407303951,
                ],
                true,
            ),
            (
                &[3, 4],
                &[
                    -0.20571223786443596,
                    1.8851624167393943,
                    0.855224004903142,
                    0.9102535281459808,
                    -0.10738367509788865,
                    -1.0474895334307013,
                    1.402947272608187,
                    -0.05128408778202235,
                    -0.6647218109457123,
                    0.11180989212073884,
                    -0.9263649077750659,
                    -1.5244208491705487,
                ],
                true,
            ),
            (
                &[1, 4],
                &[0.33841284374832453, 0.8770661154175774, 0.7239665378213458, 1.0379492741587526],
                true,
            ),
        ],
        out: (&[], &[2.6718017543631873]),
        cot: &[1.0],
        grads: &[
            &[
                -0.3710976958312341,
                -0.23598117324654996,
                -0.15579396723989875,
                -0.10050019277438799,
                -0.22533366274699135,
                0.11763960494412337,
                -0.23022388842628738,
                0.0864466491875162,
                -0.10735372218736033,
                0.011487204820074528,
                0.3466385708971604,
                0.17950699724006755,
            ],
            &[
                0.3710976958312341,
                0.23598117324654996,
                0.15579396723989875,
                0.10050019277438799,
                0.22533366274699135,
                -0.11763960494412337,
                0.23022388842628738,
                -0.0864466491875162,
                0.10735372218736033,
                -0.011487204820074528,
                -0.3466385708971604,
                -0.17950699724006755,
            ],
            &[-0.8307101629690818, -0.2754282673852635, -1.011938673404329, -0.17834666640749403],
        ],
    },
    Case {
        name: "ranking_m0_mean",
        inputs: &[
            (
                &[6],
                &[
                    0.75,
                    1.6288793944706912,
                    -0.35400563100299137,
                    -2.719987956571217,
                    -0.4003636782321763,
                    0.5814605086477677,
                ],
                true,
            ),
            (
                &[6],
                &[
                    0.25,
                    1.9166026329553325,
                    0.33378983838282905,
                    -1.407502920478549,
                    1.59542697402664,
                    -0.5701732377019518,
                ],
                true,
            ),
            (&[6], &[1.0, -1.0, -1.0, 1.0, 1.0, 1.0], false),
        ],
        out: (&[], &[0.5513792813919141]),
        cot: &[1.0],
        grads: &[
            &[-0.0, 0.0, 0.0, -0.16666666666666666, -0.16666666666666666, -0.0],
            &[0.0, -0.0, -0.0, 0.16666666666666666, 0.16666666666666666, 0.0],
        ],
    },
    Case {
        name: "ranking_m05_none",
        inputs: &[
            (
                &[6],
                &[
                    0.75,
                    1.6288793944706912,
                    -0.35400563100299137,
                    -2.719987956571217,
                    -0.4003636782321763,
                    0.5814605086477677,
                ],
                true,
            ),
            (
                &[6],
                &[
                    0.25,
                    1.9166026329553325,
                    0.33378983838282905,
                    -1.407502920478549,
                    1.59542697402664,
                    -0.5701732377019518,
                ],
                true,
            ),
            (&[6], &[1.0, -1.0, -1.0, 1.0, 1.0, 1.0], false),
        ],
        out: (&[6], &[0.0, 0.21227676151535868, 0.0, 1.812485036092668, 2.4957906522588162, 0.0]),
        cot: &[0.5, 0.7, 0.9, 1.1, 1.3, 1.5],
        grads: &[&[-0.0, 0.7, 0.0, -1.1, -1.3, -0.0], &[0.0, -0.7, -0.0, 1.1, 1.3, 0.0]],
    },
    Case {
        name: "ranking_m2_sum",
        inputs: &[
            (
                &[2, 3],
                &[
                    -0.2398449325088006,
                    -0.9906910334599384,
                    -0.451437476839026,
                    0.11283159760673177,
                    1.0114800496474694,
                    0.8740607475515002,
                ],
                true,
            ),
            (
                &[2, 3],
                &[
                    -2.1787687799608384,
                    0.2413529264201914,
                    -0.4849673117679412,
                    0.059297043262016236,
                    -0.13436597213133772,
                    -1.3247376696450348,
                ],
                true,
            ),
            (&[2, 3], &[-1.0, 1.0, 1.0, -1.0, -1.0, -1.0], false),
        ],
        out: (&[], &[18.53561696572331]),
        cot: &[1.0],
        grads: &[&[1.0, -1.0, -1.0, 1.0, 1.0, 1.0], &[-1.0, 1.0, 1.0, -1.0, -1.0, -1.0]],
    },
    Case {
        name: "hinge_m1_mean",
        inputs: &[
            (
                &[2, 4],
                &[
                    1.0,
                    -1.835414867508659,
                    2.538780692797322,
                    -0.9691954108686226,
                    -1.648654898672033,
                    -0.6222731185069863,
                    0.20198065807025586,
                    -1.0872126933537847,
                ],
                true,
            ),
            (&[2, 4], &[-1.0, 1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0], false),
        ],
        out: (&[], &[0.2946232630710248]),
        cot: &[1.0],
        grads: &[&[0.0, 0.125, 0.125, -0.125, 0.125, -0.125, -0.125, 0.125]],
    },
    Case {
        name: "hinge_m25_sum",
        inputs: &[
            (
                &[2, 4],
                &[
                    2.0,
                    -3.670829735017318,
                    5.077561385594644,
                    -1.9383908217372452,
                    -3.297309797344066,
                    -1.2445462370139726,
                    0.40396131614051173,
                    -2.1744253867075694,
                ],
                true,
            ),
            (&[2, 4], &[-1.0, 1.0, 1.0, -1.0, 1.0, -1.0, 0.0, 1.0], false),
        ],
        out: (&[], &[7.117933525276909]),
        cot: &[1.0],
        grads: &[&[-1.0, 1.0, 1.0, -1.0, 1.0, -1.0, 0.0, 1.0]],
    },
    Case {
        name: "hinge_m05_none",
        inputs: &[
            (
                &[2, 4],
                &[
                    1.0,
                    -1.835414867508659,
                    2.538780692797322,
                    -0.9691954108686226,
                    -1.648654898672033,
                    -0.6222731185069863,
                    0.20198065807025586,
                    -1.0872126933537847,
                ],
                true,
            ),
            (&[2, 4], &[-1.0, 1.0, 1.0, -1.0, 1.0, -1.0, -1.0, 1.0], false),
        ],
        out: (
            &[2, 4],
            &[
                0.0,
                -1.835414867508659,
                2.538780692797322,
                1.4691954108686227,
                -1.648654898672033,
                1.1222731185069863,
                0.2980193419297441,
                -1.0872126933537847,
            ],
        ),
        cot: &[
            0.5,
            0.6428571428571428,
            0.7857142857142857,
            0.9285714285714286,
            1.0714285714285714,
            1.2142857142857144,
            1.3571428571428572,
            1.5,
        ],
        grads: &[&[
            0.0,
            0.6428571428571428,
            0.7857142857142857,
            -0.9285714285714286,
            1.0714285714285714,
            -1.2142857142857144,
            -1.3571428571428572,
            1.5,
        ]],
    },
    Case {
        name: "soft_mean",
        inputs: &[
            (
                &[3, 3],
                &[
                    -0.21973509250746945,
                    0.009945695927107968,
                    -6.167460823877312,
                    -4.495976157119804,
                    0.586929168777646,
                    -0.7915294011484955,
                    3.840597788843496,
                    -3.0225275754070253,
                    5.244508828782645,
                ],
                true,
            ),
            (&[3, 3], &[-1.0, 1.0, -1.0, 1.0, -1.0, -1.0, -1.0, -1.0, 1.0], false),
        ],
        out: (&[], &[1.2337887670321284]),
        cot: &[1.0],
        grads: &[&[
            0.049476244198892724,
            -0.05527928850153254,
            0.00023246293633021208,
            -0.10988547191351952,
            0.07140669384878605,
            0.03464893018971903,
            0.10877455145256451,
            0.005157607343187951,
            -0.000583190919625094,
        ]],
    },
    Case {
        name: "soft_none",
        inputs: &[
            (
                &[5],
                &[
                    0.01482580413371213,
                    -0.6415618426860674,
                    0.715133580739165,
                    -0.3020278741369726,
                    0.9473223621858085,
                ],
                true,
            ),
            (&[5], &[-1.0, 1.0, 1.0, 1.0, -1.0], false),
        ],
        out: (
            &[5],
            &[
                0.7005875579336961,
                1.064519407791205,
                0.39818988742965705,
                0.8555206441806013,
                1.2750262428131116,
            ],
        ),
        cot: &[0.5, 0.75, 1.0, 1.25, 1.5],
        grads: &[&[
            0.25185319157185604,
            -0.49132982392090796,
            -0.32846550040564954,
            -0.7186727156317976,
            1.0808645471055751,
        ]],
    },
    Case {
        name: "soft_sum",
        inputs: &[
            (
                &[2, 3],
                &[
                    -0.08000899486711066,
                    0.5387037386214013,
                    -1.2301009892196764,
                    0.5156477424768234,
                    1.0667072169793672,
                    -1.4449985897839412,
                ],
                true,
            ),
            (&[2, 3], &[-1.0, -1.0, -1.0, 1.0, -1.0, 1.0], false),
        ],
        out: (&[], &[5.39601489011476]),
        cot: &[1.0],
        grads: &[&[
            0.4800084147221567,
            0.6315108228129472,
            0.22616375074390463,
            -0.3738704989393471,
            0.7439702153652884,
            -0.8092275184533563,
        ]],
    },
    Case {
        name: "cosine_m0_mean",
        inputs: &[
            (
                &[5, 3],
                &[
                    0.2750551692725245,
                    1.1744501335064208,
                    0.5386844066678176,
                    -0.502458330842643,
                    -2.073406496520929,
                    -0.843224155740722,
                    -1.0838536961655938,
                    0.11745270129651127,
                    0.18913327607357192,
                    -1.1407971216437459e-07,
                    -2.609846277761038e-08,
                    2.662539624274876e-08,
                    -0.9858264817302611,
                    -0.5562208386948029,
                    -0.16359069400795417,
                ],
                true,
            ),
            (
                &[5, 3],
                &[
                    0.09801054217763608,
                    0.542621796024637,
                    1.5872941354618078,
                    -0.7500684420855747,
                    -0.9334315851989605,
                    0.3070533035547737,
                    -0.6844126259286973,
                    1.330198141562439,
                    1.8704804606427203,
                    -1.4010384578468735,
                    0.3592877652009102,
                    -1.1330374686689024,
                    -1.4063778973009886,
                    0.16839682578370563,
                    0.374780817782465,
                ],
                true,
            ),
            (&[5], &[-1.0, -1.0, 1.0, -1.0, 1.0], false),
        ],
        out: (&[], &[0.45324607214672613]),
        cot: &[1.0],
        grads: &[
            &[
                -0.012743786507668328,
                -0.04323055268258349,
                0.10075913104758753,
                -0.03907237489318831,
                -0.008774875068063265,
                0.044858917982390806,
                -0.03198230533080818,
                -0.09132373643312905,
                -0.1265664128764777,
                -149959.68119878825,
                39165.63674804094,
                -122797.84978555063,
                0.057079057121567564,
                -0.08260220164164453,
                -0.06311471596830778,
            ],
            &[
                0.020030318331287943,
                0.07950912580699107,
                -0.028417270622754946,
                0.03564189375058113,
                -0.05777424438014714,
                -0.08856587596364705,
                0.07052464227491673,
                0.013042175157026605,
                0.01653012640699196,
                -0.006934061879352279,
                -0.004204308665099001,
                0.007241005636997078,
                0.021371065655739124,
                0.07791730760408064,
                0.04518578940617226,
            ],
        ],
    },
    Case {
        name: "cosine_m03_sum",
        inputs: &[
            (
                &[5, 3],
                &[
                    0.2750551692725245,
                    1.1744501335064208,
                    0.5386844066678176,
                    -0.502458330842643,
                    -2.073406496520929,
                    -0.843224155740722,
                    -1.0838536961655938,
                    0.11745270129651127,
                    0.18913327607357192,
                    -1.1407971216437459e-07,
                    -2.609846277761038e-08,
                    2.662539624274876e-08,
                    -0.9858264817302611,
                    -0.5562208386948029,
                    -0.16359069400795417,
                ],
                true,
            ),
            (
                &[5, 3],
                &[
                    0.09801054217763608,
                    0.542621796024637,
                    1.5872941354618078,
                    -0.7500684420855747,
                    -0.9334315851989605,
                    0.3070533035547737,
                    -0.6844126259286973,
                    1.330198141562439,
                    1.8704804606427203,
                    -1.4010384578468735,
                    0.3592877652009102,
                    -1.1330374686689024,
                    -1.4063778973009886,
                    0.16839682578370563,
                    0.374780817782465,
                ],
                true,
            ),
            (&[5], &[1.0, 1.0, -1.0, 1.0, -1.0], false),
        ],
        out: (&[], &[2.133769639266369]),
        cot: &[1.0],
        grads: &[
            &[
                0.06371893253834163,
                0.21615276341291734,
                -0.5037956552379377,
                0.1953618744659416,
                0.04387437534031635,
                -0.22429458991195406,
                0.15991152665404085,
                0.4566186821656453,
                0.6328320643823886,
                749798.4059939412,
                -195828.1837402047,
                613989.2489277531,
                -0.28539528560783767,
                0.4130110082082227,
                0.3155735798415389,
            ],
            &[
                -0.10015159165643972,
                -0.3975456290349553,
                0.1420863531137747,
                -0.17820946875290566,
                0.2888712219007358,
                0.4428293798182353,
                -0.35262321137458363,
                -0.06521087578513302,
                -0.0826506320349598,
                0.034670309396761384,
                0.021021543325495006,
                -0.03620502818498539,
                -0.10685532827869554,
                -0.38958653802040316,
                -0.2259289470308613,
            ],
        ],
    },
    Case {
        name: "cosine_mneg_none",
        inputs: &[
            (
                &[4, 6],
                &[
                    -0.051894673117894696,
                    0.5445633748657162,
                    -0.24257041347988312,
                    -0.5055440926890674,
                    0.8874518313253378,
                    -0.8536892807331259,
                    -1.3464360602299998,
                    0.6270668271406723,
                    -1.3271189508193382,
                    -0.39188439770188915,
                    0.7913811837538784,
                    0.6841334160049629,
                    -1.5983696233907454,
                    0.3332951017615063,
                    0.9037140447377702,
                    -0.8420265501497738,
                    0.7901138055159139,
                    0.4809500541577824,
                    0.5265424061988353,
                    -1.2580523171759839,
                    -0.6082415424795377,
                    0.4114652360429379,
                    -1.8913684235288342,
                    -0.6512102057308886,
                ],
                true,
            ),
            (
                &[4, 6],
                &[
                    0.2864832064108631,
                    -0.3491622308415285,
                    -0.1543568950862546,
                    1.8903802644050867,
                    -0.3126169870940596,
                    1.6562364560202627,
                    1.323919333306973,
                    1.61272310751738,
                    -0.6155391639353428,
                    -0.06833217843837718,
                    -0.609349744314207,
                    -0.9754021359445523,
                    1.0799529252477211,
                    -0.2082833701552821,
                    0.5885931096842795,
                    1.3781596599174046,
                    -0.34758053899359254,
                    0.23824941763114105,
                    -0.2551644073832965,
                    0.24765627074543095,
                    -0.03715651582743356,
                    0.24399713730931655,
                    1.7758020956965843,
                    0.960148951889674,
                ],
                true,
            ),
            (&[4], &[1.0, -1.0, -1.0, 1.0], false),
        ],
        out: (&[4], &[1.748283966851429, 0.008395732008984913, 0.0, 1.824537759548278]),
        cot: &[0.5, 0.8333333333333333, 1.1666666666666667, 1.5],
        grads: &[
            &[
                -0.028966777104443606,
                -0.049239734583271785,
                0.06312672658549272,
                -0.1624881412452208,
                -0.1143268668429746,
                -0.0702108829832781,
                0.1550274920883619,
                0.2582589618198742,
                -0.13187508305834725,
                -0.022127119642053918,
                -0.066097468297089,
                -0.12364243908089426,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                -0.02847047589675715,
                0.17197941947287376,
                0.1282033912583217,
                -0.14957790046089253,
                -0.1444799971076297,
                -0.14988992710653856,
            ],
            &[
                -0.00923867780734,
                -0.05272116528426246,
                0.040939494180277064,
                -0.039279440715687064,
                -0.10035983439197844,
                0.0201883432269212,
                -0.1647043856221817,
                0.13544572055232773,
                -0.2129429512880415,
                -0.05989110944802847,
                0.10125420582055636,
                0.07571145476720388,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                0.0,
                -0.07717253331657628,
                0.28941877801606963,
                0.18544958511684068,
                -0.18895511260375733,
                0.027904134546781534,
                -0.09157445041285295,
            ],
        ],
    },
    Case {
        name: "triplet_default_mean",
        inputs: &[
            (
                &[4, 5],
                &[
                    -1.566309666000328,
                    -1.857271335198186,
                    -0.1015944473089442,
                    -0.5371766205852884,
                    -0.13679736554455615,
                    -0.16294447418845226,
                    0.7170943165518469,
                    -0.9449596723571069,
                    0.5596024025867762,
                    2.7626308637427535,
                    1.5408090918623094,
                    -0.2208732242685623,
                    -1.2641435243392292,
                    1.2867573145322755,
                    -0.7827917596671131,
                    1.8979282790399512,
                    -0.2331551650891335,
                    0.5374140404496082,
                    -0.509588283204482,
                    -2.790429091418737,
                ],
                true,
            ),
            (
                &[4, 5],
                &[
                    1.4479833962775228,
                    0.42963254015395874,
                    -0.8133733490440159,
                    1.4716097823642047,
                    -0.4608312499544796,
                    -2.5796736836297067,
                    1.6894519801301342,
                    -0.17451144028142626,
                    0.9137501648323628,
                    0.3024575304441703,
                    0.9170122198389629,
                    1.3517145364497651,
                    -0.6044949241584144,
                    -0.5010500899909444,
                    0.7807036423213833,
                    -0.19932453382367704,
                    -1.7355060405464533,
                    -0.9136864268512989,
                    1.2703659471305013,
                    1.2662055311202873,
                ],
                true,
            ),
            (
                &[4, 5],
                &[
                    0.05881522964883671,
                    -0.6961063672231387,
                    0.6277571489996391,
                    0.2922847852197722,
                    0.598839198273976,
                    -0.8542606420689224,
                    0.4836114905857417,
                    0.1140312596316853,
                    0.06418801026034737,
                    -0.6122674081238016,
                    -0.02172511414440509,
                    -1.318962298391938,
                    1.317546521843273,
                    -0.034792785292625715,
                    -0.26086894003415256,
                    -2.6120885859894027,
                    0.7727916347659576,
                    -0.3622699428833167,
                    1.7321468605976489,
                    -0.3504736896687625,
                ],
                true,
            ),
        ],
        out: (&[], &[1.260585120264619]),
        cot: &[1.0],
        grads: &[
            &[
                -0.003627011035986394,
                -0.010236692364497674,
                0.1169005832941634,
                -0.02885103926248557,
                0.09529526515553441,
                0.11667876583205822,
                -0.08203199283035344,
                0.020313217866860384,
                -0.05802040802782478,
                -0.06440813339669638,
                -0.059078006132064556,
                -0.2096780837207471,
                0.1286364216642941,
                0.055414675595880925,
                -0.09358488448429626,
                -0.09744684613500283,
                0.11418088610355168,
                0.02901992659366024,
                0.013830585598514647,
                -0.08439096286001929,
            ],
            &[
                0.17305131922686948,
                0.1312917100754818,
                -0.04086347588406705,
                0.1153249110709582,
                -0.018602929996202396,
                -0.1640884106294996,
                0.06601997147561314,
                0.05231095357326797,
                0.02404545576475285,
                -0.1670381305473833,
                -0.052162960092258404,
                0.13150218062605687,
                0.055160770798362145,
                -0.1494993533005489,
                0.1307418632751331,
                -0.0984103759246104,
                -0.0704955270210835,
                -0.06809068126420503,
                0.08352153919144184,
                0.19035122851314992,
            ],
            &[
                -0.16942430819088308,
                -0.12105501771098412,
                -0.07603710741009635,
                -0.08647387180847263,
                -0.076692335159332,
                0.047409644797441385,
                0.01601202135474029,
                -0.07262417144012835,
                0.03397495226307193,
                0.2314462639440797,
                0.11124096622432296,
                0.07817590309469022,
                -0.18379719246265624,
                0.09408467770466797,
                -0.037156978790836834,
                0.19585722205961323,
                -0.04368535908246817,
                0.03907075467054479,
                -0.09735212478995649,
                -0.10596026565313063,
            ],
        ],
    },
    Case {
        name: "triplet_p1_swap_sum",
        inputs: &[
            (
                &[4, 5],
                &[
                    -1.566309666000328,
                    -1.857271335198186,
                    -0.1015944473089442,
                    -0.5371766205852884,
                    -0.13679736554455615,
                    -0.16294447418845226,
                    0.7170943165518469,
                    -0.9449596723571069,
                    0.5596024025867762,
                    2.7626308637427535,
                    1.5408090918623094,
                    -0.2208732242685623,
                    -1.2641435243392292,
                    1.2867573145322755,
                    -0.7827917596671131,
                    1.8979282790399512,
                    -0.2331551650891335,
                    0.5374140404496082,
                    -0.509588283204482,
                    -2.790429091418737,
                ],
                true,
            ),
            (
                &[4, 5],
                &[
                    1.4479833962775228,
                    0.42963254015395874,
                    -0.8133733490440159,
                    1.4716097823642047,
                    -0.4608312499544796,
                    -2.5796736836297067,
                    1.6894519801301342,
                    -0.17451144028142626,
                    0.9137501648323628,
                    0.3024575304441703,
                    0.9170122198389629,
                    1.3517145364497651,
                    -0.6044949241584144,
                    -0.5010500899909444,
                    0.7807036423213833,
                    -0.19932453382367704,
                    -1.7355060405464533,
                    -0.9136864268512989,
                    1.2703659471305013,
                    1.2662055311202873,
                ],
                true,
            ),
            (
                &[4, 5],
                &[
                    0.05881522964883671,
                    -0.6961063672231387,
                    0.6277571489996391,
                    0.2922847852197722,
                    0.598839198273976,
                    -0.8542606420689224,
                    0.4836114905857417,
                    0.1140312596316853,
                    0.06418801026034737,
                    -0.6122674081238016,
                    -0.02172511414440509,
                    -1.318962298391938,
                    1.317546521843273,
                    -0.034792785292625715,
                    -0.26086894003415256,
                    -2.6120885859894027,
                    0.7727916347659576,
                    -0.3622699428833167,
                    1.7321468605976489,
                    -0.3504736896687625,
                ],
                true,
            ),
        ],
        out: (&[], &[15.759236773996351]),
        cot: &[1.0],
        grads: &[
            &[
                0.0, 0.0, 2.0, 0.0, 2.0, 1.0, -1.0, -1.0, -1.0, 1.0, 1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0,
                1.0, -1.0, -1.0,
            ],
            &[
                1.0, 1.0, -1.0, 1.0, -1.0, 0.0, 0.0, 2.0, 0.0, -2.0, -2.0, 0.0, 2.0, 0.0, 0.0, -2.0, 0.0,
                0.0, 2.0, 0.0,
            ],
            &[
                -1.0, -1.0, -1.0, -1.0, -1.0, -1.0, 1.0, -1.0, 1.0, 1.0, 1.0, 1.0, -1.0, -1.0, 1.0, 1.0,
                -1.0, -1.0, -1.0, 1.0,
            ],
        ],
    },
    Case {
        name: "triplet_p3_none",
        inputs: &[
            (
                &[4, 5],
                &[
                    -1.566309666000328,
                    -1.857271335198186,
                    -0.1015944473089442,
                    -0.5371766205852884,
                    -0.13679736554455615,
                    -0.16294447418845226,
                    0.7170943165518469,
                    -0.9449596723571069,
                    0.5596024025867762,
                    2.7626308637427535,
                    1.5408090918623094,
                    -0.2208732242685623,
                    -1.2641435243392292,
                    1.2867573145322755,
                    -0.7827917596671131,
                    1.8979282790399512,
                    -0.2331551650891335,
                    0.5374140404496082,
                    -0.509588283204482,
                    -2.790429091418737,
                ],
                true,
            ),
            (
                &[4, 5],
                &[
                    1.4479833962775228,
                    0.42963254015395874,
                    -0.8133733490440159,
                    1.4716097823642047,
                    -0.4608312499544796,
                    -2.5796736836297067,
                    1.6894519801301342,
                    -0.17451144028142626,
                    0.9137501648323628,
                    0.3024575304441703,
                    0.9170122198389629,
                    1.3517145364497651,
                    -0.6044949241584144,
                    -0.5010500899909444,
                    0.7807036423213833,
                    -0.19932453382367704,
                    -1.7355060405464533,
                    -0.9136864268512989,
                    1.2703659471305013,
                    1.2662055311202873,
                ],
                true,
            ),
            (
                &[4, 5],
                &[
                    0.05881522964883671,
                    -0.6961063672231387,
                    0.6277571489996391,
                    0.2922847852197722,
                    0.598839198273976,
                    -0.8542606420689224,
                    0.4836114905857417,
                    0.1140312596316853,
                    0.06418801026034737,
                    -0.6122674081238016,
                    -0.02172511414440509,
                    -1.318962298391938,
                    1.317546521843273,
                    -0.034792785292625715,
                    -0.26086894003415256,
                    -2.6120885859894027,
                    0.7727916347659576,
                    -0.3622699428833167,
                    1.7321468605976489,
                    -0.3504736896687625,
                ],
                true,
            ),
        ],
        out: (&[4], &[2.198349309065464, 0.19940911794730543, 0.0, 0.025734541927620036]),
        cot: &[0.5, 0.8333333333333333, 1.1666666666666667, 1.5],
        grads: &[
            &[
                0.009093184294362566,
                -0.01784006177260239,
                0.09044426626856159,
                -0.06098232081829785,
                0.07640036422761669,
                0.46539149735449276,
                -0.08453106662304467,
                0.02899734940538773,
                -0.028177419081846525,
                -0.29272911495813025,
                0.0,
                -0.0,
                0.0,
                0.0,
                0.0,
                -0.9258323072320286,
                0.23381699466161737,
                0.10961386028432743,
                0.07089998364810676,
                -0.8785384541391721,
            ],
            &[
                0.34471627128002974,
                0.1983786670841629,
                -0.019288067280314326,
                0.15304320698900087,
                -0.004010849038240049,
                -0.49947009103426065,
                0.0806218044639935,
                0.05058863772340946,
                0.010656315980638353,
                -0.5175812965464855,
                -0.0,
                0.0,
                0.0,
                -0.0,
                0.0,
                -0.33371042744438173,
                -0.1713069011276608,
                -0.15982601811961436,
                0.23987428781165152,
                1.2467282291334614,
            ],
            &[
                -0.3538094555743923,
                -0.18053860531156052,
                -0.07115619898824725,
                -0.09206088617070302,
                -0.07238951518937664,
                0.03407859367976791,
                0.003909262159051168,
                -0.07958598712879719,
                0.01752110310120817,
                0.8103104115046158,
                0.0,
                0.0,
                -0.0,
                0.0,
                -0.0,
                1.2595427346764103,
                -0.06251009353395658,
                0.05021215783528694,
                -0.3107742714597583,
                -0.36818977499428934,
            ],
        ],
    },
    Case {
        name: "triplet_1d_swap",
        inputs: &[
            (
                &[6],
                &[
                    -0.8362449423353253,
                    0.122673963661853,
                    1.2873065273452857,
                    -0.016934113267722987,
                    0.5313352880751643,
                    -0.31935433788097706,
                ],
                true,
            ),
            (
                &[6],
                &[
                    -1.639790351216046,
                    -0.18292418286503512,
                    -0.15039838092028995,
                    -0.5745486965939871,
                    0.18406937304447613,
                    0.02419765229332461,
                ],
                true,
            ),
            (
                &[6],
                &[
                    -0.10608695324989774,
                    0.979131470950084,
                    0.4250368431408568,
                    1.0573679787441514,
                    -0.07153997718617854,
                    1.8072720851700954,
                ],
                true,
            ),
        ],
        out: (&[], &[0.4945377715336323]),
        cot: &[1.0],
        grads: &[
            &[
                0.6959977915692994,
                0.46868253791461534,
                0.4809378368627096,
                0.683037026170517,
                -0.02290944335319503,
                0.5619797689367607,
            ],
            &[
                -0.4386556796240431,
                -0.1668264580996697,
                -0.7848431096446524,
                -0.3044021352962682,
                -0.18957287711100135,
                0.18754435514226958,
            ],
            &[
                -0.25734211194525636,
                -0.3018560798149456,
                0.30390527278194285,
                -0.37863489087424884,
                0.21248232046419638,
                -0.7495241240790302,
            ],
        ],
    },
    Case {
        name: "multilabel_mean",
        inputs: &[
            (
                &[3, 5],
                &[
                    -0.9271256119538003,
                    -0.4741411834488326,
                    -0.028888668335145473,
                    3.7457197243011757,
                    2.3989907461162496,
                    2.1285174583777726,
                    -0.5545902306143377,
                    -1.0515370856773227,
                    0.08674471377845587,
                    0.15899063186586035,
                    -4.30505336474036,
                    1.579554272755323,
                    0.22684817473770352,
                    -1.0004117188826733,
                    1.327155073799643,
                ],
                true,
            ),
            (&[3, 5], &[1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0], false),
        ],
        out: (&[], &[1.159629403555004]),
        cot: &[1.0],
        grads: &[&[
            -0.047766118052442214,
            -0.04109089663019277,
            -0.033814777656731174,
            -0.0015382437349735348,
            0.061116687364592095,
            -0.007090387768769881,
            0.02432000650546455,
            -0.049404663504475,
            -0.03188849398206934,
            -0.030689057295703762,
            -0.06577864411177618,
            0.05527609219116371,
            0.037098005874695035,
            0.017924032015046044,
            0.05269131075072442,
        ]],
    },
    Case {
        name: "multilabel_none",
        inputs: &[
            (
                &[3, 5],
                &[
                    -0.9271256119538003,
                    -0.4741411834488326,
                    -0.028888668335145473,
                    3.7457197243011757,
                    2.3989907461162496,
                    2.1285174583777726,
                    -0.5545902306143377,
                    -1.0515370856773227,
                    0.08674471377845587,
                    0.15899063186586035,
                    -4.30505336474036,
                    1.579554272755323,
                    0.22684817473770352,
                    -1.0004117188826733,
                    1.327155073799643,
                ],
                true,
            ),
            (&[3, 5], &[1.0, 1.0, 1.0, 1.0, 0.0, 1.0, 0.0, 1.0, 1.0, 1.0, 1.0, 0.0, 0.0, 0.0, 0.0], true),
        ],
        out: (&[3], &[1.0871049032651368, 0.6369967712205102, 1.754786536179365]),
        cot: &[0.5, 1.0, 1.5],
        grads: &[
            &[
                -0.07164917707866332,
                -0.06163634494528916,
                -0.05072216648509677,
                -0.002307365602460302,
                0.09167503104688815,
                -0.021271163306309643,
                0.07296001951639365,
                -0.148213990513425,
                -0.09566548194620803,
                -0.09206717188711129,
                -0.2960038985029928,
                0.24874241486023668,
                0.16694102643612765,
                0.08065814406770719,
                0.23711089837825988,
            ],
            &[
                0.09271256119538002,
                0.04741411834488325,
                0.002888866833514553,
                -0.3745719724301176,
                -0.239899074611625,
                -0.42570349167555455,
                0.11091804612286751,
                0.21030741713546455,
                -0.017348942755691155,
                -0.031798126373172086,
                1.2915160094221079,
                -0.47386628182659685,
                -0.06805445242131108,
                0.300123515664802,
                -0.3981465221398929,
            ],
        ],
    },
    Case {
        name: "multilabel_sum",
        inputs: &[
            (
                &[2, 4],
                &[
                    0.41381278327694765,
                    0.4257432869960409,
                    0.7731839943098743,
                    -0.03869730845543964,
                    -0.2692157672530377,
                    1.7095623717234947,
                    0.6178541206150332,
                    0.22366930698436488,
                ],
                true,
            ),
            (
                &[2, 4],
                &[
                    0.7471036766460044,
                    0.11548857790887757,
                    0.5400420007539558,
                    0.9198904563116901,
                    0.44054716811770944,
                    0.12567784117062464,
                    0.18470040077476335,
                    0.23245433600043142,
                ],
                false,
            ),
        ],
        out: (&[], &[1.7443880909645162]),
        cot: &[1.0],
        grads: &[&[
            -0.0362754793083452,
            0.12234204249966658,
            0.03604181302027801,
            -0.10739089408641783,
            -0.0018618837415775025,
            0.1802754180127904,
            0.11625748596237656,
            0.08080775799383544,
        ]],
    },
];

/// A zero distance (anchor = positive, eps 0) with p = 3 and p = 1.5: the gradient there
/// is 0, not 0·∞ = NaN, and every value and gradient is torch 2.15's (printed by
/// `torch.nn.functional.triplet_margin_loss(..., margin=10, p, eps=0, reduction='sum')`).
#[test]
fn triplet_at_a_zero_distance_follows_torch() {
    type Want = (f64, f64, [f64; 4], [f64; 4], [f64; 4]);
    #[rustfmt::skip]
    const WANT: [Want; 2] = [
        (3.0, 13.349667144265773,
         [0.2311204247835449, -0.9244816991341795, 0.8610809497309814, 1.554442224081616],
         [-0.0, -0.0, -0.6299605249474365, -0.6299605249474365],
         [-0.2311204247835449, 0.9244816991341795, -0.2311204247835449, -0.9244816991341795]),
        (1.5, 12.228287674283937,
         [0.6392340078652327, -0.9040134034531216, 1.4329345338493322, 1.6977139294372212],
         [-0.0, -0.0, -0.7937005259840997, -0.7937005259840997],
         [-0.6392340078652327, 0.9040134034531216, -0.6392340078652324, -0.9040134034531215]),
    ];
    let inputs = [[1.0, 2.0, 0.5, -1.0], [1.0, 2.0, 0.0, -1.5], [3.0, -2.0, 2.0, 2.0]];
    for (p, loss, ga, gp, gn) in WANT {
        triplet_follows_torch(&inputs, p, loss, [&ga, &gp, &gn]);
    }
}

/// `triplet_margin_loss(a, p, n, margin 10, p, eps 0, no swap, sum)` on three `[r, 2]`
/// inputs (row-major) against torch's loss and gradients, to 1e−13 relative.
fn triplet_follows_torch(inputs: &[impl AsRef<[f64]>; 3], p: f64, loss: f64, want: [&[f64]; 3]) {
    let tape = Tape::<f64>::new();
    let v = inputs.each_ref().map(|x| {
        let x = x.as_ref();
        tape.var(&Tensor::new(&[x.len() / 2, 2], x.to_vec()).unwrap())
    });
    let l = triplet_margin_loss(v[0], v[1], v[2], 10.0, p, 0.0, false, Sum).unwrap();
    let close = |x: f64, w: f64| (x - w).abs() <= 1e-13 * w.abs().max(1.0);
    assert!(close(l.item(), loss), "p = {p}: {} vs {loss}", l.item());
    let g = l.backward();
    for (v, want) in v.into_iter().zip(want) {
        assert_eq!(g[v].len(), want.len());
        for (x, w) in g[v].iter().zip(want) {
            assert!(close(*x, *w), "p = {p}: {:?} vs torch {want:?}", &g[v]);
        }
    }
}

/// p < 1 with eps 0, where an entry of u − v is exactly 0 (the slope of |·|^p there is
/// infinite): the entry gets gradient 0, not ∞·0 = NaN, as PyTorch's norm backward masks
/// it; one row at a zero distance (clamped by the margin), one with a single zero entry.
/// Values and gradients are torch 2.15's (`F.triplet_margin_loss(..., margin=10, p,
/// eps=0, reduction='sum')` in float64).
#[test]
fn triplet_below_p1_at_zero_entries_follows_torch() {
    type Want = (f64, f64, [f64; 6], [f64; 6], [f64; 6]);
    #[rustfmt::skip]
    const WANT: [Want; 2] = [
        (0.5, 11.257359312880716,
         [0.0, 0.0, 4.414213562373096, 3.707106781186548, 0.0, 0.0],
         [-0.0, -0.0, -2.0, -2.0, -0.0, -1.0],
         [-0.0, 0.0, -2.4142135623730954, -1.7071067811865477, 0.0, 1.0]),
        (0.75, 16.21919780589359,
         [1.3893395807731048, -1.1682906730422025, 2.6492606306679782, 2.4282117229370757, 0.0,
          -3.3306690738754696e-16],
         [-0.0, -0.0, -1.2599210498948732, -1.2599210498948732, -0.0, -0.9999999999999999],
         [-1.3893395807731048, 1.1682906730422025, -1.3893395807731048, -1.1682906730422022, 0.0,
          1.0000000000000002]),
    ];
    let inputs =
        [[1.0, 2.0, 0.5, -1.0, 1.0, 3.0], [1.0, 2.0, 0.0, -1.5, 1.0, 1.0], [3.0, -2.0, 2.0, 2.0, 1.0, -1.0]];
    for (p, loss, ga, gp, gn) in WANT {
        triplet_follows_torch(&inputs, p, loss, [&ga, &gp, &gn]);
    }
}
