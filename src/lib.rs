//! # wengert
//!
//! Reverse-mode automatic differentiation on a tape (a Wengert list) you can read.
//!
//! * [`tape`]: the engine: [`tape::Tape`], [`tape::Var`], [`tape::Tensor`], the ops and
//!   their backward rules, [`tape::Grads`].
//! * [`nn`]: layers, losses and optimizers built purely from tape ops.
//!
//! ```
//! use wengert::tape::Tape;
//!
//! let t = Tape::<f64>::new();
//! let x = t.scalar(2.0);
//! let y = t.scalar(3.0);
//! let f = x * y + x.sin();
//! let g = f.backward();
//! assert_eq!(g.scalar(x), 3.0 + 2f64.cos());
//! assert_eq!(g.scalar(y), 2.0);
//! ```
pub use wengert_nn as nn;
pub use wengert_tape as tape;
