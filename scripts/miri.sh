#!/usr/bin/env bash
# Runs Miri (the Rust interpreter that detects undefined behaviour) on the engine's unit
# tests, which include the unsafe GEMM call's tests in crates/tape/src/gemm.rs, and on three
# small integration test files (errors.rs, anomaly.rs, higher_order.rs).
# A few minutes from scratch (once the Miri sysroot is built).
#
#   scripts/miri.sh            # installs nightly's miri and rust-src components if missing
#   MIRI_TESTS="errors" scripts/miri.sh   # choose the integration test files
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo +nightly miri --version >/dev/null 2>&1; then
    rustup toolchain install nightly --profile minimal
    rustup component add --toolchain nightly miri rust-src
fi

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR_MIRI:-$PWD/target/miri}"
# The host-CPU flags of a normal build mean nothing to the interpreter.
export RUSTFLAGS=""
# Miri perturbs transcendental functions (tanh, exp, ...) by a few ulps at random to model
# platform differences; the replay test compares two evaluations bit for bit, so ask for
# deterministic floats.
export MIRIFLAGS="${MIRIFLAGS:--Zmiri-deterministic-floats}"
tests=()
for t in ${MIRI_TESTS:-errors anomaly higher_order}; do
    tests+=(--test "$t")
done

start=$(date +%s)
cargo +nightly miri setup
cargo +nightly miri test -p wengert-tape --lib "${tests[@]}"
echo "miri: all tests passed in $(($(date +%s) - start)) s"
