//! `LayerNorm` on random shapes (one to three leading dimensions, one or two normalized),
//! values and parameters: each normalized slice has mean 0 and variance var/(var + ε)
//! before γ and β, and the gradients in x, γ and β pass central differences.

use proptest::collection::vec;
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use wengert_nn::{LayerNorm, Module};
use wengert_tape::gradcheck::{gradcheck, CheckOptions};
use wengert_tape::{func_many, Tape, Tensor};

proptest! {
    #![proptest_config(Config { cases: 40, rng_seed: RngSeed::Fixed(0x1A7E), failure_persistence: None, ..Config::default() })]

    #[test]
    fn layer_norm_normalizes_and_passes_finite_differences(
        (lead, norm, xs, gs, bs) in (vec(1..=3usize, 1..=2), vec(2..=4usize, 1..=2)).prop_flat_map(|(lead, norm)| {
            let (m, n) = (lead.iter().product::<usize>(), norm.iter().product::<usize>());
            (Just(lead), Just(norm), vec(-3.0..3.0f64, m * n), vec(0.5..2.0f64, n), vec(-1.0..1.0f64, n))
        }),
        eps in prop_oneof![Just(1e-5), 1e-3..0.5f64],
    ) {
        let shape: Vec<usize> = lead.iter().chain(&norm).copied().collect();
        let n: usize = norm.iter().product();
        let x = Tensor::new(&shape, xs.clone()).unwrap();
        // Without γ and β: mean 0 and variance var/(var + ε) in every normalized slice.
        let plain = LayerNorm::<f64>::new(&norm).eps(eps).without_affine();
        let tape = Tape::<f64>::new();
        let y = plain.forward(&plain.bind(&tape), tape.var(&x)).unwrap().value();
        for (row, out) in xs.chunks(n).zip(y.data().chunks(n)) {
            let mean = row.iter().sum::<f64>() / n as f64;
            let var = row.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n as f64;
            let got_mean = out.iter().sum::<f64>() / n as f64;
            let got_var = out.iter().map(|v| v * v).sum::<f64>() / n as f64;
            prop_assert!(got_mean.abs() < 1e-12, "mean {got_mean}");
            prop_assert!((got_var - var / (var + eps)).abs() < 1e-12, "variance {got_var} vs {}", var / (var + eps));
        }
        // With γ and β as inputs: central differences in x, γ and β.
        let (g, b) = (Tensor::new(&norm, gs).unwrap(), Tensor::new(&norm, bs).unwrap());
        let ln = LayerNorm::<f64>::new(&norm).eps(eps);
        let c = Tensor::from_fn(&shape, |i| ((i * 7) % 5) as f64 - 2.0);
        let f = func_many(move |v| {
            let t = v[0].tape();
            (ln.forward_with(&[v[1], v[2]], v[0]).unwrap() * t.constant(&c)).sum()
        });
        let report = gradcheck(f, &[x, g, b], &CheckOptions::default());
        prop_assert!(report.passed(), "{}", report);
    }
}
