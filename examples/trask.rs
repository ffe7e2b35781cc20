//! The classic "neural network in 11 lines" (Andrew Trask, 2015): 3 inputs, 4 hidden
//! sigmoid units, 1 sigmoid output, no biases, trained on four examples whose target is
//! the XOR of the first two inputs (the third is a constant 1).
//!
//! The original updates its weights with hand-derived deltas,
//! `l2_delta = (y − l2)·l2·(1 − l2)`, `syn1 += l1ᵀ·l2_delta`, ..., which is gradient
//! descent with learning rate 1 on L = ½ Σ (y − ŷ)². Here the tape derives them:
//! the loss is written down and `backward()` gives the same updates.
//!
//! Weights start uniform in [−1, 1) (the original's `2·random − 1`) from a seeded
//! `StdRng`; 60,000 full-batch steps. The example checks that every output is within
//! 0.05 of its target.
//!
//! ```text
//! cargo run --release --example trask
//! ```

use rand::{rngs::StdRng, SeedableRng};
use wengert::nn::loss::mse;
use wengert::nn::{Init, Linear, Module, Optimizer, Reduction, Sequential, Sgd, Sigmoid};
use wengert::tape::{Tape, Tensor};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let x = Tensor::<f64>::from([[0.0, 0.0, 1.0], [0.0, 1.0, 1.0], [1.0, 0.0, 1.0], [1.0, 1.0, 1.0]]);
    let y = Tensor::from([[0.0], [1.0], [1.0], [0.0]]);

    let mut rng = StdRng::seed_from_u64(1);
    let init = Init::Uniform { low: -1.0, high: 1.0 };
    let mut net = Sequential::new()
        .add(Linear::new_no_bias(3, 4, init, &mut rng)) // syn0
        .add(Sigmoid)
        .add(Linear::new_no_bias(4, 1, init, &mut rng)) // syn1
        .add(Sigmoid);
    let mut opt = Sgd::new(1.0);

    let mut tape = Tape::new();
    for j in 0..60_000 {
        tape.reset();
        let p = net.bind(&tape);
        let l2 = net.forward(&p, tape.constant(&x))?;
        let loss = mse(l2, tape.constant(&y), Reduction::Sum)? * 0.5; // ½ Σ (y − ŷ)²
        opt.step(&mut net, &p, &loss.backward())?;
        if j % 10_000 == 0 {
            println!("step {j:5} loss={}", loss.item());
        }
    }

    tape.reset();
    let p = net.bind(&tape);
    let out = net.forward(&p, tape.constant(&x))?;
    let loss = (mse(out, tape.constant(&y), Reduction::Sum)? * 0.5).item();
    let out = out.value();
    println!("output after training: {:?}", out.data());
    let worst = out.data().iter().zip(y.data()).map(|(o, t)| (o - t).abs()).fold(0.0, f64::max);
    println!("largest |output − target| = {worst}");
    if worst >= 0.05 {
        return Err(format!("an output is {worst} away from its target (want < 0.05)").into());
    }
    let correct = out.data().iter().zip(y.data()).filter(|(o, t)| (**o >= 0.5) == (**t == 1.0)).count();
    println!("final loss={loss} accuracy={}", correct as f64 / 4.0);
    Ok(())
}
