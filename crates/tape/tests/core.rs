//! The engine's contracts: element types, deep graphs, conventions at kinks, repeated and
//! reused backward passes, errors, gradient stopping, tape reuse and statistics.

mod common;

use std::panic::{catch_unwind, AssertUnwindSafe};

use proptest::prelude::*;
use wengert_tape::{Error, Float, Grads, NodeId, Tape, Tensor, Var};

/// The panic message of `f`, which must panic.
fn panic_message<R>(f: impl FnOnce() -> R) -> String {
    let err = match catch_unwind(AssertUnwindSafe(f)) {
        Ok(_) => panic!("expected a panic"),
        Err(e) => e,
    };
    if let Some(s) = err.downcast_ref::<String>() {
        s.clone()
    } else if let Some(s) = err.downcast_ref::<&str>() {
        (*s).to_string()
    } else {
        String::from("<non-string panic payload>")
    }
}

fn assert_all_close(got: &[f64], want: &[f64], tol: f64) {
    assert_eq!(got.len(), want.len(), "lengths of {got:?} and {want:?}");
    for (i, (a, b)) in got.iter().zip(want).enumerate() {
        assert!((a - b).abs() <= tol * b.abs().max(1.0), "element {i}: {a} vs {b}\n{got:?}\n{want:?}");
    }
}

// ---- element types ----

/// The same expression for any element type: value and gradients, as f64.
fn mixed_expression<T: Float>() -> (f64, Vec<f64>, Vec<f64>) {
    let c = T::from_f64;
    let t = Tape::<T>::new();
    let x = t.var(&Tensor::from_fn(&[2, 3], |i| c(0.3 * i as f64 - 0.7)));
    let w = t.var(&Tensor::from_fn(&[3, 2], |i| c(0.25 * i as f64 - 0.6)));
    let h = (x.matmul(w) + c(0.5)).tanh(); // [2, 2]
    let y = h.log_softmax(-1).sum() + x.exp().mean() * h.sigmoid().sum()
        - (x.square() + c(1.0)).sqrt().ln().sum_axis(0, false).max()
        + x.softplus().powf(c(1.5)).sum() / (w.abs() + c(2.0)).sum()
        + x.rsub(c(2.0)).maximum(x).sum()
        + x.clamp(c(-0.5), c(0.5)).sin().sum();
    let g = y.backward();
    let f = |v: &[T]| v.iter().map(|a| a.to_f64()).collect::<Vec<f64>>();
    (y.item().to_f64(), f(&g[x]), f(&g[w]))
}

#[test]
fn f32_and_f64_give_the_same_results() {
    let (v64, gx64, gw64) = mixed_expression::<f64>();
    let (v32, gx32, gw32) = mixed_expression::<f32>();
    assert!(v64.is_finite() && gx64.iter().chain(&gw64).all(|g| g.is_finite()));
    assert_all_close(&[v32], &[v64], 1e-5);
    assert_all_close(&gx32, &gx64, 1e-4);
    assert_all_close(&gw32, &gw64, 1e-4);
}

#[test]
fn f32_operators_with_constants_on_either_side() {
    let t = Tape::<f32>::new();
    let x = t.scalar(2.0f32);
    let y = 1.0f32 - x * 3.0 + 4.0 / x + (x - 1.0) / 2.0 + 0.5 + 2.0 * x;
    assert_eq!(y.item(), 1.0 - 6.0 + 2.0 + 0.5 + 0.5 + 4.0);
    assert_eq!(y.backward().scalar(x), -3.0 - 4.0 / 4.0 + 0.5 + 2.0);
}

// ---- deep graphs ----

#[test]
fn chain_of_a_million_ops() {
    // y = x·c^n; dy/dx = c^n. The reverse sweep is a loop, so the default test thread's
    // stack suffices.
    const N: usize = 1_000_000;
    let c = 1.000001f64;
    let t = Tape::new();
    let x = t.scalar(0.5);
    let mut y = x;
    for _ in 0..N {
        y *= c;
    }
    assert_eq!(t.len(), N + 1);
    let want = c.powi(N as i32);
    assert!((y.backward().scalar(x) - want).abs() < 1e-9 * want);
    assert!((y.item() - 0.5 * want).abs() < 1e-9 * want);
}

#[test]
fn sin_chain_of_a_million_ops() {
    // y = sin∘…∘sin(x); dy/dx = Π cos(x_k), computed alongside in plain f64.
    const N: usize = 1_000_000;
    let t = Tape::new();
    let x = t.scalar(1.2);
    let (mut y, mut v, mut d) = (x, 1.2f64, 1.0f64);
    for _ in 0..N {
        y = y.sin();
        d *= v.cos();
        v = v.sin();
    }
    assert_eq!(y.item(), v);
    let g = y.backward().scalar(x);
    assert!((g - d).abs() <= 1e-12 * d.abs(), "{g} vs {d}");
}

#[test]
fn recorded_backward_of_a_long_chain() {
    // f = x²·c^n: f' = 2x·c^n, f'' = 2c^n, through a recorded backward of 200 000 steps.
    const N: usize = 200_000;
    let c = 1.00001f64;
    let t = Tape::new();
    let x0 = 0.75;
    let x = t.scalar(x0);
    let mut y = x * x;
    for _ in 0..N {
        y *= c;
    }
    let dy = y.backward_graph().wrt(x);
    let want = c.powi(N as i32);
    assert!((dy.item() - 2.0 * x0 * want).abs() < 1e-9 * want);
    assert!((dy.backward().scalar(x) - 2.0 * want).abs() < 1e-9 * want);
}

#[test]
fn fan_in_sums_every_use() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, -2.0]));
    let mut y = x;
    for _ in 0..99 {
        y += x;
    }
    let s = (y * x).sum(); // 100x²
    assert_eq!(s.backward()[x], [200.0, -400.0]);
}

/// `sum` adds in numpy's pairwise order, so a contiguous sum is `numpy.sum`'s to the bit.
/// The expected bits were printed by numpy 2.4 for the same inputs (each element is one
/// correctly rounded division and product, so both sides start from the same values):
/// `F = [1e-3, 1.0, 1e3]; x = np.array([((i*7919) % 1013 - 506) / 7.0 * F[i % 3] for i in
/// range(n)]); x.sum(), x.astype(np.float32).sum()`.
#[test]
fn sums_agree_with_numpy_to_the_bit() {
    let x = |n: usize| -> Vec<f64> {
        let f = [1e-3, 1.0, 1e3];
        (0..n)
            .map(|i| ((i * 7919) % 1013) as f64 - 506.0)
            .enumerate()
            .map(|(i, v)| v / 7.0 * f[i % 3])
            .collect()
    };
    for (n, want64, want32) in [
        (129, 11992.397857142874, 11992.390625),
        (255, 83015.65914285713, 83015.6875),
        (1000, 66325.16371428562, 66325.25),
        (10007, -43869.83699999997, -43869.8828125),
    ] {
        let t = Tape::<f64>::new();
        assert_eq!(
            t.constant(&Tensor::from_vec(x(n))).sum().item().to_bits(),
            f64::to_bits(want64),
            "f64, n = {n}"
        );
        let t = Tape::<f32>::new();
        let v: Vec<f32> = x(n).into_iter().map(|v| v as f32).collect();
        // f32 → f64 is exact, so equal f64s are equal f32s.
        assert_eq!(f64::from(t.constant(&Tensor::from_vec(v)).sum().item()), want32, "f32, n = {n}");
    }
}

// ---- conventions at kinks ----

/// Gradients of Σ f(x) ⊙ seed for x = `x`, by the numeric and by the recorded backward.
fn both_grads(x: &Tensor, seed: Option<&Tensor>, f: impl for<'t> Fn(Var<'t>) -> Var<'t>) -> [Vec<f64>; 2] {
    let t = Tape::new();
    let v = t.var(x);
    let y = f(v);
    let s = match seed {
        Some(w) => (y * t.constant(w)).sum(),
        None => y.sum(),
    };
    let numeric = s.backward()[v].to_vec();
    let recorded = s.backward_graph().wrt(v).value().into_data();
    [numeric, recorded]
}

fn assert_grads(x: &Tensor, f: impl for<'t> Fn(Var<'t>) -> Var<'t>, want: &[f64]) {
    for g in both_grads(x, None, f) {
        assert_eq!(g, want);
    }
}

#[test]
fn relu_abs_clamp_derivatives_at_kinks() {
    let x = Tensor::from([-1.5, 0.0, 2.0, -0.0]);
    assert_grads(&x, |v| v.relu(), &[0.0, 0.0, 1.0, 0.0]);
    assert_grads(&x, |v| v.abs(), &[-1.0, 0.0, 1.0, 0.0]);
    let x = Tensor::from([-1.0, 1.0, -2.0, 2.0, 0.5, -0.999]);
    assert_grads(&x, |v| v.clamp(-1.0, 1.0), &[0.0, 0.0, 0.0, 0.0, 1.0, 1.0]);
    // Scalars take the fast path of the sweep.
    for (x0, relu, abs) in [(0.0, 0.0, 0.0), (1e-300, 1.0, 1.0), (-1e-300, 0.0, -1.0)] {
        assert_grads(&Tensor::scalar(x0), |v| v.relu(), &[relu]);
        assert_grads(&Tensor::scalar(x0), |v| v.abs(), &[abs]);
    }
    assert_grads(&Tensor::scalar(1.0), |v| v.clamp(-1.0, 1.0), &[0.0]);
    assert_grads(&Tensor::scalar(-1.0), |v| v.clamp(-1.0, 1.0), &[0.0]);
}

#[test]
fn max_reduction_splits_ties_evenly() {
    assert_grads(&Tensor::from([1.0, 3.0, 3.0]), |v| v.max(), &[0.0, 0.5, 0.5]);
    assert_grads(&Tensor::from([2.0, 2.0, 2.0]), |v| v.max(), &[1.0 / 3.0; 3]);
    assert_grads(&Tensor::from([-4.0, -1.0, -2.0, -1.0]), |v| v.max(), &[0.0, 0.5, 0.0, 0.5]);
    assert_grads(&Tensor::from([[1.0, 3.0], [3.0, 0.0]]), |v| v.max(), &[0.0, 0.5, 0.5, 0.0]);
    assert_grads(&Tensor::scalar(7.0), |v| v.max(), &[1.0]);
}

#[test]
fn max_axis_splits_ties_evenly() {
    let x = Tensor::from([[1.0, 3.0, 3.0], [5.0, 5.0, 0.0]]);
    for keepdim in [false, true] {
        assert_grads(&x, |v| v.max_axis(1, keepdim), &[0.0, 0.5, 0.5, 0.5, 0.5, 0.0]);
        assert_grads(&x, |v| v.max_axis(-1, keepdim), &[0.0, 0.5, 0.5, 0.5, 0.5, 0.0]);
    }
    let x = Tensor::from([[1.0, 3.0, 3.0], [1.0, 0.0, 3.0]]);
    assert_grads(&x, |v| v.max_axis(0, false), &[0.5, 1.0, 0.5, 0.5, 0.0, 0.5]);
    // With a seed per output element, each element's share is weighted by its own seed.
    let seed = Tensor::from([10.0, 100.0, 1000.0]);
    for g in both_grads(&x, Some(&seed), |v| v.max_axis(0, false)) {
        assert_eq!(g, [5.0, 100.0, 500.0, 5.0, 0.0, 500.0]);
    }
}

/// A NaN maximum (`max` propagates NaN) sends its gradient to the NaN elements, split
/// evenly as ties are (PyTorch's convention), so the gradient does not silently vanish;
/// the numeric and the recorded VJP agree.
#[test]
fn a_nan_maximum_takes_the_gradient_to_its_nans() {
    let nan = f64::NAN;
    assert_grads(&Tensor::from([nan, 1.0]), |v| v.max(), &[1.0, 0.0]);
    assert_grads(&Tensor::from([2.0, nan, 1.0, nan]), |v| v.max(), &[0.0, 0.5, 0.0, 0.5]);
    let x = Tensor::from([[1.0, nan, 3.0], [2.0, 4.0, 4.0]]);
    assert_grads(&x, |v| v.max_axis(1, false), &[0.0, 1.0, 0.0, 0.0, 0.5, 0.5]);
    // eq_mask, which the recorded VJP uses, counts NaN as equal to NaN.
    let t = Tape::new();
    let m = t
        .constant(&Tensor::from([nan, nan, 1.0, 0.0]))
        .eq_mask(t.constant(&Tensor::from([nan, 1.0, 1.0, -0.0])));
    assert_eq!(m.value().data(), [1.0, 0.0, 1.0, 1.0]);
}

/// min is max's mirror (ties split evenly); var and std match numpy's `ddof`.
#[test]
fn min_var_std_values_and_ties() {
    assert_grads(&Tensor::from([3.0, -1.0, 2.0, -1.0]), |v| v.min(), &[0.0, 0.5, 0.0, 0.5]);
    let x = Tensor::from([[1.0, 5.0, 5.0], [0.0, -2.0, 3.0]]);
    assert_grads(&x, |v| v.min_axis(1, false), &[1.0, 0.0, 0.0, 0.0, 1.0, 0.0]);
    let t = Tape::<f64>::new();
    let v = t.var(&Tensor::from([[1.0, 2.0, 4.0], [0.0, 0.0, 3.0]]));
    assert_eq!(v.min().item(), 0.0);
    assert_eq!(v.min_axis(0, true).value().data(), [0.0, 0.0, 3.0]);
    // numpy: x.var(axis=1, ddof=1) = [7/3, 3], x.std(axis=0, ddof=0) = [0.5, 1, 0.5].
    let var = v.var_axis(1, false, 1).value();
    assert!((var.data()[0] - 7.0 / 3.0).abs() < 1e-15 && var.data()[1] == 3.0, "{var:?}");
    assert_eq!(v.std_axis(0, false, 0).value().data(), [0.5, 1.0, 0.5]);
    assert!((v.var(0).item() - 20.0 / 9.0).abs() < 1e-15); // mean 5/3, Σ d² = 120/9, over 6
}

#[test]
fn maximum_and_minimum_split_ties() {
    let x = Tensor::from([-1.0, 0.0, 2.5]);
    // maximum(x, x) = x: each side gets ½, the total is 1.
    assert_grads(&x, |v| v.maximum(v), &[1.0, 1.0, 1.0]);
    assert_grads(&x, |v| v.minimum(v), &[1.0, 1.0, 1.0]);
    for s in [3.0, 0.0] {
        assert_grads(&Tensor::scalar(s), |v| v.maximum(v), &[1.0]);
    }
    // Two variables with equal values: ½ each; unequal: all to the larger (smaller).
    for (mx, want_a, want_b) in
        [(true, [0.5, 0.5, 1.0], [0.5, 0.5, 0.0]), (false, [0.5, 0.5, 0.0], [0.5, 0.5, 1.0])]
    {
        let t = Tape::new();
        let a = t.var(&Tensor::from([1.0, -2.0, 3.0]));
        let b = t.var(&Tensor::from([1.0, -2.0, 0.0]));
        let y = if mx { a.maximum(b) } else { a.minimum(b) }.sum();
        let g = y.backward();
        assert_eq!((&g[a], &g[b]), (&want_a[..], &want_b[..]));
        let gv = y.backward_graph();
        assert_eq!(gv.wrt(a).value().data(), want_a);
        assert_eq!(gv.wrt(b).value().data(), want_b);
    }
    // Scalars take the fast path of the sweep.
    let t = Tape::new();
    let (a, b) = (t.scalar(2.0), t.scalar(2.0));
    let g = a.maximum(b).backward();
    assert_eq!((g.scalar(a), g.scalar(b)), (0.5, 0.5));
    let g = a.minimum(b).backward();
    assert_eq!((g.scalar(a), g.scalar(b)), (0.5, 0.5));
}

#[test]
fn pow_at_a_zero_base() {
    // ∂(aᵇ)/∂a = b·aᵇ⁻¹ (0 when b = 0); ∂(aᵇ)/∂b is taken as 0 where a = 0 and b ≥ 0.
    // The numeric and the recorded backward follow the same rule, for tensors and scalars.
    for (b0, da) in [(0.0, 0.0), (1.0, 1.0), (2.0, 0.0), (3.0, 0.0)] {
        for shape in [&[][..], &[1][..]] {
            let t = Tape::new();
            let a = t.var(&Tensor::new(shape, vec![0.0]).unwrap());
            let b = t.var(&Tensor::new(shape, vec![b0]).unwrap());
            let y = a.pow(b).sum();
            let g = y.backward();
            assert_eq!((g[a][0], g[b][0]), (da, 0.0), "numeric, b = {b0}, shape {shape:?}");
            let gv = y.backward_graph();
            let (ra, rb) = (gv.wrt(a).value().data()[0], gv.wrt(b).value().data()[0]);
            assert_eq!((ra, rb), (da, 0.0), "recorded, b = {b0}, shape {shape:?}");
        }
    }
    // powf with a constant exponent: p = 0 gives 0, p = 1 gives 1 at x = 0.
    assert_grads(&Tensor::from([0.0]), |v| v.powf(0.0), &[0.0]);
    assert_grads(&Tensor::from([0.0]), |v| v.powf(1.0), &[1.0]);
    assert_grads(&Tensor::from([0.0]), |v| v.powf(2.0), &[0.0]);
}

#[test]
fn nan_propagates_through_kinked_ops() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([f64::NAN, 1.0]));
    let one = t.constant(&Tensor::from([0.0, 0.0]));
    assert!(x.relu().value().data()[0].is_nan());
    assert!(x.maximum(one).value().data()[0].is_nan());
    assert!(one.maximum(x).value().data()[0].is_nan());
    assert!(x.minimum(one).value().data()[0].is_nan());
    assert!(x.max().item().is_nan());
    assert!(x.max_axis(0, false).item().is_nan());
    assert!(
        x.clamp(-1.0, 1.0).value().data()[0].is_nan() || x.clamp(-1.0, 1.0).value().data()[0].abs() <= 1.0
    );
}

#[test]
fn concat_of_variables_and_constants() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([[1.0, 2.0]]));
    let c = t.constant(&Tensor::from([[3.0, 4.0]]));
    let y = Var::concat(&[c, x, c, x], 0); // [4, 2]
    let s = (y * t.constant(&Tensor::from_fn(&[4, 2], |i| i as f64))).sum();
    let g = s.backward();
    assert_eq!(g[x], [2.0 + 6.0, 3.0 + 7.0]);
    assert!(!g.reached(c));
    assert_eq!(s.backward_graph().wrt(x).value().data(), [8.0, 10.0]);
    let only_constants = Var::concat(&[c, c], 1);
    assert!(!only_constants.requires_grad());
}

// ---- views ----

/// Slices of one contiguous block and reshapes read their input's value in place, but each
/// keeps an adjoint of its own: a view's gradient is its own, not its input's.
#[test]
fn a_view_has_its_own_gradient() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, 2.0, 3.0, 4.0]));
    let (lo, hi) = (x.slice(0, 0, 3), x.slice(0, 1, 3));
    let m = hi.reshape(&[3, 1]);
    assert_eq!(lo.value().data(), [1.0, 2.0, 3.0]);
    assert_eq!(m.value().data(), [2.0, 3.0, 4.0]);
    let w = t.constant(&Tensor::from([[100.0], [200.0], [300.0]]));
    let f = (lo * 2.0).sum() + (hi * 10.0).sum() + (m * w).sum();
    let g = f.backward();
    assert_eq!(g[lo], [2.0; 3]);
    assert_eq!(g[m], [100.0, 200.0, 300.0]);
    assert_eq!(g[hi], [110.0, 210.0, 310.0]);
    assert_eq!(g[x], [2.0, 112.0, 212.0, 310.0]);
    assert_eq!(f.backward_graph().wrt(x).value().data(), [2.0, 112.0, 212.0, 310.0]);
}

/// A view's own slot of the value buffer is never written; its value comes from its input
/// even where the reused buffer holds NaNs from an earlier step, in the tensor rules and
/// in the scalar ones (a view of shape []).
#[test]
fn a_view_reads_its_input_not_the_reused_buffer() {
    let mut t = Tape::new();
    {
        let x = t.var(&Tensor::from(vec![f64::NAN; 64]));
        let _ = x.exp().exp();
    }
    t.reset();
    let x = t.var(&Tensor::from([1.0, 2.0, 3.0]));
    let v = x.slice(0, 1, 2).reshape(&[2, 1]);
    let s = x.reshape(&[3]).slice(0, 2, 1).reshape(&[]);
    assert_eq!(v.value().data(), [2.0, 3.0]);
    assert_eq!(s.item(), 3.0);
    let y = (v * s).sum() + s.sin() * s;
    assert_eq!(y.item(), 2.0 * 3.0 + 9.0 + 3f64.sin() * 3.0);
    let g = y.backward();
    assert_eq!(g[x], [0.0, 3.0, 2.0 + 6.0 + 3f64.cos() * 3.0 + 3f64.sin()]);
    assert_eq!(g.scalar(s), 2.0 + 3.0 + 3f64.cos() * 3.0 + 3f64.sin());
}

// ---- repeated and reused backward passes ----

#[test]
fn backward_twice_gives_identical_gradients() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([[0.5, -1.0], [2.0, 0.25]]));
    let b = t.var(&Tensor::from([0.1, 0.2]));
    let y = ((x.matmul(x) + b).tanh() * x).sum() + x.sum().sin();
    let g1 = y.backward();
    let g2 = y.backward();
    assert_eq!(g1.wrt(x), g2.wrt(x));
    assert_eq!(g1.wrt(b), g2.wrt(b));
    // More nodes recorded in between (including a recorded backward) change nothing.
    let _ = y.backward_graph();
    let _ = (x * 3.0).sum().backward();
    let g3 = y.backward();
    assert_eq!(g1.wrt(x), g3.wrt(x));
    assert_eq!(g1.wrt(b), g3.wrt(b));
}

#[test]
fn backward_into_reuse_matches_fresh_buffers() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, 2.0, 3.0]));
    let z = t.scalar(0.5);
    let big = (x.exp() * z).sum(); // reaches x and z
    let small = x.square().sum(); // reaches x only
    let other = z.sin(); // reaches z only
    let mut buf = Grads::new();
    for y in [big, small, other, big, other, small] {
        y.backward_into(&mut buf);
        let fresh = y.backward();
        assert_eq!(buf.wrt(x), fresh.wrt(x));
        assert_eq!(buf.wrt(z), fresh.wrt(z));
        assert_eq!(buf.reached(x), fresh.reached(x));
        assert_eq!(buf.reached(z), fresh.reached(z));
    }
    assert_eq!(buf.wrt(x).data(), [2.0, 4.0, 6.0]);
    assert!(!buf.reached(z));
    assert_eq!(buf.scalar(z), 0.0);
}

#[test]
fn backward_into_across_tapes_and_resets() {
    let mut buf = Grads::new();
    let mut tape = Tape::new();
    {
        let x = tape.var(&Tensor::from([1.0, 2.0, 3.0, 4.0]));
        (x * x * x).sum().backward_into(&mut buf);
        assert_eq!(buf[x], [3.0, 12.0, 27.0, 48.0]);
    }
    tape.reset();
    let other = Tape::new();
    for t in [&tape, &other] {
        // A smaller graph in a buffer left over from a bigger one: no stale adjoints.
        let y = t.var(&Tensor::from([5.0, 6.0]));
        let unused = t.var(&Tensor::from([1.0, 1.0]));
        let s = (y * 2.0).sum();
        s.backward_into(&mut buf);
        assert_eq!(buf[y], [2.0, 2.0]);
        assert_eq!(buf[unused], [0.0, 0.0]);
        assert!(!buf.reached(unused));
    }
}

/// A few outputs over shared variables, differentiated in a random order into one buffer.
fn reuse_order() -> impl Strategy<Value = Vec<usize>> {
    proptest::collection::vec(0..5usize, 1..12)
}

proptest! {
    #![proptest_config(common::config(64))]

    #[test]
    fn backward_into_in_any_order_matches_fresh(order in reuse_order(), xs in proptest::collection::vec(-2.0..2.0f64, 6)) {
        let t = Tape::new();
        let a = t.var(&Tensor::new(&[2, 2], xs[..4].to_vec()).unwrap());
        let b = t.scalar(xs[4]);
        let c = t.var(&Tensor::from([xs[5], -xs[5]]));
        let outs = [
            (a * b).sum(),
            (a.matmul(a) + c).tanh().sum(),
            c.exp().sum() * b,
            a.sum(),
            b.sin(),
        ];
        let mut buf = Grads::new();
        for &k in &order {
            outs[k].backward_into(&mut buf);
            let fresh = outs[k].backward();
            for v in [a, b, c] {
                prop_assert_eq!(&buf[v], &fresh[v]);
                prop_assert_eq!(buf.reached(v), fresh.reached(v));
            }
        }
    }
}

// ---- errors ----

#[test]
fn shape_mismatch_names_op_shapes_and_nodes() {
    let t = Tape::<f64>::new();
    let a = t.var(&Tensor::zeros(&[2, 3]));
    let b = t.var(&Tensor::zeros(&[4]));
    let msg = panic_message(|| a + b);
    for part in ["add", "[2, 3]", "[4]", "v0", "v1"] {
        assert!(msg.contains(part), "{part:?} missing from {msg:?}");
    }
    let expected = |op| Error::ShapeMismatch {
        op,
        lhs: [2, 3].as_slice().into(),
        rhs: [4].as_slice().into(),
        lhs_node: NodeId(0),
        rhs_node: NodeId(1),
    };
    assert_eq!(a.try_add(b).unwrap_err(), expected("add"));
    assert_eq!(a.try_sub(b).unwrap_err(), expected("sub"));
    assert_eq!(a.try_mul(b).unwrap_err(), expected("mul"));
    assert_eq!(a.try_div(b).unwrap_err(), expected("div"));
    assert_eq!(a.try_pow(b).unwrap_err(), expected("pow"));
    assert_eq!(a.try_maximum(b).unwrap_err(), expected("maximum"));
    assert_eq!(a.try_minimum(b).unwrap_err(), expected("minimum"));
    for (op, msg) in [
        ("sub", panic_message(|| a - b)),
        ("mul", panic_message(|| a * b)),
        ("div", panic_message(|| a / b)),
        ("maximum", panic_message(|| a.maximum(b))),
    ] {
        assert!(msg.starts_with(op) && msg.contains("[2, 3]") && msg.contains("v1"), "{msg}");
    }
    assert!(matches!(
        a.try_matmul(b),
        Err(Error::ShapeMismatch { op: "matmul", lhs_node: NodeId(0), rhs_node: NodeId(1), .. })
    ));
    assert!(matches!(
        Var::try_concat(&[a, b], 0),
        Err(Error::ShapeMismatch { op: "concat", lhs_node: NodeId(0), rhs_node: NodeId(1), .. })
    ));
    // A failed op records nothing.
    assert_eq!(t.len(), 2);
}

#[test]
fn variables_of_another_tape_are_refused() {
    let t1 = Tape::new();
    let t2 = Tape::new();
    let a = t1.scalar(1.0);
    let b = t2.scalar(2.0);
    let msg = panic_message(|| a + b);
    assert!(msg.contains("add") && msg.contains("different tapes"), "{msg}");
    assert!(matches!(a.try_add(b), Err(Error::TapeMismatch { op: "add", .. })));
    assert!(matches!(a.try_mul(b), Err(Error::TapeMismatch { op: "mul", .. })));
    assert!(matches!(a.try_maximum(b), Err(Error::TapeMismatch { op: "maximum", .. })));
    // Gradients of one tape refuse variables of another.
    let g = (a * a).backward();
    assert!(g.get(b).is_none());
    assert!(!g.reached(b));
    let msg = panic_message(|| g.wrt(b));
    assert!(msg.contains("not from the tape"), "{msg}");
}

/// The variables of two tapes, for the tape-mismatch tests of the fallible ops.
fn with_two_tapes(f: impl for<'t> FnOnce(Var<'t>, Var<'t>)) {
    let t1 = Tape::<f64>::new();
    let t2 = Tape::<f64>::new();
    f(t1.var(&Tensor::zeros(&[2, 2])), t2.var(&Tensor::zeros(&[2, 2])));
}

#[test]
fn try_matmul_with_another_tape_returns_an_error() {
    with_two_tapes(|a, b| {
        let r = catch_unwind(AssertUnwindSafe(|| a.try_matmul(b).map(|v| v.node())));
        assert!(matches!(r, Ok(Err(Error::TapeMismatch { op: "matmul", .. }))), "try_matmul: {r:?}");
    });
}

#[test]
fn try_concat_with_another_tape_returns_an_error() {
    with_two_tapes(|a, b| {
        let r = catch_unwind(AssertUnwindSafe(|| Var::try_concat(&[a, b], 0).map(|v| v.node())));
        assert!(matches!(r, Ok(Err(Error::TapeMismatch { op: "concat", .. }))), "try_concat: {r:?}");
    });
}

/// y = x₁ + x₂, for the custom-op tape check.
struct Plus;

impl wengert_tape::CustomOp<f64> for Plus {
    fn name(&self) -> &str {
        "plus"
    }
    fn forward(&self, x: &[&Tensor]) -> wengert_tape::Result<Tensor> {
        Ok(Tensor::from_fn(x[0].shape(), |i| x[0].data()[i] + x[1].data()[i]))
    }
    fn vjp(&self, _x: &[&Tensor], _y: &Tensor, g: &Tensor) -> Vec<Tensor> {
        vec![g.clone(), g.clone()]
    }
}

#[test]
fn custom_op_with_another_tape_returns_an_error() {
    with_two_tapes(|a, b| {
        let r = catch_unwind(AssertUnwindSafe(|| {
            a.tape().custom(std::rc::Rc::new(Plus), &[a, b]).map(|v| v.node())
        }));
        assert!(matches!(r, Ok(Err(Error::TapeMismatch { op: "plus", .. }))), "custom: {r:?}");
    });
}

#[test]
fn fallible_ops_report_bad_arguments() {
    let t = Tape::new();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    let s = t.scalar(1.0);
    let n = t.len();
    assert!(matches!(x.try_sum_axis(2, false), Err(Error::InvalidAxis { op: "sum_axis", axis: 2, .. })));
    assert!(matches!(x.try_mean_axis(-3, true), Err(Error::InvalidAxis { op: "mean_axis", axis: -3, .. })));
    assert!(matches!(x.try_max_axis(5, true), Err(Error::InvalidAxis { op: "max_axis", .. })));
    assert!(matches!(x.try_logsumexp(2, true), Err(Error::InvalidAxis { .. })));
    assert!(matches!(x.try_reshape(&[4]), Err(Error::ReshapeSize { node: NodeId(0), .. })));
    assert!(matches!(x.try_permute(&[0, 0]), Err(Error::InvalidArgument { op: "permute", .. })));
    assert!(matches!(x.try_permute(&[1]), Err(Error::InvalidArgument { op: "permute", .. })));
    assert!(matches!(s.try_transpose(), Err(Error::InvalidArgument { op: "transpose", .. })));
    assert!(matches!(x.try_slice(1, 2, 2), Err(Error::InvalidArgument { op: "slice", .. })));
    assert!(matches!(x.try_slice(2, 0, 1), Err(Error::InvalidAxis { op: "slice", .. })));
    assert!(matches!(x.try_pad(0, 1, 2), Err(Error::InvalidArgument { op: "pad", .. })));
    assert!(matches!(x.try_index_select(&[0, 2]), Err(Error::InvalidArgument { op: "index_select", .. })));
    assert!(matches!(x.try_scatter_rows(&[0], 3), Err(Error::InvalidArgument { op: "scatter_rows", .. })));
    assert!(matches!(x.try_scatter_rows(&[0, 3], 3), Err(Error::InvalidArgument { op: "scatter_rows", .. })));
    assert!(matches!(x.try_broadcast_to(&[3, 3]), Err(Error::InvalidArgument { op: "broadcast_to", .. })));
    assert!(matches!(x.try_sum_to(&[2]), Err(Error::InvalidArgument { op: "sum_to", .. })));
    assert!(matches!(Var::<f64>::try_concat(&[], 0), Err(Error::InvalidArgument { op: "concat", .. })));
    assert!(matches!(x.try_matmul(x), Err(Error::ShapeMismatch { op: "matmul", .. })));
    let e = t.var(&Tensor::zeros(&[0]));
    assert!(e.try_max().is_err());
    assert!(x.try_max_axis(0, true).is_ok());
    // Messages name the op, the shape and the node.
    let msg = x.try_sum_axis(2, false).unwrap_err().to_string();
    assert!(msg.contains("sum_axis") && msg.contains("[2, 3]") && msg.contains("v0"), "{msg}");
    let msg = x.try_reshape(&[4]).unwrap_err().to_string();
    assert!(
        msg.contains("reshape") && msg.contains("[2, 3]") && msg.contains("[4]") && msg.contains("v0"),
        "{msg}"
    );
    // Failed ops record nothing (only x.try_max_axis(0, true) above did).
    assert_eq!(t.len(), n + 2);
}

#[test]
fn tensor_new_checks_the_element_count() {
    let e = Tensor::<f64>::new(&[2, 3], vec![1.0; 5]).unwrap_err();
    assert_eq!(
        e,
        Error::ElementCount { op: "Tensor::new", shape: [2, 3].as_slice().into(), expected: 6, got: 5 }
    );
    assert!(e.to_string().contains("[2, 3]") && e.to_string().contains('6') && e.to_string().contains('5'));
    assert!(Tensor::<f64>::new(&[], vec![]).is_err());
    assert!(Tensor::<f64>::new(&[0, 3], vec![]).is_ok());
    let t = Tape::<f64>::new();
    assert!(matches!(t.try_var_from(&[2], &[1.0]), Err(Error::ElementCount { expected: 2, got: 1, .. })));
    assert!(t.is_empty());
}

#[test]
fn backward_needs_a_scalar() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, 2.0]));
    let y = x * 2.0;
    let e = y.try_backward().unwrap_err();
    assert_eq!(e, Error::NotScalar { op: "backward", shape: [2].as_slice().into(), node: y.node() });
    assert!(matches!(y.try_backward_into(&mut Grads::new()), Err(Error::NotScalar { .. })));
    let msg = panic_message(|| y.backward());
    assert!(msg.contains("backward") && msg.contains("[2]") && msg.contains("v1"), "{msg}");
    let msg = panic_message(|| y.backward_graph());
    assert!(msg.contains("backward_graph") && msg.contains("[2]"), "{msg}");
    // A one-element tensor of any rank is fine.
    let one = x.slice(0, 1, 1).reshape(&[1, 1]);
    assert_eq!(one.backward()[x], [0.0, 1.0]);
    assert_eq!(one.backward_graph().wrt(x).value().data(), [0.0, 1.0]);
}

#[test]
fn backward_with_seed_is_a_vjp_and_checks_the_seed_shape() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, 2.0, 3.0]));
    let y = x.square(); // Jacobian diag(2x)
    let g = y.backward_with_seed(&Tensor::from([1.0, 10.0, 100.0]));
    assert_eq!(g[x], [2.0, 40.0, 600.0]);
    let e = y.try_backward_with_seed(&Tensor::from([1.0, 1.0])).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { op: "backward_with_seed", .. }));
    let msg = e.to_string();
    assert!(msg.contains("[2]") && msg.contains("[3]") && msg.contains(&y.node().to_string()), "{msg}");
    assert!(y.try_backward_with_seed(&Tensor::from([[1.0, 1.0, 1.0]])).is_err());
    let msg = panic_message(|| y.backward_with_seed(&Tensor::scalar(1.0)));
    assert!(msg.contains("backward_with_seed"), "{msg}");
    // The recorded form with a seed variable.
    let seed = t.constant(&Tensor::from([1.0, 10.0, 100.0]));
    assert_eq!(y.backward_graph_with_seed(seed).wrt(x).value().data(), [2.0, 40.0, 600.0]);
}

// ---- what gradients reach ----

#[test]
fn unused_inputs_get_zeros_and_are_not_reached() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, 2.0]));
    let unused = t.var(&Tensor::from([[3.0, 4.0], [5.0, 6.0]]));
    let later = t.scalar(9.0);
    let y = x.sum();
    let _after = later * 2.0;
    let g = y.backward();
    assert_eq!(g[unused], [0.0; 4]);
    assert_eq!(g.wrt(unused).shape(), &[2, 2]);
    assert!(!g.reached(unused) && g.reached(x));
    assert_eq!(g.scalar(later), 0.0);
    let gv = y.backward_graph();
    assert!(gv.get(unused).is_none());
    assert_eq!(gv.wrt(unused).value(), Tensor::zeros(&[2, 2]));
    // A variable recorded after the output is refused by the gradients.
    let newer = t.scalar(1.0);
    assert!(g.get(newer).is_none());
    assert!(panic_message(|| g.wrt(newer)).contains("recorded after"));
}

#[test]
fn detach_and_constants_stop_gradients() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, -2.0, 3.0]));
    let c = t.constant(&Tensor::from([2.0, 2.0, 2.0]));
    let y = (x * x.detach() + x * c).sum(); // d/dx = x + c (not 2x + c)
    let g = y.backward();
    assert_eq!(g[x], [3.0, 0.0, 5.0]);
    assert!(!g.reached(c));
    assert_eq!(g[c], [0.0; 3]);
    assert!(!c.requires_grad() && !x.detach().requires_grad() && x.requires_grad());
    assert_eq!(y.backward_graph().wrt(x).value().data(), [3.0, 0.0, 5.0]);
    // An output built only from constants and detached values has no gradient anywhere.
    let z = (x.detach().exp() * c).sum();
    assert!(!z.requires_grad());
    let g = z.backward();
    assert_eq!(g[x], [0.0; 3]);
    assert!(!g.reached(x));
    // Masks are constants too.
    let m = (x.step_mask() * x + x.sign() + x.abs().range_mask(0.5, 2.5) + x.is_zero()).sum();
    // d/dx (mask·x) = mask: only the factor x carries gradient.
    assert_eq!(m.backward()[x], [1.0, 0.0, 1.0]);
}

// ---- tape reuse and statistics ----

#[test]
fn reset_then_reuse() {
    let mut tape = Tape::new();
    let run = |t: &Tape| {
        let x = t.var(&Tensor::from([0.5, 1.5]));
        let y = (x.exp() * x).sum();
        let g = y.backward();
        (y.item(), g[x].to_vec(), t.len(), g)
    };
    let (v1, g1, n1, old) = run(&tape);
    tape.reset();
    assert!(tape.is_empty());
    let (v2, g2, n2, _) = run(&tape);
    assert_eq!((v1, &g1, n1), (v2, &g2, n2));
    // Gradients from before the reset refuse the new variables.
    let x = tape.scalar(1.0);
    assert!(old.get(x).is_none());
    assert!(panic_message(|| old.wrt(x)).contains("not from the tape"));
}

#[test]
fn rewind_keeps_earlier_nodes_and_fresh_gradients() {
    let mut tape = Tape::new();
    let data = tape.constant(&Tensor::from([1.0, 2.0, 3.0])).node();
    let w0 = tape.var(&Tensor::from([0.5, -0.5, 1.0])).node();
    let mark = tape.mark();
    let mut buf = Grads::new();
    for step in 0..4 {
        tape.rewind(&mark);
        assert_eq!(tape.len(), 2);
        let x = tape.get(data).unwrap();
        let w = tape.get(w0).unwrap();
        let s = tape.scalar(step as f64);
        // Alternate between graphs that do and do not reach w.
        let loss = if step % 2 == 0 { (x * w * s).sum() } else { (s * s).sin() };
        loss.backward_into(&mut buf);
        let fresh = loss.backward();
        assert_eq!(&buf[w], &fresh[w]);
        assert_eq!(&buf[s], &fresh[s]);
        let want_w: Vec<f64> = if step % 2 == 0 {
            [1.0, 2.0, 3.0].iter().map(|d| d * step as f64).collect()
        } else {
            vec![0.0; 3]
        };
        assert_eq!(buf[w], want_w[..]);
    }
    assert!(tape.get(NodeId(2)).is_some() && tape.get(NodeId(100)).is_none());
}

#[test]
fn stats_count_ops_and_bytes() {
    let t = Tape::<f64>::new();
    let x = t.scalar(1.0);
    let y = t.scalar(2.0);
    let z = x * y + x * 3.0;
    let _ = z.sin() * z;
    let s = t.stats();
    assert_eq!(s.nodes, t.len());
    assert_eq!(s.nodes, 7);
    assert_eq!(s.scalar_nodes, 7);
    let count = |op: &str| s.per_op.iter().find(|(name, _)| *name == op).map_or(0, |(_, c)| *c);
    assert_eq!((count("var"), count("mul"), count("mul_const"), count("add"), count("sin")), (2, 2, 1, 1, 1));
    assert_eq!(s.per_op.iter().map(|(_, c)| c).sum::<usize>(), 7);
    assert!(s.per_op.windows(2).all(|w| w[0].1 >= w[1].1), "most frequent first: {:?}", s.per_op);
    assert!(s.bytes_per_scalar_node <= 32, "{} bytes per scalar node", s.bytes_per_scalar_node);
    assert!(s.node_bytes <= 7 * 24 && s.value_bytes == 7 * 8);
    assert!(!s.to_string().is_empty());
    let s32 = Tape::<f32>::new().stats();
    assert!(s32.bytes_per_scalar_node <= 28);
    // A tensor op is one node whatever its size.
    let t = Tape::<f64>::new();
    let v = t.var(&Tensor::zeros(&[100, 100]));
    let _ = v.exp();
    let s = t.stats();
    assert_eq!((s.nodes, s.scalar_nodes, s.value_bytes, s.view_bytes), (2, 0, 2 * 10_000 * 8, 0));
    // Views reserve slots they never write, reported apart; a slice that is not one block
    // copies, and is not a view.
    let r = v.reshape(&[10_000]);
    let _ = r.slice(0, 10, 90);
    let _ = v.slice(1, 0, 50);
    let s = t.stats();
    assert_eq!(s.value_bytes, (3 * 10_000 + 90 + 5_000) * 8);
    assert_eq!(s.view_bytes, (10_000 + 90) * 8);
    assert!(s.to_string().contains(&format!("({} B of views' slots)", s.view_bytes)), "{s}");
}

// ---- empty tensors and numerically delicate forms ----

#[test]
fn empty_tensors() {
    let t = Tape::<f64>::new();
    let e = t.var(&Tensor::zeros(&[0]));
    assert!(e.mean().item().is_nan());
    assert_eq!(e.sum().item(), 0.0);
    let g = e.sum().backward();
    assert!(g[e].is_empty());
    let e2 = t.var(&Tensor::zeros(&[2, 0]));
    assert_eq!(e2.sum_axis(1, false).value(), Tensor::zeros(&[2]));
    assert_eq!(e2.sum_axis(0, false).value().shape(), &[0]);
    assert!(e2.exp().value().is_empty());
}

#[test]
fn zero_sized_dimensions_flow_through_every_op() {
    let t = Tape::<f64>::new();
    let a = t.var(&Tensor::zeros(&[2, 0]));
    let b = t.var(&Tensor::zeros(&[0, 3]));
    let p = a.matmul(b); // [2, 3] of zeros: an empty sum
    assert_eq!(p.value(), Tensor::zeros(&[2, 3]));
    let e = t.var(&Tensor::zeros(&[0, 4]));
    let outs = [
        p.sum(),
        e.exp().sum(),
        e.transpose().sum(),
        e.permute(&[1, 0]).reshape(&[0]).sum(),
        e.sum_axis(0, false).sum(),
        e.sum_axis(1, true).sum(),
        e.max_axis(1, false).sum(),
        e.softmax(-1).sum(),
        e.index_select(&[]).sum(),
        e.scatter_rows(&[], 2).sum(),
        e.pad(0, 1, 2).sum(),
        Var::concat(&[e, e], 0).sum(),
        (e + t.var(&Tensor::zeros(&[4]))).sum(),
        e.slice(1, 1, 0).sum(),
        t.var(&Tensor::zeros(&[3, 0, 2])).matmul(t.var(&Tensor::zeros(&[3, 2, 0]))).sum(),
    ];
    for y in outs {
        assert_eq!(y.item(), 0.0);
        let g = y.backward();
        assert!(g[a].iter().chain(&g[b]).chain(&g[e]).all(|&v| v == 0.0));
        let gv = y.backward_graph();
        assert_eq!(gv.wrt(e).value(), Tensor::zeros(&[0, 4]));
    }
    assert_eq!(p.sum().backward().wrt(a).shape(), &[2, 0]);
}

#[test]
fn stable_forms_do_not_overflow() {
    let t = Tape::new();
    let x = t.var(&Tensor::from([1000.0, -1000.0, 0.0]));
    assert_eq!(x.softplus().value().data(), [1000.0, 0.0, 2f64.ln()]);
    assert_eq!(x.sigmoid().value().data(), [1.0, 0.0, 0.5]);
    let g = x.softplus().sum().backward();
    assert_eq!(g[x], [1.0, 0.0, 0.5]);
    let big = t.var(&Tensor::from([1000.0, 1000.0]));
    let lse = big.logsumexp(0, false);
    assert!((lse.item() - (1000.0 + 2f64.ln())).abs() < 1e-12);
    // softmax is exp((x − m) − ln Σ e^(x − m)): exact here, checked to 1e-12 anyway.
    assert_all_close(big.softmax(0).value().data(), &[0.5, 0.5], 1e-12);
    assert_all_close(&lse.backward()[big], &[0.5, 0.5], 1e-12);
    let ls = t.var(&Tensor::from([[-1000.0, 0.0, 1000.0]])).log_softmax(-1);
    assert!(ls.value().data().iter().all(|v| v.is_finite()));
}

// ---- the scalar fast path ----

/// An elementwise expression of two variables and a constant.
type Elementwise = for<'t> fn(Var<'t>, Var<'t>, f64) -> Var<'t>;

const ELEMENTWISE: &[(&str, Elementwise)] = &[
    ("neg", |x, _, _| -x),
    ("exp", |x, _, _| x.exp()),
    ("ln", |x, _, _| x.ln()),
    ("log1p", |x, _, _| x.log1p()),
    ("sqrt", |x, _, _| x.sqrt()),
    ("sin", |x, _, _| x.sin()),
    ("cos", |x, _, _| x.cos()),
    ("tanh", |x, _, _| x.tanh()),
    ("sigmoid", |x, _, _| x.sigmoid()),
    ("softplus", |x, _, _| x.softplus()),
    ("erf", |x, _, _| x.erf()),
    ("erfc", |x, _, _| x.erfc()),
    ("expm1", |x, _, _| x.expm1()),
    ("sinh", |x, _, _| x.sinh()),
    ("cosh", |x, _, _| x.cosh()),
    ("atan", |x, _, _| x.atan()),
    ("asin", |x, _, _| (x * 0.25).asin()),
    ("acos", |x, _, _| (x * 0.25).acos()),
    ("lgamma", |x, _, _| x.lgamma()),
    ("digamma", |x, _, _| x.digamma()),
    ("polygamma", |x, _, c| x.polygamma(1 + (c.abs() as u32)) + (x - 4.0).digamma()),
    ("relu", |x, _, c| (x + c).relu()),
    ("abs", |x, _, c| (x + c).abs()),
    ("square", |x, _, _| x.square()),
    ("powf", |x, _, c| x.powf(c)),
    ("clamp", |x, _, c| x.clamp(c, c + 1.0)),
    ("consts", |x, _, c| ((x + c) * c - c) / (c + 3.0) + (c - x) + c / x),
    ("add", |x, y, _| x + y),
    ("sub", |x, y, _| x - y),
    ("mul", |x, y, _| x * y),
    ("div", |x, y, _| x / y),
    ("pow", |x, y, _| x.pow(y)),
    ("atan2", |x, y, _| x.atan2(y)),
    ("maximum", |x, y, _| x.maximum(y)),
    ("minimum", |x, y, _| x.minimum(y)),
    ("reuse", |x, y, _| x * x * y + x.maximum(x) - y / x),
];

proptest! {
    #![proptest_config(common::config(64))]

    #[test]
    fn scalar_fast_path_matches_tensor_path(
        x in 0.1..3.0f64,
        y in prop_oneof![-2.0..2.0f64, Just(1.0)],
        c in prop_oneof![-2.0..2.0f64, Just(-1.0), Just(0.0)],
    ) {
        for &(name, f) in ELEMENTWISE {
            let mut results = vec![];
            for shape in [&[][..], &[1][..], &[1, 1][..]] {
                let t = Tape::new();
                let vx = t.var(&Tensor::new(shape, vec![x]).unwrap());
                let vy = t.var(&Tensor::new(shape, vec![y]).unwrap());
                let out = f(vx, vy, c).sum();
                let g = out.backward();
                let gv = out.backward_graph();
                let rec = [gv.wrt(vx).value().data()[0], gv.wrt(vy).value().data()[0]];
                results.push((out.item(), g[vx][0], g[vy][0], rec));
            }
            let bits = |r: &(f64, f64, f64, [f64; 2])| [r.0, r.1, r.2, r.3[0], r.3[1]].map(f64::to_bits);
            prop_assert_eq!(bits(&results[0]), bits(&results[1]), "{}: [] vs [1]: {:?}", name, results);
            prop_assert_eq!(bits(&results[0]), bits(&results[2]), "{}: [] vs [1, 1]: {:?}", name, results);
        }
    }
}

// ---- forward values against plain f64 ----

/// A plain-f64 reference of an elementwise op with a constant.
type Reference = fn(f64, f64) -> f64;

proptest! {
    #![proptest_config(common::config(64))]

    #[test]
    fn elementwise_values_match_std(xs in proptest::collection::vec(0.05..3.0f64, 1..8), c in -2.0..2.0f64) {
        let t = Tape::new();
        let x = t.var(&Tensor::from_vec(xs.clone()));
        let cases: [(&str, Var, Reference); 28] = [
            ("neg", -x, |v, _| -v),
            ("exp", x.exp(), |v, _| v.exp()),
            ("ln", x.ln(), |v, _| v.ln()),
            ("log1p", x.log1p(), |v, _| v.ln_1p()),
            ("sqrt", x.sqrt(), |v, _| v.sqrt()),
            ("sin", x.sin(), |v, _| v.sin()),
            ("cos", x.cos(), |v, _| v.cos()),
            ("tanh", x.tanh(), |v, _| v.tanh()),
            ("sigmoid", x.sigmoid(), |v, _| 1.0 / (1.0 + (-v).exp())),
            ("softplus", x.softplus(), |v, _| v.exp().ln_1p()),
            ("expm1", x.expm1(), |v, _| v.exp_m1()),
            ("sinh", x.sinh(), |v, _| v.sinh()),
            ("cosh", x.cosh(), |v, _| v.cosh()),
            ("atan", x.atan(), |v, _| v.atan()),
            ("asin", (x / 3.0).asin(), |v, _| (v / 3.0).asin()),
            ("acos", (x / 3.0).acos(), |v, _| (v / 3.0).acos()),
            ("relu", (x - 1.0).relu(), |v, _| (v - 1.0).max(0.0)),
            ("abs", (x - 1.0).abs(), |v, _| (v - 1.0).abs()),
            ("square", x.square(), |v, _| v * v),
            ("powf", x.powf(c), f64::powf),
            ("clamp", x.clamp(0.5, 2.0), |v, _| v.clamp(0.5, 2.0)),
            ("add_const", x + c, |v, c| v + c),
            ("sub_const", x - c, |v, c| v - c),
            ("rsub", x.rsub(c), |v, c| c - v),
            ("mul_const", x * c, |v, c| v * c),
            ("div_const", x / (c + 3.0), |v, c| v / (c + 3.0)),
            ("rdiv", x.rdiv(c), |v, c| c / v),
            ("pow", x.pow(t.constant(&Tensor::full(&[xs.len()], c))), f64::powf),
        ];
        for (name, y, f) in cases {
            let want: Vec<f64> = xs.iter().map(|&v| f(v, c)).collect();
            for (a, b) in y.value().data().iter().zip(&want) {
                prop_assert!((a - b).abs() <= 1e-14 * b.abs().max(1.0), "{}: {} vs {}", name, a, b);
            }
        }
    }

    #[test]
    fn reductions_and_matmul_match_loops(
        (m, k, n) in (1..5usize, 1..5usize, 1..5usize),
        seed in 0..1000u64,
    ) {
        let a = Tensor::from_fn(&[m, k], |i| common::unit_hash(i as u64, seed) * 4.0 - 2.0);
        let b = Tensor::from_fn(&[k, n], |i| common::unit_hash(i as u64, seed + 7) * 4.0 - 2.0);
        let t = Tape::new();
        let (va, vb) = (t.var(&a), t.var(&b));
        let p = va.matmul(vb).value();
        let rs = va.sum_axis(1, false).value();
        let cm = va.max_axis(0, true).value();
        let lse = va.logsumexp(-1, false).value();
        let sm = va.softmax(-1).value();
        let tr = va.transpose().value();
        for i in 0..m {
            for j in 0..n {
                let want: f64 = (0..k).map(|l| a.at(&[i, l]) * b.at(&[l, j])).sum();
                prop_assert!((p.at(&[i, j]) - want).abs() < 1e-12);
            }
            let row: Vec<f64> = (0..k).map(|l| a.at(&[i, l])).collect();
            prop_assert!((rs.data()[i] - row.iter().sum::<f64>()).abs() < 1e-12);
            let z: f64 = row.iter().map(|v| v.exp()).sum();
            prop_assert!((lse.data()[i] - z.ln()).abs() < 1e-12);
            for (l, &r) in row.iter().enumerate() {
                prop_assert!((sm.at(&[i, l]) - r.exp() / z).abs() < 1e-12);
                prop_assert_eq!(tr.at(&[l, i]), r);
            }
        }
        for l in 0..k {
            let want = (0..m).map(|i| a.at(&[i, l])).fold(f64::NEG_INFINITY, f64::max);
            prop_assert_eq!(cm.at(&[0, l]), want);
        }
    }
}

/// A row of all −inf (a fully masked row) has logsumexp −inf, like PyTorch, not NaN; a row
/// with +inf has +inf; finite rows are unaffected.
#[test]
fn logsumexp_of_infinite_rows() {
    let t = Tape::<f64>::new();
    let inf = f64::INFINITY;
    let x = t.var(&Tensor::new(&[3, 2], vec![-inf, -inf, 1.0, inf, 0.0, 0.0]).unwrap());
    let l = x.logsumexp(1, false).value();
    assert_eq!(l.data()[0], -inf);
    assert_eq!(l.data()[1], inf);
    assert!((l.data()[2] - 2f64.ln()).abs() < 1e-15);
}

/// A custom op whose backward rule returns a gradient of the wrong shape, or which has no
/// recorded rule, is an error from the fallible API naming the op, not a panic.
#[test]
fn malformed_custom_op_rules_are_errors() {
    struct Bad;
    impl wengert_tape::CustomOp<f64> for Bad {
        fn name(&self) -> &str {
            "bad_op"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> wengert_tape::Result<Tensor<f64>> {
            Ok(x[0].map(|v| 2.0 * v))
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, _g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![Tensor::zeros(&[5])]
        }
    }
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, 2.0]));
    let y = t.custom(std::rc::Rc::new(Bad), &[x]).unwrap().sum();
    let e = y.try_backward().unwrap_err().to_string();
    assert!(e.contains("bad_op") && e.contains("[5]") && e.contains("[2]"), "{e}");
    let e = y.try_backward_graph().err().expect("no vjp_graph").to_string();
    assert!(e.contains("bad_op") && e.contains("vjp_graph"), "{e}");
}

/// A recorded backward rule that returns a handle of another tape is an error: the handle
/// would otherwise be read at its index on this tape (a silently wrong gradient).
#[test]
fn a_custom_rule_returning_another_tapes_node_is_an_error() {
    struct Foreign(&'static Tape<f64>);
    impl wengert_tape::CustomOp<f64> for Foreign {
        fn name(&self) -> &str {
            "foreign"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> wengert_tape::Result<Tensor<f64>> {
            Ok(x[0].clone())
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![g.clone()]
        }
        fn vjp_graph<'t>(
            &self,
            _x: &[Var<'t, f64>],
            _y: Var<'t, f64>,
            _g: Var<'t, f64>,
        ) -> Option<Vec<Var<'t, f64>>> {
            // Node v1 of the other tape has the input's shape, so only the tape is wrong.
            let _ = self.0.scalar(0.0);
            Some(vec![self.0.var(&Tensor::from([7.0, 7.0]))])
        }
    }
    let other: &'static Tape<f64> = Box::leak(Box::new(Tape::new()));
    let t = Tape::new();
    let x = t.var(&Tensor::from([1.0, 2.0]));
    let y = t.custom(std::rc::Rc::new(Foreign(other)), &[x]).unwrap().sum();
    let e = y.try_backward_graph().err().expect("a foreign node").to_string();
    assert!(e.contains("foreign") && e.contains("not of this tape"), "{e}");
    assert_eq!(&y.backward()[x], &[1.0, 1.0], "the numeric rule is unaffected");
}

/// A tape of one-element nodes only takes the sweep's dense path (parents' adjoints at
/// their indices, constants reached internally). It must agree exactly with the general
/// path, which the same program takes once a two-element node sits in front of it: values,
/// gradients, `reached`, and zeros for constants, detached values and unused inputs.
#[test]
fn dense_scalar_sweep_matches_the_general_sweep() {
    fn run(t: &Tape<f64>) -> (Vec<u64>, Vec<bool>) {
        let x = t.scalar(0.7);
        let y = t.scalar(-1.3);
        let unused = t.scalar(2.0);
        let z = t.scalar(1.5); // its only contribution is −0, which must read as +0
        let c = t.scalar_constant(3.0);
        let d = (x * c).detach();
        let k = c * c + 1.0; // constant interior node
        let m = x.relu() * 0.0; // a zero adjoint that still flows
        let f = (x * x * y + (y / (x + k)).tanh() + d * y + x.maximum(y) - m + x.powf(3.0)).sin()
            + (c * x).exp().ln()
            + x.clamp(-1.0, 0.5) * y.abs()
            + z * -0.0;
        let g = f.backward();
        let vars = [x, y, unused, z, c, d, k, m, f];
        let bits = vars.iter().flat_map(|&v| [v.item().to_bits(), g[v][0].to_bits()]).collect();
        (bits, vars.iter().map(|&v| g.reached(v)).collect())
    }
    let dense = Tape::new();
    let general = Tape::new();
    let _ = general.constant(&Tensor::from([1.0, 2.0])); // two elements: not dense any more
    let (a, b) = (run(&dense), run(&general));
    assert_eq!(a, b);
    assert_eq!(a.1, [true, true, false, true, false, false, false, true, true]);
    assert_eq!(a.0[7], 0.0f64.to_bits(), "z's gradient is +0");
}

/// One-element tensors ([1], [1, 1]) keep a tape dense, and the dense sweep applies the
/// scalar rules to them whatever their shape: the same bits as the general sweep.
#[test]
fn one_element_tensors_take_the_dense_sweep() {
    fn run(t: &Tape<f64>) -> Vec<u64> {
        let x = t.var(&Tensor::from([0.7]));
        let y = t.var(&Tensor::new(&[1, 1], vec![-1.3]).unwrap());
        let s = t.scalar(2.5);
        let z = (x * x).exp() - x.sin() / (x + 3.0) + x.square().sqrt().tanh() * 2.0;
        let w = (y * y * y).relu() + (1.0 - y).abs().ln();
        let f = (z.sum() + w.sum()) * s + (x * s).sum();
        let g = f.backward();
        [x, y, s, z, w].iter().flat_map(|&v| g[v].iter().map(|d| d.to_bits()).collect::<Vec<_>>()).collect()
    }
    let dense = Tape::new();
    let general = Tape::new();
    let _ = general.constant(&Tensor::from([1.0, 2.0])); // two elements: not dense any more
    assert_eq!(run(&dense), run(&general));
}

/// Handles that do not say they are scalars (from `Tape::get`, or gradients recorded by
/// `backward_graph`) record scalar ops like the ones that do, and mix with them.
#[test]
fn scalar_handles_without_values_record_the_same_ops() {
    let t = Tape::<f64>::new();
    let x = t.scalar(1.5);
    let c = t.scalar_constant(-2.0);
    let (xg, cg) = (t.get(x.node()).unwrap(), t.get(c.node()).unwrap());
    let direct = x * x * c + (x * 3.0).sin() - c / x;
    let via_get = xg * x * cg + (xg * 3.0).sin() - c / xg;
    assert_eq!(direct.item().to_bits(), via_get.item().to_bits());
    assert!(via_get.requires_grad() && !(cg * cg).requires_grad());
    let (gd, gv) = (direct.backward(), via_get.backward());
    assert_eq!(gd.scalar(x).to_bits(), gv.scalar(x).to_bits());
    assert_eq!(gv.scalar(xg).to_bits(), gv.scalar(x).to_bits());
    assert_eq!(gv.scalar(cg), 0.0);
    // d/dx of the recorded gradient 2xc + 3cos(3x) + c/x² is 2c − 9 sin(3x) − 2c/x³.
    let dx = direct.backward_graph().wrt(x);
    let d2 = (dx * 1.0).backward().scalar(x);
    let want = 2.0 * -2.0 - 9.0 * (4.5f64).sin() + 4.0 / 1.5f64.powi(3);
    assert!((d2 - want).abs() < 1e-12, "{d2} vs {want}");
}

/// `Tape::scalars` records what one `Tape::scalar` per element records, and
/// `Grads::scalars`/`scalars_into` read what `Grads::scalar` reads, on dense and non-dense
/// tapes, with hooks on, and for handles without values or that take no gradient.
#[test]
fn bulk_scalar_leaves_and_gradients() {
    fn program<'t>(xs: &[Var<'t>]) -> Var<'t> {
        let mut s = xs[0] * 0.0;
        for w in xs.windows(2) {
            s += (w[1] - w[0] * w[0]).square() * 100.0 + (1.0 - w[0]).square();
        }
        s
    }
    let x0 = [-1.2, 1.0, 0.3, -0.7, 2.5];
    for (prefix, hooks) in [(0, false), (2, false), (0, true)] {
        let mut a = Tape::new();
        let mut b = Tape::new();
        for _round in 0..2 {
            // the second round reuses the memory of the first
            a.reset();
            b.reset();
            a.record_locations(hooks);
            b.record_locations(hooks);
            if prefix > 0 {
                let _ = a.constant(&Tensor::from(vec![1.0; prefix]));
                let _ = b.constant(&Tensor::from(vec![1.0; prefix]));
            }
            #[rustfmt::skip] // one line, so that both record the same source location
            let (xa, xb): (_, Vec<Var>) = (a.scalars(&x0), x0.iter().map(|&v| b.scalar(v)).collect());
            let (fa, fb) = (program(&xa), program(&xb));
            assert_eq!(a.to_string(), b.to_string());
            let (ga, gb) = (fa.backward(), fb.backward());
            let each: Vec<f64> = xb.iter().map(|&x| gb.scalar(x)).collect();
            assert_eq!(ga.scalars(&xa), each);
            let mut out = vec![f64::NAN; 5];
            ga.scalars_into(&xa, &mut out);
            assert_eq!(out, each);
            // Mixed handles: one without its value, one constant, one not reached.
            let c = a.scalar_constant(4.0);
            let unused = a.scalars(&[9.0])[0];
            let mixed = [a.get(xa[2].node()).unwrap(), c, xa[0]];
            let f2 = program(&xa) * c;
            let g2 = f2.backward();
            assert_eq!(g2.scalars(&mixed), [4.0 * each[2], 0.0, 4.0 * each[0]]);
            assert_eq!(g2.scalars(&[unused]), [0.0]);
            assert!(g2.scalars(&[]).is_empty());
        }
    }
}

#[test]
fn bulk_gradient_reads_check_their_handles() {
    let t = Tape::<f64>::new();
    let other = Tape::<f64>::new();
    let x = t.scalars(&[1.0, 2.0]);
    let y = other.scalar(3.0);
    let g = (x[0] * x[1]).backward();
    let later = t.scalar(5.0);
    let msg = panic_message(|| g.scalars(&[x[0], y]));
    assert!(msg.contains("not from the tape"), "{msg}");
    let msg = panic_message(|| g.scalars(&[x[1], later]));
    assert!(msg.contains("recorded after the output"), "{msg}");
    let msg = panic_message(|| g.scalars_into(&x, &mut [0.0; 3]));
    assert!(msg.contains("2 handles, 3 outputs"), "{msg}");
}

/// f32 softplus (computed through f64's `ln`, see `lanes::softplus_tail`) is within one f32
/// ulp of the f64 result rounded, from deep in the negative tail (where it is e^x) to
/// large positive inputs (where it is x).
#[test]
fn f32_softplus_is_within_an_ulp_of_f64() {
    let t32 = Tape::<f32>::new();
    let t64 = Tape::<f64>::new();
    let mut worst = 0;
    for i in -4000..=4000 {
        let x = i as f32 * 0.025 + 0.0037; // −100 … 100
        let a = t32.scalar(x).softplus().item();
        let b = t64.scalar(x as f64).softplus().item() as f32;
        assert!(a > 0.0 || b == 0.0, "softplus({x}) = {a}");
        let ulps = (a.to_bits() as i64 - b.to_bits() as i64).abs();
        worst = worst.max(ulps);
    }
    assert!(worst <= 1, "worst: {worst} ulps");
}

/// A special function of the tape: name, op, points, torch's values and derivatives.
type Special = (&'static str, for<'t> fn(Var<'t>) -> Var<'t>, &'static [f64], &'static [f64], &'static [f64]);

const X_WIDE: [f64; 13] = [-40.0, -8.0, -3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.25, 1.0, 2.5, 6.0, 40.0];
const X_UNIT: [f64; 10] = [-0.999, -0.75, -0.5, -1e-3, 0.0, 1e-3, 0.25, 0.6, 0.9, 0.999];

/// Printed by `scripts/torch_activation_reference.py`: name, values, derivatives.
#[rustfmt::skip]
#[allow(clippy::approx_constant)] // torch's values as printed (erf'(0) = 2/√π, asin(-0.5) = -π/6, ...)
const TORCH_SPECIAL: [(&str, &[f64], &[f64]); 8] = [
    ("erf", &[-1.0, -1.0, -0.9999779095030014, -0.9661051464753108, -0.5204998778130465, -0.0011283787909692365, 0.0, 0.0011283787909692365, 0.27632639016823696, 0.8427007929497149, 0.999593047982555, 1.0, 1.0], &[0.0, 1.8097067968559843e-28, 0.00013925305194674786, 0.11893028922362936, 0.8787825789354448, 1.1283780387169096, 1.1283791670955126, 1.1283780387169096, 1.0600141293761143, 0.4151074974205947, 0.00217828423035271, 2.617301239249265e-16, 0.0]),
    ("erfc", &[2.0, 2.0, 1.9999779095030015, 1.9661051464753108, 1.5204998778130465, 1.0011283787909693, 1.0, 0.9988716212090307, 0.7236736098317631, 0.15729920705028513, 0.0004069520174449589, 2.1519736712498913e-17, 0.0], &[-0.0, -1.8097067968559843e-28, -0.00013925305194674786, -0.11893028922362936, -0.8787825789354448, -1.1283780387169096, -1.1283791670955126, -1.1283780387169096, -1.0600141293761143, -0.4151074974205947, -0.00217828423035271, -2.617301239249265e-16, -0.0]),
    ("expm1", &[-1.0, -0.9996645373720975, -0.950212931632136, -0.7768698398515702, -0.3934693402873666, -0.0009995001666250085, 0.0, 0.0010005001667083417, 0.2840254166877415, 1.7182818284590453, 11.182493960703473, 402.4287934927351, 2.3538526683702e+17], &[0.0, 0.00033546262790251635, 0.04978706836786395, 0.2231301601484298, 0.6065306597126334, 0.999000499833375, 1.0, 1.0010005001667084, 1.2840254166877414, 2.7182818284590455, 12.182493960703473, 403.4287934927351, 2.3538526683702e+17]),
    ("sinh", &[-1.1769263341851e+17, -1490.4788257895502, -10.017874927409903, -2.1292794550948173, -0.5210953054937474, -0.001000000166666675, 0.0, 0.001000000166666675, 0.2526123168081683, 1.1752011936438014, 6.0502044810397875, 201.71315737027922, 1.1769263341851e+17], &[1.1769263341851e+17, 1490.479161252178, 10.067661995777765, 2.352409615243247, 1.1276259652063807, 1.0000005000000416, 1.0, 1.0000005000000416, 1.0314130998795732, 1.5430806348152437, 6.132289479663686, 201.7156361224559, 1.1769263341851e+17]),
    ("cosh", &[1.1769263341851e+17, 1490.479161252178, 10.067661995777765, 2.352409615243247, 1.1276259652063807, 1.0000005000000416, 1.0, 1.0000005000000416, 1.0314130998795732, 1.5430806348152437, 6.132289479663686, 201.7156361224559, 1.1769263341851e+17], &[-1.1769263341851e+17, -1490.4788257895502, -10.017874927409903, -2.1292794550948173, -0.5210953054937474, -0.001000000166666675, 0.0, 0.001000000166666675, 0.2526123168081683, 1.1752011936438014, 6.0502044810397875, 201.71315737027922, 1.1769263341851e+17]),
    ("atan", &[-1.5458015331759765, -1.446441332248135, -1.2490457723982544, -0.982793723247329, -0.4636476090008061, -0.0009999996666668668, 0.0, 0.0009999996666668668, 0.24497866312686414, 0.7853981633974483, 1.1902899496825317, 1.4056476493802699, 1.5458015331759765], &[0.0006246096189881324, 0.015384615384615385, 0.1, 0.3076923076923077, 0.8, 0.9999990000010001, 1.0, 0.9999990000010001, 0.9411764705882353, 0.5, 0.13793103448275862, 0.02702702702702703, 0.0006246096189881324]),
    ("asin", &[-1.526071239626163, -0.848062078981481, -0.5235987755982989, -0.0010000001666667416, 0.0, 0.0010000001666667416, 0.25268025514207865, 0.6435011087932844, 1.1197695149986342, 1.526071239626163], &[22.36627204212937, 1.5118578920369088, 1.1547005383792517, 1.0000005000003749, 1.0, 1.0000005000003749, 1.0327955589886444, 1.25, 2.294157338705618, 22.36627204212937]),
    ("acos", &[3.09686756642106, 2.4188584057763776, 2.0943951023931957, 1.5717963269615634, 1.5707963267948966, 1.56979632662823, 1.318116071652818, 0.9272952180016122, 0.45102681179626236, 0.04472508716873345], &[-22.36627204212937, -1.5118578920369088, -1.1547005383792517, -1.0000005000003749, -1.0, -1.0000005000003749, -1.0327955589886444, -1.25, -2.294157338705618, -22.36627204212937]),
];

/// `erf`, `erfc`, `expm1`, `sinh`, `cosh`, `atan` (from −40 to 40) and `asin`, `acos` (in
/// [−1, 1]) against torch 2.15 (float64; `scripts/torch_activation_reference.py`): values
/// and derivatives to 4 ulp relative or 1e−300 absolute (erfc(8) ≈ 1.1e−29 and its
/// derivative in the tail included); the scalar path (a `[]` node) and the tensor path
/// agree bit for bit. f32's values are within two f32 ulps of f64's, rounded (libm's
/// `erfcf` is 2 ulps off near 1.34).
#[test]
fn special_functions_follow_torch() {
    let ops: [Special; 8] = [
        ("erf", |x| x.erf(), &X_WIDE, TORCH_SPECIAL[0].1, TORCH_SPECIAL[0].2),
        ("erfc", |x| x.erfc(), &X_WIDE, TORCH_SPECIAL[1].1, TORCH_SPECIAL[1].2),
        ("expm1", |x| x.expm1(), &X_WIDE, TORCH_SPECIAL[2].1, TORCH_SPECIAL[2].2),
        ("sinh", |x| x.sinh(), &X_WIDE, TORCH_SPECIAL[3].1, TORCH_SPECIAL[3].2),
        ("cosh", |x| x.cosh(), &X_WIDE, TORCH_SPECIAL[4].1, TORCH_SPECIAL[4].2),
        ("atan", |x| x.atan(), &X_WIDE, TORCH_SPECIAL[5].1, TORCH_SPECIAL[5].2),
        ("asin", |x| x.asin(), &X_UNIT, TORCH_SPECIAL[6].1, TORCH_SPECIAL[6].2),
        ("acos", |x| x.acos(), &X_UNIT, TORCH_SPECIAL[7].1, TORCH_SPECIAL[7].2),
    ];
    let close = |a: f64, b: f64| (a - b).abs() <= (4.0 * f64::EPSILON * b.abs()).max(1e-300);
    for (k, (name, f, xs, want, want_grad)) in ops.into_iter().enumerate() {
        assert_eq!(name, TORCH_SPECIAL[k].0);
        let t = Tape::<f64>::new();
        let x = t.var(&Tensor::from_vec(xs.to_vec()));
        let y = f(x);
        let gx = y.sum().backward().wrt(x);
        for (i, &xi) in xs.iter().enumerate() {
            let (a, ga) = (y.value().data()[i], gx.data()[i]);
            assert!(close(a, want[i]), "{name}({xi}) = {a:e}, torch {:e}", want[i]);
            assert!(close(ga, want_grad[i]), "{name}'({xi}) = {ga:e}, torch {:e}", want_grad[i]);
            let s = t.scalar(xi);
            let ys = f(s);
            let bits = (ys.item().to_bits(), ys.backward().scalar(s).to_bits());
            assert_eq!(bits, (a.to_bits(), ga.to_bits()), "{name}({xi}): scalar and tensor paths");
        }
    }
    let t32 = Tape::<f32>::new();
    let t = Tape::<f64>::new();
    type Pair = (for<'t> fn(Var<'t, f32>) -> Var<'t, f32>, for<'t> fn(Var<'t>) -> Var<'t>);
    let pairs: [(&str, Pair); 8] = [
        ("erf", (|x| x.erf(), |x| x.erf())),
        ("erfc", (|x| x.erfc(), |x| x.erfc())),
        ("expm1", (|x| x.expm1(), |x| x.expm1())),
        ("sinh", (|x| x.sinh(), |x| x.sinh())),
        ("cosh", (|x| x.cosh(), |x| x.cosh())),
        ("atan", (|x| x.atan(), |x| x.atan())),
        ("asin", (|x| x.asin(), |x| x.asin())),
        ("acos", (|x| x.acos(), |x| x.acos())),
    ];
    for (name, (f32op, f64op)) in pairs {
        for i in -400..=400 {
            let xf = if name.starts_with('a') && name != "atan" { i as f32 / 401.0 } else { i as f32 / 80.0 };
            let a = f32op(t32.scalar(xf)).item();
            let b = f64op(t.scalar(xf as f64)).item() as f32;
            assert!(
                (a - b).abs() <= 2.0 * f32::EPSILON * b.abs().max(f32::MIN_POSITIVE),
                "{name}({xf}) = {a:e}, f64 {b:e}"
            );
        }
    }
}

/// The points of `gamma_functions_follow_torch`: from 1e−6 to 1000 (digamma's root
/// 1.4616…, the shifts' thresholds 10 and 10 + n), negative non-integers, and the poles.
#[rustfmt::skip]
const X_GAMMA: [f64; 21] = [
    1e-6, 1e-3, 0.1, 0.5, 1.0, 1.4616321449683623, 2.0, 3.7, 9.5, 10.0, 12.5, 25.5, 100.0, 1e3, -0.5, -1.5, -2.7,
    -10.3, 0.0, -1.0, -2.0,
];

/// Printed by `scripts/torch_gamma_reference.py`: torch 2.15's lgamma, digamma,
/// polygamma(1), …, polygamma(4) at [`X_GAMMA`] in float64, each row the derivative of the
/// one before (torch's autograd gives exactly the next row).
#[rustfmt::skip]
const TORCH_GAMMA: [(&str, &[f64]); 6] = [
    ("lgamma", &[13.815509980749432, 6.907178885383853, 2.252712651734206, 0.5723649429247001, 0.0, -0.12148629053584961, 0.0, 1.428072326665388, 11.689333420797269, 12.801827480081469, 18.734347511936445, 56.389167643719944, 359.1342053695754, 5905.220423209181, 1.2655121234846454, 0.860047015376481, -0.07140708531564569, -14.457515440024208, f64::INFINITY, f64::INFINITY, f64::INFINITY]),
    ("digamma", &[-1000000.5772140202, -1000.5755719318104, -10.423754940411076, -1.9635100260214229, -0.5772156649015328, -4.069010753338098e-16, 0.422784335098467, 1.1671535393615111, 2.19773787640295, 2.251752589066721, 2.4851956512749123, 3.2189424728839198, 4.600161852738088, 6.907255195648812, 0.03648997397857639, 0.7031566406452433, -1.115347129140689, 4.6624034935820875, -f64::INFINITY, f64::NAN, f64::NAN]),
    ("polygamma1", &[1000000000001.645, 1000001.6425331949, 101.43329914989455, 4.934802202073678, 1.6449340676383375, 0.9676722458946125, 0.6449340670881899, 0.3100378577128614, 0.11099728846973851, 0.10516633568216657, 0.08328522460170883, 0.03999466964956401, 0.010050166663333571, 0.0010005001666666335, 8.934802200117687, 9.37924664484954, 14.769375845089467, 14.98688706572236, f64::INFINITY, 6.580790147320947e+32, 1.6451975368302367e+32]),
    ("polygamma2", &[-2.0000000000000003e+18, -2000000002.3976321, -2001.8614573783439, -16.828796644234316, -2.404113806319188, -0.8855263379671843, -0.4041138063191886, -0.09539530872855405, -0.012307845807709338, -0.011049834970802069, -0.006932436585788242, -0.0015993605962783075, -0.00010100499983335001, -1.0010004999998335e-06, -0.82879664423432, -0.23620405164172825, -68.93293902326377, 68.82898861103696, -f64::INFINITY, -f64::INFINITY, -f64::INFINITY]),
    ("polygamma3", &[6.000000000000001e+24, 6000000000006.467, 60004.512876790235, 97.40909103400242, 6.493939402266829, 1.5509985657339072, 0.4939394022668293, 0.05827921795656364, 0.0027267288350372497, 0.0023199013042898686, 0.0011534128049134052, 0.00012789774302263916, 2.030199990001333e-06, 2.003001999999e-09, 193.40909103400242, 194.59427621918758, 768.9626351155221, 769.0193334243988, f64::INFINITY, f64::INFINITY, f64::INFINITY]),
    ("polygamma4", &[-2.4000000000000007e+31, -2.4000000000000024e+16, -2400015.607203196, -771.474249826668, -24.886266123440894, -3.9346249306177583, -0.8862661234408787, -0.05303861110795397, -0.0009052254233853626, -0.0007299311682352869, -0.00028769142258538706, -1.533956001944891e-05, -6.120999930011999e-08, -6.012009999993002e-12, -3.4742498266672257, -0.31375599950666083, -9738.8133404651, 9738.759863954218, -f64::INFINITY, -f64::INFINITY, -f64::INFINITY]),
];

/// The same rows from mpmath at 200 bits, rounded to f64 (torch's values at the poles).
#[rustfmt::skip]
#[allow(clippy::approx_constant)] // mpmath's values as printed (ψ(1) = −γ, ...)
const EXACT_GAMMA: [(&str, &[f64]); 6] = [
    ("lgamma", &[13.815509980749432, 6.907178885383853, 2.252712651734206, 0.5723649429247001, 0.0, -0.12148629053584961, 0.0, 1.428072326665388, 11.689333420797269, 12.801827480081469, 18.734347511936445, 56.389167643719944, 359.1342053695754, 5905.220423209181, 1.2655121234846454, 0.860047015376481, -0.07140708531564569, -14.457515440024208, f64::INFINITY, f64::INFINITY, f64::INFINITY]),
    ("digamma", &[-1000000.5772140201, -1000.5755719318103, -10.423754940411076, -1.9635100260214235, -0.5772156649015329, -9.241265521729427e-17, 0.42278433509846713, 1.1671535393615113, 2.1977378764029494, 2.251752589066721, 2.4851956512749123, 3.2189424728839198, 4.600161852738087, 6.907255195648812, 0.03648997397857652, 0.7031566406452432, -1.1153471291406896, 4.662403493582087, -f64::INFINITY, f64::NAN, f64::NAN]),
    ("polygamma1", &[1000000000001.645, 1000001.6425331958, 101.43329915079275, 4.934802200544679, 1.6449340668482264, 0.9676722454476212, 0.6449340668482264, 0.3100378576700383, 0.11099728846909904, 0.10516633568168575, 0.08328522460157838, 0.03999466964956292, 0.010050166663333571, 0.0010005001666666333, 8.934802200544679, 9.379246644989124, 14.769375845132314, 14.986887065722637, f64::INFINITY, 6.580790147320947e+32, 1.6451975368302367e+32]),
    ("polygamma2", &[-2.0000000000000003e+18, -2000000002.3976321, -2001.8614573783436, -16.82879664423432, -2.4041138063191885, -0.8855263379671844, -0.4041138063191886, -0.09539530872855403, -0.012307845807709338, -0.011049834970802067, -0.006932436585788241, -0.0015993605962783073, -0.00010100499983335, -1.0010004999998333e-06, -0.82879664423432, -0.2362040516417274, -68.9329390232638, 68.82898861103696, -f64::INFINITY, -f64::INFINITY, -f64::INFINITY]),
    ("polygamma3", &[6.000000000000001e+24, 6000000000006.469, 60004.51287679026, 97.40909103400244, 6.493939402266829, 1.5509985657339065, 0.49393940226682914, 0.058279217956563614, 0.0027267288350372493, 0.0023199013042898686, 0.0011534128049134052, 0.00012789774302263916, 2.030199990001333e-06, 2.003001999999e-09, 193.40909103400244, 194.59427621918763, 768.9626351155225, 769.0193334243987, f64::INFINITY, f64::INFINITY, f64::INFINITY]),
    ("polygamma4", &[-2.4000000000000007e+31, -2.4000000000000024e+16, -2400015.6072031953, -771.4742498266672, -24.88626612344088, -3.934624930617758, -0.8862661234408782, -0.05303861110795396, -0.0009052254233853626, -0.0007299311682352867, -0.00028769142258538706, -1.533956001944891e-05, -6.120999930011997e-08, -6.0120099999930004e-12, -3.4742498266672253, -0.3137559995067314, -9738.8133404651, 9738.759863954216, -f64::INFINITY, -f64::INFINITY, -f64::INFINITY]),
];

/// `lgamma`, `digamma` and `polygamma(n)` for n = 1, 2, 3 against torch 2.15 (float64;
/// `scripts/torch_gamma_reference.py`) and against the exact values (mpmath), at
/// [`X_GAMMA`]: each function's value and derivative (the next row of the tables).
///
/// * lgamma and digamma, values and derivatives: within 4 ulp or 1e−15 absolute (near
///   digamma's root 1.4616… only the absolute bound means anything); polygamma(n):
///   within 8 ulp or 1e−14 relative. Against the exact values as they stand; against
///   torch, torch's own distance from the exact value is added to the bound: its trigamma
///   (polygamma(1), digamma's derivative) sums its asymptotic series only to B₆ and is
///   4.8e−10 relative off at x = 1 (3.6e6 ulp), and its polygamma(4) at −1.5
///   (polygamma(3)'s derivative) is 2.2e−13 relative off (1271 ulp).
/// * Measured against the exact values: lgamma within 2 ulp (1.4e−16 absolute near its
///   zero at −2.7); digamma and lgamma′ within 1 ulp or 8.9e−16 absolute (at 0.5;
///   1.1e−16 at the root); polygamma(1), (2), (3) and their derivatives within 2 ulp, but
///   ψ⁽⁴⁾(1) (polygamma(3)′) 5 ulp, 7.1e−16 relative. Against torch, apart from its errors
///   above: lgamma 1.4e−16 absolute, digamma 8.9e−16 absolute, polygamma(2) 3.4e−15
///   relative (at −1.5, where torch's is 3.6e−15 off).
/// * The poles are torch's: lgamma +∞; digamma −∞ at 0 and NaN at −1, −2; polygamma(1)
///   +∞ at 0 and torch's finite π²/sin²(πx) − ψ⁽¹⁾(1 − x) at −1, −2; polygamma(n ≥ 2)
///   (−1)ⁿ⁺¹·∞.
/// * The scalar path (a `[]` node) and the tensor path agree bit for bit; the recorded
///   gradient (`backward_graph`) is the next function, bit for bit, and differentiates
///   again; the trace names the order.
/// * f32 (computed in f64 and rounded once) is within two f32 ulps of f64's result rounded
///   (values and derivatives, on a grid from −10 to 10 through the poles).
#[test]
fn gamma_functions_follow_torch() {
    type Op = for<'t> fn(Var<'t>) -> Var<'t>;
    let ops: [Op; 5] =
        [|x| x.lgamma(), |x| x.digamma(), |x| x.polygamma(1), |x| x.polygamma(2), |x| x.polygamma(3)];
    let same = |a: f64, b: f64| a == b || (a.is_nan() && b.is_nan());
    // The bound of function k (lgamma, digamma, polygamma(1), ...) about a value b.
    let bar = |k: usize, b: f64| {
        if k <= 1 {
            (4.0 * f64::EPSILON * b.abs()).max(1e-15)
        } else {
            (8.0 * f64::EPSILON * b.abs()).max(1e-14 * b.abs())
        }
    };
    for (k, f) in ops.into_iter().enumerate() {
        let name = TORCH_GAMMA[k].0;
        assert_eq!((name, TORCH_GAMMA[k + 1].0), (EXACT_GAMMA[k].0, EXACT_GAMMA[k + 1].0));
        let t = Tape::<f64>::new();
        let x = t.var(&Tensor::from(X_GAMMA));
        let y = f(x);
        let gx = y.sum().backward().wrt(x);
        for (i, &xi) in X_GAMMA.iter().enumerate() {
            for (d, got) in [(0, y.value().data()[i]), (1, gx.data()[i])] {
                let (torch, exact) = (TORCH_GAMMA[k + d].1[i], EXACT_GAMMA[k + d].1[i]);
                let what = if d == 0 { name.to_string() } else { format!("{name}'") };
                if !exact.is_finite() || !torch.is_finite() {
                    assert!(same(got, torch) && same(got, exact), "{what}({xi}) = {got:e}, torch {torch:e}");
                    continue;
                }
                let tol = bar(k, exact);
                assert!((got - exact).abs() <= tol, "{what}({xi}) = {got:e}, exact {exact:e}");
                let tol = bar(k, torch) + (torch - exact).abs();
                assert!((got - torch).abs() <= tol, "{what}({xi}) = {got:e}, torch {torch:e}");
            }
            let s = t.scalar(xi);
            let ys = f(s);
            let bits = (ys.item().to_bits(), ys.backward().scalar(s).to_bits());
            let want = (y.value().data()[i].to_bits(), gx.data()[i].to_bits());
            assert_eq!(bits, want, "{name}({xi}): scalar and tensor paths");
            // The recorded gradient is the next function, and is differentiated by the one after.
            let gs = ys.backward_graph().wrt(s);
            assert!(same(gs.item(), gx.data()[i]), "{name}({xi}): recorded gradient");
            if k + 1 < ops.len() {
                let second = gs.backward().scalar(s);
                let s2 = t.scalar(xi);
                let next = ops[k + 1](s2).backward().scalar(s2);
                assert!(
                    same(second, next),
                    "{name}''({xi}) = {second:e}, the next one's derivative {next:e}"
                );
            }
        }
    }
    // The trace names the function and the order of its derivative.
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([0.5, 2.0]));
    let y = x.polygamma(2).sum();
    let list = wengert_tape::trace::WengertList::new(&t);
    assert!(list.to_string().contains("v1 = polygamma(2, v0)"), "{list}");
    let sweep = list.reverse_sweep(y).unwrap().to_string();
    assert!(sweep.contains("polygamma(3, v0)"), "{sweep}");
    // f32: computed in f64 and rounded.
    let t32 = Tape::<f32>::new();
    type Pair = (for<'t> fn(Var<'t, f32>) -> Var<'t, f32>, for<'t> fn(Var<'t>) -> Var<'t>);
    let pairs: [(&str, Pair); 5] = [
        ("lgamma", (|x| x.lgamma(), |x| x.lgamma())),
        ("digamma", (|x| x.digamma(), |x| x.digamma())),
        ("polygamma1", (|x| x.polygamma(1), |x| x.polygamma(1))),
        ("polygamma2", (|x| x.polygamma(2), |x| x.polygamma(2))),
        ("polygamma3", (|x| x.polygamma(3), |x| x.polygamma(3))),
    ];
    for (name, (f32op, f64op)) in pairs {
        for i in -400..=400 {
            let xf = i as f32 / 40.0;
            let (s32, s64) = (t32.scalar(xf), t.scalar(xf as f64));
            let (y32, y64) = (f32op(s32), f64op(s64));
            let got = [y32.item(), y32.backward().scalar(s32)];
            let want = [y64.item() as f32, y64.backward().scalar(s64) as f32];
            for (a, b) in got.into_iter().zip(want) {
                assert!(
                    a == b || (a.is_nan() && b.is_nan()) || (a - b).abs() <= 2.0 * f32::EPSILON * b.abs(),
                    "{name}({xf}) in f32: {a:e}, f64 {b:e}"
                );
            }
        }
    }
}

/// `atan2` against torch 2.15's `torch.atan2` (float64; `scripts/torch_activation_reference.py`)
/// in the four quadrants, on the axes and far out: values and both derivatives to 4 ulp;
/// the scalar path agrees bit for bit. At the origin the derivatives are NaN, as torch's.
#[test]
fn atan2_follows_torch() {
    const A: [f64; 10] = [1.0, 1.0, -1.0, -1.0, 0.5, -0.5, 3.0, 1e-3, 2.0, -2.0];
    const B: [f64; 10] = [1.0, -1.0, 1.0, -1.0, 0.0, 0.0, 1e-3, 3.0, -1e8, 1e8];
    #[rustfmt::skip]
    #[allow(clippy::approx_constant)] // torch's values as printed (π/4, π/2, ...)
    const WANT: [[f64; 10]; 3] = [[0.7853981633974483, 2.356194490192345, -0.7853981633974483, -2.356194490192345, 1.5707963267948966, -1.5707963267948966, 1.570462993473909, 0.00033333332098765513, 3.1415926335897932, -1.9999999999999997e-08], [0.5, -0.5, 0.5, -0.5, 0.0, 0.0, 0.00011111109876543348, 0.3333332962963005, -9.999999999999997e-09, 9.999999999999997e-09], [-0.5, -0.5, 0.5, 0.5, -2.0, 2.0, -0.3333332962963005, -0.00011111109876543348, -1.9999999999999992e-16, 1.9999999999999992e-16]];
    let t = Tape::<f64>::new();
    let (a, b) = (t.var(&Tensor::from(A)), t.var(&Tensor::from(B)));
    let y = a.atan2(b);
    let g = y.sum().backward();
    let close = |x: f64, w: f64| (x - w).abs() <= 4.0 * f64::EPSILON * w.abs();
    for i in 0..A.len() {
        let got = [y.value().data()[i], g[a][i], g[b][i]];
        for (k, what) in ["atan2", "∂/∂a", "∂/∂b"].into_iter().enumerate() {
            assert!(
                close(got[k], WANT[k][i]),
                "{what} at ({}, {}): {:e}, torch {:e}",
                A[i],
                B[i],
                got[k],
                WANT[k][i]
            );
        }
        let (sa, sb) = (t.scalar(A[i]), t.scalar(B[i]));
        let ys = sa.atan2(sb);
        let gs = ys.backward();
        assert_eq!([ys.item(), gs.scalar(sa), gs.scalar(sb)].map(f64::to_bits), got.map(f64::to_bits));
    }
    let (o, z) = (t.scalar(0.0), t.scalar(0.0));
    let g = o.atan2(z).backward();
    assert_eq!(o.atan2(z).item(), 0.0);
    assert!(g.scalar(o).is_nan() && g.scalar(z).is_nan());
}

/// The tensor paths of exp, ln, sigmoid and softplus take four elements at a time as one
/// SIMD vector (`Float::exp_lanes`; f32 evaluated in f64 and rounded once), the scalar ops
/// call libm. In f32 the tensor values stay within an ulp or two of libm's f64 result
/// rounded (sigmoid's division in f32 adds its own rounding, as the scalar path's); in f64
/// within an ulp of the scalar ops (softplus, which needs `ln_1p`, equal to them), and so
/// do softplus's gradients. 8003 elements, so the last three are a padded vector; and an
/// element's value does not depend on where it sits in the tensor.
#[test]
fn tensor_exponentials_match_the_scalar_ops() {
    let xs: Vec<f64> = (0..8003).map(|i| (i as f64 - 4001.0) * 0.0271 + 0.0013).collect(); // about −108 … 108
    let t32 = Tape::<f32>::new();
    let t64 = Tape::<f64>::new();
    let x32 = t32.var(&Tensor::from_vec(xs.iter().map(|&v| v as f32).collect()));
    let x64 = t64.var(&Tensor::from_vec(xs.iter().map(|&v| v as f32 as f64).collect()));
    let ulps = |a: f32, b: f32| {
        if a == b {
            0
        } else {
            (a.to_bits() as i64 - b.to_bits() as i64).abs()
        }
    };
    let ulps64 = |a: f64, b: f64| {
        if a == b {
            0
        } else {
            (a.to_bits() as i64 - b.to_bits() as i64).abs()
        }
    };
    type Op32<'t> = fn(Var<'t, f32>) -> Var<'t, f32>;
    type Op64<'t> = fn(Var<'t, f64>) -> Var<'t, f64>;
    let ops: [(&str, Op32, Op64, i64, i64); 4] = [
        ("exp", |v| v.exp(), |v| v.exp(), 1, 1),
        ("ln", |v| v.abs().ln(), |v| v.abs().ln(), 1, 1),
        ("sigmoid", |v| v.sigmoid(), |v| v.sigmoid(), 2, 2),
        ("softplus", |v| v.softplus(), |v| v.softplus(), 1, 0),
    ];
    for (name, f32op, f64op, max32, max64) in ops {
        let (y32, y64) = (f32op(x32), f64op(x64));
        let (v32, v64) = (y32.value(), y64.value());
        let scalar: Vec<f64> = xs.iter().map(|&x| f64op(t64.scalar(x as f32 as f64)).item()).collect();
        let worst = v32.data().iter().zip(&scalar).map(|(&a, &b)| ulps(a, b as f32)).max().unwrap();
        assert!(worst <= max32, "{name}: f32 tensor {worst} ulps from f64");
        let worst = v64.data().iter().zip(&scalar).map(|(&a, &b)| ulps64(a, b)).max().unwrap();
        assert!(worst <= max64, "{name}: f64 tensor {worst} ulps from the scalar op");
        // The same inputs in short tensors (1 to 7 elements) at other offsets.
        for (start, len) in [(0, 1), (4000, 2), (7999, 3), (13, 5), (100, 6), (7996, 7)] {
            let part64 = f64op(t64.var(&Tensor::from_vec(x64.value().data()[start..start + len].to_vec())));
            let part32 = f32op(t32.var(&Tensor::from_vec(x32.value().data()[start..start + len].to_vec())));
            assert_eq!(part64.value().data(), &v64.data()[start..start + len], "{name} f64 at {start}+{len}");
            assert_eq!(part32.value().data(), &v32.data()[start..start + len], "{name} f32 at {start}+{len}");
        }
    }
    // softplus's VJP, σ(x), four lanes at a time as well.
    let g32 = x32.softplus().sum().backward();
    let g64 = x64.softplus().sum().backward();
    let mut scalar = Vec::new();
    for &x in &xs {
        let t = Tape::<f64>::new(); // a sweep covers the whole tape: one small tape each
        let s = t.scalar(x as f32 as f64);
        scalar.push(s.softplus().backward()[s][0]);
    }
    let worst = g32[x32].iter().zip(&scalar).map(|(&a, &b)| ulps(a, b as f32)).max().unwrap();
    assert!(worst <= 2, "softplus gradient: f32 tensor {worst} ulps from f64");
    let worst = g64[x64].iter().zip(&scalar).map(|(&a, &b)| ulps64(a, b)).max().unwrap();
    assert!(worst <= 2, "softplus gradient: f64 tensor {worst} ulps from the scalar op");
    let tail = t64.var(&Tensor::from_vec(x64.value().data()[7996..].to_vec()));
    assert_eq!(
        tail.softplus().sum().backward()[tail],
        g64[x64][7996..],
        "softplus gradient of a short tensor"
    );
}

/// argmax/argmin as numpy's: along any axis of a 3-d tensor against a brute-force scan,
/// first of ties, first NaN wins; errors for a bad or empty axis.
#[test]
fn argmax_and_argmin_follow_numpy() {
    let shape = [3, 4, 5];
    let x = Tensor::from_fn(&shape, |i| ((i * 7919) % 11) as f64 - 5.0); // many ties
    for axis in 0..3usize {
        let (outer, len, inner) = (
            shape[..axis].iter().product::<usize>(),
            shape[axis],
            shape[axis + 1..].iter().product::<usize>(),
        );
        let (mut want_max, mut want_min) = (vec![], vec![]);
        for o in 0..outer {
            for j in 0..inner {
                let col: Vec<f64> = (0..len).map(|k| x.data()[(o * len + k) * inner + j]).collect();
                let mx = col.iter().cloned().fold(f64::MIN, f64::max);
                let mn = col.iter().cloned().fold(f64::MAX, f64::min);
                want_max.push(col.iter().position(|&v| v == mx).unwrap());
                want_min.push(col.iter().position(|&v| v == mn).unwrap());
            }
        }
        assert_eq!(x.argmax(axis as isize).unwrap(), want_max, "axis {axis}");
        assert_eq!(x.argmin(axis as isize - 3).unwrap(), want_min, "axis {axis}");
    }
    let nan = f64::NAN;
    let y = Tensor::from([1.0, nan, 7.0, nan]);
    assert_eq!((y.argmax(0).unwrap(), y.argmin(0).unwrap()), (vec![1], vec![1]));
    assert_eq!(
        Tensor::scalar(1.0).argmax(0).unwrap_err().to_string(),
        "argmax: axis 0 is out of range for shape [] of rank 0"
    );
    let e = Tensor::<f64>::zeros(&[2, 0]).argmin(1).unwrap_err().to_string();
    assert_eq!(e, "argmin: argmin over axis 1 of [2, 0], which is empty");
}

/// `select` takes each element from one side only: an infinite or NaN element of the side
/// not chosen never reaches the value, the gradient goes to the chosen side, none to the
/// condition, and a NaN condition counts as true.
#[test]
fn select_never_mixes_the_sides() {
    let t = Tape::<f64>::new();
    let c = t.var_from(&[4], &[1.0, 0.0, f64::NAN, 0.0]);
    let a = t.var_from(&[4], &[1.0, f64::INFINITY, 2.0, f64::NAN]);
    let b = t.var_from(&[4], &[f64::NAN, 5.0, f64::NEG_INFINITY, 6.0]);
    let y = c.select(a, b);
    assert_eq!(y.value().data(), &[1.0, 5.0, 2.0, 6.0]);
    let g = (y * t.constant(&Tensor::new(&[4], vec![1.0, 2.0, 3.0, 4.0]).unwrap())).sum().backward();
    assert_eq!(g.wrt(a).data(), &[1.0, 0.0, 3.0, 0.0]);
    assert_eq!(g.wrt(b).data(), &[0.0, 2.0, 0.0, 4.0]);
    assert_eq!(g.wrt(c).data(), &[0.0; 4]);
    // The same through the recorded backward (second order).
    let gv = (y * y).sum().backward_graph();
    assert_eq!(gv.wrt(a).value().data(), &[2.0, 0.0, 4.0, 0.0]);
    assert_eq!(gv.wrt(b).value().data(), &[0.0, 10.0, 0.0, 12.0]);
    // Signed zeros are kept (torch.where's values): a chosen −0.0 stays −0.0.
    let c2 = t.var_from(&[4], &[1.0, 0.0, 1.0, 0.0]);
    let a2 = t.var_from(&[4], &[-0.0, 1.0, 0.0, 1.0]);
    let b2 = t.var_from(&[4], &[1.0, -0.0, 1.0, 0.0]);
    let y2 = c2.select(a2, b2).value();
    let signs: Vec<bool> = y2.data().iter().map(|v| v.is_sign_negative()).collect();
    assert_eq!(signs, [true, true, false, false], "{:?}", y2.data());
    // One node, with its operands broadcast first.
    let t3 = Tape::<f64>::new();
    let (c3, a3, b3) = (t3.var_from(&[2], &[1.0, 0.0]), t3.var_from(&[2], &[3.0, 4.0]), t3.scalar(9.0));
    let y3 = c3.select(a3, b3);
    assert_eq!(y3.value().data(), &[3.0, 9.0]);
    let list = t3.to_string();
    assert!(list.contains("v4 = select(v0, v1, v3)"), "{list}");
    assert_eq!(t3.len(), 5, "{list}");
    // Scalars: the same rules.
    for (cv, want, ga, gb) in [(1.0, 3.0, 1.0, 0.0), (0.0, -2.0, 0.0, 1.0), (f64::NAN, 3.0, 1.0, 0.0)] {
        let t = Tape::<f64>::new();
        let (c, a, b) = (t.scalar(cv), t.scalar(3.0), t.scalar(-2.0));
        let y = c.select(a, b);
        assert_eq!(y.item(), want);
        let g = y.backward();
        assert_eq!((g.scalar(a), g.scalar(b), g.scalar(c)), (ga, gb, 0.0));
    }
}

/// `masked` passes no gradient on through its mask: a node whose only gradient-taking
/// operand is the mask takes none itself.
#[test]
fn a_mask_alone_does_not_make_a_node_take_gradients() {
    let t = Tape::<f64>::new();
    let x = t.constant(&Tensor::new(&[2], vec![1.0, 2.0]).unwrap());
    let m = t.var_from(&[2], &[0.0, 1.0]);
    assert!(!x.masked(m).requires_grad());
    assert!(m.masked(x).requires_grad());
    let s = t.scalar(1.0);
    assert!(!t.scalar_constant(2.0).masked(s).requires_grad());
    // The printed list shows the selection.
    let y = m.masked(x).sum();
    let list = t.to_string();
    assert!(list.contains("masked(v1, v0)"), "{list}");
    let _ = y;
}

/// Batched products with numpy's broadcasting of the batch axes agree with a plain triple
/// loop over each batch element, its operands found by broadcasting the index.
#[test]
fn batched_products_broadcast_their_batch_axes_as_numpy() {
    let cases: &[(&[usize], &[usize])] = &[
        (&[2, 1, 2, 3], &[4, 3, 2]),
        (&[3, 2, 3], &[2, 1, 3, 4]),
        (&[1, 2, 3], &[2, 3, 3, 1]),
        (&[2, 3, 2, 3], &[2, 3, 3, 2]),
        (&[1, 1, 2, 3], &[3, 2]),
        (&[2, 3], &[3, 1, 2, 3, 2]),
        (&[2, 1, 1, 2, 3], &[1, 3, 1, 3, 2]),
    ];
    for (ci, &(sa, sb)) in cases.iter().enumerate() {
        let fill = |s: &[usize], salt: u64| {
            let n: usize = s.iter().product();
            Tensor::new(s, (0..n).map(|i| common::unit_hash(i as u64, salt + ci as u64) - 0.5).collect())
                .unwrap()
        };
        let (ta, tb) = (fill(sa, 11), fill(sb, 23));
        let t = Tape::<f64>::new();
        let y = t.var(&ta).matmul(t.var(&tb));
        let (m, k, n) = (sa[sa.len() - 2], sa[sa.len() - 1], sb[sb.len() - 1]);
        let (ba, bb) = (&sa[..sa.len() - 2], &sb[..sb.len() - 2]);
        let r = ba.len().max(bb.len());
        let dim = |s: &[usize], d: usize| if d + s.len() >= r { s[d + s.len() - r] } else { 1 };
        let batch: Vec<usize> = (0..r).map(|d| dim(ba, d).max(dim(bb, d))).collect();
        let mut want_shape = batch.clone();
        want_shape.extend([m, n]);
        assert_eq!(y.shape().as_slice(), want_shape.as_slice(), "{sa:?}·{sb:?}");
        // Flat index of a batch element in an operand whose batch axes are `own`.
        let at = |own: &[usize], idx: &[usize]| {
            let off = idx.len() - own.len();
            own.iter()
                .enumerate()
                .fold(0, |acc, (d, &len)| acc * len + if len == 1 { 0 } else { idx[off + d] })
        };
        let nb: usize = batch.iter().product();
        let got = y.value();
        for e in 0..nb {
            let mut idx = vec![0; batch.len()];
            let mut r = e;
            for d in (0..batch.len()).rev() {
                idx[d] = r % batch[d];
                r /= batch[d];
            }
            let (pa, pb) = (at(ba, &idx) * m * k, at(bb, &idx) * k * n);
            for i in 0..m {
                for j in 0..n {
                    let w: f64 = (0..k).map(|l| ta.data()[pa + i * k + l] * tb.data()[pb + l * n + j]).sum();
                    let g = got.data()[(e * m + i) * n + j];
                    assert!((g - w).abs() <= 1e-12, "{sa:?}·{sb:?} at batch {idx:?} ({i}, {j}): {g} vs {w}");
                }
            }
        }
    }
}

/// A norm of 0 has gradient 0 (not the NaN of √'s infinite slope), per whole tensor and
/// per slice along an axis, and its second derivatives are finite too.
#[test]
fn a_zero_norm_has_a_zero_gradient() {
    let t = Tape::<f64>::new();
    let x = t.var_from(&[2, 3], &[0.0, 0.0, 0.0, 1.0, -2.0, 2.0]);
    let n = x.norm_axis(1, false);
    assert_eq!(n.value().data(), &[0.0, 3.0]);
    let g = n.sum().backward().wrt(x);
    let want = [0.0, 0.0, 0.0, 1.0 / 3.0, -2.0 / 3.0, 2.0 / 3.0];
    for (a, b) in g.data().iter().zip(want) {
        assert!((a - b).abs() < 1e-15, "{:?}", g.data());
    }
    let z = t.var_from(&[3], &[0.0; 3]);
    assert_eq!(z.norm().item(), 0.0);
    assert_eq!(z.norm().backward().wrt(z).data(), &[0.0; 3]);
    let gv = z.norm().backward_graph();
    let h = gv.wrt(z).sum().backward().wrt(z);
    assert!(h.data().iter().all(|v| v.is_finite()), "{:?}", h.data());
    // Without the selection the same function has NaN there.
    let plain = z.square().sum().sqrt().backward().wrt(z);
    assert!(plain.data().iter().all(|v| v.is_nan()));
    // A NaN element makes its norm and gradient NaN (not the 0 of a zero norm).
    let q = t.var_from(&[3, 2], &[0.0, 0.0, 3.0, 4.0, f64::NAN, 0.0]);
    let nq = q.norm_axis(1, false);
    let v = nq.value();
    assert_eq!(&v.data()[..2], &[0.0, 5.0]);
    assert!(v.data()[2].is_nan());
    let g = nq.sum().backward().wrt(q);
    assert_eq!(&g.data()[..2], &[0.0, 0.0]);
    assert!(g.data()[4..].iter().all(|x| x.is_nan()), "{:?}", g.data());
    assert!(q.norm().item().is_nan());
    // keepdim and a negative axis.
    assert_eq!(x.norm_axis(-1, true).shape().as_slice(), &[2, 1]);
    let len = t.len();
    let e = x.try_norm_axis(2, false).unwrap_err();
    assert_eq!(e, Error::InvalidAxis { op: "norm_axis", axis: 2, shape: x.shape(), node: x.node() });
    assert_eq!(t.len(), len, "a refused norm_axis recorded nodes");
}

/// `gather` picks `x[.., index[..], ..]` along each axis of a 3-d tensor, checked against
/// direct indexing, with an index shorter than `x` off the axis and longer along it.
#[test]
fn gather_picks_along_each_axis_as_torch_gather() {
    let dims = [3usize, 4, 2];
    let n: usize = dims.iter().product();
    let x = Tensor::new(&dims, (0..n).map(|i| i as f64).collect()).unwrap();
    for ax in 0..3 {
        let mut ishape = [2usize, 3, 2];
        ishape[ax] = 5;
        let m: usize = ishape.iter().product();
        let index: Vec<usize> = (0..m).map(|e| (e * 7 + 3) % dims[ax]).collect();
        let t = Tape::<f64>::new();
        let xv = t.var(&x);
        let y = xv.gather(ax as isize - 3, &ishape, &index);
        assert_eq!(y.shape().as_slice(), &ishape);
        let got = y.value();
        let mut counts = vec![0.0; n];
        for (e, &i) in index.iter().enumerate() {
            let pos = [e / (ishape[1] * ishape[2]), e / ishape[2] % ishape[1], e % ishape[2]];
            let mut at = pos;
            at[ax] = i;
            let flat = (at[0] * dims[1] + at[1]) * dims[2] + at[2];
            assert_eq!(got.data()[e], x.data()[flat], "axis {ax}, element {pos:?}");
            counts[flat] += 1.0;
        }
        // The gradient of the sum counts how often each element was picked.
        assert_eq!(y.sum().backward().wrt(xv).data(), counts.as_slice(), "axis {ax}");
    }
}

/// The comparison masks agree with Rust's operators on every pair of special values
/// (NaN, ±inf, ±0, ties), broadcast, and take no gradient.
#[test]
fn comparison_masks_agree_with_the_operators() {
    let vals = [f64::NAN, f64::NEG_INFINITY, -1.5, -0.0, 0.0, 2.0, f64::INFINITY];
    let n = vals.len();
    let t = Tape::<f64>::new();
    let a = t.var_from(&[n, 1], &vals);
    let b = t.var_from(&[n], &vals);
    type Cmp = fn(f64, f64) -> bool;
    let cases: [(&str, Var, Cmp); 4] = [
        ("gt", a.gt_mask(b), |x, y| x > y),
        ("ge", a.ge_mask(b), |x, y| x >= y),
        ("lt", a.lt_mask(b), |x, y| x < y),
        ("le", a.le_mask(b), |x, y| x <= y),
    ];
    for (name, m, op) in cases {
        assert_eq!(m.shape().as_slice(), &[n, n]);
        assert!(!m.requires_grad(), "{name}");
        for i in 0..n {
            for j in 0..n {
                let want = if op(vals[i], vals[j]) { 1.0 } else { 0.0 };
                assert_eq!(m.value().data()[i * n + j], want, "{name}({}, {})", vals[i], vals[j]);
            }
        }
    }
    let g = (a.gt_mask(b) * a).sum().backward();
    assert_eq!(g.wrt(b).data(), &[0.0; 7]);
    // Scalars take the scalar path.
    let (x, y) = (t.scalar(1.0), t.scalar(2.0));
    assert_eq!((x.gt_mask(y).item(), x.lt_mask(y).item(), x.le_mask(x).item()), (0.0, 1.0, 1.0));
}

/// A tensor too large to exist, or to allocate, is a panic naming the constructor and the
/// shape (not `Vec`'s "capacity overflow", nor an abort of the process).
#[test]
fn tensors_too_large_to_allocate_panic_with_their_shape() {
    let m = panic_message(|| Tensor::<f64>::zeros(&[usize::MAX, 2]));
    assert!(m.contains("Tensor::zeros") && m.contains("more elements than fit in memory"), "{m}");
    let m = panic_message(|| Tensor::<f32>::from_fn(&[1 << 62, 4], |_| 0.0));
    assert!(m.contains("Tensor::from_fn") && m.contains(&format!("[{}, 4]", 1u64 << 62)), "{m}");
    // Representable, but no machine has 2^53 bytes: the allocation fails, and says so.
    let m = panic_message(|| Tensor::<f64>::full(&[1 << 50], 1.0));
    assert!(m.contains("Tensor::full: cannot allocate") && m.contains("[1125899906842624]"), "{m}");
    assert_eq!(Tensor::<f64>::ones(&[2, 0, 3]).len(), 0);
    // The same on the tape: an op whose result cannot be allocated panics, and the tape
    // stays usable.
    let t = Tape::<f64>::new();
    let x = t.scalar(2.0);
    let m = panic_message(|| x.broadcast_to(&[1 << 50]));
    assert!(m.contains("cannot allocate room for 1125899906842624 more elements"), "{m}");
    assert_eq!((x * 3.0).backward().scalar(x), 3.0);
}
