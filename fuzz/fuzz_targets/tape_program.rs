//! Bytes → a random tape program (leaves of random shapes and values, including NaN, ±inf,
//! ±0 and huge numbers; random ops with random arguments; random reuse of earlier nodes),
//! then forward, backward, backward with a seed, and the recorded backward.
//!
//! Checked:
//! * the fallible API (`try_*`, `Tape::custom`, `try_backward*`) never panics;
//! * `try_backward` of a non-scalar is `NotScalar`, a seed of the wrong shape is refused;
//! * every error message names the op it came from;
//! * the numeric backward and the recorded backward (`backward_graph`) agree wherever both
//!   are finite and the program's values are moderate;
//! * the program gives bit-identical results when replayed after `Tape::rewind`.
#![no_main]

use std::rc::Rc;

use libfuzzer_sys::fuzz_target;
use wengert_tape::{CustomOp, Error, PadFill, Result, Tape, Tensor, Var, Window2d};

/// A cursor over the fuzzer's bytes; reads past the end give zeros.
struct Bytes<'a> {
    d: &'a [u8],
    i: usize,
}

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        let b = self.d.get(self.i).copied().unwrap_or(0);
        self.i += 1;
        b
    }
    fn done(&self) -> bool {
        self.i >= self.d.len()
    }
    fn below(&mut self, n: usize) -> usize {
        self.u8() as usize % n.max(1)
    }
    fn value(&mut self) -> f64 {
        match self.u8() {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => f64::NEG_INFINITY,
            3 => 0.0,
            4 => -0.0,
            5 => 1e300,
            6 => -1e-310,
            7 => 1.0,
            b => (b as f64 - 132.0) / 16.0,
        }
    }
    fn dim(&mut self) -> usize {
        [0, 1, 1, 1, 2, 2, 3, 3][self.below(8)]
    }
    fn shape(&mut self) -> Vec<usize> {
        let rank = self.below(5);
        (0..rank).map(|_| self.dim()).collect()
    }
    fn axis(&mut self) -> isize {
        (self.u8() as i8 % 5) as isize
    }
    fn tensor(&mut self, shape: &[usize]) -> Tensor {
        let n: usize = shape.iter().product();
        let data = (0..n).map(|_| self.value()).collect();
        Tensor::new(shape, data).expect("element count matches the shape")
    }
}

/// y = x³, with both backward rules.
struct Cube;

impl CustomOp<f64> for Cube {
    fn name(&self) -> &str {
        "cube"
    }
    fn forward(&self, x: &[&Tensor]) -> Result<Tensor> {
        Ok(x[0].map(|v| v * v * v))
    }
    fn vjp(&self, x: &[&Tensor], _y: &Tensor, g: &Tensor) -> Vec<Tensor> {
        vec![Tensor::from_fn(x[0].shape(), |i| 3.0 * x[0].data()[i] * x[0].data()[i] * g.data()[i])]
    }
    fn vjp_graph<'t>(&self, x: &[Var<'t>], _y: Var<'t>, g: Var<'t>) -> Option<Vec<Var<'t>>> {
        Some(vec![x[0] * x[0] * g * 3.0])
    }
}

/// Elementwise a·b for operands of equal shape; an error otherwise.
struct Times;

impl CustomOp<f64> for Times {
    fn name(&self) -> &str {
        "times"
    }
    fn forward(&self, x: &[&Tensor]) -> Result<Tensor> {
        if x.len() != 2 || x[0].shape() != x[1].shape() {
            return Err(Error::InvalidArgument {
                op: "times",
                msg: "needs two operands of one shape".into(),
            });
        }
        Ok(Tensor::from_fn(x[0].shape(), |i| x[0].data()[i] * x[1].data()[i]))
    }
    fn vjp(&self, x: &[&Tensor], _y: &Tensor, g: &Tensor) -> Vec<Tensor> {
        vec![
            Tensor::from_fn(x[0].shape(), |i| x[1].data()[i] * g.data()[i]),
            Tensor::from_fn(x[1].shape(), |i| x[0].data()[i] * g.data()[i]),
        ]
    }
    fn vjp_graph<'t>(&self, x: &[Var<'t>], _y: Var<'t>, g: Var<'t>) -> Option<Vec<Var<'t>>> {
        Some(vec![x[1] * g, x[0] * g])
    }
}

fn check_error(e: &Error) {
    let msg = e.to_string();
    assert!(!msg.is_empty());
    let op = match e {
        Error::ShapeMismatch { op, .. }
        | Error::InvalidAxis { op, .. }
        | Error::ElementCount { op, .. }
        | Error::NotScalar { op, .. }
        | Error::InvalidArgument { op, .. }
        | Error::TapeMismatch { op, .. } => *op,
        Error::ReshapeSize { .. } => "reshape",
        _ => return,
    };
    assert!(msg.contains(op), "message does not name the op {op}: {msg}");
}

fn pick<'t>(b: &mut Bytes, vars: &[Var<'t>]) -> Var<'t> {
    // Bias towards recent nodes, with random reuse of any earlier one.
    let k = b.u8() as usize;
    if k < 128 {
        vars[vars.len() - 1 - k % vars.len().min(3)]
    } else {
        vars[k % vars.len()]
    }
}

fn indices(b: &mut Bytes) -> Vec<usize> {
    let n = b.below(5);
    (0..n).map(|_| b.below(5)).collect()
}

/// A second operand for `x`: an earlier node, or `x` itself when the two together could
/// broadcast into more than the element budget in one step (`[n, 1] + [1, n]`, or the
/// batch axes of a matmul: an outer product of their sizes).
fn pair<'t>(b: &mut Bytes, vars: &[Var<'t>], x: Var<'t>) -> Var<'t> {
    let y = pick(b, vars);
    if x.len().saturating_mul(y.len()) > ELEMENT_BUDGET {
        x
    } else {
        y
    }
}

/// One op on earlier nodes. `Err` is an expected refusal of the fallible API.
fn step<'t>(t: &'t Tape, b: &mut Bytes, vars: &[Var<'t>]) -> Result<Var<'t>> {
    let x = pick(b, vars);
    let op = b.below(77);
    Ok(match op {
        0 => x.try_add(pair(b, vars, x))?,
        1 => x.try_sub(pair(b, vars, x))?,
        2 => x.try_mul(pair(b, vars, x))?,
        3 => x.try_div(pair(b, vars, x))?,
        4 => x.try_pow(pair(b, vars, x))?,
        5 => x.try_maximum(pair(b, vars, x))?,
        6 => x.try_minimum(pair(b, vars, x))?,
        7 => x.try_max_weight(pair(b, vars, x))?,
        8 => x.try_eq_mask(pair(b, vars, x))?,
        9 => x.try_matmul(pair(b, vars, x))?,
        10 => {
            let n = 1 + b.below(3);
            let xs: Vec<Var> = (0..n).map(|_| pick(b, vars)).collect();
            Var::try_concat(&xs, b.axis())?
        }
        11 => x.exp(),
        12 => x.ln(),
        13 => x.log1p(),
        14 => x.sqrt(),
        15 => x.sin(),
        16 => x.cos(),
        17 => x.tanh(),
        18 => x.sigmoid(),
        19 => x.softplus(),
        20 => x.relu(),
        21 => x.abs(),
        22 => x.square(),
        23 => x.step_mask(),
        24 => x.sign(),
        25 => x.is_zero(),
        26 => x.powf(b.value()),
        27 => x.clamp(b.value(), b.value()),
        28 => x.rsub(b.value()),
        29 => x.rdiv(b.value()),
        30 => x.range_mask(b.value(), b.value()),
        31 => x.sum(),
        32 => x.mean(),
        33 => x.try_sum_axis(b.axis(), b.u8() & 1 == 1)?,
        34 => x.try_mean_axis(b.axis(), b.u8() & 1 == 1)?,
        35 => x.try_max()?,
        36 => x.try_max_axis(b.axis(), b.u8() & 1 == 1)?,
        37 => x.try_logsumexp(b.axis(), b.u8() & 1 == 1)?,
        38 | 39 => {
            // log_softmax/softmax have no try_ twin and panic where try_logsumexp fails
            // (a bad axis, an empty axis): call them only after it succeeded.
            let axis = b.axis();
            x.try_logsumexp(axis, true)?;
            let y = x.log_softmax(axis);
            if op == 39 {
                y.exp()
            } else {
                y
            }
        }
        40 => x.try_reshape(&b.shape())?,
        41 => {
            let mut s = x.shape().to_vec();
            s.reverse();
            x.try_reshape(&s)?
        }
        42 => x.try_broadcast_to(&b.shape())?,
        43 => {
            let r = x.shape().len();
            let mut perm: Vec<usize> = (0..r).collect();
            for i in (1..r).rev() {
                perm.swap(i, b.below(i + 1));
            }
            if b.u8() == 0 {
                perm.push(b.below(4)); // sometimes a bad permutation
            }
            x.try_permute(&perm)?
        }
        44 => x.try_transpose()?,
        45 => x.try_slice(b.axis(), b.below(4), b.below(4))?,
        46 => x.try_pad(b.axis(), b.below(4), b.below(8))?,
        47 => x.try_index_select(&indices(b))?,
        48 => x.try_scatter_rows(&indices(b), b.below(6))?,
        49 => x.try_sum_to(&b.shape())?,
        50 => x.detach(),
        51 => t.custom(Rc::new(Cube), &[x])?,
        52 => t.custom(Rc::new(Times), &[x, pick(b, vars)])?,
        53 => x * b.value(),
        54 => b.value() - x,
        55 => -x,
        56 => {
            let s = b.shape();
            t.constant(&b.tensor(&s))
        }
        57 => x.try_masked(pair(b, vars, x))?,
        58 => x.try_select(pair(b, vars, x), pair(b, vars, x))?,
        60 => x.try_gt_mask(pair(b, vars, x))?,
        61 => x.try_le_mask(pair(b, vars, x))?,
        62 => x.erf(),
        63 => x.erfc(),
        64 => x.expm1(),
        65 => x.sinh(),
        66 => x.cosh(),
        67 => x.atan(),
        68 => x.asin(),
        69 => x.acos(),
        70 => x.try_atan2(pair(b, vars, x))?,
        71 => x.lgamma(),
        72 => x.digamma(),
        73 => x.polygamma(b.below(4) as u32),
        74 => x.try_unfold2d(window(b))?,
        75 => {
            // Folding a 4-d input's own columns back (the shapes fit), else any input
            // (usually refused).
            let win = window(b);
            let s = x.shape();
            if s.len() == 4 && b.u8() & 1 == 1 {
                x.try_unfold2d(win)?.try_fold2d([s[2], s[3]], win)?
            } else {
                x.try_fold2d([b.below(5), b.below(5)], win)?
            }
        }
        59 => {
            // An index shape near x's (each dimension perhaps one shorter, any length
            // along the axis), indices sometimes out of range.
            let axis = b.axis();
            let mut s = x.shape().to_vec();
            for d in s.iter_mut() {
                if b.u8() & 1 == 1 {
                    *d = d.saturating_sub(1);
                }
            }
            if !s.is_empty() {
                let r = s.len() as isize;
                s[axis.rem_euclid(r) as usize] = b.below(4);
            }
            let n = s.iter().product::<usize>().min(64);
            let idx: Vec<usize> = (0..n).map(|_| b.below(4)).collect();
            x.try_gather(axis, &s, &idx)?
        }
        _ => {
            let s = b.shape();
            t.var(&b.tensor(&s))
        }
    })
}

/// A sliding window: kernel 1..=3, stride and dilation 0..=2 (0 is refused), padding
/// 0..=2, either fill.
fn window(b: &mut Bytes) -> Window2d {
    let mut two = |lo: usize, n: usize| [lo + b.below(n), lo + b.below(n)];
    let (kernel, stride, padding, dilation) = (two(1, 3), two(0, 3), two(0, 3), two(0, 3));
    let fill = if b.u8() & 1 == 1 { PadFill::NegInfinity } else { PadFill::Zero };
    Window2d { kernel, stride, padding, dilation, fill }
}

fn finite_and_moderate(v: &[f64]) -> bool {
    v.iter().all(|x| x.is_finite() && x.abs() < 1e6)
}

/// Runs the program; returns every value and gradient it computed, as bits.
/// The elements a program may create before it stops (see `run`).
const ELEMENT_BUDGET: usize = 1 << 16;

fn run(t: &Tape, data: &[u8]) -> Vec<u64> {
    let mut b = Bytes { d: data, i: 0 };
    let flags = b.u8();
    t.detect_anomaly(flags & 1 == 1);
    let mut leaves = Vec::new();
    for _ in 0..1 + b.below(3) {
        let s = b.shape();
        leaves.push(t.var(&b.tensor(&s)));
    }
    let mut vars = leaves.clone();
    // Broadcasts, concatenations, pads and outer products can grow tensors geometrically
    // over 48 steps; the engine then allocates what the program asks for (an input once
    // reached 700 MB). Stop the program at a budget of elements instead.
    let mut elements: usize = vars.iter().map(|v| v.len()).sum();
    for _ in 0..48 {
        if b.done() || elements > ELEMENT_BUDGET {
            break;
        }
        match step(t, &mut b, &vars) {
            Ok(v) => {
                elements += v.len();
                vars.push(v);
            }
            Err(e) => check_error(&e),
        }
    }
    let out = *vars.last().expect("at least one leaf");
    let mut bits: Vec<u64> = vars.iter().flat_map(|v| v.value().into_data()).map(f64::to_bits).collect();
    let anomaly_mode = t.anomaly_mode();

    // Backward from the output itself: only a scalar (or one element) may be differentiated.
    match out.try_backward() {
        Ok(_) => assert!(out.len() == 1, "backward of {:?} succeeded", out.shape()),
        Err(Error::NotScalar { .. }) => assert!(out.len() != 1 && !out.shape().is_empty()),
        Err(Error::NonFinite(_)) => assert!(anomaly_mode),
        Err(e) => panic!("unexpected error from try_backward: {e}"),
    }
    // A seed of the wrong shape is refused; one of the right shape is a VJP.
    let mut wrong = out.shape().to_vec();
    wrong.push(2);
    assert!(matches!(
        out.try_backward_with_seed(&Tensor::zeros(&wrong)),
        Err(Error::InvalidArgument { op: "backward_with_seed", .. })
    ));
    let seed = b.tensor(&out.shape());
    match out.try_backward_with_seed(&seed) {
        Ok(g) => {
            for &x in &leaves {
                // A leaf recorded after the output (an op may return its operand) has none.
                if let Some(d) = g.get(x) {
                    assert_eq!(d.len(), x.len());
                    bits.extend(d.iter().map(|v| v.to_bits()));
                }
            }
        }
        Err(Error::NonFinite(a)) => {
            assert!(anomaly_mode);
            assert!(!a.to_string().is_empty());
        }
        Err(e) => panic!("unexpected error from try_backward_with_seed: {e}"),
    }

    // Numeric against recorded backward of a scalar loss.
    let loss = out.sum();
    let numeric = match loss.try_backward() {
        Ok(g) => g,
        Err(Error::NonFinite(_)) if anomaly_mode => return bits,
        Err(e) => panic!("unexpected error from try_backward of a scalar: {e}"),
    };
    let recorded = loss.backward_graph();
    let moderate = vars.iter().all(|v| finite_and_moderate(v.value().data()));
    for &x in &leaves {
        let zeros = vec![0.0; x.len()];
        let a = numeric.get(x).map_or(zeros.clone(), <[f64]>::to_vec);
        let r = recorded.get(x).map_or(zeros, |v| v.value().into_data());
        assert_eq!(a.len(), r.len());
        bits.extend(a.iter().map(|v| v.to_bits()));
        if !moderate {
            continue;
        }
        for (i, (&p, &q)) in a.iter().zip(&r).enumerate() {
            if p.is_finite() && q.is_finite() {
                assert!(
                    (p - q).abs() <= 1e-6 * (1.0 + p.abs() + q.abs()),
                    "leaf {} element {i}: numeric backward {p:e}, recorded backward {q:e}",
                    x.node()
                );
            }
        }
    }
    bits
}

fuzz_target!(|data: &[u8]| {
    let mut t = Tape::new();
    let mark = t.mark();
    let first = run(&t, data);
    t.rewind(&mark);
    let second = run(&t, data);
    assert!(first == second, "replay after rewind differs");
});
