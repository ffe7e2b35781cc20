//! A user-written loss, verified by the gradient checker two ways.
//!
//! The Huber loss with threshold δ, averaged over n residuals r = prediction − target:
//!
//! ```text
//! huber(r) = ½r²            if |r| ≤ δ
//!          = δ(|r| − ½δ)    otherwise        d/dr = clamp(r, −δ, δ)
//! ```
//!
//! 1. composed from tape ops (no derivative code: the engine differentiates it);
//! 2. as a custom op with a hand-written backward (and a recorded one for second order).
//!
//! Both are checked: the composed loss with `gradcheck` (f64) and `gradcheck_fn` (f32
//! gradient against f64 differences), the custom op with `check_custom_op` (VJP against
//! finite differences, dot-product identity, gradient shapes, second order) and inside a
//! model with `gradcheck`. A deliberately wrong backward is shown for contrast. The
//! program exits with status 1 if any verdict is not the expected one.
//!
//! Run with `cargo run --example custom_loss`.

use std::rc::Rc;

use wengert::tape::functional::func_many;
use wengert::tape::gradcheck::{
    check_custom_op, gradcheck, gradcheck_fn, CheckOptions, CheckReport, Function,
};
use wengert::tape::{CustomOp, Float, Result, Tensor, Var};

const DELTA: f64 = 1.0;

/// Huber loss composed from tape ops: with q = min(|r|, δ), huber = ½q² + δ(|r| − q).
fn huber<'t, T: Float>(pred: Var<'t, T>, target: Var<'t, T>) -> Var<'t, T> {
    let d = T::from_f64(DELTA);
    let a = (pred - target).abs();
    // |r| ≥ 0, so the lower bound −1 is never reached: this is min(|r|, δ).
    let q = a.clamp(-T::ONE, d);
    (q.square() * T::from_f64(0.5) + (a - q) * d).mean()
}

/// The composed loss as a [`Function`], so `gradcheck_fn` can run it in f32 and f64.
struct ComposedHuber;
impl Function for ComposedHuber {
    fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T> {
        huber(x[0], x[1])
    }
}

/// The same loss as a custom op on (prediction, target) → scalar, with its backward
/// written by hand: p̄ = ȳ·clamp(r, −δ, δ)/n, t̄ = −p̄.
struct HuberOp {
    delta: f64,
    /// Scales the prediction's gradient: 1 for the correct op, else a bug for contrast.
    bug: f64,
}

impl CustomOp<f64> for HuberOp {
    fn name(&self) -> &str {
        if self.bug == 1.0 {
            "huber"
        } else {
            "huber_wrong"
        }
    }

    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        if x.len() != 2 || x[0].shape() != x[1].shape() {
            return Err(wengert::tape::Error::InvalidArgument {
                op: "huber",
                msg: format!("needs prediction and target of one shape, got {} inputs", x.len()),
            });
        }
        let d = self.delta;
        let n = x[0].len() as f64;
        let s: f64 = x[0]
            .data()
            .iter()
            .zip(x[1].data())
            .map(|(p, t)| {
                let a = (p - t).abs();
                if a <= d {
                    0.5 * a * a
                } else {
                    d * (a - 0.5 * d)
                }
            })
            .sum();
        Ok(Tensor::scalar(s / n))
    }

    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        let n = x[0].len() as f64;
        let g = g.item();
        let dp = Tensor::from_fn(x[0].shape(), |i| {
            let r = x[0].data()[i] - x[1].data()[i];
            self.bug * g * r.clamp(-self.delta, self.delta) / n
        });
        let dt = Tensor::from_fn(x[1].shape(), |i| {
            let r = x[0].data()[i] - x[1].data()[i];
            -g * r.clamp(-self.delta, self.delta) / n
        });
        vec![dp, dt]
    }

    fn vjp_graph<'t>(
        &self,
        x: &[Var<'t, f64>],
        _y: Var<'t, f64>,
        g: Var<'t, f64>,
    ) -> Option<Vec<Var<'t, f64>>> {
        let n = x[0].len() as f64;
        let r = (x[0] - x[1]).clamp(-self.delta, self.delta) / n;
        let gp = g.broadcast_to(&x[0].shape()) * r;
        Some(vec![gp * self.bug, -gp])
    }
}

fn data() -> (Tensor<f64>, Tensor<f64>, Tensor<f64>) {
    // 8 points, 3 features; residuals spread over both branches of the loss.
    let x = Tensor::from_fn(&[8, 3], |i| ((i as f64) * 0.77 + 0.3).sin() * 2.0);
    let w = Tensor::from([0.8, -1.1, 0.4]);
    let y = Tensor::from_fn(&[8], |i| ((i as f64) * 1.3).cos() * 2.5);
    (x, w, y)
}

fn report(label: &str, r: &CheckReport, expect_pass: bool, ok: &mut bool) {
    println!("── {label}");
    println!("{r}");
    if r.passed() != expect_pass {
        println!("!! expected the check to {}", if expect_pass { "pass" } else { "fail" });
        *ok = false;
    }
}

fn main() {
    let (x, w, y) = data();
    let opts = CheckOptions::default().with_names(&["pred", "target"]);
    let mut ok = true;

    // Predictions of a linear model, as plain values for the loss-only checks.
    let pred = Tensor::from_fn(&[8], |r| (0..3).map(|j| x.data()[r * 3 + j] * w.data()[j]).sum());

    // 1. The composed loss, in f64, then with an f32 gradient against f64 differences.
    let r = gradcheck(|v| huber(v[0], v[1]), &[pred.clone(), y.clone()], &opts);
    report("composed Huber loss, f64", &r, true, &mut ok);
    let r = gradcheck_fn(&ComposedHuber, &[pred.cast::<f32>(), y.cast::<f32>()], &opts);
    report("composed Huber loss, f32 gradient vs f64 differences", &r, true, &mut ok);

    // 2. The custom op alone: random inputs of the given shapes, spread over both branches.
    let op: Rc<dyn CustomOp<f64>> = Rc::new(HuberOp { delta: DELTA, bug: 1.0 });
    let r = check_custom_op(op.clone(), &[&[8], &[8]], &opts.clone().with_input_range(-2.0, 2.0));
    report("custom op, alone", &r, true, &mut ok);

    // 3. The custom op inside a model: loss(w) = huber_op(X·w, y), checked against w.
    let model = |op: Rc<dyn CustomOp<f64>>| {
        let (x, y) = (x.clone(), y.clone());
        func_many(move |v: &[Var<'_>]| {
            let t = v[0].tape();
            let pred = t.constant(&x).matmul(v[0].reshape(&[3, 1])).reshape(&[8]);
            t.custom(op.clone(), &[pred, t.constant(&y)]).expect("shapes match")
        })
    };
    let r =
        gradcheck(model(op.clone()), std::slice::from_ref(&w), &CheckOptions::default().with_names(&["w"]));
    report("custom op inside a linear model, gradient in w", &r, true, &mut ok);

    // Both implementations agree on value and gradient.
    let tape = wengert::tape::Tape::new();
    let (p, t) = (tape.var(&pred), tape.var(&y));
    let (a, b) = (huber(p, t), tape.custom(op.clone(), &[p, t]).expect("shapes match"));
    let (ga, gb) = (a.backward(), b.backward());
    let gap = ga[p].iter().zip(&gb[p]).map(|(u, v)| (u - v).abs()).fold(0.0, f64::max);
    println!(
        "── composed vs custom op: loss {:.12} vs {:.12}, max gradient difference {gap:.1e}\n",
        a.item(),
        b.item()
    );
    if (a.item() - b.item()).abs() > 1e-12 || gap > 1e-12 {
        ok = false;
    }

    // 4. For contrast: a backward off by 2% in the prediction's gradient is caught, and
    //    localisation names the op and the argument.
    let wrong: Rc<dyn CustomOp<f64>> = Rc::new(HuberOp { delta: DELTA, bug: 1.02 });
    let r = check_custom_op(wrong.clone(), &[&[8], &[8]], &opts.clone().with_input_range(-2.0, 2.0));
    report("deliberately wrong custom op (expected to FAIL)", &r, false, &mut ok);
    let r = gradcheck(model(wrong), std::slice::from_ref(&w), &CheckOptions::default().with_names(&["w"]));
    report("deliberately wrong custom op inside the model (expected to FAIL)", &r, false, &mut ok);

    // 5. A residual exactly at the threshold δ, where the composed form goes through
    //    clamp's bound (derivative 0 there by convention). The checker lists the site;
    //    the entries still pass, because Huber is continuously differentiable at δ:
    //    the clamp's missing slope is made up by the linear branch.
    let mut at_bound = pred.clone();
    at_bound.data_mut()[2] = y.data()[2] + DELTA;
    let r = gradcheck(|v| huber(v[0], v[1]), &[at_bound, y.clone()], &opts);
    report("composed loss with a residual exactly at δ", &r, true, &mut ok);
    if !r.kink_sites.iter().any(|k| k.op == "clamp") {
        println!("!! expected the clamp bound to be listed");
        ok = false;
    }

    // 6. A genuine kink: relu(r) at r = 0 has slope 0 by convention but ½ by central
    //    differences. The entry is marked as a kink instead of failing.
    let mut at_zero = pred.clone();
    at_zero.data_mut()[5] = y.data()[5];
    let r = gradcheck(|v| (v[0] - v[1]).relu().mean(), &[at_zero, y.clone()], &opts);
    report("hinge-style loss relu(pred − target) with one residual exactly 0", &r, true, &mut ok);
    if r.kinks().len() != 2 {
        println!("!! expected pred[5] and target[5] to be marked as kinks");
        ok = false;
    }

    if ok {
        println!("all checks gave the expected verdict");
    } else {
        println!("some check did not give the expected verdict");
        std::process::exit(1);
    }
}
