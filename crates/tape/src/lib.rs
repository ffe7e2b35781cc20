//! # wengert-tape
//!
//! Reverse-mode automatic differentiation on a tape (a Wengert list) of scalar and tensor
//! ops.
//!
//! * [`Tape`] records; [`Var`] is a `Copy` handle whose operators record.
//! * [`Var::backward`] replays the tape backward and returns [`Grads`];
//!   [`Var::backward_graph`] records the backward pass too, for higher derivatives.
//! * [`Tensor`] is the owned value type; a scalar is a tensor of shape `[]`.
//! * [`gradcheck`] compares gradients against central finite differences.
//!
//! ```
//! use wengert_tape::{Tape, Tensor};
//!
//! let t = Tape::<f64>::new();
//! let x = t.scalar(2.0);
//! let y = t.scalar(3.0);
//! let f = x * y + x.sin();
//! let g = f.backward();
//! assert_eq!(f.item(), 6.0 + 2f64.sin());
//! assert_eq!(g.scalar(x), 3.0 + 2f64.cos()); // ∂f/∂x = y + cos x
//! assert_eq!(g.scalar(y), 2.0);              // ∂f/∂y = x
//!
//! // Tensors broadcast like numpy; the gradient is summed back to each operand's shape.
//! let a = t.var(&Tensor::from([[1.0], [2.0], [3.0]])); // [3, 1]
//! let b = t.var(&Tensor::from([10.0, 20.0, 30.0, 40.0])); // [4]
//! let s = (a * b).sum(); // [3, 4] summed
//! let g = s.backward();
//! assert_eq!(g[a], [100.0, 100.0, 100.0]);
//! assert_eq!(g[b], [6.0, 6.0, 6.0, 6.0]);
//! ```
#![warn(missing_docs)]

pub mod anomaly;
mod backward;
#[cfg(feature = "blas")]
pub mod blas;
mod cell;
pub mod custom;
mod error;
mod float;
pub mod functional;
mod gemm;
pub mod gradcheck;
mod lanes;
mod ops;
mod par;
mod replay;
pub mod shape;
mod special;
mod tape;
mod tensor;
pub mod trace;
mod var;

pub use anomaly::{with_anomaly_detection, Anomaly, Phase};
pub use backward::{GradVars, Grads};
pub use custom::CustomOp;
pub use error::{Error, NodeId, Result};
pub use float::Float;
pub use functional::{func, func_many};
pub use ops::layout::{PadFill, Window2d};
pub use shape::Shape;
pub use tape::{Mark, Tape, TapeStats};
pub use tensor::Tensor;
pub use var::Var;

/// The Rust examples of docs/gradcheck.md run as doctests of this crate, so the guide
/// cannot drift from the code. (The examples of docs/tutorial.md and docs/reliability.md
/// are fragments of longer programs and do not compile alone.)
#[cfg(doctest)]
#[doc = include_str!("../../../docs/gradcheck.md")]
struct GradcheckGuide;
