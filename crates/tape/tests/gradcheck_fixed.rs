//! Inputs held fixed in the gradient checker (`CheckOptions::with_fixed`), as PyTorch's
//! gradcheck skips inputs with `requires_grad = False`: the function receives them as
//! constants, they are neither moved nor checked, and the free inputs are checked as before.

use std::rc::Rc;

use wengert_tape::gradcheck::{
    check_custom_op_at, gradcheck, gradcheck_fn, gradgradcheck, gradgradcheck_fn, CheckOptions, Function,
};
use wengert_tape::{func_many, CustomOp, Float, Result, Tensor, Var};

fn pred() -> Tensor<f64> {
    Tensor::from([[0.2, 0.7, 0.4], [0.9, 0.1, 0.5]])
}

fn target() -> Tensor<f64> {
    Tensor::from([[0.0, 1.0, 1.0], [1.0, 0.0, 0.0]])
}

/// A squared error whose target is detached: its gradient with respect to the target is 0,
/// which is wrong for a free target and irrelevant for a fixed one.
fn detached_target_loss<'t>(v: &[Var<'t, f64>]) -> Var<'t, f64> {
    (v[0] - v[1].detach()).square().sum()
}

#[test]
fn a_fixed_input_is_not_checked_and_a_free_one_is() {
    let xs = [pred(), target()];
    let names = CheckOptions::default().with_names(&["pred", "target"]);
    // Free, the target's zero gradient fails.
    let free = gradcheck(detached_target_loss, &xs, &names);
    assert!(!free.passed(), "{free}");
    assert!(free.failures().iter().all(|e| e.probe.input() == Some(1)), "{free}");
    // Held fixed, the target is a constant: only pred's entries, and they pass.
    let held = gradcheck(detached_target_loss, &xs, &names.clone().with_fixed(&[1]));
    assert!(held.passed(), "{held}");
    assert_eq!(held.fixed, vec![1]);
    assert_eq!(held.entries.len(), 6);
    assert!(held.entries.iter().all(|e| e.probe.input() == Some(0)));
    let text = held.to_string();
    assert!(text.contains("held fixed (constants of the tape, not checked): target [2, 3]"), "{text}");
    assert!(!text.lines().any(|l| l.trim_start().starts_with("target ")), "no table row for it:\n{text}");
}

#[test]
fn a_wrong_rule_of_a_free_input_still_fails_beside_a_fixed_one() {
    // pred's gradient is detached (0): wrong, and found although the target is held fixed.
    let f = func_many(|v: &[Var<'_, f64>]| (v[0].detach() * v[0] - v[1]).square().sum());
    let r = gradcheck(f, &[pred(), target()], &CheckOptions::default().with_fixed(&[1]));
    assert!(!r.passed(), "{r}");
    assert!(r.failures().iter().all(|e| e.probe.input() == Some(0)), "{r}");
}

#[test]
fn the_function_receives_a_fixed_input_as_a_constant_at_its_value() {
    let f = func_many(|v: &[Var<'_, f64>]| {
        assert!(v[0].requires_grad(), "a free input is a variable");
        assert!(!v[1].requires_grad(), "a fixed input is a constant");
        assert_eq!(v[1].value(), target(), "at its own value");
        (v[0] * v[1]).sum()
    });
    let o = CheckOptions::default().with_fixed(&[1]);
    let r = gradcheck(f, &[pred(), target()], &o);
    assert!(r.passed(), "{r}");
    let r = gradgradcheck(f, &[pred(), target()], &o);
    assert!(r.passed(), "{r}");
}

#[test]
fn gradgradcheck_holds_a_fixed_input_at_both_orders() {
    // The target's second-order rule is lost by the detach too (order 1 and 2 of the
    // target fail when it is free).
    let f = func_many(|v: &[Var<'_, f64>]| (v[0].square() * v[1].detach()).sum());
    let xs = [pred(), target()];
    let free = gradgradcheck(f, &xs, &CheckOptions::default());
    assert!(!free.passed(), "{free}");
    assert!(free.failures().iter().any(|e| e.order == 1 && e.probe.input() == Some(1)), "{free}");
    let held = gradgradcheck(f, &xs, &CheckOptions::default().with_fixed(&[1]));
    assert!(held.passed(), "{held}");
    assert!(held.entries.iter().all(|e| e.probe.input() == Some(0)));
    assert!(held.entries.iter().any(|e| e.order == 2), "H·u of pred is checked");
}

/// A cross-entropy against fixed targets, generic for gradcheck_fn: with the targets as
/// inputs, the Function needs no constant of its own in T.
struct CrossEntropy;
impl Function for CrossEntropy {
    fn eval<'t, T: Float>(&self, v: &[Var<'t, T>]) -> Var<'t, T> {
        -(v[1] * v[0].log_softmax(-1)).sum()
    }
}

#[test]
fn gradcheck_fn_holds_a_fixed_input_in_f32_and_in_f64() {
    let logits = Tensor::from([[1.5f32, -0.3, 0.2], [0.1, 2.0, -1.0]]);
    let t = Tensor::from([[0.0f32, 1.0, 0.0], [0.25, 0.25, 0.5]]);
    let o = CheckOptions::default().with_fixed(&[1]);
    let r = gradcheck_fn(&CrossEntropy, &[logits.clone(), t.clone()], &o);
    assert!(r.passed(), "{r}");
    assert!(r.entries.iter().all(|e| e.probe.input() == Some(0)));
    let r = gradgradcheck_fn(&CrossEntropy, &[logits, t], &o);
    assert!(r.passed(), "{r}");
}

#[test]
fn a_large_fixed_input_does_not_switch_the_check_to_fast_mode() {
    // 5000 fixed elements and 4 free ones: the 4 are checked element by element (fast mode
    // is for more than 4096 checked elements).
    let big = Tensor::from_fn(&[5000], |i| (i as f64).sin());
    let w = Tensor::from([0.5, -1.0, 2.0, 0.3]);
    let f = func_many(|v: &[Var<'_, f64>]| (v[1].reshape(&[1000, 5]).slice(1, 0, 4) * v[0]).tanh().sum());
    let r = gradcheck(f, &[w.clone(), big.clone()], &CheckOptions::default().with_fixed(&[1]));
    assert!(r.passed(), "{r}");
    assert_eq!(r.resolved.fast, None, "{r}");
    assert_eq!(r.entries.len(), 4);
    // Free, the 5004 elements are more than 4096: fast mode.
    let r = gradcheck(f, &[w, big], &CheckOptions::default());
    assert!(r.resolved.fast.is_some(), "{r}");
}

#[test]
fn holding_every_input_or_one_beyond_them_is_a_problem() {
    let all =
        gradcheck(detached_target_loss, &[pred(), target()], &CheckOptions::default().with_fixed(&[0, 1]));
    assert!(!all.passed(), "{all}");
    assert!(all.entries.is_empty());
    assert!(all.problems.iter().any(|p| p.contains("every input is held fixed")), "{all}");
    let beyond =
        gradcheck(detached_target_loss, &[pred(), target()], &CheckOptions::default().with_fixed(&[2]));
    assert!(!beyond.passed(), "{beyond}");
    assert!(
        beyond
            .problems
            .iter()
            .any(|p| p.contains("with_fixed holds input 2 fixed, but there are only 2 inputs")),
        "{beyond}"
    );
}

/// y = x₀ · round(x₁): an op whose second argument is an integer-valued count, with a
/// vjp of 0 for it (not differentiable there, and wrong as a derivative of round's steps'
/// values only at the steps).
struct TimesRounded {
    /// Factor on the first argument's gradient (1 is right).
    factor: f64,
}

impl CustomOp<f64> for TimesRounded {
    fn name(&self) -> &str {
        "times_rounded"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(Tensor::from_fn(x[0].shape(), |i| x[0].data()[i] * x[1].data()[i].round()))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![
            Tensor::from_fn(x[0].shape(), |i| self.factor * g.data()[i] * x[1].data()[i].round()),
            Tensor::zeros(x[1].shape()),
        ]
    }
}

#[test]
fn a_custom_op_is_checked_in_its_free_arguments_only() {
    let xs = [Tensor::from([0.3, -1.2, 2.0]), Tensor::from([2.0, 3.0, -1.0])];
    let o = CheckOptions::default().with_fixed(&[1]);
    let right = check_custom_op_at(Rc::new(TimesRounded { factor: 1.0 }), &xs, &o);
    assert!(right.passed(), "{right}");
    assert!(right.entries.iter().all(|e| e.probe.input() != Some(1)), "{right}");
    assert!(right.entries.iter().any(|e| e.probe.input().is_none()), "the dot-product identity is checked");
    // A wrong rule of the free argument fails, in its entries and in the identity.
    let wrong = check_custom_op_at(Rc::new(TimesRounded { factor: 1.5 }), &xs, &o);
    assert!(!wrong.passed(), "{wrong}");
    assert!(wrong.failures().iter().any(|e| e.probe.input() == Some(0)), "{wrong}");
    assert!(wrong.failures().iter().any(|e| e.probe.input().is_none()), "{wrong}");
}
