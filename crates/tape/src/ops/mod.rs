//! The primitive ops and the dispatch from an op code to its rules.
//!
//! Each op family lives in one file with, per op, its forward formula, its numeric
//! vector-Jacobian product (used by [`Var::backward`](crate::Var::backward)) and its VJP
//! written in tape ops (used by [`Var::backward_graph`](crate::Var::backward_graph), which
//! makes gradients differentiable). `tests/vjp_agreement.rs` checks that the two VJPs agree
//! op by op.
//!
//! | file | ops |
//! |---|---|
//! | `unary.rs` | neg exp ln log1p sqrt sin cos tanh sigmoid softplus erf erfc expm1 sinh cosh atan asin acos lgamma digamma polygamma relu abs square powf clamp, `x ∘ c` with a constant, and the 0/1 masks |
//! | `binary.rs` | add sub mul div pow atan2 maximum minimum (equal shapes; the operators broadcast first) |
//! | `reduce.rs` | sum_to (sum over broadcast axes), max_axis |
//! | `layout.rs` | broadcast_to reshape permute slice pad concat index_select scatter_rows unfold fold |
//! | `matmul.rs` | matmul (2-d and batched 3-d) |
//! | `crate::custom` | user-defined ops |

pub(crate) mod binary;
pub(crate) mod layout;
pub(crate) mod matmul;
pub(crate) mod reduce;
pub(crate) mod unary;

use crate::error::{Error, Result};
use crate::float::Float;
use crate::tape::Inner;
use crate::var::Var;

/// An error unless a tensor of shape `out`, the result of op `op` on `x`, can exist: its
/// element count must fit a `usize` and its bytes an allocation (at most `isize::MAX`).
pub(crate) fn check_size<T: Float>(op: &'static str, x: Var<'_, T>, out: &[usize]) -> Result<()> {
    check_size_of::<T>(op, out, || format!("the result of {}", x.node()))
}

/// [`check_size`] for a result that `what` describes (e.g. "the product of v2 and v3").
pub(crate) fn check_size_of<T: Float>(
    op: &'static str,
    out: &[usize],
    what: impl FnOnce() -> String,
) -> Result<()> {
    match crate::shape::numel_in_memory::<T>(out) {
        Some(_) => Ok(()),
        None => Err(Error::InvalidArgument {
            op,
            msg: format!("{} would have shape {out:?}, more elements than fit in memory", what()),
        }),
    }
}

/// The op code of a node.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u8)]
pub(crate) enum Op {
    // Leaves.
    Var,
    Const,
    Detach,
    // Elementwise unary.
    Neg,
    Exp,
    Ln,
    Log1p,
    Sqrt,
    Sin,
    Cos,
    Tanh,
    Sigmoid,
    Softplus,
    Erf,
    Erfc,
    Expm1,
    Sinh,
    Cosh,
    Atan,
    Asin,
    Acos,
    Lgamma,
    Digamma,
    /// ψ⁽ⁿ⁾(x), n its constant.
    Polygamma,
    Relu,
    Abs,
    Square,
    PowConst,
    Clamp,
    AddConst,
    SubConst,
    RSubConst,
    MulConst,
    DivConst,
    RDivConst,
    // Masks: 0/1 values that gradients do not flow through.
    StepMask,
    SignMask,
    RangeMask,
    IsZeroMask,
    // Elementwise binary (equal shapes).
    Add,
    Sub,
    Mul,
    Div,
    Pow,
    /// atan2(a, b): the angle of the point (b, a).
    Atan2,
    Maximum,
    Minimum,
    /// `a` where `b ≠ 0`, else 0; no gradient flows into `b` (the mask).
    Masked,
    MaxWeight,
    EqMask,
    /// 1 where `a > b`, else 0 (a mask).
    GtMask,
    /// 1 where `a ≥ b`, else 0 (a mask).
    GeMask,
    /// `a` where the condition (its node in `aux`) is nonzero, else `b`; all three of one
    /// shape. No gradient flows into the condition.
    Select,
    // Reductions.
    SumTo,
    MaxAxis,
    // Layout.
    BroadcastTo,
    Reshape,
    Permute,
    Slice,
    Pad,
    Concat,
    IndexSelect,
    ScatterRows,
    /// Sliding windows of `[N, C, H, W]` as columns (im2col); its window in `ints`.
    Unfold,
    /// Columns summed back into `[N, C, H, W]` (col2im); its window in `ints`.
    Fold,
    // Linear algebra.
    MatMul,
    /// `a·b + c`, `c` broadcast (its node in `aux`).
    MatMulAdd,
    // User-defined.
    Custom,
}

impl Op {
    /// The op's name as printed in the Wengert list and in errors.
    pub fn name(self) -> &'static str {
        use Op::*;
        match self {
            Var => "var",
            Const => "const",
            Detach => "detach",
            Neg => "neg",
            Exp => "exp",
            Ln => "ln",
            Log1p => "log1p",
            Sqrt => "sqrt",
            Sin => "sin",
            Cos => "cos",
            Tanh => "tanh",
            Sigmoid => "sigmoid",
            Softplus => "softplus",
            Erf => "erf",
            Erfc => "erfc",
            Expm1 => "expm1",
            Sinh => "sinh",
            Cosh => "cosh",
            Atan => "atan",
            Asin => "asin",
            Acos => "acos",
            Lgamma => "lgamma",
            Digamma => "digamma",
            Polygamma => "polygamma",
            Relu => "relu",
            Abs => "abs",
            Square => "square",
            PowConst => "powf",
            Clamp => "clamp",
            AddConst => "add_const",
            SubConst => "sub_const",
            RSubConst => "rsub_const",
            MulConst => "mul_const",
            DivConst => "div_const",
            RDivConst => "rdiv_const",
            StepMask => "step_mask",
            SignMask => "sign",
            RangeMask => "range_mask",
            IsZeroMask => "is_zero",
            Add => "add",
            Sub => "sub",
            Mul => "mul",
            Div => "div",
            Pow => "pow",
            Atan2 => "atan2",
            Maximum => "maximum",
            Minimum => "minimum",
            Masked => "masked",
            MaxWeight => "max_weight",
            EqMask => "eq_mask",
            GtMask => "gt_mask",
            GeMask => "ge_mask",
            Select => "select",
            SumTo => "sum_to",
            MaxAxis => "max_axis",
            BroadcastTo => "broadcast_to",
            Reshape => "reshape",
            Permute => "permute",
            Slice => "slice",
            Pad => "pad",
            Concat => "concat",
            IndexSelect => "index_select",
            ScatterRows => "scatter_rows",
            Unfold => "unfold",
            Fold => "fold",
            MatMul => "matmul",
            MatMulAdd => "matmul_add",
            Custom => "custom",
        }
    }

    /// Ops whose output no gradient flows back through.
    pub fn is_nondifferentiable(self) -> bool {
        use Op::*;
        matches!(
            self,
            Var | Const
                | Detach
                | StepMask
                | SignMask
                | RangeMask
                | IsZeroMask
                | MaxWeight
                | EqMask
                | GtMask
                | GeMask
        )
    }
}

impl Op {
    /// Whether a binary node with operands that do (`a`, `b`) take gradients does: a
    /// mask operand (`masked`'s `b`) passes none on.
    #[inline(always)]
    pub fn takes_grad(self, a: bool, b: bool) -> bool {
        match self {
            Op::Masked => a,
            _ => (a || b) && !self.is_nondifferentiable(),
        }
    }
}

/// Per parent, the contribution to its adjoint, from a recorded VJP.
pub(crate) type Contribs<'t, T> = smallvec::SmallVec<[(u32, Var<'t, T>); 2]>;

/// The numeric reverse step of node `id`: adds its parents' contributions to `adj` and
/// marks them reached. `adj` is laid out like the tape's values. Fails only for a custom
/// op whose rule returns gradients of the wrong count or shape.
pub(crate) fn vjp_numeric<T: Float>(
    inner: &Inner<T>,
    id: u32,
    adj: &mut [T],
    reached: &mut [bool],
) -> Result<()> {
    let n = inner.node(id);
    use Op::*;
    match n.op {
        Var | Const | Detach | StepMask | SignMask | RangeMask | IsZeroMask | MaxWeight | EqMask | GtMask
        | GeMask => {}
        Neg | Exp | Ln | Log1p | Sqrt | Sin | Cos | Tanh | Sigmoid | Softplus | Erf | Erfc | Expm1 | Sinh
        | Cosh | Atan | Asin | Acos | Lgamma | Digamma | Polygamma | Relu | Abs | Square | PowConst
        | Clamp | AddConst | SubConst | RSubConst | MulConst | DivConst | RDivConst => {
            unary::vjp(inner, n, adj, reached)
        }
        Add | Sub | Mul | Div | Pow | Atan2 | Maximum | Minimum | Masked => {
            binary::vjp(inner, n, adj, reached)
        }
        Select => binary::select_vjp(inner, n, adj, reached),
        SumTo => reduce::sum_to_vjp(inner, n, adj, reached),
        MaxAxis => reduce::max_axis_vjp(inner, n, adj, reached),
        BroadcastTo | Reshape | Permute | Slice | Pad | Concat | IndexSelect | ScatterRows | Unfold
        | Fold => layout::vjp(inner, n, adj, reached),
        MatMul => matmul::vjp(inner, n, adj, reached),
        MatMulAdd => matmul::vjp_add(inner, n, adj, reached),
        Custom => return crate::custom::vjp(inner, id, adj, reached),
    }
    Ok(())
}

/// The reverse step of node `id` written in tape ops: returns, per parent, the
/// contribution to its adjoint as a new variable (or `None` where no gradient flows).
pub(crate) fn vjp_graph<'t, T: Float>(out: Var<'t, T>, g: Var<'t, T>) -> Result<Contribs<'t, T>> {
    let n = out.tape.inner.borrow().node(out.id());
    use Op::*;
    Ok(match n.op {
        Var | Const | Detach | StepMask | SignMask | RangeMask | IsZeroMask | MaxWeight | EqMask | GtMask
        | GeMask => smallvec::SmallVec::new(),
        Neg | Exp | Ln | Log1p | Sqrt | Sin | Cos | Tanh | Sigmoid | Softplus | Erf | Erfc | Expm1 | Sinh
        | Cosh | Atan | Asin | Acos | Lgamma | Digamma | Polygamma | Relu | Abs | Square | PowConst
        | Clamp | AddConst | SubConst | RSubConst | MulConst | DivConst | RDivConst => {
            unary::vjp_graph(out, n, g)
        }
        Add | Sub | Mul | Div | Pow | Atan2 | Maximum | Minimum | Masked => binary::vjp_graph(out, n, g),
        Select => binary::select_vjp_graph(out, n, g),
        SumTo | MaxAxis => reduce::vjp_graph(out, n, g),
        BroadcastTo | Reshape | Permute | Slice | Pad | Concat | IndexSelect | ScatterRows | Unfold
        | Fold => layout::vjp_graph(out, n, g),
        MatMul => matmul::vjp_graph(out, n, g),
        MatMulAdd => matmul::vjp_add_graph(out, n, g),
        Custom => return crate::custom::vjp_graph(out, g),
    })
}

/// The parents of node `id` in operand order (repeats kept: `x · x` has `[x, x]`).
pub(crate) fn parents<T: Float>(inner: &Inner<T>, id: u32) -> smallvec::SmallVec<[u32; 4]> {
    let n = inner.nodes[id as usize];
    use Op::*;
    match n.op {
        Var | Const => smallvec::SmallVec::new(),
        Add | Sub | Mul | Div | Pow | Atan2 | Maximum | Minimum | Masked | MaxWeight | EqMask | GtMask
        | GeMask | MatMul => {
            smallvec::smallvec![n.a, n.b]
        }
        MatMulAdd => smallvec::smallvec![n.a, n.b, n.aux],
        // The condition last: its node is in `aux`, like matmul_add's term.
        Select => smallvec::smallvec![n.a, n.b, n.aux],
        Concat | Custom => {
            let a = n.aux as usize;
            inner.ints[a + 2..a + 2 + inner.ints[a + 1]].iter().map(|&p| p as u32).collect()
        }
        _ => smallvec::smallvec![n.a],
    }
}

/// The op name of node `id` as a reader knows it: a custom op's own name.
pub(crate) fn op_name<T: Float>(inner: &Inner<T>, id: u32) -> String {
    let n = inner.nodes[id as usize];
    if n.op == Op::Custom {
        inner.customs[inner.ints[n.aux as usize]].name().to_string()
    } else {
        n.op.name().to_string()
    }
}

/// How a parent takes a contribution in the numeric sweep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flow {
    /// No gradient flows into it.
    No,
    /// First contribution: write it (`=`); the slot holds stale values until then.
    Set,
    /// Later contribution: add it (`+=`).
    Add,
}

/// Whether and how gradients flow into parent `p`; marks it reached. The adjoint buffer
/// is not cleared between sweeps, so the first contribution a parent gets must overwrite
/// its slot ([`Flow::Set`]): one pass instead of zeroing and then adding.
#[inline]
pub(crate) fn flow<T: Float>(inner: &Inner<T>, p: u32, reached: &mut [bool]) -> Flow {
    if !inner.nodes[p as usize].grad {
        Flow::No
    } else if std::mem::replace(&mut reached[p as usize], true) {
        Flow::Add
    } else {
        Flow::Set
    }
}

/// Like [`flow`] for rules that only accumulate: returns whether gradients flow into
/// parent `p`, zeroing its adjoint on first contact. `adj` must cover `p`'s range from
/// index 0 (the whole buffer, or its part below the node).
#[inline]
pub(crate) fn flows<T: Float>(inner: &Inner<T>, p: u32, adj: &mut [T], reached: &mut [bool]) -> bool {
    match flow(inner, p, reached) {
        Flow::No => false,
        Flow::Add => true,
        Flow::Set => {
            adj[inner.adj_range(p)].fill(T::ZERO);
            true
        }
    }
}

/// `*d = v` for the first contribution, `*d += v` after (`SET` is [`Flow::Set`]). The
/// first write is `0 + v`, so results are bit for bit those of adding into a zeroed slot
/// (a contribution of −0 reads as 0).
#[inline(always)]
pub(crate) fn put<T: Float, const SET: bool>(d: &mut T, v: T) {
    if SET {
        *d = T::ZERO + v;
    } else {
        *d += v;
    }
}

/// The reverse step of a scalar unary or binary node (or a leaf, which has none), inlined
/// into the sweep loop. Returns false for any other node, which then goes through
/// [`vjp_numeric`].
#[inline(always)]
pub(crate) fn vjp_scalar<T: Float>(inner: &Inner<T>, id: u32, adj: &mut [T], reached: &mut [bool]) -> bool {
    let n = inner.nodes[id as usize];
    n.shape == crate::tape::SCALAR
        && scalar_step::<T, false>(&inner.nodes, &inner.values, &inner.consts, n, adj, reached)
}

/// The rule of scalar node `n`: one jump on the op code per node, each arm the rule of one
/// op with the op folded in. With `DENSE` (see [`sweep_dense`]) a parent's value and
/// adjoint sit at its index and every parent takes the contribution; otherwise the
/// parents' records give their offsets and only parents that take gradients are reached.
/// Returns false for an op it has no scalar rule for.
#[inline(always)]
fn scalar_step<T: Float, const DENSE: bool>(
    nodes: &[crate::tape::Node],
    vals: &[T],
    consts: &[T],
    n: crate::tape::Node,
    adj: &mut [T],
    reached: &mut [bool],
) -> bool {
    use Op::*;
    // The node's own value and adjoint (a node with a scalar rule is not a view).
    let o = n.adj();
    // (value offset, adjoint offset, takes a gradient) of a parent: apart for a view.
    let parent = |p: u32| {
        if DENSE {
            // Parents precede their node (the tape is in topological order); with every
            // buffer cut to one length (see `sweep_dense`) this one test bounds them all.
            // A dense tape has no views.
            if p as usize >= o {
                parent_after_node(p)
            }
            (p as usize, p as usize, true)
        } else {
            let pn = nodes[p as usize];
            (pn.val(), pn.adj(), pn.grad)
        }
    };
    macro_rules! binary {
        ($op:ident) => {{
            let ((av, aa, ag), (bv, ba, bg)) = (parent(n.a), parent(n.b));
            let (g, a, b, y) = (adj[o], vals[av], vals[bv], vals[o]);
            if ag {
                accumulate::<T, DENSE>(adj, reached, n.a, aa, binary::ga($op, g, a, b, y));
            }
            if bg {
                accumulate::<T, DENSE>(adj, reached, n.b, ba, binary::gb($op, g, a, b, y));
            }
        }};
    }
    macro_rules! unary {
        ($op:ident) => {{
            let (xv, xa, xg) = parent(n.a);
            if xg {
                let c = &consts[(n.aux as usize).min(consts.len())..];
                let gx = unary::gx($op, adj[o], vals[xv], vals[o], c);
                accumulate::<T, DENSE>(adj, reached, n.a, xa, gx);
            }
        }};
    }
    macro_rules! unary_call {
        () => {{
            let (xv, xa, xg) = parent(n.a);
            if xg {
                let c = &consts[(n.aux as usize).min(consts.len())..];
                let gx = gx_call(n.op, adj[o], vals[xv], vals[o], c);
                accumulate::<T, DENSE>(adj, reached, n.a, xa, gx);
            }
        }};
    }
    match n.op {
        Var | Const => {}
        Add => binary!(Add),
        Sub => binary!(Sub),
        Mul => binary!(Mul),
        Div => binary!(Div),
        Pow => binary!(Pow),
        Atan2 => binary!(Atan2),
        Maximum => binary!(Maximum),
        Minimum => binary!(Minimum),
        Masked => binary!(Masked),
        Neg => unary!(Neg),
        Exp => unary!(Exp),
        Ln => unary!(Ln),
        Log1p => unary!(Log1p),
        Sqrt => unary!(Sqrt),
        Tanh => unary!(Tanh),
        Sigmoid => unary!(Sigmoid),
        Expm1 => unary!(Expm1),
        Atan => unary!(Atan),
        // Rules that call a library function anyway: one outlined call (`gx_call`), so that
        // adding such an op does not grow the sweep's loop.
        Sin | Cos | Softplus | Erf | Erfc | Sinh | Cosh | Asin | Acos | Lgamma | Digamma | Polygamma
        | PowConst => unary_call!(),
        Relu => unary!(Relu),
        Abs => unary!(Abs),
        Square => unary!(Square),
        Clamp => unary!(Clamp),
        AddConst => unary!(AddConst),
        SubConst => unary!(SubConst),
        RSubConst => unary!(RSubConst),
        MulConst => unary!(MulConst),
        DivConst => unary!(DivConst),
        RDivConst => unary!(RDivConst),
        // Listed rather than `_`, so the jump table covers every op code and the dispatch
        // needs no range test.
        Detach | StepMask | SignMask | RangeMask | IsZeroMask | MaxWeight | EqMask | GtMask | GeMask
        | SumTo | MaxAxis | BroadcastTo | Reshape | Permute | Slice | Pad | Concat | IndexSelect
        | ScatterRows | Unfold | Fold | MatMul | MatMulAdd | Select | Custom => return false,
    }
    true
}

/// The numeric sweep of a dense tape (every node one element, at the offset equal to its
/// index; see `Inner::dense`) from scalar output `o`, whose adjoint is seeded and marked.
///
/// Same results as the general loop, with less bookkeeping per node: every buffer is cut
/// to the output's length once, so one test per parent (that it precedes the node) bounds
/// all its indices; the adjoints below the output are zeroed in one pass, so a
/// contribution is one `+=`; and a scalar node's parents' values and adjoints are at the
/// parents' indices, so their records are not read. Contributions then also reach parents that take no gradient (constants); those
/// are never processed (nodes without the flag are skipped), and their adjoints read as
/// zeros through `Grads`, which checks the flag.
pub(crate) fn sweep_dense<T: Float>(
    inner: &Inner<T>,
    o: usize,
    adj: &mut [T],
    reached: &mut [bool],
) -> crate::Result<()> {
    // One length for every buffer, so that indices below it need no further checks.
    let (nodes, vals) = (&inner.nodes[..=o], &inner.values[..=o]);
    let (adj, reached) = (&mut adj[..=o], &mut reached[..=o]);
    adj[..o].fill(T::ZERO);
    for i in (0..=o).rev() {
        let n = nodes[i];
        if !reached[i] {
            continue;
        }
        // Every node of a dense tape holds one element, so the scalar rules apply whatever
        // its shape ([] or [1], ...).
        if n.grad && !scalar_step::<T, true>(nodes, vals, &inner.consts, n, adj, reached) {
            vjp_numeric(inner, i as u32, adj, reached)?;
        }
    }
    Ok(())
}

/// [`unary::gx`] as a call, for the scalar sweeps' ops whose rule calls a library function
/// (sin, erf, lgamma, powf, ...) anyway: the call costs little beside it, and keeps those
/// rules out of the sweeps' loops, whose code grew with each op added (when every op was
/// inlined, `sweep_dense` was a quarter larger).
#[inline(never)]
fn gx_call<T: Float>(op: Op, g: T, x: T, y: T, c: &[T]) -> T {
    unary::gx(op, g, x, y, c)
}

#[cold]
#[inline(never)]
fn parent_after_node(p: u32) -> ! {
    panic!("tape bug: node v{p} is used as a parent before it is recorded")
}

/// Adds `v` to the scalar adjoint of node `p` (at `off`): with `DENSE` into adjoints zeroed
/// before the sweep, else setting it on first contact.
#[inline(always)]
fn accumulate<T: Float, const DENSE: bool>(adj: &mut [T], reached: &mut [bool], p: u32, off: usize, v: T) {
    if DENSE {
        adj[off] += v;
        reached[p as usize] = true;
    } else {
        let a = &mut adj[off];
        if std::mem::replace(&mut reached[p as usize], true) {
            put::<T, false>(a, v);
        } else {
            put::<T, true>(a, v);
        }
    }
}
