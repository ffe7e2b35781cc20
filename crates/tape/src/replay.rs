//! Replays a single recorded op on new inputs (used to localise a faulty backward rule).
//!
//! [`spec`] copies out of a tape everything node `i` needs to be recorded again: its op
//! code, its constants (`powf` exponent, polygamma order, clamp bounds, `x + c`), its
//! integer parameters (axes, permutations, row indices), its output shape and, for a
//! custom op, the op itself. [`replay`] records the same op with the same parameters on other parent
//! variables, usually leaves of a fresh tape, so its backward rule can be checked alone.

use std::rc::Rc;

use crate::custom::CustomOp;
use crate::error::{Error, Result};
use crate::float::Float;
use crate::ops::{layout, matmul, reduce, unary, Op};
use crate::shape::Shape;
use crate::tape::Inner;
use crate::var::Var;

/// Everything needed to record node `id` again.
#[derive(Clone)]
pub(crate) struct NodeSpec<T: Float> {
    /// The node it was copied from.
    pub id: u32,
    /// Its op code.
    pub op: Op,
    /// Its parents, in argument order.
    pub parents: Vec<u32>,
    /// Op constants (unary ops with a constant).
    pub consts: Vec<T>,
    /// Integer parameters (layout ops, max_axis).
    pub ints: Vec<usize>,
    /// The output shape.
    pub out: Shape,
    /// The user op of a `Custom` node.
    pub custom: Option<Rc<dyn CustomOp<T>>>,
}

impl<T: Float> NodeSpec<T> {
    /// The op's name as a reader knows it: `custom \`my_op\`` for a custom op.
    pub fn display_name(&self) -> String {
        match &self.custom {
            Some(c) => format!("custom `{}`", c.name()),
            None => self.op.name().to_string(),
        }
    }

    /// True for nodes a backward rule runs through (not leaves, masks or detach).
    pub fn has_backward(&self) -> bool {
        !self.op.is_nondifferentiable()
    }

    /// The same op in another element type; `None` for a custom op, whose code is
    /// written for `T`.
    pub fn cast<U: Float>(&self) -> Option<NodeSpec<U>> {
        if self.custom.is_some() {
            return None;
        }
        Some(NodeSpec {
            id: self.id,
            op: self.op,
            parents: self.parents.clone(),
            consts: self.consts.iter().map(|c| U::from_f64(c.to_f64())).collect(),
            ints: self.ints.clone(),
            out: self.out.clone(),
            custom: None,
        })
    }
}

fn takes_consts(op: Op) -> usize {
    match op {
        Op::PowConst
        | Op::Polygamma
        | Op::AddConst
        | Op::SubConst
        | Op::RSubConst
        | Op::MulConst
        | Op::DivConst
        | Op::RDivConst => 1,
        Op::Clamp | Op::RangeMask => 2,
        _ => 0,
    }
}

/// Copies out what [`replay`] needs to record node `id` again.
pub(crate) fn spec<T: Float>(inner: &Inner<T>, id: u32) -> NodeSpec<T> {
    let n = inner.node(id);
    let a = n.aux as usize;
    let nc = takes_consts(n.op);
    let consts = if nc > 0 { inner.consts[a..a + nc].to_vec() } else { Vec::new() };
    let ints = match n.op {
        Op::MaxAxis | Op::Concat => vec![inner.ints[a]],
        Op::Permute => inner.ints[a..a + inner.dims(n.a).len()].to_vec(),
        Op::Slice | Op::Pad => inner.ints[a..a + 2].to_vec(),
        Op::IndexSelect | Op::ScatterRows => {
            let k = inner.ints[a];
            inner.ints[a + 1..a + 1 + k].to_vec()
        }
        Op::Unfold | Op::Fold => inner.ints[a..a + layout::WINDOW_INTS].to_vec(),
        _ => Vec::new(),
    };
    let custom = (n.op == Op::Custom).then(|| inner.customs[inner.ints[a]].clone());
    let parents = crate::ops::parents(inner, id).to_vec();
    NodeSpec { id, op: n.op, parents, consts, ints, out: inner.shape_of(id), custom }
}

/// Records the op of `s` on `parents` (same count and shapes as the original parents).
#[track_caller]
pub(crate) fn replay<'t, T: Float>(s: &NodeSpec<T>, parents: &[Var<'t, T>]) -> Result<Var<'t, T>> {
    if parents.len() != s.parents.len() || parents.is_empty() {
        return Err(Error::InvalidArgument {
            op: "replay",
            msg: format!(
                "{} (v{}) takes {} parents, {} given",
                s.display_name(),
                s.id,
                s.parents.len(),
                parents.len()
            ),
        });
    }
    let x = parents[0];
    let c = &s.consts;
    Ok(match s.op {
        Op::Var | Op::Const | Op::Detach => {
            return Err(Error::InvalidArgument {
                op: "replay",
                msg: format!("{} (v{}) is a leaf and has no rule to replay", s.op.name(), s.id),
            })
        }
        Op::Neg
        | Op::Exp
        | Op::Ln
        | Op::Log1p
        | Op::Sqrt
        | Op::Sin
        | Op::Cos
        | Op::Tanh
        | Op::Sigmoid
        | Op::Softplus
        | Op::Erf
        | Op::Erfc
        | Op::Expm1
        | Op::Sinh
        | Op::Cosh
        | Op::Atan
        | Op::Asin
        | Op::Acos
        | Op::Lgamma
        | Op::Digamma
        | Op::Polygamma
        | Op::Relu
        | Op::Abs
        | Op::Square
        | Op::PowConst
        | Op::Clamp
        | Op::AddConst
        | Op::SubConst
        | Op::RSubConst
        | Op::MulConst
        | Op::DivConst
        | Op::RDivConst
        | Op::StepMask
        | Op::SignMask
        | Op::RangeMask
        | Op::IsZeroMask => unary::record(s.op, x, c),
        Op::Add
        | Op::Sub
        | Op::Mul
        | Op::Div
        | Op::Pow
        | Op::Atan2
        | Op::Maximum
        | Op::Minimum
        | Op::Masked
        | Op::MaxWeight
        | Op::EqMask
        | Op::GtMask
        | Op::GeMask => x.try_binary(s.op, parents[1])?,
        Op::SumTo => reduce::sum_to("sum_to", x, &s.out)?,
        Op::MaxAxis => reduce::max_axis(x, s.ints[0])?,
        Op::BroadcastTo => layout::broadcast_to(x, &s.out)?,
        Op::Reshape => layout::reshape(x, &s.out)?,
        Op::Permute => layout::permute(x, &s.ints)?,
        Op::Slice => {
            let ax = s.ints[0];
            layout::slice(x, ax as isize, s.ints[1], s.out[ax])?
        }
        Op::Pad => {
            let ax = s.ints[0];
            layout::pad(x, ax as isize, s.ints[1], s.out[ax])?
        }
        Op::Concat => layout::concat(parents, s.ints[0] as isize)?,
        Op::IndexSelect => layout::index_select(x, &s.ints)?,
        Op::ScatterRows => layout::scatter_rows(x, &s.ints, s.out[0])?,
        Op::Unfold => layout::unfold2d(x, layout::Window2d::from_ints(&s.ints))?,
        Op::Fold => layout::fold2d(x, [s.out[2], s.out[3]], layout::Window2d::from_ints(&s.ints))?,
        Op::MatMul => matmul::matmul(x, parents[1])?,
        Op::MatMulAdd => matmul::matmul_add(x, parents[1], parents[2])?,
        Op::Select => parents[2].try_select(x, parents[1])?,
        Op::Custom => {
            let op = s.custom.clone().expect("replay: custom node without its op");
            crate::custom::record(op, parents)?
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Tape, Tensor};

    /// Every op replayed on copies of its parents gives the recorded value.
    #[test]
    fn replay_reproduces_every_node() {
        let t = Tape::<f64>::new();
        let x = t.var(&Tensor::from([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]]));
        let w = t.var(&Tensor::from([[1.0, 2.0], [0.5, -1.0], [0.25, 3.0]]));
        let b = t.var(&Tensor::from([0.1, -0.2]));
        let h = (x.matmul(w) + b).tanh() + x.matmul_add(w, b);
        let z = Var::concat(&[h, h.relu()], 1).permute(&[1, 0]);
        let z = z.slice(0, 1, 2).pad(1, 1, 4).index_select(&[1, 0, 1]).scatter_rows(&[2, 0, 1], 3);
        let win = crate::Window2d::new([2, 1]).padding([1, 0]).stride([1, 2]);
        let z = z.reshape(&[1, 1, 3, 4]).unfold2d(win).fold2d([3, 4], win).reshape(&[3, 4]);
        let z = (z.clamp(-0.5, 0.5) + x.sum().powf(2.0)).max_axis(1, true).abs();
        let y = (z.softplus() * 2.0 - z.sigmoid().ln()).maximum(z).sum();
        let n = t.len() as u32;
        assert_eq!(y.node().0 + 1, n);
        for id in 0..n {
            let s = spec(&t.inner.borrow(), id);
            if matches!(s.op, Op::Var | Op::Const | Op::Detach) {
                continue;
            }
            let vals: Vec<Tensor<f64>> = s.parents.iter().map(|&p| Var::new(&t, p).value()).collect();
            let fresh = Tape::<f64>::new();
            let ps: Vec<Var<'_, f64>> = vals.iter().map(|v| fresh.var(v)).collect();
            let r = replay(&s, &ps).unwrap();
            assert_eq!(r.value(), Var::new(&t, id).value(), "node v{id} ({})", s.display_name());
        }
    }
}
