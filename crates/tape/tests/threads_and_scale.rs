//! Threads (independent tapes train on separate threads; values and gradients are Send)
//! and graphs that are deep (10⁶ nodes in a chain) or wide (one variable used 10⁶ times).

use wengert_tape::{Grads, Tape, Tensor};

fn assert_send_sync<X: Send + Sync>() {}

#[test]
fn values_and_gradients_are_send_and_sync() {
    assert_send_sync::<Tensor<f64>>();
    assert_send_sync::<Tensor<f32>>();
    assert_send_sync::<Grads<f64>>();
    assert_send_sync::<wengert_tape::Error>();
}

/// Each thread owns its tape and fits y = 3x − 1 by gradient descent; results come back
/// as tensors.
#[test]
fn independent_tapes_train_on_separate_threads() {
    let handles: Vec<_> = (0..4)
        .map(|k| {
            std::thread::spawn(move || {
                let xs = Tensor::from_fn(&[16, 1], |i| i as f64 / 8.0 - 1.0 + k as f64 * 0.01);
                let ys = xs.map(|x| 3.0 * x - 1.0);
                let mut w = Tensor::zeros(&[1, 1]);
                let mut b = Tensor::zeros(&[1]);
                let mut tape = Tape::new();
                let mut grads = Grads::new();
                for _ in 0..500 {
                    tape.reset();
                    let (x, y) = (tape.constant(&xs), tape.constant(&ys));
                    let (wv, bv) = (tape.var(&w), tape.var(&b));
                    let loss = (x.matmul(wv) + bv - y).square().mean();
                    loss.backward_into(&mut grads);
                    w.data_mut()[0] -= 0.3 * grads[wv][0];
                    b.data_mut()[0] -= 0.3 * grads[bv][0];
                }
                (w, b)
            })
        })
        .collect();
    for h in handles {
        let (w, b) = h.join().expect("thread");
        assert!((w.item() - 3.0).abs() < 1e-6 && (b.item() + 1.0).abs() < 1e-6, "{w:?} {b:?}");
    }
}

#[test]
fn wide_graph_one_variable_used_a_million_times() {
    let t = Tape::new();
    let x = t.scalar(0.5);
    let mut acc = t.scalar_constant(0.0);
    for k in 0..1_000_000u32 {
        acc += x * f64::from(k % 3);
    }
    // d/dx Σ (k mod 3)·x = Σ (k mod 3) = 333_333·(0 + 1 + 2) + (0) = 999_999
    assert_eq!(acc.backward().scalar(x), 999_999.0);
}
