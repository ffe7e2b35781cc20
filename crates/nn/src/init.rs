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
}

impl Init {
    /// The uniform bounds for this init, or `None` for [`Init::Zeros`].
    pub fn bounds(self, fan_in: usize, fan_out: usize) -> Option<(f64, f64)> {
        let sym = |a: f64| Some((-a, a));
        match self {
            Init::Zeros => None,
            Init::Uniform { low, high } => Some((low, high)),
            Init::XavierUniform => sym((6.0 / (fan_in + fan_out) as f64).sqrt()),
            Init::KaimingUniform => sym((6.0 / fan_in as f64).sqrt()),
            Init::TorchDefault => sym(1.0 / (fan_in as f64).sqrt()),
        }
    }

    /// A tensor of `shape` filled by this init (values drawn in f64, then rounded to T).
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
        match self.bounds(fan_in, fan_out) {
            None => Tensor::zeros(shape),
            Some((lo, hi)) => Tensor::from_fn(shape, |_| {
                let u: f64 = rng.random();
                T::from_f64(lo + (hi - lo) * u)
            }),
        }
    }
}
