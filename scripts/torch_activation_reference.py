"""Reference values of torch's silu, gelu (exact and approximate='tanh') and erf for
crates/nn/tests/audit_nn.rs (`activations_follow_torch`) and crates/tape/tests/core.rs
(`erf_follows_torch`): values and derivatives at the points below, in float64.

    python scripts/torch_activation_reference.py   # torch 2.15
"""
import torch

X = [-40.0, -8.0, -3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.25, 1.0, 2.5, 6.0, 40.0]
for name, f in [
    ("silu", torch.nn.functional.silu),
    ("gelu_tanh", lambda x: torch.nn.functional.gelu(x, approximate="tanh")),
    ("gelu", torch.nn.functional.gelu),
    ("erf", torch.erf),
]:
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.sum().backward()
    fmt = lambda t: "[" + ", ".join(repr(float(v)) for v in t.detach()) + "]"
    print(f'("{name}", {fmt(y)}, {fmt(x.grad)}),')
