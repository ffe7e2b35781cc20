"""Reference learning rates of torch.optim.lr_scheduler for crates/nn/tests/lr_schedule.rs.

For each case: an optimizer with the case's base lr, the case's scheduler(s) made on it,
then STEPS rounds of optimizer.step() and scheduler.step(). Prints the lr after the
scheduler is made (epoch 0) and after every step, as Rust (name, &[f64]) entries; for
OneCycleLR and CyclicLR (TORCH_CYCLE), (name, lrs, momenta) entries.

The lrs are Python floats whatever the parameters' dtype or the optimizer: the script
checks that SGD and Adam, with float64 and float32 parameters, give the same lrs (bit for
bit), and that get_last_lr() is the param group's lr, then prints them once.

    /work/venv/bin/python scripts/torch_lr_reference.py   # torch 2.15
"""
import math

import torch
from torch.optim import lr_scheduler as S

# name: (base lr, steps, [scheduler makers], {epoch: lr set by hand before that step})
CASES = {
    "step_3_half": (0.1, 40, [lambda o: S.StepLR(o, step_size=3, gamma=0.5)], {}),
    "step_7_tenth": (0.05, 40, [lambda o: S.StepLR(o, step_size=7, gamma=0.1)], {}),
    "step_1_0.9": (0.3, 40, [lambda o: S.StepLR(o, step_size=1, gamma=0.9)], {}),
    "step_3_half_manual": (0.1, 40, [lambda o: S.StepLR(o, step_size=3, gamma=0.5)], {7: 0.02}),
    "multistep_5_12_30": (0.1, 40, [lambda o: S.MultiStepLR(o, milestones=[5, 12, 30], gamma=0.1)], {}),
    "multistep_0_3_4": (0.07, 20, [lambda o: S.MultiStepLR(o, milestones=[0, 3, 4], gamma=0.5)], {}),
    "exponential_0.9": (0.1, 40, [lambda o: S.ExponentialLR(o, gamma=0.9)], {}),
    "exponential_0.99": (1e-3, 60, [lambda o: S.ExponentialLR(o, gamma=0.99)], {}),
    "cosine_10_0": (0.1, 60, [lambda o: S.CosineAnnealingLR(o, T_max=10)], {}),
    "cosine_7_1e-3": (0.05, 60, [lambda o: S.CosineAnnealingLR(o, T_max=7, eta_min=1e-3)], {}),
    "cosine_1_0": (0.1, 12, [lambda o: S.CosineAnnealingLR(o, T_max=1)], {}),
    "cosine_5_above": (0.1, 30, [lambda o: S.CosineAnnealingLR(o, T_max=5, eta_min=0.2)], {}),
    "cosine_10_0_manual": (0.1, 40, [lambda o: S.CosineAnnealingLR(o, T_max=10)], {4: 0.5}),
    "linear_default": (0.1, 30, [lambda o: S.LinearLR(o)], {}),
    "linear_1_0_20": (0.1, 30, [lambda o: S.LinearLR(o, start_factor=1.0, end_factor=0.0, total_iters=20)], {}),
    "linear_0.25_0.75_10": (0.02, 30, [lambda o: S.LinearLR(o, start_factor=0.25, end_factor=0.75, total_iters=10)], {}),
    "linear_0.1_1_0": (0.1, 10, [lambda o: S.LinearLR(o, start_factor=0.1, end_factor=1.0, total_iters=0)], {}),
    "constant_default": (0.1, 20, [lambda o: S.ConstantLR(o)], {}),
    "constant_0.3_0": (0.1, 10, [lambda o: S.ConstantLR(o, factor=0.3, total_iters=0)], {}),
    "polynomial_10_2": (0.1, 30, [lambda o: S.PolynomialLR(o, total_iters=10, power=2.0)], {}),
    "polynomial_8_0.5": (0.03, 30, [lambda o: S.PolynomialLR(o, total_iters=8, power=0.5)], {}),
    "lambda_pow": (0.1, 40, [lambda o: S.LambdaLR(o, lambda e: 0.95**e)], {}),
    "lambda_warmup_rsqrt": (0.1, 40, [lambda o: S.LambdaLR(o, lambda e: (e + 1) / 5 if e < 5 else 1 / math.sqrt(e / 4))], {}),
    "multiplicative_0.95": (0.1, 40, [lambda o: S.MultiplicativeLR(o, lambda e: 0.95)], {}),
    "multiplicative_alt": (0.1, 40, [lambda o: S.MultiplicativeLR(o, lambda e: 0.9 if e % 2 else 1.05)], {}),
    "chain_linear_exponential": (0.1, 40, [lambda o: S.LinearLR(o, start_factor=0.2, total_iters=4), lambda o: S.ExponentialLR(o, gamma=0.95)], {}),
    "chain_step_cosine": (0.1, 40, [lambda o: S.StepLR(o, step_size=5, gamma=0.7), lambda o: S.CosineAnnealingLR(o, T_max=8, eta_min=1e-3)], {}),
}

# ReduceLROnPlateau: the metric of each epoch, and per case (base lr, keyword arguments).
METRICS = [
    1.0, 0.9, 0.85, 0.85, 0.86, 0.849, 0.85, 0.851, 0.84, 0.84,
    0.84, 0.84, 0.8399, 0.83, 0.83, 0.83, 0.83, 0.83, 0.83, 0.82,
    0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9,
]
PLATEAU = {
    "plateau_min_rel_p2": (0.1, dict(mode="min", factor=0.5, patience=2)),
    "plateau_min_abs_cooldown": (0.1, dict(mode="min", factor=0.3, patience=1, threshold=0.005, threshold_mode="abs", cooldown=2)),
    "plateau_max_rel_minlr": (0.1, dict(mode="max", factor=0.5, patience=0, min_lr=0.01)),
    "plateau_max_abs_eps": (0.1, dict(mode="max", factor=0.9, patience=0, threshold=0.0, threshold_mode="abs", eps=0.005)),
    "plateau_default": (0.1, dict()),
}


# OneCycleLR and CyclicLR, stepped per batch: name: (steps, scheduler maker). The lr and
# the momentum (SGD's momentum, Adam's beta1) are printed after the scheduler is made and
# after every step. The optimizers start at lr 0.1 and momentum (or beta1) 0.9.
CYCLES = {
    "onecycle_cos_default": (25, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=25)),
    "onecycle_linear_0.25": (30, lambda o: S.OneCycleLR(o, max_lr=0.05, total_steps=30, pct_start=0.25, anneal_strategy="linear")),
    "onecycle_three_phase_cos": (40, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=40, three_phase=True)),
    "onecycle_three_phase_linear": (20, lambda o: S.OneCycleLR(o, max_lr=1.0, total_steps=20, pct_start=0.4, anneal_strategy="linear", three_phase=True, div_factor=10.0, final_div_factor=100.0)),
    "onecycle_momenta_0.8_0.99": (17, lambda o: S.OneCycleLR(o, max_lr=0.3, total_steps=17, base_momentum=0.8, max_momentum=0.99, div_factor=3.0, final_div_factor=7.0)),
    "onecycle_no_momentum": (15, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=15, cycle_momentum=False)),
    "onecycle_pct_0": (10, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=0.0)),
    "onecycle_pct_1": (9, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=10, pct_start=1.0)),
    "onecycle_total_1": (1, lambda o: S.OneCycleLR(o, max_lr=0.1, total_steps=1)),
    "cyclic_triangular": (30, lambda o: S.CyclicLR(o, base_lr=0.001, max_lr=0.006, step_size_up=4)),
    "cyclic_triangular_3_5": (30, lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.1, step_size_up=3, step_size_down=5)),
    "cyclic_triangular2": (40, lambda o: S.CyclicLR(o, base_lr=0.001, max_lr=0.01, step_size_up=3, mode="triangular2", base_momentum=0.7, max_momentum=0.95)),
    "cyclic_exp_range": (40, lambda o: S.CyclicLR(o, base_lr=0.002, max_lr=0.02, step_size_up=4, step_size_down=2, mode="exp_range", gamma=0.95)),
    "cyclic_down_0": (10, lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.05, step_size_up=3, step_size_down=0)),
    "cyclic_no_momentum": (12, lambda o: S.CyclicLR(o, base_lr=0.01, max_lr=0.05, step_size_up=2, cycle_momentum=False)),
}


def optimizers(lr):
    for dtype in (torch.float64, torch.float32):
        for make in (lambda ps: torch.optim.SGD(ps, lr=lr, momentum=0.9), lambda ps: torch.optim.Adam(ps, lr=lr)):
            p = torch.zeros(2, dtype=dtype, requires_grad=True)
            yield p, make([p])


def last_lr(sched, opt):
    lr = sched.get_last_lr()[0]
    assert lr == opt.param_groups[0]["lr"], (lr, opt.param_groups[0]["lr"])
    return lr


def run(base, steps, makers, manual):
    runs = []
    for p, opt in optimizers(base):
        scheds = [make(opt) for make in makers]
        lrs = [last_lr(scheds[-1], opt)]
        for e in range(1, steps + 1):
            p.grad = torch.ones_like(p)
            opt.step()
            if e in manual:
                opt.param_groups[0]["lr"] = manual[e]
            for s in scheds:
                s.step()
            lrs.append(last_lr(scheds[-1], opt))
        runs.append(lrs)
    assert all(r == runs[0] for r in runs), "lrs depend on the optimizer or dtype"
    return runs[0]


def run_plateau(base, kwargs):
    runs = []
    for p, opt in optimizers(base):
        sched = S.ReduceLROnPlateau(opt, **kwargs)
        lrs = [last_lr(sched, opt)]
        for m in METRICS:
            p.grad = torch.ones_like(p)
            opt.step()
            sched.step(m)
            lrs.append(last_lr(sched, opt))
        runs.append(lrs)
    assert all(r == runs[0] for r in runs), "lrs depend on the optimizer or dtype"
    return runs[0]


def momentum(opt):
    group = opt.param_groups[0]
    return group["betas"][0] if "betas" in group else group["momentum"]


def run_cycle(steps, make):
    runs = []
    for p, opt in optimizers(0.1):
        sched = make(opt)
        lrs, ms = [last_lr(sched, opt)], [momentum(opt)]
        for _ in range(steps):
            p.grad = torch.ones_like(p)
            opt.step()
            sched.step()
            lrs.append(last_lr(sched, opt))
            ms.append(momentum(opt))
        runs.append((lrs, ms))
    assert all(r == runs[0] for r in runs), "lrs or momenta depend on the optimizer or dtype"
    return runs[0]


def emit(name, lrs):
    print(f'    ("{name}", &[{", ".join(repr(float(x)) for x in lrs)}]),')


print(f"// torch {torch.__version__}")
print(f"const TORCH: [(&str, &[f64]); {len(CASES)}] = [")
for name, (base, steps, makers, manual) in CASES.items():
    emit(name, run(base, steps, makers, manual))
print("];")
print(f"const TORCH_PLATEAU: [(&str, &[f64]); {len(PLATEAU)}] = [")
for name, (base, kwargs) in PLATEAU.items():
    emit(name, run_plateau(base, kwargs))
print("];")
print(f"const TORCH_CYCLE: [(&str, &[f64], &[f64]); {len(CYCLES)}] = [")
for name, (steps, make) in CYCLES.items():
    lrs, ms = run_cycle(steps, make)
    print(f'    ("{name}",')
    print(f'     &[{", ".join(repr(float(x)) for x in lrs)}],')
    print(f'     &[{", ".join(repr(float(x)) for x in ms)}]),')
print("];")
