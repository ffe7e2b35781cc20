//! Neural-net building blocks composed purely from tape ops.
