//! One self-contained HTML page that steps through the forward and the reverse sweep.
//!
//! The graph is an inline SVG laid out here (each node in the column after its deepest
//! operand); a small inline script replays the steps. No network, no external files.
//! The page honours `#step=N` in its URL, and marks the highlighted node on the body
//! (`data-step`, `data-current`) so a headless browser can check the stepping.

use std::fmt::Write as _;

use wengert_tape::trace::{NodeKind, ReverseSweep, WengertList};

const CHAR_W: f64 = 7.3;
const NODE_H: f64 = 62.0;
const ROW_GAP: f64 = 26.0;
const COL_GAP: f64 = 56.0;
const MARGIN: f64 = 20.0;

/// A JSON string literal, safe inside a `<script>` element.
fn js(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Text escaped for HTML and SVG.
fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;")
}

struct Step {
    phase: &'static str,
    node: String,
    target: String,
    value: String,
    text: String,
    line: String,
}

/// The page for `list` (the forward sweep) and `sweep` (the reverse sweep).
pub fn page(title: &str, list: &WengertList<'_>, sweep: &ReverseSweep) -> String {
    let entries: Vec<_> = list.entries().into_iter().filter(|e| e.id.0 <= sweep.output.0).collect();
    let n = entries.len();
    // Layout: column = 1 + the deepest operand's column; rows in tape order within a column.
    let mut col = vec![0usize; n];
    for (i, e) in entries.iter().enumerate() {
        col[i] = e.parents.iter().map(|p| col[p.0 as usize] + 1).max().unwrap_or(0);
    }
    let ncols = col.iter().max().map_or(1, |m| m + 1);
    let lines: Vec<String> = entries.iter().map(|e| format!("{} = {}", e.id, e.expr)).collect();
    let values: Vec<String> = entries.iter().map(|e| list.format_value(&e.value)).collect();
    let adjoints = sweep.updates().map(|u| list.format_value(&u.adjoint));
    let widest = lines
        .iter()
        .map(|l| l.chars().count())
        .chain(values.iter().chain(adjoints.collect::<Vec<_>>().iter()).map(|v| v.chars().count() + 5))
        .max()
        .unwrap_or(10);
    let node_w = (widest as f64 * CHAR_W + 20.0).clamp(140.0, 420.0);
    // Rows: leaves in tape order; in later columns, nodes sorted by the mean row of their
    // operands (the barycenter heuristic), which keeps most edges short and uncrossed.
    let mut row = vec![0.0f64; n];
    let mut rows = vec![0usize; ncols];
    for (c, rows_c) in rows.iter_mut().enumerate() {
        let mut members: Vec<usize> = (0..n).filter(|&i| col[i] == c).collect();
        let key = |i: usize| {
            let ps = &entries[i].parents;
            if ps.is_empty() {
                i as f64
            } else {
                ps.iter().map(|p| row[p.0 as usize]).sum::<f64>() / ps.len() as f64
            }
        };
        members.sort_by(|&a, &b| key(a).total_cmp(&key(b)).then(a.cmp(&b)));
        for (r, &i) in members.iter().enumerate() {
            row[i] = r as f64;
        }
        *rows_c = members.len();
    }
    let pos: Vec<(f64, f64)> = (0..n)
        .map(|i| (MARGIN + col[i] as f64 * (node_w + COL_GAP), MARGIN + row[i] * (NODE_H + ROW_GAP)))
        .collect();
    let width = MARGIN * 2.0 + ncols as f64 * (node_w + COL_GAP) - COL_GAP;
    let height = MARGIN * 2.0 + *rows.iter().max().unwrap_or(&1) as f64 * (NODE_H + ROW_GAP) - ROW_GAP;

    let mut svg = format!(
        "<svg id=\"graph\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" height=\"{height:.0}\" \
         style=\"max-width: 100%; height: auto\" \
         viewBox=\"0 0 {width:.0} {height:.0}\">\n<defs><marker id=\"arrow\" viewBox=\"0 0 10 10\" refX=\"10\" \
         refY=\"5\" markerWidth=\"9\" markerHeight=\"9\" markerUnits=\"userSpaceOnUse\" orient=\"auto-start-reverse\"><path d=\"M 0 0 L 10 5 L 0 10 z\" \
         fill=\"#64748b\"/></marker></defs>\n"
    );
    for (i, e) in entries.iter().enumerate() {
        for p in &e.parents {
            let (px, py) = pos[p.0 as usize];
            let (x, y) = pos[i];
            let (x1, y1, x2, y2) = (px + node_w, py + NODE_H / 2.0, x, y + NODE_H / 2.0);
            let mid = (x1 + x2) / 2.0;
            let _ = writeln!(
                svg,
                "<path class=\"edge\" data-from=\"{}\" data-to=\"{}\" d=\"M {x1:.1} {y1:.1} C {mid:.1} {y1:.1}, \
                 {mid:.1} {y2:.1}, {x2:.1} {y2:.1}\" marker-end=\"url(#arrow)\"/>",
                p, e.id
            );
        }
    }
    for (i, e) in entries.iter().enumerate() {
        let kind = match e.kind {
            NodeKind::Input => "input",
            NodeKind::Constant => "constant",
            NodeKind::Op => "op",
        };
        let (x, y) = pos[i];
        let _ = writeln!(
            svg,
            "<g class=\"node {kind}\" id=\"node-{id}\" transform=\"translate({x:.1},{y:.1})\">\
             <rect width=\"{node_w:.0}\" height=\"{NODE_H:.0}\" rx=\"7\"/>\
             <text class=\"expr\" x=\"9\" y=\"18\">{expr}</text>\
             <text class=\"data\" x=\"9\" y=\"36\">data</text>\
             <text class=\"grad\" x=\"9\" y=\"53\">grad</text></g>",
            id = e.id,
            expr = esc(&lines[i])
        );
    }
    svg.push_str("</svg>");

    // The steps: the empty tape, one per recorded node, the seed, one per adjoint update, the gradients.
    let mut steps = vec![Step {
        phase: "start",
        node: String::new(),
        target: String::new(),
        value: String::new(),
        text: "The tape is empty. Step forward to record the function one operation at a time.".into(),
        line: String::new(),
    }];
    for (i, e) in entries.iter().enumerate() {
        let what = match e.kind {
            NodeKind::Input => "an input (a differentiable leaf)",
            NodeKind::Constant => "a constant (no gradient flows into it)",
            NodeKind::Op => "computed from its operands",
        };
        steps.push(Step {
            phase: "forward",
            node: e.id.to_string(),
            target: String::new(),
            value: values[i].clone(),
            text: format!("Forward sweep: record {} = {}, {what}; its value is {}.", e.id, e.expr, values[i]),
            line: format!("f{}", e.id),
        });
    }
    let out = sweep.output.to_string();
    steps.push(Step {
        phase: "seed",
        node: out.clone(),
        target: out.clone(),
        value: list.format_value(&sweep.seed),
        text: format!(
            "Reverse sweep: seed v̄{} = ∂f/∂f = 1. Every other adjoint starts at 0; each node, from the last \
             to the first, now pushes its adjoint to its operands.",
            sweep.output.0
        ),
        line: "s0".into(),
    });
    let mut k = 1;
    for s in &sweep.steps {
        for u in &s.updates {
            let adj = list.format_value(&u.adjoint);
            steps.push(Step {
                phase: "reverse",
                node: s.node.to_string(),
                target: u.target.to_string(),
                value: adj.clone(),
                text: format!(
                    "Reverse sweep: {} = {} pushes its adjoint to {}: v̄{} += {}, so v̄{} is now {}.",
                    s.node, s.expr, u.target, u.target.0, u.rule, u.target.0, adj
                ),
                line: format!("s{k}"),
            });
            k += 1;
        }
    }
    let grads: Vec<String> = sweep
        .gradients
        .iter()
        .map(|g| format!("{} = {}", sweep.gradient_label(g), list.format_value(&g.gradient)))
        .collect();
    steps.push(Step {
        phase: "done",
        node: String::new(),
        target: String::new(),
        value: String::new(),
        text: format!("Done. The adjoints of the inputs are the gradient: {}.", grads.join(", ")),
        line: String::new(),
    });

    // The two listings, one line per step.
    let mut listing = String::new();
    for (i, e) in entries.iter().enumerate() {
        let _ = writeln!(
            listing,
            "<div class=\"line\" id=\"line-f{}\">{} = {}</div>",
            e.id,
            esc(&lines[i]),
            esc(&values[i])
        );
    }
    let mut sweep_html = format!("<div class=\"line\" id=\"line-s0\">v̄{} = 1 (seed)</div>\n", sweep.output.0);
    let mut k = 1;
    for s in &sweep.steps {
        for u in &s.updates {
            let _ = writeln!(
                sweep_html,
                "<div class=\"line\" id=\"line-s{k}\">v̄{} += {} = {}</div>",
                u.target.0,
                esc(&u.rule),
                esc(&list.format_value(&u.adjoint))
            );
            k += 1;
        }
    }

    let mut data = String::from("{\"nodes\":[");
    for (i, e) in entries.iter().enumerate() {
        if i > 0 {
            data.push(',');
        }
        let _ = write!(data, "{{\"id\":{},\"grad\":{}}}", js(&e.id.to_string()), e.requires_grad);
    }
    data.push_str("],\"steps\":[");
    for (i, s) in steps.iter().enumerate() {
        if i > 0 {
            data.push_str(",\n");
        }
        let _ = write!(
            data,
            "{{\"phase\":{},\"node\":{},\"target\":{},\"value\":{},\"text\":{},\"line\":{}}}",
            js(s.phase),
            js(&s.node),
            js(&s.target),
            js(&s.value),
            js(&s.text),
            js(&s.line)
        );
    }
    data.push_str("]}");

    TEMPLATE
        .replace("@TITLE@", &esc(title.lines().next().unwrap_or("wengert")))
        .replace("@HEADER@", &esc(title.trim()).replace('\n', "<br>"))
        .replace("@SVG@", &svg)
        .replace("@LIST@", &listing)
        .replace("@SWEEP@", &sweep_html)
        .replace("@DATA@", &data)
}

const TEMPLATE: &str = r#"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>@TITLE@ — reverse mode, step by step</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 16px 24px; color: #0f172a; background: #fff; }
  h1 { font-size: 18px; margin: 0 0 4px; }
  .header { font-family: monospace; font-size: 14px; margin-bottom: 10px; }
  .controls { display: flex; gap: 8px; align-items: center; margin: 8px 0; }
  button { font-size: 14px; padding: 3px 10px; }
  #counter { font-family: monospace; }
  #explain { min-height: 2.6em; background: #f8fafc; border-left: 4px solid #2563eb; padding: 6px 10px; font-size: 14px; }
  .graph-wrap { overflow: auto; border: 1px solid #e2e8f0; margin: 10px 0; }
  svg text { font-family: monospace; font-size: 12px; fill: #0f172a; }
  .node rect { fill: #fff; stroke: #94a3b8; stroke-width: 1.2; }
  .node.input rect { fill: #dbeafe; }
  .node.constant rect { fill: #f1f5f9; }
  .node.pending { opacity: 0.25; }
  .node.target rect { stroke: #16a34a; stroke-width: 3; }
  .node.current rect { stroke: #dc2626; stroke-width: 3.5; }
  .node text.grad { fill: #b45309; }
  .edge { fill: none; stroke: #64748b; stroke-width: 1.3; }
  .edge.pending { opacity: 0.15; }
  .edge.active { stroke: #dc2626; stroke-width: 2.5; }
  .panes { display: flex; gap: 24px; flex-wrap: wrap; }
  .pane { flex: 1; min-width: 320px; }
  .pane h2 { font-size: 15px; margin: 6px 0; }
  .line { font-family: monospace; font-size: 13px; white-space: pre; padding: 1px 4px; }
  .line.pending { color: #cbd5e1; }
  .line.current { background: #fee2e2; }
</style>
</head>
<body data-step="0" data-current="">
<h1>Reverse-mode differentiation, step by step</h1>
<div class="header">@HEADER@</div>
<div class="controls">
  <button id="first" title="first step (Home)">« first</button>
  <button id="prev" title="previous step (←)">◀ back</button>
  <button id="next" title="next step (→)">forward ▶</button>
  <button id="last" title="last step (End)">last »</button>
  <span id="counter"></span>
</div>
<div id="explain"></div>
<div class="graph-wrap">
@SVG@
</div>
<div class="panes">
  <div class="pane"><h2>Wengert list (forward sweep)</h2>
@LIST@  </div>
  <div class="pane"><h2>Reverse sweep (adjoint updates)</h2>
@SWEEP@  </div>
</div>
<script>
"use strict";
const D = @DATA@;
let step = 0;
function el(id) { return document.getElementById(id); }
function stepFromHash() {
  const m = /step=(\d+)/.exec(location.hash);
  return m ? parseInt(m[1], 10) : 0;
}
function show(k) {
  k = Math.max(0, Math.min(D.steps.length - 1, k));
  step = k;
  const data = {}, grad = {}, recorded = {};
  let reverse = false;
  for (let i = 0; i <= k; i++) {
    const s = D.steps[i];
    if (s.phase === "forward") { data[s.node] = s.value; recorded[s.node] = true; }
    if (s.phase === "seed" || s.phase === "reverse") { grad[s.target] = s.value; reverse = true; }
    if (s.phase === "done") { reverse = true; }
  }
  const cur = D.steps[k];
  for (const n of D.nodes) {
    const g = el("node-" + n.id);
    g.querySelector("text.data").textContent = n.id in data ? "data " + data[n.id] : "data";
    let gt = "grad";
    if (reverse) { gt = n.grad ? "grad " + (n.id in grad ? grad[n.id] : "0") : "grad –"; }
    g.querySelector("text.grad").textContent = gt;
    g.classList.toggle("pending", !(n.id in recorded));
    g.classList.toggle("current", n.id === cur.node);
    g.classList.toggle("target", cur.phase === "reverse" && n.id === cur.target);
  }
  for (const e of document.querySelectorAll(".edge")) {
    e.classList.toggle("pending", !(e.dataset.to in recorded));
    const fwd = cur.phase === "forward" && e.dataset.to === cur.node;
    const rev = cur.phase === "reverse" && e.dataset.to === cur.node && e.dataset.from === cur.target;
    e.classList.toggle("active", fwd || rev);
  }
  for (const l of document.querySelectorAll(".line")) {
    const id = l.id.slice(5);
    const shown = D.steps.slice(0, k + 1).some(s => s.line === id);
    l.classList.toggle("pending", !shown);
    l.classList.toggle("current", id === cur.line);
  }
  el("explain").textContent = cur.text;
  el("counter").textContent = "step " + k + " of " + (D.steps.length - 1);
  document.body.dataset.step = String(k);
  document.body.dataset.current = cur.node;
  document.body.dataset.phase = cur.phase;
}
function go(k) {
  k = Math.max(0, Math.min(D.steps.length - 1, k));
  if (stepFromHash() === k && location.hash) { show(k); return; }
  location.hash = "step=" + k;
}
el("first").onclick = () => go(0);
el("prev").onclick = () => go(step - 1);
el("next").onclick = () => go(step + 1);
el("last").onclick = () => go(D.steps.length - 1);
document.addEventListener("keydown", ev => {
  if (ev.key === "ArrowRight") go(step + 1);
  else if (ev.key === "ArrowLeft") go(step - 1);
  else if (ev.key === "Home") go(0);
  else if (ev.key === "End") go(D.steps.length - 1);
});
window.addEventListener("hashchange", () => show(stepFromHash()));
show(stepFromHash());
</script>
</body>
</html>
"#;
