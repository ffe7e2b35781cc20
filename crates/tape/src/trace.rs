//! Printing the tape: the Wengert list, the reverse sweep, and Graphviz DOT.
//!
//! Reverse mode is easiest to learn by watching it. This module prints what the engine
//! records and what it does with it:
//!
//! * [`WengertList`] prints every node of the tape on its own line, in the order it was
//!   recorded, with its value: `v2 = v0 · v1  = 6`. `format!("{tape}")` prints the same list
//!   without names.
//! * [`WengertList::reverse_sweep`] replays the engine's numeric reverse sweep node by
//!   node and prints every adjoint update in the order the engine performs it:
//!   `v̄1 += v̄2 · v0  = 2`, ending with the gradients of the inputs. The numbers are the
//!   engine's own: each step runs the same kernels as [`Var::backward`].
//! * [`WengertList::to_dot`] and [`WengertList::to_dot_with_grads`] write Graphviz DOT with
//!   one `data | grad` record per node.
//!
//! ```
//! use wengert_tape::trace::WengertList;
//! use wengert_tape::Tape;
//!
//! let tape = Tape::new();
//! let x = tape.scalar(2.0);
//! let y = tape.scalar(3.0);
//! let f = x * y + x.sin();
//! let list = WengertList::new(&tape).name(x, "x").name(y, "y").name(f, "f");
//! let text = list.to_string();
//! assert!(text.contains("v0 = x (input)"));
//! assert!(text.contains("v2 = v0 · v1"));
//! let sweep = list.reverse_sweep(f).unwrap();
//! assert!(sweep.to_string().contains("v̄1 += v̄2 · v0"));
//! assert_eq!(sweep.gradient(x).unwrap().item(), 3.0f64 + 2f64.cos());
//! ```

use std::collections::HashMap;
use std::fmt::{self, Write as _};

use crate::backward::Grads;
use crate::error::{Error, NodeId, Result};
use crate::float::Float;
use crate::ops::{self, Op};
use crate::tape::{Inner, Node, Tape};
use crate::tensor::Tensor;
use crate::var::Var;

/// Values shown before a tensor preview is cut off with `…`.
const DEFAULT_PREVIEW: usize = 6;
/// The `= value` column never starts further right than this.
const MAX_ALIGN: usize = 44;

/// What kind of line a node is in the Wengert list.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NodeKind {
    /// A differentiable leaf (`tape.var`, `tape.scalar`).
    Input,
    /// A leaf gradients do not flow into (`tape.constant`, or a constant in `x * 2.0`).
    Constant,
    /// The result of an op.
    Op,
}

/// One line of the Wengert list, as data (for programs that draw the tape).
#[derive(Clone, Debug)]
pub struct Entry<T: Float> {
    /// The node.
    pub id: NodeId,
    /// Leaf or op.
    pub kind: NodeKind,
    /// The name given with [`WengertList::name`], if any.
    pub name: Option<String>,
    /// The right-hand side: `v0 · v1`, `sin(v0)`, `x (input)`.
    pub expr: String,
    /// The op's name as the engine calls it (`mul`, `sin`, `var`, or a custom op's name).
    pub op: String,
    /// The nodes this one was computed from, in operand order, except that a `select`
    /// lists its condition last (after `on_true` and `on_false`), though `expr` prints it
    /// first (`select(v2, v3, v4)`).
    pub parents: Vec<NodeId>,
    /// True if a gradient can flow into this node.
    pub requires_grad: bool,
    /// The node's value.
    pub value: Tensor<T>,
    /// Where the node was recorded, if [`Tape::record_locations`] was on.
    pub location: Option<String>,
}

/// The Wengert list of a tape, with optional names for its variables.
///
/// `Display` prints one node per line: the node, its expression in the operands' node
/// ids, and its value (full precision; tensors as their shape and the first few values).
///
/// ```
/// use wengert_tape::trace::WengertList;
/// use wengert_tape::{Tape, Tensor};
///
/// let tape = Tape::new();
/// let a = tape.var(&Tensor::from([[1.0], [2.0]])); // [2, 1]
/// let b = tape.var(&Tensor::from([10.0, 20.0, 30.0])); // [3]
/// let s = (a + b).sum();
/// let list = WengertList::new(&tape).name(a, "a").name(b, "b");
/// let text = list.to_string();
/// assert!(text.contains("v2 = broadcast_to(v0, [2, 3])"));
/// assert!(text.contains("v5 = sum(v4)"));
/// assert_eq!(s.item(), 129.0); // (1 + 2)·3 + 2·(10 + 20 + 30)
/// ```
pub struct WengertList<'t, T: Float = f64> {
    tape: &'t Tape<T>,
    names: HashMap<u32, String>,
    preview: usize,
}

impl<'t, T: Float> WengertList<'t, T> {
    /// A printer for `tape`, with no names.
    pub fn new(tape: &'t Tape<T>) -> Self {
        WengertList { tape, names: HashMap::new(), preview: DEFAULT_PREVIEW }
    }

    /// Names `var` in the printout (`v0 = x (input)`; a named op result gets `(f)` after
    /// its value, and the gradients at the end of a sweep read `∂f/∂x`). Control
    /// characters in the name are shown escaped (a newline as `\n`), so that a name
    /// cannot break a line of the list in two.
    ///
    /// # Panics
    /// If `var` is from another tape.
    #[track_caller]
    pub fn name(mut self, var: Var<'t, T>, name: &str) -> Self {
        assert!(std::ptr::eq(var.tape, self.tape), "WengertList::name: {} is from another tape", var.node());
        self.names.insert(var.id(), printable(name));
        self
    }

    /// How many values of a tensor to show before `…` (default 6).
    pub fn preview(mut self, values: usize) -> Self {
        self.preview = values.max(1);
        self
    }

    /// The tape being printed.
    pub fn tape(&self) -> &'t Tape<T> {
        self.tape
    }

    /// The name given to node `id`, if any.
    pub fn name_of(&self, id: NodeId) -> Option<&str> {
        self.names.get(&id.0).map(String::as_str)
    }

    /// Formats a value as the printouts do: a scalar in full precision (`6`,
    /// `0.9092974268256817`), a tensor as its shape and a preview (`[2, 3] [1, 2, 3, …]`).
    pub fn format_value(&self, value: &Tensor<T>) -> String {
        format_tensor(value, self.preview)
    }

    /// Every node as data, in tape order.
    pub fn entries(&self) -> Vec<Entry<T>> {
        let inner = self.tape.inner.borrow();
        (0..inner.nodes.len() as u32).map(|id| self.entry(&inner, id)).collect()
    }

    fn entry(&self, inner: &Inner<T>, id: u32) -> Entry<T> {
        let n = inner.node(id);
        let name = self.names.get(&id).cloned();
        let kind = match n.op {
            Op::Var => NodeKind::Input,
            Op::Const => NodeKind::Constant,
            _ => NodeKind::Op,
        };
        let expr = match kind {
            NodeKind::Input => leaf_expr(name.as_deref(), "input"),
            NodeKind::Constant => leaf_expr(name.as_deref(), "constant"),
            NodeKind::Op => op_expr(inner, id),
        };
        let op = ops::op_name(inner, id);
        let location =
            inner.locations.get(id as usize).copied().flatten().map(|l| format!("{}:{}", l.file(), l.line()));
        Entry {
            id: NodeId(id),
            kind,
            name,
            expr,
            op,
            parents: ops::parents(inner, id).into_iter().map(NodeId).collect(),
            requires_grad: n.grad,
            value: inner.tensor(id),
            location,
        }
    }

    /// Replays the reverse sweep from the scalar `out`, recording every adjoint update.
    ///
    /// The sweep runs the engine's own numeric kernels node by node, in the engine's order,
    /// so every number equals what [`Var::backward`] computes.
    ///
    /// ```
    /// use wengert_tape::trace::WengertList;
    /// use wengert_tape::Tape;
    ///
    /// let tape = Tape::new();
    /// let x = tape.scalar(3.0);
    /// let y = x * x; // fan-out: both contributions land on x̄
    /// let sweep = WengertList::new(&tape).name(x, "x").reverse_sweep(y)?;
    /// assert_eq!(sweep.gradient(x).unwrap().item(), 6.0);
    /// assert!(sweep.to_string().contains("v̄0 += v̄1 · v0 + v̄1 · v0"));
    /// # Ok::<(), wengert_tape::Error>(())
    /// ```
    ///
    /// # Errors
    /// [`Error::NotScalar`] if `out` has more than one element; [`Error::InvalidArgument`]
    /// if `out` is from another tape.
    pub fn reverse_sweep(&self, out: Var<'t, T>) -> Result<ReverseSweep<T>> {
        if !std::ptr::eq(out.tape, self.tape) {
            return Err(Error::InvalidArgument {
                op: "reverse_sweep",
                msg: format!("{} is from another tape than the one being printed", out.node()),
            });
        }
        if out.len() != 1 {
            return Err(Error::NotScalar { op: "reverse_sweep", shape: out.shape(), node: out.node() });
        }
        let inner = self.tape.inner.borrow();
        let o = out.id() as usize;
        let mut adj = vec![T::ZERO; inner.values.len()];
        let mut reached = vec![false; o + 1];
        let r = inner.adj_range(out.id());
        adj[r].iter_mut().for_each(|a| *a = T::ONE);
        reached[o] = inner.nodes[o].grad;
        let mut steps = Vec::new();
        for i in (0..=o).rev() {
            if !reached[i] {
                continue;
            }
            let id = i as u32;
            // The engine's order: the inlined scalar step where it applies, else the general one.
            if !ops::vjp_scalar(&inner, id, &mut adj, &mut reached) {
                ops::vjp_numeric(&inner, id, &mut adj, &mut reached)?;
            }
            let rules = adjoint_rules(&inner, id);
            let mut updates: Vec<AdjointUpdate<T>> = Vec::new();
            for (p, rule) in rules {
                if !inner.nodes[p as usize].grad {
                    continue;
                }
                if let Some(u) = updates.iter_mut().find(|u| u.target.0 == p) {
                    u.rule = format!("{} + {rule}", u.rule);
                    continue;
                }
                updates.push(AdjointUpdate { target: NodeId(p), rule, adjoint: Tensor::scalar(T::ZERO) });
            }
            for u in &mut updates {
                let pr = inner.adj_range(u.target.0);
                u.adjoint =
                    Tensor::new(inner.dims(u.target.0), adj[pr].to_vec()).expect("tape bug: adjoint shape");
            }
            if !updates.is_empty() {
                steps.push(SweepStep { node: NodeId(id), expr: op_expr(&inner, id), updates });
            }
        }
        let mut gradients = Vec::new();
        for i in 0..=o {
            let n = inner.nodes[i];
            if n.op != Op::Var {
                continue;
            }
            let g = if reached[i] {
                Tensor::new(inner.dims(i as u32), adj[inner.adj_range(i as u32)].to_vec()).expect("tape bug")
            } else {
                Tensor::zeros(inner.dims(i as u32))
            };
            gradients.push(InputGradient {
                input: NodeId(i as u32),
                name: self.names.get(&(i as u32)).cloned(),
                reached: reached[i],
                gradient: g,
            });
        }
        Ok(ReverseSweep {
            output: out.node(),
            output_name: self.names.get(&out.id()).cloned(),
            seed: Tensor::ones(inner.dims(out.id())),
            steps,
            gradients,
            preview: self.preview,
            tape_id: self.tape.id,
            generation: self.tape.generation.get(),
        })
    }

    /// Graphviz DOT of the tape with each node's value (`data`).
    ///
    /// ```
    /// use wengert_tape::trace::WengertList;
    /// use wengert_tape::Tape;
    /// let tape = Tape::new();
    /// let x = tape.scalar(2.0);
    /// let _ = x.sin();
    /// let dot = WengertList::new(&tape).name(x, "x").to_dot();
    /// assert!(dot.starts_with("digraph wengert {"));
    /// assert!(dot.contains("v0 -> v1;"));
    /// ```
    pub fn to_dot(&self) -> String {
        self.dot(|_| None)
    }

    /// Graphviz DOT with each node's value and adjoint (micrograd's `data | grad`
    /// records). Nodes the sweep did not reach show `grad 0`; nodes no gradient flows
    /// into (constants, and nodes recorded after the output) show `grad –`. The same
    /// text as [`WengertList::to_dot_with_sweep`] of the output's replayed sweep.
    ///
    /// # Panics
    /// If `grads` were computed on another tape, or on this one before a reset or
    /// rewind (their node numbers name other nodes now).
    ///
    /// ```
    /// use wengert_tape::trace::WengertList;
    /// use wengert_tape::Tape;
    /// let tape = Tape::new();
    /// let x = tape.scalar(2.0);
    /// let y = x * 3.0;
    /// let g = y.backward();
    /// let dot = WengertList::new(&tape).to_dot_with_grads(&g);
    /// assert!(dot.contains("grad 3"));
    /// ```
    #[track_caller]
    pub fn to_dot_with_grads(&self, grads: &Grads<T>) -> String {
        assert!(
            grads.computed_on(self.tape.id, self.tape.generation.get()),
            "to_dot_with_grads: the gradients are of another tape, or of this tape before a reset \
             or rewind, not of the tape being drawn"
        );
        self.dot(|id| {
            let v = self.tape.get(id)?;
            Some(if !v.requires_grad() || !grads.covers(id.0) {
                "–".to_string()
            } else if !grads.reached(v) {
                "0".to_string()
            } else {
                format_tensor(&Tensor::new(&v.shape(), grads.get(v)?.to_vec()).ok()?, self.preview.min(4))
            })
        })
    }

    /// Graphviz DOT with the adjoints of a replayed sweep: as
    /// [`WengertList::to_dot_with_grads`] of the same output's gradients.
    ///
    /// # Panics
    /// If the sweep is of another tape, or of this one before a reset or rewind.
    #[track_caller]
    pub fn to_dot_with_sweep(&self, sweep: &ReverseSweep<T>) -> String {
        assert!(
            sweep.tape_id == self.tape.id && sweep.generation == self.tape.generation.get(),
            "to_dot_with_sweep: the sweep is of another tape, or of this tape before a reset or \
             rewind, not of the tape being drawn"
        );
        let mut adj: HashMap<u32, &Tensor<T>> = HashMap::new();
        for s in &sweep.steps {
            for u in &s.updates {
                adj.insert(u.target.0, &u.adjoint);
            }
        }
        adj.insert(sweep.output.0, &sweep.seed);
        let inner_grad: Vec<bool> = self.tape.inner.borrow().nodes.iter().map(|n| n.grad).collect();
        self.dot(|id| {
            Some(match adj.get(&id.0) {
                Some(t) => format_tensor(t, self.preview.min(4)),
                None if id.0 <= sweep.output.0 && inner_grad.get(id.0 as usize) == Some(&true) => {
                    "0".to_string()
                }
                None => "–".to_string(),
            })
        })
    }

    fn dot(&self, grad: impl Fn(NodeId) -> Option<String>) -> String {
        let entries = self.entries();
        let mut s = String::new();
        s.push_str(
            "digraph wengert {\n  rankdir=LR;\n  node [shape=record, fontname=\"monospace\", fontsize=11];\n",
        );
        for e in &entries {
            let (head, expr) = match (&e.name, e.kind) {
                (Some(n), NodeKind::Op) => (format!("{} ({n})", e.id), e.expr.clone()),
                (Some(n), NodeKind::Input) => (format!("{} ({n})", e.id), "input".to_string()),
                (Some(n), NodeKind::Constant) => (format!("{} ({n})", e.id), "constant".to_string()),
                (None, _) => (e.id.to_string(), e.expr.clone()),
            };
            let mut fields =
                vec![head, expr, format!("data {}", format_tensor(&e.value, self.preview.min(4)))];
            if let Some(g) = grad(e.id) {
                fields.push(format!("grad {g}"));
            }
            let label: Vec<String> = fields.iter().map(|f| dot_escape(f)).collect();
            let style = match e.kind {
                NodeKind::Input => ", style=filled, fillcolor=\"#dbeafe\"",
                NodeKind::Constant => ", style=filled, fillcolor=\"#f3f4f6\"",
                NodeKind::Op => "",
            };
            // With rankdir=LR, the fields of a record stack top to bottom.
            let _ = writeln!(s, "  {} [label=\"{}\"{style}];", e.id, label.join(" | "));
        }
        for e in &entries {
            for p in &e.parents {
                let _ = writeln!(s, "  {p} -> {};", e.id);
            }
        }
        s.push_str("}\n");
        s
    }
}

impl<T: Float> fmt::Display for WengertList<'_, T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let entries = self.entries();
        let lhs: Vec<String> = entries.iter().map(|e| format!("{} = {}", e.id, e.expr)).collect();
        let col = align_column(&lhs);
        for (e, l) in entries.iter().zip(&lhs) {
            let mut line = pad(l, col);
            line.push_str("= ");
            line.push_str(&format_tensor(&e.value, self.preview));
            if let (NodeKind::Op, Some(n)) = (e.kind, &e.name) {
                let _ = write!(line, "  ({n})");
            }
            if let Some(loc) = &e.location {
                let _ = write!(line, "  [{loc}]");
            }
            writeln!(f, "{}", line.trim_end())?;
        }
        Ok(())
    }
}

/// `format!("{tape}")` prints the tape's Wengert list (see [`WengertList`]).
///
/// ```
/// use wengert_tape::Tape;
/// let tape = Tape::new();
/// let x = tape.scalar(2.0);
/// let _y = x * x;
/// assert_eq!(tape.to_string(), "v0 = input    = 2\nv1 = v0 · v0  = 4\n");
/// ```
impl<T: Float> fmt::Display for Tape<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&WengertList::new(self), f)
    }
}

impl<T: Float> Tape<T> {
    /// Graphviz DOT of the tape with each node's value (see [`WengertList::to_dot`]).
    pub fn to_dot(&self) -> String {
        WengertList::new(self).to_dot()
    }
}

/// One adjoint update of the reverse sweep: `target̄ += rule`, and the adjoint after it.
#[derive(Clone, Debug)]
pub struct AdjointUpdate<T: Float> {
    /// The node whose adjoint grows.
    pub target: NodeId,
    /// The contribution, symbolically: `v̄2 · v0`, `sum_to(v̄3, [2, 1])`.
    pub rule: String,
    /// The target's adjoint after this update.
    pub adjoint: Tensor<T>,
}

/// The reverse step of one node: its contributions to its operands' adjoints.
#[derive(Clone, Debug)]
pub struct SweepStep<T: Float> {
    /// The node whose adjoint is being pushed back.
    pub node: NodeId,
    /// Its expression in the Wengert list (`v0 · v1`).
    pub expr: String,
    /// The updates, in the order the engine performs them.
    pub updates: Vec<AdjointUpdate<T>>,
}

/// The gradient of the output with respect to one input (a differentiable leaf).
#[derive(Clone, Debug)]
pub struct InputGradient<T: Float> {
    /// The input's node.
    pub input: NodeId,
    /// Its name, if given.
    pub name: Option<String>,
    /// False if the output does not depend on it (the gradient is then zero).
    pub reached: bool,
    /// ∂out/∂input, of the input's shape.
    pub gradient: Tensor<T>,
}

/// A replayed reverse sweep, from [`WengertList::reverse_sweep`].
///
/// `Display` prints the seed, every adjoint update (`v̄1 += v̄2 · v0  = 2`) and the
/// gradients of the inputs.
#[derive(Clone, Debug)]
pub struct ReverseSweep<T: Float = f64> {
    /// The output the sweep started from.
    pub output: NodeId,
    /// The output's name, if given.
    pub output_name: Option<String>,
    /// The seed: ones of the output's shape.
    pub seed: Tensor<T>,
    /// One step per node that pushes an adjoint to its operands, from the output down.
    pub steps: Vec<SweepStep<T>>,
    /// The gradients of the inputs recorded before the output, in tape order.
    pub gradients: Vec<InputGradient<T>>,
    preview: usize,
    tape_id: u64,
    /// The tape's step (reset and rewind start a new one) when the sweep ran.
    generation: u64,
}

impl<T: Float> ReverseSweep<T> {
    /// The gradient of the output with respect to `input`, if `input` is an input of
    /// the sweep's tape recorded before the output, in the same step (not after a reset
    /// or rewind).
    pub fn gradient(&self, input: Var<'_, T>) -> Option<&Tensor<T>> {
        if input.tape.id != self.tape_id || input.tape.generation.get() != self.generation {
            return None;
        }
        self.gradients.iter().find(|g| g.input == input.node()).map(|g| &g.gradient)
    }

    /// Every update in order, flattened across steps.
    pub fn updates(&self) -> impl Iterator<Item = &AdjointUpdate<T>> {
        self.steps.iter().flat_map(|s| s.updates.iter())
    }

    /// The label of the gradient of `g`: `∂f/∂x` with names, else `∂v4/∂v0`.
    pub fn gradient_label(&self, g: &InputGradient<T>) -> String {
        let out = self.output_name.clone().unwrap_or_else(|| self.output.to_string());
        let inp = g.name.clone().unwrap_or_else(|| g.input.to_string());
        format!("∂{out}/∂{inp}")
    }
}

impl<T: Float> fmt::Display for ReverseSweep<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut lines: Vec<(String, String)> = Vec::new();
        lines.push((format!("{} = 1", bar(self.output)), "(seed)".to_string()));
        for s in &self.steps {
            for u in &s.updates {
                lines.push((
                    format!("{} += {}", bar(u.target), u.rule),
                    format!("= {}", format_tensor(&u.adjoint, self.preview)),
                ));
            }
        }
        let col = align_column(&lines.iter().map(|l| l.0.clone()).collect::<Vec<_>>());
        for (l, r) in &lines {
            writeln!(f, "{}{r}", pad(l, col))?;
        }
        if !self.gradients.is_empty() {
            writeln!(f, "gradients:")?;
            let labels: Vec<String> = self
                .gradients
                .iter()
                .map(|g| format!("  {} = {}", self.gradient_label(g), bar(g.input)))
                .collect();
            let col = align_column(&labels);
            for (g, l) in self.gradients.iter().zip(&labels) {
                let note = if g.reached { "" } else { "  (not reached)" };
                writeln!(f, "{}= {}{note}", pad(l, col), format_tensor(&g.gradient, self.preview))?;
            }
        }
        Ok(())
    }
}

/// `s` with its control characters escaped as Rust writes them (`\n`, `\t`,
/// `\u{1b}`), and nothing else changed.
fn printable(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { c.escape_debug().to_string() } else { c.to_string() }).collect()
}

/// `x (input)`, or `input` without a name.
fn leaf_expr(name: Option<&str>, kind: &str) -> String {
    match name {
        Some(s) => format!("{s} ({kind})"),
        None => kind.to_string(),
    }
}

/// `v̄3`: the adjoint of a node.
fn bar(id: NodeId) -> String {
    format!("v\u{304}{}", id.0)
}

/// Display width: characters, not counting combining marks (the bar of `v̄`).
fn width(s: &str) -> usize {
    s.chars().filter(|c| !('\u{300}'..='\u{36f}').contains(c)).count()
}

fn align_column(lhs: &[String]) -> usize {
    lhs.iter().map(|l| width(l)).filter(|&w| w <= MAX_ALIGN).max().unwrap_or(0) + 2
}

fn pad(s: &str, col: usize) -> String {
    let w = width(s);
    let mut out = s.to_string();
    if w + 2 > col {
        out.push_str("  ");
    } else {
        out.extend(std::iter::repeat_n(' ', col - w));
    }
    out
}

/// A number in Rust's shortest round-trip form: `{}` (`6`, `0.9092974268256817`), or
/// `{:e}` (`2.7755575615628914e-17`) for magnitudes below 1e-5 or from 1e16 on, where `{}`
/// would spell out long runs of zeros.
pub fn num<T: Float>(x: T) -> String {
    let a = x.abs().to_f64();
    if x.is_finite() && a != 0.0 && !(1e-5..1e16).contains(&a) {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// Full-precision scalar, or `[shape] [v0, v1, …]` for a tensor.
fn format_tensor<T: Float>(t: &Tensor<T>, preview: usize) -> String {
    if t.shape().is_empty() {
        return num(t.data()[0]);
    }
    let mut s = format!("{:?} [", t.shape());
    for (i, v) in t.data().iter().take(preview).enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(&num(*v));
    }
    if t.len() > preview {
        s.push_str(", …");
    }
    s.push(']');
    s
}

fn dot_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '{' | '}' | '|' | '<' | '>' | '"' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out
}

fn c<T: Float>(inner: &Inner<T>, n: &Node, k: usize) -> T {
    inner.consts[n.aux as usize + k]
}

/// An op constant, formatted.
fn cn<T: Float>(inner: &Inner<T>, n: &Node, k: usize) -> String {
    num(c(inner, n, k))
}

fn ints<'a, T: Float>(inner: &'a Inner<T>, n: &Node) -> &'a [usize] {
    &inner.ints[(n.aux as usize).min(inner.ints.len())..]
}

/// The window of an unfold or fold node: `kernel [3, 3], stride [1, 1], padding [1, 1],
/// dilation [1, 1]`, with `, fill −∞` after it for an unfold that pads with −∞ (if `fill`).
fn window<T: Float>(inner: &Inner<T>, n: &Node, fill: bool) -> String {
    let i = ints(inner, n);
    let w = format!(
        "kernel {}, stride {}, padding {}, dilation {}",
        list(&i[0..2]),
        list(&i[2..4]),
        list(&i[4..6]),
        list(&i[6..8])
    );
    if fill && i[8] == 1 {
        w + ", fill −∞"
    } else {
        w
    }
}

fn v(id: u32) -> String {
    format!("v{id}")
}

fn list(xs: &[usize]) -> String {
    format!("{xs:?}")
}

/// The right-hand side of an op node: `v0 · v1`, `sin(v0)`, `broadcast_to(v3, [3, 4])`;
/// with ` (view)` after a node that reads its input's value in place (a reshape, or a
/// slice of one contiguous block).
fn op_expr<T: Float>(inner: &Inner<T>, id: u32) -> String {
    let e = op_expr_bare(inner, id);
    if inner.node(id).is_view() {
        format!("{e} (view)")
    } else {
        e
    }
}

fn op_expr_bare<T: Float>(inner: &Inner<T>, id: u32) -> String {
    let n = inner.node(id);
    let (a, b) = (v(n.a), v(n.b));
    let dims = inner.dims(id);
    use Op::*;
    match n.op {
        Var => "input".into(),
        Const => "constant".into(),
        Detach => format!("detach({a})"),
        Neg => format!("−{a}"),
        Exp | Ln | Log1p | Sqrt | Sin | Cos | Tanh | Sigmoid | Softplus | Erf | Erfc | Expm1 | Sinh
        | Cosh | Atan | Asin | Acos | Lgamma | Digamma | Relu | Abs | Square | StepMask | SignMask
        | IsZeroMask => {
            format!("{}({a})", n.op.name())
        }
        PowConst => format!("{a}^{}", cn(inner, &n, 0)),
        Polygamma => format!("polygamma({}, {a})", cn(inner, &n, 0)),
        Clamp => format!("clamp({a}, {}, {})", cn(inner, &n, 0), cn(inner, &n, 1)),
        RangeMask => format!("range_mask({a}, {}, {})", cn(inner, &n, 0), cn(inner, &n, 1)),
        AddConst => format!("{a} + {}", cn(inner, &n, 0)),
        SubConst => format!("{a} − {}", cn(inner, &n, 0)),
        RSubConst => format!("{} − {a}", cn(inner, &n, 0)),
        MulConst => format!("{a} · {}", cn(inner, &n, 0)),
        DivConst => format!("{a} / {}", cn(inner, &n, 0)),
        RDivConst => format!("{} / {a}", cn(inner, &n, 0)),
        Add => format!("{a} + {b}"),
        Sub => format!("{a} − {b}"),
        Mul => format!("{a} · {b}"),
        Div => format!("{a} / {b}"),
        Pow => format!("{a}^{b}"),
        Atan2 | Maximum | Minimum | Masked | MaxWeight | EqMask | GtMask | GeMask | MatMul => {
            format!("{}({a}, {b})", n.op.name())
        }
        MatMulAdd => format!("matmul({a}, {b}) + {}", v(n.aux)),
        Select => format!("select({}, {a}, {b})", v(n.aux)),
        SumTo if dims.is_empty() => format!("sum({a})"),
        SumTo => format!("sum_to({a}, {})", list(dims)),
        MaxAxis => format!("max_axis({a}, {})", ints(inner, &n)[0]),
        BroadcastTo | Reshape => format!("{}({a}, {})", n.op.name(), list(dims)),
        Permute => format!("permute({a}, {})", list(&ints(inner, &n)[..dims.len()])),
        Slice => {
            let i = ints(inner, &n);
            format!("slice({a}, axis {}, {}..{})", i[0], i[1], i[1] + dims[i[0]])
        }
        Pad => {
            let i = ints(inner, &n);
            format!("pad({a}, axis {}, at {}, to {})", i[0], i[1], dims[i[0]])
        }
        Concat => {
            let ps: Vec<String> = ops::parents(inner, id).into_iter().map(v).collect();
            format!("concat([{}], axis {})", ps.join(", "), ints(inner, &n)[0])
        }
        IndexSelect => {
            let i = ints(inner, &n);
            format!("index_select({a}, {})", list(&i[1..1 + i[0]]))
        }
        ScatterRows => {
            let i = ints(inner, &n);
            format!("scatter_rows({a}, {}, {})", list(&i[1..1 + i[0]]), dims[0])
        }
        Unfold => format!("unfold({a}, {})", window(inner, &n, true)),
        Fold => format!("fold({a}, to {}, {})", list(&dims[2..]), window(inner, &n, false)),
        Custom => {
            let name = ops::op_name(inner, id);
            let ps: Vec<String> = ops::parents(inner, id).into_iter().map(v).collect();
            format!("{name}({})", ps.join(", "))
        }
    }
}

/// The symbolic contribution of node `id` to each parent's adjoint, in the engine's order.
fn adjoint_rules<T: Float>(inner: &Inner<T>, id: u32) -> Vec<(u32, String)> {
    let n = inner.node(id);
    let g = bar(NodeId(id));
    let (a, b, y) = (v(n.a), v(n.b), v(id));
    use Op::*;
    let one = |r: String| vec![(n.a, r)];
    match n.op {
        Var | Const | Detach | StepMask | SignMask | RangeMask | IsZeroMask | MaxWeight | EqMask | GtMask
        | GeMask => vec![],
        Neg | RSubConst => one(format!("−{g}")),
        Exp => one(format!("{g} · {y}")),
        Ln => one(format!("{g} / {a}")),
        Log1p => one(format!("{g} / (1 + {a})")),
        Sqrt => one(format!("{g} / (2 · {y})")),
        Sin => one(format!("{g} · cos({a})")),
        Cos => one(format!("−{g} · sin({a})")),
        Tanh => one(format!("{g} · (1 − {y}²)")),
        Sigmoid => one(format!("{g} · {y} · (1 − {y})")),
        Softplus => one(format!("{g} · sigmoid({a})")),
        Erf => one(format!("{g} · 2/√π · exp(−{a}²)")),
        Erfc => one(format!("−{g} · 2/√π · exp(−{a}²)")),
        Expm1 => one(format!("{g} · ({y} + 1)")),
        Sinh => one(format!("{g} · cosh({a})")),
        Cosh => one(format!("{g} · sinh({a})")),
        Atan => one(format!("{g} / (1 + {a}²)")),
        Asin => one(format!("{g} / √(1 − {a}²)")),
        Acos => one(format!("−{g} / √(1 − {a}²)")),
        Lgamma => one(format!("{g} · digamma({a})")),
        Digamma => one(format!("{g} · polygamma(1, {a})")),
        Polygamma => one(format!("{g} · polygamma({}, {a})", num(c(inner, &n, 0) + T::ONE))),
        Relu => one(format!("{g} · [{a} > 0]")),
        Abs => one(format!("{g} · sign({a})")),
        Square => one(format!("{g} · 2 · {a}")),
        PowConst => {
            let p = c(inner, &n, 0);
            one(format!("{g} · {} · {a}^{}", num(p), num(p - T::ONE)))
        }
        Clamp => one(format!("{g} · [{} < {a} < {}]", cn(inner, &n, 0), cn(inner, &n, 1))),
        AddConst | SubConst => one(g),
        MulConst => one(format!("{g} · {}", cn(inner, &n, 0))),
        DivConst => one(format!("{g} / {}", cn(inner, &n, 0))),
        RDivConst => one(format!("−{g} · {y} / {a}")),
        Add => vec![(n.a, g.clone()), (n.b, g)],
        Sub => vec![(n.a, g.clone()), (n.b, format!("−{g}"))],
        Mul => vec![(n.a, format!("{g} · {b}")), (n.b, format!("{g} · {a}"))],
        Div => vec![(n.a, format!("{g} / {b}")), (n.b, format!("−{g} · {y} / {b}"))],
        Pow => vec![(n.a, format!("{g} · {b} · {a}^({b} − 1)")), (n.b, format!("{g} · {y} · ln({a})"))],
        Atan2 => {
            vec![(n.a, format!("{g} · {b} / ({a}² + {b}²)")), (n.b, format!("−{g} · {a} / ({a}² + {b}²)"))]
        }
        // w(p, q) = 1 if p > q, ½ if p = q, 0 otherwise: a tie splits the gradient.
        Maximum => vec![(n.a, format!("{g} · w({a}, {b})")), (n.b, format!("{g} · w({b}, {a})"))],
        Minimum => vec![(n.a, format!("{g} · w({b}, {a})")), (n.b, format!("{g} · w({a}, {b})"))],
        // The mask takes no gradient.
        Masked => one(format!("masked({g}, {b})")),
        // Nor does the condition.
        Select => {
            let c = v(n.aux);
            vec![(n.a, format!("masked({g}, {c})")), (n.b, format!("masked({g}, is_zero({c}))"))]
        }
        SumTo => one(format!("broadcast_to({g}, {})", list(inner.dims(n.a)))),
        MaxAxis => one(format!("{g} · [{a} = {y}] / #ties")),
        BroadcastTo => one(format!("sum_to({g}, {})", list(inner.dims(n.a)))),
        Reshape => one(format!("reshape({g}, {})", list(inner.dims(n.a)))),
        Permute => {
            let p = &ints(inner, &n)[..inner.dims(id).len()];
            let mut inv = vec![0; p.len()];
            for (i, &k) in p.iter().enumerate() {
                inv[k] = i;
            }
            one(format!("permute({g}, {})", list(&inv)))
        }
        Slice => {
            let i = ints(inner, &n);
            one(format!("pad({g}, axis {}, at {}, to {})", i[0], i[1], inner.dims(n.a)[i[0]]))
        }
        Pad => {
            let i = ints(inner, &n);
            let len = inner.dims(n.a)[i[0]];
            one(format!("slice({g}, axis {}, {}..{})", i[0], i[1], i[1] + len))
        }
        Concat => {
            let axis = ints(inner, &n)[0];
            let mut start = 0;
            ops::parents(inner, id)
                .into_iter()
                .map(|p| {
                    let len = inner.dims(p)[axis];
                    let r = (p, format!("slice({g}, axis {axis}, {start}..{})", start + len));
                    start += len;
                    r
                })
                .collect()
        }
        IndexSelect => {
            let i = ints(inner, &n);
            one(format!("scatter_rows({g}, {}, {})", list(&i[1..1 + i[0]]), inner.dims(n.a)[0]))
        }
        ScatterRows => {
            let i = ints(inner, &n);
            one(format!("index_select({g}, {})", list(&i[1..1 + i[0]])))
        }
        Unfold => {
            let to = list(&inner.dims(n.a)[2..]);
            one(format!("fold({g}, to {to}, {})", window(inner, &n, false)))
        }
        Fold => one(format!("unfold({g}, {})", window(inner, &n, false))),
        MatMul => vec![(n.a, format!("matmul({g}, {b}ᵀ)")), (n.b, format!("matmul({a}ᵀ, {g})"))],
        MatMulAdd => vec![
            (n.a, format!("matmul({g}, {b}ᵀ)")),
            (n.b, format!("matmul({a}ᵀ, {g})")),
            (n.aux, format!("sum_to({g}, {})", list(inner.dims(n.aux)))),
        ],
        Custom => {
            let name = ops::op_name(inner, id);
            ops::parents(inner, id)
                .into_iter()
                .enumerate()
                .map(|(k, p)| (p, format!("{name}.vjp({g})[{k}]")))
                .collect()
        }
    }
}
