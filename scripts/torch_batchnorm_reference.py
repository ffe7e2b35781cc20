"""Reference values of torch.nn.BatchNorm1d for crates/nn/tests/batch_norm.rs
(`batch_norm_follows_torch`), in float64, for the cases below. For each case, three
training batches x_1, x_2, x_3 go through the layer; printed are

    [0] y of batch 1 (training),  [1..4] the gradients of sum(y * c) in x, weight, bias,
    [4, 5] running_mean, running_var after batch 1,
    [6, 7] running_mean, running_var after batch 3,  [8] num_batches_tracked,
    [9] y of batch 1 in eval mode after the three steps,
    [10..13] the gradients of sum(y * c) in x, weight, bias in eval mode

(an empty list where the layer has no such tensor). The inputs are the formulas of
`input` and `cotangent` below, computed exactly alike in the Rust test.

    /work/venv/bin/python scripts/torch_batchnorm_reference.py   # torch 2.15
"""
import torch

torch.set_default_dtype(torch.float64)
# One thread: for an [N, C] input PyTorch sums each thread's rows apart, so the last bit of
# the running statistics would depend on the thread count (on one, it sums in input order).
torch.set_num_threads(1)


def input(shape, step):
    """x[f] = ((7f + 5s) mod 13 − 6)/3 + c/2 + (f mod 3)/8, c the channel of flat index f."""
    n = 1
    for d in shape:
        n *= d
    inner = shape[2] if len(shape) == 3 else 1
    c_of = lambda f: f // inner % shape[1]
    vals = [((7 * f + 5 * step) % 13 - 6) / 3.0 + c_of(f) * 0.5 + (f % 3) * 0.125 for f in range(n)]
    return torch.tensor(vals).reshape(shape)


def cotangent(shape):
    n = 1
    for d in shape:
        n *= d
    return torch.tensor([float((5 * f + 3) % 7 - 3) for f in range(n)]).reshape(shape)


CASES = {
    "nc": dict(shape=[6, 3], affine=True, eps=1e-5, momentum=0.1, track=True),
    "ncl": dict(shape=[4, 3, 5], affine=True, eps=1e-3, momentum=0.3, track=True),
    "nc_no_affine": dict(shape=[6, 3], affine=False, eps=1e-5, momentum=0.1, track=True),
    "ncl_no_affine": dict(shape=[2, 3, 4], affine=False, eps=1e-5, momentum=0.1, track=True),
    "ncl_cumulative": dict(shape=[4, 3, 5], affine=True, eps=1e-5, momentum=None, track=True),
    "nc_cumulative": dict(shape=[5, 2], affine=False, eps=1e-5, momentum=None, track=True),
    "ncl_no_stats": dict(shape=[3, 3, 2], affine=True, eps=1e-5, momentum=0.1, track=False),
}

fmt = lambda t: "&[" + ", ".join(repr(float(v)) for v in t.detach().flatten()) + "]"
EMPTY = "&[]"

print(f"// torch {torch.__version__}")
for name, case in CASES.items():
    shape, c = case["shape"], case["shape"][1]
    bn = torch.nn.BatchNorm1d(c, eps=case["eps"], momentum=case["momentum"], affine=case["affine"],
                              track_running_stats=case["track"])
    if case["affine"]:
        with torch.no_grad():
            bn.weight.copy_(torch.tensor([0.5 + 0.25 * i for i in range(c)]))
            bn.bias.copy_(torch.tensor([0.1 * i - 0.2 for i in range(c)]))
    ct = cotangent(shape)
    out = []

    def run():
        x = input(shape, 1).requires_grad_(True)
        if bn.weight is not None:
            bn.weight.grad = None
            bn.bias.grad = None
        y = bn(x)
        (y * ct).sum().backward()
        res = [fmt(y), fmt(x.grad)]
        res += [fmt(bn.weight.grad), fmt(bn.bias.grad)] if case["affine"] else [EMPTY, EMPTY]
        return res

    def stats():
        if not case["track"]:
            return [EMPTY, EMPTY]
        return [fmt(bn.running_mean), fmt(bn.running_var)]

    bn.train()
    out += run()
    out += stats()
    with torch.no_grad():
        bn(input(shape, 2))
        bn(input(shape, 3))
    out += stats()
    out += [f"&[{float(bn.num_batches_tracked)!r}]" if case["track"] else EMPTY]
    bn.eval()
    out += run()
    print(f'("{name}", [{", ".join(out)}]),')
