//! Criterion benches of the peer-comparison workloads (everyday regression tracking; the
//! side-by-side comparison with the peers is `examples/workloads`, see docs/PERFORMANCE.md).
//!
//! `cargo bench --bench workloads`

use criterion::{criterion_group, criterion_main, Criterion};
use wengert::tape::{Grads, Tape, Tensor};

#[path = "../examples/workloads/defs.rs"]
mod defs;
use defs::*;

fn w1_scalar_mlp_step(c: &mut Criterion) {
    let (x, y) = moons();
    let mut m = ScalarMlp::from_init();
    let mut tape = Tape::with_capacity(70_000, 70_000);
    let mut grads = Grads::new();
    c.bench_function("W1 scalar MLP step (f64, 65k nodes)", |b| {
        b.iter(|| m.step(&mut tape, &mut grads, &x, &y, 0.01))
    });
}

fn w2_rosenbrock(c: &mut Criterion) {
    let x0 = rosen_x();
    let mut tape = Tape::<f64>::with_capacity(100_000, 100_000);
    let mut grads = Grads::new();
    let mut g = vec![0.0; x0.len()];
    c.bench_function("W2 scalar record (n = 10k, 90k nodes)", |b| {
        b.iter(|| {
            tape.reset();
            let t = &tape;
            let xs = t.scalars(&x0);
            rosen_scalar(t, &xs).item()
        })
    });
    c.bench_function("W2 scalar value+grad (n = 10k)", |b| {
        b.iter(|| {
            tape.reset();
            let t = &tape;
            let xs = t.scalars(&x0);
            let f = rosen_scalar(t, &xs);
            f.backward_into(&mut grads);
            grads.scalars_into(&xs, &mut g);
            g[0]
        })
    });
    // x kept before a mark, as the workloads program does (and torch keeps its leaf).
    tape.reset();
    let xid = tape.var(&Tensor::from_vec(x0.clone())).node();
    let mark = tape.mark();
    c.bench_function("W2 vectorised value+grad (n = 10k)", |b| {
        b.iter(|| {
            tape.rewind(&mark);
            let x = tape.get(xid).expect("x is before the mark");
            let f = rosen_vec(x);
            f.backward_into(&mut grads);
            grads[x][0]
        })
    });
}

/// Stretch target of the performance issue: a Hessian-vector product within 4x of one
/// gradient. Both through `functional` (a fresh tape per call), on the vectorised W2.
fn w2_hvp(c: &mut Criterion) {
    use wengert::tape::functional::{func, grad, hvp};
    let x = Tensor::from_vec(rosen_x());
    let v = Tensor::from_vec((0..N2).map(|i| ((i % 7) as f64 - 3.0) * 0.1).collect());
    let f = func(rosen_vec);
    let mut g = c.benchmark_group("W2 vectorised (n = 10k): gradient vs Hessian-vector product");
    g.bench_function("grad", |b| b.iter(|| grad(f, &x).data()[0]));
    g.bench_function("hvp", |b| b.iter(|| hvp(f, &x, &v).data()[0]));
    g.finish();
}

fn w3_logreg(c: &mut Criterion) {
    let rows = read_csv("breast_cancer_std.csv");
    let n = rows.len();
    let x = Tensor::new(&[n, 30], rows.iter().flat_map(|r| r[..30].to_vec()).collect()).unwrap();
    let y = Tensor::new(&[n, 1], rows.iter().map(|r| r[30]).collect()).unwrap();
    let mut tape = Tape::<f64>::new();
    let mut grads = Grads::new();
    let mut g = c.benchmark_group("W3");
    g.sample_size(10);
    g.bench_function("logistic regression, 1000 epochs (f64)", |b| {
        b.iter(|| w3_train(&x, &y, &mut tape, &mut grads))
    });
    let (x32, y32) = (x.cast::<f32>(), y.cast::<f32>());
    let mut tape32 = Tape::<f32>::new();
    let mut grads32 = Grads::new();
    g.bench_function("logistic regression, 1000 epochs (f32)", |b| {
        b.iter(|| w3_train(&x32, &y32, &mut tape32, &mut grads32))
    });
    g.finish();
}

/// The kernels this workload leans on: W3's matrix-vector product (569×30, f32 and f64)
/// and an f32 exp and softplus and an f64 exp and ln over 2¹⁶ elements (the four-lane
/// paths; the f64 ln also times an `abs`) and an f64 sum of 10⁴ elements, each on a
/// rewound tape.
fn kernels(c: &mut Criterion) {
    let mut g = c.benchmark_group("kernels");
    let x = Tensor::from_fn(&[569, 30], |i| uniform_pm1(7, i as u64));
    let w = Tensor::from_fn(&[30, 1], |i| uniform_pm1(8, i as u64));
    let mut t64 = Tape::<f64>::new();
    let (xi, wi) = (t64.constant(&x).node(), t64.constant(&w).node());
    let m64 = t64.mark();
    g.bench_function("matvec 569x30 (f64)", |b| {
        b.iter(|| {
            t64.rewind(&m64);
            t64.get(xi).unwrap().matmul(t64.get(wi).unwrap()).node()
        })
    });
    let mut t32 = Tape::<f32>::new();
    let (xi, wi) = (t32.constant(&x.cast()).node(), t32.constant(&w.cast()).node());
    let m32 = t32.mark();
    g.bench_function("matvec 569x30 (f32)", |b| {
        b.iter(|| {
            t32.rewind(&m32);
            t32.get(xi).unwrap().matmul(t32.get(wi).unwrap()).node()
        })
    });
    let v = Tensor::from_fn(&[1 << 16], |i| uniform_pm1(9, i as u64) * 20.0).cast::<f32>();
    let vi = t32.constant(&v).node();
    let m32 = t32.mark();
    g.bench_function("exp 2^16 (f32)", |b| {
        b.iter(|| {
            t32.rewind(&m32);
            t32.get(vi).unwrap().exp().node()
        })
    });
    g.bench_function("softplus 2^16 (f32)", |b| {
        b.iter(|| {
            t32.rewind(&m32);
            t32.get(vi).unwrap().softplus().node()
        })
    });
    let vi = t64.constant(&v.cast::<f64>()).node();
    let m64 = t64.mark();
    for (name, ln) in [("exp 2^16 (f64)", false), ("ln 2^16 (f64)", true)] {
        g.bench_function(name, |b| {
            b.iter(|| {
                t64.rewind(&m64);
                let x = t64.get(vi).unwrap();
                if ln { x.abs().ln() } else { x.exp() }.node()
            })
        });
    }
    // The pairwise sum (every `sum`, W2's and W3's losses): 10⁴ elements as in W2.
    let s = t64.constant(&Tensor::from_fn(&[10_000], |i| uniform_pm1(10, i as u64))).node();
    let m64 = t64.mark();
    g.bench_function("sum 10^4 (f64)", |b| {
        b.iter(|| {
            t64.rewind(&m64);
            t64.get(s).unwrap().sum().node()
        })
    });
    g.finish();
}

fn w4_mlp_step(c: &mut Criterion) {
    let mut m = Mlp::<f32>::new(256, 256);
    c.bench_function("W4 MLP step 256x256 (f32)", |b| b.iter(|| m.step()));
}

criterion_group!(benches, w1_scalar_mlp_step, w2_rosenbrock, w2_hvp, w3_logreg, kernels, w4_mlp_step);
criterion_main!(benches);
