#!/usr/bin/env bash
# moar-emacs.sh: README.md's Eglot snippets, as written, in batch Emacs, on leaky.mvmheap and leaky.raku.
#
# Usage: bash tests/e2e/moar-emacs.sh <path-to-heaplens> (ctest passes it, with HEAPLENS_TEST_DATA).
# Debian has no raku-mode, so the driver defines a bare `raku-mode' (derived from prog-mode, for
# *.raku) standing in for MELPA's; the README's hook on raku-mode-hook does the rest. The dump
# loads with its last snapshot: `class Leaky` (line 4) has 23,000 instances and a growth
# diagnostic; make-leaks (line 11) holds a frame. Then the README's snapshot form picks snapshot 0,
# which has 770.
set -euo pipefail
bin=${1:?usage: moar-emacs.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
[ -x "$bin" ] || { echo "moar-emacs: FAIL: $bin is not an executable" >&2; exit 1; }
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
cp "$data/moar/leaky.raku" "$ws/leaky.raku"
export HEAPLENS_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export TEST_FILE="$ws/leaky.raku" MODE=raku-mode DEFINE_MODE=raku-mode FILE_EXT=raku
export DUMP="$data/moar/leaky.mvmheap"
export HOVERS='4:8:23,000 instances|11:5:make-leaks' DIAG_LINES=4
export FORM_LINE=':snapshot' FORM_PLACEHOLDER=/path/to/app.mvmheap FORM_DUMP="$DUMP" FORM_HOVER='4:8:770 instances'
bash "$here/emacs/run.sh"
