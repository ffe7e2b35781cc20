//! The two backward passes agree, op by op, and the recorded one is right to second order.
//!
//! * `agree::*`: the numeric backward (`backward`) and the recorded backward
//!   (`backward_graph`, then the value of each gradient variable) give the same gradients
//!   to rounding (1e-12 relative) on random inputs.
//! * `second_order::*`: the gradient of ⟨∇loss(x), v⟩, computed by differentiating the
//!   recorded gradient, matches central finite differences of the numeric first gradient.
//!   Ops with kinks (relu, abs, clamp, maximum, max, ...) are checked away from the kinks,
//!   where their second derivative is 0.
//!
//! * `seeded::*`: vector-Jacobian products with a seed that depends on the inputs,
//!   s(x) = tanh(y(x)/2) for the op's output y: `backward_with_seed` agrees with
//!   `backward_graph_with_seed`, and differentiating ⟨Jᵀs, v⟩ again matches finite
//!   differences (the seed's own dependence on x must be followed).
//!
//! * `jvp::*`: the Jacobian-vector product of `functional::try_jvp_many` (the recorded
//!   sweep differentiated with respect to its seed) matches central differences of the
//!   op's output along a direction, and is the dual of `try_vjp_many`'s product:
//!   ⟨v, J·t⟩ = ⟨Jᵀv, t⟩.
//!
//! All run over every case of `common::catalog` (the same cases as `ops_fd.rs`).

mod common;

use std::collections::BTreeSet;
use std::rc::Rc;

use common::{
    assert_close, catalog, check_agree, check_second_order, direction, fd_grads, run, Build, Case, Inputs,
    Params, AGREE_TOL, FD_TOL,
};
use proptest::test_runner::TestCaseError;
use wengert_tape::Tape;
use wengert_tape::{CustomOp, Result, Tensor, Var};

macro_rules! per_case {
    ($($name:ident),* $(,)?) => {
        mod agree {
            $(
                #[test]
                fn $name() {
                    super::run(stringify!($name), super::check_agree);
                }
            )*
        }
        mod second_order {
            $(
                #[test]
                fn $name() {
                    super::run(stringify!($name), super::check_second_order);
                }
            )*
        }
        mod jvp {
            $(
                #[test]
                fn $name() {
                    super::run(stringify!($name), super::check_jvp);
                }
            )*
        }
        mod seeded {
            $(
                #[test]
                fn $name() {
                    super::run(stringify!($name), super::check_seeded);
                }
            )*
        }
        /// The names of the cases that have tests here.
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

per_case! {
    neg, exp, ln, log1p, sqrt, sin, cos, tanh, sigmoid, softplus, relu, abs, square, log_sigmoid, silu, gelu_tanh, erf, gelu, leaky_relu, elu, erfc, expm1, sinh, cosh, atan, asin, acos, lgamma, digamma, polygamma, gamma_negative, powf, powf_int, clamp,
    add_const, const_add, sub_const, const_sub, rsub, mul_const, const_mul, div_const, const_div, rdiv,
    add, add_var, sub, sub_var, mul, mul_var, div, div_var, pow, atan2, xlogy, maximum, minimum, masked, masked_raw, select, select_gt, select_le,
    sum, mean, sum_axis, mean_axis, max, max_axis, min, min_axis, var, var_axis, var_axis_unbiased, std_axis, norm, norm_axis, sum_to, logsumexp, logsumexp_ties, log_softmax, softmax,
    softmax_ties, log_softmax_large,
    reshape, transpose, permute, broadcast_to, slice, pad, concat, index_select, gather, scatter_rows, unfold, unfold_neg_inf, fold, unfold_reuse,
    matmul_2d, matmul_1d, matmul_3d, matmul_3d_bcast, matmul_nd, matmul_3d_2d, matmul_2d_3d, matmul_add, matmul_add_3d, matmul_add_reuse,
    fanout, fanout_binary, mlp, attention, reuse_layout, views, deep_chain, random_dag,
}

#[test]
fn every_catalog_case_has_tests() {
    let tested: BTreeSet<&str> = TESTED.iter().copied().collect();
    let all: BTreeSet<&str> = catalog().iter().map(|c| c.name).collect();
    let missing: Vec<_> = all.difference(&tested).collect();
    assert!(missing.is_empty(), "catalog cases without tests: {missing:?}");
}

// ---- VJPs with a seed that depends on the inputs ----

/// Jᵀs with s = tanh(y/2) taken as a fixed tensor, by the numeric backward.
fn seeded_vjp(build: Build, xs: &[Tensor], p: &Params) -> Vec<Tensor> {
    let t = Tape::new();
    let vars: Vec<Var> = xs.iter().map(|x| t.var(x)).collect();
    let y = build(&vars, p);
    let seed = y.value().map(|v| (0.5 * v).tanh());
    let g = y.backward_with_seed(&seed);
    vars.iter().map(|&v| g.wrt(v)).collect()
}

/// Σ_k ⟨(Jᵀs)_k, v_k⟩ by the numeric backward.
fn seeded_dot_v(build: Build, xs: &[Tensor], p: &Params) -> f64 {
    seeded_vjp(build, xs, p)
        .iter()
        .enumerate()
        .map(|(k, g)| g.data().iter().zip(direction(g, k).data()).map(|(a, b)| a * b).sum::<f64>())
        .sum()
}

fn check_seeded(case: &Case, inp: &Inputs) -> Result<(), TestCaseError> {
    let (build, p) = (case.build, &inp.p);
    let t = Tape::new();
    let vars: Vec<Var> = inp.xs.iter().map(|x| t.var(x)).collect();
    let y = build(&vars, p);
    let seed = (y * 0.5).tanh();
    let gv = y.backward_graph_with_seed(seed);
    let numeric = seeded_vjp(build, &inp.xs, p);
    let mut h = t.scalar_constant(0.0);
    for (k, (&v, x)) in vars.iter().zip(&inp.xs).enumerate() {
        let g = gv.wrt(v);
        assert_close(
            &format!("{}: seeded VJP of x{k}", case.name),
            g.value().data(),
            numeric[k].data(),
            AGREE_TOL,
        )?;
        h += (g * t.constant(&direction(x, k))).sum();
    }
    let hg = h.backward();
    let fd = fd_grads(&inp.xs, |xs| seeded_dot_v(build, xs, p));
    for (k, (&v, n)) in vars.iter().zip(&fd).enumerate() {
        assert_close(&format!("{}: d<J^T s(x), v> / d x{k}", case.name), &hg[v], n.data(), case.tol)?;
    }
    Ok(())
}

// ---- the checks can fail ----

/// y = x³ with a numeric VJP that is right, and a recorded VJP chosen by `mode`:
/// 0 right, 1 off by 1 % (disagrees with the numeric one), 2 right values but built on a
/// detached x (so its own derivative, the second order, is wrong).
struct Cube {
    mode: u8,
}

impl CustomOp<f64> for Cube {
    fn name(&self) -> &str {
        "cube"
    }
    fn forward(&self, x: &[&Tensor]) -> Result<Tensor> {
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor], _y: &Tensor, g: &Tensor) -> Vec<Tensor> {
        vec![Tensor::from_fn(x[0].shape(), |i| 3.0 * x[0].data()[i].powi(2) * g.data()[i])]
    }
    fn vjp_graph<'t>(&self, x: &[Var<'t>], _y: Var<'t>, g: Var<'t>) -> Option<Vec<Var<'t>>> {
        let d = match self.mode {
            0 => x[0].square() * 3.0 * g,
            1 => x[0].square() * 3.03 * g,
            _ => x[0].detach().square() * 3.0 * g,
        };
        Some(vec![d])
    }
}

fn cube_case(name: &'static str, build: common::Build) -> (Case, Inputs) {
    let case = Case { name, gens: vec![], build, tol: FD_TOL };
    let x = Tensor::new(&[2, 2], vec![0.5, -1.25, 2.0, 0.75]).unwrap();
    (case, Inputs { xs: vec![x], p: Params::default() })
}

#[test]
fn agreement_check_detects_a_disagreeing_vjp() {
    let (ok, inp) = cube_case("cube", |v, _| v[0].tape().custom(Rc::new(Cube { mode: 0 }), v).unwrap());
    check_agree(&ok, &inp).unwrap();
    let (bad, inp) = cube_case("cube_off", |v, _| v[0].tape().custom(Rc::new(Cube { mode: 1 }), v).unwrap());
    assert!(check_agree(&bad, &inp).is_err());
}

#[test]
fn second_order_check_detects_a_wrong_second_derivative() {
    let (ok, inp) = cube_case("cube", |v, _| v[0].tape().custom(Rc::new(Cube { mode: 0 }), v).unwrap());
    check_second_order(&ok, &inp).unwrap();
    let (bad, inp) =
        cube_case("cube_detached", |v, _| v[0].tape().custom(Rc::new(Cube { mode: 2 }), v).unwrap());
    check_agree(&bad, &inp).unwrap(); // first order is right...
    assert!(check_second_order(&bad, &inp).is_err()); // ...the second is not
}

// ---- explicit second-order values ----

#[test]
fn hessian_of_a_scalar_function() {
    // f(x, y) = x²y + sin(x)·y³; ∂²f/∂x² = 2y − sin(x)·y³, ∂²f/∂x∂y = 2x + 3cos(x)·y².
    let t = wengert_tape::Tape::new();
    let (x0, y0): (f64, f64) = (0.7, -1.3);
    let x = t.scalar(x0);
    let y = t.scalar(y0);
    let f = x * x * y + x.sin() * y * y * y;
    let gx = f.backward_graph().wrt(x);
    let h = gx.backward();
    let tol = 1e-14;
    assert!((h.scalar(x) - (2.0 * y0 - x0.sin() * y0.powi(3))).abs() < tol);
    assert!((h.scalar(y) - (2.0 * x0 + 3.0 * x0.cos() * y0 * y0)).abs() < tol);
}

#[test]
fn third_derivative_through_two_recorded_passes() {
    // d³/dx³ of x⁴·eˣ at x: eˣ(x⁴ + 12x³ + 36x² + 24x).
    let t = wengert_tape::Tape::new();
    let x0: f64 = 0.6;
    let x = t.scalar(x0);
    let f = x.powf(4.0) * x.exp();
    let d1 = f.backward_graph().wrt(x);
    let d2 = d1.backward_graph().wrt(x);
    let d3 = d2.backward().scalar(x);
    let want = x0.exp() * (x0.powi(4) + 12.0 * x0.powi(3) + 36.0 * x0 * x0 + 24.0 * x0);
    assert!((d3 - want).abs() < 1e-12 * want.abs(), "{d3} vs {want}");
}

// ---- Jacobian-vector products (forward derivatives through the reverse sweep) ----

/// The op's output at `xs + h·ts`, with the inputs as constants.
fn output_at(build: Build, xs: &[Tensor], ts: &[Tensor], h: f64, p: &Params) -> Tensor {
    let t = Tape::new();
    let vars: Vec<Var> = xs
        .iter()
        .zip(ts)
        .map(|(x, d)| {
            t.constant(
                &Tensor::new(x.shape(), x.data().iter().zip(d.data()).map(|(a, b)| a + h * b).collect())
                    .unwrap(),
            )
        })
        .collect();
    build(&vars, p).value()
}

fn check_jvp(case: &Case, inp: &Inputs) -> Result<(), TestCaseError> {
    let (build, p, xs) = (case.build, &inp.p, &inp.xs);
    let ts: Vec<Tensor> = xs.iter().enumerate().map(|(k, x)| direction(x, k)).collect();
    let (y, jt) = wengert_tape::functional::try_jvp_many(|v| build(v, p), xs, &ts)
        .map_err(|e| TestCaseError::fail(format!("{}: jvp failed: {e}", case.name)))?;
    proptest::prop_assert_eq!(jt.shape(), y.shape(), "{}: jvp shape", case.name);
    let h = 1e-6;
    let (up, down) = (output_at(build, xs, &ts, h, p), output_at(build, xs, &ts, -h, p));
    let fd: Vec<f64> = up.data().iter().zip(down.data()).map(|(a, b)| (a - b) / (2.0 * h)).collect();
    assert_close(&format!("{}: J·t", case.name), jt.data(), &fd, case.tol)?;
    // Duality with the vector-Jacobian product: ⟨v, J·t⟩ = ⟨Jᵀv, t⟩.
    let v = common::weights(y.shape(), 7);
    let (_, jv) = wengert_tape::functional::try_vjp_many(|x| build(x, p), xs, &v)
        .map_err(|e| TestCaseError::fail(format!("{}: vjp failed: {e}", case.name)))?;
    let lhs: f64 = v.data().iter().zip(jt.data()).map(|(a, b)| a * b).sum();
    let rhs: f64 =
        jv.iter().zip(&ts).map(|(g, t)| g.data().iter().zip(t.data()).map(|(a, b)| a * b).sum::<f64>()).sum();
    assert_close(
        &format!("{}: <v, J t> vs <J^T v, t>", case.name),
        &[lhs],
        &[rhs],
        common::Tol { atol: 1e-10, rtol: 1e-10 },
    )?;
    Ok(())
}
