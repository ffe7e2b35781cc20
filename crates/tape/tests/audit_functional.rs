//! The functional helpers against JAX (`jax_enable_x64`) on functions of several inputs,
//! with tensor-valued outputs and non-square Jacobians, on 0-d and empty inputs, on
//! functions that ignore an input or return a constant (zeros, as JAX gives), and their
//! errors.

use wengert_tape::functional::{
    func, func_many, grad, hessian, jacfwd, jacobian, jacrev, jvp, try_grad, try_hessian, try_hvp,
    try_hvp_many, try_jacfwd, try_jacobian, try_jacrev, try_jvp, try_jvp_many, try_vjp, try_vjp_many,
    value_and_grad_many, vjp,
};
use wengert_tape::{Error, Tape, Tensor, Var};

fn close(what: &str, got: &Tensor<f64>, shape: &[usize], want: &[f64]) {
    assert_eq!(got.shape(), shape, "{what}: shape");
    assert_eq!(got.len(), want.len(), "{what}: length");
    for (i, (a, b)) in got.data().iter().zip(want).enumerate() {
        assert!((a - b).abs() <= 1e-13 * (1.0 + b.abs()), "{what}[{i}]: {a} vs JAX {b}");
    }
}

fn zeros(what: &str, got: &Tensor<f64>, shape: &[usize]) {
    assert_eq!(got.shape(), shape, "{what}: shape");
    assert!(got.data().iter().all(|v| *v == 0.0), "{what}: {got:?}");
}

// The references, from JAX 0.10.2 with jax_enable_x64 on the same functions and inputs:
// value_and_grad / jvp-of-grad (HVP) / jvp for A, jacrev / jacfwd / jvp / vjp for B,
// hessian for C, grad∘grad∘grad(∘grad) for E.
const A_VAL: &[f64] = &[2.1861504973763597];
const A_G0: &[f64] = &[1.2221896100930434, 2.928585319909713, 2.875456350356943];
const A_G1: &[f64] = &[
    -0.1514664056263682,
    0.15146640562636815,
    0.4543992168791047,
    0.15395929744992234,
    -0.15395929744992232,
    -0.46187789234976706,
];
const A_G2: &[f64] = &[2.1085825418603354, -0.7697964872496117];
const A_HVP0: &[f64] = &[1.2150176299478272, -1.4591031087991624, 0.2319966959150533];
const A_HVP1: &[f64] = &[
    0.6891785718976962,
    -0.31051255783177567,
    0.39379337573539475,
    -0.7678381416794113,
    0.38293989805460554,
    -0.19832415852300386,
];
const A_HVP2: &[f64] = &[0.5125735280328588, -0.009791727851001575];
const A_JVP: &[f64] = &[-3.3102271355194213];
const B_JAC: &[f64] = &[
    0.06082898564067833,
    -0.056780792306894326,
    -0.04257281463142963,
    0.06414115123612465,
    0.1817509291836973,
    0.04257281463142963,
    0.18229697626419347,
    0.16137793831181327,
    0.2262372326633265,
    0.04892677502564849,
    -0.0066930678789316085,
    -0.007191416523637336,
    0.012865405082413378,
    0.06848524798699347,
    0.0071914165236373374,
    0.03656505066932826,
    0.019022515385926676,
    0.07247543658254937,
    0.17014094906296615,
    -0.0727121682398265,
    -0.09995391112982824,
    0.045544317499773404,
    0.288397434802566,
    0.09995391112982822,
    0.129442506194822,
    0.20665685214998575,
    0.46571451407062825,
    0.06009998552753786,
    -0.055823204310862726,
    -0.04164483748754421,
    0.06336518810132985,
    0.17928837793973046,
    0.0416448374875442,
    0.18009159437691125,
    0.1586563564128415,
    0.22233244577609607,
    0.049373920652853065,
    -0.006660098058546053,
    -0.007306351022621789,
    0.012753268875419882,
    0.068787287586819,
    0.007306351022621789,
    0.036246345889780485,
    0.01892881113446828,
    0.07308421324824231,
];
const B_JVP: &[f64] = &[
    0.0587793297763041,
    0.1286758755389004,
    -0.19994803888274298,
    0.03215315268116731,
    0.06053511748092549,
    -0.10764583244450791,
    0.21226612855131305,
    0.11126177129279627,
    -0.6600509228938598,
    0.057516463427994616,
    0.12768129701530698,
    -0.195962737950895,
    0.03263956431312406,
    0.06055121997928536,
    -0.1091164424171261,
];
const B_VJP: &[f64] = &[0.06901914229326415, 0.12881622807777898, 0.1849009926566882];
const C_HESS: &[f64] = &[
    -1.8666562671916174,
    0.02902356767625825,
    0.021650247538269704,
    0.015259000312539642,
    0.02902356767625825,
    1.1621697922762846,
    1.0975508459673717,
    0.012107052156979867,
    0.021650247538269704,
    1.0975508459673717,
    0.05866946013703708,
    0.009031304458540954,
    0.015259000312539643,
    0.012107052156979867,
    0.009031304458540956,
    1.8836006025460779,
];
const E_D3: &[f64] = &[21.479434719454247];
const E_D4: &[f64] = &[40.087842216364955];

// Nested: G(x) = Σ (sin x · x₁ + x² · x₀) + logsumexp(x) at [0.3, −0.7, 1.1]; the
// gradient penalty P(x) = ‖∇G(x)‖² (jax.grad of it, jax.hessian, jvp of jax.grad); ∇G's
// Jacobian (jax.hessian(G)) and its jvp along [1, 2, −1].
const PEN_GRAD: &[f64] = &[11.16866774471007, -1.8437251257870089, 8.970984072727596];
const PEN_HESS: &[f64] = &[
    39.81130328666623,
    -4.315934126703002,
    18.165842276341817,
    -4.3159341267030005,
    11.59406377908528,
    -0.9404178157843669,
    18.165842276341817,
    -0.9404178157843657,
    20.282838898169874,
];
const G_HESS: &[f64] = &[
    2.2077072219723037,
    -0.4731533152686185,
    2.0276467270848584,
    -0.4731533152686185,
    1.7706270236209094,
    0.3901908957014859,
    2.0276467270848584,
    0.3901908957014859,
    1.4596036506822379,
];
const G_HVP: &[f64] = &[-0.7662461356497916, 2.677909836271714, 1.3484248678055923];
const PEN_HVP: &[f64] = &[13.013592756918406, 19.812611247251922, -3.9978322533967874];

fn xs() -> [Tensor<f64>; 3] {
    [
        Tensor::from_fn(&[3], |i| 0.4 * i as f64 - 0.2),
        Tensor::from_fn(&[2, 3], |i| (i as f64 * 1.3).sin()),
        Tensor::from([0.25, -0.75]),
    ]
}

/// A(x, W, b) = Σ tanh(Wx + b)² + Σ eˣ sin x + logsumexp(x)·b₀: three inputs of three ranks.
fn f_a<'t>(v: &[Var<'t>]) -> Var<'t> {
    let (x, w, b) = (v[0], v[1], v[2]);
    let h = (w.matmul(x.reshape(&[3, 1])).reshape(&[2]) + b).tanh();
    h.square().sum() + (x.exp() * x.sin()).sum() + x.logsumexp(0, false) * b.slice(0, 0, 1).sum()
}

#[test]
fn several_inputs_match_jax() {
    let xs = xs();
    let (val, g) = value_and_grad_many(f_a, &xs).unwrap();
    assert!((val - A_VAL[0]).abs() < 1e-14, "{val}");
    close("∂A/∂x", &g[0], &[3], A_G0);
    close("∂A/∂W", &g[1], &[2, 3], A_G1);
    close("∂A/∂b", &g[2], &[2], A_G2);
    let ds = [
        Tensor::from([1.0, -0.5, 0.25]),
        Tensor::from_fn(&[2, 3], |i| 0.1 * i as f64 - 0.2),
        Tensor::from([-1.0, 2.0]),
    ];
    let h = try_hvp_many(f_a, &xs, &ds).unwrap();
    close("H·d x", &h[0], &[3], A_HVP0);
    close("H·d W", &h[1], &[2, 3], A_HVP1);
    close("H·d b", &h[2], &[2], A_HVP2);
    let (y, d) = try_jvp_many(f_a, &xs, &ds).unwrap();
    close("A", &y, &[], A_VAL);
    close("J·d", &d, &[], A_JVP);
}

#[test]
fn a_tensor_valued_function_with_a_non_square_jacobian_matches_jax() {
    // B(x) = softmax(Mx)·Σx ⊗ sin x: R³ → R^{5×3}, a [5, 3, 3] Jacobian.
    let x = xs()[0].clone();
    let m = Tensor::from_fn(&[5, 3], |i| (i as f64 * 0.7).cos());
    let f = func(|x: Var<'_>| {
        let s = x.tape().constant(&m).matmul(x.reshape(&[3, 1])).reshape(&[5]).softmax(0) * x.sum();
        s.reshape(&[5, 1]) * x.sin().reshape(&[1, 3])
    });
    close("jacobian", &jacobian(f, &x), &[5, 3, 3], B_JAC);
    close("jacrev", &jacrev(f, &x), &[5, 3, 3], B_JAC);
    close("jacfwd", &jacfwd(f, &x), &[5, 3, 3], B_JAC);
    let (_, d) = jvp(f, &x, &Tensor::from([0.5, 1.0, -2.0]));
    close("jvp", &d, &[5, 3], B_JVP);
    let (_, g) = vjp(f, &x, &Tensor::from_fn(&[5, 3], |i| i as f64 * 0.1 - 0.6));
    close("vjp", &g, &[3], B_VJP);
}

#[test]
fn the_hessian_of_a_matrix_input_and_nested_derivatives_match_jax() {
    // C(X) = Σ ln(1 + X²) ⊙ Xᵀ + Π σ(X), X of shape [2, 2]: H of shape [2, 2, 2, 2].
    let x = Tensor::from_fn(&[2, 2], |i| 0.5 * i as f64 - 0.4);
    let c = func(|x: Var<'_>| ((x.square() + 1.0).ln() * x.transpose()).sum() + x.sigmoid().ln().sum().exp());
    close("hessian", &hessian(c, &x), &[2, 2, 2, 2], C_HESS);
    // The third and fourth derivatives of sin x · x⁴ at 0.7, by recording each sweep.
    let tape = Tape::new();
    let x = tape.var(&Tensor::scalar(0.7));
    let y = x.sin() * x.powf(4.0);
    let d3 = y.backward_graph().wrt(x).backward_graph().wrt(x).backward_graph().wrt(x);
    close("third derivative", &d3.value(), &[], E_D3);
    close("fourth derivative", &d3.backward().wrt(x), &[], E_D4);
}

/// JAX gives zeros, not errors, for inputs a function ignores, for functions that return
/// a constant, and for second derivatives of linear functions; so do the helpers.
#[test]
fn ignored_inputs_and_constant_functions_give_zeros() {
    let x = Tensor::from([1.0, 2.0]);
    let s = Tensor::scalar(3.0);
    let konst = func(|v: Var<'_>| v.tape().constant(&Tensor::from([1.0, 2.0, 3.0])));
    zeros("grad of a constant", &try_grad(|v| v.tape().scalar_constant(5.0), &x).unwrap(), &[2]);
    zeros("hessian of a constant", &try_hessian(|v| v.tape().scalar_constant(5.0), &x).unwrap(), &[2, 2]);
    zeros("hessian of a linear f", &try_hessian(|v| v.sum() * 3.0, &x).unwrap(), &[2, 2]);
    zeros("hvp of a linear f", &try_hvp(|v| v.sum(), &x, &x).unwrap(), &[2]);
    zeros("jacobian of a constant", &try_jacobian(konst, &x).unwrap(), &[3, 2]);
    zeros("jacrev of a constant", &try_jacrev(konst, &x).unwrap(), &[3, 2]);
    zeros("jacfwd of a constant", &try_jacfwd(konst, &x).unwrap(), &[3, 2]);
    let (y, d) = try_jvp(konst, &x, &x).unwrap();
    assert_eq!(y.data(), &[1.0, 2.0, 3.0]);
    zeros("jvp of a constant", &d, &[3]);
    zeros("vjp of a constant", &try_vjp(konst, &x, &Tensor::from([1.0, 1.0, 1.0])).unwrap().1, &[2]);
    close("hessian of the identity", &try_hessian(|v| v, &s).unwrap(), &[], &[0.0]);
    close("jacfwd of the identity", &try_jacfwd(|v| v, &x).unwrap(), &[2, 2], &[1.0, 0.0, 0.0, 1.0]);
    // Several inputs, one ignored: its gradient is zeros of its shape.
    let ignore = func_many(|v: &[Var<'_>]| v[0].square().sum());
    let (_, g) = value_and_grad_many(ignore, &[x.clone(), s.clone()]).unwrap();
    close("used input", &g[0], &[2], &[2.0, 4.0]);
    zeros("ignored input", &g[1], &[]);
    let h = try_hvp_many(ignore, &[x.clone(), s.clone()], &[x.clone(), s.clone()]).unwrap();
    close("hvp, used input", &h[0], &[2], &[2.0, 4.0]);
    zeros("hvp, ignored input", &h[1], &[]);
    let (_, d) = try_jvp_many(|v| v[0].square(), &[x.clone(), s.clone()], &[x.clone(), s.clone()]).unwrap();
    close("jvp with an ignored input", &d, &[2], &[2.0, 8.0]);
    let (_, g) = try_vjp_many(|v| v[0].square(), &[x.clone(), s.clone()], &x).unwrap();
    zeros("vjp, ignored input", &g[1], &[]);
    // A detached use contributes nothing, as jax.lax.stop_gradient.
    zeros("grad through detach", &try_grad(|v| v.detach().square().sum(), &x).unwrap(), &[2]);
}

/// 0-d inputs and outputs give 0-d results; empty inputs or outputs give empty results of
/// the right shape (JAX: jacobian of R⁰ → R¹ is [1, 0]).
#[test]
fn zero_dimensional_and_empty_shapes() {
    let s = Tensor::scalar(0.7);
    let cube = func(|x: Var<'_>| x.sin() * x.powf(3.0));
    let d = 0.7f64.cos() * 0.343 + 3.0 * 0.49 * 0.7f64.sin();
    close("jacobian, 0-d", &jacobian(cube, &s), &[], &[d]);
    close("grad, 0-d", &grad(cube, &s), &[], &[d]);
    let pair = func(|x: Var<'_>| Var::concat(&[x.reshape(&[1]), x.reshape(&[1]).sin()], 0));
    close("jacobian, 0-d in, [2] out", &jacobian(pair, &s), &[2], &[1.0, 0.7f64.cos()]);
    let e = Tensor::<f64>::zeros(&[0]);
    let x = Tensor::from([1.0, 2.0]);
    assert_eq!(try_grad(|v| v.square().sum(), &e).unwrap().shape(), &[0]);
    assert_eq!(try_hessian(|v| v.square().sum(), &e).unwrap().shape(), &[0, 0]);
    assert_eq!(try_hvp(|v| v.square().sum(), &e, &e).unwrap().shape(), &[0]);
    assert_eq!(try_jacobian(|v| v.sum().reshape(&[1]), &e).unwrap().shape(), &[1, 0]);
    assert_eq!(try_jacobian(|v| v.slice(0, 0, 0), &x).unwrap().shape(), &[0, 2]);
    assert_eq!(try_jacfwd(|v| v.slice(0, 0, 0), &x).unwrap().shape(), &[0, 2]);
    assert_eq!(try_jacrev(|v| v.square(), &e).unwrap().shape(), &[0, 0]);
    assert_eq!(try_jacfwd(|v| v.square(), &e).unwrap().shape(), &[0, 0]);
    let (y, d) = try_jvp(|v| v.square(), &e, &e).unwrap();
    assert_eq!((y.shape(), d.shape()), (&[0][..], &[0][..]));
}

/// A cotangent of the wrong shape is an error of `vjp`, naming both shapes and the output
/// node, not of the internal `backward_with_seed` the user never called.
#[test]
fn a_cotangent_of_the_wrong_shape_is_an_error_of_vjp() {
    let x = Tensor::from([1.0, 2.0]);
    let v = Tensor::from([1.0, 2.0, 3.0]);
    for e in [
        try_vjp(|x| x.square(), &x, &v).unwrap_err(),
        try_vjp_many(|x| x[0] * x[1], &[x.clone(), x.clone()], &v).map(|r| r.0).unwrap_err(),
    ] {
        let msg = e.to_string();
        assert!(matches!(e, Error::InvalidArgument { op: "vjp", .. }), "{e:?}");
        assert!(msg.starts_with("vjp: "), "{msg}");
        assert!(msg.contains("[3]") && msg.contains("[2]") && msg.contains("output v"), "{msg}");
        assert!(!msg.contains("backward_with_seed"), "{msg}");
    }
}

/// Helpers of functions that differentiate inside (`backward_graph` in the closure): the
/// gradient and Hessian of a gradient penalty are third and fourth derivatives of G, and
/// the Jacobian of ∇G, by rows, by columns or either, is G's Hessian.
#[test]
fn helpers_of_functions_that_differentiate_inside_match_jax() {
    fn g<'t>(x: Var<'t>) -> Var<'t> {
        (x.sin() * x.slice(0, 1, 1).sum() + x.square() * x.slice(0, 0, 1).sum()).sum() + x.logsumexp(0, false)
    }
    let x = Tensor::from([0.3, -0.7, 1.1]);
    let t = Tensor::from([1.0, 2.0, -1.0]);
    let grad_g = func(|x: Var<'_>| g(x).backward_graph().wrt(x));
    let penalty = func(|x: Var<'_>| grad_g(x).square().sum());
    close("∇P", &grad(penalty, &x), &[3], PEN_GRAD);
    close("∇²P", &hessian(penalty, &x), &[3, 3], PEN_HESS);
    close("∇²P·t", &wengert_tape::functional::hvp(penalty, &x, &t), &[3], PEN_HVP);
    close("jacrev(∇G)", &jacrev(grad_g, &x), &[3, 3], G_HESS);
    close("jacfwd(∇G)", &jacfwd(grad_g, &x), &[3, 3], G_HESS);
    close("jacobian(∇G)", &jacobian(grad_g, &x), &[3, 3], G_HESS);
    close("jvp(∇G)", &jvp(grad_g, &x, &t).1, &[3], G_HVP);
}

/// The identity with a numeric `vjp` only.
struct NoGraph;
impl wengert_tape::CustomOp<f64> for NoGraph {
    fn name(&self) -> &str {
        "nograph"
    }
    fn forward(&self, x: &[&Tensor<f64>]) -> wengert_tape::Result<Tensor<f64>> {
        Ok(x[0].clone())
    }
    fn vjp(&self, _x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
        vec![g.clone()]
    }
}

/// `jvp` and `jacfwd` are first-order, but they differentiate the recorded reverse sweep:
/// through a custom op without `vjp_graph` their error names the helper and the custom op
/// and points to the first-order helper that works (`jacrev`), instead of saying the
/// op "cannot be differentiated twice" and advising `backward()`.
#[test]
fn jvp_and_jacfwd_through_a_custom_op_without_vjp_graph_say_what_works() {
    let f = func(|v: Var<'_>| v.tape().custom(std::rc::Rc::new(NoGraph), &[v]).unwrap().square());
    let x = Tensor::from([1.0, 2.0]);
    for (helper, alternative, e) in [
        ("jvp", "jacrev", try_jvp(f, &x, &x).map(|r| r.1).unwrap_err()),
        (
            "jvp",
            "vjp",
            try_jvp_many(|v| f(v[0]), std::slice::from_ref(&x), std::slice::from_ref(&x))
                .map(|r| r.1)
                .unwrap_err(),
        ),
        ("jacfwd", "jacrev", try_jacfwd(f, &x).unwrap_err()),
    ] {
        let msg = e.to_string();
        assert!(msg.starts_with(&format!("{helper}: ")), "{msg}");
        assert!(msg.contains("nograph (v1)") && msg.contains("vjp_graph"), "{msg}");
        assert!(msg.contains(alternative) && !msg.contains("use backward()"), "{msg}");
    }
    // jacobian falls back to rows and needs no vjp_graph.
    close("jacobian", &try_jacobian(f, &x).unwrap(), &[2, 2], &[2.0, 0.0, 0.0, 4.0]);
}
