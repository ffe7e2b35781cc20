//! The Taylor remainder test: right derivatives converge at rates 2 (gradient) and 3 (H·v),
//! wrong ones at 1 and 2, whatever the size of their error; kinks, flat functions and
//! rounding give no false verdict.

use std::rc::Rc;

use wengert_tape::gradcheck::{taylor_test, taylor_test_fn, CheckOptions, Function, TaylorVerdict};
use wengert_tape::{func_many, CustomOp, Float, Result, Tensor, Var};

/// y = x³ with its backward scaled by `factor`, and a vjp_graph (the gradient 3x²·g in tape
/// ops) scaled by `graph` (None: no vjp_graph).
struct Cube {
    factor: f64,
    graph: Option<f64>,
}

impl CustomOp<f64> for Cube {
    fn name(&self) -> &str {
        "cube"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| self.factor * 3.0 * x[0].data()[i].powi(2) * g.data()[i])]
    }
    fn vjp_graph<'t>(
        &self,
        x: &[Var<'t, f64>],
        _y: Var<'t, f64>,
        g: Var<'t, f64>,
    ) -> Option<Vec<Var<'t, f64>>> {
        self.graph.map(|s| vec![x[0].square() * g * (3.0 * s)])
    }
}

fn cube_loss(op: Cube) -> impl for<'t> Fn(&[Var<'t, f64>]) -> Var<'t, f64> {
    let op = Rc::new(op);
    move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sin().sum()
}

fn x() -> Tensor<f64> {
    Tensor::from([[0.5, -1.0, 0.3], [2.0, 0.25, -0.7]])
}

fn rate(v: &TaylorVerdict) -> f64 {
    match v {
        TaylorVerdict::Converges { rate, .. } | TaylorVerdict::Wrong { rate, .. } => *rate,
        other => panic!("no rate: {other:?}"),
    }
}

#[test]
fn right_derivatives_converge_at_rates_two_and_three() {
    let f = func_many(|v| (v[0].sin() * v[0].exp() + (v[0].square() + 1.0).ln()).sum());
    let r = taylor_test(f, &[x()], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert!((rate(&r.first) - 2.0).abs() < 0.1, "{r}");
    assert!((rate(r.second.as_ref().unwrap()) - 3.0).abs() < 0.15, "{r}");
    // The remainders of order 0 shrink like h.
    assert!(r.rates(0).iter().all(|&(_, p)| (p - 1.0).abs() < 0.1), "{r}");
    let text = r.to_string();
    assert!(text.starts_with("taylor test PASSED"), "{text}");
    assert!(text.contains("the gradient is right along v"), "{text}");
}

#[test]
fn a_wrong_gradient_converges_at_rate_one_whatever_its_error() {
    // A right rule passes; rules off by 10%, 1e-4 and 1e-7 all converge at rate 1.
    let right =
        taylor_test(cube_loss(Cube { factor: 1.0, graph: Some(1.0) }), &[x()], &CheckOptions::default());
    assert!(right.passed(), "{right}");
    for factor in [1.1, 1.0 + 1e-4, 1.0 + 1e-7] {
        let r = taylor_test(cube_loss(Cube { factor, graph: Some(1.0) }), &[x()], &CheckOptions::default());
        assert!(!r.passed(), "factor {factor}: {r}");
        let TaylorVerdict::Wrong { rate, error, .. } = r.first else { panic!("factor {factor}: {r}") };
        assert!((rate - 1.0).abs() < 0.3, "factor {factor}: {r}");
        // The error along v: (factor − 1)·⟨∇f, v⟩.
        let expected = ((factor - 1.0) / factor * r.slope).abs();
        assert!((error / expected - 1.0).abs() < 0.05, "factor {factor}: error {error} vs {expected}\n{r}");
        assert!(r.to_string().contains("the gradient is WRONG along v"), "{r}");
    }
}

#[test]
fn a_wrong_second_order_rule_converges_at_rate_two() {
    // vjp right, vjp_graph doubled: the gradient passes, H·v fails.
    let r = taylor_test(cube_loss(Cube { factor: 1.0, graph: Some(2.0) }), &[x()], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    assert!(r.first.is_right(), "{r}");
    let second = r.second.as_ref().unwrap();
    assert!(matches!(second, TaylorVerdict::Wrong { .. }), "{r}");
    assert!((rate(second) - 2.0).abs() < 0.3, "{r}");
}

#[test]
fn without_vjp_graph_only_the_gradient_is_tested() {
    let r = taylor_test(cube_loss(Cube { factor: 1.0, graph: None }), &[x()], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert!(r.second.is_none() && r.curvature.is_none(), "{r}");
    assert!(r.notes.iter().any(|n| n.contains("H·v could not be recorded")), "{r}");
}

#[test]
fn polynomials_are_exact_at_their_order() {
    // Linear along v: r₁ at rounding at every step.
    let lin = taylor_test(func_many(|v| (v[0] * 3.0 - 1.0).sum()), &[x()], &CheckOptions::default());
    assert!(lin.passed(), "{lin}");
    assert_eq!(lin.first, TaylorVerdict::Exact, "{lin}");
    // Quadratic: r₁ exactly h²/2·vᵀHv (rate 2), r₂ at rounding.
    let quad = taylor_test(func_many(|v| (v[0].square() * 0.5).sum()), &[x()], &CheckOptions::default());
    assert!(quad.passed(), "{quad}");
    assert!((rate(&quad.first) - 2.0).abs() < 0.01, "{quad}");
    assert_eq!(quad.second, Some(TaylorVerdict::Exact), "{quad}");
    // A wrong slope of a linear function is found: r₁ = h·|error|.
    let wrong = taylor_test(func_many(|v| (v[0].detach() * v[0]).sum()), &[x()], &CheckOptions::default());
    assert!(!wrong.passed(), "{wrong}");
}

#[test]
fn steps_across_a_kink_are_not_used() {
    // relu at x − 0.01 with x = 0.01 + small: the larger steps cross the breakpoint, the
    // smaller ones do not, and they decide.
    let x = Tensor::from([0.0105, 1.5, -2.0]);
    let f = func_many(|v| (v[0] - 0.01).relu().sum() + v[0].sin().sum());
    let r = taylor_test(f, &[x], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert!(r.steps.iter().any(|s| s.crosses_kink) && !r.steps.last().unwrap().crosses_kink, "{r}");
    assert!(r.to_string().contains("crosses a kink"), "{r}");
    // On the breakpoint, every step crosses it: inconclusive, not passed.
    let on =
        taylor_test(func_many(|v| v[0].abs().sum()), &[Tensor::from([0.0, 1.0])], &CheckOptions::default());
    assert!(!on.passed(), "{on}");
    assert!(
        matches!(&on.first, TaylorVerdict::Inconclusive(why) if why.contains("every step crosses")),
        "{on}"
    );
}

struct Smooth;
impl Function for Smooth {
    fn eval<'t, T: Float>(&self, v: &[Var<'t, T>]) -> Var<'t, T> {
        (v[0].tanh() * v[1]).sum() + v[0].square().sum() * T::from_f64(0.5)
    }
}

#[test]
fn an_f32_gradient_is_tested_against_f_in_f64() {
    let xs = [Tensor::from([0.3f32, -1.2, 0.8]), Tensor::from([1.0f32, 2.0, -0.5])];
    let r = taylor_test_fn(&Smooth, &xs, &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert_eq!((r.grad_dtype, r.eval_dtype), ("f32", "f64"));
    // In f32 throughout (the closure form), the usable steps are fewer but still decide.
    let r = taylor_test(func_many(|v| (v[0].tanh() * v[1]).sum()), &xs, &CheckOptions::default());
    assert!(r.passed(), "{r}");
}

#[test]
fn fixed_inputs_are_not_moved_and_every_input_fixed_is_a_problem() {
    // The second input's gradient is detached (wrong), but it is held fixed.
    let f = func_many(|v| (v[0].sin() * v[1].detach()).sum());
    let xs = [x(), Tensor::from([[1.0, 2.0, 3.0], [0.5, -1.0, 0.25]])];
    assert!(!taylor_test(f, &xs, &CheckOptions::default()).passed());
    let r = taylor_test(f, &xs, &CheckOptions::default().with_names(&["w", "t"]).with_fixed(&[1]));
    assert!(r.passed(), "{r}");
    assert!(r.to_string().contains("along a random v over w "), "{r}");
    let all = taylor_test(f, &xs, &CheckOptions::default().with_fixed(&[0, 1]));
    assert!(!all.passed() && all.problems.iter().any(|p| p.contains("no element to move")), "{all}");
}

#[test]
fn a_function_that_panics_or_returns_a_tensor_is_a_problem() {
    let p = taylor_test(func_many(|_| panic!("boom")), &[x()], &CheckOptions::default());
    assert!(!p.passed() && p.problems.iter().any(|m| m.contains("boom")), "{p}");
    let t = taylor_test(func_many(|v| v[0].sin()), &[x()], &CheckOptions::default());
    assert!(!t.passed() && t.problems.iter().any(|m| m.contains("must return a scalar")), "{t}");
}

#[test]
fn steps_outside_the_domain_are_skipped() {
    // ln near 0: the larger steps leave the domain (NaN), the smaller ones decide.
    let x = Tensor::from([0.05, 0.6, 2.0]);
    let r = taylor_test(func_many(|v| v[0].ln().sum()), &[x], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert!(r.steps.iter().any(|s| s.failed.is_some()), "{r}");
    assert!(r.to_string().contains("f could not be evaluated"), "{r}");
}

#[test]
fn the_direction_depends_on_the_seed_only() {
    let f = func_many(|v| (v[0].sin() * v[0]).sum());
    let a = taylor_test(f, &[x()], &CheckOptions::default());
    let b = taylor_test(f, &[x()], &CheckOptions::default());
    let c = taylor_test(f, &[x()], &CheckOptions::default().with_seed(7));
    assert_eq!(a.slope, b.slope);
    assert_ne!(a.slope, c.slope);
    assert!(c.passed(), "{c}");
}

/// Five smooth two-input losses, the first argument through the identity whose backward is
/// scaled by `.1` (1 is right).
struct Losses(usize, f64);
impl Function for Losses {
    fn eval<'t, T: Float>(&self, v: &[Var<'t, T>]) -> Var<'t, T> {
        let w = v[0].tape().custom(Rc::new(Scale(self.1)), &[v[0]]).unwrap();
        match self.0 {
            0 => (w.sin() * v[1].exp()).sum(),
            1 => w.matmul(v[1].reshape(&[3, 2])).tanh().square().mean(),
            2 => (w - v[1]).square().sum().sqrt(),
            3 => w.log_softmax(-1).sum() * v[1].sigmoid().sum(),
            _ => (w * v[1]).softplus().sum() / (v[1].square().sum() + T::ONE),
        }
    }
}

/// Two inputs of shape [2, 3], uniform in (−2, 2), from a seed.
fn points<T: Float>(loss: usize, seed: u64) -> [Tensor<T>; 2] {
    let mut s = seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ loss as u64 ^ 0xABCDEF;
    let mut next = || {
        s ^= s << 13;
        s ^= s >> 7;
        s ^= s << 17;
        T::from_f64((s >> 11) as f64 / (1u64 << 53) as f64 * 4.0 - 2.0)
    };
    [Tensor::from_fn(&[2, 3], |_| next()), Tensor::from_fn(&[2, 3], |_| next())]
}

/// [passed, wrong, inconclusive] over the five losses at 300 points each.
fn sweep(factor: f64, how: &str) -> [usize; 3] {
    let mut count = [0; 3];
    for loss in 0..5 {
        for seed in 0..300 {
            let (f, o) = (Losses(loss, factor), CheckOptions::default().with_seed(seed));
            let r = match how {
                "f64" => taylor_test(|v| f.eval(v), &points::<f64>(loss, seed), &o),
                "f32 fn" => taylor_test_fn(&f, &points::<f32>(loss, seed), &o),
                _ => taylor_test(|v| f.eval(v), &points::<f32>(loss, seed), &o),
            };
            count[if r.passed() {
                0
            } else if matches!(r.first, TaylorVerdict::Wrong { .. }) {
                1
            } else {
                2
            }] += 1;
        }
    }
    count
}

/// The table of docs/gradcheck.md ("Taylor remainder test"), with bounds on it: a right
/// gradient is never called wrong, and errors of 0.1% and 0.001% are found in f64.
#[test]
fn no_false_verdict_over_seeds_and_points_and_small_errors_are_found() {
    let rows = [
        (1.0, "f64"),
        (1.0, "f32 fn"),
        (1.0, "f32"),
        (1.001, "f64"),
        (1.00001, "f64"),
        (1.01, "f32 fn"),
        (1.01, "f32"),
    ];
    let table: Vec<[usize; 3]> = rows.iter().map(|&(f, how)| sweep(f, how)).collect();
    for (row, c) in rows.iter().zip(&table) {
        println!("factor {} in {}: passed {}, wrong {}, inconclusive {}", row.0, row.1, c[0], c[1], c[2]);
    }
    assert_eq!(table[0], [1500, 0, 0]);
    assert_eq!(table[1], [1500, 0, 0]);
    assert!(table[2][1] == 0 && table[2][0] >= 1480, "{:?}", table[2]);
    assert!(table[3][1] >= 1490, "{:?}", table[3]);
    assert!(table[4][1] >= 1450, "{:?}", table[4]);
    assert!(table[5][1] >= 1400, "{:?}", table[5]);
}

/// The identity with its backward scaled by a factor.
struct Scale(f64);
impl<T: Float> CustomOp<T> for Scale {
    fn name(&self) -> &str {
        "scale"
    }
    fn forward(&self, x: &[&Tensor<T>]) -> Result<Tensor<T>> {
        Ok(x[0].clone())
    }
    fn vjp(&self, _x: &[&Tensor<T>], _y: &Tensor<T>, g: &Tensor<T>) -> Vec<Tensor<T>> {
        vec![g.map(|v| v * T::from_f64(self.0))]
    }
    fn vjp_graph<'t>(&self, _x: &[Var<'t, T>], _y: Var<'t, T>, g: Var<'t, T>) -> Option<Vec<Var<'t, T>>> {
        Some(vec![g * T::from_f64(self.0)])
    }
}

/// Several directions: one is the default's test to the letter; with more, a right
/// gradient passes along all of them, and a wrong one fails along the first, the report
/// saying which; 0 directions is refused.
#[test]
fn several_directions_each_pass_or_the_first_failure_is_reported() {
    let f = func_many(|v| (v[0].sin() * v[0].exp() + (v[0].square() + 1.0).ln()).sum());
    let one = taylor_test(f, &[x()], &CheckOptions::default());
    let also_one = taylor_test(f, &[x()], &CheckOptions::default().with_taylor_directions(1));
    assert_eq!(one.to_string(), also_one.to_string());
    let three = taylor_test(f, &[x()], &CheckOptions::default().with_taylor_directions(3));
    assert!(three.passed(), "{three}");
    assert_eq!(three.steps.len(), one.steps.len(), "the table is the first direction's");
    assert!(
        three.notes.iter().any(|n| n == "all 3 random directions passed; this table is the first's"),
        "{three}"
    );
    let wrong = cube_loss(Cube { factor: 1.0 + 1e-4, graph: Some(1.0) });
    let r = taylor_test(wrong, &[x()], &CheckOptions::default().with_taylor_directions(4));
    assert!(!r.passed(), "{r}");
    assert!(
        r.notes.iter().any(|n| n.starts_with("direction 1 of 4 (seed 0x0): the first that did not pass")),
        "{r}"
    );
    let err = std::panic::catch_unwind(|| CheckOptions::default().with_taylor_directions(0)).unwrap_err();
    let msg = err.downcast_ref::<String>().cloned().unwrap_or_default();
    assert_eq!(msg, "CheckOptions::with_taylor_directions: 0 directions test nothing");
}
