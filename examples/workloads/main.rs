//! The performance workloads W1–W5 of the peer comparison (`../shared/perf/README.md`,
//! section 7), speaking the contract of `run_anchors.sh`:
//!
//! ```text
//! cargo build --release --example workloads --features threading
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

mod defs;

use defs::*;
use wengert::tape::{Grads, Tape, Tensor};

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
    let [t] = bench_interleaved(quick, |_| f());
    t
}

/// Times `K` units of work (`f(0)`, …, `f(K - 1)`) with their samples interleaved: each round
/// takes one sample (about 50 ms of repeats) of every unit, starting with a different unit
/// each round. A machine whose speed changes from one second to the next (a shared virtual
/// machine does) then slows every unit alike, so the ratio of two units' medians (a gradient
/// over its function, the tape over the plain compiled function) is measured under the same
/// conditions instead of in whichever phases their cells happened to fall.
fn bench_interleaved<const K: usize>(quick: bool, mut f: impl FnMut(usize)) -> [Timing; K] {
    let (samples, warmup) = if quick { (3, 1) } else { (15, 3) };
    let inner: [usize; K] = std::array::from_fn(|k| {
        for _ in 0..warmup {
            f(k);
        }
        let t0 = Instant::now();
        f(k);
        let one = t0.elapsed().as_secs_f64();
        ((0.05 / one.max(1e-9)) as usize).clamp(1, 100_000)
    });
    let mut ts = [(); K].map(|_| Vec::with_capacity(samples));
    let (mut wall, mut cpu) = ([0.0; K], [0.0; K]);
    for round in 0..samples {
        for j in 0..K {
            let k = (round + j) % K;
            let (c0, t) = (cpu_time(), Instant::now());
            for _ in 0..inner[k] {
                f(k);
            }
            let dt = t.elapsed().as_secs_f64();
            ts[k].push(dt / inner[k] as f64);
            wall[k] += dt;
            cpu[k] += cpu_time() - c0;
        }
    }
    std::array::from_fn(|k| {
        let sorted = &mut ts[k];
        sorted.sort_by(|a, b| a.partial_cmp(b).unwrap());
        Timing {
            median_s: sorted[samples / 2],
            min_s: sorted[0],
            runs: samples,
            inner: inner[k],
            max_s: sorted[samples - 1],
            cpu_util: cpu[k] / wall[k],
        }
    })
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

// ---------------------------------------------------------------- W1

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
    ok0 && ok1 && ok2 && w1_batched(args)
}

fn w1_batched(args: &Args) -> bool {
    let (x, y) = moons();
    let xt = Tensor::new(&[x.len(), 2], x.iter().flatten().copied().collect()).unwrap();
    let yt = Tensor::new(&[y.len(), 1], y.clone()).unwrap();
    let lr = |k: usize| 1.0 - 0.9 * k as f64 / 100.0;
    let mut tape = Tape::new();
    let ids = (tape.constant(&xt).node(), tape.constant(&yt).node());
    let mark = tape.mark();
    let mut grads = Grads::new();
    let mut m = BatchedMlp::from_init();
    let (loss0, _) = m.step(&mut tape, &mark, ids, &mut grads, lr(0));
    for k in 1..100 {
        m.step(&mut tape, &mark, ids, &mut grads, lr(k));
    }
    let (loss100, acc) = m.step(&mut tape, &mark, ids, &mut grads, 0.0);
    let (c0, ok0) = check("W1 batched loss0", loss0, 0.7807270827838716, 1e-12);
    let (c1, ok1) = check("W1 batched loss100", loss100, 0.011391668749819284, 1e-12);
    let mut m = BatchedMlp::from_init();
    let mut k = 0;
    let t = bench(args.quick, || {
        m.step(&mut tape, &mark, ids, &mut grads, lr(k % 100));
        k += 1;
    });
    emit(args, "W1", "engine", "f64", &t, &[("loss0", c0), ("loss100", c1), ("acc", format!("{acc}"))]);
    ok0 && ok1 && acc == 1.0
}

// ---------------------------------------------------------------- W2

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
        let xs = t.scalars(&x0);
        let f = rosen_scalar(t, &xs);
        if grad {
            f.backward_into(grads);
            grads.scalars_into(&xs, g);
        }
        f.item()
    };
    let f = run_scalar(&mut tape, &mut grads, &mut g, true);
    let nodes = tape.len();
    let (cf, ok1) = check("W2 f", f, 2540516.0, 1e-6);
    let (cg0, ok2) = check("W2 g0", g[0], -215.6, 1e-9);
    let (cs, ok3) = check("W2 sum g", g.iter().sum(), 681_560.000_000_064, 1e-6);
    ok &= ok1 && ok2 && ok3;
    let extra =
        |f: String| vec![("n", format!("{N2}")), ("f", f), ("g0", cg0.clone()), ("sum_g", cs.clone())];
    // The record-only run, the gradient and the plain compiled function (the native floor)
    // are timed interleaved: their ratios are targets.
    let [t_rec, t_grad, t_plain] = bench_interleaved(args.quick, |k| match k {
        0 | 1 => {
            run_scalar(&mut tape, &mut grads, &mut g, k == 1);
        }
        _ => {
            std::hint::black_box(rosen_plain(std::hint::black_box(&x0)));
        }
    });
    emit(
        args,
        "W2/func",
        "engine-scalar-record",
        "f64",
        &t_rec,
        &[("n", format!("{N2}")), ("nodes", format!("{nodes}"))],
    );
    let mut e = extra(cf.clone());
    e.push(("func_impl", "\"engine-scalar-record\"".into()));
    e.push(("func_s", format!("{:e}", t_rec.median_s)));
    e.push(("nodes", format!("{nodes}")));
    emit(args, "W2/grad", "engine-scalar", "f64", &t_grad, &e);
    emit(args, "W2/func", "rust-plain", "f64", &t_plain, &[("n", format!("{N2}"))]);

    // Vectorised. x is a leaf kept on the tape before a mark, as the peers keep theirs (torch
    // makes its leaf once); each call rewinds to the mark and records f from scratch. The
    // timed unit returns f and the gradient (a slice of `grads`), as the peers return
    // theirs; the check sums the gradient outside it.
    let mut vtape = Tape::<f64>::with_capacity(100, 100_000);
    let xid = vtape.var(&Tensor::from_vec(x0.clone())).node();
    let mark = vtape.mark();
    let run_vec = |vtape: &mut Tape<f64>, grads: &mut Grads<f64>, grad: bool| -> f64 {
        vtape.rewind(&mark);
        let x = vtape.get(xid).expect("x is before the mark");
        let f = rosen_vec(x);
        if grad {
            f.backward_into(grads);
            std::hint::black_box(&grads[x]);
        }
        f.item()
    };
    let f = run_vec(&mut vtape, &mut grads, true);
    let gx = &grads[vtape.get(xid).expect("x is before the mark")];
    let (g0, sg) = (gx[0], gx.iter().sum());
    let (cf, ok1) = check("W2 vec f", f, 2540516.0, 1e-6);
    let (cg0, ok2) = check("W2 vec g0", g0, -215.6, 1e-9);
    let (cs, ok3) = check("W2 vec sum g", sg, 681_560.000_000_064, 1e-6);
    ok &= ok1 && ok2 && ok3;
    let [t_f, t_g] = bench_interleaved(args.quick, |k| {
        run_vec(&mut vtape, &mut grads, k == 1);
    });
    emit(args, "W2/func", "engine", "f64", &t_f, &[("n", format!("{N2}"))]);
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

/// `{name}/gemm`: one (B×D)·(D×D) product through the engine (`matmul` of two constants
/// on a rewound tape, so the tape's bookkeeping is included), the same product the peers
/// time as their GEMM ceiling (X·W1).
fn gemm_ceiling<T: wengert::tape::Float>(args: &Args, name: &str, b: usize, d: usize) {
    let x = Tensor::from_fn(&[b, d], |i| uniform_pm1(1, i as u64)).cast::<T>();
    let s = 1.0 / (d as f64).sqrt();
    let w = Tensor::from_fn(&[d, d], |i| uniform_pm1(2, i as u64) * s).cast::<T>();
    let mut tape = Tape::<T>::new();
    let (xid, wid) = (tape.constant(&x).node(), tape.constant(&w).node());
    let mark = tape.mark();
    let t = bench(args.quick, || {
        tape.rewind(&mark);
        let (x, w) = (tape.get(xid).unwrap(), tape.get(wid).unwrap());
        std::hint::black_box(x.matmul(w).node());
    });
    let flops = 2.0 * (b * d * d) as f64;
    emit(
        args,
        &format!("{name}/gemm"),
        "engine",
        T::NAME,
        &t,
        &[
            ("B", b.to_string()),
            ("D", d.to_string()),
            ("flops", format!("{flops}")),
            ("gflops_median", format!("{:.1}", flops / t.median_s / 1e9)),
            ("gflops_best", format!("{:.1}", flops / t.min_s / 1e9)),
            ("gemm_backend", format!("\"{}\"", gemm_backend())),
        ],
    );
}

/// Which library ran the large products: `"openblas:<kernel>"`, another CBLAS library
/// (`"cblas:<name>"`, e.g. `"cblas:libmkl_rt.so.3"`), or `"matrixmultiply"` (no `blas`
/// feature, or OpenBLAS's fallback kernel refused).
#[cfg(feature = "blas")]
fn gemm_backend() -> String {
    use wengert::tape::blas;
    match (blas::in_use(), blas::kernel()) {
        (true, Some(k)) => format!("openblas:{k}"),
        (true, None) => format!("cblas:{}", blas::library()),
        (false, _) => "matrixmultiply".to_string(),
    }
}

#[cfg(not(feature = "blas"))]
fn gemm_backend() -> String {
    "matrixmultiply".to_string()
}

fn w45<T: wengert::tape::Float>(
    args: &Args,
    name: &str,
    b: usize,
    d: usize,
    want: (f64, f64),
    tol: f64,
) -> bool {
    gemm_ceiling::<T>(args, name, b, d);
    let mut m = Mlp::<T>::new(b, d);
    let l0 = m.step();
    for _ in 1..10 {
        m.step();
    }
    let l10 = m.step();
    let (c0, ok0) = check(&format!("{name} {} loss0", T::NAME), l0, want.0, tol);
    let (c10, ok1) = check(&format!("{name} {} loss10", T::NAME), l10, want.1, tol);
    let t = bench(args.quick, || {
        m.step();
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
    // The GEMM kernels read their thread count once, from this variable (it takes effect
    // with the `threading` feature; without it every product runs on one thread).
    std::env::set_var("MATMUL_NUM_THREADS", threads.to_string());
    if threads == 1 {
        // Pin to CPU 0 like the peers (best effort: taskset is part of util-linux).
        let pid = std::process::id().to_string();
        let _ = std::process::Command::new("taskset").args(["-p", "-c", "0", &pid]).output();
    }
    // With the `blas` feature, OpenBLAS has sized its thread pool when the program was
    // loaded, before `main`: run again with the count in its variable (the CPU pinning is
    // inherited across exec). oneMKL, if that is the library linked, reads its own.
    // OpenBLAS also chose its kernel then: one older than the CPU falls back to a slow
    // kernel (the engine then bypasses it, `wengert_tape::blas`); ask for the kernel of
    // the CPU's vector unit instead, the one numpy's newer OpenBLAS picks by itself.
    let want = threads.to_string();
    // A kernel to ask for, unless the user chose one already.
    let new_core = coretype().filter(|_| std::env::var_os("OPENBLAS_CORETYPE").is_none());
    if cfg!(feature = "blas")
        && (std::env::var("OPENBLAS_NUM_THREADS").ok().as_deref() != Some(&want) || new_core.is_some())
    {
        use std::os::unix::process::CommandExt;
        let mut cmd = std::process::Command::new(std::env::current_exe().expect("own path"));
        cmd.args(std::env::args_os().skip(1))
            .env("OPENBLAS_NUM_THREADS", &want)
            .env("MKL_NUM_THREADS", &want);
        if let Some(c) = new_core {
            eprintln!(
                "workloads: OpenBLAS did not recognise this CPU; running again with OPENBLAS_CORETYPE={c}"
            );
            cmd.env("OPENBLAS_CORETYPE", c);
        }
        let err = cmd.exec();
        panic!("re-running with OPENBLAS_NUM_THREADS={want}: {err}");
    }
}

/// The `OPENBLAS_CORETYPE` to run with, when OpenBLAS fell back to an old kernel.
#[cfg(feature = "blas")]
fn coretype() -> Option<&'static str> {
    wengert::tape::blas::suggested_coretype()
}

#[cfg(not(feature = "blas"))]
fn coretype() -> Option<&'static str> {
    None
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
