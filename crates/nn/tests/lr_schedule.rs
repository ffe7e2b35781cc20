//! The learning-rate schedulers of `wengert_nn::schedule` against torch 2.15's
//! `torch.optim.lr_scheduler`: the lrs below are printed by
//! `scripts/torch_lr_reference.py` (the lr once the scheduler is made, then after each
//! `scheduler.step()`; the script checks that SGD and Adam with f64 and f32 parameters
//! give the same lrs). Each case runs here on `Sgd` and `Adam`, f64 and f32, with an
//! optimizer step before each scheduler step as in training. For `OneCycleLr` and
//! `CyclicLr` (TORCH_CYCLE) the momenta (SGD's momentum, Adam's β₁) are checked too.

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use wengert_nn::optim::{Adam, Optimizer, Sgd};
use wengert_nn::schedule::{
    AnnealStrategy, ChainedScheduler, ConstantLr, CosineAnnealingLr, CyclicConfig, CyclicLr, CyclicMode,
    ExponentialLr, LambdaLr, LinearLr, LrScheduler, MultiStepLr, MultiplicativeLr, OneCycleConfig,
    OneCycleLr, PlateauConfig, PlateauMode, PolynomialLr, ReduceLrOnPlateau, StepLr, ThresholdMode,
};
use wengert_tape::{Error, Float};

/// The script's case `case`: its base lr and the lr it sets by hand before a step, if any.
fn base_lr(case: &str) -> f64 {
    match case {
        "step_7_tenth" | "cosine_7_1e-3" => 0.05,
        "step_1_0.9" => 0.3,
        "multistep_0_3_4" => 0.07,
        "exponential_0.99" => 1e-3,
        "linear_0.25_0.75_10" => 0.02,
        "polynomial_8_0.5" => 0.03,
        _ => 0.1,
    }
}

/// The lr the script sets by hand before the scheduler's step `e`.
fn manual(case: &str, e: usize) -> Option<f64> {
    match (case, e) {
        ("step_3_half_manual", 7) => Some(0.02),
        ("cosine_10_0_manual", 4) => Some(0.5),
        _ => None,
    }
}

/// The script's schedulers for `case`, made on `opt` in its order.
fn schedulers<T: Float>(case: &str, opt: &mut dyn Optimizer<T>) -> Vec<Box<dyn LrScheduler>> {
    fn b(s: impl LrScheduler + 'static) -> Box<dyn LrScheduler> {
        Box::new(s)
    }
    let one =
        match case {
            "step_3_half" | "step_3_half_manual" => b(StepLr::new(opt, 3, 0.5).unwrap()),
            "step_7_tenth" => b(StepLr::new(opt, 7, 0.1).unwrap()),
            "step_1_0.9" => b(StepLr::new(opt, 1, 0.9).unwrap()),
            "multistep_5_12_30" => b(MultiStepLr::new(opt, &[5, 12, 30], 0.1).unwrap()),
            "multistep_0_3_4" => b(MultiStepLr::new(opt, &[0, 3, 4], 0.5).unwrap()),
            "exponential_0.9" => b(ExponentialLr::new(opt, 0.9).unwrap()),
            "exponential_0.99" => b(ExponentialLr::new(opt, 0.99).unwrap()),
            "cosine_10_0" | "cosine_10_0_manual" => b(CosineAnnealingLr::new(opt, 10, 0.0).unwrap()),
            "cosine_7_1e-3" => b(CosineAnnealingLr::new(opt, 7, 1e-3).unwrap()),
            "cosine_1_0" => b(CosineAnnealingLr::new(opt, 1, 0.0).unwrap()),
            "cosine_5_above" => b(CosineAnnealingLr::new(opt, 5, 0.2).unwrap()),
            "linear_default" => b(LinearLr::new(opt, 1.0 / 3.0, 1.0, 5).unwrap()),
            "linear_1_0_20" => b(LinearLr::new(opt, 1.0, 0.0, 20).unwrap()),
            "linear_0.25_0.75_10" => b(LinearLr::new(opt, 0.25, 0.75, 10).unwrap()),
            "linear_0.1_1_0" => b(LinearLr::new(opt, 0.1, 1.0, 0).unwrap()),
            "constant_default" => b(ConstantLr::new(opt, 1.0 / 3.0, 5).unwrap()),
            "constant_0.3_0" => b(ConstantLr::new(opt, 0.3, 0).unwrap()),
            "polynomial_10_2" => b(PolynomialLr::new(opt, 10, 2.0).unwrap()),
            "polynomial_8_0.5" => b(PolynomialLr::new(opt, 8, 0.5).unwrap()),
            // Python's 0.95**e is C's pow, as f64::powf.
            "lambda_pow" => b(LambdaLr::new(opt, |e| 0.95f64.powf(e as f64))),
            "lambda_warmup_rsqrt" => b(LambdaLr::new(opt, |e| {
                if e < 5 {
                    (e + 1) as f64 / 5.0
                } else {
                    1.0 / (e as f64 / 4.0).sqrt()
                }
            })),
            "multiplicative_0.95" => b(MultiplicativeLr::new(opt, |_| 0.95)),
            "multiplicative_alt" => b(MultiplicativeLr::new(opt, |e| if e % 2 == 1 { 0.9 } else { 1.05 })),
            "chain_linear_exponential" => {
                let first = b(LinearLr::new(opt, 0.2, 1.0, 4).unwrap());
                return vec![first, b(ExponentialLr::new(opt, 0.95).unwrap())];
            }
            "chain_step_cosine" => {
                let first = b(StepLr::new(opt, 5, 0.7).unwrap());
                return vec![first, b(CosineAnnealingLr::new(opt, 8, 1e-3).unwrap())];
            }
            _ => unreachable!("{case}"),
        };
    vec![one]
}

/// The four optimizers of the script (SGD with momentum and Adam; T is the dtype).
fn optimizers<T: Float>(lr: f64) -> [(&'static str, Box<dyn Optimizer<T>>); 2] {
    let t = T::from_f64;
    [("Sgd", Box::new(Sgd::new(t(lr)).momentum(t(0.9)))), ("Adam", Box::new(Adam::new(t(lr))))]
}

/// One optimizer step on a dummy parameter, as the script's.
fn train_step<T: Float>(opt: &mut dyn Optimizer<T>, p: &mut [T; 2]) {
    opt.update_slices(&mut [p], &[&[T::ONE; 2]]).unwrap();
}

/// Units in the last place of f64 between `got` and torch's `want` (0 if both are 0).
fn ulps(got: f64, want: f64) -> f64 {
    if got == want {
        0.0
    } else {
        (got - want).abs() / (want.abs() * f64::EPSILON)
    }
}

/// Checks the scheduler's lr (f64) and the optimizer's (T) at epoch `e` against torch's
/// `want`, and returns the scheduler's error in ulps.
fn check_epoch<T: Float>(what: &str, e: usize, sched_lr: f64, opt_lr: T, want: f64) -> f64 {
    let u = ulps(sched_lr, want);
    assert!(u <= 4.0, "{what} epoch {e}: lr {sched_lr:e}, torch {want:e} ({u:.1} ulp)");
    // The optimizer holds the scheduler's lr, rounded to T; with the scheduler's lr
    // torch's, that is torch's lr rounded to T.
    assert_eq!(opt_lr, T::from_f64(sched_lr), "{what} epoch {e}: optimizer lr vs scheduler lr");
    let tol = 4.0 * T::EPSILON.to_f64() * want.abs();
    assert!(
        (opt_lr.to_f64() - want).abs() <= tol,
        "{what} epoch {e}: optimizer lr {opt_lr:e}, torch {want:e}"
    );
    u
}

/// Runs every case of TORCH on Sgd and Adam in T; returns the largest error in ulps. With
/// `chain`, the schedulers of a chained case are stepped as one [`ChainedScheduler`], else
/// one after the other on the optimizer (as the script does).
fn check_cases<T: Float>(chain: bool) -> f64 {
    let mut worst: f64 = 0.0;
    for (case, want) in TORCH {
        for (name, mut opt) in optimizers::<T>(base_lr(case)) {
            let what = format!("{case} on {name}<{}>", T::NAME);
            let mut scheds = schedulers(case, &mut *opt);
            if chain && scheds.len() > 1 {
                scheds = vec![Box::new(ChainedScheduler::new(scheds).unwrap())];
            }
            let mut p = [T::ZERO; 2];
            let last = |s: &[Box<dyn LrScheduler>]| s.last().expect("a scheduler").last_lr();
            worst = worst.max(check_epoch(&what, 0, last(&scheds), opt.lr(), want[0]));
            for (e, &w) in want.iter().enumerate().skip(1) {
                train_step(&mut *opt, &mut p);
                if let Some(lr) = manual(case, e) {
                    opt.set_lr(T::from_f64(lr));
                }
                let mut stepped = 0.0;
                for s in &mut scheds {
                    stepped = s.step(&mut *opt);
                    assert_eq!(s.last_epoch(), e, "{what}");
                }
                assert_eq!(stepped, last(&scheds), "{what}: step returns the lr");
                worst = worst.max(check_epoch(&what, e, stepped, opt.lr(), w));
            }
        }
    }
    worst
}

#[test]
fn schedulers_follow_torch_on_f64_optimizers() {
    let worst = check_cases::<f64>(false).max(check_cases::<f64>(true));
    eprintln!("largest difference from torch over {} cases (f64): {worst} ulp", TORCH.len());
}

#[test]
fn schedulers_follow_torch_on_f32_optimizers() {
    let worst = check_cases::<f32>(true);
    eprintln!("largest difference from torch over {} cases (f32 optimizers): {worst} ulp", TORCH.len());
}

/// The script's metric per epoch for ReduceLROnPlateau.
const METRICS: [f64; 30] = [
    1.0, 0.9, 0.85, 0.85, 0.86, 0.849, 0.85, 0.851, 0.84, 0.84, //
    0.84, 0.84, 0.8399, 0.83, 0.83, 0.83, 0.83, 0.83, 0.83, 0.82, //
    0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9,
];

/// The script's ReduceLROnPlateau arguments for `case`.
fn plateau(case: &str) -> PlateauConfig {
    let d = PlateauConfig::default();
    match case {
        "plateau_min_rel_p2" => PlateauConfig { factor: 0.5, patience: 2, ..d },
        "plateau_min_abs_cooldown" => PlateauConfig {
            factor: 0.3,
            patience: 1,
            threshold: 0.005,
            threshold_mode: ThresholdMode::Abs,
            cooldown: 2,
            ..d
        },
        "plateau_max_rel_minlr" => {
            PlateauConfig { mode: PlateauMode::Max, factor: 0.5, patience: 0, min_lr: 0.01, ..d }
        }
        "plateau_max_abs_eps" => PlateauConfig {
            mode: PlateauMode::Max,
            factor: 0.9,
            patience: 0,
            threshold: 0.0,
            threshold_mode: ThresholdMode::Abs,
            eps: 0.005,
            ..d
        },
        "plateau_default" => d,
        _ => unreachable!("{case}"),
    }
}

fn check_plateau<T: Float>() -> f64 {
    let mut worst: f64 = 0.0;
    for (case, want) in TORCH_PLATEAU {
        for (name, mut opt) in optimizers::<T>(0.1) {
            let what = format!("{case} on {name}<{}>", T::NAME);
            let mut sched = ReduceLrOnPlateau::new(&*opt, plateau(case)).unwrap();
            let mut p = [T::ZERO; 2];
            worst = worst.max(check_epoch(&what, 0, sched.last_lr(), opt.lr(), want[0]));
            for (e, (&m, &w)) in METRICS.iter().zip(&want[1..]).enumerate() {
                train_step(&mut *opt, &mut p);
                let lr = sched.step(m, &mut *opt);
                assert_eq!((lr, sched.last_epoch()), (sched.last_lr(), e + 1), "{what}");
                worst = worst.max(check_epoch(&what, e + 1, lr, opt.lr(), w));
            }
        }
    }
    worst
}

#[test]
fn reduce_on_plateau_follows_torch() {
    let (a, b) = (check_plateau::<f64>(), check_plateau::<f32>());
    eprintln!("largest difference from torch, ReduceLROnPlateau: {} ulp", a.max(b));
}

#[test]
fn reduce_on_plateau_counts_nan_as_bad_and_follows_a_manual_lr() {
    let mut opt = Sgd::new(0.1);
    let cfg = PlateauConfig { factor: 0.5, patience: 0, ..PlateauConfig::default() };
    let mut sched = ReduceLrOnPlateau::new(&opt, cfg).unwrap();
    assert_eq!(sched.step(1.0, &mut opt), 0.1);
    assert_eq!(sched.step(f64::NAN, &mut opt), 0.05); // NaN < best is false: a bad epoch
    assert_eq!(sched.best(), 1.0);
    opt.set_lr(0.4);
    assert_eq!(sched.step(2.0, &mut opt), 0.2); // halves the optimizer's lr, as torch
    assert_eq!(opt.lr(), 0.2);
    sched.reset();
    assert_eq!((sched.best(), sched.num_bad_epochs()), (f64::INFINITY, 0));
}

/// `result` is an `InvalidArgument` of scheduler `op` whose message names `value`.
fn refused<S: std::fmt::Debug>(result: wengert_tape::Result<S>, op: &str, value: &str) {
    match result {
        Err(e @ Error::InvalidArgument { op: got, .. }) if got == op => {
            let msg = e.to_string();
            assert!(msg.starts_with(&format!("{op}: ")) && msg.contains(value), "{msg}");
        }
        other => panic!("{op} with {value}: expected InvalidArgument, got {other:?}"),
    }
}

#[test]
fn invalid_hyperparameters_are_refused_with_the_scheduler_and_value() {
    let mut opt = Sgd::new(0.1);
    let o = &mut opt;
    refused(StepLr::new(o, 0, 0.1), "StepLR", "step_size must be ≥ 1, got 0");
    refused(StepLr::new(o, 3, f64::NAN), "StepLR", "gamma must be finite and ≥ 0, got NaN");
    refused(StepLr::new(o, 3, f64::INFINITY), "StepLR", "got inf");
    refused(StepLr::new(o, 3, -0.5), "StepLR", "got -0.5");
    refused(MultiStepLr::new(o, &[2, 5, 5], 0.1), "MultiStepLR", "strictly increasing, got 5 after 5");
    refused(MultiStepLr::new(o, &[8, 3], 0.1), "MultiStepLR", "got 3 after 8");
    refused(MultiStepLr::new(o, &[3, 8], f64::NAN), "MultiStepLR", "got NaN");
    refused(ExponentialLr::new(o, -0.9), "ExponentialLR", "got -0.9");
    refused(ExponentialLr::new(o, f64::NEG_INFINITY), "ExponentialLR", "got -inf");
    refused(CosineAnnealingLr::new(o, 0, 0.0), "CosineAnnealingLR", "t_max must be ≥ 1, got 0");
    refused(
        CosineAnnealingLr::new(o, 10, -1e-3),
        "CosineAnnealingLR",
        "eta_min must be finite and ≥ 0, got -0.001",
    );
    refused(CosineAnnealingLr::new(o, 10, f64::NAN), "CosineAnnealingLR", "got NaN");
    refused(LinearLr::new(o, 0.0, 1.0, 5), "LinearLR", "start_factor must be in (0, 1], got 0");
    refused(LinearLr::new(o, 1.5, 1.0, 5), "LinearLR", "got 1.5");
    refused(LinearLr::new(o, f64::NAN, 1.0, 5), "LinearLR", "start_factor must be in (0, 1], got NaN");
    refused(LinearLr::new(o, 0.5, -0.1, 5), "LinearLR", "end_factor must be in [0, 1], got -0.1");
    refused(LinearLr::new(o, 0.5, 1.1, 5), "LinearLR", "got 1.1");
    refused(LinearLr::new(o, 0.5, f64::NAN, 5), "LinearLR", "end_factor must be in [0, 1], got NaN");
    refused(ConstantLr::new(o, 0.0, 5), "ConstantLR", "factor must be in (0, 1], got 0");
    refused(ConstantLr::new(o, 1.01, 5), "ConstantLR", "got 1.01");
    refused(PolynomialLr::new(o, 5, -1.0), "PolynomialLR", "power must be finite and ≥ 0, got -1");
    refused(PolynomialLr::new(o, 5, f64::NAN), "PolynomialLR", "got NaN");
    let d = PlateauConfig::default();
    let plateau = |cfg| ReduceLrOnPlateau::new(&Sgd::new(0.1), cfg);
    refused(
        plateau(PlateauConfig { factor: 1.0, ..d }),
        "ReduceLROnPlateau",
        "factor must be in [0, 1), got 1",
    );
    refused(plateau(PlateauConfig { factor: f64::NAN, ..d }), "ReduceLROnPlateau", "got NaN");
    refused(
        plateau(PlateauConfig { threshold: -1e-4, ..d }),
        "ReduceLROnPlateau",
        "threshold must be finite",
    );
    refused(
        plateau(PlateauConfig { min_lr: f64::INFINITY, ..d }),
        "ReduceLROnPlateau",
        "min_lr must be finite",
    );
    refused(plateau(PlateauConfig { eps: f64::NAN, ..d }), "ReduceLROnPlateau", "eps must be finite");
    // A refused scheduler leaves the optimizer's lr as it was (LinearLR would scale it).
    assert_eq!(opt.lr(), 0.1);
    // What PyTorch accepts, at the edges, is accepted.
    let o = &mut opt;
    assert!(StepLr::new(o, 1, 0.0).is_ok() && StepLr::new(o, 1, 2.0).is_ok());
    assert!(MultiStepLr::new(o, &[], 0.1).is_ok() && MultiStepLr::new(o, &[0], 0.1).is_ok());
    assert!(LinearLr::new(o, 1.0, 0.0, 0).is_ok() && ConstantLr::new(o, 1.0, 0).is_ok());
    assert!(PolynomialLr::new(o, 0, 0.0).is_ok() && CosineAnnealingLr::new(o, 1, 1.0).is_ok());
}

#[test]
fn made_schedulers_set_epoch_zero_at_once() {
    let mut opt = Adam::<f32>::new(0.1);
    let s = LinearLr::new(&mut opt, 0.5, 1.0, 4).unwrap();
    assert_eq!((s.last_epoch(), s.last_lr(), s.base_lr(), opt.lr()), (0, 0.05, 0.1, 0.05));
    // The base lr of an f32 optimizer is the decimal written (0.1, not 0.100000001490116).
    let mut sgd = Sgd::<f32>::new(0.3);
    assert_eq!(StepLr::new(&mut sgd, 2, 0.5).unwrap().base_lr(), 0.3);
}

/// The closed form of CosineAnnealingLR, periodic past T_max as torch's recursion.
fn cosine_closed(base: f64, eta: f64, t_max: usize, e: usize) -> f64 {
    eta + (base - eta) * (1.0 + (std::f64::consts::PI * e as f64 / t_max as f64).cos()) / 2.0
}

proptest! {
    #![proptest_config(Config { cases: 200, rng_seed: RngSeed::Fixed(0x5C4ED), failure_persistence: None, ..Config::default() })]

    /// StepLR's recursive lr is lr₀·γ^⌊e/step_size⌋, rounded once per decay: within
    /// k + 2 ulp after k decays (k half-ulp products, and powi's own error).
    #[test]
    fn step_lr_is_the_closed_form(
        lr0 in 1e-5..1.0f64, gamma in 0.1..1.0f64, step_size in 1..10usize, epochs in 0..80usize, f32_opt: bool,
    ) {
        let (lr, opt_lr, base) = if f32_opt {
            let mut opt = Sgd::<f32>::new(lr0 as f32);
            let mut s = StepLr::new(&mut opt, step_size, gamma).unwrap();
            for _ in 0..epochs { s.step(&mut opt); }
            prop_assert_eq!(opt.lr(), s.last_lr() as f32);
            (s.last_lr(), opt.lr() as f64, s.base_lr())
        } else {
            let mut opt = Sgd::new(lr0);
            let mut s = StepLr::new(&mut opt, step_size, gamma).unwrap();
            for _ in 0..epochs { s.step(&mut opt); }
            (s.last_lr(), opt.lr(), s.base_lr())
        };
        if !f32_opt {
            prop_assert_eq!((base, opt_lr), (lr0, lr));
        }
        let k = epochs / step_size;
        let closed = base * gamma.powi(k as i32);
        prop_assert!(ulps(lr, closed) <= (k + 2) as f64, "{} vs {} ({} ulp, k {})", lr, closed, ulps(lr, closed), k);
    }

    /// CosineAnnealingLR's recursion (torch's) stays on the closed form, periodic past
    /// T_max, within a few ε·max(η₀, η_min) per epoch, plus, past each trough at T_max +
    /// 2k·T_max, up to about (2·T_max²/π²)·ε·max(η₀, η_min): there the lr is η_min + δ,
    /// δ = (η₀ − η_min)(1 − cos(π/T_max))/2 small, and the rounding errors of η_min + δ
    /// and of 1 − cos(π/T_max) grow with lr − η_min by (η₀ − η_min)/δ on the way back up
    /// (torch's lrs drift alike: they are the same numbers).
    #[test]
    fn cosine_annealing_stays_on_the_closed_form(
        lr0 in 1e-4..1.0f64, eta_frac in prop_oneof![Just(0.0), 0.0..1.5f64], t_max in 1..200usize, cycles in 1..4usize,
    ) {
        let eta = lr0 * eta_frac;
        let mut opt = Sgd::new(lr0);
        let mut s = CosineAnnealingLr::new(&mut opt, t_max, eta).unwrap();
        let scale = lr0.max(eta);
        for e in 1..=cycles * 2 * t_max {
            let lr = s.step(&mut opt);
            let closed = cosine_closed(lr0, eta, t_max, e);
            let troughs = if e > t_max { (e - t_max - 1) / (2 * t_max) + 1 } else { 0 };
            let tol = 4.0 * (e + 1) as f64 * f64::EPSILON * scale
                + (troughs * t_max * t_max) as f64 * f64::EPSILON * scale;
            prop_assert!((lr - closed).abs() <= tol, "epoch {}: {} vs {} ({:e} > {:e})", e, lr, closed, (lr - closed).abs(), tol);
            // Never (beyond rounding) outside [min, max] of η₀ and η_min.
            prop_assert!(lr >= lr0.min(eta) - tol && lr <= scale + tol);
        }
    }

    /// LinearLR's recursion stays on η₀·(s + (f − s)·min(e, n)/n).
    #[test]
    fn linear_lr_stays_on_the_closed_form(
        lr0 in 1e-4..1.0f64, start in 0.01..=1.0f64, end in 0.0..=1.0f64, n in 0..100usize,
    ) {
        let mut opt = Sgd::new(lr0);
        let mut s = LinearLr::new(&mut opt, start, end, n).unwrap();
        for e in 1..n + 20 {
            let lr = s.step(&mut opt);
            let closed = if n == 0 { lr0 * start } else { lr0 * (start + (end - start) * e.min(n) as f64 / n as f64) };
            let tol = 4.0 * (e.min(n) + 1) as f64 * f64::EPSILON * lr0;
            prop_assert!((lr - closed).abs() <= tol, "epoch {}: {} vs {}", e, lr, closed);
        }
    }
}

/// The script's OneCycleLR or CyclicLR for `case` (TORCH_CYCLE), made on `opt`, boxed to
/// step it through `dyn LrScheduler` (whose `step` sets the momentum too).
fn cycle_scheduler<T: Float>(case: &str, opt: &mut dyn Optimizer<T>) -> Box<dyn LrScheduler> {
    let one = |opt: &mut dyn Optimizer<T>, max_lr, total, cfg| -> Box<dyn LrScheduler> {
        Box::new(OneCycleLr::new(opt, max_lr, total, cfg).unwrap())
    };
    let oc = OneCycleConfig::default();
    let lin = AnnealStrategy::Linear;
    let cc = CyclicConfig::default();
    let cyc = |opt: &mut dyn Optimizer<T>, base, max, cfg| -> Box<dyn LrScheduler> {
        Box::new(CyclicLr::new(opt, base, max, cfg).unwrap())
    };
    match case {
        "onecycle_cos_default" => one(opt, 0.1, 25, oc),
        "onecycle_linear_0.25" => {
            one(opt, 0.05, 30, OneCycleConfig { pct_start: 0.25, anneal_strategy: lin, ..oc })
        }
        "onecycle_three_phase_cos" => one(opt, 0.1, 40, OneCycleConfig { three_phase: true, ..oc }),
        "onecycle_three_phase_linear" => one(
            opt,
            1.0,
            20,
            OneCycleConfig {
                pct_start: 0.4,
                anneal_strategy: lin,
                three_phase: true,
                div_factor: 10.0,
                final_div_factor: 100.0,
                ..oc
            },
        ),
        "onecycle_momenta_0.8_0.99" => one(
            opt,
            0.3,
            17,
            OneCycleConfig {
                base_momentum: 0.8,
                max_momentum: 0.99,
                div_factor: 3.0,
                final_div_factor: 7.0,
                ..oc
            },
        ),
        "onecycle_no_momentum" => one(opt, 0.1, 15, OneCycleConfig { cycle_momentum: false, ..oc }),
        "onecycle_pct_0" => one(opt, 0.1, 10, OneCycleConfig { pct_start: 0.0, ..oc }),
        "onecycle_pct_1" => one(opt, 0.1, 10, OneCycleConfig { pct_start: 1.0, ..oc }),
        "onecycle_total_1" => one(opt, 0.1, 1, oc),
        "cyclic_triangular" => cyc(opt, 0.001, 0.006, CyclicConfig { step_size_up: 4, ..cc }),
        "cyclic_triangular_3_5" => {
            cyc(opt, 0.01, 0.1, CyclicConfig { step_size_up: 3, step_size_down: Some(5), ..cc })
        }
        "cyclic_triangular2" => cyc(
            opt,
            0.001,
            0.01,
            CyclicConfig {
                step_size_up: 3,
                mode: CyclicMode::Triangular2,
                base_momentum: 0.7,
                max_momentum: 0.95,
                ..cc
            },
        ),
        "cyclic_exp_range" => cyc(
            opt,
            0.002,
            0.02,
            CyclicConfig {
                step_size_up: 4,
                step_size_down: Some(2),
                mode: CyclicMode::ExpRange,
                gamma: 0.95,
                ..cc
            },
        ),
        "cyclic_down_0" => {
            cyc(opt, 0.01, 0.05, CyclicConfig { step_size_up: 3, step_size_down: Some(0), ..cc })
        }
        "cyclic_no_momentum" => {
            cyc(opt, 0.01, 0.05, CyclicConfig { step_size_up: 2, cycle_momentum: false, ..cc })
        }
        _ => panic!("unknown case {case}"),
    }
}

/// Runs every case of TORCH_CYCLE on Sgd (momentum 0.9) and Adam (β₁ 0.9) in T; checks
/// the lrs as [`check_epoch`] and the momenta the same way (the scheduler's within 4 ulp
/// of torch's, the optimizer's the scheduler's rounded to T). Returns the largest error
/// in ulps of the lrs and of the momenta.
fn check_cycles<T: Float>() -> (f64, f64) {
    let (mut worst_lr, mut worst_m): (f64, f64) = (0.0, 0.0);
    for (case, lrs, ms) in TORCH_CYCLE {
        assert_eq!(lrs.len(), ms.len());
        for (name, mut opt) in optimizers::<T>(0.1) {
            let what = format!("{case} on {name}<{}>", T::NAME);
            let mut s = cycle_scheduler(case, &mut *opt);
            let mut p = [T::ZERO; 2];
            for (e, (&want_lr, &want_m)) in lrs.iter().zip(ms.iter()).enumerate() {
                if e > 0 {
                    train_step(&mut *opt, &mut p);
                    assert_eq!(s.step(&mut *opt), s.last_lr(), "{what}");
                }
                assert_eq!(s.last_epoch(), e, "{what}");
                worst_lr = worst_lr.max(check_epoch(&what, e, s.last_lr(), opt.lr(), want_lr));
                let opt_m = opt.momentum_value().expect("Sgd and Adam have a momentum");
                match s.last_momentum() {
                    Some(m) => {
                        let u = ulps(m, want_m);
                        assert!(u <= 4.0, "{what} epoch {e}: momentum {m:e}, torch {want_m:e} ({u:.1} ulp)");
                        worst_m = worst_m.max(u);
                        assert_eq!(opt_m, T::from_f64(m), "{what} epoch {e}: optimizer momentum");
                    }
                    // Not cycled: the optimizer keeps its 0.9, as torch's.
                    None => assert_eq!((opt_m, want_m), (T::from_f64(0.9), 0.9), "{what} epoch {e}"),
                }
            }
        }
    }
    (worst_lr, worst_m)
}

/// What a schedule produced at each epoch: the scheduler's lr (NaN before the epoch's
/// optimizer step), and the optimizer's lr and momentum (as bits).
type Trace = Vec<(u64, u64, Option<u64>)>;

/// Builds a case's schedulers on an optimizer.
type Make<'a, T> = &'a dyn Fn(&mut dyn Optimizer<T>) -> Vec<Box<dyn LrScheduler>>;

fn record<T: Float>(lr: f64, opt: &dyn Optimizer<T>) -> (u64, u64, Option<u64>) {
    (lr.to_bits(), opt.lr().to_f64().to_bits(), opt.momentum_value().map(|m| m.to_f64().to_bits()))
}

/// Runs `epochs` epochs of the schedulers `make` builds (stepped one after the other, as
/// [`check_cases`] does), stopping after epoch `stop` to save every scheduler's state,
/// rebuilding the optimizer and the schedulers as at the start, resuming them from the
/// saved states, and going on. Returns the trace of epochs 1..=epochs, before each
/// optimizer step and after each scheduler step.
fn run_resumed<T: Float>(
    case: &str,
    lr0: f64,
    epochs: usize,
    stop: Option<usize>,
    opt_of: &dyn Fn(f64) -> Box<dyn Optimizer<T>>,
    make: Make<'_, T>,
) -> Trace {
    let mut opt = opt_of(lr0);
    let mut scheds = make(&mut *opt);
    let mut p = [T::ZERO; 2];
    let mut trace = Trace::new();
    for e in 1..=epochs {
        // What the optimizer's step uses: after a resume, what the resume set.
        trace.push(record(f64::NAN, &*opt));
        train_step(&mut *opt, &mut p);
        if let Some(lr) = manual(case, e) {
            opt.set_lr(T::from_f64(lr));
        }
        let mut lr = 0.0;
        for s in &mut scheds {
            lr = s.step(&mut *opt);
        }
        trace.push(record(lr, &*opt));
        if stop == Some(e) {
            let saved: Vec<_> = scheds.iter().map(|s| s.state_dict()).collect();
            opt = opt_of(lr0);
            scheds = make(&mut *opt);
            for (s, d) in scheds.iter_mut().zip(&saved) {
                s.resume(d, &mut *opt).unwrap();
                assert_eq!(s.last_epoch(), e, "{case}: resumed epoch");
            }
        }
    }
    trace
}

/// Every scheduler, stopped and resumed at several epochs (on Sgd with momentum and Adam,
/// f64 and f32; chains both as a `ChainedScheduler` and one after the other), continues
/// bit for bit as the run that never stopped: its lrs and the optimizer's lr and momentum.
fn check_resume<T: Float>() {
    let sgd =
        |lr: f64| -> Box<dyn Optimizer<T>> { Box::new(Sgd::new(T::from_f64(lr)).momentum(T::from_f64(0.9))) };
    let adam = |lr: f64| -> Box<dyn Optimizer<T>> { Box::new(Adam::new(T::from_f64(lr))) };
    let opts: [&dyn Fn(f64) -> Box<dyn Optimizer<T>>; 2] = [&sgd, &adam];
    let mut cases = 0;
    for opt_of in opts {
        for (case, want) in TORCH {
            for chain in [false, true] {
                let make = |opt: &mut dyn Optimizer<T>| {
                    let s = schedulers(case, opt);
                    if chain && s.len() > 1 {
                        vec![Box::new(ChainedScheduler::new(s).unwrap()) as Box<dyn LrScheduler>]
                    } else {
                        s
                    }
                };
                let n = want.len() - 1;
                let whole = run_resumed(case, base_lr(case), n, None, opt_of, &make);
                for stop in [1, 3, n / 2, n - 1] {
                    let resumed = run_resumed(case, base_lr(case), n, Some(stop), opt_of, &make);
                    assert_eq!(resumed, whole, "{case} (chain {chain}) stopped at {stop}");
                    cases += 1;
                }
            }
        }
        for (case, lrs, _) in TORCH_CYCLE {
            let make = |opt: &mut dyn Optimizer<T>| vec![cycle_scheduler(case, opt)];
            let n = lrs.len() - 1;
            let whole = run_resumed(case, 0.1, n, None, opt_of, &make);
            for stop in [1, n / 3, n - 1] {
                assert_eq!(
                    run_resumed(case, 0.1, n, Some(stop), opt_of, &make),
                    whole,
                    "{case} stopped at {stop}"
                );
                cases += 1;
            }
        }
    }
    assert!(cases > 300, "{cases}");
}

#[test]
fn resumed_schedules_continue_bit_for_bit() {
    check_resume::<f64>();
    check_resume::<f32>();
}

#[test]
fn resumed_plateau_continues_bit_for_bit() {
    for (case, _) in TORCH_PLATEAU {
        for stop in [1, 4, 11, 20] {
            let run = |stop: Option<usize>| {
                let mut opt = Sgd::<f32>::new(0.1).momentum(0.9);
                let mut sched = ReduceLrOnPlateau::new(&opt, plateau(case)).unwrap();
                let mut out = Vec::new();
                for (e, &m) in METRICS.iter().enumerate() {
                    out.push((sched.step(m, &mut opt).to_bits(), opt.lr().to_bits(), sched.num_bad_epochs()));
                    if stop == Some(e + 1) {
                        let saved = sched.state_dict();
                        opt = Sgd::new(0.1).momentum(0.9);
                        sched = ReduceLrOnPlateau::new(&opt, plateau(case)).unwrap();
                        sched.resume(&saved, &mut opt).unwrap();
                    }
                }
                out
            };
            assert_eq!(run(Some(stop)), run(None), "{case} stopped at {stop}");
        }
    }
}

/// A state dict saved to a safetensors file and read back resumes the same schedule.
#[test]
fn scheduler_state_survives_a_safetensors_file() {
    let mut opt = Sgd::<f64>::new(0.1);
    let warmup = LinearLr::new(&mut opt, 0.2, 1.0, 4).unwrap();
    let decay = CosineAnnealingLr::new(&mut opt, 9, 1e-3).unwrap();
    let mut sched = ChainedScheduler::new(vec![Box::new(warmup), Box::new(decay)]).unwrap();
    for _ in 0..5 {
        sched.step(&mut opt);
    }
    let dict = sched.state_dict();
    let keys: Vec<&str> = dict.keys().map(String::as_str).collect();
    assert_eq!(keys, ["0.base_lr", "0.last_epoch", "0.last_lr", "1.base_lr", "1.last_epoch", "1.last_lr"]);
    let path = std::env::temp_dir().join(format!("wengert-sched-{}.safetensors", std::process::id()));
    wengert_nn::io::save_safetensors(&path, &dict).unwrap();
    let back = wengert_nn::io::load_safetensors::<f64>(&path).unwrap();
    std::fs::remove_file(&path).unwrap();
    let mut opt2 = Sgd::<f64>::new(0.1);
    let warmup = LinearLr::new(&mut opt2, 0.2, 1.0, 4).unwrap();
    let decay = CosineAnnealingLr::new(&mut opt2, 9, 1e-3).unwrap();
    let mut resumed = ChainedScheduler::new(vec![Box::new(warmup), Box::new(decay)]).unwrap();
    resumed.resume(&back, &mut opt2).unwrap();
    for _ in 0..6 {
        assert_eq!(resumed.step(&mut opt2).to_bits(), sched.step(&mut opt).to_bits());
        assert_eq!(opt2.lr(), opt.lr());
    }
}

/// The refusals of a bad state dict: each names the scheduler and the key, and leaves
/// the scheduler (and, for `resume`, the optimizer) as it was.
#[test]
fn bad_scheduler_state_dicts_are_refused() {
    use wengert_nn::StateDict;
    use wengert_tape::Tensor;
    let mut opt = Sgd::<f64>::new(0.1);
    let mut step = StepLr::new(&mut opt, 2, 0.5).unwrap();
    step.step(&mut opt);
    let good = step.state_dict();
    let with = |key: &str, t: Option<Tensor<f64>>| {
        let mut d = good.clone();
        match t {
            Some(t) => {
                d.insert(key.to_string(), t);
            }
            None => {
                d.shift_remove(key);
            }
        }
        d
    };
    let cases: Vec<(StateDict<f64>, &str)> = vec![
        (with("last_lr", None), "StepLR: state dict: no 'last_lr' entry"),
        (
            with("momentum", Some(Tensor::scalar(0.9))),
            "StepLR: state dict: unexpected key 'momentum' (this scheduler keeps [\"base_lr\", \"last_epoch\", \"last_lr\"])",
        ),
        (
            with("last_epoch", Some(Tensor::new(&[1], vec![3.0]).unwrap())),
            "StepLR: state dict: 'last_epoch' must be a 0-d tensor, got shape [1]",
        ),
        (with("last_epoch", Some(Tensor::scalar(2.5))), "StepLR: state dict: 'last_epoch' must be a whole number ≥ 0, got 2.5"),
        (with("last_epoch", Some(Tensor::scalar(-1.0))), "StepLR: state dict: 'last_epoch' must be a whole number ≥ 0, got -1"),
        (with("base_lr", Some(Tensor::scalar(f64::NAN))), "StepLR: state dict: 'base_lr' must be finite, got NaN"),
    ];
    for (dict, want) in cases {
        let (before, lr) = (step.clone(), opt.lr());
        assert_eq!(step.resume(&dict, &mut opt).unwrap_err().to_string(), want);
        assert_eq!((&step, opt.lr()), (&before, lr), "{want}: changed");
    }

    // OneCycleLr: momentum entries exactly when it cycles the momentum.
    let mut sgd = Sgd::<f64>::new(0.1).momentum(0.9);
    let mut cyc = OneCycleLr::new(&mut sgd, 0.1, 10, OneCycleConfig::default()).unwrap();
    let mut no_m = cyc.state_dict();
    assert!(no_m.shift_remove("last_momentum").is_some());
    assert_eq!(
        cyc.load_state_dict(&no_m).unwrap_err().to_string(),
        "OneCycleLR: state dict: no 'last_momentum' entry, but this scheduler cycles the momentum"
    );
    let flat = OneCycleConfig { cycle_momentum: false, ..OneCycleConfig::default() };
    let mut plain = OneCycleLr::new(&mut sgd, 0.1, 10, flat).unwrap();
    assert_eq!(
        plain.load_state_dict(&cyc.state_dict()).unwrap_err().to_string(),
        "OneCycleLR: state dict: a 'last_momentum' entry, but this scheduler does not cycle the momentum"
    );

    // A chain refuses keys without a known position, and a refusal of its second
    // scheduler leaves the first as it was.
    let mut opt = Sgd::<f64>::new(0.1);
    let a = ExponentialLr::new(&mut opt, 0.9).unwrap();
    let b = StepLr::new(&mut opt, 2, 0.5).unwrap();
    let mut chain = ChainedScheduler::new(vec![Box::new(a), Box::new(b)]).unwrap();
    let mut d = chain.state_dict();
    d.insert("2.last_lr".into(), Tensor::scalar(0.1));
    assert_eq!(
        chain.load_state_dict(&d).unwrap_err().to_string(),
        "ChainedScheduler: state dict: unexpected key '2.last_lr' (the chain has 2 schedulers, 0. to 1.)"
    );
    let before = chain.state_dict();
    let mut d = chain.state_dict();
    d.insert("0.last_epoch".into(), Tensor::scalar(7.0));
    d.insert("1.last_lr".into(), Tensor::scalar(f64::INFINITY));
    assert!(chain.load_state_dict(&d).is_err());
    assert_eq!(chain.state_dict(), before);

    // ReduceLrOnPlateau keeps ±∞ as its best, not NaN.
    let mut plat = ReduceLrOnPlateau::new(&opt, PlateauConfig::default()).unwrap();
    let fresh = plat.state_dict();
    assert_eq!(fresh["best"].data(), [f64::INFINITY]);
    plat.load_state_dict(&fresh).unwrap();
    let mut nan = fresh.clone();
    nan.insert("best".into(), Tensor::scalar(f64::NAN));
    assert_eq!(
        plat.load_state_dict(&nan).unwrap_err().to_string(),
        "ReduceLROnPlateau: state dict: 'best' must be finite, got NaN"
    );

    // A scheduler of one's own gets a state dict, and is refused a resume.
    struct Halving(usize, f64);
    impl LrScheduler for Halving {
        fn advance(&mut self, lr: f64) -> f64 {
            self.0 += 1;
            self.1 = lr / 2.0;
            self.1
        }
        fn last_lr(&self) -> f64 {
            self.1
        }
        fn last_epoch(&self) -> usize {
            self.0
        }
    }
    let mut own = Halving(0, 0.1);
    own.step(&mut opt);
    assert_eq!(own.state_dict().keys().collect::<Vec<_>>(), ["last_epoch", "last_lr"]);
    assert_eq!(
        own.load_state_dict(&own.state_dict()).unwrap_err().to_string(),
        "LrScheduler: this scheduler does not implement load_state_dict, so it cannot be resumed"
    );
}

#[test]
fn one_cycle_and_cyclic_follow_torch_with_momentum_on_f64_optimizers() {
    let (lr, m) = check_cycles::<f64>();
    assert!(lr <= 4.0 && m <= 4.0, "{lr} {m}");
    println!("OneCycleLr/CyclicLr on f64: lr within {lr} ulp, momentum within {m} ulp");
}

#[test]
fn one_cycle_and_cyclic_follow_torch_with_momentum_on_f32_optimizers() {
    let (lr, m) = check_cycles::<f32>();
    assert!(lr <= 4.0 && m <= 4.0, "{lr} {m}");
    println!("OneCycleLr/CyclicLr on f32: lr within {lr} ulp, momentum within {m} ulp");
}

#[test]
fn one_cycle_stops_at_total_steps_and_at_zero_length_phases() {
    // Past total_steps torch raises: try_step errs and changes nothing; step keeps the lr.
    let mut opt = Sgd::new(0.1).momentum(0.9);
    let mut s = OneCycleLr::new(&mut opt, 0.1, 5, OneCycleConfig::default()).unwrap();
    for _ in 0..5 {
        s.try_step(&mut opt).unwrap();
    }
    let (lr, m) = (s.last_lr(), s.last_momentum());
    refused(s.try_step(&mut opt), "OneCycleLR", "total steps is 5");
    assert_eq!((s.last_epoch(), s.last_lr(), s.last_momentum()), (5, lr, m));
    opt.set_lr(1.0);
    assert_eq!(s.step(&mut opt), lr);
    assert_eq!((s.last_epoch(), opt.lr(), opt.momentum_value()), (6, lr, m));
    refused(s.at(7), "OneCycleLR", "7");
    // pct_start·total_steps = 1: a first phase of length 0 at step 0 (ZeroDivisionError).
    let cfg = OneCycleConfig { pct_start: 0.1, ..OneCycleConfig::default() };
    refused(OneCycleLr::new(&mut opt, 0.1, 10, cfg), "OneCycleLR", "division by zero");
    // pct_start 1: the last phase has length 0 and is reached at step total_steps.
    let cfg = OneCycleConfig { pct_start: 1.0, ..OneCycleConfig::default() };
    let s = OneCycleLr::new(&mut opt, 0.1, 10, cfg).unwrap();
    assert!(s.at(9).is_ok());
    refused(s.at(10), "OneCycleLR", "division by zero");
}

/// An optimizer without momentum (the trait's provided `momentum_value`).
struct Plain(f64);

impl Optimizer<f64> for Plain {
    fn update(&mut self, _: &mut [&mut wengert_tape::Tensor<f64>], _: &[&[f64]]) -> wengert_tape::Result<()> {
        Ok(())
    }

    fn lr(&self) -> f64 {
        self.0
    }

    fn set_lr(&mut self, lr: f64) {
        self.0 = lr;
    }
}

#[test]
fn one_cycle_and_cyclic_refuse_invalid_arguments() {
    let mut opt = Sgd::new(0.1).momentum(0.9);
    let o = &mut opt;
    let oc = OneCycleConfig::default();
    const OC: &str = "OneCycleLR";
    refused(OneCycleLr::new(o, 0.1, 0, oc), OC, "total_steps, got 0");
    for pct in [-0.1, 1.5, f64::NAN] {
        refused(OneCycleLr::new(o, 0.1, 10, OneCycleConfig { pct_start: pct, ..oc }), OC, &format!("{pct}"));
    }
    for d in [0.0, -1.0, f64::INFINITY] {
        refused(OneCycleLr::new(o, 0.1, 10, OneCycleConfig { div_factor: d, ..oc }), OC, "div_factor");
        refused(
            OneCycleLr::new(o, 0.1, 10, OneCycleConfig { final_div_factor: d, ..oc }),
            OC,
            "final_div_factor",
        );
    }
    refused(OneCycleLr::new(o, f64::NAN, 10, oc), OC, "max_lr");
    refused(
        OneCycleLr::new(o, 0.1, 10, OneCycleConfig { base_momentum: f64::NAN, ..oc }),
        OC,
        "base_momentum",
    );
    let cc = CyclicConfig::default();
    const CY: &str = "CyclicLR";
    refused(CyclicLr::new(o, 0.01, 0.1, CyclicConfig { step_size_up: 0, ..cc }), CY, "step_size_up");
    refused(CyclicLr::new(o, -0.01, 0.1, cc), CY, "base_lr");
    refused(CyclicLr::new(o, 0.01, f64::INFINITY, cc), CY, "max_lr");
    refused(CyclicLr::new(o, 0.01, 0.1, CyclicConfig { gamma: -1.0, ..cc }), CY, "gamma");
    refused(CyclicLr::new(o, 0.01, 0.1, CyclicConfig { max_momentum: f64::NAN, ..cc }), CY, "max_momentum");
    // Refused: the optimizer is unchanged.
    assert_eq!((opt.lr(), opt.momentum_value()), (0.1, Some(0.9)));
    // Momentum cycling needs a momentum, as torch's ValueError; without cycling it is fine.
    let mut plain = Plain(0.1);
    refused(OneCycleLr::new(&mut plain, 0.1, 10, oc), OC, "momentum");
    refused(CyclicLr::new(&mut plain, 0.01, 0.1, cc), CY, "momentum");
    let mut s = OneCycleLr::new(&mut plain, 0.1, 10, OneCycleConfig { cycle_momentum: false, ..oc }).unwrap();
    s.step(&mut plain);
    assert_eq!((plain.lr(), s.last_momentum()), (s.last_lr(), None));
    assert!(CyclicLr::new(&mut plain, 0.01, 0.1, CyclicConfig { cycle_momentum: false, ..cc }).is_ok());
}

#[test]
fn sgd_without_momentum_gets_cycled_momentum() {
    // torch's SGD always has a momentum (0 here): OneCycleLR sets it to max_momentum.
    let mut opt = Sgd::<f32>::new(0.1);
    assert_eq!(opt.momentum_value(), Some(0.0));
    let s = OneCycleLr::new(&mut opt, 0.1, 10, OneCycleConfig::default()).unwrap();
    assert_eq!(opt.momentum_value(), Some(s.last_momentum().unwrap() as f32));
    assert_eq!(opt.momentum_value(), Some(0.95));
    let mut p = [0.0f32; 2];
    train_step(&mut opt, &mut p); // with the momentum buffers made now
    assert!(p[0] < 0.0);
}

// torch 2.15.0+cu132
const TORCH: [(&str, &[f64]); 27] = [
    (
        "step_3_half",
        &[
            0.1,
            0.1,
            0.1,
            0.05,
            0.05,
            0.05,
            0.025,
            0.025,
            0.025,
            0.0125,
            0.0125,
            0.0125,
            0.00625,
            0.00625,
            0.00625,
            0.003125,
            0.003125,
            0.003125,
            0.0015625,
            0.0015625,
            0.0015625,
            0.00078125,
            0.00078125,
            0.00078125,
            0.000390625,
            0.000390625,
            0.000390625,
            0.0001953125,
            0.0001953125,
            0.0001953125,
            9.765625e-05,
            9.765625e-05,
            9.765625e-05,
            4.8828125e-05,
            4.8828125e-05,
            4.8828125e-05,
            2.44140625e-05,
            2.44140625e-05,
            2.44140625e-05,
            1.220703125e-05,
            1.220703125e-05,
        ],
    ),
    (
        "step_7_tenth",
        &[
            0.05,
            0.05,
            0.05,
            0.05,
            0.05,
            0.05,
            0.05,
            0.005000000000000001,
            0.005000000000000001,
            0.005000000000000001,
            0.005000000000000001,
            0.005000000000000001,
            0.005000000000000001,
            0.005000000000000001,
            0.0005000000000000001,
            0.0005000000000000001,
            0.0005000000000000001,
            0.0005000000000000001,
            0.0005000000000000001,
            0.0005000000000000001,
            0.0005000000000000001,
            5.0000000000000016e-05,
            5.0000000000000016e-05,
            5.0000000000000016e-05,
            5.0000000000000016e-05,
            5.0000000000000016e-05,
            5.0000000000000016e-05,
            5.0000000000000016e-05,
            5.000000000000002e-06,
            5.000000000000002e-06,
            5.000000000000002e-06,
            5.000000000000002e-06,
            5.000000000000002e-06,
            5.000000000000002e-06,
            5.000000000000002e-06,
            5.000000000000002e-07,
            5.000000000000002e-07,
            5.000000000000002e-07,
            5.000000000000002e-07,
            5.000000000000002e-07,
            5.000000000000002e-07,
        ],
    ),
    (
        "step_1_0.9",
        &[
            0.3,
            0.27,
            0.24300000000000002,
            0.21870000000000003,
            0.19683000000000003,
            0.17714700000000003,
            0.15943230000000003,
            0.14348907000000002,
            0.12914016300000003,
            0.11622614670000003,
            0.10460353203000003,
            0.09414317882700003,
            0.08472886094430003,
            0.07625597484987003,
            0.06863037736488302,
            0.061767339628394716,
            0.055590605665555244,
            0.05003154509899972,
            0.04502839058909975,
            0.040525551530189774,
            0.036472996377170795,
            0.032825696739453715,
            0.029543127065508344,
            0.026588814358957512,
            0.02392993292306176,
            0.021536939630755585,
            0.019383245667680026,
            0.017444921100912024,
            0.015700428990820824,
            0.014130386091738742,
            0.012717347482564867,
            0.01144561273430838,
            0.010301051460877543,
            0.009270946314789788,
            0.00834385168331081,
            0.007509466514979729,
            0.006758519863481757,
            0.006082667877133581,
            0.005474401089420223,
            0.004926960980478201,
            0.004434264882430382,
        ],
    ),
    (
        "step_3_half_manual",
        &[
            0.1,
            0.1,
            0.1,
            0.05,
            0.05,
            0.05,
            0.025,
            0.02,
            0.02,
            0.01,
            0.01,
            0.01,
            0.005,
            0.005,
            0.005,
            0.0025,
            0.0025,
            0.0025,
            0.00125,
            0.00125,
            0.00125,
            0.000625,
            0.000625,
            0.000625,
            0.0003125,
            0.0003125,
            0.0003125,
            0.00015625,
            0.00015625,
            0.00015625,
            7.8125e-05,
            7.8125e-05,
            7.8125e-05,
            3.90625e-05,
            3.90625e-05,
            3.90625e-05,
            1.953125e-05,
            1.953125e-05,
            1.953125e-05,
            9.765625e-06,
            9.765625e-06,
        ],
    ),
    (
        "multistep_5_12_30",
        &[
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.0010000000000000002,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
            0.00010000000000000003,
        ],
    ),
    (
        "multistep_0_3_4",
        &[
            0.035, 0.035, 0.035, 0.0175, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875,
            0.00875, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875, 0.00875,
        ],
    ),
    (
        "exponential_0.9",
        &[
            0.1,
            0.09000000000000001,
            0.08100000000000002,
            0.07290000000000002,
            0.06561000000000002,
            0.05904900000000002,
            0.05314410000000002,
            0.04782969000000002,
            0.043046721000000024,
            0.03874204890000002,
            0.03486784401000002,
            0.03138105960900001,
            0.028242953648100012,
            0.025418658283290013,
            0.022876792454961013,
            0.020589113209464913,
            0.01853020188851842,
            0.01667718169966658,
            0.015009463529699923,
            0.013508517176729932,
            0.01215766545905694,
            0.010941898913151246,
            0.009847709021836121,
            0.00886293811965251,
            0.007976644307687259,
            0.007178979876918534,
            0.006461081889226681,
            0.005814973700304013,
            0.005233476330273611,
            0.00471012869724625,
            0.004239115827521626,
            0.0038152042447694634,
            0.003433683820292517,
            0.0030903154382632653,
            0.002781283894436939,
            0.002503155504993245,
            0.0022528399544939205,
            0.0020275559590445286,
            0.0018248003631400759,
            0.0016423203268260682,
            0.0014780882941434613,
        ],
    ),
    (
        "exponential_0.99",
        &[
            0.001,
            0.00099,
            0.0009801,
            0.000970299,
            0.0009605960099999999,
            0.0009509900498999999,
            0.0009414801494009999,
            0.0009320653479069899,
            0.00092274469442792,
            0.0009135172474836408,
            0.0009043820750088043,
            0.0008953382542587163,
            0.0008863848717161291,
            0.0008775210229989678,
            0.0008687458127689781,
            0.0008600583546412883,
            0.0008514577710948754,
            0.0008429431933839266,
            0.0008345137614500873,
            0.0008261686238355864,
            0.0008179069375972306,
            0.0008097278682212583,
            0.0008016305895390457,
            0.0007936142836436553,
            0.0007856781408072188,
            0.0007778213593991466,
            0.000770043145805155,
            0.0007623427143471034,
            0.0007547192872036325,
            0.0007471720943315961,
            0.0007397003733882801,
            0.0007323033696543973,
            0.0007249803359578533,
            0.0007177305325982747,
            0.000710553227272292,
            0.000703447694999569,
            0.0006964132180495733,
            0.0006894490858690775,
            0.0006825545950103868,
            0.000675729049060283,
            0.0006689717585696801,
            0.0006622820409839833,
            0.0006556592205741434,
            0.0006491026283684019,
            0.0006426116020847179,
            0.0006361854860638707,
            0.000629823631203232,
            0.0006235253948911997,
            0.0006172901409422877,
            0.0006111172395328649,
            0.0006050060671375363,
            0.0005989560064661609,
            0.0005929664464014993,
            0.0005870367819374844,
            0.0005811664141181095,
            0.0005753547499769285,
            0.0005696012024771592,
            0.0005639051904523875,
            0.0005582661385478637,
            0.000552683477162385,
            0.0005471566423907612,
        ],
    ),
    (
        "cosine_10_0",
        &[
            0.1,
            0.09755282581475769,
            0.09045084971874738,
            0.07938926261462367,
            0.06545084971874739,
            0.05000000000000001,
            0.03454915028125264,
            0.020610737385376353,
            0.009549150281252635,
            0.002447174185242324,
            0.0,
            0.0024471741852423235,
            0.009549150281252666,
            0.020610737385376433,
            0.034549150281252786,
            0.050000000000000225,
            0.06545084971874766,
            0.079389262614624,
            0.09045084971874778,
            0.09755282581475812,
            0.10000000000000044,
            0.0975528258147581,
            0.0904508497187478,
            0.079389262614624,
            0.06545084971874766,
            0.050000000000000225,
            0.03454915028125279,
            0.020610737385376443,
            0.00954915028125268,
            0.0024471741852423396,
            0.0,
            0.0024471741852423235,
            0.009549150281252639,
            0.020610737385376374,
            0.03454915028125268,
            0.050000000000000086,
            0.0654508497187475,
            0.07938926261462383,
            0.09045084971874756,
            0.0975528258147579,
            0.10000000000000024,
            0.09755282581475795,
            0.0904508497187476,
            0.07938926261462387,
            0.06545084971874764,
            0.050000000000000135,
            0.03454915028125273,
            0.02061073738537634,
            0.009549150281252666,
            0.0024471741852423626,
            0.0,
            0.0024471741852423235,
            0.009549150281252762,
            0.020610737385376714,
            0.03454915028125314,
            0.05000000000000084,
            0.06545084971874836,
            0.0793892626146248,
            0.09045084971874875,
            0.09755282581475914,
            0.10000000000000153,
        ],
    ),
    (
        "cosine_7_1e-3",
        &[
            0.05,
            0.04757373726360927,
            0.040775500145538976,
            0.030951762881929707,
            0.020048237118070304,
            0.010224499854461031,
            0.0034262627363907338,
            0.001,
            0.003426262736390731,
            0.010224499854461024,
            0.020048237118070293,
            0.03095176288192968,
            0.04077550014553897,
            0.04757373726360928,
            0.05,
            0.04757373726360928,
            0.04077550014553898,
            0.030951762881929693,
            0.020048237118070307,
            0.010224499854461035,
            0.003426262736390736,
            0.001,
            0.003426262736390731,
            0.010224499854461104,
            0.02004823711807046,
            0.03095176288192996,
            0.04077550014553936,
            0.04757373726360968,
            0.05000000000000044,
            0.047573737263609694,
            0.04077550014553937,
            0.030951762881929985,
            0.02004823711807048,
            0.010224499854461125,
            0.003426262736390742,
            0.001,
            0.003426262736390731,
            0.010224499854461038,
            0.020048237118070328,
            0.030951762881929756,
            0.040775500145539045,
            0.04757373726360936,
            0.0500000000000001,
            0.047573737263609375,
            0.040775500145539136,
            0.030951762881929787,
            0.020048237118070356,
            0.010224499854461062,
            0.0034262627363907438,
            0.001,
            0.003426262736390731,
            0.010224499854461042,
            0.020048237118070425,
            0.030951762881929783,
            0.0407755001455391,
            0.047573737263609424,
            0.050000000000000176,
            0.047573737263609445,
            0.040775500145539136,
            0.03095176288192984,
            0.020048237118070477,
        ],
    ),
    ("cosine_1_0", &[0.1, 0.0, 0.1, 0.0, 0.1, 0.0, 0.1, 0.0, 0.1, 0.0, 0.1, 0.0, 0.1]),
    (
        "cosine_5_above",
        &[
            0.1,
            0.10954915028125263,
            0.13454915028125264,
            0.16545084971874738,
            0.19045084971874737,
            0.2,
            0.19045084971874737,
            0.16545084971874732,
            0.13454915028125253,
            0.10954915028125248,
            0.09999999999999984,
            0.10954915028125245,
            0.13454915028125253,
            0.16545084971874732,
            0.19045084971874737,
            0.2,
            0.19045084971874737,
            0.16545084971874732,
            0.1345491502812525,
            0.10954915028125244,
            0.09999999999999976,
            0.1095491502812524,
            0.13454915028125236,
            0.16545084971874727,
            0.19045084971874734,
            0.2,
            0.19045084971874737,
            0.16545084971874732,
            0.1345491502812525,
            0.10954915028125242,
            0.09999999999999974,
        ],
    ),
    (
        "cosine_10_0_manual",
        &[
            0.1,
            0.09755282581475769,
            0.09045084971874738,
            0.07938926261462367,
            0.41221474770752686,
            0.31490404592062493,
            0.21759334413372303,
            0.12980809184124992,
            0.06014132117341057,
            0.015412501040106334,
            0.0,
            0.0024471741852423235,
            0.009549150281252666,
            0.020610737385376433,
            0.034549150281252786,
            0.050000000000000225,
            0.06545084971874766,
            0.079389262614624,
            0.09045084971874778,
            0.09755282581475812,
            0.10000000000000044,
            0.0975528258147581,
            0.0904508497187478,
            0.079389262614624,
            0.06545084971874766,
            0.050000000000000225,
            0.03454915028125279,
            0.020610737385376443,
            0.00954915028125268,
            0.0024471741852423396,
            0.0,
            0.0024471741852423235,
            0.009549150281252639,
            0.020610737385376374,
            0.03454915028125268,
            0.050000000000000086,
            0.0654508497187475,
            0.07938926261462383,
            0.09045084971874756,
            0.0975528258147579,
            0.10000000000000024,
        ],
    ),
    (
        "linear_default",
        &[
            0.03333333333333333,
            0.04666666666666667,
            0.060000000000000005,
            0.07333333333333335,
            0.08666666666666668,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
        ],
    ),
    (
        "linear_1_0_20",
        &[
            0.1,
            0.095,
            0.09000000000000001,
            0.085,
            0.08,
            0.075,
            0.06999999999999999,
            0.065,
            0.060000000000000005,
            0.055,
            0.049999999999999996,
            0.045,
            0.039999999999999994,
            0.034999999999999996,
            0.03,
            0.025,
            0.020000000000000004,
            0.015000000000000003,
            0.010000000000000004,
            0.005000000000000002,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
    ),
    (
        "linear_0.25_0.75_10",
        &[
            0.005,
            0.006,
            0.007000000000000001,
            0.008,
            0.009000000000000001,
            0.010000000000000002,
            0.011000000000000003,
            0.012000000000000002,
            0.013000000000000001,
            0.014,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
            0.015,
        ],
    ),
    (
        "linear_0.1_1_0",
        &[
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
            0.010000000000000002,
        ],
    ),
    (
        "constant_default",
        &[
            0.03333333333333333,
            0.03333333333333333,
            0.03333333333333333,
            0.03333333333333333,
            0.03333333333333333,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
        ],
    ),
    ("constant_0.3_0", &[0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03]),
    (
        "polynomial_10_2",
        &[
            0.1,
            0.08100000000000002,
            0.06400000000000002,
            0.048999999999999995,
            0.036000000000000004,
            0.025000000000000005,
            0.016000000000000007,
            0.009000000000000008,
            0.004,
            0.001,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
    ),
    (
        "polynomial_8_0.5",
        &[
            0.03,
            0.02806243040080456,
            0.025980762113533156,
            0.023717082451262844,
            0.021213203435596423,
            0.018371173070873832,
            0.014999999999999998,
            0.010606601717798212,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
            0.0,
        ],
    ),
    (
        "lambda_pow",
        &[
            0.1,
            0.095,
            0.09025,
            0.0857375,
            0.081450625,
            0.07737809374999999,
            0.07350918906249998,
            0.06983372960937498,
            0.06634204312890622,
            0.0630249409724609,
            0.05987369392383787,
            0.05688000922764597,
            0.05403600876626367,
            0.051334208327950485,
            0.04876749791155296,
            0.046329123015975304,
            0.04401266686517654,
            0.04181203352191771,
            0.039721431845821824,
            0.03773536025353073,
            0.03584859224085419,
            0.03405616262881148,
            0.0323533544973709,
            0.03073568677250236,
            0.02919890243387724,
            0.027738957312183378,
            0.026352009446574204,
            0.025034408974245494,
            0.023782688525533217,
            0.022593554099256556,
            0.02146387639429373,
            0.02039068257457904,
            0.019371148445850087,
            0.018402591023557582,
            0.017482461472379703,
            0.016608338398760716,
            0.01577792147882268,
            0.014989025404881546,
            0.014239574134637467,
            0.013527595427905593,
            0.012851215656510312,
        ],
    ),
    (
        "lambda_warmup_rsqrt",
        &[
            0.020000000000000004,
            0.04000000000000001,
            0.06,
            0.08000000000000002,
            0.1,
            0.08944271909999159,
            0.08164965809277262,
            0.07559289460184544,
            0.07071067811865475,
            0.06666666666666667,
            0.0632455532033676,
            0.06030226891555273,
            0.05773502691896259,
            0.05547001962252292,
            0.053452248382484885,
            0.051639777949432225,
            0.05,
            0.048507125007266595,
            0.047140452079103175,
            0.04588314677411235,
            0.044721359549995794,
            0.043643578047198484,
            0.04264014327112209,
            0.04170288281141496,
            0.04082482904638631,
            0.04000000000000001,
            0.03922322702763681,
            0.03849001794597506,
            0.03779644730092272,
            0.037139067635410375,
            0.03651483716701107,
            0.03592106040535498,
            0.035355339059327376,
            0.03481553119113957,
            0.034299717028501764,
            0.033806170189140665,
            0.03333333333333333,
            0.03287979746107146,
            0.03244428422615251,
            0.03202563076101743,
            0.0316227766016838,
        ],
    ),
    (
        "multiplicative_0.95",
        &[
            0.1,
            0.095,
            0.09025,
            0.0857375,
            0.08145062499999998,
            0.07737809374999999,
            0.07350918906249998,
            0.06983372960937498,
            0.06634204312890622,
            0.0630249409724609,
            0.05987369392383786,
            0.05688000922764597,
            0.05403600876626367,
            0.05133420832795048,
            0.04876749791155295,
            0.046329123015975304,
            0.04401266686517654,
            0.04181203352191771,
            0.039721431845821824,
            0.037735360253530734,
            0.035848592240854196,
            0.03405616262881148,
            0.03235335449737091,
            0.030735686772502362,
            0.029198902433877242,
            0.027738957312183378,
            0.026352009446574207,
            0.025034408974245494,
            0.023782688525533217,
            0.022593554099256556,
            0.021463876394293726,
            0.020390682574579037,
            0.019371148445850084,
            0.01840259102355758,
            0.0174824614723797,
            0.016608338398760712,
            0.015777921478822676,
            0.014989025404881541,
            0.014239574134637464,
            0.01352759542790559,
            0.012851215656510309,
        ],
    ),
    (
        "multiplicative_alt",
        &[
            0.1,
            0.09000000000000001,
            0.09450000000000001,
            0.08505000000000001,
            0.08930250000000002,
            0.08037225000000002,
            0.08439086250000002,
            0.07595177625000002,
            0.07974936506250002,
            0.07177442855625002,
            0.07536314998406253,
            0.06782683498565628,
            0.0712181767349391,
            0.0640963590614452,
            0.06730117701451746,
            0.060571059313065716,
            0.063599612278719,
            0.05723965105084711,
            0.060101633603389465,
            0.05409147024305052,
            0.05679604375520305,
            0.05111643937968274,
            0.053672261348666886,
            0.048305035213800196,
            0.05072028697449021,
            0.045648258277041186,
            0.04793067119089325,
            0.04313760407180392,
            0.04529448427539412,
            0.04076503584785471,
            0.04280328764024745,
            0.0385229588762227,
            0.04044910682003384,
            0.036404196138030455,
            0.038224405944931976,
            0.03440196535043878,
            0.03612206361796072,
            0.03250985725616465,
            0.03413535011897288,
            0.030721815107075594,
            0.032257905862429374,
        ],
    ),
    (
        "chain_linear_exponential",
        &[
            0.020000000000000004,
            0.038000000000000006,
            0.054150000000000004,
            0.06859,
            0.08145062499999998,
            0.07737809374999999,
            0.07350918906249998,
            0.06983372960937498,
            0.06634204312890622,
            0.0630249409724609,
            0.05987369392383786,
            0.05688000922764597,
            0.05403600876626367,
            0.05133420832795048,
            0.04876749791155295,
            0.046329123015975304,
            0.04401266686517654,
            0.04181203352191771,
            0.039721431845821824,
            0.037735360253530734,
            0.035848592240854196,
            0.03405616262881148,
            0.03235335449737091,
            0.030735686772502362,
            0.029198902433877242,
            0.027738957312183378,
            0.026352009446574207,
            0.025034408974245494,
            0.023782688525533217,
            0.022593554099256556,
            0.021463876394293726,
            0.020390682574579037,
            0.019371148445850084,
            0.01840259102355758,
            0.0174824614723797,
            0.016608338398760712,
            0.015777921478822676,
            0.014989025404881541,
            0.014239574134637464,
            0.01352759542790559,
            0.012851215656510309,
        ],
    ),
    (
        "chain_step_cosine",
        &[
            0.1,
            0.0962320368593087,
            0.0855017856687341,
            0.06944282990207196,
            0.0505,
            0.02220482409825917,
            0.011060882066242096,
            0.003614738058237301,
            0.001,
            0.004767963140691307,
            0.009994422312379365,
            0.019957099560824178,
            0.031708878644636805,
            0.04346065772844944,
            0.05342333497689425,
            0.04201803340222084,
            0.04364095823991538,
            0.04201803340222085,
            0.03739633448382597,
            0.030479473249251342,
            0.015707365980144633,
            0.01007910068581333,
            0.0053076877621920406,
            0.002119531573936212,
            0.001,
            0.004467963140691307,
            0.014343886611759147,
            0.029124250590202554,
            0.04655887864463676,
            0.06399350669907097,
            0.05507131953367912,
            0.061937432908806024,
            0.06434849129483998,
            0.06193743290880603,
            0.05507131953367914,
            0.03141383112188152,
            0.022996236021905928,
            0.014578640921930338,
            0.007442548370236459,
            0.0026743637689795605,
            0.001,
        ],
    ),
];
const TORCH_PLATEAU: [(&str, &[f64]); 5] = [
    (
        "plateau_min_rel_p2",
        &[
            0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.05, 0.05, 0.05, 0.05, 0.05, 0.025,
            0.025, 0.025, 0.025, 0.025, 0.025, 0.0125, 0.0125, 0.0125, 0.00625, 0.00625, 0.00625, 0.003125,
            0.003125,
        ],
    ),
    (
        "plateau_min_abs_cooldown",
        &[
            0.1,
            0.1,
            0.1,
            0.1,
            0.1,
            0.03,
            0.03,
            0.03,
            0.03,
            0.03,
            0.03,
            0.009,
            0.009,
            0.009,
            0.009,
            0.009,
            0.0026999999999999997,
            0.0026999999999999997,
            0.0026999999999999997,
            0.0026999999999999997,
            0.0026999999999999997,
            0.0026999999999999997,
            0.0008099999999999998,
            0.0008099999999999998,
            0.0008099999999999998,
            0.0008099999999999998,
            0.00024299999999999994,
            0.00024299999999999994,
            0.00024299999999999994,
            0.00024299999999999994,
            7.289999999999998e-05,
        ],
    ),
    (
        "plateau_max_rel_minlr",
        &[
            0.1, 0.1, 0.05, 0.025, 0.0125, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
            0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01, 0.01,
        ],
    ),
    (
        "plateau_max_abs_eps",
        &[
            0.1,
            0.1,
            0.09000000000000001,
            0.08100000000000002,
            0.07290000000000002,
            0.06561000000000002,
            0.05904900000000002,
            0.05314410000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
            0.04782969000000002,
        ],
    ),
    (
        "plateau_default",
        &[
            0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
            0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1, 0.1,
        ],
    ),
];

const TORCH_CYCLE: [(&str, &[f64], &[f64]); 15] = [
    (
        "onecycle_cos_default",
        &[
            0.0040000000000000036,
            0.009498110768645929,
            0.024732892156904523,
            0.046214239347744504,
            0.06902103457804172,
            0.08792851591221286,
            0.0986052072364505,
            0.09979871550490317,
            0.09819815024222053,
            0.09504846320134738,
            0.0904508879153485,
            0.08455319423681344,
            0.07754493889320883,
            0.06965137297768985,
            0.06112620219362893,
            0.05224343254455968,
            0.043288563555770404,
            0.03454941208465151,
            0.026306861650082565,
            0.0188258346050237,
            0.012346777314112658,
            0.007077932009665416,
            0.003188643714987268,
            0.0008039173559862364,
            4e-07,
            0.0008039173559862364,
        ],
        &[
            0.95,
            0.9442728012826604,
            0.9284032373365577,
            0.9060268340127661,
            0.8822697556478731,
            0.8625744625914449,
            0.8514529091286974,
            0.850201285300238,
            0.8518018569652073,
            0.854951556604879,
            0.8595491502812526,
            0.8654468675506567,
            0.8724551509273948,
            0.8803487484173038,
            0.8888739533021842,
            0.8977567584824742,
            0.9067116632908827,
            0.9154508497187474,
            0.9236934331236499,
            0.9311744900929366,
            0.9376535733001805,
            0.9429224396800933,
            0.9468117435319868,
            0.9491964794299315,
            0.95,
            0.9491964794299315,
        ],
    ),
    (
        "onecycle_linear_0.25",
        &[
            0.002,
            0.009384615384615385,
            0.016769230769230772,
            0.024153846153846158,
            0.03153846153846154,
            0.03892307692307693,
            0.046307692307692314,
            0.048888893333333336,
            0.04666668,
            0.04444446666666667,
            0.042222253333333334,
            0.04000004,
            0.03777782666666667,
            0.03555561333333333,
            0.0333334,
            0.03111118666666667,
            0.028888973333333335,
            0.02666676,
            0.02444454666666667,
            0.022222333333333334,
            0.020000120000000003,
            0.017777906666666662,
            0.015555693333333336,
            0.013333480000000002,
            0.011111266666666668,
            0.008889053333333334,
            0.00666684,
            0.0044446266666666664,
            0.0022224133333333326,
            1.9999999999881224e-07,
            -0.002222013333333335,
        ],
        &[
            0.95,
            0.9346153846153846,
            0.9192307692307692,
            0.9038461538461539,
            0.8884615384615384,
            0.8730769230769231,
            0.8576923076923076,
            0.8522222222222222,
            0.8566666666666667,
            0.861111111111111,
            0.8655555555555555,
            0.87,
            0.8744444444444445,
            0.8788888888888888,
            0.8833333333333333,
            0.8877777777777778,
            0.8922222222222221,
            0.8966666666666666,
            0.9011111111111111,
            0.9055555555555556,
            0.9099999999999999,
            0.9144444444444444,
            0.9188888888888889,
            0.9233333333333333,
            0.9277777777777777,
            0.9322222222222222,
            0.9366666666666666,
            0.941111111111111,
            0.9455555555555555,
            0.95,
            0.9544444444444444,
        ],
    ),
    (
        "onecycle_three_phase_cos",
        &[
            0.0040000000000000036,
            0.005944337266504118,
            0.011619830424103306,
            0.020566684770626315,
            0.03206007937590945,
            0.04516888776288231,
            0.058831112237117685,
            0.07193992062409055,
            0.08343331522937368,
            0.0923801695758967,
            0.09805566273349588,
            0.1,
            0.09805566273349589,
            0.0923801695758967,
            0.0834333152293737,
            0.07193992062409056,
            0.05883111223711769,
            0.04516888776288232,
            0.03206007937590946,
            0.02056668477062632,
            0.011619830424103297,
            0.005944337266504132,
            0.004,
            0.003965949604747867,
            0.00386495796436283,
            0.003700464228032082,
            0.0034780700326578736,
            0.003205348745831237,
            0.0028915875638819213,
            0.0025474712475461515,
            0.002184718265254711,
            0.0018156817347452887,
            0.0014529287524538486,
            0.001108812436118079,
            0.0007950512541687633,
            0.0005223299673421262,
            0.00029993577196791796,
            0.00013544203563716948,
            3.445039525213321e-05,
            4e-07,
            3.445039525213321e-05,
        ],
        &[
            0.95,
            0.9479746486807248,
            0.942062676641559,
            0.9327430366972642,
            0.9207707506500943,
            0.9071157419136642,
            0.8928842580863358,
            0.8792292493499057,
            0.8672569633027357,
            0.8579373233584409,
            0.8520253513192751,
            0.85,
            0.8520253513192751,
            0.8579373233584409,
            0.8672569633027357,
            0.8792292493499057,
            0.8928842580863356,
            0.9071157419136642,
            0.9207707506500943,
            0.9327430366972642,
            0.9420626766415591,
            0.9479746486807248,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
        ],
    ),
    (
        "onecycle_three_phase_linear",
        &[
            0.1,
            0.22857142857142856,
            0.3571428571428571,
            0.48571428571428565,
            0.6142857142857142,
            0.7428571428571429,
            0.8714285714285713,
            1.0,
            0.8714285714285714,
            0.7428571428571429,
            0.6142857142857143,
            0.48571428571428577,
            0.3571428571428571,
            0.22857142857142865,
            0.09999999999999998,
            0.08020000000000001,
            0.0604,
            0.040600000000000004,
            0.0208,
            0.0010000000000000009,
            -0.018799999999999997,
        ],
        &[
            0.95,
            0.9357142857142857,
            0.9214285714285714,
            0.9071428571428571,
            0.8928571428571428,
            0.8785714285714286,
            0.8642857142857143,
            0.85,
            0.8642857142857142,
            0.8785714285714286,
            0.8928571428571428,
            0.9071428571428571,
            0.9214285714285714,
            0.9357142857142857,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
            0.95,
        ],
    ),
    (
        "onecycle_momenta_0.8_0.99",
        &[
            0.09999999999999998,
            0.1279478406399213,
            0.19616972663099647,
            0.26653257001655656,
            0.29970658011837403,
            0.29598654199002106,
            0.2824021317201855,
            0.2601382780053178,
            0.23073768384955656,
            0.19623757001029754,
            0.15902851225867984,
            0.12168879402711089,
            0.08680575245080825,
            0.05679649706177164,
            0.033740423863654806,
            0.019235130192565907,
            0.014285714285714285,
            0.01923513019256589,
        ],
        &[
            0.99,
            0.9634495513920748,
            0.8986387597005534,
            0.8317940584842713,
            0.8002787488875447,
            0.802668949576636,
            0.8117025824060766,
            0.8265080451264637,
            0.846059440240045,
            0.8690020159431522,
            0.8937460393479779,
            0.9185769519719713,
            0.9417741746202125,
            0.9617303294539219,
            0.9770626181306695,
            0.9867086384219437,
            0.99,
            0.9867086384219437,
        ],
    ),
    (
        "onecycle_no_momentum",
        &[
            0.0040000000000000036,
            0.022072489510780793,
            0.0626810048299031,
            0.09524650565931612,
            0.09944154354509119,
            0.09504846320134738,
            0.08665264698111695,
            0.0750001,
            0.06112620219362893,
            0.046263710266697504,
            0.03173322184988512,
            0.0188258346050237,
            0.008688426531955128,
            0.002221750825254118,
            4e-07,
            0.0022217508252541235,
        ],
        &[0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    ),
    (
        "onecycle_pct_0",
        &[
            0.09755283560345443,
            0.0904508879153485,
            0.0793893450575732,
            0.0654509879153485,
            0.0500002,
            0.03454941208465151,
            0.02061105494242681,
            0.009549512084651508,
            0.0024475643965455826,
            4e-07,
            0.0024475643965455826,
        ],
        &[
            0.8524471741852423,
            0.8595491502812526,
            0.8706107373853763,
            0.8845491502812526,
            0.8999999999999999,
            0.9154508497187474,
            0.9293892626146236,
            0.9404508497187474,
            0.9475528258147576,
            0.95,
            0.9475528258147576,
        ],
    ),
    (
        "onecycle_pct_1",
        &[
            0.0040000000000000036,
            0.006894754202276393,
            0.01522986673028906,
            0.027999999999999997,
            0.04366488747198734,
            0.06033511252801266,
            0.076,
            0.08877013326971095,
            0.0971052457977236,
            0.1,
        ],
        &[
            0.95,
            0.9469846310392954,
            0.9383022221559488,
            0.9249999999999999,
            0.9086824088833465,
            0.8913175911166534,
            0.875,
            0.8616977778440511,
            0.8530153689607045,
            0.85,
        ],
    ),
    ("onecycle_total_1", &[4e-07, 0.06112620219362891], &[0.95, 0.8888739533021843]),
    (
        "cyclic_triangular",
        &[
            0.001,
            0.0022500000000000003,
            0.0035,
            0.00475,
            0.006,
            0.00475,
            0.0035,
            0.0022500000000000003,
            0.001,
            0.0022500000000000003,
            0.0035,
            0.00475,
            0.006,
            0.00475,
            0.0035,
            0.0022500000000000003,
            0.001,
            0.0022500000000000003,
            0.0035,
            0.00475,
            0.006,
            0.00475,
            0.0035,
            0.0022500000000000003,
            0.001,
            0.0022500000000000003,
            0.0035,
            0.00475,
            0.006,
            0.00475,
            0.0035,
        ],
        &[
            0.9,
            0.875,
            0.8500000000000001,
            0.8250000000000001,
            0.8,
            0.8250000000000001,
            0.8500000000000001,
            0.875,
            0.9,
            0.875,
            0.8500000000000001,
            0.8250000000000001,
            0.8,
            0.8250000000000001,
            0.8500000000000001,
            0.875,
            0.9,
            0.875,
            0.8500000000000001,
            0.8250000000000001,
            0.8,
            0.8250000000000001,
            0.8500000000000001,
            0.875,
            0.9,
            0.875,
            0.8500000000000001,
            0.8250000000000001,
            0.8,
            0.8250000000000001,
            0.8500000000000001,
        ],
    ),
    (
        "cyclic_triangular_3_5",
        &[
            0.01,
            0.04,
            0.07,
            0.1,
            0.082,
            0.064,
            0.046000000000000006,
            0.028000000000000004,
            0.01,
            0.04,
            0.07,
            0.1,
            0.082,
            0.064,
            0.046000000000000006,
            0.028000000000000004,
            0.01,
            0.04,
            0.07,
            0.1,
            0.082,
            0.064,
            0.046000000000000006,
            0.028000000000000004,
            0.01,
            0.04,
            0.07,
            0.1,
            0.082,
            0.064,
            0.046000000000000006,
        ],
        &[
            0.9,
            0.8666666666666667,
            0.8333333333333334,
            0.8,
            0.8200000000000001,
            0.8400000000000001,
            0.86,
            0.88,
            0.9,
            0.8666666666666667,
            0.8333333333333334,
            0.8,
            0.8200000000000001,
            0.8400000000000001,
            0.86,
            0.88,
            0.9,
            0.8666666666666667,
            0.8333333333333334,
            0.8,
            0.8200000000000001,
            0.8400000000000001,
            0.86,
            0.88,
            0.9,
            0.8666666666666667,
            0.8333333333333334,
            0.8,
            0.8200000000000001,
            0.8400000000000001,
            0.86,
        ],
    ),
    (
        "cyclic_triangular2",
        &[
            0.001,
            0.004000000000000002,
            0.006999999999999999,
            0.010000000000000002,
            0.007000000000000004,
            0.003999999999999998,
            0.001,
            0.002500000000000003,
            0.003999999999999998,
            0.0055000000000000005,
            0.003999999999999998,
            0.002500000000000003,
            0.001,
            0.0017499999999999994,
            0.002500000000000001,
            0.0032500000000000003,
            0.002500000000000001,
            0.0017499999999999994,
            0.001,
            0.0013749999999999986,
            0.0017500000000000016,
            0.002125,
            0.0017500000000000016,
            0.0013749999999999986,
            0.001,
            0.0011875000000000004,
            0.0013749999999999997,
            0.0015625,
            0.0013749999999999997,
            0.0011875000000000004,
            0.001,
            0.00109375,
            0.0011875,
            0.00128125,
            0.0011875,
            0.00109375,
            0.001,
            0.001046875,
            0.0010937499999999999,
            0.0011406250000000001,
            0.0010937499999999999,
        ],
        &[
            0.95,
            0.8666666666666666,
            0.7833333333333333,
            0.7,
            0.7833333333333332,
            0.8666666666666667,
            0.95,
            0.9083333333333332,
            0.8666666666666667,
            0.825,
            0.8666666666666667,
            0.9083333333333332,
            0.95,
            0.9291666666666667,
            0.9083333333333332,
            0.8875,
            0.9083333333333332,
            0.9291666666666667,
            0.95,
            0.9395833333333333,
            0.9291666666666666,
            0.91875,
            0.9291666666666666,
            0.9395833333333333,
            0.95,
            0.9447916666666666,
            0.9395833333333333,
            0.934375,
            0.9395833333333333,
            0.9447916666666666,
            0.95,
            0.9473958333333333,
            0.9447916666666666,
            0.9421875,
            0.9447916666666666,
            0.9473958333333333,
            0.95,
            0.9486979166666666,
            0.9473958333333333,
            0.94609375,
            0.9473958333333333,
        ],
    ),
    (
        "cyclic_exp_range",
        &[
            0.002,
            0.006275000000000002,
            0.0101225,
            0.0135745625,
            0.0166611125,
            0.008964028437499992,
            0.002,
            0.00514251783242188,
            0.007970783881601554,
            0.010508367031282224,
            0.012777264906290806,
            0.007119200830488145,
            0.002,
            0.00431003937475777,
            0.006389074812039768,
            0.008254431607156667,
            0.009922280035731776,
            0.0057630830169725904,
            0.002,
            0.003698091211408877,
            0.0052263733016768826,
            0.00659758195488955,
            0.007823603809526757,
            0.004766211809525202,
            0.002,
            0.0032482530790482545,
            0.004371680850191677,
            0.005379645211523142,
            0.006280883934595975,
            0.004033419868933094,
            0.002,
            0.0029175807158560584,
            0.003743403360126506,
            0.004484349788180274,
            0.005146843065028344,
            0.003494750455888467,
            0.002,
            0.0026745061432196706,
            0.003281561672117371,
            0.0038262253827672553,
            0.004313218818171854,
        ],
        &[
            0.9,
            0.87625,
            0.854875,
            0.835696875,
            0.8185493750000001,
            0.8613109531250001,
            0.9,
            0.8825415675976562,
            0.866828978435547,
            0.8527312942706543,
            0.8401263060761622,
            0.871559995386177,
            0.9,
            0.8871664479180125,
            0.8756162510442236,
            0.8652531577380186,
            0.8559873331348236,
            0.8790939832390412,
            0.9,
            0.8905661599366174,
            0.8820757038795729,
            0.8744578780283914,
            0.8676466455026292,
            0.8846321566137489,
            0.9,
            0.8930652606719541,
            0.886823995276713,
            0.8812241932693159,
            0.8762173114744668,
            0.8887032229503717,
            0.9,
            0.8949023293563553,
            0.890314425777075,
            0.8861980567323319,
            0.8825175385276204,
            0.8916958308006196,
            0.9,
            0.8962527436487796,
            0.8928802129326813,
            0.8898543034290708,
            0.8871487843434898,
        ],
    ),
    (
        "cyclic_down_0",
        &[
            0.01,
            0.02333333333333333,
            0.03666666666666666,
            0.01,
            0.023333333333333324,
            0.03666666666666668,
            0.01,
            0.023333333333333338,
            0.03666666666666666,
            0.01,
            0.02333333333333336,
        ],
        &[
            0.9,
            0.8666666666666667,
            0.8333333333333334,
            0.9,
            0.8666666666666667,
            0.8333333333333334,
            0.9,
            0.8666666666666667,
            0.8333333333333334,
            0.9,
            0.8666666666666666,
        ],
    ),
    (
        "cyclic_no_momentum",
        &[0.01, 0.03, 0.05, 0.03, 0.01, 0.03, 0.05, 0.03, 0.01, 0.03, 0.05, 0.03, 0.01],
        &[0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9],
    ),
];
