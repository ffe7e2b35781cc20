#!/bin/bash
# Compares the workloads (examples/workloads) of two revisions side by side, to catch a
# performance regression before it lands.
#
#   scripts/perf_compare.sh [BASE [NEW]]      # defaults: BASE = HEAD~1, NEW = the working tree
#   WORKLOADS="W1 W2 W3" ROUNDS=4 scripts/perf_compare.sh origin/main
#
# Each revision is built once (release, features threading and blas, BASE in a temporary
# worktree with its own target directory; the binaries read their data from their source
# tree, so the worktrees stay until the end), then the two binaries run alternately, ROUNDS
# times per workload on one thread, so that a slow phase of the machine falls on both.
# It prints, for each timed cell, the median over the rounds of each binary's median and
# the ratio NEW / BASE, and marks ratios above 1.10. It prints; it never fails on a ratio
# (timings are noisy: rerun a marked cell before believing it). W5 is left out by
# default: it takes about 10 s per run.
set -euo pipefail
root=$(git rev-parse --show-toplevel)
base=${1:-HEAD~1}
new=${2:-}
workloads=${WORKLOADS:-W1 W2 W3 W4}
rounds=${ROUNDS:-4}
tmp=$(mktemp -d)
cleanup() {
    for w in base new; do
        [ -d "$tmp/$w" ] && git -C "$root" worktree remove --force "$tmp/$w" >/dev/null 2>&1
    done
    rm -rf "$tmp"
}
trap cleanup EXIT

build() { # build <source dir> <target dir> <binary out>
    (cd "$1" && CARGO_TARGET_DIR=$2 cargo build -q --release --example workloads --features threading,blas)
    cp "$2/release/examples/workloads" "$3"
}

git -C "$root" worktree add -q --detach "$tmp/base" "$base"
build "$tmp/base" "$tmp/target-base" "$tmp/A"
if [ -n "$new" ]; then
    git -C "$root" worktree add -q --detach "$tmp/new" "$new"
    build "$tmp/new" "$tmp/target-new" "$tmp/B"
else
    build "$root" "${CARGO_TARGET_DIR:-$root/target}" "$tmp/B"
fi

for w in $workloads; do
    for i in $(seq "$rounds"); do
        "$tmp/A" --workload "$w" --threads 1 --pass "$i" >> "$tmp/A.jsonl"
        "$tmp/B" --workload "$w" --threads 1 --pass "$i" >> "$tmp/B.jsonl"
    done
done

python3 - "$tmp" "$base" "${new:-working tree}" <<'PY'
import collections, json, statistics, sys
tmp, base, new = sys.argv[1:]
def load(k):
    d = collections.defaultdict(list)
    for line in open(f"{tmp}/{k}.jsonl"):
        r = json.loads(line)
        d[(r["workload"], r["impl"], r["dtype"])].append(r["median_s"])
    return d
a, b = load("A"), load("B")
print(f"BASE = {base}, NEW = {new}; medians over the rounds, one thread")
print(f"{'cell':44s} {'BASE':>12s} {'NEW':>12s}  NEW/BASE")
for key in a:
    if key not in b:
        continue
    x, y = statistics.median(a[key]), statistics.median(b[key])
    mark = "  <- slower" if y / x > 1.10 else ""
    print(f"{' '.join(key):44s} {x * 1e6:10.1f}us {y * 1e6:10.1f}us  {y / x:.3f}{mark}")
PY
