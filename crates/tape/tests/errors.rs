//! Bad input through the fallible API: every refusal is an `Err` (never a panic) of the
//! right variant, whose message names the op, the shapes and the nodes (`v3`); a refused op
//! records nothing. Non-finite values follow IEEE arithmetic, and anomaly mode names the
//! first node that made one.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::rc::Rc;
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::time::Duration;

use wengert_tape::{CustomOp, Error, NodeId, Phase, Result, Tape, Tensor, Var};

/// Runs a fallible call, failing the test if it panics, and returns its error.
fn refused<V: std::fmt::Debug>(what: &str, f: impl FnOnce() -> Result<V>) -> Error {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(Ok(v)) => panic!("{what}: expected an error, got {v:?}"),
        Ok(Err(e)) => e,
        Err(_) => panic!("{what}: the fallible API panicked"),
    }
}

/// Fails unless every part appears in the error's message.
fn assert_names(e: &Error, parts: &[&str]) {
    let msg = e.to_string();
    for p in parts {
        assert!(msg.contains(p), "{p:?} missing from {msg:?}");
    }
}

/// A tape with two unrelated leading nodes, so the operands below are `v2` and `v3`.
fn tape_with_padding() -> Tape {
    let t = Tape::<f64>::new();
    t.scalar(0.0);
    t.scalar(0.0);
    t
}

type Binary = for<'t> fn(Var<'t>, Var<'t>) -> Result<Var<'t>>;

/// Every fallible elementwise binary op, with its name in errors.
fn binary_ops() -> [(&'static str, Binary); 14] {
    [
        ("add", |a, b| a.try_add(b)),
        ("sub", |a, b| a.try_sub(b)),
        ("mul", |a, b| a.try_mul(b)),
        ("div", |a, b| a.try_div(b)),
        ("pow", |a, b| a.try_pow(b)),
        ("maximum", |a, b| a.try_maximum(b)),
        ("minimum", |a, b| a.try_minimum(b)),
        ("max_weight", |a, b| a.try_max_weight(b)),
        ("eq_mask", |a, b| a.try_eq_mask(b)),
        ("masked", |a, b| a.try_masked(b)),
        ("gt_mask", |a, b| a.try_gt_mask(b)),
        ("ge_mask", |a, b| a.try_ge_mask(b)),
        // lt and le are gt and ge with the operands swapped, and say so.
        ("gt_mask", |a, b| b.try_lt_mask(a)),
        ("ge_mask", |a, b| b.try_le_mask(a)),
    ]
}

#[test]
fn every_binary_op_refuses_incompatible_shapes() {
    let t = tape_with_padding();
    let a = t.var(&Tensor::zeros(&[2, 3]));
    let b = t.var(&Tensor::zeros(&[4]));
    let n = t.len();
    for (op, f) in binary_ops() {
        for (l, r, ls, rs) in [(a, b, "[2, 3]", "[4]"), (b, a, "[4]", "[2, 3]")] {
            let e = refused(op, || f(l, r));
            assert_eq!(
                e,
                Error::ShapeMismatch {
                    op,
                    lhs: l.shape(),
                    rhs: r.shape(),
                    lhs_node: l.node(),
                    rhs_node: r.node(),
                }
            );
            assert!(e.to_string().starts_with(op), "{e}");
            assert_names(&e, &[ls, rs, &l.node().to_string(), &r.node().to_string()]);
        }
    }
    // Broadcasting that does fit is accepted: [2, 3] with [3], [2, 1] and [].
    for s in [&[3][..], &[2, 1], &[]] {
        let c = t.var(&Tensor::ones(s));
        for (op, f) in binary_ops() {
            assert_eq!(f(a, c).unwrap_or_else(|e| panic!("{op}: {e}")).shape().as_slice(), [2, 3]);
        }
    }
    // The refusals recorded nothing.
    assert!(t.len() > n);
    let m = t.len();
    let _ = a.try_add(b);
    assert_eq!(t.len(), m);
}

#[test]
fn matmul_refuses_inner_batch_and_rank_mismatches() {
    let t = tape_with_padding();
    let cases: [(&[usize], &[usize], &str); 10] = [
        (&[2, 3], &[4, 2], "inner"),
        (&[2, 2, 3], &[3, 3, 2], "batch"),
        (&[3], &[4, 2], "rank 1 left, inner"),
        (&[2, 3], &[4], "rank 1 right, inner"),
        (&[3], &[2], "rank 1 both, inner"),
        (&[], &[], "rank 0"),
        (&[3], &[], "rank 1 and 0"),
        (&[2, 2, 2, 3], &[3, 2, 3, 2], "rank 4, batches that do not broadcast"),
        (&[1, 2, 2, 2], &[3], "rank 4 and 1, inner"),
        (&[5, 2, 4, 3], &[5, 1, 4, 2], "rank 4, inner"),
    ];
    for (ls, rs, what) in cases {
        let a = t.var(&Tensor::zeros(ls));
        let b = t.var(&Tensor::zeros(rs));
        let n = t.len();
        let e = refused(what, || a.try_matmul(b));
        assert_eq!(
            e,
            Error::ShapeMismatch {
                op: "matmul",
                lhs: a.shape(),
                rhs: b.shape(),
                lhs_node: a.node(),
                rhs_node: b.node()
            },
            "{what}"
        );
        assert!(e.to_string().starts_with("matmul"), "{what}: {e}");
        assert_names(
            &e,
            &[&format!("{ls:?}"), &format!("{rs:?}"), &a.node().to_string(), &b.node().to_string()],
        );
        assert_eq!(t.len(), n, "{what}: a refused matmul recorded a node");
    }
    // Equal batches multiply: [4, 2, 3] × [4, 3, 2] is fine.
    let a = t.var(&Tensor::zeros(&[4, 2, 3]));
    let b = t.var(&Tensor::zeros(&[4, 3, 2]));
    assert_eq!(a.try_matmul(b).map(|y| y.shape()).ok(), Some([4, 2, 2].as_slice().into()));
    // A batch of 1 is broadcast against a larger one, on either side.
    let one = t.var(&Tensor::zeros(&[1, 3, 2]));
    assert_eq!(a.try_matmul(one).map(|y| y.shape()).ok(), Some([4, 2, 2].as_slice().into()));
    let one = t.var(&Tensor::zeros(&[1, 2, 3]));
    assert_eq!(one.try_matmul(b).map(|y| y.shape()).ok(), Some([4, 2, 2].as_slice().into()));
    // 1-d operands are promoted as numpy does, and the promoted axis dropped.
    let shape = |ls: &[usize], rs: &[usize]| {
        let y = t.var(&Tensor::zeros(ls)).try_matmul(t.var(&Tensor::zeros(rs))).unwrap();
        y.shape().to_vec()
    };
    assert_eq!(shape(&[3], &[3, 2]), [2]);
    assert_eq!(shape(&[2, 3], &[3]), [2]);
    assert_eq!(shape(&[3], &[3]), [] as [usize; 0]);
    assert_eq!(shape(&[4, 2, 3], &[3]), [4, 2]);
    assert_eq!(shape(&[3], &[4, 3, 2]), [4, 2]);
    // Batch axes broadcast as numpy's, at any rank.
    assert_eq!(shape(&[2, 1, 4, 3], &[5, 3, 2]), [2, 5, 4, 2]);
    assert_eq!(shape(&[1, 2, 3], &[2, 2, 3, 2]), [2, 2, 2, 2]);
    assert_eq!(shape(&[2, 3, 4, 3], &[3]), [2, 3, 4]);
    assert_eq!(shape(&[3], &[2, 3, 3, 2]), [2, 3, 2]);
    assert_eq!(shape(&[1, 1, 4, 3], &[3, 2]), [1, 1, 4, 2]);
    assert_eq!(shape(&[0, 4, 3], &[2, 1, 3, 2]), [2, 0, 4, 2]);
}

#[test]
fn matmul_add_refuses_operands_and_terms_that_do_not_fit() {
    let t = tape_with_padding();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    let w = t.var(&Tensor::zeros(&[3, 4]));
    let w_bad = t.var(&Tensor::zeros(&[2, 4]));
    let n = t.len();
    // Inner dimensions.
    let e = refused("inner", || x.try_matmul_add(w_bad, w_bad));
    assert_eq!(
        e,
        Error::ShapeMismatch {
            op: "matmul_add",
            lhs: x.shape(),
            rhs: w_bad.shape(),
            lhs_node: x.node(),
            rhs_node: w_bad.node()
        }
    );
    // A term that does not broadcast to the product's [2, 4]: named with its node, and
    // the product as the product of x and w (it has no node of its own).
    for cs in [&[3][..], &[2, 3], &[4, 1], &[3, 2, 4]] {
        let c = t.var(&Tensor::zeros(cs));
        let m = t.len();
        let e = refused("term", || x.try_matmul_add(w, c));
        assert!(matches!(&e, Error::InvalidArgument { op: "matmul_add", .. }), "{cs:?}: {e:?}");
        let term = format!("the term {cs:?} ({})", c.node());
        assert_names(&e, &["matmul_add", &term, "[2, 4], the shape of the product of v2 and v3"]);
        assert!(!e.to_string().contains("[2, 4] (v"), "{e}");
        assert_eq!(t.len(), m, "{cs:?}: a refused matmul_add recorded a node");
    }
    assert_eq!(t.len(), n + 4);
    // Other ranks record a matmul and an add, but check everything first: a refusal names
    // matmul_add and records nothing.
    let x3 = t.var(&Tensor::zeros(&[5, 2, 3]));
    let v = t.var(&Tensor::zeros(&[3]));
    for (a, b, cs, out) in [
        (x3, w, &[3][..], "[5, 2, 4]"),
        (x3, w, &[3, 2, 4], "[5, 2, 4]"),
        (x, v, &[3], "[2]"),
        (v, w, &[2, 4], "[4]"),
    ] {
        let c = t.var(&Tensor::zeros(cs));
        let m = t.len();
        let e = refused("term", || a.try_matmul_add(b, c));
        assert!(matches!(&e, Error::InvalidArgument { op: "matmul_add", .. }), "{cs:?}: {e:?}");
        let product = format!("{out}, the shape of the product of {} and {}", a.node(), b.node());
        assert_names(&e, &[&format!("matmul_add: the term {cs:?} ({})", c.node()), &product]);
        assert_eq!(t.len(), m, "{cs:?}: a refused matmul_add recorded nodes");
    }
    let m = t.len();
    let e = refused("inner", || x3.try_matmul_add(w_bad, v));
    assert_eq!(
        e,
        Error::ShapeMismatch {
            op: "matmul_add",
            lhs: x3.shape(),
            rhs: w_bad.shape(),
            lhs_node: x3.node(),
            rhs_node: w_bad.node()
        }
    );
    assert_eq!(t.len(), m, "a refused matmul_add recorded nodes");
    // Terms that broadcast to the product are fine at every rank.
    for cs in [&[4][..], &[1, 4], &[2, 1], &[5, 1, 4], &[]] {
        let c = t.var(&Tensor::zeros(cs));
        assert_eq!(x3.try_matmul_add(w, c).unwrap().shape().as_slice(), [5, 2, 4], "{cs:?}");
    }
    // Another tape's term.
    let other = Tape::<f64>::new();
    let c = other.var(&Tensor::zeros(&[4]));
    assert!(matches!(
        refused("tape", || x.try_matmul_add(w, c)),
        Error::TapeMismatch { op: "matmul_add", .. }
    ));
}

#[test]
fn reshape_to_a_different_element_count() {
    let t = tape_with_padding();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    for to in [&[4][..], &[7], &[2, 2, 2], &[], &[0]] {
        let e = refused("reshape", || x.try_reshape(to));
        assert_eq!(e, Error::ReshapeSize { from: x.shape(), to: to.into(), node: NodeId(2) });
        assert_names(&e, &["reshape", "[2, 3]", &format!("{to:?}"), "v2", "6 elements"]);
    }
    // Same count in another layout is fine, including through a scalar.
    assert_eq!(x.try_reshape(&[3, 2]).unwrap().shape().as_slice(), [3, 2]);
    let s = t.scalar(1.0);
    assert_eq!(s.try_reshape(&[1, 1]).unwrap().shape().as_slice(), [1, 1]);
}

#[test]
fn axis_out_of_range_in_every_axis_op() {
    let t = tape_with_padding();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    let y = t.var(&Tensor::zeros(&[2, 3]));
    type AxisOp = for<'t> fn(Var<'t>, Var<'t>, isize) -> Result<Var<'t>>;
    let ops: [(&str, AxisOp); 7] = [
        ("sum_axis", |x, _, a| x.try_sum_axis(a, false)),
        ("mean_axis", |x, _, a| x.try_mean_axis(a, true)),
        ("max_axis", |x, _, a| x.try_max_axis(a, false)),
        ("logsumexp", |x, _, a| x.try_logsumexp(a, true)),
        ("slice", |x, _, a| x.try_slice(a, 0, 1)),
        ("pad", |x, _, a| x.try_pad(a, 0, 4)),
        ("concat", |x, y, a| Var::try_concat(&[x, y], a)),
    ];
    for (op, f) in ops {
        for axis in [2, -3, 100, -100, isize::MAX, isize::MIN] {
            let n = t.len();
            let e = refused(op, || f(x, y, axis));
            assert_eq!(t.len(), n, "{op} {axis}: a refused call recorded nodes");
            let Error::InvalidAxis { op: named, axis: a, shape, node } = &e else { panic!("{op}: {e:?}") };
            assert_eq!((*a, shape, *node), (axis, &x.shape(), x.node()), "{op} {axis}");
            assert_eq!(*named, op);
            assert_names(&e, &[op]);
            assert_names(&e, &[&format!("axis {axis}"), "[2, 3]", "v2", "rank 2"]);
        }
        // The valid axes, negative ones included, are accepted.
        for axis in [-2, -1, 0, 1] {
            assert!(f(x, y, axis).is_ok(), "{op} {axis}");
        }
    }
}

#[test]
fn backward_from_a_non_scalar_and_with_a_wrong_seed() {
    let t = tape_with_padding();
    let x = t.var(&Tensor::from([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]));
    let y = x.sin(); // v3
    let e = refused("try_backward", || y.try_backward().map(|_| ()));
    assert_eq!(e, Error::NotScalar { op: "backward", shape: [2, 3].as_slice().into(), node: NodeId(3) });
    assert_names(&e, &["backward", "[2, 3]", "v3", "backward_with_seed"]);
    // A one-element tensor of any rank is accepted.
    let one = x.slice(0, 0, 1).slice(1, 0, 1);
    assert!(one.try_backward().is_ok());
    // Seeds must have the output's shape exactly (no broadcasting, no reshaping).
    for s in [&[3, 2][..], &[6], &[2, 3, 1], &[], &[1, 3]] {
        let seed = Tensor::ones(s);
        let e = refused("try_backward_with_seed", || y.try_backward_with_seed(&seed).map(|_| ()));
        assert!(matches!(e, Error::InvalidArgument { op: "backward_with_seed", .. }), "{e:?}");
        assert_names(&e, &["backward_with_seed", &format!("{s:?}"), "[2, 3]", "v3"]);
    }
    let g = y.try_backward_with_seed(&Tensor::ones(&[2, 3])).unwrap();
    assert_eq!(g.wrt(x).data()[0], 1f64.cos());
}

/// y = x₁ · x₂ elementwise, to test tape checks of custom ops.
struct Times;

impl CustomOp<f64> for Times {
    fn name(&self) -> &str {
        "times"
    }
    fn forward(&self, x: &[&Tensor]) -> Result<Tensor> {
        Ok(Tensor::from_fn(x[0].shape(), |i| x[0].data()[i] * x[1].data()[i]))
    }
    fn vjp(&self, x: &[&Tensor], _y: &Tensor, g: &Tensor) -> Vec<Tensor> {
        vec![
            Tensor::from_fn(x[0].shape(), |i| x[1].data()[i] * g.data()[i]),
            Tensor::from_fn(x[1].shape(), |i| x[0].data()[i] * g.data()[i]),
        ]
    }
}

#[test]
fn variables_from_another_tape_in_every_combining_op() {
    let t1 = tape_with_padding();
    let t2 = Tape::<f64>::new();
    let a = t1.var(&Tensor::zeros(&[2, 2])); // v2 on t1
    let b = t2.var(&Tensor::zeros(&[2, 2])); // v0 on t2
    let (n1, n2) = (t1.len(), t2.len());
    // The message says which tape each operand is on, so `v0 and v0` cannot happen.
    let (a_on, b_on) = (format!("v2 (tape #{})", t1.id()), format!("v0 (tape #{})", t2.id()));
    let (a_on, b_on) = (a_on.as_str(), b_on.as_str());
    let check = |e: Error, op: &str, lhs: &str, rhs: &str| {
        assert!(matches!(&e, Error::TapeMismatch { op: o, .. } if *o == op), "{op}: {e:?}");
        assert_names(&e, &[op, &format!("{lhs} and {rhs} belong to different tapes")]);
    };
    for (op, f) in binary_ops() {
        check(refused(op, || f(a, b)), op, a_on, b_on);
        check(refused(op, || f(b, a)), op, b_on, a_on);
    }
    check(refused("matmul", || a.try_matmul(b)), "matmul", a_on, b_on);
    check(refused("concat", || Var::try_concat(&[a, a, b], 0)), "concat", a_on, b_on);
    // A custom op's error names the op ("times").
    check(refused("custom", || t1.custom(Rc::new(Times), &[a, b])), "times", a_on, b_on);
    // Even a custom op on the other tape with the operands swapped.
    check(refused("custom", || t2.custom(Rc::new(Times), &[b, a])), "times", b_on, a_on);
    check(refused("custom", || t1.custom(Rc::new(Times), &[a, a, b])), "times", a_on, b_on);
    let e = a.try_add(b).unwrap_err();
    assert!(
        matches!(e, Error::TapeMismatch { lhs_tape, rhs_tape, .. } if (lhs_tape, rhs_tape) == (t1.id(), t2.id())),
        "{e:?}"
    );
    // Two first nodes (both `v0`): only the tape numbers tell them apart.
    let (t3, t4) = (Tape::<f64>::new(), Tape::<f64>::new());
    let e = t3.scalar(0.0).try_add(t4.scalar(0.0)).unwrap_err();
    let want = format!("add: v0 (tape #{}) and v0 (tape #{}) belong to different tapes", t3.id(), t4.id());
    assert!(e.to_string().starts_with(&want), "{e}");
    assert_eq!((t1.len(), t2.len()), (n1, n2), "refused ops recorded nodes");
    // A seed of another tape's shape is still just a tensor: fine.
    assert!(a.sum().try_backward().is_ok());
}

#[test]
fn empty_tensors_reduce_by_convention() {
    let t = Tape::<f64>::new();
    t.detect_anomaly(true);
    let x = t.var(&Tensor::new(&[0, 3], vec![]).unwrap());
    // Sum of nothing is 0, and its gradient is an empty tensor.
    let s = x.sum();
    assert_eq!(s.item(), 0.0);
    assert_eq!(s.try_backward().unwrap().wrt(x).shape(), [0, 3]);
    assert_eq!(x.sum_axis(0, false).value().data(), [0.0, 0.0, 0.0]);
    assert!(t.anomaly().is_none());
    // Mean of nothing is NaN (0/0), and anomaly mode names the node that made it.
    let m = x.mean();
    assert!(m.item().is_nan());
    let a = t.anomaly().expect("mean of an empty tensor");
    assert_eq!((a.phase, a.node), (Phase::Forward, m.node()));
    let e = refused("backward of NaN mean", || m.try_backward().map(|_| ()));
    assert!(matches!(e, Error::NonFinite(_)));
    assert_names(&e, &[&m.node().to_string(), "forward sweep"]);
    // Max of nothing has no value: an error naming the op and the operand.
    let v = t.var(&Tensor::new(&[0], vec![]).unwrap());
    let e = refused("max", || v.try_max());
    assert!(matches!(e, Error::InvalidArgument { op: "max", .. }), "{e:?}");
    assert_names(&e, &["max", "[0]", &v.node().to_string(), "empty"]);
    let e = refused("max", || x.try_max());
    assert!(matches!(e, Error::InvalidArgument { op: "max", .. }), "{e:?}");
    // Max over an empty axis also fails; over a non-empty axis of an empty tensor the
    // result is empty.
    let e = refused("max_axis", || x.try_max_axis(0, false));
    assert_names(&e, &["max", "axis 0", "[0, 3]", "v0", "empty"]);
    assert_eq!(x.try_max_axis(1, false).unwrap().shape().as_slice(), [0]);
    let e = refused("logsumexp", || x.try_logsumexp(0, false));
    assert_names(&e, &["[0, 3]", "v0", "empty"]);
    // Min likewise, named as min (it is recorded as a negated max).
    let e = refused("min", || v.try_min());
    assert!(matches!(e, Error::InvalidArgument { op: "min", .. }), "{e:?}");
    assert_names(&e, &["min", "[0]", &v.node().to_string(), "empty"]);
    let e = refused("min_axis", || x.try_min_axis(0, false));
    assert_names(&e, &["min_axis", "axis 0", "[0, 3]", "v0", "empty"]);
    // A variance needs more elements than its correction.
    let w = t.var(&Tensor::from([[1.0, 2.0, 3.0]]));
    let e = refused("var", || w.try_var_axis(0, false, 1));
    assert!(matches!(e, Error::InvalidArgument { op: "var_axis", .. }), "{e:?}");
    assert_names(&e, &["var_axis", "axis 0", "[1, 3]", &w.node().to_string(), "correction 1", "has 1"]);
    let e = refused("std", || v.try_std(0));
    assert_names(&e, &["std", "[0]", "correction 0", "has 0"]);
    // The whole-tensor variance names the tensor as given, not its flattened copy.
    let one = t.var(&Tensor::from([[5.0]]));
    let n = t.len();
    let e = refused("var", || one.try_var(1));
    assert_names(&e, &["var of [1, 1]", &one.node().to_string(), "correction 1", "has 1"]);
    assert_eq!(t.len(), n, "a refused var recorded a node");
    assert_eq!(w.try_var_axis(1, false, 1).unwrap().value().data(), [1.0]);
}

/// `try_logsumexp` (and so `log_softmax`, `softmax`) reports its own errors, not those of
/// the `max_axis` it is built on.
#[test]
fn logsumexp_errors_name_logsumexp() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    let e = x.try_logsumexp(2, true).unwrap_err();
    assert_eq!(e, Error::InvalidAxis { op: "logsumexp", axis: 2, shape: x.shape(), node: x.node() });
    let empty = t.var(&Tensor::new(&[0, 3], vec![]).unwrap());
    let e = empty.try_logsumexp(0, true).unwrap_err();
    assert!(e.to_string().starts_with("logsumexp"), "{e}");
}

/// Ops built on other ops report their errors under the name the caller used, not that of
/// the op they are built on (`std_axis` on `var_axis`, `softmax` on `logsumexp`, `max_axis`
/// on the engine's `max`), and record nothing when they refuse.
#[test]
fn ops_built_on_others_name_themselves_in_errors() {
    let t = tape_with_padding();
    let x = t.var(&Tensor::new(&[0, 3], vec![]).unwrap()); // v2
    type AxisOp = for<'t> fn(Var<'t>, isize) -> Result<Var<'t>>;
    let ops: [(&str, AxisOp); 9] = [
        ("max_axis", |x, a| x.try_max_axis(a, false)),
        ("min_axis", |x, a| x.try_min_axis(a, true)),
        ("logsumexp", |x, a| x.try_logsumexp(a, false)),
        ("log_softmax", |x, a| x.try_log_softmax(a)),
        ("softmax", |x, a| x.try_softmax(a)),
        ("var_axis", |x, a| x.try_var_axis(a, false, 0)),
        ("std_axis", |x, a| x.try_std_axis(a, true, 0)),
        ("sum_axis", |x, a| x.try_sum_axis(a, false)),
        ("mean_axis", |x, a| x.try_mean_axis(a, false)),
    ];
    for (op, f) in ops {
        // An axis out of range; for all but the sums, also the empty axis 0.
        let axes: &[isize] = if op.ends_with("sum_axis") || op == "mean_axis" { &[2] } else { &[2, 0] };
        for &axis in axes {
            let n = t.len();
            let e = refused(op, || f(x, axis));
            let named = match &e {
                Error::InvalidAxis { op, .. } | Error::InvalidArgument { op, .. } => *op,
                _ => panic!("{op} {axis}: {e:?}"),
            };
            assert_eq!(named, op, "{e}");
            assert!(e.to_string().starts_with(&format!("{op}: ")), "{e}");
            assert_names(&e, &["[0, 3]", "v2"]);
            assert_eq!(t.len(), n, "{op} {axis}: a refused call recorded nodes");
        }
    }
    // The whole-tensor variance and standard deviation likewise.
    for (op, e) in [("var", refused("var", || x.try_var(0))), ("std", refused("std", || x.try_std(0)))] {
        assert!(matches!(e, Error::InvalidArgument { op: o, .. } if o == op), "{e:?}");
        assert_names(&e, &[&format!("{op}: {op} of [0, 3] (v2)"), "correction 0", "has 0"]);
    }
}

/// `try_max` of an empty tensor of any rank names the operand and records nothing.
#[test]
fn max_of_empty_names_the_operand_and_records_nothing() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::new(&[0, 3], vec![]).unwrap());
    let e = x.try_max().unwrap_err();
    assert_names(&e, &["max", "[0, 3]", "v0"]);
    assert_eq!(t.len(), 1);
}

#[test]
fn nan_and_infinities_propagate_and_anomaly_names_the_first_node() {
    let (nan, inf) = (f64::NAN, f64::INFINITY);
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([1.0, inf, -inf, nan, 0.0]));
    let bits = |v: Var| v.value().into_data();
    // IEEE: inf − inf = NaN, inf·0 = NaN, 1/0 = inf, exp(−inf) = 0, tanh(±inf) = ±1,
    // sigmoid(±inf) ∈ {0, 1}, relu(NaN) is NaN, max propagates NaN.
    let d = bits(x - x);
    assert_eq!(&d[..3].iter().map(|v| v.is_nan()).collect::<Vec<_>>(), &[false, true, true]);
    assert!(d[3].is_nan());
    let r = bits(x.rdiv(1.0));
    assert_eq!(&r[..3], &[1.0, 0.0, -0.0]);
    assert_eq!(r[4], inf);
    assert_eq!(bits(x.exp())[..3], [1f64.exp(), inf, 0.0]);
    assert_eq!(bits(x.tanh())[1..3], [1.0, -1.0]);
    assert_eq!(bits(x.sigmoid())[1..3], [1.0, 0.0]);
    assert!(bits(x.relu())[3].is_nan());
    assert!(bits(x * 0.0)[1].is_nan());
    assert!(x.max().item().is_nan(), "max of a tensor with NaN is NaN");
    // The gradient of a sum is finite even through infinite values.
    assert_eq!(x.sum().backward()[x], [1.0; 5]);

    // Anomaly mode: the first non-finite node, not the later ones.
    let t = Tape::<f64>::new();
    t.detect_anomaly(true);
    let a = t.var(&Tensor::from([1.0, 2.0])); // v0
    let b = t.var(&Tensor::from([1.0, 0.0])); // v1
    let q = a / b; // v2: [1, inf]
    let r = q - q; // v3: [0, NaN]
    let loss = r.sum();
    let an = t.anomaly().expect("1/0");
    assert_eq!((an.phase, an.node, an.op.as_str()), (Phase::Forward, q.node(), "div"));
    assert_eq!(an.inputs.iter().map(|i| i.node).collect::<Vec<_>>(), [a.node(), b.node()]);
    let e = refused("anomaly", || loss.try_backward().map(|_| ()));
    assert_names(&e, &["v2 = div", "inf", "input v0", "input v1", "[1, 0]"]);
    // An infinite input is itself the first node.
    let t = Tape::<f64>::new();
    t.detect_anomaly(true);
    let x = t.var(&Tensor::from([-f64::INFINITY, 1.0]));
    let y = x.exp().sum();
    assert_eq!(y.item(), 1f64.exp());
    let e = refused("infinite input", || y.try_backward().map(|_| ()));
    assert_names(&e, &["v0 = var", "-inf", "input of the tape"]);
}

/// A NaN bound of `clamp` makes the result NaN (PyTorch's `clamp`, numpy's `clip`), not
/// a clamp to the other bound alone; the gradient is 0, as PyTorch's, in both backward
/// sweeps, for tensors and scalars. A NaN element stays NaN under finite bounds.
#[test]
fn clamp_with_a_nan_bound_is_nan() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([-1.0, 0.5, 3.0]));
    let s = t.scalar(0.5);
    let nan = f64::NAN;
    for (lo, hi) in [(nan, 1.0), (0.0, nan), (nan, nan)] {
        let y = x.clamp(lo, hi);
        assert!(y.value().data().iter().all(|v| v.is_nan()), "clamp({lo}, {hi}): {:?}", y.value());
        assert_eq!(y.sum().backward().wrt(x).data(), [0.0; 3], "clamp({lo}, {hi})");
        assert_eq!(y.sum().backward_graph().wrt(x).value().data(), [0.0; 3], "clamp({lo}, {hi})");
        let z = s.clamp(lo, hi);
        assert!(z.item().is_nan(), "clamp({lo}, {hi}) of a scalar: {}", z.item());
        assert_eq!(z.backward().wrt(s).item(), 0.0);
    }
    let y = t.var(&Tensor::from([nan, 0.5])).clamp(0.0, 1.0);
    assert!(y.value().data()[0].is_nan());
    assert_eq!(y.value().data()[1], 0.5);
}

/// Crossed bounds (lo > hi) give hi everywhere, as PyTorch's `clamp` and numpy's `clip`
/// (min(max(x, lo), hi)), with gradient 0, for tensors and scalars.
#[test]
fn clamp_with_crossed_bounds_gives_the_upper_bound() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([-1.0, 1.5, 3.0]));
    let y = x.clamp(2.0, 1.0);
    assert_eq!(y.value().data(), [1.0; 3]);
    assert_eq!(y.sum().backward().wrt(x).data(), [0.0; 3]);
    assert_eq!(y.sum().backward_graph().wrt(x).value().data(), [0.0; 3]);
    let s = t.scalar(0.0);
    assert_eq!(s.clamp(2.0, 1.0).item(), 1.0);
    // NaN still propagates.
    assert!(t.scalar(f64::NAN).clamp(2.0, 1.0).item().is_nan());
}

#[test]
fn ln_sqrt_pow_outside_their_domain() {
    // Plain mode: NaN values as IEEE says, no error.
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::from([-1.0, 4.0]));
    assert!(x.ln().value().data()[0].is_nan());
    assert!(x.sqrt().value().data()[0].is_nan());
    assert_eq!(x.sqrt().value().data()[1], 2.0);
    let third = t.constant(&Tensor::from([1.0 / 3.0, 0.5]));
    let p = x.pow(third).value();
    assert!(p.data()[0].is_nan() && p.data()[1] == 2.0, "{p:?}");
    assert!(x.powf(0.5).value().data()[0].is_nan());
    assert_eq!(x.ln().sum().try_backward().unwrap()[x], [-1.0, 0.25], "1/x is finite at −1");

    // Anomaly mode names the op, its node and the input's values.
    for (op, f) in [
        ("ln", (|v: Var| v.ln()) as for<'t> fn(Var<'t>) -> Var<'t>),
        ("sqrt", |v| v.sqrt()),
        ("pow", |v| v.pow(v.tape().constant(&Tensor::from([0.5, 0.5])))),
        ("powf", |v| v.powf(1.5)),
        ("log1p", |v| (v * 2.0).log1p()),
    ] {
        let t = Tape::<f64>::new();
        t.detect_anomaly(true);
        let x = t.var(&Tensor::from([-1.0, 4.0]));
        let y = f(x);
        let loss = y.sum();
        let a = t.anomaly().unwrap_or_else(|| panic!("{op}: no anomaly"));
        assert_eq!(a.phase, Phase::Forward);
        assert_eq!(a.node, y.node(), "{op}: {a}");
        assert!(a.op.contains(op.trim_end_matches('f')), "{op}: {}", a.op);
        let e = refused(op, || loss.try_backward().map(|_| ()));
        let Error::NonFinite(rep) = &e else { panic!("{op}: {e:?}") };
        assert!(rep.value.contains("NaN"), "{op}: {rep}");
        let input_values: Vec<&str> = rep.inputs.iter().map(|i| i.value.as_str()).collect();
        assert!(input_values.iter().any(|v| v.contains("-1") || v.contains("-2")), "{op}: {input_values:?}");
        assert_names(&e, &[&format!("{} = ", y.node()), "NaN", "forward sweep"]);
    }
}

#[test]
fn domain_edges_give_infinite_adjoints_reported_in_the_reverse_sweep() {
    // ln at 0 has value −inf (forward anomaly); 0^0.5 is finite but its derivative is not.
    let t = Tape::<f64>::new();
    t.detect_anomaly(true);
    let x = t.var(&Tensor::from([0.0, 1.0]));
    let y = x.powf(0.5);
    let loss = (y * 2.0).sum();
    assert!(t.anomaly().is_none(), "0^0.5 = 0 is finite");
    let e = refused("powf at 0", || loss.try_backward().map(|_| ()));
    let Error::NonFinite(a) = &e else { panic!("{e:?}") };
    assert_eq!((a.phase, a.node), (Phase::Reverse, y.node()));
    assert_eq!(a.bad_input.as_ref().map(|b| b.0), Some(x.node()));
    assert_names(&e, &["reverse sweep", "[0, 1]"]);
    // ln(0) = −inf in the forward sweep.
    let z = x.ln();
    assert_eq!(z.value().data()[0], f64::NEG_INFINITY);
    assert_eq!(t.anomaly().map(|a| a.node), Some(z.node()));
}

/// Backward through a matmul with a zero-size dimension (found by the `tape_program` fuzz
/// target: `[0, 2] × [2, 1]` used to panic in the matrix-vector path): an empty inner
/// product is zero, so the gradients are zeros.
#[test]
fn matmul_with_an_empty_dimension_differentiates() {
    for (sa, sb) in [([0, 2], [2, 1]), ([0, 2], [2, 3]), ([2, 0], [0, 1]), ([1, 2], [2, 0])] {
        let t = Tape::<f64>::new();
        let a = t.var(&Tensor::zeros(&sa));
        let b = t.var(&Tensor::ones(&sb));
        let y = a.try_matmul(b).unwrap();
        let g = catch_unwind(AssertUnwindSafe(|| y.sum().try_backward().map(|g| (g.wrt(a), g.wrt(b)))));
        let (ga, gb) = g.unwrap_or_else(|_| panic!("{sa:?} × {sb:?}: try_backward panicked")).unwrap();
        assert!(ga.data().iter().chain(gb.data()).all(|&v| v == 0.0), "{sa:?} × {sb:?}");
    }
}

#[test]
fn select_names_all_three_shapes_and_records_nothing() {
    let t = tape_with_padding();
    let c = t.var(&Tensor::zeros(&[2, 3]));
    let a = t.var(&Tensor::zeros(&[3]));
    let b = t.var(&Tensor::zeros(&[4]));
    let n = t.len();
    let e = refused("select", || c.try_select(a, b));
    assert!(matches!(e, Error::InvalidArgument { op: "select", .. }), "{e:?}");
    let msg = e.to_string();
    for part in ["select", "[2, 3] (v2)", "on_true [3] (v3)", "on_false [4] (v4)", "broadcast"] {
        assert!(msg.contains(part), "{part:?} missing from {msg:?}");
    }
    assert_eq!(t.len(), n, "a refused select recorded nodes");
    // The panicking form says the same.
    let p = catch_unwind(AssertUnwindSafe(|| c.select(a, b))).unwrap_err();
    let p = p.downcast_ref::<String>().expect("a formatted panic message");
    assert_eq!(p, &msg);
    // Operands of another tape.
    let other = Tape::<f64>::new();
    let x = other.scalar(1.0);
    assert!(matches!(c.try_select(x, a), Err(Error::TapeMismatch { op: "select", .. })));
    assert!(matches!(c.try_select(a, x), Err(Error::TapeMismatch { op: "select", .. })));
    assert_eq!(t.len(), n);
}

#[test]
fn gather_refuses_bad_indices_and_shapes_and_records_nothing() {
    let t = tape_with_padding();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    let n = t.len();
    type Case<'a> = (isize, &'a [usize], &'a [usize], &'a [&'a str]);
    let cases: [Case; 5] = [
        (2, &[2, 1], &[0, 0], &["gather", "axis 2", "[2, 3]", "v2"]),
        (1, &[2], &[0, 0], &["gather", "[2]", "[2, 3] (v2)", "same rank"]),
        (1, &[3, 1], &[0, 0, 0], &["gather", "[3, 1]", "[2, 3] (v2)", "axis 0"]),
        (1, &[2, 2], &[0, 1, 2], &["gather", "[2, 2]", "needs 4 indices but 3"]),
        (1, &[2, 2], &[0, 1, 2, 3], &["gather", "index 3 at [1, 1]", "axis 1", "(v2)", "length 3"]),
    ];
    for (axis, shape, index, parts) in cases {
        let e = refused("gather", || x.try_gather(axis, shape, index));
        assert_names(&e, parts);
        assert_eq!(t.len(), n, "{e}: a refused gather recorded nodes");
    }
    assert!(matches!(
        refused("gather", || x.try_gather(-3, &[2, 1], &[0, 0])),
        Error::InvalidAxis { op: "gather", .. }
    ));
}

/// Shapes whose element count overflows `usize` (or exceeds what can be allocated) are
/// refused with an error, never a panic or a wrapped-around count.
#[test]
fn shapes_too_large_to_exist_are_refused() {
    let t = tape_with_padding();
    let x = t.var(&Tensor::zeros(&[2, 3, 4]));
    let n = t.len();
    let big = usize::MAX;
    let e = refused("gather", || x.try_gather(0, &[big, 2, 2], &[0]));
    assert_names(&e, &["gather", "more elements than fit in memory"]);
    let e = refused("gather", || x.try_gather(1, &[2, (1 << 63) + 1, 2], &[0; 4]));
    assert!(matches!(e, Error::InvalidArgument { op: "gather", .. }), "{e}");
    assert!(matches!(refused("reshape", || x.try_reshape(&[big, 2])), Error::ReshapeSize { .. }));
    // A product that wraps around to the right count must not pass.
    assert!(matches!(refused("reshape", || x.try_reshape(&[(1 << 63) + 12, 2])), Error::ReshapeSize { .. }));
    let e = refused("broadcast_to", || x.try_broadcast_to(&[big, 2, 2, 3, 4]));
    assert_names(&e, &["broadcast_to", "more elements than fit in memory"]);
    let e = refused("broadcast_to", || x.try_broadcast_to(&[1 << 62, 2, 3, 4]));
    assert_names(&e, &["broadcast_to", "more elements than fit in memory"]);
    assert_names(&refused("pad", || x.try_pad(0, big, 3)), &["pad", "does not fit"]);
    assert_names(&refused("pad", || x.try_pad(0, 0, big)), &["pad", "more elements than fit in memory"]);
    assert_names(
        &refused("scatter_rows", || x.try_scatter_rows(&[0, 1], big)),
        &["scatter_rows", "more elements"],
    );
    assert!(matches!(refused("var_from", || t.try_var_from(&[big, 2], &[])), Error::ElementCount { .. }));
    // A range whose end wraps around must not pass the bounds test (and read other nodes).
    for axis in [0, 1, 2] {
        let e = refused("slice", || x.try_slice(axis, big, 2));
        assert_names(&e, &["slice", &format!("{big}..{big}+2"), "out of bounds", "[2, 3, 4]", "v2"]);
    }
    assert_eq!(t.len(), n, "a refused op recorded nodes");
    // Lengths that wrap around when added must not give a small (or empty) result.
    let z = t.var(&Tensor::zeros(&[0, (1 << 63) + 1]));
    let n = t.len();
    assert_names(&refused("concat", || Var::try_concat(&[z, z], 1)), &["concat", "more than fit in memory"]);
    assert_eq!(t.len(), n, "a refused concat recorded nodes");
}

/// A reduction of an empty tensor can have more elements than its operand: summing
/// `[0, usize::MAX]` over axis 0 gives `[usize::MAX]`. Refused under the op's own name.
#[test]
fn reductions_too_large_to_exist_are_refused() {
    let t = tape_with_padding();
    let big = usize::MAX;
    let z = t.var(&Tensor::new(&[0, big], vec![]).unwrap()); // v2
    let n = t.len();
    type Reduction = for<'t> fn(Var<'t>) -> Result<Var<'t>>;
    let ops: [(&str, Reduction); 6] = [
        ("sum_axis", |z| z.try_sum_axis(0, false)),
        ("sum_axis", |z| z.try_sum_axis(-2, true)),
        ("mean_axis", |z| z.try_mean_axis(0, false)),
        ("norm_axis", |z| z.try_norm_axis(0, true)),
        ("sum_to", |z| z.try_sum_to(&[1, usize::MAX])),
        ("sum_to", |z| z.try_sum_to(&[usize::MAX])),
    ];
    for (op, f) in ops {
        let e = refused(op, || f(z));
        assert!(matches!(e, Error::InvalidArgument { op: o, .. } if o == op), "{op}: {e:?}");
        assert_names(&e, &[&format!("{op}: the result of v2"), "more elements than fit in memory"]);
        assert_eq!(t.len(), n, "{op}: a refused reduction recorded nodes");
    }
    // Over the other axis the result is empty, and fine.
    assert_eq!(z.try_sum_axis(1, false).unwrap().shape().as_slice(), [0]);
    assert_eq!(z.try_norm_axis(1, true).unwrap().shape().as_slice(), [0, 1]);
}

/// Operands with an empty inner dimension have no elements but make a product of any
/// size (`[n, 0]·[0, n]` is `[n, n]`): one too large to exist is refused, naming both
/// operands as given, before anything is recorded.
#[test]
fn products_too_large_to_exist_are_refused() {
    let t = tape_with_padding();
    let empty = |s: &[usize]| t.var(&Tensor::new(s, vec![]).unwrap());
    let cases: [(&[usize], &[usize], &str); 4] = [
        (&[1 << 33, 0], &[0, 1 << 33], "[8589934592, 8589934592]"),
        (&[1 << 32, 2, 0], &[0, 1 << 32], "[4294967296, 2, 4294967296]"),
        (&[0], &[0, usize::MAX], "[18446744073709551615]"),
        (&[1 << 32, 1, 2, 0], &[1, 1 << 32, 0, 2], "[4294967296, 4294967296, 2, 2]"),
    ];
    let c = t.scalar(0.0);
    for (ls, rs, out) in cases {
        let (a, b) = (empty(ls), empty(rs));
        let n = t.len();
        let e = refused("matmul", || a.try_matmul(b));
        assert!(matches!(e, Error::InvalidArgument { op: "matmul", .. }), "{ls:?}·{rs:?}: {e:?}");
        let product = format!("matmul: the product of {} and {} would have shape {out}", a.node(), b.node());
        assert_names(&e, &[&product, "more elements than fit in memory"]);
        let e = refused("matmul_add", || a.try_matmul_add(b, c));
        assert!(matches!(e, Error::InvalidArgument { op: "matmul_add", .. }), "{ls:?}·{rs:?}: {e:?}");
        assert_names(&e, &[&format!("matmul_add: the product of {} and {}", a.node(), b.node())]);
        assert_eq!(t.len(), n, "{ls:?}·{rs:?}: a refused matmul recorded nodes");
    }
}

/// An empty tensor can have dimensions whose product overflows `usize` (`[0, n, 2]` with
/// n > `usize::MAX / 2`): its strides are never used, so the layout ops that compute them
/// work, and so does a permutation that moves the zero last.
#[test]
fn empty_tensors_with_huge_dimensions_keep_their_layout() {
    let t = tape_with_padding();
    let big = usize::MAX;
    let x = t.var(&Tensor::new(&[0, big, 2], vec![]).unwrap()); // v2
    let y = x.try_permute(&[0, 2, 1]).unwrap();
    assert_eq!(y.shape().as_slice(), [0, 2, big]);
    let y = x.try_broadcast_to(&[3, 0, big, 2]).unwrap();
    assert_eq!(y.shape().as_slice(), [3, 0, big, 2]);
    let y = x.try_gather(1, &[0, big, 2], &[]).unwrap();
    assert_eq!(y.shape().as_slice(), [0, big, 2]);
    let g = (x.permute(&[0, 2, 1]).sum() + x.broadcast_to(&[3, 0, big, 2]).sum()).backward();
    assert_eq!(g.wrt(x).shape(), [0, big, 2]);
    // Empty in any order: `[big, 2, 0]` has no elements, as `[0, big, 2]`.
    let y = x.try_permute(&[1, 2, 0]).unwrap();
    assert_eq!(y.shape().as_slice(), [big, 2, 0]);
    assert_eq!(y.sum().backward().wrt(x).shape(), [0, big, 2]);
}

/// Runs `f` on a thread of its own and fails if it has not finished within a minute (or
/// panicked): a loop over a huge number of empty rows would otherwise hang the test run.
fn finishes_promptly(what: &str, f: fn()) {
    let (done, wait) = channel();
    let worker = std::thread::spawn(move || {
        f();
        let _ = done.send(());
    });
    match wait.recv_timeout(Duration::from_secs(60)) {
        Ok(()) => worker.join().unwrap(),
        Err(RecvTimeoutError::Disconnected) => std::panic::resume_unwind(worker.join().unwrap_err()),
        Err(RecvTimeoutError::Timeout) => panic!("{what}: still running after a minute"),
    }
}

/// An empty tensor can have a dimension of `usize::MAX` before its zero (`[usize::MAX, 0]`):
/// ops on it, and their backward rules, do not loop over its rows of nothing.
#[test]
fn empty_tensors_with_huge_dimensions_take_no_time() {
    const BIG: usize = usize::MAX;
    fn leaf<'t>(t: &'t Tape, shape: &[usize]) -> Var<'t> {
        t.var(&Tensor::new(shape, vec![]).unwrap())
    }
    finishes_promptly("slice", || {
        let t = Tape::<f64>::new();
        let x = leaf(&t, &[BIG, 0]);
        let y = x.try_slice(1, 0, 0).unwrap();
        assert_eq!(y.sum().backward().wrt(x).shape(), [BIG, 0]);
    });
    finishes_promptly("pad", || {
        let t = Tape::<f64>::new();
        let x = leaf(&t, &[BIG, 0]);
        let y = x.try_pad(1, 0, 0).unwrap();
        assert_eq!(y.sum().backward().wrt(x).shape(), [BIG, 0]);
    });
    finishes_promptly("concat", || {
        let t = Tape::<f64>::new();
        let x = leaf(&t, &[BIG, 0]);
        let y = Var::try_concat(&[x, x], 1).unwrap();
        assert_eq!(y.sum().backward().wrt(x).shape(), [BIG, 0]);
    });
    finishes_promptly("sum_axis", || {
        let t = Tape::<f64>::new();
        let x = leaf(&t, &[BIG, 0]);
        let y = x.try_sum_axis(0, false).unwrap();
        assert_eq!(y.shape().as_slice(), [0]);
        assert_eq!(y.sum().backward().wrt(x).shape(), [BIG, 0]);
    });
    finishes_promptly("max_axis", || {
        let t = Tape::<f64>::new();
        let x = leaf(&t, &[BIG, 1, 0]);
        let y = x.try_max_axis(1, false).unwrap();
        assert_eq!(y.shape().as_slice(), [BIG, 0]);
        assert_eq!(y.sum().backward().wrt(x).shape(), [BIG, 1, 0]);
    });
    finishes_promptly("matmul", || {
        let t = Tape::<f64>::new();
        let (a, b) = (leaf(&t, &[BIG, 0, 3]), t.var(&Tensor::ones(&[3, 2])));
        let y = a.try_matmul(b).unwrap();
        assert_eq!(y.shape().as_slice(), [BIG, 0, 2]);
        assert_eq!(y.sum().backward().wrt(b).data(), [0.0; 6]);
    });
    finishes_promptly("matmul_add", || {
        let t = Tape::<f64>::new();
        let (a, b, c) = (leaf(&t, &[BIG, 0]), leaf(&t, &[0, 0]), leaf(&t, &[0]));
        let y = a.try_matmul_add(b, c).unwrap();
        assert_eq!(y.shape().as_slice(), [BIG, 0]);
        assert_eq!(y.sum().backward().wrt(c).shape(), [0]);
    });
    finishes_promptly("argmax", || {
        let x = Tensor::<f64>::new(&[BIG, 1, 0], vec![]).unwrap();
        assert_eq!(x.argmax(1).unwrap(), []);
    });
}

/// A zero anywhere in a shape makes it empty, whatever the order of the other dimensions:
/// `[usize::MAX, 2, 0]` is as valid as `[usize::MAX, 0, 2]` (the element count was multiplied
/// left to right, so the first overflowed before it reached the zero), and ops on such tensors
/// finish at once or refuse a result that cannot exist.
#[test]
fn a_zero_dimension_anywhere_makes_a_shape_empty() {
    finishes_promptly("ops on empty tensors with a huge dimension", || {
        const BIG: usize = usize::MAX;
        for shape in [[BIG, 2, 0], [2, BIG, 0], [BIG, 0, 2], [0, BIG, 2]] {
            let x = Tensor::<f64>::new(&shape, vec![]).unwrap_or_else(|e| panic!("{shape:?}: {e}"));
            let t = Tape::<f64>::new();
            let v = t.var(&x);
            let mut terms = vec![v.exp().sum(), v.try_permute(&[2, 1, 0]).unwrap().sum()];
            for axis in 0..3 {
                // A reduction whose result would have BIG·2 elements is refused, not attempted.
                if let Ok(s) = v.try_sum_axis(axis, false) {
                    terms.push(s.sum());
                }
                if let Ok(m) = v.try_max_axis(axis, true) {
                    terms.push(m.sum());
                }
                terms.push(v.try_slice(axis, 0, 0).unwrap().sum());
                terms.push(Var::try_concat(&[v, v], axis).map_or(v.sum(), |c| c.sum()));
            }
            let total = terms.into_iter().reduce(|a, b| a + b).unwrap();
            assert_eq!(total.value().data(), [0.0], "{shape:?}");
            assert_eq!(total.backward().wrt(v).shape(), shape, "{shape:?}");
        }
    });
}

/// A Hessian or Jacobian too large to allocate is an error naming the function and the shape
/// (its `n·n` buffer was allocated unchecked: an allocator abort). 10⁶ inputs make an 8 TB
/// Hessian, which no allocator grants here; x itself is 8 MB.
#[test]
#[cfg_attr(miri, ignore = "a million-element tape, and an allocation Miri does not refuse")]
fn a_hessian_or_jacobian_too_large_to_allocate_is_an_error() {
    use wengert_tape::functional::{try_hessian, try_jacfwd, try_jacobian, try_jacrev};
    let n = 1_000_000;
    let x = Tensor::<f64>::zeros(&[n]);
    let shape = format!("[{n}, {n}]");
    let e = try_hessian(|x| x.square().sum(), &x).unwrap_err();
    assert!(matches!(e, Error::InvalidArgument { op: "hessian", .. }), "{e:?}");
    assert_names(&e, &["hessian", &shape, "could not be allocated"]);
    for (op, e) in [
        ("jacrev", try_jacrev(|x| x.exp(), &x).unwrap_err()),
        ("jacfwd", try_jacfwd(|x| x.exp(), &x).unwrap_err()),
        ("jacobian", try_jacobian(|x| x.exp(), &x).unwrap_err()),
    ] {
        assert!(matches!(&e, Error::InvalidArgument { op: o, .. } if *o == op), "{op}: {e:?}");
        assert_names(&e, &[op, &shape, "could not be allocated"]);
    }
}

thread_local! {
    /// Where the last panic on this thread was raised: file and line.
    static PANICKED_AT: std::cell::RefCell<Option<(String, u32)>> = const { std::cell::RefCell::new(None) };
}

/// Runs `f`, which must panic, and returns where the panic was raised, as the panic hook
/// sees it (installed once, per-thread records, every panic passed on to the hook it
/// replaced).
fn panic_location<R>(f: impl FnOnce() -> R) -> (String, u32) {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let at = info.location().map(|l| (l.file().to_string(), l.line()));
            let _ = PANICKED_AT.try_with(|p| *p.borrow_mut() = at);
            previous(info);
        }));
    });
    assert!(catch_unwind(AssertUnwindSafe(f)).is_err(), "no panic");
    PANICKED_AT.with(|p| p.borrow_mut().take()).expect("a panic location")
}

/// The panicking forms report the caller's line (`#[track_caller]` all the way), not a
/// line inside the library.
#[test]
fn panics_point_at_the_caller() {
    let t = Tape::<f64>::new();
    let x = t.var(&Tensor::zeros(&[2, 3]));
    let here = |line: u32| (file!().to_string(), line);
    let (at, line) = (panic_location(|| t.var_from(&[2], &[1.0])), line!());
    assert_eq!(at, here(line), "var_from");
    let (at, line) = (panic_location(|| t.constant_from(&[2], &[1.0])), line!());
    assert_eq!(at, here(line), "constant_from");
    let (at, line) = (panic_location(|| x.sum_axis(2, false)), line!());
    assert_eq!(at, here(line), "sum_axis");
    let (at, line) = (panic_location(|| x.std_axis(0, false, 2)), line!());
    assert_eq!(at, here(line), "std_axis");
    let (at, line) = (panic_location(|| x.backward()), line!());
    assert_eq!(at, here(line), "backward");
}

/// scatter_rows says which of its two conditions failed, in words (it printed
/// `(max Some(5))`, Rust's debug text of an Option, for both).
#[test]
fn scatter_rows_errors_say_what_is_wrong() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::zeros(&[2, 3]));
    let e = x.try_scatter_rows(&[5, 0], 2).unwrap_err().to_string();
    assert_eq!(e, "scatter_rows: index 5 at position 0 is out of range for 2 rows (scattering [2, 3] (v0))");
    let e = x.try_scatter_rows(&[0], 2).unwrap_err().to_string();
    assert_eq!(e, "scatter_rows: 1 indices for [2, 3] (v0), which has 2 rows");
    let e = tape.scalar(1.0).try_scatter_rows(&[0], 2).unwrap_err().to_string();
    assert_eq!(e, "scatter_rows: 1 indices for [] (v1), which has no rows (a scalar)");
}
