//! Properties of backward on random tape programs.
//!
//! A program starts from 1–3 leaves whose shapes broadcast against each other (ranks 0–3,
//! dimensions 1–3, some set to 1, some leading ones dropped) and applies 1–10 steps, each
//! an op from a broad set (elementwise, broadcasting binary, axis reductions, matmul, layout)
//! on one or two earlier values chosen at random, so values are reused and fan out. An op
//! whose shapes do not fit returns an error through the `try_` API and the step falls back
//! to a smooth unary op, so every program is valid.
//!
//! * The gradient of a weighted sum over every value matches central finite differences.
//! * Backward is linear in the seed: grad(αu + βv) = α·grad(u) + β·grad(v).
//! * The VJP/JVP dot-product identity ⟨J·v, u⟩ = ⟨v, Jᵀ·u⟩ holds for a multi-output program
//!   (every value flattened and concatenated), with J·v by central differences along v.

mod common;

use common::{assert_close, config, fd_grads, weights, Tol, FD_TOL};
use proptest::collection::vec;
use proptest::prelude::*;
use wengert_tape::{Result, Tape, Tensor, Var};

/// Number of op codes [`step`] understands.
const OPS: usize = 28;

/// A random program: leaf values and steps `(op, lhs, rhs, k)` where `lhs`/`rhs` index the
/// values so far (modulo their count) and `k` picks axes and variants.
#[derive(Clone, Debug)]
struct Program {
    leaves: Vec<Tensor>,
    steps: Vec<(usize, usize, usize, usize)>,
}

/// Keeps the dimensions of `out` after the first `drop`, with those where `ones` is set
/// replaced by 1.
fn operand(out: &[usize], ones: &[bool], drop: usize) -> Vec<usize> {
    out.iter().zip(ones).skip(drop).map(|(&d, &one)| if one { 1 } else { d }).collect()
}

fn program_s() -> impl Strategy<Value = Program> {
    vec(1..=3usize, 0..=3)
        .prop_flat_map(|out| {
            let r = out.len();
            let leaf_shape = (vec(prop::bool::weighted(0.3), r), 0..=r.min(1))
                .prop_map(move |(ones, drop)| operand(&out, &ones, drop));
            vec(leaf_shape, 1..=3)
        })
        .prop_flat_map(|shapes| {
            let leaves: Vec<_> = shapes
                .into_iter()
                .map(|s| {
                    let n: usize = s.iter().product();
                    vec(-1.5..1.5f64, n).prop_map(move |d| Tensor::new(&s, d).expect("element count"))
                })
                .collect();
            (leaves, vec((0..OPS, 0..64usize, 0..64usize, 0..64usize), 1..=10))
        })
        .prop_map(|(leaves, steps)| Program { leaves, steps })
}

/// An axis of a rank-`r` value chosen by `k`, negative for odd `k`.
fn axis(r: usize, k: usize) -> isize {
    let a = (k / 2 % r.max(1)) as isize;
    if k % 2 == 1 {
        a - r as isize
    } else {
        a
    }
}

/// One step. Ops are smooth, or piecewise smooth with kinks that random inputs do not hit,
/// and keep values moderate.
fn step<'t>(op: usize, a: Var<'t>, b: Var<'t>, k: usize) -> Var<'t> {
    let r = a.shape().len();
    let ax = axis(r, k);
    let keep = !k.is_multiple_of(3);
    let tried: Result<Var<'t>> = match op {
        0 => a.try_add(b),
        1 => a.try_sub(b * 0.5),
        2 => a.try_mul(b.tanh()),
        3 => a.try_div(b.square() + 1.0),
        4 => (a.sigmoid() + 0.5).try_pow(b.tanh()),
        5 => a.try_maximum(b),
        6 => a.try_minimum(b * 0.7 + 0.1),
        7 => Ok(a.tanh() * 1.5),
        8 => Ok(a.sin() + a.cos() * 0.5),
        9 => Ok(a.tanh().exp()),
        10 => Ok((a.square() + 1.0).ln()),
        11 => Ok((a.square() + 0.5).sqrt() - a.softplus() * 0.3),
        12 => a.try_mean_axis(ax, keep),
        13 => a.try_sum_axis(ax, keep).map(|s| s * 0.5),
        14 => a.try_logsumexp(ax, keep),
        15 => a.try_max_axis(ax, keep),
        16 if r > 0 => Ok(a.log_softmax(ax)),
        17 if r > 0 => Ok(a.softmax(ax) * b.sigmoid().mean()),
        18 => b.try_transpose().and_then(|bt| a.try_matmul(bt.tanh())).map(|m| m / 3.0),
        19 => a.try_transpose().and_then(|at| at.try_matmul(a.tanh())).map(|m| m / 3.0),
        20 => a.try_transpose(),
        21 if r > 0 => {
            let d = a.shape()[ax.rem_euclid(r as isize) as usize];
            Var::try_concat(&[a, b], ax).and_then(|c| c.try_slice(ax, 1, d))
        }
        22 if r > 0 => {
            let d = a.shape()[ax.rem_euclid(r as isize) as usize];
            a.try_pad(ax, 1, d + 2).and_then(|p| p.try_slice(ax, k % 3, d + 1))
        }
        23 => a.try_broadcast_to(&b.shape()).and_then(|x| x.try_mul(b.cos())),
        24 => {
            let mut s = a.shape().to_vec();
            s.reverse();
            a.try_reshape(&s).and_then(|x| x.try_reshape(&[a.len()]))
        }
        25 => a.try_sum_to(&b.shape()).and_then(|x| x.try_add(b)),
        26 if r > 0 => {
            let rows = a.shape()[0];
            a.try_index_select(&[rows - 1, 0, rows / 2])
                .and_then(|x| x.try_scatter_rows(&[0, rows - 1, 0], rows))
        }
        27 => a.try_max().map(|m| m * b.tanh()),
        _ => Ok(a.clamp(-0.9, 0.8) + a * 0.1),
    };
    tried.unwrap_or_else(|_| a.tanh() + 0.1)
}

/// Runs the program on `leaves`, returning every value (leaves first).
fn run<'t>(leaves: &[Var<'t>], steps: &[(usize, usize, usize, usize)]) -> Vec<Var<'t>> {
    let mut pool = leaves.to_vec();
    for &(op, i, j, k) in steps {
        let (a, b) = (pool[i % pool.len()], pool[j % pool.len()]);
        pool.push(step(op, a, b, k));
    }
    pool
}

/// Σₖ ⟨wₖ, valueₖ⟩ over the values the steps made, with fixed weights per value.
fn loss<'t>(pool: &[Var<'t>], skip: usize) -> Var<'t> {
    let t = pool[0].tape();
    pool[skip..].iter().enumerate().fold(t.scalar_constant(0.0), |acc, (k, &v)| {
        acc + (v * t.constant(&weights(&v.shape(), k as u64 + 11))).sum()
    })
}

/// Every value the steps made, flattened and concatenated: a multi-output program.
fn outputs<'t>(pool: &[Var<'t>], skip: usize) -> Var<'t> {
    let flat: Vec<Var<'t>> = pool[skip..].iter().map(|v| v.reshape(&[v.len()])).collect();
    Var::concat(&flat, 0)
}

fn dot(a: &[f64], b: &[f64]) -> f64 {
    a.iter().zip(b).map(|(x, y)| x * y).sum()
}

proptest! {
    #![proptest_config(config(160))]

    #[test]
    fn random_programs_match_finite_differences(p in program_s()) {
        let t = Tape::new();
        let xs: Vec<Var> = p.leaves.iter().map(|x| t.var(x)).collect();
        let pool = run(&xs, &p.steps);
        let g = loss(&pool, xs.len()).backward();
        let fd = fd_grads(&p.leaves, |ins| {
            let t = Tape::new();
            let cs: Vec<Var> = ins.iter().map(|x| t.constant(x)).collect();
            loss(&run(&cs, &p.steps), cs.len()).item()
        });
        for (k, (&x, want)) in xs.iter().zip(&fd).enumerate() {
            assert_close(&format!("leaf {k} of shape {:?}", x.shape()), &g[x], want.data(), FD_TOL)?;
        }
    }

    #[test]
    fn backward_is_linear_in_the_seed(p in program_s(), alpha in -2.0..2.0f64, beta in -2.0..2.0f64) {
        let t = Tape::new();
        let xs: Vec<Var> = p.leaves.iter().map(|x| t.var(x)).collect();
        let y = outputs(&run(&xs, &p.steps), xs.len());
        let (u, v) = (weights(&y.shape(), 1), weights(&y.shape(), 2));
        let mixed = Tensor::from_fn(&y.shape(), |i| alpha * u.data()[i] + beta * v.data()[i]);
        let (gu, gv, gm) = (y.backward_with_seed(&u), y.backward_with_seed(&v), y.backward_with_seed(&mixed));
        let recorded = y.backward_graph_with_seed(t.constant(&mixed));
        for &x in &xs {
            let want: Vec<f64> = gu[x].iter().zip(&gv[x]).map(|(a, b)| alpha * a + beta * b).collect();
            let scale = gu[x].iter().chain(&gv[x]).fold(1.0f64, |m, a| m.max(a.abs()));
            let tol = Tol { atol: 1e-12 * scale * (alpha.abs() + beta.abs()), rtol: 1e-12 };
            assert_close("grad(αu + βv)", &gm[x], &want, tol)?;
            assert_close("recorded grad(αu + βv)", recorded.wrt(x).value().data(), &want, Tol { atol: 1e-9 * scale, rtol: 1e-9 })?;
        }
    }

    #[test]
    fn vjp_and_jvp_satisfy_the_dot_product_identity(p in program_s(), salt in 0u64..1000) {
        let t = Tape::new();
        let xs: Vec<Var> = p.leaves.iter().map(|x| t.var(x)).collect();
        let y = outputs(&run(&xs, &p.steps), xs.len());
        let u = weights(&y.shape(), salt);
        let g = y.backward_with_seed(&u);
        // ⟨v, Jᵀu⟩ with a random direction v per leaf.
        let dirs: Vec<Tensor> =
            p.leaves.iter().enumerate().map(|(k, x)| weights(x.shape(), salt * 7 + k as u64)).collect();
        let vjp: f64 = xs.iter().zip(&dirs).map(|(&x, v)| dot(&g[x], v.data())).sum();
        // J·v by central differences along v.
        let h = 1e-5;
        let eval = |s: f64| -> Vec<f64> {
            let t = Tape::new();
            let cs: Vec<Var> = p
                .leaves
                .iter()
                .zip(&dirs)
                .map(|(x, v)| t.constant(&Tensor::from_fn(x.shape(), |i| x.data()[i] + s * v.data()[i])))
                .collect();
            outputs(&run(&cs, &p.steps), cs.len()).value().into_data()
        };
        let (yp, ym) = (eval(h), eval(-h));
        let jv: Vec<f64> = yp.iter().zip(&ym).map(|(a, b)| (a - b) / (2.0 * h)).collect();
        let jvp = dot(&jv, u.data());
        let scale: f64 = jv.iter().zip(u.data()).map(|(a, b)| (a * b).abs()).sum();
        prop_assert!(
            (jvp - vjp).abs() <= 1e-6 * (1.0 + scale),
            "⟨Jv, u⟩ = {jvp:e} but ⟨v, Jᵀu⟩ = {vjp:e} ({} outputs)", u.len()
        );
    }
}
