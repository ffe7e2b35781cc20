//! Higher-order helpers built on [`crate::Var::backward_graph`]: Hessian-vector products,
//! Hessians and Jacobians.
