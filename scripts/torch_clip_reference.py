"""Reference values of torch.nn.utils.clip_grad_norm_ and clip_grad_value_ for
crates/nn/tests/clip.rs: two parameters with the gradients GA and GB, clipped with each
(max_norm, norm_type) below; prints the total norm and the clipped gradients in float64.

    python scripts/torch_clip_reference.py   # torch 2.15
"""
import torch

GA = [[0.5, -1.25, 2.0], [3.5, -0.75, 0.125]]
GB = [-4.0, 1.5, 0.25]
fmt = lambda t: "[" + ", ".join(repr(float(v)) for v in t.flatten()) + "]"
for max_norm, norm_type in [(1.0, 2.0), (1.0, 1.0), (1.0, float("inf")), (2.5, 3.0), (100.0, 2.0), (0.0, 2.0)]:
    a = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
    b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
    a.grad = torch.tensor(GA, dtype=torch.float64)
    b.grad = torch.tensor(GB, dtype=torch.float64)
    total = torch.nn.utils.clip_grad_norm_([a, b], max_norm, norm_type)
    nt = "f64::INFINITY" if norm_type == float("inf") else repr(norm_type)
    print(f"({max_norm!r}, {nt}, {float(total)!r}, {fmt(a.grad)}, {fmt(b.grad)}),")
a = torch.zeros(2, 3, dtype=torch.float64, requires_grad=True)
b = torch.zeros(3, dtype=torch.float64, requires_grad=True)
a.grad = torch.tensor(GA, dtype=torch.float64)
b.grad = torch.tensor(GB, dtype=torch.float64)
torch.nn.utils.clip_grad_value_([a, b], 1.3)
print("value 1.3:", fmt(a.grad), fmt(b.grad))
