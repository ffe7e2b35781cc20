//! Newton's method on logistic regression, with the exact Hessian from the engine.
//!
//! Data: `examples/data/breast_cancer_std.csv` (569 rows, 30 standardised features `f0..f29`
//! and a 0/1 label `y`). Parameters θ = (w, b), 31 numbers. The loss is
//!
//! ```text
//! L(θ) = (1/n) Σᵢ [softplus(zᵢ) − yᵢ·zᵢ] + (λ/2)‖w‖²,   z = X·w + b
//! ```
//!
//! Each iteration takes ∇L and ∇²L from the tape (`functional::grad`, `functional::hessian`:
//! one recorded backward, then one reverse sweep per parameter over it), solves
//! ∇²L·d = ∇L by Cholesky and steps θ ← θ − d.
//!
//! Why the ridge term λ = 1e-3: the data are close to linearly separable, so without it the
//! minimiser runs off to infinity (the loss keeps creeping towards 0 and the Hessian
//! p(1 − p) weights vanish). The ridge term makes L strongly convex with a finite
//! minimiser, so the pure Newton iteration (no line search) converges: from θ = 0 the
//! gradient norm falls from 1.4 to below 1e-16 in 10 steps, the last four quadratically
//! (1.8e-4, 1.5e-6, 1.0e-10, 2.7e-17). The bias is not penalised.
//!
//! The program also compares the engine's Hessian at the solution with the closed form
//! Xᵀ·diag(p(1 − p))·X/n + λ·I and exits with status 1 if they disagree or Newton fails
//! to converge.
//!
//! Run with `cargo run --release --example newton`.

use std::time::Instant;

use wengert::tape::functional::{func, grad, hessian};
use wengert::tape::{Tensor, Var};

const LAMBDA: f64 = 1e-3;

/// Reads the CSV: header, then rows of features followed by the label.
fn load(path: &str) -> Result<(Vec<f64>, Vec<f64>, usize, usize), String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{path}: {e}"))?;
    let mut lines = text.lines();
    let header = lines.next().ok_or_else(|| format!("{path}: empty file"))?;
    let cols = header.split(',').count();
    let (mut x, mut y) = (Vec::new(), Vec::new());
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.trim().is_empty()) {
        let vals: Vec<f64> = line
            .split(',')
            .enumerate()
            .map(|(c, s)| s.trim().parse::<f64>().map_err(|e| format!("{path}:{}:{}: {e}", i + 2, c + 1)))
            .collect::<Result<_, _>>()?;
        if vals.len() != cols {
            return Err(format!("{path}:{}: {} fields, header has {cols}", i + 2, vals.len()));
        }
        x.extend_from_slice(&vals[..cols - 1]);
        y.push(vals[cols - 1]);
    }
    let n = y.len();
    Ok((x, y, n, cols - 1))
}

/// Solves A·x = b for a symmetric positive definite A (n×n, row-major) by Cholesky.
fn cholesky_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut l = vec![0.0; n * n];
    for i in 0..n {
        for j in 0..=i {
            let s: f64 = a[i * n + j] - (0..j).map(|k| l[i * n + k] * l[j * n + k]).sum::<f64>();
            if i == j {
                if s <= 0.0 {
                    return None;
                }
                l[i * n + i] = s.sqrt();
            } else {
                l[i * n + j] = s / l[j * n + j];
            }
        }
    }
    let mut z = vec![0.0; n];
    for i in 0..n {
        z[i] = (b[i] - (0..i).map(|k| l[i * n + k] * z[k]).sum::<f64>()) / l[i * n + i];
    }
    let mut x = vec![0.0; n];
    for i in (0..n).rev() {
        x[i] = (z[i] - (i + 1..n).map(|k| l[k * n + i] * x[k]).sum::<f64>()) / l[i * n + i];
    }
    Some(x)
}

fn main() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/examples/data/breast_cancer_std.csv");
    let (xs, ys, n, d) = match load(path) {
        Ok(v) => v,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    };
    println!("breast cancer: {n} samples, {d} features; ridge λ = {LAMBDA:e} on w (not on b)");
    let x = Tensor::new(&[n, d], xs.clone()).expect("rows have d features");
    let y = Tensor::new(&[n, 1], ys.clone()).expect("one label per row");

    // θ = [w (d), b]: the loss as a function of one parameter vector.
    let loss = func(|theta: Var<'_>| {
        let t = theta.tape();
        let w = theta.slice(0, 0, d).reshape(&[d, 1]);
        let b = theta.slice(0, d, 1);
        let z = t.constant(&x).matmul(w) + b;
        (z.softplus() - z * t.constant(&y)).mean() + w.square().sum() * (LAMBDA / 2.0)
    });

    let mut theta = Tensor::zeros(&[d + 1]);
    let value = |th: &Tensor<f64>| {
        let tape = wengert::tape::Tape::new();
        loss(tape.var(th)).item()
    };
    println!("{:>4} {:>22} {:>12} {:>10}", "iter", "loss", "‖∇L‖", "ms");
    let mut converged = false;
    for it in 0..20 {
        let start = Instant::now();
        let g = grad(loss, &theta);
        let h = hessian(loss, &theta);
        let gnorm = g.data().iter().map(|v| v * v).sum::<f64>().sqrt();
        println!(
            "{it:>4} {:>22.16} {gnorm:>12.3e} {:>10.2}",
            value(&theta),
            start.elapsed().as_secs_f64() * 1e3
        );
        if gnorm < 1e-12 {
            converged = true;
            break;
        }
        let Some(step) = cholesky_solve(h.data(), g.data(), d + 1) else {
            eprintln!("error: the Hessian is not positive definite at iteration {it}");
            std::process::exit(1);
        };
        theta.data_mut().iter_mut().zip(&step).for_each(|(t, s)| *t -= s);
    }

    // The engine's Hessian against the closed form at the solution.
    let h = hessian(loss, &theta);
    let mut closed = vec![0.0; (d + 1) * (d + 1)];
    let mut correct = 0;
    for r in 0..n {
        let mut row = xs[r * d..(r + 1) * d].to_vec();
        row.push(1.0);
        let z: f64 = row.iter().zip(theta.data()).map(|(a, b)| a * b).sum();
        let p = 1.0 / (1.0 + (-z).exp());
        correct += ((p > 0.5) == (ys[r] > 0.5)) as usize;
        for i in 0..=d {
            for j in 0..=d {
                closed[i * (d + 1) + j] += p * (1.0 - p) * row[i] * row[j] / n as f64;
            }
        }
    }
    for i in 0..d {
        closed[i * (d + 1) + i] += LAMBDA;
    }
    let diff = h.data().iter().zip(&closed).map(|(a, b)| (a - b).abs()).fold(0.0, f64::max);
    println!("training accuracy {:.2}% ({correct}/{n})", 100.0 * correct as f64 / n as f64);
    println!("max |engine Hessian − Xᵀdiag(p(1−p))X/n − λI| = {diff:.2e}");
    if !converged || diff > 1e-10 {
        eprintln!(
            "error: {}",
            if converged { "Hessian mismatch" } else { "Newton did not converge in 20 steps" }
        );
        std::process::exit(1);
    }
}
