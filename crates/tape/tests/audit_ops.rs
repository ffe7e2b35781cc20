//! Ops at their edges, against PyTorch (2.15, CPU) and JAX: special values, kinks and
//! accuracy where a naive formula cancels. Each expected number below was produced by the
//! reference library (or is the exact mathematical value where that is what the reference
//! gives); the comments say which.

use wengert_tape::{Float, Tape};

/// ∂/∂x of x·ln y at x = 0 is ln y: xlogy is linear in x for a fixed y > 0, so the slope
/// does not change at x = 0 (only the value is defined specially there, for y ≤ 0).
/// PyTorch's `xlogy` and JAX's give ln y; central differences agree. Where y ≤ 0 the
/// function has no derivative in x at 0; PyTorch's 0 is kept.
#[test]
fn xlogy_slope_in_x_at_x_zero_is_ln_y() {
    fn check<T: Float>() {
        let ys = [0.5, 2.0, 3.0, 1e-30, 0.0, -1.0];
        // torch.xlogy(x, y) at x = 0: x.grad, y.grad.
        let want_x = [0.5f64.ln(), 2f64.ln(), 3f64.ln(), 1e-30f64.ln(), 0.0, 0.0];
        let tape = Tape::<T>::new();
        let y = tape.var_from(&[ys.len()], &ys.map(T::from_f64));
        let x = tape.var_from(&[ys.len()], &[T::ZERO; 6]);
        let z = x.xlogy(y);
        assert!(z.value().data().iter().all(|&v| v == T::ZERO), "{:?}", z.value());
        let g = z.sum().backward();
        for (i, (&gx, &w)) in g.wrt(x).data().iter().zip(&want_x).enumerate() {
            let w = T::from_f64(w);
            assert!(
                gx == w || (gx - w).abs() <= T::EPSILON * w.abs(),
                "{}: ∂x at y = {} is {gx:?}, not {w:?}",
                T::NAME,
                ys[i]
            );
        }
        assert!(g.wrt(y).data().iter().all(|&v| v == T::ZERO), "{:?}", g.wrt(y));
        // The scalar path agrees.
        for (&yi, &w) in ys.iter().zip(&want_x) {
            let tape = Tape::<T>::new();
            let (x, y) = (tape.scalar(T::ZERO), tape.scalar(T::from_f64(yi)));
            let g = x.xlogy(y).backward();
            let (gx, w) = (g.wrt(x).data()[0], T::from_f64(w));
            assert!(
                gx == w || (gx - w).abs() <= T::EPSILON * w.abs(),
                "{}: scalar ∂x at y = {yi} is {gx:?}",
                T::NAME
            );
        }
    }
    check::<f64>();
    check::<f32>();
}

/// The slope agrees with central differences across x = 0, and the recorded gradient is
/// differentiable again: ∂²(x ln y)/∂x∂y = 1/y, at x = 0 too.
#[test]
fn xlogy_at_x_zero_matches_central_differences_and_second_derivatives() {
    let f = |x: f64, y: f64| {
        let tape = Tape::<f64>::new();
        tape.scalar(x).xlogy(tape.scalar(y)).item()
    };
    let h = 1e-6;
    let fd = (f(h, 2.0) - f(-h, 2.0)) / (2.0 * h);
    let tape = Tape::<f64>::new();
    let (x, y) = (tape.var_from(&[1], &[0.0]), tape.var_from(&[1], &[2.0]));
    let gx = x.xlogy(y).sum().backward_graph().wrt(x).sum();
    assert!((gx.item() - fd).abs() < 1e-9, "{} vs {fd}", gx.item());
    let gxy = gx.backward().wrt(y).data()[0];
    assert!((gxy - 0.5).abs() < 1e-15, "∂²/∂x∂y = {gxy}, not 1/y = 0.5");
}

/// `rel` distance of `got` from `want` in units of the type's epsilon, for finite values
/// (0 when both are equal, infinities and zeros included).
fn eps_off<T: Float>(got: T, want: f64) -> f64 {
    let g = got.to_f64();
    if g == want {
        return 0.0;
    }
    (g - want).abs() / (want.abs() * T::EPSILON.to_f64())
}

/// log_softmax and softmax of large logits keep the precision of the logits' differences:
/// (x − m) − ln Σ e^(x−m), as PyTorch computes them, not x − (m + ln Σ e^(x−m)), whose
/// sum rounds to the spacing of the logits themselves (at 1000 in f32, 6e-5: softmax was
/// 0.73108 where the value is 0.7310586, 250 ulps off). Expected values: PyTorch in f64,
/// each within an ulp of σ(1), ln σ(1), ....
#[test]
fn softmax_of_large_logits_is_accurate_in_f32_and_f64() {
    fn check<T: Float>() {
        // (shape, logits, softmax, log_softmax) over the last axis.
        type Case<'a> = (&'a [usize], &'a [f64], &'a [f64], &'a [f64]);
        let cases: [Case; 2] = [
            (
                &[3],
                &[1000.0, 999.0, -1000.0],
                &[0.7310585786300049, 0.26894142136999516, 0.0],
                &[-0.31326168751822286, -1.3132616875182228, -2000.3132616875182],
            ),
            (
                &[2, 3],
                &[30.25, 31.0, 29.5, -50.0, -50.5, -49.75],
                &[
                    0.27860068919627295,
                    0.5897976636568125,
                    0.13160164714691433,
                    0.3459541948223698,
                    0.20983182601596484,
                    0.44421397916166544,
                ],
                &[
                    -1.2779757438553099,
                    -0.5279757438553099,
                    -2.02797574385531,
                    -1.0614488975945138,
                    -1.5614488975945138,
                    -0.8114488975945137,
                ],
            ),
        ];
        for (shape, x, sm, lsm) in cases {
            let tape = Tape::<T>::new();
            let x: Vec<T> = x.iter().map(|&v| T::from_f64(v)).collect();
            let v = tape.var_from(shape, &x);
            let s = v.softmax(-1).value();
            let l = v.log_softmax(-1).value();
            for i in 0..sm.len() {
                let (es, el) = (eps_off(s.data()[i], sm[i]), eps_off(l.data()[i], lsm[i]));
                assert!(
                    es <= 4.0,
                    "{}: softmax[{i}] = {:?}, {es:.0} eps from {}",
                    T::NAME,
                    s.data()[i],
                    sm[i]
                );
                assert!(
                    el <= 4.0,
                    "{}: log_softmax[{i}] = {:?}, {el:.0} eps from {}",
                    T::NAME,
                    l.data()[i],
                    lsm[i]
                );
            }
        }
    }
    check::<f64>();
    check::<f32>();
}

/// The standard deviation of equal elements has gradient 0, as PyTorch's `std` (its
/// backward masks the result 0 to 0) and as the engine's `norm`: √'s infinite slope at a
/// zero variance must not reach the sweep, where it made 0·∞ = NaN. Elsewhere the gradient
/// is (x − mean)/((n − c)·std). Expected values: PyTorch, f64.
#[test]
fn std_of_equal_elements_has_gradient_zero() {
    fn check<T: Float>() {
        let x: Vec<T> = [3.0, 3.0, 3.0, 1.0, 2.0, 4.0].map(T::from_f64).to_vec();
        let tape = Tape::<T>::new();
        let v = tape.var_from(&[2, 3], &x);
        let s = v.std_axis(1, false, 1);
        let want_s = [0.0, 1.5275252316519465];
        let want_g = [0.0, 0.0, 0.0, -0.43643578047198484, -0.10910894511799625, 0.5455447255899809];
        let g = s.sum().backward().wrt(v);
        for (&got, &want) in s.value().data().iter().zip(&want_s) {
            assert!(eps_off(got, want) <= 4.0, "{}: {:?}", T::NAME, s.value());
        }
        for (&got, &want) in g.data().iter().zip(&want_g) {
            assert!(eps_off(got, want) <= 8.0, "{}: std_axis grad {:?}", T::NAME, g);
        }
        // Over all elements, and the second derivatives (PyTorch: 0 and 0).
        let tape = Tape::<T>::new();
        let v = tape.var_from(&[2], &[T::from_f64(5.0); 2]);
        let s = v.std(1);
        assert_eq!(s.item(), T::ZERO);
        let g = s.backward_graph().wrt(v);
        assert_eq!(g.value().data(), &[T::ZERO; 2], "{}", T::NAME);
        assert_eq!(g.sum().backward().wrt(v).data(), &[T::ZERO; 2], "{}", T::NAME);
    }
    check::<f64>();
    check::<f32>();
}

/// f32 sums over the leading axis of a million rows (a bias gradient over a large batch,
/// `sum_axis(0)`, `mean_axis(0)`, `var_axis(0)`) stay within a few f32 ulps of the exact
/// value, as the sums over all elements (pairwise) do and as PyTorch's (measured: 2e-9
/// relative on these values; 4e-6 here before, from adding blocks of eight rows one
/// after another).
#[test]
fn f32_sums_over_a_million_rows_are_accurate() {
    let (rows, cols) = (1_000_000usize, 2usize);
    let data: Vec<f32> = (0..rows * cols).map(|i| 0.1 + ((i * 7919) % 1000) as f32 * 1e-4).collect();
    // f64 references, per column.
    let col = |j: usize| data.iter().skip(j).step_by(cols).map(|&v| f64::from(v));
    let sums: Vec<f64> = (0..cols).map(|j| col(j).sum()).collect();
    let vars: Vec<f64> = (0..cols)
        .map(|j| {
            let m = sums[j] / rows as f64;
            col(j).map(|v| (v - m) * (v - m)).sum::<f64>() / (rows - 1) as f64
        })
        .collect();
    let tape = Tape::<f32>::new();
    let x = tape.var_from(&[rows, cols], &data);
    let rel = |got: f32, want: f64| (f64::from(got) - want).abs() / want.abs();
    let (s, m, v) =
        (x.sum_axis(0, false).value(), x.mean_axis(0, false).value(), x.var_axis(0, false, 1).value());
    for j in 0..cols {
        assert!(rel(s.data()[j], sums[j]) < 2e-7, "sum_axis(0)[{j}] = {} vs {}", s.data()[j], sums[j]);
        assert!(rel(m.data()[j], sums[j] / rows as f64) < 2e-7, "mean_axis(0)[{j}] = {}", m.data()[j]);
        assert!(rel(v.data()[j], vars[j]) < 1e-6, "var_axis(0)[{j}] = {} vs {}", v.data()[j], vars[j]);
    }
    // The same sums as a gradient: a bias broadcast over the rows.
    let b = tape.var_from(&[cols], &[0.0; 2]);
    let g = (x.detach() * (x.detach() + b)).sum().backward().wrt(b);
    for (j, (&got, &want)) in g.data().iter().zip(&sums).enumerate() {
        assert!(rel(got, want) < 2e-7, "∂/∂b[{j}] = {got} vs {want}");
    }
}

/// `pow`'s gradient written in tape ops (`backward_graph`, for second derivatives) gives
/// the numeric sweep's values, which are PyTorch's, where one of them is special: at a
/// zero base with a negative exponent ∂/∂b = y·ln a = −∞ (it gave NaN: the ln was
/// shifted to ln 1 wherever a = 0), and at a zero exponent ∂/∂a = 0 also where a^(b−1)
/// overflows or is NaN (a subnormal or NaN base; it gave 0·∞ = NaN). The mixed second
/// derivative at b = 0 stays 1/a (PyTorch's is 0 there).
#[test]
fn pow_gradient_in_tape_ops_matches_the_numeric_one_at_special_points() {
    let same = |x: f64, y: f64| x == y || (x.is_nan() && y.is_nan());
    // (a, b, ∂/∂a, ∂/∂b) from torch.pow in float64.
    let cases = [
        (0.0, -1.0, f64::NEG_INFINITY, f64::NEG_INFINITY),
        (0.0, -2.5, f64::NEG_INFINITY, f64::NEG_INFINITY),
        (1e-310, 0.0, 0.0, -713.8013788281542),
        (f64::NAN, 0.0, 0.0, f64::NAN),
        (0.0, 0.0, 0.0, 0.0),
        (0.0, 2.0, 0.0, 0.0),
        (2.0, 0.0, 0.0, std::f64::consts::LN_2),
    ];
    for (a0, b0, want_a, want_b) in cases {
        for shape in [&[][..], &[1][..]] {
            let tape = Tape::<f64>::new();
            let (a, b) = (tape.var_from(shape, &[a0]), tape.var_from(shape, &[b0]));
            let y = a.pow(b).sum();
            let g = y.backward();
            let gg = y.backward_graph();
            let (na, nb) = (g.wrt(a).data()[0], g.wrt(b).data()[0]);
            let (ga, gb) = (gg.wrt(a).value().data()[0], gg.wrt(b).value().data()[0]);
            assert!(same(na, want_a) && same(nb, want_b), "pow({a0}, {b0}) {shape:?}: backward ({na}, {nb})");
            assert!(
                same(ga, want_a) && same(gb, want_b),
                "pow({a0}, {b0}) {shape:?}: backward_graph ({ga}, {gb})"
            );
        }
    }
    let tape = Tape::<f64>::new();
    let (a, b) = (tape.var_from(&[1], &[2.0]), tape.var_from(&[1], &[0.0]));
    let ga = a.pow(b).sum().backward_graph().wrt(a).sum();
    assert_eq!(ga.backward().wrt(b).data(), &[0.5]);
}

/// The documented conventions at kinks, ties and NaN, each op's gradient at once
/// (PyTorch's where the docs say so: relu'(0) = abs'(0) = 0, clamp' = 0 at a bound,
/// ties split evenly with total 1; at NaN the elementwise ops pass no gradient, as JAX's,
/// and `max` passes it to the NaN elements, as PyTorch's).
#[test]
fn kinks_ties_and_nan_follow_the_documented_conventions() {
    let nan = f64::NAN;
    let grad = |x: &[f64], f: &dyn for<'t> Fn(wengert_tape::Var<'t>) -> wengert_tape::Var<'t>| {
        let tape = Tape::<f64>::new();
        let v = tape.var_from(&[x.len()], x);
        f(v).sum().backward().wrt(v).data().to_vec()
    };
    assert_eq!(grad(&[0.0, -0.0, nan, 2.0], &|x| x.relu()), [0.0, 0.0, 0.0, 1.0]);
    assert_eq!(grad(&[0.0, -0.0, nan, -2.0], &|x| x.abs()), [0.0, 0.0, 0.0, -1.0]);
    assert_eq!(grad(&[0.0, 1.0, nan, 0.5], &|x| x.clamp(0.0, 1.0)), [0.0, 0.0, 0.0, 1.0]);
    assert_eq!(grad(&[1.0, 1.0, 0.0], &|x| x.max()), [0.5, 0.5, 0.0]);
    assert_eq!(grad(&[0.0, 0.0, 1.0], &|x| x.min()), [0.5, 0.5, 0.0]);
    assert_eq!(grad(&[nan, 1.0, nan], &|x| x.max()), [0.5, 0.0, 0.5]);
    assert_eq!(grad(&[f64::INFINITY, 0.0], &|x| x.sqrt()), [0.0, f64::INFINITY]);
    let tape = Tape::<f64>::new();
    let a = tape.var_from(&[3], &[1.0, nan, 2.0]);
    let b = tape.var_from(&[3], &[1.0, 1.0, nan]);
    for (i, y) in [a.maximum(b), a.minimum(b)].into_iter().enumerate() {
        let g = y.sum().backward();
        assert_eq!(g.wrt(a).data(), [0.5, 0.0, 0.0], "{}", ["maximum", "minimum"][i]);
        assert_eq!(g.wrt(b).data(), [0.5, 0.0, 0.0], "{}", ["maximum", "minimum"][i]);
        assert!(y.value().data()[1].is_nan() && y.value().data()[2].is_nan());
    }
}

/// f32 sums over a middle axis (`sum_axis(1)` of [batch, sequence, features], a mean over
/// the sequence) of half a million elements stay within a few ulps, as the sums over the
/// leading and trailing axes do (they went through a generic loop that added the elements
/// one after another: 1.7e-5 off relative, the variance 3e-4).
#[test]
fn f32_sums_over_a_long_middle_axis_are_accurate() {
    let (a, n, b) = (2usize, 500_000usize, 2usize);
    let data: Vec<f32> = (0..a * n * b).map(|i| 0.1 + ((i * 7919) % 1000) as f32 * 1e-4).collect();
    let at = |i: usize, k: usize, j: usize| f64::from(data[(i * n + k) * b + j]);
    let tape = Tape::<f32>::new();
    let x = tape.var_from(&[a, n, b], &data);
    let (s, m, v) =
        (x.sum_axis(1, false).value(), x.mean_axis(-2, true).value(), x.var_axis(1, false, 1).value());
    let bias = tape.var_from(&[a, 1, b], &[0.0; 4]);
    let g = (x.detach() * (x.detach() + bias)).sum().backward().wrt(bias);
    let rel = |got: f32, want: f64| (f64::from(got) - want).abs() / want.abs();
    for i in 0..a {
        for j in 0..b {
            let sum: f64 = (0..n).map(|k| at(i, k, j)).sum();
            let mean = sum / n as f64;
            let var = (0..n).map(|k| (at(i, k, j) - mean).powi(2)).sum::<f64>() / (n - 1) as f64;
            let o = i * b + j;
            assert!(rel(s.data()[o], sum) < 2e-7, "sum_axis(1)[{i}, {j}] = {} vs {sum}", s.data()[o]);
            assert!(rel(m.data()[o], mean) < 2e-7, "mean_axis(-2)[{i}, {j}] = {} vs {mean}", m.data()[o]);
            assert!(rel(v.data()[o], var) < 1e-6, "var_axis(1)[{i}, {j}] = {} vs {var}", v.data()[o]);
            assert!(rel(g.data()[o], sum) < 2e-7, "∂/∂bias[{i}, {j}] = {} vs {sum}", g.data()[o]);
        }
    }
}

/// f32 sums over several separate runs of axes (batch-norm statistics: [N, C, H, W]
/// summed to [1, C, 1, 1], here through a broadcast's gradient and `sum_to`) stay within
/// a few ulps, as the sums over one run do (they were added one after another: 1e-5 off).
#[test]
fn f32_sums_over_separate_runs_of_axes_are_accurate() {
    let shape = [500usize, 2, 500, 2];
    let n: usize = shape.iter().product();
    let data: Vec<f32> = (0..n).map(|i| 0.1 + ((i * 7919) % 1000) as f32 * 1e-4).collect();
    // Exact sums per (c, w).
    let mut want = [0.0f64; 4];
    for (i, &v) in data.iter().enumerate() {
        let (c, w) = ((i / (shape[2] * shape[3])) % shape[1], i % shape[3]);
        want[c * 2 + w] += f64::from(v);
    }
    let tape = Tape::<f32>::new();
    let x = tape.var_from(&shape, &data);
    let s = x.sum_to(&[2, 1, 2]).value();
    let scale = tape.var_from(&[1, 2, 1, 2], &[0.0; 4]);
    let g = (x.detach() * (x.detach() + scale)).sum().backward().wrt(scale);
    let rel = |got: f32, want: f64| (f64::from(got) - want).abs() / want.abs();
    for (k, &want) in want.iter().enumerate() {
        assert!(rel(s.data()[k], want) < 2e-7, "sum_to[{k}] = {} vs {want}", s.data()[k]);
        assert!(rel(g.data()[k], want) < 2e-7, "∂/∂scale[{k}] = {} vs {want}", g.data()[k]);
    }
}

/// `norm` does not rescale, as PyTorch's `linalg.vector_norm` (and numpy's): its values
/// and gradients at huge and tiny elements are PyTorch's, as its doc comment says (f64:
/// ∞ with gradient 0 at 1e200, 0 with gradient 0 at 1e-200; f32 the same at 1e20 and
/// 1e-30).
#[test]
fn norm_overflows_and_underflows_as_documented() {
    fn check<T: Float>(big: f64, tiny: f64) {
        let tape = Tape::<T>::new();
        let x = tape.var_from(&[2], &[T::from_f64(big); 2]);
        assert_eq!(x.norm().item(), T::INFINITY, "{}", T::NAME);
        assert_eq!(x.norm().backward().wrt(x).data(), &[T::ZERO; 2], "{}", T::NAME);
        let x = tape.var_from(&[2], &[T::from_f64(tiny); 2]);
        assert_eq!(x.norm().item(), T::ZERO, "{}", T::NAME);
        assert_eq!(x.norm().backward().wrt(x).data(), &[T::ZERO; 2], "{}", T::NAME);
    }
    check::<f64>(1e200, 1e-200);
    check::<f32>(1e20, 1e-30);
}
