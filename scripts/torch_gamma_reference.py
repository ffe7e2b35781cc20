"""Reference values of torch's lgamma, digamma and polygamma(n) for n = 1, 2, 3 for
crates/tape/tests/core.rs (`gamma_functions_follow_torch`): values and derivatives at
the points below, in float64, as the rows lgamma, digamma, polygamma(1), ..., polygamma(4)
(each one's derivative by autograd is the next row, which the script checks), then the
same rows from mpmath at 200 bits, rounded to float64 (the "exact" table; at the poles,
where mpmath has no value, torch's).

torch's trigamma (polygamma(1, x), and digamma's derivative) sums its asymptotic series
only to B6, about 5e-10 relative off for x between 0.1 and 25; its polygamma(n >= 2) at a
negative x sums Hurwitz's zeta directly. Both tables are printed so the test can tell
where torch's own error exceeds the tolerance.

    python scripts/torch_gamma_reference.py   # torch 2.15 (mpmath comes with it)
"""
import mpmath
import torch

mpmath.mp.prec = 200

X = [1e-6, 1e-3, 0.1, 0.5, 1.0, 1.4616321449683623, 2.0, 3.7, 9.5, 10.0, 12.5, 25.5, 100.0,
     1e3, -0.5, -1.5, -2.7, -10.3, 0.0, -1.0, -2.0]

# lgamma, digamma, polygamma(1..4): each one's derivative is the next.
FUNCTIONS = [
    ("lgamma", torch.lgamma),
    ("digamma", torch.digamma),
    ("polygamma1", lambda x: torch.polygamma(1, x)),
    ("polygamma2", lambda x: torch.polygamma(2, x)),
    ("polygamma3", lambda x: torch.polygamma(3, x)),
    ("polygamma4", lambda x: torch.polygamma(4, x)),
]


def exact(k, x):
    """ln|Γ| for k = 0, else ψ^(k-1); None at a pole."""
    if x <= 0 and x == int(x):
        return None
    v = mpmath.mpf(x)
    if k == 0:
        return float(mpmath.log(abs(mpmath.gamma(v))))
    return float(mpmath.polygamma(k - 1, v))


def fmt(vs):
    return "&[" + ", ".join(repr(float(v)).replace("inf", "f64::INFINITY").replace("nan", "f64::NAN")
                           for v in vs) + "]"


x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
rows = [f(x) for _, f in FUNCTIONS]
for k in range(len(rows) - 1):
    # torch's derivative by autograd is its next function, bit for bit.
    (g,) = torch.autograd.grad(rows[k].sum(), x)
    assert torch.equal(g.nan_to_num(), rows[k + 1].detach().nan_to_num()), FUNCTIONS[k][0]
print("torch:")
for (name, _), y in zip(FUNCTIONS, rows):
    print(f'("{name}", {fmt(y.detach().tolist())}),')
print("exact:")
for k, ((name, _), y) in enumerate(zip(FUNCTIONS, rows)):
    ys = [exact(k, xi) for xi in X]
    print(f'("{name}", {fmt(t if e is None else e for e, t in zip(ys, y.detach().tolist()))}),')
