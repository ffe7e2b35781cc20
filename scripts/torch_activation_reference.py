"""Reference values of torch's silu, gelu (exact and approximate='tanh'), leaky_relu (slope
0.02), elu (alpha 1.3), erf, erfc, expm1, sinh, cosh, atan, asin, acos and atan2 for
crates/nn/tests/audit_nn.rs (`activations_follow_torch`) and crates/tape/tests/core.rs (`special_functions_follow_torch`,
`atan2_follows_torch`): values and derivatives at the points below (asin and acos at
points in [-1, 1]), in float64.

    python scripts/torch_activation_reference.py   # torch 2.15
"""
import torch

X = [-40.0, -8.0, -3.0, -1.5, -0.5, -1e-3, 0.0, 1e-3, 0.25, 1.0, 2.5, 6.0, 40.0]
for name, f in [
    ("silu", torch.nn.functional.silu),
    ("gelu_tanh", lambda x: torch.nn.functional.gelu(x, approximate="tanh")),
    ("gelu", torch.nn.functional.gelu),
    ("erf", torch.erf),
    ("erfc", torch.erfc),
    ("expm1", torch.expm1),
    ("sinh", torch.sinh),
    ("cosh", torch.cosh),
    ("atan", torch.atan),
    ("leaky_relu", lambda x: torch.nn.functional.leaky_relu(x, 0.02)),
    ("elu", lambda x: torch.nn.functional.elu(x, alpha=1.3)),
]:
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.sum().backward()
    fmt = lambda t: "[" + ", ".join(repr(float(v)) for v in t.detach()) + "]"
    print(f'("{name}", {fmt(y)}, {fmt(x.grad)}),')

X_UNIT = [-0.999, -0.75, -0.5, -1e-3, 0.0, 1e-3, 0.25, 0.6, 0.9, 0.999]
for name, f in [("asin", torch.asin), ("acos", torch.acos)]:
    x = torch.tensor(X_UNIT, dtype=torch.float64, requires_grad=True)
    y = f(x)
    y.sum().backward()
    fmt = lambda t: "[" + ", ".join(repr(float(v)) for v in t.detach()) + "]"
    print(f'("{name}", {fmt(y)}, {fmt(x.grad)}),')

# atan2(a, b) in the four quadrants, on the axes, and far out: values and both derivatives.
A = [1.0, 1.0, -1.0, -1.0, 0.5, -0.5, 3.0, 1e-3, 2.0, -2.0]
B = [1.0, -1.0, 1.0, -1.0, 0.0, 0.0, 1e-3, 3.0, -1e8, 1e8]
a = torch.tensor(A, dtype=torch.float64, requires_grad=True)
b = torch.tensor(B, dtype=torch.float64, requires_grad=True)
y = torch.atan2(a, b)
y.sum().backward()
fmt = lambda t: "[" + ", ".join(repr(float(v)) for v in t.detach()) + "]"
print(f'("atan2", {fmt(y)}, {fmt(a.grad)}, {fmt(b.grad)}),')
