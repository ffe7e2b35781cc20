//! `Dropout`: PyTorch's masks (zeroed with probability p, the rest scaled by 1/(1 − p)),
//! evaluation mode, seeds, the gradient through the mask, and `Sequential`'s switch.

use proptest::prelude::*;
use wengert_nn::{Dropout, Init, Linear, Module, ReLU, Sequential};
use wengert_tape::{Tape, Tensor};

#[test]
fn masks_zero_about_p_and_scale_the_rest() {
    for p in [0.1, 0.5, 0.9] {
        let drop = Dropout::with_seed(p, 1).unwrap();
        let tape = Tape::<f64>::new();
        let n = 20_000;
        let xs: Vec<f64> = (0..n).map(|i| 1.0 + i as f64 / n as f64).collect();
        let x = tape.var(&Tensor::from_vec(xs.clone()));
        let y = drop.forward_with(&[], x).unwrap();
        let ys = y.value().data().to_vec();
        let zeros = ys.iter().filter(|&&v| v == 0.0).count() as f64 / n as f64;
        // Binomial(20000, p): 5 standard deviations are under 0.018.
        assert!((zeros - p).abs() < 0.018, "p = {p}: {zeros} zeroed");
        let scale = 1.0 / (1.0 - p);
        for (&y, &x) in ys.iter().zip(&xs) {
            assert!(y == 0.0 || y == x * scale, "p = {p}: {y} from {x}");
        }
        // The gradient is the mask itself: ∂(Σ y)/∂x = 0 or 1/(1 − p), where y is.
        let g = y.sum().backward();
        for (&gx, &y) in g[x].iter().zip(&ys) {
            assert_eq!(gx, if y == 0.0 { 0.0 } else { scale });
        }
    }
}

#[test]
fn evaluation_p0_and_p1() {
    let tape = Tape::<f32>::new();
    let x = tape.var(&Tensor::from([[1.0f32, -2.0], [3.0, 4.0]]));
    let mut drop = Dropout::with_seed(0.3, 2).unwrap();
    drop.set_training(false);
    assert!(!drop.is_training());
    let n = tape.len();
    let y = drop.forward_with(&[], x).unwrap();
    assert_eq!((y.node(), tape.len()), (x.node(), n), "evaluation records nothing");
    let y = Dropout::with_seed(0.0, 2).unwrap().forward_with(&[], x).unwrap();
    assert_eq!(y.node(), x.node());
    let y = Dropout::with_seed(1.0, 2).unwrap().forward_with(&[], x).unwrap();
    assert_eq!(y.value().data(), &[0.0, -0.0, 0.0, 0.0]);
    assert_eq!(y.value().shape(), &[2, 2]);
}

#[test]
fn seeds_repeat_and_each_pass_draws_anew() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from_vec(vec![1.0; 64]));
    let masks = |seed| {
        let d = Dropout::with_seed(0.5, seed).unwrap();
        let a = d.forward_with(&[], x).unwrap().value().data().to_vec();
        let b = d.forward_with(&[], x).unwrap().value().data().to_vec();
        (a, b)
    };
    let (a1, b1) = masks(3);
    let (a2, b2) = masks(3);
    assert_eq!((&a1, &b1), (&a2, &b2));
    assert_ne!(a1, b1, "a second pass draws a new mask");
    assert_ne!(a1, masks(4).0);
    assert!(Dropout::new(0.5).is_ok());
}

#[test]
fn bad_probabilities_and_parameters_are_refused() {
    for p in [-0.1, 1.5, f64::NAN] {
        let e = Dropout::new(p).unwrap_err().to_string();
        assert!(e.contains("Dropout") && e.contains("between 0 and 1"), "{e}");
    }
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from([1.0]));
    let e = Dropout::with_seed(0.5, 0).unwrap().forward_with(&[x], x).unwrap_err().to_string();
    assert!(e.contains("Dropout") && e.contains("has none"), "{e}");
}

/// `Sequential::set_training` reaches its dropout layers; in evaluation the model is
/// deterministic and equals the model without them.
#[test]
fn sequential_passes_the_switch_on() {
    use rand::{rngs::StdRng, SeedableRng};
    let mut rng = StdRng::seed_from_u64(0);
    let lin1 = Linear::<f64>::new(3, 8, Init::KaimingUniform, &mut rng);
    let lin2 = Linear::<f64>::new(8, 1, Init::XavierUniform, &mut rng);
    let mut with = Sequential::new()
        .add(lin1.clone())
        .add(ReLU)
        .add(Dropout::with_seed(0.5, 9).unwrap())
        .add(lin2.clone());
    let without = Sequential::new().add(lin1).add(ReLU).add(lin2);
    assert_eq!(with.state_dict().keys().collect::<Vec<_>>(), ["0.weight", "0.bias", "3.weight", "3.bias"]);
    let x = Tensor::from([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]);
    let run = |m: &Sequential<f64>| {
        let tape = Tape::new();
        let p = m.bind(&tape);
        m.forward(&p, tape.constant(&x)).unwrap().value().data().to_vec()
    };
    let trained: Vec<Vec<f64>> = (0..4).map(|_| run(&with)).collect();
    assert!(trained.windows(2).any(|w| w[0] != w[1]), "training draws masks");
    with.set_training(false);
    assert_eq!(run(&with), run(&without));
    with.set_training(true);
    assert_ne!((0..4).map(|_| run(&with)).collect::<Vec<_>>(), vec![run(&without); 4]);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Any shape: the output has x's shape, each element is 0 or x/(1 − p), and the
    /// gradient of a weighted sum is the weights times the mask.
    #[test]
    fn any_shape(
        dims in proptest::collection::vec(1usize..5, 0..4),
        p in 0.05..0.95f64,
        seed in any::<u64>(),
    ) {
        let n: usize = dims.iter().product();
        let xs: Vec<f64> = (0..n).map(|i| (i as f64 * 0.37).sin() + 2.0).collect();
        let tape = Tape::<f64>::new();
        let x = tape.var(&Tensor::new(&dims, xs.clone()).unwrap());
        let w = tape.constant(&Tensor::new(&dims, (0..n).map(|i| i as f64 - 1.5).collect()).unwrap());
        let y = Dropout::with_seed(p, seed).unwrap().forward_with(&[], x).unwrap();
        prop_assert_eq!(y.shape(), x.shape());
        let g = (y * w).sum().backward();
        let scale = 1.0 / (1.0 - p);
        for i in 0..n {
            let (yi, gi, wi) = (y.value().data()[i], g[x][i], w.value().data()[i]);
            if yi == 0.0 {
                prop_assert_eq!(gi, 0.0);
            } else {
                prop_assert_eq!(yi, xs[i] * scale);
                prop_assert_eq!(gi, wi * scale);
            }
        }
    }
}
