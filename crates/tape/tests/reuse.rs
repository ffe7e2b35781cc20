//! Reused memory must not leak into results. A reset tape hands new tensors the previous
//! step's (stale) values without zero-filling them, and a reused `Grads` buffer keeps the
//! previous sweep's adjoints, whose first contribution overwrites them. Here the previous
//! step leaves NaN everywhere; every op family must then give bit for bit what it gives on
//! a fresh tape with a fresh buffer.

use wengert_tape::{Grads, Tape, Tensor, Var};

/// A program touching every op that writes a new tensor: elementwise maps and binaries,
/// broadcasting, sums to a shape and over axes, max, matmul (GEMM, matrix-vector, batched),
/// and every layout op, including the partial writers `pad` and `scatter_rows`.
fn program<'t>(t: &'t Tape<f64>, p: &[Var<'t, f64>]) -> Var<'t, f64> {
    let (a, b, w, v) = (p[0], p[1], p[2], p[3]); // [4,3], [3], [3,5], [3,1]
    let h = (a * b + a.sin()).relu() + a.square() * 0.5; // broadcast of b
    let z = h.matmul(w).tanh(); // [4,5]
    let zv = h.matmul(v).sigmoid(); // [4,1], matrix-vector
    let padded = z.pad(1, 2, 9).softplus(); // [4,9]
    let scattered = z.scatter_rows(&[3, 0, 0, 2], 6).exp(); // [6,5], rows added
    let picked = z.index_select(&[1, 1, 3]).sum_axis(0, false); // [5]
    let cat = Var::concat(&[z.slice(1, 1, 3), zv.broadcast_to(&[4, 2])], 1); // [4,5]
    let perm = cat.transpose().reshape(&[20]).max_axis(0, true); // [1]
    let batched = a.reshape(&[2, 2, 3]).matmul(w.reshape(&[1, 3, 5]).broadcast_to(&[2, 3, 5]));
    let lse = z.logsumexp(1, false);
    let c = t.constant(&Tensor::from([[1.0, -2.0, 0.5]]));
    // Sole consumers, so their rules make the first write into their inputs' adjoints:
    // a middle column (the slice's rule zeroes the rest of the row) and a reshape.
    let only = (a * 2.0).slice(1, 1, 1).sum() + (b * 3.0).reshape(&[3, 1]).square().sum();
    (padded.sum() + scattered.mean() + (picked * 2.0).sum() + cat.max() + perm.sum())
        + batched.sum_to(&[2, 5]).mean()
        + lse.sum()
        + (a * c).sum_to(&[1, 3]).sum()
        + (a / (b.abs() + 1.0)).ln_1p_sum()
        + only
}

/// `ln(1 + x)` summed, through `ln` of `1 + x` so the test uses only the public ops.
trait Ln1pSum<'t> {
    fn ln_1p_sum(self) -> Var<'t, f64>;
}
impl<'t> Ln1pSum<'t> for Var<'t, f64> {
    fn ln_1p_sum(self) -> Var<'t, f64> {
        (self.abs() + 1.0).ln().sum()
    }
}

fn inputs() -> Vec<Tensor<f64>> {
    let f = |n: usize, s: f64| (0..n).map(|i| ((i as f64 + 1.0) * s).sin()).collect::<Vec<_>>();
    vec![
        Tensor::new(&[4, 3], f(12, 0.7)).unwrap(),
        Tensor::new(&[3], f(3, 1.3)).unwrap(),
        Tensor::new(&[3, 5], f(15, 0.4)).unwrap(),
        Tensor::new(&[3, 1], f(3, 2.1)).unwrap(),
    ]
}

/// Value and gradients of [`program`] on `tape`, with `grads`.
fn run(tape: &Tape<f64>, grads: &mut Grads<f64>) -> (u64, Vec<Vec<u64>>) {
    let p: Vec<Var<'_, f64>> = inputs().iter().map(|x| tape.var(x)).collect();
    let y = program(tape, &p);
    y.backward_into(grads);
    let bits = |s: &[f64]| s.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
    (y.item().to_bits(), p.iter().map(|&x| bits(&grads[x])).collect())
}

/// Fills the tape's buffer and the gradient buffer with NaN: a large NaN tensor, used
/// twice so the sweep writes NaN adjoints everywhere.
fn poison(tape: &mut Tape<f64>, grads: &mut Grads<f64>) {
    tape.reset();
    let big = tape.var(&Tensor::new(&[64, 64], vec![f64::NAN; 64 * 64]).unwrap());
    let y = (big * big + big.exp()).matmul(big).relu().sum();
    y.backward_into(grads);
    assert!(y.item().is_nan());
}

#[test]
fn stale_values_and_adjoints_do_not_leak() {
    let fresh = run(&Tape::new(), &mut Grads::new());
    assert!(f64::from_bits(fresh.0).is_finite());

    let mut tape = Tape::new();
    let mut grads = Grads::new();
    for _ in 0..3 {
        poison(&mut tape, &mut grads);
        tape.reset();
        assert_eq!(run(&tape, &mut grads), fresh, "after a reset over NaN");
    }

    // The same after a rewind to a mark, with data kept below it.
    poison(&mut tape, &mut grads);
    tape.reset();
    let keep = tape.constant(&Tensor::from([1.0, 2.0])).node();
    let mark = tape.mark();
    let _ = tape.var(&Tensor::new(&[50, 50], vec![f64::NAN; 2500]).unwrap()).exp().sum().backward();
    tape.rewind(&mark);
    assert!(tape.get(keep).is_some());
    assert_eq!(run(&tape, &mut grads), fresh, "after a rewind over NaN");
}

/// A variable used twice by one binary op (`x · x`, `x.matmul(x)`): the first use writes
/// its adjoint, the second must add to it.
#[test]
fn repeated_operands_after_stale_adjoints() {
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    poison(&mut tape, &mut grads);
    tape.reset();
    let x = tape.var(&Tensor::from([[1.0, 2.0], [3.0, 4.0]]));
    let y = (x * x).sum() + x.matmul(x).sum();
    y.backward_into(&mut grads);
    // d/dx Σ x² = 2x; ∂/∂x_ab Σ (x·x) = (row sum b) + (column sum a) = 3|7 + 4|6.
    let want = [2.0 + 3.0 + 4.0, 4.0 + 7.0 + 4.0, 6.0 + 3.0 + 6.0, 8.0 + 7.0 + 6.0];
    assert_eq!(grads[x], want);
}

/// Raises the tape's high-water marks with a scalar program, then resets it: scalars
/// recorded next take the in-place fast path.
fn reset_with_room(tape: &mut Tape<f64>) {
    {
        let mut s = tape.scalar(1.0);
        for _ in 0..64 {
            s = s * 1.5 + 1.0;
        }
    }
    tape.reset();
}

#[test]
fn scalars_after_a_tensor_on_a_reused_tape() {
    // A leaf of 5, 0 or 1 elements first: after it the values no longer sit at the nodes'
    // indices (except for 1), so the scalars recorded in place must not take the dense
    // sweep's layout. Seen to panic (5) and to read the wrong values (0) when the tape
    // stayed "dense" after a multi-element node.
    for n in [5, 0, 1] {
        let mut tape = Tape::new();
        reset_with_room(&mut tape);
        let x = tape.var(&Tensor::from(vec![2.0; n]));
        let s = tape.scalar(7.0);
        let y = s * s * 3.0 + s.sin();
        let g = y.backward();
        assert_eq!(g.scalar(s), 6.0 * 7.0 + 7f64.cos(), "n = {n}");
        assert_eq!(y.item(), 3.0 * 49.0 + 7f64.sin());
        let z = (x * s).sum() + s;
        assert_eq!(z.backward().scalar(s), 2.0 * n as f64 + 1.0, "n = {n}");
    }
}

#[test]
fn hooks_switched_on_between_scalars_on_a_reused_tape() {
    let mut tape = Tape::new();
    reset_with_room(&mut tape);
    let x = tape.scalar(0.5);
    let a = x * 2.0; // in place, no location
    tape.record_locations(true);
    let line = line!() + 1;
    let b = a * x;
    tape.record_locations(false);
    let c = b + 1.0; // in place again
    let text = tape.to_string();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[2].ends_with(&format!("reuse.rs:{line}]")), "{text}");
    assert!(!lines[1].contains("reuse.rs") && !lines[3].contains("reuse.rs"), "{text}");
    assert_eq!(c.backward().scalar(x), 2.0 * 0.5 * 2.0);
    // Anomaly mode switched on between scalars also sees the in-place ones after it.
    tape.detect_anomaly(true);
    let d = (c - c).ln(); // -inf
    assert_eq!(tape.anomaly().map(|a| a.node), Some(d.node()));
}
