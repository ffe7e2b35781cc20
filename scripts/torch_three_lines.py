#!/usr/bin/env python3
"""Compare the `three_lines` example (logistic regression, f64) with PyTorch, step by step.

Run by hand (needs torch, numpy and safetensors; not part of the test suite):

    python3 scripts/torch_three_lines.py [--bin target/release/examples/three_lines]

1. The Rust example writes the initial weights (`--init FILE`: PyTorch's default
   nn.Linear init, U(+-1/sqrt(30)), seeded) as safetensors; PyTorch reads them with
   `safetensors.torch.load_file`.
2. For each optimizer, PyTorch runs 100 full-batch steps of
   z = Xw + b, p = sigmoid(z), L = BCELoss(mean), opt.step(), and so does the Rust example
   (`--steps 100 --optimizer NAME --every 1`). All 101 losses (before each step, and after
   the last one) are compared; the largest relative difference is reported.
3. Interop the other way: PyTorch writes random weights with `safetensors.torch.save_file`,
   the Rust example loads them (`--init FILE --steps 0`), and both evaluate the loss there.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import torch
from safetensors.torch import load_file, save_file

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DATA = os.path.join(ROOT, "examples", "data", "breast_cancer_std.csv")
STEPS = 100

# name -> (torch optimizer factory, description); must match the example's --optimizer
OPTIMIZERS = {
    "sgd": (lambda ps: torch.optim.SGD(ps, lr=0.1), "SGD lr 0.1"),
    "momentum": (
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=1e-3),
        "SGD lr 0.1, momentum 0.9, weight decay 1e-3",
    ),
    "nesterov": (
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, nesterov=True),
        "SGD lr 0.1, Nesterov momentum 0.9",
    ),
    "adam": (lambda ps: torch.optim.Adam(ps, lr=0.01), "Adam lr 0.01, betas (0.9, 0.999), eps 1e-8"),
}


def run_rust(binary, args):
    cmd = [binary] + args
    out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    losses = [float(m.group(1)) for m in re.finditer(r"^epoch\s+\d+ loss=(\S+)$", out, re.M)]
    final = re.search(r"^final loss=(\S+) accuracy=(\S+)$", out, re.M)
    return losses, float(final.group(1)), float(final.group(2))


def torch_losses(x, y, w0, b0, make_opt, steps):
    w = w0.clone().requires_grad_(True)
    b = b0.clone().requires_grad_(True)
    opt = make_opt([w, b])
    bce = torch.nn.BCELoss()
    losses = []
    for _ in range(steps):
        loss = bce(torch.sigmoid(x @ w + b), y)
        losses.append(loss.item())
        opt.zero_grad()
        loss.backward()
        opt.step()
    with torch.no_grad():
        losses.append(bce(torch.sigmoid(x @ w + b), y).item())
    return losses


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default=os.path.join(ROOT, "target", "release", "examples", "three_lines"))
    ap.add_argument("--seed", default="0")
    args = ap.parse_args()
    if not os.path.exists(args.bin):
        subprocess.run(["cargo", "build", "--release", "--example", "three_lines"], cwd=ROOT, check=True)

    raw = np.loadtxt(DATA, delimiter=",", skiprows=1, dtype=np.float64)
    x = torch.from_numpy(raw[:, :-1].copy())
    y = torch.from_numpy(raw[:, -1:].copy())

    tmp = tempfile.mkdtemp()
    init = os.path.join(tmp, "w0.safetensors")
    run_rust(args.bin, ["--init", init, "--seed", args.seed, "--steps", "0"])
    st = load_file(init)  # written by Rust
    w0, b0 = st["weight"], st["bias"]
    assert w0.dtype == torch.float64 and tuple(w0.shape) == (30, 1) and tuple(b0.shape) == (1,)
    print(f"initial weights from Rust: {init} (weight {tuple(w0.shape)} {w0.dtype}, bias {tuple(b0.shape)})")

    print()
    print(f"torch {torch.__version__}, {STEPS} steps, f64, losses before each step and after the last")
    print()
    print("| optimizer | loss at step 0 | torch loss after 100 steps | Rust loss after 100 steps | max rel. diff (101 losses) |")
    print("|---|---|---|---|---|")
    worst_all = 0.0
    for name, (make, desc) in OPTIMIZERS.items():
        t = torch_losses(x, y, w0, b0, make, STEPS)
        r, r_final, _ = run_rust(args.bin, ["--init", init, "--steps", str(STEPS), "--optimizer", name, "--every", "1"])
        r = r + [r_final]
        assert len(r) == len(t), (len(r), len(t))
        worst = max(abs(a - b) / abs(b) for a, b in zip(r, t))
        worst_all = max(worst_all, worst)
        print(f"| {name} ({desc}) | {t[0]!r} | {t[-1]!r} | {r[-1]!r} | {worst:.2e} |")

    # torch -> Rust: a file written by safetensors.torch.save_file, read by the example.
    g = torch.Generator().manual_seed(1)
    tw = (torch.rand(30, 1, generator=g, dtype=torch.float64) - 0.5) * 0.4
    tb = torch.rand(1, generator=g, dtype=torch.float64) - 0.5
    tfile = os.path.join(tmp, "from_torch.safetensors")
    save_file({"weight": tw, "bias": tb}, tfile)
    with torch.no_grad():
        t_loss = torch.nn.BCELoss()(torch.sigmoid(x @ tw + tb), y).item()
    _, r_loss, _ = run_rust(args.bin, ["--init", tfile, "--steps", "0"])
    rel = abs(r_loss - t_loss) / t_loss
    print()
    print(f"torch-written safetensors loaded by Rust: loss torch {t_loss!r}, Rust {r_loss!r}, rel. diff {rel:.2e}")
    # Rust -> torch for a Sequential: the trained moons MLP ("0.weight", ... stored [in, out])
    # loaded into torch.nn.Sequential (weights [out, in], hence the transposes).
    moons_ok = True
    moons_bin = os.path.join(os.path.dirname(args.bin), "moons")
    if os.path.exists(moons_bin):
        mfile = os.path.join(tmp, "moons.safetensors")
        out = subprocess.run([moons_bin, "--save", mfile], check=True, capture_output=True, text=True).stdout
        m = re.search(r"^final loss=(\S+) accuracy=(\S+)$", out, re.M)
        r_loss_m, r_acc = float(m.group(1)), float(m.group(2))
        sd = load_file(mfile)
        net = torch.nn.Sequential(
            torch.nn.Linear(2, 16), torch.nn.ReLU(), torch.nn.Linear(16, 16), torch.nn.ReLU(), torch.nn.Linear(16, 1)
        ).double()
        net.load_state_dict({k: (v.T.contiguous() if k.endswith("weight") else v) for k, v in sd.items()})
        mraw = np.loadtxt(os.path.join(ROOT, "examples", "data", "moons_100.csv"), delimiter=",", skiprows=1)
        with torch.no_grad():
            score = net(torch.from_numpy(mraw[:, :2].copy())).squeeze(1)
            ys = torch.from_numpy(2.0 * mraw[:, 2] - 1.0)
            t_loss_m = (torch.relu(1 - ys * score).mean() + 1e-4 * sum((p * p).sum() for p in net.parameters())).item()
        t_acc = ((score > 0) == (ys > 0)).double().mean().item()
        rel_m = abs(t_loss_m - r_loss_m) / r_loss_m
        print(f"Rust-trained moons MLP {sorted(sd)} in torch.nn.Sequential:")
        print(f"  hinge loss torch {t_loss_m!r}, Rust {r_loss_m!r} (rel. diff {rel_m:.2e}); accuracy torch {t_acc}, Rust {r_acc}")
        moons_ok = t_acc == r_acc and rel_m <= 1e-12
    ok = worst_all <= 1e-10 and rel <= 1e-12 and moons_ok
    print("PASS" if ok else "FAIL", f"(worst relative difference {worst_all:.2e}, tolerance 1e-10)")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
