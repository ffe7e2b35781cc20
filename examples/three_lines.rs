//! Logistic regression on the Wisconsin Diagnostic Breast Cancer data (569 examples, 30
//! standardised features), written as the three equations it is made of:
//!
//! ```text
//! z = Xw + b
//! ŷ = σ(z)
//! L = BCE(ŷ, y) = −mean(y ln ŷ + (1 − y) ln(1 − ŷ))
//! w := w − α ∂L/∂w,   b := b − α ∂L/∂b
//! ```
//!
//! Full batch, w = 0, b = 0, α = 0.1, 1000 epochs, f64. The last line is
//! `final loss=0.0605776037267850… accuracy=0.9876977152899824` (562 of 569).
//!
//! ```text
//! cargo run --release --example three_lines
//! cargo run --release --example three_lines -- --plot loss.png
//! cargo run --release --example three_lines -- --init w0.safetensors --steps 100 --optimizer adam --every 1
//! ```
//!
//! Flags:
//! * `--plot FILE.png` writes the loss curve.
//! * `--init FILE` starts from the weights in FILE (safetensors: `weight` [30, 1], `bias`
//!   [1]). If FILE does not exist it is created first with PyTorch's default `nn.Linear`
//!   init, U(±1/√30), drawn from a `StdRng` seeded with `--seed` (default 0).
//!   `scripts/torch_three_lines.py` runs PyTorch from the same file.
//! * `--steps N` (default 1000), `--every K` (print the loss every K steps, default 100).
//! * `--optimizer sgd|momentum|nesterov|adam`: plain SGD (α = 0.1, the default);
//!   SGD with momentum 0.9 and weight decay 0.001 (α = 0.1); Nesterov momentum 0.9
//!   (α = 0.1); Adam (α = 0.01, β = (0.9, 0.999), ε = 1e−8). `--lr X` overrides α.

use std::error::Error;
use std::path::Path;

use plotters::prelude::*;
use rand::{rngs::StdRng, SeedableRng};
use wengert::nn::{data::load_csv, io, loss::bce, Adam, Init, Optimizer, Reduction, Sgd, StateDict};
use wengert::tape::{Tape, Tensor};

const DATA: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/breast_cancer_std.csv");

struct Args {
    steps: usize,
    every: usize,
    optimizer: String,
    lr: Option<f64>,
    init: Option<String>,
    seed: u64,
    plot: Option<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut a =
        Args { steps: 1000, every: 100, optimizer: "sgd".into(), lr: None, init: None, seed: 0, plot: None };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--steps" => a.steps = value()?.parse().map_err(|e| format!("--steps: {e}"))?,
            "--every" => a.every = value()?.parse().map_err(|e| format!("--every: {e}"))?,
            "--optimizer" => a.optimizer = value()?,
            "--lr" => a.lr = Some(value()?.parse().map_err(|e| format!("--lr: {e}"))?),
            "--init" => a.init = Some(value()?),
            "--seed" => a.seed = value()?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--plot" => a.plot = Some(value()?),
            other => return Err(format!("unknown flag {other}")),
        }
    }
    a.every = a.every.max(1);
    Ok(a)
}

fn optimizer(name: &str, lr: Option<f64>) -> Result<Box<dyn Optimizer<f64>>, String> {
    Ok(match name {
        "sgd" => Box::new(Sgd::new(lr.unwrap_or(0.1))),
        "momentum" => Box::new(Sgd::new(lr.unwrap_or(0.1)).momentum(0.9).weight_decay(1e-3)),
        "nesterov" => Box::new(Sgd::new(lr.unwrap_or(0.1)).momentum(0.9).nesterov(true)),
        "adam" => Box::new(Adam::new(lr.unwrap_or(0.01))),
        other => return Err(format!("unknown optimizer {other} (sgd|momentum|nesterov|adam)")),
    })
}

/// Initial (w, b): zeros, or from `--init FILE` (created with a seeded draw if missing).
fn initial_weights(args: &Args, features: usize) -> Result<(Tensor<f64>, Tensor<f64>), Box<dyn Error>> {
    let Some(file) = &args.init else {
        return Ok((Tensor::zeros(&[features, 1]), Tensor::zeros(&[1])));
    };
    if !Path::new(file).exists() {
        let mut rng = StdRng::seed_from_u64(args.seed);
        let mut dict = StateDict::<f64>::new();
        dict.insert("weight".to_string(), Init::TorchDefault.tensor(&[features, 1], features, 1, &mut rng));
        dict.insert("bias".to_string(), Init::TorchDefault.tensor(&[1], features, 1, &mut rng));
        io::save_safetensors(file, &dict)?;
        println!("wrote initial weights to {file} (seed {})", args.seed);
    }
    let mut dict = io::load_safetensors::<f64>(file)?;
    let (w, b) = (dict.shift_remove("weight"), dict.shift_remove("bias"));
    match (w, b) {
        (Some(w), Some(b)) if w.shape() == [features, 1] && b.shape() == [1] => Ok((w, b)),
        _ => Err(format!("{file}: needs tensors 'weight' [{features}, 1] and 'bias' [1]").into()),
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    let args = parse_args()?;
    let data = load_csv::<f64>(DATA, "y")?;
    let (n, d) = (data.len(), data.features.shape()[1]);
    println!("breast cancer: {n} examples, {d} features; optimizer {}", args.optimizer);

    let (mut w, mut b) = initial_weights(&args, d)?;
    let mut opt = optimizer(&args.optimizer, args.lr)?;
    let y_col = data.labels_column();
    let mut tape = Tape::<f64>::new();
    let mut curve = Vec::with_capacity(args.steps);

    // Loss and probabilities at the current (w, b); with `train`, one step of the optimizer.
    let mut step = |w: &mut Tensor<f64>,
                    b: &mut Tensor<f64>,
                    train: bool|
     -> Result<(f64, Tensor<f64>), Box<dyn Error>> {
        tape.reset();
        let x = tape.constant(&data.features);
        let y = tape.constant(&y_col);
        let (wv, bv) = (tape.var(w), tape.var(b));

        let z = x.try_matmul(wv)? + bv; // z = Xw + b
        let p = z.sigmoid(); // ŷ = σ(z)
        let loss = bce(p, y, Reduction::Mean)?; // L = BCE(ŷ, y)

        let value = loss.item();
        let probs = p.value();
        if train {
            let g = loss.backward();
            opt.update(&mut [w, b], &[&g[wv], &g[bv]])?; // w := w − α ∂L/∂w, b := b − α ∂L/∂b
        }
        Ok((value, probs))
    };

    for epoch in 0..args.steps {
        let (loss, _) = step(&mut w, &mut b, true)?;
        curve.push(loss);
        if epoch % args.every == 0 || epoch + 1 == args.steps {
            println!("epoch {epoch:5} loss={loss}");
        }
    }
    let (loss, p) = step(&mut w, &mut b, false)?;
    let correct =
        p.data().iter().zip(data.labels.data()).filter(|(p, y)| ((**p >= 0.5) as u8 as f64) == **y).count();
    if let Some(file) = &args.plot {
        curve.push(loss);
        plot_loss(file, &curve)?;
        println!("wrote {file} (loss curve; grid lines every 0.1 of loss)");
    }
    println!("correct {correct}/{n}");
    println!("final loss={loss} accuracy={}", correct as f64 / n as f64);
    Ok(())
}

fn plot_loss(file: &str, curve: &[f64]) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(file, (800, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let top = curve.iter().cloned().fold(0.0, f64::max) * 1.05;
    let mut chart = ChartBuilder::on(&root).margin(20).build_cartesian_2d(0..curve.len(), 0.0..top)?;
    // Grid lines every 0.1 of loss (the bitmap backend is built without fonts: no text).
    for k in 1..=(top / 0.1) as usize {
        let v = k as f64 * 0.1;
        chart.draw_series(LineSeries::new([(0, v), (curve.len(), v)], RGBColor(220, 220, 220)))?;
    }
    chart
        .draw_series(LineSeries::new(curve.iter().enumerate().map(|(i, &l)| (i, l)), BLUE.stroke_width(2)))?;
    root.present()?;
    Ok(())
}
