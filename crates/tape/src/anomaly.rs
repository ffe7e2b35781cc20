//! Anomaly reports: where a NaN or an infinity first appeared, in the forward values or in
//! the reverse sweep's adjoints. See [`crate::Tape::detect_anomaly`].

use std::cell::Cell;
use std::fmt;

use crate::error::NodeId;
use crate::float::Float;
use crate::ops::{op_name, parents};
use crate::shape::Shape;
use crate::tape::{Inner, Tape};
use crate::tensor::fmt_preview;

thread_local! {
    /// Inside [`with_anomaly_detection`] on this thread.
    static BY_DEFAULT: Cell<bool> = const { Cell::new(false) };
}

/// True if tapes made now on this thread start in anomaly mode.
pub(crate) fn by_default() -> bool {
    BY_DEFAULT.with(Cell::get)
}

/// Runs `f` with anomaly mode ([`Tape::detect_anomaly`]) on for every tape made on this
/// thread while `f` runs, as PyTorch's `with torch.autograd.detect_anomaly():`. It reaches
/// the tapes that code of yours does not see: those of [`crate::functional`]'s helpers,
/// of the gradient checker, of a library. The setting is this thread's, and is restored
/// when `f` returns or unwinds; tapes made before keep their own.
///
/// ```
/// use wengert_tape::{func, functional, with_anomaly_detection, Error, Tensor};
///
/// let f = func(|v| v.sqrt().sum());
/// let x = Tensor::<f64>::from([4.0, -1.0]);
/// // Without it, the helper's NaN comes back as a value...
/// let g = functional::try_grad(f, &x)?;
/// assert!(g.data()[1].is_nan());
/// // ...with it, as an error naming the op that made it.
/// let err = with_anomaly_detection(|| functional::try_grad(f, &x)).unwrap_err();
/// assert!(matches!(&err, Error::NonFinite(a) if a.op == "sqrt"), "{err}");
/// # Ok::<(), Error>(())
/// ```
pub fn with_anomaly_detection<R>(f: impl FnOnce() -> R) -> R {
    /// Puts the previous setting back, also when `f` unwinds.
    struct Restore(bool);
    impl Drop for Restore {
        fn drop(&mut self) {
            BY_DEFAULT.with(|c| c.set(self.0));
        }
    }
    let _restore = Restore(BY_DEFAULT.with(|c| c.replace(true)));
    f()
}

/// Which sweep an anomaly was found in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    /// A node's value is not finite.
    Forward,
    /// A node's backward rule made a parent's adjoint non-finite from a finite adjoint.
    Reverse,
}

/// One input of the node an anomaly names.
#[derive(Clone, Debug, PartialEq)]
pub struct AnomalyInput {
    /// The input's node.
    pub node: NodeId,
    /// Its op name.
    pub op: String,
    /// Its shape.
    pub shape: Shape,
    /// A preview of its value.
    pub value: String,
}

/// Where a NaN or infinity first appeared.
#[derive(Clone, Debug, PartialEq)]
pub struct Anomaly {
    /// Forward values or reverse-sweep adjoints.
    pub phase: Phase,
    /// The node whose value (forward) or backward rule (reverse) produced it.
    pub node: NodeId,
    /// That node's op name (a custom op's own name).
    pub op: String,
    /// That node's shape.
    pub shape: Shape,
    /// A preview of that node's value.
    pub value: String,
    /// Reverse sweep: a preview of that node's (finite) adjoint.
    pub adjoint: Option<String>,
    /// Reverse sweep: the input whose adjoint became non-finite, with a preview of it.
    pub bad_input: Option<(NodeId, String)>,
    /// The node's inputs.
    pub inputs: Vec<AnomalyInput>,
    /// Where the node was recorded, if [`Tape::record_locations`] was on.
    pub location: Option<String>,
}

impl fmt::Display for Anomaly {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.phase {
            Phase::Forward => write!(
                f,
                "non-finite value in the forward sweep: {} = {} {:?} is {}",
                self.node, self.op, self.shape, self.value
            )?,
            Phase::Reverse => {
                let (p, adj) = self.bad_input.as_ref().expect("reverse anomaly names an input");
                write!(
                    f,
                    "non-finite adjoint in the reverse sweep: the backward rule of {} = {} {:?} \
                     (value {}, adjoint {}) made the adjoint of {p} {adj}",
                    self.node,
                    self.op,
                    self.shape,
                    self.value,
                    self.adjoint.as_deref().unwrap_or("?")
                )?
            }
        }
        if let Some(loc) = &self.location {
            write!(f, ", recorded at {loc}")?;
        }
        if self.inputs.is_empty() {
            write!(f, "; it is an input of the tape")?;
        }
        for i in &self.inputs {
            write!(f, "; input {} = {} {:?} {}", i.node, i.op, i.shape, i.value)?;
        }
        Ok(())
    }
}

fn preview<T: Float>(data: &[T]) -> String {
    let mut s = String::new();
    let _ = fmt_preview(&mut s, data, 6);
    if data.len() == 1 {
        s = s.trim_start_matches('[').trim_end_matches(']').to_string();
    }
    s
}

fn report<T: Float>(inner: &Inner<T>, phase: Phase, id: u32) -> Anomaly {
    let inputs = parents(inner, id)
        .into_iter()
        .map(|p| AnomalyInput {
            node: NodeId(p),
            op: op_name(inner, p),
            shape: inner.shape_of(p),
            value: preview(inner.value(p)),
        })
        .collect();
    Anomaly {
        phase,
        node: NodeId(id),
        op: op_name(inner, id),
        shape: inner.shape_of(id),
        value: preview(inner.value(id)),
        adjoint: None,
        bad_input: None,
        inputs,
        location: inner.locations.get(id as usize).copied().flatten().map(|l| l.to_string()),
    }
}

/// The report for a non-finite forward value at node `id`.
pub(crate) fn forward_report<T: Float>(tape: &Tape<T>, id: u32) -> Anomaly {
    report(&tape.inner.borrow(), Phase::Forward, id)
}

/// After node `id`'s backward rule ran: if its adjoint is finite and some parent's adjoint
/// is not, the report naming that parent.
pub(crate) fn check_reverse<T: Float>(inner: &Inner<T>, id: u32, adj: &[T]) -> Option<Anomaly> {
    let own = &adj[inner.adj_range(id)];
    if own.iter().any(|v| !v.is_finite()) {
        return None;
    }
    let bad = parents(inner, id)
        .into_iter()
        .find(|&p| inner.nodes[p as usize].grad && adj[inner.adj_range(p)].iter().any(|v| !v.is_finite()))?;
    let mut r = report(inner, Phase::Reverse, id);
    r.adjoint = Some(preview(own));
    r.bad_input = Some((NodeId(bad), preview(&adj[inner.adj_range(bad)])));
    Some(r)
}
