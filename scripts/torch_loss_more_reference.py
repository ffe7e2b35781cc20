"""Reference values and gradients for crates/nn/tests/losses_torch_more.rs.

Run with PyTorch 2.15 in float64:  python scripts/torch_loss_more_reference.py
and paste the output (a Rust `CASES` table) into the test. Each case gives its inputs
(shape, data, whether they require grad), the loss (of shape `out_shape`), and the
gradient of sum(loss * cot) with respect to each input that requires grad.
"""
import torch
import torch.nn.functional as F

torch.set_default_dtype(torch.float64)
g = torch.Generator().manual_seed(2015)


def randn(*s):
    return torch.randn(*s, generator=g)


def rand(*s):
    return torch.rand(*s, generator=g)


def sign(*s):
    return torch.where(rand(*s) < 0.5, -1.0, 1.0)


CASES = []


def case(name, fn, inputs, grads):
    xs = [x.clone().requires_grad_(r) for x, r in zip(inputs, grads)]
    out = fn(*xs)
    cot = torch.linspace(0.5, 1.5, out.numel()).reshape(out.shape) if out.dim() else torch.tensor(1.0)
    gs = torch.autograd.grad((out * cot).sum(), [x for x in xs if x.requires_grad])
    CASES.append((name, xs, out.detach(), cot, [g.detach() for g in gs]))


# poisson_nll_loss
t = torch.tensor([[0.0, 0.5, 1.0, 3.0], [2.0, 7.0, 1.5, 0.0], [4.0, 1.0, 0.25, 12.0]])
case("poisson_log_mean", lambda x, t: F.poisson_nll_loss(x, t), [randn(3, 4), t], [True, True])
case("poisson_rate_full_sum",
     lambda x, t: F.poisson_nll_loss(x, t, log_input=False, full=True, eps=1e-8, reduction="sum"),
     [rand(3, 4) + 0.1, t], [True, True])
case("poisson_log_full_none_eps",
     lambda x, t: F.poisson_nll_loss(x, t, log_input=True, full=True, eps=0.5, reduction="none"),
     [randn(3, 4), t], [True, True])
case("poisson_rate_none_eps",
     lambda x, t: F.poisson_nll_loss(x, t, log_input=False, eps=0.25, reduction="none"),
     [rand(3, 4), t], [True, True])

# gaussian_nll_loss
v = rand(3, 4) + 0.1
v[0, 1] = 1e-7  # below eps: clamped, gradient straight through
v[2, 3] = 0.0  # zero: clamped to eps too
case("gaussian_same_mean", lambda x, t, v: F.gaussian_nll_loss(x, t, v),
     [randn(3, 4), randn(3, 4), v], [True, True, True])
case("gaussian_row_full_sum",
     lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True, eps=1e-3, reduction="sum"),
     [randn(3, 4), randn(3, 4), torch.tensor([0.5, 1e-4, 2.0])], [True, True, True])
case("gaussian_col1_none",
     lambda x, t, v: F.gaussian_nll_loss(x, t, v, reduction="none"),
     [randn(3, 4), randn(3, 4), rand(3, 1) + 0.2], [True, True, True])
case("gaussian_row1_mean",
     lambda x, t, v: F.gaussian_nll_loss(x, t, v, full=True),
     [randn(3, 4), randn(3, 4), rand(1, 4) + 0.2], [True, True, True])

# margin_ranking_loss
x1 = randn(6)
x2 = randn(6)
y = sign(6)
x1[0], x2[0], y[0] = 0.75, 0.25, 1.0  # exactly at the kink for margin 0.5
case("ranking_m0_mean", lambda a, b, y: F.margin_ranking_loss(a, b, y), [x1, x2, y], [True, True, False])
case("ranking_m05_none", lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=0.5, reduction="none"),
     [x1, x2, y], [True, True, False])
case("ranking_m2_sum", lambda a, b, y: F.margin_ranking_loss(a, b, y, margin=2.0, reduction="sum"),
     [randn(2, 3), randn(2, 3), sign(2, 3)], [True, True, False])

# hinge_embedding_loss
x = randn(2, 4)
x[0, 0] = 1.0  # at the kink for margin 1
yh = sign(2, 4)
yh[0, 0] = -1.0
case("hinge_m1_mean", lambda x, y: F.hinge_embedding_loss(x, y), [x, yh], [True, False])
yz = yh.clone()
yz[1, 2] = 0.0  # neither ±1: both terms
case("hinge_m25_sum", lambda x, y: F.hinge_embedding_loss(x, y, margin=2.5, reduction="sum"),
     [x * 2, yz], [True, False])
case("hinge_m05_none", lambda x, y: F.hinge_embedding_loss(x, y, margin=0.5, reduction="none"),
     [x, yh], [True, False])

# soft_margin_loss
case("soft_mean", lambda x, y: F.soft_margin_loss(x, y), [randn(3, 3) * 3, sign(3, 3)], [True, False])
case("soft_none", lambda x, y: F.soft_margin_loss(x, y, reduction="none"), [randn(5), sign(5)], [True, False])
case("soft_sum", lambda x, y: F.soft_margin_loss(x, y, reduction="sum"), [randn(2, 3), sign(2, 3)], [True, False])

# cosine_embedding_loss
a = randn(5, 3)
b = randn(5, 3)
a[3] *= 1e-7  # a tiny row: the 1e-12 in the denominator matters
yc = sign(5)
case("cosine_m0_mean", lambda a, b, y: F.cosine_embedding_loss(a, b, y), [a, b, yc], [True, True, False])
case("cosine_m03_sum", lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=0.3, reduction="sum"),
     [a, b, -yc], [True, True, False])
case("cosine_mneg_none", lambda a, b, y: F.cosine_embedding_loss(a, b, y, margin=-0.2, reduction="none"),
     [randn(4, 6), randn(4, 6), torch.tensor([1.0, -1.0, -1.0, 1.0])], [True, True, False])

# triplet_margin_loss
an, po, ne = randn(4, 5), randn(4, 5), randn(4, 5)
case("triplet_default_mean", lambda a, p, n: F.triplet_margin_loss(a, p, n), [an, po, ne], [True, True, True])
case("triplet_p1_swap_sum",
     lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=2.0, p=1.0, swap=True, reduction="sum"),
     [an, po, ne], [True, True, True])
case("triplet_p3_none",
     lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=0.5, p=3.0, eps=1e-3, reduction="none"),
     [an, po, ne], [True, True, True])
case("triplet_1d_swap",
     lambda a, p, n: F.triplet_margin_loss(a, p, n, margin=1.5, swap=True),
     [randn(6), randn(6), randn(6)], [True, True, True])

# multilabel_soft_margin_loss
xm = randn(3, 5) * 2
ym = (rand(3, 5) < 0.5).double()
case("multilabel_mean", lambda x, y: F.multilabel_soft_margin_loss(x, y), [xm, ym], [True, False])
case("multilabel_none", lambda x, y: F.multilabel_soft_margin_loss(x, y, reduction="none"), [xm, ym], [True, True])
case("multilabel_sum", lambda x, y: F.multilabel_soft_margin_loss(x, y, reduction="sum"),
     [randn(2, 4), rand(2, 4)], [True, False])


def num(v):
    # PyTorch's NaN target gradients of the full Poisson loss at t = 0 (0·ln 0 through
    # masked_fill); the test checks that the tape's are finite there instead.
    return "f64::NAN" if v != v else repr(float(v))


def arr(t):
    return "&[" + ", ".join(num(v) for v in t.flatten().tolist()) + "]"


def shape(t):
    return "&[" + ", ".join(str(d) for d in t.shape) + "]"


print(f"// Generated by scripts/torch_loss_more_reference.py with torch {torch.__version__} (float64).")
print("const CASES: &[Case] = &[")
for name, xs, out, cot, gs in CASES:
    print("    Case {")
    print(f"        name: {name!r},".replace("'", '"'))
    print("        inputs: &[")
    for x in xs:
        print(f"            ({shape(x)}, {arr(x.detach())}, {str(x.requires_grad).lower()}),")
    print("        ],")
    print(f"        out: ({shape(out)}, {arr(out)}),")
    print(f"        cot: {arr(cot)},")
    print("        grads: &[" + ", ".join(arr(g) for g in gs) + "],")
    print("    },")
print("];")
