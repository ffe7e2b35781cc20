//! The printed tape: exact text of the Wengert list and of the reverse sweep, agreement of
//! the replayed sweep with the engine's numbers, Graphviz output, and the tutorial's
//! printouts (docs/tutorial.md), which must match what this code prints today.

use std::path::PathBuf;
use std::process::{Command, Stdio};

use std::rc::Rc;
use wengert_tape::trace::{NodeKind, WengertList};

use wengert_tape::gradcheck::{taylor_test, CheckOptions};
use wengert_tape::{func_many, CustomOp, Result, Tape, Tensor, Var};

/// sin with a classic slip in its reverse rule: sin x instead of cos x.
struct SinSlip;
impl CustomOp<f64> for SinSlip {
    fn name(&self) -> &str {
        "sin_slip"
    }
    fn forward(&self, x: &[&Tensor]) -> Result<Tensor> {
        Ok(x[0].map(f64::sin))
    }
    fn vjp(&self, x: &[&Tensor], _y: &Tensor, g: &Tensor) -> Vec<Tensor> {
        vec![Tensor::from_fn(x[0].shape(), |i| x[0].data()[i].sin() * g.data()[i])]
    }
    fn vjp_graph<'t>(&self, x: &[Var<'t>], _y: Var<'t>, g: Var<'t>) -> Option<Vec<Var<'t>>> {
        Some(vec![g * x[0].sin()])
    }
}

/// f(x, y) = x·y + sin x at (2, 3).
fn f_xy(tape: &Tape) -> (Var<'_>, Var<'_>, Var<'_>) {
    let x = tape.scalar(2.0);
    let y = tape.scalar(3.0);
    let f = x * y + x.sin();
    (x, y, f)
}

#[test]
fn wengert_list_of_x_times_y_plus_sin_x() {
    let tape = Tape::new();
    let (x, y, f) = f_xy(&tape);
    let list = WengertList::new(&tape).name(x, "x").name(y, "y").name(f, "f");
    assert_eq!(
        list.to_string(),
        "\
v0 = x (input)  = 2
v1 = y (input)  = 3
v2 = v0 · v1    = 6
v3 = sin(v0)    = 0.9092974268256817
v4 = v2 + v3    = 6.909297426825682  (f)
"
    );
    // Without names, through the tape's Display.
    assert_eq!(
        tape.to_string(),
        "\
v0 = input    = 2
v1 = input    = 3
v2 = v0 · v1  = 6
v3 = sin(v0)  = 0.9092974268256817
v4 = v2 + v3  = 6.909297426825682
"
    );
}

#[test]
fn reverse_sweep_of_x_times_y_plus_sin_x() {
    let tape = Tape::new();
    let (x, y, f) = f_xy(&tape);
    let list = WengertList::new(&tape).name(x, "x").name(y, "y").name(f, "f");
    let sweep = list.reverse_sweep(f).unwrap();
    assert_eq!(
        sweep.to_string(),
        "\
v̄4 = 1              (seed)
v̄2 += v̄4            = 1
v̄3 += v̄4            = 1
v̄0 += v̄3 · cos(v0)  = -0.4161468365471424
v̄0 += v̄2 · v1       = 2.5838531634528574
v̄1 += v̄2 · v0       = 2
gradients:
  ∂f/∂x = v̄0  = 2.5838531634528574
  ∂f/∂y = v̄1  = 2
"
    );
    // The hand-derived gradient: ∂f/∂x = y + cos x, ∂f/∂y = x.
    assert_eq!(sweep.gradient(x).unwrap().item(), 3.0 + 2f64.cos());
    assert_eq!(sweep.gradient(y).unwrap().item(), 2.0);
}

#[test]
fn broadcasting_expression_prints_the_summed_back_gradients() {
    let tape = Tape::new();
    let a = tape.var(&Tensor::from([[1.0], [2.0]])); // [2, 1]
    let b = tape.var(&Tensor::from([10.0, 20.0, 30.0])); // [3]
    let s = (a + b).sum();
    let list = WengertList::new(&tape).name(a, "a").name(b, "b").name(s, "s");
    assert_eq!(
        list.to_string(),
        "\
v0 = a (input)                 = [2, 1] [1, 2]
v1 = b (input)                 = [3] [10, 20, 30]
v2 = broadcast_to(v0, [2, 3])  = [2, 3] [1, 1, 1, 2, 2, 2]
v3 = broadcast_to(v1, [2, 3])  = [2, 3] [10, 20, 30, 10, 20, 30]
v4 = v2 + v3                   = [2, 3] [11, 21, 31, 12, 22, 32]
v5 = sum(v4)                   = 129  (s)
"
    );
    assert_eq!(
        list.reverse_sweep(s).unwrap().to_string(),
        "\
v̄5 = 1                          (seed)
v̄4 += broadcast_to(v̄5, [2, 3])  = [2, 3] [1, 1, 1, 1, 1, 1]
v̄2 += v̄4                        = [2, 3] [1, 1, 1, 1, 1, 1]
v̄3 += v̄4                        = [2, 3] [1, 1, 1, 1, 1, 1]
v̄1 += sum_to(v̄3, [3])           = [3] [2, 2, 2]
v̄0 += sum_to(v̄2, [2, 1])        = [2, 1] [3, 3]
gradients:
  ∂s/∂a = v̄0  = [2, 1] [3, 3]
  ∂s/∂b = v̄1  = [3] [2, 2, 2]
"
    );
}

#[test]
fn long_tensors_are_previewed() {
    let tape = Tape::new();
    let x = tape.var(&Tensor::from_fn(&[2, 5], |i| i as f64));
    let _ = x.exp().sum();
    let text = WengertList::new(&tape).preview(3).to_string();
    assert!(text.starts_with("v0 = input    = [2, 5] [0, 1, 2, …]\n"), "{text}");
    assert!(text.contains("v1 = exp(v0)  = [2, 5] [1, 2.718281828459045, 7.38905609893065, …]"), "{text}");
}

/// Every adjoint the replay reports equals the engine's, for an expression that uses
/// scalar and tensor paths, fan-out, broadcasting, reductions, layout ops and matmul.
#[test]
fn replayed_sweep_matches_the_engine_node_by_node() {
    let tape = Tape::new();
    let w = tape.var(&Tensor::from([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])); // [2, 3]
    let x = tape.var(&Tensor::from([[1.0], [2.0], [-1.0]])); // [3, 1]
    let c = tape.scalar(0.7);
    let k = tape.constant(&Tensor::from([1.0, 2.0]));
    let h = w.matmul(x).reshape(&[2]) + w.matmul_add(x, c).reshape(&[2]) * 0.5; // [2]
    let z = (h * c).tanh() + h.sigmoid() * k - (h / 3.0).exp().ln();
    let z = Var::concat(&[z, h.square(), h.abs()], 0); // [6]
    let z = z.slice(0, 1, 4).powf(3.0) + z.slice(0, 0, 4).relu().clamp(0.0, 5.0) * c;
    let m = z.reshape(&[2, 2]).transpose().max_axis(1, false); // [2]
    let loss = m.sum() * c + z.mean() - c.rdiv(1.0) + c * c;
    let grads = loss.backward();
    let list = WengertList::new(&tape);
    let sweep = list.reverse_sweep(loss).unwrap();
    let mut checked = 0;
    // The last update of each node is its final adjoint, which the engine keeps.
    let mut last = std::collections::HashMap::new();
    for u in sweep.updates() {
        last.insert(u.target, u.adjoint.clone());
    }
    for (id, adj) in &last {
        let v = tape.get(*id).unwrap();
        assert_eq!(adj.data(), &grads[v], "adjoint of {id}");
        checked += 1;
    }
    assert!(checked > 20, "only {checked} nodes checked");
    for v in [w, x, c] {
        assert_eq!(sweep.gradient(v).unwrap().data(), &grads[v]);
    }
    // The constant gets no update and no gradient line.
    assert!(sweep.updates().all(|u| u.target != k.node()));
    assert!(sweep.gradient(k).is_none());
    // Every node prints, and the printout names each op it used.
    let text = list.to_string();
    for op in
        ["matmul(v0, v1)", "reshape(", "tanh(", "sigmoid(", "concat([", "slice(", "^3", "relu(", "clamp("]
    {
        assert!(text.contains(op), "missing {op} in\n{text}");
    }
    for op in ["max_axis(", "permute(", "1 / v2", "square(", "abs(", "v2 · v2", "matmul(v0, v1) + v2"] {
        assert!(text.contains(op), "missing {op} in\n{text}");
    }
    // Reshapes and one-block slices read their input in place, and say so.
    for view in ["reshape(v4, [2]) (view)", "slice(v22, axis 0, 1..5) (view)", "reshape(v30, [2, 2]) (view)"]
    {
        assert!(text.contains(view), "missing {view} in\n{text}");
    }
    let sweep_text = sweep.to_string();
    for rule in ["matmul(", "ᵀ", "pad(", "permute(", "#ties", "slice(", "sum_to("] {
        assert!(sweep_text.contains(rule), "missing {rule} in\n{sweep_text}");
    }
}

#[test]
fn fan_out_is_one_update_with_both_contributions() {
    let tape = Tape::new();
    let x = tape.scalar(3.0);
    let y = x * x;
    let s = WengertList::new(&tape).reverse_sweep(y).unwrap();
    assert_eq!(s.steps.len(), 1);
    assert_eq!(s.steps[0].updates[0].rule, "v̄1 · v0 + v̄1 · v0");
    assert_eq!(s.steps[0].updates[0].adjoint.item(), 6.0);
}

#[test]
fn unreached_inputs_get_zero_and_a_note() {
    let tape = Tape::new();
    let x = tape.scalar(1.0);
    let y = tape.scalar(2.0);
    let f = x.exp();
    let s = WengertList::new(&tape).name(y, "y").reverse_sweep(f).unwrap();
    assert!(s.to_string().contains("∂v2/∂y = v̄1   = 0  (not reached)"), "{s}");
    assert_eq!(s.gradient(y).unwrap().item(), 0.0);
}

#[test]
fn custom_ops_print_by_name() {
    struct Cube;
    impl wengert_tape::CustomOp<f64> for Cube {
        fn name(&self) -> &str {
            "cube"
        }
        fn forward(&self, x: &[&Tensor<f64>]) -> wengert_tape::Result<Tensor<f64>> {
            Ok(x[0].map(|v| v * v * v))
        }
        fn vjp(&self, x: &[&Tensor<f64>], _y: &Tensor<f64>, g: &Tensor<f64>) -> Vec<Tensor<f64>> {
            vec![Tensor::from_fn(x[0].shape(), |i| 3.0 * x[0].data()[i].powi(2) * g.data()[i])]
        }
    }
    let tape = Tape::new();
    let x = tape.scalar(2.0);
    let y = tape.custom(std::rc::Rc::new(Cube), &[x]).unwrap();
    let list = WengertList::new(&tape);
    assert_eq!(list.to_string(), "v0 = input     = 2\nv1 = cube(v0)  = 8\n");
    let s = list.reverse_sweep(y).unwrap();
    assert_eq!(s.steps[0].updates[0].rule, "cube.vjp(v̄1)[0]");
    assert_eq!(s.gradient(x).unwrap().item(), 12.0);
    let e = &list.entries()[1];
    assert_eq!((e.op.as_str(), e.kind, e.parents.clone()), ("cube", NodeKind::Op, vec![x.node()]));
}

#[test]
fn sweep_errors_are_values_not_panics() {
    let tape = Tape::new();
    let x = tape.var(&Tensor::from([1.0, 2.0]));
    let err = WengertList::new(&tape).reverse_sweep(x.exp()).unwrap_err();
    assert!(err.to_string().contains("v1"), "{err}");
    let other = Tape::new();
    let y = other.scalar(1.0);
    assert!(WengertList::new(&tape).reverse_sweep(y).is_err());
}

fn dot_available() -> bool {
    Command::new("dot").arg("-V").stderr(Stdio::null()).status().map(|s| s.success()).unwrap_or(false)
}

/// Runs `dot -Tsvg` on the text; returns the SVG.
fn render_with_dot(text: &str) -> String {
    use std::io::Write;
    let mut child = Command::new("dot")
        .arg("-Tsvg")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(text.as_bytes()).unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success(), "dot rejected:\n{text}\n{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "dot warned:\n{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn dot_has_data_and_grad_records() {
    let tape = Tape::new();
    let (x, y, f) = f_xy(&tape);
    let list = WengertList::new(&tape).name(x, "x").name(y, "y").name(f, "f");
    let before = list.to_dot();
    assert!(before.contains("v2 [label=\"v2 | v0 · v1 | data 6\"];"), "{before}");
    assert!(!before.contains("grad"));
    let after = list.to_dot_with_grads(&f.backward());
    assert!(after.contains("v1 [label=\"v1 (y) | input | data 3 | grad 2\""), "{after}");
    let replayed = list.to_dot_with_sweep(&list.reverse_sweep(f).unwrap());
    assert_eq!(after, replayed);
    for edge in ["v0 -> v2;", "v1 -> v2;", "v0 -> v3;", "v2 -> v4;", "v3 -> v4;"] {
        assert!(after.contains(edge), "{edge}");
    }
    // Record-label metacharacters in values and shapes are escaped.
    let tape = Tape::new();
    let a = tape.var(&Tensor::from([[1.0], [2.0]]));
    let s = (a * tape.constant(&Tensor::from([1.0, -2.0]))).sum();
    let dot = WengertList::new(&tape).name(a, "a<|>").to_dot_with_grads(&s.backward());
    assert!(dot.contains("v0 (a\\<\\|\\>)"), "{dot}");
    assert!(dot.contains("grad –"), "constant shows no gradient: {dot}");
}

#[test]
fn dot_output_parses_with_graphviz() {
    if !dot_available() {
        eprintln!("note: graphviz `dot` is not installed; skipping the DOT parse check");
        return;
    }
    let tape = Tape::new();
    let (x, y, f) = f_xy(&tape);
    let list = WengertList::new(&tape).name(x, "x").name(y, "y").name(f, "f");
    let svg = render_with_dot(&list.to_dot_with_grads(&f.backward()));
    assert!(svg.contains("<svg") && svg.contains("grad 2.5838531634528574"), "{svg}");
    let tape = Tape::new();
    let a = tape.var(&Tensor::from([[1.0], [2.0]]));
    let b = tape.var(&Tensor::from([10.0, 20.0, 30.0]));
    let s = (a + b).sum();
    let svg = render_with_dot(&WengertList::new(&tape).name(a, "a").to_dot_with_grads(&s.backward()));
    assert!(svg.contains("broadcast_to(v0, [2, 3])"), "{svg}");
}

// ---------------------------------------------------------------------------------------
// The tutorial's printouts. Each fenced block of docs/tutorial.md tagged ```text id=NAME
// is regenerated here and compared; run with WENGERT_BLESS=1 to rewrite the blocks.

/// The printouts of docs/tutorial.md, by block id.
fn tutorial_blocks() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();

    // 1. f(x, y) = x·y + sin x.
    let tape = Tape::new();
    let (x, y, f) = f_xy(&tape);
    let list = WengertList::new(&tape).name(x, "x").name(y, "y").name(f, "f");
    out.push(("f-list", list.to_string()));
    out.push(("f-sweep", list.reverse_sweep(f).unwrap().to_string()));
    out.push(("f-dot", list.to_dot_with_grads(&f.backward())));

    // 2. Cost: nodes recorded by the forward pass and by the reverse sweep (as tape ops).
    let mut cost = String::from("inputs  forward nodes  reverse-sweep nodes  ratio\n");
    for n in [1usize, 10, 100, 1000] {
        let tape = Tape::new();
        let xs: Vec<Var> = (0..n).map(|i| tape.scalar(0.1 * i as f64)).collect();
        let mut acc = xs[0].sin();
        for i in 1..n {
            acc += xs[i].sin() * xs[i - 1];
        }
        let fwd = tape.len() - n;
        let before = tape.len();
        let g = acc.backward_graph();
        let _ = g.wrt(xs[0]);
        let rev = tape.len() - before;
        cost.push_str(&format!("{n:>6}  {fwd:>13}  {rev:>19}  {:>5.2}\n", rev as f64 / fwd as f64));
    }
    out.push(("cost", cost));

    // 3. Broadcasting.
    let tape = Tape::new();
    let a = tape.var(&Tensor::from([[1.0], [2.0]]));
    let b = tape.var(&Tensor::from([10.0, 20.0, 30.0]));
    let s = (a * b).sum();
    let list = WengertList::new(&tape).name(a, "a").name(b, "b").name(s, "s");
    out.push(("bcast-list", list.to_string()));
    out.push(("bcast-sweep", list.reverse_sweep(s).unwrap().to_string()));

    // 4. Logistic regression on a 2-example batch, BCE composed from tape ops, one SGD step.
    let xdata = Tensor::from([[0.5, -1.0], [1.5, 2.0]]);
    let ydata = Tensor::from([[1.0], [0.0]]);
    let mut wv = Tensor::from([[0.3], [-0.2]]);
    let mut bv = Tensor::scalar(0.1);
    let lr = 0.5;
    let mut sgd = String::new();
    for step in 0..2 {
        let tape = Tape::<f64>::new();
        let xb = tape.constant(&xdata);
        let yb = tape.constant(&ydata);
        let w = tape.var(&wv);
        let b = tape.var(&bv);
        let z = xb.matmul(w) + b; // z = Xw + b
        let p = z.sigmoid(); // p = σ(z)
        let l = -(yb * p.ln() + (1.0 - yb) * (1.0 - p).ln()).mean(); // BCE
        let list = WengertList::new(&tape).name(xb, "X").name(yb, "y").name(w, "w").name(b, "b").name(l, "L");
        let sweep = list.reverse_sweep(l).unwrap();
        if step == 0 {
            out.push(("logreg-list", list.to_string()));
            out.push(("logreg-sweep", sweep.to_string()));
        }
        let gw = sweep.gradient(w).unwrap().clone();
        let gb = sweep.gradient(b).unwrap().item();
        sgd.push_str(&format!("step {step}: L = {}\n", l.item()));
        wv =
            Tensor::new(&[2, 1], wv.data().iter().zip(gw.data()).map(|(w, g)| w - lr * g).collect()).unwrap();
        bv = Tensor::scalar(bv.item() - lr * gb);
        sgd.push_str(&format!(
            "  w ← w − {lr}·∂L/∂w = {:?}\n  b ← b − {lr}·∂L/∂b = {}\n",
            wv.data(),
            bv.item()
        ));
    }
    let tape = Tape::<f64>::new();
    let z = tape.constant(&xdata).matmul(tape.var(&wv)) + tape.var(&bv);
    let p = z.sigmoid();
    let yb = tape.constant(&ydata);
    let l = -(yb * p.ln() + (1.0 - yb) * (1.0 - p).ln()).mean();
    sgd.push_str(&format!("after 2 steps: L = {}\n", l.item()));
    out.push(("logreg-sgd", sgd));

    // 5. Higher order: the reverse sweep recorded as tape ops, then differentiated again.
    let tape = Tape::new();
    let x = tape.scalar(2.0);
    let y = x * x * x;
    let dy = y.backward_graph().wrt(x);
    let list = WengertList::new(&tape).name(x, "x").name(y, "y").name(dy, "dy");
    out.push(("higher-list", list.to_string()));
    out.push(("higher-sweep", list.reverse_sweep(dy).unwrap().to_string()));

    // 6. A branch: √x where x > 0, else 0; then with the input selected too.
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from([-1.0, 0.0, 4.0]));
    let zero = tape.scalar_constant(0.0);
    let pos = x.step_mask();
    let f = pos.select(x.sqrt(), zero).sum();
    let list = WengertList::new(&tape).name(x, "x").name(f, "f");
    out.push(("select-list", list.to_string()));
    out.push(("select-sweep", list.reverse_sweep(f).unwrap().to_string()));
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from([-1.0, 0.0, 4.0]));
    let (zero, one) = (tape.scalar_constant(0.0), tape.scalar_constant(1.0));
    let pos = x.step_mask();
    let f = pos.select(pos.select(x, one).sqrt(), zero).sum();
    let list = WengertList::new(&tape).name(x, "x").name(f, "f");
    out.push(("select-safe-list", list.to_string()));
    out.push(("select-safe-sweep", list.reverse_sweep(f).unwrap().to_string()));
    // 8. Is the gradient right? The Taylor remainder of f, and of f with a slip in sin's
    // reverse rule (sin instead of cos).
    let xs = [Tensor::from(2.0), Tensor::from(3.0)];
    let o = CheckOptions::default().with_names(&["x", "y"]);
    out.push(("taylor-right", taylor_test(|v| v[0] * v[1] + v[0].sin(), &xs, &o).to_string()));
    let slip = func_many(|v| v[0] * v[1] + v[0].tape().custom(Rc::new(SinSlip), &[v[0]]).unwrap());
    out.push(("taylor-wrong", taylor_test(slip, &xs, &o).to_string()));
    out
}

fn tutorial_path() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../docs/tutorial.md")
}

/// The `(id, body, body byte range)` of each ```text id=… block.
fn tagged_blocks(doc: &str) -> Vec<(String, String, std::ops::Range<usize>)> {
    let mut blocks = Vec::new();
    let mut pos = 0;
    while let Some(i) = doc[pos..].find("```text id=") {
        let start = pos + i;
        let line_end = start + doc[start..].find('\n').expect("unterminated fence line");
        let id = doc[start + "```text id=".len()..line_end].trim().to_string();
        let body_start = line_end + 1;
        let close = body_start + doc[body_start..].find("```").expect("unterminated block");
        blocks.push((id, doc[body_start..close].to_string(), body_start..close));
        pos = close + 3;
    }
    blocks
}

#[test]
fn tutorial_printouts_match_the_code() {
    let path = tutorial_path();
    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let expected = tutorial_blocks();
    let found = tagged_blocks(&doc);
    if std::env::var_os("WENGERT_BLESS").is_some() {
        let mut new = doc.clone();
        for (id, _, range) in found.iter().rev() {
            if let Some((_, text)) = expected.iter().find(|(e, _)| e == id) {
                new.replace_range(range.clone(), text);
            }
        }
        std::fs::write(&path, new).unwrap();
        return;
    }
    let mut problems = Vec::new();
    for (id, text) in &expected {
        match found.iter().find(|(f, _, _)| f == id) {
            None => problems.push(format!("no ```text id={id} block in the tutorial")),
            Some((_, body, _)) if body != text => problems.push(format!(
                "block {id} differs from the code's output:\n--- tutorial\n{body}--- code\n{text}"
            )),
            Some(_) => {}
        }
    }
    for (id, _, _) in &found {
        if !id.starts_with("cli-") && !expected.iter().any(|(e, _)| e == id) {
            problems.push(format!("block {id} in the tutorial is generated by nothing"));
        }
    }
    assert!(
        problems.is_empty(),
        "{}\n(regenerate with WENGERT_BLESS=1 cargo test -p wengert-tape --test trace)",
        problems.join("\n")
    );
}

/// docs/tutorial/f_graph.svg is `dot -Tsvg` of the f-dot block: it must show the block's
/// current values and adjoints.
#[test]
fn tutorial_graph_picture_shows_the_current_values() {
    let dir = tutorial_path().parent().unwrap().join("tutorial");
    let svg = std::fs::read_to_string(dir.join("f_graph.svg")).expect("docs/tutorial/f_graph.svg");
    let (_, dot) = tutorial_blocks().into_iter().find(|(id, _)| *id == "f-dot").unwrap();
    let mut fields = 0;
    for field in dot.split(['"', '|']).map(str::trim) {
        if field.starts_with("data ") || field.starts_with("grad ") {
            assert!(
                svg.contains(&format!(">{field}<")),
                "f_graph.svg lacks `{field}`; regenerate it from the f-dot block with dot -Tsvg"
            );
            fields += 1;
        }
    }
    assert_eq!(fields, 10);
}

#[test]
fn tagged_block_reader_finds_bodies() {
    let doc = "x\n```text id=a\nline 1\nline 2\n```\nmid\n```text id=b\n```\n";
    let b = tagged_blocks(doc);
    assert_eq!(b.len(), 2);
    assert_eq!((b[0].0.as_str(), b[0].1.as_str()), ("a", "line 1\nline 2\n"));
    assert_eq!((b[1].0.as_str(), b[1].1.as_str()), ("b", ""));
}

#[test]
fn f32_tapes_print_their_own_shortest_values() {
    let tape = Tape::<f32>::new();
    let x = tape.scalar(2.0f32);
    let y = x.sin();
    let list = WengertList::new(&tape).name(x, "x");
    assert_eq!(list.to_string(), "v0 = x (input)  = 2\nv1 = sin(v0)    = 0.9092974\n");
    let s = list.reverse_sweep(y).unwrap();
    assert_eq!(s.gradient(x).unwrap().item(), 2f32.cos());
    assert!(s.to_string().contains(&format!("= {}\n", 2f32.cos())));
}

#[test]
fn tiny_and_huge_values_use_exponents() {
    use wengert_tape::trace::num;
    assert_eq!(num(2.7755575615628914e-17), "2.7755575615628914e-17");
    assert_eq!(num(1e20), "1e20");
    assert_eq!(num(0.001), "0.001");
    assert_eq!(num(0.0), "0");
    assert_eq!(num(f64::INFINITY), "inf");
}

#[test]
fn recorded_locations_are_printed() {
    let tape = Tape::new();
    tape.record_locations(true);
    let x = tape.scalar(1.0);
    let line = line!() + 1;
    let _ = x.exp();
    let text = tape.to_string();
    let expected = format!("trace.rs:{line}]");
    assert!(text.lines().nth(1).unwrap().ends_with(&expected), "{text}");
}

/// The two ways to put adjoints on the graph agree on every node: one reached, one the
/// output does not depend on (a tensor and a scalar), and one recorded after the output.
#[test]
fn dot_with_grads_and_dot_with_sweep_agree_off_the_path() {
    let tape = Tape::<f64>::new();
    let x = tape.var(&Tensor::from([1.0, 2.0]));
    let s = tape.scalar(3.0);
    let _unused = x.exp();
    let _unused_scalar = s.sin();
    let f = (x * 2.0).sum();
    let _after = f * 3.0;
    let list = WengertList::new(&tape);
    let from_grads = list.to_dot_with_grads(&f.backward());
    let from_sweep = list.to_dot_with_sweep(&list.reverse_sweep(f).unwrap());
    assert_eq!(from_grads, from_sweep);
    assert!(from_grads.contains("v2 | exp(v0) | data [2] [2.718281828459045, 7.38905609893065] | grad 0\""));
    // Recorded after the output: no gradient flows into it from f.
    assert!(from_grads.contains("v6 | v5 · 3 | data 18 | grad –\""), "{from_grads}");
}

/// Adjoints of another tape, or of this tape before a rewind, are not drawn onto this
/// tape's nodes (they used to show as `grad 0` everywhere, or vanish).
#[test]
fn dot_refuses_adjoints_of_another_tape_or_step() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(2.0);
    let _y = x * x;
    let other = Tape::<f64>::new();
    let z = other.scalar(1.0);
    let zz = z * z;
    let sweep = WengertList::new(&other).reverse_sweep(zz).unwrap();
    let grads = zz.backward();
    let list = WengertList::new(&tape);
    let msg = |r: std::thread::Result<String>| match r {
        Ok(dot) => panic!("drew another tape's adjoints:\n{dot}"),
        Err(e) => e
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| e.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_default(),
    };
    let e = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| list.to_dot_with_sweep(&sweep))));
    assert!(e.contains("to_dot_with_sweep") && e.contains("another tape"), "{e}");
    let e = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| list.to_dot_with_grads(&grads))));
    assert!(e.contains("to_dot_with_grads") && e.contains("another tape"), "{e}");

    // The same tape after a rewind: the node ids now name other nodes.
    let mut tape = Tape::<f64>::new();
    let mark = tape.mark();
    let sweep = {
        let x = tape.scalar(2.0);
        let y = x * x;
        WengertList::new(&tape).reverse_sweep(y).unwrap()
    };
    tape.rewind(&mark);
    let x = tape.scalar(5.0);
    let _ = x.sin();
    let list = WengertList::new(&tape);
    let e = msg(std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| list.to_dot_with_sweep(&sweep))));
    assert!(e.contains("to_dot_with_sweep"), "{e}");
    assert!(sweep.gradient(x).is_none(), "a sweep from before the rewind answers for a new node");
}

/// Every node an op records, also inside a composed op (norm, var, std, logsumexp,
/// softmax, min, select's broadcasts, xlogy, matmul's reshapes, gather), is located at
/// the user's call, not in the library's sources: the location is what a Wengert list
/// or an anomaly report points the user to.
#[test]
fn composed_ops_record_the_callers_location() {
    let tape = Tape::<f64>::new();
    tape.record_locations(true);
    let x = tape.var(&Tensor::from([[1.0, 2.0], [3.0, 4.0]]));
    let v = tape.var(&Tensor::from([1.0, 2.0]));
    let b = tape.var(&Tensor::zeros(&[3, 2, 2]));
    let _ = x.norm();
    let _ = x.norm_axis(1, false);
    let _ = x.var(1);
    let _ = x.var_axis(1, true, 0);
    let _ = x.std(0);
    let _ = x.std_axis(0, false, 1);
    let _ = x.logsumexp(1, false);
    let _ = x.log_softmax(0);
    let _ = x.softmax(1);
    let _ = x.xlogy(v);
    let _ = x.min_axis(0, false);
    let _ = x.min();
    let _ = x.max();
    let _ = x.mean_axis(0, false);
    let _ = x.sum_axis(1, false);
    let _ = x.mean();
    let _ = x.step_mask().select(x, tape.scalar_constant(0.0));
    let _ = v.matmul(x);
    let _ = x.matmul(v);
    let _ = v.matmul(v);
    let _ = b.matmul(x);
    let _ = x.gather(1, &[2, 1], &[0, 1]);
    let _ = Var::concat(&[x, x], 1);
    let _ = x.transpose();
    let _ = x.lt_mask(v);
    let _ = x.maximum(v) + v;
    let _ = x.slice(1, 1, 1).pad(1, 0, 3).index_select(&[1, 1]).scatter_rows(&[0, 2], 3);
    let _ = x.permute(&[1, 0]).reshape(&[4]).broadcast_to(&[2, 4]).sum_to(&[1, 4]);
    let _ = x.clamp(0.0, 1.0).powf(2.0).rsub(1.0).rdiv(1.0).detach();
    let _ = x.matmul_add(x, v).var_axis(-1, false, 0);
    let inside: Vec<String> = WengertList::new(&tape)
        .entries()
        .into_iter()
        .filter(|e| e.location.as_deref().is_none_or(|l| !l.contains("tests/trace.rs")))
        .map(|e| format!("{} = {}  [{:?}]", e.id, e.expr, e.location))
        .collect();
    assert!(inside.is_empty(), "nodes located elsewhere than at the call:\n{}", inside.join("\n"));
}

/// A name with a newline (or another control character) cannot forge a line of the
/// list, of the sweep or of a DOT label: it is shown escaped.
#[test]
fn names_with_control_characters_are_escaped() {
    let tape = Tape::<f64>::new();
    let x = tape.scalar(2.0);
    let f = x * x;
    let list = WengertList::new(&tape).name(x, "x\nv9 = forged").name(f, "f\t\u{1b}[31m");
    let text = list.to_string();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(text.contains("v0 = x\\nv9 = forged (input)"), "{text}");
    assert!(text.contains("(f\\t\\u{1b}[31m)"), "{text}");
    let sweep = list.reverse_sweep(f).unwrap().to_string();
    assert!(sweep.contains("∂f\\t\\u{1b}[31m/∂x\\nv9 = forged"), "{sweep}");
    let dot = list.to_dot();
    assert!(dot.lines().filter(|l| l.contains("forged")).all(|l| l.starts_with("  v0 [label=")), "{dot}");
}

/// Entry::parents of a select: the two sides, then the condition, as documented.
#[test]
fn select_lists_its_condition_last_among_parents() {
    let tape = Tape::<f64>::new();
    let x = tape.var_from(&[2], &[1.0, -1.0]);
    let y = tape.var_from(&[2], &[3.0, 4.0]);
    let c = x.step_mask();
    let s = c.select(x, y);
    let e = WengertList::new(&tape).entries().into_iter().find(|e| e.id == s.node()).unwrap();
    assert_eq!(e.expr, format!("select({}, {}, {})", c.node(), x.node(), y.node()));
    assert_eq!(e.parents, vec![x.node(), y.node(), c.node()]);
}
