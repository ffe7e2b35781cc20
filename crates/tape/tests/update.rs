//! `Tape::update`: parameters and data kept on the tape before a mark, updated in place
//! from their gradients. It must give exactly what copying the parameters onto a fresh
//! tape each step gives, and refuse every misuse with the tape left as it was.

use wengert_tape::{Error, Grads, NodeId, Tape, Tensor, Var};

const LR: f64 = 0.05;

fn data() -> (Tensor<f64>, Tensor<f64>) {
    let x = Tensor::from_fn(&[6, 3], |i| ((i * 7 % 11) as f64 - 5.0) / 4.0);
    let y = Tensor::from_fn(&[6, 1], |i| (i % 2) as f64);
    (x, y)
}

fn params() -> Vec<Tensor<f64>> {
    vec![
        Tensor::from_fn(&[3, 4], |i| ((i * 5 % 7) as f64 - 3.0) / 5.0),
        Tensor::from_fn(&[4], |i| i as f64 / 10.0),
        Tensor::from_fn(&[4, 1], |i| ((i * 3 % 5) as f64 - 2.0) / 3.0),
        Tensor::scalar(0.1),
    ]
}

/// A two-layer net with a BCE-with-logits loss; `p` = [w1, b1, w2, b2].
fn loss<'t>(x: Var<'t, f64>, y: Var<'t, f64>, p: &[Var<'t, f64>]) -> Var<'t, f64> {
    let h = x.matmul_add(p[0], p[1]).tanh();
    let z = h.matmul_add(p[2], p[3]);
    (z.softplus() - y * z).mean()
}

fn sgd(w: &mut [f64], g: &[f64]) {
    for (w, g) in w.iter_mut().zip(g) {
        *w -= LR * g;
    }
}

#[test]
fn update_matches_copying_the_parameters_each_step() {
    let (x, y) = data();

    // Reference: everything copied onto a reset tape every step.
    let mut ps = params();
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let mut want = Vec::new();
    for _ in 0..20 {
        tape.reset();
        let t = &tape;
        let p: Vec<_> = ps.iter().map(|q| t.var(q)).collect();
        let l = loss(t.constant(&x), t.constant(&y), &p);
        l.backward_into(&mut grads);
        want.push(l.item());
        for (q, v) in ps.iter_mut().zip(&p) {
            sgd(q.data_mut(), &grads[*v]);
        }
    }

    // On the tape: put once, updated in place.
    let (got, finals) = train_on_tape(20, |tape, mark, grads, ids| {
        tape.update(mark, grads, ids, |_, w, g| sgd(w, g)).unwrap();
    });
    assert_eq!(got, want);
    assert!(want[19] < want[0] - 0.01, "training did not move: {want:?}");
    assert_eq!(finals, ps);
}

/// Trains [`loss`] for `steps` steps with x, y and the parameters kept on the tape before
/// a mark; `apply(tape, mark, grads, params)` updates them after each backward pass.
/// Returns the losses and the final parameters. The tape must end at the mark.
fn train_on_tape(
    steps: usize,
    mut apply: impl FnMut(&mut Tape<f64>, &wengert_tape::Mark, &Grads<f64>, &[NodeId]),
) -> (Vec<f64>, Vec<Tensor<f64>>) {
    let (x, y) = data();
    let mut tape = Tape::new();
    let (xid, yid, ids) = {
        let t = &tape;
        let ids: Vec<NodeId> = params().iter().map(|q| t.var(q).node()).collect();
        (t.constant(&x).node(), t.constant(&y).node(), ids)
    };
    let mark = tape.mark();
    let mut grads = Grads::new();
    let mut losses = Vec::new();
    for _ in 0..steps {
        let t = &tape;
        let p: Vec<_> = ids.iter().map(|&i| t.get(i).unwrap()).collect();
        let l = loss(t.get(xid).unwrap(), t.get(yid).unwrap(), &p);
        l.backward_into(&mut grads);
        losses.push(l.item());
        apply(&mut tape, &mark, &grads, &ids);
    }
    assert_eq!(tape.len(), ids.iter().chain([&xid, &yid]).map(|n| n.0 as usize + 1).max().unwrap());
    let t = &tape;
    (losses, ids.iter().map(|&i| t.get(i).unwrap().value()).collect())
}

#[test]
fn update_hands_each_leaf_its_index_and_zeros_to_constants() {
    let mut tape = Tape::<f64>::new();
    let (c, w) = {
        let t = &tape;
        (t.constant(&Tensor::from([1.0, 2.0])).node(), t.var(&Tensor::from([3.0, 4.0])).node())
    };
    let mark = tape.mark();
    let mut grads = Grads::new();
    let t = &tape;
    let (cv, wv) = (t.get(c).unwrap(), t.get(w).unwrap());
    (cv * wv).sum().backward_into(&mut grads);
    let mut seen = Vec::new();
    tape.update(&mark, &grads, &[w, c], |k, v, g| {
        seen.push((k, v.to_vec(), g.to_vec()));
        if k == 1 {
            v.copy_from_slice(&[5.0, 6.0]); // new data into the constant
        }
    })
    .unwrap();
    assert_eq!(seen, [(0, vec![3.0, 4.0], vec![1.0, 2.0]), (1, vec![1.0, 2.0], vec![0.0, 0.0])]);
    let t = &tape;
    let (cv, wv) = (t.get(c).unwrap(), t.get(w).unwrap());
    let g = (cv * wv).sum().backward();
    assert_eq!(g.wrt(wv).data(), [5.0, 6.0]);
}

#[test]
fn update_works_on_a_dense_scalar_tape() {
    let mut tape = Tape::<f64>::new();
    let ids: Vec<NodeId> = tape.scalars(&[1.0, -2.0]).iter().map(|v| v.node()).collect();
    let mark = tape.mark();
    let mut grads = Grads::new();
    for step in 0..3 {
        let t = &tape;
        let (a, b) = (t.get(ids[0]).unwrap(), t.get(ids[1]).unwrap());
        let f = a * a * b; // df/da = 2ab, df/db = a²
        f.backward_into(&mut grads);
        let (av, bv) = (a.item(), b.item());
        assert_eq!(grads.scalars(&[a, b]), [2.0 * av * bv, av * av], "step {step}");
        tape.update(&mark, &grads, &ids, |_, w, g| w[0] -= 0.1 * g[0]).unwrap();
        let t = &tape;
        assert_eq!(t.get(ids[0]).unwrap().item(), av - 0.1 * 2.0 * av * bv);
        assert_eq!(t.get(ids[1]).unwrap().item(), bv - 0.1 * av * av);
    }
}

fn invalid(r: wengert_tape::Result<()>) -> String {
    match r {
        Err(Error::InvalidArgument { op: "update", msg }) => msg,
        other => panic!("expected an update error, got {other:?}"),
    }
}

/// A view reads its input's value in place, so a view of a parameter kept before the mark
/// would see the update; `update` refuses it like any node computed from the parameter.
#[test]
fn update_refuses_a_parameter_with_a_view_kept_before_the_mark() {
    let mut tape = Tape::<f64>::new();
    let w = {
        let t = &tape;
        let w = t.var(&Tensor::from([1.0, 2.0, 3.0, 4.0]));
        let _rows = w.reshape(&[2, 2]).slice(0, 1, 1);
        w.node()
    };
    let mark = tape.mark();
    let mut grads = Grads::new();
    tape.get(w).unwrap().sum().backward_into(&mut grads);
    let m = invalid(tape.update(&mark, &grads, &[w], |_: usize, _: &mut [f64], _: &[f64]| {}));
    assert!(m.contains("v1 (reshape), kept before the mark, is computed from v0"), "{m}");
}

#[test]
fn update_refuses_misuse_and_leaves_the_tape_as_it_was() {
    let mut tape = Tape::<f64>::new();
    let (w, derived) = {
        let t = &tape;
        let w = t.var(&Tensor::from([1.0, 2.0]));
        (w.node(), (w * 2.0).node())
    };
    let mark = tape.mark();
    let mut grads = Grads::new();
    let after_mark = {
        let t = &tape;
        let late = t.var(&Tensor::from([1.0]));
        (t.get(w).unwrap() * late).sum().backward_into(&mut grads);
        late.node()
    };
    let len = tape.len();
    let untouched = |_: usize, _: &mut [f64], _: &[f64]| panic!("f must not run");

    let m = invalid(tape.update(&mark, &grads, &[derived], untouched));
    assert!(m.contains("v1 is a mul_const node, not a leaf"), "{m}");
    let m = invalid(tape.update(&mark, &grads, &[after_mark], untouched));
    assert!(m.contains(&format!("{after_mark} is not before the mark")), "{m}");
    let m = invalid(tape.update(&mark, &grads, &[NodeId(99)], untouched));
    assert!(m.contains("v99 is not before the mark"), "{m}");
    // v1 = 2·v0 is kept before the mark: updating v0 would leave it stale.
    let m = invalid(tape.update(&mark, &grads, &[w], untouched));
    assert!(m.contains("v1 (mul_const), kept before the mark, is computed from v0"), "{m}");
    assert_eq!(tape.len(), len, "an error must not rewind the tape");

    // Gradients from another tape, or from before a rewind.
    let other = Tape::<f64>::new();
    let mut other_grads = Grads::new();
    other.scalar(1.0).backward_into(&mut other_grads);
    let m = invalid(tape.update(&mark, &other_grads, &[w], untouched));
    assert!(m.contains("not computed on this tape since its last reset or rewind"), "{m}");
    tape.rewind(&mark);
    let m = invalid(tape.update(&mark, &grads, &[w], untouched));
    assert!(m.contains("not computed on this tape"), "{m}");

    // A mark of another tape (both fresh, so their reset counts agree) is refused before
    // anything changes, and rewinding to it panics.
    let other_mark = other.mark();
    tape.get(w).unwrap().sum().backward_into(&mut grads);
    let len = tape.len();
    let m = invalid(tape.update(&other_mark, &grads, &[w], untouched));
    assert!(m.contains("the mark was taken on tape") && m.contains("not on this one"), "{m}");
    assert_eq!(tape.len(), len, "an error must not rewind the tape");
    let p = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tape.rewind(&other_mark)));
    let msg = p.expect_err("rewind to another tape's mark must panic");
    let msg = msg.downcast_ref::<String>().expect("a formatted message");
    assert!(msg.starts_with("rewind: the mark was taken on tape"), "{msg}");
    assert_eq!(tape.len(), len);
}

#[test]
fn update_refuses_a_leaf_recorded_after_the_output() {
    let mut tape = Tape::<f64>::new();
    let (a, b) = (tape.scalar(1.0).node(), tape.var(&Tensor::from([1.0, 2.0])).node());
    let mark = tape.mark();
    let mut grads = Grads::new();
    tape.get(a).unwrap().square().backward_into(&mut grads);
    // The output v2 comes after b, but take an output before b: a itself.
    tape.get(a).unwrap().backward_into(&mut grads);
    let m = invalid(tape.update(&mark, &grads, &[b], |_, _, _| {}));
    assert!(m.contains("v1 was recorded after the output"), "{m}");
}

#[test]
fn update_reports_a_non_finite_leaf_in_anomaly_mode() {
    let mut tape = Tape::<f64>::new();
    tape.detect_anomaly(true);
    let (a, b) = (tape.var(&Tensor::from([1.0, 2.0])).node(), tape.var(&Tensor::from([3.0])).node());
    let mark = tape.mark();
    let mut grads = Grads::new();
    let t = &tape;
    (t.get(a).unwrap().sum() * t.get(b).unwrap().sum()).backward_into(&mut grads);
    tape.update(&mark, &grads, &[a, b], |_, w, g| sgd(w, g)).unwrap();
    assert!(tape.anomaly().is_none());
    let t = &tape;
    (t.get(a).unwrap().sum() * t.get(b).unwrap().sum()).backward_into(&mut grads);
    tape.update(
        &mark,
        &grads,
        &[b, a],
        |k, w, _| if k == 0 { w[0] = f64::NAN } else { w[1] = f64::INFINITY },
    )
    .unwrap();
    // Both leaves went bad; the first in tape order is reported.
    assert_eq!(tape.anomaly().map(|x| x.node), Some(a));
    // and the next sweep refuses to run on them.
    let t = &tape;
    let r = (t.get(a).unwrap().sum() * t.get(b).unwrap().sum()).try_backward();
    assert!(matches!(r, Err(Error::NonFinite(_))), "{r:?}");
}

#[test]
fn update_all_matches_update_leaf_by_leaf() {
    // Out of tape order, so the pieces must come back in the order asked for.
    let order = |ids: &[NodeId]| [ids[2], ids[0], ids[3], ids[1]];
    let all = train_on_tape(10, |tape, mark, grads, ids| {
        tape.update_all(mark, grads, &order(ids), |vs, gs| {
            assert_eq!(vs.iter().map(|v| v.len()).collect::<Vec<_>>(), [4, 12, 1, 4]);
            for (v, g) in vs.iter_mut().zip(gs) {
                sgd(v, g);
            }
        })
        .unwrap();
    });
    let each = train_on_tape(10, |tape, mark, grads, ids| {
        tape.update(mark, grads, &order(ids), |_, w, g| sgd(w, g)).unwrap();
    });
    assert_eq!(all, each);
}

#[test]
fn updates_refuse_a_leaf_listed_twice() {
    let mut tape = Tape::<f64>::new();
    let w = tape.var(&Tensor::from([1.0, 2.0])).node();
    let mark = tape.mark();
    let mut grads = Grads::new();
    tape.get(w).unwrap().sum().backward_into(&mut grads);
    let m = invalid(tape.update(&mark, &grads, &[w, w], |_, _, _| panic!("f must not run")));
    assert!(m.contains("v0 is listed twice"), "{m}");
    match tape.update_all(&mark, &grads, &[w, w], |_, _| panic!("f must not run")) {
        Err(Error::InvalidArgument { op: "update_all", msg }) => {
            assert!(msg.contains("listed twice"), "{msg}")
        }
        other => panic!("expected an update_all error, got {other:?}"),
    }
}

/// More leaves than `update_all` keeps inline (eight), in reverse tape order.
#[test]
fn update_all_takes_any_number_of_leaves() {
    for n in [1, 8, 9, 13] {
        let mut tape = Tape::<f64>::new();
        let ids: Vec<NodeId> = (0..n).map(|i| tape.var(&Tensor::from([i as f64, 0.5])).node()).collect();
        let mark = tape.mark();
        let mut grads = Grads::new();
        {
            let t = &tape;
            // L = Σ_i (i + 1)·Σ v_i, so ∂L/∂v_i = i + 1 in both entries.
            let terms = ids.iter().enumerate().map(|(i, &id)| t.get(id).unwrap().sum() * (i as f64 + 1.0));
            terms.reduce(|a, b| a + b).unwrap().backward_into(&mut grads);
        }
        let rev: Vec<NodeId> = ids.iter().rev().copied().collect();
        tape.update_all(&mark, &grads, &rev, |vs, gs| {
            assert_eq!(vs.len(), n);
            for (v, g) in vs.iter_mut().zip(gs) {
                v.iter_mut().zip(*g).for_each(|(v, g)| *v -= g);
            }
        })
        .unwrap();
        for (i, &id) in ids.iter().enumerate() {
            let want = [i as f64 - (i as f64 + 1.0), 0.5 - (i as f64 + 1.0)];
            assert_eq!(tape.get(id).unwrap().value().data(), want, "leaf {i} of {n}");
        }
    }
}

#[test]
fn a_mark_dropped_by_a_rewind_to_an_earlier_one_stays_invalid_after_the_tape_regrows() {
    let mut tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from([1.0, 2.0])).node();
    let early = tape.mark();
    let w = tape.var(&Tensor::from([0.5, 0.5])).node();
    let late = tape.mark();
    // The training loop's own rewinds to `late` keep it valid.
    let mut grads = Grads::new();
    for _ in 0..3 {
        let t = &tape;
        (t.get(x).unwrap() * t.get(w).unwrap()).sum().backward_into(&mut grads);
        tape.update(&late, &grads, &[w], |_, w, g| w.iter_mut().zip(g).for_each(|(w, g)| *w -= g)).unwrap();
    }
    assert!(tape.check_mark(&late).is_ok() && tape.check_mark(&early).is_ok());
    // A rewind to `early` drops w; new records reach past `late` again, but the node at
    // w's index is now another value.
    tape.rewind(&early);
    let other = tape.var(&Tensor::from([9.0, 9.0])).node();
    assert_eq!(other, w);
    let t = &tape;
    (t.get(x).unwrap() * t.get(other).unwrap()).sum().backward_into(&mut grads);
    assert!(tape.len() > 2);
    let e = tape.check_mark(&late).expect_err("late was dropped by the rewind to early").to_string();
    assert!(
        e.contains("a rewind to node 1 after the mark (node 2) was taken dropped nodes before it"),
        "{e}"
    );
    let m = invalid(tape.update(&late, &grads, &[other], |_, _, _| {}));
    assert!(m.contains("dropped nodes before it"), "{m}");
    let p = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| tape.rewind(&late)));
    assert!(p.is_err(), "rewinding to a dropped mark panics");
    // `early` and a mark taken now are fine.
    assert!(tape.check_mark(&early).is_ok());
    let now = tape.mark();
    tape.rewind(&now);
    assert!(tape.check_mark(&now).is_ok());
    // A reset starts afresh.
    tape.reset();
    let m = tape.mark();
    assert!(tape.check_mark(&m).is_ok() && tape.check_mark(&early).is_err());
}
