//! Gradient clipping (`wengert_nn::clip`) against torch 2.15's `clip_grad_norm_` and
//! `clip_grad_value_` (`scripts/torch_clip_reference.py`), and its properties on random
//! gradients.

use proptest::prelude::*;
use wengert_nn::clip::{clip_grad_norm, clip_grad_value};
use wengert_nn::optim::{Optimizer, Sgd};
use wengert_nn::{Linear, Module};
use wengert_tape::{Error, Float, Grads, Tape, Tensor, Var};

const GA: [f64; 6] = [0.5, -1.25, 2.0, 3.5, -0.75, 0.125];
const GB: [f64; 3] = [-4.0, 1.5, 0.25];

/// Gradients `ga` (shape [2, 3]) and `gb` (shape [3]) for variables `a` and `b`, exactly:
/// the output is Σ a·ga + Σ b·gb.
fn grads_of<'t, T: Float>(tape: &'t Tape<T>, ga: &[T], gb: &[T]) -> (Var<'t, T>, Var<'t, T>, Grads<T>) {
    let a = tape.var(&Tensor::new(&[2, ga.len() / 2], vec![T::ZERO; ga.len()]).unwrap());
    let b = tape.var(&Tensor::new(&[gb.len()], vec![T::ZERO; gb.len()]).unwrap());
    let ca = tape.constant(&Tensor::new(&[2, ga.len() / 2], ga.to_vec()).unwrap());
    let cb = tape.constant(&Tensor::new(&[gb.len()], gb.to_vec()).unwrap());
    let g = ((a * ca).sum() + (b * cb).sum()).backward();
    let bits = |v: &[T]| v.iter().map(|x| x.to_f64().to_bits()).collect::<Vec<_>>();
    assert_eq!((bits(&g[a]), bits(&g[b])), (bits(ga), bits(gb)));
    (a, b, g)
}

/// max_norm, norm_type, total norm, clipped gradients of a and b.
type NormCase = (f64, f64, f64, [f64; 6], [f64; 3]);

/// Printed by `scripts/torch_clip_reference.py`.
#[rustfmt::skip]
const TORCH_NORM: [NormCase; 6] = [
    (1.0, 2.0, 6.078908207893914, [0.08225159858461333, -0.20562899646153332, 0.3290063943384533, 0.5757611900922933, -0.12337739787691998, 0.02056289964615333], [-0.6580127886769066, 0.24675479575383996, 0.04112579929230666]),
    (1.0, 1.0, 13.875, [0.03603603343884444, -0.0900900835971111, 0.14414413375537777, 0.2522522340719111, -0.05405405015826666, 0.00900900835971111], [-0.28828826751075554, 0.10810810031653333, 0.01801801671942222]),
    (1.0, f64::INFINITY, 4.0, [0.12499996875000781, -0.3124999218750195, 0.49999987500003124, 0.8749997812500546, -0.18749995312501172, 0.031249992187501952], [-0.9999997500000625, 0.37499990625002344, 0.062499984375003904]),
    (2.5, 3.0, 4.942918529317344, [0.2528869815877085, -0.6322174539692713, 1.011547926350834, 1.7702088711139594, -0.37933047238156276, 0.06322174539692713], [-2.023095852701668, 0.7586609447631255, 0.12644349079385425]),
    (100.0, 2.0, 6.078908207893914, [0.5, -1.25, 2.0, 3.5, -0.75, 0.125], [-4.0, 1.5, 0.25]),
    (0.0, 2.0, 6.078908207893914, [0.0, -0.0, 0.0, 0.0, -0.0, 0.0], [-0.0, 0.0, 0.0]),
];

/// Printed by the same script: `clip_grad_value_` with 1.3.
const TORCH_VALUE: ([f64; 6], [f64; 3]) = ([0.5, -1.25, 1.3, 1.3, -0.75, 0.125], [-1.3, 1.3, 0.25]);

#[test]
fn clip_grad_norm_follows_torch() {
    assert!(!TORCH_NORM.is_empty());
    for (max_norm, norm_type, total, want_a, want_b) in TORCH_NORM {
        let tape = Tape::<f64>::new();
        let (a, b, mut g) = grads_of(&tape, &GA, &GB);
        let got = clip_grad_norm(&mut g, &[a, b], max_norm, norm_type).unwrap();
        let close = |x: f64, y: f64| (x - y).abs() <= 4.0 * f64::EPSILON * y.abs();
        assert!(close(got, total), "norm {norm_type}: total {got:e}, torch {total:e}");
        for (x, y) in g[a].iter().zip(&want_a).chain(g[b].iter().zip(&want_b)) {
            assert!(
                close(*x, *y),
                "norm {norm_type}, max {max_norm}: {:?} {:?}, torch {want_a:?} {want_b:?}",
                &g[a],
                &g[b]
            );
        }
    }
}

#[test]
fn clip_grad_value_follows_torch() {
    let tape = Tape::<f64>::new();
    let (a, b, mut g) = grads_of(&tape, &GA, &GB);
    clip_grad_value(&mut g, &[a, b], 1.3).unwrap();
    assert_eq!((&g[a], &g[b]), (&TORCH_VALUE.0[..], &TORCH_VALUE.1[..]));
}

/// A non-finite gradient, a bad norm type or bound, or a variable of another tape is
/// refused, naming it, and nothing is changed.
#[test]
fn bad_input_is_refused_and_nothing_changes() {
    let tape = Tape::<f64>::new();
    let mut gb = GB;
    gb[1] = f64::NAN;
    let (a, b, mut g) = grads_of(&tape, &GA, &gb);
    let before = (g[a].to_vec(), g[b][0]);
    let msg = |e: Error| e.to_string();
    let e = msg(clip_grad_norm(&mut g, &[a, b], 1.0, 2.0).unwrap_err());
    assert!(
        e.contains("clip_grad_norm") && e.contains("parameter 1") && e.contains("NaN at element 1"),
        "{e}"
    );
    assert_eq!((g[a].to_vec(), g[b][0]), before);

    let (a, b, mut g) = grads_of(&tape, &GA, &GB);
    for (max_norm, norm_type, what) in [
        (1.0, 0.0, "norm_type"),
        (1.0, -2.0, "norm_type"),
        (1.0, f64::NAN, "norm_type"),
        (-1.0, 2.0, "max_norm"),
        (f64::NAN, 2.0, "max_norm"),
    ] {
        let e = msg(clip_grad_norm(&mut g, &[a, b], max_norm, norm_type).unwrap_err());
        assert!(e.contains(what), "{e}");
    }
    for v in [-1.0, f64::NAN] {
        let e = msg(clip_grad_value(&mut g, &[a, b], v).unwrap_err());
        assert!(e.contains("clip_value"), "{e}");
    }
    let other = Tape::<f64>::new();
    let x = other.var(&Tensor::from([1.0]));
    let e = msg(clip_grad_norm(&mut g, &[a, x], 1.0, 2.0).unwrap_err());
    assert!(e.contains("parameter 1") && e.contains("another tape"), "{e}");
    let e = msg(clip_grad_value(&mut g, &[x], 1.0).unwrap_err());
    assert!(e.contains("parameter 0"), "{e}");
    assert_eq!((&g[a], &g[b]), (&GA[..], &GB[..]));
}

/// A constant among the parameters is passed over; a variable the output does not reach
/// (gradient zeros) adds nothing to the norm.
#[test]
fn constants_and_unreached_variables() {
    let tape = Tape::<f64>::new();
    let (a, b, _) = grads_of(&tape, &GA, &GB);
    let unused = tape.var(&Tensor::from([5.0, 6.0]));
    let c = tape.constant(&Tensor::from([7.0]));
    let mut g = ((a * 2.0).sum() + b.sum() + c.sum()).backward();
    let want = (6.0 * 4.0 + 3.0f64).sqrt();
    let total = clip_grad_norm(&mut g, &[a, unused, c, b], 1.0, 2.0).unwrap();
    assert!((total - want).abs() < 1e-15, "{total} vs {want}");
    assert_eq!(g[unused], [0.0, 0.0]);
    assert_eq!(g[c], [0.0]);
}

/// An optimizer step after clipping uses the clipped gradients; f32 too.
#[test]
fn the_optimizer_reads_clipped_gradients() {
    let mut lin =
        Linear::<f32>::from_tensors(Tensor::from([[3.0f32]]), Some(Tensor::from([0.0f32]))).unwrap();
    let tape = Tape::new();
    let p = lin.bind(&tape);
    let y = lin.forward(&p, tape.constant(&Tensor::from([[4.0f32]]))).unwrap();
    let mut g = y.square().sum().backward(); // ∂/∂w = 96, ∂/∂b = 24
    let total = clip_grad_norm(&mut g, p.vars(), 1.0, 2.0).unwrap();
    assert!((total - 24.0 * 17f32.sqrt()).abs() < 1e-4);
    let (gw, gb) = (g[p.vars()[0]][0], g[p.vars()[1]][0]);
    Sgd::new(1.0).step(&mut lin, &p, &g).unwrap();
    assert_eq!(lin.weight.data(), [3.0 - gw]);
    assert_eq!(lin.bias.as_ref().unwrap().data(), [-gb]);
    assert!((gw - 4.0 / 17f32.sqrt()).abs() < 1e-6 && (gb - 1.0 / 17f32.sqrt()).abs() < 1e-6);
}

fn norm(xs: &[f64], p: f64) -> f64 {
    if p.is_infinite() {
        xs.iter().fold(0.0, |m, x| m.max(x.abs()))
    } else {
        xs.iter().map(|x| x.abs().powf(p)).sum::<f64>().powf(1.0 / p)
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// After clipping, the gradients point the same way and their total norm is at most
    /// max_norm; when it already was (with the 10⁻⁶ margin), they are unchanged, bit for bit.
    #[test]
    fn clipped_gradients_keep_their_direction(
        ga in proptest::collection::vec(-50.0..50.0f64, 2..=8).prop_map(|mut v| { v.truncate(v.len() / 2 * 2); v }),
        gb in proptest::collection::vec(-50.0..50.0f64, 1..=5),
        max_norm in prop_oneof![0.0..10.0f64, 10.0..1000.0f64],
        norm_type in prop_oneof![Just(1.0), Just(2.0), Just(3.0), Just(f64::INFINITY), 0.5..4.0f64],
    ) {
        let tape = Tape::<f64>::new();
        let (a, b, mut g) = grads_of(&tape, &ga, &gb);
        let all: Vec<f64> = ga.iter().chain(&gb).copied().collect();
        let total = clip_grad_norm(&mut g, &[a, b], max_norm, norm_type).unwrap();
        let want = norm(&all, norm_type);
        prop_assert!((total - want).abs() <= 1e-12 * want.max(1.0), "total {} vs {}", total, want);
        let after: Vec<f64> = g[a].iter().chain(&g[b]).copied().collect();
        if max_norm >= total + 1e-6 {
            prop_assert_eq!(&after, &all);
        } else {
            prop_assert!(norm(&after, norm_type) <= max_norm * (1.0 + 1e-12));
            let coef = max_norm / (total + 1e-6);
            for (x, y) in after.iter().zip(&all) {
                prop_assert!((x - y * coef).abs() <= 1e-15 * y.abs().max(1.0));
            }
        }
    }
}
