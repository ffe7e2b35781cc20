"""Reference values of torch.nn.BCEWithLogitsLoss with weight= and pos_weight= for
crates/nn/tests/losses_optim.rs (`bce_with_logits_weights_follow_torch`): the loss and its
gradient with respect to the logits, in float64, for the cases below.

    python scripts/torch_bce_reference.py   # torch 2.15
"""
import torch

X = [[-3.0, -0.5, 0.0, 2.5], [40.0, -40.0, 1.0, -1.25], [0.75, 5.0, -7.0, 0.125]]
T = [[1.0, 0.0, 1.0, 0.25], [1.0, 1.0, 0.0, 0.5], [0.0, 1.0, 0.0, 1.0]]
CASES = {
    "pos_weight_per_class": dict(pos_weight=[3.0, 0.5, 1.0, 2.0], reduction="sum"),
    "weight_per_row": dict(weight=[[2.0], [0.5], [1.5]], reduction="mean"),
    "both": dict(weight=[1.0, -1.0, 0.25, 3.0], pos_weight=[[2.0], [4.0], [0.0]], reduction="sum"),
    "scalar_pos_weight": dict(pos_weight=[7.0], reduction="mean"),
}
for name, case in CASES.items():
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    t = torch.tensor(T, dtype=torch.float64)
    kw = {k: torch.tensor(v, dtype=torch.float64) for k, v in case.items() if k != "reduction"}
    loss = torch.nn.BCEWithLogitsLoss(reduction=case["reduction"], **kw)(x, t)
    loss.backward()
    grad = ", ".join(repr(float(g)) for g in x.grad.flatten())
    print(f'("{name}", {float(loss.detach())!r}, [{grad}]),')
