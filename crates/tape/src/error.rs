//! The one error type of the workspace.

use std::fmt;

use crate::shape::Shape;

/// A node of a tape, printed as `v12` like in the Wengert list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId(pub u32);

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "v{}", self.0)
    }
}

/// Everything that can go wrong in wengert.
///
/// Graph-building errors name the op, the shapes and the nodes (`v12`) the values came
/// from, so the Wengert list printed by the tape shows where they were made. File and data
/// errors name the file and the position.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// Two operands whose shapes do not fit the op (not broadcastable, or not equal).
    ShapeMismatch {
        /// The op, e.g. `"add"`.
        op: &'static str,
        /// Shape of the left operand.
        lhs: Shape,
        /// Shape of the right operand.
        rhs: Shape,
        /// Node of the left operand.
        lhs_node: NodeId,
        /// Node of the right operand.
        rhs_node: NodeId,
    },
    /// An axis outside `-rank..rank`.
    InvalidAxis {
        /// The op.
        op: &'static str,
        /// The axis asked for.
        axis: isize,
        /// The operand's shape.
        shape: Shape,
        /// The operand's node.
        node: NodeId,
    },
    /// A reshape to a different element count.
    ReshapeSize {
        /// The source shape.
        from: Shape,
        /// The requested shape.
        to: Shape,
        /// The operand's node.
        node: NodeId,
    },
    /// Data of the wrong length for the given shape.
    ElementCount {
        /// The op or constructor.
        op: &'static str,
        /// The shape asked for.
        shape: Shape,
        /// Elements expected.
        expected: usize,
        /// Elements given.
        got: usize,
    },
    /// An op that needs a scalar was given a tensor.
    NotScalar {
        /// The op, e.g. `"backward"`.
        op: &'static str,
        /// The operand's shape.
        shape: Shape,
        /// The operand's node.
        node: NodeId,
    },
    /// Any other invalid argument: a bad permutation, an index out of range, ...
    InvalidArgument {
        /// The op.
        op: &'static str,
        /// What is wrong, with the shapes and nodes involved.
        msg: String,
    },
    /// Two variables from different tapes were combined.
    TapeMismatch {
        /// The op.
        op: &'static str,
        /// Node of the left operand (on its own tape).
        lhs_node: NodeId,
        /// Node of the right operand (on another tape).
        rhs_node: NodeId,
        /// The left operand's tape ([`crate::Tape::id`]).
        lhs_tape: u64,
        /// The right operand's tape ([`crate::Tape::id`]).
        rhs_tape: u64,
    },
    /// Anomaly mode found a NaN or an infinity (see [`crate::Tape::detect_anomaly`]).
    NonFinite(Box<crate::anomaly::Anomaly>),
    /// A file could not be read or written.
    Io {
        /// The path.
        path: String,
        /// The OS error text.
        msg: String,
    },
    /// Bad contents in a data or parameter file.
    Data {
        /// The path (or a description of the source).
        path: String,
        /// 1-based line, when the format has lines.
        line: Option<u64>,
        /// 1-based column (field), when known.
        column: Option<u64>,
        /// What is wrong.
        msg: String,
    },
}

/// `Result` with [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::ShapeMismatch { op, lhs, rhs, lhs_node, rhs_node } => {
                write!(f, "{op}: incompatible shapes {lhs:?} ({lhs_node}) and {rhs:?} ({rhs_node})")
            }
            Error::InvalidAxis { op, axis, shape, node } => write!(
                f,
                "{op}: axis {axis} is out of range for shape {shape:?} ({node}) of rank {}",
                shape.len()
            ),
            Error::ReshapeSize { from, to, node } => write!(
                f,
                "reshape: cannot reshape {from:?} ({node}, {} elements) to {to:?} ({} elements)",
                crate::shape::numel(from),
                crate::shape::numel(to)
            ),
            Error::ElementCount { op, shape, expected, got } => {
                write!(f, "{op}: shape {shape:?} needs {expected} elements but {got} were given")
            }
            Error::NotScalar { op, shape, node } => {
                write!(f, "{op}: needs a scalar (shape []) but {node} has shape {shape:?}; ")?;
                not_scalar_advice(f, op)
            }
            Error::InvalidArgument { op, msg } => write!(f, "{op}: {msg}"),
            Error::TapeMismatch { op, lhs_node, rhs_node, lhs_tape, rhs_tape } => write!(
                f,
                "{op}: {lhs_node} (tape #{lhs_tape}) and {rhs_node} (tape #{rhs_tape}) belong to different tapes; \
                 variables can only be combined with variables of their own tape"
            ),
            Error::NonFinite(a) => write!(f, "anomaly: {a}"),
            Error::Io { path, msg } => write!(f, "{path}: {msg}"),
            Error::Data { path, line, column, msg } => {
                write!(f, "{path}")?;
                if let Some(l) = line {
                    write!(f, ":{l}")?;
                }
                if let Some(c) = column {
                    write!(f, ":{c}")?;
                }
                write!(f, ": {msg}")
            }
        }
    }
}

/// What to do about a non-scalar where `op` needs a scalar: the way out depends on who
/// asked (a seed for a vector-Jacobian product, or a scalar from the user's function).
fn not_scalar_advice(f: &mut fmt::Formatter<'_>, op: &str) -> fmt::Result {
    match op {
        "backward" => {
            f.write_str("pass a seed of that shape to backward_with_seed, or reduce it with sum() first")
        }
        "backward_graph" => f.write_str(
            "pass a seed variable of that shape to backward_graph_with_seed, or reduce it with sum() first",
        ),
        "grad" | "value_and_grad" | "hvp" | "hessian" => write!(
            f,
            "the function passed to {op} must return a scalar: reduce its output (with sum(), say), \
             or use jacobian for the first derivatives of a tensor-valued function"
        ),
        _ => f.write_str("reduce it with sum() first"),
    }
}

impl std::error::Error for Error {}
