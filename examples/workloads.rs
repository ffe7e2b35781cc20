//! The performance workloads W1–W5 of the peer comparison (`../shared/perf/README.md`,
//! section 7), speaking the contract of `run_anchors.sh`:
//!
//! ```text
//! cargo build --release --example workloads
//! target/release/examples/workloads --workload W1|W2|W3|W4|W5 --threads 1|2 --pass N [--quick]
//! ```
//!
//! Each measurement is printed as one JSON line (`workload`, `impl`, `dtype`, `threads`,
//! `median_s`, `min_s`, `runs`, `extra`). Every workload first checks its result against
//! the values the peers agree on and prints the check in `extra`; a failed check exits 1.
//!
//! Timing follows the peers: at least 3 warm-up calls, then 15 samples of `inner` calls
//! each, with `inner` chosen so that a sample lasts about 50 ms.

use std::time::Instant;

use wengert::tape::{Grads, Tape, Tensor, Var};

// ---------------------------------------------------------------- harness

struct Args {
    workload: String,
    threads: usize,
    pass: String,
    quick: bool,
}

fn parse_args() -> Args {
    let mut a = Args { workload: "W1".into(), threads: 1, pass: "1".into(), quick: false };
    let mut it = std::env::args().skip(1);
    while let Some(k) = it.next() {
        match k.as_str() {
            "--workload" => a.workload = it.next().expect("--workload needs a value"),
            "--threads" => a.threads = it.next().and_then(|v| v.parse().ok()).expect("--threads 1|2"),
            "--pass" => a.pass = it.next().expect("--pass needs a value"),
            "--quick" => a.quick = true,
            other => {
                eprintln!(
                    "unknown argument {other}; usage: --workload W1..W5 --threads 1|2 --pass N [--quick]"
                );
                std::process::exit(2);
            }
        }
    }
    a
}

struct Timing {
    median_s: f64,
    min_s: f64,
    runs: usize,
    inner: usize,
    max_s: f64,
    cpu_util: f64,
}

fn cpu_time() -> f64 {
    // Process CPU time from /proc/self/stat (utime + stime, in clock ticks of 100 Hz).
    let s = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let after = s.rsplit_once(')').map(|(_, r)| r).unwrap_or("");
    let f: Vec<&str> = after.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

fn bench(quick: bool, mut f: impl FnMut()) -> Timing {
    let (samples, warmup) = if quick { (3, 1) } else { (15, 3) };
    for _ in 0..warmup {
        f();
    }
    let t0 = Instant::now();
    f();
    let one = t0.elapsed().as_secs_f64();
    let inner = ((0.05 / one.max(1e-9)) as usize).clamp(1, 100_000);
    let mut ts = Vec::with_capacity(samples);
    let (w0, c0) = (Instant::now(), cpu_time());
    for _ in 0..samples {
        let t = Instant::now();
        for _ in 0..inner {
            f();
        }
        ts.push(t.elapsed().as_secs_f64() / inner as f64);
    }
    let wall = w0.elapsed().as_secs_f64();
    let cpu_util = (cpu_time() - c0) / wall;
    let mut sorted = ts.clone();
    sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
    Timing {
        median_s: sorted[samples / 2],
        min_s: sorted[0],
        runs: samples,
        inner,
        max_s: sorted[samples - 1],
        cpu_util,
    }
}

fn loadavg() -> f64 {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|s| s.split_whitespace().next().and_then(|v| v.parse().ok()))
        .unwrap_or(0.0)
}

fn emit(args: &Args, workload: &str, imp: &str, dtype: &str, t: &Timing, extra: &[(&str, String)]) {
    let mut ex = format!(
        "\"inner\": {}, \"max_s\": {:e}, \"pass\": \"{}\", \"cpu_util\": {:.3}, \"loadavg1\": {:.2}",
        t.inner,
        t.max_s,
        args.pass,
        t.cpu_util,
        loadavg()
    );
    for (k, v) in extra {
        ex.push_str(&format!(", \"{k}\": {v}"));
    }
    println!(
        "{{\"workload\": \"{workload}\", \"impl\": \"{imp}\", \"dtype\": \"{dtype}\", \"threads\": {}, \
         \"median_s\": {:e}, \"min_s\": {:e}, \"runs\": {}, \"extra\": {{{ex}}}}}",
        args.threads, t.median_s, t.min_s, t.runs
    );
}

fn check(name: &str, got: f64, want: f64, tol: f64) -> (String, bool) {
    let ok = (got - want).abs() <= tol;
    if !ok {
        eprintln!("CHECK FAILED {name}: got {got:e}, want {want:e} ± {tol:e}");
    }
    (format!("{got:e}"), ok)
}

fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data")
}

fn read_csv(name: &str) -> Vec<Vec<f64>> {
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.parse::<f64>().expect("number")).collect())
        .collect()
}

/// SplitMix64 in counter form: the i-th uniform in [−1, 1) of stream `seed`.
fn uniform_pm1(seed: u64, i: u64) -> f64 {
    let mut z = seed.wrapping_add((i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let u = (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    2.0 * u - 1.0
}

// ---------------------------------------------------------------- W1

const SIZES: [(usize, usize); 3] = [(2, 16), (16, 16), (16, 1)];

/// micrograd's MLP: per layer, per neuron, weights then bias (micrograd parameter order).
struct ScalarMlp {
    params: Vec<f64>,
}

impl ScalarMlp {
    fn from_init() -> Self {
        let init = read_csv("w1_init.csv");
        let mut params = Vec::new();
        for (l, &(nin, nout)) in SIZES.iter().enumerate() {
            let w: Vec<f64> = init.iter().filter(|r| r[0] as usize == l).map(|r| r[3]).collect();
            for j in 0..nout {
                params.extend_from_slice(&w[j * nin..(j + 1) * nin]);
                params.push(0.0);
            }
        }
        ScalarMlp { params }
    }

    /// One step: forward over all points, hinge loss + L2, backward, SGD. Returns (loss, acc).
    fn step(
        &mut self,
        tape: &mut Tape<f64>,
        grads: &mut Grads<f64>,
        x: &[[f64; 2]],
        y: &[f64],
        lr: f64,
    ) -> (f64, f64) {
        tape.reset();
        let t = &*tape;
        let p: Vec<Var<'_, f64>> = self.params.iter().map(|&v| t.scalar(v)).collect();
        let mut data: Option<Var<'_, f64>> = None;
        let mut correct = 0;
        for (xi, &yi) in x.iter().zip(y) {
            let mut h: Vec<Var<'_, f64>> = xi.iter().map(|&v| t.scalar_constant(v)).collect();
            let mut k = 0;
            for (l, &(nin, nout)) in SIZES.iter().enumerate() {
                let mut next = Vec::with_capacity(nout);
                for _ in 0..nout {
                    let (w, b) = (&p[k..k + nin], p[k + nin]);
                    let mut act = b;
                    for i in 0..nin {
                        act = act + w[i] * h[i];
                    }
                    next.push(if l + 1 < SIZES.len() { act.relu() } else { act });
                    k += nin + 1;
                }
                h = next;
            }
            let score = h[0];
            if (yi > 0.0) == (score.item() > 0.0) {
                correct += 1;
            }
            let li = (score * -yi + 1.0).relu();
            data = Some(match data {
                None => li,
                Some(d) => d + li,
            });
        }
        let data = data.expect("points") * (1.0 / x.len() as f64);
        let mut reg = p[0] * p[0];
        for &q in &p[1..] {
            reg = reg + q * q;
        }
        let total = data + reg * 1e-4;
        total.backward_into(grads);
        for (v, &q) in self.params.iter_mut().zip(&p) {
            *v -= lr * grads.scalar(q);
        }
        (total.item(), correct as f64 / x.len() as f64)
    }
}

fn moons() -> (Vec<[f64; 2]>, Vec<f64>) {
    let rows = read_csv("moons_100.csv");
    (rows.iter().map(|r| [r[0], r[1]]).collect(), rows.iter().map(|r| r[2] * 2.0 - 1.0).collect())
}

fn w1(args: &Args) -> bool {
    let (x, y) = moons();
    let lr = |k: usize| 1.0 - 0.9 * k as f64 / 100.0;
    let mut tape = Tape::with_capacity(70_000, 70_000);
    let mut grads = Grads::new();
    // Correctness: 100 steps from the given initial weights.
    let mut m = ScalarMlp::from_init();
    let (loss0, _) = m.step(&mut tape, &mut grads, &x, &y, lr(0));
    let mut last = (0.0, 0.0);
    for k in 1..100 {
        last = m.step(&mut tape, &mut grads, &x, &y, lr(k));
    }
    // Loss and accuracy after 100 updates: one more forward (lr 0 leaves weights alone).
    let (loss100, acc) = m.step(&mut tape, &mut grads, &x, &y, 0.0);
    let _ = last;
    let nodes = tape.len();
    let (c0, ok0) = check("W1 loss0", loss0, 0.7807270827838716, 1e-12);
    let (c1, ok1) = check("W1 loss100", loss100, 0.011391668749819284, 1e-12);
    let ok2 = acc == 1.0;
    let mut m = ScalarMlp::from_init();
    let mut k = 0;
    let t = bench(args.quick, || {
        m.step(&mut tape, &mut grads, &x, &y, lr(k % 100));
        k += 1;
    });
    emit(
        args,
        "W1",
        "engine-scalar",
        "f64",
        &t,
        &[
            ("loss0", c0),
            ("loss100", c1),
            ("acc", format!("{acc}")),
            ("nodes", format!("{nodes}")),
            ("ns_per_node", format!("{:.2}", t.median_s * 1e9 / nodes as f64)),
        ],
    );
    ok0 && ok1 && ok2
}

// ---------------------------------------------------------------- W2

const N2: usize = 10_000;

fn rosen_x() -> Vec<f64> {
    (0..N2).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect()
}

/// Scalar tape, one node per scalar op (8 per term, as the probe).
fn rosen_scalar<'t>(t: &'t Tape<f64>, x: &[Var<'t, f64>]) -> Var<'t, f64> {
    let mut s = t.scalar_constant(0.0);
    for i in 0..x.len() - 1 {
        let sq = x[i] * x[i];
        let a = x[i + 1] - sq;
        let a2 = a * a;
        let b = 1.0 - x[i];
        let b2 = b * b;
        s = s + (a2 * 100.0 + b2);
    }
    s
}

fn rosen_plain(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// Vectorised: x as one tensor, shifted views by slicing.
fn rosen_vec<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
    let n = x.len();
    let lo = x.slice(0, 0, n - 1);
    let hi = x.slice(0, 1, n - 1);
    let a = hi - lo.square();
    let b = lo.rsub(1.0);
    (a.square() * 100.0 + b.square()).sum()
}

fn w2(args: &Args) -> bool {
    let x0 = rosen_x();
    let mut tape = Tape::<f64>::with_capacity(100_000, 100_000);
    let mut grads = Grads::new();
    let mut g = vec![0.0; N2];
    let mut ok = true;

    // Scalar: check, then time record-only and value+grad.
    let run_scalar = |tape: &mut Tape<f64>, grads: &mut Grads<f64>, g: &mut [f64], grad: bool| -> f64 {
        tape.reset();
        let t = &*tape;
        let xs: Vec<Var<'_, f64>> = x0.iter().map(|&v| t.scalar(v)).collect();
        let f = rosen_scalar(t, &xs);
        if grad {
            f.backward_into(grads);
            for (gi, &xi) in g.iter_mut().zip(&xs) {
                *gi = grads.scalar(xi);
            }
        }
        f.item()
    };
    let f = run_scalar(&mut tape, &mut grads, &mut g, true);
    let nodes = tape.len();
    let (cf, ok1) = check("W2 f", f, 2540516.0, 1e-6);
    let (cg0, ok2) = check("W2 g0", g[0], -215.6, 1e-9);
    let (cs, ok3) = check("W2 sum g", g.iter().sum(), 681560.0000000640, 1e-6);
    ok &= ok1 && ok2 && ok3;
    let extra =
        |f: String| vec![("n", format!("{N2}")), ("f", f), ("g0", cg0.clone()), ("sum_g", cs.clone())];
    let t_rec = bench(args.quick, || {
        run_scalar(&mut tape, &mut grads, &mut g, false);
    });
    emit(
        args,
        "W2/func",
        "engine-scalar-record",
        "f64",
        &t_rec,
        &[("n", format!("{N2}")), ("nodes", format!("{nodes}"))],
    );
    let t_grad = bench(args.quick, || {
        run_scalar(&mut tape, &mut grads, &mut g, true);
    });
    let mut e = extra(cf.clone());
    e.push(("func_impl", "\"engine-scalar-record\"".into()));
    e.push(("func_s", format!("{:e}", t_rec.median_s)));
    e.push(("nodes", format!("{nodes}")));
    emit(args, "W2/grad", "engine-scalar", "f64", &t_grad, &e);

    // Plain compiled function: the native floor.
    let t_plain = bench(args.quick, || {
        std::hint::black_box(rosen_plain(std::hint::black_box(&x0)));
    });
    emit(args, "W2/func", "rust-plain", "f64", &t_plain, &[("n", format!("{N2}"))]);

    // Vectorised.
    let xt = Tensor::from_vec(x0.clone());
    let run_vec = |tape: &mut Tape<f64>, grads: &mut Grads<f64>, grad: bool| -> (f64, f64, f64) {
        tape.reset();
        let x = tape.var(&xt);
        let f = rosen_vec(x);
        if grad {
            f.backward_into(grads);
            let gx = &grads[x];
            return (f.item(), gx[0], gx.iter().sum());
        }
        (f.item(), 0.0, 0.0)
    };
    let (f, g0, sg) = run_vec(&mut tape, &mut grads, true);
    let (cf, ok1) = check("W2 vec f", f, 2540516.0, 1e-6);
    let (cg0, ok2) = check("W2 vec g0", g0, -215.6, 1e-9);
    let (cs, ok3) = check("W2 vec sum g", sg, 681560.0000000640, 1e-6);
    ok &= ok1 && ok2 && ok3;
    let t_f = bench(args.quick, || {
        run_vec(&mut tape, &mut grads, false);
    });
    emit(args, "W2/func", "engine", "f64", &t_f, &[("n", format!("{N2}"))]);
    let t_g = bench(args.quick, || {
        run_vec(&mut tape, &mut grads, true);
    });
    emit(
        args,
        "W2/grad",
        "engine",
        "f64",
        &t_g,
        &[
            ("n", format!("{N2}")),
            ("f", cf),
            ("g0", cg0),
            ("sum_g", cs),
            ("func_impl", "\"engine\"".into()),
            ("func_s", format!("{:e}", t_f.median_s)),
        ],
    );
    ok
}

// ---------------------------------------------------------------- W3

type Ids = (wengert::tape::NodeId, wengert::tape::NodeId, wengert::tape::NodeId);

#[allow(clippy::type_complexity)]
fn w3_loss<'t, T: wengert::tape::Float>(
    t: &'t Tape<T>,
    (xid, yid, ycid): Ids,
    w: &Tensor<T>,
    b: &Tensor<T>,
) -> (Var<'t, T>, Var<'t, T>, Var<'t, T>, Var<'t, T>) {
    let (xv, yv, ycv) = (t.get(xid).unwrap(), t.get(yid).unwrap(), t.get(ycid).unwrap());
    let (wv, bv) = (t.var(w), t.var(b));
    let z = xv.matmul(wv) + bv;
    let loss = if T::NAME == "f64" {
        let p = z.sigmoid();
        -(yv * p.ln() + ycv * p.rsub(T::ONE).ln()).mean()
    } else {
        (z.softplus() - yv * z).mean()
    };
    (loss, z, wv, bv)
}

/// Logistic regression, full batch, 1000 epochs, lr 0.1. f64 uses the textbook BCE;
/// f32 the fused form mean(softplus(z) − y·z), whose gradient is the same (p − y)/n.
fn w3_train<T: wengert::tape::Float>(
    x: &Tensor<T>,
    y: &Tensor<T>,
    tape: &mut Tape<T>,
    grads: &mut Grads<T>,
) -> (f64, f64) {
    let (n, d) = (x.shape()[0], x.shape()[1]);
    tape.reset();
    let (xid, yid, ycid) = {
        let t = &*tape;
        let yc = y.map(|v| T::ONE - v);
        (t.constant(x).node(), t.constant(y).node(), t.constant(&yc).node())
    };
    let mark = tape.mark();
    let mut w = Tensor::<T>::zeros(&[d, 1]);
    let mut b = Tensor::<T>::zeros(&[]);
    let lr = T::from_f64(0.1);
    let ids = (xid, yid, ycid);
    for _ in 0..1000 {
        tape.rewind(&mark);
        let t = &*tape;
        let (loss, _, wv, bv) = w3_loss(t, ids, &w, &b);
        loss.backward_into(grads);
        for (p, g) in w.data_mut().iter_mut().zip(&grads[wv]) {
            *p -= lr * *g;
        }
        b.data_mut()[0] -= lr * grads[bv][0];
    }
    tape.rewind(&mark);
    let (loss, z, _, _) = w3_loss(&*tape, ids, &w, &b);
    let zs = z.value();
    let correct =
        zs.data().iter().zip(y.data()).filter(|(z, y)| ((**z >= T::ZERO) as u8 as f64) == y.to_f64()).count();
    (loss.item().to_f64(), correct as f64 / n as f64)
}

fn w3(args: &Args) -> bool {
    let rows = read_csv("breast_cancer_std.csv");
    let n = rows.len();
    let x64 = Tensor::new(&[n, 30], rows.iter().flat_map(|r| r[..30].to_vec()).collect()).unwrap();
    let y64 = Tensor::new(&[n, 1], rows.iter().map(|r| r[30]).collect()).unwrap();
    let mut ok = true;
    {
        let mut tape = Tape::<f64>::new();
        let mut grads = Grads::new();
        let (loss, acc) = w3_train(&x64, &y64, &mut tape, &mut grads);
        let (cl, ok1) = check("W3 f64 loss", loss, 0.06057760372678504, 1e-9);
        let (ca, ok2) = check("W3 f64 acc", acc, 0.9876977152899824, 1e-12);
        ok &= ok1 && ok2;
        let t = bench(args.quick, || {
            w3_train(&x64, &y64, &mut tape, &mut grads);
        });
        emit(args, "W3", "engine", "f64", &t, &[("loss", cl), ("acc", ca), ("epochs", "1000".into())]);
    }
    {
        let (x32, y32) = (x64.cast::<f32>(), y64.cast::<f32>());
        let mut tape = Tape::<f32>::new();
        let mut grads = Grads::new();
        let (loss, acc) = w3_train(&x32, &y32, &mut tape, &mut grads);
        let (cl, ok1) = check("W3 f32 loss", loss, 0.0605776, 1e-6);
        let (ca, ok2) = check("W3 f32 acc", acc, 0.9876977152899824, 1e-12);
        ok &= ok1 && ok2;
        let t = bench(args.quick, || {
            w3_train(&x32, &y32, &mut tape, &mut grads);
        });
        emit(args, "W3", "engine", "f32", &t, &[("loss", cl), ("acc", ca), ("epochs", "1000".into())]);
    }
    ok
}

// ---------------------------------------------------------------- W4 / W5

struct Mlp<T: wengert::tape::Float> {
    x: Tensor<T>,
    y: Tensor<T>,
    params: Vec<Tensor<T>>,
}

impl<T: wengert::tape::Float> Mlp<T> {
    fn new(b: usize, d: usize) -> Self {
        let s = 1.0 / (d as f64).sqrt();
        let x = Tensor::from_fn(&[b, d], |i| uniform_pm1(1, i as u64));
        let y =
            Tensor::from_fn(&[b, 1], |r| if x.data()[r * d] * x.data()[r * d + 1] > 0.0 { 1.0 } else { 0.0 });
        let w =
            |seed: u64, o: usize| Tensor::from_fn(&[d, o], |i| uniform_pm1(seed, i as u64) * s).cast::<T>();
        let params =
            vec![w(2, d), Tensor::zeros(&[d]), w(3, d), Tensor::zeros(&[d]), w(4, 1), Tensor::zeros(&[1])];
        Mlp { x: x.cast(), y: y.cast(), params }
    }

    /// One step: forward, backward, SGD with lr 0.1. Returns the loss before the update.
    fn step(&mut self, tape: &mut Tape<T>, grads: &mut Grads<T>) -> f64 {
        tape.reset();
        let t = &*tape;
        let x = t.constant(&self.x);
        let y = t.constant(&self.y);
        let p: Vec<Var<'_, T>> = self.params.iter().map(|q| t.var(q)).collect();
        let h1 = (x.matmul(p[0]) + p[1]).relu();
        let h2 = (h1.matmul(p[2]) + p[3]).relu();
        let z = h2.matmul(p[4]) + p[5];
        let loss = (z.softplus() - y * z).mean();
        loss.backward_into(grads);
        let lr = T::from_f64(0.1);
        for (q, v) in self.params.iter_mut().zip(&p) {
            for (a, g) in q.data_mut().iter_mut().zip(&grads[*v]) {
                *a -= lr * *g;
            }
        }
        loss.item().to_f64()
    }
}

fn w45<T: wengert::tape::Float>(
    args: &Args,
    name: &str,
    b: usize,
    d: usize,
    want: (f64, f64),
    tol: f64,
) -> bool {
    let mut m = Mlp::<T>::new(b, d);
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let l0 = m.step(&mut tape, &mut grads);
    for _ in 1..10 {
        m.step(&mut tape, &mut grads);
    }
    let l10 = m.step(&mut tape, &mut grads);
    let (c0, ok0) = check(&format!("{name} {} loss0", T::NAME), l0, want.0, tol);
    let (c10, ok1) = check(&format!("{name} {} loss10", T::NAME), l10, want.1, tol);
    let t = bench(args.quick, || {
        m.step(&mut tape, &mut grads);
    });
    let flops = 2.0 * b as f64 * (5.0 * (d * d) as f64 + 3.0 * d as f64);
    emit(
        args,
        name,
        "engine",
        T::NAME,
        &t,
        &[
            ("B", b.to_string()),
            ("D", d.to_string()),
            ("loss0", c0),
            ("loss10", c10),
            ("gflops", format!("{:.1}", flops / t.median_s / 1e9)),
        ],
    );
    ok0 && ok1
}

fn w4(args: &Args) -> bool {
    let a = w45::<f32>(args, "W4", 256, 256, (0.69070822, 0.68515635), 3e-7);
    let b = w45::<f64>(args, "W4", 256, 256, (0.6907082195029177, 0.6851563874815552), 1e-12);
    a && b
}

fn w5(args: &Args) -> bool {
    w45::<f32>(args, "W5", 1024, 1024, (0.6935477, 0.6883768), 3e-7)
}

fn pin_threads(threads: usize) {
    // The GEMM kernels read their thread count once, from this variable.
    std::env::set_var("MATMUL_NUM_THREADS", threads.to_string());
    if threads == 1 {
        // Pin to CPU 0 like the peers (best effort: taskset is part of util-linux).
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("taskset").args(["-p", "-c", "0", &pid]).output();
    }
}

fn main() {
    let args = parse_args();
    pin_threads(args.threads);
    let ok = match args.workload.as_str() {
        "W1" => w1(&args),
        "W2" => w2(&args),
        "W3" => w3(&args),
        "W4" => w4(&args),
        "W5" => w5(&args),
        other => {
            eprintln!("workload {other} is not implemented");
            true
        }
    };
    if !ok {
        std::process::exit(1);
    }
}
