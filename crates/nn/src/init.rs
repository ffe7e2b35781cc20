//! Weight initialisers, drawn from a seeded `rand` generator.
//!
//! For a weight of `fan_in` inputs and `fan_out` outputs:
//!
//! | init | distribution |
//! |---|---|
//! | [`Init::Zeros`] | 0 |
//! | [`Init::Uniform`] | U(low, high) |
//! | [`Init::XavierUniform`] | U(±√(6/(fan_in + fan_out))) (Glorot & Bengio 2010, gain 1) |
//! | [`Init::KaimingUniform`] | U(±√(6/fan_in)) (He et al. 2015, ReLU gain √2) |
//! | [`Init::TorchDefault`] | U(±1/√fan_in), PyTorch's `nn.Linear` default |
//! | [`Init::Normal`] | N(mean, std²), e.g. PyTorch's `nn.Embedding` default N(0, 1) (`rand_distr`) |

use rand::Rng;
use wengert_tape::{Float, Tensor};

/// How to fill a weight (or bias) tensor.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Init {
    /// All zeros.
    Zeros,
    /// Uniform on [low, high).
    Uniform {
        /// Lower bound.
        low: f64,
        /// Upper bound.
        high: f64,
    },
    /// Xavier/Glorot uniform: U(±√(6/(fan_in + fan_out))).
    XavierUniform,
    /// Kaiming/He uniform for ReLU: U(±√(6/fan_in)).
    KaimingUniform,
    /// PyTorch's `nn.Linear` default, U(±1/√fan_in) (its `kaiming_uniform_(a=√5)`).
    TorchDefault,
    /// Normal N(mean, std²), whatever the fans (PyTorch's `normal_`; N(0, 1) is
    /// `nn.Embedding`'s default). A bias drawn with it is zeros.
    Normal {
        /// Mean.
        mean: f64,
        /// Standard deviation.
        std: f64,
    },
}

impl Init {
    /// The bias initialiser that goes with this weight initialiser (`Linear`'s and the
    /// convolutions'): zeros for Xavier, Kaiming and zeros, otherwise the same distribution
    /// (PyTorch's default draws the bias from U(±1/√fan_in) too).
    pub(crate) fn for_bias(self) -> Init {
        match self {
            Init::XavierUniform | Init::KaimingUniform | Init::Zeros | Init::Normal { .. } => Init::Zeros,
            other => other,
        }
    }

    /// The uniform bounds for this init, or `None` for [`Init::Zeros`] and [`Init::Normal`].
    ///
    /// A fan of 0 in a bound's denominator gives the bound 0 (every value 0), PyTorch's
    /// rule for `nn.Linear`'s bias (`bound = 1/√fan_in if fan_in > 0 else 0`): the bias of
    /// a layer with no inputs is 0, not U(±∞), which would draw NaN.
    ///
    /// ```
    /// use wengert_nn::Init;
    /// assert_eq!(Init::TorchDefault.bounds(4, 3), Some((-0.5, 0.5)));
    /// assert_eq!(Init::TorchDefault.bounds(0, 3), Some((0.0, 0.0)));
    /// ```
    pub fn bounds(self, fan_in: usize, fan_out: usize) -> Option<(f64, f64)> {
        // ±bound(fan), or ±0 for a fan of 0.
        let sym = |fan: usize, bound: fn(f64) -> f64| {
            let b = if fan == 0 { 0.0 } else { bound(fan as f64) };
            Some((-b, b))
        };
        match self {
            Init::Zeros | Init::Normal { .. } => None,
            Init::Uniform { low, high } => Some((low, high)),
            Init::XavierUniform => sym(fan_in + fan_out, |n| (6.0 / n).sqrt()),
            Init::KaimingUniform => sym(fan_in, |n| (6.0 / n).sqrt()),
            Init::TorchDefault => sym(fan_in, |n| 1.0 / n.sqrt()),
        }
    }

    /// A tensor of `shape` filled by this init (values drawn in f64, then rounded to T).
    ///
    /// # Panics
    /// For [`Init::Normal`] with a standard deviation that is negative or not finite.
    ///
    /// ```
    /// use rand::{rngs::StdRng, SeedableRng};
    /// use wengert_nn::Init;
    ///
    /// let mut rng = StdRng::seed_from_u64(0);
    /// let w = Init::XavierUniform.tensor::<f64>(&[3, 2], 3, 2, &mut rng);
    /// let a = (6.0f64 / 5.0).sqrt();
    /// assert!(w.data().iter().all(|v| v.abs() <= a));
    /// ```
    pub fn tensor<T: Float>(
        self,
        shape: &[usize],
        fan_in: usize,
        fan_out: usize,
        rng: &mut impl Rng,
    ) -> Tensor<T> {
        if let Init::Normal { mean, std } = self {
            let normal = rand_distr::Normal::new(mean, std)
                .unwrap_or_else(|e| panic!("Init::Normal {{ mean: {mean}, std: {std} }}: {e}"));
            return Tensor::from_fn(shape, |_| T::from_f64(rand_distr::Distribution::sample(&normal, rng)));
        }
        match self.bounds(fan_in, fan_out) {
            None => Tensor::zeros(shape),
            Some((lo, hi)) => Tensor::from_fn(shape, |_| {
                let u: f64 = rng.random();
                T::from_f64(lo + (hi - lo) * u)
            }),
        }
    }
}
