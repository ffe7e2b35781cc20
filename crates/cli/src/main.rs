//! The `wengert` command: differentiate an expression in reverse mode and show the tape.
//!
//! ```text
//! wengert grad "x*y + sin(x)" x=2 y=3            value, gradient, Wengert list, reverse sweep
//! wengert grad "x*y + sin(x)" x=2 y=3 --dot g.dot --html g.html
//! wengert check "x*y + sin(x)" x=2 y=3           gradient checker report
//! wengert check --taylor "x*y + sin(x)" x=2 y=3  and the Taylor remainder test
//! wengert hessian "x*y + sin(x)" x=2 y=3         second derivatives
//! ```

mod eval;
mod expr;
mod html;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use wengert_tape::gradcheck::{gradcheck, taylor_test, CheckOptions};
use wengert_tape::trace::{num, ReverseSweep, WengertList};
use wengert_tape::{NodeId, Tape, Tensor, Var};

use crate::expr::{caret, Expr, Span};

#[derive(Parser)]
#[command(
    name = "wengert",
    version,
    about = "Reverse-mode automatic differentiation of an expression, with the tape shown",
    after_help = "Expressions: numbers (2, 0.5, .5, 1e-3), variables, + - * / ^, unary - and +, parentheses,\n\
                  and exp ln (or log) log1p sqrt sin cos tanh sigmoid softplus erf erfc expm1\n\
                  sinh cosh atan asin acos lgamma digamma relu abs square.\n\
                  ^ binds tightest and groups to the right: -x^2 is -(x^2), 2^3^2 is 2^9.\n\
                  Give each variable a value as NAME=NUMBER, e.g. wengert grad \"x*y + sin(x)\" x=2 y=3"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the value, the gradient, the Wengert list and the reverse sweep.
    Grad {
        #[command(flatten)]
        problem: ProblemArgs,
        /// Also write the graph as Graphviz DOT, with values and adjoints.
        #[arg(long, value_name = "FILE")]
        dot: Option<PathBuf>,
        /// Also write one self-contained HTML page that steps through both sweeps.
        #[arg(long, value_name = "FILE")]
        html: Option<PathBuf>,
    },
    /// Compare the gradient with central finite differences and print the report.
    Check {
        #[command(flatten)]
        problem: ProblemArgs,
        /// Also run the Taylor remainder test: along a random direction, how fast
        /// f(x + hv) − f(x) − h⟨∇f, v⟩ shrinks as h halves (rate 2 if the gradient is right).
        #[arg(long)]
        taylor: bool,
    },
    /// Print the Hessian, computed by differentiating the recorded reverse sweep.
    Hessian {
        #[command(flatten)]
        problem: ProblemArgs,
    },
}

#[derive(clap::Args)]
struct ProblemArgs {
    /// The expression, e.g. "x*y + sin(x)" (quote it).
    #[arg(allow_hyphen_values = true)]
    expr: String,
    /// Values of the variables, as NAME=NUMBER.
    #[arg(value_name = "NAME=VALUE")]
    values: Vec<String>,
}

/// An error to print before exiting with status 1.
struct Failure(String);

type Outcome = Result<ExitCode, Failure>;

/// A parsed expression and the values of its variables.
struct Problem {
    src: String,
    expr: Expr,
    names: Vec<String>,
    values: Vec<f64>,
}

impl Problem {
    fn new(args: &ProblemArgs) -> Result<Problem, Failure> {
        let src = args.expr.clone();
        let len = src.chars().count();
        if len > MAX_EXPR_CHARS {
            return Err(Failure(format!(
                "error: the expression has {len} characters; at most {MAX_EXPR_CHARS} are accepted"
            )));
        }
        let expr = expr::parse(&src).map_err(|e| Failure(e.render(&src)))?;
        let mut names: Vec<String> = Vec::new();
        let mut values = Vec::new();
        for a in &args.values {
            let Some((name, value)) = a.split_once('=') else {
                return Err(Failure(format!("error: expected NAME=VALUE, got `{a}` (for example x=2)")));
            };
            let name = name.trim();
            if !expr::is_name(name) {
                return Err(Failure(format!("error: `{name}` in `{a}` is not a variable name")));
            }
            if expr::FUNCTIONS.contains(&name) {
                return Err(Failure(format!("error: `{name}` is a function, not a variable")));
            }
            if names.iter().any(|n| n == name) {
                return Err(Failure(format!("error: {name} is given twice")));
            }
            let value = value.trim();
            if value.is_empty() {
                return Err(Failure(format!("error: missing value for {name}: write {name}=<number>")));
            }
            let x: f64 = value
                .parse()
                .map_err(|_| Failure(format!("error: the value of {name}, `{value}`, is not a number")))?;
            if !x.is_finite() {
                return Err(Failure(format!("error: the value of {name} must be finite, not {value}")));
            }
            names.push(name.to_string());
            values.push(x);
        }
        let uses = expr.variables();
        let missing: Vec<&(&str, Span)> =
            uses.iter().filter(|(v, _)| !names.iter().any(|n| n == v)).collect();
        if let Some((first, span)) = missing.first() {
            let mut all: Vec<&str> = Vec::new();
            for (v, _) in &missing {
                if !all.contains(v) {
                    all.push(v);
                }
            }
            let hint: Vec<String> = all.iter().map(|v| format!("{v}=<number>")).collect();
            return Err(Failure(format!(
                "error: no value for the variable `{first}` (column {}): add {}\n{}",
                span.start + 1,
                hint.join(" "),
                caret(&src, *span)
            )));
        }
        for n in &names {
            if !uses.iter().any(|(v, _)| v == n) {
                eprintln!("note: {n} does not appear in the expression; its derivative is 0");
            }
        }
        Ok(Problem { src, expr, names, values })
    }

    /// Records the expression on `tape` with one input per variable; checks every value
    /// is finite.
    fn record<'t>(&self, tape: &'t Tape) -> Result<(Vec<Var<'t>>, eval::Recorded<'t>), Failure> {
        let vars: Vec<Var<'t>> = self.values.iter().map(|&x| tape.scalar(x)).collect();
        let rec = eval::record(tape, &self.expr, &self.names, &vars).map_err(|e| {
            Failure(format!(
                "error: this part of the expression is not finite ({}): a division by zero, a function \
                 outside its domain, or an overflow\n{}",
                e.value,
                caret(&self.src, e.span)
            ))
        })?;
        let list = self.list(tape, &vars, rec.output);
        if let Some(e) = list.entries().into_iter().find(|e| e.value.data().iter().any(|x| !x.is_finite())) {
            let cause = if e.op == "div" || e.op == "rdiv_const" || e.op == "div_const" {
                "a division by zero"
            } else {
                "a function outside its domain, or an overflow"
            };
            return Err(Failure(format!(
                "error: the value of {} = {} is {}, not finite ({cause})\n{}\nThe Wengert list up to there:\n{}",
                e.id,
                e.expr,
                list.format_value(&e.value),
                self.caret_for(&rec, e.id),
                list.to_string().lines().take(e.id.0 as usize + 1).collect::<Vec<_>>().join("\n")
            )));
        }
        Ok((vars, rec))
    }

    fn caret_for(&self, rec: &eval::Recorded<'_>, id: NodeId) -> String {
        match rec.spans.iter().find(|(n, _)| *n == id) {
            Some((_, span)) => caret(&self.src, *span),
            None => format!("  {}", self.src),
        }
    }

    fn list<'t>(&self, tape: &'t Tape, vars: &[Var<'t>], out: Var<'t>) -> WengertList<'t> {
        let mut list = WengertList::new(tape);
        for (v, n) in vars.iter().zip(&self.names) {
            list = list.name(*v, n);
        }
        if !vars.iter().any(|v| v.node() == out.node()) {
            list = list.name(out, "f");
        }
        list
    }

    /// `f(x, y) = x*y + sin(x)` and `at x = 2, y = 3`. The expression is shown on one line:
    /// each run of whitespace (line breaks and tabs too) as one space.
    fn header(&self) -> String {
        let at: Vec<String> =
            self.names.iter().zip(&self.values).map(|(n, v)| format!("{n} = {}", num(*v))).collect();
        let src = self.src.split_whitespace().collect::<Vec<_>>().join(" ");
        let mut s = format!("f({}) = {src}\n", self.names.join(", "));
        if !at.is_empty() {
            s.push_str(&format!("at {}\n", at.join(", ")));
        }
        s
    }
}

/// Fails on the first adjoint update that is not finite.
fn check_sweep(p: &Problem, rec: &eval::Recorded<'_>, sweep: &ReverseSweep) -> Result<(), Failure> {
    for step in &sweep.steps {
        for u in &step.updates {
            if u.adjoint.data().iter().any(|x| !x.is_finite()) {
                return Err(Failure(format!(
                    "error: the reverse sweep is not finite at v̄{} += {} = {}, pushed back from {} = {}\n{}\n\
                     (the derivative does not exist there, e.g. sqrt or ln at 0)",
                    u.target.0,
                    u.rule,
                    num(u.adjoint.data()[0]),
                    step.node,
                    step.expr,
                    p.caret_for(rec, step.node)
                )));
            }
        }
    }
    Ok(())
}

fn grad(args: &ProblemArgs, dot: Option<&PathBuf>, html_out: Option<&PathBuf>) -> Outcome {
    let p = Problem::new(args)?;
    let tape = Tape::new();
    let (vars, rec) = p.record(&tape)?;
    let f = rec.output;
    let list = p.list(&tape, &vars, f);
    let sweep = list.reverse_sweep(f).map_err(|e| Failure(format!("error: {e}")))?;
    check_sweep(&p, &rec, &sweep)?;
    let mut out = p.header();
    out.push_str(&format!("\nf = {}\n", num(f.item())));
    for (v, n) in vars.iter().zip(&p.names) {
        let g = sweep.gradient(*v).map(|t| t.item()).unwrap_or(0.0);
        out.push_str(&format!("∂f/∂{n} = {}\n", num(g)));
    }
    out.push_str("\nWengert list (the forward sweep records one node per operation):\n");
    out.push_str(&list.to_string());
    out.push_str("\nReverse sweep (v̄ = ∂f/∂v, pushed from the output back to the inputs):\n");
    out.push_str(&sweep.to_string());
    if let Some(path) = dot {
        write_file(path, &list.to_dot_with_sweep(&sweep))?;
        eprintln!("wrote {}", path.display());
    }
    if let Some(path) = html_out {
        write_file(path, &html::page(&p.header(), &list, &sweep))?;
        eprintln!("wrote {}", path.display());
    }
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

fn write_file(path: &PathBuf, text: &str) -> Result<(), Failure> {
    std::fs::write(path, text).map_err(|e| Failure(format!("error: cannot write {}: {e}", path.display())))
}

fn check(args: &ProblemArgs, taylor: bool) -> Outcome {
    let p = Problem::new(args)?;
    if p.names.is_empty() {
        return Err(Failure("error: the expression has no variables to check".into()));
    }
    // Record once to report non-finite values with their node before checking.
    let tape = Tape::new();
    p.record(&tape)?;
    let inputs: Vec<Tensor<f64>> = p.values.iter().map(|&x| Tensor::scalar(x)).collect();
    let names: Vec<&str> = p.names.iter().map(String::as_str).collect();
    let options = CheckOptions::default().with_names(&names);
    let f = wengert_tape::func_many(|xs: &[Var<'_>]| {
        let tape = xs[0].tape();
        eval::record(tape, &p.expr, &p.names, xs).expect("checked when first recorded").output
    });
    let report = gradcheck(f, &inputs, &options);
    print!("{}", p.header());
    println!();
    print!("{report}");
    let mut passed = report.passed();
    if taylor {
        let t = taylor_test(f, &inputs, &options);
        println!();
        print!("{t}");
        passed &= t.passed();
    }
    Ok(if passed { ExitCode::SUCCESS } else { ExitCode::FAILURE })
}

fn hessian(args: &ProblemArgs) -> Outcome {
    let p = Problem::new(args)?;
    if p.names.is_empty() {
        return Err(Failure("error: the expression has no variables to differentiate".into()));
    }
    let tape = Tape::new();
    let (vars, rec) = p.record(&tape)?;
    let f = rec.output;
    let n = vars.len();
    // The reverse sweep, recorded as tape ops: each ∂f/∂xᵢ is a node...
    let g = f.backward_graph();
    let mut grad = vec![0.0; n];
    let mut h = vec![vec![0.0; n]; n];
    for (i, &xi) in vars.iter().enumerate() {
        let Some(gi) = g.get(xi) else { continue };
        grad[i] = gi.item();
        // ...so differentiating it again gives row i of the Hessian.
        if gi.requires_grad() {
            let row = gi.backward();
            for (j, &xj) in vars.iter().enumerate() {
                h[i][j] = row.scalar(xj);
            }
        }
    }
    if let Some(i) = (0..n).find(|&i| !grad[i].is_finite()) {
        return Err(Failure(format!(
            "error: ∂f/∂{} = {} is not finite: the derivative does not exist there",
            p.names[i],
            num(grad[i])
        )));
    }
    if let Some((i, j)) =
        (0..n).flat_map(|i| (0..n).map(move |j| (i, j))).find(|&(i, j)| !h[i][j].is_finite())
    {
        return Err(Failure(format!(
            "error: ∂²f/∂{}∂{} = {} is not finite: the second derivative does not exist there",
            p.names[i],
            p.names[j],
            num(h[i][j])
        )));
    }
    let mut out = p.header();
    out.push_str(&format!("\nf = {}\n", num(f.item())));
    let gs: Vec<String> = grad.iter().map(|x| num(*x)).collect();
    out.push_str(&format!("gradient = [{}]\n", gs.join(", ")));
    out.push_str("\nHessian (row i is the gradient of ∂f/∂xᵢ, found by a reverse sweep over the recorded reverse sweep):\n");
    out.push_str(&matrix(&p.names, &h));
    out.push_str(&format!(
        "\nThe tape holds {} nodes: the function's, then its recorded reverse sweep.\n",
        tape.len()
    ));
    print!("{out}");
    Ok(ExitCode::SUCCESS)
}

/// A labelled matrix with aligned columns.
fn matrix(names: &[String], h: &[Vec<f64>]) -> String {
    let cells: Vec<Vec<String>> = h.iter().map(|r| r.iter().map(|x| num(*x)).collect()).collect();
    let label_w = names.iter().map(|n| n.chars().count()).max().unwrap_or(1);
    let col_w: Vec<usize> = (0..names.len())
        .map(|j| {
            cells.iter().map(|r| r[j].chars().count()).chain([names[j].chars().count()]).max().unwrap_or(1)
        })
        .collect();
    let mut s = format!("  {:label_w$}", "");
    for (j, n) in names.iter().enumerate() {
        s.push_str(&format!("  {n:>w$}", w = col_w[j]));
    }
    s.push('\n');
    for (i, r) in cells.iter().enumerate() {
        s.push_str(&format!("  {:label_w$}", names[i]));
        for (j, c) in r.iter().enumerate() {
            s.push_str(&format!("  {c:>w$}", w = col_w[j]));
        }
        s.push('\n');
    }
    s
}

/// The longest expression accepted, in characters.
const MAX_EXPR_CHARS: usize = 20_000;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Parsing and recording recurse over the expression tree: give them room.
    let worker = std::thread::Builder::new().stack_size(256 << 20).spawn(move || run(&cli));
    match worker.map(|w| w.join()) {
        Ok(Ok(code)) => code,
        _ => {
            eprintln!("error: internal failure (please report the command that caused it)");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: &Cli) -> ExitCode {
    let outcome = match &cli.command {
        Command::Grad { problem, dot, html } => grad(problem, dot.as_ref(), html.as_ref()),
        Command::Check { problem, taylor } => check(problem, *taylor),
        Command::Hessian { problem } => hessian(problem),
    };
    match outcome {
        Ok(code) => code,
        Err(Failure(msg)) => {
            eprintln!("{msg}");
            ExitCode::FAILURE
        }
    }
}
