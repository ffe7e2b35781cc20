//! `Adam`, AdamW (`Adam::adamw`, decoupled weight decay), amsgrad and `Sgd`, with
//! parameters skipped at some steps (`Optimizer::update_reached`), against torch 2.15's
//! `torch.optim` on the same five steps: the numbers below are printed by
//! `scripts/torch_optim_reference.py` (f64, and f32 printed as the f64 of each f32).

use wengert_nn::optim::{Adam, Optimizer, Sgd};
use wengert_tape::Float;

/// The gradient of element `j` of parameter `i` at step `k`, as the script's `grad`.
fn grad(k: usize, i: usize, j: usize) -> f64 {
    let base = ((k * 7 + i * 5 + j * 3) % 11) as f64 / 4.0 - 1.25;
    base * if k % 3 == 1 { 4.0 } else { 1.0 }
}

/// The steps at which a parameter has no gradient: (step, parameter).
fn skips(case: &str) -> &'static [(usize, usize)] {
    match case {
        "adam_skip" => &[(1, 1), (2, 1)],
        "adamw_skip_first" => &[(0, 0)],
        "sgd_skip_first" => &[(0, 1), (3, 0)],
        _ => &[],
    }
}

fn optimizer<T: Float>(case: &str) -> Box<dyn Optimizer<T>> {
    let t = T::from_f64;
    match case {
        "adamw" | "adamw_skip_first" => Box::new(Adam::adamw(t(0.01)).weight_decay(t(0.1))),
        "adamw_default_decay" => Box::new(Adam::adamw(t(0.01))),
        "adam_amsgrad_l2" => Box::new(Adam::new(t(0.01)).weight_decay(t(0.05)).amsgrad(true)),
        "adamw_amsgrad" => {
            Box::new(Adam::new(t(0.02)).weight_decay(t(0.1)).decoupled_weight_decay(true).amsgrad(true))
        }
        "adam_skip" => Box::new(Adam::new(t(0.01)).weight_decay(t(0.1))),
        "sgd_skip_first" => {
            Box::new(Sgd::new(t(0.1)).momentum(t(0.9)).weight_decay(t(0.1)).dampening(t(0.3)))
        }
        _ => unreachable!("{case}"),
    }
}

/// Five steps of `case` from the script's starting point.
fn run<T: Float>(case: &str) -> [Vec<T>; 2] {
    let mut ps =
        [vec![0.5, -1.5, 2.0], vec![1.0, -0.25]].map(|p| p.into_iter().map(T::from_f64).collect::<Vec<T>>());
    let mut opt = optimizer::<T>(case);
    for k in 0..5 {
        let gs: Vec<Vec<T>> =
            (0..2).map(|i| (0..ps[i].len()).map(|j| T::from_f64(grad(k, i, j))).collect()).collect();
        let reached: Vec<bool> = (0..2).map(|i| !skips(case).contains(&(k, i))).collect();
        let [a, b] = &mut ps;
        opt.update_reached(&mut [a, b], &[&gs[0], &gs[1]], &reached).unwrap();
    }
    ps
}

/// Every element within `ulps` units in the last place of T at the reference value.
fn check<T: Float>(table: &[(&str, [&[f64]; 2])], ulps: f64) {
    for (case, want) in table {
        let got = run::<T>(case);
        for (i, (g, w)) in got.iter().zip(want).enumerate() {
            for (j, (&g, &w)) in g.iter().zip(*w).enumerate() {
                let ulp = w.abs() * T::EPSILON.to_f64();
                assert!(
                    (g.to_f64() - w).abs() <= ulps * ulp,
                    "{} {case}: p{i}[{j}] = {:e}, torch {w:e} ({:.1} ulp)",
                    T::NAME,
                    g.to_f64(),
                    (g.to_f64() - w).abs() / ulp
                );
            }
        }
    }
}

#[test]
fn adam_adamw_amsgrad_and_skips_follow_torch_in_f64() {
    check::<f64>(&TORCH_F64, 4.0);
}

#[test]
fn adam_adamw_amsgrad_and_skips_follow_torch_in_f32() {
    check::<f32>(&TORCH_F32, 4.0);
}

const TORCH_F64: [(&str, [&[f64]; 2]); 7] = [
    (
        "adamw",
        [
            &[0.4962735082321199, -1.5041669772073694, 1.9979520741482963],
            &[1.0172811287574806, -0.24278290205815228],
        ],
    ),
    (
        "adamw_default_decay",
        [
            &[0.4985427774671709, -1.5108975571217667, 2.0069225057915054],
            &[1.0218029746765847, -0.24392358913760803],
        ],
    ),
    (
        "adam_amsgrad_l2",
        [
            &[0.49814692182501935, -1.5109019145812155, 2.0062161052855294],
            &[1.011734310182357, -0.2436205060803126],
        ],
    ),
    (
        "adamw_amsgrad",
        [
            &[0.492503370259511, -1.5083739237292397, 1.9959631752549878],
            &[1.0345117750387176, -0.23553061880737375],
        ],
    ),
    (
        "adam_skip",
        [
            &[0.4975080216426805, -1.5101279370141982, 2.00441628137014],
            &[0.9989620151743468, -0.26674451191304566],
        ],
    ),
    (
        "adamw_skip_first",
        [
            &[0.4698542586572525, -1.5219435445011542, 2.0151983260833775],
            &[1.0172811287574806, -0.24278290205815228],
        ],
    ),
    (
        "sgd_skip_first",
        [&[0.5061828433400001, -2.474337453295, 2.4810209009350004], &[2.51987817773, 0.4143526413425]],
    ),
];
const TORCH_F32: [(&str, [&[f64]; 2]); 7] = [
    (
        "adamw",
        [
            &[0.49627354741096497, -1.504167079925537, 1.9979523420333862],
            &[1.0172812938690186, -0.24278293550014496],
        ],
    ),
    (
        "adamw_default_decay",
        [
            &[0.4985426962375641, -1.5108973979949951, 2.006922483444214],
            &[1.0218029022216797, -0.2439235895872116],
        ],
    ),
    (
        "adam_amsgrad_l2",
        [
            &[0.4981469213962555, -1.510901927947998, 2.006216049194336],
            &[1.0117342472076416, -0.24362051486968994],
        ],
    ),
    (
        "adamw_amsgrad",
        [
            &[0.49250340461730957, -1.5083740949630737, 1.995963454246521],
            &[1.034511923789978, -0.23553062975406647],
        ],
    ),
    (
        "adam_skip",
        [
            &[0.4975079894065857, -1.5101279020309448, 2.0044164657592773],
            &[0.9989620447158813, -0.2667444944381714],
        ],
    ),
    (
        "adamw_skip_first",
        [
            &[0.46985429525375366, -1.5219435691833496, 2.0151984691619873],
            &[1.0172812938690186, -0.24278293550014496],
        ],
    ),
    (
        "sgd_skip_first",
        [
            &[0.506182849407196, -2.474337339401245, 2.481020927429199],
            &[2.5198781490325928, 0.4143526256084442],
        ],
    ),
];
