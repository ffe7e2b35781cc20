#!/usr/bin/env bash
# Headless-browser check of the page `wengert grad … --html FILE` writes.
#
# Loads the page in Debian's chromium (installed with apt-get if missing) and checks that
#   1. the page logs no console errors (its script ran to the end),
#   2. it honours #step=N, and stepping moves the highlighted node (step 1 vs step 4),
#   3. the reverse sweep highlights the node pushing its adjoint,
# then writes the screenshot docs/tutorial/html_stepper.png (the page at #step=9).
#
# Not part of CI: installing chromium would add minutes to every run for one page.
# Usage: scripts/check_html.sh   (from anywhere; needs cargo, and root for apt-get)
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v chromium >/dev/null; then
    echo "installing chromium (Debian package)..."
    apt-get update -qq && apt-get install -y -qq chromium >/dev/null
fi

target="${CARGO_TARGET_DIR:-target}"
cargo build -q -p wengert-cli
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
page="$work/stepper.html"
"$target/debug/wengert" grad "x*y + sin(x)" x=2 y=3 --html "$page" >/dev/null 2>&1

chrome() {
    chromium --headless --no-sandbox --disable-gpu --disable-background-networking \
        --disable-component-update --disable-sync --no-first-run \
        --user-data-dir="$(mktemp -d -p "$work")" "$@"
}

# dump FILE STEP: the DOM after the page's script ran at #step=STEP; console to FILE.log.
dump() {
    chrome --enable-logging=stderr --v=0 --virtual-time-budget=3000 \
        --dump-dom "file://$1#step=$2" 2>"$1.$2.log"
}

# The console errors chromium logged for a page load.
console_errors() {
    grep -E 'CONSOLE|Uncaught' "$1" | grep -iE 'error|uncaught' || true
}

# The id of the highlighted node in a dumped DOM.
current_node() {
    grep -oE '<body[^>]*data-current="[^"]*"' | sed -E 's/.*data-current="([^"]*)".*/\1/'
}

fail=0

# Self-test: a page with a broken script must be caught, or the console check proves nothing.
broken="$work/broken.html"
sed 's|^const D = |nosuch_function(); const D = |' "$page" >"$broken"
dump "$broken" 1 >/dev/null || true
if [ -z "$(console_errors "$broken.1.log")" ]; then
    echo "FAIL: the console check does not see the error of a deliberately broken page"
    fail=1
fi

s1="$(dump "$page" 1 | current_node)"
errors1="$(console_errors "$page.1.log")"
s4="$(dump "$page" 4 | current_node)"
errors4="$(console_errors "$page.4.log")"
s9="$(dump "$page" 9 | current_node)"
echo "highlighted node: step 1 -> '$s1', step 4 -> '$s4', step 9 -> '$s9'"

if [ -n "$errors1$errors4" ]; then
    echo "FAIL: console errors:"
    echo "$errors1$errors4"
    fail=1
fi
if [ "$s1" != "v0" ] || [ "$s4" != "v3" ]; then
    echo "FAIL: expected v0 highlighted at step 1 and v3 at step 4"
    fail=1
fi
if [ "$s1" = "$s4" ]; then
    echo "FAIL: stepping did not move the highlight"
    fail=1
fi
if [ "$s9" != "v3" ]; then
    echo "FAIL: at step 9 the reverse sweep should be pushing v3's adjoint (sin) to v0"
    fail=1
fi

mkdir -p docs/tutorial
chrome --hide-scrollbars --window-size=1100,620 --virtual-time-budget=3000 \
    --screenshot="$PWD/docs/tutorial/html_stepper.png" "file://$page#step=9" 2>/dev/null
echo "wrote docs/tutorial/html_stepper.png"

if [ "$fail" -ne 0 ]; then
    echo "check_html: FAILED"
    exit 1
fi
echo "check_html: OK"
