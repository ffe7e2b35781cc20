//! Training end to end: the W3 logistic regression to its reference loss, and a seeded
//! MLP that learns XOR.

use rand::{rngs::StdRng, SeedableRng};
use wengert_nn::data::load_csv;
use wengert_nn::loss::{bce, bce_with_logits, Reduction};
use wengert_nn::{Adam, Init, Linear, Module, Optimizer, Sequential, Sgd, Tanh};
use wengert_tape::{Tape, Tensor};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/data/breast_cancer_std.csv");

/// Workload W3: w = 0, b = 0, lr 0.1, 1000 full-batch epochs, BCE(σ(Xw + b)) with mean.
/// Reference (f64): L = 0.06057760372678504 ± 1e-9, accuracy 562/569.
#[test]
fn logistic_regression_reaches_the_w3_loss() {
    let d = load_csv::<f64>(DATA, "y").unwrap();
    let y = d.labels_column();
    let mut model = Linear::<f64>::zeros(30, 1);
    let mut opt = Sgd::new(0.1);
    let mut tape = Tape::new();
    let mut first = 0.0;
    for epoch in 0..1000 {
        tape.reset();
        let p = model.bind(&tape);
        let z = model.forward(&p, tape.constant(&d.features)).unwrap();
        let loss = bce(z.sigmoid(), tape.constant(&y), Reduction::Mean).unwrap();
        if epoch == 0 {
            first = loss.item();
        }
        opt.step(&mut model, &p, &loss.backward()).unwrap();
    }
    assert!((first - 2f64.ln()).abs() < 1e-14, "{first}"); // every z is 0 at the start
    tape.reset();
    let p = model.bind(&tape);
    let prob = model.forward(&p, tape.constant(&d.features)).unwrap().sigmoid();
    let loss = bce(prob, tape.constant(&y), Reduction::Mean).unwrap().item();
    assert!((loss - 0.06057760372678504).abs() < 1e-9, "loss {loss}");
    let correct =
        prob.value().data().iter().zip(d.labels.data()).filter(|(p, y)| (**p >= 0.5) == (**y == 1.0)).count();
    assert_eq!(correct, 562);
}

#[test]
fn seeded_mlp_learns_xor() {
    let x = Tensor::<f64>::from([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
    let y = Tensor::<f64>::from([[0.0], [1.0], [1.0], [0.0]]);
    let mut rng = StdRng::seed_from_u64(2024);
    let mut model = Sequential::new()
        .add(Linear::new(2, 8, Init::XavierUniform, &mut rng))
        .add(Tanh)
        .add(Linear::new(8, 1, Init::XavierUniform, &mut rng));
    let mut opt = Adam::new(0.05);
    let mut tape = Tape::new();
    let mut losses = Vec::new();
    for _ in 0..300 {
        tape.reset();
        let p = model.bind(&tape);
        let logits = model.forward(&p, tape.constant(&x)).unwrap();
        let loss = bce_with_logits(logits, tape.constant(&y), Reduction::Mean).unwrap();
        losses.push(loss.item());
        opt.step(&mut model, &p, &loss.backward()).unwrap();
    }
    assert!(losses[0] > 0.5, "{}", losses[0]);
    assert!(losses[299] < 0.05, "final loss {}", losses[299]);
    tape.reset();
    let p = model.bind(&tape);
    let out = model.forward(&p, tape.constant(&x)).unwrap().sigmoid().value();
    for (o, t) in out.data().iter().zip(y.data()) {
        assert!((o - t).abs() < 0.1, "{out:?}");
    }
}

/// W3 in f32 needs the fused loss: σ(z) rounds to exactly 1.0f for some rows, where a
/// naive ln(1 − p) is −inf. BCE-with-logits gives the same optimum (reference 0.0605776 ± 1e-6).
#[test]
fn logistic_regression_in_f32_with_logits() {
    let d = load_csv::<f32>(DATA, "y").unwrap();
    let y = d.labels_column();
    let mut model = Linear::<f32>::zeros(30, 1);
    let mut opt = Sgd::new(0.1f32);
    let mut tape = Tape::new();
    let mut loss = f32::NAN;
    for _ in 0..=1000 {
        tape.reset();
        let p = model.bind(&tape);
        let z = model.forward(&p, tape.constant(&d.features)).unwrap();
        let l = bce_with_logits(z, tape.constant(&y), Reduction::Mean).unwrap();
        loss = l.item();
        assert!(loss.is_finite());
        opt.step(&mut model, &p, &l.backward()).unwrap();
    }
    // `loss` is the value at the parameters after 1000 updates (the 1001st forward pass)
    assert!((loss - 0.0605776).abs() < 1e-6, "f32 loss {loss}");
}

/// Parameters kept on the tape (`TapeParams`) train exactly like parameters bound onto a
/// fresh tape every step, with a stateful optimizer (Adam) and with momentum SGD.
#[test]
fn parameters_on_the_tape_train_like_bound_ones() {
    let x = Tensor::from([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]);
    let y = Tensor::from([[0.0], [1.0], [1.0], [0.0]]);
    let make = || {
        let mut rng = StdRng::seed_from_u64(7);
        Sequential::<f64>::new()
            .add(Linear::new(2, 8, Init::XavierUniform, &mut rng))
            .add(Tanh)
            .add(Linear::new(8, 1, Init::XavierUniform, &mut rng))
    };
    for adam in [true, false] {
        let new_opt = || -> Box<dyn Optimizer<f64>> {
            if adam {
                Box::new(Adam::new(0.05))
            } else {
                Box::new(Sgd::new(0.3).momentum(0.9))
            }
        };
        // Bound every step.
        let (mut model, mut opt) = (make(), new_opt());
        let mut tape = Tape::new();
        let mut want = Vec::new();
        for _ in 0..50 {
            tape.reset();
            let p = model.bind(&tape);
            let z = model.forward(&p, tape.constant(&x)).unwrap();
            let loss = bce_with_logits(z, tape.constant(&y), Reduction::Mean).unwrap();
            want.push(loss.item());
            let g = loss.backward();
            let gs: Vec<&[f64]> = p.vars().iter().map(|v| &g[*v]).collect();
            opt.update(&mut model.parameters_mut(), &gs).unwrap();
        }
        // Kept on the tape.
        let (mut on_tape, mut opt) = (make(), new_opt());
        let mut tape = Tape::new();
        let params = wengert_nn::TapeParams::new(&on_tape, &tape);
        let (xid, yid) = (tape.constant(&x).node(), tape.constant(&y).node());
        let mark = tape.mark();
        let mut grads = wengert_tape::Grads::new();
        let mut got = Vec::new();
        for _ in 0..50 {
            let p = params.bind(&tape).unwrap();
            let z = on_tape.forward(&p, tape.get(xid).unwrap()).unwrap();
            let loss = bce_with_logits(z, tape.get(yid).unwrap(), Reduction::Mean).unwrap();
            got.push(loss.item());
            loss.backward_into(&mut grads);
            params.step(&mut tape, &mark, &grads, opt.as_mut()).unwrap();
        }
        assert_eq!(got, want, "adam {adam}");
        assert!(want[49] < want[0] * 0.5, "adam {adam}: did not train: {want:?}");
        assert_ne!(on_tape.state_dict(), model.state_dict(), "the module is untouched until store");
        params.store(&tape, &mut on_tape).unwrap();
        assert_eq!(on_tape.state_dict(), model.state_dict(), "adam {adam}");
    }
}
