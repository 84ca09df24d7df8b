#!/usr/bin/env bash
# moar-nvim.sh: README.md's Neovim 0.7 snippet, as written, drives `heaplens serve` on leaky.mvmheap.
#
# Usage: bash tests/e2e/moar-nvim.sh <path-to-heaplens> (ctest passes it, with HEAPLENS_TEST_DATA).
# leaky.raku is copied into a temporary directory (no root marker: the file's directory is the
# root); the snapshots record the script as "leaky.raku" relative to where it ran, so the server
# maps it by name. The dump loads at start with its last snapshot, where `class Leaky` (line 4)
# has 23,000 instances, a growth diagnostic and a lens with them; make-leaks (line 11) is a frame
# with a lens; the blank line 3 has none. Then the README's snapshot form of the load command picks snapshot 0, which has 770.
set -euo pipefail
bin=${1:?usage: moar-nvim.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
[ -x "$bin" ] || { echo "moar-nvim: FAIL: $bin is not an executable" >&2; exit 1; }
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
cp "$data/moar/leaky.raku" "$ws/leaky.raku"
export SNIPPET=nvim07
export HEAPLENS_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export TEST_FILE="$ws/leaky.raku" FILETYPE=raku EXPECT_ROOT="$ws"
export DUMP="$data/moar/leaky.mvmheap" EXPECT_FORMAT=mvmheap
export HOVERS='4:8:23,000 instances|11:5:make-leaks' DIAG_LINES=4 LENS_LINES=4,11 NO_LENS_LINES=3
export FORM_LINE='snapshot =' FORM_PLACEHOLDER=/path/to/app.mvmheap FORM_DUMP="$DUMP" FORM_HOVER='4:8:770 instances'
bash "$here/nvim/run.sh"
