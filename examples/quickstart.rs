//! Quickstart: f(x, y) = x·y + sin(x) and its gradient at (2, 3), then a small tensor
//! expression with broadcasting.
//!
//! Run with `cargo run --release --example quickstart`.

use wengert::tape::{Tape, Tensor};

fn main() {
    // Scalars: every operation is recorded on the tape as it runs.
    let tape = Tape::<f64>::new();
    let x = tape.scalar(2.0);
    let y = tape.scalar(3.0);
    let f = x * y + x.sin();
    let g = f.backward();
    println!("f(x, y) = x·y + sin(x) at (x, y) = (2, 3)");
    println!("  f      = {:.17}", f.item());
    println!("  ∂f/∂x  = {:.17}   (y + cos x = {:.17})", g.scalar(x), 3.0 + 2f64.cos());
    println!("  ∂f/∂y  = {:.17}   (x)", g.scalar(y));
    println!();

    // Tensors: [3, 1] * [4] broadcasts to [3, 4]; gradients are summed back to each shape.
    let a = tape.var(&Tensor::from([[1.0], [2.0], [3.0]]));
    let b = tape.var(&Tensor::from([0.5, -1.0, 2.0, 4.0]));
    let s = (a * b).tanh().sum();
    let g = s.backward();
    println!("s = sum(tanh(a * b)) with a: [3, 1], b: [4]");
    println!("  s     = {:.17}", s.item());
    println!("  ∂s/∂a = {:.17?}", g.wrt(a).data());
    println!("  ∂s/∂b = {:.17?}", g.wrt(b).data());
}
