//! Optimizer state dicts: training resumed from a saved state (through a safetensors file)
//! takes exactly the steps the uninterrupted optimizer takes, skipped parameters included;
//! a malformed state is refused naming the key, and leaves the optimizer as it was.

use wengert_nn::io::{load_safetensors, save_safetensors};
use wengert_nn::optim::{Adam, Optimizer, Sgd};
use wengert_nn::StateDict;
use wengert_tape::{Float, Tensor};

/// Gradients of three parameters (lengths 3, 1, 2) at step k, and which the loss reached:
/// parameter 2 sits out steps 0 to 2 (so it has no state when the state is saved), and
/// parameter 1 step 4.
fn step_data<T: Float>(k: usize) -> ([Vec<T>; 3], [bool; 3]) {
    let g = |i: usize, n: usize| {
        (0..n).map(|j| T::from_f64(((k * 5 + i * 3 + j) % 7) as f64 / 2.0 - 1.5)).collect()
    };
    ([g(0, 3), g(1, 1), g(2, 2)], [true, k != 4, k > 2])
}

fn run<T: Float>(opt: &mut dyn Optimizer<T>, params: &mut [Vec<T>; 3], steps: std::ops::Range<usize>) {
    for k in steps {
        let (gs, reached) = step_data::<T>(k);
        let [a, b, c] = params;
        opt.update_reached(&mut [a, b, c], &[&gs[0], &gs[1], &gs[2]], &reached).unwrap();
    }
}

fn start<T: Float>() -> [Vec<T>; 3] {
    [vec![0.5, -1.0, 2.0], vec![0.25], vec![-0.75, 1.5]].map(|p| p.into_iter().map(T::from_f64).collect())
}

/// Six steps straight, against three, save, load into a new optimizer, three more.
fn resumes_exactly<T: Float, O: Optimizer<T>>(
    name: &str,
    make: impl Fn() -> O,
    state: impl Fn(&O) -> StateDict<T>,
    load: impl Fn(&mut O, &StateDict<T>) -> wengert_tape::Result<()>,
) {
    let mut straight = start::<T>();
    run(&mut make(), &mut straight, 0..6);
    let mut resumed = start::<T>();
    let mut first = make();
    run(&mut first, &mut resumed, 0..3);
    let path = std::env::temp_dir().join(format!("wengert_optim_state_{name}_{}.safetensors", T::NAME));
    save_safetensors(&path, &state(&first)).unwrap();
    let mut second = make();
    load(&mut second, &load_safetensors::<T>(&path).unwrap()).unwrap();
    let _ = std::fs::remove_file(&path);
    assert_eq!(state(&second), state(&first), "{name}: the state survives the file");
    run(&mut second, &mut resumed, 3..6);
    assert_eq!(resumed, straight, "{name} {}", T::NAME);
}

fn all_resume<T: Float>() {
    let t = T::from_f64;
    resumes_exactly(
        "sgd",
        || Sgd::new(t(0.1)).momentum(t(0.9)).weight_decay(t(0.01)),
        Sgd::state_dict,
        Sgd::load_state_dict,
    );
    resumes_exactly(
        "nesterov",
        || Sgd::new(t(0.1)).momentum(t(0.5)).nesterov(true),
        Sgd::state_dict,
        Sgd::load_state_dict,
    );
    resumes_exactly("plain_sgd", || Sgd::new(t(0.1)), Sgd::state_dict, Sgd::load_state_dict);
    resumes_exactly(
        "adam",
        || Adam::new(t(0.01)).weight_decay(t(0.1)),
        Adam::state_dict,
        Adam::load_state_dict,
    );
    resumes_exactly(
        "adamw_amsgrad",
        || Adam::adamw(t(0.02)).amsgrad(true),
        Adam::state_dict,
        Adam::load_state_dict,
    );
}

#[test]
fn training_resumes_exactly_from_a_saved_state() {
    all_resume::<f64>();
    all_resume::<f32>();
}

#[test]
fn the_state_dict_names_what_torch_names() {
    let mut opt = Adam::new(0.01).amsgrad(true);
    let mut params = start::<f64>();
    run(&mut opt, &mut params, 0..2);
    let dict = opt.state_dict();
    let keys: Vec<&str> = dict.keys().map(String::as_str).collect();
    assert_eq!(
        keys,
        [
            "param_groups.0.params",
            "state.0.step",
            "state.0.exp_avg",
            "state.0.exp_avg_sq",
            "state.0.max_exp_avg_sq",
            "state.1.step",
            "state.1.exp_avg",
            "state.1.exp_avg_sq",
            "state.1.max_exp_avg_sq",
        ]
    );
    assert_eq!(opt.state_dict()["state.1.step"], Tensor::scalar(2.0));
    assert_eq!(opt.steps(), 2);
}

/// Each malformed state is refused with its key, and the optimizer keeps its own state.
#[test]
fn a_malformed_state_is_refused_naming_the_key() {
    let mut opt = Adam::new(0.01);
    let mut params = start::<f64>();
    run(&mut opt, &mut params, 0..4);
    let good = opt.state_dict();
    let edit = |f: &dyn Fn(&mut StateDict<f64>)| {
        let mut d = good.clone();
        f(&mut d);
        d
    };
    let cases: Vec<(StateDict<f64>, &str)> = vec![
        (edit(&|d| drop(d.shift_remove("param_groups.0.params"))), "no 'param_groups.0.params' entry"),
        (
            edit(&|d| drop(d.insert("state.0.momentum_buffer".into(), Tensor::from([1.0, 2.0, 3.0])))),
            "unexpected key 'state.0.momentum_buffer'",
        ),
        (edit(&|d| drop(d.insert("lr".into(), Tensor::scalar(0.1)))), "unexpected key 'lr'"),
        (
            edit(&|d| drop(d.insert("state.7.step".into(), Tensor::scalar(1.0)))),
            "'state.7.step' is for parameter 7, but 'param_groups.0.params' lists 3",
        ),
        (
            edit(&|d| drop(d.insert("state.0.step".into(), Tensor::scalar(2.5)))),
            "'state.0.step' is 2.5, not a whole number",
        ),
        (edit(&|d| drop(d.shift_remove("state.1.exp_avg_sq"))), "no 'state.1.exp_avg_sq'"),
        (edit(&|d| drop(d.shift_remove("state.0.step"))), "'state.0.exp_avg' without 'state.0.step'"),
        (
            edit(&|d| drop(d.insert("state.0.exp_avg".into(), Tensor::from([1.0])))),
            "parameter 0's moments have 1 and 3 elements",
        ),
        (
            edit(&|d| drop(d.insert("state.0.exp_avg_sq".into(), Tensor::from([1.0, -1.0, 0.0])))),
            "'state.0.exp_avg_sq' element 1 is negative",
        ),
        (
            edit(&|d| drop(d.insert("state.0.exp_avg".into(), Tensor::from([1.0, f64::NAN, 0.0])))),
            "'state.0.exp_avg' element 1 is NaN, not finite",
        ),
        (
            edit(&|d| drop(d.insert("state.0.exp_avg".into(), Tensor::from([[1.0, 2.0, 3.0]])))),
            "'state.0.exp_avg' must have rank 1, got shape [1, 3]",
        ),
    ];
    for (dict, want) in cases {
        let mut other = opt.clone();
        let err = other.load_state_dict(&dict).unwrap_err().to_string();
        assert!(err.starts_with("adam: state dict: ") && err.contains(want), "{want}: {err}");
        assert_eq!(other.state_dict(), good, "{want}: the state is unchanged");
    }
    // Momentum buffers for an SGD without momentum, and a buffer that does not fit its
    // parameter (found at the next step, where the parameters are known).
    let mut sgd = Sgd::new(0.1).momentum(0.9);
    run(&mut sgd, &mut params, 0..1);
    let err = Sgd::new(0.1).load_state_dict(&sgd.state_dict()).unwrap_err().to_string();
    assert_eq!(err, "sgd: state dict: momentum buffers for an SGD without momentum");
    let mut short = sgd.state_dict();
    short.insert("state.0.momentum_buffer".into(), Tensor::from([1.0]));
    let mut resumed = Sgd::new(0.1).momentum(0.9);
    resumed.load_state_dict(&short).unwrap();
    let (gs, reached) = step_data::<f64>(1);
    let [a, b, c] = &mut params;
    let err =
        resumed.update_reached(&mut [a, b, c], &[&gs[0], &gs[1], &gs[2]], &reached).unwrap_err().to_string();
    assert!(err.contains("state was built for parameter 0 of 1 elements, got 3"), "{err}");
}
