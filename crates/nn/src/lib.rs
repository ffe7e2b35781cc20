//! # wengert-nn
//!
//! Neural-net building blocks composed purely from tape ops: this crate contains no
//! derivative code. Every layer, activation and loss is a forward computation in
//! [`wengert_tape`] ops, and the tape differentiates it.
//!
//! * Parameters are plain [`Tensor`]s owned by modules, outside the tape. A [`Module`]
//!   names them in a stable order (its state dict, an `IndexMap`).
//! * A training step binds them onto a tape as leaves ([`Module::bind`]), runs the forward
//!   pass, calls `backward()`, and an [`optim::Optimizer`] updates the tensors.
//! * [`loss`] has BCE (log clamped at −100 like PyTorch), a stable BCE-with-logits, MSE,
//!   L1, Huber and smooth L1, and a stable cross-entropy over class scores (class indices
//!   or probabilities, optional label smoothing) with its NLL counterpart;
//!   [`optim`] has SGD (momentum, dampening, Nesterov, weight decay) and Adam, with
//!   `torch.optim` semantics; [`schedule`] has PyTorch's learning-rate schedulers;
//!   [`clip`] clips gradients by their total norm or by value; [`io`] saves and loads
//!   safetensors; [`data`] reads CSV files.
//!
//! Logistic regression, z = x·W + b, ŷ = σ(z), L = BCE, W := W − α ∂L/∂W:
//!
//! ```
//! use wengert_nn::{loss::{bce, Reduction}, optim::{Optimizer, Sgd}, Linear, Module};
//! use wengert_tape::{Tape, Tensor};
//!
//! let x = Tensor::from([[0.0, 1.0], [1.0, 0.0], [1.0, 1.0], [0.0, 0.0]]);
//! let y = Tensor::from([[1.0], [1.0], [1.0], [0.0]]); // "or"
//! let mut model = Linear::<f64>::zeros(2, 1);
//! let mut opt = Sgd::new(1.0);
//! let mut tape = Tape::new();
//! let mut last = f64::INFINITY;
//! for _ in 0..200 {
//!     tape.reset();
//!     let p = model.bind(&tape);
//!     let z = model.forward(&p, tape.constant(&x))?;
//!     let loss = bce(z.sigmoid(), tape.constant(&y), Reduction::Mean)?;
//!     opt.step(&mut model, &p, &loss.backward())?;
//!     last = loss.item();
//! }
//! assert!(last < 0.1);
//! # Ok::<(), wengert_tape::Error>(())
//! ```
#![warn(missing_docs)]
#![forbid(unsafe_code)]

pub mod clip;
pub mod conv;
pub mod data;
pub mod init;
pub mod io;
pub mod layers;
pub mod loss;
pub mod module;
pub mod optim;
pub mod schedule;

pub use conv::{
    AdaptiveAvgPool2d, AvgPool2d, BatchNorm2d, Conv1d, Conv2d, ConvTranspose1d, ConvTranspose2d, Flatten,
    MaxPool2d, PaddingMode, Scale2, Size2, Upsample, UpsampleMode,
};
pub use init::Init;
pub use io::SaveLoad;
pub use layers::{
    BatchNorm1d, Dropout, Embedding, Gelu, GeluTanh, LayerNorm, LeakyReLU, Linear, ReLU, Sequential, SiLU,
    Sigmoid, Tanh, ELU,
};
pub use loss::Reduction;
pub use module::{Bound, Module, StateDict, TapeParams};
pub use optim::{Adam, Optimizer, Sgd};
pub use schedule::LrScheduler;

#[doc(no_inline)]
pub use wengert_tape::{Error, Result, Tensor};
