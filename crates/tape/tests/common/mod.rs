//! Helpers shared by the engine's integration tests.
//!
//! * Central finite differences ([`fd_grads`]) with the step h = 6e-6·max(1, |x|) and the
//!   check |a − n| ≤ atol + rtol·|n| ([`assert_close`]).
//! * proptest strategies for shapes, broadcastable pairs and values kept inside an op's
//!   domain and away from its kinks ([`Dom`]).
//! * The op catalog ([`catalog`]): every differentiable op, each with an input generator
//!   and a graph builder. Each case is checked as the scalar loss Σ op(x) ⊙ w with a fixed
//!   pseudo-random weight tensor w, so every output element matters.
//!
//! `ops_fd.rs` checks each case against finite differences; `vjp_agreement.rs` checks that
//! the numeric and the recorded backward agree, and the second derivatives.
#![allow(dead_code)]

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestCaseError, TestRunner};
use wengert_tape::shape::broadcast_shapes;
use wengert_tape::{PadFill, Tape, Tensor, Var, Window2d};

// ---------------------------------------------------------------------------------------
// Finite differences and tolerances
// ---------------------------------------------------------------------------------------

/// Absolute and relative tolerance: `|a − n| ≤ atol + rtol·|n|`.
#[derive(Clone, Copy, Debug)]
pub struct Tol {
    /// Absolute part.
    pub atol: f64,
    /// Relative part, scaled by the reference value.
    pub rtol: f64,
}

/// Analytic gradient against central finite differences in f64.
pub const FD_TOL: Tol = Tol { atol: 1e-6, rtol: 1e-5 };

/// Two backward passes that should agree to rounding.
pub const AGREE_TOL: Tol = Tol { atol: 1e-12, rtol: 1e-12 };

/// The central-difference step at `x`.
pub fn fd_step(x: f64) -> f64 {
    6e-6 * x.abs().max(1.0)
}

/// ∂f/∂inputs[k] for every k, by central differences `(f(x + h) − f(x − h)) / 2h`.
///
/// The divisor is the exactly represented distance `(x + h) − (x − h)`.
pub fn fd_grads(inputs: &[Tensor], f: impl Fn(&[Tensor]) -> f64) -> Vec<Tensor> {
    let mut xs = inputs.to_vec();
    inputs
        .iter()
        .enumerate()
        .map(|(k, x)| {
            Tensor::from_fn(x.shape(), |i| {
                let x0 = x.data()[i];
                let h = fd_step(x0);
                xs[k].data_mut()[i] = x0 + h;
                let fp = f(&xs);
                xs[k].data_mut()[i] = x0 - h;
                let fm = f(&xs);
                xs[k].data_mut()[i] = x0;
                (fp - fm) / ((x0 + h) - (x0 - h))
            })
        })
        .collect()
}

/// Fails (as a proptest case) unless `got` and `want` have the same length and every
/// element satisfies `|got − want| ≤ atol + rtol·|want|`. The message names the worst
/// element.
pub fn assert_close(what: &str, got: &[f64], want: &[f64], tol: Tol) -> Result<(), TestCaseError> {
    if got.len() != want.len() {
        return Err(TestCaseError::fail(format!(
            "{what}: {} elements but expected {}",
            got.len(),
            want.len()
        )));
    }
    let mut worst: Option<(usize, f64)> = None;
    for (i, (&a, &n)) in got.iter().zip(want).enumerate() {
        let excess = (a - n).abs() - (tol.atol + tol.rtol * n.abs());
        // A NaN on either side fails (and is reported first).
        let bad = excess > 0.0 || excess.is_nan();
        if bad && worst.is_none_or(|(_, e)| !e.is_nan() && (excess > e || excess.is_nan())) {
            worst = Some((i, excess));
        }
    }
    match worst {
        None => Ok(()),
        Some((i, _)) => Err(TestCaseError::fail(format!(
            "{what}: element {i}: got {:e}, expected {:e} (|diff| {:e}, atol {:e}, rtol {:e})\n  got:      {got:?}\n  expected: {want:?}",
            got[i],
            want[i],
            (got[i] - want[i]).abs(),
            tol.atol,
            tol.rtol
        ))),
    }
}

/// Deterministic pseudo-random numbers in [0, 1) from an index and a salt (SplitMix64).
pub fn unit_hash(i: u64, salt: u64) -> f64 {
    let mut z = i
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(salt.wrapping_mul(0xD1B5_4A32_D192_ED03))
        .wrapping_add(0x2545_F491_4F6C_DD1D);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    (z >> 11) as f64 / (1u64 << 53) as f64
}

/// A fixed pseudo-random tensor of `shape` with entries of magnitude in [0.5, 1.5] and
/// random signs: a weight that makes every output element matter.
pub fn weights(shape: &[usize], salt: u64) -> Tensor {
    Tensor::from_fn(shape, |i| {
        let u = unit_hash(i as u64, salt);
        let m = 0.5 + unit_hash(i as u64, salt ^ 0xABCD);
        if u < 0.5 {
            -m
        } else {
            m
        }
    })
}

/// The scalar loss Σ y ⊙ w with the fixed weights of `y`'s shape.
pub fn weighted<'t>(y: Var<'t>, salt: u64) -> Var<'t> {
    let w = y.tape().constant(&weights(&y.shape(), salt));
    (y * w).sum()
}

// ---------------------------------------------------------------------------------------
// Strategies
// ---------------------------------------------------------------------------------------

/// Deterministic proptest configuration: fixed seed, `cases` cases, no regression files.
pub fn config(cases: u32) -> Config {
    Config {
        cases,
        rng_seed: RngSeed::Fixed(0x00C0_FFEE_5EED),
        failure_persistence: None,
        max_shrink_iters: 512,
        ..Config::default()
    }
}

/// Where the values of an input tensor come from.
#[derive(Clone, Copy, Debug)]
pub enum Dom {
    /// Uniform in [lo, hi].
    Uniform(f64, f64),
    /// Magnitude uniform in [lo, hi] with a random sign (for divisors).
    Mag(f64, f64),
    /// Uniform in [lo, hi], pushed to at least 0.02 from the kinks k1 and k2.
    Avoid(f64, f64, f64, f64),
    /// Multiples of 0.1 in [−2, 2], plus `offset`, plus jitter in [0, 0.02). Values of two
    /// grids with offsets 0 and 0.05 differ by at least 0.03 (no ties for maximum).
    Grid(f64),
    /// All elements distinct, at least 0.15 apart (no ties for max reductions).
    Distinct,
    /// Integers in [lo, hi] (many ties, for ops that are smooth at ties).
    Ints(i32, i32),
}

/// Shapes of rank in `ranks` with every dimension in 1..=max_dim.
pub fn shape_s(ranks: std::ops::RangeInclusive<usize>, max_dim: usize) -> BoxedStrategy<Vec<usize>> {
    vec(1..=max_dim, ranks).boxed()
}

/// A tensor of `shape` with values from `dom`.
pub fn tensor_s(shape: Vec<usize>, dom: Dom) -> BoxedStrategy<Tensor> {
    let n: usize = shape.iter().product();
    let make = move |d: Vec<f64>| Tensor::new(&shape, d).expect("strategy: element count");
    match dom {
        Dom::Uniform(lo, hi) => vec(lo..=hi, n).prop_map(make).boxed(),
        Dom::Mag(lo, hi) => vec((lo..=hi, any::<bool>()), n)
            .prop_map(move |v| make(v.into_iter().map(|(m, s)| if s { m } else { -m }).collect()))
            .boxed(),
        Dom::Avoid(lo, hi, k1, k2) => vec(lo..=hi, n)
            .prop_map(move |v| make(v.into_iter().map(|x| push_away(push_away(x, k1), k2)).collect()))
            .boxed(),
        Dom::Grid(offset) => vec((-20i32..=20, 0.0..0.02), n)
            .prop_map(move |v| make(v.into_iter().map(|(k, j)| 0.1 * k as f64 + offset + j).collect()))
            .boxed(),
        Dom::Distinct => (Just((0..n).collect::<Vec<usize>>()).prop_shuffle(), vec(0.0..0.1, n))
            .prop_map(move |(perm, jit)| {
                let half = n as f64 * 0.125;
                make(perm.iter().zip(&jit).map(|(&p, &j)| p as f64 * 0.25 - half + j).collect())
            })
            .boxed(),
        Dom::Ints(lo, hi) => {
            vec(lo..=hi, n).prop_map(move |v| make(v.into_iter().map(f64::from).collect())).boxed()
        }
    }
}

/// Moves `x` to at least 0.02 from `k`.
pub fn push_away(x: f64, k: f64) -> f64 {
    const GAP: f64 = 0.02;
    if (x - k).abs() >= GAP {
        x
    } else if x >= k {
        k + GAP
    } else {
        k - GAP
    }
}

/// A tensor of random shape (rank in `ranks`, dims in 1..=max_dim) with values from `dom`.
pub fn tensor_r(ranks: std::ops::RangeInclusive<usize>, max_dim: usize, dom: Dom) -> BoxedStrategy<Tensor> {
    shape_s(ranks, max_dim).prop_flat_map(move |s| tensor_s(s, dom)).boxed()
}

/// Keeps the dimensions of `out` after the first `drop`, with those where `ones` is set
/// replaced by 1: an operand shape that broadcasts to `out`.
fn operand(out: &[usize], ones: &[bool], drop: usize) -> Vec<usize> {
    out.iter().zip(ones).skip(drop).map(|(&d, &one)| if one { 1 } else { d }).collect()
}

/// Random numpy-broadcastable pairs of shapes (ranks 0..=3, possibly different ranks, 1s
/// on either side).
pub fn bcast_pair() -> BoxedStrategy<(Vec<usize>, Vec<usize>)> {
    shape_s(0..=3, 4)
        .prop_flat_map(|out| {
            let r = out.len();
            (Just(out), vec(any::<bool>(), r), 0..=r, vec(any::<bool>(), r), 0..=r)
        })
        .prop_map(|(out, ma, da, mb, db)| (operand(&out, &ma, da), operand(&out, &mb, db)))
        .boxed()
}

/// The broadcast pairs every binary op is checked on explicitly (both orders are used).
pub const FIXED_PAIRS: &[(&[usize], &[usize])] = &[(&[3, 1], &[1, 4]), (&[4], &[2, 3, 4]), (&[], &[2, 3])];

/// An axis of a rank-`r` tensor, negative half of the time; and its resolved value.
fn axis_s(r: usize) -> BoxedStrategy<(isize, usize)> {
    (0..r, any::<bool>())
        .prop_map(move |(a, neg)| (if neg { a as isize - r as isize } else { a as isize }, a))
        .boxed()
}

// ---------------------------------------------------------------------------------------
// The op catalog
// ---------------------------------------------------------------------------------------

/// Op parameters drawn along with the inputs.
#[derive(Clone, Debug, Default)]
pub struct Params {
    /// Axis (possibly negative).
    pub axis: isize,
    /// keepdim flag.
    pub keepdim: bool,
    /// Op constants.
    pub c: [f64; 2],
    /// Integer parameters: indices, permutation, start/len.
    pub ints: Vec<usize>,
    /// A size (rows of scatter_rows).
    pub n: usize,
    /// A target shape.
    pub shape: Vec<usize>,
}

/// Inputs of one case: the tensors (each becomes a variable) and the parameters.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// One tensor per input variable.
    pub xs: Vec<Tensor>,
    /// The op's parameters.
    pub p: Params,
}

/// Builds a case's output from its input variables.
pub type Build = for<'t> fn(&[Var<'t>], &Params) -> Var<'t>;

/// One op (or composite graph) under test.
pub struct Case {
    /// The name (also the test's name).
    pub name: &'static str,
    /// Input generators, each run for its number of cases.
    pub gens: Vec<(u32, BoxedStrategy<Inputs>)>,
    /// The graph.
    pub build: Build,
    /// Finite-difference tolerance.
    pub tol: Tol,
}

/// Cases per property (split over a case's generators).
pub const CASES: u32 = 64;

fn case(name: &'static str, gen: BoxedStrategy<Inputs>, build: Build) -> Case {
    Case { name, gens: vec![(CASES, gen)], build, tol: FD_TOL }
}

fn one(dom_gen: BoxedStrategy<Tensor>) -> BoxedStrategy<Inputs> {
    dom_gen.prop_map(|x| Inputs { xs: vec![x], p: Params::default() }).boxed()
}

/// Elementwise unary op on tensors of rank 0..=3.
fn unary(name: &'static str, dom: Dom, build: Build) -> Case {
    case(name, one(tensor_r(0..=3, 4, dom)), build)
}

/// Elementwise op with a constant c drawn from `c`.
fn unary_c(name: &'static str, dom: Dom, c: Dom, build: Build) -> Case {
    let gen = (tensor_r(0..=3, 4, dom), tensor_s(vec![], c))
        .prop_map(|(x, c)| Inputs { xs: vec![x], p: Params { c: [c.item(), 0.0], ..Params::default() } })
        .boxed();
    case(name, gen, build)
}

fn pair(sa: Vec<usize>, sb: Vec<usize>, da: Dom, db: Dom) -> BoxedStrategy<Inputs> {
    (tensor_s(sa, da), tensor_s(sb, db))
        .prop_map(|(a, b)| Inputs { xs: vec![a, b], p: Params::default() })
        .boxed()
}

/// Binary op on random broadcastable pairs, and on [`FIXED_PAIRS`] in both orders.
fn binary(name: &'static str, da: Dom, db: Dom, build: Build) -> Case {
    let mut gens = vec![(CASES, bcast_pair().prop_flat_map(move |(sa, sb)| pair(sa, sb, da, db)).boxed())];
    for &(x, y) in FIXED_PAIRS {
        gens.push((8, pair(x.to_vec(), y.to_vec(), da, db)));
        gens.push((8, pair(y.to_vec(), x.to_vec(), da, db)));
    }
    Case { name, gens, build, tol: FD_TOL }
}

/// A reduction along a random axis of a rank 1..=3 tensor, keepdim either way.
fn axis_case(name: &'static str, dom: Dom, build: Build) -> Case {
    let gen = shape_s(1..=3, 4)
        .prop_flat_map(move |s| {
            let r = s.len();
            (tensor_s(s, dom), axis_s(r), any::<bool>())
        })
        .prop_map(|(x, (axis, _), keepdim)| Inputs {
            xs: vec![x],
            p: Params { axis, keepdim, ..Params::default() },
        })
        .boxed();
    case(name, gen, build)
}

/// As [`axis_case`], with the reduced axis at least 2 long: for reductions that need two
/// elements (the unbiased variance; the standard deviation, whose slope is infinite where
/// the spread is 0).
fn axis_case_2(name: &'static str, dom: Dom, build: Build) -> Case {
    let gen = (shape_s(1..=3, 4), 0..3usize, any::<bool>(), any::<bool>())
        .prop_flat_map(move |(mut s, a, neg, keepdim)| {
            let r = s.len();
            let a = a % r;
            s[a] = s[a].max(2);
            let axis = if neg { a as isize - r as isize } else { a as isize };
            (tensor_s(s, dom), Just(axis), Just(keepdim))
        })
        .prop_map(|(x, axis, keepdim)| Inputs {
            xs: vec![x],
            p: Params { axis, keepdim, ..Params::default() },
        })
        .boxed();
    case(name, gen, build)
}

/// Matrix products with a 1-d operand: [k]·[k], [k]·[k, n], [m, k]·[k], [b, m, k]·[k],
/// [k]·[b, k, n].
fn matmul_1d_case() -> Case {
    let gen = (0..5usize, 1..=3usize, 1..=4usize, 1..=4usize, 1..=4usize)
        .prop_flat_map(|(kind, b, m, k, n)| {
            let (sa, sb) = match kind {
                0 => (vec![k], vec![k]),
                1 => (vec![k], vec![k, n]),
                2 => (vec![m, k], vec![k]),
                3 => (vec![b, m, k], vec![k]),
                _ => (vec![k], vec![b, k, n]),
            };
            pair(sa, sb, Dom::Uniform(-2.0, 2.0), Dom::Uniform(-2.0, 2.0))
        })
        .boxed();
    case("matmul_1d", gen, |v, _| v[0].matmul(v[1]))
}

/// Matrix products of the given operand kinds: `(lhs 3-d, rhs 3-d)`.
fn matmul_case(name: &'static str, batched: (bool, bool)) -> Case {
    let gen = (1..=3usize, 1..=4usize, 1..=4usize, 1..=4usize)
        .prop_flat_map(move |(b, m, k, n)| {
            let sa = if batched.0 { vec![b, m, k] } else { vec![m, k] };
            let sb = if batched.1 { vec![b, k, n] } else { vec![k, n] };
            pair(sa, sb, Dom::Uniform(-2.0, 2.0), Dom::Uniform(-2.0, 2.0))
        })
        .boxed();
    case(name, gen, |v, _| v[0].matmul(v[1]))
}

/// Batched products where one side's batch is 1 and is broadcast: [1, m, k]·[b, k, n] and
/// [b, m, k]·[1, k, n], b in 1..=3.
fn matmul_bcast_case() -> Case {
    let gen = (any::<bool>(), 1..=3usize, 1..=4usize, 1..=4usize, 1..=4usize)
        .prop_flat_map(|(left, b, m, k, n)| {
            let (ba, bb) = if left { (1, b) } else { (b, 1) };
            pair(vec![ba, m, k], vec![bb, k, n], Dom::Uniform(-2.0, 2.0), Dom::Uniform(-2.0, 2.0))
        })
        .boxed();
    case("matmul_3d_bcast", gen, |v, _| v[0].matmul(v[1]))
}

/// Products whose batch axes (rank 1 or 2 after broadcasting, so operands of rank up to
/// 4) broadcast as numpy's, with a 1-d operand on either side a third of the time.
fn matmul_nd_case() -> Case {
    let gen = (shape_s(1..=2, 3), 0..3usize, 1..=3usize, 1..=3usize, 1..=3usize)
        .prop_flat_map(|(out, one_d, m, k, n)| {
            let r = out.len();
            (Just((out, one_d, m, k, n)), vec(any::<bool>(), r), 0..=r, vec(any::<bool>(), r), 0..=r)
        })
        .prop_flat_map(|((out, one_d, m, k, n), ma, da, mb, db)| {
            let mut sa = operand(&out, &ma, da);
            let mut sb = operand(&out, &mb, db);
            sa.extend([m, k]);
            sb.extend([k, n]);
            match one_d {
                1 => sa = vec![k],
                2 => sb = vec![k],
                _ => {}
            }
            pair(sa, sb, U2, U2)
        })
        .boxed();
    case("matmul_nd", gen, |v, _| v[0].matmul(v[1]))
}

/// `x·w + c` through `matmul_add`, with `c` of every shape that broadcasts to the
/// product's: a row ([n], [1, n]), a column ([m, 1]), the full [m, n], a scalar ([]);
/// `batched` takes 3-d `x`, which records `matmul` then `+`.
fn matmul_add_case(name: &'static str, batched: bool) -> Case {
    let gen = (1..=3usize, 1..=4usize, 1..=4usize, 1..=4usize, 0..5usize)
        .prop_flat_map(move |(bt, m, k, n, kind)| {
            let sx = if batched { vec![bt, m, k] } else { vec![m, k] };
            let sc = match kind {
                0 => vec![n],
                1 => vec![1, n],
                2 => vec![m, 1],
                3 => vec![m, n],
                _ => vec![],
            };
            (tensor_s(sx, U2), tensor_s(vec![k, n], U2), tensor_s(sc, U2))
                .prop_map(|(x, w, c)| Inputs { xs: vec![x, w, c], p: Params::default() })
        })
        .boxed();
    case(name, gen, |v, _| v[0].matmul_add(v[1], v[2]))
}

const U2: Dom = Dom::Uniform(-2.0, 2.0);

/// `select` on three broadcast operands: the condition (a mask of a random tensor kept
/// away from 0) and `on_true` of a random broadcastable pair of shapes, `on_false` of
/// their broadcast shape, of `on_true`'s, or a scalar.
fn select_case() -> Case {
    let gen = (bcast_pair(), 0..3usize)
        .prop_flat_map(|((sc, sa), kind)| {
            let sb = match kind {
                0 => broadcast_shapes(&sc, &sa).expect("broadcastable").to_vec(),
                1 => sa.clone(),
                _ => vec![],
            };
            (tensor_s(sc, Dom::Avoid(-2.0, 2.0, 0.0, 0.0)), tensor_s(sa, U2), tensor_s(sb, U2))
                .prop_map(|(c, a, b)| Inputs { xs: vec![c, a, b], p: Params::default() })
        })
        .boxed();
    case("select", gen, |v, _| v[0].step_mask().select(v[1].sin(), v[2] * v[1].max()))
}

/// Every differentiable op, plus composite graphs where variables fan out to many ops.
pub fn catalog() -> Vec<Case> {
    let mut c = vec![
        // ---- elementwise unary ----
        unary("neg", Dom::Uniform(-3.0, 3.0), |v, _| -v[0]),
        unary("exp", Dom::Uniform(-3.0, 3.0), |v, _| v[0].exp()),
        unary("ln", Dom::Uniform(0.1, 4.0), |v, _| v[0].ln()),
        unary("log1p", Dom::Uniform(-0.8, 4.0), |v, _| v[0].log1p()),
        unary("sqrt", Dom::Uniform(0.1, 4.0), |v, _| v[0].sqrt()),
        unary("sin", Dom::Uniform(-4.0, 4.0), |v, _| v[0].sin()),
        unary("cos", Dom::Uniform(-4.0, 4.0), |v, _| v[0].cos()),
        unary("tanh", Dom::Uniform(-3.0, 3.0), |v, _| v[0].tanh()),
        unary("sigmoid", Dom::Uniform(-8.0, 8.0), |v, _| v[0].sigmoid()),
        unary("softplus", Dom::Uniform(-20.0, 20.0), |v, _| v[0].softplus()),
        unary("relu", Dom::Avoid(-2.0, 2.0, 0.0, 0.0), |v, _| v[0].relu()),
        unary("abs", Dom::Avoid(-2.0, 2.0, 0.0, 0.0), |v, _| v[0].abs()),
        unary("square", Dom::Uniform(-3.0, 3.0), |v, _| v[0].square()),
        // Composed: −softplus(−x), far into both tails.
        unary("log_sigmoid", Dom::Uniform(-30.0, 30.0), |v, _| v[0].log_sigmoid()),
        // Composed: x·σ(x), and GELU's tanh form (a cube inside a tanh).
        unary("silu", Dom::Uniform(-8.0, 8.0), |v, _| v[0].silu()),
        unary("gelu_tanh", Dom::Uniform(-5.0, 5.0), |v, _| v[0].gelu_tanh()),
        // The error function, and the exact GELU composed from it.
        unary("erf", Dom::Uniform(-3.0, 3.0), |v, _| v[0].erf()),
        unary("gelu", Dom::Uniform(-5.0, 5.0), |v, _| v[0].gelu()),
        // Composed with selects; away from the kink at 0.
        unary("leaky_relu", Dom::Avoid(-3.0, 3.0, -0.05, 0.05), |v, _| v[0].leaky_relu(0.1)),
        unary("elu", Dom::Avoid(-3.0, 3.0, -0.05, 0.05), |v, _| v[0].elu(1.3)),
        unary("erfc", Dom::Uniform(-3.0, 3.0), |v, _| v[0].erfc()),
        unary("expm1", Dom::Uniform(-3.0, 3.0), |v, _| v[0].expm1()),
        unary("sinh", Dom::Uniform(-3.0, 3.0), |v, _| v[0].sinh()),
        unary("cosh", Dom::Uniform(-3.0, 3.0), |v, _| v[0].cosh()),
        unary("atan", Dom::Uniform(-4.0, 4.0), |v, _| v[0].atan()),
        // Inside (−1, 1), away from the infinite slopes at ±1.
        unary("asin", Dom::Uniform(-0.9, 0.9), |v, _| v[0].asin()),
        unary("acos", Dom::Uniform(-0.9, 0.9), |v, _| v[0].acos()),
        // The log-gamma family: below and above the shifts (10, 10 + n), and between poles
        // (the reflection), where the values stay moderate.
        unary("lgamma", Dom::Uniform(0.2, 14.0), |v, _| v[0].lgamma()),
        unary("digamma", Dom::Uniform(0.2, 14.0), |v, _| v[0].digamma()),
        unary_c("polygamma", Dom::Uniform(0.3, 16.0), Dom::Ints(1, 3), |v, p| v[0].polygamma(p.c[0] as u32)),
        unary("gamma_negative", Dom::Uniform(-2.8, -2.2), |v, _| {
            v[0].lgamma() + v[0].digamma() * 0.5 + v[0].polygamma(2) * 0.01
        }),
        unary_c("powf", Dom::Uniform(0.2, 3.0), Dom::Uniform(-2.5, 2.5), |v, p| v[0].powf(p.c[0])),
        unary_c("powf_int", Dom::Uniform(-2.0, 2.0), Dom::Ints(0, 3), |v, p| v[0].powf(p.c[0])),
        // ---- constant forms ----
        unary_c("add_const", U2, Dom::Uniform(-3.0, 3.0), |v, p| v[0] + p.c[0]),
        unary_c("sub_const", U2, Dom::Uniform(-3.0, 3.0), |v, p| v[0] - p.c[0]),
        unary_c("const_sub", U2, Dom::Uniform(-3.0, 3.0), |v, p| p.c[0] - v[0]),
        unary_c("rsub", U2, Dom::Uniform(-3.0, 3.0), |v, p| v[0].rsub(p.c[0])),
        unary_c("mul_const", U2, Dom::Uniform(-3.0, 3.0), |v, p| v[0] * p.c[0]),
        unary_c("const_mul", U2, Dom::Uniform(-3.0, 3.0), |v, p| p.c[0] * v[0]),
        unary_c("div_const", U2, Dom::Mag(0.5, 3.0), |v, p| v[0] / p.c[0]),
        unary_c("const_div", Dom::Mag(0.3, 2.0), Dom::Uniform(-3.0, 3.0), |v, p| p.c[0] / v[0]),
        unary_c("rdiv", Dom::Mag(0.3, 2.0), Dom::Uniform(-3.0, 3.0), |v, p| v[0].rdiv(p.c[0])),
        unary_c("const_add", U2, Dom::Uniform(-3.0, 3.0), |v, p| p.c[0] + v[0]),
    ];
    // clamp with random bounds, values away from both.
    let clamp_gen = (-1.0..0.0f64, 0.5..2.0f64)
        .prop_flat_map(|(lo, w)| (tensor_r(0..=3, 4, Dom::Avoid(-3.0, 3.0, lo, lo + w)), Just([lo, lo + w])))
        .prop_map(|(x, c)| Inputs { xs: vec![x], p: Params { c, ..Params::default() } })
        .boxed();
    c.push(case("clamp", clamp_gen, |v, p| v[0].clamp(p.c[0], p.c[1])));

    // ---- binary, broadcasting ----
    c.extend([
        binary("add", U2, U2, |v, _| v[0] + v[1]),
        binary("add_var", U2, U2, |v, _| v[0].add_var(v[1])),
        binary("sub", U2, U2, |v, _| v[0] - v[1]),
        binary("sub_var", U2, U2, |v, _| v[0].sub_var(v[1])),
        binary("mul", U2, U2, |v, _| v[0] * v[1]),
        binary("mul_var", U2, U2, |v, _| v[0].mul_var(v[1])),
        binary("div", U2, Dom::Mag(0.3, 2.0), |v, _| v[0] / v[1]),
        binary("div_var", U2, Dom::Mag(0.3, 2.0), |v, _| v[0].div_var(v[1])),
        binary("pow", Dom::Uniform(0.2, 3.0), Dom::Uniform(-2.0, 2.0), |v, _| v[0].pow(v[1])),
        // |a| ≥ 0.5: away from the origin and from the branch cut (a = 0, b < 0).
        binary("atan2", Dom::Avoid(-2.0, 2.0, -0.5, 0.5), U2, |v, _| v[0].atan2(v[1])),
        // Composed of selections; x = 0 is avoided, where its x-gradient is 0 by convention
        // (torch's) instead of ln y.
        binary("xlogy", Dom::Avoid(-2.0, 2.0, 0.0, 0.0), Dom::Uniform(0.2, 3.0), |v, _| v[0].xlogy(v[1])),
        binary("maximum", Dom::Grid(0.0), Dom::Grid(0.05), |v, _| v[0].maximum(v[1])),
        binary("minimum", Dom::Grid(0.0), Dom::Grid(0.05), |v, _| v[0].minimum(v[1])),
        // The mask from a mask op, and a raw variable as the mask (no gradient reaches it).
        binary("masked", U2, Dom::Avoid(-2.0, 2.0, 0.0, 0.0), |v, _| v[0].masked(v[1].step_mask())),
        binary("masked_raw", U2, Dom::Avoid(-2.0, 2.0, 0.0, 0.0), |v, _| v[0].masked(v[1])),
    ]);
    c.push(select_case());
    // A branch on a comparison of two inputs: each side depends on both.
    c.push(binary("select_gt", Dom::Grid(0.0), Dom::Grid(0.05), |v, _| {
        v[0].gt_mask(v[1]).select(v[0] * v[1], v[1].sin() - v[0])
    }));
    c.push(binary("select_le", Dom::Grid(0.0), Dom::Grid(0.05), |v, _| {
        v[0].le_mask(v[1]).select(v[0].square(), v[1] * 3.0)
    }));

    // ---- reductions ----
    c.extend([
        unary("sum", U2, |v, _| v[0].sum()),
        unary("mean", U2, |v, _| v[0].mean()),
        axis_case("sum_axis", U2, |v, p| v[0].sum_axis(p.axis, p.keepdim)),
        axis_case("mean_axis", U2, |v, p| v[0].mean_axis(p.axis, p.keepdim)),
        unary("max", Dom::Distinct, |v, _| v[0].max()),
        axis_case("max_axis", Dom::Distinct, |v, p| v[0].max_axis(p.axis, p.keepdim)),
        unary("min", Dom::Distinct, |v, _| v[0].min()),
        axis_case("min_axis", Dom::Distinct, |v, p| v[0].min_axis(p.axis, p.keepdim)),
        unary("var", U2, |v, _| v[0].var(0)),
        axis_case("var_axis", U2, |v, p| v[0].var_axis(p.axis, p.keepdim, 0)),
        axis_case_2("var_axis_unbiased", U2, |v, p| v[0].var_axis(p.axis, p.keepdim, 1)),
        axis_case_2("std_axis", U2, |v, p| v[0].std_axis(p.axis, p.keepdim, 1)),
        unary("norm", U2, |v, _| v[0].norm()),
        axis_case("norm_axis", U2, |v, p| v[0].norm_axis(p.axis, p.keepdim)),
        axis_case("logsumexp", Dom::Uniform(-4.0, 4.0), |v, p| v[0].logsumexp(p.axis, p.keepdim)),
        axis_case("logsumexp_ties", Dom::Ints(-1, 2), |v, p| v[0].logsumexp(p.axis, p.keepdim)),
        axis_case("log_softmax", Dom::Uniform(-4.0, 4.0), |v, p| v[0].log_softmax(p.axis)),
        axis_case("softmax", Dom::Uniform(-4.0, 4.0), |v, p| v[0].softmax(p.axis)),
        axis_case("softmax_ties", Dom::Ints(-1, 2), |v, p| v[0].softmax(p.axis)),
        // Large logits: stable forms must not overflow.
        axis_case("log_softmax_large", Dom::Uniform(300.0, 310.0), |v, p| v[0].log_softmax(p.axis)),
    ]);
    let sum_to_gen = bcast_pair()
        .prop_flat_map(|(a, b)| {
            let big = broadcast_shapes(&a, &b).expect("broadcastable").to_vec();
            (tensor_s(big, U2), Just(a))
        })
        .prop_map(|(x, shape)| Inputs { xs: vec![x], p: Params { shape, ..Params::default() } })
        .boxed();
    c.push(case("sum_to", sum_to_gen, |v, p| v[0].sum_to(&p.shape)));

    // ---- layout ----
    let broadcast_gen = bcast_pair()
        .prop_flat_map(|(a, b)| {
            let big = broadcast_shapes(&a, &b).expect("broadcastable").to_vec();
            (tensor_s(a, U2), Just(big))
        })
        .prop_map(|(x, shape)| Inputs { xs: vec![x], p: Params { shape, ..Params::default() } })
        .boxed();
    c.push(case("broadcast_to", broadcast_gen, |v, p| v[0].broadcast_to(&p.shape)));

    let reshape_gen = shape_s(1..=4, 3)
        .prop_flat_map(|d| {
            let r = d.len();
            (Just(d.clone()).prop_shuffle(), Just(d), vec(any::<bool>(), r))
        })
        .prop_flat_map(|(from, to, merge)| {
            let mut target: Vec<usize> = Vec::new();
            for (i, &d) in to.iter().enumerate() {
                match target.last_mut() {
                    Some(last) if merge[i] => *last *= d,
                    _ => target.push(d),
                }
            }
            (tensor_s(from, U2), Just(target))
        })
        .prop_map(|(x, shape)| Inputs { xs: vec![x], p: Params { shape, ..Params::default() } })
        .boxed();
    c.push(case("reshape", reshape_gen, |v, p| v[0].reshape(&p.shape)));

    c.push(case("transpose", one(tensor_r(2..=4, 3, U2)), |v, _| v[0].transpose()));

    let permute_gen = shape_s(1..=4, 3)
        .prop_flat_map(|s| {
            let r = s.len();
            (tensor_s(s, U2), Just((0..r).collect::<Vec<usize>>()).prop_shuffle())
        })
        .prop_map(|(x, ints)| Inputs { xs: vec![x], p: Params { ints, ..Params::default() } })
        .boxed();
    c.push(case("permute", permute_gen, |v, p| v[0].permute(&p.ints)));

    let slice_gen = shape_s(1..=3, 4)
        .prop_flat_map(|s| {
            let r = s.len();
            (Just(s), axis_s(r))
        })
        .prop_flat_map(|(s, (axis, ax))| {
            let d = s[ax];
            (Just(s), Just(axis), (0..=d).prop_flat_map(move |start| (Just(start), 0..=d - start)))
        })
        .prop_flat_map(|(s, axis, (start, len))| {
            (tensor_s(s, U2), Just(Params { axis, ints: vec![start, len], ..Params::default() }))
        })
        .prop_map(|(x, p)| Inputs { xs: vec![x], p })
        .boxed();
    c.push(case("slice", slice_gen, |v, p| v[0].slice(p.axis, p.ints[0], p.ints[1])));

    let pad_gen = shape_s(1..=3, 3)
        .prop_flat_map(|s| {
            let r = s.len();
            (tensor_s(s, U2), axis_s(r), 0..=3usize, 0..=3usize)
        })
        .prop_map(|(x, (axis, ax), start, extra)| {
            let total = x.shape()[ax] + start + extra;
            Inputs { xs: vec![x], p: Params { axis, ints: vec![start, total], ..Params::default() } }
        })
        .boxed();
    c.push(case("pad", pad_gen, |v, p| v[0].pad(p.axis, p.ints[0], p.ints[1])));

    let concat_gen = shape_s(1..=3, 3)
        .prop_flat_map(|s| {
            let r = s.len();
            (Just(s), axis_s(r), vec(0..=3usize, 1..=3))
        })
        .prop_flat_map(|(s, (axis, ax), sizes)| {
            let parts: Vec<BoxedStrategy<Tensor>> = sizes
                .iter()
                .map(|&n| {
                    let mut sh = s.clone();
                    sh[ax] = n;
                    tensor_s(sh, U2)
                })
                .collect();
            (parts, Just(axis))
        })
        .prop_map(|(xs, axis)| Inputs { xs, p: Params { axis, ..Params::default() } })
        .boxed();
    c.push(case("concat", concat_gen, |v, p| Var::concat(v, p.axis)));

    let index_gen = shape_s(1..=3, 4)
        .prop_flat_map(|s| {
            let rows = s[0];
            (tensor_s(s, U2), vec(0..rows, 1..=6))
        })
        .prop_map(|(x, mut ints)| {
            ints.push(ints[0]); // at least one repeated row
            Inputs { xs: vec![x], p: Params { ints, ..Params::default() } }
        })
        .boxed();
    c.push(case("index_select", index_gen, |v, p| v[0].index_select(&p.ints)));

    // gather along a random axis: an index shape no larger than x off the axis, any length
    // along it, indices that repeat.
    let gather_gen = shape_s(1..=3, 4)
        .prop_flat_map(|s| {
            let r = s.len();
            let ishape = s.iter().map(|&d| 1..=d).collect::<Vec<_>>();
            (tensor_s(s.clone(), U2), axis_s(r), ishape, 1..=5usize, Just(s))
        })
        .prop_flat_map(|(x, (axis, ax), mut ishape, along, s)| {
            ishape[ax] = along;
            let n: usize = ishape.iter().product();
            (Just(x), Just(axis), Just(ishape), vec(0..s[ax], n))
        })
        .prop_map(|(x, axis, shape, ints)| Inputs {
            xs: vec![x],
            p: Params { axis, shape, ints, ..Params::default() },
        })
        .boxed();
    c.push(case("gather", gather_gen, |v, p| v[0].gather(p.axis, &p.shape, &p.ints)));

    let scatter_gen = (2..=5usize, 1..=4usize, shape_s(0..=2, 3))
        .prop_flat_map(|(k, rows, rest)| {
            let mut s = vec![k];
            s.extend(rest);
            (tensor_s(s, U2), vec(0..rows, k), Just(rows))
        })
        .prop_map(|(x, mut ints, n)| {
            let last = ints.len() - 1;
            ints[last] = ints[0]; // at least one repeated target row
            Inputs { xs: vec![x], p: Params { ints, n, ..Params::default() } }
        })
        .boxed();
    c.push(case("scatter_rows", scatter_gen, |v, p| v[0].scatter_rows(&p.ints, p.n)));

    // Sliding windows: random kernel, stride, padding and dilation per axis, on images
    // they fit (the window's integers in `ints`, the image size in `shape`).
    c.push(case("unfold", unfold_gen(PadFill::Zero), |v, p| v[0].unfold2d(window_of(&p.ints))));
    // −∞ padding (a max pool's), through exp so that the loss stays finite: exp(−∞) = 0
    // with derivative 0, and the padding positions connect to no input.
    c.push(case("unfold_neg_inf", unfold_gen(PadFill::NegInfinity), |v, p| {
        v[0].unfold2d(window_of(&p.ints)).exp()
    }));
    let fold_gen = (window_s(), 1..=2usize, 1..=2usize)
        .prop_flat_map(|((win, size), n, ch)| {
            let [oh, ow] = win.output_size(size).expect("window_s fits");
            let shape = vec![n, ch * win.kernel[0] * win.kernel[1], oh * ow];
            (tensor_s(shape, U2), Just(window_ints(&win)), Just(size.to_vec()))
        })
        .prop_map(|(x, ints, shape)| Inputs { xs: vec![x], p: Params { ints, shape, ..Params::default() } })
        .boxed();
    c.push(case("fold", fold_gen, |v, p| v[0].fold2d([p.shape[0], p.shape[1]], window_of(&p.ints))));
    // One variable through two windows and a fold, and reused as a factor: the
    // contributions of overlapping windows and of the reuses add up.
    c.push(case("unfold_reuse", unfold_gen(PadFill::Zero), |v, p| {
        let (x, win) = (v[0], window_of(&p.ints));
        let s = x.shape();
        let cols = x.unfold2d(win);
        let back = (cols.square() * 0.5).fold2d([s[2], s[3]], win);
        let ones = Window2d::new([1, 1]);
        back * x + x.unfold2d(ones).reshape(&s).tanh() * x.unfold2d(win).sum()
    }));

    // ---- matmul ----
    c.extend([
        matmul_case("matmul_2d", (false, false)),
        matmul_1d_case(),
        matmul_case("matmul_3d", (true, true)),
        matmul_bcast_case(),
        matmul_nd_case(),
        matmul_case("matmul_3d_2d", (true, false)),
        matmul_case("matmul_2d_3d", (false, true)),
        matmul_add_case("matmul_add", false),
        matmul_add_case("matmul_add_3d", true),
        // One square variable as both operands and the added term.
        case(
            "matmul_add_reuse",
            (1..=4usize).prop_flat_map(|m| one(tensor_s(vec![m, m], U2))).boxed(),
            |v, _| v[0].matmul_add(v[0], v[0]),
        ),
    ]);

    // ---- composite graphs: one variable feeds many ops ----
    c.push(case("fanout", one(tensor_r(0..=3, 4, U2)), |v, _| {
        let x = v[0];
        x * x + x.sin() * x + x.exp().sum() - x.tanh().mean() * x.square()
            + (x * 0.5).sigmoid() / (x.square() + 1.0)
    }));
    c.push(Case {
        name: "fanout_binary",
        gens: vec![(
            CASES,
            bcast_pair().prop_flat_map(|(sa, sb)| pair(sa, sb, Dom::Grid(0.0), Dom::Grid(0.05))).boxed(),
        )],
        build: |v, _| {
            let (a, b) = (v[0], v[1]);
            let s = a * b + a / (b * b + 1.0) - a.maximum(b) * 0.5 + a.minimum(b).exp();
            (s + a.sum() * b).softplus() * a.cos() + b.square().mean()
        },
        tol: FD_TOL,
    });
    let mlp_gen = (1..=4usize, 1..=4usize, 1..=4usize, 2..=4usize)
        .prop_flat_map(|(n, d, h, k)| {
            (
                tensor_s(vec![n, d], U2),
                tensor_s(vec![d, h], U2),
                tensor_s(vec![h], U2),
                tensor_s(vec![h, k], U2),
                vec(0..n, 1..=5),
            )
        })
        .prop_map(|(x, w1, b1, w2, ints)| Inputs {
            xs: vec![x, w1, b1, w2],
            p: Params { ints, ..Params::default() },
        })
        .boxed();
    c.push(case("mlp", mlp_gen, |v, p| {
        let hdn = (v[0].matmul(v[1]) + v[2]).tanh();
        let logits = hdn.matmul(v[3]);
        (logits.log_softmax(-1) + hdn.square().sum_axis(1, true) * 0.1).index_select(&p.ints)
    }));
    let attn_gen = (1..=2usize, 1..=3usize, 1..=3usize)
        .prop_flat_map(|(b, s, d)| {
            let sh = vec![b, s, d];
            (tensor_s(sh.clone(), U2), tensor_s(sh.clone(), U2), tensor_s(sh, U2))
        })
        .prop_map(|(q, k, vv)| Inputs { xs: vec![q, k, vv], p: Params::default() })
        .boxed();
    c.push(case("attention", attn_gen, |v, _| {
        let d = v[0].shape()[2] as f64;
        let scores = v[0].matmul(v[1].transpose()) / d.sqrt();
        scores.softmax(-1).matmul(v[2])
    }));
    c.push(case("reuse_layout", one(tensor_r(2..=2, 4, U2)), |v, _| {
        let u = v[0].exp();
        let g = u.transpose().matmul(u);
        let n = g.shape()[0];
        g + u.sum_axis(0, true).transpose() * u.mean()
            + Var::concat(&[u.slice(0, 0, 1), u.sum_axis(0, true)], 0)
                .sum_axis(0, true)
                .pad(1, 1, n + 2)
                .slice(1, 1, n)
    }));
    // Views (reshapes, slices of one contiguous block) read their input in place:
    // overlapping views of one variable (Rosenbrock's shifts), views of views, a scalar view
    // through the scalar rules, and views as matmul operands.
    c.push(case("views", one(tensor_r(1..=3, 4, U2)), |v, _| {
        let x = v[0];
        let d0 = x.shape()[0];
        let flat = x.reshape(&[x.len()]);
        let m = flat.len();
        let (lo, hi) = (flat.slice(0, 0, m - 1), flat.slice(0, 1, m - 1));
        let rosen = ((hi - lo.square()).square() * 10.0 + lo.rsub(1.0).square()).sum();
        let first = flat.slice(0, 0, 1).reshape(&[]);
        let scalar = first * first.sin() + first.square();
        let rows = x.slice(0, d0 / 2, d0 - d0 / 2).reshape(&[d0 - d0 / 2, m / d0]);
        let gram = rows.matmul(rows.transpose()).slice(0, 0, 1).sum();
        rosen + scalar + gram * flat.slice(0, m - 1, 1).reshape(&[])
    }));
    c.push(case("deep_chain", one(tensor_r(0..=2, 3, Dom::Uniform(-1.0, 1.0))), |v, _| {
        let mut y = v[0];
        for i in 0..60 {
            y = match i % 4 {
                0 => y.sin() * 1.3,
                1 => y.tanh() + y * 0.2,
                2 => (y * y + 0.5).sqrt() - 0.3,
                _ => y.sigmoid() * 2.0 - 1.0 + y * 0.5,
            };
        }
        y
    }));
    // Random programs: each step applies one of DAG_OPS to two earlier values; the output
    // sums every value, so each one fans out to later steps and to the output.
    let dag_gen = (
        vec(tensor_s(vec![2, 3], Dom::Uniform(-1.5, 1.5)), 3),
        vec((0..DAG_OPS, 0..64usize, 0..64usize), 1..=14),
    )
        .prop_map(|(xs, prog)| {
            let ints = prog.into_iter().flat_map(|(o, i, j)| [o, i, j]).collect();
            Inputs { xs, p: Params { ints, ..Params::default() } }
        })
        .boxed();
    let mut dag = case("random_dag", dag_gen, |v, p| {
        let mut pool: Vec<Var> = v.to_vec();
        for step in p.ints.chunks(3) {
            let (a, b) = (pool[step[1] % pool.len()], pool[step[2] % pool.len()]);
            pool.push(dag_step(step[0], a, b));
        }
        pool[v.len()..].iter().fold(pool[0] * 0.0, |acc, &x| acc + x)
    });
    dag.gens[0].0 = 4 * CASES;
    c.push(dag);
    c
}

/// A window and an image size (H, W) it fits: per axis a kernel of 1..=3, stride 1..=3,
/// padding 0..=2, dilation 1..=2, and a size from the smallest the dilated kernel fits in
/// (at least 1) to 3 more.
pub fn window_s() -> BoxedStrategy<(Window2d, [usize; 2])> {
    let axis = || {
        (1..=3usize, 1..=3usize, 0..=2usize, 1..=2usize).prop_flat_map(|(k, s, p, d)| {
            let span = d * (k - 1) + 1;
            let min = span.saturating_sub(2 * p).max(1);
            (Just([k, s, p, d]), min..=min + 3)
        })
    };
    (axis(), axis())
        .prop_map(|((a, h), (b, w))| {
            let win =
                Window2d::new([a[0], b[0]]).stride([a[1], b[1]]).padding([a[2], b[2]]).dilation([a[3], b[3]]);
            (win, [h, w])
        })
        .boxed()
}

/// Inputs `[N, C, H, W]` (N, C in 1..=2) for an unfold by a random window with `fill`.
fn unfold_gen(fill: PadFill) -> BoxedStrategy<Inputs> {
    (window_s(), 1..=2usize, 1..=2usize)
        .prop_flat_map(move |((win, [h, w]), n, ch)| {
            (tensor_s(vec![n, ch, h, w], U2), Just(window_ints(&win.fill(fill))))
        })
        .prop_map(|(x, ints)| Inputs { xs: vec![x], p: Params { ints, ..Params::default() } })
        .boxed()
}

/// A window as 9 integers: kernel, stride, padding, dilation (each (h, w)), fill (1: −∞).
pub fn window_ints(w: &Window2d) -> Vec<usize> {
    let mut v: Vec<usize> = [w.kernel, w.stride, w.padding, w.dilation].concat();
    v.push((w.fill == PadFill::NegInfinity) as usize);
    v
}

/// The window of [`window_ints`].
pub fn window_of(i: &[usize]) -> Window2d {
    let fill = if i[8] == 1 { PadFill::NegInfinity } else { PadFill::Zero };
    Window2d::new([i[0], i[1]]).stride([i[2], i[3]]).padding([i[4], i[5]]).dilation([i[6], i[7]]).fill(fill)
}

/// Number of ops [`dag_step`] chooses from.
pub const DAG_OPS: usize = 16;

/// One step of a random program on [2, 3] values: smooth ops only, each bounded or at most
/// additive in its inputs so that values stay moderate.
pub fn dag_step<'t>(op: usize, a: Var<'t>, b: Var<'t>) -> Var<'t> {
    match op {
        0 => a + b,
        1 => a - b * 0.5,
        2 => a * b.tanh(),
        3 => a / (b.square() + 1.0),
        4 => a.tanh() * 2.0,
        5 => a.sin() * b.cos(),
        6 => a.sigmoid() + b,
        7 => a.tanh().exp(),
        8 => a * b.tanh().sum_axis(0, true),
        9 => a + b.mean(),
        10 => a.matmul(b.tanh().transpose()).matmul(a.tanh()) / 3.0,
        11 => a.log_softmax(-1),
        12 => a.index_select(&[1, 0, 1]).tanh().sum_axis(0, true) * b,
        13 => Var::concat(&[a, b], 0).slice(0, 1, 2),
        14 => a.pad(1, 1, 5).slice(1, 2, 3) + b.permute(&[1, 0]).reshape(&[2, 3]),
        _ => a.softplus() - b.logsumexp(1, true),
    }
}

/// Looks a case up by name.
pub fn find(name: &str) -> Case {
    catalog().into_iter().find(|c| c.name == name).unwrap_or_else(|| panic!("no case named {name}"))
}

/// Runs `check` on every generator of the case named `name`, deterministically.
pub fn run(name: &str, check: impl Fn(&Case, &Inputs) -> Result<(), TestCaseError>) {
    let case = find(name);
    for (cases, gen) in &case.gens {
        let mut runner = TestRunner::new(config(*cases));
        if let Err(e) = runner.run(gen, |inp| check(&case, &inp)) {
            panic!("{}: {e}", case.name);
        }
    }
}

/// One sample input of every generator of a case (for coverage checks).
pub fn samples(case: &Case) -> Vec<Inputs> {
    let mut runner = TestRunner::new(config(1));
    case.gens.iter().map(|(_, g)| g.new_tree(&mut runner).expect("sample").current()).collect()
}

// ---------------------------------------------------------------------------------------
// Evaluating a case
// ---------------------------------------------------------------------------------------

/// Salt of the loss weights.
pub const W_SALT: u64 = 1;

/// The loss Σ build(xs) ⊙ w, with the inputs as constants on a fresh tape.
pub fn loss_value(build: Build, xs: &[Tensor], p: &Params) -> f64 {
    let t = Tape::new();
    let vars: Vec<Var> = xs.iter().map(|x| t.constant(x)).collect();
    weighted(build(&vars, p), W_SALT).item()
}

/// Gradients of the loss with the numeric backward (`backward`).
pub fn grads_numeric(build: Build, xs: &[Tensor], p: &Params) -> Vec<Tensor> {
    let t = Tape::new();
    let vars: Vec<Var> = xs.iter().map(|x| t.var(x)).collect();
    let g = weighted(build(&vars, p), W_SALT).backward();
    vars.iter().map(|&v| g.wrt(v)).collect()
}

/// Gradients of the loss with the recorded backward (`backward_graph`).
pub fn grads_recorded(build: Build, xs: &[Tensor], p: &Params) -> Vec<Tensor> {
    let t = Tape::new();
    let vars: Vec<Var> = xs.iter().map(|x| t.var(x)).collect();
    let g = weighted(build(&vars, p), W_SALT).backward_graph();
    vars.iter().map(|&v| g.wrt(v).value()).collect()
}

/// The direction v_k for input k of the second-order check.
pub fn direction(x: &Tensor, k: usize) -> Tensor {
    weights(x.shape(), 100 + k as u64)
}

/// h(xs) = Σ_k ⟨∇_k loss(xs), v_k⟩ with the numeric backward.
pub fn grad_dot_v(build: Build, xs: &[Tensor], p: &Params) -> f64 {
    grads_numeric(build, xs, p)
        .iter()
        .enumerate()
        .map(|(k, g)| g.data().iter().zip(direction(g, k).data()).map(|(a, b)| a * b).sum::<f64>())
        .sum()
}

/// ∇h (Hessian-vector products) by differentiating the recorded gradient.
pub fn grad_grad(build: Build, xs: &[Tensor], p: &Params) -> Vec<Tensor> {
    let t = Tape::new();
    let vars: Vec<Var> = xs.iter().map(|x| t.var(x)).collect();
    let gv = weighted(build(&vars, p), W_SALT).backward_graph();
    let mut h = t.scalar_constant(0.0);
    for (k, (&v, x)) in vars.iter().zip(xs).enumerate() {
        h += (gv.wrt(v) * t.constant(&direction(x, k))).sum();
    }
    let g = h.backward();
    vars.iter().map(|&v| g.wrt(v)).collect()
}

/// Checks the case's gradients against finite differences of its loss.
pub fn check_fd(case: &Case, inp: &Inputs) -> Result<(), TestCaseError> {
    let (build, p) = (case.build, &inp.p);
    let l = loss_value(build, &inp.xs, p);
    prop_assert!(l.is_finite(), "{}: loss {l} is not finite", case.name);
    let analytic = grads_numeric(build, &inp.xs, p);
    let numeric = fd_grads(&inp.xs, |xs| loss_value(build, xs, p));
    for (k, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
        prop_assert_eq!(a.shape(), inp.xs[k].shape(), "{}: gradient shape of input {}", case.name, k);
        assert_close(&format!("{}: d loss / d x{k}", case.name), a.data(), n.data(), case.tol)?;
    }
    Ok(())
}

/// Checks that the numeric and the recorded backward agree.
pub fn check_agree(case: &Case, inp: &Inputs) -> Result<(), TestCaseError> {
    let numeric = grads_numeric(case.build, &inp.xs, &inp.p);
    let recorded = grads_recorded(case.build, &inp.xs, &inp.p);
    for (k, (a, b)) in numeric.iter().zip(&recorded).enumerate() {
        prop_assert_eq!(a.shape(), b.shape(), "{}: gradient shapes of input {}", case.name, k);
        assert_close(
            &format!("{}: recorded vs numeric gradient of x{k}", case.name),
            b.data(),
            a.data(),
            AGREE_TOL,
        )?;
    }
    Ok(())
}

/// Checks the gradient of ⟨∇loss, v⟩ (backward_graph, then backward) against finite
/// differences of the numeric first gradient.
pub fn check_second_order(case: &Case, inp: &Inputs) -> Result<(), TestCaseError> {
    let (build, p) = (case.build, &inp.p);
    let analytic = grad_grad(build, &inp.xs, p);
    let numeric = fd_grads(&inp.xs, |xs| grad_dot_v(build, xs, p));
    for (k, (a, n)) in analytic.iter().zip(&numeric).enumerate() {
        assert_close(&format!("{}: d<grad, v> / d x{k}", case.name), a.data(), n.data(), case.tol)?;
    }
    Ok(())
}
