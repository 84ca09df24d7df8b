#!/usr/bin/env bash
# nvim-lsp.sh: headless Neovim drives `heaplens serve` on the Go 1.19 leakcache dump.
#
# Usage: bash tests/e2e/nvim-lsp.sh <path-to-heaplens>   (ctest passes it, with
# HEAPLENS_TEST_DATA). main.go is copied into a temporary workspace, so the
# server must map the dump's build path onto it. Expected facts are those of
# tests/data/go README: main.go:53 holds 10,000 live Session objects; the
# go1.19 dump has 21,247 objects.
set -euo pipefail
bin=${1:?usage: nvim-lsp.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
[ -x "$bin" ] || { echo "nvim-lsp: FAIL: $bin is not an executable" >&2; exit 1; }

ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/leakcache"
cp "$data/go/leakcache/main.go" "$ws/leakcache/main.go"

export HEAPLENS_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export ROOT_DIR="$ws" TEST_FILE="$ws/leakcache/main.go" FILETYPE=go
export DUMP="$data/go/leakcache-go1.19.heapdump"
export EXPECT_FORMAT=go EXPECT_MIN_OBJECTS=21247 EXPECT_MAX_OBJECTS=21247
export EXPECT_LINE=53 EXPECT_HOVER_SUBSTR=10,000 HOVER_COL=2
bash "$here/nvim/run.sh"
