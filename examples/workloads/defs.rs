//! The workloads W1–W5 of the peer comparison (`../shared/perf/README.md`, section 7),
//! shared by `examples/workloads` (the side-by-side runner) and `benches/workloads.rs`.
#![allow(dead_code)]

use wengert::tape::{Grads, Tape, Tensor, Var};

pub fn data_dir() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/data")
}

pub fn read_csv(name: &str) -> Vec<Vec<f64>> {
    let path = data_dir().join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    text.lines()
        .skip(1)
        .filter(|l| !l.trim().is_empty())
        .map(|l| l.split(',').map(|v| v.parse::<f64>().expect("number")).collect())
        .collect()
}

/// SplitMix64 in counter form: the i-th uniform in [−1, 1) of stream `seed`.
pub fn uniform_pm1(seed: u64, i: u64) -> f64 {
    let mut z = seed.wrapping_add((i + 1).wrapping_mul(0x9E37_79B9_7F4A_7C15));
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^= z >> 31;
    let u = (z >> 11) as f64 * (1.0 / (1u64 << 53) as f64);
    2.0 * u - 1.0
}

// W1: micrograd's demo MLP, one node per scalar op.

pub const SIZES: [(usize, usize); 3] = [(2, 16), (16, 16), (16, 1)];

/// micrograd's MLP: per layer, per neuron, weights then bias (micrograd parameter order).
pub struct ScalarMlp {
    pub params: Vec<f64>,
}

impl ScalarMlp {
    pub fn from_init() -> Self {
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
    pub fn step(
        &mut self,
        tape: &mut Tape<f64>,
        grads: &mut Grads<f64>,
        x: &[[f64; 2]],
        y: &[f64],
        lr: f64,
    ) -> (f64, f64) {
        tape.reset();
        let t = &*tape;
        let p = t.scalars(&self.params);
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
                        act += w[i] * h[i];
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
            reg += q * q;
        }
        let total = data + reg * 1e-4;
        total.backward_into(grads);
        for (v, g) in self.params.iter_mut().zip(grads.scalars(&p)) {
            *v -= lr * g;
        }
        (total.item(), correct as f64 / x.len() as f64)
    }
}

pub fn moons() -> (Vec<[f64; 2]>, Vec<f64>) {
    let rows = read_csv("moons_100.csv");
    (rows.iter().map(|r| [r[0], r[1]]).collect(), rows.iter().map(|r| r[2] * 2.0 - 1.0).collect())
}

// W2: extended Rosenbrock.

pub const N2: usize = 10_000;

pub fn rosen_x() -> Vec<f64> {
    (0..N2).map(|i| if i % 2 == 0 { -1.2 } else { 1.0 }).collect()
}

/// Scalar tape, one node per scalar op: the micrograd peer's expression
/// `s + (100 * (x[i+1] - x[i]**2)**2 + (1 - x[i])**2)`, with its `**2` as a square node.
/// 8 nodes per term, as the probe's: x_i², a = x_{i+1} − x_i², a², 100·a², b = 1 − x_i, b²,
/// t = 100·a² + b², s + t.
pub fn rosen_scalar<'t>(t: &'t Tape<f64>, x: &[Var<'t, f64>]) -> Var<'t, f64> {
    let mut s = t.scalar_constant(0.0);
    for i in 0..x.len() - 1 {
        s += 100.0 * (x[i + 1] - x[i].square()).square() + (1.0 - x[i]).square();
    }
    s
}

pub fn rosen_plain(x: &[f64]) -> f64 {
    let mut s = 0.0;
    for i in 0..x.len() - 1 {
        let a = x[i + 1] - x[i] * x[i];
        let b = 1.0 - x[i];
        s += 100.0 * a * a + b * b;
    }
    s
}

/// Vectorised: x as one tensor, shifted views by slicing.
pub fn rosen_vec<'t>(x: Var<'t, f64>) -> Var<'t, f64> {
    let n = x.len();
    let lo = x.slice(0, 0, n - 1);
    let hi = x.slice(0, 1, n - 1);
    let a = hi - lo.square();
    let b = lo.rsub(1.0);
    (a.square() * 100.0 + b.square()).sum()
}

// W3: logistic regression.

pub type Ids = (wengert::tape::NodeId, wengert::tape::NodeId, wengert::tape::NodeId);

#[allow(clippy::type_complexity)]
pub fn w3_loss<'t, T: wengert::tape::Float>(
    t: &'t Tape<T>,
    (xid, yid, ycid): Ids,
    w: &Tensor<T>,
    b: &Tensor<T>,
) -> (Var<'t, T>, Var<'t, T>, Var<'t, T>, Var<'t, T>) {
    let (xv, yv, ycv) = (t.get(xid).unwrap(), t.get(yid).unwrap(), t.get(ycid).unwrap());
    let (wv, bv) = (t.var(w), t.var(b));
    let z = xv.matmul_add(wv, bv);
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
pub fn w3_train<T: wengert::tape::Float>(
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

// W4/W5: MLP step.

/// The MLP with its data and parameters kept on the tape before a mark (as the peers keep
/// them in their own arrays): each step records from the mark and updates the parameters
/// in place ([`Tape::update`]); nothing is copied per step.
pub struct Mlp<T: wengert::tape::Float> {
    pub tape: Tape<T>,
    grads: Grads<T>,
    x: wengert::tape::NodeId,
    y: wengert::tape::NodeId,
    params: Vec<wengert::tape::NodeId>,
    mark: wengert::tape::Mark,
}

impl<T: wengert::tape::Float> Mlp<T> {
    pub fn new(b: usize, d: usize) -> Self {
        let s = 1.0 / (d as f64).sqrt();
        let x = Tensor::from_fn(&[b, d], |i| uniform_pm1(1, i as u64));
        let y =
            Tensor::from_fn(&[b, 1], |r| if x.data()[r * d] * x.data()[r * d + 1] > 0.0 { 1.0 } else { 0.0 });
        let w =
            |seed: u64, o: usize| Tensor::from_fn(&[d, o], |i| uniform_pm1(seed, i as u64) * s).cast::<T>();
        let params =
            [w(2, d), Tensor::zeros(&[d]), w(3, d), Tensor::zeros(&[d]), w(4, 1), Tensor::zeros(&[1])];
        let tape = Tape::new();
        let (x, y) = (tape.constant(&x.cast()).node(), tape.constant(&y.cast()).node());
        let params = params.iter().map(|q| tape.var(q).node()).collect();
        let mark = tape.mark();
        Mlp { tape, grads: Grads::new(), x, y, params, mark }
    }

    /// One step: forward, backward, SGD with lr 0.1. Returns the loss before the update.
    pub fn step(&mut self) -> f64 {
        let t = &self.tape;
        let (x, y) = (t.get(self.x).unwrap(), t.get(self.y).unwrap());
        let p: Vec<Var<'_, T>> = self.params.iter().map(|&q| t.get(q).unwrap()).collect();
        let h1 = x.matmul_add(p[0], p[1]).relu();
        let h2 = h1.matmul_add(p[2], p[3]).relu();
        let z = h2.matmul_add(p[4], p[5]);
        let loss = (z.softplus() - y * z).mean();
        loss.backward_into(&mut self.grads);
        let l = loss.item().to_f64();
        let lr = T::from_f64(0.1);
        let sgd = |_: usize, w: &mut [T], g: &[T]| w.iter_mut().zip(g).for_each(|(w, g)| *w -= lr * *g);
        self.tape.update(&self.mark, &self.grads, &self.params, sgd).unwrap();
        l
    }
}

// W1 batched: the same MLP and loss on tensors (X is 100×2).

/// micrograd's MLP as six tensors, weights stored [in, out].
pub struct BatchedMlp {
    pub params: Vec<Tensor<f64>>,
}

impl BatchedMlp {
    pub fn from_init() -> Self {
        let init = read_csv("w1_init.csv");
        let mut params = Vec::new();
        for (l, &(nin, nout)) in SIZES.iter().enumerate() {
            let w: Vec<f64> = init.iter().filter(|r| r[0] as usize == l).map(|r| r[3]).collect();
            // The file is row-major [out][in]; store the transpose [in, out].
            params.push(Tensor::from_fn(&[nin, nout], |i| w[(i % nout) * nin + i / nout]));
            params.push(Tensor::zeros(&[nout]));
        }
        BatchedMlp { params }
    }

    /// One step with the data already on the tape (`x`, `y` nodes). Returns (loss, acc).
    pub fn step(
        &mut self,
        tape: &mut Tape<f64>,
        mark: &wengert::tape::Mark,
        (xid, yid): (wengert::tape::NodeId, wengert::tape::NodeId),
        grads: &mut Grads<f64>,
        lr: f64,
    ) -> (f64, f64) {
        tape.rewind(mark);
        let t = &*tape;
        let (x, y) = (t.get(xid).unwrap(), t.get(yid).unwrap());
        let p: Vec<Var<'_, f64>> = self.params.iter().map(|q| t.var(q)).collect();
        let h1 = x.matmul_add(p[0], p[1]).relu();
        let h2 = h1.matmul_add(p[2], p[3]).relu();
        let score = h2.matmul_add(p[4], p[5]);
        let data = (score * y).rsub(1.0).relu().mean();
        let mut reg = p[0].square().sum();
        for &q in &p[1..] {
            reg += q.square().sum();
        }
        let total = data + reg * 1e-4;
        total.backward_into(grads);
        for (q, v) in self.params.iter_mut().zip(&p) {
            for (a, g) in q.data_mut().iter_mut().zip(&grads[*v]) {
                *a -= lr * *g;
            }
        }
        let s = score.value();
        let yv = y.value();
        let correct = s.data().iter().zip(yv.data()).filter(|(s, y)| (**s > 0.0) == (**y > 0.0)).count();
        (total.item(), correct as f64 / s.len() as f64)
    }
}
