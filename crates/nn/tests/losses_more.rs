//! Classification and robust-regression losses: cross_entropy (class indices, label
//! smoothing, class probabilities), nll_loss, kl_div, l1_loss, huber_loss and
//! smooth_l1_loss.
//!
//! * Values against plain-f64 references written here from PyTorch's definitions (not
//!   with tape ops), and against numbers worked out by hand.
//! * Gradients against closed forms (softmax − target, clamp of the residual), exactly at
//!   the Huber kink too, and against central finite differences (`gradcheck`) on random
//!   inputs with proptest, for both reductions and with label smoothing.
//! * Logits of ±1000 (and −∞ in a class that is not the target) give finite losses and
//!   gradients.
//! * Every invalid argument is an error naming the loss, the shapes and the value.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use wengert_nn::loss::{
    cross_entropy, huber_loss, kl_div, l1_loss, nll_loss, smooth_l1_loss, CrossEntropy, NllLoss, Reduction,
};
use wengert_tape::gradcheck::{gradcheck, gradcheck_fn, CheckOptions, CheckReport, Function};
use wengert_tape::{Error, Float, Result, Tape, Tensor, Var};

// ---------------------------------------------------------------------------------------
// Plain-f64 references (PyTorch's definitions, written out)
// ---------------------------------------------------------------------------------------

/// log softmax of one row: x − (m + ln Σ e^(x − m)), m = max.
fn ref_log_softmax(row: &[f64]) -> Vec<f64> {
    let m = row.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
    let lse = m + row.iter().map(|&x| (x - m).exp()).sum::<f64>().ln();
    row.iter().map(|&x| x - lse).collect()
}

/// The smoothed target distribution of row i: (1 − ε)·one_hot(t) + ε/c.
fn ref_smoothed(t: usize, c: usize, eps: f64) -> Vec<f64> {
    (0..c).map(|k| (1.0 - eps) * f64::from(u8::from(k == t)) + eps / c as f64).collect()
}

/// Per-row cross-entropy of `x` ([n, c], row-major) against a target distribution per row.
fn ref_ce_dist(x: &[f64], c: usize, dist: &[Vec<f64>]) -> Vec<f64> {
    x.chunks(c)
        .zip(dist)
        .map(|(row, d)| -ref_log_softmax(row).iter().zip(d).map(|(lp, p)| lp * p).sum::<f64>())
        .collect()
}

fn reduce(per: &[f64], r: Reduction) -> f64 {
    let s: f64 = per.iter().sum();
    match r {
        Reduction::Sum => s,
        Reduction::Mean => s / per.len() as f64,
        Reduction::None => panic!("the reference reduces to a number"),
    }
}

/// d(reduced loss)/dx of cross-entropy: (softmax(xᵢ) − dᵢ)·scale.
fn ref_ce_grad(x: &[f64], c: usize, dist: &[Vec<f64>], r: Reduction) -> Vec<f64> {
    let n = x.len() / c;
    let scale = if r == Reduction::Mean { 1.0 / n as f64 } else { 1.0 };
    x.chunks(c)
        .zip(dist)
        .flat_map(|(row, d)| {
            let lp = ref_log_softmax(row);
            lp.into_iter().zip(d.clone()).map(move |(l, p)| (l.exp() - p) * scale).collect::<Vec<_>>()
        })
        .collect()
}

/// PyTorch's HuberLoss: ½r² if |r| < δ, else δ(|r| − ½δ).
fn ref_huber(r: f64, delta: f64) -> f64 {
    if r.abs() < delta {
        0.5 * r * r
    } else {
        delta * (r.abs() - 0.5 * delta)
    }
}

/// PyTorch's SmoothL1Loss: ½r²/β if |r| < β, else |r| − ½β; |r| when β = 0.
fn ref_smooth_l1(r: f64, beta: f64) -> f64 {
    if beta == 0.0 {
        r.abs()
    } else if r.abs() < beta {
        0.5 * r * r / beta
    } else {
        r.abs() - 0.5 * beta
    }
}

/// Relative closeness, absolute below 1.
fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

fn assert_all_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len());
    for (i, (g, w)) in got.iter().zip(want).enumerate() {
        assert!(close(*g, *w, tol), "element {i}: got {g}, want {w}\n got {got:?}\nwant {want:?}");
    }
}

/// A gradient check that passed with no entry excused as a kink.
fn assert_clean(rep: &CheckReport) {
    assert!(rep.passed(), "{rep}");
    assert!(rep.kinks().is_empty(), "entries straddling a kink:\n{rep}");
}

fn config(cases: u32) -> Config {
    Config { cases, rng_seed: RngSeed::Fixed(0x10_55E5), failure_persistence: None, ..Config::default() }
}

fn reduction_s() -> impl Strategy<Value = Reduction> {
    prop_oneof![Just(Reduction::Sum), Just(Reduction::Mean)]
}

/// n rows of c logits in (−4, 4) and a class index per row.
fn classification_s() -> impl Strategy<Value = (usize, usize, Vec<f64>, Vec<usize>)> {
    (1..=4usize, 1..=5usize)
        .prop_flat_map(|(n, c)| (Just(n), Just(c), vec(-4.0..4.0f64, n * c), vec(0..c, n)))
}

// ---------------------------------------------------------------------------------------
// Values
// ---------------------------------------------------------------------------------------

#[test]
fn cross_entropy_matches_hand_computed_values() {
    let t = Tape::<f64>::new();
    // F.cross_entropy(tensor([[1., 2., 3.]]), tensor([2])) = ln(1 + e^-1 + e^-2)
    let x = t.var(&Tensor::from([[1.0, 2.0, 3.0]]));
    let want = (1.0 + (-1.0f64).exp() + (-2.0f64).exp()).ln();
    assert!((want - 0.4076059644443804).abs() < 1e-15);
    let l = cross_entropy(x, &[2], Reduction::Mean).unwrap();
    assert!(close(l.item(), want, 1e-15), "{}", l.item());
    // With smoothing ε the loss is (1 − ε)·a + (ε/3)·Σₖ(lse − xₖ), a = lse − 3, lse = a + 3:
    // (1 − ε)a + ε(a + 3) − 2ε = a + ε. With ε = 0.1: 0.5076059644443804.
    let ls = CrossEntropy::new().label_smoothing(0.1).classes(x, &[2]).unwrap();
    assert!(close(ls.item(), want + 0.1, 1e-15), "{}", ls.item());
    // Equal logits: ln c for any target, and the mean over rows of different losses.
    let y = t.var(&Tensor::from([[0.0, 0.0, 0.0, 0.0], [0.0, 10.0, 0.0, 0.0]]));
    let l = cross_entropy(y, &[3, 1], Reduction::Sum).unwrap();
    let row2 = (3.0 + 10f64.exp()).ln() - 10.0;
    assert!(close(l.item(), 4f64.ln() + row2, 1e-15), "{}", l.item());
    let l = cross_entropy(y, &[3, 1], Reduction::Mean).unwrap();
    assert!(close(l.item(), (4f64.ln() + row2) / 2.0, 1e-15), "{}", l.item());
}

#[test]
fn nll_loss_picks_the_target_entries() {
    let t = Tape::<f64>::new();
    let lp = t.var(&Tensor::from([[-0.1, -2.0, -3.0], [-1.5, -0.7, -0.2]]));
    assert_eq!(nll_loss(lp, &[0, 2], Reduction::Sum).unwrap().item(), 0.1 + 0.2);
    assert_eq!(nll_loss(lp, &[1, 0], Reduction::Mean).unwrap().item(), (2.0 + 1.5) / 2.0);
    let g = nll_loss(lp, &[1, 0], Reduction::Mean).unwrap().backward().wrt(lp);
    assert_eq!(g.data(), [0.0, -0.5, 0.0, -0.5, 0.0, 0.0]);
    // nll_loss of log_softmax is cross_entropy
    let x = t.var(&Tensor::from([[0.3, -1.2, 2.0], [1.0, 1.0, -4.0]]));
    let a = nll_loss(x.log_softmax(1), &[2, 1], Reduction::Mean).unwrap().item();
    let b = cross_entropy(x, &[2, 1], Reduction::Mean).unwrap().item();
    assert_eq!(a, b);
}

#[test]
fn elementwise_losses_match_torch_definitions() {
    let preds = [-3.0, -1.5, -1.0, -0.4, 0.0, 0.2, 1.0, 1.3, 2.5, 7.0];
    let targets = [0.0, 0.5, 0.0, 0.1, 0.0, -0.3, 0.0, 0.0, 1.0, -1.0];
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from(preds));
    let y = t.constant(&Tensor::from(targets));
    let rs: Vec<f64> = preds.iter().zip(&targets).map(|(p, q)| p - q).collect();
    for r in [Reduction::Sum, Reduction::Mean] {
        let l1: Vec<f64> = rs.iter().map(|r| r.abs()).collect();
        assert!(close(l1_loss(x, y, r).unwrap().item(), reduce(&l1, r), 1e-15));
        for d in [0.25, 1.0, 1.5, 100.0] {
            let h: Vec<f64> = rs.iter().map(|&r| ref_huber(r, d)).collect();
            let got = huber_loss(x, y, d, r).unwrap().item();
            assert!(close(got, reduce(&h, r), 1e-15), "huber δ={d}: {got} vs {}", reduce(&h, r));
        }
        for b in [0.0, 0.25, 1.0, 1.5, 100.0] {
            let s: Vec<f64> = rs.iter().map(|&r| ref_smooth_l1(r, b)).collect();
            let got = smooth_l1_loss(x, y, b, r).unwrap().item();
            assert!(close(got, reduce(&s, r), 1e-15), "smooth_l1 β={b}: {got} vs {}", reduce(&s, r));
        }
    }
    // By hand, δ = 1 (PyTorch's default): 3 → 2.5; 0.5 → 0.125; at the kink 1 → 0.5.
    let z = t.var(&Tensor::from([3.0, 0.5, -1.0]));
    let zero = t.constant(&Tensor::zeros(&[3]));
    assert_eq!(huber_loss(z, zero, 1.0, Reduction::Sum).unwrap().item(), 3.125);
    // smooth_l1 = huber / β; β = 1 equals huber with δ = 1
    let a = smooth_l1_loss(z, zero, 2.0, Reduction::Sum).unwrap().item();
    assert!(close(a, huber_loss(z, zero, 2.0, Reduction::Sum).unwrap().item() / 2.0, 1e-15));
    assert_eq!(smooth_l1_loss(z, zero, 1.0, Reduction::Sum).unwrap().item(), 3.125);
}

#[test]
fn huber_rounds_exactly_like_the_piecewise_formulas() {
    // one element at a time (the sum of one element is that element), compared bit for bit
    let mut rng = StdRng::seed_from_u64(7);
    for _ in 0..2000 {
        let r: f64 = rng.random_range(-6.0..6.0);
        let d: f64 = rng.random_range(0.05..3.0);
        let t = Tape::<f64>::new();
        let x = t.var(&Tensor::from([r]));
        let zero = t.constant(&Tensor::from([0.0]));
        assert_eq!(huber_loss(x, zero, d, Reduction::Sum).unwrap().item(), ref_huber(r, d), "r={r} δ={d}");
        let s = smooth_l1_loss(x, zero, d, Reduction::Sum).unwrap().item();
        assert!(close(s, ref_smooth_l1(r, d), 4e-16), "r={r} β={d}: {s} vs {}", ref_smooth_l1(r, d));
    }
}

// ---------------------------------------------------------------------------------------
// Gradients: closed forms and the kink
// ---------------------------------------------------------------------------------------

#[test]
fn huber_and_smooth_l1_gradients_at_and_around_the_kink_are_torch_values() {
    // residuals exactly at ±δ, just inside, just outside, at 0
    let d = 1.5;
    let rs = [-d, d, -d + 1e-9, d - 1e-9, d + 1e-9, -d - 1e-9, 0.0, 4.0, -0.3];
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from(rs));
    let zero = t.constant(&Tensor::zeros(&[rs.len()]));
    // PyTorch's huber backward: −δ below −δ, δ above δ, r in between; at |r| = δ both give r
    let g = huber_loss(x, zero, d, Reduction::Sum).unwrap().backward().wrt(x);
    let want: Vec<f64> = rs.iter().map(|r| r.clamp(-d, d)).collect();
    assert_eq!(g.data(), want.as_slice());
    let g = huber_loss(x, zero, d, Reduction::Mean).unwrap().backward().wrt(x);
    let want_mean: Vec<f64> = want.iter().map(|w| w / rs.len() as f64).collect();
    assert_all_close(g.data(), &want_mean, 1e-15);
    // smooth L1: clamp(r/β, −1, 1), ±1 at |r| = β
    let g = smooth_l1_loss(x, zero, d, Reduction::Sum).unwrap().backward().wrt(x);
    let want: Vec<f64> = rs.iter().map(|r| (r / d).clamp(-1.0, 1.0)).collect();
    assert_all_close(g.data(), &want, 1e-15);
    assert_eq!(&g.data()[..2], [-1.0, 1.0]);
    // β = 0 and l1: sign(r), 0 at r = 0
    let sign: Vec<f64> = rs.iter().map(|&r| if r == 0.0 { 0.0 } else { r.signum() }).collect();
    let g = smooth_l1_loss(x, zero, 0.0, Reduction::Sum).unwrap().backward().wrt(x);
    assert_eq!(g.data(), sign.as_slice());
    let g = l1_loss(x, zero, Reduction::Sum).unwrap().backward().wrt(x);
    assert_eq!(g.data(), sign.as_slice());
}

#[test]
fn huber_and_smooth_l1_at_infinite_residuals_have_torch_gradients() {
    // torch 2.15, float64: huber_loss(±inf, 0, delta=δ) is inf with gradient ±δ, and
    // huber_loss(1e308, 0, delta=2) overflows to inf with gradient 2; smooth_l1_loss gives
    // inf with gradient ±1 (β = 0 too).
    let inf = f64::INFINITY;
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([inf, -inf, 1e308]));
    let zero = t.constant(&Tensor::zeros(&[3]));
    for d in [1.0, 2.0] {
        let l = huber_loss(x, zero, d, Reduction::None).unwrap();
        assert_eq!(l.value().data(), [inf, inf, d * (1e308 - 0.5 * d)], "δ = {d}");
        assert_eq!(l.sum().backward().wrt(x).data(), [d, -d, d], "δ = {d}");
    }
    for b in [0.0, 1.0, 2.0] {
        let l = smooth_l1_loss(x, zero, b, Reduction::None).unwrap();
        assert_eq!(l.value().data(), [inf, inf, 1e308], "β = {b}");
        assert_eq!(l.sum().backward().wrt(x).data(), [1.0, -1.0, 1.0], "β = {b}");
    }
}

#[test]
fn huber_and_smooth_l1_pass_finite_differences_near_the_kink() {
    // 1e-3 away from ±δ: both evaluations of each central difference stay on one side.
    for d in [0.5, 1.0, 2.0] {
        let r = [d - 1e-3, d + 1e-3, -d + 1e-3, -d - 1e-3, 0.2 * d, -3.0 * d];
        let target = Tensor::from([0.3, -0.2, 0.0, 1.0, -1.0, 0.5]);
        let pred = Tensor::from_fn(&[6], |i| r[i] + target.data()[i]);
        for red in [Reduction::Sum, Reduction::Mean] {
            let tg = target.clone();
            let rep = gradcheck(
                move |v| huber_loss(v[0], v[0].tape().constant(&tg), d, red).unwrap(),
                std::slice::from_ref(&pred),
                &CheckOptions::default(),
            );
            assert_clean(&rep);
            let tg = target.clone();
            let rep = gradcheck(
                move |v| smooth_l1_loss(v[0], v[0].tape().constant(&tg), d, red).unwrap(),
                std::slice::from_ref(&pred),
                &CheckOptions::default(),
            );
            assert_clean(&rep);
            // and with respect to the target
            let p = pred.clone();
            let rep = gradcheck(
                move |v| huber_loss(v[0].tape().constant(&p), v[0], d, red).unwrap(),
                std::slice::from_ref(&target),
                &CheckOptions::default(),
            );
            assert_clean(&rep);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Gradients: random inputs against closed forms and finite differences
// ---------------------------------------------------------------------------------------

proptest! {
    #![proptest_config(config(48))]

    #[test]
    fn cross_entropy_with_class_targets_matches_reference_and_fd(
        (n, c, xs, ts) in classification_s(),
        red in reduction_s(),
        eps in prop_oneof![Just(0.0), 0.0..1.0f64, Just(1.0)],
    ) {
        let x = Tensor::new(&[n, c], xs.clone()).unwrap();
        let dist: Vec<Vec<f64>> = ts.iter().map(|&t| ref_smoothed(t, c, eps)).collect();
        let tape = Tape::<f64>::new();
        let xv = tape.var(&x);
        let ce = CrossEntropy::new().reduction(red).label_smoothing(eps);
        let l = ce.classes(xv, &ts).unwrap();
        let want = reduce(&ref_ce_dist(&xs, c, &dist), red);
        prop_assert!(close(l.item(), want, 1e-13), "loss {} vs {want}", l.item());
        let g = l.backward().wrt(xv);
        let gw = ref_ce_grad(&xs, c, &dist, red);
        for (a, b) in g.data().iter().zip(&gw) {
            prop_assert!((a - b).abs() < 1e-14, "gradient {:?} vs {gw:?}", g.data());
        }
        let rep = gradcheck(move |v| ce.classes(v[0], &ts).unwrap(), &[x], &CheckOptions::default());
        prop_assert!(rep.passed() && rep.kinks().is_empty(), "{}", rep);
    }

    #[test]
    fn cross_entropy_with_probability_targets_matches_reference_and_fd(
        (n, c, xs, raw) in (1..=4usize, 1..=5usize)
            .prop_flat_map(|(n, c)| (Just(n), Just(c), vec(-4.0..4.0f64, n * c), vec(0.01..1.0f64, n * c))),
        red in reduction_s(),
        eps in prop_oneof![Just(0.0), 0.0..1.0f64],
        normalise in any::<bool>(),
    ) {
        // rows of class probabilities (or, unnormalised, any non-negative weights: PyTorch
        // does not check them either)
        let mut ps = raw.clone();
        if normalise {
            for row in ps.chunks_mut(c) {
                let s: f64 = row.iter().sum();
                row.iter_mut().for_each(|p| *p /= s);
            }
        }
        let dist: Vec<Vec<f64>> =
            ps.chunks(c).map(|row| row.iter().map(|p| (1.0 - eps) * p + eps / c as f64).collect()).collect();
        let (x, p) = (Tensor::new(&[n, c], xs.clone()).unwrap(), Tensor::new(&[n, c], ps).unwrap());
        let tape = Tape::<f64>::new();
        let xv = tape.var(&x);
        let ce = CrossEntropy::new().reduction(red).label_smoothing(eps);
        let l = ce.probs(xv, tape.constant(&p)).unwrap();
        let want = reduce(&ref_ce_dist(&xs, c, &dist), red);
        prop_assert!(close(l.item(), want, 1e-13), "loss {} vs {want}", l.item());
        // d/dx = (softmax·Σₖ dₖ − d)·scale: with unnormalised rows softmax is scaled by the row sum
        let g = l.backward().wrt(xv);
        let scale = if red == Reduction::Mean { 1.0 / n as f64 } else { 1.0 };
        for (i, row) in xs.chunks(c).enumerate() {
            let lp = ref_log_softmax(row);
            let mass: f64 = dist[i].iter().sum();
            for k in 0..c {
                let w = (lp[k].exp() * mass - dist[i][k]) * scale;
                prop_assert!((g.data()[i * c + k] - w).abs() < 1e-14, "row {i}: {:?}", g.data());
            }
        }
        // finite differences with respect to both the logits and the target
        let rep = gradcheck(move |v| ce.probs(v[0], v[1]).unwrap(), &[x, p], &CheckOptions::default());
        prop_assert!(rep.passed() && rep.kinks().is_empty(), "{}", rep);
    }

    #[test]
    fn nll_loss_matches_fd(
        (n, c, xs, ts) in classification_s(),
        red in reduction_s(),
    ) {
        let x = Tensor::new(&[n, c], xs).unwrap();
        let rep = gradcheck(move |v| nll_loss(v[0].log_softmax(1), &ts, red).unwrap(), &[x], &CheckOptions::default());
        prop_assert!(rep.passed() && rep.kinks().is_empty(), "{}", rep);
    }

    #[test]
    fn huber_smooth_l1_and_l1_match_reference_and_fd(
        (rs, ys) in (1..=8usize).prop_flat_map(|n| (vec(-4.0..4.0f64, n), vec(-1.0..1.0f64, n))),
        delta in 0.1..3.0f64,
        near in vec(-0.05..0.05f64, 8),
        red in reduction_s(),
    ) {
        // Half the residuals are put near ±δ (the kink), all kept at least 1e-3 away from
        // |r| = δ (and from r = 0 for l1) so the central differences do not straddle a kink.
        let away = |r: f64, at: f64| if (r.abs() - at).abs() < 1e-3 { r + 2e-3 * r.signum() } else { r };
        let rs: Vec<f64> = rs
            .iter()
            .enumerate()
            .map(|(i, &r)| if i % 2 == 0 { r.signum() * delta + near[i] } else { r })
            .map(|r| away(away(r, delta), 0.0))
            .map(|r| if r == 0.0 { 0.5 } else { r })
            .collect();
        let n = rs.len();
        let pred = Tensor::from_fn(&[n], |i| ys[i] + rs[i]);
        let target = Tensor::new(&[n], ys.clone()).unwrap();
        // residuals as the loss sees them (pred − target in floating point)
        let rr: Vec<f64> = pred.data().iter().zip(&ys).map(|(p, y)| p - y).collect();
        let tape = Tape::<f64>::new();
        let (pv, tv) = (tape.var(&pred), tape.constant(&target));
        let h: Vec<f64> = rr.iter().map(|&r| ref_huber(r, delta)).collect();
        let s: Vec<f64> = rr.iter().map(|&r| ref_smooth_l1(r, delta)).collect();
        let a: Vec<f64> = rr.iter().map(|r| r.abs()).collect();
        let lh = huber_loss(pv, tv, delta, red).unwrap();
        prop_assert!(close(lh.item(), reduce(&h, red), 1e-14), "huber {} vs {}", lh.item(), reduce(&h, red));
        let ls = smooth_l1_loss(pv, tv, delta, red).unwrap();
        prop_assert!(close(ls.item(), reduce(&s, red), 1e-14), "smooth_l1 {} vs {}", ls.item(), reduce(&s, red));
        let la = l1_loss(pv, tv, red).unwrap();
        prop_assert!(close(la.item(), reduce(&a, red), 1e-14));
        // closed-form gradients: clamp(r, −δ, δ), clamp(r/δ, −1, 1), sign(r)
        let scale = if red == Reduction::Mean { 1.0 / n as f64 } else { 1.0 };
        let gh = lh.backward().wrt(pv);
        let gs = ls.backward().wrt(pv);
        let ga = la.backward().wrt(pv);
        for (i, r) in rr.iter().enumerate() {
            prop_assert!((gh.data()[i] - r.clamp(-delta, delta) * scale).abs() < 1e-14, "{:?}", gh.data());
            prop_assert!((gs.data()[i] - (r / delta).clamp(-1.0, 1.0) * scale).abs() < 1e-14, "{:?}", gs.data());
            prop_assert!((ga.data()[i] - r.signum() * scale).abs() < 1e-15, "{:?}", ga.data());
        }
        let t2 = target.clone();
        let rep = gradcheck(
            move |v| huber_loss(v[0], v[0].tape().constant(&t2), delta, red).unwrap(),
            std::slice::from_ref(&pred),
            &CheckOptions::default(),
        );
        prop_assert!(rep.passed() && rep.kinks().is_empty(), "huber: {}", rep);
        let t2 = target.clone();
        let rep = gradcheck(
            move |v| smooth_l1_loss(v[0], v[0].tape().constant(&t2), delta, red).unwrap(),
            std::slice::from_ref(&pred),
            &CheckOptions::default(),
        );
        prop_assert!(rep.passed() && rep.kinks().is_empty(), "smooth_l1: {}", rep);
        let rep = gradcheck(
            move |v| l1_loss(v[0], v[0].tape().constant(&target), red).unwrap(),
            std::slice::from_ref(&pred),
            &CheckOptions::default(),
        );
        prop_assert!(rep.passed() && rep.kinks().is_empty(), "l1: {}", rep);
    }
}

/// softplus(x) = ln(1 + eˣ), written without overflow.
fn ref_softplus(x: f64) -> f64 {
    x.max(0.0) + (-x.abs()).exp().ln_1p()
}

proptest! {
    #![proptest_config(config(48))]

    /// `BceWithLogits` with a weight and a positive weight of random broadcast shapes
    /// ([c], [n, 1], [1], or none): the value against w·[p·t·softplus(−x) + (1 − t)·softplus(x)],
    /// the logit gradient against w·((1 − t + p·t)·σ(x) − p·t), and central differences in
    /// the logits and the targets together (each used several times in the loss).
    #[test]
    fn bce_with_logits_weights_match_reference_and_fd(
        (n, c, xs, ts) in (1..=4usize, 1..=4usize).prop_flat_map(|(n, c)| {
            (Just(n), Just(c), vec((0.05..6.0f64, any::<bool>()), n * c), vec(0.0..1.0f64, n * c))
        }),
        (wk, ws) in (0..4usize, vec(-2.0..2.0f64, 4)),
        (pk, ps) in (0..4usize, vec(0.0..4.0f64, 4)),
        red in reduction_s(),
    ) {
        use wengert_nn::loss::BceWithLogits;
        // |x| ≥ 0.05, away from the select's switch at 0 (the loss is smooth there, but the
        // checker's steps would cross the branch).
        let xs: Vec<f64> = xs.iter().map(|&(m, neg)| if neg { -m } else { m }).collect();
        // A weight of shape [c], [n, 1], [1], or none, and its value at element (i, j).
        let shaped = |kind: usize, v: &[f64]| -> Option<Tensor<f64>> {
            match kind {
                0 => Some(Tensor::from_fn(&[c], |j| v[j % v.len()])),
                1 => Some(Tensor::from_fn(&[n, 1], |i| v[i % v.len()])),
                2 => Some(Tensor::from_fn(&[1], |_| v[0])),
                _ => None,
            }
        };
        let at = |kind: usize, v: &[f64], i: usize, j: usize| match kind {
            0 => v[j % v.len()],
            1 => v[i % v.len()],
            2 => v[0],
            _ => 1.0,
        };
        let mut loss = BceWithLogits::new().reduction(red);
        if let Some(w) = shaped(wk, &ws) {
            loss = loss.weight(w);
        }
        if let Some(p) = shaped(pk, &ps) {
            loss = loss.pos_weight(p);
        }
        let (x, t) = (Tensor::new(&[n, c], xs.clone()).unwrap(), Tensor::new(&[n, c], ts.clone()).unwrap());
        let (mut per, mut grad) = (Vec::new(), Vec::new());
        for i in 0..n {
            for j in 0..c {
                let (xv, tv) = (xs[i * c + j], ts[i * c + j]);
                let (w, p) = (at(wk, &ws, i, j), at(pk, &ps, i, j));
                per.push(w * (p * tv * ref_softplus(-xv) + (1.0 - tv) * ref_softplus(xv)));
                let sigma = 1.0 / (1.0 + (-xv).exp());
                grad.push(w * ((1.0 - tv + p * tv) * sigma - p * tv));
            }
        }
        let tape = Tape::<f64>::new();
        let (xv, tv) = (tape.var(&x), tape.constant(&t));
        let l = loss.loss(xv, tv).unwrap();
        prop_assert!(close(l.item(), reduce(&per, red), 1e-13), "{} vs {}", l.item(), reduce(&per, red));
        let scale = if red == Reduction::Mean { 1.0 / (n * c) as f64 } else { 1.0 };
        let want: Vec<f64> = grad.iter().map(|g| g * scale).collect();
        assert_all_close(l.backward().wrt(xv).data(), &want, 1e-13);
        let rep = gradcheck(move |v| loss.loss(v[0], v[1]).unwrap(), &[x, t], &CheckOptions::default());
        assert_clean(&rep);
    }
}

/// Cross-entropy with smoothing and Huber, generic over the element type, so the f32
/// gradients can be checked against f64 finite differences.
struct F32Losses;

impl Function for F32Losses {
    fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T> {
        let ce = CrossEntropy::new().label_smoothing(0.2).classes(x[0], &[2, 0, 1]).unwrap();
        let zero = x[1].tape().constant(&Tensor::zeros(&[4]));
        ce + huber_loss(x[1], zero, T::ONE, Reduction::Mean).unwrap()
    }
}

#[test]
fn f32_gradients_pass_against_f64_differences() {
    let x = Tensor::new(&[3, 3], vec![0.5f32, -1.0, 2.0, 0.0, 0.3, -0.7, 1.5, 1.4, -2.0]).unwrap();
    let r = Tensor::from([0.5f32, -2.0, 1.2, -0.1]);
    let rep = gradcheck_fn(&F32Losses, &[x, r], &CheckOptions::default());
    assert_clean(&rep);
}

// ---------------------------------------------------------------------------------------
// Large and infinite logits
// ---------------------------------------------------------------------------------------

#[test]
fn cross_entropy_is_finite_and_exact_for_logits_of_1000() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([[1000.0, 0.0, -1000.0], [1000.0, 1000.0, -1000.0], [-1000.0, 0.0, 1000.0]]));
    let l = cross_entropy(x, &[0, 1, 0], Reduction::Sum).unwrap();
    // row 0: 0 (e^-1000 underflows); row 1: ln 2; row 2: 2000
    assert!(close(l.item(), 2f64.ln() + 2000.0, 1e-15), "{}", l.item());
    let g = l.backward().wrt(x);
    assert!(g.data().iter().all(|v| v.is_finite()), "{g:?}");
    assert_all_close(g.data(), &[0.0, 0.0, 0.0, 0.5, -0.5, 0.0, -1.0, 0.0, 1.0], 1e-15);
    // with label smoothing and probability targets too
    let ce = CrossEntropy::new().label_smoothing(0.1).reduction(Reduction::Mean);
    let ls = ce.classes(x, &[0, 1, 0]).unwrap();
    assert!(ls.item().is_finite());
    assert!(ls.backward().wrt(x).data().iter().all(|v| v.is_finite()));
    let p = t.constant(&Tensor::from([[0.5, 0.5, 0.0], [0.0, 1.0, 0.0], [0.2, 0.3, 0.5]]));
    let lp = ce.probs(x, p).unwrap();
    assert!(lp.item().is_finite());
    assert!(lp.backward().wrt(x).data().iter().all(|v| v.is_finite()));
    // f32: the same, finite
    let t32 = Tape::<f32>::new();
    let x32 = t32.var(&Tensor::from([[1000.0f32, 0.0, -1000.0]]));
    let l32 = cross_entropy(x32, &[2], Reduction::Mean).unwrap();
    assert_eq!(l32.item(), 2000.0);
    assert_eq!(l32.backward().wrt(x32).data(), [1.0, 0.0, -1.0]);
}

#[test]
fn a_minus_infinite_logit_of_another_class_gives_no_nan() {
    // The target entry is picked by index, not by multiplying with a one-hot mask, so
    // 0·(−∞) never happens: a class masked with −∞ simply has probability 0.
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([[0.0, f64::NEG_INFINITY, 0.0]]));
    let l = cross_entropy(x, &[0], Reduction::Mean).unwrap();
    assert!(close(l.item(), 2f64.ln(), 1e-15), "{}", l.item());
    assert_eq!(l.backward().wrt(x).data(), [-0.5, 0.0, 0.5]);
    let lp = x.log_softmax(1);
    let l = nll_loss(lp, &[2], Reduction::Sum).unwrap();
    assert!(close(l.item(), 2f64.ln(), 1e-15), "{}", l.item());
    assert_eq!(l.backward().wrt(x).data(), [0.5, 0.0, -0.5]);
}

// ---------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------

/// The message of an `InvalidArgument` error of `op`, or a panic saying what came instead.
fn invalid_msg(op: &str, r: Result<Var<'_, f64>>) -> String {
    match r {
        Err(e @ Error::InvalidArgument { .. }) => {
            let s = e.to_string();
            assert!(s.starts_with(&format!("{op}: ")), "{s}");
            s
        }
        Err(e) => panic!("{op}: expected InvalidArgument, got {e}"),
        Ok(v) => panic!("{op}: expected an error, got {v:?}"),
    }
}

fn has_all(s: &str, parts: &[&str]) {
    for p in parts {
        assert!(s.contains(p), "{p:?} missing in: {s}");
    }
}

#[test]
fn class_losses_refuse_bad_targets_and_shapes() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    assert_eq!(
        cross_entropy(x, &[0, 3], Reduction::Mean).unwrap_err().to_string(),
        "cross_entropy: target 3 at row 1 is out of range: logits [2, 3] (v0) have 3 classes, 0..=2"
    );
    let node = x.node().to_string();
    for (op, what) in [("cross_entropy", "logits"), ("nll_loss", "log_probs")] {
        fn class_loss<'t>(op: &str, ts: &[usize], v: Var<'t, f64>) -> Result<Var<'t, f64>> {
            match op {
                "cross_entropy" => cross_entropy(v, ts, Reduction::Mean),
                _ => nll_loss(v, ts, Reduction::Mean),
            }
        }
        let f = |ts: &[usize], v| class_loss(op, ts, v);
        // a class index ≥ c: its value and row
        let s = invalid_msg(op, f(&[0, 3], x));
        has_all(&s, &["target 3", "row 1", what, "[2, 3]", &node, "3 classes"]);
        let s = invalid_msg(op, f(&[7, 0], x));
        has_all(&s, &["target 7", "row 0"]);
        // wrong number of targets
        let s = invalid_msg(op, f(&[0, 1, 2], x));
        has_all(&s, &[what, "[2, 3]", "2 rows", "3 targets"]);
        let s = invalid_msg(op, f(&[], x));
        has_all(&s, &["2 rows", "0 targets"]);
        // not 2-d
        let v1 = t.var(&Tensor::zeros(&[3]));
        let s = invalid_msg(op, f(&[0], v1));
        has_all(&s, &["2-d", "[3]", &v1.node().to_string(), "[1, c]"]);
        let v3 = t.var(&Tensor::zeros(&[2, 3, 4]));
        has_all(&invalid_msg(op, f(&[0, 0], v3)), &["2-d", "[2, 3, 4]"]);
        let v0 = t.var(&Tensor::scalar(1.0));
        has_all(&invalid_msg(op, f(&[], v0)), &["2-d", "[]"]);
        // no classes
        let e = t.var(&Tensor::zeros(&[2, 0]));
        has_all(&invalid_msg(op, f(&[0, 0], e)), &["[2, 0]", "no classes"]);
        // mean over no rows (0/0); the sum is 0
        let empty = t.var(&Tensor::zeros(&[0, 3]));
        has_all(&invalid_msg(op, f(&[], empty)), &["mean", "no elements", "Reduction::Sum"]);
    }
    let empty = t.var(&Tensor::zeros(&[0, 3]));
    let l = cross_entropy(empty, &[], Reduction::Sum).unwrap();
    assert_eq!(l.item(), 0.0);
    assert_eq!(l.backward().wrt(empty).shape(), [0, 3]);
    assert_eq!(nll_loss(empty, &[], Reduction::Sum).unwrap().item(), 0.0);
}

#[test]
fn cross_entropy_refuses_bad_label_smoothing_and_probability_shapes() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    for eps in [-0.1, 1.5, f64::NAN, f64::INFINITY] {
        let ce = CrossEntropy::new().label_smoothing(eps);
        let s = invalid_msg("cross_entropy", ce.classes(x, &[0, 1]));
        has_all(&s, &["label_smoothing", "[0, 1]", &format!("{eps}")]);
        let p = t.constant(&Tensor::full(&[2, 3], 1.0 / 3.0));
        invalid_msg("cross_entropy", ce.probs(x, p));
    }
    // ε = 0 and ε = 1 are allowed (ε = 1: the uniform target, whatever the class)
    let one = CrossEntropy::new().label_smoothing(1.0).classes(x, &[0, 1]).unwrap();
    assert!(close(one.item(), 3f64.ln(), 1e-15));
    // probability targets of another shape
    let p = t.constant(&Tensor::full(&[2, 4], 0.25));
    match CrossEntropy::new().probs(x, p) {
        Err(e @ Error::ShapeMismatch { .. }) => has_all(
            &e.to_string(),
            &["cross_entropy", "[2, 3]", "[2, 4]", &x.node().to_string(), &p.node().to_string()],
        ),
        other => panic!("expected a shape error, got {other:?}"),
    }
    // 1-d logits with 1-d probabilities of the same shape: still not 2-d
    let v = t.var(&Tensor::zeros(&[3]));
    let q = t.constant(&Tensor::full(&[3], 1.0 / 3.0));
    has_all(&invalid_msg("cross_entropy", CrossEntropy::new().probs(v, q)), &["2-d", "[3]"]);
    // variables of two tapes
    let other = Tape::<f64>::new();
    let q = other.constant(&Tensor::full(&[2, 3], 1.0 / 3.0));
    assert!(matches!(CrossEntropy::new().probs(x, q), Err(Error::TapeMismatch { op: "cross_entropy", .. })));
    // mean over no rows
    let e = t.var(&Tensor::zeros(&[0, 3]));
    let q = t.constant(&Tensor::zeros(&[0, 3]));
    invalid_msg("cross_entropy", CrossEntropy::new().probs(e, q));
    assert_eq!(CrossEntropy::new().reduction(Reduction::Sum).probs(e, q).unwrap().item(), 0.0);
}

#[test]
fn elementwise_losses_refuse_bad_parameters_and_shapes() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([1.0, 2.0]));
    let y = t.constant(&Tensor::from([0.0, 0.0]));
    for d in [0.0, -1.0, f64::NAN, f64::INFINITY, f64::NEG_INFINITY] {
        let s = invalid_msg("huber_loss", huber_loss(x, y, d, Reduction::Mean));
        has_all(&s, &["delta", "positive", &format!("got {d}"), "[2]"]);
    }
    for b in [-1e-300, -1.0, f64::NAN, f64::INFINITY] {
        let s = invalid_msg("smooth_l1_loss", smooth_l1_loss(x, y, b, Reduction::Mean));
        has_all(&s, &["beta", "non-negative", &format!("got {b}")]);
    }
    // same shape required, no broadcasting
    let col = t.var(&Tensor::zeros(&[2, 1]));
    for (name, r) in [
        ("huber_loss", huber_loss(col, y, 1.0, Reduction::Mean)),
        ("smooth_l1_loss", smooth_l1_loss(col, y, 1.0, Reduction::Mean)),
        ("l1_loss", l1_loss(col, y, Reduction::Mean)),
    ] {
        match r {
            Err(e @ Error::ShapeMismatch { .. }) => has_all(&e.to_string(), &[name, "[2, 1]", "[2]"]),
            other => panic!("{name}: expected a shape error, got {other:?}"),
        }
    }
    // the mean of nothing is an error, the sum of nothing 0
    let e = t.var(&Tensor::zeros(&[0]));
    invalid_msg("huber_loss", huber_loss(e, e, 1.0, Reduction::Mean));
    invalid_msg("smooth_l1_loss", smooth_l1_loss(e, e, 1.0, Reduction::Mean));
    invalid_msg("l1_loss", l1_loss(e, e, Reduction::Mean));
    assert_eq!(huber_loss(e, e, 1.0, Reduction::Sum).unwrap().item(), 0.0);
    assert_eq!(l1_loss(e, e, Reduction::Sum).unwrap().item(), 0.0);
}

/// The elementwise losses refuse the mean of an empty tensor (PyTorch's NaN) and sum it to 0.
#[test]
fn every_elementwise_loss_refuses_the_mean_of_nothing() {
    use wengert_nn::loss::{bce, bce_with_logits, mse};
    type Loss = for<'t> fn(Var<'t, f64>, Var<'t, f64>, Reduction) -> wengert_tape::Result<Var<'t, f64>>;
    let losses: [(&str, Loss); 6] = [
        ("bce", bce),
        ("bce_with_logits", bce_with_logits),
        ("mse", mse),
        ("l1_loss", l1_loss),
        ("huber_loss", |x, y, r| huber_loss(x, y, 1.0, r)),
        ("smooth_l1_loss", |x, y, r| smooth_l1_loss(x, y, 1.0, r)),
    ];
    for (op, f) in losses {
        let t = Tape::<f64>::new();
        let (x, y) = (t.var(&Tensor::zeros(&[0, 2])), t.constant(&Tensor::zeros(&[0, 2])));
        let n = t.len();
        // The error names the prediction as given (v0) and records nothing.
        has_all(
            &invalid_msg(op, f(x, y, Reduction::Mean)),
            &["mean", "[0, 2] (v0)", "no elements", "Reduction::Sum"],
        );
        assert_eq!(t.len(), n, "{op}: a refused mean recorded nodes");
        assert_eq!(f(x, y, Reduction::Sum).unwrap().item(), 0.0, "{op}");
    }
    // The classification losses too.
    let t = Tape::<f64>::new();
    let logits = t.var(&Tensor::zeros(&[0, 4]));
    let n = t.len();
    has_all(&invalid_msg("cross_entropy", cross_entropy(logits, &[], Reduction::Mean)), &["[0, 4] (v0)"]);
    has_all(&invalid_msg("nll_loss", nll_loss(logits, &[], Reduction::Mean)), &["[0, 4] (v0)"]);
    let smooth = CrossEntropy::new().label_smoothing(0.1);
    has_all(&invalid_msg("cross_entropy", smooth.classes(logits, &[])), &["[0, 4] (v0)"]);
    has_all(&invalid_msg("cross_entropy", smooth.probs(logits, logits)), &["[0, 4] (v0)"]);
    assert_eq!(t.len(), n, "a refused mean recorded nodes");
}

/// `Reduction::None` leaves the losses per element (per row for the classification
/// losses), and they add up to `Reduction::Sum`'s; weighting them reaches the gradient.
#[test]
fn reduction_none_keeps_the_losses_per_element() {
    use wengert_nn::loss::{bce, bce_with_logits, mse};
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::new(&[2, 3], vec![0.2, -1.0, 3.0, 0.5, 0.9, -2.0]).unwrap());
    let p = t.var(&Tensor::new(&[2, 3], vec![0.2, 0.7, 0.9, 0.5, 0.1, 0.6]).unwrap());
    let y = t.constant(&Tensor::new(&[2, 3], vec![0.0, 1.0, 1.0, 0.0, 0.0, 1.0]).unwrap());
    type Loss<'t> = Box<dyn Fn(Reduction) -> Result<Var<'t, f64>> + 't>;
    let losses: Vec<(&str, Loss, &[usize])> = vec![
        ("bce", Box::new(move |r| bce(p, y, r)), &[2, 3]),
        ("bce_with_logits", Box::new(move |r| bce_with_logits(x, y, r)), &[2, 3]),
        ("mse", Box::new(move |r| mse(x, y, r)), &[2, 3]),
        ("l1_loss", Box::new(move |r| l1_loss(x, y, r)), &[2, 3]),
        ("huber_loss", Box::new(move |r| huber_loss(x, y, 1.0, r)), &[2, 3]),
        ("smooth_l1_loss", Box::new(move |r| smooth_l1_loss(x, y, 0.5, r)), &[2, 3]),
        ("cross_entropy", Box::new(move |r| cross_entropy(x, &[2, 0], r)), &[2]),
        ("nll_loss", Box::new(move |r| nll_loss(x.log_softmax(1), &[1, 1], r)), &[2]),
        ("probs", Box::new(move |r| CrossEntropy::new().reduction(r).label_smoothing(0.1).probs(x, p)), &[2]),
    ];
    for (name, f, shape) in losses {
        let per = f(Reduction::None).unwrap();
        assert_eq!(per.shape().as_slice(), shape, "{name}");
        let total = f(Reduction::Sum).unwrap().item();
        let sum: f64 = per.value().data().iter().sum();
        assert!((sum - total).abs() <= 1e-12 * total.abs().max(1.0), "{name}: {sum} vs {total}");
    }
    // Weighting the first row only: the second row's logits get no gradient.
    let per = cross_entropy(x, &[2, 0], Reduction::None).unwrap();
    let w = t.constant(&Tensor::new(&[2], vec![1.0, 0.0]).unwrap());
    let g = (per * w).sum().backward().wrt(x);
    assert_eq!(&g.data()[3..], &[0.0; 3]);
    assert!(g.data()[..3].iter().all(|v| *v != 0.0));
}

/// smooth_l1_loss with a tiny (even subnormal) β: exact values and gradients r/β inside,
/// exactly ±1 beyond, no NaN (1/β would overflow).
#[test]
fn smooth_l1_with_a_tiny_beta_stays_exact() {
    let t = Tape::<f32>::new();
    let p = t.var_from(&[3], &[0.5, 3.0, -1.0]);
    let y = t.constant(&Tensor::zeros(&[3]));
    let l = smooth_l1_loss(p, y, 1e-45, Reduction::None).unwrap();
    assert_eq!(l.value().data(), &[0.5, 3.0, 1.0]);
    assert_eq!(l.sum().backward().wrt(p).data(), &[1.0, 1.0, -1.0]);
    for beta in [1e-310, 1e-308, 1e-300] {
        let t = Tape::<f64>::new();
        let p = t.var_from(&[4], &[0.3, -2.0, 0.0, beta / 2.0]);
        let y = t.constant(&Tensor::zeros(&[4]));
        let l = smooth_l1_loss(p, y, beta, Reduction::None).unwrap();
        let v = l.value();
        assert_eq!(&v.data()[..3], &[0.3, 2.0, 0.0], "beta {beta}");
        let g = l.sum().backward().wrt(p);
        assert_eq!(&g.data()[..3], &[1.0, -1.0, 0.0], "beta {beta}");
        // r/β, with r = β/2 as stored (a subnormal β/2 is rounded), to rounding.
        let want = (beta / 2.0) / beta;
        assert!((g.data()[3] - want).abs() <= 1e-15, "beta {beta}: {} vs {want}", g.data()[3]);
    }
}

// ---------------------------------------------------------------------------------------
// Class weights and ignore_index, against PyTorch
// ---------------------------------------------------------------------------------------

/// `F.cross_entropy(x, t, weight=w, ignore_index=i, label_smoothing=ε, reduction=r)` and
/// the gradient of its sum w.r.t. x, computed by torch 2.15 in float64 (the script is in
/// the test's comment below); the engine agrees to 1e-14.
///
/// ```text
/// x = [[1.0, -0.5, 2.0], [0.3, 0.8, -1.2], [-2.0, 0.0, 0.5], [1.5, 1.5, -0.7]]; w = [0.2, 1.0, 3.0]
/// for each case: l = F.cross_entropy(x, t, ...); l.sum().backward(); record l, x.grad
/// ```
#[test]
fn cross_entropy_weights_and_ignore_index_match_pytorch() {
    enum Targets {
        Classes(&'static [usize]),
        Probs(&'static [f64]),
    }
    struct Case {
        name: &'static str,
        targets: Targets,
        weight: Option<&'static [f64]>,
        ignore: Option<usize>,
        eps: f64,
        red: Reduction,
        loss: &'static [f64],
        grad: &'static [f64],
    }
    let cases = [
        Case {
            name: "w",
            targets: Targets::Classes(&[2, 0, 1, 2]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.0,
            red: Reduction::Mean,
            loss: &[1.554267096134965],
            grad: &[
                0.10571507568126053,
                0.023588221766863034,
                -0.12930329744812352,
                -0.01810534922545181,
                0.015947138693547074,
                0.0021582105319047384,
                0.006751503337680871,
                -0.08900165197464742,
                0.08225014863696654,
                0.1973972158493156,
                0.1973972158493156,
                -0.39479443169863115,
            ],
        },
        Case {
            name: "ign5",
            targets: Targets::Classes(&[2, 5, 1, 5]),
            weight: None,
            ignore: Some(5),
            eps: 0.0,
            red: Reduction::Mean,
            loss: &[0.6977240440162953],
            grad: &[
                0.12685809081751262,
                0.02830586612023564,
                -0.1551639569377482,
                0.0,
                0.0,
                0.0,
                0.024305412015651135,
                -0.3204059471087307,
                0.29610053509307954,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "ign1",
            targets: Targets::Classes(&[2, 1, 0, 1]),
            weight: None,
            ignore: Some(1),
            eps: 0.0,
            red: Reduction::Mean,
            loss: &[1.6977240440162953],
            grad: &[
                0.12685809081751262,
                0.02830586612023564,
                -0.1551639569377482,
                0.0,
                0.0,
                0.0,
                -0.4756945879843489,
                0.17959405289126928,
                0.29610053509307954,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "w_ign",
            targets: Targets::Classes(&[2, 7, 0, 1]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: Some(7),
            eps: 0.0,
            red: Reduction::Mean,
            loss: &[0.5872541489593239],
            grad: &[
                0.181225844025018,
                0.040436951600336626,
                -0.22166279562535454,
                0.0,
                0.0,
                0.0,
                -0.04530424647469989,
                0.017104195513454216,
                0.02820005096124567,
                0.11279840905675176,
                -0.12529682903848632,
                0.012498419981734578,
            ],
        },
        Case {
            name: "probs_w",
            targets: Targets::Probs(&[0.2, 0.3, 0.5, 1.0, 0.0, 0.0, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.0,
            red: Reduction::Mean,
            loss: &[1.3941623487073365],
            grad: &[
                0.1067094435521116,
                -0.04895860316938321,
                -0.057750840382728375,
                -0.032589628605813256,
                0.02870484964838473,
                0.003884778957428529,
                0.025624819139720433,
                0.20128850664299933,
                -0.2269133257827198,
                0.10528216246054829,
                0.0677821624605483,
                -0.17306432492109655,
            ],
        },
        Case {
            name: "w",
            targets: Targets::Classes(&[2, 0, 1, 2]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.1,
            red: Reduction::Mean,
            loss: &[1.51749496435175],
            grad: &[
                0.09915101238566736,
                0.01770055364300071,
                -0.11685156602866804,
                -0.010450040242204379,
                0.020885792280045685,
                -0.010435752037841308,
                0.006095637545262179,
                -0.0777469032388185,
                0.0716512656935563,
                0.18594343841142616,
                0.18223973470772245,
                -0.3681831731191486,
            ],
        },
        Case {
            name: "ign5",
            targets: Targets::Classes(&[2, 5, 1, 5]),
            weight: None,
            ignore: Some(5),
            eps: 0.1,
            red: Reduction::Mean,
            loss: &[0.7810573773496287],
            grad: &[
                0.11019142415084596,
                0.011639199453568973,
                -0.12183062360441488,
                0.0,
                0.0,
                0.0,
                0.007638745348984469,
                -0.2870726137753974,
                0.2794338684264129,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "ign1",
            targets: Targets::Classes(&[2, 1, 0, 1]),
            weight: None,
            ignore: Some(1),
            eps: 0.1,
            red: Reduction::Mean,
            loss: &[1.6810573773496287],
            grad: &[
                0.11019142415084596,
                0.011639199453568973,
                -0.12183062360441488,
                0.0,
                0.0,
                0.0,
                -0.44236125465101556,
                0.16292738622460262,
                0.2794338684264129,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "w_ign",
            targets: Targets::Classes(&[2, 7, 0, 1]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: Some(7),
            eps: 0.1,
            red: Reduction::Mean,
            loss: &[0.6650253193716806],
            grad: &[
                0.16997316408971547,
                0.03034380624514407,
                -0.20031697033485948,
                0.0,
                0.0,
                0.0,
                -0.04074076261348808,
                0.019430204885018815,
                0.02131055772846927,
                0.11572304383172023,
                -0.10491187680320038,
                -0.010811167028519848,
            ],
        },
        Case {
            name: "probs_w",
            targets: Targets::Probs(&[0.2, 0.3, 0.5, 1.0, 0.0, 0.0, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.1,
            red: Reduction::Mean,
            loss: &[1.4683243539311097],
            grad: &[
                0.10325189888745967,
                -0.05041466555736173,
                -0.05283723333009787,
                -0.018810072435967877,
                0.037594426104082236,
                -0.018784353668114356,
                0.023097049400177302,
                0.1853979063477549,
                -0.20849495574793223,
                0.10966864567916931,
                0.06925197901250264,
                -0.17892062469167194,
            ],
        },
        Case {
            name: "w",
            targets: Targets::Classes(&[2, 0, 1, 2]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.0,
            red: Reduction::Sum,
            loss: &[11.190723092171748],
            grad: &[
                0.7611485449050757,
                0.16983519672141384,
                -0.9309837416264892,
                -0.13035851442325302,
                0.11481939859353892,
                0.015539115829714116,
                0.04861082403130227,
                -0.6408118942174614,
                0.5922010701861591,
                1.4212599541150723,
                1.4212599541150723,
                -2.842519908230144,
            ],
        },
        Case {
            name: "ign5",
            targets: Targets::Classes(&[2, 5, 1, 5]),
            weight: None,
            ignore: Some(5),
            eps: 0.0,
            red: Reduction::Sum,
            loss: &[1.3954480880325906],
            grad: &[
                0.25371618163502524,
                0.05661173224047128,
                -0.3103279138754964,
                0.0,
                0.0,
                0.0,
                0.04861082403130227,
                -0.6408118942174614,
                0.5922010701861591,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "ign1",
            targets: Targets::Classes(&[2, 1, 0, 1]),
            weight: None,
            ignore: Some(1),
            eps: 0.0,
            red: Reduction::Sum,
            loss: &[3.3954480880325906],
            grad: &[
                0.25371618163502524,
                0.05661173224047128,
                -0.3103279138754964,
                0.0,
                0.0,
                0.0,
                -0.9513891759686978,
                0.35918810578253857,
                0.5922010701861591,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "w_ign",
            targets: Targets::Classes(&[2, 7, 0, 1]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: Some(7),
            eps: 0.0,
            red: Reduction::Sum,
            loss: &[2.4664674256291605],
            grad: &[
                0.7611485449050757,
                0.16983519672141384,
                -0.9309837416264892,
                0.0,
                0.0,
                0.0,
                -0.19027783519373956,
                0.07183762115650771,
                0.11844021403723182,
                0.4737533180383574,
                -0.5262466819616426,
                0.05249336392328523,
            ],
        },
        Case {
            name: "probs_w",
            targets: Targets::Probs(&[0.2, 0.3, 0.5, 1.0, 0.0, 0.0, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.0,
            red: Reduction::Sum,
            loss: &[5.576649394829346],
            grad: &[
                0.4268377742084464,
                -0.19583441267753285,
                -0.2310033615309135,
                -0.13035851442325302,
                0.11481939859353892,
                0.015539115829714116,
                0.10249927655888173,
                0.8051540265719973,
                -0.9076533031308792,
                0.42112864984219317,
                0.2711286498421932,
                -0.6922572996843862,
            ],
        },
        Case {
            name: "w",
            targets: Targets::Classes(&[2, 0, 1, 2]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.1,
            red: Reduction::Sum,
            loss: &[10.9259637433326],
            grad: &[
                0.7138872891768051,
                0.12744398622960512,
                -0.8413312754064098,
                -0.07524028974387151,
                0.15037770441632894,
                -0.07513741467245742,
                0.0438885903258877,
                -0.5597777033194932,
                0.5158891129936055,
                1.3387927565622686,
                1.3121260898956018,
                -2.6509188464578703,
            ],
        },
        Case {
            name: "ign5",
            targets: Targets::Classes(&[2, 5, 1, 5]),
            weight: None,
            ignore: Some(5),
            eps: 0.1,
            red: Reduction::Sum,
            loss: &[1.5621147546992573],
            grad: &[
                0.2203828483016919,
                0.023278398907137947,
                -0.24366124720882976,
                0.0,
                0.0,
                0.0,
                0.015277490697968937,
                -0.5741452275507948,
                0.5588677368528258,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "ign1",
            targets: Targets::Classes(&[2, 1, 0, 1]),
            weight: None,
            ignore: Some(1),
            eps: 0.1,
            red: Reduction::Sum,
            loss: &[3.3621147546992574],
            grad: &[
                0.2203828483016919,
                0.023278398907137947,
                -0.24366124720882976,
                0.0,
                0.0,
                0.0,
                -0.8847225093020311,
                0.32585477244920524,
                0.5588677368528258,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "w_ign",
            targets: Targets::Classes(&[2, 7, 0, 1]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: Some(7),
            eps: 0.1,
            red: Reduction::Sum,
            loss: &[2.7931063413610584],
            grad: &[
                0.7138872891768051,
                0.12744398622960512,
                -0.8413312754064098,
                0.0,
                0.0,
                0.0,
                -0.17111120297664995,
                0.08160686051707901,
                0.08950434245957091,
                0.48603678409322504,
                -0.4406298825734416,
                -0.04540690151978337,
            ],
        },
        Case {
            name: "probs_w",
            targets: Targets::Probs(&[0.2, 0.3, 0.5, 1.0, 0.0, 0.0, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.1,
            red: Reduction::Sum,
            loss: &[5.873297415724439],
            grad: &[
                0.4130075955498387,
                -0.20165866222944692,
                -0.21134893332039148,
                -0.07524028974387151,
                0.15037770441632894,
                -0.07513741467245742,
                0.09238819760070921,
                0.7415916253910196,
                -0.8339798229917289,
                0.43867458271667725,
                0.27700791605001057,
                -0.7156824987666878,
            ],
        },
        Case {
            name: "w",
            targets: Targets::Classes(&[2, 0, 1, 2]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.0,
            red: Reduction::None,
            loss: &[1.1146170955580486, 0.2109913839283981, 1.0239090561799078, 8.841205556505392],
            grad: &[
                0.7611485449050757,
                0.16983519672141384,
                -0.9309837416264892,
                -0.13035851442325302,
                0.11481939859353892,
                0.015539115829714116,
                0.04861082403130227,
                -0.6408118942174614,
                0.5922010701861591,
                1.4212599541150723,
                1.4212599541150723,
                -2.842519908230144,
            ],
        },
        Case {
            name: "ign5",
            targets: Targets::Classes(&[2, 5, 1, 5]),
            weight: None,
            ignore: Some(5),
            eps: 0.0,
            red: Reduction::None,
            loss: &[0.37153903185268283, 0.0, 1.0239090561799078, 0.0],
            grad: &[
                0.25371618163502524,
                0.05661173224047128,
                -0.3103279138754964,
                0.0,
                0.0,
                0.0,
                0.04861082403130227,
                -0.6408118942174614,
                0.5922010701861591,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "ign1",
            targets: Targets::Classes(&[2, 1, 0, 1]),
            weight: None,
            ignore: Some(1),
            eps: 0.0,
            red: Reduction::None,
            loss: &[0.37153903185268283, 0.0, 3.0239090561799076, 0.0],
            grad: &[
                0.25371618163502524,
                0.05661173224047128,
                -0.3103279138754964,
                0.0,
                0.0,
                0.0,
                -0.9513891759686978,
                0.35918810578253857,
                0.5922010701861591,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "w_ign",
            targets: Targets::Classes(&[2, 7, 0, 1]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: Some(7),
            eps: 0.0,
            red: Reduction::None,
            loss: &[1.1146170955580486, 0.0, 0.6047818112359815, 0.7470685188351304],
            grad: &[
                0.7611485449050757,
                0.16983519672141384,
                -0.9309837416264892,
                0.0,
                0.0,
                0.0,
                -0.19027783519373956,
                0.07183762115650771,
                0.11844021403723182,
                0.4737533180383574,
                -0.5262466819616426,
                0.05249336392328523,
            ],
        },
        Case {
            name: "probs_w",
            targets: Targets::Probs(&[0.2, 0.3, 0.5, 1.0, 0.0, 0.0, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.0,
            red: Reduction::None,
            loss: &[1.4736318186089366, 0.2109913839283981, 1.4202508215733678, 2.4717753707186434],
            grad: &[
                0.4268377742084464,
                -0.19583441267753285,
                -0.2310033615309135,
                -0.13035851442325302,
                0.11481939859353892,
                0.015539115829714116,
                0.10249927655888173,
                0.8051540265719973,
                -0.9076533031308792,
                0.42112864984219317,
                0.2711286498421932,
                -0.6922572996843862,
            ],
        },
        Case {
            name: "w",
            targets: Targets::Classes(&[2, 0, 1, 2]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.1,
            red: Reduction::None,
            loss: &[1.1451708504616194, 0.4709195476187703, 1.0281987517604374, 8.28167459349177],
            grad: &[
                0.7138872891768051,
                0.12744398622960512,
                -0.8413312754064098,
                -0.07524028974387151,
                0.15037770441632894,
                -0.07513741467245742,
                0.0438885903258877,
                -0.5597777033194932,
                0.5158891129936055,
                1.3387927565622686,
                1.3121260898956018,
                -2.6509188464578703,
            ],
        },
        Case {
            name: "ign5",
            targets: Targets::Classes(&[2, 5, 1, 5]),
            weight: None,
            ignore: Some(5),
            eps: 0.1,
            red: Reduction::None,
            loss: &[0.4882056985193495, 0.0, 1.0739090561799078, 0.0],
            grad: &[
                0.2203828483016919,
                0.023278398907137947,
                -0.24366124720882976,
                0.0,
                0.0,
                0.0,
                0.015277490697968937,
                -0.5741452275507948,
                0.5588677368528258,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "ign1",
            targets: Targets::Classes(&[2, 1, 0, 1]),
            weight: None,
            ignore: Some(1),
            eps: 0.1,
            red: Reduction::None,
            loss: &[0.4882056985193495, 0.0, 2.8739090561799077, 0.0],
            grad: &[
                0.2203828483016919,
                0.023278398907137947,
                -0.24366124720882976,
                0.0,
                0.0,
                0.0,
                -0.8847225093020311,
                0.32585477244920524,
                0.5588677368528258,
                0.0,
                0.0,
                0.0,
            ],
        },
        Case {
            name: "w_ign",
            targets: Targets::Classes(&[2, 7, 0, 1]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: Some(7),
            eps: 0.1,
            red: Reduction::None,
            loss: &[1.1451708504616194, 0.0, 0.6509842313109038, 0.9969512595885356],
            grad: &[
                0.7138872891768051,
                0.12744398622960512,
                -0.8413312754064098,
                0.0,
                0.0,
                0.0,
                -0.17111120297664995,
                0.08160686051707901,
                0.08950434245957091,
                0.48603678409322504,
                -0.4406298825734416,
                -0.04540690151978337,
            ],
        },
        Case {
            name: "probs_w",
            targets: Targets::Probs(&[0.2, 0.3, 0.5, 1.0, 0.0, 0.0, 0.1, 0.1, 0.8, 0.5, 0.25, 0.25]),
            weight: Some(&[0.2, 1.0, 3.0]),
            ignore: None,
            eps: 0.1,
            red: Reduction::None,
            loss: &[1.4682841012074184, 0.4709195476187703, 1.3849063406145516, 2.549187426283698],
            grad: &[
                0.4130075955498387,
                -0.20165866222944692,
                -0.21134893332039148,
                -0.07524028974387151,
                0.15037770441632894,
                -0.07513741467245742,
                0.09238819760070921,
                0.7415916253910196,
                -0.8339798229917289,
                0.43867458271667725,
                0.27700791605001057,
                -0.7156824987666878,
            ],
        },
    ];
    let x =
        Tensor::new(&[4, 3], vec![1.0, -0.5, 2.0, 0.3, 0.8, -1.2, -2.0, 0.0, 0.5, 1.5, 1.5, -0.7]).unwrap();
    for c in &cases {
        let mut ce = CrossEntropy::new().reduction(c.red).label_smoothing(c.eps);
        if let Some(w) = c.weight {
            ce = ce.weight(w);
        }
        if let Some(i) = c.ignore {
            ce = ce.ignore_index(i);
        }
        let tape = Tape::<f64>::new();
        let xv = tape.var(&x);
        let l = match c.targets {
            Targets::Classes(t) => ce.classes(xv, t).unwrap(),
            Targets::Probs(p) => {
                ce.probs(xv, tape.constant(&Tensor::new(&[4, 3], p.to_vec()).unwrap())).unwrap()
            }
        };
        let what = format!("{} ε {} {:?}", c.name, c.eps, c.red);
        assert_eq!(l.len(), c.loss.len(), "{what}");
        for (a, b) in l.value().data().iter().zip(c.loss) {
            assert!(
                (a - b).abs() <= 1e-14 * b.abs().max(1.0),
                "{what}: loss {:?} vs {:?}",
                l.value().data(),
                c.loss
            );
        }
        let g = l.sum().backward().wrt(xv);
        for (a, b) in g.data().iter().zip(c.grad) {
            assert!((a - b).abs() <= 1e-14, "{what}: gradient {:?} vs {:?}", g.data(), c.grad);
        }
    }
}

/// Weights and ignored rows: the errors name the problem (a weight per class, finite;
/// the weighted mean of nothing; ignore_index with probability targets), and an
/// ignore_index that is not a class is accepted as a target.
#[test]
fn cross_entropy_weight_and_ignore_index_errors() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::new(&[2, 3], vec![0.1, 0.2, 0.3, -1.0, 0.0, 1.0]).unwrap());
    let msg = |r: Result<Var<'_, f64>>| match r {
        Err(Error::InvalidArgument { op: "cross_entropy", msg }) => msg,
        other => panic!("expected a cross_entropy error, got {other:?}"),
    };
    let m = msg(CrossEntropy::new().weight(&[1.0, 2.0]).classes(x, &[0, 1]));
    assert!(m.contains("weight holds 2 values") && m.contains("3 classes"), "{m}");
    let m = msg(CrossEntropy::new().weight(&[1.0, f64::NAN, 1.0]).classes(x, &[0, 1]));
    assert!(m.contains("weight of class 1 must be finite"), "{m}");
    let m = msg(CrossEntropy::new().ignore_index(9).classes(x, &[9, 9]));
    assert!(m.contains("weighted mean") && m.contains("2 of 2 rows are ignored"), "{m}");
    let m = msg(CrossEntropy::new().weight(&[0.0, 0.0, 1.0]).classes(x, &[0, 1]));
    assert!(m.contains("weights of the rest sum to 0"), "{m}");
    let p = tape.constant(&Tensor::new(&[2, 3], vec![1.0, 0.0, 0.0, 0.0, 1.0, 0.0]).unwrap());
    let m = msg(CrossEntropy::new().ignore_index(0).probs(x, p));
    assert!(m.contains("class-index targets only"), "{m}");
    // A target out of range that is not the ignored index is still refused.
    let m = msg(CrossEntropy::new().ignore_index(9).classes(x, &[9, 3]));
    assert!(m.contains("target 3 at row 1 is out of range"), "{m}");
    // Sum over nothing kept is 0, and ignored rows get no gradient.
    let l = CrossEntropy::new().ignore_index(9).reduction(Reduction::Sum).classes(x, &[9, 9]).unwrap();
    assert_eq!(l.item(), 0.0);
    let l = CrossEntropy::new().ignore_index(9).classes(x, &[9, 2]).unwrap();
    let g = l.backward().wrt(x);
    assert_eq!(&g.data()[..3], &[0.0, 0.0, 0.0]);
}

proptest! {
    #![proptest_config(config(48))]

    /// Weighted and ignored rows against a plain-f64 reference of PyTorch's definition and
    /// against central differences (gradcheck).
    #[test]
    fn cross_entropy_with_weights_and_ignored_rows_matches_reference_and_fd(
        (n, c, xs, ts) in classification_s(),
        red in reduction_s(),
        eps in prop_oneof![Just(0.0), 0.0..1.0f64],
        seed in 0..1000u64,
    ) {
        // Weights in [0.1, 2]; every third row (by seed) ignored through an index ≥ c.
        let w: Vec<f64> = (0..c).map(|k| 0.1 + ((k as u64 * 7 + seed) % 20) as f64 * 0.1).collect();
        let ignore = c + 1;
        let ts: Vec<usize> =
            ts.iter().enumerate().map(|(i, &t)| if (i as u64 + seed).is_multiple_of(3) { ignore } else { t }).collect();
        let kept: Vec<usize> = (0..n).filter(|&i| ts[i] != ignore).collect();
        let x = Tensor::new(&[n, c], xs.clone()).unwrap();
        let ce = CrossEntropy::new().reduction(red).label_smoothing(eps).weight(&w).ignore_index(ignore);
        let tape = Tape::<f64>::new();
        let xv = tape.var(&x);
        let got = ce.classes(xv, &ts);
        // Reference: per kept row (1 − ε)·w[t]·(−log p[t]) + (ε/c)·Σₖ wₖ·(−log pₖ).
        let per: Vec<f64> = (0..n)
            .map(|i| {
                if ts[i] == ignore {
                    return 0.0;
                }
                let lp = ref_log_softmax(&xs[i * c..(i + 1) * c]);
                let smooth: f64 = (0..c).map(|k| -w[k] * lp[k]).sum();
                (1.0 - eps) * (-w[ts[i]] * lp[ts[i]]) + eps / c as f64 * smooth
            })
            .collect();
        let den: f64 = kept.iter().map(|&i| w[ts[i]]).sum();
        if red == Reduction::Mean && kept.is_empty() {
            prop_assert!(got.is_err());
            return Ok(());
        }
        let l = got.unwrap();
        match red {
            Reduction::None => {
                for (a, b) in l.value().data().iter().zip(&per) {
                    prop_assert!(close(*a, *b, 1e-13), "{:?} vs {per:?}", l.value().data());
                }
            }
            _ => {
                let s: f64 = per.iter().sum();
                let want = if red == Reduction::Mean { s / den } else { s };
                prop_assert!(close(l.item(), want, 1e-13), "loss {} vs {want}", l.item());
            }
        }
        let rep = gradcheck(move |v| ce.classes(v[0], &ts).unwrap().sum(), &[x], &CheckOptions::default());
        prop_assert!(rep.passed() && rep.kinks().is_empty(), "{}", rep);
    }
}

/// `F.nll_loss(lp, t, weight=w, ignore_index=i, reduction=r)` and the gradient of its sum,
/// from torch 2.15 in float64 (lp = [[-0.5, -1.0, -2.5], [-2.0, -0.25, -1.1],
/// [-0.1, -3.0, -0.7], [-1.3, -0.9, -0.4]], w = [0.5, 2.0, 1.5]); and NllLoss of
/// log_softmax is CrossEntropy with the same options, to the bit.
#[test]
fn nll_loss_weights_and_ignore_index_match_pytorch() {
    type Case =
        (&'static [usize], Option<&'static [f64]>, Option<usize>, Reduction, &'static [f64], &'static [f64]);
    let cases: [Case; 9] = [
        (
            &[2, 0, 1, 2],
            Some(&[0.5, 2.0, 1.5]),
            None,
            Reduction::Mean,
            &[2.0636363636363635],
            &[
                0.0,
                0.0,
                -0.2727272727272727,
                -0.09090909090909091,
                0.0,
                0.0,
                0.0,
                -0.36363636363636365,
                0.0,
                0.0,
                0.0,
                -0.2727272727272727,
            ],
        ),
        (
            &[2, 9, 1, 9],
            None,
            Some(9),
            Reduction::Mean,
            &[2.75],
            &[0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0],
        ),
        (
            &[0, 1, 9, 2],
            Some(&[0.5, 2.0, 1.5]),
            Some(9),
            Reduction::Mean,
            &[0.3375],
            &[-0.125, 0.0, 0.0, 0.0, -0.5, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -0.375],
        ),
        (
            &[2, 0, 1, 2],
            Some(&[0.5, 2.0, 1.5]),
            None,
            Reduction::Sum,
            &[11.35],
            &[0.0, 0.0, -1.5, -0.5, 0.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, -1.5],
        ),
        (
            &[2, 9, 1, 9],
            None,
            Some(9),
            Reduction::Sum,
            &[5.5],
            &[0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0],
        ),
        (
            &[0, 1, 9, 2],
            Some(&[0.5, 2.0, 1.5]),
            Some(9),
            Reduction::Sum,
            &[1.35],
            &[-0.5, 0.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.5],
        ),
        (
            &[2, 0, 1, 2],
            Some(&[0.5, 2.0, 1.5]),
            None,
            Reduction::None,
            &[3.75, 1.0, 6.0, 0.6000000000000001],
            &[0.0, 0.0, -1.5, -0.5, 0.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, -1.5],
        ),
        (
            &[2, 9, 1, 9],
            None,
            Some(9),
            Reduction::None,
            &[2.5, 0.0, 3.0, 0.0],
            &[0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0, -1.0, 0.0, 0.0, 0.0, 0.0],
        ),
        (
            &[0, 1, 9, 2],
            Some(&[0.5, 2.0, 1.5]),
            Some(9),
            Reduction::None,
            &[0.25, 0.5, 0.0, 0.6000000000000001],
            &[-0.5, 0.0, 0.0, 0.0, -2.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, -1.5],
        ),
    ];
    let lp =
        Tensor::new(&[4, 3], vec![-0.5, -1.0, -2.5, -2.0, -0.25, -1.1, -0.1, -3.0, -0.7, -1.3, -0.9, -0.4])
            .unwrap();
    for (t, w, ign, red, loss, grad) in cases {
        let mut nll = NllLoss::new().reduction(red);
        if let Some(w) = w {
            nll = nll.weight(w);
        }
        if let Some(i) = ign {
            nll = nll.ignore_index(i);
        }
        let tape = Tape::<f64>::new();
        let x = tape.var(&lp);
        let l = nll.classes(x, t).unwrap();
        for (a, b) in l.value().data().iter().zip(loss) {
            assert!((a - b).abs() <= 1e-15, "{t:?} {red:?}: {:?} vs {loss:?}", l.value().data());
        }
        let g = l.sum().backward().wrt(x);
        for (a, b) in g.data().iter().zip(grad) {
            assert!((a - b).abs() <= 1e-15, "{t:?} {red:?}: gradient {:?} vs {grad:?}", g.data());
        }
        // NllLoss of log_softmax is CrossEntropy with the same options.
        let mut ce = CrossEntropy::new().reduction(red);
        if let Some(w) = w {
            ce = ce.weight(w);
        }
        if let Some(i) = ign {
            ce = ce.ignore_index(i);
        }
        let a = nll.classes(x.log_softmax(1), t).unwrap();
        let b = ce.classes(x, t).unwrap();
        assert_eq!(a.value().data(), b.value().data(), "{t:?} {red:?}");
    }
    // Its errors name nll_loss.
    let tape = Tape::<f64>::new();
    let x = tape.var(&lp);
    match NllLoss::new().weight(&[1.0]).classes(x, &[0, 1, 2, 0]) {
        Err(Error::InvalidArgument { op: "nll_loss", msg }) => assert!(msg.contains("log_probs"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

/// kl_div against PyTorch's definition, t·(ln t − x) with 0 where t = 0, for each
/// reduction; gradients −t (wrt the log-probabilities) and ln t + 1 − x (wrt the target;
/// −x where t = 0, xlogy's slope there taken as 0), finite with one-hot targets; gradcheck
/// through log_softmax.
#[test]
fn kl_div_matches_torch_with_zero_targets() {
    let logits = [0.2, -1.0, 0.5, 3.0, 0.0, -2.0];
    let target = [0.0, 0.25, 0.75, 1.0, 0.0, 0.0];
    let tape = Tape::<f64>::new();
    let x = tape.var_from(&[2, 3], &logits);
    let t = tape.var_from(&[2, 3], &target);
    let lq = x.log_softmax(1);
    let lqv = lq.value();
    let per: Vec<f64> =
        target.iter().zip(lqv.data()).map(|(&t, &l)| if t == 0.0 { 0.0 } else { t * (t.ln() - l) }).collect();
    let none = kl_div(lq, t, Reduction::None).unwrap();
    assert_all_close(none.value().data(), &per, 1e-15);
    let sum = kl_div(lq, t, Reduction::Sum).unwrap();
    assert!(close(sum.item(), per.iter().sum(), 1e-15));
    let mean = kl_div(lq, t, Reduction::Mean).unwrap();
    assert!(close(mean.item(), per.iter().sum::<f64>() / 6.0, 1e-15));
    let g = sum.backward();
    // Through log_softmax: softmax(x) − t per row (each target row sums to 1).
    let q: Vec<f64> = lqv.data().iter().map(|l| l.exp()).collect();
    let want: Vec<f64> = q.iter().zip(&target).map(|(q, t)| q - t).collect();
    assert_all_close(g.wrt(x).data(), &want, 1e-14);
    let gt: Vec<f64> =
        target.iter().zip(lqv.data()).map(|(&t, &l)| if t == 0.0 { -l } else { t.ln() + 1.0 - l }).collect();
    assert_all_close(g.wrt(t).data(), &gt, 1e-14);
    let rep = gradcheck(
        |v| {
            kl_div(v[0].log_softmax(1), v[0].tape().constant_from(&[2, 3], &target), Reduction::Mean).unwrap()
        },
        &[Tensor::new(&[2, 3], logits.to_vec()).unwrap()],
        &CheckOptions::default(),
    );
    assert_clean(&rep);
    let e = kl_div(lq, tape.constant_from(&[3], &[1.0, 0.0, 0.0]), Reduction::Sum).unwrap_err().to_string();
    assert!(e.starts_with("kl_div: incompatible shapes [2, 3]") && e.contains("[3]"), "{e}");
}
