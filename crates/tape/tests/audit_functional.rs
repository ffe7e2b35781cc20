//! The functional helpers against JAX (`jax_enable_x64`) on functions of several inputs,
//! with tensor-valued outputs and non-square Jacobians, on 0-d and empty inputs, on
//! functions that ignore an input or return a constant (zeros, as JAX gives), and their
//! errors.

use wengert_tape::functional::{try_vjp, try_vjp_many};
use wengert_tape::{Error, Tensor};

/// A cotangent of the wrong shape is an error of `vjp`, naming both shapes and the output
/// node, not of the internal `backward_with_seed` the user never called.
#[test]
fn a_cotangent_of_the_wrong_shape_is_an_error_of_vjp() {
    let x = Tensor::from([1.0, 2.0]);
    let v = Tensor::from([1.0, 2.0, 3.0]);
    for e in [
        try_vjp(|x| x.square(), &x, &v).unwrap_err(),
        try_vjp_many(|x| x[0] * x[1], &[x.clone(), x.clone()], &v).map(|r| r.0).unwrap_err(),
    ] {
        let msg = e.to_string();
        assert!(matches!(e, Error::InvalidArgument { op: "vjp", .. }), "{e:?}");
        assert!(msg.starts_with("vjp: "), "{msg}");
        assert!(msg.contains("[3]") && msg.contains("[2]") && msg.contains("output v"), "{msg}");
        assert!(!msg.contains("backward_with_seed"), "{msg}");
    }
}
