//! The gradient checker catches wrong backward rules, names where they are, and does not
//! fail correct functions (in f32 either).

use std::rc::Rc;

use wengert_tape::gradcheck::{
    check_custom_op, check_custom_op_at, gradcheck, gradcheck_fn, gradgradcheck, gradgradcheck_fn,
    CheckOptions, CheckReport, Function, Probe, Status,
};
use wengert_tape::{CustomOp, Float, NodeId, Result, Tape, Tensor, Var};

/// y = x³, with a backward scaled by `factor` at flat index `at` (or everywhere if None),
/// and an optional vjp_graph of the given kind.
struct Cube {
    factor: f64,
    at: Option<usize>,
    graph: Graph,
}

#[derive(Clone, Copy, PartialEq)]
enum Graph {
    None,
    Right,
    /// Right value, but x² is detached so its own derivative is lost.
    Detached,
    /// Twice the right value.
    Doubled,
}

impl Cube {
    fn ok() -> Self {
        Cube { factor: 1.0, at: None, graph: Graph::None }
    }
}

impl CustomOp<f64> for Cube {
    fn name(&self) -> &str {
        "cube"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| {
            let f = if self.at.is_none_or(|a| a == i) { self.factor } else { 1.0 };
            f * 3.0 * x[0].data()[i].powi(2) * g.data()[i]
        })]
    }
    fn vjp_graph<'t>(
        &self,
        x: &[Var<'t, f64>],
        _y: Var<'t, f64>,
        g: Var<'t, f64>,
    ) -> Option<Vec<Var<'t, f64>>> {
        match self.graph {
            Graph::None => None,
            Graph::Right => Some(vec![g * x[0].square() * 3.0]),
            Graph::Detached => Some(vec![g * x[0].square().detach() * 3.0]),
            Graph::Doubled => Some(vec![g * x[0].square() * 6.0]),
        }
    }
}

/// a·exp(b) with the two gradients swapped.
struct Swapped;
impl CustomOp<f64> for Swapped {
    fn name(&self) -> &str {
        "swapped"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(Tensor::from_fn(x[0].shape(), |i| x[0].data()[i] * x[1].data()[i].exp()))
    }
    fn vjp(&self, x: &[&Tensor<f64>], y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        let ga = Tensor::from_fn(x[0].shape(), |i| g.data()[i] * x[1].data()[i].exp());
        let gb = Tensor::from_fn(x[0].shape(), |i| g.data()[i] * y.data()[i]);
        vec![gb, ga]
    }
}

/// a [2, 3] · b [3] broadcast, whose vjp forgets to sum b's gradient over rows.
struct Unsummed;
impl CustomOp<f64> for Unsummed {
    fn name(&self) -> &str {
        "row_scale"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(Tensor::from_fn(x[0].shape(), |i| x[0].data()[i] * x[1].data()[i % 3]))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        let ga = Tensor::from_fn(x[0].shape(), |i| g.data()[i] * x[1].data()[i % 3]);
        let gb = Tensor::from_fn(x[0].shape(), |i| g.data()[i] * x[0].data()[i]);
        vec![ga, gb]
    }
}

fn sample(shape: &[usize], seed: f64) -> Tensor<f64> {
    Tensor::from_fn(shape, |i| ((i as f64 + 1.0) * 0.731 + seed).sin())
}

#[test]
fn correct_custom_op_passes_all_checks() {
    let r = check_custom_op(
        Rc::new(Cube { graph: Graph::Right, ..Cube::ok() }),
        &[&[2, 3]],
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    assert!(r.entries.iter().any(|e| e.probe == Probe::DotProduct));
    assert!(r.entries.iter().any(|e| e.order == 2), "vjp_graph declared, so order 2 is checked");
    assert_eq!(r.entries.iter().filter(|e| matches!(e.probe, Probe::Element { .. })).count(), 6 + 6);
}

#[test]
fn off_by_a_factor_is_caught_at_the_right_element() {
    let op = Rc::new(Cube { factor: 1.01, at: Some(5), graph: Graph::None });
    let r = check_custom_op(op, &[&[2, 3]], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    let fails = r.failures();
    assert_eq!(fails.len(), 2, "element [1, 2] and the dot-product identity:\n{r}");
    let worst = r.worst_entries(1)[0];
    assert_eq!(worst.probe, Probe::Element { input: 0, index: vec![1, 2] }, "{r}");
    assert!((worst.analytic / worst.numeric - 1.01).abs() < 1e-6, "{r}");
    let text = r.to_string();
    assert!(text.contains("x0[1, 2]") && text.contains("FAIL") && text.contains("analytic"), "{text}");
    // The step refinement settles at the numeric value: the rule is wrong.
    let rf = worst.refined.as_ref().expect("failed entries get a step refinement");
    assert!(rf.settled && (rf.estimate - worst.numeric).abs() < 1e-6, "{text}");
    assert!(rf.quotients.iter().take(3).all(|q| (q.1 - worst.numeric).abs() < 1e-6), "{text}");
    assert!(text.contains("settled: the analytic value is wrong"), "{text}");
}

#[test]
fn swapped_gradients_are_caught_on_both_inputs() {
    let r = check_custom_op(Rc::new(Swapped), &[&[4], &[4]], &CheckOptions::default());
    assert!(!r.passed());
    let s = r.summaries();
    assert_eq!((s[0].failed, s[1].failed), (4, 4), "{r}");
}

#[test]
fn a_gradient_of_the_wrong_shape_names_the_input() {
    let r = check_custom_op(
        Rc::new(Unsummed),
        &[&[2, 3], &[3]],
        &CheckOptions::default().with_names(&["a", "b"]),
    );
    assert!(!r.passed());
    assert_eq!(r.problems.len(), 1, "{r}");
    assert!(r.problems[0].contains("input 1 (b)") && r.problems[0].contains("[2, 3]"), "{r}");
    // Input a is still checked, and is right.
    assert_eq!(r.summaries()[0].failed, 0, "{r}");
    assert_eq!(r.summaries()[0].entries, 6, "{r}");
}

#[test]
fn gradcheck_of_a_correct_function_passes_and_of_a_wrong_op_fails() {
    let x = sample(&[3, 2], 0.1);
    let w = sample(&[2, 4], 0.7);
    fn f<'t>(v: &[Var<'t>]) -> Var<'t> {
        (v[0].matmul(v[1]).tanh() * v[0].sum().sigmoid()).square().mean()
    }
    let r = gradcheck(f, &[x.clone(), w.clone()], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert!(r.localisation.is_none() && !r.localized);

    fn bad<'t>(v: &[Var<'t>]) -> Var<'t> {
        let t = v[0].tape();
        let c = t.custom(Rc::new(Cube { factor: 0.9, at: None, graph: Graph::None }), &[v[0]]).unwrap();
        c.matmul(v[1]).sum()
    }
    let r = gradcheck(bad, &[x, w], &CheckOptions::default());
    assert!(!r.passed());
    let s = r.summaries();
    assert!(s[0].failed == 6 && s[1].failed == 0, "only x goes through the wrong op:\n{r}");
}

/// A small f32 model: correct, so it must pass with the default step and tolerances.
struct Mlp;
impl Function for Mlp {
    fn eval<'t, T: Float>(&self, v: &[Var<'t, T>]) -> Var<'t, T> {
        let h = (v[0].matmul(v[1]) + v[2]).tanh();
        let z = h.sum_axis(1, false);
        (z.softplus() - z * T::from_f64(0.3)).mean()
    }
}

#[test]
fn correct_f32_functions_pass_with_defaults() {
    let x: Tensor<f32> = sample(&[4, 3], 0.2).cast();
    let w: Tensor<f32> = sample(&[3, 5], 1.3).cast();
    let b: Tensor<f32> = sample(&[5], 2.1).cast();
    // Differences in f32, tolerance aware of f32 rounding.
    let r = gradcheck(|v| Mlp.eval(v), &[x.clone(), w.clone(), b.clone()], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert_eq!(r.resolved.fd_dtype, "f32");
    // Differences in f64, analytic gradient in f32.
    let r = gradcheck_fn(&Mlp, &[x, w, b], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert_eq!((r.resolved.grad_dtype, r.resolved.fd_dtype), ("f32", "f64"));
    assert!(r.max_rel_err() < 1e-4, "{r}");

    // A fixed step of 1e-6 (torch's default) in f32 differences is mostly rounding: the
    // report does not blame the gradient, it says the differences are noise.
    let x: Tensor<f32> = sample(&[4, 3], 0.2).cast();
    let w: Tensor<f32> = sample(&[3, 5], 1.3).cast();
    let b: Tensor<f32> = sample(&[5], 2.1).cast();
    let r = gradcheck(|v| Mlp.eval(v), &[x, w, b], &CheckOptions::default().with_step(1e-6));
    assert!(r.failures().is_empty(), "{r}");
    assert!(r.notes.iter().chain(&r.problems).any(|n| n.contains("rounding noise")), "{r}");
}

#[test]
fn f32_gradient_off_by_one_percent_is_caught_against_f64_differences() {
    struct Scaled;
    impl Function for Scaled {
        fn eval<'t, T: Float>(&self, v: &[Var<'t, T>]) -> Var<'t, T> {
            // In f32 the "gradient" flows through a path scaled by 1.01 that f64 does not take.
            let x = v[0];
            if T::NAME == "f32" {
                let d = x.detach();
                (x.sin() * T::from_f64(1.01) - d.sin() * T::from_f64(0.01)).sum()
            } else {
                x.sin().sum()
            }
        }
    }
    let x: Tensor<f32> = sample(&[5], 0.0).cast();
    let r = gradcheck_fn(&Scaled, &[x], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
}

#[test]
fn kinks_are_marked_not_failed() {
    // relu at exactly 0 and within one step of 0; clamp at its bound.
    let x = Tensor::from([0.0, 1e-9, 0.5, -0.7]);
    let r = gradcheck(|v| (v[0].relu() * 3.0 + v[0].clamp(-0.7, 2.0)).sum(), &[x], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    let kinks: Vec<&Probe> = r.kinks().iter().map(|e| &e.probe).collect();
    assert_eq!(
        kinks,
        [
            &Probe::Element { input: 0, index: vec![0] },
            &Probe::Element { input: 0, index: vec![1] },
            &Probe::Element { input: 0, index: vec![3] }
        ],
        "{r}"
    );
    assert!(r.kink_sites.iter().any(|k| k.op == "relu" && k.index == [0]), "{r}");
    assert!(r.kink_sites.iter().any(|k| k.op == "clamp" && k.index == [3]), "{r}");
    assert!(r.to_string().contains("kink"));
    // Away from the kinks, a wrong op next to a relu still fails.
    let y = Tensor::from([0.3, -0.4]);
    let r = gradcheck(
        |v| {
            let t = v[0].tape();
            t.custom(Rc::new(Cube { factor: 2.0, at: None, graph: Graph::None }), &[v[0].relu() + 0.1])
                .unwrap()
                .sum()
        },
        &[y],
        &CheckOptions::default(),
    );
    assert!(!r.passed(), "{r}");
}

/// A kink excuses an entry only where the analytic value lies between the one-sided
/// difference quotients: a wrong rule next to a kink still fails, in fast mode (where one
/// breakpoint anywhere in the input flips every random direction) and where every element
/// feeds the kink.
#[test]
fn a_kink_does_not_hide_a_wrong_rule() {
    let cube = |factor: f64| Rc::new(Cube { factor, at: None, graph: Graph::None });
    // One exact zero under abs among 5000 elements: every direction straddles it.
    let mut x = Tensor::from_fn(&[5000], |i| ((i as f64) * 0.37 + 0.2).sin());
    x.data_mut()[17] = 0.0;
    let opts = CheckOptions::default().with_fast(8).with_localize(false);
    for (factor, passes) in [(1.0, true), (1.05, false)] {
        let op = cube(factor);
        let r = gradcheck(
            move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum() + v[0].abs().sum() * 1e-3,
            &[x.clone()],
            &opts,
        );
        assert_eq!(r.passed(), passes, "factor {factor}: {r}");
        if !passes {
            assert_eq!((r.failures().len(), r.kinks().len()), (8, 0), "{r}");
        }
    }
    // A kink on a value every element feeds (|Σx| at Σx = 0), element by element.
    let y = Tensor::from([0.5, -0.5, 0.25, -0.25]);
    for (factor, passes) in [(1.0, true), (1.05, false)] {
        let op = cube(factor);
        let r = gradcheck(
            move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum() + v[0].sum().abs() * 1e-3,
            std::slice::from_ref(&y),
            &CheckOptions::default(),
        );
        assert_eq!(r.passed(), passes, "factor {factor}: {r}");
        assert!(r.kinks().is_empty(), "{r}");
    }
    // A correct rule whose convention differs from the central difference (relu'(0) = 0
    // against ½) is still excused, element by element; along random directions every one
    // crosses the breakpoint, so nothing is checked, and the report says so.
    let z = Tensor::from([0.0, 0.3, -0.2]);
    let r = gradcheck(|v| (v[0].relu() * 2.0).sum(), std::slice::from_ref(&z), &CheckOptions::default());
    assert!(r.passed() && r.kinks().len() == 1, "{r}");
    let r = gradcheck(|v| (v[0].relu() * 2.0).sum(), &[z], &CheckOptions::default().with_fast(6));
    assert!(r.failures().is_empty() && r.kinks().len() == 6, "{r}");
    assert!(r.problems.iter().any(|p| p.contains("every entry straddles") && p.contains("with_full")), "{r}");
    // A rule wrong by more than the kink's jump is not excused (one smaller than the jump
    // is: there the two cannot be told apart).
    let op = cube(3.0);
    let r = gradcheck(
        move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum() + v[0].relu().sum(),
        &[Tensor::from([0.0, 1.5, -2.0])],
        &CheckOptions::default().with_fast(6).with_localize(false),
    );
    assert!(!r.passed() && r.kinks().is_empty(), "{r}");
}

/// Where every gradient is exactly 0 (a loss at its minimum), the zeros are checked, not
/// reported as drowned in rounding noise: a wrong nonzero rule there still fails.
#[test]
fn zero_gradients_are_checked_not_flagged() {
    let p = Tensor::from([0.3, -0.8, 1.1]);
    let r = gradcheck(|v| (v[0] - v[1]).square().mean(), &[p.clone(), p.clone()], &CheckOptions::default());
    assert!(r.passed() && r.problems.is_empty(), "{r}");
    let r = gradcheck(|v| v[0].cos().sum(), &[Tensor::from([0.0, 0.0])], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    let op = Rc::new(Cube { factor: 1.0, at: None, graph: Graph::None });
    // cube'(0) = 0; a rule off by a constant there fails.
    struct Off;
    impl CustomOp<f64> for Off {
        fn name(&self) -> &str {
            "off"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            Ok(x[0].map(|v| v * v))
        }
        fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![Tensor::from_fn(x[0].shape(), |i| (2.0 * x[0].data()[i] + 1e-3) * g.data()[i])]
        }
    }
    let z = Tensor::from([0.0, 0.0]);
    let r = gradcheck(
        move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum(),
        std::slice::from_ref(&z),
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    let r = gradcheck(
        |v| v[0].tape().custom(Rc::new(Off), &[v[0]]).unwrap().sum(),
        &[z],
        &CheckOptions::default(),
    );
    assert!(!r.passed() && r.failures().len() == 2 && r.problems.is_empty(), "{r}");
}

#[test]
fn fast_mode_catches_a_wrong_op_on_a_large_input() {
    let x = sample(&[80, 60], 0.4);
    let b = sample(&[60], 0.9);
    let opts = CheckOptions::default();
    fn good<'t>(v: &[Var<'t>]) -> Var<'t> {
        (v[0] * v[1]).tanh().sum()
    }
    let r = gradcheck(good, &[x.clone(), b.clone()], &opts);
    assert_eq!(r.resolved.fast, Some(8), "4860 elements > 4096: auto switches to fast mode");
    assert!(r.passed(), "{r}");

    fn bad<'t>(v: &[Var<'t>]) -> Var<'t> {
        let t = v[0].tape();
        let c = t.custom(Rc::new(Cube { factor: 1.02, at: None, graph: Graph::None }), &[v[0]]).unwrap();
        (c * v[1]).tanh().sum()
    }
    let r = gradcheck(bad, &[x.clone(), b.clone()], &opts.clone().with_fast(4).with_localize(false));
    assert!(!r.passed(), "{r}");
    let s = r.summaries();
    assert_eq!((s[0].entries, s[0].failed, s[1].failed), (4, 4, 0), "{r}");
    assert!(r.entries.iter().all(|e| matches!(e.probe, Probe::Direction { .. })));

    // One element of 4800 off by 1% is still caught along random directions, and
    // localisation then names the op and the element.
    fn one_off<'t>(v: &[Var<'t>]) -> Var<'t> {
        let t = v[0].tape();
        let c =
            t.custom(Rc::new(Cube { factor: 1.01, at: Some(1234), graph: Graph::None }), &[v[0]]).unwrap();
        (c * v[1]).tanh().sum()
    }
    let r = gradcheck(one_off, &[x, b], &opts);
    assert!(!r.passed(), "{r}");
    assert_eq!(r.summaries()[1].failed, 0, "{r}");
    let l = r.localisation.as_ref().expect("localised");
    assert_eq!((l.op.as_str(), l.index.as_deref()), ("custom `cube`", Some(&[20, 34][..])), "{r}");
}

/// x ↦ sum(2·cube(tanh x) + x), with the node id of the cube.
fn model<'t>(x: Var<'t>, op: Rc<dyn CustomOp<f64>>) -> (Var<'t>, NodeId) {
    let c = x.tape().custom(op, &[x.tanh()]).unwrap();
    ((c * 2.0 + x).exp().sum(), c.node())
}

#[test]
fn localisation_names_the_wrong_custom_op() {
    let x = sample(&[2, 3], 0.3);
    let bad = || Rc::new(Cube { factor: 1.01, at: Some(4), graph: Graph::None }) as Rc<dyn CustomOp<f64>>;
    let tape = Tape::new();
    let (_, expected) = model(tape.var(&x), bad());
    let r = gradcheck(|v| model(v[0], bad()).0, &[x], &CheckOptions::default());
    assert!(!r.passed());
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("no localisation:\n{r}"));
    assert_eq!(l.node, expected, "{r}");
    assert_eq!(l.op, "custom `cube`");
    assert_eq!(l.argument, Some(0));
    assert_eq!(l.index.as_deref(), Some(&[1, 1][..]), "flat index 4 of [2, 3]:\n{r}");
    assert!((l.analytic / l.numeric - 1.01).abs() < 1e-4, "{r}");
    assert!(r.to_string().contains(&format!("first wrong backward rule: {expected} = custom `cube`")), "{r}");
}

#[test]
fn localisation_clears_a_correct_tape_when_only_tolerances_fail() {
    // An absurd tolerance makes a correct function fail; localisation must not blame a node.
    let x = sample(&[3], 0.3);
    let r = gradcheck(
        |v| v[0].exp().sum(),
        &[x],
        &CheckOptions::default().with_tolerances(0.0, 0.0).with_step(1e-2),
    );
    assert!(!r.passed());
    assert!(r.localized && r.localisation.is_none(), "{r}");
    // The refinement extrapolates to the analytic value, but cannot meet a zero tolerance.
    assert!(r.to_string().contains("the tolerance is tighter than differences can resolve"), "{r}");
}

#[test]
fn gradgradcheck_catches_a_wrong_vjp_graph() {
    let x = sample(&[4], 0.5);
    let check = |graph: Graph| {
        let op = Rc::new(Cube { graph, ..Cube::ok() }) as Rc<dyn CustomOp<f64>>;
        gradgradcheck(
            move |v| v[0].tape().custom(op.clone(), &[v[0].sin()]).unwrap().sum(),
            std::slice::from_ref(&x),
            &CheckOptions::default(),
        )
    };
    let r = check(Graph::Right);
    assert!(r.passed(), "{r}");
    assert_eq!(r.entries.iter().filter(|e| e.order == 2).count(), 4);

    let r = check(Graph::Detached);
    assert!(!r.passed());
    assert!(r.failures().iter().all(|e| e.order == 2), "the value is right, its derivative is not:\n{r}");
    // v0 = x, v1 = sin x, v2 = cube(v1): localisation names the custom op's vjp_graph.
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("{r}"));
    assert_eq!((l.node, l.op.as_str(), l.order), (NodeId(2), "custom `cube`", 2), "{r}");
    assert!(
        r.to_string().contains("first wrong second-order rule (vjp_graph): v2 = custom `cube`(v1)"),
        "{r}"
    );

    let r = check(Graph::Doubled);
    assert!(r.failures().iter().any(|e| e.order == 1), "{r}");
    assert_eq!(r.localisation.as_ref().map(|l| l.node), Some(NodeId(2)), "{r}");

    let r = check(Graph::None);
    assert!(!r.passed() && r.problems[0].contains("no vjp_graph"), "{r}");

    // check_custom_op runs the same second-order check when vjp_graph is declared.
    let op = Rc::new(Cube { graph: Graph::Detached, ..Cube::ok() });
    let r = check_custom_op_at(op, std::slice::from_ref(&x), &CheckOptions::default());
    assert!(r.failures().iter().any(|e| e.order == 2), "{r}");
}

#[test]
fn bad_input_is_reported_not_panicked() {
    let r = gradcheck(|v| v[0].exp(), &[Tensor::from([1.0, 2.0])], &CheckOptions::default());
    assert!(!r.passed());
    assert!(r.problems[0].contains("must return a scalar"), "{r}");
    let r = gradcheck(
        |v| v[0] + v[1],
        &[Tensor::from([1.0, 2.0]), Tensor::from([1.0, 2.0, 3.0])],
        &CheckOptions::default(),
    );
    assert!(!r.passed() && r.problems[0].contains("add"), "{r}");
}

#[test]
fn status_and_tolerance_follow_the_documented_rule() {
    let r = gradcheck(|v| v[0].sin().sum(), &[Tensor::from([0.3, 1.1])], &CheckOptions::default());
    for e in &r.entries {
        assert_eq!(e.status, Status::Pass);
        assert!(e.abs_err <= e.tol && e.tol >= 1e-6 + 1e-5 * e.numeric.abs());
    }
}

/// Every differentiable op of the engine passes both checks at generic points: no false
/// failures from the checker, and no wrong rule (first or second order) in the engine.
#[test]
fn every_op_passes_gradcheck_and_gradgradcheck() {
    type Case = (&'static str, for<'t> fn(&[Var<'t>]) -> Var<'t>);
    fn c<'t>(v: &[Var<'t>]) -> (Var<'t>, Var<'t>, Var<'t>) {
        (v[0], v[1], v[2])
    }
    let cases: Vec<Case> = vec![
        ("neg exp ln", |v| (-c(v).0).exp().sum() + c(v).2.ln().sum()),
        ("log1p sqrt", |v| (c(v).2.log1p() * c(v).2.sqrt()).sum()),
        ("sin cos tanh", |v| (c(v).0.sin() * c(v).1.cos() + c(v).0.tanh()).sum()),
        ("sigmoid softplus", |v| (c(v).0.sigmoid() * c(v).1.softplus()).sum()),
        ("relu abs clamp", |v| (c(v).0.relu() * c(v).1.abs() + c(v).0.clamp(-0.3, 0.4)).square().sum()),
        ("square powf", |v| (c(v).0.square() * c(v).2.powf(1.7) + c(v).2.powf(-0.5)).sum()),
        ("consts", |v| ((c(v).0 + 1.5) * 2.0 - 0.5 / c(v).2 + c(v).1.rsub(3.0) / 4.0).square().sum()),
        ("add sub mul div", |v| ((c(v).0 + c(v).1) * (c(v).0 - c(v).1) / c(v).2).sum()),
        ("pow", |v| c(v).2.pow(c(v).1).sum()),
        ("maximum minimum", |v| (c(v).0.maximum(c(v).1) * c(v).0.minimum(c(v).1 * 0.5)).sum()),
        ("broadcast sum_axis", |v| {
            (c(v).0.reshape(&[2, 3]) * c(v).1.slice(0, 0, 3)).sum_axis(0, false).square().sum()
        }),
        ("mean_axis max_axis max", |v| {
            let m = c(v).0.reshape(&[2, 3]);
            (m.mean_axis(1, false) * m.max_axis(1, false)).sum() + (m * m).max()
        }),
        ("logsumexp softmax", |v| {
            let m = c(v).0.reshape(&[3, 2]);
            m.logsumexp(0, false).sum() + (m.softmax(1) * c(v).1.reshape(&[3, 2])).sum()
        }),
        ("permute transpose", |v| {
            let m = c(v).0.reshape(&[1, 2, 3]).permute(&[2, 0, 1]);
            (m.reshape(&[3, 2]).transpose() * c(v).1.reshape(&[2, 3])).sin().sum()
        }),
        ("slice pad concat", |v| {
            let a = c(v).0.slice(0, 1, 4).pad(0, 2, 7);
            (Var::concat(&[a, c(v).1], 0)
                * Var::concat(&[c(v).2, c(v).0.slice(0, 0, 1), c(v).2], 0).slice(0, 0, 13))
            .tanh()
            .sum()
        }),
        ("index_select scatter_rows", |v| {
            let m = c(v).0.reshape(&[3, 2]);
            (m.index_select(&[2, 0, 2]).scatter_rows(&[1, 0, 3], 4).square() * 0.5).sum()
        }),
        ("matmul", |v| c(v).0.reshape(&[2, 3]).matmul(c(v).1.reshape(&[3, 2])).tanh().sum()),
        ("batched matmul", |v| c(v).0.reshape(&[2, 1, 3]).matmul(c(v).1.reshape(&[2, 3, 1])).square().sum()),
    ];
    let x = Tensor::from([0.3, -0.7, 1.1, 0.45, -1.3, 0.8]);
    let y = Tensor::from([-0.2, 0.9, 0.35, -1.05, 0.6, 1.4]);
    let z = Tensor::from([0.5, 1.7, 0.9, 2.3, 1.2, 0.75]);
    let inputs = [x, y, z];
    let opts = CheckOptions::default().with_names(&["x", "y", "z"]);
    for (name, f) in cases {
        let r = gradcheck(f, &inputs, &opts);
        assert!(r.passed() && r.kinks().is_empty(), "{name}:\n{r}");
        let r = gradgradcheck(f, &inputs, &opts);
        assert!(r.passed() && r.kinks().is_empty(), "{name} (second order):\n{r}");
    }
    // detach cuts the gradient on purpose: the check fails, and the report says why.
    let r = gradcheck(|v| (v[0] * v[0].detach().exp()).sum(), &inputs[..1], &opts);
    assert!(!r.passed() && r.localisation.is_none(), "{r}");
    assert!(r.notes.iter().any(|n| n.contains("v1 = detach(v0)")), "{r}");
}

#[test]
fn a_non_finite_value_is_traced_to_its_node() {
    // ln(softmax(x)) underflows to ln(0) = −inf for a spread-out x (log_softmax would not).
    let r = gradcheck(
        |v| v[0].softmax(0).ln().sum(),
        &[Tensor::from([1000.0, 0.0, -1000.0])],
        &CheckOptions::default(),
    );
    assert!(!r.passed());
    assert!(r.localisation.is_none() && !r.localized, "{r}");
    let note = r.notes.iter().find(|n| n.contains("first non-finite value")).unwrap_or_else(|| panic!("{r}"));
    assert!(note.contains("= ln(") && note.contains("-inf at [1]"), "{note}");
}

#[test]
fn a_backward_that_is_not_repeatable_is_reported() {
    /// Scales its gradient by how many times its backward ran: stateful, hence wrong.
    struct Counting(std::cell::Cell<f64>);
    impl CustomOp<f64> for Counting {
        fn name(&self) -> &str {
            "counting"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            Ok(x[0].clone())
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            self.0.set(self.0.get() + 1.0);
            vec![g.map(|v| v * self.0.get())]
        }
    }
    let op = Rc::new(Counting(std::cell::Cell::new(0.0)));
    let r = gradcheck(
        move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum(),
        &[Tensor::from([1.0, 2.0])],
        &CheckOptions::default().with_localize(false),
    );
    assert!(!r.passed());
    assert!(
        r.problems[0].contains("backward is not repeatable") && r.problems[0].contains("input 0 at [0]"),
        "{r}"
    );
}

// ---------------------------------------------------------------------------------------
// Problems the report handles: nothing printed, the right argument blamed, nothing passed
// that was not checked.

thread_local! {
    static PANICS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
    /// Panics raised in the checker's own source (`src/gradcheck.rs`), not in user code.
    static CHECKER_PANICS: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// Installs, once, a panic hook counting panics per thread (tests run in parallel
/// threads) and passing every panic on to the hook it replaced.
fn count_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let _ = PANICS.try_with(|c| c.set(c.get() + 1));
            if info.location().is_some_and(|l| l.file().replace('\\', "/").ends_with("src/gradcheck.rs")) {
                let _ = CHECKER_PANICS.try_with(|c| c.set(c.get() + 1));
            }
            previous(info);
        }));
    });
}

/// Runs `f` and counts the panics on this thread meanwhile, caught or not.
fn panics_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    count_panics();
    let before = PANICS.with(|c| c.get());
    let r = f();
    (r, PANICS.with(|c| c.get()) - before)
}

/// Runs `f` and counts the panics raised by the checker itself meanwhile, caught or not:
/// a user function that panics (one that unwraps a custom op's error, say) is not counted.
fn checker_panics_during<R>(f: impl FnOnce() -> R) -> (R, usize) {
    count_panics();
    let before = CHECKER_PANICS.with(|c| c.get());
    let r = f();
    (r, CHECKER_PANICS.with(|c| c.get()) - before)
}

fn unsummed<'t>(v: &[Var<'t>]) -> Var<'t> {
    v[0].tape().custom(Rc::new(Unsummed), &[v[0], v[1]]).unwrap().sum()
}

#[test]
fn a_failing_custom_vjp_is_blamed_on_the_argument_the_error_names() {
    // v2 = row_scale(v0, v1): the gradient of v1 (input 1) has the wrong shape.
    let r = gradcheck(unsummed, &[sample(&[2, 3], 0.1), sample(&[3], 0.5)], &CheckOptions::default());
    assert!(!r.passed());
    assert!(r.problems[0].contains("for input 1 (v1)"), "{r}");
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("{r}"));
    assert_eq!((l.node, l.argument, l.parent), (NodeId(2), Some(1), Some(NodeId(1))), "{r}");
    assert!(
        r.to_string().contains(
            "first wrong backward rule: v2 = custom `row_scale`(v0, v1), argument 1 (v1): backward failed: "
        ),
        "{r}"
    );

    /// Two inputs, one gradient: no argument to blame.
    struct OneGradient;
    impl CustomOp<f64> for OneGradient {
        fn name(&self) -> &str {
            "one_gradient"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            Ok(Tensor::from_fn(x[0].shape(), |i| x[0].data()[i] * x[1].data()[i]))
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![g.clone()]
        }
    }
    let r = gradcheck(
        |v| v[0].tape().custom(Rc::new(OneGradient), &[v[0], v[1]]).unwrap().sum(),
        &[sample(&[3], 0.1), sample(&[3], 0.5)],
        &CheckOptions::default(),
    );
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("{r}"));
    assert_eq!((l.argument, l.parent), (None, None), "{r}");
    assert!(
        r.to_string().contains(
            "first wrong backward rule: v2 = custom `one_gradient`(v0, v1): backward failed (the error names no argument): "
        ),
        "{r}"
    );
}

#[test]
fn handled_problems_print_no_panic() {
    let ((a, b, c), panics) = panics_during(|| {
        let opts = CheckOptions::default();
        // A vjp of the wrong shape: the engine's error, in the whole check and in localisation.
        let a = gradcheck(unsummed, &[sample(&[2, 3], 0.1), sample(&[3], 0.5)], &opts);
        // No vjp_graph: backward_graph's error, in the check and in localisation.
        let op = Rc::new(Cube::ok()) as Rc<dyn CustomOp<f64>>;
        let b = gradgradcheck(
            move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum(),
            &[sample(&[3], 0.2)],
            &opts,
        );
        // A non-scalar output.
        let c = gradgradcheck(|v| v[0].square(), &[sample(&[3], 0.2)], &opts);
        (a, b, c)
    });
    assert!(!a.passed() && a.problems[0].contains("vjp returned shape [2, 3] for input 1"), "{a}");
    assert!(!b.passed() && b.problems[0].contains("no vjp_graph"), "{b}");
    assert!(!c.passed() && c.problems[0].contains("must return a scalar"), "{c}");
    assert_eq!(panics, 0, "the reports handle these; nothing should print a panic");

    // A panic in the user's own code is still caught and reported.
    let (r, panics) = panics_during(|| {
        gradcheck(
            |v| -> Var<'_> { panic!("user code fails at {}", v.len()) },
            &[sample(&[2], 0.0)],
            &CheckOptions::default(),
        )
    });
    assert!(!r.passed() && r.problems[0].contains("user code fails at 1"), "{r}");
    assert_eq!(panics, 1, "f runs once: with f failing there is no backward rule to localise");
}

#[test]
fn a_non_scalar_output_is_not_localised() {
    for r in [
        gradcheck(|v| v[0].square(), &[sample(&[3], 0.2)], &CheckOptions::default()),
        gradgradcheck(|v| v[0].square(), &[sample(&[3], 0.2)], &CheckOptions::default()),
    ] {
        assert!(!r.passed() && r.problems[0].contains("must return a scalar"), "{r}");
        assert!(!r.localized && r.localisation.is_none(), "{r}");
        assert!(!r.to_string().contains("localisation"), "{r}");
    }
}

#[test]
fn a_check_of_no_entries_does_not_pass() {
    let opts = CheckOptions::default();
    let empty = Tensor::<f64>::zeros(&[0]);
    let reports = [
        gradcheck(|v| v[0].sum(), std::slice::from_ref(&empty), &opts),
        gradgradcheck(|v| v[0].sum(), std::slice::from_ref(&empty), &opts),
        check_custom_op(Rc::new(Cube::ok()), &[&[0]], &opts),
    ];
    for r in reports {
        assert!(!r.passed(), "{r}");
        assert!(r.problems.iter().any(|p| p.contains("nothing was checked")), "{r}");
        assert!(!r.to_string().contains("localisation"), "{r}");
    }
}

/// ln as a custom op: defined for positive inputs only.
struct Ln;
impl CustomOp<f64> for Ln {
    fn name(&self) -> &str {
        "ln"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(f64::ln))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| g.data()[i] / x[0].data()[i])]
    }
}

#[test]
fn a_custom_op_outside_its_domain_is_named_as_such() {
    // The default inputs are drawn from (−1, 1): ln is NaN at the negative ones.
    let r = check_custom_op(Rc::new(Ln), &[&[2, 3]], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    let note = r.notes.iter().find(|n| n.contains("not finite")).unwrap_or_else(|| panic!("{r}"));
    assert!(
        note.contains("NaN") && note.contains("with_input_range") && note.contains("check_custom_op_at"),
        "{note}"
    );
    assert!(!r.to_string().contains("suspect the step"), "{r}");
    // At chosen inputs, the note does not suggest other random ones.
    let r = check_custom_op_at(Rc::new(Ln), &[Tensor::from([0.5, -0.5])], &CheckOptions::default());
    let note = r.notes.iter().find(|n| n.contains("not finite")).unwrap_or_else(|| panic!("{r}"));
    assert!(note.contains("NaN at output [1]") && !note.contains("with_input_range"), "{note}");
    // Finite at the inputs, not within any step the refinement tries (down to about
    // 1e-12): the note names the elements.
    let r = check_custom_op_at(Rc::new(Ln), &[Tensor::from([0.5, 1e-13])], &CheckOptions::default());
    let note = r.notes.iter().find(|n| n.contains("not finite")).unwrap_or_else(|| panic!("{r}"));
    assert!(note.contains("within one step") && note.contains("x0[1]") && !note.contains("x0[0]"), "{note}");
    // At 1e-7 the steps below 1e-7 stay inside the domain, and the refinement clears it.
    let r = check_custom_op_at(Rc::new(Ln), &[Tensor::from([0.5, 1e-7])], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    // Inside the domain it passes.
    let r = check_custom_op(Rc::new(Ln), &[&[2, 3]], &CheckOptions::default().with_input_range(0.5, 2.0));
    assert!(r.passed() && r.notes.iter().all(|n| !n.contains("not finite")), "{r}");
}

#[test]
fn invalid_options_are_refused() {
    let message = |f: fn() -> CheckOptions| {
        let e = std::panic::catch_unwind(f).expect_err("an invalid option must panic");
        e.downcast_ref::<String>().cloned().unwrap_or_default()
    };
    let m = message(|| CheckOptions::default().with_fast(0));
    assert!(m.contains("with_fast") && m.contains("direction") && m.contains('0'), "{m}");
    for (m, value) in [
        (message(|| CheckOptions::default().with_step(0.0)), "0"),
        (message(|| CheckOptions::default().with_step(-1e-3)), "-0.001"),
        (message(|| CheckOptions::default().with_step(f64::NAN)), "NaN"),
        (message(|| CheckOptions::default().with_step(f64::INFINITY)), "inf"),
    ] {
        assert!(m.contains("with_step") && m.contains(value), "{m}");
    }
    for (m, name, value) in [
        (message(|| CheckOptions::default().with_tolerances(-1e-6, 1e-5)), "atol", "-0.000001"),
        (message(|| CheckOptions::default().with_tolerances(1e-6, f64::NAN)), "rtol", "NaN"),
    ] {
        assert!(m.contains("with_tolerances") && m.contains(name) && m.contains(value), "{m}");
    }
    let m = message(|| CheckOptions::default().with_input_range(1.0, -1.0));
    assert!(m.contains("with_input_range"), "{m}");
    // The fields are public: set directly, they make the report fail instead.
    let x = [sample(&[3], 0.1)];
    for o in [
        CheckOptions { step: Some(0.0), ..CheckOptions::default() },
        CheckOptions {
            mode: wengert_tape::gradcheck::Mode::Fast { directions: 0 },
            ..CheckOptions::default()
        },
        CheckOptions { atol: Some(f64::NAN), ..CheckOptions::default() },
    ] {
        let r = gradcheck(|v| v[0].sin().sum(), &x, &o);
        assert!(!r.passed() && r.entries.is_empty(), "{r}");
        assert!(r.problems[0].starts_with("invalid option"), "{r}");
    }
}

#[test]
fn rounding_advice_names_gradcheck_fn_only_for_f32_differences() {
    // A step of 1e-15 in f64: every difference quotient is rounding.
    let x = Tensor::from([0.3, 1.1]);
    let r = gradcheck(|v| v[0].sin().sum(), &[x], &CheckOptions::default().with_step(1e-15));
    let p = r.problems.iter().find(|p| p.contains("nothing was")).unwrap_or_else(|| panic!("{r}"));
    assert!(p.contains("larger step") && !p.contains("gradcheck_fn"), "{p}");
    // In f32 the advice to difference in f64 is right.
    let x: Tensor<f32> = Tensor::from([0.3f32, 1.1]);
    let r = gradcheck(|v| v[0].sin().sum(), &[x], &CheckOptions::default().with_step(1e-7));
    let p = r.problems.iter().find(|p| p.contains("nothing was")).unwrap_or_else(|| panic!("{r}"));
    assert!(p.contains("gradcheck_fn"), "{p}");
}

#[test]
fn a_closure_kept_in_a_let_is_passed_through_func_many() {
    // Without func_many, `let f = |v: &[Var]| ...` gets one tape lifetime, not every one,
    // and gradcheck refuses it.
    let f = wengert_tape::func_many(|v| (v[0].sin() * v[1]).sum());
    let xs = [sample(&[3], 0.1), sample(&[3], 0.6)];
    let r = gradcheck(f, &xs, &CheckOptions::default());
    assert!(r.passed(), "{r}");
    let r = gradgradcheck(f, &xs, &CheckOptions::default());
    assert!(r.passed(), "{r}");
}

// ---------------------------------------------------------------------------------------
// Custom ops that fail part of the way: the checker reports, it does not panic.

/// y = x³, defined only on [−1, 1]: its forward is an error beyond, so a central
/// difference at an input of ±1 steps outside the domain. `vjp_graph` as in `Cube`.
struct Bounded {
    factor: f64,
    graph: Graph,
}

impl CustomOp<f64> for Bounded {
    fn name(&self) -> &str {
        "bounded"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        if let Some(v) = x[0].data().iter().find(|v| v.abs() > 1.0) {
            return Err(wengert_tape::Error::InvalidArgument {
                op: "bounded",
                msg: format!("{v} is outside [-1, 1]"),
            });
        }
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| self.factor * 3.0 * x[0].data()[i].powi(2) * g.data()[i])]
    }
    fn vjp_graph<'t>(
        &self,
        x: &[Var<'t, f64>],
        y: Var<'t, f64>,
        g: Var<'t, f64>,
    ) -> Option<Vec<Var<'t, f64>>> {
        Cube { factor: 1.0, at: None, graph: self.graph }.vjp_graph(x, y, g)
    }
}

/// sum(bounded(x)): the user's function unwraps the op's error, as it must.
fn bounded_sum(op: Rc<dyn CustomOp<f64>>) -> impl for<'t> Fn(&[Var<'t>]) -> Var<'t> {
    move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum()
}

#[test]
fn second_order_localisation_reports_a_replay_that_fails() {
    // v1 = bounded(v0) with a wrong vjp_graph, at x = 1: the perturbed x leaves the op's
    // domain, in the whole check and when localisation replays v1 alone.
    let op = Rc::new(Bounded { factor: 1.0, graph: Graph::Doubled });
    let (r, panics) = checker_panics_during(|| {
        gradgradcheck(bounded_sum(op), &[Tensor::from([1.0])], &CheckOptions::default())
    });
    assert_eq!(panics, 0, "the replay's failure is an error, not a panic of the checker:\n{r}");
    assert!(!r.passed(), "{r}");
    // Nothing was compared, so the rule is neither blamed ("backward failed") nor cleared.
    assert!(r.localisation.is_none() && !r.localized, "{r}");
    let note = r.notes.iter().find(|n| n.contains("could not check")).unwrap_or_else(|| panic!("{r}"));
    assert!(
        note.contains("v1 = custom `bounded`(v0)") && note.contains("is outside [-1, 1]"),
        "the note names the node and the forward's error: {note}"
    );
    let text = r.to_string();
    assert!(!text.contains("backward failed") && !text.contains("every node"), "{text}");

    // Where an entry failed before the replay did, the rule is still named: x = [0.5, 1]
    // fails at x[0] (a doubled vjp_graph) before x[1] leaves the domain.
    let op = Rc::new(Bounded { factor: 1.0, graph: Graph::Doubled });
    let (r, panics) = checker_panics_during(|| {
        gradgradcheck(bounded_sum(op), &[Tensor::from([0.5, 1.0])], &CheckOptions::default())
    });
    assert_eq!(panics, 0, "{r}");
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("{r}"));
    assert_eq!((l.node, l.index.as_deref(), l.message.as_ref()), (NodeId(1), Some(&[0][..]), None), "{r}");
}

#[test]
fn first_order_localisation_reports_a_replay_that_fails() {
    // v1 = bounded(v0) with a wrong vjp at x = 1: the perturbed x leaves the op's domain,
    // in the whole check and when localisation replays v1 alone.
    let op = Rc::new(Bounded { factor: 1.1, graph: Graph::None });
    let (r, panics) = checker_panics_during(|| {
        gradcheck(bounded_sum(op), &[Tensor::from([1.0])], &CheckOptions::default())
    });
    assert_eq!(panics, 0, "{r}");
    // Nothing was compared, so the rule is neither blamed (with NaN values) nor cleared.
    assert!(r.localisation.is_none() && !r.localized, "{r}");
    let note = r.notes.iter().find(|n| n.contains("could not check")).unwrap_or_else(|| panic!("{r}"));
    assert!(note.contains("v1 = custom `bounded`(v0)") && note.contains("is outside [-1, 1]"), "{note}");
    assert!(!r.to_string().contains("NaN"), "{r}");

    /// The identity, whose forward fails at the calls listed: stateful, so the checker's
    /// later calls at the very values an earlier one accepted fail.
    struct Flaky(std::cell::Cell<usize>, [usize; 2]);
    impl CustomOp<f64> for Flaky {
        fn name(&self) -> &str {
            "flaky"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            self.0.set(self.0.get() + 1);
            if self.1.contains(&self.0.get()) {
                let msg = format!("call {} fails", self.0.get());
                return Err(wengert_tape::Error::InvalidArgument { op: "flaky", msg });
            }
            Ok(x[0].clone())
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![g.clone()]
        }
    }
    // Calls: the gradient (1), x + h (2, fails, so the check fails), x − h (3), localisation
    // recording f (4) and replaying v1 alone (5).
    for (fails, says) in [
        (5, "localisation could not check v1 = custom `flaky`(v0) alone"),
        (4, "localisation stopped: recording the function again failed"),
    ] {
        let op = Rc::new(Flaky(std::cell::Cell::new(0), [2, fails]));
        let f = wengert_tape::func_many(move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum());
        let (r, panics) =
            checker_panics_during(|| gradcheck(f, &[Tensor::from([0.5])], &CheckOptions::default()));
        assert_eq!(panics, 0, "{r}");
        assert!(!r.passed() && r.localisation.is_none(), "{r}");
        assert!(!r.localized, "a node that was not checked is not cleared:\n{r}");
        let note = r.notes.iter().find(|n| n.contains(says)).unwrap_or_else(|| panic!("{r}"));
        assert!(note.contains(&format!("call {fails} fails")), "{note}");
    }
}

#[test]
fn second_order_check_of_a_custom_op_reports_a_forward_that_fails() {
    // x[1] = 1: x[1] + h is outside the op's domain, in the first-order check of the vjp
    // and in the second-order check of the vjp_graph.
    let op = Rc::new(Bounded { factor: 1.0, graph: Graph::Right });
    let opts = CheckOptions::default().with_names(&["x"]);
    let (r, panics) = checker_panics_during(|| check_custom_op_at(op, &[Tensor::from([0.5, 1.0])], &opts));
    assert_eq!(panics, 0, "{r}");
    assert!(!r.passed(), "{r}");
    // Both orders say which op failed, at which argument and element, moved to what.
    let at = "input 0 (x) at [1] moved to 1.0000060554544523: the forward of `bounded` failed: \
              bounded: 1.0000060554544523 is outside [-1, 1]";
    assert_eq!(
        r.problems,
        [
            format!("evaluating at a perturbed input failed: {at}"),
            format!("second order: evaluating the recorded gradient at a perturbed input failed: {at}"),
        ],
        "{r}"
    );
    // x[0] was checked to both orders before.
    assert_eq!((r.summaries_of_order(1)[0].entries, r.summaries_of_order(2)[0].entries), (1, 1), "{r}");
}

/// Passes every call on to `op`, counting the calls of `vjp`.
struct Counted {
    op: Rc<dyn CustomOp<f64>>,
    vjps: std::cell::Cell<usize>,
}

impl CustomOp<f64> for Counted {
    fn name(&self) -> &str {
        self.op.name()
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        self.op.forward(x)
    }
    fn vjp(&self, x: &[&Tensor<f64>], y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        self.vjps.set(self.vjps.get() + 1);
        self.op.vjp(x, y, g)
    }
    fn vjp_graph<'t>(
        &self,
        x: &[Var<'t, f64>],
        y: Var<'t, f64>,
        g: Var<'t, f64>,
    ) -> Option<Vec<Var<'t, f64>>> {
        self.op.vjp_graph(x, y, g)
    }
}

#[test]
fn gradcheck_calls_a_custom_vjp_as_often_as_documented() {
    // docs/gradcheck.md: twice at the inputs (once if the first backward fails), and once
    // more for each custom node localisation checks alone.
    let check = |op: Rc<dyn CustomOp<f64>>, shapes: [&[usize]; 2]| {
        let counted = Rc::new(Counted { op, vjps: std::cell::Cell::new(0) });
        let c = counted.clone();
        let r = gradcheck(
            move |v| v[0].tape().custom(c.clone(), &[v[0], v[1]]).unwrap().sum(),
            &[sample(shapes[0], 0.1), sample(shapes[1], 0.5)],
            &CheckOptions::default(),
        );
        (r, counted.vjps.get())
    };
    let (r, calls) = check(Rc::new(Swapped), [&[3], &[3]]);
    assert!(r.localisation.is_some(), "{r}");
    assert_eq!(calls, 2 + 1, "the gradient, the repeatability check, localisation:\n{r}");
    // A vjp of the wrong shape for argument 1: localisation names the argument from the
    // gradients of its one call.
    let (r, calls) = check(Rc::new(Unsummed), [&[2, 3], &[3]]);
    assert_eq!(r.localisation.as_ref().and_then(|l| l.argument), Some(1), "{r}");
    assert_eq!(calls, 1 + 1, "the failed gradient, localisation:\n{r}");
}

#[test]
fn an_output_on_another_tape_is_reported() {
    // Var is covariant in its tape's lifetime, so a function can return a variable of a
    // tape that outlives the check (here a leaked one) instead of one made from its inputs.
    let other: &'static Tape = Box::leak(Box::new(Tape::new()));
    let f = wengert_tape::func_many(move |v| {
        let _ = v;
        other.var(&Tensor::from([1.0, 2.0])).sum()
    });
    let (x, opts) = ([sample(&[2], 0.1)], CheckOptions::default());
    let (reports, panics) = checker_panics_during(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            [gradcheck(f, &x, &opts), gradgradcheck(f, &x, &opts)]
        }))
    });
    let reports = reports.expect("no panic escapes the checker");
    for r in reports {
        assert!(!r.passed(), "{r}");
        assert!(r.problems[0].contains("of another tape than its inputs'"), "{r}");
        assert!(!r.localized && r.localisation.is_none(), "f itself is wrong, no rule to blame:\n{r}");
    }
    assert_eq!(panics, 0);
    // The same with no inputs: the checker's own tape tells, not the first input's.
    let (reports, panics) = checker_panics_during(|| {
        std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            [gradcheck(f, &[], &opts), gradgradcheck(f, &[], &opts)]
        }))
    });
    let reports = reports.expect("no panic escapes the checker");
    for r in reports {
        assert!(r.problems.iter().any(|p| p.contains("of another tape than its inputs'")), "{r}");
    }
    assert_eq!(panics, 0);
}

#[test]
fn second_order_checks_call_a_custom_vjp_as_often_as_documented() {
    // docs/gradcheck.md: gradgradcheck differentiates the recorded gradient (vjp_graph) and
    // never calls vjp; check_custom_op calls it twice (for u and for the dot product's u′).
    let counted = || {
        Rc::new(Counted { op: Rc::new(Cube { graph: Graph::Right, ..Cube::ok() }), vjps: Default::default() })
    };
    let op = counted();
    let c = op.clone();
    let r = gradgradcheck(
        move |v| v[0].tape().custom(c.clone(), &[v[0]]).unwrap().sum(),
        &[sample(&[3], 0.2)],
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    assert_eq!(op.vjps.get(), 0, "{r}");
    let op = counted();
    let r = check_custom_op(op.clone(), &[&[3]], &CheckOptions::default());
    assert!(r.passed() && r.entries.iter().any(|e| e.order == 2), "{r}");
    assert_eq!(op.vjps.get(), 2, "{r}");
}

#[test]
fn a_forward_that_changes_shape_at_a_perturbed_input_is_reported() {
    /// x³ elementwise inside [−1, 1], but the sum of x³ (a scalar) beyond.
    struct Shifty;
    impl CustomOp<f64> for Shifty {
        fn name(&self) -> &str {
            "shifty"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            let y = x[0].map(|v| v * v * v);
            if x[0].data().iter().all(|v| v.abs() <= 1.0) {
                Ok(y)
            } else {
                Ok(Tensor::scalar(y.data().iter().sum()))
            }
        }
        fn vjp(&self, x: &[&Tensor<f64>], y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            Cube::ok().vjp(x, y, g)
        }
    }
    let (r, panics) = checker_panics_during(|| {
        check_custom_op_at(Rc::new(Shifty), &[Tensor::from([0.5, 1.0])], &CheckOptions::default())
    });
    assert_eq!(panics, 0, "{r}");
    // Without the check, ⟨u, op(x)⟩ would pair u with the wrong elements, silently.
    assert!(
        r.problems.iter().any(|p| p.contains("input 0 (x0) at [1]")
            && p.contains("the forward of `shifty` returned shape [], but [2] at the inputs")),
        "{r}"
    );
}

/// Second-order localisation passes over a node whose arguments have no elements (its
/// rule has nothing to be wrong about) and names the op that is wrong.
#[test]
fn second_order_localisation_skips_nodes_of_empty_arguments() {
    let op: Rc<dyn CustomOp<f64>> = Rc::new(Cube { factor: 1.0, at: None, graph: Graph::Doubled });
    let f = wengert_tape::functional::func_many(move |v| {
        let empty = v[0].slice(0, 0, 0).exp().sum();
        v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum() + empty
    });
    let r = gradgradcheck(f, &[Tensor::from([0.5, -0.3])], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("{r}"));
    assert_eq!(l.op, "custom `cube`", "{r}");
    assert!(l.message.is_none(), "blamed with a message instead of values: {r}");
}

/// check_custom_op reports a numeric vjp of the wrong shape once, and does not blame a
/// vjp_graph of the right shape for the mismatch.
#[test]
fn a_vjp_of_the_wrong_shape_is_not_blamed_on_vjp_graph() {
    struct BadShape;
    impl CustomOp<f64> for BadShape {
        fn name(&self) -> &str {
            "badshape"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            Ok(x[0].map(|v| v * v * v))
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, _g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![Tensor::zeros(&[7])]
        }
        fn vjp_graph<'t>(
            &self,
            x: &[Var<'t, f64>],
            _y: Var<'t, f64>,
            g: Var<'t, f64>,
        ) -> Option<Vec<Var<'t, f64>>> {
            Some(vec![g * x[0].square() * 3.0])
        }
    }
    let r = check_custom_op_at(Rc::new(BadShape), &[Tensor::from([0.5, -0.3])], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    assert!(r.problems.iter().any(|p| p.starts_with("vjp returned shape [7]")), "{r}");
    assert!(!r.problems.iter().any(|p| p.contains("vjp_graph")), "{r}");
}

/// A custom op whose `name()` panics gets a report that says so; the panic does not
/// escape the checker.
#[test]
fn a_panicking_name_is_reported() {
    struct Nameless;
    impl CustomOp<f64> for Nameless {
        fn name(&self) -> &str {
            panic!("no name yet")
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            Ok(x[0].clone())
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![g.clone()]
        }
    }
    let r = check_custom_op_at(Rc::new(Nameless), &[Tensor::from([0.5, -0.3])], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    assert!(r.problems.iter().any(|p| p.starts_with("name() panicked: no name yet")), "{r}");
}

/// A forward that fails at one perturbed element does not stop the comparison: the other
/// elements are still checked, and after three failures the rest are counted.
#[test]
fn a_failure_at_one_perturbed_element_does_not_stop_the_others() {
    let op = Rc::new(Bounded { factor: 1.0, graph: Graph::None });
    let (r, panics) = checker_panics_during(|| {
        check_custom_op_at(op.clone(), &[Tensor::from([1.0, 0.5])], &CheckOptions::default())
    });
    assert_eq!(panics, 0, "{r}");
    assert!(!r.passed(), "{r}");
    assert_eq!(r.problems.len(), 1, "{r}");
    assert!(r.problems[0].contains("at [0] moved to"), "{r}");
    // x[1], after the failing x[0], was compared.
    assert_eq!(r.summaries_of_order(1)[0].entries, 1, "{r}");

    let x = Tensor::from([1.0, -1.0, 1.0, 0.25, -1.0, 1.0]);
    let (r, panics) = checker_panics_during(|| check_custom_op_at(op, &[x], &CheckOptions::default()));
    assert_eq!(panics, 0, "{r}");
    let listed = r.problems.iter().filter(|p| p.contains("moved to")).count();
    assert_eq!(listed, 3, "{r}");
    assert!(r.problems.iter().any(|p| p.ends_with("failed for 2 more entries (not compared)")), "{r}");
    assert_eq!(r.summaries_of_order(1)[0].entries, 1, "{r}");
}

#[test]
fn strongly_curved_functions_pass_at_small_inputs_after_refinement() {
    // At x = 1e-3 the central difference of ln at h = 6e-6 is off by h²/(3x²) ≈ 1.2e-5
    // relative, above rtol = 1e-5; sqrt at 1e-4 by h²/(8x²) ≈ 4.6e-4. The step refinement
    // extrapolates the differences to step 0 and clears them.
    type Op = fn(Var<'_, f64>) -> Var<'_, f64>;
    let cases: [(&str, Op, f64); 4] = [
        ("ln", |x| x.ln(), 1e-3),
        ("rdiv", |x| x.rdiv(1.0), 1e-3),
        ("sqrt", |x| x.sqrt(), 1e-4),
        // x − h < 0: the step leaves the domain; smaller ones stay inside.
        ("ln at 1e-8", |x| x.ln(), 1e-8),
    ];
    for (name, op, at) in cases {
        let x = Tensor::from([at, 2.0 * at, 0.5]);
        let r = gradcheck(|v| op(v[0]).sum(), std::slice::from_ref(&x), &CheckOptions::default());
        assert!(r.passed(), "{name}:\n{r}");
        assert!(r.entries.iter().any(|e| e.refined.is_some()), "{name}: nothing needed refining?\n{r}");
        assert!(r.notes.iter().any(|n| n.contains("passed only after step refinement")), "{name}:\n{r}");
        let e = &r.entries[0];
        let exact = r.entries[0].analytic;
        assert!((e.numeric - exact).abs() <= 1e-8 * exact.abs(), "{name}: {e:?}");
    }
}

/// ln as a custom op whose backward is off by `factor`.
struct LnScaled(f64);
impl CustomOp<f64> for LnScaled {
    fn name(&self) -> &str {
        "ln_scaled"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(f64::ln))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| self.0 * g.data()[i] / x[0].data()[i])]
    }
}

#[test]
fn refinement_does_not_clear_a_wrong_rule() {
    // 1e-4 relative is ten times rtol, and smaller than the truncation error at h at 1e-4.
    for at in [1e-4, 1e-8, 0.5] {
        let x = Tensor::from([at, 0.7]);
        let r = gradcheck(
            |v| v[0].tape().custom(Rc::new(LnScaled(1.0001)), &[v[0]]).unwrap().sum(),
            std::slice::from_ref(&x),
            &CheckOptions::default(),
        );
        assert!(!r.passed(), "at {at}:\n{r}");
        let e = &r.entries[0];
        assert_eq!(e.status, Status::Fail, "at {at}:\n{r}");
        let rf = e.refined.as_ref().unwrap_or_else(|| panic!("at {at}: not refined\n{r}"));
        assert!(rf.settled && (rf.estimate * at - 1.0).abs() < 1e-8, "at {at}: {rf:?}");
        assert!(r.to_string().contains("settled: the analytic value is wrong"), "{r}");
        // The same op with a right rule passes at the same point.
        let r = gradcheck(
            |v| v[0].tape().custom(Rc::new(LnScaled(1.0)), &[v[0]]).unwrap().sum(),
            std::slice::from_ref(&x),
            &CheckOptions::default(),
        );
        assert!(r.passed(), "at {at}:\n{r}");
    }
}

/// x + [x > 0]: a jump at 0 no branch record sees, with the backward of x alone.
struct Jump;
impl CustomOp<f64> for Jump {
    fn name(&self) -> &str {
        "jump"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(|v| v + if v > 0.0 { 1.0 } else { 0.0 }))
    }
    fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![g.clone()]
    }
}

#[test]
fn a_jump_does_not_settle_and_is_not_blamed_on_the_rule() {
    // The difference quotient doubles each time the step halves.
    let x = Tensor::from([0.0, 0.5]);
    let r = gradcheck(
        |v| v[0].tape().custom(Rc::new(Jump), &[v[0]]).unwrap().sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(!r.passed(), "{r}");
    let rf = r.entries[0].refined.as_ref().unwrap_or_else(|| panic!("not refined\n{r}"));
    assert!(!rf.settled, "{rf:?}");
    assert!(r.to_string().contains("does not settle as the step shrinks"), "{r}");
    assert!(!r.to_string().contains("analytic value is wrong"), "{r}");
    // Localisation names the op whose differences do not shrink, without blaming its rule.
    assert!(r.localisation.is_none(), "{r}");
    assert!(r.notes.iter().any(|n| n.contains("could not check v1 = custom `jump`(v0)")), "{r}");
}

#[test]
fn a_nan_gradient_is_named_as_such_in_the_refinement() {
    // sqrt at 0: the rule gives inf·0 = NaN under a zero seed element? Use 0·ln(x) at 0
    // instead: f = 0 and numeric 0 where x − h leaves the domain; analytic NaN (0·(1/0)).
    let x = Tensor::from([0.0, 1.0]);
    let r = gradcheck(|v| (v[0].ln() * 0.0).sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    assert!(r.entries[0].analytic.is_nan(), "{r}");
    assert!(r.to_string().contains("the analytic value is NaN"), "{r}");
}

#[test]
fn noise_near_the_largest_float_does_not_overflow_the_tolerance() {
    // exp(709.7) ≈ 1.65e308: (|f(x+h)| + |f(x−h)|) overflows, which made the tolerance
    // infinite and let any gradient pass.
    let x = Tensor::from([709.7]);
    // Value exp(x), gradient exp(x)/2: exp(x) − (x − stop(x))·exp(stop(x))/2.
    let r = gradcheck(
        |v| {
            let y = v[0].exp();
            (y - (v[0] - v[0].detach()) * y.detach() * 0.5).sum()
        },
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.entries.iter().all(|e| e.tol.is_finite()), "{r}");
    assert!(!r.passed(), "{r}");
    let r = gradcheck(|v| v[0].exp().sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(r.passed(), "{r}");
}

#[test]
fn localisation_finds_a_rule_wrong_at_one_element_of_many() {
    // 2e-4 off at one element of 1000: two random directions through the op alone do not
    // see it (its share of a direction is about 1/√1000); the element-wise pass does.
    let x = sample(&[1000], 0.3);
    let bad = || Rc::new(Cube { factor: 1.0002, at: Some(537), graph: Graph::None }) as Rc<dyn CustomOp<f64>>;
    let tape = Tape::new();
    let (_, expected) = model(tape.var(&x), bad());
    let r = gradcheck(|v| model(v[0], bad()).0, &[x], &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("no localisation:\n{r}"));
    assert_eq!((l.node, l.index.as_deref()), (expected, Some(&[537][..])), "{r}");
    assert!((l.analytic / l.numeric - 1.0002).abs() < 1e-6, "{r}");
}

#[test]
fn a_pass_through_atol_alone_is_noted() {
    // Gradients of order 1e-7 computed twice too large: within atol = 1e-6, so the check
    // passes (as PyTorch's), but the report says which entries only atol let through.
    let x = Tensor::from([0.3, -0.2, 0.1]);
    let r = gradcheck(
        |v| {
            let y = v[0].square() * 1e-7;
            (y + (y - y.detach())).sum()
        },
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    let note = r.notes.iter().find(|n| n.contains("only through atol")).unwrap_or_else(|| panic!("{r}"));
    assert!(note.starts_with("3 entries") && note.contains("relative error 5.00e-1"), "{note}");
    // Relatively, it fails; and a right rule at the same scale gets no note.
    let r = gradcheck(
        |v| {
            let y = v[0].square() * 1e-7;
            (y + (y - y.detach())).sum()
        },
        std::slice::from_ref(&x),
        &CheckOptions::default().with_tolerances(0.0, 1e-5),
    );
    assert!(!r.passed(), "{r}");
    let r = gradcheck(|v| (v[0].square() * 1e-7).sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(r.passed() && !r.notes.iter().any(|n| n.contains("atol")), "{r}");
}

/// (sin x + 10⁴) − 10⁴, summed: small output, large intermediate values that cancel.
struct Cancelling;
impl Function for Cancelling {
    fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T> {
        ((x[0].sin() + T::from_f64(1e4)) - T::from_f64(1e4)).sum()
    }
}

#[test]
fn rounding_noise_counts_large_intermediates_that_cancel() {
    // In f32 the differences of f lose everything below 10⁴·ε ≈ 1e-3 of the intermediate,
    // though f itself is about 1: a bound on |f| alone failed this correct function with a
    // 6% error. The noise bound uses Σ |value · adjoint| over the tape.
    let x = Tensor::from([0.3f32, -0.2, 0.7]);
    let r =
        gradcheck(|v| ((v[0].sin() + 1e4) - 1e4).sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(r.failures().is_empty(), "{r}");
    assert!(
        r.problems.iter().any(|p| p.contains("nothing was really checked") && p.contains("gradcheck_fn")),
        "{r}"
    );
    // Differenced in f64, the same gradient is checked, and passes.
    let r = gradcheck_fn(&Cancelling, std::slice::from_ref(&x), &CheckOptions::default());
    assert!(r.passed() && r.entries.iter().all(|e| e.rel_err < 1e-6), "{r}");
}

/// max(x, 0) as a custom op, its backward `slope` at x = 0, its branches declared or not.
struct MyRelu {
    declared: bool,
    slope: f64,
}
impl CustomOp<f64> for MyRelu {
    fn name(&self) -> &str {
        "my_relu"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(|v| v.max(0.0)))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| {
            let v = x[0].data()[i];
            g.data()[i]
                * if v > 0.0 {
                    1.0
                } else if v == 0.0 {
                    self.slope
                } else {
                    0.0
                }
        })]
    }
    fn branches(&self, x: &[&Tensor<f64>]) -> Option<Vec<u32>> {
        self.declared.then(|| x[0].data().iter().map(|&v| (v > 0.0) as u32 + (v >= 0.0) as u32).collect())
    }
}

#[test]
fn a_custom_op_that_declares_its_branches_gets_kinks_judged_as_kinks() {
    let x = Tensor::from([0.0, 0.5, -0.3]);
    let check = |declared: bool, slope: f64| {
        let op = Rc::new(MyRelu { declared, slope });
        let r = gradcheck(
            move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum(),
            std::slice::from_ref(&x),
            &CheckOptions::default(),
        );
        (r.passed(), r.kinks().len(), r.to_string())
    };
    // relu'(0) = 0 and relu'(0) = 1 are both one side's derivative: kinks, not failures.
    for slope in [0.0, 1.0] {
        let (passed, kinks, text) = check(true, slope);
        assert!(passed && kinks == 1, "{text}");
    }
    // A slope outside [0, 1] is no side's derivative, kink or not.
    let (passed, _, text) = check(true, 2.0);
    assert!(!passed, "{text}");
    // Undeclared, the op is taken for smooth: its quotient ½ at 0 fails it.
    let (passed, kinks, text) = check(false, 0.0);
    assert!(!passed && kinks == 0, "{text}");
}

/// x·factor with the backward of x (a rule wrong by `factor`), for any element type.
struct Scaled(f64);
impl<T: Float> CustomOp<T> for Scaled {
    fn name(&self) -> &str {
        "scaled"
    }
    fn forward(&self, x: &[&Tensor<T>]) -> Result<Tensor<T>> {
        Ok(x[0].map(|v| v * T::from_f64(self.0)))
    }
    fn vjp(&self, _x: &[&Tensor<T>], _y: &Tensor<T>, g: &Tensor<T>) -> Vec<Tensor<T>> {
        vec![g.clone()]
    }
}

/// scaled(ln x) summed, with `Scaled(1.01)`.
struct LnThenScaled;
impl Function for LnThenScaled {
    fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T> {
        x[0].tape().custom(Rc::new(Scaled(1.01)), &[x[0].ln()]).unwrap().sum()
    }
}

#[test]
fn gradcheck_fn_localises_with_differences_in_f64() {
    // ln at 2e-3 in f32 with f32 differences (step 4.9e-3) is far off; in f64 it is
    // cleared, and the wrong custom op after it is named.
    let x = Tensor::from([2e-3f32, 3e-3, 0.5]);
    let r = gradcheck_fn(&LnThenScaled, std::slice::from_ref(&x), &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("no localisation:\n{r}"));
    assert_eq!(l.op, "custom `scaled`", "{r}");
}

/// An elementwise custom op f with backward factor·f′, for any element type.
struct Elementwise {
    f: fn(f64) -> f64,
    df: fn(f64) -> f64,
    factor: f64,
}
impl<T: Float> CustomOp<T> for Elementwise {
    fn name(&self) -> &str {
        "elementwise"
    }
    fn forward(&self, x: &[&Tensor<T>]) -> Result<Tensor<T>> {
        Ok(x[0].map(|v| T::from_f64((self.f)(v.to_f64()))))
    }
    fn vjp(&self, x: &[&Tensor<T>], _y: &Tensor<T>, g: &Tensor<T>) -> Vec<Tensor<T>> {
        vec![Tensor::from_fn(x[0].shape(), |i| {
            g.data()[i] * T::from_f64(self.factor * (self.df)(x[0].data()[i].to_f64()))
        })]
    }
}

fn elementwise<T: Float>(x: &Tensor<T>, f: fn(f64) -> f64, df: fn(f64) -> f64, factor: f64) -> CheckReport {
    let op: Rc<dyn CustomOp<T>> = Rc::new(Elementwise { f, df, factor });
    gradcheck(
        move |v| v[0].tape().custom(op.clone(), &[v[0]]).unwrap().sum(),
        std::slice::from_ref(x),
        &CheckOptions::default(),
    )
}

#[test]
fn a_wrong_rule_hidden_by_the_truncation_error_at_h_fails() {
    // At 1e-3 the quotient of ln at h is 1.2e-5 too large; a rule 2e-5 too large was
    // within rtol of it. The Richardson value of h and 2h exposes the close call.
    let x = Tensor::from([1e-3, 0.5]);
    let r = elementwise(&x, f64::ln, |x| 1.0 / x, 1.00002);
    assert!(!r.passed(), "{r}");
    assert!(r.to_string().contains("settled: the analytic value is wrong"), "{r}");
    assert!(elementwise(&x, f64::ln, |x| 1.0 / x, 1.0).passed());
    // In f32 (differences in f32, step 4.9e-3), ln at 0.03 is off by 1% at h: a rule 1%
    // wrong agreed with it, the right one did not.
    let x = Tensor::from([0.03f32, 0.5]);
    let r = elementwise(&x, f64::ln, |x| 1.0 / x, 1.01);
    assert!(!r.passed(), "{r}");
    let r = elementwise(&x, f64::ln, |x| 1.0 / x, 1.0);
    assert!(r.passed(), "{r}");
}

#[test]
fn refinement_verdicts_in_f32_and_at_small_inputs() {
    // f32 differences never get the error below a quarter of the tolerance, but a rule 1%
    // off is far outside it: the verdict says the rule is wrong.
    let x = Tensor::from_fn(&[2, 3], |i| ((i as f64 + 1.0) * 0.731).sin() as f32);
    let r = elementwise(&x, |x| x * x * x, |x| 3.0 * x * x, 1.01);
    assert!(!r.passed(), "{r}");
    assert!(r.to_string().contains("settled: the analytic value is wrong"), "{r}");
    assert!(!r.to_string().contains("does not settle"), "{r}");
    // Steps below the input's resolution end the refinement (x² at 1 and 3 in f32).
    let x = Tensor::from([1.0f32, 3.0]);
    let r = elementwise(&x, |x| x * x, |x| 2.0 * x, 1.01);
    assert!(!r.passed() && !r.to_string().contains("not finite"), "{r}");
    // ln and sqrt at 1e-7: the table restarts where the steps enter the domain.
    for (f, df) in
        [(f64::ln as fn(f64) -> f64, (|x| 1.0 / x) as fn(f64) -> f64), (f64::sqrt, |x| 0.5 / x.sqrt())]
    {
        let x = Tensor::from([1e-7, 0.5]);
        let r = elementwise(&x, f, df, 1.0);
        assert!(r.passed(), "{r}");
    }
}

#[test]
fn kinks_judge_nan_rules_and_jumps_nearby_strictly() {
    // relu then sqrt at 0: the rule gives NaN (0·∞); a NaN is no side's derivative.
    let x = Tensor::from([0.0, 0.5]);
    let r = gradcheck(|v| v[0].relu().sqrt().sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(!r.passed() && r.kinks().is_empty(), "{r}");
    // A wrong relu'(0) = 1000 with a jump 1.5h away: the quotients at 2h cross the jump,
    // which is no truncation error and must not widen the kink's band.
    let h = 6.0555e-6;
    let op = Rc::new(MyRelu { declared: true, slope: 1000.0 });
    let r = gradcheck(
        move |v| (v[0].tape().custom(op.clone(), &[v[0]]).unwrap() + (v[0] - 1.5 * h).step_mask()).sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(!r.passed(), "{r}");
}

#[test]
fn check_custom_op_reads_declared_branches() {
    let r = check_custom_op_at(
        Rc::new(MyRelu { declared: true, slope: 0.0 }),
        &[Tensor::from([0.0, 0.5, -0.3])],
        &CheckOptions::default(),
    );
    assert!(r.passed() && !r.kinks().is_empty(), "{r}");
    /// Branches that panic: reported, not propagated.
    struct Panicky;
    impl CustomOp<f64> for Panicky {
        fn name(&self) -> &str {
            "panicky"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
            Ok(x[0].clone())
        }
        fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![g.clone()]
        }
        fn branches(&self, _x: &[&Tensor<f64>]) -> Option<Vec<u32>> {
            panic!("no branches here")
        }
    }
    let x = Tensor::from([0.5]);
    let (r, panics) = checker_panics_during(|| {
        gradcheck(
            |v| v[0].tape().custom(Rc::new(Panicky), &[v[0]]).unwrap().sum(),
            std::slice::from_ref(&x),
            &CheckOptions::default(),
        )
    });
    assert_eq!(panics, 0, "{r}");
    assert!(!r.passed() && r.to_string().contains("the branches of custom `panicky` panicked"), "{r}");
}

#[test]
fn gradgradcheck_counts_large_intermediates_in_its_noise_bound() {
    let x = Tensor::from([0.3f32, -0.2, 0.7]);
    let r = gradgradcheck(
        |v| ((v[0].sin() + 1e4) - 1e4).sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.failures().iter().all(|e| e.order == 2), "order 1 is unresolvable, not failed:\n{r}");
}

/// ln as a custom op that refuses x ≤ 0 (an error, not a NaN).
struct StrictLn;
impl CustomOp<f64> for StrictLn {
    fn name(&self) -> &str {
        "strict_ln"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        if let Some(v) = x[0].data().iter().find(|v| **v <= 0.0) {
            return Err(wengert_tape::Error::InvalidArgument { op: "strict_ln", msg: format!("{v} ≤ 0") });
        }
        Ok(x[0].map(f64::ln))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| g.data()[i] / x[0].data()[i])]
    }
}

#[test]
fn second_review_cases() {
    // A kink with one side outside the domain: ln(relu(x)) at 1e-6, a rule 100× wrong.
    let x = Tensor::from([1e-6]);
    let op: Rc<dyn CustomOp<f64>> = Rc::new(Elementwise { f: f64::ln, df: |x| 1.0 / x, factor: 100.0 });
    let r = gradcheck(
        move |v| v[0].tape().custom(op.clone(), &[v[0].relu()]).unwrap().sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(!r.passed() && r.kinks().is_empty(), "{r}");
    // A refinement goes on past steps where f returns an error: a correct rule passes.
    let x = Tensor::from([9e-6, 0.5]);
    let r = gradcheck(
        |v| v[0].tape().custom(Rc::new(StrictLn), &[v[0]]).unwrap().sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    // Order 2 of a function with large cancelling intermediates in f32 is not called a
    // wrong rule.
    let x = Tensor::from([0.3f32, -0.2, 0.7]);
    let r = gradgradcheck(
        |v| (v[0].square() * v[0] * 1e4 - v[0].square() * v[0] * 1e4 + v[0].sin()).sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(!r.to_string().contains("analytic value is wrong"), "{r}");
    // Every entry at a kink: nothing was checked.
    let x = Tensor::from([0.0]);
    let r = gradcheck(|v| v[0].relu().sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(!r.passed() && r.problems.iter().any(|p| p.contains("every entry straddles")), "{r}");
}

#[test]
fn f32_rounding_of_many_elements_adds_in_quadrature() {
    // 5120 weights through relu(W·X), a rule 10% wrong, then tanh: in f32 the noise bound
    // summing |v·v̄| over thousands of elements (worst case) let it pass.
    let w = Tensor::from_fn(&[64, 80], |i| (((i as f64) * 0.37).sin() * 0.3) as f32);
    let xs = Tensor::from_fn(&[80, 4], |i| (((i as f64) * 0.11).cos()) as f32);
    let w2 = Tensor::from_fn(&[3, 64], |i| (((i as f64) * 0.23).sin() * 0.2) as f32);
    for factor in [1.1, 1.03] {
        let (xs, w2) = (xs.clone(), w2.clone());
        let r = gradcheck(
            move |v| {
                let t = v[0].tape();
                let h = v[0].matmul(t.constant(&xs)).relu();
                let h = t.custom(Rc::new(Scaled(factor)), &[h]).unwrap();
                t.constant(&w2).matmul(h * (1.0 / factor as f32)).tanh().sum()
            },
            std::slice::from_ref(&w),
            &CheckOptions::default(),
        );
        assert!(!r.passed(), "factor {factor}:\n{r}");
    }
}

/// At order 2 the function differenced is ⟨∇f, u⟩, and at abs's breakpoint ∇|x| jumps
/// from −1 to 1: the one-sided quotients double as the step halves, so no derivative
/// exists there to compare abs''(0) = 0 with. The entry is a kink, not a failure that
/// blames abs's second-order rule (the quotients are both u/h, so the analytic 0 is not
/// between them, which is how it used to fail). Elsewhere a wrong second-order rule
/// still fails.
#[test]
fn a_jump_of_the_gradient_at_order_2_is_a_kink() {
    let x = Tensor::from([0.0, 0.5, -0.7]);
    let r = gradgradcheck(|v| v[0].abs().sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(r.passed() && r.kinks().iter().all(|e| e.order == 2) && r.kinks().len() == 1, "{r}");
    let r = gradgradcheck(
        |v| (v[0].abs() * v[0].square() + v[0].abs()).sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    // A second-order rule that is wrong away from the breakpoint still fails.
    let op = Rc::new(CubeWrongSecond);
    let r = gradgradcheck(
        move |v| (v[0].tape().custom(op.clone(), &[v[0]]).unwrap() + v[0].abs()).sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(!r.passed() && r.failures().iter().all(|e| e.order == 2), "{r}");
}

/// x³ whose vjp_graph has the right value, 3x²·ȳ, but half its derivative in x (one
/// factor x detached).
struct CubeWrongSecond;
impl CustomOp<f64> for CubeWrongSecond {
    fn name(&self) -> &str {
        "cube_wrong_second"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| 3.0 * x[0].data()[i].powi(2) * g.data()[i])]
    }
    fn vjp_graph<'t>(&self, x: &[Var<'t>], _y: Var<'t>, g: Var<'t>) -> Option<Vec<Var<'t>>> {
        Some(vec![g * x[0] * x[0].detach() * 3.0])
    }
}

/// x³ for any element type, with the `Detached` second-order rule: its value is right,
/// its own derivative is not.
struct CubeDetached;
impl<T: Float> CustomOp<T> for CubeDetached {
    fn name(&self) -> &str {
        "cube_detached"
    }
    fn forward(&self, x: &[&Tensor<T>]) -> Result<Tensor<T>> {
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor<T>], _y: &Tensor<T>, g: &Tensor<T>) -> Vec<Tensor<T>> {
        vec![Tensor::from_fn(x[0].shape(), |i| {
            T::from_f64(3.0) * x[0].data()[i] * x[0].data()[i] * g.data()[i]
        })]
    }
    fn vjp_graph<'t>(&self, x: &[Var<'t, T>], _y: Var<'t, T>, g: Var<'t, T>) -> Option<Vec<Var<'t, T>>> {
        Some(vec![g * x[0].square().detach() * T::from_f64(3.0)])
    }
}

/// cube_detached(ln x) summed.
struct LnThenCube;
impl Function for LnThenCube {
    fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T> {
        x[0].tape().custom(Rc::new(CubeDetached), &[x[0].ln()]).unwrap().sum()
    }
}

#[test]
fn gradgradcheck_fn_localises_with_differences_in_f64() {
    // ln at 2e-3 in f32: its second-order check alone with f32 differences (step 4.9e-3,
    // larger than x) is far off; in f64 ln is cleared, and the wrong custom op after it,
    // whose rule runs in f32, is named.
    let x = Tensor::from([2e-3f32, 3e-3, 0.5]);
    let r = gradgradcheck_fn(&LnThenCube, std::slice::from_ref(&x), &CheckOptions::default());
    assert!(!r.passed(), "{r}");
    let l = r.localisation.as_ref().unwrap_or_else(|| panic!("no localisation:\n{r}"));
    assert_eq!((l.op.as_str(), l.order), ("custom `cube_detached`", 2), "{r}");
}

/// sin x as a custom op whose `branches` declares none, counting how often it is asked.
struct SmoothCounted(std::cell::Cell<usize>);
impl CustomOp<f64> for SmoothCounted {
    fn name(&self) -> &str {
        "smooth_counted"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(f64::sin))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| x[0].data()[i].cos() * g.data()[i])]
    }
    fn branches(&self, _x: &[&Tensor<f64>]) -> Option<Vec<u32>> {
        self.0.set(self.0.get() + 1);
        None
    }
}

#[test]
fn an_op_that_declares_no_branches_is_asked_once_per_check() {
    // The branch signature of every evaluation copied the op's inputs to ask `branches`;
    // an op that declares none is smooth, so one check asks it once and copies nothing
    // more (16 evaluations here).
    let op = Rc::new(SmoothCounted(std::cell::Cell::new(0)));
    let x = sample(&[8], 0.2);
    let dynop: Rc<dyn CustomOp<f64>> = op.clone();
    let r = gradcheck(
        move |v| v[0].tape().custom(dynop.clone(), &[v[0]]).unwrap().sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    assert_eq!(op.0.get(), 1, "{r}");
    // An op that declares branches is still asked at every evaluation (its kinks are found).
    let x = Tensor::from([0.0, 0.5, -0.3]);
    let relu: Rc<dyn CustomOp<f64>> = Rc::new(MyRelu { declared: true, slope: 0.0 });
    let r = gradcheck(
        move |v| v[0].tape().custom(relu.clone(), &[v[0]]).unwrap().sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.passed() && r.kinks().len() == 1, "{r}");
}

#[test]
fn a_custom_op_whose_declared_branches_change_within_one_step_is_a_kink_site() {
    let x = Tensor::from([0.0, 0.5, -0.3]);
    let op: Rc<dyn CustomOp<f64>> = Rc::new(MyRelu { declared: true, slope: 0.0 });
    let r = gradcheck(
        move |v| v[0].tape().custom(op.clone(), &[v[0] * 2.0]).unwrap().sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.passed(), "{r}");
    let sites: Vec<_> = r.kink_sites.iter().filter(|k| k.op == "custom `my_relu`").collect();
    assert_eq!(sites.len(), 1, "{r}");
    assert_eq!((sites[0].node, sites[0].index.as_slice()), (NodeId(2), &[0][..]), "{r}");
    assert!(sites[0].distance.is_nan(), "{r}");
    let text = r.to_string();
    assert!(
        text.contains("v2 custom `my_relu` at [0]") && text.contains("distance to the breakpoint is unknown"),
        "{text}"
    );
    // Away from its breakpoint the op is no kink site.
    let x = Tensor::from([0.25, 0.5, -0.3]);
    let op: Rc<dyn CustomOp<f64>> = Rc::new(MyRelu { declared: true, slope: 0.0 });
    let r = gradcheck(
        move |v| v[0].tape().custom(op.clone(), &[v[0] * 2.0]).unwrap().sum(),
        std::slice::from_ref(&x),
        &CheckOptions::default(),
    );
    assert!(r.passed() && r.kink_sites.is_empty(), "{r}");
}

#[test]
fn differences_that_cannot_resolve_the_derivative_do_not_blame_the_rule() {
    // At 1e300 the input's own resolution (ulp ≈ 1.5e284) is far beyond sin's period:
    // f(x + h) − f(x − h) stays of order 1 at every step, and no step can resolve the
    // derivative. The extrapolation of the quotients settled near 0 and called the
    // correct cos(1e300) wrong.
    let x = Tensor::from([1e300]);
    let r = gradcheck(|v| v[0].sin().sum(), std::slice::from_ref(&x), &CheckOptions::default());
    let text = r.to_string();
    assert!(!r.passed() && !text.contains("analytic value is wrong"), "{text}");
    assert!(text.contains("cannot resolve the derivative"), "{text}");
    let rf = r.entries[0].refined.as_ref().unwrap_or_else(|| panic!("not refined\n{r}"));
    assert!(!rf.settled && !rf.shrinking, "{rf:?}");
    // Localisation neither blames nor clears sin.
    assert!(r.localisation.is_none() && !r.localized, "{r}");
    assert!(r.notes.iter().any(|n| n.contains("could not check v1 = sin(v0)")), "{r}");
}

#[test]
fn a_wrong_rule_at_a_large_resolvable_input_is_still_wrong() {
    // The differences shrink with the step at sin 10, exp 20 and x² at 1e5: a rule 1e-4 off
    // is called wrong, and the right one passes.
    type F = fn(f64) -> f64;
    let cases: [(F, F, f64); 3] =
        [(f64::sin, f64::cos, 10.0), (f64::exp, f64::exp, 20.0), (|x| x * x, |x| 2.0 * x, 1e5)];
    for (f, df, at) in cases {
        let x = Tensor::from([at]);
        let r = elementwise(&x, f, df, 1.0001);
        assert!(!r.passed() && r.to_string().contains("settled: the analytic value is wrong"), "{r}");
        let rf = r.entries[0].refined.as_ref().unwrap_or_else(|| panic!("not refined\n{r}"));
        assert!(rf.shrinking, "{r}");
        assert!(elementwise(&x, f, df, 1.0).passed(), "at {at}");
    }
}

#[test]
fn fast_mode_tolerance_does_not_overflow_at_large_inputs() {
    // At x = 1e200 each term ∂f/∂xᵢ·(x₊ − x₋)ᵢ is about 1e195, and the sum of their squares
    // (the scale of the relative tolerance) overflowed to an infinite tolerance: a rule off
    // by 50% passed in fast mode.
    let x = Tensor::from([1e200, -2e200, 3e200]);
    for opts in [CheckOptions::default(), CheckOptions::default().with_fast(4)] {
        let r = gradcheck(
            |v| v[0].tape().custom(Rc::new(Scaled(1.5)), &[v[0]]).unwrap().sum(),
            std::slice::from_ref(&x),
            &opts,
        );
        assert!(!r.passed() && r.entries.iter().all(|e| e.tol.is_finite()), "{r}");
        let r = gradcheck(|v| (v[0] * 1.5).sum(), std::slice::from_ref(&x), &opts);
        assert!(r.passed(), "{r}");
    }
}

/// sin(k·x) whose backward is scaled by `factor`.
struct SinK {
    k: f64,
    factor: f64,
}
impl CustomOp<f64> for SinK {
    fn name(&self) -> &str {
        "sin_k"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(|v| (self.k * v).sin()))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        let k = self.k;
        vec![Tensor::from_fn(x[0].shape(), |i| self.factor * k * (k * x[0].data()[i]).cos() * g.data()[i])]
    }
}

/// sin(1000x) + relu(x − x0) + y², checked at x = x0 (relu's breakpoint), with sin's
/// backward scaled by `factor`.
fn sin_beside_a_kink(x0: f64, factor: f64) -> CheckReport {
    let op: Rc<dyn CustomOp<f64>> = Rc::new(SinK { k: 1000.0, factor });
    gradcheck(
        move |v| {
            (v[0].tape().custom(op.clone(), &[v[0]]).unwrap() + (v[0] - x0).relu()).sum()
                + v[1].square().sum()
        },
        &[Tensor::from([x0]), Tensor::from([0.5])],
        &CheckOptions::default(),
    )
}

/// 1.5 steps from an extremum of a smooth f (f′ ≈ −1.5·h·f″), one side's quotient doubles
/// from 2h to h as at a jump: sin(1000x) at x0 = 1.5621e-3, with h = 6.06e-6. Beside a
/// kink (relu(x − x0)) that side was taken for a jump and excused the entry whatever its
/// analytic value: a sign-flipped, zero or tripled rule of sin passed as a kink. The other
/// side's quotients move in step with it there, as a smooth f's do, so it is no jump.
#[test]
fn a_smooth_function_curving_beside_a_kink_is_not_a_jump() {
    let x0 = 0.0015621255310709888;
    // The correct rule: x's one entry straddles the kink, so x was not checked at all,
    // which is a problem of the check, not a failure of the rule.
    let r = sin_beside_a_kink(x0, 1.0);
    assert!(r.failures().is_empty() && r.entries[0].status == Status::Kink, "{r}");
    assert!(r.problems.len() == 1 && r.problems[0].starts_with("every entry of x0 straddles"), "{r}");
    for factor in [-1.0, 0.0, 3.0] {
        let r = sin_beside_a_kink(x0, factor);
        assert!(
            !r.passed() && r.failures().iter().all(|e| e.probe.input() == Some(0)),
            "factor {factor}\n{r}"
        );
    }
}

/// f(x) = sin(1000x) − b·x at 0 with f′(0) = 1000 − b three times the truncation error c
/// of the central quotient at h, and of the other sign (c = −1000³h²/6 = −6.1e-3): the
/// quotients f′ + c·(t/h)² go −6.1e-3, 1.22e-2, 1.68e-2, ... from t = 2h, so the difference
/// f(x + t) − f(x − t) grows from 2h to h although the steps resolve f. A rule giving 2/3 of
/// f′ lies within the tolerance of the quotient at h, a close call whose refinement
/// settles against it; the refinement took the growing difference for an unresolvable f
/// and did not call it wrong, and the entry passed. The quotients' own changes shrink by 4
/// per halving, as a smooth f's do, so the refinement may call the rule wrong.
#[test]
fn a_close_call_whose_quotients_cross_zero_is_still_caught() {
    let (k, h) = (1000.0f64, f64::EPSILON.cbrt());
    let c = -k.powi(3) * h * h / 6.0;
    let (fprime, b) = (-3.0 * c, k + 3.0 * c);
    let check = |analytic: f64| {
        let op: Rc<dyn CustomOp<f64>> = Rc::new(SinK { k, factor: (analytic + b) / k });
        gradcheck(
            move |v| {
                (v[0].tape().custom(op.clone(), &[v[0]]).unwrap() - v[0] * b).sum() + v[1].square().sum()
            },
            &[Tensor::from([0.0]), Tensor::from([0.5])],
            &CheckOptions::default(),
        )
    };
    assert!(check(fprime).passed(), "{}", check(fprime));
    for wrong in [fprime + c + 5e-7, fprime + c - 5e-7] {
        let r = check(wrong);
        assert!(!r.passed() && r.to_string().contains("settled: the analytic value is wrong"), "{r}");
        let rf = r.entries[0].refined.as_ref().unwrap_or_else(|| panic!("not refined\n{r}"));
        assert!(rf.shrinking, "{r}");
    }
}

/// In fast mode every direction moves every element, so one element at relu's breakpoint
/// makes every second-order direction straddle a jump of the gradient (relu′ steps from 0
/// to 1): one side's quotients are J/t plus the rest. Their band, and the tolerance on a
/// numeric value of order J/h, excused any second-order rule as a kink, and a rule wrong
/// at all 40 elements passed. With the jump removed (2·q(2h) − q(h)) the side's quotient is
/// the rest of f's derivative, which a wrong rule does not match.
#[test]
fn a_jump_of_the_gradient_does_not_hide_a_wrong_second_order_rule_in_fast_mode() {
    let x = Tensor::from_fn(&[40], |i| if i == 7 { 0.0 } else { (i as f64 * 0.37).sin() + 0.1 });
    let inputs = [x, Tensor::from([0.3, -0.4])];
    let check = |op: Rc<dyn CustomOp<f64>>, fast: bool| {
        let opts = if fast { CheckOptions::default().with_fast(4) } else { CheckOptions::default() };
        gradgradcheck(
            move |v| {
                let c = v[0].tape().custom(op.clone(), &[v[0]]).unwrap();
                (c + v[0].relu()).sum() + v[1].square().sum()
            },
            &inputs,
            &opts,
        )
    };
    // The correct rule: every direction of x straddles the breakpoint, so nothing of x was
    // checked in fast mode (a problem, with the advice to check element by element); element
    // by element, only x[7] does, and the check passes.
    let r = check(Rc::new(Cube { factor: 1.0, at: None, graph: Graph::Right }), true);
    assert!(r.failures().is_empty(), "{r}");
    assert!(r.problems.iter().any(|p| p.starts_with("every entry of x0") && p.contains("with_full")), "{r}");
    assert!(r.problems.iter().any(|p| p.starts_with("every second-order entry (H·u) of x0")), "{r}");
    let r = check(Rc::new(Cube { factor: 1.0, at: None, graph: Graph::Right }), false);
    assert!(r.passed(), "{r}");
    let r = check(Rc::new(CubeWrongSecond), true);
    assert!(!r.passed() && r.failures().iter().all(|e| e.order == 2 && e.probe.input() == Some(0)), "{r}");
}

/// At |x|'s breakpoint the gradient jumps on both sides, and such an entry is excused
/// whatever its value. In fast mode one element of x at 0 makes every direction of x
/// straddle it, so a second-order rule wrong at every element passed as long as another
/// input (y) was checked. An input whose every entry is a kink is now a problem of the
/// check; element by element the wrong rule fails at the other 39 elements.
#[test]
fn an_input_whose_every_entry_is_a_kink_is_not_checked_and_says_so() {
    let x = Tensor::from_fn(&[40], |i| if i == 7 { 0.0 } else { (i as f64 * 0.37).sin() + 0.1 });
    let inputs = [x, Tensor::from([0.3, -0.4])];
    let check = |op: Rc<dyn CustomOp<f64>>, fast: bool| {
        let opts = if fast { CheckOptions::default().with_fast(4) } else { CheckOptions::default() };
        gradgradcheck(
            move |v| {
                let c = v[0].tape().custom(op.clone(), &[v[0]]).unwrap();
                (c + v[0].abs()).sum() + v[1].square().sum()
            },
            &inputs,
            &opts,
        )
    };
    let r = check(Rc::new(CubeWrongSecond), true);
    assert!(!r.passed(), "{r}");
    assert!(r.problems.iter().any(|p| p.starts_with("every second-order entry (H·u) of x0")), "{r}");
    let r = check(Rc::new(CubeWrongSecond), false);
    assert!(r.failures().iter().filter(|e| e.order == 2 && e.probe.input() == Some(0)).count() >= 30, "{r}");
    let r = check(Rc::new(Cube { factor: 1.0, at: None, graph: Graph::Right }), false);
    assert!(r.passed(), "{r}");
}

#[test]
fn a_refinement_costs_as_many_evaluations_as_documented() {
    // docs/gradcheck.md ("Step refinement"): 6 more evaluations of f for `ln` at 1e-3, right
    // or 1e-4 wrong, and 26 at 1e-7, where the first steps leave the domain.
    let calls = |at: f64, factor: f64| {
        let n = std::cell::Cell::new(0usize);
        let r = gradcheck(
            |v| {
                n.set(n.get() + 1);
                v[0].tape().custom(Rc::new(LnScaled(factor)), &[v[0]]).unwrap().sum()
            },
            &[Tensor::from([at])],
            &CheckOptions::default().with_localize(false),
        );
        (r, n.get())
    };
    // At 0.5 the right rule passes at h: no refinement, the baseline.
    let (r, base) = calls(0.5, 1.0);
    assert!(r.passed() && r.entries[0].refined.is_none(), "{r}");
    for (at, factor, passes, more) in [(1e-3, 1.0, true, 6), (1e-3, 1.0001, false, 6), (1e-7, 1.0, true, 26)]
    {
        let (r, n) = calls(at, factor);
        assert_eq!(r.passed(), passes, "at {at}, factor {factor}:\n{r}");
        assert!(r.entries[0].refined.is_some(), "at {at}, factor {factor}:\n{r}");
        assert_eq!(n - base, more, "at {at}, factor {factor}:\n{r}");
    }
}

#[test]
fn a_second_derivative_where_the_gradient_jumps_on_both_sides_is_excused() {
    // exp(|x|) at 0: the gradient jumps from −1 to 1, and the one-sided second derivatives
    // are both 1; the recorded rules give exp(|x|)·sign(0)² = 0 there, as PyTorch's do. No
    // side's limit is the value at 0 (sign(0) = 0), so there is no derivative a convention
    // should match: the entry is a kink, and the check passes.
    let x = Tensor::from([0.0, 0.5, -0.7]);
    let r = gradgradcheck(|v| v[0].abs().exp().sum(), std::slice::from_ref(&x), &CheckOptions::default());
    assert!(r.passed(), "{r}");
    let kinks = r.kinks();
    assert!(kinks.len() == 1 && kinks[0].order == 2 && kinks[0].analytic == 0.0, "{r}");
    assert_eq!(kinks[0].probe, Probe::Element { input: 0, index: vec![0] }, "{r}");
}
