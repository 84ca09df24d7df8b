#!/usr/bin/env bash
# nvim-lsp.sh: README.md's Neovim 0.7 snippet, as written, drives `heaplens serve` on the Go 1.19 leakcache dump.
#
# Usage: bash tests/e2e/nvim-lsp.sh <path-to-heaplens>   (ctest passes it, with HEAPLENS_TEST_DATA).
# SNIPPET=nvim08 runs the vim.lsp.start snippet instead (nvim08-lsp.sh).
#
# The workspace is a temporary directory, not where the dump was written, so the server must map
# the dump's build path onto it:
#   app/go.mod, app/leakcache/main.go, app/leakcache/util.go   one root (go.mod), one client
#   scratch/other.go                                           no marker: its own root and client
# Expected facts are those of tests/data/go's dumps: main.go:53 holds 10,000 live Session objects;
# the go1.19 dump has 21,247 objects. The README's load command then loads the go1.22 dump.
set -euo pipefail
bin=${1:?usage: nvim-lsp.sh <path-to-heaplens>}
here=$(cd "$(dirname "$0")" && pwd)
data=${HEAPLENS_TEST_DATA:-$here/../data}
[ -x "$bin" ] || { echo "nvim-lsp: FAIL: $bin is not an executable" >&2; exit 1; }

ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/app/leakcache" "$ws/scratch"
printf 'module example.com/leakcache\n\ngo 1.19\n' >"$ws/app/go.mod"
cp "$data/go/leakcache/main.go" "$ws/app/leakcache/main.go"
printf 'package main\n' >"$ws/app/leakcache/util.go"
printf 'package scratch\n' >"$ws/scratch/other.go"

export SNIPPET=${SNIPPET:-nvim07}
export HEAPLENS_BIN=$(cd "$(dirname "$bin")" && pwd)/$(basename "$bin")
export TEST_FILE="$ws/app/leakcache/main.go" FILETYPE=go EXPECT_ROOT="$ws/app"
export SAME_ROOT_FILE="$ws/app/leakcache/util.go" OTHER_ROOT_FILE="$ws/scratch/other.go" OTHER_ROOT="$ws/scratch"
export DUMP="$data/go/leakcache-go1.19.heapdump" EXPECT_FORMAT=go EXPECT_OBJECTS=21247
export HOVERS='53:2:10,000' DIAG_LINES=53 LENS_LINES=53
export LOAD_DUMP="$data/go/leakcache-go1.22.heapdump" LOAD_DIAG='53:leakcache-go1.22.heapdump' UNLOAD=1
bash "$here/nvim/run.sh"
