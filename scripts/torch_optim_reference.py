"""Reference trajectories of torch.optim for crates/nn/tests/optim_torch.rs.

Two parameters, p0 = [0.5, -1.5, 2.0] and p1 = [1.0, -0.25], five steps with the
gradients g(k, i, j) below (exact in f32 and f64); where a schedule says so a parameter's
.grad is None at a step (torch skips it). Prints each case's final parameters as Rust
array literals, in f64 and in f32.

    python scripts/torch_optim_reference.py   # torch 2.15
"""
import torch

P0 = [[0.5, -1.5, 2.0], [1.0, -0.25]]
STEPS = 5


def grad(k, i, j):
    # Exact small binary fractions; magnitudes vary so amsgrad's maximum matters.
    return (((k * 7 + i * 5 + j * 3) % 11) / 4.0 - 1.25) * (1 + 3 * (k % 3 == 1))


CASES = {
    "adamw": (lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1), set()),
    "adamw_default_decay": (lambda ps: torch.optim.AdamW(ps, lr=0.01), set()),
    "adam_amsgrad_l2": (lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.05, amsgrad=True), set()),
    "adamw_amsgrad": (lambda ps: torch.optim.AdamW(ps, lr=0.02, weight_decay=0.1, amsgrad=True), set()),
    "adam_skip": (lambda ps: torch.optim.Adam(ps, lr=0.01, weight_decay=0.1), {(1, 1), (2, 1)}),
    "adamw_skip_first": (lambda ps: torch.optim.AdamW(ps, lr=0.01, weight_decay=0.1), {(0, 0)}),
    "sgd_skip_first": (
        lambda ps: torch.optim.SGD(ps, lr=0.1, momentum=0.9, weight_decay=0.1, dampening=0.3),
        {(0, 1), (3, 0)},
    ),
}

for dtype, name in [(torch.float64, "f64"), (torch.float32, "f32")]:
    for case, (make, skip) in CASES.items():
        ps = [torch.tensor(p, dtype=dtype, requires_grad=True) for p in P0]
        opt = make(ps)
        for k in range(STEPS):
            for i, p in enumerate(ps):
                if (k, i) in skip:
                    p.grad = None
                else:
                    p.grad = torch.tensor([grad(k, i, j) for j in range(p.numel())], dtype=dtype)
            opt.step()
        vals = ", ".join("[" + ", ".join(repr(float(x)) for x in p.detach()) + "]" for p in ps)
        print(f"{name} {case}: [{vals}]")
