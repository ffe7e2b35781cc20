//! Every differentiable op against central finite differences, on random inputs and random
//! shapes (including numpy broadcasting), as the scalar loss Σ op(x) ⊙ w.
//!
//! The cases (input domains, shapes, parameters) live in `common::catalog`; this file has
//! one test per case, plus checks that the catalog covers every primitive op.

mod common;

use std::collections::BTreeSet;

use common::{catalog, check_fd, run, samples, FD_TOL, FIXED_PAIRS};
use wengert_tape::{Tape, Var};

macro_rules! fd_tests {
    ($($name:ident),* $(,)?) => {
        $(
            #[test]
            fn $name() {
                run(stringify!($name), check_fd);
            }
        )*
        /// The names of the cases that have a test here.
        const TESTED: &[&str] = &[$(stringify!($name)),*];
    };
}

fd_tests! {
    // elementwise unary
    neg, exp, ln, log1p, sqrt, sin, cos, tanh, sigmoid, softplus, relu, abs, square, log_sigmoid, silu, gelu_tanh, erf, gelu, leaky_relu, elu, erfc, expm1, sinh, cosh, atan, asin, acos, lgamma, digamma, polygamma, gamma_negative, powf, powf_int, clamp,
    // constant forms: x + c, x − c, c − x, x·c, x / c, c / x
    add_const, const_add, sub_const, const_sub, rsub, mul_const, const_mul, div_const, const_div, rdiv,
    // binary with broadcasting
    add, add_var, sub, sub_var, mul, mul_var, div, div_var, pow, atan2, xlogy, maximum, minimum, masked, masked_raw, select, select_gt, select_le,
    // reductions
    sum, mean, sum_axis, mean_axis, max, max_axis, min, min_axis, var, var_axis, var_axis_unbiased, std_axis, norm, norm_axis, sum_to, logsumexp, logsumexp_ties, log_softmax, softmax,
    softmax_ties, log_softmax_large,
    // layout
    reshape, transpose, permute, broadcast_to, slice, pad, concat, index_select, gather, scatter_rows, unfold, unfold_neg_inf, fold, unfold_reuse,
    // matmul
    matmul_2d, matmul_1d, matmul_3d, matmul_3d_bcast, matmul_nd, matmul_3d_2d, matmul_2d_3d, matmul_add, matmul_add_3d, matmul_add_reuse,
    // composite graphs
    fanout, fanout_binary, mlp, attention, reuse_layout, views, deep_chain, random_dag,
}

#[test]
fn every_catalog_case_has_a_test() {
    let tested: BTreeSet<&str> = TESTED.iter().copied().collect();
    let all: BTreeSet<&str> = catalog().iter().map(|c| c.name).collect();
    let missing: Vec<_> = all.difference(&tested).collect();
    assert!(missing.is_empty(), "catalog cases without a test: {missing:?}");
    assert_eq!(tested.len(), TESTED.len(), "a case is listed twice");
}

/// Every differentiable primitive of the engine, by the name the tape records.
const PRIMITIVES: &[&str] = &[
    "neg",
    "exp",
    "ln",
    "log1p",
    "sqrt",
    "sin",
    "cos",
    "tanh",
    "sigmoid",
    "softplus",
    "relu",
    "abs",
    "square",
    "erf",
    "erfc",
    "expm1",
    "sinh",
    "cosh",
    "atan",
    "asin",
    "acos",
    "lgamma",
    "digamma",
    "polygamma",
    "powf",
    "clamp",
    "add_const",
    "sub_const",
    "rsub_const",
    "mul_const",
    "div_const",
    "rdiv_const",
    "add",
    "sub",
    "mul",
    "div",
    "pow",
    "atan2",
    "maximum",
    "minimum",
    "masked",
    "select",
    "sum_to",
    "max_axis",
    "broadcast_to",
    "reshape",
    "permute",
    "slice",
    "pad",
    "concat",
    "index_select",
    "scatter_rows",
    "unfold",
    "fold",
    "matmul",
    "matmul_add",
];

#[test]
fn catalog_covers_every_primitive() {
    let mut seen = BTreeSet::new();
    for case in catalog() {
        for inp in samples(&case) {
            let t = Tape::new();
            let vars: Vec<Var> = inp.xs.iter().map(|x| t.var(x)).collect();
            let _ = (case.build)(&vars, &inp.p);
            seen.extend(t.stats().per_op.iter().map(|(name, _)| *name));
        }
    }
    let missing: Vec<_> = PRIMITIVES.iter().filter(|p| !seen.contains(*p)).collect();
    assert!(missing.is_empty(), "primitives not exercised by any case: {missing:?}");
}

#[test]
fn binary_cases_run_the_fixed_broadcast_pairs() {
    let case = common::find("add");
    let shapes: Vec<(Vec<usize>, Vec<usize>)> =
        samples(&case).iter().map(|i| (i.xs[0].shape().to_vec(), i.xs[1].shape().to_vec())).collect();
    for &(a, b) in FIXED_PAIRS {
        assert!(shapes.contains(&(a.to_vec(), b.to_vec())), "{a:?} with {b:?} is not generated");
        assert!(shapes.contains(&(b.to_vec(), a.to_vec())), "{b:?} with {a:?} is not generated");
    }
}

/// y = sin(x) with a backward rule that is off by `factor`.
struct SinScaled {
    factor: f64,
}

impl wengert_tape::CustomOp<f64> for SinScaled {
    fn name(&self) -> &str {
        "sin_scaled"
    }
    fn forward(&self, x: &[&wengert_tape::Tensor]) -> wengert_tape::Result<wengert_tape::Tensor> {
        Ok(x[0].map(f64::sin))
    }
    fn vjp(
        &self,
        x: &[&wengert_tape::Tensor],
        _y: &wengert_tape::Tensor,
        g: &wengert_tape::Tensor,
    ) -> Vec<wengert_tape::Tensor> {
        vec![wengert_tape::Tensor::from_fn(x[0].shape(), |i| {
            self.factor * x[0].data()[i].cos() * g.data()[i]
        })]
    }
}

#[test]
fn fd_check_detects_a_wrong_gradient() {
    use common::{Case, Inputs, Params};
    let x = wengert_tape::Tensor::new(&[3], vec![0.3, -1.1, 2.0]).unwrap();
    let inp = Inputs { xs: vec![x], p: Params::default() };
    let right = Case {
        name: "sin_right",
        gens: vec![],
        build: |v, _| v[0].tape().custom(std::rc::Rc::new(SinScaled { factor: 1.0 }), v).unwrap(),
        tol: FD_TOL,
    };
    check_fd(&right, &inp).unwrap();
    let wrong = Case {
        name: "sin_wrong",
        gens: vec![],
        build: |v, _| v[0].tape().custom(std::rc::Rc::new(SinScaled { factor: 1.001 }), v).unwrap(),
        tol: FD_TOL,
    };
    assert!(check_fd(&wrong, &inp).is_err());
}

#[test]
fn fd_helper_on_a_known_function() {
    // f(x, y) = x²·y + eʸ: ∂f/∂x = 2xy, ∂f/∂y = x² + eʸ.
    let xs = [wengert_tape::Tensor::scalar(1.5), wengert_tape::Tensor::scalar(-0.4)];
    let g = common::fd_grads(&xs, |v| v[0].item().powi(2) * v[1].item() + v[1].item().exp());
    let (x, y) = (1.5f64, -0.4f64);
    common::assert_close("fd", g[0].data(), &[2.0 * x * y], FD_TOL).unwrap();
    common::assert_close("fd", g[1].data(), &[x * x + y.exp()], FD_TOL).unwrap();
    assert!(common::assert_close("fd", &[1.0], &[1.1], FD_TOL).is_err());
    assert!(common::assert_close("fd", &[f64::NAN], &[1.0], FD_TOL).is_err());
}
