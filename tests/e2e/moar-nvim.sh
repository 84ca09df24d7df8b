#!/usr/bin/env bash
# moar-nvim.sh: headless Neovim drives `heaplens serve` on leaky.mvmheap, snapshot 5.
#
# Usage: bash tests/e2e/moar-nvim.sh <path-to-heaplens> (ctest passes it, with HEAPLENS_TEST_DATA).
# leaky.raku is copied into a temporary workspace; the snapshot records the script as "leaky.raku"
# relative to where it ran, so the server must map it by name. Expected facts from
# shared/fixtures/moar/README.md: `class Leaky` (line 4) has 23,000 instances in snapshot 5 and
# grew 770 → 23,000 across the snapshots; make-leaks (line 11) is a frame with a code lens.
set -euo pipefail
bin=${1:?usage: moar-nvim.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
cp "$data/moar/leaky.raku" "$ws/leaky.raku"
export HEAPLENS_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export ROOT_DIR="$ws" TEST_FILE="$ws/leaky.raku" FILETYPE=raku
export DUMP="$data/moar/leaky.mvmheap" DUMP_SNAPSHOT=5 EXPECT_FORMAT=mvmheap

# The class declaration: a growth diagnostic and a hover with the instance count; no lens (not a frame).
EXPECT_LINE=4 EXPECT_HOVER_SUBSTR="23,000 instances" EXPECT_LENS=none HOVER_COL=8 bash "$here/nvim/run.sh"
# The routine declaration: a frame lens; its hover lists what the frame holds.
EXPECT_LINE=11 EXPECT_HOVER_SUBSTR="make-leaks" EXPECT_DIAGNOSTIC=0 HOVER_COL=5 bash "$here/nvim/run.sh"
