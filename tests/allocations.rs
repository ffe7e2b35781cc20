//! Steady-state training steps allocate nothing once the tape's and the gradients' memory
//! is reused, checked with a counting global allocator (not with timings).

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

use wengert::tape::{Grads, Tape, Tensor, Var};

struct Counting;

thread_local! {
    /// Allocations made by this thread. Counting per thread keeps the tests that the
    /// harness runs in parallel out of each other's counts. (A `const` `Cell` needs no
    /// allocation or destructor registration, so it is usable inside the allocator.)
    static ALLOCS: Cell<usize> = const { Cell::new(0) };
}

fn count_one() {
    let _ = ALLOCS.try_with(|c| c.set(c.get() + 1));
}

// SAFETY: forwards every call unchanged to the system allocator; only counts them.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        count_one();
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

/// Allocations made by `f` on this thread, in the steadiest of five runs.
fn allocations(mut f: impl FnMut()) -> usize {
    (0..5)
        .map(|_| {
            let before = ALLOCS.with(Cell::get);
            f();
            ALLOCS.with(Cell::get) - before
        })
        .min()
        .unwrap()
}

#[test]
fn recording_scalar_ops_does_not_allocate() {
    let mut tape = Tape::<f64>::with_capacity(1024, 1024);
    let mut grads = Grads::new();
    let n = allocations(|| {
        tape.reset();
        let x = tape.scalar(0.3);
        let y = tape.scalar(1.7);
        let mut acc = x * y;
        for _ in 0..100 {
            acc = (acc * x + y.sin()).tanh() / 2.0 + x.relu() - 1.0;
        }
        acc.backward_into(&mut grads);
        assert!(grads.scalar(x).is_finite());
    });
    assert_eq!(n, 0);
}

/// A logistic-regression epoch (W3's shape: data kept on the tape, weights as leaves).
#[test]
fn logistic_regression_epoch_does_not_allocate() {
    let (n, d) = (64, 5);
    let x = Tensor::from_fn(&[n, d], |i| ((i * 7919) % 13) as f64 / 6.5 - 1.0);
    let y = Tensor::from_fn(&[n, 1], |i| (i % 2) as f64);
    let mut w = Tensor::zeros(&[d, 1]);
    let mut b = Tensor::zeros(&[]);
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let (xid, yid) = (tape.constant(&x).node(), tape.constant(&y).node());
    let mark = tape.mark();
    let count = allocations(|| {
        tape.rewind(&mark);
        let (xv, yv) = (tape.get(xid).unwrap(), tape.get(yid).unwrap());
        let (wv, bv) = (tape.var(&w), tape.var(&b));
        let z = xv.matmul(wv) + bv;
        let p = z.sigmoid();
        let loss = -(yv * p.ln() + yv.rsub(1.0) * p.rsub(1.0).ln()).mean();
        loss.backward_into(&mut grads);
        for (p, g) in w.data_mut().iter_mut().zip(&grads[wv]) {
            *p -= 0.1 * g;
        }
        b.data_mut()[0] -= 0.1 * grads[bv][0];
    });
    assert_eq!(count, 0);
}

/// An MLP step (W4's shape). The engine itself allocates nothing; the only allocations
/// are the GEMM kernel's packing buffers, one per matrix product whose three dimensions
/// all exceed 1 (matrix-vector and outer products take a path without packing).
#[test]
fn mlp_step_allocates_only_gemm_packing_buffers() {
    let (bsz, d) = (16, 8);
    let x = Tensor::<f32>::from_fn(&[bsz, d], |i| ((i * 31) % 17) as f32 / 8.5 - 1.0);
    let y = Tensor::<f32>::from_fn(&[bsz, 1], |i| (i % 2) as f32);
    let mut params = [
        Tensor::from_fn(&[d, d], |i| ((i * 13) % 7) as f32 / 20.0 - 0.15),
        Tensor::zeros(&[d]),
        Tensor::from_fn(&[d, d], |i| ((i * 17) % 5) as f32 / 20.0 - 0.1),
        Tensor::zeros(&[d]),
        Tensor::from_fn(&[d, 1], |i| (i % 3) as f32 / 10.0 - 0.1),
        Tensor::zeros(&[1]),
    ];
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let count = allocations(|| {
        tape.reset();
        let (xv, yv) = (tape.constant(&x), tape.constant(&y));
        let p: [Var<'_, f32>; 6] = std::array::from_fn(|i| tape.var(&params[i]));
        let h1 = (xv.matmul(p[0]) + p[1]).relu();
        let h2 = (h1.matmul(p[2]) + p[3]).relu();
        let z = h2.matmul(p[4]) + p[5];
        let loss = (z.softplus() - yv * z).mean();
        loss.backward_into(&mut grads);
        for (q, v) in params.iter_mut().zip(p) {
            for (a, g) in q.data_mut().iter_mut().zip(&grads[v]) {
                *a -= 0.1 * g;
            }
        }
    });
    // GEMM: forward x·W1 and h1·W2; backward W2̄ = h1ᵀ·ḡ, h1̄ = ḡ·W2ᵀ and W1̄ = xᵀ·ḡ.
    // Not GEMM: h2·W3 and W3̄ = h2ᵀ·ḡ (matrix-vector), h2̄ = ḡ·W3ᵀ (outer product).
    assert!(count <= 5, "{count} allocations in a steady-state step");
}

/// The same step with the data and parameters kept on the tape before a mark and updated
/// in place ([`Tape::update`]), through `matmul_add`: the same bound, nothing added.
#[test]
fn mlp_step_with_parameters_on_the_tape_allocates_only_gemm_packing_buffers() {
    let (bsz, d) = (16, 8);
    let mut tape = Tape::<f32>::new();
    let (x, y, params) = {
        let t = &tape;
        let x = t.constant(&Tensor::from_fn(&[bsz, d], |i| ((i * 31) % 17) as f32 / 8.5 - 1.0)).node();
        let y = t.constant(&Tensor::from_fn(&[bsz, 1], |i| (i % 2) as f32)).node();
        let params = [
            t.var(&Tensor::from_fn(&[d, d], |i| ((i * 13) % 7) as f32 / 20.0 - 0.15)).node(),
            t.var(&Tensor::zeros(&[d])).node(),
            t.var(&Tensor::from_fn(&[d, d], |i| ((i * 17) % 5) as f32 / 20.0 - 0.1)).node(),
            t.var(&Tensor::zeros(&[d])).node(),
            t.var(&Tensor::from_fn(&[d, 1], |i| (i % 3) as f32 / 10.0 - 0.1)).node(),
            t.var(&Tensor::zeros(&[1])).node(),
        ];
        (x, y, params)
    };
    let mark = tape.mark();
    let mut grads = Grads::new();
    let mut losses = Vec::with_capacity(8);
    let count = allocations(|| {
        let t = &tape;
        let (xv, yv) = (t.get(x).unwrap(), t.get(y).unwrap());
        let p: [Var<'_, f32>; 6] = std::array::from_fn(|i| t.get(params[i]).unwrap());
        let h1 = xv.matmul_add(p[0], p[1]).relu();
        let h2 = h1.matmul_add(p[2], p[3]).relu();
        let z = h2.matmul_add(p[4], p[5]);
        let loss = (z.softplus() - yv * z).mean();
        loss.backward_into(&mut grads);
        losses.push(loss.item());
        let sgd = |_: usize, w: &mut [f32], g: &[f32]| w.iter_mut().zip(g).for_each(|(w, g)| *w -= 0.5 * g);
        tape.update(&mark, &grads, &params, sgd).unwrap();
    });
    assert!(count <= 5, "{count} allocations in a steady-state step");
    assert!(losses[4] < losses[0], "the parameters were not updated: {losses:?}");
}

/// The `nn` way to train with the parameters kept on the tape: a `Sequential` MLP bound
/// through [`TapeParams`], BCE with logits, and an optimizer step in place on the tape
/// ([`TapeParams::step`]): for SGD with momentum and for Adam, nothing beyond the GEMM
/// packing buffers of the raw-tape step above.
#[test]
fn nn_step_through_tape_params_allocates_only_gemm_packing_buffers() {
    use rand::{rngs::StdRng, SeedableRng};
    use wengert::nn::{
        loss::bce_with_logits, Adam, Init, Linear, Optimizer, ReLU, Reduction, Sequential, Sgd,
    };
    use wengert::nn::{Module, TapeParams};

    fn count<O: Optimizer<f32>>(mut opt: O) -> (usize, Vec<f32>) {
        let (bsz, d) = (16, 8);
        let mut rng = StdRng::seed_from_u64(7);
        let model = Sequential::<f32>::new()
            .add(Linear::new(d, d, Init::TorchDefault, &mut rng))
            .add(ReLU)
            .add(Linear::new(d, d, Init::TorchDefault, &mut rng))
            .add(ReLU)
            .add(Linear::new(d, 1, Init::TorchDefault, &mut rng));
        let mut tape = Tape::<f32>::new();
        let params = TapeParams::new(&model, &tape);
        let x = tape.constant(&Tensor::from_fn(&[bsz, d], |i| ((i * 31) % 17) as f32 / 8.5 - 1.0)).node();
        let y = tape.constant(&Tensor::from_fn(&[bsz, 1], |i| (i % 2) as f32)).node();
        let mark = tape.mark();
        let mut grads = Grads::new();
        let mut losses = Vec::with_capacity(8);
        let n = allocations(|| {
            let p = params.bind(&tape).unwrap();
            let z = model.forward(&p, tape.get(x).unwrap()).unwrap();
            let loss = bce_with_logits(z, tape.get(y).unwrap(), Reduction::Mean).unwrap();
            loss.backward_into(&mut grads);
            losses.push(loss.item());
            drop(p);
            params.step(&mut tape, &mark, &grads, &mut opt).unwrap();
        });
        (n, losses)
    }
    for (name, (n, losses)) in [("sgd", count(Sgd::new(0.5).momentum(0.9))), ("adam", count(Adam::new(0.01)))]
    {
        assert!(n <= 5, "{name}: {n} allocations in a steady-state step");
        assert!(losses[4] < losses[0], "{name}: the parameters were not updated: {losses:?}");
    }
}

/// Allocations of one steady-state step that adds a bias of `bias` shape to a constant
/// input of `input` shape, takes relu, sums, sweeps back and moves the bias.
fn bias_step_allocations(input: &[usize], bias: &[usize]) -> usize {
    let x = Tensor::<f32>::from_fn(input, |i| ((i * 31) % 17) as f32 / 8.5 - 1.0);
    let mut b = Tensor::<f32>::zeros(bias);
    let mut tape = Tape::new();
    let mut grads = Grads::new();
    let xid = tape.constant(&x).node();
    let mark = tape.mark();
    allocations(|| {
        tape.rewind(&mark);
        let (xv, bv) = (tape.get(xid).unwrap(), tape.var(&b));
        (xv + bv).relu().sum().backward_into(&mut grads);
        for (p, g) in b.data_mut().iter_mut().zip(&grads[bv]) {
            *p -= 1e-3 * g;
        }
    })
}

/// A bias gradient over a batch of more than 128 rows (W4's 256, W5's 1024): the column
/// sums are pairwise over the rows, with their partial sums on the stack, not the heap.
#[test]
fn a_bias_gradient_over_a_large_batch_does_not_allocate() {
    for rows in [256, 1024, 3000] {
        assert_eq!(bias_step_allocations(&[rows, 300], &[300]), 0, "{rows} rows");
    }
}

/// A per-channel bias gradient over [n, c, h, w] (reduced to [1, c, 1, 1]: two separate
/// runs of axes) sums through a reused scratch buffer once the first step has made it.
#[test]
fn a_channel_bias_gradient_over_separate_axes_does_not_allocate() {
    assert_eq!(bias_step_allocations(&[8, 3, 5, 7], &[1, 3, 1, 1]), 0);
}
