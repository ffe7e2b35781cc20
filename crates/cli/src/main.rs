//! The `wengert` command-line program.

fn main() {}
