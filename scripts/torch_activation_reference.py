"""Reference values of torch's silu and gelu(approximate='tanh') for
crates/nn/tests/audit_nn.rs (`silu_and_gelu_tanh_follow_torch`): values and derivatives at
the points below, in float64.

    python scripts/torch_activation_reference.py   # torch 2.15
"""
import torch

X = [-40.0, -8.0, -3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.25, 1.0, 2.5, 6.0, 40.0]
for name, f in [("silu", torch.nn.functional.silu), ("gelu_tanh", lambda x: torch.nn.functional.gelu(x, approximate="tanh"))]:
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.sum().backward()
    fmt = lambda t: "[" + ", ".join(repr(float(v)) for v in t.detach()) + "]"
    print(f'("{name}", {fmt(y)}, {fmt(x.grad)}),')
