//! A 2-16-16-1 ReLU network separating two interleaved half-moons: micrograd's demo,
//! reproduced number for number with batched tensors.
//!
//! * Data: `examples/data/moons_100.csv`, scikit-learn's `make_moons(n_samples=100,
//!   noise=0.1, random_state=1)`; targets ys = 2y − 1 ∈ {−1, +1}.
//! * Initial weights: `examples/data/w1_init.csv` (the demo's, drawn with SplitMix64);
//!   biases 0.
//! * Loss: max-margin hinge loss plus L2 regularisation,
//!   `mean(relu(1 − ys·score)) + 1e−4·Σ p²` over all 337 parameters.
//! * 100 steps of SGD with lr = 1.0 − 0.9·k/100 at step k.
//!
//! The last line is `final loss=0.011391668749819278 accuracy=1` (the loss after 100 steps;
//! micrograd's is 0.011391668749819284, 3 ulp away: the reference value of the W1 workload in
//! `../shared/perf/README.md`, from its `w1_scalar_mlp.py`).
//!
//! ```text
//! cargo run --release --example moons
//! cargo run --release --example moons -- --plot moons.png   # loss curve + decision boundary
//! cargo run --release --example moons -- --save moons.safetensors   # trained parameters
//! ```

use std::error::Error;

use plotters::prelude::*;
use wengert::nn::data::{load_csv, read_csv};
use wengert::nn::{Linear, Module, Optimizer, ReLU, SaveLoad, Sequential, Sgd};
use wengert::tape::{Tape, Tensor, Var};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data");
const SIZES: [usize; 4] = [2, 16, 16, 1];

/// The MLP with weights from `w1_init.csv` (rows `layer,out,in,w`; our weights are
/// `[in, out]`, the file's `[out][in]`).
fn model_from_init() -> Result<Sequential<f64>, Box<dyn Error>> {
    let table = read_csv::<f64>(format!("{DIR}/w1_init.csv"))?;
    let mut weights: Vec<Tensor<f64>> = SIZES.windows(2).map(|s| Tensor::zeros(&[s[0], s[1]])).collect();
    for row in table.data.data().chunks_exact(4) {
        let (l, out, inp, w) = (row[0] as usize, row[1] as usize, row[2] as usize, row[3]);
        let cols = SIZES[l + 1];
        weights[l].data_mut()[inp * cols + out] = w;
    }
    let mut model = Sequential::new();
    for (l, w) in weights.into_iter().enumerate() {
        let out = w.shape()[1];
        model = model.add(Linear::from_tensors(w, Some(Tensor::zeros(&[out])))?);
        if l + 2 < SIZES.len() {
            model = model.add(ReLU);
        }
    }
    Ok(model)
}

/// Hinge loss + L2 penalty, and accuracy, at the bound parameters.
fn loss_and_accuracy<'t>(
    model: &Sequential<f64>,
    p: &wengert::nn::Bound<'t, f64>,
    x: Var<'t, f64>,
    ys: Var<'t, f64>,
) -> Result<(Var<'t, f64>, f64), Box<dyn Error>> {
    let score = model.forward(p, x)?;
    let data_loss = (ys * score).rsub(1.0).relu().mean();
    let reg_loss = p.sum_of_squares().ok_or("no parameters")? * 1e-4;
    let s = score.value();
    let correct = s.data().iter().zip(ys.value().data()).filter(|(s, y)| (**s > 0.0) == (**y > 0.0)).count();
    Ok((data_loss + reg_loss, correct as f64 / s.len() as f64))
}

fn main() -> Result<(), Box<dyn Error>> {
    let (mut plot, mut save) = (None, None);
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--plot" => plot = Some(args.next().ok_or("--plot needs a file name")?),
            "--save" => save = Some(args.next().ok_or("--save needs a file name")?),
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    let data = load_csv::<f64>(format!("{DIR}/moons_100.csv"), "y")?;
    let ys = data.labels_column().map(|y| 2.0 * y - 1.0);
    let mut model = model_from_init()?;
    println!("moons: {} points, MLP 2-16-16-1 with {} parameters", data.len(), model.num_params());

    let mut opt = Sgd::new(1.0);
    let mut tape = Tape::new();
    let mut curve = Vec::new();
    for k in 0..100 {
        tape.reset();
        let p = model.bind(&tape);
        let (loss, acc) = loss_and_accuracy(&model, &p, tape.constant(&data.features), tape.constant(&ys))?;
        let grads = loss.backward();
        opt.set_lr(1.0 - 0.9 * k as f64 / 100.0);
        opt.step(&mut model, &p, &grads)?;
        curve.push(loss.item());
        if k % 10 == 0 || k == 99 {
            println!("step {k:3} loss={} accuracy={acc}", loss.item());
        }
    }
    tape.reset();
    let p = model.bind(&tape);
    let (loss, acc) = loss_and_accuracy(&model, &p, tape.constant(&data.features), tape.constant(&ys))?;
    let loss = loss.item();
    curve.push(loss);
    if let Some(file) = plot {
        draw(&file, &curve, &model, &data.features, data.labels.data())?;
        println!("wrote {file} (left: loss curve, grid lines every 0.1; right: decision boundary)");
    }
    if let Some(file) = save {
        model.save(&file)?;
        println!("saved the trained parameters to {file} (safetensors; weights [in, out])");
    }
    println!("final loss={loss} accuracy={acc}");
    Ok(())
}

fn draw(
    file: &str,
    curve: &[f64],
    model: &Sequential<f64>,
    x: &Tensor<f64>,
    y: &[f64],
) -> Result<(), Box<dyn Error>> {
    let root = BitMapBackend::new(file, (1200, 500)).into_drawing_area();
    root.fill(&WHITE)?;
    let (left, right) = root.split_horizontally(600);

    let top = curve.iter().cloned().fold(0.0, f64::max) * 1.05;
    let mut chart = ChartBuilder::on(&left).margin(20).build_cartesian_2d(0..curve.len(), 0.0..top)?;
    // Grid lines every 0.1 of loss (the bitmap backend is built without fonts: no text).
    for k in 1..=(top / 0.1) as usize {
        let v = k as f64 * 0.1;
        chart.draw_series(LineSeries::new([(0, v), (curve.len(), v)], RGBColor(220, 220, 220)))?;
    }
    chart
        .draw_series(LineSeries::new(curve.iter().enumerate().map(|(i, &l)| (i, l)), BLUE.stroke_width(2)))?;

    // Decision boundary: the model's sign on a grid, evaluated as one batch.
    let (x0, x1, y0, y1, n) = (-1.5, 2.5, -1.0, 1.5, 120usize);
    let grid = Tensor::from_fn(&[n * n, 2], |i| {
        let (cell, coord) = (i / 2, i % 2);
        if coord == 0 {
            x0 + (x1 - x0) * ((cell % n) as f64 + 0.5) / n as f64
        } else {
            y0 + (y1 - y0) * ((cell / n) as f64 + 0.5) / n as f64
        }
    });
    let tape = Tape::new();
    let p = model.bind(&tape);
    let score = model.forward(&p, tape.constant(&grid))?.value();
    let mut chart = ChartBuilder::on(&right).margin(20).build_cartesian_2d(x0..x1, y0..y1)?;
    let (dx, dy) = ((x1 - x0) / n as f64, (y1 - y0) / n as f64);
    chart.draw_series((0..n * n).map(|c| {
        let (gx, gy) = (x0 + dx * (c % n) as f64, y0 + dy * (c / n) as f64);
        let color = if score.data()[c] > 0.0 { RGBColor(255, 214, 170) } else { RGBColor(170, 200, 255) };
        Rectangle::new([(gx, gy), (gx + dx, gy + dy)], color.filled())
    }))?;
    let points = x.data().chunks_exact(2).zip(y);
    chart.draw_series(points.map(|(p, &label)| {
        let color = if label > 0.5 { RGBColor(200, 80, 0) } else { RGBColor(0, 60, 200) };
        Circle::new((p[0], p[1]), 4, color.filled())
    }))?;
    root.present()?;
    Ok(())
}
