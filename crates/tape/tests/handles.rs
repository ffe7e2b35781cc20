//! A `Var` is two machine words (the tape reference and one integer), so Rust passes and
//! returns it in registers. A larger handle goes through memory, and rustc 1.95 at
//! opt-level 1 and 2 miscompiled a closure called twice on one handle: the caller passed
//! the same argument slot to both calls, the first call reused that slot for a value of
//! its own (`try_gather`'s internal reshape), and the second call read the reshape as its
//! argument. These tests run at the test profile's opt-level 1, where that happened.

use wengert_tape::{Tape, Var};

#[test]
fn a_handle_is_two_words() {
    assert_eq!(std::mem::size_of::<Var<'_, f64>>(), 16);
    assert_eq!(std::mem::size_of::<Var<'_, f32>>(), 16);
    assert_eq!(std::mem::size_of::<Option<Var<'_, f64>>>(), 16);
}

#[test]
fn a_closure_called_twice_on_one_handle_sees_it_both_times() {
    let t = Tape::<f64>::new();
    let x = t.var_from(&[2, 3], &[1., 2., 3., 4., 5., 6.]);
    let f = |x: Var<'_>| x.try_gather(1, &[2, 2], &[0, 0, 2, 1]).map(|v| v.value().data().to_vec());
    let (a, b) = (f(x), f(x));
    assert_eq!(a.as_deref(), Ok(&[1., 1., 6., 5.][..]), "{a:?}");
    assert_eq!(a, b);
}

#[test]
fn ops_that_reshape_inside_see_their_argument_on_every_call() {
    let t = Tape::<f64>::new();
    let x = t.var_from(&[2, 3], &[1., -2., 3., -4., 5., -6.]);
    // Each closure runs an op that builds an internal handle from its argument.
    let gathered = |x: Var<'_>| x.gather(1, &[2, 1], &[2, 0]).sum().item();
    let picked = |x: Var<'_>| x.index_select(&[1, 0]).sum().item();
    let flat = |x: Var<'_>| x.reshape(&[6]).relu().sum().item();
    let pairs = [(gathered(x), gathered(x)), (picked(x), picked(x)), (flat(x), flat(x))];
    assert_eq!(pairs, [(-1.0, -1.0), (-3.0, -3.0), (9.0, 9.0)]);
}
