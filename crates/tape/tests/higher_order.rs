//! Hessians, Hessian-vector products and Jacobians from the engine against closed forms,
//! including second derivatives through custom ops that declare `vjp_graph`.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;

use wengert_tape::functional::{
    func, grad, hessian, hvp, jacfwd, jacobian, jacrev, jvp, try_grad, try_hessian, try_hvp, try_hvp_many,
    try_jacfwd, try_jacobian, try_jvp, try_jvp_many, try_vjp, value_and_grad_many, vjp,
};
use wengert_tape::gradcheck::{gradgradcheck_fn, CheckOptions, Function};
use wengert_tape::{CustomOp, Error, Float, Result, Tensor, Var};

fn close(a: &[f64], b: &[f64], tol: f64) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "element {i}: {x} vs {y}\n{a:?}\n{b:?}");
    }
}

fn sample(shape: &[usize], seed: f64) -> Tensor<f64> {
    Tensor::from_fn(shape, |i| ((i as f64 + 1.0) * 0.917 + seed).sin())
}

/// Rosenbrock (1 − x)² + 100 (y − x²)².
fn rosen<'t, T: Float>(v: Var<'t, T>) -> Var<'t, T> {
    let (x, y) = (v.slice(0, 0, 1), v.slice(0, 1, 1));
    (x.rsub(T::ONE).square() + (y - x.square()).square() * T::from_f64(100.0)).sum()
}

#[test]
fn rosenbrock_hessian() {
    for &(x, y) in &[(-1.2, 1.0), (1.0, 1.0), (0.3, -0.7)] {
        let h = hessian(rosen, &Tensor::from([x, y]));
        assert_eq!(h.shape(), &[2, 2]);
        let expected = [2.0 - 400.0 * (y - x * x) + 800.0 * x * x, -400.0 * x, -400.0 * x, 200.0];
        close(h.data(), &expected, 1e-12);
        let g = grad(rosen, &Tensor::from([x, y]));
        close(g.data(), &[-2.0 * (1.0 - x) - 400.0 * x * (y - x * x), 200.0 * (y - x * x)], 1e-12);
    }
}

#[test]
fn quadratic_form_hessian_is_a_plus_a_transpose() {
    let a = sample(&[4, 4], 0.3);
    let f = func(|x: Var<'_>| {
        let am = x.tape().constant(&a);
        x.reshape(&[1, 4]).matmul(am).matmul(x.reshape(&[4, 1])).sum()
    });
    let x = sample(&[4], 1.7);
    let h = hessian(f, &x);
    let expected: Vec<f64> = (0..16).map(|k| a.data()[k] + a.data()[(k % 4) * 4 + k / 4]).collect();
    close(h.data(), &expected, 1e-12);
    // hvp agrees with H·v without forming H.
    let v = sample(&[4], -0.4);
    let hv = hvp(f, &x, &v);
    let expected: Vec<f64> =
        (0..4).map(|i| (0..4).map(|j| h.data()[i * 4 + j] * v.data()[j]).sum()).collect();
    close(hv.data(), &expected, 1e-12);
}

#[test]
fn logistic_regression_hessian() {
    let (n, d) = (12, 3);
    let x = sample(&[n, d], 0.1);
    let y = Tensor::from_fn(&[n, 1], |i| (i % 3 == 0) as u8 as f64);
    let loss = func(|w: Var<'_>| {
        let t = w.tape();
        let z = t.constant(&x).matmul(w.reshape(&[d, 1]));
        (z.softplus() - z * t.constant(&y)).mean()
    });
    let w = Tensor::from([0.4, -0.3, 0.8]);
    let h = hessian(loss, &w);
    // Xᵀ diag(p(1 − p)) X / n with p = σ(Xw).
    let mut expected = vec![0.0; d * d];
    for r in 0..n {
        let row = &x.data()[r * d..(r + 1) * d];
        let z: f64 = row.iter().zip(w.data()).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        for i in 0..d {
            for j in 0..d {
                expected[i * d + j] += p * (1.0 - p) * row[i] * row[j] / n as f64;
            }
        }
    }
    close(h.data(), &expected, 1e-12);
}

#[test]
fn jacobian_of_a_vector_function() {
    // f(x) = [x₀x₁, sin x₂, e^x₀ + x₂²]
    let f = func(|x: Var<'_>| {
        let (a, b, c) = (x.slice(0, 0, 1), x.slice(0, 1, 1), x.slice(0, 2, 1));
        Var::concat(&[a * b, c.sin(), a.exp() + c.square()], 0)
    });
    let (x0, x1, x2) = (0.5, -1.5, 2.0);
    let j = jacobian(f, &Tensor::from([x0, x1, x2]));
    assert_eq!(j.shape(), &[3, 3]);
    let expected = [x1, x0, 0.0, 0.0, 0.0, x2.cos(), x0.exp(), 0.0, 2.0 * x2];
    close(j.data(), &expected, 1e-14);
}

#[test]
fn jacobian_of_softmax_is_diag_s_minus_s_s_transpose() {
    let x = Tensor::from([0.3, -1.0, 2.0, 0.5]);
    let j = jacobian(|v| v.softmax(0), &x);
    let m = x.data().iter().cloned().fold(f64::MIN, f64::max);
    let e: Vec<f64> = x.data().iter().map(|v| (v - m).exp()).collect();
    let s: Vec<f64> = e.iter().map(|v| v / e.iter().sum::<f64>()).collect();
    let expected: Vec<f64> =
        (0..16).map(|k| (if k / 4 == k % 4 { s[k / 4] } else { 0.0 }) - s[k / 4] * s[k % 4]).collect();
    close(j.data(), &expected, 1e-14);
    // A matrix input: the Jacobian has shape out ++ in.
    let j = jacobian(|v| v.sum_axis(0, false), &sample(&[2, 3], 0.0));
    assert_eq!(j.shape(), &[3, 2, 3]);
}

/// y = x³ with both backward rules, the recorded one differentiable again.
struct Cube;
impl CustomOp<f64> for Cube {
    fn name(&self) -> &str {
        "cube"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![Tensor::from_fn(x[0].shape(), |i| 3.0 * x[0].data()[i].powi(2) * g.data()[i])]
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

#[test]
fn grad_of_grad_through_a_custom_op() {
    let w = Tensor::from([1.0, -2.0, 0.5]);
    let f = func(|x: Var<'_>| {
        let t = x.tape();
        (t.custom(Rc::new(Cube), &[x]).unwrap() * t.constant(&w)).sum()
    });
    let x = Tensor::from([0.7, 1.1, -0.4]);
    let h = hessian(f, &x);
    let expected: Vec<f64> =
        (0..9).map(|k| if k / 3 == k % 3 { 6.0 * x.data()[k / 3] * w.data()[k / 3] } else { 0.0 }).collect();
    close(h.data(), &expected, 1e-14);
    // Third order: d/dx of hvp(…, e) = 6·w·e.
    let e = Tensor::from([1.0, 1.0, 1.0]);
    let third = grad(
        |x| {
            let t = x.tape();
            let y = (t.custom(Rc::new(Cube), &[x]).unwrap() * t.constant(&w)).sum();
            let g = y.backward_graph().wrt(x);
            let hv = (g * t.constant(&e)).sum().backward_graph().wrt(x);
            hv.sum()
        },
        &x,
    );
    close(third.data(), &[6.0, -12.0, 3.0], 1e-14);
}

#[test]
fn multi_input_hvp_and_value_and_grad() {
    // f(a, b) = Σ a·b²: ∂²f/∂a∂b = 2b, ∂²f/∂b² = 2a.
    let a = Tensor::from([1.0, 2.0]);
    let b = Tensor::from([3.0, -1.0]);
    let (va, vb) = (Tensor::from([1.0, 0.0]), Tensor::from([0.0, 1.0]));
    let hv = try_hvp_many(|x| (x[0] * x[1].square()).sum(), &[a.clone(), b.clone()], &[va, vb]).unwrap();
    close(hv[0].data(), &[0.0, -2.0], 1e-14); // 2b·vb
    close(hv[1].data(), &[6.0, 4.0], 1e-14); // 2b·va + 2a·vb
    let (v, g) = value_and_grad_many(|x| (x[0] * x[1].square()).sum(), &[a, b]).unwrap();
    assert_eq!(v, 11.0);
    close(g[0].data(), &[9.0, 1.0], 0.0);
    close(g[1].data(), &[6.0, -4.0], 0.0);
}

#[test]
fn helpers_return_errors_for_bad_arguments() {
    let x = Tensor::from([1.0, 2.0]);
    match try_hvp(|v| v.square().sum(), &x, &Tensor::from([1.0, 2.0, 3.0])) {
        Err(Error::InvalidArgument { op: "hvp", msg }) => assert!(msg.contains("[3]") && msg.contains("[2]")),
        other => panic!("{other:?}"),
    }
    assert!(matches!(try_hessian(|v| v.square(), &x), Err(Error::NotScalar { op: "hessian", .. })));
}

/// The identity with a numeric `vjp` only: first derivatives through it work, recorded
/// (second-order) ones cannot.
struct NoGraph;
impl CustomOp<f64> for NoGraph {
    fn name(&self) -> &str {
        "nograph"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> Result<Tensor<f64>> {
        Ok(x[0].clone())
    }
    fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![g.clone()]
    }
}

#[test]
fn second_order_helpers_return_an_error_for_a_custom_op_without_vjp_graph() {
    let f = func(|v: Var<'_>| v.tape().custom(Rc::new(NoGraph), &[v]).unwrap().square().sum());
    let x = Tensor::from([1.0, 2.0]);
    let no_panic = |what: &str, r: std::thread::Result<Result<Tensor<f64>>>| match r {
        Ok(Err(e)) => {
            let msg = e.to_string();
            assert!(msg.contains("nograph") && msg.contains("vjp_graph"), "{what}: {msg}");
        }
        Ok(Ok(t)) => panic!("{what}: expected an error, got {t:?}"),
        Err(_) => panic!("{what}: the fallible form panicked"),
    };
    no_panic("try_hvp", catch_unwind(AssertUnwindSafe(|| try_hvp(f, &x, &x))));
    no_panic("try_hessian", catch_unwind(AssertUnwindSafe(|| try_hessian(f, &x))));
    let r = catch_unwind(AssertUnwindSafe(|| {
        try_hvp_many(|v| f(v[0]), std::slice::from_ref(&x), std::slice::from_ref(&x)).map(|mut h| h.remove(0))
    }));
    no_panic("try_hvp_many", r);
    no_panic("try_jvp", catch_unwind(AssertUnwindSafe(|| try_jvp(|v| f(v) * 1.0, &x, &x).map(|r| r.1))));
    // First-order helpers only need `vjp`.
    close(try_grad(f, &x).unwrap().data(), &[2.0, 4.0], 0.0);
    close(try_jacobian(f, &x).unwrap().data(), &[2.0, 4.0], 0.0);
    close(try_vjp(f, &x, &Tensor::scalar(1.0)).unwrap().1.data(), &[2.0, 4.0], 0.0);
}

/// J·t and vᵀJ against the Jacobian of a function with a non-square Jacobian, and the
/// helpers' errors for directions of the wrong shape or count.
#[test]
fn jvp_and_vjp_are_products_with_the_jacobian() {
    // f: R³ → R², f = [x₀·x₁ + sin x₂, x₂²·x₀].
    let f = func(|x: Var<'_>| {
        let (a, b, c) = (x.slice(0, 0, 1), x.slice(0, 1, 1), x.slice(0, 2, 1));
        Var::concat(&[a * b + c.sin(), c.square() * a], 0)
    });
    let x = Tensor::from([0.5, -1.5, 2.0]);
    let j = jacobian(f, &x); // [2, 3]
    let t = Tensor::from([1.0, -2.0, 0.5]);
    let (y, jt) = jvp(f, &x, &t);
    assert_eq!(y.data(), f_value(&x).as_slice());
    let want: Vec<f64> = (0..2).map(|i| (0..3).map(|k| j.data()[i * 3 + k] * t.data()[k]).sum()).collect();
    close(jt.data(), &want, 1e-14);
    let v = Tensor::from([3.0, -1.0]);
    let (_, vj) = vjp(f, &x, &v);
    let want: Vec<f64> = (0..3).map(|k| (0..2).map(|i| v.data()[i] * j.data()[i * 3 + k]).sum()).collect();
    close(vj.data(), &want, 1e-14);
    // Several inputs: the tangents add up.
    let (_, d) = try_jvp_many(|v| v[0] * v[1], &[x.clone(), x.clone()], &[t.clone(), t.clone()]).unwrap();
    let want: Vec<f64> = x.data().iter().zip(t.data()).map(|(a, b)| 2.0 * a * b).collect();
    close(d.data(), &want, 1e-15);
    // Errors.
    match try_jvp(f, &x, &Tensor::from([1.0, 2.0])) {
        Err(Error::InvalidArgument { op: "jvp", msg }) => {
            assert!(msg.contains("[2]") && msg.contains("[3]"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
    match try_jvp_many(|v| v[0] * v[1], &[x.clone(), x.clone()], std::slice::from_ref(&t)) {
        Err(Error::InvalidArgument { op: "jvp", msg }) => {
            assert!(msg.contains("1 tangents for 2 inputs"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
    match try_vjp(f, &x, &Tensor::from([1.0, 2.0, 3.0])) {
        Err(Error::InvalidArgument { msg, .. }) => {
            assert!(msg.contains("[3]") && msg.contains("[2]"), "{msg}")
        }
        other => panic!("{other:?}"),
    }
}

fn f_value(x: &Tensor<f64>) -> Vec<f64> {
    let d = x.data();
    vec![d[0] * d[1] + d[2].sin(), d[2] * d[2] * d[0]]
}

#[test]
fn non_scalar_outputs_are_refused_with_advice_for_the_helper() {
    let x = Tensor::from([1.0, 2.0]);
    for (op, e) in [
        ("hvp", try_hvp(|v| v.square(), &x, &x).unwrap_err()),
        ("hessian", try_hessian(|v| v.square(), &x).unwrap_err()),
        ("grad", try_grad(|v| v.square(), &x).unwrap_err()),
    ] {
        assert!(matches!(e, Error::NotScalar { op: o, .. } if o == op), "{op}: {e:?}");
        let msg = e.to_string();
        assert!(msg.starts_with(&format!("{op}: ")), "{msg}");
        assert!(msg.contains("[2]") && msg.contains("jacobian") && msg.contains("sum()"), "{msg}");
        assert!(!msg.contains("backward_with_seed"), "{msg}");
    }
}

struct Rosen;
impl Function for Rosen {
    fn eval<'t, T: Float>(&self, x: &[Var<'t, T>]) -> Var<'t, T> {
        rosen(x[0])
    }
}

#[test]
fn second_order_check_of_rosenbrock_in_f32_and_f64() {
    let r = gradgradcheck_fn(&Rosen, &[Tensor::from([-1.2f32, 1.0])], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    let r = gradgradcheck_fn(&Rosen, &[Tensor::from([-1.2f64, 1.0])], &CheckOptions::default());
    assert!(r.passed(), "{r}");
    assert_eq!(r.entries.iter().filter(|e| e.order == 2).count(), 2);
}

/// Both ways of forming a Jacobian agree, for tall (residual-like) and wide functions,
/// a 2-d input, an output that does not depend on x, and `jacobian` takes the rows when
/// a custom op on the path has no recorded VJP.
#[test]
fn jacobians_by_rows_and_by_columns_agree() {
    // Tall: 12 residuals rᵢ = a·exp(b·tᵢ) − yᵢ of 2 parameters (Gauss-Newton's Jacobian).
    let tall = func(|p: Var<'_>| {
        let t = p.tape().constant(&Tensor::from_fn(&[12], |i| i as f64 * 0.25));
        let y = p.tape().constant(&Tensor::from_fn(&[12], |i| (i as f64).sin()));
        p.slice(0, 0, 1) * (p.slice(0, 1, 1) * t).exp() - y
    });
    let p = Tensor::from([0.7, -0.3]);
    let (r, c) = (jacrev(tall, &p), jacfwd(tall, &p));
    assert_eq!(r.shape(), &[12, 2]);
    assert_eq!(c.shape(), &[12, 2]);
    close(c.data(), r.data(), 1e-14);
    close(jacobian(tall, &p).data(), r.data(), 1e-14);
    // The closed form: ∂r/∂a = exp(b t), ∂r/∂b = a t exp(b t).
    for i in 0..12 {
        let t = i as f64 * 0.25;
        let e = (-0.3 * t).exp();
        close(&r.data()[2 * i..2 * i + 2], &[e, 0.7 * t * e], 1e-14);
    }
    // Wide, with a 2-d input and a 2-d output.
    let wide = func(|x: Var<'_>| (x.matmul(x.transpose()) * 0.5).tanh());
    let x = Tensor::new(&[2, 3], vec![0.1, -0.4, 0.3, 0.8, 0.2, -0.5]).unwrap();
    let (r, c) = (jacrev(wide, &x), jacfwd(wide, &x));
    assert_eq!(r.shape(), &[2, 2, 2, 3]);
    assert_eq!(c.shape(), r.shape());
    close(c.data(), r.data(), 1e-14);
    // An output that does not depend on x: zeros, either way.
    let flat = func(|x: Var<'_>| x.tape().constant(&Tensor::from([1.0, 2.0, 3.0])));
    let z = Tensor::from([5.0]);
    assert_eq!(jacfwd(flat, &z).data(), &[0.0; 3]);
    assert_eq!(jacrev(flat, &z).data(), &[0.0; 3]);
    // No recorded VJP on the path: jacfwd fails, jacobian falls back to the rows.
    let g = func(|v: Var<'_>| v.tape().custom(Rc::new(NoGraph), &[v]).unwrap().broadcast_to(&[4, 1]));
    let one = Tensor::from([2.0]);
    assert!(try_jacfwd(g, &one).is_err());
    assert_eq!(jacobian(g, &one).data(), &[1.0; 4]);
}
