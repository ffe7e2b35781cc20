"""Reference values of torch.nn.LayerNorm for crates/nn/tests/audit_nn.rs
(`layer_norm_follows_torch`): the output, and the gradients of sum(y * c) in x, the weight
and the bias, in float64, for the cases below.

    python scripts/torch_layernorm_reference.py   # torch 2.15
"""
import torch

X = [[[0.5, -1.0, 2.0, 0.25], [3.0, 3.5, -2.0, 1.0], [0.0, 0.125, -0.75, 4.0]],
     [[1.0, 1.0, 1.0, 1.5], [-3.0, 2.0, 0.5, -0.5], [10.0, -10.0, 5.0, 0.0]]]
C = [[[(i * 7 + j * 3 + k) % 5 - 2.0 for k in range(4)] for j in range(3)] for i in range(2)]
CASES = {
    "last_dim": dict(shape=[4], affine=True, eps=1e-5),
    "last_two": dict(shape=[3, 4], affine=True, eps=1e-3),
    "no_affine": dict(shape=[4], affine=False, eps=1e-5),
}
for name, case in CASES.items():
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    ln = torch.nn.LayerNorm(case["shape"], eps=case["eps"], elementwise_affine=case["affine"], dtype=torch.float64)
    if case["affine"]:
        with torch.no_grad():
            n = ln.weight.numel()
            ln.weight.copy_(torch.tensor([0.5 + 0.25 * i for i in range(n)], dtype=torch.float64).reshape(case["shape"]))
            ln.bias.copy_(torch.tensor([0.1 * i - 0.2 for i in range(n)], dtype=torch.float64).reshape(case["shape"]))
    y = ln(x)
    (y * torch.tensor(C, dtype=torch.float64)).sum().backward()
    fmt = lambda t: "[" + ", ".join(repr(float(v)) for v in t.detach().flatten()) + "]"
    out = [fmt(y), fmt(x.grad)]
    if case["affine"]:
        out += [fmt(ln.weight.grad), fmt(ln.bias.grad)]
    print(f'("{name}", &[{", ".join("&" + o for o in out)}]),')
