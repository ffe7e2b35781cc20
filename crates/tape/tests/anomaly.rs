//! Anomaly mode: the first non-finite value or adjoint is reported with its node, op,
//! inputs and sweep; off by default.

use wengert_tape::{Error, Phase, Tape, Tensor, Var};

#[test]
fn off_by_default_backward_runs_through_nan() {
    let t = Tape::new();
    let x = t.scalar(-1.0);
    let y = x.ln() * 2.0;
    assert!(!t.anomaly_mode());
    assert!(t.anomaly().is_none());
    let g = y.try_backward().expect("no anomaly checks when off");
    assert_eq!(g.scalar(x), -2.0); // d/dx 2 ln x = 2/x, finite at x = −1
}

#[test]
fn forward_reports_first_nonfinite_node_with_its_inputs() {
    let t = Tape::new();
    t.detect_anomaly(true);
    let x = t.scalar(-1.0);
    let y = t.scalar(2.0);
    let z = (x * y).ln(); // v2 = x·y = −2 (finite), v3 = ln(−2) = NaN
    let w = z.exp() + 1.0;
    let a = t.anomaly().expect("ln of a negative number");
    assert_eq!(a.phase, Phase::Forward);
    assert_eq!(a.node, z.node());
    assert_eq!(a.op, "ln");
    assert_eq!(a.inputs.len(), 1);
    assert_eq!(a.inputs[0].value, "-2");
    let err = w.try_backward().unwrap_err();
    let msg = err.to_string();
    assert!(matches!(err, Error::NonFinite(_)));
    assert!(
        msg.contains("forward sweep") && msg.contains("v3 = ln") && msg.contains("input v2 = mul"),
        "{msg}"
    );
}

#[test]
fn nan_input_is_reported_as_an_input() {
    let t = Tape::new();
    t.detect_anomaly(true);
    let x = t.var(&Tensor::from([1.0, f64::NAN]));
    let s = x.sum();
    let msg = s.try_backward().unwrap_err().to_string();
    assert!(msg.contains("v0 = var [2] is [1, NaN]") && msg.contains("input of the tape"), "{msg}");
}

#[test]
fn reverse_reports_sqrt_at_zero() {
    let t = Tape::new();
    t.detect_anomaly(true);
    t.record_locations(true);
    let x = t.var(&Tensor::from([4.0, 0.0]));
    let r = x.sqrt(); // finite values 2 and 0 ...
    let loss = (r * 3.0).sum(); // ... but d sqrt/dx = 1/(2·0) = inf at 0
    assert!(t.anomaly().is_none());
    let err = loss.try_backward().unwrap_err();
    let Error::NonFinite(a) = &err else { panic!("{err}") };
    assert_eq!(a.phase, Phase::Reverse);
    assert_eq!(a.op, "sqrt");
    assert_eq!(a.node, r.node());
    assert_eq!(a.bad_input.as_ref().unwrap().0, x.node());
    assert!(a.location.as_deref().unwrap_or("").contains("anomaly.rs"));
    let msg = err.to_string();
    assert!(msg.contains("reverse sweep") && msg.contains("[2, 0]") && msg.contains("inf"), "{msg}");
    // The same graph without anomaly mode gives the IEEE result silently.
    t.detect_anomaly(false);
    assert_eq!(loss.backward()[x], [0.75, f64::INFINITY]);
}

#[test]
fn mean_of_empty_is_nan_and_reported() {
    let t = Tape::<f64>::new();
    t.detect_anomaly(true);
    let x = t.var(&Tensor::new(&[0], vec![]).unwrap());
    assert_eq!(x.sum().item(), 0.0);
    let m = x.mean();
    assert!(m.item().is_nan());
    let a = t.anomaly().expect("0/0");
    assert_eq!(a.node, m.node());
    assert!(m.try_backward().is_err());
}

#[test]
fn reset_and_rewind_forget_anomalies() {
    let mut t = Tape::new();
    t.detect_anomaly(true);
    let keep = t.scalar(1.0).node();
    let mark = t.mark();
    let _ = t.get(keep).unwrap().rsub(0.0).ln();
    assert!(t.anomaly().is_some());
    t.rewind(&mark);
    assert!(t.anomaly().is_none());
    let _ = t.scalar(-1.0).sqrt();
    assert!(t.anomaly().is_some());
    t.reset();
    assert!(t.anomaly().is_none());
}

/// `with_anomaly_detection` reaches the tapes the functional helpers make for themselves:
/// a NaN that `try_grad`, `try_hessian` and `try_vjp` returned as values becomes an error
/// naming the op; outside it, and after it, the same calls return the values again.
#[test]
fn anomaly_detection_reaches_the_functional_helpers_tapes() {
    use wengert_tape::{functional, with_anomaly_detection};
    let f = wengert_tape::func(|v: Var<'_>| v.sqrt().sum());
    let x = Tensor::from([0.0, -1.0]);
    let quiet = functional::try_grad(f, &x).unwrap();
    assert!(quiet.data()[0].is_infinite() && quiet.data()[1].is_nan(), "{quiet:?}");
    let names_sqrt = |r: Result<Tensor<f64>, Error>| match r {
        Err(Error::NonFinite(a)) => assert_eq!(a.op, "sqrt", "{a}"),
        other => panic!("{other:?}"),
    };
    with_anomaly_detection(|| {
        names_sqrt(functional::try_grad(f, &x));
        names_sqrt(functional::try_hessian(f, &x));
        names_sqrt(functional::try_vjp(|v: Var<'_>| v.sqrt(), &x, &Tensor::from([1.0, 1.0])).map(|(_, g)| g));
        // A tape made inside starts in anomaly mode; one made before keeps its own.
        assert!(Tape::<f32>::new().anomaly_mode());
    });
    assert!(!Tape::<f64>::new().anomaly_mode());
    assert!(functional::try_grad(f, &x).unwrap().data()[1].is_nan());
}

/// The setting is the thread's own and is restored when the closure unwinds.
#[test]
fn anomaly_detection_is_per_thread_and_restored_after_a_panic() {
    use wengert_tape::with_anomaly_detection;
    with_anomaly_detection(|| {
        let other = std::thread::spawn(|| Tape::<f64>::new().anomaly_mode()).join().unwrap();
        assert!(!other, "another thread's tapes are not affected");
        with_anomaly_detection(|| assert!(Tape::<f64>::new().anomaly_mode()));
        assert!(Tape::<f64>::new().anomaly_mode(), "an inner scope leaves the outer one on");
    });
    let r = std::panic::catch_unwind(|| with_anomaly_detection(|| panic!("inside")));
    assert!(r.is_err());
    assert!(!Tape::<f64>::new().anomaly_mode(), "restored after the panic");
}
