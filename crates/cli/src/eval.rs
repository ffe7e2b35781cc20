//! Recording a parsed expression on a tape.
//!
//! Arithmetic between two numbers is folded (`2*3` is 6); a number next to a variable
//! becomes an op with a constant (`x * 2` is one `v0 · 2` node); a function of a number
//! puts the number on the tape as a constant, so the engine computes it.

use wengert_tape::{NodeId, Tape, Var};

use crate::expr::{BinOp, Expr, Span};

/// A value during recording: a plain number, or a node.
#[derive(Clone, Copy)]
enum Val<'t> {
    Num(f64),
    Node(Var<'t>),
}

/// The expression recorded on a tape, with the source span of each node it made.
pub struct Recorded<'t> {
    /// The output node.
    pub output: Var<'t>,
    /// (node, the columns of the sub-expression that made it), in tape order.
    pub spans: Vec<(NodeId, Span)>,
}

/// A folded constant that is not finite (`1/0`).
#[derive(Debug)]
pub struct FoldError {
    pub span: Span,
    pub value: f64,
}

/// Records `e` on `tape`, with `vars[i]` the value of the variable `names[i]`. Every
/// variable of `e` must be in `names` (checked before).
pub fn record<'t>(
    tape: &'t Tape,
    e: &Expr,
    names: &[String],
    vars: &[Var<'t>],
) -> Result<Recorded<'t>, FoldError> {
    let mut spans = Vec::new();
    let out = match go(tape, e, names, vars, &mut spans)? {
        Val::Node(v) => v,
        Val::Num(x) => {
            let v = tape.scalar_constant(x);
            spans.push((v.node(), e.span()));
            v
        }
    };
    spans.sort_by_key(|(n, _)| *n);
    Ok(Recorded { output: out, spans })
}

fn go<'t>(
    tape: &'t Tape,
    e: &Expr,
    names: &[String],
    vars: &[Var<'t>],
    spans: &mut Vec<(NodeId, Span)>,
) -> Result<Val<'t>, FoldError> {
    // The first node this expression makes itself (after its sub-expressions').
    let mut own = tape.len();
    let folded =
        |x: f64, span: Span| if x.is_finite() { Ok(Val::Num(x)) } else { Err(FoldError { span, value: x }) };
    let val = match e {
        Expr::Num(x, s) => folded(*x, *s)?,
        Expr::Var(name, _) => {
            let i = names.iter().position(|n| n == name).expect("variables are checked before recording");
            Val::Node(vars[i])
        }
        Expr::Neg(a, s) => {
            let a = go(tape, a, names, vars, spans)?;
            own = tape.len();
            match a {
                Val::Num(x) => folded(-x, *s)?,
                Val::Node(v) => Val::Node(-v),
            }
        }
        Expr::Call(f, a, _) => {
            let a = go(tape, a, names, vars, spans)?;
            own = tape.len();
            let v = match a {
                Val::Num(x) => tape.scalar_constant(x),
                Val::Node(v) => v,
            };
            Val::Node(match *f {
                "exp" => v.exp(),
                "ln" | "log" => v.ln(),
                "log1p" => v.log1p(),
                "sqrt" => v.sqrt(),
                "sin" => v.sin(),
                "cos" => v.cos(),
                "tanh" => v.tanh(),
                "sigmoid" => v.sigmoid(),
                "softplus" => v.softplus(),
                "erf" => v.erf(),
                "erfc" => v.erfc(),
                "expm1" => v.expm1(),
                "sinh" => v.sinh(),
                "cosh" => v.cosh(),
                "atan" => v.atan(),
                "asin" => v.asin(),
                "acos" => v.acos(),
                "lgamma" => v.lgamma(),
                "digamma" => v.digamma(),
                "relu" => v.relu(),
                "abs" => v.abs(),
                "square" => v.square(),
                other => unreachable!("the parser accepts only known functions, not {other}"),
            })
        }
        Expr::Bin(op, a, b, s) => {
            let (a, b) = (go(tape, a, names, vars, spans)?, go(tape, b, names, vars, spans)?);
            own = tape.len();
            match (a, b) {
                (Val::Num(x), Val::Num(y)) => folded(
                    match op {
                        BinOp::Add => x + y,
                        BinOp::Sub => x - y,
                        BinOp::Mul => x * y,
                        BinOp::Div => x / y,
                        BinOp::Pow => x.powf(y),
                    },
                    *s,
                )?,
                (Val::Node(x), Val::Num(c)) => Val::Node(match op {
                    BinOp::Add => x + c,
                    BinOp::Sub => x - c,
                    BinOp::Mul => x * c,
                    BinOp::Div => x / c,
                    BinOp::Pow => x.powf(c),
                }),
                (Val::Num(c), Val::Node(y)) => Val::Node(match op {
                    BinOp::Add => c + y,
                    BinOp::Sub => c - y,
                    BinOp::Mul => c * y,
                    BinOp::Div => c / y,
                    BinOp::Pow => tape.scalar_constant(c).pow(y),
                }),
                (Val::Node(x), Val::Node(y)) => Val::Node(match op {
                    BinOp::Add => x + y,
                    BinOp::Sub => x - y,
                    BinOp::Mul => x * y,
                    BinOp::Div => x / y,
                    BinOp::Pow => x.pow(y),
                }),
            }
        }
    };
    for id in own..tape.len() {
        spans.push((NodeId(id as u32), e.span()));
    }
    Ok(val)
}
